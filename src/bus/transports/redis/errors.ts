/**
 * Errors of the Redis transport: subclasses of KernelbusError. Their messages name the server as
 * `redis://host:port/db` and never contain a username or password.
 */
import { KernelbusError } from '../../../errors.js';

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
 * A transport could not carry entries. `retryable` says whether publishing the same entries again
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
