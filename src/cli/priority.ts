/**
 * A process that yields the cores: `kernelbus feed` lowers its own scheduling priority (nice 10 by
 * default) so that on a machine it shares with the engines it feeds and their Redis, the engines get a
 * core first when all want one (docs/operations.md#few-cores: on 2 cores at 200,000 trades/s the
 * engine's first second, with cold code, fell behind by 100 to 400 ms while the feed ran at its
 * priority). On Linux nice is per thread: every thread of the process is lowered (V8's and libuv's
 * workers started before the command ran; threads started later inherit it from the main thread).
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers this process's priority to nice `nice` (0 to 19), never raising it (a process started under
 * a higher nice keeps it); returns the threads lowered. Errors (a thread gone, a system that refuses)
 * leave that thread as it was.
 */
export function lowerPriority(nice: number): number {
  let threads: number[] = [0];
  if (process.platform === 'linux') {
    try {
      threads = readdirSync('/proc/self/task').map(Number);
    } catch {
      // no /proc: the calling thread only
    }
  }
  let lowered = 0;
  for (const tid of threads) {
    try {
      if (getPriority(tid) < nice) {
        setPriority(tid, nice);
        lowered++;
      }
    } catch {
      // the thread exited, or the system refuses: left as it is
    }
  }
  return lowered;
}
