# Cross-compiles the addon for win32-x64 on Linux with MinGW-w64 (Debian: apt-get install
# g++-mingw-w64-x86-64). Used by scripts/win32-check.sh and the release workflow:
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake -DCMAKE_JS_INC=<node-api-headers>/include
#         -DCMAKE_JS_LIB=<libnode_api.a, made from node-api-headers' def/node_api.def by dlltool>
# The posix thread model (x86_64-w64-mingw32-g++-posix): the win32 one has no std::thread. libstdc++,
# libgcc and winpthread are linked statically, so the .node imports only node.exe, KERNEL32 and msvcrt.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(KERNELBUS_MINGW_TRIPLE x86_64-w64-mingw32 CACHE STRING "the MinGW-w64 cross compiler's target triple")
set(CMAKE_C_COMPILER ${KERNELBUS_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${KERNELBUS_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${KERNELBUS_MINGW_TRIPLE}-windres)
set(CMAKE_STRIP ${KERNELBUS_MINGW_TRIPLE}-strip CACHE FILEPATH "strip for the target")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")

# Libraries and headers of the target only (the host's OpenBLAS must not be picked up); programs of the host.
set(CMAKE_FIND_ROOT_PATH /usr/${KERNELBUS_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
