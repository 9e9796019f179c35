/**
 * The Metal rows of the kernel sections: each case on the GPU (backend 'metal', float32 shaders) beside
 * native timed in the same run (the ratio is native's time over Metal's), then a size sweep per kernel
 * for its 'auto' threshold (METAL_*_MIN_* in src/api/auto.ts, set high until measured). Only where
 * `backends()` reports metal available: an Apple-silicon Mac. Nothing times the shaders compiled as C++
 * on the CPU ('metal-cpu', the parity suite's): its speed says nothing about a GPU's.
 */
import { backends, kernels, type Kernels } from '../src/api/index.js';
import { autoSweep, timeBest, type BenchRow } from './lib.js';

/** One case: the kernel on a Kernels object (metal), and the same call on native. */
export interface MetalCase {
  name: string;
  metal: (k: Kernels) => unknown;
  native: () => unknown;
}

/** One 'auto' sweep: sizes of inputs on which metal and native are compared (autoSweep()). */
export interface MetalSweep<I> {
  label: string;
  unit: string;
  threshold: number;
  constant: string;
  sizes: readonly number[];
  input: (n: number) => I;
  metal: (k: Kernels, i: I) => unknown;
  native: (i: I) => unknown;
}

/** The metal backend's kernels where it is available here, else undefined (no rows). */
function metalKernels(): Kernels | undefined {
  return backends().some((b) => b.name === 'metal' && b.available) ? kernels({ backend: 'metal' }) : undefined;
}

/** The rows of `cases` on metal beside native, and the sweeps (none where metal is unavailable). */
export function metalRows(section: string, cases: MetalCase[], sweeps: MetalSweep<any>[] = []): BenchRow[] {
  const k = metalKernels();
  if (!k) return [];
  const rows: BenchRow[] = [];
  const device = String(backends().find((b) => b.name === 'metal')?.features?.device ?? 'GPU');
  for (const c of cases) {
    const nativeMs = timeBest(c.native, { minMs: 300 });
    const metalMs = timeBest(() => c.metal(k), { minMs: 300, minRuns: 2 });
    rows.push({
      section,
      case: c.name,
      subject: `metal (${device})`,
      value: metalMs,
      unit: 'ms',
      ratio: nativeMs / metalMs,
      baseline: 'native (speed-up)',
      note: `native ${nativeMs.toFixed(2)} ms in this run; float32`,
    });
  }
  for (const s of sweeps) {
    rows.push(
      ...autoSweep(section, s.label, s.unit, s.threshold, s.constant, s.input, s.native, (i) => s.metal(k, i), {
        subject: 'metal vs native',
        sizes: s.sizes,
        calls: 5,
      }),
    );
  }
  return rows;
}
