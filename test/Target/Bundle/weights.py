# weights.bin: an 8-byte little-endian header length, a JSON header {name: {dtype,
# shape, offset, length}} padded so that the data starts 64-byte aligned, then every
# tensor 64-byte aligned. Checked byte for byte against the source tensors: dense,
# splat (expanded), dense_resource and external weights; i1 as one byte per element,
# f16/bf16/f8 as raw bits.
# RUN: rm -rf %t && %python %s %t
import json
import os
import struct
import subprocess
import sys

import ml_dtypes
from onnx_testing import *

d = out_dir()
ds_opt = os.environ["DS_OPT"]


def emit_bundle(model_path, bundle):
    r = subprocess.run([ds_opt, model_path, "--emit=bundle", "-o", bundle],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ds-opt failed on {model_path}:\n{r.stderr}")


def read_bundle(bundle):
    """Returns {output index: (dtype, shape, bytes)} for outputs that are weights."""
    data = open(os.path.join(bundle, "weights.bin"), "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 64 == 0, f"data section starts at {8 + n}, not 64-byte aligned"
    header = json.loads(data[8:8 + n])
    start = 8 + n
    end = 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["offset"]):
        assert set(e) == {"dtype", "shape", "offset", "length"}, e
        assert e["offset"] % 64 == 0, f"{name} at offset {e['offset']}"
        assert e["offset"] >= end, f"{name} overlaps the previous weight"
        end = e["offset"] + e["length"]
    assert start + end == len(data), f"file has {len(data)} bytes, data ends at {start + end}"
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    out = {}
    for i, vid in enumerate(steps["outputs"]):
        v = steps["values"][vid]
        if v["def"] != "weight":
            continue
        e = header[v["weight"]]
        assert e["dtype"] == v["dtype"] and e["shape"] == v["shape"], (e, v)
        out[i] = (e["dtype"], e["shape"],
                  data[start + e["offset"]:start + e["offset"] + e["length"]])
    return out


def expect(got, index, dtype, array):
    array = np.ascontiguousarray(array)
    gd, gs, gb = got[index]
    assert gd == dtype, f"output {index}: dtype {gd}, expected {dtype}"
    assert gs == list(array.shape), f"output {index}: shape {gs}, expected {array.shape}"
    assert gb == array.tobytes(), f"output {index} ({dtype}): bytes differ"


# ONNX: large inline tensors become dense_resource, large external ones
# ds.external_weight (in a subdirectory of the model's directory), small ones dense.
F = TensorProto.FLOAT
rng = np.random.default_rng(0)
big = rng.standard_normal((16, 16)).astype(np.float32)
ext = rng.standard_normal((8, 32)).astype(np.float32)
small = np.array([1.5, -2.0, 3.25], dtype=np.float32)
half = rng.standard_normal(40).astype(np.float16)
mask = np.array([True, False, True, True, False])
ids = np.array([3, -1, 7], dtype=np.int64)
def inits():
    return [tensor("big", big), tensor("ext", ext), tensor("small", small),
            tensor("half", half), tensor("mask", mask), tensor("ids", ids)]



outs = [value("big", F, [16, 16]), value("ext", F, [8, 32]), value("small", F, [3]),
        value("half", TensorProto.FLOAT16, [40]), value("mask", TensorProto.BOOL, [5]),
        value("ids", TensorProto.INT64, [3]), value("y", F, [16, 16])]
m = model([node("Add", ["x", "big"], ["y"])], [value("x", F, [16, 16])], outs, inits())
onnx.checker.check_model(m)
os.makedirs(os.path.join(d, "onnx", "data"), exist_ok=True)
onnx.save_model(m, os.path.join(d, "onnx", "model.onnx"), save_as_external_data=True,
                location="data/ext.bin", size_threshold=1024)
# Both 1 KiB tensors go to the external file, `half` (80 bytes) stays inline.
mm = onnx.load(os.path.join(d, "onnx", "model.onnx"), load_external_data=False)
kinds = {t.name: t.data_location for t in mm.graph.initializer}
assert kinds["ext"] == TensorProto.EXTERNAL and kinds["half"] != TensorProto.EXTERNAL
ir = subprocess.run([ds_opt, os.path.join(d, "onnx", "model.onnx")], capture_output=True,
                    text=True).stdout
assert 'ds.external_weight "ext" from "data/ext.bin"' in ir, ir
emit_bundle(os.path.join(d, "onnx", "model.onnx"), os.path.join(d, "onnx.dsb"))
got = read_bundle(os.path.join(d, "onnx.dsb"))
expect(got, 0, "f32", big)
expect(got, 1, "f32", ext)
expect(got, 2, "f32", small)
expect(got, 3, "f16", half)
expect(got, 4, "i1", mask.astype(np.uint8))
expect(got, 5, "i64", ids)

# The same model with everything inline: dense_resource blobs.
m2 = model([node("Add", ["x", "big"], ["y"])], [value("x", F, [16, 16])], outs, inits())
emit("inline", m2)
emit_bundle(os.path.join(d, "inline.onnx"), os.path.join(d, "inline.dsb"))
ir = subprocess.run([ds_opt, os.path.join(d, "inline.onnx")], capture_output=True,
                    text=True).stdout
assert "dense_resource<" in ir, ir
got = read_bundle(os.path.join(d, "inline.dsb"))
expect(got, 0, "f32", big)
expect(got, 1, "f32", ext)
expect(got, 3, "f16", half)

# MLIR: splats expand to full data, i1 is one byte per element, 16- and 8-bit floats
# keep their bits, and a dense_resource blob in the text is copied as is.
bf = np.array([1.0, -0.5, 3.0e38, 1.0e-3], dtype=ml_dtypes.bfloat16)
f8 = np.array([0.5, -2.0, 448.0], dtype=ml_dtypes.float8_e4m3fn)
blob = np.arange(6, dtype=np.int32)
mlir = f"""
func.func @main(%x: tensor<2xf32>) -> (tensor<3x5xf32>, tensor<5xi1>, tensor<7xi1>,
    tensor<4xbf16>, tensor<3xf8E4M3FN>, tensor<2x3xi32>, tensor<4xf16>, tensor<2xf32>) {{
  %0 = ds.constant dense<2.5> : tensor<3x5xf32>
  %1 = ds.constant dense<[true, false, true, true, false]> : tensor<5xi1>
  %2 = ds.constant dense<true> : tensor<7xi1>
  %3 = ds.constant dense<[1.0, -0.5, 3.0e38, 1.0e-3]> : tensor<4xbf16>
  %4 = ds.constant dense<[0.5, -2.0, 448.0]> : tensor<3xf8E4M3FN>
  %5 = ds.constant dense_resource<blob> : tensor<2x3xi32>
  %6 = ds.constant dense<[0.0, -0.0, 65504.0, 0x7E00]> : tensor<4xf16>
  return %0, %1, %2, %3, %4, %5, %6, %x : tensor<3x5xf32>, tensor<5xi1>, tensor<7xi1>,
      tensor<4xbf16>, tensor<3xf8E4M3FN>, tensor<2x3xi32>, tensor<4xf16>, tensor<2xf32>
}}
{{-#
  dialect_resources: {{
    builtin: {{
      blob: "0x04000000{blob.tobytes().hex()}"
    }}
  }}
#-}}
"""
open(os.path.join(d, "consts.mlir"), "w").write(mlir)
emit_bundle(os.path.join(d, "consts.mlir"), os.path.join(d, "consts.dsb"))
got = read_bundle(os.path.join(d, "consts.dsb"))
expect(got, 0, "f32", np.full((3, 5), 2.5, dtype=np.float32))
expect(got, 1, "i1", np.array([1, 0, 1, 1, 0], dtype=np.uint8))
expect(got, 2, "i1", np.ones(7, dtype=np.uint8))
expect(got, 3, "bf16", bf)
expect(got, 4, "f8E4M3FN", f8)
expect(got, 5, "i32", blob.reshape(2, 3))
expect(got, 6, "f16", np.array([0.0, -0.0, 65504.0, np.nan], dtype=np.float16))
assert 7 not in got  # the graph input

# No weights at all: an empty header, still aligned.
open(os.path.join(d, "none.mlir"), "w").write(
    "func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> { return %x : tensor<2xf32> }")
emit_bundle(os.path.join(d, "none.mlir"), os.path.join(d, "none.dsb"))
assert read_bundle(os.path.join(d, "none.dsb")) == {}
print("ok")
