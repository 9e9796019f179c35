/**
 * RiskEngine's GARCH VaR (option `var: { method: 'garch', ... }`): per portfolio, a conditional
 * volatility model (the volatility family, arch 8.0's conventions) fitted on its returns over the
 * engine's window, refitted every `refit` periods warm-started from the last fit, filtered with the
 * last fit's parameters between refits, and its one-step VaR and ES: garchVar's definition, period by
 * period as the rows come, on 100 x the returns (percent, as arch advises; the figures back in
 * fractions). Its state (the last fit, the VaR published for each period the backtest reads) is kept
 * per universe and portfolio and checkpointed with the universe's record (see risk-messages.ts).
 */
import type { Kernels } from '../api/kernels.js';
import { KernelInputError, describeValue } from '../errors.js';
import type { Matrix } from '../kernels/risk/risk.js';
import { DISTS, MEANS, type Model, type ModelOptions, minObservations, paramCount, type Vol } from '../kernels/volatility/volatility.js';
import { DISTRIBUTIONS } from '../kernels/volatility/volatility-dists.js';
import { persistenceOf } from '../kernels/volatility/volatility-figures.js';
import { type GarchParams, paramsObject, paramsVector, resolveModelOptions } from '../kernels/volatility/volatility-resolve.js';

/** RiskEngineOptions.var: which VaR the engine publishes beside the historical and Gaussian ones. */
export type RiskVarOptions = { method: 'historical' } | RiskGarchOptions;

/** `var: { method: 'garch', ... }`: the model (the volatility family's options) and the refit cadence. */
export interface RiskGarchOptions extends ModelOptions {
  method: 'garch';
  /** Periods between refits: an integer >= 1; default one day of periods, max(1, round(periodsPerYear / 252)): 1 with daily rows. */
  refit?: number;
}

const GARCH_KEYS = ['method', 'vol', 'p', 'o', 'q', 'mean', 'lags', 'dist', 'refit'] as const;

/** The GARCH VaR of a result: the next period's one-step VaR and ES and the fit they come from. */
export interface RiskGarch {
  /** VaR and ES of the next period, positive losses as fractions (NaN when `problem` says why there is none). */
  var: number;
  es: number;
  /** The last fit's parameters (of percent returns: arch's units); absent until a fit succeeded. */
  params?: RiskGarchParams;
  /** sum alpha + sum gamma / 2 + sum beta (EGARCH: sum beta); NaN without params. */
  persistence: number;
  /** Whether the last fit reached the optimum, and how it stopped ('converged', 'iteration limit reached', 'line search failed'). */
  converged: boolean;
  reason: string;
  /** Periods since the last refit (0: refitted for this period). */
  sinceRefit: number;
  /** Why there is no VaR for this period (too few returns, a constant series); absent when there is one. */
  problem?: string;
}

/** A fit's parameters as plain numbers (they travel as JSON to the dashboard). */
export interface RiskGarchParams {
  mu?: number;
  ar?: number[];
  omega: number;
  alpha: number[];
  gamma: number[];
  beta: number[];
  nu?: number;
  lambda?: number;
}

/** The GARCH VaR's configuration, resolved and checked. */
export interface GarchVarConfig {
  /** The model options as the volatility kernels take them. */
  readonly model: Readonly<Omit<RiskGarchOptions, 'method' | 'refit'>>;
  readonly resolved: Model;
  readonly vol: Vol;
  readonly refit: number;
  /** The model and refit as text: a checkpoint of another one is not restored. */
  readonly spec: string;
}

/**
 * The GARCH VaR configuration of RiskEngineOptions.var (undefined: the historical one only), or a
 * KernelInputError naming the option (options.var.<key>); `window` must hold the model's fewest returns.
 */
export function resolveGarchVar(option: unknown, window: number, periodsPerYear: number): GarchVarConfig | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'object' || option === null || Array.isArray(option))
    throw new KernelInputError('options.var', "{ method: 'historical' } or { method: 'garch', ...model, refit? }", describeValue(option));
  const o = option as Record<string, unknown>;
  if (o.method !== 'historical' && o.method !== 'garch')
    throw new KernelInputError('options.var.method', "'historical' or 'garch'", describeValue(o.method));
  const known: readonly string[] = o.method === 'garch' ? GARCH_KEYS : ['method'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new KernelInputError(
      'options.var',
      `only the options ${known.join(', ')}`,
      `unknown option ${unknown.map(describeValue).join(', ')}`,
    );
  if (o.method === 'historical') return undefined;
  const { method: _, refit: given, ...model } = o as unknown as RiskGarchOptions;
  let resolved: Model;
  try {
    resolved = resolveModelOptions(model);
  } catch (e) {
    if (e instanceof KernelInputError) throw new KernelInputError(e.argument.replace(/^options\./, 'options.var.'), e.expected, e.actual);
    throw e;
  }
  const refit = given ?? Math.max(1, Math.round(periodsPerYear / 252));
  if (!(typeof refit === 'number' && Number.isInteger(refit) && refit >= 1 && refit <= 1_000_000))
    throw new KernelInputError('options.var.refit', 'an integer in [1, 1000000] (periods between refits)', describeValue(refit));
  const least = minObservations(resolved) + resolved.lags;
  if (window < least)
    throw new KernelInputError(
      'options.window',
      `at least ${least} rows (the fewest returns of the GARCH model of options.var)`,
      `${window}`,
    );
  const vol = model.vol ?? 'garch';
  const spec = JSON.stringify({
    vol,
    mean: MEANS[resolved.mean],
    dist: DISTS[resolved.dist],
    p: resolved.p,
    o: resolved.o,
    q: resolved.q,
    lags: resolved.lags,
    refit,
  });
  return { model, resolved, vol, refit, spec };
}

/** A portfolio's GARCH state in one universe. */
interface GarchState {
  /** The first period it forecast: refits fall on origin, origin + refit, ... */
  origin: number;
  /** The last period forecast (its figures in `last`). */
  done: number;
  /** The last fit's parameters in arch's order (undefined until a fit succeeded), and the period it was for. */
  params: Float64Array | undefined;
  fittedAt: number;
  converged: boolean;
  reason: string;
  /** The VaR forecast for each period up to `done` the backtest may read (NaN: none), the last for `done`. */
  forecasts: number[];
  /** The first period whose forecast changed since the last checkpoint record (Infinity: none). */
  dirtyFrom: number;
  /** The figures of period `done` (recomputed, not checkpointed). */
  last?: RiskGarch;
}

/** A portfolio's state in a checkpoint (JSON: NaN as null); `forecasts` for periods from `from` to `done`. */
interface GarchStateRecord {
  origin: number;
  done: number;
  params: number[] | null;
  fittedAt: number | null;
  converged: boolean;
  reason: string;
  from: number;
  forecasts: (number | null)[];
}

/** A universe's GARCH states in its checkpoint record. */
export interface GarchUniverseRecord {
  spec: string;
  portfolios: Record<string, GarchStateRecord>;
}

/** What the GARCH VaR reads of a portfolio: its universe's history and the weights in force in each period. */
export interface PortfolioHistory {
  /** The history's rows, oldest first; row 0 is period `base`. */
  all: Matrix;
  base: number;
  /** The period the portfolio's weights were first in force (its first update). */
  since: number;
  /** The weights in force in period t in the history's column order; null where there are none (an asset missing). */
  weightsAt(t: number): Float64Array | null;
}

const num = (x: number | null) => (x === null ? Number.NaN : x);

/**
 * The GARCH VaR of every portfolio (see the module comment): `advance()` forecasts each period since a
 * portfolio's last up to the next one (returning its figures), `forecastOf()` reads them, `record()`,
 * `restore()` and `applyDelta()` carry the states through a checkpoint.
 */
export class GarchVarBook {
  /** universe -> portfolio -> state. */
  private readonly states = new Map<string, Map<string, GarchState>>();
  private readonly alpha: number;
  private readonly k: number;

  constructor(
    readonly config: GarchVarConfig,
    private readonly kernels: Kernels,
    /** Rows of each fit: the engine's window. */
    private readonly window: number,
    confidence: number,
    /** Periods of forecasts kept for the backtest (beside the current one). */
    private readonly keep: number,
  ) {
    this.alpha = 1 - confidence;
    this.k = paramCount(config.resolved);
  }

  /**
   * Forecasts portfolio `id` of `universe` for each period since its last forecast (or its first with
   * a full window of its weights' returns) up to `next`, the period after the history's last row; its
   * figures then are those of `next`. A period the history lacks the window of is skipped.
   */
  advance(universe: string, id: string, next: number, h: PortfolioHistory): RiskGarch | undefined {
    const W = this.window;
    const first = h.base + W; // the first period with W rows before it in the history
    if (next < first) return undefined;
    let byId = this.states.get(universe);
    if (!byId) this.states.set(universe, (byId = new Map()));
    let st = byId.get(id);
    if (!st) {
      const origin = Math.max(first, h.since);
      if (next < origin) return undefined;
      st = {
        origin,
        done: origin - 1,
        params: undefined,
        fittedAt: Number.NaN,
        converged: false,
        reason: 'not fitted',
        forecasts: [],
        dirtyFrom: Number.POSITIVE_INFINITY,
      };
      byId.set(id, st);
    }
    for (let t = Math.max(first, st.done < next ? st.done + 1 : next); t <= next; t++) {
      const weights = h.weightsAt(t);
      const figures = weights ? this.step(st, t, this.series(h, t, weights)) : undefined;
      this.keepForecast(st, t, figures?.var ?? Number.NaN);
      st.last = figures;
    }
    return st.last;
  }

  /** The VaR forecast for `period` (NaN: none). */
  forecastOf(universe: string, id: string, period: number): number {
    const st = this.states.get(universe)?.get(id);
    if (!st) return Number.NaN;
    const i = st.forecasts.length - 1 - (st.done - period);
    return i >= 0 && i < st.forecasts.length ? st.forecasts[i] : Number.NaN;
  }

  /** Forgets a portfolio's state in a universe (it left it: its returns are another series). */
  forget(universe: string, id: string): void {
    this.states.get(universe)?.delete(id);
  }

  /**
   * The GARCH states of `universe` for its checkpoint record: whole, or (`delta`) with only the
   * forecasts that changed since its last record. Undefined: none.
   */
  record(universe: string, delta = false): GarchUniverseRecord | undefined {
    const byId = this.states.get(universe);
    if (!byId || byId.size === 0) return undefined;
    const portfolios: Record<string, GarchStateRecord> = {};
    for (const [id, st] of byId) {
      const kept = delta ? Math.min(st.forecasts.length, Math.max(0, st.done - st.dirtyFrom + 1)) : st.forecasts.length;
      st.dirtyFrom = Number.POSITIVE_INFINITY;
      portfolios[id] = {
        origin: st.origin,
        done: st.done,
        params: st.params ? Array.from(st.params) : null,
        fittedAt: Number.isNaN(st.fittedAt) ? null : st.fittedAt,
        converged: st.converged,
        reason: st.reason,
        from: st.done - kept + 1,
        forecasts: st.forecasts.slice(st.forecasts.length - kept),
      };
    }
    return { spec: this.config.spec, portfolios };
  }

  /** Replaces the GARCH states of `universe` with a record's (a record of another model or refit: none). */
  restore(universe: string, record: unknown): void {
    this.states.delete(universe);
    if (!this.matches(record)) return;
    const byId = new Map<string, GarchState>();
    for (const [id, r] of Object.entries(record.portfolios)) {
      byId.set(id, this.stateOf(r, r.forecasts.map(num)));
    }
    this.states.set(universe, byId);
  }

  /** A portfolio's state from its record (a checkpoint's or a delta's), with these forecasts. */
  private stateOf(r: GarchStateRecord, forecasts: number[]): GarchState {
    return {
      origin: r.origin,
      done: r.done,
      params: r.params && r.params.length === this.k ? Float64Array.from(r.params) : undefined,
      fittedAt: num(r.fittedAt),
      converged: r.converged,
      reason: r.reason,
      forecasts,
      dirtyFrom: Number.POSITIVE_INFINITY,
    };
  }

  /** Applies a delta's states after the record restored: each portfolio's fit replaced, its forecasts from the delta's `from` on. */
  applyDelta(universe: string, record: unknown): void {
    if (!this.matches(record)) return;
    let byId = this.states.get(universe);
    if (!byId) this.states.set(universe, (byId = new Map()));
    for (const [id, r] of Object.entries(record.portfolios)) {
      const old = byId.get(id);
      // the old forecasts before the delta's first period, NaN for any period between them
      const same = old !== undefined && old.origin === r.origin;
      const before = same ? old.forecasts.slice(0, Math.max(0, old.forecasts.length - Math.max(0, old.done - r.from + 1))) : [];
      const gap = same ? Math.max(0, r.from - old.done - 1) : 0;
      byId.set(
        id,
        this.stateOf(r, [...before, ...new Array<number>(gap).fill(Number.NaN), ...r.forecasts.map(num)].slice(-(this.keep + 1))),
      );
    }
  }

  /** Whether a record is one of this model and refit. */
  private matches(record: unknown): record is GarchUniverseRecord {
    const r = record as GarchUniverseRecord | undefined;
    return typeof r === 'object' && r !== null && r.spec === this.config.spec && typeof r.portfolios === 'object' && r.portfolios !== null;
  }

  /** Keeps the forecast of `period` (the one after `done`, or `done` again) and the last `keep` before it. */
  private keepForecast(st: GarchState, period: number, forecast: number): void {
    st.dirtyFrom = Math.min(st.dirtyFrom, Math.max(st.done + 1, period - this.keep), period);
    if (period === st.done && st.forecasts.length > 0) st.forecasts[st.forecasts.length - 1] = forecast;
    else {
      if (period - st.done > this.keep + 1) st.forecasts.length = 0; // a gap longer than the backtest
      for (let t = Math.max(st.done + 1, period - this.keep); t < period; t++) st.forecasts.push(Number.NaN); // periods skipped
      st.forecasts.push(forecast);
      st.done = period;
    }
    if (st.forecasts.length > this.keep + 1) st.forecasts.splice(0, st.forecasts.length - this.keep - 1);
  }

  /** 100 x the portfolio's returns over the W periods before `t` (missing ones left out). */
  private series(h: PortfolioHistory, t: number, weights: Float64Array): Float64Array {
    const { all } = h;
    const lo = t - this.window - h.base;
    const rows = { data: all.data.subarray(lo * all.cols, (t - h.base) * all.cols), rows: this.window, cols: all.cols };
    const book = this.kernels.portfolioReturns(rows, weights);
    let n = 0;
    for (let i = 0; i < book.length; i++) if (!Number.isNaN(book[i])) book[n++] = 100 * book[i];
    return book.subarray(0, n);
  }

  /**
   * Period t's VaR and ES from the returns `y` before it (garchVar's step): a refit on the cadence
   * (warm-started from the last fit), or where the last fit's omega left this window's bounds;
   * otherwise the last fit filters `y`. A KernelInputError of the volatility kernels (too few returns,
   * a constant series) gives figures without a VaR, saying why; the last fit stays.
   */
  private step(st: GarchState, t: number, y: Float64Array): RiskGarch {
    const due = st.params === undefined || (st.fittedAt < t && (t - st.origin) % this.config.refit === 0);
    try {
      let f = due ? undefined : this.forecast(y, st.params!);
      if (!f) {
        const fit = this.kernels.garch(y, { ...this.config.model, ...(st.params && { startingValues: st.params }) });
        st.params = paramsVector(this.config.resolved, fit.params, 'params');
        st.fittedAt = t;
        st.converged = fit.converged;
        st.reason = fit.reason;
        f = this.forecast(y, st.params);
        if (!f) throw new KernelInputError('params.omega', "a value within arch's bounds for these returns", 'out of bounds after a refit');
      }
      const { dist } = this.config.resolved;
      const { tail, shapes } = DISTRIBUTIONS[dist];
      const [q, eq] = tail(st.params!.subarray(this.k - shapes.length), this.alpha);
      const sigma = Math.sqrt(f.variance);
      return { ...this.fitFigures(st, t), var: -(f.mean + sigma * q) / 100, es: -(f.mean + sigma * eq) / 100 };
    } catch (e) {
      if (!(e instanceof KernelInputError)) throw e;
      return { ...this.fitFigures(st, t), var: Number.NaN, es: Number.NaN, problem: e.message };
    }
  }

  /** The one-step mean and residual variance of `y` at `params`, or undefined where omega is out of this window's bounds. */
  private forecast(y: Float64Array, params: Float64Array): { mean: number; variance: number } | undefined {
    try {
      const f = this.kernels.garchForecast({ returns: y, ...this.config.model, params }, { horizon: 1 });
      return { mean: f.mean[0], variance: f.residualVariance[0] };
    } catch (e) {
      if (e instanceof KernelInputError && e.argument === 'params.omega') return undefined;
      throw e;
    }
  }

  /** The fit's part of the figures: its parameters, persistence, convergence, age. */
  private fitFigures(st: GarchState, t: number): Omit<RiskGarch, 'var' | 'es'> {
    const sinceRefit = Number.isNaN(st.fittedAt) ? Number.NaN : t - st.fittedAt;
    if (!st.params) return { persistence: Number.NaN, converged: false, reason: st.reason, sinceRefit };
    const p: GarchParams = paramsObject(this.config.resolved, st.params);
    const params: RiskGarchParams = {
      ...(p.mu !== undefined && { mu: p.mu }),
      ...(p.ar && { ar: Array.from(p.ar) }),
      omega: p.omega,
      alpha: Array.from(p.alpha),
      gamma: Array.from(p.gamma),
      beta: Array.from(p.beta),
      ...(p.nu !== undefined && { nu: p.nu }),
      ...(p.lambda !== undefined && { lambda: p.lambda }),
    };
    return { params, persistence: persistenceOf(this.config.vol, p).persistence, converged: st.converged, reason: st.reason, sinceRefit };
  }
}
