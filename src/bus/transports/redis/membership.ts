/**
 * This instance in its groups: the live subscriptions, the lease tick (every claimIdleMs/3) that renews
 * the leases they hold and registers the instance as a live member of each group with the streams it
 * reads (MEMBERS_SCRIPT), and the fair share: each live instance of a group holds at most
 * ceil(streams / instances) of its streams' leases, and asks subscriptions over it to release the excess.
 */
import type { Client, Scripts } from './client.js';
import { batch, unlessClosed } from './commands.js';
import type { TransportLog } from './dialer.js';
import type { RedisKeys } from './keys.js';

/** What Membership needs of its transport. */
export interface MembershipDeps extends Pick<TransportLog, 'report'> {
  /** The bookkeeping connection. */
  readonly cmd: Client;
  readonly keys: RedisKeys;
  /** This transport among the instances of a group. */
  readonly instance: string;
  /** How long a lease and a membership last unrenewed. */
  readonly claimIdleMs: number;
  /** Whether the transport is closed. */
  closed(): boolean;
}

/** What Membership reads and sets on a subscription: one consumer of a group on one stream. */
export interface LeaseHolder {
  readonly stream: string;
  readonly group: string;
  readonly leaseKey: string;
  /** Lease value: unique to the holder. */
  readonly token: string;
  readonly closed: boolean;
  /** Holds the stream's lease for its group. */
  readonly owner: boolean;
  /** Asked to hand the stream to another instance (set by the fair share). */
  releasing: boolean;
  readonly acquiredAt: number;
  /** Until when the lease is known to be held (set when renewed). */
  leaseValidUntil: number;
  /** Called when a renewal found the lease gone. */
  leaseLost(): void;
}

/** The live subscriptions of a transport (of type S) and its membership of their groups. */
export class Membership<S extends LeaseHolder = LeaseHolder> {
  /** Live subscriptions. */
  readonly consumers = new Set<S>();
  /** group -> live instances and streams, from the last membership heartbeat. */
  private readonly shares = new Map<string, { members: number; streams: number }>();
  private readonly leaseTimer: NodeJS.Timeout;
  private leaseTicking = false;

  constructor(private readonly deps: MembershipDeps) {
    this.leaseTimer = setInterval(() => void this.leaseTick(), Math.max(10, Math.floor(deps.claimIdleMs / 3)));
    this.leaseTimer.unref();
  }

  /** Adds a subscription. */
  add(sub: S): void {
    this.consumers.add(sub);
  }

  /** Called by a subscription once it has ended. */
  forget(sub: S): void {
    this.consumers.delete(sub);
  }

  /** Whether a subscription here holds the lease of `stream` for `group` (reads it now). */
  holds(stream: string, group: string): boolean {
    for (const c of this.consumers) if (c.stream === stream && c.group === group && c.owner && !c.closed) return true;
    return false;
  }

  /** Whether a subscription here (open) belongs to `group`. */
  inGroup(group: string): boolean {
    for (const c of this.consumers) if (c.group === group && !c.closed) return true;
    return false;
  }

  /** Whether a subscription here (open) reads `stream` for `group`. */
  hasLocal(stream: string, group: string): boolean {
    for (const c of this.consumers) if (c.stream === stream && c.group === group && !c.closed) return true;
    return false;
  }

  /** Unregisters this instance from `group` (its last subscription in the group closed). */
  async leaveGroup(group: string): Promise<void> {
    this.shares.delete(group);
    await unlessClosed(this.deps.cmd, this.deps.cmd.zrem(this.deps.keys.members(group), this.deps.instance));
  }

  /** Registers this instance as a live member of `group` that reads `stream` (as the lease tick does). */
  async register(group: string, stream: string): Promise<void> {
    await unlessClosed(this.deps.cmd, this.membership(this.deps.cmd, group, [stream]));
  }

  /** MEMBERS_SCRIPT for `group` and the `streams` this instance reads, on `target` (a client, maybe inside batch()). */
  private membership(target: Scripts, group: string, streams: string[]): Promise<[number, number]> {
    const { deps } = this;
    return target.kbMembers(deps.keys.members(group), deps.keys.groupStreams(group), deps.instance, deps.claimIdleMs, ...streams);
  }

  /** Whether this instance may take one more stream of `group` (fair share between live instances). */
  mayTakeMore(group: string): boolean {
    const share = this.shares.get(group);
    if (!share) return true;
    let held = 0;
    const streams = new Set<string>();
    for (const c of this.consumers) {
      if (c.group !== group || c.closed) continue;
      streams.add(c.stream);
      if (c.owner && !c.releasing) held++;
    }
    // The group's streams as Redis counted them at the last lease tick, or more: those subscribed here
    // since (a tick that ran during the first of several subscriptions counted only that one).
    return held < Math.ceil(Math.max(share.streams, streams.size) / Math.max(1, share.members));
  }

  /**
   * Renews the leases this instance holds, registers it with its groups and asks subscriptions holding
   * more than their fair share of a group's streams to release the excess.
   */
  async leaseTick(): Promise<void> {
    if (this.deps.closed() || this.leaseTicking || this.consumers.size === 0 || this.deps.cmd.status !== 'ready') return;
    this.leaseTicking = true;
    try {
      await this.renewLeases();
    } finally {
      this.leaseTicking = false;
    }
  }

  private async renewLeases(): Promise<void> {
    const groups = new Map<string, S[]>();
    for (const c of this.consumers) {
      if (c.closed) continue;
      const list = groups.get(c.group) ?? [];
      list.push(c);
      groups.set(c.group, list);
    }
    const ttl = this.deps.claimIdleMs;
    const owners = [...this.consumers].filter((c) => c.owner);
    let results: [Error | null, unknown][] | null;
    const sentAt = performance.now();
    try {
      results = await batch(this.deps.cmd, (client) => [
        ...owners.map((c) => client.kbRenew(c.leaseKey, c.token, ttl)),
        ...[...groups].map(([group, subs]) => this.membership(client, group, [...new Set(subs.map((s) => s.stream))])),
      ]);
    } catch (error) {
      results = null;
      this.deps.report('lease renewal', error);
    }
    const now = performance.now();
    owners.forEach((c, i) => {
      const [error, renewed] = results?.[i] ?? [new Error('no reply'), 0];
      if (!error && renewed === 1) c.leaseValidUntil = sentAt + ttl;
      else if (!error || now > c.leaseValidUntil) c.leaseLost();
    });
    let i = owners.length;
    for (const [group, subs] of groups) {
      const [error, reply] = results?.[i++] ?? [new Error('no reply'), null];
      if (error || !Array.isArray(reply)) continue;
      const share = { members: Number(reply[0]), streams: Number(reply[1]) };
      this.shares.set(group, share);
      const held = subs.filter((s) => s.owner && !s.releasing).sort((a, b) => b.acquiredAt - a.acquiredAt);
      const excess = held.length - Math.ceil(share.streams / Math.max(1, share.members));
      for (let k = 0; k < excess; k++) held[k].releasing = true;
    }
  }

  /** Stops the lease tick (the transport is closing). */
  stop(): void {
    clearInterval(this.leaseTimer);
  }

  /** Unregisters this instance from every group it registered with (once its subscriptions closed). */
  async close(): Promise<void> {
    const groups = new Set(this.shares.keys());
    if (groups.size > 0 && this.deps.cmd.status === 'ready') {
      await batch(this.deps.cmd, (client) => [...groups].map((g) => client.zrem(this.deps.keys.members(g), this.deps.instance))).catch(
        () => undefined,
      );
    }
  }
}
