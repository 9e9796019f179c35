/**
 * PortfolioEngine: RETURNS_UPDATE (rows of asset returns per universe) and RISK_ALERT (RiskEngine's,
 * on a portfolio) -> per configured portfolio a rebalance, on a schedule (each time its universe's row
 * count reaches a multiple of `every`) or on an alert of a kind it is configured for (`rebalanceOn`,
 * default VaR-limit alerts only): the covariance by the configured estimator over the universe's
 * rolling window (the risk family's covariance kernel), the window's mean returns for the optimizers
 * that take them, then the configured optimizer with its options and constraints (portfolio-config.ts)
 * -> PORTFOLIO_UPDATE (the weights, which RiskEngine consumes) and ANALYTICS_RESULT
 * (expected volatility and each asset's share of the variance by the risk family's riskContributions
 * kernel, turnover against the weights held before).
 */
import type { BackendChoice } from '../api/kernels.js';
import { installEveryBackend } from '../api/every-backend.js';
import { kernels } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError } from '../errors.js';
import type { Matrix } from '../kernels/matrix.js';
import type { Vector } from '../kernels/labels.js';
import type { RiskContributions } from '../kernels/risk/risk-kernels.js';
import { describeValue } from '../kernels/validate.js';
import { Engine, type EngineOptions } from './engine.js';
import { alertKind, kernelOptions, resolvePortfolios, type PortfolioConfig, type ResolvedPortfolio } from './portfolio-config.js';
import {
  decodeAlertRebalance,
  decodeUniverse,
  encodeAlertRebalance,
  encodeUniverse,
  encodeUniverseDelta,
  type PortfolioResult,
  type Rebalance,
} from './portfolio-messages.js';
import { RecentFramesByKey } from './recent-frames.js';
import { takeReturns } from './returns-intake.js';
import { ReturnsWindow } from './returns-window.js';
import { parseReturnsUpdate, type PortfolioUpdate, type UniverseSnapshot } from './risk-messages.js';

installEveryBackend(); // its kernels run synchronously from the first message

/** Options of PortfolioEngine. */
export interface PortfolioEngineOptions extends Partial<EngineOptions> {
  /** The portfolios it manages (at least one). */
  portfolios: PortfolioConfig[];
  /** Rows (periods) of returns each universe keeps: the covariance's window. Default 120. */
  window?: number;
  /** Rows a universe needs before its portfolios are built. Default 30, at most `window`. */
  minRows?: number;
  /** The universe of a portfolio that names none. Default 'default'. */
  universe?: string;
  /** Kernel backend. Default 'auto'. */
  backend?: BackendChoice;
  /** Input type of returns. Default 'RETURNS_UPDATE'. */
  returnsInput?: string;
  /** Input type of alerts. Default 'RISK_ALERT'. */
  alertInput?: string;
}

export const PORTFOLIO_ENGINE_DEFAULTS = { window: 120, minRows: 30, universe: 'default' } as const;

/** A managed portfolio's state. */
export interface PortfolioState {
  config: ResolvedPortfolio;
  /** The weights held (the later of the two rebalances below), in its universe's column order. */
  weights: Float64Array | undefined;
  /** The last scheduled rebalance (derived from the returns only). */
  scheduled: Rebalance | undefined;
  /** The last alert-driven rebalance. */
  alerted: Rebalance | undefined;
  /** The last figures published (undefined until the first rebalance by this process). */
  result: PortfolioResult | undefined;
  /** Rebalances and alerts ignored (a second alert on a row the portfolio was already rebalanced at) by this process. */
  rebalances: number;
  ignoredAlerts: number;
  /** Alerts of a kind it does not rebalance on (`rebalanceOn`), by this process. */
  skippedAlerts: number;
  /** Why its last rebalance failed (the KernelInputError's message; undefined after a success). */
  lastError: string | undefined;
}

/** The mean of each column over the rows without a NaN (the rows the covariance is estimated from); NaN when there are none. */
function completeRowMeans(returns: Matrix): Float64Array {
  const { data, rows, cols } = returns;
  const mean = new Float64Array(cols);
  let count = 0;
  for (let t = 0; t < rows; t++) {
    const row = data.subarray(t * cols, (t + 1) * cols);
    if (row.some(Number.isNaN)) continue;
    for (let j = 0; j < cols; j++) mean[j] += row[j];
    count++;
  }
  for (let j = 0; j < cols; j++) mean[j] /= count;
  return mean;
}

/** The later of two rebalances (an alert at the same row count as a scheduled one came after it). */
function latest(a: Rebalance | undefined, b: Rebalance | undefined): Rebalance | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.at >= a.at ? b : a;
}

/**
 * Portfolio construction on the bus. Each RETURNS_UPDATE of a universe appends to its window; every
 * portfolio of that universe whose row count crossed a multiple of its `every` (and has `minRows`
 * rows) is rebalanced. A RISK_ALERT keyed by a managed portfolio rebalances it at once, at most once
 * per row count (RiskEngine alerts again on every PORTFOLIO_UPDATE that is still over its limit: the
 * second is ignored, and counted). Idempotent per entry id; a RETURNS_UPDATE stored twice (the same
 * publish time and ts as one of the universe's last 64 applied) is skipped as `republished`. Over
 * Redis its state is checkpointed: each universe (its window and the scheduled rebalances, which the
 * returns alone decide) with the returns stream, each portfolio's last alert-driven rebalance with the
 * alert stream; the weights held are the later of the two. Run one PortfolioEngine per consumer group
 * (it joins its two inputs).
 */
export class PortfolioEngine extends Engine {
  protected readonly inputs: readonly string[];
  private readonly returnsInput: string;
  private readonly kernels: ReturnType<typeof kernels>;
  private readonly window: number;
  private readonly minRows: number;
  /** Universe -> its rows in all when its last checkpoint record (whole or delta) was taken. */
  private readonly recordTotals = new Map<string, number>();
  /** Each universe's last returns updates applied: a republish is one of them. */
  private readonly recent = new RecentFramesByKey();
  private readonly universeStates = new Map<string, UniverseSnapshot>();
  private readonly states = new Map<string, PortfolioState>();
  private readonly byUniverse = new Map<string, PortfolioState[]>();
  private readonly totals = { rows: 0, rebalances: 0, alertRebalances: 0, ignoredAlerts: 0, skippedAlerts: 0, republished: 0, failures: 0 };

  /** Checks the options (KernelInputError naming the option). */
  constructor(bus: Bus, options: PortfolioEngineOptions) {
    super(bus, { ...options, name: options?.name ?? 'portfolio' });
    const { window = PORTFOLIO_ENGINE_DEFAULTS.window, universe = PORTFOLIO_ENGINE_DEFAULTS.universe } = options;
    if (!Number.isInteger(window) || window < 2 || window > 1_000_000)
      throw new KernelInputError('options.window', 'an integer in [2, 1000000]', describeValue(window));
    const minRows = options.minRows ?? Math.min(PORTFOLIO_ENGINE_DEFAULTS.minRows, window);
    if (!Number.isInteger(minRows) || minRows < 2 || minRows > window) {
      throw new KernelInputError('options.minRows', `an integer in [2, ${window}] (the window)`, describeValue(minRows));
    }
    if (typeof universe !== 'string' || universe.length === 0)
      throw new KernelInputError('options.universe', 'a non-empty string', describeValue(universe));
    const returnsInput = options.returnsInput ?? 'RETURNS_UPDATE';
    const alertInput = options.alertInput ?? 'RISK_ALERT';
    for (const [name, value] of [
      ['options.returnsInput', returnsInput],
      ['options.alertInput', alertInput],
    ] as const) {
      if (typeof value !== 'string' || value.length === 0)
        throw new KernelInputError(name, 'a non-empty message type', describeValue(value));
    }
    if (returnsInput === alertInput)
      throw new KernelInputError('options.alertInput', 'a type other than options.returnsInput', JSON.stringify(alertInput));
    for (const config of resolvePortfolios(options.portfolios, universe)) {
      const state: PortfolioState = {
        config,
        weights: undefined,
        scheduled: undefined,
        alerted: undefined,
        result: undefined,
        rebalances: 0,
        ignoredAlerts: 0,
        skippedAlerts: 0,
        lastError: undefined,
      };
      this.states.set(config.id, state);
      const list = this.byUniverse.get(config.universe) ?? [];
      list.push(state);
      this.byUniverse.set(config.universe, list);
    }
    this.kernels = kernels({ backend: options.backend ?? 'auto' });
    this.window = window;
    this.minRows = minRows;
    this.returnsInput = returnsInput;
    this.inputs = [alertInput, returnsInput];
  }

  /** Applies one update (see the class comment); throws KernelInputError, before changing anything, for a bad one. */
  protected process(message: BusMessage): void {
    if (message.type === this.returnsInput) this.onReturns(message);
    else this.onAlert(message);
  }

  private onReturns(message: BusMessage): void {
    const parsed = parseReturnsUpdate(message.payload);
    const u = takeReturns(this.universeStates, this.recent, message, parsed, (assets) => ({
      window: new ReturnsWindow(assets, this.window),
      lastTs: -Infinity,
      lastSentAt: -Infinity,
    }));
    if (!u) {
      this.totals.republished++;
      return;
    }
    const before = u.window.total - parsed.rows;
    this.totals.rows += parsed.rows;
    for (const p of this.byUniverse.get(message.key) ?? []) {
      const due = Math.floor(u.window.total / p.config.every) > Math.floor(before / p.config.every);
      if (due && u.window.rows >= this.minRows) this.rebalance(p, u, 'schedule');
    }
  }

  /**
   * A RISK_ALERT on a managed portfolio of a kind in its `rebalanceOn` rebalances it (once per row
   * count); other kinds are counted as skipped; other keys are not this engine's.
   */
  private onAlert(message: BusMessage): void {
    const p = this.states.get(message.key);
    if (!p) return;
    if (!p.config.rebalanceOn.includes(alertKind(message.payload))) {
      p.skippedAlerts++;
      this.totals.skippedAlerts++;
      return;
    }
    const u = this.universeStates.get(p.config.universe);
    if (!u || u.window.rows < this.minRows) return;
    if (latest(p.scheduled, p.alerted)?.at === u.window.total) {
      p.ignoredAlerts++;
      this.totals.ignoredAlerts++;
      return;
    }
    this.rebalance(p, u, 'alert');
  }

  /**
   * Estimates the covariance over the universe's window, runs the portfolio's optimizer, records the
   * rebalance and publishes PORTFOLIO_UPDATE and ANALYTICS_RESULT. A window or configuration the
   * optimizer cannot use (too few complete rows, a constant asset, infeasible constraints, an asset the
   * configuration names that the universe lacks) leaves the weights as they were, counted in
   * `failures`, its message in the portfolio's `lastError`.
   */
  private rebalance(p: PortfolioState, u: UniverseSnapshot, reason: 'schedule' | 'alert'): void {
    const returns = u.window.matrix();
    let cov: Matrix;
    let weights: Float64Array;
    let risk: RiskContributions<number, Vector>;
    try {
      cov = this.kernels.covariance(returns, { method: p.config.estimator });
      weights = Float64Array.from(this.optimize(p.config, returns, cov, u.window.assets));
      risk = this.kernels.riskContributions(cov, weights);
    } catch (error) {
      if (!(error instanceof KernelInputError)) throw error;
      this.totals.failures++;
      p.lastError = error.message;
      return;
    }
    p.lastError = undefined;
    const previous = p.weights;
    const rebalance: Rebalance = { weights, at: u.window.total };
    if (reason === 'schedule') p.scheduled = rebalance;
    else p.alerted = rebalance;
    p.weights = weights;
    p.rebalances++;
    this.totals.rebalances++;
    if (reason === 'alert') this.totals.alertRebalances++;
    const n = weights.length;
    let turnover = 0;
    for (let i = 0; i < n; i++) turnover += Math.abs(weights[i] - (previous ? previous[i] : 0));
    const assets = [...u.window.assets];
    const result: PortfolioResult = {
      source: 'portfolio',
      engine: this.name,
      universe: p.config.universe,
      optimizer: p.config.optimizer,
      estimator: p.config.estimator,
      reason,
      rows: returns.rows,
      assets,
      weights: Array.from(weights),
      volatility: risk.volatility,
      turnover,
      riskContributions: Array.from(risk.shares),
    };
    p.result = result;
    const update: PortfolioUpdate = { weights: Object.fromEntries(assets.map((a, i) => [a, weights[i]])), universe: p.config.universe };
    if (p.config.limit !== undefined) update.limit = p.config.limit;
    this.emit('PORTFOLIO_UPDATE', { key: p.config.id, ts: u.lastTs, payload: update });
    this.emit('ANALYTICS_RESULT', { key: p.config.id, ts: u.lastTs, payload: result });
  }

  /** The weights of portfolio `c`'s optimizer over the window (its mean returns for the optimizers that take them) and its covariance. */
  private optimize(c: ResolvedPortfolio, returns: Matrix, cov: Matrix, assets: readonly string[]): Float64Array {
    const k = this.kernels;
    const { constraints, budgets } = kernelOptions(c, assets);
    switch (c.optimizer) {
      case 'hrp':
        return k.hrp({ cov }, { linkage: c.linkage }).weights;
      case 'risk-parity':
        return k.riskParity(cov, budgets ? { budgets } : {}).weights;
      case 'min-variance':
        return k.minVariance(cov, constraints).weights;
    }
    const { riskFree, riskAversion, ...rest } = constraints;
    const mean = completeRowMeans(returns);
    const withRf = riskFree === undefined ? rest : { ...rest, riskFree };
    switch (c.optimizer) {
      case 'max-sharpe':
        return k.maxSharpe(mean, cov, withRf).weights;
      case 'max-utility':
        return k.maxUtility(mean, cov, riskAversion === undefined ? withRf : { ...withRf, riskAversion }).weights;
      case 'efficient-return':
        return k.efficientReturn(mean, cov, c.targetReturn as number, withRf).weights;
      default:
        return k.efficientRisk(mean, cov, c.targetVolatility as number, withRf).weights;
    }
  }

  protected get keyCount(): number {
    return this.universeStates.size + this.states.size;
  }

  protected override get checkpointable(): boolean {
    return true;
  }

  protected override get joinsInputs(): boolean {
    return true;
  }

  /** A universe's state (returns input: window and scheduled rebalances) or a portfolio's last alert rebalance (alert input). */
  protected override snapshotKey(key: string, type: string): Uint8Array {
    if (type === this.returnsInput) {
      const u = this.universeStates.get(key);
      if (!u) throw new KernelInputError('key', 'a universe of this engine', JSON.stringify(key));
      this.recordTotals.set(key, u.window.total);
      return encodeUniverse(u, this.scheduledOf(key));
    }
    // an alert on another portfolio, or one not (yet) acted on: nothing to restore
    return encodeAlertRebalance(this.states.get(key)?.alerted);
  }

  /** The scheduled rebalances of a universe's portfolios. */
  private scheduledOf(key: string): Map<string, Rebalance> {
    const scheduled = new Map<string, Rebalance>();
    for (const p of this.byUniverse.get(key) ?? []) if (p.scheduled) scheduled.set(p.config.id, p.scheduled);
    return scheduled;
  }

  /** A universe's rows since its last record and its scheduled rebalances (see encodeUniverseDelta); alerts are written whole. */
  protected override deltaKey(key: string, type: string): Uint8Array | undefined {
    const u = this.universeStates.get(key);
    const since = this.recordTotals.get(key);
    if (type !== this.returnsInput || !u || since === undefined) return undefined;
    const delta = encodeUniverseDelta(u, this.scheduledOf(key), since);
    if (delta) this.recordTotals.set(key, u.window.total);
    return delta;
  }

  /**
   * Replaces a universe's or a portfolio's state with bytes from snapshotKey() and a universe's deltas
   * after them (KernelInputError when they are not).
   */
  protected override restoreKey(key: string, bytes: Uint8Array, type: string, deltas: readonly Uint8Array[] = []): void {
    if (type === this.returnsInput) {
      const { universe, scheduled } = decodeUniverse(bytes, this.window, deltas);
      this.universeStates.set(key, universe);
      this.recent.forget(key);
      this.recordTotals.set(key, universe.window.total);
      for (const p of this.byUniverse.get(key) ?? []) {
        p.scheduled = scheduled.get(p.config.id);
        p.weights = latest(p.scheduled, p.alerted)?.weights;
      }
    } else {
      const p = this.states.get(key);
      if (!p) return; // a portfolio this engine no longer manages
      p.alerted = decodeAlertRebalance(bytes, this.universeStates.get(p.config.universe)?.window.assets.length);
      p.weights = latest(p.scheduled, p.alerted)?.weights;
    }
  }

  protected override extraMetrics(): Record<string, number> {
    return { ...this.totals };
  }

  protected override extraLevels(): Record<string, number> {
    return { universes: this.universeStates.size, portfolios: this.states.size };
  }

  /** Each managed portfolio's state: its configuration, weights held, rebalances and last figures. Read-only use. */
  portfolios(): ReadonlyMap<string, Readonly<PortfolioState>> {
    return this.states;
  }

  /** Each universe's state: its window of returns and last ts. Read-only use. */
  universes(): ReadonlyMap<string, Readonly<UniverseSnapshot>> {
    return this.universeStates;
  }
}
