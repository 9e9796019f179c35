/**
 * A strategy run's checkpoint (StrategyRunner.snapshot() and restore(), TradeMerge.state() and
 * restore()): a run cut anywhere, snapshotted and restored into a fresh runner, goes on with the same
 * orders, fills, positions, account and statistics as the run that was never cut; bytes that are not a
 * checkpoint of this strategy are refused with KernelInputError naming `bytes`, the run unchanged.
 */
import { describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { TradeMerge } from '../../src/strategy/merge.js';
import { StrategyRunner, type RunnerOptions } from '../../src/strategy/runner.js';
import { backtestStrategy, defineStrategy, type Strategy, type Tape } from '../../src/strategy/index.js';
import { maCross, randomTape } from './helpers.js';

type Record = { kind: string; value: unknown };

/** A runner whose orders, fills and positions go to `out`. */
function runner(strategy: Strategy<object>, options: RunnerOptions, out: Record[]): StrategyRunner<object> {
  return new StrategyRunner(strategy, options, {
    order: (o) => out.push({ kind: 'order', value: o }),
    fill: (f) => out.push({ kind: 'fill', value: f }),
    position: (p) => out.push({ kind: 'position', value: p }),
  });
}

/** Feeds rows [from, to) of a tape in time order (symbols interleaved, one row a symbol: randomTape's). */
function feed(r: StrategyRunner<object>, tape: Tape, from: number, to: number): void {
  const { codes, values } = tape.symbols!;
  for (let i = from; i < to; i++) {
    const k = r.symbolIndex(values[codes[i]]);
    if (k >= 0) r.trade(k, tape.ts[i], tape.price[i], tape.volume[i]);
  }
}

describe('StrategyRunner checkpoints', () => {
  const tape = randomTape(6_000, ['AAA', 'BBB', 'CCC'], 3_000, 5);
  const options: RunnerOptions = { fees: 0.001, slippage: 0.0005, initCash: 10_000, latencyMs: 1_500, participation: 0.05 };
  const strategy = maCross(5, 20, 60_000, 'ckpt-cross') as Strategy<object>;

  it('goes on after a restore exactly as the run never cut', () => {
    const whole: Record[] = [];
    const full = runner(strategy, options, whole);
    feed(full, tape, 0, tape.ts.length);
    full.stop();
    expect(whole.filter((r) => r.kind === 'fill').length).toBeGreaterThan(50);
    // participation 0.05 keeps orders waiting over many trades: some cuts fall between an order's fills
    let withOpenOrders = 0;
    for (const cut of [1, 997, 4_321, 9_000, 12_345, 17_999]) {
      const out: Record[] = [];
      const first = runner(strategy, options, out);
      feed(first, tape, 0, cut);
      if (first.openOrders().length > 0) withOpenOrders++;
      const bytes = first.snapshot();
      const second = runner(maCross(5, 20, 60_000, 'ckpt-cross') as Strategy<object>, options, out);
      second.restore(bytes);
      feed(second, tape, cut, tape.ts.length);
      second.stop();
      expect(out).toEqual(whole);
      expect(second.account.values()).toEqual(full.account.values());
      expect(second.daily).toEqual(full.daily);
      expect(second.ctx.state).toEqual(full.ctx.state);
      expect(second.metrics).toMatchObject({ ...full.metrics, onBarMs: expect.any(Number), slowestOnBarMs: expect.any(Number) });
    }
    expect(withOpenOrders).toBeGreaterThan(0);
  });

  it('matches backtestStrategy after a restore', () => {
    const file = backtestStrategy(tape, strategy, options);
    const out: Record[] = [];
    const first = runner(strategy, options, out);
    feed(first, tape, 0, 8_000);
    const second = runner(strategy, options, out);
    second.restore(first.snapshot());
    feed(second, tape, 8_000, tape.ts.length);
    expect(out.filter((r) => r.kind === 'fill').map((r) => r.value)).toEqual(file.fills);
    expect(out.filter((r) => r.kind === 'order').map((r) => r.value)).toEqual(file.orders);
  });

  it('refuses bytes that are not a checkpoint of this strategy, the run unchanged', () => {
    const r = runner(strategy, options, []);
    feed(r, tape, 0, 3_000);
    const before = r.snapshot();
    const other = runner(maCross(5, 20, 60_000, 'other-name') as Strategy<object>, options, []);
    expect(() => other.restore(before)).toThrow(/a checkpoint of strategy 'other-name'/);
    const cases = [new Uint8Array(0), new Uint8Array(40), before.subarray(0, before.length - 30), Buffer.from('KBST\u0002\0\0\0')];
    for (const bytes of cases) {
      const error = (() => {
        try {
          r.restore(bytes);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(KernelInputError);
      expect((error as KernelInputError).argument).toBe('bytes');
    }
    // another history: its bars' ring does not fit
    const longer = defineStrategy({
      name: 'ckpt-cross',
      bars: { by: 'time', threshold: 60_000 },
      indicators: { fast: { name: 'sma', timePeriod: 5 }, slow: { name: 'sma', timePeriod: 20 } },
      history: 300,
      onBar() {},
    }) as Strategy<object>;
    expect(() => runner(longer, options, []).restore(before)).toThrow(KernelInputError);
    expect(r.snapshot()).toEqual(before);
  });
});

describe('TradeMerge checkpoints', () => {
  it('holds the same trades after a restore and hands them out in the same order', () => {
    const out: string[] = [];
    const sink = (s: string, ts: number, p: number, v: number) => void out.push(`${s}@${ts}:${p}x${v}`);
    let wall = 0;
    const a = new TradeMerge(60_000, ['A', 'B'], () => wall);
    a.push('A', [1, 2, 5], [10, 11, 12], [1, 1, 1], sink);
    a.push('B', [1, 3], [20, 21], [2, 2], sink);
    wall = 60_000; // past the first hold
    a.release(sink);
    expect(out).toEqual(['A@1:10x1', 'B@1:20x2', 'A@2:11x1']);
    // given the symbols, a restore waits for the known ones from then: B@3 is before both A's 5 and B's 6
    const given = new TradeMerge(60_000, ['A'], () => wall);
    given.restore(a.state());
    const now: string[] = [];
    given.push('B', [6], [22], [2], (s, ts) => void now.push(`${s}@${ts}`));
    expect(now).toEqual(['B@3']);
    const b = new TradeMerge(60_000, [], () => wall);
    b.restore(a.state());
    expect(b.held).toBe(2);
    const rest: string[] = [];
    b.push('B', [6], [22], [2], (s, ts) => void rest.push(`${s}@${ts}`));
    expect(rest).toEqual([]); // without them, a restore holds for maxLatenessMs, as a start
    wall = 120_000;
    b.release((s, ts) => void rest.push(`${s}@${ts}`));
    // A@5 is A's last: it waits for A to send more (the same rule as before the restore)
    expect(rest).toEqual(['B@3']);
    b.push('A', [7], [13], [1], (s, ts) => void rest.push(`${s}@${ts}`));
    expect(rest).toEqual(['B@3', 'A@5']);
    expect(b.held).toBe(2);
    expect(() => b.restore([{ symbol: 'A' }] as never)).toThrow(KernelInputError);
    expect(b.held).toBe(2);
  });
});
