/**
 * A StrategyRunner's incremental checkpoint (StrategyRunner.delta(), restore(bytes, deltas)): what
 * changed since the last snapshot() or delta(), as a patch on the parts of a whole one (RunnerState,
 * ./runner-state.ts). Per symbol, only the symbols touched since (a trade of theirs, an order placed
 * for them, a new symbol): their bars (the bar maker's and indicators' state and the history entries
 * written since: SymbolBars.change()), their account entries (position, debt, last price, cash flow,
 * entry price, realized P&L) and their waiting orders. Shared: the cash, the days' rows and fills
 * added since (append-only), the clock, counters, the ctx.latest() payloads observed since and
 * ctx.state, whole (keep it small: it is written at every checkpoint). Bytes: 'KBSD', a version, then
 * the patch packed by msgpackr as structured clones, as the whole checkpoint's.
 */
import { KernelInputError, describeValue } from '../errors.js';
import type { AccountState } from './account.js';
import { applyBarsChange, type SymbolBarsChange, type SymbolBarsState } from './bars.js';
import type { DailyRecord } from './days.js';
import type { PendingOrder } from './execution.js';
import { packWithHead, type RunnerState, unpackStructured } from './runner-state.js';

/** The account's per-symbol arrays, by name (AccountState's). */
const ARRAYS = ['position', 'debt', 'lastPrice', 'cashFlow', 'avgPrice', 'realized'] as const;
/** What the arrays hold at a symbol index not yet used (StrategyAccount.ensure()'s fill). */
const EMPTY: Record<(typeof ARRAYS)[number], number> = {
  position: 0,
  debt: 0,
  lastPrice: Number.NaN,
  cashFlow: 0,
  avgPrice: Number.NaN,
  realized: 0,
};
const DAY_ROWS = ['close', 'position', 'cashFlow', 'cash', 'equity'] as const;
const FILL_COLUMNS = ['day', 'symbol', 'size', 'price', 'fees', 'side'] as const;

/** The parts of a runner's incremental checkpoint (see the module comment); the small shared ones as the whole state's. */
export interface RunnerDelta extends Pick<RunnerState, 'clock' | 'started' | 'stopped' | 'metrics' | 'state' | 'risk'> {
  strategy: string;
  /** The run's trade count (its clock's sequence) at the last checkpoint: a delta applies to that state only. */
  seq: number;
  /** The run's symbol count at the last checkpoint; `symbols` were registered since, with their bars in `newBars`. */
  from: number;
  symbols: string[];
  newBars: SymbolBarsState[];
  /** [symbol index, its change] for the touched symbols that existed before. */
  bars: [number, SymbolBarsChange][];
  /** The cash, the arrays' capacity, and each touched symbol's entries, new ones included (`at` the indexes, one value per index per array). */
  account: { cash: number; freeCash: number; capacity: number; at: number[]; values: Record<(typeof ARRAYS)[number], Float64Array> };
  /** The book's length, and [symbol index, its waiting orders] for the touched symbols it holds. */
  book: { length: number; orders: [number, PendingOrder[]][] };
  /** The days' lengths at the last checkpoint (days, rows, fills), what was added since, the open day's end. */
  days: {
    at: [number, number, number];
    end: number;
    days: number[];
    rows: Omit<DailyRecord, 'days' | 'fills'>;
    fills: DailyRecord['fills'];
  };
  /** The ctx.latest() entries observed since. */
  latest: [string, unknown][];
}

/** What changed in a run since its last checkpoint: the marks StrategyRunner keeps for delta(). */
export class RunnerMarks {
  private flags = new Uint8Array(8);
  /** Symbol indexes touched since the mark, in first-touch order. */
  readonly touched: number[] = [];
  /** The run's trades, its symbols at the mark, each one's bars then, the days' lengths then. */
  seq = 0;
  symbols = 0;
  readonly bars: number[] = [];
  days: [number, number, number] = [0, 0, 0];
  /** ctx.latest() keys observed since the mark. */
  readonly latest = new Set<string>();

  /** Notes symbol index `k` changed (the hot path: a test and, once per checkpoint, a push). */
  touch(k: number): void {
    if (k >= this.flags.length) {
      const grown = new Uint8Array(Math.max(2 * this.flags.length, k + 1));
      grown.set(this.flags);
      this.flags = grown;
    }
    if (this.flags[k] === 0) {
      this.flags[k] = 1;
      this.touched.push(k);
    }
  }

  /** The run as it is now is the base of the next delta: `bars(k)` gives symbol k's bars now. */
  reset(seq: number, symbols: number, bars: (k: number) => number, record: DailyRecord): void {
    this.seq = seq;
    for (const k of this.touched) this.flags[k] = 0;
    this.touched.length = 0;
    this.latest.clear();
    // a symbol's bars at the mark matter only once it is touched: set them for every symbol (whole) or the touched ones
    this.bars.length = symbols;
    for (let k = 0; k < symbols; k++) this.bars[k] = bars(k);
    this.symbols = symbols;
    this.days = [record.days.length, record.cash.length, record.fills.day.length];
  }
}

/** A delta's parts as bytes. */
export function encodeRunnerDelta(delta: RunnerDelta): Uint8Array {
  return packWithHead(delta, 'KBSD', 1);
}

/** encodeRunnerDelta()'s parts for strategy `name` (KernelInputError naming `bytes` for anything else). */
export function decodeRunnerDelta(bytes: Uint8Array, name: string): RunnerDelta {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== 'KBSD') {
    throw new KernelInputError('bytes', 'an incremental strategy checkpoint (StrategyRunner.delta())', describeValue(bytes));
  }
  const version = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  if (version !== 1) throw new KernelInputError('bytes', 'an incremental strategy checkpoint of version 1', `version ${version}`);
  return checkRunnerDelta(unpackStructured(bytes.subarray(8)) as RunnerDelta, name);
}

/** `d` when it has a delta's parts (decodeRunnerDelta()'s, or one taken in parts) for strategy `name`; else KernelInputError naming `bytes`. */
export function checkRunnerDelta(d: RunnerDelta, name: string): RunnerDelta {
  const ok =
    typeof d === 'object' &&
    d !== null &&
    Number.isInteger(d.from) &&
    typeof d.seq === 'number' &&
    Array.isArray(d.symbols) &&
    Array.isArray(d.newBars) &&
    d.newBars.length === d.symbols.length &&
    Array.isArray(d.bars) &&
    typeof d.account?.cash === 'number' &&
    Array.isArray(d.account.at) &&
    d.account.at.every((k) => Number.isInteger(k) && k >= 0 && k < d.account.capacity) &&
    typeof d.account.values === 'object' &&
    d.account.values !== null &&
    ARRAYS.every((a) => d.account.values[a] instanceof Float64Array && d.account.values[a].length === d.account.at.length) &&
    Number.isInteger(d.book?.length) &&
    Array.isArray(d.book.orders) &&
    d.book.orders.every((o) => Array.isArray(o) && Number.isInteger(o[0]) && Array.isArray(o[1])) &&
    Array.isArray(d.days?.at) &&
    d.days.at.length === 3 &&
    Array.isArray(d.days.days) &&
    typeof d.days.rows === 'object' &&
    d.days.rows !== null &&
    DAY_ROWS.every((r) => Array.isArray(d.days.rows[r])) &&
    typeof d.days.fills === 'object' &&
    d.days.fills !== null &&
    FILL_COLUMNS.every((f) => Array.isArray(d.days.fills[f])) &&
    Array.isArray(d.clock) &&
    Array.isArray(d.latest) &&
    typeof d.state === 'object' &&
    d.state !== null;
  if (!ok) throw new KernelInputError('bytes', 'an incremental strategy checkpoint', 'other fields');
  if (d.strategy !== name) throw new KernelInputError('bytes', `a checkpoint of strategy '${name}'`, `one of '${String(d.strategy)}'`);
  return d;
}

/**
 * `s` (a whole checkpoint's parts, or one already brought forward) brought forward by `d`, the next
 * delta of the same run, in place; KernelInputError naming `bytes` when `d` does not follow `s`.
 */
export function applyRunnerDelta(s: RunnerState, d: RunnerDelta): void {
  const refuse = (what: string) => new KernelInputError('bytes', 'the next incremental checkpoint of this run', what);
  if (d.seq !== s.clock[1]) throw refuse(`one after trade ${d.seq} (this state is after trade ${s.clock[1]})`);
  if (d.from !== s.symbols.length) throw refuse(`one of a run of ${d.from} symbols (this one has ${s.symbols.length})`);
  const r = s.days.record;
  const [days, rows, fills] = d.days.at;
  if (days !== r.days.length || rows !== r.cash.length || fills !== r.fills.day.length) throw refuse('one of other days');
  s.symbols.push(...d.symbols);
  s.bars.push(...d.newBars);
  for (const [k, change] of d.bars) {
    if (!(k >= 0 && k < d.from)) throw refuse(`bars of symbol index ${k}`);
    applyBarsChange(s.bars[k], change);
  }
  patchAccount(s.account, d.account);
  while (s.book.length < d.book.length) s.book.push([]);
  for (const [k, orders] of d.book.orders) {
    if (!(k >= 0 && k < s.book.length)) throw refuse(`orders of symbol index ${k}`);
    s.book[k] = orders;
  }
  r.days.push(...d.days.days);
  for (const name of DAY_ROWS) (r[name] as unknown[]).push(...(d.days.rows[name] as unknown[]));
  for (const name of FILL_COLUMNS) r.fills[name].push(...d.days.fills[name]);
  s.days.end = d.days.end;
  s.clock = d.clock;
  s.started = d.started;
  s.stopped = d.stopped;
  s.metrics = d.metrics;
  if (d.latest.length > 0) {
    const latest = new Map(s.latest);
    for (const [key, value] of d.latest) latest.set(key, value);
    s.latest = [...latest];
  }
  s.state = d.state;
  // the margin's rows travel only when a boundary recorded one since
  if (d.risk) s.risk = { ...d.risk, ...(d.risk.margin || !s.risk?.margin ? {} : { margin: s.risk.margin }) };
}

/** The account's cash and the touched symbols' entries into `a` (its arrays grown to the delta's capacity). */
function patchAccount(a: AccountState, d: RunnerDelta['account']): void {
  a.cash = d.cash;
  a.freeCash = d.freeCash;
  for (const name of ARRAYS) {
    let array = a[name];
    if (!(array instanceof Float64Array)) throw new KernelInputError('bytes', 'a strategy account state', 'other fields');
    if (array.length < d.capacity) {
      const grown = new Float64Array(d.capacity).fill(EMPTY[name]);
      grown.set(array);
      array = a[name] = grown;
    }
    const values = d.values[name];
    d.at.forEach((k, i) => {
      array[k] = values[i];
    });
  }
}

/**
 * The account part of a delta: the cash and the entries of symbols `at` of `values` (StrategyAccount.values(),
 * copies or not: read now), picked into one allocation (an array per field, views of it).
 */
export function accountDelta(values: AccountState, at: readonly number[]): RunnerDelta['account'] {
  const picked = {} as Record<(typeof ARRAYS)[number], Float64Array>;
  const all = new Float64Array(ARRAYS.length * at.length);
  ARRAYS.forEach((name, f) => {
    const from = values[name];
    const to = (picked[name] = all.subarray(f * at.length, (f + 1) * at.length));
    for (let i = 0; i < at.length; i++) to[i] = from[at[i]];
  });
  return { cash: values.cash, freeCash: values.freeCash, capacity: values.position.length, at: [...at], values: picked };
}

/** The days part of a delta: what `record` gained since it had the lengths `at`, and the open day's end. */
export function daysDelta(record: DailyRecord, end: number, at: [number, number, number]): RunnerDelta['days'] {
  const [days, rows, fills] = at;
  const tail = {} as Omit<DailyRecord, 'days' | 'fills'>;
  for (const name of DAY_ROWS) (tail as Record<string, unknown>)[name] = record[name].slice(rows);
  const f = {} as DailyRecord['fills'];
  for (const name of FILL_COLUMNS) f[name] = record.fills[name].slice(fills);
  return { at: [...at], end, days: record.days.slice(days), rows: tail, fills: f };
}
