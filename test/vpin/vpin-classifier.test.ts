/**
 * vpin() and vpinStream() with a trade-level classifier { algorithm, quoteLagMs, lagFrom, convention }:
 * the buy volume of each trade from its classifyTrades label (volume for +1, 0 for -1, half for 0),
 * bars and buckets as with the other classifiers; the stream equal to vpin() over the concatenation for
 * any split (the tick rule's and the lags' context carried, in the snapshot too); native equal to the
 * reference; the errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBuckets } from '../../src/backends/reference/vpin/vpin.js';
import { mulberry32 } from '../../src/math/mulberry32.js';
import { CLASSIFY_ALGORITHMS, type ClassifyAlgorithm, type QuoteStream } from '../../src/kernels/vpin/classify.js';
import { encodeSnapshot } from '../../src/kernels/vpin/vpin-snapshot.js';
import { KernelInputError, type Kernels, type Trades, type VpinBuckets, type VpinOptions } from '../../src/index.js';
import type { VpinClassifier } from '../../src/api/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { centGrid, split } from '../helpers/trades.js';

/** A cent-grid tape with the quote at each trade: spread of 1-3 cents around it, the trade at the bid, the ask or inside, and some locked, crossed and missing quotes. */
function quotedTape(n: number, seed: number, fractional = Infinity): Trades & { bid: Float64Array; ask: Float64Array } {
  const trades = centGrid(n, seed, 0.45, fractional);
  const rnd = mulberry32(seed + 1000);
  const bid = new Float64Array(n);
  const ask = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cents = Math.round(trades.price[i] * 100);
    const u = rnd();
    const spread = 1 + Math.floor(rnd() * 3);
    // the trade at the bid, at the ask, inside, at the midpoint, or the quote locked, crossed or missing
    const below = u < 0.25 ? 0 : u < 0.5 ? spread : u < 0.75 ? Math.floor(rnd() * (spread + 1)) : 1;
    let b = cents - below;
    let a = b + spread;
    if (u >= 0.85 && u < 0.9) a = b; // locked
    if (u >= 0.9 && u < 0.95) [b, a] = [a, b]; // crossed
    bid[i] = u >= 0.95 ? NaN : b / 100;
    ask[i] = u >= 0.95 ? NaN : a / 100;
  }
  return { ...trades, bid, ask };
}

/** A quote stream over the tape's time: quotes every 0-9 ms around a drifting price, some missing. */
function quoteStream(trades: Trades, seed: number): QuoteStream {
  const rnd = mulberry32(seed + 2000);
  const ts: number[] = [];
  const bid: number[] = [];
  const ask: number[] = [];
  const n = trades.ts.length;
  if (n === 0) return { ts: new Float64Array(0), bid: new Float64Array(0), ask: new Float64Array(0) };
  let j = 0;
  for (let t = trades.ts[0] - 20; t <= trades.ts[n - 1]; t += Math.floor(rnd() * 10)) {
    while (j + 1 < n && trades.ts[j + 1] <= t) j++;
    const cents = Math.round(trades.price[j] * 100) + Math.floor(rnd() * 3) - 1;
    const spread = Math.floor(rnd() * 3) - (rnd() < 0.1 ? 1 : 0); // 0 locked, -1 crossed
    ts.push(t);
    bid.push(rnd() < 0.05 ? NaN : cents / 100);
    ask.push((cents + spread) / 100);
  }
  return { ts: Float64Array.from(ts), bid: Float64Array.from(bid), ask: Float64Array.from(ask) };
}

/** The batches of a quoted tape at the cuts (bid and ask cut with the trades). */
function splitQuoted(trades: Trades & { bid: Float64Array; ask: Float64Array }, cuts: number[]): Trades[] {
  let at = 0;
  return split(trades, cuts).map((b) => {
    const n = b.ts.length;
    const out = { ...b, bid: trades.bid.subarray(at, at + n), ask: trades.ask.subarray(at, at + n) };
    at += n;
    return out;
  });
}

/** The quote stream cut with the trade batches: batch k gets the quotes up to its last trade time (the rest with the last). */
function splitQuotes(batches: Trades[], quotes: QuoteStream): QuoteStream[] {
  let from = 0;
  return batches.map((b, k) => {
    let to = from;
    const last = b.ts.length > 0 ? b.ts[b.ts.length - 1] : -Infinity;
    if (k === batches.length - 1) to = quotes.ts.length;
    else while (to < quotes.ts.length && quotes.ts[to] <= last) to++;
    const part = { ts: quotes.ts.subarray(from, to), bid: quotes.bid.subarray(from, to), ask: quotes.ask.subarray(from, to) };
    from = to;
    return part;
  });
}

/** Two consecutive parts of a quote stream as one. */
function joinQuotes(a: QuoteStream, b: QuoteStream): QuoteStream {
  const join = (x: Float64Array, y: Float64Array) => Float64Array.from([...x, ...y]);
  return { ts: join(a.ts, b.ts), bid: join(a.bid, b.bid), ask: join(a.ask, b.ask) };
}

const CAUSAL = CLASSIFY_ALGORITHMS.filter((a) => !a.startsWith('reverse'));

/** Classifier variants: each causal algorithm at lag 0, and with a lag from the quotes and from the trades. */
const VARIANTS: VpinClassifier[] = CAUSAL.flatMap((algorithm): VpinClassifier[] => [
  { algorithm },
  { algorithm, quoteLagMs: 7, lagFrom: 'quotes' },
  { algorithm, quoteLagMs: 5, lagFrom: 'trades', convention: 'pinstimation' },
]);

const base = { bucketVolume: 400, window: 5, barMs: 50 } satisfies Partial<VpinOptions>;

function streamAll(k: Kernels, options: VpinOptions, batches: Trades[], quotes?: QuoteStream[]): VpinBuckets {
  const stream = k.vpinStream(options);
  const parts = batches.map((b, i) => stream.update(b, quotes?.[i]));
  return concatBuckets(...parts, stream.flush());
}

describe('vpin with a trade-level classifier (reference)', () => {
  it('labels each trade as classifyTrades does: buy volume = volume for +1, 0 for -1, half for 0', () => {
    // one trade a bar, a bucket a trade: each bucket's buy volume is its trade's
    const trades = quotedTape(300, 3);
    const ts = Float64Array.from(trades.ts, (_, i) => i * 10);
    const volume = new Float64Array(300).fill(7);
    const tape = { ...trades, ts, volume };
    for (const classifier of [{ algorithm: 'lee-ready' }, { algorithm: 'emo', convention: 'pinstimation' }] as VpinClassifier[]) {
      const labels = ref.classifyTrades(tape, classifier);
      const out = ref.vpin(tape, { bucketVolume: 7, window: 1, barMs: 10, classifier });
      expect(out.buyVolume).toEqual(Float64Array.from(labels, (l) => (l > 0 ? 7 : l < 0 ? 0 : 3.5)));
      expect(labels.filter((l) => l > 0).length).toBeGreaterThan(50);
      expect(labels.filter((l) => l < 0).length).toBeGreaterThan(50);
    }
  });

  it("{ algorithm: 'tick' } gives the 'tick' classifier's buckets exactly, with or without quotes", () => {
    const trades = centGrid(5000, 9);
    const tick = ref.vpin(trades, { ...base, classifier: 'tick' });
    expect(tick.vpin.length).toBeGreaterThan(100);
    expect(ref.vpin(trades, { ...base, classifier: { algorithm: 'tick' } })).toEqual(tick);
    expect(ref.vpin(quotedTape(5000, 9), { ...base, classifier: { algorithm: 'tick' } })).toEqual(tick);
  });

  it('takes a quote stream (options.quotes) as classifyTrades does', () => {
    const trades = centGrid(3000, 4);
    const tape = { ...trades, ts: Float64Array.from(trades.ts, (_, i) => i * 10), volume: new Float64Array(3000).fill(2) };
    const quotes = quoteStream(tape, 4);
    const classifier: VpinClassifier = { algorithm: 'quote', quoteLagMs: 13 };
    const labels = ref.classifyTrades(tape, { ...classifier, quotes });
    const out = ref.vpin(tape, { bucketVolume: 2, window: 1, barMs: 10, classifier, quotes });
    expect(out.buyVolume).toEqual(Float64Array.from(labels, (l) => (l > 0 ? 2 : l < 0 ? 0 : 1)));
    expect(new Set(labels)).toEqual(new Set([1, -1, 0]));
  });
});

describeEachBackend(
  'vpin with a trade-level classifier',
  (k, _name, supports) => {
    const it_ = it.runIf(supports('vpin', 'classifyTrades'));
    it_('native equals the reference exactly on quoted tapes, every algorithm and convention', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1e6 }),
          fc.integer({ min: 0, max: 600 }),
          fc.constantFrom(...CLASSIFY_ALGORITHMS),
          fc.constantFrom('tclf' as const, 'pinstimation' as const),
          fc.constantFrom(0, 4),
          fc.constantFrom('quotes' as const, 'trades' as const),
          fc.constantFrom(Infinity, 0, 300),
          fc.constantFrom(50, 60_000),
          (seed, n, algorithm, convention, quoteLagMs, lagFrom, fractional, barMs) => {
            // integer volumes (native's side-by-side sums) or fractional ones from trade `fractional` on (one by one)
            const trades = quotedTape(n, seed, fractional);
            // long bars: native sums runs of 16-trade blocks inside one bar side by side
            const options: VpinOptions = { ...base, barMs, bucketVolume: 200, classifier: { algorithm, convention, quoteLagMs, lagFrom } };
            expect(k.vpin(trades, options)).toEqual(ref.vpin(trades, options));
            const quotes = quoteStream(trades, seed);
            const plain = { ts: trades.ts, price: trades.price, volume: trades.volume };
            const withStream: VpinOptions = { ...options, classifier: { algorithm, convention, quoteLagMs }, quotes };
            expect(k.vpin(plain, withStream)).toEqual(ref.vpin(plain, withStream));
          },
        ),
        { numRuns: 60 },
      );
    });

    it_('vpinAsync gives vpin()', async () => {
      const trades = quotedTape(4000, 12);
      const options: VpinOptions = { ...base, classifier: { algorithm: 'clnv' } };
      expect(await k.vpinAsync(trades, options)).toEqual(k.vpin(trades, options));
    });
  },
  'vpin',
);

/** The stream properties, on one backend's kernels (`k`). */
function streamSuite(k: Kernels, run: typeof it): void {
  run('equals vpin() over the concatenation for any split: each algorithm, lags from quotes and trades', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 8 }),
        fc.constantFrom(...VARIANTS),
        (seed, n, cuts, classifier) => {
          const trades = quotedTape(n, seed);
          const options: VpinOptions = { ...base, bucketVolume: 150, classifier };
          expect(streamAll(k, options, splitQuoted(trades, cuts))).toEqual(k.vpin(trades, options));
        },
      ),
      { numRuns: 120 },
    );
  });

  run('equals vpin() for any split with a quote stream (lag 0 and a lag)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 8 }),
        fc.constantFrom(...CAUSAL.filter((a) => a !== 'tick')),
        fc.constantFrom(0, 6),
        (seed, n, cuts, algorithm, quoteLagMs) => {
          const tape = centGrid(n, seed);
          const quotes = quoteStream(tape, seed);
          const options: VpinOptions = { ...base, bucketVolume: 150, classifier: { algorithm, quoteLagMs } };
          const batches = split(tape, cuts);
          const parts = splitQuotes(batches, quotes);
          expect(streamAll(k, options, batches, parts)).toEqual(k.vpin(tape, { ...options, quotes }));
          // quotes may come early: each odd batch's with the batch before it, the odd ones then without the argument
          const early = parts.map((q, i) => (i % 2 === 1 ? undefined : i + 1 < parts.length ? joinQuotes(q, parts[i + 1]) : q));
          expect(streamAll(k, options, batches, early as QuoteStream[])).toEqual(k.vpin(tape, { ...options, quotes }));
        },
      ),
      { numRuns: 80 },
    );
  });

  run('a snapshot carries the classification context: restored mid-tape, here or on the reference, it goes on identically', () => {
    const trades = quotedTape(3000, 21);
    for (const classifier of [
      { algorithm: 'lee-ready', quoteLagMs: 9, lagFrom: 'trades' },
      { algorithm: 'emo', quoteLagMs: 9 },
      { algorithm: 'tick' },
    ] as VpinClassifier[]) {
      const options: VpinOptions = { ...base, classifier };
      const [a, b, c] = splitQuoted(trades, [1100, 2000]);
      const whole = k.vpin(trades, options);
      const first = k.vpinStream(options);
      const head = concatBuckets(first.update(a), first.update(b));
      const bytes = first.snapshot();
      for (const other of [k, ref]) {
        const second = other.vpinStream(options);
        second.restore(bytes);
        expect(second.snapshot()).toEqual(bytes);
        expect(concatBuckets(head, second.update(c), second.flush())).toEqual(whole);
      }
    }
  });
}

describe('vpinStream with a trade-level classifier [reference]', () => streamSuite(ref, it));

describeEachBackend(
  'vpinStream with a trade-level classifier',
  (k, _name, supports) => streamSuite(k, it.runIf(supports('vpin', 'classifyTrades')) as typeof it),
  'vpin',
);

describe('errors', () => {
  const trades = quotedTape(50, 1);
  const plain = { ts: trades.ts, price: trades.price, volume: trades.volume };
  const expectInput = (f: () => unknown, argument: string, message: string) => {
    let error: unknown;
    try {
      f();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KernelInputError);
    expect((error as KernelInputError).argument).toBe(argument);
    expect((error as Error).message).toBe(message);
  };

  it('a classifier object with bad fields names the field', () => {
    expectInput(
      () => ref.vpin(trades, { ...base, classifier: { algorithm: 'lee-rady' as ClassifyAlgorithm } }),
      'options.classifier.algorithm',
      `options.classifier.algorithm: expected 'tick', 'reverse-tick', 'quote', 'lee-ready', 'emo', 'clnv', 'reverse-lee-ready', 'reverse-emo' or 'reverse-clnv', got "lee-rady"`,
    );
    expectInput(
      () => ref.vpin(trades, { ...base, classifier: { algorithm: 'emo', quoteLagMs: -1 } }),
      'options.classifier.quoteLagMs',
      'options.classifier.quoteLagMs: expected a finite number >= 0, got -1',
    );
    expectInput(
      () => ref.vpin(trades, { ...base, classifier: { algorithm: 'emo', lag: 1 } as VpinClassifier }),
      'options.classifier',
      `options.classifier: expected only the options algorithm, quoteLagMs, lagFrom, convention, got unknown option "lag"`,
    );
    expectInput(
      () => ref.vpin(trades, { ...base, classifier: 'lee-ready' as 'tick' }),
      'options.classifier',
      `options.classifier: expected 'bvc', 'tick' or { algorithm, quoteLagMs, lagFrom, convention }, got "lee-ready"`,
    );
  });

  it('a quote algorithm without bid and ask or quotes names trades.bid; quotes with bid and ask, or without a classifier, are refused', () => {
    expectInput(
      () => ref.vpin(plain, { ...base, classifier: { algorithm: 'lee-ready' } }),
      'trades.bid',
      "trades.bid: expected bid and ask columns (or options.quotes) for the 'lee-ready' classifier, got trades without bid and ask",
    );
    const stream = ref.vpinStream({ ...base, classifier: { algorithm: 'quote' } });
    expectInput(
      () => stream.update(plain),
      'trades.bid',
      "trades.bid: expected bid and ask columns (or a quote stream: update(trades, quotes)) for the 'quote' classifier, got trades without bid and ask",
    );
    const quotes = quoteStream(plain, 1);
    expectInput(
      () => ref.vpin(trades, { ...base, classifier: { algorithm: 'quote' }, quotes }),
      'options.quotes',
      'options.quotes: expected no quote stream where the trades carry their own bid and ask, got both',
    );
    expectInput(
      () => ref.vpin(plain, { ...base, classifier: 'tick', quotes }),
      'options.quotes',
      'options.quotes: expected no quote stream unless classifier is { algorithm, ... }, got a quote stream',
    );
    expectInput(
      () => ref.vpin({ ...plain, bid: trades.bid }, { ...base, classifier: { algorithm: 'quote' } }),
      'trades.ask',
      'trades.ask: expected a Float64Array, got undefined',
    );
    expectInput(
      () => ref.vpin({ ...trades, ask: trades.ask.subarray(1) }, { ...base, classifier: { algorithm: 'quote' } }),
      'trades.ask',
      'trades.ask: expected length 50 (as trades.ts), got length 49',
    );
  });

  it('a stream refuses the reverse algorithms and a change of quote kind', () => {
    expectInput(
      () => ref.vpinStream({ ...base, classifier: { algorithm: 'reverse-emo' } }),
      'options.classifier.algorithm',
      "options.classifier.algorithm: expected a causal algorithm for a stream (the reverse ones read later trades: vpin() only), got 'reverse-emo'",
    );
    const stream = ref.vpinStream({ ...base, classifier: { algorithm: 'emo' } });
    stream.update(trades);
    expectInput(
      () => stream.update(plain, quoteStream(plain, 1)),
      'quotes',
      "quotes: expected the kind of quotes the stream began with (the trades' bid and ask), got a quote stream",
    );
  });

  it('bad quotes fault with the row of the batch; a fault leaves the stream as it was', () => {
    const stream = ref.vpinStream({ ...base, classifier: { algorithm: 'lee-ready', quoteLagMs: 5 } });
    const [a, b] = splitQuoted(trades, [20]);
    stream.update(a);
    const before = stream.snapshot();
    const bad = { ...b, ask: Float64Array.from(b.ask!, (x, i) => (i === 3 ? -1 : x)) };
    expect(() => stream.update(bad)).toThrow(KernelInputError);
    expect(() => stream.update(bad)).toThrow(/ask\[3\]|\[3\]/);
    expect(stream.snapshot()).toEqual(before);
    const late = { ...b, ts: Float64Array.from(b.ts, (t) => t - 1e6) };
    expect(() => stream.update(late)).toThrow(/ts\[0\]/);
    expect(stream.snapshot()).toEqual(before);
  });

  it('a quote stream must continue in time across updates; a quote stream under lagFrom trades is refused', () => {
    const tape = centGrid(200, 2);
    const quotes = quoteStream(tape, 2);
    const [a, b] = split(tape, [100]);
    const [qa, qb] = splitQuotes([a, b], quotes);
    const stream = ref.vpinStream({ ...base, classifier: { algorithm: 'quote' } });
    stream.update(a, qa);
    const back = { ...qb, ts: Float64Array.from(qb.ts, (t) => t - 1e6) };
    let error: unknown;
    try {
      stream.update(b, back);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KernelInputError);
    expect((error as KernelInputError).argument).toBe('quotes.ts');
    // the previous batch's last quote time is the one it must not go back before
    expect((error as Error).message).toBe(
      `quotes.ts: expected non-decreasing quote times, got ts[0] = ${back.ts[0]} after ${qa.ts[qa.ts.length - 1]}`,
    );
    expect(() => stream.update(b, qb)).not.toThrow();
    const trades = ref.vpinStream({ ...base, classifier: { algorithm: 'quote', quoteLagMs: 5, lagFrom: 'trades' } });
    expectInput(
      () => trades.update(a, qa),
      'quotes',
      "quotes: expected no quote stream under lagFrom 'trades' (the trades' own bid and ask), got a quote stream",
    );
  });

  it('old snapshots: one of a tick stream is refused by a classified stream, and the other way round', () => {
    const tick = ref.vpinStream({ ...base, classifier: 'tick' });
    tick.update(plain);
    const classified = ref.vpinStream({ ...base, classifier: { algorithm: 'quote' } });
    expectInput(
      () => classified.restore(tick.snapshot()),
      'bytes',
      'bytes: expected a snapshot of a stream with classifier = 2, got classifier = 1',
    );
    classified.update(trades);
    expectInput(
      () => tick.restore(classified.snapshot()),
      'bytes',
      'bytes: expected a snapshot of a stream with classifier = 1, got classifier = 2',
    );
    const emo = ref.vpinStream({ ...base, classifier: { algorithm: 'emo' } });
    expectInput(
      () => emo.restore(classified.snapshot()),
      'bytes',
      'bytes: expected a snapshot of a stream with classifier algorithm = 4, got algorithm = 2',
    );
    // a snapshot of an earlier version with classifier 2 (no classification section)
    const params = {
      bucketVolume: 400,
      window: 5,
      barMs: 50,
      classifier: 2,
      cdfWindow: 50_000,
      priceChange: 0,
      sigmaKind: 0,
      sigmaParam: 0,
      distribution: 0,
      nu: 0,
    };
    const v1 = encodeSnapshot(params, new Float64Array(0));
    expectInput(
      () => classified.restore(v1),
      'bytes',
      'bytes: expected a snapshot of a stream with a classifier { algorithm, ... }, got one without',
    );
  });
});
