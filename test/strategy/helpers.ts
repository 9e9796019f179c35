/** Tapes and strategies the strategy tests share. */
import { mulberry32 } from '../../src/math/mulberry32.js';
import { defineStrategy } from '../../src/strategy/index.js';
import type { Strategy, StrategyContext } from '../../src/strategy/index.js';
import type { Tape } from '../../src/strategy/backtest.js';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);

/** A seeded random walk of `n` trades per symbol, `gapMs` apart on average, the symbols interleaved (each row one symbol). */
export function randomTape(n: number, symbols: string[] = ['AAA'], gapMs = 7_000, seed = 7): Tape {
  const r = mulberry32(seed);
  const rows = n * symbols.length;
  const ts = new Float64Array(rows);
  const price = new Float64Array(rows);
  const volume = new Float64Array(rows);
  const codes = new Int32Array(rows);
  const last = symbols.map((_, k) => 100 + 10 * k);
  let t = T0;
  for (let i = 0; i < rows; i++) {
    const k = i % symbols.length;
    if (k === 0) t += Math.floor(1 + r() * 2 * gapMs);
    last[k] = Math.max(1, last[k] * (1 + 0.004 * (r() - 0.5)));
    ts[i] = t;
    price[i] = Math.round(last[k] * 100) / 100;
    volume[i] = 1 + Math.floor(r() * 100);
    codes[i] = k;
  }
  return { ts, price, volume, symbols: { codes, values: symbols } };
}

/** vectorbt's crossed_above state machine on one pair (src/backends/reference/indicators/signals.ts): true where it fires. */
export function crossStep(s: { below: boolean; ago: number }, x: number, y: number): boolean {
  if (Number.isNaN(x) || Number.isNaN(y)) {
    s.ago = -1;
    s.below = false;
    return false;
  }
  if (x > y) {
    if (!s.below) return false;
    s.ago += 1;
    return s.ago === 0;
  }
  s.ago = -1;
  if (x < y) s.below = true;
  return false;
}

type CrossState = Record<string, { up: { below: boolean; ago: number }; down: { below: boolean; ago: number } }>;

/**
 * The vectorized model as a bar strategy: long all the cash when sma(fast) crosses above sma(slow)
 * while flat, flat when it crosses below while long (vectorbt's from_signals with size Infinity).
 */
export function maCross(fast: number, slow: number, barMs = 60_000, name = 'macross', symbols?: string[]): Strategy<CrossState> {
  return defineStrategy<CrossState>({
    name,
    ...(symbols ? { symbols } : {}),
    bars: { by: 'time', threshold: barMs },
    indicators: { fast: { name: 'sma', timePeriod: fast }, slow: { name: 'sma', timePeriod: slow } },
    onBar(ctx: StrategyContext<CrossState>, bar) {
      const s = (ctx.state[bar.symbol] ??= { up: { below: false, ago: -1 }, down: { below: false, ago: -1 } });
      const f = ctx.value('fast', bar.symbol);
      const w = ctx.value('slow', bar.symbol);
      const entry = crossStep(s.up, f, w);
      const exit = crossStep(s.down, w, f);
      if (entry && ctx.position(bar.symbol) === 0) ctx.targetPercent(bar.symbol, 1);
      if (exit && ctx.position(bar.symbol) > 0) ctx.close(bar.symbol);
    },
  });
}

/**
 * A strategy that over-levers (issue 92's e2e): at each minute bar of a symbol it shorts twice the
 * equity, every third bar buys it back in part; limits of 3 orders a second and 6,000 units a symbol.
 * With OVER_LEVER_RISK (allowShort, a margin that calls) its orders meet every pre-trade rule.
 */
export function overLever(name = 'lever', symbols?: string[]): Strategy<object> {
  return defineStrategy({
    name,
    ...(symbols ? { symbols } : {}),
    bars: { by: 'time', threshold: 60_000 },
    limits: { maxOrdersPerSecond: 3, maxPositionUnits: 6_000 },
    onBar(ctx, bar) {
      const units = Math.floor((2 * ctx.equity()) / bar.close);
      if (bar.index % 3 === 2) ctx.order(bar.symbol, Math.floor(units / 3));
      else if (units > 0) ctx.order(bar.symbol, -units);
    },
  }) as Strategy<object>;
}

/** The over-levering strategy's run options: shorts allowed, a margin over minute returns, REDUCING on a call. */
export const OVER_LEVER_RISK = {
  initCash: 10_000,
  allowShort: true,
  fees: 0.0005,
  margin: { every: 60_000, seed: 5, horizon: 2, window: 120, fallbackRate: 0.3, haircuts: { '*': 0.05 } },
  onMarginCall: 'reduce',
} as const;
