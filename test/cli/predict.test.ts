/**
 * `kernelbus predict --model m.txt <file> --out preds`: on a training set written by `kernelbus dataset`
 * from examples/tape.csv, the predictions, raw scores and SHAP values of examples/model.txt equal the
 * model's own predict() and contributions() on the file's feature columns, row by row and to the bit,
 * written as Parquet and as CSV, with the dataset's symbol, ts and t1; a multiclass model's p_<class>
 * and <class>:<feature> columns on a table whose columns come in another order; small read chunks and
 * model blocks give the same file; each bad input is one error naming its flag, file or column.
 */
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDataset } from '../../src/cli/dataset.js';
import { main } from '../../src/cli/main.js';
import { runPredict } from '../../src/cli/predict.js';
import { KernelInputError } from '../../src/errors.js';
import { readTable, type Table, type TableColumn, writeTable } from '../../src/io/index.js';
import { isText } from '../../src/io/types.js';
import type { Matrix } from '../../src/kernels/matrix.js';
import { loadModel, type Model } from '../../src/ml/index.js';

const root = join(import.meta.dirname, '..', '..');
const MODEL = join(root, 'examples', 'model.txt');
const dir = mkdtempSync(join(tmpdir(), 'kb-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DATASET = ['--bars', 'tick:10', '--events', 'cusum:0.002', '--vertical', '1h', '--indicators', 'rsi,macd'];
const DATASET_TAIL = ['--weights', 'uniqueness', '--folds', 'purged:3'];
/** The model as loadModel() gives it (the auto backend, as the command's default), and on the reference backend. */
let model: Model;
let reference: Model;
const ds = { parquet: join(dir, 'ds.parquet'), csv: join(dir, 'ds.csv') };
let table: Table;

beforeAll(async () => {
  for (const path of Object.values(ds)) {
    expect(await runDataset([join(root, 'examples', 'tape.csv'), ...DATASET, ...DATASET_TAIL, '--out', path], () => {})).toBe(0);
  }
  model = await loadModel(MODEL);
  reference = await loadModel(MODEL, { backend: 'reference' });
  table = await readTable(ds.parquet);
}, 60_000);

/** The model's features of `t`, row-major (an independent reading of the file: every column, by name). */
function featuresOf(t: Table, m: Model): Matrix {
  const F = m.features.length;
  const data = new Float64Array(t.rows * F);
  m.features.forEach((f, j) => {
    const c = t.columns[f] as Float64Array;
    for (let r = 0; r < t.rows; r++) data[r * F + j] = c[r];
  });
  return { data, rows: t.rows, cols: F };
}

const numbers = (c: TableColumn | undefined): number[] => {
  if (c === undefined || isText(c)) throw new Error('not a number column');
  return Array.from(c);
};
const texts = (c: TableColumn | undefined): string[] => {
  if (c === undefined || !isText(c)) throw new Error('not a text column');
  return Array.from(c.codes, (k) => c.values[k]);
};

/** Runs kernelbus predict in process: the exit code and the lines logged. */
async function predict(argv: string[], sizes = {}): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runPredict(argv, (l) => lines.push(l), sizes);
  return { code, lines };
}

/** The error runPredict throws for `argv`. */
async function failure(argv: string[]): Promise<KernelInputError> {
  const error = await runPredict(argv, () => {}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(KernelInputError);
  return error as KernelInputError;
}

describe('kernelbus predict', () => {
  it("on a dataset's parquet and csv, writes the symbol, ts, t1 and model.predict()'s value of each row, as parquet and csv", async () => {
    expect(table.rows).toBe(105);
    for (const [backend, m] of [
      ['auto', model],
      ['reference', reference],
    ] as const) {
      const want = m.predict(featuresOf(table, m)) as Float64Array;
      expect(want).toBeInstanceOf(Float64Array);
      // the probability of an up label: the first row is the one docs/ml.md shows (~0.9998)
      expect(want[0]).toBeCloseTo(0.9998, 4);
      for (const input of [ds.parquet, ds.csv]) {
        for (const ext of ['parquet', 'csv']) {
          const out = join(dir, `preds-${backend}.${ext}`);
          const { code, lines } = await predict(['--model', MODEL, input, '--out', out, '--backend', backend]);
          expect(code).toBe(0);
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(
            new RegExp(
              `^105 rows of ${input}: 4 columns \\(symbol, ts, t1, prediction\\) to ${out}, predictions of ${MODEL} \\(100 iterations\\): ` +
                `read [\\d.]+ ms, predict [\\d.]+ ms, write [\\d.]+ ms \\(${backend === 'auto' ? 'auto \\(\\w+\\)' : backend} backend\\)$`,
            ),
          );
          const got = await readTable(out);
          expect(got.names).toEqual(['symbol', 'ts', 't1', 'prediction']);
          expect(got.rows).toBe(105);
          expect(numbers(got.columns.prediction)).toEqual(Array.from(want));
          expect(texts(got.columns.symbol)).toEqual(texts(table.columns.symbol));
          expect(numbers(got.columns.ts)).toEqual(numbers(table.columns.ts));
          expect(numbers(got.columns.t1)).toEqual(numbers(table.columns.t1));
        }
      }
    }
  });

  it("--contributions writes model.contributions()'s columns (each feature, then bias); --raw --iterations 10 the raw scores", async () => {
    const X = featuresOf(table, model);
    const phi = model.contributions(X);
    expect(phi.columns).toEqual([...model.features, 'bias']);
    const out = join(dir, 'contrib.csv');
    expect((await predict(['--model', MODEL, ds.parquet, '--contributions', '--out', out])).code).toBe(0);
    const got = await readTable(out);
    expect(got.names).toEqual(['symbol', 'ts', 't1', ...model.features, 'bias']);
    phi.columns!.forEach((name, c) => {
      expect(numbers(got.columns[name])).toEqual(Array.from({ length: phi.rows }, (_, r) => phi.data[r * phi.cols + c]));
    });
    // they add up to the raw score
    const raw = model.predict(X, { raw: true }) as Float64Array;
    for (let r = 0; r < phi.rows; r++) {
      const sum = phi.columns!.reduce((s, name) => s + numbers(got.columns[name])[r], 0);
      expect(sum).toBeCloseTo(raw[r], 9);
    }
    const rawOut = join(dir, 'raw.parquet');
    expect((await predict(['--model', MODEL, ds.csv, '--raw', '--iterations', '10', '--out', rawOut])).code).toBe(0);
    const rawGot = await readTable(rawOut);
    expect(rawGot.names).toEqual(['symbol', 'ts', 't1', 'raw']);
    const want10 = model.predict(X, { raw: true, iterations: 10 }) as Float64Array;
    expect(numbers(rawGot.columns.raw)).toEqual(Array.from(want10));
    expect(want10[0]).not.toBe(raw[0]);
  });

  it('read in chunks of 7 rows and predicted in blocks of 5, the CSV gives the same file; --json says what it did', async () => {
    const whole = join(dir, 'whole.csv');
    const pieces = join(dir, 'pieces.csv');
    expect((await predict(['--model', MODEL, ds.csv, '--out', whole])).code).toBe(0);
    const { code, lines } = await predict(['--model', MODEL, ds.csv, '--out', pieces, '--json'], { chunkRows: 7, blockRows: 5 });
    expect(code).toBe(0);
    expect(readFileSync(pieces, 'utf8')).toBe(readFileSync(whole, 'utf8'));
    const summary = JSON.parse(lines.join('\n'));
    expect(summary).toMatchObject({
      input: ds.csv,
      model: MODEL,
      kind: 'lightgbm',
      classes: 1,
      iterations: 100,
      output: 'predict',
      rows: 105,
      columns: ['symbol', 'ts', 't1', 'prediction'],
      wrote: pieces,
      read: { format: 'csv', rows: 105, skippedRows: 0 },
    });
    expect(summary.features).toEqual(model.features);
  });

  it('a multiclass model on a table of its features in another order, with other columns: p_<class> and <class>:<feature> columns', async () => {
    const fixtures = JSON.parse(readFileSync(join(root, 'test', 'ml', 'fixtures', 'lightgbm.json'), 'utf8')) as {
      cases: { name: string; model: string; features: string[]; X: (number | string)[][] }[];
    };
    const c = fixtures.cases.find((x) => x.name === 'multiclass-3')!;
    const modelPath = join(dir, 'multiclass.txt');
    writeFileSync(modelPath, c.model);
    const m = await loadModel(modelPath);
    expect(m.classes).toBe(3);
    const value = (x: number | string) => (typeof x === 'number' ? x : x === 'NaN' ? Number.NaN : x === 'Infinity' ? Infinity : -Infinity);
    const X: Matrix = { data: Float64Array.from(c.X.flat(), value), rows: c.X.length, cols: c.features.length };
    // the features reversed, a text column and a number column that are not features, a time column
    const columns: Record<string, TableColumn> = {
      note: { codes: Int32Array.from({ length: X.rows }, (_, r) => r % 2), values: ['a', 'b'] },
      time: Float64Array.from({ length: X.rows }, (_, r) => 1_700_000_000_000 + 1000 * r),
      extra: new Float64Array(X.rows).fill(7),
    };
    const names = ['note', 'time', ...[...c.features].reverse(), 'extra'];
    c.features.forEach((f, j) => {
      columns[f] = Float64Array.from({ length: X.rows }, (_, r) => X.data[r * X.cols + j]);
    });
    const types = Object.fromEntries(names.map((n) => [n, n === 'note' ? 'text' : n === 'time' ? 'time' : 'number'] as const));
    const input = join(dir, 'multi.parquet');
    await writeTable(input, { rows: X.rows, names, columns, types });
    const want = m.predict(X) as Matrix;
    const out = join(dir, 'multi-preds.csv');
    expect((await predict(['--model', modelPath, input, '--out', out])).code).toBe(0);
    const got = await readTable(out);
    expect(got.names).toEqual(['time', 'p_0', 'p_1', 'p_2']);
    expect(numbers(got.columns.time)).toEqual(Array.from(columns.time as Float64Array));
    for (let k = 0; k < 3; k++)
      expect(numbers(got.columns[`p_${k}`])).toEqual(Array.from({ length: X.rows }, (_, r) => want.data[r * 3 + k]));
    const phi = m.contributions(X);
    const contribOut = join(dir, 'multi-contrib.parquet');
    expect((await predict(['--model', modelPath, input, '--contributions', '--out', contribOut])).code).toBe(0);
    const contrib = await readTable(contribOut);
    const F = c.features.length;
    expect(contrib.names).toEqual(['time', ...[0, 1, 2].flatMap((k) => [...c.features, 'bias'].map((f) => `${k}:${f}`))]);
    expect(contrib.names.slice(1)).toEqual(phi.columns);
    phi.columns!.forEach((name, j) => {
      expect(numbers(contrib.columns[name])).toEqual(Array.from({ length: X.rows }, (_, r) => phi.data[r * 3 * (F + 1) + j]));
    });
  });

  it('an ONNX model (where onnxruntime-node loads): its columns f0.. of a CSV, p_<class> equal to predictAsync(); no contributions', async (ctx) => {
    const file = join(root, 'test', 'ml', 'fixtures', 'onnx', 'softmax3.onnx');
    const m = await loadModel(file).catch(() => undefined);
    if (m === undefined) return ctx.skip('onnxruntime-node does not load here');
    expect([m.kind, m.classes]).toEqual(['onnx', 3]);
    const rows = 50;
    const F = m.features.length;
    const X: Matrix = { data: Float64Array.from({ length: rows * F }, (_, i) => Math.sin(i) * 3), rows, cols: F };
    const columns: Record<string, TableColumn> = { symbol: { codes: new Int32Array(rows), values: ['A'] } };
    m.features.forEach((f, j) => {
      columns[f] = Float64Array.from({ length: rows }, (_, r) => X.data[r * F + j]);
    });
    const input = join(dir, 'onnx.csv');
    await writeTable(input, { rows, names: ['symbol', ...m.features], columns, types: { symbol: 'text' } });
    const out = join(dir, 'onnx-preds.parquet');
    expect((await predict(['--model', file, input, '--out', out])).code).toBe(0);
    const got = await readTable(out);
    expect(got.names).toEqual(['symbol', 'p_0', 'p_1', 'p_2']);
    const want = (await m.predictAsync(X)) as Matrix;
    for (let k = 0; k < 3; k++)
      expect(numbers(got.columns[`p_${k}`])).toEqual(Array.from({ length: rows }, (_, r) => want.data[r * 3 + k]));
    expect((await failure(['--model', file, input, '--contributions', '--out', out])).message).toBe(
      `--contributions: expected a LightGBM model (an ONNX model has no contributions), got ${file}`,
    );
  });

  it('a missing feature column is one error naming it, the file and its columns, with the near name', async () => {
    const t = await readTable(ds.csv);
    const names = t.names.filter((n) => n !== 'macd_hist').map((n) => (n === 'macd_signal' ? 'macd_sgnal' : n));
    const columns = Object.fromEntries(names.map((n) => [n, t.columns[n === 'macd_sgnal' ? 'macd_signal' : n]]));
    const types = Object.fromEntries(names.map((n) => [n, t.types[n === 'macd_sgnal' ? 'macd_signal' : n]]));
    const input = join(dir, 'missing.csv');
    await writeTable(input, { rows: t.rows, names, columns, types });
    const error = await failure(['--model', MODEL, input, '--out', join(dir, 'x.csv')]);
    expect(error.message).toBe(
      `${input}: expected the model's features macd_signal (did you mean macd_sgnal?), macd_hist as columns, got the columns ${names.join(', ')}`,
    );
    const one = join(dir, 'one-missing.csv');
    const kept = t.names.filter((n) => n !== 'rsi');
    await writeTable(one, { rows: t.rows, names: kept, columns: t.columns, types: t.types });
    expect((await failure(['--model', MODEL, one, '--out', join(dir, 'x.csv')])).message).toBe(
      `${one}: expected the model's feature rsi as a column, got the columns ${kept.join(', ')}`,
    );
  });

  it('a feature column that is not numbers: named (the CSV reader: its line and field; a text column of a Parquet file)', async () => {
    const csv = readFileSync(ds.csv, 'utf8').split('\n');
    const header = csv[0].split(',');
    const at = header.indexOf('rsi');
    const row = csv[3].split(',');
    row[at] = 'high';
    csv[3] = row.join(',');
    const bad = join(dir, 'bad-rsi.csv');
    writeFileSync(bad, csv.join('\n'));
    const column = csv[3].split(',').slice(0, at).join(',').length + 2;
    expect((await failure(['--model', MODEL, bad, '--out', join(dir, 'x.csv')])).message).toBe(
      `${bad}:4:${column}: expected a number in column rsi, got "high"`,
    );
    const t = await readTable(ds.parquet);
    const columns = { ...t.columns, volume: { codes: new Int32Array(t.rows), values: ['many'] } };
    const text = join(dir, 'text-volume.parquet');
    await writeTable(text, { ...t, columns, types: { ...t.types, volume: 'text' } });
    expect((await failure(['--model', MODEL, text, '--out', join(dir, 'x.csv')])).message).toBe(
      `${text}: expected numbers in column volume (a feature of the model), got text`,
    );
  });

  it("bad flags: --iterations out of the model's range or not an integer, no --model, a missing model file, an unknown extension or --backend, --raw with --contributions", async () => {
    const out = join(dir, 'x.parquet');
    expect((await failure(['--model', MODEL, ds.csv, '--out', out, '--iterations', '0'])).message).toBe(
      '--iterations: expected an integer >= 1, got "0"',
    );
    expect((await failure(['--model', MODEL, ds.csv, '--out', out, '--iterations', '2.5'])).message).toBe(
      '--iterations: expected an integer >= 1, got "2.5"',
    );
    expect((await failure(['--model', MODEL, ds.csv, '--out', out, '--iterations', '101'])).message).toBe(
      `--iterations: expected an integer in [1, 100] (the model's iterations), got "101"`,
    );
    expect((await failure([ds.csv, '--out', out])).message).toBe('--model: expected a model file (--model m.txt), got nothing');
    expect((await failure(['--model', join(dir, 'nope.txt'), ds.csv, '--out', out])).message).toBe(
      `--model: expected a readable model file, got ${join(dir, 'nope.txt')} (ENOENT)`,
    );
    expect((await failure(['--model', MODEL, ds.csv, '--out', join(dir, 'x.xlsx')])).message).toBe(
      `--out: expected a file ending .csv, .tsv, .jsonl, .parquet or .arrow (.feather, .ipc; .csv.gz, .tsv.gz, .jsonl.gz), got "${join(dir, 'x.xlsx')}"`,
    );
    expect((await failure(['--model', MODEL, ds.csv])).message).toBe(
      '--out: expected a file to write (.parquet, .csv, ...; - for stdout), got nothing',
    );
    expect((await failure(['--model', MODEL, ds.csv, '--out', out, '--backend', 'gpu'])).message).toMatch(
      /^--backend: expected 'auto' or one of 'reference', 'native', .*, got "gpu"$/,
    );
    expect((await failure(['--model', MODEL, ds.csv, '--out', out, '--raw', '--contributions'])).message).toBe(
      '--raw: expected no --raw with --contributions (the contributions add up to the raw score), got --raw',
    );
  });

  it('is a command of kernelbus: its help, and its errors as one line on stderr with exit 2', async () => {
    const log = console.log;
    const error = console.error;
    const out: string[] = [];
    const err: string[] = [];
    console.log = (l: string) => out.push(l);
    console.error = (l: string) => err.push(l);
    try {
      expect(await main(['predict', '--help'])).toBe(0);
      expect(await main(['predict', '--model', MODEL, ds.csv, '--out', join(dir, 'x.csv'), '--iterations', 'many'])).toBe(2);
    } finally {
      console.log = log;
      console.error = error;
    }
    expect(out.join('\n')).toMatch(/^Usage: kernelbus predict --model m\.txt/);
    expect(err).toEqual(['kernelbus predict: --iterations: expected an integer >= 1, got "many"']);
  });
});
