#!/usr/bin/env bash
# Compile-checks the Apple build on Linux (syntax, types, -Wall -Wextra; no object code, no link): the Metal
# GPU runner (Objective-C++ with ARC), the Metal host code, the kernels, the BLAS backend over Accelerate
# and the bindings, for arm64-apple-macos11 as the release's darwin prebuild is built, against a macOS
# SDK's headers given by path. Run it before every change to Apple-only code; CI cannot fetch an SDK.
#   scripts/check-apple.sh <sdk-dir>      (or MACOS_SDK=<sdk-dir>)
# <sdk-dir>: a MacOSX.sdk (usr/include, System/Library/Frameworks) or a public subset with the same
# headers laid out as include/ and Frameworks/ (github.com/mitchellh/zig-build-macos-sdk: Metal,
# Foundation, CoreGraphics and libc; read it, never commit it). libc++'s headers come from the SDK
# (usr/include/c++/v1) or else from LLVM's (Debian: apt-get install libc++-14-dev), LIBCXX_INCLUDE overrides.
# Files whose framework the SDK lacks (that subset has no Accelerate) are reported as skipped.
# TARGET (default arm64-apple-macos11) also takes x86_64-apple-macos11.
set -euo pipefail
cd "$(dirname "$0")/.."
sdk="${1:-${MACOS_SDK:-}}"
[[ -n "$sdk" && -d "$sdk" ]] || { echo "usage: scripts/check-apple.sh <macOS SDK dir> (or MACOS_SDK=...)" >&2; exit 2; }
target="${TARGET:-arm64-apple-macos11}"
cxx="${CLANGXX:-$(command -v clang++-16 || command -v clang++)}"

if [[ -d "$sdk/usr/include" ]]; then inc="$sdk/usr/include"; fw="$sdk/System/Library/Frameworks"; else inc="$sdk/include"; fw="$sdk/Frameworks"; fi
libcxx="${LIBCXX_INCLUDE:-}"
if [[ -z "$libcxx" ]]; then
  # the SDK's own libc++ needs the clang it ships with (16+ builtins); an older clang takes LLVM's own
  major="$("$cxx" -dumpversion | cut -d. -f1)"
  candidates=(/usr/lib/llvm-"$major"/include/c++/v1 "$inc/c++/v1")
  ((major >= 16)) && candidates=("$inc/c++/v1" /usr/lib/llvm-"$major"/include/c++/v1)
  for d in "${candidates[@]}"; do [[ -f "$d/vector" ]] && { libcxx="$d"; break; }; done
fi
[[ -n "$libcxx" ]] || { echo "check-apple: no libc++ headers (apt-get install libc++-14-dev, or LIBCXX_INCLUDE)" >&2; exit 2; }
resource="$("$cxx" -print-resource-dir)/include"

# Node-API and node-addon-api headers, as cmake-js passes them (CMAKE_JS_INC)
napi="$(node -p "require('node-api-headers').include_dir")"
naa="$(node -p "require('node-addon-api').include_dir")"
# the generated header of embedded shader source (native/metal/embed_shaders.cmake), into a scratch dir
gen="$(mktemp -d)"
trap 'rm -rf "$gen"' EXIT
cmake -DSHADER_DIR="$PWD/shaders" -DOUTPUT="$gen/kb_shader_source.h" -P native/metal/embed_shaders.cmake >/dev/null

common=(
  -target "$target" -fsyntax-only -std=c++17 -Wall -Wextra -ffp-contract=off
  -nostdinc -nostdinc++ -isystem "$libcxx" -isystem "$resource" -isystem "$inc" -iframework "$fw"
  -DKERNELBUS_APPLE=1 -DKERNELBUS_HAVE_METAL=1 -DKERNELBUS_HAVE_BLAS=1
  -DNAPI_VERSION=8 -DNODE_ADDON_API_CPP_EXCEPTIONS -DNODE_API_NO_EXTERNAL_BUFFERS_ALLOWED -DBUILDING_NODE_EXTENSION
  -Inative/kernels -Inative/binding -Inative/blas -Inative/metal -Ishaders -I"$gen" -isystem "$napi" -isystem "$naa"
)

# LLVM's libc++ (not the SDK's) has no Apple availability markup: turn it off rather than misread it
[[ "$libcxx" == "$inc/c++/v1" ]] || common+=(-D_LIBCPP_HAS_NO_VENDOR_AVAILABILITY_ANNOTATIONS)

echo "check-apple: $("$cxx" --version | head -1), -target $target, SDK $sdk, libc++ $libcxx"
ok=0 warned=0 failed=0 skipped=0
check() { # file [extra flags...]
  local file="$1"; shift
  local log
  if log="$("$cxx" "${common[@]}" "$@" "$file" 2>&1)"; then
    if [[ -n "$log" ]]; then
      echo "warn $file: $(grep -c 'warning:' <<<"$log") warnings"; grep 'warning:' <<<"$log" | head -5; warned=$((warned + 1))
    else ok=$((ok + 1)); fi
  else
    echo "FAIL $file"; echo "$log" | head -30; failed=$((failed + 1))
  fi
}

for f in native/kernels/*.cpp native/kernels/*/*.cpp native/metal/*.cpp native/binding/*.cc; do check "$f"; done
check native/metal/metal_runner.mm -x objective-c++ -fobjc-arc
if [[ -d "$fw/Accelerate.framework" ]]; then
  for f in native/blas/*.cpp; do check "$f"; done
else
  for f in native/blas/*.cpp; do echo "skip $f (the SDK has no Accelerate.framework)"; skipped=$((skipped + 1)); done
fi
echo "check-apple: $ok files clean, $warned with warnings, $failed with errors, $skipped skipped"
# errors fail the check; warnings too with WERROR=1
((failed == 0)) && { [[ "${WERROR:-0}" != 1 ]] || ((warned == 0)); }
