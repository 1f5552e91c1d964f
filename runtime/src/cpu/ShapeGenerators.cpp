// cpu backend: generator kernels whose output is computed from scalars, a shape or the
// input's pattern: range, fill, trilu, nonzero, one_hot, eye_like.
#include "ShapeUtil.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ds::rt {
namespace shape {
namespace {

// Outputs larger than this are refused (a runaway range or fill shape), with a message
// instead of a failed allocation.
constexpr int64_t kMaxGeneratedElements = int64_t(1) << 40;

template <class Ctx> void checkCount(const Ctx &ctx, int64_t n, const std::string &what) {
  if (n > kMaxGeneratedElements)
    ctx.fail(what + " has " + std::to_string(n) + " elements, more than the limit of " +
             std::to_string(kMaxGeneratedElements));
}

//===--------------------------------------------------------------------------------===//
// range
//===--------------------------------------------------------------------------------===//

// max(ceil((limit - start) / delta), 0), exact for integers.
template <class Ctx>
int64_t rangeLength(const Ctx &ctx, const TensorView &start, const TensorView &limit,
                    const TensorView &delta) {
  for (const TensorView *t : {&start, &limit, &delta})
    if (t->numel() != 1)
      ctx.fail("start, limit and delta must be scalars, got shapes " +
               shapeToString(start.shape) + ", " + shapeToString(limit.shape) + ", " +
               shapeToString(delta.shape));
  int64_t n;
  if (isFloat(start.dtype)) {
    double s = loadAsDouble(start, 0), l = loadAsDouble(limit, 0), d = loadAsDouble(delta, 0);
    if (d == 0 || !std::isfinite(d) || !std::isfinite(s) || !std::isfinite(l))
      ctx.fail("range(" + std::to_string(s) + ", " + std::to_string(l) + ", " +
               std::to_string(d) + ") needs finite values and a non-zero delta");
    double c = std::ceil((l - s) / d);
    if (c > double(kMaxGeneratedElements)) c = double(kMaxGeneratedElements) + 1;
    n = c > 0 ? static_cast<int64_t>(c) : 0;
  } else {
    int64_t s = loadAsInt(start, 0), l = loadAsInt(limit, 0), d = loadAsInt(delta, 0);
    if (d == 0) ctx.fail("range delta is 0");
    __int128 diff = (__int128)l - s;
    __int128 q = diff / d + ((diff % d != 0) && ((diff > 0) == (d > 0)) ? 1 : 0);
    if (q > kMaxGeneratedElements) q = kMaxGeneratedElements + 1;
    n = q > 0 ? static_cast<int64_t>(q) : 0;
  }
  checkCount(ctx, n, "range");
  return n;
}

void rangeShape(ShapeContext &ctx) {
  int64_t n = rangeLength(ctx, ctx.value(0), ctx.value(1), ctx.value(2));
  ctx.outputShapes = {{n}};
}

void rangeKernel(KernelContext &ctx) {
  const TensorView &out = ctx.outputs[0];
  const TensorView &start = ctx.inputs[0], &delta = ctx.inputs[2];
  int64_t n = out.numel();
  if (isFloat(out.dtype)) {
    // start + i * delta (not repeated addition), in double, rounded to the dtype.
    double s = loadAsDouble(start, 0), d = loadAsDouble(delta, 0);
    if (out.dtype == DType::F32) {
      float *o = out.as<float>();
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<float>(s + double(i) * d);
    } else {
      for (int64_t i = 0; i < n; ++i) storeFromDouble(out, i, s + double(i) * d);
    }
    return;
  }
  int64_t s = loadAsInt(start, 0), d = loadAsInt(delta, 0);
  if (out.dtype == DType::I64) {
    int64_t *o = out.as<int64_t>();
    for (int64_t i = 0; i < n; ++i) o[i] = s + i * d;
    return;
  }
  for (int64_t i = 0; i < n; ++i) storeFromInt(out, i, s + i * d);
}

//===--------------------------------------------------------------------------------===//
// fill
//===--------------------------------------------------------------------------------===//

void fillShape(ShapeContext &ctx) {
  std::vector<int64_t> dims = ctx.intValues(0);
  for (int64_t d : dims)
    if (d < 0) ctx.fail("shape " + listToString(dims) + " has a negative entry");
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d && n > kMaxGeneratedElements / d) n = kMaxGeneratedElements + 1;
    else n *= d;
  }
  checkCount(ctx, n, "fill of shape " + listToString(dims));
  ctx.outputShapes = {dims};
}

// The `value` attribute ({"dtype", "shape", "values"} or a bare scalar) stored as one
// element of `slot`'s dtype.
void fillValue(const KernelContext &ctx, const TensorView &slot) {
  auto it = ctx.step.attrs.find("value");
  if (it == ctx.step.attrs.end()) ctx.fail("attribute 'value' is missing");
  const nlohmann::json *v = &*it;
  if (v->is_object()) {
    auto values = v->find("values");
    if (values == v->end() || !values->is_array() || values->size() != 1)
      ctx.fail("attribute 'value' must hold one value, got " + v->dump());
    v = &(*values)[0];
  } else if (v->is_array()) {
    if (v->size() != 1) ctx.fail("attribute 'value' must hold one value, got " + v->dump());
    v = &(*v)[0];
  }
  if (v->is_boolean()) {
    storeFromInt(slot, 0, v->get<bool>() ? 1 : 0);
  } else if (v->is_number_integer() && !isFloat(slot.dtype)) {
    if (v->is_number_unsigned()) storeFromInt(slot, 0, static_cast<int64_t>(v->get<uint64_t>()));
    else storeFromInt(slot, 0, v->get<int64_t>());
  } else if (v->is_number()) {
    storeFromDouble(slot, 0, v->get<double>());
  } else if (v->is_string()) {
    const std::string &s = v->get_ref<const std::string &>();
    double d;
    if (s == "nan") d = std::numeric_limits<double>::quiet_NaN();
    else if (s == "inf") d = std::numeric_limits<double>::infinity();
    else if (s == "-inf") d = -std::numeric_limits<double>::infinity();
    else ctx.fail("attribute 'value' has the unknown value \"" + s + "\"");
    storeFromDouble(slot, 0, d);
  } else {
    ctx.fail("attribute 'value' is not a number: " + v->dump());
  }
}

void fillKernel(KernelContext &ctx) {
  const TensorView &out = ctx.outputs[0];
  uint64_t bits = 0;
  fillValue(ctx, TensorView{out.dtype, {}, &bits, true});
  size_t elem = dtypeSize(out.dtype);
  char *dst = static_cast<char *>(out.data);
  parallelItems(ctx.pool, out.numel(), elem, [&](int64_t b, int64_t e) {
    fillElements(dst + b * elem, e - b, &bits, elem);
  });
}

//===--------------------------------------------------------------------------------===//
// trilu
//===--------------------------------------------------------------------------------===//

void triluShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  if (in.size() < 2) ctx.fail("input must have rank >= 2, got " + shapeToString(in));
  ctx.outputShapes = {in};
}

void triluKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  int64_t k = 0;
  if (ctx.inputs.size() > 1 && ctx.inputs[1].present) {
    if (ctx.inputs[1].numel() != 1)
      ctx.fail("k must be a scalar, got shape " + shapeToString(ctx.inputs[1].shape));
    k = loadAsInt(ctx.inputs[1], 0);
  }
  bool upper = attrBool(ctx.step, "upper", true);
  int64_t rows = in.shape[in.shape.size() - 2], cols = in.shape.back();
  int64_t matrices = numElements(Shape(in.shape.begin(), in.shape.end() - 2));
  size_t elem = dtypeSize(in.dtype);
  const char *src = static_cast<const char *>(in.data);
  char *dst = static_cast<char *>(out.data);
  // Kept columns of row i: [i + k, cols) for upper, [0, i + k] for lower. Zero bits are
  // zero in every dtype.
  parallelItems(ctx.pool, matrices * rows, cols * elem, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t i = r % rows;
      // Clamp in 128 bits: k may be any int64.
      auto clampCol = [&](__int128 c) {
        return static_cast<int64_t>(std::clamp<__int128>(c, 0, cols));
      };
      int64_t keepFrom = upper ? clampCol((__int128)i + k) : 0;
      int64_t keepTo = upper ? cols : clampCol((__int128)i + k + 1);
      const char *s = src + r * cols * elem;
      char *d = dst + r * cols * elem;
      if (keepTo <= keepFrom) {
        std::memset(d, 0, cols * elem);
        continue;
      }
      std::memset(d, 0, keepFrom * elem);
      if (d != s) std::memcpy(d + keepFrom * elem, s + keepFrom * elem, (keepTo - keepFrom) * elem);
      std::memset(d + keepTo * elem, 0, (cols - keepTo) * elem);
    }
  });
}

//===--------------------------------------------------------------------------------===//
// nonzero
//===--------------------------------------------------------------------------------===//

bool isNonZero(const TensorView &t, int64_t i) {
  // Floats compare by value (-0 is zero, NaN is not); integers by their bits.
  return isFloat(t.dtype) ? loadAsDouble(t, i) != 0 : loadAsInt(t, i) != 0;
}

void nonzeroShape(ShapeContext &ctx) {
  const TensorView &in = ctx.value(0);
  int64_t count = 0;
  for (int64_t i = 0; i < in.numel(); ++i) count += isNonZero(in, i);
  // A rank-0 input gives [0, count], as the op's result type says.
  ctx.outputShapes = {{static_cast<int64_t>(in.shape.size()), count}};
}

void nonzeroKernel(KernelContext &ctx) {
  const TensorView &in = ctx.inputs[0], &out = ctx.outputs[0];
  int64_t rank = in.shape.size(), count = out.shape.size() == 2 ? out.shape[1] : -1;
  int64_t actual = 0;
  for (int64_t i = 0; i < in.numel(); ++i) actual += isNonZero(in, i);
  if (out.shape.size() != 2 || out.shape[0] != rank || count != actual)
    ctx.fail("input has " + std::to_string(actual) + " non-zero elements but the output was "
             "allocated as " + shapeToString(out.shape));
  if (rank == 0 || count == 0) return;
  int64_t *o = out.as<int64_t>();
  std::vector<int64_t> pos(rank, 0);
  int64_t n = 0;
  for (int64_t i = 0; i < in.numel(); ++i, increment(pos, in.shape)) {
    if (!isNonZero(in, i)) continue;
    for (int64_t a = 0; a < rank; ++a) o[a * count + n] = pos[a];
    ++n;
  }
}

//===--------------------------------------------------------------------------------===//
// one_hot
//===--------------------------------------------------------------------------------===//

template <class Ctx> int64_t oneHotDepth(const Ctx &ctx, const std::vector<int64_t> &depth) {
  if (depth.size() != 1)
    ctx.fail("depth must have one element, got " + std::to_string(depth.size()));
  if (depth[0] < 1) ctx.fail("depth " + std::to_string(depth[0]) + " must be positive");
  return depth[0];
}

void oneHotShape(ShapeContext &ctx) {
  const Shape &indices = ctx.inputs[0].shape;
  int64_t depth = oneHotDepth(ctx, ctx.intValues(1));
  checkCount(ctx, numElements(indices) * depth, "one_hot output");
  if (ctx.inputs[2].numel() != 2)
    ctx.fail("values must be [off, on], got shape " + shapeToString(ctx.inputs[2].shape));
  int64_t rank = indices.size() + 1;
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis", -1), rank);
  Shape out = indices;
  out.insert(out.begin() + axis, depth);
  ctx.outputShapes = {out};
}

void oneHotKernel(KernelContext &ctx) {
  const TensorView &idx = ctx.inputs[0], &values = ctx.inputs[2], &out = ctx.outputs[0];
  const TensorView &depthT = ctx.inputs[1];
  std::vector<int64_t> depthValues;
  for (int64_t i = 0; i < depthT.numel(); ++i) depthValues.push_back(loadAsInt(depthT, i));
  int64_t depth = oneHotDepth(ctx, depthValues);
  int64_t rank = out.shape.size();
  int64_t axis = normalizeAxis(ctx, attrInt(ctx.step, "axis", -1), rank);
  if (values.numel() != 2 || values.dtype != out.dtype)
    ctx.fail("values must be two " + std::string(dtypeName(out.dtype)) + " elements, got " +
             shapeToString(values.shape) + " " + dtypeName(values.dtype));
  size_t elem = dtypeSize(out.dtype);
  const char *off = static_cast<const char *>(values.data), *on = off + elem;
  int64_t outer = numElements(Shape(idx.shape.begin(), idx.shape.begin() + axis));
  int64_t inner = numElements(Shape(idx.shape.begin() + axis, idx.shape.end()));
  char *dst = static_cast<char *>(out.data);
  fillElements(dst, out.numel(), off, elem);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t v = isFloat(idx.dtype) ? static_cast<int64_t>(loadAsDouble(idx, o * inner + i))
                                     : loadAsInt(idx, o * inner + i);
      // Indices in [-depth, depth) are hot; others leave an all-off row.
      if (v < -depth || v >= depth) continue;
      if (v < 0) v += depth;
      std::memcpy(dst + ((o * depth + v) * inner + i) * elem, on, elem);
    }
}

//===--------------------------------------------------------------------------------===//
// eye_like
//===--------------------------------------------------------------------------------===//

void eyeLikeShape(ShapeContext &ctx) {
  const Shape &in = ctx.inputs[0].shape;
  if (in.size() != 2) ctx.fail("input must have rank 2, got shape " + shapeToString(in));
  ctx.outputShapes = {in};
}

void eyeLikeKernel(KernelContext &ctx) {
  const TensorView &out = ctx.outputs[0];
  int64_t k = attrInt(ctx.step, "k", 0);
  int64_t rows = out.shape[0], cols = out.shape[1];
  size_t elem = dtypeSize(out.dtype);
  uint64_t one = 0;
  storeFromDouble(TensorView{out.dtype, {}, &one, true}, 0, 1.0);
  char *dst = static_cast<char *>(out.data);
  std::memset(dst, 0, out.bytes());
  for (int64_t i = 0; i < rows; ++i) {
    __int128 j = (__int128)i + k;
    if (j >= 0 && j < cols) std::memcpy(dst + (i * cols + (int64_t)j) * elem, &one, elem);
  }
}

}  // namespace

void registerGeneratorKernels(KernelRegistry &registry) {
  registry.add("range", {rangeShape, rangeKernel});
  registry.add("fill", {fillShape, fillKernel});
  registry.add("trilu", {triluShape, triluKernel});
  registry.add("nonzero", {nonzeroShape, nonzeroKernel});
  registry.add("one_hot", {oneHotShape, oneHotKernel});
  // eye_like reads only its input's shape.
  KernelDef eyeLike{eyeLikeShape, eyeLikeKernel};
  eyeLike.readsInputData = false;
  registry.add("eye_like", eyeLike);
}

}  // namespace shape
}  // namespace ds::rt
