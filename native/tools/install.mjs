#!/usr/bin/env node
// npm install hook. Never fails the install: the reference backend works without the addon.
// 1. A prebuilt binary (prebuilds/<platform>-<arch>/) or an earlier build that loads: done.
// 2. Otherwise build from source with cmake-js (a devDependency: present in a clone after `npm ci`).
// 3. Otherwise warn, with the fixes, and succeed.
// KERNELBUS_SKIP_BUILD=1 skips all of it; KERNELBUS_FORCE_BUILD=1 builds even when a binary loads.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const warn = (message) => console.warn(`kernelbus: ${message}`);

if (process.env.KERNELBUS_SKIP_BUILD === '1') process.exit(0);

if (process.env.KERNELBUS_FORCE_BUILD !== '1') {
  try {
    require('node-gyp-build')(root);
    process.exit(0);
  } catch {
    // no loadable binary: build one
  }
}

let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js');
} catch {
  warn(
    `no prebuilt binary for ${process.platform}-${process.arch} and cmake-js is not installed, so the native ` +
      'backend is off and the reference (pure TypeScript) backend is used. To build it: npm install cmake-js ' +
      '&& npm rebuild kernelbus (needs CMake >= 3.15 and a C++17 compiler).',
  );
  process.exit(0);
}

const result = spawnSync(process.execPath, [cmakeJs, 'rebuild'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  warn(
    'building the native addon failed (see above), so the reference (pure TypeScript) backend is used. ' +
      'Fix: install CMake >= 3.15 and a C++17 compiler (g++ 9+, clang 10+, Xcode command line tools), then npm rebuild kernelbus.',
  );
}
process.exit(0);
