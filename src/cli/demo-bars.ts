/** The demo's bar clock over the synthetic market: at each bar's end, the prices and the simple returns since the last bar. */
import type { Kernels } from '../api/kernels.js';
import type { SyntheticMarket } from './market.js';

export class MarketBars {
  private previous: Float64Array | undefined;
  private nextAt: number;

  constructor(
    private readonly market: SyntheticMarket,
    private readonly barMs: number,
    private readonly kernels: Kernels,
  ) {
    this.nextAt = barMs;
  }

  /** Takes the market's prices as the first bar's start. */
  begin(): void {
    this.previous = this.market.prices();
  }

  /** At a bar's end (`elapsedMs` past the next bar time): its closing prices and the returns since the last; else undefined. */
  next(elapsedMs: number): { prices: Float64Array; returns: Float64Array } | undefined {
    if (elapsedMs < this.nextAt) return undefined;
    this.nextAt = elapsedMs + this.barMs;
    const prices = this.market.prices();
    const n = prices.length;
    const both = new Float64Array(2 * n);
    both.set(this.previous!, 0);
    both.set(prices, n);
    this.previous = prices;
    return { prices, returns: this.kernels.simpleReturns({ data: both, rows: 2, cols: n }).data };
  }
}
