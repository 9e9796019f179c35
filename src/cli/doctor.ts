/**
 * `kernelbus doctor [--json]`: what this machine gets, and how to get the rest. Platform and libc, Node
 * and N-API, the package version; every backend of `backends()` (loads, or why not), where the addon
 * came from, threads, the BLAS library, the GPU; and per backend that does not load, the fix for this OS.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, release } from 'node:os';
import { installEveryBackend } from '../api/every-backend.js';
import { backends, type BackendInfo } from '../backends/registry.js';
import { flag, parseCommand } from './options.js';

installEveryBackend(); // it reports every backend

/** The whole report (`--json` prints it as is). */
export interface DoctorReport {
  kernelbus: string;
  platform: { os: string; arch: string; libc: string; release: string; distribution?: string; cpu: string; cores: number };
  node: { version: string; napi: string; supported: boolean };
  /** The environment variables kernelbus reads, where set. */
  env: Record<string, string>;
  backends: (BackendInfo & { fix?: string })[];
  /** One line per topic: the addon, threads, BLAS, GPU. */
  summary: { native: string; threads: string; simd: string; hugePages: string; blas: string; gpu: string };
}

const REBUILD = 'npm rebuild kernelbus --foreground-scripts';

/** /etc/os-release's fields on Linux (none elsewhere: Windows under Wine can read the host's). */
function osRelease(): Record<string, string> {
  if (process.platform !== 'linux') return {};
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return Object.fromEntries(
      text.split('\n').flatMap((line) => {
        const m = /^([A-Z_]+)=("?)(.*)\2$/.exec(line);
        return m ? [[m[1], m[3]]] : [];
      }),
    );
  } catch {
    return {};
  }
}

function libc(): string {
  if (process.platform !== 'linux')
    return process.platform === 'darwin' ? 'libSystem' : process.platform === 'win32' ? 'msvcrt/ucrt' : 'unknown';
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'musl';
}

/** The command that installs a compiler and CMake here. */
function toolchainFix(os: Record<string, string>): string {
  if (process.platform === 'darwin') return 'xcode-select --install && brew install cmake';
  if (process.platform === 'win32')
    return 'the win32-x64 prebuild is in the package (reinstall kernelbus); to build from source: Visual Studio Build Tools with "Desktop development with C++" (includes CMake)';
  if (libc() === 'musl') return 'apk add cmake g++ make';
  const like = `${os.ID ?? ''} ${os.ID_LIKE ?? ''}`;
  if (/debian|ubuntu/.test(like)) return 'sudo apt-get install build-essential cmake';
  if (/rhel|fedora|centos|amzn|suse/.test(like)) return 'sudo dnf install gcc-c++ make cmake';
  return 'install CMake >= 3.15 and a C++17 compiler';
}

/** The command that installs OpenBLAS and LAPACK here (the BLAS backend's, on Linux). */
function blasFix(os: Record<string, string>): string {
  if (libc() === 'musl') return 'apk add openblas-dev';
  const like = `${os.ID ?? ''} ${os.ID_LIKE ?? ''}`;
  if (/rhel|fedora|centos|amzn|suse/.test(like)) return 'sudo dnf install openblas-devel lapack-devel';
  return 'sudo apt-get install libopenblas-dev liblapack-dev';
}

/** The fix for a backend that does not load, or undefined when there is nothing to do. */
function fixFor(b: BackendInfo, native: BackendInfo | undefined, os: Record<string, string>): string | undefined {
  if (b.available) return undefined;
  const env = process.env;
  switch (b.name) {
    case 'native':
      if (env.KERNELBUS_BACKEND === 'reference') return 'unset KERNELBUS_BACKEND';
      return `${toolchainFix(os)}, then ${REBUILD}`;
    case 'blas':
      if (env.KERNELBUS_BLAS === '0') return 'unset KERNELBUS_BLAS';
      if (!native?.available) return 'the native addon first (above)';
      if (process.platform === 'darwin') return 'macOS 13.3 or later (Accelerate with the LAPACK 3.9 interface)';
      if (process.platform === 'win32') return 'none on Windows: the win32-x64 prebuild leaves BLAS out (the native backend serves)';
      return `${blasFix(os)}, then ${REBUILD} (prebuilt Linux binaries leave BLAS out)`;
    case 'tfjs':
      return 'npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu (or @tensorflow/tfjs-node)';
    case 'metal':
      if (process.platform !== 'darwin') return 'none here: Metal needs macOS on Apple silicon';
      if (env.KERNELBUS_GPU === '0') return 'unset KERNELBUS_GPU';
      if (!native?.available) return 'the native addon first (above)';
      return 'an Apple7-family GPU (M1 or later); a hosted CI runner has only a paravirtual device';
    default:
      return undefined;
  }
}

/** The vector instructions the native kernels run, and why when the CPU has more (KERNELBUS_SIMD). */
function simdLine(simd: string, cpu: string): string {
  if (simd === cpu) return `${simd} (the best this CPU has; KERNELBUS_SIMD=avx2|baseline caps it)`;
  return `${simd} (capped by KERNELBUS_SIMD=${process.env.KERNELBUS_SIMD ?? '?'}; this CPU has ${cpu})`;
}

export function doctorReport(): DoctorReport {
  const require = createRequire(import.meta.url);
  const pkg = require('../../package.json') as { version: string };
  const os = osRelease();
  const [major, minor] = process.versions.node.split('.').map(Number);
  const list = backends();
  const native = list.find((b) => b.name === 'native');
  const blas = list.find((b) => b.name === 'blas');
  const metal = list.find((b) => b.name === 'metal');
  const nf = (native?.features ?? {}) as Record<string, unknown>;
  const bf = (blas?.features ?? {}) as Record<string, unknown>;
  const mf = (metal?.features ?? {}) as Record<string, unknown>;
  const env = Object.fromEntries(
    [
      'KERNELBUS_BACKEND',
      'KERNELBUS_THREADS',
      'KERNELBUS_SERIAL_CHUNKS',
      'KERNELBUS_SIMD',
      'KERNELBUS_HUGE_PAGES',
      'KERNELBUS_BLAS',
      'KERNELBUS_GPU',
      'OPENBLAS_NUM_THREADS',
    ]
      .filter((k) => process.env[k] !== undefined)
      .map((k) => [k, process.env[k] as string]),
  );
  return {
    kernelbus: pkg.version,
    platform: {
      os: process.platform,
      arch: process.arch,
      libc: libc(),
      release: release(),
      ...(os.PRETTY_NAME ? { distribution: os.PRETTY_NAME } : {}),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
    },
    node: {
      version: process.version,
      napi: process.versions.napi ?? 'none',
      supported: (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22,
    },
    env,
    backends: list.map((b) => {
      const fix = fixFor(b, native, os);
      return fix ? { ...b, fix } : b;
    }),
    summary: {
      native: native?.available
        ? `loaded from ${native.path ?? '?'}${native.path?.includes('prebuilds') ? ' (prebuilt)' : ' (built from source)'}`
        : 'not loaded: every kernel runs on the reference (pure TypeScript) backend',
      threads: native?.available
        ? `${String(nf.threads)} by default (KERNELBUS_THREADS, else the cores; kernels({ threads }) per call)`
        : '1 (the reference backend runs on the JS thread)',
      simd: native?.available ? simdLine(String(nf.simd), String(nf.simdCpu)) : 'none (the reference backend is scalar TypeScript)',
      hugePages: native?.available ? String(nf.hugePagesReason) : 'none (the addon is not loaded)',
      blas: blas?.available ? `${String(bf.vendor)}, ${String(bf.threads)} threads` : `none (${blas?.reason ?? 'not registered'})`,
      gpu: metal?.available ? `Metal: ${String(mf.device ?? mf.name ?? 'available')}` : `none (${metal?.reason ?? 'not registered'})`,
    },
  };
}

function human(r: DoctorReport): string {
  const p = r.platform;
  const lines = [
    `kernelbus ${r.kernelbus}`,
    `platform   ${p.os}-${p.arch}, ${p.libc}${p.distribution ? `, ${p.distribution}` : ''} (kernel ${p.release})`,
    `cpu        ${p.cpu}, ${p.cores} cores`,
    `node       ${r.node.version}, N-API ${r.node.napi}${r.node.supported ? '' : ' (unsupported: kernelbus needs ^20.19.0 || >=22.12.0)'}`,
    ...Object.entries(r.env).map(([k, v]) => `env        ${k}=${v}`),
    `addon      ${r.summary.native}`,
    `threads    ${r.summary.threads}`,
    `simd       ${r.summary.simd}`,
    `huge pages ${r.summary.hugePages}`,
    `blas       ${r.summary.blas}`,
    `gpu        ${r.summary.gpu}`,
    '',
    'backends',
  ];
  for (const b of r.backends) {
    lines.push(
      `  ${b.available ? 'yes' : 'no '} ${b.name.padEnd(10)}${b.available ? `${b.kernels.length} kernels (${b.families.join(', ')})` : (b.reason ?? '')}`,
    );
    if (b.fix) lines.push(`      fix: ${b.fix}`);
  }
  return lines.join('\n');
}

/** `kernelbus doctor --help`. */
export const DOCTOR_USAGE = `Usage: kernelbus doctor [--json]

Says what this machine gets: platform and libc, Node and N-API, the environment variables kernelbus
reads, where the native addon was loaded from, threads, the BLAS library, the GPU, and per backend that
does not load, why and the fix for this OS. --json prints the whole report as JSON.
`;

/** Runs `kernelbus doctor` (without `doctor`); returns the exit code. */
export function runDoctor(argv: string[], out: NodeJS.WritableStream = process.stdout): number {
  const parsed = parseCommand(argv, { json: flag.boolean() }, { help: () => out.write(DOCTOR_USAGE) });
  if (!parsed) return 0;
  const report = doctorReport();
  out.write(`${parsed.values.json ? JSON.stringify(report, null, 2) : human(report)}\n`);
  return 0;
}
