/**
 * PortfolioEngine's per-portfolio configuration on the in-process bus: sector bounds, per-asset
 * bounds (arrays and maps by asset), linear rows, the optimizers over the window's mean returns with
 * their options, risk budgets; each publish checked against the kernels called directly with the same
 * constraints (and the constraints checked on the weights); the alert kinds that rebalance; bad
 * configurations refused at start naming the field; a configuration naming an asset the universe lacks
 * counted as a failure with its message.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import { runEngine } from '../../src/cli/engine.js';
import { PortfolioEngine, type PortfolioConfig, type PortfolioEngineOptions, type PortfolioResult } from '../../src/engines/index.js';
import { KernelInputError, kernels, type Matrix } from '../../src/index.js';
import { ASSETS, collect, row, seededReturns } from './risk-helpers.js';

const T0 = 1_700_000_000_000;
const ref = kernels({ backend: 'reference' });
const N = ASSETS.length;
const BLOCK = seededReturns(60);
/** The window after 60 rows (window 40) and its Ledoit-Wolf covariance, as the engine estimates them. */
const WINDOW: Matrix = { data: BLOCK.slice(20 * N, 60 * N), rows: 40, cols: N };
const COV = ref.covariance(WINDOW, { method: 'ledoit-wolf' });
const MEAN = Float64Array.from({ length: N }, (_, j) => {
  let s = 0;
  for (let t = 0; t < 40; t++) s += WINDOW.data[t * N + j];
  return s / 40;
});

/** The engine over `portfolios` (every 30 rows: rebalances at 30 and 60), fed 60 rows; its ANALYTICS_RESULTs by portfolio. */
async function run(portfolios: PortfolioConfig[], extra: (bus: Bus) => Promise<void> = async () => {}) {
  const bus = createBus();
  const options: PortfolioEngineOptions = { backend: 'reference', window: 40, minRows: 30, heartbeatMs: 0, portfolios };
  const engine = new PortfolioEngine(bus, options).start();
  const results = collect<PortfolioResult>(bus, 'ANALYTICS_RESULT');
  for (let i = 0; i < 60; i++) {
    await bus.publish('RETURNS_UPDATE', { key: 'default', ts: T0 + i, payload: { assets: ASSETS, returns: row(BLOCK, i) } });
  }
  await bus.drain();
  await extra(bus);
  const by = (id: string) => results.filter((m) => m.key === id).map((m) => m.payload);
  const states = engine.portfolios();
  const metrics = engine.metrics().extra;
  await engine.close();
  await bus.close();
  return { by, states, metrics };
}

const sum = (w: number[], idx: number[]) => idx.reduce((s, j) => s + w[j], 0);

describe('PortfolioEngine constraints', () => {
  it('sector bounds: the published weights satisfy them and are minVariance under the same sectors (which bind)', async () => {
    const { by } = await run([
      {
        id: 'mv',
        optimizer: 'min-variance',
        every: 30,
        sectors: { AAA: 'x', BBB: 'x', CCC: 'y' },
        sectorBounds: { x: [0.6, 0.7], y: [0, 0.05] },
      },
    ]);
    const w = by('mv')[1].weights;
    expect(sum(w, [0, 1])).toBeGreaterThanOrEqual(0.6 - 1e-12);
    expect(sum(w, [0, 1])).toBeLessThanOrEqual(0.7 + 1e-12);
    expect(w[2]).toBeLessThanOrEqual(0.05 + 1e-12);
    expect(sum(w, [0, 1, 2, 3, 4])).toBeCloseTo(1, 12);
    // the kernel with the codes: x = 0, y = 1, DDD and EEE in no sector (2, unbounded)
    const options = {
      sectors: Int32Array.of(0, 0, 1, 2, 2),
      sectorBounds: { lower: Float64Array.of(0.6, 0, -Infinity), upper: Float64Array.of(0.7, 0.05, Infinity) },
    };
    expect(w).toEqual(Array.from(ref.minVariance(COV, options).weights));
    // without them the minimum-variance portfolio breaks them: the bounds bind
    const free = ref.minVariance(COV).weights;
    expect(free[0] + free[1] < 0.6 || free[2] > 0.05).toBe(true);
  });

  it('per-asset bounds, as arrays in column order and as a map by asset over them', async () => {
    const upper = [0.4, 0.4, 0.3, 0.3, 0.3];
    const { by } = await run([
      { id: 'arrays', optimizer: 'min-variance', every: 30, bounds: { lower: [0.1, 0, 0, 0, 0], upper } },
      { id: 'map', optimizer: 'min-variance', every: 30, bounds: { upper: 0.5 }, assetBounds: { CCC: [0.25, 0.3], EEE: [0, 0.02] } },
    ]);
    const a = by('arrays')[1].weights;
    a.forEach((x, j) => {
      expect(x).toBeLessThanOrEqual(upper[j] + 1e-12);
      expect(x).toBeGreaterThanOrEqual((j === 0 ? 0.1 : 0) - 1e-12);
    });
    expect(a).toEqual(
      Array.from(ref.minVariance(COV, { bounds: { lower: Float64Array.of(0.1, 0, 0, 0, 0), upper: Float64Array.from(upper) } }).weights),
    );
    const m = by('map')[1].weights;
    expect(m[2]).toBeGreaterThanOrEqual(0.25 - 1e-12);
    expect(m[4]).toBeLessThanOrEqual(0.02 + 1e-12);
    const bounds = { lower: Float64Array.of(0, 0, 0.25, 0, 0), upper: Float64Array.of(0.5, 0.5, 0.3, 0.5, 0.02) };
    expect(m).toEqual(Array.from(ref.minVariance(COV, { bounds }).weights));
  });

  it('linear rows by asset, budget and l2Gamma; max-sharpe, efficient-risk and max-utility over the window mean with their options; risk budgets', async () => {
    const { by } = await run([
      {
        id: 'rows',
        optimizer: 'min-variance',
        every: 30,
        inequality: { A: [{ AAA: 1, BBB: -1 }], b: [-0.1] },
        equality: { A: [[0, 0, 0, 1, 1]], b: [0.3] },
        l2Gamma: 1e-4,
      },
      { id: 'sharpe', optimizer: 'max-sharpe', every: 30, riskFree: -0.01, bounds: { upper: 0.6 } },
      { id: 'risk', optimizer: 'efficient-risk', every: 30, targetVolatility: 0.012 },
      { id: 'utility', optimizer: 'max-utility', every: 30, riskAversion: 50, budget: 1, bounds: { lower: -0.2, upper: 0.8 } },
      { id: 'rp', optimizer: 'risk-parity', every: 30, budgets: { AAA: 0.4 } },
    ]);
    const rows = by('rows')[1].weights;
    expect(rows[0] - rows[1]).toBeLessThanOrEqual(-0.1 + 1e-12);
    expect(rows[3] + rows[4]).toBeCloseTo(0.3, 12);
    const A = (data: number[], r: number) => ({ data: Float64Array.from(data), rows: r, cols: N });
    const linear = {
      inequality: { A: A([1, -1, 0, 0, 0], 1), b: Float64Array.of(-0.1) },
      equality: { A: A([0, 0, 0, 1, 1], 1), b: Float64Array.of(0.3) },
      l2Gamma: 1e-4,
    };
    expect(rows).toEqual(Array.from(ref.minVariance(COV, linear).weights));
    expect(by('sharpe')[1].weights).toEqual(Array.from(ref.maxSharpe(MEAN, COV, { riskFree: -0.01, bounds: { upper: 0.6 } }).weights));
    const risk = ref.efficientRisk(MEAN, COV, 0.012);
    expect(by('risk')[1].weights).toEqual(Array.from(risk.weights));
    expect(by('risk')[1].volatility).toBeLessThanOrEqual(0.012 * (1 + 1e-12));
    const utility = ref.maxUtility(MEAN, COV, { riskAversion: 50, budget: 1, bounds: { lower: -0.2, upper: 0.8 } });
    expect(by('utility')[1].weights).toEqual(Array.from(utility.weights));
    // a map of budgets: AAA 0.4, the others the mean of the given (0.4), scaled by the kernel
    const rp = by('rp')[1];
    expect(rp.weights).toEqual(Array.from(ref.riskParity(COV, { budgets: new Float64Array(N).fill(0.4) }).weights));
  });

  it('rebalances on VaR-limit alerts by default, not on backtest alerts; rebalanceOn chooses the kinds', async () => {
    const { by, states, metrics } = await run(
      [
        { id: 'default', optimizer: 'risk-parity', every: 100 },
        { id: 'red', optimizer: 'risk-parity', every: 100, rebalanceOn: ['backtest-red'] },
        { id: 'none', optimizer: 'risk-parity', every: 100, rebalanceOn: [] },
      ],
      async (bus) => {
        for (const key of ['default', 'red', 'none']) {
          await bus.publish('RISK_ALERT', { key, payload: { source: 'risk', reason: 'backtest', zone: 'red' } });
          await bus.publish('RISK_ALERT', { key, payload: { source: 'risk', reason: 'backtest', zone: 'yellow' } });
          await bus.publish('RISK_ALERT', { key, payload: { source: 'risk', var: 0.03, limit: 0.02 } });
        }
        await bus.drain();
      },
    );
    expect(by('default').map((r) => r.reason)).toEqual(['alert']);
    expect(by('red').map((r) => r.reason)).toEqual(['alert']);
    expect(by('none')).toEqual([]);
    expect(states.get('default')).toMatchObject({ skippedAlerts: 2, ignoredAlerts: 0, rebalances: 1 });
    expect(states.get('red')).toMatchObject({ skippedAlerts: 2, rebalances: 1 });
    expect(states.get('none')).toMatchObject({ skippedAlerts: 3, rebalances: 0 });
    expect(metrics).toMatchObject({ skippedAlerts: 7, alertRebalances: 2 });
  });

  it('an asset the configuration names that the universe lacks: a failure counted, its message kept, nothing published', async () => {
    const { by, states, metrics } = await run([
      { id: 'typo', optimizer: 'min-variance', every: 30, assetBounds: { ZZZ: [0, 0.1] } },
      { id: 'short', optimizer: 'min-variance', every: 30, bounds: { upper: [0.5, 0.5] } },
    ]);
    expect(by('typo')).toEqual([]);
    expect(states.get('typo')?.lastError).toBe(
      'portfolios.typo.assetBounds.ZZZ: expected an asset of the universe (AAA, BBB, CCC, DDD, EEE), got "ZZZ"',
    );
    expect(states.get('short')?.lastError).toBe(
      "portfolios.short.bounds.upper: expected 5 values (the universe's assets: AAA, BBB, CCC, DDD, EEE), got 2 values",
    );
    expect(metrics.failures).toBe(4);
  });

  it('refuses a bad configuration at start, naming the field', () => {
    const bad = (portfolio: Record<string, unknown>, argument: string, message: string) => {
      let error: unknown;
      try {
        new PortfolioEngine(createBus(), { portfolios: [portfolio as unknown as PortfolioConfig] });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KernelInputError);
      expect((error as KernelInputError).argument).toBe(argument);
      expect((error as Error).message).toBe(message);
    };
    const mv = { id: 'a', optimizer: 'min-variance' };
    bad(
      { ...mv, sectors: { AAA: 'x' }, sectorBounds: { x: [0.5, 0.2] } },
      'options.portfolios[0].sectorBounds.x',
      'options.portfolios[0].sectorBounds.x: expected [lower, upper] with lower <= upper, got [0.5,0.2]',
    );
    bad(
      { ...mv, sectors: { AAA: 'tech' }, sectorBounds: { x: [0, 0.2] } },
      'options.portfolios[0].sectors.AAA',
      'options.portfolios[0].sectors.AAA: expected one of the sectors of sectorBounds (x), got "tech"',
    );
    bad(
      { ...mv, sectors: { AAA: 'x' } },
      'options.portfolios[0].sectorBounds',
      'options.portfolios[0].sectorBounds: expected an object (sectors and sectorBounds go together), got undefined',
    );
    bad(
      { ...mv, assetBounds: { AAA: [0, 'x'] } },
      'options.portfolios[0].assetBounds.AAA[1]',
      'options.portfolios[0].assetBounds.AAA[1]: expected a number (+-Infinity for none), got "x"',
    );
    bad(
      { ...mv, bounds: { lower: [0, 0.5], upper: [1, 0.4] } },
      'options.portfolios[0].bounds',
      'options.portfolios[0].bounds: expected lower <= upper for every asset, got lower 0.5, upper 0.4 (asset 1)',
    );
    bad(
      { ...mv, inequality: { A: [{ AAA: 1 }], b: [0.1, 0.2] } },
      'options.portfolios[0].inequality.b',
      'options.portfolios[0].inequality.b: expected 1 values (one per row of A), got 2 values',
    );
    bad({ ...mv, l2Gamma: -1 }, 'options.portfolios[0].l2Gamma', 'options.portfolios[0].l2Gamma: expected a finite number >= 0, got -1');
    bad(
      { id: 'a', optimizer: 'hrp', sectors: { AAA: 'x' } },
      'options.portfolios[0]',
      `options.portfolios[0]: expected only the keys of a 'hrp' portfolio (id, optimizer, universe, estimator, every, limit, rebalanceOn, linkage), got "sectors"`,
    );
    bad(
      { id: 'a', optimizer: 'efficient-risk' },
      'options.portfolios[0].targetVolatility',
      'options.portfolios[0].targetVolatility: expected a finite number > 0 (required), got undefined',
    );
    bad(
      { ...mv, rebalanceOn: ['backtest'] },
      'options.portfolios[0].rebalanceOn',
      `options.portfolios[0].rebalanceOn: expected an array of 'var-limit', 'backtest-yellow', 'backtest-red' (possibly empty), got ["backtest"]`,
    );
    bad(
      { id: 'a', optimizer: 'risk-parity', budgets: { AAA: 0 } },
      'options.portfolios[0].budgets.AAA',
      'options.portfolios[0].budgets.AAA: expected a finite number > 0, got 0',
    );
  });

  it('kernelbus engine portfolio --config: the file’s portfolios checked before connecting, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-portfolio-config-'));
    const file = join(dir, 'portfolios.json');
    const engine = (args: string[]) => runEngine(['portfolio', '--redis', 'redis://127.0.0.1:1', ...args]);
    writeFileSync(
      file,
      JSON.stringify({ portfolios: [{ id: 'mv', optimizer: 'min-variance', sectors: { AAA: 'x' }, sectorBounds: { x: [1, 0] } }] }),
    );
    await expect(engine(['--config', file])).rejects.toThrow(
      '--config portfolios[0].sectorBounds.x: expected [lower, upper] with lower <= upper, got [1,0]',
    );
    writeFileSync(file, JSON.stringify([{ id: 'mv', optimizer: 'min-variance' }]));
    await expect(engine(['--config', file])).rejects.toThrow('--config: expected a JSON object { "portfolios": [ ... ] }, got [{"id":"mv"');
    await expect(engine(['--config', file, '--portfolios', 'a:hrp'])).rejects.toThrow(
      '--portfolios: expected no --portfolios with --config (the file lists them), got "a:hrp"',
    );
  });
});
