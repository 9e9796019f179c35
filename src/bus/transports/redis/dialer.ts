/**
 * Opening connections to one server with a transport's options (credentials, TLS, reconnection, a
 * Cluster client on a cluster) and keeping credentials out of what is logged. A RedisTransport has one
 * Dialer; its parts get the TransportLog side (and `connect`, where they open connections).
 */
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import type { RedisOptions } from 'ioredis';
import type { RedisClient } from './client.js';
import { CONNECTION_DOWN, failWaitsOnClose, messageOf, TIMED_OUT } from './commands.js';
import type { ResolvedOptions } from './options.js';

let ioredis: typeof import('ioredis') | undefined;

/**
 * ioredis, loaded by the first connection (a program that never opens one never loads it). ioredis is
 * CommonJS: require() gives the module import would, one copy under node, tsx, vitest and bundlers.
 */
function lib(): typeof import('ioredis') {
  ioredis ??= createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  return ioredis;
}

/** Where a part of the transport logs: lines and background errors, cleaned of credentials. */
export interface TransportLog {
  /** The server as `redis://host:port/db`, without credentials. */
  readonly target: string;
  /** Logs a line, cleaned of credentials. */
  log(line: string): void;
  /** Removes credentials from a text. */
  clean(text: string): string;
  /** Reports an error of a background task (cleaned of credentials). */
  report(what: string, error: unknown): void;
}

/** Opens the connections of one transport and cleans what it logs. */
export class Dialer implements TransportLog {
  readonly target: string;
  /** The nodes to start from, on a Redis Cluster; undefined on a single Redis. */
  readonly clusterNodes: { host: string; port: number }[] | undefined;
  private readonly connection: RedisOptions;
  private readonly secrets: string[];
  private readonly reconnectMaxMs: number;
  private readonly sink: ((line: string) => void) | undefined;
  /** The longest commandTimeout of the connections opened so far (see report()). */
  private longestTimeoutMs = 0;

  constructor(resolved: ResolvedOptions) {
    this.target = resolved.target;
    this.secrets = resolved.secrets;
    this.connection = resolved.connection;
    this.clusterNodes = resolved.cluster;
    this.reconnectMaxMs = resolved.config.reconnectMaxMs;
    this.sink = resolved.log;
  }

  /** What `util.inspect` shows of it: its server, not the connection options and secrets it holds. */
  [inspect.custom](): string {
    return `Dialer { target: ${JSON.stringify(this.target)} }`;
  }

  /**
   * Whether the PING watch reports the server unhealthy now or did less than `withinMs` ago (set by the
   * transport; see report()).
   */
  unhealthy: (withinMs: number) => boolean = () => false;

  /** Whether the server is a Redis Cluster (connections are ioredis Cluster clients). */
  get cluster(): boolean {
    return this.clusterNodes !== undefined;
  }

  /** Logs a line, cleaned of credentials. */
  log(line: string): void {
    this.sink?.(this.clean(line));
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
    this.longestTimeoutMs = Math.max(this.longestTimeoutMs, options.commandTimeout ?? 0);
    let client: RedisClient;
    if (this.clusterNodes) {
      const { host: _h, port: _p, db: _d, retryStrategy: _r, enableOfflineQueue: _q, ...redisOptions } = options;
      const reconnectMaxMs = this.reconnectMaxMs;
      client = new (lib().Cluster)(this.clusterNodes, {
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
      client = new (lib().Redis)(options);
    }
    // its options hold the URL's credentials: what inspects a holder of it (an engine's checkpoint
    // store, a reader, console.log of anything that reaches it) sees its role and server only
    const shown = `${this.clusterNodes ? 'Cluster' : 'Redis'} { role: ${JSON.stringify(role)}, target: ${JSON.stringify(this.target)} }`;
    Object.defineProperty(client, inspect.custom, { value: () => shown });
    failWaitsOnClose(client);
    let lastLogged = '';
    const logError = (error: unknown) => {
      const text = this.clean(messageOf(error));
      if (CONNECTION_DOWN.test(text)) return; // the PING watch says it, once per outage
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

  /**
   * Reports an error of a background task (cleaned of credentials); not one of a connection that is down
   * (CONNECTION_DOWN), nor a command timed out during an outage: the outage is the PING watch's one line,
   * not a line per task that met it. A command sent during an outage may time out after it (a blocking
   * read the server starts only when it resumes): a timeout within the longest commandTimeout after the
   * outage ended is the outage's too.
   */
  report(what: string, error: unknown): void {
    const text = messageOf(error);
    if (CONNECTION_DOWN.test(text) || (TIMED_OUT.test(text) && this.unhealthy(this.longestTimeoutMs))) return;
    this.log(`${this.target}: ${what}: ${this.clean(text)}`);
  }
}
