/**
 * ../directional.ts, ../bands-ranges.ts and ../volume.ts as machines (machine.ts): the ADX family,
 * SAR, TRANGE, ATR, NATR, BBANDS' deviation, OBV, AD, ADOSC and MFI, in the batch's order of
 * operations. Each `step` takes the bar's inputs and gives its value, undefined over the warm-up.
 */
import { perToK } from '../averages.js';
import { isZero } from '../columns.js';
import { trueRange } from './momentum.js';

/** directional.ts' `Directional`: Wilder's sums of +DM, -DM and the true range (bar 0 sets the previous bar). */
export function directionalMachine(period: number) {
  const s = { plusDm: 0, minusDm: 0, range: 0, prevHigh: 0, prevLow: 0, prevClose: 0 };
  return {
    s,
    parts: [],
    first(h: number, l: number, c: number) {
      s.prevHigh = h;
      s.prevLow = l;
      s.prevClose = c;
    },
    step(h: number, l: number, c: number, decay: boolean) {
      const diffP = h - s.prevHigh;
      s.prevHigh = h;
      const diffM = s.prevLow - l;
      s.prevLow = l;
      if (decay) {
        s.minusDm -= s.minusDm / period;
        s.plusDm -= s.plusDm / period;
      }
      if (diffM > 0 && diffP < diffM) s.minusDm += diffM;
      else if (diffP > 0 && diffP > diffM) s.plusDm += diffP;
      let tr = h - l;
      const up = Math.abs(h - s.prevClose);
      if (up > tr) tr = up;
      const down = Math.abs(l - s.prevClose);
      if (down > tr) tr = down;
      s.range = decay ? s.range - s.range / period + tr : s.range + tr;
      s.prevClose = c;
    },
    dx(): number | undefined {
      if (isZero(s.range)) return undefined;
      const minusDi = 100 * (s.minusDm / s.range);
      const plusDi = 100 * (s.plusDm / s.range);
      const sum = minusDi + plusDi;
      return isZero(sum) ? undefined : 100 * (Math.abs(minusDi - plusDi) / sum);
    },
  };
}

/** TA_ADX: the mean DX over the first `period` full sums, then Wilder's average of DX. */
export function adxMachine(period: number) {
  const d = directionalMachine(period);
  const s = { t: 0, sumDx: 0, average: 0 };
  return {
    s,
    parts: [d],
    step(h: number, l: number, c: number): number | undefined {
      const t = s.t++;
      if (t === 0) return void d.first(h, l, c);
      d.step(h, l, c, t >= period);
      if (t < period) return undefined;
      const dx = d.dx();
      if (t < 2 * period) {
        if (dx !== undefined) s.sumDx += dx;
        if (t < 2 * period - 1) return undefined;
        s.average = s.sumDx / period;
      } else if (dx !== undefined) s.average = (s.average * (period - 1) + dx) / period;
      return s.average;
    },
  };
}

/** TA_ADXR: (ADX + the ADX period - 1 bars before) / 2, from bar 3 period - 2. */
export function adxrMachine(period: number) {
  const adx = adxMachine(period);
  const s = { t: 0, ring: new Float64Array(period) };
  return {
    s,
    parts: [adx],
    step(h: number, l: number, c: number): number | undefined {
      const t = s.t++;
      const value = adx.step(h, l, c);
      if (value === undefined) return undefined;
      s.ring[t % period] = value;
      return t < 3 * period - 2 ? undefined : (value + s.ring[(t + 1) % period]) / 2;
    },
  };
}

/** TA_PLUS_DI (plus) or TA_MINUS_DI, its period-1 form (DM / TR of the bar) included. */
export function diMachine(period: number, plus: boolean) {
  const d = directionalMachine(period);
  const s = { t: 0 };
  return {
    s,
    parts: [d],
    step(h: number, l: number, c: number): number | undefined {
      const t = s.t++;
      if (t === 0) return void d.first(h, l, c);
      if (period <= 1) {
        const { prevHigh, prevLow, prevClose } = d.s;
        d.first(h, l, c);
        const diffP = h - prevHigh;
        const diffM = prevLow - l;
        const move = plus ? diffP : diffM;
        if (!(move > 0 && move > (plus ? diffM : diffP))) return 0;
        const tr = trueRange(h, l, prevClose);
        return isZero(tr) ? 0 : move / tr;
      }
      d.step(h, l, c, t >= period);
      if (t < period) return undefined;
      return !isZero(d.s.range) ? 100 * ((plus ? d.s.plusDm : d.s.minusDm) / d.s.range) : 0;
    },
  };
}

/** TA_SAR: Wilder's parabolic SAR with TA-Lib's start (bars 0 and 1) and its capped acceleration. */
export function sarMachine(acceleration: number, maximum: number) {
  const step = acceleration > maximum ? maximum : acceleration;
  const s = { t: 0, isLong: 0, ep: 0, value: 0, af: 0, newLow: 0, newHigh: 0, high0: 0, low0: 0 };
  return {
    s,
    parts: [],
    step(high: number, low: number): number | undefined {
      const t = s.t++;
      if (t === 0) {
        s.high0 = high;
        s.low0 = low;
        return undefined;
      }
      if (t === 1) {
        s.af = step;
        const diffP = high - s.high0;
        const diffM = s.low0 - low;
        s.isLong = diffM > 0 && diffP < diffM ? 0 : 1;
        s.ep = s.isLong ? high : low;
        s.value = s.isLong ? s.low0 : s.high0;
        s.newLow = low;
        s.newHigh = high;
      }
      const prevLow = s.newLow;
      const prevHigh = s.newHigh;
      const newLow = (s.newLow = low);
      const newHigh = (s.newHigh = high);
      let out: number;
      if (s.isLong) {
        if (newLow <= s.value) {
          s.isLong = 0;
          s.value = s.ep;
          if (s.value < prevHigh) s.value = prevHigh;
          if (s.value < newHigh) s.value = newHigh;
          out = s.value;
          s.af = step;
          s.ep = newLow;
          s.value = s.value + s.af * (s.ep - s.value);
          if (s.value < prevHigh) s.value = prevHigh;
          if (s.value < newHigh) s.value = newHigh;
        } else {
          out = s.value;
          if (newHigh > s.ep) {
            s.ep = newHigh;
            s.af += step;
            if (s.af > maximum) s.af = maximum;
          }
          s.value = s.value + s.af * (s.ep - s.value);
          if (s.value > prevLow) s.value = prevLow;
          if (s.value > newLow) s.value = newLow;
        }
      } else if (newHigh >= s.value) {
        s.isLong = 1;
        s.value = s.ep;
        if (s.value > prevLow) s.value = prevLow;
        if (s.value > newLow) s.value = newLow;
        out = s.value;
        s.af = step;
        s.ep = newHigh;
        s.value = s.value + s.af * (s.ep - s.value);
        if (s.value > prevLow) s.value = prevLow;
        if (s.value > newLow) s.value = newLow;
      } else {
        out = s.value;
        if (newLow < s.ep) {
          s.ep = newLow;
          s.af += step;
          if (s.af > maximum) s.af = maximum;
        }
        s.value = s.value + s.af * (s.ep - s.value);
        if (s.value < prevHigh) s.value = prevHigh;
        if (s.value < newHigh) s.value = newHigh;
      }
      return out;
    },
  };
}

/**
 * Wilder's average of the true range seeded by the mean of bars 1 .. period (TA_ATR, TA_NATR);
 * a period of 1 is TRANGE, as the batch functions have it.
 */
export function atrMachine(period: number) {
  const s = { t: 0, prevClose: 0, average: 0 };
  return {
    s,
    parts: [],
    step(h: number, l: number, c: number): number | undefined {
      const t = s.t++;
      const prev = s.prevClose;
      s.prevClose = c;
      if (t === 0) return undefined;
      const tr = trueRange(h, l, prev);
      if (period <= 1) return tr;
      if (t <= period) {
        s.average += tr; // the total until bar `period`
        if (t < period) return undefined;
        s.average = s.average / period;
        return s.average;
      }
      s.average *= period - 1;
      s.average += tr;
      s.average /= period;
      return s.average;
    },
  };
}

/** One bar's Chaikin money flow added to `ad` (volume.ts' adStep). */
export function adStep(h: number, l: number, c: number, v: number, ad: number): number {
  const range = h - l;
  return range > 0 ? ad + ((c - l - (h - c)) / range) * v : ad;
}

/** TA_ADOSC: the fast less the slow EMA of the AD line, both seeded by its first value. */
export function adoscMachine(fastPeriod: number, slowPeriod: number) {
  const lookback = (fastPeriod < slowPeriod ? slowPeriod : fastPeriod) - 1;
  const fastK = perToK(fastPeriod);
  const fastRest = 1.0 - fastK;
  const slowK = perToK(slowPeriod);
  const slowRest = 1.0 - slowK;
  const s = { t: 0, line: 0, fast: 0, slow: 0 };
  return {
    s,
    parts: [],
    step(h: number, l: number, c: number, v: number): number | undefined {
      const t = s.t++;
      s.line = adStep(h, l, c, v, s.line);
      if (t === 0) {
        s.fast = s.line;
        s.slow = s.line;
        return undefined;
      }
      s.fast = fastK * s.line + fastRest * s.fast;
      s.slow = slowK * s.line + slowRest * s.slow;
      return t >= lookback ? s.fast - s.slow : undefined;
    },
  };
}

/** TA_MFI: the positive and negative money flows of the last `period` bars in TA-Lib's circular buffer. */
export function mfiMachine(period: number) {
  const s = { t: 0, at: 0, pos: 0, neg: 0, prev: 0, positive: new Float64Array(period), negative: new Float64Array(period) };
  return {
    s,
    parts: [],
    step(h: number, l: number, c: number, v: number): number | undefined {
      const t = s.t++;
      let typical = (h + l + c) / 3.0;
      if (t === 0) {
        s.prev = typical;
        return undefined;
      }
      if (t > period) {
        s.pos -= s.positive[s.at];
        s.neg -= s.negative[s.at];
      }
      const move = typical - s.prev;
      s.prev = typical;
      typical *= v;
      s.positive[s.at] = move > 0 ? typical : 0;
      s.negative[s.at] = move < 0 ? typical : 0;
      if (move < 0) s.neg += typical;
      else if (move > 0) s.pos += typical;
      s.at = s.at + 1 > period - 1 ? 0 : s.at + 1;
      if (t < period) return undefined;
      const sum = s.pos + s.neg;
      return sum < 1.0 ? 0.0 : 100.0 * (s.pos / sum);
    },
  };
}
