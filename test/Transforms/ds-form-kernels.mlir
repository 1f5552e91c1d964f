// RUN: ds-opt %s --split-input-file --ds-form-kernels | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-form-kernels --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

// A chain becomes one kernel named after its members; the bias broadcasts into it.
// CHECK-LABEL: func.func @chain
// CHECK: %[[K:.*]] = ds.kernel "add_sigmoid_mul" ins(%arg0, %arg1 : tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<4x16xf32>, %[[B:.*]]: tensor<16xf32>):
// CHECK-NEXT: %[[A:.*]] = ds.binary add %[[X]], %[[B]]
// CHECK-NEXT: %[[S:.*]] = ds.unary sigmoid %[[A]]
// CHECK-NEXT: %[[M:.*]] = ds.binary mul %[[S]], %[[A]]
// CHECK-NEXT: ds.yield %[[M]] : tensor<4x16xf32>
// CHECK: return %[[K]]
// LOC-LABEL: func.func @chain
// LOC: ds.kernel "add_sigmoid_mul"
// LOC: ds.yield
// LOC-NEXT: } loc(#[[FUSED:loc[0-9]*]])
// LOC: #[[ADD:loc[0-9]*]] = loc("/act/Add")
// LOC: #[[SIG:loc[0-9]*]] = loc("/act/Sigmoid")
// LOC: #[[MUL:loc[0-9]*]] = loc("/act/Mul")
// LOC: #[[FUSED]] = loc(fused[#[[ADD]], #[[SIG]], #[[MUL]]])
func.func @chain(%x: tensor<4x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %a = ds.binary add %x, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> loc("/act/Add")
  %s = ds.unary sigmoid %a : tensor<4x16xf32> -> tensor<4x16xf32> loc("/act/Sigmoid")
  %m = ds.binary mul %s, %a : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32> loc("/act/Mul")
  return %m : tensor<4x16xf32>
}

// -----

// A lone elementwise op becomes a one-op kernel (one step kind for the runtime); its
// location stays the op's own.
// CHECK-LABEL: func.func @single
// CHECK: ds.kernel "exp" ins(%arg0 : tensor<?x8xf32>) -> tensor<?x8xf32>
// CHECK: ds.unary exp
// LOC-LABEL: func.func @single
// LOC: ds.kernel "exp"
// LOC: ds.yield
// LOC-NEXT: } loc(#[[L:loc[0-9]*]])
// LOC: #[[L]] = loc("/Exp")
func.func @single(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %e = ds.unary exp %x : tensor<?x8xf32> -> tensor<?x8xf32> loc("/Exp")
  return %e : tensor<?x8xf32>
}

// -----

// A diamond (two branches of one input meeting again) is one kernel; the input enters
// once.
// CHECK-LABEL: func.func @diamond
// CHECK: %[[K:.*]] = ds.kernel "neg_exp_add" ins(%arg0 : tensor<8xf32>) -> tensor<8xf32>
// CHECK-NOT: ds.kernel
// CHECK: return %[[K]]
func.func @diamond(%x: tensor<8xf32>) -> tensor<8xf32> {
  %n = ds.unary neg %x : tensor<8xf32> -> tensor<8xf32>
  %e = ds.unary exp %x : tensor<8xf32> -> tensor<8xf32>
  %a = ds.binary add %n, %e : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %a : tensor<8xf32>
}

// -----

// Values used outside the group become results (here the intermediate %c, used by the
// matmul after the group, and returned twice).
// CHECK-LABEL: func.func @multi_output
// CHECK: %[[K:.*]]:2 = ds.kernel "cast_tanh" ins(%arg0 : tensor<4x4xf16>) -> tensor<4x4xf32>, tensor<4x4xf32> {
// CHECK: %[[C:.*]] = ds.cast
// CHECK: %[[T:.*]] = ds.unary tanh %[[C]]
// CHECK: ds.yield %[[C]], %[[T]] : tensor<4x4xf32>, tensor<4x4xf32>
// CHECK: %[[M:.*]] = ds.matmul %[[K]]#0, %[[K]]#0
// CHECK: return %[[K]]#1, %[[M]], %[[K]]#0
func.func @multi_output(%x: tensor<4x4xf16>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %c = ds.cast %x : tensor<4x4xf16> -> tensor<4x4xf32>
  %t = ds.unary tanh %c : tensor<4x4xf32> -> tensor<4x4xf32>
  %m = ds.matmul %c, %c : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %t, %m, %c : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Splat constants are cloned into the body (the outer copy goes when unused);
// non-splat constants stay inputs. compare and select join with their i1 values.
// CHECK-LABEL: func.func @constants
// CHECK-NOT: ds.constant dense<2.0
// CHECK: %[[W:.*]] = ds.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: ds.constant dense<2.0
// CHECK: %[[K:.*]] = ds.kernel "mul_gt_select" ins(%arg0, %[[W]] : tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<3x2xf32>, %[[V:.*]]: tensor<2xf32>):
// CHECK-NEXT: %[[TWO:.*]] = ds.constant dense<2.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[ZERO:.*]] = ds.constant dense<0.000000e+00> : tensor<1x1xf32>
// CHECK-NEXT: %[[M:.*]] = ds.binary mul %[[X]], %[[TWO]]
// CHECK-NEXT: %[[G:.*]] = ds.compare gt %[[M]], %[[V]]
// CHECK-NEXT: ds.select %[[G]], %[[M]], %[[ZERO]]
// CHECK: return %[[K]]
func.func @constants(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %two = ds.constant dense<2.0> : tensor<f32>
  %zero = ds.constant dense<0.0> : tensor<1x1xf32>
  %w = ds.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %m = ds.binary mul %x, %two : (tensor<3x2xf32>, tensor<f32>) -> tensor<3x2xf32>
  %g = ds.compare gt %m, %w : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xi1>
  %s = ds.select %g, %m, %zero : (tensor<3x2xi1>, tensor<3x2xf32>, tensor<1x1xf32>) -> tensor<3x2xf32>
  return %s : tensor<3x2xf32>
}

// -----

// A splat constant that something else also uses is cloned, and stays for that user.
// CHECK-LABEL: func.func @shared_splat
// CHECK: %[[C:.*]] = ds.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: ds.kernel "add" ins(%arg0 : tensor<4xf32>)
// CHECK: ds.constant dense<1.000000e+00> : tensor<4xf32>
// CHECK: return %{{.*}}, %[[C]]
func.func @shared_splat(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = ds.constant dense<1.0> : tensor<4xf32>
  %a = ds.binary add %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a, %one : tensor<4xf32>, tensor<4xf32>
}

// -----

// Near miss: the result shapes differ (the add broadcasts 4x1 to 4x8), so the exp and
// the add are separate kernels.
// CHECK-LABEL: func.func @different_shapes
// CHECK: %[[E:.*]] = ds.kernel "exp" ins(%arg0 : tensor<4x1xf32>) -> tensor<4x1xf32>
// CHECK: ds.kernel "add" ins(%[[E]], %arg1 : tensor<4x1xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
func.func @different_shapes(%x: tensor<4x1xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = ds.unary exp %x : tensor<4x1xf32> -> tensor<4x1xf32>
  %a = ds.binary add %e, %y : (tensor<4x1xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// Near miss: %s feeds a matmul whose result feeds back into the chain. Putting %s and
// %m in one kernel would need the matmul both after and before it (a cycle), so the
// sigmoid stays apart; the mul becomes the matmul's epilogue, reading %s (also the
// matmul's lhs) as its extra input.
// CHECK-LABEL: func.func @cycle_through_matmul
// CHECK: %[[S:.*]] = ds.kernel "sigmoid" ins(%arg0
// CHECK: ds.kernel "matmul_mul" ins(%[[S]], %arg1 :
// CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4x4xf32>, %[[W:.*]]: tensor<4x4xf32>):
// CHECK-NEXT: %[[P:.*]] = ds.matmul %[[A]], %[[W]]
// CHECK-NEXT: ds.binary mul %[[A]], %[[P]]
func.func @cycle_through_matmul(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = ds.unary sigmoid %x : tensor<4x4xf32> -> tensor<4x4xf32>
  %p = ds.matmul %s, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %m = ds.binary mul %s, %p : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %m : tensor<4x4xf32>
}

// -----

// The matmul does not read the chain: the two kernels around it still join, and the
// kernel moves after the matmul (to the position of its last op).
// CHECK-LABEL: func.func @independent_op_between
// CHECK: %[[P:.*]] = ds.matmul %arg1, %arg1
// CHECK: %[[K:.*]] = ds.kernel "sigmoid_mul" ins(%arg0, %[[P]]
// CHECK: return %[[K]]
func.func @independent_op_between(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = ds.unary sigmoid %x : tensor<4x4xf32> -> tensor<4x4xf32>
  %p = ds.matmul %w, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %m = ds.binary mul %s, %p : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %m : tensor<4x4xf32>
}

// -----

// Two producer groups that meet in one op merge, unless one of them is used between
// (%b is read by the reduce before %c).
// CHECK-LABEL: func.func @merge_groups
// CHECK: %[[B:.*]] = ds.kernel "neg" ins(%arg1
// CHECK: %[[R:.*]] = ds.reduce sum %[[B]]
// CHECK: ds.kernel "exp_add" ins(%arg0, %[[B]] : tensor<4xf32>, tensor<4xf32>)
func.func @merge_groups(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>) {
  %a = ds.unary exp %x : tensor<4xf32> -> tensor<4xf32>
  %b = ds.unary neg %y : tensor<4xf32> -> tensor<4xf32>
  %r = ds.reduce sum %b {axes = array<i64: 0>} : tensor<4xf32> -> tensor<f32>
  %c = ds.binary add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %c, %r : tensor<4xf32>, tensor<f32>
}

// -----

// Dead elementwise ops disappear instead of becoming kernels nobody reads.
// CHECK-LABEL: func.func @dead
// CHECK-NOT: ds.kernel
// CHECK: return %arg0
func.func @dead(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = ds.unary exp %x : tensor<4xf32> -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

// Long chains keep their first five names and the member count.
// CHECK-LABEL: func.func @long_name
// CHECK: ds.kernel "exp_neg_abs_sqrt_tanh_n7"
func.func @long_name(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ds.unary exp %x : tensor<4xf32> -> tensor<4xf32>
  %1 = ds.unary neg %0 : tensor<4xf32> -> tensor<4xf32>
  %2 = ds.unary abs %1 : tensor<4xf32> -> tensor<4xf32>
  %3 = ds.unary sqrt %2 : tensor<4xf32> -> tensor<4xf32>
  %4 = ds.unary tanh %3 : tensor<4xf32> -> tensor<4xf32>
  %5 = ds.unary erf %4 : tensor<4xf32> -> tensor<4xf32>
  %6 = ds.unary floor %5 : tensor<4xf32> -> tensor<4xf32>
  return %6 : tensor<4xf32>
}

// -----

// Dynamic dims: %e reads only %x, which may be 1x8 at run time while %y is 5x8, so %e
// and %a cannot share one iteration shape: each op becomes its own kernel. When every
// result reads every dynamic input (@dynamic_ok) the group stays whole.
// CHECK-LABEL: func.func @dynamic_split
// CHECK: %[[E:.*]] = ds.kernel "exp" ins(%arg0 : tensor<?x8xf32>)
// CHECK: ds.kernel "add" ins(%[[E]], %arg1 : tensor<?x8xf32>, tensor<?x8xf32>)
func.func @dynamic_split(%x: tensor<?x8xf32>, %y: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %e = ds.unary exp %x : tensor<?x8xf32> -> tensor<?x8xf32>
  %a = ds.binary add %e, %y : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  return %e, %a : tensor<?x8xf32>, tensor<?x8xf32>
}

// CHECK-LABEL: func.func @dynamic_ok
// CHECK: %[[K:.*]]:2 = ds.kernel "add_sub" ins(%arg0, %arg1, %arg2 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<8xf32>)
// CHECK: return %[[K]]#0, %[[K]]#1
func.func @dynamic_ok(%x: tensor<?x8xf32>, %y: tensor<?x8xf32>, %b: tensor<8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %a = ds.binary add %x, %y : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %e = ds.binary sub %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %a, %e : tensor<?x8xf32>, tensor<?x8xf32>
}

// -----

// Epilogue: a matmul with bias add and silu is one kernel, the product first in the
// body; the bias is an input after the matmul's operands.
// CHECK-LABEL: func.func @matmul_bias_silu
// CHECK: %[[K:.*]] = ds.kernel "matmul_add_silu" ins(%arg0, %arg1, %arg2 : tensor<5x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<5x16xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<5x8xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>):
// CHECK-NEXT: %[[P:.*]] = ds.matmul %[[X]], %[[W]]
// CHECK-NEXT: %[[A:.*]] = ds.binary add %[[P]], %[[B]]
// CHECK-NEXT: %[[S:.*]] = ds.unary silu %[[A]]
// CHECK-NEXT: ds.yield %[[S]] : tensor<5x16xf32>
// CHECK-NOT: ds.matmul
// CHECK: return %[[K]]
// LOC-LABEL: func.func @matmul_bias_silu
// LOC: ds.kernel "matmul_add_silu"
// LOC: ds.yield
// LOC-NEXT: } loc(#[[FUSED:loc[0-9]*]])
// LOC: #[[MM:loc[0-9]*]] = loc("/fc/MatMul")
// LOC: #[[ADD:loc[0-9]*]] = loc("/fc/Add")
// LOC: #[[SILU:loc[0-9]*]] = loc("/act/Silu")
// LOC: #[[FUSED]] = loc(fused[#[[MM]], #[[ADD]], #[[SILU]]])
func.func @matmul_bias_silu(%x: tensor<5x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<5x16xf32> {
  %p = ds.matmul %x, %w : (tensor<5x8xf32>, tensor<8x16xf32>) -> tensor<5x16xf32> loc("/fc/MatMul")
  %a = ds.binary add %p, %b : (tensor<5x16xf32>, tensor<16xf32>) -> tensor<5x16xf32> loc("/fc/Add")
  %s = ds.unary silu %a : tensor<5x16xf32> -> tensor<5x16xf32> loc("/act/Silu")
  return %s : tensor<5x16xf32>
}

// -----

// Linear with a residual add, a scale (splat constant cloned after the product) and a
// cast; the intermediate sum is also used after the group, so it is yielded too.
// CHECK-LABEL: func.func @linear_residual_cast
// CHECK: %[[K:.*]]:2 = ds.kernel "linear_add_mul_cast" ins(%arg0, %arg1, %arg2 : tensor<2x3x8xf32>, tensor<16x8xf32>, tensor<2x3x16xf32>) -> tensor<2x3x16xf32>, tensor<2x3x16xf16> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<16x8xf32>, %[[R:.*]]: tensor<2x3x16xf32>):
// CHECK-NEXT: %[[P:.*]] = ds.linear %[[X]], %[[W]] {transpose_w}
// CHECK-NEXT: %[[HALF:.*]] = ds.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[A:.*]] = ds.binary add %[[R]], %[[P]]
// CHECK-NEXT: %[[M:.*]] = ds.binary mul %[[A]], %[[HALF]]
// CHECK-NEXT: %[[C:.*]] = ds.cast %[[M]]
// CHECK-NEXT: ds.yield %[[A]], %[[C]] : tensor<2x3x16xf32>, tensor<2x3x16xf16>
// CHECK: return %[[K]]#1, %[[K]]#0
func.func @linear_residual_cast(%x: tensor<2x3x8xf32>, %w: tensor<16x8xf32>, %r: tensor<2x3x16xf32>) -> (tensor<2x3x16xf16>, tensor<2x3x16xf32>) {
  %half = ds.constant dense<0.5> : tensor<f32>
  %p = ds.linear %x, %w {transpose_w} : (tensor<2x3x8xf32>, tensor<16x8xf32>) -> tensor<2x3x16xf32>
  %a = ds.binary add %r, %p : (tensor<2x3x16xf32>, tensor<2x3x16xf32>) -> tensor<2x3x16xf32>
  %m = ds.binary mul %a, %half : (tensor<2x3x16xf32>, tensor<f32>) -> tensor<2x3x16xf32>
  %c = ds.cast %m : tensor<2x3x16xf32> -> tensor<2x3x16xf16>
  return %c, %a : tensor<2x3x16xf16>, tensor<2x3x16xf32>
}

// -----

// Near miss: the product itself is also returned (used outside the group), so the
// matmul stays a plain step and the epilogue a kernel of its own.
// CHECK-LABEL: func.func @product_used_outside
// CHECK: %[[P:.*]] = ds.matmul %arg0, %arg1
// CHECK: %[[K:.*]] = ds.kernel "sigmoid" ins(%[[P]] : tensor<4x4xf32>)
// CHECK: return %[[K]], %[[P]]
func.func @product_used_outside(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %p = ds.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = ds.unary sigmoid %p : tensor<4x4xf32> -> tensor<4x4xf32>
  return %s, %p : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Near miss: the add broadcasts the product up (4x1 to 4x8): a different shape.
// CHECK-LABEL: func.func @epilogue_broadcasts_up
// CHECK: %[[P:.*]] = ds.matmul %arg0, %arg1
// CHECK: ds.kernel "add" ins(%[[P]], %arg2 : tensor<4x1xf32>, tensor<4x8xf32>)
func.func @epilogue_broadcasts_up(%x: tensor<4x3xf32>, %w: tensor<3x1xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %p = ds.matmul %x, %w : (tensor<4x3xf32>, tensor<3x1xf32>) -> tensor<4x1xf32>
  %a = ds.binary add %p, %y : (tensor<4x1xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// Near miss: a reduction of the product sits between the matmul and the op that reads
// both (softmax-like): the product is used outside the group before the sub.
// CHECK-LABEL: func.func @reduction_between
// CHECK: %[[P:.*]] = ds.matmul %arg0, %arg1
// CHECK: %[[R:.*]] = ds.reduce max %[[P]]
// CHECK: ds.kernel "sub_exp" ins(%[[P]], %[[R]]
func.func @reduction_between(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %p = ds.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %r = ds.reduce max %p {axes = array<i64: 1>, keep_dims} : tensor<4x8xf32> -> tensor<4x1xf32>
  %d = ds.binary sub %p, %r : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %e = ds.unary exp %d : tensor<4x8xf32> -> tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}

// -----

// Near miss: the product feeds a non-elementwise op (a transpose) outside the group as
// well as the epilogue.
// CHECK-LABEL: func.func @product_feeds_transpose
// CHECK: %[[P:.*]] = ds.matmul %arg0, %arg1
// CHECK: ds.kernel "relu" ins(%[[P]]
// CHECK: ds.transpose %[[P]]
func.func @product_feeds_transpose(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %p = ds.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %s = ds.unary relu %p : tensor<4x4xf32> -> tensor<4x4xf32>
  %t = ds.transpose %p {perm = array<i64: 1, 0>} : tensor<4x4xf32> -> tensor<4x4xf32>
  return %s, %t : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// SwiGLU: silu(gate) * up joins the gate product's group (one product per kernel); the
// up product stays a plain step and enters as an extra input.
// CHECK-LABEL: func.func @swiglu
// CHECK: %[[U:.*]] = ds.matmul %arg0, %arg2
// CHECK: %[[K:.*]] = ds.kernel "matmul_silu_mul" ins(%arg0, %arg1, %[[U]] :
// CHECK-NEXT: ^bb0
// CHECK-NEXT: ds.matmul
// CHECK-NEXT: ds.unary silu
// CHECK-NEXT: ds.binary mul
// CHECK: return %[[K]]
func.func @swiglu(%x: tensor<3x8xf32>, %wg: tensor<8x16xf32>, %wu: tensor<8x16xf32>) -> tensor<3x16xf32> {
  %g = ds.matmul %x, %wg : (tensor<3x8xf32>, tensor<8x16xf32>) -> tensor<3x16xf32>
  %u = ds.matmul %x, %wu : (tensor<3x8xf32>, tensor<8x16xf32>) -> tensor<3x16xf32>
  %s = ds.unary silu %g : tensor<3x16xf32> -> tensor<3x16xf32>
  %m = ds.binary mul %s, %u : (tensor<3x16xf32>, tensor<3x16xf32>) -> tensor<3x16xf32>
  return %m : tensor<3x16xf32>
}

// -----

// Dynamic dims: the residual ?x16 might be larger than the product at run time unless
// every result reads both; here the add does (fused), in @dynamic_epilogue_split the
// exp does not read the residual (kept apart).
// CHECK-LABEL: func.func @dynamic_epilogue
// CHECK: ds.kernel "matmul_add" ins(%arg0, %arg1, %arg2 : tensor<?x8xf32>, tensor<8x16xf32>, tensor<?x16xf32>)
func.func @dynamic_epilogue(%x: tensor<?x8xf32>, %w: tensor<8x16xf32>, %r: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %p = ds.matmul %x, %w : (tensor<?x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  %a = ds.binary add %p, %r : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %a : tensor<?x16xf32>
}

// CHECK-LABEL: func.func @dynamic_epilogue_split
// CHECK: %[[P:.*]] = ds.matmul %arg0, %arg1
// CHECK: ds.kernel "exp" ins(%[[P]]
// CHECK: ds.kernel "add"
func.func @dynamic_epilogue_split(%x: tensor<?x8xf32>, %w: tensor<8x16xf32>, %r: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %p = ds.matmul %x, %w : (tensor<?x8xf32>, tensor<8x16xf32>) -> tensor<?x16xf32>
  %e = ds.unary exp %p : tensor<?x16xf32> -> tensor<?x16xf32>
  %a = ds.binary add %e, %r : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %e, %a : tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// A chain reading 20 inputs would exceed the kernel ABI's 16 operands: it splits into
// program-order runs that fit, the first run's last sum feeding the second.
// CHECK-LABEL: func.func @operand_cap
// CHECK: %[[K1:.*]] = ds.kernel "add_add_add_add_add_n14" ins(%arg0, %arg1, %arg2, %arg3, %arg4, %arg5, %arg6, %arg7, %arg8, %arg9, %arg10, %arg11, %arg12, %arg13, %arg14 :
// CHECK-SAME: -> tensor<8xf32>
// CHECK: %[[K2:.*]] = ds.kernel "add_add_add_add_add" ins(%[[K1]], %arg15, %arg16, %arg17, %arg18, %arg19 :
// CHECK-NOT: ds.kernel
// CHECK: return %[[K2]]
func.func @operand_cap(%a0: tensor<8xf32>, %a1: tensor<8xf32>, %a2: tensor<8xf32>, %a3: tensor<8xf32>, %a4: tensor<8xf32>, %a5: tensor<8xf32>, %a6: tensor<8xf32>, %a7: tensor<8xf32>, %a8: tensor<8xf32>, %a9: tensor<8xf32>, %a10: tensor<8xf32>, %a11: tensor<8xf32>, %a12: tensor<8xf32>, %a13: tensor<8xf32>, %a14: tensor<8xf32>, %a15: tensor<8xf32>, %a16: tensor<8xf32>, %a17: tensor<8xf32>, %a18: tensor<8xf32>, %a19: tensor<8xf32>) -> tensor<8xf32> {
  %s1 = ds.binary add %a0, %a1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s2 = ds.binary add %s1, %a2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s3 = ds.binary add %s2, %a3 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s4 = ds.binary add %s3, %a4 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s5 = ds.binary add %s4, %a5 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s6 = ds.binary add %s5, %a6 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s7 = ds.binary add %s6, %a7 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s8 = ds.binary add %s7, %a8 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s9 = ds.binary add %s8, %a9 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s10 = ds.binary add %s9, %a10 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s11 = ds.binary add %s10, %a11 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s12 = ds.binary add %s11, %a12 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s13 = ds.binary add %s12, %a13 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s14 = ds.binary add %s13, %a14 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s15 = ds.binary add %s14, %a15 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s16 = ds.binary add %s15, %a16 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s17 = ds.binary add %s16, %a17 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s18 = ds.binary add %s17, %a18 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s19 = ds.binary add %s18, %a19 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %s19 : tensor<8xf32>
}

// -----

// A concat of 17 inputs (18 operands) would exceed the kernel ABI: it becomes a concat
// of the first 15, then a concat of that and the last two.
// CHECK-LABEL: func.func @wide_concat
// CHECK: %[[A:.*]] = ds.concat %arg0, %arg1, %arg2, %arg3, %arg4, %arg5, %arg6, %arg7, %arg8, %arg9, %arg10, %arg11, %arg12, %arg13, %arg14 {axis = 1 : i64} : {{.*}} -> tensor<2x?xf32>
// CHECK-NEXT: %[[B:.*]] = ds.concat %arg15, %arg16 {axis = 1 : i64}
// CHECK-NEXT: %[[C:.*]] = ds.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
// CHECK-NEXT: return %[[C]]
func.func @wide_concat(%a0: tensor<2x?xf32>, %a1: tensor<2x?xf32>, %a2: tensor<2x?xf32>, %a3: tensor<2x?xf32>, %a4: tensor<2x?xf32>, %a5: tensor<2x?xf32>, %a6: tensor<2x?xf32>, %a7: tensor<2x?xf32>, %a8: tensor<2x?xf32>, %a9: tensor<2x?xf32>, %a10: tensor<2x?xf32>, %a11: tensor<2x?xf32>, %a12: tensor<2x?xf32>, %a13: tensor<2x?xf32>, %a14: tensor<2x?xf32>, %a15: tensor<2x?xf32>, %a16: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %c = ds.concat %a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16 {axis = 1 : i64} : (tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
  return %c : tensor<2x?xf32>
}
