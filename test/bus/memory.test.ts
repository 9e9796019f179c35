import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryTransport, type Entry } from '../../src/bus/index.js';
import { compareEntryIds } from '../../src/bus/transports/types.js';
import { KernelInputError } from '../../src/errors.js';
import { BusClosedError, FrameError } from '../../src/bus/errors.js';
import { nextTurn } from './helpers.js';

const bytes = (n: number) => new Uint8Array([n & 255]);
const entry = (key: string, n: number, count = 1) => ({ key, count, data: bytes(n) });

/** Publishes `perKey` entries for each key, interleaved, numbering them 0.. per key in data[0]. */
async function publishInterleaved(t: MemoryTransport, stream: string, keys: string[], perKey: number) {
  for (let i = 0; i < perKey; i++)
    await t.publish(
      stream,
      keys.map((k) => entry(k, i)),
    );
}

describe('MemoryTransport', () => {
  it('assigns increasing ids and delivers in a microtask, not inside publish', async () => {
    const t = new MemoryTransport();
    const seen: Entry[] = [];
    t.subscribe('s', 'g', 'c', (e) => void seen.push(e));
    const ids = await t.publish('s', [entry('a', 1), entry('a', 2), entry('b', 3)]);
    expect(ids).toHaveLength(3);
    expect(compareEntryIds(ids[0], ids[1])).toBeLessThan(0);
    expect(compareEntryIds(ids[1], ids[2])).toBeLessThan(0);
    expect(compareEntryIds(ids[2], ids[2])).toBe(0);
    const p = t.publish('s', [entry('a', 4)]);
    expect(seen).toHaveLength(3); // the fourth waits for the microtask
    await p;
    await t.idle();
    expect(seen.filter((e) => e.key === 'a').map((e) => e.data[0])).toEqual([1, 2, 4]);
    expect(seen.filter((e) => e.key === 'b').map((e) => e.data[0])).toEqual([3]);
    expect(seen.every((e) => e.deliveries === 1 && e.stream === 's')).toBe(true);
    await t.close();
  });

  it('compares ids numerically, not as strings', () => {
    expect(compareEntryIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareEntryIds('10-9', '10-10')).toBeLessThan(0);
    expect(compareEntryIds('11-0', '10-99')).toBeGreaterThan(0);
    expect(compareEntryIds('10-10', '10-09')).toBeGreaterThan(0);
    expect(compareEntryIds('1700000000000-5', '1700000000001-4')).toBeLessThan(0);
  });

  it('orders ids as their numbers do, of any lengths (the same lengths compared as strings)', () => {
    const id = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 0n, max: 10n ** 6n }));
    fc.assert(
      fc.property(id, id, ([ma, sa], [mb, sb]) => {
        const expected = ma !== mb ? (ma < mb ? -1 : 1) : sa === sb ? 0 : sa < sb ? -1 : 1;
        expect(Math.sign(compareEntryIds(`${ma}-${sa}`, `${mb}-${sb}`))).toBe(expected);
        // equal lengths, the fast path: the same ms and seq digits counts
        const width = (x: bigint, w: number) => (x % 10n ** BigInt(w)).toString().padStart(w, '1');
        const [a, b] = [`${width(ma, 13)}-${width(sa, 3)}`, `${width(mb, 13)}-${width(sb, 3)}`];
        expect(Math.sign(compareEntryIds(a, b))).toBe(Math.sign(Number(BigInt(a.replace('-', '')) - BigInt(b.replace('-', '')))));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives every group every entry once and shares a group between its consumers, keeping per-key order', async () => {
    const t = new MemoryTransport();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const byConsumer = new Map<string, Entry[]>();
    const handler = (name: string) => (e: Entry) => {
      if (!byConsumer.has(name)) byConsumer.set(name, []);
      byConsumer.get(name)!.push(e);
    };
    t.subscribe('s', 'g1', 'c1', handler('g1/c1'));
    t.subscribe('s', 'g1', 'c2', handler('g1/c2'));
    t.subscribe('s', 'g1', 'c3', handler('g1/c3'));
    t.subscribe('s', 'g2', 'only', handler('g2/only'));
    await publishInterleaved(t, 's', keys, 50);
    await t.idle();
    const g1 = ['g1/c1', 'g1/c2', 'g1/c3'].flatMap((c) => byConsumer.get(c) ?? []);
    const g2 = byConsumer.get('g2/only')!;
    expect(g1).toHaveLength(300);
    expect(g2).toHaveLength(300);
    expect(new Set(g1.map((e) => e.id)).size).toBe(300);
    // the group's work was shared: every consumer got keys
    for (const c of ['g1/c1', 'g1/c2', 'g1/c3']) expect(byConsumer.get(c)!.length).toBeGreaterThan(0);
    // a key stays with one consumer (affinity) and arrives in order
    for (const key of keys) {
      const holders = ['g1/c1', 'g1/c2', 'g1/c3'].filter((c) => byConsumer.get(c)!.some((e) => e.key === key));
      expect(holders).toHaveLength(1);
      const order = byConsumer
        .get(holders[0])!
        .filter((e) => e.key === key)
        .map((e) => e.data[0]);
      expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(g2.filter((e) => e.key === key).map((e) => e.data[0])).toEqual(order);
    }
    expect(t.metrics()).toMatchObject({ entries: 300, messages: 300, delivered: 600, acknowledged: 600, redelivered: 0, backlog: 0 });
    await t.close();
  });

  it('redelivers an entry whose handler threw to another consumer of the group, in order', async () => {
    const t = new MemoryTransport();
    const log: string[] = [];
    let failures = 0;
    const handler = (name: string) => (e: Entry) => {
      if (name === 'flaky' && e.data[0] === 2) {
        failures++;
        throw new Error('boom');
      }
      log.push(`${name}:${e.key}${e.data[0]}#${e.deliveries}`);
    };
    // 'k' goes to the first consumer (round-robin from the first)
    t.subscribe('s', 'g', 'flaky', handler('flaky'));
    t.subscribe('s', 'g', 'steady', handler('steady'));
    await t.publish('s', [entry('k', 1), entry('k', 2), entry('k', 3)]);
    await t.idle();
    expect(failures).toBe(1);
    expect(log).toEqual(['flaky:k1#1', 'steady:k2#2', 'steady:k3#1']);
    expect(t.metrics()).toMatchObject({ delivered: 4, acknowledged: 3, failed: 1, redelivered: 1, backlog: 0 });
    await t.close();
  });

  it('redelivers what a consumer held when it closes without acknowledging, and ignores its late ack', async () => {
    const t = new MemoryTransport();
    const log: string[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const slow = t.subscribe('s', 'g', 'slow', async (e) => {
      log.push(`slow:${e.data[0]}`);
      await stuck;
    });
    await t.publish('s', [entry('k', 1), entry('k', 2)]);
    await nextTurn();
    expect(log).toEqual(['slow:1']); // k2 waits behind k1 (one in flight per key)
    expect(t.backlog('s')).toBe(2);
    t.subscribe('s', 'g', 'fast', (e) => void log.push(`fast:${e.data[0]}#${e.deliveries}`));
    await nextTurn();
    expect(log).toEqual(['slow:1']); // still held by slow
    await slow.close();
    await t.idle();
    expect(log).toEqual(['slow:1', 'fast:1#2', 'fast:2#1']);
    release();
    await nextTurn();
    expect(t.metrics()).toMatchObject({ delivered: 3, acknowledged: 2, redelivered: 1, failed: 0, backlog: 0 });
    await t.close();
  });

  it("a consumer that leaves releases the keys it holds, and only those: another's stay in flight with it", async () => {
    const t = new MemoryTransport();
    const got: Record<string, string[]> = { a: [], b: [] };
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const handler = (name: 'a' | 'b') => async (e: Entry) => {
      got[name].push(`${e.key}${e.data[0]}#${e.deliveries}`);
      await stuck;
    };
    const a = t.subscribe('s', 'g', 'a', handler('a'));
    t.subscribe('s', 'g', 'b', handler('b'));
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    await t.publish(
      's',
      keys.map((k) => entry(k, 1)),
    );
    await nextTurn();
    // the keys shared between the two, one entry each in flight
    expect(got.a.length + got.b.length).toBe(6);
    expect(got.a.length).toBeGreaterThan(0);
    expect(got.b.length).toBeGreaterThan(0);
    const heldByA = got.a.map((s) => s.slice(0, 2)).sort();
    const bHeld = got.b.length;
    await a.close();
    await nextTurn();
    // a's keys again to b (their second delivery), b's own not again
    expect(got.b.slice(bHeld).sort()).toEqual(heldByA.map((k) => `${k}1#2`));
    release();
    await t.idle();
    expect(t.metrics()).toMatchObject({ delivered: 6 + heldByA.length, acknowledged: 6, redelivered: heldByA.length, backlog: 0 });
    await t.close();
  });

  it('moves an entry to <stream>:dlq after maxDeliveries failures and goes on with the key', async () => {
    const t = new MemoryTransport({ maxDeliveries: 3 });
    const ok: number[] = [];
    let attempts = 0;
    t.subscribe('s', 'g', 'c', (e) => {
      if (e.data[0] === 1) {
        attempts++;
        throw new Error('poison');
      }
      ok.push(e.data[0]);
    });
    const dead: Entry[] = [];
    t.subscribe('s:dlq', 'ops', 'c', (e) => void dead.push(e));
    await t.publish('s', [entry('k', 1, 5), entry('k', 2)]);
    await t.idle();
    expect(attempts).toBe(3);
    expect(ok).toEqual([2]);
    expect(dead.map((e) => [e.key, e.count, e.data[0]])).toEqual([['k', 5, 1]]);
    // acknowledged: entry 2 (1 message) and the dead letter by the 'ops' group (5)
    expect(t.metrics()).toMatchObject({ deadLettered: 5, failed: 15, acknowledged: 6, backlog: 0 });
    await t.close();
  });

  it('dead-letters at its first delivery an entry whose handler fails for good (KernelInputError, FrameError): no retry cures it', async () => {
    const t = new MemoryTransport({ maxDeliveries: 5 });
    const attempts = new Map<number, number>();
    const ok: number[] = [];
    t.subscribe('s', 'g', 'c', (e) => {
      const n = e.data[0];
      attempts.set(n, (attempts.get(n) ?? 0) + 1);
      if (n === 1) throw new KernelInputError('trades.price', 'finite prices', 'price[0] = NaN');
      if (n === 2) return Promise.reject(new FrameError('type RISK_ALERT on a stream of TRADE_EXECUTION'));
      ok.push(n);
    });
    const dead: Entry[] = [];
    t.subscribe('s:dlq', 'ops', 'c', (e) => void dead.push(e));
    await t.publish('s', [entry('k', 0), entry('k', 1), entry('k', 2), entry('k', 3)]);
    await t.idle();
    expect(ok).toEqual([0, 3]);
    expect([...attempts]).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(dead.map((e) => e.data[0])).toEqual([1, 2]);
    expect(t.metrics()).toMatchObject({ deadLettered: 2, failed: 2, redelivered: 0 });
    await t.close();
  });

  it('keeps entries published before any group for the first group; later groups start at new entries', async () => {
    const t = new MemoryTransport({ retainUnclaimed: 3 });
    await t.publish('s', [entry('a', 1), entry('a', 2), entry('a', 3), entry('a', 4)]);
    expect(t.metrics().discarded).toBe(1); // trimmed beyond retainUnclaimed
    expect(t.backlog('s')).toBe(0); // nobody awaits them
    const first: number[] = [];
    const second: number[] = [];
    t.subscribe('s', 'first', 'c', (e) => void first.push(e.data[0]));
    t.subscribe('s', 'second', 'c', (e) => void second.push(e.data[0]));
    await t.publish('s', [entry('a', 5)]);
    await t.idle();
    expect(first).toEqual([2, 3, 4, 5]);
    expect(second).toEqual([5]);
    await t.close();
  });

  it('tells settle listeners once per entry, when every group has acknowledged it', async () => {
    const t = new MemoryTransport();
    const settled: string[] = [];
    t.onSettle((stream, key, count) => settled.push(`${stream}/${key}/${count}`));
    let releaseSlow!: () => void;
    const slowDone = new Promise<void>((resolve) => (releaseSlow = resolve));
    t.subscribe('s', 'fast', 'c', () => {});
    t.subscribe('s', 'slow', 'c', () => slowDone);
    await t.publish('s', [entry('a', 1, 10)]);
    await nextTurn();
    expect(settled).toEqual([]);
    expect(t.backlog('s')).toBe(10); // the slow group's share
    releaseSlow();
    await t.idle();
    expect(settled).toEqual(['s/a/10']);
    expect(t.backlog()).toBe(0);
    await t.close();
  });

  it('deletes an auto group on request: what it had not acknowledged is discarded', async () => {
    const t = new MemoryTransport();
    const sub = t.subscribe('s', 'g', 'c', () => new Promise<void>(() => {}));
    await t.publish('s', [entry('a', 1, 4), entry('a', 2, 4)]);
    await nextTurn();
    expect(t.backlog('s')).toBe(8);
    await sub.close({ deleteGroup: true });
    expect(t.backlog('s')).toBe(0);
    expect(t.metrics().discarded).toBe(8);
    await t.close();
  });

  it('idle() ignores groups without consumers; close() rejects later publishes', async () => {
    const t = new MemoryTransport();
    const sub = t.subscribe('s', 'g', 'c', () => {});
    await sub.close();
    await t.publish('s', [entry('a', 1)]);
    await t.idle();
    expect(t.backlog('s')).toBe(1);
    await t.close();
    expect(t.healthy).toBe(false);
    await expect(t.publish('s', [entry('a', 2)])).rejects.toThrow(BusClosedError);
    expect(() => t.subscribe('s', 'g', 'c', () => {})).toThrow(/^transport is closed$/);
  });

  it('checks its options', () => {
    expect(() => new MemoryTransport({ maxDeliveries: 0 })).toThrow(KernelInputError);
    expect(() => new MemoryTransport({ maxDeliveries: 0 })).toThrow(/^options.maxDeliveries: expected an integer >= 1, got 0$/);
    expect(() => new MemoryTransport({ retainUnclaimed: -1 })).toThrow(/^options.retainUnclaimed: expected an integer >= 0, got -1$/);
  });
});
