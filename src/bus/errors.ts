/**
 * The bus's errors: subclasses of KernelbusError, so one `instanceof KernelbusError` catches every
 * error kernelbus throws on purpose. Bad arguments to bus functions throw KernelInputError.
 */
import { KernelbusError, KernelInputError } from '../errors.js';

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

/**
 * Whether a handler's failure is one no retry can cure, so that its entry is dead-lettered at its first
 * delivery rather than retried: a FrameError (the entry is malformed, or does not belong where it came
 * in) or a KernelInputError (data a kernel rejects: NaN prices, negative volumes, decreasing timestamps,
 * a payload that is not what its type needs).
 */
export function isPermanentFailure(error: unknown): error is FrameError | KernelInputError {
  return error instanceof FrameError || error instanceof KernelInputError;
}

/** The dead-letter reason for a handler failure that no retry cures (see isPermanentFailure). */
export function permanentFailureReason(error: FrameError | KernelInputError): string {
  return error instanceof FrameError ? `malformed entry: ${error.message}` : `invalid data: ${error.message}`;
}
