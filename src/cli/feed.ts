/**
 * `kernelbus feed --redis URL`: publishes the seeded synthetic market (the demo's) as TRADE_EXECUTION
 * to Redis Streams, for engine processes (`kernelbus engine vpin`) to consume.
 */
import type { Bus } from '../bus/bus.js';
import { type RedisTransport, TransportError } from '../bus/transports/redis/index.js';
import { SyntheticMarket } from './market.js';
import { connectRedisBus, DEFAULT_SHARDS, publishMarket, streamKeyPattern, untilSignal } from './common.js';
import { createLog, LOG_FLAGS, LOG_USAGE, METRICS_FLAGS, METRICS_USAGE, resolvedBackend, startMetrics } from './observe.js';
import { alignOptions, flag, parseCommand } from './options.js';
import { fmt } from './summary.js';

/** `kernelbus feed --help`. */
export const FEED_USAGE = alignOptions(
  `Usage: kernelbus feed --redis URL [options]

Publishes a seeded synthetic market (random walks, volume bursts, toxic one-sided episodes; the demo's)
as TRADE_EXECUTION messages to Redis Streams ${streamKeyPattern('marketdata', 'TRADE_EXECUTION')}, batched into
columnar frames, for engine processes (kernelbus engine vpin) to consume. At the end it waits until
the engines reading the streams have acknowledged everything, then prints a summary. SIGINT or SIGTERM
stops publishing early (what was published is still delivered).

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
${METRICS_USAGE}${LOG_USAGE}`,
  23,
);

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
    bus = await connectRedisBus(url, shards);
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    log.error(error.message, { event: 'unreachable' });
    return 1;
  }
  const target = bus.transport('marketdata').target;
  const stop = untilSignal(signal);
  let server: Awaited<ReturnType<typeof startMetrics>>;
  try {
    server = await startMetrics({
      port: parsed.values['metrics-port'],
      host: parsed.values['metrics-host'] ?? '127.0.0.1',
      bus,
      backend: await resolvedBackend('auto'),
      // Any process's exposition can carry every group's lag: the feed's shows the engines falling behind.
      lagOf: bus.transport('marketdata') as RedisTransport,
      // A feed is ready while every bus's Redis answers.
      ready: () => {
        const down = bus.buses.filter((b) => !bus.transport(b).healthy);
        return down.length === 0 ? true : `Redis not reachable (${down.join(', ')})`;
      },
    });
  } catch (error) {
    stop.dispose();
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
    const { sent, ms } = await publishMarket(bus, market, { rate, seconds, count, quotes, stopped: () => stop.received !== undefined });
    await bus.flush();
    const stored = performance.now();
    await bus.close();
    const consumed = performance.now() - stored;
    const m = bus.metrics();
    log.info(
      `published ${fmt(sent)} trades in ${fmt(ms / 1000, 2)} s (${fmt((sent * 1000) / Math.max(ms, 1e-3))} msg/s) as ${fmt(m.buses.marketdata.frames)} frames` +
        ` (${fmt(m.batchSize.mean, 1)} trades each); stored; consumed by the engines ${fmt(consumed)} ms after the last${stop.received ? ` (stopped by ${stop.received})` : ''}`,
      { event: 'published', trades: sent, ms, frames: m.buses.marketdata.frames, consumedMs: consumed, signal: stop.received },
    );
    return 0;
  } finally {
    stop.dispose();
    await bus.close();
    await server?.close();
  }
}
