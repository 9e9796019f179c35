/**
 * /readyz's "not stalled" for an engine (src/cli/observe.ts stallCheck): ready while it processes, or
 * while nothing waits for its group; not ready once entries wait and none was processed for the
 * stall time; ready again as soon as one is. Redis is asked only after the stall time.
 */
import { describe, expect, it } from 'vitest';
import { retryUntil, stallCheck } from '../../src/cli/observe.js';

describe('stallCheck', () => {
  it('fails only when entries wait and nothing was processed for the stall time', async () => {
    let clock = 0;
    let processed = 0;
    let waiting = 0;
    let asked = 0;
    const check = stallCheck(
      () => processed,
      async () => {
        asked++;
        return waiting;
      },
      60_000,
      () => clock,
    );
    waiting = 500;
    clock = 59_999;
    expect(await check()).toBe(true); // within the stall time: Redis not asked
    expect(asked).toBe(0);
    clock = 60_000;
    expect(await check()).toBe('stalled: 500 entries wait for the group and none was processed for 60 s');
    expect(asked).toBe(1);
    processed = 10; // it moves again
    clock = 61_000;
    expect(await check()).toBe(true);
    clock = 130_000; // idle again, but nothing waits: an idle engine is not a stalled one
    waiting = 0;
    expect(await check()).toBe(true);
    expect(asked).toBe(2);
  });
});

describe('retryUntil', () => {
  it('tries again after each rejection until one resolves; gives up only when stopped', async () => {
    let calls = 0;
    const held = await retryUntil(
      async () => {
        if (++calls < 3) throw new Error('no reader within the publish timeout');
      },
      () => false,
      1,
    );
    expect(held).toBe(true);
    expect(calls).toBe(3); // a one-shot wait (the engine's /readyz before) would have stopped at the first
    let stopped = false;
    let tries = 0;
    const given = await retryUntil(
      async () => {
        if (++tries === 2) stopped = true;
        throw new Error('Redis does not answer');
      },
      () => stopped,
      1,
    );
    expect(given).toBe(false);
    expect(tries).toBe(2);
  });
});
