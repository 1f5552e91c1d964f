// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @matmul_lhs_rank(%a: tensor<4xf32>, %b: tensor<4x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{lhs must have rank >= 2, got shape 4}}
  %0 = ds.matmul %a, %b : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @matmul_rhs_rank(%a: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{rhs must have rank >= 2, got shape 4}}
  %0 = ds.matmul %a, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @matmul_element_types(%a: tensor<2x4xf32>, %b: tensor<4x3xf16>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operands have different element types: 'f32' and 'f16'}}
  %0 = ds.matmul %a, %b : (tensor<2x4xf32>, tensor<4x3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<?x3x6xf32> {
  // expected-error @+1 {{batch dims do not broadcast: lhs 2x3x4 and rhs 5x4x6}}
  %0 = ds.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x6xf32>) -> tensor<?x3x6xf32>
  return %0 : tensor<?x3x6xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{contraction dims differ: lhs 2x3 has K = 3, rhs 4x5 has K = 4}}
  %0 = ds.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_contraction_transposed(%a: tensor<3x2xf32>, %b: tensor<5x4xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{contraction dims differ: lhs 3x2 (transposed) has K = 3, rhs 5x4 (transposed) has K = 4}}
  %0 = ds.matmul %a, %b {transpose_a, transpose_b} : (tensor<3x2xf32>, tensor<5x4xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{result #0 has type 'tensor<2x6xf32>', incompatible with the type inferred from its operands, 'tensor<2x5xf32>'}}
  %0 = ds.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @linear_scalar(%x: tensor<f32>, %w: tensor<1x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have rank >= 1, got a scalar}}
  %0 = ds.linear %x, %w : (tensor<f32>, tensor<1x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @linear_weight_rank(%x: tensor<2x4xf32>, %w: tensor<2x4x8xf32>) -> tensor<2x?xf32> {
  // expected-error @+1 {{weight must have rank 2, got shape 2x4x8}}
  %0 = ds.linear %x, %w : (tensor<2x4xf32>, tensor<2x4x8xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

func.func @linear_types(%x: tensor<2x4xf32>, %w: tensor<4x8xbf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{input and weight have different element types: 'f32' and 'bf16'}}
  %0 = ds.linear %x, %w : (tensor<2x4xf32>, tensor<4x8xbf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @linear_k(%x: tensor<2x4xf32>, %w: tensor<8x5xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{input 2x4 has K = 4 but weight 8x5 (transposed) has K = 5}}
  %0 = ds.linear %x, %w {transpose_w} : (tensor<2x4xf32>, tensor<8x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @linear_bias_type(%x: tensor<2x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf16>) -> tensor<2x8xf32> {
  // expected-error @+1 {{bias element type 'f16' differs from 'f32'}}
  %0 = ds.linear %x, %w, %b : (tensor<2x4xf32>, tensor<4x8xf32>, tensor<8xf16>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @linear_bias_shape(%x: tensor<2x4xf32>, %w: tensor<4x8xf32>, %b: tensor<1x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{bias must have shape 8, got 1x8}}
  %0 = ds.linear %x, %w, %b : (tensor<2x4xf32>, tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @reduce_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ds.reduce sum %x {axes = array<i64: 2>} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_repeated(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axis -1 is repeated (as 1)}}
  %0 = ds.reduce sum %x {axes = array<i64: 1, -1>} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_needs_float(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{'log_sum_exp' needs floating-point elements, got 'i32'}}
  %0 = ds.reduce log_sum_exp %x {axes = array<i64: 1>} : tensor<2x3xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @reduce_bool(%x: tensor<2x3xi1>) -> tensor<2xi1> {
  // expected-error @+1 {{'sum' is not defined on i1 elements}}
  %0 = ds.reduce sum %x {axes = array<i64: 1>} : tensor<2x3xi1> -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

func.func @reduce_result(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result #0 has type 'tensor<2xf32>', incompatible with the type inferred from its operands, 'tensor<2x1xf32>'}}
  %0 = ds.reduce sum %x {axes = array<i64: 1>, keep_dims} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @arg_reduce_axis(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = ds.arg_reduce argmax %x {axis = -3 : i64} : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @arg_reduce_bool(%x: tensor<2x3xi1>) -> tensor<2xi64> {
  // expected-error @+1 {{'argmin' is not defined on i1 elements}}
  %0 = ds.arg_reduce argmin %x {axis = 1 : i64} : tensor<2x3xi1> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ds.softmax %x {axis = 2 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @log_softmax_axis(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{axis -1 is out of range for rank 0}}
  %0 = ds.log_softmax %x : tensor<f32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @hardmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis -5 is out of range for rank 2}}
  %0 = ds.hardmax %x {axis = -5 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @softmax_int(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = ds.softmax %x : tensor<2x3xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

func.func @cumsum_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 3 is out of range for rank 2}}
  %0 = ds.cumsum %x {axis = 3 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cumsum_bool(%x: tensor<2x3xi1>) -> tensor<2x3xi1> {
  // expected-error @+1 {{is not defined on i1 elements}}
  %0 = ds.cumsum %x {axis = 1 : i64} : tensor<2x3xi1> -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}

// -----

func.func @topk_axis(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %v, %i = ds.topk %x {axis = 2 : i64, k = 1 : i64} : tensor<2x3xf32> -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return %v, %i : tensor<2x3xf32>, tensor<2x3xi64>
}

// -----

func.func @topk_negative_k(%x: tensor<2x3xf32>) -> (tensor<2x?xf32>, tensor<2x?xi64>) {
  // expected-error @+1 {{k must be non-negative, got -2}}
  %v, %i = ds.topk %x {k = -2 : i64} : tensor<2x3xf32> -> (tensor<2x?xf32>, tensor<2x?xi64>)
  return %v, %i : tensor<2x?xf32>, tensor<2x?xi64>
}

// -----

func.func @topk_k_too_large(%x: tensor<2x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xi64>) {
  // expected-error @+1 {{k = 4 exceeds the size 3 of axis -1}}
  %v, %i = ds.topk %x {k = 4 : i64} : tensor<2x3xf32> -> (tensor<2x4xf32>, tensor<2x4xi64>)
  return %v, %i : tensor<2x4xf32>, tensor<2x4xi64>
}

// -----

func.func @topk_bool(%x: tensor<2x3xi1>) -> (tensor<2x1xi1>, tensor<2x1xi64>) {
  // expected-error @+1 {{is not defined on i1 elements}}
  %v, %i = ds.topk %x {k = 1 : i64} : tensor<2x3xi1> -> (tensor<2x1xi1>, tensor<2x1xi64>)
  return %v, %i : tensor<2x1xi1>, tensor<2x1xi64>
}

// -----

func.func @rms_norm_axis(%x: tensor<2x8xf32>, %w: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ds.rms_norm %x, %w {axis = 2 : i64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_bias(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %b: tensor<4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{bias of shape 4 does not broadcast to the normalized dims 8}}
  %0 = ds.layer_norm %x, %w, %b : (tensor<2x8xf32>, tensor<8xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
