/**
 * The table work of `kernelbus predict` (./predict.ts): which columns of a file it reads (the model's
 * features by name, and the identifying columns it carries over), a chunk of rows into predictions
 * (one copy of the features, block by block into a row-major Matrix), and the output table.
 */
import { KernelInputError } from '../errors.js';
import { isText, type ColumnType, type Table, type TableColumn, type TextColumn } from '../io/types.js';
import type { ColumnPick } from '../io/read.js';
import type { Matrix } from '../kernels/matrix.js';
import type { Model } from '../ml/model.js';
import { nearest } from './options.js';

/**
 * The identifying columns carried from the input to the output when the file has them (names ignoring
 * case), in the file's order: what `kernelbus dataset` writes to tell its rows apart (the symbol, the
 * event's time ts and its label's end t1) and the usual names of a symbol or a time elsewhere.
 */
export const ID_COLUMNS: Readonly<Record<string, ColumnType>> = {
  symbol: 'text',
  sym: 'text',
  ticker: 'text',
  instrument: 'text',
  ts: 'time',
  t0: 'time',
  t1: 'time',
  time: 'time',
  timestamp: 'time',
  date: 'time',
  datetime: 'time',
};

/** What the command writes after the identifying columns. */
export type PredictOutput = 'predict' | 'raw' | 'contributions';

/** The columns a model's predictions fill: `prediction` (`raw`) or `p_<class>` (`raw_<class>`), or the SHAP values. */
export function outputColumns(model: Model, output: PredictOutput): string[] {
  if (output === 'contributions') {
    // named as model.contributions() names them (features then bias; `<class>:<feature>` per class)
    const F = model.features.length;
    return [...(model.contributions({ data: new Float64Array(F), rows: 1, cols: F }).columns ?? [])];
  }
  const prefix = output === 'raw' ? 'raw' : 'p';
  if (model.classes === 1) return [output === 'raw' ? 'raw' : 'prediction'];
  return Array.from({ length: model.classes }, (_, c) => `${prefix}_${c}`);
}

/** A file's columns for the model: each feature's name in the file, and the identifying columns it has. */
export interface FileColumns {
  /** model.features[j] is the file's column features[j]. */
  features: string[];
  /** The identifying columns (ID_COLUMNS) present, in file order. */
  ids: string[];
}

/**
 * Finds the model's features among a file's column `names` (the name as the model has it, else the one
 * name equal to it ignoring case) and the identifying columns. One KernelInputError naming the file, the
 * missing features (each with the nearest name, as "did you mean") and the columns the file has.
 */
export function fileColumns(model: Model, names: readonly string[], file: string): FileColumns {
  const missing: string[] = [];
  const features = model.features.map((f) => {
    if (names.includes(f)) return f;
    const alike = names.filter((n) => n.toLowerCase() === f.toLowerCase());
    if (alike.length === 1) return alike[0];
    const guess = nearest(f, names);
    missing.push(`${f}${guess ? ` (did you mean ${guess}?)` : ''}`);
    return f;
  });
  if (missing.length > 0) {
    const one = missing.length === 1;
    throw new KernelInputError(
      file,
      `the model's feature${one ? '' : 's'} ${missing.join(', ')} as ${one ? 'a column' : 'columns'}`,
      `the columns ${names.join(', ')}`,
    );
  }
  const ids = names.filter((n) => ID_COLUMNS[n.toLowerCase()] !== undefined);
  return { features, ids };
}

/**
 * The reader's pick (src/io/read.ts) for `model`: the features as numbers (a CSV field that is not a
 * number is the reader's error, naming its column, line and field) and the identifying columns as text or
 * times; `found` receives what fileColumns() found.
 */
export function columnPick(model: Model, file: string, found: (columns: FileColumns) => void): (names: string[]) => ColumnPick {
  return (names) => {
    const columns = fileColumns(model, names, file);
    found(columns);
    const types: Record<string, ColumnType> = {};
    for (const id of columns.ids) types[id] = ID_COLUMNS[id.toLowerCase()];
    for (const f of columns.features) types[f] = 'number';
    return { columns: names.filter((n) => n in types), types, required: [] };
  };
}

/** What one chunk of rows gave: its identifying columns and the output columns, `rows` long. */
export interface ChunkResult {
  rows: number;
  ids: Record<string, TableColumn>;
  outputs: Float64Array[];
}

/** Rows a block hands to the model by default: X is one block of rows x features (the one copy of the features). */
export const BLOCK_ROWS = 32_768;

/** How to predict: the output, the iterations, the output's width and the rows of a block. */
export interface PredictPlan {
  output: PredictOutput;
  iterations: number;
  /** Output columns (outputColumns()'s length). */
  width: number;
  /** Rows per block (default BLOCK_ROWS). */
  blockRows?: number;
}

/**
 * Predicts a chunk `table` of the file: its feature columns (`columns.features`, numbers; a text one is a
 * KernelInputError naming it and the file) copied block by block into a row-major Matrix, the model run
 * on each block (a LightGBM model synchronously, on the block in place; an ONNX model through
 * predictAsync(), as onnxruntime runs), its results into one column per output. Returns the columns and
 * the model's time.
 */
export async function predictChunk(
  model: Model,
  table: Table,
  columns: FileColumns,
  plan: PredictPlan,
  file: string,
): Promise<{ result: ChunkResult; ms: number }> {
  const F = model.features.length;
  const n = table.rows;
  const features = columns.features.map((name) => {
    const c = table.columns[name];
    if (c === undefined || isText(c)) {
      throw new KernelInputError(file, `numbers in column ${name} (a feature of the model)`, c === undefined ? 'no such column' : 'text');
    }
    return c;
  });
  const block = plan.blockRows ?? BLOCK_ROWS;
  const outputs = Array.from({ length: plan.width }, () => new Float64Array(n));
  const buffer = new Float64Array(Math.min(n, block) * F);
  let ms = 0;
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    const data = buffer.subarray(0, rows * F);
    for (let j = 0; j < F; j++) {
      const c = features[j];
      for (let r = 0; r < rows; r++) data[r * F + j] = c[start + r];
    }
    const X: Matrix = { data, rows, cols: F };
    const t0 = performance.now();
    const options = { raw: plan.output === 'raw', iterations: plan.iterations };
    const out =
      plan.output === 'contributions'
        ? model.contributions(X, { iterations: plan.iterations })
        : model.kind === 'lightgbm'
          ? model.predict(X, options)
          : await model.predictAsync(X, options);
    ms += performance.now() - t0;
    if (out instanceof Float64Array) {
      outputs[0].set(out, start);
      continue;
    }
    const W = out.cols;
    for (let c = 0; c < W; c++) {
      const column = outputs[c];
      for (let r = 0; r < rows; r++) column[start + r] = out.data[r * W + c];
    }
  }
  const ids = Object.fromEntries(columns.ids.map((id) => [id, table.columns[id]]));
  return { result: { rows: n, ids, outputs }, ms };
}

/** Numbers of the chunks one after another (the chunk itself when there is one). */
function concatNumbers(parts: Float64Array[], rows: number): Float64Array {
  if (parts.length === 1) return parts[0];
  const out = new Float64Array(rows);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Text of the chunks one after another: their codes, the last chunk's dictionary (the chunks of a read share one, growing). */
function concatText(parts: TextColumn[], rows: number): TextColumn {
  if (parts.length === 1) return parts[0];
  const codes = new Int32Array(rows);
  let at = 0;
  for (const p of parts) {
    codes.set(p.codes, at);
    at += p.codes.length;
  }
  return { codes, values: parts[parts.length - 1].values };
}

/**
 * The output table: the identifying columns `ids` (text as read, else their `types` as the reader gave
 * them), then the output columns `names` (numbers), the chunks' rows in order.
 */
export function outputTable(chunks: ChunkResult[], ids: readonly string[], types: Record<string, ColumnType>, names: string[]): Table {
  const rows = chunks.reduce((sum, c) => sum + c.rows, 0);
  const columns: Record<string, TableColumn> = {};
  const outTypes: Record<string, ColumnType> = {};
  for (const id of ids) {
    const parts = chunks.map((c) => c.ids[id]);
    const text = parts.length > 0 && isText(parts[0]);
    columns[id] = text ? concatText(parts as TextColumn[], rows) : concatNumbers(parts as Float64Array[], rows);
    outTypes[id] = text ? 'text' : (types[id] ?? 'number');
  }
  names.forEach((name, i) => {
    columns[name] = concatNumbers(
      chunks.map((c) => c.outputs[i]),
      rows,
    );
    outTypes[name] = 'number';
  });
  return { rows, names: [...ids, ...names], columns, types: outTypes };
}
