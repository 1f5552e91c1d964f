#!/usr/bin/env bash
# Prepares the GPU suite (scripts/gpu_suite.sh) on a machine with the compiler: compiles
# the test models into bundles, writes their inputs and the cpu backend's outputs as the
# reference, and copies the headers a GPU machine without network may lack. The result is
# one self-contained directory to carry to the GPU machine (docs/cuda.md, "GPU suite").
#
#   scripts/gpu_suite_prepare.sh [--out DIR] [--models "llama_gqa deepseek_v3"]
#                                [--sizes "1x16 2x8"] [--cuda-arch sm_80,sm_90a]
#                                [--bench-models "llama_gqa deepseek_v3"]
#
#   --out DIR        where to write (default out/gpu_suite; replaced)
#   --models LIST    dsgen configs and "ew_chain" (elementwise chains only; default: all)
#   --sizes LIST     BATCHxSEQ per case: symbolic dims are bound in manifest order
#                    (first symbol = BATCH, later ones = SEQ; default "1x16 2x8 3x1000",
#                    odd sizes on purpose: no multiple of any block or vector width)
#   --cuda-arch L    passed to ds-opt (AOT cubins per arch + PTX), when ds-opt has it
#   --bench-models L dsgen configs compiled at the GPU benchmark size for
#                    bench/gpu_models.py (default: every config of its GPU_BENCH_SIZES;
#                    "" for none; 8-12 MB of weights each, no inputs)
# Environment: DS_BUILD_DIR (default build/) for ds-opt and ds-run, or DS_OPT / DS_RUN;
# DS_PYTHON (default .venv/bin/python).
#
# Layout written:
#   DIR/cases.tsv                       model <TAB> case <TAB> bundle <TAB> inputs <TAB> outputs
#   DIR/MODEL/MODEL.dsb/                the bundle
#   DIR/MODEL/CASE/in_K.npy             inputs in manifest order
#   DIR/MODEL/CASE/expected_K.npy       cpu outputs in manifest order
#   DIR/bench.tsv                       model <TAB> bundle <TAB> config.json (benchmark size)
#   DIR/bench/MODEL/{MODEL.dsb,config.json}  a benchmark-size bundle and its dsgen config
#   DIR/third_party/nlohmann/           nlohmann/json headers (for DS_THIRD_PARTY_DIR)
#   DIR/prepared.txt                    what made it (commit, date, tools)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
ds_opt=${DS_OPT:-$build/bin/ds-opt}
ds_run=${DS_RUN:-$build/bin/ds-run}
python=${DS_PYTHON:-$root/.venv/bin/python}
out=$root/out/gpu_suite
models=""
sizes="1x16 2x8 3x1000"
cuda_arch=""
bench_models=default

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "gpu_suite_prepare: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#*=}; shift ;;
    --models) models=$2; shift 2 ;;
    --models=*) models=${1#*=}; shift ;;
    --sizes) sizes=$2; shift 2 ;;
    --sizes=*) sizes=${1#*=}; shift ;;
    --cuda-arch) cuda_arch=$2; shift 2 ;;
    --cuda-arch=*) cuda_arch=${1#*=}; shift ;;
    --bench-models) bench_models=$2; shift 2 ;;
    --bench-models=*) bench_models=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[ -x "$ds_opt" ] || die "no ds-opt at $ds_opt (build the compiler: DS_BUILD_DIR=... scripts/build.sh, or set DS_OPT)"
[ -x "$ds_run" ] || die "no ds-run at $ds_run (set DS_RUN)"
[ -x "$python" ] || die "no python at $python (scripts/setup.sh makes .venv, or set DS_PYTHON)"
for s in $sizes; do
  [[ $s =~ ^[0-9]+x[0-9]+$ ]] || die "--sizes: '$s' is not BATCHxSEQ"
done
if [ -z "$models" ]; then
  models="ew_chain $(PYTHONPATH="$root/python" "$python" -c 'import dsgen; print(" ".join(sorted(dsgen.CONFIGS)))')"
fi

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
: > "$out/cases.tsv"

opt_flags=()
if [ -n "$cuda_arch" ]; then
  if "$ds_opt" --help 2>&1 | grep -q -- '--cuda-arch'; then
    opt_flags+=("--cuda-arch=$cuda_arch")
  else
    echo "gpu_suite_prepare: this ds-opt has no --cuda-arch; bundles carry no AOT cubins" >&2
  fi
fi

for model in $models; do
  echo "== $model"
  mdir="$out/$model"
  mkdir -p "$mdir"
  if [ "$model" = ew_chain ]; then
    # A model of elementwise chains only: every step has a generated kernel today, so
    # the cuda backend runs it end to end (dynamic batch and sequence dims).
    "$python" - "$mdir/$model.onnx" > "$mdir/dsgen.log" <<'PY'
import sys
import onnx
from onnx import TensorProto, helper
f32 = TensorProto.FLOAT
nodes = [
    helper.make_node("Sigmoid", ["x"], ["s"]),
    helper.make_node("Mul", ["s", "y"], ["m"]),
    helper.make_node("Add", ["m", "x"], ["out0"]),
    helper.make_node("Sub", ["x", "y"], ["d"]),
    helper.make_node("Relu", ["d"], ["r"]),
    helper.make_node("Mul", ["r", "r"], ["out1"]),
]
graph = helper.make_graph(
    nodes, "ew_chain",
    [helper.make_tensor_value_info("x", f32, ["batch", "seq"]),
     helper.make_tensor_value_info("y", f32, ["batch", "seq"])],
    [helper.make_tensor_value_info("out0", f32, ["batch", "seq"]),
     helper.make_tensor_value_info("out1", f32, ["batch", "seq"])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
PY
  else
    PYTHONPATH="$root/python" "$python" -m dsgen --out "$mdir" --config "$model" > "$mdir/dsgen.log"
  fi
  bundle="$mdir/$model.dsb"
  "$ds_opt" "$mdir/$model.onnx" --emit=bundle -o "$bundle" "${opt_flags[@]}" \
    > "$mdir/ds-opt.log" 2>&1 || { cat "$mdir/ds-opt.log" >&2; die "ds-opt failed on $model"; }
  rm -f "$mdir/$model.onnx" "$mdir/$model.onnx.data"
  kernels=0
  [ -d "$bundle/kernels" ] && kernels=$(find "$bundle/kernels" -name '*.cu' | wc -l)
  for size in $sizes; do
    case_dir="$mdir/$size"
    mkdir -p "$case_dir"
    # Inputs from the manifest: symbolic dims bound in order of first appearance to
    # BATCH then SEQ (then SEQ again); ids and masks as integers, floats seeded normal.
    n_in=$("$python" - "$bundle/manifest.json" "$case_dir" "${size%x*}" "${size#*x}" <<'PY'
import json, sys
import numpy as np
manifest, case_dir, batch, seq = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
m = json.load(open(manifest))
sizes, order = {}, [batch, seq]
rng = np.random.default_rng(0)
dtypes = {"f32": np.float32, "f16": np.float16, "f64": np.float64, "i64": np.int64,
          "i32": np.int32, "i8": np.int8, "i1": np.bool_, "ui8": np.uint8}
for k, t in enumerate(m["inputs"]):
    shape = []
    names = t.get("dims") or [""] * len(t["shape"])
    for pos, d in enumerate(t["shape"]):
        if isinstance(d, int) and d >= 0:
            shape.append(d)
            continue
        # A symbol: from "dims" (or the shape entry itself); unnamed dims by position.
        name = names[pos] or (d if isinstance(d, str) and d != "?" else f"?{k}.{pos}")
        if name not in sizes:
            sizes[name] = order[min(len(sizes), len(order) - 1)]
        shape.append(sizes[name])
    dt = t["dtype"]
    if dt not in dtypes:
        sys.exit(f"input {t['name']}: dtype {dt} not handled by the prepare script")
    n = int(np.prod(shape)) if shape else 1
    if "mask" in t["name"]:
        a = np.ones(shape, dtypes[dt])
    elif dt in ("i64", "i32", "i8", "ui8"):
        a = ((np.arange(n) * 37 + 11) % 64).reshape(shape).astype(dtypes[dt])
    elif dt == "i1":
        a = (np.arange(n) % 2 == 0).reshape(shape)
    else:
        a = rng.standard_normal(shape).astype(dtypes[dt])
    np.save(f"{case_dir}/in_{k}.npy", a)
print(len(m["inputs"]))
PY
)
    n_out=$("$python" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["outputs"]))' "$bundle/manifest.json")
    args=()
    for ((k = 0; k < n_in; k++)); do args+=("--input=@$case_dir/in_$k.npy"); done
    for ((k = 0; k < n_out; k++)); do args+=("--output=@$case_dir/expected_$k.npy"); done
    "$ds_run" "$bundle" --device=cpu "${args[@]}" > "$case_dir/cpu.log" 2>&1 ||
      { cat "$case_dir/cpu.log" >&2; die "the cpu reference run failed on $model $size"; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$model" "$size" "$model/$model.dsb" "$n_in" "$n_out" >> "$out/cases.tsv"
    echo "   $size: $n_in inputs, $n_out outputs, $kernels kernel sources in the bundle"
  done
done

# Benchmark-size bundles for bench/gpu_models.py (weights only: inputs are made there).
if [ "$bench_models" = default ]; then
  bench_models=$("$python" -c 'import sys; sys.path.insert(0, sys.argv[1]); import gpu_models; print(" ".join(gpu_models.GPU_BENCH_SIZES))' "$root/bench")
fi
: > "$out/bench.tsv"
[ -z "$bench_models" ] || mkdir -p "$out/bench"
for model in $bench_models; do
  echo "== $model (GPU benchmark size)"
  bdir="$out/bench/$model"
  PYTHONPATH="$root/python" "$python" "$root/bench/gpu_models.py" --prepare "$out/bench" --models "$model" \
    > "$bdir.log" 2>&1 || { cat "$bdir.log" >&2; die "dsgen failed on $model (benchmark size)"; }
  "$ds_opt" "$bdir/$model.onnx" --emit=bundle -o "$bdir/$model.dsb" "${opt_flags[@]}" \
    > "$bdir/ds-opt.log" 2>&1 || { cat "$bdir/ds-opt.log" >&2; die "ds-opt failed on $model (benchmark size)"; }
  rm -f "$bdir/$model.onnx" "$bdir/$model.onnx.data"
  mv "$bdir.log" "$bdir/dsgen.log"
  printf '%s\t%s\t%s\n' "$model" "bench/$model/$model.dsb" "bench/$model/config.json" >> "$out/bench.tsv"
  echo "   $(du -sh "$bdir/$model.dsb" | cut -f1) bundle"
done

# nlohmann/json for a GPU machine without it (runtime/CMakeLists.txt: DS_THIRD_PARTY_DIR).
for inc in /usr/include /usr/local/include; do
  if [ -f "$inc/nlohmann/json.hpp" ]; then
    mkdir -p "$out/third_party"
    cp -r "$inc/nlohmann" "$out/third_party/"
    break
  fi
done
[ -f "$out/third_party/nlohmann/json.hpp" ] || echo "gpu_suite_prepare: nlohmann/json.hpp not found; the GPU machine must have it" >&2

{
  echo "commit: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "ds-opt: $ds_opt"
  echo "ds-run: $ds_run"
  echo "models: $models"
  echo "sizes: $sizes"
  echo "cuda-arch: ${cuda_arch:-none}"
  echo "bench-models: ${bench_models:-none}"
} > "$out/prepared.txt"
echo "prepared $(wc -l < "$out/cases.tsv") cases in $out ($(du -sh "$out" | cut -f1))"
# The device tool carries at most 64 MiB of ignored paths in all.
if [ "$(du -sm "$out" | cut -f1)" -gt 60 ]; then
  echo "gpu_suite_prepare: $out is over 60 MiB: too large to carry to a GPU machine with the device" \
       "tool (64 MiB); use fewer --models/--sizes or --bench-models \"\"" >&2
fi
