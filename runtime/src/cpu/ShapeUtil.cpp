// The strided copy engine and small helpers of the cpu shape kernels.
#include "ShapeUtil.h"

#include <algorithm>

namespace ds::rt::shape {

std::string listToString(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

std::vector<int64_t> stridesOf(const Shape &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

void fillElements(char *dst, int64_t count, const void *elem, size_t elemSize) {
  if (count <= 0) return;
  withElemType(elemSize, [&](auto tag) {
    using T = decltype(tag);
    T v;
    std::memcpy(&v, elem, sizeof(T));
    T *out = reinterpret_cast<T *>(dst);
    std::fill(out, out + count, v);
  });
}

void parallelItems(ThreadPool &pool, int64_t n, int64_t bytesPerItem,
                   const std::function<void(int64_t, int64_t)> &body) {
  if (n <= 0) return;
  constexpr int64_t kChunkBytes = 32 * 1024;
  int64_t grain = std::max<int64_t>(1, kChunkBytes / std::max<int64_t>(1, bytesPerItem));
  if (n <= grain) {
    body(0, n);
    return;
  }
  pool.parallelFor(n, grain, body);
}

namespace {

// Copies one row of `n` elements with the given element strides.
template <class T>
void copyRow(T *dst, int64_t dstStride, const T *src, int64_t srcStride, int64_t n) {
  if (srcStride == 0) {
    T v = *src;
    for (int64_t i = 0; i < n; ++i) dst[i * dstStride] = v;
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i * dstStride] = src[i * srcStride];
}

// Square tile of the blocked transpose, in elements: 32x32 keeps both the read and the
// written tile in L1 for 8-byte elements.
constexpr int64_t kTile = 32;

struct Layout {
  Shape shape;
  std::vector<int64_t> dst, src;
};

// Drops size-1 dims and merges dims that are contiguous with their inner neighbour in
// both src and dst, so the loops below see the fewest, longest dims.
Layout simplify(const Shape &shape, const std::vector<int64_t> &dst,
                const std::vector<int64_t> &src) {
  Layout out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!out.shape.empty() && out.dst.back() == dst[i] * shape[i] &&
        out.src.back() == src[i] * shape[i]) {
      out.shape.back() *= shape[i];
      out.dst.back() = dst[i];
      out.src.back() = src[i];
      continue;
    }
    out.shape.push_back(shape[i]);
    out.dst.push_back(dst[i]);
    out.src.push_back(src[i]);
  }
  return out;
}

// dst[q, c] = src[q, c] where q (dim `qDim`) is contiguous in src and c (the last dim)
// is contiguous in dst: a batch of 2-D transposes, done in tiles.
void blockedTranspose(char *dst, const char *src, const Layout &l, size_t qDim,
                      size_t elemSize, ThreadPool *pool) {
  size_t rank = l.shape.size();
  Shape outerDims;
  std::vector<int64_t> outerDst, outerSrc;
  for (size_t i = 0; i + 1 < rank; ++i) {
    if (i == qDim) continue;
    outerDims.push_back(l.shape[i]);
    outerDst.push_back(l.dst[i]);
    outerSrc.push_back(l.src[i]);
  }
  int64_t nq = l.shape[qDim], nc = l.shape[rank - 1];
  int64_t dq = l.dst[qDim], sc = l.src[rank - 1];
  int64_t qTiles = (nq + kTile - 1) / kTile;
  int64_t items = numElements(outerDims) * qTiles;
  auto body = [&](int64_t begin, int64_t end) {
    std::vector<int64_t> idx;
    withElemType(elemSize, [&](auto tag) {
      using T = decltype(tag);
      for (int64_t item = begin; item < end; ++item) {
        unravel(item / qTiles, outerDims, idx);
        int64_t dOff = 0, sOff = 0;
        for (size_t i = 0; i < idx.size(); ++i) {
          dOff += idx[i] * outerDst[i];
          sOff += idx[i] * outerSrc[i];
        }
        const T *s = reinterpret_cast<const T *>(src) + sOff;
        T *d = reinterpret_cast<T *>(dst) + dOff;
        int64_t q0 = (item % qTiles) * kTile, q1 = std::min(nq, q0 + kTile);
        for (int64_t c0 = 0; c0 < nc; c0 += kTile) {
          int64_t c1 = std::min(nc, c0 + kTile);
          for (int64_t q = q0; q < q1; ++q)
            for (int64_t c = c0; c < c1; ++c) d[q * dq + c] = s[q + c * sc];
        }
      }
    });
  };
  if (pool) parallelItems(*pool, items, kTile * nc * elemSize, body);
  else body(0, items);
}

}  // namespace

void copyStrided(char *dst, const char *src, Shape shape, std::vector<int64_t> dstStrides,
                 std::vector<int64_t> srcStrides, size_t elemSize, ThreadPool *pool) {
  if (numElements(shape) == 0) return;
  Layout l = simplify(shape, dstStrides, srcStrides);
  size_t rank = l.shape.size();
  if (rank == 0) {
    std::memcpy(dst, src, elemSize);
    return;
  }
  int64_t inner = l.shape[rank - 1], dIn = l.dst[rank - 1], sIn = l.src[rank - 1];
  // A transposed pair: dst contiguous along the last dim, src along another one.
  if (rank >= 2 && dIn == 1 && sIn != 1 && sIn != 0) {
    for (size_t q = 0; q + 1 < rank; ++q)
      if (l.src[q] == 1 && l.dst[q] != 0) {
        blockedTranspose(dst, src, l, q, elemSize, pool);
        return;
      }
  }
  Shape rowDims(l.shape.begin(), l.shape.end() - 1);
  int64_t rows = numElements(rowDims);
  bool contiguous = dIn == 1 && sIn == 1;
  auto body = [&](int64_t begin, int64_t end) {
    std::vector<int64_t> idx;
    unravel(begin, rowDims, idx);
    withElemType(elemSize, [&](auto tag) {
      using T = decltype(tag);
      for (int64_t r = begin; r < end; ++r) {
        int64_t dOff = 0, sOff = 0;
        for (size_t i = 0; i < idx.size(); ++i) {
          dOff += idx[i] * l.dst[i];
          sOff += idx[i] * l.src[i];
        }
        T *d = reinterpret_cast<T *>(dst) + dOff;
        const T *s = reinterpret_cast<const T *>(src) + sOff;
        if (contiguous) std::memcpy(d, s, inner * sizeof(T));
        else copyRow(d, dIn, s, sIn, inner);
        increment(idx, rowDims);
      }
    });
  };
  if (pool) parallelItems(*pool, rows, inner * elemSize, body);
  else body(0, rows);
}

}  // namespace ds::rt::shape
