/**
 * retainFreedMemory(): what it applies where the C library is glibc (and why nothing elsewhere), its
 * KernelInputErrors from TS and from C++, and the kernels' results after it: the same bits as before it and
 * the reference's values, through many fresh outputs. The setting is process-wide: this file runs in a
 * process of its own (vitest pool: forks). No timing here: bench/fresh-outputs.ts measures it.
 */
import { describe, expect, it } from 'vitest';
import { RETAIN_FREED_DEFAULTS } from '../../src/api/index.js';
import { loadNative } from '../../src/backends/native/binding.js';
import { KernelInputError, kernels, matrix, retainFreedMemory } from '../../src/api/index.js';
import { expectSameBits } from '../helpers/compare.js';

const native = loadNative();
const glibc = !!(process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;

function walk(n: number, seed: number): Float64Array {
  let s = seed;
  let x = 100;
  return Float64Array.from({ length: n }, () => (x *= 1 + 0.02 * ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5)));
}

function expectClose(actual: Float64Array, expected: Float64Array, rtol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(e)) expect(a, `[${i}]`).toBeNaN();
    else if (Math.abs(a - e) > rtol * Math.max(1, Math.abs(e))) expect(a, `[${i}]`).toBe(e);
  }
}

describe('retainFreedMemory: arguments', () => {
  it.each([
    [{ trimThreshold: -1 }, 'options.trimThreshold', 'an integer in [0, 2147483647] (bytes)', '-1'],
    [{ trimThreshold: 2 ** 31 }, 'options.trimThreshold', 'an integer in [0, 2147483647] (bytes)', '2147483648'],
    [{ mmapThreshold: 1.5 }, 'options.mmapThreshold', 'an integer in [0, 33554432] (bytes)', '1.5'],
    [{ mmapThreshold: 64 << 20 }, 'options.mmapThreshold', 'an integer in [0, 33554432] (bytes)', '67108864'],
    [{ topPad: '1GB' }, 'options.topPad', 'a number', '"1GB"'],
    [{ topPad: Number.NaN }, 'options.topPad', 'a finite number', 'NaN'],
  ])('refuses %j with a KernelInputError naming the option (TS)', (options, argument, expected, actual) => {
    let thrown: unknown;
    try {
      retainFreedMemory(options as never);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KernelInputError);
    expect(thrown).toMatchObject({ argument, expected, actual });
  });

  it('refuses an options value that is not an object', () => {
    expect(() => retainFreedMemory(null as never)).toThrow(new KernelInputError('options', 'an object', 'null'));
  });

  it.runIf(native.binding)('the addon refuses the same values with the same messages (C++)', () => {
    const b = native.binding!;
    expect(() => b.retainFreedMemory(-1, 0, 0)).toThrow(
      new KernelInputError('options.trimThreshold', 'an integer in [0, 2147483647] (bytes)', '-1'),
    );
    expect(() => b.retainFreedMemory(0, (32 << 20) + 1, 0)).toThrow(
      new KernelInputError('options.mmapThreshold', 'an integer in [0, 33554432] (bytes)', '33554433'),
    );
    expect(() => b.retainFreedMemory(0, 0, 0.5)).toThrow(
      new KernelInputError('options.topPad', 'an integer in [0, 2147483647] (bytes)', '0.5'),
    );
    expect(() => b.retainFreedMemory(0, 0, 'x' as never)).toThrow(new KernelInputError('options.topPad', 'a number', 'a string'));
    expect(() => b.retainFreedMemory(0, Number.NaN, 0)).toThrow(new KernelInputError('options.mmapThreshold', 'a finite number', 'NaN'));
    expect(() => (b.retainFreedMemory as (...a: unknown[]) => unknown)(0, 0)).toThrow(
      new KernelInputError('arguments', '3 arguments', '2'),
    );
  });
});

describe('retainFreedMemory: applied, and the kernels after it', () => {
  const close = walk(1e6, 7);
  const returns = matrix(
    walk(252 * 40, 3).map((x) => x / 100 - 1),
    252,
    40,
  );
  const nat = native.binding ? kernels({ backend: 'native' }) : undefined;
  const before = nat && { sma: nat.sma(close, { timePeriod: 20 }) as Float64Array, bb: nat.bbands(close, { timePeriod: 20 }) };

  it('applies the defaults where the C library is glibc, else applies nothing and says why', () => {
    const r = retainFreedMemory();
    if (native.binding && glibc) expect(r).toEqual({ applied: true, ...RETAIN_FREED_DEFAULTS });
    else {
      expect(r.applied).toBe(false);
      expect((r as { reason: string }).reason).toMatch(native.binding ? /not glibc/ : /native addon is not loaded/);
    }
  });

  it.runIf(native.binding && glibc)('applies the values given, the others at their defaults', () => {
    expect(retainFreedMemory({ topPad: 16 << 20 })).toEqual({ applied: true, ...RETAIN_FREED_DEFAULTS, topPad: 16 << 20 });
    expect(retainFreedMemory({ trimThreshold: 0, mmapThreshold: 0, topPad: 0 })).toEqual({
      applied: true,
      trimThreshold: 0,
      mmapThreshold: 0,
      topPad: 0,
    });
    expect(retainFreedMemory().applied).toBe(true);
  });

  it.runIf(native.binding)('the kernels give the same bits as before it and the reference values, through fresh outputs', () => {
    const ref = kernels({ backend: 'reference' });
    const refSma = ref.sma(close, { timePeriod: 20 }) as Float64Array;
    const refBb = ref.bbands(close, { timePeriod: 20 });
    // 24 calls of 8 + 24 MB: outputs freed and their memory reused many times over
    for (let i = 0; i < 24; i++) {
      const sma = nat!.sma(close, { timePeriod: 20 }) as Float64Array;
      const bb = nat!.bbands(close, { timePeriod: 20 });
      if (i % 8 !== 7) continue;
      expectSameBits(sma, before!.sma, `sma, call ${i}`);
      for (const key of ['upper', 'middle', 'lower'] as const) expectSameBits(bb[key], before!.bb[key], `bbands.${key}, call ${i}`);
      expectClose(sma, refSma, 1e-12);
      for (const key of ['upper', 'middle', 'lower'] as const) expectClose(bb[key], refBb[key], 1e-10);
    }
    expectClose(nat!.covariance(returns).data, ref.covariance(returns).data, 1e-12);
  });
});
