/**
 * Where every consumer group of a bus's streams stands (for `kernelbus status` and the lag gauges):
 * for each stream under the prefix, any process's, its length, its dead letters, and per group the
 * entries not yet delivered (XINFO GROUPS `lag` on Redis >= 7, else counted after the group's
 * last-delivered id), the pending entries, the oldest one's age, and its consumers.
 */
import type { Cluster, Redis } from 'ioredis';
import { DEAD_LETTER_SUFFIX } from '../types.js';
import type { RedisClient } from './client.js';
import type { RedisKeys } from './keys.js';

/** What status() needs of a transport (RedisTransport has it). */
export interface StatusSource {
  readonly cmd: RedisClient;
  readonly keys: RedisKeys;
  readonly cluster: boolean;
}

/** A consumer of a group. */
export interface ConsumerStatus {
  name: string;
  /** Entries delivered to it and not acknowledged. */
  pending: number;
  /** Milliseconds since it last read or was delivered to. */
  idleMs: number;
}

/** One consumer group of one stream. */
export interface GroupStatus {
  /** The stream's bus ('' for a stream of another name). */
  bus: string;
  /** The stream as the bus names it (`marketdata:TRADE_EXECUTION:0`). */
  stream: string;
  /** Its Redis key. */
  key: string;
  group: string;
  /** Entries in the stream. */
  length: number;
  /** Entries not yet delivered to the group. */
  lag: number;
  /** Whether `lag` came from Redis (>= 7) or was counted from the last-delivered id. */
  lagSource: 'redis' | 'counted';
  /** Entries delivered and not acknowledged. */
  pending: number;
  /** Age of the oldest pending entry (by its id's time, on the server's clock), seconds; 0 when none. */
  oldestPendingSeconds: number;
  /** The group's last-delivered id. */
  lastDelivered: string;
  /** Entries in the stream's dead-letter stream. */
  deadLetters: number;
  consumers: ConsumerStatus[];
}

/** A stream with no group yet still shows, with group ''. */
const NO_GROUP = '';

/** Counting what a group has not been delivered stops here (Redis < 7, or a lag Redis cannot tell after deletions). */
const COUNT_CAP = 1_000_000;

/** A flat [field, value, ...] reply as an object. */
export function record(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const list = reply as unknown[];
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
  return out;
}

/**
 * The keys of every stream under the prefix whose key ends with `suffix` (every primary of a cluster),
 * sorted.
 */
export async function streamKeys(source: StatusSource, suffix = ''): Promise<string[]> {
  const nodes = source.cluster ? (source.cmd as Cluster).nodes('master') : [source.cmd as Redis];
  const pattern = `${source.keys.prefix.replace(/[*?[\]\\]/g, '\\$&')}{*${suffix}`;
  const keys = new Set<string>();
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000, 'TYPE', 'stream');
      cursor = next;
      for (const k of found) keys.add(k);
    } while (cursor !== '0');
  }
  return [...keys].sort();
}

/** Entries of `key` after `id`, counted (up to COUNT_CAP). */
async function countAfter(cmd: RedisClient, key: string, id: string): Promise<number> {
  let n = 0;
  let from = `(${id}`;
  while (n < COUNT_CAP) {
    const batch = (await cmd.xrange(key, from, '+', 'COUNT', 1000)) as [string, string[]][];
    n += batch.length;
    if (batch.length < 1000) break;
    from = `(${batch[batch.length - 1][0]}`;
  }
  return n;
}

/** The milliseconds of an entry id. */
export const idMs = (id: string) => Number(id.slice(0, id.indexOf('-')));

/** Every consumer group of every stream under the transport's prefix, in key order (then group). */
export async function streamStatus(source: StatusSource): Promise<GroupStatus[]> {
  const { cmd } = source;
  const [seconds, micros] = (await cmd.time()) as [string, string] | [number, number];
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const all = await streamKeys(source);
  const present = new Set(all);
  const out: GroupStatus[] = [];
  for (const key of all) {
    const named = source.keys.parseStream(key);
    if (!named) continue;
    const dlqKey = key + DEAD_LETTER_SUFFIX;
    const [length, deadLetters, groups] = await Promise.all([
      cmd.xlen(key),
      present.has(dlqKey) ? cmd.xlen(dlqKey) : Promise.resolve(0),
      cmd.xinfo('GROUPS', key) as Promise<unknown[]>,
    ]);
    const base = { bus: named.bus, stream: named.stream, key, length, deadLetters };
    if (groups.length === 0) {
      out.push({
        ...base,
        group: NO_GROUP,
        lag: length,
        lagSource: 'counted',
        pending: 0,
        oldestPendingSeconds: 0,
        lastDelivered: '0-0',
        consumers: [],
      });
      continue;
    }
    for (const raw of groups) {
      const g = record(raw);
      const group = String(g.name);
      const lastDelivered = String(g['last-delivered-id']);
      const redisLag = g.lag;
      const [lag, summary, consumers] = await Promise.all([
        typeof redisLag === 'number' ? Promise.resolve(redisLag) : countAfter(cmd, key, lastDelivered),
        cmd.xpending(key, group) as Promise<[number, string | null, string | null, unknown]>,
        cmd.xinfo('CONSUMERS', key, group) as Promise<unknown[]>,
      ]);
      const oldest = summary[1];
      out.push({
        ...base,
        group,
        lag,
        lagSource: typeof redisLag === 'number' ? 'redis' : 'counted',
        pending: Number(summary[0]),
        oldestPendingSeconds: oldest ? Math.max(0, (now - idMs(oldest)) / 1000) : 0,
        lastDelivered,
        consumers: consumers.map((c) => {
          const r = record(c);
          return { name: String(r.name), pending: Number(r.pending), idleMs: Number(r.idle) };
        }),
      });
    }
  }
  return out;
}
