/** Pieces shared by `kernelbus demo`, `feed` and `engine`: the market loop, Redis set-up, signals. */
import type { Cluster, Redis } from 'ioredis';
import { createBus, type Bus } from '../bus/bus.js';
import { nowMs } from '../bus/messages.js';
import { DEFAULT_PREFIX, RedisKeys, RedisTransport, type RedisTransportOptions } from '../bus/transports/redis/index.js';
import type { SyntheticMarket } from './market.js';

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
 * A bus over Redis (`transport: 'redis'`, one RedisTransport per bus to `url`), once every transport
 * is connected: rejects with TransportError (no credentials in it) when Redis does not answer within
 * its publish timeout, after closing what it opened. `bus`: options of the bus itself (the feed's frame size).
 */
export async function connectRedisBus(
  url: string,
  shards: number,
  redis: Omit<RedisTransportOptions, 'url'> = {},
  bus: { maxBatch?: number } = {},
): Promise<Bus> {
  // The transport's messages (redis.log) start once connected: a failed connect is the caller's one line.
  let connected = false;
  const sink = redis.log;
  const log = sink && ((line: string) => connected && sink(line));
  const created = createBus({ transport: 'redis', url, shards, ...bus, redis: { ...COMMAND_HEALTH, ...redis, log } });
  try {
    await Promise.all(created.buses.map((b) => created.transport(b).ready?.()));
  } catch (error) {
    await Promise.all(created.buses.map((b) => created.transport(b).close()));
    throw error;
  }
  connected = true;
  return created;
}

/** publishMarket()'s shortest sleep between turns, ms: at 1,000 trades/s, 100 turns of 10 trades a second. */
const TICK_MS = 10;

/** Options of publishMarket(). */
export interface MarketLoop {
  /** Trade messages per second. */
  rate: number;
  /** Stop after this long. */
  seconds: number;
  /** Stop after this many trades (default: no limit). */
  count?: number;
  /** Stop early when this returns true (e.g. after SIGINT). */
  stopped: () => boolean;
  /**
   * Settles when the loop must stop even while it waits for room in the bus (a signal during an outage:
   * the queue is full and Redis does not answer); without it, such a wait lasts until there is room.
   */
  stop?: Promise<unknown>;
  /** Called every loop turn with the ms since the start (live status lines). */
  onTurn?: (elapsedMs: number) => void;
  /** Publish each trade's bid and ask too (5-column trade frames), for a quote-based classifier. */
  quotes?: boolean;
}

/**
 * Publishes the market's trades at `rate` (each loop turn publishes what is due, at most 10 ms worth,
 * stamped now, then sleeps on a timer until the next trade is due, at least TICK_MS) until `seconds`,
 * `count` or `stopped()`. Returns the trades sent and the ms it took.
 */
export async function publishMarket(bus: Bus, market: SyntheticMarket, loop: MarketLoop): Promise<{ sent: number; ms: number }> {
  const limit = loop.count ?? Infinity;
  const perTick = Math.max(1, Math.ceil(loop.rate / 100));
  const keys: string[] = new Array(perTick);
  const prices = new Float64Array(perTick);
  const volumes = new Float64Array(perTick);
  const bids = new Float64Array(perTick);
  const asks = new Float64Array(perTick);
  const quotes = loop.quotes === true;
  const start = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= loop.seconds * 1000 || sent >= limit || loop.stopped()) break;
    const due = Math.min(Math.floor((loop.rate * elapsed) / 1000) - sent, perTick, limit - sent);
    if (due > 0) {
      let n = 0;
      market.next(due, (key, price, volume, bid, ask) => {
        keys[n] = key;
        prices[n] = price;
        bids[n] = bid;
        asks[n] = ask;
        volumes[n++] = volume;
      });
      const ts = nowMs();
      for (let i = 0; i < due; i++) {
        const trade = quotes
          ? { key: keys[i], ts, price: prices[i], volume: volumes[i], bid: bids[i], ask: asks[i] }
          : { key: keys[i], ts, price: prices[i], volume: volumes[i] };
        sent++;
        if (!bus.publishSync('TRADE_EXECUTION', trade) && !(await roomOrStop(bus, loop.stop)))
          return { sent, ms: performance.now() - start };
      }
    }
    const now = performance.now() - start;
    loop.onTurn?.(now);
    // Behind (a turn publishes at most perTick): go on at once; else sleep on a timer (never a busy
    // loop) until the next trade is due, at least TICK_MS (what is due meanwhile goes out together, in
    // one frame per symbol) and at most 100 ms (stop() is seen), or until the end.
    const next = ((sent + 1) * 1000) / loop.rate - now;
    const rest = loop.seconds * 1000 - now;
    if (next <= 0) await new Promise((resolve) => setImmediate(resolve));
    else await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(Math.max(next, TICK_MS), 100, rest))));
  }
  return { sent, ms: performance.now() - start };
}

/** Waits for room in the bus: true once there is, false when `stop` settles first. */
async function roomOrStop(bus: Bus, stop: Promise<unknown> | undefined): Promise<boolean> {
  if (!stop) {
    await bus.room();
    return true;
  }
  return Promise.race([bus.room().then(() => true), stop.then(() => false)]);
}

/**
 * Resolves on the first SIGINT or SIGTERM (or when `signal` aborts); `dispose()` removes the handlers.
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
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  const onAbort = on('abort');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
    },
    get received() {
      return received;
    },
  };
}

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
