// The generated attention and rope kernels' structure (docs/cuda.md "Attention and RoPE
// kernels"): bf16 attention takes the tensor-core template with its tiles launch and
// shared memory, dynamic sequence lengths come from params.dims, rope picks its vector
// width, and a step with a dynamic head dim gets no kernel (a warning; it runs on cpu).
// The numerics are checked by emulate_attention.py.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-opt %s --emit=bundle -o %t/a.dsb 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: FileCheck %s --check-prefix=STEPS < %t/a.dsb/steps.json
// RUN: cat %t/a.dsb/kernels/ds_attention_*.cu | FileCheck %s --check-prefix=ATT
// RUN: cat %t/a.dsb/kernels/ds_rope_rotate_half_*.cu | FileCheck %s --check-prefix=ROPE

// WARN: warning: step 2 (attention '{{.*}}') gets no CUDA kernel: the head dims must be static, got query [1,2,3,?] and value [1,2,3,?]; it runs on cpu only

// STEPS: "kernel":{"launch":{"block":[128,1,1],"grid":{"of":"tiles","tiles":{{\[\[}}0,0,2,1],[0,2,3,64]]},"shared_bytes":27648},"name":"[[A:ds_attention_[0-9a-f]{8}]]","source":"kernels/[[A]].cu"},"kind":"attention"
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":4,"per_block":2048},"shared_bytes":0},"name":"[[R:ds_rope_rotate_half_[0-9a-f]{8}]]","source":"kernels/[[R]].cu"},"kind":"rope"
// STEPS-NOT: "kernel"

// ATT: #include "attention.cuh"
// ATT: DS_KERNEL(ds_attention_{{[0-9a-f]+}}) {
// ATT: d.q_heads = int64_t(8);
// ATT: d.kv_heads = int64_t(2);
// ATT: d.q_seq = params.dims[2];
// ATT: d.kv_seq = params.dims[6];
// ATT: using C = ds::attn::MmaConfig<ds::bf16, uint8_t, 64, 64, true, false, false, ds::attn::kNoMask>;
// ATT: static_assert(C::SHARED_BYTES == 27648, "launch shared_bytes");
// ATT: ds::attn::attention_mma<C>(params.ptr[0], params.ptr[1], params.ptr[2], nullptr, params.ptr[4], d, 0x1p-3f,

// ROPE: #include "rope.cuh"
// ROPE: d.seq = params.dims[2];
// ROPE: const int64_t ld[2] = {int64_t(1), params.dims[4]};
// ROPE: using C = ds::rope::Config<float, float, int64_t, float, 32, 16, false, false>;
// ROPE: ds::rope::rope<C, 4>(params.ptr[0], params.ptr[1], params.ptr[2], nullptr, params.ptr[4], d);
func.func @main(%q: tensor<1x8x?x64xbf16>, %k: tensor<1x2x?x64xbf16>, %v: tensor<1x2x?x64xbf16>, %x: tensor<2x4x?x32xf32>, %c: tensor<?x16xf32>, %s: tensor<?x16xf32>, %qd: tensor<1x2x3x?xf32>, %kd: tensor<1x2x3x?xf32>) -> (tensor<1x8x?x64xbf16>, tensor<2x4x?x32xf32>, tensor<1x2x3x?xf32>) {
  %o = ds.attention %q, %k, %v {causal, scale = 1.250000e-01 : f32} : (tensor<1x8x?x64xbf16>, tensor<1x2x?x64xbf16>, tensor<1x2x?x64xbf16>) -> tensor<1x8x?x64xbf16>
  %y = ds.rope rotate_half %x, %c, %s : (tensor<2x4x?x32xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<2x4x?x32xf32>
  %z = ds.attention %qd, %kd, %kd {scale = 1.0 : f32} : (tensor<1x2x3x?xf32>, tensor<1x2x3x?xf32>, tensor<1x2x3x?xf32>) -> tensor<1x2x3x?xf32>
  return %o, %y, %z : tensor<1x8x?x64xbf16>, tensor<2x4x?x32xf32>, tensor<1x2x3x?xf32>
}
