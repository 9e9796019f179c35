/**
 * The dashboard's predictions panel (web/predictions.js, the pure functions the gateway inlines into the
 * page) on ML_PREDICTION messages read through the gateway: a page that opens after they were published
 * folds the gateway's history into what a live page folded (each symbol's latest prediction, its count and
 * its values after each bar), and both into what the messages say, worked out here on their own; a message
 * published again (the same symbol, bar and model version) counts once, a new version of a bar counts; the
 * table's rows (the largest prediction first, the symbol's VPIN beside it) and their text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bus, createBus } from '../../src/bus/index.js';
import { createGateway, GATEWAY_TYPES, type Gateway } from '../../src/gateway/index.js';
import { PREDICTIONS_MARKER } from '../../src/gateway/page.js';
import {
  onPredictionMessage,
  type PagePredicted,
  PREDICTION_CAPS,
  predictionRows,
  predictionSeries,
  predictionText,
  topPrediction,
} from '../../web/predictions.js';
import { TestClient, until } from './helpers.js';

const T0 = 1_700_000_000_000;
const BARS = 40;

/** What the ML engine would publish for `symbol` at bar `bar` by model version `version`. */
function prediction(symbol: string, bar: number, version: number) {
  const ts = T0 + 60_000 * bar;
  const x = Math.sin(bar / 5 + symbol.length + version);
  // AAPL: a binary model's probability; MSFT: three classes (softmax); JPM: a regression's value, NaN at bar 7
  const values =
    symbol === 'MSFT'
      ? (() => {
          const e = [x, -x, 0.5 * x].map(Math.exp);
          const sum = e[0] + e[1] + e[2];
          return e.map((v) => v / sum);
        })()
      : symbol === 'AAPL'
        ? [1 / (1 + Math.exp(-3 * x))]
        : [bar === 7 ? Number.NaN : 0.01 * x];
  return { symbol, ts, bar, model: `${symbol === 'MSFT' ? 'regime' : 'up'}.txt`, version, values };
}

let bus: Bus;
let gateway: Gateway;
let live: TestClient;
/** Every message published, in order: a model swap (version 2) from bar 25 on; two repeats. */
const published: ReturnType<typeof prediction>[] = [];

beforeAll(async () => {
  bus = createBus();
  gateway = await createGateway(bus, { port: 0 });
  live = new TestClient(gateway.wsUrl);
  await live.opened;
  await live.request({ subscribe: ['ML_PREDICTION'] });
  const publish = async (p: ReturnType<typeof prediction>) => {
    published.push(p);
    await bus.publish('ML_PREDICTION', { key: p.symbol, ts: p.ts, payload: p });
  };
  for (let bar = 0; bar < BARS; bar++) {
    for (const symbol of ['AAPL', 'MSFT', 'JPM']) await publish(prediction(symbol, bar, bar < 25 ? 1 : 2));
    // the engine restarted: bar 10 published again; at bar 25 the old version's prediction of it again too
    if (bar === 12) await publish(prediction('AAPL', 10, 1));
    if (bar === 25) await publish(prediction('MSFT', 25, 1));
    if (bar === 30) await publish(prediction('MSFT', 25, 1));
    await bus.drain();
  }
  await until(() => live.messages.length === published.length, 'the live predictions');
}, 60_000);

afterAll(async () => {
  live?.close();
  await gateway?.close();
  await bus?.close();
});

const fold = (messages: { type: string; key?: string; ts?: number; payload: unknown }[]) => {
  const symbols = new Map<string, PagePredicted>();
  for (const m of messages) onPredictionMessage(symbols, m);
  return symbols;
};
const strip = (x: PagePredicted) => ({ ...x, seen: x.seen.size });
/** JSON's view of a value: NaN arrives as null. */
const asSent = (v: number) => (Number.isNaN(v) ? null : v);

describe("the dashboard's predictions panel", () => {
  it('the gateway serves ML_PREDICTION', () => {
    expect(GATEWAY_TYPES).toContain('ML_PREDICTION');
  });

  it("a page opened late folds the gateway's history into what a live page folded, and into what was published", async () => {
    const late = new TestClient(gateway.wsUrl);
    await late.opened;
    await late.request({ subscribe: '*', history: true });
    await until(() => late.messages.filter((m) => m.type === 'ML_PREDICTION').length === published.length, 'the history');
    late.close();
    const a = fold(live.messages);
    const b = fold(late.messages.filter((m) => m.type === 'ML_PREDICTION'));
    expect([...b.keys()].sort()).toEqual(['AAPL', 'JPM', 'MSFT']);
    for (const symbol of ['AAPL', 'JPM', 'MSFT']) {
      expect(strip(b.get(symbol)!)).toEqual(strip(a.get(symbol)!));
      // what was published, each (bar, version) once, in order
      const seen = new Set<string>();
      const distinct = published.filter((p) => {
        const id = `${p.bar}:${p.version}`;
        if (p.symbol !== symbol || seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      const s = b.get(symbol)!;
      expect(s.count).toBe(distinct.length);
      expect(s.points.map((p) => p.t)).toEqual(distinct.map((p) => p.ts));
      expect(s.points.map((p) => p.values)).toEqual(distinct.map((p) => p.values));
      expect(s.last).toEqual({ ...distinct.at(-1)!, values: distinct.at(-1)!.values.map(asSent) });
    }
    // AAPL: 40 bars and its repeat of bar 10 counted once; MSFT: 40 bars and bar 25 of version 1 once (twice published)
    expect([b.get('AAPL')!.count, b.get('MSFT')!.count, b.get('JPM')!.count]).toEqual([40, 41, 40]);
    expect(b.get('JPM')!.points[7].values).toEqual([Number.NaN]);
    expect(predictionSeries(b.get('MSFT')!, 5)).toEqual(
      [0, 1, 2].map((k) =>
        b
          .get('MSFT')!
          .points.slice(-5)
          .map((p) => p.values[k]),
      ),
    );
  });

  it('a message published again counts once; a new version of the bar counts; other types and empty values are not predictions', () => {
    const symbols = fold(live.messages);
    const again = live.messages.find((m) => m.payload.symbol === 'JPM' && m.payload.bar === 3)!;
    onPredictionMessage(symbols, again);
    expect(symbols.get('JPM')!.count).toBe(40);
    expect(symbols.get('JPM')!.last!.bar).toBe(BARS - 1);
    onPredictionMessage(symbols, { ...again, payload: { ...again.payload, version: 3 } });
    expect(symbols.get('JPM')!.count).toBe(41);
    expect(symbols.get('JPM')!.last!.version).toBe(3);
    expect(onPredictionMessage(symbols, { type: 'BAR', key: 'JPM', payload: again.payload })).toBeUndefined();
    expect(onPredictionMessage(symbols, { type: 'ML_PREDICTION', key: 'JPM', payload: { ...again.payload, values: [] } })).toBeUndefined();
    expect(onPredictionMessage(symbols, { type: 'ML_PREDICTION', key: 'X', payload: null })).toBeUndefined();
    // the points stay capped
    const capped = new Map<string, PagePredicted>();
    for (let bar = 0; bar < PREDICTION_CAPS.points + 10; bar++)
      onPredictionMessage(capped, { type: 'ML_PREDICTION', payload: prediction('A', bar, 1) });
    expect(capped.get('A')!.points).toHaveLength(PREDICTION_CAPS.points);
    expect(capped.get('A')!.count).toBe(PREDICTION_CAPS.points + 10);
  });

  it('the rows: the largest prediction first, then by symbol; the VPIN beside it; a multiclass row its largest class', () => {
    const symbols = fold(live.messages);
    const vpin: Record<string, number> = { AAPL: 0.31, MSFT: 0.62 };
    const rows = predictionRows(symbols, (s) => vpin[s] ?? Number.NaN);
    const last = (symbol: string) => published.filter((p) => p.symbol === symbol).at(-1)!;
    const top = (values: number[]) => values.indexOf(Math.max(...values));
    const want = ['AAPL', 'MSFT', 'JPM'].map((symbol) => {
      const v = last(symbol).values;
      return { symbol, value: v.length > 1 ? Math.max(...v) : v[0], cls: v.length > 1 ? top(v) : undefined };
    });
    want.sort((x, y) => y.value - x.value || x.symbol.localeCompare(y.symbol));
    expect(rows.map((r) => ({ symbol: r.symbol, value: r.value, cls: r.cls }))).toEqual(want);
    const msft = rows.find((r) => r.symbol === 'MSFT')!;
    expect(msft).toMatchObject({ classes: 3, model: 'regime.txt', version: '2', ts: T0 + 60_000 * (BARS - 1), count: 41, vpin: 0.62 });
    expect(predictionText(msft)).toBe(`class ${msft.cls}: ${msft.value.toFixed(3)}`);
    expect(rows.find((r) => r.symbol === 'JPM')!.vpin).toBeNaN();
    // ties and NaN: a NaN prediction last, equal ones by symbol
    const tie = new Map<string, PagePredicted>();
    for (const [symbol, values] of [
      ['B', [0.5]],
      ['C', [null]],
      ['A', [0.5]],
      ['D', [0.2, 0.7, 0.1]],
    ] as const)
      onPredictionMessage(tie, { type: 'ML_PREDICTION', payload: { symbol, ts: T0, bar: 1, model: 'm', version: 1, values } });
    expect(predictionRows(tie).map((r) => [r.symbol, r.value, r.cls])).toEqual([
      ['D', 0.7, 1],
      ['A', 0.5, undefined],
      ['B', 0.5, undefined],
      ['C', Number.NaN, undefined],
    ]);
    expect(predictionRows(tie).map(predictionText)).toEqual(['class 1: 0.700', '0.5000', '0.5000', '-']);
    expect(topPrediction([null, 0.4, null])).toEqual({ value: 0.4, cls: 1 });
  });

  it('the page inlines web/predictions.js at its marker, with the panel', async () => {
    const html = await (await fetch(gateway.url)).text();
    expect(html).toContain('export function onPredictionMessage(symbols, m, caps = PREDICTION_CAPS)');
    expect(html).not.toContain(PREDICTIONS_MARKER);
    expect(html).toContain('id="predictions-panel"');
  });
});
