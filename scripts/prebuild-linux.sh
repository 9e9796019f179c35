#!/bin/sh
# Builds the Linux prebuild inside the container its users' systems resemble (the release workflow runs
# it with docker run, the checkout mounted at the working directory):
#   rockylinux:8  glibc 2.28 (RHEL 8, Amazon Linux 2023, Ubuntu 20.04, Debian 10 and later), GCC 12 from
#                 gcc-toolset-12, whose libstdc++ links the newer parts statically (GLIBCXX stays 3.4.25)
#   alpine:3.20   musl (prebuildify tags it .musl.node)
# Without BLAS (KERNELBUS_BUILD_BLAS=OFF): a prebuilt binary must load without libopenblas; a source
# build adds it where OpenBLAS is installed. Then checks what the binary requires (scripts/check-libc.mjs)
# and that it loads (node-gyp-build, from prebuilds/ once build/ is removed).
set -eu
cd "${1:-.}"

if [ -f /etc/alpine-release ]; then
  apk add --no-cache nodejs npm cmake make g++ python3 binutils
elif [ -f /etc/redhat-release ]; then
  dnf install -y -q gcc-toolset-12-gcc-c++ gcc-toolset-12-binutils make cmake python3 binutils
  dnf module enable -y -q nodejs:20 && dnf install -y -q nodejs npm
  # shellcheck disable=SC1091
  . /opt/rh/gcc-toolset-12/enable
else
  echo "prebuild-linux: run in rockylinux:8 or alpine (not $(uname -a))" >&2
  exit 2
fi
echo "prebuild-linux: node $(node --version), $(c++ --version | head -1), $(cmake --version | head -1)"

# The addon's build needs node-addon-api, cmake-js and prebuildify only: no install scripts, no TypeScript.
npm ci --ignore-scripts --no-audit --no-fund
KERNELBUS_BUILD_BLAS=OFF npm run prebuild
rm -rf build
ls -l prebuilds/*/

node scripts/check-libc.mjs prebuilds --max-glibc 2.28
node -e "const b = require('node-gyp-build').resolve('.'); console.log(b, require(b).features())"
