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

// Square tile of the blocked transpose: 128 bytes (two cache lines) per tile row, so
// every line read or written is used whole; the tile (at most 16 KiB) stays in L1.
template <class T> constexpr int64_t tileFor() { return 128 / sizeof(T); }

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

// d[q * dq + c] = s[q + c * sc] for q < nq, c < nc (a tile of at most 128 bytes a side).
// Full 8x8 sub-blocks go through registers, which the compiler turns into shuffles.
template <class T>
void transposeTile(T *d, int64_t dq, const T *s, int64_t sc, int64_t nq, int64_t nc) {
  int64_t q8 = nq - nq % 8, c8 = nc - nc % 8;
  for (int64_t c = 0; c < c8; c += 8)
    for (int64_t q = 0; q < q8; q += 8) {
      T v[8][8];
      for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j) v[j][i] = s[(c + i) * sc + q + j];
      for (int j = 0; j < 8; ++j)
        for (int i = 0; i < 8; ++i) d[(q + j) * dq + c + i] = v[j][i];
    }
  // Ragged edges element by element.
  for (int64_t c = 0; c < nc; ++c)
    for (int64_t q = c < c8 ? q8 : 0; q < nq; ++q) d[q * dq + c] = s[c * sc + q];
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
  withElemType(elemSize, [&](auto tag) {
    using T = decltype(tag);
    constexpr int64_t kTile = tileFor<T>();
    // Work items are blocks of kBlock x kBlock elements (a few hundred source and
    // destination rows: within L2 and the TLB's reach), walked tile by tile.
    constexpr int64_t kBlock = 256;
    int64_t qBlocks = (nq + kBlock - 1) / kBlock, cBlocks = (nc + kBlock - 1) / kBlock;
    int64_t items = numElements(outerDims) * qBlocks * cBlocks;
    auto body = [&](int64_t begin, int64_t end) {
      std::vector<int64_t> idx;
      for (int64_t item = begin; item < end; ++item) {
        unravel(item / (qBlocks * cBlocks), outerDims, idx);
        int64_t dOff = 0, sOff = 0;
        for (size_t i = 0; i < idx.size(); ++i) {
          dOff += idx[i] * outerDst[i];
          sOff += idx[i] * outerSrc[i];
        }
        const T *s = reinterpret_cast<const T *>(src) + sOff;
        T *d = reinterpret_cast<T *>(dst) + dOff;
        int64_t block = item % (qBlocks * cBlocks);
        int64_t qb = (block / cBlocks) * kBlock, qe = std::min(nq, qb + kBlock);
        int64_t cb = (block % cBlocks) * kBlock, ce = std::min(nc, cb + kBlock);
        for (int64_t c0 = cb; c0 < ce; c0 += kTile)
          for (int64_t q0 = qb; q0 < qe; q0 += kTile) {
            int64_t q1 = std::min(qe, q0 + kTile), c1 = std::min(ce, c0 + kTile);
            transposeTile(d + q0 * dq + c0, dq, s + q0 + c0 * sc, sc, q1 - q0, c1 - c0);
          }
      }
    };
    if (pool) parallelItems(*pool, items, std::min(nq, kBlock) * std::min(nc, kBlock) * sizeof(T), body);
    else body(0, items);
  });
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
    int64_t dOff = 0, sOff = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
      dOff += idx[i] * l.dst[i];
      sOff += idx[i] * l.src[i];
    }
    withElemType(elemSize, [&](auto tag) {
      using T = decltype(tag);
      for (int64_t r = begin; r < end; ++r) {
        T *d = reinterpret_cast<T *>(dst) + dOff;
        const T *s = reinterpret_cast<const T *>(src) + sOff;
        if (contiguous) std::memcpy(d, s, inner * sizeof(T));
        else copyRow(d, dIn, s, sIn, inner);
        // Next row: offsets follow the multi-index incrementally.
        for (size_t i = idx.size(); i-- > 0;) {
          dOff += l.dst[i];
          sOff += l.src[i];
          if (++idx[i] < rowDims[i]) break;
          dOff -= l.dst[i] * rowDims[i];
          sOff -= l.src[i] * rowDims[i];
          idx[i] = 0;
        }
      }
    });
  };
  if (pool) parallelItems(*pool, rows, inner * elemSize, body);
  else body(0, rows);
}

}  // namespace ds::rt::shape
