// Operands from which no result type can be inferred: the op names the operand.
// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @reshape_dynamic_shape_length(%x: tensor<6xf32>, %s: tensor<?xi64>) -> tensor<*xf32> {
  // expected-error @+2 {{'ds.reshape' op shape operand must have a static length, got 'tensor<?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.reshape %x, %s : (tensor<6xf32>, tensor<?xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @concat_no_inputs() -> tensor<2xf32> {
  // expected-error @+2 {{'ds.concat' op needs at least one input}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @expand_dynamic_shape_length(%x: tensor<1xf32>, %s: tensor<?xi64>) -> tensor<4xf32> {
  // expected-error @+2 {{'ds.expand' op shape operand must have a static length, got 'tensor<?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.expand %x, %s : (tensor<1xf32>, tensor<?xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gather_nd_dynamic_index_depth(%x: tensor<4x4xf32>, %i: tensor<2x?xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{'ds.gather_nd' op the last dim of indices must be static, got 'tensor<2x?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.gather_nd %x, %i : (tensor<4x4xf32>, tensor<2x?xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @fill_dynamic_shape_length(%s: tensor<?xi64>) -> tensor<4xf32> {
  // expected-error @+2 {{'ds.fill' op shape operand must have a static length, got 'tensor<?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.fill %s {value = 1.0 : f32} : tensor<?xi64> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fill_string_value(%s: tensor<1xi64>) -> tensor<4xf32> {
  // expected-error @+2 {{'ds.fill' op value must be an integer or float scalar, got "one"}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.fill %s {value = "one"} : tensor<1xi64> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @split_too_many_outputs(%x: tensor<4xf32>) {
  // expected-error @+2 {{'ds.split' op num_outputs 5000 is not in [1, 4096]}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  ds.split %x {axis = 0 : i64, num_outputs = 5000 : i64} : (tensor<4xf32>) -> ()
  return
}

// -----

func.func @eye_like_string_dtype(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  // expected-error @+2 {{'ds.eye_like' op dtype must be an integer or float type, got 'none'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.eye_like %x {dtype = none, k = 0 : i64} : tensor<2x2xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @split_result_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{has 3 results but 2 are inferred}}
  %0:3 = ds.split %x {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
  return
}
