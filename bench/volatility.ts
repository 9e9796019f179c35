/**
 * The volatility family against arch 8.0 timed in the same run (issue 70): a child process per round
 * runs bench/peers/arch_volatility.py on the same returns (written to a file), interleaved with our
 * rounds; each ratio divides the peer's median by ours. Where arch is not installed (npm run bench:peers;
 * KERNELBUS_ARCH_PYTHON names its python) the rows say "peer not measured" and give no ratio.
 * - garch: GARCH(1,1), normal, constant mean, 2,520 returns (target >= 30x arch's fit());
 * - GJR(1,1,1) skew-t on the same series (target >= 30x);
 * - the 2,520 x 500 panel, every column GARCH(1,1) (arch: its rate over 20 columns, times 500;
 *   target >= 30x), and 1 thread against all, call by call (target: 2 threads >= 1.8x one);
 * - garchVar over 2,520 bars, window 1,000, a refit every bar (target <= 1 s).
 * Our time includes the whole result (std errors, series), as arch's fit() does. Each case is the median
 * of RUNS calls a round (the peer's too), so that a round's first calls, on caches the peer's process
 * and the panel left cold, are not its median.
 * `npm run bench -- --only volatility`, or `tsx bench/volatility.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backends, kernels, type Kernels, type Matrix } from '../src/api/index.js';
import { median, nativeThreads, timeMedian, prng, type BenchRow, type BenchSection } from './lib.js';
import { namedPython, PeerWaits, recordPeers } from './peer-env.js';

const SECTION = 'volatility';
const T = 2520;
const N = 500;
const ROUNDS = 3;
const RUNS = 21;
const PANEL_PEER_COLS = 20;
/** Calls of the panel a round on every thread and on one, alternated. */
const PANEL_PAIRS = 3;

/** The median ms of a and of b over `pairs` calls of each, a and b in turn (after one call of each). */
function alternated(a: () => unknown, b: () => unknown, pairs: number): [number, number] {
  a();
  b();
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let t0 = performance.now();
    a();
    ta.push(performance.now() - t0);
    t0 = performance.now();
    b();
    tb.push(performance.now() - t0);
  }
  return [median(ta), median(tb)];
}

/** N columns of GJR-GARCH(1,1) percent returns (mulberry32, Box-Muller), row-major T x N. */
function panel(rows: number, cols: number, seed: number): Float64Array {
  const u = prng(seed);
  const out = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    let v = 1;
    let prev = 0;
    for (let t = 0; t < rows; t++) {
      v = 0.02 + 0.04 * prev * prev + (prev < 0 ? 0.08 * prev * prev : 0) + 0.9 * v;
      const z = Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
      prev = Math.sqrt(v) * z;
      out[t * cols + c] = 0.05 + prev;
    }
  }
  return out;
}

/** The python of the arch peer: KERNELBUS_ARCH_PYTHON, the peers' venv (npm run bench:peers), or /opt/arch-venv. */
function archPython(): string | undefined {
  return namedPython('KERNELBUS_ARCH_PYTHON', '/opt/arch-venv/bin/python');
}

/** The peer's versions, from its last round. */
let versions = '';

/** One round of the peer (with `env`): its median ms per case, or why it did not run. */
function peerRound(python: string, file: string, env: NodeJS.ProcessEnv): Record<string, number> | string {
  const script = fileURLToPath(new URL('./peers/arch_volatility.py', import.meta.url));
  const r = spawnSync(
    python,
    [script, '--returns', file, '--rows', String(T), '--runs', String(RUNS), '--panel-cols', String(PANEL_PEER_COLS)],
    {
      encoding: 'utf8',
      timeout: 20 * 60_000,
      env,
    },
  );
  if (r.status !== 0) return `arch peer failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
  const out = JSON.parse(r.stdout) as { arch: string; numpy: string; python: string; results: { case: string; seconds: number }[] };
  versions = `arch ${out.arch}, numpy ${out.numpy}, Python ${out.python} (bench/peers/arch_volatility.py)`;
  return Object.fromEntries(out.results.map((c) => [c.case, c.seconds * 1000]));
}

export const volatilitySection: BenchSection = {
  name: SECTION,
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    const threads = nativeThreads();
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const data = panel(T, N, 70);
    const returns: Matrix = { data, rows: T, cols: N };
    const first = Float64Array.from({ length: T }, (_, t) => data[t * N]);
    const cases: Record<string, { peer: string; runs: number; ours: (k: Kernels) => unknown }> = {
      [`garch GARCH(1,1) normal, constant mean, ${T} returns`]: { peer: 'garch', runs: RUNS, ours: (k) => k.garch(first) },
      [`garch GJR(1,1,1) skew-t, ${T} returns`]: {
        peer: 'gjr-skewt',
        runs: RUNS,
        ours: (k) => k.garch(first, { vol: 'gjr', dist: 'skewt' }),
      },
      [`garch GARCH(1,1) of each column of ${T} x ${N}`]: { peer: 'panel', runs: PANEL_PAIRS, ours: (k) => k.garch(returns) },
    };
    const python = archPython();
    const dir = mkdtempSync(join(tmpdir(), 'kb-volatility-'));
    const file = join(dir, 'returns.f64');
    writeFileSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const ours: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
    const oneThread: number[] = [];
    const peer: Record<string, number[]> = {};
    let peerMissing = python ? '' : 'peer not measured: arch is not installed here; npm run bench:peers installs it';
    // each round of the peer is followed by the wait for the cores to be quiet (peer-env.ts); arch runs
    // with one thread: its fits run one after another, its numpy calls on vectors of 2,520 and small
    // matrices (the same CPU time, 3.8 s user, with one OpenBLAS thread as with two), so its rows mean
    // what they meant
    const peerWaits = new PeerWaits(true);
    const panelCase = Object.keys(cases)[2];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, c] of Object.entries(cases)) if (name !== panelCase) ours[name].push(timeMedian(() => c.ours(nat), c.runs));
        // the panel on every thread and on one, call by call, so that both meet the machine alike
        const [all, single] = alternated(
          () => cases[panelCase].ours(nat),
          () => cases[panelCase].ours(one),
          PANEL_PAIRS,
        );
        ours[panelCase].push(all);
        oneThread.push(single);
        if (python && !peerMissing) {
          const got = peerWaits.round((env) => peerRound(python, file, env));
          if (typeof got === 'string') peerMissing = got;
          else for (const [key, ms] of Object.entries(got)) (peer[key] ??= []).push(ms);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    recordPeers(SECTION, peerMissing || versions);
    for (const [name, c] of Object.entries(cases)) {
      const mine = median(ours[name]);
      rows.push({
        section: SECTION,
        case: name,
        subject: `native (${threads} threads)`,
        value: mine,
        unit: 'ms',
        note: `median over ${ROUNDS} rounds of each round's median of ${c.runs} calls`,
      });
      const theirs = peer[c.peer];
      if (theirs) {
        const p = median(theirs);
        rows.push({
          section: SECTION,
          case: name,
          subject: 'arch 8.0.0',
          value: p,
          unit: 'ms',
          ratio: p / mine,
          baseline: 'arch time / native time (target >= 30x)',
          note:
            c.peer === 'panel'
              ? `timed in this run: arch's rate over ${PANEL_PEER_COLS} columns times ${N}, ${ROUNDS} rounds interleaved; ${peerWaits.note()}`
              : `timed in this run, ${ROUNDS} rounds interleaved with ours; ${peerWaits.note()}`,
        });
      } else {
        rows.push({
          section: SECTION,
          case: name,
          subject: 'arch 8.0.0',
          value: Number.NaN,
          unit: 'ms',
          note: peerMissing || 'peer not measured',
        });
      }
    }
    // garchVar: 2,520 bars, window 1,000, a refit every bar (warm-started), one series (target <= 1 s)
    const varTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) varTimes.push(timeMedian(() => nat.garchVar(first, { window: 1000, refit: 1 }), 1));
    rows.push({
      section: SECTION,
      case: `garchVar GARCH(1,1), ${T} bars, window 1000, a refit every bar`,
      subject: `native (${threads} threads)`,
      value: median(varTimes),
      unit: 'ms',
      note: `median of ${ROUNDS} runs; target <= 1000 ms (one series: its refits run in turn, warm-started)`,
    });
    const single = median(oneThread);
    rows.push({
      section: SECTION,
      case: panelCase,
      subject: 'native, 1 thread',
      value: single,
      unit: 'ms',
      ratio: single / median(ours[panelCase]),
      baseline: `1 thread / ${threads} threads (target >= 1.8x)`,
      note: `${PANEL_PAIRS} calls a round on each, alternated with the ${threads} threads' call by call; median over ${ROUNDS} rounds`,
    });
    return rows;
  },
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await volatilitySection.run()) {
    console.log(
      `${row.case} | ${row.subject} | ${Number.isNaN(row.value) ? '-' : row.value.toFixed(2)} ${row.unit}${row.ratio ? ` | ${row.ratio.toFixed(2)}x ${row.baseline}` : ''}${row.note ? ` | ${row.note}` : ''}`,
    );
  }
}
