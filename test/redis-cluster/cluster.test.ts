/**
 * The cluster harness the Redis Cluster suites stand on (tools/redis-cluster.ts): 3 primaries with a
 * replica each on free 127.0.0.1 ports; a primary killed with SIGKILL is replaced by its replica; every
 * process stopped and every dir removed at the end.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisCluster, describeCluster } from '../helpers/redis.js';

describeCluster('Redis Cluster harness', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ primaries: 3, replicas: 1, nodeTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts 3 primaries with a replica each, every slot served, cluster_state ok on every node', async () => {
    expect(cluster.servers).toHaveLength(6);
    for (const s of cluster.servers) expect((await cluster.info(s.port)).get('cluster_state')).toBe('ok');
    const nodes = await cluster.nodes();
    const primaries = nodes.filter((n) => n.role === 'primary');
    expect(primaries).toHaveLength(3);
    expect(primaries.reduce((sum, n) => sum + n.slots.reduce((t, [a, b]) => t + b - a + 1, 0), 0)).toBe(16384);
    for (const p of primaries) expect(nodes.filter((n) => n.primaryId === p.id)).toHaveLength(1);
    expect(cluster.url()).toMatch(/^redis\+cluster:\/\/127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){5}$/);
  });

  it('a primary killed with SIGKILL: its replica serves its slots, the data it had replicated is there', async () => {
    const key = '{marketdata:0}:TRADE_EXECUTION';
    const port = await cluster.primaryOf(key);
    const [, replicas] = await cluster.commands(port, [
      ['XADD', key, '*', 'd', 'x'],
      ['WAIT', 1, 1000],
    ]);
    expect(replicas).toBe(1);
    const pid = cluster.server(port).pid;
    const { promoted, ms } = await cluster.killPrimary(port);
    expect(() => process.kill(pid!, 0)).toThrow(); // gone
    expect(await cluster.primaryOf(key)).toBe(promoted);
    expect(await cluster.command(promoted, 'XLEN', key)).toBe(1);
    expect(cluster.live()).toHaveLength(5);
    console.log(
      `[redis-cluster] replica ${promoted} promoted ${ms.toFixed(0)} ms after primary ${port} was killed (cluster-node-timeout 1000 ms)`,
    );
  });

  it('stop() ends every process and removes every dir', async () => {
    const dirs = cluster.servers.map((s) => s.dir);
    const pids = cluster.live().map((s) => s.pid!);
    await cluster.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });
});

describeCluster('Redis Cluster harness, fewer than 3 primaries (redis-cli --cluster create refuses them)', () => {
  it('1 primary serving every slot and its replica', async () => {
    const cluster = await RedisCluster.start({ primaries: 1, replicas: 1 });
    try {
      const nodes = await cluster.nodes();
      const [primary] = nodes.filter((n) => n.role === 'primary');
      expect(primary.slots).toEqual([[0, 16383]]);
      expect(nodes.filter((n) => n.role === 'replica').map((n) => n.primaryId)).toEqual([primary.id]);
      const [, replicas] = await cluster.commands(primary.port, [
        ['SET', 'k', 'v'],
        ['WAIT', 1, 1000],
      ]);
      expect(replicas).toBe(1);
    } finally {
      await cluster.stop();
    }
  });
});
