/**
 * Issue 88, points 3 and 6: an indicator output name the callbacks read (`ctx.value('bb.lowr', s)`) is
 * refused when the strategy loads, naming the line of the name and the nearest name ("did you mean
 * bb.lower"), not at every bar; an unknown indicator offers the nearest one; a name made at run time
 * still fails when called, with the nearest name too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backtestStrategy, defineStrategy, loadStrategy, StrategyError } from '../../src/strategy/index.js';
import { firstParameter, literalValueNames, maskSource } from '../../src/strategy/value-names.js';
import { randomTape } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kb-value-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const api = resolve(import.meta.dirname, '../../src/strategy/index.ts');
const bars = { by: 'tick' as const, threshold: 5 };
const bb = { bb: { name: 'bbands' as const, timePeriod: 5 } };

/** The StrategyError `fn` throws (or fails the test). */
function errorOf(fn: () => unknown): StrategyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StrategyError);
    return error as StrategyError;
  }
  throw new Error('expected a StrategyError');
}

describe('the value names a strategy reads, checked when it loads', () => {
  it("refuses ctx.value('bb.lowr') in onBar at defineStrategy(), with the nearest name", () => {
    const error = errorOf(() =>
      defineStrategy({
        name: 's',
        bars,
        indicators: bb,
        onBar(ctx, bar) {
          if (bar.close < ctx.value('bb.lowr', bar.symbol)) ctx.order(bar.symbol, 1);
        },
      }),
    );
    expect(error.message).toContain(
      'strategy.onBar: ctx.value: expected one of open, high, low, close, volume, buyVolume, ticks, dollarValue, bb.upper, bb.middle, bb.lower, got "bb.lowr" (did you mean "bb.lower"?)',
    );
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('names the line and column of the name in a strategy file (loadStrategy), for onFill, onStart and onStop too', async () => {
    const path = join(dir, 'bb-typo.mjs');
    writeFileSync(
      path,
      `import { defineStrategy } from '${api}';

export default defineStrategy({
  name: 'bb-typo',
  bars: { by: 'time', threshold: 60_000 },
  indicators: { bb: { name: 'bbands', timePeriod: 20 } },
  onBar(ctx, bar) {
    if (bar.close < ctx.value('bb.lowr', bar.symbol)) ctx.order(bar.symbol, 1);
  },
});
`,
    );
    await expect(loadStrategy(path)).rejects.toThrow(
      `${path}:8:32: strategy.onBar: ctx.value: expected one of open, high, low, close, volume, buyVolume, ticks, dollarValue, bb.upper, bb.middle, bb.lower, got "bb.lowr" (did you mean "bb.lower"?)`,
    );
    for (const callback of ['onFill(c, fill)', 'onStart(c)', 'onStop(c)']) {
      const file = join(dir, `in-${callback.slice(0, 6)}.mjs`);
      writeFileSync(
        file,
        `export default {\n  name: 's',\n  bars: { by: 'tick', threshold: 5 },\n  onBar() {},\n  ${callback} {\n    c.log(c.value("volme", 'A'));\n  },\n};\n`,
      );
      await expect(loadStrategy(file)).rejects.toThrow(
        `${file}:6:20: strategy.${callback.slice(0, callback.indexOf('('))}: ctx.value: expected one of open, high, low, close, volume, buyVolume, ticks, dollarValue, got "volme" (did you mean "volume"?)`,
      );
    }
  });

  it('leaves alone what it cannot read: comments, names made at run time, other objects, a destructured ctx', () => {
    const s = defineStrategy({
      name: 'fine',
      bars,
      indicators: bb,
      onBar(ctx, bar) {
        // ctx.value('bb.old', bar.symbol) was the old name
        /* ctx.value("nope", bar.symbol) */
        const band = 'lower';
        const map = { value: (x: string) => x };
        map.value('not a ctx value');
        ctx.value(`bb.${band}`, bar.symbol);
        ctx.value('bb.upper', bar.symbol, 1);
      },
      onFill({ value }, fill) {
        value('close', fill.symbol);
      },
    });
    expect(s.valueNames).toContain('bb.lower');
    // and the run reads them
    expect(backtestStrategy(randomTape(20, ['A']), s).metrics.errors).toBe(0);
  });

  it('a name made at run time fails when called, with the nearest name', () => {
    const s = defineStrategy({
      name: 'late',
      bars,
      indicators: bb,
      onBar(ctx, bar) {
        ctx.value(['bb', 'uper'].join('.'), bar.symbol);
      },
    });
    const result = backtestStrategy(randomTape(20, ['A']), s);
    expect(result.errors.kinds()[0].message).toMatch(/ctx\.value: expected one of .*, got "bb\.uper" \(did you mean "bb\.upper"\?\)$/);
  });

  it('an unknown indicator names the nearest one', () => {
    const error = errorOf(() => defineStrategy({ name: 's', bars, indicators: { bb: { name: 'bbnads' as 'bbands' } }, onBar() {} }));
    expect(error.message).toMatch(
      /strategy\.indicators\.bb\.name: expected one of sma, ema, .*, got "bbnads" \(did you mean 'bbands'\?\)$/,
    );
    // none when nothing is near
    expect(errorOf(() => defineStrategy({ name: 's', bars, indicators: { x: { name: 'zzzzzz' as 'sma' } }, onBar() {} })).message).toMatch(
      /got "zzzzzz"$/,
    );
  });
});

describe('reading a callback source', () => {
  it.each([
    ['onBar(ctx, bar) { }', 'ctx'],
    ['onBar (c) {}', 'c'],
    ['function (ctx, bar) {}', 'ctx'],
    ['function onBar(ctx) {}', 'ctx'],
    ['(ctx, bar) => {}', 'ctx'],
    ['ctx => 1', 'ctx'],
    ['async (x) => 1', 'x'],
    ['({ value }, bar) => 1', undefined],
    ['() => 1', undefined],
  ])('firstParameter(%j) is %j', (source, name) => {
    expect(firstParameter(source)).toBe(name);
  });

  it('finds literal names and their offsets, not those in comments or strings of other calls', () => {
    const source = `onBar(c, b) {\n  c.value('a', s); c . value ( "b.x" , s)\n  // c.value('no')\n  f("c.value('no')"); c.value(\`t\`); c.value(\`\${k}\`, s); xc.value('no'); c.value('x' + y)\n}`;
    const found = literalValueNames(source);
    expect(found.map((f) => f.name)).toEqual(['a', 'b.x', 't']);
    for (const f of found) expect(source.slice(f.offset, f.offset + f.name.length)).toBe(f.name);
    expect(maskSource(`a /* b\nc */ d // e\nf('g\\'h', "i")`)).toBe(`a     \n     d     \nf('____', "_")`);
  });
});
