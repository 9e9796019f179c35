/**
 * Two builds' bench rows side by side (`npm run bench -- --against <ref>`, bench/against.ts): per row
 * (section, case, subject) the medians and spreads of the rounds each build ran, and the head's speed
 * against the base's. Pure functions over rows: the orchestration (worktree, build, interleaved runs)
 * is against.ts's.
 */
import type { BenchRow } from './lib.js';

/** Whether a larger figure is better ('higher'), worse ('lower'), or neither (a count: 'none'). */
export type Direction = 'higher' | 'lower' | 'none';

/** The direction of a unit: times and memory lower, rates and speed-ups higher, counts neither. */
export function directionOf(unit: string): Direction {
  const u = unit.trim();
  if (/\/s$/.test(u) || /^x( faster)?$/.test(u)) return 'higher';
  if (/^(ns|us|µs|ms|s)( a [a-z ]+)?$/.test(u) || /^(KB|MB|GB|KiB|MiB|GiB)$/.test(u)) return 'lower';
  return 'none';
}

/** One row of both builds. */
export interface ComparedRow {
  section: string;
  case: string;
  subject: string;
  unit: string;
  direction: Direction;
  /** The base's median and [min, max] over its rounds (undefined: the base has no such row). */
  base?: { median: number; min: number; max: number; rounds: number };
  head?: { median: number; min: number; max: number; rounds: number };
  /** How much faster the head is (> 1 faster, < 1 slower): base/head for times, head/base for rates. */
  speed?: number;
  /**
   * The same of the builds' best rounds (the least time, the highest rate): where a row's rounds fall
   * in two modes on either build (a core's or a collection's, not the code's), the medians can land in
   * different modes by chance, the best rounds less often.
   */
  bestSpeed?: number;
  /** The head is slower by more than `tolerance` and its best round is worse than the base's worst. */
  flagged: boolean;
}

/** The median (the upper one of an even count), min and max of some values. */
function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1], rounds: values.length };
}

const keyOf = (r: BenchRow) => `${r.section}\u0000${r.case}\u0000${r.subject}`;

/** Each row's values over the rounds, by key, in first-seen order. */
function byRow(rounds: BenchRow[][]): Map<string, { row: BenchRow; values: number[] }> {
  const out = new Map<string, { row: BenchRow; values: number[] }>();
  for (const rows of rounds) {
    for (const row of rows) {
      if (!Number.isFinite(row.value)) continue;
      const entry = out.get(keyOf(row)) ?? { row, values: [] };
      entry.values.push(row.value);
      out.set(keyOf(row), entry);
    }
  }
  return out;
}

/**
 * The rows of both builds (each a list of rounds, each round a run's rows), head's order first, then the
 * rows only the base has. `tolerance`: the relative slow-down beyond the spread that flags a row (0.1).
 */
export function compareRounds(base: BenchRow[][], head: BenchRow[][], tolerance = 0.1): ComparedRow[] {
  const b = byRow(base);
  const h = byRow(head);
  const keys = [...h.keys(), ...[...b.keys()].filter((k) => !h.has(k))];
  return keys.map((key) => {
    const row = (h.get(key) ?? b.get(key))!.row;
    const direction = directionOf(row.unit);
    const bs = b.has(key) ? stats(b.get(key)!.values) : undefined;
    const hs = h.has(key) ? stats(h.get(key)!.values) : undefined;
    let speed: number | undefined;
    let bestSpeed: number | undefined;
    let flagged = false;
    if (bs && hs && direction !== 'none' && bs.median > 0 && hs.median > 0) {
      speed = direction === 'lower' ? bs.median / hs.median : hs.median / bs.median;
      bestSpeed = direction === 'lower' ? bs.min / hs.min : hs.max / bs.max;
      // the head's best against the base's worst: disjoint spreads, the head behind
      const apart = direction === 'lower' ? hs.min > bs.max : hs.max < bs.min;
      flagged = speed < 1 / (1 + tolerance) && apart;
    }
    const { section, subject, unit } = row;
    return { section, case: row.case, subject, unit, direction, base: bs, head: hs, speed, bestSpeed, flagged };
  });
}
