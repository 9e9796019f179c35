/**
 * The page of `kernelbus backtest --file --strategy --report` in a real headless Chromium (Debian's
 * `chromium`, driven by playwright-core, as test/cli/backtest-report.test.ts): the account's and each
 * symbol's section, their value, benchmark and drawdown curves drawn between the days (a 14-day tape:
 * hundreds of points, not 14), what the charts sample and the periods a year said, the months' table, a
 * trade row per exit trade; no console error, no request but the page. With CI=true a missing
 * browser fails the test; locally it is skipped with the reason.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/cli/backtest.js';
import { writeTable } from '../../src/io/index.js';
import { inCI } from '../helpers/backends.js';
import { randomTape } from '../strategy/helpers.js';

const CHROMIUM = process.env.KERNELBUS_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SKIP = CHROMIUM || inCI ? undefined : 'chromium not found (apt-get install -y chromium)';
const dir = mkdtempSync(join(tmpdir(), 'kb-strategy-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

(SKIP ? describe.skip : describe)(`the strategy backtest report in headless Chromium${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('chromium not found: apt-get install -y chromium (CI=true: the browser test must run)');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws the account and each symbol: value, benchmark, drawdown, months, trades', async () => {
    const t = randomTape(20_000, ['AAA', 'BBB'], 60_000, 8);
    const tape = join(dir, 'tape.parquet');
    await writeTable(tape, {
      rows: t.ts.length,
      names: ['ts', 'symbol', 'price', 'volume'],
      columns: { ts: t.ts, symbol: { codes: t.symbols!.codes, values: [...t.symbols!.values] }, price: t.price, volume: t.volume },
      types: { ts: 'time', symbol: 'text', price: 'number', volume: 'number' },
    });
    const strategy = join(dir, 's.mjs');
    writeFileSync(
      strategy,
      `export default { name: 'cross', bars: { by: 'time', threshold: 3600000 },
  indicators: { f: { name: 'ema', timePeriod: 4 }, s: { name: 'ema', timePeriod: 12 } },
  onBar(ctx, bar) {
    const up = ctx.value('f', bar.symbol) > ctx.value('s', bar.symbol);
    if (up && ctx.position(bar.symbol) === 0) ctx.targetPercent(bar.symbol, 0.5);
    if (!up && ctx.position(bar.symbol) > 0) ctx.close(bar.symbol);
  } };
`,
    );
    const report = join(dir, 'report.html');
    const lines: string[] = [];
    expect(
      await runBacktest(['--file', tape, '--strategy', strategy, '--fees', '0.001', '--report', report, '--json'], (l) => lines.push(l)),
    ).toBe(0);
    const doc = JSON.parse(lines.join('\n')) as { fills: { symbol: string }[]; stats: Record<string, { totalTrades: number }> };
    expect(doc.fills.length).toBeGreaterThan(10);

    const problems: string[] = [];
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const url = pathToFileURL(report).href;
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
    page.on('request', (r) => void (r.url() !== url && problems.push(`request: ${r.url()}`)));
    await page.goto(url);
    expect(await page.locator('nav a').allInnerTexts()).toEqual(['total', 'AAA', 'BBB']);
    const sections = page.locator('section.symbol');
    expect(await sections.count()).toBe(3);
    // about 20,000 x 60 s / 86,400 s = 14 days, charted between the days: hundreds of points in every curve
    const points = (paths: Awaited<ReturnType<typeof page.locator>>) =>
      paths.evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('data-points'))));
    const account = await points(sections.nth(0).locator('path.line'));
    expect(account).toHaveLength(2); // equity, drawdown
    for (const n of account) expect(n).toBeGreaterThan(300);
    expect(await page.locator('p.sampling').first().textContent()).toMatch(
      /^The charts: the value after the last trade of each (second|stretch of [^ ]+ [^ ]+) that has one \([\d,]+ points/,
    );
    expect(await page.locator('p.periods').textContent()).toMatch(/the statistics' days, 365 periods a year/);
    for (const [k, symbol] of ['AAA', 'BBB'].entries()) {
      const s = sections.nth(k + 1);
      expect(await s.getAttribute('data-symbol')).toBe(symbol);
      const [value, hold, drawdown, ...more] = await points(s.locator('path.line'));
      expect(more).toEqual([]);
      expect(hold).toBe(value); // one chart: the same points
      expect(value).toBeGreaterThan(300);
      expect(drawdown).toBeGreaterThan(300);
      const box = await s.locator('svg.chart').first().boundingBox();
      expect(box!.width).toBeGreaterThan(500);
      const trades = Number(await s.locator('table.trades').getAttribute('data-trades'));
      expect(await s.locator('table.trades tbody tr').count()).toBe(trades);
      expect(trades).toBe(doc.stats[symbol].totalTrades);
      expect(await s.locator('table.returns td.ret').count()).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(dir, 'strategy-report.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
