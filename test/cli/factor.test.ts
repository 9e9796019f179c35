/** `kernelbus factor <panel.csv>`: reads the long panel, prints the fit and the factor table, writes the factor returns and residuals. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readPanel } from '../../src/cli/factor-table.js';
import { runFactor } from '../../src/cli/factor.js';
import { estimateFactors } from '../../src/engines/factor-fit.js';
import { main } from '../../src/cli/main.js';
import { kernels } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-factor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = join(import.meta.dirname, '..', '..', 'examples', 'panel.csv');
const MOMENTUM = ['--momentum-window', '40', '--momentum-half-life', '20', '--momentum-lag', '5'];

async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  expect(await runFactor(args, (l) => lines.push(l))).toBe(0);
  return lines;
}

describe('kernelbus factor', () => {
  it('reads the long panel: dates sorted, assets and sectors in the order first seen, absent rows missing', async () => {
    const p = await readPanel(example);
    expect([p.dates.length, p.assets.length, p.rows, p.ratios]).toEqual([80, 30, 2350, true]);
    expect(p.dates[0]).toBe('2024-01-02');
    expect(p.assets.slice(0, 3)).toEqual(['S01', 'S02', 'S03']);
    expect(p.sectorNames).toEqual(['Energy', 'Technology', 'Healthcare', 'Financials']);
    expect(p.returns.data[29]).toBeNaN(); // S30 is listed on day 30
    expect(p.marketCap.data[30 * 30 + 29]).toBeGreaterThan(0);
    expect(p.sectors.data[30 * 30 + 29]).toBe(1);
    // labelled: dates on the rows, assets on the columns (the panel's own arrays)
    expect([p.returns.index, p.returns.columns, p.marketCap.index]).toEqual([p.dates, p.assets, p.dates]);
    expect(p.returns.columns).toBe(p.assets);
  });

  it("prints the fit per date and the factor table; --out writes exactly the kernels' factor returns and residuals", async () => {
    const lines = await run([example, ...MOMENTUM, '--out', `${dir}/`]);
    const text = lines.join('\n');
    expect(lines[0]).toMatch(
      /^.*panel\.csv: 80 dates x 30 assets \(2350 rows\), 4 sectors; styles momentum \(window 40, half-life 20, lag 5\), size, value; returns winsorized at 0\.05\/0\.95/,
    );
    expect(lines[1]).toBe(
      "fit on 36 of 80 dates (44 without enough usable assets; momentum needs window + lag = 45 dates of an asset's returns)",
    );
    const r2 = /R2 per date \(cap-weighted, assets in the fit\): mean (\S+), median (\S+), min (\S+), max (\S+)/
      .exec(text)!
      .slice(1)
      .map(Number);
    expect(r2.every((x) => Number.isFinite(x) && x > 0 && x < 1)).toBe(true);
    const table = lines.slice(lines.findIndex((l) => /^factor +mean/.test(l))).slice(0, 10);
    expect(table[0].split(/\s+/)).toEqual([
      'factor',
      'mean',
      'sd',
      't-stat',
      'dates',
      '2024-04-16',
      '2024-04-17',
      '2024-04-18',
      '2024-04-19',
      '2024-04-22',
    ]);
    expect(table.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      'market',
      'Energy',
      'Technology',
      'Healthcare',
      'Financials',
      'momentum',
      'size',
      'value',
      'R2',
    ]);
    for (const row of table.slice(1, 9)) {
      const cells = row.split(/\s+/);
      expect(
        cells
          .slice(1)
          .filter((c) => c !== '36')
          .every((c) => Number.isFinite(Number(c.replace('%', '')))),
      ).toBe(true);
    }

    // Directly: the kernels over the whole panel (every sector has usable assets on every date with a fit).
    const k = kernels();
    const p = await readPanel(example);
    const styles = {
      momentum: k.momentum(p.returns, { window: 40, halfLife: 20, lag: 5 }),
      size: k.size(p.marketCap),
      value: k.value(p.bookPrice, p.salesPrice, p.cashFlowPrice),
    };
    const fit = k.factorReturns({ returns: p.returns, marketCap: p.marketCap, sectors: p.sectors, styles, sectorNames: p.sectorNames });
    const out = readFileSync(join(dir, 'factor_returns.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(out[0]).toEqual(['date', ...fit.names, 'r2', 'assets']);
    // the panel's labels reach the fit: factor names and dates, assets on the residuals
    expect([fit.factorReturns.columns, fit.factorReturns.index, fit.residuals.columns]).toEqual([fit.names, p.dates, p.assets]);
    const estimated = estimateFactors(
      k,
      { returns: p.returns, marketCap: p.marketCap, sectors: p.sectors, styles, sectorNames: p.sectorNames },
      { winsorize: 0.05, residualizeStyles: true },
    );
    expect(estimated.factorReturns.columns).toBe(estimated.names);
    expect([estimated.factorReturns.index, estimated.residuals.index, estimated.residuals.columns]).toEqual([p.dates, p.dates, p.assets]);
    expect(out).toHaveLength(81);
    out.slice(1).forEach((row, t) => {
      expect(row[0]).toBe(p.dates[t]);
      const expected = Array.from(fit.factorReturns.data.subarray(t * 8, (t + 1) * 8), (x) => (Number.isNaN(x) ? '' : String(x)));
      expect(row.slice(1, 9)).toEqual(expected);
      expect(row[9] === '').toBe(t < 44);
      expect(Number(row[10])).toBe(Array.from(fit.residuals.data.subarray(t * 30, (t + 1) * 30)).filter(Number.isFinite).length);
    });
    const residuals = readFileSync(join(dir, 'residuals.csv'), 'utf8').trim().split('\n');
    expect(residuals[0]).toBe('date,symbol,residual');
    expect(residuals.length - 1).toBe(fit.residuals.data.filter(Number.isFinite).length);
    const [date, symbol, e] = residuals[1].split(',');
    expect(Number(e)).toBe(fit.residuals.data[p.dates.indexOf(date) * 30 + p.assets.indexOf(symbol)]);
    expect(text).toContain(
      `wrote ${dir}/factor_returns.csv (80 dates x 8 factors, r2, assets) and ${dir}/residuals.csv (${residuals.length - 1} residuals)`,
    );
  });

  it('--styles, --winsorize off, --no-residualize, --last; --out as a prefix', async () => {
    const lines = await run([
      example,
      '--styles',
      'size,value',
      '--winsorize',
      'off',
      '--no-residualize',
      '--last',
      '2',
      '--out',
      join(dir, 'run1-'),
    ]);
    expect(lines[0]).toContain('styles size, value; returns not winsorized, styles on the returns');
    expect(lines[1]).toBe('fit on 80 of 80 dates (0 without enough usable assets)');
    expect(
      lines
        .find((l) => /^factor +mean/.test(l))!
        .split(/\s+/)
        .slice(5),
    ).toEqual(['2024-04-19', '2024-04-22']);
    const out = readFileSync(join(dir, 'run1-factor_returns.csv'), 'utf8').trim().split('\n');
    expect(out[0]).toBe('date,market,Energy,Technology,Healthcare,Financials,size,value,r2,assets');
    expect(
      out.slice(1).every((l) =>
        l
          .split(',')
          .slice(1)
          .every((c) => Number.isFinite(Number(c)) && c !== ''),
      ),
    ).toBe(true);
    readFileSync(join(dir, 'run1-residuals.csv'), 'utf8');
  });

  it('with the default momentum window the example has no fit, and says what to do', async () => {
    const lines = await run([example]);
    expect(lines[1]).toBe(
      "fit on 0 of 80 dates (80 without enough usable assets; momentum needs window + lag = 272 dates of an asset's returns)",
    );
    expect(lines[2]).toBe('no date has a fit: try a shorter --momentum-window / --momentum-lag, or --styles size,value');
  });

  it('a file without ratio columns: value left out (asked for, an error); aliases in the header', async () => {
    const file = join(dir, 'aliases.csv');
    const p = await readPanel(example);
    const rows = ['Ticker,Date,Industry,Asset-Returns,MCap'];
    for (let t = 0; t < 5; t++)
      for (let j = 0; j < 12; j++)
        rows.push(`${p.assets[j]},${p.dates[t]},"${p.sectorNames[j % 2]}",${p.returns.data[t * 30 + j]},${p.marketCap.data[t * 30 + j]}`);
    writeFileSync(file, rows.join('\n'));
    const lines = await run([file, '--momentum-window', '2', '--momentum-lag', '0']);
    expect(lines[0]).toContain('5 dates x 12 assets (60 rows), 2 sectors; styles momentum (window 2, half-life 126, lag 0), size;');
    expect(lines[1]).toMatch(/^fit on [34] of 5 dates/);
    await expect(runFactor([file, '--styles', 'value'], () => {})).rejects.toThrow(
      `--styles: expected a style the file has inputs for (no book_price, sales_price or cf_price column in ${file}), got value`,
    );
  });

  it("a Parquet panel (dates as times) gives the CSV panel's fit; --out-format arrow writes Arrow files", async () => {
    const { readTable, writeTable } = await import('../../src/io/index.js');
    const parquet = join(dir, 'panel.parquet');
    await writeTable(parquet, await readTable(example));
    const json = async (args: string[]) => JSON.parse((await run([...args, '--json'])).join('\n'));
    const fromCsv = await json([example, ...MOMENTUM]);
    const fromParquet = await json([parquet, ...MOMENTUM, '--out', `${dir}/arrow/`, '--out-format', 'arrow']);
    expect(fromParquet.read.format).toBe('parquet');
    expect(fromParquet.factors).toEqual(fromCsv.factors);
    expect(fromParquet.last).toEqual(fromCsv.last);
    const written = await readTable(join(dir, 'arrow', 'factor_returns.arrow'));
    expect(written.info?.format).toBe('arrow');
    expect([written.rows, written.names[0], written.names.at(-1)]).toEqual([80, 'date', 'assets']);
  });

  it('bad files and options: a clear message naming the file and line or the flag, and a non-zero exit code', async () => {
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const header = 'date,symbol,sector,returns,market_cap\n';
    const cases: [string[], number, string][] = [
      [
        [write('nosector.csv', 'date,symbol,returns,market_cap\n2024-01-02,A,0.01,100\n')],
        2,
        `nosector.csv: expected a header with a sector column (sector, industry), got "date,symbol,returns,market_cap"`,
      ],
      [
        [write('badnum.csv', `${header}2024-01-02,A,X,0.01,100\n2024-01-02,B,X,abc,100\n`)],
        2,
        'badnum.csv:3:16: expected a number in column returns, got "abc"',
      ],
      [
        [write('badcap.csv', `${header}2024-01-02,A,X,0.01,-5\n`)],
        2,
        'badcap.csv: row 1: expected a number > 0 or an empty field in column market_cap, got -5',
      ],
      [
        [write('twice.csv', `${header}2024-01-02,A,X,0.01,100\n2024-01-02,A,X,0.02,100\n`)],
        2,
        'twice.csv: row 2: expected one row per date and symbol (row 1 has 2024-01-02 A), got a second one',
      ],
      [
        [write('nosymbol.csv', `${header}2024-01-02,,X,0.01,100\n`)],
        2,
        'nosymbol.csv:2:12: expected a value in column symbol, got an empty field',
      ],
      [[write('empty.csv', '')], 2, 'empty.csv: expected a CSV file with a header row, got an empty file'],
      [[write('header.csv', header)], 2, 'header.csv: expected at least one row of data, got a header only'],
      [[join(dir, 'nope.csv')], 1, 'ENOENT'],
      [[example, '--winsorize', '0.7'], 2, '--winsorize: expected a number in [0, 0.5], got "0.7"'],
      [[example, '--momentum-window', '0'], 2, '--momentum-window: expected an integer in [1, 100000], got "0"'],
      [
        [example, '--styles', 'size,quality'],
        2,
        '--styles: expected distinct styles of momentum, size, value, comma-separated, got "size,quality"',
      ],
      [[example, example], 2, 'panel: expected one file, got 2 arguments'],
      [[example, '--bogus'], 2, "unknown option '--bogus'"],
    ];
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m) => void errors.push(String(m)));
    try {
      for (const [args, code] of cases) expect(await main(['factor', ...args]), args.join(' ')).toBe(code);
    } finally {
      spy.mockRestore();
    }
    cases.forEach(([, , message], i) => expect(errors[i]).toContain(message));
    expect(errors[0]).toMatch(/^kernelbus factor: /);
  });
});
