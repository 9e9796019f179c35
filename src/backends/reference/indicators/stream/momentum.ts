/**
 * ../momentum.ts and ../oscillators.ts as machines (machine.ts): RSI, MACD, MOM, ROC, the range
 * trackers of STOCH, STOCHF, WILLR and AROON, CCI and ULTOSC, in the batch's order of operations.
 */
import { isZero } from '../columns.js';
import { emaMachine } from './averages.js';
import type { SeriesMachine, Stateful } from './machine.js';

/** TA_RSI: Wilder's averages of gains and losses, seeded by their means over the first `period` moves. */
export function rsiMachine(period: number): SeriesMachine {
  const s = { t: 0, prev: 0, gain: 0, loss: 0 };
  return {
    s,
    parts: [],
    step(x) {
      const t = s.t++;
      if (t === 0) {
        s.prev = x;
        return undefined;
      }
      const move = x - s.prev;
      s.prev = x;
      if (t > period) {
        s.loss *= period - 1;
        s.gain *= period - 1;
      }
      if (move < 0) s.loss -= move;
      else s.gain += move;
      if (t < period) return undefined;
      s.loss /= period;
      s.gain /= period;
      const sum = s.gain + s.loss;
      return !isZero(sum) ? 100 * (s.gain / sum) : 0;
    },
  };
}

/** TA_MACD: [macd, signal, hist], the fast EMA seeded where the slow one starts; undefined before all three. */
export function macdMachine(fastPeriod: number, slowPeriod: number, signalPeriod: number) {
  const [fast, slow] = slowPeriod < fastPeriod ? [slowPeriod, fastPeriod] : [fastPeriod, slowPeriod];
  const slowEma = emaMachine(slow);
  const fastEma = emaMachine(fast, slow - 1);
  const signalEma = emaMachine(signalPeriod);
  return {
    s: {},
    parts: [slowEma, fastEma, signalEma],
    step(x: number): readonly [number, number, number] | undefined {
      const se = slowEma.step(x);
      const fe = fastEma.step(x);
      if (se === undefined || fe === undefined) return undefined;
      const line = fe - se;
      const signal = signalEma.step(line);
      return signal === undefined ? undefined : [line, signal, line - signal];
    },
  };
}

/** The value `period` bars back and the bar's (TA_MOM, TA_ROC): f(x, before) from bar `period` on. */
export function lagMachine(period: number, f: (x: number, before: number) => number): SeriesMachine {
  const s = { t: 0, ring: new Float64Array(period) };
  return {
    s,
    parts: [],
    step(x) {
      const t = s.t++;
      const before = s.ring[t % period];
      s.ring[t % period] = x;
      return t < period ? undefined : f(x, before);
    },
  };
}

/** A tracker of the extremes of the last bars: its state and `step(high, low)`, true once it has a window. */
export interface Extremes extends Stateful {
  readonly s: { lowest: number; highest: number; lowestIdx: number; highestIdx: number; diff: number; t: number } & Record<
    string,
    number | Float64Array
  >;
  step(high: number, low: number): boolean;
}

/**
 * oscillators.ts' `extremes` over the last `period` bars (STOCH, STOCHF, WILLR): the lowest low,
 * the highest high and diff = (highest - lowest) / divisor as TA-Lib last computed it.
 */
export function rangeMachine(period: number, divisor: number): Extremes {
  const s = {
    t: 0,
    lowestIdx: -1,
    highestIdx: -1,
    lowest: 0,
    highest: 0,
    diff: 0,
    lows: new Float64Array(period),
    highs: new Float64Array(period),
  };
  return {
    s,
    parts: [],
    step(high, low) {
      const today = s.t++;
      s.lows[today % period] = low;
      s.highs[today % period] = high;
      if (today < period - 1) return false;
      const trailing = today - period + 1;
      let tmp = low;
      if (s.lowestIdx < trailing) {
        s.lowestIdx = trailing;
        s.lowest = s.lows[trailing % period];
        for (let i = trailing + 1; i <= today; i++) {
          tmp = s.lows[i % period];
          if (tmp < s.lowest) {
            s.lowestIdx = i;
            s.lowest = tmp;
          }
        }
        s.diff = (s.highest - s.lowest) / divisor;
      } else if (tmp <= s.lowest) {
        s.lowestIdx = today;
        s.lowest = tmp;
        s.diff = (s.highest - s.lowest) / divisor;
      }
      tmp = high;
      if (s.highestIdx < trailing) {
        s.highestIdx = trailing;
        s.highest = s.highs[trailing % period];
        for (let i = trailing + 1; i <= today; i++) {
          tmp = s.highs[i % period];
          if (tmp > s.highest) {
            s.highestIdx = i;
            s.highest = tmp;
          }
        }
        s.diff = (s.highest - s.lowest) / divisor;
      } else if (tmp >= s.highest) {
        s.highestIdx = today;
        s.highest = tmp;
        s.diff = (s.highest - s.lowest) / divisor;
      }
      return true;
    },
  };
}

/** momentum.ts' `aroonExtremes`: the latest lowest low and highest high of the last period + 1 bars (ties to the latest). */
export function aroonMachine(period: number): Extremes {
  const m = period + 1;
  const s = { t: 0, lowestIdx: -1, highestIdx: -1, lowest: 0, highest: 0, diff: 0, lows: new Float64Array(m), highs: new Float64Array(m) };
  return {
    s,
    parts: [],
    step(high, low) {
      const today = s.t++;
      s.lows[today % m] = low;
      s.highs[today % m] = high;
      if (today < period) return false;
      const trailing = today - period;
      let tmp = low;
      if (s.lowestIdx < trailing) {
        s.lowestIdx = trailing;
        s.lowest = s.lows[trailing % m];
        for (let i = trailing + 1; i <= today; i++) {
          tmp = s.lows[i % m];
          if (tmp <= s.lowest) {
            s.lowestIdx = i;
            s.lowest = tmp;
          }
        }
      } else if (tmp <= s.lowest) {
        s.lowestIdx = today;
        s.lowest = tmp;
      }
      tmp = high;
      if (s.highestIdx < trailing) {
        s.highestIdx = trailing;
        s.highest = s.highs[trailing % m];
        for (let i = trailing + 1; i <= today; i++) {
          tmp = s.highs[i % m];
          if (tmp >= s.highest) {
            s.highestIdx = i;
            s.highest = tmp;
          }
        }
      } else if (tmp >= s.highest) {
        s.highestIdx = today;
        s.highest = tmp;
      }
      return true;
    },
  };
}

/** TA_CCI over TA-Lib's circular buffer of typical prices, summed in the buffer's order. */
export function cciMachine(period: number) {
  const s = { t: 0, at: 0, ring: new Float64Array(period) };
  return {
    s,
    parts: [],
    step(high: number, low: number, close: number): number | undefined {
      const t = s.t++;
      const last = (high + low + close) / 3;
      const ring = s.ring;
      ring[s.at] = last;
      s.at = s.at + 1 > period - 1 ? 0 : s.at + 1;
      if (t < period - 1) return undefined;
      let average = 0;
      for (let j = 0; j < period; j++) average += ring[j];
      average /= period;
      let deviation = 0;
      for (let j = 0; j < period; j++) deviation += Math.abs(ring[j] - average);
      const distance = last - average;
      return distance !== 0 && deviation !== 0 ? distance / (0.015 * (deviation / period)) : 0;
    },
  };
}

/** TA-Lib's true range of a bar after the first (volatility.ts' trueRange). */
export function trueRange(high: number, low: number, prevClose: number): number {
  let greatest = high - low;
  const up = Math.abs(prevClose - high);
  if (up > greatest) greatest = up;
  const down = Math.abs(prevClose - low);
  if (down > greatest) greatest = down;
  return greatest;
}

/** TA_ULTOSC: the running sums of buying pressure and true range over the three sorted periods. */
export function ultoscMachine(period1: number, period2: number, period3: number) {
  const periods = [period1, period2, period3].sort((a, b) => a - b);
  const start = periods[2];
  const s = {
    t: 0,
    prevClose: 0,
    a: new Float64Array(3),
    b: new Float64Array(3),
    bps: new Float64Array(start),
    trs: new Float64Array(start),
  };
  return {
    s,
    parts: [],
    step(high: number, low: number, close: number): number | undefined {
      const t = s.t++;
      const prev = s.prevClose;
      s.prevClose = close;
      if (t === 0) return undefined;
      const trueLow = low < prev ? low : prev;
      const bp = close - trueLow;
      const tr = trueRange(high, low, prev);
      s.bps[t % start] = bp;
      s.trs[t % start] = tr;
      const { a, b } = s;
      if (t < start) {
        for (let k = 0; k < 3; k++) {
          if (t < start - periods[k] + 1) continue;
          a[k] += bp;
          b[k] += tr;
        }
        return undefined;
      }
      for (let k = 0; k < 3; k++) a[k] += bp;
      for (let k = 0; k < 3; k++) b[k] += tr;
      let output = 0;
      if (!isZero(b[0])) output += 4 * (a[0] / b[0]);
      if (!isZero(b[1])) output += 2 * (a[1] / b[1]);
      if (!isZero(b[2])) output += a[2] / b[2];
      for (let k = 0; k < 3; k++) {
        const old = (t - periods[k] + 1) % start;
        a[k] -= s.bps[old];
        b[k] -= s.trs[old];
      }
      return 100 * (output / 7);
    },
  };
}
