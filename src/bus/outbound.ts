/**
 * The sending side of the bus: frames from the batcher are routed (which bus), named (which stream)
 * and handed to the transports, one publish call per stream. On a transport that stores
 * asynchronously (capabilities.serialPublish) one publish per stream is in flight at a time and what
 * comes meanwhile waits behind it, so that per-key order holds across failures; frames a transport
 * refused wait for a retry (re-routed then, in their order), or are dropped when refused for good.
 * Counts what it hands out until the transports settle it (the bus's depth).
 */
import { randomBytes } from 'node:crypto';
import type { BatchFrame } from './batcher.js';
import type { BusOptions } from './bus-options.js';
import type { BusName } from './messages.js';
import type { Histogram } from './histogram.js';
import type { BusStats, Router } from './router.js';
import { FrameTooLargeError, TransportError } from './errors.js';
import type { OutgoingEntry, Transport } from './transports/types.js';

/** A bus as the sending side sees it: its transport, counters and health after a refusal. */
export interface Lane {
  name: BusName;
  transport: Transport;
  owned: boolean;
  frames: number;
  messages: number;
  publishErrors: number;
  /** Until this time (performance.now) the lane counts as unhealthy after a failed publish. */
  failedUntil: number;
  publishLatency: Histogram;
  /** Publish-to-handler latency of this bus's deliveries, ms. */
  deliveryLatency: Histogram;
  p50: number;
  p50Count: number;
  /**
   * One publish in flight per stream (transports that store asynchronously, e.g. Redis): a later
   * publish cannot overtake one that fails, so per-key order holds across retries. The in-process
   * transport stores synchronously and needs no such wait.
   */
  serial: boolean;
}

/** A stream's publish in flight and the sends queued behind it (serial lanes). */
interface InFlight {
  queued: { seq: number; frames: BatchFrame[] }[];
}

/** What the sending side needs from its bus. */
export interface OutboundHost {
  readonly router: Router;
  /** The types whose messages are trades (their frames' sizes go to batchSize). */
  readonly columnar: ReadonlySet<string>;
  readonly counters: { frames: number; watermarkFrames: number; undeliverable: number };
  readonly batchSize: Histogram;
  /** Wait before retrying refused frames. */
  readonly retryMs: number;
  /** How long a lane counts as unhealthy after a refusal. */
  readonly cooldownMs: number;
  readonly onError: BusOptions['onError'];
  lane(bus: BusName): Lane;
  /** The stream of a key of a type on a bus. */
  streamName(bus: BusName, type: string, key: string): string;
  /** A bus's health, backlog and latency, for the router. */
  stats: (bus: BusName) => BusStats;
  /** Flushes the rows the batcher held back (see held()). */
  flushHeld(): void;
  /** Wakes the publishers waiting for room (the depth went down). */
  wake(): void;
}

/** Hands a bus's frames to its transports. */
export class Outbound {
  /** Identifies this bus as the producer of its entries (OutgoingEntry.producer). */
  private readonly producer = randomBytes(8).toString('hex');
  /** The last seq given to a frame handed to a serial transport (BatchFrame.seq: a retry sends the very frame with the same seq, stored once). */
  private nextSeq = 0;
  /** The stream a refused frame was sent to (its seq belongs to that stream), until it is sent again. */
  private readonly triedOn = new WeakMap<BatchFrame, string>();
  /** Publishes in flight. */
  readonly publishing = new Set<Promise<unknown>>();
  /** The stream whose publish just ended: its held rows flush now, behind what queued (see held()). */
  private releasing: string | undefined;
  /** Streams of serial lanes with a publish in flight. */
  private readonly inFlight = new Map<string, InFlight>();
  /** Frames a transport refused, with the sequence number of their send, waiting for a retry (later frames queue behind them). */
  private retryFrames: { seq: number; frames: BatchFrame[] }[] = [];
  /** Sequence number of the last send (and of frames queued behind a retry). */
  private sendSeq = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Publish calls made so far: drain() sees by it that a retry was sent while it waited for idle(). */
  calls = 0;
  /** Messages waiting for a retry. */
  retryPending = 0;
  /** Messages handed to transports and not yet settled. */
  unsettled = 0;

  constructor(private readonly host: OutboundHost) {}

  /** Whether refused frames wait for a retry. */
  get retrying(): boolean {
    return this.retryFrames.length > 0;
  }

  /** Routes frames and hands them to transports, one publish call per stream, in order. */
  dispatch(frames: BatchFrame[]): void {
    if (this.retryFrames.length > 0) {
      this.retryFrames.push({ seq: ++this.sendSeq, frames });
      for (const f of frames) this.retryPending += f.count;
      return;
    }
    const byStream = new Map<string, { lane: Lane; frames: BatchFrame[] }>();
    for (const f of frames) {
      const bus = this.host.router.route(f.type, f.key, this.host.stats);
      const stream = this.host.streamName(bus, f.type, f.key);
      let group = byStream.get(stream);
      if (!group) {
        group = { lane: this.host.lane(bus), frames: [] };
        byStream.set(stream, group);
      }
      group.frames.push(f);
      this.host.router.sent(f.type, f.key, bus, f.count);
      this.unsettled += f.count;
      this.host.counters.frames++;
      group.lane.frames++;
      group.lane.messages += f.count;
      if (!this.host.columnar.has(f.type)) continue;
      if (f.count > 0) this.host.batchSize.record(f.count);
      else this.host.counters.watermarkFrames++;
    }
    for (const [stream, { lane, frames: batch }] of byStream) this.send(lane, stream, batch);
  }

  private send(lane: Lane, stream: string, frames: BatchFrame[]): void {
    const seq = ++this.sendSeq;
    const busy = this.inFlight.get(stream);
    if (busy) busy.queued.push({ seq, frames });
    else this.publishNow(lane, stream, [{ seq, frames }]);
  }

  private publishNow(lane: Lane, stream: string, sends: { seq: number; frames: BatchFrame[] }[]): void {
    // Sends that queued behind a publish in flight go as one.
    const frames = sends.length === 1 ? sends[0].frames : sends.flatMap((x) => x.frames);
    const entries: OutgoingEntry[] = frames.map((f) => {
      if (!lane.serial) return { key: f.key, count: f.count, data: f.data };
      // A seq is the frame's on one stream (seqs increase along each: the transport stores none at or
      // below the highest it stored); a retry re-routed to another stream numbers the frame anew there.
      if (!f.seq || (this.triedOn.has(f) && this.triedOn.get(f) !== stream)) f.seq = ++this.nextSeq;
      return { key: f.key, count: f.count, data: f.data, producer: this.producer, seq: f.seq };
    });
    const flight: InFlight | undefined = lane.serial ? { queued: [] } : undefined;
    if (flight) this.inFlight.set(stream, flight);
    const started = performance.now();
    this.calls++;
    let promise: Promise<unknown>;
    try {
      promise = lane.transport.publish(stream, entries);
    } catch (error) {
      promise = Promise.reject(error);
    }
    const tracked = promise.then(
      () => {
        lane.publishLatency.record(performance.now() - started);
        if (!flight) return;
        // The rows held back meanwhile (see held()) join what queued behind this publish, as one publish.
        this.releasing = stream;
        this.host.flushHeld();
        this.releasing = undefined;
        this.inFlight.delete(stream);
        if (flight.queued.length > 0) this.publishNow(lane, stream, flight.queued);
      },
      (error: unknown) => {
        if (flight) this.inFlight.delete(stream);
        this.refused(lane, error);
        // A refusal for good drops the frames it concerns (all of them, or those over a size limit).
        const permanent = error instanceof TransportError && !error.retryable;
        const bad = (f: BatchFrame) => permanent && (!(error instanceof FrameTooLargeError) || f.data.byteLength > error.limit);
        // The frames as sent (a retry after an ambiguous failure must store the same frames, which
        // engines recognise as stored twice), then what waited behind them, in order.
        for (const f of frames) if (f.seq) this.triedOn.set(f, stream);
        for (const x of [{ seq: sends[0].seq, frames }, ...(flight?.queued ?? [])]) {
          const [dropped, retried] = x.frames.some(bad) ? partition(x.frames, bad) : [[], x.frames];
          if (dropped.length > 0) this.drop(lane, dropped);
          if (retried.length > 0) this.requeue(lane, x.seq, retried);
        }
        if (flight) this.host.flushHeld(); // held rows, behind what waits for the retry
      },
    );
    this.publishing.add(tracked);
    void tracked.finally(() => this.publishing.delete(tracked));
  }

  /**
   * The batcher's hold rule: a key whose stream has a publish in flight keeps its trade rows open at
   * the end of the turn; they flush when the publish ends, as one frame rather than many small ones.
   */
  held(type: string, key: string): boolean {
    if (this.inFlight.size === 0) return false;
    const stream = this.streamOf(type, key);
    return stream !== this.releasing && this.inFlight.has(stream);
  }

  /** The stream a frame of (type, key) goes to now. */
  streamOf(type: string, key: string): string {
    return this.host.streamName(this.host.router.route(type, key, this.host.stats), type, key);
  }

  /** A transport refused a publish: the lane counts as unhealthy for cooldownMs. */
  private refused(lane: Lane, error: unknown): void {
    lane.publishErrors++;
    lane.failedUntil = performance.now() + this.host.cooldownMs;
    this.host.onError?.(error, undefined);
  }

  /** Frames a transport refused for good: counted as undeliverable, no longer in the depth. */
  private drop(lane: Lane, frames: BatchFrame[]): void {
    let count = 0;
    for (const f of frames) {
      this.host.router.settled(f.type, f.key, lane.name, f.count);
      count += f.count;
    }
    this.host.counters.undeliverable += count;
    this.unsettled -= count;
    this.host.wake();
  }

  /**
   * Frames a transport refused (or that waited behind a refused publish) wait for a retry (re-routed
   * then, in the order they were first sent), counted in the depth meanwhile.
   */
  private requeue(lane: Lane, seq: number, frames: BatchFrame[]): void {
    for (const f of frames) {
      this.host.router.settled(f.type, f.key, lane.name, f.count);
      this.unsettled -= f.count;
      this.retryPending += f.count;
    }
    this.retryFrames.push({ seq, frames });
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      const retry = this.retryFrames.sort((a, b) => a.seq - b.seq).flatMap((r) => r.frames);
      this.retryFrames = [];
      this.retryPending = 0;
      this.dispatch(retry);
    }, this.host.retryMs);
  }

  /** A transport settled `count` messages of `key` sent on `lane` (every group acknowledged them). */
  settled(lane: Lane, type: string, key: string, count: number): void {
    this.host.router.settled(type, key, lane.name, count);
    this.unsettled -= count;
    this.host.wake();
  }
}

/** The items of `list` for which `test` holds, and the others, in order. */
function partition<T>(list: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of list) (test(item) ? yes : no).push(item);
  return [yes, no];
}
