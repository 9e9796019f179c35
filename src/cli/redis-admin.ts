/** A connection for the operating commands (status, dlq, replay): a RedisTransport that reads nothing, closed after use. */
import { TransportError } from '../bus/transports/redis/index.js';
import type { RedisTransport } from '../bus/transports/redis/transport.js';

/**
 * Runs `work` with a connected RedisTransport for `url` and `prefix`; prints a TransportError (Redis not
 * answering, no credentials in it) on `err` as `kernelbus <command>: ...` and returns 1.
 */
export async function withRedis(
  command: string,
  url: string,
  prefix: string,
  err: NodeJS.WritableStream,
  work: (t: RedisTransport) => Promise<number>,
): Promise<number> {
  const { RedisTransport } = await import('../bus/transports/redis/transport.js');
  const t = new RedisTransport({ url, prefix });
  try {
    await t.ready();
    return await work(t);
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    err.write(`kernelbus ${command}: ${error.message}\n`);
    return 1;
  } finally {
    await t.close();
  }
}
