/**
 * The labeling family's sample weights (reference): concurrency, average uniqueness, return
 * attribution, time decay, the indicator matrix and the sequential bootstrap (AFML ch. 4), mlfinlab's
 * arithmetic; native/kernels/labeling/weights.cpp follows these functions line for line.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { LABELING_KERNELS } from '../../../kernels/labeling/labeling-kernels.js';
import { philox4x32, seedKey, uniform52 } from '../../../math/random.js';
import { logOf } from '../../../math/random.js';
import { checkTimes, eventEnds, eventStarts, valueError, ValueFault } from './checks.js';

const K = LABELING_KERNELS;

/** The events' bar spans [start, end] (a NaN t1 open to the last bar when `open`). */
function spans(ts: Float64Array, t0: Float64Array, t1: Float64Array, open = true): { starts: Int32Array; ends: Int32Array } {
  checkTimes(ts);
  const starts = eventStarts(ts, t0);
  return { starts, ends: eventEnds(ts, starts, t1, open) };
}

/** The events spanning each bar (into `counts`, n). */
function countInto(starts: Int32Array, ends: Int32Array, counts: Float64Array): void {
  const n = counts.length;
  const delta = new Float64Array(n + 1);
  for (let i = 0; i < starts.length; i++) {
    delta[starts[i]]++;
    delta[ends[i] + 1]--;
  }
  let c = 0;
  for (let j = 0; j < n; j++) counts[j] = c += delta[j];
}

export function referenceConcurrentEvents(ts: Float64Array, t0: Float64Array, t1: Float64Array): Float64Array {
  const { starts, ends } = spans(ts, t0, t1);
  const { out } = allocateOutputs(K.concurrentEvents, ts, t0, t1);
  countInto(starts, ends, out);
  return out;
}

/** Each event's mean of 1 / concurrency over its bars, into `out`. */
function uniquenessInto(n: number, starts: Int32Array, ends: Int32Array, out: Float64Array): void {
  const unique = new Float64Array(n);
  countInto(starts, ends, unique);
  for (let j = 0; j < n; j++) unique[j] = 1 / unique[j]; // each bar's 1 / concurrency, once
  for (let i = 0; i < starts.length; i++) {
    let sum = 0;
    for (let j = starts[i]; j <= ends[i]; j++) sum += unique[j];
    out[i] = sum / (ends[i] - starts[i] + 1);
  }
}

export function referenceAverageUniqueness(ts: Float64Array, t0: Float64Array, t1: Float64Array): Float64Array {
  const { starts, ends } = spans(ts, t0, t1);
  const { out } = allocateOutputs(K.averageUniqueness, ts, t0, t1);
  uniquenessInto(ts.length, starts, ends, out);
  return out;
}

export function referenceReturnWeights(ts: Float64Array, close: Float64Array, t0: Float64Array, t1: Float64Array): Float64Array {
  const { starts, ends } = spans(ts, t0, t1);
  const { out } = allocateOutputs(K.returnWeights, ts, close, t0, t1);
  const n = ts.length;
  const counts = new Float64Array(n);
  countInto(starts, ends, counts);
  let total = 0;
  for (let i = 0; i < starts.length; i++) {
    let sum = 0;
    for (let j = Math.max(starts[i], 1); j <= ends[i]; j++) {
      const r = logOf(close[j]) - logOf(close[j - 1]);
      if (r === r) sum += r / counts[j];
    }
    out[i] = Math.abs(sum);
    total += out[i];
  }
  const scale = starts.length / total;
  for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}

export function referenceTimeDecayWeights(ts: Float64Array, t0: Float64Array, t1: Float64Array, decay: number): Float64Array {
  const { starts, ends } = spans(ts, t0, t1);
  const { out } = allocateOutputs(K.timeDecayWeights, ts, t0, t1, decay);
  const m = starts.length;
  if (m === 0) return out;
  uniquenessInto(ts.length, starts, ends, out);
  for (let i = 1; i < m; i++) out[i] += out[i - 1];
  const last = out[m - 1];
  const slope = decay >= 0 ? (1 - decay) / last : 1 / ((decay + 1) * last);
  const c = 1 - slope * last;
  for (let i = 0; i < m; i++) {
    const w = c + slope * out[i];
    out[i] = w < 0 ? 0 : w;
  }
  return out;
}

export function referenceIndicatorMatrix(ts: Float64Array, t0: Float64Array, t1: Float64Array, first: number, rows: number): Float64Array {
  const { starts, ends } = spans(ts, t0, t1, false);
  const m = starts.length;
  let last = -1;
  for (let i = 0; i < m; i++) if (ends[i] > last) last = ends[i];
  const expected = m === 0 ? 0 : last - starts[0] + 1;
  if (rows !== expected || (m > 0 && first !== starts[0])) throw valueError(ValueFault.INDICATOR_ROWS, rows, expected);
  const { out, views } = allocateOutputs(K.indicatorMatrix, ts, t0, t1, first, rows);
  for (let r = 0; r < rows; r++) views.times[r] = ts[first + r];
  for (let i = 0; i < m; i++) {
    for (let j = starts[i]; j <= ends[i]; j++) views.values[(j - first) * m + i] = 1;
  }
  return out;
}

const block = new Uint32Array(4);

/**
 * Draw d's uniform in (0, 1): Philox4x32-10 at counter (d mod 2^32, floor(d / 2^32), 0, 0) under the
 * seed's key, its first two words (src/math/random.ts).
 */
export function bootstrapUniform(k0: number, k1: number, d: number): number {
  philox4x32(d % 4294967296, Math.floor(d / 4294967296), 0, 0, k0, k1, block);
  return uniform52(block[0], block[1]);
}

export function referenceSequentialBootstrap(
  indicator: Float64Array,
  rows: number,
  cols: number,
  samples: number,
  seed: number,
): Float64Array {
  for (let i = 0; i < indicator.length; i++) {
    const v = indicator[i];
    if (!(v >= 0 && v < Infinity)) throw valueError(ValueFault.INDICATOR, i, v);
  }
  if (samples > 0 && cols === 0) throw valueError(ValueFault.INDICATOR, 0, NaN);
  const { out } = allocateOutputs(K.sequentialBootstrap, indicator, rows, cols, samples, seed);
  const [k0, k1] = seedKey(seed);
  const concurrency = new Float64Array(rows);
  const uniqueness = new Float64Array(cols);
  for (let d = 0; d < samples; d++) {
    // each column's average uniqueness given the draws so far (mlfinlab's _bootstrap_loop_run: a running mean)
    let total = 0;
    for (let c = 0; c < cols; c++) {
      let mean = 0;
      let count = 0;
      for (let r = 0; r < rows; r++) {
        const v = indicator[r * cols + c];
        if (v > 0) {
          mean = (mean * count + v / (v + concurrency[r])) / (count + 1);
          count++;
        }
      }
      uniqueness[c] = mean;
      total += mean;
    }
    // numpy's choice: the first column whose cumulative probability exceeds the uniform
    const u = bootstrapUniform(k0, k1, d);
    let choice = cols - 1;
    if (total > 0) {
      const target = u * total;
      let cumulative = 0;
      for (let c = 0; c < cols; c++) {
        cumulative += uniqueness[c];
        if (cumulative > target) {
          choice = c;
          break;
        }
      }
    } else {
      choice = Math.min(cols - 1, Math.floor(u * cols));
    }
    out[d] = choice;
    for (let r = 0; r < rows; r++) concurrency[r] += indicator[r * cols + choice];
  }
  return out;
}
