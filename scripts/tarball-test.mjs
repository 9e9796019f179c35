#!/usr/bin/env node
// The package as the registry delivers it: a packed tarball installed into an empty project.
//   node scripts/tarball-test.mjs                    build this platform's prebuild with prebuildify (in a
//                                                    scratch copy of the sources: build/ here is untouched),
//                                                    pack with it, install with --ignore-scripts, check
//   node scripts/tarball-test.mjs --tarball x.tgz    check a tarball packed elsewhere (the release job's,
//                                                    with every platform's prebuilds/)
//   --source-build    also: the tarball without prebuilds, installed with its install script, must build
//                     from source and say so; and with no CMake or compiler on PATH, say what to install
//   --keep            keep the scratch directory ($KERNELBUS_SCRATCH, default a new one under /tmp)
// Checks: the tarball's contents (no fuzz seeds, bench sources or source maps; LICENSE; the prebuild);
// backends() in the consumer project shows native available from node_modules/kernelbus/prebuilds/; a
// parity check by ESM import and by CJS require (native vs reference); scripts/native-check.mjs over the
// installed package; the CLI (`kernelbus backends --json`, `kernelbus doctor --json`, the README's example).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTypes } from './types-check.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const keep = args.includes('--keep');
const sourceBuild = args.includes('--source-build');
const scratch = process.env.KERNELBUS_SCRATCH ?? mkdtempSync(join(tmpdir(), 'kernelbus-tarball-'));
mkdirSync(scratch, { recursive: true });
const started = Date.now();
const musl = process.platform === 'linux' && !process.report.getReport().header?.glibcVersionRuntime;
const tuple = `${process.platform}-${process.arch}`;

let checks = 0;
function check(ok, what, detail = '') {
  checks++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  if (!ok) {
    process.exitCode = 1;
    throw new Error(`tarball-test: ${what} failed`);
  }
}
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0 && !opts.allowFail) {
    console.log(r.stdout, r.stderr);
    throw new Error(`tarball-test: ${cmd} ${argv.join(' ')} exited with ${r.status}`);
  }
  return r;
}
const npm = (argv, opts) => run('npm', [...argv, '--no-audit', '--no-fund', '--loglevel=error'], opts);

/** The files `npm pack` takes from `dir` (package.json's files), as paths relative to it. */
function packList(dir) {
  const [r] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir }).stdout);
  return r.files.map((f) => f.path);
}

/** Builds this platform's prebuild with prebuildify in a scratch copy of the sources; returns its prebuilds/ folder. */
function buildPrebuild() {
  const src = join(scratch, 'src');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(src, { recursive: true });
  for (const entry of ['CMakeLists.txt', 'package.json', 'native', 'shaders', 'cmake']) {
    if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(src, entry), { recursive: true });
  }
  symlinkSync(join(repo, 'node_modules'), join(src, 'node_modules'));
  const t = Date.now();
  // as the release workflow: the Linux prebuild without BLAS (it would need libopenblas everywhere).
  // Symlinks preserved (cmake-js is the main module of its process): cmake-js and node-addon-api name
  // their headers through the scratch copy's node_modules link, not the checkout's, so the compile
  // lines read as build:native's relative to their build folders (CCACHE_BASEDIR, .ci/run), and the
  // objects but the BLAS ones come from its ccache.
  const env = {
    ...process.env,
    KERNELBUS_BUILD_BLAS: process.platform === 'linux' ? 'OFF' : 'AUTO',
    CMAKE_BUILD_PARALLEL_LEVEL: '2',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --preserve-symlinks --preserve-symlinks-main`.trim(),
  };
  const prebuildify = join(src, 'node_modules', 'prebuildify', 'bin.js'); // npx (a symlink itself) fails with --preserve-symlinks-main
  const r = run(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', '--node-gyp', 'native/tools/cmake-js-as-node-gyp.mjs'], {
    cwd: src,
    env,
    allowFail: true,
  });
  if (r.status !== 0) {
    console.log(r.stdout.slice(-4000), r.stderr.slice(-4000));
    throw new Error('tarball-test: prebuildify failed');
  }
  const files = readdirSync(join(src, 'prebuilds', tuple));
  console.log(`tarball-test: prebuildify built prebuilds/${tuple}/${files.join(', ')} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  return join(src, 'prebuilds');
}

/** Packs the repository's package files (dist/ as built) plus `prebuilds` (or none) from a staging copy. */
function pack(prebuilds, name) {
  const stage = join(scratch, name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const file of packList(repo)) {
    mkdirSync(dirname(join(stage, file)), { recursive: true });
    cpSync(join(repo, file), join(stage, file));
  }
  if (prebuilds) cpSync(prebuilds, join(stage, 'prebuilds'), { recursive: true });
  const out = npm(['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: stage }).stdout.trim().split('\n').pop();
  const tarball = join(scratch, `${name}-${out}`);
  cpSync(join(scratch, out), tarball);
  return tarball;
}

/** An empty project with `tarball` installed (`--ignore-scripts` unless `scripts`). */
function consumer(tarball, name, { scripts = false, env = process.env, npmCommand } = {}) {
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, version: '1.0.0' }, null, 2));
  const t = Date.now();
  const argv = ['install', tarball, ...(scripts ? ['--foreground-scripts'] : ['--ignore-scripts'])];
  const r = npmCommand
    ? run(process.execPath, [npmCommand, ...argv, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env })
    : npm(argv, { cwd: dir, env });
  return { dir, output: `${r.stdout}\n${r.stderr}`, seconds: (Date.now() - t) / 1000 };
}

const node = (dir, argv) => run(process.execPath, argv, { cwd: dir, env: { ...process.env, KERNELBUS_BACKEND: '' } });

// A parity check written as a user would, run from the consumer project: by import (ESM) and require (CJS).
const PARITY = `
const { backends, kernels, vpin } = KB;
const native = backends().find((b) => b.name === 'native');
if (!native.available) throw new Error('native unavailable: ' + native.reason);
const ref = kernels({ backend: 'reference' }), nat = kernels({ backend: 'native' });
let s = 7; const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
const returns = { data: Float64Array.from({ length: 250 * 8 }, () => 0.02 * (rnd() - 0.5)), rows: 250, cols: 8 };
const a = nat.covariance(returns, { method: 'ledoit-wolf' }).data, e = ref.covariance(returns, { method: 'ledoit-wolf' }).data;
const n = 5000; let t = 1.7e12, p = 100;
const trades = { ts: new Float64Array(n), price: new Float64Array(n), volume: new Float64Array(n) };
for (let i = 0; i < n; i++) { t += 1 + Math.floor(rnd() * 2000); p += rnd() - 0.5; trades.ts[i] = t; trades.price[i] = p; trades.volume[i] = 1 + Math.floor(rnd() * 100); }
const vn = nat.vpin(trades, { bucketVolume: 5000, window: 10 }).vpin, vr = ref.vpin(trades, { bucketVolume: 5000, window: 10 }).vpin;
const close = (x, y) => x.length === y.length && x.every((v, i) => (Number.isNaN(v) && Number.isNaN(y[i])) || Math.abs(v - y[i]) <= 1e-12 * Math.abs(y[i]));
if (!close(a, e) || !close(vn, vr) || vn.length === 0) throw new Error('native and reference differ');
if (vpin(trades, { bucketVolume: 5000, window: 10 }).vpin.length !== vr.length) throw new Error('auto differs');
console.log(JSON.stringify({ path: native.path, features: native.features, buckets: vn.length }));
`;

// The gateway from the installed package: its page (web/dashboard.html, resolved from dist/gateway/) served at /.
const GATEWAY_PAGE = `
import { createBus } from 'kernelbus/bus';
import { createGateway } from 'kernelbus/gateway';
const bus = createBus();
const gateway = await createGateway(bus, { port: 0 });
const page = await (await fetch(gateway.url)).text();
await gateway.close();
await bus.close();
console.log(page.includes('<title>kernelbus dashboard</title>') ? 'page served' : page.slice(0, 200));
`;

// The README's Redis line under tsx, from the installed package: the transport is registered (no server needed to build it).
const TSX_REDIS_BUS = `
import { createBus } from 'kernelbus';
const bus = createBus({ redis: { url: 'redis://127.0.0.1:1' }, shards: 4 });
await bus.close().catch(() => {});
console.log('redis bus created');
process.exit(0);
`;

try {
  // --- the tarball --------------------------------------------------------------------------------
  let tarball = option('--tarball');
  if (tarball) tarball = resolve(tarball);
  else {
    if (!existsSync(join(repo, 'dist/api/index.js'))) throw new Error('tarball-test: dist/ not built (npm run build:ts)');
    tarball = pack(buildPrebuild(), 'with-prebuild');
  }
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
  console.log(`tarball-test: ${basename(tarball)}: ${listing.length} files`);
  check(!listing.some((f) => f.endsWith('.map')), 'no source maps');
  check(!listing.some((f) => /^package\/native\/(fuzz|bench)\//.test(f)), 'no native/fuzz or native/bench');
  check(listing.includes('package/LICENSE'), 'LICENSE');
  const prebuilt = listing.filter((f) => f.startsWith('package/prebuilds/'));
  check(prebuilt.some((f) => f.startsWith(`package/prebuilds/${tuple}/`)), `a prebuild for ${tuple}`, prebuilt.map((f) => f.slice(8)).join(', '));

  // --- installed with --ignore-scripts: the prebuild, nothing built -------------------------------
  const c = consumer(tarball, 'consumer');
  console.log(`tarball-test: npm install --ignore-scripts into ${c.dir}: ${c.seconds.toFixed(0)} s`);
  const installed = join(c.dir, 'node_modules', 'kernelbus');
  check(!existsSync(join(installed, 'build')), 'nothing built at install (no build/)');
  const esm = node(c.dir, ['--input-type=module', '-e', `import * as KB from 'kernelbus';\n${PARITY}`]).stdout.trim();
  const fromPrebuild = JSON.parse(esm).path.startsWith(join(installed, 'prebuilds', tuple));
  check(fromPrebuild, 'ESM import: native from the prebuild, parity with the reference', esm);
  const cjs = node(c.dir, ['-e', `const KB = require('kernelbus/kernels');\n${PARITY}`]).stdout.trim();
  check(JSON.parse(cjs).path.startsWith(join(installed, 'prebuilds')), 'CJS require: native from the prebuild, parity with the reference', cjs);
  const nc = node(c.dir, [join(repo, 'scripts/native-check.mjs'), installed, '--cases', '10']).stdout.trim().split('\n').pop();
  check(/ 0 failed/.test(nc), 'scripts/native-check.mjs over the installed package', nc);
  const bin = join(c.dir, 'node_modules', '.bin', 'kernelbus');
  const listed = JSON.parse(node(c.dir, [bin, 'backends', '--json']).stdout).filter((b) => b.available).map((b) => b.name);
  check(listed.includes('native'), 'npx kernelbus backends --json', listed.join(', '));
  const doctor = run(process.execPath, [bin, 'doctor', '--json'], { cwd: c.dir, allowFail: true });
  check(doctor.status === 0 && JSON.parse(doctor.stdout).backends.some((b) => b.name === 'native' && b.available), 'npx kernelbus doctor --json');
  const vpinCsv = node(c.dir, [bin, 'vpin', 'node_modules/kernelbus/examples/trades.csv', '--window', '50']).stdout.trim().split('\n');
  check(vpinCsv.length > 1, "the README's example: kernelbus vpin node_modules/kernelbus/examples/trades.csv", `${vpinCsv.length} lines`);

  const page = node(c.dir, ['--input-type=module', '-e', GATEWAY_PAGE]).stdout.trim();
  check(page === 'page served', 'kernelbus/gateway serves the dashboard page (web/dashboard.html) from the installed package', page);

  // --- types: a strict project, skipLibCheck false, no optional peers (no tfjs, no @types/ws) -----------
  const types = checkTypes(c.dir);
  for (const [type, out] of Object.entries(types.errors)) console.log(`tarball-test: tsc (${type}):\n${out}`);
  check(Object.keys(types.errors).length === 0, `tsc --strict, skipLibCheck false, ESM and CommonJS, over ${types.subpaths.join(', ')}`);

  // --- the Redis transport registers under tsx as under node (the README's createBus line) --------
  writeFileSync(join(c.dir, 'redis-bus.mts'), TSX_REDIS_BUS);
  const tsx = run(process.execPath, [join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'redis-bus.mts'], { cwd: c.dir, allowFail: true });
  check(tsx.status === 0 && tsx.stdout.trim() === 'redis bus created', "under tsx: createBus({ redis: { url }, ... }) from 'kernelbus'", (tsx.stdout + tsx.stderr).trim().slice(0, 300));

  // --- without a prebuild, with the install script ------------------------------------------------
  if (sourceBuild) {
    const bare = pack(null, 'no-prebuild');
    const s = consumer(bare, 'consumer-source', { scripts: true });
    const said = s.output.split('\n').filter((l) => l.startsWith('kernelbus:'));
    console.log(`tarball-test: npm install (with scripts, no prebuild): ${s.seconds.toFixed(0)} s; said:\n    ${said.join('\n    ')}`);
    check(said.some((l) => /built from source/.test(l)), 'without a prebuild: built from source, and says so');
    const out = JSON.parse(node(s.dir, ['--input-type=module', '-e', `import * as KB from 'kernelbus';\n${PARITY}`]).stdout);
    check(out.path.includes(join('kernelbus', 'build', 'Release')), 'the source build loads, parity with the reference', out.path);

    // no CMake and no compiler on PATH: node, sh and env only
    const bareBin = join(scratch, 'bare-bin');
    mkdirSync(bareBin, { recursive: true });
    for (const tool of ['sh', 'env']) if (!existsSync(join(bareBin, tool))) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bareBin, tool));
    if (!existsSync(join(bareBin, 'node'))) symlinkSync(process.execPath, join(bareBin, 'node'));
    const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
    const n = consumer(bare, 'consumer-no-toolchain', { scripts: true, env: { ...process.env, PATH: bareBin }, npmCommand: npmCli });
    const line = n.output.split('\n').find((l) => l.startsWith('kernelbus:')) ?? '';
    console.log(`tarball-test: npm install without CMake or a compiler: ${n.seconds.toFixed(0)} s; said:\n    ${line}`);
    check(/no prebuilt binary.*the reference .*backend is used\. Fix: .*(apt-get install build-essential cmake|apk add cmake g\+\+ make|dnf install)/.test(line), 'without a toolchain: says what to install');
  }
  console.log(`tarball-test: ${checks} checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  if (!keep && !process.env.KERNELBUS_SCRATCH) rmSync(scratch, { recursive: true, force: true });
}
