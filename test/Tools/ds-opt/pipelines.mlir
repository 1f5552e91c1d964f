// The named pipelines are registered and reproducible from ds-opt.
// RUN: ds-opt %s --ds-O0 | FileCheck %s --check-prefix=O0
// RUN: ds-opt %s --ds-O1 | FileCheck %s --check-prefix=O1
// RUN: ds-opt %s --ds-optimize | FileCheck %s --check-prefix=O1
// RUN: ds-opt --help | FileCheck %s --check-prefix=HELP

// O0-LABEL: func.func @f
// O0: ds.shape_of
// O0: ds.unary exp %{{.*}} : tensor<4x8xf32> -> tensor<?x8xf32>
// O1-LABEL: func.func @f
// O1-SAME: -> (tensor<2xi64>, tensor<4x8xf32>)
// O1: %[[C:.*]] = ds.constant dense<[4, 8]> : tensor<2xi64>
// O1: ds.unary exp %{{.*}} : tensor<4x8xf32> -> tensor<4x8xf32>
// O1-NOT: ds.shape_of
func.func @f(%x: tensor<4x8xf32>) -> (tensor<2xi64>, tensor<?x8xf32>) {
  %s = ds.shape_of %x {start = 0 : i64, end = 2 : i64} : tensor<4x8xf32> -> tensor<2xi64>
  %e = ds.unary exp %x : tensor<4x8xf32> -> tensor<?x8xf32>
  return %s, %e : tensor<2xi64>, tensor<?x8xf32>
}

// HELP-DAG: --ds-fold-shapes
// HELP-DAG: --ds-optimize
// HELP-DAG: --ds-O1
// HELP-DAG: --input-shape=<string>
// HELP-DAG: --input-format=<value>
