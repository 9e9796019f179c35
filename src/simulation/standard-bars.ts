/**
 * Standard and time bars (reference), as mlfinlab's 2020 StandardBars and TimeBars build them
 * (data_structures/standard_data_structures.py, time_data_structures.py), as resumable state machines
 * (bar-builder.ts BarMaker). native/kernels/features/bars.cpp is this code in C++.
 */
import type { BarParams } from '../kernels/features/features.js';
import { Fault, inputFault } from '../kernels/faults.js';
import { BarBuilder, type BarMaker } from './bar-builder.js';

/** mlfinlab's StandardBars._extract_bars: the bar closes at the trade whose sum reaches the threshold. */
export class StandardBarMaker implements BarMaker {
  readonly builder = new BarBuilder();

  constructor(private readonly params: BarParams) {}

  add(i: number, t: number, p: number, v: number): void {
    const bars = this.builder;
    bars.add(i, t, p, v);
    const by = this.params.by;
    const sum = by === 0 ? bars.ticks : by === 1 ? bars.volume : bars.dollarValue;
    if (sum >= this.params.threshold) bars.close(i, t, p);
  }

  state(): number[] {
    return this.builder.state();
  }

  setState(s: ArrayLike<number>): void {
    this.builder.setState(s, 0);
  }
}

/** The end of the time bar of trade i at time t, (floor(t / barMs) + 1) barMs, or its fault when not finite. */
export function timeBarEnd(i: number, t: number, barMs: number): number {
  const end = (Math.floor(t / barMs) + 1) * barMs;
  if (!Number.isFinite(end)) throw inputFault(Fault.TS_BAR_OUT_OF_RANGE, i, t, barMs);
  return end;
}

/**
 * mlfinlab's TimeBars._extract_bars: a trade past the open bar's end, (floor(ts / barMs) + 1) barMs,
 * closes it (labelled by that end, its tickNum that trade's position) before it opens the next.
 */
export class TimeBarMaker implements BarMaker {
  readonly builder = new BarBuilder();
  private end = NaN;
  private close = NaN;

  constructor(private readonly barMs: number) {}

  add(i: number, t: number, p: number, v: number): void {
    const bars = this.builder;
    const sign = bars.check(i, t, p, v);
    const boundary = timeBarEnd(i, t, this.barMs);
    if (Number.isNaN(this.end)) this.end = boundary;
    else if (this.end < boundary) {
      bars.close(i, this.end, this.close);
      this.end = boundary;
    }
    bars.accumulate(p, v, sign);
    this.close = p;
  }

  state(): number[] {
    return [...this.builder.state(), this.end, this.close];
  }

  setState(s: ArrayLike<number>): void {
    const at = this.builder.setState(s, 0);
    this.end = s[at] as number;
    this.close = s[at + 1] as number;
  }
}

/** The state machine of `bars()` with these parameters (time bars for by 'time', code 3). */
export const barMaker = (p: BarParams): BarMaker => (p.by === 3 ? new TimeBarMaker(p.threshold) : new StandardBarMaker(p));
