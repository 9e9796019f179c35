/**
 * The tfjs rows of the kernel sections: each case on the tfjs backend (TensorFlow.js, float32) as a Node
 * user would run it, on each tfjs backend this machine has (tfjs-node's 'tensorflow' when installed,
 * else 'cpu', then 'wasm' after initTfjs()), beside native timed in the same run: the ratio is native's
 * time over tfjs's (below 1: tfjs is slower). No 'auto' threshold comes from these rows (docs/tfjs.md).
 */
import { backends, initTfjs, kernels, type Kernels } from '../src/api/index.js';
import { timeBest, type BenchRow } from './lib.js';

/** One case: the kernel on a Kernels object (tfjs), and the same call on native. */
export interface TfjsCase {
  name: string;
  tfjs: (k: Kernels) => unknown;
  native: () => unknown;
  /** Calls of seconds: time one run (after the warm-up) instead of the best of several. */
  slow?: boolean;
}

/** The tfjs backends to time here: the one active after loading, and wasm where it is installed. */
async function tfjsBackendNames(): Promise<string[]> {
  const info = backends().find((b) => b.name === 'tfjs');
  if (!info?.available) return [];
  const first = String(info.features?.backend);
  if (first === 'tensorflow') return [first];
  try {
    await initTfjs({ backend: 'wasm' });
    await initTfjs({ backend: first as 'cpu' });
    return [first, 'wasm'];
  } catch {
    return [first];
  }
}

/** The rows of `cases` on native and on every tfjs backend here (none where tfjs is not installed). */
export async function tfjsRows(section: string, cases: TfjsCase[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const names = await tfjsBackendNames();
  if (names.length === 0) return rows;
  const nativeMs = new Map(cases.map((c) => [c.name, timeBest(c.native, { minMs: 300 })]));
  for (const name of names) {
    await initTfjs({ backend: name as 'cpu' | 'wasm' | 'tensorflow' });
    const k = kernels({ backend: 'tfjs' });
    for (const c of cases) {
      const ms = timeBest(() => c.tfjs(k), c.slow ? { minRuns: 1, maxRuns: 1 } : { minMs: 300, minRuns: 2 });
      const nat = nativeMs.get(c.name)!;
      rows.push({
        section,
        case: c.name,
        subject: `tfjs (${name})`,
        value: ms,
        unit: 'ms',
        ratio: nat / ms,
        baseline: 'native (speed-up)',
        note: `native ${nat.toFixed(2)} ms in this run`,
      });
    }
  }
  if (names.length > 1) await initTfjs({ backend: names[0] as 'cpu' });
  return rows;
}
