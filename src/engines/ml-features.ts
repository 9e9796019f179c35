/**
 * The ML engine's feature map (docs/ml.md "The ML engine"): `{ <model feature>: '<MESSAGE_TYPE>.<field
 * path>' }`, checked against the payloads whose fields are fixed (BAR, FEATURES_UPDATE's top fields,
 * VPIN_CALCULATION); the default source of a model's feature when no map is given; and a feature's value
 * read from a payload.
 */
import { BarWindow, FEATURE_ESTIMATORS } from '../api/bar-window.js';
import { MESSAGE_TYPES } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';
import { INDICATORS_KERNELS } from '../kernels/indicators/indicators-kernels.js';
import type { FeatureBar, FeaturesUpdate } from './features.js';
import { isPlainObject } from './payload-checks.js';
import type { VpinCalculation } from './vpin.js';

/** `{ <model feature>: '<MESSAGE_TYPE>.<field path>' }`, e.g. `{ rsi: 'FEATURES_UPDATE.indicators.rsi', close: 'BAR.close' }`. */
export type FeatureMap = Readonly<Record<string, string>>;

/** Where one model feature's value comes from. */
export interface FeatureSource {
  /** The model's feature (the map entry's name). */
  readonly feature: string;
  /** The message type whose payload holds it. */
  readonly type: string;
  /** The field's path in the payload: `['indicators', 'rsi']`. */
  readonly path: readonly string[];
  /** `<type>.<path>`, as written in the map. */
  readonly source: string;
}

/** BAR's fields (FeatureBar's: a field added there must be named here, or this does not compile). */
const BAR_FIELDS: Record<keyof FeatureBar, true> = {
  bar: true,
  ts: true,
  tickNum: true,
  open: true,
  high: true,
  low: true,
  close: true,
  volume: true,
  buyVolume: true,
  ticks: true,
  dollarValue: true,
};

/** FEATURES_UPDATE's top fields: numbers, text (no feature), or a group of named numbers. */
const UPDATE_FIELDS: Record<keyof FeaturesUpdate, 'number' | 'text' | 'group'> = {
  source: 'text',
  engine: 'text',
  bar: 'number',
  ts: 'number',
  day: 'text',
  dayTrades: 'number',
  realizedVariance: 'number',
  realizedVolatility: 'number',
  bipowerVariation: 'number',
  estimators: 'group',
  indicators: 'group',
};

/** VPIN_CALCULATION's fields (VpinCalculation's). */
const VPIN_FIELDS: Record<keyof VpinCalculation, true> = {
  bucket: true,
  startTs: true,
  endTs: true,
  duration: true,
  buyVolume: true,
  sellVolume: true,
  vpin: true,
  cdf: true,
};

/** The payloads whose fields are fixed: a map entry naming another field of them is refused at once. */
const FIXED: Readonly<Record<string, readonly string[]>> = {
  BAR: Object.keys(BAR_FIELDS),
  VPIN_CALCULATION: Object.keys(VPIN_FIELDS),
};
const UPDATE_NUMBERS = Object.keys(UPDATE_FIELDS).filter((f) => UPDATE_FIELDS[f as keyof FeaturesUpdate] === 'number');

/** What each estimator of the features engine publishes under `estimators.` (corwinSchultz as two). */
const ESTIMATOR_OUTPUTS = Object.keys(new BarWindow(2).estimate(FEATURE_ESTIMATORS));

/** The indicators whose outputs FEATURES_UPDATE may carry under `indicators.` (`rsi`, `macd_signal`, `rsi_21`). */
const INDICATOR_NAMES = Object.keys(INDICATORS_KERNELS);

/** The types a map may not name: trade columns (no fields) and the engine's own output. */
const NOT_SOURCES = new Set(['TRADE_EXECUTION', 'ML_PREDICTION']);
const SOURCE_TYPES = MESSAGE_TYPES.filter((t) => !NOT_SOURCES.has(t));

/** Whether `name` is an output column of an indicator (parseIndicators' naming: the name, then `_<options>`, `_<output>`). */
function indicatorColumn(name: string): boolean {
  return INDICATOR_NAMES.some((n) => name === n || name.startsWith(`${n}_`));
}

/**
 * The sources of every entry of `map`, each checked (KernelInputError naming `<argument>.<feature>`): a
 * known message type that has fields (not TRADE_EXECUTION nor ML_PREDICTION), and, for a payload whose
 * fields are fixed (BAR, VPIN_CALCULATION, FEATURES_UPDATE's top fields), one of its number fields;
 * FEATURES_UPDATE's `indicators.<name>` and `estimators.<name>` are the features engine's configuration,
 * checked on each message (an estimator's name is checked here).
 */
export function checkFeatureMap(map: unknown, argument = 'features'): FeatureSource[] {
  if (!isPlainObject(map) || Object.keys(map).length === 0) {
    throw new KernelInputError(argument, "a map { <model feature>: '<MESSAGE_TYPE>.<field>' } of one entry or more", describeValue(map));
  }
  return Object.entries(map).map(([feature, text]) => {
    const entry = `${argument}.${feature}`;
    const parts = typeof text === 'string' ? text.split('.') : [];
    const [type, ...path] = parts;
    if (feature === '' || parts.length < 2 || parts.some((p) => p === '')) {
      throw new KernelInputError(entry, "a source '<MESSAGE_TYPE>.<field>' (e.g. 'FEATURES_UPDATE.indicators.rsi')", describeValue(text));
    }
    if (!SOURCE_TYPES.includes(type as (typeof SOURCE_TYPES)[number])) {
      throw new KernelInputError(entry, `a source of a message type with fields: ${SOURCE_TYPES.join(', ')}`, JSON.stringify(text));
    }
    const field = path.join('.');
    const fixed = FIXED[type];
    if (fixed && !(path.length === 1 && fixed.includes(path[0]))) {
      throw new KernelInputError(entry, `a field of ${type} (${fixed.join(', ')})`, JSON.stringify(field));
    }
    if (type === 'FEATURES_UPDATE') checkUpdateField(entry, path);
    return { feature, type, path, source: text as string };
  });
}

/** A FEATURES_UPDATE field: a top number field, `indicators.<name>` or `estimators.<one of theirs>`. */
function checkUpdateField(entry: string, path: readonly string[]): void {
  const kind = Object.hasOwn(UPDATE_FIELDS, path[0]) ? UPDATE_FIELDS[path[0] as keyof FeaturesUpdate] : undefined;
  if (kind === 'number' && path.length === 1) return;
  if (kind === 'group' && path.length === 2) {
    if (path[0] === 'estimators' && !ESTIMATOR_OUTPUTS.includes(path[1])) {
      throw new KernelInputError(entry, `an estimator of the features engine (${ESTIMATOR_OUTPUTS.join(', ')})`, JSON.stringify(path[1]));
    }
    return;
  }
  throw new KernelInputError(
    entry,
    `a number field of FEATURES_UPDATE (${UPDATE_NUMBERS.join(', ')}), indicators.<name> or estimators.<name>`,
    JSON.stringify(path.join('.')),
  );
}

/** The default source of a model feature: a field of BAR, then FEATURES_UPDATE's, its indicators, its estimators. */
function defaultSource(feature: string): FeatureSource | undefined {
  const of = (type: string, path: string[]): FeatureSource => ({ feature, type, path, source: `${type}.${path.join('.')}` });
  if (Object.hasOwn(BAR_FIELDS, feature)) return of('BAR', [feature]);
  if (UPDATE_NUMBERS.includes(feature)) return of('FEATURES_UPDATE', [feature]);
  if (indicatorColumn(feature)) return of('FEATURES_UPDATE', ['indicators', feature]);
  if (ESTIMATOR_OUTPUTS.includes(feature)) return of('FEATURES_UPDATE', ['estimators', feature]);
  return undefined;
}

/**
 * The source of each of a model's `features`, in their order: the map's entry for it (`map`: checkFeatureMap()'s
 * sources), or without a map its default (a field of BAR, then of FEATURES_UPDATE, `indicators.<name>`,
 * `estimators.<name>`). KernelInputError naming `<argument>.<feature>` for a feature with none.
 */
export function resolveFeatures(
  features: readonly string[],
  map: readonly FeatureSource[] | undefined,
  argument = 'features',
): FeatureSource[] {
  return features.map((feature) => {
    const source = map ? map.find((s) => s.feature === feature) : defaultSource(feature);
    if (source) return source;
    throw new KernelInputError(
      `${argument}.${feature}`,
      map
        ? 'an entry for this feature of the model (the map gives each of its features)'
        : 'a field of BAR or FEATURES_UPDATE, an indicator or an estimator of the features engine for the model feature (or a map entry)',
      'none',
    );
  });
}

/**
 * The value at `path` of a payload: a number (null, which some encoders write for NaN, reads NaN), or
 * undefined when the field is missing or not a number.
 */
export function featureValue(payload: unknown, path: readonly string[]): number | undefined {
  let x: unknown = payload;
  // a name of Object.prototype's (constructor, __proto__) reads no number: no own-property test needed
  for (let i = 0; i < path.length; i++) {
    if (typeof x !== 'object' || x === null) return undefined;
    x = (x as Record<string, unknown>)[path[i]];
  }
  if (typeof x === 'number') return x;
  return x === null ? Number.NaN : undefined;
}

/** The raw value at `path` (for an error message). */
export function rawValue(payload: unknown, path: readonly string[]): unknown {
  let x: unknown = payload;
  for (const p of path) {
    if (typeof x !== 'object' || x === null) return undefined;
    x = (x as Record<string, unknown>)[p];
  }
  return x;
}
