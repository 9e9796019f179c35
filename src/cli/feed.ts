/**
 * `kernelbus feed --redis URL`: publishes the seeded synthetic market (the demo's) as TRADE_EXECUTION
 * to Redis Streams, for engine processes (`kernelbus engine vpin`) to consume.
 */
import type { Bus } from '../bus/bus.js';
import { type RedisTransport, TransportError } from '../bus/transports/redis/index.js';
import { SyntheticMarket } from './market.js';
import {
  connectRedisBus,
  DEFAULT_GRACE_MS,
  DEFAULT_SHARDS,
  publishMarket,
  streamKeyPattern,
  unlessStopped,
  unstored,
  untilSignal,
} from './common.js';
import { OutageWatch, transportLog } from './outages.js';
import { createLog, LOG_FLAGS, LOG_USAGE, METRICS_FLAGS, METRICS_USAGE, resolvedBackend, startMetrics } from './observe.js';
import { flag, parseCommand } from './options.js';
import { fmt } from './summary.js';

/** `kernelbus feed --help`. */
export const FEED_USAGE = `Usage: kernelbus feed --redis URL [options]

Publishes a seeded synthetic market (random walks, volume bursts, toxic one-sided episodes; the demo's)
as TRADE_EXECUTION messages to Redis Streams ${streamKeyPattern('marketdata', 'TRADE_EXECUTION')}, batched into
columnar frames, for engine processes (kernelbus engine vpin) to consume. At the end it waits until
the engines reading the streams have acknowledged everything, then prints a summary. SIGINT or SIGTERM
stops publishing early (what was published is still delivered); while Redis does not answer, the feed
waits --grace-ms for it, then exits 1 saying how many messages were not stored. An outage of Redis is
a line in the log when it begins and one when it ends; /readyz answers 503 meanwhile.

Options:
  --redis URL     Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS, or a Redis
                  Cluster: redis+cluster://[user:password@]host:port,host:port,... (required)
  --symbols n     symbols (default 100)
  --rate r        trade messages per second (default 200000)
  --seconds s     how long to publish (default 10)
  --count n       stop after n trades (default: no limit)
  --seed k        random seed (default 1)
  --shards n      streams per type; engines must use the same (default ${DEFAULT_SHARDS})
  --quotes        publish each trade's bid and ask too (5-column frames), for engines with a quote
                  classifier (kernelbus engine vpin --classifier lee-ready)
  --grace-ms ms   after SIGINT/SIGTERM, how long to wait for Redis to store what is published (default ${DEFAULT_GRACE_MS})
${METRICS_USAGE}${LOG_USAGE}`;

/** The flags of `kernelbus feed`. */
const FLAGS = {
  redis: flag.redis(true),
  symbols: flag.number(100, 1, 100_000, true),
  rate: flag.number(200_000, 1, 1e8),
  seconds: flag.number(10, 0.001, 86_400 * 365),
  count: flag.optionalNumber(1, Number.MAX_SAFE_INTEGER, true),
  seed: flag.number(1, -(2 ** 31), 2 ** 32, true),
  shards: flag.number(DEFAULT_SHARDS, 1, 1024, true),
  quotes: flag.boolean(),
  'grace-ms': flag.number(DEFAULT_GRACE_MS, 0, 3_600_000),
  ...METRICS_FLAGS,
  ...LOG_FLAGS,
};

/**
 * Runs the feed with command-line arguments (without `feed`) and returns the exit code: 0, 1 when Redis
 * cannot be reached; throws KernelInputError for a bad option. Output goes to `out`.
 */
export async function runFeed(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => out.write(FEED_USAGE) });
  if (!parsed) return 0;
  const { symbols, rate, seconds, count, seed, shards, quotes } = parsed.values;
  const url = parsed.values.redis!;
  const log = await createLog('feed', parsed.values['log-format'], out, err);

  let bus: Bus;
  try {
    bus = await connectRedisBus(url, shards, { log: transportLog(log) });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    log.error(error.message, { event: 'unreachable' });
    return 1;
  }
  const target = bus.transport('marketdata').target;
  const stop = untilSignal(signal);
  const watch = new OutageWatch(bus, { log });
  let closed = false;
  let server: Awaited<ReturnType<typeof startMetrics>>;
  try {
    server = await startMetrics({
      port: parsed.values['metrics-port'],
      host: parsed.values['metrics-host'] ?? '127.0.0.1',
      bus,
      backend: await resolvedBackend('auto'),
      // Any process's exposition can carry every group's lag: the feed's shows the engines falling behind.
      lagOf: bus.transport('marketdata') as RedisTransport,
      // A feed is ready while every bus's Redis answers and takes writes.
      ready: () => watch.ready(),
    });
  } catch (error) {
    stop.dispose();
    watch.close();
    await bus.close();
    throw error;
  }
  try {
    if (server) log.info(`metrics: ${server.url}`, { event: 'metrics', url: server.url });
    log.info(
      `kernelbus feed: ${fmt(symbols)} symbols, ${fmt(rate)} msg/s for ${seconds} s${count ? ` (at most ${fmt(count)} trades)` : ''}, seed ${seed} -> ${target}, ${shards} shards`,
      { event: 'start', symbols, rate, seconds, count, seed, target, shards },
    );
    const market = new SyntheticMarket({ symbols, seed });
    const loop = { rate, seconds, count, quotes, stopped: () => stop.received !== undefined, stop: stop.promise };
    const { sent, ms } = await publishMarket(bus, market, loop);
    const grace = parsed.values['grace-ms'];
    // After a signal, storing and consuming what was published may take --grace-ms; what is stored and
    // not yet consumed stays in Redis for the engines.
    const flushed = await unlessStopped(bus.flush(), stop.promise, grace);
    const storedAt = performance.now();
    closed = flushed && (await unlessStopped(bus.close(), stop.promise, grace));
    const consumed = performance.now() - storedAt;
    const notStored = unstored(bus);
    if (notStored > 0) {
      log.error(
        `stopped by ${stop.received} while Redis does not answer: ${fmt(notStored)} of ${fmt(sent)} messages not stored within ${fmt(grace)} ms (never acknowledged: nothing stored was lost)`,
        { event: 'not-flushed', signal: stop.received, trades: sent, notStored, graceMs: grace },
      );
      return 1;
    }
    const m = bus.metrics();
    log.info(
      `published ${fmt(sent)} trades in ${fmt(ms / 1000, 2)} s (${fmt((sent * 1000) / Math.max(ms, 1e-3))} msg/s) as ${fmt(m.buses.marketdata.frames)} frames` +
        ` (${fmt(m.batchSize.mean, 1)} trades each); stored; consumed by the engines ${fmt(consumed)} ms after the last${stop.received ? ` (stopped by ${stop.received})` : ''}`,
      { event: 'published', trades: sent, ms, frames: m.buses.marketdata.frames, consumedMs: consumed, signal: stop.received },
    );
    return 0;
  } finally {
    stop.dispose();
    watch.close();
    // After a stop that gave up on Redis, the connections close with the process (bin/kernelbus.js).
    if (!closed && stop.received === undefined) await bus.close();
    await server?.close();
  }
}
