/**
 * Labeling family (issue 90, item 3): four kernels on the issue's sizes, each against mlfinlab's 2020
 * code timed in the same run (target: native >= 100x) and against a lower bound stated with it (target:
 * native within 3x of it). The input: 200,000 seeded one-minute closes with overnight and weekend gaps
 * (bench/inputs.ts minuteCloses, ~2 years of weekdays).
 *
 * - tripleBarrier: ptSl [1, 1], target = dailyVolatility (lookback 100), 1-day vertical barriers, on the
 *   CUSUM events of threshold 0.0078 (~5,000). Bound: the path length (bars t0..t1 summed over the
 *   events) at the bars/s of a plain loop that walks each path as the kernel must (close / close(t0) - 1
 *   against the two barriers), split over the pool's threads.
 * - fracDiff of the log closes, d 0.4, threshold 1e-5 (1,458 weights): rows x weights multiply-adds at
 *   this machine's multiply-add rate measured in the same rounds (native covariance()'s Gram of 2,520 x
 *   500 on the same threads: register tiles, a multiply then an add, no FMA, the rounding fracDiff's
 *   parity allows too), or the input and output bytes at the memory bandwidth of a 64 MB copy, whichever
 *   is larger.
 * - averageUniqueness of the triple-barrier events: the sum of the events' spans (bars t0..t1) at the
 *   bars/s of a plain loop summing 1 / count over each span (the counts given), split over the threads.
 * - trendScanningLabels on the first 20,000 closes, every bar, lookForward 20, minSampleLength 5, step 1:
 *   events x the sum over window lengths k of k (the residual passes, which the kernel computes directly)
 *   at the steps/s of a plain loop doing those passes, split over the threads.
 *
 * Each round times, per case, native (the pool's threads), native on one thread and the bound's loop;
 * the rows give the medians over ROUNDS rounds, the ratio to the bound the median of the rounds' ratios.
 * mlfinlab (bench/peers/labeling.py, in the peers' venv: npm run bench:peers) runs in a child process
 * after each of the first PEER_ROUNDS rounds, on the same inputs (raw float64 files). Its triple barrier,
 * fracDiff and trend scanning loop in pandas per event or row (minutes at these sizes): they are timed
 * on a prefix (PEER_SIZES) and on its first 100 units, and extrapolated to the whole input along the
 * line through the two (the rows' notes say so); averageUniqueness runs whole. The peer checks its
 * results against ours (the same work was done) and the note carries what it found.
 */
import { backends, kernels, matrix, type Matrix } from '../src/api/index.js';
import { minuteCloses } from './inputs.js';
import { median, nativeThreads, prng, timeBest, type BenchRow, type BenchSection } from './lib.js';
import { PeerRounds, peerInputs, peerPython, peerScript, peerSource, recordPeers } from './peer-env.js';

const SECTION = 'labeling';
const N = 200_000;
const TREND_N = 20_000;
const DAY_MS = 86_400_000;
/** The CUSUM threshold: ~5,000 events on these closes (5,081). */
const CUSUM_THRESHOLD = 0.0078;
const ROUNDS = 7;
const PEER_ROUNDS = 3;
/** What mlfinlab is timed on: CUSUM events, points and trend-scanning events (the first of each). */
const PEER_SIZES = { tbEvents: 2000, fdPoints: 10_000, trendEvents: 1000 };
/** The multiply-add yardstick: covariance() of ROWS x COLS returns. */
const GRAM = { rows: 2520, cols: 500 };

type Kernels = ReturnType<typeof kernels>;

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (x: number) => (x >= 100 ? `${Math.round(x)} ms` : x >= 1 ? `${x.toPrecision(3)} ms` : `${(1000 * x).toPrecision(3)} µs`);
const per = (count: number, msTaken: number) => count / (msTaken / 1000);
const mega = (x: number) => `${(x / 1e6).toPrecision(3)} M`;

/** Index of each event time in ts (both increasing). */
function indexOf(ts: Float64Array, times: Float64Array): Int32Array {
  const out = new Int32Array(times.length);
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (ts[j] < times[i]) j++;
    out[i] = j;
  }
  return out;
}

/** The bound loop of tripleBarrier: each event's path from t0, close / close(t0) - 1 against its barriers, to the first touch or t1. */
function barrierPaths(close: Float64Array, starts: Int32Array, ends: Int32Array, upper: Float64Array, lower: Float64Array): number {
  let touched = 0;
  for (let i = 0; i < starts.length; i++) {
    const base = close[starts[i]];
    const hi = upper[i];
    const lo = lower[i];
    const end = ends[i];
    for (let j = starts[i]; j <= end; j++) {
      const cum = close[j] / base - 1;
      if (cum < lo || cum > hi) {
        touched++;
        break;
      }
    }
  }
  return touched;
}

/** The bound loop of averageUniqueness: the mean of 1 / count over each span (the counts given). */
function spanMeans(counts: Float64Array, starts: Int32Array, ends: Int32Array, out: Float64Array): number {
  for (let i = 0; i < starts.length; i++) {
    let sum = 0;
    const end = ends[i];
    for (let j = starts[i]; j <= end; j++) sum += 1 / counts[j];
    out[i] = sum / (end - starts[i] + 1);
  }
  return out[0];
}

/** The bound loop of trendScanningLabels: per event and window length k, one pass of its k residuals. */
function residualPasses(close: Float64Array, events: number, lookForward: number, minSample: number): number {
  let sink = 0;
  for (let s = 0; s < events; s++) {
    const shift = close[s];
    for (let k = minSample; k < lookForward; k++) {
      const xbar = (k - 1) / 2;
      const slope = 1e-3;
      let ssr = 0;
      for (let j = 0; j < k; j++) {
        const e = close[s + j] - shift - slope * (j - xbar);
        ssr += e * e;
      }
      sink += ssr;
    }
  }
  return sink;
}

/** Bytes/s of a 64 MB copy (read and written: 2 x 64 MB a copy), the best of a few. */
function copyBandwidth(): number {
  const src = new Float64Array(8 << 20).fill(1);
  const dst = new Float64Array(8 << 20);
  const t = timeBest(() => dst.set(src), { minMs: 100, minRuns: 5 });
  return (2 * src.byteLength) / (t / 1000);
}

/** A case of the section. */
interface Case {
  /** The row's case name. */
  label: string;
  /** The name bench/peers/labeling.py gives it. */
  peer: string;
  native: () => unknown;
  oneThread: () => unknown;
  reference: () => unknown;
  /** What the native call returns, in words ('5,070 events labeled'). */
  what: string;
  /** Per round: the bound's ms on the pool's threads and on one, from its yardstick timed now. */
  bound: () => { pool: number; one: number };
  /** The bound in words, for the note (the yardstick's figures filled in after the rounds). */
  boundNote: () => string;
  /** The peer's sizing, in words. */
  peerNote: string;
}

function cases(nat: Kernels, one: Kernels, ref: Kernels, threads: number) {
  const { ts, close } = minuteCloses(N, 90);
  const series = { ts, close };
  const t0 = nat.cusumFilter(series, { threshold: CUSUM_THRESHOLD });
  const target = nat.dailyVolatility(series);
  const vertical = nat.verticalBarriers(series, t0, { ms: DAY_MS });
  const tbOptions = { t0, target, ptSl: [1, 1] as const, t1: vertical };
  const events = nat.tripleBarrier(series, tbOptions);
  const logs = close.map(Math.log);
  const weights = nat.fracDiffWeights(0.4, { threshold: 1e-5 }).length;
  const fd = nat.fracDiff(logs, { d: 0.4, threshold: 1e-5 }) as Float64Array;
  const spans = { t0: events.t0, t1: events.t1 };
  const au = nat.averageUniqueness({ ts }, spans);
  const trendSeries = { ts: ts.subarray(0, TREND_N), close: close.subarray(0, TREND_N) };
  const trend = nat.trendScanningLabels(trendSeries);

  // the paths: event i from bar starts[i] to ends[i] (its t1)
  const starts = indexOf(ts, events.t0);
  const ends = indexOf(ts, events.t1);
  let path = 0;
  for (let i = 0; i < starts.length; i++) path += ends[i] - starts[i] + 1;
  const upper = Float64Array.from(events.target);
  const lower = events.target.map((x) => -x);
  const counts = nat.concurrentEvents({ ts }, spans);
  const means = new Float64Array(starts.length);

  // the multiply-add rate: covariance()'s Gram, T x N(N + 1) / 2 multiply-adds
  const rnd = prng(7);
  const returns: Matrix = matrix(
    Float64Array.from({ length: GRAM.rows * GRAM.cols }, () => rnd() - 0.5),
    GRAM.rows,
    GRAM.cols,
  );
  const gramMacs = (GRAM.rows * GRAM.cols * (GRAM.cols + 1)) / 2;
  const rows = N - (weights - 1);
  const fdMacs = rows * weights;
  const fdBytes = 2 * 8 * N;
  const bandwidth = copyBandwidth();
  const macRates = { pool: [] as number[], one: [] as number[] };

  const trendEvents = TREND_N - 19;
  let windows = 0;
  for (let k = 5; k < 20; k++) windows += k;
  const steps = trendEvents * windows;

  const rates: Record<string, number[]> = { tripleBarrier: [], averageUniqueness: [], trendScanningLabels: [] };
  const plain = (name: string, work: number, loop: () => unknown) => () => {
    const t = timeBest(loop, { minMs: 50, minRuns: 5 });
    rates[name].push(per(work, t));
    return { pool: t / threads, one: t };
  };
  const plainNote = (name: string, work: string, unit: string, loop: string) =>
    `bound: ${work} at the ${unit}/s of a plain loop ${loop} (${mega(median(rates[name]))} ${unit}/s on one thread, JavaScript), over ${threads} threads`;

  const list: Case[] = [
    {
      label: 'tripleBarrier [1, 1], daily-vol target, 1-day vertical barriers, 200,000 one-minute closes, ~5,000 CUSUM events',
      peer: 'tripleBarrier',
      native: () => nat.tripleBarrier(series, tbOptions),
      oneThread: () => one.tripleBarrier(series, tbOptions),
      reference: () => ref.tripleBarrier(series, tbOptions),
      what: `${fmt(t0.length)} CUSUM events (threshold ${CUSUM_THRESHOLD}), ${fmt(events.t0.length)} labeled`,
      bound: plain('tripleBarrier', path, () => barrierPaths(close, starts, ends, upper, lower)),
      boundNote: () =>
        plainNote(
          'tripleBarrier',
          `the path length, ${fmt(path)} bars (t0..t1 summed over the events; the kernel also checks the ${fmt(N)} bar times)`,
          'bars',
          'walking each path (close / close(t0) - 1 against both barriers, to the first touch)',
        ),
      peerNote: `get_events([1, 1], num_threads=1) + get_bins on the first ${fmt(PEER_SIZES.tbEvents)} of the ${fmt(t0.length)} events and on the first 100, extrapolated to all along the line through the two`,
    },
    {
      label: 'fracDiff d 0.4, threshold 1e-5, 200,000 log closes',
      peer: 'fracDiff',
      native: () => nat.fracDiff(logs, { d: 0.4, threshold: 1e-5 }),
      oneThread: () => one.fracDiff(logs, { d: 0.4, threshold: 1e-5 }),
      reference: () => ref.fracDiff(logs, { d: 0.4, threshold: 1e-5 }),
      what: `${fmt(weights)} weights, ${fmt(rows)} rows`,
      bound: () => {
        const pool = per(
          gramMacs,
          timeBest(() => nat.covariance(returns), { minMs: 50, minRuns: 3 }),
        );
        const single = per(
          gramMacs,
          timeBest(() => one.covariance(returns), { minMs: 50, minRuns: 3 }),
        );
        macRates.pool.push(pool);
        macRates.one.push(single);
        const bytes = (1000 * fdBytes) / bandwidth;
        return { pool: Math.max((1000 * fdMacs) / pool, bytes), one: Math.max((1000 * fdMacs) / single, bytes) };
      },
      boundNote: () =>
        `bound: rows x weights = ${fmt(fdMacs)} multiply-adds at the machine's multiply-add rate, measured in the same rounds as native covariance()'s Gram of ${fmt(GRAM.rows)} x ${GRAM.cols} (T x N(N + 1) / 2 multiply-adds, register tiles, a multiply then an add as fracDiff's parity needs): ${(median(macRates.pool) / 1e9).toPrecision(3)} G/s on ${threads} threads, ${(median(macRates.one) / 1e9).toPrecision(3)} G/s on one (the input and output, ${(fdBytes / 1e6).toPrecision(2)} MB at ${(bandwidth / 1e9).toPrecision(3)} GB/s of a 64 MB copy, take ${ms((1000 * fdBytes) / bandwidth)}: the multiply-adds bind)`,
      peerNote: `frac_diff_ffd on the first ${fmt(PEER_SIZES.fdPoints)} points (${fmt(PEER_SIZES.fdPoints - weights + 1)} rows) and on 100 rows, extrapolated to the ${fmt(rows)} rows along the line through the two`,
    },
    {
      label: 'averageUniqueness of the triple-barrier events, 200,000 bars',
      peer: 'averageUniqueness',
      native: () => nat.averageUniqueness({ ts }, spans),
      oneThread: () => one.averageUniqueness({ ts }, spans),
      reference: () => ref.averageUniqueness({ ts }, spans),
      what: `${fmt(events.t0.length)} events`,
      bound: plain('averageUniqueness', path, () => spanMeans(counts, starts, ends, means)),
      boundNote: () =>
        plainNote(
          'averageUniqueness',
          `the sum of the events' spans, ${fmt(path)} bars (the kernel also counts the concurrent events over the ${fmt(N)} bars)`,
          'bars',
          'summing 1 / count over each span (the counts given)',
        ),
      peerNote: `get_av_uniqueness_from_triple_barrier(num_threads=1) on all ${fmt(events.t0.length)} events`,
    },
    {
      label: 'trendScanningLabels 20 / 5 / 1, 20,000 closes, every bar',
      peer: 'trendScanningLabels',
      native: () => nat.trendScanningLabels(trendSeries),
      oneThread: () => one.trendScanningLabels(trendSeries),
      reference: () => ref.trendScanningLabels(trendSeries),
      what: `${fmt(trend.t0.length)} events, ${fmt(trendEvents)} with a full window`,
      bound: plain('trendScanningLabels', steps, () => residualPasses(close, trendEvents, 20, 5)),
      boundNote: () =>
        plainNote(
          'trendScanningLabels',
          `events x the sum over window lengths k = 5..19 of k (the residual passes) = ${fmt(trendEvents)} x ${windows} = ${fmt(steps)} steps`,
          'steps',
          'of the residual passes (e = y - a - b x, ssr += e e)',
        ),
      peerNote: `trend_scanning_labels(close, t_events, 20, 5, 1) on the first ${fmt(PEER_SIZES.trendEvents)} of the ${fmt(TREND_N)} bars and on the first 100, extrapolated to all along the line through the two`,
    },
  ];
  const peerFiles = {
    ts,
    close,
    t0,
    target,
    vertical,
    'ev-t0': events.t0,
    'ev-t1': events.t1,
    'ev-label': events.label,
    'fd-out': fd,
    'au-out': au,
    'trend-t1': trend.t1,
    'trend-t': trend.tValue,
  };
  return { list, peerFiles };
}

export const labelingSection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    const ref = kernels({ backend: 'reference' });
    if (!backends().some((b) => b.name === 'native' && b.available)) {
      const { ts, close } = minuteCloses(TREND_N, 90);
      rows.push({
        section: SECTION,
        case: 'trendScanningLabels 20 / 5 / 1, 20,000 closes, every bar',
        subject: 'reference',
        value: timeBest(() => ref.trendScanningLabels({ ts, close }), { minMs: 1, minRuns: 2 }),
        unit: 'ms',
        note: 'native not built',
      });
      return rows;
    }
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const threads = nativeThreads();
    const { list, peerFiles } = cases(nat, one, ref, threads);

    const refMs = list.map((c) => timeBest(c.reference, { minMs: 1, minRuns: 1 }));

    const mlfinlab = peerSource('mlfinlab-labeling');
    const python = mlfinlab ? peerPython() : undefined;
    const { files, done } = peerInputs(peerFiles);
    const peers = new PeerRounds(
      python,
      [
        peerScript('labeling.py'),
        mlfinlab ?? '',
        ...Object.entries(files).flatMap(([name, path]) => [`--${name}`, path]),
        ...['--tb-events', String(PEER_SIZES.tbEvents), '--fd-points', String(PEER_SIZES.fdPoints)],
        ...['--trend-closes', String(TREND_N), '--trend-events', String(PEER_SIZES.trendEvents)],
      ],
      "mlfinlab's 2020 labeling modules are not installed here",
      // one thread, as bench/peers/labeling.py sets it itself (OMP, OpenBLAS, MKL and numba: 1)
      true,
    );
    const nativeMs = list.map(() => [] as number[]);
    const oneMs = list.map(() => [] as number[]);
    const boundRatio = list.map(() => [] as number[]);
    const boundOneRatio = list.map(() => [] as number[]);
    const boundMs = list.map(() => [] as number[]);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        list.forEach((c, i) => {
          const n = timeBest(c.native, { minMs: 50, minRuns: 3 });
          const o = timeBest(c.oneThread, { minMs: 50, minRuns: 3 });
          const b = c.bound();
          nativeMs[i].push(n);
          oneMs[i].push(o);
          boundMs[i].push(b.pool);
          boundRatio[i].push(n / b.pool);
          boundOneRatio[i].push(o / b.one);
        });
        if (round < PEER_ROUNDS) peers.round();
      }
    } finally {
      done();
    }
    recordPeers(SECTION, peers.missing || `${peers.versionText()} (bench/peers/labeling.py)`);

    list.forEach((c, i) => {
      const n = median(nativeMs[i]);
      const o = median(oneMs[i]);
      rows.push({ section: SECTION, case: c.label, subject: 'reference', value: refMs[i], unit: 'ms' });
      rows.push({
        section: SECTION,
        case: c.label,
        subject: 'native',
        value: n,
        unit: 'ms',
        ratio: refMs[i] / n,
        baseline: 'reference (speed-up)',
        note: `${c.what}; median of ${ROUNDS} rounds`,
      });
      rows.push({
        section: SECTION,
        case: c.label,
        subject: 'native, 1 thread',
        value: o,
        unit: 'ms',
        ratio: o / n,
        baseline: `1 thread (speed-up of ${threads} threads)`,
      });
      const peerMs = peers.ms(c.peer);
      if (peerMs === undefined) {
        rows.push({
          section: SECTION,
          case: c.label,
          subject: 'mlfinlab',
          value: Number.NaN,
          unit: 'ms',
          note: `${peers.missing}; target >= 100x`,
        });
      } else {
        const check = peers.checks[c.peer];
        rows.push({
          section: SECTION,
          case: c.label,
          subject: 'mlfinlab',
          value: peerMs,
          unit: 'ms',
          ratio: peerMs / n,
          baseline: "native's speed-up over it (the same rounds)",
          note: `${peers.versionText()}: timed in this run, median of ${peers.rounds} rounds interleaved with ours, ${peers.quietNote()}; ${c.peerNote}${check ? `; against ours: ${check}` : ''}; target >= 100x`,
        });
      }
      const ratio = median(boundRatio[i]);
      rows.push({
        section: SECTION,
        case: c.label,
        subject: 'bound',
        value: median(boundMs[i]),
        unit: 'ms',
        ratio,
        baseline: "native's time over it",
        note: `${c.boundNote()}; the rounds' ratios ${Math.min(...boundRatio[i]).toPrecision(3)}-${Math.max(...boundRatio[i]).toPrecision(3)}x; native 1 thread ${median(boundOneRatio[i]).toPrecision(3)}x the one-thread bound; target <= 3x`,
      });
    });
    return rows;
  },
};
