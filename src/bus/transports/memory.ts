/**
 * The in-process transport (the default): streams, consumer groups, acknowledgement and redelivery
 * with the semantics of Redis Streams (see ./types.ts), without copying a byte. Entries are delivered
 * in a microtask after `publish()`, never inside it.
 */
import { KernelInputError, describeValue } from '../../errors.js';
import { BusClosedError, isPermanentFailure } from '../errors.js';
import {
  DEAD_LETTER_SUFFIX,
  type Entry,
  type EntryHandler,
  type OutgoingEntry,
  type SettleListener,
  type Transport,
  type TransportCapabilities,
  type TransportMetrics,
  type TransportSubscription,
} from './types.js';

/** FIFO with O(1) shift (a head index, compacted now and then; emptied arrays are reused). */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T {
    return this.items[this.head];
  }
  /** Removes the head (dropping the queue's reference to it). */
  shift(): T {
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

interface StoredEntry {
  id: string;
  stream: StreamState;
  key: string;
  count: number;
  data: Uint8Array;
  /** Groups that have not acknowledged it yet. */
  waiting: number;
  /** Settle listeners were told (once per entry, even when a late group adopts it). */
  settled: boolean;
}

/** An entry's state in one group. */
interface Pending {
  entry: StoredEntry;
  deliveries: number;
  /** The consumer it was last delivered to (avoided for the redelivery when another exists). */
  lastConsumer?: Consumer;
  /** The consumer holding it now, if any. */
  holder?: Consumer;
}

interface Consumer {
  name: string;
  handler: EntryHandler;
  /** Entries it holds now (those whose `holder` it is: each the head of its key's queue). */
  holding: number;
  closed: boolean;
}

interface Group {
  name: string;
  stream: StreamState;
  consumers: Consumer[];
  /** Per key, its entries not yet acknowledged by this group, oldest first; the head may be in flight. (Kept when empty.) */
  keys: Map<string, Queue<Pending>>;
  /** Keys whose head entry is waiting for a consumer (each at most once). A key's head with a holder is in flight. */
  ready: Queue<string>;
  /** Key affinity: the consumer that handled the key last (keeps a stateful consumer's keys with it). */
  owner: Map<string, Consumer>;
  /** Entries queued or in flight. */
  queued: number;
  /** Round-robin start for picking consumers. */
  turn: number;
  /** In the transport's `dirty` list: its ready keys to be handed out at the next pump. */
  dirty: boolean;
}

interface StreamState {
  name: string;
  dead: boolean;
  lastMs: number;
  seq: number;
  groups: Map<string, Group>;
  /** Entries appended while the stream had no group: kept (up to retainUnclaimed messages) for the first group. */
  unclaimed: Queue<StoredEntry>;
  unclaimedMessages: number;
  /** Messages not yet acknowledged by every group. */
  backlog: number;
}

/** Options of MemoryTransport. */
export interface MemoryTransportOptions {
  /** Deliveries of an entry to a group before it moves to `<stream>:dlq`. Default 5. */
  maxDeliveries?: number;
  /**
   * Messages kept per stream while it has no group, for the first group created on it (oldest trimmed
   * first and counted as `discarded`, like MAXLEN ~). Default 100000.
   */
  retainUnclaimed?: number;
}

/**
 * The in-process transport. Per group, each key has at most one entry in flight, so per-key order holds
 * through failures and redeliveries; different keys are handed to the group's consumers concurrently,
 * each key staying with the consumer that had it (key affinity) unless that consumer failed or left.
 */
export class MemoryTransport implements Transport {
  readonly name = 'memory';
  /** Stores at once, in call order (publish() resolves in a microtask), in this process only: no offsets outlive it, no leases, no checkpoints. */
  readonly capabilities: TransportCapabilities = Object.freeze({
    serialPublish: false,
    durableOffsets: false,
    leases: false,
    checkpoints: false,
    processLocal: true,
  });
  private readonly maxDeliveries: number;
  private readonly retainUnclaimed: number;
  private readonly streams = new Map<string, StreamState>();
  /**
   * Groups to pump, each once (Group.dirty). A flag and a list rather than a Set: a group is marked
   * and unmarked at every delivery, and a Set's add and delete at that rate cost more than the rest of
   * the hand-out (as did the per-key busy set and the per-consumer held set this replaced).
   */
  private dirty: Group[] = [];
  private readonly listeners = new Set<SettleListener>();
  private idleWaiters: (() => void)[] = [];
  private pumpScheduled = false;
  private pumping = false;
  private closed = false;
  private readonly counters: TransportMetrics = {
    entries: 0,
    messages: 0,
    delivered: 0,
    acknowledged: 0,
    redelivered: 0,
    failed: 0,
    deadLettered: 0,
    deadLetteredEntries: 0,
    discarded: 0,
    backlog: 0,
  };

  /** Creates an in-process transport. */
  constructor(options: MemoryTransportOptions = {}) {
    const maxDeliveries = options.maxDeliveries ?? 5;
    if (!Number.isInteger(maxDeliveries) || maxDeliveries < 1) {
      throw new KernelInputError('options.maxDeliveries', 'an integer >= 1', describeValue(maxDeliveries));
    }
    this.maxDeliveries = maxDeliveries;
    const retain = options.retainUnclaimed ?? 100_000;
    if (!Number.isInteger(retain) || retain < 0) {
      throw new KernelInputError('options.retainUnclaimed', 'an integer >= 0', describeValue(retain));
    }
    this.retainUnclaimed = retain;
  }

  /** True until closed. */
  get healthy(): boolean {
    return !this.closed;
  }

  private stream(name: string): StreamState {
    let s = this.streams.get(name);
    if (!s) {
      s = {
        name,
        dead: name.endsWith(DEAD_LETTER_SUFFIX),
        lastMs: 0,
        seq: 0,
        groups: new Map(),
        unclaimed: new Queue(),
        unclaimedMessages: 0,
        backlog: 0,
      };
      this.streams.set(name, s);
    }
    return s;
  }

  /** Appends entries in order and resolves with their ids; delivery follows in a microtask. */
  publish(stream: string, entries: readonly OutgoingEntry[]): Promise<string[]> {
    if (this.closed) return Promise.reject(new BusClosedError('transport'));
    const s = this.stream(stream);
    const ids = entries.map((e) => this.append(s, e).id);
    this.schedulePump();
    return Promise.resolve(ids);
  }

  private append(s: StreamState, e: OutgoingEntry): StoredEntry {
    const now = Date.now();
    if (now > s.lastMs) {
      s.lastMs = now;
      s.seq = 0;
    } else {
      s.seq++;
    }
    const entry: StoredEntry = {
      id: `${s.lastMs}-${s.seq}`,
      stream: s,
      key: e.key,
      count: e.count,
      data: e.data,
      waiting: 0,
      settled: false,
    };
    if (!s.dead) {
      this.counters.entries++;
      this.counters.messages += e.count;
    }
    if (s.groups.size === 0) {
      this.settle(entry);
      s.unclaimed.push(entry);
      s.unclaimedMessages += e.count;
      while (s.unclaimedMessages > this.retainUnclaimed) {
        const old = s.unclaimed.shift();
        s.unclaimedMessages -= old.count;
        this.counters.discarded += old.count;
      }
    }
    for (const g of s.groups.values()) this.adopt(g, entry);
    return entry;
  }

  /** Makes `entry` await group `g`. */
  private adopt(g: Group, entry: StoredEntry): void {
    entry.waiting++;
    entry.stream.backlog += entry.count;
    this.enqueue(g, { entry, deliveries: 0, lastConsumer: undefined, holder: undefined });
  }

  private enqueue(g: Group, p: Pending): void {
    const key = p.entry.key;
    let q = g.keys.get(key);
    if (!q) {
      q = new Queue();
      g.keys.set(key, q);
    }
    q.push(p);
    g.queued++;
    // a key whose queue was empty has nothing in flight
    if (q.length === 1) g.ready.push(key);
    this.markDirty(g);
  }

  /** Joins a consumer to a group (created on first use, taking the stream's unclaimed entries). */
  subscribe(stream: string, group: string, consumer: string, handler: EntryHandler): TransportSubscription {
    if (this.closed) throw new BusClosedError('transport');
    if (typeof handler !== 'function') throw new KernelInputError('handler', 'a function', describeValue(handler));
    const s = this.stream(stream);
    let g = s.groups.get(group);
    if (!g) {
      g = {
        name: group,
        stream: s,
        consumers: [],
        keys: new Map(),
        ready: new Queue(),
        owner: new Map(),
        queued: 0,
        turn: 0,
        dirty: false,
      };
      s.groups.set(group, g);
      while (s.unclaimed.length > 0) this.adopt(g, s.unclaimed.shift());
      s.unclaimedMessages = 0;
    }
    const c: Consumer = { name: consumer, handler, holding: 0, closed: false };
    g.consumers.push(c);
    this.markDirty(g);
    this.schedulePump();
    const owner = g;
    return {
      close: async (options) => {
        this.leave(owner, c);
        if (options?.deleteGroup && owner.consumers.length === 0 && s.groups.get(group) === owner) this.deleteGroup(owner);
      },
      get closed() {
        return c.closed;
      },
    };
  }

  private leave(g: Group, c: Consumer): void {
    if (c.closed) return;
    c.closed = true;
    g.consumers.splice(g.consumers.indexOf(c), 1);
    for (const q of g.keys.values()) if (q.length > 0 && q.peek().holder === c) this.release(g, q.peek());
    c.holding = 0;
    this.markDirty(g);
    this.schedulePump();
  }

  /** Deletes a group without consumers: its unacknowledged entries are discarded, no longer awaited. */
  private deleteGroup(g: Group): void {
    g.stream.groups.delete(g.name);
    g.dirty = false; // (left in the list: pump() skips it)
    for (const q of g.keys.values()) {
      while (q.length > 0) {
        const entry = q.shift().entry;
        this.counters.discarded += entry.count;
        this.settle(entry);
      }
    }
    g.keys.clear();
    g.queued = 0;
    this.checkIdle();
  }

  /** Takes a pending entry back from its holder: its key becomes ready again (head stays in place). */
  private release(g: Group, p: Pending): void {
    if (p.holder) p.lastConsumer = p.holder;
    p.holder = undefined;
    g.ready.push(p.entry.key);
  }

  private markDirty(g: Group): void {
    if (g.dirty) return;
    g.dirty = true;
    this.dirty.push(g);
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // (groups marked while this runs are appended and pumped in the same loop)
      for (let i = 0; i < this.dirty.length; i++) {
        const g = this.dirty[i];
        if (!g.dirty) continue;
        g.dirty = false;
        this.pumpGroup(g);
      }
      this.dirty.length = 0;
    } finally {
      this.pumping = false;
    }
    this.checkIdle();
  }

  private pumpGroup(g: Group): void {
    while (g.ready.length > 0 && g.consumers.length > 0) {
      const key = g.ready.shift();
      const p = g.keys.get(key)!.peek();
      this.deliver(g, this.pick(g, key, p), p);
    }
  }

  /** The key's owner when it may have it, else the least busy other consumer (round-robin on ties). */
  private pick(g: Group, key: string, p: Pending): Consumer {
    const all = g.consumers;
    const owner = g.owner.get(key);
    if (owner && !owner.closed && (owner !== p.lastConsumer || all.length === 1)) return owner;
    let best: Consumer | undefined;
    for (let i = 0; i < all.length; i++) {
      const c = all[(g.turn + i) % all.length];
      if (c === p.lastConsumer && all.length > 1) continue;
      if (!best || c.holding < best.holding) best = c;
    }
    g.turn++;
    g.owner.set(key, best!);
    return best!;
  }

  private deliver(g: Group, c: Consumer, p: Pending): void {
    const entry = p.entry;
    p.deliveries++;
    p.holder = c;
    c.holding++;
    this.counters.delivered += entry.count;
    if (p.deliveries > 1) this.counters.redelivered += entry.count;
    const view: Entry = {
      id: entry.id,
      stream: entry.stream.name,
      key: entry.key,
      count: entry.count,
      data: entry.data,
      deliveries: p.deliveries,
    };
    let result: void | Promise<void>;
    try {
      result = c.handler(view);
    } catch (error) {
      this.complete(g, c, p, false, error);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(
        () => this.complete(g, c, p, true),
        (error: unknown) => this.complete(g, c, p, false, error),
      );
    } else {
      this.complete(g, c, p, true);
    }
  }

  /**
   * A delivery finished. Ignored when the consumer left meanwhile (the entry was already released). A
   * failure no retry can cure (isPermanentFailure) dead-letters the entry at once, as maxDeliveries does.
   */
  private complete(g: Group, c: Consumer, p: Pending, ok: boolean, error?: unknown): void {
    // (a consumer that left had its entries released: another may hold this one now)
    if (p.holder !== c) return;
    c.holding--;
    const entry = p.entry;
    const q = g.keys.get(entry.key)!;
    if (!ok) this.counters.failed += entry.count;
    if (ok || p.deliveries >= this.maxDeliveries || isPermanentFailure(error)) {
      p.holder = undefined;
      q.shift();
      g.queued--;
      if (q.length > 0) g.ready.push(entry.key);
      if (ok) {
        this.counters.acknowledged += entry.count;
      } else {
        this.counters.deadLettered += entry.count;
        this.counters.deadLetteredEntries++;
        this.append(this.stream(entry.stream.name + DEAD_LETTER_SUFFIX), entry);
      }
      this.settle(entry);
    } else {
      this.release(g, p);
    }
    this.markDirty(g);
    if (this.pumping) return;
    this.pump();
  }

  /** One group is done with `entry` (or, with waiting 0, nobody awaits it); tells listeners once. */
  private settle(entry: StoredEntry): void {
    if (entry.waiting > 0) {
      entry.stream.backlog -= entry.count;
      if (--entry.waiting > 0) return;
    }
    if (entry.settled) return;
    entry.settled = true;
    for (const listener of this.listeners) listener(entry.stream.name, entry.key, entry.count);
  }

  /** Messages not yet acknowledged by every group (all streams but dead-letter ones, without `stream`). */
  backlog(stream?: string): number {
    if (stream !== undefined) return this.streams.get(stream)?.backlog ?? 0;
    let total = 0;
    for (const s of this.streams.values()) if (!s.dead) total += s.backlog;
    return total;
  }

  /** Registers a settle listener. */
  onSettle(listener: SettleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private isIdle(): boolean {
    if (this.pumpScheduled || this.dirty.some((g) => g.dirty)) return false;
    for (const s of this.streams.values()) {
      for (const g of s.groups.values()) if (g.queued > 0 && g.consumers.length > 0) return false;
    }
    return true;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once nothing is queued for or in flight to a group with a consumer. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Counters in messages; `backlog` excludes dead-letter streams. */
  metrics(): TransportMetrics {
    return { ...this.counters, backlog: this.backlog() };
  }

  /** Rejects further publishes and detaches every consumer (held entries stay pending). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      for (const g of s.groups.values()) for (const c of [...g.consumers]) this.leave(g, c);
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
