/**
 * One consumer of a group on one stream: its lease, its pending entries (claimed, failed or held back)
 * and its handler; the Reader of its group and consumer reads for it.
 */
import { randomBytes } from 'node:crypto';
import { isPermanentFailure, permanentFailureReason } from '../../errors.js';
import { DEAD_LETTER_SUFFIX, type EntryHandler, type TransportSubscription } from '../types.js';
import type { Client, RedisClient } from './client.js';
import { batch, connected, messageOf, nextBackoff, unlessClosed } from './commands.js';
import type { RedisCounters } from './counters.js';
import type { TransportLog } from './dialer.js';
import { decodedCount, ENTRY_FIELDS, type EntryPart, field, parseEntry, type RawEntry, type StreamReply } from './fields.js';
import type { RedisKeys } from './keys.js';
import type { LeaseHolder, Membership } from './membership.js';
import type { RedisConfig } from './options.js';
import type { Reader, ReaderSink } from './reader.js';

/** What a RedisSubscription needs of its transport. */
export interface SubscriptionDeps extends Pick<TransportLog, 'report' | 'clean'> {
  /** The bookkeeping connection (groups, leases released). */
  readonly cmd: Client;
  readonly keys: RedisKeys;
  readonly config: RedisConfig;
  readonly counters: Pick<
    RedisCounters,
    | 'groupsRecreated'
    | 'leases'
    | 'claimed'
    | 'lostEntries'
    | 'delivered'
    | 'redelivered'
    | 'acknowledged'
    | 'failed'
    | 'deadLettered'
    | 'deadLetteredEntries'
  >;
}

/** The fields of a single-frame entry holding one frame of a packed one (its dead letter). */
function partFields(part: EntryPart): Buffer[] {
  const name = (text: string) => Buffer.from(text, 'latin1');
  return [
    name(ENTRY_FIELDS.frame),
    part.data,
    name(ENTRY_FIELDS.key),
    Buffer.from(part.key, 'utf8'),
    name(ENTRY_FIELDS.count),
    name(String(part.count)),
  ];
}

/** At most one dead-letter line a second per subscription: a burst is its first entry's line and a count. */
const DEAD_LETTER_LOG_MS = 1000;

/** One consumer of a group on one stream: lease, pending entries and handler; its Reader reads for it. */
export class RedisSubscription implements TransportSubscription, LeaseHolder, ReaderSink {
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
  /**
   * Packed entries some of whose frames were handled (or dead-lettered) while others wait for their
   * keys' retry: by entry id, the frames done, not handed again while this subscription holds the lease.
   */
  private readonly partial = new Map<string, Set<number>>();
  /** Not before (performance.now): the retry of the held keys' entries. */
  retryAt = 0;
  /** Not before: trying to take the lease again after giving it away. */
  heldBackUntil = 0;
  private readonly cfg: RedisConfig;
  private stopped = false;
  /** When a dead letter was last logged, and those not logged since (one line a second: DEAD_LETTER_LOG_MS). */
  private deadLetterLoggedAt = -Infinity;
  private deadLettersUnlogged = 0;
  private establish: () => void = () => {};
  /** Resolves once the group exists in Redis (or the subscription closed). */
  readonly established = new Promise<void>((resolve) => (this.establish = resolve));
  private starting: Promise<void> = Promise.resolve();
  /** Ends the wait of start() for a connection or a retry (the subscription closes). */
  private wakeStart: () => void = () => {};
  private closing: Promise<void> | undefined;

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly members: Membership,
    private readonly reader: Reader,
    readonly stream: string,
    readonly group: string,
    readonly consumer: string,
    private readonly handler: EntryHandler,
    /** Where a group this subscription creates starts (XGROUP CREATE's id): '0', an entry id or '$'. */
    private readonly startAfter = '0',
    /** Called with the stream each time this subscription takes the lease, before any of its entries is handled. */
    private readonly onLease?: (stream: string) => void,
  ) {
    this.key = deps.keys.stream(stream);
    this.leaseKey = deps.keys.lease(stream, group);
    this.token = `${consumer}:${randomBytes(8).toString('hex')}`;
    this.cfg = deps.config;
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
          await connected(this.deps.cmd, this.cfg.reconnectMaxMs, (wake) => (this.wakeStart = wake));
          if (this.stopped) return;
          await this.createGroup(false);
          // Registered as a live member reading the stream: from now on publishers' idle() waits for it.
          await this.members.register(this.group, this.stream);
          this.establish();
          this.reader.add(this);
          return;
        } catch (error) {
          if (this.stopped) return;
          this.deps.report(`creating group ${this.group} on ${this.stream}`, error);
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
      // A group Redis lost (NOGROUP) starts again from the stream's first entry.
      await unlessClosed(this.deps.cmd, this.deps.cmd.xgroup('CREATE', this.key, this.group, recreate ? '0' : this.startAfter, 'MKSTREAM'));
      if (recreate) {
        this.deps.counters.groupsRecreated++;
        this.deps.report(`group ${this.group} on ${this.stream}`, 'Redis had lost it (NOGROUP); recreated, entries may have been lost');
      }
    } catch (error) {
      if (!messageOf(error).startsWith('BUSYGROUP')) throw error;
    }
  }

  /** Takes the stream's lease if free and this instance's fair share allows, then claims the group's pending entries. */
  async acquire(conn: RedisClient): Promise<boolean> {
    if (this.stopped || !this.members.mayTakeMore(this.group)) return false;
    const ok = await unlessClosed(conn, conn.set(this.leaseKey, this.token, 'PX', this.cfg.claimIdleMs, 'NX'));
    if (ok !== 'OK') return false;
    this.owner = true;
    this.acquiredAt = performance.now();
    this.leaseValidUntil = this.acquiredAt + this.cfg.claimIdleMs;
    this.deps.counters.leases++;
    // Before anything of the stream is handled: the subscriber's own start (an engine restores its state)
    this.onLease?.(this.stream);
    // Whoever held the stream before is gone: its pending entries are ours, handled first, in order.
    let cursor = '0-0';
    do {
      const reply = (await unlessClosed(
        conn,
        conn.call('XAUTOCLAIM', this.key, this.group, this.consumer, 0, cursor, 'COUNT', 1000, 'JUSTID'),
      )) as [string, string[], string[]?];
      cursor = String(reply[0]);
      this.deps.counters.claimed += reply[1].length;
      this.deps.counters.lostEntries += reply[2]?.length ?? 0;
    } while (cursor !== '0-0' && !this.stopped);
    this.forgetHeld();
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

  /** Forgets the held keys and the frames done of partly handled entries (the lease was taken, given or lost). */
  private forgetHeld(): void {
    this.held.clear();
    this.partial.clear();
  }

  /** Gives the lease back (pending entries stay in the group for the next holder). */
  async release(): Promise<void> {
    this.releasing = false;
    if (!this.owner) return;
    this.owner = false;
    this.forgetHeld();
    this.heldBackUntil = performance.now() + this.cfg.claimIdleMs / 3;
    const cmd = this.deps.cmd;
    await unlessClosed(cmd, cmd.kbRelease(this.leaseKey, this.token));
  }

  /** The lease expired or another consumer holds it: stop handling entries until it is acquired again. */
  leaseLost(): void {
    if (!this.owner) return;
    this.owner = false;
    this.forgetHeld();
    this.deps.report(`consumer ${this.group}/${this.consumer} on ${this.stream}`, 'lost its lease; another consumer may take over');
  }

  /**
   * A page of the consumer's own pending entries after `historyFrom`, oldest first, with their delivery
   * counts (this read included); moves `historyFrom` past them.
   */
  async readHistory(conn: RedisClient): Promise<RawEntry[]> {
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
   * Hands a batch to the handler in order, a packed entry's frames one by one. A frame whose key is held
   * (an earlier entry of the key failed and waits for its retry) is not handed; an entry left pending
   * with no frame failed in this read (its frames held, or handled) is passed to `recount` with its
   * delivery count before this read: the count is of the reads in which a frame of it failed. Passes the
   * entries whose every frame succeeded (or was dead-lettered) to `acknowledge`; a packed entry with
   * frames left stays pending, and the frames it got through are not handed again while this
   * subscription holds the lease. A failure no retry can cure
   * (isPermanentFailure), or the last of maxDeliveries, dead-letters the frame; another holds its key
   * until the retry (retryDelayMs).
   */
  async handle(
    batch: RawEntry[],
    conn: RedisClient,
    acknowledge: (ids: string[]) => void,
    recount: (id: string, deliveries: number) => void,
  ): Promise<void> {
    const acks: string[] = [];
    try {
      for (const raw of batch) {
        const deliveries = Math.max(1, raw.deliveries);
        if (this.stopped || !this.owner) {
          // Not handed: left pending for the next holder, its count as before this read.
          recount(raw.id, deliveries - 1);
          continue;
        }
        if (raw.fields === null) {
          // Deleted (trimmed) while pending: nothing left to handle.
          acks.push(raw.id);
          this.partial.delete(raw.id);
          this.deps.counters.lostEntries++;
          continue;
        }
        const parts = parseEntry(raw.fields, this.cfg.maxFrameBytes);
        if (typeof parts === 'string') {
          // Messages only as far as the frames decoded: a malformed entry's field n claims any number.
          await this.deadLetter(conn, raw.id, raw.fields, parts, deliveries, decodedCount(raw.fields), true);
          continue;
        }
        const done = this.partial.get(raw.id);
        let left = false;
        let failed = false;
        let acked = false;
        /** The frames of a packed entry that got through in this read (kept in partial if the entry stays pending). */
        let through: number[] | undefined;
        for (let p = 0; p < parts.length; p++) {
          if (done?.has(p)) continue;
          const part = parts[p];
          if (this.held.has(part.key) || this.stopped || !this.owner) {
            left = true;
            continue;
          }
          const { counters } = this.deps;
          counters.delivered += part.count;
          if (deliveries > 1) counters.redelivered += part.count;
          let outcome: 'done' | 'failed' | 'acked' = 'done';
          try {
            const result = this.handler({
              id: raw.id,
              stream: this.stream,
              key: part.key,
              count: part.count,
              data: part.data,
              deliveries,
              head: part.head,
            });
            if (result && typeof (result as Promise<void>).then === 'function') await result;
            counters.acknowledged += part.count;
          } catch (error) {
            outcome = await this.failed(conn, raw, part, deliveries, parts.length === 1, error);
          }
          if (outcome === 'failed') left = failed = true;
          else if (outcome === 'acked') acked = true;
          else if (parts.length > 1) (through ??= []).push(p);
        }
        if (acked) continue;
        if (!left) {
          acks.push(raw.id);
          this.partial.delete(raw.id);
          continue;
        }
        if (through) {
          const kept = this.partial.get(raw.id) ?? new Set<number>();
          for (const p of through) kept.add(p);
          this.partial.set(raw.id, kept);
        }
        if (!failed) recount(raw.id, deliveries - 1);
      }
    } finally {
      acknowledge(acks);
    }
  }

  /**
   * A frame of an entry whose handler threw `error`: 'failed' when it holds its key until the retry;
   * else it is dead-lettered: 'done' (a frame of a packed entry, alone), or 'acked' (a single frame: the
   * entry dead-lettered and acknowledged in one MULTI).
   */
  private async failed(
    conn: RedisClient,
    raw: RawEntry,
    part: EntryPart,
    deliveries: number,
    single: boolean,
    error: unknown,
  ): Promise<'done' | 'failed' | 'acked'> {
    this.deps.counters.failed += part.count;
    let reason: string | undefined;
    if (isPermanentFailure(error)) reason = this.deps.clean(permanentFailureReason(error));
    else if (deliveries >= this.cfg.maxDeliveries) reason = `failed ${deliveries} deliveries: ${this.deps.clean(messageOf(error))}`;
    if (reason === undefined) {
      if (this.held.size === 0) this.retryAt = performance.now() + this.cfg.retryDelayMs;
      this.held.add(part.key);
      return 'failed';
    }
    await this.deadLetter(conn, raw.id, single ? raw.fields! : partFields(part), reason, deliveries, part.count, single);
    return single ? 'acked' : 'done';
  }

  /** Moves an entry to `<stream>:dlq` with the reason, and acknowledges it (one MULTI). */
  private async deadLetter(
    conn: RedisClient,
    id: string,
    fields: Buffer[],
    reason: string,
    deliveries: number,
    count: number,
    /** Acknowledge the entry in the same MULTI (not for one frame of a packed entry: acknowledged once all are done). */
    ack: boolean,
  ): Promise<void> {
    const multi = conn.multi();
    multi.xadd(
      this.key + DEAD_LETTER_SUFFIX,
      'MAXLEN',
      '~',
      this.cfg.maxLenMessages,
      '*',
      ENTRY_FIELDS.frame,
      field(fields, ENTRY_FIELDS.frame) ?? Buffer.alloc(0),
      ENTRY_FIELDS.key,
      field(fields, ENTRY_FIELDS.key) ?? '',
      ENTRY_FIELDS.count,
      field(fields, ENTRY_FIELDS.count) ?? String(count),
      'error',
      reason,
      'source',
      `${this.stream} ${id}`,
      'group',
      this.group,
      'consumer',
      this.consumer,
      'deliveries',
      deliveries,
    );
    if (ack) multi.xack(this.key, this.group, id);
    const results = await unlessClosed(conn, multi.exec());
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('dead-letter MULTI aborted');
    this.deps.counters.deadLettered += count;
    this.deps.counters.deadLetteredEntries++;
    // a burst (e.g. a producer of another format): its first entry's line, then at most one a second
    const now = performance.now();
    if (now - this.deadLetterLoggedAt < DEAD_LETTER_LOG_MS) {
      this.deadLettersUnlogged++;
      return;
    }
    const more = this.deadLettersUnlogged > 0 ? ` (and ${this.deadLettersUnlogged} more since the last line)` : '';
    this.deadLetterLoggedAt = now;
    this.deadLettersUnlogged = 0;
    this.deps.report(`${this.stream} ${id}`, `dead-lettered to ${this.stream}${DEAD_LETTER_SUFFIX}${more}: ${reason}`);
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
      const cmd = this.deps.cmd;
      try {
        await this.reader.remove(this);
        if (this.owner) await unlessClosed(cmd, cmd.kbRelease(this.leaseKey, this.token));
        this.owner = false;
        this.members.forget(this);
        if (!this.members.inGroup(this.group)) await this.members.leaveGroup(this.group);
        if (
          options?.deleteGroup &&
          !this.members.hasLocal(this.stream, this.group) &&
          !(await unlessClosed(cmd, cmd.exists(this.leaseKey)))
        ) {
          await unlessClosed(cmd, cmd.xgroup('DESTROY', this.key, this.group));
        }
      } catch (error) {
        this.deps.report(`closing consumer ${this.group}/${this.consumer} on ${this.stream}`, error);
      } finally {
        this.members.forget(this);
      }
    })();
    return this.closing;
  }
}
