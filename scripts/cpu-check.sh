#!/usr/bin/env bash
# x86-64 CPUs older than this one, on any x86-64 Linux host: the addon and the fuzz targets under
# qemu-x86_64 (user mode) with CPU models that lack AVX-512 (Haswell: AVX2 and FMA) or AVX altogether
# (qemu64: SSE2 and SSE3 only; Nehalem: SSE4.2 and POPCNT). An instruction the model lacks stops the run
# with SIGILL, so this proves that every build runs only what its CPU has (native/kernels/simd.hpp
# picks the code at run time).
#   scripts/cpu-check.sh [runs per fuzz target after its seeds = 100 | --no-fuzz]
# 1. scripts/native-check.mjs over this checkout's addon (build/Release, g++) under Haswell and qemu64:
#    the level the addon picks there (--simd), every kernel against the reference, and the digest of
#    every native output equal to the host's (not its thread-count check: --no-threads). The C
#    library's exp, log and pow take other paths on a CPU without FMA (glibc's ifuncs), which can
#    change a last bit: there the host's digest is taken with glibc told to ignore FMA and AVX2
#    (GLIBC_TUNABLES), so any difference left is ours.
# 2. the libFuzzer targets (clang), built with UBSan alone (ASan's shadow memory is more than qemu-user
#    can map) in $KERNELBUS_FUZZ_QEMU_BUILD (default build-fuzz-qemu/), each its seeds and then a seeded
#    search of a fixed count (native/fuzz/run.sh --runs) under Haswell and Nehalem (libFuzzer's own
#    runtime needs POPCNT, which qemu64 lacks). --no-fuzz leaves this part out (CI: part 1 runs every
#    kernel on those CPUs; the fuzz targets under qemu are run by hand, docs/fuzzing.md).
# Needs: qemu-user (qemu-x86_64), clang with libFuzzer, npm ci, dist/ (npm run build:ts) and the addon
# (npm run build:native).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-100}"
started=$SECONDS
[[ "$(uname -m)" == x86_64 ]] || { echo "cpu-check: x86-64 hosts only (this is $(uname -m))" >&2; exit 2; }
command -v qemu-x86_64 >/dev/null 2>&1 || { echo 'cpu-check: qemu-x86_64 missing (apt-get install qemu-user)' >&2; exit 2; }
[[ -f dist/api/index.js && -f build/Release/kernelbus.node ]] ||
  { echo 'cpu-check: build first (npm run build:ts && npm run build:native)' >&2; exit 2; }

# The models, with the features TCG cannot emulate turned off (else qemu warns once per thread).
haswell="Haswell-noTSX,-pcid,-x2apic,-tsc-deadline,-invpcid"
node="$(command -v node)"
status=0

digest_of() { sed -n 's/.*digest \([0-9a-f]*\)$/\1/p' "$1"; }
log="$(mktemp -d)"
echo "cpu-check: host $(node -p "require('os').cpus()[0].model"), $(qemu-x86_64 --version | head -1)"
# $KERNELBUS_NATIVE_CASES random cases a kernel (native-check's --cases; default its 30), the same in every run
cases=(--cases "${KERNELBUS_NATIVE_CASES:-30}")
node scripts/native-check.mjs "${cases[@]}" >"$log/host.log" 2>&1 || { cat "$log/host.log"; exit 1; }
GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-AVX2 node scripts/native-check.mjs "${cases[@]}" >"$log/host-nofma.log" 2>&1 ||
  { cat "$log/host-nofma.log"; exit 1; }
echo "cpu-check: host: $(tail -1 "$log/host.log")"
echo "cpu-check: host, glibc without FMA: $(tail -1 "$log/host-nofma.log")"
# model, the level the addon must pick there, the host's run to match; the two models side by side
models=("$haswell avx2 host" "qemu64 baseline host-nofma")
for entry in "${models[@]}"; do
  read -r model level host <<<"$entry"
  { qemu-x86_64 -cpu "$model" "$node" scripts/native-check.mjs --simd "$level" --no-threads "${cases[@]}" >"$log/$level.log" 2>&1; echo $? >"$log/$level.rc"; } &
done
wait
for entry in "${models[@]}"; do
  read -r model level host <<<"$entry"
  expected="$(digest_of "$log/$host.log")"
  if [[ "$(cat "$log/$level.rc")" == 0 && "$(digest_of "$log/$level.log")" == "$expected" ]]; then
    echo "cpu-check: ${model%%,*}: ok, $(tail -1 "$log/$level.log")"
  else
    status=1
    echo "cpu-check: ${model%%,*}: FAILED (the digest to match: $expected, $host)"
    tail -40 "$log/$level.log"
  fi
done

if [[ "$runs" == --no-fuzz ]]; then
  echo "cpu-check: $( ((status)) && echo FAILED || echo ok) in $((SECONDS - started)) s (no fuzz targets)"
  exit "$status"
fi
export KERNELBUS_FUZZ_BUILD="${KERNELBUS_FUZZ_QEMU_BUILD:-$PWD/build-fuzz-qemu}" KERNELBUS_FUZZ_SANITIZERS=undefined
for model in "$haswell" Nehalem; do
  KERNELBUS_FUZZ_RUNNER="qemu-x86_64 -cpu $model" native/fuzz/run.sh --runs "$runs" || status=1
done
echo "cpu-check: $( ((status)) && echo FAILED || echo ok) in $((SECONDS - started)) s"
exit "$status"
