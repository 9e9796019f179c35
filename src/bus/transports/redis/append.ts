/**
 * Appending entries: the publishes of one tick (a bus flush: one per stream) go as one APPEND_SCRIPT
 * call (on a cluster, one per hash tag: a bus and shard, one slot), whose XADDs run atomically, trimmed
 * with `MAXLEN ~` (the bound converted from messages to entries with the stream's mean batch size); a
 * publish retried after an ambiguous failure is stored once when its entries carry a producer and seqs
 * (increasing along each stream: the script stores no seq at or below the highest it stored).
 * With durability 'replica' the call is followed, on the same connection, by WAIT 1: the publish is
 * acknowledged once a replica has it (Redis replicates asynchronously: a primary that dies before
 * replicating takes unreplicated writes with it, and its promoted replica never had them).
 * With packEntries, a publish's frames go as packed entries (./pack.ts): each publish's ids are then
 * its frames' entries' ids, several frames sharing one.
 */
import type { Cluster } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import type { OutgoingEntry } from '../types.js';
import type { Client } from './client.js';
import { asBuffer, batch, messageOf } from './commands.js';
import type { RedisCounters } from './counters.js';
import type { RedisKeys } from './keys.js';
import type { RedisConfig } from './options.js';
import type { Connection } from './connection.js';
import { BusClosedError, FrameTooLargeError, TransportError } from '../../errors.js';
import { packEntries } from './pack.js';
import type { Progress } from './progress.js';

/** The publishes of one tick to one hash tag by one producer (on a single Redis: usually all of them): one APPEND_SCRIPT call. */
interface AppendCall {
  /** KEYS: per stream, the stream and the producer's deduplication record on its hash tag. */
  keys: string[];
  args: (number | string | Buffer)[];
  /** Per stream, its entries' count and who waits for their [ids, deduplicated]. */
  waiters: { entries: number; resolve: (reply: [string[], number]) => void; reject: (error: unknown) => void }[];
}

/** How often a producer's deduplication record gets its time to live renewed (APPEND_SCRIPT; it lives DEDUP_TTL_MS). */
const RENEW_MS = 60_000;

/** What an Appender needs of its transport. */
export interface AppenderDeps {
  /** The publishing connection. */
  readonly cmd: Client;
  readonly keys: RedisKeys;
  readonly config: RedisConfig;
  readonly cluster: boolean;
  /** The server, for errors. */
  readonly target: string;
  clean(text: string): string;
  readonly counters: Pick<RedisCounters, 'entries' | 'messages' | 'publishErrors' | 'deduplicated' | 'unreplicated'>;
  /** Whether the transport is closed (publishes are refused). */
  closed(): boolean;
}

/** The producer of `entries` when every one has it and a seq (deduplication needs both), else ''. */
function producerOf(entries: readonly OutgoingEntry[]): string {
  const first = entries[0].producer;
  return typeof first === 'string' && first.length > 0 && entries.every((e) => e.producer === first && Number.isSafeInteger(e.seq))
    ? first
    : '';
}

/** Publishes entries over the transport's publishing connection. */
export class Appender {
  /** Publishes in flight (between whenReady and the reply). */
  publishing = 0;
  private readonly publishes = new Set<Promise<unknown>>();
  /** Per `<stream>|<producer>`, the highest seq published (see sentBefore()). */
  private readonly maxSeqSent = new Map<string, number>();
  /** This tick's publishes, one command per hash tag ('' on a single Redis) and producer (see sendAppend). */
  private tick: Map<string, AppendCall> | undefined;
  /** Per deduplication record, when this transport last renewed its time to live (performance.now()). */
  private readonly renewedAt = new Map<string, number>();

  constructor(
    private readonly deps: AppenderDeps,
    private readonly connection: Connection,
    private readonly progress: Progress,
  ) {}

  /** See RedisTransport.publish(). */
  publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    const { deps } = this;
    if (deps.closed()) return Promise.reject(new BusClosedError('transport'));
    for (const e of entries) {
      if (e.data.byteLength > deps.config.maxFrameBytes) {
        deps.counters.publishErrors++;
        return Promise.reject(new FrameTooLargeError(deps.target, e.data.byteLength, deps.config.maxFrameBytes));
      }
    }
    const promise = this.append(stream, entries);
    this.publishes.add(promise);
    const done = () => this.publishes.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Resolves once every publish made so far has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.publishes]);
  }

  private async append(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const { deps, connection } = this;
    this.publishing++;
    try {
      const deadline = performance.now() + deps.config.publishTimeoutMs;
      await connection.whenReady(deps.config.publishTimeoutMs);
      if (connection.limitsPending) await connection.limits;
      const serverMax = connection.serverMaxBulk;
      if (serverMax !== undefined && serverMax < deps.config.maxFrameBytes) {
        for (const e of entries) {
          if (e.data.byteLength > serverMax)
            throw new FrameTooLargeError(deps.target, e.data.byteLength, serverMax, "the server's proto-max-bulk-len");
        }
      }
      const out = this.progress.outbox(stream);
      let messages = 0;
      for (const e of entries) messages += e.count;
      // Packed: the entries stored, and per stored entry how many of `entries` it holds.
      const producer = producerOf(entries);
      const { entries: stored, sizes } =
        deps.config.packEntries && entries.length > 1
          ? packEntries(
              entries,
              Math.min(deps.config.maxFrameBytes, serverMax ?? Number.POSITIVE_INFINITY),
              producer ? this.maxSeqSent.get(`${stream}|${producer}`) : undefined,
            )
          : { entries, sizes: undefined };
      const mean = (out.messages + messages) / Math.max(1, out.entries + stored.length);
      const maxLen = Math.max(1, Math.ceil(deps.config.maxLenMessages / Math.max(1, mean)));
      const [storedIds, again] = await connection.awaitReply(this.sendAppend(stream, maxLen, stored, producer), deadline);
      deps.counters.deduplicated += again;
      out.entries += stored.length;
      out.messages += messages;
      // per entry given, the id of the stored entry that holds it (a pack's frames share its id)
      let ids = storedIds;
      if (sizes) {
        ids = new Array<string>(entries.length);
        let at = 0;
        for (let i = 0; i < sizes.length; i++) for (let k = 0; k < sizes[i]; k++) ids[at++] = storedIds[i];
      }
      for (let i = 0; i < entries.length; i++) out.queue.push({ id: ids[i], key: entries[i].key, count: entries[i].count });
      out.unsettled += messages;
      deps.counters.entries += stored.length;
      deps.counters.messages += messages;
      this.progress.schedulePoll();
      return ids;
    } catch (error) {
      deps.counters.publishErrors++;
      if (error instanceof TransportError || error instanceof BusClosedError) throw error;
      throw new TransportError('command', deps.target, `publish to ${stream} failed: ${deps.clean(messageOf(error))}`, true);
    } finally {
      this.publishing--;
    }
  }

  /**
   * Appends entries to `stream` with the other publishes of this tick (a bus flush publishes to each of
   * its streams at once) in one APPEND_SCRIPT call (on a cluster: with those of the stream's hash tag;
   * a call per producer); resolves with the stream's [ids, deduplicated].
   */
  private sendAppend(stream: string, maxLen: number, entries: readonly OutgoingEntry[], producer: string): Promise<[string[], number]> {
    const { deps } = this;
    let tick = this.tick;
    if (!tick) {
      const calls = new Map<string, AppendCall>();
      this.tick = tick = calls;
      process.nextTick(() => {
        this.tick = undefined;
        this.flush([...calls.values()]);
      });
    }
    const keys = deps.keys.of(stream);
    const id = `${deps.cluster ? keys.tag : ''}|${producer}`;
    let call = tick.get(id);
    if (!call) tick.set(id, (call = { keys: [], args: [producer], waiters: [] }));
    const record = keys.dedupPrefix + producer;
    call.keys.push(keys.stream, record);
    call.args.push(
      maxLen,
      entries.length,
      producer && this.sentBefore(`${stream}|${producer}`, entries) ? 1 : 0,
      producer ? this.renew(record) : 0,
    );
    for (const e of entries) call.args.push(asBuffer(e.data), e.key, e.count, producer ? e.seq! : 0);
    const waiters = call.waiters;
    return new Promise((resolve, reject) => waiters.push({ entries: entries.length, resolve, reject }));
  }

  /** 1 when the deduplication record `record` is due for its time to live's renewal (see RENEW_MS), else 0. */
  private renew(record: string): number {
    const now = performance.now();
    const last = this.renewedAt.get(record);
    if (last !== undefined && now - last < RENEW_MS) return 0;
    this.renewedAt.set(record, now);
    return 1;
  }

  /**
   * Sends the calls of a tick: on a single Redis the one call; on a cluster the calls grouped by the
   * primary that serves their slots (the client's slot map), each group in one pipeline to that node.
   */
  private flush(calls: AppendCall[]): void {
    const { deps } = this;
    if (!deps.cluster || calls.length === 1) {
      for (const call of calls) this.send([call]);
      return;
    }
    const slots = (deps.cmd as Cluster).slots;
    const byNode = new Map<string, AppendCall[]>();
    for (const call of calls) {
      const node = slots[calculateSlot(call.keys[0])]?.[0] ?? call.keys[0];
      const group = byNode.get(node);
      if (group) group.push(call);
      else byNode.set(node, [call]);
    }
    for (const group of byNode.values()) this.send(group);
  }

  /**
   * Sends APPEND_SCRIPT calls to one node, followed by WAIT 1 on the same connection where a replica
   * must confirm them (durability), and settles their waiters: each stream's reply, or the error (a
   * WAIT that no replica answered in replicaTimeoutMs fails them all: retryable, the entries may have
   * been stored). Several calls (a cluster: one per hash tag of the node) go as one pipeline.
   */
  private send(calls: AppendCall[]): void {
    const { deps } = this;
    const settle = (call: AppendCall, error: unknown, reply?: unknown) => {
      if (!error) error = this.split(call, reply);
      if (error) for (const w of call.waiters) w.reject(error);
    };
    const replica = this.wantsReplica(calls[0].keys[0]);
    // Keys and arguments as arrays (ioredis flattens them): a backlog after an outage holds more
    // arguments than a spread call may pass.
    if (calls.length === 1 && !replica) {
      const [call] = calls;
      deps.cmd.kbAppend(call.keys.length, call.keys, call.args).then(
        (reply) => settle(call, null, reply),
        (error: unknown) => settle(call, error),
      );
      return;
    }
    const timeout = deps.config.replicaTimeoutMs;
    let sent: Promise<[Error | null, unknown][] | null>;
    if (deps.cluster) {
      // A pipeline goes to the node of its keys' slots (all served by one primary): the WAIT follows
      // the appends there, on the same connection.
      const pipeline = (deps.cmd as Cluster).pipeline();
      for (const { keys, args } of calls) (pipeline as unknown as { kbAppend(...a: unknown[]): unknown }).kbAppend(keys.length, keys, args);
      if (replica) pipeline.call('WAIT', 1, timeout);
      sent = pipeline.exec();
    } else {
      const [{ keys, args }] = calls;
      sent = batch(deps.cmd, (client) => [client.kbAppend(keys.length, keys, args), client.call('WAIT', 1, timeout)]);
    }
    const fail = (error: unknown) => {
      for (const call of calls) settle(call, error);
    };
    sent.then((results) => {
      if (!results) return fail(new Error('append pipeline aborted'));
      // A pipeline that met a moved slot or a lost node leaves the client's slot map as it was: renew it.
      if (deps.cluster && results.some(([error]) => error)) (deps.cmd as Cluster).refreshSlotsCache();
      if (replica) {
        const [waitError, replicas] = results[calls.length];
        if (waitError) return fail(waitError);
        if (Number(replicas) < 1) {
          deps.counters.unreplicated++;
          return fail(new Error(`no replica confirmed the append within ${timeout} ms (WAIT 1)`));
        }
      }
      calls.forEach((call, i) => settle(call, results[i][0], results[i][1]));
    }, fail);
  }

  /**
   * Hands each waiter of `call` its stream's [ids, deduplicated] from APPEND_SCRIPT's flat reply; returns
   * an error instead when the reply is not of the call's shape.
   */
  private split(call: AppendCall, reply: unknown): Error | undefined {
    const { waiters } = call;
    let total = 0;
    for (const w of waiters) total += w.entries;
    if (!Array.isArray(reply) || reply.length !== total + waiters.length) {
      return new TransportError('command', this.deps.target, 'append: unexpected reply', true);
    }
    let at = 0;
    waiters.forEach((w, i) => {
      const ids: string[] = new Array(w.entries);
      for (let j = 0; j < w.entries; j++) ids[j] = String(reply[at++]);
      w.resolve([ids, Number(reply[total + i])]);
    });
    return undefined;
  }

  /**
   * Whether an append to the slot of `key` must wait for a replica: durability 'replica', or (by
   * default) where the primary has one: a single Redis's connected replicas, or the cluster client's
   * map of the slot (its primary, then its live replicas, refreshed on MOVED and every 5 s).
   */
  private wantsReplica(key: string): boolean {
    const { deps } = this;
    const durability = deps.config.durability;
    if (durability !== 'auto') return durability === 'replica';
    if (!deps.cluster) return this.connection.hasReplica();
    const nodes = (deps.cmd as Cluster).slots[calculateSlot(key)];
    return nodes !== undefined && nodes.length > 1;
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
}
