/**
 * The options of RedisTransport: what a user may set, the defaults, and their checks (KernelInputError
 * naming the option), resolved once into the config, the ioredis connection options and the secrets to
 * keep out of messages. Also what createBus() takes to put its buses on Redis (RedisBusOptions, the
 * bus's `redis` option; planned into one RedisTransport per bus by ./bus-plan.ts).
 */
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { KernelInputError, describeValue } from '../../../errors.js';

/** Options of RedisTransport. */
export interface RedisTransportOptions {
  /**
   * `redis://[user:password@]host[:port][/db]` or `rediss://...` (TLS). Default `redis://127.0.0.1:6379`.
   * A server on this machine by its Unix socket: `unix:///path/to/redis.sock[?db=N]` (credentials as
   * `unix://user:password@localhost/path...`); a command costs each side a few us of system time less
   * than over TCP to 127.0.0.1 (docs/redis.md).
   * Username and password (ACL) are passed to ioredis and never appear in messages or logs.
   * A Redis Cluster: `redis+cluster://[user:password@]host:port,host:port,...` (`rediss+cluster://` for
   * TLS), the nodes to learn the cluster from (one suffices; more survive one being down), or `cluster`.
   */
  url?: string;
  /**
   * A Redis Cluster, by the URLs of some of its nodes (`redis://[user:password@]host:port`, all alike
   * but for host and port; no database): the same as a `redis+cluster://` url. Keys are hash-tagged
   * per bus and shard (see docs/redis.md), so consumers scale out by shard across the primaries.
   */
  cluster?: readonly string[];
  /**
   * When a publish counts as stored: `'replica'`, once a replica has it (WAIT 1 after the append, on the
   * same connection; a primary that dies before replicating cannot take an acknowledged publish with
   * it), or `'primary'`, once the primary has it (Redis replicates asynchronously). Default: `'replica'`
   * where the primary has a replica (a single Redis: connected_slaves at each connect; a cluster: per
   * slot, from the client's slot map), else `'primary'` (WAIT would wait for nobody).
   */
  durability?: 'replica' | 'primary';
  /** With durability 'replica': how long a publish waits for a replica to confirm it before failing (retryable). Default 500 ms. */
  replicaTimeoutMs?: number;
  /** Extra ioredis options applied over those from `url`, e.g. `{ tls: { ca } }` for a private CA. */
  redis?: RedisOptions;
  /** Prefix of every key, before its hash tag (no braces). Default `'kb:'`. */
  prefix?: string;
  /** Name for messages and metrics. Default `'redis'`. */
  name?: string;
  /**
   * This transport's id among the members of its groups (the fair share of their streams). Default: its
   * own. createBus() gives the transports of one bus system one id, so that an engine reading streams of
   * several buses counts as one member.
   */
  instance?: string;
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
  /**
   * Publish the frames of one publish call (a bus flush: one frame per key of a stream) as one packed
   * entry (docs/wire-format.md#packed-entries) rather than an entry each: Redis and every consumer then
   * handle one entry where they handled one per key, which is what limits a feed of many keys' small
   * frames (`kernelbus feed` and `demo --redis` turn it on). Consumers of this package read both; a
   * consumer of another language must read packs. The messages of a pack share its entry id: skip
   * redeliveries by stream and key, as the engines do. Default false.
   */
  packEntries?: boolean;
  /** Longest wait between reconnection attempts (exponential backoff from 20 ms). Default 1000 ms. */
  reconnectMaxMs?: number;
  /** Receives operational messages (connection lost, reconnected, errors); credentials are never included. */
  log?: (line: string) => void;
}

/**
 * Where a bus lives on Redis: a URL (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS,
 * `redis+cluster://...` for a cluster), or a primary and a secondary URL. A secondary becomes a bus of
 * its own, `<bus>.secondary`, which the `'failover'` routing uses while the primary is unhealthy
 * (subscribers read both).
 */
export type RedisBusTarget = string | { primary: string; secondary: string };

/**
 * createBus()'s `redis` option: the buses on Redis Streams, one RedisTransport per bus (its presence
 * implies `transport: 'redis'`). Where they live: every bus on `url` (default
 * `redis://127.0.0.1:6379`), on the Redis Cluster of `cluster`, or each bus on its own server by
 * `targets`. The other fields are the RedisTransport options of every bus (prefix, maxLenMessages,
 * claimIdleMs, health check, ioredis options under `redis`, ...); each bus's transport is named
 * `redis:<bus>`.
 */
export interface RedisBusOptions extends Omit<RedisTransportOptions, 'name'> {
  /**
   * Each bus's server, by bus name: `{ marketdata: 'redis://10.0.0.1:6380', logic: ..., compute: ... }`
   * (a RedisBusTarget each). Its keys are the buses (the bus's `buses` option may be left out, or must
   * name the same buses); `url` and `cluster` are then left out.
   */
  targets?: Readonly<Record<string, RedisBusTarget>>;
}

/**
 * How errors name the options: `options` for RedisTransport's own (`options.claimIdleMs`), `options.redis`
 * for a bus's (`options.redis.claimIdleMs`); `url` names the URL (default `<options>.url`).
 */
export interface OptionNames {
  options: string;
  url?: string;
}

/** Resolved options (RedisTransport.config): every number checked, defaults applied; durability 'auto' unless set. */
export type RedisConfig = Readonly<
  Omit<Required<RedisTransportOptions>, 'url' | 'redis' | 'log' | 'cluster' | 'durability' | 'instance'> & {
    durability: 'replica' | 'primary' | 'auto';
  }
>;

/** The default prefix of every key (option `prefix`): stream `marketdata:TRADE_EXECUTION:0` is the Redis stream `kb:{marketdata:0}:TRADE_EXECUTION` (./keys.ts). */
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
  packEntries: false,
  reconnectMaxMs: 1000,
  replicaTimeoutMs: 500,
};

/** What a RedisTransport is built from: its options, checked and resolved. */
export interface ResolvedOptions {
  /** The server as `redis://host:port/db`, without credentials. */
  target: string;
  /** Credentials to remove from every message (see RedisContext.clean). */
  secrets: string[];
  config: RedisConfig;
  /** The ioredis options of every connection (of every node's, on a cluster). */
  connection: RedisOptions;
  /** A Redis Cluster: the nodes to start from (ioredis's Cluster client); undefined for a single Redis. */
  cluster: { host: string; port: number }[] | undefined;
  /** The user's log sink, if any (messages are cleaned before they reach it). */
  log: ((line: string) => void) | undefined;
}

function positive(options: RedisTransportOptions, arg: string, name: keyof typeof DEFAULTS, min: number, integer = true): number {
  const value = options[name as keyof RedisTransportOptions] ?? DEFAULTS[name];
  if (typeof value !== 'number' || !(value >= min) || (integer && !Number.isInteger(value)) || !Number.isFinite(value)) {
    throw new KernelInputError(`${arg}.${name}`, `${integer ? 'an integer' : 'a number'} >= ${min}`, describeValue(value));
  }
  return value;
}

/** Connection options from a URL, and the credentials to keep out of messages. */
function parseUrl(url: string, argument: string): { options: RedisOptions; target: string; secrets: string[] } {
  const expected = 'a redis://, rediss:// or unix:// URL';
  if (typeof url !== 'string') throw new KernelInputError(argument, `${expected} string`, describeValue(url));
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // The URL may hold a password: never echo it.
    throw new KernelInputError(argument, expected, 'a string that is not a URL (not shown: it may hold credentials)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:' && u.protocol !== 'unix:') {
    throw new KernelInputError(argument, expected, `protocol ${u.protocol}`);
  }
  const socket = u.protocol === 'unix:';
  if (socket && u.hostname !== '' && u.hostname !== 'localhost') {
    throw new KernelInputError(argument, 'unix:///path/to/redis.sock (a socket on this machine: no host)', `host ${u.hostname}`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = u.port === '' ? 6379 : Number(u.port);
  // a socket's database is ?db=N (its path is the socket's); a server's, the path
  const dbText = socket ? (u.searchParams.get('db') ?? '0') : u.pathname.length > 1 ? u.pathname.slice(1) : '0';
  const db = Number(dbText);
  if (!/^\d+$/.test(dbText) || !Number.isSafeInteger(db)) {
    const where = socket ? 'a database number as ?db=N' : 'a database number after the host (/0, /1, ...)';
    throw new KernelInputError(argument, where, socket ? `db=${dbText}` : `/${dbText}`);
  }
  let path = '';
  if (socket) {
    try {
      path = decodeURIComponent(u.pathname);
    } catch {
      throw new KernelInputError(argument, 'a percent-encoded socket path', 'a malformed escape');
    }
    if (path === '/' || path === '') throw new KernelInputError(argument, 'unix:///path/to/redis.sock', 'no path');
  }
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(u.username);
    password = decodeURIComponent(u.password);
  } catch {
    throw new KernelInputError(argument, 'percent-encoded credentials', 'a malformed escape (not shown)');
  }
  const options: RedisOptions = socket ? { path, db } : { host, port, db };
  if (username) options.username = username;
  if (password) options.password = password;
  // SNI only for names: RFC 6066 forbids an IP address as the server name (Node checks IP SANs anyway).
  if (u.protocol === 'rediss:') options.tls = isIP(host) ? {} : { servername: host };
  const secrets = [password, u.password, username, u.username].filter((s) => s.length >= 3);
  const target = socket ? `unix://${path}?db=${db}` : `${u.protocol}//${host.includes(':') ? `[${host}]` : host}:${port}/${db}`;
  return { options, target, secrets };
}

/** A Redis Cluster URL's scheme: `redis+cluster://` (or `rediss+cluster://`, TLS). */
const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:(.*)@)?([^@/]*)(\/0?)?$/i;

/**
 * The nodes of a cluster given as `redis+cluster://[user:password@]host:port,...` or as a list of
 * `redis://` URLs (`argument` names it in errors): their connection options, the target without
 * credentials, and the secrets. The nodes must agree on scheme and credentials, and use database 0.
 */
function parseCluster(
  urls: readonly string[],
  argument: string,
): { options: RedisOptions; nodes: { host: string; port: number }[]; target: string; secrets: string[] } {
  if (urls.length === 0) throw new KernelInputError(argument, 'at least one node', 'none');
  const parsed = urls.map((u, i) => parseUrl(u, urls.length > 1 ? `${argument}[${i}]` : argument));
  const first = parsed[0].options;
  for (const [i, p] of parsed.entries()) {
    const o = p.options;
    if (o.path !== undefined)
      throw new KernelInputError(`${argument}[${i}]`, 'a redis:// or rediss:// node (a cluster is reached over TCP)', 'a unix:// socket');
    if (o.db !== 0) throw new KernelInputError(`${argument}[${i}]`, 'database 0 (a cluster has no other)', `/${o.db}`);
    if (o.username !== first.username || o.password !== first.password || Boolean(o.tls) !== Boolean(first.tls)) {
      throw new KernelInputError(`${argument}[${i}]`, "the first node's scheme and credentials", 'others (not shown)');
    }
  }
  const nodes = parsed.map((p) => ({ host: p.options.host!, port: p.options.port! }));
  const scheme = first.tls ? 'rediss' : 'redis';
  const hosts = nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',');
  const { host: _h, port: _p, db: _d, ...options } = first;
  // Each node's certificate is checked against its own host (no SNI name of the first node's).
  if (options.tls) options.tls = {};
  return { options, nodes, target: `${scheme}+cluster://${hosts}`, secrets: parsed.flatMap((p) => p.secrets) };
}

/** The `redis://` URL of each node of a `redis+cluster://` URL (its credentials on each). */
function clusterNodeUrls(url: string, argument: string): string[] {
  const m = CLUSTER_URL.exec(url);
  // The URL may hold a password: never echo it.
  if (!m || m[3] === '')
    throw new KernelInputError(
      argument,
      'redis+cluster://[user:password@]host:port,host:port,...',
      'another form (not shown: it may hold credentials)',
    );
  const auth = m[2] === undefined ? '' : `${m[2]}@`;
  return m[3].split(',').map((host) => `${m[1].toLowerCase()}://${auth}${host}`);
}

/**
 * Checks RedisTransport's options (KernelInputError naming the first bad one, by `names`) and resolves
 * them.
 */
export function resolveOptions(options: RedisTransportOptions, names: OptionNames = { options: 'options' }): ResolvedOptions {
  const arg = names.options;
  const urlArg = names.url ?? `${arg}.url`;
  if (typeof options !== 'object' || options === null) throw new KernelInputError(arg, 'an object', describeValue(options));
  let cluster: { host: string; port: number }[] | undefined;
  let parsed: { options: RedisOptions; target: string; secrets: string[] };
  if (options.cluster !== undefined) {
    if (!Array.isArray(options.cluster))
      throw new KernelInputError(
        `${arg}.cluster`,
        'an array of redis:// URLs',
        // A URL may hold a password: never echo one.
        typeof options.cluster === 'string' ? 'a string (not shown: it may hold credentials)' : describeValue(options.cluster),
      );
    if (options.url !== undefined)
      throw new KernelInputError(urlArg, `nothing when ${arg}.cluster names the nodes`, 'a URL (not shown: it may hold credentials)');
    ({ nodes: cluster, ...parsed } = parseCluster(options.cluster, `${arg}.cluster`));
  } else if (typeof options.url === 'string' && /^rediss?\+cluster:/i.test(options.url)) {
    ({ nodes: cluster, ...parsed } = parseCluster(clusterNodeUrls(options.url, urlArg), urlArg));
  } else {
    parsed = parseUrl(options.url ?? DEFAULTS.url, urlArg);
  }
  const { options: fromUrl, target, secrets } = parsed;
  const durability = options.durability ?? 'auto';
  if (options.durability !== undefined && durability !== 'replica' && durability !== 'primary') {
    throw new KernelInputError(`${arg}.durability`, "'replica' or 'primary'", describeValue(options.durability));
  }
  const extra = options.redis ?? {};
  const secret = [extra.password, extra.username].filter((s): s is string => typeof s === 'string' && s.length >= 3);
  const prefix = options.prefix ?? DEFAULTS.prefix;
  if (typeof prefix !== 'string' || /[{}]/.test(prefix))
    throw new KernelInputError(`${arg}.prefix`, "a string without '{' or '}' (a hash tag follows it)", describeValue(prefix));
  const name = options.name ?? DEFAULTS.name;
  if (typeof name !== 'string' || name.length === 0) throw new KernelInputError(`${arg}.name`, 'a non-empty string', describeValue(name));
  if (options.log !== undefined && typeof options.log !== 'function')
    throw new KernelInputError(`${arg}.log`, 'a function', describeValue(options.log));
  const packEntries = options.packEntries ?? DEFAULTS.packEntries;
  if (typeof packEntries !== 'boolean') throw new KernelInputError(`${arg}.packEntries`, 'a boolean', describeValue(packEntries));
  const config: RedisConfig = {
    prefix,
    name,
    maxLenMessages: positive(options, arg, 'maxLenMessages', 1),
    maxDeliveries: positive(options, arg, 'maxDeliveries', 1),
    claimIdleMs: positive(options, arg, 'claimIdleMs', 30),
    readCount: positive(options, arg, 'readCount', 1),
    blockMs: positive(options, arg, 'blockMs', 1),
    maxFrameBytes: positive(options, arg, 'maxFrameBytes', 1),
    publishTimeoutMs: positive(options, arg, 'publishTimeoutMs', 1, false),
    healthIntervalMs: positive(options, arg, 'healthIntervalMs', 1, false),
    healthTimeoutMs: positive(options, arg, 'healthTimeoutMs', 1, false),
    pollMs: positive(options, arg, 'pollMs', 1, false),
    retryDelayMs: positive(options, arg, 'retryDelayMs', 0, false),
    reconnectMaxMs: positive(options, arg, 'reconnectMaxMs', 1, false),
    replicaTimeoutMs: positive(options, arg, 'replicaTimeoutMs', 1),
    packEntries,
    durability,
  };
  const reconnectMaxMs = config.reconnectMaxMs;
  const connection: RedisOptions = {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: null,
    disableClientInfo: true,
    // No INFO before the first command: a user without INFO permission (ACL -@dangerous) would get
    // ioredis's console warning; a server still loading answers LOADING, which is retried as transient.
    enableReadyCheck: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(10 * 2 ** Math.min(times, 16), reconnectMaxMs),
    ...fromUrl,
    ...extra,
    tls: fromUrl.tls || extra.tls ? { ...fromUrl.tls, ...extra.tls } : undefined,
  };
  return { target, secrets: [...secrets, ...secret], config, connection, cluster, log: options.log };
}
