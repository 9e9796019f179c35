/**
 * The ML engine (issue 91, docs/ml.md "The ML engine"; target: <= 1 ms p99 from FEATURES_UPDATE to
 * ML_PREDICTION at 100 symbols): an MlEngine serving examples/model.txt on the in-process bus, fed what a
 * features engine publishes when SYMBOLS symbols close a bar together: each symbol's BAR and
 * FEATURES_UPDATE (rsi and macd among its indicators) published in one turn, bar after bar, the next bar
 * once the last one's predictions are all in. Timed per symbol and bar: from its FEATURES_UPDATE handed
 * to publish() to its ML_PREDICTION received by a subscriber on the same bus; p50 and p99 over BARS bars x
 * SYMBOLS symbols, in ROUNDS rounds that run each subject in turn (a fresh bus and engine each, WARM bars
 * before the timed ones), so that the machine's load weighs on all alike. Subjects:
 *
 * - the model on the native backend, and on the reference (JavaScript: the baseline of the ratios);
 * - `bus alone`: the same messages through an engine that answers each FEATURES_UPDATE at once with an
 *   ML_PREDICTION of the same size (no join, no row, no model): what the bus and the engine base cost
 *   (two hops, 300 messages encoded and decoded a bar). The ML engine's own part is the difference;
 * - the same with plain msgpack bodies (`createBus({ localBodies: false })`): what the in-process bus's
 *   msgpack records save (docs/bus.md);
 * - the model's call on each batch of SYMBOLS rows (the engine's `kernelbus_engine_ml_inference_seconds`).
 */
import type { BackendChoice } from '../src/api/kernels.js';
import { type BusMessage, createBus } from '../src/bus/index.js';
import { Engine, MlEngine, type MlPrediction } from '../src/engines/index.js';
import { type BenchRow, type BenchSection, median, prng } from './lib.js';

const SECTION = 'ml-engine';
const MODEL = 'examples/model.txt';
const SYMBOLS = 100;
const BARS = 2_000;
const ROUNDS = 4;
const WARM = 100;
const T0 = Date.UTC(2026, 0, 5, 14, 30);
const TARGET_MS = 1;

const fmt = (n: number) => n.toLocaleString('en-US');
const quantile = (xs: Float64Array, q: number) => {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** The bus and the engine base alone: each FEATURES_UPDATE answered at once by its ML_PREDICTION. */
class EchoEngine extends Engine {
  protected readonly inputs = ['FEATURES_UPDATE', 'BAR'];
  protected get keyCount(): number {
    return 0;
  }
  protected process(m: BusMessage): void {
    if (m.type !== 'FEATURES_UPDATE') return;
    const { bar, ts } = m.payload as { bar: number; ts: number };
    const payload: MlPrediction = { symbol: m.key, ts, bar, model: 'echo', version: '000000000000', values: [0.5] };
    this.emit('ML_PREDICTION', { key: m.key, ts, payload });
  }
}

interface Run {
  /** ms from each FEATURES_UPDATE published to its ML_PREDICTION received, after the warm-up. */
  latencies: Float64Array;
  /** The model's call on a batch (ms; MlEngine only). */
  inference?: { p50: number; p99: number; batches: number };
}

/** WARM + `bars` bars of SYMBOLS symbols through `subject`'s engine. */
async function run(subject: BackendChoice | 'echo' | 'echo-plain', bars: number, seed: number): Promise<Run> {
  const total = WARM + bars;
  const rnd = prng(seed);
  const bus = createBus({ localBodies: subject !== 'echo-plain' });
  const engine =
    subject === 'echo' || subject === 'echo-plain'
      ? new EchoEngine(bus, { name: 'echo', heartbeatMs: 0 }).start()
      : new MlEngine(bus, { model: MODEL, load: { backend: subject }, heartbeatMs: 0 }).start();
  await engine.ready();
  const close = Array.from({ length: SYMBOLS }, () => 100 + 100 * rnd());
  const published = new Float64Array(SYMBOLS);
  const latencies = new Float64Array(bars * SYMBOLS);
  let n = 0;
  let received = 0;
  let done: () => void = () => undefined;
  bus.subscribe<MlPrediction>('ML_PREDICTION', (m) => {
    const p = m.payload;
    if (p.bar >= WARM) latencies[n++] = performance.now() - published[Number(p.symbol.slice(1))];
    if (++received === SYMBOLS) done();
  });
  for (let bar = 0; bar < total; bar++) {
    received = 0;
    const all = new Promise<void>((resolve) => (done = resolve));
    const ts = T0 + bar * 60_000;
    for (let s = 0; s < SYMBOLS; s++) {
      const open = close[s];
      close[s] *= 1 + 0.004 * (rnd() - 0.5);
      const volume = 1000 + Math.round(4000 * rnd());
      const payload = {
        bar,
        ts,
        tickNum: 10 * (bar + 1),
        open,
        high: Math.max(open, close[s]) * (1 + 0.001 * rnd()),
        low: Math.min(open, close[s]) * (1 - 0.001 * rnd()),
        close: close[s],
        volume,
        buyVolume: Math.round(volume * rnd()),
        ticks: 10,
        dollarValue: volume * close[s],
      };
      void bus.publish('BAR', { key: `S${s}`, ts, payload });
      const macd = rnd() - 0.5;
      const signal = rnd() - 0.5;
      const update = {
        source: 'features',
        engine: 'features',
        bar,
        ts,
        day: '2026-01-05',
        dayTrades: 10 * (bar + 1),
        realizedVariance: 1e-4 * rnd(),
        realizedVolatility: 0.01 * rnd(),
        bipowerVariation: 1e-4 * rnd(),
        estimators: { rollMeasure: 0.01 * rnd(), kyleLambda: 1e-6 * rnd() },
        indicators: { rsi: 30 + 40 * rnd(), macd, macd_signal: signal, macd_hist: macd - signal },
      };
      published[s] = performance.now();
      void bus.publish('FEATURES_UPDATE', { key: `S${s}`, ts, payload: update });
    }
    await all;
  }
  await engine.close();
  await bus.close();
  if (n !== latencies.length)
    throw new Error(`bench ml-engine: ${fmt(n)} predictions timed of ${fmt(latencies.length)}: not the run it means`);
  if (!(engine instanceof MlEngine)) return { latencies };
  const m = engine.metrics().extra;
  if (m.predictions !== total * SYMBOLS || m.batches !== total) {
    throw new Error(
      `bench ml-engine: ${fmt(m.predictions)} predictions in ${fmt(m.batches)} batches: not one batch of ${SYMBOLS} rows a bar`,
    );
  }
  const { inferenceMs } = engine.batchStats();
  return { latencies, inference: { p50: inferenceMs.p50, p99: inferenceMs.p99, batches: m.batches } };
}

export const mlEngineSection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    const runs: Record<'echo' | 'echo-plain' | 'reference' | 'native', Run[]> = { echo: [], 'echo-plain': [], reference: [], native: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const subject of ['echo', 'echo-plain', 'reference', 'native'] as const)
        runs[subject].push(await run(subject, BARS / ROUNDS, 91 + round));
    }
    const merged = (rs: Run[]): Required<Run> => ({
      latencies: Float64Array.from(rs.flatMap((r) => [...r.latencies])),
      inference: {
        p50: median(rs.map((r) => r.inference?.p50 ?? Number.NaN)),
        p99: median(rs.map((r) => r.inference?.p99 ?? Number.NaN)),
        batches: rs.reduce((n, r) => n + (r.inference?.batches ?? 0), 0),
      },
    });
    const [echo, plain, reference, native] = [merged(runs.echo), merged(runs['echo-plain']), merged(runs.reference), merged(runs.native)];
    const what = `${SYMBOLS} symbols closing a bar together, ${MODEL} (100 trees, 12 features)`;
    const timed = `in-process bus, ${fmt(BARS)} bars x ${SYMBOLS} symbols in ${ROUNDS} rounds, each after ${fmt(WARM)}`;
    for (const [q, label] of [
      [0.5, 'p50'],
      [0.99, 'p99'],
    ] as const) {
      const bus = quantile(echo.latencies, q);
      const baseline = quantile(reference.latencies, q);
      const kase = `MlEngine, FEATURES_UPDATE published to its ML_PREDICTION received, ${label}: ${what}`;
      for (const [subject, r] of [
        ['native', native],
        ['reference', reference],
      ] as const) {
        const value = quantile(r.latencies, q);
        const own = value - bus;
        rows.push({
          section: SECTION,
          case: kase,
          subject,
          value,
          unit: 'ms',
          ratio: baseline / value,
          baseline: 'reference',
          note:
            `${timed}, one batch of ${SYMBOLS} rows a bar; the bus alone ${bus.toFixed(3)} ms, the engine's own part ${own > 0 ? `${own.toFixed(3)} ms` : 'within its noise'}` +
            (label === 'p99'
              ? `; target <= ${TARGET_MS} ms: ${value <= TARGET_MS ? 'met' : 'not met'} (the engine's own part: ${own <= TARGET_MS ? 'met' : 'not met'})`
              : ''),
        });
      }
      const busCase = `${kase.replace('MlEngine', 'the bus alone (an engine answering each FEATURES_UPDATE at once)')}`;
      const plainBus = quantile(plain.latencies, q);
      rows.push(
        {
          section: SECTION,
          case: busCase,
          subject: 'bus',
          value: bus,
          unit: 'ms',
          ratio: plainBus / bus,
          baseline: 'plain bodies',
          note: `${timed}: the same BAR and FEATURES_UPDATE messages, an ML_PREDICTION of the same size each, no join, row or model; message bodies as msgpack records kept in the process (the default in process)`,
        },
        {
          section: SECTION,
          case: busCase,
          subject: 'bus, plain bodies',
          value: plainBus,
          unit: 'ms',
          note: `the same, createBus({ localBodies: false }): plain msgpack maps, as on a wire; rounds interleaved with the others`,
        },
      );
      for (const [subject, r] of [
        ['native', native],
        ['reference', reference],
      ] as const) {
        const value = label === 'p50' ? r.inference.p50 : r.inference.p99;
        rows.push({
          section: SECTION,
          case: `MlEngine, the model's call on a batch of ${SYMBOLS} rows, ${label}: ${MODEL}`,
          subject,
          value,
          unit: 'ms',
          ratio: (label === 'p50' ? reference.inference.p50 : reference.inference.p99) / value,
          baseline: 'reference',
          note: `${fmt(r.inference.batches)} batches, the median of the rounds' (the engine's histogram: at most 6.25% above the true figure)`,
        });
      }
    }
    return rows;
  },
};
