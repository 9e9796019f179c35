/**
 * Issue 88, point 4: a strategy file in any folder. From a folder made under os.tmpdir() (outside the
 * project, no node_modules there), a strategy that imports 'kernelbus/strategy' (and, through a helper
 * module of its own, 'kernelbus') backtests examples/tape.csv with the fills of the same strategy kept
 * in the package (examples/strategy-ma-cross.mjs), and loads for `engine strategy`; a folder whose own
 * node_modules/kernelbus is another copy still gets the running package; a subpath the package does not
 * export is Node's error naming it. Node's resolve hooks act in a fresh process only (vitest resolves
 * the modules it runs itself): the commands run as `node --import tsx` over src/, as
 * test/cli/startup.test.ts runs them, with the hook's redirect to src/ (dist/ when published).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const TAPE = join(root, 'examples', 'tape.csv');
const EXAMPLE = join(root, 'examples', 'strategy-ma-cross.mjs');
const dir = mkdtempSync(join(tmpdir(), 'kb-anywhere-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** examples/strategy-ma-cross.mjs with its import of defineStrategy replaced by `importLine`. */
function copyOfExample(importLine: string): string {
  return readFileSync(EXAMPLE, 'utf8').replace("import { defineStrategy } from 'kernelbus/strategy';", importLine);
}

/**
 * Runs `code` (an ES module over src/: `run(argv)` returns `kernelbus backtest`'s --json output) in a
 * fresh `node --import tsx` from the package root; returns what it printed (JSON) and its stderr.
 */
function fresh(code: string): { out: Record<string, unknown>; stderr: string } {
  const prelude = `import { runBacktest } from './src/cli/backtest.ts';
const run = async (argv) => { const lines = []; const code = await runBacktest(argv, (l) => lines.push(l), () => {}); return { code, ...JSON.parse(lines.join('\\n')) }; };
`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', prelude + code], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KERNELBUS_BACKEND: 'reference' },
    timeout: 120_000,
  });
  if (child.status !== 0) throw new Error(`exit ${child.status}: ${child.stderr}`);
  return { out: JSON.parse(child.stdout), stderr: child.stderr };
}

describe('a strategy file outside the package', () => {
  it("imports 'kernelbus/strategy' and 'kernelbus': backtests the tape as the same file inside the package, and loads for engine strategy", () => {
    const folder = join(dir, 'strategies');
    mkdirSync(folder);
    const file = join(folder, 'ma-cross.mjs');
    writeFileSync(file, copyOfExample("import { defineStrategy } from 'kernelbus/strategy';"));
    // a helper module of the user's own, importing the root entry point
    writeFileSync(join(folder, 'helper.mjs'), "export { KernelInputError, defineStrategy } from './reexport.mjs';\n");
    writeFileSync(
      join(folder, 'reexport.mjs'),
      "export { KernelInputError } from 'kernelbus';\nexport { defineStrategy } from 'kernelbus/strategy';\n",
    );
    const viaHelper = join(folder, 'via-helper.mjs');
    writeFileSync(
      viaHelper,
      `${copyOfExample("import { defineStrategy, KernelInputError } from './helper.mjs';")}\nif (typeof KernelInputError !== 'function') throw new Error('no KernelInputError');\n`,
    );
    const { out } = fresh(`
import { strategyEngineOptions } from './src/cli/engine-strategy.ts';
import { KernelInputError } from './src/errors.ts';
import { isStrategy } from './src/strategy/define.ts';
const outside = await run(['--file', ${JSON.stringify(TAPE)}, '--strategy', ${JSON.stringify(file)}, '--json']);
const helper = await run(['--file', ${JSON.stringify(TAPE)}, '--strategy', ${JSON.stringify(viaHelper)}, '--json']);
const inside = await run(['--file', ${JSON.stringify(TAPE)}, '--strategy', ${JSON.stringify(EXAMPLE)}, '--json']);
const engine = await strategyEngineOptions({ strategy: ${JSON.stringify(file)} });
// the file's defineStrategy is the running package's: the same class of errors as the command's
const { defineStrategy, KernelInputError: theirs } = await import(${JSON.stringify(`${join(folder, 'helper.mjs')}`)});
console.log(JSON.stringify({ outside, helper, inside, engine: engine.strategies.map((s) => s.name), same: theirs === KernelInputError, made: isStrategy(defineStrategy({ name: 'x', bars: { by: 'tick', threshold: 2 }, onBar() {} })) }));
`);
    const { outside, helper, inside } = out as Record<
      string,
      { code: number; fills: unknown[]; orders: unknown[]; strategy: { file: string } }
    >;
    expect(outside.code).toBe(0);
    expect(outside.strategy.file).toBe(file);
    expect(inside.fills.length).toBeGreaterThan(50);
    expect(outside.fills).toEqual(inside.fills);
    expect(outside.orders).toEqual(inside.orders);
    expect(helper.fills).toEqual(inside.fills);
    expect(out.engine).toEqual(['ma-cross']);
    expect(out.same).toBe(true);
    expect(out.made).toBe(true);
  });

  it('gets the running package even where the folder has a kernelbus of its own; an unexported subpath is named', () => {
    const project = join(dir, 'project');
    const own = join(project, 'node_modules', 'kernelbus');
    mkdirSync(own, { recursive: true });
    writeFileSync(
      join(own, 'package.json'),
      JSON.stringify({ name: 'kernelbus', type: 'module', exports: { './strategy': './strategy.js', '.': './strategy.js' } }),
    );
    writeFileSync(join(own, 'strategy.js'), "throw new Error('the project copy of kernelbus was loaded');\n");
    const file = join(project, 'ma-cross.mjs');
    writeFileSync(file, copyOfExample("import { defineStrategy } from 'kernelbus/strategy';"));
    const unexported = join(project, 'unexported.mjs');
    writeFileSync(unexported, "import { nothing } from 'kernelbus/no-such-entry';\nexport default nothing;\n");
    const { out } = fresh(`
const result = await run(['--file', ${JSON.stringify(TAPE)}, '--strategy', ${JSON.stringify(file)}, '--json']);
let refused;
try { await run(['--file', ${JSON.stringify(TAPE)}, '--strategy', ${JSON.stringify(unexported)}]); } catch (error) { refused = error.message; }
console.log(JSON.stringify({ code: result.code, fills: result.fills.length, refused }));
`);
    expect(out.code).toBe(0);
    expect(out.fills).toBeGreaterThan(50);
    expect(out.refused).toMatch(
      new RegExp(
        `^${unexported.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(:\\d+:\\d+)?: the module does not load: .*'\\./no-such-entry' is not defined by "exports" in ${root}/package\\.json`,
      ),
    );
  });
});
