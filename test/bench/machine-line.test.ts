/**
 * bench/results.ts: the line under every table names the machine, and the native addon's huge-page
 * decision in the bench's process (docs/backends.md, "Huge pages"), which moves every row that writes
 * fresh memory.
 */
import { describe, expect, it } from 'vitest';
import { machineMeta, sectionMarkdown } from '../../bench/results.js';
import { loadNative } from '../../src/backends/native/binding.js';

describe("the bench tables' machine line", () => {
  it("records the addon's huge-page decision, and the table prints it", () => {
    const meta = machineMeta('io');
    const features = loadNative().binding?.features();
    expect(features, 'the addon loads').toBeDefined();
    expect(meta.hugePages).toMatch(features!.hugePages ? /^huge pages on/ : /^huge pages off/);
    if (!features!.hugePages && process.env.KERNELBUS_HUGE_PAGES === undefined)
      expect(meta.hugePages).toBe('huge pages off (the VM reports free memory to its host)');
    const md = sectionMarkdown({ section: 'io', meta, rows: [] });
    expect(md).toContain(`GiB memory, ${meta.hugePages}).`);
    expect(sectionMarkdown({ section: 'io', meta: { ...meta, hugePages: undefined }, rows: [] })).toMatch(/GiB memory\)\.\n$/);
  });
});
