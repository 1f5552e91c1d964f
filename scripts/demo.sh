#!/usr/bin/env bash
# The main job on the bundled example: generate the DeepSeek-V3-style example model
# (MLA attention, sigmoid-gated group-limited MoE), compile it to a bundle with symbolic
# batch/sequence dims, and run it with ds-run on the default device (cpu when no GPU),
# at two input sizes from the same bundle, printing the outputs' summary and latency.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
out=${DS_DEMO_DIR:-$root/out/demo}
mkdir -p "$out"
"$root/.venv/bin/python" -m dsgen --out "$out" --config deepseek_v3
model="$out/deepseek_v3.onnx"
bundle="$out/deepseek_v3.dsb"

echo "== ds-opt $model --emit=bundle -o $bundle"
"$build/bin/ds-opt" "$model" --emit=bundle -o "$bundle"
"$build/bin/ds-run" "$bundle" --info

ids() {  # $1 batch, $2 seq: deterministic token ids as an inline ds-run tensor
  local n=$(( $1 * $2 )) v=() i
  for (( i = 0; i < n; i++ )); do v+=($(( (i * 37 + 11) % 128 ))); done
  local IFS=,
  echo "$1x$2xi64=${v[*]}"
}
ones() {
  local n=$(( $1 * $2 )) v=() i
  for (( i = 0; i < n; i++ )); do v+=(1); done
  local IFS=,
  echo "$1x$2xi64=${v[*]}"
}
for size in "1 16" "4 32"; do
  set -- $size
  echo
  echo "== ds-run $bundle --device=auto  (batch=$1, sequence=$2)"
  "$build/bin/ds-run" "$bundle" --device=auto \
    --input="input_ids=$(ids "$1" "$2")" --input="attention_mask=$(ones "$1" "$2")" \
    --benchmark=20
done
