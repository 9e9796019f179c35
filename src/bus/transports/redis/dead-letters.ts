/**
 * The dead-letter streams of a bus (`<stream>:dlq`, docs/redis.md#keys), for `kernelbus dlq`: list
 * them, read their entries, redrive entries (the original entry re-appended to its stream and the
 * dead letter removed, in one MULTI: both keys share a hash tag) and drop them.
 */
import { frameHeader } from '../../frames.js';
import { DEAD_LETTER_SUFFIX } from '../types.js';
import { ENTRY_FIELDS, field } from './fields.js';
import { type StatusSource, streamKeys } from './status.js';

/** A dead-letter stream. */
export interface DeadLetterStream {
  /** The stream's name as the bus names it (`marketdata:TRADE_EXECUTION:0`). */
  stream: string;
  bus: string;
  /** The dead-letter stream's key. */
  key: string;
  length: number;
  firstId: string | undefined;
  lastId: string | undefined;
}

/** One dead letter. */
export interface DeadLetter {
  /** Its id in the dead-letter stream. */
  id: string;
  stream: string;
  /** The entry's key (field k). */
  key: string;
  /** Messages in its frame when the frame decodes; undefined for a malformed one (see `claimed`). */
  count: number | undefined;
  /** What its field n says (a malformed entry's claim: not a count of anything). */
  claimed: number;
  error: string;
  /** `<stream> <id>` of the original entry. */
  source: string;
  group: string;
  consumer: string;
  deliveries: number;
  /** Bytes of the frame, and its type and priority when it decodes. */
  frameBytes: number;
  type: string | undefined;
}

/** Every dead-letter stream under the prefix with entries (or all, with `empty`), in key order. */
export async function deadLetterStreams(source: StatusSource, empty = false): Promise<DeadLetterStream[]> {
  const out: DeadLetterStream[] = [];
  for (const key of await streamKeys(source, DEAD_LETTER_SUFFIX)) {
    const named = source.keys.parseStream(key.slice(0, -DEAD_LETTER_SUFFIX.length));
    if (!named) continue;
    const length = await source.cmd.xlen(key);
    if (length === 0 && !empty) continue;
    const [first] = (await source.cmd.xrange(key, '-', '+', 'COUNT', 1)) as [string, string[]][];
    const [last] = (await source.cmd.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
    out.push({ ...named, key, length, firstId: first?.[0], lastId: last?.[0] });
  }
  return out;
}

/** The dead-letter stream key of bus stream `stream`. */
export function deadLetterKey(source: StatusSource, stream: string): string {
  return source.keys.stream(stream) + DEAD_LETTER_SUFFIX;
}

/** The dead letters of `stream`, from `start` to `end` (ids, inclusive; default all), at most `limit`. */
export async function readDeadLetters(source: StatusSource, stream: string, start = '-', end = '+', limit = 1000): Promise<DeadLetter[]> {
  const page = (await source.cmd.callBuffer('XRANGE', deadLetterKey(source, stream), start, end, 'COUNT', limit)) as [Buffer, Buffer[]][];
  return page.map(([id, fields]) => {
    const text = (name: string) => field(fields, name)?.toString() ?? '';
    const frame = field(fields, ENTRY_FIELDS.frame) ?? Buffer.alloc(0);
    let type: string | undefined;
    let count: number | undefined;
    try {
      ({ type, count } = frameHeader(frame));
    } catch {
      type = undefined;
    }
    return {
      id: id.toString(),
      stream,
      key: text(ENTRY_FIELDS.key),
      count,
      claimed: Number(text(ENTRY_FIELDS.count)),
      error: text('error'),
      source: text('source'),
      group: text('group'),
      consumer: text('consumer'),
      deliveries: Number(text('deliveries')),
      frameBytes: frame.length,
      type,
    };
  });
}

/**
 * Re-appends each dead letter of `stream` with one of `ids` (all when undefined) to the stream, its
 * original fields (frame, key, count) as they were, and removes it from the dead letters, in one MULTI
 * per entry. Returns the new entry ids by dead-letter id. Every group of the stream gets the entry
 * again: engines skip a frame they applied already (VpinEngine: `republished`).
 */
export async function redrive(source: StatusSource, stream: string, ids?: readonly string[]): Promise<Map<string, string>> {
  const dlq = deadLetterKey(source, stream);
  const target = source.keys.stream(stream);
  const done = new Map<string, string>();
  const wanted = ids ? new Set(ids) : undefined;
  let start = '-';
  for (;;) {
    const page = (await source.cmd.callBuffer('XRANGE', dlq, start, '+', 'COUNT', 500)) as [Buffer, Buffer[]][];
    for (const [rawId, fields] of page) {
      const id = rawId.toString();
      if (wanted && !wanted.has(id)) continue;
      const multi = source.cmd.multi();
      multi.xadd(
        target,
        '*',
        ENTRY_FIELDS.frame,
        field(fields, ENTRY_FIELDS.frame) ?? Buffer.alloc(0),
        ENTRY_FIELDS.key,
        field(fields, ENTRY_FIELDS.key) ?? '',
        ENTRY_FIELDS.count,
        field(fields, ENTRY_FIELDS.count) ?? '0',
      );
      multi.xdel(dlq, id);
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('redrive MULTI aborted');
      done.set(id, String(results[0][1]));
    }
    if (page.length < 500) return done;
    start = `(${page[page.length - 1][0].toString()}`;
  }
}

/** Removes dead letters of `stream` (those with one of `ids`, or all): returns how many. */
export async function dropDeadLetters(source: StatusSource, stream: string, ids?: readonly string[]): Promise<number> {
  const dlq = deadLetterKey(source, stream);
  if (ids) return ids.length === 0 ? 0 : source.cmd.xdel(dlq, ...ids);
  const n = await source.cmd.xlen(dlq);
  await source.cmd.del(dlq);
  return n;
}
