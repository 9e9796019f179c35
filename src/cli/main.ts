/**
 * `kernelbus <command>`: dispatches to the commands. Follows clig.dev: `--version`/`-V`; usage on
 * stderr with exit 2 for no arguments, an unknown command or flag (with the nearest one, "did you
 * mean"); every error on stderr, one line: exit 2 for usage and bad input, 1 for what failed at run
 * time (a file not found, Redis not answering).
 */
import { KernelbusError } from '../errors.js';
import { packageVersion } from './observe.js';
import { nearest, UsageError } from './options.js';

const USAGE = `Usage: kernelbus <command> [options]

Commands:
  demo [--symbols 100] [--rate 200000] [--seconds 10] [--seed 1] [--classifier c] [--backend b]
       [--redis URL] [--shards n] [--dashboard [port]] [--metrics-port p] [--json]
                          simulated market -> bus -> VPIN, risk, factor and features engines -> alerts, portfolio
                          VaR and factor returns, in-process or over Redis
  feed --redis URL [--symbols 100] [--rate 200000] [--seconds 10] [--seed 1]
                          publish the simulated market to Redis Streams (kernelbus feed --help)
  engine vpin|risk|factor|portfolio|features|strategy|collateral --redis URL [--group name] [--consumer name] [--metrics-port p]
                          a VPIN, risk, factor, portfolio, features or strategy engine process on Redis until
                          SIGINT/SIGTERM (kernelbus engine --help)
  gateway --redis URL [--port 8600] [--token t]
                          WebSocket gateway and live dashboard page over the engines' streams
                          (kernelbus gateway --help)
  status --redis URL [--json]
                          lag, pending entries and dead letters of every consumer group
  replay --redis URL --type TRADE_EXECUTION --from <time> [--to <time>] --engine vpin
                          a fresh engine over the trades since a point in time (kernelbus replay --help)
  dlq list|show|redrive|drop [stream] [id...] --redis URL
                          list, inspect, redrive or drop dead letters (kernelbus dlq --help)
  tail <TYPE> --redis URL [--from <id|time|start>] [--follow] [--count n] [--json] [--dedupe]
                          print the messages of a type (ORDER_FILL...) from its streams, decoded, one a line;
                          follows new ones until SIGINT (kernelbus tail --help)
  vpin <trades|->         VPIN of a table of trades, every symbol of a multi-symbol tape (kernelbus vpin --help)
  bars <trades|-> --by b  tick, volume, dollar, time, imbalance or run bars per symbol (kernelbus bars --help)
  indicators <bars|-> --ind rsi,macd
                          TA-Lib's indicators of bars per symbol (kernelbus indicators --help)
  dataset <trades|-> --bars dollar:1e6 --label triple-barrier --out ds.parquet
                          a training set: labels, features, weights and purged folds per symbol
                          (kernelbus dataset --help)
  predict --model m.txt <file|-> --out preds.parquet [--contributions] [--raw] [--iterations k]
                          a model's predictions (or SHAP values) on the rows of a table holding its
                          features, a dataset's among them (kernelbus predict --help)
  backtest <bars|-> --grid sma-cross --fast 2:50 --slow 10:200
                          a moving-average crossover over every pair of windows per symbol, the best by a
                          statistic, --report page.html (kernelbus backtest --help)
  backtest --file <tape> --strategy ./s.mjs
                          a strategy (kernelbus/strategy) on a recorded tape of trades: fills, positions
                          and statistics per symbol and in total
  risk <returns|->        statistics and VaR/ES of a table of returns, wide or long (kernelbus risk --help)
  optimize <returns|-> --method min-variance|max-sharpe|risk-parity|hrp  a portfolio's weights and risk contributions (kernelbus optimize --help)
  factor <panel|->        style scores and factor returns of a long panel (kernelbus factor --help)
                          (tables: CSV, TSV, .gz, Parquet or Arrow; --out .csv .tsv .jsonl .parquet .arrow)
  backends [--json]       which backends load on this machine
  doctor [--json]         platform, Node, which backends load and why not, threads, BLAS, GPU, and the fixes
  help                    this text

Options:
  -h, --help              this text (and 'kernelbus <command> --help' for a command's)
  -V, --version           the version
`;

/** The commands, for "did you mean" (and the tests: each answers --help). */
export const COMMANDS = [
  'demo',
  'feed',
  'engine',
  'gateway',
  'status',
  'replay',
  'dlq',
  'tail',
  'vpin',
  'bars',
  'indicators',
  'dataset',
  'predict',
  'backtest',
  'risk',
  'optimize',
  'factor',
  'backends',
  'doctor',
  'help',
];

/**
 * The `kernelbus` process (bin/kernelbus.js): main(argv) as its exit code, once what it wrote to stdout and
 * stderr has reached their readers (pipes are asynchronous: `kernelbus backtest --json | reader` would
 * lose what the pipe still held); then connections a stop gave up on (a Redis that does not answer, see
 * --grace-ms) do not keep it alive: an unref'd timer exits 500 ms later (a clean exit does not wait for it).
 */
export async function run(argv: string[]): Promise<void> {
  process.exitCode = await main(argv);
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise((done) => s.write('', done))));
  setTimeout(() => process.exit(), 500).unref();
}

/**
 * Runs `kernelbus` with `argv` (without node and the script); returns the exit code. Each command's
 * module is imported when that command runs: `kernelbus vpin` loads no bus, engine or Redis code
 * (test/cli/startup.test.ts holds each command's modules to what it needs).
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'vpin': {
        const { runVpin } = await import('./vpin.js');
        return await runVpin(rest);
      }
      case 'bars':
        return await (await import('./bars.js')).runBars(rest);
      case 'indicators':
        return await (await import('./indicators.js')).runIndicators(rest);
      case 'dataset':
        return await (await import('./dataset.js')).runDataset(rest);
      case 'predict':
        return await (await import('./predict.js')).runPredict(rest);
      case 'backtest':
        return await (await import('./backtest.js')).runBacktest(rest);
      case 'risk': {
        const { runRisk } = await import('./risk.js');
        return await runRisk(rest);
      }
      case 'optimize':
        return await (await import('./optimize.js')).runOptimize(rest);
      case 'factor': {
        const { runFactor } = await import('./factor.js');
        return await runFactor(rest);
      }
      case 'demo': {
        const { runDemo } = await import('./demo.js');
        return await runDemo(rest);
      }
      case 'feed': {
        const { runFeed } = await import('./feed.js');
        return await runFeed(rest, process.stdout, undefined, process.stderr, { ownProcess: true });
      }
      case 'engine': {
        const { runEngine } = await import('./engine.js');
        return await runEngine(rest, process.stdout, undefined, process.stderr, { ownProcess: true });
      }
      case 'gateway': {
        const { runGateway } = await import('./gateway.js');
        return await runGateway(rest);
      }
      case 'status': {
        const { runStatus } = await import('./status.js');
        return await runStatus(rest);
      }
      case 'replay': {
        const { runReplay } = await import('./replay.js');
        return await runReplay(rest);
      }
      case 'dlq': {
        const { runDlq } = await import('./dlq.js');
        return await runDlq(rest);
      }
      case 'tail':
        return await (await import('./tail.js')).runTail(rest);
      case 'doctor':
        return (await import('./doctor.js')).runDoctor(rest);
      case 'backends': {
        const { runBackends } = await import('./backends.js');
        return await runBackends(rest);
      }
      case '--version':
      case '-V':
        process.stdout.write(`kernelbus ${packageVersion()}\n`);
        return 0;
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      case undefined:
        console.error(USAGE);
        return 2;
      default: {
        const guess = nearest(command.replace(/^-+/, ''), command.startsWith('-') ? ['help', 'version'] : COMMANDS);
        const what = command.startsWith('-') ? 'option' : 'command';
        const hint = guess ? ` (did you mean ${command.startsWith('-') ? '--' : ''}${guess}?)` : '';
        console.error(`kernelbus: unknown ${what} '${command}'${hint}\n\n${USAGE}`);
        return 2;
      }
    }
  } catch (error) {
    if (error instanceof KernelbusError) {
      // One line (one console.error) per error; a usage error adds where the usage is.
      const hint =
        error instanceof UsageError
          ? `\n${command === 'vpin' ? (await import('./vpin.js')).VPIN_USAGE : `Run 'kernelbus ${command} --help' for its options.`}`
          : '';
      console.error(`kernelbus ${command}: ${error.message}${hint}`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      // a --port, --metrics-port or --dashboard port another process holds
      const { address, port } = error as { address?: string; port?: number };
      console.error(`kernelbus ${command}: ${address}:${port} is in use (port 0 picks a free one)`);
      return 1;
    }
    if (code === 'ENOENT') {
      console.error(`kernelbus ${command}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}
