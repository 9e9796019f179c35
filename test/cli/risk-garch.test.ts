/** `kernelbus risk --garch`: each column's fit and its garchVar backtest equal the volatility and risk kernels on the CSV. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRisk } from '../../src/cli/risk.js';
import { KernelInputError, kernels, matrix } from '../../src/index.js';

const k = kernels({ backend: 'native' });
const dir = mkdtempSync(join(tmpdir(), 'kb-risk-garch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// two columns of a GJR(1,1,1) path with Student-t-like tails (fractions), seeded; BBB misses two dates
const T = 400;
let seed = 11;
const u = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
const columns = [0, 1].map(() => {
  const out: number[] = [];
  for (let t = 0, v = 1e-4; t < T; t++) {
    const r = 0.0003 + Math.sqrt(v) * normal() * (u() < 0.05 ? 2.5 : 1);
    out.push(r);
    v = 2e-6 + (0.05 + (r < 0 ? 0.08 : 0)) * r * r + 0.88 * v;
  }
  return out;
});
const missing = new Set([17, 230]);
const file = join(dir, 'returns.csv');
writeFileSync(
  file,
  `date,AAA,BBB\n${Array.from({ length: T }, (_, t) => `d${t},${columns[0][t]},${missing.has(t) ? '' : columns[1][t]}`).join('\n')}\n`,
);

async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  expect(await runRisk(args, (l) => lines.push(l))).toBe(0);
  return lines;
}
const round = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? Number(x.toPrecision(10)) : null);

describe('kernelbus risk --garch', () => {
  it("--garch gjr --dist t --json: the fits, persistence and garchVar's backtest are the kernels'", async () => {
    const args = [file, '--garch', 'gjr', '--dist', 't', '--garch-window', '150', '--garch-refit', '50', '--periods-per-year', '252'];
    const doc = JSON.parse((await run([...args, '--json', '--backend', 'native'])).join('\n'));
    expect(doc.garch.model).toEqual({ vol: 'gjr', dist: 't', refit: 50, windows: [150, 150] });
    const varData = new Float64Array(T * 2).fill(Number.NaN);
    columns.forEach((col, c) => {
      const dates = col.map((_, t) => t).filter((t) => c === 0 || !missing.has(t));
      const percent = Float64Array.from(dates, (t) => 100 * col[t]);
      const fit = k.garch(percent, { vol: 'gjr', dist: 't' });
      const got = doc.garch.columns[c];
      expect(got.name).toBe(['AAA', 'BBB'][c]);
      expect(got.nobs).toBe(dates.length);
      expect(got.params.omega).toBe(round(fit.params.omega));
      expect(got.params.alpha).toEqual(Array.from(fit.params.alpha, round));
      expect(got.params.gamma).toEqual(Array.from(fit.params.gamma, round));
      expect(got.params.beta).toEqual(Array.from(fit.params.beta, round));
      expect(got.params.nu).toBe(round(fit.params.nu));
      expect(got.logLikelihood).toBe(round(fit.logLikelihood));
      const persistence = fit.params.alpha[0] + fit.params.gamma[0] / 2 + fit.params.beta[0];
      expect(persistence).toBeLessThan(1);
      expect(got.persistence).toBe(round(persistence));
      expect(got.halfLife).toBe(round(Math.log(0.5) / Math.log(persistence)));
      expect(got.longRunVolatility).toBe(round(Math.sqrt((fit.params.omega / (1 - persistence)) * 252) / 100));
      const v = k.garchVar(percent, { vol: 'gjr', dist: 't', window: 150, refit: 50, confidence: 0.95 });
      dates.forEach((t, i) => (varData[t * 2 + c] = v.var[i] / 100));
    });
    const returns = matrix(
      Float64Array.from({ length: T * 2 }, (_, i) => (i % 2 === 1 && missing.has(i >> 1) ? Number.NaN : columns[i % 2][i >> 1])),
      T,
      2,
    );
    const b = k.varBacktest(returns, matrix(varData, T, 2), { confidence: 0.95 });
    expect(
      doc.garch.backtest.map((x: { exceptions: number; observations: number; kupiecPValue: number }) => [
        x.exceptions,
        x.observations,
        x.kupiecPValue,
      ]),
    ).toEqual([0, 1].map((c) => [b.count[c], b.observations[c], round(b.kupiecPValue[c])]));
    // the dates before each column's window have no VaR: BBB's two missing dates leave it one fewer
    expect(b.observations[0]).toBe(T - 150);
    expect(b.observations[1]).toBe(T - 2 - 150);

    const text = (await run([...args, '--backend', 'native'])).join('\n');
    expect(text).toMatch(/GJR \(t\) fitted to each column's returns x 100/);
    expect(text).toMatch(/^AAA +\d/m);
    expect(text).toMatch(/VaR backtest at 0\.95/);
  });

  it('bad flags: a KernelInputError naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--garch', 'arch'], /^--garch: expected garch \| gjr \| egarch \| aparch, got "arch"/],
      [['--garch', 'garch', '--dist', 'cauchy'], /^--dist: expected normal \| t \| skewt \| ged, got "cauchy"/],
      [['--dist', 't'], /^--dist: expected nothing without --garch/],
      [['--garch-refit', '5'], /^--garch-refit: expected nothing without --garch/],
      [['--garch', 'garch', '--garch-window', '500'], /^--garch-window: expected fewer than AAA's 400 returns/],
    ];
    for (const [flags, message] of cases) {
      const error = await runRisk([file, ...flags], () => undefined).catch((e: unknown) => e);
      expect(error, flags.join(' ')).toBeInstanceOf(KernelInputError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
