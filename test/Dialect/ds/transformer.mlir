// RUN: ds-opt %s --split-input-file | FileCheck %s
// Round trip of ds.attention, ds.rope and ds.moe; the second run checks that the
// printed form parses back to the same text.
// RUN: ds-opt %s --split-input-file | ds-opt --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @attention_gqa_cache
// CHECK: ds.attention %{{.*}}, %{{.*}}, %{{.*}} {causal, scale = 1.250000e-01 : f32}
// CHECK-SAME: : (tensor<1x8x4x64xf16>, tensor<1x2x20x64xf16>, tensor<1x2x20x64xf16>) -> tensor<1x8x4x64xf16>
func.func @attention_gqa_cache(%q: tensor<1x8x4x64xf16>, %k: tensor<1x2x20x64xf16>,
                               %v: tensor<1x2x20x64xf16>) -> tensor<1x8x4x64xf16> {
  %o = ds.attention %q, %k, %v {causal, scale = 0.125 : f32}
      : (tensor<1x8x4x64xf16>, tensor<1x2x20x64xf16>, tensor<1x2x20x64xf16>) -> tensor<1x8x4x64xf16>
  return %o : tensor<1x8x4x64xf16>
}

// -----

// MLA: qk head dim 192, v head dim 128; a float mask broadcast over heads; a
// dynamic batch and sequence; window and softcap.
// CHECK-LABEL: func.func @attention_mla_mask
// CHECK: ds.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 0.0721687824 : f32, softcap = 5.000000e+01 : f32, window = 127 : i64}
// CHECK-SAME: : (tensor<?x16x?x192xbf16>, tensor<?x16x?x192xbf16>, tensor<?x16x?x128xbf16>, tensor<?x1x?x?xf32>) -> tensor<?x16x?x128xbf16>
func.func @attention_mla_mask(%q: tensor<?x16x?x192xbf16>, %k: tensor<?x16x?x192xbf16>,
                              %v: tensor<?x16x?x128xbf16>, %m: tensor<?x1x?x?xf32>)
    -> tensor<?x16x?x128xbf16> {
  %o = ds.attention %q, %k, %v, %m {scale = 0.0721687824 : f32, window = 127 : i64, softcap = 50.0 : f32}
      : (tensor<?x16x?x192xbf16>, tensor<?x16x?x192xbf16>, tensor<?x16x?x128xbf16>, tensor<?x1x?x?xf32>)
      -> tensor<?x16x?x128xbf16>
  return %o : tensor<?x16x?x128xbf16>
}

// -----

// MQA with a boolean mask of rank 2 and a result more static than inferred.
// CHECK-LABEL: func.func @attention_mqa_bool_mask
// CHECK: ds.attention {{.*}} : (tensor<2x4x3x8xf32>, tensor<?x1x5x8xf32>, tensor<2x1x5x16xf32>, tensor<3x5xi1>) -> tensor<2x4x3x16xf32>
func.func @attention_mqa_bool_mask(%q: tensor<2x4x3x8xf32>, %k: tensor<?x1x5x8xf32>,
                                   %v: tensor<2x1x5x16xf32>, %m: tensor<3x5xi1>)
    -> tensor<2x4x3x16xf32> {
  %o = ds.attention %q, %k, %v, %m {scale = 1.0 : f32}
      : (tensor<2x4x3x8xf32>, tensor<?x1x5x8xf32>, tensor<2x1x5x16xf32>, tensor<3x5xi1>)
      -> tensor<2x4x3x16xf32>
  return %o : tensor<2x4x3x16xf32>
}

// -----

// CHECK-LABEL: func.func @rope_half_tables
// CHECK: ds.rope rotate_half %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<1x8x?x64xf32>
func.func @rope_half_tables(%x: tensor<1x8x?x64xf32>, %c: tensor<?x32xf32>, %s: tensor<?x32xf32>)
    -> tensor<1x8x?x64xf32> {
  %y = ds.rope rotate_half %x, %c, %s : (tensor<1x8x?x64xf32>, tensor<?x32xf32>, tensor<?x32xf32>) -> tensor<1x8x?x64xf32>
  return %y : tensor<1x8x?x64xf32>
}

// -----

// Full-width Hugging Face tables [B, S, D].
// CHECK-LABEL: func.func @rope_full_tables
// CHECK: ds.rope rotate_half %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x4x6x16xf16>, tensor<2x6x16xf16>, tensor<2x6x16xf16>) -> tensor<2x4x6x16xf16>
func.func @rope_full_tables(%x: tensor<2x4x6x16xf16>, %c: tensor<2x6x16xf16>, %s: tensor<2x6x16xf16>)
    -> tensor<2x4x6x16xf16> {
  %y = ds.rope rotate_half %x, %c, %s : (tensor<2x4x6x16xf16>, tensor<2x6x16xf16>, tensor<2x6x16xf16>) -> tensor<2x4x6x16xf16>
  return %y : tensor<2x4x6x16xf16>
}

// -----

// Interleaved, partial rotation, tables indexed by position ids.
// CHECK-LABEL: func.func @rope_positions
// CHECK: ds.rope interleaved %{{.*}}, %{{.*}}, %{{.*}} positions %{{.*}} {rotary_dim = 32 : i64}
// CHECK-SAME: : (tensor<1x8x4x64xf32>, tensor<4096x16xf32>, tensor<4096x16xf32>, tensor<1x4xi64>) -> tensor<1x8x4x64xf32>
func.func @rope_positions(%x: tensor<1x8x4x64xf32>, %c: tensor<4096x16xf32>, %s: tensor<4096x16xf32>,
                          %p: tensor<1x4xi64>) -> tensor<1x8x4x64xf32> {
  %y = ds.rope interleaved %x, %c, %s positions %p {rotary_dim = 32 : i64}
      : (tensor<1x8x4x64xf32>, tensor<4096x16xf32>, tensor<4096x16xf32>, tensor<1x4xi64>) -> tensor<1x8x4x64xf32>
  return %y : tensor<1x8x4x64xf32>
}

// -----

// DeepSeek-V3 routing with separate gate/up weights, correction bias and a shared
// expert.
// CHECK-LABEL: func.func @moe_v3
// CHECK: ds.moe sigmoid group_score top2_sum %arg0, %arg1 gate(%arg2) up(%arg3) down(%arg4) bias(%arg5) shared(%arg6, %arg7, %arg8)
// CHECK-SAME: {n_group = 4 : i64, norm_topk_prob, routed_scaling_factor = 2.500000e+00 : f32, top_k = 4 : i64, topk_group = 2 : i64}
// CHECK-SAME: -> tensor<?x32xf32>
func.func @moe_v3(%x: tensor<?x32xf32>, %l: tensor<?x16xf32>, %wg: tensor<16x32x8xf32>,
                  %wu: tensor<16x32x8xf32>, %wd: tensor<16x8x32xf32>, %b: tensor<16xf32>,
                  %sg: tensor<32x8xf32>, %su: tensor<32x8xf32>, %sd: tensor<8x32xf32>)
    -> tensor<?x32xf32> {
  %y = ds.moe sigmoid group_score top2_sum %x, %l gate(%wg) up(%wu) down(%wd) bias(%b)
      shared(%sg, %su, %sd)
      {top_k = 4 : i64, n_group = 4 : i64, topk_group = 2 : i64, norm_topk_prob,
       routed_scaling_factor = 2.5 : f32}
      : (tensor<?x32xf32>, tensor<?x16xf32>, tensor<16x32x8xf32>, tensor<16x32x8xf32>,
         tensor<16x8x32xf32>, tensor<16xf32>, tensor<32x8xf32>, tensor<32x8xf32>,
         tensor<8x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

// -----

// Fused gate|up weight [E, H, 2I], 3-D hidden, softmax gating with defaults.
// CHECK-LABEL: func.func @moe_fused_gate_up
// CHECK: ds.moe softmax activation gelu %{{.*}}, %{{.*}} gate(%{{.*}}) down(%{{.*}}) {top_k = 2 : i64}
// CHECK-SAME: : (tensor<2x3x32xf16>, tensor<2x3x8xf16>, tensor<8x32x16xf16>, tensor<8x8x32xf16>) -> tensor<2x3x32xf16>
func.func @moe_fused_gate_up(%x: tensor<2x3x32xf16>, %l: tensor<2x3x8xf16>,
                             %wgu: tensor<8x32x16xf16>, %wd: tensor<8x8x32xf16>)
    -> tensor<2x3x32xf16> {
  %y = ds.moe softmax activation gelu %x, %l gate(%wgu) down(%wd) {top_k = 2 : i64}
      : (tensor<2x3x32xf16>, tensor<2x3x8xf16>, tensor<8x32x16xf16>, tensor<8x8x32xf16>)
      -> tensor<2x3x32xf16>
  return %y : tensor<2x3x32xf16>
}
