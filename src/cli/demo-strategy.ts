/**
 * The strategy half of `kernelbus demo`: a built-in example strategy, an MA cross on VPIN-filtered bars
 * (long a slice of the equity when the fast SMA of a symbol's closes crosses above the slow one, flat
 * when it crosses below; no new entry while the symbol's last VPIN_CALCULATION has a CDF above 0.9),
 * run by a StrategyEngine on the demo's bus. Its orders, fills and positions go out on the logic bus
 * (the RiskEngine measures its book, the dashboard shows it), and a CollateralEngine margins its account
 * (DEMO_ACCOUNTS: MARGIN_UPDATE, MARGIN_CALL; the dashboard's margin panel). The status line counts the messages; the
 * summary shows the account at the end, each position marked to its symbol's last trade.
 */
import type { Bus } from '../bus/bus.js';
import { CollateralEngine } from '../engines/collateral.js';
import { StrategyEngine } from '../engines/strategy.js';
import type { Accounts } from '../strategy/accounts.js';
import type { VpinCalculation } from '../engines/vpin.js';
import { defineStrategy } from '../strategy/define.js';
import type { PositionUpdate, Strategy, StrategyFill } from '../strategy/types.js';
import { fmt } from './summary.js';

/** The example strategy's name (the first part of its order ids). */
export const DEMO_STRATEGY = 'vpin-ma-cross';
/** No new entries while the symbol's VPIN CDF is above this. */
export const TOXIC_CDF = 0.9;
/** The demo account's starting cash. */
export const DEMO_CASH = 1_000_000;
/** The demo's fees: a fraction of each fill's value (5 basis points), as a broker charges. */
export const DEMO_FEES = 0.0005;
/** The demo's account: the example strategy's, margined on returns of each second (docs/margin.md). */
export const DEMO_ACCOUNTS: Accounts = {
  source: 'kernelbus demo',
  accounts: [
    {
      name: 'demo',
      strategies: [DEMO_STRATEGY],
      cash: DEMO_CASH,
      margin: { every: 1000, seed: 5, horizon: 2, window: 120, fallbackRate: 0.2, haircuts: 0.05 },
    },
  ],
};
/** Positions the summary lists. */
const SHOWN = 5;

/** Options of the example strategy. */
export interface VpinMaCrossOptions {
  /** Time bars of this many ms. */
  barMs: number;
  /** Periods of the fast and slow SMA of the closes. */
  fast: number;
  slow: number;
  /** The fraction of the equity an entry buys. */
  fraction: number;
}

/** State of the example strategy: entries it did not take because the VPIN CDF was above TOXIC_CDF. */
export interface VpinMaCrossState {
  heldBack?: number;
}

/**
 * The demo's example strategy: on each closed bar of a symbol, a cross of the fast SMA above the slow
 * one while flat buys `fraction` of the equity, unless the symbol's last VPIN_CALCULATION (ctx.latest)
 * has a CDF above TOXIC_CDF (counted in ctx.state.heldBack); a cross below while long closes it.
 */
export function vpinMaCross(options: VpinMaCrossOptions): Strategy<VpinMaCrossState> {
  const { barMs, fast, slow, fraction } = options;
  return defineStrategy<VpinMaCrossState>({
    name: DEMO_STRATEGY,
    bars: { by: 'time', threshold: barMs },
    indicators: { fast: { name: 'sma', timePeriod: fast }, slow: { name: 'sma', timePeriod: slow } },
    onBar(ctx, bar) {
      const { symbol } = bar;
      const above = ctx.value('fast', symbol) > ctx.value('slow', symbol);
      const wasAbove = ctx.value('fast', symbol, 1) > ctx.value('slow', symbol, 1);
      if (above && !wasAbove && ctx.position(symbol) === 0) {
        const vpin = ctx.latest('VPIN_CALCULATION', symbol) as VpinCalculation | undefined;
        if (vpin && vpin.cdf > TOXIC_CDF) ctx.state.heldBack = (ctx.state.heldBack ?? 0) + 1;
        else ctx.targetPercent(symbol, fraction);
      }
      if (!above && wasAbove && ctx.position(symbol) > 0) ctx.close(symbol);
    },
  });
}

/** What the demo's summary shows of a symbol: its last POSITION_UPDATE. */
type Held = Pick<PositionUpdate, 'units' | 'avgPrice' | 'realizedPnl' | 'unrealizedPnl'>;

/** The example strategy on the demo's bus, and what its messages said (orders, fills, positions). */
export class DemoStrategy {
  readonly engine: StrategyEngine;
  /** The Collateral engine of the strategy's account (DEMO_ACCOUNTS). */
  readonly collateral: CollateralEngine;
  readonly strategy: Strategy<VpinMaCrossState>;
  /** Orders (STRATEGY_SIGNAL), fills (ORDER_FILL) and fees seen. */
  orders = 0;
  fills = 0;
  fees = 0;
  /** The equity of the last POSITION_UPDATE (DEMO_CASH before any). */
  equity = DEMO_CASH;
  /** The last fills (at most 5, oldest first). */
  readonly lastFills: StrategyFill[] = [];
  /** The symbols of the fills, in the order first filled. */
  private readonly traded = new Set<string>();

  /** Starts the engine on `bus` for `symbols` (bars of `barMs`), and listens to its messages. */
  constructor(
    bus: Bus,
    symbols: readonly string[],
    readonly barMs: number,
    strategyOptions: Partial<VpinMaCrossOptions> = {},
  ) {
    this.strategy = vpinMaCross({ barMs, fast: 5, slow: 15, fraction: Math.min(0.1, 0.9 / symbols.length), ...strategyOptions });
    // maxLatenessMs: in process every symbol's trades arrive within a few ms of each other
    // it reads VPIN_CALCULATION only (ctx.latest): the engine observes nothing else
    this.engine = new StrategyEngine(bus, {
      strategies: this.strategy,
      symbols,
      initCash: DEMO_CASH,
      fees: DEMO_FEES,
      maxLatenessMs: 50,
      observe: ['VPIN_CALCULATION'],
    }).start();
    this.collateral = new CollateralEngine(bus, { accounts: DEMO_ACCOUNTS }).start();
    bus.subscribe('STRATEGY_SIGNAL', () => void this.orders++);
    bus.subscribe<StrategyFill>('ORDER_FILL', (m) => {
      this.fills++;
      this.fees += m.payload.fees;
      this.lastFills.push(m.payload);
      this.traded.add(m.payload.symbol);
      if (this.lastFills.length > 5) this.lastFills.shift();
    });
    bus.subscribe<PositionUpdate>('POSITION_UPDATE', (m) => void (this.equity = m.payload.equity));
  }

  /** Each symbol traded: its position now (units, entry price, P&L), marked to its last trade. */
  positions(): Map<string, Held> {
    const runner = this.engine.strategies()[0];
    return new Map([...this.traded].map((symbol) => [symbol, runner.positionOf(runner.symbolIndex(symbol), Number.NaN)]));
  }

  /** The account's equity now, every position marked to its last trade. */
  equityNow(): number {
    return this.engine.strategies()[0].account.equity();
  }

  /** Entries not taken because the VPIN CDF was above TOXIC_CDF. */
  get heldBack(): number {
    return (this.engine.strategies()[0].ctx.state as VpinMaCrossState).heldBack ?? 0;
  }

  /** The status line's part: orders, fills and P&L so far. */
  status(): string {
    return `orders ${fmt(this.orders)}  P&L ${signed(this.equity - DEMO_CASH)}`;
  }

  /** The summary as JSON: counts, equity, P&L (money in cents), the symbols traded, the last fills. */
  json() {
    const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
    const equity = this.equityNow();
    return {
      name: DEMO_STRATEGY,
      orders: this.orders,
      fills: this.fills,
      heldBackByVpin: this.heldBack,
      equity: round(equity),
      pnl: round(equity - DEMO_CASH),
      fees: round(this.fees),
      symbols: Object.fromEntries(
        [...this.positions()].map(([s, p]) => [
          s,
          { units: p.units, avgPrice: round(p.avgPrice), realizedPnl: round(p.realizedPnl), unrealizedPnl: round(p.unrealizedPnl) },
        ]),
      ),
      lastFills: this.lastFills,
    };
  }

  /**
   * The summary's strategy section: counts, equity and P&L now (fees included), the SHOWN symbols of
   * largest P&L of those traded (said so), the last fills; units as filled (fractions kept).
   */
  table(): string {
    const s = this.strategy;
    const equity = this.equityNow();
    const fast = s.indicators!.fast.timePeriod;
    const slow = s.indicators!.slow.timePeriod;
    const lines = [
      `\n  strategy ${DEMO_STRATEGY} (SMA ${fast} / ${slow} cross on ${this.barMs < 1000 ? `${this.barMs} ms` : `${fmt(this.barMs / 1000)} s`} bars, no entry while VPIN CDF > ${TOXIC_CDF}; fees ${DEMO_FEES * 1e4} bp of each fill)`,
      `  ${fmt(this.orders)} orders, ${fmt(this.fills)} fills, ${fmt(this.heldBack)} entries held back by VPIN; equity ${money(equity)} (P&L ${signed(equity - DEMO_CASH)}, fees ${money(this.fees)})`,
    ];
    const all = [...this.positions()].sort((a, b) => pnl(b[1]) - pnl(a[1]));
    const top = all.slice(0, SHOWN);
    if (top.length > 0) {
      const which =
        all.length > SHOWN ? `the ${SHOWN} of largest P&L of the ${fmt(all.length)} symbols traded (--json: all)` : 'every symbol traded';
      lines.push(`  ${which}; avg price: the position's average entry price`);
      lines.push('  symbol         units   avg price    realized  unrealized');
      for (const [symbol, p] of top) {
        lines.push(
          `  ${symbol.padEnd(10)} ${units(p.units).padStart(9)} ${(p.units === 0 ? '-' : p.avgPrice.toFixed(2)).padStart(11)} ${signed(p.realizedPnl).padStart(11)} ${signed(p.unrealizedPnl).padStart(11)}`,
        );
      }
    }
    for (const f of this.lastFills) {
      lines.push(`  fill ${f.id}: ${f.units > 0 ? 'bought' : 'sold'} ${units(Math.abs(f.units))} ${f.symbol} at ${f.price.toFixed(2)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

const pnl = (p: Held) => p.realizedPnl + p.unrealizedPnl;
const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Units as filled: whole numbers with separators, a fraction to 4 decimals. */
const units = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 4 });
const signed = (x: number) => `${x >= 0 ? '+' : '-'}${money(Math.abs(x))}`;
