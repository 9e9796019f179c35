/**
 * How `kernelbus tail` prints a message (one JSON line, or one line of text) and which messages are
 * repeats of one printed before (--dedupe: by the payload's id for the strategy engine's orders and
 * fills, by content for any other type).
 */
import { createHash } from 'node:crypto';
import type { BusMessage } from '../bus/messages.js';
import type { Trades } from '../kernels/trades.js';

/** A message as printed: its entry, stream, type, key, ts and payload as JSON values. */
export interface TailRecord {
  id: string;
  stream: string;
  type: string;
  key: string;
  ts: number;
  /** A trade frame's columns as arrays of numbers; any other payload as msgpack decoded it. */
  payload: unknown;
  /** A trade frame's rows. */
  count?: number;
  /** A trade frame's watermark (docs/wire-format.md), where it has one. */
  watermark?: number;
}

/** The columns of a trade frame as arrays of numbers (bid and ask where the frame has them). */
function tradeColumns(columns: Trades): Record<string, number[]> {
  const out: Record<string, number[]> = {
    ts: Array.from(columns.ts),
    price: Array.from(columns.price),
    volume: Array.from(columns.volume),
  };
  if (columns.bid && columns.ask) {
    out.bid = Array.from(columns.bid);
    out.ask = Array.from(columns.ask);
  }
  return out;
}

/** The record of a message (`trades`: it came in a trade frame, its payload is the frame's columns). */
export function recordOf(m: BusMessage, trades: boolean): TailRecord {
  const base = { id: m.id, stream: m.stream, type: m.type, key: m.key, ts: m.ts };
  if (trades) {
    const record: TailRecord = { ...base, payload: tradeColumns(m.payload as Trades), count: m.count };
    if (m.watermark !== undefined && Number.isFinite(m.watermark)) record.watermark = m.watermark;
    return record;
  }
  return { ...base, payload: m.payload };
}

/** JSON of msgpack values: typed arrays as arrays of numbers, Maps as objects, Sets as arrays, bigints as strings. */
function plain(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A value as JSON (see plain(); NaN and infinities are null, as JSON has them). */
export function json(value: unknown): string {
  return JSON.stringify(value, plain);
}

/** One line of text: id, stream, key, ts (ISO 8601 when it is a date), payload as JSON. */
export function textLine(r: TailRecord, payloadJson: string): string {
  const date = Number.isFinite(r.ts) && Math.abs(r.ts) < 8.64e15 ? new Date(r.ts).toISOString() : String(r.ts);
  const rows = r.count === undefined ? '' : `${r.count} trades  `;
  return `${r.id}  ${r.stream}  ${r.key}  ${date}  ${rows}${payloadJson}`;
}

/** The types whose messages carry an id of their own (payload.id), and what it is. */
export const ID_TYPES: Readonly<Record<string, string>> = Object.freeze({
  ORDER_FILL: "the fill's id",
  STRATEGY_SIGNAL: "the order's id",
});

/** How --dedupe tells repeats of `type` apart, in words. */
export function identityRule(type: string): string {
  return ID_TYPES[type] ? `by ${ID_TYPES[type]} (payload.id)` : 'by content (key, ts and payload)';
}

/**
 * The messages printed so far, by identity: ORDER_FILL and STRATEGY_SIGNAL by payload.id (a repeat
 * whose content differs is counted apart: it should not happen), any other type by a hash of its key,
 * ts and payload. Memory grows with the identities seen.
 */
export class Dedupe {
  /** identity -> content hash. */
  private readonly seen = new Map<string, string>();
  dropped = 0;
  /** Repeats by id whose content differed from the first (kept: the first). */
  differing = 0;

  /** Whether `r` (its payload's JSON given) repeats a message seen before; records it when not. */
  repeat(r: TailRecord, payloadJson: string): boolean {
    const content = createHash('sha1').update(`${r.type}\u0000${r.key}\u0000${r.ts}\u0000${payloadJson}`).digest('base64');
    const own = ID_TYPES[r.type] ? (r.payload as { id?: unknown } | null)?.id : undefined;
    const identity = typeof own === 'string' ? `id\u0000${r.type}\u0000${own}` : content;
    const first = this.seen.get(identity);
    if (first === undefined) {
      this.seen.set(identity, content);
      return false;
    }
    this.dropped++;
    if (first !== content) this.differing++;
    return true;
  }
}
