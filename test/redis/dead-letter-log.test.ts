/**
 * A burst of dead letters in the transport's log: the first entry's line with its reason, then at most
 * one line a second with the count of those not logged since; every entry dead-lettered all the same.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { DEAD_LETTER_SUFFIX } from '../../src/bus/transports/types.js';
import { client, closeAll, describeRedis, keysOf, RedisServer, sleep, tearDown, transport, until } from '../helpers/redis.js';
import { tradeEntry } from './helpers.js';

describeRedis('RedisTransport: dead-letter log', () => {
  let server: RedisServer;
  let url: string;

  beforeAll(async () => {
    server = await RedisServer.start();
    url = server.url();
  });
  afterEach(closeAll);
  afterAll(() => tearDown(server));

  it('a burst of 300 refused entries: one line with the reason, then at most one a second with the count since', async () => {
    const p = 'kb:dll:';
    const lines: string[] = [];
    const t = transport(url, { prefix: p, log: (line) => lines.push(line) });
    const redis = client(url);
    t.subscribe('s', 'g', 'c', () => {
      throw new KernelInputError('bytes', 'a snapshot of a stream with classifier = 2', 'classifier = 0');
    });
    await t.ready();
    const started = performance.now();
    for (let i = 0; i < 300; i += 50)
      await t.publish(
        's',
        Array.from({ length: 50 }, (_, j) => tradeEntry('a', i + j)),
      );
    // the transport's own count: it counts, then logs, in one turn once Redis has the dead letter (a
    // client that sees XLEN reach the count can run before the line is written: a race on a loaded machine)
    await until(() => t.metrics().deadLettered === 300, 'every entry dead-lettered');
    expect(await redis.xlen(keysOf(p).stream('s') + DEAD_LETTER_SUFFIX)).toBe(300);
    await sleep(1100);
    await t.publish('s', [tradeEntry('a', 300)]);
    await until(() => t.metrics().deadLettered === 301, 'the last one dead-lettered');
    expect(await redis.xlen(keysOf(p).stream('s') + DEAD_LETTER_SUFFIX)).toBe(301);
    const dead = lines.filter((l) => l.includes('dead-lettered'));
    expect(dead.length).toBeGreaterThanOrEqual(2);
    expect(dead.length).toBeLessThanOrEqual(1 + Math.ceil((performance.now() - started) / 1000)); // one a second at most
    expect(dead[0]).toMatch(
      /: s \d+-\d+: dead-lettered to s:dlq: invalid data: bytes: expected a snapshot of a stream with classifier = 2, got classifier = 0$/,
    );
    const counted = dead.slice(1).map((l) => Number(/\(and (\d+) more since the last line\)/.exec(l)?.[1] ?? 0));
    expect(dead.length + counted.reduce((a, b) => a + b, 0)).toBe(301);
  });
});
