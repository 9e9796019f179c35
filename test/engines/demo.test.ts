import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo.js';
import { SyntheticMarket } from '../../src/replay/synthetic-market.js';
import { tapeBars } from '../../src/replay/bars.js';
import { KernelInputError } from '../../src/errors.js';
import { readTrades, splitBySymbol } from '../../src/io/index.js';
import { kernels } from '../../src/index.js';
import { factorBars, factorTable } from './factor-helpers.js';
import { riskTable } from './risk-helpers.js';

/** Runs the demo, capturing what it writes. */
async function demo(argv: string[], tty = false) {
  const out = Object.assign(new PassThrough(), { isTTY: tty });
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await runDemo(argv, out);
  return { code, text };
}

describe('kernelbus demo', () => {
  it('runs the market through the bus into the VPIN engine and prints a summary; exits 0', async () => {
    // 1 s: on a loaded machine (about 60 % of the rate published) still more than the VPIN window's 50
    // buckets per symbol, so that the top symbols have a CDF
    const { code, text } = await demo(['--symbols', '5', '--rate', '20000', '--seconds', '1', '--seed', '3']);
    expect(code).toBe(0);
    expect(text).toMatch(/^kernelbus demo: 5 symbols, 20,000 msg\/s for 1 s, seed 3, backend auto \((native|reference)\)\n/);
    const published = Number(/trades published\s+([\d,]+)/.exec(text)![1].replaceAll(',', ''));
    expect(published).toBeGreaterThan(1000);
    expect(published).toBeLessThanOrEqual(20_000);
    expect(text).toMatch(/latency p50 \/ p99 \/ max\s+[\d.]+ \/ [\d.]+ \/ [\d.]+ ms/);
    expect(text).toMatch(/VPIN buckets\s+[1-9][\d,]*/);
    expect(text).toMatch(/copies \/ redelivered \/ dead\s+0 \/ 0 \/ 0/);
    expect(text).toContain('top symbols by VPIN CDF now');
    // The risk engine beside it: a row of returns per bar, three portfolios with finite figures.
    const [, bars, results] =
      /risk engine\s+([\d,]+) bars of returns -> ([\d,]+) portfolio results, [\d,]+ VaR limit alerts, [\d,]+ backtest alerts/
        .exec(text)!
        .map((x) => Number(x.replaceAll(',', '')));
    expect(bars).toBeGreaterThanOrEqual(20); // about 117 (a bar of 5 ms); figures need minRows 20
    // the three fixed portfolios from minRows on, and the PortfolioEngine's two once it has built them
    expect(results).toBeGreaterThan(3 * (bars - 20 + 1));
    expect(text).toMatch(new RegExp(`portfolio VaR now \\(95%, over the last ${Math.min(bars, 250)} of ${bars} bar returns`));
    const table = riskTable(text, ['equal-weight', 'long-short', 'concentrated', 'min-variance', 'risk-parity']);
    for (const figures of Object.values(table)) {
      expect(figures.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
      expect(figures[1]).toBeGreaterThanOrEqual(figures[0]); // historical ES >= VaR
    }
    // The factor engine beside them: too few symbols for a fit (1 market + 4 sectors + 3 styles).
    expect(text).toMatch(/factor engine\s+[1-9][\d,]* bars of the market's symbols -> 0 factor results/);
    expect(text).toContain('no fit yet (a fit needs more than 8 symbols)');
    // The ML engine on the feature bars: each symbol's completed bars predicted, in batches
    const [, predictions, batches] = /ML engine\s+([\d,]+) predictions of examples\/model\.txt \(LightGBM\) in ([\d,]+) batches/
      .exec(text)!
      .map((x) => Number(x.replaceAll(',', '')));
    const featureBars = Number(/features engine\s+([\d,]+) bars/.exec(text)![1].replaceAll(',', ''));
    expect(predictions).toBeGreaterThan(0);
    expect(predictions).toBeLessThanOrEqual(featureBars);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThanOrEqual(predictions);
    expect(text).not.toContain('\r'); // no status line when not a TTY
  });

  it('runs the factor engine on a panel of the market per bar: a result per bar once momentum has 22 bars, finite factor returns', async () => {
    const { code, text } = await demo(['--symbols', '30', '--rate', '60000', '--seconds', '1.2', '--seed', '4']);
    expect(code).toBe(0);
    const [bars, results] = factorBars(text);
    expect(bars).toBeGreaterThan(22); // momentum's 22 bars and more (fewer bars come on a loaded machine)
    expect(results).toBe(bars - 21);
    const table = factorTable(text);
    expect(Object.keys(table)).toEqual(['market', 'Energy', 'Technology', 'Healthcare', 'Financials', 'momentum', 'size', 'value']);
    expect(Object.values(table).every(Number.isFinite)).toBe(true);
    const [, r2, count] = /bar \d+: R2 (\S+) over (\d+) symbols/.exec(text)!.map(Number);
    expect(r2).toBeGreaterThan(0);
    expect(r2).toBeLessThan(1);
    expect(count).toBe(30);
  });

  it('shows a live status line on a TTY and serves metrics while it runs', async () => {
    const { code, text } = await demo(
      ['--symbols', '3', '--rate', '5000', '--seconds', '0.7', '--metrics-port', '0', '--backend', 'reference'],
      true,
    );
    expect(code).toBe(0);
    expect(text).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics\n/);
    expect(text).toContain('backend reference');
    expect(text).toMatch(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the status line ends with ESC [K (clear to end of line)
      /\r\s+0\.\d s\s+[\d,]+ msg\/s {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms {2}buckets [\d,]+ {2}alerts [\d,]+ {2}orders [\d,]+ {2}P&L [+-][\d,.]+ {2}depth [\d,]+\x1b\[K/,
    );
  });

  it('prints its usage with --help and rejects bad options naming the flag', async () => {
    const { code, text } = await demo(['--help']);
    expect(code).toBe(0);
    expect(text).toMatch(/^Usage: kernelbus demo \[options\]/);
    await expect(demo(['--rate', '0'])).rejects.toThrow(KernelInputError);
    await expect(demo(['--rate', '0'])).rejects.toThrow(/^--rate: expected a number in \[1, 100000000\], got "0"$/);
    await expect(demo(['--symbols', '2.5'])).rejects.toThrow(/^--symbols: expected an integer in \[1, 100000\], got "2.5"$/);
    await expect(demo(['--backend', 'gpu'])).rejects.toThrow(/^--backend: expected 'auto', 'native' or 'reference', got "gpu"$/);
    await expect(demo(['--bogus'])).rejects.toThrow(/^unknown option '--bogus'$/);
    await expect(demo(['--symbol', '3'])).rejects.toThrow(/^unknown option '--symbol' \(did you mean --symbols\?\)$/);
    await expect(demo(['--classifier', 'lee-rady'])).rejects.toThrow(
      /^--classifier: expected bvc, tick or a quote classifier: quote, lee-ready, emo, clnv, got "lee-rady"$/,
    );
    await expect(demo(['--classifier', 'reverse-emo'])).rejects.toThrow(/^--classifier: expected bvc, tick or a quote classifier/);
  });

  it('--classifier lee-ready: the market quotes a spread, the trades travel with their bid and ask, the engine labels them (buckets, no error)', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    let errText = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    err.on('data', (d: Buffer) => (errText += d.toString()));
    const argv = ['--symbols', '5', '--rate', '20000', '--seconds', '0.5', '--seed', '3', '--json', '--classifier', 'lee-ready'];
    expect(await runDemo(argv, out, err)).toBe(0);
    const summary = JSON.parse(text);
    expect(errText).toMatch(/^kernelbus demo: 5 symbols, 20,000 msg\/s for 0\.5 s, seed 3, backend .*, classifier lee-ready\n/);
    expect(summary.vpin.classifier).toBe('lee-ready');
    // a trade without its bid and ask would fail every update: no bucket then
    expect(summary.vpin.buckets).toBeGreaterThan(0);
    expect(summary.vpin.top.length).toBeGreaterThan(0);
    expect(summary.deadLettered).toBe(0);
    // limit breaches and backtest zones apart (no backtest window of 250 bars fills in 0.5 s)
    expect(summary.risk).toMatchObject({ limitAlerts: expect.any(Number), backtestAlerts: 0 });
    expect(summary.risk.alerts).toBeUndefined();
  });
});

describe('SyntheticMarket', () => {
  it('is reproducible from its seed and has toxic episodes and bursts', () => {
    const run = (seed: number) => {
      const m = new SyntheticMarket({ symbols: 4, seed, toxicRate: 1 / 500 });
      const trades: [string, number, number][] = [];
      const quotes: [number, number][] = [];
      m.next(20_000, (key, price, volume, bid, ask) => {
        trades.push([key, price, volume]);
        quotes.push([bid, ask]);
      });
      return { trades, episodes: m.episodes, quotes };
    };
    const a = run(9);
    expect(run(9)).toEqual(a);
    expect(run(10).trades).not.toEqual(a.trades);
    expect(a.episodes).toBeGreaterThan(3);
    expect(new Set(a.trades.map((t) => t[0]))).toEqual(new Set(['SYM000', 'SYM001', 'SYM002', 'SYM003']));
    expect(a.trades.every(([, price, volume]) => price > 0 && volume >= 1 && Number.isInteger(volume))).toBe(true);
    expect(() => new SyntheticMarket({ symbols: 0, seed: 1 })).toThrow(/^options.symbols: expected an integer in \[1, 1000000\], got 0$/);
  });

  it('quotes a spread at each trade: the trade at the bid, at the ask or inside, the quotes on their own generator', () => {
    const m = new SyntheticMarket({ symbols: 4, seed: 9, toxicRate: 1 / 500 });
    const rows: { price: number; bid: number; ask: number }[] = [];
    m.next(20_000, (_key, price, _volume, bid, ask) => rows.push({ price, bid, ask }));
    const cents = (x: number) => Math.round(x * 100);
    expect(rows.every((r) => cents(r.ask) > cents(r.bid) && cents(r.bid) <= cents(r.price) && cents(r.price) <= cents(r.ask))).toBe(true);
    const atAsk = rows.filter((r) => cents(r.price) === cents(r.ask)).length;
    const atBid = rows.filter((r) => cents(r.price) === cents(r.bid)).length;
    const inside = rows.length - atAsk - atBid;
    expect(atAsk / rows.length).toBeGreaterThan(0.35);
    expect(atBid / rows.length).toBeGreaterThan(0.35);
    expect(inside / rows.length).toBeGreaterThan(0.02);
    // the trades are those the market made before it quoted (a fingerprint of its prices and volumes
    // computed with that code, the synthetic market of a6d0226): the quotes' generator is its own
    let weighted = 0;
    let volume = 0;
    let n = 0;
    new SyntheticMarket({ symbols: 4, seed: 9, toxicRate: 1 / 500 }).next(20_000, (_k, p, v) => {
      weighted += p * ((n++ % 13) + 1);
      volume += v;
    });
    expect([weighted, volume]).toEqual([31804755.300000038, 4651278]);
  });

  it('--json prints the summary as one JSON document on stdout, the banner on stderr', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    let errText = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    err.on('data', (d: Buffer) => (errText += d.toString()));
    const code = await runDemo(
      ['--symbols', '5', '--rate', '20000', '--seconds', '0.5', '--seed', '3', '--json', '--backend', 'reference'],
      out,
      err,
    );
    expect(code).toBe(0);
    const summary = JSON.parse(text);
    expect(summary.published).toBeGreaterThan(1000);
    expect(summary.vpin.buckets).toBeGreaterThan(0);
    expect(summary.deadLettered).toBe(0);
    expect(errText).toMatch(/^kernelbus demo: 5 symbols/);
  });
});

describe('kernelbus demo --file', () => {
  it("replays a recorded tape through the engines: a summary over its 8 symbols; each symbol's VPIN equals vpin() over its rows", async () => {
    const { code, text } = await demo(['--file', 'examples/tape.csv', '--json']);
    expect(code).toBe(0);
    const s = JSON.parse(text);
    expect(s.published).toBe(5200);
    expect(s.tape).toMatchObject({ files: ['examples/tape.csv'], symbols: 8, speed: 'max', barMs: 120_000 });
    // bars only where the market trades: the night between the two sessions is one return
    const read = await readTrades('examples/tape.csv');
    const bars = tapeBars([{ trades: read.trades, symbols: read.symbols }], { barMs: 120_000 });
    expect(bars.ts.length).toBe(389);
    expect(s.risk.bars).toBe(389);
    expect(s.factor.bars).toBe(s.risk.bars);
    // with the night as zero returns 43-48 of 250 exceptions put every portfolio in the red zone
    // the five portfolios and the example strategy's book
    expect(Object.values(s.risk.zones)).toHaveLength(6);
    expect(s.risk.zones).toHaveProperty('strategy:vpin-ma-cross');
    expect(Object.values(s.risk.zones)).not.toContain('red');
    expect(s.vpin.top).toHaveLength(5);
    // each symbol: buckets of 1/200 of its volume on the tape, 2-minute BVC bars; the engine closes the last bar at the end
    const ref = kernels({ backend: 'reference' });
    const bySymbol = new Map(splitBySymbol(read.trades, read.symbols!).map((x) => [x.symbol, x.trades]));
    for (const top of s.vpin.top) {
      const t = bySymbol.get(top.symbol)!;
      const volume = t.volume.reduce((a, b) => a + b, 0);
      const b = ref.vpin(
        { ts: t.ts, price: t.price, volume: t.volume },
        { bucketVolume: volume / 200, window: 50, barMs: 120_000, sigma: { ewma: 0.94 } },
      );
      expect(top.buckets, top.symbol).toBe(b.vpin.length);
      // the summary's 6 significant digits (the engine's backend may round the last bits otherwise)
      expect(Math.abs(top.vpin / b.vpin.at(-1)! - 1), top.symbol).toBeLessThan(2e-6);
      expect(Math.abs(top.cdf / b.cdf.at(-1)! - 1), top.symbol).toBeLessThan(2e-6);
    }
  }, 120_000);

  it('--session cuts the bars within market hours: the after-hours trades make none', async () => {
    const { code, text } = await demo(['--file', 'examples/tape.csv', '--json', '--session', '09:30-16:00 America/New_York']);
    expect(code).toBe(0);
    const s = JSON.parse(text);
    const read = await readTrades('examples/tape.csv');
    const bars = tapeBars([{ trades: read.trades, symbols: read.symbols }], { barMs: 120_000, session: '14:30-21:00' });
    expect(s.risk.bars).toBe(bars.ts.length);
    expect(bars.ts.at(-1)).toBe(Date.UTC(2026, 10, 20, 21));
    await expect(demo(['--file', 'examples/tape.csv', '--session', '9-5'])).rejects.toThrow(/^--session: expected market hours/);
  }, 120_000);

  it('--speed, --from and --to without --file are refused; a quote classifier needs bid and ask', async () => {
    await expect(demo(['--speed', '2'])).rejects.toThrow('--speed: expected to come with --file, got 2');
    await expect(demo(['--session', '09:30-16:00'])).rejects.toThrow('--session: expected to come with --file, got 09:30-16:00');
    await expect(demo(['--file', 'examples/trades.csv', '--classifier', 'lee-ready'])).rejects.toThrow(
      '--classifier: expected bvc or tick for a tape without bid and ask columns (examples/trades.csv), got lee-ready',
    );
  });
});
