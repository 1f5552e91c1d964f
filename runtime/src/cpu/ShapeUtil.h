// Helpers shared by the cpu shape, gather/scatter and generator kernels: axis handling,
// strides, and a dtype-agnostic strided copy engine that moves elements by their byte
// size (1, 2, 4 or 8), so every dtype (bf16, f8, i1, ...) goes through the same code.
#pragma once

#include "Kernel.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ds::rt::shape {

std::string listToString(const std::vector<int64_t> &values);

// Row-major strides in elements.
std::vector<int64_t> stridesOf(const Shape &shape);

// An axis in [-rank, rank) made non-negative; otherwise ctx.fail naming `what`.
template <class Ctx>
int64_t normalizeAxis(const Ctx &ctx, int64_t axis, int64_t rank, const char *what = "axis") {
  if (axis < -rank || axis >= rank)
    ctx.fail(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
             std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

// Copies `shape` elements from src to dst, element idx at src[sum idx*srcStrides] and
// dst[sum idx*dstStrides] (strides in elements, may be 0 or negative for src).
// Contiguous runs become memcpy, a transposed inner pair a blocked 2-D transpose, and
// large copies are split over the pool (pass nullptr to run inline).
void copyStrided(char *dst, const char *src, Shape shape, std::vector<int64_t> dstStrides,
                 std::vector<int64_t> srcStrides, size_t elemSize, ThreadPool *pool);

// Writes `count` copies of the `elemSize`-byte pattern at `elem`.
void fillElements(char *dst, int64_t count, const void *elem, size_t elemSize);

// Calls body(begin, end) over [0, n) in chunks of about `bytesPerItem * grain >= 32 KiB`,
// in parallel when the work is large enough.
void parallelItems(ThreadPool &pool, int64_t n, int64_t bytesPerItem,
                   const std::function<void(int64_t, int64_t)> &body);

// Multi-index of a linear position (row-major) in `dims`.
inline void unravel(int64_t linear, const Shape &dims, std::vector<int64_t> &idx) {
  idx.resize(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    int64_t d = dims[i];
    idx[i] = d ? linear % d : 0;
    linear = d ? linear / d : 0;
  }
}

// Advances a row-major multi-index by one; returns false after the last.
inline bool increment(std::vector<int64_t> &idx, const Shape &dims) {
  for (size_t i = dims.size(); i-- > 0;) {
    if (++idx[i] < dims[i]) return true;
    idx[i] = 0;
  }
  return false;
}

// Element-size dispatch: f(T{}) with T an unsigned integer type of that size.
template <class F> void withElemType(size_t elemSize, F &&f) {
  switch (elemSize) {
  case 1: f(uint8_t{}); return;
  case 2: f(uint16_t{}); return;
  case 4: f(uint32_t{}); return;
  default: f(uint64_t{}); return;
  }
}

// Families registered by registerCpuShapeKernels.
void registerGatherScatterKernels(KernelRegistry &registry);
void registerGeneratorKernels(KernelRegistry &registry);

}  // namespace ds::rt::shape
