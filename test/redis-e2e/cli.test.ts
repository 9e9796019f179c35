/** `kernelbus demo --redis`, `feed` and `engine` against a real redis-server: output, exit codes, bad options. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { runEngine } from '../../src/cli/engine.js';
import { runFeed } from '../../src/cli/feed.js';
import { KernelInputError } from '../../src/errors.js';
import { factorBars, factorTable } from '../engines/factor-helpers.js';
import { riskTable } from '../engines/risk-helpers.js';
import { client, closeAll, keysOf, tearDown, until, describeRedis, freePort, RedisServer } from '../helpers/redis.js';
import { capture, errStream, heapGrowthsOf, logEvent, runCapturing } from './helpers.js';

describeRedis('kernelbus commands over Redis', () => {
  let server: RedisServer;
  let url: string;
  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterAll(() => tearDown(server));

  it('demo --redis runs the same demo over Redis Streams, in a namespace of its own that it deletes at the end', async () => {
    const redis = client(url);
    // The demo cuts its bars on the clock, one per event-loop turn at most: a loaded machine turns every
    // 30-40 ms, and 0.6 s gave 14 bars there, short of the 20 the risk engine needs (issue 67). 2 s gives
    // 47 on that machine.
    const { code, text } = await capture((out) =>
      runDemo(['--redis', url, '--symbols', '5', '--rate', '20000', '--seconds', '2', '--seed', '3'], out),
    );
    expect(code).toBe(0);
    expect(text).toMatch(/^kernelbus demo: 5 symbols, 20,000 msg\/s for 2 s, seed 3, backend auto \((native|reference)\)\n/);
    expect(text).toMatch(/\nredis: redis:\/\/127\.0\.0\.1:\d+\/0, 4 shards, keys under kb:demo:[0-9a-f]{8}:\n/);
    const published = Number(/trades published\s+([\d,]+)/.exec(text)![1].replaceAll(',', ''));
    expect(published).toBeGreaterThan(1000);
    expect(text).toMatch(/VPIN buckets\s+[1-9][\d,]*/);
    expect(text).toMatch(/copies \/ redelivered \/ dead\s+[\d,]+ \/ 0 \/ 0/);
    // The risk engine over Redis (checkpointing both of its inputs): finite figures for the three portfolios.
    expect(text).toMatch(/risk engine\s+[1-9][\d,]* bars of returns -> [1-9][\d,]* portfolio results/);
    for (const figures of Object.values(riskTable(text))) expect(figures.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    // The factor engine over Redis (checkpointing): its days are counted; 5 symbols are too few for a fit.
    expect(factorBars(text)[0]).toBeGreaterThan(20);
    expect(await redis.keys('kb:demo:*')).toEqual([]);
  });

  it('demo --redis with enough symbols for the factor engine: finite factor returns from Redis', async () => {
    // bars on the clock, one per turn at most (see above): 1.5 s gave 17 days on a loaded machine (turns
    // of ~90 ms publishing 60,000 msg/s), short of the 22 a fit needs; 4 s leaves twice the margin
    const { code, text } = await capture((out) =>
      runDemo(['--redis', url, '--symbols', '30', '--rate', '60000', '--seconds', '4', '--seed', '4'], out),
    );
    expect(code).toBe(0);
    const [days, results] = factorBars(text);
    expect(days).toBeGreaterThan(21);
    expect(results).toBe(days - 21);
    expect(Object.values(factorTable(text)).every(Number.isFinite)).toBe(true);
  });

  it('feed and engine (run here): the engine processes every trade the feed published, then stops on a signal', async () => {
    const redis = client(url);
    await redis.flushall();
    const stop = new AbortController();
    const running = runCapturing((out) =>
      runEngine(['vpin', '--redis', url, '--consumer', 'e1', '--checkpoint-ms', '100'], out, stop.signal),
    );
    await until(() => running.seen().startsWith('ready: '), 'the engine to be ready');
    // The feed waits for the engines that read its streams: let this one take all four first.
    const leases = [0, 1, 2, 3].map((s) => keysOf().lease(`marketdata:TRADE_EXECUTION:${s}`, 'vpin'));
    await until(async () => (await redis.exists(...leases)) === 4, 'the engine to read every stream');
    const feed = await capture((out) => runFeed(['--redis', url, '--symbols', '10', '--rate', '20000', '--count', '5000'], out));
    expect(feed.code).toBe(0);
    expect(feed.text).toMatch(
      /^kernelbus feed: 10 symbols, 20,000 msg\/s for 10 s \(at most 5,000 trades\), seed 1 -> redis:\/\/127\.0\.0\.1:\d+\/0, 4 shards\n/,
    );
    expect(feed.text).toMatch(
      /\npublished 5,000 trades and [1-9][\d,]* returns and panel messages of 10 symbols in [\d.]+ s \([\d,]+ trades\/s\) as [\d,]+ frames \([\d.]+ trades each(; [\d,]+ of them watermarks of idle streams)?\); stored; consumed by groups vpin [\d,]+ ms after the last\n$/,
    );
    stop.abort();
    const engine = await running.done;
    expect(engine.code).toBe(0);
    expect(engine.text).toMatch(
      /^ready: engine vpin, group vpin, consumer e1, 4 streams on redis:\/\/127\.0\.0\.1:\d+\/0, checkpoints every 100 ms\n/,
    );
    expect(engine.text).toMatch(
      /\nstopped \(abort\): processed 5,000 trades in [\d,]+ deliveries, 0 duplicates skipped, 0 trades replayed after takeovers, 0 symbols restored; [\d,]+ buckets, [\d,]+ alerts, 10 symbols; [1-9][\d,]* checkpoints \(0 failed; [\d.]+ MB, [\d.]+ ms each\); 0 republished trades skipped; latency p50 [\d.]+ ms, p99 [\d.]+ ms\n$/,
    );
    const records = await Promise.all(
      [0, 1, 2, 3].map((s) => redis.hlen(keysOf().checkpointRecords('vpin', `marketdata:TRADE_EXECUTION:${s}`))),
    );
    expect(records.reduce((a, b) => a + b)).toBe(10);
  });

  it('feed and engine over a Unix socket (--redis unix:///path): every trade processed, the socket named as the target', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'kb-sock-')), 'redis.sock');
    const local = await RedisServer.start({ args: ['--unixsocket', socket, '--unixsocketperm', '700'] });
    try {
      const sock = `unix://${socket}`;
      const stop = new AbortController();
      const running = runCapturing((out) => runEngine(['vpin', '--redis', sock, '--consumer', 'e1'], out, stop.signal));
      await until(() => running.seen().startsWith('ready: '), 'the engine to be ready');
      const leases = [0, 1, 2, 3].map((s) => keysOf().lease(`marketdata:TRADE_EXECUTION:${s}`, 'vpin'));
      await until(async () => (await client(local.url()).exists(...leases)) === 4, 'the engine to read every stream');
      const feed = await capture((out) => runFeed(['--redis', sock, '--symbols', '10', '--rate', '20000', '--count', '3000'], out));
      expect(feed.code).toBe(0);
      expect(feed.text).toContain(`-> ${sock}?db=0, 4 shards\n`);
      expect(feed.text).toMatch(/\npublished 3,000 trades .*; stored; consumed by groups vpin /);
      stop.abort();
      const engine = await running.done;
      expect(engine.code).toBe(0);
      expect(engine.text).toContain(`4 streams on ${sock}?db=0,`);
      expect(engine.text).toMatch(/\nstopped \(abort\): processed 3,000 trades in /);
    } finally {
      await closeAll();
      await local.stop();
    }
  });

  it('engine vpin warms up before it reads (--warmup-trades, said in the ready event) through Redis, its keys deleted; in memory; not with 0', async () => {
    const redis = client(url);
    await redis.flushall();
    for (const [flags, warmup] of [
      [['--warmup-trades', '3000'], { trades: 3000, bus: 'redis' }],
      [['--warmup-trades', '3000', '--warmup-bus', 'memory'], { trades: 3000, bus: 'memory' }],
      [['--warmup-trades', '0'], undefined],
    ] as const) {
      const stop = new AbortController();
      const running = runCapturing((out) =>
        runEngine(['vpin', '--redis', url, '--consumer', 'w1', '--log-format', 'json', ...flags], out, stop.signal),
      );
      await until(() => running.seen().includes('"event":"ready"'), 'the engine to be ready');
      // the warm-up's keys (kb:warmup:w1:...) are gone once the engine is ready; the engine's own are there
      const keys = await redis.keys('*');
      expect(keys.filter((k) => k.startsWith('kb:warmup:'))).toEqual([]);
      expect(keys.length).toBeGreaterThan(0);
      stop.abort();
      expect((await running.done).code).toBe(0);
      const ready = logEvent(running.seen(), 'ready');
      expect(ready.warmup?.trades).toBe(warmup?.trades);
      expect(ready.warmup?.bus).toBe(warmup?.bus);
      if (warmup) expect(ready.warmup.ms).toBeGreaterThan(0);
    }
  });

  it('engine as its own process sets V8 heap growth (--heap-growth, default 300, said in the ready event); run here it does not', async () => {
    expect(await heapGrowthsOf(['engine', 'vpin', '--redis', url, '--warmup-trades', '0'], 'ready')).toEqual([150, 300, 0]);
    const stop = new AbortController();
    const running = runCapturing((out) =>
      runEngine(['vpin', '--redis', url, '--log-format', 'json', '--warmup-trades', '0'], out, stop.signal),
    );
    await until(() => running.seen().includes('"event":"ready"'), 'the engine to be ready');
    stop.abort();
    expect((await running.done).code).toBe(0);
    expect(logEvent(running.seen(), 'ready')).not.toHaveProperty('heapGrowth');
  });

  it('engine portfolio (run here): rebalances the portfolios of --portfolios on schedule from RETURNS_UPDATE, publishes their weights, stops on a signal', async () => {
    const redis = client(url);
    await redis.flushall();
    const stop = new AbortController();
    const args = [
      'portfolio',
      '--redis',
      url,
      '--consumer',
      'p1',
      '--checkpoint-ms',
      '100',
      '--window',
      '40',
      '--min-rows',
      '20',
      '--every',
      '10',
    ];
    const running = runCapturing((out) =>
      runEngine([...args, '--portfolios', 'rp:risk-parity,tree:hrp', '--universe', 'stocks'], out, stop.signal),
    );
    await until(() => running.seen().startsWith('ready: '), 'the engine to be ready');
    const { redisBus } = await import('./helpers.js');
    const bus = await redisBus(url, 4); // the engine's 4 shards
    const updates: string[] = [];
    bus.subscribe<{ weights: Record<string, number> }>('PORTFOLIO_UPDATE', (m) => void updates.push(m.key), { group: 'check' });
    const assets = ['A', 'B', 'C', 'D'];
    for (let t = 0; t < 45; t++) {
      const returns = assets.map((_, i) => 0.01 * Math.sin(t * (i + 1.3)) + 0.002 * Math.cos(t * 7.1 + i));
      await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: 1_700_000_000_000 + t, payload: { assets, returns } });
    }
    await bus.drain();
    // rows 20, 30 and 40: three rebalances of each
    await until(() => updates.length === 6, 'six PORTFOLIO_UPDATE');
    await bus.close();
    stop.abort();
    const engine = await running.done;
    expect(engine.code).toBe(0);
    expect(engine.text).toMatch(/^ready: engine portfolio, group portfolio, consumer p1, 8 streams on redis:\/\/127\.0\.0\.1:\d+\/0/);
    expect(engine.text).toMatch(
      /\nstopped \(abort\): processed 45 updates in [\d,]+ deliveries, .*; 6 rebalances \(0 on alerts, 0 alerts ignored, 0 failed\), 1 universes; /,
    );
    expect(updates.sort()).toEqual(['rp', 'rp', 'rp', 'tree', 'tree', 'tree']);
  });

  it('engine portfolio --config: the file’s portfolios with their constraints (sectors, per-asset bounds by name) on schedule', async () => {
    const redis = client(url);
    await redis.flushall();
    const dir = mkdtempSync(join(tmpdir(), 'kb-engine-config-'));
    const file = join(dir, 'portfolios.json');
    const mv = {
      id: 'mv',
      optimizer: 'min-variance',
      assetBounds: { D: [0.3, 0.5] },
      sectors: { A: 'x', B: 'x' },
      sectorBounds: { x: [0, 0.2] },
    };
    writeFileSync(file, JSON.stringify({ portfolios: [mv, { id: 'rp', optimizer: 'risk-parity', budgets: { A: 2 } }] }));
    const stop = new AbortController();
    const args = ['portfolio', '--redis', url, '--consumer', 'p1', '--window', '40', '--min-rows', '20', '--every', '10', '--config', file];
    const running = runCapturing((out) => runEngine([...args, '--universe', 'stocks'], out, stop.signal));
    await until(() => running.seen().startsWith('ready: '), 'the engine to be ready');
    const { redisBus } = await import('./helpers.js');
    const bus = await redisBus(url, 4);
    const updates: { key: string; weights: Record<string, number> }[] = [];
    bus.subscribe<{ weights: Record<string, number> }>('PORTFOLIO_UPDATE', (m) => void updates.push({ key: m.key, ...m.payload }), {
      group: 'check',
    });
    const assets = ['A', 'B', 'C', 'D'];
    for (let t = 0; t < 25; t++) {
      const returns = assets.map((_, i) => 0.01 * Math.sin(t * (i + 1.3)) + 0.002 * Math.cos(t * 7.1 + i));
      await bus.publish('RETURNS_UPDATE', { key: 'stocks', ts: 1_700_000_000_000 + t, payload: { assets, returns } });
    }
    await bus.drain();
    await until(() => updates.length === 2, 'two PORTFOLIO_UPDATE');
    await bus.close();
    stop.abort();
    expect((await running.done).code).toBe(0);
    const w = updates.find((u) => u.key === 'mv')!.weights;
    expect(w.A + w.B).toBeLessThanOrEqual(0.2 + 1e-12);
    expect(w.D).toBeGreaterThanOrEqual(0.3 - 1e-12);
    expect(w.D).toBeLessThanOrEqual(0.5 + 1e-12);
    expect(w.A + w.B + w.C + w.D).toBeCloseTo(1, 12);
    expect(updates.map((u) => u.key).sort()).toEqual(['mv', 'rp']);
  });

  it('a Redis that does not answer: exit 1 with a clear message on stderr that holds no password', async () => {
    const dead = `redis://admin:s3cret-pw@127.0.0.1:${await freePort()}`;
    const feedErr = runCapturing(async () => 0);
    const feed = await capture((out) => runFeed(['--redis', dead, '--count', '1'], out, undefined, errStream(feedErr)));
    expect(feed.code).toBe(1);
    expect(feed.text).toBe('');
    expect(feedErr.seen()).toMatch(/^kernelbus feed: redis:\/\/127\.0\.0\.1:\d+\/0: not connected within 5000 ms/); // COMMAND_CONNECT_MS
    const engineErr = runCapturing(async () => 0);
    const engine = await capture((out) => runEngine(['vpin', '--redis', dead], out, undefined, errStream(engineErr)));
    expect(engine.code).toBe(1);
    expect(engine.text).toBe('');
    expect(engineErr.seen()).toMatch(/^kernelbus engine: redis:\/\/127\.0\.0\.1:\d+\/0: not connected/);
    for (const text of [feedErr.seen(), engineErr.seen()]) expect(text).not.toMatch(/s3cret|admin/);
  });

  it('feed --quotes and engine vpin --classifier lee-ready: the trades cross Redis with their bid and ask (5-column frames), every one labelled', async () => {
    const redis = client(url);
    await redis.flushall();
    const stop = new AbortController();
    const running = runCapturing((out) =>
      runEngine(['vpin', '--redis', url, '--consumer', 'e1', '--classifier', 'lee-ready', '--bucket-volume', '1000'], out, stop.signal),
    );
    await until(() => running.seen().startsWith('ready: '), 'the engine to be ready');
    const leases = [0, 1, 2, 3].map((s) => keysOf().lease(`marketdata:TRADE_EXECUTION:${s}`, 'vpin'));
    await until(async () => (await redis.exists(...leases)) === 4, 'the engine to read every stream');
    const feed = await capture((out) => runFeed(['--redis', url, '--symbols', '4', '--rate', '20000', '--count', '4000', '--quotes'], out));
    expect(feed.code).toBe(0);
    stop.abort();
    const engine = await running.done;
    expect(engine.code).toBe(0);
    // every trade processed (a trade without its quote would fail its update), buckets made
    expect(engine.text).toMatch(
      /\nstopped \(abort\): processed 4,000 trades in [\d,]+ deliveries, .*; [1-9][\d,]* buckets, [\d,]+ alerts, 4 symbols;/,
    );
  });

  it('bad options: KernelInputError naming the flag (the URL is never echoed)', async () => {
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () => runEngine(['vpin', '--redis', url, '--classifier', 'lee-rady']),
        /^--classifier: expected bvc, tick or a quote classifier: quote, lee-ready, emo, clnv, got "lee-rady"$/,
      ],
      [
        () => runEngine(['risk', '--redis', url, '--classifier', 'emo']),
        /^--classifier: expected an option of engine vpin, got engine risk$/,
      ],
      [() => runFeed([]), /^--redis: expected a redis:\/\/host:port URL, got nothing$/],
      [
        () => runFeed(['--redis', 'http://user:s3cret@host']),
        /^--redis: expected a redis:\/\/, rediss:\/\/, unix:\/\/ or redis\+cluster:\/\/ URL, got another string \(not shown\)$/,
      ],
      [() => runFeed(['--redis', url, '--count', '0']), /^--count: expected an integer in \[1, \d+\], got "0"$/],
      [
        () => runEngine(['--redis', url]),
        /^engine: expected one engine name: 'vpin', 'risk', 'factor', 'portfolio', 'features', 'strategy', 'collateral' or 'ml', got none$/,
      ],
      [
        () => runEngine(['gateway', '--redis', url]),
        /^engine: expected one engine name: 'vpin', 'risk', 'factor', 'portfolio', 'features', 'strategy', 'collateral' or 'ml', got "gateway"$/,
      ],
      [
        () => runEngine(['factor', '--redis', url, '--window', '5']),
        /^--window: expected an option of engine vpin or risk or portfolio or features, got engine factor$/,
      ],
      [
        () => runEngine(['vpin', '--redis', url, '--momentum-lag', '5']),
        /^--momentum-lag: expected an option of engine factor, got engine vpin$/,
      ],
      [
        () => runEngine(['factor', '--redis', url, '--momentum-window', '0']),
        /^--momentum-window: expected an integer in \[1, 100000\], got "0"$/,
      ],
      [
        () => runEngine(['factor', '--redis', url, '--styles', 'size,beta']),
        /^--styles: expected distinct styles of momentum, size, value, comma-separated, got "size,beta"$/,
      ],
      [
        () => runEngine(['vpin', '--redis', url, '--min-rows', '5']),
        /^--min-rows: expected an option of engine risk or portfolio, got engine vpin$/,
      ],
      [
        () => runEngine(['risk', '--redis', url, '--threshold', '0.5']),
        /^--threshold: expected an option of engine vpin or features, got engine risk$/,
      ],
      [() => runEngine(['risk', '--redis', url, '--window', '1']), /^--window: expected an integer in \[2, 1000000\], got "1"$/],
      [
        () => runEngine(['risk', '--redis', url, '--window', '10', '--min-rows', '11']),
        /^--min-rows: expected an integer in \[2, 10\], got "11"$/,
      ],
      [() => runEngine(['vpin', '--redis', url, '--window', '0']), /^--window: expected an integer in \[1, 1000000\], got "0"$/],
      [() => runEngine(['vpin', '--redis', url, '--group', '']), /^--group: expected a non-empty name, got ""$/],
      [() => runDemo(['--shards', '2']), /^--shards: expected to come with --redis, got "2"$/],
    ];
    for (const [run, message] of cases) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, String(message)).toBeInstanceOf(KernelInputError);
      expect((error as Error).message).toMatch(message);
    }
    const help = await capture((out) => runEngine(['--help'], out));
    expect(help.text).toMatch(
      /^Usage: kernelbus engine vpin\|risk\|factor\|portfolio\|features\|strategy\|collateral\|ml --redis URL \[options\]/,
    );
    expect((await capture((out) => runFeed(['--help'], out))).text).toMatch(/^Usage: kernelbus feed --redis URL \[options\]/);
  });
});
