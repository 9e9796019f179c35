/**
 * `kernelbus feed --redis URL`: publishes the seeded synthetic market (the demo's) as TRADE_EXECUTION
 * to Redis Streams, for engine processes (`kernelbus engine vpin`) to consume.
 */
import type { Bus } from '../bus/bus.js';
import { type RedisTransport, TransportError } from '../bus/transports/redis/index.js';
import { streamStatus } from '../bus/transports/redis/status.js';
import { KernelInputError } from '../errors.js';
import { replay, type ReplaySummary } from '../replay/index.js';
import { badTradesText, printRejected } from './bad-trades.js';
import { commandKernels } from './kernels.js';
import { BarFeed, demoBarMs } from './demo-bars.js';
import { demoPortfolios } from './demo-risk.js';
import { publishMarket, SyntheticMarket } from '../replay/synthetic-market.js';
import {
  BAR_FLAGS,
  BAR_USAGE,
  parseSpeed,
  parseSymbolList,
  parseTime,
  replayStatus,
  replaying,
  TAPE_FLAGS,
  TAPE_USAGE,
  tapeBarsSource,
  tapeSources,
} from './tapes.js';
import { connectRedisBus, DEFAULT_GRACE_MS, DEFAULT_SHARDS, streamKeyPattern, unlessStopped, unstored, untilSignal } from './common.js';
import { OutageWatch, transportLog } from './outages.js';
import { createLog, LOG_FLAGS, LOG_USAGE, METRICS_FLAGS, METRICS_USAGE, resolvedBackend, startMetrics } from './observe.js';
import { alignOptions, flag, parseCommand, parseNumber } from './options.js';
import { DEFAULT_HEAP_GROWTH, setHeapGrowth } from './heap.js';
import { lowerPriority } from './priority.js';
import { fmt } from './summary.js';

/** `kernelbus feed --help`. */
export const FEED_USAGE = alignOptions(
  `Usage: kernelbus feed --redis URL [options]
       kernelbus feed --redis URL --file tape.parquet [--file ...] [--returns f] [--panel f] [options]

Publishes a seeded synthetic market (random walks, volume bursts, toxic one-sided episodes; the demo's)
or, with --file, a recorded tape, as TRADE_EXECUTION messages to Redis Streams
${streamKeyPattern('marketdata', 'TRADE_EXECUTION')}, batched into columnar frames by symbol, for engine processes
(kernelbus engine vpin) to consume. The synthetic market also publishes what the demo gives its risk,
portfolio and factor engines (kernelbus engine risk / portfolio / factor): three portfolios of its
symbols (PORTFOLIO_UPDATE) and, per time bar of about 20 trades a symbol, the bar's returns
(RETURNS_UPDATE) and a daily panel (FACTOR_INPUT), universe market. A tape keeps its timestamps; files
are merged in time order, and a returns file and a factor panel go out among the trades by date.

At the end it waits until the consumer groups reading the streams have acknowledged everything, then
prints a summary. SIGINT or SIGTERM stops publishing early (what was published is still delivered);
while Redis does not answer, the feed waits --grace-ms for it, then exits 1 saying how many messages
were not stored. An outage of Redis is a line in the log when it begins and one when it ends; /readyz
answers 503 meanwhile.

Options:
  --redis URL         Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS, unix:///path
                      for its Unix socket on this machine (?db=N), or a Redis Cluster:
                      redis+cluster://[user:password@]host:port,host:port,... (required)
  --symbols n         symbols of the synthetic market (default 100); with --file: a,b,c to replay only those
  --rate r            synthetic trade messages per second (default 200000)
  --seconds s         how long to publish (synthetic: default 10; a tape: until its end)
  --count n           stop the synthetic market after n trades (default: no limit)
  --seed k            random seed (default 1)
  --shards n          streams per type; engines must use the same (default ${DEFAULT_SHARDS})
  --quotes            publish each synthetic trade's bid and ask too (5-column frames), for engines with a
                      quote classifier (kernelbus engine vpin --classifier lee-ready); a tape's bid and ask
                      go out whenever the file has them
${TAPE_USAGE}${BAR_USAGE}  --loop              replay the tape again and again (timestamps shifted so they keep rising) until
                      SIGINT or --seconds
  --no-watermarks     leave the watermark out of the trade frames (it says no later trade of the stream
                      is older, so kernelbus engine strategy need not wait for a quiet symbol): for
                      several feeds publishing to the same streams
  --idle-watermark-ms ms  a stream with no frame for this long while the others moved on gets a
                      watermark-only frame, so kernelbus engine strategy need not wait for a stream whose
                      symbols are all quiet; 0: never (default: the bus's idleWatermarkMs, 10)
  --no-pack           one Redis entry per frame (a symbol's trades of one flush) rather than one packed
                      entry per stream and flush (docs/wire-format.md#packed-entries): for consumers
                      that do not read packed entries
  --tick-ms ms        with --file at a --speed: at least this long between two publishes (0 to 1000,
                      default 2): what fell due meanwhile goes out together, a frame a symbol, each trade
                      up to about this much later; 0: as soon as the last publish was handed over, which
                      under load never waits (the feed takes a core, and its many small frames cost
                      Redis and every engine: docs/replay.md#pace)
  --linger-ms ms      hold each symbol's trades up to this long before a flush (0 to 1000, default 0: at the
                      end of each turn of the event loop): fewer, larger frames, for the feed, Redis and
                      every engine a fraction of the CPU per trade, each trade up to this much later
                      (docs/operations.md#few-cores)
  --nice n            the feed's scheduling priority as a nice value, 0 to 19 (default 10): on a machine
                      it shares with the engines it feeds, they get a core first; 0 keeps the priority it
                      was started with (docs/operations.md#few-cores)
  --heap-growth p     V8's old generation grows p percent past the live heap before a full collection
                      (default ${DEFAULT_HEAP_GROWTH}; 0: V8's own rule, about 10 to 50): full collections, which
                      delay the feed's frames 2 to 10 ms each, one every few seconds instead of about two
                      a second (docs/operations.md#few-cores)
  --json              print the summary as one JSON document (the other lines go to stderr)
  --grace-ms ms       after SIGINT/SIGTERM, how long to wait for Redis to store what is published (default ${DEFAULT_GRACE_MS})
${METRICS_USAGE}${LOG_USAGE}`,
  22,
);

/**
 * Rows per trade frame at most (the bus's default is 1,024): 4M trades of a Parquet tape through one
 * Redis published in 1.69 s with 4,096 against 2.02 s with 1,024 (16,384: 1.70 s).
 */
const FEED_MAX_BATCH = 4096;

/** The feed's nice value unless --nice says otherwise (./priority.ts). */
const DEFAULT_NICE = 10;

/** The flags of `kernelbus feed`. */
const FLAGS = {
  redis: flag.redis(true),
  symbols: flag.string(),
  rate: flag.number(200_000, 1, 1e8),
  seconds: flag.number(10, 0.001, 86_400 * 365),
  count: flag.optionalNumber(1, Number.MAX_SAFE_INTEGER, true),
  seed: flag.number(1, -(2 ** 31), 2 ** 32, true),
  shards: flag.number(DEFAULT_SHARDS, 1, 1024, true),
  quotes: flag.boolean(),
  ...TAPE_FLAGS,
  ...BAR_FLAGS,
  loop: flag.boolean(),
  'no-watermarks': flag.boolean(),
  'no-pack': flag.boolean(),
  'linger-ms': flag.number(0, 0, 1000),
  'tick-ms': flag.number(2, 0, 1000),
  'idle-watermark-ms': flag.optionalNumber(0, 60_000),
  nice: flag.number(DEFAULT_NICE, 0, 19, true),
  'heap-growth': flag.number(DEFAULT_HEAP_GROWTH, 0, 1000, true),
  json: flag.boolean(),
  'grace-ms': flag.number(DEFAULT_GRACE_MS, 0, 3_600_000),
  ...METRICS_FLAGS,
  ...LOG_FLAGS,
};

/**
 * Runs the feed with command-line arguments (without `feed`) and returns the exit code: 0, 1 when Redis
 * cannot be reached; throws KernelInputError for a bad option. Output goes to `out`. `ownProcess`: the
 * feed is the process (the CLI), so --nice lowers its priority and --heap-growth sets V8's heap growth
 * (./heap.ts); a program that runs it among its own work (a test) keeps both as they are.
 */
export async function runFeed(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  signal?: AbortSignal,
  err: NodeJS.WritableStream = process.stderr,
  { ownProcess = false }: { ownProcess?: boolean } = {},
): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => out.write(FEED_USAGE) });
  if (!parsed) return 0;
  const v = parsed.values;
  if (ownProcess && v.nice > 0) lowerPriority(v.nice);
  if (ownProcess) setHeapGrowth(v['heap-growth']);
  /** The start event says the heap growth set (none when run in a program). */
  const heap = ownProcess ? { heapGrowth: v['heap-growth'] } : {};
  const tape = replaying(v);
  const symbols = tape ? undefined : parseNumber(v.symbols, 100, '--symbols', 1, 100_000, true);
  const filter = tape && v.symbols !== undefined ? parseSymbolList(v.symbols) : undefined;
  const replayOptions = tape
    ? {
        speed: parseSpeed(v.speed),
        from: parseTime(v.from, '--from'),
        to: parseTime(v.to, '--to'),
        symbols: filter,
        badTrades: v['bad-trades'],
        tickMs: v['tick-ms'],
      }
    : undefined;
  // the flags of one mode are refused in the other
  const only = tape
    ? (['rate', 'count', 'seed', 'quotes'] as const)
    : (['speed', 'from', 'to', 'loop', 'skip-bad-rows', 'bad-trades', 'universe', 'bar-ms', 'session', 'tick-ms'] as const);
  for (const name of only) {
    if (parsed.raw(name) !== undefined) {
      const expected = tape
        ? 'to come without --file, --returns and --panel (the synthetic market)'
        : 'to come with --file, --returns or --panel';
      throw new KernelInputError(`--${name}`, expected, String(parsed.raw(name)));
    }
  }
  if (v['no-watermarks'] && v['idle-watermark-ms'] !== undefined)
    throw new KernelInputError('--idle-watermark-ms', 'to come without --no-watermarks', String(v['idle-watermark-ms']));
  const url = v.redis!;
  const info = v.json ? err : out;
  const log = await createLog('feed', v['log-format'], info, err);
  if (v.returns !== undefined && v['bar-ms'] !== undefined) {
    throw new KernelInputError('--bar-ms', 'to come without --returns (both publish RETURNS_UPDATE)', String(v['bar-ms']));
  }
  // a tape's files are opened, its returns and panel read and its bars cut before anything connects
  const bars = tape ? await tapeBarsSource({ ...v, from: replayOptions?.from, to: replayOptions?.to, symbols: filter }) : undefined;
  const sources = tape ? [...(await tapeSources(v)), ...(bars ? [bars] : [])] : undefined;

  let bus: Bus;
  try {
    // frames of up to FEED_MAX_BATCH rows: a tape's slices go out in a quarter of the appends; trades
    // are published in time order (a tape's, or the synthetic market's clock), so frames carry watermarks
    bus = await connectRedisBus(
      url,
      v.shards,
      { log: transportLog(log), packEntries: !v['no-pack'] },
      {
        maxBatch: FEED_MAX_BATCH,
        watermarks: !v['no-watermarks'],
        idleWatermarkMs: v['idle-watermark-ms'],
        lingerMs: v['linger-ms'],
      },
    );
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    log.error(error.message, { event: 'unreachable' });
    return 1;
  }
  const transport = bus.transport('marketdata') as RedisTransport;
  const target = transport.target;
  const stop = untilSignal(signal);
  const watch = new OutageWatch(bus, { log });
  let closed = false;
  let server: Awaited<ReturnType<typeof startMetrics>>;
  try {
    server = await startMetrics({
      port: v['metrics-port'],
      host: v['metrics-host'] ?? '127.0.0.1',
      bus,
      backend: await resolvedBackend('auto'),
      // Any process's exposition can carry every group's lag: the feed's shows the engines falling behind.
      lagOf: transport,
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
    const started = performance.now();
    let published: { trades: number; ms: number; replay?: ReplaySummary };
    let messages = 0;
    if (sources) {
      const files = [...v.file, ...(v.returns ? [v.returns] : []), ...(v.panel ? [v.panel] : [])];
      log.info(`kernelbus feed: replaying ${files.join(', ')} at speed ${replayOptions!.speed} -> ${target}, ${v.shards} shards`, {
        event: 'start',
        files,
        speed: replayOptions!.speed,
        target,
        shards: v.shards,
        ...heap,
      });
      const abort = new AbortController();
      void stop.promise.then(() => abort.abort());
      const timer = parsed.raw('seconds') === undefined ? undefined : setTimeout(() => abort.abort(), v.seconds * 1000);
      const tty = (out as { isTTY?: boolean }).isTTY === true && !v.json && v['log-format'] === 'text';
      let last = { at: 0, rows: 0 };
      try {
        const summary = await replay(bus, sources, {
          ...replayOptions,
          loop: v.loop ? Number.POSITIVE_INFINITY : 1,
          signal: abort.signal,
          onProgress: tty
            ? (p) => {
                out.write(`\r${replayStatus(p, last)}\x1b[K`);
                last = { at: p.elapsedMs, rows: p.trades + p.messages };
              }
            : undefined,
        });
        if (tty) out.write('\n');
        printRejected(summary.badTrades, (line) => err.write(`${line}\n`));
        published = { trades: summary.trades, ms: summary.elapsedMs, replay: summary };
      } finally {
        clearTimeout(timer);
      }
    } else {
      const { rate, seconds, count, seed, quotes } = v;
      log.info(
        `kernelbus feed: ${fmt(symbols!)} symbols, ${fmt(rate)} msg/s for ${seconds} s${count ? ` (at most ${fmt(count)} trades)` : ''}, seed ${seed} -> ${target}, ${v.shards} shards`,
        { event: 'start', symbols, rate, seconds, count, seed, target, shards: v.shards, ...heap },
      );
      const market = new SyntheticMarket({ symbols: symbols!, seed });
      // the risk, portfolio and factor engines' inputs too, as the demo gives its own: portfolios, then a bar's returns and panel
      for (const [key, payload] of Object.entries(demoPortfolios(market.symbols))) bus.publishSync('PORTFOLIO_UPDATE', { key, payload });
      const bars = new BarFeed(bus, market, demoBarMs(symbols!, rate), await commandKernels('auto'), seed);
      bars.begin();
      const { sent, ms } = await publishMarket(bus, market, {
        rate,
        seconds,
        count,
        quotes,
        stopped: () => stop.received !== undefined,
        stop: stop.promise,
        onTurn: (elapsed) => bars.tick(elapsed),
      });
      messages = bars.bars * 2;
      published = { trades: sent, ms };
    }
    const grace = v['grace-ms'];
    // After a signal, storing what was published may take --grace-ms; what is stored and not yet
    // consumed stays in Redis for the engines.
    await unlessStopped(bus.flush(), stop.promise, grace);
    const stored = performance.now();
    const notStored = unstored(bus);
    if (notStored > 0) {
      log.error(
        `stopped by ${stop.received} while Redis does not answer: ${fmt(notStored)} of ${fmt(published.trades + messages)} messages not stored within ${fmt(grace)} ms (never acknowledged: nothing stored was lost)`,
        { event: 'not-flushed', signal: stop.received, trades: published.trades, notStored, graceMs: grace },
      );
      return 1;
    }
    const types = [
      'TRADE_EXECUTION',
      ...(v.returns || bars || !tape ? ['RETURNS_UPDATE'] : []),
      ...(v.panel || !tape ? ['FACTOR_INPUT'] : []),
    ];
    const streams = types.flatMap((type) => bus.streams('marketdata', type));
    const consumed = await consumedBy(transport, streams, stop.promise, grace);
    closed = await unlessStopped(bus.close(), stop.promise, grace);
    const m = bus.metrics();
    const r = published.replay;
    const after =
      consumed.groups.length === 0
        ? 'no consumer group reads these streams yet (start kernelbus engine vpin)'
        : consumed.ms === undefined
          ? `groups ${consumed.groups.join(', ')} had not consumed everything when the feed stopped waiting`
          : `consumed by groups ${consumed.groups.join(', ')} ${fmt(consumed.ms)} ms after the last`;
    const line =
      `published ${fmt(published.trades)} trades${r ? ` and ${fmt(r.messages)} messages of ${fmt(r.symbols.length)} symbols` : ` and ${fmt(messages)} returns and panel messages of ${fmt(symbols!)} symbols`} in ${fmt(published.ms / 1000, 2)} s` +
      ` (${fmt((published.trades * 1000) / Math.max(published.ms, 1e-3))} trades/s) as ${fmt(m.buses.marketdata.frames)} frames (${fmt(m.batchSize.mean, 1)} trades each${m.watermarkFrames > 0 ? `; ${fmt(m.watermarkFrames)} of them watermarks of idle streams` : ''})` +
      `${r?.skippedRows ? `, ${fmt(r.skippedRows)} bad rows skipped` : ''}${r?.badTrades.count ? `; ${badTradesText(r.badTrades)}` : ''}; stored; ${after}${stop.received ? ` (stopped by ${stop.received})` : ''}`;
    const fields = {
      event: 'published',
      trades: published.trades,
      messages: r?.messages ?? messages,
      symbols: r?.symbols.length,
      ms: published.ms,
      frames: m.buses.marketdata.frames,
      watermarkFrames: m.watermarkFrames,
      skippedRows: r?.skippedRows ?? 0,
      ...(r ? { badTrades: r.badTrades } : {}),
      firstTs: r?.firstTs,
      lastTs: r?.tapeTs,
      maxLagMs: r?.maxLagMs,
      groups: consumed.groups,
      consumedMs: consumed.ms ?? null,
      signal: stop.received,
      storedMs: stored - started,
    };
    log.info(line, fields);
    if (v.json) out.write(`${JSON.stringify(fields, null, 2)}\n`);
    return 0;
  } finally {
    stop.dispose();
    watch.close();
    // After a stop that gave up on Redis, the connections close with the process (bin/kernelbus.js).
    if (!closed && stop.received === undefined) await bus.close();
    await server?.close();
  }
}

/**
 * Waits until every consumer group of `streams` has been delivered and acknowledged every entry
 * (lag and pending 0). Returns the groups and the ms it took, or ms undefined when none made progress
 * for 10 s, or `graceMs` after `stop` (the engines are down or behind, or Redis does not answer). No
 * groups: returns at once.
 */
async function consumedBy(
  transport: RedisTransport,
  streams: readonly string[],
  stop: Promise<unknown>,
  graceMs: number,
): Promise<{ groups: string[]; ms?: number }> {
  const start = performance.now();
  const keys = new Set(streams.map((s) => transport.streamKey(s)));
  let groups: string[] = [];
  let done = false;
  let stopped = false;
  void stop.then(() => (stopped = true));
  const wait = async () => {
    let behind = Number.POSITIVE_INFINITY;
    let progressAt = start;
    for (;;) {
      const status = (await streamStatus(transport)).filter((g) => keys.has(g.key) && g.group !== '');
      groups = [...new Set(status.map((g) => g.group))];
      const left = status.reduce((n, g) => n + g.lag + g.pending, 0);
      if (groups.length === 0 || left === 0) {
        done = true;
        return;
      }
      const now = performance.now();
      if (left < behind) {
        behind = left;
        progressAt = now;
      }
      if (now - progressAt > 10_000 || stopped) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await unlessStopped(wait(), stop, graceMs);
  return done ? { groups, ms: performance.now() - start } : { groups };
}
