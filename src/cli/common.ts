/** Pieces shared by `kernelbus demo`, `feed` and `engine`: Redis set-up, grace periods, signals. */
import { createBus, type Bus } from '../bus/bus.js';
import type { BusOptions } from '../bus/bus-options.js';
import { DEFAULT_PREFIX, RedisKeys, type RedisBusOptions } from '../bus/transports/redis/index.js';

/** The key names the help texts show come from the transport's own layout (keys.ts), under the default prefix. */
export const HELP_KEYS = new RedisKeys(DEFAULT_PREFIX);

/** The Redis key of a bus's stream of `type`, its shard written `<shard>`: `kb:{marketdata:<shard>}:TRADE_EXECUTION`. */
export function streamKeyPattern(bus: string, type: string): string {
  return HELP_KEYS.stream(`${bus}:${type}:0`).replace(`{${bus}:0}`, `{${bus}:<shard>}`);
}

/** `--shards` of the Redis commands: feed and engines must agree on it. */
export const DEFAULT_SHARDS = 4;

/**
 * The health check of the commands' transports (watched by OutageWatch): a PING every 250 ms, unhealthy
 * when one is unanswered for a second (the library's 20/60 ms suit a failover router, not a probe).
 */
export const COMMAND_HEALTH = { healthIntervalMs: 250, healthTimeoutMs: 1000 };

/**
 * How long a command waits at start for its Redis to connect (and confirm with a PING) before it exits
 * with `not connected within 5000 ms`: longer than a publish's 2 s, which a local server on a loaded
 * 2-core machine once missed at a command's start (a CI run's feed).
 */
export const COMMAND_CONNECT_MS = 5000;

/** `--grace-ms` of engine and feed: how long a stop may take (flushing, checkpointing) before giving up. */
export const DEFAULT_GRACE_MS = 5000;

/** Waits for `work` at most `ms`: true once it fulfils in time, false when time runs out first (a rejection rejects). */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for `work`, or, once `stop` settles (a signal), at most `graceMs` more: true once it fulfils,
 * false when the grace period ran out (e.g. a flush that waits for a Redis that does not answer).
 */
export function unlessStopped(work: Promise<unknown>, stop: Promise<unknown>, graceMs: number): Promise<boolean> {
  const done = work.then(() => true as const);
  return Promise.race([done, stop.then(() => within(done, graceMs))]);
}

/**
 * Messages the bus accepted that no transport has stored yet (published minus what the transports
 * report stored): what a process that gives up on its Redis leaves unsent.
 */
export function unstored(bus: Bus): number {
  let stored = 0;
  for (const b of bus.buses) stored += bus.transport(b).metrics().messages;
  return bus.metrics().published - stored;
}

/**
 * A bus over Redis (the `redis` option: one RedisTransport per bus to `url`), once every transport
 * is connected: rejects with TransportError (no credentials in it) when Redis does not answer within
 * its publish timeout, after closing what it opened. `bus`: options of the bus itself (the feed's frame
 * size, linger and watermarks).
 */
export async function connectRedisBus(
  url: string,
  shards: number,
  redis: Omit<RedisBusOptions, 'url' | 'cluster' | 'targets'> = {},
  bus: Pick<BusOptions, 'maxBatch' | 'lingerMs' | 'watermarks' | 'idleWatermarkMs'> = {},
): Promise<Bus> {
  // The transport's messages (redis.log) start once connected: a failed connect is the caller's one line.
  let connected = false;
  const sink = redis.log;
  const log = sink && ((line: string) => connected && sink(line));
  const created = createBus({ shards, ...bus, redis: { url, ...COMMAND_HEALTH, ...redis, log } });
  try {
    await Promise.all(created.buses.map((b) => created.transport(b).ready?.(COMMAND_CONNECT_MS)));
  } catch (error) {
    await Promise.all(created.buses.map((b) => created.transport(b).close()));
    throw error;
  }
  connected = true;
  return created;
}

/**
 * The signals that stop a long-running command: Ctrl+C (SIGINT) and SIGTERM; on Windows, which sends no
 * SIGTERM, Ctrl+C and Ctrl+Break (SIGBREAK).
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];

/**
 * Resolves on the first of STOP_SIGNALS (or when `signal` aborts); `dispose()` removes the handlers.
 * `received` names what stopped it.
 */
export function untilSignal(signal?: AbortSignal): {
  promise: Promise<string>;
  dispose: () => void;
  readonly received: string | undefined;
} {
  let received: string | undefined;
  let resolve!: (what: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  const on = (what: string) => () => {
    received ??= what;
    resolve(what);
  };
  const handlers = STOP_SIGNALS.map((name) => [name, on(name)] as const);
  const onAbort = on('abort');
  for (const [name, handler] of handlers) process.once(name, handler);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    promise,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
      signal?.removeEventListener('abort', onAbort);
    },
    get received() {
      return received;
    },
  };
}
