// RUN: ds-opt %s --split-input-file --canonicalize | FileCheck %s
// RUN: ds-opt %s --split-input-file --ds-fold-shapes | FileCheck %s --check-prefix=REFINE

// The PyTorch pattern: Shape -> Gather -> Unsqueeze -> Concat -> Reshape with static
// input dims folds to a constant shape and a static reshape.
// CHECK-LABEL: func.func @shape_subgraph_static
// CHECK-NOT: ds.shape_of
// CHECK-NOT: ds.gather
// CHECK-NOT: ds.concat
// CHECK: %[[S:.*]] = ds.constant dense<[2, 3, 4, 16]> : tensor<4xi64>
// CHECK: ds.reshape %{{.*}}, %[[S]] : (tensor<2x3x64xf32>, tensor<4xi64>) -> tensor<2x3x4x16xf32>
func.func @shape_subgraph_static(%x: tensor<2x3x64xf32>) -> tensor<2x3x4x16xf32> {
  %s = ds.shape_of %x {start = 0 : i64, end = 3 : i64} : tensor<2x3x64xf32> -> tensor<3xi64>
  %i0 = ds.constant dense<0> : tensor<i64>
  %i1 = ds.constant dense<1> : tensor<i64>
  %d0 = ds.gather %s, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %d1 = ds.gather %s, %i1 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %u0 = ds.unsqueeze %d0 {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %u1 = ds.unsqueeze %d1 {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %h = ds.constant dense<4> : tensor<1xi64>
  %w = ds.constant dense<16> : tensor<1xi64>
  %shape = ds.concat %u0, %u1, %h, %w {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %y = ds.reshape %x, %shape : (tensor<2x3x64xf32>, tensor<4xi64>) -> tensor<2x3x4x16xf32>
  return %y : tensor<2x3x4x16xf32>
}

// -----

// With dynamic dims the sub-graph stays; only the static entry is read.
// Gathering a static dim of a partly dynamic shape folds.
// CHECK-LABEL: func.func @shape_subgraph_dynamic
// CHECK: %[[C:.*]] = ds.constant dense<64> : tensor<i64>
// CHECK: ds.shape_of
// CHECK: ds.gather
// CHECK: ds.concat
// CHECK: ds.reshape {{.*}} -> tensor<?x?x4x16xf32>
// CHECK: return {{.*}}, %[[C]]
func.func @shape_subgraph_dynamic(%x: tensor<?x?x64xf32>) -> (tensor<?x?x4x16xf32>, tensor<i64>) {
  %s = ds.shape_of %x {start = 0 : i64, end = 3 : i64} : tensor<?x?x64xf32> -> tensor<3xi64>
  %i0 = ds.constant dense<0> : tensor<i64>
  %i1 = ds.constant dense<1> : tensor<i64>
  %i2 = ds.constant dense<2> : tensor<i64>
  %d0 = ds.gather %s, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %d1 = ds.gather %s, %i1 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %d2 = ds.gather %s, %i2 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %u0 = ds.unsqueeze %d0 {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %u1 = ds.unsqueeze %d1 {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %h = ds.constant dense<4> : tensor<1xi64>
  %w = ds.constant dense<16> : tensor<1xi64>
  %shape = ds.concat %u0, %u1, %h, %w {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %y = ds.reshape %x, %shape : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x4x16xf32>
  return %y, %d2 : tensor<?x?x4x16xf32>, tensor<i64>
}

// -----

// A result type that is less static than the shape operand allows is refined by
// ds-fold-shapes; a -1 next to the input's own dims is inferred.
// REFINE-LABEL: func.func @refine
// REFINE: ds.reshape {{.*}} -> tensor<?x?x64xf32>
func.func @refine(%x: tensor<?x?x4x16xf32>) -> tensor<?x?x?xf32> {
  %s = ds.shape_of %x {start = 0 : i64, end = 2 : i64} : tensor<?x?x4x16xf32> -> tensor<2xi64>
  %m = ds.constant dense<-1> : tensor<1xi64>
  %shape = ds.concat %s, %m {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %y = ds.reshape %x, %shape : (tensor<?x?x4x16xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// -----

// The -1 is not inferred from the dims of another tensor.
// REFINE-LABEL: func.func @no_refine_other_tensor
// REFINE: ds.reshape {{.*}} -> tensor<?x?x?xf32>
func.func @no_refine_other_tensor(%x: tensor<?x?x4x16xf32>, %z: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %s = ds.shape_of %z {start = 0 : i64, end = 2 : i64} : tensor<?x?xf32> -> tensor<2xi64>
  %m = ds.constant dense<-1> : tensor<1xi64>
  %shape = ds.concat %s, %m {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  %y = ds.reshape %x, %shape : (tensor<?x?x4x16xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_folds
// CHECK-DAG: %[[C:.*]] = ds.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
// CHECK-DAG: %[[S:.*]] = ds.constant dense<[4, 16]> : tensor<2xi64>
// CHECK: %[[R:.*]] = ds.reshape %arg0, %[[S]] : (tensor<64xf32>, tensor<2xi64>) -> tensor<4x16xf32>
// CHECK: return %[[C]], %[[R]], %arg0
func.func @reshape_folds(%x: tensor<64xf32>) -> (tensor<2x3xi64>, tensor<4x16xf32>, tensor<64xf32>) {
  %c = ds.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
  %s = ds.constant dense<[2, -1]> : tensor<2xi64>
  %0 = ds.reshape %c, %s : (tensor<6xi64>, tensor<2xi64>) -> tensor<2x3xi64>
  // reshape of reshape keeps only the outer one; [0, 16] becomes explicit.
  %s1 = ds.constant dense<[8, 8]> : tensor<2xi64>
  %s2 = ds.constant dense<[4, -1]> : tensor<2xi64>
  %1 = ds.reshape %x, %s1 : (tensor<64xf32>, tensor<2xi64>) -> tensor<8x8xf32>
  %2 = ds.reshape %1, %s2 : (tensor<8x8xf32>, tensor<2xi64>) -> tensor<4x16xf32>
  // Identity reshape.
  %s3 = ds.constant dense<[64]> : tensor<1xi64>
  %3 = ds.reshape %x, %s3 : (tensor<64xf32>, tensor<1xi64>) -> tensor<64xf32>
  return %0, %2, %3 : tensor<2x3xi64>, tensor<4x16xf32>, tensor<64xf32>
}

// -----

// A 0 entry copies a dim of the middle tensor: no reshape-of-reshape fold.
// CHECK-LABEL: func.func @reshape_no_fold_zero
// CHECK: %[[A:.*]] = ds.reshape %arg0
// CHECK: ds.reshape %[[A]]
func.func @reshape_no_fold_zero(%x: tensor<?xf32>, %s1: tensor<2xi64>) -> tensor<?x?xf32> {
  %a = ds.reshape %x, %s1 : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %s2 = ds.constant dense<[0, -1]> : tensor<2xi64>
  %b = ds.reshape %a, %s2 : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %b : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_folds
// CHECK-DAG: %[[C:.*]] = ds.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
// CHECK-DAG: %[[T:.*]] = ds.transpose %arg0 {perm = array<i64: 2, 0, 1>}
// CHECK: return %[[C]], %[[T]], %arg0
func.func @transpose_folds(%x: tensor<2x3x4xf32>) -> (tensor<3x2xi64>, tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  %c = ds.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = ds.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xi64> -> tensor<3x2xi64>
  %a = ds.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %b = ds.transpose %a {perm = array<i64: 2, 1, 0>} : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  %i = ds.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0, %b, %i : tensor<3x2xi64>, tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_slice_gather_folds
// CHECK-DAG: %[[A:.*]] = ds.constant dense<[1, 2, 3, 4, 5]> : tensor<5xi64>
// CHECK-DAG: %[[B:.*]] = ds.constant dense<[4, 2]> : tensor<2xi64>
// CHECK-DAG: %[[G:.*]] = ds.constant dense<{{\[}}[3, 4], [1, 2]]> : tensor<2x2xi64>
// CHECK-DAG: %[[R:.*]] = ds.constant dense<[5, 4, 3, 2, 1]> : tensor<5xi64>
// CHECK: return %[[A]], %[[B]], %[[G]], %[[R]]
func.func @concat_slice_gather_folds() -> (tensor<5xi64>, tensor<2xi64>, tensor<2x2xi64>, tensor<5xi64>) {
  %a = ds.constant dense<[1, 2]> : tensor<2xi64>
  %b = ds.constant dense<[3, 4, 5]> : tensor<3xi64>
  %0 = ds.concat %a, %b {axis = 0 : i64} : (tensor<2xi64>, tensor<3xi64>) -> tensor<5xi64>
  %st = ds.constant dense<[-2]> : tensor<1xi64>
  %en = ds.constant dense<[0]> : tensor<1xi64>
  %ax = ds.constant dense<[0]> : tensor<1xi64>
  %sp = ds.constant dense<[-2]> : tensor<1xi64>
  %1 = ds.slice %0, %st, %en, %ax, %sp : (tensor<5xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %m = ds.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %i = ds.constant dense<[-1, 0]> : tensor<2xi64>
  %2 = ds.gather %m, %i {axis = 0 : i64} : (tensor<2x2xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  // Full reverse with INT64 bounds.
  %rs = ds.constant dense<[-1]> : tensor<1xi64>
  %re = ds.constant dense<[-9223372036854775807]> : tensor<1xi64>
  %rp = ds.constant dense<[-1]> : tensor<1xi64>
  %3 = ds.slice %0, %rs, %re, %ax, %rp : (tensor<5xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5xi64>
  return %0, %1, %2, %3 : tensor<5xi64>, tensor<2xi64>, tensor<2x2xi64>, tensor<5xi64>
}

// -----

// A slice [0:INT64_MAX] of a dynamic dim is the identity; [1:] is not.
// CHECK-LABEL: func.func @slice_identity
// CHECK: %[[S:.*]] = ds.slice
// CHECK: return %arg0, %[[S]]
func.func @slice_identity(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %z = ds.constant dense<[0]> : tensor<1xi64>
  %o = ds.constant dense<[1]> : tensor<1xi64>
  %e = ds.constant dense<[9223372036854775807]> : tensor<1xi64>
  %0 = ds.slice %x, %z, %e, %z, %o : (tensor<?x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  %1 = ds.slice %x, %o, %e, %z, %o : (tensor<?x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @range_fill_expand_folds
// CHECK-DAG: %[[R:.*]] = ds.constant dense<[0, 2, 4]> : tensor<3xi64>
// CHECK-DAG: %[[F:.*]] = ds.constant dense<0xFF800000> : tensor<2x3xf32>
// CHECK-DAG: %[[E:.*]] = ds.constant dense<{{\[}}[0, 2, 4], [0, 2, 4]]> : tensor<2x3xi64>
// CHECK-DAG: %[[RF:.*]] = ds.constant dense<[1.000000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK: return %[[R]], %[[F]], %[[E]], %[[RF]]
func.func @range_fill_expand_folds() -> (tensor<3xi64>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2xf32>) {
  %s = ds.constant dense<0> : tensor<i64>
  %l = ds.constant dense<5> : tensor<i64>
  %d = ds.constant dense<2> : tensor<i64>
  %0 = ds.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  %shape = ds.constant dense<[2, 3]> : tensor<2xi64>
  %1 = ds.fill %shape {value = 0xFF800000 : f32} : tensor<2xi64> -> tensor<2x3xf32>
  %2 = ds.expand %0, %shape : (tensor<3xi64>, tensor<2xi64>) -> tensor<2x3xi64>
  %fs = ds.constant dense<1.0> : tensor<f32>
  %fl = ds.constant dense<2.0> : tensor<f32>
  %fd = ds.constant dense<0.5> : tensor<f32>
  %3 = ds.range %fs, %fl, %fd : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<3xi64>, tensor<2x3xf32>, tensor<2x3xi64>, tensor<2xf32>
}

// -----

// A range with a dynamic limit and a fill with a dynamic shape stay.
// CHECK-LABEL: func.func @no_fold_dynamic
// CHECK: ds.range
// CHECK: ds.fill
// CHECK: ds.expand
func.func @no_fold_dynamic(%n: tensor<i64>, %shape: tensor<2xi64>, %x: tensor<3xf32>) -> (tensor<?xi64>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %s = ds.constant dense<0> : tensor<i64>
  %d = ds.constant dense<1> : tensor<i64>
  %0 = ds.range %s, %n, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %1 = ds.fill %shape {value = 1.0 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  %2 = ds.expand %x, %shape : (tensor<3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0, %1, %2 : tensor<?xi64>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze_unsqueeze_split_folds
// CHECK-DAG: %[[U:.*]] = ds.constant dense<7> : tensor<1xi64>
// CHECK-DAG: %[[S:.*]] = ds.constant dense<7> : tensor<i64>
// CHECK-DAG: %[[P0:.*]] = ds.constant dense<[1, 2]> : tensor<2xi64>
// CHECK-DAG: %[[P1:.*]] = ds.constant dense<3> : tensor<1xi64>
// CHECK: return %[[U]], %[[S]], %[[P0]], %[[P1]]
func.func @squeeze_unsqueeze_split_folds() -> (tensor<1xi64>, tensor<i64>, tensor<2xi64>, tensor<1xi64>) {
  %c = ds.constant dense<7> : tensor<i64>
  %0 = ds.unsqueeze %c {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
  %1 = ds.squeeze %0 {axes = array<i64: 0>} : tensor<1xi64> -> tensor<i64>
  %v = ds.constant dense<[1, 2, 3]> : tensor<3xi64>
  %2:2 = ds.split %v {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<3xi64>) -> (tensor<2xi64>, tensor<1xi64>)
  return %0, %1, %2#0, %2#1 : tensor<1xi64>, tensor<i64>, tensor<2xi64>, tensor<1xi64>
}

// -----

// CHECK-LABEL: func.func @pad_tile_trilu_eye_folds
// CHECK-DAG: ds.constant dense<[0, 1, 2, 0]> : tensor<4xi64>
// CHECK-DAG: ds.constant dense<[2, 1, 2, 1]> : tensor<4xi64>
// CHECK-DAG: ds.constant dense<[1, 2, 1, 2]> : tensor<4xi64>
// CHECK-DAG: ds.constant dense<{{\[}}[1, 1], [0, 1]]> : tensor<2x2xi64>
// CHECK-DAG: ds.constant dense<{{\[}}[0.000000e+00, 1.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 1.000000e+00]]> : tensor<2x3xf32>
func.func @pad_tile_trilu_eye_folds() -> (tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<2x2xi64>, tensor<2x3xf32>) {
  %v = ds.constant dense<[1, 2]> : tensor<2xi64>
  %p = ds.constant dense<[1, 1]> : tensor<2xi64>
  %0 = ds.pad constant %v, %p : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  %1 = ds.pad reflect %v, %p : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  %r = ds.constant dense<[2]> : tensor<1xi64>
  %2 = ds.tile %v, %r : (tensor<2xi64>, tensor<1xi64>) -> tensor<4xi64>
  %ones = ds.constant dense<1> : tensor<2x2xi64>
  %3 = ds.trilu %ones : (tensor<2x2xi64>) -> tensor<2x2xi64>
  %m = ds.constant dense<0> : tensor<2x3xi64>
  %4 = ds.eye_like %m {dtype = f32, k = 1 : i64} : tensor<2x3xi64> -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<2x2xi64>, tensor<2x3xf32>
}

// -----

// Constants too large to fold stay as ops (only splats fold at any size).
// CHECK-LABEL: func.func @no_fold_large
// CHECK: ds.range
func.func @no_fold_large() -> tensor<100000xi64> {
  %s = ds.constant dense<0> : tensor<i64>
  %l = ds.constant dense<100000> : tensor<i64>
  %d = ds.constant dense<1> : tensor<i64>
  %0 = ds.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<100000xi64>
  return %0 : tensor<100000xi64>
}

// -----

// gather_nd of constants: index tuples (negative ones from the back), a batch dim,
// and a splat input.
// CHECK-LABEL: func.func @gather_nd_folds
// CHECK-NOT: ds.gather_nd
// CHECK-DAG: %[[A:.*]] = ds.constant dense<[5, 1, 3]> : tensor<3xi64>
// CHECK-DAG: %[[B:.*]] = ds.constant dense<{{\[}}[2, 3], [4, 5]]> : tensor<2x2xi64>
// CHECK-DAG: %[[C:.*]] = ds.constant dense<7.000000e+00> : tensor<2x3xf32>
// CHECK: return %[[A]], %[[B]], %[[C]]
func.func @gather_nd_folds() -> (tensor<3xi64>, tensor<2x2xi64>, tensor<2x3xf32>) {
  %d = ds.constant dense<[[0, 1, 2], [3, 4, 5]]> : tensor<2x3xi64>
  %i = ds.constant dense<[[1, 2], [0, 1], [-1, -3]]> : tensor<3x2xi64>
  %0 = ds.gather_nd %d, %i : (tensor<2x3xi64>, tensor<3x2xi64>) -> tensor<3xi64>
  %b = ds.constant dense<[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]> : tensor<2x2x2xi64>
  %bi = ds.constant dense<[[1], [0]]> : tensor<2x1xi64>
  %1 = ds.gather_nd %b, %bi {batch_dims = 1 : i64} : (tensor<2x2x2xi64>, tensor<2x1xi64>) -> tensor<2x2xi64>
  %s = ds.constant dense<7.0> : tensor<4x3xf32>
  %si = ds.constant dense<[[3], [0]]> : tensor<2x1xi64>
  %2 = ds.gather_nd %s, %si : (tensor<4x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<3xi64>, tensor<2x2xi64>, tensor<2x3xf32>
}

// -----

// An index out of range (even into a splat) and non-constant indices do not fold.
// CHECK-LABEL: func.func @gather_nd_no_fold
// CHECK-COUNT-2: ds.gather_nd
func.func @gather_nd_no_fold(%i: tensor<1x1xi64>) -> (tensor<1x3xf32>, tensor<1x3xf32>) {
  %s = ds.constant dense<7.0> : tensor<4x3xf32>
  %oob = ds.constant dense<[[4]]> : tensor<1x1xi64>
  %0 = ds.gather_nd %s, %oob : (tensor<4x3xf32>, tensor<1x1xi64>) -> tensor<1x3xf32>
  %1 = ds.gather_nd %s, %i : (tensor<4x3xf32>, tensor<1x1xi64>) -> tensor<1x3xf32>
  return %0, %1 : tensor<1x3xf32>, tensor<1x3xf32>
}

// -----

// scatter_elements of constants: plain writes along axis 1, and repeated indices
// combined by add, mul, max and min.
// CHECK-LABEL: func.func @scatter_elements_folds
// CHECK-NOT: ds.scatter_elements
// CHECK-DAG: %[[A:.*]] = ds.constant dense<{{\[}}[0, 10, 2], [3, 4, 40]]> : tensor<2x3xi64>
// CHECK-DAG: %[[B:.*]] = ds.constant dense<[1.000000e+00, 6.000000e+00, 1.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[C:.*]] = ds.constant dense<[1, 6, 1]> : tensor<3xi32>
// CHECK-DAG: %[[D:.*]] = ds.constant dense<[1, 3, 1]> : tensor<3xi32>
// CHECK-DAG: %[[E:.*]] = ds.constant dense<[1, -2, 1]> : tensor<3xi32>
// CHECK: return %[[A]], %[[B]], %[[C]], %[[D]], %[[E]]
func.func @scatter_elements_folds() -> (tensor<2x3xi64>, tensor<3xf32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>) {
  %d = ds.constant dense<[[0, 1, 2], [3, 4, 5]]> : tensor<2x3xi64>
  %i = ds.constant dense<[[1], [-1]]> : tensor<2x1xi64>
  %u = ds.constant dense<[[10], [40]]> : tensor<2x1xi64>
  %0 = ds.scatter_elements none %d, %i, %u {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2x1xi64>, tensor<2x1xi64>) -> tensor<2x3xi64>
  %f = ds.constant dense<1.0> : tensor<3xf32>
  %fi = ds.constant dense<[1, 1]> : tensor<2xi64>
  %fu = ds.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %1 = ds.scatter_elements add %f, %fi, %fu {axis = 0 : i64} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  %n = ds.constant dense<1> : tensor<3xi32>
  %nu = ds.constant dense<[2, 3]> : tensor<2xi32>
  %2 = ds.scatter_elements mul %n, %fi, %nu {axis = 0 : i64} : (tensor<3xi32>, tensor<2xi64>, tensor<2xi32>) -> tensor<3xi32>
  %3 = ds.scatter_elements max %n, %fi, %nu {axis = 0 : i64} : (tensor<3xi32>, tensor<2xi64>, tensor<2xi32>) -> tensor<3xi32>
  %neg = ds.constant dense<[-2, 3]> : tensor<2xi32>
  %4 = ds.scatter_elements min %n, %fi, %neg {axis = 0 : i64} : (tensor<3xi32>, tensor<2xi64>, tensor<2xi32>) -> tensor<3xi32>
  return %0, %1, %2, %3, %4 : tensor<2x3xi64>, tensor<3xf32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>
}

// -----

// Repeated indices without a reduction (undefined order), an index out of range, a
// bool add and non-constant updates do not fold.
// CHECK-LABEL: func.func @scatter_elements_no_fold
// CHECK-COUNT-4: ds.scatter_elements
func.func @scatter_elements_no_fold(%u: tensor<2xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi1>, tensor<3xf32>) {
  %f = ds.constant dense<1.0> : tensor<3xf32>
  %fi = ds.constant dense<[1, 1]> : tensor<2xi64>
  %fu = ds.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %0 = ds.scatter_elements none %f, %fi, %fu {axis = 0 : i64} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  %oob = ds.constant dense<[0, 3]> : tensor<2xi64>
  %1 = ds.scatter_elements add %f, %oob, %fu {axis = 0 : i64} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  %b = ds.constant dense<false> : tensor<3xi1>
  %bu = ds.constant dense<true> : tensor<2xi1>
  %2 = ds.scatter_elements add %b, %fi, %bu {axis = 0 : i64} : (tensor<3xi1>, tensor<2xi64>, tensor<2xi1>) -> tensor<3xi1>
  %3 = ds.scatter_elements add %f, %fi, %u {axis = 0 : i64} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xi1>, tensor<3xf32>
}

// -----

// scatter_nd of constants: rows addressed by 1-tuples (negative from the back), and
// one element written twice combined by mul.
// CHECK-LABEL: func.func @scatter_nd_folds
// CHECK-NOT: ds.scatter_nd
// CHECK-DAG: %[[A:.*]] = ds.constant dense<{{\[}}[7, 8], [2, 3], [5, 6]]> : tensor<3x2xi64>
// CHECK-DAG: %[[B:.*]] = ds.constant dense<{{\[}}[1, 2], [3, 24]]> : tensor<2x2xi32>
// CHECK: return %[[A]], %[[B]]
func.func @scatter_nd_folds() -> (tensor<3x2xi64>, tensor<2x2xi32>) {
  %d = ds.constant dense<[[0, 1], [2, 3], [4, 5]]> : tensor<3x2xi64>
  %i = ds.constant dense<[[-1], [0]]> : tensor<2x1xi64>
  %u = ds.constant dense<[[5, 6], [7, 8]]> : tensor<2x2xi64>
  %0 = ds.scatter_nd none %d, %i, %u : (tensor<3x2xi64>, tensor<2x1xi64>, tensor<2x2xi64>) -> tensor<3x2xi64>
  %m = ds.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %mi = ds.constant dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>
  %mu = ds.constant dense<[2, 3]> : tensor<2xi32>
  %1 = ds.scatter_nd mul %m, %mi, %mu : (tensor<2x2xi32>, tensor<2x2xi64>, tensor<2xi32>) -> tensor<2x2xi32>
  return %0, %1 : tensor<3x2xi64>, tensor<2x2xi32>
}

// -----

// A slice written twice without a reduction and an index out of range do not fold.
// CHECK-LABEL: func.func @scatter_nd_no_fold
// CHECK-COUNT-2: ds.scatter_nd
func.func @scatter_nd_no_fold() -> (tensor<2x2xi32>, tensor<2x2xi32>) {
  %m = ds.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %mi = ds.constant dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>
  %mu = ds.constant dense<[2, 3]> : tensor<2xi32>
  %0 = ds.scatter_nd none %m, %mi, %mu : (tensor<2x2xi32>, tensor<2x2xi64>, tensor<2xi32>) -> tensor<2x2xi32>
  %oob = ds.constant dense<[[2, 0], [0, 0]]> : tensor<2x2xi64>
  %1 = ds.scatter_nd add %m, %oob, %mu : (tensor<2x2xi32>, tensor<2x2xi64>, tensor<2xi32>) -> tensor<2x2xi32>
  return %0, %1 : tensor<2x2xi32>, tensor<2x2xi32>
}

// -----

// one_hot of constant indices: the last axis and axis 0, negative indices from the
// back, an index out of range gives an all-off row.
// CHECK-LABEL: func.func @one_hot_folds
// CHECK-NOT: ds.one_hot
// CHECK-DAG: %[[A:.*]] = ds.constant dense<{{\[}}[5, 9, 5], [5, 5, 9], [5, 5, 5]]> : tensor<3x3xi64>
// CHECK-DAG: %[[B:.*]] = ds.constant dense<{{\[}}[0.000000e+00, 1.000000e+00], [1.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK: return %[[A]], %[[B]]
func.func @one_hot_folds() -> (tensor<3x3xi64>, tensor<2x2xf32>) {
  %i = ds.constant dense<[1, -1, 3]> : tensor<3xi64>
  %d = ds.constant dense<3> : tensor<i64>
  %v = ds.constant dense<[5, 9]> : tensor<2xi64>
  %0 = ds.one_hot %i, %d, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xi64>) -> tensor<3x3xi64>
  %j = ds.constant dense<[1, 0]> : tensor<2xi32>
  %e = ds.constant dense<[2]> : tensor<1xi64>
  %w = ds.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %1 = ds.one_hot %j, %e, %w {axis = 0 : i64} : (tensor<2xi32>, tensor<1xi64>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0, %1 : tensor<3x3xi64>, tensor<2x2xf32>
}

// -----

// Indices or depth known only at run time do not fold.
// CHECK-LABEL: func.func @one_hot_no_fold
// CHECK-COUNT-2: ds.one_hot
func.func @one_hot_no_fold(%i: tensor<3xi64>, %d: tensor<i64>) -> (tensor<3x3xi64>, tensor<3x?xi64>) {
  %c = ds.constant dense<[0, 1, 2]> : tensor<3xi64>
  %three = ds.constant dense<3> : tensor<i64>
  %v = ds.constant dense<[0, 1]> : tensor<2xi64>
  %0 = ds.one_hot %i, %three, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xi64>) -> tensor<3x3xi64>
  %1 = ds.one_hot %c, %d, %v {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>, tensor<2xi64>) -> tensor<3x?xi64>
  return %0, %1 : tensor<3x3xi64>, tensor<3x?xi64>
}
