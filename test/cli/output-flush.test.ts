/**
 * What `kernelbus` writes reaches a slow reader whole: stdout and stderr are asynchronous pipes, and the
 * exit that follows a command (bin/kernelbus.js: run() in src/cli/main.ts) waits for them to drain. Before
 * it, `kernelbus backtest --json | reader` lost all but the pipe's first 64 KiB when the reader was slower
 * than the command (the CI's Redis e2e test read a truncated JSON under load).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const ARGS = [
  'bin/kernelbus.js',
  ...'backtest --file examples/tape.csv --strategy examples/strategy-lever.mjs --init-cash 100000 --allow-short'.split(' '),
  ...'--accounts examples/accounts.json --on-margin-call reduce --json'.split(' '),
];

/** What a reader that starts 4 s after the command (ended by then) reads of the stream `redirect` pipes (a shell pipeline). */
function slowRead(redirect: string): string {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" ${ARGS.join(' ')} ${redirect} | (sleep 4; cat)`], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

it('a reader that starts after the command ended gets all of its stdout (800 KB of --json) and its stderr (the ctx.log lines)', () => {
  const direct = spawnSync(process.execPath, ARGS, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(direct.status, direct.stderr).toBe(0);
  const { rejections } = JSON.parse(direct.stdout) as { rejections: unknown[] };
  const logLines = direct.stderr.trim().split('\n');
  expect(direct.stdout.length).toBeGreaterThan(500_000);
  expect(logLines.length).toBeGreaterThan(500);
  expect((JSON.parse(slowRead('2>/dev/null')) as { rejections: unknown[] }).rejections).toEqual(rejections);
  expect(slowRead('2>&1 >/dev/null').trim().split('\n')).toEqual(logLines);
}, 60_000);
