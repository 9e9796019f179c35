/**
 * The ml section's ONNX rows (issue 91, docs/ml.md "ONNX models"): kernelbus' ONNX models against
 * onnxruntime's Python session, timed in the same run (bench/peers/ml_onnx.py in a child process, before
 * each of our rounds), after the LightGBM rows (bench/ml.ts).
 *
 * In rounds of the same scheme as the LightGBM rows' (its peer before ours, the wait for quiet cores, medians): an MLP 50 -> 64 -> 64 -> 1 (Gemm, Relu, Gemm, Relu, Gemm, Sigmoid; input float32 [batch, 50],
 * output [batch]) made by the peer with onnx.helper as scripts/ml-fixtures/generate_onnx.py makes its
 * fixtures, its weights seeded (seed 91), saved in the temp folder both sides load it from; its rows:
 * 100,000 x 50 seeded normals (seed 92; no NaN, which an MLP carries through whole).
 *
 * - predictAsync of the 100,000 rows: ours `await model.predictAsync(X)`, X float64, the model
 *   loadModel(path, { threads: 2 }) (onnxruntime-node's intraOpNumThreads 2); X is converted to float32 in
 *   the call (that conversion also timed alone, in the note). The peer: `session.run(None, {'X': X32})`,
 *   intra_op_num_threads=2, X32 cast before its timing (20 MB, made once: it may stay in the 32 MB L3
 *   between calls), and the same with the float64 rows cast in the call, as ours are
 *   (`X.astype(np.float32)`). ONNX_BATCHES calls a round, each side, the median.
 * - one row: ours `await model.predictAsync(row)`, row a Float64Array, a model of threads: 1; the peer
 *   `session.run(None, {'X': X32[i:i + 1]})`, intra_op_num_threads=1; the same ONE_RING rows cycled, each
 *   side the median of BATCHES batches of ONE_CALLS calls.
 * - beside ours, in the same rounds: onnxruntime-node alone, `session.run({ X: tensor })` on sessions made
 *   as loadModel() makes them, the float32 Tensors made before the timing; what ours takes more is
 *   kernelbus' own (the conversions, copies and checks), what it takes more than Python's is
 *   onnxruntime-node's (its N-API calls, the setImmediate its run waits for, its promise).
 *
 * Before any timing: ours, and onnxruntime-node's alone, equal onnxruntime's Python session's (the batch on
 * its 2-thread session, the ring's rows one at a time on its 1-thread session) within 1e-6 x max(|x|, 1);
 * a difference throws.
 *
 * The python of the ONNX peer needs onnx, onnxruntime and numpy: KERNELBUS_ONNX_PYTHON when set (a missing
 * file there: no ONNX rows), else the first of KERNELBUS_PEERS_PYTHON, the peers' venv and
 * /work/venv-onnx/bin/python that imports them. Without one, or without onnxruntime-node, the LightGBM
 * rows are written without the ONNX rows, and the section says why (printed, and in the results' peers
 * line).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Matrix } from '../src/api/index.js';
import { loadModel } from '../src/ml/index.js';
import { loadOrt, type Ort } from '../src/ml/onnx.js';
import { median, medianPerCall, normal, prng, type BenchRow } from './lib.js';
import {
  agree,
  BATCHES,
  COLS,
  fmt,
  found,
  ms,
  ONE_CALLS,
  ONE_RING,
  pythonWith,
  readF64,
  ROUNDS,
  ROWS,
  SECTION,
  SEED,
  THREADS,
} from './ml-common.js';
import { PeerRounds, peerInputs, peerScript, recordPeers, runPeer } from './peer-env.js';

/** The ONNX model: its hidden layers' width; the seed of its rows; calls a round of its batch; its tolerance against onnxruntime (Python). */
const HIDDEN = 64;
const ONNX_X_SEED = 92;
const ONNX_BATCHES = 5;
const ONNX_TOL = 1e-6;

/** The ms a call of an async fn: medianPerCall's batches, each call awaited before the next. */
async function medianPerCallAsync(fn: (i: number) => Promise<unknown>, calls: number, batches: number): Promise<number> {
  let i = 0;
  for (let j = 0; j < calls; j++) await fn(i++);
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let j = 0; j < calls; j++) await fn(i++);
    times.push((performance.now() - t0) / calls);
  }
  return median(times);
}

/** The ONNX model's rows: ROWS x COLS standard normals of seed `seed`, no NaN (a NaN goes through an MLP whole). */
function normals(seed: number): Matrix {
  const rnd = prng(seed);
  return { data: Float64Array.from({ length: ROWS * COLS }, () => normal(rnd)), rows: ROWS, cols: COLS };
}

/** A float32 output of onnxruntime-node, or a throw naming `what`. */
function float32Of(what: string, y: { data: unknown } | undefined): Float32Array {
  if (!(y?.data instanceof Float32Array)) throw new Error(`ml bench: ${what}: no float32 output`);
  return y.data;
}

/** The ONNX rows (see the module's comment), or none and why (recorded with the peers). */
export async function onnxRows(): Promise<BenchRow[]> {
  const python = pythonWith('KERNELBUS_ONNX_PYTHON', 'import onnx, onnxruntime, numpy', '/work/venv-onnx/bin/python');
  let ort: Ort | undefined;
  let why = python
    ? ''
    : 'no python with onnx and onnxruntime (KERNELBUS_ONNX_PYTHON, KERNELBUS_PEERS_PYTHON, the peers venv, /work/venv-onnx)';
  try {
    ort = loadOrt();
  } catch (error) {
    why ||= (error as Error).message;
  }
  if (!python || !ort) {
    console.log(`ml: no ONNX rows: ${why}`);
    recordPeers(SECTION, `the ONNX rows not measured: ${why}`);
    return [];
  }
  const X = normals(ONNX_X_SEED);
  const { files, done } = peerInputs({ x: X.data });
  const dir = dirname(files.x);
  const modelPath = join(dir, 'model.onnx');
  const predPath = join(dir, 'pred.f64');
  const onePredPath = join(dir, 'one.f64');
  const common = [
    ...['--x', files.x, '--cols', String(COLS), '--model', modelPath],
    ...['--threads', String(THREADS), '--one-ring', String(ONE_RING)],
  ];
  try {
    // the model, and onnxruntime's (Python's) predictions of all the rows and of the ring's rows one at a time
    const made = runPeer(python, [
      peerScript('ml_onnx.py'),
      'make',
      ...common,
      ...['--hidden', String(HIDDEN), '--seed', String(SEED), '--pred', predPath, '--one-pred', onePredPath],
    ]);
    if (typeof made === 'string') throw new Error(`ml bench: making the ONNX model: ${made}`);
    const ortPred = readF64(predPath);
    const ortOne = readF64(onePredPath);
    const batch = await loadModel(modelPath, { threads: THREADS });
    const single = await loadModel(modelPath, { threads: 1 });
    const rows = Array.from({ length: ONE_RING }, (_, i) => X.data.slice(i * COLS, (i + 1) * COLS));
    // onnxruntime-node without kernelbus: sessions as loadModel() makes them, float32 tensors made before any timing
    const bytes = readFileSync(modelPath);
    const direct = await ort.InferenceSession.create(bytes, { intraOpNumThreads: THREADS });
    const direct1 = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const [input, output] = [direct.inputMetadata[0].name, direct.outputMetadata[0].name];
    const feed = { [input]: new ort.Tensor('float32', new Float32Array(X.data), [ROWS, COLS]) };
    const feeds1 = rows.map((row) => ({ [input]: new ort.Tensor('float32', new Float32Array(row), [1, COLS]) }));
    const nodeVersion = (ort as Ort & { env?: { versions?: { node?: string } } }).env?.versions?.node ?? '?';

    // before any timing: ours (and onnxruntime-node's alone) equal onnxruntime's Python session's
    const p = (await batch.predictAsync(X)) as Float64Array;
    const checks = [`predictAsync of the ${fmt(ROWS)} rows ${found(agree('ONNX predictions', p, ortPred, ONNX_TOL))}`];
    const pOne = new Float64Array(ONE_RING);
    for (let i = 0; i < ONE_RING; i++) pOne[i] = (await single.predictAsync(rows[i])) as number;
    checks.push(`${fmt(ONE_RING)} rows one at a time ${found(agree('ONNX one-row predictions', pOne, ortOne, ONNX_TOL))}`);
    const d = float32Of('onnxruntime-node', (await direct.run(feed))[output]);
    const d1 = new Float64Array(ONE_RING);
    for (let i = 0; i < ONE_RING; i++) d1[i] = float32Of('onnxruntime-node, one row', (await direct1.run(feeds1[i]))[output])[0];
    checks.push(
      `onnxruntime-node alone: ${found(agree('onnxruntime-node predictions', d, ortPred, ONNX_TOL))}, one at a time ${found(agree('onnxruntime-node one-row predictions', d1, ortOne, ONNX_TOL))}`,
    );
    console.log(
      `ml: ONNX model of ${made.checks?.parameters ?? '?'} parameters (${made.checks?.bytes ?? '?'} B); against onnxruntime (Python): ${checks.join('; ')}`,
    );

    const peers = new PeerRounds(
      python,
      [
        peerScript('ml_onnx.py'),
        'time',
        ...common,
        ...['--calls', JSON.stringify({ predict: 1, 'predict, cast': 1, 'one row': ONE_CALLS })],
        ...['--batches', JSON.stringify({ predict: ONNX_BATCHES, 'predict, cast': ONNX_BATCHES, 'one row': BATCHES })],
      ],
      'no python with onnxruntime',
    );
    const times = {
      predict: [] as number[],
      direct: [] as number[],
      convert: [] as number[],
      one: [] as number[],
      direct1: [] as number[],
    };
    for (let round = 0; round < ROUNDS; round++) {
      peers.round();
      times.predict.push(await medianPerCallAsync(() => batch.predictAsync(X), 1, ONNX_BATCHES));
      times.direct.push(await medianPerCallAsync(() => direct.run(feed), 1, ONNX_BATCHES));
      times.convert.push(medianPerCall(() => new Float32Array(X.data), 1, ONNX_BATCHES));
      times.one.push(await medianPerCallAsync((i) => single.predictAsync(rows[i % ONE_RING]), ONE_CALLS, BATCHES));
      times.direct1.push(await medianPerCallAsync((i) => direct1.run(feeds1[i % ONE_RING]), ONE_CALLS, BATCHES));
    }
    const peerText = peers.missing || `${peers.versionText()} (bench/peers/ml_onnx.py)`;
    recordPeers(SECTION, peerText);

    const model = `ONNX MLP ${COLS}-${HIDDEN}-${HIDDEN}-1 (float32)`;
    const rounds = `median of ${ROUNDS} rounds`;
    const timed = `timed in this run, median of ${peers.rounds} rounds, each before ours`;
    const cases = [
      {
        label: `predictAsync, ${model}, ${fmt(ROWS)} rows x ${COLS} features`,
        unit: 'ms' as const,
        ours: median(times.predict),
        direct: median(times.direct),
        what: `await model.predictAsync(X), X a Matrix of float64, the model loadModel(path, { threads: ${THREADS} }) (intraOpNumThreads ${THREADS}); ${rounds}, each the median of ${ONNX_BATCHES} calls. In the call: X's 40 MB converted into the model's float32 input (20 MB, kept for the next call) (${ms(median(times.convert))} timed alone), onnxruntime-node's run, the ${fmt(ROWS)} float32 outputs to a Float64Array; the float32 rows of onnxruntime-node alone and of Python's first row are made once (20 MB, which may stay in the 32 MB L3 between calls)`,
        directNote: `session.run({ X: a float32 Tensor made before the timing }) on a session of intraOpNumThreads ${THREADS}: onnxruntime-node without kernelbus' conversions, copies and checks; the same rounds, ${ONNX_BATCHES} calls each`,
        peers: [
          {
            name: 'predict',
            subject: 'onnxruntime (Python)',
            note: `session.run(None, {'X': X32}) on a session of intra_op_num_threads=${THREADS}, X32 the rows cast to float32 before the timing; ${ONNX_BATCHES} calls a round`,
          },
          {
            name: 'predict, cast',
            subject: 'onnxruntime (Python), float64 rows',
            note: `session.run(None, {'X': X.astype(np.float32)}): the float64 rows cast in the call, as ours are; intra_op_num_threads=${THREADS}, ${ONNX_BATCHES} calls a round`,
          },
        ],
      },
      {
        label: `predictAsync one row (a Float64Array), ${model}`,
        unit: 'µs' as const,
        ours: median(times.one),
        direct: median(times.direct1),
        what: `await model.predictAsync(row), a different row each call (${fmt(ONE_RING)} cycled), the model loadModel(path, { threads: 1 }); ${rounds}, each the median of ${BATCHES} batches of ${ONE_CALLS} calls`,
        directNote: `session.run({ X: a float32 Tensor [1, ${COLS}] made before the timing }) on a session of intraOpNumThreads 1, the same rows; the same rounds and batches`,
        peers: [
          {
            name: 'one row',
            subject: 'onnxruntime (Python)',
            note: `session.run(None, {'X': X32[i:i + 1]}) on a session of intra_op_num_threads=1, the same ${fmt(ONE_RING)} rows cycled (cast to float32 before the timing)`,
          },
        ],
      },
    ];
    const out: BenchRow[] = [];
    cases.forEach((c, i) => {
      const scale = c.unit === 'µs' ? 1000 : 1;
      const row = { section: SECTION, case: c.label, unit: c.unit };
      const checked =
        i === 0
          ? `; before timing, against onnxruntime (Python) within ${ONNX_TOL.toExponential(0)} x max(|x|, 1): ${checks.join('; ')}`
          : '';
      out.push({ ...row, subject: 'kernelbus', value: scale * c.ours, note: `onnxruntime-node ${nodeVersion}: ${c.what}${checked}` });
      out.push({
        ...row,
        subject: 'onnxruntime-node alone',
        value: scale * c.direct,
        ratio: c.direct / c.ours,
        baseline: "of kernelbus' time (the rest is kernelbus' own)",
        note: c.directNote,
      });
      for (const p of c.peers) {
        const peerMs = peers.ms(p.name);
        out.push(
          peerMs === undefined
            ? { ...row, subject: p.subject, value: Number.NaN, note: peers.missing }
            : {
                ...row,
                subject: p.subject,
                value: scale * peerMs,
                ratio: peerMs / c.ours,
                baseline: "kernelbus' speed-up over it (the same rounds)",
                note: `${peers.versionText()}: ${timed}; ${p.note}`,
              },
        );
      }
    });
    return out;
  } finally {
    done();
  }
}
