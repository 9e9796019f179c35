/**
 * The margin family's kernels as the API offers them (MarginKernels) and one descriptor per kernel
 * (MARGIN_KERNELS, see descriptor.ts). Every call is data (a generated entry); the scenario count is
 * the API's (scenarioCount), which the kernels check.
 */
import { KernelInputError } from '../../errors.js';
import { requireKnownOptions, type Outputs } from '../descriptor.js';
import type { Index } from '../labels.js';
import { asColumns, type Matrix, type Series } from '../matrix.js';
import { checkParam } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { describeValue, optionsObject, requireFloat64Array } from '../validate.js';
import {
  CONFIDENCE,
  type FILTER_MODELS,
  HORIZON,
  INSTRUMENT,
  LAMBDA,
  type MARGIN_MEASURES,
  MEASURE,
  MODEL,
  SEED,
  scenarioCount,
  VALUE,
  VOL_FLOOR,
} from './margin.js';

/** `filteredScenarios()`' options. */
export interface ScenarioOptions {
  /** 'ewma' (default): RiskMetrics' EWMA variance; 'garch': each column's GARCH(1,1) normal, constant mean (garch()). */
  model?: (typeof FILTER_MODELS)[number];
  /** The EWMA's decay. Default 0.94. */
  lambda?: number;
  /** The EWMA's first variance: the mean square of the first `seed` returns. Default 20. */
  seed?: number;
  /** Days a scenario spans: the sum of h consecutive one-day scenarios. Default 1. */
  horizon?: number;
  /** EWMA: today's volatility at least volFloor x the column's standard deviation (ddof 1). Default 0. */
  volFloor?: number;
  /** A stressed period's one-day returns (K x N), its h-day sums appended unfiltered. */
  stress?: Series;
}

/** `initialMargin()`' and the other margin calls' options. */
export interface MarginOptions {
  /** Default 0.99. */
  confidence?: number;
  /** 'es' (default): the mean of the worst P&L tail; 'var': its quantile. */
  measure?: (typeof MARGIN_MEASURES)[number];
}

/** One book's margin and P&L, or (a panel of books) one each. */
export interface InitialMargin<M extends number | Float64Array = number | Float64Array> {
  margin: M;
  pnl: M extends number ? Float64Array : Matrix;
}

/** An order for marginalMargin and the prepared book: `value` added to the position in column `instrument`. */
export interface MarginOrder {
  instrument: number;
  value: number;
}

/** The margin family's kernels (each also exists as `<name>Async`). */
export interface MarginKernels {
  /**
   * Filtered historical simulation's scenarios (docs/margin.md), per column of returns (T x N, in the
   * caller's units; a Float64Array is one column): 'ewma' s2[0] = mean of the first `seed` squared
   * returns, s2[t] = lambda s2[t-1] + (1 - lambda) r[t-1]^2 up to s2[T] (the forecast), z[t] =
   * r[t] / sqrt(s2[t]), the one-day scenario z[t] x max(sqrt(s2[T]), volFloor x the column's standard
   * deviation); 'garch': mu + z[t] x sigma with z the fit's standardized residuals and sigma its
   * one-step forecast (garch(), arch's GARCH(1,1) normal with a constant mean: percent returns). An
   * h-day scenario is the sum of h consecutive one-day scenarios (overlapping, no sqrt(h)); `stress`
   * rows' h-day sums follow, unfiltered. S = T - h + 1 (+ K - h + 1) rows.
   */
  filteredScenarios<R extends Series>(returns: R, options?: ScenarioOptions): Matrix;
  /**
   * A book's initial margin over `scenarios` (S x N): pnl[s] = sum_i positions[i] x scenarios[s][i]
   * (in index order), margin = the risk family's historical ES (default) or VaR of pnl at `confidence`
   * (numpy's linear quantile; ES the mean of the k + 1 worst, k = floor((S - 1)(1 - c))), floored at 0.
   * A Matrix of positions (one row a book) gives a margin per book and a P&L matrix, books on threads.
   */
  initialMargin(positions: Float64Array, scenarios: Matrix, options?: MarginOptions): InitialMargin<number>;
  initialMargin(positions: Matrix, scenarios: Matrix, options?: MarginOptions): InitialMargin<Float64Array>;
  /** The margin with `order.value` added to position `order.instrument`, less the margin without. */
  marginalMargin(positions: Float64Array, scenarios: Matrix, order: MarginOrder, options?: MarginOptions): number;
  /**
   * The margin of pnl + value x column (column empty: of pnl alone), the measure of initialMargin: the
   * prepared book's step (marginBook keeps its P&L and its scenarios by column).
   */
  pnlMargin(pnl: Float64Array, column: Float64Array, value: number, options?: MarginOptions): number;
}

/** Margin options checked and packed. */
function marginParams(options: MarginOptions | undefined): [number, number] {
  const o = optionsObject(options);
  return [checkParam(CONFIDENCE, o.confidence ?? 0.99), checkParam(MEASURE, o.measure ?? 'es')];
}

/** Scenarios as the kernels take them: a Matrix. */
function requireScenarios(scenarios: unknown): Matrix {
  if (scenarios instanceof Float64Array || typeof scenarios !== 'object' || scenarios === null) {
    throw new KernelInputError('scenarios', 'a Matrix { data, rows, cols } (filteredScenarios())', describeValue(scenarios));
  }
  return asColumns(scenarios, 'scenarios');
}

/** Daily returns, T x N: a calm first half and a turbulent second. */
function sampleReturns(s: Sampler, T: number, N: number): Float64Array {
  const data = new Float64Array(T * N);
  for (let i = 0; i < data.length; i++) data[i] = (i < (T * N) / 2 ? 0.005 : 0.02) * s.normal();
  return s.view(data);
}

const EMPTY = new Float64Array(0);
const OPTIONS = ['confidence', 'measure'] as const;

/** The margin family's descriptors. */
export const MARGIN_KERNELS = {
  filteredScenarios: {
    params: [MODEL, LAMBDA, SEED, HORIZON, VOL_FLOOR],
    signature: 'returns[rows x cols], rows, cols, options.stress[stressRows x cols], stressRows, scenarios',
    outputs: { scenarios: ['S', 'N'] },
    dims: { S: 'scenarios', N: 'cols' },
    options: ['model', 'lambda', 'seed', 'horizon', 'volFloor', 'stress'],
    sample: (s: Sampler) => {
      const T = s.int(1, 120);
      const N = s.int(1, 4);
      const data = sampleReturns(s, T, N);
      const K = s.int(0, 20);
      const stress = s.random() < 0.3 ? { data: s.fill(K * N, () => 0.05 * s.normal()), rows: K, cols: N } : undefined;
      const horizon = s.int(1, Math.min(T, 10));
      return [
        N === 1 && s.random() < 0.5 ? data : { data, rows: T, cols: N },
        { lambda: s.pick(0.94, 0.97, 0.5), seed: s.int(1, T), horizon, volFloor: s.pick(0, 0, 0.5, 2), stress },
      ];
    },
    api(returns: Series, options?: ScenarioOptions) {
      requireKnownOptions(MARGIN_KERNELS.filteredScenarios, options);
      const o = optionsObject(options);
      const m = asColumns(returns, 'returns');
      const model = checkParam(MODEL, o.model ?? 'ewma');
      const lambda = checkParam(LAMBDA, o.lambda ?? 0.94);
      const seed = checkParam(SEED, o.seed ?? 20);
      const horizon = checkParam(HORIZON, o.horizon ?? 1);
      const volFloor = checkParam(VOL_FLOOR, o.volFloor ?? 0);
      if (horizon > m.rows) throw new KernelInputError('options.horizon', `at most the returns' rows (${m.rows})`, String(horizon));
      if (model === 0 && seed > m.rows) throw new KernelInputError('options.seed', `at most the returns' rows (${m.rows})`, String(seed));
      let stress: Matrix = { data: EMPTY, rows: 0, cols: m.cols };
      if (o.stress !== undefined) {
        stress = asColumns(o.stress, 'options.stress');
        if (stress.cols !== m.cols) throw new KernelInputError('options.stress', `${m.cols} columns (as returns)`, `${stress.cols}`);
      }
      const count = scenarioCount(m.rows, stress.rows, horizon);
      return {
        size: m.rows * m.cols,
        args: [m.data, m.rows, m.cols, stress.data, stress.rows, count, model, lambda, seed, horizon, volFloor],
        split: { labels: { N: m.columns } },
        shape: (out: Outputs) => out.scenarios,
      };
    },
  },
  initialMargin: {
    params: [CONFIDENCE, MEASURE],
    signature: 'positions[books x cols], books, scenarios.data[rows x cols], rows, cols',
    outputs: { margin: ['P'], pnl: ['P', 'S'] },
    dims: { P: 'books', S: 'rows' },
    options: OPTIONS,
    sample: (s: Sampler) => {
      const S = s.int(1, 300);
      const N = s.int(1, 6);
      const scenarios = { data: s.fill(S * N, () => 0.02 * s.normal()), rows: S, cols: N };
      const books = s.int(1, 4);
      const positions = s.fill(books * N, () => s.pick(1e6, -5e5, 2e5, 0) * s.random());
      return [
        books === 1 && s.random() < 0.6 ? positions : { data: positions, rows: books, cols: N },
        scenarios,
        { confidence: s.pick(0.99, 0.975, 0.5), measure: s.pick('es', 'var') },
      ];
    },
    api(positions: Series, scenarios: Matrix, options?: MarginOptions) {
      requireKnownOptions(MARGIN_KERNELS.initialMargin, options);
      const sc = requireScenarios(scenarios);
      const one = positions instanceof Float64Array;
      const p = one ? { data: positions, rows: 1, cols: positions.length } : asColumns(positions, 'positions');
      if (p.cols !== sc.cols) throw new KernelInputError('positions', `${sc.cols} values a book (the scenarios' columns)`, String(p.cols));
      const [confidence, measure] = marginParams(options);
      const books = (p as Matrix).index as Index | undefined;
      return {
        size: p.rows * sc.rows * sc.cols,
        args: [p.data, p.rows, sc.data, sc.rows, sc.cols, confidence, measure],
        split: one ? { one: 'P' } : { labels: { P: books } },
        shape: (out: Outputs) => ({ margin: out.margin, pnl: out.pnl }),
      };
    },
  },
  marginalMargin: {
    params: [INSTRUMENT, VALUE, CONFIDENCE, MEASURE],
    signature: 'positions[cols], scenarios.data[rows x cols], rows, cols',
    outputs: { marginal: [] },
    dims: {},
    options: OPTIONS,
    sample: (s: Sampler) => {
      const S = s.int(1, 200);
      const N = s.int(1, 5);
      const scenarios = { data: s.fill(S * N, () => 0.02 * s.normal()), rows: S, cols: N };
      return [
        s.fill(N, () => 1e5 * s.normal()),
        scenarios,
        { instrument: s.int(0, N - 1), value: 1e5 * s.normal() },
        { measure: s.pick('es', 'var') },
      ];
    },
    api(positions: Float64Array, scenarios: Matrix, order: MarginOrder, options?: MarginOptions) {
      requireKnownOptions(MARGIN_KERNELS.marginalMargin, options);
      requireFloat64Array(positions, 'positions');
      const sc = requireScenarios(scenarios);
      if (positions.length !== sc.cols)
        throw new KernelInputError('positions', `${sc.cols} values (the scenarios' columns)`, String(positions.length));
      const o = optionsObject(order, 'an order { instrument, value }');
      const instrument = checkParam(INSTRUMENT, o.instrument);
      if (instrument >= sc.cols) throw new KernelInputError('order.instrument', `a column below ${sc.cols}`, String(instrument));
      const value = checkParam(VALUE, o.value);
      const [confidence, measure] = marginParams(options);
      return {
        size: sc.rows * sc.cols,
        args: [positions, sc.data, sc.rows, sc.cols, instrument, value, confidence, measure],
        shape: (out: Outputs) => out.marginal,
      };
    },
  },
  pnlMargin: {
    params: [VALUE, CONFIDENCE, MEASURE],
    signature: 'pnl[n], column[k]',
    outputs: { margin: [] },
    dims: {},
    options: OPTIONS,
    sample: (s: Sampler) => {
      const n = s.int(1, 300);
      return [
        s.fill(n, () => 1e4 * s.normal()),
        s.random() < 0.5 ? s.fill(n, () => 0.02 * s.normal()) : new Float64Array(0),
        s.normal() * 1e5,
        {},
      ];
    },
    api(pnl: Float64Array, column: Float64Array, value: number, options?: MarginOptions) {
      requireKnownOptions(MARGIN_KERNELS.pnlMargin, options);
      requireFloat64Array(pnl, 'pnl');
      requireFloat64Array(column, 'column');
      if (column.length !== 0 && column.length !== pnl.length)
        throw new KernelInputError('column', `0 or ${pnl.length} values (as pnl)`, String(column.length));
      const v = checkParam(VALUE, value, 'value');
      const [confidence, measure] = marginParams(options);
      return { size: pnl.length, args: [pnl, column, v, confidence, measure], shape: (out: Outputs) => out.margin };
    },
  },
} as const;
