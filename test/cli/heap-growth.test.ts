/** setHeapGrowth() (src/cli/heap.ts): V8's old generation grows further between full collections. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const HEAP = new URL('../../src/cli/heap.ts', import.meta.url).href;

/**
 * The full collections (mark-compacts) of a fresh process that keeps 20 MB alive and allocates 8 M small
 * arrays, each alive for the next 400,000 (long enough to be promoted, then garbage in the old
 * generation), after setHeapGrowth(percent). The process runs under V8's --optimize-for-size, whose
 * growth (1.1 times the live heap) is V8's slowest: the rule an engine's small heap fell under (about a
 * full collection a second, docs/operations.md#few-cores), where a program like this one left alone
 * gets up to 4 times.
 */
async function fullCollections(percent: number): Promise<number> {
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    const { setHeapGrowth } = await import(${JSON.stringify(HEAP)});
    setHeapGrowth(${percent});
    let major = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++; }).observe({ entryTypes: ['gc'] });
    const live = Array.from({ length: 80 }, () => new Array(32768).fill(1.5));
    const ring = new Array(400000).fill(null);
    let sink = 0;
    for (let i = 0; i < 8e6; i++) { sink += ring[i % 400000]?.[0] ?? 0; ring[i % 400000] = [i, i + 1]; }
    await new Promise((r) => setTimeout(r, 50));
    console.log(JSON.stringify({ major, kept: live.length, sink }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--optimize-for-size',
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    script,
  ]);
  return JSON.parse(stdout).major;
}

describe('setHeapGrowth', () => {
  it("300 percent: fewer than half the full collections of V8's own rule (0 leaves it)", async () => {
    const [own, zero, grown] = await Promise.all([fullCollections(-1), fullCollections(0), fullCollections(300)]);
    expect(own).toBeGreaterThan(4);
    expect(zero).toBeGreaterThan(own / 2);
    expect(grown).toBeLessThan(own / 2);
  }, 60_000);
});
