# Graph inputs must be tensors: sequences, maps and optionals are refused by name.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/sequence.onnx -o %t/sequence.mlir 2>&1 | FileCheck %s --check-prefix=SEQ --match-full-lines
# RUN: not test -e %t/sequence.mlir
# RUN: not ds-opt %t/optional.onnx 2>&1 | FileCheck %s --check-prefix=OPT --match-full-lines
from onnx_testing import *

# SEQ: ds-opt: error: {{.*}}sequence.onnx: graph input 's' is not a tensor (sequences, maps and optionals are not supported)
seq = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])
emit("sequence", model([node("Identity", ["s"], ["y"])], [seq],
                       [helper.make_tensor_sequence_value_info("y", TensorProto.FLOAT, [2])]),
     check=False)

# OPT: ds-opt: error: {{.*}}optional.onnx: graph input 'o' is not a tensor (sequences, maps and optionals are not supported)
opt = helper.make_value_info("o", helper.make_optional_type_proto(
    helper.make_tensor_type_proto(TensorProto.FLOAT, [2])))
emit("optional", model([node("Identity", ["o"], ["y"])], [opt],
                       [value("y", TensorProto.FLOAT, [2])]), check=False)
