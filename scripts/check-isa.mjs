#!/usr/bin/env node
// Which functions of x86-64 binaries use AVX or AVX-512 instructions: only the copies simd::run picks at
// run time (native/kernels/simd.hpp: simd::Copies<...>::avx2 and ::avx512; the PSD test's *Avx2 and
// *Avx512 functions and the covariance tiles' ::avx2 and ::avx512, each called only where
// simd::level() has its level) may, and the AVX2 copies hold no AVX-512 instruction. A function outside them that uses
// one would run it on every CPU: this is the static half of "no build runs an instruction its CPU
// lacks" (scripts/cpu-check.sh runs the builds under emulated CPUs).
//   node scripts/check-isa.mjs <binary or object>...      (objdump from binutils)
// Prints the functions found per file and exits 1 on any function that breaks the rule.
import { execFileSync } from 'node:child_process';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/check-isa.mjs <binary or object>...');
  process.exit(2);
}
// AVX: a VEX or EVEX encoding, named v... by objdump (vmovsd, vaddpd, vpbroadcastq, ...) or using a
// ymm register; AVX-512: a zmm register, a mask register, or xmm/ymm 16-31 (EVEX only).
const AVX512 = /%zmm|%k[0-7]\b|%[xy]mm(1[6-9]|2\d|3[01])\b/;
const isAvx = (mnemonic, operands) => /^v[a-z]/.test(mnemonic) || /%ymm/.test(operands) || AVX512.test(operands);
// (a copy: simd::run's, or a function its caller picks by simd::level() itself, named for its level:
// fooAvx2 / fooAvx512, or a static member avx2 / avx512 as the covariance tiles' in risk_gram.cpp)
const allowed = (name) => (/(::avx512|Avx512)\(/.test(name) ? 'avx512' : /(::avx2|Avx2)\(/.test(name) ? 'avx2' : undefined);

let bad = 0;
for (const file of files) {
  const out = execFileSync('objdump', ['-d', '--no-show-raw-insn', '-C', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const uses = new Map(); // function -> { avx, avx512 }
  let fn = '';
  let first = false;
  let skipUntil = 0;
  for (const line of out.split('\n')) {
    const head = /^[0-9a-f]+ <(.*)>:$/.exec(line);
    if (head) {
      fn = head[1];
      first = true;
      skipUntil = 0;
      continue;
    }
    const insn = /^\s+([0-9a-f]+):\t(\S+)\s*(.*)$/.exec(line);
    if (!insn) continue;
    const at = Number.parseInt(insn[1], 16);
    // UBSan's -fsanitize=function prologue (the fuzz tree): a jump over the function type's signature
    // bytes, which objdump decodes as instructions (a `vandnps` out of a hash): skipped
    if (first) {
      first = false;
      const to = /^jmp\s+([0-9a-f]+)\b/.exec(`${insn[2]} ${insn[3]}`);
      if (to && Number.parseInt(to[1], 16) - at <= 16) skipUntil = Number.parseInt(to[1], 16);
    }
    if (at < skipUntil || !isAvx(insn[2], insn[3])) continue;
    const u = uses.get(fn) ?? { avx: 0, avx512: 0 };
    u.avx++;
    if (AVX512.test(insn[3])) u.avx512++;
    uses.set(fn, u);
  }
  const counts = { avx2: 0, avx512: 0 };
  for (const [name, u] of uses) {
    const level = allowed(name);
    if (level === 'avx512' || (level === 'avx2' && u.avx512 === 0)) {
      counts[level]++;
      continue;
    }
    bad++;
    console.log(`check-isa: ${file}: ${name.slice(0, 160)}: ${u.avx} AVX instructions (${u.avx512} AVX-512)${level ? ' in an AVX2 copy' : ' outside the dispatched copies'}`);
  }
  console.log(`check-isa: ${file}: ${counts.avx2} AVX2 and ${counts.avx512} AVX-512 copies, ${uses.size - counts.avx2 - counts.avx512} functions out of place`);
}
process.exit(bad ? 1 : 0);
