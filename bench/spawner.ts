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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

let fifos: { requests: string; answers: string } | null | undefined;

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
  fifos = { requests, answers };
  return fifos;
}

/** spawnSync(command, args, options) run by the spawner (text output), or here where there is none. */
export function peerSpawnSync(command: string, args: string[], options: SpawnSyncOptions = {}): PeerSpawnResult {
  const f = startSpawner();
  const textOptions = { ...options, encoding: 'utf8' as const };
  if (!f) {
    const r = spawnSync(command, args, textOptions);
    return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
  }
  writeFileSync(f.requests, JSON.stringify({ command, args, options: textOptions }));
  const a = JSON.parse(readFileSync(f.answers, 'utf8')) as Omit<PeerSpawnResult, 'error'> & { error?: string };
  return { ...a, error: a.error === undefined ? undefined : new Error(a.error) };
}
