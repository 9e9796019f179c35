/**
 * The groups' progress in Redis, behind onSettle(), backlog() and idle(): per stream published here,
 * the entries not yet acknowledged by every group (the outbox), settled in order by a poll of
 * STATE_SCRIPT (XINFO GROUPS and XPENDING in one script per stream) every pollMs while any are open.
 */
import { compareEntryIds, DEAD_LETTER_SUFFIX, type SettleListener } from '../types.js';
import type { Client } from './client.js';
import { batch } from './commands.js';
import type { RedisCounters } from './counters.js';
import type { TransportLog } from './dialer.js';
import type { RedisKeys } from './keys.js';
import type { Membership } from './membership.js';
import { parseState, type StreamState } from './scripts.js';

/** Poll period while idle() is waited for (see RedisTransportOptions.pollMs). */
const IDLE_POLL_MS = 5;

interface Published {
  id: string;
  key: string;
  count: number;
}

/** What Progress needs of its transport. */
export interface ProgressDeps extends Pick<TransportLog, 'report'> {
  /** The bookkeeping connection. */
  readonly cmd: Client;
  readonly keys: RedisKeys;
  /** The poll period (RedisTransportOptions.pollMs). */
  readonly pollMs: number;
  readonly counters: Pick<RedisCounters, 'discarded' | 'lostEntries'>;
  /** Whether the transport is closed. */
  closed(): boolean;
}

/** A stream this transport published to: entries not yet settled, and the batch size statistics. */
export interface Outbox {
  queue: Published[];
  head: number;
  unsettled: number;
  entries: number;
  messages: number;
}

/** Follows the groups' progress on the streams published or read here. */
export class Progress {
  private readonly outboxes = new Map<string, Outbox>();
  private readonly listeners = new Set<SettleListener>();
  private idleWaiters: { resolve: () => void; poll: number }[] = [];
  private pollTimer: NodeJS.Timeout | undefined;
  /** When pollTimer fires (performance.now). */
  private pollDue = 0;
  private polling = false;
  private pollCount = 0;

  constructor(
    private readonly deps: ProgressDeps,
    private readonly members: Membership,
    /** Whether a publish is in flight (idle() waits for it), and whether the server refuses the credentials. */
    private readonly state: { publishing(): boolean; authError(): string | undefined },
  ) {}

  /** The outbox of `stream` (created empty). */
  outbox(stream: string): Outbox {
    let out = this.outboxes.get(stream);
    if (!out) {
      out = { queue: [], head: 0, unsettled: 0, entries: 0, messages: 0 };
      this.outboxes.set(stream, out);
    }
    return out;
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

  /** See RedisTransport.idle(). */
  idle(): Promise<void> {
    if (this.deps.closed() || this.state.authError()) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push({ resolve, poll: this.pollCount + (this.polling ? 1 : 0) });
      this.schedulePoll(0);
    });
  }

  /** Polls after `delay` (default: pollMs, or the faster idle period while idle() is waited for), or sooner if already due. */
  schedulePoll(delay = this.idleWaiters.length > 0 ? Math.min(IDLE_POLL_MS, this.deps.pollMs) : this.deps.pollMs): void {
    if (this.polling || this.deps.closed()) return;
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
    const { deps } = this;
    if (deps.closed()) return;
    const names = new Set<string>();
    for (const [name, out] of this.outboxes) if (out.unsettled > 0 || out.head < out.queue.length) names.add(name);
    if (this.idleWaiters.length > 0) for (const c of this.members.consumers) names.add(c.stream);
    if (names.size === 0 && this.idleWaiters.length === 0) return;
    this.polling = true;
    const poll = ++this.pollCount;
    const waitingIdle = this.idleWaiters.length > 0;
    let delay: number | undefined;
    try {
      const list = [...names];
      const results =
        list.length > 0
          ? await batch(deps.cmd, (client) => list.map((name) => client.kbState(deps.keys.stream(name), deps.keys.of(name).leasePrefix)))
          : [];
      const states = list.map((_name, i) => {
        const [error, reply] = results?.[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        return parseState(reply);
      });
      const reading = waitingIdle ? await this.readingGroups(list, states) : undefined;
      let idle = !this.state.publishing();
      list.forEach((name, i) => {
        this.settle(name, states[i]);
        if (waitingIdle && !this.caughtUp(name, states[i], reading!)) idle = false;
      });
      if (idle) {
        const ready = this.idleWaiters.filter((w) => w.poll <= poll);
        this.idleWaiters = this.idleWaiters.filter((w) => w.poll > poll);
        for (const w of ready) w.resolve();
      }
    } catch (error) {
      if (this.state.authError()) {
        // Nothing can move while the server refuses the credentials: idle() waits for nothing.
        this.resolveIdle();
      } else {
        deps.report('progress poll', error);
      }
      delay = Math.max(50, deps.pollMs);
    } finally {
      this.polling = false;
    }
    this.schedulePoll(delay);
  }

  /** Settles, in order, the entries of `name` published here that every group has acknowledged. */
  private settle(name: string, state: StreamState | null): void {
    const out = this.outboxes.get(name);
    if (!out) return;
    /** The last entry counted lost (a packed entry's frames are queued one by one, under one id). */
    let lostId = '';
    /** The last entry judged, and whether it was lost (the frames of a packed entry share its id, and so its fate). */
    let judgedId = '';
    let lost = false;
    while (out.head < out.queue.length) {
      const e = out.queue[out.head];
      if (e.id !== judgedId) {
        lost = state === null;
        if (state !== null) {
          const gone = state.first === '' || compareEntryIds(e.id, state.first) < 0;
          const done = state.groups.every(
            (g) => compareEntryIds(e.id, g.lastDelivered) <= 0 && (g.pending === 0 || compareEntryIds(e.id, g.minPending) < 0),
          );
          if (!gone && !done) break;
          lost = gone && !done;
        }
        judgedId = e.id;
      }
      if (lost) {
        this.deps.counters.discarded += e.count;
        if (e.id !== lostId) this.deps.counters.lostEntries++;
        lostId = e.id;
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

  /**
   * The groups without a lease on a stream that still have a consumer for it: a live instance of the
   * group that reads the stream (between leases), per `<stream>|<group>` (one READS_SCRIPT each, on the
   * group's keys: they share a tag of their own, not the stream's).
   */
  private async readingGroups(list: string[], states: (StreamState | null)[]): Promise<Set<string>> {
    const { deps } = this;
    const asks: [stream: string, group: string][] = [];
    list.forEach((name, i) => {
      for (const g of states[i]?.groups ?? []) if (!g.leased && !this.members.hasLocal(name, g.name)) asks.push([name, g.name]);
    });
    const out = new Set<string>();
    if (asks.length === 0) return out;
    const replies = await batch(deps.cmd, (client) =>
      asks.map(([name, group]) => client.kbReads(deps.keys.members(group), deps.keys.groupStreams(group), name)),
    );
    replies.forEach(([error, reads], i) => {
      if (error) throw error;
      if (Number(reads) === 1) out.add(`${asks[i][0]}|${asks[i][1]}`);
    });
    return out;
  }

  /**
   * Whether every group of `name` that has a consumer (a lease on it, a subscription here, or a live
   * instance reading it: `reading`) has acknowledged everything in it.
   */
  private caughtUp(name: string, state: StreamState | null, reading: Set<string>): boolean {
    if (state === null) return true;
    const local = new Set<string>();
    for (const c of this.members.consumers) if (c.stream === name && !c.closed) local.add(c.group);
    for (const g of state.groups) {
      local.delete(g.name);
      const active = g.leased || this.members.hasLocal(name, g.name) || reading.has(`${name}|${g.name}`);
      if (active && (g.pending > 0 || (state.last !== '' && compareEntryIds(g.lastDelivered, state.last) < 0))) return false;
    }
    return local.size === 0 || state.last === '';
  }

  /** Resolves every idle() waiter. */
  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w.resolve();
  }

  /** Stops polling (the transport is closing). */
  stop(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Resolves what still waits for idle() (the transport has closed). */
  close(): void {
    this.resolveIdle();
  }
}
