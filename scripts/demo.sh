#!/usr/bin/env bash
# The main job on the bundled example: generate the DeepSeek-V3-style example model
# (MLA attention, sigmoid-gated group-limited MoE), import it with ds-opt, run the graph
# pipeline with dynamic and with fixed input dims, and summarize the IR.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
out=${DS_DEMO_DIR:-$root/out/demo}
mkdir -p "$out"
"$root/.venv/bin/python" -m dsgen --out "$out" --config deepseek_v3
model="$out/deepseek_v3.onnx"

histogram() {
  grep -oE '= ds\.[a-z_]+( [a-z_]+)?' "$1" | sed 's/^= //' | sort | uniq -c | sort -rn
}

echo "== ds-opt $model --ds-optimize   (batch and sequence stay dynamic)"
"$build/bin/ds-opt" "$model" --ds-optimize -o "$out/deepseek_v3.mlir"
echo "wrote $out/deepseek_v3.mlir: $(histogram "$out/deepseek_v3.mlir" | awk '{n+=$1} END {print n}') ops"
grep -m1 'func.func @main' "$out/deepseek_v3.mlir" | cut -c1-240

shapes=input_ids:1x16,attention_mask:1x16
echo
echo "== ds-opt $model --input-shape=$shapes --ds-optimize"
"$build/bin/ds-opt" "$model" --input-shape=$shapes --ds-optimize -o "$out/deepseek_v3_1x16.mlir"
echo "wrote $out/deepseek_v3_1x16.mlir: $(histogram "$out/deepseek_v3_1x16.mlir" | awk '{n+=$1} END {print n}') ops, every shape static, shape sub-graphs folded away"
echo "ops by kind:"
histogram "$out/deepseek_v3_1x16.mlir" | head -20
