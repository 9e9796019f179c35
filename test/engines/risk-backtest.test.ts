/**
 * RiskEngine's VaR backtest and rolling figures: each period's portfolio return against the historical
 * VaR the engine published for it (recomputed directly: valueAtRisk over the window before the
 * period), varBacktest over the last backtestWindow periods, the zone's RISK_ALERT when it turns yellow
 * or red (once per step up), rolling Sharpe and beta against the benchmark asset.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { RiskEngine, type RiskAlert, type RiskResult } from '../../src/engines/index.js';
import { TRAFFIC_LIGHT_ZONES } from '../../src/kernels/risk/risk-analytics.js';
import { kernels } from '../../src/index.js';
import { ASSETS, collect, PORTFOLIOS, row, seededReturns, weightVector } from './risk-helpers.js';

const T0 = 1_700_000_000_000;
const ref = kernels({ backend: 'reference' });
const OPTIONS = {
  backend: 'reference' as const,
  window: 10,
  minRows: 5,
  backtestWindow: 20,
  benchmark: 'AAA',
  rollingWindow: 8,
  heartbeatMs: 0,
};

/** The backtest of a portfolio after `rows` rows of `block`, computed directly. */
function expectedBacktest(block: Float64Array, rows: number, weights: Float64Array) {
  const n = ASSETS.length;
  const book = ref.portfolioReturns({ data: block.slice(0, rows * n), rows, cols: n }, weights);
  const first = Math.max(OPTIONS.minRows, rows - OPTIONS.backtestWindow);
  const realized = book.slice(first, rows);
  const forecasts = Float64Array.from({ length: rows - first }, (_, j) => {
    const t = first + j;
    return ref.valueAtRisk(book.slice(Math.max(0, t - OPTIONS.window), t), { method: 'historical', confidence: 0.95 }).var;
  });
  const b = ref.varBacktest(realized, forecasts, { confidence: 0.95, window: OPTIONS.backtestWindow });
  return {
    observations: b.observations,
    window: OPTIONS.backtestWindow,
    exceptions: b.count,
    realized: realized[realized.length - 1],
    var: forecasts[forecasts.length - 1],
    exception: b.exceptions[b.exceptions.length - 1] === 1,
    kupiecPValue: b.kupiecPValue,
    independencePValue: b.independencePValue,
    christoffersenPValue: b.conditionalCoveragePValue,
    zone: TRAFFIC_LIGHT_ZONES[b.zone],
  };
}

describe('RiskEngine backtest', () => {
  it("publishes each period's return against the VaR it published for it, the backtest over the last periods, rolling Sharpe and beta", async () => {
    const bus = createBus();
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    const engine = new RiskEngine(bus, OPTIONS).start();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'equal', payload: { ...PORTFOLIOS.equal, universe: 'stocks' } });
    const block = seededReturns(45);
    for (let i = 0; i < 45; i++)
      await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i, payload: { assets: ASSETS, returns: row(block, i) } });
    await engine.close();
    await bus.close();
    const w = weightVector(PORTFOLIOS.equal);
    const n = ASSETS.length;
    let checked = 0;
    for (const m of results) {
      const rows = m.ts - T0 + 1;
      if (rows <= OPTIONS.minRows) {
        expect(m.payload.backtest).toBeUndefined();
        continue;
      }
      expect(m.payload.backtest).toEqual(expectedBacktest(block, rows, w));
      if (rows >= OPTIONS.rollingWindow) {
        const last = { data: block.slice((rows - 8) * n, rows * n), rows: 8, cols: n };
        const book = ref.portfolioReturns(last, w);
        const market = Float64Array.from({ length: 8 }, (_, j) => last.data[j * n]);
        expect(m.payload.rolling).toEqual({
          benchmark: 'AAA',
          window: 8,
          sharpe: ref.performanceStats(book).sharpe,
          beta: ref.relativeStats(book, market).beta,
        });
      } else expect(m.payload.rolling).toBeUndefined();
      checked++;
    }
    expect(checked).toBe(45 - OPTIONS.minRows);
    // the history holds window + backtestWindow rows: 30 of the 45
    expect(results.at(-1)!.payload.backtest!.observations).toBe(20);
  });

  it('each period with the weights in force in it: a change of weights leaves the earlier periods as published, a portfolio is backtested from its first update', async () => {
    const bus = createBus();
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    const engine = new RiskEngine(bus, OPTIONS).start();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'switch', payload: { ...PORTFOLIOS.equal, universe: 'stocks' } });
    const block = seededReturns(45);
    for (let i = 0; i < 45; i++) {
      // after 30 rows 'switch' changes its weights; 'late' appears after 33 (each once the engine has the
      // rows before: the two inputs travel on two buses, the engine applies them in the order it gets them)
      if (i === 30 || i === 33) await bus.drain();
      if (i === 30) await bus.publish('PORTFOLIO_UPDATE', { key: 'switch', payload: { ...PORTFOLIOS.concentrated, universe: 'stocks' } });
      if (i === 33) await bus.publish('PORTFOLIO_UPDATE', { key: 'late', payload: { ...PORTFOLIOS['long-short'], universe: 'stocks' } });
      await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i, payload: { assets: ASSETS, returns: row(block, i) } });
    }
    await engine.close();
    await bus.close();
    const n = ASSETS.length;
    const all = { data: block, rows: 45, cols: n };
    const bookOf = (p: string) => ref.portfolioReturns(all, weightVector(PORTFOLIOS[p]));
    const [equal, concentrated, longShort] = [bookOf('equal'), bookOf('concentrated'), bookOf('long-short')];
    /** The backtest after 45 rows of a portfolio holding `bookAt(t)`'s weights in period t (undefined: none). */
    const expected = (bookAt: (t: number) => Float64Array | undefined) => {
      const first = 45 - OPTIONS.backtestWindow;
      const realized = new Float64Array(45 - first).fill(NaN);
      const forecasts = new Float64Array(45 - first).fill(NaN);
      for (let t = first; t < 45; t++) {
        const book = bookAt(t);
        if (!book) continue;
        realized[t - first] = book[t];
        forecasts[t - first] = ref.valueAtRisk(book.slice(t - OPTIONS.window, t), { method: 'historical', confidence: 0.95 }).var;
      }
      const b = ref.varBacktest(realized, forecasts, { confidence: 0.95, window: OPTIONS.backtestWindow });
      return { observations: b.observations, exceptions: b.count, kupiecPValue: b.kupiecPValue, var: forecasts.at(-1) };
    };
    const last = (key: string) => {
      const b = results.filter((m) => m.key === key).at(-1)!.payload.backtest!;
      return { observations: b.observations, exceptions: b.exceptions, kupiecPValue: b.kupiecPValue, var: b.var };
    };
    expect(last('switch')).toEqual(expected((t) => (t < 30 ? equal : concentrated)));
    expect(last('late')).toEqual(expected((t) => (t < 33 ? undefined : longShort)));
    expect(last('late').observations).toBe(12);
    // not the current weights over every period (what the backtest computed before)
    expect(last('switch')).not.toEqual(expected(() => concentrated));
    // the result of the update itself (after 30 rows): its last period, 29, with the weights held in it
    const atSwitch = results.filter((m) => m.key === 'switch' && m.ts === T0 + 29);
    expect(atSwitch).toHaveLength(2);
    expect(atSwitch[1].payload.backtest!.realized).toBe(equal[29]);
    expect(atSwitch[1].payload.historical.var).toBe(
      ref.valueAtRisk(concentrated.slice(20, 30), { method: 'historical', confidence: 0.95 }).var,
    );
  });

  it('a RISK_ALERT when the zone of a full backtest window turns yellow, another when it turns red; none while it stays', async () => {
    const bus = createBus();
    const alerts = collect<RiskAlert>(bus, 'RISK_ALERT');
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    const engine = new RiskEngine(bus, OPTIONS).start();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'equal', payload: { ...PORTFOLIOS.equal, universe: 'stocks' } });
    const block = seededReturns(40).map((x) => x / 10); // calm: no limit, no exception to speak of
    for (let i = 25; i < 40; i++) for (let j = 0; j < ASSETS.length; j++) block[i * ASSETS.length + j] = -0.05 - 0.001 * i; // a crash
    for (let i = 0; i < 40; i++)
      await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i, payload: { assets: ASSETS, returns: row(block, i) } });
    await engine.close();
    await bus.close();
    const zones = results.map((m) => m.payload.backtest?.zone);
    const backtestAlerts = alerts.filter((a) => a.payload.reason === 'backtest');
    expect(backtestAlerts.map((a) => a.payload.zone)).toEqual(['yellow', 'red']);
    // each alert at the first result in its zone
    for (const a of backtestAlerts) {
      const at = results.findIndex((m) => m.ts === a.ts);
      expect(zones[at]).toBe(a.payload.zone);
      const before = results[at - 1].payload.backtest!; // the result before: another zone, or a window not yet full
      expect(before.zone !== a.payload.zone || before.observations < 20).toBe(true);
      expect(a.payload.exceptions).toBe(results[at].payload.backtest!.exceptions);
    }
    expect(engine.portfolios().get('equal')!.zone).toBe(2);
    expect(engine.metrics().extra.backtestAlerts).toBe(2);
    // before the backtest holds 20 periods (25 rows) its zone raises no alert
    expect(backtestAlerts.every((a) => a.ts - T0 + 1 >= 25)).toBe(true);
  });

  it('refuses bad backtest options, naming them', () => {
    const bus = createBus();
    expect(() => new RiskEngine(bus, { backtestWindow: -1 })).toThrow(
      /^options.backtestWindow: expected an integer in \[0, 1000000\], got -1$/,
    );
    expect(() => new RiskEngine(bus, { window: 10, backtestWindow: 5, rollingWindow: 16 })).toThrow(
      /^options.rollingWindow: expected an integer in \[2, 15\] \(window \+ backtestWindow\), got 16$/,
    );
    expect(() => new RiskEngine(bus, { benchmark: '' })).toThrow(/^options.benchmark: expected an asset name, got ""$/);
    // the rolling window's default shrinks to what a universe keeps: a short window is no error of an option not given
    expect(() => new RiskEngine(bus, { window: 10, backtestWindow: 5 })).not.toThrow();
    expect(() => new RiskEngine(bus, { periodsPerYear: 0 })).toThrow(/^options.periodsPerYear: expected a finite number > 0, got 0$/);
    void bus.close();
  });
});
