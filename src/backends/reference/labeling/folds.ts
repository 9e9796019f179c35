/**
 * Purged k-fold and combinatorial purged cross-validation (reference): the fold x event matrix of
 * FOLD_TRAIN | FOLD_TEST, by the book's rule ('afml') or mlfinlab's split ('mlfinlab').
 * native/kernels/labeling/folds.cpp is the twin.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { binomial, FOLD_TEST, FOLD_TRAIN } from '../../../kernels/labeling/labeling.js';
import { LABELING_KERNELS } from '../../../kernels/labeling/labeling-kernels.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import { eventError, EventFault, valueError, ValueFault } from './checks.js';

/** Requires the events' times: t0 finite and strictly increasing, t1 at or after t0 (NaN: open). */
function checkSpans(t0: Float64Array, t1: Float64Array): void {
  for (let i = 0; i < t0.length; i++) {
    if (!Number.isFinite(t0[i])) throw eventError(EventFault.T0_NOT_FINITE, i, t0[i]);
    if (i > 0 && !(t0[i] > t0[i - 1])) throw eventError(EventFault.T0_NOT_INCREASING, i, t0[i]);
    if (t1[i] < t0[i] || t1[i] === -Infinity) throw eventError(EventFault.T1_BEFORE_T0, i, t1[i]);
  }
}

/** numpy's array_split of m into `splits` blocks: [start, end) each, the first m mod splits one longer. */
export function blocks(m: number, splits: number): [number, number][] {
  const size = Math.floor(m / splits);
  const extra = m % splits;
  const out: [number, number][] = [];
  let start = 0;
  for (let b = 0; b < splits; b++) {
    const end = start + size + (b < extra ? 1 : 0);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** itertools.combinations(range(n), k), in its order. */
export function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const c = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    out.push(c.slice());
    let i = k - 1;
    while (i >= 0 && c[i] === n - k + i) i--;
    if (i < 0) return out;
    c[i]++;
    for (let j = i + 1; j < k; j++) c[j] = c[j - 1] + 1;
  }
}

export function referencePurgedKFold(
  t0: Float64Array,
  t1: Float64Array,
  folds: number,
  splits: number,
  testSplits: number,
  embargo: number,
  convention: number,
): Float64Array {
  const m = t0.length;
  checkSpans(t0, t1);
  if (testSplits >= splits) throw inputFault(Fault.PARAM_INVALID, 1, testSplits, 0, 'purgedKFold');
  if (splits > m) throw inputFault(Fault.SPLITS_ABOVE_EVENTS, splits, m, 0);
  const expected = binomial(splits, testSplits);
  if (folds !== expected) throw valueError(ValueFault.FOLDS_COUNT, folds, expected);
  const { out } = allocateOutputs(LABELING_KERNELS.purgedKFold, t0, t1, folds, splits, testSplits, embargo, convention);
  const parts = blocks(m, splits);
  const h = Math.floor(m * embargo);
  combinations(splits, testSplits).forEach((combo, f) => {
    const row = out.subarray(f * m, (f + 1) * m);
    for (const b of combo) row.fill(FOLD_TEST, parts[b][0], parts[b][1]);
    if (convention === 1) {
      // mlfinlab: every sample starts in train; each block's window [t1[start], t1[end - 1 + h]] purges
      for (let j = 0; j < m; j++) row[j] |= FOLD_TRAIN;
      for (const b of combo) {
        const [start, end] = parts[b];
        const from = t1[start];
        const to = t1[end - 1 + h < m ? end - 1 + h : end - 1];
        for (let j = 0; j < m; j++) {
          const a = t0[j];
          const z = t1[j];
          if ((from <= a && a <= to) || (from <= z && z <= to) || (a <= from && to <= z)) row[j] &= ~FOLD_TRAIN;
        }
      }
      return;
    }
    // the book: train is the rest, less what overlaps a test block's span, less the embargo after it
    for (let j = 0; j < m; j++) if (row[j] === 0) row[j] = FOLD_TRAIN;
    for (const b of combo) {
      const [start, end] = parts[b];
      let to = -Infinity;
      for (let i = start; i < end; i++) to = Math.max(to, t1[i] === t1[i] ? t1[i] : Infinity);
      const from = t0[start];
      for (let j = 0; j < m; j++) {
        const z = t1[j] === t1[j] ? t1[j] : Infinity;
        if (row[j] === FOLD_TRAIN && t0[j] <= to && z >= from) row[j] = 0;
      }
      for (let j = end; j < Math.min(m, end + h); j++) if (row[j] === FOLD_TRAIN) row[j] = 0;
    }
  });
  return out;
}
