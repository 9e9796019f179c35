/**
 * A consumer process for the SIGKILL test: `node --import tsx consumer-child.ts <url> <prefix> <group>
 * <consumer> <stream,...>`. Applies each entry's effect once per entry id (applyOnce), slowly (1 ms per
 * entry), and prints `ready` once subscribed. It never exits by itself: the test kills it.
 */
import { Redis } from 'ioredis';
import { RedisTransport } from '../../src/bus/transports/redis/index.js';
import { sleep } from '../helpers/redis.js';
import { applyOnce } from './helpers.js';

const [url, prefix, group, consumer, streams] = process.argv.slice(2);
const transport = new RedisTransport({ url, prefix, claimIdleMs: 300, blockMs: 50, readCount: 16 });
const redis = new Redis(url);
for (const stream of streams.split(',')) {
  transport.subscribe(stream, group, consumer, async (entry) => {
    await applyOnce(redis, prefix, entry, consumer);
    await sleep(1);
  });
}
await transport.ready();
process.stdout.write('ready\n');
