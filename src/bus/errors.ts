/**
 * The bus's errors: subclasses of KernelbusError, so one `instanceof KernelbusError` catches every
 * error kernelbus throws on purpose. Bad arguments to bus functions throw KernelInputError.
 */
import { KernelbusError } from '../errors.js';

/**
 * A frame could not be decoded: truncated, wrong magic or version, unknown kind, counts or lengths that
 * do not match the buffer, or a body that is not valid. `message` is `"frame: <reason>"`.
 */
export class FrameError extends KernelbusError {
  override name = 'FrameError';
  /** What was wrong, e.g. `"bad magic 0x00000000"`, `"length 40 != 64 for 1 rows"`. */
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`frame: ${reason}`, options);
    this.reason = reason;
  }
}

/**
 * `publish()` on a bus whose queue is full, in non-blocking mode (`backpressure: 'reject'`). The
 * message was not accepted; publish it again once `bus.depth` has fallen.
 */
export class BackpressureError extends KernelbusError {
  override name = 'BackpressureError';
  /** Messages queued or unacknowledged when the publish was refused. */
  readonly depth: number;
  /** The bus's `maxQueue`. */
  readonly limit: number;
  constructor(depth: number, limit: number) {
    super(`bus queue is full: ${depth} messages queued or unacknowledged (maxQueue ${limit})`);
    this.depth = depth;
    this.limit = limit;
  }
}

/** An operation on a bus, transport or subscription that was already closed. */
export class BusClosedError extends KernelbusError {
  override name = 'BusClosedError';
  constructor(what: string) {
    super(`${what} is closed`);
  }
}
