/**
 * defineStrategy(): a strategy module's default export, checked when the module loads so that a bad
 * bar option, an unknown indicator or a missing onBar is one line naming the file and the line of the
 * defineStrategy() call. The bars and indicators are made by the features and indicators families'
 * streams (./bars.ts); this file only checks what they are asked for.
 */
import { indicatorStream } from '../api/indicator-stream.js';
import { INDICATORS_KERNELS } from '../kernels/indicators/indicators-kernels.js';
import { nearest } from '../kernels/nearest.js';
import { describeValue } from '../kernels/validate.js';
import { barSession, makeBarMaker } from './bars.js';
import { checkLimits } from './pretrade.js';
import { StrategyError, stackPlaces } from './errors.js';
import type { Strategy, StrategyDefinition } from './types.js';
import { loadStrategyModels } from './models.js';
import { checkValueNames } from './value-names.js';

/** The bar fields ctx.value() reads besides the indicators and models (bars()' columns: buyVolume by the tick rule). */
export const BAR_VALUES = ['open', 'high', 'low', 'close', 'volume', 'buyVolume', 'ticks', 'dollarValue'] as const;
/** The history ctx.value() reaches by default, and at most. */
export const DEFAULT_HISTORY = 256;
const MAX_HISTORY = 100_000;

const DEFINITION_KEYS = [
  'name',
  'symbols',
  'bars',
  'indicators',
  'models',
  'history',
  'limits',
  'onBar',
  'onFill',
  'onReject',
  'onStart',
  'onStop',
];
const CALLBACKS = ['onFill', 'onReject', 'onStart', 'onStop'] as const;

/** The outputs of indicator `name` as value names under `key`: `key` for one output, `key.<output>` for several. */
export function outputNames(key: string, name: keyof typeof INDICATORS_KERNELS): string[] {
  const outputs = Object.keys(INDICATORS_KERNELS[name].outputs);
  return outputs.length === 1 ? [key] : outputs.map((o) => `${key}.${o}`);
}

/**
 * A strategy from its definition (see StrategyDefinition and docs/strategy.md): the module's default
 * export. Checked here, when the module loads: the name, the symbols, the bars (a maker is built from
 * them: an unknown or bad option fails), each indicator (its stream is built: an unknown indicator, with
 * the nearest name, or option fails), the models (loaded: ./models.ts), the history, the callbacks, and
 * the value names the callbacks read with a literal (`ctx.value('bb.lowr', s)` fails, naming its line and
 * `bb.lower`: ./value-names.ts). A mistake throws StrategyError naming the file and line of this call and
 * the option (`strategy.indicators.fast.timePeriod: expected ...`).
 */
export function defineStrategy<S extends object = Record<string, unknown>>(definition: StrategyDefinition<S>): Strategy<S> {
  // frame 0 is this function, frame 1 its caller: the strategy's module
  return checkStrategy(definition, stackPlaces(new Error().stack)[1]);
}

/** defineStrategy() with the place its errors name (`file:line:column`, or a file). */
export function checkStrategy<S extends object>(definition: StrategyDefinition<S>, definedAt: string | undefined): Strategy<S> {
  const fail = (argument: string, expected: string, actual: unknown, hint = ''): never => {
    throw new StrategyError(`${argument}: expected ${expected}, got ${describeValue(actual)}${hint}`, definedAt);
  };
  if (typeof definition !== 'object' || definition === null) fail('strategy', 'an object { name, bars, onBar, ... }', definition);
  const d = definition as StrategyDefinition<S> & Record<string, unknown>;
  const unknown = Object.keys(d).find((k) => !DEFINITION_KEYS.includes(k));
  if (unknown !== undefined) fail(`strategy.${unknown}`, `one of ${DEFINITION_KEYS.join(', ')}`, unknown);
  if (typeof d.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(d.name)) {
    fail('strategy.name', 'a name of 1 to 64 letters, digits, _ . or -', d.name);
  }
  if (d.symbols !== undefined) {
    const ok = Array.isArray(d.symbols) && d.symbols.length > 0 && d.symbols.every((s) => typeof s === 'string' && s !== '');
    if (!ok || new Set(d.symbols).size !== d.symbols.length) fail('strategy.symbols', 'a list of distinct symbols', d.symbols);
  }
  try {
    makeBarMaker(d.bars, 'strategy.bars');
    barSession(d.bars, 'strategy.bars');
  } catch (error) {
    throw new StrategyError((error as Error).message, definedAt, { cause: error });
  }
  const history = d.history ?? DEFAULT_HISTORY;
  if (!Number.isInteger(history) || history < 1 || history > MAX_HISTORY)
    fail('strategy.history', `an integer in [1, ${MAX_HISTORY}]`, history);
  if (typeof d.onBar !== 'function') fail('strategy.onBar', 'a function (ctx, bar) => void', d.onBar);
  for (const key of CALLBACKS) if (d[key] !== undefined && typeof d[key] !== 'function') fail(`strategy.${key}`, 'a function', d[key]);
  if (d.limits !== undefined) {
    try {
      checkLimits(d.limits);
    } catch (error) {
      throw new StrategyError((error as Error).message, definedAt, { cause: error });
    }
  }

  const valueNames: string[] = [...BAR_VALUES];
  const indicators = d.indicators ?? {};
  if (typeof indicators !== 'object' || indicators === null || Array.isArray(indicators)) {
    fail('strategy.indicators', "an object { <name>: { name: 'sma', timePeriod: 10 } }", indicators);
  }
  for (const [key, spec] of Object.entries(indicators)) {
    const at = `strategy.indicators.${key}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || (BAR_VALUES as readonly string[]).includes(key)) {
      fail(at, `a name of letters, digits and _ other than ${BAR_VALUES.join(', ')}`, key);
    }
    if (typeof spec !== 'object' || spec === null) fail(at, "an object { name: '<indicator>', ...options }", spec);
    const { name, ...options } = spec;
    if (!Object.hasOwn(INDICATORS_KERNELS, name)) {
      const known = Object.keys(INDICATORS_KERNELS);
      const guess = typeof name === 'string' ? nearest(name, known) : undefined;
      fail(`${at}.name`, `one of ${known.join(', ')}`, name, guess && ` (did you mean '${guess}'?)`);
    }
    try {
      indicatorStream(name, options as never);
    } catch (error) {
      throw new StrategyError(`${at}.${(error as Error).message.replace(/^options\./, '')}`, definedAt, { cause: error });
    }
    valueNames.push(...outputNames(key, name));
  }
  const loadedModels = loadStrategyModels(d.models, valueNames, definedAt);
  // each ctx.value('<literal>') of the callbacks: a value of these (bb.lowr refused here, not at each bar)
  checkValueNames(d, valueNames, definedAt);
  return Object.freeze({ ...d, history, kind: 'kernelbus.strategy', definedAt, valueNames, loadedModels }) as Strategy<S>;
}

/** Whether `x` is a strategy defineStrategy() made. */
export function isStrategy(x: unknown): x is Strategy<object> {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'kernelbus.strategy';
}
