import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The end-to-end tests (project `e2e`): what starts redis-server (a Redis Cluster included) or Chromium,
 * runs `kernelbus` as a process, installs the package or needs dist/ built. Everything else is project
 * `unit`: in-process, in seconds to a minute or two (`npm run test:unit`); a unit file may still spawn
 * `node` to load a module in a fresh process. test/package/projects.test.ts holds the unit files to it.
 * Folders end with `/`.
 */
export const E2E = [
  'test/redis/',
  'test/redis-e2e/',
  'test/redis-cluster/',
  'test/docs/',
  'test/gateway/browser.test.ts',
  'test/cli/conventions.test.ts',
  'test/cli/backtest-report.test.ts',
  'test/cli/strategy-report-browser.test.ts',
  'test/cli/tail.test.ts',
  'test/package/exports.test.ts',
  'test/backends/install.test.ts',
];

const e2eGlobs = E2E.map((p) => (p.endsWith('/') ? `${p}**/*.test.ts` : p));

/**
 * The unit files that test what a process loads first (a module graph of their own): project `unit-fresh`,
 * each file in a fresh one. The other unit files share their worker's modules (`isolate: false`): the
 * imports of src/ once a worker, not once a file (CI: the unit project 298 s -> 200 s on 2 cores).
 */
export const FRESH = ['test/api/auto-picker.test.ts', 'test/backends/metal.test.ts', 'test/ml/onnx.test.ts'];

export default defineConfig({
  test: {
    // Suites load the native addon: run each file in its own process (node-llama-cpp, better-sqlite3).
    pool: 'forks',
    // Two files at a time at least: vitest's default (the cores less one) runs one at a time on a 2-core
    // machine, where most e2e files wait on their child processes and Redis (CI: 14 min against 8.5).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // fast-check's seed, fixed unless KERNELBUS_FC_SEED or KERNELBUS_EXPLORE=1 says otherwise (and printed)
    setupFiles: ['test/setup/fast-check.ts'],
    globalSetup: ['test/setup/print-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // `npm test` runs all; `vitest run --project 'unit*'` (npm run test:unit) or `--project e2e` some
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...e2eGlobs, ...FRESH], isolate: false } },
      { extends: true, test: { name: 'unit-fresh', include: FRESH } },
      { extends: true, test: { name: 'e2e', include: e2eGlobs } },
    ],
  },
});
