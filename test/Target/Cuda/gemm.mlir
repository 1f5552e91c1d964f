// The generated GEMM kernels (docs/cuda.md "GEMM kernels"): a static batched bf16 matmul
// with broadcast batch dims goes to the tensor-core template with batch strides baked in
// (0 where the operand broadcasts) and a tile choice by M; a dynamic f32 linear with a
// transposed weight, a bias and a fused epilogue (sigmoid, residual add) goes to the SIMT
// template, its dims read from params.dims, the bias added before the epilogue and the
// residual indexed at run time; the launch is the "tiles" rule batch x M x N.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-opt %s --emit=bundle -o %t/k.dsb
// RUN: FileCheck %s --check-prefix=STEPS < %t/k.dsb/steps.json
// RUN: cat %t/k.dsb/kernels/ds_matmul_*.cu | FileCheck %s --check-prefix=MMA
// RUN: cat %t/k.dsb/kernels/ds_linear_sigmoid_add_*.cu | FileCheck %s --check-prefix=LINEAR
// RUN: ds-opt --emit=cuda-kernels %t/k.dsb/steps.json -o %t/regen
// RUN: diff -r %t/k.dsb/kernels %t/regen/kernels

// STEPS: "kernel":{"launch":{"block":[128,1,1],"grid":{"of":"tiles","tiles":{{\[\[}}2,0,2,1],[0,2,3,64],[1,2,3,64]]},"shared_bytes":0},"name":"ds_matmul_{{[0-9a-f]+}}"
// STEPS: "epilogue":{"product_dtype":"f32"
// STEPS-SAME: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"tiles","tiles":{{\[\[}}0,0,1,64],[1,0,1,64]]},"shared_bytes":0},"name":"ds_linear_sigmoid_add_{{[0-9a-f]+}}"

// MMA: tensor cores (bf16), tile 64x64x32, 2x2 warps
// MMA: #include "gemm.cuh"
// MMA: m = int64_t(40);
// MMA: n = int64_t(70);
// MMA: k = int64_t(24);
// MMA: sam = int64_t(24);
// MMA: sak = int64_t(1);
// MMA: sbk = int64_t(70);
// MMA: sbn = int64_t(1);
// The lhs [2,3,...] is batched along both dims, the rhs [3,...] broadcasts along the first.
// MMA: bdims[0] = int64_t(2);
// MMA: astr[0] = int64_t(2880);
// MMA: bstr[0] = int64_t(0);
// MMA: bdims[1] = int64_t(3);
// MMA: astr[1] = int64_t(960);
// MMA: bstr[1] = int64_t(1680);
// MMA: batches = bdims[0] * bdims[1];
// MMA: ds::gemm::batch_offset(batch, bdims, astr)
// MMA: ds::ew::store_bf16(static_cast<uint16_t *>(params.ptr[2]), e, v);
// MMA: DS_KERNEL_BOUNDS(ds_matmul_{{[0-9a-f]+}}, 128)
// MMA: ds::gemm::mma_gemm<64, 64, 2, 2, false>(cfg);

// LINEAR: SIMT float, tile 64x64x16
// LINEAR: DS_DEVICE void ds_linear_sigmoid_add_{{[0-9a-f]+}}_epilogue(float r0, float r1, float &res0) {
// LINEAR-NEXT: const float r2 = ds::ew::u_sigmoid(r0);
// LINEAR-NEXT: const float r3 = ds::ew::b_add(r2, r1);
// LINEAR: m = ds::dim(params, 0);
// LINEAR: sbk = int64_t(1);
// LINEAR: sbn = int64_t(8);
// LINEAR: xfull3 =
// LINEAR: v = ds::gemm::add<float>(float(ds::ew::load(static_cast<const float *>(params.ptr[2]), col)), v);
// LINEAR-NEXT: const float r0 = v;
// LINEAR-NEXT: const float x3 = ds::ew::load(static_cast<const float *>(params.ptr[3]), (xfull3 ? e : ds::ew::broadcast_index<int64_t>(e, odims, xstr3)));
// LINEAR: ds::ew::store(static_cast<float *>(params.ptr[4]), e, res0);
// LINEAR: ds::gemm::simt_gemm<float>(cfg);
func.func @main(%a: tensor<2x3x40x24xbf16>, %b: tensor<3x24x70xbf16>, %x: tensor<?x8xf32>,
                %w: tensor<16x8xf32>, %bias: tensor<16xf32>, %r: tensor<?x16xf32>)
    -> (tensor<2x3x40x70xbf16>, tensor<?x16xf32>) {
  %p = ds.matmul %a, %b : (tensor<2x3x40x24xbf16>, tensor<3x24x70xbf16>) -> tensor<2x3x40x70xbf16>
  %l = ds.linear %x, %w, %bias {transpose_w} : (tensor<?x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %s = ds.unary sigmoid %l : tensor<?x16xf32> -> tensor<?x16xf32>
  %y = ds.binary add %s, %r : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %p, %y : tensor<2x3x40x70xbf16>, tensor<?x16xf32>
}
