// RUN: ds-opt %s --split-input-file --ds-fold-shapes | FileCheck %s

// Static dims of shape_of fold to a constant.
// CHECK-LABEL: func.func @shape_of_static
// CHECK: %[[C:.*]] = ds.constant dense<[2, 3]> : tensor<2xi64>
// CHECK: return %[[C]]
func.func @shape_of_static(%x: tensor<2x3x?xf32>) -> tensor<2xi64> {
  %s = ds.shape_of %x {start = 0 : i64, end = 2 : i64} : tensor<2x3x?xf32> -> tensor<2xi64>
  return %s : tensor<2xi64>
}

// -----

// A dynamic dim in the range keeps the op.
// CHECK-LABEL: func.func @shape_of_dynamic
// CHECK: ds.shape_of
func.func @shape_of_dynamic(%x: tensor<2x3x?xf32>) -> tensor<2xi64> {
  %s = ds.shape_of %x {start = 1 : i64, end = 3 : i64} : tensor<2x3x?xf32> -> tensor<2xi64>
  return %s : tensor<2xi64>
}

// -----

// Result types become as static as the operands allow, and the function's result
// types follow.
// CHECK-LABEL: func.func @refine
// CHECK-SAME: -> tensor<4x8xf32>
// CHECK: ds.unary exp %{{.*}} : tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK: ds.binary add %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
func.func @refine(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<?x?xf32> {
  %0 = ds.unary exp %x : tensor<4x8xf32> -> tensor<?x8xf32>
  %1 = ds.binary add %0, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// A dim that depends on a dynamic input stays dynamic.
// CHECK-LABEL: func.func @keep_dynamic
// CHECK-SAME: -> tensor<?x8xf32>
// CHECK: ds.unary exp %{{.*}} : tensor<?x8xf32> -> tensor<?x8xf32>
func.func @keep_dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = ds.unary exp %x : tensor<?x8xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// A declaration has no body: the pass leaves it alone.
// CHECK-LABEL: func.func private @declaration(tensor<?xf32>) -> tensor<?xf32>
func.func private @declaration(tensor<?xf32>) -> tensor<?xf32>
