#!/usr/bin/env bash
# The main job on the bundled example: generate the DeepSeek-V3-style example model,
# import it, run the graph pipeline, and show the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
out=${DS_DEMO_DIR:-$root/out/demo}
mkdir -p "$out"
"$root/.venv/bin/python" -m dsgen --out "$out" --config deepseek_v3
model="$out/deepseek_v3.onnx"
echo "== ds-opt $model --ds-optimize"
"$build/bin/ds-opt" "$model" --ds-optimize -o "$out/deepseek_v3.mlir"
echo "wrote $out/deepseek_v3.mlir ($(wc -l < "$out/deepseek_v3.mlir") lines)"
echo "== op histogram"
grep -oE '= ds\.[a-z_]+( [a-z_]+)?' "$out/deepseek_v3.mlir" | sed 's/^= //' | sort | uniq -c | sort -rn | head -25
echo "== function signature"
grep -m1 -A2 'func.func @main' "$out/deepseek_v3.mlir" | cut -c1-300
