/**
 * What a large fresh output costs a caller over many calls: the per-call time of 200 calls in one process,
 * median and p99, for each family's large fresh output (sma, ema and bbands of 10^6 bars; vpin()'s
 * buckets and bars() of 10^6 trades; covariance 2,520 x 500 -> 500 x 500), each in a quiet process and
 * beside 2,000,000 live JS objects, with the collections that fell inside the calls (perf_hooks 'gc'
 * entries: scavenges, mark-compacts) and the growth of the resident set. Each case runs in a child of its
 * own (node --expose-gc, the heap built and collected before the calls), each result dropped at the next
 * call unless the case says it keeps them. The rows `(out)` call the same kernel into one output reused:
 * no allocation, so their p99/median is the machine's own noise floor (a shared machine's scheduler alone
 * puts 10 ms stalls into a 2 ms call). Every row counts the page faults of its calls. On Linux the quiet
 * sma, bbands and backtestSignals (2,520 x 1,000, 65 MB a call) cases run again with glibc made to keep
 * freed memory, once by retainFreedMemory() called in the child and once by GLIBC_TUNABLES at its start
 * (the two should match), and the resident set of sma is measured over 10,000 calls all three ways.
 * docs/backends.md (Fresh outputs and the collector) says what V8 does with the outputs' memory.
 * Usage: npm run bench -- --only fresh-outputs, or for one case tsx bench/fresh-outputs.ts --child
 * <case> <live> <calls> <keep> [retain] (under node --expose-gc; JSON on stdout; `retain`: retainFreedMemory()
 * first).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { backends, kernels, matrix, retainFreedMemory } from '../src/api/index.js';
import { backtestPrices, centGrid, maCross } from './inputs.js';
import { type BenchRow, type BenchSection, prng } from './lib.js';

/** The cases: a name, and a maker of the call over its inputs (built once, before the heap). */
const CASES: Record<string, () => () => unknown> = {
  'sma 10^6': () => {
    const close = walk(1e6);
    const k = kernels({ backend: 'native' });
    return () => k.sma(close, { timePeriod: 20 });
  },
  'sma 10^6 (out)': () => {
    const close = walk(1e6);
    const out = new Float64Array(close.length);
    const k = kernels({ backend: 'native' });
    return () => k.sma(close, { timePeriod: 20, out });
  },
  'ema 10^6': () => {
    const close = walk(1e6);
    const k = kernels({ backend: 'native' });
    return () => k.ema(close, { timePeriod: 20 });
  },
  'bbands 10^6': () => {
    const close = walk(1e6);
    const k = kernels({ backend: 'native' });
    return () => k.bbands(close, { timePeriod: 20 });
  },
  'vpin buckets, 10^6 trades': () => {
    const trades = centGrid(1e6);
    const k = kernels({ backend: 'native' });
    return () => k.vpin(trades, { bucketVolume: 500 });
  },
  'bars, 10^6 trades': () => {
    const trades = centGrid(1e6);
    const k = kernels({ backend: 'native' });
    return () => k.bars(trades, { by: 'tick', threshold: 10 });
  },
  'backtestSignals 2520 x 1000': () => {
    const close = matrix(backtestPrices(2520, 1000, 42), 2520, 1000);
    const k = kernels({ backend: 'native' });
    // bench/backtest.ts's first row: MA-cross signals, fees 0.001
    const options = { ...maCross(k, close), fees: 0.001 };
    return () => k.backtestSignals({ close }, options);
  },
  'covariance 2520 x 500': () => {
    const rnd = prng(5);
    const r = new Float64Array(2520 * 500);
    for (let i = 0; i < r.length; i++) r[i] = (rnd() - 0.5) * 0.02;
    const returns = matrix(r, 2520, 500);
    const k = kernels({ backend: 'native' });
    return () => k.covariance(returns);
  },
};

/** A seeded random walk of n closes. */
function walk(n: number): Float64Array {
  const rnd = prng(3);
  const close = new Float64Array(n);
  let x = 100;
  for (let i = 0; i < n; i++) {
    x *= 1 + 0.02 * (rnd() - 0.5);
    close[i] = x;
  }
  return close;
}

/** One child's figures. */
interface Figures {
  outputMB: number;
  median: number;
  p99: number;
  max: number;
  minor: [count: number, ms: number];
  major: [count: number, ms: number];
  /** The collector's pauses inside one call: their p99 and max over the calls, ms. */
  gcP99: number;
  gcMax: number;
  rssGrowthMB: number;
  rssMaxMB: number;
  /** Minor page faults per call (the process's, over the calls). */
  faults: number;
  /** What retainFreedMemory() returned in the child, when it was asked for. */
  retained?: string;
  /** The machine's 1-minute load average when the calls began. */
  load: number;
}

const bytesOf = (v: unknown): number =>
  ArrayBuffer.isView(v)
    ? v.byteLength
    : typeof v === 'object' && v !== null
      ? Object.values(v).reduce((s: number, x) => s + bytesOf(x), 0)
      : 0;

/** In the child: `calls` calls of `name` beside `live` live objects, each result kept for `keep` calls. */
async function child(name: string, live: number, calls: number, keep: number, retain: boolean): Promise<Figures> {
  const retained = retain ? JSON.stringify(retainFreedMemory()) : undefined;
  const run = CASES[name]();
  const heap: { i: number; s: string; a: number[] }[] = [];
  for (let i = 0; i < live; i++) heap.push({ i, s: 'x', a: [i] });
  const gc = (globalThis as { gc?: () => void }).gc;
  const outputMB = bytesOf(run()) / 1e6;
  for (let i = 0; i < 5; i++) run();
  gc?.();
  gc?.();
  const entries: { kind: number; start: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      entries.push({ kind: (e as unknown as { detail: { kind: number } }).detail.kind, start: e.startTime, ms: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const ring: unknown[] = new Array(keep);
  const spans: [number, number][] = [];
  const load = loadavg()[0];
  const rss0 = process.memoryUsage().rss;
  let rssMax = rss0;
  const faults0 = process.resourceUsage().minorPageFault;
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    ring[i % keep] = run();
    spans.push([t0, performance.now()]);
    if (i % 10 === 9) rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const faults = (process.resourceUsage().minorPageFault - faults0) / calls;
  const rss1 = process.memoryUsage().rss;
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  const [w0, w1] = [spans[0][0], spans[spans.length - 1][1]];
  const minor: [number, number] = [0, 0];
  const major: [number, number] = [0, 0];
  const paused = spans.map(() => 0);
  for (const e of entries) {
    if (e.start < w0 || e.start > w1) continue;
    const at = spans.findIndex(([a, b]) => e.start >= a && e.start <= b);
    if (at >= 0) paused[at] += e.ms;
    const into =
      e.kind === constants.NODE_PERFORMANCE_GC_MINOR ? minor : e.kind === constants.NODE_PERFORMANCE_GC_MAJOR ? major : undefined;
    if (into) {
      into[0]++;
      into[1] += e.ms;
    }
  }
  const ms = spans.map(([a, b]) => b - a).sort((a, b) => a - b);
  paused.sort((a, b) => a - b);
  if (heap.length !== live || ring.length !== keep) throw new Error('unreachable');
  return {
    outputMB,
    median: ms[Math.floor(ms.length / 2)],
    p99: ms[Math.ceil(ms.length * 0.99) - 1],
    max: ms[ms.length - 1],
    minor,
    major,
    gcP99: paused[Math.ceil(paused.length * 0.99) - 1],
    gcMax: paused[paused.length - 1],
    load,
    rssGrowthMB: (rss1 - rss0) / 1e6,
    rssMaxMB: rssMax / 1e6,
    faults,
    ...(retained ? { retained } : {}),
  };
}

/** How a child's allocator runs: as it is, retainFreedMemory() called first, or GLIBC_TUNABLES at its start. */
type Alloc = 'default' | 'retain' | 'tunables';

/** Runs one case in a child process (node --expose-gc) and returns its figures. */
function inChild(name: string, live: number, calls: number, keep: number, alloc: Alloc = 'default'): Figures {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      self,
      '--child',
      name,
      String(live),
      String(calls),
      String(keep),
      ...(alloc === 'retain' ? ['retain'] : []),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      env: { ...process.env, ...(alloc === 'tunables' ? { GLIBC_TUNABLES: KEEP_FREED } : {}) },
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Figures;
}

const CALLS = 200;
/** glibc keeping what the process frees (no trim below 1 GB, 64 MB of top pad, no mmap below 32 MB): docs/backends.md;
 * retainFreedMemory()'s defaults are the same values. */
const KEEP_FREED = 'glibc.malloc.trim_threshold=1073741824:glibc.malloc.mmap_threshold=33554432:glibc.malloc.top_pad=67108864';
const LIVE = 2_000_000;

export const freshOutputsSection: BenchSection = {
  name: 'fresh-outputs',
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    const row = (c: string, subject: string, value: number, unit: string, note?: string) =>
      rows.push({ section: 'fresh-outputs', case: c, subject, value, unit, ...(note ? { note } : {}) });
    const plan: [name: string, live: number, keep: number, label: string, alloc?: Alloc][] = [];
    for (const name of Object.keys(CASES)) {
      plan.push([name, 0, 1, 'quiet process']);
      if (!name.startsWith('backtestSignals')) plan.push([name, LIVE, 1, '2 M live objects']);
    }
    plan.push(['sma 10^6', LIVE, 8, '2 M live objects, each result kept 8 calls']);
    // the page faults of a quiet process's slow calls: glibc made to keep freed memory (Linux only), by the
    // opt-in and by the environment
    if (process.platform === 'linux')
      for (const name of ['sma 10^6', 'bbands 10^6', 'backtestSignals 2520 x 1000']) {
        plan.push([name, 0, 1, 'quiet process, retainFreedMemory()', 'retain']);
        plan.push([name, 0, 1, 'quiet process, GLIBC_TUNABLES keeping freed memory', 'tunables']);
      }
    for (const [name, live, keep, label, alloc] of plan) {
      const f = inChild(name, live, CALLS, keep, alloc);
      if (alloc === 'retain' && !f.retained?.includes('"applied":true')) throw new Error(`retainFreedMemory() in the child: ${f.retained}`);
      const c = `${name}, ${label}`;
      const gcs = `in the calls: ${f.minor[0]} scavenges ${f.minor[1].toFixed(0)} ms, ${f.major[0]} mark-compacts ${f.major[1].toFixed(0)} ms`;
      const made = name.endsWith('(out)') ? 'no allocation' : `${f.outputMB.toFixed(1)} MB a call`;
      const load = `load ${f.load.toFixed(2)}`;
      row(c, 'median', f.median, 'ms', `${made}, ${CALLS} calls; ${load}`);
      row(c, 'p99', f.p99, 'ms', `max ${f.max.toFixed(1)} ms; ${gcs}`);
      row(c, 'p99/median', f.p99 / f.median, 'x', 'target <= 2');
      row(c, 'collector p99', f.gcP99, 'ms', `the collector's pauses inside one call: p99 over the calls, max ${f.gcMax.toFixed(1)} ms`);
      row(c, 'RSS growth', f.rssGrowthMB, 'MB', `over ${CALLS} calls; peak RSS ${f.rssMaxMB.toFixed(0)} MB`);
      row(c, 'page faults', f.faults, 'per call', `minor faults of the process over ${CALLS} calls`);
      console.log(
        `${c}: median ${f.median.toFixed(2)} p99 ${f.p99.toFixed(2)} ms (${(f.p99 / f.median).toFixed(2)}x), collector p99 ${f.gcP99.toFixed(2)} ms, ${gcs}, ${f.faults.toFixed(0)} faults a call, RSS +${f.rssGrowthMB.toFixed(0)} MB (peak ${f.rssMaxMB.toFixed(0)}), ${load}`,
      );
    }
    // bounded memory over many calls: the resident set after 10,000 fresh outputs of 8 MB (80 GB allocated),
    // as glibc is by default and made to keep freed memory
    const runs: [label: string, alloc?: Alloc][] = [['quiet process']];
    if (process.platform === 'linux')
      runs.push(['quiet process, retainFreedMemory()', 'retain'], ['quiet process, GLIBC_TUNABLES keeping freed memory', 'tunables']);
    for (const [label, alloc] of runs) {
      const long = inChild('sma 10^6', 0, 10_000, 1, alloc);
      const note = `peak RSS ${long.rssMaxMB.toFixed(0)} MB; median ${long.median.toFixed(2)} ms, p99 ${long.p99.toFixed(2)} ms; load ${long.load.toFixed(2)}`;
      row(`sma 10^6, ${label}, 10,000 calls`, 'RSS growth', long.rssGrowthMB, 'MB', note);
      console.log(`sma 10^6, ${label}, 10,000 calls: RSS +${long.rssGrowthMB.toFixed(0)} MB, ${note}`);
    }
    return rows;
  },
};

if (process.argv[2] === '--child') {
  const [name, live, calls, keep, retain] = process.argv.slice(3);
  const figures = await child(name, Number(live), Number(calls), Number(keep), retain === 'retain');
  console.log(JSON.stringify(figures));
}
