/**
 * A small log-bucketed histogram for the hot path (publish latency, batch sizes, engine latency):
 * constant memory, O(1) record, no dependency.
 */
import { KernelInputError, describeValue } from '../errors.js';

/** Sub-buckets per power of two: percentiles are within 1/16 (6.25 %) above the true value. */
const SUB_BITS = 4;
const SUB_BUCKETS = 1 << SUB_BITS;
/** Powers of two covered above the resolution (2^40 resolutions: 12 days in microseconds). */
const OCTAVES = 40;
/** A float64's bits, as two u32 words: record() reads a value's exponent and mantissa from its high word. */
const bits = new Float64Array(1);
const bits32 = new Uint32Array(bits.buffer);
const HIGH_WORD = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

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
 * Exponential bucket bounds for a Prometheus histogram: `count` upper bounds `start * factor^i`, in the
 * histogram's unit (the +Inf bucket is implied).
 */
export interface ExponentialBuckets {
  start: number;
  factor: number;
  count: number;
}

/** Latencies in ms: 10 us .. 10.5 s, doubling (21 bounds), exposed in seconds. */
export const LATENCY_BUCKETS_MS: ExponentialBuckets = { start: 0.01, factor: 2, count: 21 };
/** Rows per frame: 1 .. 65,536, doubling (17 bounds). */
export const SIZE_BUCKETS: ExponentialBuckets = { start: 1, factor: 2, count: 17 };

/** A histogram's fixed buckets, as Prometheus exposes them: cumulative counts per upper bound. */
export interface HistogramBuckets {
  /** Upper bounds, ascending, in the histogram's unit (the +Inf bucket is `count`). */
  bounds: readonly number[];
  /** Cumulative counts: values <= bounds[i]. */
  cumulative: number[];
  count: number;
  sum: number;
}

/** The bounds of `b`, rounded to 12 significant digits (1e-5 * 2^k prints as 0.00064, not 0.0006400000000000001). */
export function bucketBounds(b: ExponentialBuckets): number[] {
  return Array.from({ length: b.count }, (_, i) => Number((b.start * b.factor ** i).toPrecision(12)));
}

/**
 * A histogram of non-negative values with logarithmic buckets: constant memory, O(1) record,
 * percentiles reported as the upper edge of their bucket (at most 6.25 % high), never above `max`.
 * Values below `resolution` share the first bucket. With `buckets`, it also counts the values per
 * fixed exponential bucket, for a Prometheus histogram (buckets()).
 */
export class Histogram {
  private readonly counts = new Float64Array(1 + OCTAVES * SUB_BUCKETS);
  private readonly resolution: number;
  private readonly bounds: number[];
  private readonly fixed: Float64Array;
  /** log2(resolution / start): log2(v / start) = log2(v / resolution) + this. */
  private readonly fixedOffset: number;
  private readonly fixedLog2Factor: number;
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  /**
   * `resolution`: the smallest value told apart from 0 (e.g. 0.001 for milliseconds to 1 us);
   * `buckets`: the fixed buckets counted for buckets() (default LATENCY_BUCKETS_MS).
   */
  constructor(resolution = 0.001, buckets: ExponentialBuckets = LATENCY_BUCKETS_MS) {
    if (!(resolution > 0)) throw new KernelInputError('resolution', 'a number > 0', describeValue(resolution));
    if (!(buckets.start > 0) || !(buckets.factor > 1) || !Number.isInteger(buckets.count) || buckets.count < 1)
      throw new KernelInputError('buckets', 'start > 0, factor > 1 and an integer count >= 1', describeValue(buckets));
    this.resolution = resolution;
    this.bounds = bucketBounds(buckets);
    this.fixed = new Float64Array(buckets.count + 1);
    this.fixedOffset = Math.log2(resolution / buckets.start);
    this.fixedLog2Factor = Math.log2(buckets.factor);
  }

  /** Records `value` (NaN and negatives count as 0) `weight` times. */
  record(value: number, weight = 1): void {
    const v = value > 0 ? value : 0;
    const units = v / this.resolution;
    let index = 0;
    // log2(units) from its bits: the exponent is the fine bucket's octave, the mantissa's top SUB_BITS
    // its sub-bucket (exactly floor((units / 2^octave - 1) * SUB_BUCKETS)); exponent + mantissa, a first guess
    // (within 0.09) at log2 for the fixed bucket
    let log2 = Number.NEGATIVE_INFINITY;
    if (units >= 1) {
      bits[0] = units;
      const high = bits32[HIGH_WORD];
      const octave = (high >>> 20) - 1023;
      index = Math.min(this.counts.length - 1, 1 + octave * SUB_BUCKETS + ((high >>> (20 - SUB_BITS)) & (SUB_BUCKETS - 1)));
      log2 = octave + (high & 0xfffff) / 0x100000;
    } else if (units > 0) log2 = Math.log2(units);
    this.counts[index] += weight;
    const bounds = this.bounds;
    let j = 0;
    if (v > bounds[0]) {
      // the smallest j with v <= bounds[j] (bounds.length: above them all), from log2(v / start) / log2(factor)
      j = Math.min(bounds.length, Math.max(1, Math.ceil((log2 + this.fixedOffset) / this.fixedLog2Factor)));
      while (j > 1 && v <= bounds[j - 1]) j--;
      while (j < bounds.length && v > bounds[j]) j++;
    }
    this.fixed[j] += weight;
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

  /** Cumulative counts per fixed bucket, with count and sum (a Prometheus histogram's samples). */
  buckets(): HistogramBuckets {
    const cumulative: number[] = new Array(this.bounds.length);
    let seen = 0;
    for (let i = 0; i < this.bounds.length; i++) cumulative[i] = seen += this.fixed[i];
    return { bounds: this.bounds, cumulative, count: this.count, sum: this.sum };
  }

  /**
   * Adds `other`'s values (a histogram of the same resolution and buckets: KernelInputError otherwise):
   * a total read now and then from histograms recorded apart (the bus's delivery latency, from its buses').
   */
  add(other: Histogram): this {
    if (other.resolution !== this.resolution || other.fixed.length !== this.fixed.length)
      throw new KernelInputError('other', 'a histogram of the same resolution and buckets', `resolution ${other.resolution}`);
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    for (let i = 0; i < this.fixed.length; i++) this.fixed[i] += other.fixed[i];
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  /** Forgets every value. */
  reset(): void {
    this.fixed.fill(0);
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }
}
