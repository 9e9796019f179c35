/**
 * The ml family: tree models trained elsewhere, evaluated as their own runtimes do. A LightGBM model
 * (read from its text by kernelbus/ml) travels to the backends packed into one Float64Array
 * (packLightGbm(): a header, then every tree's nodes and leaves one after another), which each backend
 * checks whole before it walks it (ml-faults.ts: a bad entry names its position). Types, the layout and
 * the packed parameters are defined here once for every backend; the kernels as the API offers them are
 * ml-kernels.ts.
 */
import { flag, int, option } from '../param-rules.js';

/** How raw scores become outputs: as they are, exp, a sigmoid (binary), softmax (multiclass), a sigmoid per class (multiclassova). */
export const OUTPUTS = ['identity', 'exp', 'sigmoid', 'softmax', 'sigmoidEach'] as const;

/** A LightGBM model's arrays (what kernelbus/ml's parser reads from the text; flat over the trees). */
export interface LightGbmModel {
  version: string;
  /** Classes: 1 for regression and binary. */
  numClass: number;
  /** Trees an iteration makes (the classes of a multiclass model, else 1). */
  treesPerIteration: number;
  /** How raw scores become outputs (an entry of OUTPUTS) and the sigmoid's scale. */
  output: (typeof OUTPUTS)[number];
  sigmoid: number;
  /** The objective as the text names it (`binary`, `multiclass`, `regression`, ...). */
  objective: string;
  /** Feature names (LightGBM's), as many as max_feature_idx + 1. */
  features: string[];
  /** Whether the output is the average of the trees (a random forest, `average_output`). */
  averageOutput: boolean;
  /** Per tree: its first node and leaf, and its leaves (nodes = leaves - 1). */
  nodeStart: Int32Array;
  leafStart: Int32Array;
  numLeaves: Int32Array;
  /** Per node (tree-local children: a node >= 0, else the leaf ~child). */
  splitFeature: Int32Array;
  threshold: Float64Array;
  decisionType: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Per leaf. */
  leafValue: Float64Array;
  /** Per tree: its first entry of catBoundaries; the boundaries index catThreshold (model-wide). */
  catStart: Int32Array;
  catBoundaries: Int32Array;
  catThreshold: Uint32Array;
  /** internal_count per node, leaf_count per leaf (TreeSHAP's covers); NaN when the text has none. */
  internalCount: Float64Array;
  leafCount: Float64Array;
}

/** The packed layout's version (header[0]) and header length. */
export const PACKED_VERSION = 1;
export const HEADER = 12;
/** Header entries. */
export const H = {
  version: 0,
  trees: 1,
  treesPerIteration: 2,
  features: 3,
  output: 4,
  sigmoid: 5,
  averageOutput: 6,
  nodes: 7,
  leaves: 8,
  catBoundaries: 9,
  catWords: 10,
  reserved: 11,
} as const;
/** Doubles a node: feature, threshold, left, right, decision type. */
export const NODE = 5;

/** Where each part of a packed model starts, from its header's counts. */
export interface PackedLayout {
  treeNode: number;
  treeLeaf: number;
  treeCat: number;
  nodes: number;
  leafValue: number;
  catBoundaries: number;
  catWords: number;
  internalCount: number;
  leafCount: number;
  length: number;
}

/** The layout of a model of T trees, N nodes, L leaves, C category boundaries and W bitset words. */
export function packedLayout(T: number, N: number, L: number, C: number, W: number): PackedLayout {
  const treeNode = HEADER;
  const treeLeaf = treeNode + T + 1;
  const treeCat = treeLeaf + T + 1;
  const nodes = treeCat + T + 1;
  const leafValue = nodes + NODE * N;
  const catBoundaries = leafValue + L;
  const catWords = catBoundaries + C;
  const internalCount = catWords + W;
  const leafCount = internalCount + N;
  return { treeNode, treeLeaf, treeCat, nodes, leafValue, catBoundaries, catWords, internalCount, leafCount, length: leafCount + L };
}

/** The model packed for the backends (see the module's comment). */
export function packLightGbm(m: LightGbmModel): Float64Array {
  const T = m.numLeaves.length;
  const N = m.splitFeature.length;
  const L = m.leafValue.length;
  const C = m.catBoundaries.length;
  const W = m.catThreshold.length;
  const at = packedLayout(T, N, L, C, W);
  const p = new Float64Array(at.length);
  p[H.version] = PACKED_VERSION;
  p[H.trees] = T;
  p[H.treesPerIteration] = m.treesPerIteration;
  p[H.features] = m.features.length;
  p[H.output] = OUTPUTS.indexOf(m.output);
  p[H.sigmoid] = m.sigmoid;
  p[H.averageOutput] = m.averageOutput ? 1 : 0;
  p[H.nodes] = N;
  p[H.leaves] = L;
  p[H.catBoundaries] = C;
  p[H.catWords] = W;
  p.set(m.nodeStart, at.treeNode);
  p.set(m.leafStart, at.treeLeaf);
  p.set(m.catStart, at.treeCat);
  for (let n = 0; n < N; n++) {
    const o = at.nodes + NODE * n;
    p[o] = m.splitFeature[n];
    p[o + 1] = m.threshold[n];
    p[o + 2] = m.left[n];
    p[o + 3] = m.right[n];
    p[o + 4] = m.decisionType[n];
  }
  p.set(m.leafValue, at.leafValue);
  p.set(m.catBoundaries, at.catBoundaries);
  p.set(m.catThreshold, at.catWords);
  p.set(m.internalCount, at.internalCount);
  p.set(m.leafCount, at.leafCount);
  return p;
}

export const ITERATIONS = option('iterations', int(0));
export const RAW = option('raw', flag());

/**
 * A packed model prepared once by a backend (MlFamily.lightgbmPrepare): checked whole when it is made
 * (a damaged model is lightgbmPredict's KernelInputError), then walked with no check of the model per
 * call. Each call checks its arguments (x rows x cols, `cols` the model's features, `iterations` in [0,
 * the model's] with 0 for all, `raw` 0 or 1) and fills `out`: rows x classes predictions, or rows x
 * classes (cols + 1) SHAP values. The promise variants run off the JS thread: leave x and out alone until
 * they settle.
 */
export interface PreparedLightGbm {
  predict(x: Float64Array, rows: number, cols: number, iterations: number, raw: number, out: Float64Array): void;
  predictAsync(x: Float64Array, rows: number, cols: number, iterations: number, raw: number, out: Float64Array): Promise<void>;
  contributions(x: Float64Array, rows: number, cols: number, iterations: number, out: Float64Array): void;
  contributionsAsync(x: Float64Array, rows: number, cols: number, iterations: number, out: Float64Array): Promise<void>;
}

/** What a backend implementing the ml family provides (arrays and counts, then the packed values). */
export interface MlFamily {
  /**
   * The packed model prepared for many calls (native: compact nodes owned by the addon, freed with the
   * object), its calls on `threads` threads (undefined: the backend's default). A backend without it
   * (the reference) runs lightgbmPredict and lightgbmContributions on the packed model.
   */
  lightgbmPrepare?(model: Float64Array, threads: number | undefined): PreparedLightGbm;
  /** rows x classes predictions (raw scores when raw is 1) of the first `iterations` iterations (0: all). */
  lightgbmPredict(
    model: Float64Array,
    x: Float64Array,
    rows: number,
    cols: number,
    classes: number,
    iterations: number,
    raw: number,
    out?: Float64Array,
  ): Float64Array;
  /** rows x classes (cols + 1) SHAP values (per class the features then the bias). */
  lightgbmContributions(
    model: Float64Array,
    x: Float64Array,
    rows: number,
    cols: number,
    classes: number,
    width: number,
    iterations: number,
    out?: Float64Array,
  ): Float64Array;
}
