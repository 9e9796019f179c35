import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Suites load the native addon: run each file in its own process (node-llama-cpp, better-sqlite3).
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
