/**
 * Replay (issue 38): recorded tapes through the bus, side by side with the synthetic feed in one run.
 * - in-process: replay() of an 8-symbol tape of 10^7 trades from Parquet (read included) into the bus
 *   with the demo's engines attached (VPIN, risk, portfolio, factor: the trades reach the VPIN engine),
 *   against publishMarket() of the synthetic market's 10^7 trades into the same engines; target >= 5 M
 *   trades/s; beside them `kernelbus demo --file` end to end (its bars feed every engine);
 * - over one redis-server into two `kernelbus engine vpin` processes of one group: `kernelbus feed
 *   --file` of the tape, from the feed's start until the group consumed everything, against `kernelbus
 *   feed` of the synthetic market over the same Redis; target >= 2 M trades/s and >= 0.8x synthetic;
 * - `--speed 10` on 60 s of tape (20,000 trades a second of tape) into a VPIN engine: the wall time
 *   (target 6 s +- 5 %) and the publish-to-VPIN p99, against the synthetic market at the same rate
 *   (target <= 2x).
 * Sizes: KERNELBUS_BENCH_REPLAY_ROWS (default 10^7), KERNELBUS_BENCH_REPLAY_REDIS_ROWS (default 4 * 10^6).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createBus, type Bus } from '../src/bus/index.js';
import { publishMarket, SyntheticMarket } from '../src/replay/synthetic-market.js';
import { FactorEngine, PortfolioEngine, RiskEngine, VpinEngine } from '../src/engines/index.js';
import { writeTable, type Table } from '../src/io/index.js';
import type { VpinOptions } from '../src/index.js';
import { replay } from '../src/replay/index.js';
import { findRedisServer, RedisServer } from '../tools/redis-server.js';
import { ensureDist, ROOT, runCli } from './io-child.js';
import { countLabel, writeOnce } from './io-data.js';
import { tape, type BenchRow, type BenchSection } from './lib.js';

const SECTION = 'replay';
const ROWS = Number(process.env.KERNELBUS_BENCH_REPLAY_ROWS ?? 10_000_000);
const REDIS_ROWS = Number(process.env.KERNELBUS_BENCH_REPLAY_REDIS_ROWS ?? 4_000_000);
const SYMBOLS = 8;
const T0 = 1_790_000_000_000;
/** The engines' VPIN: 1 s bars, buckets of 50,000 (volumes average 100). */
const VPIN: VpinOptions = { bucketVolume: 50_000, window: 50, barMs: 1000, sigma: { ewma: 0.94 } };
/** The paced run: 60 s of tape, 20,000 trades a second of it, at speed 10. */
const PACE = { seconds: 60, perSecond: 20_000, speed: 10 };

/** An 8-symbol tape of `n` trades, `n / span` per ms of tape (bench/lib.ts's walk), as a Table. */
function tapeTable(n: number, spanMs: number): Table {
  const t = tape(n, 38, SYMBOLS);
  const ts = Float64Array.from({ length: n }, (_, i) => T0 + Math.floor((i * spanMs) / n));
  const codes = Int32Array.from(t.symbol);
  return {
    rows: n,
    names: ['ts', 'symbol', 'price', 'volume'],
    columns: { ts, symbol: { codes, values: Array.from({ length: SYMBOLS }, (_, i) => `SYM${i}`) }, price: t.price, volume: t.volume },
    types: { ts: 'time', symbol: 'text', price: 'number', volume: 'number' },
  };
}

/** The tape of `n` trades over a trading day (6.5 h) as a cached Parquet file. */
const tapeParquet = (n: number) => writeOnce(`replay-tape-${countLabel(n)}.parquet`, (path) => writeTable(path, tapeTable(n, 23_400_000)));

/** The demo's engines on `bus`: VPIN, risk, portfolio (a minimum-variance book) and factor; close() them all. */
function demoEngines(bus: Bus): { close(): Promise<void> } {
  const engines = [
    new VpinEngine(bus, { vpin: VPIN, heartbeatMs: 0 }),
    new RiskEngine(bus, { heartbeatMs: 0 }),
    new PortfolioEngine(bus, { heartbeatMs: 0, portfolios: [{ id: 'mv', optimizer: 'min-variance', universe: 'market', every: 20 }] }),
    new FactorEngine(bus, { heartbeatMs: 0 }),
  ].map((e) => e.start());
  return { close: async () => void (await Promise.all(engines.map((e) => e.close()))) };
}

/** Trades/s of `publish` into a bus with the demo's engines, from the call until everything was processed. */
async function inProcess(publish: (bus: Bus) => Promise<number>): Promise<number> {
  const bus = createBus();
  const engines = demoEngines(bus);
  const t0 = performance.now();
  const trades = await publish(bus);
  await bus.drain();
  const ms = performance.now() - t0;
  await engines.close();
  await bus.close();
  return (trades * 1000) / ms;
}

/** replay() of the Parquet tape (read included). */
const inProcessReplay = (path: string) => inProcess(async (bus) => (await replay(bus, path)).trades);

/** publishMarket() of `n` synthetic trades as fast as it goes. */
const inProcessSynthetic = (n: number) =>
  inProcess(async (bus) => {
    const market = new SyntheticMarket({ symbols: SYMBOLS, seed: 38 });
    return (await publishMarket(bus, market, { rate: 1e9, seconds: 3600, count: n, stopped: () => false })).sent;
  });

/** A paced run into a VPIN engine: its wall ms and the engine's publish-to-VPIN p99 (ms). */
async function paced(publish: (bus: ReturnType<typeof createBus>) => Promise<unknown>): Promise<{ ms: number; p99: number }> {
  const bus = createBus();
  const engine = new VpinEngine(bus, { vpin: VPIN, heartbeatMs: 0 }).start();
  const t0 = performance.now();
  await publish(bus);
  const ms = performance.now() - t0;
  await bus.drain();
  const p99 = engine.metrics().latencyMs.p99;
  await engine.close();
  await bus.close();
  return { ms, p99 };
}

/** `kernelbus <args>` from dist/, running in the background (stopped by PID). */
function background(args: string[]): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'bin/kernelbus.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves once `child` printed a line matching `pattern`. */
function printed(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const on = (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) resolve();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${pattern}: ${text.slice(-500)}`)));
  });
}

/** Feeds over Redis into two fresh engine processes of group vpin; trades/s from the feed's start until consumed. */
async function overRedis(url: string, feedArgs: string[]): Promise<{ rate: number; json: Record<string, number> }> {
  const redis = new Redis(url);
  await redis.flushall();
  redis.disconnect();
  const engines = ['A', 'B'].map((c) =>
    background(['engine', 'vpin', '--redis', url, '--consumer', c, '--bucket-volume', '50000', '--bar-ms', '1000']),
  );
  try {
    await Promise.all(engines.map((e) => printed(e, /^ready: /m)));
    const run = runCli(['feed', '--redis', url, ...feedArgs, '--json']);
    const json = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as Record<string, number>;
    if (!(json.consumedMs >= 0)) throw new Error(`the engines did not consume the feed: ${run.stdout}`);
    return { rate: (json.trades * 1000) / (json.storedMs + json.consumedMs), json };
  } finally {
    for (const e of engines) if (e.pid !== undefined && e.exitCode === null) process.kill(e.pid, 'SIGTERM');
    await Promise.all(engines.map((e) => (e.exitCode === null ? new Promise((r) => e.once('exit', r)) : undefined)));
  }
}

export const replaySection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    const add = (c: string, subject: string, value: number, unit: string, note?: string, baseline?: number) =>
      rows.push({
        section: SECTION,
        case: c,
        subject,
        value,
        unit,
        ...(baseline ? { ratio: value / baseline, baseline: 'synthetic feed' } : {}),
        ...(note ? { note } : {}),
      });
    rows.push({
      section: SECTION,
      case: 'machine load (1-minute average at the start)',
      subject: 'os.loadavg',
      value: loadavg()[0],
      unit: '',
    });

    // in-process: the median of 3 of each, interleaved
    const big = await tapeParquet(ROWS);
    const label = `${countLabel(ROWS)} trades of ${SYMBOLS} symbols`;
    const tapeRates: number[] = [];
    const synthRates: number[] = [];
    for (let i = 0; i < 3; i++) {
      tapeRates.push(await inProcessReplay(big));
      synthRates.push(await inProcessSynthetic(ROWS));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    const synthetic = med(synthRates);
    const c1 = `in-process, ${label} into the demo's engines (trades/s)`;
    add(
      c1,
      'synthetic feed',
      synthetic,
      'trades/s',
      `publishMarket() as fast as it goes; runs ${synthRates.map((x) => (x / 1e6).toFixed(2)).join(', ')} M`,
    );
    add(
      c1,
      'replay() from Parquet',
      med(tapeRates),
      'trades/s',
      `read included; target >= 5 M/s; runs ${tapeRates.map((x) => (x / 1e6).toFixed(2)).join(', ')} M`,
      synthetic,
    );
    ensureDist();
    const demo = runCli(['demo', '--file', big, '--json']);
    add(
      c1,
      'kernelbus demo --file (every engine, end to end)',
      (ROWS * 1000) / demo.ms,
      'trades/s',
      `process start to exit, ${(demo.ms / 1000).toFixed(1)} s; bars of the risk and factor engines included`,
      synthetic,
    );

    // over Redis into two engine processes
    if (findRedisServer()) {
      const server = await RedisServer.start();
      try {
        const url = server.url();
        const file = await tapeParquet(REDIS_ROWS);
        const synth = await overRedis(url, [
          '--symbols',
          String(SYMBOLS),
          '--rate',
          '100000000',
          '--seconds',
          '3600',
          '--count',
          String(REDIS_ROWS),
        ]);
        const rep = await overRedis(url, ['--file', file]);
        const c2 = `over one Redis, ${countLabel(REDIS_ROWS)} trades into two engine vpin processes (trades/s)`;
        add(
          c2,
          'synthetic feed',
          synth.rate,
          'trades/s',
          `kernelbus feed, start to consumed; published in ${(synth.json.ms / 1000).toFixed(2)} s`,
        );
        add(
          c2,
          'feed --file (Parquet)',
          rep.rate,
          'trades/s',
          `start to consumed, read included; target >= 2 M/s and >= 0.8x synthetic; published in ${(rep.json.ms / 1000).toFixed(2)} s`,
          synth.rate,
        );
      } finally {
        await server.stop();
      }
    } else
      rows.push({ section: SECTION, case: 'over one Redis', subject: 'n/a', value: Number.NaN, unit: '', note: 'redis-server not found' });

    // paced: 60 s of tape at speed 10 against the synthetic market at the same rate
    const n = PACE.seconds * PACE.perSecond;
    const t = tapeTable(n, PACE.seconds * 1000);
    const source = {
      trades: { ts: t.columns.ts as Float64Array, price: t.columns.price as Float64Array, volume: t.columns.volume as Float64Array },
      symbols: t.columns.symbol as { codes: Int32Array; values: string[] },
    };
    const rate = PACE.perSecond * PACE.speed;
    const wallS = PACE.seconds / PACE.speed;
    const tapeRun = await paced((bus) => replay(bus, source, { speed: PACE.speed }));
    const synthRun = await paced((bus) =>
      publishMarket(bus, new SyntheticMarket({ symbols: SYMBOLS, seed: 5 }), { rate, seconds: wallS, stopped: () => false }),
    );
    const c3 = `speed ${PACE.speed}: ${PACE.seconds} s of tape (${n.toLocaleString('en-US')} trades) at ${rate.toLocaleString('en-US')} trades/s`;
    add(
      c3,
      'replay() wall time',
      tapeRun.ms / 1000,
      's',
      `target ${wallS} s +- 5 % (${((tapeRun.ms / 1000 / wallS - 1) * 100).toFixed(1)} %)`,
    );
    add(
      `${c3}, publish-to-VPIN p99 (ms)`,
      'synthetic feed',
      synthRun.p99,
      'ms',
      `publishMarket() at ${rate.toLocaleString('en-US')} msg/s for ${wallS} s`,
    );
    add(`${c3}, publish-to-VPIN p99 (ms)`, 'replay()', tapeRun.p99, 'ms', 'target <= 2x synthetic', synthRun.p99);
    return rows;
  },
};
