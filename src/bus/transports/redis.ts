/**
 * The Redis Streams transport (ioredis): the same Transport contract as the in-process one (./types.ts),
 * across processes and machines. What lives where:
 *
 * - A stream `s` is the Redis stream `<prefix>s` (prefix `kb:`); one entry per frame, fields `d` (the
 *   frame bytes, sent and read as Buffers), `k` (key), `n` (messages). The publishes of one tick (a
 *   bus flush: one per stream) go as one APPEND_SCRIPT call, whose XADDs run atomically (a dropped
 *   connection stores all or none of them), trimmed with `MAXLEN ~` (the bound converted from
 *   messages to entries with the stream's mean batch size).
 * - A consumer group per `group`; a consumer's Reader reads every stream it holds for the group with
 *   one XREADGROUP (COUNT/BLOCK) on a connection of its own, and acknowledges with XACK (pipelined with
 *   the next read) after the handler succeeds.
 * - Per-key order within a group: one consumer of a group reads a stream at a time (consumers scale
 *   out by shard, i.e. by stream, not within one). It holds a lease
 *   (`<prefix>lease:<stream>|<group>`, renewed every claimIdleMs/3); a consumer that stays silent for
 *   `claimIdleMs` loses it, and the next one takes over the stream and, with XAUTOCLAIM, every entry
 *   still pending in the group, which it handles first, in id order. Streams (shards) are shared fairly
 *   between the live instances of a group: each holds at most ceil(streams / instances) leases.
 * - An entry's key and count come from its frame's header; fields `k` and `n` must agree with it.
 * - A handler failure leaves the entry pending and holds back that key's later entries (they stay
 *   pending, unhanded; the other keys of the stream go on); after retryDelayMs the consumer reads its
 *   pending entries again, in order, and retries. After `maxDeliveries` attempts the entry goes to
 *   `<stream>:dlq` (DEAD_LETTER_SUFFIX) with the error text, and is acknowledged. Malformed entries
 *   (missing fields, fields that disagree with the frame, a frame over maxFrameBytes, a FrameError from
 *   the handler) and data the handler rejects for good (a KernelInputError) go there at once.
 * - Delivery counts count attempts: an entry read while its key is held back is not handed to the
 *   handler, and its count in Redis is set back (XCLAIM RETRYCOUNT), so the consumer that takes a stream
 *   over counts on from the real attempts.
 * - A group that Redis lost (NOGROUP, e.g. restarted empty) is recreated with MKSTREAM and counted in
 *   `groupsRecreated`; entries known to be lost are counted in `lostEntries`/`discarded`.
 * - `onSettle`/`backlog()`/`idle()` follow the groups' progress in Redis (XINFO GROUPS, XPENDING in one
 *   script per stream, every pollMs): an entry published here settles once every group has acknowledged
 *   it, so the bus's maxQueue bounds what its publishers leave unconsumed in Redis.
 * - `healthy` is false while the publishing connection is down. While someone watches health
 *   (watchHealth(): a bus whose routing consults health, or a caller), a PING every healthIntervalMs on
 *   a separate connection also makes it false as soon as a PING is unanswered for healthTimeoutMs, so a
 *   'failover' router moves new traffic within about healthIntervalMs + healthTimeoutMs (80 ms by
 *   default); nobody watching, nothing is sent. Publishes already in
 *   flight to a server that stopped answering end at publishTimeoutMs (or when the connection drops).
 * - Publishes while disconnected wait for the connection up to publishTimeoutMs, then reject with a
 *   TransportError; nothing is dropped silently and the next publish tries again. What no retry can
 *   cure is refused with `retryable: false`: a frame over maxFrameBytes or over the server's
 *   proto-max-bulk-len (read at each connect: a larger value makes Redis drop the connection),
 *   credentials the server refuses (then idle() waits for nothing: nothing can move).
 *
 * Delivery is at least once. After a 'timeout' TransportError (the server may have executed the
 * publish) a retry stores its entries once if they carry a producer and seq (the bus's do) and it is
 * the producer's next publish to the stream; otherwise it may store them twice.
 */
import { randomBytes } from 'node:crypto';
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { KernelInputError } from '../../errors.js';
import { describeValue } from '../../kernels/validate.js';
import { BusClosedError, FrameError, isPermanentFailure, permanentFailureReason } from '../errors.js';
import { FRAME_HEADER_BYTES, frameHeader } from '../frames.js';
import { FrameTooLargeError, TransportError } from './redis-errors.js';
import {
  compareEntryIds,
  DEAD_LETTER_SUFFIX,
  type Entry,
  type EntryHandler,
  type OutgoingEntry,
  type SettleListener,
  type Transport,
  type TransportMetrics,
  type TransportSubscription,
} from './types.js';

/** Options of RedisTransport. */
export interface RedisTransportOptions {
  /**
   * `redis://[user:password@]host[:port][/db]` or `rediss://...` (TLS). Default `redis://127.0.0.1:6379`.
   * Username and password (ACL) are passed to ioredis and never appear in messages or logs.
   */
  url?: string;
  /** Extra ioredis options applied over those from `url`, e.g. `{ tls: { ca } }` for a private CA. */
  redis?: RedisOptions;
  /** Prefix of every key. Default `'kb:'`. */
  prefix?: string;
  /** Name for messages and metrics. Default `'redis'`. */
  name?: string;
  /**
   * Retention per stream, in messages (MAXLEN ~, converted to entries by the stream's mean batch size);
   * dead-letter streams keep as many entries. Default 1,000,000.
   */
  maxLenMessages?: number;
  /** Deliveries of an entry to a group before it moves to `<stream>:dlq`. Default 5. */
  maxDeliveries?: number;
  /** A consumer silent this long loses its streams to another consumer of its group, which claims its pending entries. Default 5000 ms. */
  claimIdleMs?: number;
  /** Entries per XREADGROUP. Default 128. */
  readCount?: number;
  /** XREADGROUP BLOCK, ms. Default 200. */
  blockMs?: number;
  /**
   * Largest frame: publish refuses larger ones (FrameTooLargeError), and those over the server's
   * proto-max-bulk-len when that is lower; consumers dead-letter them. Default 64 MiB.
   */
  maxFrameBytes?: number;
  /** How long a publish waits for a connection and for its reply before rejecting with TransportError. Default 2000 ms. */
  publishTimeoutMs?: number;
  /** PING period of the health check, while watched (see watchHealth()). Default 20 ms. */
  healthIntervalMs?: number;
  /** A PING unanswered this long makes the transport unhealthy. Default 60 ms. */
  healthTimeoutMs?: number;
  /**
   * Period of the progress poll behind onSettle and backlog(), while entries published here are not
   * yet settled. Default 20 ms. While idle() is waited for it polls at once and then every 5 ms (or
   * pollMs if shorter).
   */
  pollMs?: number;
  /** Wait before handling again an entry whose handler failed. Default 10 ms. */
  retryDelayMs?: number;
  /** Longest wait between reconnection attempts (exponential backoff from 20 ms). Default 1000 ms. */
  reconnectMaxMs?: number;
  /** Receives operational messages (connection lost, reconnected, errors); credentials are never included. */
  log?: (line: string) => void;
}

/** Counters of a RedisTransport: TransportMetrics plus what Redis adds. */
export interface RedisTransportMetrics extends TransportMetrics {
  /** Groups recreated after Redis answered NOGROUP (it lost them, e.g. restarted empty): entries may have been lost. */
  groupsRecreated: number;
  /** Entries known to be lost: pending entries whose data was gone, published entries trimmed or lost before every group had them. */
  lostEntries: number;
  /** True once anything may have been lost (groupsRecreated, lostEntries or discarded > 0). */
  possibleLoss: boolean;
  /** Entries taken over from other consumers with XAUTOCLAIM. */
  claimed: number;
  /** Stream leases acquired (a consumer starting to read a stream for its group). */
  leases: number;
  /** Reconnections of the publishing connection. */
  reconnects: number;
  /** Publishes rejected with a TransportError. */
  publishErrors: number;
  /** Entries a retried publish repeated and the transport did not store again (see OutgoingEntry.producer). */
  deduplicated: number;
  /** Health checks that failed (PING unanswered or connection lost). */
  healthFailures: number;
}

/**
 * The fields of a stream entry (docs/wire-format.md): the frame, its key and its message count. The
 * frame is the truth: `k` and `n` repeat its key and count, and an entry where they disagree is malformed.
 */
export const ENTRY_FIELDS = Object.freeze({ frame: 'd', key: 'k', count: 'n' } as const);

/** The default prefix of every key (option `prefix`): stream `s` is the Redis stream `kb:s`. */
export const DEFAULT_PREFIX = 'kb:';

const DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  prefix: DEFAULT_PREFIX,
  name: 'redis',
  maxLenMessages: 1_000_000,
  maxDeliveries: 5,
  claimIdleMs: 5000,
  readCount: 128,
  blockMs: 200,
  maxFrameBytes: 64 * 1024 * 1024,
  publishTimeoutMs: 2000,
  healthIntervalMs: 20,
  healthTimeoutMs: 60,
  pollMs: 20,
  retryDelayMs: 10,
  reconnectMaxMs: 1000,
};

/**
 * The state of a stream for the progress poll: `false` if it does not exist, else
 * `[firstId, lastId, (group, lastDeliveredId, pending, minPendingId, consumed) * groups]`, where
 * `consumed` is 1 when the group has a consumer for the stream: a live lease, or a live instance of the
 * group (MEMBERS_SCRIPT) that reads this stream. KEYS[1] stream; ARGV[1] the lease key prefix of the
 * stream, ARGV[2] the key prefix (members/streams keys follow), ARGV[3] the stream's name.
 */
const STATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = { first[1] and first[1][1] or '', last[1] and last[1][1] or '' }
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local name = info['name']
  local minPending = ''
  if info['pending'] > 0 then minPending = redis.call('XPENDING', KEYS[1], name)[2] end
  local consumed = redis.call('EXISTS', ARGV[1] .. name)
  if consumed == 0 and redis.call('ZCOUNT', ARGV[2] .. 'members:' .. name, now, '+inf') > 0
    and redis.call('SISMEMBER', ARGV[2] .. 'streams:' .. name, ARGV[3]) == 1 then consumed = 1 end
  out[#out + 1] = name
  out[#out + 1] = info['last-delivered-id']
  out[#out + 1] = info['pending']
  out[#out + 1] = minPending
  out[#out + 1] = consumed
end
return out`;

/**
 * Appends entries to streams, each stream once per call: KEYS[2i-1] the stream, KEYS[2i] its
 * deduplication key for the call's producer. ARGV holds, per stream in turn: the MAXLEN ~ bound, the
 * number of entries n, the producer ('' for none), whether to look the seqs up ('1', or '0' when the
 * transport never sent any of them), then n (frame, key, count, seq) quadruples. With a producer, an
 * entry whose seq the producer's previous call to the stream stored is not stored again: its id is
 * returned (a publish retried after an ambiguous failure stores its entries once). One
 * command carries every stream's entries of a tick (ioredis spends more per command than Redis per
 * XADD). Returns, per stream, { ids, entries not stored again }.
 */
const APPEND_SCRIPT = `
local out = {}
local a = 1
for i = 1, #KEYS / 2 do
  local stream, dedup = KEYS[2 * i - 1], KEYS[2 * i]
  local maxLen, n, producer, lookup = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3]
  a = a + 4
  local stored = {}
  if producer ~= '' and lookup == '1' then
    local last = redis.call('GET', dedup)
    if last then for seq, id in string.gmatch(last, '(%S+) (%S+)') do stored[seq] = id end end
  end
  local ids, record, again = {}, {}, 0
  for j = 1, n do
    local seq = ARGV[a + 3]
    local id = stored[seq]
    if id then again = again + 1
    else id = redis.call('XADD', stream, 'MAXLEN', '~', maxLen, '*', '${ENTRY_FIELDS.frame}', ARGV[a], '${ENTRY_FIELDS.key}', ARGV[a + 1], '${ENTRY_FIELDS.count}', ARGV[a + 2]) end
    ids[j] = id
    record[j] = seq .. ' ' .. id
    a = a + 4
  end
  if producer ~= '' then redis.call('SET', dedup, table.concat(record, ' '), 'PX', 3600000) end
  out[i] = { ids, again }
end
return out`;

/** Renews a lease held with token ARGV[1] for ARGV[2] ms: 1, or 0 when it is no longer ours. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Deletes a lease if it is still held with token ARGV[1]. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Registers instance ARGV[1] of a group for ARGV[2] ms (KEYS[1], a sorted set by expiry, server time)
 * and the streams ARGV[3..] it reads (KEYS[2]); returns { live instances, streams }.
 */
const MEMBERS_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 4)
for i = 3, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
redis.call('PEXPIRE', KEYS[2], ttl * 20)
return { redis.call('ZCARD', KEYS[1]), redis.call('SCARD', KEYS[2]) }`;

interface Scripts {
  kbAppend(keys: number, ...args: (string | number | Buffer)[]): Promise<unknown>;
  kbState(key: string, leasePrefix: string, prefix: string, stream: string): Promise<unknown>;
  kbRenew(key: string, token: string, ms: number): Promise<number>;
  kbRelease(key: string, token: string): Promise<number>;
  kbMembers(members: string, streams: string, instance: string, ttl: number, ...names: string[]): Promise<[number, number]>;
}
type Client = Redis & Scripts;

interface GroupState {
  name: string;
  lastDelivered: string;
  pending: number;
  minPending: string;
  /** Has a consumer: a live lease, or a live instance of the group that reads the stream. */
  consumed: boolean;
}
/** A stream's state from STATE_SCRIPT; null when the stream does not exist. */
interface StreamState {
  first: string;
  last: string;
  groups: GroupState[];
}

interface Published {
  id: string;
  key: string;
  count: number;
}

/** A stream this transport published to: entries not yet settled, and the batch size statistics. */
interface Outbox {
  queue: Published[];
  head: number;
  unsettled: number;
  entries: number;
  messages: number;
}

/** The publishes of one tick: one APPEND_SCRIPT call. */
interface AppendBatch {
  keys: string[];
  args: (number | string | Buffer)[];
  waiters: { resolve: (ids: unknown) => void; reject: (error: unknown) => void }[];
}

/** A publish waiting for its reply (failed early when the connection drops). */
interface InFlight {
  fail: (error: TransportError) => void;
}

/** A raw entry as read: id, fields (null when the entry was deleted while pending), deliveries so far. */
interface RawEntry {
  id: string;
  fields: Buffer[] | null;
  deliveries: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Poll period while idle() is waited for (see RedisTransportOptions.pollMs). */
const IDLE_POLL_MS = 5;
/** The wait after another failure in a row: doubling from 10 ms up to `maxMs`. */
const nextBackoff = (previous: number, maxMs: number) => Math.min(Math.max(2 * previous, 10), maxMs);

function positive(options: RedisTransportOptions, name: keyof typeof DEFAULTS, min: number, integer = true): number {
  const value = options[name as keyof RedisTransportOptions] ?? DEFAULTS[name];
  if (typeof value !== 'number' || !(value >= min) || (integer && !Number.isInteger(value)) || !Number.isFinite(value)) {
    throw new KernelInputError(`options.${name}`, `${integer ? 'an integer' : 'a number'} >= ${min}`, describeValue(value));
  }
  return value;
}

/** The Buffer view of a frame (no copy): ioredis sends a bare Uint8Array as the text "1,2,3". */
function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Error replies that may go away (memory freed, a replica promoted, loading done): publishing again may succeed. */
const TRANSIENT_REPLY = /^(OOM|LOADING|READONLY|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|NOREPLICAS|MISCONF)\b/;

const AUTH_ERROR = /^(WRONGPASS|NOAUTH|NOPERM)|invalid (username|password)|AUTH failed/i;

/** Connection options from a URL, and the credentials to keep out of messages. */
function parseUrl(url: string): { options: RedisOptions; target: string; secrets: string[] } {
  if (typeof url !== 'string') throw new KernelInputError('options.url', 'a redis:// or rediss:// URL string', describeValue(url));
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // The URL may hold a password: never echo it.
    throw new KernelInputError('options.url', 'a redis:// or rediss:// URL', 'a string that is not a URL (not shown: it may hold credentials)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new KernelInputError('options.url', 'a redis:// or rediss:// URL', `protocol ${u.protocol}`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.length > 1 ? u.pathname.slice(1) : '0';
  const db = Number(dbText);
  if (!/^\d+$/.test(dbText) || !Number.isSafeInteger(db)) throw new KernelInputError('options.url', 'a database number after the host (/0, /1, ...)', `/${dbText}`);
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  } catch {
    throw new KernelInputError('options.url', 'percent-encoded credentials', 'a malformed escape (not shown)');
  }
  const options: RedisOptions = { host, port, db };
  if (username) options.username = username;
  if (password) options.password = password;
  // SNI only for names: RFC 6066 forbids an IP address as the server name (Node checks IP SANs anyway).
  if (u.protocol === 'rediss:') options.tls = isIP(host) ? {} : { servername: host };
  const secrets = [password, u.password, username, u.username].filter((s) => s.length >= 3);
  return { options, target: `${u.protocol}//${host.includes(':') ? `[${host}]` : host}:${port}/${db}`, secrets };
}

/**
 * The Redis Streams transport. One connection publishes and runs the bookkeeping, one runs the health
 * check, and each subscription reads on a connection of its own. Close it to end them all.
 */
export class RedisTransport implements Transport {
  /** For messages and metrics (option `name`). */
  readonly name: string;
  /** The server as `redis://host:port/db`, without credentials. */
  readonly target: string;
  /** Prefix of every key (option `prefix`). */
  readonly prefix: string;
  /** Identifies this transport among the instances of a group. */
  readonly instance = randomBytes(8).toString('hex');
  /** Resolved options (see RedisTransportOptions). */
  readonly config: Readonly<Omit<Required<RedisTransportOptions>, 'url' | 'redis' | 'log'>>;
  private readonly connection: RedisOptions;
  private readonly secrets: string[];
  private readonly log: (line: string) => void;
  /** Publishing and bookkeeping. */
  readonly cmd: Client;
  private readonly health: Redis;
  private pingOk = false;
  private pingSeq = 0;
  private pingSentAt = 0;
  /** The PING timer, while health is watched (healthWatchers > 0). */
  private healthTimer: NodeJS.Timeout | undefined;
  private healthWatchers = 0;
  private readonly leaseTimer: NodeJS.Timeout;
  private pollTimer: NodeJS.Timeout | undefined;
  /** When pollTimer fires (performance.now). */
  private pollDue = 0;
  private polling = false;
  private leaseTicking = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private authError: string | undefined;
  /**
   * The server's largest value (CONFIG GET proto-max-bulk-len), read at each connect: a larger frame
   * would make the server drop the connection, so publish refuses it. Undefined when unknown.
   */
  private serverMaxBulk: number | undefined;
  /** Settles once serverMaxBulk was read after the last connect; `limitsPending` until then. */
  private limits: Promise<void> = Promise.resolve();
  private limitsPending = false;
  private lastError = 'not connected yet';
  private everReady = false;
  private readyWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private readonly inFlight = new Set<InFlight>();
  /** Per `<stream>|<producer>`, the highest seq published (see sentBefore()). */
  private readonly maxSeqSent = new Map<string, number>();
  private publishing = 0;
  private readonly publishes = new Set<Promise<unknown>>();
  /** This tick's publishes, sent as one command (see sendAppend). */
  private tick: AppendBatch | undefined;
  private readonly outboxes = new Map<string, Outbox>();
  /** Live subscriptions. */
  private readonly consumers = new Set<RedisSubscription>();
  /** One reader (connection and read loop) per group and consumer name. */
  private readonly readers = new Map<string, Reader>();
  /** group -> live instances and streams, from the last membership heartbeat. */
  private readonly shares = new Map<string, { members: number; streams: number }>();
  private readonly listeners = new Set<SettleListener>();
  private idleWaiters: { resolve: () => void; poll: number }[] = [];
  private pollCount = 0;
  private readonly counters: RedisTransportMetrics = {
    entries: 0, messages: 0, delivered: 0, acknowledged: 0, redelivered: 0, failed: 0, deadLettered: 0, discarded: 0, backlog: 0,
    groupsRecreated: 0, lostEntries: 0, possibleLoss: false, claimed: 0, leases: 0, reconnects: 0, publishErrors: 0, deduplicated: 0, healthFailures: 0,
  };

  /** Connects (in the background: see ready()) to the server of `options.url`. */
  constructor(options: RedisTransportOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new KernelInputError('options', 'an object', describeValue(options));
    const { options: fromUrl, target, secrets } = parseUrl(options.url ?? DEFAULTS.url);
    const extra = options.redis ?? {};
    const secret = [extra.password, extra.username].filter((s): s is string => typeof s === 'string' && s.length >= 3);
    this.secrets = [...secrets, ...secret];
    this.target = target;
    const prefix = options.prefix ?? DEFAULTS.prefix;
    if (typeof prefix !== 'string') throw new KernelInputError('options.prefix', 'a string', describeValue(prefix));
    this.prefix = prefix;
    const name = options.name ?? DEFAULTS.name;
    if (typeof name !== 'string' || name.length === 0) throw new KernelInputError('options.name', 'a non-empty string', describeValue(name));
    this.name = name;
    if (options.log !== undefined && typeof options.log !== 'function') throw new KernelInputError('options.log', 'a function', describeValue(options.log));
    const log = options.log;
    this.log = log ? (line) => log(this.clean(line)) : () => {};
    this.config = {
      prefix, name,
      maxLenMessages: positive(options, 'maxLenMessages', 1),
      maxDeliveries: positive(options, 'maxDeliveries', 1),
      claimIdleMs: positive(options, 'claimIdleMs', 30),
      readCount: positive(options, 'readCount', 1),
      blockMs: positive(options, 'blockMs', 1),
      maxFrameBytes: positive(options, 'maxFrameBytes', 1),
      publishTimeoutMs: positive(options, 'publishTimeoutMs', 1, false),
      healthIntervalMs: positive(options, 'healthIntervalMs', 1, false),
      healthTimeoutMs: positive(options, 'healthTimeoutMs', 1, false),
      pollMs: positive(options, 'pollMs', 1, false),
      retryDelayMs: positive(options, 'retryDelayMs', 0, false),
      reconnectMaxMs: positive(options, 'reconnectMaxMs', 1, false),
    };
    const reconnectMaxMs = this.config.reconnectMaxMs;
    this.connection = {
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: null,
      disableClientInfo: true,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(10 * 2 ** Math.min(times, 16), reconnectMaxMs),
      ...fromUrl,
      ...extra,
      tls: fromUrl.tls || extra.tls ? { ...fromUrl.tls, ...extra.tls } : undefined,
    };
    this.cmd = this.connect('publish', { commandTimeout: this.config.publishTimeoutMs }) as Client;
    this.cmd.defineCommand('kbAppend', { lua: APPEND_SCRIPT });
    this.cmd.defineCommand('kbState', { numberOfKeys: 1, lua: STATE_SCRIPT });
    this.cmd.defineCommand('kbRenew', { numberOfKeys: 1, lua: RENEW_SCRIPT });
    this.cmd.defineCommand('kbRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    this.cmd.defineCommand('kbMembers', { numberOfKeys: 2, lua: MEMBERS_SCRIPT });
    this.cmd.on('ready', () => {
      if (this.everReady) {
        this.counters.reconnects++;
        this.log(`${this.target}: reconnected`);
      }
      this.everReady = true;
      this.authError = undefined;
      this.limits = this.readLimits();
      for (const w of this.readyWaiters) w.resolve();
      this.readyWaiters.clear();
    });
    this.cmd.on('close', () => this.connectionLost('connection closed'));
    this.health = this.connect('health', { commandTimeout: Math.max(1000, 10 * this.config.healthTimeoutMs) });
    this.health.on('ready', () => {
      if (this.healthWatchers > 0) this.checkHealth();
    });
    this.health.on('close', () => this.setHealth(false, 'connection closed'));
    this.leaseTimer = setInterval(() => void this.leaseTick(), Math.max(10, Math.floor(this.config.claimIdleMs / 3)));
    this.leaseTimer.unref();
  }

  /** @internal A new connection with the transport's options; errors are kept (cleaned) for messages and logged once each. */
  connect(role: string, extra: RedisOptions = {}): Redis {
    // CLIENT SETNAME refuses spaces and control characters.
    const client = new Redis({ ...this.connection, ...extra, connectionName: `kernelbus-${role}`.replace(/[^\x21-\x7e]/g, '_') });
    const waiters = new Set<() => void>();
    closeWaiters.set(client, waiters);
    client.on('close', () => {
      for (const fail of [...waiters]) fail();
      waiters.clear();
    });
    let lastLogged = '';
    client.on('error', (error: unknown) => {
      const text = this.clean(messageOf(error));
      if (role === 'publish') {
        this.lastError = text;
        if (AUTH_ERROR.test(text)) {
          this.authError = text;
          for (const w of this.readyWaiters) w.reject(new TransportError('auth', this.target, `authentication failed: ${text}`, false));
          this.readyWaiters.clear();
        }
      }
      if (text !== lastLogged) this.log(`${this.target} (${role}): ${text}`);
      lastLogged = text;
    });
    client.on('reconnecting', (ms: number) => {
      if (role === 'publish') this.log(`${this.target}: connection lost (${this.lastError}), reconnecting in ${ms} ms`);
    });
    client.on('ready', () => {
      lastLogged = '';
    });
    return client;
  }

  /** Reads the server's proto-max-bulk-len (a server that refuses CONFIG leaves it unknown). */
  private async readLimits(): Promise<void> {
    this.limitsPending = true;
    try {
      const reply = await this.cmd.config('GET', 'proto-max-bulk-len');
      const value = Array.isArray(reply) ? Number(reply[1]) : NaN;
      this.serverMaxBulk = Number.isSafeInteger(value) && value > 0 ? value : undefined;
    } catch {
      this.serverMaxBulk = undefined;
    } finally {
      this.limitsPending = false;
    }
  }

  /** Removes credentials from a text. */
  clean(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  /**
   * Stream leases acquired so far (metrics().leases, without building the metrics): it moves whenever a
   * consumer here starts reading a stream, which is when an engine must resume from its checkpoint.
   */
  get leaseCount(): number {
    return this.counters.leases;
  }

  /**
   * True while the publishing connection is ready and, while health is watched (watchHealth()), the
   * last PING was answered in time.
   */
  get healthy(): boolean {
    return !this.closed && this.cmd.status === 'ready' && (this.healthWatchers === 0 || this.pingOk);
  }

  /**
   * Keeps `healthy` current with a PING every healthIntervalMs (healthTimeoutMs to answer) until the
   * returned function is called: for routers that move traffic away from an unhealthy bus, and callers
   * that need to know at once when a server stops answering. Without a watcher no PING is sent.
   */
  watchHealth(): () => void {
    if (this.closed) return () => {};
    if (this.healthWatchers++ === 0) {
      // What is known so far: the health connection is up (a PING confirms it at once).
      this.pingOk = this.health.status === 'ready';
      this.pingSentAt = 0;
      this.pingSeq++;
      this.healthTimer = setInterval(() => this.checkHealth(), this.config.healthIntervalMs);
      this.healthTimer.unref();
      this.checkHealth();
    }
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      if (--this.healthWatchers > 0) return;
      clearInterval(this.healthTimer);
      this.healthTimer = undefined;
    };
  }

  private checkHealth(): void {
    if (this.closed || this.healthWatchers === 0) return;
    const now = performance.now();
    if (this.pingSentAt > 0) {
      if (now - this.pingSentAt > this.config.healthTimeoutMs) {
        // Judge after this turn's I/O: if our own event loop was blocked, the reply may be waiting in the socket.
        const seq = this.pingSeq;
        setImmediate(() => {
          if (seq === this.pingSeq && this.pingSentAt > 0) this.setHealth(false, `no PING reply within ${this.config.healthTimeoutMs} ms`);
        });
      }
      return;
    }
    if (this.health.status !== 'ready') return this.setHealth(false, 'not connected');
    const seq = ++this.pingSeq;
    this.pingSentAt = now;
    this.health.ping().then(
      () => {
        if (seq !== this.pingSeq) return;
        this.pingSentAt = 0;
        this.setHealth(true, '');
      },
      (error: unknown) => {
        if (seq !== this.pingSeq) return;
        this.pingSentAt = 0;
        this.setHealth(false, messageOf(error));
      },
    );
  }

  private setHealth(ok: boolean, reason: string): void {
    if (!ok) {
      if (reason === 'connection closed') {
        this.pingSeq++; // a PING in flight on the closed connection may never answer
        this.pingSentAt = 0;
      }
      if (this.pingOk) {
        this.counters.healthFailures++;
        this.log(`${this.target}: unhealthy (${this.clean(reason)})`);
      }
      // Publishes in flight are left to their own timeout: a slow server may still store them.
      this.pingOk = false;
      return;
    }
    if (!this.pingOk && this.everReady) this.log(`${this.target}: healthy`);
    this.pingOk = true;
  }

  private connectionLost(reason: string): void {
    for (const f of this.inFlight) {
      f.fail(new TransportError('timeout', this.target, `connection lost while publishing (${reason}); the entries may have been stored`, true));
    }
  }

  /**
   * Resolves once connected and every subscription made so far has its group in Redis (entries
   * published from then on wait for it); rejects with TransportError ('auth' at once when the server
   * refuses the credentials, 'unavailable' after `timeoutMs`, default publishTimeoutMs).
   */
  async ready(timeoutMs = this.config.publishTimeoutMs): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    await this.whenReady(deadline);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TransportError('unavailable', this.target, `subscriptions not established within ${timeoutMs} ms (${this.lastError})`, true)),
        Math.max(0, deadline - performance.now()),
      );
    });
    try {
      await Promise.race([Promise.all([...this.consumers].map((c) => c.established)), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once every subscription here reads its stream: ready(), and then each holds its stream's
   * lease for its group, or another consumer of the group does (it has its fair share elsewhere). What
   * a publisher should wait for before a burst, so that no backlog builds while consumers take their
   * streams. Rejects with TransportError ('unavailable') after `timeoutMs` (default publishTimeoutMs).
   */
  async reading(timeoutMs = this.config.publishTimeoutMs): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    await this.ready(timeoutMs);
    for (;;) {
      const waiting = [...this.consumers].filter((c) => !c.closed && !c.owner);
      if (waiting.length === 0) return;
      if (this.cmd.status === 'ready') {
        const held = await batch(this.cmd, (client) => waiting.map((c) => client.exists(c.leaseKey))).catch(() => []);
        if (held.length === waiting.length && held.every(([error, n]) => !error && n === 1)) return;
      }
      if (this.closed) throw new BusClosedError('transport');
      if (performance.now() >= deadline) {
        throw new TransportError('unavailable', this.target, `${waiting.length} subscriptions without a reader within ${timeoutMs} ms (${this.lastError})`, true);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Whether a subscription here holds the lease of `stream` for `group` (reads it now). */
  holds(stream: string, group: string): boolean {
    for (const c of this.consumers) if (c.stream === stream && c.group === group && c.owner && !c.closed) return true;
    return false;
  }

  private whenReady(deadline: number): Promise<void> {
    if (this.closed) return Promise.reject(new BusClosedError('transport'));
    if (this.authError) return Promise.reject(new TransportError('auth', this.target, `authentication failed: ${this.authError}`, false));
    if (this.cmd.status === 'ready') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(waiter);
        reject(new TransportError('unavailable', this.target, `not connected within ${this.config.publishTimeoutMs} ms (${this.lastError})`, true));
      }, Math.max(0, deadline - performance.now()));
      this.readyWaiters.add(waiter);
    });
  }

  /**
   * Appends entries to `<prefix><stream>` in one script call (all or none), in order, and resolves
   * with their ids. Rejects with FrameTooLargeError (nothing stored) when an entry exceeds maxFrameBytes, with
   * TransportError when Redis is unreachable for publishTimeoutMs, and with BusClosedError once closed.
   */
  publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    if (this.closed) return Promise.reject(new BusClosedError('transport'));
    for (const e of entries) {
      if (e.data.byteLength > this.config.maxFrameBytes) {
        this.counters.publishErrors++;
        return Promise.reject(new FrameTooLargeError(this.target, e.data.byteLength, this.config.maxFrameBytes));
      }
    }
    const promise = this.append(stream, entries);
    this.publishes.add(promise);
    const done = () => this.publishes.delete(promise);
    promise.then(done, done);
    return promise;
  }

  private async append(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    this.publishing++;
    try {
      const deadline = performance.now() + this.config.publishTimeoutMs;
      await this.whenReady(deadline);
      if (this.limitsPending) await this.limits;
      const serverMax = this.serverMaxBulk;
      if (serverMax !== undefined && serverMax < this.config.maxFrameBytes) {
        for (const e of entries) {
          if (e.data.byteLength > serverMax) throw new FrameTooLargeError(this.target, e.data.byteLength, serverMax, "the server's proto-max-bulk-len");
        }
      }
      let out = this.outboxes.get(stream);
      if (!out) {
        out = { queue: [], head: 0, unsettled: 0, entries: 0, messages: 0 };
        this.outboxes.set(stream, out);
      }
      let messages = 0;
      for (const e of entries) messages += e.count;
      const mean = (out.messages + messages) / Math.max(1, out.entries + entries.length);
      const maxLen = Math.max(1, Math.ceil(this.config.maxLenMessages / Math.max(1, mean)));
      const reply = await this.awaitReply(this.sendAppend(stream, maxLen, entries), deadline);
      const [stored, again] = Array.isArray(reply) ? (reply as [unknown, unknown]) : [];
      if (!Array.isArray(stored) || stored.length !== entries.length) {
        throw new TransportError('command', this.target, `append to ${stream}: unexpected reply`, true);
      }
      const ids = stored.map(String);
      this.counters.deduplicated += Number(again);
      out.entries += entries.length;
      out.messages += messages;
      for (let i = 0; i < entries.length; i++) out.queue.push({ id: ids[i], key: entries[i].key, count: entries[i].count });
      out.unsettled += messages;
      this.counters.entries += entries.length;
      this.counters.messages += messages;
      this.schedulePoll();
      return ids;
    } catch (error) {
      this.counters.publishErrors++;
      if (error instanceof TransportError || error instanceof BusClosedError) throw error;
      throw new TransportError('command', this.target, `publish to ${stream} failed: ${this.clean(messageOf(error))}`, true);
    } finally {
      this.publishing--;
    }
  }

  /**
   * Appends entries to `stream` with the other publishes of this tick (a bus flush publishes to each of
   * its streams at once) in one APPEND_SCRIPT call; resolves with the stream's [ids, deduplicated].
   */
  private sendAppend(stream: string, maxLen: number, entries: readonly OutgoingEntry[]): Promise<unknown> {
    let tick = this.tick;
    if (!tick) {
      const batch: AppendBatch = { keys: [], args: [], waiters: [] };
      this.tick = tick = batch;
      process.nextTick(() => {
        this.tick = undefined;
        const settle = (error: unknown, reply?: unknown) => {
          batch.waiters.forEach((w, i) => (error ? w.reject(error) : w.resolve((reply as unknown[])[i])));
        };
        this.cmd.kbAppend(batch.keys.length, ...batch.keys, ...batch.args).then((reply) => settle(null, reply), settle);
      });
    }
    // Deduplication needs one producer and a seq on every entry.
    const producer = entries[0].producer;
    const dedup = typeof producer === 'string' && producer.length > 0 && entries.every((e) => e.producer === producer && Number.isSafeInteger(e.seq));
    tick.keys.push(this.streamKey(stream), `${this.prefix}dedup:${stream}|${dedup ? producer : ''}`);
    tick.args.push(maxLen, entries.length, dedup ? producer : '', dedup && this.sentBefore(`${stream}|${producer}`, entries) ? 1 : 0);
    for (const e of entries) tick.args.push(asBuffer(e.data), e.key, e.count, dedup ? e.seq! : 0);
    return new Promise((resolve, reject) => tick.waiters.push({ resolve, reject }));
  }

  /**
   * Whether this transport sent any of `entries`' seqs to the stream and producer `id` before (only
   * then can Redis hold them: the script skips the lookup otherwise); records the highest seq sent.
   */
  private sentBefore(id: string, entries: readonly OutgoingEntry[]): boolean {
    const last = this.maxSeqSent.get(id) ?? -Infinity;
    let min = Infinity;
    let max = -Infinity;
    for (const e of entries) {
      min = Math.min(min, e.seq!);
      max = Math.max(max, e.seq!);
    }
    if (max > last) this.maxSeqSent.set(id, max);
    return min <= last;
  }

  /** Waits for a reply until `deadline`; fails early when the connection drops. */
  private awaitReply<T>(promise: Promise<T>, deadline: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const flight: InFlight = {
        fail: (error) => {
          clearTimeout(timer);
          this.inFlight.delete(flight);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        flight.fail(new TransportError('timeout', this.target, `no reply within ${this.config.publishTimeoutMs} ms; the entries may have been stored`, true));
      }, Math.max(0, deadline - performance.now()));
      this.inFlight.add(flight);
      promise.then(
        (value) => {
          if (!this.inFlight.delete(flight)) return;
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          if (!this.inFlight.delete(flight)) return;
          clearTimeout(timer);
          const text = this.clean(messageOf(error));
          // An error reply (e.g. WRONGTYPE): the server answered; otherwise the connection failed mid-way.
          if (error instanceof Error && error.name === 'ReplyError') reject(new TransportError('command', this.target, `refused: ${text}`, TRANSIENT_REPLY.test(text)));
          else reject(new TransportError('timeout', this.target, `publish failed (${text}); the entries may have been stored`, true));
        },
      );
    });
  }

  /**
   * Joins `consumer` to `group` on `stream`: creates the group (from the start of the stream, MKSTREAM)
   * and reads the stream while this consumer holds its lease for the group, on the connection of the
   * consumer's Reader, which reads all the streams of that group and consumer with one XREADGROUP.
   */
  subscribe(stream: string, group: string, consumer: string, handler: EntryHandler): TransportSubscription {
    if (this.closed) throw new BusClosedError('transport');
    for (const [name, value] of [['stream', stream], ['group', group], ['consumer', consumer]] as const) {
      if (typeof value !== 'string' || value.length === 0) throw new KernelInputError(name, 'a non-empty string', describeValue(value));
    }
    if (typeof handler !== 'function') throw new KernelInputError('handler', 'a function', describeValue(handler));
    const id = `${group}\u0000${consumer}`;
    let reader = this.readers.get(id);
    if (!reader) {
      reader = new Reader(this, group, consumer, () => this.readers.delete(id));
      this.readers.set(id, reader);
    }
    const sub = new RedisSubscription(this, reader, stream, group, consumer, handler);
    reader.join(sub);
    this.consumers.add(sub);
    sub.start();
    void this.leaseTick();
    return sub;
  }

  /** @internal Called by a subscription once it has ended. */
  forget(sub: RedisSubscription): void {
    this.consumers.delete(sub);
  }

  /** The Redis key of stream `stream`: the prefix, then the name (`kb:marketdata:TRADE_EXECUTION:0` by default). */
  streamKey(stream: string): string {
    return this.prefix + stream;
  }

  /** @internal The redis key of a stream's lease for a group. */
  leaseKey(stream: string, group: string): string {
    return `${this.prefix}lease:${stream}|${group}`;
  }

  /** @internal Whether a subscription here (open) belongs to `group`. */
  inGroup(group: string): boolean {
    for (const c of this.consumers) if (c.group === group && !c.closed) return true;
    return false;
  }

  /** @internal Unregisters this instance from `group` (its last subscription in the group closed). */
  async leaveGroup(group: string): Promise<void> {
    this.shares.delete(group);
    await unlessClosed(this.cmd, this.cmd.zrem(this.membersKey(group), this.instance));
  }

  /** @internal Registers this instance as a live member of `group` that reads `stream` (as the lease tick does). */
  async register(group: string, stream: string): Promise<void> {
    await unlessClosed(this.cmd, this.membership(this.cmd, group, [stream]));
  }

  /** MEMBERS_SCRIPT for `group` and the `streams` this instance reads, on `target` (a client, maybe inside batch()). */
  private membership(target: Scripts, group: string, streams: string[]): Promise<[number, number]> {
    return target.kbMembers(this.membersKey(group), `${this.prefix}streams:${group}`, this.instance, this.config.claimIdleMs, ...streams);
  }

  /** The sorted set of a group's live instances. */
  private membersKey(group: string): string {
    return `${this.prefix}members:${group}`;
  }

  /** @internal Whether this instance may take one more stream of `group` (fair share between live instances). */
  mayTakeMore(group: string): boolean {
    const share = this.shares.get(group);
    if (!share) return true;
    let held = 0;
    const streams = new Set<string>();
    for (const c of this.consumers) {
      if (c.group !== group || c.closed) continue;
      streams.add(c.stream);
      if (c.owner && !c.releasing) held++;
    }
    // The group's streams as Redis counted them at the last lease tick, or more: those subscribed here
    // since (a tick that ran during the first of several subscriptions counted only that one).
    return held < Math.ceil(Math.max(share.streams, streams.size) / Math.max(1, share.members));
  }

  /** @internal Counter updates from subscriptions. */
  count(field: Exclude<keyof RedisTransportMetrics, 'possibleLoss' | 'backlog'>, by = 1): void {
    this.counters[field] += by;
  }

  /** @internal Reports an error of a background task (cleaned of credentials). */
  report(what: string, error: unknown): void {
    this.log(`${this.target}: ${what}: ${this.clean(messageOf(error))}`);
  }

  /**
   * Renews the leases this instance holds, registers it with its groups and asks subscriptions holding
   * more than their fair share of a group's streams to release the excess.
   */
  private async leaseTick(): Promise<void> {
    if (this.closed || this.leaseTicking || this.consumers.size === 0 || this.cmd.status !== 'ready') return;
    this.leaseTicking = true;
    try {
      await this.renewLeases();
    } finally {
      this.leaseTicking = false;
    }
  }

  private async renewLeases(): Promise<void> {
    const groups = new Map<string, RedisSubscription[]>();
    for (const c of this.consumers) {
      if (c.closed) continue;
      const list = groups.get(c.group) ?? [];
      list.push(c);
      groups.set(c.group, list);
    }
    const ttl = this.config.claimIdleMs;
    const owners = [...this.consumers].filter((c) => c.owner);
    let results: [Error | null, unknown][] | null;
    const sentAt = performance.now();
    try {
      results = await batch(this.cmd, (client) => [
        ...owners.map((c) => client.kbRenew(c.leaseKey, c.token, ttl)),
        ...[...groups].map(([group, subs]) => this.membership(client, group, [...new Set(subs.map((s) => s.stream))])),
      ]);
    } catch (error) {
      results = null;
      this.report('lease renewal', error);
    }
    const now = performance.now();
    owners.forEach((c, i) => {
      const [error, renewed] = results?.[i] ?? [new Error('no reply'), 0];
      if (!error && renewed === 1) c.leaseValidUntil = sentAt + ttl;
      else if (!error || now > c.leaseValidUntil) c.leaseLost();
    });
    let i = owners.length;
    for (const [group, subs] of groups) {
      const [error, reply] = results?.[i++] ?? [new Error('no reply'), null];
      if (error || !Array.isArray(reply)) continue;
      const share = { members: Number(reply[0]), streams: Number(reply[1]) };
      this.shares.set(group, share);
      const held = subs.filter((s) => s.owner && !s.releasing).sort((a, b) => b.acquiredAt - a.acquiredAt);
      const excess = held.length - Math.ceil(share.streams / Math.max(1, share.members));
      for (let k = 0; k < excess; k++) held[k].releasing = true;
    }
  }

  /** Messages published here and not yet acknowledged by every group of their stream (each message once). */
  backlog(stream?: string): number {
    if (stream !== undefined) return this.outboxes.get(stream)?.unsettled ?? 0;
    let total = 0;
    for (const [name, out] of this.outboxes) if (!name.endsWith(DEAD_LETTER_SUFFIX)) total += out.unsettled;
    return total;
  }

  /** Registers a settle listener: called for each entry published here once every group has acknowledged it. */
  onSettle(listener: SettleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once no publish is in flight and, on every stream published or read here, every group that
   * has a consumer (a live lease, or a subscription here) has acknowledged every entry. Groups whose
   * consumers are all gone are not waited for. While the server refuses the credentials nothing can move
   * (publishes are refused for good): it resolves then too.
   */
  idle(): Promise<void> {
    if (this.closed || this.authError) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push({ resolve, poll: this.pollCount + (this.polling ? 1 : 0) });
      this.schedulePoll(0);
    });
  }

  /** Polls after `delay` (default: pollMs, or the faster idle period while idle() is waited for), or sooner if already due. */
  private schedulePoll(delay = this.idleWaiters.length > 0 ? Math.min(IDLE_POLL_MS, this.config.pollMs) : this.config.pollMs): void {
    if (this.polling || this.closed) return;
    const due = performance.now() + delay;
    if (this.pollTimer) {
      if (due >= this.pollDue) return;
      clearTimeout(this.pollTimer);
    }
    this.pollDue = due;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.poll();
    }, delay);
  }

  /** One progress poll: settles entries every group has acknowledged, resolves idle() waiters. */
  private async poll(): Promise<void> {
    if (this.closed) return;
    const names = new Set<string>();
    for (const [name, out] of this.outboxes) if (out.unsettled > 0 || out.head < out.queue.length) names.add(name);
    if (this.idleWaiters.length > 0) for (const c of this.consumers) names.add(c.stream);
    if (names.size === 0 && this.idleWaiters.length === 0) return;
    this.polling = true;
    const poll = ++this.pollCount;
    let delay: number | undefined;
    try {
      const list = [...names];
      const results = list.length > 0 ? await batch(this.cmd, (client) => list.map((name) => client.kbState(this.streamKey(name), this.leaseKey(name, ''), this.prefix, name))) : [];
      let idle = this.publishing === 0;
      list.forEach((name, i) => {
        const [error, reply] = results?.[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        const state = parseState(reply);
        this.settle(name, state);
        if (!this.caughtUp(name, state)) idle = false;
      });
      if (idle) {
        const ready = this.idleWaiters.filter((w) => w.poll <= poll);
        this.idleWaiters = this.idleWaiters.filter((w) => w.poll > poll);
        for (const w of ready) w.resolve();
      }
    } catch (error) {
      if (this.authError) {
        // Nothing can move while the server refuses the credentials: idle() waits for nothing.
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w.resolve();
      } else {
        this.report('progress poll', error);
      }
      delay = Math.max(50, this.config.pollMs);
    } finally {
      this.polling = false;
    }
    this.schedulePoll(delay);
  }

  /** Settles, in order, the entries of `name` published here that every group has acknowledged. */
  private settle(name: string, state: StreamState | null): void {
    const out = this.outboxes.get(name);
    if (!out) return;
    while (out.head < out.queue.length) {
      const e = out.queue[out.head];
      let lost = state === null;
      if (state !== null) {
        const gone = state.first === '' || compareEntryIds(e.id, state.first) < 0;
        const done = state.groups.every((g) => compareEntryIds(e.id, g.lastDelivered) <= 0 && (g.pending === 0 || compareEntryIds(e.id, g.minPending) < 0));
        if (!gone && !done) break;
        lost = gone && !done;
      }
      if (lost) {
        this.counters.discarded += e.count;
        this.counters.lostEntries++;
      }
      out.head++;
      out.unsettled -= e.count;
      for (const listener of this.listeners) listener(name, e.key, e.count);
    }
    if (out.head >= 1024 && out.head * 2 >= out.queue.length) {
      out.queue = out.queue.slice(out.head);
      out.head = 0;
    }
  }

  /** Whether every group of `name` that has a consumer has acknowledged everything in it. */
  private caughtUp(name: string, state: StreamState | null): boolean {
    if (state === null) return true;
    const local = new Set<string>();
    for (const c of this.consumers) if (c.stream === name && !c.closed) local.add(c.group);
    for (const g of state.groups) {
      local.delete(g.name);
      const active = g.consumed || this.hasLocal(name, g.name);
      if (active && (g.pending > 0 || (state.last !== '' && compareEntryIds(g.lastDelivered, state.last) < 0))) return false;
    }
    return local.size === 0 || state.last === '';
  }

  /** @internal Whether a subscription here (open) reads `stream` for `group`. */
  hasLocal(stream: string, group: string): boolean {
    for (const c of this.consumers) if (c.stream === stream && c.group === group && !c.closed) return true;
    return false;
  }

  /** Counters in messages, plus the Redis-specific ones. */
  metrics(): RedisTransportMetrics {
    const c = this.counters;
    return { ...c, backlog: this.backlog(), possibleLoss: c.groupsRecreated > 0 || c.lostEntries > 0 || c.discarded > 0 };
  }

  /**
   * Rejects further publishes, ends every subscription (each finishes the entry in hand and acknowledges
   * what it handled; pending entries stay in Redis for the group), waits for publishes in flight and
   * closes every connection.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.healthTimer) clearInterval(this.healthTimer);
      clearInterval(this.leaseTimer);
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      await Promise.all([...this.consumers].map((c) => c.close()));
      await Promise.allSettled([...this.publishes]);
      const groups = new Set(this.shares.keys());
      if (groups.size > 0 && this.cmd.status === 'ready') {
        await batch(this.cmd, (client) => [...groups].map((g) => client.zrem(this.membersKey(g), this.instance))).catch(() => undefined);
      }
      for (const w of this.readyWaiters) w.reject(new BusClosedError('transport'));
      this.readyWaiters.clear();
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w.resolve();
      this.cmd.disconnect();
      this.health.disconnect();
    })();
    return this.closing;
  }
}

function parseState(reply: unknown): StreamState | null {
  if (!Array.isArray(reply)) return null;
  const groups: GroupState[] = [];
  for (let i = 2; i + 4 < reply.length; i += 5) {
    groups.push({
      name: String(reply[i]), lastDelivered: String(reply[i + 1]), pending: Number(reply[i + 2]),
      minPending: String(reply[i + 3]), consumed: Number(reply[i + 4]) === 1,
    });
  }
  return { first: String(reply[0]), last: String(reply[1]), groups };
}

const FIELD_FRAME = ENTRY_FIELDS.frame.charCodeAt(0);
const FIELD_KEY = ENTRY_FIELDS.key.charCodeAt(0);
const FIELD_COUNT = ENTRY_FIELDS.count.charCodeAt(0);

/**
 * The frame, key and count of an entry's fields, or why they are malformed. The key and count come from
 * the frame's header; fields `k` and `n` must agree with it (an entry whose fields disagree with its
 * frame is malformed), so that the key by which entries are held back is the key the handler applies.
 */
function parseFields(fields: Buffer[], maxFrameBytes: number): { data: Buffer; key: string; count: number } | string {
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
  let header: ReturnType<typeof frameHeader>;
  try {
    header = frameHeader(data);
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
  return { data, key: header.key, count: n };
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
function field(fields: Buffer[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toString('latin1') === name) return fields[i + 1];
  return undefined;
}

const isNoGroup = (error: unknown) => messageOf(error).startsWith('NOGROUP');

/** Per client, the waits to fail when its connection closes (one 'close' listener per client, set in connect()). */
const closeWaiters = new WeakMap<Redis, Set<() => void>>();

/**
 * Resolves once `client` is connected, or after `ms`, or when the function given to `onWake` is called
 * (without an offline queue, a command sent before then fails at once: waiting here spares the retry
 * and its log line).
 */
function connected(client: Redis, ms: number, onWake?: (wake: () => void) => void): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
    onWake?.(done);
  });
}

/**
 * Settles like `promise`, or rejects when `client`'s connection closes first: ioredis (without
 * autoResendUnfulfilledCommands) drops the commands that were in flight on a lost connection.
 */
function unlessClosed<T>(client: Redis, promise: Promise<T>): Promise<T> {
  const waiters = closeWaiters.get(client);
  if (!waiters) return promise;
  return new Promise<T>((resolve, reject) => {
    const onClose = () => reject(new Error('Connection is closed.'));
    waiters.add(onClose);
    promise.then(
      (value) => {
        waiters.delete(onClose);
        resolve(value);
      },
      (error: unknown) => {
        waiters.delete(onClose);
        reject(error);
      },
    );
  });
}

/**
 * Sends the commands `issue` makes on `client` in one socket write (the socket corked meanwhile) and
 * resolves with [error, reply] per command, in order, or rejects when the connection closes first. Used
 * instead of an ioredis Pipeline, whose objects outlive young-generation GCs: a consumer that read
 * through a Pipeline per cycle at 10k msg/s promoted ~3 MB per scavenge and paused 5-10 ms in each,
 * against 0.3 ms and nothing promoted with the same commands sent this way.
 */
function batch(client: Redis, issue: (client: Client) => Promise<unknown>[]): Promise<[Error | null, unknown][]> {
  const socket = client.stream as Socket | TLSSocket | undefined;
  socket?.cork();
  let sent: Promise<unknown>[];
  try {
    sent = issue(client as Client);
  } finally {
    socket?.uncork();
  }
  const settled = sent.map((p) => p.then((reply): [null, unknown] => [null, reply], (error: unknown): [Error, null] => [error instanceof Error ? error : new Error(messageOf(error)), null]));
  return unlessClosed(client, Promise.all(settled));
}

/** A stream's entries as XREADGROUP replies them (RESP2, buffers). */
type StreamReply = [Buffer, [Buffer, Buffer[] | null][]][];

/**
 * Reads for one consumer of a group every stream whose lease one of its subscriptions holds, with one
 * XREADGROUP (COUNT, BLOCK) over all of them on one connection, and hands each stream's entries to its
 * subscription. Acknowledgements go out in the same socket write as the next read (one write, one round
 * trip per cycle), or at once before anything that lets another consumer see the entries (a history
 * read, a lease release, a close). One loop does everything for its subscriptions: creating groups is
 * the only step outside it.
 */
class Reader {
  readonly conn: Redis;
  /** Subscriptions of this group and consumer; `subs`: those whose group exists (being read). */
  private readonly members = new Set<RedisSubscription>();
  private readonly subs = new Set<RedisSubscription>();
  /** Entries handled and not yet acknowledged, per subscription. */
  private readonly acks = new Map<RedisSubscription, string[]>();
  /**
   * Delivery counts to set back, per subscription: entries read but not handed to the handler (their key
   * was held back) by the delivery count they should have (XCLAIM RETRYCOUNT), so that Redis's count is
   * the number of real attempts, also for a consumer that takes the stream over.
   */
  private readonly recounts = new Map<RedisSubscription, Map<number, string[]>>();
  private readonly cfg: RedisTransport['config'];
  private readonly acquireEveryMs: number;
  private nextAcquireAt = 0;
  private running: Promise<void> | undefined;
  private reading = false;
  private stopped = false;
  private wake: () => void = () => {};
  /** Resolves at the end of the current loop step. */
  private step: Promise<void> = Promise.resolve();

  constructor(
    private readonly t: RedisTransport,
    readonly group: string,
    readonly consumer: string,
    private readonly done: () => void,
  ) {
    this.cfg = t.config;
    this.acquireEveryMs = Math.max(10, Math.min(this.cfg.claimIdleMs / 4, 250));
    this.conn = t.connect(`consumer-${consumer}`, { commandTimeout: this.cfg.blockMs + this.cfg.publishTimeoutMs });
  }

  /** Registers a subscription (reading starts with add()). */
  join(sub: RedisSubscription): void {
    this.members.add(sub);
  }

  /** Starts reading for a joined subscription (its group exists). */
  add(sub: RedisSubscription): void {
    if (this.stopped || !this.members.has(sub)) return;
    this.subs.add(sub);
    this.nextAcquireAt = 0;
    this.running ??= this.run();
    this.wake();
  }

  /**
   * Stops reading for `sub` after the step in hand, and acknowledges what it handled. The last
   * subscription to leave ends the reader (a blocking read is interrupted) and closes its connection.
   */
  async remove(sub: RedisSubscription): Promise<void> {
    this.members.delete(sub);
    this.subs.delete(sub);
    if (this.members.size === 0 && !this.stopped) {
      this.stopped = true;
      this.done();
      if (this.reading) this.conn.disconnect();
    }
    this.wake();
    await (this.stopped ? this.running : this.step);
    await this.flushAcks(this.t.cmd, sub);
    if (this.stopped) this.conn.disconnect();
  }

  /** Records entries handled for `sub`, acknowledged with the next read (or flushAcks). */
  acknowledge(sub: RedisSubscription, ids: string[]): void {
    if (ids.length === 0) return;
    const list = this.acks.get(sub);
    if (list) list.push(...ids);
    else this.acks.set(sub, ids);
  }

  /** Records an entry read and not handed to the handler: its delivery count goes back to `deliveries` (with the next write). */
  recount(sub: RedisSubscription, id: string, deliveries: number): void {
    let bySub = this.recounts.get(sub);
    if (!bySub) this.recounts.set(sub, (bySub = new Map()));
    const ids = bySub.get(deliveries);
    if (ids) ids.push(id);
    else bySub.set(deliveries, [id]);
  }

  /** Takes the pending acknowledgements and recounts (of `only`, or all) out of the queues. */
  private takeAcks(only?: RedisSubscription): Acks {
    const out: Acks = { acks: [], recounts: [] };
    for (const [sub, ids] of this.acks) if (!only || sub === only) out.acks.push([sub, ids]);
    for (const [sub, counts] of this.recounts) if (!only || sub === only) out.recounts.push([sub, counts]);
    for (const [sub] of out.acks) this.acks.delete(sub);
    for (const [sub] of out.recounts) this.recounts.delete(sub);
    return out;
  }

  /** Puts acknowledgements and recounts back to be sent again (both are idempotent). */
  private restoreAcks({ acks, recounts }: Acks): void {
    for (const [sub, ids] of acks) this.acknowledge(sub, ids);
    for (const [sub, counts] of recounts) for (const [n, ids] of counts) for (const id of ids) this.recount(sub, id, n);
  }

  /** Sends the pending acknowledgements and recounts (of `only`, or all) on `client`; on failure they stay pending here. */
  async flushAcks(client: Redis = this.conn, only?: RedisSubscription): Promise<void> {
    const taken = this.takeAcks(only);
    if (taken.acks.length === 0 && taken.recounts.length === 0) return;
    try {
      const failed = (await batch(client, (c) => this.sendAcks(c, taken))).find(([error]) => error);
      if (failed) throw failed[0];
    } catch (error) {
      this.restoreAcks(taken);
      throw error;
    }
  }

  /** Sends an XACK per subscription, and an XCLAIM RETRYCOUNT per recount, on `client` (inside batch()); returns their replies. */
  private sendAcks(client: Redis, { acks, recounts }: Acks): Promise<unknown>[] {
    const sent: Promise<unknown>[] = acks.map(([sub, ids]) => client.xack(sub.key, this.group, ...ids));
    for (const [sub, counts] of recounts) {
      for (const [n, ids] of counts) sent.push(client.call('XCLAIM', sub.key, this.group, this.consumer, 0, ...ids, 'RETRYCOUNT', n, 'JUSTID'));
    }
    return sent;
  }

  /** Sleeps `ms`, or less if a subscription arrives or the reader stops. */
  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (!this.stopped) {
      let end: () => void = () => {};
      this.step = new Promise((resolve) => (end = resolve));
      try {
        await connected(this.conn, this.cfg.reconnectMaxMs, (wake) => (this.wake = wake));
        if (this.stopped) break;
        await this.cycle();
        backoff = 0;
      } catch (error) {
        if (this.stopped) break;
        // A read whose reply was lost left entries pending on this consumer: read them back first;
        // leases it failed to take are tried again at once.
        for (const s of this.subs) s.readPending();
        this.nextAcquireAt = 0;
        if (isNoGroup(error)) {
          // Redis lost a group (restarted empty, or a stream was deleted): recreate them and go on.
          for (const s of this.subs) await s.createGroup(true).catch((e: unknown) => this.t.report(`recreating group ${this.group} on ${s.stream}`, e));
          continue;
        }
        this.t.report(`consumer ${this.group}/${this.consumer}`, error);
        backoff = nextBackoff(backoff, this.cfg.reconnectMaxMs);
        await this.pause(backoff);
      } finally {
        end();
      }
    }
    // What was handled and not yet acknowledged (e.g. a read interrupted by the close).
    await this.flushAcks(this.t.cmd).catch((e: unknown) => this.t.report(`acknowledging for ${this.group}/${this.consumer}`, e));
  }

  /** One step: releases and acquires leases, re-reads pending entries where needed, then reads new ones. */
  private async cycle(): Promise<void> {
    for (const s of this.subs) {
      if (!s.releasing) continue;
      await this.flushAcks();
      await s.release();
    }
    let now = performance.now();
    if (now >= this.nextAcquireAt) {
      this.nextAcquireAt = now + this.acquireEveryMs;
      for (const s of this.subs) if (!s.owner && now >= s.heldBackUntil) await s.acquire(this.conn);
    }
    now = performance.now();
    let retryIn = Infinity;
    for (const s of this.subs) {
      if (!s.owner || this.stopped) continue;
      if (!s.history && s.held.size > 0) {
        // Keys held back behind a failed entry: retry it once due (its key's pending entries, in order).
        if (now >= s.retryAt) s.retry();
        else retryIn = Math.min(retryIn, s.retryAt - now);
      }
      if (!s.history) continue;
      // The consumer's pending entries (failed, held back or claimed), a page a cycle, before new ones:
      // none may be acknowledged-but-unsent, no delivery count left to correct.
      await this.flushAcks();
      const page = await s.readHistory(this.conn);
      if (page.length < this.cfg.readCount) s.history = false;
      if (page.length > 0) await this.handle(s, page);
    }
    const readers = [...this.subs].filter((s) => s.owner && !s.history);
    if (this.stopped) return;
    if (readers.length === 0) {
      await this.flushAcks();
      await this.pause(Math.max(1, Math.min(retryIn, this.nextAcquireAt - performance.now())));
      return;
    }
    const block = Math.max(1, Math.min(this.cfg.blockMs, Math.ceil(retryIn), Math.ceil(this.nextAcquireAt - performance.now())));
    const reply = await this.read(readers, block);
    if (!reply) return;
    const byKey = new Map(readers.map((s) => [s.key, s]));
    await Promise.all(
      reply.map(([key, entries]) => {
        const s = byKey.get(key.toString());
        if (!s || !s.owner || s.closed) return undefined; // left pending: read again after a claim
        return this.handle(s, entries.map(([id, fields]) => ({ id: id.toString('latin1'), fields, deliveries: 1 })));
      }),
    );
  }

  /** The pending acknowledgements (and recounts) and one XREADGROUP over the streams of `readers`, in one write. */
  private async read(readers: RedisSubscription[], block: number): Promise<StreamReply | null> {
    const taken = this.takeAcks();
    this.reading = true;
    let results: [Error | null, unknown][];
    let sent = 0;
    try {
      results = await batch(this.conn, (client) => {
        const acks = this.sendAcks(client, taken);
        sent = acks.length;
        return [
          ...acks,
          client.callBuffer(
            'XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', this.cfg.readCount, 'BLOCK', block,
            'STREAMS', ...readers.map((s) => s.key), ...readers.map(() => '>'),
          ),
        ];
      });
    } catch (error) {
      this.restoreAcks(taken);
      throw error;
    } finally {
      this.reading = false;
    }
    const failed = results.slice(0, sent).find(([error]) => error);
    if (failed) {
      // Both are idempotent: send them all again with the next write.
      this.restoreAcks(taken);
      this.t.report(`acknowledging for ${this.group}/${this.consumer}`, failed[0]);
    }
    const [error, reply] = results[sent];
    if (error) throw error;
    return reply as StreamReply | null;
  }

  /** Hands a batch to its subscription; acknowledges what succeeded, recounts what was held back. */
  private async handle(sub: RedisSubscription, batch: RawEntry[]): Promise<void> {
    await sub.handle(batch, this.conn, (ids) => this.acknowledge(sub, ids), (id, deliveries) => this.recount(sub, id, deliveries));
  }
}

/** Acknowledgements and recounts taken out of a Reader's queues to be sent. */
interface Acks {
  acks: [RedisSubscription, string[]][];
  recounts: [RedisSubscription, Map<number, string[]>][];
}

/** One consumer of a group on one stream: lease, pending entries and handler; its Reader reads for it. */
class RedisSubscription implements TransportSubscription {
  readonly key: string;
  readonly leaseKey: string;
  /** Lease value: unique to this subscription. */
  readonly token: string;
  /** Holds the stream's lease for its group. */
  owner = false;
  /** Asked to hand the stream to another instance (fair share) after the batch in hand. */
  releasing = false;
  acquiredAt = 0;
  leaseValidUntil = 0;
  /**
   * Reading the consumer's pending entries (claimed, failed or held back) from `historyFrom` on, a page at
   * a time, before new ones (new entries of other keys wait only for that).
   */
  history = true;
  /** The id after which the next history page starts ('0': from the first pending entry). */
  historyFrom = '0';
  /**
   * Keys whose entry failed and waits for a retry: their later entries are held back (left pending, not
   * handed to the handler, not counted as delivered), while the other keys of the stream go on.
   */
  readonly held = new Set<string>();
  /** Not before (performance.now): the retry of the held keys' entries. */
  retryAt = 0;
  /** Not before: trying to take the lease again after giving it away. */
  heldBackUntil = 0;
  private readonly cfg: RedisTransport['config'];
  private stopped = false;
  private establish: () => void = () => {};
  /** Resolves once the group exists in Redis (or the subscription closed). */
  readonly established = new Promise<void>((resolve) => (this.establish = resolve));
  private starting: Promise<void> = Promise.resolve();
  /** Ends the wait of start() for a connection or a retry (the subscription closes). */
  private wakeStart: () => void = () => {};
  private closing: Promise<void> | undefined;

  constructor(
    private readonly t: RedisTransport,
    private readonly reader: Reader,
    readonly stream: string,
    readonly group: string,
    readonly consumer: string,
    private readonly handler: EntryHandler,
  ) {
    this.key = t.streamKey(stream);
    this.leaseKey = t.leaseKey(stream, group);
    this.token = `${consumer}:${randomBytes(8).toString('hex')}`;
    this.cfg = t.config;
  }

  get closed(): boolean {
    return this.stopped;
  }

  /** Creates the group (retrying while Redis is unreachable), then joins the reader. */
  start(): void {
    this.starting = (async () => {
      let backoff = 0;
      while (!this.stopped) {
        try {
          await connected(this.t.cmd, this.cfg.reconnectMaxMs, (wake) => (this.wakeStart = wake));
          if (this.stopped) return;
          await this.createGroup(false);
          // Registered as a live member reading the stream: from now on publishers' idle() waits for it.
          await this.t.register(this.group, this.stream);
          this.establish();
          this.reader.add(this);
          return;
        } catch (error) {
          if (this.stopped) return;
          this.t.report(`creating group ${this.group} on ${this.stream}`, error);
          backoff = nextBackoff(backoff, this.cfg.reconnectMaxMs);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, backoff);
            this.wakeStart = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      }
    })();
  }

  async createGroup(recreate: boolean): Promise<void> {
    try {
      await unlessClosed(this.t.cmd, this.t.cmd.xgroup('CREATE', this.key, this.group, '0', 'MKSTREAM'));
      if (recreate) {
        this.t.count('groupsRecreated');
        this.t.report(`group ${this.group} on ${this.stream}`, 'Redis had lost it (NOGROUP); recreated, entries may have been lost');
      }
    } catch (error) {
      if (!messageOf(error).startsWith('BUSYGROUP')) throw error;
    }
  }

  /** Takes the stream's lease if free and this instance's fair share allows, then claims the group's pending entries. */
  async acquire(conn: Redis): Promise<boolean> {
    if (this.stopped || !this.t.mayTakeMore(this.group)) return false;
    const ok = await unlessClosed(conn, conn.set(this.leaseKey, this.token, 'PX', this.cfg.claimIdleMs, 'NX'));
    if (ok !== 'OK') return false;
    this.owner = true;
    this.acquiredAt = performance.now();
    this.leaseValidUntil = this.acquiredAt + this.cfg.claimIdleMs;
    this.t.count('leases');
    // Whoever held the stream before is gone: its pending entries are ours, handled first, in order.
    let cursor = '0-0';
    do {
      const reply = (await unlessClosed(conn, conn.call('XAUTOCLAIM', this.key, this.group, this.consumer, 0, cursor, 'COUNT', 1000, 'JUSTID'))) as [
        string,
        string[],
        string[]?,
      ];
      cursor = String(reply[0]);
      this.t.count('claimed', reply[1].length);
      this.t.count('lostEntries', reply[2]?.length ?? 0);
    } while (cursor !== '0-0' && !this.stopped);
    this.held.clear();
    this.readPending();
    return true;
  }

  /** Reads the consumer's pending entries from the first, before new ones (after a claim, or a read whose reply was lost). */
  readPending(): void {
    this.history = true;
    this.historyFrom = '0';
  }

  /** Retries the held keys' entries: reads the pending entries again, in order, each key from its failed entry. */
  retry(): void {
    this.held.clear();
    this.readPending();
  }

  /** Gives the lease back (pending entries stay in the group for the next holder). */
  async release(): Promise<void> {
    this.releasing = false;
    if (!this.owner) return;
    this.owner = false;
    this.held.clear();
    this.heldBackUntil = performance.now() + this.cfg.claimIdleMs / 3;
    const cmd = this.t.cmd as unknown as Redis & Scripts;
    await unlessClosed(cmd, cmd.kbRelease(this.leaseKey, this.token));
  }

  /** The lease expired or another consumer holds it: stop handling entries until it is acquired again. */
  leaseLost(): void {
    if (!this.owner) return;
    this.owner = false;
    this.held.clear();
    this.t.report(`consumer ${this.group}/${this.consumer} on ${this.stream}`, 'lost its lease; another consumer may take over');
  }

  /**
   * A page of the consumer's own pending entries after `historyFrom`, oldest first, with their delivery
   * counts (this read included); moves `historyFrom` past them.
   */
  async readHistory(conn: Redis): Promise<RawEntry[]> {
    const from = this.historyFrom;
    const [[readError, read], [pendingError, pending]] = await batch(conn, (client) => [
      client.callBuffer('XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', this.cfg.readCount, 'STREAMS', this.key, from),
      client.call('XPENDING', this.key, this.group, from === '0' ? '-' : `(${from}`, '+', this.cfg.readCount, this.consumer),
    ]);
    if (readError) throw readError;
    if (pendingError) throw pendingError;
    const counts = new Map<string, number>();
    for (const row of pending as [string, string, number, number][]) counts.set(String(row[0]), Number(row[3]));
    const streams = read as StreamReply | null;
    if (!streams || streams.length === 0) return [];
    const page = streams[0][1].map(([idBuffer, fields]) => {
      const id = idBuffer.toString('latin1');
      return { id, fields, deliveries: counts.get(id) ?? 1 };
    });
    if (page.length > 0) this.historyFrom = page[page.length - 1].id;
    return page;
  }

  /**
   * Hands a batch to the handler in order. An entry whose key is held (an earlier entry of the key failed
   * and waits for its retry) is left pending and passed to `recount` with its delivery count before this
   * read: not handed, not a delivery. Passes what succeeded (or was dead-lettered) to `acknowledge`. A
   * failure no retry can cure (isPermanentFailure), or the last of maxDeliveries, dead-letters the entry;
   * another holds its key until the retry (retryDelayMs).
   */
  async handle(batch: RawEntry[], conn: Redis, acknowledge: (ids: string[]) => void, recount: (id: string, deliveries: number) => void): Promise<void> {
    const acks: string[] = [];
    try {
      for (const raw of batch) {
        if (this.stopped || !this.owner) break;
        const deliveries = Math.max(1, raw.deliveries);
        if (raw.fields === null) {
          // Deleted (trimmed) while pending: nothing left to handle.
          acks.push(raw.id);
          this.t.count('lostEntries');
          continue;
        }
        const parsed = parseFields(raw.fields, this.cfg.maxFrameBytes);
        if (typeof parsed === 'string') {
          const n = Number(field(raw.fields, ENTRY_FIELDS.count)?.toString('latin1') ?? NaN);
          await this.deadLetter(conn, raw.id, raw.fields, parsed, deliveries, Number.isSafeInteger(n) && n >= 0 ? n : 1);
          continue;
        }
        if (this.held.has(parsed.key)) {
          recount(raw.id, deliveries - 1);
          continue;
        }
        const entry: Entry = { id: raw.id, stream: this.stream, key: parsed.key, count: parsed.count, data: parsed.data, deliveries };
        this.t.count('delivered', parsed.count);
        if (deliveries > 1) this.t.count('redelivered', parsed.count);
        try {
          const result = this.handler(entry);
          if (result && typeof (result as Promise<void>).then === 'function') await result;
          acks.push(raw.id);
          this.t.count('acknowledged', parsed.count);
        } catch (error) {
          this.t.count('failed', parsed.count);
          if (isPermanentFailure(error)) {
            await this.deadLetter(conn, raw.id, raw.fields, this.t.clean(permanentFailureReason(error)), deliveries, parsed.count);
          } else if (deliveries >= this.cfg.maxDeliveries) {
            await this.deadLetter(conn, raw.id, raw.fields, `failed ${deliveries} deliveries: ${this.t.clean(messageOf(error))}`, deliveries, parsed.count);
          } else {
            if (this.held.size === 0) this.retryAt = performance.now() + this.cfg.retryDelayMs;
            this.held.add(parsed.key);
          }
        }
      }
    } finally {
      acknowledge(acks);
    }
  }

  /** Moves an entry to `<stream>:dlq` with the reason, and acknowledges it (one MULTI). */
  private async deadLetter(conn: Redis, id: string, fields: Buffer[], reason: string, deliveries: number, count: number): Promise<void> {
    const multi = conn.multi();
    multi.xadd(
      this.key + DEAD_LETTER_SUFFIX, 'MAXLEN', '~', this.cfg.maxLenMessages, '*',
      ENTRY_FIELDS.frame, field(fields, ENTRY_FIELDS.frame) ?? Buffer.alloc(0), ENTRY_FIELDS.key, field(fields, ENTRY_FIELDS.key) ?? '',
      ENTRY_FIELDS.count, field(fields, ENTRY_FIELDS.count) ?? String(count),
      'error', reason, 'source', `${this.stream} ${id}`, 'group', this.group, 'consumer', this.consumer, 'deliveries', deliveries,
    );
    multi.xack(this.key, this.group, id);
    const results = await unlessClosed(conn, multi.exec());
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('dead-letter MULTI aborted');
    this.t.count('deadLettered', count);
    this.t.report(`${this.stream} ${id}`, `dead-lettered to ${this.stream}${DEAD_LETTER_SUFFIX}: ${reason}`);
  }

  /**
   * Leaves the group after the entry in hand (a blocking read is interrupted): what it handled is
   * acknowledged, what it did not stays pending for the group's next consumer. With deleteGroup, and no
   * other consumer of the group here or holding the stream, the group is destroyed (XGROUP DESTROY).
   */
  close(options?: { deleteGroup?: boolean }): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.establish();
      this.wakeStart();
      await this.starting;
      const cmd = this.t.cmd as unknown as Redis & Scripts;
      try {
        await this.reader.remove(this);
        if (this.owner) await unlessClosed(cmd, cmd.kbRelease(this.leaseKey, this.token));
        this.owner = false;
        this.t.forget(this);
        if (!this.t.inGroup(this.group)) await this.t.leaveGroup(this.group);
        if (options?.deleteGroup && !this.t.hasLocal(this.stream, this.group) && !(await unlessClosed(cmd, cmd.exists(this.leaseKey)))) {
          await unlessClosed(cmd, cmd.xgroup('DESTROY', this.key, this.group));
        }
      } catch (error) {
        this.t.report(`closing consumer ${this.group}/${this.consumer} on ${this.stream}`, error);
      } finally {
        this.t.forget(this);
      }
    })();
    return this.closing;
  }
}
