/**
 * The publishing connection's state and the health check: whether the server is ready (and why not:
 * the last error, refused credentials), its limits (proto-max-bulk-len, read at each connect), the
 * replies publishes wait for, and, while someone watches health, a PING every healthIntervalMs on a
 * connection of its own.
 */
import type { RedisOptions } from 'ioredis';
import type { Client, RedisClient } from './client.js';
import { AUTH_ERROR, messageOf, TRANSIENT_REPLY } from './commands.js';
import type { RedisCounters } from './counters.js';
import type { TransportLog } from './dialer.js';
import type { RedisConfig } from './options.js';
import { BusClosedError, TransportError } from '../../errors.js';

/** How often a single Redis's replicas are counted again while publishing (durability 'auto'). */
const REPLICAS_EVERY_MS = 5000;
/** How long after a transient refusal (LOADING: a server reading its data back) the confirming PING is sent again. */
const CONFIRM_RETRY_MS = 100;

/** A publish waiting for its reply (failed early when the connection drops). */
interface InFlight {
  fail: (error: TransportError) => void;
}

/** What a Connection needs of its transport. */
export interface ConnectionDeps extends TransportLog {
  /** The publishing connection, whose state this follows. */
  readonly cmd: Client;
  readonly config: RedisConfig;
  readonly cluster: boolean;
  readonly counters: Pick<RedisCounters, 'reconnects' | 'healthFailures'>;
  /** Opens the health check's connection. */
  connect(role: string, extra?: RedisOptions): RedisClient;
  /** Whether the transport is closed. */
  closed(): boolean;
}

/** The publishing connection (the transport's `cmd`) and the health connection. */
export class Connection {
  private readonly health: RedisClient;
  private pingOk = false;
  private pingSeq = 0;
  private pingSentAt = 0;
  /** When (performance.now()) the last PING after an outage was answered: the outage's end. */
  private recoveredAt = Number.NEGATIVE_INFINITY;
  /**
   * A server seen healthy stopped answering (an `unhealthy` line) and no PING was answered since. A first
   * PING answered after a slow connect ends no outage: a command timing out just after is its own.
   */
  private inOutage = false;
  /** The PING timer, while health is watched (healthWatchers > 0). */
  private healthTimer: NodeJS.Timeout | undefined;
  private healthWatchers = 0;
  /** The credentials error of the last connection attempt, while the server refuses them. */
  authError: string | undefined;
  /**
   * The server's largest value (CONFIG GET proto-max-bulk-len), read at each connect: a larger frame
   * would make the server drop the connection, so publish refuses it. Undefined when unknown.
   */
  serverMaxBulk: number | undefined;
  /** Settles once serverMaxBulk was read after the last connect; `limitsPending` until then. */
  limits: Promise<void> = Promise.resolve();
  limitsPending = false;
  /**
   * Replicas connected to the server (a single Redis: INFO replication's connected_slaves, read at each
   * connect and again every REPLICAS_EVERY_MS while publishing); on a cluster, see Appender.
   */
  replicas = 0;
  private replicasReadAt = -Infinity;
  /** Why the publishing connection is not ready (for messages). */
  lastError = 'not connected yet';
  private everReady = false;
  /** The publishing connection answered a PING since it last became ready (it is authenticated). */
  private confirmed = false;
  private readonly readyWaiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private readonly inFlight = new Set<InFlight>();

  /**
   * Whether a blocked XREADGROUP over several streams is answered with only the stream that woke it:
   * Redis before 7.2 (redis/redis#11116; 7.2 runs the command again over every stream). Read from INFO
   * server at each connect; assumed until known. See Reader.read().
   */
  oneStreamWake = true;

  constructor(private readonly deps: ConnectionDeps) {
    const cmd = deps.cmd;
    const onError = (error: unknown) => {
      const text = deps.clean(messageOf(error));
      this.lastError = text;
      if (AUTH_ERROR.test(text)) {
        this.authError = text;
        for (const w of this.readyWaiters) w.reject(new TransportError('auth', deps.target, `authentication failed: ${text}`, false));
        this.readyWaiters.clear();
      }
    };
    cmd.on('error', onError);
    // A cluster reports its nodes' errors apart (refused credentials among them).
    if (deps.cluster) cmd.on('node error', onError);
    cmd.on('reconnecting', (ms: number) => {
      deps.log(`${deps.target}: connection lost (${this.lastError}), reconnecting in ${ms} ms`);
    });
    // ioredis's ready check (INFO) is off (options.ts: a user without INFO permission would get its
    // console warning), and its 'ready' then comes even after refused credentials: a PING confirms it.
    // A server still reading its data back (restarted with appendonly or an RDB) answers that PING
    // LOADING: it is sent again until answered, for as long as this connection lasts (without that,
    // the connection stayed unconfirmed, not ready, until the next reconnect, which need never come).
    let connects = 0;
    const confirm = (connect: number) => {
      cmd.ping().then(
        () => {
          if (cmd.status !== 'ready' || this.confirmed) return;
          this.confirmed = true;
          if (this.everReady) {
            deps.counters.reconnects++;
            deps.log(`${deps.target}: reconnected`);
          }
          this.everReady = true;
          this.authError = undefined;
          this.limits = this.readLimits();
          for (const w of this.readyWaiters) w.resolve();
          this.readyWaiters.clear();
        },
        (error: unknown) => {
          onError(error);
          const again = connect === connects && cmd.status === 'ready' && !this.confirmed && !deps.closed();
          if (again && TRANSIENT_REPLY.test(messageOf(error))) setTimeout(() => confirm(connect), CONFIRM_RETRY_MS).unref();
        },
      );
    };
    cmd.on('ready', () => confirm(++connects));
    cmd.on('close', () => {
      this.confirmed = false;
    });
    cmd.on('close', () => this.connectionLost('connection closed'));
    this.health = deps.connect('health', { commandTimeout: Math.max(1000, 10 * deps.config.healthTimeoutMs) });
    this.health.on('ready', () => {
      if (this.healthWatchers > 0) this.checkHealth();
    });
    this.health.on('close', () => this.setHealth(false, 'connection closed'));
  }

  /**
   * Reads the server's proto-max-bulk-len (a server that refuses CONFIG leaves it unknown; on a cluster,
   * any node's: they are configured alike), its version and, on a single Redis, its replicas.
   */
  private async readLimits(): Promise<void> {
    this.limitsPending = true;
    try {
      const [reply] = await Promise.all([this.deps.cmd.config('GET', 'proto-max-bulk-len'), this.readReplicas(), this.readVersion()]);
      const value = Array.isArray(reply) ? Number(reply[1]) : NaN;
      this.serverMaxBulk = Number.isSafeInteger(value) && value > 0 ? value : undefined;
    } catch {
      this.serverMaxBulk = undefined;
    } finally {
      this.limitsPending = false;
    }
  }

  /** Reads the server's version (INFO server) into the context's oneStreamWake; unknown leaves it as it was. */
  private async readVersion(): Promise<void> {
    try {
      const version = /^redis_version:(\d+)\.(\d+)/m.exec(String(await this.deps.cmd.info('server')));
      if (version) this.oneStreamWake = Number(version[1]) * 1000 + Number(version[2]) < 7002;
    } catch {
      // A server that refuses INFO: keep assuming the older behaviour (the extra read is harmless).
    }
  }

  /** Reads the replicas connected to a single Redis (INFO replication); unknown reads as none. */
  private async readReplicas(): Promise<void> {
    if (this.deps.cluster) return;
    this.replicasReadAt = performance.now();
    try {
      const info = String(await this.deps.cmd.info('replication'));
      this.replicas = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
    } catch {
      this.replicas = 0;
    }
  }

  /**
   * Whether a single Redis had a replica when last asked (re-asked in the background when that is over
   * REPLICAS_EVERY_MS ago, so a replica attached or lost later is seen).
   */
  hasReplica(): boolean {
    if (performance.now() - this.replicasReadAt > REPLICAS_EVERY_MS && this.deps.cmd.status === 'ready') void this.readReplicas();
    return this.replicas > 0;
  }

  /** The publishing connection is ready and authenticated. */
  private get isReady(): boolean {
    return this.confirmed && this.deps.cmd.status === 'ready';
  }

  /** True while the publishing connection is ready and, while health is watched, the last PING was answered in time. */
  get healthy(): boolean {
    return !this.deps.closed() && this.isReady && (this.healthWatchers === 0 || this.pingOk);
  }

  /**
   * Whether the server is unhealthy now or its last outage ended less than `ms` ago: a command of timeout
   * `ms` that times out now was sent during that outage.
   */
  unhealthyWithin(ms: number): boolean {
    return !this.healthy || performance.now() - this.recoveredAt < ms;
  }

  /** See RedisTransport.watchHealth(). */
  watchHealth(): () => void {
    if (this.deps.closed()) return () => {};
    if (this.healthWatchers++ === 0) {
      // What is known so far: the health connection is up (a PING confirms it at once).
      this.pingOk = this.health.status === 'ready';
      this.pingSentAt = 0;
      this.pingSeq++;
      this.healthTimer = setInterval(() => this.checkHealth(), this.deps.config.healthIntervalMs);
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
    if (this.deps.closed() || this.healthWatchers === 0) return;
    const now = performance.now();
    if (this.pingSentAt > 0) {
      if (now - this.pingSentAt > this.deps.config.healthTimeoutMs) {
        // Judge after this turn's I/O: if our own event loop was blocked, the reply may be waiting in the socket.
        const seq = this.pingSeq;
        setImmediate(() => {
          if (seq === this.pingSeq && this.pingSentAt > 0)
            this.setHealth(false, `no PING reply within ${this.deps.config.healthTimeoutMs} ms`);
        });
      }
      return;
    }
    if (this.health.status !== 'ready') {
      this.setHealth(false, 'not connected');
      return;
    }
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
        this.deps.counters.healthFailures++;
        this.deps.log(`${this.deps.target}: unhealthy (${this.deps.clean(reason)})`);
        this.inOutage = true;
      }
      // Publishes in flight are left to their own timeout: a slow server may still store them.
      this.pingOk = false;
      return;
    }
    if (!this.pingOk && this.inOutage) {
      this.inOutage = false;
      this.recoveredAt = performance.now();
      this.deps.log(`${this.deps.target}: healthy`);
    }
    this.pingOk = true;
  }

  private connectionLost(reason: string): void {
    for (const f of this.inFlight) {
      f.fail(
        new TransportError(
          'timeout',
          this.deps.target,
          `connection lost while publishing (${reason}); the entries may have been stored`,
          true,
        ),
      );
    }
  }

  /**
   * Resolves once the publishing connection is ready; rejects with TransportError ('auth' at once when
   * the server refuses the credentials, 'unavailable' after `timeoutMs`, which its message names), or
   * BusClosedError once closed.
   */
  whenReady(timeoutMs: number): Promise<void> {
    const { deps } = this;
    if (deps.closed()) return Promise.reject(new BusClosedError('transport'));
    if (this.authError) return Promise.reject(new TransportError('auth', deps.target, `authentication failed: ${this.authError}`, false));
    if (this.isReady) return Promise.resolve();
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
      const timer = setTimeout(
        () => {
          this.readyWaiters.delete(waiter);
          reject(new TransportError('unavailable', deps.target, `not connected within ${timeoutMs} ms (${this.lastError})`, true));
        },
        Math.max(0, timeoutMs),
      );
      this.readyWaiters.add(waiter);
    });
  }

  /** Waits for a publish's reply until `deadline`; fails early when the connection drops. */
  awaitReply<T>(promise: Promise<T>, deadline: number): Promise<T> {
    const { deps } = this;
    return new Promise<T>((resolve, reject) => {
      const flight: InFlight = {
        fail: (error) => {
          clearTimeout(timer);
          this.inFlight.delete(flight);
          reject(error);
        },
      };
      const timer = setTimeout(
        () => {
          flight.fail(
            new TransportError(
              'timeout',
              deps.target,
              `no reply within ${deps.config.publishTimeoutMs} ms; the entries may have been stored`,
              true,
            ),
          );
        },
        Math.max(0, deadline - performance.now()),
      );
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
          const text = deps.clean(messageOf(error));
          // An error reply (e.g. WRONGTYPE): the server answered; otherwise the connection failed mid-way.
          if (error instanceof Error && error.name === 'ReplyError')
            reject(new TransportError('command', deps.target, `refused: ${text}`, TRANSIENT_REPLY.test(text)));
          else reject(new TransportError('timeout', deps.target, `publish failed (${text}); the entries may have been stored`, true));
        },
      );
    });
  }

  /**
   * Writes `key` (SET PX 10 s, on the publishing connection) and waits at most `timeoutMs`: true, or
   * why not (not connected, no reply in time, an error reply such as OOM: a PING does not see a server
   * that refuses writes). See RedisTransport.probe().
   */
  async probeWrite(key: string, timeoutMs: number): Promise<true | string> {
    const { deps } = this;
    if (deps.closed()) return 'closed';
    if (deps.cmd.status !== 'ready') return `not connected (${this.lastError})`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no reply within ${timeoutMs} ms`), timeoutMs);
    });
    const write = deps.cmd.set(key, '1', 'PX', 10_000).then(
      () => true as const,
      (error: unknown) => deps.clean(messageOf(error)),
    );
    try {
      return await Promise.race([write, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the health check (the transport is closing). */
  stopHealth(): void {
    if (this.healthTimer) clearInterval(this.healthTimer);
  }

  /** Rejects the waits for a connection and closes both connections (the last step of close()). */
  close(): void {
    for (const w of this.readyWaiters) w.reject(new BusClosedError('transport'));
    this.readyWaiters.clear();
    this.deps.cmd.disconnect();
    this.health.disconnect();
  }
}
