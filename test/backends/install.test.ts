/** The npm install hook never fails the install: without a compiler it warns and the reference works. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'kb-install-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('native/tools/install.mjs', () => {
  // A copy of the package, so that a rebuild there cannot touch this checkout's build/.
  cpSync(join(root, 'native'), join(copy, 'native'), { recursive: true });
  cpSync(join(root, 'CMakeLists.txt'), join(copy, 'CMakeLists.txt'));
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  // A PATH with node and nothing else: no cmake, no compiler.
  mkdirSync(join(copy, 'only-node'));
  symlinkSync(process.execPath, join(copy, 'only-node', 'node'));

  it('with no CMake or compiler on PATH: warns with the fixes and exits 0', () => {
    const result = spawnSync(process.execPath, [join(copy, 'native', 'tools', 'install.mjs')], {
      cwd: copy,
      env: { ...process.env, PATH: join(copy, 'only-node'), KERNELBUS_FORCE_BUILD: '1' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('kernelbus: building the native addon failed');
    expect(result.stderr).toContain('the reference (pure TypeScript) backend is used');
    expect(existsSync(join(copy, 'build', 'Release', 'kernelbus.node'))).toBe(false);
  });

  it('KERNELBUS_SKIP_BUILD=1 does nothing', () => {
    const result = spawnSync(process.execPath, [join(copy, 'native', 'tools', 'install.mjs')], {
      cwd: copy,
      env: { ...process.env, KERNELBUS_SKIP_BUILD: '1' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toBe('');
  });
});
