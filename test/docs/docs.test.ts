/**
 * What the docs promise runs as written (issue 44): every TypeScript/JavaScript block of README.md and
 * docs/*.md type-checks under `strict` against the built package, and those that need no server run
 * (their types stripped by esbuild, under node, in a project holding the package as a user installs it);
 * every `kernelbus` line of their shell blocks that needs no server runs as written from a project
 * holding the package's examples (the `--redis` ones run in test/redis-e2e/docs.test.ts); every
 * repository path they name exists.
 * A block that needs data or setup names a prelude (test/docs/preludes/) in the `<!-- doctest: ... -->`
 * comment before it (test/docs/blocks.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandLine, codeBlocks, commandLines, type DocBlock, directive, docFiles, ROOT, shortDemo } from './blocks.js';
import { removeProject, run, userProject } from './project.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The file name of a block in the project: where it comes from. */
const fileOf = (b: DocBlock) => `${b.file.replace(/[/.]/g, '_')}_${b.line}.ts`;

/** The block as a module: its prelude, then its code (imports of the repository's src/ made absolute for `internal` blocks). */
function moduleOf(b: DocBlock): string {
  const prelude = directive(b, 'prelude');
  const head = prelude ? readFileSync(join(import.meta.dirname, 'preludes', `${prelude}.ts`), 'utf8') : '';
  const code = b.directives.includes('internal') ? b.code.replaceAll("'./src/", `'${ROOT}/src/`) : b.code;
  return `${head}\n${code}\nexport {};\n`;
}

/** Type-checks `blocks` (written in `dir`) with `lib`; returns tsc's output, '' when clean. */
async function typecheck(dir: string, name: string, blocks: DocBlock[], lib: string[]): Promise<string> {
  const config = {
    compilerOptions: {
      strict: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      lib,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      skipLibCheck: true,
      noEmit: true,
    },
    files: blocks.map(fileOf),
  };
  writeFileSync(join(dir, name), JSON.stringify(config));
  const r = await run(process.execPath, [TSC, '-p', name], dir, { timeoutMs: 300_000 });
  return r.code === 0 ? '' : r.out;
}

describe('the docs', () => {
  let dir = '';
  beforeAll(() => {
    dir = userProject();
  });
  afterAll(() => removeProject(dir));

  const blocks = codeBlocks();

  it('every TypeScript/JavaScript block type-checks under strict against the built package', async () => {
    expect(blocks.length).toBeGreaterThan(15);
    for (const b of blocks) writeFileSync(join(dir, fileOf(b)), moduleOf(b));
    const node = blocks.filter((b) => !b.directives.includes('dom'));
    const dom = blocks.filter((b) => b.directives.includes('dom'));
    const errors = [
      await typecheck(dir, 'tsconfig.node.json', node, ['ES2023']),
      dom.length ? await typecheck(dir, 'tsconfig.dom.json', dom, ['ES2023', 'DOM']) : '',
    ].join('');
    // tsc names the block's file: <doc>_<line of its fence>.ts
    expect(errors).toBe('');
  }, 300_000);

  const runnable = blocks.filter((b) => !b.directives.includes('typecheck-only'));
  it.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))(
    '%s runs',
    async (_, b) => {
      // the block's TypeScript stripped by esbuild (what tsx runs it through), then plain node: tsx's own
      // start took half a second of CPU a block
      const js = transformSync(`${moduleOf(b)}process.exit(0);\n`, { loader: 'ts', format: 'esm', target: 'node20' }).code;
      const file = fileOf(b).replace(/\.ts$/, '.mjs');
      writeFileSync(join(dir, file), js);
      const r = await run(process.execPath, [file], dir, { timeoutMs: 90_000, env: { KERNELBUS_BACKEND: '' } });
      expect({ block: `${b.file}:${b.line}`, code: r.code, out: r.code === 0 ? '' : r.out }).toEqual({
        block: `${b.file}:${b.line}`,
        code: 0,
        out: '',
      });
    },
    120_000,
  );

  const lines = commandLines().filter((l) => !l.redis);
  it.each(lines.map((l) => [`${l.file}:${l.line}: ${l.text}`, l] as const))(
    '%s',
    async (_, l: CommandLine) => {
      // `kernelbus` as an npm script or a global install finds it; `npx kernelbus` runs that same
      // node_modules/.bin/kernelbus, called here without npx (its own start took a second a line: 43 lines)
      const env = { PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH}` };
      const text = shortDemo(l.text.replace(/\bnpx kernelbus\b/g, 'kernelbus'));
      // the demo's dashboard without --seconds runs until interrupted: Ctrl-C once it serves, then its summary
      if (/--dashboard/.test(l.text) && !/--seconds/.test(l.text)) {
        const r = await run('sh', ['-c', text], dir, {
          timeoutMs: 100_000,
          env,
          until: (out) => /dashboard: http:\/\/127\.0\.0\.1:\d+\//.test(out),
        });
        expect(r.out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//);
        expect(r.out).toMatch(/trades published/);
        return;
      }
      const r = await run('sh', ['-c', text], dir, { timeoutMs: 100_000, env });
      expect({ line: `${l.file}:${l.line}`, code: r.code, out: r.code === 0 ? '' : r.out.slice(-2000) }).toEqual({
        line: `${l.file}:${l.line}`,
        code: 0,
        out: '',
      });
    },
    120_000,
  );

  it('every repository path the docs name exists', () => {
    const missing: string[] = [];
    // paths from the top-level folders (placeholders <x>, globs and generated folders left out), and relative links
    const named =
      /(?<![\w./-])((?:src|native|test|docs|examples|scripts|bench|shaders|web|bin|tools|cmake|\.ci|\.github)\/[\w./*<>{}-]*[\w/])/g;
    const generated = /^(bench\/results|build|dist|prebuilds)\//;
    let count = 0;
    for (const file of docFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const [, path] of text.matchAll(named)) {
        if (/[*<>{}]/.test(path) || generated.test(path)) continue;
        count++;
        if (!existsSync(join(ROOT, path))) missing.push(`${file}: ${path}`);
      }
      for (const [, link] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(link)) continue;
        count++;
        if (!existsSync(join(ROOT, normalize(join(dirname(file), link))))) missing.push(`${file}: (${link})`);
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});
