/**
 * Pieces of the end-to-end tests: `kernelbus` commands as child processes (stopped by PID), the trades
 * and VPIN results read back from Redis, and the expected results computed directly.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import { entryFrames, type RedisClient, type RedisTransport } from '../../src/bus/transports/redis/index.js';
import { decodeFrame, type Frame } from '../../src/bus/frames.js';
import type { VpinCalculation } from '../../src/engines/vpin.js';
import { kernels, type Trades, type VpinBuckets, type VpinOptions } from '../../src/index.js';
import { keysOf, until } from '../helpers/redis.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

/** A `kernelbus` command running as a child process. */
export class Command {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<number | null>;

  constructor(readonly args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  /** Resolves once the output matches `pattern` (rejects with the output so far after `timeoutMs`). */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    await until(() => pattern.test(this.out) || this.child.exitCode !== null, `${this.args[0]} to print ${pattern}`, timeoutMs, 10).catch(
      (error: Error) => {
        throw new Error(`${error.message}; output so far:\n${this.out}`);
      },
    );
    const match = pattern.exec(this.out);
    if (!match) throw new Error(`${this.args.join(' ')} exited (${this.child.exitCode}) without printing ${pattern}:\n${this.out}`);
    return match;
  }

  /** Sends a signal by PID (if it still runs). */
  kill(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) process.kill(pid, signal);
  }

  /** SIGTERM, and the exit code once it has exited. */
  async stop(): Promise<number | null> {
    this.kill('SIGTERM');
    return this.exited;
  }
}

const running = new Set<Command>();

/** Runs a command function here, capturing what it writes (`seen()` reads it while it runs). */
export function runCapturing(run: (out: NodeJS.WritableStream & { isTTY?: boolean }) => Promise<number>) {
  const out = Object.assign(new PassThrough(), { isTTY: false });
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const done = run(out).then((code) => ({ code, text }));
  return { done, seen: () => text, append: (s: string) => void (text += s) };
}

/** A stream whose text `sink.seen()` reads (stderr of a command run here). */
export function errStream(sink: { seen: () => string; append?: (s: string) => void }): NodeJS.WritableStream {
  const err = new PassThrough();
  err.on('data', (chunk: Buffer) => sink.append?.(chunk.toString()));
  return err;
}

/** Runs a command function here to the end, capturing what it writes. */
export const capture = (run: (out: NodeJS.WritableStream & { isTTY?: boolean }) => Promise<number>) => runCapturing(run).done;

/** The first JSON log line (`--log-format json`) of `text` whose event is `event`, or undefined. */
export function logEvent(text: string, event: string): any {
  return text
    .split('\n')
    .map((line) => (line.startsWith('{') ? JSON.parse(line) : {}))
    .find((e) => e.event === event);
}

/**
 * `kernelbus <args> --log-format json` as its own process, once with `--heap-growth 150`, once without,
 * once with `--heap-growth 0`: the `heapGrowth` its JSON `event` said each time (stopped after it, exit 0).
 */
export async function heapGrowthsOf(args: string[], event: string): Promise<unknown[]> {
  const said: unknown[] = [];
  for (const flags of [['--heap-growth', '150'], [], ['--heap-growth', '0']]) {
    const run = new Command([...args, '--log-format', 'json', ...flags]);
    await run.waitFor(new RegExp(`"event":"${event}"`));
    expect(await run.stop(), run.out).toBe(0);
    said.push(logEvent(run.out, event)?.heapGrowth);
  }
  return said;
}

/** `kernelbus <args>` as a child process, to its end: the exit code, stdout and stderr. */
export function runCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { maxBuffer: 1 << 26 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** SIGKILLs every command still running (afterEach). */
export async function killAll(): Promise<void> {
  const all = [...running];
  for (const c of all) c.kill('SIGKILL');
  await Promise.all(all.map((c) => c.exited));
}

/** Every frame stored in stream `key`, decoded, in stream order (a packed entry's frames each: kernelbus feed packs). */
async function storedFrames(redis: RedisClient, key: string): Promise<Frame[]> {
  const out: Frame[] = [];
  let start = '-';
  for (;;) {
    const page = (await redis.callBuffer('XRANGE', key, start, '+', 'COUNT', 1000)) as [Buffer, Buffer[]][];
    for (const [, fields] of page) for (const bytes of entryFrames(field(fields, 'd')!)) out.push(decodeFrame(bytes));
    if (page.length < 1000) return out;
    start = `(${page[page.length - 1][0].toString()}`;
  }
}

function field(fields: Buffer[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toString() === name) return fields[i + 1];
  return undefined;
}

/**
 * The trades stored in `<prefix>marketdata:TRADE_EXECUTION:<shard>`, per key, in stream order, without
 * the frames stored twice (a frame published no later than the previous one of its key and ending no
 * later: VpinEngine skips them the same way); `republished` counts their trades.
 */
export async function storedTrades(
  redis: RedisClient,
  shards: number,
  prefix = 'kb:',
): Promise<{ trades: Map<string, Trades>; republished: number }> {
  const rows = new Map<string, { ts: number[]; price: number[]; volume: number[]; lastTs: number; lastSentAt: number }>();
  let republished = 0;
  for (let shard = 0; shard < shards; shard++) {
    for (const frame of await storedFrames(redis, keysOf(prefix).stream(`marketdata:TRADE_EXECUTION:${shard}`))) {
      if (frame.kind !== 'trades') throw new Error('not a trade frame');
      let r = rows.get(frame.key);
      if (!r) rows.set(frame.key, (r = { ts: [], price: [], volume: [], lastTs: -Infinity, lastSentAt: -Infinity }));
      const n = frame.count;
      if (n > 0 && frame.sentAt <= r.lastSentAt && frame.columns.ts[n - 1] <= r.lastTs) {
        republished += n;
        continue;
      }
      r.ts.push(...frame.columns.ts);
      r.price.push(...frame.columns.price);
      r.volume.push(...frame.columns.volume);
      if (n > 0) r.lastTs = frame.columns.ts[n - 1];
      r.lastSentAt = Math.max(r.lastSentAt, frame.sentAt);
    }
  }
  const trades = new Map<string, Trades>();
  for (const [key, r] of [...rows].sort(([a], [b]) => (a < b ? -1 : 1))) {
    trades.set(key, { ts: Float64Array.from(r.ts), price: Float64Array.from(r.price), volume: Float64Array.from(r.volume) });
  }
  return { trades, republished };
}

/** VPIN results read back from the compute bus: per key, buckets by number; duplicates (same key and bucket) counted and checked equal. */
export async function storedResults(
  redis: RedisClient,
  shards: number,
  prefix = 'kb:',
): Promise<{ byKey: Map<string, VpinCalculation[]>; messages: number; duplicates: number }> {
  const byKey = new Map<string, Map<number, VpinCalculation>>();
  let messages = 0;
  let duplicates = 0;
  for (let shard = 0; shard < shards; shard++) {
    for (const frame of await storedFrames(redis, keysOf(prefix).stream(`compute:VPIN_CALCULATION:${shard}`))) {
      if (frame.kind !== 'message') throw new Error('not a message frame');
      const calc = frame.payload as VpinCalculation;
      messages++;
      let buckets = byKey.get(frame.key);
      if (!buckets) byKey.set(frame.key, (buckets = new Map()));
      const seen = buckets.get(calc.bucket);
      if (seen) {
        duplicates++;
        if (JSON.stringify(seen) !== JSON.stringify(calc))
          throw new Error(`bucket ${calc.bucket} of ${frame.key} published twice with different values`);
      }
      buckets.set(calc.bucket, calc);
    }
  }
  const out = new Map<string, VpinCalculation[]>();
  for (const [key, buckets] of byKey)
    out.set(
      key,
      [...buckets.values()].sort((a, b) => a.bucket - b.bucket),
    );
  return { byKey: out, messages, duplicates };
}

/** The buckets of a streaming VPIN over `trades` (no end-of-data flush), on the reference backend. */
export function expectedBuckets(trades: Trades, options: VpinOptions): VpinBuckets {
  return kernels({ backend: 'reference' }).vpinStream(options).update(trades);
}

/** vpin() over `trades` on the reference backend (the stream's buckets plus those the last bar completes). */
export function vpinOf(trades: Trades, options: VpinOptions): VpinBuckets {
  return kernels({ backend: 'reference' }).vpin(trades, options);
}

/** Results as columns, to compare with VpinBuckets. */
export function columns(calcs: VpinCalculation[]): VpinBuckets {
  const col = (f: keyof VpinCalculation) => Float64Array.from(calcs, (c) => c[f]);
  return {
    startTs: col('startTs'),
    endTs: col('endTs'),
    duration: col('duration'),
    buyVolume: col('buyVolume'),
    sellVolume: col('sellVolume'),
    vpin: col('vpin'),
    cdf: col('cdf'),
  };
}

/** The first `n` rows of buckets. */
export function head(b: VpinBuckets, n: number): VpinBuckets {
  return {
    startTs: b.startTs.subarray(0, n),
    endTs: b.endTs.subarray(0, n),
    duration: b.duration.subarray(0, n),
    buyVolume: b.buyVolume.subarray(0, n),
    sellVolume: b.sellVolume.subarray(0, n),
    vpin: b.vpin.subarray(0, n),
    cdf: b.cdf.subarray(0, n),
  };
}

/**
 * Resolves once `group` has read and acknowledged every entry of the streams: pending 0 and no entry
 * after its last-delivered-id. Not Redis's `lag`, which is nil while the group's read counter is
 * unknown (after a restart from the AOF, until the group reads the stream's last entry): Number(null)
 * is 0, and the test went on while the engine was still behind.
 */
export async function consumed(redis: RedisClient, streams: string[], group: string, timeoutMs = 30_000): Promise<void> {
  await until(
    async () => {
      for (const key of streams) {
        const groups = (await redis.xinfo('GROUPS', key).catch(() => [])) as unknown[][];
        const g = groups
          .map((row) => new Map(Array.from({ length: row.length / 2 }, (_, i) => [String(row[2 * i]), row[2 * i + 1]])))
          .find((m) => m.get('name') === group);
        if (!g || Number(g.get('pending')) !== 0) return false;
        if ((await redis.xrange(key, `(${String(g.get('last-delivered-id'))}`, '+', 'COUNT', 1)).length > 0) return false;
      }
      return true;
    },
    `group ${group} to consume ${streams.join(', ')}`,
    timeoutMs,
    20,
  );
}

/** A bus over Redis whose transports have read and created their groups. */
export async function redisBus(url: string, shards = 1): Promise<Bus> {
  const bus = createBus({ shards, redis: { url, claimIdleMs: 500, blockMs: 50 } });
  await Promise.all(bus.buses.map((b) => (bus.transport(b) as RedisTransport).ready()));
  return bus;
}

/** Every message of `type` stored on `bus`'s `shards` streams (default the compute bus: the engines' results), in stream order per shard. */
export async function storedMessages<P>(
  redis: RedisClient,
  type: string,
  shards: number,
  bus = 'compute',
): Promise<{ key: string; ts: number; payload: P }[]> {
  const out: { key: string; ts: number; payload: P }[] = [];
  for (let shard = 0; shard < shards; shard++) {
    for (const frame of await storedFrames(redis, keysOf().stream(`${bus}:${type}:${shard}`))) {
      if (frame.kind === 'message') out.push({ key: frame.key, ts: frame.ts, payload: frame.payload as P });
    }
  }
  return out;
}

/**
 * Checks the VPIN results in Redis against VPIN computed directly over the trades Redis stored, per
 * symbol: exactly the buckets of a stream fed every trade (no end-of-data flush), which are vpin()'s
 * buckets but those the last open bar would complete. Returns counts for the log line.
 */
export async function expectExactVpin(redis: RedisClient, shards: number, vpin: VpinOptions) {
  const { trades, republished } = await storedTrades(redis, shards);
  const results = await storedResults(redis, shards);
  let buckets = 0;
  let count = 0;
  for (const [key, t] of trades) {
    const expected = expectedBuckets(t, vpin);
    const mine = results.byKey.get(key) ?? [];
    expect(
      mine.map((c) => c.bucket),
      key,
    ).toEqual(mine.map((_, i) => i));
    expect(columns(mine), key).toEqual(expected);
    expect(head(vpinOf(t, vpin), expected.vpin.length), key).toEqual(expected);
    buckets += expected.vpin.length;
    count += t.ts.length;
  }
  expect(results.byKey.size).toBe(trades.size);
  expect(buckets).toBeGreaterThan(100);
  return { trades: count, symbols: trades.size, buckets, duplicates: results.duplicates, republished };
}

/** The trade shards, VPIN options and streams the engine-process tests (single Redis and cluster) use. */
export const ENGINE_SHARDS = 4;
export const ENGINE_VPIN: VpinOptions = { bucketVolume: 3000, window: 10, barMs: 10, sigma: { ewma: 0.94 } };
export const ENGINE_TRADE_STREAMS = Array.from({ length: ENGINE_SHARDS }, (_, i) => `marketdata:TRADE_EXECUTION:${i}`);

/** `kernelbus engine vpin` arguments matching ENGINE_VPIN, with short checkpoint and takeover periods. */
export function engineArgs(url: string, consumer: string, claimIdleMs: number): string[] {
  return [
    'engine',
    'vpin',
    '--redis',
    url,
    '--consumer',
    consumer,
    '--shards',
    String(ENGINE_SHARDS),
    '--backend',
    'reference',
    '--bucket-volume',
    String(ENGINE_VPIN.bucketVolume),
    '--window',
    String(ENGINE_VPIN.window),
    '--bar-ms',
    String(ENGINE_VPIN.barMs),
    '--checkpoint-ms',
    '200',
    '--claim-idle-ms',
    String(claimIdleMs),
  ];
}

/** The symbols tradeLoop() publishes, one trade each per turn. */
export const LOOP_KEYS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF'];

/**
 * Publishes one TRADE_EXECUTION per LOOP_KEYS symbol per turn (turn i at ts 1_700_000_000_000 + i, a
 * price walk, varied volumes), awaiting `pause()` between turns, until stop() (which ends after a whole
 * turn and resolves once the loop has); `sent` counts the trades publish() accepted.
 */
export function tradeLoop(bus: Bus, pause: () => Promise<unknown>): { readonly sent: number; stop(): Promise<void> } {
  let sent = 0;
  let stopped = false;
  let price = 100;
  const running = (async () => {
    for (let i = 0; !stopped; i++) {
      for (const key of LOOP_KEYS) {
        price *= 1 + 0.002 * Math.sin(i * 0.37 + key.charCodeAt(0));
        await bus.publish('TRADE_EXECUTION', {
          key,
          ts: 1_700_000_000_000 + i,
          price: Math.round(price * 100) / 100,
          volume: 50 + ((i * 7 + key.charCodeAt(1)) % 150),
        });
        sent++;
      }
      await pause();
    }
  })();
  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/**
 * A key's checkpoint of `group` as a restore reads it, from whichever of `streams` holds it: the state
 * bytes of its record, then of its deltas in order (incremental checkpoints); undefined when none holds it.
 */
export async function checkpointOf(
  redis: RedisClient,
  group: string,
  streams: readonly string[],
  key: string,
): Promise<{ stream: string; record: Buffer; deltas: Buffer[] } | undefined> {
  const body = (bytes: Buffer) => bytes.subarray(2 + bytes.readUInt16LE(0));
  for (const stream of streams) {
    const record = await redis.hgetBuffer(keysOf().checkpointRecords(group, stream), key);
    if (!record) continue;
    const deltas: Buffer[] = [];
    for (let n = 1; ; n++) {
      const delta = await redis.hgetBuffer(keysOf().checkpointDeltas(group, stream), `${key}\u0000${n}`);
      if (!delta) return { stream, record: body(record), deltas };
      deltas.push(body(delta));
    }
  }
  return undefined;
}
