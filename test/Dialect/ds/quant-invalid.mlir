// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @quantize_shape(%x: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<4x4xi8> {
  // expected-error @+1 {{output shape 4x4 differs from input shape 4x8}}
  %y = ds.quantize %x, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x4xi8>
  return %y : tensor<4x4xi8>
}

// -----

func.func @dequantize_shape(%x: tensor<4x8xi8>, %s: tensor<f32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{output shape 8x4 differs from input shape 4x8}}
  %y = ds.dequantize %x, %s : (tensor<4x8xi8>, tensor<f32>) -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

func.func @quantize_block_size(%x: tensor<4x8xf32>, %s: tensor<4x1xf32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{block_size must be non-negative, got -2}}
  %y = ds.quantize %x, %s {block_size = -2 : i64} : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xi8>
  return %y : tensor<4x8xi8>
}

// -----

func.func @quantize_axis(%x: tensor<4x8xf32>, %s: tensor<8xf32>) -> tensor<4x8xi8> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %y = ds.quantize %x, %s {axis = 2 : i64} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi8>
  return %y : tensor<4x8xi8>
}

// -----

func.func @quantize_per_axis(%x: tensor<4x8xf32>, %s: tensor<4xf32>) -> tensor<4x8xui8> {
  // expected-error @+1 {{per-axis scale of shape 4 must be [8] (input dim 1 of 4x8); a per-tensor scale is a scalar or [1]}}
  %y = ds.quantize %x, %s : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x8xui8>
  return %y : tensor<4x8xui8>
}

// -----

func.func @dequantize_per_axis_rank(%x: tensor<4x8xi4>, %s: tensor<4x1xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{per-axis scale of shape 4x1 must be [4] (input dim 0 of 4x8); a per-tensor scale is a scalar or [1]}}
  %y = ds.dequantize %x, %s {axis = -2 : i64} : (tensor<4x8xi4>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @quantize_blocked(%x: tensor<4x100xf32>, %s: tensor<4x3xf32>) -> tensor<4x100xi4> {
  // expected-error @+1 {{blocked scale of shape 4x3 must be 4x4 (input 4x100, axis 1, block_size 32)}}
  %y = ds.quantize %x, %s {block_size = 32 : i64} : (tensor<4x100xf32>, tensor<4x3xf32>) -> tensor<4x100xi4>
  return %y : tensor<4x100xi4>
}

// -----

func.func @dequantize_blocked_rank(%x: tensor<4x?xi8>, %s: tensor<4xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{blocked scale of shape 4 must be 4x? (input 4x?, axis 1, block_size 32)}}
  %y = ds.dequantize %x, %s {block_size = 32 : i64} : (tensor<4x?xi8>, tensor<4xf32>) -> tensor<4x?xf32>
  return %y : tensor<4x?xf32>
}

// -----

func.func @quantize_zero_point_shape(%x: tensor<4x8xf32>, %s: tensor<8xf32>, %zp: tensor<ui8>) -> tensor<4x8xui8> {
  // expected-error @+1 {{zero_point shape scalar differs from scale shape 8}}
  %y = ds.quantize %x, %s, %zp : (tensor<4x8xf32>, tensor<8xf32>, tensor<ui8>) -> tensor<4x8xui8>
  return %y : tensor<4x8xui8>
}

// -----

func.func @quantize_zero_point_type(%x: tensor<4x8xf32>, %s: tensor<8xf32>, %zp: tensor<8xi8>) -> tensor<4x8xui8> {
  // expected-error @+1 {{zero_point element type 'i8' differs from the output element type 'ui8'}}
  %y = ds.quantize %x, %s, %zp : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xi8>) -> tensor<4x8xui8>
  return %y : tensor<4x8xui8>
}

// -----

func.func @dequantize_zero_point_type(%x: tensor<4x8xf8E4M3FN>, %s: tensor<f32>, %zp: tensor<i8>) -> tensor<4x8xf32> {
  // expected-error @+1 {{zero_point element type 'i8' differs from the input element type 'f8E4M3FN'}}
  %y = ds.dequantize %x, %s, %zp : (tensor<4x8xf8E4M3FN>, tensor<f32>, tensor<i8>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @nbits_bits(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{bits must be 2, 4 or 8, got 3}}
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, bits = 3 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_block_size(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{block_size must be a power of two >= 16, got 24}}
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, block_size = 24 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_block_size_small(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{block_size must be a power of two >= 16, got 8}}
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, block_size = 8 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_k(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{K and N must be positive, got K = 0, N = 32}}
  %y = ds.matmul_nbits %x, %w, %s {k = 0 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_input_k(%x: tensor<2x48xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{input of shape 2x48 must end in K = 64}}
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x48xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_weight(%x: tensor<2x64xf32>, %w: tensor<32x2x32xui8>, %s: tensor<32x2xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{weight of shape 32x2x32 must be [N, n_blocks, blob] = 32x2x16}}
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x32xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_weight_blocks(%x: tensor<2x80xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{weight of shape 32x2x16 must be [N, n_blocks, blob] = 32x3x16}}
  %y = ds.matmul_nbits %x, %w, %s {k = 80 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x80xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_scales_type(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf16>) -> tensor<2x32xf32> {
  // expected-error @+1 {{scales element type 'f16' differs from the input's 'f32'}}
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf16>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_scales_shape(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<2x32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{scales of shape 2x32 must be [N, n_blocks] = 32x2 or flat [64]}}
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<2x32xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_zp_packed(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>, %zp: tensor<32x2xui8>) -> tensor<2x32xf32> {
  // expected-error @+1 {{packed zero_points of shape 32x2 must be [N, ceil(n_blocks * bits / 8)] = 32x1 or flat [32]}}
  %y = ds.matmul_nbits %x, %w, %s zero_points(%zp : tensor<32x2xui8>) {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_zp_unpacked(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>, %zp: tensor<32xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{unpacked zero_points of shape 32 must be [N, n_blocks] = 32x2 or flat [64]}}
  %y = ds.matmul_nbits %x, %w, %s zero_points(%zp : tensor<32xf32>) {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_zp_type(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>, %zp: tensor<32x2xi8>) -> tensor<2x32xf32> {
  // expected-error @+1 {{zero_points element type 'i8' must be ui8 (packed) or the input's 'f32'}}
  %y = ds.matmul_nbits %x, %w, %s zero_points(%zp : tensor<32x2xi8>) {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_bias(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>, %b: tensor<16xf32>) -> tensor<2x32xf32> {
  // expected-error @+1 {{bias of type 'tensor<16xf32>' must be [N] = [32] of the input's 'f32'}}
  %y = ds.matmul_nbits %x, %w, %s bias(%b : tensor<16xf32>) {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}

// -----

func.func @nbits_bias_type(%x: tensor<2x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>, %b: tensor<32xf16>) -> tensor<2x32xf32> {
  // expected-error @+1 {{bias of type 'tensor<32xf16>' must be [N] = [32] of the input's 'f32'}}
  %y = ds.matmul_nbits %x, %w, %s bias(%b : tensor<32xf16>) {k = 64 : i64, n = 32 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
