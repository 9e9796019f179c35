/**
 * What of a transport reaches a command's log during an outage: OutageWatch's one line each way, not
 * the connection's own lines nor ioredis's words for a command on a closed connection.
 */
import { describe, expect, it } from 'vitest';
import { CONNECTION_DOWN } from '../../src/bus/transports/redis/commands.js';
import { transportLog } from '../../src/cli/outages.js';

describe('transportLog', () => {
  it('leaves out the lines about the connection; passes the others, at most 5 in 10 s', () => {
    const lines: string[] = [];
    const log = transportLog({ format: 'text', info: () => undefined, error: (m) => void lines.push(m) });
    for (const line of [
      'redis://127.0.0.1:6379/0: unhealthy (PING timed out)',
      'redis://127.0.0.1:6379/0: connection lost (connect ECONNREFUSED 127.0.0.1:6379), reconnecting in 40 ms',
      'redis://127.0.0.1:6379/0: reconnected',
      'redis://127.0.0.1:6379/0: healthy',
    ])
      log(line);
    expect(lines).toEqual([]);
    for (let i = 0; i < 7; i++) log(`redis://127.0.0.1:6379/0: dead-lettered entry ${i}`);
    expect(lines).toHaveLength(5);
  });

  it("CONNECTION_DOWN: ioredis's errors of a connection that is down, not the server's replies", () => {
    for (const text of [
      "Stream isn't writeable and enableOfflineQueue options is false",
      'Connection is closed.',
      'connect ECONNREFUSED 127.0.0.1:6379',
      'read ECONNRESET',
      'write EPIPE',
    ])
      expect(CONNECTION_DOWN.test(text), text).toBe(true);
    for (const text of [
      'OOM command not allowed when used memory > maxmemory',
      'NOGROUP No such key',
      'WRONGPASS invalid username-password pair',
    ])
      expect(CONNECTION_DOWN.test(text), text).toBe(false);
  });
});
