// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @attention_rank(%q: tensor<4x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<4x4x8xf32> {
  // expected-error @+1 {{query must be 4-D [batch, heads, seq, head_dim], got shape 4x4x8}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<4x4x8xf32>
  return %o : tensor<4x4x8xf32>
}

// -----

func.func @attention_key_rank(%q: tensor<1x4x4x8xf32>, %k: tensor<4x4x8xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{key must be 4-D [batch, heads, seq, head_dim], got shape 4x4x8}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_element_types(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x8xf16>, %v: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{query, key and value element types differ: 'f32', 'f16', 'f32'}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf16>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_batch(%q: tensor<1x4x4x8xf32>, %k: tensor<2x4x4x8xf32>, %v: tensor<?x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{batch dims differ: query 1, key 2, value ?}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<2x4x4x8xf32>, tensor<?x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_kv_heads(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{key and value head counts differ: 4 and 2}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_zero_kv_heads(%q: tensor<1x4x4x8xf32>, %k: tensor<1x0x4x8xf32>, %v: tensor<1x0x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{key/value head count must be positive, got 0}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x0x4x8xf32>, tensor<1x0x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_gqa_multiple(%q: tensor<1x6x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<1x6x4x8xf32> {
  // expected-error @+1 {{query heads 6 are not a multiple of key/value heads 4}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x6x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x6x4x8xf32>
  return %o : tensor<1x6x4x8xf32>
}

// -----

func.func @attention_kv_seq(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x5x8xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{key and value sequence lengths differ: 5 and 4}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_head_dim(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x16xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{query and key head dims differ: 8 and 16}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x16xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_causal_short_kv(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x2x8xf32>, %v: tensor<1x4x2x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{causal attention needs kv_seq >= q_seq (the past length is kv_seq - q_seq), got q_seq 4 and kv_seq 2}}
  %o = ds.attention %q, %k, %v {causal, scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_mask_type(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x4x4x8xf32>, %m: tensor<4x4xi32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{mask must have i1 (true = keep) or float (additive) elements, got 'i32'}}
  %o = ds.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<4x4xi32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_mask_shape(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x6x8xf32>, %v: tensor<1x4x6x8xf32>, %m: tensor<4x4xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{mask of shape 4x4 does not broadcast to [batch, q_heads, q_seq, kv_seq] = 1x4x4x6}}
  %o = ds.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x6x8xf32>, tensor<1x4x6x8xf32>, tensor<4x4xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_mask_rank(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x4x4x8xf32>, %m: tensor<1x1x1x4x4xi1>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{mask of shape 1x1x1x4x4 does not broadcast to [batch, q_heads, q_seq, kv_seq] = 1x4x4x4}}
  %o = ds.attention %q, %k, %v, %m {scale = 1.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x1x1x4x4xi1>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_window(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{window must be non-negative, got -1}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32, window = -1 : i64} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_softcap(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{softcap must be positive and finite, got 0.000000e+00}}
  %o = ds.attention %q, %k, %v {scale = 1.0 : f32, softcap = 0.0 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @attention_scale(%q: tensor<1x4x4x8xf32>, %k: tensor<1x4x4x8xf32>, %v: tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32> {
  // expected-error @+1 {{scale must be finite, got INF}}
  %o = ds.attention %q, %k, %v {scale = 0x7F800000 : f32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %o : tensor<1x4x4x8xf32>
}

// -----

func.func @rope_rank(%x: tensor<8x4x64xf32>, %c: tensor<4x32xf32>, %s: tensor<4x32xf32>) -> tensor<8x4x64xf32> {
  // expected-error @+1 {{input must be 4-D [batch, heads, seq, head_dim], got shape 8x4x64}}
  %y = ds.rope rotate_half %x, %c, %s : (tensor<8x4x64xf32>, tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<8x4x64xf32>
  return %y : tensor<8x4x64xf32>
}

// -----

func.func @rope_odd_head_dim(%x: tensor<1x8x4x63xf32>, %c: tensor<4x31xf32>, %s: tensor<4x31xf32>) -> tensor<1x8x4x63xf32> {
  // expected-error @+1 {{rotary dim 63 (the head dim) must be positive, even and at most the head dim 63}}
  %y = ds.rope rotate_half %x, %c, %s : (tensor<1x8x4x63xf32>, tensor<4x31xf32>, tensor<4x31xf32>) -> tensor<1x8x4x63xf32>
  return %y : tensor<1x8x4x63xf32>
}

// -----

func.func @rope_rotary_dim(%x: tensor<1x8x4x64xf32>, %c: tensor<4x32xf32>, %s: tensor<4x32xf32>) -> tensor<1x8x4x64xf32> {
  // expected-error @+1 {{rotary dim 96 must be positive, even and at most the head dim 64}}
  %y = ds.rope rotate_half %x, %c, %s {rotary_dim = 96 : i64} : (tensor<1x8x4x64xf32>, tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<1x8x4x64xf32>
  return %y : tensor<1x8x4x64xf32>
}

// -----

func.func @rope_width(%x: tensor<1x8x4x64xf32>, %c: tensor<4x48xf32>, %s: tensor<4x48xf32>) -> tensor<1x8x4x64xf32> {
  // expected-error @+1 {{cos/sin width 48 must be half the rotary dim (32) or the rotary dim (64)}}
  %y = ds.rope rotate_half %x, %c, %s : (tensor<1x8x4x64xf32>, tensor<4x48xf32>, tensor<4x48xf32>) -> tensor<1x8x4x64xf32>
  return %y : tensor<1x8x4x64xf32>
}

// -----

func.func @rope_partial_width(%x: tensor<1x8x4x64xf32>, %c: tensor<4x32xf32>, %s: tensor<4x32xf32>) -> tensor<1x8x4x64xf32> {
  // expected-error @+1 {{cos/sin width 32 must be half the rotary dim (8) or the rotary dim (16)}}
  %y = ds.rope interleaved %x, %c, %s {rotary_dim = 16 : i64} : (tensor<1x8x4x64xf32>, tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<1x8x4x64xf32>
  return %y : tensor<1x8x4x64xf32>
}

// -----

func.func @rope_table_rank(%x: tensor<1x8x4x64xf32>, %c: tensor<1x1x4x32xf32>, %s: tensor<1x1x4x32xf32>) -> tensor<1x8x4x64xf32> {
  // expected-error @+1 {{cos/sin must be [seq, width] or [batch, seq, width], got shape 1x1x4x32}}
  %y = ds.rope rotate_half %x, %c, %s : (tensor<1x8x4x64xf32>, tensor<1x1x4x32xf32>, tensor<1x1x4x32xf32>) -> tensor<1x8x4x64xf32>
  return %y : tensor<1x8x4x64xf32>
}

// -----

func.func @rope_table_broadcast(%x: tensor<2x8x4x64xf32>, %c: tensor<3x4x32xf32>, %s: tensor<3x4x32xf32>) -> tensor<2x8x4x64xf32> {
  // expected-error @+1 {{cos/sin of shape 3x4x32 do not broadcast to the input's [batch, seq] = 2x4}}
  %y = ds.rope rotate_half %x, %c, %s : (tensor<2x8x4x64xf32>, tensor<3x4x32xf32>, tensor<3x4x32xf32>) -> tensor<2x8x4x64xf32>
  return %y : tensor<2x8x4x64xf32>
}

// -----

func.func @rope_positions_table(%x: tensor<2x8x4x64xf32>, %c: tensor<2x4x32xf32>, %s: tensor<2x4x32xf32>, %p: tensor<2x4xi64>) -> tensor<2x8x4x64xf32> {
  // expected-error @+1 {{with position_ids, cos/sin must be 2-D [max_position, width], got shape 2x4x32}}
  %y = ds.rope rotate_half %x, %c, %s positions %p : (tensor<2x8x4x64xf32>, tensor<2x4x32xf32>, tensor<2x4x32xf32>, tensor<2x4xi64>) -> tensor<2x8x4x64xf32>
  return %y : tensor<2x8x4x64xf32>
}

// -----

func.func @rope_positions_shape(%x: tensor<2x8x4x64xf32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>, %p: tensor<4xi64>) -> tensor<2x8x4x64xf32> {
  // expected-error @+1 {{position_ids of shape 4 must be 2-D and broadcast to [batch, seq] = 2x4}}
  %y = ds.rope rotate_half %x, %c, %s positions %p : (tensor<2x8x4x64xf32>, tensor<128x32xf32>, tensor<128x32xf32>, tensor<4xi64>) -> tensor<2x8x4x64xf32>
  return %y : tensor<2x8x4x64xf32>
}

// -----

func.func @rope_positions_mismatch(%x: tensor<2x8x4x64xf32>, %c: tensor<128x32xf32>, %s: tensor<128x32xf32>, %p: tensor<2x5xi32>) -> tensor<2x8x4x64xf32> {
  // expected-error @+1 {{position_ids of shape 2x5 must be 2-D and broadcast to [batch, seq] = 2x4}}
  %y = ds.rope rotate_half %x, %c, %s positions %p : (tensor<2x8x4x64xf32>, tensor<128x32xf32>, tensor<128x32xf32>, tensor<2x5xi32>) -> tensor<2x8x4x64xf32>
  return %y : tensor<2x8x4x64xf32>
}

// -----

func.func @rope_table_types(%x: tensor<1x8x4x64xf32>, %c: tensor<4x32xf32>, %s: tensor<4x32xf16>) -> tensor<1x8x4x64xf32> {
  // expected-error @+1 {{cos and sin types differ: 'tensor<4x32xf32>' and 'tensor<4x32xf16>'}}
  %y = ds.rope rotate_half %x, %c, %s : (tensor<1x8x4x64xf32>, tensor<4x32xf32>, tensor<4x32xf16>) -> tensor<1x8x4x64xf32>
  return %y : tensor<1x8x4x64xf32>
}

// -----

func.func @moe_hidden_rank(%x: tensor<16xf32>, %l: tensor<8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{hidden must be [tokens..., hidden] with at least one token dim, got shape 16}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64} : (tensor<16xf32>, tensor<8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

func.func @moe_logits_tokens(%x: tensor<4x16xf32>, %l: tensor<5x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{router_logits of shape 5x8 must be [tokens..., experts] with the token dims of hidden 4}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<5x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_gate_rank(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{gate weight must be 3-D [experts, hidden, inter], got shape 16x4}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_fused_rank(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<16x8xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{gate weight must be 3-D [experts, hidden, 2 * inter], got shape 16x8}}
  %y = ds.moe softmax %x, %l gate(%g) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<16x8xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_down_rank(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{down weight must be 3-D [experts, inter, hidden], got shape 4x16}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_up_rank(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{up weight must be 3-D [experts, hidden, inter], got shape 16x4}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_bias_rank(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>, %b: tensor<1x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{correction bias must be 1-D [experts], got shape 1x8}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) bias(%b) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>, tensor<1x8xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_experts(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>, %b: tensor<6xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{expert counts differ (router_logits, gate, down, up, correction bias): 8, 8, 8, 8, 6}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) bias(%b) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>, tensor<6xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_experts_down(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x8xf32>, %d: tensor<4x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{expert counts differ (router_logits, gate, down): 8, 8, 4}}
  %y = ds.moe softmax %x, %l gate(%g) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x8xf32>, tensor<4x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_hidden_sizes(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x12xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{hidden sizes differ: hidden 16, gate 16, down 12, up 16}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x12xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_fused_odd(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x7xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{fused gate/up weight has odd last dim 7; it must hold gate and up halves}}
  %y = ds.moe softmax %x, %l gate(%g) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x7xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_inter(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x8xf32>, %d: tensor<8x8x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{intermediate sizes differ: gate 4 (half of the fused dim), down 8}}
  %y = ds.moe softmax %x, %l gate(%g) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x8xf32>, tensor<8x8x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_inter_up(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x5xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{intermediate sizes differ: gate 4, down 4, up 5}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x5xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_shared_shape(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>, %sg: tensor<16x6xf32>, %su: tensor<16x6xf32>, %sd: tensor<5x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{shared expert weights 16x6, 16x6, 5x16 must be [hidden, inter], [hidden, inter], [inter, hidden] with hidden 16}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) shared(%sg, %su, %sd) {top_k = 2 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>, tensor<16x6xf32>, tensor<16x6xf32>, tensor<5x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_top_k(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{top_k 9 must be in [1, num_experts 8]}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 9 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_top_k_zero(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{top_k 0 must be in [1, num_experts 8]}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 0 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_n_group(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{n_group 3 must be positive and divide num_experts 8}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64, n_group = 3 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_topk_group(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{topk_group 5 must be in [1, n_group 4]}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64, n_group = 4 : i64, topk_group = 5 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_top_k_groups(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{top_k 3 exceeds the experts of the kept groups: topk_group 1 x 2 experts per group}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 3 : i64, n_group = 4 : i64, topk_group = 1 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_top2_sum(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{group score top2_sum needs at least 2 experts per group, got 1}}
  %y = ds.moe sigmoid group_score top2_sum %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64, n_group = 8 : i64, topk_group = 4 : i64} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_scaling(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x4xf32>, %u: tensor<8x16x4xf32>, %d: tensor<8x4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{routed_scaling_factor must be positive and finite, got -1.000000e+00}}
  %y = ds.moe softmax %x, %l gate(%g) up(%u) down(%d) {top_k = 2 : i64, routed_scaling_factor = -1.0 : f32} : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x4xf32>, tensor<8x16x4xf32>, tensor<8x4x16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @moe_shared_partial(%x: tensor<4x16xf32>, %l: tensor<4x8xf32>, %g: tensor<8x16x8xf32>, %d: tensor<8x4x16xf32>, %sg: tensor<16x4xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{shared expert needs gate, up and down weights together}}
  %y = "ds.moe"(%x, %l, %g, %d, %sg) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0, 1, 0, 0>, top_k = 2 : i64}>
      : (tensor<4x16xf32>, tensor<4x8xf32>, tensor<8x16x8xf32>, tensor<8x4x16xf32>, tensor<16x4xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
