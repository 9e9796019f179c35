/**
 * The ml family's bad input: a packed model damaged in each part (its header, length, trees' starts,
 * nodes, leaves, bitsets, counts) and calls whose counts do not fit it, refused with one message on
 * every backend (the reference's checks and native's in the same order), naming the entry.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { installEveryBackend } from '../../src/api/every-backend.js';
import { kernels } from '../../src/api/kernels.js';
import { KernelInputError } from '../../src/errors.js';
import { H, NODE, packedLayout, packLightGbm } from '../../src/kernels/ml/ml.js';
import { parseLightGbm } from '../../src/ml/lightgbm-text.js';

installEveryBackend();
const BACKENDS = [kernels({ backend: 'reference' }), kernels({ backend: 'native' })];
const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/lightgbm.json', import.meta.url), 'utf8')) as {
  cases: { name: string; model: string }[];
};
const categorical = parseLightGbm(FIXTURES.cases.find((c) => c.name.startsWith('categorical-codes'))!.model);
const good = packLightGbm(categorical);
const at = packedLayout(good[H.trees], good[H.nodes], good[H.leaves], good[H.catBoundaries], good[H.catWords]);
const F = categorical.features.length;
const X = { data: new Float64Array(3 * F).fill(1), rows: 3, cols: F };
/** The first categorical node's position. */
const catNode = Array.from({ length: good[H.nodes] }, (_, n) => at.nodes + NODE * n).find((o) => (good[o + 4] & 1) === 1)!;

const damaged = (edit: (p: Float64Array) => Float64Array | undefined): Float64Array => {
  const p = good.slice();
  return edit(p) ?? p;
};

describe('ml bad input', () => {
  it('a damaged model or a call that does not fit it: one message on every backend', () => {
    const cases: [string, Float64Array, string][] = [
      ['short', good.subarray(0, 5), 'model: expected a packed LightGBM model (packLightGbm()), got Float64Array(5)'],
      ['version', damaged((p) => void (p[H.version] = 2)), 'model: expected a packed LightGBM model (packLightGbm())'],
      [
        'trees not a multiple',
        damaged((p) => void (p[H.treesPerIteration] = 7)),
        'model: expected a packed LightGBM model (packLightGbm()), got model[2] = 7',
      ],
      ['output code', damaged((p) => void (p[H.output] = 9)), 'model[4] = 9'],
      [
        'length',
        good.subarray(0, good.length - 1),
        `model: expected a packed LightGBM model of ${good.length} values (its header's counts), got ${good.length - 1}`,
      ],
      ['tree start', damaged((p) => void (p[at.treeNode + 1] = -1)), `model[${at.treeNode + 1}] = -1`],
      ['feature', damaged((p) => void (p[at.nodes] = F)), `model[${at.nodes}] = ${F}`],
      ['threshold NaN', damaged((p) => void (p[at.nodes + 1] = Number.NaN)), `model[${at.nodes + 1}] = NaN`],
      ['child before its node', damaged((p) => void (p[at.nodes + 2] = 0)), `model[${at.nodes + 2}] = 0`],
      ['child past the leaves', damaged((p) => void (p[at.nodes + 3] = -1000)), `model[${at.nodes + 3}] = -1000`],
      ['decision type', damaged((p) => void (p[at.nodes + 4] = 16)), `model[${at.nodes + 4}] = 16`],
      ['categorical bitset index', damaged((p) => void (p[catNode + 1] = 99)), `model[${catNode + 1}] = 99`],
      ['leaf NaN', damaged((p) => void (p[at.leafValue] = Number.NaN)), `model[${at.leafValue}] = NaN`],
      ['bitset word', damaged((p) => void (p[at.catWords] = 2 ** 32)), `model[${at.catWords}] = 4294967296`],
    ];
    for (const [what, model, message] of cases) {
      for (const k of BACKENDS) {
        expect(() => k.lightgbmPredict(model, X), `${what} (${k.backend})`).toThrow(KernelInputError);
        expect(() => k.lightgbmPredict(model, X), `${what} (${k.backend})`).toThrow(message);
      }
    }
    for (const k of BACKENDS) {
      expect(() => k.lightgbmPredict(good, { data: new Float64Array(F + 1), rows: 1, cols: F + 1 })).toThrow(
        `x: expected ${F} features a row (the model's), got ${F + 1}`,
      );
      expect(() => k.lightgbmPredict(good, X, { iterations: 1000 })).toThrow(/^options\.iterations: expected an integer in \[0, 20\]/);
      const counts = damaged((p) => void (p[at.internalCount] = -1));
      expect(() => k.lightgbmContributions(counts, X)).toThrow(
        `model: expected the trees' counts (internal_count, leaf_count: TreeSHAP weighs by them), got model[${at.internalCount}] = -1`,
      );
      // predictions do not read the counts
      expect(k.lightgbmPredict(counts, X).data).toEqual(k.lightgbmPredict(good, X).data);
    }
  });
});
