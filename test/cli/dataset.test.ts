/**
 * `kernelbus dataset <tape>`: the rows the kernels give each symbol (bars, CUSUM events, triple-barrier
 * or trend labels, features at the event's bar, weights and purged folds), written as Parquet, Arrow
 * and CSV alike; the flags' faults named as flags.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kernels } from '../../src/api/index.js';
import { runDataset } from '../../src/cli/dataset.js';
import { foldTies } from '../../src/cli/dataset-rows.js';
import { main } from '../../src/cli/main.js';
import { KernelInputError } from '../../src/errors.js';
import { readTable } from '../../src/io/index.js';
import { readTrades, splitBySymbol } from '../../src/io/trades.js';
import { isText } from '../../src/io/types.js';
import type { Bars } from '../../src/kernels/features/features.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-dataset-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tape = join(import.meta.dirname, '..', '..', 'examples', 'tape.csv');
const ref = kernels({ backend: 'reference' });

const ARGS = ['--bars', 'tick:10', '--events', 'cusum:0.002', '--vertical', '1h', '--indicators', 'rsi', '--fracdiff', 'close:0.4:1e-3'];

describe('kernelbus dataset', () => {
  it('writes each symbol the rows its kernels give, as parquet, arrow and csv alike', async () => {
    const read = await readTrades(tape);
    const groups = splitBySymbol(read.trades, read.symbols!);
    for (const ext of ['parquet', 'arrow', 'csv']) {
      const out = join(dir, `ds.${ext}`);
      const lines: string[] = [];
      const argv = [tape, ...ARGS, '--weights', 'uniqueness', '--folds', 'purged:3:0.01', '--out', out];
      expect(await runDataset(argv, (l) => lines.push(l))).toBe(0);
      const table = await readTable(out);
      expect(table.names).toEqual([
        'symbol',
        'ts',
        'open',
        'high',
        'low',
        'close',
        'volume',
        'buyVolume',
        'ticks',
        'dollarValue',
        'rsi',
        'fracdiff_close',
        't1',
        'label',
        'ret',
        'target',
        'barrier',
        'weight',
        'fold',
        'trainIn',
      ]);
      const symbol = table.columns.symbol;
      if (!isText(symbol)) throw new Error('symbol is not text');
      const col = (name: string) => table.columns[name] as Float64Array;
      let row = 0;
      for (const g of groups) {
        const bars = ref.bars(g.trades, { by: 'tick', threshold: 10 });
        const series = { ts: bars.ts, close: bars.close };
        const t0 = ref.cusumFilter(series, { threshold: 0.002 });
        const target = ref.dailyVolatility(series);
        const want = ref.tripleBarrier(series, { t0, target, ptSl: [1, 1], t1: ref.verticalBarriers(series, t0, { ms: 3_600_000 }) });
        const weight = ref.averageUniqueness(series, { t0: want.t0, t1: want.t1 });
        const rsi = ref.rsi(bars.close);
        const folds = ref.purgedKFold({ t0: want.t0, t1: want.t1 }, { splits: 3, embargo: 0.01 });
        expect(want.t0.length).toBeGreaterThan(5);
        for (let i = 0; i < want.t0.length; i++, row++) {
          const at = bars.ts.indexOf(want.t0[i]);
          expect(symbol.values[symbol.codes[row]]).toBe(g.symbol);
          expect(col('ts')[row]).toBe(want.t0[i]);
          expect(col('t1')[row]).toBe(want.t1[i]);
          expect(col('label')[row]).toBe(want.label[i]);
          expect(col('close')[row]).toBe(bars.close[at]);
          expect(col('rsi')[row]).toBe(rsi[at]);
          expect(col('weight')[row]).toBeCloseTo(weight[i], 12);
          const fold = folds.findIndex((f) => f.test.includes(i));
          expect(col('fold')[row]).toBe(fold);
          const trainIn = folds.reduce((m, f, k) => m + (f.train.includes(i) ? 2 ** k : 0), 0);
          expect(col('trainIn')[row]).toBe(trainIn);
        }
      }
      expect(row).toBe(table.rows);
      expect(lines[0]).toBe(`5200 trades, ${table.rows} rows of 19 columns (triple-barrier labels)`);
    }
  });

  it('labels by trend scanning, with the estimators and VPIN as features, and says so in --json', async () => {
    const lines: string[] = [];
    const argv = [
      tape,
      '--bars',
      'dollar:2e5',
      '--label',
      'trend',
      '--estimators',
      'roll,corwin-schultz',
      '--vpin',
      '20000',
      '--symbols',
      'AAPL,JPM',
      '--json',
    ];
    expect(await runDataset(argv, (l) => lines.push(l))).toBe(0);
    const summary = JSON.parse(lines.join('\n'));
    expect(summary.symbols.map((s: { symbol: string }) => s.symbol)).toEqual(['AAPL', 'JPM']);
    expect(summary.columns).toEqual([
      'ts',
      'open',
      'high',
      'low',
      'close',
      'volume',
      'buyVolume',
      'ticks',
      'dollarValue',
      'roll',
      'cs_spread',
      'cs_sigma',
      'vpin',
      't1',
      'label',
      'ret',
      'tValue',
    ]);
    // every bar is an event; trend scanning keeps those with lookForward (20) bars left
    for (const s of summary.symbols) expect(s.rows).toBe(Math.max(0, s.bars - 19));
    const labels = Object.keys(summary.labels).sort();
    expect(labels.every((l) => ['-1', '0', '1'].includes(l))).toBe(true);
  });

  it('is a command of kernelbus, with its help', async () => {
    const log = console.log;
    const lines: string[] = [];
    console.log = (l: string) => lines.push(l);
    try {
      expect(await main(['dataset', '--help'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toContain('Usage: kernelbus dataset');
  });

  it('folds bars closing in the same millisecond into one (the labels need one price per time)', () => {
    const ts = Float64Array.of(1, 2, 2, 3);
    const b = (x: number[]) => Float64Array.from(x);
    const bars = {
      ts,
      tickNum: b([1, 2, 3, 4]),
      open: b([10, 11, 12, 13]),
      high: b([10, 15, 14, 13]),
      low: b([9, 11, 8, 13]),
      close: b([10, 12, 13, 13]),
      volume: b([1, 2, 3, 4]),
      buyVolume: b([1, 1, 1, 1]),
      ticks: b([1, 1, 1, 1]),
      dollarValue: b([10, 20, 30, 40]),
    } satisfies Bars;
    const f = foldTies(bars);
    expect(Array.from(f.ts)).toEqual([1, 2, 3]);
    expect([f.open[1], f.high[1], f.low[1], f.close[1], f.volume[1], f.ticks[1], f.tickNum[1]]).toEqual([11, 15, 8, 13, 5, 2, 3]);
  });

  it('names the flag of a bad option, before reading the tape', async () => {
    const fails = async (argv: string[], flag: string) => {
      const error = await runDataset(['missing.csv', ...argv], () => {}).catch((e) => e);
      expect(error).toBeInstanceOf(KernelInputError);
      expect((error as KernelInputError).argument).toBe(flag);
    };
    await fails([], '--bars');
    await fails(['--bars', 'ticks:10'], '--bars');
    await fails(['--bars', 'time:soon'], '--bars');
    await fails(['--bars', 'tick:0'], '--bars (threshold)');
    await fails(['--bars', 'tick:10', '--label', 'meta'], '--label');
    await fails(['--bars', 'tick:10', '--events', 'cusum:0'], '--events (threshold)');
    await fails(['--bars', 'tick:10', '--pt=-1'], '--pt/--sl (ptSl[0])');
    await fails(['--bars', 'tick:10', '--pt', '0'], '--pt/--sl (ptSl)');
    await fails(['--bars', 'tick:10', '--vertical=-1h'], '--vertical');
    await fails(['--bars', 'tick:10', '--weights', 'equal'], '--weights');
    await fails(['--bars', 'tick:10', '--folds', 'kfold:3'], '--folds');
    await fails(['--bars', 'tick:10', '--folds', 'purged:1'], '--folds (splits)');
    await fails(['--bars', 'tick:10', '--fracdiff', 'close:-1'], '--fracdiff (d)');
    await fails(['--bars', 'tick:10', '--estimators', 'vwap'], '--estimators');
    await fails(['--bars', 'tick:10', '--indicators', 'rsi(timePeriod=1)'], '--indicators rsi (timePeriod)');
  });
});
