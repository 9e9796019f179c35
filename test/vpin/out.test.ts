/**
 * The `out` option of the per-trade and per-value kernels (tickRule, classifyTrades, bulkClassify, the
 * special functions): the caller's array comes back filled with the values a fresh call returns, on the
 * reference and on every backend, sync and async, reused across calls; a wrong one is a
 * KernelInputError naming `options.out`, the same message everywhere.
 */
import { describe, expect, it } from 'vitest';
import type { KernelName } from '../../src/api/index.js';
import { KernelInputError, type Kernels } from '../../src/index.js';
import { describeEachBackend, ref } from '../helpers/backends.js';
import { centGrid } from '../helpers/trades.js';

const tape = centGrid(3000, 5, 0.45);
const other = centGrid(3000, 6, 0.3);
const quoted = (t: typeof tape) => ({ ...t, bid: t.price.map((p) => p - 0.01), ask: t.price.map((p, i) => p + (i % 2 ? 0.01 : 0.02)) });
const bars = (t: typeof tape) => ref.timeBars(t, { barMs: 50 });

/** One kernel called with and without `out`: [name, fresh call, call into out, out of the right kind]. */
type Case = [
  KernelName,
  (k: Kernels, input: typeof tape) => ArrayLike<number>,
  (k: Kernels, input: typeof tape, out: never) => unknown,
  () => Int8Array | Float64Array,
];
const cases: Case[] = [
  ['tickRule', (k, t) => k.tickRule(t.price), (k, t, out) => k.tickRule(t.price, { out }), () => new Int8Array(3000)],
  [
    'classifyTrades',
    (k, t) => k.classifyTrades(quoted(t), { algorithm: 'lee-ready' }),
    (k, t, out) => k.classifyTrades(quoted(t), { algorithm: 'lee-ready', out }),
    () => new Int8Array(3000),
  ],
  [
    'bulkClassify',
    (k) => k.bulkClassify(bars(tape)),
    (k, _t, out) => k.bulkClassify(bars(tape), { out }),
    () => new Float64Array(bars(tape).open.length),
  ],
  [
    'normalCdf',
    (k, t) => k.normalCdf(t.price.map((p) => p - 100)),
    (k, t, out) =>
      k.normalCdf(
        t.price.map((p) => p - 100),
        { out },
      ),
    () => new Float64Array(3000),
  ],
  [
    'studentTQuantile',
    (k, t) =>
      k.studentTQuantile(
        t.price.map((p) => (p % 1) * 0.98 + 0.01),
        4,
      ),
    (k, t, out) =>
      k.studentTQuantile(
        t.price.map((p) => (p % 1) * 0.98 + 0.01),
        4,
        { out },
      ),
    () => new Float64Array(3000),
  ],
];

/** Runs fn and returns the KernelInputError it throws. */
function inputError(fn: () => unknown): KernelInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KernelInputError);
    return error as KernelInputError;
  }
  expect.fail('expected a KernelInputError');
}

/** Bad `out` values for a kernel whose output is `good()`: [title, value, expected message]. */
function badOuts(good: () => Int8Array | Float64Array): [string, unknown, string][] {
  const g = good();
  const kind = g.constructor.name;
  const article = kind === 'Int8Array' ? 'an' : 'a';
  const wanted = `${article} ${kind} of length ${g.length}`;
  const wrongKind = g instanceof Int8Array ? new Float64Array(g.length) : new Int8Array(g.length);
  const detached = good();
  structuredClone(detached.buffer, { transfer: [detached.buffer as ArrayBuffer] });
  return [
    ['wrong type', wrongKind, `options.out: expected ${wanted}, got ${wrongKind.constructor.name}(${g.length})`],
    ['too short', good().subarray(1), `options.out: expected ${wanted}, got length ${g.length - 1}`],
    ['an Array', Array.from(g), `options.out: expected ${wanted}, got an Array of length ${g.length}`],
    ['detached', detached, `options.out: expected ${wanted}, got a detached buffer`],
  ];
}

function checks(k: Kernels, supports: (name: KernelName) => boolean) {
  for (const [name, fresh, into, make] of cases) {
    it.runIf(supports(name))(`${name}: fills the caller's array, reused across calls`, async () => {
      const out = make();
      for (const input of [tape, other]) {
        expect(into(k, input, out as never)).toBe(out);
        expect(Array.from(out)).toEqual(Array.from(fresh(k, input)));
      }
      const asyncCall = (k as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[`${name}Async`];
      expect(asyncCall).toBeTypeOf('function');
    });

    it.runIf(supports(name))(`${name}: a bad out is a KernelInputError naming options.out, sync and async`, async () => {
      for (const [, value, message] of badOuts(make)) {
        const error = inputError(() => into(k, tape, value as never));
        expect(error.argument).toBe('options.out');
        expect(error.message).toBe(message);
        expect(error.message).toBe(inputError(() => into(ref, tape, value as never)).message);
      }
    });
  }

  it.runIf(supports('tickRule'))('an out over an input is refused', () => {
    const buffer = new ArrayBuffer(3000 * 9);
    const price = new Float64Array(buffer, 0, 3000);
    price.set(tape.price);
    const error = inputError(() => k.tickRule(price, { out: new Int8Array(buffer, 100, 3000) }));
    expect(error.message).toBe(
      'options.out: expected an Int8Array of length 3000 sharing no memory with the inputs, got an array over an input',
    );
    expect(k.tickRule(price, { out: new Int8Array(buffer, 3000 * 8, 3000) })).toEqual(ref.tickRule(tape.price));
    const x = tape.price.map((p) => p - 100);
    expect(inputError(() => k.normalCdf(x, { out: x })).argument).toBe('options.out');
  });

  it.runIf(supports('normalCdf') && supports('tickRule'))('async variants fill out too, and reject a bad one', async () => {
    const x = tape.price.map((p) => p - 100);
    const out = new Float64Array(x.length);
    expect(await k.normalCdfAsync(x, { out })).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(ref.normalCdf(x)));
    const signs = new Int8Array(tape.price.length);
    expect(await k.tickRuleAsync(tape.price, { out: signs })).toBe(signs);
    expect(signs).toEqual(ref.tickRule(tape.price));
    await expect(k.normalCdfAsync(x, { out: new Float64Array(3) })).rejects.toThrow(
      'options.out: expected a Float64Array of length 3000, got length 3',
    );
    await expect(k.tickRuleAsync(tape.price, { out: new Float64Array(3000) as never })).rejects.toThrow(KernelInputError);
    await expect(k.classifyTradesAsync(quoted(tape), { algorithm: 'quote', out: new Int8Array(2) })).rejects.toThrow(
      'options.out: expected an Int8Array of length 3000, got length 2',
    );
  });

  it.runIf(supports('tickRule'))('an unknown option is refused', () => {
    expect(inputError(() => k.tickRule(tape.price, { outt: 1 } as never)).message).toBe(
      'options: expected only the options out, got unknown option "outt"',
    );
  });
}

describe('out [reference]', () => checks(ref, () => true));
describeEachBackend('out', (k, _name, supports) => checks(k, (name) => supports(name)));
