/**
 * replay() at the tape's pace: `speed: 1` over 10 s of tape and `speed: 10` over 100 s of tape (run
 * side by side) each take 10 s within 5 %, and no trade goes out before its time on the tape's clock.
 */
import { expect, it, vi } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import type { Trades } from '../../src/index.js';
import { replay } from '../../src/replay/index.js';

const T0 = 1_790_000_000_000;

/** `n` trades `gap` ms apart, alternating `symbols` symbols (A, B). */
function tape(n: number, gap: number, symbols: 1 | 2 = 2) {
  const ts = Float64Array.from({ length: n }, (_, i) => T0 + i * gap);
  return {
    trades: { ts, price: new Float64Array(n).fill(50), volume: new Float64Array(n).fill(1) },
    symbols: { codes: Int32Array.from({ length: n }, (_, i) => i % symbols), values: ['A', 'B'].slice(0, symbols) },
  };
}

/**
 * Replays at `speed`; returns the wall ms it took and each trade's delivery time against its due time,
 * counted from the replay's call (`early`: before it, which is early on any clock that starts later) and
 * beyond the most punctual trade's (`late`: the pace's clock starts once the sources are open).
 */
async function paced(t: ReturnType<typeof tape>, speed: number) {
  const bus = createBus();
  const early: number[] = [];
  const late: number[] = [];
  const offsets: number[] = [];
  const start = performance.now();
  bus.subscribe<Trades>('TRADE_EXECUTION', (m) => {
    const now = performance.now() - start;
    for (const ts of m.payload.ts) {
      const due = (ts - T0) / speed;
      if (now < due) early.push(due - now);
      offsets.push(now - due);
    }
  });
  const summary = await replay(bus, t, { speed });
  await bus.close();
  const punctual = Math.min(...offsets);
  for (const offset of offsets) late.push(offset - punctual);
  return { ms: performance.now() - start, early, late, summary };
}

it('speed 1 and speed 10 hold the pace over 10 s within 5 %, never early', async () => {
  const [one, ten] = await Promise.all([paced(tape(1001, 10), 1), paced(tape(5001, 20), 10)]);
  for (const run of [one, ten]) {
    expect(run.ms).toBeGreaterThan(10_000);
    expect(run.ms).toBeLessThan(10_500);
    // a trade goes out once its time has come (within a timer's rounding of 1 ms), and soon after
    expect(run.early.filter((ms) => ms > 1)).toEqual([]);
    const sorted = [...run.late].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(10);
    console.log(
      `speed ${run.summary.trades === 1001 ? 1 : 10}: ${run.ms.toFixed(0)} ms, median lateness ${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ms, max lag ${run.summary.maxLagMs.toFixed(1)} ms`,
    );
  }
  expect(one.summary.trades).toBe(1001);
  expect(ten.summary.trades).toBe(5001);
}, 30_000);

it("the pace's clock starts with the first row in hand: time spent before it is not sent as a burst", async () => {
  // 20 trades 10 ms apart at speed 1; the replay's first clock reading is made to come 1 s before the
  // rest (as if opening the sources took that long): the rows still go out over their 190 ms, not at once
  const bus = createBus();
  const at: number[] = [];
  bus.subscribe<Trades>('TRADE_EXECUTION', (m) => {
    for (let i = 0; i < m.payload.ts.length; i++) at.push(performance.now());
  });
  const now = performance.now.bind(performance);
  let calls = 0;
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => now() - (calls++ === 0 ? 1000 : 0));
  try {
    await replay(bus, tape(20, 10), { speed: 1 });
  } finally {
    spy.mockRestore();
  }
  await bus.close();
  expect(calls).toBeGreaterThan(1);
  expect(at).toHaveLength(20);
  expect(at[19] - at[0]).toBeGreaterThan(150);
});

it('tickMs: a paced replay publishes at most one slice a tick, a frame a symbol each (0: a slice every turn)', async () => {
  // 2,000 trades of one symbol 0.25 ms apart: 500 ms of tape at speed 1
  const n = 2000;
  const t = tape(n, 0.25, 1);
  const frames = async (tickMs: number) => {
    const bus = createBus();
    let count = 0;
    let rows = 0;
    bus.subscribe<Trades>('TRADE_EXECUTION', (m) => {
      count++;
      rows += m.payload.ts.length;
    });
    const start = performance.now();
    await replay(bus, t, { speed: 1, tickMs });
    const ms = performance.now() - start;
    await bus.close();
    expect(rows).toBe(n);
    return { count, ms };
  };
  const ticked = await frames(10);
  const free = await frames(0);
  // a slice after each wait of >= 10 ms: at most one a tick of the run's wall time (plus the first)
  expect(ticked.count).toBeLessThanOrEqual(Math.floor(ticked.ms / 10) + 1);
  expect(ticked.count).toBeGreaterThan(1);
  // without a tick, a slice whenever a timer fires (about every ms): several times as many frames
  expect(free.count).toBeGreaterThan(2 * ticked.count);
});

it('tickMs: outside 0 to 1000 ms is refused, naming the option', async () => {
  const bus = createBus();
  for (const tickMs of [-1, 1001, Number.NaN, '1' as unknown as number])
    await expect(replay(bus, tape(2, 1), { speed: 1, tickMs })).rejects.toThrow(
      /^options\.tickMs: expected a number of ms from 0 to 1000, got/,
    );
  await bus.close();
});

it('tickMs: a slice cut short by sliceRows is followed at once, not a tick later', async () => {
  // 2,000 trades within 2 ms of tape at speed 1, 10 rows a slice: 200 slices, all due at once
  const n = 2000;
  const t = tape(n, 0.001, 1);
  const bus = createBus();
  let rows = 0;
  bus.subscribe<Trades>('TRADE_EXECUTION', (m) => {
    rows += m.payload.ts.length;
  });
  const start = performance.now();
  await replay(bus, t, { speed: 1, sliceRows: 10, tickMs: 50 });
  const ms = performance.now() - start;
  await bus.close();
  expect(rows).toBe(n);
  // a tick after each of the 200 slices would take 10 s
  expect(ms).toBeLessThan(2000);
});
