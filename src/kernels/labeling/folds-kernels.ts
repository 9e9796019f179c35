/**
 * The labeling family's cross-validation folds (AFML ch. 7 and 12: purged k-fold with an embargo, and
 * its combinatorial form), as the API offers them and their descriptors (joined to LABELING_KERNELS).
 * A kernel writes a fold x event matrix of FOLD_TRAIN | FOLD_TEST; the API turns each row into index
 * arrays.
 */
import { KernelInputError } from '../../errors.js';
import { requireKnownOptions, type Outputs } from '../descriptor.js';
import type { Matrix } from '../matrix.js';
import { checkParam } from '../param-rules.js';
import type { Sampler } from '../sample.js';
import { optionsObject } from '../validate.js';
import {
  binomial,
  CONVENTION,
  type CONVENTIONS,
  EMBARGO,
  type EventSpans,
  FOLD_TEST,
  FOLD_TRAIN,
  requireSpans,
  SPLITS,
  TEST_SPLITS,
} from './labeling.js';
import { sampleSeries, sampleSpans } from './labeling-sample.js';

/** A fold: the positions of its train and test samples, ascending. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/** `purgedKFold()`'s options. */
export interface PurgedKFoldOptions {
  /** The number of test blocks. Default 3. */
  splits?: number;
  /** The fraction of the samples embargoed after each test block, in [0, 1). Default 0. */
  embargo?: number;
  /** 'afml' (default): the book's purge and embargo; 'mlfinlab': its PurgedKFold's split exactly. */
  convention?: (typeof CONVENTIONS)[number];
}

/** `combinatorialPurgedKFold()`'s options. */
export interface CombinatorialOptions extends PurgedKFoldOptions {
  /** The blocks of each fold's test set. Default 2. */
  testSplits?: number;
}

/** The labeling family's fold kernels. */
export interface FoldsKernels {
  /**
   * Purged k-fold cross-validation (AFML 7.4): `splits` contiguous test blocks in order (numpy's
   * array_split sizes); under 'afml' every other sample whose [t0, t1] overlaps a test sample's is
   * purged from train, and the floor(embargo x samples) samples after the block are dropped too.
   * 'mlfinlab' is mlfinlab's `PurgedKFold(splits, samples_info_sets, pct_embargo).split`: its test
   * window runs from the first test sample's t1 (not t0) to the t1 of the sample `embargo` past the
   * block, so it can keep test samples in train (the docs say why the default differs).
   */
  purgedKFold(events: EventSpans, options?: PurgedKFoldOptions): Fold[];
  /**
   * Combinatorial purged cross-validation (AFML ch. 12): every choice of `testSplits` of the `splits`
   * blocks as a test set, in itertools.combinations' order, purged and embargoed per block as
   * purgedKFold; 'mlfinlab' is its `CombinatorialPurgedKFold(...).split`.
   */
  combinatorialPurgedKFold(events: EventSpans, options?: CombinatorialOptions): Fold[];
}

/** The folds of a fold x event matrix (FOLD_TRAIN | FOLD_TEST per cell). */
function foldsOf(o: Outputs): Fold[] {
  const m = o.folds as Matrix;
  const folds: Fold[] = [];
  for (let f = 0; f < m.rows; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < m.cols; i++) {
      const cell = m.data[f * m.cols + i];
      if (cell & FOLD_TRAIN) train.push(i);
      if (cell & FOLD_TEST) test.push(i);
    }
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}

/** The folds' call: the events and options checked, the folds counted. */
function foldsCall(events: EventSpans, options: CombinatorialOptions | undefined, combinatorial: boolean) {
  const e = optionsObject(events, 'an object { t0, t1 }');
  requireSpans(e, 'events');
  const o = optionsObject(options);
  const splits = checkParam(SPLITS, o.splits ?? 3);
  const testSplits = combinatorial ? checkParam(TEST_SPLITS, o.testSplits ?? 2) : 1;
  if (testSplits >= splits) throw new KernelInputError('options.testSplits', `an integer below splits (${splits})`, String(testSplits));
  const embargo = checkParam(EMBARGO, o.embargo ?? 0);
  const convention = checkParam(CONVENTION, o.convention ?? 'afml');
  const folds = binomial(splits, testSplits);
  return { size: e.t0.length, args: [e.t0, e.t1, folds, splits, testSplits, embargo, convention], shape: foldsOf };
}

/** Sampled events for the folds: overlapping spans, t1 NaN now and then. */
function sampleFolds(s: Sampler, combinatorial: boolean) {
  const { ts } = sampleSeries(s, s.int(30, 200));
  const events = sampleSpans(s, ts, true, 20);
  const splits = s.int(2, Math.max(2, Math.min(6, events.t0.length)));
  const options: CombinatorialOptions = { splits, embargo: s.pick(0, 0, 0.02, 0.1), convention: s.pick('afml', 'mlfinlab') };
  if (combinatorial) options.testSplits = s.int(1, splits - 1);
  return [events, options];
}

const FOLD_PARAMS = [SPLITS, TEST_SPLITS, EMBARGO, CONVENTION];

/** The labeling family's fold kernels' descriptors. */
export const FOLDS_KERNELS = {
  purgedKFold: {
    params: FOLD_PARAMS,
    signature: 'events.t0[m], events.t1[m], folds',
    outputs: { folds: ['F', 'M'] },
    dims: { F: 'folds', M: 'm' },
    options: ['splits', 'embargo', 'convention'],
    sample: (s: Sampler) => sampleFolds(s, false),
    api: (events: EventSpans, options?: PurgedKFoldOptions) => {
      requireKnownOptions(FOLDS_KERNELS.purgedKFold, options);
      return foldsCall(events, options, false);
    },
  },
  combinatorialPurgedKFold: {
    params: FOLD_PARAMS,
    signature: 'events.t0[m], events.t1[m], folds',
    outputs: { folds: ['F', 'M'] },
    dims: { F: 'folds', M: 'm' },
    options: ['splits', 'testSplits', 'embargo', 'convention'],
    sample: (s: Sampler) => sampleFolds(s, true),
    api: (events: EventSpans, options?: CombinatorialOptions) => {
      requireKnownOptions(FOLDS_KERNELS.combinatorialPurgedKFold, options);
      return foldsCall(events, options, true);
    },
  },
} as const;
