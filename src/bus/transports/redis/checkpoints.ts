/**
 * Engine checkpoints in Redis, beside the streams they describe (see docs/redis.md), tagged per group
 * (an engine's: ./keys.ts), so that one MULTI writes them on a cluster too:
 *
 * - `<prefix>{group:<group>}:ckpt:<stream>`, a hash: per key, the id of the last entry applied to that
 *   key's state and the state itself (the engine's bytes, e.g. a `vpinStream` snapshot);
 * - `<prefix>{group:<group>}:ckpt`, a hash: per stream, where a replay must start (an XRANGE start:
 *   `(<id>` exclusive or `<id>` inclusive): every entry before it is in the key records or still pending;
 * - `<prefix>{group:<group>}:ckpt-delta:<stream>`, a hash: incremental checkpoints, per key the changes
 *   written since its record, fields `<key>\u0000<n>` (n = 1, 2, ...); a whole record written again
 *   (compaction) deletes them in the same MULTI, so a key is always its record plus its deltas 1..n;
 * - `<prefix>{group:<group>}:ckpt-config`, a string: the configuration that shaped the state (JSON).
 *
 * A checkpoint is written every `checkpointMs` (after the outputs of what it covers are stored) and when
 * the engine stops. When an engine starts reading a stream (it starts, or takes the stream over from
 * another engine of its group), it loads the records, keeps its own state for a key when that is newer,
 * and replays from the stream the entries its group acknowledged after the checkpoint: the entries the
 * previous reader applied but did not checkpoint. Entries still pending are not replayed: the transport
 * delivers them. So a key's state is exactly its acknowledged entries, each applied once.
 */
import {
  compareEntryIds,
  type CheckpointStore,
  type KeyRecord,
  type RecordWrite,
  type ReplayEntry,
  type StreamCheckpoint,
  type StreamWrite,
} from '../types.js';
import type { RedisClient } from './client.js';
import type { RedisKeys } from './keys.js';
import { parseEntry } from './fields.js';
import { isPack } from './pack.js';

const PAGE = 512;

/** Record bytes: u16 LE id length, the id (latin1), the state. */
function encodeRecord(id: string, state: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(2 + id.length + state.byteLength);
  out.writeUInt16LE(id.length, 0);
  out.write(id, 2, 'latin1');
  out.set(state, 2 + id.length);
  return out;
}

function decodeRecord(bytes: Buffer): KeyRecord | undefined {
  if (bytes.length < 2) return undefined;
  const n = bytes.readUInt16LE(0);
  if (bytes.length < 2 + n) return undefined;
  const id = bytes.toString('latin1', 2, 2 + n);
  if (!/^\d+-\d+$/.test(id)) return undefined;
  return { id, bytes: bytes.subarray(2 + n) };
}

/** What loadConfig() gives for checkpoints written before configurations were stored with them. */
export const UNKNOWN_CONFIG = JSON.stringify({ configuration: 'unknown (checkpoints written before configurations were stored)' });

/** The field of a key's delta number `n`. */
const deltaField = (key: string, n: number) => `${key}\u0000${n}`;

/** The key records of `stream`: each key's record, then its deltas in order (a delta whose predecessors are missing is dropped). */
function keyRecords(whole: Record<string, Buffer>, deltas: Record<string, Buffer>): Map<string, KeyRecord> {
  const records = new Map<string, KeyRecord>();
  for (const [field, bytes] of Object.entries(whole)) {
    const record = decodeRecord(bytes);
    if (record) records.set(field, record);
  }
  const byKey = new Map<string, Map<number, KeyRecord>>();
  for (const [field, bytes] of Object.entries(deltas)) {
    const at = field.lastIndexOf('\u0000');
    const record = decodeRecord(bytes);
    if (at < 0 || !record) continue;
    const key = field.slice(0, at);
    let mine = byKey.get(key);
    if (!mine) byKey.set(key, (mine = new Map()));
    mine.set(Number(field.slice(at + 1)), record);
  }
  for (const [key, mine] of byKey) {
    const record = records.get(key);
    if (!record) continue;
    const list: { id: string; bytes: Uint8Array }[] = [];
    for (let n = 1; mine.has(n); n++) list.push(mine.get(n)!);
    if (list.length > 0) record.deltas = list;
  }
  return records;
}

/** The XRANGE start after `from` was read up to `id` (exclusive). */
const after = (id: string) => `(${id}`;

/**
 * Checkpoints of one engine group on the server of one RedisTransport, on a connection of their own
 * (opened for it with its command timeout: RedisTransport.checkpointStore()), which close() closes.
 */
export class RedisCheckpointStore implements CheckpointStore {
  constructor(
    /** The store's own connection. */
    private readonly conn: RedisClient,
    /** The names of the transport's keys. */
    private readonly keys: RedisKeys,
    /** The engine's consumer group. */
    readonly group: string,
  ) {}

  /** The index hash: stream -> replay start. */
  get indexKey(): string {
    return this.keys.checkpointIndex(this.group);
  }

  /** The hash of a stream's key records. */
  recordsKey(stream: string): string {
    return this.keys.checkpointRecords(this.group, stream);
  }

  /**
   * Loads what resuming `stream` needs (two pipelines at once, the group's keys and the stream's: on a
   * cluster they live in different slots; plus pages of XPENDING when many are pending).
   */
  async load(stream: string): Promise<StreamCheckpoint> {
    const key = this.keys.stream(stream);
    const own = this.conn.pipeline();
    own.hgetallBuffer(this.recordsKey(stream));
    own.hget(this.indexKey, stream);
    own.hgetallBuffer(this.keys.checkpointDeltas(this.group, stream));
    const streams = this.conn.pipeline();
    streams.xinfo('GROUPS', key);
    streams.xrange(key, '-', '+', 'COUNT', 1);
    const none = (n: number): [Error, null][] => Array.from({ length: n }, () => [new Error('no reply'), null]);
    const [mine, theirs] = await Promise.all([own.exec(), streams.exec()]);
    const results = [...(mine ?? none(3)), ...(theirs ?? none(2))];
    const value = (i: number): unknown => {
      const [error, reply] = results[i] ?? [new Error('no reply'), null];
      if (error && !(i >= 3 && /no such key/i.test(error.message))) throw error;
      return error ? null : reply;
    };
    const records = keyRecords((value(0) ?? {}) as Record<string, Buffer>, (value(2) ?? {}) as Record<string, Buffer>);
    const from = (value(1) as string | null) ?? '-';
    let lastDelivered: string | undefined;
    for (const g of (value(3) ?? []) as unknown[][]) {
      const info = new Map<string, unknown>();
      for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
      if (info.get('name') === this.group) lastDelivered = String(info.get('last-delivered-id'));
    }
    const first = (value(4) ?? []) as [string, unknown][];
    const pending = new Set<string>();
    if (lastDelivered !== undefined) {
      let start = '-';
      for (;;) {
        const page = (await this.conn.xpending(key, this.group, start, '+', 10_000)) as [string, string, number, number][];
        for (const row of page) pending.add(String(row[0]));
        if (page.length < 10_000) break;
        start = after(String(page[page.length - 1][0]));
      }
    }
    return { records, from, lastDelivered, pending, firstId: first[0]?.[0] ?? '' };
  }

  /** The entries of `stream` from `from` to `to` (inclusive), in pages. */
  async *range(stream: string, from: string, to: string): AsyncGenerator<ReplayEntry> {
    const key = this.keys.stream(stream);
    let start = from;
    for (;;) {
      const page = (await this.conn.callBuffer('XRANGE', key, start, to, 'COUNT', PAGE)) as [Buffer, Buffer[]][];
      for (const [idBytes, fields] of page) {
        const id = idBytes.toString('latin1');
        let data: Buffer | undefined;
        let k: Buffer | undefined;
        let n: Buffer | undefined;
        for (let i = 0; i + 1 < fields.length; i += 2) {
          if (fields[i].length !== 1) continue;
          if (fields[i][0] === 0x64)
            data = fields[i + 1]; // d
          else if (fields[i][0] === 0x6b)
            k = fields[i + 1]; // k
          else if (fields[i][0] === 0x6e) n = fields[i + 1]; // n
        }
        if (data && isPack(data)) {
          // A packed entry's frames, each under its own key; a malformed one was dead-lettered whole.
          const parts = parseEntry(fields, Infinity);
          if (typeof parts !== 'string') for (const part of parts) yield { id, ...part };
        } else if (data && k) yield { id, key: k.toString('utf8'), count: n ? Number(n.toString('latin1')) : NaN, data };
      }
      if (page.length < PAGE) return;
      start = after(page[page.length - 1][0].toString('latin1'));
    }
  }

  /**
   * Writes key records for `stream` and its replay start: after `maxId` (the highest id the engine has
   * applied), or earlier, at `holdBack` (the oldest entry that failed and has not been applied since) or
   * at the group's oldest pending entry, whichever comes first.
   */
  async write(stream: string, maxId: string, holdBack: string | undefined, records: RecordWrite[]): Promise<void> {
    await this.writeMany([{ stream, maxId, holdBack, records }]);
  }

  /** write() of several streams of the group in one MULTI: all of them are stored, or none. */
  async writeMany(writes: readonly StreamWrite[]): Promise<void> {
    const starts = await Promise.all(writes.map(({ stream, maxId, holdBack }) => this.replayStart(stream, maxId, holdBack)));
    const multi = this.conn.multi();
    writes.forEach(({ stream, records }, i) => {
      const whole: (string | Buffer)[] = [];
      const deltas: (string | Buffer)[] = [];
      const dropped: string[] = [];
      for (const { key, id, bytes, delta, drop } of records) {
        if (delta === undefined) {
          whole.push(key, encodeRecord(id, bytes));
          for (let n = 1; n <= (drop ?? 0); n++) dropped.push(deltaField(key, n));
        } else {
          deltas.push(deltaField(key, delta), encodeRecord(id, bytes));
        }
      }
      const deltasKey = this.keys.checkpointDeltas(this.group, stream);
      if (whole.length > 0) multi.hset(this.recordsKey(stream), ...whole);
      if (dropped.length > 0) multi.hdel(deltasKey, ...dropped);
      if (deltas.length > 0) multi.hset(deltasKey, ...deltas);
      multi.hset(this.indexKey, stream, starts[i]);
    });
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('checkpoint MULTI aborted');
  }

  /**
   * Where a replay of `stream` starts: after `maxId`, or earlier at `holdBack` or at the group's oldest
   * pending entry, whichever comes first.
   */
  private async replayStart(stream: string, maxId: string, holdBack: string | undefined): Promise<string> {
    let from = after(maxId);
    let fromId = maxId;
    if (holdBack !== undefined && compareEntryIds(holdBack, fromId) <= 0) {
      from = holdBack;
      fromId = holdBack;
    }
    try {
      const summary = (await this.conn.xpending(this.keys.stream(stream), this.group)) as [number, string | null, string | null, unknown];
      const minPending = summary[0] > 0 ? summary[1] : null;
      if (minPending && compareEntryIds(minPending, fromId) <= 0) from = minPending;
    } catch (error) {
      // No group (Redis lost it): nothing is pending; the start stays after maxId.
      if (!/NOGROUP/.test(error instanceof Error ? error.message : String(error))) throw error;
    }
    return from;
  }

  /**
   * The configuration stored with the group's checkpoints: undefined when the group has none; for
   * checkpoints written before configurations were stored, UNKNOWN_CONFIG (no configuration equals it).
   */
  async loadConfig(): Promise<string | undefined> {
    const [config, streams] = await Promise.all([this.conn.get(this.keys.checkpointConfig(this.group)), this.conn.hlen(this.indexKey)]);
    return config ?? (streams > 0 ? UNKNOWN_CONFIG : undefined);
  }

  /** Stores the configuration that shapes the group's checkpointed state. */
  async writeConfig(config: string): Promise<void> {
    await this.conn.set(this.keys.checkpointConfig(this.group), config);
  }

  /**
   * Forgets `stream`'s checkpoint: its records and deltas go, and its replay starts after the group's
   * last delivered entry (or at the stream's start when the group does not exist yet).
   */
  async reset(stream: string): Promise<void> {
    const { lastDelivered } = await this.load(stream);
    const multi = this.conn.multi();
    multi.del(this.recordsKey(stream), this.keys.checkpointDeltas(this.group, stream));
    if (lastDelivered === undefined || lastDelivered === '0-0') multi.hdel(this.indexKey, stream);
    else multi.hset(this.indexKey, stream, after(lastDelivered));
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('checkpoint reset MULTI aborted');
  }

  /** Closes the connection. */
  close(): void {
    this.conn.disconnect();
  }
}
