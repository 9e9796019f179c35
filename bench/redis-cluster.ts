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

/** The end-to-end run of bench/redis.ts: throughput is count / (engine done - publisher start). */
type Run = (
  url: string,
  plan: { count: number; warm?: number },
  warmupMs: number,
  options: { durability?: 'replica' | 'primary' },
) => Promise<{ pub: { startAt: number }; eng: { doneAt: number } }>;

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
 * msg/s end to end of `count` trades on `cluster`, and each primary's CPU seconds meanwhile with the
 * trade shards it serves (of `shards`; the tags do not depend on the prefix).
 */
async function measure(cluster: RedisCluster, run: Run, count: number, warm: number, shards: number, durability?: 'replica' | 'primary') {
  const primaries = (await cluster.nodes()).filter((n) => n.role === 'primary').map((n) => n.port);
  const keys = new RedisKeys('kb:');
  const owners = await Promise.all(Array.from({ length: shards }, (_, i) => cluster.primaryOf(keys.stream(`marketdata:TRADE_EXECUTION:${i}`))));
  const before = await Promise.all(primaries.map((p) => cpuSeconds(cluster, p)));
  const r = await run(cluster.url(), { count, warm }, 0, { durability });
  const after = await Promise.all(primaries.map((p) => cpuSeconds(cluster, p)));
  return {
    rate: (count * 1000) / (r.eng.doneAt - r.pub.startAt),
    // the warm-up trades included: INFO cpu has no finer window
    cpu: primaries.map((p, i) => ({ port: p, seconds: after[i] - before[i], shards: owners.filter((o) => o === p).length })),
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
export async function clusterRows(run: Run, single: string, count: number, warm: number, shards: number, rounds = 3): Promise<BenchRow[]> {
  if (!REDIS_CLI) {
    console.log('redis: cluster rows skipped (no redis-cli next to redis-server)');
    return [];
  }
  const rows: BenchRow[] = [];
  const add = (c: string, subject: string, value: number, unit: string, note?: string, baseline?: { subject: string; value: number }) =>
    rows.push({ section: 'redis', case: c, subject, value, unit, ...(baseline ? { ratio: value / baseline.value, baseline: baseline.subject } : {}), ...(note ? { note } : {}) });
  const one = await RedisCluster.start({ primaries: 1, replicas: 1 });
  let three: RedisCluster | undefined;
  let bare: RedisCluster | undefined;
  try {
    three = await RedisCluster.start({ primaries: 3, replicas: 1 });
    bare = await RedisCluster.start({ primaries: 3, replicas: 0 });
    for (const url of [one.url(), three.url(), bare.url()]) await run(url, { count: 200_000 }, 0, {}); // warm-up
    const rates = { single: [] as number[], one: [] as number[], three: [] as number[], threePrimary: [] as number[], bare: [] as number[] };
    const cpu: { port: number; seconds: number; shards: number }[][] = [];
    for (let round = 0; round < rounds; round++) {
      const r = await run(single, { count, warm }, 0, {});
      rates.single.push((count * 1000) / (r.eng.doneAt - r.pub.startAt));
      rates.one.push((await measure(one, run, count, warm, shards)).rate);
      const m = await measure(three, run, count, warm, shards);
      rates.three.push(m.rate);
      cpu.push(m.cpu);
      rates.threePrimary.push((await measure(three, run, count, warm, shards, 'primary')).rate);
      rates.bare.push((await measure(bare, run, count, warm, shards)).rate);
    }
    const tp = 'throughput end to end, Redis Cluster vs one Redis (msg/s)';
    const base = { subject: 'one Redis', value: median(rates.single) };
    const runs = (xs: number[]) => `median of ${xs.length} interleaved runs (${xs.map((x) => (x / 1e6).toFixed(2)).join(', ')} M)`;
    add(tp, 'one Redis', base.value, 'msg/s', `single trades by await publish(), publisher process -> Redis -> VpinEngine process, ${shards} streams, each run timed after ${warm.toLocaleString('en-US')} untimed trades; ${runs(rates.single)}`, base);
    add(tp, 'cluster, 1 primary', median(rates.one), 'msg/s', `1 primary + 1 replica, durability 'replica' (WAIT 1 per append); ${runs(rates.one)}`, base);
    add(tp, 'cluster, 3 primaries', median(rates.three), 'msg/s', `3 primaries + 3 replicas, durability 'replica'; target >= 0.8x one Redis; ${runs(rates.three)}`, base);
    add(tp, 'cluster, 3 primaries, no replicas', median(rates.bare), 'msg/s', `durability 'primary' (no replica to wait for): the cluster's own cost, without the replicas' CPU on these 2 cores; ${runs(rates.bare)}`, base);
    const dc = 'durability cost, cluster of 3 primaries (msg/s)';
    const loose = { subject: "durability 'primary'", value: median(rates.threePrimary) };
    add(dc, "durability 'primary'", loose.value, 'msg/s', `acknowledged once the primary has it (asynchronous replication); ${runs(rates.threePrimary)}`, loose);
    add(dc, "durability 'replica'", median(rates.three), 'msg/s', 'acknowledged once a replica has it: WAIT 1 after each append, on the same connection', loose);
    const load = 'Redis CPU per million messages, cluster of 3 primaries (s)';
    const perMillion = (s: number) => (s * 1e6) / (count + warm);
    // Per primary, ranked by load, the median over the rounds.
    const ranked = cpu.map((c) => [...c].sort((a, b) => b.seconds - a.seconds));
    const total = median(ranked.map((c) => c.reduce((t, x) => t + x.seconds, 0)));
    ranked[0].forEach((c, i) => {
      const seconds = median(ranked.map((r) => r[i].seconds));
      add(load, `primary ${i + 1}`, perMillion(seconds), 's', `${((100 * seconds) / Math.max(total, 1e-9)).toFixed(0)}% of the primaries' CPU; ${c.shards} of the ${shards} trade shards`);
    });
    add(load, 'all primaries', perMillion(total), 's', "user + system CPU (INFO cpu) of the primaries during the 'replica' runs");
  } finally {
    await one.stop();
    await three?.stop();
    await bare?.stop();
  }
  return rows;
}
