#!/usr/bin/env bash
# Builds the libFuzzer targets of native/fuzz (clang, ASan + UBSan) and runs each for a while.
#   native/fuzz/run.sh [seconds=20] [target...]     e.g. native/fuzz/run.sh 60 fuzz_vpin
# Exits non-zero on any finding (crash, sanitizer report, trapped invariant, leak, timeout, OOM) or
# build failure. Build dir: $KERNELBUS_FUZZ_BUILD (default build-fuzz/); corpora grow in
# build-fuzz/corpus/<target>/ (also read, not written: native/fuzz/seeds/<target>/ if any); findings
# land in build-fuzz/artifacts/<target>/ (docs/fuzzing.md: reproduce, minimize, fix, keep as a seed).
# $KERNELBUS_FUZZ_SANITIZERS: the -fsanitize= list (default address,undefined); $KERNELBUS_FUZZ_RUNNER: a
# command each target runs under (scripts/cpu-check.sh: qemu-x86_64 -cpu <model>, with UBSan alone).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-20}"
shift $(($# > 0 ? 1 : 0))
build="${KERNELBUS_FUZZ_BUILD:-$root/build-fuzz}"
cxx="${KERNELBUS_FUZZ_CXX:-clang++}"
cc="${KERNELBUS_FUZZ_CC:-clang}"  # the C of native/third_party/zstd (fuzz_parquet), with the same sanitizer runtime
sanitizers="${KERNELBUS_FUZZ_SANITIZERS:-address,undefined}"
read -r -a runner <<<"${KERNELBUS_FUZZ_RUNNER:-}"

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: native/fuzz/run.sh [seconds=20] [target...]" >&2
  exit 2
fi

start=$SECONDS
mkdir -p "$build"
cmake -S "$root" -B "$build" -DKERNELBUS_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKERNELBUS_FUZZ_SANITIZERS="$sanitizers" \
  >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; echo "fuzz: configure failed" >&2; exit 1; }
cmake --build "$build" --target kernelbus_fuzz -j "$(nproc 2>/dev/null || echo 2)" >"$build/build.log" 2>&1 ||
  { cat "$build/build.log" >&2; echo "fuzz: build failed" >&2; exit 1; }
echo "fuzz: built in $((SECONDS - start)) s ($build)"

targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in "$root"/native/fuzz/fuzz_*.cpp; do
    name="$(basename "$source" .cpp)"
    # built unless configure left it out (fuzz_blas_factor where no BLAS/LAPACK library was found)
    if [[ ! -x "$build/native/fuzz/$name" ]] && grep -q "$name skipped" "$build/configure.log"; then
      echo "fuzz: $name not built here: $(grep -m1 -o "$name skipped.*" "$build/configure.log")"
      continue
    fi
    targets+=("$name")
  done
fi

failed=0
for target in "${targets[@]}"; do
  binary="$build/native/fuzz/$target"
  if [[ ! -x "$binary" ]]; then
    echo "fuzz: $target: no such target ($binary)" >&2
    failed=1
    continue
  fi
  corpus="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  # Read-only inputs: the seeds (reproducers of fixed findings), if any.
  seeds=()
  [[ -d "$root/native/fuzz/seeds/$target" ]] && seeds+=("$root/native/fuzz/seeds/$target")
  # -timeout: seconds per input (a hang is a finding); ASAN/UBSAN options: report and stop on the first error.
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    "${runner[@]}" "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  finding="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
  if ((rc == 0)); then
    result="ok"
  else
    failed=1
    kind="$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z -]+|runtime error|deadly signal|out-of-memory|timeout' "$log")"
    result="FAILED rc=$rc ${kind:-} ${finding:-}"
    echo "----- $target: last lines of $log -----" >&2
    tail -n 60 "$log" >&2
  fi
  printf 'fuzz: %-20s runs %10s  exec/s %7s  %s\n' "$target" "${runs:-?}" "${rate:-?}" "$result"
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each${runner[*]:+ under ${runner[*]}}, $((SECONDS - start)) s in all: $( ((failed)) && echo FAILED || echo ok)"
exit "$failed"
