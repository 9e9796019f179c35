/**
 * Imbalance and run bars (reference), as mlfinlab's 2020 BaseImbalanceBars and BaseRunBars build them
 * (data_structures/base_bars.py, imbalance_data_structures.py, run_data_structures.py): the same state,
 * updated in the same order (src/kernels/features/features-kernels.ts says the rules), as resumable
 * state machines (bar-builder.ts BarMaker). The imbalance histories are never reset, but their EWMAs
 * read only the last `expectedImbalanceWindow` values, so only those are kept (Tail).
 * native/kernels/features/information_bars.cpp is this code in C++.
 */
import type { InformationBarParams } from '../kernels/features/features.js';
import { BarBuilder, type BarMaker, Tail } from './bar-builder.js';
import { Ewma } from './ewma.js';

/** A trade's imbalance theta: its sign b (by 0: tick), b x volume (1) or b x volume x price (2). */
function imbalanceOf(by: number, sign: number, p: number, v: number): number {
  return by === 0 ? sign : by === 1 ? sign * v : sign * v * p;
}

/** Python's max(a, b): a unless b > a (NaN in a wins). */
const pyMax = (a: number, b: number) => (b > a ? b : a);

/** What both kinds of bars keep about the bars closed: their tick counts and the expected ticks. */
class ExpectedTicks {
  readonly ticks: Tail;
  readonly ewma = new Ewma();
  value: number;

  constructor(private readonly p: InformationBarParams) {
    this.value = p.expNumTicksInit;
    this.ticks = new Tail(p.numPrevBars);
  }

  /** A bar of `ticks` trades closed: 'ema' takes the EWMA of the last numPrevBars counts, clipped; 'const' keeps it. */
  closed(ticks: number): void {
    this.ticks.push(ticks);
    if (this.p.kind !== 0) return;
    const n = Math.min(this.ticks.count, this.p.numPrevBars);
    const x = this.ewma.last(this.ticks.values, n, this.p.numPrevBars);
    // min(max(x, lo), hi), Python's
    const atLeast = this.p.minExpNumTicks > x ? this.p.minExpNumTicks : x;
    this.value = this.p.maxExpNumTicks < atLeast ? this.p.maxExpNumTicks : atLeast;
  }
}

/**
 * The EWMA of the last min(history, window) values of `history`, span that count; NaN while the
 * history is shorter than `expNumTicks` when `warmUp` (mlfinlab's _get_expected_imbalance).
 */
function expectedImbalance(ewma: Ewma, history: Tail, window: number, expNumTicks: number, warmUp: boolean): number {
  if ((warmUp && history.count < expNumTicks) || history.count === 0) return NaN;
  const m = Math.min(history.count, window);
  return ewma.last(history.values, m, m);
}

/** mlfinlab's BaseImbalanceBars._extract_bars, a trade at a time. */
export class ImbalanceBarMaker implements BarMaker {
  readonly builder = new BarBuilder();
  private readonly expected: ExpectedTicks;
  private readonly ewma = new Ewma();
  private readonly history: Tail;
  private theta = 0;
  private expImbalance = NaN;

  constructor(private readonly p: InformationBarParams) {
    this.expected = new ExpectedTicks(p);
    this.history = new Tail(p.expectedImbalanceWindow);
  }

  add(i: number, t: number, price: number, v: number): void {
    const { builder: bars, expected, p } = this;
    const sign = bars.add(i, t, price, v);
    const imbalance = imbalanceOf(p.by, sign, price, v);
    this.history.push(imbalance);
    this.theta += imbalance;
    // until the first bar, recomputed while NaN (the history shorter than the expected ticks)
    if (bars.count === 0 && Number.isNaN(this.expImbalance)) {
      this.expImbalance = expectedImbalance(this.ewma, this.history, p.expectedImbalanceWindow, expected.value, true);
    }
    if (Math.abs(this.theta) > expected.value * Math.abs(this.expImbalance)) {
      const ticks = bars.ticks;
      bars.close(i, t, price);
      expected.closed(ticks);
      this.expImbalance = expectedImbalance(this.ewma, this.history, p.expectedImbalanceWindow, expected.value, true);
      this.theta = 0;
    }
  }

  state(): number[] {
    const { builder, expected, history } = this;
    return [...builder.state(), expected.value, ...expected.ticks.state(), ...history.state(), this.theta, this.expImbalance];
  }

  setState(s: ArrayLike<number>): void {
    let at = this.builder.setState(s, 0);
    this.expected.value = s[at++] as number;
    at = this.expected.ticks.setState(s, at);
    at = this.history.setState(s, at);
    this.theta = s[at] as number;
    this.expImbalance = s[at + 1] as number;
  }
}

/** mlfinlab's BaseRunBars._extract_bars, a trade at a time. */
export class RunBarMaker implements BarMaker {
  readonly builder = new BarBuilder();
  private readonly expected: ExpectedTicks;
  private readonly ewmas = [new Ewma(), new Ewma(), new Ewma()];
  private readonly buys: Tail;
  private readonly sells: Tail;
  private readonly buyShares: Tail;
  private thetaBuy = 0;
  private thetaSell = 0;
  private buyTicks = 0;
  private expBuy = NaN;
  private expSell = NaN;
  private buyShare = NaN;

  constructor(private readonly p: InformationBarParams) {
    this.expected = new ExpectedTicks(p);
    this.buys = new Tail(p.expectedImbalanceWindow);
    this.sells = new Tail(p.expectedImbalanceWindow);
    this.buyShares = new Tail(p.numPrevBars);
  }

  add(i: number, t: number, price: number, v: number): void {
    const { builder: bars, expected, p, buys, sells } = this;
    const [ewmaBuy, ewmaSell, ewmaShare] = this.ewmas;
    const window = p.expectedImbalanceWindow;
    const sign = bars.add(i, t, price, v);
    const imbalance = imbalanceOf(p.by, sign, price, v);
    if (imbalance > 0) {
      buys.push(imbalance);
      this.thetaBuy += imbalance;
      this.buyTicks += 1;
    } else if (imbalance < 0) {
      sells.push(Math.abs(imbalance));
      this.thetaSell += Math.abs(imbalance);
    }
    // until the first bar, while either expectation is NaN: both recomputed, and once both are
    // known the buy proportion of the bar so far
    if (bars.count === 0 && (Number.isNaN(this.expBuy) || Number.isNaN(this.expSell))) {
      this.expBuy = expectedImbalance(ewmaBuy, buys, window, expected.value, true);
      this.expSell = expectedImbalance(ewmaSell, sells, window, expected.value, true);
      if (!Number.isNaN(this.expBuy) && !Number.isNaN(this.expSell)) this.buyShare = this.buyTicks / bars.ticks;
    }
    const maxProportion = pyMax(this.expBuy * this.buyShare, this.expSell * (1 - this.buyShare));
    const maxTheta = pyMax(this.thetaBuy, this.thetaSell);
    if (maxTheta > expected.value * maxProportion && !Number.isNaN(maxProportion)) {
      const ticks = bars.ticks;
      bars.close(i, t, price);
      this.buyShares.push(this.buyTicks / ticks);
      expected.closed(ticks);
      this.buyShare = ewmaShare.last(this.buyShares.values, Math.min(this.buyShares.count, p.numPrevBars), p.numPrevBars);
      this.expBuy = expectedImbalance(ewmaBuy, buys, window, expected.value, false);
      this.expSell = expectedImbalance(ewmaSell, sells, window, expected.value, false);
      this.thetaBuy = 0;
      this.thetaSell = 0;
      this.buyTicks = 0;
    }
  }

  state(): number[] {
    const { builder, expected } = this;
    return [
      ...builder.state(),
      expected.value,
      ...expected.ticks.state(),
      ...this.buys.state(),
      ...this.sells.state(),
      ...this.buyShares.state(),
      this.thetaBuy,
      this.thetaSell,
      this.buyTicks,
      this.expBuy,
      this.expSell,
      this.buyShare,
    ];
  }

  setState(s: ArrayLike<number>): void {
    let at = this.builder.setState(s, 0);
    this.expected.value = s[at++] as number;
    at = this.expected.ticks.setState(s, at);
    at = this.buys.setState(s, at);
    at = this.sells.setState(s, at);
    at = this.buyShares.setState(s, at);
    [this.thetaBuy, this.thetaSell, this.buyTicks, this.expBuy, this.expSell, this.buyShare] = Array.from(
      { length: 6 },
      (_, k) => s[at + k] as number,
    );
  }
}
