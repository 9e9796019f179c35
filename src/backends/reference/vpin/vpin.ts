/**
 * Reference implementation of the VPIN family: plain TypeScript, clarity first. It is the oracle the
 * parity suite holds every other backend to; the C++ of native/kernels/vpin/vpin.hpp (vpin_bars.cpp,
 * vpin_classify.cpp, vpin_stream.cpp...) follows it step by step (same order of floating-point
 * operations), so the two agree to rounding.
 */
import { referenceAggregateTrades, referencePin, referencePinLikelihood } from './pin.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import { referenceClassifyQuotes, referenceClassifyTrades } from './classify.js';
import { normalCdf, studentTCdf } from '../../../math/special.js';
import {
  BUCKET_COLUMNS,
  MAX_BUCKETS_PER_CALL,
  SIGMA_EWMA,
  SIGMA_ROLLING,
  SIGMA_SAMPLE,
  type ClassifyParams,
  type TimeBars,
  type VpinBuckets,
  type VpinFamily,
  type VpinParams,
} from '../../../kernels/vpin/vpin.js';

/** A closed time bar. `buy` is the buy volume of the per-trade classifiers ('tick', labels). */
interface Bar {
  index: number;
  open: number;
  close: number;
  volume: number;
  buy: number;
  count: number;
  /** Timestamps of the bar's first and last trades. */
  firstTs: number;
  lastTs: number;
}

/** What aggregation carries from one batch of trades to the next. */
interface TradeState {
  /** The bar still open (trades may still arrive in it), or null. */
  bar: Bar | null;
  /** Timestamp of the last trade seen (-Infinity before the first). */
  lastTs: number;
  /** Bars with index <= this were closed by flush(); trades may not reopen them. */
  closedBarIndex: number;
  /** Tick rule: last price (NaN before the first trade) and last non-zero sign (0 before). */
  lastPrice: number;
  lastSign: number;
}

function newTradeState(): TradeState {
  return { bar: null, lastTs: -Infinity, closedBarIndex: -Infinity, lastPrice: NaN, lastSign: 0 };
}

/**
 * Aggregates trades into time bars. Works on a copy of `state` and returns it with the bars the trades
 * closed, so that a bad trade (thrown before anything is returned) leaves the caller's state unchanged.
 * A trade belongs to the open bar while ts < (index + 1) * barMs; otherwise it opens bar
 * floor(ts / barMs). Each bar's buy volume: by the tick rule (`tick`), or by the sign of each trade's
 * label (`labels`: + the whole volume, - none, 0 half).
 */
function aggregate(
  input: TradeState,
  barMs: number,
  tick: boolean,
  ts: Float64Array,
  price: Float64Array,
  volume: Float64Array,
  labels?: Int8Array,
): { state: TradeState; closed: Bar[] } {
  const state: TradeState = { ...input, bar: input.bar && { ...input.bar } };
  const closed: Bar[] = [];
  let barEnd = state.bar ? (state.bar.index + 1) * barMs : -Infinity;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const p = price[i];
    const v = volume[i];
    if (!(t >= state.lastTs)) {
      throw inputFault(Number.isNaN(t) ? Fault.TS_NOT_FINITE : Fault.TS_DECREASING, i, t, state.lastTs);
    }
    if (!(t < barEnd)) {
      if (!Number.isFinite(t)) throw inputFault(Fault.TS_NOT_FINITE, i, t, state.lastTs);
      const index = Math.floor(t / barMs);
      if (!Number.isFinite(index)) throw inputFault(Fault.TS_BAR_OUT_OF_RANGE, i, t, barMs);
      if (index <= state.closedBarIndex) throw inputFault(Fault.TS_IN_CLOSED_BAR, i, t, state.lastTs);
      if (state.bar) {
        state.bar.lastTs = state.lastTs;
        closed.push(state.bar);
      }
      state.bar = { index, open: p, close: p, volume: 0, buy: 0, count: 0, firstTs: t, lastTs: t };
      barEnd = (index + 1) * barMs;
    }
    if (!Number.isFinite(p)) throw inputFault(Fault.PRICE_NOT_FINITE, i, p, 0);
    if (!(v >= 0 && v <= Number.MAX_VALUE)) throw inputFault(Fault.VOLUME_INVALID, i, v, 0);
    const bar = state.bar!;
    bar.close = p;
    bar.volume += v;
    bar.count += 1;
    if (tick) {
      // Tick rule: up-tick +1, down-tick -1, unchanged price keeps the last non-zero sign.
      const sign = p > state.lastPrice ? 1 : p < state.lastPrice ? -1 : state.lastSign;
      state.lastSign = sign;
      state.lastPrice = p;
      bar.buy += sign > 0 ? v : sign < 0 ? 0 : 0.5 * v;
    } else if (labels) {
      const label = labels[i];
      bar.buy += label > 0 ? v : label < 0 ? 0 : 0.5 * v;
    }
    state.lastTs = t;
  }
  return { state, closed };
}

/** Closes the open bar (end of data): returns it, and marks its interval closed. */
function closeOpenBar(state: TradeState): Bar[] {
  const bar = state.bar;
  if (!bar) return [];
  bar.lastTs = state.lastTs;
  state.bar = null;
  state.closedBarIndex = bar.index;
  return [bar];
}

/** Price change of bar i: close minus previous close ('close'; the first bar: close - open) or close - open ('intra'). */
export function priceChanges(open: ArrayLike<number>, close: ArrayLike<number>, mode: number): Float64Array {
  const dP = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) {
    dP[i] = mode === 0 && i > 0 ? close[i] - close[i - 1] : close[i] - open[i];
  }
  return dP;
}

/** Sample standard deviation (ddof 1), two-pass; NaN for fewer than 2 values. */
export function sampleStd(values: ArrayLike<number>, from = 0, to = values.length): number {
  const count = to - from;
  if (count < 2) return NaN;
  // four interleaved sums (value i into sum (i - from) % 4), then (s0 + s1) + (s2 + s3): native's order,
  // four independent chains (a serial sum of 10^6 values waits on each addition)
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    s0 += values[i];
    s1 += values[i + 1];
    s2 += values[i + 2];
    s3 += values[i + 3];
  }
  for (let k = 0; i < to; i++, k++) {
    if (k === 0) s0 += values[i];
    else if (k === 1) s1 += values[i];
    else s2 += values[i];
  }
  const mean = (s0 + s1 + (s2 + s3)) / count;
  const sq = (x: number) => (x - mean) * (x - mean);
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  for (i = from; i + 4 <= to; i += 4) {
    q0 += sq(values[i]);
    q1 += sq(values[i + 1]);
    q2 += sq(values[i + 2]);
    q3 += sq(values[i + 3]);
  }
  for (let k = 0; i < to; i++, k++) {
    if (k === 0) q0 += sq(values[i]);
    else if (k === 1) q1 += sq(values[i]);
    else q2 += sq(values[i]);
  }
  return Math.sqrt((q0 + q1 + (q2 + q3)) / (count - 1));
}

/** The bars bulkClassify reads: finite prices, finite volumes >= 0, else the fault at the first bad one. */
export function checkBars(open: Float64Array, close: Float64Array, volume: Float64Array): void {
  for (let i = 0; i < open.length; i++) {
    if (!Number.isFinite(open[i])) throw inputFault(Fault.OPEN_NOT_FINITE, i, open[i], 0);
    if (!Number.isFinite(close[i])) throw inputFault(Fault.CLOSE_NOT_FINITE, i, close[i], 0);
    if (!(volume[i] >= 0 && volume[i] <= Number.MAX_VALUE)) throw inputFault(Fault.BAR_VOLUME_INVALID, i, volume[i], 0);
  }
}

/** Bulk classification: the buy fraction F(dP / sigma); 0.5 where sigma is 0 or undefined. */
function buyFraction(dP: number, sigma: number, distribution: number, nu: number): number {
  if (!(sigma > 0)) return 0.5;
  const z = dP / sigma;
  if (Number.isNaN(z)) return 0.5;
  return distribution === 0 ? normalCdf(z) : studentTCdf(z, nu);
}

/** Sigma of each bar's dP under the configured rule, with the rolling/EWMA state it needs. */
export class SigmaState {
  ewmaVar = NaN;
  /** dP of the last k bars, oldest first ({ rolling: k }). */
  window: number[] = [];

  constructor(
    readonly kind: number,
    readonly param: number,
    readonly fixed: number,
  ) {}

  /** Sigma for the bar whose price change is dP (it is included). */
  next(dP: number): number {
    if (this.kind === SIGMA_ROLLING) {
      this.window.push(dP);
      if (this.window.length > this.param) this.window.shift();
      return sampleStd(this.window);
    }
    if (this.kind === SIGMA_EWMA) {
      this.ewmaVar = Number.isNaN(this.ewmaVar) ? dP * dP : this.param * this.ewmaVar + (1 - this.param) * (dP * dP);
      return Math.sqrt(this.ewmaVar);
    }
    return this.fixed;
  }
}

/**
 * The VPIN values so far, for the CDF: a sorted multiset with insert-and-rank. Values live in sorted
 * blocks of at most 2 * BLOCK (every value of a block <= every value of the next), so an insertion
 * moves at most 2 * BLOCK values instead of the whole history (a million buckets stay fast).
 */
class RankedHistory {
  private static readonly BLOCK = 512;
  private blocks: number[][] = [];
  size = 0;

  /** Inserts x after the values equal to it; returns how many values are <= x, x included. */
  insert(x: number): number {
    if (this.blocks.length === 0) this.blocks.push([]);
    // The first block whose last value is > x takes x; else the last block.
    let b = 0;
    let before = 0;
    while (b < this.blocks.length - 1 && !(x < this.blocks[b][this.blocks[b].length - 1])) {
      before += this.blocks[b].length;
      b++;
    }
    const block = this.blocks[b];
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (block[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    block.splice(lo, 0, x);
    if (block.length >= 2 * RankedHistory.BLOCK) this.blocks.splice(b + 1, 0, block.splice(RankedHistory.BLOCK));
    this.size += 1;
    return before + lo + 1;
  }

  /** Removes one value equal to x (x must be held). */
  remove(x: number): void {
    // The first block whose last value is >= x holds x (the blocks are ordered).
    let b = 0;
    while (b < this.blocks.length && this.blocks[b][this.blocks[b].length - 1] < x) b++;
    const block = this.blocks[b];
    if (!block) return;
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (block[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    if (block[lo] !== x) return;
    block.splice(lo, 1);
    if (block.length === 0) this.blocks.splice(b, 1);
    this.size -= 1;
  }

  /** All values, ascending. */
  values(): number[] {
    return this.blocks.flat();
  }

  /** Replaces the contents with ascending `values`. */
  assign(values: Float64Array): void {
    this.blocks = [];
    for (let i = 0; i < values.length; i += RankedHistory.BLOCK) {
      this.blocks.push(Array.from(values.subarray(i, i + RankedHistory.BLOCK)));
    }
    this.size = values.length;
  }
}

/**
 * Bar-level state of the VPIN computation: price-change and sigma history, the bucket being filled,
 * the imbalances of the last n - 1 buckets and the sorted history of VPIN values (for the CDF).
 */
class BucketState {
  prevClose = NaN;
  readonly sigma: SigmaState;
  filled = 0;
  bucketBuy = 0;
  bucketCount = 0;
  /**
   * First trade of the open bucket: the first trade of the first bar that poured volume into it (NaN
   * when unknown: a state restored from a version-1 snapshot). Meaningful while `filled > 0`.
   */
  bucketStart = NaN;
  /** |B - S| of the last n - 1 buckets, oldest first. */
  imbalances: number[] = [];
  /** The VPIN values the CDF ranks among: every one so far, or the last cdfWindow. */
  history = new RankedHistory();
  /** cdfWindow > 0: the last cdfWindow VPIN values, a ring (the oldest at cdfHead once full). */
  cdfRing: number[] = [];
  cdfHead = 0;

  constructor(
    readonly params: VpinParams,
    fixedSigma: number,
  ) {
    this.sigma = new SigmaState(params.sigmaKind, params.sigmaParam, fixedSigma);
  }

  /** Buy fraction of a closed bar under the configured classifier. */
  private fraction(bar: Bar): number {
    if (this.params.classifier !== 0) return bar.volume > 0 ? bar.buy / bar.volume : 0.5;
    const dP = this.params.priceChange === 0 && !Number.isNaN(this.prevClose) ? bar.close - this.prevClose : bar.close - bar.open;
    this.prevClose = bar.close;
    return buyFraction(dP, this.sigma.next(dP), this.params.distribution, this.params.nu);
  }

  /** Throws unless these bars can complete at most MAX_BUCKETS_PER_CALL buckets. */
  checkBucketCount(bars: Bar[]): void {
    let total = this.filled;
    for (const bar of bars) total += bar.volume;
    const estimate = total / this.params.bucketVolume;
    if (!(estimate <= MAX_BUCKETS_PER_CALL)) throw inputFault(Fault.TOO_MANY_BUCKETS, 0, Math.ceil(estimate), 0);
  }

  /**
   * Pours closed bars into buckets of V volume; a bar that overflows is split pro rata. A bucket's
   * times are bar-granular: it starts at the first trade of the first bar that pours volume into it and
   * ends at the last trade of the bar that completes it, so a bar split between buckets gives its
   * first trade to the bucket it opens and its last trade to the bucket it completes (and both times to
   * a bucket lying wholly inside it).
   */
  addBars(bars: Bar[], out: BucketRows): void {
    const V = this.params.bucketVolume;
    for (const bar of bars) {
      const f = this.fraction(bar);
      let remaining = bar.volume;
      while (remaining > 0) {
        if (this.filled === 0) this.bucketStart = bar.firstTs; // a bucket opens in this bar
        const need = V - this.filled;
        if (remaining >= need) {
          this.bucketBuy += need * f;
          this.completeBucket(bar.lastTs, out);
          remaining -= need;
        } else {
          this.bucketBuy += remaining * f;
          this.filled += remaining;
          remaining = 0;
        }
      }
    }
  }

  private completeBucket(endTs: number, out: BucketRows): void {
    const { bucketVolume: V, window: n } = this.params;
    const buy = this.bucketBuy;
    const sell = V - buy;
    const imbalance = Math.abs(buy - sell);
    let vpin = NaN;
    let cdf = NaN;
    if (this.bucketCount >= n - 1) {
      let sum = 0;
      for (const x of this.imbalances) sum += x;
      sum += imbalance;
      vpin = sum / (n * V);
      const W = this.params.cdfWindow;
      if (W > 0) {
        // the CDF over the last W values: the oldest leaves first
        if (this.cdfRing.length < W) {
          this.cdfRing.push(vpin);
        } else {
          this.history.remove(this.cdfRing[this.cdfHead]);
          this.cdfRing[this.cdfHead] = vpin;
          this.cdfHead = (this.cdfHead + 1) % W;
        }
      }
      cdf = this.history.insert(vpin) / this.history.size;
    }
    if (n > 1) {
      this.imbalances.push(imbalance);
      if (this.imbalances.length > n - 1) this.imbalances.shift();
    }
    out.push(this.bucketStart, endTs, buy, sell, vpin, cdf);
    this.bucketCount += 1;
    this.filled = 0;
    this.bucketBuy = 0;
  }
}

/** Growable output columns, by name (VPIN_BUCKET_OUTPUTS: BUCKET_COLUMNS in order). */
class BucketRows {
  private columns = Object.fromEntries(BUCKET_COLUMNS.map((key) => [key, [] as number[]])) as Record<keyof VpinBuckets, number[]>;
  push(startTs: number, endTs: number, buy: number, sell: number, vpin: number, cdf: number): void {
    const c = this.columns;
    c.startTs.push(startTs);
    c.endTs.push(endTs);
    c.duration.push(endTs - startTs);
    c.buyVolume.push(buy);
    c.sellVolume.push(sell);
    c.vpin.push(vpin);
    c.cdf.push(cdf);
  }
  finish(): VpinBuckets {
    const out = {} as VpinBuckets;
    for (const key of BUCKET_COLUMNS) out[key] = Float64Array.from(this.columns[key]);
    return out;
  }
}

/** The streaming VPIN machine: trades -> bars -> buckets, with exportable state. */
export class ReferenceVpinStream {
  private trades = newTradeState();
  private buckets: BucketState;

  constructor(
    readonly params: VpinParams,
    fixedSigma = params.sigmaParam,
  ) {
    this.buckets = new BucketState(params, fixedSigma);
  }

  get bucketCount(): number {
    return this.buckets.bucketCount;
  }

  /** `labels`: a label per trade under classifier 2 (labels), and only then. */
  update(ts: Float64Array, price: Float64Array, volume: Float64Array, labels?: Int8Array): VpinBuckets {
    // the labels classifier reads a label per trade; the others read none (native: the same fault)
    if (ts.length > 0 && (this.params.classifier === 2) !== (labels !== undefined)) {
      throw inputFault(Fault.PARAM_INVALID, 3, this.params.classifier, 0, 'vpin');
    }
    const { state, closed } = aggregate(this.trades, this.params.barMs, this.params.classifier === 1, ts, price, volume, labels);
    return this.commit(state, closed);
  }

  flush(): VpinBuckets {
    const state: TradeState = { ...this.trades, bar: this.trades.bar && { ...this.trades.bar } };
    return this.commit(state, closeOpenBar(state));
  }

  private commit(state: TradeState, closed: Bar[]): VpinBuckets {
    this.buckets.checkBucketCount(closed);
    this.trades = state;
    const out = new BucketRows();
    this.buckets.addBars(closed, out);
    return out.finish();
  }

  /** The state as numbers (layout at `exportVpinState`); `history` false: without the CDF history. */
  exportState(history = true): Float64Array {
    return exportVpinState(this.trades, this.buckets, history);
  }

  importState(state: Float64Array): void {
    const buckets = new BucketState(this.params, this.buckets.sigma.fixed);
    this.trades = importVpinState(state, this.params, buckets);
    this.buckets = buckets;
  }
}

/** Number of scalars before the variable-length parts of the state vector. */
export const VPIN_STATE_HEADER = 22;

/**
 * State vector (identical layout in native/kernels/vpin/vpin_state.cpp, so snapshots move between backends):
 *  0 hasBar, 1 barIndex, 2 barOpen, 3 barClose, 4 barVolume, 5 barBuy, 6 barCount,
 *  7 lastTs, 8 closedBarIndex, 9 lastPrice, 10 lastSign, 11 prevClose, 12 ewmaVar,
 *  13 filled, 14 bucketBuy, 15 bucketCount, 16 cdfWindow (0: 'all'; snapshots before it had 0 here),
 *  17 L1 = dP window length, 18 L2 = imbalance count, 19 L3 = history length,
 *  20 barFirstTs (the open bar's first trade), 21 bucketStart (the open bucket's first trade, 0 when
 *  it is empty; NaN when unknown),
 *  then L1 dP values (oldest first), L2 imbalances (oldest first), L3 VPIN values (ascending when
 *  cdfWindow is 0; else the last cdfWindow, oldest first). Exported without the history, L3 is 0.
 * Version-1 snapshots (20 values before the lists: no 20 and 21) are read with 20 and 21 NaN
 * (decodeSnapshot in kernels/vpin/vpin-snapshot.ts).
 */
function exportVpinState(trades: TradeState, b: BucketState, history: boolean): Float64Array {
  const bar = trades.bar;
  const head = [
    bar ? 1 : 0,
    bar?.index ?? 0,
    bar?.open ?? 0,
    bar?.close ?? 0,
    bar?.volume ?? 0,
    bar?.buy ?? 0,
    bar?.count ?? 0,
    trades.lastTs,
    trades.closedBarIndex,
    trades.lastPrice,
    trades.lastSign,
    b.prevClose,
    b.sigma.ewmaVar,
    b.filled,
    b.bucketBuy,
    b.bucketCount,
    b.params.cdfWindow,
    b.sigma.window.length,
    b.imbalances.length,
    history ? b.history.size : 0,
    bar?.firstTs ?? 0,
    b.filled > 0 ? b.bucketStart : 0,
  ];
  const ring = b.cdfRing.length < b.params.cdfWindow ? b.cdfRing : [...b.cdfRing.slice(b.cdfHead), ...b.cdfRing.slice(0, b.cdfHead)];
  const values = !history ? [] : b.params.cdfWindow > 0 ? ring : b.history.values();
  return Float64Array.from([...head, ...b.sigma.window, ...b.imbalances, ...values]);
}

/** Reads a state vector into `buckets` and returns the trade state; throws on an inconsistent vector. */
function importVpinState(s: Float64Array, params: VpinParams, buckets: BucketState): TradeState {
  const bad = (index: number): never => {
    throw inputFault(Fault.STATE_INVALID, index, s[index], 0);
  };
  if (s.length < VPIN_STATE_HEADER) throw inputFault(Fault.STATE_INVALID, s.length, NaN, 0);
  const isCount = (x: number) => Number.isInteger(x) && x >= 0;
  for (const i of [0, 6, 15, 17, 18, 19]) if (!isCount(s[i])) bad(i);
  if (s[0] > 1) bad(0);
  if (!(s[4] >= 0 && s[4] <= Number.MAX_VALUE)) bad(4); // the open bar's volume
  if (!(s[10] === -1 || s[10] === 0 || s[10] === 1)) bad(10); // the carried tick sign
  const [l1, l2, l3] = [s[17], s[18], s[19]];
  const maxWindow = params.sigmaKind === SIGMA_ROLLING ? params.sigmaParam : 0;
  if (l1 > maxWindow) bad(17);
  if (l2 > params.window - 1) bad(18);
  if (l3 > s[15]) bad(19);
  const W = params.cdfWindow;
  if (s[16] !== W) bad(16); // a snapshot of a stream with this cdfWindow
  if (W > 0 && l3 > s[16]) bad(19);
  if (s.length !== VPIN_STATE_HEADER + l1 + l2 + l3) bad(19);
  const h = VPIN_STATE_HEADER + l1 + l2;
  for (let i = h + 1; i < s.length; i++) if (W > 0 ? Number.isNaN(s[i]) : !(s[i - 1] <= s[i])) bad(i); // windowed: oldest first
  if (W > 0 && s.length > h && Number.isNaN(s[h])) bad(h);
  if (!(s[13] >= 0 && s[13] < params.bucketVolume)) bad(13);
  // the open bar's and the open bucket's first trades: finite and at or before the last trade, or NaN (unknown)
  const firstTrade = (x: number) => Number.isNaN(x) || (Number.isFinite(x) && x <= s[7]);
  if (s[0] === 1 && !firstTrade(s[20])) bad(20);
  if (s[13] > 0 && !firstTrade(s[21])) bad(21);
  buckets.prevClose = s[11];
  buckets.sigma.ewmaVar = s[12];
  buckets.filled = s[13];
  buckets.bucketBuy = s[14];
  buckets.bucketCount = s[15];
  buckets.bucketStart = s[21];
  buckets.sigma.window = Array.from(s.subarray(VPIN_STATE_HEADER, VPIN_STATE_HEADER + l1));
  buckets.imbalances = Array.from(s.subarray(VPIN_STATE_HEADER + l1, h));
  if (W > 0) {
    buckets.cdfRing = Array.from(s.subarray(h));
    buckets.cdfHead = 0;
    buckets.history.assign(Float64Array.from(buckets.cdfRing).sort());
  } else {
    buckets.history.assign(s.subarray(h));
  }
  return {
    bar: s[0] === 1 ? { index: s[1], open: s[2], close: s[3], volume: s[4], buy: s[5], count: s[6], firstTs: s[20], lastTs: s[7] } : null,
    lastTs: s[7],
    closedBarIndex: s[8],
    lastPrice: s[9],
    lastSign: s[10],
  };
}

/** The reference VPIN family, in the shape every backend implements. */
export const referenceVpin = {
  timeBars(ts: Float64Array, price: Float64Array, volume: Float64Array, barMs: number): TimeBars {
    const { state, closed } = aggregate(newTradeState(), barMs, false, ts, price, volume);
    const bars = closed.concat(closeOpenBar(state));
    return {
      start: Float64Array.from(bars, (b) => b.index * barMs),
      open: Float64Array.from(bars, (b) => b.open),
      close: Float64Array.from(bars, (b) => b.close),
      volume: Float64Array.from(bars, (b) => b.volume),
      count: Float64Array.from(bars, (b) => b.count),
    };
  },

  tickRule(price: Float64Array, out = new Int8Array(price.length)): Int8Array {
    let last = NaN;
    let sign = 0;
    for (let i = 0; i < price.length; i++) {
      const p = price[i];
      if (!Number.isFinite(p)) throw inputFault(Fault.PRICE_ARG_NOT_FINITE, i, p, 0);
      sign = p > last ? 1 : p < last ? -1 : sign;
      out[i] = sign;
      last = p;
    }
    return out;
  },

  classifyTrades: referenceClassifyTrades,
  classifyQuotes: referenceClassifyQuotes,
  aggregateTrades: referenceAggregateTrades,
  pinLikelihood: referencePinLikelihood,
  pin: referencePin,

  bulkClassify(
    open: Float64Array,
    close: Float64Array,
    volume: Float64Array,
    params: ClassifyParams,
    buy = new Float64Array(open.length),
  ): Float64Array {
    checkBars(open, close, volume);
    const dP = priceChanges(open, close, params.priceChange);
    const fixed = params.sigmaKind === SIGMA_SAMPLE ? sampleStd(dP) : params.sigmaParam;
    const sigma = new SigmaState(params.sigmaKind, params.sigmaParam, fixed);
    for (let i = 0; i < open.length; i++) {
      buy[i] = volume[i] * buyFraction(dP[i], sigma.next(dP[i]), params.distribution, params.nu);
    }
    return buy;
  },

  vpin(ts: Float64Array, price: Float64Array, volume: Float64Array, params: VpinParams, labels?: Int8Array): VpinBuckets {
    let fixedSigma = params.sigmaParam;
    if (params.classifier === 0 && params.sigmaKind === SIGMA_SAMPLE) {
      const bars = referenceVpin.timeBars(ts, price, volume, params.barMs);
      fixedSigma = sampleStd(priceChanges(bars.open, bars.close, params.priceChange));
    }
    const stream = new ReferenceVpinStream(params, fixedSigma);
    const a = stream.update(ts, price, volume, labels);
    const b = stream.flush();
    return concatBuckets(a, b);
  },

  vpinStream(params: VpinParams): ReferenceVpinStream {
    return new ReferenceVpinStream(params);
  },
} satisfies VpinFamily;

/** Concatenates bucket rows (used to join update() and flush() output). */
export function concatBuckets(...parts: VpinBuckets[]): VpinBuckets {
  const out = {} as VpinBuckets;
  for (const key of BUCKET_COLUMNS) {
    const column = new Float64Array(parts.reduce((n, p) => n + p[key].length, 0));
    let at = 0;
    for (const p of parts) {
      column.set(p[key], at);
      at += p[key].length;
    }
    out[key] = column;
  }
  return out;
}
