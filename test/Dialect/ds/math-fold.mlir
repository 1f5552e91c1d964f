// RUN: ds-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @reduce_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x4xf32>)
func.func @reduce_identity(%x: tensor<?x1x4xf32>) -> (tensor<?x1x4xf32>, tensor<?x1x4xf32>, tensor<?x1x4xf32>, tensor<?x4xf32>) {
  // Reducing no axes, or unit axes kept as unit dims, is the identity for sum.
  %0 = ds.reduce sum %x {axes = array<i64>} : tensor<?x1x4xf32> -> tensor<?x1x4xf32>
  %1 = ds.reduce max %x {axes = array<i64: 1>, keep_dims} : tensor<?x1x4xf32> -> tensor<?x1x4xf32>
  // Not for functions with an element map (sum_square is x * x) ...
  // CHECK: %[[SQ:.*]] = ds.reduce sum_square %[[X]] {axes = array<i64>}
  %2 = ds.reduce sum_square %x {axes = array<i64>} : tensor<?x1x4xf32> -> tensor<?x1x4xf32>
  // ... nor when the unit dim is dropped (the type changes).
  // CHECK: %[[DROP:.*]] = ds.reduce sum %[[X]] {axes = array<i64: 1>}
  %3 = ds.reduce sum %x {axes = array<i64: 1>} : tensor<?x1x4xf32> -> tensor<?x4xf32>
  // CHECK: return %[[X]], %[[X]], %[[SQ]], %[[DROP]]
  return %0, %1, %2, %3 : tensor<?x1x4xf32>, tensor<?x1x4xf32>, tensor<?x1x4xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_constant_int
func.func @reduce_constant_int() -> (tensor<2xi64>, tensor<1x3xi64>, tensor<i64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  %c = ds.constant dense<[[1, -2, 3], [4, 5, -6]]> : tensor<2x3xi64>
  // CHECK-DAG: ds.constant dense<[2, 3]> : tensor<2xi64>
  %0 = ds.reduce sum %c {axes = array<i64: 1>} : tensor<2x3xi64> -> tensor<2xi64>
  // CHECK-DAG: ds.constant dense<{{\[}}[4, 5, 3]]> : tensor<1x3xi64>
  %1 = ds.reduce max %c {axes = array<i64: 0>, keep_dims} : tensor<2x3xi64> -> tensor<1x3xi64>
  // CHECK-DAG: ds.constant dense<720> : tensor<i64>
  %2 = ds.reduce prod %c {axes = array<i64: 0, 1>} : tensor<2x3xi64> -> tensor<i64>
  // CHECK-DAG: ds.constant dense<[-2, -6]> : tensor<2xi64>
  %3 = ds.reduce min %c {axes = array<i64: -1>} : tensor<2x3xi64> -> tensor<2xi64>
  // Integer mean truncates toward zero: 2/3 -> 0, 3/3 -> 1.
  // CHECK-DAG: ds.constant dense<[0, 1]> : tensor<2xi64>
  %4 = ds.reduce mean %c {axes = array<i64: 1>} : tensor<2x3xi64> -> tensor<2xi64>
  // CHECK-DAG: ds.constant dense<[14, 77]> : tensor<2xi64>
  %5 = ds.reduce sum_square %c {axes = array<i64: 1>} : tensor<2x3xi64> -> tensor<2xi64>
  // CHECK-NOT: ds.reduce
  return %0, %1, %2, %3, %4, %5 : tensor<2xi64>, tensor<1x3xi64>, tensor<i64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @reduce_constant_float
func.func @reduce_constant_float() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %c = ds.constant dense<[[1.0, 2.0, 3.0], [0.0, -3.0, 4.0]]> : tensor<2x3xf32>
  // CHECK-DAG: ds.constant dense<[2.000000e+00, 0.333333343]> : tensor<2xf32>
  %0 = ds.reduce mean %c {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  // CHECK-DAG: ds.constant dense<[3.7416575, 5.000000e+00]> : tensor<2xf32>
  %1 = ds.reduce l2 %c {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  // CHECK-DAG: ds.constant dense<[6.000000e+00, 7.000000e+00]> : tensor<2xf32>
  %2 = ds.reduce l1 %c {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// A reduction over an empty dim is left to the runtime.
// CHECK-LABEL: func.func @reduce_empty_dim
func.func @reduce_empty_dim() -> tensor<2xi64> {
  %c = ds.constant dense<> : tensor<2x0xi64>
  // CHECK: ds.reduce max
  %0 = ds.reduce max %c {axes = array<i64: 1>} : tensor<2x0xi64> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @arg_reduce
func.func @arg_reduce(%x: tensor<4x1xf32>, %y: tensor<?x5xf32>) -> (tensor<4xi64>, tensor<2xi64>, tensor<2xi64>, tensor<3xi64>, tensor<?xi64>) {
  // CHECK-DAG: ds.constant dense<0> : tensor<4xi64>
  %0 = ds.arg_reduce argmax %x {axis = 1 : i64} : tensor<4x1xf32> -> tensor<4xi64>
  %c = ds.constant dense<[[1, 7, 7], [3, 0, 0]]> : tensor<2x3xi32>
  // First maximum / last maximum; first minimum along axis 1.
  // CHECK-DAG: ds.constant dense<[1, 0]> : tensor<2xi64>
  %1 = ds.arg_reduce argmax %c {axis = 1 : i64} : tensor<2x3xi32> -> tensor<2xi64>
  // CHECK-DAG: ds.constant dense<[2, 0]> : tensor<2xi64>
  %2 = ds.arg_reduce argmax %c {axis = 1 : i64, select_last_index} : tensor<2x3xi32> -> tensor<2xi64>
  // CHECK-DAG: ds.constant dense<[0, 1, 1]> : tensor<3xi64>
  %3 = ds.arg_reduce argmin %c {axis = 0 : i64} : tensor<2x3xi32> -> tensor<3xi64>
  // A non-constant input over a real axis stays.
  // CHECK: ds.arg_reduce argmax %{{.*}} {axis = 1 : i64} : tensor<?x5xf32>
  %4 = ds.arg_reduce argmax %y {axis = 1 : i64} : tensor<?x5xf32> -> tensor<?xi64>
  return %0, %1, %2, %3, %4 : tensor<4xi64>, tensor<2xi64>, tensor<2xi64>, tensor<3xi64>, tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @softmax_unit_axis
func.func @softmax_unit_axis(%x: tensor<3x1xf32>, %d: tensor<?x1xf32>, %y: tensor<3x2xf32>)
    -> (tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>, tensor<?x1xf32>, tensor<3x2xf32>) {
  // CHECK-DAG: %[[ONE:.*]] = ds.constant dense<1.000000e+00> : tensor<3x1xf32>
  // CHECK-DAG: %[[ZERO:.*]] = ds.constant dense<0.000000e+00> : tensor<3x1xf32>
  %0 = ds.softmax %x : tensor<3x1xf32> -> tensor<3x1xf32>
  %1 = ds.log_softmax %x {axis = 1 : i64} : tensor<3x1xf32> -> tensor<3x1xf32>
  %2 = ds.hardmax %x : tensor<3x1xf32> -> tensor<3x1xf32>
  // A dynamic shape has no constant; a real axis is not folded.
  // CHECK-DAG: %[[D:.*]] = ds.softmax %{{.*}} : tensor<?x1xf32>
  %3 = ds.softmax %d : tensor<?x1xf32> -> tensor<?x1xf32>
  // CHECK-DAG: %[[S:.*]] = ds.softmax %{{.*}} {axis = 0 : i64} : tensor<3x2xf32>
  %4 = ds.softmax %y {axis = 0 : i64} : tensor<3x2xf32> -> tensor<3x2xf32>
  // CHECK: return %[[ONE]], %[[ZERO]], %[[ONE]], %[[D]], %[[S]]
  return %0, %1, %2, %3, %4 : tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>, tensor<?x1xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @cumsum
// CHECK-SAME: (%[[X:.*]]: tensor<?x1xf32>)
func.func @cumsum(%x: tensor<?x1xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>, tensor<2x3xi64>, tensor<2x3xi64>, tensor<2x3xf32>) {
  // Constants are hoisted, so their checks come first.
  // CHECK-DAG: ds.constant dense<{{\[}}[1, 3, 6], [4, 9, 15]]> : tensor<2x3xi64>
  // CHECK-DAG: ds.constant dense<{{\[}}[5, 3, 0], [11, 6, 0]]> : tensor<2x3xi64>
  // CHECK-DAG: ds.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [5.000000e+00, 7.000000e+00, 9.000000e+00]]> : tensor<2x3xf32>
  %0 = ds.cumsum %x {axis = 1 : i64} : tensor<?x1xf32> -> tensor<?x1xf32>
  // An exclusive sum over a unit axis is zero, but there is no static shape here.
  // CHECK: %[[EX:.*]] = ds.cumsum %[[X]] {axis = 1 : i64, exclusive}
  %1 = ds.cumsum %x {axis = 1 : i64, exclusive} : tensor<?x1xf32> -> tensor<?x1xf32>
  %c = ds.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %2 = ds.cumsum %c {axis = 1 : i64} : tensor<2x3xi64> -> tensor<2x3xi64>
  %3 = ds.cumsum %c {axis = -1 : i64, exclusive, reverse} : tensor<2x3xi64> -> tensor<2x3xi64>
  %f = ds.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %4 = ds.cumsum %f {axis = 0 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: return %[[X]], %[[EX]]
  return %0, %1, %2, %3, %4 : tensor<?x1xf32>, tensor<?x1xf32>, tensor<2x3xi64>, tensor<2x3xi64>, tensor<2x3xf32>
}

// -----

// Matmul, linear and topk have no folds.
// CHECK-LABEL: func.func @no_fold
func.func @no_fold(%a: tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<2x1xf32>, tensor<2x1xi64>) {
  %c = ds.constant dense<1.0> : tensor<3x2xf32>
  // CHECK: ds.matmul
  %0 = ds.matmul %a, %c : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  // CHECK: ds.topk
  %v, %i = ds.topk %a {k = 1 : i64} : tensor<2x3xf32> -> (tensor<2x1xf32>, tensor<2x1xi64>)
  return %0, %v, %i : tensor<2x2xf32>, tensor<2x1xf32>, tensor<2x1xi64>
}
