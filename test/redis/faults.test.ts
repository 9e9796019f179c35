/**
 * RedisTransport under faults, against real redis-server processes: a consumer process killed with
 * SIGKILL, Redis killed and restarted (appendonly), an outage, and a primary that stops answering while
 * a failover router publishes. No timing assertions: measured times are printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { TransportError, type RedisTransport } from '../../src/bus/transports/redis/index.js';
import type { OutgoingEntry } from '../../src/bus/transports/types.js';
import { client, closeAll, keysOf, sleep, tearDown, transport, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { applyOnce, batchEntry, effects, seqs, tradeEntry } from './helpers.js';
import { nextTurn } from '../bus/helpers.js';

const CHILD = fileURLToPath(new URL('./consumer-child.ts', import.meta.url));

describeRedis('RedisTransport under faults', () => {
  let server: RedisServer;
  let url: string;
  const extra: RedisServer[] = [];
  const children: ChildProcess[] = [];
  let prefixN = 0;
  const prefix = () => `kb:f${++prefixN}:`;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closeAll();
    await Promise.all(extra.splice(0).map((s) => s.stop()));
  });
  afterAll(() => tearDown(server));

  it('a consumer process killed with SIGKILL mid-stream: another consumer takes over its streams and claims its pending entries; exact counts, nothing applied twice', async () => {
    const p = prefix();
    const streams = ['trades:0', 'trades:1', 'trades:2', 'trades:3'];
    const redis = client(url);
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, p, 'vpin', 'child', streams.join(',')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => out.includes('ready'), 'the child consumer to start');
    await until(async () => (await holders(redis, p, streams, 'vpin')).every((h) => h === 'child'), 'the child to hold every stream');

    // 8 keys (2 per stream) x 200 frames of 5 rows, published up front.
    const pub = transport(url, { prefix: p });
    const perKey = new Map<string, number>();
    let entries = 0;
    for (let round = 0; round < 200; round++) {
      await Promise.all(
        streams.map((s, i) => {
          const batch: OutgoingEntry[] = [`K${i}a`, `K${i}b`].map((k) => batchEntry(k, round * 5, 5));
          for (const e of batch) perKey.set(e.key, (perKey.get(e.key) ?? 0) + e.count);
          entries += batch.length;
          return pub.publish(s, batch);
        }),
      );
    }
    const survivorRedis = client(url);
    const survivor = transport(url, { prefix: p, readCount: 16 });
    for (const s of streams) survivor.subscribe(s, 'vpin', 'survivor', (e) => applyOnce(survivorRedis, p, e, 'survivor'));

    await until(async () => (await effects(redis, p)).applied >= entries * 0.3, 'the child to be mid-stream');
    child.kill('SIGKILL');
    const killedAt = performance.now();
    await exited;
    // What the child had read and not acknowledged (none if it was between batches): the survivor's to claim.
    let childPending = 0;
    for (const s of streams)
      childPending += ((await redis.xpending(keysOf(p).stream(s), 'vpin', '-', '+', 10_000, 'child')) as unknown[]).length;
    await until(
      async () => (await holders(redis, p, streams, 'vpin')).every((h) => h === 'survivor'),
      'the survivor to take every stream',
      20_000,
      2,
    );
    const takeoverMs = performance.now() - killedAt;
    await pub.idle();

    const fx = await effects(redis, p);
    expect(fx.applied).toBe(entries);
    expect(fx.counts).toEqual(Object.fromEntries(perKey));
    expect(fx.stats.outOfOrder ?? 0).toBe(0);
    expect(fx.stats['by:child']).toBeGreaterThan(0);
    expect(fx.stats['by:survivor']).toBeGreaterThan(0);
    expect(fx.stats['by:child'] + fx.stats['by:survivor']).toBe(entries * 5);
    const m = survivor.metrics();
    expect(m.claimed).toBeGreaterThanOrEqual(childPending);
    expect(await redis.xpending(keysOf(p).stream(streams[0]), 'vpin')).toEqual([0, null, null, null]);
    console.log(
      `[redis] SIGKILL takeover: ${takeoverMs.toFixed(0)} ms after the kill (claimIdleMs 300); child applied ${fx.stats['by:child']} messages, ` +
        `survivor ${fx.stats['by:survivor']}; ${m.claimed} entries claimed (${childPending} pending on the child at the kill), ${fx.stats.duplicates ?? 0} redeliveries of applied entries skipped by id`,
    );
  });

  it('Redis killed and restarted (appendonly yes): clients reconnect and go on; no acknowledged message is lost', async () => {
    const aof = await RedisServer.start({ appendonly: true });
    extra.push(aof);
    const aofUrl = aof.url();
    const p = prefix();
    const pub = transport(aofUrl, { prefix: p, publishTimeoutMs: 5000, reconnectMaxMs: 100 });
    const con = transport(aofUrl, { prefix: p, reconnectMaxMs: 100 });
    const got: number[] = [];
    con.subscribe('s', 'g', 'c', (e) => void got.push(...seqs(e)));
    await con.ready();
    const acknowledged = new Set<number>();
    let failures = 0;
    let next = 0;
    let stop = false;
    const publisher = (async () => {
      while (!stop) {
        const seq = next++;
        for (;;) {
          try {
            await pub.publish('s', [tradeEntry('k', seq)]);
            acknowledged.add(seq);
            break;
          } catch (error) {
            expect(error).toBeInstanceOf(TransportError); // never anything else, never silence
            failures++;
            await sleep(10);
          }
        }
        await sleep(1);
      }
    })();
    await until(() => acknowledged.size >= 200, 'publishing before the restart');
    await aof.halt('SIGKILL');
    const down = performance.now();
    await aof.restart();
    const before = acknowledged.size;
    await until(() => acknowledged.size >= before + 200, 'publishing after the restart');
    const resumedMs = performance.now() - down;
    stop = true;
    await publisher;
    await pub.idle();
    const unique = new Set(got);
    for (const seq of acknowledged) expect(unique.has(seq)).toBe(true);
    expect(unique.size).toBe(next);
    for (let i = 1; i < got.length; i++) expect(got[i]).toBeGreaterThanOrEqual(got[i - 1]); // in order (a retried publish may repeat one)
    expect(pub.metrics().reconnects).toBeGreaterThan(0);
    expect(con.metrics()).toMatchObject({ groupsRecreated: 0, possibleLoss: false });
    console.log(
      `[redis] restart: ${next} messages published, all consumed; ${failures} publishes rejected during the outage and retried, ` +
        `${got.length - unique.size} duplicates; publishing resumed ${resumedMs.toFixed(0)} ms after the kill`,
    );
  });

  it('an outage: a publish waits up to publishTimeoutMs, then rejects with TransportError; publishing resumes when Redis is back', async () => {
    const s = await RedisServer.start();
    extra.push(s);
    const pub = transport(s.url(), { prefix: prefix(), publishTimeoutMs: 1000, reconnectMaxMs: 50 });
    await pub.publish('s', [tradeEntry('k', 0)]);
    await s.halt();
    await until(() => !pub.healthy && pub.cmd.status !== 'ready', 'the transport to notice');
    const started = performance.now();
    await expect(pub.publish('s', [tradeEntry('k', 1)])).rejects.toMatchObject({
      name: 'TransportError',
      code: 'unavailable',
      retryable: true,
    });
    const waitedMs = performance.now() - started;
    const late = pub.publish('s', [tradeEntry('k', 2)]);
    await sleep(100);
    await s.restart();
    await expect(late).resolves.toHaveLength(1);
    await expect(pub.publish('s', [tradeEntry('k', 3)])).resolves.toHaveLength(1);
    await until(() => pub.healthy, 'health to return');
    expect(pub.metrics().publishErrors).toBe(1);
    console.log(
      `[redis] outage: publish rejected after ${waitedMs.toFixed(0)} ms (publishTimeoutMs 1000); the next one waited for the restart and succeeded`,
    );
  });

  it("two Redis instances, the primary stops answering mid-stream (SIGSTOP): 'healthy' flips, traffic moves to the secondary and back; nothing lost", async () => {
    const primary = await RedisServer.start();
    const secondary = await RedisServer.start();
    extra.push(primary, secondary);
    const p = prefix();
    const pubs = [transport(primary.url(), { prefix: p }), transport(secondary.url(), { prefix: p })];
    const cons = [transport(primary.url(), { prefix: p }), transport(secondary.url(), { prefix: p })];
    const got: number[] = [];
    for (const c of cons) c.subscribe('s', 'g', 'c', (e) => void got.push(...seqs(e)));
    await Promise.all([...pubs, ...cons].map((t) => t.ready()));
    // A router that moves traffic by health watches it (a PING every 20 ms), as a 'failover' bus does.
    for (const t of pubs) t.watchHealth();
    await until(() => pubs.every((t) => t.healthy), 'both healthy');
    /** The 'failover' rule: the primary while healthy, else the secondary. */
    const route = (): RedisTransport => (pubs[0].healthy ? pubs[0] : pubs[1]);
    const sentTo = [0, 0];
    let next = 0;
    let retried = 0;
    let stop = false;
    const inFlight = new Set<Promise<void>>();
    /** Publishes one message as a bus does: routed at send time, not awaited by the next one, retried (re-routed) when refused. */
    const send = async (seq: number): Promise<void> => {
      for (;;) {
        const t = route();
        try {
          await t.publish('s', [tradeEntry('k', seq)]);
          sentTo[t === pubs[0] ? 0 : 1]++;
          return;
        } catch (error) {
          expect(error).toBeInstanceOf(TransportError);
          retried++;
        }
      }
    };
    const publisher = (async () => {
      while (!stop) {
        const p = send(next++);
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        if (inFlight.size >= 64) await Promise.race(inFlight);
        await nextTurn();
      }
      await Promise.all(inFlight);
    })();
    await until(() => sentTo[0] >= 300, 'traffic on the primary');
    primary.pause();
    const stoppedAt = performance.now();
    await until(() => !pubs[0].healthy, 'the primary to turn unhealthy', 5000, 0);
    const switchMs = performance.now() - stoppedAt;
    const onSecondary = sentTo[1];
    await until(() => sentTo[1] >= onSecondary + 300, 'traffic on the secondary');
    primary.resume();
    const resumedAt = performance.now();
    await until(() => pubs[0].healthy, 'the primary to be healthy again', 5000, 0);
    const backMs = performance.now() - resumedAt;
    const onPrimary = sentTo[0];
    await until(() => sentTo[0] >= onPrimary + 300, 'traffic back on the primary');
    stop = true;
    await publisher;
    await Promise.all(pubs.map((t) => t.idle()));
    const unique = new Set(got);
    expect(unique.size).toBe(next);
    for (let seq = 0; seq < next; seq++) expect(unique.has(seq)).toBe(true);
    expect(got.length - unique.size).toBeLessThanOrEqual(retried); // duplicates only from publishes retried after an ambiguous timeout
    expect(pubs[0].metrics().healthFailures).toBeGreaterThan(0);
    console.log(
      `[redis] failover: primary unhealthy ${switchMs.toFixed(1)} ms after SIGSTOP (health check every 20 ms, 60 ms timeout), ` +
        `healthy again ${backMs.toFixed(1)} ms after SIGCONT; ${next} messages, ${sentTo[0]} via the primary, ${sentTo[1]} via the secondary, ` +
        `${retried} publishes timed out on the stopped primary and were retried on the secondary (${got.length - unique.size} duplicates when it resumed), none lost`,
    );
  });
});

/** Which consumer holds each stream's lease for `group` ('' when none). */
async function holders(redis: ReturnType<typeof client>, prefix: string, streams: string[], group: string): Promise<string[]> {
  const values = await Promise.all(streams.map((s) => redis.get(keysOf(prefix).lease(s, group))));
  return values.map((v) => (v ?? '').split(':')[0]);
}
