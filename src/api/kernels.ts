/**
 * The dispatching API: validation and defaults (from the specs in src/kernels/), then a backend per
 * call (from the registry in src/backends/). `kernels({ backend })` binds every kernel to one backend
 * choice; the top-level exports use the default choice (KERNELBUS_BACKEND, else 'auto'). Every kernel
 * is its descriptor's `api` (src/kernels/<family>-kernels.ts) over a Run (dispatch.ts), twice: `<name>`
 * and `<name>Async`.
 */
import { backendNames, loadBackend, type BackendName } from '../backends/registry.js';
import type { Backend } from '../backends/types.js';
import { BackendUnavailableError, checkThreads, KernelInputError } from '../errors.js';
import {
  arityOf,
  filled,
  numbersOf,
  numbersOnly,
  requireKnownOptions,
  splitOutputs,
  type Call,
  dimsOf,
  type KernelSpec,
  type OutputSpec,
} from '../kernels/descriptor.js';
import type { FactorKernels } from '../kernels/factor/factor-kernels.js';
import type { FeaturesKernels } from '../kernels/features/features-kernels.js';
import type { FactorInputs, FactorReturnsResult } from '../kernels/factor/factor.js';
import {
  type FactorRiskModel,
  type FactorRiskModelOptions,
  factorRiskModelWith,
  factorRiskModelWithAsync,
} from '../kernels/factor/factor-model.js';
import type { IndicatorsKernels } from '../kernels/indicators/indicators-kernels.js';
import type { SignalKernels } from '../kernels/indicators/signals-kernels.js';
import type { BacktestKernels } from '../kernels/backtest/backtest-kernels.js';
import type { VolatilityKernels } from '../kernels/volatility/volatility-kernels.js';
import type { LabelingKernels } from '../kernels/labeling/labeling-kernels.js';
import type { MarginKernels, MarginOptions } from '../kernels/margin/margin-kernels.js';
import { createMarginBook, type MarginBook } from '../kernels/margin/margin-book.js';
import type { MarginFamily } from '../kernels/margin/margin.js';
import type { MlFamily, PreparedLightGbm } from '../kernels/ml/ml.js';
import { classesOf, type MlKernels } from '../kernels/ml/ml-kernels.js';
import type { Matrix } from '../kernels/matrix.js';
import { FAMILY_SPECS, type FamilyName, type KernelName } from '../kernels/families.js';
import type { PortfolioAsyncKernels, PortfolioKernels } from '../kernels/portfolio/portfolio-kernels.js';
import type { RiskKernels } from '../kernels/risk/risk-kernels.js';
import type { SpecialKernels } from '../kernels/special/special-family.js';
import type { Split } from '../kernels/labels.js';
import { describeValue } from '../kernels/validate.js';
import { resolveVpinOptions, type VpinFamily, type VpinOptions, type VpinStream } from '../kernels/vpin/vpin.js';
import { resolveVpinLabels } from '../kernels/vpin/vpin-labels.js';
import { createVpinStream } from '../kernels/vpin/vpin-stream.js';
import { VPIN_KERNELS, type VpinKernels } from '../kernels/vpin/vpin-kernels.js';
import { promisedRun, type Run, type Site, siteMaker, syncRun } from './dispatch.js';

export type { Panel } from '../kernels/factor/factor-kernels.js';
export type { PortfolioReturnsFunction, ReturnsFunction } from '../kernels/risk/risk-kernels.js';
export type { SpecialFunction, StudentTFunction } from '../kernels/special/special-family.js';

/** What `kernels({ backend })` accepts: 'auto' (per call, from the measured thresholds) or a backend. */
export type BackendChoice = 'auto' | BackendName;

/** The synchronous kernels: one function per kernel of every family (the stream aside). */
export interface SyncKernels
  extends VpinKernels,
    SpecialKernels,
    RiskKernels,
    FactorKernels,
    PortfolioKernels,
    FeaturesKernels,
    IndicatorsKernels,
    SignalKernels,
    BacktestKernels,
    VolatilityKernels,
    LabelingKernels,
    MarginKernels,
    MlKernels {}

/**
 * `<name>Async(...)`: the same validation and result as `<name>`, as a promise; on the native backend
 * the kernel runs on the addon's thread pool, so the event loop stays free (elsewhere it runs on the
 * JS thread). Do not write to the arrays passed, nor transfer their buffers, until it settles.
 */
export type AsyncKernels = {
  [K in keyof (VpinKernels &
    SpecialKernels &
    FeaturesKernels &
    LabelingKernels &
    MarginKernels &
    MlKernels) as `${K & string}Async`]: (VpinKernels &
    SpecialKernels &
    FeaturesKernels &
    LabelingKernels &
    MarginKernels &
    MlKernels)[K] extends (...args: infer P) => infer R
    ? (...args: P) => Promise<R>
    : never;
} & AsyncForms<RiskKernels<true>> &
  AsyncForms<FactorKernels<true>> &
  AsyncForms<IndicatorsKernels<true>> &
  AsyncForms<SignalKernels<true>> &
  AsyncForms<BacktestKernels<true>> &
  AsyncForms<VolatilityKernels<true>> &
  PortfolioAsyncKernels;

/**
 * `<name>Async` for each kernel of a family declared with its promised results (`<Family>Kernels<true>`):
 * its generic signature kept, so that one problem's call and a batch's are typed apart as in the
 * synchronous form (a conditional type inferring a generic function's parameters would drop them).
 */
type AsyncForms<T> = { [K in keyof T as `${K & string}Async`]: T[K] };

/** The kernel functions, bound to one backend choice. */
export interface Kernels extends SyncKernels, AsyncKernels {
  readonly backend: BackendChoice;
  /** Streaming VPIN with snapshot/restore; needs a causal sigma. */
  vpinStream(options: VpinOptions): VpinStream;
  /**
   * A prepared book over `scenarios` (filteredScenarios()): `set(positions)`, `margin`, `marginal(order)`
   * and `apply(order)`, its P&L kept so that an order costs one pass over the scenarios (docs/margin.md).
   */
  marginBook(scenarios: Matrix, options?: MarginOptions): MarginBook;
  /**
   * The factor risk model of factorReturns()' `inputs` and result `fit`, ready for
   * `riskDecomposition(model, weights)`: the last date's exposures (N x K), factorCovariance of the
   * factor returns and specificRisk of the residuals on this backend choice, each labelled
   * (src/kernels/factor/factor-model.ts factorRiskModelWith).
   */
  factorRiskModel(inputs: FactorInputs, fit: FactorReturnsResult, options?: FactorRiskModelOptions): FactorRiskModel;
  /** factorRiskModel as a promise, its two kernels on the addon's thread pool. */
  factorRiskModelAsync(inputs: FactorInputs, fit: FactorReturnsResult, options?: FactorRiskModelOptions): Promise<FactorRiskModel>;
  /**
   * A packed LightGBM model (packLightGbm()) prepared once on the backend this choice picks for the ml
   * family, where that backend prepares models (native: checked once, then walked with no check of the
   * model per call; a damaged model is lightgbmPredict's KernelInputError, now); undefined elsewhere
   * (the reference), where lightgbmPredict and lightgbmContributions take the packed model.
   */
  lightgbmPrepare(model: Float64Array): PreparedLightGbm | undefined;
}

/** A loaded backend by name: BackendUnavailableError when it cannot load, KernelInputError when unknown. */
function namedBackend(choice: unknown): Backend {
  if (typeof choice !== 'string' || !backendNames().includes(choice)) {
    throw new KernelInputError(
      'options.backend',
      `'auto' or one of ${backendNames()
        .map((n) => `'${n}'`)
        .join(', ')}`,
      describeValue(choice),
    );
  }
  const result = loadBackend(choice);
  if (!result.backend) throw new BackendUnavailableError(choice, result.reason);
  return result.backend;
}

/**
 * The function that runs one call of `kernel` as its descriptor's `api` says (descriptor.ts `Call`): a
 * value computed in TS; a fixed-layout kernel's backend call, its output split by the descriptor; or
 * the descriptor's own call of the family. What is the same at every call (the dimensions' reader,
 * the scratch output) is resolved here, once per kernel.
 */
function caller<Async extends boolean>(run: Run<Async>, scratch: Scratch | undefined, site: Site, spec: KernelSpec): (c: Call) => unknown {
  const { outputs } = spec as OutputSpec;
  const dims = outputs ? dimsOf(spec as OutputSpec) : undefined;
  const { kernel } = site;
  // one problem's numbers (numbersOnly of the call's split: the last one's answer kept) go into the scratch
  let lastSplit: Split | undefined | null = null;
  let intoLast: Float64Array | undefined;
  // a call through another function of the family (Call's `via`): this kernel's backend choice, that
  // function run (its promise variant in the promised run)
  const vias = new Map<string, Site>();
  const siteOf = (via: string): Site => {
    let s = vias.get(via);
    if (!s) vias.set(via, (s = { family: site.family, kernel: via as KernelName, pick: (size) => site.pick(size) }));
    return s;
  };
  return (c) => {
    if ('value' in c) return c.value;
    if ('call' in c) {
      const at = c.via === undefined ? site : siteOf(c.via);
      return run(at, c.size, c.call as (f: unknown) => unknown, c.shape as (out: unknown) => unknown);
    }
    if (c.split !== lastSplit) {
      lastSplit = c.split;
      intoLast = scratch && numbersOnly(outputs, c.split) ? scratch(spec as OutputSpec) : undefined;
    }
    const into = c.out ?? intoLast;
    // one problem's numbers in the scratch need no dimensions (numbersOf)
    const at = into === intoLast && into ? undefined : (dims as NonNullable<typeof dims>)(c.args);
    const args = into ? [...c.args, into] : c.args;
    // the closures inline, unnamed: a named one costs a defineProperty of its name per call under tsx
    // and other esbuild builds with keepNames (about 0.2 us each)
    return run(
      site,
      c.size,
      (f) => (f as unknown as Record<string, (...a: unknown[]) => Float64Array>)[kernel](...args),
      // a backend that allocated its own output: its values copied into the caller's (filled)
      (out: Float64Array) => c.shape(at ? splitOutputs(outputs, filled(c.out, out), at, c.split) : numbersOf(outputs, out)),
    );
  };
}

/**
 * The output array a synchronous call of one problem whose result is numbers only (a portfolio's
 * volatility, a series' VaR and ES) hands the backend instead of a fresh one: one per kernel, read into
 * the result before the call returns (a fresh small array costs an allocation and, in the addon, a
 * backing store a call). Undefined for a kernel whose backend call takes no output (records).
 */
type Scratch = (spec: OutputSpec) => Float64Array | undefined;

function scratchOutputs(): Scratch {
  const arrays = new WeakMap<OutputSpec, Float64Array | null>();
  return (spec) => {
    let a = arrays.get(spec);
    if (a === undefined) {
      // one value per output: one problem's numbers
      a = arityOf(spec) === undefined ? null : new Float64Array(Object.keys(spec.outputs).length);
      arrays.set(spec, a);
    }
    return a ?? undefined;
  };
}

/**
 * Every kernel with an `api` in the descriptors, over `run` (the functions of SyncKernels, or their
 * promise forms); `scratch` for a synchronous run only (a promise's output outlives the call).
 */
function allKernels<Async extends boolean>(
  site: (family: FamilyName, kernel: KernelName) => Site,
  run: Run<Async>,
  scratch?: Scratch,
): Record<string, (...args: never[]) => unknown> {
  const out: Record<string, (...args: never[]) => unknown> = {};
  for (const [family, specs] of Object.entries(FAMILY_SPECS) as [FamilyName, Record<string, KernelSpec>][]) {
    for (const [kernel, spec] of Object.entries(specs)) {
      const api = spec.api as ((...a: unknown[]) => Call) | undefined;
      if (!api) continue;
      const runCall = caller(run, scratch, site(family, kernel as KernelName), spec);
      out[kernel] = (...args) => runCall(api(...args));
    }
  }
  return out;
}

/** `<name>Async` for every kernel of `promised`: a validation error rejects too. */
function asyncVariants(promised: Record<string, (...args: never[]) => unknown>): AsyncKernels {
  const out: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, f] of Object.entries(promised)) out[`${name}Async`] = (...args) => Promise.resolve().then(() => f(...args));
  return out as AsyncKernels;
}

/**
 * The kernel functions bound to a backend: `'auto'` (per call, the backend the thresholds of
 * src/api/auto.ts pick for the input size, else the reference) or a registered backend by name
 * (default: KERNELBUS_BACKEND when set, else 'auto')
 * (BackendUnavailableError now when it cannot load here, and at the call of a kernel it lacks).
 * `threads`: the threads a native call may use (default: KERNELBUS_THREADS, else the cores); results
 * are the same bits whatever the count (the work is shared out, no sum is split).
 */
export function kernels(options: { backend?: BackendChoice; threads?: number } = {}): Kernels {
  requireKnownOptions({ params: [], options: ['backend', 'threads'] }, options);
  const choice = options.backend ?? defaultBackendChoice();
  const threads = checkThreads(options.threads);
  const site = siteMaker(choice === 'auto' ? undefined : namedBackend(choice), threads);
  const sync = allKernels(site, syncRun, scratchOutputs()) as unknown as SyncKernels;
  const promised = asyncVariants(allKernels(site, promisedRun));
  return {
    backend: choice,
    ...sync,
    ...promised,
    factorRiskModel: (inputs, fit, opts) => factorRiskModelWith(sync, inputs, fit, opts),
    factorRiskModelAsync: (inputs, fit, opts) => factorRiskModelWithAsync(promised, inputs, fit, opts),
    marginBook: (scenarios, opts) =>
      createMarginBook(site('margin', 'pnlMargin').pick(Infinity).families.margin as MarginFamily, scenarios, opts),
    lightgbmPrepare(model) {
      classesOf(model);
      const ml = site('ml', 'lightgbmPredict').pick(Infinity).families.ml as Partial<MlFamily> | undefined;
      return ml?.lightgbmPrepare?.(model, threads);
    },
    vpinStream(opts) {
      requireKnownOptions(VPIN_KERNELS.vpinStream, opts);
      const { params, classifier } = resolveVpinLabels(opts, resolveVpinOptions(opts, true), true);
      return createVpinStream(site('vpin', 'vpinStream').pick(Infinity).families.vpin as VpinFamily, params, classifier);
    },
  };
}

/** The default backend choice: KERNELBUS_BACKEND when set, else 'auto'. */
export function defaultBackendChoice(): BackendChoice {
  const env = process.env.KERNELBUS_BACKEND;
  if (env === undefined || env === '' || env === 'auto') return 'auto';
  if (backendNames().includes(env)) return env as BackendName;
  throw new BackendUnavailableError(env, `unknown KERNELBUS_BACKEND (expected 'auto' or one of ${backendNames().join(', ')})`);
}
