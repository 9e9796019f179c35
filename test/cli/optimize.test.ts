/** `kernelbus optimize <csv> --method ...`: the weights the kernels give, their risk contributions, the option errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReturns } from '../../src/io/returns.js';
import { runOptimize } from '../../src/cli/optimize.js';
import { covariance, expectedReturns, hrp, maxSharpe, minVariance, riskParity } from '../../src/api/index.js';
import { KernelInputError } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-optimize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ASSETS = ['AAA', 'BBB', 'CCC', 'DDD'];
const rows = Array.from({ length: 60 }, (_, t) =>
  ASSETS.map((_, i) => 0.01 * Math.sin(t * (1.1 + i)) + 0.004 * Math.cos(t * 0.37 * (i + 2))),
);
const file = join(dir, 'returns.csv');
writeFileSync(file, `date,${ASSETS.join(',')}\n${rows.map((r, t) => `d${t},${r.join(',')}`).join('\n')}\n`);
const sectorsFile = join(dir, 'sectors.json');
writeFileSync(sectorsFile, JSON.stringify({ assets: { AAA: 'x', BBB: 'x', CCC: 'y', DDD: 'y' }, bounds: { x: [0.6, 1], y: [0, 0.4] } }));

async function json(args: string[]) {
  const lines: string[] = [];
  expect(await runOptimize([file, '--json', ...args], (l) => lines.push(l))).toBe(0);
  return JSON.parse(lines.join('\n')) as {
    method: string;
    volatility: number;
    assets: { name: string; weight: number; riskContribution: number }[];
  };
}

describe('kernelbus optimize', () => {
  it('min-variance with --bounds and --sectors: the kernel’s weights, risk contributions summing to 1', async () => {
    const { returns } = await readReturns(file);
    const cov = covariance(returns);
    const expected = minVariance(cov, {
      bounds: { lower: 0, upper: 0.5 },
      sectors: Int32Array.of(0, 0, 1, 1),
      sectorBounds: { lower: Float64Array.of(0.6, 0), upper: Float64Array.of(1, 0.4) },
    }).weights;
    const out = await json(['--method', 'min-variance', '--bounds', '0,0.5', '--sectors', sectorsFile]);
    out.assets.forEach((a, i) => expect(a.weight).toBeCloseTo(expected[i], 9));
    expect(out.assets[0].weight + out.assets[1].weight).toBeGreaterThanOrEqual(0.6 - 1e-9);
    expect(out.assets.reduce((s, a) => s + a.riskContribution, 0)).toBeCloseTo(1, 9);
  });

  it('--sectors: a sector without bounds, and an asset the file does not name, are unbounded', async () => {
    const { returns } = await readReturns(file);
    const cov = covariance(returns);
    const partial = join(dir, 'sectors-partial.json');
    // x bounded; y named without bounds; DDD in no sector
    writeFileSync(partial, JSON.stringify({ assets: { AAA: 'x', BBB: 'x', CCC: 'y' }, bounds: { x: [0.7, 1] } }));
    const expected = minVariance(cov, {
      sectors: Int32Array.of(0, 0, 1, 2),
      sectorBounds: { lower: Float64Array.of(0.7, -Infinity, -Infinity), upper: Float64Array.of(1, Infinity, Infinity) },
    }).weights;
    const out = await json(['--method', 'min-variance', '--sectors', partial]);
    out.assets.forEach((a, i) => expect(a.weight).toBeCloseTo(expected[i], 9));
    expect(out.assets[0].weight + out.assets[1].weight).toBeGreaterThanOrEqual(0.7 - 1e-9);
    writeFileSync(partial, JSON.stringify({ assets: { AAA: 3 }, bounds: {} }));
    await expect(runOptimize([file, '--method', 'min-variance', '--sectors', partial], () => {})).rejects.toThrow(
      new KernelInputError('--sectors.assets.AAA', 'a sector name (a string)', '3'),
    );
  });

  it('max-sharpe: maxSharpe of the annual CAGR and the annualised covariance, within the bounds', async () => {
    const { returns } = await readReturns(file);
    const mean = expectedReturns(returns, { returnsData: true });
    const cov = covariance(returns);
    const annual = { ...cov, data: cov.data.map((x) => x * 252) };
    const expected = maxSharpe(mean, annual, { bounds: { lower: 0, upper: 0.6 }, riskFree: 0.01 }).weights;
    const out = await json(['--method', 'max-sharpe', '--bounds', '0,0.6', '--risk-free', '0.01']);
    out.assets.forEach((a, i) => expect(a.weight).toBeCloseTo(expected[i], 9));
  });

  it('risk-parity: equal risk contributions; hrp: HRPOpt on the returns', async () => {
    const { returns } = await readReturns(file);
    const rp = await json(['--method', 'risk-parity']);
    const w = riskParity(covariance(returns)).weights;
    rp.assets.forEach((a, i) => {
      expect(a.weight).toBeCloseTo(w[i], 9);
      expect(a.riskContribution).toBeCloseTo(0.25, 9);
    });
    const tree = await json(['--method', 'hrp', '--linkage', 'ward']);
    const h = hrp(returns, { linkage: 'ward' }).weights;
    tree.assets.forEach((a, i) => expect(a.weight).toBeCloseTo(h[i], 9));
  });

  it('prints a table of weights and risk contributions', async () => {
    const lines: string[] = [];
    expect(await runOptimize([file, '--method', 'risk-parity'], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^risk-parity of 60 dates x 4 assets \(covariance: sample; [^;]+ backend\); annualised volatility [\d.]+%$/);
    expect(lines[1].trim().split(/\s+/)).toEqual(['weight', 'risk']);
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[2])).toEqual(['25.00%', '25.00%', '25.00%', '25.00%']);
  });

  it('bad options: KernelInputError naming the flag', async () => {
    const bad = async (args: string[], message: string | RegExp) => {
      const error = await runOptimize([file, ...args], () => {}).catch((e) => e);
      expect(error).toBeInstanceOf(KernelInputError);
      expect(error.message).toMatch(message);
    };
    await bad([], '--method: expected min-variance, max-sharpe, risk-parity, hrp, got nothing');
    await bad(['--method', 'max-return'], '--method: expected min-variance, max-sharpe, risk-parity, hrp, got "max-return"');
    await bad(
      ['--method', 'hrp', '--bounds', '0,0.1'],
      '--bounds: expected an option of --method min-variance, max-sharpe, got --method hrp',
    );
    await bad(['--method', 'min-variance', '--bounds', '0.2,0.1'], '--bounds: expected lo,hi: two numbers, lo <= hi, got "0.2,0.1"');
    await bad(
      ['--method', 'hrp', '--linkage', 'centroid'],
      '--linkage: expected single, complete, average, weighted, ward, got "centroid"',
    );
    await bad(['--method', 'min-variance', '--bounds', '0,0.2'], /^options\.budget: expected constraints some portfolio satisfies/);
  });
});
