// cpu backend: quantize, dequantize, dynamic_quantize and matmul_nbits.
#include "cpu/Gemm.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ds::rt::cpu {
namespace {

bool present(const std::vector<TensorView> &inputs, int i) {
  return static_cast<int>(inputs.size()) > i && inputs[i].present;
}

// ---- scale layouts -------------------------------------------------------------------------

// How element i of the data finds its scale / zero point (DsQuantOps.td header).
struct QuantLayout {
  bool perTensor = true;
  bool blocked = false;
  int64_t dim = 1, inner = 1, blockSize = 0, blocks = 1;
  bool zeroPointPerTensor = true;

  int64_t scaleIndex(int64_t i) const {
    if (perTensor) return 0;
    int64_t a = (i / inner) % dim;
    if (!blocked) return a;
    int64_t o = i / (inner * dim), in = i % inner;
    return (o * blocks + a / blockSize) * inner + in;
  }
};

template <class Ctx>
QuantLayout quantLayout(const Ctx &ctx, const char *side) {
  const TensorView &data = ctx.inputs[0], &scale = ctx.inputs[1];
  QuantLayout l;
  int64_t blockSize = attrInt(ctx.step, "block_size", 0);
  if (blockSize < 0) ctx.fail("block_size must be non-negative, got " + std::to_string(blockSize));
  bool scalarLike = scale.shape.empty() || (scale.shape.size() == 1 && scale.shape[0] == 1);
  l.perTensor = blockSize == 0 && scalarLike;
  if (!l.perTensor) {
    int64_t rank = static_cast<int64_t>(data.shape.size());
    int64_t axis = attrInt(ctx.step, "axis", 1);
    if (axis < -rank || axis >= rank)
      ctx.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    l.dim = data.shape[axis];
    l.inner = numElements(Shape(data.shape.begin() + axis + 1, data.shape.end()));
    if (blockSize == 0) {
      if (scale.shape != Shape{l.dim})
        ctx.fail("per-axis scale of shape " + shapeToString(scale.shape) + " must be [" +
                 std::to_string(l.dim) + "] (input dim " + std::to_string(axis) + " of " +
                 shapeToString(data.shape) + "); a per-tensor scale is a scalar or [1]");
    } else {
      l.blocked = true;
      l.blockSize = blockSize;
      l.blocks = (l.dim + blockSize - 1) / blockSize;
      Shape expected = data.shape;
      expected[axis] = l.blocks;
      if (scale.shape != expected)
        ctx.fail("blocked scale of shape " + shapeToString(scale.shape) + " must be " +
                 shapeToString(expected) + " (input " + shapeToString(data.shape) + ", axis " +
                 std::to_string(axis) + ", block_size " + std::to_string(blockSize) + ")");
    }
  }
  if (present(ctx.inputs, 2)) {
    const Shape &zp = ctx.inputs[2].shape;
    bool zpScalar = zp.empty() || (zp.size() == 1 && zp[0] == 1);
    if (!(l.perTensor && zpScalar) && zp != scale.shape)
      ctx.fail("zero_point shape " + shapeToString(zp) + " differs from scale shape " +
               shapeToString(scale.shape));
    l.zeroPointPerTensor = zpScalar && l.perTensor;
  }
  (void)side;
  return l;
}

// Integer range of a quantized type.
bool intRange(DType t, int64_t &lo, int64_t &hi) {
  switch (t) {
  case DType::I8: lo = -128; hi = 127; return true;
  case DType::U8: lo = 0; hi = 255; return true;
  case DType::I16: lo = -32768; hi = 32767; return true;
  case DType::U16: lo = 0; hi = 65535; return true;
  case DType::I32: lo = std::numeric_limits<int32_t>::min(); hi = std::numeric_limits<int32_t>::max(); return true;
  case DType::U32: lo = 0; hi = std::numeric_limits<uint32_t>::max(); return true;
  default: return false;
  }
}

// Rounds a value to what the float type `t` can hold (the division runs in the scale's type).
double roundTo(DType t, double v) {
  switch (t) {
  case DType::F64: return v;
  case DType::F32: return static_cast<float>(v);
  case DType::F16: return halfToFloat(floatToHalf(static_cast<float>(v)));
  case DType::BF16: return bf16ToFloat(floatToBf16(static_cast<float>(v)));
  default: return static_cast<float>(v);
  }
}

// ---- quantize ------------------------------------------------------------------------------

void quantizeShape(ShapeContext &ctx) {
  if (!isFloat(ctx.inputs[0].dtype) || !isFloat(ctx.inputs[1].dtype))
    ctx.fail(std::string("input and scale must be floats, got ") + dtypeName(ctx.inputs[0].dtype) +
             " and " + dtypeName(ctx.inputs[1].dtype));
  quantLayout(ctx, "output");
  ctx.outputShapes = {ctx.inputs[0].shape};
}

void quantizeRun(KernelContext &ctx) {
  QuantLayout l = quantLayout(ctx, "output");
  const TensorView &x = ctx.inputs[0], &scale = ctx.inputs[1], &out = ctx.outputs[0];
  const TensorView *zp = present(ctx.inputs, 2) ? &ctx.inputs[2] : nullptr;
  bool saturate = attrBool(ctx.step, "saturate", true);
  int64_t lo = 0, hi = 0;
  bool isInt = intRange(out.dtype, lo, hi);
  bool isF8 = out.dtype == DType::F8E4M3FN || out.dtype == DType::F8E5M2;
  if (!isInt && !isF8)
    ctx.fail(std::string("result type ") + dtypeName(out.dtype) +
             " is not a quantized type (i8, ui8, i16, ui16, i32, ui32, f8E4M3FN, f8E5M2)");
  if (zp && zp->dtype != out.dtype)
    ctx.fail(std::string("zero_point element type ") + dtypeName(zp->dtype) +
             " differs from the output element type " + dtypeName(out.dtype));
  DType divType = scale.dtype;
  ctx.pool.parallelFor(x.numel(), 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      int64_t si = l.scaleIndex(i);
      double s = loadAsDouble(scale, si);
      double q = roundTo(divType, roundTo(divType, loadAsDouble(x, i)) / s);
      int64_t zi = l.zeroPointPerTensor ? 0 : si;
      if (isInt) {
        int64_t z = zp ? loadAsInt(*zp, zi) : 0;
        double r = std::nearbyint(q);  // ties to even (default rounding mode)
        int64_t v;
        if (std::isnan(r))
          v = z;
        else
          v = static_cast<int64_t>(std::clamp(r + static_cast<double>(z), double(lo), double(hi)));
        storeFromInt(out, i, std::clamp(v, lo, hi));
      } else {
        float v = static_cast<float>(q + (zp ? loadAsDouble(*zp, zi) : 0.0));
        uint8_t bits = out.dtype == DType::F8E4M3FN ? floatToF8e4m3fn(v, saturate)
                                                    : floatToF8e5m2(v, saturate);
        out.as<uint8_t>()[i] = bits;
      }
    }
  });
}

// ---- dequantize ----------------------------------------------------------------------------

void dequantizeShape(ShapeContext &ctx) {
  if (!isFloat(ctx.inputs[1].dtype))
    ctx.fail(std::string("scale must be a float, got ") + dtypeName(ctx.inputs[1].dtype));
  quantLayout(ctx, "input");
  ctx.outputShapes = {ctx.inputs[0].shape};
}

void dequantizeRun(KernelContext &ctx) {
  QuantLayout l = quantLayout(ctx, "input");
  const TensorView &q = ctx.inputs[0], &scale = ctx.inputs[1], &out = ctx.outputs[0];
  const TensorView *zp = present(ctx.inputs, 2) ? &ctx.inputs[2] : nullptr;
  if (!isFloat(out.dtype))
    ctx.fail(std::string("result type ") + dtypeName(out.dtype) + " must be a float type");
  if (zp && zp->dtype != q.dtype)
    ctx.fail(std::string("zero_point element type ") + dtypeName(zp->dtype) +
             " differs from the input element type " + dtypeName(q.dtype));
  bool floatInput = isFloat(q.dtype);
  bool f64 = out.dtype == DType::F64;
  ctx.pool.parallelFor(q.numel(), 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      int64_t si = l.scaleIndex(i), zi = l.zeroPointPerTensor ? 0 : si;
      double centered;
      if (floatInput)
        centered = loadAsDouble(q, i) - (zp ? loadAsDouble(*zp, zi) : 0.0);
      else
        centered = static_cast<double>(loadAsInt(q, i) - (zp ? loadAsInt(*zp, zi) : 0));
      double s = loadAsDouble(scale, si);
      // f32 arithmetic unless the result is f64.
      double v = f64 ? centered * s
                     : static_cast<double>(static_cast<float>(centered) * static_cast<float>(s));
      storeFromDouble(out, i, v);
    }
  });
}

// ---- dynamic_quantize ----------------------------------------------------------------------

void dynamicQuantizeShape(ShapeContext &ctx) {
  if (ctx.inputs[0].dtype != DType::F32)
    ctx.fail(std::string("input must be f32, got ") + dtypeName(ctx.inputs[0].dtype));
  ctx.outputShapes = {ctx.inputs[0].shape, Shape{}, Shape{}};
}

void dynamicQuantizeRun(KernelContext &ctx) {
  const TensorView &x = ctx.inputs[0];
  if (x.dtype != DType::F32)
    ctx.fail(std::string("input must be f32, got ") + dtypeName(x.dtype));
  const float *xs = x.as<float>();
  int64_t n = x.numel();
  // The range always includes 0 so that 0 quantizes exactly.
  float lo = 0.f, hi = 0.f;
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, xs[i]);
    hi = std::max(hi, xs[i]);
  }
  float scale = (hi - lo) / 255.f;
  float zpf = scale == 0.f ? 0.f : std::clamp(std::nearbyint(-lo / scale), 0.f, 255.f);
  uint8_t zp = static_cast<uint8_t>(zpf);
  uint8_t *y = ctx.outputs[0].as<uint8_t>();
  ctx.pool.parallelFor(n, 4096, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      float v = scale == 0.f ? 0.f : std::nearbyint(xs[i] / scale) + zpf;
      y[i] = static_cast<uint8_t>(std::clamp(v, 0.f, 255.f));
    }
  });
  ctx.outputs[1].as<float>()[0] = scale;
  ctx.outputs[2].as<uint8_t>()[0] = zp;
}

// ---- matmul_nbits --------------------------------------------------------------------------

enum NBitsOperand { kInput, kWeight, kScales, kZeroPoints, kBias };

struct NBitsDims {
  int64_t k, n, bits, blockSize, blocks, blob, zpCols = 0;
  bool packedZeroPoints = false, floatZeroPoints = false;
};

template <class Ctx>
NBitsDims nbitsDims(const Ctx &ctx) {
  NBitsDims d;
  d.k = attrInt(ctx.step, "k");
  d.n = attrInt(ctx.step, "n");
  d.bits = attrInt(ctx.step, "bits", 4);
  d.blockSize = attrInt(ctx.step, "block_size");
  if (d.bits != 2 && d.bits != 4 && d.bits != 8)
    ctx.fail("bits must be 2, 4 or 8, got " + std::to_string(d.bits));
  if (d.blockSize < 8 || (d.blockSize & (d.blockSize - 1)) != 0)
    ctx.fail("block_size must be a power of two >= 8, got " + std::to_string(d.blockSize));
  if (d.k <= 0 || d.n <= 0)
    ctx.fail("K and N must be positive, got K = " + std::to_string(d.k) + ", N = " +
             std::to_string(d.n));
  d.blocks = (d.k + d.blockSize - 1) / d.blockSize;
  d.blob = d.blockSize * d.bits / 8;
  const TensorView &x = ctx.inputs[kInput], &w = ctx.inputs[kWeight], &s = ctx.inputs[kScales];
  if (!isFloat(x.dtype) || x.shape.empty() || x.shape.back() != d.k)
    ctx.fail("input of shape " + shapeToString(x.shape) + " (" + dtypeName(x.dtype) +
             ") must be a float tensor ending in K = " + std::to_string(d.k));
  if (w.dtype != DType::U8 || w.shape != Shape{d.n, d.blocks, d.blob})
    ctx.fail("weight of shape " + shapeToString(w.shape) + " (" + dtypeName(w.dtype) +
             ") must be ui8 [N, n_blocks, blob] = " + shapeToString({d.n, d.blocks, d.blob}));
  auto matchesTable = [](const Shape &shape, int64_t rows, int64_t cols) {
    return shape == Shape{rows, cols} || shape == Shape{rows * cols};
  };
  if (!isFloat(s.dtype) || !matchesTable(s.shape, d.n, d.blocks))
    ctx.fail("scales of shape " + shapeToString(s.shape) + " must be float [N, n_blocks] = " +
             shapeToString({d.n, d.blocks}) + " or flat [" + std::to_string(d.n * d.blocks) + "]");
  if (present(ctx.inputs, kZeroPoints)) {
    const TensorView &zp = ctx.inputs[kZeroPoints];
    if (zp.dtype == DType::U8) {
      d.packedZeroPoints = true;
      d.zpCols = (d.blocks * d.bits + 7) / 8;
      if (!matchesTable(zp.shape, d.n, d.zpCols))
        ctx.fail("packed zero_points of shape " + shapeToString(zp.shape) +
                 " must be [N, ceil(n_blocks * bits / 8)] = " + shapeToString({d.n, d.zpCols}) +
                 " or flat");
    } else if (isFloat(zp.dtype)) {
      d.floatZeroPoints = true;
      if (!matchesTable(zp.shape, d.n, d.blocks))
        ctx.fail("unpacked zero_points of shape " + shapeToString(zp.shape) +
                 " must be [N, n_blocks] = " + shapeToString({d.n, d.blocks}) + " or flat");
    } else {
      ctx.fail(std::string("zero_points element type ") + dtypeName(zp.dtype) +
               " must be ui8 (packed) or a float type");
    }
  }
  if (present(ctx.inputs, kBias) &&
      (!isFloat(ctx.inputs[kBias].dtype) || ctx.inputs[kBias].shape != Shape{d.n}))
    ctx.fail("bias of shape " + shapeToString(ctx.inputs[kBias].shape) + " must be float [" +
             std::to_string(d.n) + "]");
  return d;
}

void nbitsShape(ShapeContext &ctx) {
  NBitsDims d = nbitsDims(ctx);
  Shape out = ctx.inputs[kInput].shape;
  out.back() = d.n;
  ctx.outputShapes = {out};
}

// Rows [n0, n0 + rows) of W as f32 [rows, K].
void dequantizeWeightRows(const KernelContext &ctx, const NBitsDims &d, int64_t n0, int64_t rows,
                          float *dst) {
  const uint8_t *w = ctx.inputs[kWeight].as<uint8_t>();
  const TensorView &scales = ctx.inputs[kScales];
  const TensorView *zp = present(ctx.inputs, kZeroPoints) ? &ctx.inputs[kZeroPoints] : nullptr;
  const uint32_t mask = (1u << d.bits) - 1;
  const int perByte = static_cast<int>(8 / d.bits);
  const float defaultZero = static_cast<float>(1 << (d.bits - 1));
  for (int64_t r = 0; r < rows; ++r) {
    int64_t row = n0 + r;
    float *out = dst + r * d.k;
    for (int64_t b = 0; b < d.blocks; ++b) {
      float s = loadF32(scales.data, scales.dtype, row * d.blocks + b);
      float z = defaultZero;
      if (zp && d.packedZeroPoints) {
        uint8_t byte = zp->as<uint8_t>()[row * d.zpCols + (b * d.bits) / 8];
        z = static_cast<float>((byte >> ((b * d.bits) % 8)) & mask);
      } else if (zp) {
        z = loadF32(zp->data, zp->dtype, row * d.blocks + b);
      }
      const uint8_t *blob = w + (row * d.blocks + b) * d.blob;
      int64_t k0 = b * d.blockSize, count = std::min(d.blockSize, d.k - k0);
      for (int64_t j = 0; j < count; ++j) {
        uint32_t q = (blob[j / perByte] >> ((j % perByte) * d.bits)) & mask;
        out[k0 + j] = (static_cast<float>(q) - z) * s;
      }
    }
  }
}

void nbitsRun(KernelContext &ctx) {
  NBitsDims d = nbitsDims(ctx);
  const TensorView &x = ctx.inputs[kInput], &out = ctx.outputs[0];
  int64_t m = x.numel() / d.k;
  if (m == 0) return;
  // Activations in f32 once; output accumulated in f32.
  std::vector<float> xf(static_cast<size_t>(m * d.k));
  loadRowF32(x.data, x.dtype, 0, m * d.k, xf.data());
  std::vector<float> y;
  float *c = out.dtype == DType::F32 ? out.as<float>() : (y.resize(m * d.n), y.data());
  // Column chunks of W: each task dequantizes its rows of W and runs a single-threaded
  // product on them, so the packed weights are read once and never expanded whole.
  constexpr int64_t kChunk = 64;
  int64_t chunks = (d.n + kChunk - 1) / kChunk;
  ctx.pool.parallelFor(chunks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> wf(static_cast<size_t>(kChunk * d.k));
    for (int64_t ch = begin; ch < end; ++ch) {
      int64_t n0 = ch * kChunk, rows = std::min(kChunk, d.n - n0);
      dequantizeWeightRows(ctx, d, n0, rows, wf.data());
      GemmOptions options;  // this thread only
      options.allowBlas = false;
      // B(k, j) = W[n0 + j, k]: the chunk, transposed.
      gemmF32(m, rows, d.k, MatView::rowMajor(xf.data(), DType::F32, d.k),
              MatView{wf.data(), DType::F32, 1, d.k}, c + n0, d.n, options);
    }
  });
  if (present(ctx.inputs, kBias)) {
    std::vector<float> bias(static_cast<size_t>(d.n));
    loadRowF32(ctx.inputs[kBias].data, ctx.inputs[kBias].dtype, 0, d.n, bias.data());
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < d.n; ++j) c[i * d.n + j] += bias[j];
  }
  if (out.dtype != DType::F32) storeRowF32(out.data, out.dtype, 0, m * d.n, c);
}

}  // namespace

void registerCpuQuantKernels(KernelRegistry &registry) {
  registry.add("quantize", {quantizeShape, quantizeRun});
  registry.add("dequantize", {dequantizeShape, dequantizeRun});
  registry.add("dynamic_quantize", {dynamicQuantizeShape, dynamicQuantizeRun});
  registry.add("matmul_nbits", {nbitsShape, nbitsRun});
}

}  // namespace ds::rt::cpu
