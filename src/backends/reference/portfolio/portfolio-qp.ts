/**
 * The portfolio family's quadratic program solver (the reference; native/kernels/portfolio/portfolio_qp.cpp is
 * the same algorithm, step for step, in the same order of operations):
 *
 *   minimize 1/2 x'Hx + c'x   s.t.   lower <= x <= upper,   rlo <= A x <= rhi
 *
 * H (n x n) positive semidefinite, bounds and row sides may be infinite, a row with rlo = rhi is an
 * equality. A primal active-set method that keeps its working set's KKT matrix nonsingular (Gill and
 * Murray's inertia-controlling method; Nocedal and Wright, Numerical Optimization, 2nd ed., 16.5):
 *
 * - Phase 1 finds a feasible vertex: each variable starts at its bound nearest 0 (a variable with 0
 *   strictly inside its bounds is held there by a temporary bound), and each row that is an equality
 *   or violated gets an artificial variable s_i a_i (a_i >= 0) that makes it hold; the linear program
 *   min sum(a) is solved by the same iterations (H = 0). An equality's artificial at 0 may change
 *   sides (its sign flipped when the other side lowers the sum: in effect two artificials, one of them
 *   0), and a row that joins the working set at a side takes up, with its artificial at 0, a violation
 *   past that side: the sum is the rows' L1 shortfall, so a problem whose sides were rounded one way,
 *   and whose nearly dependent rows (or a coefficient of 1e-10) amplify that at a vertex of the wrong
 *   pair, still ends at a sum of rounding size. A positive artificial at its optimum is a row no
 *   portfolio within the bounds satisfies: infeasible, and which.
 * - Phase 2 solves the QP from there, the artificials held in [0, 0] (a free one leaves at the first
 *   step). Each iteration solves the equality-constrained QP of the working set (free variables, active
 *   rows) by an LU factorisation of its KKT matrix (at a vertex whose KKT matrix it refuses, of the
 *   working rows alone: factorVertex); a step is cut at the first constraint it would
 *   cross, which joins the working set (one that would leave it singular depends on it and is passed
 *   over: joinable()). At a stationary point the multipliers decide: all of the right
 *   sign is the optimum, else the most violated constraint leaves along the direction that keeps the
 *   others active (zero curvature along it: the step runs to the next constraint, none = unbounded;
 *   negative curvature: H is not positive semidefinite, at that asset).
 *
 * Exact in the sense that the optimum is the solution of one linear system: stationarity and the
 * active constraints hold to rounding. A warm start (the previous problem's working set, when its
 * point is feasible here) skips phase 1.
 */

/** The outcome of a solve. */
export const QpStatus = { OPTIMAL: 0, INFEASIBLE: 1, UNBOUNDED: 2, NOT_PSD: 3, NOT_CONVERGED: 4 } as const;

/** A problem in the solver's form (see the module's comment). */
export interface QpProblem {
  readonly n: number;
  readonly H: Float64Array;
  readonly c: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly m: number;
  readonly A: Float64Array;
  readonly rlo: Float64Array;
  readonly rhi: Float64Array;
}

/** What a solve gives: the status, the iterations, and for a fault where (a row, an asset) and a value. */
export interface QpResult {
  status: number;
  iterations: number;
  /** INFEASIBLE: the row; NOT_PSD: the asset; UNBOUNDED: the asset or row whose leaving found no end. */
  where: number;
  /** INFEASIBLE: the row's shortfall; NOT_PSD: the curvature found. */
  value: number;
}

// variable states
const FREE = 0;
const AT_LOWER = 1;
const AT_UPPER = 2;
const TEMP = 3; // held at its value by a temporary bound (0 strictly inside its bounds)
// row states
const INACTIVE = 0;
const AT_LO = 1;
const AT_HI = 2;
const EQUAL = 3;

const MAX_ITERATIONS_PER_VARIABLE = 20;
/** Not in the factorization (QpSolver.pos). */
const NONE = -1;
/** A step below this (relative to the free variables' size) is rounding: the point is stationary. */
const STEP_TOL = 1e-12;

/** The solver's state: reusable across problems of one shape (the working set is the warm start). */
export class QpSolver {
  readonly n: number;
  readonly m: number;
  /** The variables, then one artificial per row. */
  readonly x: Float64Array;
  private readonly vstate: Int8Array;
  private readonly rstate: Int8Array;
  /** The artificial's sign in its row (+1 or -1). */
  private readonly sign: Float64Array;
  private readonly g: Float64Array;
  private readonly rowValue: Float64Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly cost: Float64Array;
  private free: Int32Array;
  private work: Int32Array;
  private nf = 0;
  private nw = 0;
  /**
   * The KKT matrix's LU (rows `ld` apart) over the items `ord` (a variable j, or a row i as n + m + i):
   * the free variables and working rows as factor() found them, then the variables appended one at a
   * time since (`pos`: an item's place, NONE when not in it); kktSolve maps nf + nw values through it.
   */
  private K = new Float64Array(0);
  private perm = new Int32Array(0);
  private ord = new Int32Array(0);
  private pos = new Int32Array(0);
  private col = new Float64Array(0);
  private row = new Float64Array(0);
  private buf = new Float64Array(0);
  private out = new Float64Array(0);
  private ld = 0;
  private fs = 0;
  private fnf = 0;
  private fnw = 0;
  private big = 0;
  private factored = false;
  /** factor() found a vertex whose KKT LU it refused: A_F alone factored (factorVertex), kktSolve solves through it. */
  private vertex = false;
  private V = new Float64Array(0);
  private vperm = new Int32Array(0);
  private vscale = new Float64Array(0);
  private readonly rhs: Float64Array;
  private readonly sol: Float64Array;
  private readonly dir: Float64Array;
  private readonly hd: Float64Array;
  private warm = false;
  private hasH = false;
  private p!: QpProblem;
  private iterations = 0;
  private scaleH = 0;
  /** What ratio() found in the way: a variable or row (-1: none), and the state it joins the working set in. */
  private blocking = { block: -1, blockRow: false, blockState: 0 };
  /** The constraints this step's ratio test passes over (joinable() refused them): a variable j at j, a row i at n + m + i. */
  private readonly passed: Uint8Array;
  private readonly passedList: Int32Array;
  private npassed = 0;
  /** The free variables and working rows kept over joinable()'s trial. */
  private readonly trialFree: Int32Array;
  private readonly trialWork: Int32Array;
  /** factor() already ran for the working set now set (joinable()'s trial): the next call keeps it. */
  private ready = false;

  constructor(n: number, m: number) {
    this.n = n;
    this.m = m;
    const v = n + m;
    this.x = new Float64Array(v);
    this.vstate = new Int8Array(v);
    this.rstate = new Int8Array(m);
    this.sign = new Float64Array(m);
    this.g = new Float64Array(v);
    this.rowValue = new Float64Array(m);
    this.lo = new Float64Array(v);
    this.hi = new Float64Array(v);
    this.cost = new Float64Array(v);
    this.free = new Int32Array(v);
    this.work = new Int32Array(m);
    this.rhs = new Float64Array(v + m);
    this.sol = new Float64Array(v + m);
    this.dir = new Float64Array(v);
    this.hd = new Float64Array(v);
    this.passed = new Uint8Array(v + m);
    this.passedList = new Int32Array(v + m);
    this.trialFree = new Int32Array(v);
    this.trialWork = new Int32Array(m);
  }

  /** Drops the last optimum (a problem solved another way came between): the next solve starts cold. */
  forget(): void {
    this.warm = false;
  }

  /** Solves `p` (of this solver's n and m), warm from the last optimum when `warm` and it is feasible here. */
  solve(p: QpProblem, warm: boolean): QpResult {
    this.p = p;
    this.factored = false;
    this.ready = false;
    this.iterations = 0;
    const { n, m } = this;
    let scale = 0;
    for (let k = 0; k < n * n; k++) scale = Math.max(scale, Math.abs(p.H[k]));
    this.scaleH = scale;
    if (!(warm && this.warm && this.feasibleHere())) {
      const r = this.phaseOne();
      if (r.status !== QpStatus.OPTIMAL) return this.finish(r);
    }
    // phase 2: the artificials held at 0, the objective
    for (let i = 0; i < m; i++) {
      this.lo[n + i] = 0;
      this.hi[n + i] = 0;
    }
    for (let j = 0; j < n; j++) {
      this.lo[j] = p.lower[j];
      this.hi[j] = p.upper[j];
      this.cost[j] = p.c[j];
    }
    for (let i = 0; i < m; i++) this.cost[n + i] = 0;
    this.hasH = true;
    this.factored = false;
    this.gradient();
    const r = this.iterate();
    // a step of a size that overflows, or rows met only to the conditioning of a degenerate working set
    // (duplicated rows, nearly parallel): no optimum to report
    if (r.status === QpStatus.OPTIMAL && !this.holds()) r.status = QpStatus.NOT_CONVERGED;
    return this.finish(r);
  }

  /** Records whether the next problem may start from this one's working set. */
  private finish(r: QpResult): QpResult {
    this.warm = r.status === QpStatus.OPTIMAL;
    r.iterations = this.iterations;
    return r;
  }

  /** The last optimum within the bounds and rows of the problem now set (a warm start may begin there). */
  private feasibleHere(): boolean {
    const { n, m, p, x } = this;
    for (let j = 0; j < n; j++) {
      const s = this.vstate[j];
      if (s === AT_LOWER) x[j] = p.lower[j];
      else if (s === AT_UPPER) x[j] = p.upper[j];
      if (!(x[j] >= p.lower[j] && x[j] <= p.upper[j])) return false;
      if (s === TEMP && !(p.lower[j] < x[j] && x[j] < p.upper[j])) return false;
    }
    for (let i = 0; i < m; i++) {
      const r = this.rowOf(i);
      const tol = 1e-13 * (1 + this.rowScale(i));
      const s = this.rstate[i];
      if (s === EQUAL && !(p.rlo[i] === p.rhi[i] && Math.abs(r - p.rlo[i]) <= tol)) return false;
      if (s === AT_LO && !(Math.abs(r - p.rlo[i]) <= tol)) return false;
      if (s === AT_HI && !(Math.abs(r - p.rhi[i]) <= tol)) return false;
      if (s === INACTIVE && !(r >= p.rlo[i] - tol && r <= p.rhi[i] + tol)) return false;
      if (this.x[n + i] !== 0) return false;
      this.rowValue[i] = r;
    }
    return true;
  }

  /** x is finite, within its bounds and meets every row to 1e-9 of their scale. */
  private holds(): boolean {
    const { n, m, p, x } = this;
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(x[j])) return false;
      // a free variable far past a bound: steps along a working set singular but for rounding
      if (!(x[j] >= p.lower[j] - 1e-9 * (1 + Math.abs(p.lower[j])) && x[j] <= p.upper[j] + 1e-9 * (1 + Math.abs(p.upper[j])))) return false;
    }
    for (let i = 0; i < m; i++) {
      const r = this.rowOf(i);
      const tol = 1e-9 * (1 + this.rowScale(i));
      if (!(r >= p.rlo[i] - tol && r <= p.rhi[i] + tol)) return false;
    }
    return true;
  }

  /** Row i's value at x (the variables only). */
  private rowOf(i: number): number {
    const { n, p, x } = this;
    let r = 0;
    for (let j = 0; j < n; j++) r += p.A[i * n + j] * x[j];
    return r;
  }

  /** The magnitude row i's value is computed at: sum |A_ij x_j| and its finite sides. */
  private rowScale(i: number): number {
    const { n, p, x } = this;
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(p.A[i * n + j] * x[j]);
    if (Number.isFinite(p.rlo[i])) s = Math.max(s, Math.abs(p.rlo[i]));
    if (Number.isFinite(p.rhi[i])) s = Math.max(s, Math.abs(p.rhi[i]));
    return s;
  }

  /** Phase 1: the start (see the module's comment) and min sum(artificials); INFEASIBLE naming a row. */
  private phaseOne(): QpResult {
    const { n, m, p, x } = this;
    for (let j = 0; j < n; j++) {
      const l = p.lower[j];
      const u = p.upper[j];
      this.lo[j] = l;
      this.hi[j] = u;
      this.cost[j] = 0;
      if (l >= 0) {
        x[j] = l;
        this.vstate[j] = AT_LOWER;
      } else if (u <= 0) {
        x[j] = u;
        this.vstate[j] = AT_UPPER;
      } else {
        x[j] = 0;
        this.vstate[j] = TEMP;
      }
    }
    for (let i = 0; i < m; i++) {
      const r = this.rowOf(i);
      const a = n + i;
      this.lo[a] = 0;
      this.hi[a] = Infinity;
      this.cost[a] = 1;
      let target = r;
      if (p.rlo[i] === p.rhi[i]) {
        this.rstate[i] = EQUAL;
        target = p.rlo[i];
      } else if (r < p.rlo[i]) {
        this.rstate[i] = AT_LO;
        target = p.rlo[i];
      } else if (r > p.rhi[i]) {
        this.rstate[i] = AT_HI;
        target = p.rhi[i];
      } else {
        this.rstate[i] = INACTIVE;
      }
      this.sign[i] = target >= r ? 1 : -1;
      x[a] = Math.abs(target - r);
      this.vstate[a] = this.rstate[i] === INACTIVE ? AT_LOWER : FREE;
      this.rowValue[i] = this.rstate[i] === INACTIVE ? r : target;
    }
    this.hasH = false;
    this.factored = false;
    this.gradient();
    const r = this.iterate();
    if (r.status !== QpStatus.OPTIMAL) return r;
    // a positive artificial: that row cannot hold within the bounds and the other rows
    let worst = -1;
    let shortfall = 0;
    for (let i = 0; i < m; i++) {
      const a = x[n + i];
      if (a > 1e-11 * (1 + this.rowScale(i)) && a > shortfall) {
        shortfall = a;
        worst = i;
      }
    }
    if (worst >= 0) return { status: QpStatus.INFEASIBLE, iterations: 0, where: worst, value: shortfall };
    for (let i = 0; i < m; i++) x[n + i] = 0;
    return r;
  }

  /** g = H x + cost over every variable (the artificials have no curvature). */
  private gradient(): void {
    const { n, m, x, g } = this;
    const H = this.p.H;
    for (let i = 0; i < n; i++) {
      let s = this.cost[i];
      if (this.hasH) for (let j = 0; j < n; j++) s += H[i * n + j] * x[j];
      g[i] = s;
    }
    for (let i = 0; i < m; i++) g[n + i] = this.cost[n + i];
  }

  /** H(i, j) of the extended problem. */
  private h(i: number, j: number): number {
    return this.hasH && i < this.n && j < this.n ? this.p.H[i * this.n + j] : 0;
  }

  /** A(i, j) of the extended problem (the artificial's sign in its own row). */
  private a(i: number, j: number): number {
    const { n } = this;
    return j < n ? this.p.A[i * n + j] : j === n + i ? this.sign[i] : 0;
  }

  /**
   * The free variables and the working rows, ascending; the KKT matrix factored. False when singular.
   * In phase 2, with the same working rows and one variable freed since the last factorization, its row
   * and column are appended to the factors (refactored when the new pivot is small).
   */
  private factor(): boolean {
    const { n, m } = this;
    let nf = 0;
    for (let j = 0; j < n + m; j++) if (this.vstate[j] === FREE) this.free[nf++] = j;
    let nw = 0;
    for (let i = 0; i < m; i++) if (this.rstate[i] !== INACTIVE) this.work[nw++] = i;
    this.nf = nf;
    this.nw = nw;
    if (this.ready) {
      this.ready = false;
      return true;
    }
    this.vertex = false;
    if (this.factored && this.hasH && nw === this.fnw && nf === this.fnf + 1) {
      let same = true;
      for (let k = 0; k < nw && same; k++) same = this.pos[n + m + this.work[k]] !== NONE;
      let added = NONE;
      let kept = 0;
      for (let k = 0; k < nf && same; k++) {
        if (this.pos[this.free[k]] !== NONE) kept++;
        else added = this.free[k];
      }
      if (same && kept === this.fnf && added !== NONE && this.append(added)) return true;
    }
    if (this.refactor()) return true;
    return nf === nw && this.factorVertex();
  }

  /**
   * A vertex (as many working rows as free variables) whose KKT matrix the LU refused. Its determinant
   * is det(A_F)^2: rows nearly dependent over the free variables (the budget row and a return row whose
   * two free assets' means are 1e-9 apart) square into a pivot below the KKT's tolerance while A_F alone
   * is well within its own. There the step solves A_F p = r_W and the multipliers A_F' lambda = r_F - H p
   * (kktSolve), through the LU of A_F with each row scaled to its largest entry (the pivots measure
   * dependence, not the rows' units). False when A_F is singular too.
   */
  private factorVertex(): boolean {
    const s = this.nw;
    if (this.V.length < s * s) this.V = new Float64Array(s * s);
    if (this.vperm.length < s) this.vperm = new Int32Array(s);
    if (this.vscale.length < s) this.vscale = new Float64Array(s);
    for (let r = 0; r < s; r++) {
      let big = 0;
      for (let c = 0; c < s; c++) big = Math.max(big, Math.abs(this.a(this.work[r], this.free[c])));
      const d = big > 0 ? 1 / big : 1;
      this.vscale[r] = d;
      for (let c = 0; c < s; c++) this.V[r * s + c] = d * this.a(this.work[r], this.free[c]);
    }
    this.vertex = luFactor(this.V, s, this.vperm);
    return this.vertex;
  }

  /** The KKT matrix's entry between the items at places p and q of `ord`. */
  private entry(p: number, q: number): number {
    const v = this.n + this.m;
    const i = this.ord[p];
    const j = this.ord[q];
    if (i < v && j < v) return this.h(i, j);
    if (i < v) return this.a(j - v, i);
    if (j < v) return this.a(i - v, j);
    return 0;
  }

  /** The KKT matrix of the free variables and working rows ([F; W]), factored whole. */
  private refactor(): boolean {
    const { n, m, nf, nw } = this;
    const v = n + m;
    const s = nf + nw;
    if (this.pos.length < v + m) this.pos = new Int32Array(v + m).fill(NONE);
    for (let k = 0; k < this.fs; k++) this.pos[this.ord[k]] = NONE;
    // room to append up to 16 variables before the next refactorization
    const ld = s + 16;
    this.ld = ld;
    if (this.K.length < ld * ld) this.K = new Float64Array(ld * ld);
    if (this.perm.length < ld) {
      this.perm = new Int32Array(ld);
      this.ord = new Int32Array(ld);
      this.col = new Float64Array(ld);
      this.row = new Float64Array(ld);
      this.buf = new Float64Array(ld);
      this.out = new Float64Array(ld);
    }
    for (let k = 0; k < nf; k++) this.ord[k] = this.free[k];
    for (let k = 0; k < nw; k++) this.ord[nf + k] = v + this.work[k];
    for (let k = 0; k < s; k++) this.pos[this.ord[k]] = k;
    this.fs = s;
    this.fnf = nf;
    this.fnw = nw;
    const K = this.K;
    for (let r = 0; r < nf; r++) {
      const fr = this.free[r];
      for (let c = 0; c < nf; c++) K[r * ld + c] = this.h(fr, this.free[c]);
      for (let c = 0; c < nw; c++) {
        const x = this.a(this.work[c], fr);
        K[r * ld + nf + c] = x;
        K[(nf + c) * ld + r] = x;
      }
    }
    for (let r = 0; r < nw; r++) for (let c = 0; c < nw; c++) K[(nf + r) * ld + nf + c] = 0;
    let big = 0;
    for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) big = Math.max(big, Math.abs(K[r * ld + c]));
    this.big = big;
    this.factored = luFactor(K, s, this.perm, ld);
    return this.factored;
  }

  /** Variable j's row and column appended to the factors; false (refactor) when its pivot is small. */
  private append(j: number): boolean {
    const s = this.fs;
    const ld = this.ld;
    if (s + 1 > ld) return false;
    const { K, perm } = this;
    // the new column (= row: K is symmetric) in the items' order, and its diagonal
    this.ord[s] = j;
    const c = this.col;
    let big = this.big;
    for (let q = 0; q < s; q++) {
      c[q] = this.entry(s, q);
      big = Math.max(big, Math.abs(c[q]));
    }
    const w = this.h(j, j);
    big = Math.max(big, Math.abs(w));
    // U's new column y = L^-1 P c, L's new row z with z'U = c', the new pivot w - z'y
    const y = this.buf;
    for (let i = 0; i < s; i++) {
      let t = c[perm[i]];
      for (let k = 0; k < i; k++) t -= K[i * ld + k] * y[k];
      y[i] = t;
    }
    const z = this.row;
    for (let k = 0; k < s; k++) {
      let t = c[k];
      for (let i = 0; i < k; i++) t -= z[i] * K[i * ld + k];
      z[k] = t / K[k * ld + k];
    }
    let d = w;
    for (let k = 0; k < s; k++) d -= z[k] * y[k];
    // a pivot partial pivoting might not have taken: factor the whole matrix again
    if (!(Math.abs(d) > 1e-10 * big)) return false;
    for (let i = 0; i < s; i++) K[i * ld + s] = y[i];
    for (let k = 0; k < s; k++) K[s * ld + k] = z[k];
    K[s * ld + s] = d;
    perm[s] = s;
    this.pos[j] = s;
    this.fs = s + 1;
    this.fnf++;
    this.big = big;
    return true;
  }

  /** Solves the factored KKT system for `rhs` (length nf + nw, free then working order) into `sol`. */
  private kktSolve(): void {
    if (this.vertex) {
      this.vertexSolve();
      return;
    }
    const { nf, nw, pos, free, work, buf: b, out: x } = this;
    const v = this.n + this.m;
    for (let k = 0; k < nf; k++) b[pos[free[k]]] = this.rhs[k];
    for (let k = 0; k < nw; k++) b[pos[v + work[k]]] = this.rhs[nf + k];
    luSolve(this.K, this.fs, this.perm, b, x, this.ld);
    for (let k = 0; k < nf; k++) this.sol[k] = x[pos[free[k]]];
    for (let k = 0; k < nw; k++) this.sol[nf + k] = x[pos[v + work[k]]];
  }

  /**
   * kktSolve at a vertex (factorVertex), through the rows' scales D: p = (D A_F)^-1 D r_W, then
   * (D A_F)' mu = r_F - H_FF p and lambda = D mu.
   */
  private vertexSolve(): void {
    const { nf: s, free, buf: b, sol } = this;
    for (let k = 0; k < s; k++) b[k] = this.vscale[k] * this.rhs[s + k];
    luSolve(this.V, s, this.vperm, b, sol);
    for (let k = 0; k < s; k++) {
      let t = this.rhs[k];
      for (let l = 0; l < s; l++) t -= this.h(free[k], free[l]) * sol[l];
      b[k] = t;
    }
    luSolveTransposed(this.V, s, this.vperm, b, sol.subarray(s, 2 * s));
    for (let k = 0; k < s; k++) sol[s + k] *= this.vscale[k];
  }

  /** The active-set iterations from a feasible point whose KKT matrix is nonsingular. */
  private iterate(): QpResult {
    const { n, m, x, g } = this;
    const vars = n + m;
    const limit = MAX_ITERATIONS_PER_VARIABLE * (vars + 10);
    const fail = (status: number, where = -1, value = 0): QpResult => ({ status, iterations: 0, where, value });
    // the last step went the whole way to the working set's minimum, nothing in the way: the point is
    // stationary there whatever the next solve says (a flat direction, two assets of equal means with little
    // curvature between them, turns the gradient's rounding into steps above STEP_TOL, for ever)
    let atMinimum = false;
    for (;;) {
      if (++this.iterations > limit) return fail(QpStatus.NOT_CONVERGED);
      if (!this.factor()) return fail(QpStatus.NOT_CONVERGED);
      const { nf, nw } = this;
      for (let k = 0; k < nf; k++) this.rhs[k] = -g[this.free[k]];
      for (let k = 0; k < nw; k++) this.rhs[nf + k] = 0;
      this.kktSolve();
      if (!this.solvedFinite()) return fail(QpStatus.NOT_CONVERGED);
      let pmax = 0;
      let xmax = 1;
      for (let k = 0; k < nf; k++) {
        pmax = Math.max(pmax, Math.abs(this.sol[k]));
        xmax = Math.max(xmax, Math.abs(x[this.free[k]]));
      }
      this.dir.fill(0);
      for (let k = 0; k < nf; k++) this.dir[this.free[k]] = this.sol[k];
      // as many active rows as free variables: a vertex, where the step is 0 (what the solve gives is rounding)
      if (nf > nw && pmax > STEP_TOL * xmax && !atMinimum) {
        // a step to the working set's minimum, cut at the first constraint in the way
        this.curvatureAlong(-1);
        this.step(1, -1);
        atMinimum = this.blocking.block < 0;
        continue;
      }
      atMinimum = false;
      // stationary: the remaining step of rounding size, taken when it crosses no constraint; then the multipliers
      if (nf > nw) {
        this.curvatureAlong(-1);
        if (this.ratio(-1) >= 1) this.move(1, -1);
      }
      const lambda = this.sol; // [nf..nf+nw): the rows' multipliers
      let worst = 0;
      let drop = -1;
      let dropRow = false;
      let dropMu = 0;
      let dropFlip = false;
      const tol = this.multiplierTolerance();
      for (let j = 0; j < vars; j++) {
        const s = this.vstate[j];
        if (s === FREE || this.lo[j] === this.hi[j]) continue;
        let r = g[j];
        for (let k = 0; k < nw; k++) r += lambda[nf + k] * this.a(this.work[k], j);
        let mu = -r;
        let v = s === AT_LOWER ? mu : s === AT_UPPER ? -mu : Math.abs(mu);
        // phase 1: an equality row's artificial at 0 may leave on the other side of its row (its sign
        // flipped: the row's shortfall is |A x - b| either way), whose reduced cost is 2 cost - r
        let flip = false;
        if (!this.hasH && j >= n && s === AT_LOWER && this.rstate[j - n] === EQUAL && r - 2 * g[j] > v) {
          mu = r - 2 * g[j];
          v = mu;
          flip = true;
        }
        if (v > tol && v > worst) {
          worst = v;
          drop = j;
          dropRow = false;
          dropMu = mu;
          dropFlip = flip;
        }
      }
      for (let k = 0; k < nw; k++) {
        const s = this.rstate[this.work[k]];
        const l = lambda[nf + k];
        const v = s === AT_LO ? l : s === AT_HI ? -l : 0;
        if (v > tol && v > worst) {
          worst = v;
          drop = k;
          dropRow = true;
        }
      }
      if (drop < 0) return { status: QpStatus.OPTIMAL, iterations: 0, where: -1, value: 0 };
      // the direction that leaves the dropped constraint and keeps the others
      let sigma = 0;
      if (dropRow) {
        for (let k = 0; k < nf; k++) this.rhs[k] = 0;
        for (let k = 0; k < nw; k++) this.rhs[nf + k] = 0;
        this.rhs[nf + drop] = this.rstate[this.work[drop]] === AT_HI ? -1 : 1;
      } else {
        if (dropFlip) this.sign[drop - n] = -this.sign[drop - n];
        sigma = dropMu > 0 ? 1 : -1;
        for (let k = 0; k < nf; k++) this.rhs[k] = -sigma * this.h(this.free[k], drop);
        for (let k = 0; k < nw; k++) this.rhs[nf + k] = -sigma * this.a(this.work[k], drop);
      }
      this.kktSolve();
      if (!this.solvedFinite()) return fail(QpStatus.NOT_CONVERGED);
      this.dir.fill(0);
      for (let k = 0; k < nf; k++) this.dir[this.free[k]] = this.sol[k];
      const extra = dropRow ? -1 : drop;
      if (!dropRow) this.dir[drop] = sigma;
      let slope = 0;
      for (let k = 0; k < nf; k++) slope += g[this.free[k]] * this.sol[k];
      if (!dropRow) slope += g[drop] * sigma;
      const { curvature, norm2 } = this.curvatureAlong(extra);
      if (curvature < -1e-10 * this.scaleH * norm2) {
        return fail(QpStatus.NOT_PSD, dropRow ? -1 : drop, curvature / norm2);
      }
      const tmax = curvature > 1e-13 * this.scaleH * norm2 ? -slope / curvature : Infinity;
      if (dropRow) this.rstate[this.work[drop]] = INACTIVE;
      else this.vstate[drop] = FREE;
      const alpha = this.step(tmax, extra);
      if (alpha === Infinity) return fail(QpStatus.UNBOUNDED, dropRow ? this.work[drop] : drop);
    }
  }

  /**
   * The last KKT solve is finite (a working set that is singular in all but rounding, a covariance of
   * rank one in effect with unbounded weights, can give Infinity or NaN: the solve stops as not converging).
   */
  private solvedFinite(): boolean {
    for (let k = 0; k < this.nf + this.nw; k++) if (!Number.isFinite(this.sol[k])) return false;
    return true;
  }

  /** The multipliers below this are zero: 1e-12 of the gradient's scale. */
  private multiplierTolerance(): number {
    const { g } = this;
    let s = 0;
    for (let j = 0; j < g.length; j++) s = Math.max(s, Math.abs(g[j]));
    for (let j = 0; j < this.n; j++) s = Math.max(s, Math.abs(this.cost[j]));
    return 1e-12 * Math.max(s, this.scaleH, 1e-300);
  }

  /**
   * hd = H dir over every variable (dir is nonzero on the free variables and `extra`), and the
   * curvature dir'H dir with |dir|^2.
   */
  private curvatureAlong(extra: number): { curvature: number; norm2: number } {
    const { n, nf, hd, dir } = this;
    const H = this.p.H;
    let curvature = 0;
    let norm2 = 0;
    // hd = H dir, row by row of H (symmetric): each free asset's row scaled into hd, in the free order
    hd.fill(0, 0, n);
    if (this.hasH) {
      for (let k = 0; k < nf; k++) {
        const j = this.free[k];
        if (j < n) axpy(dir[j], H, j * n, hd, n);
      }
      if (extra >= 0 && extra < n) axpy(dir[extra], H, extra * n, hd, n);
    }
    for (let k = 0; k < nf; k++) {
      const j = this.free[k];
      norm2 += dir[j] * dir[j];
      if (j < n) curvature += dir[j] * hd[j];
    }
    if (extra >= 0) {
      norm2 += dir[extra] * dir[extra];
      if (extra < n) curvature += dir[extra] * hd[extra];
    }
    return { curvature, norm2 };
  }

  /** Row i's change along dir (the free variables and `extra`). */
  private rowChange(i: number, extra: number): number {
    let q = 0;
    for (let k = 0; k < this.nf; k++) q += this.a(i, this.free[k]) * this.dir[this.free[k]];
    if (extra >= 0) q += this.a(i, extra) * this.dir[extra];
    return q;
  }

  /**
   * Moves along dir by min(tmax, the first constraint it would cross); that constraint joins the
   * working set. Returns the step (Infinity: nothing in the way of an unbounded step; nothing moved).
   */
  private step(tmax: number, extra: number): number {
    let alpha = this.ratio(extra, tmax);
    while (this.blocking.block >= 0 && !this.joinable()) alpha = this.ratio(extra, tmax);
    for (let k = 0; k < this.npassed; k++) this.passed[this.passedList[k]] = 0;
    this.npassed = 0;
    if (alpha === Infinity) return alpha;
    this.move(alpha, extra);
    const { block, blockRow, blockState } = this.blocking;
    if (block >= 0 && blockRow) {
      this.rstate[block] = blockState;
      this.rowValue[block] = blockState === AT_HI ? this.p.rhi[block] : this.p.rlo[block];
      // phase 1: the row's artificial, at 0, takes up a violation past the side the row joined at
      if (!this.hasH && this.x[this.n + block] === 0) this.sign[block] = blockState === AT_HI ? -1 : 1;
    } else if (block >= 0) {
      this.vstate[block] = blockState;
      this.x[block] = blockState === AT_LOWER ? this.lo[block] : this.hi[block];
    }
    return alpha;
  }

  /**
   * Whether the working set stays nonsingular with the blocking constraint in it, by factoring it so
   * (kept for the next iteration's factor()). A constraint whose joining makes it singular depends on
   * the working set over the free variables (two free assets of equal means: the budget and the return
   * rows leave a third asset's bound nothing to add): a direction that keeps the working set changes it
   * by rounding only, so it does not block; the ratio test passes over it (its variable stops at its
   * bound in move()) and looks again.
   */
  private joinable(): boolean {
    const { block, blockRow, blockState } = this.blocking;
    const { nf, nw, n, m } = this;
    const states = blockRow ? this.rstate : this.vstate;
    const was = states[block];
    states[block] = blockState;
    this.trialFree.set(this.free.subarray(0, nf));
    this.trialWork.set(this.work.subarray(0, nw));
    const ok = this.factor();
    states[block] = was;
    this.free.set(this.trialFree.subarray(0, nf));
    this.work.set(this.trialWork.subarray(0, nw));
    this.nf = nf;
    this.nw = nw;
    this.ready = ok;
    if (!ok) {
      const at = blockRow ? n + m + block : block;
      this.passed[at] = 1;
      this.passedList[this.npassed++] = at;
    }
    return ok;
  }

  /** The first constraint dir would cross (this.blocking) and the step to it, at most tmax. */
  private ratio(extra: number, tmax = Infinity): number {
    const { n, m, x, nf } = this;
    let alpha = tmax;
    let block = -1;
    let blockRow = false;
    let blockState = 0;
    let dmax = 0;
    for (let k = 0; k < nf; k++) dmax = Math.max(dmax, Math.abs(this.dir[this.free[k]]));
    if (extra >= 0) dmax = Math.max(dmax, Math.abs(this.dir[extra]));
    const eps = 1e-12 * dmax;
    // the variables (artificials first: on a tie they leave), then the inactive rows
    const consider = (j: number) => {
      if (this.passed[j]) return;
      const d = this.dir[j];
      if (d < -eps && this.lo[j] > -Infinity) {
        const t = Math.max((this.lo[j] - x[j]) / d, 0);
        if (t < alpha) {
          alpha = t;
          block = j;
          blockRow = false;
          blockState = AT_LOWER;
        }
      } else if (d > eps && this.hi[j] < Infinity) {
        const t = Math.max((this.hi[j] - x[j]) / d, 0);
        if (t < alpha) {
          alpha = t;
          block = j;
          blockRow = false;
          blockState = AT_UPPER;
        }
      }
    };
    if (extra >= n) consider(extra);
    for (let k = nf - 1; k >= 0; k--) if (this.free[k] >= n) consider(this.free[k]);
    if (extra >= 0 && extra < n) consider(extra);
    for (let k = nf - 1; k >= 0; k--) if (this.free[k] < n) consider(this.free[k]);
    for (let i = 0; i < m; i++) {
      if (this.rstate[i] !== INACTIVE || this.passed[n + m + i]) continue;
      const q = this.rowChange(i, extra);
      const qeps = 1e-12 * dmax * (1 + this.rowWeight(i));
      const r = this.rowValue[i];
      if (q > qeps && this.p.rhi[i] < Infinity) {
        const t = Math.max((this.p.rhi[i] - r) / q, 0);
        if (t < alpha) {
          alpha = t;
          block = i;
          blockRow = true;
          blockState = AT_HI;
        }
      } else if (q < -qeps && this.p.rlo[i] > -Infinity) {
        const t = Math.max((this.p.rlo[i] - r) / q, 0);
        if (t < alpha) {
          alpha = t;
          block = i;
          blockRow = true;
          blockState = AT_LO;
        }
      }
    }
    this.blocking = { block, blockRow, blockState };
    return alpha;
  }

  /** max |A_ij| over row i (the scale of its change). */
  private rowWeight(i: number): number {
    let s = 0;
    for (let j = 0; j < this.n; j++) s = Math.max(s, Math.abs(this.p.A[i * this.n + j]));
    return s;
  }

  /**
   * x += alpha dir (within the bounds), g += alpha hd, the inactive rows' values with them. A free
   * variable whose direction was below the ratio test's notice (1e-12 of the largest) can still cross
   * its bound by rounding's worth of a long step: it stops at the bound.
   */
  private move(alpha: number, extra: number): void {
    const { n, m, nf } = this;
    for (let i = 0; i < m; i++) if (this.rstate[i] === INACTIVE) this.rowValue[i] += alpha * this.rowChange(i, extra);
    for (let k = 0; k < nf; k++) this.advance(this.free[k], alpha);
    if (extra >= 0) this.advance(extra, alpha);
    for (let i = 0; i < n; i++) this.g[i] += alpha * this.hd[i];
  }

  private advance(j: number, alpha: number): void {
    const v = this.x[j] + alpha * this.dir[j];
    this.x[j] = v < this.lo[j] ? this.lo[j] : v > this.hi[j] ? this.hi[j] : v;
  }
}

/** y += a x[off ..] over n values. */
function axpy(a: number, x: Float64Array, off: number, y: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) y[i] += a * x[off + i];
}

/**
 * LU factorisation with partial pivoting of the s x s row-major K (rows ld apart), in place; perm the
 * row order. False when a pivot is below 1e-14 of K's largest entry (singular).
 */
export function luFactor(K: Float64Array, s: number, perm: Int32Array, ld = s): boolean {
  let big = 0;
  for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) big = Math.max(big, Math.abs(K[r * ld + c]));
  const tiny = 1e-14 * big;
  for (let i = 0; i < s; i++) perm[i] = i;
  for (let col = 0; col < s; col++) {
    let piv = col;
    let best = Math.abs(K[col * ld + col]);
    for (let r = col + 1; r < s; r++) {
      const v = Math.abs(K[r * ld + col]);
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    if (!(best > tiny)) return false;
    if (piv !== col) {
      for (let c = 0; c < s; c++) {
        const t = K[col * ld + c];
        K[col * ld + c] = K[piv * ld + c];
        K[piv * ld + c] = t;
      }
      const t = perm[col];
      perm[col] = perm[piv];
      perm[piv] = t;
    }
    const d = K[col * ld + col];
    for (let r = col + 1; r < s; r++) {
      const f = K[r * ld + col] / d;
      K[r * ld + col] = f;
      if (f === 0) continue;
      for (let c = col + 1; c < s; c++) K[r * ld + c] -= f * K[col * ld + c];
    }
  }
  return true;
}

/**
 * Solves the factored system's transpose (A' out = b, where luFactor made PA = LU) into out, b used as
 * the scratch: U'z = b forward, L'z' = z backward, in b; out = P'z'.
 */
export function luSolveTransposed(LU: Float64Array, s: number, perm: Int32Array, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < s; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= LU[k * s + i] * b[k];
    b[i] = v / LU[i * s + i];
  }
  for (let i = s - 1; i >= 0; i--) {
    let v = b[i];
    for (let k = i + 1; k < s; k++) v -= LU[k * s + i] * b[k];
    b[i] = v;
  }
  for (let i = 0; i < s; i++) out[perm[i]] = b[i];
}

/** Solves the factored system (luFactor, rows ld apart) for b into out. */
export function luSolve(LU: Float64Array, s: number, perm: Int32Array, b: Float64Array, out: Float64Array, ld = s): void {
  for (let i = 0; i < s; i++) {
    let v = b[perm[i]];
    for (let k = 0; k < i; k++) v -= LU[i * ld + k] * out[k];
    out[i] = v;
  }
  for (let i = s - 1; i >= 0; i--) {
    let v = out[i];
    for (let k = i + 1; k < s; k++) v -= LU[i * ld + k] * out[k];
    out[i] = v / LU[i * ld + i];
  }
}
