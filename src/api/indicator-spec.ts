/**
 * Indicators asked for by name and options, as `kernelbus indicators --ind` and the Features engine's
 * `indicators` option take them: `rsi,macd(fastPeriod=8;slowPeriod=21)` or a list of `{ name, options }`,
 * each with the name of every output it gives (`rsi`; `macd`, `macd_signal`, `macd_hist`; with options,
 * `rsi_21`), so that one naming rule serves the command's columns and the engine's payloads.
 */
import { KernelInputError, describeValue } from '../errors.js';
import { INDICATORS_KERNELS } from '../kernels/indicators/indicators-kernels.js';

/** An indicator's name (one of the indicators family's). */
export type IndicatorSpecName = keyof typeof INDICATORS_KERNELS;
const NAMES = Object.keys(INDICATORS_KERNELS) as IndicatorSpecName[];

/** An indicator as given: its name and TA-Lib's options in camelCase. */
export interface IndicatorRequest {
  name: IndicatorSpecName;
  options?: Readonly<Record<string, number | string>>;
}

/** One indicator asked for: its name, options, and the name of each output (output, name). */
export interface IndicatorSpec {
  name: IndicatorSpecName;
  options: Record<string, number | string>;
  columns: [output: string, column: string][];
}

/**
 * `rsi,macd(fastPeriod=8;slowPeriod=21)` (a string) or `[{ name: 'rsi' }, { name: 'macd', options:
 * { fastPeriod: 8 } }]` as the indicators asked for, each output named: the indicator's name (with
 * options: `rsi_21`), `<name>_<output>` for each output of a multi-output one. KernelInputError naming
 * `argument` for an unknown indicator, a malformed option list or an output named twice. The options'
 * values are checked by the indicator's own call, not here.
 */
export function parseIndicators(list: string | readonly (IndicatorSpecName | IndicatorRequest)[], argument = '--ind'): IndicatorSpec[] {
  const requests = typeof list === 'string' ? parseList(list, argument) : list;
  if (!Array.isArray(requests)) {
    throw new KernelInputError(argument, "a list like 'rsi,macd(fastPeriod=8)' or [{ name, options }]", describeValue(list));
  }
  const asked = requests.map((r: IndicatorSpecName | IndicatorRequest, i): IndicatorSpec => {
    const { name, options = {} }: IndicatorRequest = typeof r === 'string' ? { name: r } : ((r ?? {}) as IndicatorRequest);
    if (!NAMES.includes(name)) throw new KernelInputError(`${argument}[${i}].name`, `one of ${NAMES.join(', ')}`, describeValue(name));
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new KernelInputError(`${argument}[${i}].options`, 'an object of options', describeValue(options));
    }
    const base = Object.keys(options).length === 0 ? name : `${name}_${Object.values(options).join('_')}`;
    const outputs = Object.keys(INDICATORS_KERNELS[name].outputs);
    const columns = outputs.map((o): [string, string] => [o, o === 'value' || o === name ? base : `${base}_${o}`]);
    return { name, options: { ...options }, columns };
  });
  const seen = asked.flatMap((a) => a.columns.map(([, c]) => c));
  const twice = seen.find((c, i) => seen.indexOf(c) !== i);
  if (twice) throw new KernelInputError(argument, 'each indicator and options once', `${twice} twice`);
  return asked;
}

/** The string form: comma-separated names, options `key=value;key=value` in parentheses ('' for none). */
function parseList(list: string, argument: string): IndicatorRequest[] {
  if (list.trim() === '') return [];
  return list.split(',').map((raw) => {
    const item = raw.trim();
    const m = /^([A-Za-z]+)(?:\((.*)\))?$/.exec(item);
    const name = m?.[1] as IndicatorSpecName | undefined;
    if (!m || !name || !NAMES.includes(name)) {
      throw new KernelInputError(argument, `indicators of ${NAMES.join(', ')}, options in parentheses`, JSON.stringify(item));
    }
    const options: Record<string, number | string> = {};
    for (const pair of (m[2] ?? '').split(';').filter((x) => x.trim() !== '')) {
      const [key, value, ...extra] = pair.split('=').map((x) => x.trim());
      if (!key || value === undefined || extra.length > 0)
        throw new KernelInputError(argument, 'options as key=value;key=value', JSON.stringify(item));
      options[key] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    }
    return { name, options };
  });
}
