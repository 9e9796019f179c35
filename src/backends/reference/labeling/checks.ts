/**
 * The labeling family's data checks (reference): bar times, events as bar positions, and the lengths
 * a call allows, each fault raised as the code every backend reports (native/kernels/labeling/
 * checks.hpp is the twin, check for check, in the same order).
 */
import { Fault, inputFault } from '../../../kernels/faults.js';
import { EventFault, ValueFault } from '../../../kernels/labeling/labeling-faults.js';
import { barAt, firstAtOrAfter } from '../../../kernels/labeling/labeling.js';

/** A fault of the labeling family. */
export function labelingError(code: number, index: number, value: number, previous: number): Error {
  return inputFault(code, index, value, previous);
}

/** A LABEL_VALUE_INVALID fault of `kind` (labeling-faults.ts ValueFault). */
export function valueError(kind: number, index: number, value: number): Error {
  return inputFault(Fault.LABEL_VALUE_INVALID, index, value, kind);
}

/** An EVENT_INVALID fault of `kind` (labeling-faults.ts EventFault). */
export function eventError(kind: number, index: number, time: number): Error {
  return inputFault(Fault.EVENT_INVALID, index, time, kind);
}

/** Requires bar times: finite, strictly increasing. */
export function checkTimes(ts: Float64Array): void {
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (!Number.isFinite(t) || (i > 0 && !(t > ts[i - 1]))) {
      throw labelingError(Fault.LABEL_TS_INVALID, i, t, i > 0 ? ts[i - 1] : NaN);
    }
  }
}

/** Requires an array of length `n` (or 1 when `one`, or 0 when `none`): else the `kind` length fault. */
export function checkLength(a: Float64Array, n: number, kind: number, allowed: 'one' | 'none'): void {
  const ok = a.length === n || (allowed === 'one' ? a.length === 1 : a.length === 0);
  if (!ok) throw valueError(kind, a.length, n);
}

/** The events' starts as bar positions: each a time of ts, strictly increasing. */
export function eventStarts(ts: Float64Array, t0: Float64Array): Int32Array {
  const at = new Int32Array(t0.length);
  let from = 0;
  for (let i = 0; i < t0.length; i++) {
    if (i > 0 && !(t0[i] > t0[i - 1]) && t0[i] === t0[i]) throw inputFault(Fault.EVENT_INVALID, i, t0[i], EventFault.T0_NOT_INCREASING);
    const j = barAt(ts, t0[i], from);
    if (j < 0) throw inputFault(Fault.EVENT_INVALID, i, t0[i], EventFault.T0_NOT_A_BAR);
    at[i] = j;
    from = j;
  }
  return at;
}

/**
 * The events' ends as bar positions: each a time of ts at or after its t0; NaN the last bar when
 * `open` (else the T1_NAN fault).
 */
export function eventEnds(ts: Float64Array, starts: Int32Array, t1: Float64Array, open: boolean): Int32Array {
  const at = new Int32Array(t1.length);
  for (let i = 0; i < t1.length; i++) {
    const t = t1[i];
    if (t !== t) {
      if (!open) throw inputFault(Fault.EVENT_INVALID, i, t, EventFault.T1_NAN);
      at[i] = ts.length - 1;
      continue;
    }
    at[i] = endAt(ts, starts[i], t, i);
  }
  return at;
}

/** The bar of event i's end t: a time of ts at or after its start bar (searched from there), else the fault. */
export function endAt(ts: Float64Array, start: number, t: number, i: number): number {
  if (t < ts[start]) throw inputFault(Fault.EVENT_INVALID, i, t, EventFault.T1_BEFORE_T0);
  const j = barAt(ts, t, start);
  if (j < 0) throw inputFault(Fault.EVENT_INVALID, i, t, EventFault.T1_NOT_A_BAR);
  return j;
}

export { barAt, EventFault, Fault, firstAtOrAfter, ValueFault };
