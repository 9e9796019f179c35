/** `kernelbus bars <tape>`: the bars the kernels compute per symbol, written in every format the io layer writes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBars } from '../../src/cli/bars.js';
import { main } from '../../src/cli/main.js';
import { kernels } from '../../src/api/index.js';
import { BAR_COLUMNS } from '../../src/kernels/features/features.js';
import { readTable } from '../../src/io/index.js';
import { readTrades, splitBySymbol } from '../../src/io/trades.js';
import { isText } from '../../src/io/types.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-bars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tape = join(import.meta.dirname, '..', '..', 'examples', 'tape.csv');
const ref = kernels({ backend: 'reference' });

describe('kernelbus bars', () => {
  it('writes each symbol the bars the kernels give it, as csv, parquet and arrow alike', async () => {
    const read = await readTrades(tape);
    const groups = splitBySymbol(read.trades, read.symbols!);
    const options = { by: 'dollar', threshold: 1e6 } as const;
    for (const ext of ['csv', 'parquet', 'arrow']) {
      const out = join(dir, `bars.${ext}`);
      const lines: string[] = [];
      expect(await runBars([tape, '--by', 'dollar', '--threshold', '1e6', '--out', out], (l) => lines.push(l))).toBe(0);
      expect(lines[0]).toBe('5200 trades, bars({"by":"dollar","threshold":1000000})');
      const table = await readTable(out);
      expect(table.names).toEqual(['symbol', ...BAR_COLUMNS]);
      const symbol = table.columns.symbol;
      if (!isText(symbol)) throw new Error('symbol is not text');
      let row = 0;
      for (const g of groups) {
        const want = ref.bars(g.trades, options);
        expect(want.ts.length).toBeGreaterThan(10);
        for (let i = 0; i < want.ts.length; i++, row++) {
          expect(symbol.values[symbol.codes[row]]).toBe(g.symbol);
          for (const c of BAR_COLUMNS)
            expect(table.columns[c] as Float64Array, `${ext} ${g.symbol} ${c}[${i}]`).toHaveProperty([row], want[c][i]);
        }
      }
      expect(row).toBe(table.rows);
    }
  });

  it('builds imbalance and run bars from their flags, for the symbols asked, and says so in --json', async () => {
    const lines: string[] = [];
    const argv = [
      tape,
      '--by',
      'tick',
      '--type',
      'run',
      '--exp-ticks-init',
      '40',
      '--imbalance-window',
      '100',
      '--symbols',
      'AAPL,JPM',
      '--json',
    ];
    expect(await runBars(argv, (l) => lines.push(l))).toBe(0);
    const json = JSON.parse(lines.join('\n'));
    const read = await readTrades(tape);
    const groups = splitBySymbol(read.trades, read.symbols!, { symbols: ['AAPL', 'JPM'] });
    const options = { by: 'tick', expNumTicksInit: 40, expectedImbalanceWindow: 100 } as const;
    expect(json.kernel).toBe('runBars');
    expect(json.symbols).toEqual(
      groups.map((g) => ({ symbol: g.symbol, trades: g.trades.ts.length, bars: ref.runBars(g.trades, options).ts.length })),
    );
    expect(json.symbols.some((s: { bars: number }) => s.bars > 0)).toBe(true);
  });

  it('refuses bad flags by name, before reading the file (exit 2)', async () => {
    const err: string[] = [];
    const run = async (...args: string[]) => {
      const original = console.error;
      console.error = (l: string) => err.push(l);
      try {
        return await main(['bars', ...args]);
      } finally {
        console.error = original;
      }
    };
    expect(await run(tape, '--by', 'tick')).toBe(2);
    expect(err.at(-1)).toBe('kernelbus bars: --threshold: expected a number > 0 for standard bars, got none');
    expect(await run('missing.csv', '--by', 'tick', '--type', 'run', '--num-prev-bars', '0')).toBe(2);
    expect(err.at(-1)).toBe('kernelbus bars: --num-prev-bars: expected an integer >= 1, got 0');
    expect(await run('missing.csv', '--by', 'weekly', '--threshold', '3')).toBe(2);
    expect(err.at(-1)).toMatch(/^kernelbus bars: --by: expected /);
    expect(await run(tape, '--by', 'tick', '--threshold', '5', '--kind', 'ema')).toBe(2);
    expect(err.at(-1)).toBe('kernelbus bars: --kind: expected with --type imbalance or run, got standard bars');
    expect(await run(tape, '--by', 'tick', '--type', 'imbalance', '--threshold', '5')).toBe(2);
    expect(await run(tape, '--by', 'time', '--type', 'hourly')).toBe(2);
    expect(err.at(-1)).toBe('kernelbus bars: --type: expected standard, imbalance or run, got "hourly"');
  });
});
