/**
 * The engines' warm-up (src/engines/warmup.ts): a scratch engine on a private memory bus fed synthetic
 * trades, every one good, bars closed and orders filled, no user callback run; the CLI's flags (over
 * Redis: test/redis-e2e/warmup.test.ts and cli.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { type Bus, createBus } from '../../src/bus/index.js';
import { runEngine } from '../../src/cli/engine.js';
import type { Engine } from '../../src/engines/engine.js';
import { StrategyEngine } from '../../src/engines/strategy.js';
import { VpinEngine } from '../../src/engines/vpin.js';
import { WARMUP_SYMBOLS, warmUp, warmUpStrategy } from '../../src/engines/warmup.js';
import type { Trades } from '../../src/kernels/trades.js';
import { KernelInputError } from '../../src/errors.js';
import { defineStrategy } from '../../src/strategy/index.js';

/** A small VPIN engine's options (buckets fill within a warm-up of a few thousand trades). */
const VPIN = { bucketVolume: 500, window: 10, barMs: 10, sigma: { ewma: 0.94 } };

describe('warmUp', () => {
  it("runs the strategy engine over synthetic trades: bars, orders and fills, the user's onBar never called", async () => {
    let calls = 0;
    const user = defineStrategy({
      name: 'user',
      bars: { by: 'time', threshold: 60_000 },
      indicators: { fast: { name: 'sma', timePeriod: 5 } },
      onBar() {
        calls++;
      },
    });
    const scratch = warmUpStrategy(user);
    expect(scratch.name).toBe('user');
    expect(scratch.bars).toEqual(user.bars);
    expect(scratch.valueNames).toEqual(user.valueNames);
    const engines: Engine[] = [];
    const done = await warmUp(
      (bus) => engines[engines.push(new StrategyEngine(bus, { name: 'w', strategies: [scratch], symbols: ['A', 'B', 'C'] })) - 1],
      ['A', 'B', 'C'],
      6000,
    );
    expect(done.trades).toBe(6000);
    expect(done.ms).toBeGreaterThan(0);
    // two scratch engines in turn, each over half the trades (300 s of tape, a trade every 100 ms round
    // robin over 3 symbols: five 60 s bars of each, the last open)
    expect(engines.map((e) => e.metrics().processed)).toEqual([3000, 3000]);
    for (const e of engines) {
      const m = e.metrics();
      expect(m.badTrades).toEqual({ ts: 0, order: 0, price: 0, volume: 0 });
      expect(m.extra.bars).toBeGreaterThanOrEqual(3 * 4);
      expect(m.extra.orders).toBeGreaterThan(0);
      expect(m.extra.fills).toBeGreaterThan(0);
    }
    expect(calls).toBe(0);
  });

  it('runs a VPIN engine over every symbol, each trade good; each scratch engine on a bus of its own, closed after it', async () => {
    let engine: Engine | undefined;
    const buses: Bus[] = [];
    /** The bus each scratch engine was made on. */
    const given: Bus[] = [];
    const done = await warmUp(
      (bus) => {
        given.push(bus);
        return (engine = new VpinEngine(bus, { name: 'w', vpin: VPIN }));
      },
      WARMUP_SYMBOLS,
      20_000,
      { bus: () => buses[buses.push(createBus({ watermarks: true })) - 1] },
    );
    expect(done.trades).toBe(20_000);
    expect(buses.length).toBe(2);
    expect(given).toEqual(buses);
    expect(buses[0]).not.toBe(buses[1]);
    for (const b of buses) expect(() => b.publishSync('TRADE_EXECUTION', { key: 'A', ts: 1, price: 1, volume: 1 })).toThrow();
    expect(engine!.metrics().keys).toBe(WARMUP_SYMBOLS.length);
    expect(engine!.metrics().badTrades).toEqual({ ts: 0, order: 0, price: 0, volume: 0 });
    expect(engine!.metrics().extra.buckets).toBeGreaterThan(0);
  });

  it("publishes as a tape's feed does: trade frames with watermarks that hold (no later trade below one)", async () => {
    let marks = 0;
    let broken = 0;
    const high = new Map<string, number>();
    const done = await warmUp(
      (bus) => {
        bus.subscribe(
          'TRADE_EXECUTION',
          (m) => {
            const { ts } = m.payload as Trades;
            const mark = high.get(m.stream) ?? Number.NEGATIVE_INFINITY;
            for (const t of ts) if (t < mark) broken++;
            if (Number.isFinite(m.watermark)) {
              marks++;
              high.set(m.stream, Math.max(mark, m.watermark!));
            }
          },
          { group: 'watch' },
        );
        return new VpinEngine(bus, { name: 'w', vpin: VPIN });
      },
      ['A', 'B', 'C'],
      4000,
    );
    expect(done.trades).toBe(4000);
    expect(marks).toBeGreaterThan(0);
    expect(broken).toBe(0);
  });

  it('ends early when its signal aborts: the trades so far, the engine stopped', async () => {
    const stop = new AbortController();
    let engine: VpinEngine | undefined;
    const done = await warmUp(
      (bus) => {
        engine = new VpinEngine(bus, { name: 'w', vpin: VPIN });
        // aborted once the first trades are in
        bus.subscribe('TRADE_EXECUTION', () => stop.abort(), { group: 'watch' });
        return engine;
      },
      WARMUP_SYMBOLS,
      1_000_000,
      { signal: stop.signal },
    );
    expect(done.trades).toBeGreaterThan(0);
    expect(done.trades).toBeLessThan(10_000);
  });

  it('refuses no symbols and a count that is not an integer >= 0, naming the argument', async () => {
    const make = (bus: Parameters<Parameters<typeof warmUp>[0]>[0]) => new VpinEngine(bus, { name: 'w', vpin: { bucketVolume: 500 } });
    await expect(warmUp(make, [])).rejects.toThrow(/^symbols: expected a non-empty array of symbols/);
    await expect(warmUp(make, ['A', ''])).rejects.toThrow(/^symbols: expected/);
    await expect(warmUp(make, ['A'], -1)).rejects.toThrow(/^trades: expected an integer >= 0, got -1/);
    await expect(warmUp(make, ['A'], 1.5)).rejects.toThrow(/^trades: expected an integer >= 0/);
    expect((await warmUp(make, ['A'], 0)).trades).toBe(0);
  });

  it('kernelbus engine --warmup-trades (an integer) and --warmup-bus (redis or memory): of the trade engines only', async () => {
    const run = (argv: string[]) => runEngine([...argv, '--redis', 'redis://127.0.0.1:1']);
    await expect(run(['risk', '--warmup-trades', '5'])).rejects.toThrow(
      '--warmup-trades: expected an option of engine vpin, features or strategy, got engine risk',
    );
    await expect(run(['vpin', '--warmup-trades', '1.5'])).rejects.toThrow(KernelInputError);
    await expect(run(['vpin', '--warmup-trades=-1'])).rejects.toThrow(/^--warmup-trades: expected/);
    await expect(run(['factor', '--warmup-bus', 'memory'])).rejects.toThrow(
      '--warmup-bus: expected an option of engine vpin, features or strategy, got engine factor',
    );
    await expect(run(['strategy', '--warmup-bus', 'disk'])).rejects.toThrow("--warmup-bus: expected 'redis' or 'memory', got \"disk\"");
  });
});
