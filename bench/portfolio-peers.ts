/**
 * The portfolio bench's Python peer, timed in the same run (issue 71): PyPortfolioOpt 1.5.6 with cvxpy
 * and CLARABEL (`min_volatility`, `max_sharpe`), its `HRPOpt`, and OpenBLAS `dpotrf` (through scipy) as
 * the yardstick of a Cholesky factorization, run by bench/peers/portfolio.py in a child process, one
 * round at a time, interleaved with our rounds, on the inputs our rows use (written to files). Where
 * the peer is not installed (`npm run bench:peers`; KERNELBUS_PFO_PYTHON names another python) or fails,
 * its rows say "peer not measured" and give no ratio.
 *
 * Ours are timed as a user meets them: each call on a fresh covariance (a new array with new values,
 * as an engine passes one at each rebalance), made before the timing, so the covariance test runs
 * every call (an array that passed twice is not tested again: portfolio-psd-known.ts).
 */
import { peerSpawnSync } from './spawner.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matrix, type Matrix } from '../src/api/index.js';
import { type BenchRow, median } from './lib.js';
import { INSTALL_HINT, namedPython, PeerWaits, recordPeers } from './peer-env.js';

/** What the child times: bench/peers/portfolio.py's kinds. */
export type PeerKind = 'min_volatility' | 'max_sharpe' | 'hrp' | 'dpotrf' | 'dpotrf1';

/** One case of the peer: its kind and its inputs (a mean and/or a covariance, or T x N returns). */
export interface PeerCase {
  kind: PeerKind;
  inputs: Float64Array[];
  /** Rows of the returns (hrp). */
  rows?: number;
}

/** Our measurement of a round: ms. */
export type Ours = () => number;

/** The python that runs PyPortfolioOpt: KERNELBUS_PFO_PYTHON, else the peers' venv, else the older /opt/pfo-venv. */
function pfoPython(): string | undefined {
  return namedPython('KERNELBUS_PFO_PYTHON', join(process.env.KERNELBUS_PFO_VENV ?? '/opt/pfo-venv', 'bin', 'python'));
}

/** What a run of the peer gives: its medians per case (ms), its versions, or why it was not measured. */
export interface PeerTimes {
  ms: Record<string, number>;
  /** Each round's median, per case. */
  rounds: Record<string, number[]>;
  versions: string;
  missing: string;
  roundCount: number;
  /** How ours was timed after the peer's rounds (PeerWaits.note()). */
  quiet: string;
}

/**
 * `rounds` rounds: each runs every one of `ours` (its ms pushed) and then the child once on `cases`
 * (`runs` calls each), followed by the wait for the cores to be quiet (peer-env.ts PeerWaits; the peer
 * keeps its threads: its dpotrf row is OpenBLAS on all of them); the medians over the rounds. Our
 * medians by the same names.
 */
export function interleaved(
  ours: Record<string, Ours>,
  cases: Record<string, PeerCase>,
  { rounds = 3, runs = 5 } = {},
): { ours: Record<string, number>; peer: PeerTimes } {
  const python = pfoPython();
  const mine: Record<string, number[]> = Object.fromEntries(Object.keys(ours).map((k) => [k, []]));
  const theirs: Record<string, number[]> = {};
  let missing = python ? '' : `peer not measured: PyPortfolioOpt is not installed here (${INSTALL_HINT})`;
  let versions = '';
  const waits = new PeerWaits();
  const dir = mkdtempSync(join(tmpdir(), 'kb-pfo-'));
  try {
    const specs: string[] = [];
    let rows = 0;
    for (const [name, c] of Object.entries(cases)) {
      const files = c.inputs.map((x, i) => {
        const file = join(dir, `${name}-${i}.f64`);
        writeFileSync(file, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
        return file;
      });
      if (c.rows) rows = c.rows;
      specs.push('--case', `${name}=${c.kind}:${files.join(',')}`);
    }
    const script = fileURLToPath(new URL('./peers/portfolio.py', import.meta.url));
    for (let round = 0; round < rounds; round++) {
      for (const [name, measure] of Object.entries(ours)) mine[name].push(measure());
      if (!python || missing) continue;
      const r = waits.round((env) =>
        peerSpawnSync(python, [script, ...specs, '--rows', String(rows || 2520), '--runs', String(runs)], {
          encoding: 'utf8',
          maxBuffer: 16 << 20,
          timeout: 10 * 60_000,
          env,
        }),
      );
      if (r.status !== 0) {
        missing = `peer not measured: bench/peers/portfolio.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`;
        continue;
      }
      const out = JSON.parse(r.stdout) as { versions: Record<string, string>; results: { case: string; seconds: number }[] };
      const v = out.versions;
      versions = `PyPortfolioOpt ${v.pypfopt}, cvxpy ${v.cvxpy}, CLARABEL ${v.clarabel}, scipy ${v.scipy}, numpy ${v.numpy}, Python ${v.python}`;
      for (const c of out.results) (theirs[c.case] ??= []).push(c.seconds * 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  recordPeers('portfolio', missing || versions);
  const quiet = waits.note();
  // the header says it too, for the rows whose notes portfolio-psd.ts writes itself (its dpotrf rows)
  if (quiet)
    recordPeers(
      'portfolio',
      "ours timed after each of the peer's rounds once its threads went quiet (the PyPortfolioOpt rows' notes give the waits)",
    );
  const ms = missing ? {} : Object.fromEntries(Object.entries(theirs).map(([k, v]) => [k, median(v)]));
  return {
    ours: Object.fromEntries(Object.entries(mine).map(([k, v]) => [k, median(v)])),
    peer: { ms, rounds: theirs, versions, missing, roundCount: rounds, quiet },
  };
}

/**
 * The peer's row for `name` against our `nativeMs`: its median ms and native's speed-up over it, or
 * "peer not measured" without a ratio.
 */
export function peerRow(
  section: string,
  name: string,
  subject: string,
  peer: PeerTimes,
  key: string,
  nativeMs: number,
  note: string,
  baseline = 'native, fresh covariance (speed-up of native over it)',
): BenchRow {
  const ms = peer.ms[key];
  if (ms === undefined) {
    return { section, case: name, subject, value: Number.NaN, unit: 'ms', note: `${peer.missing || 'peer not measured'}; ${note}` };
  }
  return {
    section,
    case: name,
    subject,
    value: ms,
    unit: 'ms',
    ratio: ms / nativeMs,
    baseline,
    note: `${peer.versions}: timed in this run, median of ${peer.roundCount} rounds interleaved with ours, ${peer.quiet}; ${note}`,
  };
}

/**
 * `count` covariances with new values: cov x (1 + k 2^-20), k = 1.. (each exactly symmetric, PSD as
 * cov is, the same optimum), each a new array, as an engine passes a new estimate at each rebalance.
 */
export function freshCovs<M extends Matrix = Matrix>(cov: Matrix, count: number, from = 0, wrap: (m: Matrix) => M = (m) => m as M): M[] {
  return Array.from({ length: count }, (_, i) => {
    const f = 1 + (from + i + 1) * 2 ** -20;
    return wrap(
      matrix(
        cov.data.map((v) => v * f),
        cov.rows,
        cov.cols,
      ),
    );
  });
}

let made = 0;

/**
 * The median ms of `runs` calls of `call`, each on a fresh covariance made before the timing (after
 * one warm-up call); `wrap` types each (stackCovariances for a stack).
 */
export function freshMedian<M extends Matrix = Matrix>(cov: Matrix, call: (c: M) => unknown, runs = 15, wrap?: (m: Matrix) => M): number {
  const covs = freshCovs<M>(cov, runs + 1, made, wrap);
  made += runs + 1;
  call(covs[runs]);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    call(covs[i]);
    times.push(performance.now() - t0);
  }
  return median(times);
}
