import { afterEach, describe, expect, it, vi } from 'vitest';
import { Batcher, decodeFrame, encodeTradesFrame, type BatchFrame, type TradesFrame } from '../../src/bus/index.js';
import type { StreamOf } from '../../src/bus/batcher.js';
import { nextTurn } from './helpers.js';

const T = 'TRADE_EXECUTION';

function collect(maxBatch = 4, lingerMs = 0) {
  const flushes: BatchFrame[][] = [];
  const batcher = new Batcher({ maxBatch, lingerMs }, (frames) => flushes.push(frames));
  const rows = (f: BatchFrame) => {
    const d = decodeFrame(f.data) as TradesFrame;
    return [...d.columns.ts];
  };
  return { batcher, flushes, rows };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Batcher', () => {
  it('flushes a key at maxBatch at once, the rest at the end of the turn', async () => {
    const { batcher, flushes, rows } = collect(4);
    for (let i = 0; i < 10; i++) batcher.addTrade(T, 'a', i, 100 + i, 1, undefined);
    batcher.addTrade(T, 'b', 100, 1, 1, undefined);
    // two full frames of 'a' went out synchronously
    expect(flushes.map((f) => f.map(rows))).toEqual([[[0, 1, 2, 3]], [[4, 5, 6, 7]]]);
    expect(batcher.pending).toBe(3);
    await nextTurn();
    expect(flushes.slice(2).map((f) => f.map(rows))).toEqual([[[8, 9], [100]]]);
    expect(flushes.slice(2)[0].map((f) => [f.key, f.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(batcher.pending).toBe(0);
  });

  it('quoted trades make a 5-column frame, NaN (no quote) in the rows without; the next frame starts plain', async () => {
    const { batcher, flushes } = collect(6);
    batcher.addTrade(T, 'a', 0, 10, 1, undefined);
    batcher.addTrade(T, 'a', 1, 11, 1, undefined, 10.9, 11.1);
    const ts = Float64Array.of(2, 3, 4);
    batcher.addRows(T, 'a', ts, Float64Array.of(12, 13, 14), Float64Array.of(1, 1, 1), undefined);
    batcher.addRows(
      T,
      'a',
      Float64Array.of(5, 6),
      Float64Array.of(15, 16),
      Float64Array.of(1, 1),
      undefined,
      Float64Array.of(14.9, 15.9),
      Float64Array.of(15.1, 16.1),
    );
    batcher.addTrade(T, 'a', 7, 17, 1, undefined);
    await nextTurn();
    const frames = flushes.flat().map((f) => (decodeFrame(f.data) as TradesFrame).columns);
    expect(frames.map((c) => [...c.ts])).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7],
    ]);
    expect([...frames[0].bid!]).toEqual([NaN, 10.9, NaN, NaN, NaN, 14.9]);
    expect([...frames[0].ask!]).toEqual([NaN, 11.1, NaN, NaN, NaN, 15.1]);
    // the second frame: row 6 quoted (the rest of the batch), row 7 not
    expect([...frames[1].bid!]).toEqual([15.9, NaN]);
    batcher.addTrade(T, 'a', 8, 18, 1, undefined);
    await nextTurn();
    expect((decodeFrame(flushes.flat()[2].data) as TradesFrame).columns.bid).toBeUndefined();
  });

  it('does not flush inside the publishing code, nor at its awaits: one frame per turn', async () => {
    const { batcher, flushes } = collect(1000);
    for (let i = 0; i < 5; i++) {
      batcher.addTrade(T, 'a', i, 1, 1, undefined);
      await Promise.resolve(); // a producer awaiting each publish stays in the same turn
    }
    expect(flushes).toHaveLength(0);
    await nextTurn();
    expect(flushes).toHaveLength(1);
    expect(flushes[0].map((f) => f.count)).toEqual([5]);
  });

  it("flushes everything at once for priority 'high', keeping per-key order", () => {
    const { batcher, flushes, rows } = collect(100);
    batcher.addTrade(T, 'a', 1, 1, 1, undefined);
    batcher.addTrade(T, 'b', 2, 1, 1, undefined);
    batcher.addMessage('RISK_ALERT', 'a', 5, { x: 1 }, undefined);
    batcher.addTrade(T, 'a', 3, 1, 1, 'high');
    expect(flushes).toHaveLength(1);
    const frames = flushes[0];
    expect(frames.map((f) => [f.type, f.key, f.count])).toEqual([
      ['RISK_ALERT', 'a', 1],
      [T, 'a', 2],
      [T, 'b', 1],
    ]);
    expect(rows(frames[1])).toEqual([1, 3]);
    expect(decodeFrame(frames[1].data).priority).toBe('high');
    expect(decodeFrame(frames[2].data).priority).toBe('normal');
    expect(batcher.pending).toBe(0);
  });

  it('waits lingerMs after the first pending message when set', async () => {
    vi.useFakeTimers();
    const { batcher, flushes } = collect(100, 5);
    batcher.addTrade(T, 'a', 1, 1, 1, undefined);
    vi.advanceTimersByTime(2);
    batcher.addTrade(T, 'a', 2, 1, 1, undefined);
    vi.advanceTimersByTime(2);
    expect(flushes).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(flushes.map((f) => f.map((x) => x.count))).toEqual([[2]]);
  });

  it('splits a batch into frames of maxBatch rows behind the key’s open rows', async () => {
    const { batcher, flushes, rows } = collect(4);
    batcher.addTrade(T, 'a', 0, 1, 1, undefined);
    const ts = Float64Array.from({ length: 9 }, (_, i) => i + 1);
    batcher.addRows(T, 'a', ts, ts, ts, undefined);
    await nextTurn();
    expect(flushes.flat().map(rows)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(batcher.pending).toBe(0);
  });

  it('puts a frame of a columnar key behind that key’s open rows', async () => {
    const { batcher, flushes } = collect(100);
    batcher.addTrade(T, 'a', 1, 1, 1, undefined);
    batcher.addTrade(T, 'b', 1, 1, 1, undefined);
    batcher.addFrame({ type: T, key: 'a', count: 7, data: new Uint8Array(8) }, undefined);
    expect(batcher.pending).toBe(9);
    await nextTurn();
    expect(flushes.flat().map((f) => [f.key, f.count])).toEqual([
      ['a', 1],
      ['a', 7],
      ['b', 1],
    ]);
  });

  it('keeps the order of many keys under random interleaving and reuses shrunken columns', async () => {
    const { batcher, flushes, rows } = collect(8);
    const keys = ['a', 'b', 'c', 'd'];
    const next = new Map(keys.map((k) => [k, 0]));
    let seed = 7;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 500; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const key = keys[seed % 4];
        batcher.addTrade(T, key, next.get(key)!, 1, 1, undefined);
        next.set(key, next.get(key)! + 1);
      }
      await nextTurn();
    }
    for (const key of keys) {
      const seen = flushes
        .flat()
        .filter((f) => f.key === key)
        .flatMap(rows);
      expect(seen).toEqual(Array.from({ length: next.get(key)! }, (_, i) => i));
    }
  });
});

describe('Batcher: rows held while their stream is busy', () => {
  it("keeps a held key's rows open at the end of the turn and flushHeld() sends them as one frame once released; the other keys go as usual", async () => {
    const busy = new Set(['a']);
    const flushes: BatchFrame[][] = [];
    const batcher = new Batcher(
      { maxBatch: 8, lingerMs: 0 },
      (frames) => flushes.push(frames),
      (_type, key) => busy.has(key),
    );
    const rows = (f: BatchFrame) => `${f.key}:${[...(decodeFrame(f.data) as TradesFrame).columns.ts].join(',')}`;
    batcher.addTrade(T, 'a', 1, 1, 1, undefined);
    batcher.addTrade(T, 'b', 1, 1, 1, undefined);
    await nextTurn();
    batcher.addTrade(T, 'a', 2, 1, 1, undefined);
    await nextTurn();
    expect(flushes.map((f) => f.map(rows))).toEqual([['b:1']]);
    expect(batcher.pending).toBe(2);
    batcher.flushHeld(); // still held
    expect(flushes).toHaveLength(1);
    busy.clear();
    batcher.addTrade(T, 'c', 1, 1, 1, undefined); // opened since: waits for its own flush
    batcher.flushHeld();
    expect(flushes.map((f) => f.map(rows))).toEqual([['b:1'], ['a:1,2']]);
    expect(batcher.pending).toBe(1);
    await nextTurn();
    expect(flushes.map((f) => f.map(rows))).toEqual([['b:1'], ['a:1,2'], ['c:1']]);
    expect(batcher.pending).toBe(0);
  });

  it("a held key still closes a frame at maxBatch, and flush() (all), a 'high' trade or a message on the key send its rows at once, in order", async () => {
    const flushes: BatchFrame[][] = [];
    const batcher = new Batcher(
      { maxBatch: 3, lingerMs: 0 },
      (frames) => flushes.push(frames),
      () => true,
    );
    const rows = (f: BatchFrame) =>
      f.type === T ? `${f.key}:${[...(decodeFrame(f.data) as TradesFrame).columns.ts].join(',')}` : `${f.key}:msg`;
    for (let i = 1; i <= 4; i++) batcher.addTrade(T, 'a', i, 1, 1, undefined);
    await nextTurn();
    expect(flushes.map((f) => f.map(rows))).toEqual([['a:1,2,3']]);
    batcher.flush();
    expect(flushes.map((f) => f.map(rows)).at(-1)).toEqual(['a:4']);
    batcher.addTrade(T, 'a', 5, 1, 1, undefined);
    batcher.addTrade(T, 'a', 6, 1, 1, 'high');
    expect(flushes.map((f) => f.map(rows)).at(-1)).toEqual(['a:5,6']);
    batcher.addTrade(T, 'a', 7, 1, 1, undefined);
    batcher.addFrame(
      {
        type: T,
        key: 'a',
        count: 1,
        data: encodeTradesFrame({ type: T, key: 'a', ts: Float64Array.of(8), price: Float64Array.of(1), volume: Float64Array.of(1) }),
      },
      undefined,
    );
    await nextTurn();
    expect(flushes.map((f) => f.map(rows)).at(-1)).toEqual(['a:7', 'a:8']);
    expect(batcher.pending).toBe(0);
  });
});

/** Streams of the keys of randomFlushes(): a, b | c, d | e. */
const streamOfKey = (key: string) => (key < 'c' ? 'X' : key < 'e' ? 'Y' : 'Z');

/**
 * 3,000 trades of random keys (ties in ts), random turns, streams busy (their rows held) and released,
 * frames full at 3 rows, and a watermark-only frame for every idle stream at each flush; the frames in
 * order and the last ts.
 */
async function randomFlushes(seed: number, streamMarks: boolean): Promise<{ all: TradesFrame[]; ts: number }> {
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const busy = new Set<string>();
  const flushes: BatchFrame[][] = [];
  const batcher = new Batcher(
    { maxBatch: 3, lingerMs: 0, watermarks: true, idleWatermarkMs: 1e-9, streamMarks },
    (out) => flushes.push(out),
    (_type, key) => busy.has(key),
    (_type, key) => streamOfKey(key),
  );
  const keys = ['a', 'b', 'c', 'd', 'e'];
  let ts = 0;
  for (let step = 0; step < 3000; step++) {
    ts += rand(3) === 0 ? 0 : 1 + rand(2);
    batcher.addTrade(T, keys[rand(keys.length)], ts, 1, 1, undefined);
    const r = rand(40);
    if (r === 0) await nextTurn();
    else if (r === 1) busy.add(keys[rand(keys.length)]);
    else if (r === 2) {
      busy.clear();
      batcher.flushHeld();
    }
  }
  busy.clear();
  batcher.flush();
  return { all: flushes.flat().map((f) => decodeFrame(f.data) as TradesFrame), ts };
}

describe('Batcher: watermarks', () => {
  /** A batcher with watermarks (per stream with `streams`) and its frames so far, decoded. */
  const marked = (
    maxBatch: number,
    hold: (key: string) => boolean = () => false,
    streams?: { streamMarks: boolean; streamOf: StreamOf },
  ) => {
    const flushes: BatchFrame[][] = [];
    const batcher = new Batcher(
      { maxBatch, lingerMs: 0, watermarks: true, streamMarks: streams?.streamMarks },
      (frames) => flushes.push(frames),
      (_type, key) => hold(key),
      streams?.streamOf,
    );
    const frames = () => flushes.flat().map((f) => decodeFrame(f.data) as TradesFrame);
    return { batcher, frames };
  };

  it("each frame's watermark: the least ts still pending once it is sent, or the latest ts published", async () => {
    const { batcher, frames } = marked(8);
    batcher.addTrade(T, 'a', 1, 1, 1, undefined);
    batcher.addTrade(T, 'b', 2, 1, 1, undefined);
    batcher.addTrade(T, 'a', 3, 1, 1, undefined);
    await nextTurn();
    // a goes first: b's row at 2 is still pending then; after b nothing is
    expect(frames().map((f) => [f.key, [...f.columns.ts], f.watermark])).toEqual([
      ['a', [1, 3], 2],
      ['b', [2], 3],
    ]);
    batcher.addRows(T, 'c', Float64Array.of(3, 4), Float64Array.of(1, 1), Float64Array.of(1, 1), undefined);
    await nextTurn();
    expect(frames().at(-1)!.watermark).toBe(4);
  });

  it('a stream silent for idleWatermarkMs gets a watermark-only frame at a flush, once its watermark moved on', async () => {
    const flushes: BatchFrame[][] = [];
    // keys a* on stream A, b* on stream B
    const batcher = new Batcher(
      { maxBatch: 8, lingerMs: 0, watermarks: true, idleWatermarkMs: 5 },
      (frames) => flushes.push(frames),
      () => false,
      (_type, key) => key[0].toUpperCase(),
    );
    const sleep = () => new Promise((resolve) => setTimeout(resolve, 10));
    const step = async (ts: number) => {
      batcher.addTrade(T, 'a1', ts, 1, 1, undefined);
      await nextTurn();
      return flushes.at(-1)!.map((f) => {
        const d = decodeFrame(f.data) as TradesFrame;
        return [d.key, d.count, d.watermark];
      });
    };
    batcher.addTrade(T, 'b1', 1, 1, 1, undefined);
    expect(await step(1)).toEqual([
      ['b1', 1, 1],
      ['a1', 1, 1],
    ]);
    await sleep();
    expect(await step(5)).toEqual([
      ['a1', 1, 5],
      ['b1', 0, 5],
    ]);
    // B had one 5 ms ago: not yet again
    expect(await step(6)).toEqual([['a1', 1, 6]]);
    await sleep();
    expect(await step(6)).toEqual([
      ['a1', 1, 6],
      ['b1', 0, 6],
    ]);
    // the watermark did not move since B's last frame
    await sleep();
    expect(await step(6)).toEqual([['a1', 1, 6]]);
    expect(batcher.pending).toBe(0);
  });

  it('no frame is followed by a trade older than its watermark: random keys, ties, held streams, full frames', async () => {
    const { all, ts } = await randomFlushes(11, false);
    expect(all.reduce((n, f) => n + f.count, 0)).toBe(3000);
    expect(all.filter((f) => f.count === 0).length).toBeGreaterThan(50);
    let later = Number.POSITIVE_INFINITY;
    // from the end: the least ts of every frame after each
    for (let i = all.length - 1; i >= 0; i--) {
      expect(all[i].watermark).toBeLessThanOrEqual(later);
      later = Math.min(later, ...all[i].columns.ts);
    }
    expect(all.at(-1)!.watermark).toBe(ts);
  });

  it("with streamMarks a frame's watermark counts only its own stream's pending rows", async () => {
    for (const streamMarks of [false, true]) {
      // keys a* on stream A, b* on stream B
      const { batcher, frames } = marked(8, undefined, { streamMarks, streamOf: (_type, key) => key[0].toUpperCase() });
      batcher.addTrade(T, 'a1', 1, 1, 1, undefined);
      batcher.addTrade(T, 'b1', 2, 1, 1, undefined);
      batcher.addTrade(T, 'a2', 3, 1, 1, undefined);
      batcher.addTrade(T, 'b1', 4, 1, 1, undefined);
      await nextTurn();
      const marks = frames().map((f) => [f.key, f.watermark]);
      // a1's frame: a2's row at 3 is pending on A either way; b1's row at 2 only type-wide
      expect(marks).toEqual(
        streamMarks
          ? [
              ['a1', 3],
              ['b1', 4],
              ['a2', 4],
            ]
          : [
              ['a1', 2],
              ['b1', 3],
              ['a2', 4],
            ],
      );
    }
  });

  it('with streamMarks no frame is followed on its stream by a trade older than its watermark: random keys, ties, held streams, full frames', async () => {
    const { all, ts } = await randomFlushes(23, true);
    expect(all.reduce((n, f) => n + f.count, 0)).toBe(3000);
    // per stream, from the end: the least ts of every later frame on it; and how often a frame's
    // watermark is above a later frame's trade on another stream (what the type-wide rule forbids)
    const later = new Map<string, number>();
    let laterAnywhere = Number.POSITIVE_INFINITY;
    let aboveOthers = 0;
    for (let i = all.length - 1; i >= 0; i--) {
      const stream = streamOfKey(all[i].key);
      expect(all[i].watermark).toBeLessThanOrEqual(later.get(stream) ?? Number.POSITIVE_INFINITY);
      if (all[i].watermark > laterAnywhere) aboveOthers++;
      const least = Math.min(...all[i].columns.ts);
      later.set(stream, Math.min(later.get(stream) ?? Number.POSITIVE_INFINITY, least));
      laterAnywhere = Math.min(laterAnywhere, least);
    }
    expect(aboveOthers).toBeGreaterThan(100);
    expect(all.at(-1)!.watermark).toBe(ts);
  });

  it('without the option frames carry none (NaN), their bytes as before', async () => {
    const { batcher, flushes } = collect(8);
    batcher.addTrade(T, 'a', 1, 1, 1, undefined);
    await nextTurn();
    const f = decodeFrame(flushes[0][0].data) as TradesFrame;
    expect(f.watermark).toBeNaN();
    expect(flushes[0][0].data).toEqual(
      encodeTradesFrame({
        type: T,
        key: 'a',
        ts: Float64Array.of(1),
        price: Float64Array.of(1),
        volume: Float64Array.of(1),
        sentAt: f.sentAt,
      }),
    );
  });
});
