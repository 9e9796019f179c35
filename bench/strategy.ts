/**
 * Strategies (issue 69): `kernelbus backtest --file <tape> --strategy examples/strategy-ma-cross.mjs` of
 * a 10^7-trade, 100-symbol tape (Parquet, five 6.5-hour days) with the MA-cross strategy on 60 s bars,
 * the whole command as a process (start, file read and statistics included): target >= 2 M trades/s
 * on one core. Beside it, in this process: backtestStrategy() on the tape in memory (the runner alone),
 * and the StrategyEngine on the in-process bus fed batches of one symbol (the merge included).
 * And live (./strategy-live.ts): `kernelbus engine strategy` over a redis-server fed by `kernelbus feed
 * --file` of the engine's tape at 200,000 trades/s: whether it keeps up, and the p99 order latency (bar
 * close to STRATEGY_SIGNAL published), target <= 2 ms. And what that input costs the engine in CPU, a
 * frame and a trade, from the feed's entries recorded and consumed again (./strategy-catchup.ts).
 * Sizes: KERNELBUS_BENCH_STRATEGY_ROWS (default 10^7), KERNELBUS_BENCH_STRATEGY_ENGINE_ROWS (default 2 x 10^6).
 */
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { createBus } from '../src/bus/index.js';
import { StrategyEngine } from '../src/engines/index.js';
import { type Table, writeTable } from '../src/io/index.js';
import { RecentFrames, type TradeKeyFrames } from '../src/engines/recent-frames.js';
import { StrategyState } from '../src/engines/strategy-state.js';
import { DEFAULT_HISTORY } from '../src/strategy/define.js';
import { TradeMerge } from '../src/strategy/merge.js';
import { backtestStrategy, loadStrategy, StrategyRunner, type Strategy, type Tape as StrategyTape } from '../src/strategy/index.js';
import { ensureDist, ROOT, runCli } from './io-child.js';
import { countLabel, writeOnce } from './io-data.js';
import { type BenchRow, type BenchSection, tape } from './lib.js';
import { catchUpRows } from './strategy-catchup.js';
import { type FloorReader, floorRows } from './strategy-floor.js';
import { engineCommand, LIVE_RATE, liveRows, mergeWaitRow } from './strategy-live.js';

const SECTION = 'strategy';
const ROWS = Number(process.env.KERNELBUS_BENCH_STRATEGY_ROWS ?? 10_000_000);
const ENGINE_ROWS = Number(process.env.KERNELBUS_BENCH_STRATEGY_ENGINE_ROWS ?? 2_000_000);
const SYMBOLS = 100;
const T0 = Date.UTC(2026, 0, 5, 14, 30);
const SPAN_MS = 5 * 23_400_000;
const STRATEGY = join(ROOT, 'examples/strategy-ma-cross.mjs');

/** The tape of `n` trades of SYMBOLS symbols over SPAN_MS (bench/lib.ts's walk). */
function strategyTape(n: number): StrategyTape {
  const t = tape(n, 69, SYMBOLS);
  return {
    ts: Float64Array.from({ length: n }, (_, i) => T0 + Math.floor((i * SPAN_MS) / n)),
    price: t.price,
    volume: t.volume,
    symbols: { codes: Int32Array.from(t.symbol), values: Array.from({ length: SYMBOLS }, (_, i) => `S${i}`) },
  };
}

function tableOf(t: StrategyTape): Table {
  return {
    rows: t.ts.length,
    names: ['ts', 'symbol', 'price', 'volume'],
    columns: { ts: t.ts, symbol: { codes: t.symbols!.codes, values: [...t.symbols!.values] }, price: t.price, volume: t.volume },
    types: { ts: 'time', symbol: 'text', price: 'number', volume: 'number' },
  };
}

async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const label = `${countLabel(ROWS)} trades x ${SYMBOLS} symbols, MA cross on 60 s bars`;
  const t = strategyTape(ROWS);
  const file = await writeOnce(`strategy-tape-${countLabel(ROWS)}.parquet`, (path) => writeTable(path, tableOf(t)));
  ensureDist();
  const cli = runCli(['backtest', '--file', file, '--strategy', STRATEGY, '--init-cash', '1000000', '--fees', '0.0005', '--json'], 3);
  const doc = JSON.parse(cli.stdout) as { fills: unknown[]; metrics: { bars: number } };
  rows.push({
    section: SECTION,
    case: `backtest --file --strategy, ${label}`,
    subject: 'kernelbus (whole command)',
    value: (ROWS * 1000) / cli.ms,
    unit: 'trades/s',
    note: `target >= 2 M trades/s; ${(cli.ms / 1000).toFixed(2)} s, ${doc.metrics.bars} bars, ${doc.fills.length} fills, peak RSS ${(cli.maxRss / 2 ** 20).toFixed(0)} MB`,
  });

  const { strategy } = await loadStrategy(STRATEGY);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    backtestStrategy(t, strategy, { initCash: 1_000_000, fees: 0.0005 });
    best = Math.min(best, performance.now() - t0);
  }
  rows.push({
    section: SECTION,
    case: `backtest --file --strategy, ${label}`,
    subject: 'backtestStrategy (in memory)',
    value: (ROWS * 1000) / best,
    unit: 'trades/s',
    note: 'the runner alone: no start, no read',
  });

  // the engine: batches of up to 64 trades of one symbol, in tape order per symbol
  const e = strategyTape(ENGINE_ROWS);
  const bus = createBus();
  const engine = new StrategyEngine(bus, { strategies: strategy, initCash: 1_000_000, fees: 0.0005, heartbeatMs: 0 }).start();
  await engine.ready();
  const codes = e.symbols!.codes;
  const t0 = performance.now();
  for (let i = 0; i < ENGINE_ROWS; ) {
    const k = codes[i];
    let j = i + 1;
    while (j < ENGINE_ROWS && j - i < 64 && codes[j] === k) j++;
    const ok = bus.publishSync('TRADE_EXECUTION', {
      key: e.symbols!.values[k],
      ts: e.ts.subarray(i, j),
      price: e.price.subarray(i, j),
      volume: e.volume.subarray(i, j),
    });
    if (!ok) await bus.room();
    i = j;
  }
  await engine.close();
  const ms = performance.now() - t0;
  await bus.close();
  rows.push({
    section: SECTION,
    case: `StrategyEngine on the memory bus, ${countLabel(ENGINE_ROWS)} trades x ${SYMBOLS} symbols`,
    subject: 'in process',
    value: (ENGINE_ROWS * 1000) / ms,
    unit: 'trades/s',
    note: 'publish to the last fill, the merge included',
  });

  // a checkpoint of the run (what the engine writes each checkpointMs): its size, to take and to restore,
  // for the strategy with the default history (the example declares the 2 bars it reads: a small ring)
  const heavy: Strategy<object> = { ...strategy, history: DEFAULT_HISTORY };
  const whole = new StrategyRunner(heavy, { initCash: 1_000_000, fees: 0.0005 });
  const at = e.symbols!.values.map((s) => whole.symbolIndex(s));
  for (let i = 0; i < ENGINE_ROWS; i++) whole.trade(at[codes[i]], e.ts[i], e.price[i], e.volume[i]);
  let take = Number.POSITIVE_INFINITY;
  let put = Number.POSITIVE_INFINITY;
  let bytes = whole.snapshot();
  for (let r = 0; r < 5; r++) {
    const t1 = performance.now();
    bytes = whole.snapshot();
    take = Math.min(take, performance.now() - t1);
    const fresh = new StrategyRunner(heavy, { initCash: 1_000_000, fees: 0.0005 });
    const t2 = performance.now();
    fresh.restore(bytes);
    put = Math.min(put, performance.now() - t2);
  }
  rows.push({
    section: SECTION,
    case: `a checkpoint of the run after ${countLabel(ENGINE_ROWS)} trades x ${SYMBOLS} symbols`,
    subject: 'StrategyRunner.snapshot()',
    value: take,
    unit: 'ms',
    note: `${(bytes.byteLength / 2 ** 20).toFixed(2)} MB (history ${DEFAULT_HISTORY}); restore() ${put.toFixed(1)} ms; best of 5`,
  });

  rows.push(...(await checkpointRows(heavy, e)));

  // live over Redis: the engine as a process fed by `kernelbus feed --file` at 200,000 trades/s
  const liveFile = await writeOnce(`strategy-tape-${countLabel(ENGINE_ROWS)}.parquet`, (path) => writeTable(path, tableOf(e)));
  const liveLabel = `${countLabel(ENGINE_ROWS)} trades x ${SYMBOLS} symbols`;
  const universe = ['--symbols', e.symbols!.values.join(',')];
  // [label, the engine's extra flags, the feed's, the rate, the processes' environment]: as it comes; the
  // universe given (--symbols: the merge waits for those from the start, no hold); that at a quarter of
  // the rate (where the feed, Redis and the engine leave the cores room); without the feed's watermarks
  // (each closing trade waits for every symbol's next one); without its packed entries (an entry per
  // symbol and flush); without checkpoints (what they cost); with one V8 worker thread per process
  // (Node's default is 4: on 2 cores shared by three processes they take the cores at the start); with
  // the feed at the engine's priority (`--nice 0`; by default it yields the cores: src/cli/priority.ts);
  // with the feed's trades held 3 ms a flush (`--linger-ms 3`: fewer, larger frames, each trade later);
  // with the feed publishing at every turn of its loop (`--tick-ms 0`, before issue 93's tick); with the
  // engine's warm-up in memory (`--warmup-bus memory`: the reading path cold); with V8's own heap growth
  // in the engine and the feed (`--heap-growth 0`: a full collection about once a second in each); with
  // the engine and the feed on the server's Unix socket (`--redis unix:///path`, not TCP to 127.0.0.1)
  const pool = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --v8-pool-size=1`.trim() };
  // (the universe given at the full rate, the row the docs quote: the median of 3 runs)
  const runs: [string, string[], string[], number, Record<string, string>?, number?, boolean?][] = [
    [liveLabel, [], [], LIVE_RATE],
    [`${liveLabel}, --symbols given`, universe, [], LIVE_RATE, {}, 3],
    [`${liveLabel}, --symbols given`, universe, [], LIVE_RATE / 4],
    [`${liveLabel}, --symbols given, feed --no-watermarks`, universe, ['--no-watermarks'], LIVE_RATE],
    [`${liveLabel}, --symbols given, feed --no-pack`, universe, ['--no-pack'], LIVE_RATE],
    [`${liveLabel}, --symbols given, --checkpoint-ms 0`, [...universe, '--checkpoint-ms', '0'], [], LIVE_RATE],
    [`${liveLabel}, --symbols given, NODE_OPTIONS=--v8-pool-size=1`, universe, [], LIVE_RATE, pool],
    [`${liveLabel}, --symbols given, feed --nice 0`, universe, ['--nice', '0'], LIVE_RATE],
    [`${liveLabel}, --symbols given, feed --linger-ms 3`, universe, ['--linger-ms', '3'], LIVE_RATE],
    [`${liveLabel}, --symbols given, feed --tick-ms 0`, universe, ['--tick-ms', '0'], LIVE_RATE],
    [`${liveLabel}, --symbols given, --warmup-bus memory`, [...universe, '--warmup-bus', 'memory'], [], LIVE_RATE],
    [
      `${liveLabel}, --symbols given, --heap-growth 0 (engine and feed)`,
      [...universe, '--heap-growth', '0'],
      ['--heap-growth', '0'],
      LIVE_RATE,
    ],
    [`${liveLabel}, --symbols given, --redis unix:///path`, universe, [], LIVE_RATE, {}, 1, true],
  ];
  for (const [label, engineArgs, feedArgs, rate, env, repeats, socket] of runs) {
    const run = { section: SECTION, file: liveFile, rows: ENGINE_ROWS, spanMs: SPAN_MS, strategy: STRATEGY, label };
    rows.push(...(await liveRows({ ...run, engineArgs, feedArgs, rate, env, socket }, repeats)));
  }
  // the bus's own delivery of the same feed, at both rates, and at 50,000 with the engine beside it;
  // at 50,000 also read with ioredis alone: what the bus's reading adds to what Redis gives a Node process
  const floorRuns: [number, string[]?, FloorReader?][] = [
    [LIVE_RATE],
    [LIVE_RATE / 4],
    [LIVE_RATE / 4, engineCommand(STRATEGY, universe)],
    [LIVE_RATE / 4, undefined, 'ioredis'],
  ];
  rows.push(...(await floorRows(SECTION, liveFile, ENGINE_ROWS, SPAN_MS, liveLabel, floorRuns)));
  rows.push(mergeWaitRow(SECTION, e, 60_000, SPAN_MS, liveLabel));
  // what the input costs the engine, per frame and per trade, apart from the scheduling of a live run
  rows.push(...(await catchUpRows(SECTION, liveFile, ENGINE_ROWS, SPAN_MS, STRATEGY, e.symbols!.values, liveLabel)));
  return rows;
}

/** Trades between two checkpoints: 1 s of the tape at its own pace, about a bar of every symbol, 1 s of the live feed (200,000/s). */
const CHECKPOINT_WINDOWS = [
  { trades: 17, label: '17 trades (1 s of the tape at its pace)' },
  { trades: 1_000, label: '1,000 trades (about a bar of every symbol)' },
  { trades: 200_000, label: '200,000 trades (1 s of the live feed)' },
];

/**
 * The engine's checkpoint (its whole state: what it wrote at every checkpoint before issue 69's deltas,
 * StrategyState.snapshot()) against its incremental one (StrategyState.delta(): the symbols touched
 * since the last checkpoint and the shared part), each taken after the same trades, on a run of
 * SYMBOLS symbols whose bars' history is full (the bench passes the default history of 256 bars, not the
 * example's 2): bytes and ms per checkpoint. The Redis write is not
 * included (one MULTI either way).
 */
export async function checkpointRows(strategy: Strategy<object>, e: StrategyTape): Promise<BenchRow[]> {
  const n = e.ts.length;
  const codes = e.symbols!.codes;
  const names = e.symbols!.values;
  const runner = new StrategyRunner(strategy, { initCash: 1_000_000, fees: 0.0005 });
  const symbols = new Map<string, TradeKeyFrames>();
  const newSymbol = (): TradeKeyFrames => ({ lastTs: -Infinity, lastSentAt: -Infinity, recent: new RecentFrames() });
  const state = new StrategyState({
    runners: [runner],
    merge: new TradeMerge(1000),
    symbols,
    newSymbol,
    freshRunner: () => new StrategyRunner(strategy, { initCash: 1_000_000, fees: 0.0005 }),
    freshMerge: () => new TradeMerge(1000),
  });
  const at = names.map((s) => runner.symbolIndex(s));
  const reps = 3;
  // each window fed twice a round: before the delta and the whole, then before the capture
  let i = n - 2 * reps * CHECKPOINT_WINDOWS.reduce((sum, w) => sum + w.trades, 0);
  if (i < n / 3) return [];
  const feed = (to: number) => {
    for (; i < to; i++) {
      const s = names[codes[i]];
      runner.trade(at[codes[i]], e.ts[i], e.price[i], e.volume[i]);
      let frame = symbols.get(s);
      if (!frame) symbols.set(s, (frame = newSymbol()));
      frame.lastTs = e.ts[i];
      frame.lastSentAt = e.ts[i];
      state.push(s);
    }
  };
  // the capture's code warm, as in an engine that has taken a few (one a second)
  const start = i;
  for (let r = 3; r > 0; r--) {
    feed(start - r * 20_000);
    await captureHold(state);
  }
  feed(start);
  state.snapshot();
  const kb = (b: number) => `${b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(2)} MB` : `${(b / 1024).toFixed(1)} kB`}`;
  const sync = CHECKPOINT_WINDOWS.map((w) => {
    const best = { whole: Number.POSITIVE_INFINITY, delta: Number.POSITIVE_INFINITY };
    const bytes = { whole: 0, delta: 0 };
    for (let r = 0; r < reps; r++) {
      feed(i + w.trades);
      const t0 = performance.now();
      const d = state.delta();
      const t1 = performance.now();
      const whole = state.snapshot();
      const t2 = performance.now();
      best.delta = Math.min(best.delta, t1 - t0);
      best.whole = Math.min(best.whole, t2 - t1);
      bytes.delta += d.byteLength / reps;
      bytes.whole += whole.byteLength / reps;
    }
    return { best, bytes };
  });
  // the engine's way, after the same windows of the tape further on
  const held: Hold[][] = [];
  for (const w of CHECKPOINT_WINDOWS) {
    const times: Hold[] = [];
    for (let r = 0; r < reps; r++) {
      feed(i + w.trades);
      times.push(await captureHold(state));
    }
    held.push(times.sort((a, b) => a.longest - b.longest));
  }
  const rows: BenchRow[] = [];
  CHECKPOINT_WINDOWS.forEach((w, k) => {
    const { best, bytes } = sync[k];
    const worst = held[k][reps - 1];
    const mid = held[k][Math.floor(reps / 2)];
    const case_ = `StrategyEngine checkpoint, ${SYMBOLS} symbols, after ${w.label}`;
    rows.push(
      {
        section: SECTION,
        case: case_,
        subject: 'whole (before issue 69)',
        value: best.whole,
        unit: 'ms',
        note: `${kb(bytes.whole)} a checkpoint; best of ${reps}`,
      },
      {
        section: SECTION,
        case: case_,
        subject: 'incremental (delta)',
        value: best.delta,
        unit: 'ms',
        note: `${kb(bytes.delta)} a checkpoint (${((100 * bytes.delta) / bytes.whole).toFixed(1)}% of the whole); best of ${reps}`,
      },
      {
        section: SECTION,
        case: case_,
        subject: 'incremental, taken in parts (the engine: capture())',
        value: worst.longest,
        unit: 'ms',
        note:
          `the longest the loop was held at a time, the worst of ${reps} (target <= 0.5 ms), of which the collector ${worst.gc.toFixed(2)} ms; ` +
          `their median ${mid.longest.toFixed(2)} ms (collector ${mid.gc.toFixed(2)} ms), over ${mid.turns} turns, ${mid.total.toFixed(1)} ms from start to bytes`,
      },
      {
        section: SECTION,
        case: case_,
        subject: "capture(), its own work's longest hold",
        value: Math.max(...held[k].map((h) => h.own)),
        unit: 'ms',
        note:
          `a turn less the collector's pauses in it, the worst of ${reps} (target <= 0.5 ms): the pauses are V8's young-generation ` +
          "scavenge, a task that runs at the loop's next turn once the feed's allocations fill the space",
      },
    );
  });
  return rows;
}

/**
 * A capture's longest hold of the loop, the collector's pauses within it, the longest hold of its own
 * (a turn less the collector's pauses in it: V8's scavenge task runs at whichever turn comes next, and
 * the feed's allocations fill the young generation), its turns and its time to the bytes (ms).
 */
type Hold = { longest: number; gc: number; own: number; turns: number; total: number };

/**
 * StrategyState.capture('delta') as the engine takes it, timed by a turn of the event loop of its own:
 * the longest time between two of its turns (the capture's longest hold of the loop, the first part,
 * taken when it is called, included), the turns, and the time to the bytes.
 */
async function captureHold(state: StrategyState): Promise<Hold> {
  const pauses: [number, number][] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([e.startTime, e.startTime + e.duration]);
  });
  observer.observe({ entryTypes: ['gc'] });
  let done = false;
  const t0 = performance.now();
  const bytes = state.capture('delta', 8).then(() => {
    done = true;
  });
  const turns: [number, number][] = [[t0, performance.now()]];
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    turns.push([turns[turns.length - 1][1], performance.now()]);
  }
  await bytes;
  const total = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 5)); // the collector's entries delivered
  observer.disconnect();
  const gcIn = ([t, u]: [number, number]) => pauses.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, u) - Math.max(a, t)), 0);
  const longest = turns.reduce((w, turn) => (turn[1] - turn[0] > w[1] - w[0] ? turn : w));
  const own = Math.max(...turns.map((turn) => turn[1] - turn[0] - gcIn(turn)));
  return { longest: longest[1] - longest[0], gc: gcIn(longest), own, turns: turns.length - 1, total };
}

export const strategySection: BenchSection = { name: SECTION, run };
