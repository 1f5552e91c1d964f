// The generated data-movement kernels (docs/cuda.md "Data movement kernels"): a transpose
// moving the innermost axis is tiled (32x32 shared tile with a padded pitch, a tiles grid
// over the output's dims, static or dynamic), one keeping it is a collapsed strided copy
// with 16-byte runs; concat is one kernel for all inputs; pad and slice read their
// parameters from their operands on the device. Numerics: emulate_movement.py.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-opt %s --emit=bundle -o %t/k.dsb
// RUN: FileCheck %s --check-prefix=STEPS < %t/k.dsb/steps.json
// RUN: cat %t/k.dsb/kernels/ds_transpose_*.cu | FileCheck %s --check-prefix=TSTATIC
// RUN: cat %t/k.dsb/kernels/ds_transpose_*.cu | FileCheck %s --check-prefix=TRUNS
// RUN: cat %t/k.dsb/kernels/ds_transpose_*.cu | FileCheck %s --check-prefix=TDYN
// RUN: cat %t/k.dsb/kernels/ds_concat_*.cu | FileCheck %s --check-prefix=CONCAT
// RUN: cat %t/k.dsb/kernels/ds_pad_*.cu | FileCheck %s --check-prefix=PAD
// RUN: cat %t/k.dsb/kernels/ds_slice_*.cu | FileCheck %s --check-prefix=SLICE
// RUN: ds-opt --emit=cuda-kernels %t/k.dsb/steps.json -o %t/regen
// RUN: diff -r %t/k.dsb/kernels %t/regen/kernels

// STEPS: "kernel":{"launch":{"block":[32,8,1],"grid":{"of":"tiles","tiles":{{\[}}[1,0,1,32],[1,1,2,32]]},"shared_bytes":0},"name":"ds_transpose_
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":1,"per_block":2048},"shared_bytes":0},"name":"ds_transpose_
// STEPS: "kernel":{"launch":{"block":[32,8,1],"grid":{"of":"tiles","tiles":{{\[}}[1,0,1,1],[1,1,2,32],[1,2,3,32]]},"shared_bytes":0},"name":"ds_transpose_
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":2,"per_block":256},"shared_bytes":0},"name":"ds_concat_
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":3,"per_block":256},"shared_bytes":0},"name":"ds_pad_
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":5,"per_block":1024},"shared_bytes":0},"name":"ds_slice_

// Static 33x65 -> 65x33: tiled.
// TSTATIC-LABEL: //   input 0: f32 [33,65]
// TSTATIC: DS_KERNEL_BOUNDS(ds_transpose_{{[0-9a-f]+}}, 256)
// TSTATIC: DS_SHARED uint32_t tile[32][33];
// TSTATIC: const int64_t nq = int64_t(65), nc = int64_t(33);
// TSTATIC: const int64_t dq = int64_t(33), sc = int64_t(65);
// TSTATIC: ds::mv::transpose_tile<32, 33>(tile, in + so, out + dof, nq, nc, dq, sc
// 4x8x64 bf16, perm (1, 0, 2): 2-byte elements, 8 per 16-byte run, constant strides.
// TRUNS-LABEL: //   input 0: bf16 [4,8,64]
// TRUNS: const uint16_t *in
// TRUNS: const int64_t stride0 = int64_t(64);
// TRUNS: const int64_t dim1 = int64_t(4), stride1 = int64_t(512);
// TRUNS: const int64_t dim2 = int64_t(64), stride2 = int64_t(1);
// TRUNS: using I = uint32_t;
// TRUNS-NOT: using I = int64_t;
// TRUNS: if (n >= 8 && ds::mv::aligned<8>(out) && ds::mv::aligned<8>(in))
// TRUNS: if (src % 8 == 0) p = ds::mv::load_vec<8>(in, src);
// Dynamic [?,?,8] perm (0, 2, 1): tiled, dims from params.dims, the batch dim decomposed.
// TDYN-LABEL: //   input 0: f32 [?,?,8]
// TDYN: const int64_t nq = int64_t(8), nc = params.dims[1];
// TDYN: const int64_t bdim0 = params.dims[0]
// TDYN-NOT: auto

// CONCAT: const uint8_t *part0 = static_cast<const uint8_t *>(params.ptr[0]);
// CONCAT: const uint8_t *part1 = static_cast<const uint8_t *>(params.ptr[1]);
// CONCAT: const int64_t W = int64_t(32);
// CONCAT: const int64_t w0 = int64_t(12), end0 = w0;
// CONCAT: const int64_t w1 = int64_t(20), end1 = end0 + w1;
// CONCAT: if (c < end0) { ptr = const_cast<uint8_t *>(part0)
// CONCAT: else { ptr = const_cast<uint8_t *>(part1)
// CONCAT: whole[e] = ptr[at];

// PAD: Pad, reflect mode
// PAD: const int64_t *pads = static_cast<const int64_t *>(params.ptr[1]);
// PAD: const int64_t pb0 = pads[0], pe0 = params.dims[{{[0-9]+}}] - int64_t(33) - pb0;
// PAD: const int64_t pb1 = pads[1], pe1 = params.dims[{{[0-9]+}}] - int64_t(65) - pb1;
// PAD: ds::mv::pad_source<1>(o, add1, crop1, kept1)
// PAD: out[e] = pad ? value : in[src];

// SLICE: ds::mv::slice_params(static_cast<const int64_t *>(params.ptr[1]), {{.*}}, int64_t(1), in_dims, out_dims, start, step);
// SLICE: const int64_t base = {{.*}}start[0]{{.*}}start[1]{{.*}}start[2]
// SLICE: if (n <= int64_t(0xffffffff)) {
// SLICE-NEXT: using I = uint32_t;
// SLICE: if (n >= 4 && stride2 == 1 && ds::mv::aligned<4>(out) && ds::mv::aligned<4>(in))

func.func @main(%x: tensor<33x65xf32>, %h: tensor<4x8x64xbf16>, %d: tensor<?x?x8xf32>,
                %a: tensor<2x3x4xi8>, %b: tensor<2x5x4xi8>, %p: tensor<4xi64>, %st: tensor<1xi64>)
    -> (tensor<65x33xf32>, tensor<8x4x64xbf16>, tensor<?x8x?xf32>, tensor<2x8x4xi8>, tensor<?x?xf32>, tensor<?x?x8xf32>) {
  %t0 = ds.transpose %x {perm = array<i64: 1, 0>} : tensor<33x65xf32> -> tensor<65x33xf32>
  %t1 = ds.transpose %h {perm = array<i64: 1, 0, 2>} : tensor<4x8x64xbf16> -> tensor<8x4x64xbf16>
  %t2 = ds.transpose %d {perm = array<i64: 0, 2, 1>} : tensor<?x?x8xf32> -> tensor<?x8x?xf32>
  %c = ds.concat %a, %b {axis = 1 : i64} : (tensor<2x3x4xi8>, tensor<2x5x4xi8>) -> tensor<2x8x4xi8>
  %y = ds.pad reflect %x, %p : (tensor<33x65xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %s = ds.slice %d, %st, %st, %st, %st : (tensor<?x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x8xf32>
  return %t0, %t1, %t2, %c, %y, %s : tensor<65x33xf32>, tensor<8x4x64xbf16>, tensor<?x8x?xf32>, tensor<2x8x4xi8>, tensor<?x?xf32>, tensor<?x?x8xf32>
}
