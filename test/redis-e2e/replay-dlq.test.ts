/**
 * Replay and redrive (issue 28) on a real redis-server, with the commands run as processes:
 * `kernelbus replay --from <time>` gives buckets bit-identical to vpin() over the trades appended since
 * that time; 20 poison entries dead-lettered by a faulty engine, the engine fixed, `kernelbus dlq
 * redrive`: the engine's state equals a run without faults, and the dead-letter streams are empty.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import type { BusMessage } from '../../src/bus/messages.js';
import { withRedis } from '../../src/cli/redis-admin.js';
import { VpinEngine } from '../../src/engines/vpin.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels, type Trades } from '../../src/index.js';
import { client, closeAll, describeRedis, RedisServer, sleep, tearDown, until } from '../helpers/redis.js';
import { Command, ENGINE_VPIN, killAll, redisBus } from './helpers.js';

const SHARDS = 4;
const KEYS = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];

/** Seeded trades of `key`: n trades from `t0`, one every 3 ms, prices a random walk, volumes 50..150. */
function trades(key: string, n: number, t0: number, seed: number): Trades {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  let p = 100 + key.charCodeAt(0) / 10;
  for (let i = 0; i < n; i++) {
    ts[i] = t0 + i * 3;
    p *= 1 + (rand() - 0.5) * 0.002;
    price[i] = p;
    volume[i] = 50 + Math.floor(rand() * 100);
  }
  return { ts, price, volume };
}

/** Publishes trades of every key in slices of 50 (several frames per key), then waits until stored. */
async function publish(bus: Bus, byKey: Map<string, Trades>): Promise<void> {
  const n = Math.max(...[...byKey.values()].map((t) => t.ts.length));
  for (let i = 0; i < n; i += 50) {
    for (const [key, t] of byKey) {
      if (i >= t.ts.length) continue;
      const end = Math.min(i + 50, t.ts.length);
      await bus.publish('TRADE_EXECUTION', {
        key,
        ts: t.ts.subarray(i, end),
        price: t.price.subarray(i, end),
        volume: t.volume.subarray(i, end),
      });
    }
  }
  await bus.flush();
}

/** `kernelbus replay --from <from> --json` over the test's shards on the reference backend. */
const replayJson = (url: string, from: string) =>
  new Command([
    'replay',
    '--redis',
    url,
    '--type',
    'TRADE_EXECUTION',
    '--from',
    from,
    '--engine',
    'vpin',
    '--shards',
    String(SHARDS),
    '--backend',
    'reference',
    '--json',
    ...vpinArgs,
  ]);

const vpinArgs = [
  '--bucket-volume',
  String(ENGINE_VPIN.bucketVolume),
  '--window',
  String(ENGINE_VPIN.window),
  '--bar-ms',
  String(ENGINE_VPIN.barMs),
];

describeRedis('replay and dead-letter redrive', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it('kernelbus replay --from <ISO time>: every bucket bit-identical to vpin() over the trades appended since', async () => {
    await client(url).flushall();
    const bus = await redisBus(url, SHARDS);
    const before = new Map(KEYS.map((k, i) => [k, trades(k, 1500, 1_700_000_000_000, 11 + i)]));
    const after = new Map(KEYS.map((k, i) => [k, trades(k, 2500, 1_700_000_010_000, 101 + i)]));
    let cut: number;
    try {
      await publish(bus, before);
      await sleep(30);
      cut = Date.now();
      await sleep(30);
      await publish(bus, after);
    } finally {
      await bus.close();
    }
    const replay = replayJson(url, new Date(cut).toISOString());
    expect(await replay.exited, replay.out).toBe(0);
    const result = JSON.parse(replay.out) as {
      trades: number;
      symbols: Record<
        string,
        {
          bucket: number;
          startTs: number;
          endTs: number;
          duration: number;
          buyVolume: number;
          sellVolume: number;
          vpin: number | null;
          cdf: number | null;
        }[]
      >;
    };
    expect(result.trades).toBe(KEYS.length * 2500);
    const k = kernels({ backend: 'reference' });
    let buckets = 0;
    for (const key of KEYS) {
      const expected = k.vpin(after.get(key)!, ENGINE_VPIN);
      const got = result.symbols[key];
      expect(got.map((b) => b.bucket)).toEqual(got.map((_, i) => i));
      const column = (name: 'startTs' | 'endTs' | 'duration' | 'buyVolume' | 'sellVolume' | 'vpin' | 'cdf') =>
        Float64Array.from(got, (b) => b[name] ?? NaN);
      expect(column('startTs'), key).toEqual(expected.startTs);
      expect(column('endTs'), key).toEqual(expected.endTs);
      expect(column('duration'), key).toEqual(expected.duration);
      expect(column('buyVolume'), key).toEqual(expected.buyVolume);
      expect(column('sellVolume'), key).toEqual(expected.sellVolume);
      expect(column('vpin'), key).toEqual(expected.vpin);
      expect(column('cdf'), key).toEqual(expected.cdf);
      buckets += got.length;
    }
    expect(buckets).toBeGreaterThan(100);
    // The replay's group is gone; the streams keep their entries.
    const groups = (await client(url).xinfo('GROUPS', 'kb:{marketdata:0}:TRADE_EXECUTION')) as unknown[];
    expect(groups).toEqual([]);
  });

  it("kernelbus replay while a feed goes on publishing: it ends at the streams' ends as it started, the earlier buckets exact", async () => {
    await client(url).flushall();
    const bus = await redisBus(url, SHARDS);
    const tape = new Map(KEYS.map((k, i) => [k, trades(k, 2000, 1_700_000_000_000, 31 + i)]));
    let live = true;
    let published = 0;
    try {
      await publish(bus, tape);
      // A live feed: frames of another key every millisecond or so, until the replay has exited.
      const feeding = (async () => {
        for (let i = 0; live; i++) {
          const t = trades('LIVE', 20, 1_700_000_100_000 + i * 60, i);
          await bus.publish('TRADE_EXECUTION', { key: 'LIVE', ...t });
          published++;
          await sleep(1);
        }
        await bus.flush();
      })();
      await until(() => published > 20, 'the live feed to start');
      const replay = replayJson(url, '0');
      const code = await replay.exited;
      live = false;
      await feeding;
      expect(code, replay.out).toBe(0);
      const result = JSON.parse(replay.out) as {
        trades: number;
        skippedAfterTo: number;
        symbols: Record<string, { vpin: number | null }[]>;
      };
      // every trade of the tape, some of the live key's (those appended before the replay began), and the
      // live key's later frames skipped, not waited for
      expect(result.trades).toBeGreaterThan(KEYS.length * 2000);
      expect(result.trades).toBeLessThan(KEYS.length * 2000 + published * 20);
      expect(result.skippedAfterTo).toBeGreaterThan(0);
      const k = kernels({ backend: 'reference' });
      for (const key of KEYS)
        expect(
          Float64Array.from(result.symbols[key], (b) => b.vpin ?? NaN),
          key,
        ).toEqual(k.vpin(tape.get(key)!, ENGINE_VPIN).vpin);
    } finally {
      live = false;
      await bus.close();
    }
  });

  it('an operating command whose Redis stops answering: one line naming the server, exit 1, no stack', async () => {
    let printed = '';
    const err = new Writable({ write: (chunk, _, done) => ((printed += String(chunk)), done()) });
    // Redis paused (CLIENT PAUSE) past the command timeout (publishTimeoutMs, 2 s) once connected
    const code = await withRedis('replay', url, 'kb:', err, async (t) => {
      await client(url).client('PAUSE', 3000, 'ALL');
      await t.cmd.xrevrange('kb:{marketdata:0}:TRADE_EXECUTION', '+', '-', 'COUNT', 1);
      return 0;
    });
    expect(code).toBe(1);
    expect(printed).toMatch(
      /^kernelbus replay: redis:\/\/127\.0\.0\.1:\d+\S*: Command timed out \(Redis did not answer; is it up, or too busy\?\)\n$/,
    );
    await sleep(1500);
  });

  it('20 poison entries dead-lettered, the engine fixed, kernelbus dlq redrive: state equal to a run without faults, no dead letters left', async () => {
    await client(url).flushall();
    const poison = Array.from({ length: 20 }, (_, i) => `P${String(i).padStart(2, '0')}`);
    const byKey = new Map([...KEYS, ...poison].map((k, i) => [k, trades(k, poison.includes(k) ? 40 : 1500, 1_700_000_000_000, 7 + i)]));

    /** An engine with a bug: it refuses the trades of the P keys (as data a kernel rejects: dead-lettered at once). */
    class Faulty extends VpinEngine {
      protected override process(message: BusMessage): void {
        if (message.key.startsWith('P')) throw new KernelInputError('trades', 'trades this build can read', `${message.key} (a bug)`);
        super.process(message);
      }
    }
    const options = { vpin: ENGINE_VPIN, backend: 'reference' as const, heartbeatMs: 0, checkpointMs: 100 };
    const bus = await redisBus(url, SHARDS);
    const publisher = await redisBus(url, SHARDS);
    let fixed: VpinEngine | undefined;
    try {
      const faulty = new Faulty(bus, options).start();
      await faulty.ready();
      await publish(publisher, byKey);
      await until(
        () => bus.metrics().deadLettered === 20 * 40 && faulty.metrics().processed === KEYS.length * 1500,
        'the poison entries to be dead-lettered',
      );
      await faulty.stop();

      const list = new Command(['dlq', 'list', '--redis', url, '--json']);
      expect(await list.exited, list.out).toBe(0);
      const streams = (JSON.parse(list.out) as { streams: { stream: string; length: number }[] }).streams;
      expect(streams.reduce((n, s) => n + s.length, 0)).toBe(20);
      const show = new Command(['dlq', 'show', streams[0].stream, '--redis', url]);
      expect(await show.exited, show.out).toBe(0);
      expect(show.out).toMatch(
        /key P\d\d {2}40 messages .* TRADE_EXECUTION {2}from marketdata:TRADE_EXECUTION:\d \d+-\d+ {2}group vpin consumer vpin-1 {2}deliveries 1\n {2}invalid data: trades: expected trades this build can read, got P\d\d \(a bug\)/,
      );

      // The fix deployed: the same group, from its checkpoints; then the dead letters redriven.
      fixed = new VpinEngine(bus, options).start();
      await fixed.ready();
      for (const { stream } of streams) {
        const redrive = new Command(['dlq', 'redrive', stream, '--redis', url]);
        expect(await redrive.exited, redrive.out).toBe(0);
        expect(redrive.out).toMatch(/^redrove \d+ dead letters to marketdata:TRADE_EXECUTION:\d\n$/);
      }
      await until(
        () => poison.every((k) => fixed!.symbols().has(k)) && bus.backlog('TRADE_EXECUTION') === 0,
        'the redriven entries to be applied',
      );
      const empty = new Command(['dlq', 'list', '--redis', url, '--json']);
      expect(await empty.exited).toBe(0);
      expect(JSON.parse(empty.out).streams).toEqual([]);

      // The same trades without faults, in process.
      const memory = createBus({ shards: SHARDS });
      const clean = new VpinEngine(memory, { ...options, checkpointMs: 0 }).start();
      await publish(memory, byKey);
      await memory.drain();
      const view = (e: VpinEngine) =>
        Object.fromEntries(
          [...e.symbols()].map(([key, st]) => [
            key,
            { buckets: st.buckets, vpin: st.vpin, cdf: st.cdf, alerts: st.alerts, lastTs: st.lastTs },
          ]),
        );
      expect(view(fixed)).toEqual(view(clean));
      expect(Object.keys(view(clean)).length).toBe(KEYS.length + 20);
      await clean.close();
      await memory.close();
    } finally {
      await fixed?.stop();
      await bus.close();
      await publisher.close();
    }
  });
});
