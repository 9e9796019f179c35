import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus, type Bus } from '../../src/bus/bus.js';
import { FactorEngine, type FactorEngineOptions, type FactorResult } from '../../src/engines/index.js';
import { applyFactorDelta, decodeFactorUniverse } from '../../src/engines/factor-messages.js';
import { kernels } from '../../src/index.js';
import { client, closeAll, keysOf, sleep, tearDown, until, describeRedis, RedisServer } from '../helpers/redis.js';
import { direct, inputOf, seededPanel, type Panel } from '../engines/factor-helpers.js';
import { checkpointOf, Command, consumed, killAll, redisBus, storedMessages } from './helpers.js';
import { nextTurn } from '../bus/helpers.js';

const MOMENTUM = { window: 6, halfLife: 3, lag: 2 };
const OPTIONS: FactorEngineOptions = { backend: 'reference', momentum: MOMENTUM, heartbeatMs: 0 };
const ref = kernels({ backend: 'reference' });

/** One date of one universe. */
type Step = { key: string; t: number };

/** Publishes the steps in order (ts = the date's number), a turn apart now and then. */
async function publish(bus: Bus, panels: Record<string, Panel>, steps: Step[]) {
  for (const [n, { key, t }] of steps.entries()) {
    await bus.publish('FACTOR_INPUT', { key, ts: t, payload: inputOf(panels[key], t) });
    if (n % 5 === 0) await nextTurn();
  }
}

/** Dates [from, to) of every universe, interleaved. */
const dates = (keys: string[], from: number, to: number): Step[] =>
  Array.from({ length: to - from }, (_, j) => keys.map((key) => ({ key, t: from + j }))).flat();

/** What must survive a takeover: per universe its history, sectors and last date. */
function stateOf(engine: FactorEngine) {
  return Object.fromEntries(
    [...engine.universes()].map(([key, u]) => [
      key,
      { history: u.history.export(), total: u.history.total, sectors: u.sectors, lastDate: u.lastDate },
    ]),
  );
}

/** The same steps on the in-process bus, without interruption. */
async function uninterrupted(panels: Record<string, Panel>, steps: Step[]) {
  const bus = createBus();
  const engine = new FactorEngine(bus, OPTIONS).start();
  await publish(bus, panels, steps);
  await engine.close();
  await bus.close();
  return stateOf(engine);
}

/** Checks every stored result against the kernels over its universe's whole panel; returns the dates seen per universe. */
function expectExact(stored: { key: string; payload: FactorResult }[], panels: Record<string, Panel>): Record<string, Set<number>> {
  const fits = Object.fromEntries(Object.entries(panels).map(([key, p]) => [key, direct(ref, p, MOMENTUM)]));
  const seen: Record<string, Set<number>> = Object.fromEntries(Object.keys(panels).map((key) => [key, new Set<number>()]));
  for (const { key, payload } of stored) {
    const p = panels[key];
    const t = p.dates.indexOf(payload.date as string);
    const { fit, r2 } = fits[key];
    const K = fit.factorReturns.cols;
    expect(payload.factorReturns, `${key} ${payload.date}`).toEqual(Array.from(fit.factorReturns.data.subarray(t * K, (t + 1) * K)));
    expect(payload.r2).toBeCloseTo(r2[t], 12);
    seen[key].add(t);
  }
  return seen;
}

/** A universe of group 'factor' as its checkpoint restores it (history of 8 dates): its record on one of `streams`, then its deltas. */
async function universeOf(redis: ReturnType<typeof client>, streams: string[], key: string) {
  const c = (await checkpointOf(redis, 'factor', streams, key))!;
  const u = decodeFactorUniverse(c.record, 8);
  for (const delta of c.deltas) applyFactorDelta(u, delta);
  return u;
}

describeRedis('FactorEngine over Redis', () => {
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

  it('an engine that stops without its last checkpoint: the next restores it and replays; the state equals an uninterrupted run', async () => {
    const redis = client(url);
    await redis.flushall();
    const panels = { us: seededPanel(40, 16, 1), eu: seededPanel(40, 12, 2) };
    const keys = Object.keys(panels);
    const steps = dates(keys, 0, 40);

    // A applies dates 0-19, checkpoints, applies dates 20-29 and acknowledges them, then stops without
    // writing another checkpoint (as if it had been killed).
    const bus1 = await redisBus(url);
    const a = new FactorEngine(bus1, { ...OPTIONS, checkpointMs: 60_000 }).start();
    expect(a.checkpoints).toBe(true);
    await publish(bus1, panels, steps.slice(0, 40));
    await bus1.drain();
    await a.checkpoint();
    expect(await redis.hkeys(keysOf().checkpointRecords('factor', 'marketdata:FACTOR_INPUT:0'))).toEqual(expect.arrayContaining(keys));
    await publish(bus1, panels, steps.slice(40, 60));
    await bus1.drain();
    a.checkpoint = () => Promise.resolve();
    await a.stop();
    await bus1.close();

    // B restores A's checkpoint, replays dates 20-29 (publishing their results again), then applies 30-39.
    const bus2 = await redisBus(url);
    const b = new FactorEngine(bus2, { ...OPTIONS, checkpointMs: 60_000 }).start();
    await publish(bus2, panels, steps.slice(60));
    await bus2.drain();
    await b.stop();
    await bus2.close();

    expect(b.metrics().extra).toMatchObject({
      restoredKeys: 2,
      replayed: 20,
      replayErrors: 0,
      replayGaps: 0,
      checkpointErrors: 0,
      republished: 0,
    });
    expect(b.metrics().processed).toBe(20);
    expect(stateOf(b)).toEqual(await uninterrupted(panels, steps));
    // Every result stored: A's, B's replay of what A did after its checkpoint (the same values), B's own.
    const stored = await storedMessages<FactorResult>(redis, 'FACTOR_CALCULATION', 1);
    const seen = expectExact(stored, panels);
    for (const key of keys) expect([...seen[key]].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 - 7 }, (_, j) => j + 7));
    expect(stored).toHaveLength(2 * (40 - 7) + 2 * 10);
    // B's final checkpoint holds the same state.
    const u = await universeOf(redis, ['marketdata:FACTOR_INPUT:0'], 'us');
    expect(u.history.export()).toEqual(stateOf(b).us.history);
    expect(u.lastDate).toBe(panels.us.dates[39]);
  });

  it('a `kernelbus engine factor` process killed with SIGKILL mid-stream, another started: every stored result exact, the final state that of an uninterrupted run', async () => {
    const redis = client(url);
    await redis.flushall();
    const SHARDS = 4;
    const T = 120;
    const panels = { us: seededPanel(T, 16, 3), eu: seededPanel(T, 12, 4), jp: seededPanel(T, 10, 5) };
    const keys = Object.keys(panels);
    const args = (consumer: string) => [
      'engine',
      'factor',
      '--redis',
      url,
      '--consumer',
      consumer,
      '--shards',
      String(SHARDS),
      '--backend',
      'reference',
      '--momentum-window',
      '6',
      '--momentum-half-life',
      '3',
      '--momentum-lag',
      '2',
      '--checkpoint-ms',
      '300',
      '--claim-idle-ms',
      '500',
    ];
    const READY =
      /^ready: engine factor, group factor, consumer \S+, 4 streams on redis:\/\/127\.0\.0\.1:\d+\/0, checkpoints every 300 ms$/m;
    const SUMMARY =
      /^stopped \(SIGTERM\): processed ([\d,]+) dates in [\d,]+ deliveries, ([\d,]+) duplicates skipped, ([\d,]+) dates replayed after takeovers, ([\d,]+) universes restored; ([\d,]+) results, ([\d,]+) dates without a fit, ([\d,]+) universes; ([\d,]+) checkpoints \(0 failed[;)]/m;
    const a = new Command(args('A'));
    await a.waitFor(READY);
    const bus = createBus({ shards: SHARDS, redis: { url, claimIdleMs: 500 } });
    const steps = dates(keys, 0, T);
    let sent = 0;
    const publisher = (async () => {
      for (const s of steps) {
        await publish(bus, panels, [s]);
        sent++;
        await sleep(4);
      }
    })();
    // Mid-stream, once A has checkpointed every universe: SIGKILL, and B takes over after claimIdleMs.
    const hashes = [...Array(SHARDS).keys()].map((s) => keysOf().checkpointRecords('factor', `marketdata:FACTOR_INPUT:${s}`));
    const checkpointed = async () => (await Promise.all(hashes.map((h) => redis.hlen(h)))).reduce((x, y) => x + y, 0);
    await until(async () => sent > 120 && (await checkpointed()) >= 3, 'A to checkpoint every universe');
    await sleep(150);
    a.kill('SIGKILL');
    await a.exited;
    const killedAt = sent;
    const b = new Command(args('B'));
    await b.waitFor(READY);
    await publisher;
    await bus.close();
    await consumed(
      redis,
      [...Array(SHARDS).keys()].map((s) => keysOf().stream(`marketdata:FACTOR_INPUT:${s}`)),
      'factor',
    );
    expect(await b.stop()).toBe(0);
    const summary = await b.waitFor(SUMMARY);
    const num = (s: string) => Number(s.replaceAll(',', ''));
    expect(num(summary[4])).toBe(3); // every universe restored from A's checkpoints
    expect(num(summary[7])).toBe(3);

    // Every result stored, A's and B's (replays included), equals the kernels; none is missing.
    const stored = await storedMessages<FactorResult>(redis, 'FACTOR_CALCULATION', SHARDS);
    const seen = expectExact(stored, panels);
    for (const key of keys) expect(seen[key].size).toBe(T - 7);
    // B's final checkpoint: the state of an uninterrupted run.
    const expected = await uninterrupted(panels, steps);
    for (const key of keys) {
      const u = await universeOf(
        redis,
        [...Array(SHARDS).keys()].map((s) => `marketdata:FACTOR_INPUT:${s}`),
        key,
      );
      expect({ history: u.history.export(), total: u.history.total, sectors: u.sectors, lastDate: u.lastDate }).toEqual(expected[key]);
    }
    console.log(
      `[redis-e2e] factor SIGKILL after ${killedAt} of ${steps.length} dates: B processed ${summary[1]}, replayed ${summary[3]} that A had acknowledged ` +
        `after its last checkpoint, restored ${summary[4]} universes; ${stored.length} results stored, all exact`,
    );
  });
});
