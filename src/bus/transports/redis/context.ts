/**
 * What every part of a RedisTransport shares (connection and health, append, progress, membership,
 * readers and subscriptions): who it is, its resolved options, its counters, its log, the names of
 * its keys, the publishing connection and the way it opens others.
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { TransportMetrics } from '../types.js';
import { failWaitsOnClose, messageOf } from './commands.js';
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
  readonly counters: RedisTransportMetrics = {
    entries: 0, messages: 0, delivered: 0, acknowledged: 0, redelivered: 0, failed: 0, deadLettered: 0, discarded: 0, backlog: 0,
    groupsRecreated: 0, lostEntries: 0, possibleLoss: false, claimed: 0, leases: 0, reconnects: 0, publishErrors: 0, deduplicated: 0, healthFailures: 0,
  };
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
    const log = resolved.log;
    this.log = log ? (line) => log(this.clean(line)) : () => {};
    this.cmd = defineScripts(this.connect('publish', { commandTimeout: this.config.publishTimeoutMs }));
  }

  /** A new connection with the transport's options; errors are logged (cleaned) once each. */
  connect(role: string, extra: RedisOptions = {}): Redis {
    // CLIENT SETNAME refuses spaces and control characters.
    const client = new Redis({ ...this.connection, ...extra, connectionName: `kernelbus-${role}`.replace(/[^\x21-\x7e]/g, '_') });
    failWaitsOnClose(client);
    let lastLogged = '';
    client.on('error', (error: unknown) => {
      const text = this.clean(messageOf(error));
      if (text !== lastLogged) this.log(`${this.target} (${role}): ${text}`);
      lastLogged = text;
    });
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

  /** The Redis key of stream `stream`: the prefix, then the name (`kb:marketdata:TRADE_EXECUTION:0` by default). */
  streamKey(stream: string): string {
    return this.prefix + stream;
  }

  /** The Redis key of a stream's lease for a group. */
  leaseKey(stream: string, group: string): string {
    return `${this.prefix}lease:${stream}|${group}`;
  }
}
