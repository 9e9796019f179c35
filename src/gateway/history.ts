/**
 * What the gateway remembers for a client that connects late (a subscribe request with `history:
 * true`): per served type the last `points` messages of each key, for the `keys` most recently
 * updated keys (the least recently updated key's history is forgotten first), and the last `stats`
 * stats frames. Everything is bounded: points x keys messages per type, and the stats frames.
 */
import type { StatsFrame } from './stats.js';

/** The history's bounds (GatewayOptions.history). */
export interface HistoryLimits {
  /** Messages kept per (type, key). */
  points: number;
  /** Keys per type whose history is kept. */
  keys: number;
  /** Stats frames kept (at one a second, the last `stats` seconds). */
  stats: number;
}

/** A kept message: its JSON and its arrival order. */
interface Kept {
  seq: number;
  json: string;
}

export class History {
  private seq = 0;
  /** type -> key -> its last messages (oldest first), keys in update order (oldest first). */
  private readonly messages = new Map<string, Map<string, Kept[]>>();
  private readonly frames: StatsFrame[] = [];

  constructor(private readonly limits: HistoryLimits) {}

  /** Keeps a message of (type, key). */
  add(type: string, key: string, json: string): void {
    let byKey = this.messages.get(type);
    if (!byKey) this.messages.set(type, (byKey = new Map()));
    let list = byKey.get(key);
    if (list) byKey.delete(key);
    else list = [];
    byKey.set(key, list);
    list.push({ seq: this.seq++, json });
    if (list.length > this.limits.points) list.shift();
    if (byKey.size > this.limits.keys) byKey.delete(byKey.keys().next().value!);
  }

  /** Keeps a stats frame. */
  addStats(frame: StatsFrame): void {
    this.frames.push(frame);
    if (this.frames.length > this.limits.stats) this.frames.shift();
  }

  /** The kept stats frames, oldest first. */
  stats(): readonly StatsFrame[] {
    return this.frames;
  }

  /** Whether (type, key) has a kept history. */
  has(type: string, key: string): boolean {
    return this.messages.get(type)?.has(key) ?? false;
  }

  /** The kept messages of `types` and `keys` (undefined: every key), in the order they arrived. */
  select(types: readonly string[], keys: readonly string[] | undefined): string[] {
    const lists: Kept[][] = [];
    for (const type of types) {
      const byKey = this.messages.get(type);
      if (!byKey) continue;
      if (keys === undefined) lists.push(...byKey.values());
      else for (const k of keys) if (byKey.has(k)) lists.push(byKey.get(k)!);
    }
    return lists
      .flat()
      .sort((a, b) => a.seq - b.seq)
      .map((m) => m.json);
  }
}
