/**
 * classifyTrades from a quote stream on a tape long enough that the native kernel splits it into parts
 * (2^18 trades a part at least): it checks the stream's rows part by part as its merge reads them, so
 * a bad row anywhere (before the first trade, inside a part, at a part's border, after the last trade,
 * out of order) must give the reference's error, and a good stream the reference's labels. The same
 * with a lag over the trades' own rows, which it checks chunk by chunk as it reads them.
 */
import { expect, it } from 'vitest';
import { describeEachBackend, ref } from '../helpers/backends.js';

const n = 600_000; // at least 2^19 trades: two parts on the native side (kPartMin = 2^18)
const ts = Float64Array.from({ length: n }, (_, i) => 1_000 + 10 * i);
const price = Float64Array.from({ length: n }, (_, i) => 100 + ((i * 7) % 13) * 0.01);
const volume = new Float64Array(n).fill(1);
const m = 2 * n + 100; // two quotes a trade, 50 before the first trade and 50 after the last
const quoteTs = Float64Array.from({ length: m }, (_, j) => 1_000 + 5 * (j - 50));
const bid = Float64Array.from({ length: m }, (_, j) => 100 + ((j * 3) % 11) * 0.01 - 0.02);
const ask = Float64Array.from(bid, (b) => b + 0.03);

describeEachBackend(
  'classifyTrades from a long quote stream',
  (k, _name, supports) => {
    it.runIf(supports('classifyTrades'))('gives the reference labels, and its error for a bad row anywhere in the stream', () => {
      const trades = { ts, price, volume };
      const options = { algorithm: 'lee-ready' as const };
      expect(k.classifyTrades(trades, { ...options, quotes: { ts: quoteTs, bid, ask } })).toEqual(
        ref.classifyTrades(trades, { ...options, quotes: { ts: quoteTs, bid, ask } }),
      );
      const border = 50 + 2 * Math.floor(n / 2); // about where the native parts meet
      for (const at of [0, 49, 50, 1000, border - 1, border, border + 1, m - 51, m - 1]) {
        for (const [column, value] of [
          ['bid', -1],
          ['ask', Infinity],
          ['ts', quoteTs[at] - 100],
        ] as const) {
          const quotes = { ts: quoteTs.slice(), bid: bid.slice(), ask: ask.slice() };
          quotes[column][at] = value;
          let expected = '';
          try {
            ref.classifyTrades(trades, { ...options, quotes });
          } catch (error) {
            expected = (error as Error).message;
          }
          if (column === 'ts' && at === 0)
            expect(expected).toBe(''); // the first quote earlier: still sorted
          else expect(expected, `${column}[${at}]`).not.toBe('');
          const run = () => k.classifyTrades(trades, { ...options, quotes });
          if (expected === '') expect(run).not.toThrow();
          else expect(run, `${column}[${at}]`).toThrow(expected);
        }
      }
    });

    it.runIf(supports('classifyTrades'))(
      "with a lag over the trades' own rows: the reference labels, and its error for a bad row anywhere",
      () => {
        const rowBid = Float64Array.from(price, (p) => p - 0.01);
        const rowAsk = Float64Array.from(price, (p) => p + 0.01);
        for (const lagFrom of ['quotes', 'trades'] as const) {
          const options = { algorithm: 'lee-ready' as const, quoteLagMs: 25, lagFrom };
          const trades = { ts, price, volume, bid: rowBid, ask: rowAsk };
          expect(k.classifyTrades(trades, options)).toEqual(ref.classifyTrades(trades, options));
          for (const at of [0, 1000, n / 2 - 1, n / 2, n / 2 + 1, n - 1]) {
            for (const [column, value] of [
              ['bid', NaN],
              ['ask', -2],
              ['price', Infinity],
              ['ts', ts[at] - 100],
            ] as const) {
              const bad = { ts: ts.slice(), price: price.slice(), volume, bid: rowBid.slice(), ask: rowAsk.slice() };
              bad[column][at] = value;
              let expected = '';
              try {
                ref.classifyTrades(bad, options);
              } catch (error) {
                expected = (error as Error).message;
              }
              const run = () => k.classifyTrades(bad, options);
              if (expected === '') expect(run, `${lagFrom} ${column}[${at}]`).not.toThrow();
              else expect(run, `${lagFrom} ${column}[${at}]`).toThrow(expected);
            }
          }
        }
      },
    );
  },
  'vpin',
);
