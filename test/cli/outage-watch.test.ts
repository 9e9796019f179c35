/**
 * OutageWatch's reason for an outage: a server paused just before a write probe is named by its PINGs
 * (the probe waits longer than the PING watch takes to see it), and a server that answers PINGs but not
 * writes by the probe. Fake timers over a stand-in transport that behaves as the Redis one's PING watch
 * does at the commands' settings (COMMAND_HEALTH) at its slowest: a PING sent one tick after the pause,
 * found late one tick after its timeout. With a probe timeout of 1 s (before) the first test failed: the
 * paused server was said to refuse writes: the likely failure of a CI run at test/redis-e2e/outages.test.ts
 * 'paused (SIGSTOP) 5 s', whose feed must name the PINGs.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { Bus } from '../../src/bus/bus.js';
import type { Transport } from '../../src/bus/transports/types.js';
import { COMMAND_HEALTH } from '../../src/cli/common.js';
import type { Log } from '../../src/cli/observe.js';
import { OutageWatch } from '../../src/cli/outages.js';

/** When the PING watch calls a server paused at `t0` unhealthy, at the latest. */
const PING_SEEN_MS = COMMAND_HEALTH.healthIntervalMs + COMMAND_HEALTH.healthTimeoutMs + COMMAND_HEALTH.healthIntervalMs;

/** A stand-in server and its transport: paused (no reply to anything) or refusing writes from a time on. */
function server() {
  const state = { pausedAt: Number.POSITIVE_INFINITY, refusing: false, probes: 0 };
  const transport = {
    name: 'redis',
    target: 'redis://127.0.0.1:6379/0',
    get healthy() {
      return performance.now() - state.pausedAt < PING_SEEN_MS;
    },
    watchHealth: () => () => undefined,
    probe(timeoutMs: number): Promise<true | string> {
      state.probes++;
      if (performance.now() >= state.pausedAt)
        // 1 ms early: Node re-arms an interval after its callback, so the checks drift later than a timer
        // set in one of them and a probe's timeout due at a check's time has run before it
        return new Promise((resolve) => setTimeout(() => resolve(`no reply within ${timeoutMs} ms`), timeoutMs - 1));
      return Promise.resolve(state.refusing ? 'OOM command not allowed' : true);
    },
    metrics: () => ({ reconnects: 0 }),
  } as unknown as Transport;
  const bus = {
    buses: ['marketdata'],
    transport: () => transport,
    metrics: () => ({ buses: { marketdata: { publishErrors: 0 } } }),
  } as unknown as Pick<Bus, 'buses' | 'transport' | 'metrics'>;
  return { state, bus };
}

const watches: OutageWatch[] = [];

/** An OutageWatch (the commands' defaults) of a stand-in server, and the error lines it logs; closed after the test. */
function watched() {
  const { state, bus } = server();
  const errors: { message: string; fields?: Record<string, unknown> }[] = [];
  const log: Log = { format: 'json', info: () => undefined, error: (message, fields) => void errors.push({ message, fields }) };
  const watch = new OutageWatch(bus, { log });
  watches.push(watch);
  return { state, errors, watch };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'performance'] });
});
afterEach(() => {
  for (const watch of watches.splice(0)) watch.close();
  vi.useRealTimers();
});

it('a server paused just before a write probe: the outage is named by its PINGs, not by the probe left unanswered', async () => {
  const { state, errors, watch } = watched();
  // probes go out at 0 ms and then every 1000 ms (the 250 ms checks): pause 1 ms before the second
  await vi.advanceTimersByTimeAsync(999);
  expect(state.probes).toBe(1);
  state.pausedAt = performance.now();
  await vi.advanceTimersByTimeAsync(1);
  expect(state.probes).toBe(2); // sent to the paused server
  await vi.advanceTimersByTimeAsync(4000);
  expect(errors).toHaveLength(1);
  expect(errors[0].fields).toMatchObject({ event: 'redis-down', reason: expect.stringMatching(/PING/) });
  expect(watch.ready()).toMatch(/^Redis not answering \(marketdata: no reply to PING/);
});

it('a server that answers PINGs but refuses writes: the outage is named by the probe', async () => {
  const { state, errors, watch } = watched();
  await vi.advanceTimersByTimeAsync(500);
  expect(watch.ready()).toBe(true);
  state.refusing = true;
  await vi.advanceTimersByTimeAsync(2000);
  expect(errors.map((e) => e.message)).toEqual([
    'Redis redis://127.0.0.1:6379/0 (marketdata) stopped answering: write refused: OOM command not allowed',
  ]);
  expect(watch.ready()).toBe('Redis not answering (marketdata: write refused: OOM command not allowed)');
});
