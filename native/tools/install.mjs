#!/usr/bin/env node
// npm install hook. Never fails the install: the reference backend works without the addon.
// 1. A prebuilt binary (prebuilds/<platform>-<arch>/) or an earlier build that loads: done.
// 2. Otherwise, where CMake and a C++ compiler are found, build from source with cmake-js (a dependency).
// 3. Otherwise say what to install, and succeed.
// Whatever happens, one line says which backend the user gets and why. npm (7+) runs a dependency's
// install script in the background and shows its output only when it fails, so the line goes to stderr
// (seen with --foreground-scripts and in npm's logs) and also straight to the terminal (/dev/tty) when
// there is one. At run time the same fix is in the one-time warning of 'auto' and in `kernelbus doctor`.
// KERNELBUS_SKIP_BUILD=1 skips all of it; KERNELBUS_FORCE_BUILD=1 builds even when a binary loads;
// KERNELBUS_INSTALL_QUIET=1 writes nothing to the terminal (stderr only).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const env = process.env;

if (env.KERNELBUS_SKIP_BUILD === '1') process.exit(0);

const musl = process.platform === 'linux' && !process.report.getReport().header?.glibcVersionRuntime;
const target = `${process.platform}-${process.arch}${musl ? ' (musl)' : process.platform === 'linux' ? ' (glibc)' : ''}`;

/** The packages that build the addon on this OS. */
function toolchainFix() {
  if (process.platform === 'darwin') return 'xcode-select --install && brew install cmake';
  if (process.platform === 'win32') return 'Visual Studio Build Tools with "Desktop development with C++" (includes CMake)';
  if (musl) return 'apk add cmake g++ make';
  let os = '';
  try {
    os = readFileSync('/etc/os-release', 'utf8');
  } catch {
    // not there: name both families
  }
  const like = (os.match(/^(?:ID|ID_LIKE)=.*$/gm) ?? []).join(' ');
  if (/debian|ubuntu/.test(like)) return 'sudo apt-get install build-essential cmake';
  if (/rhel|fedora|centos|amzn|suse/.test(like)) return 'sudo dnf install gcc-c++ make cmake';
  return 'CMake >= 3.15 and a C++17 compiler (Debian/Ubuntu: apt-get install build-essential cmake; Fedora/RHEL: dnf install gcc-c++ make cmake)';
}

/** The one line: to stderr, and to the terminal when stderr is not one (npm hides script output). */
function say(line) {
  const text = `kernelbus: ${line}\n`;
  process.stderr.write(text);
  if (process.stderr.isTTY || env.KERNELBUS_INSTALL_QUIET === '1' || env.CI || process.platform === 'win32') return;
  try {
    const tty = openSync('/dev/tty', 'w');
    writeSync(tty, text);
    closeSync(tty);
  } catch {
    // no terminal (CI, a container without one, Windows): stderr only
  }
}

/** The addon that node-gyp-build finds, loaded in a child process (so a crash cannot fail the install): its path and features. */
function probe() {
  const script =
    "const p=require('node-gyp-build').resolve(process.argv[1]);" +
    'const b=require(p);console.log(JSON.stringify({path:p,features:b.features()}))';
  const r = spawnSync(process.execPath, ['-e', script, root], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0)
    return {
      error:
        (r.stderr || '')
          .trim()
          .split('\n')
          .find((l) => /Error|error:/.test(l)) ?? 'did not load',
    };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { error: 'did not load' };
  }
}

const describe = ({ path, features }) => {
  const blas = features?.blas ? `, BLAS backend on ${features.blas}` : '';
  return `native backend ready (${relative(root, path)}${blas})`;
};

if (env.KERNELBUS_FORCE_BUILD !== '1') {
  const found = probe();
  if (found.path) {
    const prebuilt = found.path.includes(join(root, 'prebuilds'));
    say(`${describe(found)}: ${prebuilt ? `the prebuilt binary for ${target}` : 'an earlier build'}.`);
    process.exit(0);
  }
}

const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore', shell: process.platform === 'win32' }).status === 0;
const missing = [];
if (!has('cmake')) missing.push('CMake');
if (process.platform !== 'win32' && !has(env.CXX || 'c++') && !has('g++') && !has('clang++')) missing.push('C++ compiler');
let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js');
} catch {
  missing.push('cmake-js (reinstall kernelbus: it is a dependency)');
}
const rebuild = 'npm rebuild kernelbus --foreground-scripts';
if (missing.length) {
  say(
    `building the native addon failed (no ${missing.join(' or ')} found) and there is no prebuilt binary for ${target}, ` +
      `so the reference (pure TypeScript) backend is used. Fix: ${toolchainFix()}, then ${rebuild}.`,
  );
  process.exit(0);
}

say(`no prebuilt binary for ${target}: building the native addon from source with cmake-js (a minute or two)...`);
const log = join(tmpdir(), `kernelbus-build-${process.pid}.log`);
const foreground = Boolean(process.stderr.isTTY);
const out = foreground ? 'inherit' : openSync(log, 'w');
const result = spawnSync(process.execPath, [cmakeJs, 'rebuild'], { cwd: root, stdio: ['ignore', out, out] });
if (!foreground) closeSync(out);
const built = result.status === 0 ? probe() : { error: `cmake-js exited with ${result.status ?? result.signal}` };
if (built.path) {
  const blasHint =
    built.features?.blas || process.platform === 'darwin' || process.platform === 'win32'
      ? ''
      : ' (for the BLAS backend: install OpenBLAS and LAPACK, e.g. apt-get install libopenblas-dev liblapack-dev, then ' + `${rebuild})`;
  say(`${describe(built)}: built from source${blasHint}.`);
} else {
  if (!foreground && existsSync(log)) process.stderr.write(readFileSync(log, 'utf8').split('\n').slice(-25).join('\n') + '\n');
  say(
    `building the native addon failed (${built.error}${foreground ? '' : `; log: ${log}`}), so the reference ` +
      `(pure TypeScript) backend is used. Fix: ${toolchainFix()}, then ${rebuild}.`,
  );
}
process.exit(0);
