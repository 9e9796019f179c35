/** TradeGate: the trade rule at an engine's door, on columns and on frames read in place from bytes. */
import { describe, expect, it } from 'vitest';
import { TradeGate, type EngineBadTrade } from '../../src/engines/trade-gate.js';
import { KernelInputError } from '../../src/errors.js';
import { FrameTrades } from '../../src/kernels/frame-trades.js';

const f64 = (...x: number[]) => Float64Array.from(x);

/** A FrameTrades over `ts | price | volume` at byte offset 3 of a buffer (unaligned, as a socket hands it). */
function frame(ts: number[], price: number[], volume: number[]): FrameTrades {
  const cols = Float64Array.from([...ts, ...price, ...volume]);
  const bytes = new Uint8Array(3 + cols.byteLength).subarray(3);
  bytes.set(new Uint8Array(cols.buffer));
  let copies = 0;
  const f = new FrameTrades(bytes, ts.length, () => copies++);
  Object.defineProperty(f, 'copies', { get: () => copies });
  return f;
}

describe('TradeGate', () => {
  it('reads small and large frames alike: a bad trade found at any place of either', () => {
    for (const n of [1, 3, 16, 17, 64]) {
      for (let at = 0; at < n; at += Math.max(1, n >> 2)) {
        const ts = Array.from({ length: n }, (_, i) => 100 + i);
        const price = ts.map(() => 10);
        price[at] = -1;
        const gate = new TradeGate('skip');
        const out = gate.admit(
          'A',
          '1-0',
          frame(
            ts,
            price,
            ts.map(() => 1),
          ),
          0,
        );
        expect(out.ts.length, `${n} trades, the bad one at ${at}`).toBe(n - 1);
        expect(gate.counts.price).toBe(1);
        // the last good trade's time (the one given when none is good)
        expect(gate.last).toBe(n === 1 ? 0 : at === n - 1 ? 100 + n - 2 : 100 + n - 1);
      }
      const good = new TradeGate();
      const f = frame(
        Array.from({ length: n }, (_, i) => 100 + i),
        Array.from({ length: n }, () => 10),
        Array.from({ length: n }, () => 1),
      );
      expect(good.admit('A', '1-0', f, 100)).toBe(f);
      expect(good.last).toBe(100 + n - 1);
    }
  });

  it('lets a good frame read in place through uncopied, and its last time out', () => {
    const gate = new TradeGate();
    const f = frame([5, 6, 6], [10, 11, 12], [1, 0, 2]);
    expect(gate.admit('A', '1-0', f, 5)).toBe(f);
    expect(gate.last).toBe(6);
    expect(f.copied).toBe(false);
    expect(gate.total).toBe(0);
  });

  it('skips the bad trades of an unaligned frame (one copy), counting each by reason', () => {
    const gate = new TradeGate('skip');
    const f = frame([5, 4, 7, 8, Number.NaN], [10, 11, -1, 12, 13], [1, 1, 1, -2, 1]);
    expect(Array.from(gate.admit('A', '1-0', f, 5).ts)).toEqual([5]);
    expect(gate.last).toBe(5);
    expect(gate.counts).toEqual({ ts: 1, order: 1, price: 1, volume: 1 });
    expect((f as unknown as { copies: number }).copies).toBe(1);
  });

  it('reject hands each bad trade to onBadTrade; fail throws the first and counts none', () => {
    const seen: EngineBadTrade[] = [];
    const reject = new TradeGate('reject', (b: EngineBadTrade) => seen.push(b));
    reject.admit('JPM', '9-1', { ts: f64(1, 2), price: f64(-557.53, 3), volume: f64(1, 1) }, 0);
    expect(seen).toEqual([
      {
        key: 'JPM',
        id: '9-1',
        index: 0,
        reason: 'price',
        value: -557.53,
        message: 'JPM trade 0 of 9-1: expected a finite price > 0, got -557.53',
      },
    ]);
    const fail = new TradeGate('fail');
    expect(() => fail.admit('JPM', '9-1', frame([1, 0], [3, 3], [1, 1]), 0)).toThrow(
      new KernelInputError('JPM trade 1 of 9-1', "a time at or after the symbol's previous trade (1)", '0'),
    );
    expect(fail.total).toBe(0);
  });

  it('checks its options, naming each', () => {
    expect(() => new TradeGate('drop')).toThrow("options.badTrades: expected 'fail', 'skip', 'reject', got \"drop\"");
    expect(() => new TradeGate('skip', 3)).toThrow('options.onBadTrade: expected a function (bad) => void, got 3');
  });
});
