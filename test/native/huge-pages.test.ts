/**
 * The huge-page advice of fresh outputs (native/kernels/memory.cpp, adviseHugePages) and its decision
 * (hugePages()): KERNELBUS_HUGE_PAGES=0 off, =1 on, otherwise on except on a virtual machine that
 * reports its free memory to the host (a bound virtio balloon with VIRTIO_BALLOON_F_REPORTING). A child
 * process advises a fresh 64 MB array and writes it; its mapping is marked advised ('hg' in
 * /proc/self/smaps' VmFlags) or refused ('nh': MADV_NOHUGEPAGE, so that THP's `always` mode gives it
 * none either), and its AnonHugePages (/proc/self/smaps_rollup) grows by most of it with the advice,
 * not at all without. The detection reads sysfs trees made here, and this machine's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backends/native/binding.js';
import { doctorReport } from '../../src/cli/doctor.js';

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';
const mode = existsSync(THP) ? (/\[(\w+)\]/.exec(readFileSync(THP, 'utf8'))?.[1] ?? 'never') : 'none';
const bindingUrl = new URL('../../src/backends/native/binding.ts', import.meta.url).href;
const native = loadNative().binding;

/** The child's AnonHugePages gain (KB) from advising and writing 64 MB under `env`, and its features' decision. */
function child(env: Record<string, string | undefined>): { gained: number; advised: boolean; reason: string; flags: string[] } {
  const script = `
    import { readFileSync } from 'node:fs';
    const { loadNative } = await import(${JSON.stringify(bindingUrl)});
    const b = loadNative().binding;
    const kb = () => Number(/AnonHugePages:\\s+(\\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]);
    const before = kb();
    const a = new Float64Array(8 << 20);
    b.adviseHugePages(a);
    a.fill(1);
    const f = b.features();
    // the VmFlags of the mapping 8 MB into the array: 'hg' advised, 'nh' refused (MADV_NOHUGEPAGE)
    const at = b.viewAddress(a) + 8n * 1024n * 1024n;
    let flags = '';
    let inside = false;
    for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
      const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
      if (range) inside = BigInt('0x' + range[1]) <= at && at < BigInt('0x' + range[2]);
      else if (inside && line.startsWith('VmFlags:')) flags = line.slice(8).trim();
    }
    console.log(JSON.stringify({ gained: kb() - before, advised: f.hugePages, reason: f.hugePagesReason, flags: flags.split(' ') }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim());
}

const scratch = mkdtempSync(join(tmpdir(), 'kernelbus-virtio-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let trees = 0;

/** A sysfs virtio devices directory holding `devices` (id, features bits, bound to a driver). */
function virtioTree(devices: { id: string; features: string; bound: boolean }[]): string {
  const dir = join(scratch, `tree${trees++}`);
  mkdirSync(join(dir, 'drivers'), { recursive: true });
  devices.forEach((d, i) => {
    const dev = join(dir, `virtio${i}`);
    mkdirSync(dev);
    writeFileSync(join(dev, 'device'), `${d.id}\n`);
    writeFileSync(join(dev, 'features'), `${d.features.padEnd(64, '0')}\n`);
    if (d.bound) symlinkSync(join(dir, 'drivers'), join(dev, 'driver'));
  });
  return dir;
}

const REPORTING = '011001010'; // bits 1, 2, 5 and 7: bit 5 is VIRTIO_BALLOON_F_REPORTING
const NOT_REPORTING = '011000010';

describe.runIf(process.platform === 'linux')('free page reporting: the virtio devices read', () => {
  it('finds a bound balloon that reports free pages, and nothing else', () => {
    expect(native, 'the addon loads').toBeDefined();
    const b = native!;
    const net = { id: '0x0001', features: REPORTING, bound: true };
    expect(b.freePageReporting(virtioTree([net, { id: '0x0005', features: REPORTING, bound: true }]))).toBe(true);
    expect(b.freePageReporting(virtioTree([{ id: '5', features: REPORTING, bound: true }]))).toBe(true);
    // a balloon without the feature, one not bound to its driver, the feature's bit on another device
    expect(b.freePageReporting(virtioTree([{ id: '0x0005', features: NOT_REPORTING, bound: true }]))).toBe(false);
    expect(b.freePageReporting(virtioTree([{ id: '0x0005', features: REPORTING, bound: false }]))).toBe(false);
    expect(b.freePageReporting(virtioTree([net, { id: '0x0015', features: REPORTING, bound: true }]))).toBe(false);
    // short or empty files, no devices, no directory
    expect(b.freePageReporting(virtioTree([{ id: '0x0005', features: '', bound: true }]))).toBe(false);
    expect(b.freePageReporting(virtioTree([]))).toBe(false);
    expect(b.freePageReporting(join(scratch, 'none'))).toBe(false);
    expect(() => b.freePageReporting(5 as unknown as string)).toThrow(/dir/);
  });

  it("reads this machine's devices as the test does", () => {
    const root = '/sys/bus/virtio/devices';
    const expected =
      existsSync(root) &&
      readdirSync(root).some((d) => {
        const at = (f: string) => (existsSync(join(root, d, f)) ? readFileSync(join(root, d, f), 'utf8').trim() : '');
        return Number(at('device')) === 5 && existsSync(join(root, d, 'driver')) && at('features')[5] === '1';
      });
    expect(native!.freePageReporting(root)).toBe(expected);
    // this process's decision, as kernelbus doctor prints it
    const f = native!.features();
    if (process.env.KERNELBUS_HUGE_PAGES === undefined) expect(f.hugePages).toBe(!expected);
    expect(doctorReport().summary.hugePages).toBe(f.hugePagesReason);
  });
});

describe.runIf(process.platform === 'linux' && (mode === 'madvise' || mode === 'always'))(`huge pages (THP ${mode})`, () => {
  it('advised by default unless the host takes free memory back; KERNELBUS_HUGE_PAGES=0 off, =1 on', () => {
    const reporting = native!.freePageReporting('/sys/bus/virtio/devices');
    const byDefault = child({ KERNELBUS_HUGE_PAGES: undefined });
    expect(byDefault.advised).toBe(!reporting);
    expect(byDefault.reason).toMatch(reporting ? /^off: this virtual machine reports its free memory/ : /^on /);
    const off = child({ KERNELBUS_HUGE_PAGES: '0' });
    const on = child({ KERNELBUS_HUGE_PAGES: '1' });
    expect([off.advised, off.reason]).toEqual([false, 'off: KERNELBUS_HUGE_PAGES=0']);
    expect([on.advised, on.reason]).toEqual([true, 'on: KERNELBUS_HUGE_PAGES=1']);
    // any other value: the default
    expect(child({ KERNELBUS_HUGE_PAGES: 'yes' }).advised).toBe(!reporting);
    // on: advised; off: refused, so that THP's `always` mode puts no huge page there either
    expect(on.flags).toContain('hg');
    expect(off.flags).toContain('nh');
    expect(byDefault.flags).toContain(reporting ? 'nh' : 'hg');
    expect(on.gained).toBeGreaterThanOrEqual(32 * 1024);
    expect(off.gained).toBe(0);
    if (reporting) expect(byDefault.gained).toBe(0);
    else expect(byDefault.gained).toBeGreaterThanOrEqual(32 * 1024);
  });
});
