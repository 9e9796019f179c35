// What the dashboard (web/dashboard.html) says about alerts and how it marks a portfolio's row: pure
// functions of the messages' payloads as the gateway sends them (JSON: NaN arrives as null), no DOM.
// The gateway inlines this file into the page (src/gateway/page.ts); test/gateway/alerts.test.ts
// holds every alert kind the engines publish to the text printed here. Types: web/alerts.d.ts.

/** A number with `digits` decimals and thousands separators; '-' for none (null, undefined, NaN). */
export const fmt = (x, digits = 0) =>
  x === null || x === undefined || Number.isNaN(x)
    ? '-'
    : Number(x).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The labels of an axis from `lo` to `hi` (`count` ticks, evenly spaced; on a log axis lo and hi are
 * log10 values): `{ value, label }` with at least `digits` decimals, more (up to 6) until the labels
 * differ, so that a small range never reads 1, 1, 0, 0.
 */
export function axisTicks(lo, hi, count, digits = 0, log = false) {
  const values = Array.from({ length: count }, (_, k) => {
    const raw = lo + ((hi - lo) * k) / (count - 1);
    return log ? 10 ** raw : raw;
  });
  let d = digits;
  const labels = (n) => values.map((v) => fmt(v, n));
  while (d < 6 && new Set(labels(d)).size < values.length) d++;
  return values.map((value, k) => ({ value, label: labels(d)[k] }));
}

/** A fraction as a percent with 3 decimals; '-' for none. */
export const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(3)}%`);

/** A number given (not null, undefined or NaN). */
const given = (x) => typeof x === 'number' && !Number.isNaN(x);

/**
 * The kind of a RISK_ALERT payload: 'vpin' (VpinEngine: the VPIN's CDF crossed its threshold),
 * 'var-limit' (RiskEngine: the historical VaR reached the portfolio's limit), 'backtest-yellow' and
 * 'backtest-red' (RiskEngine: the VaR backtest's traffic light turned yellow or red), else 'unknown'.
 */
export function alertKind(p) {
  if (p === null || typeof p !== 'object') return 'unknown';
  if (p.source === 'vpin') return 'vpin';
  if (p.source !== 'risk') return 'unknown';
  if (p.reason === undefined || p.reason === null) return 'var-limit';
  if (p.reason === 'backtest' && (p.zone === 'yellow' || p.zone === 'red')) return `backtest-${p.zone}`;
  return 'unknown';
}

/** The expected exceptions of `observations` periods at VaR confidence `confidence`, with one decimal. */
const expected = (observations, confidence) => fmt(observations * (1 - confidence), 1);

/** A confidence level as a percent without trailing zeros (0.99: '99%', 0.975: '97.5%'). */
const level = (confidence) => `${Number((100 * confidence).toFixed(4))}%`;

/** The line the alert list shows for a RISK_ALERT keyed `key` (plain text: the page escapes it). */
export function alertText(key, p) {
  switch (alertKind(p)) {
    case 'vpin':
      return `${key}: VPIN ${fmt(p.vpin, 3)}, CDF ${fmt(p.cdf, 3)} reached its threshold ${fmt(p.threshold, 3)} at bucket ${p.bucket}`;
    case 'var-limit':
      return `${key}: VaR ${pct(p.var)} reached its limit ${pct(p.limit)}`;
    case 'backtest-yellow':
    case 'backtest-red': {
      const counts = `${p.exceptions} exceptions in the last ${p.observations} periods`;
      const expect = given(p.confidence) ? ` (${expected(p.observations, p.confidence)} expected at ${level(p.confidence)} VaR)` : '';
      const limit = given(p.limit) ? `; VaR ${pct(p.var)}, limit ${pct(p.limit)}` : `; VaR ${pct(p.var)}`;
      return `${key}: VaR backtest ${p.zone} zone: ${counts}${expect}${limit}`;
    }
    default:
      return `${key}: ${JSON.stringify(p).slice(0, 120)}`;
  }
}

/**
 * How the portfolios table marks a portfolio. `breach`: its historical VaR is at or above its limit now,
 * or a VaR-limit alert came within `holdMs` (the row's alert colour). `zone`: its VaR backtest's traffic
 * light when yellow or red (the row's zone marker, not a breach): the last result's once its backtest
 * window is full (the engine alerts on no other), else the last backtest alert's. `backtest`: the
 * backtest cell ('yellow 6/250', '-' before one). `pf`: { result (the last ANALYTICS_RESULT payload),
 * limit, limitAlertedAt (ms), zoneAlert (the last backtest alert's payload) }.
 */
export function portfolioMarks(pf, now, holdMs) {
  const r = pf.result;
  const over = r !== undefined && given(pf.limit) && given(r.historical?.var) && r.historical.var >= pf.limit;
  const breach = over || now - (pf.limitAlertedAt ?? -Infinity) < holdMs;
  const b = r?.backtest;
  const full = b !== undefined && given(b.window) && b.observations >= b.window;
  const light = full ? b.zone : pf.zoneAlert?.zone;
  const zone = light === 'yellow' || light === 'red' ? light : undefined;
  const backtest = b ? `${b.zone} ${b.exceptions}/${b.observations}` : '-';
  return { over, breach, zone, backtest };
}

/** The class attribute of a portfolio's row from its marks ('' when unmarked). */
export function portfolioRowClass(marks) {
  const classes = [];
  if (marks.breach) classes.push('alert');
  if (marks.zone) classes.push(`zone-${marks.zone}`);
  return classes.length ? ` class="${classes.join(' ')}"` : '';
}

/**
 * The GARCH cells of a portfolio's row (RiskEngine's `var: { method: 'garch' }`), undefined when its
 * last result has none: `var` its GARCH VaR ('-' when there is none: `note` says why), `backtest` its
 * backtest ('green 1/250 p 0.65': zone, exceptions/periods and Kupiec's p-value; '-' before one), `zone` that backtest's zone when yellow or
 * red (the cell's badge), `note` the VaR cell's title (the fit's persistence, how it stopped, its age).
 */
export function garchMarks(result) {
  const g = result?.garch;
  if (g === undefined || g === null) return undefined;
  const b = result.garchBacktest;
  const zone = b?.zone === 'yellow' || b?.zone === 'red' ? b.zone : undefined;
  const fit = given(g.persistence) ? `persistence ${fmt(g.persistence, 3)}, ` : '';
  const stopped = g.converged ? 'converged' : `not converged (${g.reason})`;
  return {
    var: pct(g.var),
    backtest: b ? `${b.zone} ${b.exceptions}/${b.observations} p ${fmt(b.kupiecPValue, 2)}` : '-',
    zone,
    note: typeof g.problem === 'string' ? g.problem : `${fit}${stopped}, refitted ${fmt(g.sinceRefit)} periods ago`,
  };
}
