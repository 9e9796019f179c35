/**
 * A stream entry's fields (docs/wire-format.md): `d` the frame, `k` its key, `n` its message count, and
 * how an entry read back is checked against its frame.
 */
import { FrameError } from '../../errors.js';
import { FRAME_HEADER_BYTES, type FrameHead, frameHeader, parseFrameHead } from '../../frames.js';
import { isPack, splitPack } from './pack.js';

/**
 * The fields of a stream entry (docs/wire-format.md): the frame, its key and its message count. The
 * frame is the truth: `k` and `n` repeat its key and count, and an entry where they disagree is malformed.
 */
export const ENTRY_FIELDS = Object.freeze({ frame: 'd', key: 'k', count: 'n' } as const);

/** A stream's entries as XREADGROUP replies them (RESP2, buffers). */
export type StreamReply = [Buffer, [Buffer, Buffer[] | null][]][];

/** A raw entry as read: id, fields (null when the entry was deleted while pending), deliveries so far. */
export interface RawEntry {
  id: string;
  fields: Buffer[] | null;
  deliveries: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const FIELD_FRAME = ENTRY_FIELDS.frame.charCodeAt(0);
const FIELD_KEY = ENTRY_FIELDS.key.charCodeAt(0);
const FIELD_COUNT = ENTRY_FIELDS.count.charCodeAt(0);

/** The message count of an entry's frame (field d) when its header decodes, else 0 (whatever field n claims). */
export function decodedCount(fields: Buffer[]): number {
  const data = field(fields, ENTRY_FIELDS.frame);
  if (!data) return 0;
  const frames = isPack(data) ? splitPack(data) : [data];
  if (typeof frames === 'string') return 0;
  let count = 0;
  for (const frame of frames) {
    try {
      count += frameHeader(frame).count;
    } catch (error) {
      if (error instanceof FrameError) continue;
      throw error;
    }
  }
  return count;
}

/** One frame of an entry: the frame, its key and its message count, and its header as parsed. */
export interface EntryPart {
  data: Buffer;
  key: string;
  count: number;
  head: FrameHead;
}

/**
 * The frames of an entry, or why it is malformed: its one frame (parseFields), or the frames of a
 * packed entry (./pack.ts: field `k` empty, `n` their message count), each checked as a frame. An entry
 * with one malformed frame is malformed as a whole.
 */
export function parseEntry(fields: Buffer[], maxFrameBytes: number): EntryPart[] | string {
  const data = field(fields, ENTRY_FIELDS.frame);
  if (!data || !isPack(data)) {
    const one = parseFields(fields, maxFrameBytes);
    return typeof one === 'string' ? one : [one];
  }
  if (data.length > maxFrameBytes) return `packed entry of ${data.length} bytes exceeds maxFrameBytes ${maxFrameBytes}`;
  const key = field(fields, ENTRY_FIELDS.key);
  if (key?.length !== 0) return "malformed entry: a packed entry's field 'k' must be empty";
  const count = field(fields, ENTRY_FIELDS.count);
  const n = count ? decimal(count) : NaN;
  if (!Number.isSafeInteger(n)) return "malformed entry: field 'n' is not a message count";
  const frames = splitPack(data);
  if (typeof frames === 'string') return `malformed entry: ${frames}`;
  const parts: EntryPart[] = new Array(frames.length);
  let total = 0;
  for (let i = 0; i < frames.length; i++) {
    let head: FrameHead;
    try {
      head = parseFrameHead(frames[i]);
    } catch (error) {
      if (error instanceof FrameError) return `malformed entry: packed frame ${i}: ${error.message}`;
      throw error;
    }
    parts[i] = { data: frames[i], key: head.key, count: head.count, head };
    total += head.count;
  }
  if (n !== total) return `malformed entry: field 'n' (${n}) is not the packed frames' count (${total})`;
  return parts;
}

/**
 * The frame, key and count of an entry's fields, or why they are malformed. The key and count come from
 * the frame's header; fields `k` and `n` must agree with it (an entry whose fields disagree with its
 * frame is malformed), so that the key by which entries are held back is the key the handler applies.
 */
export function parseFields(fields: Buffer[], maxFrameBytes: number): EntryPart | string {
  let data: Buffer | undefined;
  let key: Buffer | undefined;
  let count: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    if (name.length !== 1) continue;
    if (name[0] === FIELD_FRAME) data = fields[i + 1];
    else if (name[0] === FIELD_KEY) key = fields[i + 1];
    else if (name[0] === FIELD_COUNT) count = fields[i + 1];
  }
  if (!data) return "malformed entry: missing field 'd' (the frame)";
  if (!key) return "malformed entry: missing field 'k' (the key)";
  const n = count ? decimal(count) : NaN;
  if (!Number.isSafeInteger(n)) return "malformed entry: field 'n' is not a message count";
  if (data.length > maxFrameBytes) return `frame of ${data.length} bytes exceeds maxFrameBytes ${maxFrameBytes}`;
  let header: FrameHead;
  try {
    header = parseFrameHead(data);
  } catch (error) {
    if (error instanceof FrameError) return `malformed entry: ${error.message}`;
    throw error;
  }
  // The key's bytes against the frame's (valid UTF-8, checked by frameHeader), without decoding them.
  const typeLength = data[12] | (data[13] << 8);
  const keyLength = data[14] | (data[15] << 8);
  let same = key.length === keyLength;
  for (let i = 0, j = FRAME_HEADER_BYTES + typeLength; same && i < keyLength; i++, j++) same = key[i] === data[j];
  if (!same) {
    let text: string;
    try {
      text = utf8.decode(key);
    } catch {
      return "malformed entry: field 'k' is not UTF-8";
    }
    return `malformed entry: field 'k' (${JSON.stringify(text)}) is not the frame's key (${JSON.stringify(header.key)})`;
  }
  if (n !== header.count) return `malformed entry: field 'n' (${n}) is not the frame's count (${header.count})`;
  return { data, key: header.key, count: n, head: header };
}

/** The decimal number in `bytes` (ASCII digits only, at most 15), else NaN. */
function decimal(bytes: Buffer): number {
  if (bytes.length === 0 || bytes.length > 15) return NaN;
  let x = 0;
  for (let i = 0; i < bytes.length; i++) {
    const d = bytes[i] - 48;
    if (d < 0 || d > 9) return NaN;
    x = x * 10 + d;
  }
  return x;
}

/** The value of field `name` in raw fields, if present. */
export function field(fields: Buffer[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (sameLatin1(fields[i], name)) return fields[i + 1];
  return undefined;
}

/** Whether `bytes` are `text`'s latin1 bytes (compared in place: no string made a field). */
function sameLatin1(bytes: Buffer, text: string): boolean {
  if (bytes.length !== text.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}
