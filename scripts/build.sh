#!/usr/bin/env bash
# Configures and builds ds into build/ (Release, ninja, ccache).
#   DS_BUILD_DIR   build directory (default: build)
#   DS_RUNTIME_ONLY=1  build only the MLIR-free runtime (no LLVM needed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
compiler=ON
[ "${DS_RUNTIME_ONLY:-0}" = 1 ] && compiler=OFF
export CCACHE_BASEDIR="$root"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DDS_BUILD_COMPILER=$compiler -DDS_PYTHON="$root/.venv/bin/python" \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit
fi
cmake --build "$build" -- -j"${DS_JOBS:-$(nproc)}"
