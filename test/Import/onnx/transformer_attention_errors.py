# ai.onnx Attention: inputs whose ranks or head counts disagree are refused by name.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/ranks.onnx 2>&1 | FileCheck %s --check-prefix=RANKS
# RUN: not ds-opt %t/q_heads.onnx 2>&1 | FileCheck %s --check-prefix=QHEADS
# RUN: not ds-opt %t/kv_heads.onnx 2>&1 | FileCheck %s --check-prefix=KVHEADS
# RUN: ds-opt %t/heads_match.onnx | FileCheck %s --check-prefix=MATCH
from onnx_testing import *

F = TensorProto.FLOAT


def attention(name, q, k, v, **attrs):
    emit(name, model([node("Attention", ["q", "k", "v"], ["y"], **attrs)],
                     [value("q", F, q), value("k", F, k), value("v", F, v)],
                     [value("y", F, None)], opset=23), check=False)


# RANKS: node 'y' (Attention, ai.onnx opset 23): Q, K and V must all be 3-D [batch, seq, heads * head_size] or all 4-D [batch, heads, seq, head_size]; got ranks 4, 3, 3
attention("ranks", [1, 2, 4, 8], [1, 4, 16], [1, 4, 16], kv_num_heads=2)
# QHEADS: node 'y' (Attention, ai.onnx opset 23): attribute 'q_num_heads' = 4 differs from Q's head dim 2
attention("q_heads", [1, 2, 4, 8], [1, 2, 4, 8], [1, 2, 4, 8], q_num_heads=4)
# KVHEADS: node 'y' (Attention, ai.onnx opset 23): attribute 'kv_num_heads' = 1 differs from K's head dim 2
attention("kv_heads", [1, 2, 4, 8], [1, 2, 4, 8], [1, 2, 4, 8], q_num_heads=2, kv_num_heads=1)
# Attributes that agree with 4-D inputs are fine.
# MATCH: ds.attention
attention("heads_match", [1, 2, 4, 8], [1, 2, 4, 8], [1, 2, 4, 8], q_num_heads=2, kv_num_heads=2)
