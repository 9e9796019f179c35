/**
 * `kernelbus backtest --file <tape> --strategy s.mjs` (issue 69): on a generated three-symbol tape
 * (CSV and Parquet) with a strategy file, the command's fills, positions and statistics equal
 * backtestStrategy() called directly; --json's shape (NaN as null), --out read back, the progress
 * line, the one-line errors (exit 2) and the grid form still answering beside it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBacktest } from '../../src/cli/backtest.js';
import { main } from '../../src/cli/main.js';
import { KernelInputError } from '../../src/errors.js';
import { readTable, writeTable } from '../../src/io/index.js';
import { STAT_FIELDS } from '../../src/kernels/backtest/backtest-stats.js';
import { backtestStrategy, loadAccounts, loadStrategy, strategyMargin } from '../../src/strategy/index.js';
import { randomTape } from '../strategy/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-backtest-strategy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

const tape = randomTape(20_000, ['AAA', 'BBB', 'CCC'], 20_000, 3);
const csv = join(dir, 'tape.csv');
const parquet = join(dir, 'tape.parquet');
const arrow = join(dir, 'tape.arrow');
const strategyFile = join(dir, 'macross.mjs');
writeFileSync(
  strategyFile,
  `export default {
  name: 'macross',
  bars: { by: 'time', threshold: 300_000 },
  indicators: { fast: { name: 'sma', timePeriod: 5 }, slow: { name: 'sma', timePeriod: 20 } },
  onBar(ctx, bar) {
    const f = ctx.value('fast', bar.symbol), s = ctx.value('slow', bar.symbol);
    const f1 = ctx.value('fast', bar.symbol, 1), s1 = ctx.value('slow', bar.symbol, 1);
    if (f > s && f1 <= s1 && ctx.position(bar.symbol) === 0) ctx.targetPercent(bar.symbol, 0.3);
    if (f < s && f1 >= s1) ctx.close(bar.symbol);
  },
};
`,
);
const FLAGS = ['--strategy', strategyFile, '--fees', '0.001', '--slippage', '0.0005', '--init-cash', '10000', '--latency-ms', '250'];
const OPTIONS = { fees: 0.001, slippage: 0.0005, initCash: 10_000, latencyMs: 250 };

beforeAll(async () => {
  const table = {
    rows: tape.ts.length,
    names: ['ts', 'symbol', 'price', 'volume'],
    columns: { ts: tape.ts, symbol: tape.symbols!, price: tape.price, volume: tape.volume },
    types: { ts: 'time', symbol: 'text', price: 'number', volume: 'number' },
  } as const;
  await writeTable(csv, table as never);
  await writeTable(parquet, table as never);
  await writeTable(arrow, table as never);
});

/** The command's --json output. */
async function json(args: string[]): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  expect(await runBacktest([...args, '--json'], (line) => lines.push(line), quiet)).toBe(0);
  return JSON.parse(lines.join('\n'));
}

const nulls = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v]));

describe('kernelbus backtest --file --strategy', () => {
  it('prints the fills, positions and statistics backtestStrategy gives, from CSV, Parquet and Arrow alike', async () => {
    const { strategy, source } = await loadStrategy(strategyFile);
    const direct = backtestStrategy(tape, strategy, { ...OPTIONS, source });
    expect(direct.fills.length).toBeGreaterThan(30);
    const fromCsv = await json(['--file', csv, ...FLAGS]);
    expect(fromCsv.fills).toEqual(direct.fills);
    expect(fromCsv.orders).toEqual(direct.orders);
    expect(fromCsv.positions).toEqual(direct.positions.map((p) => nulls(p as never)));
    expect(Object.keys(fromCsv.stats as object)).toEqual(['AAA', 'BBB', 'CCC', 'total']);
    expect((fromCsv.stats as Record<string, unknown>).total).toEqual(nulls(direct.stats.total as never));
    expect(Object.keys((fromCsv.stats as Record<string, object>).AAA)).toEqual([...STAT_FIELDS]);
    expect(fromCsv).toMatchObject({ trades: tape.ts.length, strategy: { name: 'macross' }, metrics: { errors: 0 } });
    for (const file of [parquet, arrow]) {
      const other = await json(['--file', file, ...FLAGS]);
      expect(other.fills).toEqual(fromCsv.fills);
      expect(other.stats).toEqual(fromCsv.stats);
    }
  });

  it('--accounts and --on-margin-call: the rejections backtestStrategy gives, in --json, the summary and the report', async () => {
    const lever = fileURLToPath(new URL('../../examples/strategy-lever.mjs', import.meta.url));
    const accounts = fileURLToPath(new URL('../../examples/accounts.json', import.meta.url));
    const args = [
      '--file',
      csv,
      '--strategy',
      lever,
      '--init-cash',
      '100000',
      '--allow-short',
      '--accounts',
      accounts,
      '--on-margin-call',
      'reduce',
    ];
    const { strategy, source } = await loadStrategy(lever);
    const margin = strategyMargin(loadAccounts(accounts), 'lever');
    const direct = backtestStrategy(tape, strategy, {
      initCash: 100_000,
      allowShort: true,
      margin,
      onMarginCall: 'reduce',
      source,
      log: quiet,
    });
    expect(new Set(direct.rejections.map((r) => r.reason))).toEqual(new Set(['margin', 'reducing', 'maxOrderNotional']));
    const out = await json(args);
    expect(out.rejections).toEqual(direct.rejections);
    expect(out.fills).toEqual(direct.fills);
    expect(out.metrics).toMatchObject({ rejected: direct.rejections.length, marginCalls: direct.metrics.marginCalls });
    const report = join(dir, 'lever.html');
    const lines: string[] = [];
    expect(await runBacktest([...args, '--report', report], (line) => lines.push(line), quiet)).toBe(0);
    const n = (x: number) => x.toLocaleString('en-US');
    const count = (reason: string) => direct.rejections.filter((r) => r.reason === reason).length;
    expect(lines[0]).toMatch(`${n(direct.rejections.length)} orders rejected (`);
    expect(lines[0]).toMatch(`margin ${n(count('margin'))}`);
    expect(lines[0]).toMatch(`, ${n(direct.metrics.marginCalls)} margin calls`);
    const page = readFileSync(report, 'utf8');
    expect(page).toContain(`${n(direct.rejections.length)} orders refused by the pre-trade checks (`);
    expect(page).toContain(`<td>${direct.rejections[0].orderId}</td>`);
    // the flags' mistakes, before the tape is read
    await expect(runBacktest([...args.slice(0, -1), 'stop'], quiet, quiet)).rejects.toThrow(
      '--on-margin-call: expected reduce, halt, none, got "stop"',
    );
    await expect(runBacktest(['--file', csv, '--strategy', lever, '--on-margin-call', 'halt'], quiet, quiet)).rejects.toThrow(
      '--on-margin-call: expected an --accounts file too (the margin that calls), got no --accounts',
    );
    await expect(runBacktest(['--file', csv, ...FLAGS, '--accounts', accounts], quiet, quiet)).rejects.toThrow(
      `${accounts}: expected an account for strategy 'macross', got accounts of lever, ma-cross only`,
    );
  });

  it('the total statistics are of the account: the symbols P&L add up to it', async () => {
    const out = await json(['--file', csv, ...FLAGS]);
    const stats = out.stats as Record<string, { endValue: number; startValue: number; totalFeesPaid: number }>;
    const pnl = ['AAA', 'BBB', 'CCC'].reduce((sum, s) => sum + stats[s].endValue - 10_000, 0);
    expect(stats.total.startValue).toBe(10_000);
    expect(stats.total.endValue - 10_000).toBeCloseTo(pnl, 6);
    expect(stats.total.endValue).toBeCloseTo(out.equity as number, 9);
    expect(stats.total.totalFeesPaid).toBeCloseTo(
      (out.fills as { fees: number }[]).reduce((s, f) => s + f.fees, 0),
      9,
    );
  });

  it('writes the fills with --out, prints a table, and a progress line', async () => {
    const path = join(dir, 'fills.csv');
    const lines: string[] = [];
    const progress: string[] = [];
    const opts = ['--file', csv, ...FLAGS, '--out', path];
    expect(
      await runBacktest(
        opts,
        (line) => lines.push(line),
        (line) => progress.push(line),
      ),
    ).toBe(0);
    const { fills } = await json(['--file', csv, ...FLAGS]);
    const table = await readTable(path);
    expect(table.names).toEqual(['id', 'orderId', 'strategy', 'symbol', 'ts', 'units', 'price', 'fees']);
    expect(table.rows).toBe((fills as unknown[]).length);
    expect(Array.from(table.columns.price as Float64Array)).toEqual((fills as { price: number }[]).map((f) => f.price));
    expect(lines[0]).toMatch(/^macross on .*tape\.csv: 60,000 trades, [\d,]+ bars, [\d,]+ orders, [\d,]+ fills$/);
    expect(lines.some((l) => /^total\s+\d+\.\d\d/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith(`wrote`) && l.endsWith(path))).toBe(true);
    // every 2^20 trades: none on 60,000
    expect(progress).toEqual([]);
  });

  it('refuses bad flags naming the flag, and a bad strategy file in one line (exit 2)', async () => {
    await expect(runBacktest(['--file', csv], quiet)).rejects.toThrow(new KernelInputError('--strategy', 'a strategy module', 'none'));
    await expect(runBacktest(['--strategy', strategyFile], quiet)).rejects.toThrow(/--file: expected a tape of trades/);
    await expect(runBacktest(['--file', csv, ...FLAGS, '--fees=-1'], quiet)).rejects.toThrow(/--fees: expected a finite number >= 0/);
    await expect(runBacktest(['--file', csv, ...FLAGS, '--participation', '0'], quiet)).rejects.toThrow(/--participation/);
    await expect(runBacktest(['--file', csv, ...FLAGS, '--fill-at', 'open'], quiet)).rejects.toThrow(
      /--fill-at: expected 'next' or 'close'/,
    );
    await expect(runBacktest(['--file', csv, ...FLAGS, '--session', '25:00-26:00'], quiet)).rejects.toThrow(/--session/);
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, `export default {\n  name: 's',\n  bars: { by: 'tick', threshold: 5, size: 3 },\n  onBar() {},\n};\n`);
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await main(['backtest', '--file', csv, '--strategy', bad])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors).toEqual([
      `kernelbus backtest: ${bad}: strategy.bars.size: expected one of type, by, threshold, session, got an unknown bar option`,
    ]);
  });

  it('the grid form still answers: --help of each form', async () => {
    const grid: string[] = [];
    expect(await runBacktest(['--help'], (l) => grid.push(l))).toBe(0);
    expect(grid.join('\n')).toContain('--grid sma-cross');
    expect(grid.join('\n')).toContain('--file <tape> --strategy');
    const strategy: string[] = [];
    expect(await runBacktest(['--file', csv, '--help'], (l) => strategy.push(l))).toBe(0);
    expect(strategy.join('\n')).toContain('--latency-ms n');
  });
});
