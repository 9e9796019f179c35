/**
 * crossedAbove and crossedBelow (src/kernels/indicators/signals.ts), vectorbt 1.1.0's crossed_above
 * rule: hand-built cases for each rule (strictly below sets the flag, a tie keeps it and restarts the
 * count, NaN clears it, the start, `wait`), vectorbt's own docstring example, broadcasting, column
 * pairs over a grid of averages in run_combs' order, labels, the native entry's own checks, 1 and 2
 * threads, the promise variant; and vectorbt's stored values (test/fixtures/backtest/vectorbt.json,
 * written by scripts/backtest-fixtures.py from vectorbt itself) on every backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { combinations, KernelInputError, type Kernels, kernels, matrix, type SignalMatrix } from '../../src/api/index.js';
import { loadNative } from '../../src/backends/native/binding.js';
import { Sampler } from '../../src/kernels/sample.js';
import { describeEachBackend, ref } from '../helpers/backends.js';

const f64 = (...xs: number[]) => Float64Array.from(xs);
const N = NaN;
const bits = (x: Uint8Array | SignalMatrix) => Array.from(x instanceof Uint8Array ? x : x.data);
const twos = (n: number) => new Float64Array(n).fill(2);

/** Column c of a rows x cols signal Matrix. */
const signalColumn = (m: SignalMatrix, c: number) => Array.from({ length: m.rows }, (_, t) => m.data[t * m.cols + c]);

function rules(k: Kernels) {
  it('fires at the first bar above after a bar strictly below; not on the bars above after it', () => {
    expect(bits(k.crossedAbove(f64(1, 3, 3, 3), twos(4)))).toEqual([0, 1, 0, 0]);
  });

  it('a tie between below and above still fires: the flag is set by the bar below, kept by the tie', () => {
    expect(bits(k.crossedAbove(f64(1, 2, 2, 3), twos(4)))).toEqual([0, 0, 0, 1]);
  });

  it('tie then above at the start does not fire, nor above at the start: no bar below yet', () => {
    expect(bits(k.crossedAbove(f64(2, 3, 3), twos(3)))).toEqual([0, 0, 0]);
    expect(bits(k.crossedAbove(f64(3, 1, 3), twos(3)))).toEqual([0, 0, 1]);
  });

  it('a NaN in either side clears the flag: tie then above after it does not fire', () => {
    expect(bits(k.crossedAbove(f64(1, N, 3), twos(3)))).toEqual([0, 0, 0]);
    expect(bits(k.crossedAbove(f64(1, 1, 3), f64(2, N, 2)))).toEqual([0, 0, 0]);
    expect(bits(k.crossedAbove(f64(1, N, 2, 3), twos(4)))).toEqual([0, 0, 0, 0]);
    expect(bits(k.crossedAbove(f64(1, N, 1, 3), twos(4)))).toEqual([0, 0, 0, 1]);
  });

  it('the flag stays set once a bar was below: above, tie, above fires again (a tie restarts the count)', () => {
    expect(bits(k.crossedAbove(f64(1, 3, 2, 3, 3), twos(5)))).toEqual([0, 1, 0, 1, 0]);
  });

  it('wait = w fires at the w-th bar above after the first, counted again after a tie or a bar below', () => {
    expect(bits(k.crossedAbove(f64(1, 3, 3, 3), twos(4), { wait: 1 }))).toEqual([0, 0, 1, 0]);
    // the tie at bar 2 restarts the count: bar 3 counts 0, bar 4 counts 1
    expect(bits(k.crossedAbove(f64(1, 3, 2, 3, 3), twos(5), { wait: 1 }))).toEqual([0, 0, 0, 0, 1]);
    expect(bits(k.crossedAbove(f64(1, 3, 3, 1, 3, 3, 3), twos(7), { wait: 2 }))).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(bits(k.crossedAbove(f64(1, 3, 3), twos(3), { wait: 5 }))).toEqual([0, 0, 0]);
  });

  it("vectorbt's docstring example (generic/accessors.py crossed_above)", () => {
    const a = f64(1, 2, 3, 4, 5);
    const b = f64(5, 4, 3, 2, 1);
    const c = f64(1, 2, 3, 2, 1);
    expect(bits(k.crossedAbove(b, c))).toEqual([0, 0, 0, 0, 0]);
    expect(bits(k.crossedAbove(a, b))).toEqual([0, 0, 0, 1, 0]);
    expect(bits(k.crossedAbove(a, b, { wait: 1 }))).toEqual([0, 0, 0, 0, 1]);
  });

  it('crossedBelow(a, b) is crossedAbove(b, a); infinities compare as numbers', () => {
    const a = f64(3, 1, 2, 1, N, 1, 3, 1);
    const b = twos(8);
    expect(bits(k.crossedBelow(a, b))).toEqual(bits(k.crossedAbove(b, a)));
    expect(bits(k.crossedBelow(a, b))).toEqual([0, 1, 0, 1, 0, 0, 0, 1]);
    expect(bits(k.crossedAbove(f64(-Infinity, Infinity), f64(0, 0)))).toEqual([0, 1]);
  });

  it('broadcasts a one-column side over the other; a panel pair column by column', () => {
    const rows = 30;
    const s = new Sampler(3);
    const panel = s.matrix(rows, 3, () => s.int(0, 3));
    const line = s.fill(rows, () => s.int(0, 3));
    const col = (m: { data: Float64Array }, c: number, cols: number) => Float64Array.from({ length: rows }, (_, t) => m.data[t * cols + c]);
    const above = k.crossedAbove(panel, line);
    const below = k.crossedAbove(line, panel);
    const oneColumn = k.crossedAbove(panel, matrix(line, rows, 1));
    const other = s.matrix(rows, 3, () => s.int(0, 3));
    const pairwise = k.crossedAbove(panel, other);
    expect([above.rows, above.cols, below.cols]).toEqual([rows, 3, 3]);
    for (let c = 0; c < 3; c++) {
      expect(signalColumn(above, c)).toEqual(bits(k.crossedAbove(col(panel, c, 3), line)));
      expect(signalColumn(below, c)).toEqual(bits(k.crossedAbove(line, col(panel, c, 3))));
      expect(signalColumn(oneColumn, c)).toEqual(signalColumn(above, c));
      expect(signalColumn(pairwise, c)).toEqual(bits(k.crossedAbove(col(panel, c, 3), col(other, c, 3))));
    }
  });

  it('pairs: a grid of averages crossed pair by pair in run_combs order, labelled by the pair', () => {
    const close = new Sampler(9).fill(120, () => 0);
    let x = 100;
    for (let t = 0; t < 120; t++) close[t] = x += Math.sin(t / 4) + (t % 5) - 2;
    const periods = [2, 3, 5, 8];
    const ma = k.sma(close, { timePeriod: periods });
    const pairs = combinations(periods.length);
    const up = k.crossedAbove(ma, ma, { pairs });
    const down = k.crossedBelow(ma, ma, { pairs });
    expect([up.rows, up.cols]).toEqual([120, 6]);
    expect(up.columns?.[0]).toBe('sma(timePeriod=2)|sma(timePeriod=3)');
    expect(up.columns?.[5]).toBe('sma(timePeriod=5)|sma(timePeriod=8)');
    for (let j = 0; j < 6; j++) {
      const fast = k.sma(close, { timePeriod: periods[pairs.a[j]] });
      const slow = k.sma(close, { timePeriod: periods[pairs.b[j]] });
      expect(signalColumn(up, j), `pair ${j}`).toEqual(bits(k.crossedAbove(fast, slow)));
      expect(signalColumn(down, j), `pair ${j}`).toEqual(bits(k.crossedBelow(fast, slow)));
    }
    expect(up.data.some((v) => v === 1)).toBe(true);
  });

  it('labels: the rows from a (else b), the columns from either side, both where they differ', () => {
    const index = f64(1, 2, 3);
    const a = matrix(f64(1, 1, 3, 3, 1, 1), 3, 2, { columns: ['AAA', 'BBB'], index });
    const b = matrix(twos(6), 3, 2, { columns: ['AAA', 'BBB'] });
    const same = k.crossedAbove(a, b);
    expect(same.columns).toEqual(['AAA', 'BBB']);
    expect(same.index).toBe(index);
    expect(bits(same)).toEqual([0, 0, 1, 1, 0, 0]);
    const named = Object.assign(twos(3), { name: 'level' });
    expect(k.crossedAbove(a, named).columns).toEqual(['AAA|level', 'BBB|level']);
    expect(k.crossedAbove(matrix(a.data, 3, 2), named).columns).toEqual(['level', 'level']);
    expect(k.crossedAbove(matrix(a.data, 3, 2), matrix(b.data, 3, 2)).columns).toBeUndefined();
    const series = Object.assign(f64(1, 3), { index: ['d1', 'd2'] });
    const one = k.crossedAbove(series, twos(2));
    expect(one).toBeInstanceOf(Uint8Array);
    expect((one as Uint8Array & { index?: unknown }).index).toBe(series.index);
  });

  it('empty inputs and no pairs give empty signals', () => {
    expect(bits(k.crossedAbove(f64(), f64()))).toEqual([]);
    const none = k.crossedAbove(matrix(f64(1, 2), 2, 1), matrix(f64(1, 2), 2, 1), {
      pairs: { a: new Int32Array(0), b: new Int32Array(0) },
    });
    expect([none.rows, none.cols, none.data.length]).toEqual([2, 0, 0]);
  });

  it('the promise variants give the same signals', async () => {
    const a = f64(1, 3, 2, 3, 1);
    expect(bits(await k.crossedAboveAsync(a, twos(5)))).toEqual(bits(k.crossedAbove(a, twos(5))));
    expect(bits(await k.crossedBelowAsync(a, twos(5)))).toEqual(bits(k.crossedBelow(a, twos(5))));
  });
}

describe('indicators: crossovers (reference)', () => rules(ref));
describeEachBackend('indicators: crossovers', (k) => rules(k), 'indicators');

describe('combinations', () => {
  it("all pairs i < j in itertools.combinations' order; with columns, each pair per symbol", () => {
    expect(combinations(4)).toEqual({ a: Int32Array.of(0, 0, 0, 1, 1, 2), b: Int32Array.of(1, 2, 3, 2, 3, 3) });
    expect(combinations(3, 2)).toEqual({ a: Int32Array.of(0, 1, 0, 1, 2, 3), b: Int32Array.of(2, 3, 4, 5, 4, 5) });
    expect(combinations(99).a.length).toBe(4851);
    expect(combinations(1).a.length).toBe(0);
  });

  it('refuses anything but an integer count', () => {
    expect(() => combinations(2.5)).toThrow('n: expected an integer in [0, 65536], got 2.5');
    expect(() => combinations(3, -1)).toThrow(KernelInputError);
  });
});

/** vectorbt's values: scripts/backtest-fixtures.py (vectorbt 1.1.0 itself), NaN stored as null. */
const FIXTURE = new URL('../fixtures/backtest/vectorbt.json', import.meta.url);
interface Stored {
  rows: number;
  cols: number;
  data: (number | null)[];
}
const stored = existsSync(FIXTURE)
  ? (JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
      crossed?: { name: string; a: Stored; b: Stored; above: Stored; below: Stored }[];
      grid?: { windows: number[]; fast: number[]; slow: number[] };
    })
  : undefined;
const asMatrix = (m: Stored) =>
  matrix(
    Float64Array.from(m.data, (v) => (v === null ? NaN : v)),
    m.rows,
    m.cols,
  );

function vectorbtCases(k: Kernels) {
  for (const c of stored?.crossed ?? []) {
    it(`${c.name}: crossed_above and crossed_below as vectorbt's`, () => {
      expect(bits(k.crossedAbove(asMatrix(c.a), asMatrix(c.b))), 'above').toEqual(c.above.data);
      expect(bits(k.crossedBelow(asMatrix(c.a), asMatrix(c.b))), 'below').toEqual(c.below.data);
    });
  }
  it.runIf(stored?.grid !== undefined)("combinations(n) is MA.run_combs' column order (fast, slow windows)", () => {
    const { windows, fast, slow } = stored!.grid!;
    const pairs = combinations(windows.length);
    expect(Array.from(pairs.a, (i) => windows[i])).toEqual(fast);
    expect(Array.from(pairs.b, (j) => windows[j])).toEqual(slow);
  });
}

describe.skipIf(!stored?.crossed)('indicators: crossovers against vectorbt (reference)', () => vectorbtCases(ref));
if (stored?.crossed) describeEachBackend('indicators: crossovers against vectorbt', (k) => vectorbtCases(k), 'indicators');

describeEachBackend(
  'indicators: crossovers on 1 and 2 threads, and the native entry',
  (_, name) => {
    it('a 4,851-pair grid: the same signals on 1 and 2 threads as the reference', () => {
      const s = new Sampler(17);
      let x = 100;
      const close = s.fill(600, () => (x *= 1 + 0.02 * s.normal()));
      const ma = ref.sma(close, { timePeriod: Array.from({ length: 99 }, (_, i) => i + 2) });
      const pairs = combinations(99);
      const want = ref.crossedAbove(ma, ma, { pairs });
      const wantBelow = ref.crossedBelow(ma, ma, { pairs });
      for (const threads of [1, 2]) {
        const k = kernels({ backend: name, threads });
        const got = k.crossedAbove(ma, ma, { pairs });
        expect(Buffer.from(got.data).equals(Buffer.from(want.data)), `${threads} thread(s)`).toBe(true);
        const below = k.crossedBelow(ma, ma, { pairs });
        expect(Buffer.from(below.data).equals(Buffer.from(wantBelow.data)), `below, ${threads} thread(s)`).toBe(true);
      }
    });

    it('no rows and many pairs (fuzz_indicator_grids/no-rows-many-pairs): empty signals, nothing written', () => {
      const empty = { data: new Float64Array(0), rows: 0, cols: 99 };
      const k = kernels({ backend: name });
      for (const got of [
        k.crossedAbove(empty, empty, { pairs: combinations(99) }),
        k.crossedBelow(empty, empty, { pairs: combinations(99) }),
      ]) {
        expect(got.rows).toBe(0);
        expect(got.cols).toBe(4851);
        expect(got.data.length).toBe(0);
      }
    });

    it('pairs in any order (runs sharing a side, reversed, repeated), NaN and ties, wait 0 and 2: as the reference', () => {
      const s = new Sampler(23);
      const T = 300;
      const cols = 40;
      // a panel with ties (prices rounded) and NaN gaps
      const ma = ref.sma(
        s.fill(T, () => Math.round(100 + 5 * s.normal())),
        { timePeriod: Array.from({ length: cols }, (_, i) => i + 2) },
      );
      for (let j = 0; j < ma.data.length; j += 97) ma.data[j] = NaN;
      for (let trial = 0; trial < 20; trial++) {
        const n = s.int(1, 700);
        const a = new Int32Array(n);
        const b = new Int32Array(n);
        for (let q = 0; q < n; q++) {
          const kind = s.int(0, 3);
          // extend a run of a shared a, or of a shared b, or jump anywhere
          a[q] = q > 0 && kind === 0 ? a[q - 1] : q > 0 && kind === 1 ? (a[q - 1] + 1) % cols : s.int(0, cols - 1);
          b[q] = q > 0 && kind === 0 ? (b[q - 1] + 1) % cols : q > 0 && kind === 1 ? b[q - 1] : s.int(0, cols - 1);
        }
        for (const wait of [0, 2]) {
          const k = kernels({ backend: name });
          const got = k.crossedAbove(ma, ma, { pairs: { a, b }, wait });
          const want = ref.crossedAbove(ma, ma, { pairs: { a, b }, wait });
          expect(Buffer.from(got.data).equals(Buffer.from(want.data)), `trial ${trial}, wait ${wait}`).toBe(true);
          const below = k.crossedBelow(ma, ma, { pairs: { a, b }, wait });
          expect(Buffer.from(below.data).equals(Buffer.from(ref.crossedBelow(ma, ma, { pairs: { a, b }, wait }).data))).toBe(true);
        }
      }
    });

    it.runIf(name === 'native')('the native entry checks the pairs and lengths itself (KernelInputError naming the argument)', () => {
      const b = loadNative().binding as unknown as Record<string, (...args: unknown[]) => void>;
      const a = f64(1, 2, 3, 4);
      const p = Float64Array.of(0);
      const out = new Uint8Array(2);
      const call = (...args: unknown[]) => {
        try {
          b.crossedAbove(...args);
        } catch (e) {
          expect(e).toBeInstanceOf(KernelInputError);
          return (e as KernelInputError).message;
        }
        return 'no error';
      };
      expect(call(a, 2, a, 2, 2, Int32Array.of(2), Int32Array.of(0), p, new Uint8Array(2))).toBe(
        'pairsA: expected column indices of a in [0, 2), got [0] = 2',
      );
      expect(call(a, 2, a, 2, 2, Int32Array.of(0), Int32Array.of(-1), p, new Uint8Array(2))).toBe(
        'pairsB: expected column indices of b in [0, 2), got [0] = -1',
      );
      expect(call(a, 2, a, 2, 2, Int32Array.of(0), Int32Array.of(0, 1), p, out)).toBe(
        'pairsB: expected length 1 (as pairsA), got length 2',
      );
      expect(call(a, 3, a, 2, 2, Int32Array.of(0), Int32Array.of(0), p, out)).toBe('a: expected length 6 (rows x aCols), got length 4');
      expect(call(a, 2, a, 2, 2, Int32Array.of(0), Int32Array.of(0), p, new Uint8Array(3))).toBe(
        'out: expected length 2 (as the input), got length 3',
      );
      expect(call(a, 2, a, 2, 2, f64(0), Int32Array.of(0), p, out)).toBe('pairsA: expected an Int32Array, got Float64Array');
      expect(call(a, 2, a, 2, 2, Int32Array.of(0), Int32Array.of(0), p, new Float64Array(2))).toBe(
        'out: expected a Uint8Array, got Float64Array',
      );
      expect(call(a, 2, a, 2, 2, Int32Array.of(0), Int32Array.of(0), Float64Array.of(-1), out)).toBe(
        'options.wait: expected an integer >= 0, got -1',
      );
      const grid = (...args: unknown[]) => {
        try {
          b.smaGrid(...args);
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error';
      };
      expect(grid(a, 4, 1, f64(2, 1), 2, new Float64Array(8))).toBe('options.timePeriod: expected an integer in [2, 100000], got 1');
      expect(grid(a, 4, 1, f64(2, 3), 0, new Float64Array(0))).toBe('count: expected an integer >= 1 (the parameter sets), got 0');
      expect(grid(a, 4, 1, f64(2, 3), 3, new Float64Array(8))).toBe('sets: expected length 3 (count x parameters), got length 2');
      expect(grid(a, 4, 1, f64(2, 3), 2, new Float64Array(7))).toBe('out: expected length 8 (as the input), got length 7');
      expect(grid(a, 3, 1, f64(2, 3), 2, new Float64Array(6))).toBe('close: expected length 3 (rows x cols), got length 4');
    });
  },
  'indicators',
);
