/** TradeMerge: symbols' batches back in (ts, symbol, arrival) order, a slower symbol waited for maxLatenessMs at most. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TradeMerge } from '../../src/strategy/merge.js';

/**
 * The merge's rule with nothing skipped: after every push (once the hold is over) the watermark from
 * every symbol (its last time, or its stream's watermark where that is later), and every held trade
 * before it handed out in (ts, symbol, arrival) order.
 */
class PlainMerge {
  private readonly queues = new Map<string, { trades: [number, number][]; last: number; wall: number; source: string }>();
  private readonly marks = new Map<string, number>();
  private holdUntil = Number.NaN;
  private lastPush = Number.NEGATIVE_INFINITY;
  readonly out: [string, number, number][] = [];
  constructor(
    private readonly lateness: number,
    private readonly expected: readonly string[],
    private readonly now: () => number,
  ) {
    for (const s of expected) this.queue(s);
  }
  private queue(s: string) {
    let q = this.queues.get(s);
    if (!q) this.queues.set(s, (q = { trades: [], last: Number.NEGATIVE_INFINITY, wall: this.now(), source: '' }));
    return q;
  }
  push(s: string, ts: number[], price: number[], source = '', watermark = Number.NaN): void {
    const now = this.now();
    if (now - this.lastPush > this.lateness) {
      // a start: a hold, or with the symbols given every known one waited for from now
      if (this.expected.length === 0) this.holdUntil = now + this.lateness;
      else for (const q of this.queues.values()) q.wall = now;
    }
    this.lastPush = now;
    const q = this.queue(s);
    q.source = source;
    if (watermark > (this.marks.get(source) ?? Number.NEGATIVE_INFINITY)) this.marks.set(source, watermark);
    ts.forEach((t, i) => q.trades.push([t, price[i]]));
    if (ts.length > 0) q.last = Math.max(q.last, ts[ts.length - 1]);
    q.wall = now;
    this.release();
  }
  release(all = this.lateness === 0): void {
    if (!all && this.now() < this.holdUntil) return;
    let mark = Number.POSITIVE_INFINITY;
    for (const q of this.queues.values()) {
      const past = Math.max(q.last, this.marks.get(q.source) ?? Number.NEGATIVE_INFINITY);
      if (q.wall >= this.now() - this.lateness && past < mark) mark = past;
    }
    const ready: [string, number, number, number][] = [];
    for (const [s, q] of this.queues) {
      let k = 0;
      while (k < q.trades.length && (all || q.trades[k][0] < mark)) k++;
      q.trades.splice(0, k).forEach(([t, p], i) => ready.push([s, t, p, i]));
    }
    ready.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[3] - b[3]));
    for (const [s, t, p] of ready) this.out.push([s, t, p]);
  }
}

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
    // watermark 2 (B's last): only what is before it (the symbols given: no hold at the start)
    expect(x.out).toEqual([['B', 1, 10]]);
    x.at(1000);
    x.release();
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

  it('at maxLatenessMs 0 waits for no symbol, whatever the clock reads: each batch goes out as it comes', () => {
    // a clock that reads the same twice (a coarse timer): the pushing symbol's last trade was held
    // until its next batch when the rule rested on the release reading a later time than the push
    for (const expected of [[], ['A', 'B']]) {
      const x = merge(0, expected);
      x.push('A', [1, 2]);
      expect(x.out).toEqual([
        ['A', 1, 10],
        ['A', 2, 20],
      ]);
      x.push('B', [1]);
      expect(x.out.slice(2)).toEqual([['B', 1, 10]]);
      expect(x.m.held).toBe(0);
    }
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

  it('given the symbols, holds nothing at the start: a trade goes out once every one is past it', () => {
    const x = merge(1000, ['A', 'B']);
    x.at(5000); // the engine waited long before the feed began
    x.push('A', [1, 3]);
    expect(x.out).toEqual([]); // B not yet: waited for from this start
    x.push('B', [2]);
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1']);
    x.push('B', [4]);
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'B2']); // A3 at the watermark (A's last) waits
    // a pause, then A alone: B is waited for maxLatenessMs from the restart, then left behind
    x.at(9000);
    x.push('A', [10]);
    x.at(9500);
    x.push('A', [11]);
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'B2', 'A3']); // B's 4 holds the rest
    x.at(10_001);
    x.push('A', [12]);
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'B2', 'A3', 'B4', 'A10', 'A11']);
  });

  it('hands trades out once a symbol falls silent, at the next push of any symbol', () => {
    const x = merge(500);
    x.push('A', [1]);
    x.push('B', [2]);
    x.at(400);
    x.push('B', [3]); // held: the first 500 ms
    x.at(600);
    x.push('B', [4]); // A silent since 0: the watermark is B's 4
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'B2', 'B3']);
    x.at(700);
    x.push('A', [5]);
    x.at(1000);
    x.push('B', [6]); // watermark min(5, 6)
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'B2', 'B3', 'B4']);
    x.at(1300);
    x.push('B', [7]); // A silent since 700: B's 7
    expect(x.out.map(([s, t]) => `${s}${t}`)).toEqual(['A1', 'B2', 'B3', 'B4', 'A5', 'B6']);
  });

  it('hands out what the plain rule does on random pushes, pauses and symbols falling silent', () => {
    const step = fc.oneof(
      {
        arbitrary: fc.record({
          push: fc.constantFrom('A', 'B', 'C', 'D'),
          n: fc.integer({ min: 0, max: 4 }),
          gap: fc.integer({ min: 0, max: 3 }),
          // the stream's watermark this batch carries, ahead of its last time by this much (none: no watermark)
          ahead: fc.option(fc.integer({ min: -2, max: 6 }), { nil: undefined }),
        }),
        weight: 6,
      },
      { arbitrary: fc.record({ wait: fc.constantFrom(100, 200, 300, 600) }), weight: 3 },
      { arbitrary: fc.constant({ release: true }), weight: 1 },
    );
    let handed = 0; // before the flush, over the runs: so the test cannot pass on runs that only hold
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 20, maxLength: 200 }),
        fc.constantFrom([], ['A', 'B']),
        fc.constantFrom(500, 500, 500, 0),
        (steps, expected, lateness) => {
          let wall = 0;
          const clock = () => wall;
          const fast = new TradeMerge(lateness, expected, clock);
          const plain = new PlainMerge(lateness, expected, clock);
          const out: [string, number, number][] = [];
          const sink = (s: string, ts: number, price: number) => void out.push([s, ts, price]);
          const last = new Map<string, number>();
          let id = 0;
          for (const x of steps) {
            if ('wait' in x) wall += x.wait;
            else if ('release' in x) {
              fast.release(sink);
              plain.release();
            } else {
              let t = last.get(x.push) ?? 0;
              const ts = Array.from({ length: x.n }, () => (t += x.gap));
              if (x.n > 0) last.set(x.push, t);
              const price = ts.map(() => ++id);
              // A and B share a stream, C has its own, D none (nor a watermark)
              const source = x.push === 'C' ? 's1' : x.push === 'D' ? '' : 's0';
              const watermark = x.ahead === undefined || source === '' ? Number.NaN : t + x.ahead;
              fast.push(
                x.push,
                ts,
                price,
                ts.map(() => 1),
                sink,
                source,
                watermark,
              );
              plain.push(x.push, ts, price, source, watermark);
            }
            expect(out).toEqual(plain.out);
          }
          handed += out.length;
          fast.flush(sink);
          plain.release(true);
          expect(out).toEqual(plain.out);
        },
      ),
      { numRuns: 600 },
    );
    expect(handed).toBeGreaterThan(4000);
  });

  it("a stream's watermark stands for its quiet symbols: trades before it go out without their next trade", () => {
    const wall = 0;
    const m = new TradeMerge(1000, ['A', 'B', 'C'], () => wall);
    const out: string[] = [];
    const sink = (s: string, ts: number) => void out.push(`${s}${ts}`);
    const push = (s: string, ts: number[], source: string, watermark = Number.NaN) =>
      m.push(
        s,
        ts,
        ts,
        ts.map(() => 1),
        sink,
        source,
        watermark,
      );
    push('B', [1], 's0');
    push('C', [1], 's1');
    push('A', [2, 3], 's0');
    expect(out).toEqual([]); // B and C have sent nothing past 1
    push('A', [4], 's0', 3.5); // s0 is past 3.5: B counts so; C (s1) is not
    expect(out).toEqual([]);
    push('C', [2], 's1', 9); // s1 past 9: the least is now s0's 3.5
    expect(out).toEqual(['B1', 'C1', 'A2', 'C2', 'A3']);
    push('B', [5], 's0', 3); // a watermark below what s0 gave leaves it at 3.5: A's 4 is the least
    expect(out).toHaveLength(5);
    push('A', [], 's0', 4.5); // no trade, s0 past 4.5: A counts so
    expect(out.slice(5)).toEqual(['A4']);
    push('C', [10], 's1', 100); // B's 5 now the least
    expect(out.slice(6)).toEqual([]);
    push('B', [], 's0', 7);
    expect(out.slice(6)).toEqual(['B5']);
    expect(m.held).toBe(1);
  });
});
