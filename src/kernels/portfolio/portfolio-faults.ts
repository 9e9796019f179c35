/**
 * The portfolio family's fault messages (the codes of fault-codes.ts it reports: covariances, budgets,
 * the solver's outcomes), read by faults.ts inputFault through families.ts FAMILY_FAULTS.
 */
import { KernelInputError } from '../../errors.js';
import { cell, Fault, type FamilyFault, inProblem, stackCell } from '../fault-codes.js';
import { ROW_KIND, RowKind } from './portfolio.js';
import { notPsdError } from './portfolio-psd.js';

/** What a constraint row of tag `tag` (portfolio.ts ROW_KIND) is called in an error. */
function rowName(tag: number): { name: string; what: string } {
  const kind = Math.floor(tag / ROW_KIND);
  const id = tag - kind * ROW_KIND;
  switch (kind) {
    case RowKind.BUDGET:
      return { name: 'options.budget', what: 'the budget (the sum of the weights)' };
    case RowKind.SECTOR:
      return { name: 'options.sectorBounds', what: `sector ${id}'s bounds` };
    case RowKind.INEQUALITY:
      return { name: 'options.inequality', what: `row ${id} of A w <= b` };
    case RowKind.EQUALITY:
      return { name: 'options.equality', what: `row ${id} of A w = b` };
    case RowKind.TARGET_RETURN:
      return { name: 'targetReturn', what: 'the target return' };
    default:
      return { name: 'options.bounds', what: `asset ${id}'s bounds` };
  }
}

/** The error of a portfolio fault, or undefined for another family's code. */
export const portfolioFault: FamilyFault = (code, index, value, previous) => {
  const v = String(value);
  switch (code) {
    case Fault.VARIANCE_NOT_POSITIVE: {
      const p = Math.floor(index / previous);
      const i = index - p * previous;
      return new KernelInputError('cov', 'variances > 0 on the diagonal', `cov${p > 0 ? `[${p}]` : ''}[${i}][${i}] = ${v}`);
    }
    case Fault.BUDGET_INVALID: {
      const p = Math.floor(index / previous);
      return new KernelInputError(
        'options.budgets',
        'finite budgets > 0',
        `budgets${p > 0 ? `[${p}]` : ''}[${index - p * previous}] = ${v}`,
      );
    }
    case Fault.RISK_PARITY_NOT_CONVERGED:
      return new KernelInputError(
        'cov',
        'a covariance for which risk parity converges (positive definite)',
        `max |y_i (S y)_i - b_i| = ${v} after ${index} Newton steps${inProblem(previous)}`,
      );
    case Fault.CORRELATION_UNDEFINED:
      return new KernelInputError(
        'corr',
        'a correlation for every pair of assets (from returns: two or more common dates, no constant asset)',
        `${stackCell('corr', index, previous)} = ${v}`,
      );
    case Fault.PORTFOLIO_COV_INVALID:
      return new KernelInputError('cov', 'a finite symmetric matrix with a diagonal >= 0', `${stackCell('cov', index, previous)} = ${v}`);
    case Fault.PORTFOLIO_NOT_PSD:
      return new KernelInputError(
        'cov',
        'a positive semidefinite matrix',
        Number.isFinite(value)
          ? `negative curvature ${v} ${previous >= 0 ? `freeing asset ${previous}` : 'leaving a constraint row'}${inProblem(index)}`
          : `a turning point of the frontier (${previous}) with a weight, return or volatility of ${v}${inProblem(index)}`,
      );
    case Fault.PORTFOLIO_INFEASIBLE: {
      if (Math.floor(previous / ROW_KIND) === RowKind.SHARPE) {
        return new KernelInputError(
          'mean',
          'an expected return above options.riskFree within the constraints (PyPortfolioOpt max_sharpe)',
          `none${inProblem(index)}`,
        );
      }
      const row = rowName(previous);
      return new KernelInputError(
        row.name,
        'constraints some portfolio satisfies',
        `infeasible: ${row.what} cannot hold within the bounds and the other constraints (short by ${v})${inProblem(index)}`,
      );
    }
    case Fault.PORTFOLIO_UNBOUNDED:
      return new KernelInputError(
        'options.bounds',
        'a bounded problem',
        `unbounded: the objective decreases without end ${previous >= 0 ? `moving asset ${previous}` : 'along a constraint row'}${inProblem(index)}`,
      );
    case Fault.PORTFOLIO_NOT_CONVERGED:
      return new KernelInputError(
        'options',
        'a problem the solver converges on',
        `no optimum after ${v} iterations (degenerate constraints?)${inProblem(index)}`,
      );
    case Fault.PORTFOLIO_RETURN_TARGET:
      return new KernelInputError('targetReturn', `a target return <= ${previous} (the highest feasible)`, `${v}${inProblem(index)}`);
    case Fault.PORTFOLIO_RISK_TARGET:
      return new KernelInputError(
        'targetVolatility',
        `a target volatility >= ${previous} (the lowest feasible)`,
        `${v}${inProblem(index)}`,
      );
    case Fault.PORTFOLIO_MEAN_NOT_FINITE:
      return new KernelInputError('mean', 'finite expected returns', `${cell('mean', index, previous)} = ${v}`);
    case Fault.PORTFOLIO_COV_NOT_PSD:
      return notPsdError(Math.max(index, 0), previous, value, index < 0 ? 1 : 2);
    default:
      return undefined;
  }
};
