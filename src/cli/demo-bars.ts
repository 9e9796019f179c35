/**
 * The demo's bars over the synthetic market: at each bar's end, the prices and the simple returns since
 * the last bar; the seeded daily panel a bar becomes (FACTOR_INPUT); and the publisher of both for
 * `kernelbus feed`, which sends the risk and factor engines what the demo gives its own.
 */
import type { Kernels } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import { nowMs } from '../bus/messages.js';
import type { FactorInput } from '../engines/factor-messages.js';
import { mulberry32 } from '../math/mulberry32.js';
import type { SyntheticMarket } from '../replay/synthetic-market.js';

/** The universe of the demo's RETURNS_UPDATE and FACTOR_INPUT (their key). */
export const DEMO_FACTOR_UNIVERSE = 'market';
/** Trades per symbol per time bar the demo aims at; bars then buckets scale with --rate and --symbols. */
export const TRADES_PER_BAR = 20;

/** The bar of the synthetic market at `rate` trades a second over `symbols`: about TRADES_PER_BAR trades per symbol (ms). */
export function demoBarMs(symbols: number, rate: number): number {
  return Math.max(1, Math.round((TRADES_PER_BAR * symbols * 1000) / rate));
}

/** The sectors the symbols cycle through. */
export const DEMO_SECTORS = ['Energy', 'Technology', 'Healthcare', 'Financials'];

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

/** The demo's daily panel: per symbol a seeded number of shares, a sector and book/sales/cash-flow amounts per share. */
export class DemoPanel {
  /** Bars (payloads) made. */
  bars = 0;
  private readonly shares: Float64Array;
  private readonly perShare: { book: Float64Array; sales: Float64Array; cashFlow: Float64Array };
  private readonly sectors: string[];

  constructor(
    private readonly symbols: readonly string[],
    seed: number,
  ) {
    const random = mulberry32(seed ^ 0x5eed);
    const n = symbols.length;
    const lognormal = (sigma: number) => Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
    this.shares = Float64Array.from({ length: n }, () => 1e7 * lognormal(1));
    this.perShare = {
      book: Float64Array.from({ length: n }, () => 40 * lognormal(0.5)),
      sales: Float64Array.from({ length: n }, () => 70 * lognormal(0.6)),
      cashFlow: Float64Array.from({ length: n }, () => 5 * (random() - 0.2)),
    };
    this.sectors = symbols.map((_, i) => DEMO_SECTORS[i % DEMO_SECTORS.length]);
  }

  /** A bar's FACTOR_INPUT: its returns, price x shares as the market cap, the amounts per share over the price. */
  payload(prices: Float64Array, returns: Float64Array): FactorInput {
    const per = (x: Float64Array) => x.map((v, i) => v / prices[i]);
    return {
      date: ++this.bars,
      assets: this.symbols,
      sectors: this.sectors,
      returns,
      marketCap: prices.map((p, i) => p * this.shares[i]),
      bookPrice: per(this.perShare.book),
      salesPrice: per(this.perShare.sales),
      cashFlowPrice: per(this.perShare.cashFlow),
    };
  }
}

/** For `kernelbus feed`: at each bar's end, the bar's RETURNS_UPDATE and FACTOR_INPUT of universe 'market', as the demo publishes them. */
export class BarFeed {
  /** Bars published. */
  bars = 0;
  private readonly clock: MarketBars;
  private readonly panel: DemoPanel;

  constructor(
    private readonly bus: Bus,
    private readonly market: SyntheticMarket,
    barMs: number,
    kernels: Kernels,
    seed: number,
  ) {
    this.clock = new MarketBars(market, barMs, kernels);
    this.panel = new DemoPanel(market.symbols, seed);
  }

  /** Takes the market's prices as the first bar's start. */
  begin(): void {
    this.clock.begin();
  }

  /** Called every turn of the market loop: publishes the bar that ended, if one did. */
  tick(elapsedMs: number): void {
    const bar = this.clock.next(elapsedMs);
    if (!bar) return;
    const ts = nowMs();
    this.bus.publishSync('RETURNS_UPDATE', {
      key: DEMO_FACTOR_UNIVERSE,
      ts,
      payload: { assets: this.market.symbols, returns: bar.returns },
    });
    this.bus.publishSync('FACTOR_INPUT', { key: DEMO_FACTOR_UNIVERSE, ts, payload: this.panel.payload(bar.prices, bar.returns) });
    this.bars++;
  }
}
