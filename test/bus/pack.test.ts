/** Packed entries (src/bus/transports/redis/pack.ts): the layout, its checks, and how a publish is packed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../src/bus/errors.js';
import { decodeFrame, encodeMessageFrame } from '../../src/bus/frames.js';
import { parseEntry } from '../../src/bus/transports/redis/fields.js';
import { encodePack, entryFrames, isPack, packEntries, splitPack } from '../../src/bus/transports/redis/pack.js';
import type { OutgoingEntry } from '../../src/bus/transports/types.js';
import { batchEntry, tradeEntry } from '../redis/helpers.js';

const message = (key: string, payload: unknown) => encodeMessageFrame({ type: 'NOTE', key, ts: 1, payload });
const seqd = (e: OutgoingEntry, seq: number): OutgoingEntry => ({ ...e, producer: 'p', seq });

describe('packed entries', () => {
  it('a pack holds its frames in order, each at a multiple of 8 bytes, and splits back to the same bytes', () => {
    const frames = [tradeEntry('a', 1).data, message('b', { x: 'odd length' }), batchEntry('c', 5, 3).data, message('', [1, 2])];
    const pack = encodePack(frames);
    expect(isPack(pack)).toBe(true);
    expect(pack.subarray(0, 5)).toEqual(Buffer.from([0x4b, 0x42, 0x50, 0x4b, 1]));
    expect(pack.readUInt32LE(8)).toBe(4);
    const parts = splitPack(pack);
    if (typeof parts === 'string') throw new Error(parts);
    expect(parts.map((p) => Buffer.from(p))).toEqual(frames.map((f) => Buffer.from(f)));
    for (const p of parts) expect((p.byteOffset - pack.byteOffset) % 8).toBe(0);
    expect(pack.length % 8).toBe(0);
    expect(decodeFrame(parts[2])).toMatchObject({ key: 'c', count: 3 });
    // entryFrames: a pack's frames, or the one frame an entry is
    expect(entryFrames(pack).map((f) => Buffer.from(f))).toEqual(frames.map((f) => Buffer.from(f)));
    expect(entryFrames(frames[0])).toEqual([frames[0]]);
    expect(isPack(frames[0])).toBe(false);
    // every byte as the format says, the padding zero, though the pack's memory is not zeroed first
    // (Node's pool, dirtied here)
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(1 + (i % 200)).fill(0xff);
    const pad = (n: number) => (n + 7) & ~7;
    const expected = Buffer.alloc(pad(16 + 4 * frames.length) + frames.reduce((n, f) => n + pad(f.length), 0));
    expected.writeUInt32LE(0x4b50424b, 0);
    expected[4] = 1;
    expected.writeUInt32LE(frames.length, 8);
    let at = pad(16 + 4 * frames.length);
    frames.forEach((f, i) => {
      expected.writeUInt32LE(f.length, 16 + 4 * i);
      expected.set(f, at);
      at += pad(f.length);
    });
    for (let r = 0; r < 20; r++) expect(encodePack(frames)).toEqual(expected);
  });

  it('a malformed pack is refused with its reason', () => {
    const pack = encodePack([tradeEntry('a', 1).data, tradeEntry('b', 2).data]);
    const bad = (edit: (b: Buffer) => Buffer) => splitPack(edit(Buffer.from(pack)));
    expect(bad((b) => b.subarray(0, 12))).toBe('malformed pack: 12 bytes, the header alone is 16');
    expect(
      bad((b) => {
        b[4] = 2;
        return b;
      }),
    ).toBe('malformed pack: unsupported version 2 (this reads 1)');
    expect(
      bad((b) => {
        b.writeUInt32LE(0, 8);
        return b;
      }),
    ).toBe('malformed pack: 0 frames, outside [1, 65536]');
    expect(
      bad((b) => {
        b[13] = 1;
        return b;
      }),
    ).toBe('malformed pack: reserved byte 13 is not zero');
    expect(bad((b) => b.subarray(0, b.length - 8))).toMatch(/^malformed pack: frame 1 of \d+ bytes runs past the pack's \d+$/);
    expect(bad((b) => Buffer.concat([b, Buffer.alloc(8)]))).toBe('malformed pack: 8 bytes after the last frame');
    expect(
      bad((b) => {
        b.writeUInt32LE(1e6, 8);
        return b;
      }),
    ).toBe('malformed pack: 1000000 frames, outside [1, 65536]');
    expect(() => entryFrames(Buffer.from('KBPK'))).toThrow(FrameError);
  });

  it('a publish packs into entries without a key twice, within the size limit; the pack carries its last seq and the messages', () => {
    const entries = [
      seqd(tradeEntry('a', 1), 1),
      seqd(batchEntry('b', 1, 4), 2),
      seqd(tradeEntry('a', 2), 3), // a again: a new pack
      seqd(tradeEntry('c', 1), 4),
    ];
    const { entries: out, sizes } = packEntries(entries, 1 << 20);
    expect(sizes).toEqual([2, 2]);
    expect(out.map((e) => [e.key, e.count, e.seq, e.producer])).toEqual([
      ['', 5, 2, 'p'],
      ['', 2, 4, 'p'],
    ]);
    expect(entryFrames(out[1].data).map((f) => decodeFrame(f).key)).toEqual(['a', 'c']);
    // a limit no two frames fit in (a pack of the two smallest is 24 + 2 x 64 bytes): every entry alone, as it was
    expect(entries.map((e) => e.data.length)).toEqual([64, 136, 64, 64]);
    expect(packEntries(entries, 152).sizes).toEqual([1, 1, 2]);
    const one = packEntries(entries, 151);
    expect(one.sizes).toEqual([1, 1, 1, 1]);
    expect(one.entries).toEqual(entries);
  });

  it('entries published before (a retry after an ambiguous failure) go alone, so that the pack stored covers them', () => {
    const entries = [1, 2, 3, 4, 5].map((i) => seqd(tradeEntry(`k${i}`, i), i));
    const { entries: out, sizes } = packEntries(entries, 1 << 20, 3);
    expect(sizes).toEqual([1, 1, 1, 2]);
    expect(out.slice(0, 3)).toEqual(entries.slice(0, 3));
    expect(out[3]).toMatchObject({ key: '', count: 2, seq: 5 });
  });
});

describe('packed entries against any bytes', () => {
  const fields = (d: Uint8Array, k: string, n: string) => [
    Buffer.from('d'),
    Buffer.from(d),
    Buffer.from('k'),
    Buffer.from(k),
    Buffer.from('n'),
    Buffer.from(n),
  ];
  const frames = [tradeEntry('a', 1).data, message('b', { x: 1 }), batchEntry('c', 5, 3).data];
  const pack = encodePack(frames);

  it('a damaged pack is refused with a reason, never thrown; an intact one gives its frames back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(pack.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
        fc.option(fc.nat(pack.length), { nil: undefined }),
        (edits, cut) => {
          const bytes = Buffer.from(pack);
          for (const { at, byte } of edits) bytes[at] = byte;
          const d = cut === undefined ? bytes : bytes.subarray(0, cut);
          const parts = parseEntry(fields(d, '', '5'), 1 << 20);
          // (an edit inside a frame's key, values or body may leave a valid pack: its three frames)
          if (typeof parts !== 'string') {
            expect(parts).toHaveLength(3);
            expect(parts.reduce((n, p) => n + p.count, 0)).toBe(5);
          } else expect(parts).toMatch(/^(malformed entry|packed entry)/);
          try {
            entryFrames(d);
          } catch (error) {
            expect(error).toBeInstanceOf(FrameError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('random bytes, with or without the magic, are refused with a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.string({ maxLength: 4 }), (tail, magic, k) => {
        const d = magic ? Buffer.concat([Buffer.from('KBPK'), Buffer.from(tail)]) : Buffer.from(tail);
        const parts = parseEntry(fields(d, k, String(tail.length)), 1 << 20);
        expect(typeof parts).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});
