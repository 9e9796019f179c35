/**
 * `kernelbus backtest <bars> --grid sma-cross` (issue 68): on a generated file of two symbols, every
 * combination's statistics equal the same backtest computed directly, pair by pair, from single-series
 * calls (sma, crossedAbove, crossedBelow, backtestSignals, backtestStats); the table's best rows, --out
 * (symbols x pairs rows), --json, the ranking (maxDrawdown ascending), the progress lines, the report
 * page's pieces (escaping, monthly and block returns), and the bad flags: a typed error naming the
 * flag, exit 2. The page in a browser: test/cli/backtest-report.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { kernels } from '../../src/api/index.js';
import { formatStat, planGrid, rank, runGrid, runPair, type GridStats, type StatField } from '../../src/cli/backtest-grid.js';
import { blockReturns, escapeHtml, monthlyReturns, underwater } from '../../src/cli/backtest-report.js';
import { runBacktest } from '../../src/cli/backtest.js';
import { main } from '../../src/cli/main.js';
import { KernelInputError } from '../../src/errors.js';
import { describeEachBackend } from '../helpers/backends.js';
import { readTable } from '../../src/io/index.js';
import { isText } from '../../src/io/types.js';
import { STAT_FIELDS, type BacktestStats } from '../../src/kernels/backtest/backtest-stats.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-backtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ref = kernels({ backend: 'reference' });
const quiet = () => {};

const T = 300;
const SYMBOLS = ['AAA', 'BBB'];
/** A seeded walk with a cycle, so that the crossovers trade. */
function walk(seed: number, start: number): Float64Array {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out = new Float64Array(T);
  let p = start;
  for (let i = 0; i < T; i++) out[i] = p = Number((p * (1 + 0.02 * (rnd() - 0.5) + 0.004 * Math.sin(i / 12 + seed))).toFixed(4));
  return out;
}
const closes = { AAA: walk(7, 100), BBB: walk(11, 40) } as Record<string, Float64Array>;
const day = (i: number) => new Date(Date.UTC(2023, 0, 2) + i * 86_400_000).toISOString().slice(0, 10);
const bars = join(dir, 'bars.csv');
writeFileSync(
  bars,
  `date,symbol,open,Close\n${SYMBOLS.flatMap((s) => Array.from(closes[s], (c, i) => `${day(i)},${s},${c},${c}`)).join('\n')}\n`,
);

const FAST = [2, 3, 4, 5, 6, 7, 8, 9, 10];
const SLOW = Array.from({ length: 26 }, (_, i) => 5 + i); // 5..30
const PAIRS = FAST.flatMap((f) => SLOW.filter((s) => f < s).map((s) => [f, s] as const));
const SETTINGS = { fees: 0.001, slippage: 0.0005, initCash: 100 };
const FLAGS = [
  '--grid',
  'sma-cross',
  '--fast',
  '2:10',
  '--slow',
  '5:30',
  '--fees',
  '0.001',
  '--slippage',
  '0.0005',
  '--periods-per-year',
  '252',
];

/** The backtest of one pair from single-series calls: the statistics as numbers. */
function direct(close: Float64Array, fast: number, slow: number): BacktestStats {
  const f = ref.sma(close, { timePeriod: fast });
  const s = ref.sma(close, { timePeriod: slow });
  const result = ref.backtestSignals({ close }, { entries: ref.crossedAbove(f, s), exits: ref.crossedBelow(f, s), ...SETTINGS });
  return ref.backtestStats(result, { periodsPerYear: 252 }) as BacktestStats;
}
const expected = Object.fromEntries(SYMBOLS.map((s) => [s, PAIRS.map(([f, w]) => direct(closes[s], f, w))]));
/** The index of the best pair of a symbol by `field` among those that traded (highest, first in grid order on ties). */
const best = (s: string, field: StatField, lower = false) =>
  expected[s].reduce(
    (b, x, p) =>
      Number.isNaN(x[field]) || x.totalTrades === 0
        ? b
        : b < 0 || (lower ? x[field] < expected[s][b][field] : x[field] > expected[s][b][field])
          ? p
          : b,
    -1,
  );
const json = (x: number) => (Number.isFinite(x) ? x : null);

describe('kernelbus backtest --grid sma-cross', () => {
  it('prints the best combinations per symbol, equal to the pair-by-pair backtest; --out holds symbols x pairs rows', async () => {
    const out = join(dir, 'results.csv');
    const lines: string[] = [];
    const progress: string[] = [];
    const code = await runBacktest(
      [bars, ...FLAGS, '--top', '3', '--out', out, '--backend', 'reference'],
      (l) => lines.push(l),
      (l) => progress.push(l),
    );
    expect(code).toBe(0);
    expect(lines[0]).toBe(
      `600 bars of 2 symbols; sma-cross of ${PAIRS.length} pairs (fast 2..10 (9), slow 5..30 (26)); the 3 best by sharpeRatio (highest first) per symbol`,
    );
    const header = lines[1].split(/\s+/);
    expect(header).toEqual([
      'symbol',
      'fast',
      'slow',
      'totalReturn',
      'sharpeRatio',
      'maxDrawdown',
      'totalTrades',
      'winRate',
      'profitFactor',
    ]);
    const rows = lines.slice(2, 8).map((l) => l.split(/\s+/));
    for (const [k, s] of SYMBOLS.entries()) {
      const b = best(s, 'sharpeRatio');
      const row = rows[3 * k];
      const x = expected[s][b];
      expect(row).toEqual([
        s,
        String(PAIRS[b][0]),
        String(PAIRS[b][1]),
        ...header.slice(3).map((f) => formatStat(f as StatField, x[f as StatField])),
      ]);
      expect(x.totalTrades).toBeGreaterThan(2);
      // the next rows rank lower
      const sharpe = rows.slice(3 * k, 3 * k + 3).map((r) => Number(r[4]));
      expect([...sharpe].sort((a, c) => c - a)).toEqual(sharpe);
    }
    expect(lines.slice(8).join('\n')).toMatch(
      /^time {10}read .* ms, backtests .* ms \(reference backend\)\noptions {7}fees 0\.001, slippage 0\.0005, initial cash 100, 252 bars a year\n/,
    );
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(new RegExp(`^backtest: AAA done \\(${PAIRS.length} pairs x 300 bars, \\d+\\.\\d\\d s\\) \\[1/2\\]$`));
    expect(progress[1]).toMatch(/^backtest: BBB done .* \[2\/2\]$/);

    const t = await readTable(out);
    expect(t.rows).toBe(SYMBOLS.length * PAIRS.length);
    expect(t.names).toEqual(['symbol', 'fast', 'slow', ...STAT_FIELDS]);
    const sym = t.columns.symbol;
    if (!isText(sym)) throw new Error('no symbol column');
    const col = (name: string) => t.columns[name] as Float64Array;
    for (const [k, s] of SYMBOLS.entries()) {
      for (const [p, [f, w]] of PAIRS.entries()) {
        const r = k * PAIRS.length + p;
        expect([sym.values[sym.codes[r]], col('fast')[r], col('slow')[r]]).toEqual([s, f, w]);
      }
      const b = k * PAIRS.length + best(s, 'sharpeRatio');
      for (const f of STAT_FIELDS) expect(col(f)[b], f).toBeCloseTo(expected[s][best(s, 'sharpeRatio')][f], 12);
    }
  });

  it('--json: every combination and the best, equal to the pair-by-pair backtest number for number; nothing else on the log', async () => {
    const lines: string[] = [];
    expect(await runBacktest([bars, ...FLAGS, '--top', '2', '--json', '--backend', 'reference'], (l) => lines.push(l), quiet)).toBe(0);
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]);
    expect(doc).toMatchObject({
      bars: 600,
      grid: { name: 'sma-cross', fast: FAST, slow: SLOW, pairs: PAIRS.length },
      options: { ...SETTINGS, periodsPerYear: 252 },
      sort: 'sharpeRatio',
      symbols: [
        { symbol: 'AAA', bars: 300 },
        { symbol: 'BBB', bars: 300 },
      ],
      backend: 'reference',
    });
    expect(doc.results).toHaveLength(SYMBOLS.length * PAIRS.length);
    const want = SYMBOLS.flatMap((s) =>
      PAIRS.map(([f, w], p) => ({
        symbol: s,
        fast: f,
        slow: w,
        ...Object.fromEntries(STAT_FIELDS.map((k) => [k, json(expected[s][p][k])])),
      })),
    );
    expect(doc.results).toEqual(want);
    expect(doc.top.map((r: { symbol: string; fast: number; slow: number }) => [r.symbol, r.fast, r.slow])).toEqual(
      SYMBOLS.flatMap((s) => {
        const order = rank(statsOf(s), 'sharpeRatio');
        return [0, 1].map((i) => [s, PAIRS[order[i]][0], PAIRS[order[i]][1]]);
      }),
    );
  });

  it('--sort maxDrawdown ranks ascending, any other statistic descending; pairs without trades after the others, NaN last', async () => {
    const lines: string[] = [];
    expect(
      await runBacktest(
        [bars, ...FLAGS, '--top', '1', '--sort', 'maxDrawdown', '--symbols', 'BBB', '--json', '--backend', 'reference'],
        (l) => lines.push(l),
        quiet,
      ),
    ).toBe(0);
    const top = JSON.parse(lines[0]).top;
    const b = best('BBB', 'maxDrawdown', true);
    expect(top).toHaveLength(1);
    expect([top[0].fast, top[0].slow, top[0].maxDrawdown]).toEqual([PAIRS[b][0], PAIRS[b][1], expected.BBB[b].maxDrawdown]);
    const stats = { winRate: Float64Array.of(0.5, NaN, 0.7, 0.5) } as GridStats;
    expect(Array.from(rank(stats, 'winRate'))).toEqual([2, 0, 3, 1]);
    const dd = { maxDrawdown: Float64Array.of(0.2, NaN, 0.1, 0.2) } as GridStats;
    expect(Array.from(rank(dd, 'maxDrawdown'))).toEqual([2, 0, 3, 1]);
    const flat = { sharpeRatio: Float64Array.of(1, Infinity, NaN, 2, Infinity), totalTrades: Float64Array.of(3, 0, 0, 1, 2) } as GridStats;
    expect(Array.from(rank(flat, 'sharpeRatio'))).toEqual([4, 3, 0, 1, 2]);
  });

  it('the grid in chunks of columns equals one call; the best pair run alone equals its column', () => {
    const plan = planGrid('sma-cross', FAST, SLOW);
    const close = closes.AAA;
    const s = { ...SETTINGS, periodsPerYear: 252 };
    const whole = runGrid(ref, close, plan, s);
    const chunked = runGrid(ref, close, plan, s, STAT_FIELDS, T * 17);
    for (const f of STAT_FIELDS) expect(Array.from(chunked[f]!), f).toEqual(Array.from(whole[f]!));
    const p = rank(whole, 'sharpeRatio')[0];
    const alone = runPair(ref, close, plan, p, s);
    for (const f of STAT_FIELDS) expect(alone.stats[f][0], f).toBe(whole[f]![p]);
    expect(alone.result.trades.id.length).toBe(whole.totalTrades![p]);
    // fields asked for alone: those keys only, each equal to the whole set's
    const some = runGrid(ref, close, plan, s, ['maxDrawdown', 'totalTrades'], T * 17);
    expect(Object.keys(some).sort()).toEqual(['maxDrawdown', 'totalTrades']);
    expect(Array.from(some.maxDrawdown!)).toEqual(Array.from(whole.maxDrawdown!));
    expect(Array.from(some.totalTrades!)).toEqual(Array.from(whole.totalTrades!));
  });

  it('a file of one symbol without dates: no symbol column in the table or --out', async () => {
    const one = join(dir, 'one.csv');
    writeFileSync(one, `close\n${Array.from(closes.AAA).join('\n')}\n`);
    const out = join(dir, 'one.jsonl');
    const lines: string[] = [];
    expect(
      await runBacktest(
        [one, '--grid', 'sma-cross', '--fast', '3,5', '--slow', '10:20:5', '--out', out, '--backend', 'reference'],
        (l) => lines.push(l),
        quiet,
      ),
    ).toBe(0);
    expect(lines[1].split(/\s+/).slice(0, 3)).toEqual(['fast', 'slow', 'totalReturn']);
    expect(
      lines
        .slice(2, 8)
        .map((l) => l.trim().split(/\s+/).slice(0, 2).join('/'))
        .sort(),
    ).toEqual(['3/10', '3/15', '3/20', '5/10', '5/15', '5/20']);
    const rows = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(6);
    expect(Object.keys(rows[0]).slice(0, 3)).toEqual(['fast', 'slow', 'startValue']);
  });

  it('bad flags: a typed error naming the flag (exit 2, one line on stderr); a missing close column names the file', async () => {
    const cases: [string[], string, RegExp][] = [
      [['--fast', '5:2'], '--fast', /--fast: expected windows as start:stop\[:step\] .* \(5 > 2\), got "5:2"/],
      [['--fast', '1:5'], '--fast', /got "1:5"/],
      [['--fast', 'x'], '--fast', /got "x"/],
      [['--fast', '20:30', '--slow', '5:20'], '--slow', /--slow: expected a window above a --fast window .*, got up to 20/],
      [['--sort', 'sharpe'], '--sort', /--sort: expected a statistic: .* \(did you mean sharpeRatio\?\), got "sharpe"/],
      [['--grid', 'sma'], '--grid', /--grid: expected sma-cross \| ema-cross \| wma-cross \(did you mean sma-cross\?\), got "sma"/],
      [['--top', '0'], '--top', /--top: expected an integer in \[1, 1000000\], got "0"/],
      [['--fees=-0.1'], '--fees', /--fees: expected a number >= 0, got "-0.1"/],
      [['--init-cash', '0'], '--init-cash', /--init-cash: expected a number > 0, got "0"/],
      [['--report', 'page.txt'], '--report', /--report: expected a file name ending in \.html/],
    ];
    const base = ['--grid', 'sma-cross', '--fast', '2:5', '--slow', '10:12'];
    for (const [flags, argument, message] of cases) {
      const argv = [bars, ...base, ...flags];
      await expect(runBacktest(argv, quiet, quiet), flags.join(' ')).rejects.toMatchObject({ name: 'KernelInputError', argument });
      await expect(runBacktest(argv, quiet, quiet)).rejects.toBeInstanceOf(KernelInputError);
      const errors: string[] = [];
      const spy = vi.spyOn(console, 'error').mockImplementation((m) => void errors.push(String(m)));
      try {
        expect(await main(['backtest', ...argv])).toBe(2);
      } finally {
        spy.mockRestore();
      }
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^kernelbus backtest: /);
      expect(errors[0]).toMatch(message);
    }
    const noClose = join(dir, 'no-close.csv');
    writeFileSync(noClose, 'date,price\n2024-01-01,1\n2024-01-02,2\n');
    await expect(runBacktest([noClose, ...base], quiet, quiet)).rejects.toThrow(
      `${noClose}: expected a number column close (the closes), got columns date, price`,
    );
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m) => void errors.push(String(m)));
    try {
      expect(await main(['backtest', bars, ...base, '--sortt', 'x'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors[0]).toMatch(/^kernelbus backtest: unknown option '--sortt' \(did you mean --sort\?\)/);
  });
});

describe('the report page', () => {
  it('escapes text; computes the drawdown, the monthly returns (the year in column 12) and the blocks of 21 bars', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(Array.from(underwater(Float64Array.of(100, 110, 99, 121)))).toEqual([0, 0, 99 / 110 - 1, 0]);
    const dates = Float64Array.from(['2024-01-30', '2024-01-31', '2024-02-01', '2024-12-31', '2025-01-02'], (d) => Date.parse(d));
    const value = Float64Array.of(101, 102, 98, 120, 90);
    const m = monthlyReturns(value, dates, 100);
    expect(m.rows).toEqual(['2024', '2025']);
    expect(m.cols).toHaveLength(13);
    expect(m.cells).toEqual([
      { row: 0, col: 0, value: 102 / 100 - 1 },
      { row: 0, col: 1, value: 98 / 102 - 1 },
      { row: 0, col: 11, value: 120 / 98 - 1 },
      { row: 1, col: 0, value: 90 / 120 - 1 },
      { row: 0, col: 12, value: 120 / 100 - 1 },
      { row: 1, col: 12, value: 90 / 120 - 1 },
    ]);
    const b = blockReturns(
      Float64Array.from({ length: 50 }, (_, i) => 100 + i),
      100,
      21,
    );
    expect(b.cells).toEqual([
      { row: 0, col: 0, value: 120 / 100 - 1 },
      { row: 0, col: 1, value: 141 / 120 - 1 },
      { row: 0, col: 2, value: 149 / 141 - 1 },
    ]);
  });

  it('the page of a symbol whose name holds markup shows it escaped, with no script and no address outside the page', async () => {
    const named = join(dir, 'named.csv');
    writeFileSync(named, `date,symbol,close\n${Array.from(closes.BBB, (c, i) => `${day(i)},"<script>x&y</script>",${c}`).join('\n')}\n`);
    const page = join(dir, 'named.html');
    expect(
      await runBacktest(
        [named, '--grid', 'ema-cross', '--fast', '2:4', '--slow', '5:8', '--report', page, '--backend', 'reference'],
        quiet,
        quiet,
      ),
    ).toBe(0);
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;x&amp;y&lt;/script&gt;: fast ');
    expect(html.match(/(?:src|href)="(?!#)[^"]*"/g) ?? []).toEqual([]);
    expect(html).toContain("default-src 'none'");
  });
});

/** The expected statistics of a symbol as GridStats (for rank). */
function statsOf(s: string): GridStats {
  return Object.fromEntries(STAT_FIELDS.map((f) => [f, Float64Array.from(expected[s], (x) => x[f])])) as GridStats;
}

describeEachBackend(
  'kernelbus backtest --backend',
  (_k, name, supports) => {
    it.runIf(supports('sma', 'crossedAbove', 'crossedBelow', 'backtestSignals'))(
      `gives the reference's statistics on ${name}`,
      async () => {
        const lines: string[] = [];
        expect(await runBacktest([bars, ...FLAGS, '--json', '--backend', name], (l) => lines.push(l), quiet)).toBe(0);
        const doc = JSON.parse(lines[0]);
        expect(doc.backend).toBe(name);
        for (const [k, s] of SYMBOLS.entries()) {
          for (const [p] of PAIRS.entries()) {
            const row = doc.results[k * PAIRS.length + p];
            for (const f of STAT_FIELDS) {
              const want = json(expected[s][p][f]);
              if (want === null || row[f] === null) expect(row[f], `${s} ${p} ${f}`).toBe(want);
              else expect(Math.abs(row[f] - want), `${s} ${p} ${f}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
            }
          }
        }
      },
    );
  },
  'backtest',
);
