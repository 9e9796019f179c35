/**
 * Minimizes a smooth function over a polytope (bounds lo <= x <= hi and rows A x >= b): sequential
 * quadratic programming, Newton's model from forward differences of the analytic gradient (k gradients
 * an iteration: a quasi-Newton (BFGS) model stalled short of the optimum on EGARCH's flat directions)
 * or, where the objective has one, its analytic Hessian (hessian.ts: GARCH(1,1) and GJR normal),
 * and a primal active-set QP for each step. The model need only be positive definite on the steps the
 * constraints active at x allow (the likelihood may curve down across a constraint it sits on, GJR's
 * alpha + gamma >= 0): the QP starts with those constraints in its working set and the model is
 * shifted, each diagonal by a multiple of itself, until its reduced Hessian is positive definite; a QP
 * that would release one of them is solved again from an empty working set with the model shifted to
 * positive definite in full. Every iterate is feasible: the QP's step keeps the linear constraints, and
 * a backtracking (Armijo) line search along it stays inside; a full step that undershot (a flat shape
 * parameter) is doubled while f keeps falling. This is how the volatility family reaches the optimum
 * that arch's SLSQP stops short of (docs/volatility.md).
 * native/kernels/volatility/optimize.cpp is the same, function for function.
 */
import { FIT_STATUS } from '../../../kernels/volatility/volatility.js';
import { solveSymmetric } from './model.js';

/** The feasible set: bounds (infinite where none) and rows A x >= b (A rows x n, row-major). */
export interface Polytope {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly rows: number;
}

/** f(x) and, into grad, its gradient (NaN or Infinity where x is outside f's domain). */
export type Objective = (x: Float64Array, grad: Float64Array) => number;
/**
 * f(x), its gradient into grad and its Hessian into hess (n x n, row-major): where given, minimize's
 * Newton model, in place of forward differences of the gradient.
 */
export type Curvature = (x: Float64Array, grad: Float64Array, hess: Float64Array) => number;

export interface Minimum {
  readonly x: Float64Array;
  /** f(x); after a last step taken on the model's word (LAST), the model's value there. */
  readonly f: number;
  readonly iterations: number;
  /** A FIT_STATUS code. */
  readonly status: number;
}

export const MAX_ITERATIONS = 200;
/** Converged when the QP step's predicted decrease is below this times (1 + |f|). */
const TOLERANCE = 1e-14;
/** A line search that fails while the predicted decrease is below this times (1 + |f|) is at the noise floor: converged. */
const NOISE = 1e-11;
/** Iterations in a row whose decrease is below TOLERANCE that end the search: a kink at the optimum (EGARCH's |z| at a residual of 0). */
const STALLS = 3;
/**
 * With an analytic Hessian, a step whose predicted decrease is below this times (1 + |f|) keeps its
 * model for the next (Newton's steps there barely move the Hessian): the line search takes f alone.
 */
const STALE = 1e-6;
/**
 * With the model kept (STALE), a step is the last, taken on the model's word without evaluating f
 * there, when the next step's predicted decrease, at the rate the last step's shrank (the square of this
 * one's over the last's), is below this times TOLERANCE: the next iteration would stop. Only after a
 * full step whose decrease was its prediction's to within TRUST (the model holds there), and where no
 * constraint is active at x or at the step's end.
 */
const LAST = 0.1;
const TRUST = 0.5;
/** A full step whose decrease exceeds the model's by this factor is extended (extend). */
const UNDERSHOOT = 1.25;
const EXTENSIONS = 4;
/** A constraint whose slack is within this times its terms' size (sum |a_i x_i|) is active at x. */
const ACTIVE = 1e-12;
/** A row (or a unit vector) left with less than this of its norm by the rows before it is in their span. */
const INDEPENDENT = 1e-8;
/** A diagonal's unit of shift is at least this times the largest diagonal (shiftedModel). */
const SHIFT_FLOOR = 1e-8;

/** The general rows of the QP at x: each bound and each row as C d >= r (r <= 0 at a feasible x). */
function qpRows(p: Polytope, x: Float64Array): { c: Float64Array; r: Float64Array; m: number } {
  const n = x.length;
  const rows: number[][] = [];
  const rhs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(p.lo[i])) {
      const row = new Array<number>(n).fill(0);
      row[i] = 1;
      rows.push(row);
      rhs.push(Math.min(p.lo[i] - x[i], 0));
    }
    if (Number.isFinite(p.hi[i])) {
      const row = new Array<number>(n).fill(0);
      row[i] = -1;
      rows.push(row);
      rhs.push(Math.min(x[i] - p.hi[i], 0));
    }
  }
  for (let k = 0; k < p.rows; k++) {
    const row = Array.from(p.a.subarray(k * n, (k + 1) * n));
    let ax = 0;
    for (let i = 0; i < n; i++) ax += row[i] * x[i];
    rows.push(row);
    rhs.push(Math.min(p.b[k] - ax, 0));
  }
  const m = rows.length;
  const c = new Float64Array(m * n);
  rows.forEach((row, k) => c.set(row, k * n));
  return { c, r: Float64Array.from(rhs), m };
}

/**
 * The step d minimizing g'd + d'Bd/2 subject to C d >= r (a primal active-set method from d = 0,
 * which is feasible): each iteration solves the equality-constrained problem on the working set,
 * drops the constraint of the most negative multiplier at its optimum, or moves to the first blocking one.
 */
export function qpStep(bm: Float64Array, g: Float64Array, c: Float64Array, r: Float64Array, m: number, n: number): Float64Array {
  return activeSetQp(bm, g, c, r, m, n, []).d;
}

/** Full steps in a row after which the QP reads the multipliers whatever the step (activeSetQp). */
const REFINEMENTS = 20;

/**
 * qpStep from the working set `start` (rows active at d = 0, independent): `kept` false, and the step
 * so far, as soon as one of them would be dropped (B need only be positive definite on the steps they allow).
 */
function activeSetQp(
  bm: Float64Array,
  g: Float64Array,
  c: Float64Array,
  r: Float64Array,
  m: number,
  n: number,
  start: readonly number[],
): { d: Float64Array; kept: boolean } {
  const d = new Float64Array(n);
  const work: number[] = [...start];
  const inWork = new Uint8Array(m);
  for (const k of start) inWork[k] = 1;
  const fixed = start.length;
  // after a full step with nothing blocking, d is the working set's minimizer up to rounding: the next
  // solves refine it until their step is below the tolerance, which rounding can keep above it where B
  // is badly scaled; after REFINEMENTS such steps in a row d stands and only the multipliers are read
  let refinements = 0;
  // rows that may not block a step: one dependent on the working set (dropped as such: it runs along
  // the step), until a row leaves the working set; and the row just dropped by its multiplier, for the
  // next step (which leaves it). Their rounding would otherwise take them back at once, and cycle.
  const skip = new Uint8Array(m);
  let leaving = -1;
  for (let it = 0; it < 10 * (m + n) + 20; it++) {
    const w = work.length;
    const size = n + w;
    const kkt = new Float64Array(size * size);
    const rhs = new Float64Array(size);
    for (let i = 0; i < n; i++) {
      let bd = 0;
      for (let j = 0; j < n; j++) {
        kkt[i * size + j] = bm[i * n + j];
        bd += bm[i * n + j] * d[j];
      }
      rhs[i] = -(g[i] + bd);
      for (let k = 0; k < w; k++) {
        kkt[i * size + n + k] = -c[work[k] * n + i];
        kkt[(n + k) * size + i] = c[work[k] * n + i];
      }
    }
    if (!solveSymmetric(kkt, rhs, size)) {
      if (work.length === 0) return { d, kept: true }; // B itself singular: no step
      if (work.length <= fixed) return { d, kept: false };
      const dependent = work.pop()!; // a dependent working set (degenerate vertex): drop the newest constraint
      skip[dependent] = 1;
      inWork[dependent] = 0;
      continue;
    }
    let norm = 0;
    let dn = 0;
    for (let i = 0; i < n; i++) {
      norm = Math.max(norm, Math.abs(rhs[i]));
      dn = Math.max(dn, Math.abs(d[i]));
    }
    if (norm <= 1e-15 * (1 + dn) || refinements >= REFINEMENTS) {
      refinements = 0;
      let worst = -1;
      let least = -1e-14;
      for (let k = 0; k < w; k++) {
        if (rhs[n + k] < least) {
          least = rhs[n + k];
          worst = k;
        }
      }
      if (worst < 0) return { d, kept: true };
      if (worst < fixed) return { d, kept: false };
      leaving = work[worst];
      skip.fill(0);
      skip[leaving] = 1;
      inWork[leaving] = 0;
      work.splice(worst, 1);
      continue;
    }
    let alpha = 1;
    let blocking = -1;
    for (let k = 0; k < m; k++) {
      if (inWork[k] || skip[k]) continue;
      let cp = 0;
      let cd = 0;
      for (let i = 0; i < n; i++) {
        cp += c[k * n + i] * rhs[i];
        cd += c[k * n + i] * d[i];
      }
      if (cp < -1e-300) {
        const step = Math.max(cd - r[k], 0) / -cp;
        if (step < alpha) {
          alpha = step;
          blocking = k;
        }
      }
    }
    if (leaving >= 0) skip[leaving] = 0;
    leaving = -1;
    for (let i = 0; i < n; i++) d[i] += alpha * rhs[i];
    refinements = blocking < 0 ? refinements + 1 : 0;
    if (blocking >= 0) {
      work.push(blocking);
      inWork[blocking] = 1;
    }
  }
  return { d, kept: true };
}

/** Clamps x into the bounds (the QP's step lands on them up to rounding). */
function clampInto(p: Polytope, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(Math.max(x[i], p.lo[i]), p.hi[i]);
}

/** The symmetrized forward-difference Hessian of the gradient (the identity where a difference overflowed). */
function differenceHessian(f: Objective, p: Polytope, x: Float64Array, g: Float64Array): Float64Array {
  const n = x.length;
  const h = new Float64Array(n * n);
  const xs = Float64Array.from(x);
  const gs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let step = 1e-6 * Math.max(Math.abs(x[i]), 0.1);
    if (x[i] + step > p.hi[i]) step = -step;
    xs[i] = x[i] + step;
    const fi = f(xs, gs);
    xs[i] = x[i];
    for (let j = 0; j < n; j++) h[j * n + i] = Number.isFinite(fi) ? (gs[j] - g[j]) / step : 0;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
  if (!h.every(Number.isFinite)) {
    h.fill(0);
    for (let i = 0; i < n; i++) h[i * n + i] = 1;
  }
  return h;
}

/** An analytic Hessian as the model: differenceHessian's fallback, the identity, where an entry is not finite. */
function modelOf(h: Float64Array, n: number): void {
  if (h.every(Number.isFinite)) return;
  h.fill(0);
  for (let i = 0; i < n; i++) h[i * n + i] = 1;
}

/** v minus its projections on the first `count` orthonormal rows of q (n each), twice (Gram-Schmidt reorthogonalized); its norm. */
function orthogonalize(v: Float64Array, q: Float64Array, count: number, n: number): number {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < count; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[j * n + i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= dot * q[j * n + i];
    }
  }
  let norm = 0;
  for (let i = 0; i < n; i++) norm += v[i] * v[i];
  return Math.sqrt(norm);
}

/**
 * The rows of c (n each) active at x, less those in the span of the ones before them, and an orthonormal
 * basis of the steps they allow (the rows of z: n - kept of them, n each).
 */
function activeRows(c: Float64Array, r: Float64Array, m: number, x: Float64Array): { kept: number[]; z: Float64Array; cols: number } {
  const n = x.length;
  const kept: number[] = [];
  const basis = new Float64Array((n + m) * n); // the kept rows orthonormalized, then z's
  const v = new Float64Array(n);
  for (let k = 0; k < m && kept.length < n; k++) {
    let size = 0;
    let norm = 0;
    for (let i = 0; i < n; i++) {
      size += Math.abs(c[k * n + i] * x[i]);
      norm += c[k * n + i] * c[k * n + i];
    }
    if (!(r[k] >= -ACTIVE * size)) continue;
    for (let i = 0; i < n; i++) v[i] = c[k * n + i];
    const left = orthogonalize(v, basis, kept.length, n);
    if (!(left > INDEPENDENT * Math.sqrt(norm))) continue;
    for (let i = 0; i < n; i++) basis[kept.length * n + i] = v[i] / left;
    kept.push(k);
  }
  let count = kept.length;
  for (let e = 0; e < n && count < n; e++) {
    v.fill(0);
    v[e] = 1;
    const left = orthogonalize(v, basis, count, n);
    if (!(left > INDEPENDENT)) continue;
    for (let i = 0; i < n; i++) basis[count * n + i] = v[i] / left;
    count++;
  }
  return { kept, z: basis.slice(kept.length * n, count * n), cols: count - kept.length };
}

/**
 * Newton's model: h with shift x its own size added to each diagonal (Marquardt's scaling: a parameter of
 * small curvature, a shape parameter beside alpha's, keeps its own), the least shift of 0, 1e-8, 1e-7,
 * ..., 1e8 that makes z h z' positive definite (z's rows a basis of the steps allowed; null: every step);
 * the identity times the largest diagonal when none does.
 */
function shiftedModel(h: Float64Array, z: Float64Array | null, cols: number, n: number): Float64Array {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(h[i * n + i]));
  if (!(scale > 0 && Number.isFinite(scale))) scale = 1;
  const unit = new Float64Array(n);
  for (let i = 0; i < n; i++) unit[i] = Math.max(Math.abs(h[i * n + i]), SHIFT_FLOOR * scale);
  // the reduced model z h z' and the reduced shift z diag(unit) z'
  const reduced = z === null ? Float64Array.from(h) : new Float64Array(cols * cols);
  const reducedUnit = new Float64Array(cols * cols);
  if (z === null) for (let i = 0; i < n; i++) reducedUnit[i * n + i] = unit[i];
  else {
    const hz = new Float64Array(cols * n);
    for (let a = 0; a < cols; a++)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += h[i * n + j] * z[a * n + j];
        hz[a * n + i] = s;
      }
    for (let a = 0; a < cols; a++)
      for (let b = 0; b < cols; b++) {
        let s = 0;
        let u = 0;
        for (let i = 0; i < n; i++) {
          s += z[a * n + i] * hz[b * n + i];
          u += z[a * n + i] * unit[i] * z[b * n + i];
        }
        reduced[a * cols + b] = s;
        reducedUnit[a * cols + b] = u;
      }
    for (let a = 0; a < cols; a++)
      for (let b = 0; b < a; b++) reduced[a * cols + b] = reduced[b * cols + a] = 0.5 * (reduced[a * cols + b] + reduced[b * cols + a]);
  }
  for (let shift = 0; shift <= 1e8; shift = shift === 0 ? 1e-8 : shift * 10) {
    const trial = new Float64Array(cols * cols);
    for (let i = 0; i < cols * cols; i++) trial[i] = reduced[i] + shift * reducedUnit[i];
    if (isPositiveDefinite(trial, cols)) {
      const bm = Float64Array.from(h);
      for (let i = 0; i < n; i++) bm[i * n + i] += shift * unit[i];
      return bm;
    }
  }
  const id = new Float64Array(n * n);
  for (let i = 0; i < n; i++) id[i * n + i] = scale;
  return id;
}

/**
 * The QP's step at x and the model it used: from the constraints active at x with a model positive
 * definite on the steps they allow, or, where the QP would release one of them, from none with a model
 * positive definite in full.
 */
function newtonStep(
  h: Float64Array,
  g: Float64Array,
  x: Float64Array,
  c: Float64Array,
  r: Float64Array,
  m: number,
): { d: Float64Array; bm: Float64Array } {
  const n = x.length;
  const { kept, z, cols } = activeRows(c, r, m, x);
  if (kept.length > 0) {
    const bm = shiftedModel(h, z, cols, n);
    const s = activeSetQp(bm, g, c, r, m, n, kept);
    if (s.kept) return { d: s.d, bm };
  }
  const bm = shiftedModel(h, null, n, n);
  return { d: qpStep(bm, g, c, r, m, n), bm };
}

function isPositiveDefinite(a: Float64Array, n: number): boolean {
  const l = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    let s = l[j * n + j];
    for (let k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    l[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = l[i * n + j];
      for (let k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / d;
    }
  }
  return true;
}

/** Whether a bound or row of p is active at x (its slack within ACTIVE of its terms, activeRows' test). */
function anyActive(p: Polytope, x: Float64Array): boolean {
  const n = x.length;
  const { c, r, m } = qpRows(p, x);
  for (let k = 0; k < m; k++) {
    let size = 0;
    for (let i = 0; i < n; i++) size += Math.abs(c[k * n + i] * x[i]);
    if (r[k] >= -ACTIVE * size) return true;
  }
  return false;
}

function withinRows(p: Polytope, x: Float64Array): boolean {
  const n = x.length;
  for (let r = 0; r < p.rows; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += p.a[r * n + i] * x[i];
    if (!(s >= p.b[r])) return false;
  }
  return true;
}

/**
 * A full step that undershot (decreased f by more than the model predicted: a flat direction, f like
 * 1 / x in a shape parameter, where Newton's steps grow x by half an iteration), doubled while f keeps
 * falling and the point stays feasible, up to EXTENSIONS times: the accepted point into xn, gn; its f returned.
 */
function extend(f: Objective, p: Polytope, x: Float64Array, d: Float64Array, xn: Float64Array, gn: Float64Array, fn: number): number {
  const n = x.length;
  const xt = new Float64Array(n);
  const gt = new Float64Array(n);
  let alpha = 1;
  for (let k = 0; k < EXTENSIONS; k++) {
    alpha *= 2;
    for (let i = 0; i < n; i++) xt[i] = x[i] + alpha * d[i];
    clampInto(p, xt);
    if (!withinRows(p, xt)) return fn;
    const ft = f(xt, gt);
    if (!(ft < fn)) return fn;
    xn.set(xt);
    gn.set(gt);
    fn = ft;
  }
  return fn;
}

/**
 * Minimizes f over p from the feasible x0; with `curvature`, its Hessian is the Newton model and it
 * gives every value and gradient the search takes (f only where a step is extended).
 */
export function minimize(f: Objective, x0: Float64Array, p: Polytope, curvature?: Curvature): Minimum {
  const n = x0.length;
  const x = Float64Array.from(x0);
  clampInto(p, x);
  const g = new Float64Array(n);
  let h: Float64Array = new Float64Array(n * n);
  let hn: Float64Array = new Float64Array(n * n);
  let fx = curvature ? curvature(x, g, h) : f(x, g);
  if (!Number.isFinite(fx)) return { x, f: fx, iterations: 0, status: FIT_STATUS.LINE_SEARCH };
  if (curvature) modelOf(h, n);
  else h = differenceHessian(f, p, x, g);
  const xn = new Float64Array(n);
  const gn = new Float64Array(n);
  let stalls = 0;
  let trusted = 0; // the predicted decrease of the last step where it was full and its decrease matched it; 0 if not
  for (let it = 1; it <= MAX_ITERATIONS; it++) {
    const { c, r, m } = qpRows(p, x);
    const { d, bm } = newtonStep(h, g, x, c, r, m);
    let gd = 0;
    let dbd = 0;
    for (let i = 0; i < n; i++) {
      gd += g[i] * d[i];
      for (let j = 0; j < n; j++) dbd += d[i] * bm[i * n + j] * d[j];
    }
    const predicted = -(gd + 0.5 * dbd);
    const scale = 1 + Math.abs(fx);
    if (!(predicted > TOLERANCE * scale) || !(gd < 0)) return { x, f: fx, iterations: it, status: FIT_STATUS.CONVERGED };
    // near the optimum (a predicted decrease below STALE) Newton's steps barely move the Hessian: the
    // model keeps it, and the line search takes the value and gradient alone (f, not curvature)
    const stale = curvature !== undefined && predicted <= STALE * scale;
    if (stale && trusted > 0 && predicted * predicted <= LAST * TOLERANCE * scale * trusted) {
      // the last step: f's decrease there the model's (Minimum's f its estimate), checked by the next
      // iteration's test in all but name (docs/volatility.md, the optimum)
      let moved = false;
      for (let i = 0; i < n; i++) {
        xn[i] = x[i] + d[i];
        moved ||= xn[i] !== x[i];
      }
      clampInto(p, xn);
      const within = withinRows(p, xn) && !anyActive(p, x) && !anyActive(p, xn);
      if (!moved || within) {
        // a step that rounds to none: converged at x, as the line search's
        if (!moved) return { x, f: fx, iterations: it, status: FIT_STATUS.CONVERGED };
        x.set(xn);
        return { x, f: fx - predicted, iterations: it, status: FIT_STATUS.CONVERGED };
      }
    }
    let alpha = 1;
    let fn = Number.NaN;
    for (let tries = 0; tries < 60; tries++) {
      let moved = false;
      for (let i = 0; i < n; i++) {
        xn[i] = x[i] + alpha * d[i];
        moved ||= xn[i] !== x[i];
      }
      clampInto(p, xn);
      if (!moved) break; // the step rounds to no step: failed
      if (!withinRows(p, xn)) {
        // the QP's step past a row by its rounding (or the clamp's): a shorter one
        alpha *= 0.5;
        continue;
      }
      fn = curvature && !stale ? curvature(xn, gn, hn) : f(xn, gn);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * alpha * gd) break;
      fn = Number.NaN;
      alpha *= 0.5;
    }
    if (Number.isNaN(fn)) {
      const status = predicted <= NOISE * scale ? FIT_STATUS.CONVERGED : FIT_STATUS.LINE_SEARCH;
      return { x, f: fx, iterations: it, status };
    }
    let extended = false;
    if (alpha === 1 && fx - fn > UNDERSHOOT * predicted) {
      const before = fn;
      fn = extend(f, p, x, d, xn, gn, fn);
      extended = fn !== before; // each extension lowers f
    }
    const improved = fx - fn;
    trusted = alpha === 1 && !extended && Math.abs(improved - predicted) <= TRUST * predicted ? predicted : 0;
    x.set(xn);
    g.set(gn);
    fx = fn;
    if (!curvature) {
      h = differenceHessian(f, p, x, g);
    } else if (!stale) {
      if (extended) curvature(x, gn, hn); // the Hessian at the extended point
      [h, hn] = [hn, h];
      modelOf(h, n);
    }
    stalls = improved <= TOLERANCE * scale ? stalls + 1 : 0;
    if (stalls >= STALLS) return { x, f: fx, iterations: it, status: FIT_STATUS.CONVERGED };
  }
  return { x, f: fx, iterations: MAX_ITERATIONS, status: FIT_STATUS.ITERATIONS };
}
