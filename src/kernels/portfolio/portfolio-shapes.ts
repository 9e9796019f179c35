/**
 * One problem or a batch: how the portfolio family tells them apart and shapes and labels its results.
 * A call is one problem when P = 1 and no input is given in its batch form (a CovStack or a
 * covariance of more rows than columns, means as a Matrix, targets as a Float64Array, bounds or
 * budgets as a Matrix): its statistics are numbers and its per-asset results Vectors of N. A batch of
 * P keeps P-row matrices and Vectors of P. The asset names found on the inputs label every per-asset
 * output (a Vector's `index`, a Matrix's `columns`), without a copy of any data.
 */
import { KernelInputError } from '../../errors.js';
import { covNames } from '../labels.js';
import { requireMatrix, type Matrix } from '../matrix.js';
import { describeValue } from '../validate.js';

export { covNames, namesIn } from '../labels.js';

/**
 * A stack of P covariances of N assets, the batch form of an optimizer's `cov`: P·N rows and N
 * columns (problem p's matrix is rows p·N to (p + 1)·N), with `problems` = P so that the types (and
 * the kernels, for P = 1) tell it from one covariance. `stackCovariances` makes one; `columns` names
 * the assets of every problem.
 */
export type CovStack = Matrix & { readonly problems: number };

/**
 * Options in the batch form: the bounds' `lower` or `upper`, or riskParity's `budgets`, given as a
 * Matrix (P x N, one row per problem), whatever its number of rows (the types cannot see it).
 */
export type BatchOptions =
  | { readonly bounds: { readonly lower: Matrix } }
  | { readonly bounds: { readonly upper: Matrix } }
  | { readonly budgets: Matrix };

/**
 * Whether an optimizer's call is a batch (true) or one problem (false), from the types of its inputs:
 * a batch when `cov` is a CovStack, `mean` a Matrix, a target a Float64Array or the options' bounds
 * (riskParity: budgets) a Matrix (BatchOptions); one problem otherwise. The kernels decide at run time by the same rule (a
 * covariance with more rows than columns is a stack too) and by P > 1.
 */
export type IsBatch<C, M = Float64Array, T = number, O = unknown> = C extends CovStack
  ? true
  : M extends Matrix
    ? true
    : T extends Float64Array
      ? true
      : O extends BatchOptions
        ? true
        : false;

export type { Returned } from '../descriptor.js';

/**
 * Whether `cov` is a stack (the batch form): more rows than columns, or a CovStack (`problems` set,
 * which must be rows / cols).
 */
export function isStack(cov: Matrix, name: string): boolean {
  const problems = (cov as Partial<CovStack>).problems;
  if (problems === undefined) return cov.rows > cov.cols;
  if (problems !== cov.rows / cov.cols) {
    throw new KernelInputError(`${name}.problems`, `${cov.rows / cov.cols} (rows / cols)`, describeValue(problems));
  }
  return true;
}

/**
 * P covariances of N assets as one CovStack, the batch form of an optimizer's `cov` (P problems in one
 * call, each output row one problem's): an array of N x N matrices is copied into one stack (its
 * `columns` the first's names: `columns`, else `index` of names); one Matrix of P·N rows and N
 * columns (rolling windows written one after the other) is taken as it is, without a copy.
 */
export function stackCovariances(covs: readonly Matrix[] | Matrix): CovStack {
  if (!Array.isArray(covs)) {
    const m = covs as Matrix;
    requireMatrix(m, 'covs');
    if (m.cols < 1 || m.rows === 0 || m.rows % m.cols !== 0) {
      throw new KernelInputError('covs', 'N x N matrices (N >= 1) or a stack of P (P·N rows, N columns)', `${m.rows} x ${m.cols}`);
    }
    const names = covNames(m);
    const problems = m.rows / m.cols;
    return names ? { data: m.data, rows: m.rows, cols: m.cols, columns: names, problems } : { ...m, problems };
  }
  if (covs.length === 0) throw new KernelInputError('covs', 'at least one covariance', 'an empty array');
  let n = 0;
  for (let p = 0; p < covs.length; p++) {
    const c = covs[p];
    requireMatrix(c, `covs[${p}]`);
    if (p === 0) n = c.cols;
    if (c.rows !== c.cols || c.cols !== n || n < 1) {
      throw new KernelInputError(`covs[${p}]`, p === 0 ? 'an N x N matrix (N >= 1)' : `${n} x ${n} (as covs[0])`, `${c.rows} x ${c.cols}`);
    }
  }
  const data = new Float64Array(covs.length * n * n);
  for (let p = 0; p < covs.length; p++) data.set(covs[p].data, p * n * n);
  const names = covNames(covs[0]);
  const stack = { data, rows: covs.length * n, cols: n, problems: covs.length };
  return names ? { ...stack, columns: names } : stack;
}
