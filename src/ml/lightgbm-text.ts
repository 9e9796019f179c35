/**
 * LightGBM's text model format (`booster.save_model()`, `model_to_string()`; versions v3 and v4) read into
 * flat arrays (src/kernels/ml/ml.ts LightGbmModel): every tree's nodes and leaves one after another, which
 * packLightGbm() packs for the ml family's kernels. The header gives the classes, the trees per iteration,
 * the objective (the regressions, poisson, gamma and tweedie's exp, binary with its `sigmoid:`, multiclass,
 * multiclassova) and the feature names; each `Tree=` block its split features, thresholds, decision types (bit 0 categorical, bit 1
 * default left, bits 2-3 the missing type: 0 None, 1 Zero, 2 NaN), children (a negative child is the
 * leaf ~child) and leaf values, and for categorical splits the bitsets (cat_boundaries, cat_threshold).
 *
 * Anything else is refused with the line that says so (KernelInputError naming `<source>:<line>`): a
 * truncated text, a garbage line, another format version, an objective other than those, linear trees.
 */
import { KernelInputError } from '../errors.js';
import type { LightGbmModel } from '../kernels/ml/ml.js';
import { describeValue } from '../kernels/validate.js';

export type { LightGbmModel } from '../kernels/ml/ml.js';

/** How raw scores become outputs, with the objective's name. */
type Objective = Pick<LightGbmModel, 'output' | 'sigmoid' | 'objective'>;

const VERSIONS = ['v3', 'v4'];
const REGRESSIONS = ['regression', 'regression_l1', 'huber', 'fair', 'quantile', 'mape'];
/** Objectives whose output is exp of the raw score (a log link). */
const LOG_LINKS = ['poisson', 'gamma', 'tweedie'];

/** A parsed tree block, before flattening. */
interface TreeBlock {
  line: number;
  numLeaves: number;
  numCat: number;
  splitFeature: number[];
  threshold: number[];
  decisionType: number[];
  left: number[];
  right: number[];
  leafValue: number[];
  catBoundaries: number[];
  catThreshold: number[];
  internalCount: number[];
  leafCount: number[];
}

/** A number as LightGBM writes one (`%.17g`, `inf`, `-inf`, `nan`). */
function number(text: string): number {
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  if (t === 'nan' || t === '-nan') return Number.NaN;
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** The model of LightGBM's text `text` (from `source`, for the errors' places). */
export function parseLightGbm(text: string, source = 'model'): LightGbmModel {
  if (typeof text !== 'string') throw new KernelInputError('model', 'a LightGBM model text', describeValue(text));
  const lines = text.split(/\r?\n/);
  const fail = (line: number, expected: string, actual: string): never => {
    throw new KernelInputError(`${source}:${line}`, expected, actual);
  };
  if (lines[0]?.trim() !== 'tree') fail(1, "a LightGBM text model (its first line 'tree')", describeValue(lines[0]?.slice(0, 40) ?? ''));
  // the header: key=value lines up to the first Tree= block
  const header = new Map<string, { value: string; line: number }>();
  let i = 1;
  for (; i < lines.length && !lines[i].startsWith('Tree='); i++) {
    const l = lines[i];
    if (l.trim() === '') continue;
    if (l === 'end of trees') break;
    const eq = l.indexOf('=');
    if (eq > 0 && /^[a-z_]+$/.test(l.slice(0, eq))) header.set(l.slice(0, eq), { value: l.slice(eq + 1), line: i + 1 });
    else if (l !== 'average_output') fail(i + 1, 'a header line key=value', describeValue(l.slice(0, 40)));
    else header.set('average_output', { value: '', line: i + 1 });
  }
  const get = (key: string): { value: string; line: number } => header.get(key) ?? fail(i + 1, `a header line ${key}=`, 'none');
  const int = (key: string, min: number): number => {
    const { value, line } = get(key);
    const x = Number(value);
    if (!Number.isInteger(x) || x < min) fail(line, `${key} an integer >= ${min}`, describeValue(value));
    return x;
  };
  const version = get('version');
  if (!VERSIONS.includes(version.value)) fail(version.line, `a model of format ${VERSIONS.join(' or ')}`, describeValue(version.value));
  const numClass = int('num_class', 1);
  const treesPerIteration = int('num_tree_per_iteration', 1);
  const maxFeature = int('max_feature_idx', 0);
  const objective = readObjective(get('objective'), numClass, fail);
  const names = get('feature_names');
  const features = names.value.split(' ');
  if (features.length !== maxFeature + 1)
    fail(names.line, `${maxFeature + 1} feature names (max_feature_idx + 1)`, String(features.length));

  // the trees, each a block of key=value lines after its Tree=<n> line
  const trees: TreeBlock[] = [];
  let ended = false;
  while (i < lines.length) {
    const l = lines[i];
    if (l === 'end of trees') {
      ended = true;
      break;
    }
    if (l.trim() === '') {
      i++;
      continue;
    }
    if (l !== `Tree=${trees.length}`) fail(i + 1, `Tree=${trees.length} or 'end of trees'`, describeValue(l.slice(0, 40)));
    const start = i + 1;
    const block = new Map<string, { value: string; line: number }>();
    for (i++; i < lines.length && lines[i].trim() !== '' && !lines[i].startsWith('Tree=') && lines[i] !== 'end of trees'; i++) {
      const eq = lines[i].indexOf('=');
      if (eq <= 0 || !/^[a-z_]+$/.test(lines[i].slice(0, eq))) fail(i + 1, 'a tree line key=value', describeValue(lines[i].slice(0, 40)));
      block.set(lines[i].slice(0, eq), { value: lines[i].slice(eq + 1), line: i + 1 });
    }
    trees.push(readTree(block, start, maxFeature, fail));
  }
  if (!ended) fail(lines.length, "the line 'end of trees' (a whole model)", 'the end of the text');
  if (trees.length % treesPerIteration !== 0) {
    fail(i + 1, `trees a multiple of num_tree_per_iteration (${treesPerIteration})`, String(trees.length));
  }
  return flatten(trees, {
    version: version.value,
    numClass,
    treesPerIteration,
    ...objective,
    features,
    averageOutput: header.has('average_output'),
  });
}

/** The objective line: `binary sigmoid:1`, `multiclass num_class:3`, `regression`, ... */
function readObjective(
  o: { value: string; line: number },
  numClass: number,
  fail: (line: number, expected: string, actual: string) => never,
): Objective {
  const [name, ...params] = o.value.split(' ');
  const param = (key: string, fallback: number): number => {
    const p = params.find((x) => x.startsWith(`${key}:`));
    const x = p === undefined ? fallback : Number(p.slice(key.length + 1));
    if (!(Number.isFinite(x) && x > 0)) fail(o.line, `${key} a number > 0`, describeValue(p));
    return x;
  };
  if (REGRESSIONS.includes(name)) return { objective: name, output: 'identity', sigmoid: 1 };
  if (LOG_LINKS.includes(name)) return { objective: name, output: 'exp', sigmoid: 1 };
  if (name === 'binary') return { objective: name, output: 'sigmoid', sigmoid: param('sigmoid', 1) };
  if (name === 'multiclass' && numClass > 1) return { objective: name, output: 'softmax', sigmoid: 1 };
  if (name === 'multiclassova' && numClass > 1) return { objective: name, output: 'sigmoidEach', sigmoid: param('sigmoid', 1) };
  return fail(
    o.line,
    `an objective of ${[...REGRESSIONS, ...LOG_LINKS, 'binary', 'multiclass', 'multiclassova'].join(', ')}`,
    describeValue(o.value),
  );
}

/** One Tree= block's arrays, checked: lengths, children, features and bitsets in range. */
function readTree(
  block: Map<string, { value: string; line: number }>,
  start: number,
  maxFeature: number,
  fail: (line: number, expected: string, actual: string) => never,
): TreeBlock {
  const entry = (key: string) => block.get(key) ?? fail(start, `the tree's ${key}=`, 'none');
  const ints = (key: string, n: number, min: number, max: number): number[] => {
    if (n === 0 && !block.has(key)) return [];
    const { value, line } = entry(key);
    const xs = value.trim() === '' ? [] : value.trim().split(' ').map(Number);
    if (xs.length !== n) fail(line, `${n} values of ${key}`, String(xs.length));
    const bad = xs.findIndex((x) => !Number.isInteger(x) || x < min || x > max);
    if (bad >= 0) fail(line, `${key} integers in [${min}, ${max}]`, `${key}[${bad}] = ${describeValue(xs[bad])}`);
    return xs;
  };
  const reals = (key: string, n: number, optional = false): number[] => {
    if ((n === 0 || optional) && !block.has(key)) return [];
    const { value, line } = entry(key);
    const xs = value.trim() === '' ? [] : value.trim().split(' ').map(number);
    if (xs.length !== n) fail(line, `${n} values of ${key}`, String(xs.length));
    const bad = xs.findIndex((x) => Number.isNaN(x));
    if (bad >= 0) fail(line, `${key} numbers`, `${key}[${bad}] = ${describeValue(value.trim().split(' ')[bad])}`);
    return xs;
  };
  const leaves = ints('num_leaves', 1, 1, 1 << 30)[0];
  const numCat = ints('num_cat', 1, 0, 1 << 30)[0];
  if (block.get('is_linear')?.value === '1') fail(block.get('is_linear')!.line, 'a model without linear trees', 'is_linear=1');
  const nodes = leaves - 1;
  const t: TreeBlock = {
    line: start,
    numLeaves: leaves,
    numCat,
    splitFeature: ints('split_feature', nodes, 0, maxFeature),
    threshold: reals('threshold', nodes),
    decisionType: ints('decision_type', nodes, 0, 15),
    left: ints('left_child', nodes, -leaves, nodes - 1),
    right: ints('right_child', nodes, -leaves, nodes - 1),
    leafValue: reals('leaf_value', leaves),
    catBoundaries: numCat > 0 ? ints('cat_boundaries', numCat + 1, 0, 1 << 30) : [],
    catThreshold: [],
    internalCount: reals('internal_count', nodes, true),
    leafCount: reals('leaf_count', leaves, true),
  };
  if (numCat > 0) {
    const words = t.catBoundaries[numCat];
    t.catThreshold = ints('cat_threshold', words, 0, 0xffffffff);
    for (let c = 0; c < numCat; c++) {
      if (t.catBoundaries[c] > t.catBoundaries[c + 1])
        fail(entry('cat_boundaries').line, 'cat_boundaries in ascending order', `cat_boundaries[${c + 1}] < [${c}]`);
    }
  }
  // every categorical split names one of the tree's bitsets; every child is reached once from the root
  for (let n = 0; n < nodes; n++) {
    if ((t.decisionType[n] & 1) !== 0 && !(Number.isInteger(t.threshold[n]) && t.threshold[n] >= 0 && t.threshold[n] < numCat)) {
      fail(
        entry('threshold').line,
        `a categorical split's threshold a bitset index below num_cat (${numCat})`,
        `threshold[${n}] = ${t.threshold[n]}`,
      );
    }
  }
  // a child node comes after its node (LightGBM numbers nodes as it splits; the backends' walks rely on it)
  for (let n = 0; n < nodes; n++) {
    for (const c of [t.left[n], t.right[n]])
      if (c >= 0 && c <= n) fail(entry('left_child').line, 'a child node after its node', `node ${n}'s child ${c}`);
  }
  const seenNodes = new Uint8Array(nodes);
  const seenLeaves = new Uint8Array(leaves);
  const visit = (child: number) => {
    const seen = child < 0 ? seenLeaves : seenNodes;
    const k = child < 0 ? ~child : child;
    if (seen[k]) fail(entry('left_child').line, 'children that make a tree', `node or leaf ${k} reached twice`);
    seen[k] = 1;
  };
  if (nodes > 0) {
    seenNodes[0] = 1;
    for (let n = 0; n < nodes; n++) {
      visit(t.left[n]);
      visit(t.right[n]);
    }
  } else seenLeaves[0] = 1;
  if (!seenLeaves.every((x) => x === 1) || !seenNodes.every((x) => x === 1)) {
    fail(entry('left_child').line, 'children that make a tree', 'a node or leaf no node reaches');
  }
  return t;
}

/** The trees' blocks into the model's flat arrays. */
function flatten(
  trees: TreeBlock[],
  head: Omit<
    LightGbmModel,
    | 'nodeStart'
    | 'leafStart'
    | 'numLeaves'
    | 'splitFeature'
    | 'threshold'
    | 'decisionType'
    | 'left'
    | 'right'
    | 'leafValue'
    | 'catStart'
    | 'catBoundaries'
    | 'catThreshold'
    | 'internalCount'
    | 'leafCount'
  >,
): LightGbmModel {
  const T = trees.length;
  const nodeStart = new Int32Array(T + 1);
  const leafStart = new Int32Array(T + 1);
  const catStart = new Int32Array(T + 1);
  let words = 0;
  for (let t = 0; t < T; t++) {
    nodeStart[t + 1] = nodeStart[t] + trees[t].numLeaves - 1;
    leafStart[t + 1] = leafStart[t] + trees[t].numLeaves;
    catStart[t + 1] = catStart[t] + trees[t].catBoundaries.length;
    words += trees[t].catThreshold.length;
  }
  const nodes = nodeStart[T];
  const leaves = leafStart[T];
  const m: LightGbmModel = {
    ...head,
    nodeStart,
    leafStart,
    numLeaves: Int32Array.from(trees, (t) => t.numLeaves),
    splitFeature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    decisionType: new Uint8Array(nodes),
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    leafValue: new Float64Array(leaves),
    catStart,
    catBoundaries: new Int32Array(catStart[T]),
    catThreshold: new Uint32Array(words),
    internalCount: new Float64Array(nodes).fill(Number.NaN),
    leafCount: new Float64Array(leaves).fill(Number.NaN),
  };
  let word = 0;
  trees.forEach((t, k) => {
    const n0 = nodeStart[k];
    m.splitFeature.set(t.splitFeature, n0);
    m.threshold.set(t.threshold, n0);
    m.decisionType.set(t.decisionType, n0);
    m.left.set(t.left, n0);
    m.right.set(t.right, n0);
    m.leafValue.set(t.leafValue, leafStart[k]);
    if (t.internalCount.length) m.internalCount.set(t.internalCount, n0);
    if (t.leafCount.length) m.leafCount.set(t.leafCount, leafStart[k]);
    // boundaries made absolute: into the model's one catThreshold
    m.catBoundaries.set(
      t.catBoundaries.map((b) => b + word),
      catStart[k],
    );
    m.catThreshold.set(t.catThreshold, word);
    word += t.catThreshold.length;
  });
  return m;
}
