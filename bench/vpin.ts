/**
 * VPIN family and special functions. On a cent-grid tape of 10^7 trades (~100 a second, 45% zero
 * ticks, as real tapes trade): `vpin()` per bar size and classifier, `tickRule()` and `classifyTrades()`,
 * each as a fraction of the 60 s-bar BVC figure of the same run on one thread (the memory-bound
 * yardstick: three float64 columns, 24 bytes a trade; one thread, as the issues set their targets when
 * vpin() ran on one: since 2026-12-05 BVC over 2^19 trades runs in parts on every thread, its row
 * beside with its speed-up) with the issue's targets beside; the tick rule on the old walk
 * (a change at every trade) beside; native against the reference; `bulkClassify` and the normal CDF per
 * value; then the size sweep that sets the 'auto' threshold (medians of interleaved rounds, so that it
 * is stable from run to run). The per-trade kernels write into a caller-owned `out`, as an engine does.
 * A ratio to the yardstick is the median over rounds that time the two one after the other.
 */
import { METAL_CLASSIFY_MIN_BARS, SPECIAL_NATIVE_MIN_VALUES, VPIN_NATIVE_MIN_TRADES } from '../src/api/auto.js';
import { kernels, backends, type Trades } from '../src/api/index.js';
import { autoSweep, median, prng, timeBest, type BenchRow, type BenchSection } from './lib.js';
import { metalRows } from './metal.js';
import { pinRows } from './pin.js';
import { centGrid, withQuotes } from './inputs.js';
import { tfjsRows } from './tfjs.js';

/** A seeded random walk: gaps of 0-19 ms (~100 trades a second), volumes 1..100. */
export function syntheticTrades(n: number, seed = 1): Trades {
  const rnd = prng(seed);
  const ts = new Float64Array(n);
  const price = new Float64Array(n);
  const volume = new Float64Array(n);
  let t = 1_700_000_000_000;
  let p = 100;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 20);
    p += (rnd() - 0.5) * 0.02;
    ts[i] = t;
    price[i] = p;
    volume[i] = 1 + Math.floor(rnd() * 100);
  }
  return { ts, price, volume };
}

/** The usual calibration: 50 buckets a day, V = average daily volume / 50. */
function dailyBucketVolume(trades: Trades): number {
  const n = trades.ts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += trades.volume[i];
  return total / Math.max(1, (trades.ts[n - 1] - trades.ts[0]) / 86_400_000) / 50;
}

const slice = (t: Trades, n: number): Trades => ({
  ts: t.ts.subarray(0, n),
  price: t.price.subarray(0, n),
  volume: t.volume.subarray(0, n),
});
const rate = (n: number, ms: number) => n / (ms / 1000);

/** vpin() configurations of the sweep: [label, barMs, classifier, target as a fraction of the yardstick]. */
const CONFIGS: [string, number, 'bvc' | 'tick', string][] = [
  ['bvc, 60 s bars', 60_000, 'bvc', '>= 5x reference'],
  ['bvc, 10 s bars', 10_000, 'bvc', ''],
  ['bvc, 1 s bars', 1_000, 'bvc', 'target >= 0.6x'],
  ['bvc, 100 ms bars', 100, 'bvc', ''],
  ['bvc, 10 ms bars', 10, 'bvc', 'target >= 0.1x'],
  ['tick rule, 60 s bars', 60_000, 'tick', 'target >= 0.8x'],
  ['tick rule, 10 ms bars', 10, 'tick', ''],
];

export const vpinSection: BenchSection = {
  name: 'vpin',
  async run() {
    const rows: BenchRow[] = [];
    const nativeAvailable = backends().some((b) => b.name === 'native' && b.available);
    const ref = kernels({ backend: 'reference' });
    const big = centGrid(1e7);
    const bucketVolume = dailyBucketVolume(big);
    if (!nativeAvailable) {
      const ms = timeBest(() => ref.vpin(big, { bucketVolume }), { minMs: 1, minRuns: 3 });
      rows.push({
        section: 'vpin',
        case: 'vpin() 10^7 trades, bvc, 60 s bars',
        subject: 'reference',
        value: rate(1e7, ms),
        unit: 'trades/s',
        note: 'native not built',
      });
      return rows;
    }
    const nat = kernels({ backend: 'native' });
    const oneThread = kernels({ backend: 'native', threads: 1 });

    // 1. Bar sizes and classifiers on native, 10^7 trades, as fractions of the 60 s-bar BVC figure:
    // each case timed in rounds alternating with the yardstick, its ratio the median of the rounds'
    // (the machine's load drifts between cases; a round's two timings see the same load).
    const yardstickRun = () => oneThread.vpin(big, { bucketVolume, barMs: 60_000 });
    const yardstick = rate(1e7, timeBest(yardstickRun, { minMs: 1, minRuns: 5 }));
    rows.push({
      section: 'vpin',
      case: 'vpin() 10^7 trades, bvc, 60 s bars',
      subject: 'native, 1 thread',
      value: yardstick,
      unit: 'trades/s',
      note: "the yardstick of this table's ratios",
    });
    const against = (fn: () => unknown) => {
      const ratios: number[] = [];
      const rates: number[] = [];
      for (let round = 0; round < 7; round++) {
        const base = timeBest(yardstickRun, { minMs: 1, minRuns: 2 });
        const ms = timeBest(fn, { minMs: 1, minRuns: 2 });
        ratios.push(base / ms);
        rates.push(rate(1e7, ms));
      }
      return { value: median(rates), ratio: median(ratios) };
    };
    for (const [label, barMs, classifier, target] of CONFIGS) {
      const options = { bucketVolume, barMs, classifier };
      const { value, ratio } = against(() => nat.vpin(big, options));
      const bars = nat.timeBars(big, { barMs }).start.length;
      rows.push({
        section: 'vpin',
        case: `vpin() 10^7 trades, ${label}`,
        subject: 'native',
        value,
        unit: 'trades/s',
        ratio,
        baseline: 'vpin() bvc 60 s bars, native, 1 thread',
        note: `${(1e7 / bars).toPrecision(3)} trades a bar${target ? `; ${target}` : ''}`,
      });
    }
    const walkTape = syntheticTrades(1e7);
    const signs = new Int8Array(1e7);
    // classifyTrades with a quote rule: five columns (quotes a cent apart: the trade at the bid, at the ask or inside)
    const quoted = withQuotes(big);
    // a quote stream of two quotes a trade, evenly over the tape's span, a cent on either side of the trade price
    const m = 2e7;
    const span = big.ts[1e7 - 1] - big.ts[0];
    const quotes = { ts: new Float64Array(m), bid: new Float64Array(m), ask: new Float64Array(m) };
    for (let j = 0; j < m; j++) {
      const p = big.price[j >> 1];
      quotes.ts[j] = big.ts[0] + Math.floor((span * j) / m);
      quotes.bid[j] = p - 0.01 * (j % 2);
      quotes.ask[j] = p + 0.01 * ((j + 1) % 2) + 0.01;
    }
    const bare = { ts: big.ts, price: big.price, volume: big.volume };
    const perTrade: [string, () => unknown, string][] = [
      [
        'vpin() 10^7 trades, tick rule, 60 s bars, walk without zero ticks',
        () => nat.vpin(walkTape, { bucketVolume, barMs: 60_000, classifier: 'tick' }),
        'the old tape: a change at every trade',
      ],
      ['tickRule() 10^7 trades', () => nat.tickRule(big.price, { out: signs }), 'into a reused out; target >= 1.5x'],
      ['tickRule() 10^7 trades, fresh output', () => nat.tickRule(big.price), 'a new Int8Array a call (page faults)'],
      [
        'classifyTrades() 10^7 trades, lee-ready',
        () => nat.classifyTrades(quoted, { algorithm: 'lee-ready', out: signs }),
        'ts, price, bid, ask: 32 bytes a trade, into a reused out; target >= 1x (issue 32)',
      ],
      [
        'classifyTrades() 10^7 trades, lee-ready, from a quote stream of 2 quotes a trade',
        () => nat.classifyTrades(bare, { algorithm: 'lee-ready', quotes, quoteLagMs: 0, out: signs }),
        'the quotes aligned by a merge: ts, price + 3 x 2 quote columns, 64 bytes a trade; target >= 0.5x (issue 32)',
      ],
      [
        'vpin() 10^7 trades, lee-ready quote classifier, 60 s bars',
        () => nat.vpin(quoted, { bucketVolume, barMs: 60_000, classifier: { algorithm: 'lee-ready' } }),
        "classifyTrades' labels, then the bars and buckets (issue 32)",
      ],
      [
        'vpinStream() 10^7 trades in batches of 10^4, lee-ready quote classifier, 60 s bars',
        () => {
          const stream = nat.vpinStream({ bucketVolume, barMs: 60_000, classifier: { algorithm: 'lee-ready' } });
          for (let at = 0; at < 1e7; at += 1e4) {
            const cut = (c: Float64Array) => c.subarray(at, at + 1e4);
            stream.update({
              ts: cut(quoted.ts),
              price: cut(quoted.price),
              volume: cut(quoted.volume),
              bid: cut(quoted.bid),
              ask: cut(quoted.ask),
            });
          }
          stream.flush();
        },
        'each batch labelled with the context of the ones before (issue 32)',
      ],
      [
        'classifyTrades() 10^7 trades, lee-ready, lagFrom trades, 5 s lag',
        () => nat.classifyTrades(quoted, { algorithm: 'lee-ready', quoteLagMs: 5000, lagFrom: 'trades', out: signs }),
        "PINstimation's timelag = 5e6 (PINstimation: 7-13 s for 10^5 trades with a lag)",
      ],
    ];
    for (const [name, fn, note] of perTrade) {
      const { value, ratio } = against(fn);
      rows.push({
        section: 'vpin',
        case: name,
        subject: 'native',
        value,
        unit: 'trades/s',
        ratio,
        baseline: 'vpin() bvc 60 s bars, native, 1 thread',
        note,
      });
    }

    // 2. Native against the reference: 60 s bars on 10^7 trades; the other bar sizes on 10^6.
    const refMs = timeBest(() => ref.vpin(big, { bucketVolume }), { minMs: 1, minRuns: 3 });
    rows.push({
      section: 'vpin',
      case: 'vpin() 10^7 trades, bvc, 60 s bars',
      subject: 'reference',
      value: rate(1e7, refMs),
      unit: 'trades/s',
      ratio: rate(1e7, refMs) / yardstick,
      baseline: 'vpin() bvc 60 s bars, native, 1 thread',
    });
    const small = slice(big, 1e6);
    for (const [label, barMs, classifier] of CONFIGS.slice(1)) {
      const options = { bucketVolume, barMs, classifier };
      const r = rate(
        1e6,
        timeBest(() => ref.vpin(small, options), { minMs: 200, minRuns: 3 }),
      );
      const n = rate(
        1e6,
        timeBest(() => nat.vpin(small, options), { minMs: 200, minRuns: 3 }),
      );
      rows.push({ section: 'vpin', case: `vpin() 10^6 trades, ${label}`, subject: 'reference', value: r, unit: 'trades/s' });
      rows.push({
        section: 'vpin',
        case: `vpin() 10^6 trades, ${label}`,
        subject: 'native',
        value: n,
        unit: 'trades/s',
        ratio: n / r,
        baseline: 'reference',
      });
    }

    // 3. Per-value work: bulkClassify over 10^6 bars, the normal CDF over 10^6 values.
    const bars = nat.timeBars(big, { barMs: 10 });
    const barSet = { open: bars.open.subarray(0, 1e6), close: bars.close.subarray(0, 1e6), volume: bars.volume.subarray(0, 1e6) };
    const x = Float64Array.from({ length: 1e6 }, (_, i) => 4 * Math.sin(i * 12.9898) * Math.cos(i * 0.37));
    const buy = new Float64Array(1e6);
    // 10^7 bars: each trade's price as the open, the next one's as the close
    const manyBars = { open: big.price, close: big.price.map((_, i) => big.price[Math.min(i + 1, 1e7 - 1)]), volume: big.volume };
    const y = new Float64Array(1e6);
    // [case, reference, native, note, values a call]
    const perValue: [string, () => unknown, () => unknown, string, number][] = [
      [
        'bulkClassify() 10^6 bars',
        () => ref.bulkClassify(barSet, { out: buy }),
        () => nat.bulkClassify(barSet, { out: buy }),
        'into a reused out; target native >= 10x reference',
        1e6,
      ],
      [
        'bulkClassify() 10^7 bars, fresh output',
        () => ref.bulkClassify(manyBars),
        () => nat.bulkClassify(manyBars),
        'a new 80 MB result a call (issue 42: target native >= 10x reference; huge pages since issue 44)',
        1e7,
      ],
      [
        'normalCdf() 10^6 values',
        () => ref.normalCdf(x, { out: y }),
        () => nat.normalCdf(x, { out: y }),
        'into a reused out; target native <= 15 ns a value',
        1e6,
      ],
    ];
    for (const [name, r, n, note, values] of perValue) {
      const rNs = (timeBest(r, { minMs: 300 }) * 1e6) / values;
      const nNs = (timeBest(n, { minMs: 300 }) * 1e6) / values;
      rows.push({ section: 'vpin', case: name, subject: 'reference', value: rNs, unit: 'ns a value' });
      rows.push({
        section: 'vpin',
        case: name,
        subject: 'native',
        value: nNs,
        unit: 'ns a value',
        ratio: rNs / nNs,
        baseline: 'reference (speed-up)',
        note,
      });
    }

    // tfjs (float32): bulkClassify over 10^6 and 10^4 bars, as ms a call beside native
    const fewBars = { open: barSet.open.subarray(0, 1e4), close: barSet.close.subarray(0, 1e4), volume: barSet.volume.subarray(0, 1e4) };
    rows.push(
      ...(await tfjsRows('vpin', [
        { name: 'bulkClassify() 10^6 bars (ms a call)', tfjs: (k) => k.bulkClassify(barSet), native: () => nat.bulkClassify(barSet) },
        { name: 'bulkClassify() 10^4 bars (ms a call)', tfjs: (k) => k.bulkClassify(fewBars), native: () => nat.bulkClassify(fewBars) },
      ])),
    );

    // Metal (float32, on an Apple-silicon Mac only): bulkClassify beside native, and where it starts to pay off
    rows.push(
      ...metalRows(
        'vpin',
        [
          { name: 'bulkClassify() 10^6 bars (ms a call)', metal: (k) => k.bulkClassify(barSet), native: () => nat.bulkClassify(barSet) },
          { name: 'bulkClassify() 10^4 bars (ms a call)', metal: (k) => k.bulkClassify(fewBars), native: () => nat.bulkClassify(fewBars) },
        ],
        [
          {
            label: 'bulkClassify()',
            unit: 'bars',
            threshold: METAL_CLASSIFY_MIN_BARS,
            constant: 'METAL_CLASSIFY_MIN_BARS',
            sizes: [1e4, 3e4, 1e5, 3e5, 1e6],
            input: (n: number) => ({
              open: barSet.open.subarray(0, n),
              close: barSet.close.subarray(0, n),
              volume: barSet.volume.subarray(0, n),
            }),
            metal: (k, b) => k.bulkClassify(b),
            native: (b) => nat.bulkClassify(b),
          },
        ],
      ),
    );

    // PIN: reference against native, native's threads (the initial sets in parallel)
    rows.push(...pinRows(ref, nat, kernels({ backend: 'native', threads: 1 })));

    // 4. The 'auto' thresholds: native's time over the reference's per size, medians of interleaved rounds.
    const vpinOpts = { bucketVolume: 500, window: 5 };
    rows.push(
      ...autoSweep(
        'vpin',
        'vpin()',
        'trades',
        VPIN_NATIVE_MIN_TRADES,
        'VPIN_NATIVE_MIN_TRADES',
        (n) => syntheticTrades(n, 7),
        (t) => ref.vpin(t, vpinOpts),
        (t) => nat.vpin(t, vpinOpts),
      ),
    );
    rows.push(
      ...autoSweep(
        'vpin',
        'normalCdf()',
        'values',
        SPECIAL_NATIVE_MIN_VALUES,
        'SPECIAL_NATIVE_MIN_VALUES',
        (n) => x.subarray(0, n),
        (v) => ref.normalCdf(v),
        (v) => nat.normalCdf(v),
      ),
    );
    return rows;
  },
};
