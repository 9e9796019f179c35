/** Backend selection: backends(), 'auto' dispatch and fallback, KERNELBUS_BACKEND, a failed load. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { backends, BackendUnavailableError, kernels, VPIN_NATIVE_MIN_TRADES } from '../../src/index.js';
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
  it('reports the reference always, and native with its features when it loads', () => {
    const list = backends();
    expect(list[0]).toEqual({ name: 'reference', available: true });
    const native = list.find((b) => b.name === 'native')!;
    expect(native.available).toBe(loadNative().binding !== undefined);
    if (native.available) expect(native.features?.napiVersion).toBeGreaterThanOrEqual(8);
  });

  it("rejects unknown backend names", () => {
    expect(() => kernels({ backend: 'gpu' as never })).toThrow("options.backend: expected 'auto', 'native' or 'reference'");
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
    expect(out.stderr).not.toContain('KERNELBUS_NO_NATIVE');
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
    expect(out.stderr.match(/KERNELBUS_NO_NATIVE/g)).toHaveLength(1);
  });
});
