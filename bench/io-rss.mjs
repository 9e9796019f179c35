// Preloaded (`node --import`) into the io bench's child processes: at exit, writes the process's
// peak resident set size in kilobytes (process.resourceUsage().maxRSS) to $KERNELBUS_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.KERNELBUS_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
