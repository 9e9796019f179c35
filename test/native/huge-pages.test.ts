/**
 * The huge-page advice of fresh outputs (native/kernels/memory.cpp, adviseHugePages) and its opt-out,
 * KERNELBUS_HUGE_PAGES=0: a child process advises a fresh 64 MB array and writes it; its
 * AnonHugePages (/proc/self/smaps_rollup) grows by most of it with the advice where THP is in its
 * `madvise` mode, and not at all without (in `always` mode every large mapping gets them: the advice
 * changes nothing there, and the test asserts only that huge pages came).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';
const mode = existsSync(THP) ? (/\[(\w+)\]/.exec(readFileSync(THP, 'utf8'))?.[1] ?? 'never') : 'none';
const binding = new URL('../../src/backends/native/binding.ts', import.meta.url).href;

/** KB of AnonHugePages the child gained by advising and writing 64 MB, under `env`. */
function gained(env: Record<string, string | undefined>): number {
  const script = `
    import { readFileSync } from 'node:fs';
    const { loadNative } = await import(${JSON.stringify(binding)});
    const b = loadNative().binding;
    const kb = () => Number(/AnonHugePages:\\s+(\\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]);
    const before = kb();
    const a = new Float64Array(8 << 20);
    b.adviseHugePages(a);
    a.fill(1);
    console.log(kb() - before);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

describe.runIf(process.platform === 'linux' && (mode === 'madvise' || mode === 'always'))(`huge pages (THP ${mode})`, () => {
  it('advised by default, not with KERNELBUS_HUGE_PAGES=0', () => {
    const advised = gained({ KERNELBUS_HUGE_PAGES: undefined });
    expect(advised).toBeGreaterThanOrEqual(32 * 1024);
    if (mode === 'madvise') {
      expect(gained({ KERNELBUS_HUGE_PAGES: '0' })).toBe(0);
      // any other value leaves the advice on
      expect(gained({ KERNELBUS_HUGE_PAGES: '1' })).toBeGreaterThanOrEqual(32 * 1024);
    }
  });
});
