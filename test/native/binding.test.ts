/**
 * The native addon as its users meet it: zero-copy reads of the caller's memory, the C++ layer's own
 * argument checks, and random garbage at every entry point without crashing the process.
 */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadNative, type NativeBinding } from '../../src/backends/native/binding.js';
import { KernelInputError } from '../../src/errors.js';
import type { KernelSpec } from '../../src/kernels/descriptor.js';
import { FACTOR_KERNELS } from '../../src/kernels/factor/factor-kernels.js';
import { Fault } from '../../src/kernels/faults.js';
import { PORTFOLIO_KERNELS } from '../../src/kernels/portfolio/portfolio-kernels.js';
import { RISK_KERNELS } from '../../src/kernels/risk/risk-kernels.js';
import { SPECIAL_KERNELS } from '../../src/kernels/special/special-family.js';
import { VPIN_PARAMS } from '../../src/kernels/vpin/vpin.js';
import { VPIN_KERNELS } from '../../src/kernels/vpin/vpin-kernels.js';
import { inCI } from '../helpers/backends.js';
import { walk } from '../helpers/trades.js';

const loaded = loadNative();
const binding = loaded.binding as NativeBinding;
const suite = loaded.binding ? describe : inCI ? describe : describe.skip;
/** The addon's tables for the tests that hold them to the TS ones. */
const addon = binding as unknown as { paramNames(kernel: string): string[]; faultCodes(): Record<string, number> };

suite('native binding', () => {
  it('loads (required in CI)', () => {
    expect(loaded.error?.message).toBeUndefined();
  });

  it('reads typed arrays in place: subarray offsets and SharedArrayBuffer views, no copy', () => {
    for (const buffer of [new ArrayBuffer(800), new SharedArrayBuffer(800)]) {
      const base = new Float64Array(buffer);
      const view = base.subarray(3, 50);
      const offsetView = new Float64Array(buffer, 16 * 8, 10);
      const start = binding.viewAddress(base);
      expect(binding.viewAddress(view) - start).toBe(24n);
      expect(binding.viewAddress(offsetView) - start).toBe(128n);
    }
    // And the kernels see writes made through another view of the same memory.
    const shared = new Float64Array(new SharedArrayBuffer(8 * 4));
    shared.set([1, 2, 3, 4]);
    const alias = new Float64Array(shared.buffer);
    alias[2] = 1;
    const signs = new Int8Array(4);
    binding.tickRule(shared, signs);
    expect(Array.from(signs)).toEqual([0, 1, -1, 1]);
  });

  it('works in worker threads (each thread gets its own addon instance and error classes)', async () => {
    const { Worker } = await import('node:worker_threads');
    const code = `
      import { parentPort } from 'node:worker_threads';
      import { kernels, KernelInputError } from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)};
      const k = kernels({ backend: 'native' });
      const n = 1000;
      const t = { ts: new Float64Array(n).map((_, i) => i * 1000), price: new Float64Array(n).map((_, i) => 100 + Math.sin(i)), volume: new Float64Array(n).fill(5) };
      const out = k.vpin(t, { bucketVolume: 100, window: 5 });
      let typed = false;
      try { k.vpin({ ...t, price: t.price.map((p, i) => (i === 9 ? NaN : p)) }, { bucketVolume: 100 }); } catch (e) { typed = e instanceof KernelInputError; }
      parentPort.postMessage({ last: out.vpin[out.vpin.length - 1], typed });
    `;
    // The worker registers tsx itself, then loads the TypeScript body.
    const dir = mkdtempSync(join(tmpdir(), 'kb-worker-'));
    writeFileSync(join(dir, 'body.mts'), code);
    const script = join(dir, 'worker.mjs');
    writeFileSync(
      script,
      `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};\nregister();\nawait import(${JSON.stringify(pathToFileURL(join(dir, 'body.mts')).href)});\n`,
    );
    const results = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<{ last: number; typed: boolean }>((resolve, reject) => {
            const worker = new Worker(script);
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    const t = {
      ts: new Float64Array(1000).map((_, i) => i * 1000),
      price: new Float64Array(1000).map((_, i) => 100 + Math.sin(i)),
      volume: new Float64Array(1000).fill(5),
    };
    const expected = binding.vpin(t.ts, t.price, t.volume, params(100, 5, 60000, 0, 0, 0, 0, 0, 0, 0));
    for (const r of results) expect(r).toEqual({ last: expected.vpin[expected.vpin.length - 1], typed: true });
  });

  it('the C++ layer re-checks its arguments and throws KernelInputError', () => {
    const t = walk(10);
    const ok = [1, 50, 60000, 0, 0, 0, 1, 0.5, 0, 0];
    const vpin = (...a: unknown[]) => (binding.vpin as Function)(...a);
    const cases: [() => unknown, string][] = [
      [() => binding.vpin(t.ts, t.price, t.volume, params(...ok)), ''],
      [() => vpin(t.ts, t.price), 'arguments: expected 4 arguments, got 2'],
      [() => vpin(t.ts, new Float32Array(10), t.volume, params(...ok)), 'price: expected a Float64Array, got Float32Array'],
      [() => vpin(t.ts, t.price.subarray(1), t.volume, params(...ok)), 'price: expected length 10 (as ts), got length 9'],
      [() => vpin(t.ts, t.price, t.volume, ok), 'params: expected a Float64Array, got an Array'],
      [() => vpin(t.ts, t.price, t.volume, params(1, 50)), 'params: expected 10 packed parameters, got 2 values'],
      [() => vpin(t.ts, t.price, t.volume, params(-1, ...ok.slice(1))), 'bucketVolume: expected a finite number > 0, got -1'],
      [() => vpin(t.ts, t.price, t.volume, params(1, 0.5, ...ok.slice(2))), 'window: expected an integer in [1, 1000000], got 0.5'],
      [
        () => vpin(t.ts, t.price, t.volume, params(1, 5, 60000, 0, 0, 0, 2, 1.5, 0, 0)),
        'sigmaParam: expected a finite number > 0 (fixed), an integer in [2, 1000000] (rolling)',
      ],
      [() => vpin(t.ts, t.price, t.volume, params(1, 5, NaN, 0, 0, 0, 1, 1, 0, 0)), 'barMs: expected a finite number > 0, got NaN'],
      [
        () => vpin(t.ts, t.price, t.volume, params(1, 5, 60000, 0, 0, 0, 1, 1, 1, 0)),
        'nu: expected a finite number > 0 (Student t), got 0',
      ],
      // the labels classifier (2) takes a label per trade after the parameters, the others none
      [() => vpin(t.ts, t.price, t.volume, params(1, 5, 60000, 2, 0, 0, 1, 1, 0, 0), new Int8Array(10)), ''],
      [
        () => vpin(t.ts, t.price, t.volume, params(1, 5, 60000, 2, 0, 0, 1, 1, 0, 0)),
        'labels: expected an Int8Array of a label per trade (classifier 2: labels), got none',
      ],
      [
        () => vpin(t.ts, t.price, t.volume, params(...ok), new Int8Array(10)),
        'labels: expected none (only the labels classifier reads labels), got an Int8Array',
      ],
      [
        () => vpin(t.ts, t.price, t.volume, params(1, 5, 60000, 2, 0, 0, 1, 1, 0, 0), new Int8Array(9)),
        'labels: expected length 10 (as the input), got length 9',
      ],
      [() => vpin(t.ts, t.price, t.volume, params(...ok), new Int8Array(10), 0), 'arguments: expected 5 arguments, got 6'],
      [() => binding.vpinBytes(new Uint8Array(24 * 10 + 3).subarray(3), 10, params(...ok)), ''],
      [() => (binding.vpinBytes as Function)(new Uint8Array(240), 10), 'arguments: expected 3 arguments, got 2'],
      [() => (binding.vpinBytes as Function)(t.ts, 10, params(...ok)), 'columns: expected a Uint8Array, got Float64Array'],
      [() => binding.vpinBytes(new Uint8Array(239), 10, params(...ok)), 'columns: expected 24 bytes a row (10 rows), got 239 bytes'],
      [() => binding.vpinBytes(new Uint8Array(240), 1.5, params(...ok)), 'rows: expected an integer >= 0, got 1.5'],
      [
        () => binding.vpinBytes(new Uint8Array(240), 2 ** 52, params(...ok)),
        'columns: expected 24 bytes a row (4503599627370496 rows), got 240 bytes',
      ],
      [
        () => new binding.NativeVpinStream(params(...ok.slice(0, 6), 1, 1, 0, 0)).updateBytes(new Uint8Array(25), 1),
        'columns: expected 24 bytes a row (1 rows), got 25 bytes',
      ],
      [() => (binding.tickRule as Function)('x', new Int8Array(0)), 'price: expected a Float64Array, got a string'],
      [() => (binding.tickRule as Function)(t.price, new Int8Array(3)), 'out: expected length 10 (as the input), got length 3'],
      [() => (binding.tickRule as Function)(t.price, new Uint8Array(10)), 'out: expected an Int8Array, got Uint8Array'],
      [
        () => (binding.bulkClassify as Function)(t.price, t.price, t.volume, params(0, 1), new Float64Array(10)),
        'params: expected 5 packed parameters, got 2 values',
      ],
      [
        () => (binding.bulkClassify as Function)(t.price, t.price, t.volume, params(0, 1, -1, 0, 0), new Float64Array(10)),
        'sigmaParam: expected a finite number > 0 (fixed), an integer in [2, 1000000] (rolling)',
      ],
      [
        () => (binding.bulkClassify as Function)(t.price, t.price, t.volume, params(0, 1, 1, 0, 0), new Float32Array(10)),
        'out: expected a Float64Array, got Float32Array',
      ],
      [() => (binding.timeBars as Function)(t.ts, t.price, t.volume, 0), 'barMs: expected a finite number > 0, got 0'],
      [
        () => new (binding.NativeVpinStream as any)(params(1, 5, 60000, 0, 0, 0, 0, 0, 0, 0)),
        'sigmaKind: expected a causal sigma for a stream',
      ],
      [() => (binding.classifyTrades as Function)(t.ts, t.price, t.price, t.price, params(3, 1, 0, 1), new Int8Array(10)), ''],
      [
        () => (binding.classifyTrades as Function)(t.ts, t.price, t.price.subarray(1), t.price, params(3, 1, 0, 0), new Int8Array(10)),
        'bid: expected length 10 (as ts), got length 9',
      ],
      [
        () => (binding.classifyTrades as Function)(t.ts, t.price, t.price, t.price, params(3, 1, 0, 0), new Int8Array(9)),
        'out: expected length 10 (as the input), got length 9',
      ],
      [
        () => (binding.classifyTrades as Function)(t.ts, t.price, t.price, t.price, params(9, 0, 0, 0), new Int8Array(10)),
        "options.algorithm: expected 'tick', 'reverse-tick', 'quote', 'lee-ready', 'emo', 'clnv', 'reverse-lee-ready', 'reverse-emo' or 'reverse-clnv' (0 to 8), got 9",
      ],
      [
        () => (binding.classifyTrades as Function)(t.ts, t.price, t.price, t.price, params(2, 0, -5, 0), new Int8Array(10)),
        'options.quoteLagMs: expected a finite number >= 0, got -5',
      ],
      [
        () => (binding.classifyTrades as Function)(t.ts, t.price, t.price, t.price, params(2, 0), new Int8Array(10)),
        'params: expected 4 packed parameters, got 2 values',
      ],
      [() => (binding.normalCdf as Function)(t.price, new Float64Array(9)), 'out: expected length 10 (as the input), got length 9'],
      [
        () => (binding.studentTCdf as Function)(t.price, params(-1), new Float64Array(10)),
        'nu: expected a number > 0 (Infinity for the normal), got -1',
      ],
      [() => (binding.studentTQuantile as Function)(t.price, params(Infinity), new Float64Array(10)), ''],
      [
        () => (binding.studentTCdf as Function)(t.price, params(1, 2), new Float64Array(10)),
        'params: expected 1 packed parameters, got 2 values',
      ],
      [() => (binding.simpleReturns as Function)(t.price, 5, 2, new Float64Array(8)), ''],
      [
        () => (binding.simpleReturns as Function)(t.price, 5, 3, new Float64Array(12)),
        'prices: expected length 15 (rows x cols), got length 10',
      ],
      [() => (binding.logReturns as Function)(t.price, 2.5, 4, new Float64Array(6)), 'rows: expected an integer >= 0, got 2.5'],
      [
        () => (binding.simpleReturns as Function)(t.price, 10, 1, new Float64Array(10)),
        'out: expected length 9 (as the input), got length 10',
      ],
      [
        () => (binding.portfolioReturns as Function)(t.price, 5, 2, new Float64Array(3), 2, new Float64Array(10)),
        'weights: expected length 4 (portfolios x cols), got length 3',
      ],
      [
        () => (binding.performanceStats as Function)(t.price, 10, 1, params(0, 0, 0), new Float64Array(13)),
        'options.periodsPerYear: expected a finite number > 0',
      ],
      [
        () => (binding.performanceStats as Function)(t.price, 10, 1, params(252, Infinity, 0), new Float64Array(13)),
        'options.riskFree: expected a finite number',
      ],
      [
        () => (binding.performanceStats as Function)(t.price, 2 ** 40, 2 ** 40, params(252, 0, 0), new Float64Array(13)),
        'returns: expected a size that fits in memory',
      ],
      [() => (binding.valueAtRisk as Function)(t.price, 10, 1, params(0, 0.95, 1), new Float64Array(2)), ''],
      [() => (binding.covariance as Function)(t.price, 5, 2, params(1, 0.94, 0, 0), new Float64Array(5)), ''],
      [() => (binding.portfolioVolatility as Function)(Float64Array.of(1, 0, 0, 1), 2, Float64Array.of(1, 1), 1, new Float64Array(1)), ''],
      [
        () => (binding.portfolioVolatility as Function)(Float64Array.of(1, 0, 0, 1), 2, Float64Array.of(1, NaN), 1, new Float64Array(1)),
        'weights: expected finite weights, got weights[0][1] = NaN',
      ],
      [
        () => (binding.covariance as Function)(t.price, 5, 2, params(1, 0, 0, 0), new Float64Array(5)),
        'options.lambda: expected a number in (0, 1)',
      ],
      [
        () => (binding.covariance as Function)(t.price, 5, 2, params(0, 0.94, 2, 0), new Float64Array(5)),
        'options.adjust: expected 0 or 1, got 2',
      ],
      [
        () => (binding.covariance as Function)(t.price, 5, 2, params(0, 0.94, 0, 0), new Float64Array(4)),
        'out: expected length 5 (as the input), got length 4',
      ],
      [
        () => (binding.covariance as Function)(t.price, 5, 2, params(4, 0.94, 0, NaN), new Float64Array(5)),
        'options.benchmark: expected a finite number, got NaN',
      ],
      [
        () => (binding.covariance as Function)(t.price, 5, 2, params(7, 0.94, 0, 0), new Float64Array(5)),
        "options.method: expected 'sample', 'ewma', 'ledoit-wolf', 'oas', 'semi', 'ledoit-wolf-constant-correlation' or 'ledoit-wolf-single-factor' (0 to 6), got 7",
      ],
      [
        () => (binding.valueAtRisk as Function)(t.price, 10, 1, params(3, 0.95, 1), new Float64Array(2)),
        "options.method: expected 'historical', 'gaussian' or 'cornish-fisher' (0, 1 or 2), got 3",
      ],
      [
        () => (binding.valueAtRisk as Function)(t.price, 10, 1, params(1, 1, 1), new Float64Array(2)),
        'options.confidence: expected a number in (0, 1)',
      ],
      [
        () => (binding.valueAtRisk as Function)(t.price, 10, 1, params(1, 0.95, -1), new Float64Array(2)),
        'options.ddof: expected an integer >= 0, got -1',
      ],
      [() => (binding.componentVar as Function)(t.price, 5, 2, Float64Array.of(1, 1), 1, params(1, 0.95), new Float64Array(6)), ''],
      [
        () =>
          (binding.monteCarloVar as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            Float64Array.of(1, 1),
            1,
            params(10, 0.95, 1, 0, 0),
            new Float64Array(2),
          ),
        '',
      ],
      [
        () =>
          (binding.monteCarloVar as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            Float64Array.of(1, 1),
            1,
            params(0, 0.95, 1, 0, 0),
            new Float64Array(2),
          ),
        'options.paths: expected an integer >= 1, got 0',
      ],
      [
        () =>
          (binding.monteCarloVar as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            Float64Array.of(1, 1),
            1,
            params(10, 0.95, 0, 0, 0),
            new Float64Array(2),
          ),
        'options.horizon: expected a finite number > 0',
      ],
      [
        () =>
          (binding.monteCarloVar as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            Float64Array.of(1, 1),
            1,
            params(10, 0.95, 1, -1, 0),
            new Float64Array(2),
          ),
        'options.seed: expected an integer in [0, 2^53), got -1',
      ],
      [
        () =>
          (binding.monteCarloVar as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            Float64Array.of(1, 1),
            1,
            params(10, 0.95, 1, 0, 2),
            new Float64Array(2),
          ),
        'nu: expected 0 (normal) or a finite number > 2, got 2',
      ],
      [
        () =>
          (binding.monteCarloVar as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 2, 2, 1),
            2,
            Float64Array.of(1, 1),
            1,
            params(10, 0.95, 1, 0, 0),
            new Float64Array(2),
          ),
        'cov: expected a positive definite matrix, got Cholesky pivot 1 = -3',
      ],
      [
        () =>
          (binding.monteCarloVar as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            Float64Array.of(1, 1),
            2 ** 40,
            params(2 ** 40, 0.95, 1, 0, 0),
            new Float64Array(2),
          ),
        'expected a size that fits in memory',
      ],
      [
        () =>
          (binding.monteCarloScenarios as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            params(3, 1, 0, 0),
            new Float64Array(6),
          ),
        '',
      ],
      [() => (binding.winsorize as Function)(t.price, 2, 5, params(0.1, 0.9), new Float64Array(10)), ''],
      [
        () => (binding.winsorize as Function)(t.price, 2, 5, params(0.9, 0.1), new Float64Array(10)),
        'options.upper: expected a number in [0, 1], >= options.lower, got 0.1',
      ],
      [() => (binding.standardize as Function)(t.price, 3, 5, new Float64Array(15)), 'x: expected length 15 (rows x cols), got length 10'],
      [
        () => (binding.momentum as Function)(t.price, 2, 5, new Float64Array(0), params(0, 0.01), new Float64Array(10)),
        'weights: expected at least one weight',
      ],
      [
        () => (binding.momentum as Function)(t.price, 2, 5, Float64Array.of(0.5, 1), params(0, 0.6), new Float64Array(10)),
        'options.winsorize: expected a number in [0, 0.5',
      ],
      [
        () => (binding.size as Function)(t.price, 2, 5, params(0.2, 1.5), new Float64Array(10)),
        'options.upper: expected a number in [0, 1',
      ],
      [() => (binding.value as Function)(t.price, t.price, t.price, 2, 5, params(-1), new Float64Array(10)), ''],
      [
        () => (binding.value as Function)(t.price, t.price, t.price, 2, 5, params(-2), new Float64Array(10)),
        'options.winsorize: expected a number in [0, 0.5',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(5),
            0,
            1,
            [],
            params(0.05, 1),
            new Float64Array(2 * 7),
          ),
        '',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(5),
            0,
            0,
            [],
            params(0.05, 1),
            new Float64Array(2 * 6),
          ),
        'm: expected a number of sectors in [1, 100000], got 0',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(5),
            2,
            1,
            [],
            params(0.05, 1),
            new Float64Array(2 * 7),
          ),
        'perDate: expected 0 or 1, got 2',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(5),
            0,
            1,
            [new Float32Array(10)],
            params(0.05, 1),
            new Float64Array(2 * 8),
          ),
        'styles[0]: expected a Float64Array',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(5),
            0,
            1,
            [new Float64Array(9)],
            params(0.05, 1),
            new Float64Array(2 * 8),
          ),
        'styles[0]: expected length 10 (rows x cols), got length 9',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(5),
            0,
            1,
            [Float64Array.of(1, 2, 3, -Infinity, 0, 0, 0, 0, 0, 0)],
            params(0.05, 1),
            new Float64Array(2 * 8),
          ),
        '',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(4),
            0,
            1,
            [],
            params(0.05, 1),
            new Float64Array(2 * 7),
          ),
        'sectors: expected length 5 (rows x cols), got length 4',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            Float64Array.of(0, 0, 3, 0, 0),
            0,
            2,
            [],
            params(0.05, 1),
            new Float64Array(2 * 8),
          ),
        'sectors: expected integer sector codes in [0, m)',
      ],
      [
        () =>
          (binding.factorReturns as Function)(
            t.price,
            t.price,
            2,
            5,
            new Float64Array(5),
            0,
            1,
            'x',
            params(0.05, 1),
            new Float64Array(2 * 7),
          ),
        'styles: expected an array of Float64Array panels',
      ],
      [
        () => (binding.factorCovariance as Function)(t.price, 5, 2, Float64Array.of(0.1, 0.2, 0.4, 0.8, 1), params(1), new Float64Array(4)),
        '',
      ],
      [
        () => (binding.factorCovariance as Function)(t.price, 5, 2, Float64Array.of(0.1, 0.2, 0.4, 0.8), params(1), new Float64Array(4)),
        'weights: expected length 5 (one per date), got length 4',
      ],
      [
        () => (binding.factorCovariance as Function)(t.price, 5, 2, Float64Array.of(0.1, 0.2, 0.4, 0.8, 2), params(1), new Float64Array(4)),
        'weights: expected weights in (0, 1] (expWeights)',
      ],
      [() => (binding.specificRisk as Function)(t.price, 5, 2, Float64Array.of(0.1, 0.2, 0.4, 0.8, 1), new Float64Array(2)), ''],
      [
        () =>
          (binding.riskDecomposition as Function)(
            Float64Array.of(1, 0, 1, 1),
            2,
            2,
            Float64Array.of(1, 0, 0, 1),
            Float64Array.of(0, 0),
            Float64Array.of(1, 1),
            1,
            new Float64Array(7),
          ),
        '',
      ],
      [
        () =>
          (binding.riskDecomposition as Function)(
            Float64Array.of(1, 0, 1, 1),
            2,
            2,
            Float64Array.of(1, 0, 0, 1),
            Float64Array.of(0),
            Float64Array.of(1, 1),
            1,
            new Float64Array(7),
          ),
        'model.specificVar: expected length 2',
      ],
      [
        () =>
          (binding.monteCarloScenarios as Function)(
            Float64Array.of(0, 0),
            Float64Array.of(1, 0, 0, 1),
            2,
            params(3, 1, 0, 0),
            new Float64Array(5),
          ),
        'out: expected length 6',
      ],
      [
        () => (binding.componentVar as Function)(t.price, 5, 2, Float64Array.of(1, 1), 1, params(2, 0.95), new Float64Array(6)),
        "options.method: expected 'gaussian' or 'cornish-fisher' (0 or 1), got 2",
      ],
      [
        () => (binding.componentVar as Function)(t.price, 5, 2, Float64Array.of(1, 1), 1, params(0, 0), new Float64Array(6)),
        'options.confidence: expected a number in (0, 1)',
      ],
      [
        () => (binding.componentVar as Function)(t.price, 5, 2, Float64Array.of(1), 1, params(0, 0.95), new Float64Array(6)),
        'weights: expected length 2 (portfolios x cols), got length 1',
      ],
      [
        () => (binding.componentVar as Function)(t.price, 5, 2, Float64Array.of(1, 1), 1, params(0, 0.95), new Float64Array(4)),
        'out: expected length 6',
      ],
      [
        () => (binding.componentVar as Function)(t.price, 5, 2, Float64Array.of(1, Infinity), 1, params(0, 0.95), new Float64Array(6)),
        'weights: expected finite weights, got weights[0][1] = Infinity',
      ],
      [
        // the first infinity named, past the first block of 256 values the check tests at once
        () => {
          const returns = Float64Array.from({ length: 600 }, (_, i) =>
            i === 3 ? NaN : i === 517 ? -Infinity : i === 590 ? Infinity : 0.01,
          );
          return (binding.valueAtRisk as Function)(returns, 300, 2, params(0, 0.95, 1), new Float64Array(4));
        },
        'returns: expected finite returns (NaN for a missing one), got returns[258][1] = -Infinity',
      ],
    ];
    for (const [call, message] of cases) {
      if (message === '') {
        expect(() => call()).not.toThrow();
        continue;
      }
      expect(call).toThrow(KernelInputError);
      expect(call).toThrow(message);
    }
    // The mean's finite scan is the API's (requireReturnModel, before any backend runs): the binding
    // checks its length only, and a NaN mean gives numbers (NaN), not a fault or a crash.
    const varEs = new Float64Array(2).fill(1);
    (binding.monteCarloVar as Function)(
      Float64Array.of(0, NaN),
      Float64Array.of(1, 0, 0, 1),
      2,
      Float64Array.of(1, 1),
      1,
      params(300, 0.95, 1, 0, 0),
      varEs,
    );
    expect(Array.from(varEs)).toEqual([NaN, NaN]);
    const scenarios = new Float64Array(6).fill(1);
    (binding.monteCarloScenarios as Function)(Float64Array.of(0, NaN), Float64Array.of(1, 0, 0, 1), 2, params(3, 1, 0, 0), scenarios);
    expect(Array.from(scenarios, Number.isNaN)).toEqual([false, true, false, true, false, true]);
  });

  it('the counted entries (timeBars, vpin, vpinBytes): their Async variants resolve to the same columns, a fault rejects', async () => {
    const n = 5000;
    const t = walk(n);
    const p = params(200, 5, 1000, 0, 0, 0, 1, 0.5, 0, 0);
    const async = binding as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const bars = binding.timeBars(t.ts, t.price, t.volume, 1000);
    expect(bars.open.length).toBeGreaterThan(1);
    expect(await async.timeBarsAsync(t.ts, t.price, t.volume, 1000)).toEqual(bars);
    const buckets = binding.vpin(t.ts, t.price, t.volume, p);
    expect(buckets.vpin.length).toBeGreaterThan(1);
    expect(await async.vpinAsync(t.ts, t.price, t.volume, p)).toEqual(buckets);
    // a trade frame's columns at an odd byte offset
    const bytes = new Uint8Array(24 * n + 5).subarray(5);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 0; i < n; i++) {
      view.setFloat64(8 * i, t.ts[i], true);
      view.setFloat64(8 * (n + i), t.price[i], true);
      view.setFloat64(8 * (2 * n + i), t.volume[i], true);
    }
    expect(binding.vpinBytes(bytes, n, p)).toEqual(buckets);
    expect(await async.vpinBytesAsync(bytes, n, p)).toEqual(buckets);
    await expect(async.timeBarsAsync(t.ts, t.price, t.volume, 0)).rejects.toThrow('barMs: expected a finite number > 0, got 0');
    await expect(async.vpinAsync(t.ts, t.price, t.volume, params(1, 5, 60000, 2, 0, 0, 1, 1, 0, 0))).rejects.toThrow(
      'labels: expected an Int8Array of a label per trade',
    );
    await expect(async.vpinBytesAsync(bytes.subarray(1), n, p)).rejects.toThrow(KernelInputError);
  });

  it("reads each kernel's packed parameters in the order of its descriptor (paramNames)", () => {
    const families: Record<string, Readonly<Record<string, KernelSpec>>> = {
      risk: RISK_KERNELS,
      factor: FACTOR_KERNELS,
      portfolio: PORTFOLIO_KERNELS,
      special: SPECIAL_KERNELS,
    };
    for (const [family, specs] of Object.entries(families)) {
      for (const [kernel, spec] of Object.entries(specs)) {
        expect([family, kernel, addon.paramNames(kernel)]).toEqual([family, kernel, spec.params.map((p) => p.key)]);
      }
    }
    expect(addon.paramNames('vpin')).toEqual(VPIN_PARAMS.map((p) => p.key));
    expect(addon.paramNames('bulkClassify')).toEqual(VPIN_KERNELS.bulkClassify.params.map((p) => p.key));
    expect(addon.paramNames('classifyTrades')).toEqual(VPIN_KERNELS.classifyTrades.params.map((p) => p.key));
    expect(addon.paramNames('pinLikelihood')).toEqual(VPIN_KERNELS.pinLikelihood.params.map((p) => p.key));
    expect(addon.paramNames('pin')).toEqual(VPIN_KERNELS.pin.params.map((p) => p.key));
    expect(() => addon.paramNames('nope')).toThrow(
      "kernel: expected a risk, factor, portfolio, special or indicators kernel, or 'vpin', got nope",
    );
  });

  it('raises the faults src/kernels/faults.ts formats: the two lists are equal (C++ PascalCase, TS SNAKE_CASE)', () => {
    const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    const cpp = Object.fromEntries(Object.entries(addon.faultCodes()).map(([name, code]) => [snake(name), code]));
    expect(cpp).toEqual({ ...Fault });
  });

  it("a ParamInvalid from C++ is formatted from the kernel's descriptor: each parameter's name and range, and the count", () => {
    const cov = Float64Array.of(1, 0, 0, 1);
    const w = Float64Array.of(1, 1);
    const calls: [string, KernelSpec, number[], (packed: Float64Array) => unknown][] = [
      [
        'valueAtRisk',
        RISK_KERNELS.valueAtRisk,
        [0, 0.95, 1],
        (p) => (binding.valueAtRisk as Function)(new Float64Array(10), 10, 1, p, new Float64Array(2)),
      ],
      [
        'covariance',
        RISK_KERNELS.covariance,
        [1, 0.94, 0, 0],
        (p) => (binding.covariance as Function)(new Float64Array(10), 5, 2, p, new Float64Array(5)),
      ],
      [
        'monteCarloVar',
        RISK_KERNELS.monteCarloVar,
        [10, 0.95, 1, 0, 0],
        (p) => (binding.monteCarloVar as Function)(new Float64Array(2), cov, 2, w, 1, p, new Float64Array(2)),
      ],
      [
        'monteCarloScenarios',
        RISK_KERNELS.monteCarloScenarios,
        [3, 1, 0, 0],
        (p) => (binding.monteCarloScenarios as Function)(new Float64Array(2), cov, 2, p, new Float64Array(6)),
      ],
      [
        'performanceStats',
        RISK_KERNELS.performanceStats,
        [252, 0, 0],
        (p) => (binding.performanceStats as Function)(new Float64Array(10), 10, 1, p, new Float64Array(13)),
      ],
      [
        'componentVar',
        RISK_KERNELS.componentVar,
        [0, 0.95],
        (p) => (binding.componentVar as Function)(new Float64Array(10), 5, 2, w, 1, p, new Float64Array(6)),
      ],
      [
        'winsorize',
        FACTOR_KERNELS.winsorize,
        [0.1, 0.9],
        (p) => (binding.winsorize as Function)(new Float64Array(10), 2, 5, p, new Float64Array(10)),
      ],
      [
        'size',
        FACTOR_KERNELS.size,
        [0.1, 0.9],
        (p) => (binding.size as Function)(new Float64Array(10).fill(1), 2, 5, p, new Float64Array(10)),
      ],
      [
        'momentum',
        FACTOR_KERNELS.momentum,
        [1, 0.05],
        (p) => (binding.momentum as Function)(new Float64Array(10), 2, 5, Float64Array.of(1), p, new Float64Array(10)),
      ],
      [
        'value',
        FACTOR_KERNELS.value,
        [-1],
        (p) => (binding.value as Function)(new Float64Array(10), new Float64Array(10), new Float64Array(10), 2, 5, p, new Float64Array(10)),
      ],
      [
        'factorReturns',
        FACTOR_KERNELS.factorReturns,
        [0.05, 1],
        (p) =>
          (binding.factorReturns as Function)(
            new Float64Array(10),
            new Float64Array(10).fill(1),
            2,
            5,
            new Float64Array(5),
            0,
            1,
            [],
            p,
            new Float64Array(2 * 7),
          ),
      ],
      [
        'factorCovariance',
        FACTOR_KERNELS.factorCovariance,
        [1],
        (p) => (binding.factorCovariance as Function)(new Float64Array(10), 5, 2, new Float64Array(5).fill(1), p, new Float64Array(4)),
      ],
      [
        'studentTCdf',
        SPECIAL_KERNELS.studentTCdf,
        [3],
        (p) => (binding.studentTCdf as Function)(new Float64Array(3), p, new Float64Array(3)),
      ],
      [
        'studentTQuantile',
        SPECIAL_KERNELS.studentTQuantile,
        [3],
        (p) => (binding.studentTQuantile as Function)(new Float64Array(3), p, new Float64Array(3)),
      ],
    ];
    for (const [kernel, spec, ok, call] of calls) {
      call(Float64Array.from(ok)); // the valid set runs
      spec.params.forEach((param, i) => {
        const bad = Float64Array.from(ok, (v, j) => (j === i ? NaN : v));
        expect(() => call(bad), kernel).toThrow(KernelInputError);
        expect(() => call(bad), kernel).toThrow(`${param.name ?? param.key}: expected ${param.expected}, got NaN`);
      });
      expect(() => call(Float64Array.from([...ok, 0])), kernel).toThrow(
        `params: expected ${ok.length} packed parameters, got ${ok.length + 1} values`,
      );
    }
  });

  it('an asymmetric or non-finite covariance never crashes the binding: it returns numbers (the symmetry scan lives in the TS API only, so that a native call scans its data once)', () => {
    const asymmetric = Float64Array.of(1, 0.5, 0, 1);
    const nonFinite = Float64Array.of(1, NaN, Infinity, 1);
    const w = Float64Array.of(1, 1);
    for (const cov of [asymmetric, nonFinite]) {
      const vol = new Float64Array(1);
      (binding.portfolioVolatility as Function)(cov, 2, w, 1, vol);
      expect(typeof vol[0]).toBe('number');
      const decomposition = new Float64Array(7);
      (binding.riskDecomposition as Function)(Float64Array.of(1, 0, 1, 1), 2, 2, cov, Float64Array.of(0, 0), w, 1, decomposition);
      expect(decomposition.every((x) => typeof x === 'number')).toBe(true);
      const mc = new Float64Array(2);
      try {
        (binding.monteCarloVar as Function)(Float64Array.of(0, 0), cov, 2, w, 1, params(10, 0.95, 1, 0, 0), mc);
        expect(mc.every((x) => typeof x === 'number')).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(KernelInputError); // a Cholesky pivot that is not > 0 (NaN included)
      }
    }
    // Cholesky reads the lower triangle: [[1, 2], [0, 1]] factors as the identity
    const mc = new Float64Array(2);
    (binding.monteCarloVar as Function)(Float64Array.of(0, 0), Float64Array.of(1, 2, 0, 1), 2, w, 1, params(10, 0.95, 1, 0, 0), mc);
    expect(mc.every(Number.isFinite)).toBe(true);
  });

  it('survives random garbage at every entry point', () => {
    const typed = fc.oneof(
      fc.float64Array({ maxLength: 40 }),
      fc.constantFrom(new Float32Array(5), new Int8Array(3), new Uint8Array(0), new BigInt64Array(2), new Float64Array(0)),
      fc.constant(detachedArray()),
      fc.nat(30).map((n) => new Float64Array(new SharedArrayBuffer(8 * (n + 2)), 8, n)),
    );
    const arg = fc.oneof(
      { weight: 3, arbitrary: typed },
      { weight: 3, arbitrary: fc.oneof(fc.double(), fc.integer({ min: -3, max: 60000 }), fc.constantFrom(NaN, Infinity, -0, 1e308)) },
      { weight: 1, arbitrary: fc.anything() },
    );
    const stream = new binding.NativeVpinStream(params(10, 3, 1000, 0, 0, 0, 1, 0.5, 0, 0));
    const entryPoints: [string, (...a: unknown[]) => unknown][] = [
      ['timeBars', (...a) => (binding.timeBars as Function)(...a)],
      ['tickRule', (...a) => (binding.tickRule as Function)(...a)],
      ['classifyTrades', (...a) => (binding.classifyTrades as Function)(...a)],
      ['bulkClassify', (...a) => (binding.bulkClassify as Function)(...a)],
      ['vpin', (...a) => (binding.vpin as Function)(...a)],
      ['vpinBytes', (...a) => (binding.vpinBytes as Function)(...a)],
      ['classifyQuotes', (...a) => (binding.classifyQuotes as Function)(...a)],
      ['normalCdf', (...a) => (binding.normalCdf as Function)(...a)],
      ['normalQuantile', (...a) => (binding.normalQuantile as Function)(...a)],
      ['studentTCdf', (...a) => (binding.studentTCdf as Function)(...a)],
      ['studentTQuantile', (...a) => (binding.studentTQuantile as Function)(...a)],
      ['simpleReturns', (...a) => (binding.simpleReturns as Function)(...a)],
      ['logReturns', (...a) => (binding.logReturns as Function)(...a)],
      ['portfolioReturns', (...a) => (binding.portfolioReturns as Function)(...a)],
      ['performanceStats', (...a) => (binding.performanceStats as Function)(...a)],
      ['valueAtRisk', (...a) => (binding.valueAtRisk as Function)(...a)],
      ['covariance', (...a) => (binding.covariance as Function)(...a)],
      ['portfolioVolatility', (...a) => (binding.portfolioVolatility as Function)(...a)],
      ['componentVar', (...a) => (binding.componentVar as Function)(...a)],
      ['monteCarloVar', (...a) => (binding.monteCarloVar as Function)(...a)],
      ['monteCarloScenarios', (...a) => (binding.monteCarloScenarios as Function)(...a)],
      ['winsorize', (...a) => (binding.winsorize as Function)(...a)],
      ['standardize', (...a) => (binding.standardize as Function)(...a)],
      ['momentum', (...a) => (binding.momentum as Function)(...a)],
      ['size', (...a) => (binding.size as Function)(...a)],
      ['value', (...a) => (binding.value as Function)(...a)],
      ['factorReturns', (...a) => (binding.factorReturns as Function)(...a)],
      ['factorCovariance', (...a) => (binding.factorCovariance as Function)(...a)],
      ['specificRisk', (...a) => (binding.specificRisk as Function)(...a)],
      ['riskDecomposition', (...a) => (binding.riskDecomposition as Function)(...a)],
      ['paramNames', (...a) => (addon.paramNames as Function)(...a)],
      ['faultCodes', (...a) => (addon.faultCodes as Function)(...a)],
      ['normalSf', (...a) => (binding.normalSf as Function)(...a)],
      ['normalPdf', (...a) => (binding.normalPdf as Function)(...a)],
      ['viewAddress', (...a) => (binding.viewAddress as Function)(...a)],
      ['features', (...a) => (binding.features as Function)(...a)],
      ['new NativeVpinStream', (...a) => new (binding.NativeVpinStream as any)(...a)],
      ['stream.update', (...a) => (stream.update as Function).apply(stream, a)],
      ['stream.flush', (...a) => (stream.flush as Function).apply(stream, a)],
      ['stream.importState', (...a) => (stream.importState as Function).apply(stream, a)],
      ['stream.exportState', (...a) => (stream.exportState as Function).apply(stream, a)],
    ];
    // the BLAS backend's entry points, in an addon built with BLAS: the same checks, then the library;
    // the Metal backend's (the CPU harness everywhere, the GPU where built): the same checks, then the shaders
    const metal = ['BulkClassify', 'PortfolioVolatility', 'MonteCarloVar', 'MonteCarloScenarios', 'FactorReturns'].flatMap((k) => [
      `shader${k}`,
      `metal${k}`,
    ]);
    for (const name of [
      'blasCovariance',
      'blasPortfolioVolatility',
      'blasMonteCarloVar',
      'blasMonteCarloScenarios',
      'blasFactorReturns',
      ...metal,
      'metalDevice',
      'metalShaderSource',
    ]) {
      const entry = (binding as unknown as Record<string, Function | undefined>)[name];
      if (entry) entryPoints.push([name, (...a) => entry(...a)]);
    }
    let thrown = 0;
    let returned = 0;
    fc.assert(
      fc.property(fc.nat(entryPoints.length - 1), fc.array(arg, { maxLength: 13 }), (which, args) => {
        try {
          entryPoints[which][1](...args);
          returned++;
        } catch (error) {
          thrown++;
          expect(error).toBeInstanceOf(Error);
        }
      }),
      { numRuns: 3000 },
    );
    expect(thrown).toBeGreaterThan(0);
    expect(returned).toBeGreaterThan(0);
  });

  it('a stream state vector with garbage is rejected, never trusted', () => {
    const stream = new binding.NativeVpinStream(params(10, 3, 1000, 0, 0, 0, 2, 5, 0, 0));
    const t = walk(200);
    stream.update(t.ts, t.price, t.volume);
    const state = stream.exportState();
    fc.assert(
      fc.property(fc.nat(state.length - 1), fc.double(), (at, value) => {
        const bad = state.slice();
        bad[at] = value;
        const fresh = new binding.NativeVpinStream(params(10, 3, 1000, 0, 0, 0, 2, 5, 0, 0));
        try {
          fresh.importState(bad);
          fresh.update(t.ts.subarray(199), t.price.subarray(199), t.volume.subarray(199));
          fresh.flush();
        } catch (error) {
          expect(error).toBeInstanceOf(KernelInputError);
        }
      }),
      { numRuns: 2000 },
    );
    for (const bad of [state.slice(0, 0), state.slice(0, 5), state.slice(0, 19), state.slice(0, -1), Float64Array.from([...state, 0])]) {
      expect(() => new binding.NativeVpinStream(params(10, 3, 1000, 0, 0, 0, 2, 5, 0, 0)).importState(bad)).toThrow(KernelInputError);
    }
  });
});

/** Packed parameters, in VPIN_PARAMS order (or the classification tail). */
function params(...values: number[]): Float64Array {
  return Float64Array.from(values);
}

function detachedArray(): Float64Array {
  const a = new Float64Array(8);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}
