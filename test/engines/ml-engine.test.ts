/**
 * MlEngine on the in-process bus (issue 91, docs/ml.md "The ML engine"): FeaturesEngine (tick bars, rsi
 * and macd) -> MlEngine with examples/model.txt over a tape of several symbols in rounds. Each
 * ML_PREDICTION holds loadModel('examples/model.txt').predict() of the row built from its bar's BAR and
 * FEATURES_UPDATE, exactly; each round's closed bars are one batch; swaps (a call, a watched file) change
 * the version between two rounds and nothing is lost or repeated; a model that does not load leaves the
 * old one; a model of another kind predicts through predictAsync, one call at a time (an ONNX model of
 * test/ml/fixtures/onnx/ where onnxruntime-node is installed); BAR and FEATURES_UPDATE join in either order
 * and other types give their value at the bar's completion; bad maps and a FEATURES_UPDATE without a
 * mapped indicator are refused, naming the entry; the whole state snapshotted in the middle of a join and
 * restored gives the uninterrupted run's predictions; `/metrics` shows the batch histograms and version.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type BusMessage, createBus } from '../../src/bus/index.js';
import {
  FeaturesEngine,
  type FeatureBar,
  type FeaturesUpdate,
  MlEngine,
  type MlPrediction,
  prometheusRegistry,
} from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import type { Matrix } from '../../src/kernels/matrix.js';
import { loadModel, type Model } from '../../src/ml/index.js';
import { collect, FEATURES, idOf, inProcessRun, publishRound, roundsTape, rowOf, until } from './ml-helpers.js';

const MODEL = 'examples/model.txt';
const TEXT = readFileSync(MODEL, 'utf8');
const version = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 12);
const V1 = version(TEXT);
/** Another model: the first leaf of the first tree changed (same length: the tree sizes hold). */
const TEXT2 = TEXT.replace('leaf_value=-0.85588728408572101', 'leaf_value=-0.15588728408572101');
const V2 = version(TEXT2);
const dir = mkdtempSync(join(tmpdir(), 'kb-ml-engine-'));
/** Whether onnxruntime-node is installed (an optional peer dependency: the ONNX case is skipped without it). */
const onnxInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
})();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Feeds the rounds one by one (each drained); returns the ML_PREDICTION payloads received in each. */
async function feedRounds(
  bus: ReturnType<typeof createBus>,
  rounds: Parameters<typeof publishRound>[1][],
  got: BusMessage<MlPrediction>[],
) {
  const perRound: MlPrediction[][] = [];
  for (const frames of rounds) {
    const before = got.length;
    await publishRound(bus, frames);
    await bus.drain();
    perRound.push(got.slice(before).map((m) => m.payload));
  }
  return perRound;
}

/** Checks each prediction against `model.predict()` of its row, built from its BAR and FEATURES_UPDATE. */
function expectModelValues(predictions: MlPrediction[], model: Model, bars: Map<string, FeatureBar>, updates: Map<string, FeaturesUpdate>) {
  for (const p of predictions) {
    const id = idOf(p.symbol, p.bar);
    const bar = bars.get(id)!;
    const update = updates.get(id)!;
    expect(p.ts, id).toBe(update.ts);
    expect(p.ts, id).toBe(bar.ts);
    expect(p.values, id).toEqual([model.predict(rowOf(model, bar, update)) as number]);
  }
}

const byId = <P extends { bar: number }>(ms: BusMessage<P>[]) => new Map(ms.map((m) => [idOf(m.key, m.payload.bar), m.payload]));

describe('MlEngine', () => {
  it("predicts every closed bar as the model's own predict() of its row, one batch per delivery holding the symbols that closed in it", async () => {
    const model = await loadModel(MODEL);
    const tape = roundsTape(6, 80);
    const bus = createBus();
    const features = new FeaturesEngine(bus, FEATURES).start();
    const ml = new MlEngine(bus, { model: MODEL, heartbeatMs: 0 }).start();
    await ml.ready();
    expect(ml.inputTypes).toEqual(['FEATURES_UPDATE', 'BAR']);
    const bars = collect<FeatureBar>(bus, 'BAR');
    const updates = collect<FeaturesUpdate>(bus, 'FEATURES_UPDATE');
    const got = collect<MlPrediction>(bus, 'ML_PREDICTION');
    const perRound = await feedRounds(bus, tape.rounds, got);
    // each round's predictions: exactly the symbols that closed a bar in it
    expect(perRound.map((ps) => ps.map((p) => p.symbol).sort())).toEqual(tape.closing.map((c) => [...c].sort()));
    const closedRounds = tape.closing.filter((c) => c.length > 0);
    const total = closedRounds.reduce((n, c) => n + c.length, 0);
    expect(total).toBeGreaterThan(250);
    expect(closedRounds.some((c) => c.length >= 3)).toBe(true);
    const extra = ml.metrics().extra;
    expect(extra).toMatchObject({ batches: closedRounds.length, predictions: total, modelSwaps: 0, modelLoadFailures: 0, repeatedBars: 0 });
    const rows = ml.histograms().ml_batch_rows.buckets;
    expect({ count: rows.count, sum: rows.sum }).toEqual({ count: closedRounds.length, sum: total });
    expect(ml.histograms().ml_inference_seconds.buckets.count).toBe(closedRounds.length);
    expect(ml.model()).toEqual({ model: 'model', version: V1 });
    // /metrics: the batch rows and inference seconds histograms, the model's version as an info gauge
    const text = await prometheusRegistry({ engines: [ml], defaultMetrics: false }).metrics();
    expect(text).toContain(`kernelbus_engine_ml_batch_rows_count{engine="model"} ${closedRounds.length}`);
    expect(text).toContain(`kernelbus_engine_ml_batch_rows_sum{engine="model"} ${total}`);
    expect(text).toContain(`kernelbus_engine_ml_inference_seconds_count{engine="model"} ${closedRounds.length}`);
    expect(text).toContain(`kernelbus_ml_model_info{engine="model",model="model",version="${V1}"} 1`);
    expect(text).toContain(`kernelbus_engine_events_total{engine="model",event="predictions"} ${total}`);

    // every bar predicted once, with the model's own prediction of the row its BAR and FEATURES_UPDATE make
    const predictions = got.map((m) => m.payload);
    expect(new Set(predictions.map((p) => idOf(p.symbol, p.bar))).size).toBe(total);
    expect(updates).toHaveLength(total);
    expect(got.every((m) => m.key === m.payload.symbol && m.ts === m.payload.ts)).toBe(true);
    expect(predictions.every((p) => p.model === 'model' && p.version === V1)).toBe(true);
    expectModelValues(predictions, model, byId(bars), byId(updates));
    // the rows reach the bars where macd is defined: every feature a number there
    const full = updates.filter((u) => Number.isFinite(u.payload.indicators.macd_signal));
    expect(full.length).toBeGreaterThan(50);
    await features.close();
    await ml.close();
    await bus.close();
  });

  it('swaps a model between two deliveries: the old version before, the new after, each bar once; a truncated file keeps the old one', async () => {
    const [model1, model2] = [await loadModel(MODEL), await loadModel({ text: TEXT2 })];
    const next = join(dir, 'next.txt');
    const truncated = join(dir, 'truncated.txt');
    writeFileSync(next, TEXT2);
    writeFileSync(truncated, TEXT.slice(0, TEXT.length / 2));
    const tape = roundsTape(5, 90, 11);
    const bus = createBus();
    const features = new FeaturesEngine(bus, FEATURES).start();
    const ml = new MlEngine(bus, { model: MODEL, heartbeatMs: 0 }).start();
    await ml.ready();
    const bars = collect<FeatureBar>(bus, 'BAR');
    const updates = collect<FeaturesUpdate>(bus, 'FEATURES_UPDATE');
    const got = collect<MlPrediction>(bus, 'ML_PREDICTION');
    const first = await feedRounds(bus, tape.rounds.slice(0, 30), got);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await ml.swapModel(truncated)).toBeUndefined();
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0][0])).toMatch(
      new RegExp(`^model: model ${truncated} not loaded \\(version ${V1} stays\\): ${truncated}:\\d+: expected `),
    );
    errors.mockRestore();
    const second = await feedRounds(bus, tape.rounds.slice(30, 60), got);
    expect(await ml.swapModel(next)).toBe(V2);
    expect(await ml.swapModel(next)).toBe(V2); // the same model: nothing to swap
    const third = await feedRounds(bus, tape.rounds.slice(60), got);
    expect(ml.metrics().extra).toMatchObject({ modelSwaps: 1, modelLoadFailures: 1 });
    expect(ml.model()).toEqual({ model: 'model', version: V2 });

    const versions = (rounds: MlPrediction[][]) => new Set(rounds.flat().map((p) => p.version));
    expect(versions(first)).toEqual(new Set([V1]));
    expect(versions(second)).toEqual(new Set([V1]));
    expect(versions(third)).toEqual(new Set([V2]));
    const all = got.map((m) => m.payload);
    const ids = all.map((p) => idOf(p.symbol, p.bar));
    expect(new Set(ids).size).toBe(all.length);
    expect(new Set(ids)).toEqual(new Set(updates.map((u) => idOf(u.key, u.payload.bar))));
    const closed = (from: number, to: number) => tape.closing.slice(from, to).reduce((n, c) => n + c.length, 0);
    expect([first, second, third].map((r) => r.flat().length)).toEqual([closed(0, 30), closed(30, 60), closed(60, 90)]);
    const [b, u] = [byId(bars), byId(updates)];
    expectModelValues([...first, ...second].flat(), model1, b, u);
    expectModelValues(third.flat(), model2, b, u);
    // the new model is another model: it predicts otherwise on some rows
    const rowFor = (p: MlPrediction) => rowOf(model1, b.get(idOf(p.symbol, p.bar))!, u.get(idOf(p.symbol, p.bar))!);
    expect(third.flat().filter((p) => p.values[0] !== model1.predict(rowFor(p))).length).toBeGreaterThan(0);
    await features.close();
    await ml.close();
    await bus.close();
  });

  it('with watch, a file replaced swaps the model in; a file cut short is counted and the old model serves on', async () => {
    const file = join(dir, 'watched.txt');
    writeFileSync(file, TEXT);
    const failures: [string | undefined, string][] = [];
    const swaps: object[] = [];
    const tape = roundsTape(4, 60, 5);
    const bus = createBus();
    const features = new FeaturesEngine(bus, FEATURES).start();
    const ml = new MlEngine(bus, {
      model: file,
      watch: true,
      heartbeatMs: 0,
      onLoadError: (error, from) => void failures.push([from, error.message]),
      onSwap: (swap) => void swaps.push(swap),
    }).start();
    await ml.ready();
    expect(ml.name).toBe('watched');
    const got = collect<MlPrediction>(bus, 'ML_PREDICTION');
    const first = await feedRounds(bus, tape.rounds.slice(0, 20), got);
    // replaced as an editor or a deploy does: written aside, renamed over it
    writeFileSync(`${file}.tmp`, TEXT2);
    renameSync(`${file}.tmp`, file);
    await until(() => ml.metrics().extra.modelSwaps === 1, 'the swap');
    expect(swaps).toEqual([{ version: V2, previous: V1, file }]);
    const second = await feedRounds(bus, tape.rounds.slice(20, 40), got);
    writeFileSync(file, TEXT2.slice(0, 5000));
    await until(() => ml.metrics().extra.modelLoadFailures >= 1, 'the failed load');
    expect(failures[0][0]).toBe(file);
    expect(failures[0][1]).toMatch(new RegExp(`^${file}(:\\d+)?: expected `));
    const third = await feedRounds(bus, tape.rounds.slice(40), got);
    expect(ml.metrics().extra.modelSwaps).toBe(1);
    expect(new Set(first.flat().map((p) => p.version))).toEqual(new Set([V1]));
    expect(new Set([...second, ...third].flat().map((p) => p.version))).toEqual(new Set([V2]));
    const closed = tape.closing.reduce((n, c) => n + c.length, 0);
    expect(got).toHaveLength(closed);
    expect(new Set(got.map((m) => idOf(m.key, m.payload.bar))).size).toBe(closed);
    await features.close();
    await ml.close();
    await bus.close();
  });

  it("calls predictAsync for a model that is not LightGBM's, one call per batch, and closes once its batch is out", async () => {
    const lightgbm = await loadModel(MODEL);
    const calls: number[] = [];
    let inFlight = 0;
    let most = 0;
    const onnx = {
      ...lightgbm,
      kind: 'onnx',
      predict: () => {
        throw new Error('not called: an ONNX model predicts asynchronously');
      },
      predictAsync: async (X: Matrix) => {
        calls.push(X.rows);
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return lightgbm.predict(X);
      },
    } as unknown as Model;
    const tape = roundsTape(5, 50, 9);
    const whole = await inProcessRun(tape, { model: MODEL });
    const bus = createBus();
    const features = new FeaturesEngine(bus, FEATURES).start();
    const ml = new MlEngine(bus, { model: onnx, version: 'onnx-1', heartbeatMs: 0 }).start();
    await ml.ready();
    expect(ml.name).toBe('ml');
    const got = collect<MlPrediction>(bus, 'ML_PREDICTION');
    for (const frames of tape.rounds) {
      await publishRound(bus, frames);
      await bus.drain();
    }
    await features.close();
    await ml.close();
    await bus.close();
    expect(got).toHaveLength(whole.predictions.size);
    for (const { payload: p } of got) {
      expect(p.version).toBe('onnx-1');
      expect(p.values, idOf(p.symbol, p.bar)).toEqual(whole.predictions.get(idOf(p.symbol, p.bar))!.values);
    }
    // rows completed while a batch was out wait for it: at most one call in flight, none lost
    expect(most).toBe(1);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(got.length);
    expect(ml.metrics().extra).toMatchObject({ batches: calls.length, predictions: got.length });
  });

  it.skipIf(!onnxInstalled)('serves an ONNX model (onnxruntime-node) by its map: each value its predictAsync() of the row', async () => {
    const file = 'test/ml/fixtures/onnx/softmax3.onnx';
    const onnx = await loadModel(file);
    expect([onnx.kind, onnx.features.length, onnx.classes]).toEqual(['onnx', 5, 3]);
    const features = {
      f0: 'BAR.open',
      f1: 'BAR.close',
      f2: 'FEATURES_UPDATE.indicators.rsi',
      f3: 'BAR.high',
      f4: 'FEATURES_UPDATE.realizedVolatility',
    };
    const { bars: b, updates: u, predictions, messages } = await inProcessRun(roundsTape(4, 60, 13), { model: file, features });
    expect(messages).toBe(u.size);
    expect([...predictions.values()].filter((p) => p.values.every(Number.isFinite)).length).toBeGreaterThan(predictions.size / 2);
    for (const p of predictions.values()) {
      const id = idOf(p.symbol, p.bar);
      const [bar, update] = [b.get(id)!, u.get(id)!];
      expect([p.model, p.version]).toEqual(['softmax3', version(readFileSync(file))]);
      const row = Float64Array.of(bar.open, bar.close, update.indicators.rsi, bar.high, update.realizedVolatility);
      const theirs = (await onnx.predictAsync(row)) as Float64Array;
      expect(p.values).toHaveLength(3);
      // NaN (the indicators' warm-up) where theirs is, else within onnxruntime's float32 rounding
      p.values.forEach((v, k) => {
        if (Number.isNaN(theirs[k])) expect(v, id).toBeNaN();
        else expect(Math.abs(v - theirs[k]), id).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(theirs[k]), 1));
      });
    }
  });

  it("joins BAR and FEATURES_UPDATE by bar in either order; another type gives its value at the bar's completion, NaN before any", async () => {
    // a model that echoes its row: its values are the row the engine built (three columns, as three classes)
    const echo = {
      kind: 'lightgbm',
      features: ['close', 'vpin', 'rv'],
      classes: 3,
      predict: (X: Matrix) => ({ data: X.data.slice(), rows: X.rows, cols: X.cols }),
    } as unknown as Model;
    const bus = createBus();
    const ml = new MlEngine(bus, {
      model: echo,
      version: 'echo',
      features: { close: 'BAR.close', vpin: 'VPIN_CALCULATION.vpin', rv: 'FEATURES_UPDATE.realizedVariance' },
      heartbeatMs: 0,
    }).start();
    await ml.ready();
    expect(ml.inputTypes).toEqual(['FEATURES_UPDATE', 'BAR', 'VPIN_CALCULATION']);
    const got = collect<MlPrediction>(bus, 'ML_PREDICTION');
    const update = (bar: number, rv: number) => ({ key: 'A', ts: 1000 + bar, payload: { bar, ts: 1000 + bar, realizedVariance: rv } });
    const bar = (n: number, close: number) => ({ key: 'A', ts: 1000 + n, payload: { bar: n, ts: 1000 + n, close } });
    const vpin = (v: number) => ({ key: 'A', payload: { vpin: v } });
    const step = async (...messages: [string, object][]) => {
      for (const [type, m] of messages) await bus.publish(type, m as never);
      await bus.drain();
    };
    await step(['FEATURES_UPDATE', update(0, 0.5)]);
    expect(got).toHaveLength(0); // its BAR has not come
    await step(['BAR', bar(0, 10)]);
    await step(['VPIN_CALCULATION', vpin(0.3)]);
    await step(['BAR', bar(1, 11)]);
    await step(['FEATURES_UPDATE', update(1, 0.6)]);
    await step(['VPIN_CALCULATION', vpin(0.4)]);
    await step(['FEATURES_UPDATE', update(2, 0.7)], ['BAR', bar(2, 12)]);
    await step(['VPIN_CALCULATION', vpin(0.5)]);
    await step(['FEATURES_UPDATE', update(1, 0.6)], ['BAR', bar(1, 11)]); // published again: a repeat
    await ml.close();
    await bus.close();
    expect(got.map((m) => [m.payload.bar, m.payload.values])).toEqual([
      [0, [10, Number.NaN, 0.5]],
      [1, [11, 0.3, 0.6]],
      [2, [12, 0.4, 0.7]],
    ]);
    expect(ml.metrics().extra.repeatedBars).toBe(2);
  });

  it('refuses a bad map at construction, naming the entry', async () => {
    const model = await loadModel(MODEL);
    const bus = createBus();
    const named = Object.fromEntries(
      model.features.map((f) => [
        f,
        ['rsi', 'macd', 'macd_signal', 'macd_hist'].includes(f) ? `FEATURES_UPDATE.indicators.${f}` : `BAR.${f}`,
      ]),
    );
    const renamed = await loadModel({ text: TEXT.replace(' dollarValue rsi ', ' dollarValue zeta ') });
    const cases: [() => unknown, RegExp][] = [
      [
        () => new MlEngine(bus, { model, features: { ...named, rsi: 'FOO.rsi' } }),
        /^features\.rsi: expected a source of a message type with fields: MARKET_DATA, .*, got "FOO\.rsi"$/,
      ],
      [
        () => new MlEngine(bus, { model, features: { ...named, close: 'BAR.closing' } }),
        /^features\.close: expected a field of BAR \(bar, ts, tickNum, open, .*\), got "closing"$/,
      ],
      [
        () => new MlEngine(bus, { model, features: { ...named, rsi: 'FEATURES_UPDATE.rsi' } }),
        /^features\.rsi: expected a number field of FEATURES_UPDATE \(bar, ts, dayTrades, .*\), indicators.<name> or estimators.<name>, got "rsi"$/,
      ],
      [
        () => new MlEngine(bus, { model, features: { ...named, rsi: 'FEATURES_UPDATE.estimators.rsi' } }),
        /^features\.rsi: expected an estimator of the features engine \(rollMeasure, .*\), got "rsi"$/,
      ],
      [
        () => new MlEngine(bus, { model, features: { ...named, rsi: 'TRADE_EXECUTION.price' } }),
        /^features\.rsi: expected a source of a message type with fields: .*, got "TRADE_EXECUTION\.price"$/,
      ],
      [
        () => new MlEngine(bus, { model, features: { ...named, rsi: 'VPIN_CALCULATION' } }),
        /^features\.rsi: expected a source '<MESSAGE_TYPE>\.<field>' .*, got "VPIN_CALCULATION"$/,
      ],
      [
        () => new MlEngine(bus, { model, features: { open: 'BAR.open' } }),
        /^features\.high: expected an entry for this feature of the model .*, got none$/,
      ],
      [
        () => new MlEngine(bus, { model: renamed }),
        /^features\.zeta: expected a field of BAR or FEATURES_UPDATE, an indicator or an estimator .*, got none$/,
      ],
      [() => new MlEngine(bus, { model, features: {} }), /^features: expected a map .*, got an object with keys \[\]$/],
      [() => new MlEngine(bus, { model, watch: true }), /^options\.watch: expected a model given by its file, got a Model$/],
      [
        () => new MlEngine(bus, { model: MODEL, version: 'v1' }),
        /^options\.version: expected nothing for a model read from a file \(its version is its bytes'\), got "v1"$/,
      ],
      [
        () => new MlEngine(bus, { model: 42 as never }),
        /^options\.model: expected a model file's path, a Model \(loadModel\(\)\) or loadServedModel\(\)'s, got 42$/,
      ],
    ];
    for (const [make, message] of cases) {
      const error = (() => {
        try {
          make();
        } catch (e) {
          return e;
        }
      })();
      expect(error, String(message)).toBeInstanceOf(KernelInputError);
      expect((error as Error).message).toMatch(message);
    }
    // a path: the model is read when the engine is made, ready() rejects with its error
    const missing = new MlEngine(bus, { model: join(dir, 'none.txt'), onLoadError: () => undefined }).start();
    await expect(missing.ready()).rejects.toThrow(/^model: expected a readable model file, got .*none\.txt \(ENOENT\)$/);
    expect(missing.metrics().extra.modelLoadFailures).toBe(1);
    await bus.close();
  });

  it('refuses a FEATURES_UPDATE without an indicator the map names: dead-lettered, the entry and the field in the reason', async () => {
    const errors: Error[] = [];
    const bus = createBus({ onError: (e) => void errors.push(e as Error) });
    const dead = collect<FeaturesUpdate>(bus, 'FEATURES_UPDATE');
    bus.subscribe('FEATURES_UPDATE', () => undefined, { deadLetters: true, group: 'ops' });
    const features = new FeaturesEngine(bus, { ...FEATURES, indicators: 'macd' }).start();
    const ml = new MlEngine(bus, { model: MODEL, heartbeatMs: 0 }).start();
    await ml.ready();
    const got = collect<MlPrediction>(bus, 'ML_PREDICTION');
    const tape = roundsTape(3, 20, 4);
    for (const frames of tape.rounds) {
      await publishRound(bus, frames);
      await bus.drain();
    }
    const updates = tape.closing.reduce((n, c) => n + c.length, 0);
    expect(dead).toHaveLength(updates);
    expect(got).toHaveLength(0);
    expect(errors).toHaveLength(updates);
    expect(errors.every((e) => e instanceof KernelInputError)).toBe(true);
    expect(errors[0].message).toBe(
      'features.rsi: expected a number at FEATURES_UPDATE.indicators.rsi of each FEATURES_UPDATE, got undefined',
    );
    expect(bus.metrics().deadLettered).toBe(updates);
    await features.close();
    await ml.close();
    await bus.close();
  });

  it('restores a snapshot taken in the middle of a join: the predictions of the uninterrupted run', async () => {
    const tape = roundsTape(4, 60, 21);
    const whole = await inProcessRun(tape, { model: MODEL });
    // the tape's BAR and FEATURES_UPDATE messages in the order a features engine publishes them
    const bus = createBus();
    const features = new FeaturesEngine(bus, FEATURES).start();
    const messages: BusMessage[] = [];
    bus.subscribe('BAR', (m) => void messages.push(m));
    bus.subscribe('FEATURES_UPDATE', (m) => void messages.push(m));
    for (const frames of tape.rounds) {
      await publishRound(bus, frames);
      await bus.drain();
    }
    await features.close();
    await bus.close();
    type Inside = {
      process(m: BusMessage): void;
      emit(type: string, e: { payload: unknown }): void;
      snapshotState(): Uint8Array;
      restoreState(b: Uint8Array): void;
    };
    const made = async () => {
      const engine = new MlEngine(createBus(), { model: MODEL, heartbeatMs: 0 });
      await engine.ready();
      const out: MlPrediction[] = [];
      (engine as unknown as Inside).emit = (_type, e) => void out.push(e.payload as MlPrediction);
      return { engine: engine as unknown as Inside, out };
    };
    // cut after a BAR whose FEATURES_UPDATE comes after it, with another symbol's pair pending
    const cut = messages.findIndex(
      (m, i) =>
        i > messages.length / 2 &&
        m.type === 'BAR' &&
        messages.some(
          (u, j) =>
            j > i && u.type === 'FEATURES_UPDATE' && u.key === m.key && (u.payload as FeaturesUpdate).bar === (m.payload as FeatureBar).bar,
        ),
    );
    expect(cut).toBeGreaterThan(0);
    const a = await made();
    for (const m of messages.slice(0, cut + 1)) a.engine.process(m);
    await Promise.resolve();
    const bytes = a.engine.snapshotState();
    const b = await made();
    b.engine.restoreState(bytes);
    for (const m of messages.slice(cut + 1)) b.engine.process(m);
    await Promise.resolve();
    const both = [...a.out, ...b.out];
    expect(a.out.length).toBeGreaterThan(20);
    expect(b.out.length).toBeGreaterThan(20);
    expect(new Map(both.map((p) => [idOf(p.symbol, p.bar), p]))).toEqual(whole.predictions);
    expect(both).toHaveLength(whole.predictions.size);
  });
});
