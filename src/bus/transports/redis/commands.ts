/**
 * Sending commands on ioredis connections: waiting for a connection, failing a wait when the connection
 * closes, one socket write for many commands (batch()), and how errors read.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Client, RedisClient } from './client.js';

/** The text of an error (or of anything thrown). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Error replies that may go away (memory freed, a replica promoted, loading done, a slot moved to
 * another node of a cluster): publishing again may succeed.
 */
export const TRANSIENT_REPLY = /^(OOM|LOADING|READONLY|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|NOREPLICAS|MISCONF|MOVED|ASK)\b/;

/**
 * ioredis's words for a command on a connection that is down (closed, refused, reset, a write with the
 * offline queue off): the outage itself, which the transport's PING watch reports once (the health
 * lines), not an error of the task that met it.
 */
export const CONNECTION_DOWN =
  /Stream isn't writeable|^Connection is closed|\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTCONN)\b|Reached the max retries/;

/**
 * ioredis's words for a command that got no reply within its commandTimeout: during an outage the PING
 * watch reports (or just after it, see Dialer.report()), the outage it has already said (RedisTransport
 * leaves it out of the log then).
 */
export const TIMED_OUT = /^Command timed out$/;

/** Error texts of credentials the server refuses: no retry cures them. */
export const AUTH_ERROR = /^(WRONGPASS|NOAUTH|NOPERM)|invalid (username|password)|AUTH failed/i;

/** The wait after another failure in a row: doubling from 10 ms up to `maxMs`. */
export const nextBackoff = (previous: number, maxMs: number) => Math.min(Math.max(2 * previous, 10), maxMs);

/** The Buffer view of a frame (no copy): ioredis sends a bare Uint8Array as the text "1,2,3". */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Whether Redis answered NOGROUP: it lost the group (restarted empty, or the stream was deleted). */
export const isNoGroup = (error: unknown) => messageOf(error).startsWith('NOGROUP');

/** Per client, the waits to fail when its connection closes (one 'close' listener per client, see failWaitsOnClose). */
const closeWaiters = new WeakMap<RedisClient, Set<() => void>>();

/** Makes the waits of unlessClosed() on `client` fail when its connection closes (once per client). */
export function failWaitsOnClose(client: RedisClient): void {
  const waiters = new Set<() => void>();
  closeWaiters.set(client, waiters);
  client.on('close', () => {
    for (const fail of [...waiters]) fail();
    waiters.clear();
  });
}

/**
 * Resolves once `client` is connected, or after `ms`, or when the function given to `onWake` is called
 * (without an offline queue, a command sent before then fails at once: waiting here spares the retry
 * and its log line).
 */
export function connected(client: RedisClient, ms: number, onWake?: (wake: () => void) => void): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const waiters = readyWaitersOf(client);
    const done = () => {
      clearTimeout(timer);
      waiters.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    waiters.add(done);
    onWake?.(done);
  });
}

/** Per client, who waits for its 'ready': one listener serves them all (a listener each, 11 subscriptions of a shared connection were Node's MaxListenersExceededWarning). */
const readyWaiters = new WeakMap<RedisClient, Set<() => void>>();

function readyWaitersOf(client: RedisClient): Set<() => void> {
  let waiters = readyWaiters.get(client);
  if (!waiters) {
    const set = (waiters = new Set());
    readyWaiters.set(client, set);
    client.on('ready', () => {
      for (const wake of [...set]) wake();
    });
  }
  return waiters;
}

/**
 * Settles like `promise`, or rejects when `client`'s connection closes first: ioredis (without
 * autoResendUnfulfilledCommands) drops the commands that were in flight on a lost connection.
 */
export function unlessClosed<T>(client: RedisClient, promise: Promise<T>): Promise<T> {
  const waiters = closeWaiters.get(client);
  if (!waiters) return promise;
  return new Promise<T>((resolve, reject) => {
    const onClose = () => reject(new Error('Connection is closed.'));
    waiters.add(onClose);
    promise.then(
      (value) => {
        waiters.delete(onClose);
        resolve(value);
      },
      (error: unknown) => {
        waiters.delete(onClose);
        reject(error);
      },
    );
  });
}

/**
 * Sends the commands `issue` makes on `client` in one socket write (the socket corked meanwhile) and
 * resolves with [error, reply] per command, in order, or rejects when the connection closes first. Used
 * instead of an ioredis Pipeline, whose objects outlive young-generation GCs: a consumer that read
 * through a Pipeline per cycle at 10k msg/s promoted ~3 MB per scavenge and paused 5-10 ms in each,
 * against 0.3 ms and nothing promoted with the same commands sent this way. On a cluster each command
 * goes to the node of its key's slot (no cork: a socket per node).
 */
export function batch(client: RedisClient, issue: (client: Client) => Promise<unknown>[]): Promise<[Error | null, unknown][]> {
  const socket = 'stream' in client ? (client.stream as Socket | TLSSocket | undefined) : undefined;
  socket?.cork();
  let sent: Promise<unknown>[];
  try {
    sent = issue(client as Client);
  } finally {
    socket?.uncork();
  }
  const settled = sent.map((p) =>
    p.then(
      (reply): [null, unknown] => [null, reply],
      (error: unknown): [Error, null] => [error instanceof Error ? error : new Error(messageOf(error)), null],
    ),
  );
  return unlessClosed(client, Promise.all(settled));
}
