#!/usr/bin/env bash
# Writes test/indicators/fixtures/*.json from TA-Lib's own C code (test-only).
#
# TA-Lib's C sources (0.6.0-dev) ship inside the npm package talib@2.0.5: this script packs it in a
# temporary folder, compiles its ta_func and ta_common sources with the system cc and links
# driver.c against them. `generate.sh` writes the fixtures; `generate.sh build` builds the driver
# only and prints its path (TALIB_WORK keeps it: npm run bench:peers); `generate.sh bench [bars]` prints
# TA-Lib C's time per indicator on one series (for bench notes, never for tests); `generate.sh
# compare` builds compare.cpp against TA-Lib and build/libkernelbus_kernels.a (npm run build:native
# first) and prints kernelbus' and TA-Lib's time per indicator measured in one process.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${TALIB_WORK:-$(mktemp -d)}"
cc="${CC:-cc}"

if [ ! -d "$work/package/src/lib" ]; then
  (cd "$work" && npm pack talib@2.0.5 --silent >/dev/null && tar xzf talib-2.0.5.tgz)
fi
lib="$work/package/src/lib"
if [ ! -x "$work/driver" ] || [ "$here/driver.c" -nt "$work/driver" ]; then
  mkdir -p "$work/obj"
  for f in "$lib"/src/ta_func/*.c "$lib"/src/ta_common/*.c; do
    o="$work/obj/$(basename "$f" .c).o"
    [ -f "$o" ] || "$cc" -O2 -ffp-contract=off -c -I"$lib/include" -I"$lib/src/ta_common" "$f" -o "$o"
  done
  "$cc" -O2 -ffp-contract=off -I"$lib/include" "$here/driver.c" "$work"/obj/*.o -lm -o "$work/driver"
fi

if [ "${1:-}" = "compare" ]; then
  "${CXX:-c++}" -O3 -ffp-contract=off -std=c++17 -I"$root/native/kernels" -I"$lib/include" "$here/compare.cpp" \
    "$root/build/libkernelbus_kernels.a" "$work"/obj/*.o -lpthread -o "$work/compare"
  "$work/compare"
elif [ "${1:-}" = "build" ]; then
  echo "$work/driver"
elif [ "${1:-}" = "bench" ]; then
  "$work/driver" bench "${2:-1000000}"
else
  out="$root/test/indicators/fixtures"
  mkdir -p "$out"
  "$work/driver" fixtures "$out"
  echo "wrote $(ls "$out" | wc -l) files to $out"
fi
