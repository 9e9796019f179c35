/**
 * What starting costs: the modules `kernelbus <command>` and `import 'kernelbus'` load, from the sources
 * (node --import tsx) in a fresh process that logs every module it loads (./module-log.mjs). The CLI
 * loads a command's modules when that command runs, `--help` loads no kernel, reader or backend, `vpin`
 * and `risk` on a CSV load no bus, engine, gateway, Redis, metrics, msgpack, Arrow, Parquet or
 * TensorFlow.js code, a command imports the backends its --backend uses (auto: native and the two over
 * the addon; the reference only where the addon does not load; backends and doctor: all), and the root
 * loads none of the packages a bus, an engine or a file format needs later. Each case also names a module it must load, and a Parquet read shows the check seeing a heavy
 * package where one is loaded: a log that missed loads would fail. bench/startup.ts times the same starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'kernelbus-startup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;

/** The modules a fresh node loads running `code` (an ES module, from the package root): src/ paths and package names. */
function loads(code: string, env: NodeJS.ProcessEnv = {}): { src: string[]; packages: string[]; stdout: string } {
  const log = join(scratch, `${runs++}.txt`);
  const args = ['--import', 'tsx', '--import', './test/cli/module-log.mjs', '--input-type=module', '-e', code];
  const out = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env, KERNELBUS_MODULE_LOG: log },
  });
  if (out.status !== 0) throw new Error(`exit ${out.status}: ${out.stderr}`);
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .map((line) => line.replace(/^file:\/\//, '').replaceAll('\\', '/'));
  const src = files.filter((f) => f.startsWith(`${root}/src/`)).map((f) => f.slice(root.length + 1));
  const packages = files.flatMap((f) => {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
    return m ? [m[1]] : [];
  });
  return { src, packages: [...new Set(packages)], stdout: out.stdout };
}

/** `kernelbus <args>` from the sources, as bin/kernelbus.js runs it from dist/. */
const command = (...args: string[]) => commandWith({}, ...args);
const commandWith = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  loads(`import { main } from './src/cli/main.ts'; process.exitCode = await main(${JSON.stringify(args)});`, env);

/** Packages that only a bus, an engine, the gateway, the metrics, tfjs or a file format other than CSV needs. */
const HEAVY = ['ioredis', 'pino', 'prom-client', 'msgpackr', 'ws', 'apache-arrow', 'parquet-wasm', 'fzstd'];
const heavy = (packages: string[]) => packages.filter((p) => HEAVY.includes(p) || p.startsWith('@tensorflow/'));
/** The backends whose modules (src/backends/<name>/index.ts) a start imported, sorted. */
const backendModules = (src: string[]) => src.flatMap((f) => /^src\/backends\/([a-z]+)\/index\.ts$/.exec(f)?.[1] ?? []).sort();

/** src/ folders a command on a table file never needs. */
const notForFiles = /^src\/(bus|engines|gateway|ops|redis|replay)\//;

describe('startup: the modules each start loads', () => {
  it('kernelbus --help and vpin|risk --help load the usage: no kernels, backends, readers or packages', () => {
    const usage = command('--help').src;
    expect(usage.filter((f) => f.startsWith('src/cli/')).sort()).toEqual(['src/cli/main.ts', 'src/cli/observe.ts', 'src/cli/options.ts']);
    expect(usage.filter((f) => !/^src\/(cli|kernels)\/|^src\/errors\.ts$/.test(f))).toEqual([]);
    for (const name of ['vpin', 'risk']) {
      const { src, packages } = command(name, '--help');
      expect(src).toContain(`src/cli/${name}.ts`);
      expect(src.filter((f) => /^src\/(api|backends|io\/(?!formats\.ts))/.test(f) || notForFiles.test(f))).toEqual([]);
      expect(heavy(packages)).toEqual([]);
    }
  });

  it('vpin and risk on a CSV load the reader, the kernels and the backends, and no bus, engine, Redis, metrics, msgpack, Arrow, Parquet or tfjs', () => {
    for (const args of [
      ['vpin', 'examples/trades.csv'],
      ['risk', 'examples/returns.csv'],
    ]) {
      const { src, packages } = command(...args);
      expect(src).toEqual(expect.arrayContaining(['src/api/kernels.ts', 'src/io/csv-native.ts', 'src/backends/native/binding.ts']));
      expect(src.filter((f) => notForFiles.test(f) || /^src\/io\/(arrow|parquet)/.test(f))).toEqual([]);
      expect(heavy(packages)).toEqual([]);
      // 'auto' imports the native backend (and BLAS and Metal, which the addon serves), not the reference or tfjs
      expect(backendModules(src)).toEqual(['blas', 'metal', 'native']);
    }
    // a Parquet file is read natively: the native reader's module, no Parquet or Arrow package
    const parquet = command('vpin', 'examples/trades.parquet');
    expect(parquet.src).toContain('src/io/parquet-native.ts');
    expect(heavy(parquet.packages)).toEqual([]);
    expect(backendModules(parquet.src)).toEqual(['blas', 'metal', 'native']);
    // the same check sees a heavy package where the command loads one (the Parquet writer)
    const out = join(mkdtempSync(join(tmpdir(), 'kb-startup-')), 'buckets.parquet');
    expect(heavy(command('vpin', 'examples/trades.csv', '--out', out).packages)).toContain('parquet-wasm');
  });

  it('each --backend imports its own module; backends, doctor and the reference fallback import what they report', () => {
    expect(backendModules(command('vpin', 'examples/trades.csv', '--backend', 'reference').src)).toEqual(['reference']);
    expect(backendModules(command('vpin', 'examples/trades.csv', '--backend', 'native').src)).toEqual(['native']);
    const all = ['blas', 'metal', 'native', 'reference', 'tfjs'];
    expect(backendModules(command('backends').src)).toEqual(all);
    expect(backendModules(command('doctor').src)).toEqual(all);
    // 'auto' where the addon does not load (KERNELBUS_BACKEND=reference turns it off): the reference too
    const off = commandWith({ KERNELBUS_BACKEND: 'reference' }, 'vpin', 'examples/trades.csv', '--backend', 'auto');
    expect(backendModules(off.src)).toEqual(['blas', 'metal', 'native', 'reference']);
    // below its threshold (16 trades) 'auto' gives the reference's calls to native when the reference is
    // not imported: the same figures
    const tiny = join(scratch, 'tiny.csv');
    writeFileSync(tiny, `ts,price,volume\n${Array.from({ length: 12 }, (_, i) => `${i * 1000},${100 + (i % 3)},${10 + i}`).join('\n')}\n`);
    const vpin = (backend: string) => {
      const { src, stdout } = command(
        'vpin',
        tiny,
        '--bucket-volume',
        '20',
        '--window',
        '2',
        '--bar-ms',
        '1000',
        '--json',
        '--backend',
        backend,
      );
      const { buckets, vpin } = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { buckets: number; vpin: { mean: number } };
      return { modules: backendModules(src), figures: { buckets, vpin } };
    };
    const [auto, reference] = [vpin('auto'), vpin('reference')];
    expect(auto.modules).not.toContain('reference');
    expect(auto.figures).toEqual(reference.figures);
    expect(auto.figures.buckets).toBeGreaterThan(2);
    expect(auto.figures.vpin.mean).toBeGreaterThan(0);
  });

  it("import 'kernelbus' loads the kernels, the bus and the engines, and none of the packages they load when used", () => {
    const { src, packages } = loads("await import('./src/index.ts');");
    expect(src).toEqual(expect.arrayContaining(['src/api/index.ts', 'src/bus/bus.ts', 'src/engines/vpin.ts']));
    expect(src.filter((f) => /^src\/(cli|gateway|io|ops|replay)\//.test(f))).toEqual([]);
    expect(heavy(packages)).toEqual([]);
    // msgpackr loads with the first message frame
    const frame =
      "const { encodeMessageFrame } = await import('./src/bus/index.ts'); encodeMessageFrame({ type: 'RISK_ALERT', key: 'A', ts: 1, payload: {} });";
    expect(heavy(loads(frame).packages)).toEqual(['msgpackr']);
  });
});
