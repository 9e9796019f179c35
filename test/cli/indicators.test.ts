/** `kernelbus indicators <bars>`: TA-Lib's indicators per symbol, as the series calls give them, in every format. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBars } from '../../src/cli/bars.js';
import { parseIndicators, runIndicators } from '../../src/cli/indicators.js';
import { main } from '../../src/cli/main.js';
import { kernels } from '../../src/api/index.js';
import { readTable } from '../../src/io/index.js';
import { isText } from '../../src/io/types.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-ind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tape = join(import.meta.dirname, '..', '..', 'examples', 'tape.csv');
const ref = kernels({ backend: 'reference' });
const quiet = () => {};

describe('kernelbus indicators', () => {
  it("writes each symbol's indicators equal to the series calls, as csv, parquet and arrow", async () => {
    const bars = join(dir, 'bars.parquet');
    expect(await runBars([tape, '--by', 'tick', '--threshold', '10', '--out', bars], quiet)).toBe(0);
    const input = await readTable(bars);
    const sym = input.columns.symbol;
    if (!isText(sym)) throw new Error('no symbol column');
    const list = 'rsi,macd(fastPeriod=5;slowPeriod=12;signalPeriod=4),atr(timePeriod=7),obv';
    for (const ext of ['csv', 'parquet', 'arrow']) {
      const out = join(dir, `ind.${ext}`);
      expect(await runIndicators([bars, '--ind', list, '--out', out], quiet)).toBe(0);
      const t = await readTable(out);
      expect(t.names).toEqual(['symbol', 'ts', 'rsi', 'macd_5_12_4', 'macd_5_12_4_signal', 'macd_5_12_4_hist', 'atr_7', 'obv']);
      const outSym = t.columns.symbol;
      if (!isText(outSym)) throw new Error('no symbol column out');
      let row = 0;
      for (const symbol of sym.values) {
        const rows = Array.from(sym.codes.keys()).filter((i) => sym.values[sym.codes[i]] === symbol);
        const col = (name: string) => Float64Array.from(rows, (i) => (input.columns[name] as Float64Array)[i]);
        const s = { high: col('high'), low: col('low'), close: col('close'), volume: col('volume') };
        const macd = ref.macd(s.close, { fastPeriod: 5, slowPeriod: 12, signalPeriod: 4 });
        const want: Record<string, Float64Array> = {
          ts: col('ts'),
          rsi: ref.rsi(s.close),
          macd_5_12_4: macd.macd,
          macd_5_12_4_signal: macd.signal,
          macd_5_12_4_hist: macd.hist,
          atr_7: ref.atr(s, { timePeriod: 7 }),
          obv: ref.obv(s),
        };
        expect(Number.isFinite(want.rsi[rows.length - 1])).toBe(true);
        for (const [name, w] of Object.entries(want)) {
          const got = (t.columns[name] as Float64Array).subarray(row, row + rows.length);
          expect(Array.from(got), `${ext} ${symbol} ${name}`).toEqual(Array.from(w));
        }
        for (let i = 0; i < rows.length; i++) expect(outSym.values[outSym.codes[row + i]]).toBe(symbol);
        row += rows.length;
      }
      expect(row).toBe(t.rows);
    }
  });

  it('reads a file of one symbol without a symbol column, and says the last values in --json', async () => {
    const path = join(dir, 'one.csv');
    const close = Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i / 3) * 4 + i / 10);
    writeFileSync(path, `date,Close\n${close.map((c, i) => `2026-01-${String(1 + (i % 28)).padStart(2, '0')},${c}`).join('\n')}\n`);
    const lines: string[] = [];
    expect(await runIndicators([path, '--ind', 'ema(timePeriod=10),rsi', '--json'], (l) => lines.push(l))).toBe(0);
    const json = JSON.parse(lines.join('\n'));
    const c = Float64Array.from(close);
    expect(json.bars).toBe(60);
    expect(json.symbols).toEqual([
      { bars: 60, last: { ema_10: Number(ref.ema(c, { timePeriod: 10 })[59].toPrecision(6)), rsi: Number(ref.rsi(c)[59].toPrecision(6)) } },
    ]);
  });

  it('names each output column and refuses bad lists, options and files by name (exit 2)', async () => {
    expect(parseIndicators('stoch,aroon(timePeriod=20),sma').map((a) => a.columns.map(([, c]) => c))).toEqual([
      ['stoch_k', 'stoch_d'],
      ['aroon_20_down', 'aroon_20_up'],
      ['sma'],
    ]);
    expect(() => parseIndicators('rsi,rsi')).toThrow('--ind: expected each indicator and options once, got rsi twice');
    expect(() => parseIndicators('rsi(timePeriod)')).toThrow('--ind: expected options as key=value;key=value');
    const err: string[] = [];
    const run = async (...args: string[]) => {
      const original = console.error;
      console.error = (l: string) => err.push(l);
      try {
        return await main(['indicators', ...args]);
      } finally {
        console.error = original;
      }
    };
    expect(await run('missing.csv', '--ind', 'rsi(timePeriod=1)')).toBe(2);
    expect(err.at(-1)).toBe('kernelbus indicators: --ind rsi(timePeriod): expected an integer in [2, 100000], got 1');
    expect(await run('missing.csv', '--ind', 'bbands(colour=red)')).toBe(2);
    expect(err.at(-1)).toMatch(/^kernelbus indicators: --ind bbands: expected only the options timePeriod, .*unknown option "colour"/);
    expect(await run('missing.csv')).toBe(2);
    expect(err.at(-1)).toBe('kernelbus indicators: --ind: expected a list of indicators (rsi,macd,...), got none');
    const closes = join(dir, 'closes.csv');
    writeFileSync(closes, 'ts,close\n1,10\n2,11\n');
    expect(await run(closes, '--ind', 'atr')).toBe(2);
    expect(err.at(-1)).toMatch(/closes\.csv: expected a number column high \(atr read it\), got columns ts, close$/);
  });
});
