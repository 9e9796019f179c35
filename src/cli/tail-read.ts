/**
 * What `kernelbus tail` reads: the streams of one message type under a prefix (every bus and shard
 * that has one, found by SCAN as `kernelbus status` finds them), and their entries merged in entry-id
 * order, read with XRANGE from a position: no consumer group, nothing acknowledged, nothing written.
 * An entry's frames (its one frame, or a packed entry's: the transport's parseEntry) decode into the
 * BusMessage a subscriber would get (the bus's messageOf).
 */
import { messageOf } from '../bus/delivery.js';
import { decodeFrame, watermarkOnly } from '../bus/frames.js';
import type { BusMessage } from '../bus/messages.js';
import { parseEntry } from '../bus/transports/redis/fields.js';
import { streamKeys } from '../bus/transports/redis/status.js';
import type { RedisTransport } from '../bus/transports/redis/transport.js';
import { compareEntryIds } from '../bus/transports/types.js';
import { FrameError } from '../bus/errors.js';

/** A bus stream found under the prefix. */
export interface BusStream {
  bus: string;
  type: string;
  /** As the bus names it: `<bus>:<type>:<shard>`. */
  stream: string;
  /** Its Redis key (hash-tagged: docs/redis.md#keys). */
  key: string;
}

/** A bus stream's name: `<bus>:<type>:<shard>` (as keys.ts reads it). */
const BUS_STREAM = /^([^:]+):(.+):(\d+)$/;

/** Every bus stream under the transport's prefix (dead letters and streams of other names left out), by name. */
export async function busStreams(t: RedisTransport): Promise<BusStream[]> {
  const out: BusStream[] = [];
  for (const key of await streamKeys(t)) {
    const named = t.keys.parseStream(key);
    const m = named && named.bus !== '' ? BUS_STREAM.exec(named.stream) : null;
    if (m) out.push({ bus: m[1], type: m[2], stream: named!.stream, key });
  }
  return out.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
}

/** An entry as XRANGE returns it, with its stream. */
export interface RawEntry {
  id: string;
  fields: Buffer[];
  from: BusStream;
}

/** A message of an entry, and whether it came in a trade frame (its payload the frame's columns). */
export interface EntryMessage {
  message: BusMessage;
  trades: boolean;
}

/** What an entry holds: its messages (watermark-only frames left out, counted), or why it is malformed. */
export type DecodedEntry = { messages: EntryMessage[]; watermarks: number } | { error: string };

/**
 * The messages of an entry: each frame decoded as a delivery decodes it (a trade frame's columns, a
 * message frame's msgpack payload), or why the entry is malformed (a frame of another type than its
 * stream's is).
 */
export function decodeEntry(entry: RawEntry): DecodedEntry {
  const parts = parseEntry(entry.fields, Infinity);
  if (typeof parts === 'string') return { error: parts };
  const messages: EntryMessage[] = [];
  let watermarks = 0;
  for (const part of parts) {
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(part.data);
    } catch (error) {
      if (error instanceof FrameError) return { error: `malformed frame: ${error.message}` };
      throw error;
    }
    if (frame.type !== entry.from.type) return { error: `a frame of type ${frame.type} on a stream of ${entry.from.type}` };
    if (watermarkOnly(frame)) watermarks++;
    else {
      const message = messageOf(frame, { id: entry.id, stream: entry.from.stream, deliveries: 0 }, entry.from.bus);
      messages.push({ message, trades: frame.kind === 'trades' });
    }
  }
  return { messages, watermarks };
}

/** Entries per XRANGE: few, as a packed entry may hold many frames (up to maxFrameBytes) and a page is held in memory. */
const PAGE = 100;

/** A stream being read: where the next page starts, and the entries read and not yet handed out. */
interface Cursor {
  from: BusStream;
  /** The next XRANGE's start: `-`, an id or a time (inclusive), `(<id>` (after it). */
  next: string;
  buffer: [Buffer, Buffer[]][];
  at: number;
  /** Its last page came short: it has nothing more for now. */
  atEnd: boolean;
}

/**
 * Reads streams with XRANGE, merged in entry-id order (the ids of different streams are times on the
 * server's clock; one id on two streams: by stream name), from a start per stream. entries() hands out what the streams hold now; called
 * again, what was appended since (a stream added in between from its own start).
 */
export class MergedReader {
  private readonly cursors = new Map<string, Cursor>();

  constructor(private readonly t: RedisTransport) {}

  /** Reads `stream` from `start` (an XRANGE start) on; a stream already read is left as it is. */
  add(stream: BusStream, start: string): void {
    if (!this.cursors.has(stream.key)) this.cursors.set(stream.key, { from: stream, next: start, buffer: [], at: 0, atEnd: false });
  }

  /** Whether `key` is read. */
  has(key: string): boolean {
    return this.cursors.has(key);
  }

  /** The entries the streams hold after those handed out, in id order, until every stream is read to its end. */
  async *entries(): AsyncGenerator<RawEntry> {
    const all = [...this.cursors.values()];
    for (const c of all) c.atEnd = false;
    for (;;) {
      await Promise.all(all.filter((c) => c.at === c.buffer.length && !c.atEnd).map((c) => this.fetch(c)));
      let best: Cursor | undefined;
      for (const c of all) if (c.at < c.buffer.length && (!best || before(c, best))) best = c;
      if (!best) return;
      const [idBytes, fields] = best.buffer[best.at++];
      yield { id: idBytes.toString('latin1'), fields, from: best.from };
    }
  }

  /** The next page of a stream (its cursor moves past it). */
  private async fetch(c: Cursor): Promise<void> {
    const page = (await this.t.cmd.callBuffer('XRANGE', c.from.key, c.next, '+', 'COUNT', PAGE)) as [Buffer, Buffer[]][];
    c.buffer = page;
    c.at = 0;
    c.atEnd = page.length < PAGE;
    if (page.length > 0) c.next = `(${id(page[page.length - 1])}`;
  }

  /** Each stream's start after its last entry now (XREVRANGE): what `--from end` reads is appended later. */
  static async ends(t: RedisTransport, streams: readonly BusStream[]): Promise<Map<string, string>> {
    const last = await Promise.all(streams.map((s) => t.cmd.xrevrange(s.key, '+', '-', 'COUNT', 1)));
    return new Map(streams.map((s, i) => [s.key, last[i].length > 0 ? `(${last[i][0][0]}` : '-']));
  }
}

/** An XRANGE row's id. */
const id = (row: [Buffer, Buffer[]]) => row[0].toString('latin1');

/** Whether the next entry of `a` comes before that of `b`: by id, then (the same id on two streams) by stream name. */
function before(a: Cursor, b: Cursor): boolean {
  const order = compareEntryIds(id(a.buffer[a.at]), id(b.buffer[b.at]));
  return order < 0 || (order === 0 && a.from.stream < b.from.stream);
}
