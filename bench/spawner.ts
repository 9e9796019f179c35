/**
 * Peers run outside the bench's process. spawnSync forks the process that calls it (libuv on Linux),
 * which marks every writable page of the bench copy-on-write: after a peer's round, our next calls
 * fault each page of memory they reuse (measured 2026-12-04: backtestSignals' value read after
 * `python3 -c pass` took 32 ms and 1,680 faults a call, 16-20 ms and 400 faults without the spawn). So
 * the peers are started by a spawner, a child started once (bench/spawner-child.mjs), that runs each
 * command with spawnSync and answers through two FIFOs; the bench blocks on the answer as spawnSync
 * would. Where FIFOs are missing (Windows), plain spawnSync.
 */
import { type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What peerSpawnSync returns: spawnSync's fields that the benches read, stdout and stderr as text. */
export interface PeerSpawnResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

let fifos: { requests: string; answers: string; pid: number } | null | undefined;

/** Starts the spawner (once; at the bench's start, before the sections allocate): null where it cannot. */
export function startSpawner(): typeof fifos {
  if (fifos !== undefined) return fifos;
  fifos = null;
  if (process.platform === 'win32' || process.env.KERNELBUS_BENCH_SPAWNER === '0') return fifos;
  const dir = mkdtempSync(join(tmpdir(), 'kb-spawner-'));
  const requests = join(dir, 'requests');
  const answers = join(dir, 'answers');
  if (spawnSync('mkfifo', [requests, answers]).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return fifos;
  }
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./spawner-child.mjs', import.meta.url)), requests, answers, String(process.pid)],
    {
      stdio: 'ignore',
    },
  );
  child.unref();
  process.on('exit', () => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  fifos = { requests, answers, pid: child.pid ?? 0 };
  return fifos;
}

/**
 * Whether the spawner still runs. This process is blocked while it waits, so a spawner that died is a
 * zombie nobody reaped: /proc says so where there is one (elsewhere kill(pid, 0) cannot tell).
 */
function spawnerAlive(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      // the state follows the command's closing parenthesis
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^[ZX]/.test(text.slice(text.lastIndexOf(')') + 2));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `attempt` until it returns a value, sleeping 0.1 ms, then twice as long up to 5 ms, between tries;
 * throws when the spawner died meanwhile (a blocking open or read of its FIFOs would wait for ever).
 */
function poll<T>(pid: number, attempt: () => T | undefined): T {
  let wait = 0.1;
  let checked = performance.now();
  for (;;) {
    const value = attempt();
    if (value !== undefined) return value;
    if (performance.now() - checked > 100) {
      if (!spawnerAlive(pid)) throw new Error(`the bench's spawner (pid ${pid}) died: its peer's answer never came`);
      checked = performance.now();
    }
    Atomics.wait(pause, 0, 0, wait);
    wait = Math.min(5, wait * 2);
  }
}

/** The FIFO call would block (or its other end is not open yet): try again. */
const again = (error: unknown, code: string) => (error as NodeJS.ErrnoException).code === code;

/** Writes the request (its FIFO opened without blocking: ENXIO until the spawner reads it). */
function sendRequest(f: NonNullable<typeof fifos>, text: string): void {
  const fd = poll(f.pid, () => {
    try {
      return openSync(f.requests, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if (again(error, 'ENXIO')) return undefined;
      throw error;
    }
  });
  try {
    const bytes = Buffer.from(text);
    let at = 0;
    while (at < bytes.length) {
      at += poll(f.pid, () => {
        try {
          return writeSync(fd, bytes, at);
        } catch (error) {
          if (again(error, 'EAGAIN')) return undefined;
          throw error;
        }
      });
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads the answer: whatever the spawner writes, until it closes the FIFO (its end opened without blocking). */
function readAnswer(f: NonNullable<typeof fifos>): string {
  const fd = openSync(f.answers, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const parts: Buffer[] = [];
    const chunk = Buffer.alloc(1 << 16);
    // 0 bytes: no writer yet (nothing read so far) or the writer closed (the answer is whole)
    poll(f.pid, () => {
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, chunk);
        } catch (error) {
          if (again(error, 'EAGAIN')) return undefined;
          throw error;
        }
        if (n === 0) return parts.length > 0 ? true : undefined;
        parts.push(Buffer.from(chunk.subarray(0, n)));
      }
    });
    return Buffer.concat(parts).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** spawnSync(command, args, options) run by the spawner (text output), or here where there is none. */
export function peerSpawnSync(command: string, args: string[], options: SpawnSyncOptions = {}): PeerSpawnResult {
  const f = startSpawner();
  const textOptions = { ...options, encoding: 'utf8' as const };
  if (!f) {
    const r = spawnSync(command, args, textOptions);
    return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
  }
  sendRequest(f, JSON.stringify({ command, args, options: textOptions }));
  const a = JSON.parse(readAnswer(f)) as Omit<PeerSpawnResult, 'error'> & { error?: string };
  return { ...a, error: a.error === undefined ? undefined : new Error(a.error) };
}
