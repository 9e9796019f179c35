// Preloaded (`node --import`) into the io bench's child processes: at exit, writes the process's
// peak resident set size in kilobytes to $KERNELBUS_BENCH_RSS_FILE. On Linux that is VmHWM of
// /proc/self/status: process.resourceUsage().maxRSS (getrusage) keeps the high-water mark of the
// memory the process had before exec, the forked copy of the bench itself (a child spawned by a
// 480 MB parent reported 473 MB where VmHWM said 40 MB), so it is the fallback elsewhere.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

const file = process.env.KERNELBUS_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(peakKb())));
