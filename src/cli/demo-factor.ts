/**
 * The factor half of `kernelbus demo`: a FactorEngine beside the VPIN and risk engines on the same bus.
 * Every bar is a period of universe 'market': per symbol its return since the last bar (the
 * `simpleReturns` kernel over the last two price rows), a market cap (price x a seeded number of
 * shares), a sector (the symbols cycle through four) and book, sales and cash-flow to price ratios
 * (seeded amounts per share over the price), published as FACTOR_INPUT; the summary shows the latest
 * factor returns and R-squared. Momentum runs over 20 bars lagged by 2, so results start at bar 22.
 */
import type { BackendChoice } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import { nowMs } from '../bus/messages.js';
import { FactorEngine } from '../engines/factor.js';
import type { FactorInput } from '../engines/factor-messages.js';
import { DEMO_FACTOR_UNIVERSE, DEMO_SECTORS, DemoPanel } from './demo-bars.js';
import { fmt } from './summary.js';

export { DEMO_FACTOR_UNIVERSE, DEMO_SECTORS };
/** The demo's momentum: short enough for a run of seconds. */
export const DEMO_MOMENTUM = { window: 20, halfLife: 10, lag: 2 };

/** A FactorEngine fed with the market's cross-sections, one per bar (publish(), or payload() for a replay). */
export class DemoFactor {
  readonly engine: FactorEngine;
  private readonly panel: DemoPanel;

  /** Starts the engine; the symbols' shares, sectors and per-share amounts come from `seed` (DemoPanel). */
  constructor(
    private readonly bus: Bus,
    private readonly symbols: readonly string[],
    backend: BackendChoice,
    seed: number,
  ) {
    this.engine = new FactorEngine(bus, { backend, momentum: DEMO_MOMENTUM }).start();
    this.panel = new DemoPanel(symbols, seed);
  }

  /** Bars (FACTOR_INPUT) published. */
  get bars(): number {
    return this.panel.bars;
  }

  /** A bar's FACTOR_INPUT payload (counted as published). */
  payload(prices: Float64Array, returns: Float64Array): FactorInput {
    return this.panel.payload(prices, returns);
  }

  /** Publishes a bar's cross-section. */
  publish(prices: Float64Array, returns: Float64Array): void {
    this.bus.publishSync('FACTOR_INPUT', { key: DEMO_FACTOR_UNIVERSE, ts: nowMs(), payload: this.payload(prices, returns) });
  }

  /** The summary's factor table: the latest bar's factor returns and R2, and the mean R2 of every result. */
  table(): string {
    const x = this.engine.metrics().extra;
    const latest = this.engine.universes().get(DEMO_FACTOR_UNIVERSE)?.latest;
    const symbols = this.symbols.length;
    const factors = 1 + Math.min(symbols, DEMO_SECTORS.length) + 3;
    const head =
      `\n  factor returns now (${fmt(this.bars)} bars of ${fmt(symbols)} symbols in ${Math.min(symbols, DEMO_SECTORS.length)} sectors; ` +
      `momentum over ${DEMO_MOMENTUM.window} bars lagged ${DEMO_MOMENTUM.lag}; ${fmt(x.results)} results, ${fmt(x.unfit)} bars without a fit)\n`;
    if (!latest) {
      const why =
        symbols <= factors ? `a fit needs more than ${factors} symbols` : `momentum needs ${DEMO_MOMENTUM.window + DEMO_MOMENTUM.lag} bars`;
      return `${head}  no fit yet (${why})\n`;
    }
    const cells = latest.names.map((name, j) => [
      name,
      Number.isFinite(latest.factorReturns[j]) ? `${(100 * latest.factorReturns[j]).toFixed(3)}%` : '-',
    ]);
    const widths = cells.map(([name, value]) => Math.max(name.length, value.length));
    return (
      `${head}  bar ${latest.date}: R2 ${latest.r2.toFixed(3)} over ${latest.residuals.count} symbols\n` +
      `  ${cells.map(([name], j) => name.padStart(widths[j])).join('  ')}\n` +
      `  ${cells.map(([, value], j) => value.padStart(widths[j])).join('  ')}\n`
    );
  }
}
