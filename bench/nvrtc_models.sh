#!/usr/bin/env bash
# NVRTC compile time of the generated kernels of the test models (dsgen configs, dynamic
# and static shapes): per kernel median and max, cold build of the whole set, and the
# warm start from the kernel cache. No GPU needed. docs/perf.md, "NVRTC".
#   bench/nvrtc_models.sh [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
out=${1:-$(mktemp -d)}
mkdir -p "$out"
PYTHONPATH="$root/python" "$root/.venv/bin/python" -m dsgen --out "$out/models" > /dev/null
bundles=()
for model in "$out"/models/*.onnx; do
  stem=$(basename "$model" .onnx)
  "$build/bin/ds-opt" "$model" --emit=bundle -o "$out/$stem-dynamic.dsb"
  "$build/bin/ds-opt" "$model" --emit=bundle -o "$out/$stem-static.dsb" \
    --input-shape=input_ids:2x5,attention_mask:2x5
  bundles+=("$out/$stem-dynamic.dsb" "$out/$stem-static.dsb")
done
DS_NVRTC_BENCH_BUNDLES=$(IFS=:; echo "${bundles[*]}") \
  "$build/bin/ds-runtime-tests" --gtest_filter='NvrtcBench.BundleKernels'
