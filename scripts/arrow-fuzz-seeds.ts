/**
 * Writes the seeds of the native Arrow reader's fuzz target (native/fuzz/seeds/fuzz_arrow/): small
 * files of both formats (numbers of every width, times, booleans, plain and dictionary strings with
 * nulls, several batches with dictionary replacements and deltas), pyarrow's LZ4 and ZSTD Feather
 * fixtures, and seeded damaged copies of the kinds of test/io/damaged.test.ts.
 *   npx tsx scripts/arrow-fuzz-seeds.ts
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';

const root = join(import.meta.dirname, '..');
const out = join(root, 'native', 'fuzz', 'seeds', 'fuzz_arrow');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let state = 12345;
const rand = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state / 4294967296;
};
const int = (n: number) => Math.floor(rand() * n);

const symType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
const words = ['AAPL', 'MSFT', '', 'é 日本'];
const part = (n: number, dict: string[]) =>
  new arrow.Table({
    f64: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i * 1.5)),
      new arrow.Float64(),
    ),
    i64: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => BigInt(i - 3)),
      new arrow.Int64(),
    ),
    u8: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i),
      new arrow.Uint8(),
    ),
    f32: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i / 4),
      new arrow.Float32(),
    ),
    ns: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => 1.7e12 + i),
      new arrow.TimestampNanosecond('UTC'),
    ),
    day: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => new Date(i * 86_400_000)),
      new arrow.DateDay(),
    ),
    ok: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i % 3 === 0),
      new arrow.Bool(),
    ),
    s: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => (i % 4 === 1 ? null : (words[i % words.length] as string))),
      new arrow.Utf8(),
    ),
    sym: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => dict[i % dict.length] as string),
      symType,
    ),
  });
const one = part(6, ['A', 'B']);
const two = new arrow.Table(one.schema, [...one.batches, ...part(5, ['C', 'A', 'D']).batches]);
const seeds: [string, Uint8Array][] = [
  ['one.arrow', arrow.tableToIPC(one, 'file')],
  ['one.arrows', arrow.tableToIPC(one, 'stream')],
  ['two.arrows', arrow.tableToIPC(two, 'stream')],
  ['empty.arrow', arrow.tableToIPC(new arrow.Table({ x: arrow.vectorFromArray([] as number[], new arrow.Float64()) }), 'file')],
];
for (const [name, bytes] of seeds) writeFileSync(join(out, name), bytes);
for (const name of ['pyarrow-lz4.feather', 'pyarrow-zstd.feather'])
  copyFileSync(join(root, 'test', 'fixtures', 'io', name), join(out, name));

// damaged copies: truncated, 1-20 bytes changed anywhere, 1-8 bytes changed in the last 4 KiB
for (const name of ['one.arrow', 'two.arrows', 'pyarrow-lz4.feather', 'pyarrow-zstd.feather']) {
  const bytes = new Uint8Array(readFileSync(join(out, name)));
  for (let k = 0; k < 3; k++) {
    writeFileSync(join(out, `truncated-${k}-${name}`), bytes.slice(0, int(bytes.length)));
    for (const tail of [false, true]) {
      const copy = bytes.slice();
      const from = tail ? Math.max(0, bytes.length - 4096) : 0;
      for (let c = 0, n = tail ? 1 + int(8) : 1 + int(20); c < n; c++) copy[from + int(bytes.length - from)] = int(256);
      writeFileSync(join(out, `${tail ? 'tail' : 'bytes'}-${k}-${name}`), copy);
    }
  }
}
