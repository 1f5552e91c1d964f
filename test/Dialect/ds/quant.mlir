// RUN: ds-opt %s --split-input-file | FileCheck %s
// RUN: ds-opt %s --split-input-file | ds-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK: ds.quantize %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x64xui8>
func.func @quantize_per_tensor(%x: tensor<?x64xf32>, %s: tensor<f32>, %zp: tensor<ui8>)
    -> tensor<?x64xui8> {
  %q = ds.quantize %x, %s, %zp : (tensor<?x64xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x64xui8>
  return %q : tensor<?x64xui8>
}

// -----

// CHECK-LABEL: func.func @quantize_per_axis
// CHECK: ds.quantize %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<64x128xf32>, tensor<64xf32>, tensor<64xi8>) -> tensor<64x128xi8>
func.func @quantize_per_axis(%x: tensor<64x128xf32>, %s: tensor<64xf32>, %zp: tensor<64xi8>)
    -> tensor<64x128xi8> {
  %q = ds.quantize %x, %s, %zp {axis = 0 : i64}
      : (tensor<64x128xf32>, tensor<64xf32>, tensor<64xi8>) -> tensor<64x128xi8>
  return %q : tensor<64x128xi8>
}

// -----

// Blocked int4 (ceil(100 / 32) = 4 blocks) and f8 without saturation.
// CHECK-LABEL: func.func @quantize_blocked
// CHECK: ds.quantize %{{.*}}, %{{.*}} {block_size = 32 : i64} : (tensor<4x100xf32>, tensor<4x4xf32>) -> tensor<4x100xi4>
// CHECK: ds.quantize %{{.*}}, %{{.*}} {saturate = false} : (tensor<4x100xf32>, tensor<1xf32>) -> tensor<4x100xf8E4M3FN>
func.func @quantize_blocked(%x: tensor<4x100xf32>, %s: tensor<4x4xf32>, %t: tensor<1xf32>)
    -> (tensor<4x100xi4>, tensor<4x100xf8E4M3FN>) {
  %q = ds.quantize %x, %s {axis = 1 : i64, block_size = 32 : i64}
      : (tensor<4x100xf32>, tensor<4x4xf32>) -> tensor<4x100xi4>
  %f = ds.quantize %x, %t {saturate = false} : (tensor<4x100xf32>, tensor<1xf32>) -> tensor<4x100xf8E4M3FN>
  return %q, %f : tensor<4x100xi4>, tensor<4x100xf8E4M3FN>
}

// -----

// CHECK-LABEL: func.func @dequantize
// CHECK: ds.dequantize %{{.*}}, %{{.*}} {axis = -1 : i64, block_size = 128 : i64} : (tensor<256x512xf8E4M3FN>, tensor<256x4xf32>) -> tensor<256x512xbf16>
// CHECK: ds.dequantize %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<8x?xui4>, tensor<8xf16>, tensor<8xui4>) -> tensor<8x?xf16>
// CHECK: ds.dequantize %{{.*}}, %{{.*}} : (tensor<16xi32>, tensor<f32>) -> tensor<16xf32>
func.func @dequantize(%q: tensor<256x512xf8E4M3FN>, %s: tensor<256x4xf32>,
                      %q4: tensor<8x?xui4>, %s4: tensor<8xf16>, %zp4: tensor<8xui4>,
                      %acc: tensor<16xi32>, %sa: tensor<f32>)
    -> (tensor<256x512xbf16>, tensor<8x?xf16>, tensor<16xf32>) {
  %w = ds.dequantize %q, %s {axis = -1 : i64, block_size = 128 : i64}
      : (tensor<256x512xf8E4M3FN>, tensor<256x4xf32>) -> tensor<256x512xbf16>
  %w4 = ds.dequantize %q4, %s4, %zp4 {axis = 0 : i64}
      : (tensor<8x?xui4>, tensor<8xf16>, tensor<8xui4>) -> tensor<8x?xf16>
  %a = ds.dequantize %acc, %sa : (tensor<16xi32>, tensor<f32>) -> tensor<16xf32>
  return %w, %w4, %a : tensor<256x512xbf16>, tensor<8x?xf16>, tensor<16xf32>
}

// -----

// CHECK-LABEL: func.func @dynamic_quantize
// CHECK: = ds.dynamic_quantize %{{.*}} : tensor<?x64xf32> -> (tensor<?x64xui8>, tensor<f32>, tensor<ui8>)
func.func @dynamic_quantize(%x: tensor<?x64xf32>) -> (tensor<?x64xui8>, tensor<f32>, tensor<ui8>) {
  %y, %s, %zp = ds.dynamic_quantize %x : tensor<?x64xf32> -> (tensor<?x64xui8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %zp : tensor<?x64xui8>, tensor<f32>, tensor<ui8>
}

// -----

// CHECK-LABEL: func.func @matmul_nbits
// CHECK: ds.matmul_nbits %{{.*}}, %{{.*}}, %{{.*}} {block_size = 32 : i64, k = 64 : i64, n = 32 : i64}
// CHECK-SAME: : (tensor<?x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<?x32xf32>
// CHECK: ds.matmul_nbits %{{.*}}, %{{.*}}, %{{.*}} zero_points(%{{.*}} : tensor<64xui8>) bias(%{{.*}} : tensor<32xf32>)
// CHECK-SAME: {bits = 8 : i64, block_size = 16 : i64, k = 20 : i64, n = 32 : i64}
// CHECK-SAME: : (tensor<2x3x20xf32>, tensor<32x2x16xui8>, tensor<64xf32>) -> tensor<2x3x32xf32>
func.func @matmul_nbits(%x: tensor<?x64xf32>, %w: tensor<32x2x16xui8>, %s: tensor<32x2xf32>,
                        %x3: tensor<2x3x20xf32>, %sflat: tensor<64xf32>, %zp: tensor<64xui8>,
                        %b: tensor<32xf32>) -> (tensor<?x32xf32>, tensor<2x3x32xf32>) {
  %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, bits = 4 : i64, block_size = 32 : i64}
      : (tensor<?x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<?x32xf32>
  // 8 bits, K = 20 in two blocks of 16 (the last padded); packed zero points are one
  // byte per block, flat.
  %z = ds.matmul_nbits %x3, %w, %sflat zero_points(%zp : tensor<64xui8>) bias(%b : tensor<32xf32>)
      {k = 20 : i64, n = 32 : i64, bits = 8 : i64, block_size = 16 : i64}
      : (tensor<2x3x20xf32>, tensor<32x2x16xui8>, tensor<64xf32>) -> tensor<2x3x32xf32>
  return %y, %z : tensor<?x32xf32>, tensor<2x3x32xf32>
}
