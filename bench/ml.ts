/**
 * Models (issue 91, docs/ml.md): kernelbus/ml's LightGBM evaluator against LightGBM itself, timed in the
 * same run (bench/peers/ml.py in a child process, between our rounds), then its ONNX models against
 * onnxruntime's Python session (bench/ml-onnx.ts). The LightGBM model: a binary LightGBM model of 500
 * trees of 63 leaves, trained by the peer before any timing on the first 20,000 rows of the bench's X
 * (num_threads=1, deterministic=True, seed 91: the same text on every run of the same LightGBM), its
 * last two features categorical; X: 100,000 rows x 50 seeded features (normals, 5% NaN, 2% exact zeros;
 * the categorical ones integers 0-19 and 0-49, 3% NaN in the second). Both sides load the one model
 * text the peer saved.
 *
 * - predict of the 100,000 rows (target: >= 2x LightGBM's `booster.predict(X, num_threads=2)`): ours
 *   `model.predict(X)` on 2 threads (loadModel(..., { threads: 2 })), and on 1 thread. The same X each
 *   call (its 40 MB are more than the 32 MB L3: nothing of it stays in cache between calls).
 * - one row (target: <= 10 µs, and >= 10x LightGBM's `booster.predict(X[i:i + 1], num_threads=1)`):
 *   `model.predict(row)`, row a Float64Array, each call a different one (a ring of ONE_RING rows). On
 *   native the Model walks a prepared model (checked once, at load); beside it, in the same rounds, the
 *   packed kernel `kernels({ backend: 'native' }).lightgbmPredict(packed, row)` on the same rows, which
 *   checks and prepares the packed model at every call (what the prepared model saves).
 * - contributions of 1,000 rows (target: >= 2x LightGBM's `predict(S, pred_contrib=True,
 *   num_threads=2)`): `model.contributions(S)` on 2 threads and 1, S cycling through CONTRIB_RING
 *   slices of 1,000 rows.
 * - The reference backend (JavaScript) on the same cases, where a call of the case would take long on
 *   smaller inputs: predict on the first REF_ROWS rows, contributions on REF_CONTRIB rows, each
 *   scaled to the case's rows (both kernels are linear in rows); the one row as it is.
 *
 * Before any timing: our native predictions of all 100,000 rows, of each ring row as one row, and the
 * reference's of its slice, equal LightGBM's (of the loaded text) within 1e-12 x max(|x|, 1), and our
 * contributions of the first 1,000 rows (the reference's of its slice) within 1e-9 x max(|x|, 1); a
 * difference throws (the section fails: a figure of other work is no ratio).
 *
 * Each of ROUNDS rounds runs the peer, waits for its threads to be gone from the cores (PeerRounds), then
 * times ours: where one call takes seconds (predict, contributions) one call a round, the one row the
 * median over BATCHES batches of ONE_CALLS calls; ours on 1 thread only in the last round (one call:
 * those are the longest calls of the section). The peer times its own the same way in its process
 * (a warm-up call of the same kind on a few rows first, the one row a warm-up batch). The rows give the
 * medians over the rounds.
 *
 * The python of the LightGBM peer needs lightgbm (and numpy): KERNELBUS_LIGHTGBM_PYTHON when set (a
 * missing file there: the section does not run), else the first of KERNELBUS_PEERS_PYTHON, the peers'
 * venv (peer-env.ts) and /work/venv-labeling/bin/python that imports lightgbm. Without one there is no
 * model: the section writes no rows (its results stay as they were) and says why; without native, the
 * same. Without the LightGBM rows no ONNX rows are written either: the results stay whole as they were.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backends, type Matrix } from '../src/api/index.js';
import { kernels } from '../src/api/kernels.js';
import { packLightGbm } from '../src/kernels/ml/ml.js';
import { loadModel } from '../src/ml/index.js';
import { median, medianPerCall, normal, prng, type BenchRow, type BenchSection } from './lib.js';
import {
  agree,
  BATCHES,
  COLS,
  fmt,
  found,
  ms,
  once,
  ONE_CALLS,
  ONE_RING,
  pythonWith,
  readF64,
  ROUNDS,
  ROWS,
  SECTION,
  SEED,
  slice,
  THREADS,
} from './ml-common.js';
import { onnxRows } from './ml-onnx.js';
import { PeerRounds, peerInputs, peerScript, recordPeers, runPeer } from './peer-env.js';

/** X: the last CATEGORICAL of its features categorical. */
const CATEGORICAL = 2;
/** The model: trees, leaves a tree, rows trained on (X's first). */
const TREES = 500;
const LEAVES = 63;
const TRAIN = 20_000;
/** Rows a contributions call, and the slices cycled through. */
const CONTRIB = 1000;
const CONTRIB_RING = 4;
/** The reference's inputs where the case's would take long: predict's rows, contributions' rows. */
const REF_ROWS = 5000;
const REF_CONTRIB = 50;
/** The packed kernel's one-row calls a batch (a call checking the model whole). */
const PACKED_CALLS = 30;
/** Tolerances against LightGBM, times max(|x|, 1). */
const PREDICT_TOL = 1e-12;
const CONTRIB_TOL = 1e-9;
/** X: ROWS x COLS features (see the module's comment), row-major. */
function features(seed: number): Matrix {
  const rnd = prng(seed);
  const data = new Float64Array(ROWS * COLS);
  const catA = COLS - 2;
  const catB = COLS - 1;
  for (let r = 0; r < ROWS; r++) {
    const o = r * COLS;
    for (let c = 0; c < catA; c++) {
      const u = rnd();
      data[o + c] = u < 0.05 ? Number.NaN : u < 0.07 ? 0 : normal(rnd);
    }
    data[o + catA] = Math.floor(20 * rnd());
    data[o + catB] = rnd() < 0.03 ? Number.NaN : Math.floor(50 * rnd());
  }
  return { data, rows: ROWS, cols: COLS };
}

/** The LightGBM rows (see the module's comment), LightGBM run by `python`. */
async function lightgbmRows(python: string): Promise<BenchRow[]> {
  const X = features(SEED);
  const { files, done } = peerInputs({ x: X.data });
  const dir = dirname(files.x);
  const modelPath = join(dir, 'model.txt');
  const predPath = join(dir, 'pred.f64');
  const contribPath = join(dir, 'contrib.f64');
  const common = ['--x', files.x, '--cols', String(COLS), '--ring', '1', '--model', modelPath, '--threads', String(THREADS)];
  try {
    // the model, and LightGBM's predictions and contributions of its loaded text
    const trained = runPeer(python, [
      peerScript('ml.py'),
      'train',
      ...common,
      ...['--train', String(TRAIN), '--trees', String(TREES), '--leaves', String(LEAVES)],
      ...['--categorical', String(CATEGORICAL), '--seed', String(SEED), '--contrib', String(CONTRIB)],
      ...['--pred', predPath, '--contrib-out', contribPath],
    ]);
    if (typeof trained === 'string') throw new Error(`ml bench: training the model: ${trained}`);
    const trainSeconds = trained.results[0]?.seconds ?? Number.NaN;
    const modelText = readFileSync(modelPath, 'utf8');
    const lgbPred = readF64(predPath);
    const lgbContrib = readF64(contribPath);

    const nat = await loadModel({ text: modelText }, { backend: 'native', threads: THREADS });
    const one = await loadModel({ text: modelText }, { backend: 'native', threads: 1 });
    const ref = await loadModel({ text: modelText }, { backend: 'reference' });
    const rows = Array.from({ length: ONE_RING }, (_, i) => X.data.slice(i * COLS, (i + 1) * COLS));
    const slices = Array.from({ length: CONTRIB_RING }, (_, i) => slice(X, i * CONTRIB, CONTRIB));
    const refX = slice(X, 0, REF_ROWS);
    const refS = slice(X, 0, REF_CONTRIB);

    // before any timing: ours equal LightGBM's
    const checks: string[] = [];
    const p = nat.predict(X) as Float64Array;
    checks.push(`predict of the ${fmt(ROWS)} rows ${found(agree('native predictions', p, lgbPred, PREDICT_TOL))}`);
    const pOne = Float64Array.from(rows, (row) => nat.predict(row) as number);
    checks.push(
      `${fmt(ONE_RING)} rows one at a time ${found(agree('native one-row predictions', pOne, lgbPred.subarray(0, ONE_RING), PREDICT_TOL))}`,
    );
    const c = nat.contributions(slices[0]);
    checks.push(`contributions of ${fmt(CONTRIB)} rows ${found(agree('native contributions', c.data, lgbContrib, CONTRIB_TOL))}`);
    const c1 = one.contributions(refS);
    agree('native contributions on 1 thread', c1.data, c.data.subarray(0, REF_CONTRIB * (COLS + 1)), 0);
    const p1 = one.predict(refX) as Float64Array;
    agree('native predictions on 1 thread', p1, p.subarray(0, REF_ROWS), 0);
    const rp = ref.predict(refX) as Float64Array;
    const rc = ref.contributions(refS);
    checks.push(
      `the reference: predict of ${fmt(REF_ROWS)} rows ${found(agree('reference predictions', rp, lgbPred.subarray(0, REF_ROWS), PREDICT_TOL))}, contributions of ${REF_CONTRIB} ${found(agree('reference contributions', rc.data, lgbContrib.subarray(0, REF_CONTRIB * (COLS + 1)), CONTRIB_TOL))}`,
    );
    checks.push('native on 1 thread the same bits as on 2');
    console.log(
      `ml: model trained in ${trainSeconds.toFixed(1)} s (${trained.checks?.leaves ?? ''}); against LightGBM: ${checks.join('; ')}`,
    );

    // the reference, once (its calls above warmed it)
    const refPredictMs = once(() => ref.predict(refX)) * (ROWS / REF_ROWS);
    const refContribMs = once(() => ref.contributions(refS)) * (CONTRIB / REF_CONTRIB);
    const refOneMs = medianPerCall((i) => ref.predict(rows[i % ONE_RING]), 20, 3);

    const peers = new PeerRounds(
      python,
      [
        peerScript('ml.py'),
        'time',
        ...common,
        ...['--contrib', String(CONTRIB), '--contrib-ring', String(CONTRIB_RING), '--one-ring', String(ONE_RING)],
        ...['--calls', JSON.stringify({ predict: 1, 'one row': ONE_CALLS, contributions: 1 })],
        ...['--batches', JSON.stringify({ predict: 1, 'one row': BATCHES, contributions: 1 })],
      ],
      'no python with lightgbm',
    );
    const times = { predict: [] as number[], one: [] as number[], packed: [] as number[], contributions: [] as number[] };
    // the packed kernel on one row (the model checked and prepared at each call), as a Matrix of one row
    const packed = packLightGbm(nat.lightgbm!);
    const packedKernels = kernels({ backend: 'native', threads: THREADS });
    const rowMatrices = rows.map((data) => ({ data, rows: 1, cols: COLS }));
    agree('the packed kernel on one row', packedKernels.lightgbmPredict(packed, rowMatrices[0]).data, pOne.subarray(0, 1), 0);
    let predict1 = Number.NaN;
    let contrib1 = Number.NaN;
    one.predict(slice(X, 0, 1000)); // a first call on the 1-thread model, before its timings
    for (let round = 0; round < ROUNDS; round++) {
      peers.round();
      times.predict.push(once(() => nat.predict(X)));
      times.one.push(medianPerCall((i) => nat.predict(rows[i % ONE_RING]), ONE_CALLS, BATCHES));
      times.packed.push(medianPerCall((i) => packedKernels.lightgbmPredict(packed, rowMatrices[i % ONE_RING]), PACKED_CALLS, BATCHES));
      times.contributions.push(once(() => nat.contributions(slices[round % CONTRIB_RING])));
      if (round === ROUNDS - 1) {
        predict1 = once(() => one.predict(X));
        contrib1 = once(() => one.contributions(slices[(round + 1) % CONTRIB_RING]));
      }
    }
    recordPeers(SECTION, peers.missing || `${peers.versionText()} (bench/peers/ml.py)`);

    const model = `${TREES} trees x ${LEAVES} leaves (binary)`;
    const cases = [
      {
        label: `predict, ${model}, ${fmt(ROWS)} rows x ${COLS} features`,
        peer: 'predict',
        unit: 'ms' as const,
        native: median(times.predict),
        oneThread: predict1,
        reference: refPredictMs,
        what: `model.predict(X) on ${THREADS} threads, the ${fmt(ROWS)} probabilities; one call a round (the same 40 MB X, more than the L3)`,
        refNote: `measured on the first ${fmt(REF_ROWS)} rows, x ${ROWS / REF_ROWS}`,
        peerNote: `booster.predict(X, num_threads=${THREADS})`,
        target: (n: number, g: number | undefined) =>
          `target >= 2x LightGBM on ${THREADS} threads: ${g !== undefined && g / n >= 2 ? 'met' : 'not met'}${g !== undefined ? ` (${(g / n).toPrecision(3)}x)` : ''}`,
      },
      {
        label: `predict one row (a Float64Array), ${model}`,
        peer: 'one row',
        unit: 'µs' as const,
        native: median(times.one),
        oneThread: undefined,
        packed: median(times.packed),
        reference: refOneMs,
        what: `model.predict(row), a different row each call (${fmt(ONE_RING)} cycled); median of ${ROUNDS} rounds, each the median of ${BATCHES} batches of ${ONE_CALLS} calls`,
        refNote: 'the same calls, 3 batches of 20',
        peerNote: `booster.predict(X[i:i + 1], num_threads=1), the same ${fmt(ONE_RING)} rows cycled`,
        target: (n: number, g: number | undefined) =>
          `target <= 10 µs: ${n <= 0.01 ? 'met' : 'not met'} (${ms(n)}); target >= 10x LightGBM: ${g !== undefined && g / n >= 10 ? 'met' : 'not met'}${g !== undefined ? ` (${(g / n).toPrecision(3)}x)` : ''}`,
      },
      {
        label: `contributions (TreeSHAP), ${model}, ${fmt(CONTRIB)} rows x ${COLS} features`,
        peer: 'contributions',
        unit: 'ms' as const,
        native: median(times.contributions),
        oneThread: contrib1,
        reference: refContribMs,
        what: `model.contributions(S) on ${THREADS} threads, ${fmt(CONTRIB)} x ${COLS + 1} SHAP values; S cycling through ${CONTRIB_RING} slices of ${fmt(CONTRIB)} rows, one call a round`,
        refNote: `measured on ${REF_CONTRIB} rows, x ${CONTRIB / REF_CONTRIB}`,
        peerNote: `booster.predict(S, pred_contrib=True, num_threads=${THREADS}), the same slices`,
        target: (n: number, g: number | undefined) =>
          `target >= 2x LightGBM on ${THREADS} threads: ${g !== undefined && g / n >= 2 ? 'met' : 'not met'}${g !== undefined ? ` (${(g / n).toPrecision(3)}x)` : ''}`,
      },
    ];

    const out: BenchRow[] = [];
    cases.forEach((c, i) => {
      const scale = c.unit === 'µs' ? 1000 : 1;
      const peerMs = peers.ms(c.peer);
      const checked =
        i === 0
          ? `; the model trained by LightGBM in ${trainSeconds.toFixed(1)} s on ${fmt(TRAIN)} rows (${trained.checks?.leaves ?? '?'}); before timing, against LightGBM: ${checks.join('; ')}`
          : '';
      out.push({
        section: SECTION,
        case: c.label,
        subject: 'native',
        value: scale * c.native,
        unit: c.unit,
        ratio: c.reference / c.native,
        baseline: 'reference (speed-up)',
        note: `${c.what}; ${c.target(c.native, peerMs)}${checked}`,
      });
      if (c.oneThread !== undefined) {
        out.push({
          section: SECTION,
          case: c.label,
          subject: 'native, 1 thread',
          value: scale * c.oneThread,
          unit: c.unit,
          ratio: c.oneThread / c.native,
          baseline: `1 thread (speed-up of ${THREADS} threads)`,
          note: 'one call, in the last round',
        });
      }
      if ('packed' in c && c.packed !== undefined) {
        out.push({
          section: SECTION,
          case: c.label,
          subject: 'native, packed kernel',
          value: scale * c.packed,
          unit: c.unit,
          ratio: c.packed / c.native,
          baseline: 'the prepared model (its speed-up over the packed kernel)',
          note: `kernels({ backend: 'native' }).lightgbmPredict(packed, row): the model checked and prepared at each call; the same rows, the same rounds, ${BATCHES} batches of ${PACKED_CALLS} calls`,
        });
      }
      out.push({ section: SECTION, case: c.label, subject: 'reference', value: scale * c.reference, unit: c.unit, note: c.refNote });
      if (peerMs === undefined) {
        out.push({ section: SECTION, case: c.label, subject: 'LightGBM', value: Number.NaN, unit: c.unit, note: peers.missing });
      } else {
        out.push({
          section: SECTION,
          case: c.label,
          subject: 'LightGBM',
          value: scale * peerMs,
          unit: c.unit,
          ratio: peerMs / c.native,
          baseline: "native's speed-up over it (the same rounds)",
          note: `${peers.versionText()}: timed in this run, median of ${peers.rounds} rounds, each before ours; ${c.peerNote}`,
        });
      }
    });
    return out;
  } finally {
    done();
  }
}

export const mlSection: BenchSection = {
  name: SECTION,
  async run() {
    if (!backends().some((b) => b.name === 'native' && b.available)) {
      console.log('ml: native not built; the section measures native against LightGBM: no rows');
      return [];
    }
    const python = pythonWith('KERNELBUS_LIGHTGBM_PYTHON', 'import lightgbm, numpy', '/work/venv-labeling/bin/python');
    if (!python) {
      console.log(
        'ml: no python with lightgbm (KERNELBUS_LIGHTGBM_PYTHON, KERNELBUS_PEERS_PYTHON, the peers venv, /work/venv-labeling): no model, no rows',
      );
      return [];
    }
    return [...(await lightgbmRows(python)), ...(await onnxRows())];
  },
};
