/**
 * `kernelbus dataset`'s flags read into a plan: which bars, events, target, barriers, label, weights,
 * folds and features, each checked here (KernelInputError naming the flag) before the tape is read.
 */
import { parseIndicators, type IndicatorSpec } from '../api/indicator-spec.js';
import { KernelInputError } from '../errors.js';
import { EMBARGO, SPLITS } from '../kernels/labeling/labeling.js';
import { checkParam } from '../kernels/param-rules.js';
import { parseFinite } from './options.js';

/** A span of time: `500ms`, `30s`, `5m`, `1h`, `1d`, or milliseconds as a number. */
export function parseSpan(value: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new KernelInputError(name, 'a span: 500ms, 30s, 5m, 1h, 1d or milliseconds', JSON.stringify(value));
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] as number;
  const ms = Number(m[1]) * unit;
  if (!(ms > 0)) throw new KernelInputError(name, 'a span > 0', JSON.stringify(value));
  return ms;
}

/** `name:a[:b...]` split at colons (the name first). */
const parts = (value: string) => value.split(':').map((p) => p.trim());

export type BarsBy = 'tick' | 'volume' | 'dollar' | 'time';

export interface DatasetPlan {
  bars: { by: BarsBy; threshold: number };
  /** Every bar, or the CUSUM filter's events at this threshold. */
  events: { kind: 'all' } | { kind: 'cusum'; threshold: number };
  label: 'triple-barrier' | 'trend' | 'fixed';
  /** The triple barrier's target: the daily volatility over `lookback`, or a number. */
  target: { kind: 'daily-vol'; lookback: number } | { kind: 'fixed'; value: number };
  ptSl: [number, number];
  minReturn: number;
  /** The vertical barrier's span in ms (none: undefined). */
  vertical?: number;
  lookForward: number;
  minSampleLength: number;
  /** fixedHorizonLabels' threshold. */
  threshold: number;
  weights?: { kind: 'uniqueness' | 'return' } | { kind: 'decay'; decay: number };
  folds?: { splits: number; embargo: number };
  fracdiff?: { d: number; threshold: number };
  indicators: IndicatorSpec[];
  estimators: string[];
  window: number;
  vpin?: { bucketVolume: number; window: number };
}

/** The bar estimators `--estimators` takes, and the columns each writes. */
export const ESTIMATORS: Record<string, string[]> = {
  roll: ['roll'],
  kyle: ['kyle_lambda'],
  amihud: ['amihud_lambda'],
  hasbrouck: ['hasbrouck_lambda'],
  'corwin-schultz': ['cs_spread', 'cs_sigma'],
  parkinson: ['parkinson'],
};

/** The flags' raw values this module reads. */
export interface DatasetFlags {
  bars?: string;
  events?: string;
  label?: string;
  target?: string;
  pt?: number;
  sl?: number;
  'min-return'?: number;
  vertical?: string;
  'look-forward'?: number;
  'min-sample'?: number;
  threshold?: number;
  weights?: string;
  folds?: string;
  fracdiff?: string;
  indicators?: string;
  estimators?: string;
  window?: number;
  vpin?: string;
}

function barsOf(value: string | undefined): DatasetPlan['bars'] {
  if (value === undefined) throw new KernelInputError('--bars', 'bars as by:threshold (dollar:1e6, tick:500, volume:5e4, time:1m)', 'none');
  const [by, threshold] = parts(value);
  if (!['tick', 'volume', 'dollar', 'time'].includes(by) || threshold === undefined) {
    throw new KernelInputError('--bars', 'tick:n, volume:v, dollar:v or time:<span>', JSON.stringify(value));
  }
  return { by: by as BarsBy, threshold: by === 'time' ? parseSpan(threshold, '--bars') : parseFinite(threshold, '--bars') };
}

function eventsOf(value: string | undefined): DatasetPlan['events'] {
  if (value === undefined || value === 'all') return { kind: 'all' };
  const [kind, threshold] = parts(value);
  if (kind !== 'cusum' || threshold === undefined)
    throw new KernelInputError('--events', 'all or cusum:<threshold>', JSON.stringify(value));
  return { kind: 'cusum', threshold: parseFinite(threshold, '--events') };
}

function targetOf(value: string | undefined): DatasetPlan['target'] {
  if (value === undefined) return { kind: 'daily-vol', lookback: 100 };
  const [kind, lookback] = parts(value);
  if (kind === 'daily-vol') return { kind, lookback: lookback === undefined ? 100 : parseFinite(lookback, '--target') };
  return { kind: 'fixed', value: parseFinite(value, '--target') };
}

function weightsOf(value: string | undefined): DatasetPlan['weights'] {
  if (value === undefined) return undefined;
  const [kind, decay] = parts(value);
  if (kind === 'uniqueness' || kind === 'return') return { kind };
  if (kind === 'decay') return { kind, decay: decay === undefined ? 1 : parseFinite(decay, '--weights') };
  throw new KernelInputError('--weights', 'uniqueness, return or decay[:d]', JSON.stringify(value));
}

function foldsOf(value: string | undefined): DatasetPlan['folds'] {
  if (value === undefined) return undefined;
  const [kind, splits, embargo] = parts(value);
  if (kind !== 'purged' || splits === undefined)
    throw new KernelInputError('--folds', 'purged:<splits>[:<embargo>]', JSON.stringify(value));
  // the kernel's rules (a symbol with events checks them again), and trainIn's bit per fold in a double
  const k = checkParam(SPLITS, parseFinite(splits, '--folds'), '--folds (splits)');
  if (k > 52) throw new KernelInputError('--folds (splits)', 'at most 52 splits', String(k));
  return { splits: k, embargo: checkParam(EMBARGO, embargo === undefined ? 0 : parseFinite(embargo, '--folds'), '--folds (embargo)') };
}

function fracdiffOf(value: string | undefined): DatasetPlan['fracdiff'] {
  if (value === undefined) return undefined;
  const [column, d, threshold] = parts(value);
  if (column !== 'close' || d === undefined) throw new KernelInputError('--fracdiff', 'close:<d>[:<threshold>]', JSON.stringify(value));
  return { d: parseFinite(d, '--fracdiff'), threshold: threshold === undefined ? 1e-5 : parseFinite(threshold, '--fracdiff') };
}

function vpinOf(value: string | undefined): DatasetPlan['vpin'] {
  if (value === undefined) return undefined;
  const [bucketVolume, window] = parts(value);
  return { bucketVolume: parseFinite(bucketVolume, '--vpin'), window: window === undefined ? 50 : parseFinite(window, '--vpin') };
}

function estimatorsOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  const list = value.split(',').map((s) => s.trim());
  for (const e of list) {
    if (!Object.hasOwn(ESTIMATORS, e))
      throw new KernelInputError('--estimators', `a list of ${Object.keys(ESTIMATORS).join(', ')}`, JSON.stringify(e));
  }
  return list;
}

/** The plan of the flags (their ranges are the kernels' to check, by a run on empty bars). */
export function planOf(v: DatasetFlags): DatasetPlan {
  const label = v.label ?? 'triple-barrier';
  if (!['triple-barrier', 'trend', 'fixed'].includes(label))
    throw new KernelInputError('--label', 'triple-barrier, trend or fixed', JSON.stringify(label));
  return {
    bars: barsOf(v.bars),
    events: eventsOf(v.events),
    label: label as DatasetPlan['label'],
    target: targetOf(v.target),
    ptSl: [v.pt ?? 1, v.sl ?? 1],
    minReturn: v['min-return'] ?? 0,
    vertical: v.vertical === undefined ? undefined : parseSpan(v.vertical, '--vertical'),
    lookForward: v['look-forward'] ?? 20,
    minSampleLength: v['min-sample'] ?? 5,
    threshold: v.threshold ?? 0,
    weights: weightsOf(v.weights),
    folds: foldsOf(v.folds),
    fracdiff: fracdiffOf(v.fracdiff),
    indicators: v.indicators === undefined ? [] : parseIndicators(v.indicators),
    estimators: estimatorsOf(v.estimators),
    window: v.window ?? 20,
    vpin: vpinOf(v.vpin),
  };
}
