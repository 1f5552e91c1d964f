// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes do not broadcast: 2x3 and 4}}
  %0 = ds.binary add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @binary_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{operands have different element types: 'f32' and 'f16'}}
  %0 = ds.binary add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unary_needs_float(%a: tensor<4xi64>) -> tensor<4xi64> {
  // expected-error @+1 {{'exp' needs floating-point elements, got 'i64'}}
  %0 = ds.unary exp %a : tensor<4xi64> -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @external_weight_length() -> tensor<4xf32> {
  // expected-error @+1 {{weight 'w' of type 'tensor<4xf32>' needs 16 bytes but its external data has length 8}}
  %w = ds.external_weight "w" from "model.onnx.data"[0, 8] : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

func.func @external_weight_escape() -> tensor<2xf32> {
  // expected-error @+1 {{weight 'w' has location '../secret'; it must be a relative path inside the model's directory}}
  %w = ds.external_weight "w" from "../secret"[0, 8] : tensor<2xf32>
  return %w : tensor<2xf32>
}

// -----

func.func @kernel_yield_type(%a: tensor<8xf32>) -> tensor<8xf16> {
  // expected-error @+1 {{yielded value #0 has type 'tensor<8xf32>' but result #0 has type 'tensor<8xf16>'}}
  %r = ds.kernel "k" ins(%a : tensor<8xf32>) -> tensor<8xf16> {
  ^bb0(%x: tensor<8xf32>):
    ds.yield %x : tensor<8xf32>
  }
  return %r : tensor<8xf16>
}
