/**
 * The one place that loads the native addon (node-gyp-build: prebuilds/<platform>-<arch>/ first, then
 * build/Release/). Exposes the typed NativeBinding or the reason it could not load, with the fixes.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelInputError } from '../../errors.js';
import { inputFault } from '../../kernels/faults.js';
import type { SeriesInput, SimSignals, Simulation, SimulationOutput, SimulationSeries } from '../../kernels/backtest/backtest.js';
import type { StatsInput } from '../../kernels/backtest/backtest-stats.js';
import type { VolatilityFamily } from '../../kernels/volatility/volatility.js';
import type { Bars } from '../../kernels/features/features.js';
import type { DaySemivariances, DayValues } from '../../kernels/features/realized.js';
import type { TimeBars, VpinBuckets } from '../../kernels/vpin/vpin.js';
import type { BlockResult, WideRead } from '../../io/types.js';

/** A realized measure's entry: (ts, price, packed params) -> its columns. */
type DayEntry<T> = (ts: Float64Array, price: Float64Array, params: Float64Array) => T;

/** The native stream object (native/binding/vpin_binding.cc). */
export interface NativeVpinStream {
  /** The buckets completed, or undefined when there are none. */
  /** `labels`: a label per trade, under classifier 2 (labels) only. */
  update(ts: Float64Array, price: Float64Array, volume: Float64Array, labels?: Int8Array): VpinBuckets | undefined;
  /** update() over `rows` trades stored as ts | price | volume little-endian float64 at any offset of `columns`. */
  updateBytes(columns: Uint8Array, rows: number, labels?: Int8Array): VpinBuckets | undefined;
  flush(): VpinBuckets | undefined;
  /** `history` false: the state without the CDF history. */
  exportState(history?: boolean): Float64Array;
  importState(state: Float64Array): void;
  bucketCount(): number;
}

/**
 * A fixed-layout kernel's entry in the addon (the risk, factor, special and portfolio families): its
 * lead arguments as the family's backend call has them (typed arrays, counts, an array of panels, a
 * record of counts and typed arrays: the portfolio optimizers' ProblemStack and ResolvedConstraints,
 * spread into their fields by the entry's `records` layout), then the trailing numbers of the call
 * packed in one Float64Array in its descriptor's order (only for a kernel with parameters:
 * `KernelSpec.params`), then `out`, the Float64Array it fills (its length from the descriptor's
 * outputs). `<name>Async` takes the same arguments and runs on the addon's thread pool.
 */
export type KernelEntry = (...args: EntryArgument[]) => void;
/**
 * An entry taking records (the portfolio optimizers' ProblemStack and ResolvedConstraints) carries
 * `records`: per parameter, its fields' names in the order the addon reads them as consecutive
 * arguments (null for a parameter that is not a record); `spreadRecords` makes those arguments.
 */
export interface RecordLayout {
  readonly records?: readonly (readonly string[] | null)[];
}
/** `<name>Async`: KernelEntry on the thread pool (the arrays are held until it settles). */
export type AsyncKernelEntry = (...args: EntryArgument[]) => Promise<void>;
/** An argument of a KernelEntry. */
export type EntryArgument = Float64Array | number | readonly Float64Array[];

/**
 * The addon's arguments of an entry from the first `lead` of `args`: its records (objects of named
 * fields) spread into their fields in the entry's `layout` order (reading fields in JS costs a few
 * nanoseconds each; the addon reading them by name, about 0.1 us each), the other arguments as they
 * are. The caller appends what follows them.
 */
export function spreadRecords(
  layout: readonly (readonly string[] | null)[],
  args: readonly unknown[],
  lead = args.length,
): EntryArgument[] {
  const spread: unknown[] = [];
  for (let i = 0; i < lead; i++) {
    const fields = layout[i];
    if (!fields) {
      spread.push(args[i]);
      continue;
    }
    const record = args[i] as Readonly<Record<string, unknown>>;
    for (let k = 0; k < fields.length; k++) spread.push(record[fields[k]]);
  }
  return spread as EntryArgument[];
}

/**
 * What the addon exports: positional numbers and typed arrays (the portfolio optimizers' two records
 * spread into them; no option objects). The VPIN family's entries are listed here (their outputs are
 * variable in length: the addon allocates them; parameters travel packed in VPIN_PARAMS order,
 * `packParams`). Every fixed-layout kernel `<name>` is a KernelEntry, with `<name>Async` beside it; the
 * BLAS and shader/Metal backends' are `blas<Name>`, `shader<Name>` and `metal<Name>`
 * (src/backends/native/index.ts `fixedKernels`).
 */
/** What the addon's simulation returns: the records, or the fault (SIM_FAULTS' position + 1) and where. */
export type NativeSimulation = Omit<SimulationOutput, 'series'> | { fault: number; row: number; col: number; value: number };

/** A family's call as the addon takes it: its arguments, then the output array it fills. */
type Filling<F extends (...args: never[]) => Float64Array, R = void> = (...args: [...Parameters<F>, out: Float64Array]) => R;

export interface NativeBinding {
  readonly [entry: string]: unknown;
  init(errors: { KernelInputError: typeof KernelInputError; inputFault: typeof inputFault }): void;
  features(): NativeFeatures;
  /** The threads later kernel calls may use (0: the default). Results do not depend on it. */
  setThreads(n: number): void;
  /**
   * glibc's allocator made to keep freed memory (mallopt: trim threshold, mmap threshold, top pad, in bytes;
   * process-wide): `{ applied: true }`, or `{ applied: false, reason }` where the C library is not glibc.
   */
  retainFreedMemory(trimThreshold: number, mmapThreshold: number, topPad: number): { applied: boolean; reason?: string };
  /** Backs the array's (fresh) memory with 2 MB pages where the system allows (Linux THP): fewer page faults on first write. */
  adviseHugePages(array: ArrayBufferView): void;
  /** Whether the sysfs virtio devices in `dir` include a balloon that reports free pages to the host (features().hugePages uses /sys/bus/virtio/devices). */
  freePageReporting(dir: string): boolean;
  /**
   * The file at `path` mapped copy-on-write (writes go to private pages, never to the file), unmapped
   * when the buffer is collected; null where the runtime allows no external memory. Throws
   * KernelInputError naming the path when it cannot be opened.
   */
  mapFile(path: string): ArrayBuffer | null;
  /** The index of the first NaN of `values`, -1 when there is none (the trade readers' missing-value check). */
  firstNaN(values: Float64Array): number;
  /** The sum of `values`, in chunks of 2^18 (native/kernels/nan_scan.hpp columnSum). */
  columnSum(values: Float64Array): number;
  /**
   * The first row breaking the trade rule (src/kernels/trade-check.ts TradeRun: one symbol after last[0],
   * or each row after last[codes[i]]), or ts.length; `last` moved on.
   */
  goodTradeRun(ts: Float64Array, price: Float64Array, volume: Float64Array, last: Float64Array, codes?: Int32Array): number;
  /** Frees the pages wholly inside `view` (a view of a mapFile buffer): read again, they come back from the file. */
  releaseMapped(view: Uint8Array): void;
  /** Reads two Float64Arrays as a kernel entry does and returns: the floor of a call (bench 'calls'). */
  noop(a: Float64Array, b: Float64Array): void;
  /** Test hook: the address native code reads for this view (proves zero-copy). */
  viewAddress(array: Float64Array): bigint;
  /** A kernel's packed parameter names in the order C++ reads them ('vpin', or a risk, factor, portfolio or special kernel). */
  paramNames(kernel: string): string[];
  /** The C++ fault list (`enum class Fault`, native/kernels/status.hpp) by PascalCase name. */
  faultCodes(): Record<string, number>;
  timeBars(ts: Float64Array, price: Float64Array, volume: Float64Array, barMs: number): TimeBars;
  tickRule(price: Float64Array, out: Int8Array): void;
  /** PIN's log-likelihood into out[0]: params = alpha, delta, mu, eps.b, eps.s, the factorization code. */
  pinLikelihood(buys: Float64Array, sells: Float64Array, params: Float64Array, out: Float64Array): void;
  pinLikelihoodAsync(buys: Float64Array, sells: Float64Array, params: Float64Array, out: Float64Array): Promise<void>;
  /** PIN's estimate from the initial sets (5 values each) into out (7): params = the factorization code. */
  pin(buys: Float64Array, sells: Float64Array, sets: Float64Array, params: Float64Array, out: Float64Array): void;
  pinAsync(buys: Float64Array, sells: Float64Array, sets: Float64Array, params: Float64Array, out: Float64Array): Promise<void>;
  /** classifyTrades() with its parameters packed in CLASSIFY_TRADES_PARAMS order. */
  classifyTrades(ts: Float64Array, price: Float64Array, bid: Float64Array, ask: Float64Array, params: Float64Array, out: Int8Array): void;
  /** classifyTrades() with the quotes from a stream (quoteTs, quoteBid, quoteAsk). */
  classifyQuotes(
    ts: Float64Array,
    price: Float64Array,
    quoteTs: Float64Array,
    quoteBid: Float64Array,
    quoteAsk: Float64Array,
    params: Float64Array,
    out: Int8Array,
  ): void;
  bulkClassify(open: Float64Array, close: Float64Array, volume: Float64Array, params: Float64Array, out: Float64Array): void;
  /** `labels` (classifier 2 only): a label per trade. */
  vpin(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array, labels?: Int8Array): VpinBuckets;
  /** vpin() over `rows` trades stored as ts | price | volume little-endian float64 at any offset of `columns`. */
  vpinBytes(columns: Uint8Array, rows: number, params: Float64Array, labels?: Int8Array): VpinBuckets;
  /** vpin() on the thread pool (the pass over the trades), the buckets written on the JS thread. */
  vpinAsync(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array, labels?: Int8Array): Promise<VpinBuckets>;
  NativeVpinStream: new (params: Float64Array) => NativeVpinStream;
  /** The features family's bars (counted entries): params packed in the descriptor's order. */
  /** The backtest family's one simulation (native/binding/backtest_binding.cc): the records, or where it stopped. */
  backtestSimulate(sim: Simulation, valueGroups: Int32Array): NativeSimulation;
  backtestSimulateAsync(sim: Simulation, valueGroups: Int32Array): Promise<NativeSimulation>;
  /** A result's series from its records, into the arrays `out` holds (of their lengths, every element written). */
  backtestSeries(input: SeriesInput, out: Partial<SimulationSeries>): void;
  /** Signals given as numbers (any typed array but bytes) written into `out` (x's length) as bytes: 1 where non-zero and not NaN. */
  backtestSignalBytes(x: Exclude<SimSignals, Uint8Array>, out: Uint8Array): void;
  /** Portfolio.stats() per value group: G rows of STAT_FIELDS. */
  backtestStats(input: StatsInput, periodsPerYear: number, fields?: number): Float64Array;
  backtestStatsAsync(input: StatsInput, periodsPerYear: number, fields?: number): Promise<Float64Array>;
  /**
   * The volatility family (native/kernels/volatility/volatility_entry.hpp): the family's calls, each
   * filling the output it is given (its layout's length: src/kernels/volatility/volatility.ts).
   */
  garch: Filling<VolatilityFamily['garch']>;
  garchAsync: Filling<VolatilityFamily['garch'], Promise<void>>;
  garchFilter: Filling<VolatilityFamily['garchFilter']>;
  garchFilterAsync: Filling<VolatilityFamily['garchFilter'], Promise<void>>;
  garchForecast: Filling<VolatilityFamily['garchForecast']>;
  garchForecastAsync: Filling<VolatilityFamily['garchForecast'], Promise<void>>;
  garchVar: Filling<VolatilityFamily['garchVar']>;
  garchVarAsync: Filling<VolatilityFamily['garchVar'], Promise<void>>;
  bars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): Bars;
  barsAsync(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): Promise<Bars>;
  imbalanceBars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): Bars;
  imbalanceBarsAsync(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): Promise<Bars>;
  runBars(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): Bars;
  runBarsAsync(ts: Float64Array, price: Float64Array, volume: Float64Array, params: Float64Array): Promise<Bars>;
  /** The features family's realized measures (counted entries: a row per day), params packed in the descriptor's order. */
  realizedVariance: DayEntry<DayValues>;
  realizedVarianceAsync: DayEntry<Promise<DayValues>>;
  bipowerVariation: DayEntry<DayValues>;
  bipowerVariationAsync: DayEntry<Promise<DayValues>>;
  medRV: DayEntry<DayValues>;
  medRVAsync: DayEntry<Promise<DayValues>>;
  minRV: DayEntry<DayValues>;
  minRVAsync: DayEntry<Promise<DayValues>>;
  realizedSemivariance: DayEntry<DaySemivariances>;
  realizedSemivarianceAsync: DayEntry<Promise<DaySemivariances>>;
  twoScaleRV: DayEntry<DayValues>;
  twoScaleRVAsync: DayEntry<Promise<DayValues>>;
  realizedKernel: DayEntry<DayValues>;
  realizedKernelAsync: DayEntry<Promise<DayValues>>;
  /**
   * The CSV block parser (native/io/, src/io/csv-native.ts): a BlockResult of src/io/types.ts.
   * params = [delimiter, firstLine, final (0/1), skipBadRows (0/1), rowOffset].
   */
  csvParseBlock(
    bytes: Uint8Array,
    params: Float64Array,
    kinds: Uint8Array,
    required: Uint8Array,
    out: (Float64Array | Int32Array | null)[],
  ): BlockResult;
  /**
   * csvParseBlock on the libuv thread pool (the event loop stays free); a bad argument throws at the
   * call. Neither `bytes` nor `out` may be written to until the promise settles.
   */
  csvParseBlockAsync(
    bytes: Uint8Array,
    params: Float64Array,
    kinds: Uint8Array,
    required: Uint8Array,
    out: (Float64Array | Int32Array | null)[],
  ): Promise<BlockResult>;
  /**
   * A wide returns CSV's records (native/io/csv_returns.hpp, src/io/returns-native.ts), parsed on the
   * addon's thread pool (the event loop stays free; do not write to `bytes` until it settles).
   * params = [delimiter, firstLine, skipBadRows (0/1), width, dateColumn (-1: none)].
   */
  csvReadWideAsync(bytes: Uint8Array, params: Float64Array): Promise<WideRead>;
  /** The native Parquet reader: the footer's columns (native/binding/parquet_binding.cc, src/io/parquet-native.ts). */
  parquetFooter(bytes: Uint8Array): ParquetFooterResult;
  /**
   * Decodes `columns` (footer indices) of the bytes `footer` was parsed from into `outs` (Float64Array
   * per number/time column, Int32Array per text column); `epochs`: per column, a number column's epoch
   * unit to convert to ms (0 none, 1 s, 2 ms, 3 us, 4 ns, 5 detect).
   */
  parquetDecode(
    bytes: Uint8Array,
    footer: unknown,
    columns: Int32Array,
    epochs: Int32Array,
    outs: (Float64Array | Int32Array)[],
  ): ParquetDecodeResult;
  /** parquetDecode on the thread pool (the arguments held, and left unchanged, until the promise settles). */
  parquetDecodeAsync(
    bytes: Uint8Array,
    footer: unknown,
    columns: Int32Array,
    epochs: Int32Array,
    outs: (Float64Array | Int32Array)[],
  ): Promise<ParquetDecodeResult>;
  /** Reads the file at `path` into `out` (allocated at its size; huge pages on Linux); returns the bytes read. */
  parquetReadFile(path: string, out: Uint8Array): number;
  /**
   * The ml family's prepared LightGBM model (native/binding/ml_binding.cc): a handle owning the model
   * checked and laid out once (KernelInputError for a damaged one, lightgbmPredict's), freed when it is
   * collected; its calls fill `out` (rows x classes, or rows x classes (cols + 1)); `iterations` 0: all.
   */
  mlPrepare(model: Float64Array): unknown;
  mlPredictPrepared(model: unknown, x: Float64Array, rows: number, cols: number, iterations: number, raw: number, out: Float64Array): void;
  mlPredictPreparedAsync(
    model: unknown,
    x: Float64Array,
    rows: number,
    cols: number,
    iterations: number,
    raw: number,
    out: Float64Array,
  ): Promise<void>;
  mlContributionsPrepared(model: unknown, x: Float64Array, rows: number, cols: number, iterations: number, out: Float64Array): void;
  mlContributionsPreparedAsync(
    model: unknown,
    x: Float64Array,
    rows: number,
    cols: number,
    iterations: number,
    out: Float64Array,
  ): Promise<void>;
  /** Rows per symbol code into `counts`, the codes in first-row order into `first`: the distinct codes, or -1 - i for a bad codes[i]. */
  symbolCounts(codes: Int32Array, counts: Int32Array, first: Int32Array): number;
  /** Each column's rows grouped (code c to group groupOf[c], group g at [start[g], start[g + 1]) of its out), in row order. */
  scatterBySymbol(codes: Int32Array, groupOf: Int32Array, start: Int32Array, columns: Float64Array[], outs: Float64Array[]): void;
}

/** What a native Parquet call did: code 0 ok, 1 a corrupt file, 2 something it does not decode; `message` says what. */
export interface ParquetResult {
  code: 0 | 1 | 2;
  message: string;
}

/** parquetFooter(): per column its name, kind (0 number, 1 time, 2 text), time unit and why it is not decoded ('' when it is). */
export interface ParquetFooterResult extends ParquetResult {
  rows?: number;
  /** The `ARROW:schema` key-value metadata (base64), when an Arrow writer left one. */
  arrowSchema?: string;
  names?: string[];
  kinds?: number[];
  units?: string[];
  reasons?: string[];
  /** The parsed footer (opaque), for parquetDecode of the same bytes. */
  footer?: unknown;
}

/** parquetDecode(): per column, a text column's values in order of first appearance (null for the others). */
export interface ParquetDecodeResult extends ParquetResult {
  dictionaries?: (string[] | null)[];
  /** Per column, the epoch unit applied (0 none, 1 s, 2 ms, 3 us, 4 ns: `detect` resolved). */
  epochs?: Int32Array;
  /** Per column, the first row holding NaN (a null or a NaN value), -1 when none (and for text). */
  missing?: Float64Array;
}

/** The system's Metal device as the addon sees it (metalDevice(), native/binding/metal_binding.cc). */
export interface MetalDeviceInfo {
  /** The addon has the Metal GPU runner (built on Apple). */
  built: boolean;
  /** The device's name ('Apple M2', 'Apple Paravirtual device'...), '' when there is none. */
  name: string;
  /** It supports the Apple7 GPU family (A14, M1) or later. */
  apple7: boolean;
  /** The embedded shaders compiled on it: the metal<Name> functions can run. */
  ready: boolean;
  /** Why it is not ready. */
  reason?: string;
}

/**
 * The Metal backend's entry points beside its kernels' (native/metal/, docs/metal.md): shader<Name>
 * runs the shaders of shaders/*.metal compiled as C++ on the CPU (every platform: the parity suite's
 * 'metal-cpu'), metal<Name> runs them on the GPU (only in an addon built on Apple); both take the
 * arguments of the native kernel of the same name. metalDevice() finds the device and compiles the
 * shaders once per process.
 */
export interface MetalBinding {
  metalDevice(): MetalDeviceInfo;
  /** The shader source embedded in the binary (what the GPU compiles). */
  metalShaderSource(): string;
}

/** The instruction sets the native kernels' vectorized loops are compiled for (native/kernels/simd.hpp). */
export type SimdLevel = 'baseline' | 'neon' | 'avx2' | 'avx512';

/** What the addon was built with. */
export interface NativeFeatures {
  napiVersion: number;
  platform: string;
  /** The threads kernels use by default (KERNELBUS_THREADS, else the cores). */
  threads: number;
  /**
   * The instruction set the vectorized loops run here: the best of `simdCpu`'s, or lower where
   * KERNELBUS_SIMD=baseline|avx2 caps it. 'neon' on arm64; 'baseline' is SSE2 on x86-64.
   */
  simd: SimdLevel;
  /** The best instruction set this CPU (and OS) supports among those the addon is built for. */
  simdCpu: SimdLevel;
  /**
   * Whether fresh outputs are advised onto 2 MB pages (Linux THP): KERNELBUS_HUGE_PAGES=0 off, =1 on;
   * otherwise on, but off on a virtual machine that reports its free memory to the host (docs/backends.md,
   * "Huge pages"). `hugePagesReason` says which.
   */
  hugePages: boolean;
  hugePagesReason: string;
  /** The BLAS/LAPACK library the addon was built with (the BLAS backend's), or false. */
  blas: 'openblas' | 'accelerate' | false;
  /** The threads that library uses (with blas only). */
  blasThreads?: number;
  /** Why the library the addon was built with cannot be called here (Accelerate before macOS 13.3). */
  blasUnavailable?: string;
  /** Built with Apple's Accelerate (the BLAS backend's library on macOS). */
  accelerate: boolean;
  /** Built with the Metal backend's GPU runner (on Apple); metalDevice() says whether it can run here. */
  metal: boolean;
}

/**
 * Root of the package (holds prebuilds/ and build/): the nearest folder above this module with a
 * package.json (three levels up from src|dist/backends/native, two from a bundled dist/chunks/ file).
 */
export const packageRoot = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  return join(here, '..', '..', '..');
})();

export type LoadResult = { binding: NativeBinding; error?: undefined; path: string } | { binding?: undefined; error: Error };

/**
 * Requires the addon with OpenBLAS's idle threads told to sleep soon (OPENBLAS_THREAD_TIMEOUT=20: after
 * 2^20 cycles, well under a millisecond; read once, when the library loads with the addon; unless the
 * environment sets it, and removed again so that child processes do not inherit it): by default they
 * spin (sched_yield) for 2^28 cycles, about 0.1 s, after each BLAS call (OpenBLAS issues #1614, #5171),
 * on the cores the native kernels' threads use next (seen on 2 cores: a Monte Carlo run up to 1.7x
 * slower right after a BLAS covariance). Back-to-back BLAS calls still find them awake.
 */
function requireAddon(require: NodeJS.Require, path: string): NativeBinding {
  const ours = process.env.OPENBLAS_THREAD_TIMEOUT === undefined;
  if (ours) process.env.OPENBLAS_THREAD_TIMEOUT = '20';
  try {
    return require(path) as NativeBinding;
  } finally {
    if (ours) delete process.env.OPENBLAS_THREAD_TIMEOUT;
  }
}

function load(): LoadResult {
  if (process.env.KERNELBUS_BACKEND === 'reference') {
    return { error: new Error('disabled by KERNELBUS_BACKEND=reference') };
  }
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as ((dir: string) => NativeBinding) & { resolve(dir: string): string };
    const path = nodeGypBuild.resolve(packageRoot);
    const binding = requireAddon(require, path);
    binding.init({ KernelInputError, inputFault });
    return { binding, path };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    // What builds the addon here: the fix for this OS (musl, i.e. Alpine, has no glibc version in the report).
    const musl =
      process.platform === 'linux' &&
      !(process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
    const toolchain =
      process.platform === 'darwin'
        ? 'the Xcode command line tools (xcode-select --install) and CMake (brew install cmake)'
        : process.platform === 'win32'
          ? 'Visual Studio Build Tools with "Desktop development with C++" (includes CMake; Windows is not tested)'
          : musl
            ? 'CMake and a C++17 compiler (apk add cmake g++ make)'
            : 'CMake and a C++17 compiler (Debian/Ubuntu: apt-get install build-essential cmake; Fedora/RHEL: dnf install gcc-c++ make cmake)';
    return {
      error: new Error(
        `the native addon did not load (${reason}). The package has no prebuilt binary for ` +
          `${process.platform}-${process.arch}${musl ? ' (musl)' : ''} that loads here, and none was built at install. ` +
          `Fix: install ${toolchain}, then run \`npm rebuild kernelbus --foreground-scripts\` (builds it from source with ` +
          'cmake-js, a dependency); `npx kernelbus doctor` shows what loads. The reference (pure TypeScript) backend is used ' +
          'meanwhile; KERNELBUS_BACKEND=reference silences this.',
        { cause },
      ),
    };
  }
}

let cached: LoadResult | undefined;

let threadsSet = 0;

/**
 * Sets the threads of the addon's later calls (0: the defaults): its own kernels' and, in an addon
 * built with BLAS, the library's. One setting shared by the backends over the addon (native, blas),
 * changed only when it differs from the last one set.
 */
export function useThreads(binding: NativeBinding, threads: number | undefined): void {
  const wanted = threads ?? 0;
  if (wanted !== threadsSet) binding.setThreads((threadsSet = wanted));
}

/** Loads the addon once; later calls return the same result. */
export function loadNative(): LoadResult {
  cached ??= load();
  return cached;
}
