import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeMessageFrame,
  encodeTradesFrame,
  FRAME_HEADER_BYTES,
  FrameError,
  MAX_FRAME_ROWS,
  parseFrameHead,
  validateFrame,
  type TradesFrame,
} from '../../src/bus/index.js';
import { encodeMessageWithLabel, FLAG_LOCAL, frameLabel } from '../../src/bus/frames.js';
import { KernelInputError } from '../../src/errors.js';
import { FrameTrades } from '../../src/kernels/frame-trades.js';

const trades = {
  type: 'TRADE_EXECUTION',
  key: 'AAPL',
  ts: new Float64Array([1000, 1001, 1002]),
  price: new Float64Array([10.5, 10.25, -0]),
  volume: new Float64Array([100, 0, 3.5]),
  sentAt: 1234.5,
};

/** `bytes` copied to offset `offset` of a fresh buffer. */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const copy = new Uint8Array(bytes.length + offset);
  copy.set(bytes, offset);
  return copy.subarray(offset);
}

describe('a parsed head handed to decodeFrame', () => {
  it('decodes to the same frame as the bytes alone, and is refused where the bytes are', () => {
    const quoted = { ...trades, bid: new Float64Array([10, 10, 10]), ask: new Float64Array([11, 11, 11]), watermark: 999 };
    const frames = [
      encodeTradesFrame(trades),
      at(encodeTradesFrame(trades), 3),
      at(encodeTradesFrame(quoted), 5),
      encodeMessageFrame({ type: 'VPIN_CALCULATION', key: 'AAPL', payload: { vpin: 0.4 }, ts: 7, sentAt: 8 }),
    ];
    const plain = (f: ReturnType<typeof decodeFrame>) =>
      f.kind === 'trades'
        ? {
            ...f,
            columns: {
              ts: [...f.columns.ts],
              price: [...f.columns.price],
              volume: [...f.columns.volume],
              bid: f.columns.bid && [...f.columns.bid],
            },
          }
        : f;
    for (const bytes of frames) {
      const head = parseFrameHead(bytes);
      expect(plain(decodeFrame(bytes, undefined, head))).toEqual(plain(decodeFrame(bytes)));
      expect(head).toMatchObject({ key: 'AAPL', sentAt: bytes === frames[3] ? 8 : 1234.5 });
    }
    const cut = frames[0].subarray(0, frames[0].length - 8);
    expect(() => parseFrameHead(cut)).toThrow(FrameError);
    expect(() => decodeFrame(cut)).toThrow(FrameError);
  });
});

describe('trade frames', () => {
  it('has the documented byte layout', () => {
    const frame = encodeTradesFrame({ ...trades, priority: 'high' });
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    expect([...frame.subarray(0, 4)]).toEqual([0x4b, 0x42, 0x46, 0x52]); // "KBFR"
    expect(frame[4]).toBe(1); // version
    expect(frame[5]).toBe(1); // kind TRADES
    expect(frame[6]).toBe(1); // flags: high
    expect(frame[7]).toBe(3); // columns
    expect(view.getUint32(8, true)).toBe(3);
    expect(view.getUint16(12, true)).toBe(15);
    expect(view.getUint16(14, true)).toBe(4);
    expect(view.getFloat64(16, true)).toBe(1234.5);
    expect(new TextDecoder().decode(frame.subarray(24, 43))).toBe('TRADE_EXECUTIONAAPL');
    // 24 + 19 = 43 -> body at 48, padding 43..47 zero
    expect([...frame.subarray(43, 48)]).toEqual([0, 0, 0, 0, 0]);
    expect(frame.length).toBe(48 + 3 * 3 * 8);
    expect(view.getFloat64(48, true)).toBe(1000);
    expect(view.getFloat64(48 + 24, true)).toBe(10.5);
    expect(view.getFloat64(48 + 48 + 16, true)).toBe(3.5);
  });

  it('round-trips exactly, -0 and NaN included, with views into the frame (zero copy)', () => {
    const withNaN = { ...trades, price: new Float64Array([NaN, Infinity, -0]) };
    const frame = encodeTradesFrame(withNaN);
    const decoded = decodeFrame(frame) as TradesFrame;
    expect(decoded.kind).toBe('trades');
    expect(decoded).toMatchObject({ type: 'TRADE_EXECUTION', key: 'AAPL', priority: 'normal', sentAt: 1234.5, count: 3, copied: false });
    expect([...decoded.columns.ts]).toEqual([1000, 1001, 1002]);
    expect(Number.isNaN(decoded.columns.price[0])).toBe(true);
    expect(decoded.columns.price[1]).toBe(Infinity);
    expect(Object.is(decoded.columns.price[2], -0)).toBe(true);
    expect([...decoded.columns.volume]).toEqual([100, 0, 3.5]);
    for (const column of [decoded.columns.ts, decoded.columns.price, decoded.columns.volume]) {
      expect(column.buffer).toBe(frame.buffer);
    }
    // A write through the view is visible in the frame: it is the same memory.
    decoded.columns.volume[0] = 7;
    expect(new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getFloat64(48 + 48, true)).toBe(7);
  });

  it('views in place at any 8-byte aligned offset; unaligned, a FrameTrades over the bytes, copied once only when a column is read', () => {
    const frame = encodeTradesFrame(trades);
    const aligned = decodeFrame(at(frame, 16)) as TradesFrame;
    expect(aligned.copied).toBe(false);
    expect(aligned.columns.ts.byteOffset).toBe(16 + 48);
    for (const offset of [1, 3, 4, 7]) {
      const bytes = at(frame, offset);
      let copies = 0;
      const decoded = decodeFrame(bytes, () => copies++) as TradesFrame;
      expect(decoded.copied).toBe(false);
      expect(decoded.lastTs).toBe(1002);
      const columns = decoded.columns as FrameTrades;
      expect(columns).toBeInstanceOf(FrameTrades);
      // the bytes in place: the received buffer, at the body's offset, nothing copied yet
      expect(columns.bytes.buffer).toBe(bytes.buffer);
      expect(columns.bytes.byteOffset).toBe(offset + 48);
      expect([columns.rows, columns.copied, copies]).toEqual([3, false, 0]);
      // the first read of a column copies the three once; later reads reuse the copy
      expect([...decoded.columns.price]).toEqual([10.5, 10.25, -0]);
      expect(Object.is(decoded.columns.price[2], -0)).toBe(true);
      expect(decoded.columns.volume.buffer).toBe(decoded.columns.ts.buffer);
      expect(decoded.columns.ts.buffer).not.toBe(bytes.buffer);
      expect([columns.copied, copies]).toEqual([true, 1]);
    }
  });

  it('unaligned copies stay intact while more are decoded', () => {
    const rows = (n: number, seed: number) => {
      const ts = Float64Array.from({ length: n }, (_, i) => seed * 1e6 + i);
      return encodeTradesFrame({ type: 'TRADE_EXECUTION', key: `K${seed}`, ts, price: ts.map((x) => x / 2), volume: ts.map((x) => x % 7) });
    };
    const kept = Array.from({ length: 2000 }, (_, k) => {
      const n = 1 + ((k * 97) % 600);
      const decoded = decodeFrame(at(rows(n, k), 1 + (k % 7))) as TradesFrame;
      void decoded.columns.ts; // copied now
      return { n, k, decoded };
    });
    for (const { n, k, decoded } of kept) {
      expect(decoded.count).toBe(n);
      const { ts, price, volume } = decoded.columns;
      expect(ts.byteOffset % 8).toBe(0);
      expect([ts[0], ts[n - 1], price[n - 1], volume[n - 1]]).toEqual([
        k * 1e6,
        k * 1e6 + n - 1,
        (k * 1e6 + n - 1) / 2,
        (k * 1e6 + n - 1) % 7,
      ]);
    }
  });

  it('decodes frames held in a SharedArrayBuffer in place', () => {
    const frame = encodeTradesFrame(trades);
    const shared = new Uint8Array(new SharedArrayBuffer(frame.length + 8), 8);
    shared.set(frame);
    const decoded = decodeFrame(shared) as TradesFrame;
    expect(decoded.copied).toBe(false);
    expect(decoded.columns.ts.buffer).toBe(shared.buffer);
    expect([...decoded.columns.ts]).toEqual([1000, 1001, 1002]);
  });

  it('encodes zero rows and UTF-8 keys', () => {
    const empty = new Float64Array(0);
    const frame = encodeTradesFrame({
      type: 'TRADE_EXECUTION',
      key: 'Société Générale €',
      ts: empty,
      price: empty,
      volume: empty,
      sentAt: 1,
    });
    const decoded = decodeFrame(frame) as TradesFrame;
    expect(decoded.key).toBe('Société Générale €');
    expect(decoded.count).toBe(0);
    expect(frame.length % 8).toBe(0);
  });

  it('carries a watermark after the columns (flags bit 1), 3 or 5 columns, aligned or not; NaN: none', () => {
    const plain = encodeTradesFrame(trades);
    const frame = encodeTradesFrame({ ...trades, watermark: 1001.5 });
    expect(frame[6]).toBe(2);
    expect(frame.length).toBe(plain.length + 8);
    expect(new DataView(frame.buffer, frame.byteOffset).getFloat64(frame.length - 8, true)).toBe(1001.5);
    expect(frame.subarray(8, plain.length)).toEqual(plain.subarray(8));
    for (const offset of [0, 3]) {
      const d = decodeFrame(at(frame, offset)) as TradesFrame;
      expect([d.watermark, d.lastTs, [...d.columns.ts], [...d.columns.volume]]).toEqual([1001.5, 1002, [1000, 1001, 1002], [100, 0, 3.5]]);
    }
    const quoted = encodeTradesFrame({ ...trades, bid: Float64Array.of(1, 2, 3), ask: Float64Array.of(4, 5, 6), watermark: -3 });
    const q = decodeFrame(quoted) as TradesFrame;
    expect([q.watermark, [...q.columns.ask!]]).toEqual([-3, [4, 5, 6]]);
    expect((decodeFrame(plain) as TradesFrame).watermark).toBeNaN();
    expect(encodeTradesFrame({ ...trades, watermark: Number.NaN })).toEqual(plain);
    expect(() => encodeTradesFrame({ ...trades, watermark: '1' as unknown as number })).toThrow(
      /^input.watermark: expected a number \(epoch ms\) or undefined, got "1"/,
    );
  });

  it('rejects bad input with KernelInputError naming the argument', () => {
    expect(() => encodeTradesFrame({ ...trades, price: new Float64Array(2) })).toThrow(KernelInputError);
    expect(() => encodeTradesFrame({ ...trades, price: new Float64Array(2) })).toThrow(/input.price: expected length 3/);
    expect(() => encodeTradesFrame({ ...trades, type: '' })).toThrow(/^type: expected a non-empty string/);
    expect(() => encodeTradesFrame({ ...trades, key: 'k'.repeat(1025) })).toThrow(
      /^key: expected at most 1024 UTF-8 bytes, got 1025 bytes/,
    );
    expect(() => encodeTradesFrame({ ...trades, type: 't'.repeat(256) })).toThrow(/^type: expected at most 255 UTF-8 bytes/);
    expect(() => decodeFrame([1, 2, 3] as unknown as Uint8Array)).toThrow(/^bytes: expected a Uint8Array, got an Array of length 3/);
  });
});

describe('trade frames with quotes (5 columns)', () => {
  const quoted = { ...trades, bid: new Float64Array([10.5, 10.2, NaN]), ask: new Float64Array([10.6, 10.25, NaN]) };

  it('has the documented layout: columns byte 5, bid then ask after volume', () => {
    const frame = encodeTradesFrame(quoted);
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    expect(frame[7]).toBe(5);
    expect(frame.length).toBe(48 + 5 * 3 * 8);
    expect(view.getFloat64(48 + 72, true)).toBe(10.5); // bid[0]
    expect(view.getFloat64(48 + 96 + 8, true)).toBe(10.25); // ask[1]
    expect(Number.isNaN(view.getFloat64(48 + 96 + 16, true))).toBe(true); // ask[2]: no quote
  });

  it('round-trips aligned (views) and unaligned (a FrameTrades copied once, the quotes with the rest)', () => {
    const frame = encodeTradesFrame(quoted);
    const aligned = decodeFrame(at(frame, 8)) as TradesFrame;
    expect(aligned.columns.bid!.buffer).toBe(aligned.columns.ts.buffer);
    expect([...aligned.columns.bid!]).toEqual([10.5, 10.2, NaN]);
    expect([...aligned.columns.ask!]).toEqual([10.6, 10.25, NaN]);
    expect([...aligned.columns.volume]).toEqual([100, 0, 3.5]);
    let copies = 0;
    const unaligned = decodeFrame(at(frame, 3), () => copies++) as TradesFrame;
    const columns = unaligned.columns as FrameTrades;
    expect(columns.bytes.length).toBe(72); // ts | price | volume in place, as the native kernels read them
    expect(columns.quoteBytes!.length).toBe(48);
    expect([...columns.ask!]).toEqual([10.6, 10.25, NaN]);
    expect([...columns.price]).toEqual([10.5, 10.25, -0]);
    expect([...columns.bid!]).toEqual([10.5, 10.2, NaN]);
    expect(copies).toBe(1);
    // a 3-column frame has none
    expect((decodeFrame(at(encodeTradesFrame(trades), 3)) as TradesFrame).columns.bid).toBeUndefined();
    expect((decodeFrame(encodeTradesFrame(trades)) as TradesFrame).columns.bid).toBeUndefined();
  });

  it('a 5-column body of the wrong length is malformed; bid without ask is refused when encoding', () => {
    const frame = encodeTradesFrame(quoted);
    const short = frame.slice();
    short[7] = 3;
    expect(() => decodeFrame(short)).toThrow(/^frame: length 168 != 120 for 3 rows$/);
    expect(() => encodeTradesFrame({ ...trades, bid: quoted.bid })).toThrow(/^input.ask: expected a Float64Array, got undefined$/);
    expect(() => encodeTradesFrame({ ...quoted, ask: new Float64Array(2) })).toThrow(
      /^input.ask: expected length 3 \(as input.ts\), got length 2$/,
    );
  });
});

describe('docs/wire-format.md', () => {
  const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  it('matches the documented examples byte for byte', () => {
    const trade = encodeTradesFrame({
      type: 'TRADE_EXECUTION',
      key: 'AAPL',
      ts: new Float64Array([1700000000000, 1700000000250]),
      price: new Float64Array([189.5, 189.52]),
      volume: new Float64Array([100, 300]),
      sentAt: 1700000000300.5,
    });
    expect(hex(trade)).toBe(
      '4b42465201010003020000000f000400' +
        '00c89256febc784254524144455f4558' +
        '45435554494f4e4141504c0000000000' +
        '00008056febc784200a08f56febc7842' +
        '0000000000b06740713d0ad7a3b06740' +
        '00000000000059400000000000c07240',
    );
    const alert = encodeMessageFrame({
      type: 'RISK_ALERT',
      key: 'AAPL',
      ts: 1700000000250,
      payload: { cdf: 0.995 },
      priority: 'high',
      sentAt: 1700000000300.5,
    });
    expect(hex(alert)).toBe(
      '4b42465201020100' +
        '1a0000000a000400' +
        '00c89256febc7842' +
        '5249534b5f414c45' +
        '52544141504c0000' +
        '92cb4278bcfe568f' +
        'a000de0001a36364' +
        '66cb3fefd70a3d70' +
        'a3d7',
    );
    const body = encodeMessageFrame({ type: 'X', key: '', ts: 0, payload: new Float64Array([1]), sentAt: 0 });
    expect(hex(body)).toContain('c7097408000000000000f03f'); // ext8, 9 bytes, type 't', code 8 (Float64), 1.0
  });
});

describe.each([
  ['plain', false],
  ['process-local', true],
])('message frames (msgpack with moreTypes), %s bodies', (_form, local) => {
  const roundTrip = (payload: unknown) => {
    const frame = local
      ? encodeMessageWithLabel(frameLabel('ANALYTICS_RESULT', 'k'), 'ANALYTICS_RESULT', undefined, 7, 42, payload, true)
      : encodeMessageFrame({ type: 'ANALYTICS_RESULT', key: 'k', ts: 42, payload, sentAt: 7 });
    expect(frame[6]).toBe(local ? FLAG_LOCAL : 0);
    const decoded = decodeFrame(frame);
    if (decoded.kind !== 'message') throw new Error('expected a message frame');
    expect(decoded).toMatchObject({ type: 'ANALYTICS_RESULT', key: 'k', ts: 42, sentAt: 7, count: 1, copied: false });
    // an unaligned copy of the frame decodes to the same
    const again = decodeFrame(at(frame, 3));
    expect(again.kind === 'message' && again.payload).toEqual(decoded.payload);
    return decoded.payload;
  };

  const typedArrays = [
    new Int8Array([-128, 0, 127]),
    new Uint8Array([0, 255]),
    new Uint8ClampedArray([0, 200]),
    new Int16Array([-32768, 32767]),
    new Uint16Array([65535]),
    new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
    new Uint32Array([2 ** 32 - 1]),
    new Float32Array([1.5, -0.25, NaN]),
    new Float64Array([Math.PI, -1e308, 5e-324, NaN, Infinity]),
    new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
    new BigUint64Array([2n ** 64n - 1n]),
  ];

  it.each(typedArrays.map((a) => [a.constructor.name, a] as const))('keeps a %s exactly', (_name, array) => {
    const out = roundTrip({ values: array }) as { values: ArrayLike<unknown> };
    expect(out.values.constructor).toBe(array.constructor);
    expect(out.values).toEqual(array);
  });

  it('keeps a Float64Array view with an offset (only the viewed elements)', () => {
    const base = new Float64Array([1, 2, 3, 4]);
    const out = roundTrip(base.subarray(1, 3)) as Float64Array;
    expect(out).toBeInstanceOf(Float64Array);
    expect([...out]).toEqual([2, 3]);
  });

  it('keeps every payload kind the engines publish', () => {
    const payloads: Record<string, unknown> = {
      MARKET_DATA: { bid: 10.1, ask: 10.2, bidSize: 300, askSize: 100, venue: 'XNAS' },
      PRICE_UPDATE: { price: 101.25, change: -0.5 },
      STRATEGY_SIGNAL: { side: 'buy', strength: 0.8, reasons: ['vpin', 'momentum'] },
      RISK_ALERT: { source: 'vpin', engine: 'vpin', bucket: 120, vpin: 0.41, cdf: 0.995, threshold: 0.99 },
      ENGINE_HEALTH: {
        engine: 'vpin',
        processed: 1e9,
        throughput: 3.2e6,
        latencyMs: { p50: 0.05, p99: 0.4, max: 2 },
        backlog: 0,
        keys: 100,
        uptimeMs: 1,
        possibleLoss: false,
      },
      PORTFOLIO_UPDATE: { weights: new Float64Array([0.25, 0.75]), symbols: ['A', 'B'], asOf: new Date(1_700_000_000_000) },
      ML_PREDICTION: { scores: new Float32Array([0.25, 0.5]), model: 'gbm-v3', features: null },
      VPIN_CALCULATION: { bucket: 0, endTs: 1.7e12, buyVolume: 500, sellVolume: 500, vpin: NaN, cdf: NaN },
      ANALYTICS_RESULT: { var95: -0.021, es95: -0.034, big: 2n ** 70n, tags: new Set(['eod']) },
      FACTOR_CALCULATION: { data: new Float64Array(6).map((_, i) => i / 7), rows: 2, cols: 3, names: ['mkt', 'size', 'value'] },
    };
    for (const [type, payload] of Object.entries(payloads)) {
      expect(roundTrip(payload), type).toEqual(payload);
    }
  });

  it('keeps scalars, strings, arrays and nesting', () => {
    for (const payload of [
      null,
      true,
      false,
      0,
      1,
      -1,
      2 ** 53,
      0.1,
      -1e-300,
      NaN,
      Infinity,
      -Infinity,
      '',
      'ü€😀',
      [],
      [1, [2, [3]]],
      { a: { b: { c: [1, 'x'] } } },
    ]) {
      expect(roundTrip(payload)).toEqual(payload);
    }
  });

  it('documents what msgpack does not keep: a -0 number arrives as 0, a Map as a plain object', () => {
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
    expect(Object.is((roundTrip(new Float64Array([-0])) as Float64Array)[0], -0)).toBe(true);
    expect(roundTrip(new Map([['a', 1]]))).toEqual({ a: 1 });
    expect(roundTrip(undefined)).toBe(undefined);
  });

  it('rejects a ts that is not a number, naming it', () => {
    expect(() => encodeMessageFrame({ type: 'X', key: 'k', ts: 'now' as unknown as number, payload: 1 })).toThrow(/^ts: expected a number/);
  });
});

describe('frame labels', () => {
  it('are made once per (type, key); frames stay right past the kept labels, and a bad type or key is still refused', () => {
    expect(frameLabel('ANALYTICS_RESULT', 'k')).toBe(frameLabel('ANALYTICS_RESULT', 'k'));
    expect(frameLabel('ANALYTICS_RESULT', 'k')).not.toBe(frameLabel('ANALYTICS_RESULT', 'k2'));
    expect(frameLabel('A', 'BC')).not.toBe(frameLabel('AB', 'C'));
    // more pairs than the labels kept (4096): every frame still carries its own type and key
    for (let i = 0; i < 10_000; i++) {
      const type = i % 2 === 0 ? 'BAR' : 'FEATURES_UPDATÉ';
      const key = `S${i % 5000}ü`;
      const decoded = decodeFrame(encodeMessageFrame({ type, key, ts: i, payload: { i }, sentAt: 1 }));
      expect(decoded.kind === 'message' && [decoded.type, decoded.key, decoded.payload]).toEqual([type, key, { i }]);
    }
    for (let round = 0; round < 2; round++) {
      expect(() => frameLabel('', 'k')).toThrow(KernelInputError);
      expect(() => frameLabel(7 as never, 'k')).toThrow(/type/);
      expect(() => frameLabel('T', undefined as never)).toThrow(/key/);
      expect(() => frameLabel('T', 'x'.repeat(70_000))).toThrow(/key/);
    }
  });
});

describe('malformed frames', () => {
  const good = encodeTradesFrame(trades);
  const goodMessage = encodeMessageFrame({ type: 'RISK_ALERT', key: 'AAPL', ts: 1, payload: { x: 1 }, sentAt: 0 });

  const mutate = (bytes: Uint8Array, edit: (copy: Uint8Array, view: DataView) => void) => {
    const copy = bytes.slice();
    edit(copy, new DataView(copy.buffer));
    return copy;
  };

  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /^frame: truncated: 0 bytes, the header alone is 24$/],
    ['truncated header', good.subarray(0, 23), /^frame: truncated: 23 bytes/],
    ['truncated body', good.subarray(0, good.length - 8), /^frame: length 112 != 120 for 3 rows$/],
    ['trailing bytes', at(new Uint8Array([...good, 0, 0, 0, 0, 0, 0, 0, 0]), 0), /^frame: length 128 != 120 for 3 rows$/],
    ['bad magic', mutate(good, (b) => (b[0] = 0x4a)), /^frame: bad magic 0x5246424a$/],
    ['bad version', mutate(good, (b) => (b[4] = 2)), /^frame: unsupported version 2 \(this reads 1\)$/],
    ['unknown kind', mutate(good, (b) => (b[5] = 9)), /^frame: unknown kind 9$/],
    ['reserved flags', mutate(good, (b) => (b[6] = 0x81)), /^frame: reserved flag bits set: 0x81$/],
    ['a watermark flag without the watermark', mutate(good, (b) => (b[6] = 2)), /^frame: length 120 != 128 for 3 rows and a watermark$/],
    [
      'a watermark flag on a message',
      mutate(goodMessage, (b) => (b[6] = 2)),
      /^frame: the watermark flag on kind 2 \(trade frames only\)$/,
    ],
    ['wrong column count', mutate(good, (b) => (b[7] = 4)), /^frame: kind 1 has 3 or 5 columns, header says 4$/],
    ['count beyond the buffer', mutate(good, (_b, v) => v.setUint32(8, 4, true)), /^frame: length 120 != 144 for 4 rows$/],
    ['absurd count', mutate(good, (_b, v) => v.setUint32(8, 0xffffffff, true)), new RegExp(`^frame: 4294967295 rows > ${MAX_FRAME_ROWS}$`)],
    ['zero type length', mutate(good, (_b, v) => v.setUint16(12, 0, true)), /^frame: type length 0 outside \[1, 255\]$/],
    ['type length too large', mutate(good, (_b, v) => v.setUint16(12, 300, true)), /^frame: type length 300 outside/],
    ['key length too large', mutate(good, (_b, v) => v.setUint16(14, 5000, true)), /^frame: key length 5000 > 1024$/],
    ['key length beyond the buffer', mutate(good, (_b, v) => v.setUint16(14, 1000, true)), /^frame: length 120 != /],
    ['non-zero padding', mutate(good, (b) => (b[45] = 1)), /^frame: padding byte 45 is not zero$/],
    ['invalid UTF-8 key', mutate(good, (b) => (b[FRAME_HEADER_BYTES + 15] = 0xff)), /^frame: key is not valid UTF-8$/],
    ['message body not msgpack', mutate(goodMessage, (b) => b.fill(0xc1, b.length - 4)), /^frame: msgpack body/],
    [
      'message body not [ts, payload]',
      encodeMessageFrame({ type: 'X', key: '', ts: 1, payload: 1 }).map((x, i, a) => (i === a.length - 3 ? 0x93 : x)),
      /^frame: /,
    ],
    [
      'message length beyond the buffer',
      mutate(goodMessage, (_b, v) => v.setUint32(8, v.getUint32(8, true) + 1, true)),
      /^frame: length \d+ != \d+ for a \d+-byte body$/,
    ],
  ];

  it.each(cases)('%s -> FrameError', (_name, bytes, message) => {
    expect(() => decodeFrame(bytes)).toThrow(FrameError);
    expect(() => decodeFrame(bytes)).toThrow(message);
    expect(() => validateFrame(bytes)).toThrow(FrameError);
  });

  it('fuzz: random bytes either decode or throw FrameError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.integer({ min: 0, max: 7 }), (bytes, offset) => {
        const input = at(bytes, offset);
        try {
          decodeFrame(input);
        } catch (error) {
          expect(error).toBeInstanceOf(FrameError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('fuzz: mutated valid frames either decode within bounds or throw FrameError', () => {
    const frames = [
      good,
      goodMessage,
      encodeMessageFrame({ type: 'PORTFOLIO_UPDATE', key: 'p', ts: 5, payload: { w: new Float64Array([1, 2]) } }),
      encodeTradesFrame({ ...trades, watermark: 999.5 }),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: -16, max: 16 }),
        fc.integer({ min: 0, max: 7 }),
        (frame, edits, resize, offset) => {
          let bytes: Uint8Array = frame.slice();
          for (const [position, value] of edits) bytes[position % bytes.length] = value;
          const length = Math.max(0, bytes.length + resize);
          const resized = new Uint8Array(length);
          resized.set(bytes.subarray(0, Math.min(length, bytes.length)));
          bytes = at(resized, offset);
          try {
            const decoded = decodeFrame(bytes);
            if (decoded.kind === 'trades') {
              // whatever decoded lies inside the given bytes
              expect(decoded.columns.ts.length).toBe(decoded.count);
              expect(24 * decoded.count + (Number.isNaN(decoded.watermark) ? 0 : 8)).toBeLessThanOrEqual(bytes.length);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(FrameError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('fuzz: any trade batch round-trips bit for bit at any offset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double(), fc.double(), fc.double()), { maxLength: 40 }),
        fc.string({ maxLength: 20 }),
        fc.integer({ min: 0, max: 15 }),
        (rows, key, offset) => {
          const col = (i: number) => new Float64Array(rows.map((r) => r[i]));
          const frame = encodeTradesFrame({ type: 'TRADE_EXECUTION', key, ts: col(0), price: col(1), volume: col(2), sentAt: 0 });
          const decoded = decodeFrame(at(frame, offset)) as TradesFrame;
          expect(decoded.key).toBe(key);
          expect(decoded.copied).toBe(false);
          expect(decoded.columns instanceof FrameTrades).toBe(offset % 8 !== 0);
          expect(Object.is(decoded.lastTs, rows.length ? rows[rows.length - 1][0] : NaN)).toBe(true);
          const bits = (a: Float64Array) => [...new BigUint64Array(a.slice().buffer)];
          expect(bits(decoded.columns.ts)).toEqual(bits(col(0)));
          expect(bits(decoded.columns.price)).toEqual(bits(col(1)));
          expect(bits(decoded.columns.volume)).toEqual(bits(col(2)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
