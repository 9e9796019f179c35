/**
 * Hierarchical clustering as scipy.cluster.hierarchy.linkage computes it on a condensed distance
 * matrix (scipy/cluster/hierarchy/_hierarchy.pyx): single linkage by its minimum spanning tree
 * (`mst_single_linkage`), complete, average, weighted and ward by the nearest-neighbour chain
 * (`nn_chain`) with the Lance-Williams updates of `_hierarchy_distance_update.pxi`; then the merges
 * stably sorted by distance and relabelled by union-find (`label`). Ties fall as they fall in scipy.
 * Also the leaves in `to_tree(Z).pre_order()` order. native/kernels/portfolio/portfolio_linkage.cpp is the same code.
 */

/** The position of (i, j), i != j, in the condensed matrix of n points (scipy's condensed_index). */
export function condensedIndex(n: number, i: number, j: number): number {
  if (i < j) return n * i - (i * (i + 1)) / 2 + (j - i - 1);
  return n * j - (j * (j + 1)) / 2 + (i - j - 1);
}

/** scipy's method codes as ALLOCATION_KERNELS.hrp passes them: LINKAGE_METHODS' order. */
const SINGLE = 0;
const COMPLETE = 1;
const AVERAGE = 2;
const WEIGHTED = 3;

/** The Lance-Williams update of `method` (1 complete, 2 average, 3 weighted, 4 ward): d(xy, i). */
function newDistance(method: number, dxi: number, dyi: number, dxy: number, nx: number, ny: number, ni: number): number {
  if (method === COMPLETE) return dxi > dyi ? dxi : dyi;
  if (method === AVERAGE) return (nx * dxi + ny * dyi) / (nx + ny);
  if (method === WEIGHTED) return 0.5 * (dxi + dyi);
  const t = 1.0 / (nx + ny + ni);
  return Math.sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
}

/** scipy's mst_single_linkage: the merges (x, y, distance) in the order Prim's algorithm finds them. */
function mstSingle(dists: Float64Array, n: number, Z: Float64Array): void {
  const merged = new Uint8Array(n);
  const D = new Float64Array(n).fill(Infinity);
  let x = 0;
  let y = 0;
  for (let k = 0; k < n - 1; k++) {
    let currentMin = Infinity;
    merged[x] = 1;
    for (let i = 0; i < n; i++) {
      if (merged[i] === 1) continue;
      const dist = dists[condensedIndex(n, x, i)];
      if (D[i] > dist) D[i] = dist;
      if (D[i] < currentMin) {
        y = i;
        currentMin = D[i];
      }
    }
    Z[k * 4] = x;
    Z[k * 4 + 1] = y;
    Z[k * 4 + 2] = currentMin;
    x = y;
  }
}

/** scipy's nn_chain: the merges (x < y, distance, size) in the order the chain finds them. */
function nnChain(dists: Float64Array, n: number, method: number, Z: Float64Array): void {
  const D = Float64Array.from(dists);
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  let chainLength = 0;
  let y = 0;
  for (let k = 0; k < n - 1; k++) {
    if (chainLength === 0) {
      chainLength = 1;
      for (let i = 0; i < n; i++) {
        if (size[i] > 0) {
          chain[0] = i;
          break;
        }
      }
    }
    let x: number;
    let currentMin: number;
    for (;;) {
      x = chain[chainLength - 1];
      if (chainLength > 1) {
        y = chain[chainLength - 2];
        currentMin = D[condensedIndex(n, x, y)];
      } else {
        currentMin = Infinity;
      }
      for (let i = 0; i < n; i++) {
        if (size[i] === 0 || x === i) continue;
        const dist = D[condensedIndex(n, x, i)];
        if (dist < currentMin) {
          currentMin = dist;
          y = i;
        }
      }
      if (chainLength > 1 && y === chain[chainLength - 2]) break;
      chain[chainLength++] = y;
    }
    chainLength -= 2;
    if (x > y) [x, y] = [y, x];
    const nx = size[x];
    const ny = size[y];
    Z[k * 4] = x;
    Z[k * 4 + 1] = y;
    Z[k * 4 + 2] = currentMin;
    Z[k * 4 + 3] = nx + ny;
    size[x] = 0;
    size[y] = nx + ny;
    for (let i = 0; i < n; i++) {
      const ni = size[i];
      if (ni === 0 || i === y) continue;
      D[condensedIndex(n, i, y)] = newDistance(method, D[condensedIndex(n, i, x)], D[condensedIndex(n, i, y)], currentMin, nx, ny, ni);
    }
  }
}

/** The merges stably sorted by distance (numpy's argsort kind='mergesort'), then scipy's `label`. */
function sortAndLabel(Z: Float64Array, n: number): void {
  const m = n - 1;
  // numpy's order: NaN after every number
  const key = (k: number) => (Z[k * 4 + 2] === Z[k * 4 + 2] ? Z[k * 4 + 2] : Infinity);
  const nan = (k: number) => (Z[k * 4 + 2] === Z[k * 4 + 2] ? 0 : 1);
  const order = Array.from({ length: m }, (_, k) => k).sort((a, b) => key(a) - key(b) || nan(a) - nan(b));
  const sorted = new Float64Array(m * 4);
  for (let k = 0; k < m; k++) for (let c = 0; c < 4; c++) sorted[k * 4 + c] = Z[order[k] * 4 + c];
  const parent = new Int32Array(2 * n - 1);
  const size = new Int32Array(2 * n - 1).fill(1);
  for (let i = 0; i < 2 * n - 1; i++) parent[i] = i;
  const find = (v: number): number => {
    let root = v;
    while (parent[root] !== root) root = parent[root];
    while (parent[v] !== root) {
      const next = parent[v];
      parent[v] = root;
      v = next;
    }
    return root;
  };
  let next = n;
  for (let k = 0; k < m; k++) {
    const xr = find(sorted[k * 4]);
    const yr = find(sorted[k * 4 + 1]);
    sorted[k * 4] = xr < yr ? xr : yr;
    sorted[k * 4 + 1] = xr < yr ? yr : xr;
    parent[xr] = next;
    parent[yr] = next;
    size[next] = size[xr] + size[yr];
    sorted[k * 4 + 3] = size[next];
    next++;
  }
  Z.set(sorted);
}

/**
 * scipy.cluster.hierarchy.linkage(dists, method) into Z ((n - 1) x 4, row-major): method 0 single,
 * 1 complete, 2 average, 3 weighted, 4 ward; `dists` the condensed distances (finite).
 */
export function linkage(dists: Float64Array, n: number, method: number, Z: Float64Array): void {
  if (n < 2) return;
  if (method === SINGLE) mstSingle(dists, n, Z);
  else nnChain(dists, n, method, Z);
  sortAndLabel(Z, n);
}

/** The leaves of the dendrogram Z of n points from left to right (scipy's to_tree(Z).pre_order()). */
export function leavesOrder(Z: Float64Array, n: number, order: Float64Array): void {
  if (n === 1) {
    order[0] = 0;
    return;
  }
  const stack = [2 * n - 2];
  let at = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node < n) {
      order[at++] = node;
      continue;
    }
    const row = node - n;
    stack.push(Z[row * 4 + 1], Z[row * 4]); // the right child after the left
  }
}
