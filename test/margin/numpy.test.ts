/**
 * The margin kernels against a numpy implementation of issue 92's definitions, on every backend: the
 * cases of test/margin/fixtures/numpy-margin.json (scripts/margin-fixtures/generate.py; 'garch' through
 * arch 8.0.0's fit). EWMA scenarios and the P&L within 1e-12 of their scale (numpy's pairwise sums for
 * the seed's mean square and the floor's deviation round otherwise), margins within 1e-12 of the book's
 * scale given numpy's own scenarios; 'garch' within arch's fit tolerance (its parameters agree with
 * garch()'s to ~1e-6: the scenarios here within 4.3e-6 of their scale, the test 1e-5).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernels, type Kernels } from '../../src/api/index.js';
import type { Matrix } from '../../src/kernels/matrix.js';
import { describeEachBackend } from '../helpers/backends.js';

interface Table {
  rows: number | null;
  cols: number;
  data: number[];
}
interface Case {
  name: string;
  kernel: 'filteredScenarios' | 'initialMargin' | 'marginalMargin';
  returns?: string;
  stress?: string;
  options: Record<string, unknown>;
  positions?: Table | number[];
  scenarios?: string | { fromCase: string };
  order?: { instrument: number; value: number };
  expected: Record<string, unknown>;
}
interface Fixture {
  inputs: Record<string, Table>;
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/numpy-margin.json', import.meta.url), 'utf8')) as Fixture;
const matrixOf = (t: Table): Matrix => ({ data: Float64Array.from(t.data), rows: t.rows ?? 1, cols: t.cols });
const byName = new Map(fixture.cases.map((c) => [c.name, c]));

/** A case's scenarios: an input, or numpy's scenarios of a filteredScenarios case. */
function scenariosOf(c: Case): Matrix {
  const s = c.scenarios!;
  if (typeof s === 'string') return matrixOf(fixture.inputs[s]);
  return matrixOf(byName.get(s.fromCase)!.expected as unknown as Table);
}

/** Within rtol of the largest |want|. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  expect(got.length, `${what} length`).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= rtol * scale)) expect(got[i], `${what}[${i}]`).toBe(want[i]);
  }
}

const garch = (c: Case) =>
  c.options.model === 'garch' || (typeof c.scenarios === 'object' && byName.get(c.scenarios.fromCase)?.options.model === 'garch');

function expectNumpy(k: Kernels, c: Case): void {
  if (c.kernel === 'filteredScenarios') {
    const options = { ...c.options, ...(c.stress ? { stress: matrixOf(fixture.inputs[c.stress]) } : {}) };
    const got = k.filteredScenarios(matrixOf(fixture.inputs[c.returns!]), options as never);
    const want = c.expected as unknown as Table;
    expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
    expectClose(got.data, want.data, garch(c) ? 1e-5 : 1e-12, c.name); // garch: measured 4.3e-6
    return;
  }
  const scenarios = scenariosOf(c);
  const rtol = 1e-12;
  if (c.kernel === 'marginalMargin') {
    const got = k.marginalMargin(Float64Array.from(c.positions as number[]), scenarios, c.order!, c.options);
    const e = c.expected as { marginal: number; before: number };
    expect(Math.abs(got - e.marginal), c.name).toBeLessThanOrEqual(rtol * Math.max(Math.abs(e.marginal), e.before, 1));
    return;
  }
  const p = c.positions as Table;
  const e = c.expected as { margin: number | number[]; pnl: number[] | Table };
  if (p.rows === null) {
    const got = k.initialMargin(Float64Array.from(p.data), scenarios, c.options);
    expectClose([got.margin], [e.margin as number], rtol, `${c.name} margin`);
    expectClose(got.pnl, e.pnl as number[], rtol, `${c.name} pnl`);
  } else {
    const got = k.initialMargin(matrixOf(p), scenarios, c.options);
    expectClose(got.margin, e.margin as number[], rtol, `${c.name} margin`);
    const pnl = e.pnl as Table;
    expect([got.pnl.rows, got.pnl.cols]).toEqual([pnl.rows, pnl.cols]);
    expectClose(got.pnl.data, pnl.data, rtol, `${c.name} pnl`);
  }
}

describe('margin kernels as numpy computes them [reference]', () => {
  it('the fixture holds every kernel, floors and binding volatility floors', () => {
    expect(new Set(fixture.cases.map((c) => c.kernel)).size).toBe(3);
    expect(fixture.cases.some((c) => c.kernel === 'initialMargin' && (c.expected as { unfloored?: number }).unfloored! < 0)).toBe(true);
  });
  const ref = kernels({ backend: 'reference' });
  for (const c of fixture.cases) it(`${c.kernel}: ${c.name}`, () => expectNumpy(ref, c));
});

describeEachBackend(
  'margin kernels as numpy computes them',
  (k, _name, supports) => {
    for (const c of fixture.cases) it.runIf(supports(c.kernel))(`${c.kernel}: ${c.name}`, () => expectNumpy(k, c));
  },
  'margin',
);
