/**
 * The indicators family (issue 51). One random-walk series of 10^6 bars per indicator on the
 * reference, native, native on one thread and native into a reused output (options.out, as TA-Lib
 * is timed); with TA-Lib C's driver (scripts/talib-fixtures/generate.sh builds it, `npm run
 * bench:peers` into the peers' folder; TALIB_DRIVER names another), a 'TA-Lib C' row per indicator
 * measured in the same run on the same bars (handed to the driver's `bench` mode in a file: best of 5,
 * output preallocated, no process start), three rounds interleaved with rounds of native into out, and
 * its ratio to native into out. Then a panel of 2,520 x 500 for the core eight: native on one thread and on
 * the default threads, and all eight on the panel in one total (fresh outputs, and into outputs
 * allocated once: what the 13 fresh panels cost). The JavaScript peers of the core eight on the
 * series, in a child process interleaved with rounds of ours (bench/indicators-peers.ts). Last, the size sweep of sma (the
 * least work a bar: where a call's fixed cost weighs most) that sets 'auto''s threshold.
 */
import { peerSpawnSync } from './spawner.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernels, matrix } from '../src/api/index.js';
import { backends } from '../src/api/index.js';
import { INDICATOR_NAMES } from '../src/kernels/indicators/indicators.js';
import { INDICATORS_KERNELS } from '../src/kernels/indicators/indicators-kernels.js';
import { INDICATORS_NATIVE_MIN_VALUES } from '../src/api/auto.js';
import { jsPeerRows } from './indicators-peers.js';
import { autoSweep, backendRows, median, nativeThreads, prng, timeBest, type BenchRow, type BenchSection } from './lib.js';
import { INSTALL_HINT, recordPeers, talibDriver } from './peer-env.js';

type Field = 'high' | 'low' | 'close' | 'volume';

/**
 * A seeded random walk in cents: n bars (rows) of `cols` symbols, high and low around the close, each
 * step e^(vol * (u - 0.5)) (no drift in log). The 10^6-bar series takes vol 0.002 (minute bars): it
 * stays within 0.5x-2.5x of its start. (Its earlier steps, x (1 + 0.02 (u - 0.5)), drift down in log:
 * the series sat at 0.00 for 110,696 of its bars, and TA-Lib's smoothers and ours then ran on subnormal
 * numbers, rsi and adx 3-6x slower on an Intel VM than on AMD, which takes them at full speed.)
 */
function walk(rows: number, cols: number, seed = 51, vol = 0.02): Record<Field, Float64Array> {
  const rnd = prng(seed);
  const fields = { high: new Float64Array(rows * cols), low: new Float64Array(rows * cols), close: new Float64Array(rows * cols) };
  const volume = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    let x = 100;
    for (let t = 0; t < rows; t++) {
      const i = t * cols + c;
      x *= Math.exp(vol * (rnd() - 0.5));
      fields.close[i] = Math.round(x * 100) / 100;
      fields.high[i] = Math.round(fields.close[i] * (1 + 0.01 * rnd()) * 100) / 100;
      fields.low[i] = Math.round(fields.close[i] * (1 - 0.01 * rnd()) * 100) / 100;
      volume[i] = Math.round(1000 + 9000 * rnd());
    }
  }
  return { ...fields, volume };
}

/** The indicator's argument from bars: the closes, or the fields it reads. */
function inputOf(name: keyof typeof INDICATORS_KERNELS, bars: Record<Field, unknown>): unknown {
  const fields = INDICATORS_KERNELS[name].fields;
  return fields.length === 1 ? bars.close : Object.fromEntries(fields.map((f) => [f, bars[f]]));
}

/** TA-Lib C's ms per indicator on `bars` (the same series) from one run of `driver`'s bench mode. */
function talibTimes(driver: string, bars: Record<Field, Float64Array>): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'kernelbus-talib-'));
  try {
    const file = join(dir, 'bars.f64');
    const n = bars.close.length;
    const all = new Float64Array(4 * n);
    (['high', 'low', 'close', 'volume'] as const).forEach((f, k) => all.set(bars[f], k * n));
    writeFileSync(file, all);
    const r = peerSpawnSync(driver, ['bench', String(n), file]);
    if (r.status !== 0) throw new Error(`${driver} bench failed: ${(r.stderr || r.error?.message || '').trim()}`);
    return JSON.parse(r.stdout).ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const TALIB_ROUNDS = 3;

/**
 * TA-Lib C beside native into out, interleaved: each round times ours (`into`, best over 30 ms) and
 * then runs the driver once (best of 5 per indicator); a row per indicator with TA-Lib's median and
 * its ratio to ours, or one row saying why TA-Lib was not measured.
 */
function talibRows(series: Record<Field, Float64Array>, into: Record<string, () => unknown>): BenchRow[] {
  const driver = talibDriver();
  let why = driver ? '' : `peer not measured: TA-Lib C's driver is not built here; ${INSTALL_HINT}`;
  const ours: Record<string, number[]> = Object.fromEntries(Object.keys(into).map((k) => [k, []]));
  const theirs: Record<string, number[]> = {};
  for (let round = 0; round < TALIB_ROUNDS && driver && !why; round++) {
    for (const [name, call] of Object.entries(into)) ours[name].push(timeBest(call, { minMs: 30, minRuns: 3 }));
    try {
      for (const [name, ms] of Object.entries(talibTimes(driver, series))) (theirs[name] ??= []).push(ms);
    } catch (error) {
      why = `peer not measured: TA-Lib C's driver failed: ${String((error as Error).message).split('\n')[0]}`;
    }
  }
  const version = "TA-Lib C 0.6.0-dev (npm talib@2.0.5's sources)";
  recordPeers('indicators', why ? `TA-Lib C: ${why}` : `${version} (scripts/talib-fixtures/driver.c)`);
  if (why) return [{ section: 'indicators', case: 'TA-Lib C, 10^6 bars', subject: 'TA-Lib C', value: Number.NaN, unit: 'ms', note: why }];
  return Object.keys(into)
    .filter((name) => theirs[name] !== undefined)
    .map((name) => {
      const [peer, mine] = [median(theirs[name]), median(ours[name])];
      return {
        section: 'indicators',
        case: `${name} 10^6 bars`,
        subject: 'TA-Lib C',
        value: peer,
        unit: 'ms',
        ratio: peer / mine,
        baseline: 'native, into out (TA-Lib time / native time; target >= 1 for the core eight)',
        note: `${version}, best of 5 a round, output preallocated, in the driver process; median of ${TALIB_ROUNDS} rounds interleaved with ours (native into out ${mine.toPrecision(3)} ms)`,
      };
    });
}

const CORE = ['sma', 'ema', 'rsi', 'macd', 'bbands', 'atr', 'adx', 'stoch'] as const;

/**
 * What memory allows a core panel here, in ms on 1 / 2 threads (native/bench/panel_memory_bench.cpp,
 * AMD EPYC 2 cores, 2026-11-26, ranges of five runs' medians of 21): its panels (10.08 MB each) read
 * and written in the kernels' walk with no arithmetic, into outputs written before. The machine
 * copies 128 MB arrays at 18.5 to 22 GB/s on one thread and 23 to 29 GB/s on two (1.07x to 1.47x);
 * the panels, partly held in the 32 MB L3, do better. In head's round of the A/B (--against b06f17a)
 * with no other job beside it, macd (2.73 ms), bbands (2.12) and atr (2.64) on 2 threads ran at their
 * floor, memory bound there, and sma (0.91) near it: their speed-up is the floor's, not the
 * arithmetic's. A fresh output's new pages, when the allocator takes them from the system, add 0.5
 * to 1.5 ms to a 10 MB panel on 2 MB pages (3.1 to 4.3 ms on 4 KB pages), and a second thread hardly
 * shares that out (that bench's first-touch rows: 1.06x to 1.42x); docs/indicators.md has the rest.
 */
const MEMORY_FLOOR: Record<(typeof CORE)[number], string> = {
  sma: '1.37-1.69 / 0.68-0.73 (1 in, 1 out)',
  ema: '1.37-1.69 / 0.68-0.73 (1 in, 1 out)',
  rsi: '1.37-1.69 / 0.68-0.73 (1 in, 1 out)',
  macd: '4.04-4.91 / 2.01-2.83 (1 in, 3 out)',
  bbands: '4.04-4.91 / 2.01-2.83 (1 in, 3 out)',
  atr: '3.99-4.41 / 2.01-2.57 (3 in, 1 out)',
  adx: '3.99-4.41 / 2.01-2.57 (3 in, 1 out)',
  stoch: '4.81-5.47 / 2.45-3.03 (3 in, 2 out)',
};

export const indicatorsSection: BenchSection = {
  name: 'indicators',
  async run() {
    const rows: BenchRow[] = [];
    if (!backends().some((b) => b.name === 'native' && b.available)) return rows;
    const ref = kernels({ backend: 'reference' });
    const nat = kernels({ backend: 'native' });
    const one = kernels({ backend: 'native', threads: 1 });
    const threads = nativeThreads();
    const series = walk(1_000_000, 1, 51, 0.002);
    const intoCalls: Record<string, () => unknown> = {};
    for (const name of INDICATOR_NAMES) {
      const input = inputOf(name, series);
      const call = (k: typeof ref) => () => (k[name] as (x: unknown) => unknown)(input);
      const caseName = `${name} 10^6 bars`;
      const { rows: measured, nativeMs } = backendRows(
        'indicators',
        caseName,
        { reference: call(ref), native: call(nat), oneThread: call(one), note: 'one series: one thread either way' },
        threads,
      );
      // as TA-Lib is timed: into an output allocated once (options.out, a result filled again)
      const out = (nat[name] as (x: unknown) => unknown)(input);
      intoCalls[name] = () => (nat[name] as (x: unknown, o: object) => unknown)(input, { out });
      const intoMs = timeBest(intoCalls[name], { minMs: 300 });
      rows.push(...measured, {
        section: 'indicators',
        case: caseName,
        subject: 'native, into out',
        value: intoMs,
        unit: 'ms',
        ratio: nativeMs / intoMs,
        baseline: 'native (speed-up of a reused output)',
      });
    }
    rows.push(...talibRows(series, intoCalls));
    rows.push(
      ...jsPeerRows(
        series,
        Object.fromEntries(
          CORE.map((name) => {
            const input = inputOf(name, series);
            return [name, () => timeBest(() => (nat[name] as (x: unknown) => unknown)(input), { minMs: 30, minRuns: 3 })];
          }),
        ),
      ),
    );
    const panel = walk(2520, 500, 7);
    const m = Object.fromEntries(Object.entries(panel).map(([f, data]) => [f, matrix(data, 2520, 500)])) as Record<Field, unknown>;
    const all = (k: typeof ref) => () => {
      for (const name of CORE) (k[name] as (x: unknown) => unknown)(inputOf(name, m));
    };
    for (const name of CORE) {
      const input = inputOf(name, m);
      const call = (k: typeof ref) => () => (k[name] as (x: unknown) => unknown)(input);
      const oneMs = timeBest(call(one), { minMs: 300 });
      const natMs = timeBest(call(nat), { minMs: 300 });
      rows.push(
        { section: 'indicators', case: `${name} panel 2520 x 500`, subject: 'native, 1 thread', value: oneMs, unit: 'ms' },
        {
          section: 'indicators',
          case: `${name} panel 2520 x 500`,
          subject: 'native',
          value: natMs,
          unit: 'ms',
          ratio: oneMs / natMs,
          baseline: `1 thread (speed-up of ${threads} threads; target >= 1.8 with 2)`,
          note: `memory floor ${MEMORY_FLOOR[name]} ms on 1 / 2 threads (MEMORY_FLOOR)`,
        },
      );
    }
    const oneAll = timeBest(all(one), { minMs: 500 });
    const natAll = timeBest(all(nat), { minMs: 500 });
    rows.push(
      { section: 'indicators', case: 'the core eight, panel 2520 x 500', subject: 'native, 1 thread', value: oneAll, unit: 'ms' },
      {
        section: 'indicators',
        case: 'the core eight, panel 2520 x 500',
        subject: 'native',
        value: natAll,
        unit: 'ms',
        ratio: oneAll / natAll,
        baseline: `1 thread (speed-up of ${threads} threads)`,
        note: 'target < 100 ms',
      },
    );
    // the same into outputs allocated once (options.out): the eight without their 13 fresh panels
    // (130 MB; not zeroed, src/kernels/indicators/indicators.ts freshOutput, but new pages where the
    // allocator takes them from the system, and V8's collections of the results dropped)
    const outs = Object.fromEntries(CORE.map((name) => [name, (nat[name] as (x: unknown) => unknown)(inputOf(name, m))]));
    const intoAll = timeBest(
      () => {
        for (const name of CORE) (nat[name] as (x: unknown, o: object) => unknown)(inputOf(name, m), { out: outs[name] });
      },
      { minMs: 500 },
    );
    rows.push({
      section: 'indicators',
      case: 'the core eight, panel 2520 x 500',
      subject: 'native, into out',
      value: intoAll,
      unit: 'ms',
      ratio: natAll / intoAll,
      baseline: 'native (speed-up of reused outputs)',
    });
    rows.push(
      ...autoSweep(
        'indicators',
        'sma (period 5) of one series',
        'bars',
        INDICATORS_NATIVE_MIN_VALUES,
        'INDICATORS_NATIVE_MIN_VALUES',
        (n) => walk(n, 1, 3).close,
        (x) => ref.sma(x, { timePeriod: 5 }),
        (x) => nat.sma(x, { timePeriod: 5 }),
      ),
    );
    return rows;
  },
};
