// movement.cuh — helpers of the generated data-movement kernels (transpose, concat,
// slice, split, expand, tile, pad, trilu; lib/Target/Cuda/MovementCodegen.cpp,
// docs/cuda.md "Data movement kernels").
//
// Movement kernels copy bits: elements travel as unsigned integers of their storage size
// (1, 2, 4 or 8 bytes), so one kernel text serves every dtype of that size.
#ifndef DS_MOVEMENT_CUH
#define DS_MOVEMENT_CUH

#include "ds_device.cuh"

namespace ds {
namespace mv {

// V consecutive elements moved as one aligned access (16 bytes: V = 16 / sizeof(T)).
template <class T, int V> struct alignas(sizeof(T) * V) Vec {
  T v[V];
};

template <int V, class T> DS_DEVICE bool aligned(const T *p) {
  return reinterpret_cast<unsigned long long>(p) % (sizeof(T) * V) == 0;
}
template <int V, class T> DS_DEVICE Vec<T, V> load_vec(const T *p, int64_t i) {
  return *reinterpret_cast<const Vec<T, V> *>(p + i);
}
template <int V, class T> DS_DEVICE void store_vec(T *p, int64_t i, const Vec<T, V> &v) {
  *reinterpret_cast<Vec<T, V> *>(p + i) = v;
}

// The first global thread and the grid's thread count of a 1-D grid-stride loop.
DS_DEVICE int64_t global_thread() {
  return int64_t(block_idx_x()) * block_dim_x() + thread_idx_x();
}
DS_DEVICE int64_t grid_threads() { return int64_t(grid_dim_x()) * block_dim_x(); }

// ---- slice ------------------------------------------------------------------------------
// ONNX Slice parameters as the cpu normalizes them (runtime/src/cpu/ShapeKernels.cpp,
// sliceDims): per data dim the first element and the step; `count` is the output dim
// (the shape function already computed it). Dims not named in `axes` keep start 0, step 1.
// A step only taken when count > 1 (else 1, as on cpu, so step * stride cannot overflow).
template <int R>
DS_DEVICE void slice_params(const int64_t *starts, const int64_t *ends, const int64_t *axes,
                            const int64_t *steps, int64_t n, const int64_t (&dims)[R],
                            const int64_t (&count)[R], int64_t (&start)[R],
                            int64_t (&step)[R]) {
#pragma unroll
  for (int d = 0; d < R; ++d) {
    start[d] = 0;
    step[d] = 1;
  }
  for (int64_t i = 0; i < n; ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + R : axes[i];
    int64_t s = starts[i], st = steps[i];
#pragma unroll
    for (int d = 0; d < R; ++d) {
      if (d != axis)
        continue;
      const int64_t len = dims[d];
      if (s < 0)
        s += len;
      if (st > 0)
        s = s < 0 ? 0 : (s > len ? len : s);
      else
        s = len == 0 ? 0 : (s < 0 ? 0 : (s > len - 1 ? len - 1 : s));
      (void)ends; // the end only decides the count, which the output dim carries
      start[d] = s;
      step[d] = count[d] > 1 ? st : 1;
    }
  }
}

// ---- pad --------------------------------------------------------------------------------
// Modes as runtime/src/cpu/ShapeKernels.cpp's padSource: the input coordinate of output
// coordinate `o` of one dim, or -1 for the constant. `begin` = elements added in front
// (>= 0), `crop` = elements cropped in front by a negative pad, `kept` = input elements
// left after cropping.
enum PadMode { kPadConstant = 0, kPadReflect = 1, kPadEdge = 2, kPadWrap = 3 };

template <int Mode>
DS_DEVICE int64_t pad_source(int64_t o, int64_t begin, int64_t crop, int64_t kept) {
  int64_t c = o - begin;
  const int64_t d = kept;
  if (c >= 0 && c < d)
    return c + crop;
  if (Mode == kPadConstant)
    return -1;
  if (Mode == kPadEdge) {
    c = c < 0 ? 0 : d - 1;
  } else if (Mode == kPadWrap) {
    c = ((c % d) + d) % d;
  } else { // reflect: mirror without repeating the edge, period 2(d-1) (numpy)
    if (d == 1) {
      c = 0;
    } else {
      const int64_t period = 2 * (d - 1);
      const int64_t m = ((c % period) + period) % period;
      c = m < d ? m : period - m;
    }
  }
  return c + crop;
}

// ---- transpose ----------------------------------------------------------------------------
// One 32 x 32 tile of a batch of 2-D transposes: dst[q * dq + c] = src[q + c * sc] for
// q in [q0, q0 + 32) ∩ [0, nq), c in [c0, c0 + 32) ∩ [0, nc). q is contiguous in the
// source, c in the destination, so a warp reads 32 consecutive source elements (one
// column of the tile) and writes 32 consecutive destination elements (one row). The
// shared tile has 33 columns: a warp reading a tile column then hits 32 different banks.
// Block: 32 x R threads (R divides 32); every thread reaches both barriers.
template <int kTile, int kPitch, class T>
DS_DEVICE void transpose_tile(T (*tile)[kPitch], const T *src, T *dst, int64_t nq,
                              int64_t nc, int64_t dq, int64_t sc, int64_t q0, int64_t c0) {
  const int tx = int(thread_idx_x()), ty = int(thread_idx_y()), rows = int(block_dim_y());
  const int64_t q = q0 + tx;
  for (int k = ty; k < kTile; k += rows) {
    const int64_t c = c0 + k;
    if (q < nq && c < nc)
      tile[k][tx] = src[q + c * sc];
  }
  sync_block();
  const int64_t c = c0 + tx;
  for (int k = ty; k < kTile; k += rows) {
    const int64_t qq = q0 + k;
    if (qq < nq && c < nc)
      dst[qq * dq + c] = tile[tx][k];
  }
  sync_block(); // the tile is reused by the block's next tile
}

} // namespace mv
} // namespace ds

#endif // DS_MOVEMENT_CUH
