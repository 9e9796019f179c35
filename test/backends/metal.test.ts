/**
 * The Metal backend's loading and reporting (src/backends/metal/): why it is unavailable (off macOS,
 * an addon without the GPU runner, no device, a paravirtual device, a GPU below Apple7, shaders that
 * do not compile, KERNELBUS_GPU=0), backends() here, 'auto' never picking it where it is unavailable,
 * the shader source embedded in the binary (the shaders with their headers inlined, compilable as C++
 * through the shim), and the C++ layer's checks in front of the shader kernels (the native kernels'
 * messages). The kernels' values are the parity suites' (metal-cpu) and test/backends/metal.parity.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadMetal, loadMetalCpu, METAL_KERNELS, METAL_NEEDS_MACOS, METAL_NOT_BUILT } from '../../src/backends/metal/index.js';
import { loadNative, type MetalBinding, type MetalDeviceInfo, type NativeBinding } from '../../src/backends/native/binding.js';
import { AUTO_THRESHOLDS } from '../../src/api/index.js';
import { METAL_MONTE_CARLO_MIN_VALUES } from '../../src/api/auto.js';
import { backends, BackendUnavailableError, KernelInputError, kernels, matrix } from '../../src/index.js';

// (not test/helpers/backends.ts: it registers metal-cpu, which this file checks is not in the registry)
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const root = resolve(import.meta.dirname, '..', '..');
const loaded = loadNative();
const binding = loaded.binding as (NativeBinding & MetalBinding) | undefined;
const temp = mkdtempSync(join(tmpdir(), 'kb-metal-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A load result whose addon reports `device`. */
function withDevice(device: Partial<MetalDeviceInfo>) {
  const metalDevice = () => ({ built: true, name: 'Apple M2', apple7: true, ready: true, ...device });
  return { binding: { ...(binding ?? {}), metalDevice } as unknown as NativeBinding, path: 'x.node' };
}

describe('loadMetal: where the GPU backend is offered', () => {
  it('nowhere but macOS, whatever the addon, with the reason', () => {
    expect(loadMetal(withDevice({}), {}, 'linux', 'x64')).toEqual({ reason: `${METAL_NEEDS_MACOS} (this is linux-x64)` });
    expect(loadMetal(withDevice({}), {}, 'win32', 'arm64').reason).toContain('Metal needs macOS on Apple silicon');
    expect(METAL_NEEDS_MACOS).toBe('Metal needs macOS on Apple silicon');
  });

  it('not with KERNELBUS_GPU=0, even on a real device', () => {
    expect(loadMetal(withDevice({}), { KERNELBUS_GPU: '0' }, 'darwin', 'arm64')).toEqual({ reason: 'disabled by KERNELBUS_GPU=0' });
  });

  it('not without the addon, without the GPU runner, without a device', () => {
    expect(loadMetal({ error: new Error('no addon here') }, {}, 'darwin', 'arm64')).toEqual({ reason: 'no addon here' });
    expect(loadMetal(withDevice({ built: false }), {}, 'darwin', 'arm64')).toEqual({ reason: METAL_NOT_BUILT });
    expect(
      loadMetal(
        withDevice({ name: '', ready: false, reason: 'no Metal device (MTLCreateSystemDefaultDevice() returned none)' }),
        {},
        'darwin',
        'arm64',
      ),
    ).toEqual({
      reason: 'no Metal device (MTLCreateSystemDefaultDevice() returned none)',
    });
  });

  it("not on a hosted runner's paravirtual device, nor a GPU below the Apple7 family, nor where the shaders fail to compile", () => {
    const paravirtual = loadMetal(withDevice({ name: 'Apple Paravirtual device', apple7: false }), {}, 'darwin', 'arm64');
    expect(paravirtual.reason).toBe(
      "the Metal device 'Apple Paravirtual device' is paravirtual (a virtual machine, such as a hosted CI runner): Metal needs macOS on Apple silicon",
    );
    expect(loadMetal(withDevice({ name: 'AMD Radeon Pro 5500M', apple7: false }), {}, 'darwin', 'x64').reason).toBe(
      "the GPU 'AMD Radeon Pro 5500M' is below the Apple7 family (A14, M1): Metal needs macOS on Apple silicon",
    );
    expect(loadMetal(withDevice({ ready: false, reason: 'the shaders did not compile: line 3' }), {}, 'darwin', 'arm64').reason).toBe(
      "the Metal shaders cannot run on 'Apple M2': the shaders did not compile: line 3",
    );
  });

  it.runIf(binding)('on an Apple7 device whose shaders compiled: the backend, its five kernels, the device in its features', () => {
    const result = loadMetal(withDevice({}), {}, 'darwin', 'arm64');
    if (!result.backend) throw new Error(result.reason);
    expect(result.features).toEqual({ device: 'Apple M2', family: 'apple7+', precision: 'float32' });
    expect(Object.keys(result.backend.families.vpin!)).toEqual(['bulkClassify']);
    expect(Object.keys(result.backend.families.risk!).sort()).toEqual(['monteCarloScenarios', 'monteCarloVar', 'portfolioVolatility']);
    expect(Object.keys(result.backend.families.factor!)).toEqual(['factorReturns']);
    expect(METAL_KERNELS).toHaveLength(5);
  });

  it('metal-cpu, the same kernels on the CPU harness, loads wherever the addon does (KERNELBUS_GPU does not apply)', () => {
    expect(loadMetalCpu({ error: new Error('no addon here') })).toEqual({ reason: 'no addon here' });
    if (!binding) return;
    const cpu = loadMetalCpu(loaded);
    if (!cpu.backend) throw new Error(cpu.reason);
    expect(cpu.backend.name).toBe('metal-cpu');
    expect(cpu.features).toMatchObject({ precision: 'float32' });
  });
});

describe('backends() on this machine', () => {
  it.runIf(process.platform !== 'darwin')('reports metal unavailable with the reason; metal-cpu is not in the registry', () => {
    const list = backends();
    expect(list.find((b) => b.name === 'metal')).toEqual({
      name: 'metal',
      available: false,
      reason: `${METAL_NEEDS_MACOS} (this is ${process.platform}-${process.arch})`,
      families: [],
      kernels: [],
    });
    expect(list.some((b) => (b.name as string) === 'metal-cpu')).toBe(false);
    expect(() => kernels({ backend: 'metal' })).toThrow(BackendUnavailableError);
    expect(() => kernels({ backend: 'metal' })).toThrow(`backend 'metal' is unavailable: ${METAL_NEEDS_MACOS}`);
  });

  it.runIf(binding)("'auto' tries metal first above its sizes (AUTO_THRESHOLDS) and runs native where metal is unavailable", () => {
    for (const kernel of METAL_KERNELS) expect(AUTO_THRESHOLDS[kernel][0][0]).toBe('metal');
    if (backends().find((b) => b.name === 'metal')?.available) return;
    const spy = vi.spyOn(binding as unknown as Record<string, () => void>, 'monteCarloScenarios');
    const n = 100;
    const cov = matrix(
      Float64Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1e-4 : 0)),
      n,
      n,
    );
    kernels().monteCarloScenarios({ mean: new Float64Array(n), cov }, { paths: METAL_MONTE_CARLO_MIN_VALUES / n });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it.runIf(binding)('KERNELBUS_GPU=0 in a child process: metal reported disabled; native and auto work', () => {
    const file = join(temp, 'gpu-off.ts');
    writeFileSync(
      file,
      `import { backends, kernels } from ${JSON.stringify(join(root, 'src', 'index.ts'))};
       const x = { open: Float64Array.of(1, 2, 3), close: Float64Array.of(2, 1, 4), volume: Float64Array.of(5, 5, 5) };
       const same = kernels().bulkClassify(x).every((v, i) => v === kernels({ backend: 'native' }).bulkClassify(x)[i]);
       console.log(JSON.stringify({ metal: backends().find((b) => b.name === 'metal'), same }));`,
    );
    const out = spawnSync(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, KERNELBUS_GPU: '0', KERNELBUS_BACKEND: '' },
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      metal: { name: 'metal', available: false, reason: 'disabled by KERNELBUS_GPU=0', families: [], kernels: [] },
      same: true,
    });
  });
});

/** shaders/*.metal in name order, each `#include "kb_*.h"` replaced by that header (embed_shaders.cmake). */
function mergedShaders(): string {
  const dir = join(root, 'shaders');
  const parts = readdirSync(dir)
    .filter((f) => f.endsWith('.metal'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8').replace(/#include "(kb_[a-z_]+\.h)"/g, (_, h: string) =>
        readFileSync(join(dir, h), 'utf8'),
      );
      return `// ---- shaders/${f}\n${text}\n`;
    });
  return `// kernelbus shaders: shaders/*.metal with their kb_*.h headers inlined (native/metal/embed_shaders.cmake)\n${parts.join('')}`;
}

/** A C++ compiler on PATH (CI has one: it built the addon). */
function compiler(): string | undefined {
  for (const cxx of [process.env.CXX, 'c++', 'g++', 'clang++']) {
    if (cxx && spawnSync(cxx, ['--version']).status === 0) return cxx;
  }
  return undefined;
}

describe.runIf(binding)('the shader source embedded in the binary', () => {
  it('is shaders/*.metal with their headers inlined, every kernel in it, no include of a shader header left', () => {
    const source = binding!.metalShaderSource();
    expect(source).toBe(mergedShaders());
    for (const name of ['kb_classify', 'kb_quadratic_forms', 'kb_normals', 'kb_path_dots', 'kb_scenarios', 'kb_gram'])
      expect(source).toContain(`kernel void ${name}(`);
    expect(source).not.toMatch(/#include "kb_/);
    expect(source).toContain('#include <metal_stdlib>');
  });

  const cxx = compiler();
  it.runIf(cxx || inCI)('compiles as C++ through the shim, as one file (what the GPU compiles is self-contained)', () => {
    expect(cxx, 'no C++ compiler on PATH (required in CI)').toBeDefined();
    const file = join(temp, 'embedded.cpp');
    writeFileSync(file, binding!.metalShaderSource());
    const out = spawnSync(
      cxx!,
      [
        '-std=c++17',
        '-fsyntax-only',
        '-Wall',
        '-Wno-attributes',
        '-Wno-unknown-warning-option',
        '-Wno-unknown-attributes',
        `-I${join(root, 'shaders')}`,
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(out.status, out.stderr).toBe(0);
  });
});

describe.runIf(binding)("the C++ checks in front of the shader kernels: the native kernels' messages", () => {
  const b = binding!;
  const params = (...v: number[]) => Float64Array.from(v);
  const eye = Float64Array.of(1, 0, 0, 1);
  // [native entry, its shader twin, arguments]
  const cases: [string, string, unknown[]][] = [
    [
      'bulkClassify',
      'shaderBulkClassify',
      [Float64Array.of(1, 2), Float64Array.of(1), Float64Array.of(1, 1), params(0, 0, 0, 0, 0), new Float64Array(2)],
    ],
    [
      'bulkClassify',
      'shaderBulkClassify',
      [Float64Array.of(1, 2), Float64Array.of(1, 2), Float64Array.of(1, 1), params(0, 1, -1, 0, 0), new Float64Array(2)],
    ],
    [
      'bulkClassify',
      'shaderBulkClassify',
      [Float64Array.of(1, 2), Float64Array.of(1, 2), Float64Array.of(1, -1), params(0, 0, 0, 0, 0), new Float64Array(2)],
    ],
    [
      'bulkClassify',
      'shaderBulkClassify',
      [Float64Array.of(1, 2), Float64Array.of(1, 2), Float64Array.of(1, 1), params(0, 0, 0, 0, 0), new Float32Array(2)],
    ],
    // (an asymmetric cov is refused by the API's one scan in TS, not by the entries: issue 26)
    ['portfolioVolatility', 'shaderPortfolioVolatility', [eye, 2, Float64Array.of(1, NaN), 1, new Float64Array(1)]],
    ['portfolioVolatility', 'shaderPortfolioVolatility', [eye, 2, Float64Array.of(1, 1), 2, new Float64Array(2)]],
    [
      'monteCarloVar',
      'shaderMonteCarloVar',
      [Float64Array.of(0, 0), Float64Array.of(1, 2, 2, 1), 2, Float64Array.of(1, 1), 1, params(10, 0.95, 1, 0, 0), new Float64Array(2)],
    ],
    [
      'monteCarloVar',
      'shaderMonteCarloVar',
      [Float64Array.of(0, 0), eye, 2, Float64Array.of(1, 1), 1, params(0, 0.95, 1, 0, 0), new Float64Array(2)],
    ],
    [
      'monteCarloVar',
      'shaderMonteCarloVar',
      [Float64Array.of(0, 0), eye, 2, Float64Array.of(1, 1), 1, params(10, 0.95, 1, 0, 2), new Float64Array(2)],
    ],
    ['monteCarloScenarios', 'shaderMonteCarloScenarios', [Float64Array.of(0, 0), eye, 2, params(3, 1, -1, 0), new Float64Array(6)]],
    [
      'factorReturns',
      'shaderFactorReturns',
      [
        new Float64Array(10),
        new Float64Array(10).fill(1),
        2,
        5,
        Float64Array.of(0, 0, 3, 0, 0),
        0,
        2,
        [],
        params(0.05, 1),
        new Float64Array(2 * 8),
      ],
    ],
    [
      'factorReturns',
      'shaderFactorReturns',
      [
        new Float64Array(10),
        new Float64Array(10).fill(1),
        2,
        5,
        new Float64Array(5),
        0,
        1,
        [new Float32Array(10)],
        params(0.05, 1),
        new Float64Array(2 * 8),
      ],
    ],
    [
      'factorReturns',
      'shaderFactorReturns',
      [new Float64Array(10), new Float64Array(10).fill(-1), 2, 5, new Float64Array(5), 0, 1, [], params(0.05, 1), new Float64Array(2 * 7)],
    ],
  ];

  it('every bad call is refused with the KernelInputError the native kernel gives', () => {
    for (const [native, shader, args] of cases) {
      let expected: unknown;
      try {
        (b[native] as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        expected = error;
      }
      expect(expected, `${native} refuses ${String(args)}`).toBeInstanceOf(KernelInputError);
      const call = () => (b[shader] as (...a: unknown[]) => unknown)(...args);
      expect(call).toThrow(KernelInputError);
      expect(call).toThrow((expected as Error).message);
    }
  });

  it('a promise variant rejects with the same error', async () => {
    const args = [
      Float64Array.of(0, 0),
      Float64Array.of(1, 2, 2, 1),
      2,
      Float64Array.of(1, 1),
      1,
      params(10, 0.95, 1, 0, 0),
      new Float64Array(2),
    ];
    const run = (b as unknown as Record<string, (...a: unknown[]) => Promise<void>>).shaderMonteCarloVarAsync;
    await expect(run(...args)).rejects.toThrow('cov: expected a positive definite matrix, got Cholesky pivot 1 = -3');
  });
});
