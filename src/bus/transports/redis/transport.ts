/**
 * The Redis Streams transport (ioredis): the same Transport contract as the in-process one (../types.ts),
 * across processes and machines. What lives where:
 *
 * - Keys carry a hash tag (./keys.ts): stream `<bus>:<type>:<shard>` is the Redis stream
 *   `<prefix>{<bus>:<shard>}:<type>` (prefix `kb:`), and its dead letters, leases and deduplication
 *   records share its tag, hence its slot on a Redis Cluster (option `cluster` or a `redis+cluster://`
 *   url: ioredis's Cluster client); one entry per frame, fields `d` (the
 *   frame bytes, sent and read as Buffers), `k` (key), `n` (messages). The publishes of one tick (a
 *   bus flush: one per stream) go as one APPEND_SCRIPT call, whose XADDs run atomically (a dropped
 *   connection stores all or none of them), trimmed with `MAXLEN ~` (the bound converted from
 *   messages to entries with the stream's mean batch size).
 * - A consumer group per `group`; a consumer's Reader reads every stream it holds for the group with
 *   one XREADGROUP (COUNT/BLOCK) on a connection of its own, and acknowledges with XACK (pipelined with
 *   the next read) after the handler succeeds.
 * - Per-key order within a group: one consumer of a group reads a stream at a time (consumers scale
 *   out by shard, i.e. by stream, not within one). It holds a lease
 *   (`<stream key>:lease:<group>`, renewed every claimIdleMs/3); a consumer that stays silent for
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
 * - Durability (option): with 'replica' (the default where the primary has a replica) a publish is
 *   acknowledged once a replica confirms it (WAIT 1 after the append, on the same connection).
 *
 * Delivery is at least once. After a 'timeout' TransportError (the server may have executed the
 * publish) a retry stores its entries once if they carry a producer and seq (the bus's do) and it is
 * the producer's next publish to the stream; otherwise it may store them twice.
 *
 * The parts, each in its own module, declare what they need of the transport (an interface of their
 * own: a few fields, the counters they add to, a `closed()` question), and this facade, which owns the
 * state (the publishing connection, the counters, `closed`), hands each exactly that: ./connection.ts
 * (readiness, limits, replies, health), ./append.ts (publish), ./progress.ts (onSettle, backlog, idle),
 * ./membership.ts (leases renewed, fair share, over LeaseHolders), ./reader.ts (the read loop of a
 * group's consumer, over ReaderSinks), ./subscription.ts (one stream's lease, pending entries, handler
 * and dead letters: a LeaseHolder and a ReaderSink), ./checkpoints.ts (engine checkpoints beside the
 * streams, built from a connection, the key names and a group: checkpointStore()). ./dialer.ts opens
 * connections and cleans the log, ./client.ts holds the client types, ./counters.ts the counters,
 * ./scripts.ts the Lua scripts, ./fields.ts the entry fields, ./options.ts the options. Imports run one
 * way: the facade imports the parts, a part imports only the types of those it calls.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { RedisOptions } from 'ioredis';
import { KernelInputError, describeValue } from '../../../errors.js';
import type {
  CheckpointStore,
  EntryHandler,
  TransportSubscribeOptions,
  OutgoingEntry,
  SettleListener,
  Transport,
  TransportCapabilities,
  TransportSubscription,
} from '../types.js';
import { Appender } from './append.js';
import { RedisCheckpointStore } from './checkpoints.js';
import type { Client, RedisClient } from './client.js';
import { batch } from './commands.js';
import { Connection } from './connection.js';
import { newCounters, type RedisCounters, type RedisTransportMetrics } from './counters.js';
import { Dialer } from './dialer.js';
import { BusClosedError, TransportError } from '../../errors.js';
import { registerTransport, type TransportFactory } from '../../transport-registry.js';
import { RedisKeys } from './keys.js';
import { Membership } from './membership.js';
import { planRedisBuses } from './bus-plan.js';
import { resolveOptions, type OptionNames, type RedisConfig, type RedisTransportOptions } from './options.js';
import { Progress } from './progress.js';
import { Reader, type ReaderDeps } from './reader.js';
import { defineScripts } from './scripts.js';
import { RedisSubscription, type SubscriptionDeps } from './subscription.js';

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
  /** The names of its keys in Redis (hash-tagged: docs/redis.md#keys), for tools and tests. */
  readonly keys: RedisKeys;
  /** Whether the server is a Redis Cluster (option `cluster` or a `redis+cluster://` url). */
  readonly cluster: boolean;
  /** Identifies this transport among the instances of a group. */
  readonly instance: string;
  /** Resolved options (see RedisTransportOptions). */
  readonly config: RedisConfig;
  /**
   * Stores asynchronously (one publish per stream at a time keeps per-key order), entry ids are offsets
   * in Redis that outlive processes, streams move between a group's consumers by lease, and engines can
   * keep checkpoints beside the streams.
   */
  readonly capabilities: TransportCapabilities = Object.freeze({
    serialPublish: true,
    durableOffsets: true,
    leases: true,
    checkpoints: true,
  });
  /** Publishing and bookkeeping, with the scripts defined. */
  readonly cmd: Client;
  private readonly dialer: Dialer;
  /** What the parts count, reported by metrics(). */
  private readonly counters: RedisCounters = newCounters();
  /** Set once close() is called: nothing new starts. */
  private closed = false;
  private readonly isClosed = () => this.closed;
  private readonly connection: Connection;
  private readonly members: Membership<RedisSubscription>;
  private readonly progress: Progress;
  private readonly appender: Appender;
  private readonly readerDeps: ReaderDeps;
  private readonly subscriptionDeps: SubscriptionDeps;
  /** One reader (connection and read loop) per group and consumer name (and hash tag, on a cluster). */
  private readonly readers = new Map<string, Reader>();
  private closing: Promise<void> | undefined;

  /**
   * What `console.log` and `util.inspect` show of it (and of a bus holding it): its name, server and
   * prefix, not its connections, whose options hold the URL's credentials.
   */
  [inspect.custom](): string {
    return `RedisTransport { name: ${JSON.stringify(this.name)}, target: ${JSON.stringify(this.target)}, prefix: ${JSON.stringify(this.prefix)} }`;
  }

  /**
   * Connects (in the background: see ready()) to the server of `options.url`. `names`: how errors name
   * the options (default `options.<name>`; createBus() passes `options.redis`).
   */
  constructor(options: RedisTransportOptions = {}, names?: OptionNames) {
    const resolved = resolveOptions(options, names);
    const config = resolved.config;
    const dialer = new Dialer(resolved);
    this.dialer = dialer;
    this.config = config;
    this.name = config.name;
    this.prefix = config.prefix;
    this.target = dialer.target;
    this.cluster = dialer.cluster;
    this.instance = typeof options.instance === 'string' && options.instance !== '' ? options.instance : randomBytes(8).toString('hex');
    this.keys = new RedisKeys(this.prefix);
    const cmd = defineScripts(dialer.connect('publish', { commandTimeout: config.publishTimeoutMs }));
    this.cmd = cmd;
    const { keys, counters, cluster, target, isClosed: closed } = this;
    const log = {
      target,
      log: (line: string) => dialer.log(line),
      clean: (text: string) => dialer.clean(text),
      report: (what: string, error: unknown) => dialer.report(what, error),
    };
    const connect = (role: string, extra?: RedisOptions) => dialer.connect(role, extra);
    this.connection = new Connection({ ...log, cmd, config, cluster, counters, connect, closed });
    dialer.unhealthy = (withinMs) => this.connection.unhealthyWithin(withinMs);
    this.members = new Membership({ report: log.report, cmd, keys, instance: this.instance, claimIdleMs: config.claimIdleMs, closed });
    this.progress = new Progress({ report: log.report, cmd, keys, pollMs: config.pollMs, counters, closed }, this.members, {
      publishing: () => this.appender.publishing > 0,
      authError: () => this.connection.authError,
    });
    this.appender = new Appender(
      { cmd, keys, config, cluster, target, clean: log.clean, counters, closed },
      this.connection,
      this.progress,
    );
    this.readerDeps = { report: log.report, cmd, config, server: this.connection, connect };
    this.subscriptionDeps = { report: log.report, clean: log.clean, cmd, keys, config, counters };
  }

  /**
   * A new connection to this transport's server with its options (credentials, TLS, reconnection),
   * named `kernelbus-<role>`, plus `options` (e.g. a commandTimeout); its errors go to the transport's
   * log, cleaned of credentials, once each. For work beside the transport (the checkpoint store, tools):
   * the caller closes it (disconnect()).
   */
  openConnection(role: string, options: RedisOptions = {}): RedisClient {
    return this.dialer.connect(role, options);
  }

  /**
   * A store for the checkpoints of consumer group `group` (an engine's) next to the streams, on a
   * connection of its own (docs/redis.md, ./checkpoints.ts); close() it when done.
   */
  checkpointStore(group: string): CheckpointStore {
    const conn = this.openConnection(`checkpoint-${group}`, { commandTimeout: Math.max(1000, this.config.publishTimeoutMs) });
    return new RedisCheckpointStore(conn, this.keys, group);
  }

  /** Removes credentials from a text. */
  clean(text: string): string {
    return this.dialer.clean(text);
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
    return this.connection.healthy;
  }

  /**
   * Keeps `healthy` current with a PING every healthIntervalMs (healthTimeoutMs to answer) until the
   * returned function is called: for routers that move traffic away from an unhealthy bus, and callers
   * that need to know at once when a server stops answering. Without a watcher no PING is sent.
   */
  watchHealth(): () => void {
    return this.connection.watchHealth();
  }

  /**
   * Whether the server takes a write now: a SET of `<prefix>probe:<instance>` (expiring after 10 s) on
   * the publishing connection, answered within `timeoutMs`. True, or why not: not connected, no reply in
   * time (a paused server), or the server's refusal (e.g. OOM under maxmemory, which PINGs do not see).
   */
  probe(timeoutMs: number): Promise<true | string> {
    return this.connection.probeWrite(`${this.prefix}probe:${this.instance}`, timeoutMs);
  }

  /**
   * Resolves once connected and every subscription made so far has its group in Redis (entries
   * published from then on wait for it); rejects with TransportError ('auth' at once when the server
   * refuses the credentials, 'unavailable' after `timeoutMs`, default publishTimeoutMs).
   */
  async ready(timeoutMs = this.config.publishTimeoutMs): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    await this.connection.whenReady(timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TransportError(
              'unavailable',
              this.target,
              `subscriptions not established within ${timeoutMs} ms (${this.connection.lastError})`,
              true,
            ),
          ),
        Math.max(0, deadline - performance.now()),
      );
    });
    try {
      await Promise.race([Promise.all([...this.members.consumers].map((c) => c.established)), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once every subscription here reads its stream: ready(), and then each holds its stream's
   * lease for its group, or another consumer of the group does (it has its fair share elsewhere). A lease
   * that Redis already gives to a subscription here whose acquire() has not seen the reply yet is waited
   * for: an engine's ready() resumes only the streams its subscriptions hold. What
   * a publisher should wait for before a burst, so that no backlog builds while consumers take their
   * streams. Rejects with TransportError ('unavailable') after `timeoutMs` (default publishTimeoutMs).
   */
  async reading(timeoutMs = this.config.publishTimeoutMs): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    await this.ready(timeoutMs);
    for (;;) {
      const waiting = [...this.members.consumers].filter((c) => !c.closed && !c.owner);
      if (waiting.length === 0) return;
      if (this.cmd.status === 'ready') {
        // held by another consumer; our own token there is our acquire() whose reply is still on its way
        const held = await batch(this.cmd, (client) => waiting.map((c) => client.get(c.leaseKey))).catch(() => []);
        if (held.length === waiting.length && held.every(([error, v], i) => !error && v != null && v !== waiting[i].token)) return;
      }
      if (this.closed) throw new BusClosedError('transport');
      if (performance.now() >= deadline) {
        throw new TransportError(
          'unavailable',
          this.target,
          `${waiting.length} subscriptions without a reader within ${timeoutMs} ms (${this.connection.lastError})`,
          true,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Whether a subscription here holds the lease of `stream` for `group` (reads it now). */
  holds(stream: string, group: string): boolean {
    return this.members.holds(stream, group);
  }

  /**
   * Appends entries to `<prefix><stream>` in one script call (all or none), in order, and resolves
   * with their ids. Rejects with FrameTooLargeError (nothing stored) when an entry exceeds maxFrameBytes, with
   * TransportError when Redis is unreachable for publishTimeoutMs, and with BusClosedError once closed.
   */
  publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    return this.appender.publish(stream, entries);
  }

  /**
   * Joins `consumer` to `group` on `stream`: creates the group (from the start of the stream, MKSTREAM)
   * and reads the stream while this consumer holds its lease for the group, on the connection of the
   * consumer's Reader, which reads all the streams of that group and consumer with one XREADGROUP.
   */
  subscribe(
    stream: string,
    group: string,
    consumer: string,
    handler: EntryHandler,
    options: TransportSubscribeOptions = {},
  ): TransportSubscription {
    if (this.closed) throw new BusClosedError('transport');
    for (const [name, value] of [
      ['stream', stream],
      ['group', group],
      ['consumer', consumer],
    ] as const) {
      if (typeof value !== 'string' || value.length === 0) throw new KernelInputError(name, 'a non-empty string', describeValue(value));
    }
    if (typeof handler !== 'function') throw new KernelInputError('handler', 'a function', describeValue(handler));
    // One XREADGROUP reads every stream of a reader: on a cluster they must share a slot, so a consumer
    // has a reader (a connection and a blocking read) per hash tag, i.e. per bus and shard.
    const id = `${group}\u0000${consumer}\u0000${this.cluster ? this.keys.of(stream).tag : ''}`;
    let reader = this.readers.get(id);
    if (!reader) {
      reader = new Reader(this.readerDeps, group, consumer, () => this.readers.delete(id));
      this.readers.set(id, reader);
    }
    const startAfter = options.startAfter ?? '0';
    if (startAfter !== '$' && !/^\d+(-\d+)?$/.test(startAfter))
      throw new KernelInputError('options.startAfter', "an entry id or '$'", describeValue(startAfter));
    const sub = new RedisSubscription(
      this.subscriptionDeps,
      this.members,
      reader,
      stream,
      group,
      consumer,
      handler,
      startAfter,
      options.onLease,
    );
    reader.join(sub);
    this.members.add(sub);
    sub.start();
    void this.members.leaseTick();
    return sub;
  }

  /** The Redis key of stream `stream`: `kb:{marketdata:0}:TRADE_EXECUTION` for `marketdata:TRADE_EXECUTION:0` by default (docs/redis.md#keys). */
  streamKey(stream: string): string {
    return this.keys.stream(stream);
  }

  /** @internal The redis key of a stream's lease for a group. */
  leaseKey(stream: string, group: string): string {
    return this.keys.lease(stream, group);
  }

  /** Messages published here and not yet acknowledged by every group of their stream (each message once). */
  backlog(stream?: string): number {
    return this.progress.backlog(stream);
  }

  /** Registers a settle listener: called for each entry published here once every group has acknowledged it. */
  onSettle(listener: SettleListener): () => void {
    return this.progress.onSettle(listener);
  }

  /**
   * Resolves once no publish is in flight and, on every stream published or read here, every group that
   * has a consumer (a live lease, or a subscription here) has acknowledged every entry. Groups whose
   * consumers are all gone are not waited for. While the server refuses the credentials nothing can move
   * (publishes are refused for good): it resolves then too.
   */
  idle(): Promise<void> {
    return this.progress.idle();
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
      this.connection.stopHealth();
      this.members.stop();
      this.progress.stop();
      await Promise.all([...this.members.consumers].map((c) => c.close()));
      await this.appender.settled();
      await this.members.close();
      this.progress.close();
      this.connection.close();
    })();
    return this.closing;
  }
}

/** The 'redis' transport kind's planner (../../transport-registry.ts): a RedisTransport per bus. */
export const planRedis: TransportFactory<'redis'> = (options, buses) =>
  planRedisBuses(options, buses, (o, names) => new RedisTransport(o, names));

// `createBus({ redis: {...} })` builds on this module once it is loaded (../../transport-registry.ts).
registerTransport('redis', planRedis);
