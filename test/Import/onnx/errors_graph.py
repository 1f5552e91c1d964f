# Graph-level import errors: each case checks the exact message, that no other error
# is printed, and that `-o` leaves no file behind.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/missing_init.onnx -o %t/missing_init.mlir 2>&1 | FileCheck %s --check-prefix=MISSING --match-full-lines
# RUN: not test -e %t/missing_init.mlir
# RUN: not ds-opt %t/cycle.onnx -o %t/cycle.mlir 2>&1 | FileCheck %s --check-prefix=CYCLE --match-full-lines
# RUN: not test -e %t/cycle.mlir
# RUN: not ds-opt %t/self_cycle.onnx -o %t/self_cycle.mlir 2>&1 | FileCheck %s --check-prefix=SELF --match-full-lines
# RUN: not test -e %t/self_cycle.mlir
# RUN: not ds-opt %t/dup_node.onnx -o %t/dup_node.mlir 2>&1 | FileCheck %s --check-prefix=DUPNODE --match-full-lines
# RUN: not test -e %t/dup_node.mlir
# RUN: not ds-opt %t/dup_input.onnx -o %t/dup_input.mlir 2>&1 | FileCheck %s --check-prefix=DUPINPUT --match-full-lines
# RUN: not test -e %t/dup_input.mlir
# RUN: not ds-opt %t/dup_init.onnx -o %t/dup_init.mlir 2>&1 | FileCheck %s --check-prefix=DUPINIT --match-full-lines
# RUN: not test -e %t/dup_init.mlir
# RUN: not ds-opt %t/out_dtype.onnx -o %t/out_dtype.mlir 2>&1 | FileCheck %s --check-prefix=DTYPE --match-full-lines
# RUN: not test -e %t/out_dtype.mlir
# RUN: not ds-opt %t/out_shape.onnx -o %t/out_shape.mlir 2>&1 | FileCheck %s --check-prefix=SHAPE --match-full-lines
# RUN: not test -e %t/out_shape.mlir
# RUN: not ds-opt %t/out_missing.onnx -o %t/out_missing.mlir 2>&1 | FileCheck %s --check-prefix=OUTMISSING --match-full-lines
# RUN: not test -e %t/out_missing.mlir
# RUN: not ds-opt %t/unsupported.onnx -o %t/unsupported.mlir 2>&1 | FileCheck %s --check-prefix=UNSUP --match-full-lines
# RUN: not test -e %t/unsupported.mlir
# RUN: not ds-opt %t/opset10.onnx -o %t/opset10.mlir 2>&1 | FileCheck %s --check-prefix=OPSET10 --match-full-lines
# RUN: not test -e %t/opset10.mlir
# RUN: not ds-opt %t/opset28.onnx -o %t/opset28.mlir 2>&1 | FileCheck %s --check-prefix=OPSET28 --match-full-lines
# RUN: not test -e %t/opset28.mlir
# RUN: not ds-opt %t/no_opset.onnx -o %t/no_opset.mlir 2>&1 | FileCheck %s --check-prefix=NOOPSET --match-full-lines
# RUN: not test -e %t/no_opset.mlir
# RUN: not ds-opt %t/attr_type.onnx -o %t/attr_type.mlir 2>&1 | FileCheck %s --check-prefix=ATTR --match-full-lines
# RUN: not test -e %t/attr_type.mlir
# RUN: not ds-opt %t/string_input.onnx -o %t/string_input.mlir 2>&1 | FileCheck %s --check-prefix=STRING --match-full-lines
# RUN: not test -e %t/string_input.mlir
# RUN: not ds-opt %t/no_shape.onnx -o %t/no_shape.mlir 2>&1 | FileCheck %s --check-prefix=NOSHAPE --match-full-lines
# RUN: not test -e %t/no_shape.mlir
# RUN: not ds-opt %t/neg_input.onnx -o %t/neg_input.mlir 2>&1 | FileCheck %s --check-prefix=NEGINPUT --match-full-lines
# RUN: not test -e %t/neg_input.mlir
# RUN: not ds-opt %t/overflow_input.onnx -o %t/overflow_input.mlir 2>&1 | FileCheck %s --check-prefix=OVFINPUT --match-full-lines
# RUN: not test -e %t/overflow_input.mlir
# Near misses that import: an initializer that is also a graph input (a default
# value), an opset at each end of the range, a declared output with a symbolic dim.
# RUN: ds-opt %t/init_as_input.onnx | FileCheck %s --check-prefix=INITINPUT
# RUN: ds-opt %t/opset11.onnx | FileCheck %s --check-prefix=OPSET11
# RUN: ds-opt %t/opset%onnx_max_opset.onnx | FileCheck %s --check-prefix=OPSETMAX
# RUN: ds-opt %t/out_symbolic.onnx | FileCheck %s --check-prefix=OUTSYM
from onnx_testing import *

F = TensorProto.FLOAT
x2 = [value("x", F, [2])]
y2 = [value("y", F, [2])]

# MISSING: ds-opt: error: {{.*}}missing_init.onnx: node 'add' (Add, ai.onnx opset 17): input 'w' is not a graph input, an initializer or the output of any node (missing initializer?)
# MISSING-NOT: error
emit("missing_init", model([node("Add", ["x", "w"], ["y"], name="add")], x2, y2),
     check=False)

# The cycle is printed in data-flow order, with op types.
# CYCLE: ds-opt: error: {{.*}}cycle.onnx: the graph has a cycle: node 'n2' (Relu, ai.onnx opset 17) -> node 'n3' (Neg, ai.onnx opset 17) -> node 'n1' (Add, ai.onnx opset 17) -> node 'n2' (Relu, ai.onnx opset 17)
# CYCLE-NOT: error
emit("cycle", model([node("Add", ["x", "c"], ["a"], name="n1"),
                     node("Relu", ["a"], ["b"], name="n2"),
                     node("Neg", ["b"], ["c"], name="n3"),
                     node("Abs", ["c"], ["y"], name="n4")], x2, y2), check=False)

# SELF: ds-opt: error: {{.*}}self_cycle.onnx: the graph has a cycle: node 'loop' (Add, ai.onnx opset 17) -> node 'loop' (Add, ai.onnx opset 17)
emit("self_cycle", model([node("Add", ["x", "y"], ["y"], name="loop")], x2, y2),
     check=False)

# DUPNODE: ds-opt: error: {{.*}}dup_node.onnx: value 'a' is produced by node 'second' (Neg, ai.onnx opset 17) but is already defined by node 'first' (Relu, ai.onnx opset 17) (duplicate value names are not allowed)
# DUPNODE-NOT: error
emit("dup_node", model([node("Relu", ["x"], ["a"], name="first"),
                        node("Neg", ["x"], ["a"], name="second"),
                        node("Abs", ["a"], ["y"], name="third")], x2, y2), check=False)

# Both problems are reported at once.
# DUPINPUT: ds-opt: error: {{.*}}dup_input.onnx: graph input 'x' is declared twice
# DUPINPUT-NEXT: ds-opt: error: {{.*}}dup_input.onnx: value 'x' is produced by unnamed node #0 (Relu, ai.onnx opset 17) but is already defined by graph input 'x' (duplicate value names are not allowed)
# DUPINPUT-NOT: error
dup = model([helper.make_node("Relu", ["x"], ["x"]), node("Abs", ["x"], ["y"])],
            [value("x", F, [2]), value("x", F, [2])], y2)
emit("dup_input", dup, check=False)

# DUPINIT: ds-opt: error: {{.*}}dup_init.onnx: initializer 'w' is defined twice
# DUPINIT-NOT: error
emit("dup_init", model([node("Add", ["x", "w"], ["y"])], x2, y2,
                       [tensor("w", np.ones(2, np.float32)),
                        tensor("w", np.zeros(2, np.float32))]), check=False)

# DTYPE: ds-opt: error: {{.*}}out_dtype.onnx: dtype mismatch: graph output 'y' is declared FLOAT16 but is computed by node 'relu' (Relu, ai.onnx opset 17) as tensor<2xf32>
# DTYPE-NOT: error
emit("out_dtype", model([node("Relu", ["x"], ["y"], name="relu")], x2,
                        [value("y", TensorProto.FLOAT16, [2])]), check=False)

# SHAPE: ds-opt: error: {{.*}}out_shape.onnx: shape mismatch: graph output 'y' is declared with shape [batch, 3] but is computed by node 'relu' (Relu, ai.onnx opset 17) as tensor<?x4xf32>
# SHAPE-NOT: error
emit("out_shape", model([node("Relu", ["x"], ["y"], name="relu")],
                        [value("x", F, ["batch", 4])], [value("y", F, ["batch", 3])]),
     check=False)

# OUTSYM: func.func @main(%{{.*}}: tensor<?x4xf32> {{.*}}) -> (tensor<?x4xf32> {{{.*}}ds.name = "y"})
emit("out_symbolic", model([node("Relu", ["x"], ["y"], name="relu")],
                           [value("x", F, ["batch", 4])], [value("y", F, ["n", None])]))

# OUTMISSING: ds-opt: error: {{.*}}out_missing.onnx: graph output 'z' is not produced by any node, input or initializer
emit("out_missing", model([node("Relu", ["x"], ["y"])], x2, [value("z", F, [2])]),
     check=False)

# Every unsupported op is listed in one error: op type, domain, opset and node names
# (unnamed nodes by their index in the graph).
# UNSUP: ds-opt: error: {{.*}}unsupported.onnx: 6 nodes with unsupported ops:
# UNSUP-NEXT:   Unique (domain ai.onnx, opset 17): 'u1', 'u2'
# UNSUP-NEXT:   LSTM (domain ai.onnx, opset 17): 'lstm'
# UNSUP-NEXT:   MyOp (domain com.example, opset 3): #4
# UNSUP-NEXT:   Other (domain org.not.imported, opset not imported by the model): 'other'
# UNSUP-NEXT:   Unique (domain com.example, opset 3): 'u3'
# UNSUP-NOT: error
emit("unsupported", model(
    [node("Unique", ["x"], ["a"], name="u1"),
     node("Relu", ["a"], ["b"]),
     node("Unique", ["b"], ["c"], name="u2"),
     node("LSTM", ["c"], ["d"], name="lstm"),
     helper.make_node("MyOp", ["d"], ["e"], domain="com.example"),
     node("Other", ["e"], ["f"], name="other", domain="org.not.imported"),
     node("Unique", ["f"], ["y"], name="u3", domain="com.example")],
    x2, y2, extra_opsets=[("com.example", 3)]), check=False)

relu = lambda opset: model([node("Relu", ["x"], ["y"])], x2, y2, opset=opset)
# OPSET10: ds-opt: error: {{.*}}opset10.onnx: the model uses ai.onnx opset 10; ds supports ai.onnx opsets 11 to {{[0-9]+}}
# OPSET10-NOT: error
emit("opset10", relu(10))
# OPSET28: ds-opt: error: {{.*}}opset28.onnx: the model uses ai.onnx opset 28; ds supports ai.onnx opsets 11 to {{[0-9]+}}
emit("opset28", relu(28), check=False)
# OPSET11: ds.unary relu
emit("opset11", relu(11))
# OPSETMAX: ds.unary relu
emit("opset%d" % onnx.defs.onnx_opset_version(), relu(onnx.defs.onnx_opset_version()))

# NOOPSET: ds-opt: error: {{.*}}no_opset.onnx: the model's opset_import has no entry for the default domain (ai.onnx); ds supports ai.onnx opsets 11 to {{[0-9]+}}
no_opset = model([node("Relu", ["x"], ["y"])], x2, y2,
                 extra_opsets=[("com.microsoft", 1)])
del no_opset.opset_import[0]
emit("no_opset", no_opset, check=False)

# ATTR: ds-opt: error: {{.*}}attr_type.onnx: node 'leaky' (LeakyRelu, ai.onnx opset 17): attribute 'alpha' must be a float, got a string
# ATTR-NOT: error
emit("attr_type", model([node("LeakyRelu", ["x"], ["y"], name="leaky", alpha="0.1")],
                        x2, y2), check=False)

# STRING: ds-opt: error: {{.*}}string_input.onnx: graph input 'x' has unsupported element type STRING (ds supports FLOAT, FLOAT16, BFLOAT16, DOUBLE, FLOAT8E4M3FN, FLOAT8E5M2, INT4/8/16/32/64, UINT4/8/16/32/64 and BOOL)
emit("string_input", model([node("Identity", ["x"], ["y"])],
                           [value("x", TensorProto.STRING, [2])],
                           [value("y", TensorProto.STRING, [2])]), check=False)

# NOSHAPE: ds-opt: error: {{.*}}no_shape.onnx: graph input 'x' has no shape (unknown rank); give it one with --input-shape=x:D0xD1...
emit("no_shape", model([node("Relu", ["x"], ["y"])], [value("x", F, None)], y2),
     check=False)

# NEGINPUT: ds-opt: error: {{.*}}neg_input.onnx: graph input 'x' has a negative dim -3 (dim 1)
emit("neg_input", model([node("Relu", ["x"], ["y"])], [value("x", F, [2, -3])], y2),
     check=False)

# OVFINPUT: ds-opt: error: {{.*}}overflow_input.onnx: graph input 'x' has shape 1099511627776x?x1099511627776 whose static dims overflow (more than 2^48 elements)
emit("overflow_input", model([node("Relu", ["x"], ["y"])],
                             [value("x", F, [1 << 40, "n", 1 << 40])], y2), check=False)

# INITINPUT: func.func @main(%{{.*}}: tensor<2xf32> {{.*}}ds.name = "x"}) -> (tensor<2xf32> {{{.*}}ds.name = "y"})
# INITINPUT: %[[W:.*]] = ds.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
# INITINPUT: ds.binary add %{{.*}}, %[[W]]
emit("init_as_input", model([node("Add", ["x", "w"], ["y"])],
                            [value("x", F, [2]), value("w", F, [2])], y2,
                            [tensor("w", np.array([1, 2], np.float32))]))
