/**
 * The bad-input list: a strategy file that does not load or export a strategy, an unknown
 * indicator or bar option, an order for an unknown symbol, a non-finite or zero size, a limit that is
 * not a positive number, onBar throwing: one line naming the file and the line. A callback that throws
 * is logged and counted, and that bar's orders are dropped, not half-placed; the run goes on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KernelInputError } from '../../src/errors.js';
import { backtestStrategy, defineStrategy, loadStrategy, StrategyError, StrategyRunner } from '../../src/strategy/index.js';
import { randomTape } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-strategy-'));
const api = resolve(import.meta.dirname, '../../src/strategy/index.ts');

/** Writes a strategy module; returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const thisFile = import.meta.filename;
const bars = { by: 'tick' as const, threshold: 2 };

describe('defineStrategy', () => {
  it.each([
    [{ name: 's', bars, indicators: { x: { name: 'nope' } }, onBar() {} }, 'strategy.indicators.x.name: expected one of'],
    [{ name: 's', bars, indicators: { x: { name: 'sma', timePeriod: -1 } }, onBar() {} }, 'strategy.indicators.x.timePeriod'],
    [{ name: 's', bars, indicators: { close: { name: 'sma' } }, onBar() {} }, 'strategy.indicators.close'],
    [{ name: 's', bars: { by: 'tick', threshold: 2, session: '25:00-16:00' }, onBar() {} }, 'strategy.bars.session: expected market hours'],
    [{ name: 's', bars: { by: 'tick', threshold: 2, hours: '09:30-16:00' }, onBar() {} }, 'strategy.bars.hours'],
    [{ name: 's', bars: { by: 'minute', threshold: 2 }, onBar() {} }, 'strategy.bars.by'],
    [{ name: 's', bars: { by: 'time', threshold: -5 }, onBar() {} }, 'strategy.bars.threshold'],
    [{ name: 's', bars }, 'strategy.onBar: expected a function'],
    [{ name: 'a b', bars, onBar() {} }, 'strategy.name'],
    [{ name: 's', bars, onBar() {}, onTick() {} }, 'strategy.onTick'],
    [{ name: 's', bars, symbols: [], onBar() {} }, 'strategy.symbols'],
    [{ name: 's', bars, history: 0, onBar() {} }, 'strategy.history'],
  ])('%# refuses a bad definition naming this file, the line and the option', (definition, text) => {
    let error: unknown;
    try {
      defineStrategy(definition as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StrategyError);
    const message = (error as Error).message;
    expect(message).toContain(text);
    expect(message).toMatch(new RegExp(`^${thisFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `));
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses bad execution options naming the option', () => {
    const s = defineStrategy({ name: 's', bars, onBar() {} });
    expect(() => new StrategyRunner(s, { fees: -1 })).toThrow(new KernelInputError('options.fees', 'a finite number >= 0', '-1'));
    expect(() => new StrategyRunner(s, { participation: 2 })).toThrow(/options.participation: expected a number in \(0, 1\]/);
    expect(() => new StrategyRunner(s, { fillAt: 'open' as never })).toThrow(/options.fillAt/);
    expect(() => new StrategyRunner(s, { initCash: 0 })).toThrow(/options.initCash/);
    expect(() => new StrategyRunner(s, { slipage: 0.1 } as never)).toThrow(/options.slipage: expected one of/);
  });
});

describe('loadStrategy', () => {
  it('loads a default export made by defineStrategy, and a plain definition', async () => {
    const made = file(
      'made.mjs',
      `import { defineStrategy } from '${api}';\nexport default defineStrategy({ name: 'm', bars: { by: 'tick', threshold: 5 }, onBar() {} });\n`,
    );
    expect((await loadStrategy(made)).strategy.name).toBe('m');
    const plain = file('plain.mjs', `export default { name: 'p', bars: { by: 'tick', threshold: 5 }, onBar() {} };\n`);
    const loaded = await loadStrategy(plain);
    expect(loaded).toMatchObject({ source: plain, strategy: { name: 'p', kind: 'kernelbus.strategy' } });
  });

  it('names the file for a missing file, a module that does not load, no strategy exported', async () => {
    await expect(loadStrategy(join(dir, 'absent.mjs'))).rejects.toThrow(`${join(dir, 'absent.mjs')}: no such file`);
    const broken = file('broken.mjs', `export default {\n  name: 's',\n  onBar() { return 1 +; },\n};\n`);
    // the line, from node --check (an ES module SyntaxError does not carry it)
    await expect(loadStrategy(broken)).rejects.toThrow(`${broken}:3: the module does not load: Unexpected token ';'`);
    const throws = file('throws.mjs', `const x = 1;\nthrow new Error('boom');\n`);
    await expect(loadStrategy(throws)).rejects.toThrow(`${throws}:2:7: the module does not load: boom`);
    const none = file('none.mjs', `export const strategy = 1;\n`);
    await expect(loadStrategy(none)).rejects.toThrow(`${none}: expected a default export made by defineStrategy`);
  });

  it('names the line of an unknown indicator in a strategy file', async () => {
    const bad = file(
      'bad-indicator.mjs',
      `import { defineStrategy } from '${api}';\n\nexport default defineStrategy({\n  name: 's',\n  bars: { by: 'tick', threshold: 5 },\n  indicators: { f: { name: 'smaa' } },\n  onBar() {},\n});\n`,
    );
    await expect(loadStrategy(bad)).rejects.toThrow(new RegExp(`^${bad}:3:\\d+: strategy.indicators.f.name: expected one of`));
  });
});

describe('a strategy that errs while it runs', () => {
  /** Runs `body` (the onBar source) from a strategy file over a two-symbol tape; returns the run and the log. */
  async function runFile(name: string, body: string) {
    const path = file(
      name,
      `export default {\n  name: 's',\n  bars: { by: 'tick', threshold: 10 },\n  onBar(ctx, bar) {\n${body}\n  },\n};\n`,
    );
    const { strategy, source } = await loadStrategy(path);
    const logs: string[] = [];
    const result = backtestStrategy(randomTape(100, ['A', 'B']), strategy, {
      source,
      slowOnBarMs: Number.POSITIVE_INFINITY,
      log: (line) => logs.push(line),
    });
    return { path, result, logs };
  }

  it.each([
    ["    ctx.order('ZZZ', 1);", 'ctx.order: expected a symbol the strategy trades, got "ZZZ"'],
    ['    ctx.order(bar.symbol, 0);', 'ctx.order: expected units a finite number other than 0, got 0'],
    ['    ctx.order(bar.symbol, NaN);', 'ctx.order: expected units a finite number other than 0, got NaN'],
    ['    ctx.order(bar.symbol, Infinity);', 'ctx.order: expected units a finite number other than 0, got Infinity'],
    ['    ctx.order(bar.symbol, 1, { limit: -2 });', 'ctx.order: expected limit a finite number > 0, got -2'],
    ["    ctx.order(bar.symbol, 1, { limit: '3' });", 'ctx.order: expected limit a finite number > 0, got "3"'],
    // a name made at run time (a literal one is refused when the strategy loads: value-names.test.ts)
    [
      "    ctx.value(['clos', 'e'].join('') + 's', bar.symbol);",
      'ctx.value: expected one of open, high, low, close, volume, buyVolume, ticks, dollarValue, got "closes" (did you mean "close"?)',
    ],
    ['    throw new Error("my bug");', 'my bug'],
  ])('%s: logged once with the file and line, counted, the bar orders dropped', async (body, text) => {
    // an order placed first, then the mistake: the order must not be placed
    const { path, result, logs } = await runFile(
      `bad-${Math.random().toString(36).slice(2)}.mjs`,
      `    ctx.order(bar.symbol, 0.01);\n${body}`,
    );
    // 100 trades of each symbol in tick bars of 10: 10 bars each
    expect(result.metrics.bars).toBe(20);
    expect(result.metrics.errors).toBe(20);
    expect(result.orders).toEqual([]);
    expect(result.fills).toEqual([]);
    // the first error only (with the strategy's frame), the 19 others of its kind counted
    expect(logs).toHaveLength(1);
    const [first, ...frames] = logs[0].split('\n');
    expect(first).toContain(`s: onBar threw at A bar 0, its orders dropped: ${path}:6:`);
    expect(first).toContain(text);
    expect(frames[0]).toMatch(new RegExp(`^    at .*${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6:\\d+\\)?$`));
    expect(result.errors.kinds()).toMatchObject([{ callback: 'onBar', count: 20 }]);
    expect(result.errors.allFailed()).toEqual(['onBar']);
  });

  it('goes on after a bar that threw: the other bars place their orders', async () => {
    const { result, logs } = await runFile(
      'some-bad.mjs',
      `    if (bar.index === 1) throw new Error('only bar 1');\n    ctx.order(bar.symbol, 0.01);`,
    );
    expect(result.metrics.errors).toBe(2);
    // one kind (the same message and line): logged once, counted twice; onBar did not fail every call
    expect(logs).toHaveLength(1);
    expect(result.errors.kinds()).toMatchObject([{ count: 2 }]);
    expect(result.errors.allFailed()).toEqual([]);
    expect(result.orders.map((o) => o.id).filter((id) => id.startsWith('s:A:'))).toEqual(
      [0, 2, 3, 4, 5, 6, 7, 8, 9].map((b) => `s:A:${b}:0`),
    );
  });

  it('logs from onStart and onStop; one that throws is logged and counted too', () => {
    const s = defineStrategy({
      name: 'edges',
      bars,
      onStart(ctx) {
        ctx.log('hello', { cash: ctx.cash() });
        ctx.order('A', 1); // no bar placed it: refused, onStart's orders dropped
      },
      onBar() {},
      onStop() {
        throw new Error('bye');
      },
    });
    const logs: string[] = [];
    const runner = new StrategyRunner(s, {}, { log: (line) => logs.push(line) });
    runner.start();
    runner.trade(runner.symbolIndex('A'), 5000, 10, 1);
    runner.stop();
    expect(logs[0]).toBe('start edges: hello {"cash":100}');
    expect(logs[1].split('\n')[0]).toMatch(
      /^start edges: onStart threw, its orders dropped: .*ctx\.order: orders are placed in onBar or onFill only$/,
    );
    expect(logs[2]).toMatch(/^1970-01-01T00:00:05\.000Z edges: onStop threw, its orders dropped: .*: bye$/);
    expect(runner.metrics.errors).toBe(2);
  });

  it('logs and counts an onBar slower than slowOnBarMs', () => {
    const s = defineStrategy({
      name: 'slow',
      bars,
      onBar(_ctx, bar) {
        const until = performance.now() + (bar.index === 1 ? 60 : 0);
        while (performance.now() < until) {
          // busy: the trades behind this bar wait
        }
      },
    });
    const logs: string[] = [];
    const runner = new StrategyRunner(s, { slowOnBarMs: 25 }, { log: (line) => logs.push(line) });
    const a = runner.symbolIndex('A');
    for (let i = 0; i < 6; i++) runner.trade(a, 1000 + i, 10, 1);
    expect(runner.metrics.slowOnBars).toBe(1);
    expect(runner.metrics.slowestOnBarMs).toBeGreaterThanOrEqual(60);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/ slow: onBar took \d+\.\d ms at A bar 1 \(more than 25 ms: the trades behind it wait\)$/);
    expect(() => new StrategyRunner(s, { slowOnBarMs: -1 })).toThrow(/options.slowOnBarMs/);
  });

  it('refuses a trade that goes back in time for its symbol, a price not > 0, a volume not >= 0', () => {
    const s = defineStrategy({ name: 's', bars, onBar() {} });
    const runner = new StrategyRunner(s);
    const a = runner.symbolIndex('A');
    runner.trade(a, 1000, 10, 1);
    // the one trade rule's messages (src/kernels/trade-check.ts), with the symbol and the trade's number
    expect(() => runner.trade(a, 999, 10, 1)).toThrow(
      "trades.ts: expected a time at or after the symbol's previous trade (1000), got 999 (A, trade 1)",
    );
    expect(() => runner.trade(a, Number.NaN, 10, 1)).toThrow('trades.ts: expected a finite time, got NaN (A, trade 1)');
    expect(() => runner.trade(a, 1000, -1, 1)).toThrow('trades.price: expected a finite price > 0, got -1 (A, trade 1)');
    expect(() => runner.trade(a, 1000, Number.NaN, 1)).toThrow(/trades.price/);
    expect(() => runner.trade(a, 1001, 10, -1)).toThrow('trades.volume: expected a finite volume >= 0, got -1 (A, trade 1)');
    expect(() => runner.trade(a, 999, 10, 1)).toThrow(KernelInputError);
    // nothing changed by the refused trades
    expect(runner.metrics.trades).toBe(1);
    // another symbol's trade behind the last one: applied, and counted late
    const b = runner.symbolIndex('B');
    runner.trade(b, 900, 10, 1);
    expect(runner.metrics).toMatchObject({ trades: 2, late: 1 });
  });
});
