/**
 * Transports say what they can do (Transport.capabilities) and the bus asks instead of testing classes:
 * the in-process transport, the Redis transport, a transport that states nothing, and the bus's
 * one-publish-per-stream rule following `serialPublish`.
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { MemoryTransport } from '../../src/bus/transports/memory.js';
import { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { capabilitiesOf, UNSTATED_CAPABILITIES, type Transport, type TransportCapabilities } from '../../src/bus/transports/types.js';
import { nextTurn, TestTransport } from './helpers.js';

const T = 'TRADE_EXECUTION';

/** A TestTransport (a delayed MemoryTransport) that states its capabilities. */
class StatingTransport extends TestTransport {
  constructor(readonly capabilities: TransportCapabilities) {
    super();
  }
}

describe('transport capabilities', () => {
  it('the in-process transport stores at once, keeps its entries in the process and offers no offsets, leases or checkpoints', async () => {
    const t: Transport = new MemoryTransport();
    expect(capabilitiesOf(t)).toEqual({
      serialPublish: false,
      durableOffsets: false,
      leases: false,
      checkpoints: false,
      processLocal: true,
    });
    expect(t.leaseCount).toBeUndefined();
    expect(t.checkpointStore).toBeUndefined();
    await t.close();
  });

  it('the Redis transport stores asynchronously, keeps offsets, moves streams by lease and stores checkpoints', async () => {
    const t = new RedisTransport({ url: 'redis://127.0.0.1:1/2', redis: { lazyConnect: true } });
    try {
      expect(capabilitiesOf(t)).toEqual({ serialPublish: true, durableOffsets: true, leases: true, checkpoints: true });
      expect(t.leaseCount).toBe(0);
      expect(t.target).toBe('redis://127.0.0.1:1/2');
      const conn = t.openConnection('tools', { lazyConnect: true }) as Redis; // a Cluster client on a cluster
      expect(conn.options.connectionName).toBe('kernelbus-tools');
      expect([conn.options.host, conn.options.port, conn.options.db]).toEqual(['127.0.0.1', 1, 2]);
      conn.disconnect();
    } finally {
      await t.close();
    }
  });

  it('a transport that states nothing is taken to store asynchronously and to offer nothing more', () => {
    const t = new TestTransport();
    expect('capabilities' in t).toBe(false);
    expect(capabilitiesOf(t)).toBe(UNSTATED_CAPABILITIES);
    expect(UNSTATED_CAPABILITIES).toEqual({ serialPublish: true, durableOffsets: false, leases: false, checkpoints: false });
  });

  it.each([
    ['serialPublish true: one publish per stream in flight, entries tagged for a retry stored once', true],
    ['serialPublish false: publishes do not wait for each other, entries untagged', false],
  ])('the bus follows %s', async (_, serialPublish) => {
    const t = new StatingTransport({ ...UNSTATED_CAPABILITIES, serialPublish });
    t.delayMs = 40;
    const bus = createBus({ buses: ['marketdata'], transports: { marketdata: t } });
    let delivered = 0;
    bus.subscribe(T, (m) => void (delivered += m.count), { group: 'g' });
    await bus.publish(T, { key: 'a', ts: 1, price: 1, volume: 1 });
    await nextTurn(); // the first publish is in flight for 40 ms
    await bus.publish(T, { key: 'a', ts: 2, price: 1, volume: 1 });
    await nextTurn();
    expect(t.calls.length).toBe(serialPublish ? 1 : 2);
    await bus.drain();
    expect(t.calls.length).toBe(2);
    for (const call of t.calls) {
      for (const e of call.entries) {
        expect(typeof e.producer === 'string' && Number.isSafeInteger(e.seq)).toBe(serialPublish);
      }
    }
    expect(delivered).toBe(2);
    await bus.close();
  });
});
