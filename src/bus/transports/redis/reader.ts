/**
 * The read loop of one consumer of a group: one XREADGROUP over every stream whose lease one of its
 * subscriptions holds, acknowledgements sent in the same write as the next read.
 */
import type { RedisOptions } from 'ioredis';
import type { Client, RedisClient } from './client.js';
import { batch, connected, isNoGroup, nextBackoff } from './commands.js';
import { defineScripts } from './scripts.js';
import type { TransportLog } from './dialer.js';
import type { RawEntry, StreamReply } from './fields.js';
import type { RedisConfig } from './options.js';

/** What a Reader needs of its transport. */
export interface ReaderDeps extends Pick<TransportLog, 'report'> {
  /** The bookkeeping connection (acknowledgements a closing reader still owes). */
  readonly cmd: Client;
  readonly config: RedisConfig;
  /** What the server is known to do (see Reader.read()). */
  readonly server: { readonly oneStreamWake: boolean };
  /** Opens the reader's connection. */
  connect(role: string, extra?: RedisOptions): RedisClient;
}

/**
 * What a Reader reads for and hands entries to: one subscription (one stream of the group), its lease
 * and pending state, and the steps the read loop runs for it.
 */
export interface ReaderSink {
  readonly stream: string;
  /** The stream's Redis key. */
  readonly key: string;
  readonly closed: boolean;
  /** Holds the stream's lease for its group. */
  readonly owner: boolean;
  /** Asked to hand the stream over after the batch in hand. */
  readonly releasing: boolean;
  /** Not before (performance.now): trying to take the lease again. */
  readonly heldBackUntil: number;
  /** Reading its pending entries before new ones (the Reader ends it when a page comes back short). */
  history: boolean;
  /** Keys held back after a failure, waiting for retryAt. */
  readonly held: ReadonlySet<string>;
  readonly retryAt: number;
  /** Reads the held keys' entries again (retryAt passed). */
  retry(): void;
  /** Reads the pending entries again, from the first. */
  readPending(): void;
  /** Creates the group (again, after Redis lost it: `recreate`). */
  createGroup(recreate: boolean): Promise<void>;
  /** Hands the stream's lease back. */
  release(): Promise<void>;
  /** Takes the stream's lease if free (and the fair share allows), on `conn`. */
  acquire(conn: RedisClient): Promise<boolean>;
  /** The next page of pending entries, on `conn`. */
  readHistory(conn: RedisClient): Promise<RawEntry[]>;
  /** Handles a batch of entries; what succeeded goes to `acknowledge`, what was held back to `recount`. */
  handle(
    batch: RawEntry[],
    conn: RedisClient,
    acknowledge: (ids: string[]) => void,
    recount: (id: string, deliveries: number) => void,
  ): Promise<void>;
}

/** See Reader.followFor. */
const FOLLOW_READS = 8;

/**
 * Reads for one consumer of a group every stream whose lease one of its subscriptions holds, with one
 * XREADGROUP (COUNT, BLOCK) over all of them on one connection, and hands each stream's entries to its
 * subscription. Acknowledgements go out in the same socket write as the next read (one write, one round
 * trip per cycle), or at once before anything that lets another consumer see the entries (a history
 * read, a lease release, a close). One loop does everything for its subscriptions: creating groups is
 * the only step outside it.
 */
export class Reader {
  readonly conn: Client;
  /** Subscriptions of this group and consumer; `subs`: those whose group exists (being read). */
  private readonly members = new Set<ReaderSink>();
  private readonly subs = new Set<ReaderSink>();
  /** Entries handled and not yet acknowledged, per subscription. */
  private readonly acks = new Map<ReaderSink, string[]>();
  /**
   * Delivery counts to set back, per subscription: entries read but not handed to the handler (their key
   * was held back) by the delivery count they should have (XCLAIM RETRYCOUNT), so that Redis's count is
   * the number of real attempts, also for a consumer that takes the stream over.
   */
  private readonly recounts = new Map<ReaderSink, Map<number, string[]>>();
  private readonly cfg: RedisConfig;
  private readonly acquireEveryMs: number;
  private nextAcquireAt = 0;
  private running: Promise<void> | undefined;
  private reading = false;
  /**
   * Reads that bring entries left to take a second read along (see read()): FOLLOW_READS again after one
   * whose second read brought entries, or whose only read brought one stream of several (a read a wake
   * may have cut short).
   */
  private followFor = FOLLOW_READS;
  private stopped = false;
  /** Whether the stopped reader's connection was closed (once: its subscriptions leave together). */
  private closed = false;
  private wake: () => void = () => {};
  /** Resolves at the end of the current loop step. */
  private step: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ReaderDeps,
    readonly group: string,
    readonly consumer: string,
    private readonly done: () => void,
  ) {
    this.cfg = deps.config;
    this.acquireEveryMs = Math.max(10, Math.min(this.cfg.claimIdleMs / 4, 250));
    this.conn = defineScripts(deps.connect(`consumer-${consumer}`, { commandTimeout: this.cfg.blockMs + this.cfg.publishTimeoutMs }));
  }

  /** Registers a subscription (reading starts with add()). */
  join(sub: ReaderSink): void {
    this.members.add(sub);
  }

  /** Starts reading for a joined subscription (its group exists). */
  add(sub: ReaderSink): void {
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
  async remove(sub: ReaderSink): Promise<void> {
    this.members.delete(sub);
    this.subs.delete(sub);
    if (this.members.size === 0 && !this.stopped) {
      this.stopped = true;
      this.done();
      if (this.reading) this.conn.disconnect();
    }
    this.wake();
    await (this.stopped ? this.running : this.step);
    await this.flushAcks(this.deps.cmd, sub);
    if (this.stopped && !this.closed) {
      // once: each disconnect() of ioredis adds a 'close' listener to the socket (20 streams gave Node's
      // MaxListenersExceededWarning at every engine's stop)
      this.closed = true;
      this.conn.disconnect();
    }
  }

  /** Records entries handled for `sub`, acknowledged with the next read (or flushAcks). */
  acknowledge(sub: ReaderSink, ids: string[]): void {
    if (ids.length === 0) return;
    const list = this.acks.get(sub);
    if (list) list.push(...ids);
    else this.acks.set(sub, ids);
  }

  /** Records an entry read and not handed to the handler: its delivery count goes back to `deliveries` (with the next write). */
  recount(sub: ReaderSink, id: string, deliveries: number): void {
    let bySub = this.recounts.get(sub);
    if (!bySub) this.recounts.set(sub, (bySub = new Map()));
    const ids = bySub.get(deliveries);
    if (ids) ids.push(id);
    else bySub.set(deliveries, [id]);
  }

  /** Takes the pending acknowledgements and recounts (of `only`, or all) out of the queues. */
  private takeAcks(only?: ReaderSink): Acks {
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
  async flushAcks(client: Client = this.conn, only?: ReaderSink): Promise<void> {
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

  /**
   * Sends an XACK per subscription, and a recount (XCLAIM RETRYCOUNT of the entries still pending on this
   * consumer: kbRecount) per delivery count, on `client` (inside batch()); returns their replies.
   */
  private sendAcks(client: Client, { acks, recounts }: Acks): Promise<unknown>[] {
    const sent: Promise<unknown>[] = acks.map(([sub, ids]) => client.xack(sub.key, this.group, ...ids));
    for (const [sub, counts] of recounts) {
      for (const [n, ids] of counts) sent.push(client.kbRecount(sub.key, this.group, this.consumer, n, ids));
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
          for (const s of this.subs)
            await s.createGroup(true).catch((e: unknown) => this.deps.report(`recreating group ${this.group} on ${s.stream}`, e));
          continue;
        }
        this.deps.report(`consumer ${this.group}/${this.consumer}`, error);
        backoff = nextBackoff(backoff, this.cfg.reconnectMaxMs);
        await this.pause(backoff);
      } finally {
        end();
      }
    }
    // What was handled and not yet acknowledged (e.g. a read interrupted by the close).
    await this.flushAcks(this.deps.cmd).catch((e: unknown) => this.deps.report(`acknowledging for ${this.group}/${this.consumer}`, e));
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
        if (!s) return undefined;
        if (!s.owner || s.closed) {
          // The lease went while the read was out: the entries stay pending, read again after a claim, as
          // never delivered (their count back to 0, while they are still this consumer's).
          for (const [id] of entries) this.recount(s, id.toString('latin1'), 0);
          return undefined;
        }
        return this.handle(
          s,
          entries.map(([id, fields]) => ({ id: id.toString('latin1'), fields, deliveries: 1 })),
        );
      }),
    );
  }

  /**
   * The pending acknowledgements (and recounts) and one XREADGROUP over the streams of `readers` (on
   * Redis < 7.2, while it pays, a second one without BLOCK behind it), in one write; the entries read,
   * by stream.
   */
  private async read(readers: ReaderSink[], block: number): Promise<StreamReply | null> {
    const taken = this.takeAcks();
    this.reading = true;
    let results: [Error | null, unknown][];
    let sent = 0;
    try {
      results = await batch(this.conn, (client) => {
        const acks = this.sendAcks(client, taken);
        sent = acks.length;
        const group = ['GROUP', this.group, this.consumer, 'COUNT', this.cfg.readCount];
        const streams = ['STREAMS', ...readers.map((s) => s.key), ...readers.map(() => '>')];
        const reads = [client.callBuffer('XREADGROUP', ...group, 'BLOCK', block, ...streams)];
        // Redis < 7.2 answers a blocked read over several streams with only the stream that woke it
        // (redis/redis#11116): a second read, without BLOCK, queued behind it runs as soon as the first
        // is answered and brings the other streams' entries in the same reply, not a round trip later.
        // While such reads come back (see followFor): under load, reads do not block and find every stream.
        if (readers.length > 1 && this.deps.server.oneStreamWake && this.followFor > 0)
          reads.push(client.callBuffer('XREADGROUP', ...group, ...streams));
        return [...acks, ...reads];
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
      this.deps.report(`acknowledging for ${this.group}/${this.consumer}`, failed[0]);
    }
    // An error leaves the entries read pending: they are read back after it.
    const [[error, reply], follow] = results.slice(sent);
    if (error) throw error;
    const first = reply as StreamReply | null;
    if (!follow) {
      if (first?.length === 1) this.followFor = FOLLOW_READS;
      return first;
    }
    if (follow[0]) throw follow[0];
    const more = follow[1] as StreamReply | null;
    if (more) this.followFor = FOLLOW_READS;
    else if (first) this.followFor--; // (a read that timed out says nothing)
    if (!first || !more) return first ?? more;
    // Both reads' entries, each stream's in order.
    const byStream = new Map(first.map(([key, entries]) => [key.toString(), [key, entries] as StreamReply[number]]));
    for (const [key, entries] of more) {
      const seen = byStream.get(key.toString());
      if (seen) seen[1] = seen[1].concat(entries);
      else byStream.set(key.toString(), [key, entries]);
    }
    return [...byStream.values()];
  }

  /** Hands a batch to its subscription; acknowledges what succeeded, recounts what was held back. */
  private async handle(sub: ReaderSink, batch: RawEntry[]): Promise<void> {
    await sub.handle(
      batch,
      this.conn,
      (ids) => this.acknowledge(sub, ids),
      (id, deliveries) => this.recount(sub, id, deliveries),
    );
  }
}

/** Acknowledgements and recounts taken out of a Reader's queues to be sent. */
interface Acks {
  acks: [ReaderSink, string[]][];
  recounts: [ReaderSink, Map<number, string[]>][];
}
