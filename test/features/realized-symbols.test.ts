/**
 * Realized measures per symbol: a multi-symbol tape (a symbol column) split by the io layer's
 * splitBySymbol gives each symbol its own trades, and each measure on them one Vector of that symbol's
 * days: its own returns only (never one across another symbol's rows it is interleaved with), held
 * here to sums of squared log returns computed in this file, a symbol of one trade a 0 on its day.
 */
import { describe, expect, it } from 'vitest';
import { splitBySymbol } from '../../src/io/index.js';
import type { Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 2, 4);

/** AAA trades on days 0 and 1, BBB on days 0 and 2, CCC once on day 1; interleaved in time. */
function tape() {
  const rows: [symbol: number, t: number, price: number][] = [];
  for (let i = 0; i < 30; i++) {
    const day = i < 15 ? 0 : 1;
    rows.push([0, D0 + day * DAY + 1000 * i, 100 + ((i * 7) % 5) / 10]);
    rows.push([1, D0 + (day === 0 ? 0 : 2) * DAY + 1000 * i + 500, 50 + ((i * 3) % 4) / 20]);
  }
  rows.push([2, D0 + DAY + 10, 7]);
  rows.sort((a, b) => a[1] - b[1]);
  return {
    trades: {
      ts: Float64Array.from(rows, (r) => r[1]),
      price: Float64Array.from(rows, (r) => r[2]),
      volume: Float64Array.from(rows, () => 1),
    },
    symbols: { codes: Int32Array.from(rows, (r) => r[0]), values: ['AAA', 'BBB', 'CCC'] },
    rows,
  };
}

/** Sum of squared log returns of `symbol`'s prices per UTC day, in the tape's order: [day, value][]. */
function byHand(rows: [number, number, number][], symbol: number): [number, number][] {
  const out: [number, number][] = [];
  let last: [number, number] | undefined; // [day, price]
  for (const [s, t, p] of rows) {
    if (s !== symbol) continue;
    const day = Math.floor(t / DAY) * DAY;
    if (last === undefined || last[0] !== day) out.push([day, 0]);
    else out[out.length - 1][1] += Math.log(p / last[1]) ** 2;
    last = [day, p];
  }
  return out;
}

function cases(k: Kernels): void {
  it("split by symbol: one Vector of days per symbol, each of the symbol's own returns", () => {
    const { trades, symbols, rows } = tape();
    const perSymbol = Object.fromEntries(
      splitBySymbol(trades, symbols).map(({ symbol, trades: t }) => [symbol, k.realizedVariance(t.price, { ts: t.ts })]),
    );
    expect(Object.keys(perSymbol)).toEqual(['AAA', 'BBB', 'CCC']);
    for (const [code, symbol] of ['AAA', 'BBB', 'CCC'].entries()) {
      const rv = perSymbol[symbol];
      const want = byHand(rows, code);
      expect(Array.from(rv.index as Float64Array), symbol).toEqual(want.map(([day]) => day));
      want.forEach(([, v], d) => expect(Math.abs(rv[d] - v), `${symbol} day ${d}`).toBeLessThanOrEqual(1e-15 * v));
    }
    expect(Array.from(perSymbol.AAA.index as Float64Array)).toEqual([D0, D0 + DAY]);
    expect(Array.from(perSymbol.BBB.index as Float64Array)).toEqual([D0, D0 + 2 * DAY]);
    expect(Array.from(perSymbol.CCC)).toEqual([0]); // one trade: its day's one return is the leading 0
    // the interleaved tape as one asset is another thing: returns across symbols
    expect(k.realizedVariance(trades.price, { ts: trades.ts })[0]).toBeGreaterThan(1);
  });
}

describe('realized measures per symbol [reference]', () => cases(ref));
describeEachBackend('realized measures per symbol', cases, 'features');
