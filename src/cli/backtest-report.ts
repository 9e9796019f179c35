/**
 * The page of `kernelbus backtest --report report.html` (issue 68): one self-contained HTML file (no
 * script, no network: inline SVG and CSS, a Content-Security-Policy that forbids every fetch) with, per
 * symbol, the best combination of the grid: its statistics, the equity and the benchmark (the initial
 * cash held in the asset), the underwater curve (the drawdown from the running peak), the returns by
 * month (by blocks of 21 bars when the file has no dates, and the page says so), the trades, and the
 * sorted statistic over fast x slow with its colour legend. The page says how the charts sample the bars
 * (chartSampling()), the periods a year of the ratios and where they come from (../strategy/periods.ts),
 * and durations with their units. Pure functions of the numbers, returning strings; every text from
 * the input (symbols, file names) is escaped. Its charts, tables and style also make the page of the
 * strategy backtest (./strategy-report.ts).
 */
import type { TradeRecords } from '../kernels/backtest/backtest.js';
import type { PeriodsChoice } from '../strategy/periods.js';
import { formatStat, LOWER_IS_BETTER, type StatField } from './backtest-grid.js';

/** One symbol's section: its best combination's run and the grid's statistic. */
export interface ReportSymbol {
  /** Undefined for a file of one symbol. */
  readonly symbol?: string;
  /** Epoch ms per bar, when the file has a time column. */
  readonly dates?: Float64Array;
  readonly close: Float64Array;
  /** The best combination. */
  readonly fast: number;
  readonly slow: number;
  /** Its value per bar (T) and statistics. */
  readonly value: Float64Array;
  readonly stats: Readonly<Record<StatField, number>>;
  /** Its trades (one column). */
  readonly trades: TradeRecords;
  /** The grid: per pair the fast and slow window and the sorted statistic. */
  readonly fastOf: Int32Array;
  readonly slowOf: Int32Array;
  readonly sorted: Float64Array;
}

/** The page's input. */
export interface ReportInput {
  /** The file read (shown, escaped). */
  readonly input: string;
  readonly grid: string;
  readonly fast: readonly number[];
  readonly slow: readonly number[];
  readonly sort: StatField;
  readonly initCash: number;
  readonly fees: number;
  readonly slippage: number;
  readonly periodsPerYear: number;
  /** Where the periods a year come from, and the units of the durations (without: `periodsPerYear` bars a year, durations in bars). */
  readonly periods?: PeriodsChoice;
  readonly symbols: readonly ReportSymbol[];
  /** Symbols of the run left out of the page (beyond its limit). */
  readonly omitted?: number;
}

/** The trades a section lists at most. */
export const MAX_TRADE_ROWS = 500;
/** Points a line chart draws at most (a min and a max per bucket beyond it). */
export const MAX_POINTS = 2000;
/** Bars per block of the returns table when the file has no dates (a month of trading days). */
export const BLOCK_BARS = 21;

/** Text escaped for HTML (element content and quoted attributes). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const esc = escapeHtml;
const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 10) / 10) : '0');

/** A time as a date (midnight UTC), else a date and a time to the minute (UTC). */
export function timeText(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const iso = new Date(ms).toISOString();
  return ms % 86_400_000 === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Bar i as its date, else `bar i`. */
const barText = (dates: Float64Array | undefined, i: number) => (dates ? timeText(dates[i]) : `bar ${i}`);

/** The closes filled forward, then backward (the benchmark's prices, as backtestStats fills them). */
function filled(close: Float64Array): Float64Array {
  const out = Float64Array.from(close);
  let last = NaN;
  for (let i = 0; i < out.length; i++) out[i] = last = Number.isNaN(out[i]) ? last : out[i];
  for (let i = out.length - 1, next = NaN; i >= 0; i--) out[i] = Number.isNaN(out[i]) ? next : (next = out[i]);
  return out;
}

/** The benchmark: `initCash` held in the asset from the first bar (vectorbt's benchmark value). */
export function benchmarkValue(close: Float64Array, initCash: number): Float64Array {
  const c = filled(close);
  return c.map((x) => (initCash * x) / c[0]);
}

/** The drawdown from the running peak at each bar (<= 0). */
export function underwater(value: Float64Array): Float64Array {
  let peak = -Infinity;
  return value.map((v) => {
    peak = Math.max(peak, v);
    return peak > 0 ? v / peak - 1 : 0;
  });
}

/** A table of period returns: row and column labels, and the cells that have a return. */
export interface PeriodTable {
  readonly by: 'month' | 'block';
  readonly rows: readonly string[];
  readonly cols: readonly string[];
  readonly cells: readonly { readonly row: number; readonly col: number; readonly value: number }[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Returns by calendar month (UTC) of `value`: each month's last value over the previous month's (the
 * first month's over `initCash`), one row a year, and the year's return in a 13th column. Bars
 * without a date count in the month before them.
 */
export function monthlyReturns(value: Float64Array, dates: Float64Array, initCash: number): PeriodTable {
  const ends: { year: number; month: number; value: number }[] = [];
  for (let i = 0; i < value.length; i++) {
    if (!Number.isFinite(dates[i])) {
      if (ends.length) ends[ends.length - 1].value = value[i];
      continue;
    }
    const d = new Date(dates[i]);
    const [year, month] = [d.getUTCFullYear(), d.getUTCMonth()];
    const last = ends[ends.length - 1];
    if (last && last.year === year && last.month === month) last.value = value[i];
    else ends.push({ year, month, value: value[i] });
  }
  const years = [...new Set(ends.map((e) => e.year))].sort((a, b) => a - b);
  const cells: { row: number; col: number; value: number }[] = [];
  let prev = initCash;
  const yearStart = new Map<number, number>();
  for (const e of ends) {
    if (!yearStart.has(e.year)) yearStart.set(e.year, prev);
    cells.push({ row: years.indexOf(e.year), col: e.month, value: e.value / prev - 1 });
    prev = e.value;
  }
  for (const [row, year] of years.entries()) {
    const last = ends.filter((e) => e.year === year).at(-1)!;
    cells.push({ row, col: 12, value: last.value / yearStart.get(year)! - 1 });
  }
  return { by: 'month', rows: years.map(String), cols: [...MONTHS, 'Year'], cells };
}

/** Returns over consecutive blocks of `bars` bars (the last one shorter), 12 blocks a row, the first against `initCash`. */
export function blockReturns(value: Float64Array, initCash: number, bars = BLOCK_BARS): PeriodTable {
  const cells: { row: number; col: number; value: number }[] = [];
  let prev = initCash;
  for (let b = 0; b * bars < value.length; b++) {
    const end = value[Math.min(value.length, (b + 1) * bars) - 1];
    cells.push({ row: Math.floor(b / 12), col: b % 12, value: end / prev - 1 });
    prev = end;
  }
  const rows = Array.from({ length: Math.ceil(cells.length / 12) }, (_, r) => `bars ${r * 12 * bars}-`);
  return { by: 'block', rows, cols: Array.from({ length: Math.min(12, cells.length) }, (_, c) => `+${c * bars}`), cells };
}

/** The indices a chart keeps of T points: all up to MAX_POINTS, else each bucket's first, min and max. */
function keep(series: readonly Float64Array[], T: number): number[] {
  if (T <= MAX_POINTS) return Array.from({ length: T }, (_, i) => i);
  const size = Math.ceil(T / (MAX_POINTS / 3));
  const out = new Set<number>([T - 1]);
  for (let from = 0; from < T; from += size) {
    out.add(from);
    for (const s of series) {
      let [lo, hi] = [from, from];
      for (let i = from; i < Math.min(T, from + size); i++) {
        if (s[i] < s[lo]) lo = i;
        if (s[i] > s[hi]) hi = i;
      }
      out.add(lo).add(hi);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** How a chart of T points draws them (keep()), as the page says it: `every one of its 1,200 bars`, or the stretches. */
export function chartSampling(T: number, what = 'bars'): string {
  const count = T.toLocaleString('en-US');
  if (T <= MAX_POINTS) return `every one of its ${count} ${what}`;
  const size = Math.ceil(T / (MAX_POINTS / 3));
  return `its ${count} ${what} cut into stretches of ${size.toLocaleString('en-US')}, each drawn by its first, lowest and highest point (so no peak or trough is lost)`;
}

/** Axis ticks: about `n` round values covering [lo, hi]. */
function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

export interface Line {
  readonly name: string;
  readonly values: Float64Array;
  readonly color: string;
  /** Filled down to zero (the underwater curve). */
  readonly area?: boolean;
}

/** A line chart as inline SVG: the lines over bar index, y ticks formatted by `label`, x labels from the dates. */
export function lineChart(
  id: string,
  title: string,
  lines: readonly Line[],
  dates: Float64Array | undefined,
  label: (y: number) => string,
): string {
  const [W, H, left, right, top, bottom] = [900, 270, 64, 12, 24, 28];
  const T = lines[0].values.length;
  let [lo, hi] = [Infinity, -Infinity];
  for (const l of lines) for (const v of l.values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (lo > hi) [lo, hi] = [0, 1];
  if (lines.some((l) => l.area)) hi = Math.max(hi, 0);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  [lo, hi] = [lo - pad, lines.some((l) => l.area) ? hi : hi + pad];
  const x = (i: number) => left + (T > 1 ? (i / (T - 1)) * (W - left - right) : 0);
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * (H - top - bottom);
  const idx = keep(
    lines.map((l) => l.values),
    T,
  );
  const parts: string[] = [];
  for (const t of ticks(lo, hi)) {
    parts.push(`<line class="grid" x1="${left}" x2="${W - right}" y1="${num(y(t))}" y2="${num(y(t))}"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${num(y(t) + 4)}" text-anchor="end">${esc(label(t))}</text>`);
  }
  for (const i of T > 1 ? [0, Math.floor((T - 1) / 2), T - 1] : [0]) {
    const anchor = i === 0 ? 'start' : i === T - 1 ? 'end' : 'middle';
    parts.push(`<text class="tick" x="${num(x(i))}" y="${H - 8}" text-anchor="${anchor}">${esc(barText(dates, i))}</text>`);
  }
  for (const l of lines) {
    const pts = idx.filter((i) => Number.isFinite(l.values[i])).map((i) => `${num(x(i))},${num(y(l.values[i]))}`);
    if (pts.length === 0) continue;
    const d = `M${pts.join('L')}`;
    if (l.area)
      parts.push(
        `<path class="area" d="${d}L${num(x(T - 1))},${num(y(0))}L${num(x(0))},${num(y(0))}Z" fill="${l.color}" fill-opacity="0.35"/>`,
      );
    parts.push(
      `<path class="line" data-series="${esc(l.name)}" data-points="${pts.length}" d="${d}" fill="none" stroke="${l.color}" stroke-width="1.5"/>`,
    );
  }
  const legend = lines.map((l, k) => `<text class="legend" x="${left + k * 160}" y="14" fill="${l.color}">${esc(l.name)}</text>`).join('');
  return `<svg id="${id}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img"><title>${esc(title)}</title>${parts.join('')}${legend}</svg>`;
}

/** A color from red (t = 0) through pale yellow to green (t = 1). */
function ramp(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  const [r, g, b] =
    c < 0.5
      ? [215, 48 + (c / 0.5) * (230 - 48), 39 + (c / 0.5) * (140 - 39)]
      : [215 - ((c - 0.5) / 0.5) * (215 - 26), 230 - ((c - 0.5) / 0.5) * (230 - 152), 140 - ((c - 0.5) / 0.5) * (140 - 80)];
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

/** A return's color: red below 0, green above, by its size relative to `scale`. */
const returnColor = (v: number, scale: number) =>
  Number.isFinite(v) ? ramp(0.5 + 0.5 * Math.max(-1, Math.min(1, v / (scale || 1)))) : '#eee';

/** The period returns as an HTML table of colored cells. */
export function periodTable(t: PeriodTable): string {
  const scale = Math.max(
    1e-12,
    ...t.cells
      .filter((c) => c.col < 12)
      .map((c) => Math.abs(c.value))
      .filter(Number.isFinite),
  );
  const grid: (number | undefined)[][] = t.rows.map(() => t.cols.map(() => undefined));
  for (const c of t.cells) grid[c.row][c.col] = c.value;
  const head = `<tr><th></th>${t.cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map(
      (r, i) =>
        `<tr><th>${esc(r)}</th>${grid[i]
          .map((v) =>
            v === undefined
              ? '<td class="empty"></td>'
              : `<td class="ret" style="background:${returnColor(v, scale)}" data-value="${v}">${esc(formatStat('totalReturn', v))}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<table class="returns" data-by="${t.by}">${head}${body}</table>`;
}

/** The trades as a table (the first MAX_TRADE_ROWS). */
export function tradesTable(trades: TradeRecords, dates: Float64Array | undefined): string {
  const n = trades.id.length;
  const shown = Math.min(n, MAX_TRADE_ROWS);
  const rows: string[] = [];
  for (let r = 0; r < shown; r++) {
    const open = trades.status[r] === 0;
    rows.push(
      `<tr class="${trades.pnl[r] > 0 ? 'win' : trades.pnl[r] < 0 ? 'loss' : 'even'}"><td>${r + 1}</td><td>${trades.direction[r] === 0 ? 'long' : 'short'}</td>` +
        `<td>${esc(barText(dates, trades.entryIdx[r]))}</td><td>${trades.entryPrice[r].toFixed(4)}</td>` +
        `<td>${open ? 'open' : esc(barText(dates, trades.exitIdx[r]))}</td><td>${trades.exitPrice[r].toFixed(4)}</td>` +
        `<td>${Number(trades.size[r].toPrecision(6))}</td><td>${(trades.entryFees[r] + trades.exitFees[r]).toFixed(4)}</td>` +
        `<td>${trades.pnl[r].toFixed(4)}</td><td>${esc(formatStat('totalReturn', trades.return[r]))}</td><td>${open ? 'open' : 'closed'}</td></tr>`,
    );
  }
  const note = n > shown ? `<p class="note">The first ${shown} of ${n} trades.</p>` : n === 0 ? '<p class="note">No trades.</p>' : '';
  const head =
    '<tr><th>#</th><th>side</th><th>entry</th><th>entry price</th><th>exit</th><th>exit price</th><th>size</th><th>fees</th><th>pnl</th><th>return</th><th>status</th></tr>';
  return `<table class="trades" data-trades="${n}"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>${note}`;
}

/** The legend's width and height (px): the colour scale and its labels, then a row of swatches (NaN, no pair, the best). */
const LEGEND_WIDTH = 470;
const LEGEND_HEIGHT = 62;
/** Steps of the legend's colour scale. */
const LEGEND_STEPS = 10;

/**
 * The heatmap's colour legend at (x, y): the scale from the worst value (red) to the best (green) in
 * LEGEND_STEPS steps labelled with the lowest, middle and highest finite values of the statistic, then
 * swatches for NaN, a pair the grid does not hold (fast >= slow) and the best pair's outline.
 */
function heatmapLegend(x: number, y: number, lo: number, hi: number, field: StatField, period?: PeriodsChoice): string {
  const lower = LOWER_IS_BETTER.includes(field);
  const [step, h] = [36, 12];
  const parts: string[] = [];
  const finite = lo <= hi;
  for (let i = 0; i < LEGEND_STEPS; i++) {
    const t = (i + 0.5) / LEGEND_STEPS;
    parts.push(`<rect class="legend-step" x="${x + i * step}" y="${y}" width="${step}" height="${h}" fill="${ramp(t)}"/>`);
  }
  const end = x + LEGEND_STEPS * step;
  // the red end: the worst value (the highest of a statistic where less is better)
  const [worst, best] = lower ? [hi, lo] : [lo, hi];
  const label = (v: number) => (finite ? esc(formatStat(field, v, period)) : '-');
  parts.push(`<text class="tick legend-lo" x="${x}" y="${y + h + 13}" text-anchor="start">${label(worst)}</text>`);
  parts.push(`<text class="tick legend-mid" x="${(x + end) / 2}" y="${y + h + 13}" text-anchor="middle">${label((lo + hi) / 2)}</text>`);
  parts.push(`<text class="tick legend-hi" x="${end}" y="${y + h + 13}" text-anchor="end">${label(best)}</text>`);
  parts.push(`<text class="axis" x="${x}" y="${y - 4}">${esc(field)}${lower ? ' (lower is better)' : ''}: red worse, green better</text>`);
  const row = y + h + 22;
  const swatch = (sx: number, fill: string, text: string, stroke = '') =>
    `<rect x="${sx}" y="${row}" width="${h}" height="${h}" fill="${fill}"${stroke}/><text class="tick" x="${sx + h + 4}" y="${row + h - 2}">${text}</text>`;
  parts.push(swatch(x, '#ddd', 'NaN'));
  parts.push(swatch(x + 50, '#f3f3f3', 'no pair (fast &gt;= slow)', ' stroke="#ccc"'));
  parts.push(swatch(x + 200, 'none', 'the best', ' stroke="#000" stroke-width="2"'));
  return `<g class="legend" data-lo="${lo}" data-hi="${hi}">${parts.join('')}</g>`;
}

/** The statistic over fast (rows) x slow (columns) as SVG cells (pairs with fast >= slow grey), and its colour legend. */
function gridHeatmap(s: ReportSymbol, fast: readonly number[], slow: readonly number[], field: StatField, period?: PeriodsChoice): string {
  const value = new Map<string, number>();
  for (let p = 0; p < s.sorted.length; p++) value.set(`${s.fastOf[p]},${s.slowOf[p]}`, s.sorted[p]);
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of s.sorted) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const lower = LOWER_IS_BETTER.includes(field);
  const color = (v: number) => {
    if (Number.isNaN(v)) return '#ddd';
    const t = !Number.isFinite(v) ? (v > 0 ? 1 : 0) : hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return ramp(lower ? 1 - t : t);
  };
  const cell = Math.max(3, Math.min(22, Math.floor(820 / slow.length), Math.floor(560 / fast.length)));
  const [left, top] = [48, 18];
  const W = left + cell * slow.length + 10;
  const parts: string[] = [];
  const every = (n: number) => Math.max(1, Math.ceil(n / Math.max(1, Math.floor((n * cell) / 36))));
  fast.forEach((f, r) => {
    if (r % every(fast.length) === 0)
      parts.push(`<text class="tick" x="${left - 4}" y="${num(top + r * cell + cell / 2 + 4)}" text-anchor="end">${f}</text>`);
    slow.forEach((w, c) => {
      const [x, y] = [left + c * cell, top + r * cell];
      const v = value.get(`${f},${w}`);
      const best = f === s.fast && w === s.slow;
      if (v === undefined) {
        parts.push(
          `<rect class="cell na" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="#f3f3f3" data-fast="${f}" data-slow="${w}"/>`,
        );
      } else {
        parts.push(
          `<rect class="cell${best ? ' best' : ''}" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${color(v)}" data-fast="${f}" data-slow="${w}" data-value="${v}"><title>fast ${f}, slow ${w}: ${field} ${esc(formatStat(field, v, period))}</title></rect>`,
        );
      }
    });
  });
  slow.forEach((w, c) => {
    if (c % every(slow.length) === 0)
      parts.push(
        `<text class="tick" x="${num(left + c * cell + cell / 2)}" y="${top + fast.length * cell + 14}" text-anchor="middle">${w}</text>`,
      );
  });
  const r = fast.indexOf(s.fast);
  const c = slow.indexOf(s.slow);
  if (r >= 0 && c >= 0)
    parts.push(
      `<rect class="mark" x="${left + c * cell}" y="${top + r * cell}" width="${cell}" height="${cell}" fill="none" stroke="#000" stroke-width="2"/>`,
    );
  parts.push(`<text class="axis" x="${left}" y="12">fast (rows) x slow (columns)</text>`);
  const legendTop = top + fast.length * cell + 30;
  parts.push(heatmapLegend(left, legendTop, lo, hi, field, period));
  const width = Math.max(W, left + LEGEND_WIDTH);
  const height = legendTop + LEGEND_HEIGHT;
  return `<svg class="heatmap" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" data-rows="${fast.length}" data-cols="${slow.length}"><title>${esc(field)} over fast x slow</title>${parts.join('')}</svg>`;
}

/** One symbol's section. */
function section(input: ReportInput, s: ReportSymbol, k: number): string {
  const name = s.symbol ?? input.input;
  const bench = benchmarkValue(s.close, input.initCash);
  const money = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));
  const equity = lineChart(
    `equity-${k}`,
    `${name}: equity and benchmark`,
    [
      { name: `${input.grid.split('-')[0]} ${s.fast}/${s.slow}`, values: s.value, color: '#1f6feb' },
      { name: 'buy and hold', values: bench, color: '#888' },
    ],
    s.dates,
    money,
  );
  const dd = lineChart(
    `underwater-${k}`,
    `${name}: drawdown`,
    [{ name: 'drawdown', values: underwater(s.value), color: '#d73027', area: true }],
    s.dates,
    (v) => formatStat('maxDrawdown', v),
  );
  const periods = s.dates ? monthlyReturns(s.value, s.dates, input.initCash) : blockReturns(s.value, input.initCash);
  const periodNote = s.dates
    ? '<p class="note">Each month: its last value over the month before (the first month: over the initial cash); the last column the year.</p>'
    : `<p class="note">The file has no date column: returns over blocks of ${BLOCK_BARS} bars instead of months (the first over the initial cash).</p>`;
  const statRows = (Object.keys(s.stats) as StatField[])
    .map(
      (f) => `<tr${f === input.sort ? ' class="sorted"' : ''}><th>${f}</th><td>${esc(formatStat(f, s.stats[f], input.periods))}</td></tr>`,
    )
    .join('');
  return `<section class="symbol" id="symbol-${k}" data-symbol="${esc(name)}">
<h2>${esc(name)}: fast ${s.fast}, slow ${s.slow}</h2>
<p>The best of ${s.sorted.length} combinations by ${esc(input.sort)} (${esc(formatStat(input.sort, s.stats[input.sort], input.periods))}); ${s.close.length} bars${s.dates ? `, ${esc(timeText(s.dates[0]))} to ${esc(timeText(s.dates[s.dates.length - 1]))}` : ''}.</p>
<p class="note sampling">The charts: ${esc(chartSampling(s.close.length))}.</p>
<div class="row"><div><h3>Equity and benchmark</h3>${equity}<h3>Underwater</h3>${dd}</div>
<div><h3>Statistics</h3><table class="stats">${statRows}</table></div></div>
<h3>Returns by ${periods.by === 'month' ? 'month' : `block of ${BLOCK_BARS} bars`}</h3>${periodNote}${periodTable(periods)}
<h3>${esc(input.sort)} over the grid</h3>${gridHeatmap(s, input.fast, input.slow, input.sort, input.periods)}
<h3>Trades</h3>${tradesTable(s.trades, s.dates)}
</section>`;
}

export const REPORT_CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:17px;margin-top:32px;border-top:1px solid #ccc;padding-top:16px}h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #eee}
th:first-child{text-align:left}table.returns td{min-width:52px}table.stats tr.sorted{font-weight:bold}
.row{display:flex;gap:24px;flex-wrap:wrap}.note{color:#666;font-size:12px}
svg .grid{stroke:#eee}svg .tick,svg .axis{font-size:11px;fill:#555}svg .legend{font-size:12px}
tr.win td:nth-child(9){color:#1a7f37}tr.loss td:nth-child(9){color:#cf222e}nav a{margin-right:12px}`;

/** The whole page: a header with the run's settings, a link per symbol, and a section per symbol. */
export function backtestReport(input: ReportInput): string {
  const names = input.symbols.map((s) => s.symbol ?? input.input);
  const nav = input.symbols.length > 1 ? `<nav>${names.map((n, k) => `<a href="#symbol-${k}">${esc(n)}</a>`).join('')}</nav>` : '';
  const omitted = input.omitted
    ? `<p class="note">${input.omitted} more symbols are in the results (--out, --json), not on this page.</p>`
    : '';
  const range = (w: readonly number[]) => (w.length > 1 ? `${w[0]}..${w[w.length - 1]} (${w.length})` : String(w[0]));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>kernelbus backtest: ${esc(input.input)}</title><style>${REPORT_CSS}</style></head>
<body>
<h1>kernelbus backtest ${esc(input.grid)}: ${esc(input.input)}</h1>
<p>fast ${esc(range(input.fast))}, slow ${esc(range(input.slow))}; fees ${input.fees}, slippage ${input.slippage}, initial cash ${input.initCash}; sorted by ${esc(input.sort)}${LOWER_IS_BETTER.includes(input.sort) ? ' (ascending)' : ''}. Statistics as vectorbt 1.1.0's Portfolio.stats() (docs/backtest.md).</p>
<p class="periods">Periods a year of the Sharpe, Sortino and Calmar ratios: ${esc(input.periods?.text ?? `${input.periodsPerYear.toLocaleString('en-US')} bars a year`)}. Durations: ${input.periods && input.periods.periodMs > 0 ? 'bars x the bars&#39; spacing (trading time, as vectorbt&#39;s), and the bars' : 'in bars'}.</p>
${nav}${omitted}
${input.symbols.map((s, k) => section(input, s, k)).join('\n')}
</body></html>
`;
}
