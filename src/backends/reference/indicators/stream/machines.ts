/**
 * Every indicator's machine (machine.ts) by name: the bar fields it reads (in BAR_FIELDS order, as
 * the batch call passes them), and from its packed parameters (the descriptor's order) a machine
 * whose `step(inputs, out)` writes the bar's outputs (the descriptor's order), NaN over the warm-up.
 */
import type { BarField, IndicatorName } from '../../../../kernels/indicators/indicators.js';
import { maLookback } from '../averages.js';
import { isZero } from '../columns.js';
import { demaMachine, emaMachine, kamaMachine, maMachine, smaMachine, temaMachine, trimaMachine, wmaMachine } from './averages.js';
import { adoscMachine, adStep, adxMachine, adxrMachine, atrMachine, diMachine, mfiMachine, sarMachine } from './directional.js';
import type { SeriesMachine, Stateful } from './machine.js';
import { type Extremes, aroonMachine, cciMachine, lagMachine, macdMachine, rangeMachine, rsiMachine, ultoscMachine } from './momentum.js';

/** An indicator's machine: the bar's inputs (the fields it reads, in order) to its outputs. */
export interface IndicatorMachine extends Stateful {
  /** `inputs` holds 4 values, the fields read first; `out` one per output. */
  step(inputs: Float64Array, out: Float64Array): void;
}

type Value = number | undefined;
/** A function of the bar's inputs (the fields the indicator reads, in order). */
type Inputs<R> = (a: number, b: number, c: number, d: number) => R;
const orNaN = (x: Value) => (x === undefined ? NaN : x);

/** A machine of one value a bar from `f` of the inputs, with `parts` its state. */
const single = (parts: readonly Stateful[], f: Inputs<Value>): IndicatorMachine => ({
  s: {},
  parts,
  step(v, out) {
    out[0] = orNaN(f(v[0], v[1], v[2], v[3]));
  },
});
const ofClose = (m: SeriesMachine) => single([m], (x) => m.step(x));
type BarsMachine = Stateful & { step(h: number, l: number, c: number, v: number): Value };
const ofBars = (m: BarsMachine) => single([m], (h, l, c, v) => m.step(h, l, c, v));

/** A machine of several outputs, `f` giving them all or undefined over the warm-up. */
const several = (parts: readonly Stateful[], f: Inputs<readonly number[] | undefined>): IndicatorMachine => ({
  s: {},
  parts,
  step(v, out) {
    const values = f(v[0], v[1], v[2], v[3]);
    if (values === undefined) out.fill(NaN);
    else out.set(values);
  },
});

/** TA_BBANDS: [upper, middle, lower], the deviation from the running sums volatility.ts keeps. */
function bbands(period: number, nbDevUp: number, nbDevDn: number, maType: number): IndicatorMachine {
  const ma = maMachine(maType, period);
  const lookback = maLookback(maType, period);
  const s = { t: 0, total1: 0, total2: 0, ring: new Float64Array(period) };
  return several([{ s, parts: [] }, ma], (x) => {
    const t = s.t++;
    s.ring[t % period] = x;
    const mid = ma.step(x);
    if (t < lookback - period + 1) return undefined;
    if (maType !== 0) s.total1 += x;
    s.total2 += x * x;
    if (mid === undefined) return undefined;
    const old = s.ring[(t + 1) % period];
    let dev: number;
    if (maType === 0) {
      let mean2 = s.total2 / period;
      s.total2 -= old * old;
      mean2 -= mid * mid;
      dev = !(mean2 < 1e-14) ? Math.sqrt(mean2) : 0;
    } else {
      const mean1 = s.total1 / period;
      const mean2 = s.total2 / period;
      s.total1 -= old;
      s.total2 -= old * old;
      const variance = mean2 - mean1 * mean1;
      dev = !(variance < 1e-14) ? Math.sqrt(variance) : 0;
    }
    return [mid + dev * nbDevUp, mid, mid - dev * nbDevDn];
  });
}

/** TA_NATR: 100 ATR / close, 0 where the close is 0 at the first value, NaN at a later one. */
function natr(period: number): IndicatorMachine {
  const atr = atrMachine(period);
  return single([atr], (h, l, c) => {
    const average = atr.step(h, l, c);
    if (average === undefined || period <= 1) return average;
    if (!isZero(c)) return (average / c) * 100;
    return atr.s.t === period + 1 ? 0 : NaN;
  });
}

/** Fast %K (0 where the range is 0) and its two MAs: STOCH's slow %K and %D, or STOCHF's %D (`second` absent). */
function stochastic(fastK: number, first: SeriesMachine, second?: SeriesMachine) {
  const range = rangeMachine(fastK, 100);
  const parts = [range, first, ...(second ? [second] : [])];
  return {
    parts,
    step(h: number, l: number, c: number): readonly number[] | undefined {
      if (!range.step(h, l)) return undefined;
      const { lowest, diff } = range.s;
      const raw = diff !== 0 ? (c - lowest) / diff : 0;
      const k = first.step(raw);
      if (second === undefined) return k === undefined ? undefined : [raw, k];
      if (k === undefined) return undefined;
      const d = second.step(k);
      return d === undefined ? undefined : [k, d];
    },
  };
}

/** TA_AROON ([down, up]) or TA_AROONOSC of the tracker's extremes. */
function aroon(period: number, osc: boolean): IndicatorMachine {
  const m: Extremes = aroonMachine(period);
  const factor = 100 / period;
  return several([m], (h, l) => {
    if (!m.step(h, l)) return undefined;
    const today = m.s.t - 1;
    const { lowestIdx, highestIdx } = m.s;
    if (osc) return [factor * (highestIdx - lowestIdx)];
    return [factor * (period - (today - lowestIdx)), factor * (period - (today - highestIdx))];
  });
}

/** TA_WILLR: (highest - close) / ((highest - lowest) / -100), 0 where the range is 0. */
function willr(period: number): IndicatorMachine {
  const m = rangeMachine(period, -100);
  return single([m], (h, l, c) => (m.step(h, l) ? (m.s.diff !== 0 ? (m.s.highest - c) / m.s.diff : 0) : undefined));
}

/** TA_OBV from volume[0]. */
function obv(): IndicatorMachine {
  const s = { t: 0, total: 0, prev: 0 };
  return single([{ s, parts: [] }], (c, v) => {
    if (s.t++ === 0) {
      s.total = v;
      s.prev = c;
    }
    if (c > s.prev) s.total += v;
    else if (c < s.prev) s.total -= v;
    s.prev = c;
    return s.total;
  });
}

/** TA_AD: the running accumulation/distribution line. */
function ad(): IndicatorMachine {
  const s = { line: 0 };
  return single([{ s, parts: [] }], (h, l, c, v) => (s.line = adStep(h, l, c, v, s.line)));
}

const C: readonly BarField[] = ['close'];
const HLC: readonly BarField[] = ['high', 'low', 'close'];
const HL: readonly BarField[] = ['high', 'low'];
const HLCV: readonly BarField[] = ['high', 'low', 'close', 'volume'];

/** Each indicator: the fields it reads and its machine from the packed parameters. */
export const INDICATOR_MACHINES: {
  [K in IndicatorName]: { readonly fields: readonly BarField[]; create(p: readonly number[]): IndicatorMachine };
} = {
  sma: { fields: C, create: ([p]) => ofClose(smaMachine(p)) },
  ema: { fields: C, create: ([p]) => ofClose(emaMachine(p)) },
  wma: { fields: C, create: ([p]) => ofClose(wmaMachine(p)) },
  dema: { fields: C, create: ([p]) => ofClose(demaMachine(p)) },
  tema: { fields: C, create: ([p]) => ofClose(temaMachine(p)) },
  trima: { fields: C, create: ([p]) => ofClose(trimaMachine(p)) },
  kama: { fields: C, create: ([p]) => ofClose(kamaMachine(p)) },
  rsi: { fields: C, create: ([p]) => ofClose(rsiMachine(p)) },
  macd: {
    fields: C,
    create: ([f, sl, sg]) => {
      const m = macdMachine(f, sl, sg);
      return several([m], (x) => m.step(x));
    },
  },
  bbands: { fields: C, create: ([p, up, dn, type]) => bbands(p, up, dn, type) },
  atr: { fields: HLC, create: ([p]) => ofBars(atrMachine(p)) },
  natr: { fields: HLC, create: ([p]) => natr(p) },
  trange: { fields: HLC, create: () => ofBars(atrMachine(1)) },
  stoch: {
    fields: HLC,
    create: ([fastK, slowK, slowKType, slowD, slowDType]) => {
      const m = stochastic(fastK, maMachine(slowKType, slowK), maMachine(slowDType, slowD));
      return several(m.parts, (h, l, c) => m.step(h, l, c));
    },
  },
  stochf: {
    fields: HLC,
    create: ([fastK, fastD, type]) => {
      const m = stochastic(fastK, maMachine(type, fastD));
      return several(m.parts, (h, l, c) => m.step(h, l, c));
    },
  },
  stochRsi: {
    fields: C,
    create: ([p, fastK, fastD, type]) => {
      const rsi = rsiMachine(p);
      const m = stochastic(fastK, maMachine(type, fastD));
      return several([rsi, ...m.parts], (x) => {
        const r = rsi.step(x);
        return r === undefined ? undefined : m.step(r, r, r);
      });
    },
  },
  adx: { fields: HLC, create: ([p]) => ofBars(adxMachine(p)) },
  adxr: { fields: HLC, create: ([p]) => ofBars(adxrMachine(p)) },
  plusDi: { fields: HLC, create: ([p]) => ofBars(diMachine(p, true)) },
  minusDi: { fields: HLC, create: ([p]) => ofBars(diMachine(p, false)) },
  cci: { fields: HLC, create: ([p]) => ofBars(cciMachine(p)) },
  mfi: { fields: HLCV, create: ([p]) => ofBars(mfiMachine(p)) },
  obv: { fields: ['close', 'volume'], create: obv },
  ad: { fields: HLCV, create: ad },
  adosc: { fields: HLCV, create: ([f, sl]) => ofBars(adoscMachine(f, sl)) },
  roc: { fields: C, create: ([p]) => ofClose(lagMachine(p, (x, before) => (before !== 0 ? (x / before - 1) * 100 : 0))) },
  mom: { fields: C, create: ([p]) => ofClose(lagMachine(p, (x, before) => x - before)) },
  willr: { fields: HLC, create: ([p]) => willr(p) },
  aroon: { fields: HL, create: ([p]) => aroon(p, false) },
  aroonOsc: { fields: HL, create: ([p]) => aroon(p, true) },
  sar: { fields: HL, create: ([a, m]) => ofBars(sarMachine(a, m) as BarsMachine) },
  ultosc: { fields: HLC, create: ([p1, p2, p3]) => ofBars(ultoscMachine(p1, p2, p3) as BarsMachine) },
};
