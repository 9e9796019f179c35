/**
 * PortfolioEngine over a real redis-server: checkpointed like the other engines. An engine that stops
 * without its last checkpoint is replaced by one that restores it and replays both input streams
 * (returns and alerts, merged by entry id): its weights, scheduled and alert-driven rebalances equal
 * an uninterrupted run's.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import { PortfolioEngine, type PortfolioEngineOptions, type PortfolioResult } from '../../src/engines/index.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown } from '../helpers/redis.js';
import { ASSETS, row, seededReturns } from '../engines/risk-helpers.js';
import { killAll, redisBus } from './helpers.js';
import { nextTurn } from '../bus/helpers.js';

const T0 = 1_700_000_000_000;
const OPTIONS: PortfolioEngineOptions = {
  backend: 'reference',
  window: 30,
  minRows: 10,
  heartbeatMs: 0,
  portfolios: [
    { id: 'rp', optimizer: 'risk-parity', universe: 'stocks', every: 7 },
    { id: 'hrp', optimizer: 'hrp', universe: 'stocks', every: 5, estimator: 'sample' },
  ],
};

type Step = { alert: string } | { i: number };

async function publish(bus: Bus, block: Float64Array, steps: Step[]) {
  for (const [n, s] of steps.entries()) {
    if ('alert' in s) {
      // the two inputs are two streams: an alert is ordered against the rows by storing it between them
      await bus.drain();
      await bus.publish('RISK_ALERT', { key: s.alert, payload: { source: 'risk' } });
      await bus.drain();
    } else await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: T0 + s.i, payload: { assets: ASSETS, returns: row(block, s.i) } });
    if (n % 5 === 0) await nextTurn();
  }
}

const rows = (from: number, to: number): Step[] => Array.from({ length: to - from }, (_, j) => ({ i: from + j }));

/** What must survive a takeover: the window, and per portfolio the weights held and both last rebalances. */
function stateOf(engine: PortfolioEngine) {
  const u = engine.universes().get('stocks')!;
  return {
    window: u.window.matrix(),
    total: u.window.total,
    lastTs: u.lastTs,
    portfolios: [...engine.portfolios()].map(([key, p]) => [key, { weights: p.weights, scheduled: p.scheduled, alerted: p.alerted }]),
  };
}

describeRedis('PortfolioEngine over Redis', () => {
  let server: RedisServer;
  let url: string;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it('an engine that stops without its last checkpoint: the next restores it and replays both streams; the state equals an uninterrupted run', async () => {
    const redis = client(url);
    await redis.flushall();
    const block = seededReturns(50);
    // alerts after row 20 and row 38 (the second after A's checkpoint), one on a portfolio of nobody here
    const steps: Step[] = [
      ...rows(0, 21),
      { alert: 'rp' },
      { alert: 'other' },
      ...rows(21, 30),
      ...rows(30, 39),
      { alert: 'hrp' },
      ...rows(39, 50),
    ];

    const bus1 = await redisBus(url);
    const a = new PortfolioEngine(bus1, { ...OPTIONS, checkpointMs: 60_000 }).start();
    expect(a.checkpoints).toBe(true);
    await publish(bus1, block, steps.slice(0, 32)); // rows 0-29 and the first two alerts
    await bus1.drain();
    await a.checkpoint();
    expect(await redis.hkeys(keysOf().checkpointIndex('portfolio'))).toEqual(
      expect.arrayContaining(['marketdata:RETURNS_UPDATE:0', 'logic:RISK_ALERT:0']),
    );
    await publish(bus1, block, steps.slice(32, 42)); // rows 30-38 and the alert on hrp: acknowledged, no checkpoint
    await bus1.drain();
    a.checkpoint = () => Promise.resolve();
    await a.stop();
    await bus1.close();

    const bus2 = await redisBus(url);
    const b = new PortfolioEngine(bus2, { ...OPTIONS, checkpointMs: 60_000 }).start();
    await b.ready();
    await publish(bus2, block, steps.slice(42));
    await bus2.drain();
    const results: PortfolioResult[] = [];
    bus2.subscribe<PortfolioResult>('ANALYTICS_RESULT', (m) => void results.push(m.payload), { group: 'results' });
    await b.stop();

    const expected = createBus();
    const c = new PortfolioEngine(expected, OPTIONS).start();
    await publish(expected, block, steps);
    await c.close();
    await expected.close();

    expect(b.metrics().extra).toMatchObject({ replayErrors: 0, replayGaps: 0, checkpointErrors: 0 });
    expect(b.metrics().extra.replayed).toBe(10);
    expect(stateOf(b)).toEqual(stateOf(c));
    expect(b.portfolios().get('hrp')?.alerted?.at).toBe(39);
    expect(b.portfolios().get('rp')?.alerted).toBeUndefined(); // rebalanced on schedule at row 21: that alert was ignored
    await bus2.close();
  });
});
