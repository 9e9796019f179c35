/** A connection for the operating commands (status, dlq, replay): a RedisTransport that reads nothing, closed after use. */
import { CONNECTION_DOWN, messageOf, TIMED_OUT } from '../bus/transports/redis/commands.js';
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
    if (error instanceof TransportError) err.write(`kernelbus ${command}: ${error.message}\n`);
    // ioredis's own words for a command with no reply in time or a connection lost: one line, as a TransportError's
    else if (TIMED_OUT.test(messageOf(error)) || CONNECTION_DOWN.test(messageOf(error)))
      err.write(`kernelbus ${command}: ${t.target}: ${messageOf(error)} (Redis did not answer; is it up, or too busy?)\n`);
    else throw error;
    return 1;
  } finally {
    await t.close();
  }
}
