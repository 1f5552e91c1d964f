// cpu backend: gather, gather_elements, gather_nd, scatter_elements, scatter_nd.
//
// Indices are read once into int64 (any integer dtype), checked against their axis
// (negative ones count from the back) and normalized; an index out of range is an error
// naming its position and value. Gathers move elements by byte size; scatter reductions
// combine in the element's own type (f16/bf16/f8 through float).
#include "ShapeUtil.h"

#include <algorithm>
#include <type_traits>

namespace ds::rt {
namespace shape {
namespace {

// All indices of `t`, checked against an axis of size `dim` and made non-negative.
// `axisOf(k)` names the axis for index k (gather_nd tuples index several axes).
template <class Ctx, class DimOf>
std::vector<int64_t> readIndices(const Ctx &ctx, const TensorView &t, DimOf dimOf,
                                 const char *what) {
  if (isFloat(t.dtype) || t.dtype == DType::I1)
    ctx.fail(std::string(what) + " must be an integer tensor, got " + dtypeName(t.dtype));
  std::vector<int64_t> out(static_cast<size_t>(t.numel()));
  for (int64_t k = 0; k < t.numel(); ++k) {
    int64_t v = loadAsInt(t, k), d = dimOf(k);
    if (v < -d || v >= d) {
      std::vector<int64_t> pos;
      unravel(k, t.shape, pos);
      ctx.fail(std::string(what) + " value " + std::to_string(v) + " at position " +
               listToString(pos) + " is out of range [" + std::to_string(-d) + ", " +
               std::to_string(d) + ")");
    }
    out[k] = v < 0 ? v + d : v;
  }
  return out;
}

//===--------------------------------------------------------------------------------===//
// gather
//===--------------------------------------------------------------------------------===//

void gatherShape(ShapeContext &ctx) {
  const Shape &data = ctx.inputs[0].shape, &indices = ctx.inputs[1].shape;
  int64_t rank = data.size();
  if (rank == 0) ctx.fail("cannot gather from a rank-0 tensor");
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis"), rank);
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  ctx.outputShapes = {out};
}

void gatherKernel(KernelContext &ctx) {
  const TensorView &data = ctx.inputs[0], &out = ctx.outputs[0];
  int64_t rank = data.shape.size();
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis"), rank);
  int64_t dim = data.shape[axis];
  std::vector<int64_t> indices =
      readIndices(ctx, ctx.inputs[1], [&](int64_t) { return dim; }, "index");
  if (out.numel() == 0) return;
  size_t elem = dtypeSize(data.dtype);
  int64_t outer = numElements(Shape(data.shape.begin(), data.shape.begin() + axis));
  int64_t inner = numElements(Shape(data.shape.begin() + axis + 1, data.shape.end()));
  int64_t count = indices.size();
  const char *src = static_cast<const char *>(data.data);
  char *dst = static_cast<char *>(out.data);
  // One item per (outer, index): a contiguous run of `inner` elements.
  parallelItems(ctx.pool, outer * count, inner * elem, [&](int64_t begin, int64_t end) {
    if (inner == 1) {
      withElemType(elem, [&](auto tag) {
        using T = decltype(tag);
        const T *s = reinterpret_cast<const T *>(src);
        T *d = reinterpret_cast<T *>(dst);
        for (int64_t item = begin; item < end; ++item)
          d[item] = s[(item / count) * dim + indices[item % count]];
      });
      return;
    }
    size_t run = inner * elem;
    for (int64_t item = begin; item < end; ++item) {
      int64_t o = item / count, j = item % count;
      std::memcpy(dst + item * run, src + (o * dim + indices[j]) * run, run);
    }
  });
}

//===--------------------------------------------------------------------------------===//
// gather_elements
//===--------------------------------------------------------------------------------===//

// Checks that `indices` (and updates) fit `data` for an element-wise gather/scatter.
template <class Ctx>
int64_t elementsAxis(const Ctx &ctx, const Shape &data, const Shape &indices) {
  int64_t rank = data.size();
  if (rank == 0) ctx.fail("data must have rank >= 1");
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis"), rank);
  if (static_cast<int64_t>(indices.size()) != rank)
    ctx.fail("indices of shape " + shapeToString(indices) + " must have the rank of data (" +
             shapeToString(data) + ")");
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && indices[i] > data[i])
      ctx.fail("indices of shape " + shapeToString(indices) + " exceed data of shape " +
               shapeToString(data) + " on dim " + std::to_string(i));
  return axis;
}

void gatherElementsShape(ShapeContext &ctx) {
  elementsAxis(ctx, ctx.inputs[0].shape, ctx.inputs[1].shape);
  ctx.outputShapes = {ctx.inputs[1].shape};
}

void gatherElementsKernel(KernelContext &ctx) {
  const TensorView &data = ctx.inputs[0], &idx = ctx.inputs[1], &out = ctx.outputs[0];
  int64_t axis = elementsAxis(ctx, data.shape, idx.shape);
  int64_t dim = data.shape[axis];
  std::vector<int64_t> indices = readIndices(ctx, idx, [&](int64_t) { return dim; }, "index");
  if (out.numel() == 0) return;
  std::vector<int64_t> strides = stridesOf(data.shape);
  const Shape &dims = idx.shape;
  int64_t rowLen = dims.back();
  Shape rowDims(dims.begin(), dims.end() - 1);
  int64_t last = dims.size() - 1;
  withElemType(dtypeSize(data.dtype), [&](auto tag) {
    using T = decltype(tag);
    const T *src = static_cast<const T *>(data.data);
    T *dst = static_cast<T *>(out.data);
    parallelItems(ctx.pool, numElements(rowDims), rowLen * sizeof(T), [&](int64_t b, int64_t e) {
      std::vector<int64_t> pos;
      unravel(b, rowDims, pos);
      for (int64_t r = b; r < e; ++r, increment(pos, rowDims)) {
        // Offset of the row in data with the axis coordinate left out.
        int64_t base = 0;
        for (int64_t i = 0; i < last; ++i)
          if (i != axis) base += pos[i] * strides[i];
        const int64_t *rowIdx = indices.data() + r * rowLen;
        T *d = dst + r * rowLen;
        if (axis == last) {
          for (int64_t j = 0; j < rowLen; ++j) d[j] = src[base + rowIdx[j]];
        } else {
          int64_t axisStride = strides[axis];
          for (int64_t j = 0; j < rowLen; ++j) d[j] = src[base + j + rowIdx[j] * axisStride];
        }
      }
    });
  });
}

//===--------------------------------------------------------------------------------===//
// gather_nd
//===--------------------------------------------------------------------------------===//

struct NdLayout {
  int64_t batchDims, tupleLen;
  int64_t batches;   // product of the batch dims
  int64_t tuples;    // index tuples per batch
  int64_t sliceLen;  // elements copied per tuple
};

template <class Ctx>
NdLayout ndLayout(const Ctx &ctx, const Shape &data, const Shape &indices, int64_t b) {
  int64_t r = data.size(), q = indices.size();
  if (q < 1) ctx.fail("indices must have rank >= 1");
  int64_t m = indices.back();
  if (b < 0 || b >= std::min(q, r))
    ctx.fail("batch_dims " + std::to_string(b) + " must be less than the ranks of data (" +
             std::to_string(r) + ") and indices (" + std::to_string(q) + ")");
  if (m < 1 || b + m > r)
    ctx.fail("index tuples of length " + std::to_string(m) + " do not fit data of shape " +
             shapeToString(data) + " after " + std::to_string(b) + " batch dims");
  for (int64_t i = 0; i < b; ++i)
    if (data[i] != indices[i])
      ctx.fail("batch dim " + std::to_string(i) + " is " + std::to_string(data[i]) +
               " in data but " + std::to_string(indices[i]) + " in indices");
  NdLayout l{b, m, numElements(Shape(data.begin(), data.begin() + b)),
             numElements(Shape(indices.begin() + b, indices.end() - 1)),
             numElements(Shape(data.begin() + b + m, data.end()))};
  return l;
}

void gatherNdShape(ShapeContext &ctx) {
  const Shape &data = ctx.inputs[0].shape, &indices = ctx.inputs[1].shape;
  int64_t b = attrInt(ctx.step, "batch_dims", 0);
  NdLayout l = ndLayout(ctx, data, indices, b);
  Shape out(indices.begin(), indices.end() - 1);
  out.insert(out.end(), data.begin() + b + l.tupleLen, data.end());
  ctx.outputShapes = {out};
}

// Element offsets in data (within one batch) of each index tuple.
template <class Ctx>
std::vector<int64_t> tupleOffsets(const Ctx &ctx, const TensorView &data, const TensorView &idx,
                                  const NdLayout &l) {
  std::vector<int64_t> strides = stridesOf(data.shape);
  int64_t m = l.tupleLen, b = l.batchDims;
  std::vector<int64_t> flat = readIndices(
      ctx, idx, [&](int64_t k) { return data.shape[b + k % m]; }, "index");
  std::vector<int64_t> offsets(flat.size() / m);
  for (size_t t = 0; t < offsets.size(); ++t) {
    int64_t off = 0;
    for (int64_t k = 0; k < m; ++k) off += flat[t * m + k] * strides[b + k];
    offsets[t] = off;
  }
  return offsets;
}

void gatherNdKernel(KernelContext &ctx) {
  const TensorView &data = ctx.inputs[0], &idx = ctx.inputs[1], &out = ctx.outputs[0];
  NdLayout l = ndLayout(ctx, data.shape, idx.shape, attrInt(ctx.step, "batch_dims", 0));
  std::vector<int64_t> offsets = tupleOffsets(ctx, data, idx, l);
  if (out.numel() == 0) return;
  size_t elem = dtypeSize(data.dtype);
  int64_t batchStride = numElements(Shape(data.shape.begin() + l.batchDims, data.shape.end()));
  size_t run = l.sliceLen * elem;
  const char *src = static_cast<const char *>(data.data);
  char *dst = static_cast<char *>(out.data);
  parallelItems(ctx.pool, offsets.size(), run, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      int64_t batch = t / l.tuples;
      std::memcpy(dst + t * run, src + (batch * batchStride + offsets[t]) * elem, run);
    }
  });
}

//===--------------------------------------------------------------------------------===//
// Scatter reductions
//===--------------------------------------------------------------------------------===//

enum class Reduction { None, Add, Mul, Max, Min };

template <class Ctx> Reduction reduction(const Ctx &ctx) {
  std::string r = attrString(ctx.step, "reduction", "none");
  if (r == "none") return Reduction::None;
  if (r == "add") return Reduction::Add;
  if (r == "mul") return Reduction::Mul;
  if (r == "max") return Reduction::Max;
  if (r == "min") return Reduction::Min;
  ctx.fail("unknown reduction '" + r + "' (expected none, add, mul, max or min)");
}

// dst = dst (op) src for one element, in the element's own type.
using CombineFn = void (*)(char *dst, const char *src);

template <class T> T combineValues(Reduction r, T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    // Wrap like the hardware does instead of signed-overflow UB.
    if (r == Reduction::Add) return static_cast<T>(uint64_t(a) + uint64_t(b));
    if (r == Reduction::Mul) return static_cast<T>(uint64_t(a) * uint64_t(b));
  } else {
    if (r == Reduction::Add) return a + b;
    if (r == Reduction::Mul) return a * b;
  }
  if (r == Reduction::Max) return b > a ? b : a;
  if (r == Reduction::Min) return b < a ? b : a;
  return b;
}

template <class T, Reduction R> void combineNative(char *dst, const char *src) {
  T a, b;
  std::memcpy(&a, dst, sizeof(T));
  std::memcpy(&b, src, sizeof(T));
  a = combineValues<T>(R, a, b);
  std::memcpy(dst, &a, sizeof(T));
}

// Narrow floats: combine in float, round back.
template <DType D, Reduction R> void combineNarrow(char *dst, const char *src) {
  TensorView d{D, {}, dst, true}, s{D, {}, const_cast<char *>(src), true};
  float a = static_cast<float>(loadAsDouble(d, 0)), b = static_cast<float>(loadAsDouble(s, 0));
  storeFromDouble(d, 0, combineValues<float>(R, a, b));
}

// i1: add and max are "or", mul and min are "and".
template <Reduction R> void combineBool(char *dst, const char *src) {
  bool a = *dst != 0, b = *src != 0;
  bool v = (R == Reduction::Add || R == Reduction::Max) ? (a || b) : (a && b);
  *dst = v ? 1 : 0;
}

template <template <Reduction> class Pick> CombineFn pickByReduction(Reduction r) {
  switch (r) {
  case Reduction::Add: return Pick<Reduction::Add>::fn;
  case Reduction::Mul: return Pick<Reduction::Mul>::fn;
  case Reduction::Max: return Pick<Reduction::Max>::fn;
  case Reduction::Min: return Pick<Reduction::Min>::fn;
  default: return nullptr;
  }
}
template <class T> struct NativePick {
  template <Reduction R> struct At { static constexpr CombineFn fn = &combineNative<T, R>; };
};
template <DType D> struct NarrowPick {
  template <Reduction R> struct At { static constexpr CombineFn fn = &combineNarrow<D, R>; };
};
template <Reduction R> struct BoolPick { static constexpr CombineFn fn = &combineBool<R>; };

CombineFn combineFor(DType type, Reduction r) {
  switch (type) {
  case DType::F32: return pickByReduction<NativePick<float>::At>(r);
  case DType::F64: return pickByReduction<NativePick<double>::At>(r);
  case DType::F16: return pickByReduction<NarrowPick<DType::F16>::At>(r);
  case DType::BF16: return pickByReduction<NarrowPick<DType::BF16>::At>(r);
  case DType::F8E4M3FN: return pickByReduction<NarrowPick<DType::F8E4M3FN>::At>(r);
  case DType::F8E5M2: return pickByReduction<NarrowPick<DType::F8E5M2>::At>(r);
  case DType::I1: return pickByReduction<BoolPick>(r);
  case DType::I8: return pickByReduction<NativePick<int8_t>::At>(r);
  case DType::I16: return pickByReduction<NativePick<int16_t>::At>(r);
  case DType::I32: return pickByReduction<NativePick<int32_t>::At>(r);
  case DType::I64: return pickByReduction<NativePick<int64_t>::At>(r);
  case DType::U8: return pickByReduction<NativePick<uint8_t>::At>(r);
  case DType::U16: return pickByReduction<NativePick<uint16_t>::At>(r);
  case DType::U32: return pickByReduction<NativePick<uint32_t>::At>(r);
  case DType::U64: return pickByReduction<NativePick<uint64_t>::At>(r);
  }
  return nullptr;
}

// Applies `count` elements of src onto dst (contiguous), copying or combining.
void applyRun(char *dst, const char *src, int64_t count, size_t elem, CombineFn combine) {
  if (!combine) {
    std::memcpy(dst, src, count * elem);
    return;
  }
  for (int64_t i = 0; i < count; ++i) combine(dst + i * elem, src + i * elem);
}

void copyData(KernelContext &ctx) {
  const TensorView &data = ctx.inputs[0], &out = ctx.outputs[0];
  if (out.data != data.data && out.bytes()) std::memcpy(out.data, data.data, out.bytes());
}

//===--------------------------------------------------------------------------------===//
// scatter_elements
//===--------------------------------------------------------------------------------===//

template <class Ctx> int64_t scatterElementsAxis(const Ctx &ctx) {
  const Shape &data = ctx.inputs[0].shape, &indices = ctx.inputs[1].shape,
              &updates = ctx.inputs[2].shape;
  if (indices != updates)
    ctx.fail("indices of shape " + shapeToString(indices) + " and updates of shape " +
             shapeToString(updates) + " must have one shape");
  if (ctx.inputs[2].dtype != ctx.inputs[0].dtype)
    ctx.fail(std::string("updates are ") + dtypeName(ctx.inputs[2].dtype) + " but data is " +
             dtypeName(ctx.inputs[0].dtype));
  return elementsAxis(ctx, data, indices);
}

void scatterElementsShape(ShapeContext &ctx) {
  scatterElementsAxis(ctx);
  reduction(ctx);
  ctx.outputShapes = {ctx.inputs[0].shape};
}

void scatterElementsKernel(KernelContext &ctx) {
  const TensorView &data = ctx.inputs[0], &idx = ctx.inputs[1], &upd = ctx.inputs[2],
                   &out = ctx.outputs[0];
  int64_t axis = scatterElementsAxis(ctx);
  int64_t dim = data.shape[axis];
  std::vector<int64_t> indices = readIndices(ctx, idx, [&](int64_t) { return dim; }, "index");
  CombineFn combine = combineFor(data.dtype, reduction(ctx));
  copyData(ctx);
  if (indices.empty()) return;
  size_t elem = dtypeSize(data.dtype);
  std::vector<int64_t> strides = stridesOf(data.shape), pos;
  const char *src = static_cast<const char *>(upd.data);
  char *dst = static_cast<char *>(out.data);
  // Sequential: repeated indices must combine in order.
  unravel(0, idx.shape, pos);
  for (size_t k = 0; k < indices.size(); ++k, increment(pos, idx.shape)) {
    int64_t off = 0;
    for (size_t i = 0; i < pos.size(); ++i)
      off += (static_cast<int64_t>(i) == axis ? indices[k] : pos[i]) * strides[i];
    applyRun(dst + off * elem, src + k * elem, 1, elem, combine);
  }
}

//===--------------------------------------------------------------------------------===//
// scatter_nd
//===--------------------------------------------------------------------------------===//

template <class Ctx> NdLayout scatterNdLayout(const Ctx &ctx) {
  const Shape &data = ctx.inputs[0].shape, &indices = ctx.inputs[1].shape,
              &updates = ctx.inputs[2].shape;
  int64_t r = data.size(), q = indices.size();
  if (q < 1) ctx.fail("indices must have rank >= 1");
  int64_t m = indices.back();
  if (m > r)
    ctx.fail("index tuples of length " + std::to_string(m) + " exceed data of shape " +
             shapeToString(data));
  Shape expected(indices.begin(), indices.end() - 1);
  expected.insert(expected.end(), data.begin() + m, data.end());
  if (updates != expected)
    ctx.fail("updates have shape " + shapeToString(updates) + " but indices " +
             shapeToString(indices) + " and data " + shapeToString(data) + " need " +
             shapeToString(expected));
  if (ctx.inputs[2].dtype != ctx.inputs[0].dtype)
    ctx.fail(std::string("updates are ") + dtypeName(ctx.inputs[2].dtype) + " but data is " +
             dtypeName(ctx.inputs[0].dtype));
  return NdLayout{0, m, 1, numElements(Shape(indices.begin(), indices.end() - 1)),
                  numElements(Shape(data.begin() + m, data.end()))};
}

void scatterNdShape(ShapeContext &ctx) {
  scatterNdLayout(ctx);
  reduction(ctx);
  ctx.outputShapes = {ctx.inputs[0].shape};
}

void scatterNdKernel(KernelContext &ctx) {
  const TensorView &data = ctx.inputs[0], &idx = ctx.inputs[1], &upd = ctx.inputs[2],
                   &out = ctx.outputs[0];
  NdLayout l = scatterNdLayout(ctx);
  CombineFn combine = combineFor(data.dtype, reduction(ctx));
  std::vector<int64_t> offsets;
  if (l.tupleLen == 0) {
    // Empty tuples address the whole tensor: every update slice is all of data.
    offsets.assign(l.tuples, 0);
  } else {
    offsets = tupleOffsets(ctx, data, idx, l);
  }
  copyData(ctx);
  size_t elem = dtypeSize(data.dtype);
  const char *src = static_cast<const char *>(upd.data);
  char *dst = static_cast<char *>(out.data);
  for (size_t t = 0; t < offsets.size(); ++t)
    applyRun(dst + offsets[t] * elem, src + t * l.sliceLen * elem, l.sliceLen, elem, combine);
}

}  // namespace

void registerGatherScatterKernels(KernelRegistry &registry) {
  registry.add("gather", {gatherShape, gatherKernel});
  registry.add("gather_elements", {gatherElementsShape, gatherElementsKernel});
  registry.add("gather_nd", {gatherNdShape, gatherNdKernel});
  registry.add("scatter_elements", {scatterElementsShape, scatterElementsKernel});
  registry.add("scatter_nd", {scatterNdShape, scatterNdKernel});
}

}  // namespace shape
}  // namespace ds::rt
