/**
 * What the ml bench's two parts share (bench/ml.ts: LightGBM; bench/ml-onnx.ts: ONNX): the section, its
 * sizes and rounds, the agreement check, the peers' python.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Matrix } from '../src/api/index.js';
import { peersDir } from './peer-env.js';

/** The section's name, the bench's X (ROWS x COLS), the seed of the models, the batch cases' threads. */
export const SECTION = 'ml';
export const ROWS = 100_000;
export const COLS = 50;
export const SEED = 91;
export const THREADS = 2;
/** Distinct rows cycled through by the one-row cases, one a call; calls a batch and batches a timing. */
export const ONE_RING = 1024;
export const ONE_CALLS = 300;
export const BATCHES = 5;
/** Rounds (the peer, then ours). */
export const ROUNDS = 3;

export const fmt = (n: number) => n.toLocaleString('en-US');
export const ms = (x: number) => (x >= 1 ? `${x.toPrecision(3)} ms` : `${(1000 * x).toPrecision(3)} µs`);

/** The ms of one call of fn. */
export function once(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** A raw float64 file as a Float64Array. */
export function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The largest |a - b| / max(|b|, 1); throws past `tol` (or on lengths that differ), naming `what`. */
export function agree(what: string, a: ArrayLike<number>, b: ArrayLike<number>, tol: number): number {
  if (a.length !== b.length) throw new Error(`ml bench: ${what}: ${a.length} values against ${b.length}`);
  let d = 0;
  let at = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1);
    if (!(e <= d)) {
      d = e;
      at = i;
    }
  }
  if (!(d <= tol)) throw new Error(`ml bench: ${what} differ by ${d} x max(|x|, 1) at [${at}] (${a[at]} against ${b[at]}; > ${tol})`);
  return d;
}

/** '0' or 'within 3e-16'. */
export const found = (d: number) => (d === 0 ? 'equal' : `largest difference ${d.toExponential(1)}`);

/**
 * The python that runs a peer: the one `variable` names (undefined when that file is missing: a python
 * named on purpose is not swapped for another), else the first of KERNELBUS_PEERS_PYTHON, the peers' venv
 * and `fallback` that runs `imports`.
 */
export function pythonWith(variable: string, imports: string, fallback: string): string | undefined {
  const named = process.env[variable];
  if (named) return existsSync(named) ? named : undefined;
  const candidates = [process.env.KERNELBUS_PEERS_PYTHON, join(peersDir(), 'venv', 'bin', 'python'), fallback];
  return candidates.find(
    (p): p is string =>
      p !== undefined && existsSync(p) && spawnSync(p, ['-c', imports], { stdio: 'ignore', timeout: 60_000 }).status === 0,
  );
}

/** Rows [from, from + rows) of X as a Matrix (a view). */
export const slice = (X: Matrix, from: number, rows: number): Matrix => ({
  data: X.data.subarray(from * X.cols, (from + rows) * X.cols),
  rows,
  cols: X.cols,
});
