/**
 * A strategy's models (`models:` in defineStrategy, docs/ml.md "Models in strategies"): LightGBM text
 * models loaded when the strategy's module loads, each run at every closed bar of each symbol on that
 * bar's values (bar fields, indicator outputs, the outputs of the models listed before it), its outputs
 * kept in the bars' history as values `ctx.value()` reads: `<key>` for one output, `<key>.<class>` for
 * a multiclass model. The same bars make the same rows, so a backtest and a live run (restarted or not:
 * the outputs are checkpointed with the history) read the same predictions.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { describeValue } from '../kernels/validate.js';
import { loadLightGbmFileSync, type Model } from '../ml/model.js';
import { StrategyError } from './errors.js';

/** A model a strategy reads (`models: { p: { file: 'model.txt', features: ['rsi', 'close'] } }`). */
export interface StrategyModel {
  /** A LightGBM text model (`booster.save_model()`): a path, relative to the strategy's file. */
  file: string;
  /**
   * The value names that make a row, in the model's feature order (bar fields, indicator outputs,
   * outputs of models listed before this one). Default: the model's own feature names.
   */
  features?: readonly string[];
}

/** A strategy model loaded: the model, the values its row reads, the value names of its outputs. */
export interface LoadedStrategyModel {
  key: string;
  model: Model;
  /** Per model feature, the index of the value that fills it (in the strategy's valueNames). */
  inputs: Int32Array;
  /** The value names its outputs are kept under, one per class. */
  outputs: string[];
}

/** Where a model file named in the strategy defined at `definedAt` (`file:line:column`) is. */
function modelPath(file: string, definedAt: string | undefined): string {
  if (isAbsolute(file)) return file;
  const place = definedAt === undefined ? undefined : /^(.*?)(?::\d+:\d+)?$/.exec(definedAt)?.[1];
  return place && isAbsolute(place) ? resolve(dirname(place), file) : resolve(file);
}

/**
 * The models of a definition's `models`, loaded; each one's outputs appended to `valueNames` (which holds
 * the bar fields and indicator outputs). StrategyError naming `strategy.models.<key>` and the place of
 * the defineStrategy() call for a bad entry, a model that does not load, or a feature that is no value.
 */
export function loadStrategyModels(models: unknown, valueNames: string[], definedAt: string | undefined): LoadedStrategyModel[] {
  if (models === undefined) return [];
  const fail = (argument: string, expected: string, actual: unknown): never => {
    throw new StrategyError(`${argument}: expected ${expected}, got ${describeValue(actual)}`, definedAt);
  };
  if (typeof models !== 'object' || models === null || Array.isArray(models)) {
    fail('strategy.models', "an object { <name>: { file: 'model.txt', features: [...] } }", models);
  }
  const loaded: LoadedStrategyModel[] = [];
  for (const [key, spec] of Object.entries(models as Record<string, unknown>)) {
    const at = `strategy.models.${key}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || valueNames.some((n) => n === key || n.startsWith(`${key}.`))) {
      fail(at, 'a name of letters, digits and _ that is no bar field, indicator or other model', key);
    }
    if (typeof spec !== 'object' || spec === null) fail(at, "an object { file: 'model.txt', features: [...] }", spec);
    const { file, features, ...rest } = spec as StrategyModel & Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) fail(`${at}.${unknown}`, 'one of file, features', unknown);
    if (typeof file !== 'string' || file === '') fail(`${at}.file`, 'the path of a LightGBM text model', file);
    let model: Model;
    try {
      model = loadLightGbmFileSync(modelPath(file, definedAt));
    } catch (error) {
      throw new StrategyError(`${at}.file: ${(error as Error).message}`, definedAt, { cause: error });
    }
    const names = features ?? model.features;
    if (!Array.isArray(names) || names.length !== model.features.length) {
      fail(`${at}.features`, `${model.features.length} value names, one per feature of the model (${model.features.join(', ')})`, features);
    }
    const inputs = Int32Array.from(names as string[], (name, i) => {
      const v = typeof name === 'string' ? valueNames.indexOf(name) : -1;
      if (v < 0) {
        const which = features === undefined ? `the model's feature ${i}` : `${at}.features[${i}]`;
        fail(which, `a value of the strategy (${valueNames.join(', ')})`, name);
      }
      return v;
    });
    const outputs = model.classes === 1 ? [key] : Array.from({ length: model.classes }, (_, c) => `${key}.${c}`);
    valueNames.push(...outputs);
    loaded.push({ key, model, inputs, outputs });
  }
  return loaded;
}
