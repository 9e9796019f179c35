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
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** One run of a peer child: its parsed JSON, or why it gave none (its last line of stderr). */
export function runPeer(command: string, args: string[], timeoutMs = 10 * 60_000): PeerOutput | string {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs });
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
 * Timings of a peer child over rounds: `round()` runs it once (each case's seconds pushed), after the
 * first failure it runs no more and `missing` says why. `ms(case)` is the median over the rounds.
 */
export class PeerRounds {
  readonly times: Record<string, number[]> = {};
  versions: Record<string, string> = {};
  /** The last round's checks, per case (a peer that prints them). */
  checks: Record<string, string> = {};
  missing: string;
  rounds = 0;

  constructor(
    readonly command: string | undefined,
    readonly args: string[],
    /** Why the peer is missing when `command` is undefined ('arch is not installed here'). */
    why: string,
  ) {
    this.missing = command ? '' : `peer not measured: ${why}; ${INSTALL_HINT}`;
  }

  round(): void {
    if (!this.command || this.missing) return;
    const got = runPeer(this.command, this.args);
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
    return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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
