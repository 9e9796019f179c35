/**
 * StrategyEngine: TRADE_EXECUTION batches -> one or more strategies (`kernelbus/strategy`) ->
 * STRATEGY_SIGNAL (each order), ORDER_FILL (each fill) and POSITION_UPDATE (the position after it), on
 * the logic bus. The trades of all symbols are merged into event order (./../strategy/merge.ts) and fed
 * to one StrategyRunner per strategy: the core `kernelbus backtest --file --strategy` runs, so the same
 * tape gives the same orders and fills, ids included. The other engines' outputs it is told to observe
 * (VPIN_CALCULATION, FEATURES_UPDATE, PORTFOLIO_UPDATE by default) are what ctx.latest() returns.
 *
 * Over Redis it checkpoints its state as one whole (Engine.wholeState: one account across symbols, the
 * trades held by the merge): each strategy's run, the merge's held trades and each symbol's last frame
 * (./strategy-state.ts), with the last entry id of every key; whole once, then incrementally
 * (deltaState(): the symbols touched since the last checkpoint and the small shared part), compacted as
 * the other engines' keys are (./checkpointing.ts). A restarted engine restores them and replays what
 * its group acknowledged since, so it goes on with the same orders and fills (those published after the
 * checkpoint are published again, identical, under their ids).
 */
import type { Bus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';
import { ColumnScratch } from '../kernels/frame-trades.js';
import type { Trades } from '../kernels/trades.js';
import { type Accounts, strategyMargin } from '../strategy/accounts.js';
import { splitExecution } from '../strategy/execution.js';
import type { MarginSettings } from '../strategy/margin.js';
import { isStrategy } from '../strategy/define.js';
import { StrategyErrorLimit } from '../strategy/errors.js';
import { TradeMerge } from '../strategy/merge.js';
import { type RunnerOptions, StrategyRunner } from '../strategy/runner.js';
import type { Strategy } from '../strategy/types.js';
import type { StateConfig } from './checkpoint-config.js';
import type { EngineOptions } from './engine.js';
import { RecentFrames, type TradeKeyFrames } from './recent-frames.js';
import { StrategyState } from './strategy-state.js';
import { TradeKeyedEngine } from './trade-keyed.js';

/** The message types whose last payload per symbol ctx.latest() returns, by default. */
export const OBSERVED_TYPES = ['VPIN_CALCULATION', 'FEATURES_UPDATE', 'PORTFOLIO_UPDATE', 'ML_PREDICTION'] as const;

/**
 * The symbols a strategy engine waits for from the start: `symbols` when given, else what the strategies
 * name when each names its own, else none (unknown: the merge holds its first maxLatenessMs).
 */
export function strategyUniverse(
  strategies: Strategy<object> | readonly Strategy<object>[],
  symbols?: readonly string[],
): readonly string[] {
  const list = Array.isArray(strategies) ? strategies : [strategies as Strategy<object>];
  return symbols ?? (list.every((s) => s.symbols) ? [...new Set(list.flatMap((s) => s.symbols!))] : []);
}

/** Options of StrategyEngine: the engine's, the fill model's (shared by its strategies) and the merge's. */
export interface StrategyEngineOptions extends Partial<EngineOptions>, Omit<RunnerOptions, 'source'> {
  /** The strategies (defineStrategy()'s), each with its own account and order ids. */
  strategies: Strategy<object> | readonly Strategy<object>[];
  /** Each strategy's file, for the `file:line` of its errors (by strategy name). */
  sources?: Readonly<Record<string, string>>;
  /** Wall-clock ms the merge waits for a slower symbol (see TradeMerge). Default 1000. */
  maxLatenessMs?: number;
  /**
   * The symbols the feed brings, waited for from the start (default: the strategies' `symbols` when
   * each names its own): the merge then holds nothing while it learns which symbols come (TradeMerge).
   */
  symbols?: readonly string[];
  /**
   * The accounts file's accounts (loadAccounts()): each strategy's margin for its pre-trade checks is its
   * account's (KernelInputError when a strategy has none). Without it, `margin` applies to every strategy.
   */
  accounts?: Accounts;
  /** Input type. Default 'TRADE_EXECUTION'. */
  input?: string;
  /** Types whose payloads ctx.latest() returns. Default OBSERVED_TYPES. */
  observe?: readonly string[];
  /** As VpinEngineOptions.maxFutureMs: a frame stamped further ahead of the clock is refused. Default 5000. */
  maxFutureMs?: number;
  /** ctx.log() lines and callback errors (default: stderr). */
  log?: (line: string) => void;
  /**
   * Called once when a strategy's callbacks threw more than `maxErrors` times (this process): that
   * strategy gets no more trades, the others go on; the command stops the engine (exit 1). Default: log.
   */
  onHalt?: (error: StrategyErrorLimit) => void;
}

/**
 * Strategies on the bus (see the file's header). Per symbol, the trade engines' skeleton
 * (./trade-keyed.ts): the future guard, frames applied before skipped as republished, the trade rule
 * after the symbol's last trade; what a frame's good trades do is go into the merge.
 */
export class StrategyEngine extends TradeKeyedEngine<TradeKeyFrames> {
  protected readonly inputs: readonly string[];
  private readonly input: string;
  private readonly runners: StrategyRunner<object>[];
  private readonly merge: TradeMerge;
  /** Per runner: symbol -> index (-1: not traded by it). */
  private indexes: Map<string, number>[];
  private releaseTimer: NodeJS.Timeout | undefined;
  private readonly maxLatenessMs: number;
  /** The fill model's options the runners were made with. */
  private readonly runnerOptions: RunnerOptions;
  /** Each strategy's margin settings (its account's), or undefined. */
  private readonly margins: Map<string, MarginSettings | undefined>;
  /** What shapes the checkpointed state (stateConfig()). */
  private readonly config: StateConfig;
  /** The checkpointed state, whole and incremental. */
  private readonly saved: StrategyState;
  /** Aligned columns for trades read in place from Redis: none allocated per delivery. */
  private readonly scratch = new ColumnScratch();
  private readonly onHalt: (error: StrategyErrorLimit) => void;
  private readonly log: (line: string) => void;
  /** Whether the callback errors' counts were logged (at stop or close). */
  private errorsLogged = false;

  /** Checks the options and the strategies (KernelInputError naming the option). */
  constructor(bus: Bus, options: StrategyEngineOptions) {
    const {
      strategies,
      sources = {},
      maxLatenessMs = 1000,
      symbols,
      input = 'TRADE_EXECUTION',
      observe = OBSERVED_TYPES,
      log = (line: string) => process.stderr.write(`${line}\n`),
      session,
      slowOnBarMs,
      maxErrors,
      margin,
      onMarginCall,
      accounts,
      onHalt = (error: StrategyErrorLimit) => log(error.message),
      ...others
    } = options ?? ({} as StrategyEngineOptions);
    const { execution, rest: engine } = splitExecution(others);
    super(bus, { ...engine, name: engine.name ?? 'strategy' });
    const list = Array.isArray(strategies) ? strategies : [strategies];
    if (list.length === 0 || !list.every(isStrategy)) {
      throw new KernelInputError('options.strategies', 'strategies made by defineStrategy()', describeValue(strategies));
    }
    const names = list.map((s) => s.name);
    if (new Set(names).size !== names.length)
      throw new KernelInputError('options.strategies', 'strategies of distinct names', names.join(', '));
    if (!(typeof maxLatenessMs === 'number' && maxLatenessMs >= 0 && Number.isFinite(maxLatenessMs))) {
      throw new KernelInputError('options.maxLatenessMs', 'a finite number >= 0', describeValue(maxLatenessMs));
    }
    if (!Array.isArray(observe) || !observe.every((t) => typeof t === 'string' && t !== '' && t !== input)) {
      throw new KernelInputError('options.observe', 'a list of message types other than the input', describeValue(observe));
    }
    const defined = Object.fromEntries(
      Object.entries({ ...execution, session, slowOnBarMs, maxErrors, onMarginCall }).filter(([, v]) => v !== undefined),
    ) as RunnerOptions;
    this.runnerOptions = defined;
    this.onHalt = onHalt;
    this.log = log;
    this.input = input;
    this.inputs = [input, ...observe];
    this.maxLatenessMs = maxLatenessMs;
    const margins = new Map(list.map((s) => [s.name, accounts ? strategyMargin(accounts, s.name) : margin]));
    this.margins = margins;
    this.runners = list.map(
      (strategy) =>
        new StrategyRunner(
          strategy,
          {
            ...defined,
            ...(margins.get(strategy.name) ? { margin: margins.get(strategy.name) } : {}),
            ...(sources[strategy.name] ? { source: sources[strategy.name] } : {}),
          },
          {
            order: (o) => this.emit('STRATEGY_SIGNAL', { key: o.symbol, ts: o.ts, payload: o }),
            fill: (f) => this.emit('ORDER_FILL', { key: f.symbol, ts: f.ts, payload: f }),
            position: (p) => this.emit('POSITION_UPDATE', { key: p.symbol, ts: p.ts, payload: p }),
            reject: (r) => this.emit('ORDER_REJECTED', { key: r.symbol, ts: r.ts, payload: r }),
            log,
          },
        ),
    );
    this.indexes = this.runners.map(() => new Map());
    // flat, so a refused checkpoint names the setting that differs (`execution.fees`, `strategy.x.bars`)
    const config: Record<string, string | number | boolean> = { strategies: list.map((s) => s.name).join(',') };
    for (const s of list) {
      config[`strategy.${s.name}.symbols`] = JSON.stringify(s.symbols ?? null);
      config[`strategy.${s.name}.bars`] = JSON.stringify(s.bars);
      config[`strategy.${s.name}.indicators`] = JSON.stringify(s.indicators ?? {});
      config[`strategy.${s.name}.history`] = s.history ?? 256;
      config[`strategy.${s.name}.limits`] = JSON.stringify(s.limits ?? {});
      config[`strategy.${s.name}.margin`] = JSON.stringify(margins.get(s.name) ?? null);
    }
    config.onMarginCall = onMarginCall ?? 'none';
    for (const [k, v] of Object.entries(this.runners[0].options)) {
      if (v !== undefined) config[`execution.${k}`] = typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
    }
    if (session !== undefined) config.session = JSON.stringify(session);
    this.config = config;
    this.merge = new TradeMerge(maxLatenessMs, strategyUniverse(list, symbols));
    this.saved = new StrategyState({
      runners: this.runners,
      merge: this.merge,
      symbols: this.states,
      newSymbol: () => this.newState(),
      freshRunner: (i) => {
        const m = this.margins.get(this.runners[i].strategy.name);
        return new StrategyRunner(this.runners[i].strategy, { ...this.runnerOptions, ...(m ? { margin: m } : {}) });
      },
      freshMerge: () => new TradeMerge(this.maxLatenessMs),
    });
  }

  /** Subscribes, and releases held trades every maxLatenessMs while quiet. */
  override start(): this {
    super.start();
    if (!this.releaseTimer && this.maxLatenessMs > 0) {
      // trades the timer hands out change the state with no entry to mark it: say so, or the next
      // checkpoint would not hold them (a kill then repeats their fills however long after)
      const released = (symbol: string, ts: number, price: number, volume: number) => {
        this.applyTrade(symbol, ts, price, volume);
        if (symbol !== last) this.stateChanged((last = symbol));
      };
      let last: string | undefined;
      this.releaseTimer = setInterval(
        () => {
          last = undefined;
          this.merge.release(released);
        },
        Math.max(10, this.maxLatenessMs / 2),
      );
      this.releaseTimer.unref();
    }
    return this;
  }

  /**
   * One trade in event order to every strategy that trades its symbol, but one stopped on maxErrors
   * (its callbacks' errors never fail the delivery: they are counted; past maxErrors, onHalt).
   */
  private readonly applyTrade = (symbol: string, ts: number, price: number, volume: number): void => {
    for (let r = 0; r < this.runners.length; r++) {
      const runner = this.runners[r];
      const index = this.indexes[r];
      let k = index.get(symbol);
      if (k === undefined) {
        k = runner.symbolIndex(symbol);
        index.set(symbol, k);
      }
      if (k < 0 || runner.errors.halted) continue;
      try {
        runner.trade(k, ts, price, volume);
      } catch (error) {
        if (!(error instanceof StrategyErrorLimit)) throw error;
        this.onHalt(error);
      }
    }
  };

  /**
   * Why the engine's strategies failed, or undefined: one stopped on maxErrors, or a callback threw at
   * every call in this process (each onBar). The command exits 1 with it.
   */
  failure(): string | undefined {
    for (const runner of this.runners) {
      if (runner.errors.halted) return runner.errors.halted.message;
      const all = runner.errors.allFailed();
      if (all.length > 0) {
        return `${runner.strategy.name}: every call of ${all.join(' and ')} threw (${all.map((c) => runner.errors.calls[c]).join(', ')} calls)`;
      }
    }
    return undefined;
  }

  /** Each strategy's callback errors by kind (./../strategy/errors.ts summary()), once, to the log. */
  private logErrors(): void {
    if (this.errorsLogged) return;
    this.errorsLogged = true;
    for (const runner of this.runners) for (const line of runner.errors.summary()) this.log(line);
  }

  /**
   * An observed message, kept for ctx.latest(); a watermark-only frame (an idle stream's), for the merge
   * alone; else a trade batch through the skeleton (TradeKeyedEngine.process: refused when stamped in
   * the future, skipped when applied before, its trades held to the trade rule: a bad one left out and
   * counted, or with badTrades 'fail' the batch refused, nothing taken) into applyTrades().
   */
  protected override process(message: BusMessage): void {
    if (message.type !== this.input) {
      for (const runner of this.runners) runner.observe(message.type, message.key, message.payload);
    } else if (message.count === 0) {
      const { ts, price, volume } = this.tradesOf(message.payload);
      this.merge.push(message.key, ts, price, volume, this.applyTrade, message.stream, message.watermark);
    } else {
      super.process(message);
    }
  }

  /** A symbol before its first trade. */
  protected newState(): TradeKeyFrames {
    return { lastTs: Number.NEGATIVE_INFINITY, lastSentAt: Number.NEGATIVE_INFINITY, recent: new RecentFrames() };
  }

  /** Aligned columns (trades read in place from Redis may be unaligned bytes). */
  protected override tradesOf(payload: unknown): Trades {
    return this.scratch.of(payload as Trades);
  }

  /** A frame's good trades into the merge, which hands them to the strategies in event order. */
  protected applyTrades(key: string, _s: TradeKeyFrames, t: Trades, message: BusMessage): void {
    this.saved.push(key);
    this.merge.push(key, t.ts, t.price, t.volume, this.applyTrade, message.stream, message.watermark);
  }

  /** Leaves the group without ending the data (the held trades stay unapplied: see Engine.stop()). */
  override stop(): Promise<void> {
    this.stopRelease();
    this.logErrors();
    return super.stop();
  }

  private stopRelease(): void {
    if (this.releaseTimer) clearInterval(this.releaseTimer);
    this.releaseTimer = undefined;
  }

  /** End of data: every held trade applied, each strategy's onStop. */
  protected override flushState(): void {
    this.stopRelease();
    this.merge.flush(this.applyTrade);
    for (const runner of this.runners) {
      try {
        if (!runner.errors.halted) runner.stop();
      } catch (error) {
        if (!(error instanceof StrategyErrorLimit)) throw error;
        this.onHalt(error);
      }
    }
    this.logErrors();
  }

  /** The skeleton's counters, the strategies' summed, the trades the merge holds, the slowest onBar (ms). */
  protected override extraMetrics(): Record<string, number> {
    const sum = {
      ...super.extraMetrics(),
      bars: 0,
      orders: 0,
      fills: 0,
      strategyErrors: 0,
      late: 0,
      rejected: 0,
      marginCalls: 0,
      onBarMs: 0,
      slowOnBars: 0,
    };
    for (const { metrics: m } of this.runners) {
      sum.bars += m.bars;
      sum.orders += m.orders;
      sum.fills += m.fills;
      sum.strategyErrors += m.errors;
      sum.late += m.late;
      sum.rejected += m.rejected;
      sum.marginCalls += m.marginCalls;
      sum.onBarMs += m.onBarMs;
      sum.slowOnBars += m.slowOnBars;
    }
    return sum;
  }

  protected override extraLevels(): Record<string, number> {
    const slowestOnBarMs = this.runners.reduce((most, { metrics: m }) => Math.max(most, m.slowestOnBarMs), 0);
    return { ...super.extraLevels(), held: this.merge.held, slowestOnBarMs };
  }

  /** The watermark-only frames move the merge on past a stream whose symbols are all quiet. */
  protected override get readsWatermarks(): boolean {
    return true;
  }

  /** One account across symbols, trades merged by time: the state is one whole (see Engine.wholeState). */
  protected override get wholeState(): boolean {
    return true;
  }

  /** The strategies, their bars, indicators and history, and the fill model: what the checkpoints must match. */
  protected override stateConfig(): StateConfig {
    return this.config;
  }

  /** Each strategy's run, the merge's held trades and each symbol's last frame, as bytes (./strategy-state.ts). */
  protected override snapshotState(): Uint8Array {
    return this.saved.snapshot();
  }

  /** What changed since the last snapshotState() or deltaState(): the symbols touched since and the shared part. */
  protected override deltaState(): Uint8Array {
    return this.saved.delta();
  }

  /** The state now, whole or its changes, encoded in slices of about 0.3 ms of the loop (StrategyState.capture()). */
  protected override captureState(kind: 'whole' | 'delta', reserve: number): Promise<Uint8Array> {
    return this.saved.capture(kind, reserve);
  }

  /**
   * Replaces the state with snapshotState()'s bytes and the deltaState()s written after them
   * (KernelInputError naming `bytes`, nothing changed, when they are not).
   */
  protected override restoreState(bytes: Uint8Array, deltas: readonly Uint8Array[] = []): void {
    this.saved.restore(bytes, deltas);
    this.indexes = this.runners.map(() => new Map());
  }

  /** Each strategy's runner (read-only use: its account, positions, daily record). */
  strategies(): readonly StrategyRunner<object>[] {
    return this.runners;
  }
}
