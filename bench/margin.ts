/**
 * Margin family (issue 92, docs/margin.md): the kernels on the issue's sizes, each against a numpy
 * implementation of the same definitions timed in the same run (bench/peers/margin.py) and against a
 * lower bound stated with it. The input: 1,000 days of 500 instruments' seeded returns (a calm half, then
 * a turbulent one, each instrument its own volatility), their EWMA scenarios (lambda 0.94, seed 20,
 * horizon 1: 1,000 x 500), books of 500 positions of either sign in currency.
 *
 * - initialMargin of one book, ES at 0.99 (target <= 0.2 ms). Each call a different positions array (a
 *   ring of RING books built before the timing), as an engine passes a new book each call. Bound: the
 *   scenarios' 4 MB read at the bandwidth of a copy of the same size (where the scenarios stay between
 *   calls: in cache), or the 500,000 multiply-adds at the machine's multiply-add rate (native
 *   covariance()'s Gram, as bench/labeling.ts measures it), whichever is larger.
 * - marginBook(scenarios).marginal(order) after set(positions) (target <= 20 µs): a fresh order each
 *   call, cycling through ORDERS instruments and values. Bound: a plain loop of the pass the kernel
 *   must make (the P&L moved by value x the column, the k + 1 smallest kept by insertion, their mean),
 *   on one thread (1,000 values are too few to share).
 * - filteredScenarios 'ewma' of the 1,000 x 500 returns, horizon 1 and 5. Bound: the input and output
 *   bytes at the memory's copy bandwidth (a 64 MB copy).
 * - A panel: initialMargin of a Matrix of BOOKS books x 500 over the 1,000 scenarios (books on the
 *   threads); a different matrix each call (a ring of PANEL_RING). Bound: the books x scenarios x
 *   instruments multiply-adds at the Gram's rate, or the bytes at the copy bandwidth.
 *
 * Before any timing: native equals the reference on every case (within 1e-9), and the peer's first
 * round checks its results against ours (margins within 1e-9 relative, marginals within 1e-9 of the
 * book's margin, scenarios within 1e-9 of their largest); a mismatch fails the section. Each round runs
 * the peer first (the first PEER_ROUNDS rounds), waits for its process to be gone from the
 * cores (PeerRounds), then times, per case, native (the pool's threads), native on one thread where the kernel uses
 * the pool, and the bound's yardsticks; every timing of ours and the peer's is the median over BATCHES
 * batches of a case's calls of the time a call, and the rows give the medians over ROUNDS rounds, the
 * ratio to the bound the median of the rounds' ratios.
 */
import { backends, kernels, type Matrix, matrix } from '../src/api/index.js';
import { median, medianPerCall, nativeThreads, normal, prng, timeBest, type BenchRow, type BenchSection } from './lib.js';
import { PeerRounds, peerInputs, peerPython, peerScript, recordPeers } from './peer-env.js';

const SECTION = 'margin';
/** Days of returns and instruments. */
const T = 1000;
const N = 500;
/** The panel's books. */
const BOOKS = 64;
const CONFIDENCE = 0.99;
const LAMBDA = 0.94;
const SEED = 20;
/** Distinct books cycled through, one a call (single book; panel). */
const RING = 16;
const PANEL_RING = 4;
/** Distinct orders cycled through, one a call. */
const ORDERS = 1024;
/** Orders whose marginals the checks compare. */
const CHECKED_ORDERS = 64;
const ROUNDS = 5;
const PEER_ROUNDS = 3;
/** Batches a timing; its median batch gives the time a call. */
const BATCHES = 7;
/** The multiply-add yardstick: covariance() of ROWS x COLS returns (bench/labeling.ts's). */
const GRAM = { rows: 2520, cols: 500 };

type Kernels = ReturnType<typeof kernels>;

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (x: number) => (x >= 1 ? `${x.toPrecision(3)} ms` : `${(1000 * x).toPrecision(3)} µs`);
const per = (count: number, msTaken: number) => count / (msTaken / 1000);
const mega = (x: number) => `${(x / 1e6).toPrecision(3)} M`;
const gb = (x: number) => `${(x / 1e9).toPrecision(3)} GB/s`;

/** Bytes/s of a copy of `bytes` (read and written: 2 x bytes a copy), the best of a few. */
function copyBandwidth(bytes: number): number {
  const src = new Float64Array(bytes / 8).fill(1);
  const dst = new Float64Array(bytes / 8);
  const t = timeBest(() => dst.set(src), { minMs: 50, minRuns: 5 });
  return (2 * src.byteLength) / (t / 1000);
}

/** T x N daily returns: each instrument its volatility (0.5% to 2.5%), doubled in the second half. */
function returnsPanel(seed: number): Matrix {
  const rnd = prng(seed);
  const vol = Float64Array.from({ length: N }, () => 0.005 + 0.02 * rnd());
  const data = new Float64Array(T * N);
  for (let t = 0; t < T; t++) for (let c = 0; c < N; c++) data[t * N + c] = vol[c] * (t < T / 2 ? 1 : 2) * normal(rnd);
  return matrix(data, T, N);
}

/** `count` x N positions in currency, each 10^5 to 10^6 long or short. */
function books(count: number, rnd: () => number): Float64Array {
  return Float64Array.from({ length: count * N }, () => (rnd() < 0.5 ? -1 : 1) * (1e5 + 9e5 * rnd()));
}

/** The bound loop of marginal: pnl + value x column, its k + 1 smallest kept sorted by insertion, -(their mean). */
function tailPass(pnl: Float64Array, column: Float64Array, value: number, k: number, tail: Float64Array): number {
  let filled = 0;
  for (let s = 0; s < pnl.length; s++) {
    const x = pnl[s] + value * column[s];
    if (filled > k && x >= tail[k]) continue;
    let j = filled > k ? k : filled++;
    while (j > 0 && tail[j - 1] > x) {
      tail[j] = tail[j - 1];
      j--;
    }
    tail[j] = x;
  }
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += tail[i];
  return -sum / (k + 1);
}

/** The bound loop of filteredScenarios 'ewma': row by row across the columns, then the scale and the h-day sums into out. */
function ewmaRows(r: Float64Array, h: number, s2: Float64Array, one: Float64Array, out: Float64Array): number {
  s2.fill(0);
  for (let t = 0; t < SEED; t++) for (let c = 0; c < N; c++) s2[c] += r[t * N + c] * r[t * N + c];
  for (let c = 0; c < N; c++) s2[c] /= SEED;
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < N; c++) {
      const y = r[t * N + c];
      one[t * N + c] = y === 0 ? 0 : y / Math.sqrt(s2[c]);
      s2[c] = LAMBDA * s2[c] + (1 - LAMBDA) * (y * y);
    }
  }
  for (let c = 0; c < N; c++) s2[c] = Math.sqrt(s2[c]);
  for (let t = 0; t < T; t++) for (let c = 0; c < N; c++) one[t * N + c] *= s2[c];
  const S = T - h + 1;
  for (let t = 0; t < S; t++) {
    for (let c = 0; c < N; c++) {
      let sum = 0;
      for (let j = t; j < t + h; j++) sum += one[j * N + c];
      out[t * N + c] = sum;
    }
  }
  return out[0];
}

/** The largest |a - b| over scale (scale: the largest |b| when not given). */
function largestDiff(a: ArrayLike<number>, b: ArrayLike<number>, scale?: number): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / (scale ?? m);
}

/** A case of the section. */
interface Case {
  /** The row's case name. */
  label: string;
  /** The name bench/peers/margin.py gives it. */
  peer: string;
  /** Its unit ('µs' or 'ms'). */
  unit: 'µs' | 'ms';
  /** Calls a batch (ours and the peer's). */
  calls: number;
  native: (i: number) => unknown;
  /** Where the kernel shares its work over the pool. */
  oneThread?: (i: number) => unknown;
  reference: (i: number) => unknown;
  /** What the call is given and returns, in words. */
  what: string;
  /** The issue's target, in ms a call. */
  target?: number;
  /** Per round: the bound's ms on the pool's threads and on one, from its yardsticks timed now. */
  bound: () => { pool: number; one: number };
  /** The bound in words, for the note (the yardsticks' figures filled in after the rounds). */
  boundNote: () => string;
  /** The peer's call, in words. */
  peerNote: string;
}

/** Native against the reference on every case before timing: a difference past 1e-9 throws. */
function checkBackends(
  nat: Kernels,
  ref: Kernels,
  returns: Matrix,
  scenarios: Matrix,
  ring: Float64Array,
  panels: Matrix[],
  instruments: Float64Array,
  values: Float64Array,
): string {
  const fail = (what: string, d: number) => {
    if (!(d <= 1e-9)) throw new Error(`margin bench: native's ${what} differs from the reference's by ${d} (> 1e-9)`);
    return d;
  };
  const bits: string[] = [];
  for (const h of [1, 5]) {
    const a = nat.filteredScenarios(returns, { lambda: LAMBDA, seed: SEED, horizon: h });
    const b = ref.filteredScenarios(returns, { lambda: LAMBDA, seed: SEED, horizon: h });
    bits.push(`scenarios h${h} ${fail(`scenarios (h ${h})`, largestDiff(a.data, b.data)) === 0 ? 'equal' : 'within 1e-9'}`);
  }
  const pos = ring.subarray(0, N);
  const a = nat.initialMargin(pos, scenarios);
  const b = ref.initialMargin(pos, scenarios);
  bits.push(`margin ${fail('margin', Math.abs(a.margin - b.margin) / b.margin) === 0 ? 'equal' : 'within 1e-9'}`);
  const nb = nat.marginBook(scenarios);
  const rb = ref.marginBook(scenarios);
  nb.set(pos);
  rb.set(pos);
  const mn = Float64Array.from({ length: CHECKED_ORDERS }, (_, j) => nb.marginal({ instrument: instruments[j], value: values[j] }));
  const mr = Float64Array.from({ length: CHECKED_ORDERS }, (_, j) => rb.marginal({ instrument: instruments[j], value: values[j] }));
  bits.push(`marginals ${fail('marginals', largestDiff(mn, mr, b.margin)) === 0 ? 'equal' : 'within 1e-9'}`);
  const pa = nat.initialMargin(panels[0], scenarios).margin;
  const pb = ref.initialMargin(panels[0], scenarios).margin;
  let d = 0;
  for (let p = 0; p < BOOKS; p++) d = Math.max(d, Math.abs(pa[p] - pb[p]) / pb[p]);
  bits.push(`panel ${fail('panel margins', d) === 0 ? 'equal' : 'within 1e-9'}`);
  return bits.join(', ');
}

function cases(nat: Kernels, one: Kernels, ref: Kernels, threads: number) {
  const returns = returnsPanel(92);
  const scenarios = nat.filteredScenarios(returns, { lambda: LAMBDA, seed: SEED });
  const S = scenarios.rows;
  const k = Math.floor((S - 1) * (1 - CONFIDENCE));
  const rnd = prng(920);
  const ring = books(RING, rnd);
  const positions = Array.from({ length: RING }, (_, i) => ring.slice(i * N, (i + 1) * N));
  const panelData = books(PANEL_RING * BOOKS, rnd);
  const panels = Array.from({ length: PANEL_RING }, (_, i) => matrix(panelData.slice(i * BOOKS * N, (i + 1) * BOOKS * N), BOOKS, N));
  const instruments = Float64Array.from({ length: ORDERS }, () => Math.floor(rnd() * N));
  const values = Float64Array.from({ length: ORDERS }, () => (rnd() < 0.5 ? -1 : 1) * (1e4 + 99e4 * rnd()));
  const backendCheck = checkBackends(nat, ref, returns, scenarios, ring, panels, instruments, values);

  // the prepared books: the first of the ring
  const natBook = nat.marginBook(scenarios);
  const refBook = ref.marginBook(scenarios);
  natBook.set(positions[0]);
  refBook.set(positions[0]);
  const order = (i: number) => ({ instrument: instruments[i % ORDERS], value: values[i % ORDERS] });
  const im = (kk: Kernels) => (i: number) => kk.initialMargin(positions[i % RING], scenarios);
  const panel = (kk: Kernels) => (i: number) => kk.initialMargin(panels[i % PANEL_RING], scenarios);
  const fs = (kk: Kernels, horizon: number) => () => kk.filteredScenarios(returns, { lambda: LAMBDA, seed: SEED, horizon });

  // what the peer checks against: ours
  const ours = {
    margin: Float64Array.from(positions, (p) => nat.initialMargin(p, scenarios).margin),
    marginal: Float64Array.from({ length: CHECKED_ORDERS }, (_, j) => natBook.marginal(order(j))),
    panel: nat.initialMargin(panels[0], scenarios).margin,
    h1: scenarios.data,
    h5: nat.filteredScenarios(returns, { lambda: LAMBDA, seed: SEED, horizon: 5 }).data,
  };

  // the yardsticks: the copy bandwidth (the scenarios' size: in cache as between calls; 64 MB: memory) and the Gram's multiply-add rate
  const scenarioBytes = 8 * S * N;
  const dramBandwidth = copyBandwidth(64 << 20);
  const bandwidths: number[] = [];
  const gramData = prng(7);
  const gramReturns = matrix(
    Float64Array.from({ length: GRAM.rows * GRAM.cols }, () => gramData() - 0.5),
    GRAM.rows,
    GRAM.cols,
  );
  const gramMacs = (GRAM.rows * GRAM.cols * (GRAM.cols + 1)) / 2;
  const macRates = { pool: [] as number[], one: [] as number[], round: -1 };
  /** This round's Gram rates and bandwidth (measured once a round, for every case). */
  const yardsticks = (round: number) => {
    if (macRates.round !== round) {
      macRates.round = round;
      macRates.pool.push(
        per(
          gramMacs,
          timeBest(() => nat.covariance(gramReturns), { minMs: 50, minRuns: 3 }),
        ),
      );
      macRates.one.push(
        per(
          gramMacs,
          timeBest(() => one.covariance(gramReturns), { minMs: 50, minRuns: 3 }),
        ),
      );
      bandwidths.push(copyBandwidth(scenarioBytes));
    }
    return {
      pool: macRates.pool[macRates.pool.length - 1],
      one: macRates.one[macRates.one.length - 1],
      bw: bandwidths[bandwidths.length - 1],
    };
  };
  let round = 0;
  const memoryOrMacs = (bytes: number, macs: number) => () => {
    const y = yardsticks(round);
    const read = (1000 * bytes) / y.bw;
    return { pool: Math.max(read, (1000 * macs) / y.pool), one: Math.max(read, (1000 * macs) / y.one) };
  };
  const rateNote = (bytes: number, macs: number) =>
    `${fmt(macs)} multiply-adds at the machine's multiply-add rate, measured in the same rounds as native covariance()'s Gram of ${fmt(GRAM.rows)} x ${GRAM.cols} (register tiles, a multiply then an add, the rounding initialMargin's parity allows): ${(median(macRates.pool) / 1e9).toPrecision(3)} G/s on ${threads} threads, ${(median(macRates.one) / 1e9).toPrecision(3)} G/s on one, or ${(bytes / 1e6).toPrecision(3)} MB at ${gb(median(bandwidths))} (a ${(scenarioBytes / 1e6).toPrecision(2)} MB copy, in cache as the scenarios are between calls; a 64 MB copy, from memory, runs at ${gb(dramBandwidth)}: ${ms((1000 * bytes) / dramBandwidth)}), whichever is larger: ${(1000 * bytes) / median(bandwidths) > (1000 * macs) / median(macRates.pool) ? 'the bytes bind' : 'the multiply-adds bind'}`;

  // marginal's loop
  const tail = new Float64Array(k + 1);
  const byColumn = new Float64Array(S * N);
  for (let s = 0; s < S; s++) for (let i = 0; i < N; i++) byColumn[i * S + s] = scenarios.data[s * N + i];
  const pnl = nat.initialMargin(positions[0], scenarios).pnl;
  const tailRates: number[] = [];
  let tailCall = 0;
  const tailOne = () => {
    const o = order(tailCall++);
    return tailPass(pnl, byColumn.subarray(o.instrument * S, (o.instrument + 1) * S), o.value, k, tail);
  };

  // filteredScenarios' loop
  const s2 = new Float64Array(N);
  const oneDay = new Float64Array(T * N);
  const out = new Float64Array(T * N);
  const ewmaRates: Record<number, number[]> = { 1: [], 5: [] };
  // the bytes the definition moves at the memory's copy bandwidth: the returns read, the scenarios written
  // (8 MB: more than the caches hold between calls); native's vector loop (a sqrt and a division a value)
  // outruns the plain JavaScript loop, which stays in the note as a yardstick
  const ewmaBound = (h: number) => () => {
    const t = timeBest(() => ewmaRows(returns.data, h, s2, oneDay, out), { minMs: 50, minRuns: 3 });
    ewmaRates[h].push(per(T * N, t));
    const bytes = (1000 * 8 * (T + (T - h + 1)) * N) / dramBandwidth;
    return { pool: bytes, one: bytes };
  };
  const ewmaNote = (h: number) =>
    `bound: the returns and scenarios, ${((8 * (2 * T - h + 1) * N) / 1e6).toPrecision(3)} MB, at the memory's copy bandwidth (${gb(dramBandwidth)}, a 64 MB copy); a plain JavaScript loop of the EWMA across the columns (z = r / sqrt(s2), s2 = lambda s2 + (1 - lambda) r r, the scale${h > 1 ? `, the ${h}-day sums` : ''}) runs ${mega(median(ewmaRates[h]))} returns/s on one thread`;

  const imBytes = scenarioBytes + 8 * N + 8 * S;
  const panelBytes = scenarioBytes + 8 * BOOKS * N + 8 * BOOKS * S;
  const list: Case[] = [
    {
      label: `initialMargin ES 0.99, a book of ${N} over ${fmt(S)} scenarios`,
      peer: 'initialMargin',
      unit: 'µs',
      calls: 20,
      native: im(nat),
      oneThread: im(one),
      reference: im(ref),
      what: `the margin and its ${fmt(S)} P&Ls; each call a different positions array (${RING} books cycled); k + 1 = ${k + 1} worst`,
      target: 0.2,
      bound: memoryOrMacs(imBytes, S * N),
      boundNote: () => `bound: the scenarios x positions product, ${rateNote(imBytes, S * N)}`,
      peerNote: `es(scenarios @ positions): -np.partition(pnl, k)[:k + 1].mean(), floored at 0; the same ring of ${RING} books`,
    },
    {
      label: `marginBook(scenarios).marginal(order) after set(positions), ${N} x ${fmt(S)}`,
      peer: 'marginal',
      unit: 'µs',
      calls: 200,
      native: (i) => natBook.marginal(order(i)),
      reference: (i) => refBook.marginal(order(i)),
      what: `a fresh order each call (${fmt(ORDERS)} instruments and values cycled); the kernel's pass on one thread`,
      target: 0.02,
      bound: () => {
        const t = timeBest(
          () => {
            for (let j = 0; j < 200; j++) tailOne();
          },
          { minMs: 20, minRuns: 5 },
        );
        tailRates.push(per(200 * S, t));
        return { pool: t / 200, one: t / 200 };
      },
      boundNote: () =>
        `bound: a plain loop of the pass the kernel must make (pnl + value x the column, the ${k + 1} smallest kept sorted by insertion, their mean; ${mega(median(tailRates))} scenarios/s, JavaScript), on one thread (${fmt(S)} values are too few to share)`,
      peerNote: `es(pnl + value * columns[:, instrument]) - margin, the book's pnl and margin kept and the scenarios by column (np.asfortranarray, once), as marginBook keeps them; the same orders`,
    },
    {
      label: `filteredScenarios ewma lambda 0.94, seed 20, horizon 1, ${fmt(T)} x ${N} returns`,
      peer: 'filteredScenarios h1',
      unit: 'ms',
      calls: 2,
      native: fs(nat, 1),
      reference: fs(ref, 1),
      what: `${fmt(T)} x ${N} scenarios; the kernel runs its columns on one thread`,
      bound: ewmaBound(1),
      boundNote: () => ewmaNote(1),
      peerNote:
        'the EWMA across the columns: a Python loop over the days, each step a vector of the 500 columns; z = r / sqrt(s2) (0 where r is 0), times sqrt(s2[T])',
    },
    {
      label: `filteredScenarios ewma lambda 0.94, seed 20, horizon 5, ${fmt(T)} x ${N} returns`,
      peer: 'filteredScenarios h5',
      unit: 'ms',
      calls: 2,
      native: fs(nat, 5),
      reference: fs(ref, 5),
      what: `${fmt(T - 4)} x ${N} scenarios; the kernel runs its columns on one thread`,
      bound: ewmaBound(5),
      boundNote: () => ewmaNote(5),
      peerNote: 'as horizon 1, then the 5-day sums as 5 shifted slices added',
    },
    {
      label: `initialMargin ES 0.99, a panel of ${BOOKS} books x ${N} over ${fmt(S)} scenarios`,
      peer: 'panel',
      unit: 'ms',
      calls: 2,
      native: panel(nat),
      oneThread: panel(one),
      reference: panel(ref),
      what: `${BOOKS} margins and a ${BOOKS} x ${fmt(S)} P&L matrix; each call a different positions matrix (${PANEL_RING} cycled)`,
      bound: memoryOrMacs(panelBytes, BOOKS * S * N),
      boundNote: () => `bound: the books x scenarios product, ${rateNote(panelBytes, BOOKS * S * N)}`,
      peerNote: `es per column of scenarios @ positions.T (np.partition along the scenarios), floored at 0; the same ring of ${PANEL_RING} matrices`,
    },
  ];
  const peerFiles = {
    returns: returns.data,
    scenarios: scenarios.data,
    positions: ring,
    panel: panelData,
    instruments,
    values,
    'ours-margin': ours.margin,
    'ours-marginal': ours.marginal,
    'ours-panel': ours.panel,
    'ours-scen-h1': ours.h1,
    'ours-scen-h5': ours.h5,
  };
  const setRound = (r: number) => {
    round = r;
  };
  return { list, peerFiles, backendCheck, setRound };
}

export const marginSection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    const ref = kernels({ backend: 'reference' });
    if (!backends().some((b) => b.name === 'native' && b.available)) {
      const returns = returnsPanel(92);
      rows.push({
        section: SECTION,
        case: `filteredScenarios ewma lambda 0.94, seed 20, horizon 1, ${fmt(T)} x ${N} returns`,
        subject: 'reference',
        value: medianPerCall(() => ref.filteredScenarios(returns, { lambda: LAMBDA, seed: SEED }), 1, 3),
        unit: 'ms',
        note: 'native not built',
      });
      return rows;
    }
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const threads = nativeThreads();
    const { list, peerFiles, backendCheck, setRound } = cases(nat, one, ref, threads);

    const refMs = list.map((c) => medianPerCall(c.reference, Math.max(1, Math.round(c.calls / 10)), 3));

    const python = peerPython('/work/venv/bin/python');
    const { files, done } = peerInputs(peerFiles);
    const calls = Object.fromEntries(list.map((c) => [c.peer, c.calls]));
    const peers = new PeerRounds(
      python,
      [
        peerScript('margin.py'),
        ...Object.entries(files).flatMap(([name, path]) => [`--${name}`, path]),
        ...['--rows', String(T), '--cols', String(N), '--books', String(BOOKS)],
        ...['--ring', String(RING), '--panel-ring', String(PANEL_RING)],
        ...['--confidence', String(CONFIDENCE), '--lam', String(LAMBDA), '--seed', String(SEED)],
        ...['--calls', JSON.stringify(calls), '--batches', String(BATCHES)],
      ],
      'numpy is not installed here',
    );
    const nativeMs = list.map(() => [] as number[]);
    const oneMs = list.map(() => [] as number[]);
    const boundRatio = list.map(() => [] as number[]);
    const boundOneRatio = list.map(() => [] as number[]);
    const boundMs = list.map(() => [] as number[]);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        setRound(round);
        if (round < PEER_ROUNDS) {
          peers.round();
          // a peer whose results differ from ours fails the section (a figure of other work is no ratio)
          if (peers.missing.includes('MISMATCH')) throw new Error(`margin bench: ${peers.missing}`);
        }
        list.forEach((c, i) => {
          const n = medianPerCall(c.native, c.calls, BATCHES);
          const o = c.oneThread ? medianPerCall(c.oneThread, c.calls, BATCHES) : n;
          const b = c.bound();
          nativeMs[i].push(n);
          oneMs[i].push(o);
          boundMs[i].push(b.pool);
          boundRatio[i].push(n / b.pool);
          boundOneRatio[i].push(o / b.one);
        });
      }
    } finally {
      done();
    }
    recordPeers(SECTION, peers.missing || `${peers.versionText()} (bench/peers/margin.py)`);

    list.forEach((c, i) => {
      const scale = c.unit === 'µs' ? 1000 : 1;
      const n = median(nativeMs[i]);
      const o = median(oneMs[i]);
      const target = c.target === undefined ? '' : `; target <= ${ms(c.target)}: ${n <= c.target ? 'met' : 'not met'} (${ms(n)})`;
      const checked = i === 0 ? `; native against the reference before timing: ${backendCheck}` : '';
      rows.push({ section: SECTION, case: c.label, subject: 'reference', value: scale * refMs[i], unit: c.unit });
      rows.push({
        section: SECTION,
        case: c.label,
        subject: 'native',
        value: scale * n,
        unit: c.unit,
        ratio: refMs[i] / n,
        baseline: 'reference (speed-up)',
        note: `${c.what}; median of ${ROUNDS} rounds, each the median of ${BATCHES} batches of ${c.calls} calls${target}${checked}`,
      });
      if (c.oneThread) {
        rows.push({
          section: SECTION,
          case: c.label,
          subject: 'native, 1 thread',
          value: scale * o,
          unit: c.unit,
          ratio: o / n,
          baseline: `1 thread (speed-up of ${threads} threads)`,
        });
      }
      const peerMs = peers.ms(c.peer);
      if (peerMs === undefined) {
        rows.push({ section: SECTION, case: c.label, subject: 'numpy', value: Number.NaN, unit: c.unit, note: peers.missing });
      } else {
        const check = peers.checks[c.peer];
        rows.push({
          section: SECTION,
          case: c.label,
          subject: 'numpy',
          value: scale * peerMs,
          unit: c.unit,
          ratio: peerMs / n,
          baseline: "native's speed-up over it (the same rounds)",
          note: `${peers.versionText()}: timed in this run, median of ${peers.rounds} rounds before ours, each the median of ${BATCHES} batches of ${c.calls} calls; ${c.peerNote}${check ? `; against ours: ${check}` : ''}`,
        });
      }
      const ratio = median(boundRatio[i]);
      rows.push({
        section: SECTION,
        case: c.label,
        subject: 'bound',
        value: scale * median(boundMs[i]),
        unit: c.unit,
        ratio,
        baseline: "native's time over it",
        note: `${c.boundNote()}; the rounds' ratios ${Math.min(...boundRatio[i]).toPrecision(3)}-${Math.max(...boundRatio[i]).toPrecision(3)}x${c.oneThread ? `; native 1 thread ${median(boundOneRatio[i]).toPrecision(3)}x the one-thread bound` : ''}`,
      });
    });
    return rows;
  },
};
