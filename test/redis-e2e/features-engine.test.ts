import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { encodeTradesFrame } from '../../src/bus/frames.js';
import { FeaturesEngine, type FeatureBar, type FeaturesEngineOptions, type FeaturesUpdate } from '../../src/engines/index.js';
import { client, closeAll, describeRedis, RedisServer, tearDown, until } from '../helpers/redis.js';
import { publish, tape } from '../engines/features-helpers.js';
import { Command, consumed, killAll, redisBus, storedMessages } from './helpers.js';
import { keysOf } from '../helpers/redis.js';

const OPTIONS: FeaturesEngineOptions = {
  bars: { by: 'tick', threshold: 6 },
  window: 4,
  indicators: 'rsi(timePeriod=5)',
  heartbeatMs: 0,
};

/** The in-process run of `rows` under `options`: its BAR and FEATURES_UPDATE messages. */
async function inProcess(rows: ReturnType<typeof tape>, options: FeaturesEngineOptions) {
  const local = createBus();
  const whole = new FeaturesEngine(local, options).start();
  const bars: { key: string; payload: FeatureBar }[] = [];
  const updates: { key: string; payload: FeaturesUpdate }[] = [];
  local.subscribe<FeatureBar>('BAR', (m) => void bars.push(m));
  local.subscribe<FeaturesUpdate>('FEATURES_UPDATE', (m) => void updates.push(m));
  await publish(local, rows);
  await whole.close();
  await local.close();
  return { bars: byBar(bars), updates: byBar(updates) };
}

/** (key, bar) -> payload: a result published again after a takeover must carry the same values. */
function byBar<P extends { bar: number }>(messages: { key: string; payload: P }[]): Map<string, P> {
  const out = new Map<string, P>();
  for (const { key, payload } of messages) {
    const id = `${key}#${payload.bar}`;
    const before = out.get(id);
    if (before) expect(payload, id).toEqual(before);
    out.set(id, payload);
  }
  return out;
}

describeRedis('FeaturesEngine over Redis', () => {
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

  it('an engine stopped without its last checkpoint: the next restores it and replays; every BAR and FEATURES_UPDATE equals an uninterrupted run', async () => {
    const redis = client(url);
    await redis.flushall();
    const rows = tape(1500);
    const half = 800;

    const bus1 = await redisBus(url);
    const a = new FeaturesEngine(bus1, { ...OPTIONS, checkpointMs: 60_000 }).start();
    expect(a.checkpoints).toBe(true);
    await a.ready();
    await publish(bus1, rows, 0, 500);
    await until(() => a.metrics().processed === 500, `A at 500 (${a.metrics().processed})`);
    await a.checkpoint();
    // a watermark-only frame among the entries B replays: neither A's delivery nor B's replay hands it
    // to the engine (no state for its key)
    const none = new Float64Array(0);
    await bus1.publishFrame(
      encodeTradesFrame({ type: 'TRADE_EXECUTION', key: 'QUIET', ts: none, price: none, volume: none, watermark: 1 }),
    );
    await publish(bus1, rows, 500, half);
    await until(() => a.metrics().processed === half, 'A at 800');
    expect(a.metrics().keys).toBe(3);
    a.checkpoint = () => Promise.resolve(); // stops as if killed: trades 500-799 acknowledged, not checkpointed
    await a.stop();
    await bus1.close();

    const bus2 = await redisBus(url);
    const b = new FeaturesEngine(bus2, { ...OPTIONS, checkpointMs: 60_000 }).start();
    await b.ready();
    await publish(bus2, rows, half, rows.length);
    await until(() => b.metrics().processed === rows.length - half, 'B at the end');
    await b.stop();
    await bus2.close();
    expect(b.metrics().extra).toMatchObject({ restoredKeys: 3, replayErrors: 0 });
    expect(b.metrics().keys).toBe(3);
    expect(b.metrics().extra.replayed).toBeGreaterThan(0);

    const whole = await inProcess(rows, OPTIONS);
    const storedBars = byBar(await storedMessages<FeatureBar>(redis, 'BAR', 1, 'marketdata'));
    const storedUpdates = byBar(await storedMessages<FeaturesUpdate>(redis, 'FEATURES_UPDATE', 1));
    expect(storedBars.size).toBeGreaterThan(200);
    expect(storedBars).toEqual(whole.bars);
    expect(storedUpdates).toEqual(whole.updates);
  });

  it('`kernelbus engine features` over a tape: the stored results equal the in-process engine with the same options', async () => {
    const redis = client(url);
    await redis.flushall();
    const rows = tape(900, 3, 11);
    const engine = new Command(
      ['engine', 'features', '--redis', url, '--shards', '1', '--backend', 'reference', '--by', 'tick', '--threshold', '6'].concat([
        '--window',
        '4',
        '--ind',
        'rsi(timePeriod=5)',
        '--checkpoint-ms',
        '200',
      ]),
    );
    await engine.waitFor(/^ready: engine features, group features, consumer \S+, 1 streams on .*, checkpoints every 200 ms$/m);
    const bus = await redisBus(url);
    await publish(bus, rows);
    await bus.close();
    await consumed(redis, [keysOf().stream('marketdata:TRADE_EXECUTION:0')], 'features');
    expect(await engine.stop()).toBe(0);
    expect(engine.out).toMatch(/stopped \(SIGTERM\): processed 900 trades in [\d,]+ deliveries, .*; (\d+) bars, 3 symbols;/);
    const whole = await inProcess(rows, OPTIONS);
    expect(byBar(await storedMessages<FeaturesUpdate>(redis, 'FEATURES_UPDATE', 1))).toEqual(whole.updates);
    expect(engine.out).toContain(`; ${whole.updates.size} bars, 3 symbols;`);
  });
});
