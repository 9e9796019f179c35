/**
 * `kernelbus engine ml --model m.txt [--features map.json | --features 'rsi=FEATURES_UPDATE.indicators.rsi,...']
 * [--name n] [--watch] --redis URL`: the MlEngine's options from the engine command's flags, the model read
 * and its feature map checked before the command connects (an error names the flag: `--model m.txt:971:
 * ...`, `--features.rsi: ...`).
 */
import { readFileSync } from 'node:fs';
import type { BackendChoice } from '../api/kernels.js';
import type { MlEngineOptions } from '../engines/ml.js';
import { checkFeatureMap, type FeatureMap, resolveFeatures } from '../engines/ml-features.js';
import { loadServedModel, modelName, type ServedModel } from '../engines/ml-model.js';
import { KernelInputError } from '../errors.js';

/** The ML engine's flags of `kernelbus engine` (`--watch` is vpin's too: there it takes a list). */
export const ML_ENGINE_FLAGS = ['model', 'features', 'name', 'watch'] as const;

/** The ML engine's part of `kernelbus engine --help`. */
export const ML_ENGINE_USAGE = `ml:
  --model file         the model: a LightGBM text model (booster.save_model()), or an ONNX model (its features
                       f0, f1, ...: name their sources with --features) (required)
  --features map       where each model feature comes from: a JSON file { "rsi": "FEATURES_UPDATE.indicators.rsi" }
                       or feature=TYPE.field pairs, comma-separated (default: each feature a field of BAR, else
                       of FEATURES_UPDATE, else one of its indicators or estimators)
  --name n             the model's name in ML_PREDICTION, and the engine's (default: the file's base name)
  --watch              reload the model when its file changes: the new one serves from the next batch, the
                       old one stays when it does not load (logged, counted)
`;

type Values = Partial<Record<(typeof ML_ENGINE_FLAGS)[number], string>>;

/**
 * `argv` with a bare `--watch` (last, or followed by another flag) written `--watch=`: ml's `--watch` takes
 * no value, vpin's takes a list, and the command declares the flag once (a string).
 */
export function bareWatch(argv: readonly string[]): string[] {
  return argv.map((a, i) => (a === '--watch' && (i + 1 === argv.length || argv[i + 1].startsWith('-')) ? '--watch=' : a));
}

/** The feature map of `--features`: `feature=TYPE.field` pairs, comma-separated, or a JSON file (KernelInputError naming the flag). */
export function parseFeatureFlag(value: string): FeatureMap {
  if (value.includes('=')) {
    const map: Record<string, string> = {};
    for (const pair of value.split(',')) {
      const at = pair.indexOf('=');
      const feature = pair.slice(0, at).trim();
      if (at < 0 || feature === '' || Object.hasOwn(map, feature)) {
        throw new KernelInputError('--features', 'feature=TYPE.field pairs, comma-separated, each feature once', JSON.stringify(pair));
      }
      map[feature] = pair.slice(at + 1).trim();
    }
    return map;
  }
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (error) {
    throw new KernelInputError(
      '--features',
      'a JSON file or feature=TYPE.field pairs',
      `${value} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  try {
    return JSON.parse(text) as FeatureMap;
  } catch (error) {
    throw new KernelInputError('--features', `a JSON file { "<feature>": "<TYPE>.<field>" }`, `${value}: ${(error as Error).message}`);
  }
}

/**
 * The MlEngine's options (but the engine's own: group, consumer...) from the flags, the model read (its
 * version from its bytes) and the map checked against its features: KernelInputError naming the flag.
 */
export async function mlEngineOptions(
  values: Values,
  backend: BackendChoice | undefined,
): Promise<Omit<MlEngineOptions, 'model'> & { model: ServedModel; name: string }> {
  const file = values.model;
  if (file === undefined || file === '') throw new KernelInputError('--model', 'a model file', 'none');
  const watch = values.watch !== undefined;
  if (watch && values.watch !== '') throw new KernelInputError('--watch', 'no value (engine ml)', JSON.stringify(values.watch));
  if (values.name === '') throw new KernelInputError('--name', 'a non-empty name', '""');
  const features = values.features === undefined ? undefined : parseFeatureFlag(values.features);
  const map = features === undefined ? undefined : checkFeatureMap(features, '--features');
  const load = backend === undefined ? {} : { backend };
  let model: ServedModel;
  try {
    model = await loadServedModel(file, load);
  } catch (error) {
    if (!(error instanceof KernelInputError)) throw error;
    throw new KernelInputError(error.argument === 'model' ? '--model' : `--model ${error.argument}`, error.expected, error.actual);
  }
  resolveFeatures(model.model.features, map, '--features');
  return { model, name: values.name ?? modelName(file), watch, load, ...(features === undefined ? {} : { features }) };
}
