/**
 * A Redis Cluster for the tests and the bench: `redis-server --cluster-enabled yes` processes on free
 * 127.0.0.1 ports (client and cluster-bus port each picked free, `--cluster-port`), each in a temporary
 * dir, joined by `redis-cli --cluster create ... --cluster-replicas N --cluster-yes` (which wants 3
 * primaries or more; fewer are joined with CLUSTER ADDSLOTSRANGE, MEET and REPLICATE, as it would);
 * nodes are killed and stopped by PID (never by name). Plain Node, no vitest: test/redis-cluster/ and bench/redis*.ts
 * both import it (tools/redis-server.ts runs each node).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_SERVER, RedisServer } from './redis-server.js';

/** redis-cli next to redis-server (the same package installs both), if present. */
export const REDIS_CLI = ((): string | undefined => {
  if (!REDIS_SERVER) return undefined;
  const path = join(dirname(REDIS_SERVER), 'redis-cli');
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
})();

/** Options of RedisCluster.start(). */
export interface RedisClusterOptions {
  /** Primaries (each serving a third, a half... of the 16384 slots). Default 3. */
  primaries?: number;
  /** Replicas per primary. Default 1. */
  replicas?: number;
  /**
   * cluster-node-timeout: how long a primary may stay silent before its replica is promoted (the
   * promotion itself takes about 1-2 such periods more). Default 1000 ms.
   */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node. */
  args?: string[];
}

/** A node as CLUSTER NODES describes it. */
export interface ClusterNode {
  id: string;
  port: number;
  /** 'primary' or 'replica'. */
  role: 'primary' | 'replica';
  /** For a replica, the id of its primary. */
  primaryId: string | undefined;
  /** Flagged fail or pfail by the node asked. */
  failing: boolean;
  /** Slot ranges served (primaries), e.g. [[0, 5460]]. */
  slots: [number, number][];
}

/** A running cluster: its nodes' processes, the URL that reaches it, and fault injection. */
export class RedisCluster {
  /** Nodes killed (or stopped) and not restarted. */
  private readonly down = new Set<RedisServer>();

  private constructor(
    /** Every node process, in the order given to `redis-cli --cluster create`. */
    readonly servers: RedisServer[],
  ) {}

  /** Starts the nodes, creates the cluster and waits until every node reports cluster_state:ok. */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const primaries = options.primaries ?? 3;
    const replicas = options.replicas ?? 1;
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
    if (!REDIS_CLI) throw new Error('redis-cli not found next to redis-server (install it: apt-get install -y redis-server)');
    const servers: RedisServer[] = [];
    const cluster = new RedisCluster(servers);
    try {
      const count = primaries * (1 + replicas);
      for (let i = 0; i < count; i++) {
        servers.push(
          await RedisServer.start({
            clusterBus: true,
            args: [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              'nodes.conf',
              '--cluster-node-timeout',
              String(nodeTimeoutMs),
              // A replica syncs at once (the default waits 5 s for more replicas to share the transfer).
              '--repl-diskless-sync-delay',
              '0',
              ...(options.args ?? []),
            ],
          }),
        );
      }
      if (primaries >= 3) {
        await run(REDIS_CLI, [
          '--cluster',
          'create',
          ...servers.map((s) => `127.0.0.1:${s.port}`),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ]);
      } else {
        await cluster.join(primaries);
      }
      await cluster.waitOk(20_000);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /**
   * Joins the nodes as `redis-cli --cluster create` would, for fewer than 3 primaries (which it
   * refuses): the first `primaries` servers share the 16384 slots, the others replicate them in turn.
   */
  private async join(primaries: number): Promise<void> {
    const [first, ...others] = this.servers;
    for (let i = 0; i < primaries; i++) {
      const from = Math.floor((16384 * i) / primaries);
      const to = Math.floor((16384 * (i + 1)) / primaries) - 1;
      await this.command(this.servers[i].port, 'CLUSTER', 'ADDSLOTSRANGE', from, to);
    }
    for (const s of others) await this.command(s.port, 'CLUSTER', 'MEET', '127.0.0.1', first.port, first.busPort!);
    const ids = await Promise.all(this.servers.slice(0, primaries).map(async (s) => String(await this.command(s.port, 'CLUSTER', 'MYID'))));
    for (let i = primaries; i < this.servers.length; i++) {
      const port = this.servers[i].port;
      const primaryId = ids[(i - primaries) % primaries];
      // A node can replicate one it knows of: wait for the gossip to bring it.
      const deadline = Date.now() + 10_000;
      while (!(await this.nodes(port)).some((n) => n.id === primaryId)) {
        if (Date.now() > deadline) throw new Error(`node ${port} never learnt of primary ${primaryId}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await this.command(port, 'CLUSTER', 'REPLICATE', primaryId);
    }
  }

  /** `redis+cluster://127.0.0.1:<port>,...`: every node still running, as a kernelbus cluster URL. */
  url(): string {
    return `redis+cluster://${this.live()
      .map((s) => `127.0.0.1:${s.port}`)
      .join(',')}`;
  }

  /** Every node still running, as `redis://127.0.0.1:<port>` URLs (the `cluster: [...]` option). */
  urls(): string[] {
    return this.live().map((s) => s.url());
  }

  /** The node processes still running. */
  live(): RedisServer[] {
    return this.servers.filter((s) => !this.down.has(s));
  }

  /** The process listening on `port`. */
  server(port: number): RedisServer {
    const s = this.servers.find((x) => x.port === port);
    if (!s) throw new Error(`no node of this cluster on port ${port}`);
    return s;
  }

  /** Runs one command on the node on `port` (a short-lived connection). */
  async command(port: number, ...args: (string | number)[]): Promise<unknown> {
    return (await this.commands(port, [args]))[0];
  }

  /** Runs commands in turn on one short-lived connection to the node on `port` (WAIT counts that connection's writes). */
  async commands(port: number, list: (string | number)[][]): Promise<unknown[]> {
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 1000,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      const out: unknown[] = [];
      for (const args of list) out.push(await redis.call(String(args[0]), ...args.slice(1).map(String)));
      return out;
    } finally {
      redis.disconnect();
    }
  }

  /** CLUSTER INFO of the node on `port`, as a map. */
  async info(port: number): Promise<Map<string, string>> {
    const text = String(await this.command(port, 'CLUSTER', 'INFO'));
    return new Map(
      text
        .split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':', 2) as [string, string]),
    );
  }

  /** CLUSTER NODES as the node on `port` sees them. */
  async nodes(port = this.live()[0].port): Promise<ClusterNode[]> {
    const text = String(await this.command(port, 'CLUSTER', 'NODES'));
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, primaryId, , , , , ...slots] = line.trim().split(' ');
        const flagSet = new Set(flags.split(','));
        return {
          id,
          port: Number(address.split('@')[0].split(':').pop()),
          role: flagSet.has('master') ? 'primary' : 'replica',
          primaryId: primaryId === '-' ? undefined : primaryId,
          failing: flagSet.has('fail') || flagSet.has('fail?'),
          slots: slots
            .filter((s) => !s.startsWith('['))
            .map((s) => {
              const [a, b] = s.split('-').map(Number);
              return [a, b ?? a] as [number, number];
            }),
        };
      });
  }

  /** The port of the primary serving `key` (its hash slot, hash tags included), as the node on `askPort` sees it. */
  async primaryOf(key: string, askPort = this.live()[0].port): Promise<number> {
    const slot = Number(await this.command(askPort, 'CLUSTER', 'KEYSLOT', key));
    const owner = (await this.nodes(askPort)).find((n) => n.role === 'primary' && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!owner) throw new Error(`no primary serves slot ${slot}`);
    return owner.port;
  }

  /**
   * Resolves once every running node reports cluster_state:ok, they agree on which running primaries
   * serve all 16384 slots, every running node is one of those primaries or a replica in every node's
   * view (a replica's CLUSTER REPLICATE reaches the others by gossip: until then they list it as a
   * primary without slots), and every running replica's link to its primary is up (synchronised: WAIT
   * counts it); rejects after `timeoutMs`.
   */
  async waitOk(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        last = await this.notOk();
        if (last === '') return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) throw new Error(`cluster not ok within ${timeoutMs} ms: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Why the cluster is not ok yet, or ''. */
  private async notOk(): Promise<string> {
    const live = this.live();
    const livePorts = new Set(live.map((s) => s.port));
    let view: string | undefined;
    for (const s of live) {
      const state = (await this.info(s.port)).get('cluster_state');
      if (state !== 'ok') return `node ${s.port}: cluster_state ${state}`;
      const nodes = await this.nodes(s.port);
      const primaries = nodes.filter((n) => n.role === 'primary' && n.slots.length > 0);
      const served = primaries.reduce((sum, n) => sum + n.slots.reduce((t, [a, b]) => t + b - a + 1, 0), 0);
      if (served !== 16384) return `node ${s.port}: ${served} slots served`;
      const dead = primaries.find((n) => !livePorts.has(n.port) || n.failing);
      if (dead) return `node ${s.port}: slots still on primary ${dead.port}, which is down`;
      const stray = nodes.find((n) => livePorts.has(n.port) && n.role === 'primary' && n.slots.length === 0);
      if (stray) return `node ${s.port}: sees ${stray.port} as a primary without slots (not yet as a replica)`;
      if (nodes.find((n) => n.port === s.port)?.role === 'replica') {
        const link = /master_link_status:(\w+)/.exec(String(await this.command(s.port, 'INFO', 'replication')))?.[1];
        if (link !== 'up') return `replica ${s.port}: link to its primary ${link}`;
      }
      const mine = primaries
        .map((n) => `${n.port}:${JSON.stringify(n.slots)}`)
        .sort()
        .join(' ');
      if (view !== undefined && mine !== view) return `nodes disagree on the slots (${view} / ${mine})`;
      view = mine;
    }
    return '';
  }

  /**
   * Kills the primary on `port` with SIGKILL (by PID), then waits until one of its replicas serves
   * its slots and the cluster is ok again; resolves with the new primary's port and the time taken.
   */
  async killPrimary(port: number, timeoutMs = 20_000): Promise<{ promoted: number; ms: number }> {
    const before = await this.nodes(port);
    const me = before.find((n) => n.port === port);
    if (me?.role !== 'primary') throw new Error(`node ${port} is not a primary`);
    const replicas = new Set(before.filter((n) => n.primaryId === me.id).map((n) => n.port));
    const server = this.server(port);
    const start = performance.now();
    await server.halt('SIGKILL');
    this.down.add(server);
    await this.waitOk(timeoutMs);
    const slot = me.slots[0][0];
    const owner = (await this.nodes()).find((n) => n.role === 'primary' && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!owner || !replicas.has(owner.port)) throw new Error(`slot ${slot} is served by ${owner?.port}, not by a replica of ${port}`);
    return { promoted: owner.port, ms: performance.now() - start };
  }

  /** Stops every node (SIGTERM, then SIGKILL after 5 s; by PID) and removes their dirs. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    for (const s of this.servers) this.down.add(s);
  }
}

/** Runs a program to completion; rejects with its output when it fails. */
function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}
