/**
 * The package's entry points as a user imports them: each subpath resolves through package.json's
 * "exports" (built dist/), `kernelbus/kernels` loads no bus, Redis, metrics or msgpack code, and the
 * root stays a short list of common names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';

const rootDir = resolve(import.meta.dirname, '..', '..');
const built = existsSync(resolve(rootDir, 'dist', 'api', 'index.js'));
const scratch = mkdtempSync(join(tmpdir(), 'kernelbus-exports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let logs = 0;

/**
 * Imports `specifier` in a fresh node (ESM, resolved from the package root), runs `then` (code that may
 * use the module as `m`) and lists the loaded files.
 */
function loadedModules(specifier: string, then = ''): { exports: string[]; files: string[] } {
  const code = `
    import { createRequire } from 'node:module';
    const m = await import(${JSON.stringify(specifier)});
    ${then}
    const files = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ exports: Object.keys(m), files }));
  `;
  return run(code);
}

/** Runs `code` (an ES module, from the package root) in a fresh node; its stdout parsed as JSON. */
function run(code: string): any {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: rootDir, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout);
}

/** CommonJS dependencies the kernels must not load (CJS modules imported from ESM land in require.cache). */
const heavy = (file: string) => /node_modules[\\/](ioredis|prom-client|msgpackr)[\\/]/.test(file);

describe.runIf(built || process.env.CI === 'true')('subpath exports (built package)', () => {
  it('kernelbus/kernels loads the kernels and no ioredis, prom-client or msgpackr', () => {
    const { exports, files } = loadedModules('kernelbus/kernels');
    expect(exports).toEqual(
      expect.arrayContaining([
        'vpin',
        'vpinStream',
        'kernels',
        'backends',
        'normalCdf',
        'KernelInputError',
        'pin',
        'pinLikelihood',
        'aggregateTrades',
        'dailyVpin',
      ]),
    );
    expect(files.filter(heavy)).toEqual([]);
    // nor TensorFlow.js: the tfjs backend loads it when it is first asked for
    expect(files.filter((file) => /node_modules[\\/]@tensorflow[\\/]/.test(file))).toEqual([]);
    // The same check sees them where they are loaded (so it can fail): prom-client with the first registry.
    expect(loadedModules('kernelbus/engines').files.filter(heavy)).toEqual([]);
    expect(loadedModules('kernelbus/engines', 'm.prometheusRegistry({});').files.filter(heavy).length).toBeGreaterThan(0);
  });

  it('kernelbus/bus loads the bus and no ioredis or prom-client (the Redis transport and the Prometheus exposition load where used)', () => {
    const { exports, files } = loadedModules('kernelbus/bus');
    expect(exports).toEqual(expect.arrayContaining(['createBus', 'Bus', 'MemoryTransport', 'Histogram', 'TransportError']));
    expect(files.filter((file) => /node_modules[\\/](ioredis|prom-client)[\\/]/.test(file))).toEqual([]);
    // The same check sees them where they are loaded (so it can fail).
    expect(
      loadedModules('kernelbus/engines', 'm.prometheusRegistry({});').files.filter((file) => /node_modules[\\/]prom-client[\\/]/.test(file))
        .length,
    ).toBeGreaterThan(0);
    // Internals are not exported: frame magic numbers, entry-id helpers, the demo's market.
    for (const internal of ['FRAME_MAGIC', 'FRAME_VERSION', 'KIND_MESSAGE', 'KIND_TRADES', 'compareEntryIds', 'replayGap'])
      expect(exports).not.toContain(internal);
  });

  it('kernelbus (the root) loads neither ioredis nor prom-client; a Redis bus asked of it loads the transport then', () => {
    const ioredisOrProm = (file: string) => /node_modules[\\/](ioredis|prom-client)[\\/]/.test(file);
    expect(loadedModules('kernelbus').files.filter(ioredisOrProm)).toEqual([]);
    const code = `
      import { createRequire } from 'node:module';
      const { createBus } = await import('kernelbus');
      const bus = createBus({ redis: { url: 'redis://127.0.0.1:1' } });
      const files = Object.keys(createRequire(import.meta.url).cache);
      await bus.close().catch(() => {});
      console.log(JSON.stringify(files.filter((f) => /node_modules[\\/]ioredis[\\/]/.test(f)).length));
      process.exit(0);
    `;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: rootDir, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(Number(out.stdout.trim())).toBeGreaterThan(0);
  });

  it('kernelbus/strategy gives the strategy API and loads no Redis, metrics or WebSocket code', () => {
    const { exports, files } = loadedModules('kernelbus/strategy');
    expect(exports).toEqual(
      expect.arrayContaining(['defineStrategy', 'loadStrategy', 'backtestStrategy', 'StrategyRunner', 'StrategyError', 'strategyStats']),
    );
    expect(files.filter((file) => /node_modules[\\/](ioredis|prom-client|ws)[\\/]/.test(file))).toEqual([]);
    // the engine that runs a strategy on the bus is on kernelbus/engines
    expect(loadedModules('kernelbus/engines').exports).toContain('StrategyEngine');
  });

  it('kernelbus/ml gives loadModel and loads no Redis, metrics or WebSocket code', () => {
    const { exports, files } = loadedModules('kernelbus/ml');
    expect(exports).toEqual(expect.arrayContaining(['loadModel', 'parseLightGbm']));
    expect(files.filter((file) => /node_modules[\\/](ioredis|prom-client|ws)[\\/]/.test(file))).toEqual([]);
  });

  it('kernelbus/bus, kernelbus/redis and kernelbus/engines resolve to their halves', () => {
    expect(loadedModules('kernelbus/bus').exports).toEqual(
      expect.arrayContaining(['createBus', 'Bus', 'MemoryTransport', 'encodeTradesFrame']),
    );
    expect(loadedModules('kernelbus/redis').exports).toEqual(
      expect.arrayContaining(['RedisTransport', 'TransportError', 'DEAD_LETTER_SUFFIX']),
    );
    const engines = loadedModules('kernelbus/engines').exports;
    expect(engines).toEqual(expect.arrayContaining(['VpinEngine', 'Engine', 'prometheusRegistry', 'serveMetrics']));
    // the demo's synthetic market (src/replay/synthetic-market.ts) is no public name
    expect(engines).not.toContain('SyntheticMarket');
    expect(engines).not.toContain('mulberry32');
    // kernelbus/gateway: the WebSocket gateway (ws and prom-client load with it, not with the bus or the root)
    const gateway = loadedModules('kernelbus/gateway');
    expect(gateway.exports).toEqual(expect.arrayContaining(['createGateway', 'GATEWAY_TYPES', 'CLOSE_SLOW', 'PROTOCOL_VERSION']));
    expect(gateway.files.filter((file) => /node_modules[\\/]ws[\\/]/.test(file)).length).toBeGreaterThan(0);
    expect(loadedModules('kernelbus').files.filter((file) => /node_modules[\\/]ws[\\/]/.test(file))).toEqual([]);
    // kernelbus/io: the table readers and writers (Parquet and Arrow code loads only when used)
    const io = loadedModules('kernelbus/io');
    expect(io.exports).toEqual(
      expect.arrayContaining(['readTable', 'readTableChunks', 'writeTable', 'readTrades', 'splitBySymbol', 'readReturns']),
    );
    expect(io.files.filter(heavy)).toEqual([]);
    // kernelbus/replay: recorded tapes onto a bus (the readers' heavy formats load only when used)
    const replayModule = loadedModules('kernelbus/replay');
    expect(replayModule.exports).toEqual(expect.arrayContaining(['replay', 'returnsTape', 'symbolOfPath']));
    expect(replayModule.files.filter(heavy)).toEqual([]);
    const rootExports = loadedModules('kernelbus').exports;
    expect(rootExports).toEqual(expect.arrayContaining(['vpin', 'createBus', 'VpinEngine']));
  });
});

describe('root exports', () => {
  it('name at most 80 values and types (the rest is on the subpaths)', () => {
    const source = readFileSync(resolve(rootDir, 'src', 'index.ts'), 'utf8');
    const names = [...source.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) =>
      m[1]
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== ''),
    );
    expect(names.length).toBeGreaterThan(40);
    expect(names.length).toBeLessThanOrEqual(80);
  });

  it('are the common names only (the rest is in the subpaths)', () => {
    const names = Object.keys(root);
    expect(names.length).toBeLessThanOrEqual(40);
    for (const internal of ['RedisTransport', 'encodeTradesFrame', 'Batcher', 'MemoryTransport', 'Histogram'])
      expect(names).not.toContain(internal);
  });
});

/**
 * KERNELBUS_BACKEND at import (issue 67): the bundle once built the root's default kernels before
 * its backends were installed, and every value but 'auto' threw at `import 'kernelbus'`.
 */
describe.runIf(built || process.env.CI === 'true')('KERNELBUS_BACKEND at import (built package)', () => {
  /** Imports `specifier` in a fresh node with KERNELBUS_BACKEND=value; its kernels' backend and two calls. */
  function importWith(specifier: string, value: string) {
    const code = `
      const m = await import(${JSON.stringify(specifier)});
      const x = { data: Float64Array.of(1, 2, 3, 4, 2, 1), rows: 3, cols: 2 };
      const lacking = (() => { try { m.normalCdf(Float64Array.of(0)); return null; } catch (e) { return e.name + ': ' + e.message; } })();
      console.log(JSON.stringify({ backend: m.kernels().backend, cov: Array.from(m.covariance(x).data), lacking }));
    `;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: rootDir,
      encoding: 'utf8',
      env: { ...process.env, KERNELBUS_BACKEND: value },
    });
    return { status: out.status, stderr: out.stderr, result: out.status === 0 ? JSON.parse(out.stdout) : undefined };
  }
  const available = new Set(
    root
      .backends()
      .filter((b) => b.available)
      .map((b) => b.name),
  );
  const kernelsOf = new Map(root.backends().map((b) => [b.name, b.kernels as string[]]));
  const names = root.backends().map((b) => b.name);

  it.each(['', 'auto', ...names])("KERNELBUS_BACKEND='%s': the root and kernelbus/kernels import and run on it", (value) => {
    for (const specifier of ['kernelbus', 'kernelbus/kernels']) {
      const { status, stderr, result } = importWith(specifier, value);
      if (value === '' || value === 'auto' || available.has(value as never)) {
        expect(status, stderr).toBe(0);
        expect(result.backend).toBe(value === '' ? 'auto' : value);
        // covariance of 3 rows (every backend has it; tfjs computes in float32)
        expect(result.cov[3]).toBeCloseTo(7 / 3, value === 'tfjs' ? 6 : 14);
        // a kernel the backend lacks is refused at its call, naming both; one it has runs
        if (value === '' || value === 'auto' || kernelsOf.get(value as never)?.includes('normalCdf')) expect(result.lacking).toBeNull();
        else
          expect(result.lacking).toBe(
            `BackendUnavailableError: backend '${value}' is unavailable for kernel 'normalCdf': it does not implement kernel 'normalCdf' (family 'special')`,
          );
      } else {
        // a backend this machine lacks (metal off macOS): a clear error at import, nothing else
        expect(status).not.toBe(0);
        expect(stderr).toMatch(new RegExp(`BackendUnavailableError: backend '${value}' is unavailable: \\S`));
      }
    }
  });

  it('an unknown name is refused at import, listing the names', () => {
    const { status, stderr } = importWith('kernelbus', 'nativ');
    expect(status).not.toBe(0);
    expect(stderr).toContain(
      `BackendUnavailableError: backend 'nativ' is unavailable: unknown KERNELBUS_BACKEND (expected 'auto' or one of ${names.join(', ')})`,
    );
  });
});

/**
 * What the built package loads at first use (src/api/deferred-backends.ts, src/bus/deferred-redis.ts,
 * scripts/bundle.mjs): an entry point that installs every backend loads neither the reference's nor the
 * tfjs backend's module when imported, nor does kernelbus/bus (or the root) load the Redis transport's;
 * the first use of one requires it, which then computes what the sources' code computes (the same code,
 * the same error classes as the entry point's).
 */
describe.runIf(built || process.env.CI === 'true')('modules loaded at first use (built package)', () => {
  /** The files of dist/backends/reference and dist/backends/tfjs loaded so far (require.cache holds required ES modules too). */
  const DEFERRED = `
    import { createRequire } from 'node:module';
    const deferred = () => Object.keys(createRequire(import.meta.url).cache)
      .map((f) => f.replaceAll('\\\\', '/'))
      .filter((f) => /\\/dist\\/backends\\/(reference|tfjs)\\//.test(f))
      .map((f) => f.slice(f.indexOf('/dist/') + 1));
  `;
  const x = { data: [0.01, -0.02, 0.03, 0.005, -0.01, 0.02, 0.0, 0.015], rows: 4, cols: 2 };
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_, y) => (ArrayBuffer.isView(y) ? Array.from(y as Float64Array) : y)));
  /** The backends' providers and the Redis transport's class, as esbuild writes them, whatever file the bundle put them in. */
  const BACKENDS = /^var (referenceProvider|tfjsProvider) = \{$/m;
  const TRANSPORT = /^var RedisTransport = class /m;

  /**
   * The dist/ files a fresh node loaded running `code` (ES modules through test/cli/module-log.mjs's hook,
   * required ones from require.cache) whose code matches `holds`.
   */
  function loadedHolding(code: string, holds: RegExp): string[] {
    const log = join(scratch, `${logs++}.txt`);
    const args = ['--import', './test/cli/module-log.mjs', '--input-type=module', '-e', code];
    const out = spawnSync(process.execPath, args, { cwd: rootDir, encoding: 'utf8', env: { ...process.env, KERNELBUS_MODULE_LOG: log } });
    if (out.status !== 0) throw new Error(out.stderr);
    const files = readFileSync(log, 'utf8')
      .split('\n')
      .map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line))
      .filter((f) => f.startsWith(resolve(rootDir, 'dist')));
    return [...new Set(files)].filter((f) => holds.test(readFileSync(f, 'utf8')));
  }

  it('importing kernelbus, kernelbus/kernels or kernelbus/engines loads neither backend, nor does an auto call that native serves', () => {
    for (const specifier of ['kernelbus', 'kernelbus/kernels', 'kernelbus/engines']) {
      expect(loadedHolding(`await import(${JSON.stringify(specifier)});`, BACKENDS), specifier).toEqual([]);
      const auto = `const { kernels } = await import(${JSON.stringify(specifier)}).then((m) => (m.kernels ? m : import('kernelbus')));
        kernels({ backend: 'auto' }).covariance({ data: new Float64Array(5000).map((_, i) => Math.sin(i)), rows: 1000, cols: 5 });`;
      expect(loadedHolding(auto, BACKENDS), specifier).toEqual([]);
    }
    // the same check sees a backend where it is loaded (so it can fail)
    expect(loadedHolding("(await import('kernelbus')).backends();", BACKENDS).length).toBe(2);
  });

  it('kernelbus and kernelbus/bus load the Redis transport with the first Redis bus: the class kernelbus/redis exports', () => {
    for (const specifier of ['kernelbus', 'kernelbus/bus']) {
      expect(
        loadedHolding(`const { createBus } = await import(${JSON.stringify(specifier)}); await createBus().close();`, TRANSPORT),
        specifier,
      ).toEqual([]);
      const redis = `const { createBus } = await import(${JSON.stringify(specifier)});
        const bus = createBus({ redis: { url: 'redis://127.0.0.1:1' } });
        const { RedisTransport } = await import('kernelbus/redis');
        const t = bus.transport('marketdata');
        if (!(t instanceof RedisTransport)) throw new Error('not the RedisTransport of kernelbus/redis: ' + t?.constructor?.name);
        await bus.close().catch(() => {});
        process.exit(0);`;
      // required (so in require.cache, not through the load hook); the child checked instanceof
      expect(loadedHolding(redis, /^/), specifier).toContain(resolve(rootDir, 'dist', 'bus', 'transports', 'redis', 'transport.js'));
    }
  });

  it('the first reference call loads it: the same values as the sources, the same error classes as the root', () => {
    const out = run(`${DEFERRED}
      const m = await import('kernelbus');
      const x = ${JSON.stringify(x)};
      const k = m.kernels({ backend: 'reference' });
      const r = m.matrix(Float64Array.from(x.data), x.rows, x.cols);
      const values = { stats: k.performanceStats(r), var: k.valueAtRisk(r, { method: 'cornish-fisher' }), cdf: k.normalCdf(Float64Array.of(-1, 0, 2)) };
      let error;
      try { k.valueAtRisk(r, { confidence: 2 }); } catch (e) { error = { root: e instanceof m.KernelInputError, base: e instanceof m.KernelbusError, message: e.message }; }
      console.log(JSON.stringify({ values: JSON.parse(JSON.stringify(values, (_, y) => ArrayBuffer.isView(y) ? Array.from(y) : y)), error, loaded: deferred() }));`);
    const k = root.kernels({ backend: 'reference' });
    const r = root.matrix(Float64Array.from(x.data), x.rows, x.cols);
    const values = {
      stats: k.performanceStats(r),
      var: k.valueAtRisk(r, { method: 'cornish-fisher' }),
      cdf: k.normalCdf(Float64Array.of(-1, 0, 2)),
    };
    expect(out.values).toEqual(plain(values));
    let message = '';
    try {
      k.valueAtRisk(r, { confidence: 2 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/confidence/);
    expect(out.error).toEqual({ root: true, base: true, message });
    expect(out.loaded).toEqual(['dist/backends/reference/index.js']);
  });

  it('backends() reports both as the sources do, and initTfjs() first loads the tfjs module', () => {
    const out = run(`${DEFERRED}
      const m = await import('kernelbus/kernels');
      const init = await m.initTfjs({ backend: 'cpu' }).then((name) => 'ok ' + name, (e) => e.name + ': ' + e.message);
      const afterInit = deferred();
      const backends = m.backends().map(({ name, available, families, kernels }) => ({ name, available, families, kernels }));
      console.log(JSON.stringify({ init, afterInit, backends }));`);
    const expected = root.backends().map(({ name, available, families, kernels }) => ({ name, available, families, kernels }));
    expect(out.backends).toEqual(expected);
    expect(out.afterInit).toEqual(['dist/backends/tfjs/index.js']);
    const tfjs = expected.find((b) => b.name === 'tfjs');
    if (tfjs?.available) expect(out.init).toBe('ok cpu');
    else expect(out.init).toMatch(/^BackendUnavailableError: /);
  });
});

describe('src/api/deferred-backends.ts', () => {
  it("gives each deferred backend the name and 'expected' of its module's provider", async () => {
    const deferred = await import('../../src/api/deferred-backends.js');
    const { referenceProvider } = await import('../../src/backends/reference/index.js');
    const { tfjsProvider } = await import('../../src/backends/tfjs/index.js');
    for (const [d, real] of [
      [deferred.referenceProvider, referenceProvider],
      [deferred.tfjsProvider, tfjsProvider],
    ] as const)
      expect({ name: d.name, expected: d.expected }).toEqual({ name: real.name, expected: real.expected });
  });
});
