/** Trade generators for the parity suite: fast-check arbitraries and fixed edge-case fixtures. */
import { FrameTrades } from '../../src/kernels/frame-trades.js';
import fc from 'fast-check';
import { mulberry32 } from '../../src/math/mulberry32.js';
import type { Trades, VpinOptions } from '../../src/index.js';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;

/** Builds columns from per-trade steps. */
export function fromSteps(steps: { dt: number; dp: number; volume: number }[], t0 = T0, p0 = 100): Trades {
  const n = steps.length;
  const trades: Trades = { ts: new Float64Array(n), price: new Float64Array(n), volume: new Float64Array(n) };
  let t = t0;
  let p = p0;
  steps.forEach((s, i) => {
    t += s.dt;
    p = Math.max(0.01, p + s.dp);
    trades.ts[i] = t;
    trades.price[i] = p;
    trades.volume[i] = s.volume;
  });
  return trades;
}

/** Random trade sequences: same-ms trades, gaps of days, zero volumes, integer and fractional volumes. */
export const tradesArb: fc.Arbitrary<Trades> = fc
  .array(
    fc.record({
      dt: fc.oneof(
        { weight: 8, arbitrary: fc.integer({ min: 0, max: 20_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 * DAY }) },
      ),
      dp: fc.oneof(fc.constant(0), fc.double({ min: -0.5, max: 0.5, noNaN: true })),
      volume: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.double({ min: 0, max: 500, noNaN: true })),
    }),
    { minLength: 0, maxLength: 400 },
  )
  .map((steps) => fromSteps(steps));

/** Random VPIN options; `causal` restricts sigma to what a stream accepts. */
export function vpinOptionsArb(causal: boolean): fc.Arbitrary<VpinOptions> {
  const sigmas: fc.Arbitrary<VpinOptions['sigma']>[] = [
    fc.double({ min: 0.001, max: 5, noNaN: true }),
    fc.record({ rolling: fc.integer({ min: 2, max: 30 }) }),
    fc.record({ ewma: fc.double({ min: 0, max: 0.99, noNaN: true }) }),
  ];
  if (!causal) sigmas.push(fc.constant('sample' as const));
  return fc.record({
    bucketVolume: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 0.5, max: 3000, noNaN: true })),
    window: fc.integer({ min: 1, max: 20 }),
    barMs: fc.constantFrom(1000, 60_000, 300_000),
    classifier: fc.constantFrom('bvc' as const, 'tick' as const),
    priceChange: fc.constantFrom('close' as const, 'intra' as const),
    sigma: fc.oneof(...sigmas),
    distribution: fc.oneof(fc.constant('normal' as const), fc.record({ studentT: fc.double({ min: 0.5, max: 50, noNaN: true }) })),
  });
}

/** Deterministic trades for fixtures: a seeded random walk. */
export function walk(n: number, seed = 1, stepMs = 500): Trades {
  const rnd = mulberry32(seed);
  return fromSteps(
    Array.from({ length: n }, () => ({ dt: Math.floor(rnd() * 2 * stepMs), dp: (rnd() - 0.5) * 0.2, volume: 1 + Math.floor(rnd() * 100) })),
  );
}

/** A cent-grid tape as real ones trade (the bench's generator: one definition). */
export { centGrid, withQuotes } from '../../bench/inputs.js';

/** Copies trades into views at an offset of a larger buffer (ArrayBuffer or SharedArrayBuffer). */
export function asViews(trades: Trades, shared: boolean, offset = 3): Trades {
  const n = trades.ts.length;
  const view = (src: Float64Array) => {
    const buffer = shared ? new SharedArrayBuffer(8 * (n + offset + 2)) : new ArrayBuffer(8 * (n + offset + 2));
    const all = new Float64Array(buffer);
    all.fill(NaN); // poison outside the view: reading it would show
    const v = all.subarray(offset, offset + n);
    v.set(src);
    return v;
  };
  return { ts: view(trades.ts), price: view(trades.price), volume: view(trades.volume) };
}

/**
 * The trades as a frame's columns arrive from a socket: ts | price | volume, little-endian, at byte
 * `offset` (not a multiple of 8 by default) of a larger buffer poisoned with NaN around them (shared
 * or not), wrapped in a FrameTrades; `onCopy` counts copies.
 */
export function asFrameTrades(trades: Trades, offset = 5, shared = false, onCopy?: () => void): FrameTrades {
  const n = trades.ts.length;
  const bytes = 24 * n;
  const buffer = shared ? new SharedArrayBuffer(offset + bytes + 16) : new ArrayBuffer(offset + bytes + 16);
  new Uint8Array(buffer).fill(0xff); // NaN bits outside the columns: reading them would show
  const body = new Uint8Array(buffer, offset, bytes);
  const view = new DataView(buffer, offset, bytes);
  [trades.ts, trades.price, trades.volume].forEach((column, c) => column.forEach((x, i) => view.setFloat64(8 * (c * n + i), x, true)));
  return new FrameTrades(body, n, onCopy);
}

/** Splits trades into consecutive batches at the given cut points. */
export function split(trades: Trades, cuts: number[]): Trades[] {
  const n = trades.ts.length;
  const points = [...new Set(cuts.map((c) => Math.min(n, Math.max(0, c))))].sort((x, y) => x - y);
  const bounds = [0, ...points, n];
  const out: Trades[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [a, b] = [bounds[i], bounds[i + 1]];
    out.push({ ts: trades.ts.subarray(a, b), price: trades.price.subarray(a, b), volume: trades.volume.subarray(a, b) });
  }
  return out;
}
