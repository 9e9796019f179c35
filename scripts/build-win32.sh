#!/usr/bin/env bash
# The addon for win32-x64, cross-compiled on Linux with MinGW-w64 (cmake/mingw-w64-x86_64.cmake):
#   scripts/build-win32.sh <output dir>      -> <output dir>/kernelbus.node (stripped)
# The import library of node.exe's N-API symbols is made here from node-api-headers' def/node_api.def
# (x86_64-w64-mingw32-dlltool), so no Windows Node or node.lib is needed. BLAS stays out (as in the Linux
# prebuild: the binary needs no DLL beside it). The build directory ($KERNELBUS_WIN32_BUILD, default
# /tmp/kernelbus-win32/build) is reused for the same checkout. Needs: apt-get install cmake ninja-build
# g++-mingw-w64-x86-64 (its -posix compilers), npm ci done. $KERNELBUS_CROSS_OPT: the optimization level
# (default -O3, the release's; .ci/run's check: -O1).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
out="${1:?usage: scripts/build-win32.sh <output dir>}"
build="${KERNELBUS_WIN32_BUILD:-/tmp/kernelbus-win32/build}"
triple=x86_64-w64-mingw32
command -v "$triple-g++-posix" >/dev/null 2>&1 ||
  { echo "build-win32: $triple-g++-posix missing (apt-get install g++-mingw-w64-x86-64)" >&2; exit 2; }
headers="$(node -p "require('path').dirname(require.resolve('node-api-headers/package.json'))")"
# A build configured from another checkout would build that checkout's sources: start it afresh.
if [[ -f "$build/CMakeCache.txt" ]] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$repo" "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
mkdir -p "$build" "$out"
"$triple-dlltool" -d "$headers/def/node_api.def" -l "$build/libnode_api.a" -D node.exe
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/mingw-w64-x86_64.cmake" -DCMAKE_JS_INC="$headers/include" \
  -DCMAKE_JS_LIB="$build/libnode_api.a" -DKERNELBUS_BLAS=OFF -DKERNELBUS_OPT="${KERNELBUS_CROSS_OPT:--O3}" >"$build/configure.log" 2>&1 ||
  { tail -40 "$build/configure.log"; exit 1; }
cmake --build "$build" --target kernelbus --parallel "${KERNELBUS_JOBS:-2}" >"$build/build.log" 2>&1 ||
  { grep -E 'error|Error' "$build/build.log" | head -40; exit 1; }
"$triple-strip" -o "$out/kernelbus.node" "$build/kernelbus.node"
# Nothing but node.exe and Windows' own DLLs: libstdc++, libgcc and winpthread are linked in.
imports="$("$triple-objdump" -p "$out/kernelbus.node" | sed -n 's/^\s*DLL Name: //p' | LC_ALL=C sort | tr '\n' ' ')"
[[ "$imports" == "KERNEL32.dll msvcrt.dll node.exe " ]] ||
  { echo "build-win32: $out/kernelbus.node imports $imports(expected KERNEL32.dll msvcrt.dll node.exe)" >&2; exit 1; }
echo "build-win32: $out/kernelbus.node ($(stat -c %s "$out/kernelbus.node") bytes; imports $imports)"
