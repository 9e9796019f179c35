import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import type { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { RiskEngine, type PortfolioUpdate, type RiskEngineOptions, type RiskResult } from '../../src/engines/index.js';
import { applyUniverseDelta, decodePortfolio, decodeUniverse } from '../../src/engines/risk-messages.js';
import { kernels } from '../../src/index.js';
import { client, closeAll, keysOf, sleep, tearDown, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { ASSETS, expectedFigures, figures, PORTFOLIOS, row, seededReturns, weightVector } from '../engines/risk-helpers.js';
import { checkpointOf, Command, consumed, killAll, redisBus, storedMessages } from './helpers.js';
import { nextTurn } from '../bus/helpers.js';

/** A universe of group 'risk' as its checkpoint restores it: its record on one of `streams`, then its deltas. */
async function universeOf(redis: ReturnType<typeof client>, streams: string[], key: string) {
  const c = (await checkpointOf(redis, 'risk', streams, key))!;
  const u = decodeUniverse(c.record, 30);
  for (const delta of c.deltas) applyUniverseDelta(u, delta);
  return u;
}

const T0 = 1_700_000_000_000;
const OPTIONS: RiskEngineOptions = { backend: 'reference', window: 30, minRows: 5, heartbeatMs: 0 };
const ref = kernels({ backend: 'reference' });

type Step = { type: 'PORTFOLIO_UPDATE'; key: string; payload: PortfolioUpdate } | { type: 'RETURNS_UPDATE'; i: number };

/**
 * Publishes steps in order (a row i of the seeded block as universe 'stocks', ts T0 + i), a turn apart
 * now and then; each PORTFOLIO_UPDATE once the steps before it were processed (the two inputs travel on
 * two buses, and the backtest counts each period with the weights the engine had applied before its
 * returns: so that every run applies the same steps in the same order).
 */
async function publish(bus: Bus, block: Float64Array, steps: Step[]) {
  for (const [n, s] of steps.entries()) {
    if (s.type === 'PORTFOLIO_UPDATE') {
      // the update travels on the logic bus and the returns on marketdata, and two streams keep no order
      // between them: drained before and after, the engine applies it between the rows it was published
      // between (without the second drain, rows published after it were at times applied first)
      await bus.drain();
      await bus.publish(s.type, { key: s.key, payload: s.payload });
      await bus.drain();
    } else await bus.publish(s.type, { key: 'stocks', ts: T0 + s.i, payload: { assets: ASSETS, returns: row(block, s.i) } });
    if (n % 5 === 0) await nextTurn();
  }
}

const rows = (from: number, to: number): Step[] => Array.from({ length: to - from }, (_, j) => ({ type: 'RETURNS_UPDATE', i: from + j }));
const portfolios = (universe = 'stocks'): Step[] =>
  Object.entries(PORTFOLIOS).map(([key, p]) => ({ type: 'PORTFOLIO_UPDATE', key, payload: { ...p, universe } }));

/** What must survive a takeover: the window, and per portfolio its weights, limit, figures and alert state. */
function stateOf(engine: RiskEngine) {
  const u = engine.universes().get('stocks')!;
  return {
    window: u.window.matrix(),
    total: u.window.total,
    lastTs: u.lastTs,
    portfolios: [...engine.portfolios()].map(([key, p]) => [key, { ...p, alerts: undefined }]).sort(),
  };
}

/** The same steps on the in-process bus, without interruption. */
async function uninterrupted(block: Float64Array, steps: Step[], options: RiskEngineOptions) {
  const bus = createBus();
  const engine = new RiskEngine(bus, options).start();
  await publish(bus, block, steps);
  await engine.close();
  await bus.close();
  return stateOf(engine);
}

describeRedis('RiskEngine over Redis', () => {
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

  it('an engine that stops without its last checkpoint: the next restores it and replays both input streams; the state equals an uninterrupted run', async () => {
    const redis = client(url);
    await redis.flushall();
    const block = seededReturns(60);
    const reweight: Step = {
      type: 'PORTFOLIO_UPDATE',
      key: 'equal',
      payload: { weights: { AAA: 0.5, BBB: 0.5 }, limit: 0.01, universe: 'stocks' },
    };
    const steps: Step[] = [...portfolios(), ...rows(0, 30), reweight, ...rows(30, 45), ...rows(45, 60)];

    // A applies the portfolios and rows 0-29, checkpoints, then applies the reweight and rows 30-44 and
    // acknowledges them, but stops without writing another checkpoint (as if it had been killed).
    const bus1 = await redisBus(url);
    const a = new RiskEngine(bus1, { ...OPTIONS, checkpointMs: 60_000 }).start();
    expect(a.checkpoints).toBe(true);
    await publish(bus1, block, steps.slice(0, 33));
    await bus1.drain();
    await a.checkpoint();
    expect(await redis.hkeys(keysOf().checkpointIndex('risk'))).toEqual(
      expect.arrayContaining(['marketdata:RETURNS_UPDATE:0', 'logic:PORTFOLIO_UPDATE:0']),
    );
    await publish(bus1, block, steps.slice(33, 49));
    await bus1.drain();
    a.checkpoint = () => Promise.resolve();
    await a.stop();
    await bus1.close();

    // B restores A's checkpoint of both streams, replays the reweight and rows 30-44 that A acknowledged
    // after it (merged by entry id), then applies rows 45-59.
    const bus2 = await redisBus(url);
    const b = new RiskEngine(bus2, { ...OPTIONS, checkpointMs: 60_000 }).start();
    const results: { key: string; ts: number; payload: RiskResult }[] = [];
    bus2.subscribe<RiskResult>('ANALYTICS_RESULT', (m) => void results.push({ key: m.key, ts: m.ts, payload: m.payload }), {
      group: 'results',
    });
    await (bus2.transport('compute') as RedisTransport).ready();
    await publish(bus2, block, steps.slice(49));
    await bus2.drain();
    await b.stop();
    await bus2.close();

    expect(b.metrics().extra).toMatchObject({ restoredKeys: 4, replayed: 16, replayErrors: 0, replayGaps: 0, checkpointErrors: 0 });
    expect(b.metrics().processed).toBe(15);
    expect(stateOf(b)).toEqual(await uninterrupted(block, steps, OPTIONS));
    // Every result stored (a group created now reads the stream from its start): A's, then B's replay of
    // what A did after its checkpoint (published again, the same values), then B's own.
    const equal = results.filter((r) => r.key === 'equal');
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, j) => from + j);
    expect(equal.map((r) => r.ts - T0)).toEqual([...range(4, 30), 29, ...range(30, 45), 29, ...range(30, 60)]);
    equal.forEach((r, j) => {
      const t = r.ts - T0 + 1;
      const weights = weightVector(j < 26 ? PORTFOLIOS.equal : reweight.payload);
      expect(figures(r.payload)).toEqual(expectedFigures(ref, block, Math.max(0, t - 30), t, weights));
    });
    // B's final checkpoint holds the same state.
    const record = (bytes: Buffer) => bytes.subarray(2 + bytes.readUInt16LE(0));
    const u = await universeOf(redis, ['marketdata:RETURNS_UPDATE:0'], 'stocks');
    expect(u.window.matrix()).toEqual(stateOf(b).window);
    const p = decodePortfolio(record((await redis.hgetBuffer(keysOf().checkpointRecords('risk', 'logic:PORTFOLIO_UPDATE:0'), 'equal'))!));
    expect({ ...p, held: undefined }).toEqual({
      universe: 'stocks',
      assets: ['AAA', 'BBB'],
      weights: Float64Array.of(0.5, 0.5),
      limit: 0.01,
    });
    // the weights it held before the reweight after 30 rows too (the backtest reads both)
    expect(p.held.map((h) => [h.from, h.assets])).toEqual([
      [0, ASSETS],
      [30, ['AAA', 'BBB']],
    ]);
  });

  it('a `kernelbus engine risk` process killed with SIGKILL mid-stream, another started: every stored result exact, the final state that of an uninterrupted run', async () => {
    const redis = client(url);
    await redis.flushall();
    const SHARDS = 4;
    const N = 400;
    const block = seededReturns(N, ASSETS.length, 21);
    const args = (consumer: string) => [
      'engine',
      'risk',
      '--redis',
      url,
      '--consumer',
      consumer,
      '--shards',
      String(SHARDS),
      '--backend',
      'reference',
      '--window',
      '30',
      '--min-rows',
      '5',
      '--checkpoint-ms',
      '300',
      '--claim-idle-ms',
      '500',
    ];
    const READY = /^ready: engine risk, group risk, consumer \S+, 8 streams on redis:\/\/127\.0\.0\.1:\d+\/0, checkpoints every 300 ms$/m;
    const SUMMARY =
      /^stopped \(SIGTERM\): processed ([\d,]+) updates in [\d,]+ deliveries, ([\d,]+) duplicates skipped, ([\d,]+) updates replayed after takeovers, ([\d,]+) keys restored; ([\d,]+) results, [\d,]+ alerts, 1 universes, 3 portfolios; ([\d,]+) checkpoints \(0 failed[;)]/m;
    const a = new Command(args('A'));
    await a.waitFor(READY);
    const bus = createBus({ shards: SHARDS, redis: { url, claimIdleMs: 500 } });
    const steps: Step[] = [...portfolios(), ...rows(0, N)];
    let sent = 0;
    const publisher = (async () => {
      for (const s of steps) {
        await publish(bus, block, [s]);
        sent++;
        await sleep(4);
      }
    })();
    // Mid-stream, once A has checkpointed both inputs: SIGKILL, and B takes over after claimIdleMs.
    await until(async () => sent > 120 && (await redis.hlen(keysOf().checkpointIndex('risk'))) >= 2, 'A to checkpoint both inputs');
    await sleep(150);
    a.kill('SIGKILL');
    await a.exited;
    const killedAt = sent;
    const b = new Command(args('B'));
    await b.waitFor(READY);
    await publisher;
    await bus.close();
    const streams = [...Array(SHARDS).keys()].flatMap((s) => [
      keysOf().stream(`marketdata:RETURNS_UPDATE:${s}`),
      keysOf().stream(`logic:PORTFOLIO_UPDATE:${s}`),
    ]);
    await consumed(redis, streams, 'risk');
    expect(await b.stop()).toBe(0);
    const summary = await b.waitFor(SUMMARY);
    const num = (s: string) => Number(s.replaceAll(',', ''));
    expect(num(summary[4])).toBe(4); // the universe and the three portfolios restored from A's checkpoints

    // Every result stored, A's and B's (replays included), equals the kernels over its window; none is missing.
    const stored = await storedMessages<RiskResult>(redis, 'ANALYTICS_RESULT', SHARDS);
    for (const [key, p] of Object.entries(PORTFOLIOS)) {
      const mine = stored.filter((r) => r.key === key);
      for (const r of mine) {
        const t = r.ts - T0 + 1;
        expect(figures(r.payload), `${key} at ${t}`).toEqual(expectedFigures(ref, block, Math.max(0, t - 30), t, weightVector(p)));
      }
      expect(new Set(mine.map((r) => r.ts - T0))).toEqual(new Set(Array.from({ length: N - 4 }, (_, j) => j + 4)));
    }
    // B's final checkpoint: the state of an uninterrupted run.
    const expected = await uninterrupted(block, steps, { ...OPTIONS });
    const shardOf = async (hash: (s: number) => string, field: string) => {
      for (let s = 0; s < SHARDS; s++) {
        const bytes = await redis.hgetBuffer(hash(s), field);
        if (bytes) return bytes.subarray(2 + bytes.readUInt16LE(0));
      }
      throw new Error(`no checkpoint of ${field}`);
    };
    const u = await universeOf(
      redis,
      [...Array(SHARDS).keys()].map((s) => `marketdata:RETURNS_UPDATE:${s}`),
      'stocks',
    );
    expect(u.window.matrix()).toEqual(expected.window);
    expect(u.window.total).toBe(N);
    for (const [key, p] of expected.portfolios as [
      string,
      { weights: Float64Array; limit: number; universe: string; assets: string[] },
    ][]) {
      const mine = decodePortfolio(await shardOf((s) => keysOf().checkpointRecords('risk', `logic:PORTFOLIO_UPDATE:${s}`), key));
      expect({ ...mine, held: undefined }).toEqual({ universe: p.universe, assets: p.assets, weights: p.weights, limit: p.limit });
    }
    console.log(
      `[redis-e2e] risk SIGKILL after ${killedAt} of ${steps.length} updates: B processed ${summary[1]}, replayed ${summary[3]} that A had acknowledged ` +
        `after its last checkpoint, restored ${summary[4]} keys; ${stored.length} results stored, all exact`,
    );
  });
});
