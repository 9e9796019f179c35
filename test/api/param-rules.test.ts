import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles, ROOT } from '../../scripts/gen-native.js';
import { KernelInputError } from '../../src/errors.js';
import { KERNEL_SPECS } from '../../src/kernels/families.js';
import {
  above,
  aboveZero,
  accepts,
  atLeast,
  checkParam,
  closed,
  closedOr,
  code,
  finite,
  flag,
  int,
  openUnit,
  option,
  param,
  positive,
  ruleText,
  zeroOrAbove,
} from '../../src/kernels/param-rules.js';

describe('parameter rules (src/kernels/param-rules.ts)', () => {
  it('each rule says what it accepts: the `expected` of its fault', () => {
    expect(
      [
        finite(),
        positive(),
        above(-1),
        atLeast(0),
        aboveZero('Infinity for the normal'),
        openUnit(),
        closed(0, 0.5),
        closedOr(0, 0.5, -1, 'off'),
        int(1),
        int(0, 10_000),
        int(0, 2 ** 53 - 1),
        int(1, 1023, 'a mask'),
        zeroOrAbove(2, 'normal'),
        code(['gas', 'hits']),
        code(['a', 'b', 'c']),
        code(['a', 'b', 'c', 'd']),
        flag(),
        flag('excludeBoundaries'),
      ].map(ruleText),
    ).toEqual([
      'a finite number',
      'a finite number > 0',
      'a finite number > -1',
      'a finite number >= 0',
      'a number > 0 (Infinity for the normal)',
      'a number in (0, 1)',
      'a number in [0, 0.5]',
      'a number in [0, 0.5] or -1 (off)',
      'an integer >= 1',
      'an integer in [0, 10000]',
      'an integer in [0, 2^53)',
      'an integer in [1, 1023] (a mask)',
      '0 (normal) or a finite number > 2',
      "'gas' or 'hits' (0 or 1)",
      "'a', 'b' or 'c' (0, 1 or 2)",
      "'a', 'b', 'c' or 'd' (0 to 3)",
      '0 or 1',
      '0 or 1 (excludeBoundaries)',
    ]);
  });

  it('accepts exactly what the ParamReader method of the same name accepts (native/kernels/entry.hpp)', () => {
    const edges = [NaN, -Infinity, -2, -1, -0.5, 0, 0.5, 1, 2, 2.5, 3, 10_000, 10_001, 2 ** 53 - 1, 2 ** 53, Infinity];
    const cases: [ReturnType<typeof finite>, (x: number) => boolean][] = [
      [finite(), Number.isFinite],
      [positive(), (x) => x > 0 && Number.isFinite(x)],
      [above(-1), (x) => x > -1 && Number.isFinite(x)],
      [atLeast(0), (x) => x >= 0 && Number.isFinite(x)],
      [aboveZero(), (x) => x > 0],
      [openUnit(), (x) => x > 0 && x < 1],
      [closed(0, 0.5), (x) => x >= 0 && x <= 0.5],
      [closedOr(0, 0.5, -1), (x) => (x >= 0 && x <= 0.5) || x === -1],
      [int(1), (x) => Number.isInteger(x) && x >= 1 && x <= 2 ** 53 - 1],
      [int(0, 10_000), (x) => Number.isInteger(x) && x >= 0 && x <= 10_000],
      [zeroOrAbove(2), (x) => x === 0 || (x > 2 && Number.isFinite(x))],
      [code(['a', 'b', 'c']), (x) => x === 0 || x === 1 || x === 2],
      [flag(), (x) => x === 0 || x === 1],
    ];
    for (const [rule, ok] of cases) for (const x of edges) expect([rule.kind, x, accepts(rule, x)]).toEqual([rule.kind, x, ok(x)]);
  });

  it('checkParam gives the packed number (a code its index, a boolean 0 or 1), else the error naming the option', () => {
    const method = option('method', code(['historical', 'gaussian']));
    expect(checkParam(method, 'gaussian')).toBe(1);
    expect(() => checkParam(method, 'normal')).toThrow(KernelInputError);
    expect(() => checkParam(method, 'normal')).toThrow(`options.method: expected 'historical' or 'gaussian', got "normal"`);
    const adjust = option('adjust', flag());
    expect([checkParam(adjust, false), checkParam(adjust, true)]).toEqual([0, 1]);
    expect(() => checkParam(adjust, 1)).toThrow('options.adjust: expected a boolean, got 1');
    const lags = param('lags', int(0, 10_000), 'options.neweyWestLags');
    expect(checkParam(lags, 3)).toBe(3);
    expect(() => checkParam(lags, 2.5)).toThrow('options.neweyWestLags: expected an integer in [0, 10000], got 2.5');
    expect(() => checkParam(lags, '3')).toThrow('options.neweyWestLags: expected an integer in [0, 10000], got "3"');
    expect(() => checkParam(lags, -1, 'options.factors.lags')).toThrow('options.factors.lags: expected an integer in [0, 10000], got -1');
  });

  it('a parameter not below another says so in its `expected` (the option check keeps the rule alone)', () => {
    const lower = option('lower', closed(0, 1));
    const upper = option('upper', closed(0, 1), lower);
    expect(upper).toEqual({
      key: 'upper',
      name: 'options.upper',
      rule: closed(0, 1),
      expected: 'a number in [0, 1], >= options.lower',
      notBelow: 'lower',
    });
    expect(() => checkParam(upper, 2)).toThrow('options.upper: expected a number in [0, 1], got 2');
  });

  it("every descriptor's `expected` is its rule's text (a parameter without a rule is VPIN_PARAMS')", () => {
    const handWritten: string[] = [];
    for (const [kernel, spec] of Object.entries(KERNEL_SPECS)) {
      for (const p of spec.params) {
        if (!p.rule) {
          handWritten.push(kernel);
          continue;
        }
        const below = p.notBelow ? spec.params.find((q) => q.key === p.notBelow) : undefined;
        expect([kernel, p.key, p.expected]).toEqual([
          kernel,
          p.key,
          below ? `${ruleText(p.rule)}, >= ${below.name ?? below.key}` : ruleText(p.rule),
        ]);
      }
    }
    // the C++ of these is still written by hand: the VPIN stream's table (vpin_unpack.cpp unpackParams)
    const vpinStream = ['bulkClassify', 'vpin', 'vpinStream'];
    for (const kernel of new Set(handWritten)) expect([kernel, vpinStream.includes(kernel)]).toEqual([kernel, true]);
  });

  it('the C++ side is what scripts/gen-native.ts writes from the descriptors (npm run gen)', () => {
    for (const [file, text] of generatedFiles()) expect([file, readFileSync(join(ROOT, file), 'utf8')]).toEqual([file, text]);
  });
});
