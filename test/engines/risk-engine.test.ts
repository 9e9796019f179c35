import { describe, expect, it } from 'vitest';
import { createBus, type Bus, type BusMessage } from '../../src/bus/index.js';
import { RiskEngine, type RiskAlert, type RiskResult } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { kernels } from '../../src/index.js';
import { TestTransport } from '../bus/helpers.js';
import { ASSETS, collect, expectedFigures, figures, PORTFOLIOS, row, seededReturns, weightVector } from './risk-helpers.js';
import { completeBackends } from '../helpers/backends.js';
import { decodePortfolio, encodePortfolio } from '../../src/engines/risk-messages.js';
import { encodeState } from '../../src/engines/state-codec.js';

const available = completeBackends('risk');
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/** Publishes the portfolios (all on universe 'stocks'), then `rows` rows of `block` one by one (ts = T0 + i days). */
async function feed(bus: Bus, block: Float64Array, rows: number, first = 0) {
  for (let i = first; i < first + rows; i++) {
    await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + i * DAY, payload: { assets: ASSETS, returns: row(block, i) } });
  }
}

async function portfolios(bus: Bus) {
  for (const [key, p] of Object.entries(PORTFOLIOS)) await bus.publish('PORTFOLIO_UPDATE', { key, payload: { ...p, universe: 'stocks' } });
}

describe.each(available)('RiskEngine on the %s backend', (backend) => {
  const direct = kernels({ backend });

  it("publishes exactly the kernels' VaR/ES and volatility over the rolling window after every row", async () => {
    const window = 30;
    const minRows = 5;
    const block = seededReturns(70);
    const bus = createBus();
    const engine = new RiskEngine(bus, { backend, window, minRows, heartbeatMs: 0 }).start();
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    await portfolios(bus);
    await bus.drain();
    await feed(bus, block, 70);
    await engine.close();
    await bus.close();
    for (const [key, p] of Object.entries(PORTFOLIOS)) {
      const mine = results.filter((m) => m.key === key);
      expect(mine).toHaveLength(70 - minRows + 1);
      mine.forEach((m, j) => {
        const t = minRows + j; // rows applied
        expect(m.ts).toBe(T0 + (t - 1) * DAY);
        expect(m.bus).toBe('compute');
        expect(figures(m.payload)).toEqual(expectedFigures(direct, block, Math.max(0, t - window), t, weightVector(p)));
        expect(m.payload).toMatchObject({ source: 'risk', engine: 'risk', universe: 'stocks', ...(p.limit ? { limit: p.limit } : {}) });
      });
      expect(Number.isFinite(mine[mine.length - 1].payload.historical.var)).toBe(true);
    }
    expect(engine.metrics()).toMatchObject({ processed: 73, errors: 0, duplicates: 0, keys: 4 });
    expect(engine.metrics().extra).toMatchObject({ rows: 70, results: 3 * 66, universes: 1, portfolios: 3 });
  });

  it('one-row and block updates give the same figures; a block longer than the window keeps its last rows', async () => {
    const block = seededReturns(60, ASSETS.length, 9);
    const run = async (chunks: number[]) => {
      const bus = createBus();
      const engine = new RiskEngine(bus, { backend, window: 25, minRows: 10, heartbeatMs: 0 }).start();
      const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
      await portfolios(bus);
      let at = 0;
      for (const rows of chunks) {
        const returns = block.slice(at * ASSETS.length, (at + rows) * ASSETS.length);
        await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + (at + rows) * DAY, payload: { assets: ASSETS, returns } });
        at += rows;
      }
      await engine.close();
      await bus.close();
      const u = engine.universes().get('stocks')!;
      return { results, window: u.window.matrix(), total: u.window.total, portfolios: engine.portfolios() };
    };
    const single = await run(Array(60).fill(1));
    const blocks = await run([3, 30, 1, 26]);
    const numbers = await run([40, 20]);
    for (const other of [blocks, numbers]) {
      expect(other.total).toBe(60);
      expect(other.window).toEqual(single.window);
      for (const key of Object.keys(PORTFOLIOS)) expect(other.portfolios.get(key)!.figures).toEqual(single.portfolios.get(key)!.figures);
    }
    // The window holds the last 25 rows, oldest first.
    expect(single.window).toEqual({ data: block.slice(35 * ASSETS.length), rows: 25, cols: ASSETS.length });
    expect(single.results.filter((m) => m.key === 'equal')).toHaveLength(51);
    expect(blocks.results.filter((m) => m.key === 'equal')).toHaveLength(3);
  });
});

describe('RiskEngine', () => {
  const ref = kernels({ backend: 'reference' });

  it('evicts the oldest rows: after window + k rows the window is the last `window` rows', async () => {
    const block = seededReturns(47);
    const bus = createBus();
    const engine = new RiskEngine(bus, { backend: 'reference', window: 20, heartbeatMs: 0 }).start();
    await feed(bus, block, 47);
    await engine.close();
    await bus.close();
    const w = engine.universes().get('stocks')!.window;
    expect(w.total).toBe(47);
    expect(w.matrix()).toEqual({ data: block.slice(27 * ASSETS.length), rows: 20, cols: ASSETS.length });
    expect(engine.metrics().extra.results).toBe(0); // no portfolios
  });

  it('raises RISK_ALERT (high priority) when the historical VaR reaches the limit, again only after it fell below', async () => {
    // One asset: calm days, then a run of losses that pushes the VaR above 2%, calm again until the losses
    // leave the 10-day window, and a second run.
    const days = [
      ...Array(12).fill(0.001),
      ...Array(4).fill(-0.05),
      ...Array(14).fill(0.002),
      ...Array(3).fill(-0.04),
      ...Array(12).fill(0.001),
    ];
    const returns = Float64Array.from(days, (r, i) => r * (1 + (i % 3) * 0.1));
    const bus = createBus();
    const engine = new RiskEngine(bus, { backend: 'reference', window: 10, minRows: 5, heartbeatMs: 0 }).start();
    const alerts = collect<RiskAlert>(bus, 'RISK_ALERT');
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    await bus.publish('PORTFOLIO_UPDATE', { key: 'solo', payload: { weights: { X: 1 }, limit: 0.02 } });
    for (let i = 0; i < returns.length; i++) {
      await bus.publish('RETURNS_UPDATE', { key: 'default', ts: T0 + i, payload: { assets: ['X'], returns: [returns[i]] } });
    }
    await engine.close();
    await bus.close();
    // The rising edges of VaR >= limit, computed directly.
    const expected: number[] = [];
    let above = false;
    for (let t = 5; t <= returns.length; t++) {
      const v = ref.valueAtRisk(returns.slice(Math.max(0, t - 10), t), { method: 'historical' }).var;
      if (v >= 0.02 && !above) expected.push(t - 1);
      above = v >= 0.02;
    }
    expect(expected).toHaveLength(2);
    expect(alerts.map((a) => a.ts - T0)).toEqual(expected);
    for (const a of alerts) {
      expect(a.priority).toBe('high');
      expect(a.bus).toBe('logic');
      const r = results.find((m) => m.ts === a.ts)!.payload;
      expect(a.payload).toEqual({
        source: 'risk',
        engine: 'risk',
        universe: 'default',
        var: r.historical.var,
        limit: 0.02,
        confidence: 0.95,
        rows: 10,
      });
    }
    expect(engine.portfolios().get('solo')).toMatchObject({ alerts: 2, alerting: false });
    expect(engine.metrics().extra.alerts).toBe(2);
  });

  it('applies a weights update mid-stream: at once on the current window, then on every row', async () => {
    const block = seededReturns(40);
    const bus = createBus();
    const engine = new RiskEngine(bus, { backend: 'reference', window: 15, minRows: 5, heartbeatMs: 0 }).start();
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    const before = { weights: { AAA: 1 } };
    const after = { weights: { BBB: 0.5, EEE: 0.5 }, limit: 0.5 };
    await bus.publish('PORTFOLIO_UPDATE', { key: 'p', payload: { ...before, universe: 'stocks' } });
    await feed(bus, block, 25);
    await bus.drain();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'p', payload: { ...after, universe: 'stocks' } });
    await feed(bus, block, 15, 25);
    await engine.close();
    await bus.close();
    expect(results).toHaveLength(21 + 1 + 15);
    expect(figures(results[20].payload)).toEqual(expectedFigures(ref, block, 10, 25, weightVector(before)));
    expect(figures(results[21].payload)).toEqual(expectedFigures(ref, block, 10, 25, weightVector(after))); // the update's own result
    expect(results[21].payload.limit).toBe(0.5);
    expect(figures(results[36].payload)).toEqual(expectedFigures(ref, block, 25, 40, weightVector(after)));
    expect(engine.portfolios().get('p')).toMatchObject({ universe: 'stocks', limit: 0.5, assets: ['BBB', 'EEE'] });
  });

  it('takes the assets of a later update in any order', async () => {
    const block = seededReturns(8);
    const bus = createBus();
    const engine = new RiskEngine(bus, { backend: 'reference', window: 10, minRows: 2, heartbeatMs: 0 }).start();
    await feed(bus, block, 4);
    const reversed = [...ASSETS].reverse();
    for (let i = 4; i < 8; i++) {
      await bus.publish('RETURNS_UPDATE', {
        key: 'stocks',
        ts: T0 + i * DAY,
        payload: { assets: reversed, returns: row(block, i).reverse() },
      });
    }
    await engine.close();
    await bus.close();
    expect(engine.universes().get('stocks')!.window.matrix().data).toEqual(block);
  });

  it('skips a RETURNS_UPDATE stored twice (a publish retried after an ambiguous failure) as republished', async () => {
    const block = seededReturns(4);
    const md = new TestTransport();
    md.storeThenFail.add(2); // the second row is stored, then reported failed: the bus sends it again
    const bus = createBus({ transports: { marketdata: md }, retryMs: 1 });
    const engine = new RiskEngine(bus, { backend: 'reference', window: 10, minRows: 2, heartbeatMs: 0 }).start();
    for (let i = 0; i < 4; i++) {
      await feed(bus, block, 1, i);
      await bus.drain();
    }
    await engine.close();
    await bus.close();
    expect(md.delivered).toHaveLength(5);
    expect(engine.metrics()).toMatchObject({ processed: 5, duplicates: 0 });
    expect(engine.metrics().extra).toMatchObject({ rows: 4, republished: 1 });
    expect(engine.universes().get('stocks')!.window.matrix().data).toEqual(block);
    await md.close();
  });

  it('checks its options: KernelInputError naming the option', async () => {
    const bus = createBus();
    const bad: [object, RegExp][] = [
      [{ window: 1 }, /^options.window: expected an integer in \[2, 1000000\], got 1$/],
      [{ window: 2.5 }, /^options.window: expected an integer in \[2, 1000000\], got 2.5$/],
      [{ window: 10, minRows: 11 }, /^options.minRows: expected an integer in \[2, 10\] \(the window\), got 11$/],
      [{ minRows: 1 }, /^options.minRows: expected an integer in \[2, 250\] \(the window\), got 1$/],
      [{ confidence: 1 }, /^options.confidence: expected a number in \(0, 1\), got 1$/],
      [{ universe: '' }, /^options.universe: expected a non-empty string, got ""$/],
      [
        { portfolioInput: 'RETURNS_UPDATE' },
        /^options.portfolioInput: expected a type other than options.returnsInput, got "RETURNS_UPDATE"$/,
      ],
      [{ heartbeatMs: -1 }, /^options.heartbeatMs: expected a number >= 0, got -1$/],
      [{ backend: 'gpu' }, /^options.backend: expected 'auto' or one of/],
    ];
    for (const [options, message] of bad) {
      expect(() => new RiskEngine(bus, options)).toThrow(KernelInputError);
      expect(() => new RiskEngine(bus, options)).toThrow(message);
    }
    expect(() => new RiskEngine(bus, { window: 10 })).not.toThrow(); // minRows defaults to min(20, window)
    // Checkpoints need Redis for both inputs: off by default in process, an explicit period refused.
    expect(new RiskEngine(bus, { heartbeatMs: 0 }).start().checkpoints).toBe(false);
    expect(() => new RiskEngine(bus, { name: 'r2', checkpointMs: 100 }).start()).toThrow(
      /^options.checkpointMs: expected an engine and bus that can checkpoint \(or 0\), got bus logic on a memory transport \(checkpoints need Redis\)$/,
    );
    await bus.close();
  });

  it('a bad update fails (counted, dead-lettered at once: no retry cures it) without changing state; the engine goes on', async () => {
    const errors: Error[] = [];
    const bus = createBus({ onError: (e) => void errors.push(e as Error) });
    const engine = new RiskEngine(bus, { backend: 'reference', window: 10, minRows: 2, heartbeatMs: 0 }).start();
    const dead: BusMessage[] = [];
    for (const type of ['RETURNS_UPDATE', 'PORTFOLIO_UPDATE'])
      bus.subscribe(type, (m) => void dead.push(m), { deadLetters: true, group: 'ops' });
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    const block = seededReturns(3);
    await feed(bus, block, 2);
    const bad: [string, string, unknown, string][] = [
      [
        'RETURNS_UPDATE',
        'stocks',
        { assets: ASSETS, returns: [1, 2] },
        'payload.returns: expected rows x 5 values (one per asset per row), got length 2',
      ],
      [
        'RETURNS_UPDATE',
        'stocks',
        { assets: ASSETS, returns: [0, 0, Infinity, 0, 0] },
        'payload.returns: expected finite returns (NaN for a missing one), got returns[2] = Infinity',
      ],
      [
        'RETURNS_UPDATE',
        'stocks',
        { assets: ['AAA', 'BBB', 'CCC', 'DDD', 'ZZZ'], returns: [0, 0, 0, 0, 0] },
        "payload.assets: expected the 5 assets of universe 'stocks' (set by its first update), got 'ZZZ', which is not one of them",
      ],
      ['RETURNS_UPDATE', 'other', 'rows', 'payload: expected a RETURNS_UPDATE { assets, returns }, got "rows"'],
      [
        'PORTFOLIO_UPDATE',
        'p',
        { weights: { AAA: 0.5, QQQ: 0.5 }, universe: 'stocks' },
        "payload.weights.QQQ: expected an asset of universe 'stocks', got an asset it does not have",
      ],
      ['PORTFOLIO_UPDATE', 'q', { weights: { AAA: NaN }, universe: 'stocks' }, 'payload.weights.AAA: expected a finite number, got NaN'],
      [
        'PORTFOLIO_UPDATE',
        'r',
        { weights: { AAA: 1 }, limit: -0.1 },
        'payload.limit: expected a finite number > 0 (a loss fraction), got -0.1',
      ],
    ];
    for (const [type, key, payload] of bad) await bus.publish(type, { key, payload });
    await bus.drain();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'p', payload: { weights: { AAA: 1 }, universe: 'stocks' } });
    await feed(bus, block, 1, 2);
    await engine.close();
    await bus.close();
    expect(engine.metrics()).toMatchObject({ errors: bad.length, processed: 4 });
    expect(dead.map((m) => [m.type, m.key])).toEqual(expect.arrayContaining(bad.map(([type, key]) => [type, key])));
    expect(dead).toHaveLength(bad.length);
    for (const [, , , message] of bad) expect(errors.map((e) => e.message)).toContain(message);
    expect(errors.every((e) => e instanceof KernelInputError)).toBe(true);
    expect(engine.universes().get('stocks')!.window.total).toBe(3);
    expect([...engine.portfolios().keys()]).toEqual(['p']);
    expect(results.map((m) => m.key)).toEqual(['p', 'p']);
  });

  it('a portfolio that arrives before its universe and names an asset it lacks gets no figures (counted as unmatched)', async () => {
    const bus = createBus();
    const engine = new RiskEngine(bus, { backend: 'reference', window: 10, minRows: 2, heartbeatMs: 0 }).start();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'early', payload: { weights: { AAA: 0.5, QQQ: 0.5 }, universe: 'stocks' } });
    await bus.publish('PORTFOLIO_UPDATE', { key: 'fine', payload: { weights: { AAA: 1 }, universe: 'stocks' } });
    await bus.drain();
    await feed(bus, seededReturns(3), 3);
    await engine.close();
    await bus.close();
    expect(engine.portfolios().get('early')).toMatchObject({ figures: undefined, problem: "asset 'QQQ' is not in universe 'stocks'" });
    expect(engine.portfolios().get('fine')!.figures).toBeDefined();
    expect(engine.metrics().extra).toMatchObject({ unmatched: 2, results: 2 });
  });

  it('never applies a redelivered entry twice (idempotent per entry id)', async () => {
    const block = seededReturns(30);
    const md = new TestTransport();
    const logic = new TestTransport();
    md.duplicate = true;
    logic.duplicate = true;
    const bus = createBus({ transports: { marketdata: md, logic } });
    const engine = new RiskEngine(bus, { backend: 'reference', window: 20, minRows: 5, heartbeatMs: 0 }).start();
    const results = collect<RiskResult>(bus, 'ANALYTICS_RESULT');
    await portfolios(bus);
    await feed(bus, block, 30);
    await engine.close();
    await bus.close();
    expect(engine.metrics()).toMatchObject({ processed: 33, duplicates: 33 });
    expect(engine.universes().get('stocks')!.window.total).toBe(30);
    expect(results.filter((m) => m.key === 'equal')).toHaveLength(26);
    await md.close();
    await logic.close();
  });

  it('snapshots and restores universes and portfolios (magic and version checked); the figures follow', async () => {
    const block = seededReturns(30);
    const bus = createBus();
    const a = new RiskEngine(bus, { backend: 'reference', window: 20, minRows: 5, heartbeatMs: 0 }).start();
    await portfolios(bus);
    await feed(bus, block, 30);
    // a change of weights: the portfolio's state holds both, the first held from period 0, the second from 30
    await bus.drain();
    await bus.publish('PORTFOLIO_UPDATE', { key: 'equal', payload: { ...PORTFOLIOS.concentrated, universe: 'stocks' } });
    await a.close();
    const held = (a.portfolios().get('equal') as unknown as { held: { from: number; assets: string[] }[] }).held;
    expect(held.map((h) => [h.from, h.assets.length])).toEqual([
      [0, ASSETS.length],
      [30, 1],
    ]);
    type Hooks = { snapshotKey(key: string, type: string): Uint8Array; restoreKey(key: string, bytes: Uint8Array, type: string): void };
    const hooks = (e: RiskEngine) => e as unknown as Hooks;
    const b = new RiskEngine(bus, { backend: 'reference', window: 20, minRows: 5, heartbeatMs: 0 });
    hooks(b).restoreKey('stocks', hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE'), 'RETURNS_UPDATE');
    for (const key of Object.keys(PORTFOLIOS)) hooks(b).restoreKey(key, hooks(a).snapshotKey(key, 'PORTFOLIO_UPDATE'), 'PORTFOLIO_UPDATE');
    expect(b.universes()).toEqual(a.universes());
    expect([...b.portfolios()].map(([k, p]) => [k, { ...p, alerts: 0 }])).toEqual(
      [...a.portfolios()].map(([k, p]) => [k, { ...p, alerts: 0 }]),
    );
    // A smaller window keeps the last rows.
    const c = new RiskEngine(bus, { backend: 'reference', window: 8, minRows: 5, heartbeatMs: 0 });
    hooks(c).restoreKey('stocks', hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE'), 'RETURNS_UPDATE');
    expect(c.universes().get('stocks')!.window.matrix()).toEqual({ data: block.slice(22 * ASSETS.length), rows: 8, cols: ASSETS.length });
    expect(() => hooks(b).restoreKey('stocks', new Uint8Array(16), 'RETURNS_UPDATE')).toThrow(
      /^bytes: expected a RiskEngine universe state \(version 1\), got/,
    );
    expect(() => hooks(b).restoreKey('p', hooks(a).snapshotKey('stocks', 'RETURNS_UPDATE'), 'PORTFOLIO_UPDATE')).toThrow(
      /^bytes: expected a RiskEngine portfolio state \(version 2\), got other bytes$/,
    );
    // a version-1 state (the weights alone, before the backtest kept earlier weights): held from period 0
    const v1 = encodeState(0x5052424b, 1, [0.05], ['stocks', 'AAA', 'CCC'], Float64Array.of(0.25, 0.75));
    expect(decodePortfolio(v1)).toEqual({
      universe: 'stocks',
      assets: ['AAA', 'CCC'],
      weights: Float64Array.of(0.25, 0.75),
      limit: 0.05,
      held: [{ from: 0, assets: ['AAA', 'CCC'], weights: Float64Array.of(0.25, 0.75) }],
    });
    expect(decodePortfolio(encodePortfolio(decodePortfolio(v1)))).toEqual(decodePortfolio(v1));
    await bus.close();
  });
});

describe('RiskEngine republishes', () => {
  it('skips an update it applied as republished; an older one never applied is applied, not dropped', () => {
    const block = seededReturns(3);
    const engine = new RiskEngine(createBus(), { backend: 'reference', window: 10, minRows: 2, heartbeatMs: 0 });
    const process = (i: number, sentAt: number) =>
      (engine as unknown as { process(m: BusMessage): void }).process({
        id: `${i}-0`,
        bus: 'marketdata',
        stream: 'marketdata:RETURNS_UPDATE:0',
        type: 'RETURNS_UPDATE',
        key: 'stocks',
        ts: 1_700_000_000_000 + i,
        payload: { assets: ASSETS, returns: row(block, i) },
        priority: 'normal',
        count: 1,
        sentAt,
        deliveries: 1,
      } as BusMessage);
    process(0, 100);
    process(2, 300);
    process(0, 100); // stored twice
    expect(engine.metrics().extra).toMatchObject({ rows: 2, republished: 1 });
    process(1, 200); // published before row 2, delivered after it: never applied
    expect(engine.metrics().extra).toMatchObject({ rows: 3, republished: 1 });
  });
});
