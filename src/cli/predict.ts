/**
 * `kernelbus predict --model m.txt <file> --out preds.parquet` (docs/ml.md): a model (kernelbus/ml's
 * loadModel()) on the rows of a table holding its feature columns by name (a `kernelbus dataset` file, or
 * any table): the file read in chunks (CSV; a Parquet or Arrow file at once, its needed columns only), each
 * chunk predicted in blocks (./predict-table.ts), and the identifying columns with the predictions, raw
 * scores or SHAP values written in any format the io layer writes.
 */
import { KernelInputError } from '../errors.js';
import { readOpenedChunks } from '../io/read.js';
import { openSource } from '../io/source.js';
import { writeFormatOf, writeTable } from '../io/index.js';
import type { ColumnType, ReadInfo } from '../io/types.js';
import { type LoadOptions, loadModel, type Model } from '../ml/model.js';
import { INPUT_FLAGS, INPUT_USAGE, progressLine, readJson, readOptions, skippedText } from './input.js';
import { backendUsed } from './observe.js';
import { flag, onePositional, parseCommand } from './options.js';
import {
  type ChunkResult,
  columnPick,
  type FileColumns,
  outputColumns,
  outputTable,
  type PredictOutput,
  predictChunk,
} from './predict-table.js';
import { ms } from './summary.js';

export const PREDICT_USAGE = `Usage: kernelbus predict --model m.txt <file.{csv,tsv,csv.gz,parquet,arrow}|-> --out preds.parquet [options]

A model's predictions on the rows of a table: a training set written by kernelbus dataset, or any table
holding the model's feature columns by name (in any order; other columns are left out). The output has
the identifying columns the file has (symbol, sym, ticker, instrument, ts, t0, t1, time, timestamp,
date, datetime), then prediction (one output) or p_<class> (a multiclass model's probabilities).

  --model file          a LightGBM text model (booster.save_model()) or an ONNX model (features f0,
                        f1, ...: its input's width; no --raw or --contributions); docs/ml.md
  --out file            .parquet, .arrow, .csv, .tsv or .jsonl (by extension; .gz for text); - : stdout
  --raw                 raw scores, the sum of the trees: raw (raw_<class>) instead of the predictions
  --contributions       SHAP values instead of the predictions: each feature's column then bias
                        (<class>:<feature> and <class>:bias for a multiclass model)
  --iterations k        the model's first k boosting iterations (default all)
  --backend b           auto | native | reference (default $KERNELBUS_BACKEND, else auto)

${INPUT_USAGE}`;

const FLAGS = {
  model: flag.string(),
  out: flag.string(),
  raw: flag.boolean(),
  contributions: flag.boolean(),
  iterations: flag.string(),
  backend: flag.anyBackend(),
  ...INPUT_FLAGS,
};

/** Rows the CSV reader hands out at a time. */
const CHUNK_ROWS = 262_144;

/** The rows of a read chunk and of a block handed to the model (tests make them small to cross their edges). */
export interface PredictSizes {
  chunkRows?: number;
  blockRows?: number;
}

/** The model at `path`: a file it cannot open named as --model, a backend it does not know as --backend. */
async function modelOf(path: string, options: LoadOptions): Promise<Model> {
  try {
    return await loadModel(path, options);
  } catch (error) {
    if (error instanceof KernelInputError && (error.argument === 'source' || error.argument === 'options.backend')) {
      throw new KernelInputError(error.argument === 'source' ? '--model' : '--backend', error.expected, error.actual);
    }
    throw error;
  }
}

/** `--iterations k`: an integer in [1, the model's iterations] (`total`; undefined: before the model is read). */
function iterationsOf(raw: string, total: number | undefined): number {
  const k = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(k) || k < 1 || (total !== undefined && k > total)) {
    const range = total === undefined ? 'an integer >= 1' : `an integer in [1, ${total}] (the model's iterations)`;
    throw new KernelInputError('--iterations', range, JSON.stringify(raw));
  }
  return k;
}

/** `a, b, c` or, past `most` names, `a, b, c, d, e ... z`. */
function namesText(names: readonly string[], most = 6): string {
  if (names.length <= most) return names.join(', ');
  return `${names.slice(0, most - 1).join(', ')} ... ${names[names.length - 1]}`;
}

/**
 * Runs the command with its arguments (without `predict`); output lines go to `log`. Returns the exit code.
 * `sizes`: the chunk and block rows (default CHUNK_ROWS, BLOCK_ROWS).
 */
export async function runPredict(argv: string[], log = console.log, sizes: PredictSizes = {}): Promise<number> {
  const parsed = parseCommand(argv, FLAGS, { help: () => log(PREDICT_USAGE), positionals: onePositional('file', 'one table file') });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (values.model === undefined || values.model === '') throw new KernelInputError('--model', 'a model file (--model m.txt)', 'nothing');
  if (values.out === undefined) throw new KernelInputError('--out', 'a file to write (.parquet, .csv, ...; - for stdout)', 'nothing');
  writeFormatOf(values.out, undefined, '--out');
  if (values.raw && values.contributions) {
    throw new KernelInputError('--raw', 'no --raw with --contributions (the contributions add up to the raw score)', '--raw');
  }
  const output: PredictOutput = values.contributions ? 'contributions' : values.raw ? 'raw' : 'predict';
  if (values.iterations !== undefined) iterationsOf(values.iterations, undefined);

  const loadStarted = performance.now();
  const model = await modelOf(values.model, { backend: values.backend });
  const loadMs = performance.now() - loadStarted;
  if (model.kind !== 'lightgbm' && output !== 'predict') {
    const flagName = output === 'raw' ? '--raw' : '--contributions';
    throw new KernelInputError(
      flagName,
      `a LightGBM model (an ${model.kind.toUpperCase()} model has no ${output === 'raw' ? 'raw scores' : 'contributions'})`,
      `${values.model}`,
    );
  }
  const iterations = values.iterations === undefined ? model.iterations : iterationsOf(values.iterations, model.iterations);
  const names = outputColumns(model, output);

  const input = positionals[0];
  const started = performance.now();
  const progress = progressLine('rows');
  const options = readOptions(values, progress);
  const opened = await openSource(input, options, true);
  let columns: FileColumns | undefined;
  const pick = columnPick(model, opened.name, (found) => (columns = found));
  const chunks: ChunkResult[] = [];
  let types: Record<string, ColumnType> = {};
  let info: ReadInfo | undefined;
  let predictMs = 0;
  const plan = { output, iterations, width: names.length, blockRows: sizes.blockRows };
  for await (const table of readOpenedChunks(opened, { ...options, pick, chunkRows: sizes.chunkRows ?? CHUNK_ROWS })) {
    const { result, ms: spent } = await predictChunk(model, table, columns!, plan, opened.name);
    chunks.push(result);
    types = table.types;
    info = table.info;
    predictMs += spent;
  }
  progress.done();
  const readMs = performance.now() - started - predictMs;
  const ids = columns?.ids ?? [];
  const out = outputTable(chunks, ids, types, names);
  const writeStarted = performance.now();
  await writeTable(values.out, out);
  const writeMs = performance.now() - writeStarted;
  if (values.out === '-') log = (line: string) => console.error(line);

  const backend = await backendUsed(values.backend);
  if (values.json) {
    const summary = {
      input: input === '-' ? 'stdin' : input,
      model: values.model,
      kind: model.kind,
      features: model.features,
      classes: model.classes,
      iterations,
      output,
      rows: out.rows,
      columns: out.names,
      backend,
      ms: {
        model: Number(loadMs.toPrecision(4)),
        read: Number(readMs.toPrecision(4)),
        predict: Number(predictMs.toPrecision(4)),
        write: Number(writeMs.toPrecision(4)),
      },
      ...readJson(info, out.rows, readMs / 1000, predictMs / 1000),
      wrote: values.out,
    };
    log(JSON.stringify(summary, null, 2));
    return 0;
  }
  const skipped = skippedText(info);
  const what = output === 'contributions' ? 'contributions' : output === 'raw' ? 'raw scores' : 'predictions';
  log(
    `${out.rows} rows of ${opened.name}: ${out.names.length} columns (${namesText(out.names)}) to ${values.out}, ${what} of ${values.model} ` +
      `(${iterations} iterations): read ${ms(readMs)} ms, predict ${ms(predictMs)} ms, write ${ms(writeMs)} ms (${backend} backend)` +
      (skipped ? `; ${skipped}` : ''),
  );
  return 0;
}
