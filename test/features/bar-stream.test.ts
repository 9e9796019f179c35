/**
 * barStream() (src/api/bar-stream.ts): split anywhere, the bars of every kind equal the one-shot
 * kernels' (reference and native) bit for bit; a snapshot restored in a fresh stream goes on as the
 * original; a bad batch is refused by its index in the batch and changes nothing; the state is bounded.
 */
import { describe, expect, it } from 'vitest';
import { barStream } from '../../src/api/bar-stream.js';
import { kernels } from '../../src/api/index.js';
import { loadNative } from '../../src/backends/native/binding.js';
import { BAR_COLUMNS, type Bars, type Trades } from '../../src/kernels/features/features.js';
import { FEATURES_KERNELS } from '../../src/kernels/features/features-kernels.js';
import { Sampler } from '../../src/kernels/sample.js';
import { ref } from '../helpers/backends.js';

type Kind = 'bars' | 'imbalanceBars' | 'runBars';
const KINDS: Kind[] = ['bars', 'imbalanceBars', 'runBars'];
const native = loadNative().binding ? kernels({ backend: 'native' }) : undefined;
const oneShot = (k: typeof ref, kind: Kind, trades: Trades, options: unknown): Bars =>
  (k[kind] as (t: Trades, o: unknown) => Bars)(trades, options);

/** The trades [from, to) as a batch of views. */
const slice = (t: Trades, from: number, to: number): Trades => ({
  ts: t.ts.subarray(from, to),
  price: t.price.subarray(from, to),
  volume: t.volume.subarray(from, to),
});

/** Concatenated bars, as plain number lists per column (-0 kept apart). */
function concat(parts: Bars[]): Record<string, (number | string)[]> {
  return Object.fromEntries(BAR_COLUMNS.map((c) => [c, parts.flatMap((p) => Array.from(p[c], (x) => (Object.is(x, -0) ? '-0' : x)))]));
}

/** Random cut points of n trades into batches (empty batches included). */
function cuts(s: Sampler, n: number): number[] {
  const points = Array.from({ length: s.int(0, 12) }, () => s.int(0, n));
  return [0, ...points.sort((a, b) => a - b), n];
}

describe('barStream', () => {
  for (const kind of KINDS) {
    it(`${kind}: split anywhere, the one-shot bars bit for bit (reference and native), over 40 seeded tapes`, () => {
      let bars = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const s = new Sampler(seed);
        const [trades, options] = FEATURES_KERNELS[kind].sample(s) as [Trades, never];
        const want = concat([oneShot(ref, kind, trades, options)]);
        if (native) expect(concat([oneShot(native, kind, trades, options)])).toEqual(want);
        const stream = barStream(kind as 'bars', options);
        const at = cuts(s, trades.ts.length);
        const parts = at.slice(1).map((to, k) => stream.update(slice(trades, at[k], to)));
        expect(concat(parts), `${kind} seed ${seed} cuts ${at}`).toEqual(want);
        expect(stream.barCount).toBe(want.ts.length);
        expect(stream.tradeCount).toBe(trades.ts.length);
        bars += want.ts.length;
      }
      expect(bars).toBeGreaterThan(40);
    });

    it(`${kind}: a snapshot restored in a fresh stream goes on exactly as the original`, () => {
      const s = new Sampler(7);
      const [trades, options] = FEATURES_KERNELS[kind].sample(s) as [Trades, never];
      const n = trades.ts.length;
      const want = concat([oneShot(ref, kind, trades, options)]);
      for (const cut of [0, 1, Math.floor(n / 3), n - 1, n]) {
        const first = barStream(kind as 'bars', options);
        const before = first.update(slice(trades, 0, cut));
        const second = barStream(kind as 'bars', options);
        second.restore(first.snapshot());
        expect(second.tradeCount).toBe(cut);
        const after = second.update(slice(trades, cut, n));
        expect(concat([before, after])).toEqual(want);
      }
    });
  }

  it('refuses a bad batch by its index in the batch and is left as it was', () => {
    const stream = barStream('bars', { by: 'tick', threshold: 3 });
    const ts = Float64Array.of(1, 2, 3, 4);
    const ok = { ts, price: Float64Array.of(10, 11, 10, 12), volume: Float64Array.of(1, 1, 1, 1) };
    expect(stream.update(ok).ts).toEqual(Float64Array.of(3));
    const snapshot = stream.snapshot();
    const bad = { ts: Float64Array.of(5, 6, 2), price: Float64Array.of(1, 2, 3), volume: Float64Array.of(1, 1, 1) };
    expect(() => stream.update(bad)).toThrow('trades.ts: expected non-decreasing timestamps, got ts[2] = 2 after 6');
    const nanPrice = { ts: Float64Array.of(5, 6), price: Float64Array.of(1, NaN), volume: Float64Array.of(1, 1) };
    expect(() => stream.update(nanPrice)).toThrow('price[1] = NaN');
    expect(stream.snapshot()).toEqual(snapshot);
    expect(stream.tradeCount).toBe(4);
    const time = barStream('bars', { by: 'time', threshold: 1e-10 });
    expect(() => time.update({ ts: Float64Array.of(1e308), price: Float64Array.of(1), volume: Float64Array.of(1) })).toThrow(/ts\[0\]/);
  });

  it('checks its kind, options and snapshots', () => {
    expect(() => barStream('dollarBars' as never, { by: 'dollar', threshold: 1 })).toThrow(
      'kind: expected one of bars, imbalanceBars, runBars',
    );
    expect(() => barStream('bars', { by: 'dollar', threshold: -1 })).toThrow(/options\.threshold/);
    expect(() => barStream('runBars', { by: 'tick', numPrevBars: 0 })).toThrow(/options\.numPrevBars/);
    const stream = barStream('imbalanceBars', { by: 'volume', expNumTicksInit: 50 });
    const other = barStream('imbalanceBars', { by: 'volume', expNumTicksInit: 60 });
    expect(() => stream.restore(other.snapshot())).toThrow('bytes: expected a snapshot of a imbalanceBars stream with the same options');
    const bytes = stream.snapshot();
    expect(() => stream.restore(bytes.subarray(0, bytes.length - 8))).toThrow('bytes: expected a whole barStream snapshot');
    expect(() => stream.restore(new Uint8Array(5))).toThrow('bytes: expected a barStream snapshot');
    expect(() => stream.update({ ts: new Float64Array(2), price: new Float64Array(1), volume: new Float64Array(2) } as Trades)).toThrow(
      /trades\.price/,
    );
  });

  it('keeps bounded state: 200,000 trades, a window of 100, a snapshot of a few KB', () => {
    const s = new Sampler(3);
    const n = 200_000;
    const ts = Float64Array.from({ length: n }, (_, i) => i);
    const price = new Float64Array(n);
    let p = 100;
    for (let i = 0; i < n; i++) price[i] = p += s.uniform(-0.05, 0.05);
    const volume = Float64Array.from({ length: n }, () => s.int(1, 100));
    const options = { by: 'tick', expectedImbalanceWindow: 100, expNumTicksInit: 100, numPrevBars: 3 } as const;
    const stream = barStream('runBars', options);
    const parts: Bars[] = [];
    for (let from = 0; from < n; from += 10_000) parts.push(stream.update(slice({ ts, price, volume }, from, from + 10_000)));
    expect(concat(parts)).toEqual(concat([ref.runBars({ ts, price, volume }, options)]));
    expect(stream.barCount).toBeGreaterThan(100);
    expect(stream.snapshot().length).toBeLessThan(8 * (3 * (2 * 100 + 1024 + 2) + 64));
  });
});
