/**
 * bench/spawner.ts: the peers run by a spawner child, so the bench's process never forks while it
 * times. Its answers are spawnSync's: status, signal, stdout and stderr as text, an error for a command
 * that cannot start; the child exits with the process that started it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { peerSpawnSync, startSpawner } from '../../bench/spawner.js';

describe('bench spawner', () => {
  it('runs commands outside this process and answers as spawnSync does', () => {
    expect(startSpawner()).not.toBeNull();
    const ok = peerSpawnSync(process.execPath, ['-e', 'console.log(process.ppid); console.error("to stderr")']);
    expect(ok.status).toBe(0);
    expect(ok.stderr.trim()).toBe('to stderr');
    // the command's parent is the spawner, not this process
    const parent = Number(ok.stdout.trim());
    expect(parent).toBeGreaterThan(0);
    expect(parent).not.toBe(process.pid);
    const env = peerSpawnSync(process.execPath, ['-e', 'process.stdout.write(process.env.KB_SPAWNER_TEST); process.exit(3)'], {
      env: { ...process.env, KB_SPAWNER_TEST: 'seen' },
    });
    expect([env.status, env.stdout]).toEqual([3, 'seen']);
    const missing = peerSpawnSync('/nonexistent/kernelbus-peer', []);
    expect(missing.status).toBeNull();
    expect(missing.error?.message).toMatch(/ENOENT/);
    // many answers in a row, each its own
    for (let i = 0; i < 5; i++) expect(peerSpawnSync(process.execPath, ['-e', `console.log(${i})`]).stdout.trim()).toBe(String(i));
  });

  it('the spawner exits when the process that started it does', async () => {
    const spawners = () =>
      spawnSync('pgrep', ['-f', 'spawner-child.mjs'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;
    const before = spawners();
    const script = `const { startSpawner } = await import(${JSON.stringify(new URL('../../bench/spawner.ts', import.meta.url).href)}); startSpawner(); console.log('started'); setTimeout(() => {}, 300);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    // while the child lives, its spawner is there too
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    expect(spawners()).toBe(before + 1);
    await new Promise((resolve) => child.on('exit', resolve));
    expect(out.trim()).toBe('started');
    const until = Date.now() + 3000;
    while (spawners() > before && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(spawners()).toBe(before);
  });
});
