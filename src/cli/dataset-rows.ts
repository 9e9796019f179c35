/**
 * One symbol's training rows for `kernelbus dataset` (docs/labeling.md): its trades into bars, events
 * on the bars, a label per event (triple barrier, trend scanning or fixed horizon), the features at
 * the event's bar (the bar itself, indicators, bar estimators, fractionally differenced log closes, the
 * VPIN of the last bucket completed), a sample weight and a purged fold. Each step is a kernel of the
 * labeling, features, indicators or VPIN family (the fixed horizon's forward return aside: close[t + 1] /
 * close[t] - 1, the return its label read).
 */
import type { Kernels } from '../api/index.js';
import { KernelInputError } from '../errors.js';
import type { Bars, Trades } from '../kernels/features/features.js';
import { firstAtOrAfter } from '../kernels/labeling/labeling.js';
import { INDICATORS_KERNELS } from '../kernels/indicators/indicators-kernels.js';
import { ESTIMATORS, type DatasetPlan } from './dataset-plan.js';

/** The bar columns written as features. */
export const BAR_FEATURES = ['open', 'high', 'low', 'close', 'volume', 'buyVolume', 'ticks', 'dollarValue'] as const;

/** A symbol's rows: columns of one length (times as epoch ms), and the counts the summary reports. */
export interface SymbolRows {
  columns: Record<string, Float64Array>;
  rows: number;
  bars: number;
  events: number;
}

/** The kernel call `run`, its option faults named as the flag that set them. */
function asFlag<T>(flag: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof KernelInputError && (error.argument === 'options' || error.argument.startsWith('options.'))) {
      const detail = error.argument.startsWith('options.') ? ` (${error.argument.slice(8)})` : '';
      throw new KernelInputError(`${flag}${detail}`, error.expected, error.actual);
    }
    throw error;
  }
}

/**
 * Bars closing in the same millisecond as the bar after them folded into it (the labels need one
 * price per time): open the first's, high and low over both, close the last's, sums added.
 */
export function foldTies(b: Bars): Bars {
  const n = b.ts.length;
  let ties = 0;
  for (let i = 1; i < n; i++) if (b.ts[i] === b.ts[i - 1]) ties++;
  if (ties === 0) return b;
  const out = Object.fromEntries(Object.keys(b).map((k) => [k, new Float64Array(n - ties)])) as unknown as Bars;
  let r = -1;
  for (let i = 0; i < n; i++) {
    if (r >= 0 && b.ts[i] === out.ts[r]) {
      out.high[r] = Math.max(out.high[r], b.high[i]);
      out.low[r] = Math.min(out.low[r], b.low[i]);
      out.close[r] = b.close[i];
      out.tickNum[r] = b.tickNum[i];
      for (const k of ['volume', 'buyVolume', 'ticks', 'dollarValue'] as const) out[k][r] += b[k][i];
      continue;
    }
    r++;
    for (const k of Object.keys(b) as (keyof Bars)[]) out[k][r] = b[k][i];
  }
  return out;
}

/** Each event's bar position (events are bar times). */
const positions = (ts: Float64Array, t0: Float64Array) => Int32Array.from(t0, (t) => firstAtOrAfter(ts, t));

/** `values` at the positions `at`. */
const at = (values: Float64Array, where: Int32Array) => Float64Array.from(where, (i) => values[i]);

/** The labels: the events kept, their ends and the label's columns. */
function labelsOf(
  k: Kernels,
  plan: DatasetPlan,
  series: { ts: Float64Array; close: Float64Array },
  t0: Float64Array,
): { t0: Float64Array; t1: Float64Array; columns: Record<string, Float64Array> } {
  if (plan.label === 'triple-barrier') {
    const target =
      plan.target.kind === 'daily-vol'
        ? asFlag('--target', () => k.dailyVolatility(series, { lookback: (plan.target as { lookback: number }).lookback }))
        : plan.target.value;
    const t1 = plan.vertical === undefined ? undefined : asFlag('--vertical', () => k.verticalBarriers(series, t0, { ms: plan.vertical! }));
    const e = asFlag('--pt/--sl', () => k.tripleBarrier(series, { t0, target, ptSl: plan.ptSl, minReturn: plan.minReturn, t1 }));
    return { t0: e.t0, t1: e.t1, columns: { label: e.label, ret: e.ret, target: e.target, barrier: e.barrier } };
  }
  if (plan.label === 'trend') {
    const r = asFlag('--look-forward/--min-sample', () =>
      k.trendScanningLabels(series, { t0, lookForward: plan.lookForward, minSampleLength: plan.minSampleLength }),
    );
    const kept = Int32Array.from(r.t1.keys()).filter((i) => !Number.isNaN(r.t1[i]));
    return {
      t0: at(r.t0, kept),
      t1: at(r.t1, kept),
      columns: { label: at(r.label, kept), ret: at(r.ret, kept), tValue: at(r.tValue, kept) },
    };
  }
  const labels = asFlag('--threshold', () => k.fixedHorizonLabels(series.close, { threshold: plan.threshold }));
  const where = positions(series.ts, t0).filter((i) => !Number.isNaN(labels[i]));
  const next = where.map((i) => i + 1);
  const ret = Float64Array.from(where, (i) => series.close[i + 1] / series.close[i] - 1);
  return { t0: at(series.ts, where), t1: at(series.ts, next), columns: { label: at(labels, where), ret } };
}

/** The features at the events' bars: the bar, indicators, estimators, fractional differences, VPIN. */
function featuresOf(
  k: Kernels,
  plan: DatasetPlan,
  bars: Bars,
  trades: Trades,
  where: Int32Array,
  t0: Float64Array,
): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const f of BAR_FEATURES) out[f] = at(bars[f], where);
  const ohlcv = { open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume };
  for (const a of plan.indicators) {
    const run = k[a.name] as unknown as (x: unknown, o: unknown) => Float64Array | Record<string, Float64Array>;
    const r = asFlag(`--indicators ${a.name}`, () => run(INDICATORS_KERNELS[a.name].fields.length === 1 ? bars.close : ohlcv, a.options));
    for (const [o, column] of a.columns) out[column] = at(r instanceof Float64Array ? r : r[o], where);
  }
  const window = { window: plan.window };
  const estimator: Record<string, () => Float64Array[]> = {
    roll: () => [k.rollMeasure(bars.close, window)],
    kyle: () => [k.kyleLambda(bars.close, bars.volume, window)],
    amihud: () => [k.amihudLambda(bars.close, bars.dollarValue, window)],
    hasbrouck: () => [k.hasbrouckLambda(bars.close, bars.dollarValue, window)],
    'corwin-schultz': () => {
      const cs = k.corwinSchultz(bars.high, bars.low, window);
      return [cs.spread, cs.sigma];
    },
    parkinson: () => [k.rangeVolatility(ohlcv, { estimator: 'parkinson', ...window })],
  };
  for (const e of plan.estimators) {
    const values = asFlag('--window', estimator[e]);
    ESTIMATORS[e].forEach((column, i) => {
      out[column] = at(values[i], where);
    });
  }
  if (plan.fracdiff) {
    const { d, threshold } = plan.fracdiff;
    const logs = Float64Array.from(bars.close, Math.log);
    out.fracdiff_close = at(
      asFlag('--fracdiff', () => k.fracDiff(logs, { d, threshold })),
      where,
    );
  }
  if (plan.vpin) {
    const { bucketVolume, window: w } = plan.vpin;
    const buckets = asFlag('--vpin', () => k.vpin(trades, { bucketVolume, window: w }));
    // the last bucket completed at or before the event's bar closed
    out.vpin = Float64Array.from(t0, (t) => {
      const j = firstAtOrAfter(buckets.endTs, t + 1) - 1;
      return j >= 0 ? buckets.vpin[j] : NaN;
    });
  }
  return out;
}

/** One symbol's rows (see the module's comment). */
export function datasetRows(k: Kernels, trades: Trades, plan: DatasetPlan): SymbolRows {
  const bars = foldTies(asFlag('--bars', () => k.bars(trades, plan.bars)));
  const series = { ts: bars.ts, close: bars.close };
  const events =
    plan.events.kind === 'all'
      ? bars.ts
      : asFlag('--events', () => k.cusumFilter(series, { threshold: (plan.events as { threshold: number }).threshold }));
  const labels = labelsOf(k, plan, series, events);
  const { t0, t1 } = labels;
  const where = positions(bars.ts, t0);
  const columns: Record<string, Float64Array> = { ts: t0, ...featuresOf(k, plan, bars, trades, where, t0), t1, ...labels.columns };
  const spans = { t0, t1 };
  if (plan.weights) {
    const w = plan.weights;
    columns.weight = asFlag('--weights', () => {
      if (w.kind === 'decay') return k.timeDecayWeights(series, { ...spans, decay: w.decay });
      return w.kind === 'uniqueness' ? k.averageUniqueness(series, spans) : k.returnWeights(series, spans);
    });
  }
  if (plan.folds && t0.length > 0) {
    const { splits, embargo } = plan.folds;
    const folds = asFlag('--folds', () => k.purgedKFold(spans, { splits, embargo }));
    // the test fold of each row, and the folds whose purged train set holds it (bit i: fold i)
    const fold = new Float64Array(t0.length).fill(NaN);
    const trainIn = new Float64Array(t0.length);
    folds.forEach((f, i) => {
      for (const j of f.test) fold[j] = i;
      for (const j of f.train) trainIn[j] += 2 ** i;
    });
    columns.fold = fold;
    columns.trainIn = trainIn;
  }
  return { columns, rows: t0.length, bars: bars.ts.length, events: events.length };
}
