// The generated elementwise kernels (docs/cuda.md "Code generation"): one kernel per
// distinct program, straight-line code over registers, static shapes baked in (dims
// collapsed, broadcast strides as constants, one-element inputs hoisted), dynamic dims
// from params.dims, the vector path with its alignment guard, casts and wraps of
// narrow types, and the launch entry in steps.json.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-opt %s --emit=bundle -o %t/k.dsb
// RUN: FileCheck %s --check-prefix=STEPS < %t/k.dsb/steps.json
// RUN: ls %t/k.dsb/kernels | FileCheck %s --check-prefix=FILES
// RUN: cat %t/k.dsb/kernels/ds_mul_add_leaky_relu_*.cu | FileCheck %s --check-prefix=STATIC
// RUN: cat %t/k.dsb/kernels/ds_silu_sub_*.cu | FileCheck %s --check-prefix=DYNAMIC
// RUN: cat %t/k.dsb/kernels/ds_gelu_*.cu | FileCheck %s --check-prefix=BIG
// RUN: cat %t/k.dsb/kernels/ds_cast_add_*.cu | FileCheck %s --check-prefix=CASTS
// Without kernels: no "kernel" entries, no kernels/ directory.
// RUN: ds-opt %s --emit=bundle --cuda-kernels=false -o %t/none.dsb
// RUN: not grep -q '"kernel":' %t/none.dsb/steps.json
// RUN: not ls %t/none.dsb/kernels
// AOT (test/Target/Cuda/aot.py compiles): a bad arch is an error before anything is
// written.
// RUN: not ds-opt %s --emit=bundle --cuda-arch=sm_80,compute_90 -o %t/aot.dsb 2>&1 | FileCheck %s --check-prefix=AOT
// RUN: not ls %t/aot.dsb
// RUN: not ds-opt %s --emit=bundle --cuda-kernels=false --cuda-arch=sm_80 -o %t/aot.dsb 2>&1 | FileCheck %s --check-prefix=AOT-OFF
// Regenerating from steps.json gives the same kernels.
// RUN: ds-opt --emit=cuda-kernels %t/k.dsb/steps.json -o %t/regen
// RUN: diff -r %t/k.dsb/kernels %t/regen/kernels

// Two identical programs (on different inputs) share one kernel; each step names it.
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":3,"per_block":256},"shared_bytes":0},"name":"[[SB:ds_mul_add_leaky_relu_[0-9a-f]{8}]]","source":"kernels/[[SB]].cu"},"kind":"elementwise"
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":3,"per_block":256},"shared_bytes":0},"name":"[[SB]]","source":"kernels/[[SB]].cu"},"kind":"elementwise"
// The vectorized kernels take 8 16-bit elements per thread (16-byte accesses): 2048 per block.
// STEPS: "grid":{"of":"numel","operand":2,"per_block":2048}{{.*}}"name":"ds_silu_sub_
// STEPS: "grid":{"of":"numel","operand":1,"per_block":2048}{{.*}}"name":"ds_gelu_
// STEPS: "grid":{"of":"numel","operand":1,"per_block":256}{{.*}}"name":"ds_cast_add_cast_cast_mul_n10_

// FILES-DAG: ds_gelu_{{[0-9a-f]+}}.cu
// FILES-DAG: ds_cast_add_cast_cast_mul_n10_{{[0-9a-f]+}}.cu
// FILES-DAG: ds_device.cuh
// FILES-DAG: ds_silu_sub_{{[0-9a-f]+}}.cu
// FILES-DAG: ds_emu.h
// FILES-DAG: ds_mul_add_leaky_relu_{{[0-9a-f]+}}.cu
// FILES-DAG: elementwise.cuh

// STATIC:      //   input 0: f32 [2,3,5], full
// STATIC-NEXT: //   input 1: f32 [3,1], broadcast
// STATIC-NEXT: //   input 2: f32 [], one element
// STATIC-NEXT: //   output 0: f32 [2,3,5]
// STATIC:      #include "ds_device.cuh"
// STATIC-NEXT: #include "elementwise.cuh"
// STATIC:      DS_DEVICE void [[K:ds_mul_add_leaky_relu_[0-9a-f]+]]_program(float r0, float r1, float r2, float &res0) {
// STATIC-NEXT:   const float r3 = ds::ew::b_mul(r0, r1);  // binary mul
// STATIC-NEXT:   const float r4 = ds::ew::b_add(r3, r2);  // binary add
// STATIC-NEXT:   const float r5 = ds::ew::u_leaky_relu(r4, 0x1.99999ap-4f);  // unary leaky_relu
// STATIC-NEXT:   res0 = r5;
// STATIC-NEXT: }
// STATIC:      DS_KERNEL([[K]]) {
// STATIC:        float *out0 = static_cast<float *>(params.ptr[3]);
// STATIC-NEXT:   const int64_t n = 30;
// [2,3,5] with a [3,1] input: no dims merge (the input is not contiguous across them).
// STATIC-NEXT:   const int64_t dims[3] = {2, 3, 5};
// STATIC-NEXT:   const int64_t strides1[3] = {0, 1, 0};
// STATIC-NEXT:   const float v2 = ds::ew::load(in2, 0);
// Small static kernels have no vector path.
// STATIC-NOT:    aligned_for
// STATIC:        for (int64_t e = begin + thread; e < n; e += threads) {
// STATIC-NEXT:     const float a0 = ds::ew::load(in0, e);
// STATIC-NEXT:     const float a1 = ds::ew::load(in1, ds::ew::broadcast_index<uint32_t>(e, dims, strides1));
// STATIC-NEXT:     float res0;
// STATIC-NEXT:     [[K]]_program(a0, a1, v2, res0);
// STATIC-NEXT:     ds::ew::store(out0, e, res0);

// DYNAMIC:      //   input 0: bf16 [?,8], full or broadcast at run time
// DYNAMIC-NEXT: //   input 1: bf16 [8], full or broadcast at run time
// DYNAMIC:      _program(float r0, float r1, float &res0) {
// DYNAMIC-NEXT:   const float r2 = ds::ew::u_silu(r0);
// DYNAMIC-NEXT:   const float r3 = ds::ew::b_sub(r2, r1);
// DYNAMIC:        const uint16_t *in0 = static_cast<const uint16_t *>(params.ptr[0]);
// params.dims: input 0 at 0-1, input 1 at 2, output 0 at 3-4.
// DYNAMIC:        const int64_t dims[2] = {ds::dim(params, 3), 8};
// DYNAMIC-NEXT:   const int64_t n = dims[0] * dims[1];
// DYNAMIC-NEXT:   const int64_t shape0[2] = {ds::dim(params, 0), 8};
// DYNAMIC-NEXT:   int64_t strides0[2];
// DYNAMIC-NEXT:   ds::ew::broadcast_strides(shape0, strides0);
// DYNAMIC-NEXT:   const bool full0 = shape0[0] * shape0[1] == n;
// DYNAMIC-NEXT:   const int64_t shape1[1] = {8};
// DYNAMIC:        if (n >= 8 && (!full0 || ds::ew::aligned_for<8>(in0)) && (!full1 || ds::ew::aligned_for<8>(in1)) && ds::ew::aligned_for<8>(out0)) {
// DYNAMIC:          if (full0) p0 = ds::ew::load_pack<8>(in0, e);
// DYNAMIC-NEXT:     else for (int v = 0; v < 8; ++v) p0.v[v] = in0[ds::ew::broadcast_index<int64_t>(e + v, dims, strides0)];
// DYNAMIC:            const float a0 = ds::ew::load_bf16(p0.v, v);
// DYNAMIC:            ds::ew::store_bf16(q0.v, v, res0);
// DYNAMIC:          ds::ew::store_pack<8>(out0, e, q0);
// DYNAMIC:        const float a0 = ds::ew::load_bf16(in0, (full0 ? e : ds::ew::broadcast_index<int64_t>(e, dims, strides0)));

// BIG:      //   input 0: f16 [64,33], full
// BIG:      const int64_t n = 2112;
// BIG-NOT:  dims
// BIG:      if (n >= 8 && ds::ew::aligned_for<8>(in0) && ds::ew::aligned_for<8>(out0)) {
// BIG-NEXT:   const int64_t vectors = n / 8 * 8;
// BIG-NEXT:   for (int64_t e = thread * 8; e < vectors; e += threads * 8) {
// BIG-NEXT:     const ds::ew::Pack<uint16_t, 8> p0 = ds::ew::load_pack<8>(in0, e);
// BIG:        begin = vectors;
// BIG:      for (int64_t e = begin + thread; e < n; e += threads) {

// Casts: narrow integer results wrap after every instruction, f64 reaches narrow
// floats through round-to-odd, f8 keeps its saturate flag, constants are exact
// literals in the compute class (f16 constants rounded to f16).
// CASTS:      //   input 0: f64 [9], full
// CASTS:      _program(double r0, int64_t &res0, float &res1) {
// CASTS-NEXT:   const int64_t r1 = int64_t(-7ll);
// CASTS-NEXT:   const float r2 = 0x1.4p+1f;
// CASTS-NEXT:   const int64_t r3 = ds::ew::wrap_i8(ds::ew::trunc_i64(r0));  // cast
// CASTS-NEXT:   const int64_t r4 = ds::ew::wrap_i8(ds::ew::b_add(r3, r1));  // binary add
// CASTS-NEXT:   const float r5 = ds::ew::round_f16(ds::ew::f64_to_f32_round_odd(double(r0)));  // cast
// CASTS-NEXT:   const float r6 = ds::ew::round_f16(ds::ew::f64_to_f32_round_odd(double(r4)));  // cast
// f16 values stay f32 between instructions (as on cpu); only casts round.
// CASTS-NEXT:   const float r7 = ds::ew::b_mul(r6, r5);  // binary mul
// CASTS-NEXT:   const float r8 = ds::ew::b_mul(r7, r2);  // binary mul
// CASTS-NEXT:   const float r9 = ds::ew::round_f8e4m3fn(r8, false);  // cast
// CASTS-NEXT:   const uint64_t r10 = ds::ew::wrap_u16(ds::ew::trunc_u64(r9));  // cast
// CASTS-NEXT:   const bool r11 = (r10 != 0);  // cast
// CASTS-NEXT:   const float r12 = ds::ew::round_bf16(float(r11));  // cast
// CASTS-NEXT:   res0 = r4;
// CASTS-NEXT:   res1 = r12;
// CASTS:        int8_t *out0 = static_cast<int8_t *>(params.ptr[1]);
// CASTS-NEXT:   uint16_t *out1 = static_cast<uint16_t *>(params.ptr[2]);
// CASTS:          ds::ew::store(out0, e, res0);
// CASTS-NEXT:     ds::ew::store_bf16(out1, e, res1);

// AOT: error: CUDA arch 'compute_90' in --cuda-arch=sm_80,compute_90 is not of the form sm_XY, sm_XYa or sm_XYf (e.g. sm_80,sm_90a).
// AOT-OFF: error: --cuda-arch needs the kernels: it cannot be combined with --cuda-kernels=false

func.func @main(%x: tensor<2x3x5xf32>, %y: tensor<3x1xf32>, %s: tensor<f32>,
                %x2: tensor<2x3x5xf32>, %d: tensor<?x8xbf16>, %e: tensor<8xbf16>,
                %h: tensor<64x33xf16>, %c: tensor<9xf64>)
    -> (tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<?x8xbf16>, tensor<64x33xf16>,
        tensor<9xi8>, tensor<9xbf16>) {
  %m1 = ds.binary mul %x, %y : (tensor<2x3x5xf32>, tensor<3x1xf32>) -> tensor<2x3x5xf32>
  %a1 = ds.binary add %m1, %s : (tensor<2x3x5xf32>, tensor<f32>) -> tensor<2x3x5xf32>
  %l1 = ds.unary leaky_relu %a1 {alpha = 0.1 : f32} : tensor<2x3x5xf32> -> tensor<2x3x5xf32>
  %m2 = ds.binary mul %x2, %y : (tensor<2x3x5xf32>, tensor<3x1xf32>) -> tensor<2x3x5xf32>
  %a2 = ds.binary add %m2, %s : (tensor<2x3x5xf32>, tensor<f32>) -> tensor<2x3x5xf32>
  %l2 = ds.unary leaky_relu %a2 {alpha = 0.1 : f32} : tensor<2x3x5xf32> -> tensor<2x3x5xf32>
  %si = ds.unary silu %d : tensor<?x8xbf16> -> tensor<?x8xbf16>
  %su = ds.binary sub %si, %e : (tensor<?x8xbf16>, tensor<8xbf16>) -> tensor<?x8xbf16>
  %g = ds.unary gelu %h : tensor<64x33xf16> -> tensor<64x33xf16>
  %k7 = ds.constant dense<-7> : tensor<i8>
  %k25 = ds.constant dense<2.5> : tensor<f16>
  %c8 = ds.cast %c : tensor<9xf64> -> tensor<9xi8>
  %c8a = ds.binary add %c8, %k7 : (tensor<9xi8>, tensor<i8>) -> tensor<9xi8>
  %cd = ds.cast %c : tensor<9xf64> -> tensor<9xf16>
  %ch = ds.cast %c8a : tensor<9xi8> -> tensor<9xf16>
  %chm = ds.binary mul %ch, %cd : (tensor<9xf16>, tensor<9xf16>) -> tensor<9xf16>
  %chk = ds.binary mul %chm, %k25 : (tensor<9xf16>, tensor<f16>) -> tensor<9xf16>
  %cf8 = ds.cast %chk {saturate = false} : tensor<9xf16> -> tensor<9xf8E4M3FN>
  %cu = ds.cast %cf8 : tensor<9xf8E4M3FN> -> tensor<9xui16>
  %cb = ds.cast %cu : tensor<9xui16> -> tensor<9xi1>
  %ib = ds.cast %cb : tensor<9xi1> -> tensor<9xbf16>
  return %l1, %l2, %su, %g, %c8a, %ib
      : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<?x8xbf16>, tensor<64x33xf16>,
        tensor<9xi8>, tensor<9xbf16>
}
