/**
 * `kernelbus engine vpin|risk|factor|portfolio|features|strategy|collateral|ml --redis URL`: an engine process on
 * Redis Streams. VPIN, factor and features processes started with the same group share the input's
 * shards; a risk engine runs alone in its group (it joins portfolios with their universe's returns), and
 * so does a strategy engine (one account across its symbols: docs/strategy.md). Each checkpoints its state, so a process that stops or
 * dies is taken over (by the others, or by the next one started) without losing or double counting an
 * input. Runs until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Bus } from '../bus/bus.js';
import { loadMessageCodec } from '../bus/message-codec.js';
import { DEFAULT_PREFIX, type RedisTransport, TransportError } from '../bus/transports/redis/index.js';
import { deleteKeys } from '../bus/transports/redis/delete-keys.js';
import type { Engine } from '../engines/engine.js';
import type { EngineResume } from '../engines/checkpointing.js';
import type { EngineBadTrade } from '../engines/trade-gate.js';
import { FactorEngine } from '../engines/factor.js';
import { FACTOR_ENGINE_DEFAULTS, FACTOR_STYLES } from '../engines/factor-messages.js';
import { PORTFOLIO_ENGINE_DEFAULTS, PortfolioEngine, type PortfolioEngineOptions } from '../engines/portfolio.js';
import { OPTIMIZERS, PORTFOLIO_DEFAULTS, resolvePortfolios, type Optimizer, type PortfolioConfig } from '../engines/portfolio-config.js';
import { RISK_ENGINE_DEFAULTS, RiskEngine, type RiskEngineOptions } from '../engines/risk.js';
import { FEATURES_ENGINE_DEFAULTS, FeaturesEngine, type FeaturesEngineOptions } from '../engines/features.js';
import { FEATURE_ESTIMATORS, type FeatureEstimator } from '../api/bar-window.js';
import { parseIndicators } from '../api/indicator-spec.js';
import type { BarOptions } from '../kernels/features/features.js';
import { COVARIANCE_METHODS, type CovarianceMethod } from '../kernels/risk/risk.js';
import { DEFAULT_MAX_FUTURE_MS, VpinEngine, type VpinEngineOptions } from '../engines/vpin.js';
import { StrategyEngine, strategyUniverse } from '../engines/strategy.js';
import { WARMUP_SYMBOLS, WARMUP_TRADES, type WarmUp, warmUp, warmUpStrategy } from '../engines/warmup.js';
import type { Strategy } from '../strategy/types.js';
import { CollateralEngine, type CollateralEngineOptions } from '../engines/collateral.js';
import { loadAccounts } from '../strategy/accounts.js';
import { MlEngine } from '../engines/ml.js';
import { modelName } from '../engines/ml-model.js';
import { bareWatch, ML_ENGINE_FLAGS, ML_ENGINE_USAGE, mlEngineOptions } from './engine-ml.js';
import { badTradesFlag, badTradesUsage } from './bad-trades.js';
import { STRATEGY_ENGINE_FLAGS, STRATEGY_ENGINE_USAGE, strategyEngineOptions } from './engine-strategy.js';
import { CheckpointConfigError } from '../engines/checkpoint-config.js';
import { DEFAULT_CDF_WINDOW } from '../kernels/vpin/vpin.js';
import { KernelInputError } from '../errors.js';
import {
  connectRedisBus,
  DEFAULT_GRACE_MS,
  DEFAULT_SHARDS,
  HELP_KEYS,
  streamKeyPattern,
  unlessStopped,
  unstored,
  untilSignal,
} from './common.js';
import { OutageWatch, transportLog } from './outages.js';
import { factorFlags } from './factor.js';
import { parseGarchFlags } from './garch-flags.js';
import { parseMaxFutureMs } from './max-future.js';
import { alignOptions, flag, parseClassifier, parseCommand, parseNumber, type Flag } from './options.js';
import {
  createLog,
  LOG_FLAGS,
  LOG_USAGE,
  METRICS_FLAGS,
  METRICS_USAGE,
  resolvedBackend,
  retryUntil,
  stallCheck,
  startMetrics,
} from './observe.js';
import { fmt, ms } from './summary.js';
import { DEFAULT_HEAP_GROWTH, setHeapGrowth } from './heap.js';

/** `kernelbus engine --help`. */
export const ENGINE_USAGE = alignOptions(
  `Usage: kernelbus engine vpin|risk|factor|portfolio|features|strategy|collateral|ml --redis URL [options]

Runs an engine process on Redis Streams until SIGINT or SIGTERM, in a consumer group, checkpointing
its state in Redis (${HELP_KEYS.checkpointIndex('<group>')}). On a signal it finishes the entries in hand, writes a checkpoint
and leaves the group; another process of the group (or this one, restarted) resumes from there. While
Redis does not answer, a signal stops it after --grace-ms: it exits 1 saying what it could not store
(the next process resumes from the last checkpoint and computes it again). An outage of Redis is a line
in the log when it begins and one when it ends, with what failed meanwhile; /readyz answers 503.

vpin reads TRADE_EXECUTION from ${streamKeyPattern('marketdata', 'TRADE_EXECUTION')} (processes of one group share
the shards), keeps a streaming VPIN per symbol, publishes VPIN_CALCULATION per bucket and RISK_ALERT
when the VPIN CDF crosses the threshold. The defaults match kernelbus feed's defaults.

risk reads RETURNS_UPDATE (${streamKeyPattern('marketdata', 'RETURNS_UPDATE')}: rows of asset returns per universe)
and PORTFOLIO_UPDATE (${streamKeyPattern('logic', 'PORTFOLIO_UPDATE')}: weights and VaR limit per portfolio), and
publishes per portfolio its historical and Gaussian VaR/ES and volatility over the universe's rolling
window as ANALYTICS_RESULT, and RISK_ALERT when the historical VaR reaches the limit. Run one risk
process per group (a second live one would take some of the streams); one started after it died or
stopped takes over.

portfolio reads RETURNS_UPDATE and RISK_ALERT (${streamKeyPattern('logic', 'RISK_ALERT')}: the risk engine's) and
rebalances each portfolio of --portfolios (or --config) every --every rows of its universe, or at once on
a RISK_ALERT on it of a kind it rebalances on (default: VaR-limit alerts, not backtest ones): the
covariance by --estimator over the window, then the portfolio's optimizer. It publishes the
weights as PORTFOLIO_UPDATE (which a risk engine measures) and ANALYTICS_RESULT (volatility, turnover,
risk contributions). Run one portfolio process per group.

factor reads FACTOR_INPUT (${streamKeyPattern('marketdata', 'FACTOR_INPUT')}: one date's cross-section of a universe:
returns, market caps, sectors, book/sales/cash-flow to price), computes the date's momentum (over the
universe's last window + lag dates), size and value scores and its market, sector and style factor
returns, and publishes them with the fit's R2 and residual statistics as FACTOR_CALCULATION. Processes
of one group share the shards.

features reads TRADE_EXECUTION, makes bars per symbol (--by, --threshold) and publishes each as BAR
(${streamKeyPattern('marketdata', 'BAR')}) and FEATURES_UPDATE (the day's realized variance so far, the rolling
microstructure and range-volatility estimators over --window bars, the --ind indicators). Processes of
one group share the shards.

strategy reads TRADE_EXECUTION (and VPIN_CALCULATION, FEATURES_UPDATE, PORTFOLIO_UPDATE and ML_PREDICTION, which
ctx.latest() returns) and runs the strategy modules of --strategy (docs/strategy.md) on the trades merged
into time order, with the fill model of kernelbus backtest --strategy: it publishes each order as
STRATEGY_SIGNAL, each fill as ORDER_FILL and the position after it as POSITION_UPDATE (logic bus),
the same ids and values as the backtest of the same tape. Its checkpoints hold the whole run (positions,
cash, open orders, bars, indicators, ctx.state, the trades held by the merge): run one per group.

collateral reads ORDER_FILL (the strategy engine's) and TRADE_EXECUTION, and keeps each account of
--accounts (docs/margin.md): its cash and positions from its strategies' fills (each counted once by
id), marked at the trades, margined by filtered historical simulation over the returns it has seen
(rebuilt every --rescenario). It publishes MARGIN_UPDATE after each fill and at each rebuild, and
MARGIN_CALL when an account's excess falls below 0 (once per breach) and when it clears. Run one per
group.

ml reads FEATURES_UPDATE (the features engine's; and BAR, VPIN_CALCULATION... as --features names them)
and serves the model of --model (docs/ml.md): at each delivery, every symbol whose bar completed in it
is predicted in one batch, each published as ML_PREDICTION { symbol, ts, bar, model, version, values }
(compute bus). Its group defaults to the model's name (a model per group); run one per group.

Options:
  --redis URL          Redis server: redis://[user:password@]host[:port][/db], rediss:// for TLS, unix:///path
                       for its Unix socket on this machine (?db=N), or a Redis Cluster:
                       redis+cluster://[user:password@]host:port,host:port,... (required)
  --group g            consumer group (default: the engine's name)
  --consumer c         consumer name in the group (default <hostname>-<pid>)
  --shards n           streams per type, as the publishers' (default ${DEFAULT_SHARDS})
  --checkpoint-ms ms   checkpoint period; 0 disables checkpoints (default 1000)
  --reset-checkpoints  when the group's checkpoints come from another configuration (classifier, bucket
                       volume, window...), forget them and start fresh from the group's position (without
                       it the engine refuses to start; or run it under its own --group)
  --claim-idle-ms ms   a process silent this long loses its streams to the others (default 5000)
${badTradesUsage('skip', 23)}  --backend b          auto | native | reference (default $KERNELBUS_BACKEND, else auto)
  --stall-seconds s    /readyz fails while entries wait for the group and none was processed for s seconds (default 60)
  --grace-ms ms        after SIGINT/SIGTERM, how long the last checkpoint and outputs may take (default ${DEFAULT_GRACE_MS})
  --warmup-trades n    vpin, features and strategy: before reading, run a scratch engine of the same options on
                       n synthetic trades, so that the first real frames meet compiled code (default
                       ${fmt(WARMUP_TRADES)}; 0: none). Nothing reaches the engine's streams; the strategy engine's
                       scratch strategies have the strategies' bars and indicators and a built-in onBar
  --warmup-bus b       where the warm-up's trades go: redis (default: through this Redis under the key
                       prefix ${DEFAULT_PREFIX}warmup:<consumer>:, deleted after, so that the reading path is hot
                       too) or memory (a private in-memory bus: nothing written to Redis)
  --heap-growth p      V8's old generation grows p percent past the live heap before a full collection
                       (default ${DEFAULT_HEAP_GROWTH}; 0: V8's own rule, about 10 to 50): full collections, which hold
                       the engine 2 to 12 ms each, one every several seconds instead of about one a second
${METRICS_USAGE}${LOG_USAGE}vpin:
  --bucket-volume v    volume per VPIN bucket (default 2400)
  --window n           buckets per VPIN value (default 50)
  --bar-ms ms          time bar length (default 10)
  --threshold x        alert when the VPIN CDF reaches x (default 0.99)
  --watch list         symbols, comma-separated, whose VPIN and CDF /metrics exports (kernelbus_vpin)
  --classifier c       bvc (default), tick, or a quote classifier: quote, lee-ready, emo, clnv (each trade
                       by its bid and ask: publish them, e.g. kernelbus feed --quotes)
  --cdf-window n       VPIN values the CDF ranks each among, or 'all' (default 50000; 'all' grows the state)
  --max-future-ms ms   dead-letter a frame stamped more than ms ahead of this process's clock (default ${DEFAULT_MAX_FUTURE_MS};
                       'off': no guard), rather than let it push its symbol's clock ahead
risk:
  --window n           rows of returns per universe (default 250)
  --min-rows n         rows a universe needs before its portfolios get figures (default 20)
  --confidence c       VaR/ES confidence (default 0.95)
  --universe u         the universe of a portfolio that names none (default 'default')
  --backtest-window n  periods of the VaR backtest: exceptions, Kupiec and Christoffersen p-values, the
                       Basel traffic light; its RISK_ALERT once n periods are backtested (default 250; 0: none)
  --benchmark asset    an asset of the universes: each result's rolling Sharpe and beta against it (default none)
  --rolling-window n   periods of the rolling Sharpe and beta (default 63, at most window + backtest-window)
  --periods-per-year p periods per year of the rolling Sharpe (default 252)
  --positions u        also each strategy's positions (POSITION_UPDATE, the strategy engine's) as a book,
                       portfolio strategy:<name>, measured on universe u's returns (default: none)
  --position-limit x   the books' VaR limit, a loss fraction > 0: RISK_ALERT as a portfolio's (default none)
  --garch vol          garch | gjr | egarch | aparch: also each portfolio's GARCH VaR and ES and their backtest, the
                       model fitted on its returns over the window (docs/risk.md, "GARCH VaR")
  --dist d             the model's errors: normal | t | skewt | ged (default normal)
  --garch-refit n      periods between refits, each warm-started from the last (default one day's: 1 with
                       --periods-per-year 252)
portfolio:
  --window n           rows of returns per universe (default ${PORTFOLIO_ENGINE_DEFAULTS.window})
  --min-rows n         rows a universe needs before its portfolios are built (default ${PORTFOLIO_ENGINE_DEFAULTS.minRows})
  --universe u         the universe of every portfolio (default 'default')
  --portfolios list    id:optimizer pairs, comma-separated, optimizer ${OPTIMIZERS.join(' or ')}
                       (default risk-parity:risk-parity,hrp:hrp)
  --config file        JSON { "portfolios": [ { "id", "optimizer", ... }, ... ] } instead of --portfolios: each
                       portfolio with its optimizer's options and constraints (docs/portfolio.md, "PortfolioEngine"),
                       e.g. { "id": "mv", "optimizer": "min-variance", "bounds": { "lower": 0, "upper": 0.3 },
                       "sectors": { "AAA": "tech" }, "sectorBounds": { "tech": [0, 0.4] }, "rebalanceOn": ["var-limit"] }
  --every k            rebalance every k rows of returns (default ${PORTFOLIO_DEFAULTS.every}; with --config: where a portfolio sets none)
  --estimator e        covariance estimator: ${COVARIANCE_METHODS.join(', ')} (default ${PORTFOLIO_DEFAULTS.estimator}; idem)
  --limit x            the VaR limit the portfolios' PORTFOLIO_UPDATE carries (default none; idem)
factor:
  --styles list        styles, comma-separated, of ${FACTOR_STYLES.join(', ')} (default: all)
  --momentum-window n  momentum's window of lagged returns (default ${FACTOR_ENGINE_DEFAULTS.momentum.window})
  --momentum-half-life h  half-life of its weights in dates (default ${FACTOR_ENGINE_DEFAULTS.momentum.halfLife})
  --momentum-lag l     dates the returns are lagged by (default ${FACTOR_ENGINE_DEFAULTS.momentum.lag})
  --winsorize p        returns clipped per date to their p and 1 - p percentiles, or 'off' (default ${FACTOR_ENGINE_DEFAULTS.winsorize})
features:
  --by b               the bars: time, tick, volume or dollar (default time; imbalance and run bars: the API)
  --threshold x        ms of a time bar, else the count, volume or dollar value closing a bar (default 60000)
  --window n           bars of the rolling estimators (default ${FEATURES_ENGINE_DEFAULTS.window})
  --estimators list    of ${FEATURE_ESTIMATORS.join(', ')} (default: all)
  --ind list           indicators of the bars, as kernelbus indicators --ind: rsi,macd(fastPeriod=8) (default none)
  --max-future-ms ms   as vpin's
${STRATEGY_ENGINE_USAGE}collateral:
  --accounts f         the accounts file (docs/margin.md): each account's strategies, cash, haircuts and
                       margin settings (required)
  --rescenario w       daily | hourly | minute | ms: every account's returns interval and the rebuild of
                       its scenarios (default: each account's \`every\`, else daily)
  --mark-ms ms         event-time ms between two margin checks of an account as its symbols trade (default 1000)
${ML_ENGINE_USAGE}`,
  23,
);

/** Each engine's own flags (the others' are refused). */
const ENGINE_FLAGS = {
  vpin: ['bucket-volume', 'window', 'bar-ms', 'threshold', 'watch', 'classifier', 'cdf-window', 'max-future-ms'],
  risk: [
    'window',
    'min-rows',
    'confidence',
    'universe',
    'backtest-window',
    'benchmark',
    'rolling-window',
    'periods-per-year',
    'positions',
    'position-limit',
    'garch',
    'dist',
    'garch-refit',
  ],
  factor: ['styles', 'momentum-window', 'momentum-half-life', 'momentum-lag', 'winsorize'],
  portfolio: ['window', 'min-rows', 'universe', 'portfolios', 'config', 'every', 'estimator', 'limit'],
  features: ['by', 'threshold', 'window', 'estimators', 'ind', 'max-future-ms'],
  strategy: STRATEGY_ENGINE_FLAGS,
  collateral: ['accounts', 'rescenario', 'mark-ms'],
  ml: ML_ENGINE_FLAGS,
} as const;
type EngineKind = keyof typeof ENGINE_FLAGS;
const KINDS = Object.keys(ENGINE_FLAGS) as EngineKind[];

/** The flags of `kernelbus engine`; each engine's own are read as given and checked for that engine. */
const FLAGS = {
  redis: flag.redis(true),
  group: flag.name(),
  consumer: flag.name(),
  shards: flag.number(DEFAULT_SHARDS, 1, 1024, true),
  'checkpoint-ms': flag.number(1000, 0, 3_600_000),
  'reset-checkpoints': flag.boolean(),
  'claim-idle-ms': flag.number(5000, 30, 3_600_000, true),
  backend: flag.backend(),
  'stall-seconds': flag.number(60, 1, 86_400),
  'grace-ms': flag.number(DEFAULT_GRACE_MS, 0, 3_600_000),
  'bad-trades': badTradesFlag('skip'),
  'warmup-trades': flag.optionalNumber(0, 10_000_000, true),
  'warmup-bus': {
    type: 'string',
    parse: (raw, name) => {
      const v = typeof raw === 'string' ? raw : undefined;
      if (v === undefined || v === 'redis' || v === 'memory') return v;
      throw new KernelInputError(name, "'redis' or 'memory'", JSON.stringify(v));
    },
  } satisfies Flag<'redis' | 'memory' | undefined>,
  'heap-growth': flag.number(DEFAULT_HEAP_GROWTH, 0, 1000, true),
  ...METRICS_FLAGS,
  ...LOG_FLAGS,
  ...(Object.fromEntries(
    Object.values(ENGINE_FLAGS)
      .flat()
      .map((name) => [name, flag.string()]),
  ) as Record<Exclude<(typeof ENGINE_FLAGS)[EngineKind][number], 'allow-short'>, Flag<string | undefined>>),
  'allow-short': flag.boolean(),
};

/** The collateral engine's options from its flags (--accounts, --rescenario, --mark-ms): KernelInputError naming the flag. */
export function collateralEngineOptions(
  values: Partial<Record<(typeof ENGINE_FLAGS)['collateral'][number], string>>,
): Omit<CollateralEngineOptions, 'name'> {
  if (values.accounts === undefined || values.accounts === '') throw new KernelInputError('--accounts', 'an accounts file', 'none');
  const accounts = loadAccounts(values.accounts);
  const r = values.rescenario;
  let rescenario: CollateralEngineOptions['rescenario'];
  if (r !== undefined) {
    rescenario = r === 'daily' || r === 'hourly' || r === 'minute' ? r : parseNumber(r, 0, '--rescenario', 1, 1e12, true);
  }
  const markMs = parseNumber(values['mark-ms'], 1000, '--mark-ms', 0, 86_400_000, false);
  return { accounts, markMs, ...(rescenario === undefined ? {} : { rescenario }) };
}

/**
 * The risk engine's options from its flags (--window, --min-rows, --confidence, --universe,
 * --backtest-window, --benchmark, --rolling-window, --periods-per-year, --positions, --position-limit,
 * --garch, --dist, --garch-refit): KernelInputError naming the flag.
 */
export function riskEngineOptions(values: Partial<Record<(typeof ENGINE_FLAGS)['risk'][number], string>>): RiskEngineOptions {
  const d = RISK_ENGINE_DEFAULTS;
  const window = parseNumber(values.window, d.window, '--window', 2, 1_000_000, true);
  const minRows = parseNumber(values['min-rows'], Math.min(d.minRows, window), '--min-rows', 2, window, true);
  const confidence = parseNumber(values.confidence, d.confidence, '--confidence', Number.EPSILON, 1 - Number.EPSILON, false);
  const universe = values.universe ?? d.universe;
  if (universe.length === 0) throw new KernelInputError('--universe', 'a non-empty name', '""');
  const backtestWindow = parseNumber(values['backtest-window'], d.backtestWindow, '--backtest-window', 0, 1_000_000, true);
  const most = window + backtestWindow;
  const rollingWindow = parseNumber(values['rolling-window'], Math.min(d.rollingWindow, most), '--rolling-window', 2, most, true);
  const periodsPerYear = parseNumber(values['periods-per-year'], d.periodsPerYear, '--periods-per-year', 1e-9, 1e9, false);
  const benchmark = values.benchmark;
  if (benchmark !== undefined && benchmark.length === 0) throw new KernelInputError('--benchmark', 'an asset name', '""');
  const positions = values.positions;
  if (positions !== undefined && positions.length === 0) throw new KernelInputError('--positions', 'a universe name', '""');
  if (values['position-limit'] !== undefined && positions === undefined)
    throw new KernelInputError('--position-limit', 'nothing without --positions', JSON.stringify(values['position-limit']));
  const books =
    positions === undefined
      ? {}
      : {
          positionInput: 'POSITION_UPDATE',
          positionUniverse: positions,
          ...(values['position-limit'] === undefined
            ? {}
            : { positionLimit: parseNumber(values['position-limit'], 0, '--position-limit', Number.MIN_VALUE, 1e9, false) }),
        };
  const garch = parseGarchFlags(values);
  const model =
    garch.garch === undefined
      ? {}
      : {
          var: {
            method: 'garch' as const,
            vol: garch.garch,
            ...(garch.dist && { dist: garch.dist }),
            ...(garch['garch-refit'] !== undefined && { refit: garch['garch-refit'] }),
          },
        };
  return { window, minRows, confidence, universe, backtestWindow, benchmark, rollingWindow, periodsPerYear, ...books, ...model };
}

/** The features engine's options from its flags (--by, --threshold, --window, --estimators, --ind, --max-future-ms), checked here. */
export function featuresEngineOptions(values: Partial<Record<(typeof ENGINE_FLAGS)['features'][number], string>>): FeaturesEngineOptions {
  const by = (values.by ?? 'time') as BarOptions['by'];
  if (!['time', 'tick', 'volume', 'dollar'].includes(by))
    throw new KernelInputError('--by', 'time, tick, volume or dollar', JSON.stringify(by));
  const threshold = parseNumber(values.threshold, 60_000, '--threshold', Number.MIN_VALUE, 1e300, false);
  const window = parseNumber(values.window, FEATURES_ENGINE_DEFAULTS.window, '--window', 2, 100_000, true);
  const estimators = (values.estimators?.split(',').map((e) => e.trim()) ?? [...FEATURE_ESTIMATORS]) as FeatureEstimator[];
  const unknown = estimators.find((e) => !FEATURE_ESTIMATORS.includes(e));
  if (unknown !== undefined)
    throw new KernelInputError('--estimators', `names of ${FEATURE_ESTIMATORS.join(', ')}`, JSON.stringify(unknown));
  const maxFutureMs = parseMaxFutureMs(values['max-future-ms']);
  const options = { bars: { by, threshold }, window, estimators, indicators: parseIndicators(values.ind ?? '', '--ind'), maxFutureMs };
  return options;
}

/** The portfolios of a --config file: JSON { portfolios: [...] } (checked by resolvePortfolios, its errors naming `--config portfolios[i]...`). */
function readPortfolioConfig(path: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new KernelInputError('--config', 'a JSON file', `no file ${path}`);
    throw new KernelInputError('--config', 'a JSON file', (error as Error).message);
  }
  const keys = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed) : [];
  if (keys.length !== 1 || keys[0] !== 'portfolios') {
    throw new KernelInputError('--config', 'a JSON object { "portfolios": [ ... ] }', JSON.stringify(parsed).slice(0, 80));
  }
  return (parsed as { portfolios: unknown[] }).portfolios;
}

/** The portfolio engine of the flags --window, --min-rows, --universe, --portfolios or --config, --every, --estimator, --limit. */
function portfolioEngine(
  values: Partial<Record<(typeof ENGINE_FLAGS)['portfolio'][number], string>>,
  common: Omit<PortfolioEngineOptions, 'portfolios'>,
): (bus: Bus) => Engine {
  const window = parseNumber(values.window, PORTFOLIO_ENGINE_DEFAULTS.window, '--window', 2, 1_000_000, true);
  const minRows = parseNumber(values['min-rows'], Math.min(PORTFOLIO_ENGINE_DEFAULTS.minRows, window), '--min-rows', 2, window, true);
  const universe = values.universe ?? PORTFOLIO_ENGINE_DEFAULTS.universe;
  if (universe.length === 0) throw new KernelInputError('--universe', 'a non-empty name', '""');
  const every = parseNumber(values.every, PORTFOLIO_DEFAULTS.every, '--every', 1, 1_000_000, true);
  const estimator = (values.estimator ?? PORTFOLIO_DEFAULTS.estimator) as CovarianceMethod;
  if (!COVARIANCE_METHODS.includes(estimator))
    throw new KernelInputError('--estimator', COVARIANCE_METHODS.join(', '), JSON.stringify(estimator));
  const limit = values.limit === undefined ? undefined : parseNumber(values.limit, 0, '--limit', Number.MIN_VALUE, 1e9, false);
  const defaults = { every, estimator, ...(limit === undefined ? {} : { limit }) };
  let portfolios: PortfolioConfig[];
  if (values.config !== undefined) {
    if (values.portfolios !== undefined)
      throw new KernelInputError('--portfolios', 'no --portfolios with --config (the file lists them)', JSON.stringify(values.portfolios));
    const list = readPortfolioConfig(values.config);
    // the flags' every, estimator and limit where a portfolio sets none
    portfolios = list.map((p) => (typeof p === 'object' && p !== null && !Array.isArray(p) ? { ...defaults, ...p } : p) as PortfolioConfig);
    resolvePortfolios(portfolios, universe, '--config portfolios'); // checked before connecting
  } else {
    portfolios = (values.portfolios ?? 'risk-parity:risk-parity,hrp:hrp').split(',').map((pair) => {
      const [id, optimizer, extra] = pair.split(':').map((s) => s.trim());
      if (!id || !OPTIMIZERS.includes(optimizer as Optimizer) || extra !== undefined) {
        throw new KernelInputError('--portfolios', `id:optimizer pairs, optimizer ${OPTIMIZERS.join(' or ')}`, JSON.stringify(pair));
      }
      return { id, optimizer: optimizer as Optimizer, ...defaults };
    });
    resolvePortfolios(portfolios, universe, '--portfolios'); // checked before connecting (unique ids)
  }
  const options: PortfolioEngineOptions = { ...common, window, minRows, universe, portfolios };
  return (bus) => new PortfolioEngine(bus, options);
}

/**
 * Runs an engine with command-line arguments (without `engine`) until SIGINT/SIGTERM (or `signal`
 * aborts) and returns the exit code: 0, or 1 when Redis cannot be reached or a strategy fails (stopped
 * by --max-errors, or every onBar call threw: StrategyEngine.failure()); throws KernelInputError for
 * a bad option. Prints `ready: ...` once reading, and a summary when it stops. `ownProcess`: the
 * engine is the process (the CLI), so --heap-growth sets V8's heap growth (./heap.ts); a program that
 * runs it among its own work (a test) keeps its own.
 */
export async function runEngine(
  argv: string[],
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
  signal?: AbortSignal,
  err: NodeJS.WritableStream = process.stderr,
  { ownProcess = false }: { ownProcess?: boolean } = {},
): Promise<number> {
  const parsed = parseCommand(bareWatch(argv), FLAGS, {
    help: () => out.write(ENGINE_USAGE),
    positionals: (names) => {
      if (names.length !== 1 || !KINDS.includes(names[0] as EngineKind)) {
        throw new KernelInputError(
          'engine',
          "one engine name: 'vpin', 'risk', 'factor', 'portfolio', 'features', 'strategy', 'collateral' or 'ml'",
          names.length === 0 ? 'none' : JSON.stringify(names.join(' ')),
        );
      }
    },
  });
  if (!parsed) return 0;
  const { values } = parsed;
  const kind = parsed.positionals[0] as EngineKind;
  const url = values.redis!;
  // ml: a model per group (its name: the file's base name unless --name)
  const group = values.group ?? (kind === 'ml' ? (values.name ?? modelName(values.model ?? '')) : kind);
  const consumer = values.consumer ?? `${hostname()}-${process.pid}`;
  for (const name of new Set(Object.values(ENGINE_FLAGS).flat())) {
    if (parsed.raw(name) === undefined || (ENGINE_FLAGS[kind] as readonly string[]).includes(name)) continue;
    const owners = KINDS.filter((k) => (ENGINE_FLAGS[k] as readonly string[]).includes(name));
    throw new KernelInputError(`--${name}`, `an option of engine ${owners.join(' or ')}`, `engine ${kind}`);
  }
  if (kind === 'vpin' && values.watch === '') throw new KernelInputError('--watch', 'symbols, comma-separated', 'none');
  const watch = (values.watch ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const { shards, 'checkpoint-ms': checkpointMs, 'claim-idle-ms': claimIdleMs, backend } = values;
  const common = {
    name: kind,
    group,
    consumer,
    checkpointMs,
    backend,
    resetCheckpoints: values['reset-checkpoints'],
    // the trade rule at a trade engine's door: with reject, each bad trade left out is a line on stderr
    badTrades: values['bad-trades'],
    onBadTrade: (bad: EngineBadTrade) => log.error(`rejected: ${bad.message}`, { event: 'bad-trade', ...bad }),
    // a restart's (or takeover's) restore, said when it happens (a fresh group's resume restores nothing: no line)
    onResume: (r: EngineResume) => {
      if (r.restoredKeys + r.replayed === 0) return;
      log.info(
        `resumed ${r.streams.join(', ')}: ${fmt(r.restoredKeys)} keys restored from the checkpoint, ${fmt(r.replayed)} messages acknowledged since replayed (${fmt(r.ms, 1)} ms)`,
        { event: 'resumed', ...r },
      );
    },
  };
  let make: (bus: Bus) => Engine;
  /** The scratch engine of the warm-up, and the symbols it is fed (trade engines: vpin, features, strategy). */
  let warm: { make: (bus: Bus) => Engine; symbols: readonly string[]; quotes?: boolean } | undefined;
  const halt = new AbortController();
  if (kind === 'vpin') {
    const bucketVolume = parseNumber(values['bucket-volume'], 2400, '--bucket-volume', Number.MIN_VALUE, 1e15, false);
    const window = parseNumber(values.window, 50, '--window', 1, 1_000_000, true);
    const barMs = parseNumber(values['bar-ms'], 10, '--bar-ms', Number.MIN_VALUE, 86_400_000, false);
    const threshold = parseNumber(values.threshold, 0.99, '--threshold', 0, 1, false);
    const classifier = values.classifier === undefined ? 'bvc' : parseClassifier(values.classifier, '--classifier', true);
    const cdfWindow =
      values['cdf-window'] === 'all' ? 'all' : parseNumber(values['cdf-window'], DEFAULT_CDF_WINDOW, '--cdf-window', 1, 1e9, true);
    const maxFutureMs = parseMaxFutureMs(values['max-future-ms']);
    const options: Omit<VpinEngineOptions, 'name'> = {
      threshold,
      maxFutureMs,
      vpin: { bucketVolume, window, barMs, sigma: { ewma: 0.94 }, classifier, cdfWindow },
    };
    make = (bus) => new VpinEngine(bus, { ...common, ...options });
    // a quote classifier reads each trade's bid and ask: the warm-up's trades carry them
    const quotes = typeof classifier === 'object';
    warm = { make: (bus) => new VpinEngine(bus, { ...options, name: 'warmup' }), symbols: WARMUP_SYMBOLS, quotes };
  } else if (kind === 'factor') {
    const momentum = {
      window: factorFlags['momentum-window'].parse(values['momentum-window'], '--momentum-window'),
      halfLife: factorFlags['momentum-half-life'].parse(values['momentum-half-life'], '--momentum-half-life'),
      lag: factorFlags['momentum-lag'].parse(values['momentum-lag'], '--momentum-lag'),
    };
    const winsorize = factorFlags.winsorize.parse(values.winsorize, '--winsorize');
    const styles = factorFlags.styles.parse(values.styles, '--styles') ?? [...FACTOR_ENGINE_DEFAULTS.styles];
    make = (bus) => new FactorEngine(bus, { ...common, momentum, winsorize, styles });
  } else if (kind === 'portfolio') {
    make = portfolioEngine(values, common);
  } else if (kind === 'features') {
    const options = featuresEngineOptions(values);
    make = (bus) => new FeaturesEngine(bus, { ...common, ...options });
    warm = { make: (bus) => new FeaturesEngine(bus, { ...options, name: 'warmup' }), symbols: WARMUP_SYMBOLS };
  } else if (kind === 'collateral') {
    const options = collateralEngineOptions(values);
    make = (bus) => new CollateralEngine(bus, { ...common, ...options });
  } else if (kind === 'ml') {
    const options = await mlEngineOptions(values, backend);
    make = (bus) =>
      new MlEngine(bus, {
        ...common,
        ...options,
        onSwap: (swap) => log.info(`model swapped: version ${swap.previous} -> ${swap.version}`, { event: 'model-swap', ...swap }),
        onLoadError: (error, file) =>
          log.error(`model ${file ?? ''} not loaded, the one in service stays: ${error.message}`, { event: 'model-load-failed', file }),
      });
  } else if (kind === 'strategy') {
    const options = await strategyEngineOptions(values);
    // ctx.log() lines and callback errors: the command's log, once it exists
    // past --max-errors: the engine stops as on a signal (last checkpoint), and exits 1 (below)
    const onHalt = (error: Error) => {
      log.error(error.message.replace(/ \(maxErrors\)$/, ' (--max-errors)'), { event: 'strategy-halted' });
      halt.abort();
    };
    make = (bus) => new StrategyEngine(bus, { ...common, ...options, log: (line) => log.info(line, { event: 'strategy-log' }), onHalt });
    const list = Array.isArray(options.strategies) ? options.strategies : [options.strategies as Strategy<object>];
    const universe = strategyUniverse(list, options.symbols);
    const symbols = universe.length > 0 ? universe : WARMUP_SYMBOLS;
    warm = {
      make: (bus) => new StrategyEngine(bus, { ...options, name: 'warmup', strategies: list.map(warmUpStrategy), symbols }),
      symbols,
    };
  } else {
    const options = riskEngineOptions(values);
    make = (bus) => new RiskEngine(bus, { ...common, ...options });
  }

  for (const name of ['warmup-trades', 'warmup-bus'] as const)
    if (!warm && values[name] !== undefined)
      throw new KernelInputError(`--${name}`, 'an option of engine vpin, features or strategy', `engine ${kind}`);

  const log = await createLog('engine', values['log-format'], out, err);
  const json = log.format === 'json';
  /**
   * The warm-up (../engines/warmup.ts) on `on`: over this Redis, under a key prefix of this consumer's
   * own (DEFAULT_PREFIX + 'warmup:<consumer>:', inside the engine's own key space for ACLs), its keys
   * deleted after; where that fails (a server that refuses), in memory, said in one line.
   */
  const warmUpOn = async (
    on: 'redis' | 'memory',
    w: NonNullable<typeof warm>,
    trades: number,
  ): Promise<WarmUp & { bus: 'redis' | 'memory' }> => {
    // a stop asked for meanwhile ends it (the engine then stops as soon as it has started)
    const stopping = new AbortController();
    void stop.promise.then(() => stopping.abort());
    const options = { quotes: w.quotes, signal: stopping.signal };
    if (on === 'redis') {
      const prefix = `${DEFAULT_PREFIX}warmup:${consumer}:`;
      try {
        return {
          ...(await warmUp(w.make, w.symbols, trades, {
            ...options,
            bus: () => connectRedisBus(url, shards, { prefix, packEntries: true }, { watermarks: true }),
          })),
          bus: on,
        };
      } catch (error) {
        // the memory warm-up runs the same engine code: an error of that code shows there again
        const message = `warm-up over Redis failed (${error instanceof Error ? error.message : String(error)}); warming up in memory`;
        log.error(message, { event: 'warmup-redis-failed' });
      } finally {
        await deleteKeys(url, prefix).catch(() => undefined);
      }
    }
    return { ...(await warmUp(w.make, w.symbols, trades, options)), bus: 'memory' };
  };
  const stop = untilSignal(signal ? AbortSignal.any([signal, halt.signal]) : halt.signal);
  let bus: Bus;
  try {
    bus = await connectRedisBus(url, shards, { claimIdleMs, log: transportLog(log) });
  } catch (error) {
    stop.dispose();
    if (!(error instanceof TransportError)) throw error;
    log.error(error.message, { event: 'unreachable' });
    return 1;
  }
  const transport = bus.transport('marketdata');
  let status: NodeJS.Timeout | undefined;
  const engine = make(bus);
  // a stream per input type and shard (the ML engine's types are known once its model is read)
  const streams = shards * engine.inputTypes.length;
  const unit = {
    vpin: 'trades',
    risk: 'updates',
    factor: 'dates',
    portfolio: 'updates',
    features: 'trades',
    strategy: 'messages',
    collateral: 'messages',
    ml: 'messages',
  }[kind];
  // /readyz: the streams leased (by this process or another of its group) and resumed, every bus's Redis
  // reachable, and not stalled (entries waiting for the group while none was processed for --stall-seconds).
  let leased = false;
  const stalled = stallCheck(
    () => engine.metrics().processed,
    async () => {
      const { streamStatus } = await import('../bus/transports/redis/status.js');
      const groups = (await streamStatus(transport as RedisTransport)).filter((g) => g.group === group);
      return groups.reduce((n, g) => n + g.lag + g.pending, 0);
    },
    values['stall-seconds'] * 1000,
  );
  const outages = new OutageWatch(bus, { log, counters: () => ({ failedCheckpoints: engine.metrics().extra.checkpointErrors ?? 0 }) });
  const ready = () => {
    if (!leased) return 'streams not leased yet';
    const answers = outages.ready();
    return answers === true ? stalled() : answers;
  };
  let server: Awaited<ReturnType<typeof startMetrics>>;
  try {
    server = await startMetrics({
      port: values['metrics-port'],
      host: values['metrics-host'] ?? '127.0.0.1',
      bus,
      engines: [engine],
      backend: await resolvedBackend(backend),
      ready,
      lagOf: transport as RedisTransport,
      watched: () => {
        if (engine instanceof VpinEngine) {
          const states = engine.symbols();
          return {
            vpin: watch.flatMap((symbol) => {
              const st = states.get(symbol);
              return st ? [{ engine: engine.name, symbol, vpin: st.vpin, cdf: st.cdf }] : [];
            }),
          };
        }
        if (engine instanceof RiskEngine) {
          return {
            portfolios: [...engine.portfolios()].flatMap(([portfolio, p]) =>
              p.figures
                ? [
                    {
                      engine: engine.name,
                      portfolio,
                      historicalVar: p.figures.historical.var,
                      gaussianVar: p.figures.gaussian.var,
                      ...(p.figures.garch && { garchVar: p.figures.garch.var }),
                      volatility: p.figures.volatility,
                    },
                  ]
                : [],
            ),
          };
        }
        return {};
      },
    });
  } catch (error) {
    stop.dispose();
    outages.close();
    await bus.close();
    throw error;
  }
  const grace = values['grace-ms'];
  let stopped = true;
  if (server) log.info(`metrics: ${server.url}`, { event: 'metrics', url: server.url });
  try {
    loadMessageCodec(); // its outputs are message frames: the first one does not wait for msgpackr
    if (ownProcess) setHeapGrowth(values['heap-growth']);
    // the warm-up (trade engines): said in the ready line's JSON (the text line stays as scripts read it)
    const warmupTrades = values['warmup-trades'] ?? WARMUP_TRADES;
    const warmed = warm && warmupTrades > 0 ? await warmUpOn(values['warmup-bus'] ?? 'redis', warm, warmupTrades) : undefined;
    engine.start();
    await Promise.all(bus.buses.map((b) => bus.transport(b).ready?.()));
    // the group's checkpoints come from another configuration: one line, nothing read
    const refused = await engine.configChecked().then(
      () => undefined,
      (error: unknown) => error,
    );
    if (refused instanceof CheckpointConfigError) {
      log.error(refused.message, { event: 'checkpoint-config', group, stored: refused.stored, given: refused.given });
      return 2;
    }
    if (refused) {
      const message = `the checkpoint configuration of group '${group}' could not be read: ${(transport as RedisTransport).clean(String(refused))}`;
      log.error(message, { event: 'unreachable' });
      return 1;
    }
    void retryUntil(
      () => Promise.all([...bus.buses.map((b) => bus.transport(b).reading?.()), engine.ready()]),
      () => stop.received !== undefined,
    ).then((held) => (leased = held));
    log.info(
      `ready: engine ${kind}, group ${group}, consumer ${consumer}, ${streams} streams on ${transport.target}${engine.checkpoints ? `, checkpoints every ${checkpointMs} ms` : ''}`,
      {
        event: 'ready',
        engine: kind,
        group,
        consumer,
        streams,
        target: transport.target,
        checkpointMs: engine.checkpoints ? checkpointMs : 0,
        ...(warmed ? { warmup: { trades: warmed.trades, ms: Math.round(warmed.ms), bus: warmed.bus } } : {}),
        ...(ownProcess ? { heapGrowth: values['heap-growth'] } : {}),
      },
    );
    const model = engine instanceof MlEngine ? engine.modelInfo() : undefined;
    if (model) {
      const features = Object.entries(model.features).map(([f, source]) => `${f}=${source}`);
      log.info(`model: ${model.name} (${model.kind}, version ${model.version}) from ${model.file}; features ${features.join(',')}`, {
        event: 'model',
        ...model,
      });
    }
    if (out.isTTY && !json) {
      let last = { at: performance.now(), processed: 0 };
      status = setInterval(() => {
        const m = engine.metrics();
        const now = performance.now();
        const rate = ((m.processed - last.processed) * 1000) / (now - last.at);
        last = { at: now, processed: m.processed };
        const made = {
          vpin: () => `buckets ${fmt(m.extra.buckets)}  symbols ${fmt(m.keys)}`,
          risk: () => `results ${fmt(m.extra.results)}  alerts ${fmt(m.extra.alerts)}`,
          factor: () => `results ${fmt(m.extra.results)}  universes ${fmt(m.keys)}`,
          portfolio: () => `rebalances ${fmt(m.extra.rebalances)}  on alerts ${fmt(m.extra.alertRebalances)}`,
          features: () => `bars ${fmt(m.extra.bars)}  symbols ${fmt(m.keys)}`,
          strategy: () => `bars ${fmt(m.extra.bars)}  orders ${fmt(m.extra.orders)}  fills ${fmt(m.extra.fills)}`,
          collateral: () => `updates ${fmt(m.extra.marginUpdates)}  calls ${fmt(m.extra.marginCalls)}  open ${fmt(m.extra.openCalls)}`,
          ml: () => `predictions ${fmt(m.extra.predictions)}  batches ${fmt(m.extra.batches)}  swaps ${fmt(m.extra.modelSwaps)}`,
        }[kind]();
        out.write(
          `\r${fmt(m.processed).padStart(12)} ${unit}  ${fmt(rate).padStart(10)} msg/s  p50 ${ms(m.latencyMs.p50)} ms  p99 ${ms(m.latencyMs.p99)} ms  ${made}\x1b[K`,
        );
      }, 500);
    }
    await stop.promise;
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    log.error(error.message, { event: 'transport-error' });
    return 1;
  } finally {
    stop.dispose();
    if (status) clearInterval(status);
    stopped = await unlessStopped(
      engine.stop().then(() => bus.close()),
      stop.promise,
      grace,
    );
    outages.close();
    await server?.close();
  }
  if (!stopped) {
    const m = engine.metrics();
    const unsent = unstored(bus);
    log.error(
      `stopped (${stop.received}) while Redis does not answer: not stopped cleanly within ${fmt(grace)} ms; ${fmt(unsent)} output messages not stored, ` +
        `last checkpoint ${(m.extra.checkpointErrors ?? 0) > 0 ? 'failed' : 'not written'}; the group resumes from its last checkpoint and computes them again`,
      { event: 'not-flushed', signal: stop.received, notStored: unsent, graceMs: grace, checkpointErrors: m.extra.checkpointErrors ?? 0 },
    );
    return 1;
  }
  if (out.isTTY && !json) out.write('\n');
  const m = engine.metrics();
  const x = m.extra;
  const made = {
    vpin: () => `${fmt(x.buckets)} buckets, ${fmt(x.alerts)} alerts, ${fmt(m.keys)} symbols`,
    risk: () => `${fmt(x.results)} results, ${fmt(x.alerts)} alerts, ${fmt(x.universes)} universes, ${fmt(x.portfolios)} portfolios`,
    factor: () => `${fmt(x.results)} results, ${fmt(x.unfit)} dates without a fit, ${fmt(x.universes)} universes`,
    portfolio: () =>
      `${fmt(x.rebalances)} rebalances (${fmt(x.alertRebalances)} on alerts, ${fmt(x.ignoredAlerts)} alerts ignored, ${fmt(x.failures)} failed), ${fmt(x.universes)} universes`,
    features: () => `${fmt(x.bars)} bars, ${fmt(m.keys)} symbols`,
    strategy: () =>
      `${fmt(x.bars)} bars, ${fmt(x.orders)} orders, ${fmt(x.fills)} fills, ${fmt(x.strategyErrors)} callback errors, ${fmt(x.late)} late trades, ${fmt(m.keys)} symbols`,
    collateral: () =>
      `${fmt(x.accounts)} accounts, ${fmt(x.marginUpdates)} margin updates, ${fmt(x.marginCalls)} margin calls (${fmt(x.openCalls)} open), ${fmt(x.repeatedFills)} fills seen before, ${fmt(m.keys)} symbols`,
    ml: () =>
      `${fmt(x.predictions)} predictions in ${fmt(x.batches)} batches, ${fmt(x.modelSwaps)} model swaps (${fmt(x.modelLoadFailures)} failed loads), ${fmt(m.keys)} symbols`,
  }[kind]();
  log.info(
    `stopped (${stop.received}): processed ${fmt(m.processed)} ${unit} in ${fmt(m.batches)} deliveries, ${fmt(m.duplicates)} duplicates skipped, ` +
      `${fmt(x.replayed ?? 0)} ${unit} replayed after takeovers, ${fmt(x.restoredKeys ?? 0)} ${{ vpin: 'symbols', risk: 'keys', factor: 'universes', portfolio: 'keys', features: 'symbols', strategy: 'keys', collateral: 'keys', ml: 'keys' }[kind]} restored; ${made}; ` +
      checkpointsLine(x) +
      `${fmt(x.republished ?? 0)} republished ${unit} skipped; ` +
      badTradesLine(m.badTrades) +
      `latency p50 ${ms(m.latencyMs.p50)} ms, p99 ${ms(m.latencyMs.p99)} ms`,
    {
      event: 'stopped',
      signal: stop.received,
      processed: m.processed,
      deliveries: m.batches,
      duplicates: m.duplicates,
      keys: m.keys,
      badTrades: m.badTrades,
      ...x,
    },
  );
  // a strategy stopped on --max-errors, or whose every onBar threw
  const failure = engine instanceof StrategyEngine ? engine.failure() : undefined;
  if (failure !== undefined) {
    log.error(`the strategy fails: ${failure.replace(/ \(maxErrors\)$/, ' (--max-errors)')}`, { event: 'strategy-failed' });
    return 1;
  }
  return 0;
}

/**
 * The stop line's checkpoints: `12 checkpoints (0 failed; 21.4 MB, 14.2 ms each); ` (their bytes and
 * mean time, capture to stored, once any was stored).
 */
function checkpointsLine(x: Record<string, number>): string {
  const n = x.checkpoints ?? 0;
  const cost = n > 0 ? `; ${((x.checkpointBytes ?? 0) / 1e6).toFixed(1)} MB, ${((x.checkpointMs ?? 0) / n).toFixed(1)} ms each` : '';
  return `${fmt(n)} checkpoints (${fmt(x.checkpointErrors ?? 0)} failed${cost}); `;
}

/** The stop line's bad trades: `3 bad trades skipped (price 2, order 1); ` (nothing when none). */
function badTradesLine(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return '';
  const reasons = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${r} ${fmt(n)}`)
    .join(', ');
  return `${fmt(total)} bad trade${total === 1 ? '' : 's'} skipped (${reasons}); `;
}
