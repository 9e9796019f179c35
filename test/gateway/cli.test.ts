/**
 * The pieces around the gateway: the stats frame's per-interval quantile (Prometheus's
 * histogram_quantile on bucket increments, checked against values worked by hand), `demo --dashboard`
 * without its port, and `kernelbus gateway`'s refusals of bad flags (exit 2, the flag named).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { dashboardArgs } from '../../src/cli/gateway.js';
import { createBus } from '../../src/bus/bus.js';
import { KernelInputError } from '../../src/errors.js';
import { createGateway } from '../../src/gateway/index.js';
import { intervalQuantile } from '../../src/gateway/stats.js';

const buckets = (cumulative: number[]) => ({ bounds: [1, 2, 4, 8], cumulative, count: cumulative[3], sum: 0 });

describe('gateway stats and CLI', () => {
  it("intervalQuantile interpolates inside the bucket that holds the rank, over the interval's increments", () => {
    // 10 values in (0, 1], 10 in (1, 2], 20 in (2, 4], none above: rank 0.5 x 40 = 20 -> the top of (1, 2]
    const now = buckets([10, 20, 40, 40]);
    expect(intervalQuantile(0.5, now, undefined)).toBe(2);
    // rank 0.25 x 40 = 10 -> the top of the first bucket; rank 0.75 x 40 = 30 -> halfway through (2, 4]
    expect(intervalQuantile(0.25, now, undefined)).toBe(1);
    expect(intervalQuantile(0.75, now, undefined)).toBe(3);
    // rank 0.05 x 40 = 2 -> 2/10 of (0, 1]
    expect(intervalQuantile(0.05, now, undefined)).toBeCloseTo(0.2, 12);
    // Only what was counted since `before`: 0 + 0 + 10 + 0 new values, all in (2, 4]
    expect(intervalQuantile(0.5, now, buckets([10, 20, 30, 30]))).toBe(3);
    expect(intervalQuantile(0.99, now, now)).toBeNaN();
    // above the highest bound (in +Inf): the highest bound, as histogram_quantile answers
    expect(intervalQuantile(0.99, { bounds: [1, 2], cumulative: [1, 1], count: 10, sum: 0 }, undefined)).toBe(2);
  });

  it('createGateway refuses bad options with KernelInputError naming the option, before listening or subscribing', async () => {
    const bus = createBus();
    const cases: [object, string][] = [
      [{ port: 70_000 }, 'options.port: expected an integer in [0, 65535], got 70000'],
      [{ maxQueue: 0 }, 'options.maxQueue: expected an integer > 0, got 0'],
      [{ flushMs: -1 }, 'options.flushMs: expected a number > 0, got -1'],
      [{ token: '' }, 'options.token: expected a non-empty string, got another value (not shown)'],
      [{ origins: 'https://a.example' }, "options.origins: expected a list of origins or '*', got"],
      [{ types: [] }, 'options.types: expected a non-empty list of message types, got'],
    ];
    for (const [options, message] of cases) {
      const error = await createGateway(bus, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelInputError);
      expect((error as Error).message.startsWith(message), (error as Error).message).toBe(true);
    }
    await bus.close();
  });

  it('demo --dashboard without a port means 8600', () => {
    expect(dashboardArgs(['--dashboard'])).toEqual(['--dashboard=8600']);
    expect(dashboardArgs(['--dashboard', '--rate', '10'])).toEqual(['--dashboard=8600', '--rate', '10']);
    expect(dashboardArgs(['--dashboard', '0', '--rate', '10'])).toEqual(['--dashboard', '0', '--rate', '10']);
    expect(dashboardArgs(['--dashboard=9000'])).toEqual(['--dashboard=9000']);
  });

  it('kernelbus gateway refuses bad flags with exit 2, naming the flag', async () => {
    const errors: string[] = [];
    const error = console.error;
    console.error = (line: string) => void errors.push(line);
    try {
      expect(await main(['gateway'])).toBe(2);
      expect(await main(['gateway', '--redis', 'redis://127.0.0.1:1', '--port', '70000'])).toBe(2);
      expect(await main(['gateway', '--redis', 'redis://127.0.0.1:1', '--origin', 'not a url'])).toBe(2);
      expect(await main(['demo', '--dashboard', '-1'])).toBe(2);
    } finally {
      console.error = error;
    }
    expect(errors[0]).toMatch(/^kernelbus gateway: --redis: expected a redis:\/\/host:port URL, got nothing/);
    expect(errors[1]).toMatch(/^kernelbus gateway: --port: expected an integer in \[0, 65535\], got "70000"/);
    expect(errors[2]).toMatch(
      /^kernelbus gateway: --origin: expected origins such as https:\/\/host:port, comma-separated, or '\*', got "not a url"/,
    );
    expect(errors[3]).toMatch(/^kernelbus demo: /);
  });
});
