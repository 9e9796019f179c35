/**
 * A multi-symbol tape (a symbol column) gives bars per symbol through the io layer's splitBySymbol: each
 * symbol's bars are those of its own trades alone, its tick rule and bar sums not carried from the
 * other symbols' rows it is interleaved with (mlfinlab builds one symbol's tape at a time); tickNum
 * counts within the symbol.
 */
import { describe, expect, it } from 'vitest';
import { splitBySymbol } from '../../src/io/index.js';
import { kernels, type Trades } from '../../src/index.js';
import { Sampler } from '../../src/kernels/sample.js';
import type { Bars } from '../../src/kernels/features/features.js';

const k = kernels({ backend: 'reference' });
const columns = (b: Bars) => Object.fromEntries(Object.entries(b).map(([name, c]) => [name, Array.from(c as Float64Array)]));

describe('bars per symbol', () => {
  it("an interleaved tape split by symbol gives each symbol's own bars, for every kind", () => {
    const s = new Sampler(5);
    const own = { AAA: s.trades(700), BBB: s.trades(500) };
    // interleave them in time order, with their symbol codes
    const rows = [...Array.from(own.AAA.ts, (t, i) => ({ t, code: 0, i })), ...Array.from(own.BBB.ts, (t, i) => ({ t, code: 1, i }))].sort(
      (a, b) => a.t - b.t || a.code - b.code,
    );
    const pick = (key: 'ts' | 'price' | 'volume') => Float64Array.from(rows, (r) => (r.code === 0 ? own.AAA : own.BBB)[key][r.i]);
    const tape = { ts: pick('ts'), price: pick('price'), volume: pick('volume') };
    const symbols = { codes: Int32Array.from(rows, (r) => r.code), values: ['AAA', 'BBB'] };
    const split = splitBySymbol(tape, symbols);
    expect(split.map((x) => x.symbol)).toEqual(['AAA', 'BBB']);
    const calls: ((t: Trades) => Bars)[] = [
      (t) => k.bars(t, { by: 'volume', threshold: 5000 }),
      (t) => k.bars(t, { by: 'time', threshold: 5000 }),
      (t) => k.imbalanceBars(t, { by: 'tick', expNumTicksInit: 20, expectedImbalanceWindow: 50 }),
      (t) => k.runBars(t, { by: 'dollar', kind: 'const', expNumTicksInit: 10, expectedImbalanceWindow: 30 }),
    ];
    for (const call of calls) {
      for (const { symbol, trades } of split) {
        const want = call(own[symbol as 'AAA' | 'BBB']);
        expect(want.ts.length).toBeGreaterThan(0);
        expect(columns(call(trades))).toEqual(columns(want));
      }
      // the interleaved tape as one symbol is another thing: its bars differ
      expect(columns(call(tape))).not.toEqual(columns(call(split[0].trades)));
    }
  });
});
