/**
 * splitBySymbol's native row loops (native/io/symbol_split.cpp) against the JS reference loops
 * (src/io/symbol-split.ts) and an independent filter per symbol: seeded tapes of 1 to 60 symbols,
 * with and without bid/ask, a chosen subset of symbols, a dictionary holding a value twice, views at
 * an offset; the errors (a row without a symbol, a bad layout) from both.
 */
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import {
  nativeSplitLoops,
  referenceSplitLoops,
  type SplitLoops,
  splitBySymbol,
  splitColumns,
  splitColumnsWith,
  splitWith,
} from '../../src/io/symbol-split.js';
import type { TextColumn } from '../../src/io/types.js';
import type { Trades } from '../../src/kernels/vpin/vpin.js';
import { inCI } from '../helpers/backends.js';

const native = nativeSplitLoops();
const suite = native || inCI ? describe : describe.skip;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** A tape of n rows over m symbols (the dictionary's last value repeats its first when `repeat`). */
function tape(n: number, m: number, seed: number, quoted: boolean, repeat = false): { trades: Trades; symbols: TextColumn } {
  const rnd = random(seed);
  const column = () => Float64Array.from({ length: n }, () => Math.round(rnd() * 1e6) / 100);
  const trades: Trades = { ts: Float64Array.from({ length: n }, (_, i) => 1.7e12 + i), price: column(), volume: column() };
  if (quoted) {
    trades.bid = column();
    trades.ask = column();
  }
  const values = Array.from({ length: m }, (_, c) => `S${c}`);
  if (repeat) values.push('S0');
  const codes = Int32Array.from({ length: n }, () => Math.floor(rnd() * values.length));
  return { trades, symbols: { codes, values } };
}

/** The split computed independently: for each symbol, the rows holding it, in order. */
function byFilter(trades: Trades, symbols: TextColumn, order: string[]) {
  const keys = (['ts', 'price', 'volume', 'bid', 'ask'] as const).filter((k) => trades[k] !== undefined);
  return order.map((symbol) => {
    const rows = Array.from(symbols.codes.keys()).filter((i) => symbols.values[symbols.codes[i]] === symbol);
    return { symbol, columns: Object.fromEntries(keys.map((k) => [k, rows.map((i) => trades[k]![i])])) };
  });
}

const plain = (parts: ReturnType<typeof splitBySymbol>) =>
  parts.map(({ symbol, trades }) => ({
    symbol,
    columns: Object.fromEntries(Object.entries(trades).map(([k, v]) => [k, Array.from(v as Float64Array)])),
  }));

suite('splitBySymbol: native row loops against the JS reference', () => {
  const loops: [string, SplitLoops][] = [
    ['native', native as SplitLoops],
    ['reference', referenceSplitLoops],
  ];

  it('splitBySymbol uses the native loops when the addon loads', () => {
    expect(loadNative().binding?.scatterBySymbol).toBeTypeOf('function');
    const { trades, symbols } = tape(1000, 5, 1, false);
    expect(plain(splitBySymbol(trades, symbols))).toEqual(plain(splitWith(native!, trades, symbols)));
  });

  for (const [n, m, quoted, repeat] of [
    [0, 1, false, false],
    [1, 1, true, false],
    [5000, 1, false, false],
    [5000, 8, true, false],
    [20_000, 60, false, true],
    [3000, 8, true, true],
  ] as const) {
    it(`${n} rows, ${m} symbols${quoted ? ', bid/ask' : ''}${repeat ? ', a value twice in the dictionary' : ''}`, () => {
      const { trades, symbols } = tape(n, m, n + m, quoted, repeat);
      const seen = [...new Set(Array.from(symbols.codes, (c) => symbols.values[c]))];
      const want = byFilter(trades, symbols, seen);
      for (const [name, l] of loops) expect(plain(splitWith(l, trades, symbols)), name).toEqual(want);
      if (seen.length > 2) {
        const chosen = [seen[2], seen[0]];
        const wantChosen = byFilter(trades, symbols, chosen);
        for (const [name, l] of loops) expect(plain(splitWith(l, trades, symbols, { symbols: chosen })), name).toEqual(wantChosen);
      }
    });
  }

  it('each symbol’s columns are consecutive views of one fresh array per column', () => {
    const { trades, symbols } = tape(2000, 4, 9, true);
    const parts = splitBySymbol(trades, symbols);
    const buffer = parts[0].trades.price.buffer;
    expect(buffer).not.toBe(trades.price.buffer);
    let offset = 0;
    for (const p of parts) {
      expect(p.trades.price.buffer).toBe(buffer);
      expect(p.trades.price.byteOffset).toBe(offset);
      offset += p.trades.price.byteLength;
    }
    expect(offset).toBe(2000 * 8);
  });

  it('reads views at an offset', () => {
    const { trades, symbols } = tape(3001, 6, 4, true);
    const view = (a: Float64Array) => a.subarray(1);
    const t: Trades = {
      ts: view(trades.ts),
      price: view(trades.price),
      volume: view(trades.volume),
      bid: view(trades.bid!),
      ask: view(trades.ask!),
    };
    const s: TextColumn = { codes: symbols.codes.subarray(1), values: symbols.values };
    const seen = [...new Set(Array.from(s.codes, (c) => s.values[c]))];
    expect(plain(splitBySymbol(t, s))).toEqual(byFilter(t, s, seen));
  });

  it('splitColumns splits any columns (four bar columns and a row index) as the filter does', () => {
    const { trades, symbols } = tape(5000, 7, 11, true, true);
    const rows = Float64Array.from(symbols.codes.keys());
    const columns = [trades.price, trades.volume, trades.bid!, trades.ask!, rows];
    const order = [...new Set(Array.from(symbols.codes, (c) => symbols.values[c] as string))];
    const want = byFilter(trades, symbols, order);
    for (const [name, l] of loops) {
      const got = splitColumnsWith(l, columns, symbols, { row: 'bar' });
      expect(
        got.map((g) => g.symbol),
        name,
      ).toEqual(order);
      got.forEach((g, k) => {
        const w = want[k]!.columns;
        const held = Array.from(symbols.codes.keys()).filter((i) => symbols.values[symbols.codes[i]!] === g.symbol);
        expect(
          g.columns.map((c) => Array.from(c)),
          name,
        ).toEqual([w.price, w.volume, w.bid, w.ask, held]);
      });
      // the groups' columns are consecutive views of one array per column: the last one is the rows' order
      expect(got[0]!.columns[4]!.buffer.byteLength).toBe(5000 * 8);
    }
    expect(splitColumns(columns, symbols, { symbols: ['S3', 'S1'] }).map((g) => g.symbol)).toEqual(['S3', 'S1']);
    symbols.codes[9] = -1;
    expect(() => splitColumns(columns, symbols, { row: 'bar' })).toThrow(
      new KernelInputError('symbols.codes[9]', `a code in [0, ${symbols.values.length - 1}] (every bar has a symbol)`, '-1'),
    );
    expect(() => splitColumns([trades.price.subarray(1)], symbols)).toThrow(
      new KernelInputError('columns[0]', '5000 values (one per symbol code)', '4999'),
    );
  });

  it('a row without a symbol: the same KernelInputError from both loops', () => {
    const { trades, symbols } = tape(100, 3, 5, false);
    symbols.codes[57] = -1;
    for (const [, l] of loops) {
      expect(() => splitWith(l, trades, symbols)).toThrow(
        new KernelInputError('symbols.codes[57]', 'a code in [0, 2] (every trade has a symbol)', '-1'),
      );
    }
    symbols.codes[57] = 3;
    for (const [, l] of loops) expect(() => splitWith(l, trades, symbols)).toThrow('symbols.codes[57]: expected a code in [0, 2]');
  });

  it('the binding checks its arguments and the layout before it writes', () => {
    const b = loadNative().binding!;
    const codes = Int32Array.of(0, 1, 0);
    const col = Float64Array.of(1, 2, 3);
    const groupOf = Int32Array.of(0, 1);
    const start = Int32Array.of(0, 2, 3);
    const out = () => [new Float64Array(3)];
    const cases: [() => unknown, string][] = [
      [
        () => b.symbolCounts([0] as unknown as Int32Array, new Int32Array(1), new Int32Array(1)),
        'codes: expected an Int32Array, got an Array',
      ],
      [() => b.symbolCounts(codes, new Int32Array(2), new Int32Array(1)), 'first'],
      [() => b.scatterBySymbol(codes, groupOf, new Int32Array(0), [col], out()), 'start: expected one offset per group and one more'],
      [() => b.scatterBySymbol(codes, groupOf, Int32Array.of(1, 2, 3), [col], out()), 'start: expected offsets from 0'],
      [() => b.scatterBySymbol(codes, Int32Array.of(0, 2), start, [col], out()), 'start: expected offsets from 0'],
      [
        () => b.scatterBySymbol(codes, groupOf, Int32Array.of(0, 1, 3), [col], out()),
        "codes: expected rows that fill start's groups exactly",
      ],
      [() => b.scatterBySymbol(Int32Array.of(0, 2, 0), groupOf, start, [col], out()), 'codes: expected rows that fill'],
      [() => b.scatterBySymbol(codes, groupOf, start, [Float64Array.of(1)], out()), 'columns[0]: expected length 3, got length 1'],
      [() => b.scatterBySymbol(codes, groupOf, start, [col], [new Float64Array(2)]), 'outs[0]: expected length 3, got length 2'],
      [() => b.scatterBySymbol(codes, groupOf, start, [col], []), 'outs'],
    ];
    for (const [call, message] of cases) {
      expect(call).toThrow(message);
      expect(call).toThrow(KernelInputError);
    }
    const outs = out();
    b.scatterBySymbol(codes, groupOf, start, [col], outs);
    expect(Array.from(outs[0])).toEqual([1, 3, 2]);
  });
});
