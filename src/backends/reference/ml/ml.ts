/**
 * The ml family (reference, the oracle): a packed LightGBM model (src/kernels/ml/ml.ts) checked whole,
 * then walked as LightGBM's C++ does (tree.h's Decision, GBDT::PredictRaw, the objectives'
 * ConvertOutput, Tree::PredictContrib's TreeSHAP). native/kernels/ml/ follows these functions operation
 * for operation, faults in the same order.
 *
 * LightGBM's rules: |x| <= 1e-35 (kZeroThreshold, a float) is 0; a numerical split sends NaN to 0
 * unless its missing type is NaN, the missing value (0 under Zero, NaN under NaN) to its default side,
 * else x <= threshold left; a categorical split sends NaN, a category below 0 (truncated toward zero)
 * or at 2^31 and past right, one in its bitset left. Scores sum from 0 over the trees in order, tree t
 * adding to class t mod K.
 */
import { allocateOutputs } from '../../../kernels/descriptor.js';
import { Fault, inputFault } from '../../../kernels/faults.js';
import { H, HEADER, type MlFamily, NODE, PACKED_VERSION, packedLayout, type PackedLayout } from '../../../kernels/ml/ml.js';
import { MlFault } from '../../../kernels/ml/ml-faults.js';
import { ML_KERNELS } from '../../../kernels/ml/ml-kernels.js';

const fault = (kind: number, index: number, value: number) => inputFault(Fault.ML_MODEL_INVALID, index, value, kind);

/** LightGBM's kZeroThreshold: 1e-35f as a double. */
const ZERO = Math.fround(1e-35);
const isInt = (x: number, lo: number, hi: number) => Number.isInteger(x) && x >= lo && x <= hi;
const MAX_COUNT = 2 ** 31 - 1;

/** A checked packed model: its array, layout and counts. */
interface Packed {
  p: Float64Array;
  at: PackedLayout;
  T: number;
  K: number;
  F: number;
}

/**
 * The packed model `p` checked whole (ml-faults.ts: the first entry that is wrong, in this order: the
 * header, the length, the trees' starts, each node (its children in range and after it, neither the
 * child of a node before: each tree a tree), the leaves, the bitsets), then the call's columns,
 * classes and iterations against it.
 */
function checkModel(p: Float64Array, cols: number, classes: number, iterations: number): Packed {
  if (p.length < HEADER) throw fault(MlFault.LENGTH, HEADER, p.length);
  const header: [number, (x: number) => boolean][] = [
    [H.version, (x) => x === PACKED_VERSION],
    [H.trees, (x) => isInt(x, 1, MAX_COUNT)],
    [H.treesPerIteration, (x) => isInt(x, 1, MAX_COUNT) && p[H.trees] % x === 0],
    [H.features, (x) => isInt(x, 1, MAX_COUNT)],
    [H.output, (x) => isInt(x, 0, 4)],
    [H.sigmoid, (x) => Number.isFinite(x) && x > 0],
    [H.averageOutput, (x) => x === 0 || x === 1],
    [H.nodes, (x) => isInt(x, 0, MAX_COUNT)],
    [H.leaves, (x) => isInt(x, 1, MAX_COUNT)],
    [H.catBoundaries, (x) => isInt(x, 0, MAX_COUNT)],
    [H.catWords, (x) => isInt(x, 0, MAX_COUNT)],
    [H.reserved, (x) => x === 0],
  ];
  for (const [i, ok] of header) if (!ok(p[i])) throw fault(MlFault.ENTRY, i, p[i]);
  const T = p[H.trees];
  const N = p[H.nodes];
  const L = p[H.leaves];
  const C = p[H.catBoundaries];
  const W = p[H.catWords];
  const at = packedLayout(T, N, L, C, W);
  if (p.length !== at.length) throw fault(MlFault.LENGTH, at.length, p.length);
  // the trees' starts: from 0, ascending, to the counts; a tree's leaves its nodes + 1
  for (const [start, total] of [
    [at.treeNode, N],
    [at.treeLeaf, L],
    [at.treeCat, C],
  ]) {
    if (p[start] !== 0) throw fault(MlFault.ENTRY, start, p[start]);
    for (let t = 1; t <= T; t++) {
      const x = p[start + t];
      if (!isInt(x, p[start + t - 1], total) || (t === T && x !== total)) throw fault(MlFault.ENTRY, start + t, x);
    }
  }
  for (let t = 0; t < T; t++) {
    const leaves = p[at.treeLeaf + t + 1] - p[at.treeLeaf + t];
    const nodes = p[at.treeNode + t + 1] - p[at.treeNode + t];
    if (leaves !== nodes + 1) throw fault(MlFault.ENTRY, at.treeLeaf + t + 1, p[at.treeLeaf + t + 1]);
  }
  const F = p[H.features];
  for (let t = 0; t < T; t++) {
    const n0 = p[at.treeNode + t];
    const nodes = p[at.treeNode + t + 1] - n0;
    const leaves = nodes + 1;
    const cats = p[at.treeCat + t + 1] - p[at.treeCat + t];
    // per node and leaf (a leaf after the nodes): already a child of a node before
    const taken = new Uint8Array(2 * nodes + 1);
    for (let j = 0; j < nodes; j++) {
      const o = at.nodes + NODE * (n0 + j);
      const child = (x: number) => isInt(x, -leaves, nodes - 1) && (x < 0 || x > j);
      if (!isInt(p[o], 0, F - 1)) throw fault(MlFault.ENTRY, o, p[o]);
      if (Number.isNaN(p[o + 1])) throw fault(MlFault.ENTRY, o + 1, p[o + 1]);
      if (!child(p[o + 2])) throw fault(MlFault.ENTRY, o + 2, p[o + 2]);
      if (!child(p[o + 3])) throw fault(MlFault.ENTRY, o + 3, p[o + 3]);
      if (!isInt(p[o + 4], 0, 15)) throw fault(MlFault.ENTRY, o + 4, p[o + 4]);
      if ((p[o + 4] & 1) !== 0 && !isInt(p[o + 1], 0, cats - 2)) throw fault(MlFault.ENTRY, o + 1, p[o + 1]);
      for (const side of [2, 3]) {
        const slot = p[o + side] >= 0 ? p[o + side] : nodes + ~p[o + side];
        if (taken[slot] !== 0) throw fault(MlFault.ENTRY, o + side, p[o + side]);
        taken[slot] = 1;
      }
    }
  }
  for (let l = 0; l < L; l++) if (Number.isNaN(p[at.leafValue + l])) throw fault(MlFault.ENTRY, at.leafValue + l, p[at.leafValue + l]);
  for (let t = 0; t < T; t++) {
    for (let c = p[at.treeCat + t]; c < p[at.treeCat + t + 1]; c++) {
      const b = p[at.catBoundaries + c];
      const lo = c > p[at.treeCat + t] ? p[at.catBoundaries + c - 1] : 0;
      if (!isInt(b, lo, W)) throw fault(MlFault.ENTRY, at.catBoundaries + c, b);
    }
  }
  for (let w = 0; w < W; w++)
    if (!isInt(p[at.catWords + w], 0, 0xffffffff)) throw fault(MlFault.ENTRY, at.catWords + w, p[at.catWords + w]);
  const K = p[H.treesPerIteration];
  if (cols !== F) throw fault(MlFault.COLUMNS, cols, F);
  if (classes !== K) throw fault(MlFault.CLASSES, classes, K);
  if (iterations > T / K) throw fault(MlFault.ITERATIONS, iterations, T / K);
  return { p, at, T, K, F };
}

/** The child (a tree-local node, or ~leaf) node n (model-wide) of tree t sends value v to (LightGBM's Tree::Decision). */
function decide(m: Packed, t: number, n: number, value: number): number {
  const { p, at } = m;
  const o = at.nodes + NODE * n;
  let v = value <= ZERO && value >= -ZERO ? 0 : value;
  const type = p[o + 4];
  if ((type & 1) !== 0) {
    if (Number.isNaN(v) || v <= -1 || v >= 2147483648) return p[o + 3];
    const cat = Math.trunc(v);
    const idx = p[at.treeCat + t] + p[o + 1];
    const from = p[at.catBoundaries + idx];
    const word = Math.floor(cat / 32);
    const left = word < p[at.catBoundaries + idx + 1] - from && ((p[at.catWords + from + word] >>> (cat % 32)) & 1) === 1;
    return left ? p[o + 2] : p[o + 3];
  }
  const missing = (type >> 2) & 3;
  if (Number.isNaN(v) && missing !== 2) v = 0;
  if ((missing === 1 && v === 0) || (missing === 2 && Number.isNaN(v))) return (type & 2) !== 0 ? p[o + 2] : p[o + 3];
  return v <= p[o + 1] ? p[o + 2] : p[o + 3];
}

/** The leaf value tree t gives row x (its values from x[r]). */
function treeValue(m: Packed, t: number, x: Float64Array, r: number): number {
  const { p, at } = m;
  const n0 = p[at.treeNode + t];
  const l0 = p[at.treeLeaf + t];
  if (p[at.treeNode + t + 1] === n0) return p[at.leafValue + l0];
  let node = 0;
  while (node >= 0) node = decide(m, t, n0 + node, x[r + p[at.nodes + NODE * (n0 + node)]]);
  return p[at.leafValue + l0 + ~node];
}

export function referenceLightgbmPredict(
  model: Float64Array,
  x: Float64Array,
  rows: number,
  cols: number,
  classes: number,
  iterations: number,
  raw: number,
): Float64Array {
  const m = checkModel(model, cols, classes, iterations);
  const { out } = allocateOutputs(ML_KERNELS.lightgbmPredict, model, x, rows, cols, classes, iterations, raw);
  const K = m.K;
  const its = iterations === 0 ? m.T / K : iterations;
  const output = model[H.output];
  const sigmoid = model[H.sigmoid];
  for (let r = 0; r < rows; r++) {
    const o = r * K;
    for (let k = 0; k < K; k++) out[o + k] = 0;
    for (let i = 0; i < its; i++) for (let k = 0; k < K; k++) out[o + k] += treeValue(m, i * K + k, x, r * cols);
    if (model[H.averageOutput] === 1) for (let k = 0; k < K; k++) out[o + k] /= its;
    if (raw === 1) continue;
    if (output === 1) for (let k = 0; k < K; k++) out[o + k] = Math.exp(out[o + k]);
    else if (output === 2 || output === 4) for (let k = 0; k < K; k++) out[o + k] = 1 / (1 + Math.exp(-sigmoid * out[o + k]));
    else if (output === 3) {
      let max = out[o];
      for (let k = 1; k < K; k++) max = Math.max(out[o + k], max);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        out[o + k] = Math.exp(out[o + k] - max);
        sum += out[o + k];
      }
      for (let k = 0; k < K; k++) out[o + k] /= sum;
    }
  }
  return out;
}

/** TreeSHAP's path: per element the feature, the zero and one fractions, the weight. */
interface Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function extend(q: Path, at: number, depth: number, zero: number, one: number, feature: number): void {
  q.feature[at + depth] = feature;
  q.zero[at + depth] = zero;
  q.one[at + depth] = one;
  q.weight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    q.weight[at + i + 1] += (one * q.weight[at + i] * (i + 1)) / (depth + 1);
    q.weight[at + i] = (zero * q.weight[at + i] * (depth - i)) / (depth + 1);
  }
}

function unwind(q: Path, at: number, depth: number, index: number): void {
  const one = q.one[at + index];
  const zero = q.zero[at + index];
  let next = q.weight[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = q.weight[at + i];
      q.weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (q.weight[at + i] * zero * (depth - i)) / (depth + 1);
    } else {
      q.weight[at + i] = (q.weight[at + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    q.feature[at + i] = q.feature[at + i + 1];
    q.zero[at + i] = q.zero[at + i + 1];
    q.one[at + i] = q.one[at + i + 1];
  }
}

function unwoundSum(q: Path, at: number, depth: number, index: number): number {
  const one = q.one[at + index];
  const zero = q.zero[at + index];
  let next = q.weight[at + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = q.weight[at + i] - tmp * zero * ((depth - i) / (depth + 1));
    } else {
      total += q.weight[at + i] / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

/** A node's (>= 0) or leaf's (< 0) training count in tree t. */
function cover(m: Packed, t: number, child: number): number {
  const { p, at } = m;
  return child >= 0 ? p[at.internalCount + p[at.treeNode + t] + child] : p[at.leafCount + p[at.treeLeaf + t] + ~child];
}

/** TreeSHAP (LightGBM's Tree::TreeSHAP) of tree t over row x (from x[r]) into phi from phi[o]. */
function treeShap(
  m: Packed,
  t: number,
  x: Float64Array,
  r: number,
  phi: Float64Array,
  o: number,
  node: number,
  depth: number,
  q: Path,
  parent: number,
  zero: number,
  one: number,
  feature: number,
): void {
  const here = parent + depth;
  if (depth > 0) {
    q.feature.copyWithin(here, parent, parent + depth);
    q.zero.copyWithin(here, parent, parent + depth);
    q.one.copyWithin(here, parent, parent + depth);
    q.weight.copyWithin(here, parent, parent + depth);
  }
  extend(q, here, depth, zero, one, feature);
  const { p, at } = m;
  if (node < 0) {
    const value = p[at.leafValue + p[at.treeLeaf + t] + ~node];
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(q, here, depth, i);
      phi[o + q.feature[here + i]] += w * (q.one[here + i] - q.zero[here + i]) * value;
    }
    return;
  }
  const n = p[at.treeNode + t] + node;
  const split = p[at.nodes + NODE * n];
  const hot = decide(m, t, n, x[r + split]);
  const cold = hot === p[at.nodes + NODE * n + 2] ? p[at.nodes + NODE * n + 3] : p[at.nodes + NODE * n + 2];
  const w = cover(m, t, node);
  let inZero = 1;
  let inOne = 1;
  let d = depth;
  let k = 0;
  for (; k <= d; k++) if (q.feature[here + k] === split) break;
  if (k !== d + 1) {
    inZero = q.zero[here + k];
    inOne = q.one[here + k];
    unwind(q, here, d, k);
    d -= 1;
  }
  treeShap(m, t, x, r, phi, o, hot, d + 1, q, here, (cover(m, t, hot) / w) * inZero, inOne, split);
  treeShap(m, t, x, r, phi, o, cold, d + 1, q, here, (cover(m, t, cold) / w) * inZero, 0, split);
}

/** The depth of tree t's deepest leaf (children come after their node: one pass). */
function depthOf(m: Packed, t: number): number {
  const { p, at } = m;
  const n0 = p[at.treeNode + t];
  const nodes = p[at.treeNode + t + 1] - n0;
  const depth = new Int32Array(Math.max(nodes, 1));
  let max = 0;
  for (let j = 0; j < nodes; j++) {
    for (const c of [p[at.nodes + NODE * (n0 + j) + 2], p[at.nodes + NODE * (n0 + j) + 3]]) {
      if (c >= 0) depth[c] = depth[j] + 1;
      else max = Math.max(max, depth[j] + 1);
    }
  }
  return max;
}

export function referenceLightgbmContributions(
  model: Float64Array,
  x: Float64Array,
  rows: number,
  cols: number,
  classes: number,
  width: number,
  iterations: number,
): Float64Array {
  const m = checkModel(model, cols, classes, iterations);
  if (width !== classes * (cols + 1)) throw fault(MlFault.WIDTH, width, classes * (cols + 1));
  const { out } = allocateOutputs(ML_KERNELS.lightgbmContributions, model, x, rows, cols, classes, width, iterations);
  const { p, at, K, F } = m;
  const trees = (iterations === 0 ? m.T / K : iterations) * K;
  // the counts TreeSHAP weighs by: finite and >= 0 in every tree of more than one leaf
  let maxDepth = 0;
  for (let t = 0; t < trees; t++) {
    const n0 = p[at.treeNode + t];
    const nodes = p[at.treeNode + t + 1] - n0;
    if (nodes === 0) continue;
    for (let j = 0; j < nodes; j++) {
      const c = p[at.internalCount + n0 + j];
      if (!(Number.isFinite(c) && c >= 0)) throw fault(MlFault.COVERS, at.internalCount + n0 + j, c);
    }
    for (let l = p[at.treeLeaf + t]; l < p[at.treeLeaf + t + 1]; l++) {
      const c = p[at.leafCount + l];
      if (!(Number.isFinite(c) && c >= 0)) throw fault(MlFault.COVERS, at.leafCount + l, c);
    }
    maxDepth = Math.max(maxDepth, depthOf(m, t));
  }
  const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
  const q: Path = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < trees; t++) {
      const o = r * width + (t % K) * (F + 1);
      const n0 = p[at.treeNode + t];
      const l0 = p[at.treeLeaf + t];
      const leaves = p[at.treeLeaf + t + 1] - l0;
      // the bias: the tree's expected value, its leaves weighted by their counts over the root's
      if (leaves === 1) out[o + F] += p[at.leafValue + l0];
      else {
        let e = 0;
        for (let l = 0; l < leaves; l++) e += (p[at.leafCount + l0 + l] / p[at.internalCount + n0]) * p[at.leafValue + l0 + l];
        out[o + F] += e;
        treeShap(m, t, x, r * cols, out, o, 0, 0, q, 0, 1, 1, -1);
      }
    }
  }
  return out;
}

/** The reference ml family. */
export const referenceMl: MlFamily = {
  lightgbmPredict: referenceLightgbmPredict,
  lightgbmContributions: referenceLightgbmContributions,
};
