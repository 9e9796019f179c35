/**
 * replay() on the in-process bus: a recorded tape of 8 symbols (CSV and Parquet, with bid and ask)
 * through a VPIN engine equals vpin() over each symbol's rows; files merged in time order; --from,
 * --to, --symbols cut exactly; a loop keeps timestamps rising; returns and a panel reach the risk and
 * factor engines as the kernels compute them; a bad row stops the replay after every row before it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBus, type Bus, type BusMessage } from '../../src/bus/index.js';
import { FactorEngine, RiskEngine, VpinEngine, type FactorResult, type RiskResult } from '../../src/engines/index.js';
import type { VpinCalculation } from '../../src/engines/vpin.js';
import { KernelInputError } from '../../src/errors.js';
import { readPanel } from '../../src/cli/factor-table.js';
import { panelTape } from '../../src/cli/tapes.js';
import { readReturns, type Table } from '../../src/io/index.js';
import { kernels, type Trades, type VpinOptions } from '../../src/index.js';
import { replay, returnsTape } from '../../src/replay/index.js';
import { collect as collectRisk, expectedFigures, figures } from '../engines/risk-helpers.js';
import { direct, seededPanel } from '../engines/factor-helpers.js';
import { rowsOf, seededTape, tapeFile } from '../helpers/tape.js';

const ref = kernels({ backend: 'reference' });
const T0 = 1_790_000_000_000;

/** Every TRADE_EXECUTION the bus delivers, in delivery order, as rows (symbol, ts, price). */
function tradesOn(bus: Bus): { key: string; ts: number; price: number }[] {
  const rows: { key: string; ts: number; price: number }[] = [];
  bus.subscribe<Trades>('TRADE_EXECUTION', (m) => {
    for (let i = 0; i < m.payload.ts.length; i++) rows.push({ key: m.key, ts: m.payload.ts[i], price: m.payload.price[i] });
  });
  return rows;
}

/** The VPIN_CALCULATION values per symbol. */
function bucketsOn(bus: Bus): Map<string, VpinCalculation[]> {
  const out = new Map<string, VpinCalculation[]>();
  bus.subscribe<VpinCalculation>('VPIN_CALCULATION', (m) => void (out.get(m.key) ?? out.set(m.key, []).get(m.key)!).push(m.payload));
  return out;
}

describe('replay() into a VPIN engine', () => {
  const tape = seededTape(40_000, 8, 3);
  const vpin: VpinOptions = { bucketVolume: 4000, window: 10, barMs: 1000, classifier: { algorithm: 'lee-ready' } };

  it.each(['tape.csv', 'tape.parquet'])(
    "%s of 8 symbols with bid and ask: every symbol's buckets equal vpin() over its rows",
    async (name) => {
      const path = await tapeFile(tape, name);
      const bus = createBus();
      const engine = new VpinEngine(bus, { vpin, backend: 'reference', heartbeatMs: 0 }).start();
      const buckets = bucketsOn(bus);
      const summary = await replay(bus, path);
      await engine.close(); // end of data: the open bars close, as vpin() closes them
      await bus.close();
      expect(summary).toMatchObject({ trades: 40_000, messages: 0, skippedRows: 0, firstTs: T0, tapeTs: T0 + 3 * 39_999 });
      expect(summary.symbols.sort()).toEqual([...(tape.columns.symbol as { values: string[] }).values].sort());
      let total = 0;
      for (const symbol of summary.symbols) {
        const expected = ref.vpin(rowsOf(tape, symbol), vpin);
        const got = buckets.get(symbol) ?? [];
        expect(
          Float64Array.from(got, (b) => b.vpin),
          symbol,
        ).toEqual(expected.vpin);
        expect(
          Float64Array.from(got, (b) => b.endTs),
          symbol,
        ).toEqual(expected.endTs);
        total += got.length;
      }
      expect(total).toBeGreaterThan(200);
    },
  );
});

describe('replay() merges, cuts and loops', () => {
  /** One symbol's file: `n` trades from t0, `gap` ms apart. */
  function oneSymbol(n: number, t0: number, gap: number): Table {
    const ts = Float64Array.from({ length: n }, (_, i) => t0 + i * gap);
    const price = Float64Array.from({ length: n }, (_, i) => 100 + (i % 7));
    const volume = new Float64Array(n).fill(10);
    return {
      rows: n,
      names: ['ts', 'price', 'volume'],
      columns: { ts, price, volume },
      types: { ts: 'time', price: 'number', volume: 'number' },
    };
  }

  it('two files of one symbol each (named by their files): published in timestamp order across both', async () => {
    const a = await tapeFile(oneSymbol(500, T0, 3), 'AAA.csv');
    const b = await tapeFile(oneSymbol(400, T0 + 1, 4), 'BBB.parquet');
    const bus = createBus();
    const rows = tradesOn(bus);
    const summary = await replay(bus, [a, b], { sliceRows: 1 });
    await bus.close();
    expect(summary.symbols).toEqual(['AAA', 'BBB']);
    expect(rows).toHaveLength(900);
    const ts = rows.map((r) => r.ts);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
    expect(rows.filter((r) => r.key === 'AAA').map((r) => r.ts)).toEqual(Array.from({ length: 500 }, (_, i) => T0 + i * 3));
    expect(rows.filter((r) => r.key === 'BBB').map((r) => r.ts)).toEqual(Array.from({ length: 400 }, (_, i) => T0 + 1 + i * 4));
  });

  it("in slices of 64k rows: every symbol's rows in order, none lost", async () => {
    const tape = seededTape(200_000, 5, 0.5);
    const bus = createBus();
    const rows = tradesOn(bus);
    await replay(bus, { ...toTrades(tape) });
    await bus.close();
    expect(rows).toHaveLength(200_000);
    for (const symbol of (tape.columns.symbol as { values: string[] }).values) {
      expect(
        Float64Array.from(
          rows.filter((r) => r.key === symbol),
          (r) => r.ts,
        ),
      ).toEqual(rowsOf(tape, symbol).ts);
    }
  });

  it('--from, --to and --symbols cut exactly; a bad option names itself', async () => {
    const tape = seededTape(20_000, 6, 1);
    const bus = createBus();
    const rows = tradesOn(bus);
    const from = T0 + 5000;
    const to = new Date(T0 + 12_345).toISOString();
    const summary = await replay(bus, toTrades(tape), { from, to, symbols: ['SYM001', 'SYM004'] });
    await bus.close();
    const s = tape.columns.symbol as { codes: Int32Array; values: string[] };
    const ts = tape.columns.ts as Float64Array;
    const expected = [...ts.keys()].filter(
      (i) => ts[i] >= from && ts[i] < T0 + 12_345 && ['SYM001', 'SYM004'].includes(s.values[s.codes[i]]),
    );
    // within a slice each symbol's rows go out together: compare in time order
    expect(rows.map((r) => r.ts).sort((x, y) => x - y)).toEqual(expected.map((i) => ts[i]));
    expect(summary).toMatchObject({ trades: expected.length, symbols: ['SYM001', 'SYM004'] });
    const bad = createBus();
    await expect(replay(bad, toTrades(tape), { speed: 0 })).rejects.toThrow("options.speed: expected 'max' or a finite number > 0, got 0");
    await expect(replay(bad, toTrades(tape), { from: 10, to: 5 })).rejects.toThrow(KernelInputError);
    await expect(replay(bad, toTrades(tape), { from: 'yesterday' })).rejects.toThrow(
      'options.from: expected epoch ms or an ISO 8601 time, got "yesterday"',
    );
    await expect(replay(bad, [])).rejects.toThrow('sources: expected at least one source');
    await expect(replay(bad, { trades: rowsOf(tape, 'SYM001') })).rejects.toThrow('source.symbol: expected a symbol');
    await bad.close();
  });

  it('loop: the tape again, timestamps shifted by its span + 1 ms, every symbol rising', async () => {
    const bus = createBus();
    const rows = tradesOn(bus);
    const tape = seededTape(3000, 3, 2);
    const summary = await replay(bus, toTrades(tape), { loop: 3 });
    await bus.close();
    expect(summary).toMatchObject({ trades: 9000, loop: 2 });
    const span = 2999 * 2 + 1;
    const ts = tape.columns.ts as Float64Array;
    expect(
      rows
        .slice(6000)
        .map((r) => r.ts)
        .sort((x, y) => x - y),
    ).toEqual(Array.from(ts, (t) => t + 2 * span));
    for (const symbol of ['SYM000', 'SYM001', 'SYM002']) {
      const mine = rows.filter((r) => r.key === symbol).map((r) => r.ts);
      expect(mine.every((t, i) => i === 0 || t > mine[i - 1])).toBe(true);
    }
  });

  it('a bad row mid-tape: stops with file:line:column after every row before it was published; skipBadRows skips and counts it', async () => {
    const lines = ['ts,symbol,price,volume'];
    for (let i = 0; i < 300_000; i++) lines.push(`${T0 + i},S${i % 3},${100 + (i % 5)},${1 + (i % 9)}`);
    lines[270_001] = `${T0 + 270_000},S0,1O1,5`; // a letter O in a price, data row 270,001 = line 270,002
    const path = join(await tapeFile(oneSymbol(1, T0, 1), 'x.csv'), '..', 'bad.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const bus = createBus();
    const rows = tradesOn(bus);
    await expect(replay(bus, path)).rejects.toThrow(`${path}:270002:18: expected a number in column price, got "1O1"`);
    await bus.close();
    expect(rows).toHaveLength(270_000);
    expect(rows.reduce((m, r) => Math.max(m, r.ts), 0)).toBe(T0 + 269_999);
    const again = createBus();
    const all = tradesOn(again);
    const summary = await replay(again, { path, read: { skipBadRows: true } });
    await again.close();
    expect(summary).toMatchObject({ trades: 299_999, skippedRows: 1 });
    expect(all).toHaveLength(299_999);
  });
});

describe('replay() of returns and a panel', () => {
  it('RETURNS_UPDATE rows by date among the trades: the risk engine equals the kernels on the same rows', async () => {
    const assets = ['EQ', 'BD', 'GD'];
    const T = 60;
    const dates = Array.from({ length: T }, (_, t) => new Date(Date.UTC(2026, 0, 1) + t * 86_400_000).toISOString().slice(0, 10));
    let seed = 11;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) / 20;
    const block = Float64Array.from({ length: T * 3 }, rnd);
    const file = join(await tapeFile(seededTape(1, 1), 'x.csv'), '..', 'returns.csv');
    writeFileSync(
      file,
      `date,${assets.join(',')}\n${dates.map((d, t) => `${d},${Array.from(block.subarray(t * 3, t * 3 + 3)).join(',')}`).join('\n')}\n`,
    );
    const bus = createBus();
    const engine = new RiskEngine(bus, { backend: 'reference', window: 30, minRows: 5, heartbeatMs: 0 }).start();
    const results = collectRisk<RiskResult>(bus, 'ANALYTICS_RESULT');
    const weights = { EQ: 0.5, BD: 0.3, GD: 0.2 };
    await bus.publish('PORTFOLIO_UPDATE', { key: 'p', payload: { weights, universe: 'stocks' } });
    await bus.drain();
    // a trade tape beside it, spanning the dates: the rows go out among the trades
    const trades = {
      trades: {
        ts: Float64Array.from({ length: 600 }, (_, i) => Date.UTC(2026, 0, 1) + i * 8_640_000),
        price: new Float64Array(600).fill(10),
        volume: new Float64Array(600).fill(1),
      },
      symbol: 'X',
    };
    const order: string[] = [];
    bus.subscribe('RETURNS_UPDATE', (m: BusMessage) => void order.push(`R${m.ts}`));
    const summary = await replay(bus, [trades, returnsTape(await readReturns(file), 'stocks')]);
    await engine.close();
    await bus.close();
    expect(summary).toMatchObject({ trades: 600, messages: T });
    const last = results.at(-1)!;
    expect(figures(last.payload)).toEqual(expectedFigures(ref, block, T - 30, T, Float64Array.of(0.5, 0.3, 0.2)));
    expect(last.ts).toBe(Date.parse(dates[T - 1]));
    expect(results).toHaveLength(T - 4);
  });

  it('FACTOR_INPUT per date from a panel file: the factor engine equals the kernels over the panel', async () => {
    const p = seededPanel(30, 12, 9);
    const momentum = { window: 6, halfLife: 3, lag: 1 };
    const rows: Record<string, unknown>[] = [];
    for (let t = 0; t < p.T; t++)
      for (let j = 0; j < p.N; j++) {
        const i = t * p.N + j;
        rows.push({
          date: p.dates[t],
          symbol: p.assets[j],
          sector: p.sectorOf[j],
          returns: p.returns[i],
          market_cap: p.marketCap[i],
          book_price: p.bookPrice[i],
          sales_price: p.salesPrice[i],
          cf_price: p.cashFlowPrice[i],
        });
      }
    const file = join(await tapeFile(seededTape(1, 1), 'x.csv'), '..', 'panel.csv');
    const names = Object.keys(rows[0]);
    writeFileSync(
      file,
      `${names.join(',')}\n${rows.map((r) => names.map((n) => (typeof r[n] === 'number' && Number.isNaN(r[n]) ? '' : String(r[n]))).join(',')).join('\n')}\n`,
    );
    const bus = createBus();
    const engine = new FactorEngine(bus, { backend: 'reference', momentum, heartbeatMs: 0 }).start();
    const results = collectRisk<FactorResult>(bus, 'FACTOR_CALCULATION');
    const summary = await replay(bus, panelTape(await readPanel(file), 'us'));
    await engine.close();
    await bus.close();
    expect(summary.messages).toBe(30);
    const { fit } = direct(ref, p, momentum);
    const K = fit.factorReturns.cols;
    expect(results).toHaveLength(p.T - (momentum.window + momentum.lag - 1));
    for (const m of results) {
      const t = p.dates.indexOf(m.payload.date as string);
      expect(m.payload.factorReturns).toEqual(Array.from(fit.factorReturns.data.subarray(t * K, (t + 1) * K)));
    }
  });
});

/** A seeded tape's table as trades in memory with their symbols. */
function toTrades(table: Table) {
  const c = table.columns;
  return {
    trades: { ts: c.ts as Float64Array, price: c.price as Float64Array, volume: c.volume as Float64Array },
    symbols: c.symbol as { codes: Int32Array; values: string[] },
  };
}
