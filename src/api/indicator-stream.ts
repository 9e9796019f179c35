/**
 * indicatorStream(): an indicator fed bar by bar (live bars, one symbol or a row of a universe at a
 * time), equal bit for bit to the batch call on the bars so far. It runs the reference machines of
 * src/backends/reference/indicators/stream/ (the batch functions' operations in their order), whose
 * state is bounded by the indicator's windows.
 */
import { exportState, importState, INDICATOR_MACHINES, type IndicatorMachine } from '../backends/reference/public.js';
import { KernelInputError } from '../errors.js';
import { INDICATORS_KERNELS, type IndicatorsKernels } from '../kernels/indicators/indicators-kernels.js';
import { INDICATOR_NAMES, type IndicatorName } from '../kernels/indicators/indicators.js';
import { isValueList } from '../kernels/indicators/grid.js';
import { fnv1a } from '../kernels/checksum.js';
import { describeValue } from '../kernels/validate.js';

/** The outputs of an indicator with several (the batch call's keys); one output is the value itself. */
interface MultiOutputs {
  macd: 'macd' | 'signal' | 'hist';
  bbands: 'upper' | 'middle' | 'lower';
  stoch: 'k' | 'd';
  stochf: 'k' | 'd';
  stochRsi: 'k' | 'd';
  aroon: 'down' | 'up';
}

/** A bar's value of indicator N: a number per output (S number) or a Float64Array per output, one element a symbol. */
export type StreamValue<N extends IndicatorName, S> = N extends keyof MultiOutputs ? { [K in MultiOutputs[N]]: S } : S;

/** A bar: numbers for one symbol, Float64Arrays of one element per symbol for a universe; the fields the indicator reads. */
export interface StreamBar<S = number | Float64Array> {
  open?: S;
  high?: S;
  low?: S;
  close?: S;
  volume?: S;
}

/** The options of indicator N as the batch call takes them (its `out` aside). */
export type IndicatorStreamOptions<N extends IndicatorName> = Omit<NonNullable<Parameters<IndicatorsKernels[N]>[1]>, 'out'>;

/** A stream of one indicator (indicatorStream()). */
export interface IndicatorStream<V, S> {
  /** The indicator's name. */
  readonly name: IndicatorName;
  /** The symbols of a universe stream; undefined for one symbol. */
  readonly symbols: number | undefined;
  /** The bars fed so far. */
  readonly bars: number;
  /**
   * Adds the next bar and returns its values (NaN where the batch call has NaN: the warm-up, and a
   * symbol's leading bars with a NaN). A bad bar throws KernelInputError naming its field (`bar.close`)
   * and leaves the stream as it was.
   */
  update(bar: StreamBar<S>): V;
  /** The whole state as bytes, with the indicator, its options and the symbols, for `restore()`. */
  snapshot(): Uint8Array;
  /** Replaces the state with a `snapshot()` of a stream of the same indicator, options and symbols (else KernelInputError naming `bytes`). */
  restore(bytes: Uint8Array): void;
}

const MAGIC = 0x5349424b; // 'KBIS' read as little-endian u32
const VERSION = 1;
const HEADER = 16;
/** The most symbols a stream takes, and the most state values (8 bytes each) of all its symbols together. */
const MAX_SYMBOLS = 1_000_000;
const MAX_STATE = 2 ** 27;

/** The packed parameters of `name` for `options`: the batch call's own checks (on one bar), so its errors and defaults. */
function packedParams(name: IndicatorName, options: Record<string, unknown>): number[] {
  const { fields } = INDICATOR_MACHINES[name];
  const one = new Float64Array(1);
  const input = fields.length === 1 && fields[0] === 'close' ? one : Object.fromEntries(fields.map((f) => [f, one]));
  const listed = Object.keys(options).find((key) => isValueList(options[key]));
  if (listed !== undefined) {
    throw new KernelInputError(`options.${listed}`, 'one value (a stream computes one parameter set)', describeValue(options[listed]));
  }
  const call = INDICATORS_KERNELS[name].api(input, options);
  return ('args' in call ? call.args : []).slice(fields.length + 2) as number[];
}

/**
 * A stream of indicator `name` (one of the family's, see docs/indicators.md) with its batch call's
 * options (TA-Lib's names and defaults) and `symbols`: absent, one symbol a stream, a bar of numbers
 * and values numbers; a count, a universe of that many symbols, a bar of Float64Arrays of that length
 * (one element a symbol) and values Float64Arrays. Fed bar by bar, the values returned are, bar for
 * bar, the batch call's on all the bars (each symbol's column of the panel call) bit for bit, from
 * the first bar on, NaN inside a bar following the family's NaN rule. One exception, TA-Lib's own:
 * natr's batch call rewrites its first value to 0 when a later close is 0, which a stream cannot.
 *
 * @throws KernelInputError for an unknown name, bad options (naming the option) or symbols
 */
export function indicatorStream<N extends IndicatorName>(
  name: N,
  options: IndicatorStreamOptions<N> & { symbols: number },
): IndicatorStream<StreamValue<N, Float64Array>, Float64Array>;
export function indicatorStream<N extends IndicatorName>(
  name: N,
  options?: IndicatorStreamOptions<N> & { symbols?: undefined },
): IndicatorStream<StreamValue<N, number>, number>;
export function indicatorStream(
  name: IndicatorName,
  options: Record<string, unknown> & { symbols?: number } = {},
): IndicatorStream<unknown, number | Float64Array> {
  if (!INDICATOR_NAMES.includes(name)) throw new KernelInputError('name', `one of ${INDICATOR_NAMES.join(', ')}`, describeValue(name));
  if (typeof options !== 'object' || options === null) throw new KernelInputError('options', 'an object', describeValue(options));
  const { symbols, ...rest } = options;
  if (symbols !== undefined && !(Number.isInteger(symbols) && symbols >= 1 && symbols <= MAX_SYMBOLS)) {
    throw new KernelInputError('options.symbols', `an integer in [1, ${MAX_SYMBOLS}], or absent for one symbol`, describeValue(symbols));
  }
  if (rest.out !== undefined)
    throw new KernelInputError('options.out', "absent: a stream returns each bar's values", describeValue(rest.out));
  const params = packedParams(name, rest);
  const { fields, create } = INDICATOR_MACHINES[name];
  const keys = Object.keys(INDICATORS_KERNELS[name].outputs);
  const cols = symbols ?? 1;
  // the configuration a snapshot carries: the indicator, the symbols (0: one) and the packed parameters
  const config = [INDICATOR_NAMES.indexOf(name), symbols ?? 0, ...params];
  const fresh = () => Array.from({ length: cols }, () => create(params));
  const perSymbol = exportState(create(params), []).length;
  if (cols * perSymbol > MAX_STATE) {
    throw new KernelInputError(
      'options.symbols',
      `at most ${Math.floor(MAX_STATE / perSymbol)} symbols for these options (${perSymbol} state values each, ${MAX_STATE} in all)`,
      `${symbols}`,
    );
  }
  let machines: IndicatorMachine[] = fresh();
  // per symbol: 1 once a bar had every field a number (the leading NaN bars are skipped)
  let started = new Float64Array(cols);
  let bars = 0;
  const inputs = new Float64Array(4); // the fields read, first
  const out = new Float64Array(keys.length);

  const columns: (number | Float64Array)[] = fields.map(() => 0);

  /** The bar's fields into `columns`, checked: numbers, or Float64Arrays of `symbols` elements. */
  function read(bar: StreamBar): void {
    if (typeof bar !== 'object' || bar === null || ArrayBuffer.isView(bar) || Array.isArray(bar)) {
      throw new KernelInputError('bar', `an object { ${fields.join(', ')} }`, describeValue(bar));
    }
    for (let k = 0; k < fields.length; k++) {
      const v = bar[fields[k]];
      if (symbols === undefined ? typeof v !== 'number' : !(v instanceof Float64Array && v.length === symbols)) {
        throw new KernelInputError(
          `bar.${fields[k]}`,
          symbols === undefined ? 'a number' : `a Float64Array of ${symbols} (options.symbols)`,
          describeValue(v),
        );
      }
      columns[k] = v as number | Float64Array;
    }
  }

  /** Symbol c's bar into `inputs` and its outputs into `out` (NaN over its leading NaN bars). */
  function step(c: number): void {
    let ok = true;
    for (let k = 0; k < fields.length; k++) {
      const x = columns[k];
      const v = (inputs[k] = typeof x === 'number' ? x : x[c]);
      ok &&= v === v;
    }
    if (!started[c] && !ok) return void out.fill(NaN);
    started[c] = 1;
    machines[c].step(inputs, out);
  }

  /** The outputs as the batch call names them (one output: the value itself). */
  function named<T>(value: (k: number) => T): T | Record<string, T> {
    if (keys.length === 1) return value(0);
    const o: Record<string, T> = {};
    for (let k = 0; k < keys.length; k++) o[keys[k]] = value(k);
    return o;
  }

  return {
    name,
    symbols,
    get bars() {
      return bars;
    },
    update(bar) {
      read(bar);
      bars++;
      if (symbols === undefined) {
        step(0);
        return named((k) => out[k]);
      }
      const values = keys.map(() => new Float64Array(cols));
      for (let c = 0; c < cols; c++) {
        step(c);
        for (let k = 0; k < keys.length; k++) values[k][c] = out[k];
      }
      return named((k) => values[k]);
    },
    snapshot() {
      const state = [...config, bars, ...started];
      for (const m of machines) exportState(m, state);
      const bytes = new Uint8Array(HEADER + 8 * state.length);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, MAGIC, true);
      view.setUint32(4, VERSION, true);
      view.setUint32(12, state.length, true);
      state.forEach((v, i) => view.setFloat64(HEADER + 8 * i, v, true));
      view.setUint32(8, fnv1a(bytes.subarray(HEADER)), true);
      return bytes;
    },
    restore(bytes) {
      if (!(bytes instanceof Uint8Array)) throw new KernelInputError('bytes', 'a Uint8Array from snapshot()', describeValue(bytes));
      const fail = (actual: string): never => {
        throw new KernelInputError('bytes', `a snapshot of an indicatorStream('${name}') of the same options`, actual);
      };
      if (bytes.length < HEADER) fail(`${bytes.length} bytes`);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== VERSION) fail('another format or version');
      const count = view.getUint32(12, true);
      if (bytes.length !== HEADER + 8 * count) fail(`${bytes.length} bytes for ${count} values`);
      if (view.getUint32(8, true) !== fnv1a(bytes.subarray(HEADER))) fail('a bad checksum (damaged bytes)');
      const state = new Float64Array(count);
      for (let i = 0; i < count; i++) state[i] = view.getFloat64(HEADER + 8 * i, true);
      if (count < config.length || !config.every((c, k) => Object.is(state[k], c))) fail('another indicator, options or symbols');
      const expected = config.length + 1 + cols + cols * perSymbol;
      if (count !== expected) fail(`${count} values (expected ${expected})`);
      let at = config.length;
      const restoredBars = state[at++];
      const restoredStarted = state.slice(at, at + cols);
      at += cols;
      const next = fresh();
      for (const m of next) at = importState(m, state, at);
      machines = next;
      started = restoredStarted;
      bars = restoredBars;
    },
  };
}
