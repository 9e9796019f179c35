/**
 * The Redis Cluster rows of the `redis` section: the same end-to-end run as bench/redis.ts (a publisher
 * process -> Redis -> a VpinEngine process, single trades by await publish()) on a cluster of 1 primary
 * and of 3 primaries, each with a replica (tools/redis-cluster.ts), with durability 'replica' (the
 * default with replicas: WAIT 1 after each append) and 'primary'; 3 primaries without replicas (the
 * cluster's own cost, apart from replication's); and each primary's CPU time per million messages
 * (INFO cpu before and after), the per-primary load behind docs/redis.md's scaling.
 */
import { RedisKeys } from '../src/redis/index.js';
import { RedisCluster, REDIS_CLI } from '../tools/redis-cluster.js';
import { median, type BenchRow } from './lib.js';

/**
 * The end-to-end throughput run of bench/redis.ts on `url` with `durability` (default: the transport's):
 * its rate (msg/s, the median timed round) and the trades it published in all (warm-up included).
 */
export type ClusterRun = (url: string, durability?: 'replica' | 'primary') => Promise<{ rate: number; trades: number }>;

/** The CPU time (used_cpu_user + used_cpu_sys, seconds) in a reply of INFO cpu. */
export function infoCpuSeconds(info: string): number {
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** A node's CPU time so far, seconds. */
async function cpuSeconds(cluster: RedisCluster, port: number): Promise<number> {
  return infoCpuSeconds(String(await cluster.command(port, 'INFO', 'cpu')));
}

/**
 * msg/s end to end on `cluster`, and each primary's CPU seconds per trade published with the trade
 * shards it serves (of `shards`; the tags do not depend on the prefix).
 */
async function measure(cluster: RedisCluster, run: ClusterRun, shards: number, durability?: 'replica' | 'primary') {
  const primaries = (await cluster.nodes()).filter((n) => n.role === 'primary').map((n) => n.port);
  const keys = new RedisKeys('kb:');
  const owners = await Promise.all(
    Array.from({ length: shards }, (_, i) => cluster.primaryOf(keys.stream(`marketdata:TRADE_EXECUTION:${i}`))),
  );
  const before = await Promise.all(primaries.map((p) => cpuSeconds(cluster, p)));
  const r = await run(cluster.url(), durability);
  const after = await Promise.all(primaries.map((p) => cpuSeconds(cluster, p)));
  return {
    rate: r.rate,
    // the warm-up trades included: INFO cpu has no finer window
    cpu: primaries.map((p, i) => ({ port: p, perTrade: (after[i] - before[i]) / r.trades, shards: owners.filter((o) => o === p).length })),
  };
}

/**
 * Adds the cluster rows: end-to-end throughput on one Redis (`single`, the section's redis-server), a
 * cluster of 1 primary and one of 3 primaries (each primary with a replica, so durability 'replica' by
 * default), the 3 primaries with durability 'primary', and 3 primaries without replicas (on 2 cores the
 * replicas take CPU from the rest): `rounds` rounds of all five, interleaved
 * (the machine's load drifts), medians and ratios to one Redis; and each primary's CPU per million
 * messages in the 3-primary runs.
 */
export async function clusterRows(run: ClusterRun, single: string, shards: number, timing: string, rounds = 3): Promise<BenchRow[]> {
  if (!REDIS_CLI) {
    console.log('redis: cluster rows skipped (no redis-cli next to redis-server)');
    return [];
  }
  const rows: BenchRow[] = [];
  const add = (c: string, subject: string, value: number, unit: string, note?: string, baseline?: { subject: string; value: number }) =>
    rows.push({
      section: 'redis',
      case: c,
      subject,
      value,
      unit,
      ...(baseline ? { ratio: value / baseline.value, baseline: baseline.subject } : {}),
      ...(note ? { note } : {}),
    });
  const one = await RedisCluster.start({ primaries: 1, replicas: 1 });
  let three: RedisCluster | undefined;
  let bare: RedisCluster | undefined;
  try {
    three = await RedisCluster.start({ primaries: 3, replicas: 1 });
    bare = await RedisCluster.start({ primaries: 3, replicas: 0 });
    const rates = {
      single: [] as number[],
      one: [] as number[],
      three: [] as number[],
      threePrimary: [] as number[],
      bare: [] as number[],
    };
    const cpu: { port: number; perTrade: number; shards: number }[][] = [];
    for (let round = 0; round < rounds; round++) {
      rates.single.push((await run(single)).rate);
      rates.one.push((await measure(one, run, shards)).rate);
      const m = await measure(three, run, shards);
      rates.three.push(m.rate);
      cpu.push(m.cpu);
      rates.threePrimary.push((await measure(three, run, shards, 'primary')).rate);
      rates.bare.push((await measure(bare, run, shards)).rate);
    }
    const tp = 'throughput end to end, Redis Cluster vs one Redis (msg/s)';
    const base = { subject: 'one Redis', value: median(rates.single) };
    const runs = (xs: number[]) => `median of ${xs.length} interleaved runs (${xs.map((x) => (x / 1e6).toFixed(2)).join(', ')} M)`;
    add(
      tp,
      'one Redis',
      base.value,
      'msg/s',
      `single trades by await publish(), publisher process -> Redis -> VpinEngine process, ${shards} streams, each run ${timing}; ${runs(rates.single)}`,
      base,
    );
    add(
      tp,
      'cluster, 1 primary',
      median(rates.one),
      'msg/s',
      `1 primary + 1 replica, durability 'replica' (WAIT 1 per append); ${runs(rates.one)}`,
      base,
    );
    add(
      tp,
      'cluster, 3 primaries',
      median(rates.three),
      'msg/s',
      `3 primaries + 3 replicas, durability 'replica'; target >= 0.8x one Redis; ${runs(rates.three)}`,
      base,
    );
    add(
      tp,
      'cluster, 3 primaries, no replicas',
      median(rates.bare),
      'msg/s',
      `durability 'primary' (no replica to wait for): the cluster's own cost, without the replicas' CPU on these 2 cores; ${runs(rates.bare)}`,
      base,
    );
    const dc = 'durability cost, cluster of 3 primaries (msg/s)';
    const loose = { subject: "durability 'primary'", value: median(rates.threePrimary) };
    add(
      dc,
      "durability 'primary'",
      loose.value,
      'msg/s',
      `acknowledged once the primary has it (asynchronous replication); ${runs(rates.threePrimary)}`,
      loose,
    );
    add(
      dc,
      "durability 'replica'",
      median(rates.three),
      'msg/s',
      'acknowledged once a replica has it: WAIT 1 after each append, on the same connection',
      loose,
    );
    const load = 'Redis CPU per million messages, cluster of 3 primaries (s)';
    // Per primary, ranked by load, the median over the rounds.
    const ranked = cpu.map((c) => [...c].sort((a, b) => b.perTrade - a.perTrade));
    const total = median(ranked.map((c) => c.reduce((t, x) => t + x.perTrade, 0)));
    ranked[0].forEach((c, i) => {
      const perTrade = median(ranked.map((r) => r[i].perTrade));
      add(
        load,
        `primary ${i + 1}`,
        perTrade * 1e6,
        's',
        `${((100 * perTrade) / Math.max(total, 1e-18)).toFixed(0)}% of the primaries' CPU; ${c.shards} of the ${shards} trade shards`,
      );
    });
    add(
      load,
      'all primaries',
      total * 1e6,
      's',
      "user + system CPU (INFO cpu) of the primaries during the 'replica' runs, warm-up included",
    );
  } finally {
    await one.stop();
    await three?.stop();
    await bare?.stop();
  }
  return rows;
}
