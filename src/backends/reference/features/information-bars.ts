/**
 * Imbalance and run bars (reference), as mlfinlab's 2020 BaseImbalanceBars and BaseRunBars build them
 * (data_structures/base_bars.py, imbalance_data_structures.py, run_data_structures.py): the same state,
 * updated in the same order (src/kernels/features/features-kernels.ts says the rules).
 * native/kernels/features/information_bars.cpp is this code in C++.
 */
import type { Bars, InformationBarParams } from '../../../kernels/features/features.js';
import { BarBuilder } from './bar-builder.js';
import { Ewma } from './ewma.js';

/** A trade's imbalance theta: its sign b (by 0: tick), b x volume (1) or b x volume x price (2). */
function imbalanceOf(by: number, sign: number, p: number, v: number): number {
  return by === 0 ? sign : by === 1 ? sign * v : sign * v * p;
}

/** Python's max(a, b): a unless b > a (NaN in a wins). */
const pyMax = (a: number, b: number) => (b > a ? b : a);

/** What both kinds of bars keep about the bars closed: their tick counts and the expected ticks. */
class ExpectedTicks {
  readonly ticks: number[] = [];
  readonly ewma = new Ewma();
  value: number;

  constructor(private readonly p: InformationBarParams) {
    this.value = p.expNumTicksInit;
  }

  /** A bar of `ticks` trades closed: 'ema' takes the EWMA of the last numPrevBars counts, clipped; 'const' keeps it. */
  closed(ticks: number): void {
    this.ticks.push(ticks);
    if (this.p.kind !== 0) return;
    const n = Math.min(this.ticks.length, this.p.numPrevBars);
    const x = this.ewma.last(this.ticks, n, this.p.numPrevBars);
    // min(max(x, lo), hi), Python's
    const atLeast = this.p.minExpNumTicks > x ? this.p.minExpNumTicks : x;
    this.value = this.p.maxExpNumTicks < atLeast ? this.p.maxExpNumTicks : atLeast;
  }
}

/**
 * The EWMA of the last min(history, window) values of `history`, span that count; NaN while the
 * history is shorter than `expNumTicks` when `warmUp` (mlfinlab's _get_expected_imbalance).
 */
function expectedImbalance(ewma: Ewma, history: number[], window: number, expNumTicks: number, warmUp: boolean): number {
  if ((warmUp && history.length < expNumTicks) || history.length === 0) return NaN;
  const m = Math.min(history.length, window);
  return ewma.last(history, m, m);
}

/** mlfinlab's BaseImbalanceBars._extract_bars. */
export function referenceImbalanceBars(ts: Float64Array, price: Float64Array, volume: Float64Array, p: InformationBarParams): Bars {
  const bars = new BarBuilder();
  const expected = new ExpectedTicks(p);
  const ewma = new Ewma();
  const history: number[] = [];
  let theta = 0;
  let expImbalance = NaN;
  for (let i = 0; i < ts.length; i++) {
    const sign = bars.add(i, ts[i], price[i], volume[i]);
    const imbalance = imbalanceOf(p.by, sign, price[i], volume[i]);
    history.push(imbalance);
    theta += imbalance;
    // until the first bar, recomputed while NaN (the history shorter than the expected ticks)
    if (bars.count === 0 && Number.isNaN(expImbalance)) {
      expImbalance = expectedImbalance(ewma, history, p.expectedImbalanceWindow, expected.value, true);
    }
    if (Math.abs(theta) > expected.value * Math.abs(expImbalance)) {
      const ticks = bars.ticks;
      bars.close(i, ts[i], price[i]);
      expected.closed(ticks);
      expImbalance = expectedImbalance(ewma, history, p.expectedImbalanceWindow, expected.value, true);
      theta = 0;
    }
  }
  return bars.bars();
}

/** mlfinlab's BaseRunBars._extract_bars. */
export function referenceRunBars(ts: Float64Array, price: Float64Array, volume: Float64Array, p: InformationBarParams): Bars {
  const bars = new BarBuilder();
  const expected = new ExpectedTicks(p);
  const [ewmaBuy, ewmaSell, ewmaShare] = [new Ewma(), new Ewma(), new Ewma()];
  const buys: number[] = [];
  const sells: number[] = [];
  const buyShares: number[] = [];
  let thetaBuy = 0;
  let thetaSell = 0;
  let buyTicks = 0;
  let expBuy = NaN;
  let expSell = NaN;
  let buyShare = NaN;
  const window = p.expectedImbalanceWindow;
  for (let i = 0; i < ts.length; i++) {
    const sign = bars.add(i, ts[i], price[i], volume[i]);
    const imbalance = imbalanceOf(p.by, sign, price[i], volume[i]);
    if (imbalance > 0) {
      buys.push(imbalance);
      thetaBuy += imbalance;
      buyTicks += 1;
    } else if (imbalance < 0) {
      sells.push(Math.abs(imbalance));
      thetaSell += Math.abs(imbalance);
    }
    // until the first bar, while either expectation is NaN: both recomputed, and once both are
    // known the buy proportion of the bar so far
    if (bars.count === 0 && (Number.isNaN(expBuy) || Number.isNaN(expSell))) {
      expBuy = expectedImbalance(ewmaBuy, buys, window, expected.value, true);
      expSell = expectedImbalance(ewmaSell, sells, window, expected.value, true);
      if (!Number.isNaN(expBuy) && !Number.isNaN(expSell)) buyShare = buyTicks / bars.ticks;
    }
    const maxProportion = pyMax(expBuy * buyShare, expSell * (1 - buyShare));
    const maxTheta = pyMax(thetaBuy, thetaSell);
    if (maxTheta > expected.value * maxProportion && !Number.isNaN(maxProportion)) {
      const ticks = bars.ticks;
      bars.close(i, ts[i], price[i]);
      buyShares.push(buyTicks / ticks);
      expected.closed(ticks);
      buyShare = ewmaShare.last(buyShares, Math.min(buyShares.length, p.numPrevBars), p.numPrevBars);
      expBuy = expectedImbalance(ewmaBuy, buys, window, expected.value, false);
      expSell = expectedImbalance(ewmaSell, sells, window, expected.value, false);
      thetaBuy = 0;
      thetaSell = 0;
      buyTicks = 0;
    }
  }
  return bars.bars();
}
