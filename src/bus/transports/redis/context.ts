/**
 * What every part of a RedisTransport shares (connection and health, append, progress, membership,
 * readers and subscriptions): who it is, its resolved options, its counters, its log, the names of
 * its keys, the publishing connection and the way it opens others.
 */
import { randomBytes } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { TransportMetrics } from '../types.js';
import { failWaitsOnClose, messageOf, type RedisClient } from './commands.js';
import { RedisKeys } from './keys.js';
import type { RedisConfig, ResolvedOptions } from './options.js';
import { defineScripts, type Client } from './scripts.js';

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
  /** Publishes (script calls) that no replica confirmed within replicaTimeoutMs (durability 'replica'): failed, retryable. */
  unreplicated: number;
}

/** A counter a part of the transport adds to (the flags and the backlog are computed). */
export type Counter = Exclude<keyof RedisTransportMetrics, 'possibleLoss' | 'backlog'>;

/** The state every part of one RedisTransport shares. */
export class RedisContext {
  /** For messages and metrics (option `name`). */
  readonly name: string;
  /** The server as `redis://host:port/db`, without credentials. */
  readonly target: string;
  /** Prefix of every key (option `prefix`). */
  readonly prefix: string;
  /** Identifies this transport among the instances of a group. */
  readonly instance = randomBytes(8).toString('hex');
  readonly config: RedisConfig;
  /** Publishing and bookkeeping, with the scripts defined. */
  readonly cmd: Client;
  /** Set once the transport closes: nothing new starts. */
  closed = false;
  /**
   * Whether a blocked XREADGROUP over several streams is answered with only the stream that woke it:
   * Redis before 7.2 (redis/redis#11116; 7.2 runs the command again over every stream). Read from INFO
   * server at each connect; assumed until known. See Reader.read().
   */
  oneStreamWake = true;
  readonly counters: RedisTransportMetrics = {
    entries: 0, messages: 0, delivered: 0, acknowledged: 0, redelivered: 0, failed: 0, deadLettered: 0, discarded: 0, backlog: 0,
    groupsRecreated: 0, lostEntries: 0, possibleLoss: false, claimed: 0, leases: 0, reconnects: 0, publishErrors: 0, deduplicated: 0, healthFailures: 0,
    unreplicated: 0,
  };
  /** The names of the keys (./keys.ts). */
  readonly keys: RedisKeys;
  /** The nodes to start from, on a Redis Cluster; undefined on a single Redis. */
  readonly clusterNodes: { host: string; port: number }[] | undefined;
  private readonly connection: RedisOptions;
  private readonly secrets: string[];
  /** Logs a line, cleaned of credentials. */
  readonly log: (line: string) => void;

  constructor(resolved: ResolvedOptions) {
    this.config = resolved.config;
    this.name = resolved.config.name;
    this.prefix = resolved.config.prefix;
    this.target = resolved.target;
    this.secrets = resolved.secrets;
    this.connection = resolved.connection;
    this.clusterNodes = resolved.cluster;
    this.keys = new RedisKeys(this.prefix);
    const log = resolved.log;
    this.log = log ? (line) => log(this.clean(line)) : () => {};
    this.cmd = defineScripts(this.connect('publish', { commandTimeout: this.config.publishTimeoutMs }));
  }

  /** Whether the server is a Redis Cluster (connections are ioredis Cluster clients). */
  get cluster(): boolean {
    return this.clusterNodes !== undefined;
  }

  /**
   * A new connection with the transport's options; errors are logged (cleaned) once each. On a cluster,
   * an ioredis Cluster client: a connection per node it sends to (lazily), commands routed by their
   * first key's slot, MOVED/ASK followed; a command that meets a lost connection fails (no silent resend
   * of what a node may have run: the callers retry, reading back what they may have missed).
   */
  connect(role: string, extra: RedisOptions = {}): RedisClient {
    // CLIENT SETNAME refuses spaces and control characters.
    const options = { ...this.connection, ...extra, connectionName: `kernelbus-${role}`.replace(/[^\x21-\x7e]/g, '_') };
    let client: RedisClient;
    if (this.clusterNodes) {
      const { host: _h, port: _p, db: _d, retryStrategy: _r, enableOfflineQueue: _q, ...redisOptions } = options;
      const reconnectMaxMs = this.config.reconnectMaxMs;
      client = new Cluster(this.clusterNodes, {
        redisOptions,
        lazyConnect: options.lazyConnect,
        scaleReads: 'master',
        // Commands wait (bounded by the callers' timeouts) while the client (re)learns the slots.
        enableOfflineQueue: true,
        // A command in flight on a lost connection may have run: fail it, never resend it silently.
        retryDelayOnFailover: 0,
        clusterRetryStrategy: (times) => Math.min(10 * 2 ** Math.min(times, 16), reconnectMaxMs),
        slotsRefreshTimeout: Math.max(1000, options.connectTimeout ?? 0),
      });
    } else {
      client = new Redis(options);
    }
    failWaitsOnClose(client);
    let lastLogged = '';
    const logError = (error: unknown) => {
      const text = this.clean(messageOf(error));
      if (text !== lastLogged) this.log(`${this.target} (${role}): ${text}`);
      lastLogged = text;
    };
    client.on('error', logError);
    if (this.clusterNodes) client.on('node error', logError);
    client.on('ready', () => {
      lastLogged = '';
    });
    return client;
  }

  /** Removes credentials from a text. */
  clean(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  /** Reports an error of a background task (cleaned of credentials). */
  report(what: string, error: unknown): void {
    this.log(`${this.target}: ${what}: ${this.clean(messageOf(error))}`);
  }

  /** Adds to a counter. */
  count(field: Counter, by = 1): void {
    this.counters[field] += by;
  }

  /** The Redis key of stream `stream`: `kb:{marketdata:0}:TRADE_EXECUTION` for `marketdata:TRADE_EXECUTION:0` by default (./keys.ts). */
  streamKey(stream: string): string {
    return this.keys.stream(stream);
  }

  /** The Redis key of a stream's lease for a group. */
  leaseKey(stream: string, group: string): string {
    return this.keys.lease(stream, group);
  }
}
