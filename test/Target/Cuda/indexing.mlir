// The generated indexing kernels' key structure (docs/cuda.md "Indexing and generator
// kernels"): gathers as row copies (an axis-0 gather addresses rows by the index alone),
// static dims as literals and dynamic ones from params.dims, scatter combinations in
// a per-kernel op struct with the storage round trip, nonzero as one block, fill values
// converted as the cpu stores them, and the launch entries in steps.json. The numbers
// are checked by emulate_indexing.py.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-opt %s --emit=bundle -o %t/k.dsb
// RUN: FileCheck %s --check-prefix=STEPS < %t/k.dsb/steps.json
// RUN: cat %t/k.dsb/kernels/ds_gather_*.cu | FileCheck %s --check-prefix=GATHER
// RUN: cat %t/k.dsb/kernels/ds_scatter_nd_*.cu | FileCheck %s --check-prefix=SCATTER
// RUN: cat %t/k.dsb/kernels/ds_nonzero_*.cu | FileCheck %s --check-prefix=NONZERO
// RUN: cat %t/k.dsb/kernels/ds_fill_*.cu | FileCheck %s --check-prefix=FILL
// Regenerating from steps.json gives the same kernels.
// RUN: ds-opt --emit=cuda-kernels %t/k.dsb/steps.json -o %t/regen
// RUN: diff -r %t/k.dsb/kernels %t/regen/kernels

// Gathers move 16 bytes per thread in one pass: 256 x 16 / 2 f16 elements per block.
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":2,"per_block":2048},"shared_bytes":0},"name":"ds_gather_{{[0-9a-f]+}}"{{.*}}"kind":"gather"
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"of":"numel","operand":3,"per_block":256},"shared_bytes":0},"name":"ds_scatter_nd_{{[0-9a-f]+}}"{{.*}}"kind":"scatter_nd"
// nonzero: one block (the dims of the output before axis 0).
// STEPS: "kernel":{"launch":{"block":[256,1,1],"grid":{"axis":0,"of":"rows","operand":1,"per_block":1},"shared_bytes":0},"name":"ds_nonzero_{{[0-9a-f]+}}"{{.*}}"kind":"nonzero"
// STEPS: "kind":"fill"

// GATHER: const int64_t dim = int64_t(100);
// GATHER: const int64_t inner = int64_t(64);
// GATHER: const int64_t count = ds::dim(params, 2) * ds::dim(params, 3);
// GATHER: const int64_t row_bytes = inner * 2;
// GATHER: ds::ix::copy_rows(params.ptr[0], params.ptr[2], outer * count, row_bytes,
// GATHER-NEXT: [&](int64_t r) -> int64_t {
// GATHER-NEXT: const int64_t v = ds::ix::norm_index(idx, r, dim);
// GATHER-NEXT: return v < 0 ? int64_t(-1) : v * row_bytes;

// SCATTER: struct [[K:ds_scatter_nd_[0-9a-f]+]]_op {
// SCATTER-NEXT: using S = uint16_t;
// SCATTER-NEXT: static DS_DEVICE S apply(S acc, S upd) { return ds::ew::bf16_store(ds::ix::combine<ds::ix::kAdd, float>(ds::ew::bf16_load(acc), ds::ew::bf16_load(upd))); }
// SCATTER: DS_KERNEL([[K]])
// SCATTER: const int64_t n = int64_t(8) * ds::dim(params, 0);
// SCATTER: const int64_t tuples = ds::dim(params, 2);
// SCATTER: const int64_t slice_len = int64_t(8);
// SCATTER: ds::ix::scatter_nd<[[K]]_op, false, 1>(

// NONZERO: const int64_t dims[2] = {ds::dim(params, 0), int64_t(3)};
// NONZERO: const int64_t count = ds::dim(params, 3);
// NONZERO: ds::ix::nonzero<2>(dims, n, static_cast<int64_t *>(params.ptr[1]), count,
// NONZERO-NEXT: [&](int64_t i) -> bool { return ds::ew::load_f16(in, i) != 0; });

// -inf as an f16: converted through f32 like the cpu's storeFromDouble.
// FILL: ds::ix::fill<uint16_t>(static_cast<uint16_t *>(params.ptr[1]), n, (uint16_t)(ds::ew::f16_store(-ds::ew::f32_inf())));

func.func @main(%table: tensor<100x64xf16>, %ids: tensor<?x?xi64>, %d: tensor<?x8xbf16>,
                %i: tensor<?x1xi64>, %u: tensor<?x8xbf16>, %z: tensor<?x3xf16>)
    -> (tensor<?x?x64xf16>, tensor<?x8xbf16>, tensor<2x?xi64>, tensor<?x8xf16>) {
  %e = ds.gather %table, %ids {axis = 0 : i64} : (tensor<100x64xf16>, tensor<?x?xi64>) -> tensor<?x?x64xf16>
  %s = ds.scatter_nd add %d, %i, %u : (tensor<?x8xbf16>, tensor<?x1xi64>, tensor<?x8xbf16>) -> tensor<?x8xbf16>
  %n = ds.nonzero %z : tensor<?x3xf16> -> tensor<2x?xi64>
  %shape = ds.shape_of %d {start = 0 : i64, end = 2 : i64} : tensor<?x8xbf16> -> tensor<2xi64>
  %f = ds.fill %shape {value = 0xFC00 : f16} : tensor<2xi64> -> tensor<?x8xf16>
  return %e, %s, %n, %f : tensor<?x?x64xf16>, tensor<?x8xbf16>, tensor<2x?xi64>, tensor<?x8xf16>
}
