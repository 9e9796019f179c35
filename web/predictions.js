// What the dashboard (web/dashboard.html) keeps and shows of each symbol's model predictions: the ML
// engine's ML_PREDICTION messages (docs/ml.md; keyed by the symbol, payload { symbol, ts, bar, model,
// version, values }: one value for a regression or binary model, one per class for a multiclass one)
// folded into the symbol's latest prediction and its last values. Pure functions of the payloads as the
// gateway sends them (JSON: NaN arrives as null), no DOM. The gateway inlines this file into the page
// (src/gateway/page.ts); test/gateway/predictions.test.ts folds the messages read through the gateway,
// live and from its history. Types: web/predictions.d.ts.

/** Caps: the predictions kept per symbol (the sparkline's points), and the (bar, version) pairs remembered to count one once. */
export const PREDICTION_CAPS = { points: 120, seen: 480 };

/** A symbol as the page keeps it. */
function newPredicted() {
  return { last: undefined, count: 0, points: [], seen: new Set() };
}

/** A payload's value as a number (NaN for null, a missing value or anything not a number). */
const valueOf = (x) => (typeof x === 'number' ? x : Number.NaN);

/**
 * Folds one message into `symbols` (symbol -> state): the symbol's latest prediction (its payload), its
 * count, and a point of its values. A message published again (the same symbol, bar and model version:
 * the bus is at-least-once, an engine restarted publishes its last bars again) counts once. Returns the
 * symbol, or undefined for a message of another type or without values.
 */
export function onPredictionMessage(symbols, m, caps = PREDICTION_CAPS) {
  const p = m.payload;
  if (m.type !== 'ML_PREDICTION' || p === null || typeof p !== 'object' || !Array.isArray(p.values) || p.values.length === 0) return undefined;
  const symbol = typeof p.symbol === 'string' ? p.symbol : m.key;
  if (typeof symbol !== 'string' || symbol === '') return undefined;
  let s = symbols.get(symbol);
  if (!s) symbols.set(symbol, (s = newPredicted()));
  const id = JSON.stringify([p.bar ?? p.ts ?? null, p.version ?? null]);
  if (s.seen.has(id)) return symbol;
  s.seen.add(id);
  if (s.seen.size > caps.seen) s.seen.delete(s.seen.values().next().value);
  s.count++;
  s.last = p;
  s.points.push({ t: p.ts ?? m.ts, values: p.values.map(valueOf) });
  if (s.points.length > caps.points) s.points.shift();
  return symbol;
}

/**
 * What a prediction's values say: one value as it is (`value`, `cls` undefined); several, the largest
 * class (`cls`, its index) and its probability (`value`). NaN and undefined for no finite value.
 */
export function topPrediction(values) {
  const v = values.map(valueOf);
  if (v.length === 1) return { value: v[0], cls: undefined };
  let cls;
  for (let k = 0; k < v.length; k++) if (Number.isFinite(v[k]) && (cls === undefined || v[k] > v[cls])) cls = k;
  return { value: cls === undefined ? Number.NaN : v[cls], cls };
}

/**
 * The predictions table: per symbol its latest prediction (topPrediction()), the model and version that
 * made it, the bar's time, the predictions counted and the symbol's latest VPIN (`vpinOf(symbol)`, the
 * page's VPIN_CALCULATION; NaN when none). Rows by value, the largest first (the strongest prediction of
 * a binary or multiclass model on top), then by symbol.
 */
export function predictionRows(symbols, vpinOf = () => Number.NaN) {
  const rows = [...symbols].flatMap(([symbol, s]) => {
    if (!s.last) return [];
    const { value, cls } = topPrediction(s.last.values);
    return [
      {
        symbol,
        value,
        cls,
        classes: s.last.values.length,
        model: String(s.last.model ?? '-'),
        version: String(s.last.version ?? '-'),
        ts: valueOf(s.last.ts),
        count: s.count,
        vpin: valueOf(vpinOf(symbol)),
      },
    ];
  });
  const rank = (x) => (Number.isNaN(x) ? -Infinity : x);
  rows.sort((a, b) => rank(b.value) - rank(a.value) || a.symbol.localeCompare(b.symbol));
  return rows;
}

/** The sparkline's series of a symbol: one array per output (class) of its last `n` predictions, oldest first. */
export function predictionSeries(s, n = PREDICTION_CAPS.points) {
  const points = s.points.slice(-n);
  const outputs = s.last ? s.last.values.length : 0;
  return Array.from({ length: outputs }, (_, k) => points.map((p) => p.values[k] ?? Number.NaN));
}

/** A row's prediction as text: `0.9998` (one output), `class 2: 0.831` (several), '-' for none. */
export function predictionText(row) {
  if (!Number.isFinite(row.value)) return '-';
  return row.cls === undefined ? row.value.toFixed(4) : `class ${row.cls}: ${row.value.toFixed(3)}`;
}
