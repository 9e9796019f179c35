/**
 * Dead letters are counted by entries (issue 41, item 7): a malformed entry whose field n claims
 * 4,294,967,295 messages moves `kernelbus_bus_dead_lettered_total` by 1 and the messages counter by
 * nothing (its frame does not decode), and `kernelbus dlq show` says it is malformed instead of
 * printing the claim as a count.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { client, closeAll, describeRedis, keysOf, RedisServer, tearDown, until } from '../helpers/redis.js';
import { get, parseExposition } from './exposition.js';
import { Command, engineArgs, killAll } from './helpers.js';

describeRedis('dead letters counted by entries', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    await killAll();
    await closeAll();
  });
  afterAll(() => tearDown(server));

  it('XADD ... d garbage k SYM000 n 4294967295: the counter moves by 1 per entry, dlq show says malformed', async () => {
    const url = server.url();
    const redis = client(url);
    await redis.flushall();
    const engine = new Command([...engineArgs(url, 'D', 30_000), '--metrics-port', '0']);
    const metrics = (await engine.waitFor(/^metrics: (http:\S+)$/m))[1];
    await engine.waitFor(/ready: engine vpin/);
    const scrape = async () => parseExposition((await get(metrics)).text);
    const stream = 'marketdata:TRADE_EXECUTION:0';
    const key = keysOf().stream(stream);
    await until(async () => (await scrape()).value('kernelbus_bus_dead_lettered_total') === 0, 'the first scrape');

    await redis.xadd(key, '*', 'd', 'garbage', 'k', 'SYM000', 'n', '4294967295');
    await until(async () => (await scrape()).value('kernelbus_bus_dead_lettered_total') === 1, 'one dead letter');
    let e = await scrape();
    expect(e.value('kernelbus_bus_dead_lettered_messages_total')).toBe(0);
    expect(e.value('kernelbus_transport_dead_lettered_entries_total', { bus: 'marketdata', transport: 'redis' })).toBe(1);
    for (let i = 0; i < 99; i++) await redis.xadd(key, '*', 'd', 'garbage', 'k', 'SYM000', 'n', '4294967295');
    await until(async () => (await scrape()).value('kernelbus_bus_dead_lettered_total') === 100, '100 dead letters');
    e = await scrape();
    expect(e.value('kernelbus_bus_dead_lettered_messages_total')).toBe(0);
    expect(e.value('kernelbus_engine_processed_total', { engine: 'vpin' })).toBe(0);

    const show = new Command(['dlq', 'show', stream, '--redis', url, '--limit', '1']);
    expect(await show.exited, show.out).toBe(0);
    expect(show.out).toMatch(
      /^\d+-\d+ {2}key SYM000 {2}malformed frame \(field n says 4294967295\) {2}7 bytes {2}from marketdata:TRADE_EXECUTION:0 \d+-\d+ {2}group vpin consumer D {2}deliveries 1\n {2}malformed entry: frame: /m,
    );
    expect(show.out).not.toMatch(/4,294,967,295 messages/);
    expect(await engine.stop(), engine.out).toBe(0);
  }, 60_000);
});
