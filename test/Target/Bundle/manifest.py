# manifest.json of an imported ONNX model: input names and symbolic dims (from the
# graph's dim_params), dtypes, -1 for dynamic dims, output names, the memory plan
# summary; --input-shape makes the dims static and the plan static.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/model.onnx --emit=bundle -o %t/dyn.dsb
# RUN: FileCheck %s --check-prefix=DYN < %t/dyn.dsb/manifest.json
# RUN: ds-opt %t/model.onnx --input-shape=x:2x3x8,keep:2x1 --emit=bundle -o %t/static.dsb
# RUN: FileCheck %s --check-prefix=STATIC < %t/static.dsb/manifest.json
# RUN: ds-opt %t/model.onnx --input-shape=x:2x?x8 --emit=bundle -o %t/partial.dsb
# RUN: FileCheck %s --check-prefix=PARTIAL < %t/partial.dsb/manifest.json
# RUN: FileCheck %s --check-prefix=STEPS < %t/static.dsb/steps.json

# DYN: {
# DYN-NEXT:   "ds_version": "{{[0-9]+\.[0-9]+\.[0-9]+}}",
# DYN-NEXT:   "format_version": 1,
# DYN-NEXT:   "inputs": [
# DYN-NEXT:     {
# DYN-NEXT:       "dims": [
# DYN-NEXT:         "batch",
# DYN-NEXT:         "seq",
# DYN-NEXT:         ""
# DYN-NEXT:       ],
# DYN-NEXT:       "dtype": "f32",
# DYN-NEXT:       "name": "x",
# DYN-NEXT:       "shape": [
# DYN-NEXT:         -1,
# DYN-NEXT:         -1,
# DYN-NEXT:         8
# DYN-NEXT:       ]
# DYN-NEXT:     },
# DYN-NEXT:     {
# DYN-NEXT:       "dims": [
# DYN-NEXT:         "batch",
# DYN-NEXT:         ""
# DYN-NEXT:       ],
# DYN-NEXT:       "dtype": "i1",
# DYN-NEXT:       "name": "keep",
# DYN:        "memory_plan": {
# DYN-NEXT:     "alignment": 64,
# DYN-NEXT:     "static": false
# DYN-NEXT:   },
# DYN-NEXT:   "model_producer": "pytorch 2.5.0",
# DYN-NEXT:   "outputs": [
# DYN-NEXT:     {
# DYN-NEXT:       "dims": [
# DYN:            "dtype": "f32",
# DYN-NEXT:       "name": "y",
# DYN-NEXT:       "shape": [
# DYN-NEXT:         -1,
# DYN-NEXT:         -1,
# DYN-NEXT:         8
# DYN-NEXT:       ]
# DYN-NEXT:     },
# DYN-NEXT:     {
# DYN:            "dtype": "f32",
# DYN-NEXT:       "name": "total",
# DYN:        "producer": "ds-opt {{.*}}",
# DYN-NEXT:   "steps": {{[0-9]+}},
# DYN-NEXT:   "target_archs": [],
# DYN-NEXT:   "weights": {
# DYN-NEXT:     "bytes": 32,
# DYN-NEXT:     "count": 1
# DYN-NEXT:   }
# DYN-NEXT: }

# STATIC:       "dims": [
# STATIC-NEXT:    "",
# STATIC-NEXT:    "",
# STATIC-NEXT:    ""
# STATIC-NEXT:  ],
# STATIC-NEXT:  "dtype": "f32",
# STATIC-NEXT:  "name": "x",
# STATIC-NEXT:  "shape": [
# STATIC-NEXT:    2,
# STATIC-NEXT:    3,
# STATIC-NEXT:    8
# Every value here is an output or a view of an input: the arena is empty.
# STATIC:     "memory_plan": {
# STATIC-NEXT:  "alignment": 64,
# STATIC-NEXT:  "arena_bytes": 0,
# STATIC-NEXT:  "static": true

# PARTIAL:      "dims": [
# PARTIAL-NEXT:   "",
# PARTIAL-NEXT:   "seq",
# PARTIAL-NEXT:   ""
# PARTIAL:      "shape": [
# PARTIAL-NEXT:   2,
# PARTIAL-NEXT:   -1,
# PARTIAL-NEXT:   8

# Step names are the ONNX node names; a fused group lists its members.
# STEPS: "kind":"elementwise","name":"fused:scale,act,gate"
# STEPS: "kind":"reduce","name":"sum"
from onnx_testing import *

F = TensorProto.FLOAT
m = model(
    [node("Unsqueeze", ["keep", "axes"], ["keep3"], name="unsq"),
     node("Mul", ["x", "w"], ["s"], name="scale"),
     node("Sigmoid", ["s"], ["a"], name="act"),
     node("Where", ["keep3", "a", "s"], ["y"], name="gate"),
     node("ReduceSum", ["y"], ["total"], name="sum", keepdims=0)],
    [value("x", F, ["batch", "seq", 8]), value("keep", TensorProto.BOOL, ["batch", 1])],
    [value("y", F, ["batch", "seq", 8]), value("total", F, [])],
    [tensor("w", np.arange(8, dtype=np.float32)), tensor("axes", np.array([2], dtype=np.int64))])
m.producer_name = "pytorch"
m.producer_version = "2.5.0"
emit("model", m)
