/** Clearing a key prefix: what `kernelbus demo` and the Redis benches leave behind when they end. */
import type { Cluster, Redis } from 'ioredis';
import { RedisTransport } from './transport.js';

/**
 * Deletes every key under `prefix` (SCAN + UNLINK), e.g. a demo run's streams and checkpoints; on a
 * Redis Cluster, on every primary, a key at a time (keys of several slots cannot go in one UNLINK).
 */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const t = new RedisTransport({ url, prefix });
  try {
    await t.ready();
    const nodes = t.cluster ? (t.cmd as Cluster).nodes('master') : [t.cmd as Redis];
    let deleted = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length === 0) continue;
        if (t.cluster) for (const n of await Promise.all(keys.map((k) => node.unlink(k)))) deleted += n;
        else deleted += await node.unlink(...keys);
      } while (cursor !== '0');
    }
    return deleted;
  } finally {
    await t.close();
  }
}
