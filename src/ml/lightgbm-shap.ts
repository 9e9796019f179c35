/**
 * SHAP values of a LightGBM model (TreeSHAP, Lundberg et al.'s polynomial-time algorithm, as LightGBM's
 * Tree::PredictContrib computes it): per row and class, each feature's contribution and the bias (each
 * tree's expected value: its leaves' values weighted by their training counts), laid out as LightGBM's
 * `predict(X, pred_contrib=True)` is: per class the features then the bias. The path of the features
 * met from the root is extended at each node (ExtendPath), a feature met again unwound first
 * (UnwindPath), and at a leaf each path feature's weight (UnwoundPathSum) times its one- less its
 * zero-fraction times the leaf's value is added to its contribution; the hot child (the row's side)
 * carries the one-fraction, the cold one 0. Decisions as ./lightgbm-predict.ts's.
 */
import { decide, ZERO_THRESHOLD } from './lightgbm-predict.js';
import type { LightGbmModel } from './lightgbm-text.js';

/** A path element: the feature, the fractions of the paths through the zero and one sides, the weight. */
interface Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function extend(p: Path, at: number, depth: number, zero: number, one: number, feature: number): void {
  p.feature[at + depth] = feature;
  p.zero[at + depth] = zero;
  p.one[at + depth] = one;
  p.weight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[at + i + 1] += (one * p.weight[at + i] * (i + 1)) / (depth + 1);
    p.weight[at + i] = (zero * p.weight[at + i] * (depth - i)) / (depth + 1);
  }
}

function unwind(p: Path, at: number, depth: number, index: number): void {
  const one = p.one[at + index];
  const zero = p.zero[at + index];
  let next = p.weight[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = p.weight[at + i];
      p.weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (p.weight[at + i] * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[at + i] = (p.weight[at + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.feature[at + i] = p.feature[at + i + 1];
    p.zero[at + i] = p.zero[at + i + 1];
    p.one[at + i] = p.one[at + i + 1];
  }
}

function unwoundSum(p: Path, at: number, depth: number, index: number): number {
  const one = p.one[at + index];
  const zero = p.zero[at + index];
  let next = p.weight[at + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = p.weight[at + i] - tmp * zero * ((depth - i) / (depth + 1));
    } else {
      total += p.weight[at + i] / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

/** The tree's cover of a node (>= 0) or leaf (< 0): its training count. */
function cover(m: LightGbmModel, t: number, child: number): number {
  return child >= 0 ? m.internalCount[m.nodeStart[t] + child] : m.leafCount[m.leafStart[t] + ~child];
}

/** TreeSHAP of tree t over row x (from x[at]) into phi (F values). */
function treeShap(
  m: LightGbmModel,
  t: number,
  x: Float64Array,
  at: number,
  phi: Float64Array,
  phiAt: number,
  node: number,
  depth: number,
  p: Path,
  parent: number,
  zero: number,
  one: number,
  feature: number,
): void {
  // this level's path: a copy of the parent's after it
  const here = parent + depth;
  if (depth > 0) {
    p.feature.copyWithin(here, parent, parent + depth);
    p.zero.copyWithin(here, parent, parent + depth);
    p.one.copyWithin(here, parent, parent + depth);
    p.weight.copyWithin(here, parent, parent + depth);
  }
  extend(p, here, depth, zero, one, feature);
  if (node < 0) {
    const value = m.leafValue[m.leafStart[t] + ~node];
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(p, here, depth, i);
      phi[phiAt + p.feature[here + i]] += w * (p.one[here + i] - p.zero[here + i]) * value;
    }
    return;
  }
  const n = m.nodeStart[t] + node;
  const split = m.splitFeature[n];
  const hot = decide(m, t, n, x[at + split]);
  const cold = hot === m.left[n] ? m.right[n] : m.left[n];
  const w = cover(m, t, node);
  let inZero = 1;
  let inOne = 1;
  let d = depth;
  let k = 0;
  for (; k <= d; k++) if (p.feature[here + k] === split) break;
  if (k !== d + 1) {
    inZero = p.zero[here + k];
    inOne = p.one[here + k];
    unwind(p, here, d, k);
    d -= 1;
  }
  treeShap(m, t, x, at, phi, phiAt, hot, d + 1, p, here, (cover(m, t, hot) / w) * inZero, inOne, split);
  treeShap(m, t, x, at, phi, phiAt, cold, d + 1, p, here, (cover(m, t, cold) / w) * inZero, 0, split);
}

/** A tree's expected value: its leaves' values weighted by their counts over the root's. */
function expectedValue(m: LightGbmModel, t: number): number {
  const L = m.numLeaves[t];
  const l0 = m.leafStart[t];
  if (L === 1) return m.leafValue[l0];
  const total = m.internalCount[m.nodeStart[t]];
  let e = 0;
  for (let i = 0; i < L; i++) e += (m.leafCount[l0 + i] / total) * m.leafValue[l0 + i];
  return e;
}

/** The depth of tree t (its longest root-to-leaf path). */
function depthOf(m: LightGbmModel, t: number): number {
  if (m.numLeaves[t] === 1) return 0;
  const base = m.nodeStart[t];
  const walk = (node: number): number => (node < 0 ? 0 : 1 + Math.max(walk(m.left[base + node]), walk(m.right[base + node])));
  return walk(0);
}

/** Whether the model has the counts TreeSHAP needs (internal_count and leaf_count in every tree). */
export function hasCovers(m: LightGbmModel): boolean {
  for (let t = 0; t < m.numLeaves.length; t++) {
    if (m.numLeaves[t] > 1 && (Number.isNaN(m.internalCount[m.nodeStart[t]]) || Number.isNaN(m.leafCount[m.leafStart[t]]))) return false;
  }
  return true;
}

/** SHAP values of `rows` rows of x (rows x F) over the first `iterations` iterations into out (rows x K(F + 1)), zeroed here. */
export function contributions(m: LightGbmModel, x: Float64Array, rows: number, iterations: number, out: Float64Array): void {
  const F = m.features.length;
  const K = m.treesPerIteration;
  const width = K * (F + 1);
  let maxDepth = 0;
  const trees = iterations * K;
  for (let t = 0; t < trees; t++) maxDepth = Math.max(maxDepth, depthOf(m, t));
  const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
  const p: Path = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  const row = new Float64Array(F);
  out.fill(0, 0, rows * width);
  for (let r = 0; r < rows; r++) {
    // LightGBM's input rule: |x| <= 1e-35 is 0
    for (let f = 0; f < F; f++) {
      const v = x[r * F + f];
      row[f] = v <= ZERO_THRESHOLD && v >= -ZERO_THRESHOLD ? 0 : v;
    }
    for (let i = 0; i < iterations; i++) {
      for (let k = 0; k < K; k++) {
        const t = i * K + k;
        const at = r * width + k * (F + 1);
        out[at + F] += expectedValue(m, t);
        if (m.numLeaves[t] > 1) treeShap(m, t, row, 0, out, at, 0, 0, p, 0, 1, 1, -1);
      }
    }
  }
}
