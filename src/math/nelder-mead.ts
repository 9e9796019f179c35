/**
 * Nelder-Mead with box bounds: each trial point is projected onto the box (as nloptr's `neldermead`
 * does with `lower`/`upper`), so a bound is reached exactly. Lagarias et al. (1998) coefficients:
 * reflection 1, expansion 2, contraction 1/2, shrink 1/2. Restarted from its best vertex with a fresh
 * simplex until a restart no longer improves (a collapsed simplex is Nelder-Mead's known failure).
 */

/** Options of `nelderMead`. */
export interface NelderMeadOptions {
  lower: readonly number[];
  upper: readonly number[];
  /** The initial simplex's step per coordinate (taken inward where x0 + step leaves the box). */
  step: readonly number[];
  /** Stops when the simplex's values spread by at most ftol (1 + |best|) and its points by at most xtol. */
  ftol?: number;
  xtol?: number;
  /** Function evaluations per run (default 4000) and restarts (default 4). */
  maxEval?: number;
  restarts?: number;
}

/** The minimum found: the point and its value. */
export interface Minimum {
  x: number[];
  f: number;
}

function project(x: number[], lower: readonly number[], upper: readonly number[]): number[] {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(upper[i], Math.max(lower[i], x[i]));
  return x;
}

/** One Nelder-Mead run from x0. */
function run(f: (x: number[]) => number, x0: number[], o: NelderMeadOptions): Minimum {
  const n = x0.length;
  const ftol = o.ftol ?? 1e-12;
  const xtol = o.xtol ?? 1e-10;
  const maxEval = o.maxEval ?? 4000;
  const pts: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = p[i] + o.step[i] <= o.upper[i] ? p[i] + o.step[i] : p[i] - o.step[i];
    pts.push(project(p, o.lower, o.upper));
  }
  const val = pts.map((p) => f(p));
  let evals = n + 1;
  const order = pts.map((_, i) => i);
  const at = (centroid: number[], worst: number[], t: number) =>
    project(
      centroid.map((c, i) => c + t * (c - worst[i])),
      o.lower,
      o.upper,
    );
  while (evals < maxEval) {
    order.sort((i, j) => val[i] - val[j] || i - j);
    const best = order[0];
    const worst = order[n];
    const second = order[n - 1];
    let spread = 0;
    for (const p of pts)
      for (let i = 0; i < n; i++) spread = Math.max(spread, Math.abs(p[i] - pts[best][i]) / (1 + Math.abs(pts[best][i])));
    if (val[worst] - val[best] <= ftol * (1 + Math.abs(val[best])) && spread <= xtol) break;
    const centroid = new Array<number>(n).fill(0);
    for (const k of order.slice(0, n)) for (let i = 0; i < n; i++) centroid[i] += pts[k][i] / n;
    const xr = at(centroid, pts[worst], 1);
    const fr = f(xr);
    evals++;
    if (fr < val[best]) {
      const xe = at(centroid, pts[worst], 2);
      const fe = f(xe);
      evals++;
      [pts[worst], val[worst]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < val[second]) {
      [pts[worst], val[worst]] = [xr, fr];
    } else {
      const outside = fr < val[worst];
      const xc = at(centroid, pts[worst], outside ? 0.5 : -0.5);
      const fc = f(xc);
      evals++;
      if (outside ? fc <= fr : fc < val[worst]) {
        [pts[worst], val[worst]] = [xc, fc];
      } else {
        for (const k of order.slice(1)) {
          pts[k] = project(
            pts[k].map((v, i) => pts[best][i] + 0.5 * (v - pts[best][i])),
            o.lower,
            o.upper,
          );
          val[k] = f(pts[k]);
        }
        evals += n;
      }
    }
  }
  let b = 0;
  for (let i = 1; i <= n; i++) if (val[i] < val[b]) b = i;
  return { x: pts[b], f: val[b] };
}

/**
 * Minimizes f over the box from x0 (projected into it): Nelder-Mead runs, each restarted from the
 * last best point, until a run improves the value by no more than ftol (1 + |f|).
 */
export function nelderMead(f: (x: number[]) => number, x0: readonly number[], o: NelderMeadOptions): Minimum {
  const ftol = o.ftol ?? 1e-12;
  let best = run(f, project(x0.slice(), o.lower, o.upper), o);
  for (let r = 0; r < (o.restarts ?? 4); r++) {
    const next = run(f, best.x, o);
    const improved = best.f - next.f > ftol * (1 + Math.abs(best.f));
    if (next.f < best.f) best = next;
    if (!improved) break;
  }
  return best;
}
