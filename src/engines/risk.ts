/**
 * RiskEngine: RETURNS_UPDATE (rows of asset returns per universe) and PORTFOLIO_UPDATE (weights and a
 * VaR limit per portfolio) -> per portfolio, over its universe's rolling window, the historical and
 * Gaussian VaR/ES and the volatility -> ANALYTICS_RESULT, and RISK_ALERT when the historical VaR
 * reaches the portfolio's limit. Every figure comes from the risk kernels (portfolioReturns,
 * valueAtRisk, performanceStats), all portfolios of a universe in one call each.
 */
import type { BackendChoice } from '../api/kernels.js';
import { kernels } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';
import { Engine, type EngineOptions } from './engine.js';
import { ReturnsWindow } from './returns-window.js';
import {
  decodePortfolio,
  decodeUniverse,
  encodePortfolio,
  encodeUniverse,
  parsePortfolioUpdate,
  parseReturnsUpdate,
  type ParsedPortfolio,
  type RiskAlert,
  type RiskResult,
  type UniverseSnapshot,
} from './risk-messages.js';

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
  /** Kernel backend. Default 'auto'. */
  backend?: BackendChoice;
  /** Input type of returns. Default 'RETURNS_UPDATE'. */
  returnsInput?: string;
  /** Input type of portfolios. Default 'PORTFOLIO_UPDATE'. */
  portfolioInput?: string;
}

export const RISK_ENGINE_DEFAULTS = { window: 250, minRows: 20, confidence: 0.95, universe: 'default' } as const;

/** A portfolio's state: its last PORTFOLIO_UPDATE and its latest figures. */
export interface RiskPortfolioState extends ParsedPortfolio {
  /** The latest figures (undefined while its universe has fewer than minRows rows, is unknown, or lacks an asset). */
  figures: RiskResult | undefined;
  /** The historical VaR was at or above the limit at the last evaluation (no new alert until it falls below). */
  alerting: boolean;
  /** Alerts raised by this process. */
  alerts: number;
  /** Why it has no figures although its universe has enough rows (an asset the universe lacks). */
  problem: string | undefined;
}

interface Portfolio extends RiskPortfolioState {
  /** The weights in its universe's column order; undefined until resolved against that universe. */
  vector: Float64Array | undefined;
}

/**
 * Portfolio VaR/ES and volatility on the bus. After each RETURNS_UPDATE of a universe, and after each
 * PORTFOLIO_UPDATE, every affected portfolio whose universe holds at least `minRows` rows gets an
 * ANALYTICS_RESULT; its RISK_ALERT is edge-triggered (raised when its historical VaR reaches its
 * limit, again only after it has fallen below). A bad payload, or weights naming an asset its known
 * universe lacks, throws KernelInputError (counted in `errors`, retried, then dead-lettered by the bus).
 * Idempotent per entry id; a RETURNS_UPDATE stored twice (published no later and with a ts no later
 * than the universe's last) is skipped as `republished`. Over Redis its state is checkpointed: each
 * universe (window, last ts) with the returns stream, each portfolio (weights, limit, universe) with
 * the portfolio stream; the figures and alert states are derived from them and recomputed, without
 * publishing, after a restore. Run one RiskEngine per consumer group (it joins its two inputs).
 */
export class RiskEngine extends Engine {
  protected readonly inputs: readonly string[];
  private readonly returnsInput: string;
  private readonly kernels: ReturnType<typeof kernels>;
  private readonly window: number;
  private readonly minRows: number;
  private readonly confidence: number;
  private readonly defaultUniverse: string;
  private readonly universeStates = new Map<string, UniverseSnapshot>();
  private readonly portfolioStates = new Map<string, Portfolio>();
  /** universe -> its portfolios (universes without returns yet included). */
  private readonly members = new Map<string, Set<string>>();
  /** Universes whose derived figures must be recomputed (silently) after a restore. */
  private readonly stale = new Set<string>();
  private readonly totals = { rows: 0, results: 0, alerts: 0, republished: 0, unmatched: 0 };

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
    for (const [name, value] of [
      ['options.returnsInput', returnsInput],
      ['options.portfolioInput', portfolioInput],
    ] as const) {
      if (typeof value !== 'string' || value.length === 0)
        throw new KernelInputError(name, 'a non-empty message type', describeValue(value));
    }
    if (returnsInput === portfolioInput)
      throw new KernelInputError('options.portfolioInput', 'a type other than options.returnsInput', JSON.stringify(portfolioInput));
    this.kernels = kernels({ backend: options.backend ?? 'auto' });
    this.window = window;
    this.minRows = minRows;
    this.confidence = confidence;
    this.defaultUniverse = universe;
    this.returnsInput = returnsInput;
    this.inputs = [portfolioInput, returnsInput];
  }

  /** Applies one update (see the class comment); throws KernelInputError, before changing anything, for a bad one. */
  protected process(message: BusMessage): void {
    this.settleRestored();
    if (message.type === this.returnsInput) this.onReturns(message);
    else this.onPortfolio(message);
  }

  private onReturns(message: BusMessage): void {
    const parsed = parseReturnsUpdate(message.payload);
    let u = this.universeStates.get(message.key);
    const columnOf = u ? this.columnsOf(u.window, parsed.assets, message.key) : undefined;
    if (u && message.sentAt <= u.lastSentAt && message.ts <= u.lastTs) {
      this.totals.republished++;
      return;
    }
    if (!u) {
      u = { window: new ReturnsWindow(parsed.assets, this.window), lastTs: -Infinity, lastSentAt: -Infinity };
      this.universeStates.set(message.key, u);
    }
    u.window.append(parsed.values, parsed.rows, columnOf);
    u.lastTs = message.ts;
    if (message.sentAt > u.lastSentAt) u.lastSentAt = message.sentAt;
    this.totals.rows += parsed.rows;
    this.evaluate(message.key, this.members.get(message.key), true);
  }

  /** The column of each of `assets` in the universe's window (undefined: the same order); KernelInputError when they differ. */
  private columnsOf(window: ReturnsWindow, assets: readonly string[], universe: string): number[] | undefined {
    const expected = `the ${window.assets.length} assets of universe '${universe}' (set by its first update)`;
    if (assets.length !== window.assets.length) throw new KernelInputError('payload.assets', expected, `${assets.length} assets`);
    let same = true;
    const columns = assets.map((a, i) => {
      const c = window.columns.get(a);
      if (c === undefined) throw new KernelInputError('payload.assets', expected, `'${a}', which is not one of them`);
      same &&= c === i;
      return c;
    });
    return same ? undefined : columns;
  }

  private onPortfolio(message: BusMessage): void {
    const parsed = parsePortfolioUpdate(message.payload, this.defaultUniverse);
    const window = this.universeStates.get(parsed.universe)?.window;
    for (const a of parsed.assets) {
      if (window && !window.columns.has(a))
        throw new KernelInputError(`payload.weights.${a}`, `an asset of universe '${parsed.universe}'`, 'an asset it does not have');
    }
    this.setPortfolio(message.key, parsed);
    this.evaluate(parsed.universe, new Set([message.key]), true);
  }

  /** Replaces a portfolio's weights, limit and universe (keeping its alert count). */
  private setPortfolio(id: string, parsed: ParsedPortfolio): void {
    const old = this.portfolioStates.get(id);
    if (old && old.universe !== parsed.universe) this.members.get(old.universe)?.delete(id);
    this.portfolioStates.set(id, {
      ...parsed,
      figures: undefined,
      alerting: false,
      alerts: old?.alerts ?? 0,
      problem: undefined,
      vector: undefined,
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
      p.figures = result;
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

  /** After a restore: the figures and alert states of the restored universes' portfolios, without publishing. */
  private settleRestored(): void {
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

  /** A universe's state (key of the returns input) or a portfolio's (key of the portfolio input) as bytes; see risk-messages.ts. */
  protected override snapshotKey(key: string, type: string): Uint8Array {
    if (type === this.returnsInput) {
      const u = this.universeStates.get(key);
      if (!u) throw new KernelInputError('key', 'a universe of this engine', JSON.stringify(key));
      return encodeUniverse(u);
    }
    const p = this.portfolioStates.get(key);
    if (!p) throw new KernelInputError('key', 'a portfolio of this engine', JSON.stringify(key));
    return encodePortfolio(p);
  }

  /** Replaces a universe's or a portfolio's state with bytes from snapshotKey() (KernelInputError when they are not). */
  protected override restoreKey(key: string, bytes: Uint8Array, type: string): void {
    if (type === this.returnsInput) {
      this.universeStates.set(key, decodeUniverse(bytes, this.window));
      for (const id of this.members.get(key) ?? []) this.portfolioStates.get(id)!.vector = undefined;
      this.stale.add(key);
    } else {
      const parsed = decodePortfolio(bytes);
      this.setPortfolio(key, parsed);
      this.stale.add(parsed.universe);
    }
  }

  protected override extraMetrics(): Record<string, number> {
    return { ...this.totals, universes: this.universeStates.size, portfolios: this.portfolioStates.size };
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
