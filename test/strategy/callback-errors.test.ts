/**
 * Issue 88, point 3: a failing strategy says so. A callback that throws at every bar is logged once (the
 * first error, its stack cut to the strategy's frames) and counted by kind (callback, message, place),
 * not logged a line a bar; summary() gives the counts, allFailed() the callbacks that threw at every
 * call; past maxErrors the run stops at once with StrategyErrorLimit. The Strategy engine keeps running
 * on a strategy's errors (no delivery fails, nothing dead-lettered), stops feeding a strategy past its
 * maxErrors and calls onHalt once, and says why it fails (failure()).
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { StrategyEngine } from '../../src/engines/index.js';
import { KernelInputError } from '../../src/errors.js';
import { CallbackErrors, StrategyErrorLimit, strategyFrames } from '../../src/strategy/errors.js';
import { backtestStrategy, defineStrategy, StrategyError, StrategyRunner } from '../../src/strategy/index.js';
import { randomTape } from './helpers.js';

const thisFile = import.meta.filename;
const bars = { by: 'tick' as const, threshold: 10 };
/** No 'onBar took ... ms' line on a loaded machine: the logs counted here are the errors'. */
const SLOW = Number.POSITIVE_INFINITY;
const regexOf = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A strategy whose onBar reads a property of undefined at every bar (`ctx.positon.x`). */
const typo = defineStrategy({
  name: 'typo',
  bars,
  onBar(ctx, bar) {
    // the typo: position misspelt
    if ((ctx as unknown as { positon: { x: number } }).positon.x > 0) ctx.close(bar.symbol);
  },
});

describe('a callback that throws at every bar', () => {
  it('is logged once with its file:line and the strategy frames of its stack, then counted by kind', () => {
    const logs: string[] = [];
    const result = backtestStrategy(randomTape(100, ['A', 'B']), typo, { slowOnBarMs: SLOW, log: (line) => logs.push(line) });
    expect(result.metrics).toMatchObject({ bars: 20, errors: 20 });
    // one log call: the first error (three lines), not one a bar
    expect(logs).toHaveLength(1);
    const [first, ...rest] = logs[0].split('\n');
    expect(first).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z typo: onBar threw at A bar 0, its orders dropped: ${regexOf(thisFile)}:\\d+:\\d+: TypeError: Cannot read properties of undefined \\(reading 'x'\\)$`,
      ),
    );
    // the stack: this file's frame (the strategy's), none of kernelbus's runner or of vitest
    expect(rest[0]).toMatch(new RegExp(`^    at .*onBar \\(${regexOf(thisFile)}:\\d+:\\d+\\)$`));
    expect(rest.slice(1)).toEqual(['    (the same error again is counted, not logged: the counts come at the end)']);
    const [kind] = result.errors.kinds();
    expect(kind).toMatchObject({ callback: 'onBar', count: 20 });
    expect(kind.place).toMatch(new RegExp(`^${regexOf(thisFile)}:\\d+:\\d+$`));
    expect(result.errors.allFailed()).toEqual(['onBar']);
    expect(result.errors.calls).toMatchObject({ onBar: 20 });
    const summary = result.errors.summary();
    expect(summary[0]).toBe('typo: 20 callback errors (onBar 20 of 20 calls), by kind:');
    expect(summary[1]).toMatch(
      new RegExp(`^  20 x onBar: ${regexOf(thisFile)}:\\d+:\\d+: TypeError: Cannot read .* \\(first: \\S+Z at A bar 0\\)$`),
    );
    expect(summary).toHaveLength(2);
  });

  it('logs each new kind once (ten kinds at most), and counts every one', () => {
    const s = defineStrategy({
      name: 'kinds',
      bars: { by: 'tick', threshold: 1 },
      onBar(_ctx, bar) {
        throw new Error(`bad bar ${bar.index % 12}`);
      },
    });
    const logs: string[] = [];
    const result = backtestStrategy(randomTape(36, ['A']), s, { slowOnBarMs: SLOW, log: (line) => logs.push(line) });
    expect(result.metrics.errors).toBe(36);
    // 10 kinds logged (the first with its stack), then the note that further kinds are counted only
    expect(logs).toHaveLength(11);
    expect(logs[1]).toMatch(/kinds: onBar threw at A bar 1, its orders dropped: .*: bad bar 1$/);
    expect(logs[10]).toMatch(/kinds: 10 kinds of callback errors logged: further kinds are counted only$/);
    expect(result.errors.kinds().map((k) => k.count)).toEqual(Array(12).fill(3));
    const summary = result.errors.summary(5);
    expect(summary).toHaveLength(7);
    expect(summary.at(-1)).toBe('  and 7 more kinds');
  });

  it('a strategy error of ctx keeps its own place and message (one kind per line of the file)', () => {
    const s = defineStrategy({
      name: 'orders',
      bars,
      onBar(ctx, bar) {
        if (bar.index % 2 === 0) ctx.order(bar.symbol, 0);
        else ctx.order('ZZZ', 1);
      },
    });
    const result = backtestStrategy(randomTape(100, ['A']), s);
    const kinds = result.errors.kinds();
    expect(kinds.map((k) => [k.count, k.message.replace(/^.*?:\d+:\d+: /, '')])).toEqual([
      [5, 'ctx.order: expected units a finite number other than 0, got 0'],
      [5, 'ctx.order: expected a symbol the strategy trades, got "ZZZ"'],
    ]);
    expect(kinds[0].place).not.toBe(kinds[1].place);
    expect(kinds.every((k) => k.place?.startsWith(`${thisFile}:`))).toBe(true);
  });

  it('strategyFrames() keeps the strategy frames between kernelbus frames, without file://', () => {
    const error = new Error('x');
    error.stack = [
      'Error: x',
      '    at fail (/pkg/src/strategy/context.ts:44:11)',
      '    at onBar (file:///home/me/s.mjs:9:13)',
      '    at helper (/home/me/lib.mjs:3:5)',
      '    at StrategyRunner.call (/pkg/src/strategy/runner.ts:380:7)',
      '    at main (/home/me/other.mjs:1:1)',
    ].join('\n');
    // kernelbus's own frames are those of this checkout: rewrite the fake ones onto it
    const own = thisFile.replace(/\/test\/strategy\/.*$/, '/src');
    error.stack = error.stack.replaceAll('/pkg/src', own);
    expect(strategyFrames(error)).toEqual(['    at onBar (/home/me/s.mjs:9:13)', '    at helper (/home/me/lib.mjs:3:5)']);
    expect(strategyFrames('not an error')).toEqual([]);
  });
});

describe('maxErrors', () => {
  it('stops the run at the error after the allowed ones: StrategyErrorLimit with the counts', () => {
    const logs: string[] = [];
    let error: unknown;
    try {
      backtestStrategy(randomTape(100, ['A', 'B']), typo, { maxErrors: 3, slowOnBarMs: SLOW, log: (line) => logs.push(line) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StrategyErrorLimit);
    expect(error).toBeInstanceOf(StrategyError);
    const limit = error as StrategyErrorLimit;
    expect(limit.message).toMatch(/^typo: stopped at \S+Z onBar at B bar 1: 4 callback errors, more than the 3 allowed \(maxErrors\)$/);
    expect(limit.errors.total).toBe(4);
    expect(limit.maxErrors).toBe(3);
    expect(logs).toHaveLength(1);
  });

  it('0 stops at the first error; none or a limit not reached leaves the run alone', () => {
    expect(() => backtestStrategy(randomTape(100, ['A']), typo, { maxErrors: 0 })).toThrow(/1 callback errors, more than the 0 allowed/);
    expect(backtestStrategy(randomTape(100, ['A']), typo, { maxErrors: 10 }).metrics.errors).toBe(10);
  });

  it('is an integer >= 0', () => {
    expect(() => new StrategyRunner(typo, { maxErrors: -1 })).toThrow(new KernelInputError('options.maxErrors', 'an integer >= 0', '-1'));
    expect(() => new StrategyRunner(typo, { maxErrors: 1.5 })).toThrow(/options.maxErrors: expected an integer >= 0, got 1.5/);
    expect(() => new CallbackErrors({ strategy: 's', maxErrors: Number.NaN })).toThrow(/options.maxErrors/);
  });
});

describe('StrategyEngine and a failing strategy', () => {
  /** Publishes 100 trades of A and B (20 tick bars) to an engine of `strategies`; returns what it logged. */
  async function run(options: { maxErrors?: number }) {
    const bus = createBus();
    const logs: string[] = [];
    const halts: StrategyErrorLimit[] = [];
    const good = defineStrategy({ name: 'good', bars, onBar() {} });
    const engine = new StrategyEngine(bus, {
      strategies: [typo, good],
      maxLatenessMs: 0,
      heartbeatMs: 0,
      slowOnBarMs: SLOW,
      log: (line) => logs.push(line),
      ...options,
      ...(options.maxErrors === undefined ? {} : { onHalt: (e: StrategyErrorLimit) => void halts.push(e) }),
    }).start();
    await engine.ready();
    const tape = randomTape(100, ['A', 'B']);
    for (const [k, key] of ['A', 'B'].entries()) {
      const rows = Array.from({ length: 100 }, (_, i) => 2 * i + k);
      for (let at = 0; at < rows.length; at += 10) {
        const part = rows.slice(at, at + 10);
        await bus.publish('TRADE_EXECUTION', {
          key,
          ts: Float64Array.from(part, (i) => tape.ts[i]),
          price: Float64Array.from(part, (i) => tape.price[i]),
          volume: Float64Array.from(part, (i) => tape.volume[i]),
        });
      }
    }
    await engine.close();
    const metrics = engine.metrics();
    const deadLettered = bus.metrics().deadLettered;
    await bus.close();
    return { engine, metrics, deadLettered, logs, halts };
  }

  it('goes on: every delivery processed, nothing dead-lettered, the errors counted, logged once and summed up at the end', async () => {
    const { engine, metrics, deadLettered, logs } = await run({});
    expect(metrics.errors).toBe(0);
    expect(deadLettered).toBe(0);
    expect(metrics.processed).toBe(200);
    expect(metrics.extra.strategyErrors).toBe(20);
    const [typoRunner, goodRunner] = engine.strategies();
    expect(typoRunner.metrics.bars).toBe(20);
    expect(goodRunner.metrics).toMatchObject({ bars: 20, errors: 0 });
    // the first error (with its frames), then the summary when the engine closed
    expect(logs.filter((l) => l.includes('onBar threw'))).toHaveLength(1);
    expect(logs.slice(1)).toEqual([
      'typo: 20 callback errors (onBar 20 of 20 calls), by kind:',
      expect.stringMatching(/^ {2}20 x onBar: .*TypeError: Cannot read properties of undefined \(reading 'x'\)/),
    ]);
    expect(engine.failure()).toBe('typo: every call of onBar threw (20 calls)');
  });

  it('past maxErrors: onHalt once, that strategy fed no more, the others go on', async () => {
    const { engine, metrics, deadLettered, halts } = await run({ maxErrors: 3 });
    expect(halts).toHaveLength(1);
    expect(halts[0].message).toMatch(/^typo: stopped at .*: 4 callback errors, more than the 3 allowed \(maxErrors\)$/);
    expect(metrics.errors).toBe(0);
    expect(deadLettered).toBe(0);
    const [typoRunner, goodRunner] = engine.strategies();
    expect(typoRunner.metrics.errors).toBe(4);
    expect(goodRunner.metrics.bars).toBe(20);
    expect(engine.failure()).toBe(halts[0].message);
  });
});
