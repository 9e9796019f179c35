/**
 * The page of `kernelbus backtest --file --strategy --report`: a section for the account and one per
 * symbol (names escaped), a trade row per exit trade of the symbol, a value point per day, the
 * statistics of the run; the flag's errors. The page in a browser: test/cli/strategy-report-browser.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/cli/backtest.js';
import { strategyReport } from '../../src/cli/strategy-report.js';
import { backtestStrategy } from '../../src/strategy/index.js';
import { maCross, randomTape } from '../strategy/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-strategy-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('strategyReport', () => {
  it('a section for the account and each symbol, its trades, a point a day, names escaped', () => {
    const tape = randomTape(30_000, ['A<1>', 'B&2'], 20_000, 5);
    const run = backtestStrategy(tape, maCross(5, 20, 600_000), { initCash: 1000, fees: 0.001 });
    const series = run.series!;
    expect(series.days.length).toBeGreaterThan(5);
    expect(series.trades.id.length).toBeGreaterThan(10);
    const page = strategyReport({
      input: 'tape <x>.csv',
      strategy: 'macross',
      settings: { fees: 0.001 },
      symbols: ['A<1>', 'B&2'],
      series,
      stats: run.stats,
      initCash: 1000,
    });
    expect(page).not.toContain('<x>');
    expect(page).toContain('tape &lt;x&gt;.csv');
    const sections = [...page.matchAll(/<section class="symbol" id="section-(\w+)" data-symbol="([^"]*)">/g)].map((m) => [m[1], m[2]]);
    expect(sections).toEqual([
      ['total', 'total (the account)'],
      ['0', 'A&lt;1&gt;'],
      ['1', 'B&amp;2'],
    ]);
    // each symbol's trades: a row per exit trade of its column
    const trades = [...page.matchAll(/<table class="trades" data-trades="(\d+)">/g)].map((m) => Number(m[1]));
    const perColumn = [0, 1].map((k) => Array.from(series.trades.col).filter((c) => c === k).length);
    expect(trades).toEqual(perColumn);
    // the account's equity: a point a day
    expect(page).toMatch(new RegExp(`<path class="line" data-series="equity" data-points="${series.days.length}"`));
    expect(page).toContain(`<tr><th>totalTrades</th><td>${run.stats.total.totalTrades}</td></tr>`);
  });

  it('is written by --report, and refuses another extension', async () => {
    const tape = join(dir, 'tape.csv');
    const strategy = join(dir, 's.mjs');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      tape,
      `ts,symbol,price,volume\n${Array.from({ length: 600 }, (_, i) => `${1_700_000_000_000 + i * 600_000},S,${100 + Math.sin(i / 9)},1`).join('\n')}\n`,
    );
    writeFileSync(
      strategy,
      `export default { name: 's', bars: { by: 'tick', threshold: 3 }, onBar(ctx, bar) { if (bar.index % 4 === 0) ctx.order('S', bar.index % 8 === 0 ? 0.1 : -0.1); } };\n`,
    );
    const report = join(dir, 'page.html');
    const lines: string[] = [];
    expect(
      await runBacktest(
        ['--file', tape, '--strategy', strategy, '--report', report],
        (l) => lines.push(l),
        () => {},
      ),
    ).toBe(0);
    expect(lines.at(-1)).toBe(`wrote     ${report}`);
    expect(readFileSync(report, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*<h1>kernelbus backtest s: /);
    await expect(runBacktest(['--file', tape, '--strategy', strategy, '--report', join(dir, 'page.pdf')], () => {})).rejects.toThrow(
      /--report: expected a file name ending in .html/,
    );
  });
});
