#!/usr/bin/env node
/**
 * `npm run test:explore [-- rounds=3]`: the suite's property tests (the files that use fast-check) with
 * random seeds, `rounds` times over: the search for new inputs that `npm test` (a fixed seed, the same
 * inputs every run: test/setup/fast-check.ts) leaves to a developer before they stop. A failure prints
 * fast-check's seed and path; `KERNELBUS_FC_SEED=<seed> npx vitest run <file>` replays it, and the find
 * becomes a test of its own with its fix.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const rounds = Number(process.argv[2] ?? 3);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: npm run test:explore [-- rounds]   (rounds: an integer >= 1, default 3)');
  process.exit(2);
}

/** The test files that import fast-check. */
function propertyFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return propertyFiles(path);
    return e.name.endsWith('.test.ts') && readFileSync(path, 'utf8').includes("from 'fast-check'") ? [relative(root, path)] : [];
  });
}

const files = propertyFiles(join(root, 'test'));
let failed = 0;
for (let round = 1; round <= rounds; round++) {
  console.log(`test:explore: round ${round} of ${rounds}, ${files.length} files, random seeds`);
  const r = spawnSync('npx', ['vitest', 'run', ...files], { cwd: root, stdio: 'inherit', env: { ...process.env, KERNELBUS_EXPLORE: '1' } });
  if (r.status !== 0) failed++;
}
console.log(`test:explore: ${rounds - failed} of ${rounds} rounds passed`);
process.exit(failed ? 1 : 0);
