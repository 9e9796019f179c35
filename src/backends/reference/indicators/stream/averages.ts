/**
 * The moving averages of ../averages.ts as machines (machine.ts), one value a bar, in the batch
 * functions' order of operations; `maMachine` is TA_MA by its TA_MAType number.
 */
import { perToK } from '../averages.js';
import { isZero } from '../columns.js';
import { identity, type SeriesMachine } from './machine.js';

/** TA_SMA's running sum: the value period - 1 bars back leaves it after the bar's mean is formed. */
export function smaMachine(period: number): SeriesMachine {
  const s = { t: 0, total: 0, ring: new Float64Array(period) };
  return {
    s,
    parts: [],
    step(x) {
      const t = s.t++;
      s.ring[t % period] = x;
      s.total += x;
      if (t < period - 1) return undefined;
      const value = s.total;
      s.total -= s.ring[(t + 1) % period];
      return value / period;
    },
  };
}

/** emaFrom: seeded at bar `first` by the mean of the `period` values ending there, then e = (x - e) k + e. */
export function emaMachine(period: number, first = period - 1, k = perToK(period)): SeriesMachine {
  const s = { t: 0, sum: 0, e: 0 };
  const from = first - (period - 1);
  return {
    s,
    parts: [],
    step(x) {
      const t = s.t++;
      if (t < from) return undefined;
      if (t <= first) {
        s.sum += x;
        if (t < first) return undefined;
        s.e = s.sum / period;
        return s.e;
      }
      s.e = (x - s.e) * k + s.e;
      return s.e;
    },
  };
}

/** TA_WMA's running weighted and plain sums. */
export function wmaMachine(period: number): SeriesMachine {
  const divider = (period * (period + 1)) >> 1;
  const s = { t: 0, sum: 0, sub: 0, trailingValue: 0, ring: new Float64Array(period) };
  return {
    s,
    parts: [],
    step(x) {
      const t = s.t++;
      s.ring[t % period] = x;
      if (t < period - 1) {
        s.sub += x;
        s.sum += x * (t + 1);
        return undefined;
      }
      s.sub += x;
      s.sub -= s.trailingValue;
      s.sum += x * period;
      s.trailingValue = s.ring[(t + 1) % period];
      const value = s.sum / divider;
      s.sum -= s.sub;
      return value;
    },
  };
}

/** TA_DEMA: 2 e1 - e2, e2 the EMA of e1. */
export function demaMachine(period: number): SeriesMachine {
  const e1 = emaMachine(period);
  const e2 = emaMachine(period);
  return {
    s: {},
    parts: [e1, e2],
    step(x) {
      const v1 = e1.step(x);
      if (v1 === undefined) return undefined;
      const v2 = e2.step(v1);
      return v2 === undefined ? undefined : 2 * v1 - v2;
    },
  };
}

/** TA_TEMA: e3 + (3 e1 - 3 e2). */
export function temaMachine(period: number): SeriesMachine {
  const e1 = emaMachine(period);
  const e2 = emaMachine(period);
  const e3 = emaMachine(period);
  return {
    s: {},
    parts: [e1, e2, e3],
    step(x) {
      const v1 = e1.step(x);
      if (v1 === undefined) return undefined;
      const v2 = e2.step(v1);
      if (v2 === undefined) return undefined;
      const v3 = e3.step(v2);
      return v3 === undefined ? undefined : v3 + (3 * v1 - 3 * v2);
    },
  };
}

/**
 * TA_TRIMA's two running half sums: formed from the first `period` values at bar period - 1 (in the
 * batch's order), then moved a bar at a time; `value` carries the value leaving the window.
 */
export function trimaMachine(period: number): SeriesMachine {
  const odd = period % 2 === 1;
  const half = period >> 1;
  const factor = 1 / (odd ? (half + 1) * (half + 1) : half * (half + 1));
  const middle = odd ? half : half - 1; // the first window's middle
  const s = { t: 0, numerator: 0, numeratorSub: 0, numeratorAdd: 0, value: 0, ring: new Float64Array(period) };
  return {
    s,
    parts: [],
    step(x) {
      const t = s.t++;
      const r = s.ring;
      if (t < period) {
        r[t] = x;
        if (t < period - 1) return undefined;
        for (let i = middle; i >= 0; i--) {
          s.numeratorSub += r[i];
          s.numerator += s.numeratorSub;
        }
        for (let i = middle + 1; i <= t; i++) {
          s.numeratorAdd += r[i];
          s.numerator += s.numeratorAdd;
        }
        s.value = r[0];
        return s.numerator * factor;
      }
      s.numerator -= s.numeratorSub;
      s.numeratorSub -= s.value;
      s.value = r[(t + middle + 1) % period];
      s.numeratorSub += s.value;
      if (odd) {
        s.numerator += s.numeratorAdd;
        s.numeratorAdd -= s.value;
      } else {
        s.numeratorAdd -= s.value;
        s.numerator += s.numeratorAdd;
      }
      s.value = x;
      s.numeratorAdd += s.value;
      s.numerator += s.value;
      r[t % period] = x;
      s.value = r[(t + 1) % period];
      return s.numerator * factor;
    },
  };
}

/** TA_KAMA: the sum of |moves| over the last `period` moves, the efficiency ratio's smoothing squared. */
export function kamaMachine(period: number): SeriesMachine {
  const constMax = 2.0 / (30.0 + 1.0);
  const constDiff = 2.0 / (2.0 + 1.0) - constMax;
  const smoothing = (sum: number, roc: number) => {
    const ratio = sum <= roc || isZero(sum) ? 1.0 : Math.abs(roc / sum);
    const v = ratio * constDiff + constMax;
    return v * v;
  };
  const m = period + 1;
  const s = { t: 0, sum: 0, average: 0, trailingValue: 0, ring: new Float64Array(m) };
  return {
    s,
    parts: [],
    step(x) {
      const t = s.t++;
      const r = s.ring;
      r[t % m] = x;
      if (t === 0) return undefined;
      const before = r[(t - 1) % m];
      if (t <= period) {
        let move = before;
        move -= x;
        s.sum += Math.abs(move);
        if (t < period) return undefined;
        s.average = before;
        s.trailingValue = r[0];
        const sm = smoothing(s.sum, x - s.trailingValue);
        s.average = (x - s.average) * sm + s.average;
        return s.average;
      }
      const old = r[(t + 1) % m];
      const roc = x - old;
      s.sum -= Math.abs(s.trailingValue - old);
      s.sum += Math.abs(x - before);
      s.trailingValue = old;
      const sm = smoothing(s.sum, roc);
      s.average = (x - s.average) * sm + s.average;
      return s.average;
    },
  };
}

const MA_MACHINES = [smaMachine, emaMachine, wmaMachine, demaMachine, temaMachine, trimaMachine, kamaMachine];

/** TA_MA (maOf): the MA of TA_MAType number `type`; a period of 1 passes the series through. */
export const maMachine = (type: number, period: number): SeriesMachine => (period === 1 ? identity() : MA_MACHINES[type](period));
