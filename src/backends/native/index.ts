/**
 * The native backend: the addon's functions in the shape of the families (typed arrays pass through
 * uncopied; fixed-layout outputs are allocated here, in JS, from the kernels' descriptors, and filled
 * by C++).
 */
import { CLASSIFY_TRADES_PARAMS } from '../../kernels/vpin/classify.js';
import { arityOf, dimsOf, outputLength, splitOutputs, type OutputSpec } from '../../kernels/descriptor.js';
import type { FactorFamily } from '../../kernels/factor/factor.js';
import { BARS_PARAMS, INFORMATION_BAR_PARAMS, type FeaturesFamily } from '../../kernels/features/features.js';
import { FEATURES_KERNELS } from '../../kernels/features/features-kernels.js';
import { fracDiffWeights, type LabelingFamily } from '../../kernels/labeling/labeling.js';
import { LABELING_KERNELS } from '../../kernels/labeling/labeling-kernels.js';
import type { MarginFamily } from '../../kernels/margin/margin.js';
import { MARGIN_KERNELS } from '../../kernels/margin/margin-kernels.js';
import type { MlFamily } from '../../kernels/ml/ml.js';
import { ML_KERNELS } from '../../kernels/ml/ml-kernels.js';
import { REALIZED_KERNEL_PARAMS, SESSION_PARAMS, TWO_SCALE_PARAMS } from '../../kernels/features/realized.js';
import { FACTOR_KERNELS } from '../../kernels/factor/factor-kernels.js';
import type { IndicatorsFamily } from '../../kernels/indicators/indicators.js';
import { INDICATORS_KERNELS } from '../../kernels/indicators/indicators-kernels.js';
import type { PortfolioFamily } from '../../kernels/portfolio/portfolio.js';
import { PORTFOLIO_KERNELS } from '../../kernels/portfolio/portfolio-kernels.js';
import type { RiskFamily } from '../../kernels/risk/risk.js';
import { RISK_KERNELS } from '../../kernels/risk/risk-kernels.js';
import { SPECIAL_KERNELS, type SpecialFamily } from '../../kernels/special/special-family.js';
import {
  pinExcludesBoundaries,
  pinFactorizationCode,
  type PinEstimate,
  type PinFactorization,
  type PinInitials,
  type PinParams,
} from '../../kernels/vpin/pin.js';
import { pinInitialSets, pinStarts } from '../../kernels/vpin/pin-initials.js';
import { PIN_KERNELS } from '../../kernels/vpin/pin-kernels.js';
import { BUCKET_COLUMNS, CLASSIFY_PARAMS, packParams, VPIN_PARAMS, type VpinBuckets, type VpinFamily } from '../../kernels/vpin/vpin.js';
import type { AsyncFamily, Backend, BackendProvider } from '../types.js';
import {
  loadNative,
  spreadRecords,
  useThreads,
  type AsyncKernelEntry,
  type EntryArgument,
  type KernelEntry,
  type NativeBinding,
  type RecordLayout,
} from './binding.js';
import { nativeBacktest, nativeBacktestAsync } from './backtest.js';
import { nativeVolatility, nativeVolatilityAsync } from './volatility.js';
import { fresh } from './fresh.js';
import { nativeIndicatorExtras, nativeIndicatorExtrasAsync } from './indicators.js';
import { nativeLightgbmPrepare } from './ml.js';

/**
 * No buckets completed: the addon returns undefined rather than allocate the empty columns, and this
 * one frozen result (empty, frozen arrays: nothing to write) stands for it, so that a streaming update
 * that completes no bucket, the common case, allocates nothing.
 */
const NO_BUCKETS = Object.freeze(
  Object.fromEntries(BUCKET_COLUMNS.map((key) => [key, Object.freeze(new Float64Array(0))])),
) as unknown as VpinBuckets;

/** PIN's native arguments: the packed parameters (the model's and the factorization code). */
const pinLikelihoodParams = (p: PinParams, f: PinFactorization) =>
  Float64Array.of(p.alpha, p.delta, p.mu, p.epsilonBuy, p.epsilonSell, pinFactorizationCode(f));

/** pinLikelihood's and pin's outputs: fixed, so one length each from the descriptor. */
const PIN_LIKELIHOOD_LENGTH = outputLength(PIN_KERNELS.pinLikelihood.outputs, {});
const PIN_ESTIMATE_LENGTH = outputLength(PIN_KERNELS.pin.outputs, {});

/** pinLikelihood's value from the array the addon wrote. */
const likelihoodOf = (out: Float64Array) => splitOutputs(PIN_KERNELS.pinLikelihood.outputs, out, {}).logLikelihood as number;

/**
 * pin() on the addon: the initial sets computed here (src/kernels/vpin/pin-initials.ts, as the reference
 * does: clustering a few hundred days is cheap next to the optimization), packed 5 a set; the addon
 * optimizes them all in parallel and writes the best estimate (PIN_KERNELS.pin.outputs).
 */
function pinCall<R>(
  entry: (buys: Float64Array, sells: Float64Array, sets: Float64Array, params: Float64Array, out: Float64Array) => R,
  buys: Float64Array,
  sells: Float64Array,
  initials: PinInitials,
  factorization: PinFactorization,
  eaCorrection: boolean,
): { result: R; estimate: () => PinEstimate } {
  const initialSets = pinInitialSets(buys, sells, initials, eaCorrection);
  const starts = pinStarts(buys, sells, initialSets);
  const sets = new Float64Array(5 * starts.length);
  starts.forEach((p, i) => sets.set([p.alpha, p.delta, p.mu, p.epsilonBuy, p.epsilonSell], 5 * i));
  const out = new Float64Array(PIN_ESTIMATE_LENGTH);
  const params = Float64Array.of(pinFactorizationCode(factorization), pinExcludesBoundaries(initials, eaCorrection) ? 1 : 0);
  const result = entry(buys, sells, sets, params, out);
  const estimate = () => ({ ...splitOutputs(PIN_KERNELS.pin.outputs, out, {}), initialSets }) as PinEstimate;
  return { result, estimate };
}

function nativeVpin(b: NativeBinding): VpinFamily {
  return {
    pinLikelihood(params, buys, sells, factorization) {
      const out = new Float64Array(PIN_LIKELIHOOD_LENGTH);
      b.pinLikelihood(buys, sells, pinLikelihoodParams(params, factorization), out);
      return likelihoodOf(out);
    },
    pin(buys, sells, initials, factorization, eaCorrection) {
      return pinCall(b.pin, buys, sells, initials, factorization, eaCorrection).estimate();
    },
    timeBars: (ts, price, volume, barMs) => b.timeBars(ts, price, volume, barMs),
    tickRule(price, out = fresh(b, new Int8Array(price.length))) {
      b.tickRule(price, out);
      return out;
    },
    classifyTrades(ts, price, bid, ask, params, out = fresh(b, new Int8Array(ts.length))) {
      b.classifyTrades(ts, price, bid, ask, packParams(CLASSIFY_TRADES_PARAMS, params), out);
      return out;
    },
    classifyQuotes(ts, price, quoteTs, quoteBid, quoteAsk, params, out = fresh(b, new Int8Array(ts.length))) {
      b.classifyQuotes(ts, price, quoteTs, quoteBid, quoteAsk, packParams(CLASSIFY_TRADES_PARAMS, params), out);
      return out;
    },
    bulkClassify(open, close, volume, params, out = fresh(b, new Float64Array(open.length))) {
      b.bulkClassify(open, close, volume, packParams(CLASSIFY_PARAMS, params), out);
      return out;
    },
    vpin: (ts, price, volume, params, labels) =>
      labels
        ? b.vpin(ts, price, volume, packParams(VPIN_PARAMS, params), labels)
        : b.vpin(ts, price, volume, packParams(VPIN_PARAMS, params)),
    vpinBytes: (columns, rows, params, labels) =>
      labels
        ? b.vpinBytes(columns, rows, packParams(VPIN_PARAMS, params), labels)
        : b.vpinBytes(columns, rows, packParams(VPIN_PARAMS, params)),
    vpinStream(params) {
      const stream = new b.NativeVpinStream(packParams(VPIN_PARAMS, params));
      return {
        update: (ts, price, volume, labels) =>
          (labels ? stream.update(ts, price, volume, labels) : stream.update(ts, price, volume)) ?? NO_BUCKETS,
        updateBytes: (columns, rows, labels) =>
          (labels ? stream.updateBytes(columns, rows, labels) : stream.updateBytes(columns, rows)) ?? NO_BUCKETS,
        flush: () => stream.flush() ?? NO_BUCKETS,
        exportState: (history) => stream.exportState(history ?? true),
        importState: (state) => stream.importState(state),
        get bucketCount() {
          return stream.bucketCount();
        },
      };
    },
  };
}

/** The features family's kernels with a fixed layout (generated entries). */
const FIXED_FEATURES = pick(FEATURES_KERNELS, [
  'har',
  'rollMeasure',
  'rollImpact',
  'corwinSchultz',
  'kyleLambda',
  'amihudLambda',
  'hasbrouckLambda',
  'rangeVolatility',
]) as Readonly<Record<string, OutputSpec>>;

/** The labeling family's generated entries (fracDiffWeights, a short scalar recurrence, is labeling.ts' on every backend). */
const FIXED_LABELING = Object.fromEntries(
  Object.entries(LABELING_KERNELS).filter(([name]) => name !== 'fracDiffWeights'),
) as unknown as Readonly<Record<string, OutputSpec>>;

/** The realized measures (counted entries: a row per day) and their packed parameters' tables. */
const DAY_KERNELS = {
  realizedVariance: SESSION_PARAMS,
  bipowerVariation: SESSION_PARAMS,
  medRV: SESSION_PARAMS,
  minRV: SESSION_PARAMS,
  realizedSemivariance: SESSION_PARAMS,
  twoScaleRV: TWO_SCALE_PARAMS,
  realizedKernel: REALIZED_KERNEL_PARAMS,
} as const;
type DayKernel = keyof typeof DAY_KERNELS;

/** The realized measures on the addon's entries `<name><suffix>` ('' or 'Async'), the parameters packed. */
function dayKernels<T>(b: NativeBinding, suffix: '' | 'Async'): T {
  const entries = Object.entries(DAY_KERNELS).map(([name, table]) => {
    const entry = b[`${name}${suffix}` as keyof NativeBinding] as (ts: Float64Array, price: Float64Array, p: Float64Array) => unknown;
    return [name, (ts: Float64Array, price: Float64Array, params: Record<string, number>) => entry(ts, price, packParams(table, params))];
  });
  return Object.fromEntries(entries) as T;
}

/** The features kernels of a fixed layout, as the family types them. */
type FixedFeatures = Omit<FeaturesFamily, 'bars' | 'imbalanceBars' | 'runBars' | DayKernel>;

/** The features family on the addon: the counted entries' parameters packed in the descriptor's order. */
function nativeFeatures(b: NativeBinding, fixed: FixedKernels['sync']): FeaturesFamily {
  return {
    bars: (ts, price, volume, params) => b.bars(ts, price, volume, packParams(BARS_PARAMS, params)),
    imbalanceBars: (ts, price, volume, params) => b.imbalanceBars(ts, price, volume, packParams(INFORMATION_BAR_PARAMS, params)),
    runBars: (ts, price, volume, params) => b.runBars(ts, price, volume, packParams(INFORMATION_BAR_PARAMS, params)),
    ...dayKernels<Pick<FeaturesFamily, DayKernel>>(b, ''),
    ...(fixed as unknown as FixedFeatures),
  };
}

/** The features family's promise variants: the pass over the trades on the addon's thread pool. */
function nativeFeaturesAsync(b: NativeBinding, fixed: FixedKernels['async']): AsyncFamily<FeaturesFamily> {
  return {
    bars: (ts, price, volume, params) => b.barsAsync(ts, price, volume, packParams(BARS_PARAMS, params)),
    imbalanceBars: (ts, price, volume, params) => b.imbalanceBarsAsync(ts, price, volume, packParams(INFORMATION_BAR_PARAMS, params)),
    runBars: (ts, price, volume, params) => b.runBarsAsync(ts, price, volume, packParams(INFORMATION_BAR_PARAMS, params)),
    ...dayKernels<AsyncFamily<Pick<FeaturesFamily, DayKernel>>>(b, 'Async'),
    ...(fixed as unknown as AsyncFamily<FixedFeatures>),
  };
}

/**
 * The addon's arguments of a backend call: the first `lead` of `args` (records spread into their
 * fields when the entry has a `layout`), then `params` (the next k numbers packed, when k > 0), then
 * `out`, in one fresh array.
 */
function entryArgs(
  layout: RecordLayout['records'] | undefined,
  args: readonly unknown[],
  lead: number,
  k: number,
  params: Float64Array,
  out: Float64Array,
): EntryArgument[] {
  const list = layout ? spreadRecords(layout, args, lead) : (args.slice(0, lead) as EntryArgument[]);
  for (let i = 0; i < k; i++) params[i] = args[lead + i] as number;
  if (k > 0) list.push(params);
  list.push(out);
  return list;
}

/**
 * A synchronous call of `entry` as entryArgs lays it out, without records: called directly up to 4
 * leading arguments, with no array made (an argument array and an `apply` cost about 0.1 us of a
 * small call), else through entryArgs.
 */
function callEntry(entry: KernelEntry, args: readonly unknown[], lead: number, k: number, params: Float64Array, out: Float64Array): void {
  for (let i = 0; i < k; i++) params[i] = args[lead + i] as number;
  const a = args as readonly EntryArgument[];
  // `lead` and whether the packed parameters come before `out`, as one case
  switch (k > 0 ? lead : -lead) {
    case 1:
      entry(a[0], params, out);
      break;
    case 2:
      entry(a[0], a[1], params, out);
      break;
    case 3:
      entry(a[0], a[1], a[2], params, out);
      break;
    case 4:
      entry(a[0], a[1], a[2], a[3], params, out);
      break;
    case -1:
      entry(a[0], out);
      break;
    case -2:
      entry(a[0], a[1], out);
      break;
    case -3:
      entry(a[0], a[1], a[2], out);
      break;
    case -4:
      entry(a[0], a[1], a[2], a[3], out);
      break;
    default:
      entry(...entryArgs(undefined, args, lead, k, params, out));
  }
}

/**
 * Typed arrays of up to this many doubles (64 bytes) V8 keeps inside its heap, and the addon's first
 * look at one moves its memory out (a backing store allocated, registered and later swept: about
 * 0.4 us, more than a small kernel's own time). A synchronous call with an output this small writes
 * into a view of one off-heap array (SMALL_OUTPUTS[n]: n values) and returns a fresh copy, which stays
 * in the heap. One array serves every kernel: no JS runs between the addon's write and the copy.
 */
const ON_HEAP_VALUES = 8;
/** Views of n = 0..ON_HEAP_VALUES values of one fresh off-heap array. */
const offHeapViews = (): Float64Array[] => {
  const small = new Float64Array(new ArrayBuffer(ON_HEAP_VALUES * 8));
  return Array.from({ length: ON_HEAP_VALUES + 1 }, (_, n) => small.subarray(0, n));
};
const SMALL_OUTPUTS = offHeapViews();
/**
 * The same for the inputs, one array per leading argument: a caller's small Float64Array (a fresh one
 * a call, as an engine passes it, lives in V8's heap) is copied into its view before the call, so the
 * addon never moves the caller's memory (normalCdf of one fresh value: see bench/calls.ts).
 */
const SMALL_INPUTS = Array.from({ length: 4 }, offHeapViews);

/** Replaces each of the first `lead` arguments of `args` (the call's own array) that is a small Float64Array by its copy off the heap. */
function smallInputsOffHeap(args: unknown[], lead: number): void {
  for (let i = Math.min(lead, SMALL_INPUTS.length); i-- > 0; ) {
    const a = args[i];
    if (a instanceof Float64Array && a.length <= ON_HEAP_VALUES) {
      const copy = SMALL_INPUTS[i][a.length];
      for (let j = 0; j < a.length; j++) copy[j] = a[j]; // (set() costs more at this size)
      args[i] = copy;
    }
  }
}

/** The sync and promise variants of a family's fixed-layout kernels. */
export interface FixedKernels {
  sync: Record<string, (...args: unknown[]) => Float64Array>;
  async: Record<string, (...args: unknown[]) => Promise<Float64Array>>;
}

/**
 * The kernels of `specs` over the addon's entries `entry(name)` and `entry(name)` + 'Async': the output
 * allocated here from the descriptor, the trailing numbers packed.
 */
export function fixedKernels(b: NativeBinding, specs: Readonly<Record<string, OutputSpec>>, entry = (name: string) => name): FixedKernels {
  const sync: FixedKernels['sync'] = {};
  const async: FixedKernels['async'] = {};
  for (const [name, spec] of Object.entries(specs)) {
    const call = entry(name);
    const dims = dimsOf(spec);
    const k = spec.params.length;
    // A synchronous call's parameters in one array reused by every call (the entry has read them when
    // it returns; a fresh small typed array costs the addon a backing store each time); a promise's
    // in its own (the thread pool reads them later).
    const scratch = new Float64Array(k);
    const length = (args: unknown[]) => outputLength(spec.outputs, dims(args));
    // the entries are read at each call (a Metal runner's exist only in an addon built on Apple)
    // an output after the arguments (arityOf: the caller's, or the API's scratch), else a fresh one;
    // the arguments before the packed parameters
    const arity = arityOf(spec);
    const given = (args: unknown[]) => (arity !== undefined && args.length > arity ? (args[arity] as Float64Array) : undefined);
    const leadOf = (args: unknown[], mine: Float64Array | undefined) => (mine ? (arity as number) : args.length) - k;
    // an entry taking records: their fields spread into arguments (binding.ts spreadRecords)
    const layout = (b[call] as RecordLayout | undefined)?.records;
    sync[name] = (...args) => {
      const mine = given(args);
      const n = mine ? 0 : length(args);
      const copied = !mine && n <= ON_HEAP_VALUES;
      // a small output written off-heap, then copied into a fresh one (ON_HEAP_VALUES)
      const out = mine ?? (copied ? SMALL_OUTPUTS[n] : fresh(b, new Float64Array(n)));
      const entry = b[call] as KernelEntry;
      const lead = leadOf(args, mine);
      if (layout) entry(...entryArgs(layout, args, lead, k, scratch, out));
      else {
        smallInputsOffHeap(args, lead);
        callEntry(entry, args, lead, k, scratch, out);
      }
      return copied ? out.slice() : out;
    };
    async[name] = async (...args) => {
      const mine = given(args);
      const out = mine ?? fresh(b, new Float64Array(length(args)));
      await (b[`${call}Async`] as AsyncKernelEntry)(...entryArgs(layout, args, leadOf(args, mine), k, new Float64Array(k), out));
      return out;
    };
  }
  return { sync, async };
}

/** The entries of `names` only (a backend implementing some kernels of a family). */
export function pick<T extends object>(specs: T, names: readonly (keyof T)[]): Partial<T> {
  return Object.fromEntries(names.map((name) => [name, specs[name]])) as Partial<T>;
}

/** The native backend over the loaded addon: every family, and the promise variants of vpin and the risk and factor kernels. */
export function nativeBackend(b: NativeBinding): Backend {
  const special = fixedKernels(b, SPECIAL_KERNELS);
  const risk = fixedKernels(b, RISK_KERNELS);
  const factor = fixedKernels(b, FACTOR_KERNELS);
  const portfolio = fixedKernels(b, PORTFOLIO_KERNELS);
  const indicators = fixedKernels(b, INDICATORS_KERNELS);
  const features = fixedKernels(b, FIXED_FEATURES);
  const labeling = fixedKernels(b, FIXED_LABELING);
  const margin = fixedKernels(b, MARGIN_KERNELS);
  const ml = fixedKernels(b, ML_KERNELS);
  return {
    name: 'native',
    families: {
      vpin: nativeVpin(b),
      special: special.sync as Partial<SpecialFamily>,
      risk: risk.sync as Partial<RiskFamily>,
      factor: factor.sync as Partial<FactorFamily>,
      portfolio: portfolio.sync as Partial<PortfolioFamily>,
      features: nativeFeatures(b, features.sync),
      indicators: { ...(indicators.sync as Partial<IndicatorsFamily>), ...nativeIndicatorExtras(b) },
      backtest: nativeBacktest(b),
      volatility: nativeVolatility(b),
      labeling: { ...(labeling.sync as unknown as LabelingFamily), fracDiffWeights },
      margin: margin.sync as unknown as MarginFamily,
      ml: { ...(ml.sync as unknown as MlFamily), lightgbmPrepare: nativeLightgbmPrepare(b) },
    },
    async: {
      special: special.async as AsyncFamily<SpecialFamily>,
      risk: risk.async as AsyncFamily<RiskFamily>,
      factor: factor.async as AsyncFamily<FactorFamily>,
      portfolio: portfolio.async as AsyncFamily<PortfolioFamily>,
      features: nativeFeaturesAsync(b, features.async),
      indicators: { ...(indicators.async as AsyncFamily<IndicatorsFamily>), ...nativeIndicatorExtrasAsync(b) },
      backtest: nativeBacktestAsync(b),
      volatility: nativeVolatilityAsync(b),
      labeling: {
        ...(labeling.async as unknown as AsyncFamily<LabelingFamily>),
        fracDiffWeights: async (d: number, threshold: number, limit: number) => fracDiffWeights(d, threshold, limit),
      },
      margin: margin.async as unknown as AsyncFamily<MarginFamily>,
      ml: ml.async as unknown as AsyncFamily<MlFamily>,
      vpin: {
        vpin: (ts, price, volume, params, labels) =>
          labels
            ? b.vpinAsync(ts, price, volume, packParams(VPIN_PARAMS, params), labels)
            : b.vpinAsync(ts, price, volume, packParams(VPIN_PARAMS, params)),
        async pinLikelihood(params, buys, sells, factorization) {
          const out = new Float64Array(PIN_LIKELIHOOD_LENGTH);
          await b.pinLikelihoodAsync(buys, sells, pinLikelihoodParams(params, factorization), out);
          return likelihoodOf(out);
        },
        async pin(buys, sells, initials, factorization, eaCorrection) {
          const call = pinCall(b.pinAsync, buys, sells, initials, factorization, eaCorrection);
          await call.result;
          return call.estimate();
        },
      },
    },
    configure: (settings) => useThreads(b, settings.threads),
  };
}

export const nativeProvider = {
  name: 'native',
  expected: true,
  load() {
    const loaded = loadNative();
    if (!loaded.binding) return { reason: loaded.error.message };
    return { backend: nativeBackend(loaded.binding), features: { ...loaded.binding.features() }, path: loaded.path };
  },
} as const satisfies BackendProvider;
