# Files that are not ONNX models: each import fails with one exact message, exit code
# 1, and leaves no output file behind.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/random.onnx -o %t/random.mlir 2>&1 | FileCheck %s --check-prefix=RANDOM --match-full-lines
# RUN: not test -e %t/random.mlir
# RUN: not ds-opt %t/truncated.onnx -o %t/truncated.mlir 2>&1 | FileCheck %s --check-prefix=TRUNC --match-full-lines
# RUN: not test -e %t/truncated.mlir
# RUN: not ds-opt %t/empty.onnx -o %t/empty.mlir 2>&1 | FileCheck %s --check-prefix=EMPTY --match-full-lines
# RUN: not test -e %t/empty.mlir
# RUN: not ds-opt %t/absent.onnx -o %t/absent.mlir 2>&1 | FileCheck %s --check-prefix=ABSENT --match-full-lines
# RUN: not test -e %t/absent.mlir
# RUN: not ds-opt %t/nograph.onnx -o %t/nograph.mlir 2>&1 | FileCheck %s --check-prefix=NOGRAPH --match-full-lines
# RUN: not test -e %t/nograph.mlir
# The uncut model imports (the failures above come from the damage, not the graph).
# RUN: ds-opt %t/whole.onnx -o %t/whole.mlir
# RUN: FileCheck %s --check-prefix=WHOLE < %t/whole.mlir
import os
from onnx_testing import *

d = out_dir()

# RANDOM: ds-opt: error: {{.*}}random.onnx: '{{.*}}random.onnx' is not a valid ONNX model: the protobuf does not parse (truncated or corrupt file?)
# RANDOM-NOT: error
# Field 1 with wire type 7 does not exist in protobuf: this never parses.
with open(os.path.join(d, "random.onnx"), "wb") as f:
    f.write(bytes([0x0f]) + bytes(np.random.RandomState(7).randint(0, 256, 300).astype(np.uint8)))

# A valid model with initializers, cut in the middle of its weights.
m = model([node("Add", ["x", "w"], ["y"])],
          [value("x", TensorProto.FLOAT, [64, 64])], [value("y", TensorProto.FLOAT, [64, 64])],
          [tensor("w", np.ones((64, 64), np.float32))])
emit("whole", m)
# WHOLE: func.func @main
# WHOLE: ds.binary add
data = m.SerializeToString()
with open(os.path.join(d, "truncated.onnx"), "wb") as f:
    f.write(data[:len(data) // 2])
# TRUNC: ds-opt: error: {{.*}}truncated.onnx: '{{.*}}truncated.onnx' is not a valid ONNX model: the protobuf does not parse (truncated or corrupt file?)
# TRUNC-NOT: error

# EMPTY: ds-opt: error: {{.*}}empty.onnx: '{{.*}}empty.onnx' is empty (0 bytes), not an ONNX model
# EMPTY-NOT: error
open(os.path.join(d, "empty.onnx"), "wb").close()

# ABSENT: ds-opt: error: {{.*}}absent.onnx: cannot open '{{.*}}absent.onnx': No such file or directory
# ABSENT-NOT: error

# A protobuf that parses (an empty ModelProto plus an ir_version) but has no graph.
# NOGRAPH: ds-opt: error: {{.*}}nograph.onnx: the file holds no graph (empty or not an ONNX model)
# NOGRAPH-NOT: error
with open(os.path.join(d, "nograph.onnx"), "wb") as f:
    f.write(onnx.ModelProto(ir_version=8).SerializeToString())
