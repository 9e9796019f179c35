/**
 * The vitest projects (vitest.config.ts): `unit` starts no redis-server, Chromium, `kernelbus` process or
 * user project, so that `npm run test:unit` runs anywhere in a minute or two; each `e2e` file needs one
 * of those (or a child process, or dist/). Read from each test file's own source: the helpers that
 * start servers are named there (useRedisServer, RedisServer.start, describeRedis, ...).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { E2E } from '../../vitest.config.js';

const root = resolve(import.meta.dirname, '..', '..');

/** What only an end-to-end test does: a Redis server or cluster, a browser, a CLI process, a user project. */
const SERVICES =
  /useRedisServer|RedisServer\.start|RedisCluster\.start|describeRedis|describeCluster|playwright-core|redis-e2e\/cli|new Command\(|userProject\(/;
/** What an e2e file may rest on besides them. */
const PROCESSES = /node:child_process|\bdist\//;

/** Every test file, relative to the root with `/`. */
function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(root, path).split(sep).join('/')] : [];
  });
}

const isE2e = (file: string) => E2E.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry));

describe('vitest projects', () => {
  const files = testFiles(join(root, 'test'));
  const source = (file: string) => readFileSync(join(root, file), 'utf8');

  it('e2e names files and folders that exist', () => {
    expect(E2E.filter((entry) => !existsSync(join(root, entry)))).toEqual([]);
  });

  it('unit files start no Redis, browser, CLI process or user project', () => {
    const unit = files.filter((f) => !isE2e(f) && f !== 'test/package/projects.test.ts'); // this file names them
    expect(unit.length).toBeGreaterThan(50);
    expect(unit.filter((f) => SERVICES.test(source(f)))).toEqual([]);
  });

  it('e2e files need a service or a process', () => {
    const e2e = files.filter(isE2e);
    expect(e2e.length).toBeGreaterThan(10);
    expect(e2e.filter((f) => !SERVICES.test(source(f)) && !PROCESSES.test(source(f)))).toEqual([]);
  });
});
