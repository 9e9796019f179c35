/**
 * The bus's errors: subclasses of KernelbusError, so one `instanceof KernelbusError` catches every
 * error kernelbus throws on purpose. Bad arguments to bus functions throw KernelInputError. The
 * transport errors (TransportError, FrameTooLargeError) live here, not with a transport, so that the
 * bus core handles them without importing one; `kernelbus/redis` re-exports them. Their messages name
 * a server as `redis://host:port/db` and never contain a username or password.
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

/** Why a TransportError was raised. */
export type TransportErrorCode =
  /** Not connected (or not ready) within the publish timeout; nothing was stored. */
  | 'unavailable'
  /** The server refused the credentials (WRONGPASS, NOAUTH, NOPERM); retrying will not help. */
  | 'auth'
  /** No reply within the publish timeout, or the connection was lost while waiting: the entries may have been stored. */
  | 'timeout'
  /** The server answered a command with an error. */
  | 'command'
  /** An entry is larger than the transport's `maxFrameBytes`; nothing was stored. */
  | 'frame-too-large';

/**
 * A transport could not carry entries (the Redis transport raises it; a transport of one's own may). `retryable` says whether publishing the same entries again
 * may succeed; after a `'timeout'` they may have been stored already, so a retry can store them twice.
 */
export class TransportError extends KernelbusError {
  override name = 'TransportError';
  /** What went wrong (see TransportErrorCode). */
  readonly code: TransportErrorCode;
  /** The server, as `redis://host:port/db` (no credentials). */
  readonly target: string;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;
  constructor(code: TransportErrorCode, target: string, message: string, retryable: boolean) {
    super(`${target}: ${message}`);
    this.code = code;
    this.target = target;
    this.retryable = retryable;
  }
}

/**
 * An entry larger than the transport's frame size limit, or than the largest value the server accepts
 * (its `proto-max-bulk-len`): refused on publish (nothing of the call is stored).
 */
export class FrameTooLargeError extends TransportError {
  override name = 'FrameTooLargeError';
  /** Size of the refused entry's frame. */
  readonly bytes: number;
  /** The limit (`maxFrameBytes`, or the server's `proto-max-bulk-len` when lower). */
  readonly limit: number;
  constructor(target: string, bytes: number, limit: number, limitName = 'maxFrameBytes') {
    super('frame-too-large', target, `frame of ${bytes} bytes exceeds ${limitName} ${limit}`, false);
    this.bytes = bytes;
    this.limit = limit;
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
