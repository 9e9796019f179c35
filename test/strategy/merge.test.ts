/** TradeMerge: symbols' batches back in (ts, symbol, arrival) order, a slower symbol waited for maxLatenessMs at most. */
import { describe, expect, it } from 'vitest';
import { TradeMerge } from '../../src/strategy/merge.js';

/** A merge on a wall clock the test moves, and what it handed out. */
function merge(maxLatenessMs: number, expected: string[] = []) {
  let wall = 0;
  const out: [string, number, number][] = [];
  const m = new TradeMerge(maxLatenessMs, expected, () => wall);
  const sink = (s: string, ts: number, price: number) => void out.push([s, ts, price]);
  return {
    out,
    m,
    at: (ms: number) => void (wall = ms),
    push: (s: string, ts: number[], price = ts.map((t) => t * 10)) =>
      m.push(
        s,
        ts,
        price,
        ts.map(() => 1),
        sink,
      ),
    release: () => m.release(sink),
    flush: () => m.flush(sink),
  };
}

describe('TradeMerge', () => {
  it('holds a trade until every expected symbol is past its time; ties by symbol, then arrival', () => {
    const x = merge(1000, ['A', 'B', 'C']);
    x.push('B', [1, 2, 2]);
    x.push('A', [2, 5]);
    expect(x.out).toEqual([]); // C has sent nothing
    x.push('C', [3]);
    expect(x.out).toEqual([]); // the first maxLatenessMs: held
    x.at(1000);
    x.release();
    // watermark 2 (B's last): only what is before it
    expect(x.out).toEqual([['B', 1, 10]]);
    x.push('B', [6]);
    // watermark 3 (C): time 2 of A before time 2 of B, B's two in their order
    expect(x.out.slice(1)).toEqual([
      ['A', 2, 20],
      ['B', 2, 20],
      ['B', 2, 20],
    ]);
    expect(x.m.held).toBe(3);
    x.flush();
    expect(x.out.slice(4)).toEqual([
      ['C', 3, 30],
      ['A', 5, 50],
      ['B', 6, 60],
    ]);
    expect(x.m.held).toBe(0);
  });

  it('leaves a symbol silent for maxLatenessMs behind; its older trades then come late', () => {
    const x = merge(100, ['A', 'B']);
    x.push('A', [1, 2]);
    expect(x.out).toEqual([]); // the first maxLatenessMs: held
    x.at(60);
    x.push('A', [3]);
    expect(x.out).toEqual([]); // B waited for
    x.at(150); // B silent since 0: left out of the watermark
    x.push('A', [4]);
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'A2', 'A3']);
    x.push('B', [2]); // B is back, behind A3 already handed out; it may still send more of time 2
    expect(x.out).toHaveLength(3);
    x.push('B', [5]); // now B2 goes (late: the runner counts it), A4 waits for the watermark past it
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'A2', 'A3', 'B2']);
  });

  it('without expected symbols, holds everything for maxLatenessMs after the first trade: the symbols starting then are waited for', () => {
    const x = merge(100);
    x.at(10);
    x.push('B', [1, 5, 9]); // a whole tape of B in one frame
    x.at(60);
    x.push('A', [2, 3, 8]);
    x.release();
    expect(x.out).toEqual([]); // held until 110
    x.at(110);
    x.release();
    // watermark 8 (A's last): the order of a merged tape
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['B1', 'A2', 'A3', 'B5']);
    x.at(300); // both silent past maxLatenessMs: the rest goes
    x.release();
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['B1', 'A2', 'A3', 'B5', 'A8', 'B9']);
    x.push('C', [4]); // after a pause: held again for maxLatenessMs, A and B waited for
    x.at(350);
    x.push('A', [12]);
    x.push('B', [10, 11]);
    x.at(399);
    x.release();
    expect(x.out).toHaveLength(6);
    x.at(401); // C silent since 300: watermark 11 (B's last)
    x.release();
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['B1', 'A2', 'A3', 'B5', 'A8', 'B9', 'C4', 'B10']);
  });

  it('keeps each symbol in order through its queue growing and compacting', () => {
    const x = merge(1000, ['A', 'B']);
    for (let b = 0; b < 50; b++) {
      x.push(
        'A',
        Array.from({ length: 37 }, (_, i) => b * 100 + i * 2),
      );
      x.push(
        'B',
        Array.from({ length: 23 }, (_, i) => b * 100 + i * 3 + 1),
      );
    }
    x.flush();
    const ts = x.out.map(([, t]) => t);
    expect(x.out).toHaveLength(50 * 60);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    expect(x.out.filter(([s]) => s === 'A').map(([, t]) => t)).toEqual(
      Array.from({ length: 50 * 37 }, (_, k) => Math.floor(k / 37) * 100 + (k % 37) * 2),
    );
  });
});
