/**
 * The fault codes every backend reports a data fault by (code, index, value, previous), equal to `enum
 * class Fault` in native/kernels/status.hpp, and the cell names the messages use. No imports but the
 * error class: the families' fault messages (portfolio/portfolio-faults.ts, vpin/vpin-faults.ts) and
 * faults.ts's inputFault both read it.
 */
import type { KernelInputError } from '../errors.js';

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
  // Labeling family (labeling/labeling-faults.ts)
  /** A bar time not finite, or not after the one before it: previous = that time (NaN for the first). */
  LABEL_TS_INVALID: 40,
  /** An event time that is wrong: previous = what (labeling-faults.ts EVENT_FAULTS), value = the time. */
  EVENT_INVALID: 41,
  /** A value of an input array that is wrong: previous = which (labeling-faults.ts VALUE_FAULTS). */
  LABEL_VALUE_INVALID: 42,
  /** More folds' blocks than events: index = splits, value = the events. */
  SPLITS_ABOVE_EVENTS: 43,
  // Margin family (margin/margin-faults.ts)
  /** An input value or count that is wrong: previous = what (margin-faults.ts MarginFault). */
  MARGIN_INPUT_INVALID: 44,
  // Ml family (ml/ml-faults.ts)
  /** A packed model, or a call's counts against it, that is wrong: previous = what (ml-faults.ts MlFault). */
  ML_MODEL_INVALID: 45,
} as const;

/** A family's messages for its own codes: the error, or undefined for a code not its own. */
export type FamilyFault = (code: number, index: number, value: number, previous: number) => KernelInputError | undefined;

/** ' in problem p' for a batch (p > 0, or any p when said), else ''. */
export const inProblem = (p: number) => (p > 0 ? ` (problem ${p})` : '');

/** `name[row][col]` of a row-major element (`name[row]` for one column). */
export function cell(name: string, index: number, cols: number): string {
  const row = Math.floor(index / cols);
  return cols === 1 ? `${name}[${row}]` : `${name}[${row}][${index - row * cols}]`;
}

/** Cell `index` of a stack of n x n matrices: `name[i][j]`, `name[p][i][j]` past the first (problem p). */
export function stackCell(name: string, index: number, n: number): string {
  const p = Math.floor(index / (n * n));
  const at = index - p * n * n;
  const i = Math.floor(at / n);
  return `${name}${p > 0 ? `[${p}]` : ''}[${i}][${at - i * n}]`;
}
