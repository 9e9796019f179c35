/**
 * The volatility processes, one entry each, indexed by the model's `vol` code (arch 8.0's
 * VolatilityProcess classes, arch/univariate/volatility.py): GARCH (GJR's asymmetric terms included),
 * EGARCH and APARCH. An entry says what a process is to the kernels: the rules of its orders, its
 * parameters after beta, arch's bounds and linear constraints, its starting grid, how many steps its
 * analytic forecast has, and its persistence. The reference backend's recursions are in
 * src/backends/reference/volatility/processes.ts; the C++ twin in native/kernels/volatility/.
 * docs/adding-a-kernel.md ("A volatility process") lists the places a new one takes.
 */
import { KernelInputError } from '../../errors.js';
import { powerOf } from '../../math/elementary.js';
import { logGammaPositive } from '../../math/incomplete-gamma.js';
import { logOf } from '../../math/random.js';
import { describeValue } from '../validate.js';

/** What a process reads of a model (volatility.ts Model): its orders and APARCH's fixed power (0: estimated). */
export interface Model {
  readonly p: number;
  readonly o: number;
  readonly q: number;
  readonly delta: number;
}

/** The processes' names, in code order ('gjr' is GARCH with o = 1 by default). */
export const PROCESS_NAMES = ['garch', 'egarch', 'aparch'] as const;
export const VOL_GARCH = 0;
export const VOL_EGARCH = 1;
export const VOL_APARCH = 2;

/** Where a process's parameters start in a parameter vector. */
export interface ProcessIndex {
  readonly iw: number;
  readonly ia: number;
  readonly ig: number;
  readonly ib: number;
  /** The parameters after beta (APARCH's delta). */
  readonly ix: number;
}

/** The OLS residuals the bounds and the starting grid read. */
export interface Residuals {
  /** The residuals (nobs). */
  readonly e: Float64Array;
  /** mean(e^2): arch's `v`. */
  readonly meanSquare: number;
}

/** mean(|e|^d) of the residuals (APARCH's grid's targets); `root`: mean(sqrt |e|) (its omega bound). */
function powerMean(r: Residuals, d: number | 'root'): number {
  let s = 0;
  for (let t = 0; t < r.e.length; t++) s += d === 'root' ? Math.sqrt(Math.abs(r.e[t])) : powerOf(Math.abs(r.e[t]), d);
  return s / r.e.length;
}

/** A polytope under construction: per-parameter bounds and rows `a x >= b`. */
export interface PolytopeRows {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly rows: number[][];
  readonly b: number[];
}

export interface Process {
  readonly name: (typeof PROCESS_NAMES)[number];
  /** The fewest lags p and o, and the rule between them (a KernelInputError naming the option). */
  readonly minP: number;
  readonly minO: number;
  checkOrders(p: number, o: number): void;
  /** The names of its parameters after beta (APARCH's 'delta' where estimated). */
  extras(m: Model): readonly string[];
  /** arch's bounds of omega for these residuals (the filter refuses an omega outside). */
  omegaBounds(s: Residuals): [number, number];
  /** arch's bounds and constraints of the process's parameters (omega's from omegaBounds). */
  polytope(m: Model, at: ProcessIndex, k: number, s: Residuals, into: PolytopeRows): void;
  /** The data-free part of arch's bounds and constraints on given parameters; `fail` throws. */
  check(m: Model, x: Float64Array, at: ProcessIndex, fail: (key: string, expected: string, v: number) => never): void;
  /**
   * arch's starting grid, in arch's order: each candidate's omega..extras written into `sv` (at the
   * indexes of `at`), then `each(sv)` (the fit keeps the best by the Gaussian likelihood).
   */
  starts(m: Model, at: ProcessIndex, s: Residuals, sv: Float64Array, each: () => void): void;
  /** The steps of arch's analytic forecast (Infinity: any horizon). */
  readonly analyticSteps: number;
  /** Persistence and long-run variance (volatility-figures.ts persistenceOf says each process's). */
  persistence(x: ProcessParams): { persistence: number; longRunVariance: number };
}

/** A process's parameters by name. */
export interface ProcessParams {
  readonly omega: number;
  readonly alpha: ArrayLike<number>;
  readonly gamma: ArrayLike<number>;
  readonly beta: ArrayLike<number>;
  /** APARCH's power (estimated or fixed). */
  readonly delta?: number;
}

const sum = (a: ArrayLike<number>, from = 0, n = a.length) => {
  let s = 0;
  for (let i = from; i < from + n; i++) s += a[i];
  return s;
};

/** The grid arch's GARCH and EGARCH starting values share (GARCH.starting_values, EGARCH.starting_values). */
function garchStarts(egarch: boolean, m: Model, at: ProcessIndex, s: Residuals, sv: Float64Array, each: () => void): void {
  const { iw, ia, ig, ib } = at;
  const alphas = [0.01, 0.05, 0.1, 0.2];
  const gammas = egarch ? [-0.1, 0.0, 0.1] : alphas;
  const persistences = [0.5, 0.7, 0.9, 0.98];
  const target = egarch ? logOf(s.meanSquare) : s.meanSquare;
  // a component of order 0 leaves the candidates of its loop equal: arch evaluates them all, and its
  // argmax keeps the first of equals, so the first alone gives the same start
  for (const alpha of m.p > 0 ? alphas : alphas.slice(0, 1))
    for (const gamma of m.o > 0 ? gammas : gammas.slice(0, 1))
      for (const agb0 of persistences) {
        let agb = agb0;
        for (let i = iw; i < ib + m.q; i++) sv[i] = (1 - agb) * target;
        if (m.p > 0) {
          for (let j = 0; j < m.p; j++) sv[ia + j] = alpha / m.p;
          if (!egarch) agb -= alpha;
        }
        if (m.o > 0) {
          for (let j = 0; j < m.o; j++) sv[ig + j] = gamma / m.o;
          if (!egarch) agb -= gamma / 2;
        }
        if (m.q > 0) for (let j = 0; j < m.q; j++) sv[ib + j] = agb / m.q;
        each();
      }
}

/** Bounds [lo, hi] on x[i..i+n). */
function bound(into: PolytopeRows, i: number, n: number, lo: number, hi: number): void {
  for (let j = 0; j < n; j++) {
    into.lo[i + j] = lo;
    into.hi[i + j] = hi;
  }
}

/** A row `sum of weights x >= b`. */
function row(into: PolytopeRows, k: number, b: number, terms: [number, number, number][]): void {
  const r = new Array<number>(k).fill(0);
  for (const [i, n, w] of terms) for (let j = 0; j < n; j++) r[i + j] = w;
  into.rows.push(r);
  into.b.push(b);
}

/** The digits of 1e4 in ln: EGARCH's omega within ln v -+ ln 1e4. */
const LOG_1E4 = logOf(10000);

const orderRule = (rule: boolean, key: string, expected: string, v: number) => {
  if (!rule) throw new KernelInputError(`options.${key}`, expected, describeValue(v));
};

const GARCH: Process = {
  name: 'garch',
  minP: 1,
  minO: 0,
  checkOrders: (p, o) => orderRule(o <= p, 'o', `o <= p (${p})`, o),
  extras: () => [],
  omegaBounds: (s) => [1e-8 * s.meanSquare, 10 * s.meanSquare],
  polytope(m, { iw, ia, ig, ib }, k, s, into) {
    [into.lo[iw], into.hi[iw]] = this.omegaBounds(s);
    bound(into, ia, m.p, 0, 1);
    for (let j = 0; j < m.o; j++) {
      into.lo[ig + j] = j < m.p ? -1 : 0;
      into.hi[ig + j] = 2;
      row(
        into,
        k,
        0,
        j < m.p
          ? [
              [ig + j, 1, 1],
              [ia + j, 1, 1],
            ]
          : [[ig + j, 1, 1]],
      );
    }
    bound(into, ib, m.q, 0, 1);
    row(into, k, -1, [
      [ia, m.p, -1],
      [ig, m.o, -0.5],
      [ib, m.q, -1],
    ]);
  },
  check(m, x, { iw, ia, ig, ib }, fail) {
    if (!(x[iw] > 0)) fail('omega', 'a value > 0', x[iw]);
    let persistence = 0;
    for (let j = 0; j < m.p; j++) {
      within(fail, `alpha[${j}]`, x[ia + j], 0, 1);
      persistence += x[ia + j];
    }
    for (let j = 0; j < m.o; j++) {
      within(fail, `gamma[${j}]`, x[ig + j], j < m.p ? -1 : 0, 2);
      if (j < m.p && x[ia + j] + x[ig + j] < -CONSTRAINT_ROUNDING)
        fail(`gamma[${j}]`, `alpha[${j}] + gamma[${j}] >= 0`, x[ia + j] + x[ig + j]);
      persistence += 0.5 * x[ig + j];
    }
    for (let j = 0; j < m.q; j++) {
      within(fail, `beta[${j}]`, x[ib + j], 0, 1);
      persistence += x[ib + j];
    }
    if (persistence > 1 + CONSTRAINT_ROUNDING) fail('beta', 'a persistence sum(alpha) + sum(gamma) / 2 + sum(beta) <= 1', persistence);
  },
  starts: (m, at, s, sv, each) => garchStarts(false, m, at, s, sv, each),
  analyticSteps: Infinity,
  persistence: (x) => {
    const persistence = sum(x.alpha) + sum(x.gamma) / 2 + sum(x.beta);
    return { persistence, longRunVariance: persistence < 1 ? x.omega / (1 - persistence) : Number.NaN };
  },
};

const EGARCH: Process = {
  name: 'egarch',
  minP: 0,
  minO: 1,
  checkOrders: (p, o) => orderRule(p + o >= 1, 'p', 'p + o >= 1 for EGARCH', p),
  extras: () => [],
  omegaBounds: (s) => [logOf(s.meanSquare) - LOG_1E4, logOf(s.meanSquare) + LOG_1E4],
  polytope(m, { iw, ib }, k, s, into) {
    [into.lo[iw], into.hi[iw]] = this.omegaBounds(s);
    bound(into, ib, m.q, 0, m.q);
    if (m.q > 0) row(into, k, -1, [[ib, m.q, -1]]);
  },
  check(m, x, { ib }, fail) {
    let total = 0;
    for (let j = 0; j < m.q; j++) {
      within(fail, `beta[${j}]`, x[ib + j], 0, m.q);
      total += x[ib + j];
    }
    if (total > 1 + CONSTRAINT_ROUNDING) fail('beta', 'a sum <= 1', total);
  },
  starts: (m, at, s, sv, each) => garchStarts(true, m, at, s, sv, each),
  analyticSteps: 1,
  persistence: (x) => {
    const persistence = sum(x.beta);
    return { persistence, longRunVariance: persistence < 1 ? Math.exp(x.omega / (1 - persistence)) : Number.NaN };
  },
};

/** APARCH's gamma bound (arch: -0.9997 < gamma < 0.9997). */
const APARCH_GAMMA = 0.9997;

const APARCH: Process = {
  name: 'aparch',
  minP: 1,
  minO: 0,
  checkOrders: (p, o) => orderRule(o <= p, 'o', `o <= p (${p})`, o),
  extras: (m) => (m.delta === 0 ? ['delta'] : []),
  omegaBounds: (s) => [0, 10 * Math.max(powerMean(s, 'root'), s.meanSquare)],
  polytope(m, { iw, ia, ig, ib, ix }, k, s, into) {
    [into.lo[iw], into.hi[iw]] = this.omegaBounds(s);
    bound(into, ia, m.p, 0, 1);
    bound(into, ig, m.o, -APARCH_GAMMA, APARCH_GAMMA);
    bound(into, ib, m.q, 0, 1);
    if (m.delta === 0) bound(into, ix, 1, 0.05, 4);
    row(into, k, -1, [
      [ia, m.p, -1],
      [ib, m.q, -1],
    ]);
  },
  check(m, x, { iw, ia, ig, ib, ix }, fail) {
    if (!(x[iw] >= 0)) fail('omega', 'a value >= 0', x[iw]);
    for (let j = 0; j < m.p; j++) within(fail, `alpha[${j}]`, x[ia + j], 0, 1);
    for (let j = 0; j < m.o; j++) within(fail, `gamma[${j}]`, x[ig + j], -APARCH_GAMMA, APARCH_GAMMA);
    for (let j = 0; j < m.q; j++) within(fail, `beta[${j}]`, x[ib + j], 0, 1);
    if (m.delta === 0) within(fail, 'delta', x[ix], 0.05, 4);
    const persistence = sum(x, ia, m.p) + sum(x, ib, m.q);
    if (persistence > 1 + CONSTRAINT_ROUNDING) fail('beta', 'sum(alpha) + sum(beta) <= 1', persistence);
  },
  // APARCH.starting_values: alpha, gamma, alpha + beta and delta (fastest) from arch's lists; omega
  // (1 - ab) mean(e^2)^(delta / 2), computed as arch does (once a delta: the grid repeats it)
  starts(m, { iw, ia, ig, ib, ix }, s, sv, each) {
    const alphas = [0.03, 0.05, 0.08, 0.15];
    const abs = [0.8, 0.9, 0.95, 0.975, 0.99];
    const gammas = m.o > 0 ? [-0.5, 0, 0.5] : [0];
    const deltas = m.delta === 0 ? [0.5, 1.2, 1.8] : [m.delta];
    const targets = deltas.map((delta) => {
      const target = powerMean(s, delta);
      return target * powerOf(s.meanSquare / powerOf(target, 2 / delta), delta / 2);
    });
    for (const alpha of alphas)
      for (const gamma of gammas)
        for (const ab0 of abs)
          for (let di = 0; di < deltas.length; di++) {
            const delta = deltas[di];
            sv[iw] = (1 - ab0) * targets[di];
            for (let j = 0; j < m.p; j++) sv[ia + j] = alpha / m.p;
            const ab = ab0 - alpha;
            for (let j = 0; j < m.o; j++) sv[ig + j] = gamma;
            for (let j = 0; j < m.q; j++) sv[ib + j] = ab / m.q;
            if (m.delta === 0) sv[ix] = delta;
            each();
          }
  },
  analyticSteps: 1,
  // sigma^delta's persistence sum alpha_j E(|z| - gamma_j z)^delta + sum beta under normal z (Ding,
  // Granger and Engle 1993); the long-run variance (omega / (1 - persistence))^(2 / delta)
  persistence: (x) => {
    const delta = x.delta ?? Number.NaN;
    // E|z|^delta for a standard normal: 2^(delta/2) G((delta + 1) / 2) / sqrt(pi)
    const absMoment = (2 ** (delta / 2) * Math.exp(logGammaPositive((delta + 1) / 2))) / Math.sqrt(Math.PI);
    let persistence = sum(x.beta);
    for (let j = 0; j < x.alpha.length; j++) {
      const g = j < x.gamma.length ? x.gamma[j] : 0;
      persistence += x.alpha[j] * 0.5 * ((1 - g) ** delta + (1 + g) ** delta) * absMoment;
    }
    return { persistence, longRunVariance: persistence < 1 ? (x.omega / (1 - persistence)) ** (2 / delta) : Number.NaN };
  },
};

/**
 * How far the sums of the linear constraints (alpha + gamma >= 0, persistence <= 1, EGARCH's sum of
 * beta <= 1) may cross their bound: a fit's optimum on a constraint lands there up to rounding (a
 * GJR fit's alpha + gamma came out -2.2e-18), and its parameters must filter and forecast.
 */
export const CONSTRAINT_ROUNDING = 1e-12;

function within(fail: (key: string, expected: string, v: number) => never, key: string, v: number, lo: number, hi: number): void {
  if (!(v >= lo && v <= hi)) fail(key, `a value in [${lo}, ${hi}]`, v);
}

/** The processes, indexed by the model's `vol` code. */
export const PROCESSES: readonly Process[] = [GARCH, EGARCH, APARCH];

/** The code of a `vol` option ('gjr' is GARCH's). */
export const processOf = (vol: string): number =>
  vol === 'gjr' ? VOL_GARCH : PROCESS_NAMES.indexOf(vol as (typeof PROCESS_NAMES)[number]);
