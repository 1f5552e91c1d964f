# ai.onnx Attention masks besides is_causal: an attn_mask shorter than the keys is
# padded (-inf / false) up to them, and opset 24's nonpad_kv_seqlen keeps key j of
# batch b iff j < nonpad_kv_seqlen[b]; all of them combine into the one mask of
# ds.attention.
# RUN: %python %s %t
# RUN: ds-opt %t/nonpad.onnx | FileCheck %s --check-prefix=NONPAD
# RUN: ds-opt %t/nonpad_float_short.onnx | FileCheck %s --check-prefix=NPFLOAT
# RUN: ds-opt %t/nonpad_bool.onnx | FileCheck %s --check-prefix=NPBOOL
# RUN: ds-opt %t/short_bool.onnx | FileCheck %s --check-prefix=SHORTBOOL
# RUN: ds-opt %t/short_dynamic.onnx | FileCheck %s --check-prefix=SHORTDYN
# RUN: ds-opt %t/full_mask.onnx | FileCheck %s --check-prefix=FULL
# RUN: not ds-opt %t/nonpad_opset23.onnx 2>&1 | FileCheck %s --check-prefix=OPSET23
# RUN: not ds-opt %t/nonpad_2d.onnx 2>&1 | FileCheck %s --check-prefix=NONPAD2D
from onnx_testing import *

F, B, I64 = TensorProto.FLOAT, TensorProto.BOOL, TensorProto.INT64


def attention(name, q, k, v, mask=None, mask_type=F, lengths=None, opset=24, check=True,
              **attrs):
    inputs = [value("q", F, q), value("k", F, k), value("v", F, v)]
    names = ["q", "k", "v", ""]
    if mask is not None:
        inputs.append(value("m", mask_type, mask))
        names[3] = "m"
    if lengths is not None:
        inputs.append(value("n", I64, lengths))
        names += ["", "", "n"]
    while names[-1] == "":
        names.pop()
    emit(name, model([node("Attention", names, ["y"], **attrs)], inputs,
                     [value("y", F, ["a", "b", "c", "d"])], opset=opset), check=check)


# NONPAD-LABEL: func.func @main
# NONPAD: %[[N:.*]] = ds.reshape %arg3, %{{.*}} : (tensor<2xi64>, tensor<4xi64>) -> tensor<2x1x1x1xi64>
# NONPAD: %[[J:.*]] = ds.constant dense<{{\[\[\[\[}}0, 1, 2, 3, 4]]]]> : tensor<1x1x1x5xi64>
# NONPAD: %[[KEEP:.*]] = ds.compare lt %[[J]], %[[N]] : (tensor<1x1x1x5xi64>, tensor<2x1x1x1xi64>) -> tensor<2x1x1x5xi1>
# NONPAD: ds.attention %arg0, %arg1, %arg2, %[[KEEP]] {scale = 0.353553385 : f32} : ({{.*}}, tensor<2x1x1x5xi1>) -> tensor<2x2x3x8xf32>
attention("nonpad", [2, 2, 3, 8], [2, 2, 5, 8], [2, 2, 5, 8], lengths=[2])

# A float mask covering 4 of the 6 keys: padded with -inf, then -inf past each length.
# NPFLOAT-LABEL: func.func @main
# NPFLOAT: %[[PADS:.*]] = ds.constant dense<[0, 2]> : tensor<2xi64>
# NPFLOAT: %[[NINF:.*]] = ds.constant dense<0xFF800000> : tensor<f32>
# NPFLOAT: %[[M:.*]] = ds.pad constant %arg3, %[[PADS]], %[[NINF]] {axes = array<i64: 3>} : (tensor<2x2x3x4xf32>, tensor<2xi64>, tensor<f32>) -> tensor<2x2x3x6xf32>
# NPFLOAT: %[[KEEP:.*]] = ds.compare lt
# NPFLOAT: %[[SEL:.*]] = ds.select %[[KEEP]], %[[M]], %{{.*}} : (tensor<2x1x1x6xi1>, tensor<2x2x3x6xf32>, tensor<f32>) -> tensor<2x2x3x6xf32>
# NPFLOAT: ds.attention %arg0, %arg1, %arg2, %[[SEL]]
attention("nonpad_float_short", [2, 2, 3, 8], [2, 2, 6, 8], [2, 2, 6, 10], mask=[2, 2, 3, 4],
          lengths=[2])

# NPBOOL-LABEL: func.func @main
# NPBOOL: %[[KEEP:.*]] = ds.compare lt
# NPBOOL: %[[M:.*]] = ds.binary and %arg3, %[[KEEP]] : (tensor<3x5xi1>, tensor<2x1x1x5xi1>) -> tensor<2x1x3x5xi1>
# NPBOOL: ds.attention %arg0, %arg1, %arg2, %[[M]]
attention("nonpad_bool", [2, 2, 3, 8], [2, 2, 5, 8], [2, 2, 5, 8], mask=[3, 5], mask_type=B,
          lengths=[2])

# A boolean mask pads with false; a last dim of 1 is padded too (the ONNX reference
# does so), not broadcast.
# SHORTBOOL-LABEL: func.func @main
# SHORTBOOL: %[[PADS:.*]] = ds.constant dense<[0, 4]> : tensor<2xi64>
# SHORTBOOL: %[[F:.*]] = ds.constant dense<false> : tensor<i1>
# SHORTBOOL: %[[M:.*]] = ds.pad constant %arg3, %[[PADS]], %[[F]] {axes = array<i64: 1>} : (tensor<3x1xi1>, tensor<2xi64>, tensor<i1>) -> tensor<3x5xi1>
# SHORTBOOL: ds.attention %arg0, %arg1, %arg2, %[[M]]
attention("short_bool", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], mask=[3, 1], mask_type=B,
          opset=23)

# With a dynamic key count, the padding is computed at run time.
# SHORTDYN-LABEL: func.func @main
# SHORTDYN: %[[T:.*]] = ds.shape_of %arg1 {end = 3 : i64, start = 2 : i64}
# SHORTDYN: %[[L:.*]] = ds.constant dense<4> : tensor<1xi64>
# SHORTDYN: %[[D:.*]] = ds.binary sub %[[T]], %[[L]]
# SHORTDYN: %[[PADS:.*]] = ds.concat %{{.*}}, %[[D]] {axis = 0 : i64}
# SHORTDYN: %[[M:.*]] = ds.pad constant %arg3, %[[PADS]], %{{.*}} {axes = array<i64: 1>} : (tensor<3x4xf32>, tensor<2xi64>, tensor<f32>) -> tensor<3x?xf32>
# SHORTDYN: ds.attention %arg0, %arg1, %arg2, %[[M]]
attention("short_dynamic", [1, 2, 3, 8], [1, 2, "t", 8], [1, 2, "t", 8], mask=[3, 4],
          opset=23)

# Near miss: a mask covering every key is passed through.
# FULL-LABEL: func.func @main
# FULL-NOT: ds.pad
# FULL: ds.attention %arg0, %arg1, %arg2, %arg3 {scale = 0.353553385 : f32}
attention("full_mask", [1, 2, 3, 8], [1, 2, 5, 8], [1, 2, 5, 8], mask=[1, 1, 3, 5], opset=23)

# OPSET23: node 'y' (Attention, ai.onnx opset 23): input 'nonpad_kv_seqlen' needs opset 24, the node has opset 23
attention("nonpad_opset23", [2, 2, 3, 8], [2, 2, 5, 8], [2, 2, 5, 8], lengths=[2], opset=23,
          check=False)

# NONPAD2D: node 'y' (Attention, ai.onnx opset 24): input 'nonpad_kv_seqlen' must be 1-D [batch], got shape 2x1
attention("nonpad_2d", [2, 2, 3, 8], [2, 2, 5, 8], [2, 2, 5, 8], lengths=[2, 1], check=False)
