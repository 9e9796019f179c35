/**
 * The fill model (docs/strategy.md), the same in a backtest and live: orders wait per symbol and fill
 * against the symbol's later trades. A market order placed at a bar's close fills at the symbol's
 * next trade after the one that closed the bar, and not before `latencyMs` after it; with
 * `participation`, at most that share of each trade's volume, the rest on later trades. A limit buy
 * fills at its limit when a trade is at or below it (a sell: at or above), without slippage. An order
 * the account cuts (a buy larger than the cash, a sell larger than a long position without
 * `allowShort`) fills what it can and ends there. `fillAt: 'close'` is the vectorized model instead:
 * market orders fill at once at the bar's close, whole (the cross-check with backtestSignals).
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';
import type { StrategyAccount } from './account.js';
import type { StrategyOrder } from './types.js';

/** How orders fill and what they cost. */
export interface ExecutionOptions {
  /** Initial cash. Default 100 (vectorbt's). */
  initCash?: number;
  /** Fees, a fraction of each fill's notional at the slipped price. Default 0. */
  fees?: number;
  /** Fees per fill. Default 0. */
  fixedFees?: number;
  /** Slippage of market fills, a fraction moving buys up and sells down. Default 0. */
  slippage?: number;
  /** The order reaches the market this many ms after the bar closed. Default 0. */
  latencyMs?: number;
  /** At most this share (0, 1] of each trade's volume fills an order's. Default: no cap. */
  participation?: number;
  /** Sells may go short. Default false (a sell is cut to the position). */
  allowShort?: boolean;
  /** 'next' (default): the fill model above; 'close': market orders fill at the bar's close (the vectorized model). */
  fillAt?: 'next' | 'close';
}

export type ResolvedExecution = Required<ExecutionOptions>;

/**
 * The fill model's option names, the one list resolveExecution(), StrategyEngine and the commands'
 * flags (`--init-cash`, ... : each name in kebab case) read.
 */
export const EXECUTION_OPTIONS = [
  'initCash',
  'fees',
  'fixedFees',
  'slippage',
  'latencyMs',
  'participation',
  'allowShort',
  'fillAt',
] as const satisfies readonly (keyof ExecutionOptions)[];

/** The fill model's options of `options` (those given) and the rest. */
export function splitExecution<T extends ExecutionOptions>(
  options: T,
): { execution: ExecutionOptions; rest: Omit<T, keyof ExecutionOptions> } {
  const execution: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if ((EXECUTION_OPTIONS as readonly string[]).includes(k)) {
      if (v !== undefined) execution[k] = v;
    } else {
      rest[k] = v;
    }
  }
  return { execution, rest: rest as Omit<T, keyof ExecutionOptions> };
}

/** The options checked and defaulted; KernelInputError naming `options.<name>`. */
export function resolveExecution(options: ExecutionOptions = {}): ResolvedExecution {
  if (typeof options !== 'object' || options === null) throw new KernelInputError('options', 'an object', describeValue(options));
  const known: readonly string[] = EXECUTION_OPTIONS;
  const unknown = Object.keys(options).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new KernelInputError(`options.${unknown}`, `one of ${known.join(', ')}`, 'an unknown option');
  const num = (name: keyof ExecutionOptions, fallback: number, ok: (x: number) => boolean, expected: string): number => {
    const x = options[name] ?? fallback;
    if (typeof x !== 'number' || !ok(x)) throw new KernelInputError(`options.${name}`, expected, describeValue(x));
    return x;
  };
  const finite = (x: number) => Number.isFinite(x) && x >= 0;
  const fillAt = options.fillAt ?? 'next';
  if (fillAt !== 'next' && fillAt !== 'close') throw new KernelInputError('options.fillAt', "'next' or 'close'", describeValue(fillAt));
  const allowShort = options.allowShort ?? false;
  if (typeof allowShort !== 'boolean') throw new KernelInputError('options.allowShort', 'a boolean', describeValue(allowShort));
  return {
    initCash: num('initCash', 100, (x) => Number.isFinite(x) && x > 0, 'a finite number > 0'),
    fees: num('fees', 0, finite, 'a finite number >= 0'),
    fixedFees: num('fixedFees', 0, finite, 'a finite number >= 0'),
    slippage: num('slippage', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)'),
    latencyMs: num('latencyMs', 0, finite, 'a finite number >= 0'),
    participation: num(
      'participation',
      Number.POSITIVE_INFINITY,
      (x) => x === Number.POSITIVE_INFINITY || (x > 0 && x <= 1),
      'a number in (0, 1]',
    ),
    allowShort,
    fillAt,
  };
}

/** An order waiting for its fills. */
export interface PendingOrder {
  readonly order: StrategyOrder;
  /** Its symbol's index. */
  readonly symbol: number;
  /** Signed units still to fill. */
  remaining: number;
  /** The earliest trade time it may fill at (placed + latencyMs). */
  readonly activeAt: number;
  /** Fills so far (the next fill's number). */
  fills: number;
}

/** What a fill reports to the runner: the order, its symbol's trade time and the account's `fill`. */
export type FillSink = (pending: PendingOrder, ts: number) => void;

/** The waiting orders per symbol and their matching against trades. */
export class Execution {
  private book: PendingOrder[][] = [];
  /** Orders waiting per symbol (the hot path's test). */
  private waiting = new Int32Array(8);

  constructor(
    readonly options: ResolvedExecution,
    private readonly account: StrategyAccount,
    private readonly filled: FillSink,
  ) {}

  /** Orders waiting for symbol `k`. */
  pending(k: number): readonly PendingOrder[] {
    return this.book[k] ?? [];
  }

  /** Every order waiting, by symbol then placement. */
  allPending(): PendingOrder[] {
    return this.book.flat();
  }

  /** The symbol indexes the book has room for (state()'s length). */
  get length(): number {
    return this.book.length;
  }

  /** The waiting orders per symbol index, copied (a checkpoint's part: StrategyRunner.snapshot()). */
  state(): PendingOrder[][] {
    return this.book.map((orders) => orders.map((p) => ({ ...p })));
  }

  /** Replaces the waiting orders with state()'s. */
  restore(book: readonly (readonly PendingOrder[])[]): void {
    const ok = (orders: readonly PendingOrder[], k: number) => Array.isArray(orders) && orders.every((p) => p?.symbol === k && p.order);
    if (!Array.isArray(book) || !book.every(ok)) {
      throw new KernelInputError('bytes', 'the waiting orders of a strategy', 'other fields');
    }
    this.book = book.map((orders) => orders.map((p: PendingOrder) => ({ ...p })));
    this.waiting = new Int32Array(Math.max(8, book.length));
    for (let k = 0; k < book.length; k++) this.waiting[k] = book[k].length;
  }

  /**
   * Adds a committed order placed at time `ts`; under `fillAt: 'close'` a market order fills at once
   * at `close` (whole, as the vectorized model), and a limit order there when the close reaches it.
   */
  place(order: StrategyOrder, k: number, ts: number, close: number, seq: number): void {
    const pending: PendingOrder = { order, symbol: k, remaining: order.units, activeAt: ts + this.options.latencyMs, fills: 0 };
    if (this.options.fillAt === 'close') {
      this.tryFill(pending, ts, close, Number.POSITIVE_INFINITY, seq);
      // filled whole, or refused or cut by the account: done
      if (pending.remaining === 0) return;
    }
    while (this.book.length <= k) this.book.push([]);
    if (this.waiting.length <= k) {
      const grown = new Int32Array(Math.max(2 * this.waiting.length, k + 1));
      grown.set(this.waiting);
      this.waiting = grown;
    }
    this.book[k].push(pending);
    this.waiting[k]++;
  }

  /** Fills what trade `seq` of symbol `k` (time, price, volume) fills of its waiting orders, in placement order. */
  trade(k: number, seq: number, ts: number, price: number, volume: number): void {
    if (k >= this.waiting.length || this.waiting[k] === 0) return;
    const orders = this.book[k];
    let capacity = this.options.participation === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : this.options.participation * volume;
    let kept = 0;
    for (let n = 0; n < orders.length; n++) {
      const p = orders[n];
      if (ts >= p.activeAt && capacity > 0) {
        const used = this.tryFill(p, ts, price, capacity, seq);
        capacity -= used;
      }
      if (p.remaining !== 0) orders[kept++] = p;
    }
    orders.length = kept;
    this.waiting[k] = kept;
  }

  /**
   * Fills `p` at a trade of `price` with `capacity` units available: returns the units used (0: the
   * price does not reach a limit, or the account filled nothing). Sets `p.remaining` to 0 when the
   * order is done: whole, or cut by the account (the rest dropped).
   */
  private tryFill(p: PendingOrder, ts: number, price: number, capacity: number, seq: number): number {
    const { limit } = p.order;
    const buy = p.remaining > 0;
    if (limit !== undefined && (buy ? price > limit : price < limit)) return 0;
    const want = Math.abs(p.remaining);
    const take = want < capacity ? want : capacity;
    const o = this.options;
    const ok = this.account.execute(
      p.symbol,
      buy ? take : -take,
      limit ?? price,
      limit === undefined ? o.slippage : 0,
      o.fees,
      o.fixedFees,
      seq,
    );
    if (!ok) {
      p.remaining = 0;
      return 0;
    }
    const size = this.account.fill.size;
    // cut by the account (cash, or the long position without shorting): the order ends with this fill
    const cut = size < take && !isNear(size, take);
    p.remaining = cut || isNear(size, want) ? 0 : buy ? p.remaining - size : p.remaining + size;
    this.filled(p, ts);
    p.fills++;
    return size;
  }
}

/** vectorbt's is_close tolerance (relative 1e-9, absolute 1e-12) between two sizes. */
function isNear(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(1e-9 * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
}
