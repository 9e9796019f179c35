#!/usr/bin/env node
// Types compile for everyone: a `strict` TypeScript project with `skipLibCheck: false` and none of the
// optional peers (TensorFlow.js, @types/ws) type-checks against every subpath the installed package
// exports, as ESM (`module: NodeNext`, "type": "module") and as CommonJS ("type": "commonjs").
//   node scripts/types-check.mjs <project>   <project>/node_modules/kernelbus installed (a packed tarball)
// Uses this repository's TypeScript and @types/node (linked into two sub-projects of <project>), prints
// tsc's errors and exits 1 on any. scripts/tarball-test.mjs runs it on the consumer project.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The package's subpaths with types (`kernelbus`, `kernelbus/kernels`, ...), from its package.json. */
export function typedSubpaths(installed) {
  const { name, exports } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  return Object.entries(exports)
    .filter(([, target]) => typeof target === 'object' && target.types)
    .map(([subpath]) => (subpath === '.' ? name : `${name}/${subpath.slice(2)}`));
}

/** A source that imports every subpath and uses each namespace (so that nothing is elided). */
function source(subpaths) {
  const lines = subpaths.map((s, i) => `import * as m${i} from '${s}';`);
  lines.push(`export const namespaces: object[] = [${subpaths.map((_, i) => `m${i}`).join(', ')}];`);
  // a few names used as a user would, so that their declarations are resolved, not just the files
  lines.push(`export const v: typeof m0.vpin = m0.vpin;`, `export const bus: ReturnType<typeof m0.createBus> = m0.createBus();`);
  return `${lines.join('\n')}\n`;
}

/** Type-checks one sub-project of `project` ("type" `moduleType`); returns tsc's output, '' when clean. */
function checkOne(project, moduleType, subpaths) {
  const dir = join(project, `types-${moduleType}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `types-${moduleType}`, private: true, type: moduleType }));
  // the package as installed in the project; @types/node (and what it needs) from this repository
  symlinkSync(join(project, 'node_modules', 'kernelbus'), join(dir, 'node_modules', 'kernelbus'));
  symlinkSync(join(repo, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
  if (existsSync(join(repo, 'node_modules', 'undici-types')))
    symlinkSync(join(repo, 'node_modules', 'undici-types'), join(dir, 'node_modules', 'undici-types'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        types: ['node'],
        noEmit: true,
      },
      files: ['index.ts'],
    }),
  );
  writeFileSync(join(dir, 'index.ts'), source(subpaths));
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', cwd: dir });
  return r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim() || `tsc exited with ${r.status}`;
}

/**
 * Type-checks every typed subpath of `project`'s installed kernelbus as ESM and as CommonJS; returns
 * the errors per module type (empty when both are clean).
 */
export function checkTypes(project) {
  const subpaths = typedSubpaths(join(project, 'node_modules', 'kernelbus'));
  const errors = {};
  for (const type of ['module', 'commonjs']) {
    const out = checkOne(project, type, subpaths);
    if (out) errors[type] = out;
  }
  return { subpaths, errors };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const project = process.argv[2];
  if (!project) {
    console.error('usage: node scripts/types-check.mjs <project with node_modules/kernelbus>');
    process.exit(2);
  }
  const { subpaths, errors } = checkTypes(resolve(project));
  for (const [type, out] of Object.entries(errors)) console.log(`types-check (${type}):\n${out}`);
  console.log(`types-check: ${subpaths.length} subpaths, ESM ${errors.module ? 'FAIL' : 'ok'}, CommonJS ${errors.commonjs ? 'FAIL' : 'ok'}`);
  process.exitCode = Object.keys(errors).length ? 1 : 0;
}
