// Element types, host tensors and element conversions.
#include "Kernel.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace ds::rt {

namespace {
struct DTypeEntry {
  DType type;
  const char *name;
  size_t size;
};
constexpr DTypeEntry kDTypes[] = {
    {DType::F32, "f32", 4},   {DType::F16, "f16", 2},   {DType::BF16, "bf16", 2},
    {DType::F64, "f64", 8},   {DType::F8E4M3FN, "f8E4M3FN", 1},
    {DType::F8E5M2, "f8E5M2", 1}, {DType::I1, "i1", 1},  {DType::I8, "i8", 1},
    {DType::I16, "i16", 2},   {DType::I32, "i32", 4},   {DType::I64, "i64", 8},
    {DType::U8, "ui8", 1},    {DType::U16, "ui16", 2},  {DType::U32, "ui32", 4},
    {DType::U64, "ui64", 8},
};
}  // namespace

const char *dtypeName(DType type) {
  for (const auto &e : kDTypes)
    if (e.type == type) return e.name;
  return "?";
}

std::optional<DType> parseDType(std::string_view name) {
  for (const auto &e : kDTypes)
    if (name == e.name) return e.type;
  return std::nullopt;
}

size_t dtypeSize(DType type) {
  for (const auto &e : kDTypes)
    if (e.type == type) return e.size;
  return 0;
}

bool isFloat(DType type) {
  switch (type) {
  case DType::F32: case DType::F16: case DType::BF16: case DType::F64:
  case DType::F8E4M3FN: case DType::F8E5M2:
    return true;
  default:
    return false;
  }
}

bool isSigned(DType type) {
  return type == DType::I8 || type == DType::I16 || type == DType::I32 || type == DType::I64;
}

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shapeToString(const Shape &shape) {
  std::ostringstream os;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) os << 'x';
    if (shape[i] < 0) os << '?'; else os << shape[i];
  }
  return os.str();
}

Tensor Tensor::empty(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  size_t bytes = t.bytes();
  size_t rounded = (bytes + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p) throw Error("out of memory allocating a " + shapeToString(t.shape_) + "x" +
                      dtypeName(dtype) + " tensor");
  std::memset(p, 0, rounded ? rounded : 64);
  t.storage_ = std::shared_ptr<void>(p, [](void *q) { std::free(q); });
  t.data_ = p;
  return t;
}

Tensor Tensor::borrow(DType dtype, Shape shape, void *data) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

// ---- element conversions -------------------------------------------------------------

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalize
      int e = -1;
      do { ++e; mant <<= 1; } while (!(mant & 0x400));
      bits = sign | ((127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u)  // inf or nan
    return static_cast<uint16_t>(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0));
  if (absx >= 0x477ff000u)  // rounds to >= 65520: overflow to inf
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (absx < 0x38800000u) {  // subnormal or zero in half
    // value * 2^24 rounded to nearest even is the subnormal mantissa.
    float f;
    std::memcpy(&f, &absx, 4);
    float scaled = f * 16777216.0f;
    uint32_t m = static_cast<uint32_t>(std::nearbyint(scaled));
    return static_cast<uint16_t>(sign | m);
  }
  uint32_t exp = ((absx >> 23) - 127 + 15) << 10;
  uint32_t mant = absx & 0x7fffffu;
  uint32_t half = exp | (mant >> 13);
  uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1))) ++half;
  return static_cast<uint16_t>(sign | half);
}

float bf16ToFloat(uint16_t bits) {
  uint32_t x = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t floatToBf16(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40);  // nan
  uint32_t lsb = (x >> 16) & 1;
  x += 0x7fffu + lsb;
  return static_cast<uint16_t>(x >> 16);
}

namespace {
// Generic small-float decode: 1 sign bit, `eb` exponent bits, `mb` mantissa bits.
float decodeSmallFloat(uint8_t bits, int eb, int mb, int bias) {
  int sign = bits >> 7;
  int exp = (bits >> mb) & ((1 << eb) - 1);
  int mant = bits & ((1 << mb) - 1);
  float v;
  if (exp == 0) v = std::ldexp(static_cast<float>(mant), 1 - bias - mb);
  else v = std::ldexp(static_cast<float>(mant | (1 << mb)), exp - bias - mb);
  return sign ? -v : v;
}

// Round-to-nearest-even encode by searching the representable magnitudes (256 codes).
uint8_t encodeSmallFloat(float value, float (*decode)(uint8_t), uint8_t maxFinite,
                         uint8_t infOrNan, bool hasInf, bool saturate) {
  if (std::isnan(value)) return hasInf ? 0x7f : 0x7f;
  uint8_t sign = std::signbit(value) ? 0x80 : 0;
  float a = std::fabs(value);
  float maxv = decode(maxFinite);
  if (std::isinf(a) || a > maxv) {
    if (saturate) return sign | maxFinite;
    if (std::isinf(a)) return hasInf ? (sign | infOrNan) : (sign | 0x7f);
    // Beyond max: rounds to max when within half an ulp, else inf/nan.
    float prev = decode(maxFinite - 1);
    if (a < maxv + (maxv - prev) / 2) return sign | maxFinite;
    return hasInf ? (sign | infOrNan) : (sign | 0x7f);
  }
  uint8_t best = 0;
  for (uint8_t c = 0; c <= maxFinite; ++c) {
    float v = decode(c);
    if (v >= a) {
      if (c == 0) return sign;
      float lo = decode(c - 1);
      if (a - lo < v - a) best = c - 1;
      else if (a - lo > v - a) best = c;
      else best = (c & 1) ? c - 1 : c;
      return sign | best;
    }
  }
  return sign | maxFinite;
}
}  // namespace

float f8e4m3fnToFloat(uint8_t bits) {
  if ((bits & 0x7f) == 0x7f) return std::nanf("");
  return decodeSmallFloat(bits, 4, 3, 7);
}
uint8_t floatToF8e4m3fn(float value, bool saturate) {
  return encodeSmallFloat(value, f8e4m3fnToFloat, 0x7e, 0x7f, false, saturate);
}
float f8e5m2ToFloat(uint8_t bits) {
  int exp = (bits >> 2) & 0x1f;
  if (exp == 0x1f) {
    if (bits & 3) return std::nanf("");
    return (bits & 0x80) ? -INFINITY : INFINITY;
  }
  return decodeSmallFloat(bits, 5, 2, 15);
}
uint8_t floatToF8e5m2(float value, bool saturate) {
  if (std::isnan(value)) return 0x7f;
  return encodeSmallFloat(value, f8e5m2ToFloat, 0x7b, 0x7c, true, saturate);
}

double loadAsDouble(const TensorView &t, int64_t i) {
  const char *p = static_cast<const char *>(t.data);
  switch (t.dtype) {
  case DType::F32: return reinterpret_cast<const float *>(p)[i];
  case DType::F16: return halfToFloat(reinterpret_cast<const uint16_t *>(p)[i]);
  case DType::BF16: return bf16ToFloat(reinterpret_cast<const uint16_t *>(p)[i]);
  case DType::F64: return reinterpret_cast<const double *>(p)[i];
  case DType::F8E4M3FN: return f8e4m3fnToFloat(reinterpret_cast<const uint8_t *>(p)[i]);
  case DType::F8E5M2: return f8e5m2ToFloat(reinterpret_cast<const uint8_t *>(p)[i]);
  case DType::I1: return reinterpret_cast<const uint8_t *>(p)[i] != 0;
  case DType::I8: return reinterpret_cast<const int8_t *>(p)[i];
  case DType::I16: return reinterpret_cast<const int16_t *>(p)[i];
  case DType::I32: return reinterpret_cast<const int32_t *>(p)[i];
  case DType::I64: return static_cast<double>(reinterpret_cast<const int64_t *>(p)[i]);
  case DType::U8: return reinterpret_cast<const uint8_t *>(p)[i];
  case DType::U16: return reinterpret_cast<const uint16_t *>(p)[i];
  case DType::U32: return reinterpret_cast<const uint32_t *>(p)[i];
  case DType::U64: return static_cast<double>(reinterpret_cast<const uint64_t *>(p)[i]);
  }
  return 0;
}

int64_t loadAsInt(const TensorView &t, int64_t i) {
  const char *p = static_cast<const char *>(t.data);
  switch (t.dtype) {
  case DType::I1: return reinterpret_cast<const uint8_t *>(p)[i] != 0;
  case DType::I8: return reinterpret_cast<const int8_t *>(p)[i];
  case DType::I16: return reinterpret_cast<const int16_t *>(p)[i];
  case DType::I32: return reinterpret_cast<const int32_t *>(p)[i];
  case DType::I64: return reinterpret_cast<const int64_t *>(p)[i];
  case DType::U8: return reinterpret_cast<const uint8_t *>(p)[i];
  case DType::U16: return reinterpret_cast<const uint16_t *>(p)[i];
  case DType::U32: return reinterpret_cast<const uint32_t *>(p)[i];
  case DType::U64: return static_cast<int64_t>(reinterpret_cast<const uint64_t *>(p)[i]);
  default: return static_cast<int64_t>(loadAsDouble(t, i));
  }
}

void storeFromDouble(const TensorView &t, int64_t i, double v) {
  char *p = static_cast<char *>(t.data);
  switch (t.dtype) {
  case DType::F32: reinterpret_cast<float *>(p)[i] = static_cast<float>(v); return;
  case DType::F16: reinterpret_cast<uint16_t *>(p)[i] = floatToHalf(static_cast<float>(v)); return;
  case DType::BF16: reinterpret_cast<uint16_t *>(p)[i] = floatToBf16(static_cast<float>(v)); return;
  case DType::F64: reinterpret_cast<double *>(p)[i] = v; return;
  case DType::F8E4M3FN:
    reinterpret_cast<uint8_t *>(p)[i] = floatToF8e4m3fn(static_cast<float>(v), true); return;
  case DType::F8E5M2:
    reinterpret_cast<uint8_t *>(p)[i] = floatToF8e5m2(static_cast<float>(v), true); return;
  case DType::I1: reinterpret_cast<uint8_t *>(p)[i] = v != 0; return;
  default: storeFromInt(t, i, static_cast<int64_t>(v)); return;
  }
}

void storeFromInt(const TensorView &t, int64_t i, int64_t v) {
  char *p = static_cast<char *>(t.data);
  switch (t.dtype) {
  case DType::I1: reinterpret_cast<uint8_t *>(p)[i] = v != 0; return;
  case DType::I8: reinterpret_cast<int8_t *>(p)[i] = static_cast<int8_t>(v); return;
  case DType::I16: reinterpret_cast<int16_t *>(p)[i] = static_cast<int16_t>(v); return;
  case DType::I32: reinterpret_cast<int32_t *>(p)[i] = static_cast<int32_t>(v); return;
  case DType::I64: reinterpret_cast<int64_t *>(p)[i] = v; return;
  case DType::U8: reinterpret_cast<uint8_t *>(p)[i] = static_cast<uint8_t>(v); return;
  case DType::U16: reinterpret_cast<uint16_t *>(p)[i] = static_cast<uint16_t>(v); return;
  case DType::U32: reinterpret_cast<uint32_t *>(p)[i] = static_cast<uint32_t>(v); return;
  case DType::U64: reinterpret_cast<uint64_t *>(p)[i] = static_cast<uint64_t>(v); return;
  default: storeFromDouble(t, i, static_cast<double>(v)); return;
  }
}

}  // namespace ds::rt
