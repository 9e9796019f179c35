/**
 * The gateway's wire protocol (docs/gateway.md): what a WebSocket client sends (subscribe /
 * unsubscribe requests, checked here with an error naming the field) and the JSON frames the gateway
 * sends (hello, subscribed, unsubscribed, error, messages, stats). A bus message becomes JSON once,
 * whatever the number of clients: numbers as numbers (NaN and infinities as null, as JSON.stringify
 * writes them), typed arrays as arrays, timestamps in epoch ms.
 */
import type { BusMessage } from '../bus/messages.js';

/** The protocol's version, in the hello frame. */
export const PROTOCOL_VERSION = 1;

/** Every field a request may have. */
const REQUEST_FIELDS = ['subscribe', 'unsubscribe', 'keys', 'snapshot', 'history', 'stats', 'id'] as const;
/** Longest key the gateway accepts in a request (the bus's own key limit is 255 UTF-8 bytes). */
const MAX_KEY_LENGTH = 255;
/** Most keys one request may list. */
export const MAX_KEYS_PER_REQUEST = 10_000;

/** A checked client request. */
export interface Request {
  /** Subscribe (true) or unsubscribe (false). */
  subscribe: boolean;
  /** The types, expanded ('*' = every served type). */
  types: string[];
  /** The keys; undefined = every key ('*'). */
  keys: string[] | undefined;
  /** Send the last value of every matching (type, key) at once (subscribe only). */
  snapshot: boolean;
  /** Send at once the kept history of every matching (type, key) and the kept stats frames (subscribe only). */
  history: boolean;
  /** Receive a stats frame every second (subscribe: on; unsubscribe: off); undefined leaves it as it is. */
  stats: boolean | undefined;
  /** Echoed in the reply. */
  id: string | number | undefined;
}

/** A request the gateway refuses: the field at fault and why (sent as an error frame). */
export class RequestError extends Error {
  constructor(
    readonly field: string,
    expected: string,
    actual: string,
    readonly id?: string | number,
  ) {
    super(`${field}: expected ${expected}, got ${actual}`);
    this.name = 'RequestError';
  }
}

/** A short description of a JSON value for an error message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * Parses and checks one text frame of a client against the served types. Throws RequestError naming
 * the field (`subscribe[1]`, `keys`, `snapshot`, ...); `frame` when the text is not a JSON object.
 */
export function parseRequest(text: string, served: readonly string[]): Request {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestError('frame', 'a JSON object', 'text that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RequestError('frame', 'a JSON object', describe(value));
  const r = value as Record<string, unknown>;
  const rawId = r.id;
  let id: string | number | undefined;
  if (rawId !== undefined) {
    if (!((typeof rawId === 'string' && rawId.length <= 64) || (typeof rawId === 'number' && Number.isFinite(rawId))))
      throw new RequestError('id', 'a string of at most 64 characters or a number', describe(rawId));
    id = rawId;
  }
  for (const field of Object.keys(r)) {
    if (!(REQUEST_FIELDS as readonly string[]).includes(field))
      throw new RequestError(field, `no such field (a request has ${REQUEST_FIELDS.join(', ')})`, 'a value', id);
  }
  const has = (f: string) => r[f] !== undefined;
  if (has('subscribe') === has('unsubscribe'))
    throw new RequestError(
      'subscribe',
      'either subscribe or unsubscribe (a list of message types, or "*")',
      has('subscribe') ? 'both' : 'neither',
      id,
    );
  const subscribe = has('subscribe');
  const field = subscribe ? 'subscribe' : 'unsubscribe';
  const types = typesOf(r[field], field, served, id);
  const keys = keysOf(r.keys, id);
  if (r.snapshot !== undefined && typeof r.snapshot !== 'boolean')
    throw new RequestError('snapshot', 'true or false', describe(r.snapshot), id);
  if (r.snapshot === true && !subscribe) throw new RequestError('snapshot', 'nothing in an unsubscribe request', 'true', id);
  if (r.history !== undefined && typeof r.history !== 'boolean')
    throw new RequestError('history', 'true or false', describe(r.history), id);
  if (r.history === true && !subscribe) throw new RequestError('history', 'nothing in an unsubscribe request', 'true', id);
  if (r.stats !== undefined && typeof r.stats !== 'boolean') throw new RequestError('stats', 'true or false', describe(r.stats), id);
  return {
    subscribe,
    types,
    keys,
    snapshot: r.snapshot === true,
    history: r.history === true,
    stats: r.stats === undefined ? undefined : subscribe ? (r.stats as boolean) : !(r.stats as boolean),
    id,
  };
}

function typesOf(value: unknown, field: string, served: readonly string[], id: string | number | undefined): string[] {
  if (value === '*') return [...served];
  if (!Array.isArray(value) || value.length === 0)
    throw new RequestError(field, 'a non-empty list of message types, or "*"', describe(value), id);
  const out: string[] = [];
  value.forEach((t, i) => {
    if (t === '*') out.push(...served);
    else if (typeof t === 'string' && served.includes(t)) out.push(t);
    else throw new RequestError(`${field}[${i}]`, `a served message type (${served.join(', ')}) or "*"`, describe(t), id);
  });
  return [...new Set(out)];
}

function keysOf(value: unknown, id: string | number | undefined): string[] | undefined {
  if (value === undefined || value === '*') return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new RequestError('keys', 'a non-empty list of keys, or "*"', describe(value), id);
  if (value.length > MAX_KEYS_PER_REQUEST) throw new RequestError('keys', `at most ${MAX_KEYS_PER_REQUEST} keys`, describe(value), id);
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const k = value[i];
    if (k === '*') return undefined;
    if (typeof k !== 'string' || k.length === 0 || k.length > MAX_KEY_LENGTH)
      throw new RequestError(`keys[${i}]`, `a key (a string of 1 to ${MAX_KEY_LENGTH} characters) or "*"`, describe(k), id);
    out.push(k);
  }
  return out;
}

/** JSON.stringify's replacer: typed arrays (and DataViews' bytes) as arrays of numbers. */
function replacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return Array.from(value as unknown as ArrayLike<number>);
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/**
 * One bus message as the JSON object a client receives: `{ type, key, ts, bus, id, payload }` (ts in
 * epoch ms; typed arrays as arrays; NaN and infinities as null).
 */
export function messageJson(m: BusMessage): string {
  return JSON.stringify({ type: m.type, key: m.key, ts: m.ts, bus: m.bus, id: m.id, payload: m.payload }, replacer);
}

/**
 * A frame of messages: `{"frame":"messages","messages":[...]}` from their JSON; `"snapshot":true` for
 * the last values sent on subscribe, `"history":true` for the kept history.
 */
export function messagesFrame(parts: readonly string[], kind?: 'snapshot' | 'history'): string {
  return `{"frame":"messages"${kind ? `,"${kind}":true` : ''},"messages":[${parts.join(',')}]}`;
}

/** A control frame (hello, subscribed, unsubscribed, error, stats, history). */
export function controlFrame(frame: string, body: Record<string, unknown>): string {
  return JSON.stringify({ frame, ...body }, replacer);
}

/** The error frame of a refused request. */
export function errorFrame(error: RequestError): string {
  return controlFrame('error', { field: error.field, message: error.message, ...(error.id === undefined ? {} : { id: error.id }) });
}
