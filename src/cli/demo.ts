/**
 * `kernelbus demo`: a seeded synthetic market -> marketdata bus -> VPIN engine -> alerts, the
 * market's bar returns -> risk engine -> portfolio VaR (./demo-risk.ts), and a daily panel of its
 * symbols -> factor engine -> factor returns (./demo-factor.ts), and an example strategy (an MA cross on
 * VPIN-filtered bars) -> orders, fills, positions (./demo-strategy.ts), all in one process, on the
 * in-process bus or (`--redis URL`) over Redis Streams. Shows a live status line on a TTY and a summary
 * table at the end; exits 0.
 */
import { randomBytes } from 'node:crypto';
import type { BackendChoice } from '../api/kernels.js';
import { backends } from '../backends/registry.js';
import { createBus, type Bus } from '../bus/bus.js';
import type { MetricsServer } from '../ops/prometheus.js';
import { TransportError } from '../bus/transports/redis/index.js';
import { publishMarket, SyntheticMarket } from '../replay/synthetic-market.js';
import { VpinEngine, type VpinAlert } from '../engines/vpin.js';
import { FEATURES_ENGINE_DEFAULTS, FeaturesEngine } from '../engines/features.js';
import { FEATURE_ESTIMATORS } from '../api/bar-window.js';
import { MlEngine } from '../engines/ml.js';
import { packageRoot } from '../backends/native/public.js';
import { join } from 'node:path';
import { KernelInputError } from '../errors.js';
import type { VpinOptions } from '../kernels/vpin/vpin.js';
import { deleteKeys } from '../bus/transports/redis/delete-keys.js';
import { connectRedisBus, DEFAULT_SHARDS } from './common.js';
import { demoBarMs, MarketBars, TRADES_PER_BAR } from './demo-bars.js';
import { DemoFactor, DEMO_FACTOR_UNIVERSE } from './demo-factor.js';
import { barLength, readDemoTape, type DemoTape } from './demo-tape.js';
import { barsTape, tapeBars, type Session } from '../replay/bars.js';
import { parseSession } from '../replay/session.js';
import { parseSpeed, parseSymbolList, parseTime } from './tapes.js';
import { replay } from '../replay/index.js';
import { kernels } from '../api/kernels.js';
import { DEMO_UNIVERSE, DemoRisk } from './demo-risk.js';
import { DemoStrategy, TOXIC_CDF } from './demo-strategy.js';
import { METRICS_FLAGS, resolvedBackend, startMetrics } from './observe.js';
import { dashboardArgs, startGateway } from './gateway.js';
import { badTradesFlag, badTradesText, badTradesUsage, printRejected } from './bad-trades.js';
import { flag, parseCommand, parseNumber } from './options.js';
import { fmt, labelled, ms } from './summary.js';

/** `kernelbus demo --help`. */
export const DEMO_USAGE = `Usage: kernelbus demo [options]

Runs a seeded synthetic market (random walks, volume bursts, toxic one-sided episodes) through the
in-process bus into the VPIN engine, showing throughput, latency and alerts. Beside it a risk engine
gets the market's returns per time bar (RETURNS_UPDATE of universe 'market') and three portfolios of
its symbols (PORTFOLIO_UPDATE: equal weight, long-short, concentrated), and a portfolio engine builds
a minimum-variance and a risk-parity portfolio of the market every 20 bars (PORTFOLIO_UPDATE too); the
summary shows the five portfolios' historical and Gaussian VaR/ES and volatility over the last 250 bars. A factor engine treats every bar
as a period of universe 'market' (FACTOR_INPUT: returns, market caps, four sectors, value ratios) and the
summary shows the latest market, sector and style (momentum over 20 bars lagged 2, size, value)
factor returns and R2. An example strategy runs on the same trades (a StrategyEngine): an SMA 5 / 15
cross of each symbol's closes on time bars buys a slice of the equity while flat, unless the symbol's
VPIN CDF is above ${TOXIC_CDF}, and closes on the cross below; its orders, fills and positions go out
on the logic bus (the risk engine measures its book as portfolio 'strategy:vpin-ma-cross') and the
summary shows its P&L per symbol and its last fills. Its bars are 100 ms long on the synthetic market,
the risk bars' length on a tape. An ML engine serves examples/model.txt (a LightGBM classifier trained
on the example tape's ten-trade bars) on each symbol's feature bars: ML_PREDICTION, for the dashboard's
predictions panel.

With --file it runs the same engines on a recorded tape (CSV, Parquet or Arrow; several files are merged
in time order) instead of the synthetic market, at --speed: the bars of the risk and factor engines are
cut from the tape in tape time (the shortest of 1 s to 1 day giving at most 400 bars), and each
symbol's VPIN buckets hold 1/200 of its volume on the tape. Returns come only from bars in which the
market trades: a bar without a trade in any symbol is skipped, so a night or a weekend is one return
from the last close before it (as daily data treats a night); --session keeps the bars within market
hours, cut from each open.

Options:
  --symbols n         symbols (default 100); with --file: a,b,c to replay only those
  --rate r            trade messages per second (default 200000)
  --seconds s         how long to run (default 10)
  --seed k            random seed (default 1)
  --classifier c      how the VPIN engine classifies volume: bvc (default), tick, or a quote classifier
                      (quote, lee-ready, emo, clnv: each trade by the bid and ask the market quotes at it,
                      sent with the trades as 5-column frames)
  --backend b         auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --metrics-port p    serve /metrics (Prometheus), /healthz and /readyz while running (0: any free port)
  --metrics-host h    address to bind them to (default 127.0.0.1)
  --redis URL         run over Redis Streams (redis://host:port, rediss:// for TLS, unix:///path for a
                      Unix socket, a Redis Cluster as redis+cluster://host:port,host:port,...) instead of
                      in-process:
                      streams, groups and checkpoints under kb:demo:<run>:, deleted at the end
  --shards n          streams per bus and type with --redis (default ${DEFAULT_SHARDS})
  --json              print the summary as one JSON document (the banner goes to stderr, no status line)
  --dashboard [p]     serve the live dashboard page and the WebSocket gateway on port p (default 8600;
                      0: any free port) at 127.0.0.1 (--metrics-host to change it); runs until SIGINT
                      unless --seconds is given
  --file f            replay a recorded tape (repeatable; see kernelbus feed --help for the columns)
  --speed s           with --file: max (the default), or the tape's pace times s (1: real time)
  --from t, --to t    with --file: replay trades in [from, to): epoch ms or ISO 8601
  --skip-bad-rows     with --file: skip and count bad rows instead of stopping at the first
${badTradesUsage('fail', 22)}  --session h         with --file: market hours HH:MM-HH:MM, local to a time zone when one follows
                      (09:30-16:00 America/New_York; default UTC): the risk and factor engines' bars
                      are cut within them from each open; trades outside them make no bar
`;

/** The flags of `kernelbus demo`. */
const FLAGS = {
  symbols: flag.string(),
  rate: flag.number(200_000, 1, 1e8),
  seconds: flag.number(10, 0.01, 86_400),
  seed: flag.number(1, -(2 ** 31), 2 ** 32, true),
  classifier: flag.classifier(true),
  ...METRICS_FLAGS,
  backend: flag.backend(),
  redis: flag.redis(false),
  shards: flag.number(DEFAULT_SHARDS, 1, 1024, true),
  json: flag.boolean(),
  dashboard: flag.optionalNumber(0, 65535, true),
  file: flag.strings(),
  speed: flag.string(),
  from: flag.string(),
  to: flag.string(),
  'skip-bad-rows': flag.boolean(),
  'bad-trades': badTradesFlag('fail'),
  session: flag.string(),
};

/** Mean trade volume of the synthetic market, with bursts and toxic episodes (about 1.2 x 100). */
const MEAN_VOLUME = 120;
const WINDOW = 50;
/** A tape: bars in which the market trades at most, and buckets per symbol (of its volume on the tape). */
const TAPE_BARS = 400;
const TAPE_BUCKETS = 200;
/** The features engine's bars on the simulated market (whose risk bars are a few ms long). */
const FEATURE_BAR_MS = 500;
/** The example strategy's bars on the simulated market: its SMA 15 is warm after 1.5 s. */
const STRATEGY_BAR_MS = 100;

/**
 * Runs the demo with command-line arguments (without `demo`) and returns the exit code: 0, or throws
 * KernelInputError (the dispatcher prints it and exits 2) for a bad option. Output goes to `out`.
 */
export async function runDemo(
  argv: string[],
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const parsed = parseCommand(dashboardArgs(argv), FLAGS, { help: () => out.write(DEMO_USAGE) });
  if (!parsed) return 0;
  const {
    rate,
    seconds,
    seed,
    classifier,
    'metrics-port': port,
    'metrics-host': host,
    backend,
    redis: redisUrl,
    shards,
    json,
    dashboard,
  } = parsed.values;
  if (parsed.raw('shards') !== undefined && !redisUrl)
    throw new KernelInputError('--shards', 'to come with --redis', JSON.stringify(parsed.raw('shards')));
  const files = parsed.values.file;
  if (files.length === 0) {
    for (const name of ['speed', 'from', 'to', 'skip-bad-rows', 'bad-trades', 'session'] as const) {
      if (parsed.raw(name) !== undefined) throw new KernelInputError(`--${name}`, 'to come with --file', String(parsed.raw(name)));
    }
  }
  const raw = parsed.values.symbols;
  const symbols = files.length > 0 ? 0 : parseNumber(raw, 100, '--symbols', 1, 100_000, true);
  let tape: TapeRun | undefined;
  if (files.length > 0) {
    const filter = { from: parseTime(parsed.values.from, '--from'), to: parseTime(parsed.values.to, '--to') };
    const read = await readDemoTape(files, {
      ...filter,
      ...(raw === undefined ? {} : { symbols: parseSymbolList(raw) }),
      skipBadRows: parsed.values['skip-bad-rows'],
      badTrades: parsed.values['bad-trades'],
    });
    printRejected(read.badTrades);
    const bad = badTradesText(read.badTrades);
    if (bad) process.stderr.write(`${bad}\n`);
    if (read.trades === 0) throw new KernelInputError(files.join(', '), 'trades within --from/--to of the --symbols asked for', 'none');
    if (typeof classifier === 'object' && !read.quotes) {
      throw new KernelInputError(
        '--classifier',
        `bvc or tick for a tape without bid and ask columns (${files.join(', ')})`,
        classifier.algorithm,
      );
    }
    tape = {
      ...read,
      ...filter,
      files,
      speed: parseSpeed(parsed.values.speed),
      filter: raw === undefined ? undefined : parseSymbolList(raw),
      session: parsed.values.session === undefined ? undefined : parseSession(parsed.values.session, '--session'),
    };
  }

  // Bars of about TRADES_PER_BAR trades per symbol at the requested rate; buckets of about two bars.
  // A tape: at most TAPE_BARS bars in which it trades; each symbol's buckets 1/TAPE_BUCKETS of its volume.
  const barMs = tape ? barLength(tape, TAPE_BARS, barOptions(tape)) : demoBarMs(symbols, rate);
  const bucketVolume = 2 * TRADES_PER_BAR * MEAN_VOLUME;
  // Over Redis, a namespace of its own, so that no earlier run's streams or groups are read.
  const prefix = `kb:demo:${randomBytes(4).toString('hex')}:`;
  let bus: Bus;
  // the market (synthetic, on the clock, or a tape) is the only publisher of trades, in time order: its
  // frames carry watermarks, so the strategy's merge need not wait for a quiet symbol; over Redis each
  // flush's frames to a stream go as one packed entry, as kernelbus feed sends them
  if (redisUrl) {
    try {
      bus = await connectRedisBus(redisUrl, shards, { prefix, packEntries: true }, { watermarks: true });
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      err.write(`kernelbus demo: ${error.message}\n`);
      return 1;
    }
  } else {
    bus = createBus({ watermarks: true });
  }
  try {
    return await demoOn(bus, {
      out,
      info: json ? err : out,
      json,
      symbols,
      rate,
      // With the dashboard, until SIGINT unless --seconds is given.
      seconds:
        dashboard !== undefined && parsed.raw('seconds') === undefined
          ? Infinity
          : tape && parsed.raw('seconds') === undefined
            ? Infinity
            : seconds,
      seed,
      classifier: classifier ?? 'bvc',
      port,
      dashboard,
      host: host ?? '127.0.0.1',
      backend,
      barMs,
      bucketVolume,
      tape,
      redis: redisUrl ? bus.transport('marketdata').target + `, ${shards} shards, keys under ${prefix}` : undefined,
    });
  } finally {
    if (redisUrl) await deleteKeys(redisUrl, prefix).catch(() => undefined);
  }
}

interface DemoRun {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Where the banner goes: stdout, or stderr with --json. */
  info: NodeJS.WritableStream;
  json: boolean;
  symbols: number;
  rate: number;
  seconds: number;
  seed: number;
  classifier: NonNullable<VpinOptions['classifier']>;
  port: number | undefined;
  /** The dashboard's port (--dashboard), or undefined. */
  dashboard: number | undefined;
  host: string;
  backend: BackendChoice;
  barMs: number;
  bucketVolume: number;
  /** A recorded tape to replay instead of the synthetic market. */
  tape: TapeRun | undefined;
  /** Where the Redis streams are, for the banner; undefined in-process. */
  redis: string | undefined;
}

/** A tape to replay: what readDemoTape() read, and how to replay it. */
interface TapeRun extends DemoTape {
  files: string[];
  speed: number | 'max';
  from: number | undefined;
  to: number | undefined;
  /** --symbols: the symbols to replay (undefined: all). */
  filter: string[] | undefined;
  /** --session: the market hours the bars are cut within. */
  session: Session | undefined;
}

/** The risk and factor engines' bars of a tape: its symbols, --from/--to, --session. */
function barOptions(tape: TapeRun) {
  return { symbols: tape.symbols, from: tape.from, to: tape.to, session: tape.session };
}

/** Runs the demo on `bus` and closes it. */
async function demoOn(bus: Bus, run: DemoRun): Promise<number> {
  const { out, info, json, rate, seconds, seed, classifier, port, dashboard, host, backend, barMs, bucketVolume, redis, tape } = run;
  // a tape's symbols get buckets of 1/TAPE_BUCKETS of their volume on it
  const vpinOf = (volume: number): VpinOptions => ({ bucketVolume: volume, window: WINDOW, barMs, sigma: { ewma: 0.94 }, classifier });
  const engine = new VpinEngine(bus, {
    vpin: tape ? (key) => vpinOf(Math.max(1, (tape.volume.get(key) ?? TAPE_BUCKETS) / TAPE_BUCKETS)) : vpinOf(bucketVolume),
    backend,
  }).start();
  // a quote classifier reads each trade's bid and ask: the market publishes them (5-column frames)
  const quotes = typeof classifier === 'object';
  const market = tape ? undefined : new SyntheticMarket({ symbols: run.symbols, seed });
  const symbols = tape ? tape.symbols : market!.symbols;
  const risk = new DemoRisk(bus, symbols, backend);
  const factor = new DemoFactor(bus, symbols, backend, seed);
  // bars per symbol: a tape's risk bars; the simulated market's every FEATURE_BAR_MS (its risk bars are ms long)
  const featureBarMs = tape ? barMs : FEATURE_BAR_MS;
  const features = new FeaturesEngine(bus, {
    bars: { by: 'time', threshold: featureBarMs },
    window: tape ? FEATURES_ENGINE_DEFAULTS.window : 10,
    indicators: 'rsi,macd',
  }).start();
  // the example model (a LightGBM classifier of examples/train_lightgbm.py) on each symbol's feature bars
  const ml = new MlEngine(bus, { model: join(packageRoot, 'examples', 'model.txt'), load: { backend } }).start();
  const strategy = new DemoStrategy(bus, symbols, tape ? barMs : STRATEGY_BAR_MS);
  // the strategy first: its last fills and positions reach the risk engine before that closes
  const engines = [engine, strategy.engine, strategy.collateral, risk.engine, risk.portfolio, factor.engine, features, ml];
  const alerts: { key: string; alert: VpinAlert }[] = [];
  let buckets = 0;
  let heartbeats = 0;
  bus.subscribe<VpinAlert>('RISK_ALERT', (m) => void (m.payload.source === 'vpin' && alerts.push({ key: m.key, alert: m.payload })));
  bus.subscribe('VPIN_CALCULATION', () => void buckets++);
  bus.subscribe('ENGINE_HEALTH', () => void heartbeats++);
  // Over Redis the market starts once every consumer reads its streams (groups in place, leases held)
  // and the engines have resumed theirs from their checkpoints: no backlog builds up at the start.
  if (redis) {
    await Promise.all(bus.buses.map((b) => bus.transport(b).reading?.()));
    await Promise.all(engines.map((e) => e.ready()));
  }
  let server: MetricsServer | undefined;
  if (port !== undefined) {
    // prom-client loads only when metrics are served; the engines are ready here (over Redis: leased and resumed).
    server = await startMetrics({
      port,
      host,
      bus,
      engines,
      backend: await resolvedBackend(backend),
    });
    info.write(`metrics: ${server!.url}\n`);
  }
  const gateway =
    dashboard === undefined ? undefined : await startGateway(bus, { port: dashboard, host }, (line) => info.write(`${line}\n`));
  const nativeLoaded = backends().some((b) => b.name === 'native' && b.available);
  const backendName = backend === 'auto' ? `auto (${nativeLoaded ? 'native' : 'reference'})` : backend;
  const what = tape
    ? `${tape.files.join(', ')}: ${fmt(tape.trades)} trades of ${fmt(symbols.length)} symbols from ${isoTime(tape.firstTs)} to ${isoTime(tape.lastTs)} at speed ${tape.speed}, bars of ${fmt(barMs / 1000)} s`
    : `${fmt(symbols.length)} symbols, ${fmt(rate)} msg/s ${seconds === Infinity ? 'until SIGINT' : `for ${seconds} s`}, seed ${seed}`;
  info.write(
    `kernelbus demo: ${what}, backend ${backendName}${classifier === 'bvc' ? '' : `, classifier ${classifierName(classifier)}`}\n`,
  );
  if (redis) info.write(`redis: ${redis}\n`);

  const stopped = new AbortController();
  const stop = () => stopped.abort();
  process.once('SIGINT', stop);
  const timer = tape && seconds !== Infinity ? setTimeout(stop, seconds * 1000) : undefined;
  risk.begin();
  const start = performance.now();
  let last = { at: 0, processed: 0 };
  const status = (elapsed: number, where: string) => {
    if (!out.isTTY || json || elapsed - last.at < 250) return;
    const m = engine.metrics();
    const throughput = ((m.processed - last.processed) * 1000) / (elapsed - last.at);
    last = { at: elapsed, processed: m.processed };
    out.write(
      `\r${where}  ${fmt(throughput).padStart(11)} msg/s  p50 ${ms(m.latencyMs.p50)} ms  ` +
        `p99 ${ms(m.latencyMs.p99)} ms  buckets ${fmt(buckets)}  alerts ${fmt(alerts.length)}  ${strategy.status()}  depth ${fmt(bus.depth)}\x1b[K`,
    );
  };
  try {
    let sent: number;
    let produced: number;
    if (tape) {
      const bars = tapeBars(tape.sources, { ...barOptions(tape), barMs });
      const summary = await replay(
        bus,
        [
          ...tape.sources,
          barsTape(bars, 'RETURNS_UPDATE', DEMO_UNIVERSE, (_, returns) => risk.payload(returns)),
          barsTape(bars, 'FACTOR_INPUT', DEMO_FACTOR_UNIVERSE, (prices, returns) => factor.payload(prices, returns)),
        ],
        {
          speed: tape.speed,
          from: tape.from,
          to: tape.to,
          symbols: tape.filter,
          signal: stopped.signal,
          onProgress: (p) => status(p.elapsedMs, `tape ${isoTime(p.tapeTs)}`),
        },
      );
      sent = summary.trades;
      produced = summary.elapsedMs;
      if (gateway && seconds === Infinity && !stopped.signal.aborted) {
        // the page keeps showing the day until SIGINT
        info.write(`tape replayed (${fmt(sent)} trades); the dashboard stays up until SIGINT\n`);
        await new Promise((resolve) => stopped.signal.addEventListener('abort', resolve, { once: true }));
      }
    } else {
      const bars = new MarketBars(market!, barMs, kernels({ backend }));
      bars.begin();
      ({ sent, ms: produced } = await publishMarket(bus, market!, {
        rate,
        seconds,
        quotes,
        stopped: () => stopped.signal.aborted,
        onTurn: (elapsed) => {
          const bar = bars.next(elapsed);
          if (bar) {
            risk.publish(bar.returns);
            factor.publish(bar.prices, bar.returns);
          }
          status(elapsed, `${(elapsed / 1000).toFixed(1).padStart(6)} s`);
        },
      }));
    }
    for (const e of engines) await e.close();
    await bus.drain();
    const elapsed = performance.now() - start;
    if (out.isTTY && !json) out.write('\n');
    (json ? printJsonSummary : printSummary)(out, {
      sent,
      produced,
      elapsed,
      rate,
      buckets,
      heartbeats,
      alerts,
      engine,
      risk,
      factor,
      features,
      ml,
      strategy,
      featureBarMs,
      bus,
      episodes: market?.episodes,
      tape: tape && { files: tape.files, firstTs: tape.firstTs, lastTs: tape.lastTs, speed: tape.speed, barMs },
      classifier: classifierName(classifier),
    });
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', stop);
    for (const e of engines) await e.close();
    await gateway?.close();
    await bus.close();
    await server?.close();
  }
  return 0;
}

/** An epoch ms as `2026-11-18 14:30:00.123` (UTC). */
function isoTime(t: number): string {
  return Number.isFinite(t) ? new Date(t).toISOString().replace('T', ' ').slice(0, 23) : '-';
}

interface Summary {
  sent: number;
  produced: number;
  elapsed: number;
  rate: number;
  buckets: number;
  heartbeats: number;
  /** The synthetic market's toxic episodes (undefined for a tape). */
  episodes: number | undefined;
  /** The tape replayed, if one was. */
  tape: { files: string[]; firstTs: number; lastTs: number; speed: number | 'max'; barMs: number } | undefined;
  /** The VPIN engine's classifier: bvc, tick or the quote classifier's algorithm. */
  classifier: string;
  alerts: { key: string; alert: VpinAlert }[];
  engine: VpinEngine;
  risk: DemoRisk;
  factor: DemoFactor;
  features: FeaturesEngine;
  ml: MlEngine;
  strategy: DemoStrategy;
  /** The features engine's bar length. */
  featureBarMs: number;
  bus: Bus;
}

/** Trade frames on the marketdata bus: its frames less the returns, factor inputs and bars published there. */
function tradeFrames(s: Summary): number {
  return s.bus.metrics().buses.marketdata.frames - s.risk.rows - s.factor.bars - s.features.metrics().extra.bars;
}

/** A symbol's realized volatility of the day so far (the features engine's last update), NaN before any. */
function dayVolatility(s: Summary, key: string): number {
  return s.features.symbols().get(key)?.lastUpdate?.realizedVolatility ?? NaN;
}

/** The name of a --classifier value (bvc, tick, or the algorithm). */
function classifierName(classifier: NonNullable<VpinOptions['classifier']>): string {
  return typeof classifier === 'object' ? classifier.algorithm : classifier;
}

/** The summary as one JSON document (--json). */
function printJsonSummary(out: NodeJS.WritableStream, s: Summary): void {
  const e = s.engine.metrics();
  const b = s.bus.metrics();
  const riskExtra = s.risk.engine.metrics().extra;
  const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);
  const top = [...s.engine.symbols()]
    .filter(([, st]) => st.cdf === st.cdf)
    .sort((x, y) => y[1].cdf - x[1].cdf || y[1].vpin - x[1].vpin)
    .slice(0, 5)
    .map(([key, st]) => ({
      symbol: key,
      buckets: st.buckets,
      vpin: round(st.vpin),
      cdf: round(st.cdf),
      alerts: st.alerts,
      dayVolatility: round(dayVolatility(s, key)),
    }));
  const summary = {
    published: s.sent,
    ...(s.tape
      ? { tape: { ...s.tape, firstTs: isoTime(s.tape.firstTs), lastTs: isoTime(s.tape.lastTs), symbols: s.risk.symbolCount } }
      : { targetRate: s.rate }),
    publishedPerSecond: round((s.sent * 1000) / s.produced),
    processedAfterLastMs: round(s.elapsed - s.produced),
    latencyMs: { p50: round(e.latencyMs.p50), p99: round(e.latencyMs.p99), max: round(e.latencyMs.max) },
    tradeFrames: tradeFrames(s),
    tradesPerFrame: round(b.batchSize.mean),
    vpin: { classifier: s.classifier, buckets: s.buckets, alerts: s.alerts.length, episodes: s.episodes, top },
    risk: {
      bars: s.risk.rows,
      results: riskExtra.results,
      limitAlerts: riskExtra.alerts - riskExtra.backtestAlerts,
      backtestAlerts: riskExtra.backtestAlerts,
      zones: s.risk.zones(),
    },
    factor: { bars: s.factor.bars, results: s.factor.engine.metrics().extra.results },
    features: { barMs: s.featureBarMs, bars: s.features.metrics().extra.bars, symbols: s.features.metrics().keys },
    ml: { model: 'examples/model.txt', batches: s.ml.metrics().extra.batches, predictions: s.ml.metrics().extra.predictions },
    strategy: s.strategy.json(),
    heartbeats: s.heartbeats,
    copies: b.copies,
    redelivered: b.redelivered,
    deadLettered: b.deadLettered,
  };
  out.write(`${JSON.stringify(summary, null, 2)}\n`);
}

function printSummary(out: NodeJS.WritableStream, s: Summary): void {
  const e = s.engine.metrics();
  const b = s.bus.metrics();
  const riskExtra = s.risk.engine.metrics().extra;
  const rows: [string, string][] = [
    s.tape
      ? [
          'trades published',
          `${fmt(s.sent)} of ${fmt(s.risk.symbolCount)} symbols replayed from ${s.tape.files.join(', ')} (${isoTime(s.tape.firstTs)} to ${isoTime(s.tape.lastTs)}, speed ${s.tape.speed})`,
        ]
      : ['trades published', `${fmt(s.sent)}  (target ${fmt(s.rate)} msg/s)`],
    [
      'throughput',
      `${fmt((s.sent * 1000) / s.produced)} msg/s published, all processed ${fmt(s.elapsed - s.produced, 1)} ms after the last`,
    ],
    ['latency p50 / p99 / max', `${ms(e.latencyMs.p50)} / ${ms(e.latencyMs.p99)} / ${ms(e.latencyMs.max)} ms  (publish -> VPIN update)`],
    ['frames', `${fmt(tradeFrames(s))} trade frames, ${fmt(b.batchSize.mean, 1)} trades each on average`],
    ['VPIN buckets', `${fmt(s.buckets)}  (classifier ${s.classifier})`],
    ['VPIN alerts', `${fmt(s.alerts.length)}${s.episodes === undefined ? '' : `  (toxic episodes started: ${fmt(s.episodes)})`}`],
    [
      'risk engine',
      `${fmt(s.risk.rows)} bars of returns -> ${fmt(riskExtra.results)} portfolio results, ${fmt(riskExtra.alerts - riskExtra.backtestAlerts)} VaR limit alerts, ${fmt(riskExtra.backtestAlerts)} backtest alerts`,
    ],
    [
      'factor engine',
      `${fmt(s.factor.bars)} bars of the market's symbols -> ${fmt(s.factor.engine.metrics().extra.results)} factor results`,
    ],
    [
      'features engine',
      `${fmt(s.features.metrics().extra.bars)} bars of ${s.featureBarMs / 1000} s of ${fmt(s.features.metrics().keys)} symbols -> the day's realized volatility, ${FEATURE_ESTIMATORS.length} estimators, RSI, MACD`,
    ],
    [
      'ML engine',
      `${fmt(s.ml.metrics().extra.predictions)} predictions of examples/model.txt (LightGBM) in ${fmt(s.ml.metrics().extra.batches)} batches -> ML_PREDICTION`,
    ],
    ['engine heartbeats', fmt(s.heartbeats)],
    ['copies / redelivered / dead', `${fmt(b.copies)} / ${fmt(b.redelivered)} / ${fmt(b.deadLettered)}`],
  ];
  out.write(`\n${labelled(rows, { indent: '  ', gap: '  ' }).join('\n')}\n`);
  const top = [...s.engine.symbols()]
    .filter(([, st]) => st.cdf === st.cdf)
    .sort((x, y) => y[1].cdf - x[1].cdf || y[1].vpin - x[1].vpin)
    .slice(0, 5);
  if (top.length > 0) {
    out.write('\n  top symbols by VPIN CDF now\n  symbol      buckets    vpin     cdf   alerts  day vol\n');
    for (const [key, st] of top) {
      const vol = dayVolatility(s, key);
      out.write(
        `  ${key.padEnd(10)} ${fmt(st.buckets).padStart(8)}  ${st.vpin.toFixed(4)}  ${st.cdf.toFixed(3)}  ${String(st.alerts).padStart(6)}  ${(Number.isNaN(vol) ? '-' : `${(100 * vol).toFixed(2)}%`).padStart(7)}\n`,
      );
    }
  }
  out.write(s.risk.table());
  out.write(s.factor.table());
  out.write(s.strategy.table());
}
