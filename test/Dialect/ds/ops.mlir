// RUN: ds-opt %s --split-input-file | ds-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<2x?xf32>, %b: tensor<?xf32>, %c: tensor<2x1xi1>) -> tensor<2x?xf32> {
  // CHECK: ds.unary exp %{{.*}} : tensor<2x?xf32> -> tensor<2x?xf32>
  %0 = ds.unary exp %a : tensor<2x?xf32> -> tensor<2x?xf32>
  // CHECK: ds.unary leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %1 = ds.unary leaky_relu %0 {alpha = 0.1 : f32} : tensor<2x?xf32> -> tensor<2x?xf32>
  // CHECK: ds.binary add %{{.*}}, %{{.*}} : (tensor<2x?xf32>, tensor<?xf32>) -> tensor<2x?xf32>
  %2 = ds.binary add %1, %b : (tensor<2x?xf32>, tensor<?xf32>) -> tensor<2x?xf32>
  // CHECK: ds.compare lt
  %3 = ds.compare lt %2, %a : (tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x?xi1>
  // CHECK: ds.select
  %4 = ds.select %c, %2, %a : (tensor<2x1xi1>, tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
  return %4 : tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @data
func.func @data() -> (tensor<4xf16>, tensor<2x2xf32>) {
  // CHECK: ds.external_weight "w" from "model.onnx.data"[128, 8] : tensor<4xf16>
  %w = ds.external_weight "w" from "model.onnx.data"[128, 8] : tensor<4xf16>
  // CHECK: ds.constant dense<1.000000e+00> : tensor<2x2xf32>
  %c = ds.constant dense<1.0> : tensor<2x2xf32>
  return %w, %c : tensor<4xf16>, tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @kernel
func.func @kernel(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: ds.kernel "silu_mul" ins(%{{.*}}, %{{.*}} : tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %r = ds.kernel "silu_mul" ins(%a, %b : tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>, %y: tensor<8xf32>):
    %s = ds.unary silu %x : tensor<8xf32> -> tensor<8xf32>
    %m = ds.binary mul %s, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    // CHECK: ds.yield
    ds.yield %m : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}
