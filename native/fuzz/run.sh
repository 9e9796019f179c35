#!/usr/bin/env bash
# Builds the libFuzzer targets of native/fuzz (clang, ASan + UBSan) and runs each (docs/fuzzing.md).
#   native/fuzz/run.sh [--runs N] [target...]      the seeded search (CI, `npm run fuzz`): each target
#       replays its seeds (native/fuzz/seeds/<target>/), then searches the runs native/fuzz/ci-runs
#       gives it (or N) from -seed=$KERNELBUS_FUZZ_SEED (default 1), in a fresh corpus, on one thread,
#       without address randomization: the same inputs on every run of a commit, so the same verdict
#   native/fuzz/run.sh --explore [minutes=20] [target...]   the random search, by hand: the minutes
#       shared out between the targets, a random seed each, the corpus kept in build-fuzz/corpus/<target>/
#       across runs; each find becomes a seed and a test with its fix
#   native/fuzz/run.sh --build-only                 configures and builds, runs nothing (.ci/run builds
#       scripts/cpu-check.sh's tree in the background)
# Exits non-zero on any finding (crash, sanitizer report, trapped invariant, leak, timeout, OOM) or
# build failure. Build dir: $KERNELBUS_FUZZ_BUILD (default build-fuzz/); findings land in
# build-fuzz/artifacts/<target>/. $KERNELBUS_FUZZ_SANITIZERS: the -fsanitize= list (default
# address,undefined); $KERNELBUS_FUZZ_RUNNER: a command each target runs under (scripts/cpu-check.sh:
# qemu-x86_64 -cpu <model>, with UBSan alone); $KERNELBUS_FUZZ_JOBS: targets run side by side (default:
# the cores), each one process on one thread.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
explore=0
minutes=20
runs=""
build_only=0
case "${1:-}" in
  --build-only)
    build_only=1
    shift
    ;;
  --explore)
    explore=1
    shift
    [[ "${1:-}" =~ ^[0-9]+([.][0-9]+)?$ ]] && { minutes="$1"; shift; }
    ;;
  --runs)
    runs="${2:-none}"
    shift $(($# > 1 ? 2 : 1))
    ;;
esac
build="${KERNELBUS_FUZZ_BUILD:-$root/build-fuzz}"
cxx="${KERNELBUS_FUZZ_CXX:-clang++}"
cc="${KERNELBUS_FUZZ_CC:-clang}"  # the C of native/third_party/zstd (fuzz_parquet), with the same sanitizer runtime
sanitizers="${KERNELBUS_FUZZ_SANITIZERS:-address,undefined}"
read -r -a runner <<<"${KERNELBUS_FUZZ_RUNNER:-}"

if [[ -n "$runs" && ! "$runs" =~ ^[0-9]+$ ]] || [[ "${1:-}" == -* ]]; then
  echo "usage: native/fuzz/run.sh [--runs N | --explore [minutes=20]] [target...]" >&2
  exit 2
fi

# without the compilers cmake's own error is all one gets: say what to install
for compiler in "$cxx" "$cc"; do
  command -v "$compiler" >/dev/null 2>&1 || {
    echo "fuzz: $compiler not found: the targets need clang with libFuzzer and the sanitizer runtimes (Debian 12: apt-get install clang libclang-rt-14-dev; docs/fuzzing.md)" >&2
    exit 1
  }
done

start=$SECONDS
mkdir -p "$build"
cmake -S "$root" -B "$build" -DKERNELBUS_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release \
  -DKERNELBUS_FUZZ_SANITIZERS="$sanitizers" \
  >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; echo "fuzz: configure failed" >&2; exit 1; }
cmake --build "$build" --target kernelbus_fuzz -j "$(nproc 2>/dev/null || echo 2)" >"$build/build.log" 2>&1 ||
  { cat "$build/build.log" >&2; echo "fuzz: build failed" >&2; exit 1; }
echo "fuzz: built in $((SECONDS - start)) s ($build)"
((build_only)) && exit 0

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

jobs="${KERNELBUS_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"
if ((explore)); then
  # the minutes shared out (the jobs side by side), at least 1 s a target
  seconds=$(awk -v m="$minutes" -v n="${#targets[@]}" -v j="$jobs" 'BEGIN { if (j > n) j = n; s = int(m * 60 * j / n); print (s < 1 ? 1 : s) }')
fi
# The seeds (reproducers of fixed findings) through a link in the build dir (the seeded search's paths).
ln -sfn "$root/native/fuzz/seeds" "$build/seeds"
# The sanitizers report and stop on the first error.
sanitizerOptions=("ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
  "UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}")
# The seeded search's PATH: the system's and the compiler's folder (llvm-symbolizer), not the caller's
fixedPath="$(dirname "$(command -v "$cxx")"):/usr/local/bin:/usr/bin:/bin"
# One target: its search, then its line (a finding: the last lines of its log first).
fuzz_one() {
  local target="$1"
  binary="$build/native/fuzz/$target"
  if [[ ! -x "$binary" ]]; then
    echo "fuzz: $target: no such target ($binary)" >&2
    return 1
  fi
  artifacts="$build/artifacts/$target"
  log="$build/logs/$target.log"
  if ((explore)); then
    corpus="$build/corpus/$target"
    search=(-max_total_time="$seconds")
    launch=(env "${sanitizerOptions[@]}")
  else
    # a fresh corpus each run (what earlier runs found would change the inputs searched)
    corpus="$build/ci-corpus/$target"
    rm -rf "$corpus"
    count="${runs:-$(awk -v t="$target" '$1 == t { print $2 }' "$root/native/fuzz/ci-runs")}"
    if [[ -z "$count" ]]; then
      echo "fuzz: $target: no count in native/fuzz/ci-runs" >&2
      return 1
    fi
    # libFuzzer counts the seeds' replay in -runs: the search is the count after them
    seedCount=0
    [[ -d "$root/native/fuzz/seeds/$target" ]] && seedCount=$(find "$root/native/fuzz/seeds/$target" -type f | wc -l)
    search=(-runs=$((count + seedCount)) -seed="${KERNELBUS_FUZZ_SEED:-1}" -reload=0)
    # coverage depends on addresses and on threads' interleaving: neither may vary between runs. Addresses:
    # no ASLR, and an environment of its own (the stack's start moves with the caller's variables)
    launch=(env -i PATH="$fixedPath" "${sanitizerOptions[@]}" KERNELBUS_THREADS=1 KERNELBUS_SERIAL_CHUNKS=1 setarch "$(uname -m)" -R)
  fi
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  # Read-only inputs: the seeds (reproducers of fixed findings), if any; in the seeded search as a list
  # in name order (a folder's files come in the order of its file system's hash, which libFuzzer's
  # shuffle at start then follows)
  seeds=()
  if [[ -d "$root/native/fuzz/seeds/$target" ]]; then
    if ((explore)); then
      seeds+=("$build/seeds/$target")
    else
      (cd "$build" && find "seeds/$target/" -type f | LC_ALL=C sort | paste -sd, -) >"$build/logs/$target.seeds"
      seeds+=(-seed_inputs=@"$build/logs/$target.seeds")
    fi
  fi
  # -timeout: seconds per input (a hang is a finding). Under an emulator (KERNELBUS_FUZZ_RUNNER: qemu-user
  # runs these 10-50x slower) 300 s, so that the verdict never turns on the machine's speed: the hangs
  # are the host run's to find, and qemu-user's alarm handler crashes instead of reporting one.
  timeout=10
  ((${#runner[@]})) && timeout=300
  args=("$binary" "${search[@]}" -rss_limit_mb=2048 -timeout="$timeout" -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}")
  if ((explore)); then
    "${launch[@]}" "${runner[@]}" "${args[@]}" >"$log" 2>&1
  else
    # the arguments sit on the stack too: paths relative to the build dir, not the checkout's
    (cd "$build" && "${launch[@]}" "${runner[@]}" "${args[@]//"$build/"/}") >"$log" 2>&1
  fi
  rc=$?
  executed="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  finding="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
  [[ -z "$finding" || "$finding" == /* ]] || finding="$build/$finding"
  if ((rc == 0)); then
    result="ok"
  else
    kind="$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z -]+|runtime error|deadly signal|out-of-memory|timeout' "$log")"
    result="FAILED rc=$rc ${kind:-} ${finding:-}"
    { echo "----- $target: last lines of $log -----"; tail -n 60 "$log"; } >&2
  fi
  seed="$(sed -n 's/^INFO: Seed: *//p' "$log" | head -1)"
  cov="$(grep -m1 -oE 'DONE +cov: [0-9]+ ft: [0-9]+' "$log" | sed 's/DONE *//')"
  printf 'fuzz: %-20s runs %10s  exec/s %7s  seed %10s  %-20s %s\n' "$target" "${executed:-?}" "${rate:-?}" "${seed:-?}" "${cov:-}" "$result"
  ((rc == 0))
}

# The targets side by side, $KERNELBUS_FUZZ_JOBS at a time (default: the cores): each is one process on
# one thread, its inputs fixed by its seed and count whatever runs beside it (and whatever the caller's
# environment holds).
failed=0
running=0
for target in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done
if ((explore)); then
  mode="random, ${seconds} s each"
elif [[ -n "$runs" ]]; then
  mode="seeded, $runs runs each"
else
  mode="seeded, the runs of native/fuzz/ci-runs"
fi
echo "fuzz: ${#targets[@]} targets, $mode${runner[*]:+ under ${runner[*]}}, $((SECONDS - start)) s in all: $( ((failed)) && echo FAILED || echo ok)"
exit "$failed"
