/**
 * StrategyRunner: the one core of a strategy run, shared by the file backtest (./backtest.ts) and the
 * Strategy engine. It takes trades in (ts, symbol, sequence) order and drives, per trade: the day's
 * sample (for the statistics), the fills of the symbol's waiting orders (./execution.ts), the
 * symbol's bars and indicators (./bars.ts), onBar at each closed bar, and the orders it placed. Every
 * order, fill and position goes to the sink as it happens, stamped with event time only (never the
 * wall clock), so a run is reproducible: the same trades give the same records.
 *
 * The hot path (a trade that closes no bar and fills nothing) allocates nothing: a few comparisons,
 * the bar maker's step and the waiting-orders test.
 */
import { KernelInputError } from '../errors.js';
import { badTradeError, goodTrade, tradeFault } from '../kernels/trade-check.js';
import type { Session } from '../replay/session.js';
import { StrategyAccount } from './account.js';
import { SymbolBars } from './bars.js';
import { DailyLog, type DailyRecord } from './days.js';
import { type DeltaHead, packLive, RunnerCapture, type WholeHead } from './runner-capture.js';
import {
  accountDelta,
  applyRunnerDelta,
  checkRunnerDelta,
  daysDelta,
  decodeRunnerDelta,
  encodeRunnerDelta,
  type RunnerDelta,
  RunnerMarks,
} from './runner-delta.js';
import { checkRunnerState, decodeRunner, encodeRunner, type RunnerState } from './runner-state.js';
import { makeContext, type ContextHost } from './context.js';
import { CallbackErrors, type CallbackName } from './errors.js';
import { Execution, type ExecutionOptions, type PendingOrder, resolveExecution, type ResolvedExecution } from './execution.js';
import { checkPreTradeState, type OrderRejection, PreTrade, type PreTradeOptions } from './pretrade.js';
import type { PositionUpdate, Strategy, StrategyBar, StrategyContext, StrategyFill, StrategyOrder } from './types.js';

/** Where a run's records go, as they happen. */
export interface RunnerSink {
  order?(order: StrategyOrder): void;
  fill?(fill: StrategyFill): void;
  position?(position: PositionUpdate): void;
  /** An order the pre-trade checks refused (ORDER_REJECTED). */
  reject?(rejection: OrderRejection): void;
  /** A bar closed and its orders placed (filled, under fillAt 'close'): the equity then, at the bar's close. */
  bar?(bar: StrategyBar, equity: number): void;
  /** ctx.log() lines and the errors of callbacks. */
  log?(line: string): void;
}

/** Options of a run: the fill model's, the account's margin (pre-trade checks) and the days of the statistics. */
export interface RunnerOptions extends ExecutionOptions, PreTradeOptions {
  /** The market hours that make a day of the equity curve (`09:30-16:00 America/New_York`); default the UTC day. */
  session?: Session | string;
  /** The strategy's file, for the `file:line` of its errors. */
  source?: string;
  /** An onBar slower than this (ms, wall clock) is logged and counted (`slowOnBars`). Default 100. */
  slowOnBarMs?: number;
  /**
   * Callback errors allowed: one more stops the run (StrategyErrorLimit thrown out of trade(), start()
   * or stop(), the counts in runner.errors). Default: no limit, every error counted and the run goes on.
   */
  maxErrors?: number;
}

/** A run's counters. */
export interface RunnerMetrics {
  trades: number;
  bars: number;
  orders: number;
  fills: number;
  /** Callbacks that threw (their orders dropped); by kind and callback in StrategyRunner.errors. */
  errors: number;
  /** Trades applied behind an earlier trade of another symbol (out of event order: live, past the merge's lateness). */
  late: number;
  /** Orders the pre-trade checks refused. */
  rejected: number;
  /** Margin calls started (the account's excess below 0 at a bar's close). */
  marginCalls: number;
  /** Time spent in onBar, ms, and the slowest call. */
  onBarMs: number;
  slowestOnBarMs: number;
  /** onBar calls slower than `slowOnBarMs` (each logged). */
  slowOnBars: number;
}

/** The runner of one strategy over one account. */
export class StrategyRunner<S extends object = Record<string, unknown>> {
  readonly execution: Execution;
  readonly account: StrategyAccount;
  /** The pre-trade checks: trading state, limits, margin. */
  readonly pretrade: PreTrade;
  readonly options: ResolvedExecution;
  readonly ctx: StrategyContext<S>;
  readonly metrics: RunnerMetrics = {
    trades: 0,
    bars: 0,
    orders: 0,
    fills: 0,
    errors: 0,
    late: 0,
    rejected: 0,
    marginCalls: 0,
    onBarMs: 0,
    slowestOnBarMs: 0,
    slowOnBars: 0,
  };
  private readonly days: DailyLog;
  /** The symbols by index, and their bars. */
  readonly symbols: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly series: SymbolBars[] = [];
  private readonly allowed: Set<string> | undefined;
  private readonly values: Map<string, number>;
  private readonly latestSeen = new Map<string, unknown>();
  private readonly slowOnBarMs: number;
  /** The callbacks' errors by kind, and their calls: the first logged, the others counted (./errors.ts). */
  readonly errors: CallbackErrors;
  private lastTs = Number.NEGATIVE_INFINITY;
  private seq = 0;
  /** The event being handled (for ids, logs and the orders' time). */
  private now = Number.NaN;
  /** The running callback's orders (committed when it returns), its id prefix, and whether orders are open. */
  private buffered: { k: number; units: number; limit: number | undefined }[] = [];
  private accepting = false;
  /** Fills made while matching a trade, handed to onFill after it. */
  private deferred: StrategyFill[] = [];
  private started = false;
  private stopped = false;
  /** What changed since the last snapshot(), delta() or restore() (./runner-delta.ts). */
  private readonly marks = new RunnerMarks();
  /** The margin's next boundary at the last mark: a delta carries the margin's rows when it moved. */
  private markedBoundary = 0;
  /** The capture whose parts are still being taken (capture()). */
  private capturing: RunnerCapture | undefined;

  constructor(
    readonly strategy: Strategy<S>,
    options: RunnerOptions = {},
    private readonly sink: RunnerSink = {},
  ) {
    const { session, source, slowOnBarMs = 100, maxErrors, margin, onMarginCall, ...execution } = options;
    if (!(typeof slowOnBarMs === 'number' && slowOnBarMs >= 0)) {
      throw new KernelInputError('options.slowOnBarMs', 'a number >= 0', String(slowOnBarMs));
    }
    this.slowOnBarMs = slowOnBarMs;
    this.options = resolveExecution(execution);
    this.account = new StrategyAccount(this.options.initCash, this.options.allowShort);
    this.execution = new Execution(this.options, this.account, (p, ts) => this.filled(p, ts));
    this.pretrade = new PreTrade(strategy.limits, { margin, onMarginCall }, this.account, this.symbols, (k) => this.execution.pending(k));
    this.allowed = strategy.symbols ? new Set(strategy.symbols) : undefined;
    this.values = new Map(strategy.valueNames.map((n, i) => [n, i]));
    this.days = new DailyLog(session, this.account);
    const host: ContextHost = {
      account: this.account,
      source,
      history: strategy.history ?? 256,
      valueNames: strategy.valueNames,
      symbolOf: (symbol) => this.index.get(symbol) ?? -1,
      orderable: (symbol) => this.index.get(symbol) ?? (this.allowed?.has(symbol) ? this.symbolIndex(symbol) : -1),
      bars: (k) => this.series[k],
      valueOf: (name) => this.values.get(name) ?? -1,
      accepting: () => this.accepting,
      buffer: (k, units, limit) => void this.buffered.push({ k, units, limit }),
      latest: (type, symbol) => this.latestSeen.get(`${type}\u0000${symbol}`),
      pretrade: this.pretrade,
      log: (line) => this.sink.log?.(`${this.stamp()} ${strategy.name}: ${line}`),
    };
    this.errors = new CallbackErrors({
      strategy: strategy.name,
      source,
      definedAt: strategy.definedAt,
      ...(maxErrors === undefined ? {} : { maxErrors }),
      ...(sink.log ? { log: sink.log } : {}),
    });
    this.ctx = makeContext(host, {} as S);
  }

  /** The event's time for a log line (`start` before the first trade). */
  private stamp(): string {
    return Number.isFinite(this.now) ? new Date(this.now).toISOString() : 'start';
  }

  /** The index of `symbol` (registered on first sight), or -1 when the strategy does not trade it. */
  symbolIndex(symbol: string): number {
    const k = this.index.get(symbol);
    if (k !== undefined) return k;
    if (this.allowed && !this.allowed.has(symbol)) return -1;
    const n = this.symbols.length;
    this.symbols.push(symbol);
    this.index.set(symbol, n);
    this.series.push(new SymbolBars(symbol, this.strategy));
    this.account.ensure(n);
    this.marks.touch(n);
    return n;
  }

  /** Keeps `payload` as the last `type` message of `symbol` (ctx.latest). */
  observe(type: string, symbol: string, payload: unknown): void {
    const key = `${type}\u0000${symbol}`;
    this.latestSeen.set(key, payload);
    this.marks.latest.add(key);
  }

  /** The error of a trade that breaks the rule: `trades.<ts|price|volume>`, the value, the symbol and the trade's number. */
  private badTrade(k: number, ts: number, price: number, volume: number): KernelInputError {
    const previous = this.series[k].lastTs;
    const reason = tradeFault(ts, price, volume, previous) ?? 'ts';
    const value = reason === 'price' ? price : reason === 'volume' ? volume : ts;
    const where = `trades.${reason === 'order' ? 'ts' : reason}`;
    return badTradeError({ row: this.seq, reason, value, code: k, previous }, where, `${this.symbols[k]}, trade ${this.seq}`);
  }

  /** Calls onStart (once, before the first trade). */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.strategy.onStart) this.call('onStart');
  }

  /**
   * One trade of symbol index `k` (from symbolIndex; trades of every symbol in (ts, symbol, sequence)
   * order: one behind another symbol's is applied and counted as `late`). KernelInputError, nothing
   * changed, for a time before the symbol's last trade or not finite, a price that is not > 0, a volume
   * that is not >= 0.
   */
  trade(k: number, ts: number, price: number, volume: number): void {
    const bars = this.series[k];
    // the trade rule (src/kernels/trade-check.ts) before anything changes
    if (!goodTrade(ts, price, volume, bars.lastTs)) throw this.badTrade(k, ts, price, volume);
    if (!this.started) this.start();
    if (this.capturing !== undefined) this.captureBefore(k);
    this.marks.touch(k);
    // a trade behind another symbol's (live: past the merge's lateness) is applied, and counted
    if (ts < this.lastTs) this.metrics.late++;
    else this.lastTs = ts;
    this.now = ts;
    if (ts >= this.days.end) this.days.advance(ts, this.symbols.length);
    const seq = this.seq++;
    this.metrics.trades++;
    // the margin's returns: each symbol's last price before the first trade past a boundary
    const m = this.pretrade.margin;
    if (m !== undefined && ts >= m.next) m.roll(ts, this.account.lastPrice, this.symbols.length);
    // fills and their positions are marked at this trade; onBar at the bar's close (below)
    this.account.lastPrice[k] = price;
    this.execution.trade(k, seq, ts, price, volume);
    if (this.deferred.length > 0) this.dispatchFills();
    if (bars.add(ts, price, volume)) {
      const bar = bars.closeBar();
      this.account.lastPrice[k] = bar.close;
      this.onBar(bar, ts, seq);
    }
    this.account.lastPrice[k] = price;
  }

  /** Calls onStop and closes the last day's sample (the bars still open stay open). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.strategy.onStop) this.call('onStop');
    this.days.close(this.symbols.length);
  }

  /** The account at each day's end and each fill's day (what the statistics read). */
  get daily(): DailyRecord {
    return this.days.record;
  }

  /**
   * The whole run as bytes (a checkpoint: ./runner-state.ts): the symbols, their bars and indicators,
   * the account, the waiting orders, the days, the counters, the last observed payloads and ctx.state.
   * Call it between trades. It is the base of the next delta().
   */
  snapshot(): Uint8Array {
    this.finishCapture();
    const bytes = encodeRunner({
      ...this.wholeHead(),
      latest: [...this.latestSeen],
      state: this.ctx.state,
      bars: this.series.map((b) => b.state()),
    });
    this.mark();
    return bytes;
  }

  /**
   * What changed since the last snapshot(), delta() or restore(), as bytes (an incremental checkpoint:
   * ./runner-delta.ts): the parts of the symbols touched since and the shared ones, so its size follows
   * the changes, not the run. restore(base, [...deltas]) applies it after the snapshot. Call it between trades.
   */
  delta(): Uint8Array {
    this.finishCapture();
    const { head, old, since } = this.deltaHead();
    const bytes = encodeRunnerDelta({
      ...head,
      state: this.ctx.state,
      latest: this.latestSince(),
      newBars: this.series.slice(head.from).map((b) => b.state()),
      bars: old.map((k, i) => [k, this.series[k].change(since[i])]),
    });
    this.mark();
    return bytes;
  }

  /**
   * snapshot() (kind 'whole') or delta() ('delta') as they are now, taken in parts (./runner-capture.ts):
   * ctx.state and the observed payloads packed now, the other shared fields copied now and packed at the
   * capture's first step, each symbol's bars by a later step() or, when a trade of that symbol comes
   * first, before it. It is the base of the next delta() or capture. Call it between trades.
   */
  capture(kind: 'whole' | 'delta'): RunnerCapture {
    this.finishCapture();
    const series = this.series;
    const n = series.length;
    let capture: RunnerCapture;
    if (kind === 'whole') {
      const head: WholeHead = { ...this.wholeHead(), live: packLive(this.ctx.state, [...this.latestSeen]) };
      capture = new RunnerCapture(
        head,
        Array.from({ length: n }, (_, k) => k),
        (k) => series[k].state(true), // packed as soon as made (RunnerCapture.take): the ring itself, no copy
        n,
      );
    } else {
      const { head, old, since } = this.deltaHead();
      const order = [...old];
      for (let k = head.from; k < n; k++) order.push(k);
      const fields: DeltaHead = { ...head, old: old.length, live: packLive(this.ctx.state, this.latestSince()) };
      capture = new RunnerCapture(fields, order, (k, i) => (i < old.length ? [k, series[k].change(since[i])] : series[k].state(true)), n);
    }
    this.mark();
    this.capturing = capture;
    return capture;
  }

  /** Symbol `k`'s part of the capture in progress taken before its bars change. */
  private captureBefore(k: number): void {
    const c = this.capturing!;
    if (c.done) this.capturing = undefined;
    else c.before(k);
  }

  /** The capture in progress (if any) taken whole now: the run is about to change otherwise. */
  private finishCapture(): void {
    this.capturing?.step(Number.POSITIVE_INFINITY);
    this.capturing = undefined;
  }

  /** The fields snapshot() and delta() share as they are: the name, clock, flags and counters. */
  private shared(): Pick<RunnerState, 'strategy' | 'clock' | 'started' | 'stopped' | 'metrics'> {
    return {
      strategy: this.strategy.name,
      clock: [this.lastTs, this.seq, this.now],
      started: this.started,
      stopped: this.stopped,
      metrics: { ...this.metrics },
    };
  }

  /** snapshot()'s fields but the bars, ctx.state and the observed payloads, copied (the days' arrays too). */
  private wholeHead(): Omit<RunnerState, 'bars' | 'state' | 'latest'> {
    const d = daysDelta(this.days.record, this.days.end, [0, 0, 0]);
    return {
      ...this.shared(),
      symbols: this.symbols.slice(),
      account: this.account.values(),
      book: this.execution.state(),
      days: { record: { days: d.days, ...d.rows, fills: d.fills }, end: d.end },
      risk: this.pretrade.state(),
    };
  }

  /** The ctx.latest() entries observed since the mark. */
  private latestSince(): [string, unknown][] {
    return [...this.marks.latest].map((key) => [key, this.latestSeen.get(key)]);
  }

  /** delta()'s fields but the bars, ctx.state and the observed payloads; the touched symbols that existed at the mark, and their bar counts then. */
  private deltaHead(): { head: Omit<RunnerDelta, 'bars' | 'newBars' | 'state' | 'latest'>; old: number[]; since: number[] } {
    const m = this.marks;
    const old = m.touched.filter((k) => k < m.symbols);
    const head = {
      ...this.shared(),
      seq: m.seq,
      from: m.symbols,
      symbols: this.symbols.slice(m.symbols),
      account: accountDelta(this.account.values(false), m.touched),
      book: {
        length: this.execution.length,
        orders: m.touched
          .filter((k) => k < this.execution.length)
          .map((k): [number, PendingOrder[]] => [k, this.execution.pending(k).map((p) => ({ ...p }))]),
      },
      days: daysDelta(this.days.record, this.days.end, m.days),
      risk: this.pretrade.state(this.pretrade.margin !== undefined && this.pretrade.margin.next !== this.markedBoundary),
    };
    return { head, old, since: old.map((k) => m.bars[k]) };
  }

  /** The run now is the base of the next delta(). */
  private mark(): void {
    this.markedBoundary = this.pretrade.margin?.next ?? 0;
    this.marks.reset(this.seq, this.symbols.length, (k) => this.series[k].bars, this.days.record);
  }

  /**
   * Replaces the run with snapshot()'s bytes of a runner of the same strategy (name, bars, indicators,
   * history) and options, brought forward by the delta()s taken after it (oldest first); KernelInputError
   * naming `bytes` otherwise, the run then left as it was.
   */
  restore(bytes: Uint8Array | RunnerState, deltas: readonly (Uint8Array | RunnerDelta)[] = []): void {
    const name = this.strategy.name;
    const s = bytes instanceof Uint8Array ? decodeRunner(bytes, name) : checkRunnerState(bytes, name);
    for (const d of deltas) applyRunnerDelta(s, d instanceof Uint8Array ? decodeRunnerDelta(d, name) : checkRunnerDelta(d, name));
    this.finishCapture();
    this.restoreParts(s);
  }

  /** Replaces the run with a checkpoint's parts (restore()). */
  private restoreParts(s: RunnerState): void {
    // each part restored into fresh objects first: a bad one leaves the run as it was
    const series = s.symbols.map((symbol, k) => {
      const bars = new SymbolBars(symbol, this.strategy);
      bars.restore(s.bars[k]);
      return bars;
    });
    const account = new StrategyAccount(this.options.initCash, this.options.allowShort);
    account.restore(s.account);
    new Execution(this.options, account, () => undefined).restore(s.book);
    new DailyLog(undefined, account).restore(s.days);
    if (s.risk) checkPreTradeState(s.risk);
    if (s.account.position.length < s.symbols.length || s.book.length > s.symbols.length) {
      throw new KernelInputError('bytes', 'an account and orders of the symbols of the run', 'other ones');
    }
    this.account.restore(s.account);
    this.execution.restore(s.book);
    this.days.restore(s.days);
    this.symbols.length = 0;
    this.index.clear();
    this.series.length = 0;
    s.symbols.forEach((symbol, k) => {
      this.symbols.push(symbol);
      this.index.set(symbol, k);
      this.series.push(series[k]);
    });
    [this.lastTs, this.seq, this.now] = s.clock;
    this.started = s.started;
    this.stopped = s.stopped;
    Object.assign(this.metrics, s.metrics);
    this.latestSeen.clear();
    for (const [key, value] of s.latest) this.latestSeen.set(key, value);
    const state = this.ctx.state as Record<string, unknown>;
    for (const key of Object.keys(state)) delete state[key];
    Object.assign(state, s.state);
    this.pretrade.restore(s.risk ?? { trading: 'ACTIVE', call: false, times: [], status: this.pretrade.status });
    this.buffered = [];
    this.deferred = [];
    this.mark();
  }

  /** Every order still waiting. */
  openOrders(): PendingOrder[] {
    return this.execution.allPending();
  }

  /** The position of symbol index `k` as POSITION_UPDATE carries it, at time `ts`. */
  positionOf(k: number, ts: number): PositionUpdate {
    const a = this.account;
    const units = a.position[k];
    return {
      strategy: this.strategy.name,
      symbol: this.symbols[k],
      ts,
      units,
      avgPrice: a.avgPrice[k],
      cash: a.cash,
      equity: a.equity(),
      realizedPnl: a.realized[k],
      unrealizedPnl: units === 0 ? 0 : (a.lastPrice[k] - a.avgPrice[k]) * units,
    };
  }

  private onBar(bar: StrategyBar, ts: number, seq: number): void {
    this.metrics.bars++;
    if (this.pretrade.margin) this.marginAt(bar);
    const t = performance.now();
    const ok = this.call('onBar', bar);
    const ms = performance.now() - t;
    this.metrics.onBarMs += ms;
    if (ms > this.metrics.slowestOnBarMs) this.metrics.slowestOnBarMs = ms;
    if (ms > this.slowOnBarMs) {
      this.metrics.slowOnBars++;
      this.sink.log?.(
        `${this.stamp()} ${this.strategy.name}: onBar took ${ms.toFixed(1)} ms at ${bar.symbol} bar ${bar.index} (more than ${this.slowOnBarMs} ms: the trades behind it wait)`,
      );
    }
    if (ok) this.commit(bar, ts, seq);
    if (this.deferred.length > 0) this.dispatchFills();
    if (this.sink.bar) this.sink.bar(bar, this.account.equity());
  }

  /**
   * Runs callback `name` (on `event`: the bar, fill or rejection it is called with) with orders open;
   * returns whether it returned. One that throws is counted by kind in `errors` (the first of a kind
   * logged, with the strategy file's line), and its orders are dropped; past maxErrors it throws
   * StrategyErrorLimit: the run stops. Nothing is allocated for a call that returns (onBar's is the
   * hot path's): where it ran is written only for one that throws.
   */
  private call(name: CallbackName, event?: StrategyBar | StrategyFill | OrderRejection): boolean {
    this.buffered.length = 0;
    this.accepting = name === 'onBar' || name === 'onFill';
    this.errors.called(name);
    const { strategy, ctx } = this;
    try {
      if (name === 'onBar') strategy.onBar(ctx, event as StrategyBar);
      else if (name === 'onFill') strategy.onFill!(ctx, event as StrategyFill);
      else if (name === 'onReject') strategy.onReject!(ctx, event as OrderRejection);
      else strategy[name]!(ctx);
      return true;
    } catch (error) {
      this.buffered.length = 0;
      this.metrics.errors++;
      const limit = this.errors.failed(error, name, this.stamp(), event === undefined ? '' : ` at ${eventName(event)}`);
      if (limit) throw limit;
      return false;
    } finally {
      this.accepting = false;
    }
  }

  /** The account's margin at a bar's close: a margin call's start or end is logged (and sets the trading state per onMarginCall). */
  private marginAt(bar: StrategyBar): void {
    const change = this.pretrade.evaluate();
    if (change === undefined) return;
    const { initialMargin, collateral, excess } = this.pretrade.status;
    if (change === 'call') this.metrics.marginCalls++;
    this.sink.log?.(
      `${this.stamp()} ${this.strategy.name}: ${change === 'call' ? 'margin call' : 'margin call cleared'} at ${bar.symbol} bar ${bar.index}: initial margin ${initialMargin.toFixed(2)}, collateral ${collateral.toFixed(2)}, excess ${excess.toFixed(2)}; trading state ${this.pretrade.trading}`,
    );
  }

  /**
   * The running callback's orders, numbered under the id of `event` (the bar or fill the callback ran
   * on: `<strategy>:<symbol>:<bar index>`, or the fill's id), each through the pre-trade checks: sent
   * and placed at time `ts`, or refused (ORDER_REJECTED, then onReject).
   */
  private commit(event: StrategyBar | StrategyFill, ts: number, seq: number): void {
    const orders = this.buffered;
    if (orders.length === 0) return;
    this.buffered = [];
    const prefix = 'id' in event ? event.id : `${this.strategy.name}:${event.symbol}:${event.index}`;
    this.pretrade.begin();
    let rejections: OrderRejection[] | undefined;
    for (let n = 0; n < orders.length; n++) {
      const { k, units, limit } = orders[n];
      const refused = this.pretrade.check(k, units, limit, ts);
      if (refused !== undefined) {
        const orderId = `${prefix}:${n}`;
        const rejection: OrderRejection = {
          id: `${orderId}#rejected`,
          orderId,
          strategy: this.strategy.name,
          symbol: this.symbols[k],
          ts,
          units,
          ...(limit === undefined ? {} : { limit }),
          ...refused,
        };
        this.metrics.rejected++;
        this.marks.touch(k);
        this.sink.reject?.(rejection);
        (rejections ??= []).push(rejection);
        continue;
      }
      const order: StrategyOrder = {
        id: `${prefix}:${n}`,
        strategy: this.strategy.name,
        symbol: this.symbols[k],
        ts,
        units,
        type: limit === undefined ? 'market' : 'limit',
        ...(limit === undefined ? {} : { limit }),
      };
      this.metrics.orders++;
      this.marks.touch(k);
      this.sink.order?.(order);
      this.execution.place(order, k, ts, this.account.lastPrice[k], seq);
      this.pretrade.settle(k);
    }
    if (rejections && this.strategy.onReject) {
      for (const r of rejections) this.call('onReject', r);
    }
  }

  /** A fill of `p` (the account's `fill`): recorded, sent with the position, onFill deferred until the trade's matching ends. */
  private filled(p: PendingOrder, ts: number): void {
    const f = this.account.fill;
    const k = p.symbol;
    const fill: StrategyFill = {
      id: `${p.order.id}#${p.fills}`,
      orderId: p.order.id,
      strategy: this.strategy.name,
      symbol: this.symbols[k],
      ts,
      units: f.side === 0 ? f.size : -f.size,
      price: f.price,
      fees: f.fees,
    };
    this.metrics.fills++;
    this.days.fill(k, f.size, f.price, f.fees, f.side);
    this.sink.fill?.(fill);
    this.sink.position?.(this.positionOf(k, ts));
    this.deferred.push(fill);
  }

  /** onFill for each fill made, its orders committed under the fill's id. */
  private dispatchFills(): void {
    const fills = this.deferred;
    this.deferred = [];
    if (!this.strategy.onFill) return;
    for (const fill of fills) {
      if (this.call('onFill', fill)) this.commit(fill, this.now, this.seq - 1);
    }
    if (this.deferred.length > 0) this.dispatchFills();
  }
}

/** Where a callback ran, for its error's first line: `S1 bar 12`, or the fill's or rejection's id. */
function eventName(event: StrategyBar | StrategyFill | OrderRejection): string {
  return 'id' in event ? event.id : `${event.symbol} bar ${event.index}`;
}
