/**
 * The dashboard page in a real headless Chromium (Debian's `chromium`, driven by playwright-core with
 * its executable path): `kernelbus demo --dashboard` as a child process, the page opened at 1280x800,
 * and the DOM checked as a person would look at it: the throughput figure > 0 and the message count
 * rising, one row per symbol, an alerting symbol highlighted once the demo raised a RISK_ALERT for it,
 * a click on a symbol drawing its chart (pixels on the canvas), the demo's portfolios in the VaR panel
 * (its three fixed ones, the portfolio engine's two, the example strategy's book) and the strategies panel (the
 * example strategy's equity, drawdown, positions and fills, live and from the history); then the demo killed and started again on the same port: the page reconnects and fills
 * again. The same page over `kernelbus gateway` on Redis, with an engine process and a feed: the
 * feed's symbols, the engine's heartbeat and its consumer groups' lag; the gateway restarted on its
 * port: the page reconnects. Any console error or failed request fails the test. The screenshot goes to the test's temp
 * dir, and to docs/images/dashboard.png with KERNELBUS_DOCS_SCREENSHOT=1 (`npm run docs:screenshots`).
 * The page over an in-process gateway fed each alert kind: the alert list's lines and the portfolio
 * rows' marks (a backtest alert by its zone, not as a limit breach). A risk engine's GARCH VaR and its
 * backtest in the portfolio rows (their columns shown once there is one), live and from the history.
 * With CI=true a missing browser fails the test; locally it is skipped with the reason.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { RiskEngine } from '../../src/engines/index.js';
import { createGateway } from '../../src/gateway/index.js';
import { ASSETS, PORTFOLIOS, row, seededReturns } from '../engines/risk-helpers.js';
import { garchMarks } from '../../web/alerts.js';
import { REDIS_SERVER, RedisServer } from '../../tools/redis-server.js';
import { Command, killAll } from '../redis-e2e/helpers.js';
import { TestClient, until } from './helpers.js';

const CHROMIUM = process.env.KERNELBUS_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const SKIP = CHROMIUM || process.env.CI === 'true' ? undefined : 'chromium not found (apt-get install -y chromium)';
const SYMBOLS = 20;
const DASHBOARD = /^dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/) /m;
const T0 = 1_700_000_000_000;

/** `kernelbus demo --dashboard` on `port` (0: a free one) until killed; resolves with its page URL. */
async function demo(port: number): Promise<{ command: Command; url: string; port: number }> {
  const command = new Command(['demo', '--dashboard', String(port), '--symbols', String(SYMBOLS), '--rate', '20000', '--seed', '3']);
  const m = await command.waitFor(DASHBOARD);
  return { command, url: m[1], port: Number(m[2]) };
}

/** A page at 1280x800 that records console errors, page errors, failed requests and HTTP errors in `problems`. */
async function open(browser: Browser, url: string, problems: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => void problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`)));
  await page.goto(url);
  await page.waitForSelector('body[data-state="connected"]');
  return page;
}

/** The problems but the refused WebSocket connections of a restart (the page's retries while the server is down). */
const unexpected = (problems: string[]) =>
  problems.filter((p) => !/WebSocket connection to .* failed/.test(p) && !/ERR_CONNECTION_REFUSED/.test(p));

const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent()) ?? '';
const number = async (page: Page, selector: string) => Number((await text(page, selector)).replaceAll(',', ''));

(SKIP ? describe.skip : describe)(`dashboard page in headless Chromium${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let browser: Browser;
  const problems: string[] = [];
  let redis: RedisServer | undefined;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('chromium not found: apt-get install -y chromium (CI=true: the browser test must run)');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await killAll();
    await redis?.stop();
  });

  it('demo --file: a recorded tape in the page: its 8 symbols, VPIN figures, the portfolios; the page stays after the tape ends', async () => {
    const command = new Command(['demo', '--file', 'examples/tape.csv', '--speed', '20000', '--dashboard', '0']);
    const url = (await command.waitFor(DASHBOARD))[1];
    const page = await open(browser, url, problems);
    const TAPE = ['AAPL', 'AMZN', 'GOOG', 'JPM', 'META', 'MSFT', 'NVDA', 'TSLA'];
    const keys = async () =>
      (await page.locator('#symbols tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).sort();
    await until(async () => (await keys()).length === TAPE.length, "the tape's symbol rows", 20_000);
    expect(await keys()).toEqual(TAPE);
    // five portfolios and the example strategy's book
    await until(async () => (await page.locator('#portfolios tbody tr').count()) === 6, 'the portfolios', 20_000);
    // every symbol gets about 200 buckets of 1/200 of its volume (the last bar closes at the end), VPIN from bucket 50 on
    const cells = async (n: number) => await page.locator(`#symbols tbody tr td:nth-child(${n})`).allInnerTexts();
    await until(async () => (await cells(4)).every((b) => Number(b) >= 190), "every symbol's buckets", 60_000);
    expect((await cells(2)).every((v) => Number(v) > 0 && Number(v) < 1)).toBe(true);
    // the features engine's last bar (its close) and the day's realized volatility per symbol
    expect((await cells(6)).every((v) => Number(v) > 10)).toBe(true);
    expect((await cells(7)).every((v) => /^\d+\.\d\d%$/.test(v) && Number.parseFloat(v) > 0)).toBe(true);
    await command.waitFor(/^tape replayed \(5,200 trades\); the dashboard stays up until SIGINT$/m, 60_000);
    await page.waitForTimeout(500);
    expect(await page.locator('body').getAttribute('data-state')).toBe('connected');
    expect(unexpected(problems)).toEqual([]);
    command.kill('SIGINT');
    expect(await command.exited).toBe(0);
    expect(command.out).toMatch(/trades published\s+5,200 of 8 symbols replayed from examples\/tape\.csv/);
    await page.close();
  }, 120_000);

  it('opened after a replay ended, the page draws the past the gateway kept: throughput, latency, every history', async () => {
    const command = new Command(['demo', '--file', 'examples/tape.csv', '--dashboard', '0']);
    const url = (await command.waitFor(DASHBOARD))[1];
    await command.waitFor(/^tape replayed \(5,200 trades\); the dashboard stays up until SIGINT$/m, 60_000);
    const page = await open(browser, url, problems);
    const points = async (selector: string) =>
      page.locator(selector).evaluateAll((canvases) => canvases.map((c) => Number(c.getAttribute('data-points') ?? 0)));
    // the stats of the replay (a second or two at speed max), and every symbol's and portfolio's VPIN and VaR history
    await until(async () => (await points('#throughput-chart'))[0] >= 2, 'the throughput chart', 20_000);
    expect((await points('#latency-chart'))[0]).toBeGreaterThanOrEqual(2);
    await until(async () => (await points('#symbols canvas.spark')).length === 8, "the tape's symbol rows", 20_000);
    expect(await points('#symbols canvas.spark')).toEqual(Array(8).fill(60));
    // the last bar and the day's volatility come with the gateway's last values
    const cells = async (n: number) => await page.locator(`#symbols tbody tr td:nth-child(${n})`).allInnerTexts();
    expect((await cells(7)).every((v) => /^\d+\.\d\d%$/.test(v))).toBe(true);
    expect((await points('#portfolios canvas.pspark')).every((n) => n >= 2 * 60)).toBe(true);
    // the example strategy from the history: its equity curve and drawdown, positions and last fills
    const strategy = '#strategies .strategy[data-strategy="vpin-ma-cross"]';
    await until(async () => (await page.locator(strategy).count()) === 1, "the strategy's panel", 20_000);
    expect((await points(`${strategy} canvas.equity`))[0]).toBeGreaterThanOrEqual(2);
    expect((await points(`${strategy} canvas.drawdown`))[0]).toBe((await points(`${strategy} canvas.equity`))[0]);
    expect(await page.locator(`${strategy} table.positions tbody tr`).count()).toBeGreaterThan(0);
    expect(await page.locator(`${strategy} ul.fills li`).count()).toBe(12);
    expect(await text(page, `${strategy} h3`)).toMatch(
      /^vpin-ma-cross\s*equity [\d,]+\.\d\d\s*P&L [+-][\d,]+\.\d\d\s*max drawdown -?\d+\.\d\d%\s*orders [\d,]+\s*fills [\d,]+/,
    );
    expect(await page.locator('#no-strategy').isVisible()).toBe(false);
    // the demo account's margin (its Collateral engine) from the history: its excess after each update, its row
    await until(async () => (await page.locator('#accounts tbody tr[data-account="demo"]').count()) === 1, 'the margin panel', 20_000);
    expect((await points('#margin-chart'))[0]).toBeGreaterThanOrEqual(2);
    expect(await text(page, '#accounts tbody tr[data-account="demo"]')).toMatch(
      /^demo\s*[\d,]+\.\d\d\s*[+-][\d,]+\.\d\d\s*[\d,]+\.\d\d\s*[+-][\d,]+\.\d\d\s*\d+$/,
    );
    expect(await page.locator('#no-account').isVisible()).toBe(false);
    await page.locator('#symbols tbody tr[data-key="AAPL"]').click();
    await until(async () => /^AAPL: VPIN and CDF over its last \d+ buckets$/.test(await text(page, '#detail-title')), 'the detail chart');
    expect(Number(/last (\d+) buckets/.exec(await text(page, '#detail-title'))![1])).toBe(120);
    expect(await page.locator('#alerts li').count()).toBeGreaterThan(0);
    expect(unexpected(problems)).toEqual([]);
    command.kill('SIGINT');
    expect(await command.exited).toBe(0);
    await page.close();
  }, 120_000);

  it('shows live throughput, symbols, alerts, a symbol chart and the portfolios; reconnects when the server restarts', async () => {
    const t0 = performance.now();
    const first = await demo(0);
    // A plain client of the same gateway tells which symbol alerted.
    const watcher = new TestClient(`${first.url.replace('http', 'ws')}ws`);
    await watcher.opened;
    await watcher.request({ subscribe: ['RISK_ALERT'] });

    const page = await open(browser, first.url, problems);

    // Throughput > 0, and the message count rises.
    await until(async () => (await number(page, '#throughput')) > 0, 'a throughput figure');
    const before = await number(page, '#messages');
    await until(async () => (await number(page, '#messages')) > before, 'the message count to rise', 5000);
    expect(await number(page, '#throughput')).toBeGreaterThan(1000);

    // One row per symbol.
    await until(async () => (await page.locator('#symbols tbody tr').count()) === SYMBOLS, `${SYMBOLS} symbol rows`);
    expect(await page.locator('#symbols tbody tr td:first-child').allInnerTexts()).toHaveLength(SYMBOLS);

    // An alerting symbol is highlighted.
    await until(() => watcher.messages.some((m) => m.payload.source === 'vpin'), 'a VPIN alert', 30_000);
    const alerted = watcher.messages.find((m) => m.payload.source === 'vpin')!.key;
    await page.waitForSelector(`#symbols tr.alert[data-key="${alerted}"]`, { timeout: 3000 });

    // Sorted by symbol (a click on the header), a click on a symbol draws its VPIN and CDF chart.
    await page.locator('#symbols th[data-sort="key"]').click();
    await until(async () => (await text(page, '#symbols tbody tr td:first-child')) === 'SYM000', 'the rows sorted by symbol');
    const key = 'SYM003';
    await page.locator(`#symbols tr[data-key="${key}"]`).click();
    await until(async () => (await text(page, '#detail-title')).startsWith(`${key}: VPIN and CDF`), 'the detail title');
    const inked = await page.evaluate<{ n: number; of: number }>(`(() => {
      const c = document.getElementById('detail-chart');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return { n, of: c.width * c.height };
    })()`);
    expect(inked.n).toBeGreaterThan(500);
    expect(inked.n).toBeLessThan(inked.of / 2);

    // The VaR panel lists the demo's portfolios: its three fixed ones, the portfolio engine's two and the strategy's book.
    const DEMO_PORTFOLIOS = ['concentrated', 'equal-weight', 'long-short', 'min-variance', 'risk-parity', 'strategy:vpin-ma-cross'];
    const portfolios = async () =>
      await Promise.all((await page.locator('#portfolios tbody tr').all()).map((r) => r.getAttribute('data-key')));
    await until(async () => (await portfolios()).length === DEMO_PORTFOLIOS.length, "the demo's portfolios");
    expect(await portfolios()).toEqual(DEMO_PORTFOLIOS);
    await until(async () => /%$/.test(await text(page, '#portfolios tbody tr td:nth-child(2)')), 'a VaR figure');
    await until(async () => (await text(page, '#r2')) !== '-', 'the factor R2');
    // The strategies panel: the example strategy's fills and positions as they come.
    const strategy = '#strategies .strategy[data-strategy="vpin-ma-cross"]';
    await until(async () => (await page.locator(`${strategy} ul.fills li`).count()) > 0, "the strategy's first fills");
    expect(await page.locator(`${strategy} table.positions tbody tr`).count()).toBeGreaterThan(0);

    const dir = mkdtempSync(join(tmpdir(), 'kernelbus-dashboard-'));
    await page.screenshot({ path: join(dir, 'dashboard.png') });
    if (process.env.KERNELBUS_DOCS_SCREENSHOT === '1') {
      // For the README: half a minute of history in the charts.
      await page.waitForTimeout(30_000);
      await page.screenshot({ path: resolve(import.meta.dirname, '..', '..', 'docs', 'images', 'dashboard.png'), fullPage: true });
    }
    // Readable on a phone: one column, no sideways scrolling of the page.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(1100);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(dir, 'dashboard-phone.png'), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });

    // The server goes away: the page says so and retries; a new one on the same port: it reconnects and fills again.
    watcher.close();
    first.command.kill('SIGKILL');
    await first.command.exited;
    await page.waitForSelector('body[data-state="reconnecting"]', { timeout: 5000 });
    const second = await demo(first.port);
    await page.waitForSelector('body[data-state="connected"]', { timeout: 15_000 });
    await until(async () => (await page.locator('#symbols tbody tr').count()) === SYMBOLS, 'the rows after reconnecting');
    const after = await number(page, '#messages');
    await until(async () => (await number(page, '#messages')) > after, 'the message count to rise again', 5000);
    second.command.kill('SIGINT');
    expect(await second.command.exited).toBe(0);

    expect(unexpected(problems)).toEqual([]);
    await page.close();
    console.log(`[browser] dashboard test ${((performance.now() - t0) / 1000).toFixed(1)} s; screenshots in ${dir}`);
  });

  it('says what each alert kind is: a backtest alert by its zone and exceptions, its row marked by zone, not as a breach', async () => {
    const bus = createBus();
    const gateway = await createGateway(bus, { port: 0 });
    const problems: string[] = [];
    try {
      const page = await open(browser, gateway.url, problems);
      const result = (v: number, limit: number, backtest: Record<string, unknown>) => ({
        source: 'risk',
        engine: 'risk',
        universe: 'u',
        rows: 300,
        confidence: 0.99,
        historical: { var: v, es: v * 1.2 },
        gaussian: { var: v, es: v * 1.2 },
        volatility: v / 2.33,
        limit,
        backtest: {
          realized: 0,
          var: v,
          exception: false,
          kupiecPValue: 0.1,
          independencePValue: 0.5,
          christoffersenPValue: 0.2,
          ...backtest,
        },
      });
      const alert = { source: 'risk', engine: 'risk', universe: 'u', confidence: 0.99, rows: 300 };
      await bus.publish('ANALYTICS_RESULT', {
        key: 'min-variance',
        payload: result(0.00087, 0.002, { zone: 'yellow', exceptions: 6, observations: 250, window: 250 }),
      });
      await bus.publish('RISK_ALERT', {
        key: 'min-variance',
        payload: { ...alert, var: 0.00087, limit: 0.002, reason: 'backtest', zone: 'yellow', exceptions: 6, observations: 250 },
      });
      await bus.publish('ANALYTICS_RESULT', {
        key: 'concentrated',
        payload: result(0.025, 0.02, { zone: 'green', exceptions: 2, observations: 250, window: 250 }),
      });
      await bus.publish('RISK_ALERT', { key: 'concentrated', payload: { ...alert, var: 0.025, limit: 0.02 } });
      await bus.publish('ANALYTICS_RESULT', {
        key: 'equal-weight',
        payload: result(0.01, 0.05, { zone: 'red', exceptions: 11, observations: 250, window: 250 }),
      });
      await bus.publish('RISK_ALERT', {
        key: 'equal-weight',
        payload: { ...alert, var: 0.01, limit: NaN, reason: 'backtest', zone: 'red', exceptions: 11, observations: 250 },
      });
      await bus.publish('RISK_ALERT', {
        key: 'SYM001',
        payload: { source: 'vpin', engine: 'vpin', bucket: 57, vpin: 0.712, cdf: 0.993, threshold: 0.99 },
      });
      await until(async () => (await page.locator('#alerts li').count()) === 4, 'the four alerts listed');
      const lines = await page
        .locator('#alerts li')
        .evaluateAll((items) => items.map((li) => [li.getAttribute('data-kind'), li.lastChild?.textContent?.trim()]));
      expect(lines).toEqual([
        ['vpin', 'SYM001: VPIN 0.712, CDF 0.993 reached its threshold 0.990 at bucket 57'],
        [
          'backtest-red',
          'equal-weight: VaR backtest red zone: 11 exceptions in the last 250 periods (2.5 expected at 99% VaR); VaR 1.000%',
        ],
        ['var-limit', 'concentrated: VaR 2.500% reached its limit 2.000%'],
        [
          'backtest-yellow',
          'min-variance: VaR backtest yellow zone: 6 exceptions in the last 250 periods (2.5 expected at 99% VaR); VaR 0.087%, limit 0.200%',
        ],
      ]);
      await until(async () => (await page.locator('#portfolios tbody tr').count()) === 3, 'three portfolio rows');
      const rows = await page
        .locator('#portfolios tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-key'), tr.className, tr.querySelector('td.backtest')?.textContent]));
      expect(rows).toEqual([
        ['concentrated', 'alert', 'green 2/250'],
        ['equal-weight', 'zone-red', 'red 11/250'],
        ['min-variance', 'zone-yellow', 'yellow 6/250'],
      ]);
      // a zone row is not painted as a breach: its name keeps the text colour, the breach's is red
      const colour = (key: string) =>
        page.evaluate<string>(`getComputedStyle(document.querySelector('#portfolios tr[data-key="${key}"] td')).color`);
      expect(await colour('min-variance')).not.toBe(await colour('concentrated'));
      const dir = mkdtempSync(join(tmpdir(), 'kernelbus-dashboard-alerts-'));
      await page.locator('#var-panel').screenshot({ path: join(dir, 'portfolios.png') });
      await page.locator('#alerts').screenshot({ path: join(dir, 'alerts.png') });
      console.log(`[browser] alert screenshots in ${dir}`);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await gateway.close();
      await bus.close();
    }
  });

  it("a risk engine's GARCH VaR and its backtest in the portfolio rows, live and, on a page opened later, from the history", async () => {
    const bus = createBus();
    const gateway = await createGateway(bus, { port: 0 });
    const engine = new RiskEngine(bus, {
      backend: 'reference',
      window: 60,
      minRows: 5,
      backtestWindow: 20,
      heartbeatMs: 0,
      var: { method: 'garch', vol: 'gjr', dist: 't', refit: 5 },
    }).start();
    const problems: string[] = [];
    try {
      const live = await open(browser, gateway.url, problems);
      // before any GARCH VaR the columns are hidden
      expect(await live.locator('#portfolios th.garch').first().isVisible()).toBe(false);
      for (const key of ['equal', 'long-short'] as const)
        await bus.publish('PORTFOLIO_UPDATE', { key, payload: { ...PORTFOLIOS[key], universe: 'stocks' } });
      const block = seededReturns(80);
      for (let i = 0; i < 80; i++)
        await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i, payload: { assets: ASSETS, returns: row(block, i) } });
      await bus.drain();
      // what each row must show: the engine's last figures, formatted as the page does (web/alerts.js)
      const expected = (key: string) => {
        const marks = garchMarks(JSON.parse(JSON.stringify(engine.portfolios().get(key)!.figures)))!;
        return [key, marks.var, marks.backtest];
      };
      const cells = (page: Page) =>
        page
          .locator('#portfolios tbody tr')
          .evaluateAll((trs) =>
            trs.map((tr) => [
              tr.getAttribute('data-key'),
              tr.querySelector('td.garch-var')?.textContent,
              tr.querySelector('td.garch-backtest')?.textContent,
            ]),
          );
      const want = [expected('equal'), expected('long-short')];
      for (const [, v, b] of want) {
        expect(v).toMatch(/^\d\.\d{3}%$/);
        expect(b).toMatch(/^(green|yellow|red) \d+\/20 p \d\.\d\d$/);
      }
      await until(async () => JSON.stringify(await cells(live)) === JSON.stringify(want), 'the GARCH cells, live');
      expect(await live.locator('#portfolios th.garch').first().isVisible()).toBe(true);
      // the fit in the VaR cell's title
      expect(await live.locator('#portfolios tr[data-key="equal"] td.garch-var').getAttribute('title')).toMatch(
        /^persistence \d\.\d{3}, (converged|not converged \(.+\)), refitted [0-4] periods ago$/,
      );
      const later = await open(browser, gateway.url, problems);
      await until(async () => JSON.stringify(await cells(later)) === JSON.stringify(want), 'the GARCH cells, from the history');
      await later
        .locator('#var-panel')
        .screenshot({ path: join(mkdtempSync(join(tmpdir(), 'kernelbus-dashboard-garch-')), 'portfolios.png') });
      expect(problems).toEqual([]);
      await live.close();
      await later.close();
    } finally {
      await engine.close();
      await gateway.close();
      await bus.close();
    }
  });

  it("the predictions panel: each symbol's latest ML_PREDICTION beside its VPIN, a sparkline, live and from the history", async () => {
    const bus = createBus();
    const gateway = await createGateway(bus, { port: 0 });
    const problems: string[] = [];
    try {
      const live = await open(browser, gateway.url, problems);
      expect(await live.locator('#no-prediction').isVisible()).toBe(true);
      await bus.publish('VPIN_CALCULATION', { key: 'AAPL', ts: T0, payload: { bucket: 56, vpin: 0.4321, cdf: 0.8 } });
      for (let bar = 0; bar < 5; bar++) {
        const ts = T0 + 60_000 * bar;
        await bus.publish('ML_PREDICTION', {
          key: 'AAPL',
          ts,
          payload: { symbol: 'AAPL', ts, bar, model: 'up.txt', version: 1, values: [0.5 + 0.1 * bar] },
        });
        await bus.publish('ML_PREDICTION', {
          key: 'MSFT',
          ts,
          payload: { symbol: 'MSFT', ts, bar, model: 'regime.txt', version: 2, values: [0.2, 0.7, 0.1] },
        });
      }
      // bar 4 of AAPL published again: counted once
      await bus.publish('ML_PREDICTION', {
        key: 'AAPL',
        ts: T0 + 240_000,
        payload: { symbol: 'AAPL', ts: T0 + 240_000, bar: 4, model: 'up.txt', version: 1, values: [0.9] },
      });
      await bus.drain();
      const rows = (page: Page) =>
        page
          .locator('#predictions tbody tr')
          .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 7).map((td) => td.textContent)));
      const want = [
        ['AAPL', '0.4321', '0.9000', 'up.txt', '1', '2023-11-14 22:17:20', '5'],
        ['MSFT', '-', 'class 1: 0.700', 'regime.txt', '2', '2023-11-14 22:17:20', '5'],
      ];
      await until(async () => JSON.stringify(await rows(live)) === JSON.stringify(want), 'the prediction rows, live');
      expect(await live.locator('#no-prediction').isVisible()).toBe(false);
      // a sparkline of the last predictions: AAPL's 5 values, MSFT's 3 classes x 5
      const points = (page: Page) =>
        page.locator('#predictions canvas.spark').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-points'))));
      expect(await points(live)).toEqual([5, 15]);
      const later = await open(browser, gateway.url, problems);
      await until(async () => JSON.stringify(await rows(later)) === JSON.stringify(want), 'the prediction rows, from the history');
      await until(async () => JSON.stringify(await points(later)) === '[5,15]', 'the sparklines, from the history');
      expect(problems).toEqual([]);
      await live.close();
      await later.close();
    } finally {
      await gateway.close();
      await bus.close();
    }
  });

  it.skipIf(!REDIS_SERVER && process.env.CI !== 'true')(
    'the same page over kernelbus gateway on Redis: symbols, engine heartbeat, group lag; reconnects when the gateway restarts',
    async () => {
      const t0 = performance.now();
      redis = await RedisServer.start();
      const url = redis.url();
      const engine = new Command(['engine', 'vpin', '--redis', url, '--consumer', 'E', '--backend', 'reference']);
      await engine.waitFor(/^ready: engine vpin/m);
      const gatewayArgs = (port: number) => ['gateway', '--redis', url, '--port', String(port)];
      const first = new Command(gatewayArgs(0));
      const m = await first.waitFor(/^dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/) /m);
      const problems: string[] = [];
      const page = await open(browser, m[1], problems);
      const feed = new Command(['feed', '--redis', url, '--symbols', '8', '--rate', '4000', '--seconds', '60', '--seed', '5']);
      await feed.waitFor(/^kernelbus feed: /m);

      await until(async () => (await page.locator('#symbols tbody tr').count()) === 8, "the feed's 8 symbols");
      await until(async () => (await text(page, '#engines tbody')).startsWith('vpin (E)'), "the engine's heartbeat");
      await until(
        async () => (await page.locator('#groups tbody tr td:nth-child(2)').allTextContents()).includes('vpin'),
        "the vpin group's lag",
      );
      expect(await number(page, '#throughput')).toBeGreaterThan(0);

      expect(await first.stop()).toBe(0);
      await page.waitForSelector('body[data-state="reconnecting"]', { timeout: 5000 });
      const second = new Command(gatewayArgs(Number(m[2])));
      await second.waitFor(/^ready: gateway/m);
      await page.waitForSelector('body[data-state="connected"]', { timeout: 15_000 });
      const after = await number(page, '#messages');
      await until(async () => (await number(page, '#messages')) > after, 'messages after the restart', 10_000);
      expect(await second.stop()).toBe(0);
      feed.kill('SIGTERM');
      await Promise.all([feed.exited, engine.stop()]);
      expect(unexpected(problems)).toEqual([]);
      await page.close();
      console.log(`[browser] dashboard over kernelbus gateway on Redis ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    },
  );
});
