/**
 * The parity suite for the VPIN family: every exported function on every available backend against
 * the reference, on random inputs (fast-check) and edge cases, within PARITY_RTOL (1e-12 relative).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBuckets } from '../../src/backends/reference/vpin/vpin.js';
import {
  CLASSIFY_ALGORITHMS,
  CLASSIFY_CONVENTIONS,
  type ClassifyAlgorithm,
  type ClassifyConvention,
  type QuotedTrades,
} from '../../src/kernels/vpin/classify.js';
import type { KernelName } from '../../src/api/index.js';
import { KernelInputError, type ClassifyOptions, type Kernels, type TimeBars, type Trades, type VpinOptions } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { BACKEND_RTOL, expectColumnsClose, expectVpinClose, floorOf, tolerance, withinRange } from '../helpers/compare.js';
import { asFrameTrades, asViews, fromSteps, split, tradesArb, vpinOptionsArb, walk } from '../helpers/trades.js';

const RUNS = 150;

// The tolerance's bound on a float64 backend (native), which follows the reference's operations in order:
// bars, tick signs, labels, buckets and their ranks come out bit for bit; a bar's buy fraction is the normal
// or Student-t CDF of dP / sigma, whose exp and log round an ulp apart from V8's (within 6.4e-16 relative,
// src/math/special.ts), so a buy or sell volume moves by that of the bar's (the bucket's) volume and VPIN by
// that of 1: 4e-4 of PARITY_RTOL measured over 20 x 150 runs. The float32 backends' bounds: compare.ts.

/** One row of the parity table: a kernel call and the scale of its output columns. */
interface ParityCase<I> {
  name: string;
  inputs: fc.Arbitrary<I>;
  call(k: Kernels, input: I): Record<string, ArrayLike<number>>;
  scale?(input: I): Record<string, number | ArrayLike<number>>;
}

const classifyOptionsArb: fc.Arbitrary<ClassifyOptions> = vpinOptionsArb(false).map(({ priceChange, sigma, distribution }) => ({
  priceChange,
  sigma,
  distribution,
}));

/** Quotes for each trade at every position against its price: spread, at bid, at ask, at midpoint, crossed, locked, missing, near. */
function withQuotes(trades: Trades, seed: number): QuotedTrades {
  let state = seed >>> 0 || 1;
  const rnd = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const n = trades.price.length;
  const bid = new Float64Array(n);
  const ask = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = trades.price[i];
    const s = Math.round(rnd() * 5) / 100;
    const quotes: [number, number][] = [
      [p - s, p + 2 * s],
      [p, p + s],
      [p - s, p],
      [p - s, p + s],
      [p + s, p - s],
      [p, p],
      [NaN, NaN],
      [p, NaN],
      [p - 5e-5, p + s],
      [p - 0.3 * s, p + 0.7 * s],
    ];
    const [b, a] = quotes[Math.floor(rnd() * quotes.length)];
    bid[i] = Math.max(0, b);
    ask[i] = Math.max(0, a);
  }
  return { ...trades, bid, ask };
}

const bucketScale = (o: VpinOptions) => ({ buyVolume: o.bucketVolume, sellVolume: o.bucketVolume, vpin: 1, cdf: 1 });

const table: ParityCase<any>[] = [
  {
    name: 'timeBars',
    inputs: fc.tuple(tradesArb, fc.constantFrom(1, 1000, 60_000, 86_400_000)),
    call: (k, [trades, barMs]: [Trades, number]) => ({ ...k.timeBars(trades, { barMs }) }),
  },
  {
    name: 'tickRule',
    inputs: tradesArb,
    call: (k, trades: Trades) => ({ sign: k.tickRule(trades.price) }),
  },
  {
    name: 'classifyTrades',
    inputs: fc.tuple(tradesArb, fc.integer(), fc.constantFrom(...CLASSIFY_ALGORITHMS), fc.constantFrom(...CLASSIFY_CONVENTIONS)),
    call: (k, [trades, seed, algorithm, convention]: [Trades, number, ClassifyAlgorithm, ClassifyConvention]) => ({
      label: k.classifyTrades(withQuotes(trades, seed), { algorithm, convention }),
    }),
  },
  {
    name: 'bulkClassify',
    inputs: fc.tuple(tradesArb, classifyOptionsArb),
    call: (k, [trades, options]: [Trades, ClassifyOptions]) => ({ buy: k.bulkClassify(ref.timeBars(trades), options) }),
    // a bar's buy volume is a fraction of its volume (what a backend's stated tolerance is relative to)
    scale: ([trades]: [Trades]) => ({ buy: ref.timeBars(trades).volume }),
  },
  {
    name: 'vpin',
    inputs: fc.tuple(tradesArb, vpinOptionsArb(false)),
    call: (k, [trades, options]: [Trades, VpinOptions]) => ({ ...k.vpin(trades, options) }),
    scale: ([, options]: [Trades, VpinOptions]) => bucketScale(options),
  },
];

/** Edge cases every VPIN-family kernel must agree on; `volume` scales bucketVolume to the data. */
const edgeCases: Record<string, { trades: Trades; volume: number }> = {
  empty: { trades: fromSteps([]), volume: 1 },
  'one trade': { trades: fromSteps([{ dt: 0, dp: 0, volume: 7 }]), volume: 1 },
  'constant price': { trades: fromSteps(Array.from({ length: 200 }, () => ({ dt: 900, dp: 0, volume: 10 }))), volume: 1 },
  'zero volumes': {
    trades: fromSteps(Array.from({ length: 100 }, (_, i) => ({ dt: 700, dp: i % 3 === 0 ? 0.1 : -0.05, volume: 0 }))),
    volume: 1,
  },
  'gaps of days': {
    trades: fromSteps(
      Array.from({ length: 120 }, (_, i) => ({ dt: i % 10 === 0 ? 3 * 86_400_000 : 1000, dp: Math.sin(i) * 0.3, volume: 25 })),
    ),
    volume: 1,
  },
  'one huge bar filling many buckets': {
    trades: fromSteps([
      { dt: 0, dp: 0, volume: 5 },
      { dt: 10, dp: 0.4, volume: 2_000_000 },
      { dt: 120_000, dp: -0.2, volume: 3 },
    ]),
    volume: 10,
  },
  'huge magnitudes': {
    trades: fromSteps(
      Array.from({ length: 60 }, (_, i) => ({ dt: 30_000, dp: (i % 2 ? 1 : -1) * 1e150, volume: 1e200 })),
      1e15,
      1e300,
    ),
    volume: 1e200,
  },
  'tiny magnitudes': {
    trades: fromSteps(
      Array.from({ length: 60 }, (_, i) => ({ dt: 30_000, dp: (i % 2 ? 1 : -1) * 1e-200, volume: 1e-200 })),
      0,
      1e-300,
    ),
    volume: 1e-200,
  },
  'same timestamp': { trades: fromSteps(Array.from({ length: 50 }, (_, i) => ({ dt: 0, dp: (i % 5) - 2, volume: 3 }))), volume: 1 },
  'random walk': { trades: walk(5000, 3), volume: 10 },
};

const edgeOptions: VpinOptions[] = [
  { bucketVolume: 100 },
  { bucketVolume: 37.5, window: 1, sigma: 0.2, classifier: 'tick' },
  { bucketVolume: 500, window: 7, sigma: { rolling: 5 }, priceChange: 'intra', distribution: { studentT: 3 } },
  { bucketVolume: 20, window: 3, sigma: { ewma: 0.9 } },
  { bucketVolume: 0.5, window: 2, sigma: { ewma: 0.5 } },
];

describeEachBackend(
  'VPIN parity',
  (k, name, supports) => {
    /** A backend with stated tolerances (float32 tfjs) is measured against the scales, floored at its smallest normal. */
    const stated = name in BACKEND_RTOL;
    const floored = (scale: Record<string, number | ArrayLike<number>>) =>
      Object.fromEntries(
        Object.entries(scale).map(([key, v]) => [
          key,
          typeof v === 'number' ? Math.max(v, floorOf(name)) : Float64Array.from(v, (x) => Math.max(x, floorOf(name))),
        ]),
      );
    /** bulkClassify of `bars` against the reference's: equal, or out of the backend's range and refused. */
    const expectClassified = (bars: TimeBars, expected: TimeBars, options?: ClassifyOptions) => {
      if (!withinRange(name, bars.open, bars.close, bars.volume))
        return expect(() => k.bulkClassify(bars, options)).toThrow(KernelInputError);
      const scale = stated ? floored({ buy: expected.volume }) : {};
      expectColumnsClose(
        { buy: k.bulkClassify(bars, options) },
        { buy: ref.bulkClassify(expected, options) },
        scale,
        tolerance(name, 'bulkClassify'),
      );
    };

    for (const c of table) {
      it.runIf(supports(c.name as KernelName))(`${c.name}: random inputs match the reference`, () => {
        fc.assert(
          fc.property(c.inputs, (input) => {
            // bulkClassify's scale is for stated tolerances: the float64 backends match the values themselves
            const scale = stated ? floored(c.scale?.(input) ?? {}) : c.name === 'bulkClassify' ? {} : c.scale?.(input);
            if (c.name === 'vpin' && !stated) expectVpinClose(c.call(k, input), c.call(ref, input), input[1], tolerance(name, c.name));
            else expectColumnsClose(c.call(k, input), c.call(ref, input), scale, tolerance(name, c.name));
          }),
          { numRuns: RUNS },
        );
      });
    }

    describe('edge cases', () => {
      for (const [name, { trades, volume }] of Object.entries(edgeCases)) {
        it(`${name}: every function matches, on plain, subarray and SharedArrayBuffer views`, () => {
          for (const views of [
            trades,
            asViews(trades, false),
            asViews(trades, true),
            asFrameTrades(trades),
            asFrameTrades(trades, 3, true),
          ]) {
            if (supports('timeBars')) expectColumnsClose({ ...k.timeBars(views) }, { ...ref.timeBars(trades) });
            if (supports('tickRule')) expectColumnsClose({ sign: k.tickRule(views.price) }, { sign: ref.tickRule(trades.price) });
            if (supports('bulkClassify')) expectClassified(ref.timeBars(views), ref.timeBars(trades));
            if (!supports('vpin')) continue;
            for (const base of edgeOptions) {
              const options = { ...base, bucketVolume: base.bucketVolume * volume };
              if (typeof options.sigma === 'number') options.sigma *= volume;
              const expected = ref.vpin(trades, options);
              expectVpinClose({ ...k.vpin(views, options) }, { ...expected }, options);
            }
          }
        });
      }

      it.runIf(supports('classifyTrades'))(
        'classifyTrades: every edge case, algorithm and convention, on plain, subarray and SharedArrayBuffer views',
        () => {
          for (const { trades } of Object.values(edgeCases)) {
            const quoted = withQuotes(trades, 7);
            for (const shared of [false, true]) {
              const a = asViews(trades, shared);
              const b = asViews({ ts: quoted.bid, price: quoted.ask, volume: quoted.volume }, shared);
              const views: QuotedTrades = { ...a, bid: b.ts, ask: b.price };
              for (const algorithm of CLASSIFY_ALGORITHMS) {
                for (const convention of CLASSIFY_CONVENTIONS) {
                  const options = { algorithm, convention };
                  expect(k.classifyTrades(views, options)).toEqual(ref.classifyTrades(quoted, options));
                }
              }
            }
          }
        },
      );

      it.runIf(supports('bulkClassify'))('bulkClassify of subarray and SharedArrayBuffer bar views, every sigma and distribution', () => {
        const trades = walk(5000, 3);
        for (const views of [trades, asViews(trades, false), asViews(trades, true)]) {
          const bars = ref.timeBars(views, { barMs: 1000 });
          const shared = asViews({ ts: bars.start, price: bars.close, volume: bars.volume }, true);
          const viewBars = { ...bars, start: shared.ts, close: shared.price, volume: shared.volume };
          for (const base of edgeOptions) {
            const { priceChange, sigma, distribution } = base;
            expectClassified(viewBars, bars, { priceChange, sigma, distribution });
          }
        }
      });

      it.runIf(supports('vpin'))('many buckets: the CDF history spans many blocks and matches a brute-force count', () => {
        const trades = walk(60_000, 9, 50);
        const options: VpinOptions = { bucketVolume: 300, window: 3, sigma: { ewma: 0.8 } };
        const expected = ref.vpin(trades, options);
        expect(expected.vpin.length).toBeGreaterThan(8000);
        expectVpinClose({ ...k.vpin(trades, options) }, { ...expected }, options);
        // cdf_j = #{i <= j : vpin_i <= vpin_j} / #{i <= j}, counted the slow way
        const values: number[] = [];
        for (let j = 0; j < expected.vpin.length; j++) {
          const v = expected.vpin[j];
          if (Number.isNaN(v)) continue;
          values.push(v);
          if (j % 97 === 0 || j === expected.vpin.length - 1) {
            expect(expected.cdf[j]).toBe(values.filter((x) => x <= v).length / values.length);
          }
        }
      });

      it.runIf(supports('vpin'))('a huge bar splits into many buckets with its buy fraction', () => {
        const { trades } = edgeCases['one huge bar filling many buckets'];
        const out = k.vpin(trades, { bucketVolume: 1000, window: 5, sigma: 0.1 });
        expect(out.vpin.length).toBe(2000);
        const f = out.buyVolume[500] / 1000;
        for (let i = 1; i < 1999; i++) expect(out.buyVolume[i]).toBe(f * 1000);
      });
    });

    it.runIf(supports('vpinStream', 'vpin'))('batch-split invariance: stream updates + flush equal vpin() over the whole sequence', () => {
      fc.assert(
        fc.property(tradesArb, vpinOptionsArb(true), fc.array(fc.nat(400), { maxLength: 6 }), (trades, options, cuts) => {
          const stream = k.vpinStream(options);
          const rows = split(trades, cuts).map((batch) => stream.update(batch));
          rows.push(stream.flush());
          const expected = ref.vpin(trades, options);
          expectVpinClose({ ...concatBuckets(...rows) }, { ...expected }, options);
          expect(stream.bucketCount).toBe(expected.vpin.length);
        }),
        { numRuns: RUNS },
      );
    });

    it.runIf(supports('vpinStream', 'vpin'))(
      'frames as received (unaligned bytes): vpin() and stream updates match; native reads them in place, without a copy',
      () => {
        fc.assert(
          fc.property(
            tradesArb,
            vpinOptionsArb(true),
            fc.array(fc.nat(400), { maxLength: 4 }),
            fc.integer({ min: 1, max: 7 }),
            (trades, options, cuts, offset) => {
              let copies = 0;
              const count = () => copies++;
              const expected = ref.vpin(trades, options);
              expectVpinClose({ ...k.vpin(asFrameTrades(trades, offset, false, count), options) }, { ...expected }, options);
              const stream = k.vpinStream(options);
              const batches = split(trades, cuts).map((batch) => asFrameTrades(batch, offset, offset % 2 === 0, count));
              const rows = batches.map((batch) => stream.update(batch));
              rows.push(stream.flush());
              expectVpinClose({ ...concatBuckets(...rows) }, { ...expected }, options);
              if (name === 'native') expect(copies).toBe(0);
            },
          ),
          { numRuns: RUNS },
        );
      },
    );

    it.runIf(supports('vpinStream', 'vpin'))("frames as received: bad trades in the bytes get the reference's error", () => {
      const good = walk(40);
      for (const [column, at, value] of [
        ['price', 7, NaN],
        ['volume', 20, -1],
        ['volume', 33, Infinity],
        ['ts', 39, 0],
      ] as const) {
        const bad = { ts: good.ts.slice(), price: good.price.slice(), volume: good.volume.slice() };
        bad[column][at] = value;
        const options = { bucketVolume: 50, sigma: 0.1 };
        let message = '';
        try {
          ref.vpin(bad, options);
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toMatch(/trades/);
        expect(() => k.vpin(asFrameTrades(bad), options)).toThrow(message);
        expect(() => k.vpinStream(options).update(asFrameTrades(bad, 1))).toThrow(message);
      }
    });

    it.runIf(supports('vpinStream', 'vpin'))('snapshot/restore resumes exactly, within a backend and across backends', () => {
      fc.assert(
        fc.property(tradesArb, vpinOptionsArb(true), fc.nat(400), (trades, options, cut) => {
          const [first, second = fromSteps([])] = split(trades, [cut]);
          const expected = ref.vpin(trades, options);
          for (const [a, b] of [
            [k, k],
            [k, ref],
            [ref, k],
          ] as const) {
            const before = a.vpinStream(options);
            const head = before.update(first);
            const resumed = b.vpinStream(options);
            resumed.restore(before.snapshot());
            expect(resumed.bucketCount).toBe(before.bucketCount);
            const tail = [resumed.update(second), resumed.flush()];
            expectVpinClose({ ...concatBuckets(head, ...tail) }, { ...expected }, options);
          }
        }),
        { numRuns: 60 },
      );
    });
  },
  'vpin',
);

describe('frames as received (unaligned bytes) on the reference backend', () => {
  it('reads them through one aligned copy per frame, reported through onCopy', () => {
    const trades = walk(300);
    const options = { bucketVolume: 500, sigma: 0.1 };
    let copies = 0;
    const frame = asFrameTrades(trades, 3, false, () => copies++);
    expectColumnsClose({ ...ref.vpin(frame, options) }, { ...ref.vpin(trades, options) });
    const stream = ref.vpinStream(options);
    stream.update(frame);
    expect([copies, frame.copied]).toEqual([1, true]);
  });
});

describe('the CDF is compared as a rank (expectVpinClose)', () => {
  // fast-check's counterexample from CI: buckets whose VPIN values tie exactly, where a 1-ulp difference in the
  // Student-t CDF moves a rank between 0.5 and 1
  const tie: Trades = {
    ts: Float64Array.from([1.7e12, 1.7e12, 1.7e12, 1.7e12 + 1000, 1.7e12 + 1000]),
    price: Float64Array.from([100, 99.99999999999999, 99.99999999999999, 99.99999999999999, 100]),
    volume: Float64Array.from([0, 0, 10, 10, 0]),
  };
  const options: VpinOptions = {
    bucketVolume: 10,
    window: 1,
    barMs: 1000,
    classifier: 'bvc',
    priceChange: 'close',
    sigma: { ewma: 0 },
    distribution: { studentT: 2.594342112646043 },
  };

  it('accepts either rank of a tie within the tolerance', () => {
    const expected = ref.vpin(tie, options);
    const values = Array.from(expected.vpin).filter((x) => !Number.isNaN(x));
    expect(values.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(values[1] - values[0])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(values[0])));
    const last = expected.vpin.length - 1;
    for (const rank of [0.5, 1]) {
      const cdf = expected.cdf.slice();
      cdf[last] = rank;
      expectVpinClose({ ...expected, cdf }, { ...expected }, options);
    }
  });

  it('refuses a rank no tie allows, and a wrong VPIN', () => {
    const trades = walk(3000, 4, 50);
    const o: VpinOptions = { bucketVolume: 400, window: 3, sigma: { ewma: 0.8 } };
    const expected = ref.vpin(trades, o);
    const j = expected.cdf.findIndex((x, i) => i > 10 && x > 0.3 && x < 0.7);
    expect(j).toBeGreaterThan(0);
    const cdf = expected.cdf.slice();
    cdf[j] = cdf[j] > 0.5 ? 0.05 : 0.95;
    expect(() => expectVpinClose({ ...expected, cdf }, { ...expected }, o)).toThrow(/cdf\[/);
    const vpin = expected.vpin.slice();
    vpin[j] += 1e-6;
    expect(() => expectVpinClose({ ...expected, vpin }, { ...expected }, o)).toThrow(/vpin\[/);
  });
});
