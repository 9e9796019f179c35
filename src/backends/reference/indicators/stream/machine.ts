/**
 * The indicators' stream form (src/api/indicator-stream.ts): each indicator a state machine fed one
 * bar at a time that performs the floating-point operations of its batch function in
 * src/backends/reference/indicators/ in the same order, so that bar by bar it gives the batch's
 * values bit for bit. A machine's state is its `s` (numbers and fixed-length Float64Arrays: rolling
 * windows, indexed by the bar's number modulo their length) and its `parts`' states; its
 * configuration lives in its closure and is never part of the state.
 */

/** A machine's state: numbers and rolling windows, and the machines it feeds. */
export interface Stateful {
  readonly s: Record<string, number | Float64Array>;
  readonly parts: readonly Stateful[];
}

/** A machine of one series: its value for the bar, or undefined over its warm-up. */
export interface SeriesMachine extends Stateful {
  step(x: number): number | undefined;
}

/** The state of `m` and its parts, appended to `into` in a fixed order. */
export function exportState(m: Stateful, into: number[]): number[] {
  for (const v of Object.values(m.s)) {
    if (typeof v === 'number') into.push(v);
    else for (const x of v) into.push(x);
  }
  for (const p of m.parts) exportState(p, into);
  return into;
}

/** Sets the state of `m` (and its parts) from `from` at `at`; returns the position after it. */
export function importState(m: Stateful, from: Float64Array, at: number): number {
  for (const [key, v] of Object.entries(m.s)) {
    if (typeof v === 'number') m.s[key] = from[at++];
    else {
      v.set(from.subarray(at, at + v.length));
      at += v.length;
    }
  }
  for (const p of m.parts) at = importState(p, from, at);
  return at;
}

/** A machine that passes its series through (TA-Lib's MA of period 1). */
export const identity = (): SeriesMachine => ({ s: {}, parts: [], step: (x) => x });
