/**
 * The crossovers as the API offers them (SignalKernels) and their descriptors (SIGNAL_KERNELS, part
 * of the indicators family: src/kernels/families.ts). The rule, shapes and labels: signals.ts.
 */
import { requireKnownOptions, type KernelSpec, type Returned } from '../descriptor.js';
import type { Series } from '../matrix.js';
import type { Sampler } from '../sample.js';
import type { IndicatorsFamily } from './indicators.js';
import { combinations, type CrossOptions, type CrossResult, freshSignals, resolveCross, shapeSignals, WAIT } from './signals.js';

/** A crossover of `a` and `b` (Float64Arrays or Matrices of one row count; signals.ts). */
export type CrossKernel<A extends boolean> = <X extends Series, Y extends Series, O extends CrossOptions = CrossOptions>(
  a: X,
  b: Y,
  options?: O,
) => Returned<A, CrossResult<X, Y, O>>;

/** The crossovers (each also as `<name>Async`). */
export interface SignalKernels<A extends boolean = false> {
  /**
   * vectorbt 1.1.0's `crossed_above` (generic/nb.py crossed_above_nb): 1 at the first bar with a > b
   * after a bar with a < b (strictly; ties between them do not matter), the "was below" flag cleared
   * by a NaN in either side; `options.wait` (default 0) delays the signal by that many bars above.
   * A one-column side broadcasts; `options.pairs` picks the columns compared (`combinations(n)` for
   * every pair of a grid). Returns signals of 0 / 1 (src/kernels/indicators/signals.ts).
   */
  crossedAbove: CrossKernel<A>;
  /** vectorbt 1.1.0's `crossed_below`: crossedAbove(b, a) (pairs swapped with them), a's labels first. */
  crossedBelow: CrossKernel<A>;
}

/** A value of a few levels (ties are common) or NaN now and then. */
const level = (s: Sampler) => (s.random() < 0.08 ? NaN : s.int(0, 4));

/** Seeded arguments of one crossover call: series, panels, broadcasts, pairs, labels, wait. */
function sample(s: Sampler): readonly unknown[] {
  const rows = s.int(0, 40);
  const shape = s.int(0, 4);
  const wait = s.pick(undefined, 0, 1, 2);
  const labelled = s.random() < 0.3;
  const panel = (cols: number, name: string) => ({
    ...s.matrix(rows, cols, () => level(s)),
    ...(labelled && { columns: Array.from({ length: cols }, (_, c) => `${name}${c}`) }),
  });
  const series = () => s.fill(rows, () => level(s));
  const options = wait === undefined ? {} : { wait };
  if (shape === 0) return [series(), series(), options];
  if (shape === 1) return [panel(3, 'a'), series(), options];
  if (shape === 2) return [series(), panel(2, 'b'), options];
  if (shape === 3) return [panel(3, 'a'), panel(3, 'b'), options];
  const grid = panel(s.int(2, 5), 'ma');
  return [grid, grid, { ...options, pairs: combinations(grid.cols) }];
}

/** The descriptor of a crossover (crossedBelow: the backend's crossedBelow, crossedAbove with a and b swapped). */
function crossover(name: 'crossedAbove' | 'crossedBelow') {
  const spec = {
    params: [WAIT],
    options: ['wait', 'pairs'],
    sample,
    api(a: Series, b: Series, options?: CrossOptions) {
      requireKnownOptions(spec, options);
      const r = resolveCross(a, b, options);
      const out = freshSignals(r.rows * r.cols);
      return {
        size: r.rows * r.cols,
        call: (f: IndicatorsFamily) => f[name](r.a, r.aCols, r.b, r.bCols, r.rows, r.pairsA, r.pairsB, r.wait, out),
        shape: (filled: Uint8Array) => shapeSignals(r, filled),
      };
    },
  } as const satisfies KernelSpec;
  return spec;
}

/** The crossovers' descriptors. */
export const SIGNAL_KERNELS = {
  crossedAbove: crossover('crossedAbove'),
  crossedBelow: crossover('crossedBelow'),
} as const;
