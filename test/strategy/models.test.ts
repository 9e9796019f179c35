/**
 * Models in strategies (`models:` in defineStrategy, src/strategy/models.ts): ctx.value('p', symbol)
 * equals the model's predict() of the bar's row built from the batch kernels (bars(), rsi(), macd()),
 * bit for bit; a multiclass model's classes; a run restored from a snapshot and deltas reads the same
 * predictions as the run never cut; each mistake names the field and the strategy's place.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kernels } from '../../src/api/index.js';
import { loadModel } from '../../src/ml/index.js';
import { backtestStrategy, defineStrategy, StrategyRunner } from '../../src/strategy/index.js';
import type { StrategyContext } from '../../src/strategy/index.js';
import { randomTape } from './helpers.js';

const k = kernels({ backend: 'reference' });
const MODEL = fileURLToPath(new URL('../../examples/model.txt', import.meta.url));
/** examples/model.txt's features as the strategy names its values (the dataset's macd_signal is m.signal). */
const FEATURES = ['open', 'high', 'low', 'close', 'volume', 'buyVolume', 'ticks', 'dollarValue', 'rsi', 'm.macd', 'm.signal', 'm.hist'];

/** A strategy reading the example model on tick bars; onBar records `p` and its value one bar back per symbol. */
function reader(seen: Map<string, number[]>, back1: Map<string, number[]>) {
  return defineStrategy({
    name: 'reader',
    bars: { by: 'tick', threshold: 10 },
    indicators: { rsi: { name: 'rsi', timePeriod: 14 }, m: { name: 'macd' } },
    models: { p: { file: '../../examples/model.txt', features: FEATURES } },
    onBar(ctx: StrategyContext, bar) {
      if (!seen.has(bar.symbol)) {
        seen.set(bar.symbol, []);
        back1.set(bar.symbol, []);
      }
      seen.get(bar.symbol)!.push(ctx.value('p', bar.symbol));
      back1.get(bar.symbol)!.push(ctx.value('p', bar.symbol, 1));
      if (bar.index % 5 === 0) ctx.order(bar.symbol, ctx.value('p', bar.symbol) > 0.5 ? 1 : -1);
    },
  });
}

describe('models in strategies', () => {
  it("ctx.value('p') is the model's predict() of each bar's row (bars, rsi, macd from the batch kernels), bit for bit", async () => {
    const tape = randomTape(3_000, ['AAA', 'BBB'], 5_000, 3);
    const seen = new Map<string, number[]>();
    const back1 = new Map<string, number[]>();
    const strategy = reader(seen, back1);
    expect(strategy.valueNames.slice(0, 8)).toEqual(FEATURES.slice(0, 8));
    expect(strategy.valueNames.at(-1)).toBe('p');
    backtestStrategy(tape, strategy, { allowShort: true });

    const model = await loadModel(MODEL);
    for (const [code, symbol] of ['AAA', 'BBB'].entries()) {
      const rows = Array.from(tape.ts.keys()).filter((i) => tape.symbols!.codes[i] === code);
      const pick = (x: Float64Array) => Float64Array.from(rows, (i) => x[i]);
      const bars = k.bars({ ts: pick(tape.ts), price: pick(tape.price), volume: pick(tape.volume) }, { by: 'tick', threshold: 10 });
      const rsi = k.rsi(bars.close, { timePeriod: 14 }) as Float64Array;
      const macd = k.macd(bars.close) as { macd: Float64Array; signal: Float64Array; hist: Float64Array };
      const columns = [
        bars.open,
        bars.high,
        bars.low,
        bars.close,
        bars.volume,
        bars.buyVolume,
        bars.ticks,
        bars.dollarValue,
        rsi,
        macd.macd,
        macd.signal,
        macd.hist,
      ];
      const n = bars.close.length;
      const X = { data: new Float64Array(n * 12), rows: n, cols: 12 };
      for (let i = 0; i < n; i++) for (let f = 0; f < 12; f++) X.data[i * 12 + f] = columns[f][i];
      const expected = Array.from(model.predict(X) as Float64Array);
      expect(n).toBeGreaterThan(200);
      expect(seen.get(symbol)).toEqual(expected);
      expect(back1.get(symbol)).toEqual([Number.NaN, ...expected.slice(0, -1)]);
      // the warm-up rows (NaN indicators) predict too: LightGBM's missing values
      expect(expected.slice(0, 40).every(Number.isFinite)).toBe(true);
    }
  });

  it("a multiclass model's outputs are p.0, p.1, ...; the default features are the model's own names", async () => {
    const fixtures = JSON.parse(readFileSync(new URL('../ml/fixtures/lightgbm.json', import.meta.url), 'utf8'));
    const text: string = fixtures.cases.find((c: { name: string }) => c.name === 'multiclass-3').model;
    const file = join(tmpdir(), `kb-multiclass-${process.pid}.txt`);
    writeFileSync(file, text);
    // a model whose features are named as bar values reads them by default
    writeFileSync(file, text.replace(/^feature_names=.*$/m, 'feature_names=open high low close volume'));
    const model = await loadModel(file);
    expect(model.classes).toBe(3);
    const seen: number[][] = [];
    const strategy = defineStrategy({
      name: 'classes',
      bars: { by: 'tick', threshold: 5 },
      models: { c: { file } },
      onBar(ctx, bar) {
        seen.push([0, 1, 2].map((c) => ctx.value(`c.${c}`, bar.symbol)));
      },
    });
    expect(strategy.valueNames.slice(-3)).toEqual(['c.0', 'c.1', 'c.2']);
    const tape = randomTape(500, ['AAA'], 5_000, 5);
    backtestStrategy(tape, strategy);
    const bars = k.bars({ ts: tape.ts, price: tape.price, volume: tape.volume }, { by: 'tick', threshold: 5 });
    const columns = [bars.open, bars.high, bars.low, bars.close, bars.volume];
    const X = { data: new Float64Array(bars.close.length * 5), rows: bars.close.length, cols: 5 };
    for (let i = 0; i < X.rows; i++) for (let f = 0; f < 5; f++) X.data[i * 5 + f] = columns[f][i];
    const y = model.predict(X) as { data: Float64Array };
    expect(seen).toEqual(Array.from({ length: X.rows }, (_, i) => Array.from(y.data.subarray(3 * i, 3 * i + 3))));
  });

  it('a run restored from a snapshot and deltas reads the predictions of the run never cut', () => {
    const tape = randomTape(1_500, ['AAA', 'BBB'], 5_000, 11);
    const run = (cuts: number[]) => {
      const seen = new Map<string, number[]>();
      const strategy = reader(seen, new Map());
      let r = new StrategyRunner(strategy, { allowShort: true });
      let base: Uint8Array | undefined;
      const deltas: Uint8Array[] = [];
      let from = 0;
      for (const c of [...cuts, tape.ts.length]) {
        for (let i = from; i < c; i++)
          r.trade(r.symbolIndex(tape.symbols!.values[tape.symbols!.codes[i]]), tape.ts[i], tape.price[i], tape.volume[i]);
        from = c;
        if (c === tape.ts.length) break;
        if (base === undefined) base = r.snapshot();
        else deltas.push(r.delta());
        r = new StrategyRunner(strategy, { allowShort: true });
        r.restore(base, deltas);
      }
      return seen;
    };
    const whole = run([]);
    expect(whole.get('AAA')!.length).toBeGreaterThan(100);
    expect(run([700, 1_900])).toEqual(whole);
  });

  it('names the field and the place of a bad model entry', () => {
    const define =
      (models: unknown, indicators = {}) =>
      () =>
        defineStrategy({ name: 'bad', bars: { by: 'tick', threshold: 5 }, indicators, models: models as never, onBar() {} });
    const at = /models\.test\.ts:\d+:\d+/;
    expect(define([])).toThrow(/strategy\.models: expected an object/);
    expect(define({ p: { file: 'nope.txt' } })).toThrow(/strategy\.models\.p\.file: .*nope\.txt \(ENOENT\)/);
    expect(define({ p: { file: '../../examples/model.txt', features: ['close'] } })).toThrow(
      /strategy\.models\.p\.features: expected 12 value names, one per feature of the model \(open, high/,
    );
    expect(define({ p: { file: '../../examples/model.txt', features: FEATURES } })).toThrow(
      /strategy\.models\.p\.features\[8\]: expected a value of the strategy \(open, .*dollarValue\), got "rsi"/,
    );
    // the default features: the model's names, macd_signal is no value of this strategy
    expect(define({ p: { file: '../../examples/model.txt' } }, { rsi: { name: 'rsi' }, macd: { name: 'sma' } })).toThrow(
      /the model's feature 10: expected a value of the strategy .* got "macd_signal"/,
    );
    expect(define({ close: { file: '../../examples/model.txt' } })).toThrow(/strategy\.models\.close: expected a name .* got "close"/);
    expect(define({ p: { file: '../../examples/model.txt', extra: 1 } })).toThrow(
      /strategy\.models\.p\.extra: expected one of file, features/,
    );
    const garbage = join(tmpdir(), `kb-garbage-${process.pid}.onnx`);
    writeFileSync(garbage, Buffer.from([8, 7, 18, 4, 0, 1, 2, 3]));
    expect(define({ p: { file: garbage } })).toThrow(/strategy\.models\.p\.file: .*expected a LightGBM text model/);
    try {
      define({ p: { file: 'nope.txt' } })();
    } catch (error) {
      expect((error as Error).message).toMatch(at);
    }
  });
});
