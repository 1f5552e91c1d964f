// RUN: ds-opt %s --split-input-file | ds-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @matmul
func.func @matmul(%q: tensor<1x8x?x64xf32>, %k: tensor<1x8x?x64xf32>, %a: tensor<4x?x16xf16>,
                  %w: tensor<16x32xf16>) -> (tensor<1x8x?x?xf32>, tensor<4x?x32xf16>, tensor<2x5x3xf32>) {
  // CHECK: ds.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x?xf32>
  %s = ds.matmul %q, %k {transpose_b} : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x?xf32>
  // CHECK: ds.matmul %{{.*}}, %{{.*}} : (tensor<4x?x16xf16>, tensor<16x32xf16>) -> tensor<4x?x32xf16>
  %y = ds.matmul %a, %w : (tensor<4x?x16xf16>, tensor<16x32xf16>) -> tensor<4x?x32xf16>
  // Batch dims broadcast; transposes apply to the last two dims.
  %r = ds.constant dense<1.0> : tensor<5x4x1xf32>
  // CHECK: ds.matmul %{{.*}}, %{{.*}} {transpose_a} : (tensor<1x4x3xf32>, tensor<5x4x1xf32>) -> tensor<5x3x1xf32>
  %l2 = ds.constant dense<1.0> : tensor<1x4x3xf32>
  %t = ds.matmul %l2, %r {transpose_a} : (tensor<1x4x3xf32>, tensor<5x4x1xf32>) -> tensor<5x3x1xf32>
  %c = ds.constant dense<1.0> : tensor<2x5x3xf32>
  return %s, %y, %c : tensor<1x8x?x?xf32>, tensor<4x?x32xf16>, tensor<2x5x3xf32>
}

// -----

// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<?x?x64xbf16>, %w: tensor<256x64xbf16>, %b: tensor<256xbf16>,
                  %w2: tensor<64x8xbf16>) -> (tensor<?x?x256xbf16>, tensor<?x?x8xbf16>) {
  // CHECK: ds.linear %{{.*}}, %{{.*}}, %{{.*}} {transpose_w} : (tensor<?x?x64xbf16>, tensor<256x64xbf16>, tensor<256xbf16>) -> tensor<?x?x256xbf16>
  %0 = ds.linear %x, %w, %b {transpose_w} : (tensor<?x?x64xbf16>, tensor<256x64xbf16>, tensor<256xbf16>) -> tensor<?x?x256xbf16>
  // CHECK: ds.linear %{{.*}}, %{{.*}} : (tensor<?x?x64xbf16>, tensor<64x8xbf16>) -> tensor<?x?x8xbf16>
  %1 = ds.linear %x, %w2 : (tensor<?x?x64xbf16>, tensor<64x8xbf16>) -> tensor<?x?x8xbf16>
  return %0, %1 : tensor<?x?x256xbf16>, tensor<?x?x8xbf16>
}

// -----

// CHECK-LABEL: func.func @reduce
func.func @reduce(%x: tensor<?x4x64xf32>, %i: tensor<3x?xi32>, %m: tensor<8xi1>)
    -> (tensor<?x4x1xf32>, tensor<4xf32>, tensor<i32>, tensor<?xf32>, tensor<?x4x64xf32>, tensor<i1>) {
  // CHECK: ds.reduce mean %{{.*}} {axes = array<i64: -1>, keep_dims} : tensor<?x4x64xf32> -> tensor<?x4x1xf32>
  %0 = ds.reduce mean %x {axes = array<i64: -1>, keep_dims} : tensor<?x4x64xf32> -> tensor<?x4x1xf32>
  // CHECK: ds.reduce log_sum_exp %{{.*}} {axes = array<i64: 0, 2>} : tensor<?x4x64xf32> -> tensor<4xf32>
  %1 = ds.reduce log_sum_exp %x {axes = array<i64: 0, 2>} : tensor<?x4x64xf32> -> tensor<4xf32>
  // CHECK: ds.reduce prod %{{.*}} {axes = array<i64: 1, 0>} : tensor<3x?xi32> -> tensor<i32>
  %2 = ds.reduce prod %i {axes = array<i64: 1, 0>} : tensor<3x?xi32> -> tensor<i32>
  // CHECK: ds.reduce l2 %{{.*}} {axes = array<i64: 1, 2>} : tensor<?x4x64xf32> -> tensor<?xf32>
  %3 = ds.reduce l2 %x {axes = array<i64: 1, 2>} : tensor<?x4x64xf32> -> tensor<?xf32>
  // An empty axes list applies the element function only (here: x * x).
  // CHECK: ds.reduce sum_square %{{.*}} {axes = array<i64>} : tensor<?x4x64xf32> -> tensor<?x4x64xf32>
  %4 = ds.reduce sum_square %x {axes = array<i64>} : tensor<?x4x64xf32> -> tensor<?x4x64xf32>
  // CHECK: ds.reduce max %{{.*}} {axes = array<i64: 0>} : tensor<8xi1> -> tensor<i1>
  %5 = ds.reduce max %m {axes = array<i64: 0>} : tensor<8xi1> -> tensor<i1>
  return %0, %1, %2, %3, %4, %5 : tensor<?x4x1xf32>, tensor<4xf32>, tensor<i32>, tensor<?xf32>, tensor<?x4x64xf32>, tensor<i1>
}

// -----

// CHECK-LABEL: func.func @arg_reduce
func.func @arg_reduce(%x: tensor<?x32000xf32>, %y: tensor<4x?xi32>) -> (tensor<?xi64>, tensor<1x?xi64>) {
  // CHECK: ds.arg_reduce argmax %{{.*}} {axis = -1 : i64} : tensor<?x32000xf32> -> tensor<?xi64>
  %0 = ds.arg_reduce argmax %x {axis = -1 : i64} : tensor<?x32000xf32> -> tensor<?xi64>
  // CHECK: ds.arg_reduce argmin %{{.*}} {axis = 0 : i64, keep_dims, select_last_index} : tensor<4x?xi32> -> tensor<1x?xi64>
  %1 = ds.arg_reduce argmin %y {axis = 0 : i64, keep_dims, select_last_index} : tensor<4x?xi32> -> tensor<1x?xi64>
  return %0, %1 : tensor<?xi64>, tensor<1x?xi64>
}

// -----

// CHECK-LABEL: func.func @softmax
func.func @softmax(%x: tensor<1x8x?x?xf32>, %y: tensor<4x10xf16>) -> (tensor<1x8x?x?xf32>, tensor<4x10xf16>, tensor<4x10xf16>) {
  // CHECK: ds.softmax %{{.*}} : tensor<1x8x?x?xf32> -> tensor<1x8x?x?xf32>
  %0 = ds.softmax %x {axis = -1 : i64} : tensor<1x8x?x?xf32> -> tensor<1x8x?x?xf32>
  // The default axis is -1 and is not printed.
  // CHECK: ds.log_softmax %{{.*}} : tensor<4x10xf16> -> tensor<4x10xf16>
  %1 = ds.log_softmax %y : tensor<4x10xf16> -> tensor<4x10xf16>
  // CHECK: ds.hardmax %{{.*}} {axis = 0 : i64} : tensor<4x10xf16> -> tensor<4x10xf16>
  %2 = ds.hardmax %y {axis = 0 : i64} : tensor<4x10xf16> -> tensor<4x10xf16>
  return %0, %1, %2 : tensor<1x8x?x?xf32>, tensor<4x10xf16>, tensor<4x10xf16>
}

// -----

// CHECK-LABEL: func.func @cumsum_topk
func.func @cumsum_topk(%x: tensor<2x?xi64>, %s: tensor<?x256xf32>) -> (tensor<2x?xi64>, tensor<?x8xf32>, tensor<?x8xi64>, tensor<1x256xf32>, tensor<1x256xi64>) {
  // CHECK: ds.cumsum %{{.*}} {axis = 1 : i64, exclusive, reverse} : tensor<2x?xi64> -> tensor<2x?xi64>
  %0 = ds.cumsum %x {axis = 1 : i64, exclusive, reverse} : tensor<2x?xi64> -> tensor<2x?xi64>
  // CHECK: ds.topk %{{.*}} {k = 8 : i64} : tensor<?x256xf32> -> (tensor<?x8xf32>, tensor<?x8xi64>)
  %v, %i = ds.topk %s {axis = -1 : i64, k = 8 : i64} : tensor<?x256xf32> -> (tensor<?x8xf32>, tensor<?x8xi64>)
  // A dynamic axis can still give k rows.
  // CHECK: ds.topk %{{.*}} {axis = 0 : i64, k = 1 : i64, largest = false, sorted = false}
  %v2, %i2 = ds.topk %s {axis = 0 : i64, k = 1 : i64, largest = false, sorted = false} : tensor<?x256xf32> -> (tensor<1x256xf32>, tensor<1x256xi64>)
  return %0, %v, %i, %v2, %i2 : tensor<2x?xi64>, tensor<?x8xf32>, tensor<?x8xi64>, tensor<1x256xf32>, tensor<1x256xi64>
}

// -----

// Result types may be more static than the inferred ones.
// CHECK-LABEL: func.func @refined
func.func @refined(%a: tensor<?x16xf32>, %b: tensor<16x?xf32>) -> tensor<4x8xf32> {
  // CHECK: ds.matmul %{{.*}}, %{{.*}} : (tensor<?x16xf32>, tensor<16x?xf32>) -> tensor<4x8xf32>
  %0 = ds.matmul %a, %b : (tensor<?x16xf32>, tensor<16x?xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
