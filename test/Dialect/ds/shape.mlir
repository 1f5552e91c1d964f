// RUN: ds-opt %s --split-input-file | ds-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<?x?x64xf32>, %s: tensor<4xi64>) -> (tensor<?x?x4x16xf32>, tensor<2x3xf32>) {
  // CHECK: ds.reshape %{{.*}}, %{{.*}} : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x4x16xf32>
  %0 = ds.reshape %x, %s : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x4x16xf32>
  %c = ds.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %z = ds.constant dense<[0, 3]> : tensor<2xi64>
  %e = ds.constant dense<[6]> : tensor<1xi64>
  %c6 = ds.reshape %c, %e : (tensor<6xf32>, tensor<1xi64>) -> tensor<?xf32>
  // CHECK: ds.reshape %{{.*}}, %{{.*}} {allow_zero = true}
  %1 = ds.reshape %c6, %z {allow_zero = true} : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  %2 = ds.reshape %1, %z : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0, %2 : tensor<?x?x4x16xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @shape_of
func.func @shape_of(%x: tensor<?x128x64xf32>) -> tensor<2xi64> {
  // CHECK: ds.shape_of %{{.*}} {end = 2 : i64, start = 0 : i64} : tensor<?x128x64xf32> -> tensor<2xi64>
  %0 = ds.shape_of %x {start = 0 : i64, end = 2 : i64} : tensor<?x128x64xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @movement
func.func @movement(%x: tensor<?x4x16xf32>, %y: tensor<?x4x8xf32>) -> (tensor<4x?x16xf32>, tensor<?x4x24xf32>, tensor<?x64xf32>) {
  // CHECK: ds.transpose %{{.*}} {perm = array<i64: 1, 0, 2>} : tensor<?x4x16xf32> -> tensor<4x?x16xf32>
  %0 = ds.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<?x4x16xf32> -> tensor<4x?x16xf32>
  // CHECK: ds.concat %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<?x4x16xf32>, tensor<?x4x8xf32>) -> tensor<?x4x24xf32>
  %1 = ds.concat %x, %y {axis = 2 : i64} : (tensor<?x4x16xf32>, tensor<?x4x8xf32>) -> tensor<?x4x24xf32>
  // CHECK: ds.flatten %{{.*}} {axis = 1 : i64} : tensor<?x4x16xf32> -> tensor<?x64xf32>
  %2 = ds.flatten %x {axis = 1 : i64} : tensor<?x4x16xf32> -> tensor<?x64xf32>
  return %0, %1, %2 : tensor<4x?x16xf32>, tensor<?x4x24xf32>, tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func.func @slice
func.func @slice(%x: tensor<8x?xf32>, %s: tensor<1xi64>, %e: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<8x?xf32>, tensor<?x?xf32>) {
  %st = ds.constant dense<[1]> : tensor<1xi64>
  %en = ds.constant dense<[-1]> : tensor<1xi64>
  %ax = ds.constant dense<[0]> : tensor<1xi64>
  %sp = ds.constant dense<[2]> : tensor<1xi64>
  // CHECK: ds.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<8x?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x?xf32>
  %0 = ds.slice %x, %st, %en, %ax, %sp : (tensor<8x?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x?xf32>
  %ax1 = ds.constant dense<[1]> : tensor<1xi64>
  %one = ds.constant dense<[1]> : tensor<1xi64>
  // CHECK: ds.slice {{.*}} -> tensor<8x?xf32>
  %1 = ds.slice %x, %s, %e, %ax1, %one : (tensor<8x?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<8x?xf32>
  // Unknown axes: every dim may change.
  // CHECK: ds.slice {{.*}} -> tensor<?x?xf32>
  %2 = ds.slice %x, %s, %e, %s, %one : (tensor<8x?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0, %1, %2 : tensor<3x?xf32>, tensor<8x?xf32>, tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @split
func.func @split(%x: tensor<4x7xf32>, %s: tensor<2xi64>) -> (tensor<4x4xf32>, tensor<4x3xf32>, tensor<4x?xf32>, tensor<4x?xf32>) {
  // CHECK: ds.split %{{.*}} {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<4x7xf32>) -> (tensor<4x4xf32>, tensor<4x3xf32>)
  %a:2 = ds.split %x {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<4x7xf32>) -> (tensor<4x4xf32>, tensor<4x3xf32>)
  // CHECK: ds.split %{{.*}}, %{{.*}} {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<4x7xf32>, tensor<2xi64>) -> (tensor<4x?xf32>, tensor<4x?xf32>)
  %b:2 = ds.split %x, %s {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<4x7xf32>, tensor<2xi64>) -> (tensor<4x?xf32>, tensor<4x?xf32>)
  return %a#0, %a#1, %b#0, %b#1 : tensor<4x4xf32>, tensor<4x3xf32>, tensor<4x?xf32>, tensor<4x?xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze_unsqueeze
func.func @squeeze_unsqueeze(%x: tensor<1x?x64xf32>) -> tensor<?x1x64xf32> {
  // CHECK: ds.squeeze %{{.*}} {axes = array<i64: 0>} : tensor<1x?x64xf32> -> tensor<?x64xf32>
  %0 = ds.squeeze %x {axes = array<i64: 0>} : tensor<1x?x64xf32> -> tensor<?x64xf32>
  // CHECK: ds.unsqueeze %{{.*}} {axes = array<i64: 1>} : tensor<?x64xf32> -> tensor<?x1x64xf32>
  %1 = ds.unsqueeze %0 {axes = array<i64: 1>} : tensor<?x64xf32> -> tensor<?x1x64xf32>
  return %1 : tensor<?x1x64xf32>
}

// -----

// CHECK-LABEL: func.func @expand_tile
func.func @expand_tile(%x: tensor<1x?xf32>, %s: tensor<3xi64>, %r: tensor<2xi64>) -> (tensor<?x?x?xf32>, tensor<?x?xf32>) {
  // CHECK: ds.expand %{{.*}}, %{{.*}} : (tensor<1x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %0 = ds.expand %x, %s : (tensor<1x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  // CHECK: ds.tile %{{.*}}, %{{.*}} : (tensor<1x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %1 = ds.tile %x, %r : (tensor<1x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0, %1 : tensor<?x?x?xf32>, tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @pad
func.func @pad(%x: tensor<2x8xf32>, %v: tensor<f32>) -> (tensor<4x10xf32>, tensor<2x10xf32>) {
  %p = ds.constant dense<[1, 1, 1, 1]> : tensor<4xi64>
  // CHECK: ds.pad constant %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x8xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  %0 = ds.pad constant %x, %p, %v : (tensor<2x8xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  %q = ds.constant dense<[1, 1]> : tensor<2xi64>
  // CHECK: ds.pad reflect %{{.*}}, %{{.*}} {axes = array<i64: 1>} : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x10xf32>
  %1 = ds.pad reflect %x, %q {axes = array<i64: 1>} : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x10xf32>
  return %0, %1 : tensor<4x10xf32>, tensor<2x10xf32>
}

// -----

// CHECK-LABEL: func.func @gather_scatter
func.func @gather_scatter(%x: tensor<4x8xf32>, %i: tensor<3xi64>, %e: tensor<4x2xi64>, %u: tensor<4x2xf32>, %n: tensor<3x1xi64>, %un: tensor<3x8xf32>)
    -> (tensor<3x8xf32>, tensor<4x2xf32>, tensor<3x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: ds.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<3x8xf32>
  %0 = ds.gather %x, %i {axis = 0 : i64} : (tensor<4x8xf32>, tensor<3xi64>) -> tensor<3x8xf32>
  // CHECK: ds.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
  %1 = ds.gather_elements %x, %e {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
  // CHECK: ds.gather_nd %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<3x1xi64>) -> tensor<3x8xf32>
  %2 = ds.gather_nd %x, %n : (tensor<4x8xf32>, tensor<3x1xi64>) -> tensor<3x8xf32>
  // CHECK: ds.scatter_elements add %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64}
  %3 = ds.scatter_elements add %x, %e, %u {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x8xf32>
  // CHECK: ds.scatter_nd max %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<3x1xi64>, tensor<3x8xf32>) -> tensor<4x8xf32>
  %4 = ds.scatter_nd max %x, %n, %un : (tensor<4x8xf32>, tensor<3x1xi64>, tensor<3x8xf32>) -> tensor<4x8xf32>
  return %0, %1, %2, %3, %4 : tensor<3x8xf32>, tensor<4x2xf32>, tensor<3x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @generators
func.func @generators(%n: tensor<i64>, %s: tensor<2xi64>, %m: tensor<?x?xf32>, %k: tensor<i64>, %i: tensor<4xi64>, %v: tensor<2xf32>)
    -> (tensor<?xi64>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<2x?xi64>, tensor<4x?xf32>, tensor<?x?xf16>) {
  %c0 = ds.constant dense<0> : tensor<i64>
  %c1 = ds.constant dense<1> : tensor<i64>
  // CHECK: ds.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %0 = ds.range %c0, %n, %c1 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK: ds.fill %{{.*}} {value = 0xFF800000 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  %1 = ds.fill %s {value = 0xFF800000 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  // CHECK: ds.trilu %{{.*}}, %{{.*}} {upper = false} : (tensor<?x?xf32>, tensor<i64>) -> tensor<?x?xf32>
  %2 = ds.trilu %m, %k {upper = false} : (tensor<?x?xf32>, tensor<i64>) -> tensor<?x?xf32>
  // CHECK: ds.nonzero %{{.*}} : tensor<?x?xf32> -> tensor<2x?xi64>
  %3 = ds.nonzero %m : tensor<?x?xf32> -> tensor<2x?xi64>
  // CHECK: ds.one_hot %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<4x?xf32>
  %4 = ds.one_hot %i, %n, %v {axis = 1 : i64} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<4x?xf32>
  // CHECK: ds.eye_like %{{.*}} {dtype = f16, k = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf16>
  %5 = ds.eye_like %m {dtype = f16, k = 1 : i64} : tensor<?x?xf32> -> tensor<?x?xf16>
  return %0, %1, %2, %3, %4, %5 : tensor<?xi64>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<2x?xi64>, tensor<4x?xf32>, tensor<?x?xf16>
}
