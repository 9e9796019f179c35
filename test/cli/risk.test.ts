/** `kernelbus risk <csv>`: reads the returns CSV, prints what performanceStats() and valueAtRisk() compute. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReturns } from '../../src/io/returns.js';
import { runRisk } from '../../src/cli/risk.js';
import { KernelInputError, matrix, performanceStats, portfolioReturns, valueAtRisk } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-risk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from({ length: 40 }, (_, t) => [0.01 * Math.sin(t * 1.3), 0.02 * Math.cos(t * 0.7) - 0.001]);
const file = join(dir, 'returns.csv');
writeFileSync(
  file,
  `date,AAA,"BBB"\n${rows.map((r, t) => `2026-01-${String(t + 1).padStart(2, '0')},${t === 5 ? '' : r[0]},${r[1]}`).join('\n')}\n`,
);

async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  expect(await runRisk(args, (l) => lines.push(l))).toBe(0);
  return lines;
}

describe('kernelbus risk', () => {
  it("reads the CSV (date column skipped, an empty field missing) and prints the kernels' figures per column", async () => {
    const { returns, assets: names } = await readReturns(file);
    expect(names).toEqual(['AAA', 'BBB']);
    expect([returns.rows, returns.cols]).toEqual([40, 2]);
    expect(returns.data[10]).toBeNaN();
    const lines = await run([file, '--confidence', '0.99']);
    expect(lines[0]).toContain('40 dates x 2 assets; VaR/ES at 0.99');
    expect(lines[1].trim().split(/\s+/)).toEqual([
      'ann.return',
      'ann.vol',
      'sharpe',
      'sortino',
      'max.dd',
      'hist.VaR',
      'hist.ES',
      'gauss.VaR',
      'gauss.ES',
      'CF.VaR',
      'CF.ES',
    ]);
    const stats = performanceStats(returns);
    const hist = valueAtRisk(returns, { method: 'historical', confidence: 0.99 });
    const cells = lines[3].trim().split(/\s+/);
    expect(cells[0]).toBe('BBB');
    expect(cells[1]).toBe(`${(100 * stats.annualReturn[1]).toFixed(2)}%`);
    expect(cells[3]).toBe(stats.sharpe[1].toFixed(2));
    expect(cells[6]).toBe(`${(100 * hist.var[1]).toFixed(2)}%`);
  });

  it("long returns (date, symbol, return; rows in any order) give the wide file's figures per asset; --symbols picks, --out writes them", async () => {
    const long = join(dir, 'long.csv');
    const body = rows.flatMap((r, t) => {
      const date = `2026-01-${String(t + 1).padStart(2, '0')}`;
      return [`${date},BBB,${r[1]}`, ...(t === 5 ? [] : [`${date},AAA,${r[0]}`])];
    });
    writeFileSync(long, `date,symbol,return\n${body.reverse().join('\n')}\n`);
    const json = async (args: string[]) => {
      const lines: string[] = [];
      expect(await runRisk([...args, '--json'], (l) => lines.push(l))).toBe(0);
      return JSON.parse(lines.join('\n'));
    };
    const wide = await json([file]);
    const pivoted = await json([long]);
    expect(pivoted.layout).toBe('long');
    expect(pivoted.read).toMatchObject({ format: 'csv', rows: 79, skippedRows: 0 });
    expect(pivoted.columns.map((c: { name: string }) => c.name)).toEqual(['AAA', 'BBB']); // first seen: 2026-01-40's AAA
    expect(pivoted.columns).toEqual(wide.columns);
    const out = join(dir, 'stats.parquet');
    const picked = await json([long, '--symbols', 'BBB', '--out', out]);
    expect(picked.columns).toEqual([wide.columns[1]]);
    const { readTable } = await import('../../src/io/index.js');
    const written = await readTable(out);
    expect(written.names.slice(0, 3)).toEqual(['asset', 'annualReturn', 'annualVolatility']);
    expect((written.columns.sharpe as Float64Array)[0]).toBeCloseTo(wide.columns[1].sharpe, 9);
    await expect(runRisk([long, '--symbols', 'CCC'], () => {})).rejects.toThrow(
      '--symbols: expected assets of the file (AAA, BBB), got "CCC"',
    );
  });

  it('--weights as an array or by name adds a portfolio row', async () => {
    const { returns } = await readReturns(file);
    const expected = performanceStats(portfolioReturns(returns, Float64Array.of(0.25, 0.75))).annualVolatility;
    for (const weights of ['[0.25, 0.75]', '{"BBB": 0.75, "AAA": 0.25}']) {
      writeFileSync(join(dir, 'w.json'), weights);
      const lines = await run([file, '--weights', join(dir, 'w.json')]);
      const cells = lines[4].trim().split(/\s+/);
      expect(cells[0]).toBe('portfolio');
      expect(cells[2]).toBe(`${(100 * expected).toFixed(2)}%`);
    }
  });

  it('bad input: KernelInputError naming the file and line, or the option', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,A\n2026-01-01,0.01\n2026-01-02,x\n');
    await expect(runRisk([bad], () => {})).rejects.toThrow(`${bad}:3:12: expected a number in column A, got "x"`);
    writeFileSync(join(dir, 'w.json'), '{"ZZZ": 1}');
    await expect(runRisk([file, '--weights', join(dir, 'w.json')], () => {})).rejects.toThrow(
      "--weights: expected weights of the CSV's columns (AAA, BBB), got unknown ZZZ",
    );
    await expect(runRisk([file, '--confidence', '1.5'], () => {})).rejects.toThrow(KernelInputError);
    await expect(runRisk([], () => {})).rejects.toThrow('returns: expected one file, got 0 arguments');
    expect(matrix(Float64Array.of(1), 1, 1).rows).toBe(1);
  });
});
