/**
 * RiskEngine: RETURNS_UPDATE (rows of asset returns per universe) and PORTFOLIO_UPDATE (weights and a
 * VaR limit per portfolio) -> per portfolio, over its universe's rolling window, the historical and
 * Gaussian VaR/ES and the volatility, the backtest of the historical VaR it publishes (each period's
 * return with the weights in force in it against the VaR published for it: exceptions, Kupiec and
 * Christoffersen p-values, the Basel traffic light over the last backtestWindow periods) and, with a benchmark asset, rolling Sharpe and
 * beta -> ANALYTICS_RESULT; RISK_ALERT when the historical VaR reaches the portfolio's limit, or when
 * the zone of a full backtest window turns yellow or red (a step up: green to yellow, yellow to red). Every figure comes from the risk kernels (portfolioReturns,
 * valueAtRisk, performanceStats, rolling, varBacktest, relativeStats), all portfolios of a universe in
 * one call each. With `positionInput: 'POSITION_UPDATE'` (StrategyEngine's positions), each strategy's
 * positions are a portfolio too, `strategy:<name>`, weighted by market value over equity (./risk-positions.ts).
 * With `var: { method: 'garch' }`, each portfolio's GARCH VaR and ES and their backtest too (./risk-garch.ts).
 */
import type { BackendChoice } from '../api/kernels.js';
import { installEveryBackend } from '../api/every-backend.js';
import { kernels } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';
import { TRAFFIC_LIGHT_ZONES } from '../kernels/risk/risk-analytics.js';
import { Engine, type EngineOptions } from './engine.js';
import { RecentFramesByKey } from './recent-frames.js';
import { takeReturns } from './returns-intake.js';
import { ReturnsWindow } from './returns-window.js';
import { GarchVarBook, type PortfolioHistory, type RiskVarOptions, resolveGarchVar } from './risk-garch.js';
import { bookId, parsePositionUpdate, PositionBooks } from './risk-positions.js';
import {
  applyUniverseDelta,
  decodePortfolio,
  decodeUniverse,
  encodePortfolio,
  encodeUniverse,
  encodeUniverseDelta,
  parsePortfolioUpdate,
  parseReturnsUpdate,
  type HeldRecord,
  type ParsedPortfolio,
  type RiskAlert,
  type RiskBacktest,
  type RiskResult,
  type UniverseSnapshot,
} from './risk-messages.js';

installEveryBackend(); // its kernels run synchronously from the first message

/** Options of RiskEngine. */
export interface RiskEngineOptions extends Partial<EngineOptions> {
  /** Rows (periods) of returns each universe keeps: the rolling window of every figure. Default 250. */
  window?: number;
  /** Rows a universe needs before its portfolios get figures (and can alert). Default 20, at most `window`. */
  minRows?: number;
  /** VaR/ES confidence in (0, 1). Default 0.95. */
  confidence?: number;
  /** The universe of a PORTFOLIO_UPDATE that names none. Default 'default'. */
  universe?: string;
  /**
   * Periods of the VaR backtest (the Basel traffic light's 250). Default 250; 0: no backtest. Each
   * period counts with the weights in force in it; the zone's RISK_ALERT waits for this many periods
   * (Basel's boundaries are for 250 observations), the zone in each result is over those backtested so far.
   */
  backtestWindow?: number;
  /** An asset of the universes (a column of RETURNS_UPDATE): rolling Sharpe and beta against it. Default none. */
  benchmark?: string;
  /** Periods of the rolling Sharpe and beta, at most window + backtestWindow. Default 63 (or that bound when smaller). */
  rollingWindow?: number;
  /** Periods per year of the rolling Sharpe. Default 252. */
  periodsPerYear?: number;
  /** Kernel backend. Default 'auto'. */
  backend?: BackendChoice;
  /** Input type of returns. Default 'RETURNS_UPDATE'. */
  returnsInput?: string;
  /** Input type of portfolios. Default 'PORTFOLIO_UPDATE'. */
  portfolioInput?: string;
  /**
   * Input type of strategies' positions, StrategyEngine's 'POSITION_UPDATE': each strategy's book
   * becomes portfolio `strategy:<name>`. Default none (an input more is a stream more over Redis).
   */
  positionInput?: string;
  /** The universe whose returns the strategies' books are measured on. Default: the `universe` option. */
  positionUniverse?: string;
  /** VaR limit of every strategy's book, a positive loss fraction (RISK_ALERT as a portfolio's limit). Default none. */
  positionLimit?: number;
  /**
   * A VaR beside the historical and Gaussian ones: `{ method: 'garch', vol?, p?, o?, q?, mean?, lags?,
   * dist?, refit? }` fits a conditional volatility model to each portfolio's returns over the window,
   * refits it every `refit` periods (default one day's) and publishes its one-step VaR and ES (`garch`)
   * and their backtest (`garchBacktest`): ./risk-garch.ts, docs/risk.md. Default `{ method: 'historical' }`: none.
   */
  var?: RiskVarOptions;
}

export const RISK_ENGINE_DEFAULTS = {
  window: 250,
  minRows: 20,
  confidence: 0.95,
  universe: 'default',
  backtestWindow: 250,
  rollingWindow: 63,
  periodsPerYear: 252,
} as const;

/** The backtests and rolling figures of an evaluation's portfolios, by their index. */
interface Backtests {
  backtest?: (i: number) => RiskBacktest;
  garchBacktest?: (i: number) => RiskBacktest;
  rolling?: (i: number) => RiskResult['rolling'];
}

/** A portfolio's state: its last PORTFOLIO_UPDATE and its latest figures. */
export interface RiskPortfolioState extends ParsedPortfolio {
  /** The latest figures (undefined while its universe has fewer than minRows rows, is unknown, or lacks an asset). */
  figures: RiskResult | undefined;
  /** The historical VaR was at or above the limit at the last evaluation (no new alert until it falls below). */
  alerting: boolean;
  /** Alerts raised by this process. */
  alerts: number;
  /** The backtest's zone at the last evaluation (0 green, 1 yellow, 2 red; -1 until it holds backtestWindow periods). */
  zone: number;
  /** Why it has no figures although its universe has enough rows (an asset the universe lacks). */
  problem: string | undefined;
}

/**
 * Weights in force from a period on: those of a PORTFOLIO_UPDATE applied after `from` rows of its
 * universe (`from`: the first period, a row index counted from the universe's first row ever).
 */
interface HeldWeights extends HeldRecord {
  /** In the universe's column order (null when it lacks an asset); resolved when first needed. */
  vector?: Float64Array | null;
  /**
   * The historical VaR published for each period it was in force in (absolute period -> VaR), kept
   * once computed: history only grows, so each (weights, period) pair is computed once, not at every
   * evaluation (a book whose weights change at each fill holds hundreds of versions).
   */
  published?: Map<number, number>;
}

interface Portfolio extends RiskPortfolioState {
  /** The weights in its universe's column order; undefined until resolved against that universe. */
  vector: Float64Array | undefined;
  /** Its weights over the periods the backtest reads, oldest first, the last the current ones. */
  held: HeldWeights[];
}

/**
 * Portfolio VaR/ES and volatility on the bus. After each RETURNS_UPDATE of a universe, and after each
 * PORTFOLIO_UPDATE, every affected portfolio whose universe holds at least `minRows` rows gets an
 * ANALYTICS_RESULT; its RISK_ALERT is edge-triggered (raised when its historical VaR reaches its
 * limit, again only after it has fallen below). A bad payload, or weights naming an asset its known
 * universe lacks, throws KernelInputError (counted in `errors`, retried, then dead-lettered by the bus).
 * Idempotent per entry id; a RETURNS_UPDATE stored twice (the same publish time and ts as one of the
 * universe's last 64 applied) is skipped as `republished`. Over Redis its state is checkpointed: each
 * universe (window, last ts) with the returns stream, each portfolio (weights, limit, universe) with
 * the portfolio stream; the figures and alert states are derived from them and recomputed, without
 * publishing, after a restore. A strategy's book is rebuilt from its restored positions,
 * its backtest starting again from the restore. Run one RiskEngine per consumer group (it joins its inputs).
 */
export class RiskEngine extends Engine {
  protected readonly inputs: readonly string[];
  private readonly returnsInput: string;
  private readonly kernels: ReturnType<typeof kernels>;
  private readonly window: number;
  private readonly minRows: number;
  private readonly confidence: number;
  private readonly defaultUniverse: string;
  /** Each universe's last returns updates applied: a republish is one of them. */
  private readonly recent = new RecentFramesByKey();
  private readonly universeStates = new Map<string, UniverseSnapshot>();
  /** Universe -> its rows in all when its last checkpoint record (whole or delta) was taken. */
  private readonly recordTotals = new Map<string, number>();
  private readonly portfolioStates = new Map<string, Portfolio>();
  /** universe -> its portfolios (universes without returns yet included). */
  private readonly members = new Map<string, Set<string>>();
  /** Universes whose derived figures must be recomputed (silently) after a restore. */
  private readonly stale = new Set<string>();
  private readonly backtestWindow: number;
  private readonly benchmark: string | undefined;
  private readonly rollingWindow: number;
  private readonly periodsPerYear: number;
  private readonly totals = { rows: 0, results: 0, alerts: 0, republished: 0, unmatched: 0, backtestAlerts: 0, positions: 0 };
  private readonly positionInput: string | undefined;
  private readonly positionUniverse: string;
  private readonly positionLimit: number;
  /** The strategies' positions (from POSITION_UPDATE), each strategy's book a portfolio. */
  private readonly books = new PositionBooks();
  /** Strategies whose book must be rebuilt (silently) after a restore. */
  private readonly staleBooks = new Set<string>();
  /** The GARCH VaR of every portfolio (option `var`), or undefined. */
  private readonly garch: GarchVarBook | undefined;

  /** Checks the options (KernelInputError naming the option). */
  constructor(bus: Bus, options: RiskEngineOptions = {}) {
    super(bus, { ...options, name: options?.name ?? 'risk' });
    const {
      window = RISK_ENGINE_DEFAULTS.window,
      confidence = RISK_ENGINE_DEFAULTS.confidence,
      universe = RISK_ENGINE_DEFAULTS.universe,
    } = options;
    if (!Number.isInteger(window) || window < 2 || window > 1_000_000)
      throw new KernelInputError('options.window', 'an integer in [2, 1000000]', describeValue(window));
    const minRows = options.minRows ?? Math.min(RISK_ENGINE_DEFAULTS.minRows, window);
    if (!Number.isInteger(minRows) || minRows < 2 || minRows > window) {
      throw new KernelInputError('options.minRows', `an integer in [2, ${window}] (the window)`, describeValue(minRows));
    }
    if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1))
      throw new KernelInputError('options.confidence', 'a number in (0, 1)', describeValue(confidence));
    if (typeof universe !== 'string' || universe.length === 0)
      throw new KernelInputError('options.universe', 'a non-empty string', describeValue(universe));
    const returnsInput = options.returnsInput ?? 'RETURNS_UPDATE';
    const portfolioInput = options.portfolioInput ?? 'PORTFOLIO_UPDATE';
    const { positionInput } = options;
    for (const [name, value] of [
      ['options.returnsInput', returnsInput],
      ['options.portfolioInput', portfolioInput],
      ...(positionInput === undefined ? [] : [['options.positionInput', positionInput] as const]),
    ] as const) {
      if (typeof value !== 'string' || value.length === 0)
        throw new KernelInputError(name, 'a non-empty message type', describeValue(value));
    }
    if (returnsInput === portfolioInput)
      throw new KernelInputError('options.portfolioInput', 'a type other than options.returnsInput', JSON.stringify(portfolioInput));
    if (positionInput === returnsInput || positionInput === portfolioInput)
      throw new KernelInputError(
        'options.positionInput',
        'a type other than the returns and portfolio inputs',
        JSON.stringify(positionInput),
      );
    const { positionUniverse = universe, positionLimit } = options;
    if (typeof positionUniverse !== 'string' || positionUniverse.length === 0)
      throw new KernelInputError('options.positionUniverse', 'a non-empty string', describeValue(positionUniverse));
    if (positionLimit !== undefined && (typeof positionLimit !== 'number' || !(positionLimit > 0 && positionLimit < Infinity)))
      throw new KernelInputError('options.positionLimit', 'a finite number > 0 (a loss fraction)', describeValue(positionLimit));
    this.positionInput = positionInput;
    this.positionUniverse = positionUniverse;
    this.positionLimit = positionLimit ?? Number.NaN;
    const {
      backtestWindow = RISK_ENGINE_DEFAULTS.backtestWindow,
      periodsPerYear = RISK_ENGINE_DEFAULTS.periodsPerYear,
      benchmark,
    } = options;
    if (!Number.isInteger(backtestWindow) || backtestWindow < 0 || backtestWindow > 1_000_000)
      throw new KernelInputError('options.backtestWindow', 'an integer in [0, 1000000]', describeValue(backtestWindow));
    // the default within the rows a universe keeps (a short window and backtest do not refuse an option not given)
    const rollingWindow = options.rollingWindow ?? Math.min(RISK_ENGINE_DEFAULTS.rollingWindow, window + backtestWindow);
    if (!Number.isInteger(rollingWindow) || rollingWindow < 2 || rollingWindow > window + backtestWindow)
      throw new KernelInputError(
        'options.rollingWindow',
        `an integer in [2, ${window + backtestWindow}] (window + backtestWindow)`,
        describeValue(rollingWindow),
      );
    if (typeof periodsPerYear !== 'number' || !(periodsPerYear > 0 && periodsPerYear < Infinity))
      throw new KernelInputError('options.periodsPerYear', 'a finite number > 0', describeValue(periodsPerYear));
    if (benchmark !== undefined && (typeof benchmark !== 'string' || benchmark.length === 0))
      throw new KernelInputError('options.benchmark', 'an asset name', describeValue(benchmark));
    this.backtestWindow = backtestWindow;
    this.rollingWindow = rollingWindow;
    this.periodsPerYear = periodsPerYear;
    this.benchmark = benchmark;
    this.kernels = kernels({ backend: options.backend ?? 'auto' });
    const garch = resolveGarchVar(options.var, window, periodsPerYear);
    this.garch = garch && new GarchVarBook(garch, this.kernels, window, confidence, backtestWindow);
    this.window = window;
    this.minRows = minRows;
    this.confidence = confidence;
    this.defaultUniverse = universe;
    this.returnsInput = returnsInput;
    this.inputs = positionInput === undefined ? [portfolioInput, returnsInput] : [portfolioInput, returnsInput, positionInput];
  }

  /** Applies one update (see the class comment); throws KernelInputError, before changing anything, for a bad one. */
  protected process(message: BusMessage): void {
    this.settleRestored();
    if (message.type === this.returnsInput) this.onReturns(message);
    else if (message.type === this.positionInput) this.onPosition(message);
    else this.onPortfolio(message);
  }

  /** A strategy's position: its book's weights replaced (held from now on) and evaluated at once. */
  private onPosition(message: BusMessage): void {
    const strategy = this.books.apply(parsePositionUpdate(message.payload));
    this.totals.positions++;
    this.settleBook(strategy, true);
  }

  /**
   * Makes a strategy's book its portfolio `strategy:<name>` on the position universe, the weights in
   * force from the universe's current period on, and evaluates it (publishing when `loud`). A symbol
   * the universe lacks leaves it without figures (counted as unmatched), as a portfolio's asset would.
   */
  private settleBook(strategy: string, loud: boolean): void {
    const { assets, weights } = this.books.weights(strategy)!;
    const universe = this.positionUniverse;
    const id = bookId(strategy);
    this.setPortfolio(id, { universe, assets, weights, limit: this.positionLimit }, this.universeStates.get(universe)?.window.total ?? 0);
    this.evaluate(universe, new Set([id]), loud);
  }

  private onReturns(message: BusMessage): void {
    const parsed = parseReturnsUpdate(message.payload);
    const u = takeReturns(this.universeStates, this.recent, message, parsed, (assets) => ({
      window: new ReturnsWindow(assets, this.window),
      history: new ReturnsWindow(assets, this.historyRows),
      lastTs: -Infinity,
      lastSentAt: -Infinity,
    }));
    if (!u) {
      this.totals.republished++;
      return;
    }
    this.totals.rows += parsed.rows;
    this.evaluate(message.key, this.members.get(message.key), true);
  }

  /** The rows a universe's history keeps: the window before each backtested period, and those periods. */
  private get historyRows(): number {
    return this.window + Math.max(this.backtestWindow, this.rollingWindow - this.window, 0);
  }

  private onPortfolio(message: BusMessage): void {
    const parsed = parsePortfolioUpdate(message.payload, this.defaultUniverse);
    const window = this.universeStates.get(parsed.universe)?.window;
    for (const a of parsed.assets) {
      if (window && !window.columns.has(a))
        throw new KernelInputError(`payload.weights.${a}`, `an asset of universe '${parsed.universe}'`, 'an asset it does not have');
    }
    this.setPortfolio(message.key, parsed, this.universeStates.get(parsed.universe)?.window.total ?? 0);
    this.evaluate(parsed.universe, new Set([message.key]), true);
  }

  /**
   * Replaces a portfolio's weights, limit and universe (keeping its alert count), the weights in force
   * from period `from` on (the rows its universe had then); the earlier weights the backtest still
   * reads are kept (all of them are dropped when the universe changes).
   */
  private setPortfolio(id: string, parsed: ParsedPortfolio, from: number, restored?: readonly HeldRecord[]): void {
    const old = this.portfolioStates.get(id);
    if (old && old.universe !== parsed.universe) {
      this.members.get(old.universe)?.delete(id);
      this.garch?.forget(old.universe, id);
    }
    const u = this.universeStates.get(parsed.universe);
    const oldest = u ? u.window.total - (u.history ?? u.window).rows : 0; // the first period the history holds
    let held: HeldWeights[];
    if (restored) held = restored.map((h) => ({ ...h }));
    else {
      held = (old && old.universe === parsed.universe ? old.held : []).filter((h) => h.from < from);
      while (held.length > 0 && (held.length > 1 ? held[1].from : from) <= oldest) held.shift(); // in force before the history only
      held.push({ from, assets: parsed.assets, weights: parsed.weights });
    }
    this.portfolioStates.set(id, {
      ...parsed,
      figures: undefined,
      alerting: false,
      alerts: old?.alerts ?? 0,
      zone: -1,
      problem: undefined,
      vector: undefined,
      held,
    });
    let set = this.members.get(parsed.universe);
    if (!set) this.members.set(parsed.universe, (set = new Set()));
    set.add(id);
  }

  /** The weights of `p` in the window's column order, or undefined (and `problem` set) when the window lacks one of its assets. */
  private resolve(p: Portfolio, window: ReturnsWindow): Float64Array | undefined {
    if (p.vector) return p.vector;
    const vector = new Float64Array(window.assets.length);
    for (let i = 0; i < p.assets.length; i++) {
      const c = window.columns.get(p.assets[i]);
      if (c === undefined) {
        p.problem = `asset '${p.assets[i]}' is not in universe '${p.universe}'`;
        return undefined;
      }
      if (Number.isNaN(p.weights[i])) {
        p.problem = 'its equity is not > 0 (a strategy book: no weights)';
        return undefined;
      }
      vector[c] = p.weights[i];
    }
    p.problem = undefined;
    return (p.vector = vector);
  }

  /**
   * Recomputes the figures of the portfolios `ids` of `universe` over its window (all in one kernel call
   * each) and, when `loud`, publishes them and any alert. A portfolio that cannot be evaluated (too few
   * rows, no universe yet, an asset the universe lacks) has no figures and is not alerting.
   */
  private evaluate(universe: string, ids: ReadonlySet<string> | undefined, loud: boolean): void {
    if (!ids || ids.size === 0) return;
    const u = this.universeStates.get(universe);
    const ready: [string, Portfolio][] = [];
    for (const id of ids) {
      const p = this.portfolioStates.get(id)!;
      const vector = u && this.resolve(p, u.window);
      if (u && u.window.rows >= this.minRows && vector) ready.push([id, p]);
      else {
        if (loud && u && !vector && u.window.rows >= this.minRows) this.totals.unmatched++;
        p.figures = undefined;
        p.alerting = false;
        p.zone = -1;
      }
    }
    if (!u || ready.length === 0) return;
    const returns = u.window.matrix();
    const n = returns.cols;
    const weights = new Float64Array(ready.length * n);
    ready.forEach(([, p], i) => weights.set(p.vector!, i * n));
    const book = this.kernels.portfolioReturns(returns, { data: weights, rows: ready.length, cols: n });
    const historical = this.kernels.valueAtRisk(book, { method: 'historical', confidence: this.confidence });
    const gaussian = this.kernels.valueAtRisk(book, { method: 'gaussian', confidence: this.confidence });
    const volatility = this.kernels.performanceStats(book, { periodsPerYear: 1 }).annualVolatility;
    const history = u.history ?? u.window;
    const garch = this.garch && ready.map(([id, p]) => this.garch!.advance(universe, id, history.total, this.portfolioHistory(p, history)));
    const extra = this.backtests(universe, history, weights, ready);
    ready.forEach(([key, p], i) => {
      const result: RiskResult = {
        source: 'risk',
        engine: this.name,
        universe,
        rows: returns.rows,
        confidence: this.confidence,
        historical: { var: historical.var[i], es: historical.es[i] },
        gaussian: { var: gaussian.var[i], es: gaussian.es[i] },
        volatility: volatility[i],
      };
      if (p.limit === p.limit) result.limit = p.limit;
      const backtest = extra.backtest?.(i);
      if (backtest) result.backtest = backtest;
      if (garch?.[i]) {
        result.garch = garch[i];
        const garchBacktest = extra.garchBacktest?.(i);
        if (garchBacktest) result.garchBacktest = garchBacktest;
      }
      const rolling = extra.rolling?.(i);
      if (rolling) result.rolling = rolling;
      p.figures = result;
      // the zone of a full backtest window (the traffic light's 250 periods); -1 before
      const zone = backtest && backtest.observations >= this.backtestWindow ? TRAFFIC_LIGHT_ZONES.indexOf(backtest.zone) : -1;
      if (loud && backtest && zone >= 1 && zone > p.zone) {
        p.alerts++;
        this.totals.alerts++;
        this.totals.backtestAlerts++;
        const alert: RiskAlert = {
          source: 'risk',
          engine: this.name,
          universe,
          var: backtest.var,
          limit: p.limit,
          confidence: this.confidence,
          rows: returns.rows,
          reason: 'backtest',
          zone: backtest.zone as 'yellow' | 'red',
          exceptions: backtest.exceptions,
          observations: backtest.observations,
        };
        this.emit('RISK_ALERT', { key, ts: u.lastTs, payload: alert, priority: 'high' });
      }
      p.zone = zone;
      const above = p.limit === p.limit && result.historical.var >= p.limit;
      if (loud) {
        this.emit('ANALYTICS_RESULT', { key, ts: u.lastTs, payload: result });
        this.totals.results++;
        if (above && !p.alerting) {
          p.alerts++;
          this.totals.alerts++;
          const alert: RiskAlert = {
            source: 'risk',
            engine: this.name,
            universe,
            var: result.historical.var,
            limit: p.limit,
            confidence: this.confidence,
            rows: returns.rows,
          };
          this.emit('RISK_ALERT', { key, ts: u.lastTs, payload: alert, priority: 'high' });
        }
      }
      p.alerting = above;
    });
  }

  /**
   * The backtest and rolling figures of the portfolios `held` (current weights P x N) over a universe's
   * history: each period t at least minRows periods in, while the portfolio existed, gets its return
   * with the weights in force in t (set before t's returns came) and the historical VaR the engine
   * published for t: that of the `window` periods before t (fewer while there were fewer) with those
   * same weights; the last backtestWindow such periods are backtested. With a benchmark asset the
   * universe holds, Sharpe and beta of the current weights over the last rollingWindow periods.
   * Undefined parts when there is not enough history. Each weights version's VaR of a period is
   * computed once (`published`); an evaluation computes those of the new periods only. With the GARCH
   * VaR, the same periods' returns against the GARCH VaR forecast for each (`garchBacktest`).
   */
  private backtests(universe: string, history: ReturnsWindow, weights: Float64Array, ready: readonly [string, Portfolio][]): Backtests {
    const out: Backtests = {};
    const held = ready.map(([, p]) => p);
    const all = history.matrix();
    const T = all.rows;
    const P = held.length;
    if (T === 0) return out;
    const W = this.window;
    const B = this.backtestWindow;
    const first = Math.max(this.minRows, T - B); // the first backtested period
    if (B > 0 && first < T) {
      const n = T - first;
      const base = history.total - T; // the period of the history's row 0
      const realized = new Float64Array(n * P).fill(NaN);
      const forecasts = new Float64Array(n * P).fill(NaN);
      const confidence = this.confidence;
      held.forEach((p, i) => {
        for (let k = 0; k < p.held.length; k++) {
          const h = p.held[k];
          const from = Math.max(first, h.from - base);
          const to = Math.min(T, k + 1 < p.held.length ? p.held[k + 1].from - base : T);
          const vector = from < to ? this.heldVector(h, history) : null;
          if (!vector) continue; // not held in the backtested periods, or an asset the universe lacks: none published
          // the version's returns over its periods, and over the window before the first when a forecast
          // is still to make (an older version's are all made: a strategy's book has one a fill)
          const published = (h.published ??= new Map());
          let made = true;
          for (let t = from; t < to && made; t++) made = published.has(base + t);
          const lo = made ? from : Math.max(0, from - W);
          const rows = { data: all.data.subarray(lo * all.cols, to * all.cols), rows: to - lo, cols: all.cols };
          const returns = this.kernels.portfolioReturns(rows, vector);
          for (let t = from; t < to; t++) {
            realized[(t - first) * P + i] = returns[t - lo];
            let v = published.get(base + t);
            if (v === undefined) {
              v = this.kernels.valueAtRisk(returns.subarray(Math.max(0, t - W) - lo, t - lo), { method: 'historical', confidence }).var;
              published.set(base + t, v);
            }
            forecasts[(t - first) * P + i] = v;
          }
          for (const period of published.keys()) if (period < base + first) published.delete(period); // out of the backtest
        }
      });
      out.backtest = this.backtestOf(realized, forecasts, n, P);
      if (this.garch) {
        const book = this.garch;
        const garch = new Float64Array(n * P);
        ready.forEach(([id], i) => {
          for (let t = first; t < T; t++) garch[(t - first) * P + i] = book.forecastOf(universe, id, base + t);
        });
        out.garchBacktest = this.backtestOf(realized, garch, n, P);
      }
    }
    const market = this.benchmark === undefined ? undefined : history.columns.get(this.benchmark);
    const R = this.rollingWindow;
    if (market !== undefined && T >= R) {
      const recent = { data: all.data.subarray((T - R) * all.cols, T * all.cols), rows: R, cols: all.cols };
      const last = this.kernels.portfolioReturns(recent, { data: weights, rows: P, cols: all.cols });
      const b = Float64Array.from({ length: R }, (_, j) => recent.data[j * all.cols + market]);
      const sharpe = this.kernels.performanceStats(last, { periodsPerYear: this.periodsPerYear }).sharpe;
      const beta = this.kernels.relativeStats(last, b, { periodsPerYear: this.periodsPerYear }).beta;
      const benchmark = this.benchmark!;
      out.rolling = (i) => ({ benchmark, window: R, sharpe: sharpe[i], beta: beta[i] });
    }
    return out;
  }

  /** varBacktest of n periods x P portfolios of returns against the VaR forecast for each, over the last backtestWindow periods: each portfolio's backtest. */
  private backtestOf(realized: Float64Array, forecasts: Float64Array, n: number, P: number): (i: number) => RiskBacktest {
    const B = this.backtestWindow;
    const b = this.kernels.varBacktest(
      { data: realized, rows: n, cols: P },
      { data: forecasts, rows: n, cols: P },
      { confidence: this.confidence, window: B },
    );
    return (i) => ({
      observations: b.observations[i],
      window: B,
      exceptions: b.count[i],
      realized: realized[(n - 1) * P + i],
      var: forecasts[(n - 1) * P + i],
      exception: (b.exceptions as { data: Float64Array }).data[(n - 1) * P + i] === 1,
      kupiecPValue: b.kupiecPValue[i],
      independencePValue: b.independencePValue[i],
      christoffersenPValue: b.conditionalCoveragePValue[i],
      zone: TRAFFIC_LIGHT_ZONES[b.zone[i]] ?? 'green',
    });
  }

  /** What the GARCH VaR reads of portfolio `p`: its universe's history and the weights it held in each period. */
  private portfolioHistory(p: Portfolio, history: ReturnsWindow): PortfolioHistory {
    const all = history.matrix();
    return {
      all,
      base: history.total - all.rows,
      since: p.held[0]?.from ?? 0,
      weightsAt: (t) => {
        let k = p.held.length - 1;
        while (k > 0 && p.held[k].from > t) k--;
        return p.held[k].from <= t ? this.heldVector(p.held[k], history) : null;
      },
    };
  }

  /** Weights held in `history`'s column order (resolved once), or null when the universe lacks one of the assets. */
  private heldVector(h: HeldWeights, history: ReturnsWindow): Float64Array | null {
    if (h.vector !== undefined) return h.vector;
    let vector: Float64Array | null = new Float64Array(history.assets.length);
    for (let j = 0; j < h.assets.length && vector; j++) {
      const c = history.columns.get(h.assets[j]);
      if (c === undefined || Number.isNaN(h.weights[j])) vector = null;
      else vector[c] = h.weights[j];
    }
    return (h.vector = vector);
  }

  /** After a restore: the figures and alert states of the restored universes' portfolios, without publishing. */
  private settleRestored(): void {
    for (const strategy of this.staleBooks) this.settleBook(strategy, false);
    this.staleBooks.clear();
    if (this.stale.size === 0) return;
    for (const universe of this.stale) this.evaluate(universe, this.members.get(universe), false);
    this.stale.clear();
  }

  protected get keyCount(): number {
    return this.universeStates.size + this.portfolioStates.size;
  }

  protected override get checkpointable(): boolean {
    return true;
  }

  protected override get joinsInputs(): boolean {
    return true;
  }

  /**
   * A universe's state (key of the returns input), a portfolio's (key of the portfolio input) or the
   * strategies' positions in a symbol (key of the position input) as bytes; see risk-messages.ts and
   * risk-positions.ts.
   */
  protected override snapshotKey(key: string, type: string): Uint8Array {
    if (type === this.positionInput) return this.books.snapshot(key);
    if (type === this.returnsInput) {
      const u = this.universeStates.get(key);
      if (!u) throw new KernelInputError('key', 'a universe of this engine', JSON.stringify(key));
      this.recordTotals.set(key, (u.history ?? u.window).total);
      return encodeUniverse(u, this.garch?.record(key));
    }
    const p = this.portfolioStates.get(key);
    if (!p) throw new KernelInputError('key', 'a portfolio of this engine', JSON.stringify(key));
    return encodePortfolio({ ...p, held: p.held.map(({ from, assets, weights }) => ({ from, assets, weights })) });
  }

  /**
   * A universe's rows appended since its last record (an incremental checkpoint: see
   * encodeUniverseDelta); portfolios are written whole.
   */
  protected override deltaKey(key: string, type: string): Uint8Array | undefined {
    const u = this.universeStates.get(key);
    const since = this.recordTotals.get(key);
    if (type !== this.returnsInput || !u || since === undefined) return undefined;
    const delta = encodeUniverseDelta(u, since, this.garch?.record(key, true));
    if (delta) this.recordTotals.set(key, (u.history ?? u.window).total);
    return delta;
  }

  /**
   * Replaces a universe's or a portfolio's state with bytes from snapshotKey() and a universe's deltas
   * after them (KernelInputError when they are not).
   */
  protected override restoreKey(key: string, bytes: Uint8Array, type: string, deltas: readonly Uint8Array[] = []): void {
    if (type === this.positionInput) {
      for (const strategy of this.books.restore(key, bytes)) this.staleBooks.add(strategy);
    } else if (type === this.returnsInput) {
      const { garch, ...u } = decodeUniverse(bytes, this.window, this.historyRows);
      this.garch?.restore(key, garch);
      for (const delta of deltas) {
        const states = applyUniverseDelta(u, delta);
        if (states !== undefined) this.garch?.applyDelta(key, states);
      }
      this.universeStates.set(key, u);
      this.recent.forget(key);
      this.recordTotals.set(key, (u.history ?? u.window).total);
      for (const id of this.members.get(key) ?? []) {
        const p = this.portfolioStates.get(id)!;
        p.vector = undefined;
        for (const h of p.held) {
          h.vector = undefined;
          h.published = undefined;
        }
      }
      this.stale.add(key);
    } else {
      const parsed = decodePortfolio(bytes);
      this.setPortfolio(key, parsed, 0, parsed.held);
      this.stale.add(parsed.universe);
    }
  }

  protected override extraMetrics(): Record<string, number> {
    return { ...this.totals };
  }

  protected override extraLevels(): Record<string, number> {
    return { universes: this.universeStates.size, portfolios: this.portfolioStates.size };
  }

  /** Each universe's state: its window of returns (`window.matrix()`, oldest row first) and last ts. Read-only use. */
  universes(): ReadonlyMap<string, Readonly<UniverseSnapshot>> {
    this.settleRestored();
    return this.universeStates;
  }

  /** Each portfolio's state: weights, limit, universe, latest figures and alert state. Read-only use. */
  portfolios(): ReadonlyMap<string, Readonly<RiskPortfolioState>> {
    this.settleRestored();
    return this.portfolioStates;
  }
}
