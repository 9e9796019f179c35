/**
 * What the dashboard says about each alert kind the engines publish, and how it marks a portfolio's
 * row (web/alerts.js, the pure functions the gateway inlines into the page). The alerts are the
 * engines' own: a VpinEngine and a RiskEngine on an in-process bus (a calm market, then a crash: the
 * VaR backtest turns yellow, then red, and a limited portfolio's VaR reaches its limit), read through
 * the gateway as a page reads them (JSON: NaN as null). A backtest alert is not a limit breach.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertKind, alertText, axisTicks, garchMarks, portfolioMarks, portfolioRowClass } from '../../web/alerts.js';
import { createBus, type Bus } from '../../src/bus/index.js';
import { SyntheticMarket } from '../../src/replay/synthetic-market.js';
import { RiskEngine, VpinEngine } from '../../src/engines/index.js';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { ALERTS_MARKER } from '../../src/gateway/page.js';
import { ASSETS, PORTFOLIOS, row, seededReturns } from '../engines/risk-helpers.js';
import { TestClient, until, type WireMessage } from './helpers.js';

const T0 = 1_700_000_000_000;
const HOLD = 10_000;
const pct = (x: number) => `${(100 * x).toFixed(3)}%`;

let bus: Bus;
let gateway: Gateway;
let client: TestClient;
/** Every RISK_ALERT and the last ANALYTICS_RESULT per portfolio, as the gateway sent them. */
let alerts: WireMessage[];
const results = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  bus = createBus();
  gateway = await createGateway(bus, { port: 0 });
  client = new TestClient(gateway.wsUrl);
  await client.opened;
  await client.request({ subscribe: ['RISK_ALERT', 'ANALYTICS_RESULT'] });
  const vpin = new VpinEngine(bus, {
    vpin: { bucketVolume: 4000, window: 10, barMs: 50, sigma: { ewma: 0.9 } },
    backend: 'reference',
    threshold: 0.9,
    warmup: 15,
    heartbeatMs: 0,
  }).start();
  const risk = new RiskEngine(bus, { backend: 'reference', window: 10, minRows: 5, backtestWindow: 20, heartbeatMs: 0 }).start();
  // VPIN: two seeded symbols' trades
  const market = new SyntheticMarket({ symbols: 2, seed: 11, toxicRate: 1 / 300 });
  let ts = T0;
  const trades: [string, number, number][] = [];
  market.next(8000, (key, price, volume) => trades.push([key, price, volume]));
  for (const [key, price, volume] of trades) await bus.publish('TRADE_EXECUTION', { key, ts: (ts += 20), price, volume });
  // risk: 'equal' (no limit) and 'concentrated' (limit 2 %) through a calm market, then a crash
  await bus.publish('PORTFOLIO_UPDATE', { key: 'equal', payload: { ...PORTFOLIOS.equal, universe: 'stocks' } });
  await bus.publish('PORTFOLIO_UPDATE', { key: 'concentrated', payload: PORTFOLIOS.concentrated });
  const block = seededReturns(40).map((x) => x / 10);
  for (let i = 25; i < 40; i++) for (let j = 0; j < ASSETS.length; j++) block[i * ASSETS.length + j] = -0.05 - 0.001 * i;
  for (let i = 0; i < 40; i++)
    await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i, payload: { assets: ASSETS, returns: row(block, i) } });
  await vpin.close();
  await risk.close();
  await bus.drain();
  await until(() => client.messages.filter((m) => m.type === 'ANALYTICS_RESULT' && m.ts === T0 + 39).length === 2, 'the last results');
  alerts = client.messages.filter((m) => m.type === 'RISK_ALERT');
  for (const m of client.messages) if (m.type === 'ANALYTICS_RESULT') results.set(m.key, m.payload);
}, 60_000);

afterAll(async () => {
  client?.close();
  await gateway?.close();
  await bus?.close();
});

const ofKind = (kind: string) => alerts.filter((m) => alertKind(m.payload) === kind);

describe('the dashboard on the engines’ alerts', () => {
  it('the engines published every kind: VPIN, VaR limit, backtest yellow, backtest red', () => {
    expect(new Set(alerts.map((m) => alertKind(m.payload)))).toEqual(new Set(['vpin', 'var-limit', 'backtest-yellow', 'backtest-red']));
  });

  it("a VPIN alert: the symbol's VPIN and CDF against its threshold, and the bucket", () => {
    for (const { key, payload: p } of ofKind('vpin')) {
      const [vpin, cdf] = [p.vpin as number, p.cdf as number];
      expect(alertText(key, p)).toBe(
        `${key}: VPIN ${vpin.toFixed(3)}, CDF ${cdf.toFixed(3)} reached its threshold 0.900 at bucket ${p.bucket}`,
      );
    }
  });

  it('a VaR-limit alert: the VaR and the limit it reached', () => {
    const limits = ofKind('var-limit');
    expect(limits.map((m) => m.key)).toContain('concentrated');
    for (const { key, payload: p } of limits) {
      expect(p.var as number).toBeGreaterThanOrEqual(p.limit as number);
      expect(alertText(key, p)).toBe(`${key}: VaR ${pct(p.var as number)} reached its limit ${pct(p.limit as number)}`);
    }
  });

  it('a backtest alert: the zone and the exceptions over the window against those expected, never "reached its limit"', () => {
    const equal = alerts.filter((m) => m.key === 'equal' && alertKind(m.payload).startsWith('backtest-'));
    expect(equal.map((m) => m.payload.zone)).toEqual(['yellow', 'red']);
    for (const { key, payload: p } of [...ofKind('backtest-yellow'), ...ofKind('backtest-red')]) {
      expect(p.observations).toBe(20);
      const limit = p.limit === null ? '' : `, limit ${pct(p.limit as number)}`;
      expect(alertText(key, p)).toBe(
        `${key}: VaR backtest ${p.zone} zone: ${p.exceptions} exceptions in the last 20 periods (1.0 expected at 95% VaR); VaR ${pct(p.var as number)}${limit}`,
      );
      expect(alertText(key, p)).not.toContain('reached');
    }
    // 'equal' has no limit: its alerts say none
    expect(equal[0].payload.limit).toBeNull();
    expect(alertText('equal', equal[0].payload)).toMatch(
      /^equal: VaR backtest yellow zone: \d+ exceptions in the last 20 periods \(1\.0 expected at 95% VaR\); VaR \d+\.\d{3}%$/,
    );
  });

  it("marks 'equal' by its red zone, not as a breach; 'concentrated' (over its limit) as a breach", () => {
    const now = Date.now();
    const equal = { result: results.get('equal') as never, limit: NaN, zoneAlert: ofKind('backtest-red').at(-1)!.payload as never };
    const marks = portfolioMarks(equal, now, HOLD);
    const b = (results.get('equal') as { backtest: { exceptions: number; observations: number; window: number } }).backtest;
    expect(b.window).toBe(20);
    expect(marks).toEqual({ over: false, breach: false, zone: 'red', backtest: `red ${b.exceptions}/20` });
    expect(portfolioRowClass(marks)).toBe(' class="zone-red"');
    const concentrated = results.get('concentrated') as { historical: { var: number }; limit: number };
    const c = portfolioMarks({ result: concentrated as never, limit: concentrated.limit }, now, HOLD);
    expect(c.over && c.breach).toBe(true);
    expect(portfolioRowClass(c)).toMatch(/^ class="alert( zone-(yellow|red))?"$/);
  });
});

describe('portfolioMarks and alertText on payloads written out', () => {
  const result = (v: number, zone: string, exceptions: number, observations: number, window?: number) => ({
    historical: { var: v },
    backtest: { zone, exceptions, observations, ...(window === undefined ? {} : { window }) },
  });
  const now = 1_000_000;

  it('a yellow zone over a full window marks the row yellow; before the window is full it does not', () => {
    expect(portfolioMarks({ result: result(0.00087, 'yellow', 6, 250, 250), limit: 0.002 }, now, HOLD)).toEqual({
      over: false,
      breach: false,
      zone: 'yellow',
      backtest: 'yellow 6/250',
    });
    expect(portfolioMarks({ result: result(0.00087, 'yellow', 2, 10, 250), limit: 0.002 }, now, HOLD).zone).toBeUndefined();
    // an engine without `window` in its results: the zone of its last backtest alert
    expect(portfolioMarks({ result: result(0.00087, 'yellow', 6, 250), zoneAlert: { zone: 'yellow' } }, now, HOLD).zone).toBe('yellow');
    // a full window back to green: unmarked, whatever an earlier alert said
    expect(portfolioMarks({ result: result(0.00087, 'green', 3, 250, 250), zoneAlert: { zone: 'red' } }, now, HOLD).zone).toBeUndefined();
  });

  it('a breach: VaR at or over the limit, or a VaR-limit alert within the hold time; then it lapses', () => {
    expect(portfolioMarks({ result: result(0.002, 'green', 0, 250, 250), limit: 0.002 }, now, HOLD)).toMatchObject({
      over: true,
      breach: true,
    });
    const alerted = { result: result(0.0019, 'green', 0, 250, 250), limit: 0.002, limitAlertedAt: now - 9_999 };
    expect(portfolioMarks(alerted, now, HOLD)).toMatchObject({ over: false, breach: true });
    expect(portfolioMarks(alerted, now + 2, HOLD)).toMatchObject({ over: false, breach: false });
    expect(portfolioRowClass(portfolioMarks({ result: result(0.003, 'red', 12, 250, 250), limit: 0.002 }, now, HOLD))).toBe(
      ' class="alert zone-red"',
    );
    expect(portfolioRowClass(portfolioMarks({}, now, HOLD))).toBe('');
    expect(portfolioMarks({}, now, HOLD).backtest).toBe('-');
  });

  it("the issue's case: a backtest alert under the limit is the zone and the exceptions, at 99 %", () => {
    const p = { source: 'risk', engine: 'risk', universe: 'u', var: 0.00087, limit: 0.002, confidence: 0.99, rows: 300 };
    const backtest = { ...p, reason: 'backtest', zone: 'yellow', exceptions: 6, observations: 250 };
    expect(alertText('min-variance', backtest)).toBe(
      'min-variance: VaR backtest yellow zone: 6 exceptions in the last 250 periods (2.5 expected at 99% VaR); VaR 0.087%, limit 0.200%',
    );
    expect(alertText('min-variance', p)).toBe('min-variance: VaR 0.087% reached its limit 0.200%');
    expect(alertKind({ ...backtest, zone: 'red' })).toBe('backtest-red');
    expect(alertKind({ ...backtest, zone: 'green' })).toBe('unknown');
    expect(alertKind({ ...p, reason: 'other' })).toBe('unknown');
    // any other payload as its JSON, unescaped (the page escapes the line once)
    expect(alertText('x', { source: 'factor', note: '<b>' })).toBe('x: {"source":"factor","note":"<b>"}');
    expect(alertText('x', null)).toBe('x: null');
  });
});

describe('garchMarks: the GARCH cells of a row', () => {
  const garch = { var: 0.01234, persistence: 0.9612, converged: true, reason: 'converged', sinceRefit: 3 };
  const backtest = { zone: 'yellow', exceptions: 6, observations: 250, kupiecPValue: 0.0412 };

  it("the VaR, the backtest's zone, exceptions and Kupiec p, the fit in the title; none without a GARCH VaR", () => {
    expect(garchMarks({ garch, garchBacktest: backtest })).toEqual({
      var: '1.234%',
      backtest: 'yellow 6/250 p 0.04',
      zone: 'yellow',
      note: 'persistence 0.961, converged, refitted 3 periods ago',
    });
    expect(garchMarks({ garch: { ...garch, converged: false, reason: 'line search failed' } })).toEqual({
      var: '1.234%',
      backtest: '-',
      zone: undefined,
      note: 'persistence 0.961, not converged (line search failed), refitted 3 periods ago',
    });
    // as JSON: NaN arrives as null; a problem says why there is no VaR
    const problem = 'returns: expected a series whose mean model leaves residuals (not constant), got residuals all 0';
    expect(
      garchMarks({ garch: { var: null, persistence: null, converged: false, reason: 'not fitted', sinceRefit: null, problem } }),
    ).toEqual({
      var: '-',
      backtest: '-',
      zone: undefined,
      note: problem,
    });
    expect(garchMarks({ garch, garchBacktest: { ...backtest, zone: 'green', kupiecPValue: null } })!.backtest).toBe('green 6/250 p -');
    expect(garchMarks({})).toBeUndefined();
    expect(garchMarks(undefined)).toBeUndefined();
  });
});

describe('the page the gateway serves', () => {
  it('inlines web/alerts.js at its marker: the functions are there, the marker is not', async () => {
    const html = await (await fetch(gateway.url)).text();
    expect(html).toContain('<script type="module">');
    expect(html).toContain('export function alertText(key, p)');
    expect(html).toContain('export function portfolioMarks(pf, now, holdMs)');
    expect(html).not.toContain(ALERTS_MARKER);
  });
});

describe('axisTicks', () => {
  it('labels an axis with enough decimals that no two labels read the same', () => {
    // a throughput axis from 0 to 1.2 msg/s read 1, 1, 0, 0 with no decimals
    expect(axisTicks(0, 1.2, 4).map((t) => t.label)).toEqual(['0.0', '0.4', '0.8', '1.2']);
    expect(axisTicks(0, 300_000, 4).map((t) => t.label)).toEqual(['0', '100,000', '200,000', '300,000']);
    expect(axisTicks(0.25, 0.2505, 4, 2).map((t) => t.label)).toEqual(['0.2500', '0.2502', '0.2503', '0.2505']);
    // a log axis: lo and hi are log10 values
    const log = axisTicks(-3, 0, 4, 3, true);
    expect(log.map((t) => t.label)).toEqual(['0.001', '0.010', '0.100', '1.000']);
    expect(log[3].value).toBe(1);
  });
});
