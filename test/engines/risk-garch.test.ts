/**
 * RiskEngine's GARCH VaR (`var: { method: 'garch', ... }`) against the volatility kernels called
 * directly on the same portfolio returns (x 100: percent, as the engine fits them): each period's VaR
 * and ES equal to garchVar's with the engine's window and refit (bit for bit on the reference backend),
 * the fit at a refit equal to garch() warm-started from the previous fit, the VaR between refits equal
 * to garchForecast's at the last fit's parameters, the backtest equal to varBacktest's of those VaRs;
 * the same figures when rows come in blocks and after a restore from a checkpoint (whole record and
 * deltas); a constant series says why it has no VaR; bad options name the option.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { RiskEngine, type RiskEngineOptions, type RiskResult } from '../../src/engines/index.js';
import { TRAFFIC_LIGHT_ZONES } from '../../src/kernels/risk/risk-analytics.js';
import { DISTRIBUTIONS } from '../../src/kernels/volatility/volatility-dists.js';
import { kernels } from '../../src/index.js';
import type { GarchParams } from '../../src/api/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { ASSETS, collect, PORTFOLIOS, seededReturns, weightVector } from './risk-helpers.js';

const ref = kernels({ backend: 'reference' });
const W = 60;
const B = 20;
const REFIT = 5;
const N = 100;
const MODEL = { vol: 'gjr', dist: 't' } as const;
/** long-short's refits off the cadence (its omega left the window's bounds). */
const OFF_CADENCE = 1;
const OPTIONS: RiskEngineOptions = {
  backend: 'reference',
  window: W,
  minRows: 5,
  backtestWindow: B,
  heartbeatMs: 0,
  var: { method: 'garch', ...MODEL, refit: REFIT },
};
const block = seededReturns(N);
const n = ASSETS.length;
const KEYS = ['equal', 'long-short'] as const;

/** Each result's payload by key and the rows its universe had (ts = rows - 1), after feeding rows [from, to) in blocks of `size`. */
async function run(options: RiskEngineOptions, size = 1) {
  const bus = createBus();
  const got = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
  const e = new RiskEngine(bus, options).start();
  for (const key of KEYS) await bus.publish('PORTFOLIO_UPDATE', { key, payload: { ...PORTFOLIOS[key], universe: 'stocks' } });
  for (let i = 0; i < N; i += size) {
    const rows = Math.min(size, N - i);
    await bus.publish('RETURNS_UPDATE', {
      key: 'stocks',
      ts: i + rows - 1,
      payload: { assets: ASSETS, returns: block.slice(i * n, (i + rows) * n) },
    });
  }
  await e.close();
  await bus.close();
  return new Map(KEYS.map((key) => [key, new Map(got.filter((m) => m.key === key).map((m) => [m.ts + 1, m.payload]))]));
}

/** A portfolio's returns over the N rows. */
const bookOf = (key: (typeof KEYS)[number]) => ref.portfolioReturns({ data: block, rows: N, cols: n }, weightVector(PORTFOLIOS[key]));

/** A portfolio's returns x 100 over the N rows and a last one (the period after them, never read). */
const percentBook = (key: (typeof KEYS)[number]) => Float64Array.from([...bookOf(key), 0], (x) => 100 * x);

describe('RiskEngine GARCH VaR', async () => {
  const byRow = await run(OPTIONS);

  it.each(KEYS)('%s: each period equal to garchVar on its percent returns (window, refit), and its backtest varBacktest of them', (key) => {
    const y = percentBook(key);
    const v = ref.garchVar(y, { ...MODEL, window: W, refit: REFIT });
    const results = byRow.get(key)!;
    expect(results.size).toBe(N - OPTIONS.minRows! + 1);
    let fittedAt = W;
    let offCadence = 0;
    for (const [T, r] of results) {
      if (T < W) {
        expect(r.garch).toBeUndefined();
        expect(r.garchBacktest).toBeUndefined();
        continue;
      }
      expect(r.garch!.var).toBe(v.var[T] / 100);
      expect(r.garch!.es).toBe(v.es[T] / 100);
      // a refit on the cadence, or off it where the last fit's omega (at its floor) left this window's bounds
      if ((T - W) % REFIT === 0) fittedAt = T;
      else if (r.garch!.sinceRefit === 0) {
        const { mu, omega, alpha, gamma, beta, nu } = results.get(T - 1)!.garch!.params!;
        const params = { mu, omega, alpha: Float64Array.from(alpha), gamma: Float64Array.from(gamma), beta: Float64Array.from(beta), nu };
        expect(() => ref.garchForecast({ returns: y.slice(T - W, T), ...MODEL, params }, { horizon: 1 })).toThrow(/params\.omega/);
        fittedAt = T;
        offCadence++;
      }
      expect(r.garch!.sinceRefit).toBe(T - fittedAt);
      expect(r.garch!.problem).toBeUndefined();
      // the backtest: the periods' returns (fractions) against the GARCH VaR forecast for each, none before the window
      const first = Math.max(OPTIONS.minRows!, T - B);
      const realized = bookOf(key).slice(first, T);
      const forecasts = v.var.slice(first, T).map((x) => x / 100);
      const b = ref.varBacktest(realized, forecasts, { confidence: 0.95, window: B });
      expect(r.garchBacktest).toEqual({
        observations: b.observations,
        window: B,
        exceptions: b.count,
        realized: realized.at(-1),
        var: forecasts.at(-1),
        exception: b.exceptions.at(-1) === 1,
        kupiecPValue: b.kupiecPValue,
        independencePValue: b.independencePValue,
        christoffersenPValue: b.conditionalCoveragePValue,
        zone: TRAFFIC_LIGHT_ZONES[b.zone] ?? 'green',
      });
      // the historical backtest reads the same periods' returns
      expect(r.garchBacktest!.realized).toBe(r.backtest!.realized);
    }
    expect(results.get(N)!.garchBacktest!.observations).toBe(B);
    // long-short's fits put omega at its floor (the best optimum on these 60-return windows), which the next windows' bounds leave
    expect(offCadence).toBe(key === 'long-short' ? OFF_CADENCE : 0);
  });

  it('a refit is garch() on the window warm-started from the last fit; between refits garchForecast at its parameters', () => {
    const y = percentBook('equal');
    const results = byRow.get('equal')!;
    let start: GarchParams | undefined;
    for (let T = W; T <= N; T++) {
      const r = results.get(T)!.garch!;
      const window = y.slice(T - W, T);
      if ((T - W) % REFIT === 0) {
        const fit = ref.garch(window, { ...MODEL, ...(start && { startingValues: start }) });
        expect(r.params).toEqual({
          mu: fit.params.mu,
          omega: fit.params.omega,
          alpha: Array.from(fit.params.alpha),
          gamma: Array.from(fit.params.gamma),
          beta: Array.from(fit.params.beta),
          nu: fit.params.nu,
        });
        expect(r.persistence).toBe(fit.params.alpha[0] + fit.params.gamma[0] / 2 + fit.params.beta[0]);
        expect([r.converged, r.reason]).toEqual([fit.converged, fit.reason]);
        start = fit.params;
      } else expect(r.params).toEqual(results.get(T - 1)!.garch!.params);
      const { mu, omega, alpha, gamma, beta, nu } = r.params!;
      const params = { mu, omega, alpha: Float64Array.from(alpha), gamma: Float64Array.from(gamma), beta: Float64Array.from(beta), nu };
      const f = ref.garchForecast({ returns: window, ...MODEL, params }, { horizon: 1 });
      const [q, eq] = DISTRIBUTIONS[1].tail([r.params!.nu!], 0.05);
      expect(r.var).toBeCloseTo(-(f.mean[0] + Math.sqrt(f.residualVariance[0]) * q) / 100, 15);
      expect(r.es).toBeCloseTo(-(f.mean[0] + Math.sqrt(f.residualVariance[0]) * eq) / 100, 15);
    }
  });

  it('rows in blocks: the same figures for the periods inside a block (each forecast from the window before it)', async () => {
    const byBlock = await run(OPTIONS, 7);
    for (const key of KEYS) {
      const last = byBlock.get(key)!.get(N)!;
      const same = byRow.get(key)!.get(N)!;
      expect(last.garch).toEqual(same.garch);
      expect(last.garchBacktest).toEqual(same.garchBacktest);
    }
  });

  it('a restored engine (whole record, then deltas) gives the figures of one that never stopped', async () => {
    type Hooks = {
      snapshotKey(key: string, type: string): Uint8Array;
      deltaKey(key: string, type: string): Uint8Array | undefined;
      restoreKey(key: string, bytes: Uint8Array, type: string, deltas?: readonly Uint8Array[]): void;
    };
    const hooks = (e: RiskEngine) => e as unknown as Hooks;
    const bus = createBus();
    const a = new RiskEngine(bus, OPTIONS);
    const feed = (e: RiskEngine, from: number, to: number) => {
      for (let i = from; i < to; i++)
        (e as unknown as { process(m: unknown): void }).process({
          type: 'RETURNS_UPDATE',
          key: 'stocks',
          ts: i,
          sentAt: i,
          payload: { assets: ASSETS, returns: block.slice(i * n, (i + 1) * n) },
        });
    };
    for (const key of KEYS)
      (a as unknown as { process(m: unknown): void }).process({
        type: 'PORTFOLIO_UPDATE',
        key,
        ts: 0,
        sentAt: 0,
        payload: { ...PORTFOLIOS[key], universe: 'stocks' },
      });
    feed(a, 0, 71);
    const whole = hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE');
    feed(a, 71, 76);
    const delta1 = hooks(a).deltaKey('stocks', 'RETURNS_UPDATE')!;
    // new weights between two records: the forecast of period 76 is computed again with them (no refit)
    (a as unknown as { process(m: unknown): void }).process({
      type: 'PORTFOLIO_UPDATE',
      key: 'equal',
      ts: 0,
      sentAt: 0,
      payload: { weights: { AAA: 0.5, CCC: 0.5 }, universe: 'stocks' },
    });
    feed(a, 76, 83);
    const delta2 = hooks(a).deltaKey('stocks', 'RETURNS_UPDATE')!;
    expect(new DataView(delta2.buffer, delta2.byteOffset).getUint32(4, true)).toBe(2); // a delta with the GARCH states
    const b = new RiskEngine(bus, OPTIONS);
    hooks(b).restoreKey('stocks', whole, 'RETURNS_UPDATE', [delta1, delta2]);
    for (const key of KEYS) hooks(b).restoreKey(key, hooks(a).snapshotKey(key, 'PORTFOLIO_UPDATE'), 'PORTFOLIO_UPDATE');
    const figures = (e: RiskEngine) => KEYS.map((key) => e.portfolios().get(key)!.figures);
    expect(figures(b)).toEqual(figures(a));
    // the same state: each fit and each forecast the backtests read (period 76's with the new weights included)
    expect(hooks(b).snapshotKey('stocks', 'RETURNS_UPDATE')).toEqual(hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE'));
    for (let i = 83; i < N; i++) {
      feed(a, i, i + 1);
      feed(b, i, i + 1);
      expect(figures(b)).toEqual(figures(a));
    }
    expect(figures(a)[0]!.garchBacktest!.observations).toBe(B);
    // the portfolio whose weights did not change: the engine fed by the bus, which never stopped either
    expect(figures(a)[1]!.garch).toEqual(byRow.get('long-short')!.get(N)!.garch);
    // a record of another model or refit restores no GARCH state: that engine starts its own at the next row
    const c = new RiskEngine(bus, { ...OPTIONS, var: { method: 'garch', refit: 3 } });
    hooks(c).restoreKey('stocks', hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE'), 'RETURNS_UPDATE');
    for (const key of KEYS) hooks(c).restoreKey(key, hooks(a).snapshotKey(key, 'PORTFOLIO_UPDATE'), 'PORTFOLIO_UPDATE');
    // (it forecasts again from the first period with a full window in the history it restored, 63 = 83 - 80 + W)
    expect(c.portfolios().get('equal')!.figures!.garch!.sinceRefit).toBe((83 - 63) % 3);
    expect(c.portfolios().get('equal')!.figures!.garchBacktest!.observations).toBe(B);
    // an engine without the GARCH VaR reads version 2 records as the universe they hold
    const d = new RiskEngine(bus, { ...OPTIONS, var: { method: 'historical' } });
    hooks(d).restoreKey('stocks', hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE'), 'RETURNS_UPDATE');
    expect(d.universes().get('stocks')!.window.matrix()).toEqual(a.universes().get('stocks')!.window.matrix());
    await bus.close();
  });

  it('a series the model cannot fit (constant returns) says why, with no VaR and no NaN parameters; the other figures stay', async () => {
    const bus = createBus();
    const got = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    const engine = new RiskEngine(bus, { ...OPTIONS, var: { method: 'garch' } }).start();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'flat', payload: { weights: { AAA: 0 }, universe: 'stocks' } });
    await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: W, payload: { assets: ASSETS, returns: block.slice(0, W * n) } });
    await engine.close();
    await bus.close();
    const r = got.at(-1)!.payload;
    expect(r.garch).toEqual({
      var: NaN,
      es: NaN,
      persistence: NaN,
      converged: false,
      reason: 'not fitted',
      sinceRefit: NaN,
      problem: 'returns: expected a series whose mean model leaves residuals (not constant), got residuals all 0',
    });
    expect(r.historical.var).toBe(0);
  });

  it('refuses bad options, naming them', () => {
    const bus = createBus();
    const make =
      (v: unknown, extra: RiskEngineOptions = {}) =>
      () =>
        new RiskEngine(bus, { ...extra, var: v as RiskEngineOptions['var'] });
    expect(make('garch')).toThrow(
      /^options.var: expected \{ method: 'historical' \} or \{ method: 'garch', ...model, refit\? \}, got "garch"$/,
    );
    expect(make({ method: 'ewma' })).toThrow(/^options.var.method: expected 'historical' or 'garch', got "ewma"$/);
    expect(make({ method: 'garch', window: 500 })).toThrow(
      /^options.var: expected only the options method, vol, p, o, q, mean, lags, dist, refit, got unknown option "window"$/,
    );
    expect(make({ method: 'historical', dist: 't' })).toThrow(/^options.var: expected only the options method, got unknown option "dist"$/);
    expect(make({ method: 'garch', refit: 0 })).toThrow(
      /^options.var.refit: expected an integer in \[1, 1000000\] \(periods between refits\), got 0$/,
    );
    expect(make({ method: 'garch', refit: 1.5 })).toThrow(/^options.var.refit: expected an integer/);
    expect(make({ method: 'garch', dist: 'cauchy' })).toThrow(
      /^options.var.dist: expected one of 'normal', 't', 'skewt', 'ged', got "cauchy"$/,
    );
    expect(make({ method: 'garch', vol: 'figarch' })).toThrow(
      /^options.var.vol: expected one of 'garch', 'gjr', 'egarch', 'aparch', got "figarch"$/,
    );
    expect(make({ method: 'garch', p: 0 })).toThrow(/^options.var.p: expected an integer in \[1, 20\], got 0$/);
    expect(make({ method: 'garch', dist: 'skewt' }, { window: 7 })).toThrow(
      /^options.window: expected at least 8 rows \(the fewest returns of the GARCH model of options.var\), got 7$/,
    );
    expect(make({ method: 'historical' })).not.toThrow();
    void bus.close();
  });
});

describe('the volatility kernels the GARCH VaR calls', () => {
  const y = percentBook('equal').slice(0, W);
  it("garch({ startingValues }): a feasible start warm-starts the fit, an infeasible one falls back to arch's starting values", () => {
    const cold = ref.garch(y);
    const warm = ref.garch(y, { startingValues: cold.params });
    expect(warm.logLikelihood).toBeGreaterThanOrEqual(cold.logLikelihood - 1e-9);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    const outside = { ...cold.params, beta: Float64Array.of(1.5) };
    expect(ref.garch(y, { startingValues: outside })).toEqual(cold);
  });

  it("a fit's optimum on a linear constraint up to rounding (alpha + gamma = -2e-18) filters and forecasts; a real breach does not", () => {
    const params = { mu: 0, omega: 0.05, alpha: Float64Array.of(0), gamma: Float64Array.of(-2.2e-18), beta: Float64Array.of(0.9) };
    expect(ref.garchFilter(y, { vol: 'gjr', params }).logLikelihood).toBeLessThan(0);
    expect(() => ref.garchForecast({ returns: y, vol: 'gjr', params: { ...params, gamma: Float64Array.of(-1e-9) } })).toThrow(
      /^source.params.gamma\[0\]: expected alpha\[0\] \+ gamma\[0\] >= 0, got -1e-9$/,
    );
  });
});

describeEachBackend(
  'RiskEngine GARCH VaR',
  (k, backend, supports) => {
    it.runIf(supports('garch', 'garchForecast', 'garchVar', 'portfolioReturns', 'valueAtRisk', 'performanceStats', 'varBacktest'))(
      "equals this backend's garchVar to 1e-12 relative",
      async () => {
        const results = await run({ ...OPTIONS, backend });
        let worst = 0;
        for (const key of KEYS) {
          const v = k.garchVar(percentBook(key), { ...MODEL, window: W, refit: REFIT });
          for (const [T, r] of results.get(key)!) {
            if (T < W) continue;
            expect(r.garch!.problem).toBeUndefined();
            for (const [got, want] of [
              [r.garch!.var, v.var[T] / 100],
              [r.garch!.es, v.es[T] / 100],
            ])
              worst = Math.max(worst, Math.abs(got - want) / Math.abs(want));
          }
        }
        expect(worst).toBeLessThan(1e-12);
      },
    );
  },
  'volatility',
);
