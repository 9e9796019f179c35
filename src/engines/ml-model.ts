/**
 * The model an MlEngine serves (docs/ml.md "The ML engine"): loadModel()'s Model with its version (the
 * first 12 hex digits of the sha256 of the model's bytes, so a restart, or another process serving the same
 * file, says the same) and the file it came from; and the watch on that file.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { KernelInputError, describeValue } from '../errors.js';
import { packLightGbm } from '../kernels/ml/ml.js';
import { type LoadOptions, loadModel, type Model } from '../ml/model.js';

/** A model as the engine serves it. */
export interface ServedModel {
  readonly model: Model;
  /** The first 12 hex digits of the sha256 of its bytes. */
  readonly version: string;
  /** The file it was read from (undefined for a Model given as is). */
  readonly file?: string;
}

/** The version of a model's bytes: the first 12 hex digits of their sha256. */
export function modelVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

/** Whether `x` is a ServedModel (rather than a Model or a path). */
export function isServedModel(x: unknown): x is ServedModel {
  return typeof x === 'object' && x !== null && 'model' in x && typeof (x as ServedModel).version === 'string';
}

/**
 * The model of a file (or of bytes) and its version: loadModel() of the bytes read once, so the version is
 * that of the model loaded even while the file changes. KernelInputError naming the file (and the line
 * of a model text it cannot read, `m.txt:971: ...`).
 */
export async function loadServedModel(source: string | Uint8Array, options: LoadOptions = {}): Promise<ServedModel> {
  if (typeof source !== 'string' && !(source instanceof Uint8Array)) {
    throw new KernelInputError('model', 'a model file path or its bytes', describeValue(source));
  }
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw new KernelInputError('model', 'a readable model file', `${source} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  } else {
    bytes = source;
  }
  let model: Model;
  try {
    model = await loadModel(bytes, options);
  } catch (error) {
    // loadModel() names bytes 'model': name the file instead
    if (typeof source === 'string' && error instanceof KernelInputError && /^model\b/.test(error.argument)) {
      throw new KernelInputError(source + error.argument.slice('model'.length), error.expected, error.actual);
    }
    throw error;
  }
  return { model, version: modelVersion(bytes), ...(typeof source === 'string' ? { file: source } : {}) };
}

/**
 * A Model given as is, served: its version `version`, else for a LightGBM model the version of its packed
 * trees (packLightGbm(): what the kernels walk; not its file's version, which needs the file's bytes).
 */
export function servedModelOf(model: Model, version: string | undefined): ServedModel {
  if (version !== undefined) {
    if (typeof version !== 'string' || version === '')
      throw new KernelInputError('options.version', 'a non-empty string', describeValue(version));
    return { model, version };
  }
  const lightgbm = (model as { lightgbm?: Model['lightgbm'] }).lightgbm;
  if (!lightgbm) throw new KernelInputError('options.version', 'a version for a model not read from a file', 'none');
  const packed = packLightGbm(lightgbm);
  return { model, version: modelVersion(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength)) };
}

/** The default name of a model file: its base name without the extension (`models/m.txt` -> `m`). */
export function modelName(file: string): string {
  return basename(file, extname(file)) || 'ml';
}

/** ms between the last change seen and the read: a copy in progress ends first. */
const WATCH_SETTLE_MS = 100;

/**
 * Calls `changed` once a change of `file` settles (its folder is watched, so a file replaced by a rename,
 * as an editor or `mv` does, is seen). The watcher does not keep the process alive. Returns it (close()).
 */
export function watchModelFile(file: string, changed: () => void, failed: (error: Error) => void): FSWatcher {
  const path = resolve(file);
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(path), (_event, changedName) => {
    if (changedName !== null && changedName.toString() !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(changed, WATCH_SETTLE_MS);
    timer.unref();
  });
  watcher.on('error', failed);
  watcher.on('close', () => {
    if (timer) clearTimeout(timer);
  });
  watcher.unref();
  return watcher;
}
