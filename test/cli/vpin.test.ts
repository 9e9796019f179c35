/** `kernelbus vpin <csv>`: reads the CSV, computes what vpin() computes, writes the buckets. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runVpin } from '../../src/cli/vpin.js';
import { dailyVpin } from '../../src/api/index.js';
import { vpin } from '../../src/index.js';
import { readTrades } from '../../src/io/trades.js';

const tradesOf = async (path: string) => (await readTrades(path)).trades;

const dir = mkdtempSync(join(tmpdir(), 'kb-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = join(import.meta.dirname, '..', '..', 'examples', 'trades.csv');

describe('kernelbus vpin', () => {
  it('writes exactly the buckets vpin() computes, and a summary', async () => {
    const out = join(dir, 'buckets.csv');
    const lines: string[] = [];
    const code = await runVpin([example, '--bucket-volume', '20000', '--window', '10', '--sigma', 'ewma:0.9', '--out', out], (l) =>
      lines.push(l),
    );
    expect(code).toBe(0);
    const trades = await tradesOf(example);
    expect(trades.ts.length).toBe(15656);
    const expected = vpin(trades, { bucketVolume: 20000, window: 10, sigma: { ewma: 0.9 } });
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('startTs,endTs,duration,buyVolume,sellVolume,vpin,cdf');
    expect(rows.length - 1).toBe(expected.vpin.length);
    const last = rows.at(-1)!.split(',').map(Number);
    const i = expected.vpin.length - 1;
    expect(last).toEqual([
      expected.startTs[i],
      expected.endTs[i],
      expected.duration[i],
      expected.buyVolume[i],
      expected.sellVolume[i],
      expected.vpin[i],
      expected.cdf[i],
    ]);
    expect(expected.duration[i]).toBeGreaterThan(0);
    expect(rows[1].split(',')[5]).toBe(''); // NaN VPIN during the first window - 1 buckets
    expect(lines.join('\n')).toContain(`buckets       ${expected.vpin.length} (${expected.vpin.length - 9} with VPIN, window 10)`);
  });

  it('--cdf-window n: the CDF over the last n VPIN values, as vpin() gives it; all: every one; 0 refused', async () => {
    const trades = await tradesOf(example);
    const cdfOf = async (...flags: string[]) => {
      const out = join(dir, 'cdf.csv');
      expect(
        await runVpin([example, '--bucket-volume', '2000', '--window', '10', '--sigma', 'ewma:0.9', ...flags, '--out', out], () => {}),
      ).toBe(0);
      return readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => Number(row.split(',')[6] || NaN));
    };
    const windowed = vpin(trades, { bucketVolume: 2000, window: 10, sigma: { ewma: 0.9 }, cdfWindow: 5 });
    expect(await cdfOf('--cdf-window', '5')).toEqual(Array.from(windowed.cdf));
    const all = vpin(trades, { bucketVolume: 2000, window: 10, sigma: { ewma: 0.9 }, cdfWindow: 'all' });
    expect(await cdfOf('--cdf-window', 'all')).toEqual(Array.from(all.cdf));
    expect(Array.from(windowed.cdf)).not.toEqual(Array.from(all.cdf));
    await expect(runVpin([example, '--cdf-window', '0'], () => {})).rejects.toThrow(
      "options.cdfWindow: expected an integer in [1, 1000000000] or 'all', got 0",
    );
  });

  it('--daily writes dailyVpin of the buckets, in --tz', async () => {
    const out = join(dir, 'daily.csv');
    const lines: string[] = [];
    const args = [example, '--bucket-volume', '5000', '--window', '10', '--sigma', 'ewma:0.9', '--daily', out, '--tz', 'America/New_York'];
    expect(await runVpin(args, (l) => lines.push(l))).toBe(0);
    const trades = await tradesOf(example);
    const expected = dailyVpin(vpin(trades, { bucketVolume: 5000, window: 10, sigma: { ewma: 0.9 } }), { tz: 'America/New_York' });
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('day,vpin,weightedVpin,buckets,vpinBuckets');
    expect(rows.length - 1).toBe(expected.day.length);
    expect(expected.buckets.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    rows.slice(1).forEach((row, i) => {
      const [day, ...numbers] = row.split(',');
      expect(day).toBe(expected.day[i]);
      const cell = (x: number) => (Number.isNaN(x) ? '' : String(x));
      expect(numbers).toEqual([expected.vpin[i], expected.weightedVpin[i], expected.buckets[i], expected.vpinBuckets[i]].map(cell));
    });
    expect(lines.join('\n')).toContain(`wrote         ${out}`);
    await expect(runVpin([example, '--tz', 'UTC'])).rejects.toThrow('--tz: expected with --daily, got "UTC"');
    await expect(runVpin([example, '--daily', out, '--tz', 'Nowhere/Land'])).rejects.toThrow(
      '--tz: expected an IANA time zone name, got "Nowhere/Land"',
    );
  });

  it('reads ISO timestamps, other column names and orders, quoted fields', async () => {
    const file = join(dir, 'iso.csv');
    writeFileSync(file, 'side,qty,"px",time\nB,10,"100.5",2026-11-20T14:30:00.000Z\nS,5,100.25,2026-11-20T14:30:01.500Z\n');
    const t = await tradesOf(file);
    expect(Array.from(t.ts)).toEqual([Date.parse('2026-11-20T14:30:00.000Z'), Date.parse('2026-11-20T14:30:01.500Z')]);
    expect(Array.from(t.price)).toEqual([100.5, 100.25]);
    expect(Array.from(t.volume)).toEqual([10, 5]);
  });

  it('--classifier lee-ready reads the bid and ask columns (empty or NA: no quote) and gives vpin() with that classifier', async () => {
    const file = join(dir, 'quoted.csv');
    const trades = await tradesOf(example);
    const n = trades.ts.length;
    // a quote a cent either side of each trade's price, the trade at the bid or the ask by its index; every 50th missing
    const bid = Float64Array.from(trades.price, (p, i) => (i % 50 === 0 ? NaN : i % 3 === 0 ? p : Math.round(p * 100 - 1) / 100));
    const ask = Float64Array.from(trades.price, (p, i) => (i % 50 === 0 ? NaN : i % 3 === 0 ? Math.round(p * 100 + 1) / 100 : p));
    const cell = (x: number, i: number) => (Number.isNaN(x) ? (i % 100 === 0 ? '' : 'NA') : String(x));
    const body = Array.from(
      { length: n },
      (_, i) => `${trades.ts[i]},${trades.price[i]},${trades.volume[i]},${cell(bid[i], i)},${cell(ask[i], i)}`,
    );
    writeFileSync(file, `ts,price,volume,bid,ask\n${body.join('\n')}\n`);
    const read = await tradesOf(file);
    expect(read.bid).toEqual(bid);
    expect(read.ask).toEqual(ask);
    const out = join(dir, 'lr.csv');
    const argv = [file, '--bucket-volume', '20000', '--window', '10', '--classifier', 'lee-ready', '--quote-lag-ms', '2', '--out', out];
    expect(await runVpin(argv, () => undefined)).toBe(0);
    const expected = vpin(
      { ...trades, bid, ask },
      { bucketVolume: 20000, window: 10, classifier: { algorithm: 'lee-ready', quoteLagMs: 2 } },
    );
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    const buy = header.split(',').indexOf('buyVolume');
    expect(rows.length).toBe(expected.vpin.length);
    expect(rows.map((r) => Number(r.split(',')[buy]))).toEqual([...expected.buyVolume]);
    // without quote columns a quote classifier is refused naming trades.bid
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m) => void errors.push(String(m)));
    expect(await main(['vpin', example, '--classifier', 'emo'])).toBe(2);
    expect(await main(['vpin', example, '--classifier', 'lee-rady'])).toBe(2);
    expect(await main(['vpin', example, '--quote-lag-ms', '5'])).toBe(2);
    spy.mockRestore();
    expect(errors[0]).toContain("trades.bid: expected bid and ask columns (or options.quotes) for the 'emo' classifier");
    expect(errors[1]).toContain('--classifier: expected bvc, tick or a quote classifier: reverse-tick, quote, lee-ready');
    expect(errors[2]).toContain('--quote-lag-ms: expected to come with a quote classifier');
  });

  it('reports bad files and bad options with the line or argument, and a non-zero exit code', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'ts,price,volume\n1,2,3\n2,abc,4\n');
    const missing = join(dir, 'noheader.csv');
    writeFileSync(missing, 'a,b\n1,2\n');
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m) => void errors.push(String(m)));
    expect(await main(['vpin', bad])).toBe(2);
    expect(await main(['vpin', missing])).toBe(2);
    expect(await main(['vpin', join(dir, 'nope.csv')])).toBe(1);
    expect(await main(['vpin', example, '--window', '0'])).toBe(2);
    expect(await main(['vpin', example, '--sigma', 'garch'])).toBe(2);
    expect(await main(['frobnicate'])).toBe(2);
    spy.mockRestore();
    expect(errors[0]).toContain(`${bad}:3:3: expected a number in column price, got "abc"`);
    expect(errors[1]).toContain('expected a header with a ts column');
    expect(errors[2]).toContain('ENOENT');
    expect(errors[3]).toContain('options.window: expected an integer in [1, 1000000], got 0');
    expect(errors[4]).toContain('--sigma: expected a number, got "garch"');
    expect(errors[5]).toContain("unknown command 'frobnicate'");
  });
});
