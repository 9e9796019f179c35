/**
 * Reports that know their bars (issue 88): `kernelbus backtest` on a 2-day tape of 1-minute bars (the
 * grid) and of trades (a strategy) infers the periods a year from the timestamps (98,280 for 1-minute
 * bars of 6.5-hour weekday sessions, 252 days for the strategy's daily statistics; vectorbt's calendar
 * year with --year calendar; --periods-per-year overrides) and says so in the summary, --json and the
 * report; the strategy's report charts intraday points; durations carry units; the heatmap has a legend.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/cli/backtest.js';
import { strategyReport } from '../../src/cli/strategy-report.js';
import { backtestStrategy } from '../../src/strategy/index.js';
import { maCross } from '../strategy/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-report-periods-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

const MIN = 60_000;
/** Thursday 2024-01-11 and Friday 2024-01-12, 14:30 UTC: the sessions' opens. */
const OPENS = [Date.UTC(2024, 0, 11, 14, 30), Date.UTC(2024, 0, 12, 14, 30)];

/** A seeded walk with a cycle (the crossovers trade). */
function walk(seed: number, n: number, start = 100): number[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  let p = start;
  return Array.from({ length: n }, (_, i) => (p = Number((p * (1 + 0.002 * (rnd() - 0.5) + 0.0008 * Math.sin(i / 15))).toFixed(4))));
}

// the grid's bars: two symbols, 390 1-minute bars a session, two sessions
const bars = join(dir, 'minutes.csv');
writeFileSync(
  bars,
  `ts,symbol,close\n${['AAA', 'BBB']
    .flatMap((symbol, k) => {
      const close = walk(7 + k, 780);
      return close.map((c, i) => `${new Date(OPENS[Math.floor(i / 390)] + (i % 390) * MIN).toISOString()},${symbol},${c}`);
    })
    .join('\n')}\n`,
);
const GRID = ['--grid', 'sma-cross', '--fast', '2:6', '--slow', '10:30:5', '--backend', 'reference'];

// the strategy's tape: a trade of each symbol every 10 s of the two sessions
const tapeFile = join(dir, 'tape.csv');
const tapeRows = ['ts,symbol,price,volume'];
for (const [k, symbol] of ['AAA', 'BBB'].entries()) {
  const price = walk(3 + k, 2 * 2340);
  price.forEach((p, i) => tapeRows.push(`${OPENS[Math.floor(i / 2340)] + (i % 2340) * 10_000 + k},${symbol},${p},10`));
}
writeFileSync(tapeFile, `${tapeRows.join('\n')}\n`);
const strategyFile = join(dir, 'cross.mjs');
writeFileSync(
  strategyFile,
  `export default {
  name: 'cross',
  bars: { by: 'time', threshold: 60000 },
  indicators: { fast: { name: 'sma', timePeriod: 3 }, slow: { name: 'sma', timePeriod: 12 } },
  onBar(ctx, bar) {
    const f = ctx.value('fast', bar.symbol), s = ctx.value('slow', bar.symbol);
    if (f > s && ctx.position(bar.symbol) === 0) ctx.targetPercent(bar.symbol, 0.5);
    if (f < s && ctx.position(bar.symbol) > 0) ctx.close(bar.symbol);
  },
};
`,
);

/** The command's --json document. */
async function json(args: string[]): Promise<Record<string, any>> {
  const lines: string[] = [];
  expect(await runBacktest([...args, '--json'], (l) => lines.push(l), quiet)).toBe(0);
  return JSON.parse(lines.join('\n'));
}

describe('the grid on 1-minute bars', () => {
  it('infers 98,280 periods a year (252 x 390), 525,600 with --year calendar; --periods-per-year overrides', async () => {
    const trading = await json([bars, ...GRID]);
    expect(trading.options.periodsPerYear).toBe(98_280);
    expect(trading.periods).toMatchObject({
      periodsPerYear: 98_280,
      source: 'inferred',
      year: 'trading',
      bars: '1-minute bars',
      spacingMs: MIN,
      trading: 98_280,
      calendar: 525_600,
    });
    const calendar = await json([bars, ...GRID, '--year', 'calendar']);
    expect(calendar.periods).toMatchObject({ periodsPerYear: 525_600, year: 'calendar' });
    // the Sharpe ratio scales with the square root of the periods
    const [a, b] = [trading.results[0].sharpeRatio, calendar.results[0].sharpeRatio];
    expect(b / a).toBeCloseTo(Math.sqrt(525_600 / 98_280), 9);
    const given = await json([bars, ...GRID, '--periods-per-year', '252']);
    expect(given.periods).toMatchObject({ periodsPerYear: 252, source: 'given' });
    await expect(runBacktest([bars, ...GRID, '--year', 'lunar'], quiet)).rejects.toThrow(
      /--year: expected trading or calendar, got "lunar"/,
    );
  });

  it('says the periods in its summary, durations with units; the report says them and has a colour legend', async () => {
    const report = join(dir, 'grid.html');
    const lines: string[] = [];
    expect(
      await runBacktest([bars, ...GRID, '--sort', 'maxDrawdownDuration', '--top', '1', '--report', report], (l) => lines.push(l), quiet),
    ).toBe(0);
    expect(lines).toContain(
      "periods       1-minute bars, 98,280 periods a year: a trading year of 252 days (sessions of 6 h 30 min; no weekend in the tape) x 390 bars (--year calendar for vectorbt's 365 days / 1 min = 525,600; inferred from the timestamps; --periods-per-year to set it)",
    );
    // the sorted duration in the table: time and bars
    expect(lines[2]).toMatch(/ \d+ (h|min)[ \d\w]* \(\d+ bars\) /);
    const page = readFileSync(report, 'utf8');
    expect(page).toMatch(
      /<p class="periods">Periods a year of the Sharpe, Sortino and Calmar ratios: 1-minute bars, 98,280 periods a year/,
    );
    expect(page).toMatch(/<tr class="sorted"><th>maxDrawdownDuration<\/th><td>\d+ (h|min)[^<]* \(\d+ bars\)<\/td>/);
    expect(page).toContain('<p class="note sampling">The charts: every one of its 780 bars.</p>');
    // a legend per heatmap: ten steps of colour, the worst, middle and best values, the swatches
    const legends = [...page.matchAll(/<g class="legend" data-lo="([^"]+)" data-hi="([^"]+)">([\s\S]*?)<\/g>/g)];
    expect(legends).toHaveLength(2);
    for (const [, lo, hi, body] of legends) {
      expect(Number(lo)).toBeLessThanOrEqual(Number(hi));
      expect(body.match(/class="legend-step"/g)).toHaveLength(10);
      expect(body).toMatch(/maxDrawdownDuration \(lower is better\): red worse, green better/);
      expect(body).toMatch(/class="tick legend-lo"[^>]*>\d+ (h|min)[^<]*\(\d+ bars\)</);
      expect(body).toContain('>NaN<');
      expect(body).toContain('no pair (fast &gt;= slow)');
    }
  });
});

describe('a strategy on a 2-day tape of trades', () => {
  it('annualizes its daily statistics by 252 days (no weekend, 6.5-hour sessions), 365 with --year calendar', async () => {
    const doc = await json(['--file', tapeFile, '--strategy', strategyFile]);
    expect(doc.periods).toMatchObject({ periodsPerYear: 252, source: 'inferred', period: 'day', daysPerYear: 252 });
    expect(doc.periods.text).toMatch(
      /^the statistics' days, 252 periods a year: a trading year of 252 days, sessions of 6 h 30 min; no weekend in the tape/,
    );
    const calendar = await json(['--file', tapeFile, '--strategy', strategyFile, '--year', 'calendar']);
    expect(calendar.periods.periodsPerYear).toBe(365);
    const s = doc.stats.total.sharpeRatio;
    expect(Number.isFinite(s)).toBe(true);
    expect(calendar.stats.total.sharpeRatio / s).toBeCloseTo(Math.sqrt(365 / 252), 9);
  });

  it('its report charts intraday points and says how; durations in days; the summary says the periods', async () => {
    const report = join(dir, 'strategy.html');
    const lines: string[] = [];
    expect(await runBacktest(['--file', tapeFile, '--strategy', strategyFile, '--report', report], (l) => lines.push(l), quiet)).toBe(0);
    expect(lines.some((l) => l.startsWith("periods   the statistics' days, 252 periods a year"))).toBe(true);
    const page = readFileSync(report, 'utf8');
    // two days, 4,680 points, drawn by stretches of 8 (each its first, lowest and highest)
    const points = Number(/<path class="line" data-series="equity" data-points="(\d+)"/.exec(page)![1]);
    expect(points).toBeGreaterThan(500);
    const drawdown = Number(/<path class="line" data-series="drawdown" data-points="(\d+)"/.exec(page)![1]);
    expect(drawdown).toBeGreaterThan(500);
    expect(page).toMatch(
      /<p class="note sampling">The charts: the value after the last trade of each second that has one \(4,680 points: the shortest stretch/,
    );
    expect(page).toMatch(
      /<p class="periods">Periods a year of the Sharpe, Sortino and Calmar ratios: the statistics&#39; days, 252 periods a year/,
    );
    expect(page).toMatch(/<tr><th>maxDrawdownDuration<\/th><td>(\d+ days?|-)<\/td><\/tr>/);
  });

  it('strategyReport without the tape: a point a day, said', () => {
    const tape = {
      ts: new Float64Array([OPENS[0], OPENS[0] + MIN, OPENS[1]]),
      price: Float64Array.of(10, 11, 12),
      volume: Float64Array.of(1, 1, 1),
    };
    const run = backtestStrategy(tape, maCross(2, 3, 60_000), { initCash: 100 });
    const page = strategyReport({
      input: 't',
      strategy: 's',
      settings: {},
      symbols: ['symbol'],
      series: run.series!,
      stats: run.stats,
      initCash: 100,
    });
    expect(page).toContain('<p class="note sampling">The charts: a point a day (its last value), drawn as every one of its 2 points.</p>');
  });
});
