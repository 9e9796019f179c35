/**
 * The Redis fixture of the three Redis suites (test/redis, test/redis-e2e, test/redis-cluster): when
 * they run, the servers they start, and what they open and close.
 *
 * - describeRedis / describeCluster: with CI=true the suites always run, and fail when redis-server
 *   (and, for a cluster, redis-cli) is missing, never skip; locally they are skipped with the reason.
 * - RedisServer / RedisCluster (tools/): servers on free ports on 127.0.0.1 with a temporary dir,
 *   stopped by their PID; useRedisServer() starts one for a file (beforeAll) and tears it down.
 * - transport() / client(): a RedisTransport with test-friendly timings and a plain ioredis client,
 *   closed by closeAll() / tearDown(), which then checks that no socket or child process stays open.
 *
 * Importing this module loads the Redis transport, which registers `'redis'` with createBus().
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { RedisKeys, RedisTransport, type RedisTransportOptions } from '../../src/redis/index.js';
import { REDIS_CLI, RedisCluster } from '../../tools/redis-cluster.js';
import { freePort, REDIS_SERVER, RedisServer, type RedisServerOptions } from '../../tools/redis-server.js';

export { freePort, RedisCluster, RedisServer };

const inCI = process.env.CI === 'true';

/** Why the single-server suites are skipped (undefined when they run). With CI=true they always run (and fail without redis-server). */
export const SKIP_REASON =
  REDIS_SERVER || inCI ? undefined : 'redis-server not found on PATH (install it: apt-get install -y redis-server)';

/** Why the cluster suites are skipped (undefined when they run). With CI=true they always run. */
export const CLUSTER_SKIP_REASON =
  (REDIS_SERVER && REDIS_CLI) || inCI
    ? undefined
    : 'redis-server and redis-cli not found on PATH (install them: apt-get install -y redis-server)';

function describeUnless(reason: string | undefined, name: string, body: () => void): void {
  if (reason) describe.skip(`${name} (skipped: ${reason})`, body);
  else describe(name, body);
}

/** `describe` for suites that need redis-server: skipped locally with the reason when it is missing, run (and failing) in CI. */
export function describeRedis(name: string, body: () => void): void {
  describeUnless(SKIP_REASON, name, body);
}

/** `describe` for suites that start a Redis Cluster: skipped locally with the reason when redis-server or redis-cli is missing, run (and failing) in CI. */
export function describeCluster(name: string, body: () => void): void {
  describeUnless(CLUSTER_SKIP_REASON, name, body);
}

/**
 * A redis-server for the file's tests: started in beforeAll, and in afterAll everything the tests
 * opened is closed, the server stopped and open handles checked (tearDown). Returns a getter.
 */
export function useRedisServer(options?: RedisServerOptions): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await RedisServer.start(options);
  });
  afterAll(() => tearDown(server));
  return () => {
    if (!server) throw new Error('the Redis server is not started yet (use it inside a test or a hook)');
    return server;
  };
}

/** Transports and clients opened by a test file, closed by closeAll() in afterAll/afterEach. */
const open: { close(): Promise<unknown> }[] = [];

/** A transport with test-friendly timings, closed by closeAll(). */
export function transport(url: string, options: RedisTransportOptions = {}): RedisTransport {
  const t = new RedisTransport({ url, claimIdleMs: 300, blockMs: 50, ...options });
  open.push(t);
  return t;
}

/** The Redis key names under `prefix` (the transport's layout: hash-tagged, see docs/redis.md#keys). */
export const keysOf = (prefix = 'kb:') => new RedisKeys(prefix);

/** A plain ioredis client (to inspect or tamper with Redis), closed by closeAll(). */
export function client(url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(20 * n, 200) });
  c.on('error', () => {});
  open.push({ close: async () => c.disconnect() });
  return c;
}

/** Closes everything opened with transport() and client(). */
export async function closeAll(): Promise<void> {
  const all = open.splice(0);
  await Promise.all(all.map((o) => o.close()));
}

/** Resolves when `predicate` holds, polling every `everyMs`; rejects with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Sleeps. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** afterAll of a file: closes what the tests opened, stops `server`, then checks that nothing stays open. */
export async function tearDown(server: { stop(): Promise<unknown> } | undefined): Promise<void> {
  await closeAll();
  await server?.stop();
  await expectNoOpenHandles();
}

/** Fails when sockets or child processes are still open (after every transport, client and server was closed). */
export async function expectNoOpenHandles(): Promise<void> {
  const open = () => process.getActiveResourcesInfo().filter((r) => /^(TCPSocketWrap|TCPWrap|TLSWrap|ProcessWrap)$/.test(r));
  await until(() => open().length === 0, `open handles to close (${open().join(', ')})`, 5000, 10);
}
