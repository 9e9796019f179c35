/**
 * The tfjs backend beyond parity: how it loads (tfjs-node, else tfjs-core's cpu backend; the reason when
 * the packages are absent or hidden), what backends() says, the kernels it lacks, no leaked tensors,
 * float32's range (refused inputs, overflowing intermediates, flushed tiny values), the switch to the
 * wasm backend. Parity with the reference is in each family's test/<family>/parity.test.ts (describeEachBackend
 * runs it there).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initTfjs } from '../../src/api/index.js';
import { TFJS_KERNELS, TFJS_NOT_INSTALLED, tfjsLoaded } from '../../src/backends/tfjs/index.js';
import { loadTfjs, type Require } from '../../src/backends/tfjs/runtime.js';
import { FLOAT32_MAX } from '../../src/backends/tfjs/float32.js';
import { BackendUnavailableError, backends, KernelInputError, kernels, matrix, type Kernels } from '../../src/index.js';
import { inCI } from '../helpers/backends.js';

const root = resolve(import.meta.dirname, '..', '..');
const realRequire = createRequire(import.meta.url) as Require;
const info = backends().find((b) => b.name === 'tfjs')!;

/** A require that hides `hidden` (as if not installed) and fails `broken` (installed, does not load). */
function fakeRequire(hidden: string[], broken: string[] = []): Require {
  return (id) => {
    if (hidden.includes(id)) throw Object.assign(new Error(`Cannot find module '${id}'\nRequire stack: ...`), { code: 'MODULE_NOT_FOUND' });
    if (broken.includes(id)) throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: ...');
    return realRequire(id);
  };
}

describe('the tfjs loader', () => {
  it('reports the backend unavailable with the fix when no TensorFlow.js package is installed, or hidden by KERNELBUS_TFJS=0', () => {
    const all = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'];
    expect(loadTfjs(fakeRequire(all), {})).toEqual({ reason: TFJS_NOT_INSTALLED });
    expect(loadTfjs(fakeRequire(all.slice(0, 1).concat(all.slice(2))), {})).toEqual({ reason: TFJS_NOT_INSTALLED });
    expect(TFJS_NOT_INSTALLED).toContain('npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu');
    expect(loadTfjs(realRequire, { KERNELBUS_TFJS: '0' })).toEqual({ reason: 'disabled by KERNELBUS_TFJS=0' });
    expect(tfjsLoaded({ reason: 'x' })).toEqual({ reason: 'x' });
    // tfjs-node installed but its binding missing (its download failed) and no fallback: both reasons
    const reason = loadTfjs(fakeRequire(all.slice(1), ['@tensorflow/tfjs-node']), {}).reason;
    expect(reason).toContain(TFJS_NOT_INSTALLED);
    expect(reason).toContain('@tensorflow/tfjs-node did not load: The Node.js native addon module');
  });

  it.runIf(info.available || inCI)(
    'falls back to tfjs-core with the cpu backend when tfjs-node is absent or does not load, and says why',
    () => {
      const absent = loadTfjs(fakeRequire(['@tensorflow/tfjs-node']), {});
      expect(absent.runtime?.source).toBe('@tensorflow/tfjs-core');
      expect(absent.runtime?.nodeError).toBeUndefined();
      const broken = loadTfjs(fakeRequire([], ['@tensorflow/tfjs-node']), {});
      expect(broken.runtime?.source).toBe('@tensorflow/tfjs-core');
      const loaded = tfjsLoaded(broken);
      expect(loaded.backend ? loaded.features : undefined).toMatchObject({
        package: '@tensorflow/tfjs-core',
        precision: 'float32',
        tfjsNodeError: expect.stringContaining('native addon'),
      });
    },
  );

  it.runIf(info.available || inCI)('uses tfjs-node when it loads, leaving a tfjs backend the application chose active', () => {
    const tf = realRequire('@tensorflow/tfjs-core') as { getBackend(): string };
    const active = tf.getBackend(); // the one backends() started when this file loaded
    const node = loadTfjs((id) => (id === '@tensorflow/tfjs-node' ? tf : realRequire(id)), {});
    expect(node.runtime?.source).toBe('@tensorflow/tfjs-node');
    expect(tf.getBackend()).toBe(active); // already active: not switched
  });
});

describe.runIf(info.available || inCI)('the tfjs backend', () => {
  const k = kernels({ backend: 'tfjs' });
  const tf = realRequire('@tensorflow/tfjs-core') as { memory(): { numTensors: number }; getBackend(): string };
  let seed = 7;
  const uniform = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
  const returns = matrix(
    Float64Array.from({ length: 120 * 8 }, () => uniform() / 25),
    120,
    8,
  );
  const model = () => {
    const cov = kernels({ backend: 'reference' }).covariance(returns);
    return { mean: new Float64Array(8).fill(0.0005), cov };
  };
  const weights = matrix(
    Float64Array.from({ length: 3 * 8 }, (_, i) => ((i * 7) % 5) / 10 - 0.1),
    3,
    8,
  );
  const bars = {
    open: Float64Array.of(100, 100.5, 100.2, 101),
    close: Float64Array.of(100.5, 100.2, 101, 100.7),
    volume: Float64Array.of(10, 20, 30, 40),
  };
  const T = 6;
  const N = 12;
  const panel = (f: (t: number, c: number) => number) =>
    matrix(
      Float64Array.from({ length: T * N }, (_, i) => f(Math.floor(i / N), i % N)),
      T,
      N,
    );
  const factorInputs = {
    returns: panel((t, c) => Math.sin(3 * t + c) * 0.02),
    marketCap: panel((t, c) => 1e9 * (1 + ((t + c) % 3))),
    sectors: Int32Array.from({ length: N }, (_, c) => c % 3),
    styles: [panel((t, c) => Math.cos(t + 2 * c))],
  };

  /** Every kernel the backend implements, once. */
  const calls: Record<(typeof TFJS_KERNELS)[number], (kk: Kernels) => unknown> = {
    bulkClassify: (kk) => [kk.bulkClassify(bars), kk.bulkClassify(bars, { sigma: { rolling: 3 }, distribution: { studentT: 4 } })],
    covariance: (kk) =>
      ['sample', 'ewma', 'ledoit-wolf', 'oas', 'semi', 'ledoit-wolf-constant-correlation', 'ledoit-wolf-single-factor'].map((method) =>
        kk.covariance(returns, { method: method as never }),
      ),
    portfolioVolatility: (kk) => kk.portfolioVolatility(model().cov, weights),
    monteCarloVar: (kk) => kk.monteCarloVar(model(), weights, { paths: 1000, distribution: { studentT: 5 } }),
    monteCarloScenarios: (kk) => kk.monteCarloScenarios(model(), { paths: 100 }),
    factorReturns: (kk) => kk.factorReturns(factorInputs),
  };

  it('is listed with its kernels, package, active tfjs backend and float32; lacks the other kernels by name', () => {
    expect(info).toMatchObject({ available: true, families: ['vpin', 'risk', 'factor'], kernels: [...TFJS_KERNELS] });
    expect(info.features).toMatchObject({
      package: expect.stringMatching(/^@tensorflow\/tfjs-(core|node)$/),
      precision: 'float32',
      backend: expect.stringMatching(/^(cpu|tensorflow)$/),
    });
    expect(() => k.vpin({ ts: new Float64Array(0), price: new Float64Array(0), volume: new Float64Array(0) }, { bucketVolume: 1 })).toThrow(
      "backend 'tfjs' is unavailable for kernel 'vpin': it does not implement kernel 'vpin' (family 'vpin')",
    );
    expect(() => k.valueAtRisk(Float64Array.of(0.01), { method: 'historical' })).toThrow(BackendUnavailableError);
  });

  it('leaves no tensor behind: tf.memory().numTensors is unchanged after every kernel, and after a refused input', () => {
    for (const call of Object.values(calls)) call(k); // warm-up (tfjs may cache a tensor on first use)
    const before = tf.memory().numTensors;
    for (const [name, call] of Object.entries(calls)) {
      call(k);
      expect(tf.memory().numTensors, name).toBe(before);
    }
    expect(() => k.covariance(matrix(Float64Array.of(1e39, 0), 1, 2))).toThrow(KernelInputError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses finite inputs beyond float32 range, naming the argument (before any tfjs op)', () => {
    const huge = 1e39;
    const expected = `expected values within float32 range, |x| <= ${FLOAT32_MAX} (the tfjs backend computes in float32)`;
    expect(() => k.bulkClassify({ ...bars, volume: Float64Array.of(1, huge, 1, 1) })).toThrow(
      `bars.volume: ${expected}, got bars.volume[1] = 1e+39`,
    );
    expect(() => k.bulkClassify({ ...bars, close: Float64Array.of(1, 2, huge, 1) })).toThrow(
      'bars.close: expected values within float32 range',
    );
    expect(() => k.bulkClassify(bars, { sigma: huge })).toThrow('options.sigma: expected values within float32 range');
    expect(() => k.covariance(matrix(Float64Array.of(0.1, 0.2, huge, 0.1), 2, 2))).toThrow(
      `returns: ${expected}, got returns[1][0] = 1e+39`,
    );
    expect(() => k.portfolioVolatility(matrix(Float64Array.of(1, 0, 0, 1), 2, 2), Float64Array.of(huge, 1))).toThrow(
      'weights: expected values within float32 range',
    );
    expect(() => k.monteCarloVar({ mean: Float64Array.of(0), cov: matrix(Float64Array.of(1e300), 1, 1) }, Float64Array.of(1))).toThrow(
      'cov: expected values within float32 range',
    );
    const styles = [panel(() => huge)];
    expect(() => k.factorReturns({ ...factorInputs, styles })).toThrow('styles[0]: expected values within float32 range');
    // a data fault is the reference's, found first
    expect(() => k.covariance(matrix(Float64Array.of(Infinity, huge), 1, 2))).toThrow('returns: expected finite returns');
  });

  it('float32 arithmetic: products beyond its range overflow to Infinity, magnitudes below it flush to 0 (docs/tfjs.md)', () => {
    const big = matrix(Float64Array.of(1e20, -1e20, -1e20, 1e20), 2, 2);
    expect(kernels({ backend: 'reference' }).covariance(big).data[0]).toBe(2e40);
    expect(k.covariance(big).data[0]).toBe(Infinity);
    const tinyBars = { ...bars, volume: Float64Array.of(1e-50, 10, 1e-50, 10) };
    const tiny = k.bulkClassify(tinyBars);
    const expected = kernels({ backend: 'reference' }).bulkClassify(tinyBars);
    expect(expected[0]).toBeGreaterThan(0);
    expect([tiny[0], tiny[2]]).toEqual([0, 0]);
    expect(tiny[1]).toBeCloseTo(expected[1], 4);
  });

  it("initTfjs() switches to the wasm backend (results within float32 rounding of cpu's); calls while it is pending are refused", async () => {
    const before = calls.portfolioVolatility(k) as Float64Array;
    const switching = initTfjs({ backend: 'wasm' });
    expect(() => k.portfolioVolatility(model().cov, weights)).toThrow(BackendUnavailableError);
    await expect(switching).resolves.toBe('wasm');
    expect(backends().find((b) => b.name === 'tfjs')?.features?.backend).toBe('wasm');
    const onWasm = calls.portfolioVolatility(k) as Float64Array;
    onWasm.forEach((v, i) => expect(Math.abs(v - before[i])).toBeLessThan(1e-6 * before[i]));
    for (const call of Object.values(calls)) call(k);
    await expect(initTfjs({ backend: 'cpu' })).resolves.toBe('cpu');
    if (info.features?.package === '@tensorflow/tfjs-core') {
      // without tfjs-node (its download failed, or it was never installed) its backend is refused
      await expect(initTfjs({ backend: 'tensorflow' })).rejects.toThrow(BackendUnavailableError);
      expect(tf.getBackend()).toBe('cpu');
    } else {
      await expect(initTfjs()).resolves.toBe('tensorflow');
    }
  });
});

describe.runIf(info.available || inCI)('tfjs loaded lazily, or hidden (KERNELBUS_TFJS=0)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'kernelbus-tfjs-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("kernelbus/kernels and 'auto' load no TensorFlow.js until the tfjs backend is asked for", () => {
    const file = join(temp, 'lazy.ts');
    writeFileSync(
      file,
      `
      import { createRequire } from 'node:module';
      import { kernels, matrix } from ${JSON.stringify(join(root, 'src', 'api', 'index.ts'))};
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('@tensorflow'));
      const returns = matrix(Float64Array.from({ length: 50 * 4 }, (_, i) => Math.sin(i * 1.7) / 50), 50, 4);
      kernels().covariance(returns);
      kernels({ backend: 'reference' }).covariance(returns);
      const before = loaded();
      kernels({ backend: 'tfjs' }).covariance(returns);
      console.log(JSON.stringify({ before, after: loaded() }));
    `,
    );
    const out = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, KERNELBUS_BACKEND: '' },
    });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ before: false, after: true });
  });

  it("is reported unavailable with the reason; 'auto' and the other backends work without it and load no tfjs", () => {
    const file = join(temp, 'hidden.ts');
    writeFileSync(
      file,
      `
      import { createRequire } from 'node:module';
      import { backends, kernels, matrix, BackendUnavailableError } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
      const returns = matrix(Float64Array.from({ length: 50 * 4 }, (_, i) => Math.sin(i * 1.7) / 50), 50, 4);
      const auto = kernels().covariance(returns).data.length;
      let error = '';
      try { kernels({ backend: 'tfjs' }); } catch (e) { error = (e instanceof BackendUnavailableError) + ' ' + e.message; }
      const tfjs = backends().find((b) => b.name === 'tfjs');
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('@tensorflow'));
      console.log(JSON.stringify({ tfjs, auto, error, loaded }));
    `,
    );
    const out = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, KERNELBUS_TFJS: '0', KERNELBUS_BACKEND: '' },
    });
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.tfjs).toEqual({ name: 'tfjs', available: false, reason: 'disabled by KERNELBUS_TFJS=0', families: [], kernels: [] });
    expect(report).toMatchObject({ auto: 16, error: "true backend 'tfjs' is unavailable: disabled by KERNELBUS_TFJS=0", loaded: false });
    expect(out.stderr).not.toContain('KERNELBUS_BACKEND_UNAVAILABLE');
  });
});
