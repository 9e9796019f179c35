/**
 * The ml family's kernels as the API offers them (MlKernels) and one descriptor per kernel
 * (ML_KERNELS, see descriptor.ts). Every call is data (a generated entry): the model a packed
 * Float64Array (packLightGbm()), the rows a Matrix. kernelbus/ml's Model is how a user reaches them.
 */
import { KernelInputError } from '../../errors.js';
import { requireKnownOptions, type Outputs } from '../descriptor.js';
import { asColumns, type Matrix } from '../matrix.js';
import { checkParam } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { describeValue, optionsObject, requireFloat64Array } from '../validate.js';
import { H, HEADER, ITERATIONS, NODE, packedLayout, PACKED_VERSION, RAW } from './ml.js';

/** Options of lightgbmPredict. */
export interface LightGbmPredictOptions {
  /** The first k iterations (0, the default: all). */
  iterations?: number;
  /** Raw scores (before the objective). Default false. */
  raw?: boolean;
}

/** The ml family's kernels (each also exists as `<name>Async`). */
export interface MlKernels {
  /**
   * Predictions (raw scores with `raw`) of a packed LightGBM model (packLightGbm()) on X (rows x
   * features): a Matrix rows x the model's trees per iteration, as LightGBM's Booster.predict.
   */
  lightgbmPredict(model: Float64Array, X: Matrix, options?: LightGbmPredictOptions): Matrix;
  /** SHAP values (TreeSHAP, LightGBM's pred_contrib): a Matrix rows x classes (features + 1). */
  lightgbmContributions(model: Float64Array, X: Matrix, options?: { iterations?: number }): Matrix;
}

/**
 * A packed model's header: its trees per iteration, checked enough to size the output (the kernel
 * checks the rest). Kernels.lightgbmPrepare checks it first too: the packed kernels' messages.
 */
export function classesOf(model: unknown): number {
  requireFloat64Array(model, 'model');
  const m = model as Float64Array;
  if (m.length < HEADER || m[H.version] !== PACKED_VERSION) {
    throw new KernelInputError('model', 'a packed LightGBM model (packLightGbm())', describeValue(model));
  }
  const K = m[H.treesPerIteration];
  if (!(Number.isInteger(K) && K >= 1 && K <= 1e6))
    throw new KernelInputError('model', 'a packed LightGBM model (packLightGbm())', `model[${H.treesPerIteration}] = ${K}`);
  return K;
}

/**
 * A random valid model of F features and K classes (for the sampled parity suite and the fuzz cases):
 * trees of 1 to 8 leaves grown by splitting a random leaf, numerical splits of every missing type and
 * categorical ones (bitsets of 1 to 2 words), leaf values and counts.
 */
export function sampleModel(s: Sampler, F: number, K: number): Float64Array {
  const T = K * s.int(1, 6);
  const trees: {
    feature: number[];
    threshold: number[];
    left: number[];
    right: number[];
    type: number[];
    leaves: number[];
    cats: number[][];
    counts: number[];
  }[] = [];
  for (let t = 0; t < T; t++) {
    const leaves = s.int(1, 8);
    const tree = {
      feature: [] as number[],
      threshold: [] as number[],
      left: [] as number[],
      right: [] as number[],
      type: [] as number[],
      leaves: [0],
      cats: [] as number[][],
      counts: [] as number[],
    };
    // grow: split leaf l into node n (its left child the old leaf, its right a new one)
    const parentOf: [number, 'left' | 'right'][] = [[-1, 'left']];
    for (let n = 0; n < leaves - 1; n++) {
      const l = s.int(0, n);
      const [p, side] = parentOf[l];
      if (p >= 0) tree[side][p] = n;
      const categorical = s.random() < 0.25;
      tree.feature.push(s.int(0, F - 1));
      tree.type.push(categorical ? 1 | (s.int(0, 2) << 2) : (s.int(0, 2) << 2) | (s.random() < 0.5 ? 2 : 0));
      if (categorical) {
        tree.threshold.push(tree.cats.length);
        tree.cats.push(Array.from({ length: s.int(1, 2) }, () => Math.floor(s.random() * 2 ** 32)));
      } else tree.threshold.push(s.random() < 0.2 ? s.pick(0, 1e-36, -1e-36) : s.normal());
      tree.left.push(~l);
      tree.right.push(~(n + 1));
      parentOf[l] = [n, 'left'];
      parentOf.push([n, 'right']);
    }
    tree.leaves = Array.from({ length: leaves }, () => 0.1 * s.normal());
    tree.counts = Array.from({ length: 2 * leaves - 1 }, () => s.int(1, 50));
    trees.push(tree);
  }
  const N = trees.reduce((a, t) => a + t.feature.length, 0);
  const L = trees.reduce((a, t) => a + t.leaves.length, 0);
  const C = trees.reduce((a, t) => a + (t.cats.length ? t.cats.length + 1 : 0), 0);
  const W = trees.reduce((a, t) => a + t.cats.flat().length, 0);
  const at = packedLayout(T, N, L, C, W);
  const p = new Float64Array(at.length);
  p[H.version] = PACKED_VERSION;
  p[H.trees] = T;
  p[H.treesPerIteration] = K;
  p[H.features] = F;
  p[H.output] = K > 1 ? s.pick(3, 4) : s.pick(0, 1, 2);
  p[H.sigmoid] = s.pick(1, 0.7);
  p[H.averageOutput] = s.random() < 0.1 ? 1 : 0;
  p[H.nodes] = N;
  p[H.leaves] = L;
  p[H.catBoundaries] = C;
  p[H.catWords] = W;
  let n = 0;
  let l = 0;
  let c = 0;
  let w = 0;
  trees.forEach((tree, t) => {
    p[at.treeNode + t] = n;
    p[at.treeLeaf + t] = l;
    p[at.treeCat + t] = c;
    const nodes = tree.feature.length;
    for (let j = 0; j < nodes; j++) {
      const o = at.nodes + NODE * (n + j);
      p.set([tree.feature[j], tree.threshold[j], tree.left[j], tree.right[j], tree.type[j]], o);
      p[at.internalCount + n + j] = tree.counts[j] + 100;
    }
    tree.leaves.forEach((v, i) => {
      p[at.leafValue + l + i] = v;
      p[at.leafCount + l + i] = tree.counts[nodes + i];
    });
    if (tree.cats.length) {
      for (const words of tree.cats) {
        p[at.catBoundaries + c++] = w;
        for (const x of words) p[at.catWords + w++] = x;
      }
      p[at.catBoundaries + c++] = w;
    }
    n += nodes;
    l += tree.leaves.length;
  });
  p[at.treeNode + T] = n;
  p[at.treeLeaf + T] = l;
  p[at.treeCat + T] = c;
  return p;
}

/** Rows of F features: normals, NaN, zeros and tiny values, categories of every kind. */
export function sampleRows(s: Sampler, rows: number, F: number): Matrix {
  return s.matrix(rows, F, () => {
    const u = s.random();
    if (u < 0.1) return Number.NaN;
    if (u < 0.15) return s.pick(0, 1e-36, -1e-36, -0.5, 2 ** 31, Number.POSITIVE_INFINITY);
    if (u < 0.4) return s.int(-2, 70) + s.pick(0, 0.3);
    return s.normal();
  });
}

/** The ml family's descriptors. */
export const ML_KERNELS = {
  lightgbmPredict: {
    params: [ITERATIONS, RAW],
    signature: 'model[m], x[rows x cols], rows, cols, classes',
    outputs: { predictions: ['R', 'K'] },
    dims: { R: 'rows', K: 'classes' },
    options: ['iterations', 'raw'],
    sample: (s: Sampler) => {
      const F = s.int(1, 6);
      const K = s.pick(1, 1, 3);
      const model = sampleModel(s, F, K);
      return [model, sampleRows(s, s.int(1, 40), F), { iterations: s.pick(0, 0, 1), raw: s.random() < 0.5 }];
    },
    api(model: Float64Array, X: Matrix, options?: LightGbmPredictOptions) {
      requireKnownOptions(ML_KERNELS.lightgbmPredict, options);
      const K = classesOf(model);
      const x = asColumns(X, 'X');
      const o = optionsObject(options);
      const iterations = checkParam(ITERATIONS, o.iterations ?? 0);
      const raw = checkParam(RAW, o.raw ?? false);
      return {
        size: x.rows * Math.max(1, model[H.trees] / K),
        args: [model, x.data, x.rows, x.cols, K, iterations, raw],
        shape: (out: Outputs) => out.predictions,
      };
    },
  },
  lightgbmContributions: {
    params: [ITERATIONS],
    // width: classes x (cols + 1), the row's values (the kernel checks it)
    signature: 'model[m], x[rows x cols], rows, cols, classes, width',
    outputs: { contributions: ['R', 'W'] },
    dims: { R: 'rows', W: 'width' },
    options: ['iterations'],
    sample: (s: Sampler) => {
      const F = s.int(1, 6);
      const K = s.pick(1, 1, 3);
      return [sampleModel(s, F, K), sampleRows(s, s.int(1, 20), F), { iterations: s.pick(0, 0, 1) }];
    },
    api(model: Float64Array, X: Matrix, options?: { iterations?: number }) {
      requireKnownOptions(ML_KERNELS.lightgbmContributions, options);
      const K = classesOf(model);
      const x = asColumns(X, 'X');
      const iterations = checkParam(ITERATIONS, optionsObject(options).iterations ?? 0);
      return {
        size: x.rows * Math.max(1, model[H.trees] / K) * 8,
        args: [model, x.data, x.rows, x.cols, K, K * (x.cols + 1), iterations],
        shape: (out: Outputs) => out.contributions,
      };
    },
  },
} as const;
