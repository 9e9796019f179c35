/**
 * Streaming VPIN as the API offers it (`vpinStream(options)`): a backend's core stream (VpinFamily's
 * vpinStream over resolved parameters) composed with trade labelling for a VpinClassifier (each batch
 * labelled on the same backend, with what earlier batches left: LabelStream) and with portable
 * snapshots (snapshot.ts: the core's state, then the classifier's section).
 */
import { KernelInputError } from '../../errors.js';
import { CLASSIFY_TRADES_PARAMS, type ClassifyTradesParams, type QuoteStream } from './classify.js';
import { FrameTrades } from '../frame-trades.js';
import { LabelStream } from './label-stream.js';
import { decodeSnapshot, encodeSnapshot, historyOf, joinHistory } from './vpin-snapshot.js';
import type { Trades } from '../trades.js';
import { describeValue, requireFloat64Array } from '../validate.js';
import { packParams, requireTrades, type VpinFamily, type VpinParams, type VpinStream } from './vpin.js';

/**
 * The stream of `family` (a backend's VPIN family) for resolved `params`, labelling each batch with
 * `classifier` (classifyTrades' parameters) when given.
 */
export function createVpinStream(family: VpinFamily, params: VpinParams, classifier: ClassifyTradesParams | undefined): VpinStream {
  const core = family.vpinStream!(params);
  // a VpinClassifier: each batch labelled on the same backend, with what earlier batches left
  let labels = classifier && new LabelStream(classifier);
  return {
    update(trades: Trades, quotes?: QuoteStream) {
      if (labels) {
        requireTrades(trades);
        const batch = labels.labels(family, trades, quotes);
        const out = core.update(trades.ts, trades.price, trades.volume, batch);
        labels.commit();
        return out;
      }
      if (quotes !== undefined) {
        throw new KernelInputError('quotes', 'no quote stream unless classifier is { algorithm, ... }', 'a quote stream');
      }
      if (trades instanceof FrameTrades) {
        if (core.updateBytes) return core.updateBytes(trades.bytes, trades.rows);
      } else {
        requireTrades(trades);
      }
      return core.update(trades.ts, trades.price, trades.volume);
    },
    flush: () => core.flush(),
    snapshot(options?: { history?: boolean }) {
      const history = options?.history ?? true;
      if (typeof history !== 'boolean') throw new KernelInputError('options.history', 'a boolean', describeValue(history));
      return encodeSnapshot(params, core.exportState(history), labels && classifiedState(classifier!, labels));
    },
    restore(bytes: Uint8Array, options?: { append?: Float64Array }) {
      const { state, classified } = decodeSnapshot(params, bytes);
      const next = classifier && restoreLabels(classifier, classified);
      const append = options?.append;
      if (append === undefined) {
        core.importState(state);
      } else {
        requireFloat64Array(append, 'options.append');
        core.importState(joinHistory(state, historyOf(core.exportState()), append, params.cdfWindow));
      }
      labels = next;
    },
    get bucketCount() {
      return core.bucketCount;
    },
  };
}

/** A classified stream's snapshot section: its classifyTrades parameters, then its LabelStream state. */
function classifiedState(classifier: ClassifyTradesParams, labels: LabelStream): Float64Array {
  const head = packParams(CLASSIFY_TRADES_PARAMS, classifier);
  const state = labels.exportState();
  const out = new Float64Array(head.length + state.length);
  out.set(head);
  out.set(state, head.length);
  return out;
}

/** A LabelStream from a snapshot's section, checked against the stream's classifier (KernelInputError naming `bytes`). */
function restoreLabels(classifier: ClassifyTradesParams, classified: Float64Array | undefined): LabelStream {
  if (!classified) throw new KernelInputError('bytes', 'a snapshot of a stream with a classifier { algorithm, ... }', 'one without');
  const head = packParams(CLASSIFY_TRADES_PARAMS, classifier);
  CLASSIFY_TRADES_PARAMS.forEach(({ key }, i) => {
    if (!Object.is(classified[i], head[i])) {
      throw new KernelInputError('bytes', `a snapshot of a stream with classifier ${key} = ${head[i]}`, `${key} = ${classified[i]}`);
    }
  });
  const labels = new LabelStream(classifier);
  labels.importState(classified.subarray(head.length));
  return labels;
}
