/** Shared pieces of the Redis transport tests. */
import { Redis } from 'ioredis';
import { decodeFrame, encodeTradesFrame } from '../../src/bus/frames.js';
import { RedisTransport, type RedisTransportOptions } from '../../src/bus/transports/redis.js';
import type { Entry, OutgoingEntry } from '../../src/bus/transports/types.js';

/** Transports and clients opened by a test file, closed by closeAll() in afterAll/afterEach. */
const open: { close(): Promise<unknown> }[] = [];

/** A transport with test-friendly timings, closed by closeAll(). */
export function transport(url: string, options: RedisTransportOptions = {}): RedisTransport {
  const t = new RedisTransport({ url, claimIdleMs: 300, blockMs: 50, ...options });
  open.push(t);
  return t;
}

/** A plain ioredis client (to inspect or tamper with Redis), closed by closeAll(). */
export function client(url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(20 * n, 200) });
  c.on('error', () => {});
  open.push({ close: async () => c.disconnect() });
  return c;
}

/** Closes everything opened with transport() and client(). */
export async function closeAll(): Promise<void> {
  const all = open.splice(0);
  await Promise.all(all.map((o) => o.close()));
}

/** A one-row trade frame whose ts column carries a sequence number (per key). */
export function tradeEntry(key: string, seq: number): OutgoingEntry {
  const data = encodeTradesFrame({
    type: 'TRADE_EXECUTION', key, ts: new Float64Array([seq]), price: new Float64Array([100 + seq / 1000]), volume: new Float64Array([1]),
  });
  return { key, count: 1, data };
}

/** A trade frame of `rows` rows (ts = first..first+rows-1). */
export function batchEntry(key: string, first: number, rows: number): OutgoingEntry {
  const ts = new Float64Array(rows).map((_, i) => first + i);
  const data = encodeTradesFrame({ type: 'TRADE_EXECUTION', key, ts, price: new Float64Array(rows).fill(100), volume: new Float64Array(rows).fill(1) });
  return { key, count: rows, data };
}

/** The sequence numbers (ts column) of a delivered trade frame. */
export function seqs(entry: Entry): number[] {
  const frame = decodeFrame(entry.data);
  if (frame.kind !== 'trades') throw new Error('not a trade frame');
  return Array.from(frame.columns.ts);
}

/** Resolves when `predicate` holds, polling every `everyMs`; rejects with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
