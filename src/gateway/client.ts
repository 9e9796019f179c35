/**
 * One WebSocket client of the gateway: what it subscribed to, and its bounded queue of messages
 * waiting to be sent. The gateway sends a client's queue as one frame per flush while the socket keeps
 * up. Once the socket's unsent bytes (ws `bufferedAmount`) reach `highWaterBytes` the client is
 * congested: nothing more is written to it, and its queue keeps only the latest message per (type,
 * key) (the others are counted as coalesced). A client congested longer than `maxStallMs`, or whose
 * queue holds more than `maxQueue` distinct (type, key) pairs, is disconnected with close code 4000
 * (its queued messages counted as dropped). Nothing here ever waits on a socket.
 */

/** Close code of a client disconnected for being too slow (docs/gateway.md). */

/**
 * What a client needs of its socket: ws's WebSocket has it. Declared here so that the package's
 * declarations need no `ws` types (`@types/ws`) in the user's project.
 */
export interface ClientSocket {
  /** Bytes queued and not yet sent. */
  readonly bufferedAmount: number;
  send(data: string | Uint8Array, options: { binary?: boolean }, callback?: (error?: Error) => void): void;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

export const CLOSE_SLOW = 4000;

/** The backpressure bounds of every client (GatewayOptions). */
export interface ClientLimits {
  highWaterBytes: number;
  maxQueue: number;
  maxStallMs: number;
}

/** What a client subscribed to: type -> keys (undefined = every key). */
type Interests = Map<string, Set<string> | undefined>;

export class Client {
  private readonly interests: Interests = new Map();
  /** Queued message JSON, their (type, key) and arrival times (ms, performance clock). */
  private parts: string[] = [];
  private pairs: string[] = [];
  private arrivals: number[] = [];
  /** (type, key) -> index in the queue, kept while congested (coalescing). */
  private index: Map<string, number> | undefined;
  /** Since when the socket has been congested (performance clock), or -1. */
  congestedSince = -1;
  /** Whether it asked for stats frames. */
  stats = false;
  closed = false;

  constructor(
    readonly socket: ClientSocket,
    private readonly limits: ClientLimits,
  ) {}

  /** Adds (or removes) interests. */
  update(subscribe: boolean, types: readonly string[], keys: readonly string[] | undefined): void {
    for (const type of types) {
      if (subscribe) {
        const had = this.interests.get(type);
        if (keys === undefined || (this.interests.has(type) && had === undefined)) this.interests.set(type, undefined);
        else {
          const set = had ?? new Set<string>();
          for (const k of keys) set.add(k);
          this.interests.set(type, set);
        }
      } else if (keys === undefined) {
        this.interests.delete(type);
      } else {
        const had = this.interests.get(type);
        if (had) {
          for (const k of keys) had.delete(k);
          if (had.size === 0) this.interests.delete(type);
        }
      }
    }
  }

  /** Whether it subscribed to (type, key). */
  wants(type: string, key: string): boolean {
    if (!this.interests.has(type)) return false;
    const keys = this.interests.get(type);
    return keys === undefined || keys.has(key);
  }

  /** The (type -> keys) it subscribed to, for the subscribed frame and the snapshot. */
  subscriptions(): Record<string, string[] | '*'> {
    return Object.fromEntries([...this.interests].map(([t, keys]) => [t, keys === undefined ? '*' : [...keys]]));
  }

  get queued(): number {
    return this.parts.length;
  }

  /**
   * Queues a message; returns 1 when it replaced an older one of the same (type, key) (coalesced, while
   * congested), 0 when appended, or -1 when congested with `maxQueue` distinct (type, key) pairs queued
   * already (the gateway then disconnects the client). The gateway sends the queue before it reaches
   * `maxQueue` while the socket keeps up.
   */
  enqueue(json: string, pair: string, at: number): number {
    if (this.index) {
      const i = this.index.get(pair);
      if (i !== undefined) {
        this.parts[i] = json;
        this.arrivals[i] = at;
        return 1;
      }
      if (this.parts.length >= this.limits.maxQueue) return -1;
      this.index.set(pair, this.parts.length);
    }
    this.parts.push(json);
    this.pairs.push(pair);
    this.arrivals.push(at);
    return 0;
  }

  /**
   * Checks the socket: returns 'stalled' when congested longer than maxStallMs, else whether it can be
   * written to now. Entering congestion coalesces the queue (returns the messages merged away).
   */
  writable(now: number): { ok: boolean; stalled: boolean; coalesced: number } {
    if (this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.congestedSince = -1;
      return { ok: true, stalled: false, coalesced: 0 };
    }
    if (this.congestedSince < 0) this.congestedSince = now;
    const coalesced = this.coalesce();
    return { ok: false, stalled: now - this.congestedSince > this.limits.maxStallMs, coalesced };
  }

  /** Keeps the latest message per (type, key) and coalesces what comes next; returns how many were merged away. */
  private coalesce(): number {
    if (this.index) return 0;
    const index = new Map<string, number>();
    const parts: string[] = [];
    const pairs: string[] = [];
    const arrivals: number[] = [];
    for (let i = 0; i < this.parts.length; i++) {
      const j = index.get(this.pairs[i]);
      if (j === undefined) {
        index.set(this.pairs[i], parts.length);
        parts.push(this.parts[i]);
        pairs.push(this.pairs[i]);
        arrivals.push(this.arrivals[i]);
      } else {
        parts[j] = this.parts[i];
        arrivals[j] = this.arrivals[i];
      }
    }
    const merged = this.parts.length - parts.length;
    this.parts = parts;
    this.pairs = pairs;
    this.arrivals = arrivals;
    this.index = index;
    return merged;
  }

  /** Takes the queue (message JSON and arrival times) to send, leaving it empty and not coalescing. */
  take(): { parts: string[]; arrivals: number[] } {
    const out = { parts: this.parts, arrivals: this.arrivals };
    this.parts = [];
    this.pairs = [];
    this.arrivals = [];
    this.index = undefined;
    return out;
  }
}
