/**
 * bench/spawner.ts: the peers run by a spawner child, so the bench's process never forks while it
 * times. Its answers are spawnSync's: status, signal, stdout and stderr as text, an error for a command
 * that cannot start; the child exits with the process that started it, and a child that died is an error.
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

  it('a spawner that dies is an error, not a wait for ever: while a command runs, and before the next', () => {
    const f = startSpawner();
    expect(f).not.toBeNull();
    const pid = f?.pid ?? 0;
    expect(peerSpawnSync(process.execPath, ['-e', 'console.log(1)']).stdout.trim()).toBe('1');
    // killed 300 ms into a command of 3 s: the answer would never come
    spawn('sh', ['-c', `sleep 0.3; kill -9 ${pid}`], { stdio: 'ignore', detached: true }).unref();
    const started = performance.now();
    expect(() => peerSpawnSync(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'])).toThrow(
      `the bench's spawner (pid ${pid}) died: its peer's answer never came`,
    );
    expect(performance.now() - started).toBeLessThan(5000);
    // and nobody reads the requests any more
    expect(() => peerSpawnSync(process.execPath, ['-e', 'console.log(2)'])).toThrow(`the bench's spawner (pid ${pid}) died`);
  });

  it('the spawner exits when the process that started it does, or is killed', async () => {
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const end of ['exits', 'SIGKILL'] as const) {
      const stay = end === 'exits' ? 300 : 60_000;
      const script = `const { startSpawner } = await import(${JSON.stringify(new URL('../../bench/spawner.ts', import.meta.url).href)}); startSpawner(); console.log('started'); setTimeout(() => {}, ${stay});`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // while the child lives, its spawner is its child
      const spawner = Number(spawnSync('pgrep', ['-P', String(child.pid), '-f', 'spawner-child.mjs'], { encoding: 'utf8' }).stdout.trim());
      expect(spawner, end).toBeGreaterThan(0);
      expect(alive(spawner), end).toBe(true);
      if (end === 'SIGKILL') child.kill('SIGKILL');
      await exited;
      const until = Date.now() + 5000;
      while (alive(spawner) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(alive(spawner), end).toBe(false);
    }
  });
});
