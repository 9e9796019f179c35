# Cross-compiles the addon for linux-arm64 (glibc) on an x86-64 Debian/Ubuntu host with the distribution's
# cross compiler (Debian: apt-get install g++-aarch64-linux-gnu). Used by scripts/cross-arm64.sh and the
# release workflow's fallback; the binary runs under qemu-aarch64 -L /usr/aarch64-linux-gnu.
#   cmake-js build --arch arm64 --CDCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# An N-API addon needs only node_api.h (node-api-headers, which cmake-js puts on CMAKE_JS_INC) and
# node-addon-api: no arm64 Node and no node.lib, since the symbols resolve against the running node.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(KERNELBUS_CROSS_TRIPLE aarch64-linux-gnu CACHE STRING "the cross compiler's target triple")
set(CMAKE_C_COMPILER ${KERNELBUS_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${KERNELBUS_CROSS_TRIPLE}-g++)
set(CMAKE_STRIP ${KERNELBUS_CROSS_TRIPLE}-strip CACHE FILEPATH "strip for the target")

# Libraries and headers of the target only (the host's OpenBLAS must not be picked up); programs of the host.
set(CMAKE_FIND_ROOT_PATH /usr/${KERNELBUS_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
