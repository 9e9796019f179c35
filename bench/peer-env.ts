/**
 * Where the benches find their peers, and how they run one (issue 71: every ratio against a peer is
 * computed from the peer timed in the same run, in a child process, interleaved with ours).
 * `npm run bench:peers` (scripts/bench-peers.sh) installs them all outside the repository, in
 * KERNELBUS_PEERS_DIR (default ~/.cache/kernelbus/peers): venv/ (the Python peers), js/ (the
 * JavaScript peers), talib/driver (TA-Lib C). The per-family venvs of before (/opt/vbt-venv,
 * /opt/arch-venv, /opt/pfo-venv) still serve where the peers' venv is not there.
 *
 * A section that timed a peer records its versions with recordPeers(); results.ts writes them into
 * the header of bench/results/<section>.md.
 *
 * Issue 93: every peer's round is followed by afterPeer()'s wait for the cores to be quiet before ours is
 * timed (PeerWaits; PeerRounds and the sections' own loops go through it), and a peer that uses one
 * thread anyway is started with one (ONE_THREAD); the rows' notes say which, and how long it waited.
 */
import { peerSpawnSync } from './spawner.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How to install what is missing, for the "peer not measured" notes. */
export const INSTALL_HINT = 'npm run bench:peers installs it';

/** The peers' folder: KERNELBUS_PEERS_DIR, else ~/.cache/kernelbus/peers. */
export function peersDir(): string {
  return process.env.KERNELBUS_PEERS_DIR ?? join(homedir(), '.cache', 'kernelbus', 'peers');
}

/**
 * The python that runs the Python peers: KERNELBUS_PEERS_PYTHON, else the peers' venv, else the
 * first of `legacy` (an older per-family venv's python) that exists; undefined when none does.
 */
export function peerPython(...legacy: (string | undefined)[]): string | undefined {
  const candidates = [process.env.KERNELBUS_PEERS_PYTHON, join(peersDir(), 'venv', 'bin', 'python'), ...legacy];
  return candidates.find((p): p is string => p !== undefined && existsSync(p));
}

/**
 * A peer's own python: the one the environment variable `variable` names (undefined when that file is
 * missing: a python named on purpose is not swapped for another), else peerPython(...legacy).
 */
export function namedPython(variable: string, ...legacy: string[]): string | undefined {
  const named = process.env[variable];
  if (named) return existsSync(named) ? named : undefined;
  return peerPython(...legacy);
}

/** The folder holding the JavaScript peers' node_modules: KERNELBUS_BENCH_JS_PEERS, else <peers>/js when installed. */
export function jsPeersDir(): string | undefined {
  const dir = process.env.KERNELBUS_BENCH_JS_PEERS ?? join(peersDir(), 'js');
  return existsSync(join(dir, 'node_modules')) ? dir : undefined;
}

/** TA-Lib C's driver: TALIB_DRIVER, else <peers>/talib/driver when built. */
export function talibDriver(): string | undefined {
  const driver = process.env.TALIB_DRIVER ?? join(peersDir(), 'talib', 'driver');
  return existsSync(driver) ? driver : undefined;
}

/** The source copies bench-peers.sh makes (mlfinlab's 2020 bar code, its 2020 labeling modules), or undefined. */
export function peerSource(name: 'mlfinlab2020' | 'mlfinlab-labeling'): string | undefined {
  const dir = join(peersDir(), 'src', name);
  return existsSync(dir) ? dir : undefined;
}

/** bench/peers/<script>'s absolute path. */
export function peerScript(script: string): string {
  return fileURLToPath(new URL(`./peers/${script}`, import.meta.url));
}

/** What a Python peer prints: its versions and, per case, seconds (and, where it checks them, how its results compare with ours). */
export interface PeerOutput {
  versions: Record<string, string>;
  results: { case: string; seconds: number }[];
  checks?: Record<string, string>;
}

/** Blocks this thread for `ms` (lib.ts's quiet(), here so that results.ts's import of this file loads no addon). */
function block(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * How afterPeer() waits: the window a busy share is taken over, how often it looks, the least and the
 * most it waits, and its fixed wait where there is no /proc/stat.
 */
export const QUIET = { windowMs: 50, pollMs: 10, floorMs: 50, capMs: 1000, fixedMs: 200 } as const;

/** The clock ticks of all cores so far, busy (user, nice, system, irq, softirq) and in all (and idle, iowait): /proc/stat's `cpu` line. */
function coreTicks(): { busy: number; all: number } | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'latin1');
  } catch {
    return undefined;
  }
  const [user, nice, system, idle, iowait, irq, softirq] = text.slice(0, text.indexOf('\n')).split(/\s+/).slice(1, 8).map(Number);
  const busy = user + nice + system + irq + softirq;
  const all = busy + idle + iowait;
  return Number.isFinite(all) ? { busy, all } : undefined;
}

/** Whether afterPeer() measures the cores (Linux: /proc/stat) or waits QUIET.fixedMs. */
export const quietMeasured = coreTicks() !== undefined;

/**
 * The cores' busy share over the next QUIET.windowMs, this thread blocked meanwhile (the machine's
 * other work, and ours still winding down): taken before a peer's round, for afterPeer(); undefined
 * without /proc/stat.
 */
export function coresBusy(): number | undefined {
  const a = coreTicks();
  block(QUIET.windowMs);
  const b = coreTicks();
  return a && b && b.all > a.all ? (b.busy - a.busy) / (b.all - a.all) : undefined;
}

/**
 * Blocks after a peer's round (a child process that has exited) until the cores are as quiet as they
 * were before it (`before`: coresBusy() taken then), so that ours is not timed beside what the peer
 * leaves running: its exit, the freeing of its memory, a BLAS or OpenMP pool still spinning (about
 * 0.1 s after a call), a process it started. On Linux it reads /proc/stat every QUIET.pollMs and stops
 * when the last QUIET.windowMs show a busy share at or under `before` (plus one clock tick, the
 * counter's resolution), after QUIET.floorMs at least and QUIET.capMs at most (a machine whose other
 * work grew meanwhile); elsewhere it waits QUIET.fixedMs. Returns the ms it waited.
 * Measured on this 2-core VM, 3 rounds each: at a quiet moment (load 1.0-1.3, cores idle before the
 * round) it waited 52-56 ms after arch (one thread or all), vectorbt and PyPortfolioOpt: once their
 * process has exited the cores are quiet within the first window, so the floor is the wait; after a
 * stand-in peer that leaves a process spinning 2 threads for 0.3 s it waited 503 and 523 ms. Under
 * other builds (load 4-8: the cores already fully busy, nothing quieter to wait for) it waited 53-60 ms,
 * once 1 s (the cap: the machine's other work grew during the round). Each run's medians are in the
 * peer rows' notes (PeerWaits.note()).
 */
export function afterPeer(before: number | undefined): number {
  const t0 = performance.now();
  if (before === undefined || !quietMeasured) {
    block(QUIET.fixedMs);
    return performance.now() - t0;
  }
  const samples: { t: number; busy: number; all: number }[] = [];
  for (;;) {
    const now = performance.now();
    const ticks = coreTicks();
    if (!ticks || now - t0 >= QUIET.capMs) break;
    samples.push({ t: now, ...ticks });
    if (now - t0 >= QUIET.floorMs) {
      // the latest sample a window or more before this one
      let from: (typeof samples)[number] | undefined;
      for (const s of samples) if (now - s.t >= QUIET.windowMs) from = s;
      const all = from ? ticks.all - from.all : 0;
      if (from && all > 0 && ticks.busy - from.busy <= before * all + 1) break;
    }
    block(QUIET.pollMs);
  }
  return performance.now() - t0;
}

/** The median of `xs` (the upper one of an even count), as lib.ts's median(). */
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The environment of a peer that uses one thread anyway (its BLAS calls below OpenBLAS's threading
 * sizes, no numba `parallel`, no OpenMP): its pools get one thread, so there is none left spinning.
 * Only for such a peer: a peer row of 2 threads stays 2 threads.
 */
export const ONE_THREAD = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } as const;

/**
 * A peer's rounds, each followed by afterPeer()'s wait for the cores to be as quiet as before it (so
 * that ours, timed next, does not share the cores with what the peer left behind), and what the rows'
 * notes say about it. `oneThread`: the peer is started with ONE_THREAD.
 */
export class PeerWaits {
  /** The ms waited after each round. */
  readonly waits: number[] = [];

  constructor(readonly oneThread = false) {}

  /** The environment to start the peer with. */
  env(): NodeJS.ProcessEnv {
    return this.oneThread ? { ...process.env, ...ONE_THREAD } : process.env;
  }

  /** One round of the peer: `run` starts it (a child process, with `env`) and returns when it has exited; then the wait. */
  round<T>(run: (env: NodeJS.ProcessEnv) => T): T {
    const before = coresBusy();
    try {
      return run(this.env());
    } finally {
      this.waits.push(afterPeer(before));
    }
  }

  /**
   * What the peer rows' notes say: "ours timed after the peer's threads went quiet (waited 55 ms
   * median)"; for a ONE_THREAD peer "peer run with one thread (...); ours timed after its exit left
   * the cores quiet (...)"; '' before any round.
   */
  note(): string {
    if (this.waits.length === 0) return '';
    const ms = `waited ${Math.round(medianOf(this.waits))} ms median`;
    if (!quietMeasured)
      return `${this.oneThread ? 'peer run with one thread; ' : ''}ours timed ${QUIET.fixedMs} ms after the peer (a fixed wait: no /proc/stat here)`;
    return this.oneThread
      ? `peer run with one thread (OMP, OpenBLAS, MKL: it uses no more); ours timed after its exit left the cores quiet (${ms})`
      : `ours timed after the peer's threads went quiet (${ms})`;
  }
}

/** One run of a peer child: its parsed JSON, or why it gave none (its last line of stderr). */
export function runPeer(command: string, args: string[], timeoutMs = 10 * 60_000, env?: NodeJS.ProcessEnv): PeerOutput | string {
  const r = peerSpawnSync(command, args, { maxBuffer: 64 << 20, timeout: timeoutMs, env });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-1)[0];
    return `${args[0]?.split('/').pop() ?? command} failed: ${why}`;
  }
  try {
    return JSON.parse(r.stdout) as PeerOutput;
  } catch {
    return `${args[0]?.split('/').pop() ?? command} printed no JSON`;
  }
}

/** A temp folder with `arrays` written as raw float64 files (name -> path); `done()` removes it. */
export function peerInputs(arrays: Record<string, Float64Array>): { files: Record<string, string>; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kb-peer-'));
  const files: Record<string, string> = {};
  for (const [name, x] of Object.entries(arrays)) {
    files[name] = join(dir, `${name}.f64`);
    writeFileSync(files[name], new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  }
  return { files, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Timings of a peer child over rounds: `round()` runs it once (each case's seconds pushed) and waits
 * for the cores to be quiet (PeerWaits), after the first failure it runs no more and `missing` says
 * why. `ms(case)` is the median over the rounds; `quietNote()` what the rows' notes say of the waits.
 */
export class PeerRounds {
  readonly times: Record<string, number[]> = {};
  versions: Record<string, string> = {};
  /** The last round's checks, per case (a peer that prints them). */
  checks: Record<string, string> = {};
  missing: string;
  rounds = 0;
  readonly waits: PeerWaits;

  constructor(
    readonly command: string | undefined,
    readonly args: string[],
    /** Why the peer is missing when `command` is undefined ('arch is not installed here'). */
    why: string,
    /** Start it with ONE_THREAD: only a peer that uses no more. */
    oneThread = false,
  ) {
    this.missing = command ? '' : `peer not measured: ${why}; ${INSTALL_HINT}`;
    this.waits = new PeerWaits(oneThread);
  }

  round(): void {
    const command = this.command;
    if (!command || this.missing) return;
    const got = this.waits.round((env) => runPeer(command, this.args, undefined, env));
    if (typeof got === 'string') {
      this.missing = `peer not measured: ${got}`;
      return;
    }
    this.versions = got.versions;
    this.checks = got.checks ?? {};
    this.rounds++;
    for (const c of got.results) (this.times[c.case] ??= []).push(c.seconds * 1000);
  }

  /** The median ms of a case over the rounds, or undefined (not measured). */
  ms(name: string): number | undefined {
    const xs = this.missing ? undefined : this.times[name];
    if (!xs || xs.length === 0) return undefined;
    return medianOf(xs);
  }

  /** PeerWaits.note(): how ours was timed after the peer's rounds. */
  quietNote(): string {
    return this.waits.note();
  }

  /** 'numpy 2.4.6, scikit-learn 1.9.1, Python 3.11.7'. */
  versionText(): string {
    return Object.entries(this.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  }
}

const recorded = new Map<string, Set<string>>();

/** Records that `section` timed peers of these versions in this run (or why one was not measured). */
export function recordPeers(section: string, text: string): void {
  if (!text) return;
  const set = recorded.get(section) ?? new Set<string>();
  set.add(text);
  recorded.set(section, set);
}

/** What `section` recorded: '; '-joined, or undefined. */
export function recordedPeers(section: string): string | undefined {
  const set = recorded.get(section);
  return set && set.size > 0 ? [...set].join('; ') : undefined;
}
