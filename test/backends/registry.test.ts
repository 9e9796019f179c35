/** Backend selection: the registry, backends(), 'auto' dispatch and fallback, KERNELBUS_BACKEND, a failed load, the BLAS backend's load and its hiding. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BLAS_FACTOR_KERNELS, BLAS_KERNELS, BLAS_NOT_BUILT, loadBlas } from '../../src/backends/blas/index.js';
import { loadNative, type NativeBinding } from '../../src/backends/native/binding.js';
import { referenceBackend } from '../../src/backends/reference/index.js';
import { registerBackend } from '../../src/backends/registry.js';
import { backends, BackendUnavailableError, KernelInputError, kernels } from '../../src/index.js';
import { FAMILY_KERNELS } from '../../src/api/index.js';
import { VPIN_NATIVE_MIN_TRADES } from '../../src/api/auto.js';
import { walk } from '../helpers/trades.js';

const root = resolve(import.meta.dirname, '..', '..');

/** Runs a TS module in a fresh Node process (with tsx), returning its exit status, stdout and stderr. */
function runChild(file: string, code: string, env: Record<string, string> = {}) {
  writeFileSync(file, code);
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const temp = mkdtempSync(join(tmpdir(), 'kb-backends-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('backends()', () => {
  const allKernels = Object.values(FAMILY_KERNELS).flat();

  it('reports the reference always, with every family and kernel, and native with its features when it loads', () => {
    const list = backends();
    expect(list[0]).toEqual({
      name: 'reference',
      available: true,
      families: Object.keys(FAMILY_KERNELS),
      kernels: allKernels,
      features: { language: 'typescript' },
    });
    const native = list.find((b) => b.name === 'native')!;
    expect(native.available).toBe(loadNative().binding !== undefined);
    if (native.available) {
      expect(native.features?.napiVersion).toBeGreaterThanOrEqual(8);
      // every kernel but aggregateTrades (reference-only: one counting pass through Intl, nothing to gain natively)
      expect(native.kernels).toEqual(allKernels.filter((k) => k !== 'aggregateTrades'));
    } else {
      expect(native).toMatchObject({ families: [], kernels: [] });
    }
  });

  it('rejects unknown backend names with the registered ones', () => {
    expect(() => kernels({ backend: 'gpu' as never })).toThrow(KernelInputError);
    expect(() => kernels({ backend: 'gpu' as never })).toThrow(
      "options.backend: expected 'auto' or one of 'reference', 'native', 'blas', 'tfjs'",
    );
  });
});

describe('a backend that implements part of a family', () => {
  // Registered for this test only: the VPIN family without vpinStream, nothing of the special functions.
  const { vpinStream: _omitted, ...someVpin } = referenceBackend.families.vpin!;
  const unregister = registerBackend({
    name: 'partial',
    expected: false,
    load: () => ({ backend: { name: 'partial', families: { vpin: someVpin } }, features: { test: true } }),
  });
  afterAll(unregister);

  it('is listed with the kernels it has', () => {
    const info = backends().find((b) => (b.name as string) === 'partial')!;
    expect(info).toMatchObject({
      available: true,
      families: ['vpin'],
      kernels: ['timeBars', 'tickRule', 'classifyTrades', 'bulkClassify', 'vpin', 'aggregateTrades', 'pinLikelihood', 'pin'],
    });
  });

  it('runs the kernels it has; one it lacks throws BackendUnavailableError naming the kernel and the backend', () => {
    const k = kernels({ backend: 'partial' as never });
    expect(k.vpin(walk(300), { bucketVolume: 500 }).vpin.length).toBeGreaterThan(0);
    const lacks = (call: () => unknown, kernel: string, family: string) => {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect(error).toMatchObject({
        backend: 'partial',
        kernel,
        message: `backend 'partial' is unavailable for kernel '${kernel}': it does not implement kernel '${kernel}' (family '${family}')`,
      });
    };
    lacks(() => k.vpinStream({ bucketVolume: 10, sigma: 1 }), 'vpinStream', 'vpin');
    lacks(() => k.normalCdf(new Float64Array(3)), 'normalCdf', 'special');
    // A scalar special function is pure TS and needs no backend.
    expect(k.normalCdf(0)).toBe(0.5);
  });

  it('a backend that cannot load: kernels() throws BackendUnavailableError with its reason, backends() reports it', () => {
    const remove = registerBackend({ name: 'missing', expected: false, load: () => ({ reason: 'not built here (test)' }) });
    try {
      expect(() => kernels({ backend: 'missing' as never })).toThrow("backend 'missing' is unavailable: not built here (test)");
      expect(backends().find((b) => (b.name as string) === 'missing')).toMatchObject({ available: false, reason: 'not built here (test)' });
    } finally {
      remove();
    }
  });
});

describe.runIf(loadNative().binding)("'auto' dispatch", () => {
  it(`sends fewer than ${VPIN_NATIVE_MIN_TRADES} trades to the reference and larger inputs to native`, () => {
    const binding = loadNative().binding!;
    const spy = vi.spyOn(binding, 'vpin');
    const auto = kernels();
    auto.vpin(walk(VPIN_NATIVE_MIN_TRADES - 1), { bucketVolume: 100 });
    expect(spy).not.toHaveBeenCalled();
    auto.vpin(walk(VPIN_NATIVE_MIN_TRADES), { bucketVolume: 100 });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it('runs pin natively from one day (its row), and aggregateTrades, which native lacks, on the reference', () => {
    const binding = loadNative().binding!;
    const spy = vi.spyOn(binding, 'pin');
    const auto = kernels();
    const one = Float64Array.of(12);
    expect(auto.pin(one, Float64Array.of(9))).toEqual(kernels({ backend: 'reference' }).pin(one, Float64Array.of(9)));
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    const counts = auto.aggregateTrades(Int8Array.of(1, -1, 1), { ts: Float64Array.of(0, 1, 86_400_000) });
    expect(Array.from(counts.buys)).toEqual([1, 1]);
  });
});

describe('without the native addon', () => {
  const probe = (index: string) => `
    import { backends, kernels, vpin, BackendUnavailableError } from ${JSON.stringify(index)};
    const n = 1000;
    const trades = { ts: new Float64Array(n).map((_, i) => i * 1000), price: new Float64Array(n).fill(1), volume: new Float64Array(n).fill(1) };
    vpin(trades, { bucketVolume: 10 });
    vpin(trades, { bucketVolume: 10 });
    let error = '';
    try { kernels({ backend: 'native' }); } catch (e) { error = (e instanceof BackendUnavailableError) + ' ' + e.message; }
    console.log(JSON.stringify({ native: backends()[1], error }));
  `;

  it('KERNELBUS_BACKEND=reference turns native off: no warning, native throws BackendUnavailableError', () => {
    const out = runChild(join(temp, 'off.ts'), probe(join(root, 'src', 'index.ts')), { KERNELBUS_BACKEND: 'reference' });
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.native).toMatchObject({ name: 'native', available: false, reason: 'disabled by KERNELBUS_BACKEND=reference' });
    expect(report.error).toBe("true backend 'native' is unavailable: disabled by KERNELBUS_BACKEND=reference");
    expect(out.stderr).not.toContain('KERNELBUS_BACKEND_UNAVAILABLE');
  });

  it("a failed load: 'auto' falls back to the reference with one warning that lists the fixes", () => {
    // A copy of the sources with no build/ or prebuilds/ next to them.
    const copy = join(temp, 'pkg');
    mkdirSync(copy);
    cpSync(join(root, 'src'), join(copy, 'src'), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
    const out = runChild(join(copy, 'probe.ts'), probe('./src/index.ts'), { KERNELBUS_BACKEND: '' });
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.native.available).toBe(false);
    expect(report.native.reason).toContain('npm rebuild kernelbus');
    expect(report.error).toMatch(/^true backend 'native' is unavailable: the native addon did not load/);
    expect(out.stderr.match(/KERNELBUS_BACKEND_UNAVAILABLE/g)).toHaveLength(1);
  });
});

describe('the BLAS backend', () => {
  const native = loadNative();
  const built = native.binding !== undefined && native.binding.features().blas !== false;

  it('is listed with its library and threads where the addon was built with BLAS, else with the reason and the fix', () => {
    const info = backends().find((b) => b.name === 'blas')!;
    if (!built) {
      expect(info).toMatchObject({ available: false, families: [], kernels: [] });
      if (native.binding) expect(info.reason).toBe(BLAS_NOT_BUILT);
      return;
    }
    expect(info).toMatchObject({ available: true, families: ['risk', 'factor'], kernels: [...BLAS_KERNELS, ...BLAS_FACTOR_KERNELS] });
    expect(['openblas', 'accelerate']).toContain(info.features?.vendor);
    expect(info.features?.threads).toBeGreaterThanOrEqual(1);
    expect(native.binding!.features()).toMatchObject({ blas: info.features?.vendor, blasThreads: info.features?.threads });
  });

  it('why it is unavailable: hidden by KERNELBUS_BLAS=0, an addon built without BLAS, a library it cannot call here, an addon that did not load', () => {
    const fake = (blas: 'openblas' | false, blasUnavailable?: string) => ({
      binding: { features: () => ({ blas, blasUnavailable }) } as NativeBinding,
      path: 'x.node',
    });
    expect(loadBlas(fake('openblas'), { KERNELBUS_BLAS: '0' })).toEqual({ reason: 'disabled by KERNELBUS_BLAS=0' });
    expect(loadBlas(fake(false), {})).toEqual({ reason: BLAS_NOT_BUILT });
    expect(loadBlas(fake(false, 'needs macOS 13.3'), {})).toEqual({ reason: 'needs macOS 13.3' });
    expect(loadBlas({ error: new Error('no addon here') }, {})).toEqual({ reason: 'no addon here' });
    expect(BLAS_NOT_BUILT).toContain('libopenblas-dev liblapack-dev');
  });

  it.runIf(built)('a risk kernel it lacks throws BackendUnavailableError naming the kernel and the backend', () => {
    const blas = kernels({ backend: 'blas' });
    expect(() => blas.valueAtRisk(Float64Array.of(0.01, -0.02), { method: 'historical' })).toThrow(
      "backend 'blas' is unavailable for kernel 'valueAtRisk': it does not implement kernel 'valueAtRisk' (family 'risk')",
    );
    expect(() => blas.vpin(walk(100), { bucketVolume: 50 })).toThrow(BackendUnavailableError);
  });

  it.runIf(built)(
    "kernels({ threads }) sets the library's threads too, one setting for both backends over the addon; the default comes back after",
    () => {
      const returns = { data: Float64Array.from({ length: 400 }, (_, i) => Math.sin(i) / 100), rows: 40, cols: 10 };
      const threads = () => ({ native: native.binding!.features().threads, blas: native.binding!.features().blasThreads });
      kernels({ backend: 'native' }).covariance(returns); // the defaults
      const before = threads();
      kernels({ backend: 'blas', threads: 1 }).covariance(returns);
      expect(threads()).toEqual({ native: 1, blas: 1 });
      kernels({ backend: 'blas' }).covariance(returns);
      expect(threads()).toEqual(before);
      kernels({ backend: 'native', threads: 1 }).covariance(returns);
      expect(threads()).toEqual({ native: 1, blas: 1 });
      kernels({ backend: 'blas' }).covariance(returns); // the other backend, default threads: both back
      expect(threads()).toEqual(before);
    },
  );

  it.runIf(built)(
    'factorReturns holds the library at one thread while it runs and gives the setting back; a concurrent BLAS call still computes',
    async () => {
      const T = 40;
      const N = 300;
      const panel = (f: (i: number) => number) => ({ data: Float64Array.from({ length: T * N }, (_, i) => f(i)), rows: T, cols: N });
      const inputs = {
        returns: panel((i) => Math.sin(i) / 50),
        marketCap: panel((i) => 1e9 * (1 + (i % 7))),
        sectors: Int32Array.from({ length: N }, (_, i) => i % 5),
        styles: [panel((i) => Math.cos(i)), panel((i) => Math.sin(3 * i))],
      };
      const returns = { data: Float64Array.from({ length: 400 }, (_, i) => Math.sin(i) / 100), rows: 40, cols: 10 };
      const blas = kernels({ backend: 'blas', threads: 2 });
      const before = native.binding!.features().blasThreads;
      expect(before).toBe(2);
      const sync = [blas.factorReturns(inputs), blas.covariance(returns)];
      expect(native.binding!.features().blasThreads).toBe(before);
      // both on the thread pool at once: the covariance may run while the factor kernel holds the library at 1 thread
      const both = await Promise.all([blas.factorReturnsAsync(inputs), blas.covarianceAsync(returns), blas.factorReturnsAsync(inputs)]);
      expect(native.binding!.features().blasThreads).toBe(before);
      expect(both[0]).toEqual(sync[0]);
      expect(both[2]).toEqual(sync[0]);
      // the covariance within its stated tolerance: the library may have run it on another thread count
      const [a, b] = [(both[1] as { data: Float64Array }).data, (sync[1] as { data: Float64Array }).data];
      expect(a.every((x, i) => Math.abs(x - b[i]) <= 1e-10 * Math.sqrt(b[(i % 10) * 11] * b[Math.floor(i / 10) * 11]))).toBe(true);
      kernels({ backend: 'blas' }).covariance(returns); // back to the default threads
    },
  );

  it.runIf(built)("hidden (KERNELBUS_BLAS=0): reported unavailable with the reason; native and 'auto' work without it", () => {
    const out = runChild(
      join(temp, 'hidden.ts'),
      `
      import { backends, kernels, matrix, BackendUnavailableError } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
      const returns = matrix(Float64Array.from({ length: 300 * 200 }, (_, i) => Math.sin(i * 1.7) / 50), 300, 200);
      const auto = kernels().covariance(returns).data;
      const native = kernels({ backend: 'native' }).covariance(returns).data;
      let error = '';
      try { kernels({ backend: 'blas' }); } catch (e) { error = (e instanceof BackendUnavailableError) + ' ' + e.message; }
      const list = backends();
      console.log(JSON.stringify({ blas: list.find((b) => b.name === 'blas'), native: list.find((b) => b.name === 'native').available, same: auto.every((x, i) => x === native[i]), error }));
    `,
      { KERNELBUS_BLAS: '0', KERNELBUS_BACKEND: '' },
    );
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.blas).toEqual({ name: 'blas', available: false, reason: 'disabled by KERNELBUS_BLAS=0', families: [], kernels: [] });
    expect(report).toMatchObject({ native: true, same: true, error: "true backend 'blas' is unavailable: disabled by KERNELBUS_BLAS=0" });
    expect(out.stderr).not.toContain('KERNELBUS_BACKEND_UNAVAILABLE');
  });
});
