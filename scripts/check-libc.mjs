#!/usr/bin/env node
// The Linux binaries' reach (issue 27, item 6), from their dynamic symbol tables (binutils' objdump).
//   node scripts/check-libc.mjs <addon.node | prebuilds dir> [--max-glibc 2.28] [--max-glibcxx 3.4.25]
//     glibc builds (*.glibc.node, or any non-musl .node): prints the highest GLIBC_, GLIBCXX_, CXXABI_ and
//     GCC_ versions they require and the symbols that need the newest ones; fails above --max-glibc
//     (default 2.28: RHEL/Rocky 8, Amazon Linux 2023, Ubuntu 20.04, Debian 10) or --max-glibcxx.
//     musl builds (*.musl.node): fails on any GLIBC_ version requirement or glibc library (libc.so.6,
//     libm.so.6, libpthread.so.0, ld-linux) among the NEEDED entries.
//   node scripts/check-libc.mjs --musl-symbols <glibc addon.node> [--musl-libc /lib/x86_64-linux-musl/libc.so]
//     what can be checked without an Alpine toolchain (Debian's musl-tools has musl-gcc for C only, so
//     the C++ addon cannot be linked against musl here): every C library function the glibc build
//     imports must be defined by musl's libc, and the native sources must use no glibc-only header or
//     macro. The release workflow builds the musl binaries on Alpine and runs the first form on them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return value;
};
const maxGlibc = option('--max-glibc', '2.28');
const maxGlibcxx = option('--max-glibcxx', undefined);
const muslSymbolsOf = option('--musl-symbols', undefined);
const muslLibc = option('--musl-libc', ['/lib/x86_64-linux-musl/libc.so', '/usr/lib/x86_64-linux-musl/libc.so', '/lib/ld-musl-x86_64.so.1'].find(existsSync));

const cmp = (a, b) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};
const objdump = (flag, file) => execFileSync('objdump', [flag, file], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** The undefined dynamic symbols of `file` as [name, version tag] ('' when unversioned). */
function imports(file) {
  return objdump('-T', file)
    .split('\n')
    .filter((line) => line.includes('*UND*'))
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const name = fields.at(-1);
      const tag = /^\(?([A-Z_]+_[0-9.]+)\)?$/.exec(fields.at(-2) ?? '')?.[1] ?? '';
      return [name, tag];
    });
}
const needed = (file) => [...objdump('-p', file).matchAll(/NEEDED\s+(\S+)/g)].map((m) => m[1]);

let failed = 0;
const report = (ok, line) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
  if (!ok) failed++;
};

function checkBinary(file) {
  const name = relative(process.cwd(), file);
  const syms = imports(file);
  const libs = needed(file);
  if (/\.musl\.node$/.test(file)) {
    const glibc = syms.filter(([, tag]) => tag.startsWith('GLIBC_'));
    const glibcLibs = libs.filter((l) => /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux)/.test(l));
    report(glibc.length === 0 && glibcLibs.length === 0, `${name} (musl): NEEDED ${libs.join(', ')}; ${glibc.length} GLIBC_ symbol versions${glibc.length ? ` (${glibc.slice(0, 5).map(([s, t]) => `${s}@${t}`).join(', ')})` : ''}`);
    return;
  }
  const highest = {};
  for (const [sym, tag] of syms) {
    if (!tag) continue;
    const [, lib, version] = /^([A-Z_]+?)_([0-9.]+)$/.exec(tag);
    const h = highest[lib];
    if (!h || cmp(version, h.version) > 0) highest[lib] = { version, symbols: [sym] };
    else if (cmp(version, h.version) === 0 && !h.symbols.includes(sym)) h.symbols.push(sym);
  }
  console.log(`${name}: NEEDED ${libs.join(', ')}`);
  for (const [lib, { version, symbols }] of Object.entries(highest)) {
    console.log(`  highest ${lib}_${version} (${symbols.slice(0, 4).join(', ')}${symbols.length > 4 ? ', ...' : ''})`);
  }
  if (highest.GLIBC) report(cmp(highest.GLIBC.version, maxGlibc) <= 0, `${name}: GLIBC_${highest.GLIBC.version} <= GLIBC_${maxGlibc}`);
  if (maxGlibcxx && highest.GLIBCXX) report(cmp(highest.GLIBCXX.version, maxGlibcxx) <= 0, `${name}: GLIBCXX_${highest.GLIBCXX.version} <= GLIBCXX_${maxGlibcxx}`);
}

function binaries(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true })
    .map((f) => join(path, String(f)))
    .filter((f) => f.endsWith('.node') && /linux/.test(f));
}

if (muslSymbolsOf) {
  // 1. the C library functions the addon imports, all defined by musl
  if (!muslLibc) {
    console.error('check-libc: no musl libc found (Debian: apt-get install musl; or --musl-libc PATH)');
    process.exit(2);
  }
  const defined = new Set(
    execFileSync('nm', ['-D', '--defined-only', muslLibc], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/).at(-1)),
  );
  // glibc-only symbols that GCC's libstdc++ headers reference when compiled against glibc >= 2.32 (an
  // optimisation of shared_ptr and locales); Alpine's libstdc++ headers, built for musl, do not.
  const glibcBuildOnly = new Set(['__libc_single_threaded']);
  const libc = imports(resolve(muslSymbolsOf)).filter(([, tag]) => tag.startsWith('GLIBC_'));
  const missing = libc.filter(([s]) => !defined.has(s) && !glibcBuildOnly.has(s)).map(([s, t]) => `${s}@${t}`);
  report(missing.length === 0, `${libc.length} C library imports of ${relative(process.cwd(), muslSymbolsOf)}: all defined by ${muslLibc}${missing.length ? `; missing: ${missing.join(', ')}` : ''}${[...glibcBuildOnly].some((s) => libc.some(([x]) => x === s)) ? ' (__libc_single_threaded: from glibc-built libstdc++ headers, absent on Alpine)' : ''}`);
  // 2. no glibc-only header or macro in the native sources built on Linux
  const root = resolve(new URL('..', import.meta.url).pathname);
  const sources = ['native/kernels', 'native/binding', 'native/metal', 'native/blas', 'shaders']
    .flatMap((d) => readdirSync(join(root, d), { recursive: true }).map((f) => join(root, d, String(f))))
    .filter((f) => /\.(c|cc|cpp|h|hpp)$/.test(f));
  const GLIBC_ONLY = /#\s*include\s*<(execinfo\.h|gnu\/[^>]+|malloc\.h|mcheck\.h|printf\.h|fpu_control\.h|sys\/cdefs\.h)>|\b(__GLIBC__|__GLIBC_MINOR__|__GNU_LIBRARY__|_GNU_SOURCE|mallinfo2?|malloc_trim|backtrace_symbols|gnu_get_libc_version|pthread_attr_setaffinity_np|qsort_r|strverscmp|sched_getaffinity|__fpending)\b/;
  // a glibc macro in a preprocessor condition is a guard (code kept to glibc builds): listed, not a failure
  const guards = [];
  const hits = sources.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .map((line, i) => [line.replace(/\/\/.*$/, ''), i])
      .filter(([line]) => GLIBC_ONLY.test(line))
      .flatMap(([line, i]) => {
        const where = `${relative(root, f)}:${i + 1}`;
        if (/^\s*#\s*(if|elif|ifdef|ifndef)\b/.test(line) && /__GLIBC__/.test(line)) return guards.push(where), [];
        return [`${where}: ${line.trim()}`];
      }),
  );
  report(
    hits.length === 0,
    `${sources.length} native sources: no glibc-only headers, functions or macros` +
      `${guards.length ? ` (guarded by #if __GLIBC__: ${guards.join(', ')})` : ''}${hits.length ? `:\n    ${hits.join('\n    ')}` : ''}`,
  );
} else {
  const targets = args.length ? args : ['prebuilds'];
  const files = targets.flatMap((t) => binaries(resolve(t)));
  if (!files.length) {
    console.error(`check-libc: no Linux .node files in ${targets.join(', ')}`);
    process.exit(2);
  }
  for (const f of files) checkBinary(f);
}
process.exit(failed ? 1 : 0);
