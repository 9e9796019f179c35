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
  it('lets a good frame read in place through uncopied, and its last time out', () => {
    const gate = new TradeGate();
    const f = frame([5, 6, 6], [10, 11, 12], [1, 0, 2]);
    const r = gate.admit('A', '1-0', f, 5);
    expect(r.trades).toBe(f);
    expect(r.last).toBe(6);
    expect(f.copied).toBe(false);
    expect(gate.total).toBe(0);
  });

  it('skips the bad trades of an unaligned frame (one copy), counting each by reason', () => {
    const gate = new TradeGate('skip');
    const f = frame([5, 4, 7, 8, Number.NaN], [10, 11, -1, 12, 13], [1, 1, 1, -2, 1]);
    const r = gate.admit('A', '1-0', f, 5);
    expect(Array.from(r.trades.ts)).toEqual([5]);
    expect(r.last).toBe(5);
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
