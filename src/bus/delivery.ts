/**
 * The receiving side of the bus: an entry from a transport is decoded, checked against the stream it
 * came in on (FrameError when it does not belong there, which the transport dead-letters at once),
 * handed to the subscriber's handler as a BusMessage, and counted (delivered, acknowledged, failed,
 * redelivered, copies, latency).
 */
import { FrameError } from './errors.js';
import { decodeFrame, type Frame, watermarkOnly } from './frames.js';
import type { BusOptions, MessageHandler } from './bus-options.js';
import { nowMs, type BusMessage, type BusName } from './messages.js';
import type { Histogram } from './histogram.js';
import type { Entry } from './transports/types.js';

/** The bus counters deliveries add to. */
export interface DeliveryCounters {
  delivered: number;
  acknowledged: number;
  redelivered: number;
  failed: number;
  copies: number;
}

/** Where an entry came from, as a BusMessage tells it: the Entry a transport delivers has these. */
export type EntryOrigin = Pick<Entry, 'id' | 'stream' | 'deliveries'>;

/**
 * The BusMessage of a decoded frame that came in as `entry` on `bus`: trades carry their columns as
 * the payload (views of the frame bytes, or FrameTrades' one copy) and the frame's last timestamp,
 * read from the frame (the columns are not touched). Used by delivery and by checkpoint replay alike.
 */
export function messageOf(frame: Frame, entry: EntryOrigin, bus: BusName): BusMessage {
  const trades = frame.kind === 'trades';
  return {
    id: entry.id,
    bus,
    stream: entry.stream,
    type: frame.type,
    key: frame.key,
    ts: trades ? frame.lastTs : frame.ts,
    payload: trades ? frame.columns : frame.payload,
    priority: frame.priority,
    count: frame.count,
    sentAt: frame.sentAt,
    deliveries: entry.deliveries,
    watermark: trades ? frame.watermark : Number.NaN,
  };
}

/** Delivers a bus's entries to its subscribers' handlers. */
export class Delivery {
  constructor(
    private readonly counters: DeliveryCounters,
    /** Publish-to-handler latency, ms, of the deliveries of a bus without a histogram of its own. */
    private readonly latency: Histogram,
    /** The types whose messages are trades (columnar frames). */
    private readonly columnar: ReadonlySet<string>,
    private readonly onError: BusOptions['onError'],
    /** Publish-to-handler latency of one bus, ms (the Prometheus histogram's `bus` label); recorded there only. */
    private readonly busLatency?: (bus: BusName) => Histogram | undefined,
  ) {}

  /** Counts a frame whose columns were copied (unaligned bytes read as Float64Arrays: see FrameTrades). */
  private readonly countCopy = (): void => {
    this.counters.copies++;
  };

  /**
   * Decodes an entry of a stream of `type`, calls the handler and counts the outcome (rethrowing failures
   * for redelivery). A frame that does not belong where it came in (another type than the stream's, a
   * message frame on a columnar type or trades on another, another key than the entry's) is malformed:
   * FrameError, which the transport dead-letters at once. Dead letters (`type` undefined) are not checked.
   * A watermark-only frame (trades, no rows) reaches the handler only with `watermarks`.
   */
  deliver(bus: BusName, type: string | undefined, entry: Entry, handler: MessageHandler, watermarks = false): void | Promise<void> {
    let message: BusMessage;
    try {
      const frame = decodeFrame(entry.data, this.countCopy, entry.head);
      const misplaced = type === undefined ? undefined : this.misplaced(frame.type, frame.kind, frame.key, type, entry.key);
      if (misplaced) throw new FrameError(misplaced);
      if (!watermarks && watermarkOnly(frame)) return;
      message = messageOf(frame, entry, bus);
    } catch (error) {
      this.counters.failed += entry.count;
      this.onError?.(error, undefined);
      throw error;
    }
    const count = message.count;
    this.counters.delivered += count;
    if (entry.deliveries > 1) this.counters.redelivered += count;
    // one histogram a delivery: its bus's (the bus-wide figure is their sum, read by Bus.metrics())
    (this.busLatency?.(bus) ?? this.latency).record(nowMs() - message.sentAt, count);
    let result: void | Promise<void>;
    try {
      result = handler(message);
    } catch (error) {
      return this.handlerFailed(error, message);
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(
        () => {
          this.counters.acknowledged += count;
        },
        (error: unknown) => this.handlerFailed(error, message),
      );
    }
    this.counters.acknowledged += count;
  }

  /**
   * Why a frame (its type, kind and key) does not belong on a stream of `type` in an entry of `key`, or
   * undefined when it does.
   */
  private misplaced(frameType: string, kind: 'trades' | 'message', frameKey: string, type: string, key: string): string | undefined {
    if (frameType !== type) return `type ${JSON.stringify(frameType)} on a stream of ${JSON.stringify(type)}`;
    const columnar = this.columnar.has(type);
    if (columnar !== (kind === 'trades'))
      return `a ${kind} frame on a stream of ${JSON.stringify(type)}, whose messages are ${columnar ? 'trades' : 'not trades'}`;
    if (frameKey !== key) return `key ${JSON.stringify(frameKey)} in an entry of key ${JSON.stringify(key)}`;
    return undefined;
  }

  /** Counts a failed delivery, reports it and rethrows it (the transport then redelivers). */
  private handlerFailed(error: unknown, message: BusMessage): never {
    this.counters.failed += message.count;
    this.onError?.(error, message);
    throw error;
  }
}
