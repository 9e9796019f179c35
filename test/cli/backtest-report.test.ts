/**
 * `kernelbus backtest --report page.html` as a user runs it: the command as a process (only the JSON
 * on stdout, nothing on stderr; a bad flag: one line on stderr, exit 2), then its page in a real
 * headless Chromium (Debian's `chromium`, driven by playwright-core, as test/gateway/browser.test.ts):
 * a section per symbol with the equity and benchmark and the underwater curves drawn (SVG paths), the
 * returns by month (by blocks of 21 bars for a file without dates, and the page says so), as many
 * trade rows as the best combination's trades, a heatmap of fast x slow cells (the pairs colored, the
 * best one marked with its statistic), no console error and no request but the page itself. The
 * screenshot goes to the test's temp dir. With CI=true a missing browser fails the test; locally it is
 * skipped with the reason.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCI } from '../helpers/backends.js';

const CHROMIUM = process.env.KERNELBUS_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SKIP = CHROMIUM || inCI ? undefined : 'chromium not found (apt-get install -y chromium)';
const CLI = fileURLToPath(new URL('../redis-e2e/cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kb-backtest-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `kernelbus <args>` as a process: exit code, stdout, stderr. */
function kernelbus(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

/** Closes of a seeded walk with a cycle (the crossovers trade). */
function walk(seed: number, start: number, n: number): number[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  let p = start;
  return Array.from({ length: n }, (_, i) => (p = Number((p * (1 + 0.02 * (rnd() - 0.5) + 0.004 * Math.sin(i / 12 + seed))).toFixed(4))));
}
const day = (i: number) => new Date(Date.UTC(2023, 0, 2) + i * 86_400_000).toISOString().slice(0, 10);
const bars = join(dir, 'bars.csv');
const SERIES = { AAA: walk(7, 100, 400), BBB: walk(11, 40, 400) };
writeFileSync(
  bars,
  `date,symbol,close\n${Object.entries(SERIES)
    .flatMap(([s, c]) => c.map((x, i) => `${day(i)},${s},${x}`))
    .join('\n')}\n`,
);
const undated = join(dir, 'undated.csv');
writeFileSync(undated, `close\n${SERIES.AAA.join('\n')}\n`);

const FAST = { flag: '2:12', windows: 11 };
const SLOW = { flag: '8:40:2', windows: 17 };

interface Top {
  symbol?: string;
  fast: number;
  slow: number;
  totalTrades: number;
  sharpeRatio: number;
}

/** Opens `path` at 1400x900, recording console errors, page errors and every request but the page's own. */
async function open(browser: Browser, path: string, problems: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const url = pathToFileURL(path).href;
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('request', (r) => void (r.url() !== url && problems.push(`request: ${r.url()}`)));
  await page.goto(url);
  return page;
}

describe('kernelbus backtest as a process', () => {
  it('prints only the JSON on stdout and nothing on stderr; a bad flag: one line on stderr, exit 2', async () => {
    const [ok, bad, sort] = await Promise.all([
      kernelbus(['backtest', bars, '--grid', 'sma-cross', '--fast', FAST.flag, '--slow', SLOW.flag, '--json', '--backend', 'reference']),
      kernelbus(['backtest', bars, '--grid', 'sma-cross', '--fast', '9:3', '--slow', SLOW.flag]),
      kernelbus(['backtest', bars, '--grid', 'sma-cross', '--fast', FAST.flag, '--slow', SLOW.flag, '--sort', 'sharp']),
    ]);
    expect([ok.code, ok.err]).toEqual([0, '']);
    const doc = JSON.parse(ok.out);
    expect(doc.results.length).toBe(2 * doc.grid.pairs);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toMatch(/^kernelbus backtest: --fast: expected windows as start:stop\[:step\] .*, got "9:3"\n$/);
    expect([sort.code, sort.out]).toEqual([2, '']);
    expect(sort.err).toMatch(/^kernelbus backtest: --sort: expected a statistic: .*\(did you mean sharpeRatio\?\), got "sharp"\n$/);
  }, 60_000);
});

(SKIP ? describe.skip : describe)(`the backtest report in headless Chromium${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('chromium not found: apt-get install -y chromium (CI=true: the browser test must run)');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("draws each symbol's best combination: equity, underwater, months, trades and the grid's heatmap", async () => {
    const report = join(dir, 'report.html');
    const r = await kernelbus([
      'backtest',
      bars,
      '--grid',
      'sma-cross',
      '--fast',
      FAST.flag,
      '--slow',
      SLOW.flag,
      '--fees',
      '0.001',
      '--top',
      '1',
      '--json',
      '--report',
      report,
    ]);
    expect([r.code, r.err]).toEqual([0, '']);
    const doc = JSON.parse(r.out) as { top: Top[]; grid: { pairs: number } };
    expect(doc.top.map((t) => t.symbol)).toEqual(['AAA', 'BBB']);
    const page = await open(browser, report, problems);
    const sections = page.locator('section.symbol');
    expect(await sections.count()).toBe(2);
    expect(await page.locator('nav a').allInnerTexts()).toEqual(['AAA', 'BBB']);
    for (const [k, top] of doc.top.entries()) {
      const s = sections.nth(k);
      expect(await s.getAttribute('data-symbol')).toBe(top.symbol);
      expect(await s.locator('h2').textContent()).toBe(`${top.symbol}: fast ${top.fast}, slow ${top.slow}`);
      // the charts: the equity and the benchmark, and the drawdown, each a path of every bar (400 < 2,000 points)
      for (const [id, series] of [
        [`#equity-${k}`, [`sma ${top.fast}/${top.slow}`, 'buy and hold']],
        [`#underwater-${k}`, ['drawdown']],
      ] as const) {
        const chart = s.locator(id);
        expect(await chart.isVisible()).toBe(true);
        expect(await chart.locator('path.line').evaluateAll((ps) => ps.map((p) => p.getAttribute('data-series')))).toEqual(series);
        expect(await chart.locator('path.line').evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('data-points'))))).toEqual(
          series.map(() => 400),
        );
        const box = await chart.boundingBox();
        expect(box!.width).toBeGreaterThan(800);
      }
      // 400 days from 2023-01-02: 14 months over two years, the years' returns in the 13th column
      const returns = s.locator('table.returns');
      expect(await returns.getAttribute('data-by')).toBe('month');
      expect(await returns.locator('td.ret').count()).toBe(14 + 2);
      // one row per trade of the best combination
      const trades = s.locator('table.trades');
      expect(Number(await trades.getAttribute('data-trades'))).toBe(top.totalTrades);
      expect(await trades.locator('tbody tr').count()).toBe(top.totalTrades);
      expect(top.totalTrades).toBeGreaterThan(3);
      // fast x slow cells: the pairs colored, the others grey, the best one marked with its statistic
      const heat = s.locator('svg.heatmap');
      expect(await heat.locator('rect.cell').count()).toBe(FAST.windows * SLOW.windows);
      expect(await heat.locator('rect.cell:not(.na)').count()).toBe(doc.grid.pairs);
      const best = heat.locator('rect.cell.best');
      expect(await best.count()).toBe(1);
      expect([Number(await best.getAttribute('data-fast')), Number(await best.getAttribute('data-slow'))]).toEqual([top.fast, top.slow]);
      expect(Number(await best.getAttribute('data-value'))).toBe(top.sharpeRatio);
      expect(await s.locator('table.stats tr.sorted th').textContent()).toBe('sharpeRatio');
    }
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('a file without dates: returns by blocks of 21 bars, and the page says so', async () => {
    const report = join(dir, 'undated.html');
    const r = await kernelbus([
      'backtest',
      undated,
      '--grid',
      'sma-cross',
      '--fast',
      '2:6',
      '--slow',
      '10:20',
      '--report',
      report,
      '--backend',
      'reference',
    ]);
    expect([r.code, r.err]).toEqual([0, '']);
    const page = await open(browser, report, problems);
    expect(await page.locator('section.symbol').count()).toBe(1);
    expect(await page.locator('table.returns').getAttribute('data-by')).toBe('block');
    expect(await page.locator('table.returns td.ret').count()).toBe(Math.ceil(400 / 21));
    expect(await page.locator('section.symbol').textContent()).toContain('The file has no date column: returns over blocks of 21 bars');
    expect(await page.locator('svg.heatmap rect.cell').count()).toBe(5 * 11);
    expect(await page.locator('table.trades tbody tr').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
