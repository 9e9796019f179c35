/**
 * A small log-bucketed histogram for the hot path (publish latency, batch sizes, engine latency):
 * constant memory, O(1) record, no dependency.
 */
import { KernelInputError } from '../errors.js';
import { describeValue } from '../kernels/validate.js';

/** Sub-buckets per power of two: percentiles are within 1/16 (6.25 %) above the true value. */
const SUB_BUCKETS = 16;
/** Powers of two covered above the resolution (2^40 resolutions: 12 days in microseconds). */
const OCTAVES = 40;

/** Percentiles and moments of a histogram, in the histogram's unit. */
export interface HistogramSnapshot {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/**
 * A histogram of non-negative values with logarithmic buckets: constant memory, O(1) record,
 * percentiles reported as the upper edge of their bucket (at most 6.25 % high), never above `max`.
 * Values below `resolution` share the first bucket.
 */
export class Histogram {
  private readonly counts = new Float64Array(1 + OCTAVES * SUB_BUCKETS);
  private readonly resolution: number;
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  /** `resolution`: the smallest value told apart from 0 (e.g. 0.001 for milliseconds to 1 us). */
  constructor(resolution = 0.001) {
    if (!(resolution > 0)) throw new KernelInputError('resolution', 'a number > 0', describeValue(resolution));
    this.resolution = resolution;
  }

  /** Records `value` (NaN and negatives count as 0) `weight` times. */
  record(value: number, weight = 1): void {
    const v = value > 0 ? value : 0;
    const units = v / this.resolution;
    let index = 0;
    if (units >= 1) {
      const octave = Math.floor(Math.log2(units));
      index = Math.min(this.counts.length - 1, 1 + octave * SUB_BUCKETS + Math.floor((units / 2 ** octave - 1) * SUB_BUCKETS));
    }
    this.counts[index] += weight;
    this.count += weight;
    this.sum += v * weight;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** The value at percentile `p` (0..100); 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = (Math.min(100, Math.max(0, p)) / 100) * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank && this.counts[i] > 0) {
        if (i === 0) return Math.min(this.resolution, this.max);
        const octave = Math.floor((i - 1) / SUB_BUCKETS);
        const sub = (i - 1) % SUB_BUCKETS;
        return Math.min(this.resolution * 2 ** octave * (1 + (sub + 1) / SUB_BUCKETS), this.max);
      }
    }
    return this.max;
  }

  /** Count, mean, min, max and the 50th, 90th, 99th and 99.9th percentiles. */
  snapshot(): HistogramSnapshot {
    return {
      count: this.count,
      mean: this.count ? this.sum / this.count : 0,
      min: this.count ? this.min : 0,
      max: this.max,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }

  /** Forgets every value. */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }
}
