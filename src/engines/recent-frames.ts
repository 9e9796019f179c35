/**
 * The (publish time, ts) of the last frames a key applied: how an engine tells a frame stored twice (a
 * publish retried after an ambiguous failure, under a new entry id) from one that was never applied
 * and merely goes back in time. Only the first is skipped as `republished`; the other reaches the
 * engine's own checks (and is applied or refused there), so no frame vanishes uncounted.
 */

/** What a key's state knows of its last frame applied. */
export interface LastFrame {
  lastSentAt: number;
  lastTs: number;
}

/** Frames per key remembered. */
export const RECENT_FRAMES = 64;

/** A ring of the last RECENT_FRAMES (sentAt, ts) pairs applied; not checkpointed. */
export class RecentFrames {
  private ring: Float64Array | undefined;
  private count = 0;

  /** Records an applied frame (the ring is allocated at the first). */
  remember(sentAt: number, ts: number): void {
    this.ring ??= new Float64Array(2 * RECENT_FRAMES);
    const at = 2 * (this.count++ % RECENT_FRAMES);
    this.ring[at] = sentAt;
    this.ring[at + 1] = ts;
  }

  /**
   * The one rule of every engine: whether a frame is one the key applied before (a publish stored
   * twice), to be skipped and counted as republished. It goes back (`behind`: its ts at or before the
   * key's last, or for the factor engine its date), was published no later than the key's last frame,
   * and its (publish time, ts) is one applied: one of the last RECENT_FRAMES remembered, or the key's
   * last frame (`last`: all that is known after a restore). A frame that goes back and was never
   * applied is not republished: it reaches the engine's own checks.
   */
  republished(behind: boolean, sentAt: number, ts: number, last: LastFrame): boolean {
    return behind && sentAt <= last.lastSentAt && this.applied(sentAt, ts, last.lastSentAt, last.lastTs);
  }

  /** Whether a frame with this publish time and ts was applied (see republished()). */
  private applied(sentAt: number, ts: number, lastSentAt: number, lastTs: number): boolean {
    if (sentAt === lastSentAt && ts === lastTs) return true;
    const ring = this.ring;
    if (!ring) return false;
    const stored = Math.min(this.count, RECENT_FRAMES);
    for (let i = 0; i < stored; i++) if (ring[2 * i] === sentAt && ring[2 * i + 1] === ts) return true;
    return false;
  }

  /** Forgets every frame (a restored state's frames are not the ones applied here before). */
  clear(): void {
    this.count = 0;
  }
}

/** A trade engine's key (VpinEngine's, FeaturesEngine's symbol): its last frame and its recent frames. */
export interface TradeKeyFrames extends LastFrame {
  recent: RecentFrames;
}

/**
 * RecentFrames.republished for a frame of `count` trades, the last at `ts`, published at `sentAt`:
 * it goes back when its last trade is at or before the key's last. An empty frame is never skipped.
 */
export function republishedTrades(s: TradeKeyFrames, count: number, ts: number, sentAt: number): boolean {
  return count > 0 && s.recent.republished(ts <= s.lastTs, sentAt, ts, s);
}

/**
 * Records a frame of trades the key applied: its last trade `ts` (the frame's, in the ring), its
 * publish time, and `lastTs`, the last trade the key applied (the frame's last good one, when the trade
 * rule left some out; default `ts`).
 */
export function appliedTrades(s: TradeKeyFrames, count: number, ts: number, sentAt: number, lastTs = ts): void {
  if (count > 0) {
    s.lastTs = lastTs;
    s.recent.remember(sentAt, ts);
  }
  if (sentAt > s.lastSentAt) s.lastSentAt = sentAt;
}

/** RecentFrames per key (a universe), made at the key's first frame. */
export class RecentFramesByKey {
  private readonly byKey = new Map<string, RecentFrames>();

  /** RecentFrames.republished for `key` (a key with none remembered has only its last frame). */
  republished(key: string, behind: boolean, sentAt: number, ts: number, last: LastFrame): boolean {
    return (this.byKey.get(key) ?? NONE).republished(behind, sentAt, ts, last);
  }

  /** Records a frame `key` applied. */
  remember(key: string, sentAt: number, ts: number): void {
    let r = this.byKey.get(key);
    if (!r) this.byKey.set(key, (r = new RecentFrames()));
    r.remember(sentAt, ts);
  }

  /** Forgets `key`'s frames (its state was restored or dropped). */
  forget(key: string): void {
    this.byKey.delete(key);
  }
}

const NONE = new RecentFrames();
