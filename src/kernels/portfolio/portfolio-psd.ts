/**
 * The covariance test every optimizer runs before it solves (minVariance, maxSharpe, maxUtility,
 * efficientReturn, efficientRisk, efficientFrontier, riskParity): its result and options, and the
 * guard that wraps an optimizer's Call in it, or in the repair (`repair: true`), or in nothing
 * (`assumePsd: true`).
 *
 * The test is a Cholesky factorization of S / max(diag S) that stops at the first pivot below
 * -PSD_TOLERANCE (src/backends/reference/portfolio/portfolio-psd.ts says how zero pivots are treated: a
 * singular but semidefinite matrix, e.g. duplicate assets, passes). An active-set solver only meets
 * the curvature of the faces it visits, so without it a covariance with negative eigenvalues gives a
 * local optimum as if it were the answer; cvxpy (under PyPortfolioOpt) refuses such a matrix, skfolio
 * and Riskfolio-Lib repair it when asked: here `repair: true` is PyPortfolioOpt's
 * `fix_nonpositive_semidefinite` 'spectral' (eigenvalues clipped at 0, `nearestPsd`).
 */
import { KernelInputError } from '../../errors.js';
import { type Call, dimsOf, splitOutputs, type Outputs, type OutputSpec } from '../descriptor.js';
import type { Split } from '../labels.js';
import { describeValue } from '../validate.js';
import { knownPsd, rememberPsd } from './portfolio-psd-known.js';

/** A pivot of S / max(diag S) below minus this fails the test; one within it is a zero pivot. */
export const PSD_TOLERANCE = 1e-8;

/** `checkPsd()`'s result for one covariance (N x N). */
export interface CheckPsdResult {
  /** Whether the covariance passed (every covariance, for a stack). */
  psd: boolean;
  /** The asset whose pivot failed (-1: none). */
  asset: number;
  /** That pivot, in the covariance's units (negative; 0 when none failed). */
  pivot: number;
}

/** `checkPsd()`'s result for a stack of covariances (a CovStack, or P·N rows): also which one failed. */
export interface CheckPsdStackResult extends CheckPsdResult {
  /** The first covariance of the stack that failed (-1: none). */
  problem: number;
}

/** The options every optimizer shares for its covariance: `repair` and `assumePsd`. */
export interface PsdOptions {
  /**
   * Repair each covariance that is not positive semidefinite before solving, as `nearestPsd(cov, {
   * method: 'spectral' })` does (PyPortfolioOpt `fix_nonpositive_semidefinite`: negative eigenvalues
   * clipped to 0; a matrix whose Cholesky succeeds is used as it is). Default false: such a covariance
   * is refused with a KernelInputError naming its failing pivot.
   */
  repair?: boolean;
  /**
   * Skip the positive-semidefiniteness test (one Cholesky factorization per covariance, n^3 / 6
   * multiply-adds) for a covariance known to be PSD. Default false. With a matrix that is not, the
   * solver returns a local optimum or reports the negative curvature it meets. Without it the test
   * runs at most twice per array: a covariance that passed twice, called again unchanged (the same
   * Float64Array, the same values), is not tested again (portfolio-psd-known.ts).
   */
  assumePsd?: boolean;
}

/** The KernelInputError of a failed test (`count` covariances in the stack). */
export function notPsdError(problem: number, asset: number, pivot: number, count: number): KernelInputError {
  const where = count > 1 ? ` of covariance ${problem}` : '';
  return new KernelInputError(
    'cov',
    'a positive semidefinite matrix (options.repair: true repairs it, options.assumePsd: true skips this test)',
    `pivot ${pivot} at asset ${asset}${where} in its Cholesky factorization (a negative eigenvalue)`,
  );
}

/** What the guard needs of an optimizer's fixed-layout Call. */
export interface GuardedCall<T> {
  size: number;
  args: unknown[];
  /** How the outputs are split: one problem's shapes, the asset names (labels.ts problemSplit). */
  split?: Split;
  shape: (o: Outputs) => T;
  /**
   * The kernel runs the test itself (minVariance): its last argument is its `psdTest` flag, 0 as
   * given, which the guard sets to 1 where the test is due.
   */
  selfTest?: boolean;
}

/**
 * From this order on, a covariance the kernel tests itself is first looked up among those known to
 * pass (portfolio-psd-known.ts); below it the lookup (a region key, two map reads, a comparison of the
 * bytes: about 0.5 us of a profiled call at N = 10) costs about as much as the test's n^3 / 6
 * multiply-adds (0.4 us at N = 10), whose factorization minVariance's closed form reuses besides
 * (up to CLOSED_FORM_MAX_ASSETS).
 */
export const SELF_TEST_REMEMBERED_FROM = 32;

/**
 * The covariances a call's arguments hold: `count` stacked n x n matrices in `data`, and how to make
 * the arguments with another stack of the same shape in their place (the repaired one).
 */
export interface CovArgument {
  data: Float64Array;
  count: number;
  n: number;
  replace: (args: readonly unknown[], fixed: Float64Array) => unknown[];
}

type Family = Record<string, (...a: unknown[]) => Float64Array>;

/**
 * The optimizer `kernel`'s Call (spec its descriptor; `cov` the covariances its arguments hold)
 * behind the covariance test, as the module's comment says: unchanged with `assumePsd: true`; with
 * `repair: true` each covariance through the same backend's nearestPsd ('spectral'), then the
 * optimizer on the repaired stack; else checkPsd first, a KernelInputError when one fails, unless the
 * same array passed it twice before and still holds what passed (portfolio-psd-known.ts). The test
 * and the repair run on the calling thread, also under `<name>Async` (the solve does not). The outputs
 * are split by `c.split` on every path (one problem's numbers and Vectors, the asset names).
 *
 * A kernel that tests itself (`c.selfTest`: minVariance, maxSharpe) gets its flag set instead of a checkPsd call
 * (the same pivots, the same KernelInputError, raised as its fault PORTFOLIO_COV_NOT_PSD, on the solve's
 * thread under `<name>Async`), with no lookup among the covariances known to pass below order
 * SELF_TEST_REMEMBERED_FROM; its Call keeps its fixed layout (no closure per call).
 */
export function psdGuarded<T>(
  kernel: string,
  spec: OutputSpec,
  c: GuardedCall<T>,
  cov: CovArgument,
  opts: PsdOptions | undefined,
): Call<T> {
  const repair = opts?.repair ?? false;
  const assume = opts?.assumePsd ?? false;
  if (repair !== true && repair !== false) throw new KernelInputError('options.repair', 'true or false', describeValue(repair));
  if (assume !== true && assume !== false) throw new KernelInputError('options.assumePsd', 'true or false', describeValue(assume));
  if (assume) return c;
  const { data, count, n } = cov;
  if (c.selfTest && !repair) {
    if (n < SELF_TEST_REMEMBERED_FROM) {
      c.args[c.args.length - 1] = 1;
      return c;
    }
    if (knownPsd(data, n)) return c;
    c.args[c.args.length - 1] = 1;
    const shape = c.shape;
    return { size: c.size, args: c.args, split: c.split, shape: (o: Outputs) => (rememberPsd(data, n), shape(o)) };
  }
  const dims = dimsOf(spec)(c.args);
  const call = (family: Family) => {
    if (!repair) {
      if (!knownPsd(data, n)) {
        const r = family.checkPsd(data, count, n);
        if (r[0] >= 0) throw notPsdError(r[0], r[1], r[2], count);
        rememberPsd(data, n);
      }
      return family[kernel](...c.args);
    }
    const fixed = new Float64Array(data.length);
    for (let p = 0; p < count; p++) {
      const one = family.nearestPsd(data.subarray(p * n * n, (p + 1) * n * n), n, 0);
      fixed.set(one.subarray(0, n * n), p * n * n);
    }
    return family[kernel](...cov.replace(c.args, fixed));
  };
  return { size: c.size, call, shape: (out: Float64Array) => c.shape(splitOutputs(spec.outputs, out, dims, c.split)) } as Call<T>;
}
