/** Entries, effects and error checks of the Redis transport tests (servers and connections: ../helpers/redis.ts). */
import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { decodeFrame, encodeTradesFrame } from '../../src/bus/frames.js';
import type { Entry, OutgoingEntry } from '../../src/bus/transports/types.js';

/** A one-row trade frame whose ts column carries a sequence number (per key). */
export function tradeEntry(key: string, seq: number): OutgoingEntry {
  const data = encodeTradesFrame({
    type: 'TRADE_EXECUTION',
    key,
    ts: new Float64Array([seq]),
    price: new Float64Array([100 + seq / 1000]),
    volume: new Float64Array([1]),
  });
  return { key, count: 1, data };
}

/** A trade frame of `rows` rows (ts = first..first+rows-1). */
export function batchEntry(key: string, first: number, rows: number): OutgoingEntry {
  const ts = new Float64Array(rows).map((_, i) => first + i);
  const data = encodeTradesFrame({
    type: 'TRADE_EXECUTION',
    key,
    ts,
    price: new Float64Array(rows).fill(100),
    volume: new Float64Array(rows).fill(1),
  });
  return { key, count: rows, data };
}

/** The sequence numbers (ts column) of a delivered trade frame. */
export function seqs(entry: Entry): number[] {
  const frame = decodeFrame(entry.data);
  if (frame.kind !== 'trades') throw new Error('not a trade frame');
  return Array.from(frame.columns.ts);
}

/**
 * An idempotent effect per entry id, as an engine would apply it: counts the entry's messages per key
 * once (a redelivered entry already applied is counted in `duplicates` and skipped) and checks that
 * each key's sequence numbers arrive in order (`outOfOrder`). Keys under `<prefix>fx:`.
 */
const APPLY_ONCE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then redis.call('HINCRBY', KEYS[4], 'duplicates', 1) return 0 end
local last = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '-1')
if tonumber(ARGV[4]) ~= last + 1 then redis.call('HINCRBY', KEYS[4], 'outOfOrder', 1) end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[5])
redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
redis.call('HINCRBY', KEYS[4], 'by:' .. ARGV[6], ARGV[3])
return 1`;

/** Applies an entry's effect once per entry id (see APPLY_ONCE); `who` names the consumer in the stats. */
export async function applyOnce(redis: Redis, prefix: string, entry: Entry, who: string): Promise<void> {
  const s = seqs(entry);
  const fx = `${prefix}fx:`;
  await redis.eval(
    APPLY_ONCE,
    4,
    `${fx}processed`,
    `${fx}counts`,
    `${fx}last`,
    `${fx}stats`,
    `${entry.stream}/${entry.id}`,
    entry.key,
    entry.count,
    s[0],
    s[s.length - 1],
    who,
  );
}

/** The effect's results: messages per key, entries applied, and the stats hash. */
export async function effects(
  redis: Redis,
  prefix: string,
): Promise<{ counts: Record<string, number>; applied: number; stats: Record<string, number> }> {
  const fx = `${prefix}fx:`;
  const toNumbers = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  return {
    counts: toNumbers(await redis.hgetall(`${fx}counts`)),
    applied: await redis.scard(`${fx}processed`),
    stats: toNumbers(await redis.hgetall(`${fx}stats`)),
  };
}

/**
 * Each call throws a KernelInputError whose message matches its pattern and never shows `secret`
 * (options errors must not echo a password).
 */
export function expectInputErrors(cases: [() => unknown, RegExp][], secret: string): void {
  for (const [make, message] of cases) {
    let error: unknown;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error, String(message)).toBeInstanceOf(KernelInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(secret);
  }
}
