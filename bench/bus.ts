/**
 * Bus: end-to-end in-process throughput (single trade messages published -> batcher -> VPIN engine ->
 * kernel) and publish-to-VPIN-update latency at fixed rates, side by side with a naive bus written
 * here (JSON per message, one handler call and one kernel call per message) and with the figures the
 * original system reported. Run alone with `npx tsx bench/bus.ts`.
 */
import { pathToFileURL } from 'node:url';
import { createBus, Histogram, nowMs, type BusMessage, type HistogramSnapshot } from '../src/bus/index.js';
import { FeaturesEngine, VpinEngine, type FeatureBars } from '../src/engines/index.js';
import { kernels, type VpinOptions, type VpinStream } from '../src/index.js';
import { tape, withRatios, type BenchRow, type BenchSection, type Tape } from './lib.js';

const SYMBOLS = 100;
const KEYS = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
/** 10 ms bars; trades arrive as if at 3M msg/s over 100 symbols: ~300 trades per bar per symbol. */
const TICK_MS = 1000 / 3_000_000;
const VPIN: VpinOptions = { bucketVolume: 30_000, window: 50, barMs: 10, sigma: { ewma: 0.94 } };

/** What every bus under test offers the benchmark. */
interface Pipeline {
  publish(key: string, ts: number, price: number, volume: number): Promise<void>;
  /** Resolves once every published trade has updated its symbol's VPIN. */
  drain(): Promise<void>;
  /** Publish-to-VPIN-update latency of the trades processed since creation or the last reset. */
  latency: Histogram;
  close(): Promise<void>;
}

/** A VpinEngine that also times publish -> VPIN update into a histogram the bench can reset. */
class TimedVpinEngine extends VpinEngine {
  readonly timing = new Histogram();
  protected override process(message: BusMessage): void {
    super.process(message);
    this.timing.record(nowMs() - message.sentAt, message.count);
  }
}

/** The features engine's bars here: as many trades as VPIN's 10 ms bars hold (the tape's times span under a second). */
const FEATURE_BARS: FeatureBars = { by: 'tick', threshold: 300 };

/** A FeaturesEngine (every estimator, RSI and MACD) timed as TimedVpinEngine. */
class TimedFeaturesEngine extends FeaturesEngine {
  readonly timing = new Histogram();
  protected override process(message: BusMessage): void {
    super.process(message);
    this.timing.record(nowMs() - message.sentAt, message.count);
  }
}

/** kernelbus: the bus (memory transports, default batching) and an engine (VpinEngine, or FeaturesEngine) on the auto backend. */
function kernelbus(kind: 'vpin' | 'features' | 'none' = 'vpin'): Pipeline {
  const bus = createBus();
  const engine =
    kind === 'vpin'
      ? new TimedVpinEngine(bus, { vpin: VPIN, heartbeatMs: 0 }).start()
      : kind === 'features'
        ? new TimedFeaturesEngine(bus, { bars: FEATURE_BARS, indicators: 'rsi,macd', heartbeatMs: 0 }).start()
        : undefined;
  const latency = engine?.timing ?? new Histogram();
  if (!engine) bus.subscribe('TRADE_EXECUTION', (m) => latency.record(nowMs() - m.sentAt, m.count));
  return {
    publish: (key, ts, price, volume) => bus.publish('TRADE_EXECUTION', { key, ts, price, volume }),
    drain: () => bus.drain(),
    latency,
    close: async () => {
      await engine?.close();
      await bus.close();
    },
  };
}

/**
 * The naive baseline: each message is JSON-encoded on publish, queued, JSON-decoded on delivery at the
 * end of the turn, and handed to the handler one by one; the handler feeds the symbol's VPIN stream
 * one trade at a time.
 */
function naive(): Pipeline {
  const queue: string[] = [];
  const streams = new Map<string, VpinStream>();
  const k = kernels({ backend: 'auto' });
  const latency = new Histogram();
  let scheduled = false;
  let idle: (() => void)[] = [];
  const handler = (m: { key: string; ts: number; price: number; volume: number; sentAt: number }) => {
    let stream = streams.get(m.key);
    if (!stream) streams.set(m.key, (stream = k.vpinStream(VPIN)));
    stream.update({ ts: Float64Array.of(m.ts), price: Float64Array.of(m.price), volume: Float64Array.of(m.volume) });
    latency.record(nowMs() - m.sentAt);
  };
  const deliver = () => {
    scheduled = false;
    for (const text of queue.splice(0)) handler(JSON.parse(text));
    for (const resolve of idle.splice(0)) resolve();
  };
  return {
    publish(key, ts, price, volume) {
      queue.push(JSON.stringify({ type: 'TRADE_EXECUTION', key, ts, price, volume, sentAt: nowMs() }));
      if (!scheduled) {
        scheduled = true;
        setImmediate(deliver);
      }
      return Promise.resolve();
    },
    drain: () => (queue.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
    latency,
    close: async () => {
      idle = [];
    },
  };
}

/** Publishes `n` trades of the tape as fast as the pipeline takes them (awaiting each) and drains: msg/s. */
async function throughput(make: () => Pipeline, data: Tape, n: number): Promise<number> {
  const p = make();
  const t0 = 1_700_000_000_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) await p.publish(KEYS[data.symbol[i]], t0 + i * TICK_MS, data.price[i], data.volume[i]);
  await p.drain();
  const seconds = (performance.now() - start) / 1000;
  await p.close();
  return n / seconds;
}

/**
 * Publishes at `rate` msg/s: each event-loop turn publishes the trades due by now (stamped now), like a
 * feed handler. The first `warmupS` seconds are not measured (new streams, first calls); returns the
 * publish-to-VPIN-update latency of the next `seconds`.
 */
async function atRate(
  make: () => Pipeline,
  data: Tape,
  rate: number,
  seconds: number,
  warmupS = 0.3,
): Promise<HistogramSnapshot & { achieved: number }> {
  const p = make();
  const perTurn = Math.max(1, Math.ceil(rate / 100));
  let start = performance.now();
  let sent = 0;
  let total = 0;
  let warm = false;
  for (;;) {
    const elapsed = performance.now() - start;
    if (!warm && elapsed >= warmupS * 1000) {
      await p.drain();
      p.latency.reset();
      warm = true;
      start = performance.now();
      sent = 0;
      continue;
    }
    if (warm && elapsed >= seconds * 1000) break;
    const due = Math.min(Math.floor((rate * elapsed) / 1000) - sent, perTurn);
    const ts = nowMs();
    for (let i = 0; i < due; i++) {
      const j = total++ % data.symbol.length;
      await p.publish(KEYS[data.symbol[j]], ts, data.price[j], data.volume[j]);
    }
    sent += Math.max(0, due);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const achieved = sent / ((performance.now() - start) / 1000);
  await p.drain();
  const latency = p.latency.snapshot();
  await p.close();
  return { ...latency, achieved };
}

const fmtRate = (r: number) => (r >= 1e6 ? `${r / 1e6}M` : r >= 1e3 ? `${Math.round(r / 100) / 10}k` : String(r)).replace('.0k', 'k');

/** The 'bus' section of `npm run bench` (about 16 s). */
export const busSection: BenchSection = {
  name: 'bus',
  async run() {
    const rows: BenchRow[] = [];
    const add = (c: string, subject: string, value: number, unit: string, note?: string) =>
      rows.push({ section: 'bus', case: c, subject, value, unit, ...(note ? { note } : {}) });
    const data = tape(2_000_000, 7, SYMBOLS);

    // Throughput: warm up once, then the best of two runs.
    await throughput(() => kernelbus(), data, 200_000);
    const e2e = Math.max(await throughput(() => kernelbus(), data, 2_000_000), await throughput(() => kernelbus(), data, 2_000_000));
    const busOnly = await throughput(() => kernelbus('none'), data, 2_000_000);
    await throughput(naive, data, 20_000);
    const naiveRate = await throughput(naive, data, 200_000);
    const tp = 'throughput, single trades end to end (msg/s)';
    add(tp, 'kernelbus', e2e, 'msg/s', 'bus + VpinEngine (auto backend), one core; target >= 3,000,000');
    add(tp, 'naive', naiveRate, 'msg/s', 'JSON per message, one handler and kernel call per message');
    add(tp, 'reported', 6680, 'msg/s', 'original: two Redis buses, 0.43 ms mean latency');
    add('throughput, bus only, no engine (msg/s)', 'kernelbus', busOnly, 'msg/s');
    add('throughput vs original stress test (msg/s)', 'kernelbus', e2e, 'msg/s');
    add('throughput vs original stress test (msg/s)', 'reported', 14822, 'msg/s', 'original stress test');
    add('throughput vs original goal (msg/s)', 'kernelbus', e2e, 'msg/s');
    add('throughput vs original goal (msg/s)', 'reported', 25000, 'msg/s', 'original goal (aspiration 1,000,000)');

    // Latency at fixed rates, 2 s each (the naive bus where it keeps up).
    for (const rate of [6680, 100_000, 1_000_000]) {
      const mine = await atRate(() => kernelbus(), data, rate, 2);
      const theirs = rate <= 100_000 ? await atRate(naive, data, rate, 2) : undefined;
      const at = `@ ${fmtRate(rate)} msg/s`;
      const note = (h: { achieved: number }) => `achieved ${Math.round(h.achieved).toLocaleString('en-US')} msg/s`;
      add(`latency p50 ${at} (ms)`, 'kernelbus', mine.p50, 'ms', note(mine));
      add(`latency p99 ${at} (ms)`, 'kernelbus', mine.p99, 'ms', rate === 100_000 ? `target <= 1 ms; ${note(mine)}` : note(mine));
      add(`latency mean ${at} (ms)`, 'kernelbus', mine.mean, 'ms', note(mine));
      if (theirs) {
        add(`latency p50 ${at} (ms)`, 'naive', theirs.p50, 'ms', note(theirs));
        add(`latency p99 ${at} (ms)`, 'naive', theirs.p99, 'ms', note(theirs));
        add(`latency mean ${at} (ms)`, 'naive', theirs.mean, 'ms', note(theirs));
      }
      if (rate === 6680) add(`latency mean ${at} (ms)`, 'reported', 0.43, 'ms', 'original: mean over two Redis buses');
      if (rate === 100_000) add(`latency mean ${at} (ms)`, 'reported', 0.2, 'ms', 'original goal: < 0.2 ms');
    }

    // The features engine beside the VPIN engine on the same feed (issue 55: it keeps up at the
    // synthetic feed's full rate, p99 <= 2x the VPIN engine's); rounds alternate.
    const engines = ['features', 'vpin'] as const;
    const fx: Record<string, number[]> = {};
    for (let round = 0; round < 3; round++) {
      for (const kind of engines) {
        (fx[`tp ${kind}`] ??= []).push(await throughput(() => kernelbus(kind), data, 1_000_000));
        for (const rate of [200_000, 1_000_000]) {
          const h = await atRate(() => kernelbus(kind), data, rate, 1.5);
          (fx[`p99 ${rate} ${kind}`] ??= []).push(h.p99);
          (fx[`ach ${rate} ${kind}`] ??= []).push(h.achieved);
        }
      }
    }
    const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
    const featureRows: BenchRow[] = [];
    const addF = (c: string, subject: string, value: number, unit: string, note?: string) =>
      featureRows.push({ section: 'bus', case: c, subject, value, unit, ...(note ? { note } : {}) });
    for (const kind of engines) {
      const note =
        kind === 'features' ? `FeaturesEngine: tick bars of 300 trades, 10 estimators, RSI and MACD; medians of 3 rounds` : undefined;
      addF('engine throughput, single trades end to end (msg/s)', `${kind} engine`, median(fx[`tp ${kind}`]), 'msg/s', note);
      for (const rate of [200_000, 1_000_000]) {
        const achieved = `achieved ${Math.round(median(fx[`ach ${rate} ${kind}`])).toLocaleString('en-US')} msg/s`;
        const target = kind === 'features' && rate === 200_000 ? 'target <= 2x the VPIN engine (the demo feed rate); ' : '';
        addF(
          `engine latency p99 @ ${fmtRate(rate)} msg/s (ms)`,
          `${kind} engine`,
          median(fx[`p99 ${rate} ${kind}`]),
          'ms',
          `${target}${achieved}`,
        );
      }
    }
    withRatios(featureRows, 'vpin engine');

    // Ratios to the original's figures where the case has them, else to the naive bus.
    const withReported = new Set(rows.filter((r) => r.subject === 'reported').map((r) => r.case));
    withRatios(
      rows.filter((r) => withReported.has(r.case)),
      'reported',
    );
    withRatios(
      rows.filter((r) => !withReported.has(r.case)),
      'naive',
    );
    return [...rows, ...featureRows];
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await busSection.run();
  console.table(
    rows.map((r) => ({
      case: r.case,
      subject: r.subject,
      value: +r.value.toPrecision(4),
      unit: r.unit,
      ratio: r.ratio?.toFixed(2) ?? '',
      note: r.note ?? '',
    })),
  );
}
