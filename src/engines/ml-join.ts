/**
 * The ML engine's join (docs/ml.md "The ML engine"): per symbol, its BAR and FEATURES_UPDATE of the same bar
 * paired (they come on different buses, in either order), and the last payload of each other type, so
 * that a completed bar carries the payloads its row of features is read from. Its state is what the
 * engine checkpoints of it.
 */
import { KernelInputError, describeValue } from '../errors.js';

/** A message's payload. */
export type Payload = Record<string, unknown>;

/** A bar completed: the payloads its row is read from, by message type. */
export interface CompletedBar {
  symbol: string;
  bar: number;
  /** The bar's time (its FEATURES_UPDATE's `ts`). */
  ts: number;
  parts: Record<string, Payload>;
}

/** A symbol's state as snapshot() gives it: symbol, last bar, the waiting BARs and FEATURES_UPDATEs, the other types' payloads. */
export type SymbolRecord = [string, number, [number, Payload][], [number, Payload][], [string, Payload][]];

interface SymbolState {
  /** The last bar completed (-1 before any): a bar at or before it is a repeat. */
  last: number;
  /** BARs and FEATURES_UPDATEs waiting for their pair, by bar, in bar order. */
  bars: Map<number, Payload>;
  updates: Map<number, Payload>;
  /** Each other type's last payload. */
  latest: Map<string, Payload>;
}

const UPDATE = 'FEATURES_UPDATE';

/**
 * Messages of one side kept per symbol while their pair has not come: the streams are read apart (over
 * Redis, one may run thousands of entries ahead of the other). Past it, as when the other side never
 * comes (a BAR whose FEATURES_UPDATE was refused), the oldest is dropped and counted (`unpaired`).
 */
const PENDING = 4096;

/** BAR and FEATURES_UPDATE joined by bar per symbol, the other types' last payloads beside them. */
export class BarJoin {
  /** Whether a bar waits for its BAR too (the map uses BAR); else its FEATURES_UPDATE completes it. */
  withBars = false;
  /** Bars published again (at or before the symbol's last) skipped, and messages whose pair never came dropped. */
  readonly counts = { repeatedBars: 0, unpaired: 0 };
  private symbols = new Map<string, SymbolState>();

  /** Symbols seen. */
  get size(): number {
    return this.symbols.size;
  }

  private state(symbol: string): SymbolState {
    let s = this.symbols.get(symbol);
    if (!s) {
      s = { last: -1, bars: new Map(), updates: new Map(), latest: new Map() };
      this.symbols.set(symbol, s);
    }
    return s;
  }

  /**
   * A message of `type` for `symbol`: the bar it completes, if any. A BAR or FEATURES_UPDATE waits for its
   * pair (KernelInputError naming `<type>.bar` for a bar that is no integer >= 0, `FEATURES_UPDATE.ts`
   * for a time not finite); another type's payload is kept as the symbol's last.
   */
  accept(type: string, symbol: string, payload: Payload): CompletedBar | undefined {
    if (type !== UPDATE && type !== 'BAR') {
      this.state(symbol).latest.set(type, payload);
      return undefined;
    }
    const bar = payload.bar;
    if (!(typeof bar === 'number' && Number.isInteger(bar) && bar >= 0))
      throw new KernelInputError(`${type}.bar`, 'an integer >= 0', describeValue(bar));
    if (type === UPDATE && !Number.isFinite(payload.ts))
      throw new KernelInputError(`${type}.ts`, 'a finite time', describeValue(payload.ts));
    const s = this.state(symbol);
    if (bar <= s.last) {
      this.counts.repeatedBars++;
      return undefined;
    }
    const [mine, others] = type === UPDATE ? [s.updates, s.bars] : [s.bars, s.updates];
    // each side comes in bar order: the other side's bars before this one wait for a pair that is gone
    for (const b of others.keys()) {
      if (b >= bar) break;
      others.delete(b);
      this.counts.unpaired++;
    }
    if (type === UPDATE && !this.withBars) return this.complete(symbol, s, bar, payload, undefined);
    const pair = others.get(bar);
    if (pair) return type === UPDATE ? this.complete(symbol, s, bar, payload, pair) : this.complete(symbol, s, bar, pair, payload);
    mine.set(bar, payload);
    if (mine.size > PENDING) {
      mine.delete(mine.keys().next().value as number);
      this.counts.unpaired++;
    }
    return undefined;
  }

  /** Bar `bar` of `symbol` completed: the other types' payloads as they are now, its BAR and FEATURES_UPDATE. */
  private complete(symbol: string, s: SymbolState, bar: number, update: Payload, barPayload: Payload | undefined): CompletedBar {
    s.last = bar;
    for (const waiting of [s.bars, s.updates]) for (const b of waiting.keys()) if (b <= bar) waiting.delete(b);
    const parts: Record<string, Payload> = Object.fromEntries(s.latest);
    parts[UPDATE] = update;
    if (barPayload) parts.BAR = barPayload;
    return { symbol, bar, ts: update.ts as number, parts };
  }

  /** The state as plain arrays (packStructured() writes them). */
  snapshot(): SymbolRecord[] {
    return [...this.symbols].map(([symbol, s]) => [symbol, s.last, [...s.bars], [...s.updates], [...s.latest]]);
  }

  /** Replaces the state with snapshot()'s records (KernelInputError naming `bytes` for others). */
  restore(records: unknown): void {
    const ok =
      Array.isArray(records) &&
      records.every(
        (x) =>
          Array.isArray(x) &&
          x.length === 5 &&
          typeof x[0] === 'string' &&
          typeof x[1] === 'number' &&
          Array.isArray(x[2]) &&
          Array.isArray(x[3]) &&
          Array.isArray(x[4]),
      );
    if (!ok) throw new KernelInputError('bytes', "an ML engine checkpoint's symbols", 'other fields');
    this.symbols = new Map(
      (records as SymbolRecord[]).map(([symbol, last, bars, updates, latest]) => [
        symbol,
        { last, bars: new Map(bars), updates: new Map(updates), latest: new Map(latest) },
      ]),
    );
  }
}
