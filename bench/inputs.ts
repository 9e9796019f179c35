/**
 * Seeded inputs of the benches that the tests use too (test/helpers/trades.ts and test/helpers/pin.ts
 * re-export them): defined here, so that the bench imports nothing from test/.
 */
import type { Kernels, Matrix, PinParams, Trades } from '../src/api/index.js';
import { prng } from './lib.js';

/**
 * A cent-grid tape as real ones trade: each price one cent up or down from the last, or the same price
 * (a zero tick, with probability `zeroTicks`), 0-19 ms apart (bursts at one timestamp), integer volumes
 * 1..100 (or with `fractional`, volumes with fractions of a share from the `fractional`-th trade on).
 */
export function centGrid(n: number, seed = 1, zeroTicks = 0.45, fractional = Infinity): Trades {
  const rnd = prng(seed);
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  let t = 1_700_000_000_000;
  let cents = 10_000;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 20);
    const u = rnd();
    if (u >= zeroTicks) cents += u < zeroTicks + (1 - zeroTicks) / 2 ? 1 : -1;
    ts[i] = t;
    price[i] = cents / 100;
    volume[i] = 1 + Math.floor(rnd() * 100) + (i >= fractional ? Math.floor(rnd() * 8) / 8 + 0.1 : 0);
  }
  return { ts, price, volume };
}

/**
 * `trades` with a bid and an ask at each trade, a cent or two around its price: the trade at the bid, at
 * the ask or inside, in turn (the quote classifiers' input; bench/vpin.ts, test/vpin).
 */
export function withQuotes(trades: Trades): Trades & { bid: Float64Array; ask: Float64Array } {
  return {
    ...trades,
    bid: trades.price.map((p, i) => p - (i % 3) * 0.005 - 0.005),
    ask: trades.price.map((p, i) => p + ((i + 1) % 3) * 0.005 + 0.005),
  };
}

/**
 * `n` one-minute closes as an exchange prints them: 390 bars a weekday 09:30-15:59 UTC from Monday
 * 2024-01-01, none at night or on weekends (ts epoch ms); log returns N(0, 0.001) a bar and N(0, 0.004)
 * more at each day's open, from 100, rounded to the cent (scripts/labeling-fixtures/generate.py's
 * series without its drift regimes, seeded by mulberry32 here; the labeling bench's input).
 */
export function minuteCloses(n: number, seed = 1): { ts: Float64Array; close: Float64Array } {
  const rnd = prng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const ts = new Float64Array(n);
  const close = new Float64Array(n);
  const DAY = 86_400_000;
  let day = Date.UTC(2024, 0, 1);
  let logPrice = Math.log(100);
  for (let i = 0; i < n; ) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) {
      for (let k = 0; k < 390 && i < n; k++, i++) {
        if (i > 0) logPrice += 0.001 * normal() + (k === 0 ? 0.004 * normal() : 0);
        ts[i] = day + (570 + k) * 60_000;
        close[i] = Math.round(100 * Math.exp(logPrice)) / 100;
      }
    }
    day += DAY;
  }
  return { ts, close };
}

/** A Poisson draw by exponential inter-arrivals. */
function poisson(u: () => number, lambda: number): number {
  let k = 0;
  let t = -Math.log(1 - u());
  while (t < lambda) {
    k++;
    t -= Math.log(1 - u());
  }
  return k;
}

/** `days` of daily buy and sell counts from the PIN model with parameters `p`, seeded. */
export function simulatePin(p: PinParams, days: number, seed: number): { buys: Float64Array; sells: Float64Array } {
  const u = prng(seed);
  const buys = new Float64Array(days);
  const sells = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    const event = u() < p.alpha;
    const bad = u() < p.delta;
    buys[i] = poisson(u, p.epsilonBuy + (event && !bad ? p.mu : 0));
    sells[i] = poisson(u, p.epsilonSell + (event && bad ? p.mu : 0));
  }
  return { buys, sells };
}

/**
 * The backtest benches' closes, rows x cols row-major: a 2% random walk from 50..150 by mulberry32(seed)
 * (prng), one draw per element in row order, as bench/peers/vectorbt_backtest.py generates them.
 */
export function backtestPrices(rows: number, cols: number, seed: number): Float64Array {
  const rnd = prng(seed);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = i < cols ? 50 + 100 * rnd() : out[i - cols] * (1 + (rnd() - 0.5) * 0.04);
  return out;
}

/** MA-cross signals of every column: sma 10 over sma 50, vectorbt's crossed_above / crossed_below. */
export function maCross(k: Kernels, close: Matrix): { entries: Matrix; exits: Matrix } {
  const fast = k.sma(close, { timePeriod: 10 }) as Matrix;
  const slow = k.sma(close, { timePeriod: 50 }) as Matrix;
  return { entries: k.crossedAbove(fast, slow) as unknown as Matrix, exits: k.crossedBelow(fast, slow) as unknown as Matrix };
}
