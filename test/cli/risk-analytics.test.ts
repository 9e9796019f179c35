/** `kernelbus risk --benchmark --rolling --drawdowns --backtest [--dq-regressors]`: the JSON sections equal the kernels' results on the CSV. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRisk } from '../../src/cli/risk.js';
import { kernels, KernelInputError, matrix } from '../../src/index.js';

const ref = kernels({ backend: 'reference' });
const dir = mkdtempSync(join(tmpdir(), 'kb-risk-analytics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = 60;
const rows = Array.from({ length: T }, (_, t) => [
  0.01 * Math.sin(t * 1.3) - 0.002,
  0.012 * Math.cos(t * 0.7),
  0.008 * Math.sin(t * 0.4 + 1),
]);
const file = join(dir, 'returns.csv');
writeFileSync(file, `date,AAA,BBB,SPY\n${rows.map((r, t) => `d${t},${r.join(',')}`).join('\n')}\n`);
const varFile = join(dir, 'var.csv');
writeFileSync(varFile, `date,BBB,AAA\n${rows.map((_, t) => `d${t},0.01,${t % 2 ? 0.008 : 0.004}`).join('\n')}\n`);
const panel = matrix(Float64Array.from(rows.flat()), T, 3);
const col = (c: number) => Float64Array.from(rows, (r) => r[c]);

async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  expect(await runRisk(args, (l) => lines.push(l))).toBe(0);
  return lines;
}
const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(10)) : null);

describe('kernelbus risk analytics', () => {
  it("--benchmark --rolling --drawdowns --backtest --json: every section is the kernels' result", async () => {
    const lines = await run([
      file,
      '--benchmark',
      'SPY',
      '--rolling',
      '20',
      '--drawdowns',
      '2',
      '--backtest',
      varFile,
      '--json',
      '--backend',
      'reference',
    ]);
    const doc = JSON.parse(lines.join('\n'));
    const rel = ref.relativeStats(panel, col(2));
    expect(doc.benchmark.map((c: { beta: number }) => c.beta)).toEqual([0, 1, 2].map((c) => round(rel.beta[c])));
    expect(doc.benchmark[2].beta).toBe(1); // the benchmark against itself
    const roll = ref.rolling(panel, { window: 20, benchmark: col(2), stats: ['sharpe', 'volatility', 'beta'] });
    const last = (m: unknown, c: number) => (m as { data: Float64Array }).data[(T - 1) * 3 + c];
    expect(doc.rolling[1].sharpe.last).toBe(round(last(roll.sharpe, 1)));
    expect(doc.rolling[0].beta.last).toBe(round(last(roll.beta, 0)));
    const dd = ref.drawdowns(panel, { top: 2 });
    const at = (m: unknown, i: number, c: number) => (m as { data: Float64Array }).data[i * 3 + c];
    expect(doc.drawdowns[0].drawdowns[0].from).toBe(at(dd.from, 0, 0) + 1);
    expect(doc.drawdowns[0].drawdowns[0].depth).toBe(round(at(dd.depth, 0, 0)));
    // the VaR CSV's columns BBB, AAA matched by name
    const bt = ref.varBacktest(
      matrix(Float64Array.from(rows.flatMap((r) => [r[1], r[0]])), T, 2),
      matrix(Float64Array.from(rows.flatMap((_, t) => [0.01, t % 2 ? 0.008 : 0.004])), T, 2),
      { confidence: 0.95 },
    );
    expect(doc.backtest.map((c: { name: string }) => c.name)).toEqual(['BBB', 'AAA']);
    expect(doc.backtest.map((c: { exceptions: number }) => c.exceptions)).toEqual([...bt.count]);
    expect(doc.backtest[1].kupiecPValue).toBe(round(bt.kupiecPValue[1]));
    expect(doc.backtest[1].zone).toBe(['green', 'yellow', 'red'][bt.zone[1]]);
    // the DQ test in GAS's current form by default
    expect(
      doc.backtest.map((c: { dqStat: number; dqPValue: number; dqRegressors: string }) => [c.dqStat, c.dqPValue, c.dqRegressors]),
    ).toEqual([0, 1].map((j) => [round(bt.dqStat[j]), round(bt.dqPValue[j]), 'gas']));
  });

  it('--dq-regressors hits: the DQ test without the lagged squared return; a set that is not one is refused', async () => {
    const doc = JSON.parse(
      (await run([file, '--backtest', varFile, '--dq-regressors', 'hits', '--json', '--backend', 'reference'])).join('\n'),
    );
    const bt = ref.varBacktest(
      matrix(Float64Array.from(rows.flatMap((r) => [r[1], r[0]])), T, 2),
      matrix(Float64Array.from(rows.flatMap((_, t) => [0.01, t % 2 ? 0.008 : 0.004])), T, 2),
      { confidence: 0.95, dqRegressors: 'hits' },
    );
    const gas = ref.varBacktest(
      matrix(Float64Array.from(rows.flatMap((r) => [r[1], r[0]])), T, 2),
      matrix(Float64Array.from(rows.flatMap((_, t) => [0.01, t % 2 ? 0.008 : 0.004])), T, 2),
      { confidence: 0.95 },
    );
    expect(
      doc.backtest.map((c: { dqStat: number; dqPValue: number; dqRegressors: string }) => [c.dqStat, c.dqPValue, c.dqRegressors]),
    ).toEqual([0, 1].map((j) => [round(bt.dqStat[j]), round(bt.dqPValue[j]), 'hits']));
    expect(bt.dqStat[1]).not.toBe(gas.dqStat[1]);
    const text = (await run([file, '--backtest', varFile, '--dq-regressors', 'hits'])).join('\n');
    expect(text).toContain('Engle-Manganelli DQ on the hits alone (chi-square(6))');
    await expect(runRisk([file, '--backtest', varFile, '--dq-regressors', 'engle'], () => {})).rejects.toThrow(
      /^--dq-regressors: expected gas or hits, got "engle"$/,
    );
  });

  it('prints the sections as tables', async () => {
    const lines = await run([file, '--benchmark', 'SPY', '--rolling', '20', '--drawdowns', '1', '--backtest', varFile]);
    const text = lines.join('\n');
    expect(text).toContain('against SPY');
    expect(text).toContain('rolling 20 dates');
    expect(text).toContain('top 1 drawdowns');
    expect(text).toMatch(/VaR backtest at 0.95/);
    expect(text).toContain("Engle-Manganelli DQ as GAS's DQOOStest (y^2 lagged, chi-square(7))");
    expect(text).toMatch(/AAA .* (green|yellow|red)/);
  });

  it('refuses an unknown benchmark column, a rolling window beyond the dates, a VaR CSV of other dates', async () => {
    await expect(runRisk([file, '--benchmark', 'QQQ'], () => {})).rejects.toThrow(KernelInputError);
    await expect(runRisk([file, '--benchmark', 'QQQ'], () => {})).rejects.toThrow(
      /^--benchmark: expected a column of the CSV \(AAA, BBB, SPY\), got "QQQ"$/,
    );
    await expect(runRisk([file, '--rolling', '61'], () => {})).rejects.toThrow(
      /^--rolling: expected an integer in \[2, 60\] \(the dates\), got 61$/,
    );
    const short = join(dir, 'short.csv');
    writeFileSync(short, 'AAA\n0.01\n0.02\n');
    await expect(runRisk([file, '--backtest', short], () => {})).rejects.toThrow(
      /^--backtest: expected a CSV of 60 dates \(those of the returns\), got 2 dates$/,
    );
  });
});
