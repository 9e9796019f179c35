/**
 * MlEngine (issue 91, docs/ml.md "The ML engine"): FEATURES_UPDATE, and the other types its feature map
 * names (BAR, VPIN_CALCULATION, ...) -> per symbol, the bar's row of the model's features -> the model run
 * once per delivery on the rows of every symbol whose bar completed in it -> ML_PREDICTION per symbol.
 *
 * A symbol's bar n is complete when its FEATURES_UPDATE of bar n has arrived and, when the map uses BAR,
 * its BAR of bar n too (they come on different buses, in either order: joined by `bar`); the other
 * types give the value they last had at that moment, and a value never seen is NaN (missing, to LightGBM).
 * The rows completed while a delivery is handled (the messages a transport hands over in one go: a
 * memory pump, a Redis read) are predicted together after it, in one call of the model (predictAsync for a
 * model that is not LightGBM's), and each gets its ML_PREDICTION `{ symbol, ts, bar, model, version,
 * values }`, `ts` the bar's. A new model (swapModel(), or the file changed under `watch`) loads in the
 * background and replaces the old one between two batches; one that fails to load, or whose features the
 * map cannot give, leaves the old one in place (logged and counted). Over Redis, the state (each symbol's
 * last bar, the messages waiting for their pair, the other types' last payloads, the rows not yet
 * predicted) is one whole, checkpointed as the Collateral engine's: a restart publishes the same
 * predictions, a bar's perhaps twice with the same values.
 */
import type { FSWatcher } from 'node:fs';
import type { Bus } from '../bus/bus.js';
import { Histogram, type HistogramSnapshot, SIZE_BUCKETS } from '../bus/histogram.js';
import type { BusMessage } from '../bus/messages.js';
import { KernelInputError, describeValue } from '../errors.js';
import type { Matrix } from '../kernels/matrix.js';
import type { LoadOptions, Model } from '../ml/model.js';
import type { EngineHistogram } from '../ops/prometheus.js';
import { packStructured, unpackStructured } from '../strategy/runner-state.js';
import type { StateConfig } from './checkpoint-config.js';
import { Engine, type EngineOptions } from './engine.js';
import { checkFeatureMap, type FeatureMap, type FeatureSource, featureValue, rawValue, resolveFeatures } from './ml-features.js';
import { isServedModel, loadServedModel, modelName, type ServedModel, servedModelOf, watchModelFile } from './ml-model.js';
import { BarJoin, type CompletedBar, type SymbolRecord } from './ml-join.js';
import { isPlainObject } from './payload-checks.js';

export { loadServedModel, modelVersion, type ServedModel } from './ml-model.js';
export type { FeatureMap, FeatureSource } from './ml-features.js';

/** Options of MlEngine. `name` is the model's name in the messages (and the engine's): default the file's base name, else 'ml'. */
export interface MlEngineOptions extends Partial<EngineOptions> {
  /** The model: a file's path (read when the engine is made; ready() rejects when it cannot be), a Model of loadModel(), or loadServedModel()'s. */
  model: string | Model | ServedModel;
  /**
   * `{ <model feature>: '<MESSAGE_TYPE>.<field path>' }`. Default: each feature is a field of BAR, else of
   * FEATURES_UPDATE, else `indicators.<name>`, else `estimators.<name>` of FEATURES_UPDATE.
   */
  features?: FeatureMap;
  /** Reload the model's file when it changes (a model given by its file). Default false. */
  watch?: boolean;
  /** A Model's version in the messages (default: of its packed trees). A file's is the sha256 of its bytes (12 hex digits). */
  version?: string;
  /** loadModel()'s options for the files the engine reads (backend, threads). */
  load?: LoadOptions;
  /** Called after each swap. */
  onSwap?: (swap: ModelSwap) => void;
  /** Called with each model that fails to load (default: console.error with the file and the message). */
  onLoadError?: (error: Error, file: string | undefined) => void;
}

/** ML_PREDICTION's payload (key: the symbol; ts: the bar's). */
export interface MlPrediction {
  symbol: string;
  /** The bar's time and number (FEATURES_UPDATE's). */
  ts: number;
  bar: number;
  /** The model's name and version (the first 12 hex digits of the sha256 of its file). */
  model: string;
  version: string;
  /** The model's predict() of the row: one value per class (one for a regression or a binary model). */
  values: number[];
}

/** A model swapped in. */
export interface ModelSwap {
  version: string;
  previous: string;
  file?: string;
}

/** The model in service: where each of its features comes from. */
interface Serving extends ServedModel {
  sources: readonly FeatureSource[];
  /** The sources by message type (what each message must hold). */
  byType: ReadonlyMap<string, readonly FeatureSource[]>;
}

/** The whole state as checkpointed: the join's, and the bars completed and not yet predicted. */
interface MlState {
  symbols: SymbolRecord[];
  due: CompletedBar[];
}

const UPDATE = 'FEATURES_UPDATE';

/** Whether `x` looks like loadModel()'s Model. */
function isModel(x: unknown): x is Model {
  return typeof x === 'object' && x !== null && Array.isArray((x as Model).features) && typeof (x as Model).predict === 'function';
}

/** A model served on the bus: predictions of each symbol's bars (see the module's comment). */
export class MlEngine extends Engine {
  protected inputs: readonly string[] = [];
  private readonly map: readonly FeatureSource[] | undefined;
  private readonly file: string | undefined;
  private readonly watch: boolean;
  private readonly load: LoadOptions | undefined;
  private readonly onSwap: ((swap: ModelSwap) => void) | undefined;
  private readonly onLoadError: (error: Error, file: string | undefined) => void;
  /** Resolves once the first model is in place (at once unless it is read from a file). */
  private readonly loaded: Promise<void>;
  private current: Serving | undefined;
  /** A model loaded while a batch runs (an asynchronous model's): it replaces `current` after the batch. */
  private incoming: Serving | undefined;
  private swapping: Promise<unknown>;
  private watcher: FSWatcher | undefined;
  private readonly join = new BarJoin();
  private due: CompletedBar[] = [];
  /** The rows of the batch in flight (an asynchronous model's), and its end. */
  private inflight: CompletedBar[] | undefined;
  private running: Promise<void> | undefined;
  private scheduled = false;
  private readonly rows = new Histogram(1, SIZE_BUCKETS);
  private readonly inference = new Histogram(0.001);
  private readonly tally = {
    batches: 0,
    predictions: 0,
    modelSwaps: 0,
    modelLoadFailures: 0,
    predictionErrors: 0,
  };

  /** Checks the options (KernelInputError naming the option, or the map entry: `features.rsi: ...`). */
  constructor(bus: Bus, options: MlEngineOptions) {
    const { model, features, watch = false, version, load, onSwap, onLoadError, ...engine } = options ?? ({} as MlEngineOptions);
    const file = typeof model === 'string' ? model : isServedModel(model) ? model.file : undefined;
    super(bus, { ...engine, name: engine.name ?? (file === undefined ? 'ml' : modelName(file)) });
    this.map = features === undefined ? undefined : checkFeatureMap(features);
    if (typeof watch !== 'boolean') throw new KernelInputError('options.watch', 'a boolean', describeValue(watch));
    if (watch && file === undefined) throw new KernelInputError('options.watch', 'a model given by its file', 'a Model');
    if (version !== undefined && (typeof model === 'string' || isServedModel(model))) {
      throw new KernelInputError(
        'options.version',
        "nothing for a model read from a file (its version is its bytes')",
        describeValue(version),
      );
    }
    if (onSwap !== undefined && typeof onSwap !== 'function')
      throw new KernelInputError('options.onSwap', 'a function', describeValue(onSwap));
    if (onLoadError !== undefined && typeof onLoadError !== 'function')
      throw new KernelInputError('options.onLoadError', 'a function', describeValue(onLoadError));
    this.file = file;
    this.watch = watch;
    this.load = load;
    this.onSwap = onSwap;
    this.onLoadError =
      onLoadError ??
      ((error, from) =>
        console.error(
          `${this.name}: model ${from ?? '(a Model)'} not loaded (${this.current ? `version ${this.current.version} stays` : 'none served'}): ${error.message}`,
        ));
    if (typeof model === 'string') {
      this.loaded = this.firstLoad(model);
      this.loaded.catch(() => undefined);
    } else if (isServedModel(model) || isModel(model)) {
      this.first(isServedModel(model) ? model : servedModelOf(model, version));
      this.loaded = Promise.resolve();
    } else {
      throw new KernelInputError(
        'options.model',
        "a model file's path, a Model (loadModel()) or loadServedModel()'s",
        describeValue(model),
      );
    }
    this.swapping = this.loaded.catch(() => undefined);
  }

  /** The first model: it sets the inputs (FEATURES_UPDATE first, then each other type the map names). */
  private first(served: ServedModel): void {
    const serving = this.serving(served, undefined);
    const named = this.map ?? serving.sources;
    this.inputs = [UPDATE, ...new Set(named.map((s) => s.type).filter((t) => t !== UPDATE))];
    this.join.withBars = this.inputs.includes('BAR');
    this.current = serving;
  }

  private async firstLoad(file: string): Promise<void> {
    try {
      this.first(await loadServedModel(file, this.load));
    } catch (error) {
      this.tally.modelLoadFailures++;
      this.onLoadError(error as Error, file);
      throw error;
    }
  }

  /** `served` with its features' sources: KernelInputError naming the entry of a feature the map (or the inputs) cannot give. */
  private serving(served: ServedModel, inputs: readonly string[] | undefined): Serving {
    const features: unknown = served.model.features;
    if (!Array.isArray(features) || !features.every((f) => typeof f === 'string')) {
      throw new KernelInputError('model.features', 'the names of the features', describeValue(features));
    }
    const sources = resolveFeatures(features, this.map);
    const byType = new Map<string, FeatureSource[]>();
    for (const s of sources) {
      if (inputs && !inputs.includes(s.type)) {
        throw new KernelInputError(
          `features.${s.feature}`,
          `a source of the types the engine reads (${inputs.join(', ')})`,
          JSON.stringify(s.source),
        );
      }
      byType.set(s.type, [...(byType.get(s.type) ?? []), s]);
    }
    return { ...served, sources, byType };
  }

  /** Subscribes once the model is in place (a file is read first), and watches the file with `watch`. */
  override start(): this {
    if (this.watch && !this.watcher && this.file !== undefined) {
      const file = this.file;
      this.watcher = watchModelFile(
        file,
        () => void this.swapModel(file),
        (error) => this.onLoadError(error, file),
      );
    }
    if (this.current) return super.start();
    void this.loaded.then(
      () => super.start(),
      () => undefined,
    );
    return this;
  }

  /** As Engine.ready(), once the model is in place: rejects with its error when it could not be read. */
  override async ready(timeoutMs?: number): Promise<void> {
    await this.loaded;
    await super.ready(timeoutMs);
  }

  /** As Engine.configChecked(), once the model is in place. */
  override async configChecked(): Promise<void> {
    await this.loaded;
    await super.configChecked();
  }

  /**
   * Loads a model (a file, a Model, or loadServedModel()'s) in the background and puts it in service
   * between two batches. Resolves with its version (the current one when it is the same model), or with
   * undefined when it fails to load or the map cannot give its features: then the old model stays, and the
   * failure is logged (onLoadError) and counted (`modelLoadFailures`). Swaps run one after the other.
   */
  swapModel(source: string | Model | ServedModel): Promise<string | undefined> {
    const next = this.swapping.then(() => this.swapNow(source));
    this.swapping = next;
    return next;
  }

  private async swapNow(source: string | Model | ServedModel): Promise<string | undefined> {
    const file = typeof source === 'string' ? source : isServedModel(source) ? source.file : undefined;
    try {
      let served: ServedModel;
      if (typeof source === 'string') served = await loadServedModel(source, this.load);
      else if (isServedModel(source)) served = source;
      else if (isModel(source)) served = servedModelOf(source, undefined);
      else throw new KernelInputError('source', "a model file's path, a Model or loadServedModel()'s", describeValue(source));
      const before = this.incoming ?? this.current;
      if (!before) throw new KernelInputError('engine', 'a model in service to replace', 'none (its first model did not load)');
      if (served.version === before.version) return served.version;
      const serving = this.serving(served, this.inputs);
      if (this.running) this.incoming = serving;
      else this.current = serving;
      this.tally.modelSwaps++;
      this.onSwap?.({ version: served.version, previous: before.version, ...(file === undefined ? {} : { file }) });
      return served.version;
    } catch (error) {
      this.tally.modelLoadFailures++;
      this.onLoadError(error as Error, file);
      return undefined;
    }
  }

  /** The model in service: its name, version, kind, file, and each feature's source (undefined before it is read). */
  modelInfo(): { name: string; version: string; kind: string; file?: string; features: Record<string, string> } | undefined {
    const c = this.current;
    if (!c) return undefined;
    return {
      name: this.name,
      version: c.version,
      kind: c.model.kind,
      ...(c.file === undefined ? {} : { file: c.file }),
      features: Object.fromEntries(c.sources.map((s) => [s.feature, s.source])),
    };
  }

  /**
   * A message: its mapped fields checked (a missing one refuses it: KernelInputError naming the entry and
   * the field), then joined (BarJoin): a bar it completes waits for the batch at the end of the delivery.
   */
  protected process(message: BusMessage): void {
    const { type, key } = message;
    const payload = message.payload;
    if (!isPlainObject(payload)) throw new KernelInputError(type, 'a payload object', describeValue(payload));
    for (const s of this.current!.byType.get(type) ?? []) {
      if (featureValue(payload, s.path) === undefined) {
        throw new KernelInputError(
          `features.${s.feature}`,
          `a number at ${s.source} of each ${type}`,
          describeValue(rawValue(payload, s.path)),
        );
      }
    }
    const completed = this.join.accept(type, key, payload);
    if (!completed) return;
    this.due.push(completed);
    this.schedule();
  }

  /** Runs the batch after the delivery in hand (a microtask: the transport hands over its messages first). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.batch();
    });
  }

  /** The rows due, predicted in one call of the model in service, and their ML_PREDICTION messages. */
  private batch(): void {
    if (this.running || this.due.length === 0) return;
    const serving = this.current!;
    const rows = this.due;
    this.due = [];
    const X = this.matrix(rows, serving.sources);
    const model: Model = serving.model;
    const t0 = performance.now();
    // kind read as a string: another kind (ONNX) predicts asynchronously
    if ((model.kind as string) === 'lightgbm') {
      let out: Float64Array | Matrix;
      try {
        out = model.predict(X);
      } catch (error) {
        this.failedBatch(rows, error);
        return;
      }
      this.publish(rows, out, serving, t0);
      return;
    }
    this.inflight = rows;
    this.running = model.predictAsync(X).then(
      (out) => this.publish(rows, out, serving, t0),
      (error: unknown) => this.failedBatch(rows, error),
    );
    void this.running.finally(() => {
      this.inflight = undefined;
      this.running = undefined;
      if (this.incoming) this.current = this.incoming;
      this.incoming = undefined;
      // the rows left the state after its last checkpoint: the next one writes it
      for (const r of rows) this.stateChanged(r.symbol);
      this.batch();
    });
  }

  /** The rows as a Matrix rows x features, each value read from its part (NaN when never seen). */
  private matrix(rows: readonly CompletedBar[], sources: readonly FeatureSource[]): Matrix {
    const F = sources.length;
    const data = new Float64Array(rows.length * F);
    for (let r = 0; r < rows.length; r++) {
      const parts = rows[r].parts;
      for (let f = 0; f < F; f++) data[r * F + f] = featureValue(parts[sources[f].type], sources[f].path) ?? Number.NaN;
    }
    return { data, rows: rows.length, cols: F };
  }

  private publish(rows: readonly CompletedBar[], out: Float64Array | Matrix, serving: Serving, t0: number): void {
    this.inference.record(performance.now() - t0);
    this.rows.record(rows.length);
    this.tally.batches++;
    this.tally.predictions += rows.length;
    const values = out instanceof Float64Array ? out : out.data;
    const K = values.length / rows.length;
    for (let r = 0; r < rows.length; r++) {
      const { symbol, ts, bar } = rows[r];
      const payload: MlPrediction = {
        symbol,
        ts,
        bar,
        model: this.name,
        version: serving.version,
        values: K === 1 ? [values[r]] : Array.from(values.subarray(r * K, (r + 1) * K)),
      };
      this.emit('ML_PREDICTION', { key: symbol, ts, payload });
    }
  }

  /** A batch the model refused (it should not: the rows have the model's width): logged and counted, its rows dropped. */
  private failedBatch(rows: readonly CompletedBar[], error: unknown): void {
    this.tally.predictionErrors += rows.length;
    console.error(`${this.name}: the model failed on a batch of ${rows.length} rows: ${(error as Error)?.message ?? String(error)}`);
  }

  /** Stops the watch, closes (Engine.close()), then waits for a batch in flight. */
  override close(): Promise<void> {
    this.unwatch();
    return super.close().then(() => this.settled());
  }

  /** Stops the watch, leaves the group (Engine.stop()), then waits for a batch in flight. */
  override stop(): Promise<void> {
    this.unwatch();
    return super.stop().then(() => this.settled());
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async settled(): Promise<void> {
    while (this.running) await this.running;
    await this.swapping;
  }

  protected get keyCount(): number {
    return this.join.size;
  }

  protected override extraMetrics(): Record<string, number> {
    return { ...this.tally, ...this.join.counts };
  }

  /** The batch sizes (rows) and the inference time (ms, exported in seconds) for `/metrics`. */
  histograms(): Record<string, EngineHistogram> {
    return {
      ml_batch_rows: { help: 'Rows of each batch the model predicted (MlEngine)', buckets: this.rows.buckets() },
      ml_inference_seconds: { help: "The model's time on each batch (MlEngine)", buckets: this.inference.buckets(), scale: 1e-3 },
    };
  }

  /** The batches' rows and the model's time on each (ms): percentiles and moments since start. */
  batchStats(): { rows: HistogramSnapshot; inferenceMs: HistogramSnapshot } {
    return { rows: this.rows.snapshot(), inferenceMs: this.inference.snapshot() };
  }

  /** The model's name and version (`kernelbus_ml_model_info`); undefined before it is read. */
  model(): { model: string; version: string } | undefined {
    return this.current && { model: this.name, version: this.current.version };
  }

  /** Symbols across several streams, joined: the state is one whole (Engine.wholeState). */
  protected override get wholeState(): boolean {
    return true;
  }

  protected override get checkpointable(): boolean {
    return true;
  }

  /** The types read shape the state (which payloads it joins). The model does not: it may change. */
  protected override stateConfig(): StateConfig {
    return { inputs: this.inputs.join(',') };
  }

  protected override snapshotState(): Uint8Array {
    const state: MlState = {
      symbols: this.join.snapshot(),
      due: [...(this.inflight ?? []), ...this.due],
    };
    return packStructured(state);
  }

  protected override restoreState(bytes: Uint8Array, deltas: readonly Uint8Array[] = []): void {
    if (deltas.length > 0) throw new KernelInputError('bytes', 'a whole ML engine checkpoint', 'deltas');
    const s = unpackStructured(bytes) as MlState;
    if (!Array.isArray(s?.due)) throw new KernelInputError('bytes', 'an ML engine checkpoint', 'other fields');
    this.join.restore(s.symbols);
    this.due = s.due;
    if (this.due.length > 0) this.schedule();
  }
}
