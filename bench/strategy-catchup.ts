/**
 * What the strategy engine's input costs it, apart from the scheduling of a live run: `kernelbus feed
 * --file` records the tape into Redis at the live rate (no engine reading, so nothing competes with it
 * and its frames are as small as that rate makes them), the entries are kept, and `kernelbus engine
 * strategy` then consumes a copy of them: started on empty streams, stopped (SIGSTOP) once ready while
 * the entries are written back under their ids, resumed, and timed in CPU seconds until its group has
 * acknowledged every entry. Twice: the frames of the feed publishing at every turn of its loop at
 * 200,000 trades/s (`--tick-ms 0`: about 2 trades a frame) and with `feed --linger-ms 20` (about 40),
 * the same trades; from the two, the CPU a frame
 * costs and the CPU a trade costs (engine CPU = frames x a + trades x b). The number behind the live
 * rows' CPU: at 200,000 trades/s, the frames' part is about half (docs/operations.md#few-cores).
 */
import { Redis } from 'ioredis';
import { findRedisServer, RedisServer } from '../tools/redis-server.js';
import type { BenchRow } from './lib.js';
import { median } from './lib.js';
import { cpuSeconds, engineCommand, feedCommand, LIVE_RATE, SHARDS, start, streamEntries } from './strategy-live.js';

/** Engine runs per recording: the median's CPU is the row's. */
const RUNS = 3;

/** The recorded entries of the input streams: per stream, [id, fields] in order. */
type Recording = { stream: string; entries: [string, Buffer[]][] }[];

const streamsOf = () => Array.from({ length: SHARDS }, (_, s) => `kb:{marketdata:${s}}:TRADE_EXECUTION`);

/** Runs `kernelbus feed` of `file` at `rate` into the server (no group reads it) and reads its entries back. */
async function record(
  url: string,
  redis: Redis,
  file: string,
  speed: number,
  feedArgs: string[],
): Promise<{ frames: number; recording: Recording }> {
  await redis.flushall();
  const feed = start(feedCommand(file, url, speed, feedArgs));
  const code = await feed.exited;
  if (code !== 0) throw new Error(`kernelbus feed exited ${code}: ${feed.out().slice(-800)}`);
  const frames = /as ([\d,]+) frames/.exec(feed.out());
  if (!frames) throw new Error(`kernelbus feed: no frame count in ${feed.out().slice(-400)}`);
  const recording: Recording = [];
  for (const stream of streamsOf()) recording.push({ stream, entries: await streamEntries(redis, stream) });
  return { frames: Number(frames[1].replace(/,/g, '')), recording };
}

/** Entries not yet acknowledged by group `strategy` on the input streams (Infinity before it exists). */
async function unacknowledged(redis: Redis): Promise<number> {
  let left = 0;
  for (const stream of streamsOf()) {
    const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    const group = groups.find((g) => g[1] === 'strategy');
    if (!group) return Number.POSITIVE_INFINITY;
    const info = new Map<unknown, unknown>();
    for (let i = 0; i + 1 < group.length; i += 2) info.set(group[i], group[i + 1]);
    left += Number(info.get('lag')) + Number(info.get('pending'));
  }
  return left;
}

/** One engine run over a copy of `recording`: its CPU seconds from the copy's arrival to the last acknowledgement, and its deliveries. */
async function consume(
  url: string,
  redis: Redis,
  recording: Recording,
  strategy: string,
  symbols: readonly string[],
): Promise<{ cpu: number; wall: number; deliveries: number }> {
  await redis.flushall();
  const engine = start([...engineCommand(strategy, ['--symbols', symbols.join(','), '--checkpoint-ms', '0']), '--redis', url]);
  /** Whether the engine is stopped by SIGSTOP now. */
  let paused = false;
  try {
    await engine.ready(/^ready: engine strategy/m);
    // the group on every stream before the entries come (the engine creates them as it starts reading)
    const t0 = performance.now();
    while (!Number.isFinite(await unacknowledged(redis))) {
      if (performance.now() - t0 > 30_000) throw new Error(`kernelbus engine strategy made no group: ${engine.out().slice(-400)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    process.kill(engine.pid!, 'SIGSTOP');
    paused = true;
    for (const { stream, entries } of recording) {
      for (let i = 0; i < entries.length; i += 1000) {
        const pipeline = redis.pipeline();
        for (const [id, fields] of entries.slice(i, i + 1000)) pipeline.xadd(stream, id, ...fields);
        await pipeline.exec();
      }
    }
    const cpu0 = cpuSeconds(engine.pid);
    const at0 = performance.now();
    process.kill(engine.pid!, 'SIGCONT');
    paused = false;
    while ((await unacknowledged(redis)) > 0) {
      if (performance.now() - at0 > 300_000)
        throw new Error(`kernelbus engine strategy did not consume its input in 5 minutes: ${engine.out().slice(-400)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const cpu = cpuSeconds(engine.pid) - cpu0;
    const wall = (performance.now() - at0) / 1000;
    engine.stop();
    await engine.exited;
    const deliveries = /in ([\d,]+) deliveries/.exec(engine.out());
    return { cpu, wall, deliveries: deliveries ? Number(deliveries[1].replace(/,/g, '')) : Number.NaN };
  } finally {
    // a process stopped by SIGSTOP acts on SIGTERM only once continued
    if (paused) process.kill(engine.pid!, 'SIGCONT');
    engine.stop();
  }
}

/**
 * The rows (see the module comment) for the Parquet tape `file` of `rows` trades of `symbols` over
 * `spanMs`, with the strategy file `strategy`; none without a redis-server (said on the console).
 */
export async function catchUpRows(
  section: string,
  file: string,
  rows: number,
  spanMs: number,
  strategy: string,
  symbols: readonly string[],
  label: string,
): Promise<BenchRow[]> {
  if (!findRedisServer()) {
    console.log('strategy: the catch-up rows skipped (no redis-server on PATH)');
    return [];
  }
  const server = await RedisServer.start();
  const url = server.url();
  const redis = new Redis(url);
  const speed = LIVE_RATE / (rows / (spanMs / 1000));
  const out: BenchRow[] = [];
  try {
    /** Per recording, its frames and the engine's median CPU (its row is in `out`). */
    const runs: { frames: number; cpu: number }[] = [];
    for (const [feedLabel, feedArgs] of [
      [`feed at ${LIVE_RATE.toLocaleString('en-US')} trades/s --tick-ms 0`, ['--tick-ms', '0']],
      [`feed at ${LIVE_RATE.toLocaleString('en-US')} trades/s --linger-ms 20`, ['--linger-ms', '20']],
    ] as const) {
      const { frames, recording } = await record(url, redis, file, speed, [...feedArgs]);
      const done: Awaited<ReturnType<typeof consume>>[] = [];
      for (let r = 0; r < RUNS; r++) done.push(await consume(url, redis, recording, strategy, symbols));
      const cpus = done.map((d) => d.cpu);
      const cpu = median(cpus);
      const mid = done[cpus.indexOf(cpu)];
      const entries = recording.reduce((n, s) => n + s.entries.length, 0);
      runs.push({ frames, cpu });
      out.push({
        section,
        case: `engine strategy consuming ${label} recorded from Redis`,
        subject: `engine CPU, the frames of ${feedLabel}`,
        value: cpu,
        unit: 's',
        note: `${frames.toLocaleString('en-US')} frames (${(rows / frames).toFixed(1)} trades each) in ${entries.toLocaleString('en-US')} entries; ${mid.deliveries.toLocaleString('en-US')} deliveries in ${mid.wall.toFixed(2)} s; median of ${RUNS} runs (${cpus.map((c) => c.toFixed(2)).join(', ')} s); CPU from the entries' arrival to the last acknowledgement, the collector's threads included`,
      });
    }
    // engine CPU = frames x a + trades x b, from the two recordings (the same trades)
    const [small, large] = runs;
    const perFrame = (small.cpu - large.cpu) / (small.frames - large.frames);
    const perTrade = (large.cpu - perFrame * large.frames) / rows;
    out.push({
      section,
      case: `engine strategy consuming ${label} recorded from Redis`,
      subject: 'engine CPU a frame (beyond its trades)',
      value: perFrame * 1e6,
      unit: 'us',
      note: `and ${(perTrade * 1e6).toFixed(2)} us a trade: solved from the two rows above (the same ${rows.toLocaleString('en-US')} trades in ${small.frames.toLocaleString('en-US')} and ${large.frames.toLocaleString('en-US')} frames); at ${LIVE_RATE.toLocaleString('en-US')} trades/s in ${(small.frames / (rows / LIVE_RATE)).toFixed(0)} frames a second, the frames' part is ${(((perFrame * small.frames) / small.cpu) * 100).toFixed(0)} % of the engine's CPU`,
    });
    return out;
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
