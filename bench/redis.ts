/**
 * Redis: trade messages end to end across processes (a publisher process -> Redis Streams -> a VPIN
 * engine process -> VPIN results) and publish-to-VPIN-update latency at fixed rates, side by side with
 * the in-process bus (same engine, memory transport) and the figures the original system reported.
 * Uses KERNELBUS_BENCH_REDIS (a redis:// URL) when set, under a prefix of its own that it deletes;
 * else starts its own redis-server (from PATH) on a free loopback port and stops it by PID.
 * Run alone with `npx tsx bench/redis.ts`.
 *
 * The same file is the child processes: `tsx bench/redis.ts --child publisher|engine|raw-... ...`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createBus, Histogram, nowMs, type Bus, type BusMessage } from '../src/bus/index.js';
import { RedisTransport } from '../src/redis/index.js';
import { VpinEngine } from '../src/engines/index.js';
import type { VpinOptions } from '../src/index.js';
import { deleteKeys } from '../src/bus/transports/redis/delete-keys.js';
import { findRedisServer, RedisServer } from '../tools/redis-server.js';
import { median, tape, withRatios, type BenchRow, type BenchSection, type Tape } from './lib.js';
import { clusterRows, infoCpuSeconds } from './redis-cluster.js';

const SELF = fileURLToPath(import.meta.url);
const SYMBOLS = 100;
const KEYS = Array.from({ length: SYMBOLS }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
const SHARDS = 4;
/** As bench/bus.ts: 10 ms bars, buckets of 30,000 (the synthetic volumes average 100). */
const VPIN: VpinOptions = { bucketVolume: 30_000, window: 50, barMs: 10, sigma: { ewma: 0.94 } };
/**
 * Throughput runs: WARM_ROUNDS + ROUNDS rounds of ROUND_TRADES trades (the mode measured: await,
 * publishSync, batches), each started once the last one is processed, on each side of a comparison: the
 * in-process bus, and each Redis run in its own publisher and engine processes. The first WARM_ROUNDS
 * are untimed; a figure is the median of the other rounds. Fresh processes compile their hot paths for
 * seconds (TurboFan tiers up the I/O paths, called per read and per write, last), which the in-process
 * figure, taken in a warm process, does not pay. V8's compiler threads took, in each Redis process, 69-120
 * ms of CPU during a 0.4 s window timed after 400,000 warm trades (perf, 2 cores); 163-164 ms during the
 * 5 timed rounds after 4 warm ones, 62-107 ms after 10 (--trace-opt). The warm-up is rounds like the timed
 * ones so that every path a round takes (its end, the drain) is compiled before timing: a round end first
 * met after the warm-up deoptimized the engine's process() and cost 7-26 ms of compiling each time.
 */
const ROUND_TRADES = 2_000_000;
const ROUNDS = 5;
const WARM_ROUNDS = 10;
/**
 * Trades in the by-stage run, and before it (untimed): its backlog, both included, must stay under the
 * streams' MAXLEN (1,000,000 messages each, 4 streams).
 */
const STAGE_TRADES = 2_000_000;
const STAGE_WARM = 400_000;
/**
 * The Redis Cluster rows (bench/redis-cluster.ts: 5 configurations x 3 interleaved runs): each run as the
 * throughput runs, with rounds of CLUSTER_ROUND_TRADES, CLUSTER_ROUNDS of them timed after WARM_ROUNDS.
 */
const CLUSTER_ROUND_TRADES = 1_000_000;
const CLUSTER_ROUNDS = 3;
/** Trades per publish() in the batched throughput run. */
const BATCH = 64;
/**
 * Latency runs: rates, and seconds measured after a warm-up. The warm-up covers the processes' first
 * seconds, while V8 still compiles the hot paths and sizes its heap (at 10k msg/s the first second after
 * a 0.5 s warm-up measured p50 0.69 ms, p99 7.7 ms; the third second p50 0.48, p99 3.5): the figures are
 * those of an engine that has been running, as a trading engine does for hours. At 10k msg/s the hot
 * paths get hot slowly: after a 2 s warm-up each process still spent 22-24 µs of CPU per message and
 * the kernelbus p99 was 1.7-2.6 ms (floor 0.4-0.8 ms); after 12 s, 15-17 µs and 0.7-1.1 ms (floor 0.32-0.34
 * ms). The tail is V8's helper threads (compiling, collecting) holding a core while a main thread woken
 * on it waits to run (`perf sched`, 2 s warm-up: 7-15 waits of 1-3 ms in 3 s for each of the three
 * processes, the other core often idle meanwhile). The plain-ioredis floor gets the same warm-up.
 */
const RATES = [10_000, 100_000];
const LATENCY_S = 3;
const WARMUP_S = 10;

const TAPE_SIZE = 1 << 20;

/** A VpinEngine that also times publish -> VPIN update, from the first message `warmupMs` on. */
class TimedVpinEngine extends VpinEngine {
  readonly timing = new Histogram();
  /** The same, taken when a message reaches process() (decoded, before the VPIN update): where the raw floor measures. */
  readonly delivered = new Histogram();
  processedAll = 0;
  /** This process's CPU usage, and the time (epoch ms), when the first message past the warm-up arrived. */
  cpuAtFirst: NodeJS.CpuUsage | undefined;
  firstAt = NaN;
  /** Messages of the warm-up (count plans), before cpuAtFirst. */
  warmTrades = 0;
  /** Messages per round after the warm-up (count plans), and when each round's last one was processed: [epoch ms, CPU ms]. */
  roundTrades = Infinity;
  readonly roundEnds: [number, number][] = [];
  /** Messages to wait for, and who waits (see until()). */
  private target = Infinity;
  private reached: () => void = () => {};
  private from = Infinity;
  warmupMs = 0;
  protected override process(message: BusMessage): void {
    if (this.processedAll >= this.warmTrades && !this.cpuAtFirst) {
      this.cpuAtFirst = process.cpuUsage();
      this.firstAt = nowMs();
    }
    if (this.from === Infinity) this.from = message.sentAt + this.warmupMs;
    const timed = message.sentAt >= this.from;
    if (timed) this.delivered.record(nowMs() - message.sentAt, message.count);
    super.process(message);
    if (timed) this.timing.record(nowMs() - message.sentAt, message.count);
    this.processedAll += message.count;
    while (this.processedAll >= this.warmTrades + (this.roundEnds.length + 1) * this.roundTrades) this.roundEnds.push([nowMs(), cpuMs()]);
    if (this.processedAll >= this.target) this.reached();
  }

  /** Resolves once `count` messages have been processed (no polling: it would cost this process CPU). */
  until(count: number): Promise<void> {
    this.target = count;
    if (this.processedAll >= count) return Promise.resolve();
    return new Promise((resolve) => (this.reached = resolve));
  }
}

/**
 * What a publisher sends: `rounds` (default 1) of `count` trades, after `warm` more, untimed, or trades
 * at `rate` for `seconds`; `t0` the first timestamp (see roundPlan()).
 */
type CountPlan = { count: number; batch?: number; sync?: boolean; warm?: number; rounds?: number; t0?: number };
type Plan = CountPlan | { rate: number; seconds: number };

/** A plan as the publisher child's arguments (read back at the end of this file), `warm` its warm-up trades. */
function planArgs(plan: Plan, warm: number): string[] {
  return 'count' in plan
    ? ['count', String(plan.count), String(plan.batch ?? 1), plan.sync ? 'sync' : 'await', String(warm), String(plan.rounds ?? 1)]
    : ['rate', String(plan.rate), String(plan.seconds)];
}

/** The first timestamp of the measured trades (epoch ms). */
const T0 = 1_700_000_000_000;

/**
 * Round `round` of a count plan (-1: its warm-up) as the plan publishTrades() sends: timestamps
 * increase across the warm-up and the rounds (each symbol's stay in order), at 3,000 trades per ms.
 */
function roundPlan(plan: CountPlan, round: number): CountPlan {
  if (round < 0) return { ...plan, count: plan.warm ?? 0, t0: T0 - 1e8 };
  return { ...plan, t0: T0 + round * (plan.count / 3000 + 1000) };
}

/** The plans publishTrades() sends for `plan`, round by round (a rate plan: itself, once). */
function roundsOf(plan: Plan): Plan[] {
  return 'count' in plan ? Array.from({ length: plan.rounds ?? 1 }, (_, r) => roundPlan(plan, r)) : [plan];
}

/**
 * Publishes single trades: `count` as fast as they are taken (yielding to I/O every 8,192), or at
 * `rate` msg/s for `seconds` (each loop turn publishes what is due, stamped now). With `batch`, `count`
 * trades go as batches of `batch` trades of one symbol per publish() (a feed handler passing on
 * the trades of an exchange packet), yielding every 8,192 trades as well. With `sync`, `count` single
 * trades go through publishSync(), waiting for room() only when it says the queue is full.
 */
async function publishTrades(bus: Bus, data: Tape, plan: Plan): Promise<number> {
  const t0 = ('t0' in plan ? plan.t0 : undefined) ?? T0;
  if ('count' in plan && plan.batch !== undefined && plan.batch > 1) {
    const b = plan.batch;
    for (let i = 0; i + b <= plan.count; i += b) {
      const j = i & (TAPE_SIZE - 1);
      const ts = new Float64Array(b);
      for (let k = 0; k < b; k++) ts[k] = t0 + (i + k) / 3000;
      await bus.publish('TRADE_EXECUTION', {
        key: KEYS[data.symbol[j]],
        ts,
        price: data.price.subarray(j, j + b),
        volume: data.volume.subarray(j, j + b),
      });
      if (((i + b) & 8191) < b) await new Promise((resolve) => setImmediate(resolve));
    }
    return plan.count - (plan.count % b);
  }
  if ('count' in plan && plan.sync) {
    for (let i = 0; i < plan.count; i++) {
      const j = i & (TAPE_SIZE - 1);
      if (
        !bus.publishSync('TRADE_EXECUTION', { key: KEYS[data.symbol[j]], ts: t0 + i / 3000, price: data.price[j], volume: data.volume[j] })
      )
        await bus.room();
      if ((i & 8191) === 8191) await new Promise((resolve) => setImmediate(resolve));
    }
    return plan.count;
  }
  if ('count' in plan) {
    for (let i = 0; i < plan.count; i++) {
      const j = i & (TAPE_SIZE - 1);
      await bus.publish('TRADE_EXECUTION', { key: KEYS[data.symbol[j]], ts: t0 + i / 3000, price: data.price[j], volume: data.volume[j] });
      if ((i & 8191) === 8191) await new Promise((resolve) => setImmediate(resolve));
    }
    return plan.count;
  }
  const start = performance.now();
  const perTurn = Math.max(1, Math.ceil(plan.rate / 100));
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= plan.seconds * 1000) break;
    const due = Math.min(Math.floor((plan.rate * elapsed) / 1000) - sent, perTurn);
    for (let i = 0; i < due; i++) {
      const j = (sent + i) & (TAPE_SIZE - 1);
      await bus.publish('TRADE_EXECUTION', { key: KEYS[data.symbol[j]], ts: t0 + elapsed, price: data.price[j], volume: data.volume[j] });
    }
    sent += Math.max(0, due);
    // Like a feed handler woken by the network, and as the raw floor's producer paces: sleep after each
    // turn (leaves the CPU to the others); go on at once only when the turn hit its cap (behind).
    if (due < perTurn) await new Promise((resolve) => setTimeout(resolve, 0));
    else await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}

// ---------------------------------------------------------------------------------------------------
// Child processes.

/**
 * `--child publisher`: publishes the plan (a count plan's warm-up first, and each round once the trades
 * before it are acknowledged), then prints `{ rounds, sent, storedAt, cpuMs }` as JSON (epoch ms;
 * `rounds`: each round's [start, end, CPU ms at its start, at its end]) and exits once stored.
 */
async function publisherChild(url: string, prefix: string, plan: Plan): Promise<void> {
  const bus = createBus({ shards: SHARDS, buses: ['marketdata'], redis: { url, prefix, ...durability() } });
  await (bus.transport('marketdata') as RedisTransport).ready();
  const data = tape(TAPE_SIZE, 7, SYMBOLS);
  await warmUp(bus, data, plan);
  const cpu0 = cpuMs();
  const rounds: [number, number, number, number][] = [];
  let sent = 0;
  for (const round of roundsOf(plan)) {
    if (rounds.length > 0) await bus.drain();
    const [startAt, cpuAtStart] = [nowMs(), cpuMs()];
    sent += await publishTrades(bus, data, round);
    rounds.push([startAt, nowMs(), cpuAtStart, cpuMs()]);
  }
  const cpu = cpuMs() - cpu0;
  await bus.flush();
  process.stdout.write(`${JSON.stringify({ rounds, sent, storedAt: nowMs(), cpuMs: cpu })}\n`);
  await bus.close();
}

/** Publishes a count plan's `warm` trades (same mode, earlier timestamps) and waits until they are acknowledged. */
async function warmUp(bus: Bus, data: Tape, plan: Plan): Promise<void> {
  if (!('count' in plan) || !plan.warm) return;
  await publishTrades(bus, data, roundPlan(plan, -1));
  await bus.drain();
}

/**
 * `--child engine`: a VpinEngine on Redis; prints `ready`, reads the number of messages to expect from
 * stdin (the first `warm` of them untimed, then rounds of `roundTrades`), and once it has processed them
 * prints `{ doneAt, roundEnds, processed, latency, cpuMs, ... }` as JSON, stops and exits.
 */
async function engineChild(url: string, prefix: string, warmupMs: number, warm: number, roundTrades: number): Promise<void> {
  let expected: (count: number) => void = () => {};
  const expect = new Promise<number>((resolve) => (expected = resolve));
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => expected(Number(d.trim())));
  const bus = createBus({ shards: SHARDS, redis: { url, prefix, ...durability() } });
  const engine = new TimedVpinEngine(bus, {
    vpin: VPIN,
    heartbeatMs: 0,
    group: 'vpin',
    ...(process.env.KB_NOCK ? { checkpointMs: 0 } : {}),
  });
  engine.warmupMs = warmupMs;
  engine.warmTrades = warm;
  engine.roundTrades = roundTrades > 0 ? roundTrades : Infinity;
  engine.start();
  await Promise.all(bus.buses.map((b) => (bus.transport(b) as RedisTransport).ready()));
  // Measure once this engine reads every stream (it takes its share of them over a few lease ticks).
  await Promise.all(bus.buses.map((b) => (bus.transport(b) as RedisTransport).reading(30_000)));
  process.stdout.write('ready\n');
  await engine.until(await expect);
  const doneAt = nowMs();
  const cpu0 = engine.cpuAtFirst ?? process.cpuUsage();
  const m = engine.metrics();
  process.stdout.write(
    `${JSON.stringify({ doneAt, roundEnds: engine.roundEnds, firstAt: engine.firstAt, processed: engine.processedAll, latency: engine.timing.snapshot(), delivered: engine.delivered.snapshot(), copies: bus.metrics().copies, deliveries: m.batches, cpuMs: cpuMs(cpu0) })}\n`,
  );
  process.stdin.destroy();
  await engine.stop();
  await bus.close();
}

/**
 * `--child raw-consumer` / `raw-producer`: the floor under the bus on this machine: plain ioredis, one
 * XADD per message (its publish time in a field) at `rate` for `seconds`, read with XREADGROUP BLOCK
 * and XACK in another process. The consumer prints `ready`, then the latency histogram as JSON.
 */
async function rawChild(role: string, url: string, key: string, rate: number, seconds: number): Promise<void> {
  const t = new RedisTransport({ url, prefix: '' });
  await t.ready();
  const redis = t.cmd;
  if (role === 'raw-consumer') {
    await redis.xgroup('CREATE', key, 'g', '0', 'MKSTREAM');
    process.stdout.write('ready\n');
    const h = new Histogram();
    const end = performance.now() + (seconds + 1.5) * 1000;
    let from = Infinity; // the first message's time + the warm-up, as in the engine
    while (performance.now() < end) {
      const reply = (await redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 128, 'BLOCK', 100, 'STREAMS', key, '>')) as
        | unknown[]
        | null;
      if (!reply) continue;
      const now = nowMs();
      // [[key, entries]] (RESP2) or [key, entries]
      const entries = (Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : reply[1]) as [string, string[]][];
      if (from === Infinity && entries.length > 0) from = Number(entries[0][1][1]) + WARMUP_S * 1000;
      for (const [, fields] of entries) if (Number(fields[1]) >= from) h.record(now - Number(fields[1]));
      await redis.xack(key, 'g', ...entries.map(([id]) => id));
    }
    process.stdout.write(`${JSON.stringify(h.snapshot())}\n`);
  } else {
    const start = performance.now();
    let sent = 0;
    for (;;) {
      const elapsed = performance.now() - start;
      if (elapsed >= seconds * 1000) break;
      const due = Math.floor((rate * elapsed) / 1000) - sent;
      for (let i = 0; i < due; i++) void redis.xadd(key, '*', 't', String(nowMs()));
      sent += Math.max(0, due);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await redis.ping();
  }
  await t.close();
}

/** The raw floor at `rate`: consumer child, then producer child; the consumer's latency. */
async function rawFloor(url: string, rate: number, seconds: number): Promise<{ p50: number; p99: number; mean: number; key: string }> {
  const key = `kb:bench:raw:${randomBytes(4).toString('hex')}`;
  const consumer = child(['raw-consumer', url, key, String(rate), String(seconds)]);
  try {
    if ((await consumer.line()) !== 'ready') throw new Error('raw consumer did not start');
    await child(['raw-producer', url, key, String(rate), String(seconds)]).exited;
    const h = JSON.parse(await consumer.line()) as { p50: number; p99: number; mean: number };
    await consumer.exited;
    return { ...h, key };
  } finally {
    if (consumer.proc.exitCode === null) consumer.proc.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------
// The parent: Redis, children, figures.

/** The children's RedisTransport durability (KB_BENCH_DURABILITY, set by run()): the transport's default when unset. */
function durability(): { durability?: 'replica' | 'primary' } {
  const d = process.env.KB_BENCH_DURABILITY;
  return d === 'replica' || d === 'primary' ? { durability: d } : {};
}

/** A child of this file; `line()` resolves with its next stdout line. */
function child(
  args: string[],
  env: Record<string, string> = {},
): { proc: ChildProcess; line: () => Promise<string>; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffer = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const line = () => {
    const l = lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      void exited.then((code) => reject(new Error(`bench child ${args[0]} exited (${code}) before printing`)));
    });
  };
  return { proc, line, exited };
}

/** CPU time (user + system, ms) of this process since `from` (default: its start). */
function cpuMs(from?: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

interface EngineReport {
  doneAt: number;
  /** When the engine had processed each round's trades (count plans): [epoch ms, CPU ms]. */
  roundEnds: [number, number][];
  /** When the first message past the warm-up reached the engine (epoch ms). */
  firstAt: number;
  processed: number;
  latency: ReturnType<Histogram['snapshot']>;
  delivered: ReturnType<Histogram['snapshot']>;
  copies: number;
  deliveries: number;
  cpuMs: number;
}

/** What the publisher child prints (see publisherChild()). */
interface PublisherReport {
  rounds: [number, number, number, number][];
  sent: number;
  storedAt: number;
  cpuMs: number;
}

/**
 * A count plan's run over its last `timed` rounds of `trades`: the median round's rates (msg/s) end to
 * end (from the round's first publish to the engine's processing of its last trade) and on the
 * publisher's side, each round's end-to-end rate (`all`), and each process's CPU per trade (ns) over
 * those rounds.
 */
function roundRates(t: { pub: PublisherReport; eng: EngineReport }, trades: number, timed: number) {
  const pub = t.pub.rounds.slice(-timed);
  const eng = t.eng.roundEnds.slice(-timed - 1);
  const all = pub.map(([start], i) => (trades * 1000) / (eng[i + 1][0] - start));
  const perTrade = (ms: number) => (ms * 1e6) / (trades * timed);
  return {
    e2e: median(all),
    published: median(pub.map(([start, end]) => (trades * 1000) / (end - start))),
    all,
    publisherCpu: perTrade(pub.reduce((sum, [, , from, to]) => sum + to - from, 0)),
    engineCpu: perTrade(eng[timed][1] - eng[0][1]),
  };
}

/**
 * Runs the engine child, then the publisher child with `plan`; tells the engine how many messages to
 * wait for (known upfront for a count, from the publisher's report for a rate); returns both reports.
 * `options.durability` sets both children's (default: the transport's).
 */
export async function run(url: string, plan: Plan, warmupMs: number, options: { durability?: 'replica' | 'primary' } = {}) {
  const prefix = `kb:bench:${randomBytes(4).toString('hex')}:`;
  const env: Record<string, string> = options.durability ? { KB_BENCH_DURABILITY: options.durability } : {};
  // Batches go whole: the trades a count plan sends are a multiple of its batch.
  const whole = (n: number) => ('count' in plan && plan.batch !== undefined && plan.batch > 1 ? n - (n % plan.batch) : n);
  const warm = 'count' in plan ? whole(plan.warm ?? 0) : 0;
  const roundTrades = 'count' in plan ? whole(plan.count) : 0;
  const engine = child(['engine', url, prefix, String(warmupMs), String(warm), String(roundTrades)], env);
  try {
    if ((await engine.line()) !== 'ready') throw new Error('engine child did not start');
    if ('count' in plan) engine.proc.stdin!.write(`${roundTrades * (plan.rounds ?? 1) + warm}\n`);
    const publisher = child(['publisher', url, prefix, ...planArgs(plan, warm)], env);
    const pub = JSON.parse(await publisher.line()) as PublisherReport;
    if (!('count' in plan)) engine.proc.stdin!.write(`${pub.sent}\n`);
    await publisher.exited;
    const eng = JSON.parse(await engine.line()) as EngineReport;
    await engine.exited;
    return { pub, eng, prefix };
  } finally {
    if (engine.proc.exitCode === null) engine.proc.kill('SIGKILL');
  }
}

/**
 * Each process of a run alone, with Redis on the other core: the publisher child publishes `plan` into
 * Redis with no consumer, then the engine child reads that backlog. Returns each one's rate (msg/s)
 * over the plan's `count` trades, after its `warm` untimed ones.
 */
async function stages(url: string, plan: { count: number; sync: boolean; warm: number }) {
  const prefix = `kb:bench:${randomBytes(4).toString('hex')}:`;
  const publisher = child(['publisher', url, prefix, ...planArgs(plan, plan.warm)]);
  const pub = JSON.parse(await publisher.line()) as PublisherReport;
  await publisher.exited;
  const engine = child(['engine', url, prefix, '0', String(plan.warm), '0']);
  try {
    if ((await engine.line()) !== 'ready') throw new Error('engine child did not start');
    engine.proc.stdin!.write(`${plan.count + plan.warm}\n`);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('engine child did not read the backlog within 120 s')), 120_000).unref(),
    );
    const eng = JSON.parse(await Promise.race([engine.line(), timeout])) as EngineReport;
    await engine.exited;
    return {
      publisher: (plan.count * 1000) / (pub.storedAt - pub.rounds[0][0]),
      engine: (plan.count * 1000) / (eng.doneAt - eng.firstAt),
      prefix,
    };
  } finally {
    if (engine.proc.exitCode === null) engine.proc.kill('SIGKILL');
  }
}

/**
 * In-process: the bus on memory transports and the same engine: a count plan's throughput (its warm-up,
 * then its rounds, each drained: the median of the last `timed` rounds' rates, and each of those), or
 * latency at a rate.
 */
async function inProcess(data: Tape, plan: Plan, warmupMs: number, timed = 1) {
  const bus = createBus();
  const engine = new TimedVpinEngine(bus, { vpin: VPIN, heartbeatMs: 0 });
  engine.warmupMs = warmupMs;
  engine.start();
  await warmUp(bus, data, plan);
  const rates: number[] = [];
  for (const round of roundsOf(plan)) {
    const start = performance.now();
    const sent = await publishTrades(bus, data, round);
    await bus.drain();
    rates.push(sent / ((performance.now() - start) / 1000));
  }
  await engine.close();
  await bus.close();
  return { rate: median(rates.slice(-timed)), rates: rates.slice(-timed), latency: engine.timing.snapshot() };
}

/** The server's CPU time so far (INFO cpu), seconds. */
async function serverCpuSeconds(url: string): Promise<number> {
  const t = new RedisTransport({ url });
  try {
    await t.ready();
    return infoCpuSeconds(String(await t.cmd.info('cpu')));
  } finally {
    await t.close();
  }
}

/** Deletes the keys a run left under `prefixes` on a server that is not ours. */
async function cleanUp(url: string, prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) await deleteKeys(url, prefix);
}

const fmtRate = (r: number) => (r >= 1e6 ? `${r / 1e6}M` : `${Math.round(r / 100) / 10}k`).replace('.0k', 'k');

/** The 'redis' section of `npm run bench` (about 3-4 minutes on 2 cores). */
export const redisSection: BenchSection = {
  name: 'redis',
  async run() {
    const rows: BenchRow[] = [];
    // ratioTo: a figure the original system reported (the 'reported' subject).
    const add = (c: string, subject: string, value: number, unit: string, note?: string, ratioTo?: number) =>
      rows.push({
        section: 'redis',
        case: c,
        subject,
        value,
        unit,
        ...(ratioTo ? { ratio: value / ratioTo, baseline: 'reported' } : {}),
        ...(note ? { note } : {}),
      });
    let url = process.env.KERNELBUS_BENCH_REDIS;
    let own: RedisServer | undefined;
    if (!url) {
      if (!findRedisServer()) {
        console.log('redis: skipped (no redis-server on PATH and KERNELBUS_BENCH_REDIS not set)');
        return rows;
      }
      own = await RedisServer.start();
      url = own.url();
    }
    const prefixes: string[] = [];
    try {
      const data = tape(TAPE_SIZE, 7, SYMBOLS);
      const server = own ? 'own redis-server on loopback' : 'KERNELBUS_BENCH_REDIS';

      // Throughput, both sides warm (WARM_ROUNDS), medians of ROUNDS rounds: each Redis run's processes, and the in-process bus's.
      const rounds = (rates: number[]) =>
        `median of ${ROUNDS} rounds of ${(ROUND_TRADES / 1e6).toFixed(0)} M trades (${rates.map((x) => (x / 1e6).toFixed(2)).join(', ')} M) after ${WARM_ROUNDS} untimed`;
      const plan = { count: ROUND_TRADES, rounds: WARM_ROUNDS + ROUNDS };
      const cpuBefore = await serverCpuSeconds(url);
      const t = await run(url, plan, 0);
      const serverCpu = (await serverCpuSeconds(url)) - cpuBefore;
      prefixes.push(t.prefix);
      const awaited = roundRates(t, ROUND_TRADES, ROUNDS);
      const local = await inProcess(data, plan, 0, ROUNDS);
      const tp = 'throughput, single trades by await publish() end to end (msg/s)';
      add(
        tp,
        'redis, 2 processes',
        awaited.e2e,
        'msg/s',
        `publisher process -> ${server} (${SHARDS} streams) -> VpinEngine process, ${rounds(awaited.all)}; target >= 2,000,000`,
        6680,
      );
      add(tp, 'in-process bus', local.rate, 'msg/s', `same engine, memory transport, one process, ${rounds(local.rates)}`, 6680);
      add(tp, 'reported', 6680, 'msg/s', 'original: two Redis buses, 0.43 ms mean latency', 6680);
      add(
        'throughput, publisher side (msg/s)',
        'redis, 2 processes',
        awaited.published,
        'msg/s',
        `${t.eng.deliveries.toLocaleString('en-US')} frames delivered, ${t.eng.copies.toLocaleString('en-US')} copied once (unaligned)`,
      );
      // The same single trades through publishSync() (no await per trade).
      const syncPlan = { ...plan, sync: true };
      const sync = await run(url, syncPlan, 0);
      prefixes.push(sync.prefix);
      const synced = roundRates(sync, ROUND_TRADES, ROUNDS);
      const localSync = await inProcess(data, syncPlan, 0, ROUNDS);
      const ts = 'throughput, single trades by publishSync() end to end (msg/s)';
      add(
        ts,
        'redis, 2 processes',
        synced.e2e,
        'msg/s',
        `publisher side ${(synced.published / 1e6).toFixed(2)} M msg/s; ${rounds(synced.all)}; target >= 2,000,000`,
        6680,
      );
      add(ts, 'in-process bus', localSync.rate, 'msg/s', `same engine, memory transport, one process; ${rounds(localSync.rates)}`, 6680);
      // Each of the two processes alone (Redis on the other core): what a core per process would carry.
      const alone = await stages(url, { count: STAGE_TRADES, sync: true, warm: STAGE_WARM });
      prefixes.push(alone.prefix);
      const tst = 'throughput by stage, single trades by publishSync() (msg/s)';
      const stageNote = `after ${STAGE_WARM.toLocaleString('en-US')} untimed trades, with redis-server on the other core; the end-to-end runs above share 2 cores between 3 busy processes`;
      const stageRows: BenchRow[] = [
        {
          section: 'redis',
          case: tst,
          subject: 'publisher process alone',
          value: alone.publisher,
          unit: 'msg/s',
          note: `publishing into Redis with no consumer, until stored; ${stageNote}`,
        },
        {
          section: 'redis',
          case: tst,
          subject: 'engine process alone',
          value: alone.engine,
          unit: 'msg/s',
          note: `reading the publisher's ${(STAGE_TRADES / 1e6).toFixed(0)} M trades back as a backlog; ${stageNote}`,
        },
        {
          section: 'redis',
          case: tst,
          subject: 'in-process bus',
          value: localSync.rate,
          unit: 'msg/s',
          note: 'both in one process (the publishSync() row above)',
        },
      ];
      rows.push(...withRatios(stageRows, 'in-process bus'));
      const cpu = 'CPU per trade, single trades (ns)';
      add(cpu, 'publisher process, await publish()', awaited.publisherCpu, 'ns', 'user + system time while publishing the timed rounds');
      add(cpu, 'publisher process, publishSync()', synced.publisherCpu, 'ns', 'user + system time while publishing the timed rounds');
      add(cpu, 'engine process', synced.engineCpu, 'ns', 'publishSync() run; user + system time over the timed rounds');
      add(
        cpu,
        'redis-server',
        (serverCpu * 1e9) / (ROUND_TRADES * (WARM_ROUNDS + ROUNDS)),
        'ns',
        `await publish() run, warm-up included (INFO cpu)${own ? '' : '; a shared server counts its other clients too'}; perf: about a quarter of it is Lua hashing every byte of the frames the append script receives`,
      );
      // The same trades published as batches of 64 per call (one symbol each): what the transport carries.
      const batchPlan = { ...plan, batch: BATCH };
      const batched = await run(url, batchPlan, 0);
      prefixes.push(batched.prefix);
      const batches = roundRates(batched, ROUND_TRADES, ROUNDS);
      const localBatched = await inProcess(data, batchPlan, 0, ROUNDS);
      const tb = `throughput, batches of ${BATCH} trades end to end (msg/s)`;
      add(
        tb,
        'redis, 2 processes',
        batches.e2e,
        'msg/s',
        `${batched.eng.deliveries.toLocaleString('en-US')} frames; ${rounds(batches.all)}; target >= 2,000,000`,
        6680,
      );
      add(
        tb,
        'in-process bus',
        localBatched.rate,
        'msg/s',
        `same engine, memory transport, one process; ${rounds(localBatched.rates)}`,
        6680,
      );
      const e2e = awaited.e2e;
      add('throughput vs original stress test (msg/s)', 'redis, 2 processes', e2e, 'msg/s', undefined, 14822);
      add('throughput vs original stress test (msg/s)', 'reported', 14822, 'msg/s', 'original stress test', 14822);
      add('throughput vs original goal (msg/s)', 'redis, 2 processes', e2e, 'msg/s', undefined, 25000);
      add('throughput vs original goal (msg/s)', 'reported', 25000, 'msg/s', 'original goal', 25000);
      add('throughput vs original aspiration (msg/s)', 'redis, 2 processes', e2e, 'msg/s', undefined, 1_000_000);
      add('throughput vs original aspiration (msg/s)', 'reported', 1_000_000, 'msg/s', 'original aspiration', 1_000_000);
      // The same run on a Redis Cluster (1 and 3 primaries with replicas, started here), beside this one.
      const clusterPlan = { count: CLUSTER_ROUND_TRADES, rounds: WARM_ROUNDS + CLUSTER_ROUNDS };
      const clusterRun = async (on: string, durability?: 'replica' | 'primary') => {
        const r = await run(on, clusterPlan, 0, { durability });
        if (on === url) prefixes.push(r.prefix);
        return { rate: roundRates(r, CLUSTER_ROUND_TRADES, CLUSTER_ROUNDS).e2e, trades: CLUSTER_ROUND_TRADES * clusterPlan.rounds };
      };
      const clusterTiming = `the median of ${CLUSTER_ROUNDS} rounds of ${(CLUSTER_ROUND_TRADES / 1e6).toFixed(0)} M trades after ${WARM_ROUNDS} untimed`;
      rows.push(...(await clusterRows(clusterRun, url, SHARDS, clusterTiming)));

      // Latency at fixed rates across two processes (after a warm-up), and in-process for comparison.
      for (const rate of RATES) {
        const seconds = WARMUP_S + LATENCY_S;
        const r = await run(url, { rate, seconds }, WARMUP_S * 1000);
        prefixes.push(r.prefix);
        const mine = (await inProcess(data, { rate, seconds }, WARMUP_S * 1000)).latency;
        const at = `@ ${fmtRate(rate)} msg/s`;
        const achieved = `${Math.round(r.pub.sent / seconds).toLocaleString('en-US')} msg/s achieved`;
        add(
          `latency p50 ${at} (ms)`,
          'redis, 2 processes',
          r.eng.latency.p50,
          'ms',
          rate === 10_000 ? `target <= 0.5 ms; ${achieved}` : achieved,
        );
        add(`latency p50 ${at} (ms)`, 'in-process bus', mine.p50, 'ms');
        if (rate === 10_000) {
          // Like for like with the raw floor below, which times a message on arrival.
          const delivered = 'taken where the raw floor takes it: as the message reaches the engine, decoded, before its VPIN update';
          add(`latency p50 ${at} (ms)`, 'redis, at delivery', r.eng.delivered.p50, 'ms', delivered);
          add(`latency p99 ${at} (ms)`, 'redis, at delivery', r.eng.delivered.p99, 'ms', delivered);
        }
        add(`latency p99 ${at} (ms)`, 'redis, 2 processes', r.eng.latency.p99, 'ms', rate === 10_000 ? 'target <= 5 ms' : undefined);
        add(`latency p99 ${at} (ms)`, 'in-process bus', mine.p99, 'ms');
        add(`latency mean ${at} (ms)`, 'redis, 2 processes', r.eng.latency.mean, 'ms', undefined, 0.43);
        const perMessage = (ms: number) => (ms * 1000) / r.pub.sent;
        add(`CPU per message ${at} (µs)`, 'redis, publisher process', perMessage(r.pub.cpuMs), 'µs', 'user + system time while publishing');
        add(
          `CPU per message ${at} (µs)`,
          'redis, engine process',
          perMessage(r.eng.cpuMs),
          'µs',
          'user + system time from the first message to the last',
        );
        add(`latency mean ${at} (ms)`, 'in-process bus', mine.mean, 'ms', undefined, 0.43);
        add(`latency mean ${at} (ms)`, 'reported', 0.43, 'ms', 'original: mean over two Redis buses at 6,680 msg/s', 0.43);
        if (rate === 10_000) {
          const floor = await rawFloor(url, rate, WARMUP_S + LATENCY_S);
          prefixes.push(floor.key);
          const note = 'floor: plain ioredis, XADD per message -> XREADGROUP + XACK in another process';
          add(`latency p50 ${at} (ms)`, 'raw ioredis', floor.p50, 'ms', note);
          add(`latency p99 ${at} (ms)`, 'raw ioredis', floor.p99, 'ms', note);
          add(`latency mean ${at} (ms)`, 'raw ioredis', floor.mean, 'ms', note, 0.43);
        }
      }
    } finally {
      if (own) await own.stop();
      else if (url) await cleanUp(url, prefixes).catch(() => undefined);
    }
    return rows;
  },
};

if (process.argv.includes('--child')) {
  const [, , , role, url, prefix, ...rest] = process.argv;
  if (role === 'publisher') {
    await publisherChild(
      url,
      prefix,
      rest[0] === 'count'
        ? { count: Number(rest[1]), batch: Number(rest[2]), sync: rest[3] === 'sync', warm: Number(rest[4]), rounds: Number(rest[5]) }
        : { rate: Number(rest[1]), seconds: Number(rest[2]) },
    );
  } else if (role === 'engine') {
    await engineChild(url, prefix, Number(rest[0]), Number(rest[1]), Number(rest[2]));
  } else if (role === 'raw-consumer' || role === 'raw-producer') {
    await rawChild(role, url, prefix, Number(rest[0]), Number(rest[1]));
  }
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await redisSection.run();
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
