/**
 * Data faults found while a kernel scans its input (they need the data, so they are found inside the
 * kernel, by the reference in TS and by the native code in C++). Both backends report a fault as
 * (code, index, value, previous) and this one function turns it into the error, so the messages are
 * identical on every backend. The codes match `enum class Fault` in native/kernels/status.hpp (one list
 * for every family: a new family appends its codes there and its cases here).
 */
import { KernelInputError } from '../errors.js';
import { KERNEL_SPECS, type KernelName } from './families.js';
import { ROW_KIND, RowKind } from './portfolio/portfolio.js';
import { notPsdError } from './portfolio/portfolio-psd.js';
import { MAX_BUCKETS_PER_CALL } from './vpin/vpin.js';

export const Fault = {
  TS_NOT_FINITE: 1,
  TS_DECREASING: 2,
  TS_IN_CLOSED_BAR: 3,
  PRICE_NOT_FINITE: 4,
  VOLUME_INVALID: 5,
  TOO_MANY_BUCKETS: 6,
  OPEN_NOT_FINITE: 7,
  CLOSE_NOT_FINITE: 8,
  BAR_VOLUME_INVALID: 9,
  STATE_INVALID: 10,
  PRICE_ARG_NOT_FINITE: 11,
  /**
   * A packed parameter out of range: index = its position in the params of the descriptor of the kernel
   * the fault names (vpin, vpinBytes and the stream name `vpin`), or the count expected when the
   * count is wrong (value = the count given).
   */
  PARAM_INVALID: 12,
  /** A stream asked for with the non-causal 'sample' sigma. */
  STREAM_SIGMA_NOT_CAUSAL: 13,
  /** ts / barMs overflows (a huge |ts| with a tiny barMs): previous = barMs. */
  TS_BAR_OUT_OF_RANGE: 14,
  // Risk family: index = the element's position in the row-major data, previous = the columns.
  /** A price that is not finite and > 0 (NaN, a missing price, is allowed). */
  PRICE_NOT_POSITIVE: 15,
  /** An infinite return (NaN, a missing return, is allowed). */
  RETURN_NOT_FINITE: 16,
  /** A weight that is not finite. */
  WEIGHT_NOT_FINITE: 17,
  /** A covariance whose Cholesky factorisation fails: index = the pivot, value = its remaining diagonal. */
  COV_NOT_POSITIVE_DEFINITE: 18,
  // Factor family: index = the element's row-major position, previous = the columns (1 for a vector).
  /** A market cap that is not finite and > 0 (NaN, a missing one, is allowed). */
  MARKET_CAP_NOT_POSITIVE: 19,
  /** A sector code that is not an integer in [0, m) (NaN allowed in a per-date panel). */
  SECTOR_OUT_OF_RANGE: 20,
  // VPIN family, classifyTrades: previous = 0 for the bid, 1 for the ask.
  /** A bid or ask that is infinite or < 0 (NaN, no quote, is allowed). */
  QUOTE_INVALID: 21,
  // Portfolio family (portfolio.ts): index = the problem of the batch unless said otherwise.
  /** A covariance entry not finite, not equal to its transpose or a negative variance: index = its position in the stack, previous = N. */
  PORTFOLIO_COV_INVALID: 22,
  /**
   * Negative curvature met by the solver: value = w'Sw / |w|^2 along the direction, previous = the asset it freed (-1: a row).
   * efficientFrontier: value = a turning point's weight, return or volatility that is not finite, previous = the turning point.
   */
  PORTFOLIO_NOT_PSD: 23,
  /** No portfolio satisfies the constraints: value = the row's shortfall, previous = its tag (portfolio.ts ROW_KIND). */
  PORTFOLIO_INFEASIBLE: 24,
  /** The objective decreases without end: previous = the asset whose move found no constraint (-1: a row). */
  PORTFOLIO_UNBOUNDED: 25,
  /** The solver stopped at its iteration limit (a degenerate problem): value = the iterations. */
  PORTFOLIO_NOT_CONVERGED: 26,
  /** A target return above the highest feasible one: value = the target, previous = the highest. */
  PORTFOLIO_RETURN_TARGET: 27,
  /** A target volatility below the lowest feasible one: value = the target, previous = the lowest. */
  PORTFOLIO_RISK_TARGET: 28,
  /** An expected return that is not finite: index = its position, previous = N for a P x N matrix, 1 for a vector. */
  PORTFOLIO_MEAN_NOT_FINITE: 29,
  // Portfolio family, allocation kernels (portfolio-allocation.ts): a non-finite cov is PORTFOLIO_COV_INVALID.
  /** A variance (a diagonal element of cov) that is not > 0: index = p N + i (problem p of a stack), previous = N. */
  VARIANCE_NOT_POSITIVE: 30,
  /** A risk budget that is not finite and > 0: index = p N + i (problem p), previous = N. */
  BUDGET_INVALID: 31,
  /** riskParity's Newton iteration did not converge: index = its steps, value = max |y_i (S y)_i - b_i|, previous = the problem. */
  RISK_PARITY_NOT_CONVERGED: 32,
  /** hrp: a correlation that is NaN (too few common dates, a constant asset, or a NaN given): index = p N^2 + its row-major position (problem p of a stack), previous = N. */
  CORRELATION_UNDEFINED: 33,
  // VPIN family, classifyTrades from a quote stream: previous = the quote time before.
  /** A quote time that is not finite, or before the one before it. */
  QUOTE_TS_INVALID: 34,
  // VPIN family, PIN: previous = 0 for buys, 1 for sells.
  /** A count of buys or sells that is not an integer >= 0. */
  PIN_COUNT_INVALID: 35,
  // Features family, realized measures: previous = the ts before.
  /** A timestamp (options.ts) not finite (or not with options.session.offset added), or before the one before it. */
  REALIZED_TS_INVALID: 36,
  /** A price in the session not finite and > 0. */
  REALIZED_PRICE_INVALID: 37,
  /** har's input (checked by the API first): previous 0 rv[index] not finite, 1 terms[index] not [0, increasing lags], 2 rv of value days, index needed. */
  HAR_INPUT_INVALID: 38,
  /** minVariance's own covariance test failed: index = the covariance of the stack (-1: the only one), value = the pivot, previous = its asset. */
  PORTFOLIO_COV_NOT_PSD: 39,
} as const;

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

/** ' in problem p' for a batch (p > 0, or any p when said), else ''. */
const inProblem = (p: number) => (p > 0 ? ` (problem ${p})` : '');

/** `name[row][col]` of a row-major element (`name[row]` for one column). */
function cell(name: string, index: number, cols: number): string {
  const row = Math.floor(index / cols);
  return cols === 1 ? `${name}[${row}]` : `${name}[${row}][${index - row * cols}]`;
}

/** Cell `index` of a stack of n x n matrices: `name[i][j]`, `name[p][i][j]` past the first (problem p). */
function stackCell(name: string, index: number, n: number): string {
  const p = Math.floor(index / (n * n));
  const at = index - p * n * n;
  const i = Math.floor(at / n);
  return `${name}${p > 0 ? `[${p}]` : ''}[${i}][${at - i * n}]`;
}

/**
 * A packed parameter fault of `kernel`, from its descriptor: the parameter at `index`, or past the
 * last the count (its number of parameters).
 */
function paramFault(kernel: string | undefined, index: number, v: string): KernelInputError {
  const spec = kernel !== undefined && Object.hasOwn(KERNEL_SPECS, kernel) ? KERNEL_SPECS[kernel as KernelName] : undefined;
  const param = spec?.params[index];
  if (param) return new KernelInputError(param.name ?? param.key, param.expected, v);
  return new KernelInputError('params', `${spec?.params.length ?? 0} packed parameters`, `${v} values`);
}

/**
 * Builds the KernelInputError for a fault reported by any backend; `kernel` names the kernel that
 * raised it (the native binding passes it), for the faults whose message depends on it.
 */
export function inputFault(code: number, index: number, value: number, previous: number, kernel?: string): KernelInputError {
  const v = String(value);
  switch (code) {
    case Fault.TS_NOT_FINITE:
      return new KernelInputError('trades.ts', 'finite timestamps', `ts[${index}] = ${v}`);
    case Fault.TS_DECREASING:
      return new KernelInputError('trades.ts', 'non-decreasing timestamps', `ts[${index}] = ${v} after ${previous}`);
    case Fault.TS_IN_CLOSED_BAR:
      return new KernelInputError('trades.ts', 'a timestamp after the bar closed by flush()', `ts[${index}] = ${v}`);
    case Fault.PRICE_NOT_FINITE:
      return new KernelInputError('trades.price', 'finite prices', `price[${index}] = ${v}`);
    case Fault.VOLUME_INVALID:
      return new KernelInputError('trades.volume', 'finite volumes >= 0', `volume[${index}] = ${v}`);
    case Fault.TOO_MANY_BUCKETS:
      return new KernelInputError(
        'options.bucketVolume',
        `at most ${MAX_BUCKETS_PER_CALL} buckets per call (a larger bucketVolume, or smaller batches)`,
        `about ${v} buckets`,
      );
    case Fault.OPEN_NOT_FINITE:
      return new KernelInputError('bars.open', 'finite prices', `open[${index}] = ${v}`);
    case Fault.CLOSE_NOT_FINITE:
      return new KernelInputError('bars.close', 'finite prices', `close[${index}] = ${v}`);
    case Fault.BAR_VOLUME_INVALID:
      return new KernelInputError('bars.volume', 'finite volumes >= 0', `volume[${index}] = ${v}`);
    case Fault.STATE_INVALID:
      return new KernelInputError('snapshot', 'a valid VPIN stream state', `a bad value at state[${index}] = ${v}`);
    case Fault.PRICE_ARG_NOT_FINITE:
      return new KernelInputError('price', 'finite prices', `price[${index}] = ${v}`);
    case Fault.PARAM_INVALID:
      return paramFault(kernel, index, v);
    case Fault.STREAM_SIGMA_NOT_CAUSAL:
      return new KernelInputError('sigmaKind', "a causal sigma for a stream (fixed, rolling or ewma, not 'sample')", v);
    case Fault.PRICE_NOT_POSITIVE:
      return new KernelInputError('prices', 'finite prices > 0 (NaN for a missing one)', `${cell('prices', index, previous)} = ${v}`);
    case Fault.RETURN_NOT_FINITE:
      return new KernelInputError('returns', 'finite returns (NaN for a missing one)', `${cell('returns', index, previous)} = ${v}`);
    case Fault.WEIGHT_NOT_FINITE:
      return new KernelInputError('weights', 'finite weights', `${cell('weights', index, previous)} = ${v}`);
    case Fault.COV_NOT_POSITIVE_DEFINITE:
      return new KernelInputError(
        'cov',
        'a positive definite matrix',
        `Cholesky pivot ${index} = ${v} (cov[${index}][${index}] less the factored part)`,
      );
    case Fault.MARKET_CAP_NOT_POSITIVE:
      return new KernelInputError(
        'marketCap',
        'finite market caps > 0 (NaN for a missing one)',
        `${cell('marketCap', index, previous)} = ${v}`,
      );
    case Fault.SECTOR_OUT_OF_RANGE:
      return new KernelInputError(
        'sectors',
        'integer sector codes in [0, m) (m: sectorNames.length, else the largest code + 1)',
        `${cell('sectors', index, previous)} = ${v}`,
      );
    case Fault.QUOTE_INVALID: {
      // previous: 0 the trades' bid, 1 their ask, 2 the quote stream's bid, 3 its ask
      const side = previous % 2 === 0 ? 'bid' : 'ask';
      const owner = previous < 2 ? 'trades' : 'quotes';
      return new KernelInputError(`${owner}.${side}`, 'finite quotes >= 0 (NaN for no quote)', `${side}[${index}] = ${v}`);
    }
    case Fault.QUOTE_TS_INVALID:
      return Number.isFinite(value)
        ? new KernelInputError('quotes.ts', 'non-decreasing quote times', `ts[${index}] = ${v} after ${previous}`)
        : new KernelInputError('quotes.ts', 'finite quote times', `ts[${index}] = ${v}`);
    case Fault.PIN_COUNT_INVALID: {
      const name = previous === 0 ? 'buys' : 'sells';
      return new KernelInputError(name, 'integers >= 0', `${name}[${index}] = ${v}`);
    }
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
    case Fault.TS_BAR_OUT_OF_RANGE:
      return new KernelInputError(
        'trades.ts',
        'timestamps whose bar index ts / barMs is finite',
        `ts[${index}] = ${v} with barMs = ${previous}`,
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
    case Fault.REALIZED_TS_INVALID:
      return Number.isFinite(value) && value < previous
        ? new KernelInputError('options.ts', 'non-decreasing timestamps', `ts[${index}] = ${v} after ${previous}`)
        : new KernelInputError('options.ts', 'finite timestamps (with options.session.offset added)', `ts[${index}] = ${v}`);
    case Fault.REALIZED_PRICE_INVALID:
      return new KernelInputError('prices', 'finite prices > 0', `prices[${index}] = ${v}`);
    case Fault.HAR_INPUT_INVALID:
      if (previous === 0) return new KernelInputError('rv', 'finite values', `rv[${index}] = ${v}`);
      if (previous === 1) return new KernelInputError('options.lags', 'increasing integers >= 1', `terms[${index}] = ${v}`);
      return new KernelInputError('rv', `at least ${index} days`, v);
    case Fault.PORTFOLIO_COV_NOT_PSD:
      return notPsdError(Math.max(index, 0), previous, value, index < 0 ? 1 : 2);
    default:
      return new KernelInputError('input', 'valid input', `fault code ${code}`);
  }
}
