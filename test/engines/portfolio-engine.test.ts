/**
 * PortfolioEngine on the in-process bus: scheduled and alert-driven rebalances, their weights against
 * the kernels called directly (covariance over the window, then riskParity or hrp), the published
 * figures, the RiskEngine consuming its PORTFOLIO_UPDATE, and its option errors.
 */
import { describe, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import {
  PortfolioEngine,
  RiskEngine,
  type PortfolioEngineOptions,
  type PortfolioResult,
  type PortfolioUpdate,
  type RiskResult,
} from '../../src/engines/index.js';
import { KernelInputError, kernels } from '../../src/index.js';
import { ASSETS, collect, row, seededReturns } from './risk-helpers.js';

const T0 = 1_700_000_000_000;
const ref = kernels({ backend: 'reference' });
const OPTIONS: PortfolioEngineOptions = {
  backend: 'reference',
  window: 40,
  minRows: 30,
  heartbeatMs: 0,
  portfolios: [
    { id: 'rp', optimizer: 'risk-parity', universe: 'stocks', every: 20, limit: 0.02 },
    { id: 'hrp', optimizer: 'hrp', universe: 'stocks', every: 10, estimator: 'sample', linkage: 'average' },
  ],
};

async function publishRows(bus: Bus, block: Float64Array, from: number, to: number) {
  for (let i = from; i < to; i++) {
    await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i, payload: { assets: ASSETS, returns: row(block, i) } });
  }
  await bus.drain();
}

/** The weights and figures of a rebalance after `rows` rows, computed with the kernels directly. */
function expected(block: Float64Array, rows: number, window: number, optimizer: 'rp' | 'hrp') {
  const n = ASSETS.length;
  const from = Math.max(0, rows - window);
  const returns = { data: block.slice(from * n, rows * n), rows: rows - from, cols: n };
  const cov = ref.covariance(returns, { method: optimizer === 'rp' ? 'ledoit-wolf' : 'sample' });
  const weights = optimizer === 'rp' ? ref.riskParity(cov).weights : ref.hrp({ cov }, { linkage: 'average' }).weights;
  const Sw = Array.from({ length: n }, (_, i) => weights.reduce((s, w, j) => s + cov.data[i * n + j] * w, 0));
  const variance = weights.reduce((s, w, i) => s + w * Sw[i], 0);
  return {
    weights: Array.from(weights),
    volatility: Math.sqrt(variance),
    riskContributions: Array.from(weights, (w, i) => (w * Sw[i]) / variance),
  };
}

describe('PortfolioEngine', () => {
  it('rebalances on schedule once the window holds minRows rows: the kernels’ weights, turnover and risk contributions', async () => {
    const bus = createBus();
    const engine = new PortfolioEngine(bus, OPTIONS).start();
    const updates = collect<PortfolioUpdate>(bus, 'PORTFOLIO_UPDATE');
    const results = collect<PortfolioResult>(bus, 'ANALYTICS_RESULT');
    const block = seededReturns(60);
    await publishRows(bus, block, 0, 60);
    // rp every 20 from 30 rows: at 40 and 60; hrp every 10: at 30, 40, 50, 60
    expect(updates.filter((m) => m.key === 'rp').map((m) => m.ts - T0)).toEqual([39, 59]);
    expect(updates.filter((m) => m.key === 'hrp').map((m) => m.ts - T0)).toEqual([29, 39, 49, 59]);
    const rp = results.filter((m) => m.key === 'rp').map((m) => m.payload);
    for (const [k, rows] of [40, 60].entries()) {
      const e = expected(block, rows, 40, 'rp');
      expect(rp[k].weights).toEqual(e.weights);
      expect(rp[k].volatility).toBeCloseTo(e.volatility, 15);
      expect(rp[k].riskContributions.every((c) => Math.abs(c - 0.2) < 1e-12)).toBe(true); // equal risk
      expect(rp[k]).toMatchObject({
        source: 'portfolio',
        reason: 'schedule',
        optimizer: 'risk-parity',
        estimator: 'ledoit-wolf',
        rows: 40,
        assets: ASSETS,
      });
    }
    expect(rp[0].turnover).toBeCloseTo(1, 15); // from nothing held
    expect(rp[1].turnover).toBeCloseTo(
      rp[1].weights.reduce((s, w, i) => s + Math.abs(w - rp[0].weights[i]), 0),
      15,
    );
    const rpUpdate = updates.find((m) => m.key === 'rp')!.payload;
    expect(rpUpdate).toEqual({ weights: Object.fromEntries(ASSETS.map((a, i) => [a, rp[0].weights[i]])), universe: 'stocks', limit: 0.02 });
    const hrp = results.filter((m) => m.key === 'hrp').map((m) => m.payload);
    expect(hrp.map((r) => r.rows)).toEqual([30, 40, 40, 40]);
    expect(hrp[3].weights).toEqual(expected(block, 60, 40, 'hrp').weights);
    expect(engine.metrics().extra).toMatchObject({ rows: 60, rebalances: 6, alertRebalances: 0, failures: 0 });
    await engine.close();
    await bus.close();
  });

  it('min-variance under bounds: minVariance of the estimated covariance', async () => {
    const bus = createBus();
    const bounds = { lower: 0.05, upper: 0.3 };
    const engine = new PortfolioEngine(bus, {
      ...OPTIONS,
      portfolios: [{ id: 'mv', optimizer: 'min-variance', universe: 'stocks', every: 30, bounds }],
    }).start();
    const results = collect<PortfolioResult>(bus, 'ANALYTICS_RESULT');
    const block = seededReturns(60);
    await publishRows(bus, block, 0, 60);
    const n = ASSETS.length;
    const cov = ref.covariance({ data: block.slice(20 * n, 60 * n), rows: 40, cols: n }, { method: 'ledoit-wolf' });
    const expected = ref.minVariance(cov, { bounds }).weights;
    expect(results.map((m) => m.payload.optimizer)).toEqual(['min-variance', 'min-variance']);
    expect(results[1].payload.weights).toEqual(Array.from(expected));
    expect(results[1].payload.weights.every((w) => w >= 0.05 - 1e-12 && w <= 0.3 + 1e-12)).toBe(true);
    await engine.close();
    await bus.close();
  });

  it('a RISK_ALERT rebalances its portfolio at once, a second on the same row is ignored, alerts on other keys too', async () => {
    const bus = createBus();
    const engine = new PortfolioEngine(bus, OPTIONS).start();
    const results = collect<PortfolioResult>(bus, 'ANALYTICS_RESULT');
    const block = seededReturns(60);
    await publishRows(bus, block, 0, 45);
    for (const key of ['rp', 'rp', 'someone-else']) await bus.publish('RISK_ALERT', { key, payload: { source: 'risk' } });
    await bus.drain();
    const rp = results.filter((m) => m.key === 'rp').map((m) => m.payload);
    expect(rp.map((r) => r.reason)).toEqual(['schedule', 'alert']);
    expect(rp[1].weights).toEqual(expected(block, 45, 40, 'rp').weights);
    expect(engine.portfolios().get('rp')).toMatchObject({ ignoredAlerts: 1, rebalances: 2 });
    expect(engine.metrics().extra).toMatchObject({ alertRebalances: 1, ignoredAlerts: 1 });
    await engine.close();
    await bus.close();
  });

  it('RiskEngine measures the portfolios it publishes; an alert over the limit comes back and rebalances once', async () => {
    const bus = createBus();
    const portfolio = new PortfolioEngine(bus, {
      ...OPTIONS,
      portfolios: [{ id: 'rp', optimizer: 'risk-parity', universe: 'stocks', every: 20, limit: 1e-4 }],
    }).start();
    const risk = new RiskEngine(bus, { backend: 'reference', window: 40, minRows: 5, heartbeatMs: 0 }).start();
    const figures = collect<RiskResult | PortfolioResult>(bus, 'ANALYTICS_RESULT');
    const block = seededReturns(60);
    await publishRows(bus, block, 0, 40);
    for (let k = 0; k < 3; k++) await bus.drain(); // the update, RiskEngine's alert, its handling
    const mine = () => figures.filter((m) => m.key === 'rp').map((m) => m.payload.source);
    // the scheduled rebalance at 40 rows, RiskEngine's figures on it (VaR above the tiny limit: an
    // alert), the alert's rebalance at the same row count ignored
    expect(mine()).toEqual(['portfolio', 'risk']);
    expect(risk.portfolios().get('rp')?.weights).toEqual(Float64Array.from((figures[0].payload as PortfolioResult).weights));
    expect(risk.portfolios().get('rp')?.alerting).toBe(true);
    expect(portfolio.portfolios().get('rp')?.ignoredAlerts).toBe(1);
    // row 41: measured again, still over the limit (no new alert: edge-triggered)
    await publishRows(bus, block, 40, 41);
    for (let k = 0; k < 3; k++) await bus.drain();
    expect(mine()).toEqual(['portfolio', 'risk', 'risk']);
    expect(portfolio.portfolios().get('rp')).toMatchObject({ ignoredAlerts: 1, rebalances: 1 });
    await portfolio.close();
    await risk.close();
    await bus.close();
  });

  it('refuses bad options, naming them', () => {
    const bus = createBus();
    const bad = (options: Partial<PortfolioEngineOptions>, argument: string, message: string) => {
      let error: unknown;
      try {
        new PortfolioEngine(bus, { ...OPTIONS, ...options } as PortfolioEngineOptions);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KernelInputError);
      expect((error as KernelInputError).argument).toBe(argument);
      expect((error as Error).message).toBe(message);
    };
    bad(
      { portfolios: [] },
      'options.portfolios',
      'options.portfolios: expected a non-empty array of { id, optimizer, ... }, got an Array of length 0',
    );
    bad(
      { portfolios: [{ id: 'a', optimizer: 'black-litterman' as 'hrp' }] },
      'options.portfolios[0].optimizer',
      `options.portfolios[0].optimizer: expected 'min-variance' or 'max-sharpe' or 'max-utility' or 'efficient-return' or 'efficient-risk' or 'risk-parity' or 'hrp', got "black-litterman"`,
    );
    bad(
      {
        portfolios: [
          { id: 'a', optimizer: 'hrp' },
          { id: 'a', optimizer: 'hrp' },
        ],
      },
      'options.portfolios[1].id',
      'options.portfolios[1].id: expected a non-empty string, unique among the portfolios, got "a"',
    );
    bad(
      { portfolios: [{ id: 'a', optimizer: 'hrp', every: 0 }] },
      'options.portfolios[0].every',
      'options.portfolios[0].every: expected an integer >= 1 (rows), got 0',
    );
    bad(
      { portfolios: [{ id: 'a', optimizer: 'hrp', estimator: 'robust' as 'sample' }] },
      'options.portfolios[0].estimator',
      'options.portfolios[0].estimator: expected one of sample, ewma, ledoit-wolf, oas, semi, ledoit-wolf-constant-correlation, ledoit-wolf-single-factor, got "robust"',
    );
    bad({ minRows: 50 }, 'options.minRows', 'options.minRows: expected an integer in [2, 40] (the window), got 50');
    bad(
      { alertInput: 'RETURNS_UPDATE' },
      'options.alertInput',
      'options.alertInput: expected a type other than options.returnsInput, got "RETURNS_UPDATE"',
    );
  });
});
