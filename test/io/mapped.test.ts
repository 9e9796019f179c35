/**
 * The readers' files are mapped copy-on-write (native/io/mapped_file.cpp, src/io/file-bytes.ts): the
 * bytes are the file's, a write to them (an Arrow column handed out as a view) never reaches the file,
 * and a CSV read in blocks that are views of the map equals the read of the same bytes in memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { readArrow, writeArrow } from '../../src/io/arrow.js';
import { readCsv, readCsvChunks } from '../../src/io/csv.js';
import { type ArrowNativeFile, type ArrowNativeRead, openArrowNative, readArrowNative } from '../../src/io/arrow-native.js';
import { mapFile, sourceBytes } from '../../src/io/file-bytes.js';

const binding = loadNative().binding;
const dir = mkdtempSync(join(tmpdir(), 'kernelbus-mapped-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether two arrays hold the same bytes (toEqual compares large arrays element by element, slowly). */
const same = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe.skipIf(!binding && !process.env.CI)('files mapped copy-on-write', () => {
  it('maps a file as its bytes; writes to the map stay private; a missing file gives null', () => {
    const path = join(dir, 'bytes.bin');
    const content = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) & 255);
    writeFileSync(path, content);
    const mapped = mapFile(path);
    expect(mapped).toBeInstanceOf(ArrayBuffer);
    const view = new Uint8Array(mapped as ArrayBuffer);
    expect(view).toEqual(content);
    view.fill(9);
    expect(new Uint8Array(readFileSync(path))).toEqual(content);
    expect(new Uint8Array(mapFile(path) as ArrayBuffer)).toEqual(content);
    expect(mapFile(join(dir, 'none.bin'))).toBeNull();
    expect(mapFile(dir)).toBeNull();
    writeFileSync(join(dir, 'empty.bin'), '');
    expect(mapFile(join(dir, 'empty.bin'))?.byteLength).toBe(0);
    expect(sourceBytes(path).bytes.buffer).not.toBe(content.buffer);
  });

  it('releaseMapped refuses memory that is not a mapping (it would zero it)', () => {
    expect(() => binding?.releaseMapped(new Uint8Array(1 << 16))).toThrow(
      /view: expected a Uint8Array over a mapped file, got other memory/,
    );
  });

  it('an Arrow column that is a view of the map can be written without changing the file or the next read', async () => {
    const path = join(dir, 'prices.arrow');
    const price = Float64Array.from({ length: 1000 }, (_, i) => 100 + i / 8);
    await writeArrow(path, { rows: 1000, names: ['price'], columns: { price }, types: { price: 'number' } });
    const before = readFileSync(path);
    const first = await readArrow(path);
    const column = first.columns.price as Float64Array;
    expect(column).toEqual(price);
    expect(column.buffer.byteLength).toBe(before.length); // a view of the whole file's bytes
    column.fill(-1);
    expect(readFileSync(path)).toEqual(before);
    expect((await readArrow(path)).columns.price).toEqual(price);
  });

  it("an Arrow read hands back the mapped pages of a column it converted; read again they are the file's", async () => {
    const path = join(dir, 'trades.arrow');
    const n = 100_000; // an int64 ts column of 800 KB
    const ts = Float64Array.from({ length: n }, (_, i) => 1.7e12 + i * 250);
    const price = Float64Array.from({ length: n }, (_, i) => 100 + (i % 1000) / 8);
    await writeArrow(path, { rows: n, names: ['ts', 'price'], columns: { ts, price }, types: { ts: 'time', price: 'number' } });
    const file = openArrowNative(sourceBytes(path)) as ArrowNativeFile;
    expect(file.mapped).toBe(true);
    // the ranges the decode reads: the int64 ts values, where they lie in the file
    const out = new Float64Array(n);
    const { read } = file.binding.arrowDecode(file.bytes, Int32Array.of(0), [out], -1);
    expect(same(out, ts)).toBe(true);
    expect(read).toHaveLength(2);
    const [at, length] = read as [number, number];
    expect(same(Float64Array.from(new BigInt64Array(file.bytes.slice(at, at + length).buffer), Number), ts)).toBe(true);
    // a private write to the pages wholly inside them (pages of up to 64 KiB: any OS's) is read, then
    // dropped by the read's release (a no-op on Windows); the next read of the same map has the file's
    const from = Math.ceil(at / 65536) * 65536;
    const to = Math.floor((at + length) / 65536) * 65536;
    expect(to - from).toBeGreaterThanOrEqual(65536 * 8);
    file.bytes.fill(0, from, to);
    const first = readArrowNative(file, ['ts', 'price']) as ArrowNativeRead;
    expect((first.table.columns.ts as Float64Array)[(from - at) / 8]).toBe(0);
    expect(same(first.table.columns.price as Float64Array, price)).toBe(true);
    (first.table.columns.price as Float64Array).fill(-1, 0, 10); // a write to the view of the same map
    const again = readArrowNative(file, ['ts', 'price']) as ArrowNativeRead;
    if (process.platform !== 'win32') {
      expect(same(file.bytes.subarray(from, to), readFileSync(path).subarray(from, to))).toBe(true);
      expect(same(again.table.columns.ts as Float64Array, ts)).toBe(true);
    }
    // the view's pages were kept: the write stands
    expect((again.table.columns.price as Float64Array).subarray(0, 11)).toEqual(
      Float64Array.of(...new Array(10).fill(-1), price[10] as number),
    );
    expect(same((await readArrow(path)).columns.ts as Float64Array, ts)).toBe(true);
  });

  it('a CSV read in blocks that are views of the map equals the read of the bytes in memory', async () => {
    const lines = ['ts,price,volume,symbol'];
    for (let i = 0; i < 20_000; i++)
      lines.push(`${1.7e12 + i * 250},${(100 + Math.sin(i) * 3).toFixed(4)},${1 + (i % 97)},${'ABCD'[i % 4]}`);
    const text = `${lines.join('\n')}\n`;
    const path = join(dir, 'tape.csv');
    writeFileSync(path, text);
    const fromBytes = await readCsv(new TextEncoder().encode(text));
    for (const blockBytes of [4096, 100_003, 1 << 22]) {
      const fromFile = await readCsv(path, { blockBytes });
      expect(fromFile.rows).toBe(20_000);
      for (const name of fromBytes.names) expect(fromFile.columns[name]).toEqual(fromBytes.columns[name]);
    }
  });

  it("parses a file's blocks of 1 MiB or more on the thread pool, the caller's bytes on the calling thread", async () => {
    const lines = ['ts,price,symbol'];
    for (let i = 0; i < 160_000; i++) lines.push(`${1.7e12 + i * 250},${(100 + Math.cos(i) * 3).toFixed(5)},${'WXYZ'[i % 4]}`);
    const text = `${lines.join('\n')}\n`; // ~4.1 MB
    const path = join(dir, 'async.csv');
    writeFileSync(path, text);
    const native = binding as NonNullable<typeof binding>;
    const original = native.csvParseBlockAsync;
    const sizes: number[] = [];
    native.csvParseBlockAsync = (bytes, ...rest) => {
      sizes.push(bytes.length);
      return original.call(native, bytes, ...rest);
    };
    try {
      const fromBytes = await readCsv(new TextEncoder().encode(text));
      expect(sizes).toEqual([]);
      const whole = await readCsv(path);
      expect(sizes).toEqual([text.length - 16]); // one block after the header
      const inBlocks = await readCsv(path, { blockBytes: 1 << 20 });
      // the blocks of 1 MiB (and a record carried over) off the loop: not the first (less its header) nor the rest
      expect(sizes.length).toBeGreaterThanOrEqual(3);
      expect(sizes.slice(1).every((n) => n >= 1 << 20 && n < (1 << 20) + 64)).toBe(true);
      // a read in chunks parses on the calling thread (its loop turns between chunks)
      const before = sizes.length;
      let chunked = 0;
      for await (const chunk of readCsvChunks(path, { chunkRows: 60_000 })) chunked += chunk.rows;
      expect(chunked).toBe(160_000);
      expect(sizes.length).toBe(before);
      // two reads at once: the second's blocks find the addon's threads busy and parse on their own
      const both = await Promise.all([readCsv(path), readCsv(path, { blockBytes: 1 << 20 })]);
      for (const t of [whole, inBlocks, ...both]) {
        expect(t.rows).toBe(160_000);
        for (const name of ['ts', 'price'])
          expect(same(t.columns[name] as Float64Array, fromBytes.columns[name] as Float64Array)).toBe(true);
        expect(t.columns.symbol).toEqual(fromBytes.columns.symbol);
      }
    } finally {
      native.csvParseBlockAsync = original;
    }
  });
});
