/**
 * The risk half of `kernelbus demo`: a RiskEngine beside the VPIN engine on the same bus. Every bar the
 * synthetic market's prices become a row of simple returns (the `simpleReturns` kernel over the last
 * two price rows) of universe 'market', published as RETURNS_UPDATE; three portfolios of its symbols
 * (equal weight, long-short, concentrated) come as PORTFOLIO_UPDATE; the summary shows each one's VaR,
 * ES and volatility over the engine's window. Beside them a PortfolioEngine builds a minimum-variance
 * and a risk-parity portfolio of the market every 20 bars, which the RiskEngine measures the same way,
 * as it does the book of the demo's example strategy (its POSITION_UPDATE messages).
 */
import type { BackendChoice } from '../api/kernels.js';
import type { Bus } from '../bus/bus.js';
import { nowMs } from '../bus/messages.js';
import { PortfolioEngine } from '../engines/portfolio.js';
import { RiskEngine } from '../engines/risk.js';
import type { PortfolioUpdate, ReturnsUpdate, RiskResult } from '../engines/risk-messages.js';
import { fmt } from './summary.js';

/** The demo's universe (its returns' message key). */
export const DEMO_UNIVERSE = 'market';

/** Equal weight; long the first half and short the rest; 50/30/20 in the first three symbols. With VaR limits. */
export function demoPortfolios(symbols: readonly string[]): Record<string, PortfolioUpdate> {
  const n = symbols.length;
  const half = Math.ceil(n / 2);
  const longShort = Object.fromEntries(symbols.map((s, i) => [s, i < half ? 1 / half : -1 / (n - half)]));
  const top = [0.5, 0.3, 0.2].slice(0, n);
  const sum = top.reduce((a, b) => a + b, 0);
  return {
    'equal-weight': { weights: Object.fromEntries(symbols.map((s) => [s, 1 / n])), limit: 0.001, universe: DEMO_UNIVERSE },
    'long-short': { weights: longShort, limit: 0.002, universe: DEMO_UNIVERSE },
    concentrated: { weights: Object.fromEntries(top.map((w, i) => [symbols[i], w / sum])), limit: 0.003, universe: DEMO_UNIVERSE },
  };
}

/** A result's backtest as the table shows it: its zone and exceptions over the periods backtested. */
function zoneOf(f: RiskResult | undefined): string {
  const b = f?.backtest;
  return b ? `${b.zone} ${b.exceptions}/${b.observations}` : '-';
}

/** A RiskEngine fed with the market's returns, one row per bar (publish(), or payload() for a replay). */
export class DemoRisk {
  readonly engine: RiskEngine;
  /** Builds the 'min-variance' and 'risk-parity' portfolios of the market (close it before `engine`). */
  readonly portfolio: PortfolioEngine;
  /** Returns rows published. */
  rows = 0;

  /** Starts the engines (then call begin()); the risk engine measures the example strategy's book. */
  constructor(
    private readonly bus: Bus,
    private readonly symbols: readonly string[],
    backend: BackendChoice,
  ) {
    // the example strategy's positions too: its book is portfolio 'strategy:vpin-ma-cross'
    this.engine = new RiskEngine(bus, {
      backend,
      positionInput: 'POSITION_UPDATE',
      positionUniverse: DEMO_UNIVERSE,
      positionLimit: 0.002,
    }).start();
    const common = { universe: DEMO_UNIVERSE, every: 20, limit: 0.002 } as const;
    const upper = Math.min(1, Math.max(0.2, 2 / symbols.length));
    this.portfolio = new PortfolioEngine(bus, {
      backend,
      window: 120,
      minRows: 20,
      portfolios: [
        { id: 'min-variance', optimizer: 'min-variance', bounds: { lower: 0, upper }, ...common },
        { id: 'risk-parity', optimizer: 'risk-parity', ...common },
      ],
    }).start();
  }

  /** The universe's symbols. */
  get symbolCount(): number {
    return this.symbols.length;
  }

  /** Publishes the portfolios (once the groups exist). */
  begin(): void {
    for (const [key, payload] of Object.entries(demoPortfolios(this.symbols))) this.bus.publishSync('PORTFOLIO_UPDATE', { key, payload });
  }

  /** A bar's RETURNS_UPDATE payload (counted as published). */
  payload(returns: Float64Array): ReturnsUpdate {
    this.rows++;
    return { assets: this.symbols, returns };
  }

  /** Publishes a bar's row of returns since the last. */
  publish(returns: Float64Array): void {
    this.bus.publishSync('RETURNS_UPDATE', { key: DEMO_UNIVERSE, ts: nowMs(), payload: this.payload(returns) });
  }

  /** The summary's portfolio table: each portfolio's VaR/ES (historical, Gaussian), volatility, limit and alerts. */
  /** The portfolios' backtest zones (green, yellow, red; '-' before a VaR was published for a bar). */
  zones(): Record<string, string> {
    return Object.fromEntries([...this.engine.portfolios()].map(([key, p]) => [key, p.figures?.backtest?.zone ?? '-']));
  }

  table(): string {
    const pct = (x: number | undefined) => (x === undefined || x !== x ? '-' : `${(100 * x).toFixed(3)}%`).padStart(9);
    const window = this.engine.universes().get(DEMO_UNIVERSE)?.window;
    const lines = [
      `\n  portfolio VaR now (95%, over the last ${fmt(window?.rows ?? 0)} of ${fmt(this.rows)} bar returns; per bar, as % of value)`,
      `  ${'portfolio'.padEnd(24)}hist VaR   hist ES  gauss VaR  gauss ES  volatility     limit  alerts  backtest (zone, exceptions/periods)`,
    ];
    for (const [key, p] of this.engine.portfolios()) {
      const f = p.figures;
      lines.push(
        `  ${key.padEnd(22)}${pct(f?.historical.var)} ${pct(f?.historical.es)}  ${pct(f?.gaussian.var)} ${pct(f?.gaussian.es)}   ${pct(f?.volatility)} ${pct(p.limit)}  ${String(p.alerts).padStart(6)}  ${zoneOf(f)}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
