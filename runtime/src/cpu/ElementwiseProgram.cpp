// cpu executor of elementwise programs.
//
// A program runs over the output in chunks of kChunk elements. Per chunk each input is
// either read in place (full shape, storage type == compute type), gathered and
// converted into a scratch buffer (broadcast or narrow storage), or was filled once per
// task (numel 1); then every instruction runs as one tight typed loop over the chunk
// (the kernel for each instruction is chosen once, before the loop), and the results are
// converted into the outputs. Chunks are spread over the thread pool.
//
// Compute classes: f32 for f32/f16/bf16/f8 (narrow floats convert on load and store and
// stay f32 between instructions; a cast rounds to its target type), f64, int64 for
// signed integers, uint64 for unsigned ones (exact; logical shifts), bool for i1. Integer
// results are wrapped into their storage type after every instruction.
#include "ElementwiseProgram.h"
#include "ElementwiseMath.h"

#include <algorithm>
#include <cstring>
#include <memory>

#if defined(__AVX__) || defined(__F16C__)
#include <immintrin.h>
#endif

namespace ds::rt::ew {

// ---- names ------------------------------------------------------------------------------

namespace {
const char *const kUnaryNames[] = {
    "neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "reciprocal", "floor", "ceil",
    "round", "tanh", "erf", "sigmoid", "relu", "leaky_relu", "gelu", "gelu_tanh", "elu",
    "selu", "celu", "softplus", "softsign", "mish", "hard_sigmoid", "hard_swish",
    "thresholded_relu", "shrink", "silu", "cos", "sin", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "asinh", "acosh", "atanh", "is_inf", "is_nan", "not", "bitwise_not",
    "identity", "square"};
const char *const kBinaryNames[] = {
    "add", "sub", "mul", "div", "pow", "mod", "fmod", "max", "min", "and", "or", "xor",
    "shift_left", "shift_right", "bitwise_and", "bitwise_or", "bitwise_xor", "prelu"};
const char *const kCompareNames[] = {"eq", "ne", "lt", "le", "gt", "ge"};

template <class E, size_t N>
bool parseName(const char *const (&names)[N], const std::string &name, E &out) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) {
      out = static_cast<E>(i);
      return true;
    }
  return false;
}
}  // namespace

bool parseUnaryFn(const std::string &name, UnaryFn &fn) { return parseName(kUnaryNames, name, fn); }
bool parseBinaryFn(const std::string &name, BinaryFn &fn) {
  return parseName(kBinaryNames, name, fn);
}
bool parseCompareFn(const std::string &name, CompareFn &fn) {
  return parseName(kCompareNames, name, fn);
}
const char *unaryFnName(UnaryFn fn) { return kUnaryNames[static_cast<int>(fn)]; }
const char *binaryFnName(BinaryFn fn) { return kBinaryNames[static_cast<int>(fn)]; }

double defaultAlpha(UnaryFn fn) {
  switch (fn) {
  case UnaryFn::LeakyRelu: return 0.01f;
  case UnaryFn::Selu: return 1.67326319217681884765625;
  case UnaryFn::HardSigmoid: return 0.2f;
  case UnaryFn::Shrink: return 0.5;
  case UnaryFn::Elu: case UnaryFn::Celu: case UnaryFn::ThresholdedRelu: return 1.0;
  default: return 0.0;
  }
}
double defaultBeta(UnaryFn fn) {
  switch (fn) {
  case UnaryFn::Selu: return 1.05070102214813232421875;
  case UnaryFn::HardSigmoid: return 0.5;
  default: return 0.0;
  }
}

bool broadcastShapes(const Shape &a, const Shape &b, Shape &out) {
  size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) result[i] = da;
    else if (da == 1) result[i] = db;
    else return false;
  }
  out = std::move(result);
  return true;
}

// ---- program construction ---------------------------------------------------------------

namespace {

enum class Cls : uint8_t { F32, F64, I64, U64, Bool };

Cls classOf(DType t) {
  switch (t) {
  case DType::F32: case DType::F16: case DType::BF16: case DType::F8E4M3FN:
  case DType::F8E5M2:
    return Cls::F32;
  case DType::F64: return Cls::F64;
  case DType::I8: case DType::I16: case DType::I32: case DType::I64: return Cls::I64;
  case DType::U8: case DType::U16: case DType::U32: case DType::U64: return Cls::U64;
  case DType::I1: return Cls::Bool;
  }
  return Cls::F32;
}
bool isFloatCls(Cls c) { return c == Cls::F32 || c == Cls::F64; }
bool isIntCls(Cls c) { return c == Cls::I64 || c == Cls::U64; }

double jsonFloat(const nlohmann::json &v, bool &ok) {
  ok = true;
  if (v.is_array() && v.size() == 1) return jsonFloat(v[0], ok);
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto &s = v.get_ref<const std::string &>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  ok = false;
  return 0;
}

struct ProgramBuilder {
  bool programForm;  // a register program (else one plain op)
  const std::function<void(const std::string &)> &fail;
  Program program;

  std::string where(size_t i) const {
    return programForm ? "instruction " + std::to_string(i) + ": " : "";
  }
  DType regType(size_t i, int reg) const {
    int count = program.numInputs + static_cast<int>(i);
    if (reg < 0 || reg >= count)
      fail(where(i) + "argument register " + std::to_string(reg) + " is not defined yet (" +
           std::to_string(count) + " registers before this instruction)");
    return program.registerTypes[reg];
  }
  void expectArgs(size_t i, const Instruction &ins, size_t n, const char *what) const {
    if (ins.args.size() != n)
      fail(where(i) + what + " takes " + std::to_string(n) + " arguments, got " +
           std::to_string(ins.args.size()));
  }

  // Checks operand types against the op, as the ds verifiers do.
  void check(size_t i, Instruction &ins) {
    std::string w = where(i);
    switch (ins.op) {
    case OpKind::Constant: {
      if (!ins.args.empty()) fail(w + "a constant takes no arguments");
      break;
    }
    case OpKind::Unary: {
      expectArgs(i, ins, 1, "unary");
      DType in = regType(i, ins.args[0]);
      auto fn = static_cast<UnaryFn>(ins.fn);
      bool predicate = fn == UnaryFn::IsInf || fn == UnaryFn::IsNan;
      DType want = predicate ? DType::I1 : in;
      if (ins.dtype != want)
        fail(w + "unary " + unaryFnName(fn) + " of " + dtypeName(in) + " gives " +
             dtypeName(want) + ", but the result type is " + dtypeName(ins.dtype));
      Cls c = classOf(in);
      switch (fn) {
      case UnaryFn::Neg: case UnaryFn::Abs: case UnaryFn::Sign: case UnaryFn::Identity:
      case UnaryFn::Square: case UnaryFn::Relu:
        break;
      case UnaryFn::Not:
        if (c != Cls::Bool) fail(w + "'not' needs i1 elements, got " + dtypeName(in));
        break;
      case UnaryFn::BitwiseNot:
        if (!isIntCls(c)) fail(w + "'bitwise_not' needs integer elements, got " + dtypeName(in));
        break;
      default:
        if (!isFloatCls(c))
          fail(w + "'" + unaryFnName(fn) + "' needs floating-point elements, got " +
               dtypeName(in));
      }
      break;
    }
    case OpKind::Binary: {
      expectArgs(i, ins, 2, "binary");
      DType a = regType(i, ins.args[0]), b = regType(i, ins.args[1]);
      auto fn = static_cast<BinaryFn>(ins.fn);
      if (fn != BinaryFn::Pow && a != b)
        fail(w + "binary " + binaryFnName(fn) + " operands have different element types: " +
             dtypeName(a) + " and " + dtypeName(b));
      if (ins.dtype != a)
        fail(w + "binary " + binaryFnName(fn) + " of " + dtypeName(a) +
             " keeps the element type, but the result type is " + dtypeName(ins.dtype));
      Cls c = classOf(a);
      switch (fn) {
      case BinaryFn::And: case BinaryFn::Or: case BinaryFn::Xor:
        if (c != Cls::Bool)
          fail(w + "'" + binaryFnName(fn) + "' needs i1 elements, got " + dtypeName(a));
        break;
      case BinaryFn::ShiftLeft: case BinaryFn::ShiftRight: case BinaryFn::BitwiseAnd:
      case BinaryFn::BitwiseOr: case BinaryFn::BitwiseXor:
        if (!isIntCls(c))
          fail(w + "'" + binaryFnName(fn) + "' needs integer elements, got " + dtypeName(a));
        break;
      default:
        if (c == Cls::Bool)
          fail(w + "'" + binaryFnName(fn) + "' is not defined on i1 elements");
        if (fn == BinaryFn::Pow && classOf(b) == Cls::Bool)
          fail(w + "'pow' needs a numeric exponent, got i1");
      }
      break;
    }
    case OpKind::Compare: {
      expectArgs(i, ins, 2, "compare");
      DType a = regType(i, ins.args[0]), b = regType(i, ins.args[1]);
      if (a != b)
        fail(w + "compare operands have different element types: " + std::string(dtypeName(a)) +
             " and " + dtypeName(b));
      if (ins.dtype != DType::I1)
        fail(w + "compare gives i1, but the result type is " + dtypeName(ins.dtype));
      break;
    }
    case OpKind::Select: {
      expectArgs(i, ins, 3, "select");
      DType c = regType(i, ins.args[0]), t = regType(i, ins.args[1]), f = regType(i, ins.args[2]);
      if (c != DType::I1) fail(w + "select condition must be i1, got " + dtypeName(c));
      if (t != f)
        fail(w + "select branches have different element types: " + std::string(dtypeName(t)) +
             " and " + dtypeName(f));
      if (ins.dtype != t)
        fail(w + "select of " + dtypeName(t) + " branches has result type " +
             dtypeName(ins.dtype));
      break;
    }
    case OpKind::Cast:
      expectArgs(i, ins, 1, "cast");
      regType(i, ins.args[0]);
      break;
    }
  }

  void add(Instruction ins) {
    check(program.instructions.size(), ins);
    program.registerTypes.push_back(ins.dtype);
    program.instructions.push_back(std::move(ins));
  }
};

DType parseDTypeOrFail(const nlohmann::json &v, const std::string &what,
                       const std::function<void(const std::string &)> &fail) {
  if (!v.is_string()) fail(what + " needs a dtype name");
  auto t = parseDType(v.get<std::string>());
  if (!t) fail(what + " has the unknown dtype '" + v.get<std::string>() + "'");
  return *t;
}

}  // namespace

namespace {

// `attrs` holds program/results for a register program (`kind` "elementwise"); a plain
// op reads its fn and parameters from the step.
Program buildProgramImpl(const std::string &kind, const StepDesc &step,
                         const nlohmann::json &attrs, const std::vector<DType> &inputTypes,
                         const std::vector<DType> &outputTypes,
                         const std::function<void(const std::string &)> &fail) {
  ProgramBuilder b{kind == "elementwise", fail, {}};
  b.program.numInputs = static_cast<int>(inputTypes.size());
  b.program.registerTypes = inputTypes;

  auto readFn = [&](const std::string &kind, const std::string &name, Instruction &ins,
                    const std::string &w) {
    bool ok = true;
    if (kind == "unary") {
      UnaryFn f;
      ok = parseUnaryFn(name, f);
      ins.fn = static_cast<uint8_t>(f);
    } else if (kind == "binary") {
      BinaryFn f;
      ok = parseBinaryFn(name, f);
      ins.fn = static_cast<uint8_t>(f);
    } else if (kind == "compare") {
      CompareFn f;
      ok = parseCompareFn(name, f);
      ins.fn = static_cast<uint8_t>(f);
    }
    if (!ok) fail(w + "unknown " + kind + " function '" + name + "'");
  };
  auto readParams = [&](Instruction &ins, const nlohmann::json &attrs, const std::string &w) {
    if (ins.op != OpKind::Unary) return;
    auto fn = static_cast<UnaryFn>(ins.fn);
    ins.alpha = defaultAlpha(fn);
    ins.beta = defaultBeta(fn);
    for (const char *name : {"alpha", "beta"}) {
      auto it = attrs.find(name);
      if (it == attrs.end() || it->is_null()) continue;
      bool ok;
      double v = jsonFloat(*it, ok);
      if (!ok) fail(w + "attribute '" + name + "' is not a number");
      (name[0] == 'a' ? ins.alpha : ins.beta) = v;
    }
  };
  auto opKind = [&](const std::string &name, OpKind &op) {
    static const std::pair<const char *, OpKind> kinds[] = {
        {"unary", OpKind::Unary},   {"binary", OpKind::Binary}, {"compare", OpKind::Compare},
        {"select", OpKind::Select}, {"cast", OpKind::Cast},     {"constant", OpKind::Constant}};
    for (const auto &[n, k] : kinds)
      if (name == n) {
        op = k;
        return true;
      }
    return false;
  };

  if (kind != "elementwise") {
    Instruction ins;
    if (!opKind(step.kind, ins.op) || ins.op == OpKind::Constant)
      fail("not an elementwise step kind");
    size_t arity = ins.op == OpKind::Select ? 3 : (ins.op == OpKind::Binary || ins.op == OpKind::Compare) ? 2 : 1;
    if (inputTypes.size() != arity)
      fail("takes " + std::to_string(arity) + " inputs, got " + std::to_string(inputTypes.size()));
    if (outputTypes.size() != 1)
      fail("has one output, got " + std::to_string(outputTypes.size()));
    if (ins.op == OpKind::Unary || ins.op == OpKind::Binary || ins.op == OpKind::Compare) {
      auto it = step.attrs.find("fn");
      if (it == step.attrs.end() || !it->is_string()) fail("attribute 'fn' is missing");
      readFn(step.kind, it->get<std::string>(), ins, "");
    }
    readParams(ins, step.attrs, "");
    if (ins.op == OpKind::Cast) ins.saturate = attrBool(step, "saturate", true);
    for (size_t k = 0; k < arity; ++k) ins.args.push_back(static_cast<int>(k));
    ins.dtype = outputTypes[0];
    b.add(std::move(ins));
    b.program.results = {static_cast<int>(arity)};
    return b.program;
  }

  auto programIt = attrs.find("program");
  if (programIt == attrs.end() || !programIt->is_array())
    fail("attribute 'program' is missing or not a list");
  for (const auto &j : *programIt) {
    std::string w = "instruction " + std::to_string(b.program.instructions.size()) + ": ";
    if (!j.is_object()) fail(w + "is not an object");
    Instruction ins;
    auto op = j.find("op");
    if (op == j.end() || !op->is_string() || !opKind(op->get<std::string>(), ins.op))
      fail(w + "'op' must be one of unary, binary, compare, select, cast, constant");
    auto dtype = j.find("dtype");
    if (dtype == j.end()) fail(w + "'dtype' is missing");
    ins.dtype = parseDTypeOrFail(*dtype, w + "'dtype'", fail);
    if (ins.op == OpKind::Unary || ins.op == OpKind::Binary || ins.op == OpKind::Compare) {
      auto fn = j.find("fn");
      if (fn == j.end() || !fn->is_string()) fail(w + "'fn' is missing");
      readFn(op->get<std::string>(), fn->get<std::string>(), ins, w);
    }
    auto args = j.find("args");
    if (args != j.end()) {
      if (!args->is_array()) fail(w + "'args' is not a list");
      for (const auto &a : *args) {
        if (!a.is_number_integer()) fail(w + "'args' must hold register numbers");
        ins.args.push_back(a.get<int>());
      }
    }
    readParams(ins, j, w);
    if (ins.op == OpKind::Cast) {
      auto s = j.find("saturate");
      if (s != j.end() && !s->is_null() && !s->is_boolean() && !s->is_number_integer())
        fail(w + "'saturate' is not a boolean");
      ins.saturate = s == j.end() || s->is_null() ||
                     (s->is_boolean() ? s->get<bool>() : s->get<int64_t>() != 0);
    }
    if (ins.op == OpKind::Constant) {
      auto v = j.find("value");
      if (v == j.end()) fail(w + "constant has no 'value'");
      const nlohmann::json &val = v->is_array() && v->size() == 1 ? (*v)[0] : *v;
      bool ok;
      ins.floatValue = jsonFloat(val, ok);
      if (!ok) fail(w + "constant value " + v->dump() + " is not a number");
      if (val.is_number_unsigned()) {
        ins.uintValue = val.get<uint64_t>();
        ins.intValue = static_cast<int64_t>(ins.uintValue);
      } else if (val.is_number_integer()) {
        ins.intValue = val.get<int64_t>();
        ins.uintValue = static_cast<uint64_t>(ins.intValue);
      } else if (val.is_boolean()) {
        ins.intValue = val.get<bool>();
        ins.uintValue = ins.intValue;
      } else {
        ins.intValue = truncToI64(ins.floatValue);
        ins.uintValue = truncToU64(ins.floatValue);
      }
    }
    b.add(std::move(ins));
  }
  auto resultsIt = attrs.find("results");
  if (resultsIt == attrs.end() || !resultsIt->is_array())
    fail("attribute 'results' is missing or not a list");
  int regs = static_cast<int>(b.program.registerTypes.size());
  for (const auto &r : *resultsIt) {
    if (!r.is_number_integer() || r.get<int>() < 0 || r.get<int>() >= regs)
      fail("result register " + r.dump() + " is not one of the " + std::to_string(regs) +
           " registers");
    b.program.results.push_back(r.get<int>());
  }
  if (b.program.results.size() != outputTypes.size())
    fail("the program has " + std::to_string(b.program.results.size()) +
         " results but the step has " + std::to_string(outputTypes.size()) + " outputs");
  for (size_t k = 0; k < outputTypes.size(); ++k) {
    DType t = b.program.registerTypes[b.program.results[k]];
    if (t != outputTypes[k])
      fail("output " + std::to_string(k) + " is " + dtypeName(outputTypes[k]) +
           " but its result register " + std::to_string(b.program.results[k]) + " is " +
           dtypeName(t));
  }
  return b.program;
}

}  // namespace

Program buildProgram(const StepDesc &step, const std::vector<DType> &inputTypes,
                     const std::vector<DType> &outputTypes,
                     const std::function<void(const std::string &)> &fail) {
  return buildProgramImpl(step.kind, step, step.attrs, inputTypes, outputTypes, fail);
}

Program buildEpilogueProgram(const StepDesc &step, const std::vector<DType> &inputTypes,
                             const std::vector<DType> &outputTypes,
                             const std::function<void(const std::string &)> &fail) {
  auto it = step.attrs.find("epilogue");
  if (it == step.attrs.end() || !it->is_object())
    fail("attribute 'epilogue' is missing or not an object");
  return buildProgramImpl("elementwise", step, *it, inputTypes, outputTypes,
                          [&](const std::string &m) { fail("epilogue: " + m); });
}

// ---- storage conversions ----------------------------------------------------------------

float roundToF16(float v) {
#if defined(__F16C__)
  return _cvtsh_ss(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#else
  return halfToFloat(floatToHalf(v));
#endif
}

namespace {

const float *f8Table(DType t) {
  struct Tables {
    float e4m3[256], e5m2[256];
    Tables() {
      for (int i = 0; i < 256; ++i) {
        e4m3[i] = f8e4m3fnToFloat(static_cast<uint8_t>(i));
        e5m2[i] = f8e5m2ToFloat(static_cast<uint8_t>(i));
      }
    }
  };
  static const Tables tables;
  return t == DType::F8E4M3FN ? tables.e4m3 : tables.e5m2;
}

void halfToFloatRun(const uint16_t *src, float *dst, int64_t n) {
  int64_t i = 0;
#if defined(__F16C__) && defined(__AVX__)
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(src + i))));
#endif
  for (; i < n; ++i) dst[i] = halfToFloat(src[i]);
}

void floatToHalfRun(const float *src, uint16_t *dst, int64_t n) {
  int64_t i = 0;
#if defined(__F16C__) && defined(__AVX__)
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#endif
  for (; i < n; ++i) dst[i] = floatToHalf(src[i]);
}

template <class S, class C> void convertRun(const S *src, int64_t stride, C *dst, int64_t n) {
  if (stride == 0) {
    C v = static_cast<C>(src[0]);
    for (int64_t i = 0; i < n; ++i) dst[i] = v;
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<C>(src[i]);
  }
}

// Reads n elements of `storage` starting at element `index` (stride 0: one element
// repeated) into `dst` in the compute class of `storage`.
void loadRun(DType storage, const void *base, int64_t index, int64_t stride, void *dst,
             int64_t n) {
  const char *p = static_cast<const char *>(base) + index * static_cast<int64_t>(dtypeSize(storage));
  switch (storage) {
  case DType::F32: convertRun(reinterpret_cast<const float *>(p), stride, static_cast<float *>(dst), n); return;
  case DType::F64: convertRun(reinterpret_cast<const double *>(p), stride, static_cast<double *>(dst), n); return;
  case DType::F16: {
    float *d = static_cast<float *>(dst);
    if (stride == 0) {
      float v = halfToFloat(*reinterpret_cast<const uint16_t *>(p));
      std::fill(d, d + n, v);
    } else {
      halfToFloatRun(reinterpret_cast<const uint16_t *>(p), d, n);
    }
    return;
  }
  case DType::BF16: {
    const uint16_t *s = reinterpret_cast<const uint16_t *>(p);
    float *d = static_cast<float *>(dst);
    if (stride == 0) std::fill(d, d + n, bf16Load(s[0]));
    else for (int64_t i = 0; i < n; ++i) d[i] = bf16Load(s[i]);
    return;
  }
  case DType::F8E4M3FN: case DType::F8E5M2: {
    const float *table = f8Table(storage);
    const uint8_t *s = reinterpret_cast<const uint8_t *>(p);
    float *d = static_cast<float *>(dst);
    if (stride == 0) std::fill(d, d + n, table[s[0]]);
    else for (int64_t i = 0; i < n; ++i) d[i] = table[s[i]];
    return;
  }
  case DType::I1: {
    const uint8_t *s = reinterpret_cast<const uint8_t *>(p);
    uint8_t *d = static_cast<uint8_t *>(dst);
    if (stride == 0) std::fill(d, d + n, static_cast<uint8_t>(s[0] != 0));
    else for (int64_t i = 0; i < n; ++i) d[i] = s[i] != 0;
    return;
  }
  case DType::I8: convertRun(reinterpret_cast<const int8_t *>(p), stride, static_cast<int64_t *>(dst), n); return;
  case DType::I16: convertRun(reinterpret_cast<const int16_t *>(p), stride, static_cast<int64_t *>(dst), n); return;
  case DType::I32: convertRun(reinterpret_cast<const int32_t *>(p), stride, static_cast<int64_t *>(dst), n); return;
  case DType::I64: convertRun(reinterpret_cast<const int64_t *>(p), stride, static_cast<int64_t *>(dst), n); return;
  case DType::U8: convertRun(reinterpret_cast<const uint8_t *>(p), stride, static_cast<uint64_t *>(dst), n); return;
  case DType::U16: convertRun(reinterpret_cast<const uint16_t *>(p), stride, static_cast<uint64_t *>(dst), n); return;
  case DType::U32: convertRun(reinterpret_cast<const uint32_t *>(p), stride, static_cast<uint64_t *>(dst), n); return;
  case DType::U64: convertRun(reinterpret_cast<const uint64_t *>(p), stride, static_cast<uint64_t *>(dst), n); return;
  }
}

// Writes n compute-class values to `storage` at element `index`. Results that are not
// casts and overflow an f8 type give inf/NaN (IEEE), not the largest finite value.
void storeRun(DType storage, void *base, int64_t index, const void *src, int64_t n) {
  char *p = static_cast<char *>(base) + index * static_cast<int64_t>(dtypeSize(storage));
  if (static_cast<const void *>(p) == src) return;  // computed in place
  switch (storage) {
  case DType::F32: case DType::F64: case DType::I64: case DType::U64: case DType::I1:
    std::memmove(p, src, static_cast<size_t>(n) * dtypeSize(storage));
    return;
  case DType::F16: floatToHalfRun(static_cast<const float *>(src), reinterpret_cast<uint16_t *>(p), n); return;
  case DType::BF16: {
    const float *s = static_cast<const float *>(src);
    uint16_t *d = reinterpret_cast<uint16_t *>(p);
    for (int64_t i = 0; i < n; ++i) d[i] = bf16Store(s[i]);
    return;
  }
  case DType::F8E4M3FN: {
    const float *s = static_cast<const float *>(src);
    uint8_t *d = reinterpret_cast<uint8_t *>(p);
    for (int64_t i = 0; i < n; ++i) d[i] = f8e4m3fnStore(s[i], false);
    return;
  }
  case DType::F8E5M2: {
    const float *s = static_cast<const float *>(src);
    uint8_t *d = reinterpret_cast<uint8_t *>(p);
    for (int64_t i = 0; i < n; ++i) d[i] = f8e5m2Store(s[i], false);
    return;
  }
  case DType::I8: convertRun(static_cast<const int64_t *>(src), 1, reinterpret_cast<int8_t *>(p), n); return;
  case DType::I16: convertRun(static_cast<const int64_t *>(src), 1, reinterpret_cast<int16_t *>(p), n); return;
  case DType::I32: convertRun(static_cast<const int64_t *>(src), 1, reinterpret_cast<int32_t *>(p), n); return;
  case DType::U8: convertRun(static_cast<const uint64_t *>(src), 1, reinterpret_cast<uint8_t *>(p), n); return;
  case DType::U16: convertRun(static_cast<const uint64_t *>(src), 1, reinterpret_cast<uint16_t *>(p), n); return;
  case DType::U32: convertRun(static_cast<const uint64_t *>(src), 1, reinterpret_cast<uint32_t *>(p), n); return;
  }
}

// ---- instruction kernels ----------------------------------------------------------------

struct CInstr;
using KernelFn = void (*)(const CInstr &, void *const *regs, int64_t n);

struct CInstr {
  KernelFn run = nullptr;
  KernelFn wrap = nullptr;  // narrow-integer wrap of the result, or null
  int out = 0;
  int arg[3] = {0, 0, 0};
  bool invariant[3] = {false, false, false};
  double alpha = 0, beta = 0;
  union {
    float f32;
    double f64;
    int64_t i64;
    uint64_t u64;
    uint8_t b;
  } constant{};
};

template <class T> inline const T *argPtr(const CInstr &ci, void *const *regs, int k) {
  return static_cast<const T *>(regs[ci.arg[k]]);
}
template <class T> inline T *outPtr(const CInstr &ci, void *const *regs) {
  return static_cast<T *>(regs[ci.out]);
}

// Float functions of one operand. f32 uses the vectorizable approximations of
// ElementwiseMath.h on the hot functions, f64 the C library.
template <class T, UnaryFn F> inline T unaryFloat(T x, T alpha, T beta) {
  constexpr bool f32 = std::is_same_v<T, float>;
  if constexpr (F == UnaryFn::Neg) return -x;
  else if constexpr (F == UnaryFn::Abs) return std::fabs(x);
  else if constexpr (F == UnaryFn::Sign) return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);
  else if constexpr (F == UnaryFn::Exp) { if constexpr (f32) return expF32(x); else return std::exp(x); }
  else if constexpr (F == UnaryFn::Log) return std::log(x);
  else if constexpr (F == UnaryFn::Reciprocal) return T(1) / x;
  else if constexpr (F == UnaryFn::Round) return std::nearbyint(x);
  else if constexpr (F == UnaryFn::Tanh) { if constexpr (f32) return tanhF32(x); else return std::tanh(x); }
  else if constexpr (F == UnaryFn::Erf) { if constexpr (f32) return erfF32(x); else return std::erf(x); }
  else if constexpr (F == UnaryFn::Sigmoid) {
    if constexpr (f32) return sigmoidF32(x); else return T(1) / (T(1) + std::exp(-x));
  } else if constexpr (F == UnaryFn::Silu) {
    if constexpr (f32) return x * sigmoidF32(x); else return x / (T(1) + std::exp(-x));
  } else if constexpr (F == UnaryFn::Relu) return x > T(0) ? x : T(0);
  else if constexpr (F == UnaryFn::LeakyRelu) return x >= T(0) ? x : alpha * x;
  else if constexpr (F == UnaryFn::Gelu) {
    if constexpr (f32) return geluF32(x);
    else return T(0.5) * x * std::erfc(-x * T(0.70710678118654752440));
  } else if constexpr (F == UnaryFn::GeluTanh) {
    if constexpr (f32) return geluTanhF32(x);
    else return T(0.5) * x * (T(1) + std::tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x)));
  } else if constexpr (F == UnaryFn::Elu) return x > T(0) ? x : alpha * std::expm1(x);
  else if constexpr (F == UnaryFn::Selu) return beta * (x > T(0) ? x : alpha * std::expm1(x));
  else if constexpr (F == UnaryFn::Celu) return x > T(0) ? x : alpha * std::expm1(x / alpha);
  else if constexpr (F == UnaryFn::Softplus)
    return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  else if constexpr (F == UnaryFn::Softsign) return x / (T(1) + std::fabs(x));
  else if constexpr (F == UnaryFn::Mish) {
    T sp = x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    if constexpr (f32) return x * tanhF32(sp); else return x * std::tanh(sp);
  } else if constexpr (F == UnaryFn::HardSigmoid || F == UnaryFn::HardSwish) {
    T a = F == UnaryFn::HardSwish ? T(1) / T(6) : alpha;
    T b = F == UnaryFn::HardSwish ? T(0.5) : beta;
    T v = a * x + b;
    v = v < T(0) ? T(0) : (v > T(1) ? T(1) : v);
    return F == UnaryFn::HardSwish ? x * v : v;
  } else if constexpr (F == UnaryFn::ThresholdedRelu) return x > alpha ? x : T(0);
  else if constexpr (F == UnaryFn::Shrink) return x < -alpha ? x + beta : (x > alpha ? x - beta : T(0));
  else if constexpr (F == UnaryFn::Cos) return std::cos(x);
  else if constexpr (F == UnaryFn::Sin) return std::sin(x);
  else if constexpr (F == UnaryFn::Tan) return std::tan(x);
  else if constexpr (F == UnaryFn::Asin) return std::asin(x);
  else if constexpr (F == UnaryFn::Acos) return std::acos(x);
  else if constexpr (F == UnaryFn::Atan) return std::atan(x);
  else if constexpr (F == UnaryFn::Sinh) return std::sinh(x);
  else if constexpr (F == UnaryFn::Cosh) return std::cosh(x);
  else if constexpr (F == UnaryFn::Asinh) return std::asinh(x);
  else if constexpr (F == UnaryFn::Acosh) return std::acosh(x);
  else if constexpr (F == UnaryFn::Atanh) return std::atanh(x);
  else if constexpr (F == UnaryFn::Identity) return x;
  else if constexpr (F == UnaryFn::Square) return x * x;
  else static_assert(F == UnaryFn::Neg, "not a float function");
}

template <class T, UnaryFn F> void unaryFloatKernel(const CInstr &ci, void *const *regs, int64_t n) {
  const T *a = argPtr<T>(ci, regs, 0);
  T *__restrict o = outPtr<T>(ci, regs);
  const T alpha = static_cast<T>(ci.alpha), beta = static_cast<T>(ci.beta);
  for (int64_t i = 0; i < n; ++i) o[i] = unaryFloat<T, F>(a[i], alpha, beta);
}

// floor / ceil without libm calls (which do not vectorize unless -fno-trapping-math):
// values of magnitude >= 2^mantissa are integers already; copysign keeps -0.
template <class T, bool Ceil> void floorCeilKernel(const CInstr &ci, void *const *regs, int64_t n) {
  using I = std::conditional_t<std::is_same_v<T, float>, int32_t, int64_t>;
  const T big = std::is_same_v<T, float> ? T(8388608.0) : T(4503599627370496.0);
  const T *a = argPtr<T>(ci, regs, 0);
  T *__restrict o = outPtr<T>(ci, regs);
  for (int64_t i = 0; i < n; ++i) {
    T x = a[i];
    bool integral = !(std::fabs(x) < big);  // also NaN and inf
    T t = static_cast<T>(static_cast<I>(integral ? T(0) : x));
    if constexpr (Ceil) t = t < x ? t + T(1) : t;
    else t = t > x ? t - T(1) : t;
    o[i] = integral ? x : std::copysign(t, x);
  }
}

// sqrt and 1/sqrt: the libm call does not vectorize while errno is on, the instruction
// does and is exact (IEEE square root).
template <class T, bool Reciprocal> void sqrtKernel(const CInstr &ci, void *const *regs, int64_t n) {
  const T *a = argPtr<T>(ci, regs, 0);
  T *o = outPtr<T>(ci, regs);
  int64_t i = 0;
#if defined(__AVX__)
  if constexpr (std::is_same_v<T, float>) {
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= n; i += 8) {
      __m256 s = _mm256_sqrt_ps(_mm256_loadu_ps(a + i));
      _mm256_storeu_ps(o + i, Reciprocal ? _mm256_div_ps(one, s) : s);
    }
  } else {
    const __m256d one = _mm256_set1_pd(1.0);
    for (; i + 4 <= n; i += 4) {
      __m256d s = _mm256_sqrt_pd(_mm256_loadu_pd(a + i));
      _mm256_storeu_pd(o + i, Reciprocal ? _mm256_div_pd(one, s) : s);
    }
  }
#endif
  for (; i < n; ++i) {
    T s = std::sqrt(a[i]);
    o[i] = Reciprocal ? T(1) / s : s;
  }
}

template <class T, UnaryFn F> void predicateKernel(const CInstr &ci, void *const *regs, int64_t n) {
  const T *a = argPtr<T>(ci, regs, 0);
  uint8_t *__restrict o = outPtr<uint8_t>(ci, regs);
  const T inf = std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    T x = a[i];
    o[i] = F == UnaryFn::IsNan ? x != x : std::fabs(x) == inf;
  }
}

template <class T, UnaryFn F> inline T unaryInt(T x) {
  if constexpr (std::is_same_v<T, int64_t>) {
    if constexpr (F == UnaryFn::Neg) return wrapNeg(x);
    else if constexpr (F == UnaryFn::Abs) return x < 0 ? wrapNeg(x) : x;
    else if constexpr (F == UnaryFn::Sign) return x > 0 ? 1 : (x < 0 ? -1 : 0);
    else if constexpr (F == UnaryFn::Relu) return x > 0 ? x : 0;
    else if constexpr (F == UnaryFn::Square) return wrapMul(x, x);
    else if constexpr (F == UnaryFn::BitwiseNot) return ~x;
    else return x;
  } else {
    if constexpr (F == UnaryFn::Neg) return T(0) - x;
    else if constexpr (F == UnaryFn::Sign) return x != 0 ? 1 : 0;
    else if constexpr (F == UnaryFn::Square) return x * x;
    else if constexpr (F == UnaryFn::BitwiseNot) return ~x;
    else return x;  // abs, relu, identity
  }
}

template <class T, UnaryFn F> void unaryIntKernel(const CInstr &ci, void *const *regs, int64_t n) {
  const T *a = argPtr<T>(ci, regs, 0);
  T *__restrict o = outPtr<T>(ci, regs);
  for (int64_t i = 0; i < n; ++i) o[i] = unaryInt<T, F>(a[i]);
}

void notKernel(const CInstr &ci, void *const *regs, int64_t n) {
  const uint8_t *a = argPtr<uint8_t>(ci, regs, 0);
  uint8_t *__restrict o = outPtr<uint8_t>(ci, regs);
  for (int64_t i = 0; i < n; ++i) o[i] = a[i] ^ 1;
}

template <class T> void copyKernel(const CInstr &ci, void *const *regs, int64_t n) {
  std::memcpy(outPtr<T>(ci, regs), argPtr<T>(ci, regs, 0), static_cast<size_t>(n) * sizeof(T));
}

template <class T, BinaryFn F> inline T binaryOp(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if constexpr (F == BinaryFn::Add) return a + b;
    else if constexpr (F == BinaryFn::Sub) return a - b;
    else if constexpr (F == BinaryFn::Mul) return a * b;
    else if constexpr (F == BinaryFn::Div) return a / b;
    else if constexpr (F == BinaryFn::Fmod) return std::fmod(a, b);
    else if constexpr (F == BinaryFn::Mod) {
      T r = std::fmod(a, b);
      return (r != T(0) && ((r < T(0)) != (b < T(0)))) ? r + b : r;
    }
    // NaN in either operand gives NaN (ONNX Max/Min, onnxruntime).
    else if constexpr (F == BinaryFn::Max) return (a > b || a != a) ? a : b;
    else if constexpr (F == BinaryFn::Min) return (a < b || a != a) ? a : b;
    else if constexpr (F == BinaryFn::Prelu) return a < T(0) ? a * b : a;
    else static_assert(F == BinaryFn::Add, "not a float function");
  } else if constexpr (std::is_same_v<T, int64_t>) {
    if constexpr (F == BinaryFn::Add) return wrapAdd(a, b);
    else if constexpr (F == BinaryFn::Sub) return wrapSub(a, b);
    else if constexpr (F == BinaryFn::Mul) return wrapMul(a, b);
    else if constexpr (F == BinaryFn::Div) return divI64(a, b);
    else if constexpr (F == BinaryFn::Mod) return modI64(a, b);
    else if constexpr (F == BinaryFn::Fmod) return fmodI64(a, b);
    else if constexpr (F == BinaryFn::Max) return a > b ? a : b;
    else if constexpr (F == BinaryFn::Min) return a < b ? a : b;
    else if constexpr (F == BinaryFn::ShiftLeft) return shlI64(a, b);
    else if constexpr (F == BinaryFn::ShiftRight) return shrI64(a, b);
    else if constexpr (F == BinaryFn::BitwiseAnd) return a & b;
    else if constexpr (F == BinaryFn::BitwiseOr) return a | b;
    else if constexpr (F == BinaryFn::BitwiseXor) return a ^ b;
    else if constexpr (F == BinaryFn::Prelu) return a < 0 ? wrapMul(a, b) : a;
    else static_assert(F == BinaryFn::Add, "not an integer function");
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    if constexpr (F == BinaryFn::Add) return a + b;
    else if constexpr (F == BinaryFn::Sub) return a - b;
    else if constexpr (F == BinaryFn::Mul) return a * b;
    else if constexpr (F == BinaryFn::Div) return divU64(a, b);
    else if constexpr (F == BinaryFn::Mod || F == BinaryFn::Fmod) return modU64(a, b);
    else if constexpr (F == BinaryFn::Max) return a > b ? a : b;
    else if constexpr (F == BinaryFn::Min) return a < b ? a : b;
    else if constexpr (F == BinaryFn::ShiftLeft) return shlU64(a, b);
    else if constexpr (F == BinaryFn::ShiftRight) return shrU64(a, b);
    else if constexpr (F == BinaryFn::BitwiseAnd) return a & b;
    else if constexpr (F == BinaryFn::BitwiseOr) return a | b;
    else if constexpr (F == BinaryFn::BitwiseXor) return a ^ b;
    else if constexpr (F == BinaryFn::Prelu) return a;
    else static_assert(F == BinaryFn::Add, "not an integer function");
  } else {  // bool (uint8_t 0/1)
    if constexpr (F == BinaryFn::And) return a & b;
    else if constexpr (F == BinaryFn::Or) return a | b;
    else if constexpr (F == BinaryFn::Xor) return a ^ b;
    else static_assert(F == BinaryFn::And, "not a logical function");
  }
}

// One loop per operand pattern so that a chunk-invariant operand (a scalar input or a
// constant) is a register value, not a load.
template <class TA, class TB, class TO, class Fn>
inline void binaryLoop(const CInstr &ci, void *const *regs, int64_t n, Fn f) {
  const TA *a = argPtr<TA>(ci, regs, 0);
  const TB *b = argPtr<TB>(ci, regs, 1);
  TO *__restrict o = outPtr<TO>(ci, regs);
  if (ci.invariant[1] && !ci.invariant[0]) {
    const TB bv = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else if (ci.invariant[0] && !ci.invariant[1]) {
    const TA av = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  }
}

template <class T, BinaryFn F> void binaryKernel(const CInstr &ci, void *const *regs, int64_t n) {
  binaryLoop<T, T, T>(ci, regs, n, [](T a, T b) { return binaryOp<T, F>(a, b); });
}

// Power. Float bases: C pow (f32 in f32, with exact shortcuts for common constant
// exponents; other exponent types through f64); integer bases with integer exponents: exact, wrapping; integer bases with
// float exponents: pow in f64, truncated like a cast.
template <class TA, class TB> inline TA powOp(TA a, TB b) {
  if constexpr (std::is_floating_point_v<TA>) {
    // Integer exponents go through f64, which holds them exactly (their parity decides
    // the sign of a negative base).
    if constexpr (std::is_same_v<TA, TB>)
      return std::pow(a, b);
    else
      return static_cast<TA>(std::pow(static_cast<double>(a), static_cast<double>(b)));
  } else if constexpr (std::is_floating_point_v<TB>) {
    double r = std::pow(static_cast<double>(a), static_cast<double>(b));
    if constexpr (std::is_same_v<TA, int64_t>) return truncToI64(r);
    else return truncToU64(r);
  } else if constexpr (std::is_same_v<TB, uint64_t>) {
    return static_cast<TA>(powBits(static_cast<uint64_t>(a), b));
  } else if constexpr (std::is_same_v<TA, uint64_t>) {
    if (b < 0) return a == 1 ? 1 : 0;
    return powBits(a, static_cast<uint64_t>(b));
  } else {
    return powI64(a, b);
  }
}

template <class TA, class TB> void powKernel(const CInstr &ci, void *const *regs, int64_t n) {
  if constexpr (std::is_floating_point_v<TA>) {
    if (ci.invariant[1] && !ci.invariant[0]) {
      const TA *a = argPtr<TA>(ci, regs, 0);
      TA *__restrict o = outPtr<TA>(ci, regs);
      const double e = static_cast<double>(argPtr<TB>(ci, regs, 1)[0]);
      // pow(x, 2) == x*x and pow(x, 1) == x exactly; pow(x, 0.5) is sqrt except for -0
      // and -inf, fixed up; pow(x, -1) == 1/x.
      if (e == 2.0) { for (int64_t i = 0; i < n; ++i) o[i] = a[i] * a[i]; return; }
      if (e == 1.0) { for (int64_t i = 0; i < n; ++i) o[i] = a[i]; return; }
      if (e == -1.0) { for (int64_t i = 0; i < n; ++i) o[i] = TA(1) / a[i]; return; }
      if (e == 0.5) {
        sqrtKernel<TA, false>(ci, regs, n);
        const TA inf = std::numeric_limits<TA>::infinity();
        for (int64_t i = 0; i < n; ++i) o[i] = a[i] == -inf ? inf : o[i] + TA(0);
        return;
      }
    }
  }
  binaryLoop<TA, TB, TA>(ci, regs, n, [](TA a, TB b) { return powOp<TA, TB>(a, b); });
}

template <class T, CompareFn F> void compareKernel(const CInstr &ci, void *const *regs, int64_t n) {
  binaryLoop<T, T, uint8_t>(ci, regs, n, [](T a, T b) -> uint8_t {
    if constexpr (F == CompareFn::Eq) return a == b;
    else if constexpr (F == CompareFn::Ne) return a != b;
    else if constexpr (F == CompareFn::Lt) return a < b;
    else if constexpr (F == CompareFn::Le) return a <= b;
    else if constexpr (F == CompareFn::Gt) return a > b;
    else return a >= b;
  });
}

template <class T> void selectKernel(const CInstr &ci, void *const *regs, int64_t n) {
  const uint8_t *c = argPtr<uint8_t>(ci, regs, 0);
  const T *a = argPtr<T>(ci, regs, 1);
  const T *b = argPtr<T>(ci, regs, 2);
  T *__restrict o = outPtr<T>(ci, regs);
  if (ci.invariant[2] && !ci.invariant[1]) {
    const T bv = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = c[i] ? a[i] : bv;
  } else if (ci.invariant[1] && !ci.invariant[2]) {
    const T av = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = c[i] ? av : b[i];
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = c[i] ? a[i] : b[i];
  }
}

// Narrow float targets of a cast: the value is rounded to the target format and kept in
// f32 (Mode: 0 none, 1 f16, 2 bf16, 3/4 f8E4M3FN saturating/not, 5/6 f8E5M2).
template <int Mode> inline float roundNarrow(float v) {
  if constexpr (Mode == 1) return roundToF16(v);
  else if constexpr (Mode == 2) return roundToBf16(v);
  else if constexpr (Mode == 3 || Mode == 4) {
    static const float *table = f8Table(DType::F8E4M3FN);
    return table[f8e4m3fnStore(v, Mode == 3)];
  } else if constexpr (Mode == 5 || Mode == 6) {
    static const float *table = f8Table(DType::F8E5M2);
    return table[f8e5m2Store(v, Mode == 5)];
  } else {
    return v;
  }
}

template <class TI, class TO, int Mode> inline TO castValue(TI x) {
  if constexpr (std::is_same_v<TO, uint8_t>) {
    return x != TI(0);
  } else if constexpr (std::is_floating_point_v<TO>) {
    if constexpr (Mode == 0 || std::is_same_v<TO, double>) {
      return static_cast<TO>(x);
    } else if constexpr (std::is_same_v<TI, float> || std::is_same_v<TI, uint8_t>) {
      return roundNarrow<Mode>(static_cast<float>(x));
    } else {
      // f64 and 64-bit integers round once: to odd in f32, then to the target.
      return roundNarrow<Mode>(f64ToF32RoundOdd(static_cast<double>(x)));
    }
  } else if constexpr (std::is_floating_point_v<TI>) {
    if constexpr (std::is_same_v<TO, int64_t>) return truncToI64(x);
    else return truncToU64(x);
  } else {
    return static_cast<TO>(x);  // two's complement reinterpretation; wrapped afterwards
  }
}

template <class TI, class TO, int Mode> void castKernel(const CInstr &ci, void *const *regs, int64_t n) {
  const TI *a = argPtr<TI>(ci, regs, 0);
  TO *__restrict o = outPtr<TO>(ci, regs);
  for (int64_t i = 0; i < n; ++i) o[i] = castValue<TI, TO, Mode>(a[i]);
}

template <class T> void constantKernel(const CInstr &ci, void *const *regs, int64_t n) {
  T v;
  std::memcpy(&v, &ci.constant, sizeof(T));
  std::fill(outPtr<T>(ci, regs), outPtr<T>(ci, regs) + n, v);
}

// Re-establishes a narrow integer storage type on an int64/uint64 register.
template <class Narrow, class T> void wrapKernel(const CInstr &ci, void *const *regs, int64_t n) {
  T *o = outPtr<T>(ci, regs);
  for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(static_cast<Narrow>(o[i]));
}

// ---- kernel selection -------------------------------------------------------------------

#define DS_UNARY_FLOAT_CASES(X)                                                            \
  X(Neg) X(Abs) X(Sign) X(Exp) X(Log) X(Reciprocal) X(Round) X(Tanh) X(Erf) X(Sigmoid)      \
  X(Relu) X(LeakyRelu) X(Gelu) X(GeluTanh) X(Elu) X(Selu) X(Celu) X(Softplus) X(Softsign)  \
  X(Mish) X(HardSigmoid) X(HardSwish) X(ThresholdedRelu) X(Shrink) X(Silu) X(Cos) X(Sin)   \
  X(Tan) X(Asin) X(Acos) X(Atan) X(Sinh) X(Cosh) X(Asinh) X(Acosh) X(Atanh) X(Identity)    \
  X(Square)

template <class T> KernelFn pickUnaryFloat(UnaryFn fn) {
  switch (fn) {
#define X(name) case UnaryFn::name: return unaryFloatKernel<T, UnaryFn::name>;
    DS_UNARY_FLOAT_CASES(X)
#undef X
  case UnaryFn::Floor: return floorCeilKernel<T, false>;
  case UnaryFn::Ceil: return floorCeilKernel<T, true>;
  case UnaryFn::Sqrt: return sqrtKernel<T, false>;
  case UnaryFn::Rsqrt: return sqrtKernel<T, true>;
  case UnaryFn::IsInf: return predicateKernel<T, UnaryFn::IsInf>;
  case UnaryFn::IsNan: return predicateKernel<T, UnaryFn::IsNan>;
  default: return nullptr;
  }
}

template <class T> KernelFn pickUnaryInt(UnaryFn fn) {
  switch (fn) {
  case UnaryFn::Neg: return unaryIntKernel<T, UnaryFn::Neg>;
  case UnaryFn::Abs: return unaryIntKernel<T, UnaryFn::Abs>;
  case UnaryFn::Sign: return unaryIntKernel<T, UnaryFn::Sign>;
  case UnaryFn::Relu: return unaryIntKernel<T, UnaryFn::Relu>;
  case UnaryFn::Square: return unaryIntKernel<T, UnaryFn::Square>;
  case UnaryFn::BitwiseNot: return unaryIntKernel<T, UnaryFn::BitwiseNot>;
  case UnaryFn::Identity: return copyKernel<T>;
  default: return nullptr;
  }
}

#define DS_BINARY_FLOAT_CASES(X) X(Add) X(Sub) X(Mul) X(Div) X(Mod) X(Fmod) X(Max) X(Min) X(Prelu)
#define DS_BINARY_INT_CASES(X)                                                              \
  DS_BINARY_FLOAT_CASES(X) X(ShiftLeft) X(ShiftRight) X(BitwiseAnd) X(BitwiseOr) X(BitwiseXor)

template <class T> KernelFn pickBinary(BinaryFn fn) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (fn) {
#define X(name) case BinaryFn::name: return binaryKernel<T, BinaryFn::name>;
      DS_BINARY_FLOAT_CASES(X)
#undef X
    default: return nullptr;
    }
  } else if constexpr (std::is_same_v<T, uint8_t>) {
    switch (fn) {
    case BinaryFn::And: return binaryKernel<T, BinaryFn::And>;
    case BinaryFn::Or: return binaryKernel<T, BinaryFn::Or>;
    case BinaryFn::Xor: return binaryKernel<T, BinaryFn::Xor>;
    default: return nullptr;
    }
  } else {
    switch (fn) {
#define X(name) case BinaryFn::name: return binaryKernel<T, BinaryFn::name>;
      DS_BINARY_INT_CASES(X)
#undef X
    default: return nullptr;
    }
  }
}

template <class TA> KernelFn pickPow(Cls exponent) {
  switch (exponent) {
  case Cls::F32: return powKernel<TA, float>;
  case Cls::F64: return powKernel<TA, double>;
  case Cls::I64: return powKernel<TA, int64_t>;
  case Cls::U64: return powKernel<TA, uint64_t>;
  default: return nullptr;
  }
}

template <class T> KernelFn pickCompare(CompareFn fn) {
  switch (fn) {
  case CompareFn::Eq: return compareKernel<T, CompareFn::Eq>;
  case CompareFn::Ne: return compareKernel<T, CompareFn::Ne>;
  case CompareFn::Lt: return compareKernel<T, CompareFn::Lt>;
  case CompareFn::Le: return compareKernel<T, CompareFn::Le>;
  case CompareFn::Gt: return compareKernel<T, CompareFn::Gt>;
  case CompareFn::Ge: return compareKernel<T, CompareFn::Ge>;
  }
  return nullptr;
}

// Calls f(T{}) with the C++ type of a compute class.
template <class F> auto withClass(Cls c, F f) {
  switch (c) {
  case Cls::F32: return f(float{});
  case Cls::F64: return f(double{});
  case Cls::I64: return f(int64_t{});
  case Cls::U64: return f(uint64_t{});
  case Cls::Bool: break;
  }
  return f(uint8_t{});
}

int narrowMode(DType target, bool saturate) {
  switch (target) {
  case DType::F16: return 1;
  case DType::BF16: return 2;
  case DType::F8E4M3FN: return saturate ? 3 : 4;
  case DType::F8E5M2: return saturate ? 5 : 6;
  default: return 0;
  }
}

template <class TI, class TO> KernelFn pickCastMode(int mode) {
  if constexpr (std::is_same_v<TO, float>) {
    switch (mode) {
    case 1: return castKernel<TI, TO, 1>;
    case 2: return castKernel<TI, TO, 2>;
    case 3: return castKernel<TI, TO, 3>;
    case 4: return castKernel<TI, TO, 4>;
    case 5: return castKernel<TI, TO, 5>;
    case 6: return castKernel<TI, TO, 6>;
    default: break;
    }
  }
  if constexpr (std::is_same_v<TI, TO>) return copyKernel<TI>;
  else return castKernel<TI, TO, 0>;
}

KernelFn pickCast(Cls from, Cls to, int mode) {
  return withClass(from, [&](auto in) {
    using TI = decltype(in);
    return withClass(to, [&](auto out) {
      using TO = decltype(out);
      return pickCastMode<TI, TO>(mode);
    });
  });
}

KernelFn pickWrap(DType t) {
  switch (t) {
  case DType::I8: return wrapKernel<int8_t, int64_t>;
  case DType::I16: return wrapKernel<int16_t, int64_t>;
  case DType::I32: return wrapKernel<int32_t, int64_t>;
  case DType::U8: return wrapKernel<uint8_t, uint64_t>;
  case DType::U16: return wrapKernel<uint16_t, uint64_t>;
  case DType::U32: return wrapKernel<uint32_t, uint64_t>;
  default: return nullptr;
  }
}

// The value of a constant instruction in its compute class, rounded / wrapped to its dtype.
void setConstant(CInstr &ci, const Instruction &ins) {
  switch (classOf(ins.dtype)) {
  case Cls::F32: {
    float v = f64ToF32RoundOdd(ins.floatValue);
    switch (ins.dtype) {
    case DType::F32: v = static_cast<float>(ins.floatValue); break;
    case DType::F16: v = roundNarrow<1>(v); break;
    case DType::BF16: v = roundNarrow<2>(v); break;
    case DType::F8E4M3FN: v = roundNarrow<3>(v); break;
    default: v = roundNarrow<5>(v); break;
    }
    ci.constant.f32 = v;
    break;
  }
  case Cls::F64: ci.constant.f64 = ins.floatValue; break;
  case Cls::I64: ci.constant.i64 = ins.intValue; break;
  case Cls::U64: ci.constant.u64 = ins.uintValue; break;
  case Cls::Bool: ci.constant.b = ins.floatValue != 0; break;
  }
}

KernelFn pickKernel(const Instruction &ins, const std::vector<DType> &regTypes) {
  Cls out = classOf(ins.dtype);
  switch (ins.op) {
  case OpKind::Constant:
    return withClass(out, [](auto t) -> KernelFn { return constantKernel<decltype(t)>; });
  case OpKind::Unary: {
    auto fn = static_cast<UnaryFn>(ins.fn);
    Cls in = classOf(regTypes[ins.args[0]]);
    if (in == Cls::F32) return pickUnaryFloat<float>(fn);
    if (in == Cls::F64) return pickUnaryFloat<double>(fn);
    if (in == Cls::I64) return pickUnaryInt<int64_t>(fn);
    if (in == Cls::U64) return pickUnaryInt<uint64_t>(fn);
    return fn == UnaryFn::Not ? notKernel : copyKernel<uint8_t>;  // other fns: identity on i1
  }
  case OpKind::Binary: {
    auto fn = static_cast<BinaryFn>(ins.fn);
    if (fn == BinaryFn::Pow) {
      Cls exponent = classOf(regTypes[ins.args[1]]);
      switch (out) {
      case Cls::F32: return pickPow<float>(exponent);
      case Cls::F64: return pickPow<double>(exponent);
      case Cls::I64: return pickPow<int64_t>(exponent);
      case Cls::U64: return pickPow<uint64_t>(exponent);
      default: return nullptr;
      }
    }
    return withClass(out, [&](auto t) { return pickBinary<decltype(t)>(fn); });
  }
  case OpKind::Compare: {
    auto fn = static_cast<CompareFn>(ins.fn);
    return withClass(classOf(regTypes[ins.args[0]]),
                     [&](auto t) { return pickCompare<decltype(t)>(fn); });
  }
  case OpKind::Select:
    return withClass(out, [](auto t) -> KernelFn { return selectKernel<decltype(t)>; });
  case OpKind::Cast:
    return pickCast(classOf(regTypes[ins.args[0]]), out, narrowMode(ins.dtype, ins.saturate));
  }
  return nullptr;
}

// ---- executor ---------------------------------------------------------------------------

constexpr int64_t kChunk = 1024;

size_t classSize(Cls c) {
  switch (c) {
  case Cls::F32: return 4;
  case Cls::Bool: return 1;
  default: return 8;
  }
}

enum class InputMode : uint8_t { Direct, Invariant, Gather };

struct InputPlan {
  InputMode mode = InputMode::Gather;
  DType dtype = DType::F32;
  const void *data = nullptr;
  bool full = false;             // index map is the identity
  bool windowed = false;         // data supplied per range (RangeRunner::run)
  std::vector<int64_t> strides;  // per collapsed output dim, 0 where broadcast
};

}  // namespace

struct ExecPlan {
  Shape dims;  // collapsed output shape (rank >= 1)
  int64_t total = 0;
  int numRegs = 0;
  int numSlots = 0;
  std::vector<int> slotOf;          // register -> scratch slot, -1 for direct inputs
  std::vector<std::pair<int, int>> directResults;  // (register, output) computed in place
  std::vector<InputPlan> inputs;
  std::vector<CInstr> invariantCode, chunkCode;
  std::vector<int> results;
  std::vector<DType> outputTypes;
  std::vector<void *> outputData;
  std::vector<std::unique_ptr<uint64_t[]>> copies;  // inputs copied away from outputs
};

namespace {

// Gathers elements [pos, pos+n) of the broadcast view of `in` into dst.
void gather(const ExecPlan &plan, const InputPlan &in, int64_t pos, int64_t n, void *dst) {
  size_t csize = classSize(classOf(in.dtype));
  char *out = static_cast<char *>(dst);
  if (in.full) {
    loadRun(in.dtype, in.data, pos, 1, out, n);
    return;
  }
  const Shape &dims = plan.dims;
  int rank = static_cast<int>(dims.size());
  int64_t coords[16];
  int64_t rest = pos, index = 0;
  for (int d = rank - 1; d >= 0; --d) {
    coords[d] = rest % dims[d];
    rest /= dims[d];
    index += coords[d] * in.strides[d];
  }
  const int64_t inner = dims[rank - 1], innerStride = in.strides[rank - 1];
  int64_t done = 0;
  while (done < n) {
    int64_t run = std::min(inner - coords[rank - 1], n - done);
    loadRun(in.dtype, in.data, index, innerStride, out + done * csize, run);
    done += run;
    coords[rank - 1] += run;
    index += run * innerStride;
    for (int d = rank - 1; d > 0 && coords[d] == dims[d]; --d) {
      coords[d] = 0;
      index -= dims[d] * in.strides[d];
      ++coords[d - 1];
      index += in.strides[d - 1];
    }
  }
}

// Computes output elements [begin, end). A windowed input i reads windows[i], which
// holds elements [windowOrigin, ...) of the input.
void runTask(const ExecPlan &plan, int64_t begin, int64_t end, int64_t windowOrigin,
             const void *const *windows) {
  // Slots hold one chunk of 8-byte values (fewer for small problems), 64-byte aligned;
  // left uninitialized: every slot is written before it is read.
  size_t slotWords = static_cast<size_t>((std::min(plan.total, kChunk) + 7) / 8 * 8);
  std::unique_ptr<uint64_t[]> scratch(new uint64_t[static_cast<size_t>(plan.numSlots) * slotWords + 8]);
  char *base = reinterpret_cast<char *>(scratch.get());
  base += (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;
  std::vector<void *> regs(plan.numRegs, nullptr);
  for (int r = 0; r < plan.numRegs; ++r)
    if (plan.slotOf[r] >= 0) regs[r] = base + static_cast<size_t>(plan.slotOf[r]) * slotWords * 8;

  int64_t invariantCount = std::min(plan.total, kChunk);
  for (size_t i = 0; i < plan.inputs.size(); ++i)
    if (plan.inputs[i].mode == InputMode::Invariant)
      loadRun(plan.inputs[i].dtype, plan.inputs[i].data, 0, 0, regs[i], invariantCount);
  for (const CInstr &ci : plan.invariantCode) {
    ci.run(ci, regs.data(), invariantCount);
    if (ci.wrap) ci.wrap(ci, regs.data(), invariantCount);
  }

  for (int64_t pos = begin; pos < end; pos += kChunk) {
    int64_t n = std::min(kChunk, end - pos);
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      const InputPlan &in = plan.inputs[i];
      if (in.windowed) {
        const char *window = static_cast<const char *>(windows[i]);
        if (in.mode == InputMode::Direct)
          regs[i] = const_cast<char *>(window) + (pos - windowOrigin) * dtypeSize(in.dtype);
        else
          loadRun(in.dtype, window, pos - windowOrigin, 1, regs[i], n);
      } else if (in.mode == InputMode::Direct) {
        regs[i] = const_cast<char *>(static_cast<const char *>(in.data)) + pos * dtypeSize(in.dtype);
      } else if (in.mode == InputMode::Gather) {
        gather(plan, in, pos, n, regs[i]);
      }
    }
    for (const auto &[reg, k] : plan.directResults)
      regs[reg] = static_cast<char *>(plan.outputData[k]) + pos * dtypeSize(plan.outputTypes[k]);
    for (const CInstr &ci : plan.chunkCode) {
      ci.run(ci, regs.data(), n);
      if (ci.wrap) ci.wrap(ci, regs.data(), n);
    }
    for (size_t k = 0; k < plan.results.size(); ++k)
      storeRun(plan.outputTypes[k], plan.outputData[k], pos, regs[plan.results[k]], n);
  }
}

bool overlaps(const TensorView &a, const TensorView &b) {
  if (!a.data || !b.data || a.bytes() == 0 || b.bytes() == 0) return false;
  auto a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  return a0 < b0 + b.bytes() && b0 < a0 + a.bytes();
}


std::unique_ptr<ExecPlan> planProgram(const Program &program, const std::vector<TensorView> &inputs,
                                      const std::vector<TensorView> &outputs,
                                      const std::vector<bool> &windowed,
                                      const std::function<void(const std::string &)> &fail) {
  struct {
    const std::vector<TensorView> &inputs, &outputs;
    const std::function<void(const std::string &)> &fail;
  } ctx{inputs, outputs, fail};
  auto isWindowed = [&](size_t i) { return i < windowed.size() && windowed[i]; };
  auto owned = std::make_unique<ExecPlan>();
  ExecPlan &plan = *owned;
  if (ctx.inputs.size() != static_cast<size_t>(program.numInputs))
    ctx.fail("expects " + std::to_string(program.numInputs) + " inputs, got " +
             std::to_string(ctx.inputs.size()));
  if (ctx.outputs.size() != program.results.size())
    ctx.fail("expects " + std::to_string(program.results.size()) + " outputs, got " +
             std::to_string(ctx.outputs.size()));
  if (ctx.outputs.empty()) return nullptr;
  const Shape &outShape = ctx.outputs[0].shape;
  for (size_t k = 0; k < ctx.outputs.size(); ++k) {
    if (ctx.outputs[k].shape != outShape)
      ctx.fail("outputs 0 and " + std::to_string(k) + " have different shapes " +
               shapeToString(outShape) + " and " + shapeToString(ctx.outputs[k].shape));
    if (ctx.outputs[k].dtype != program.registerTypes[program.results[k]])
      ctx.fail("output " + std::to_string(k) + " is " + dtypeName(ctx.outputs[k].dtype) +
               " but the program computes " +
               dtypeName(program.registerTypes[program.results[k]]));
  }
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const TensorView &in = ctx.inputs[i];
    if (!in.present) ctx.fail("input " + std::to_string(i) + " is absent");
    if (in.dtype != program.registerTypes[i])
      ctx.fail("input " + std::to_string(i) + " is " + dtypeName(in.dtype) +
               " but the program reads " + dtypeName(program.registerTypes[i]));
    if (isWindowed(i) && in.shape != outShape)
      ctx.fail("windowed input " + std::to_string(i) + " has shape " + shapeToString(in.shape) +
               ", not the output shape " + shapeToString(outShape));
    Shape b;
    if (!broadcastShapes(outShape, in.shape, b) || b != outShape)
      ctx.fail("input " + std::to_string(i) + " of shape " + shapeToString(in.shape) +
               " does not broadcast to the output shape " + shapeToString(outShape));
  }
  int64_t total = numElements(outShape);
  if (total == 0) return nullptr;
  if (outShape.size() > 16) ctx.fail("rank " + std::to_string(outShape.size()) + " exceeds 16");

  plan.total = total;

  // Per-input strides over the output dims; then size-1 dims are dropped and adjacent
  // dims merged where every input is contiguous across them.
  size_t rank = outShape.size();
  std::vector<std::vector<int64_t>> strides(ctx.inputs.size(), std::vector<int64_t>(rank, 0));
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const Shape &s = ctx.inputs[i].shape;
    int64_t stride = 1;
    for (size_t k = 0; k < s.size(); ++k) {
      size_t d = s.size() - 1 - k, od = rank - 1 - k;
      strides[i][od] = s[d] == 1 ? 0 : stride;
      stride *= s[d];
    }
  }
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> cstrides(ctx.inputs.size());
  for (size_t d = 0; d < rank; ++d) {
    if (outShape[d] == 1) continue;
    bool merge = !dims.empty();
    for (size_t i = 0; merge && i < ctx.inputs.size(); ++i)
      merge = cstrides[i].back() == strides[i][d] * outShape[d];
    if (merge) {
      dims.back() *= outShape[d];
      for (size_t i = 0; i < ctx.inputs.size(); ++i) cstrides[i].back() = strides[i][d];
    } else {
      dims.push_back(outShape[d]);
      for (size_t i = 0; i < ctx.inputs.size(); ++i) cstrides[i].push_back(strides[i][d]);
    }
  }
  if (dims.empty()) {
    dims.push_back(1);
    for (auto &s : cstrides) s.push_back(0);
  }
  plan.dims = dims;

  // Inputs whose bytes an output overwrites, other than the same elements in place, are
  // copied first (the planner may alias an output with a dead input).
  std::vector<std::unique_ptr<uint64_t[]>> &copies = plan.copies;
  plan.inputs.resize(ctx.inputs.size());
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const TensorView &in = ctx.inputs[i];
    InputPlan &ip = plan.inputs[i];
    ip.dtype = in.dtype;
    ip.data = in.data;
    ip.strides = cstrides[i];
    ip.windowed = isWindowed(i);
    ip.full = in.numel() == total;
    bool invariant = in.numel() == 1 && !ip.windowed;
    bool unsafe = false;
    for (const TensorView &out : ctx.outputs)
      if (overlaps(in, out) && !(ip.full && in.data == out.data && dtypeSize(in.dtype) == dtypeSize(out.dtype)))
        unsafe = true;
    if (unsafe) {
      copies.emplace_back(new uint64_t[(in.bytes() + 7) / 8]);
      std::memcpy(copies.back().get(), in.data, in.bytes());
      ip.data = copies.back().get();
    }
    bool sameRepr = in.dtype == DType::F32 || in.dtype == DType::F64 ||
                    in.dtype == DType::I64 || in.dtype == DType::U64 || in.dtype == DType::I1;
    ip.mode = invariant ? InputMode::Invariant
              : (ip.full && sameRepr) ? InputMode::Direct
                                      : InputMode::Gather;
  }

  // Registers: invariant ones (numel-1 inputs, instructions of invariant arguments)
  // computed once per task in their own slots; the others share slots by liveness.
  int numInputs = program.numInputs;
  int numRegs = numInputs + static_cast<int>(program.instructions.size());
  plan.numRegs = numRegs;
  std::vector<bool> invariant(numRegs, false);
  for (int i = 0; i < numInputs; ++i) invariant[i] = plan.inputs[i].mode == InputMode::Invariant;
  std::vector<int> lastUse(numRegs, -1);
  const int kForever = 1 << 30;
  for (size_t k = 0; k < program.instructions.size(); ++k)
    for (int a : program.instructions[k].args) lastUse[a] = static_cast<int>(k);
  for (int r : program.results) lastUse[r] = kForever;

  plan.slotOf.assign(numRegs, -1);
  std::vector<int> freeSlots;
  int slots = 0;
  // Invariant registers keep their slot for the whole task: never a recycled one.
  auto takeSlot = [&](bool persistent) {
    if (!persistent && !freeSlots.empty()) {
      int s = freeSlots.back();
      freeSlots.pop_back();
      return s;
    }
    return slots++;
  };
  for (int i = 0; i < numInputs; ++i)
    if (plan.inputs[i].mode != InputMode::Direct) plan.slotOf[i] = takeSlot(invariant[i]);

  // A result whose output stores exactly the compute type is computed straight into the
  // output (no scratch slot, no copy), unless that output overlaps an input: a later
  // instruction could still read the input's bytes of the chunk.
  std::vector<int> directOutput(numRegs, -1);
  for (size_t k = 0; k < program.results.size(); ++k) {
    int reg = program.results[k];
    DType t = ctx.outputs[k].dtype;
    bool sameRepr = t == DType::F32 || t == DType::F64 || t == DType::I64 || t == DType::U64 ||
                    t == DType::I1;
    bool aliased = false;
    for (const TensorView &in : ctx.inputs) aliased = aliased || overlaps(in, ctx.outputs[k]);
    if (reg >= numInputs && sameRepr && !aliased && directOutput[reg] < 0)
      directOutput[reg] = static_cast<int>(k);
  }
  for (size_t k = 0; k < program.instructions.size(); ++k) {
    const Instruction &ins = program.instructions[k];
    int reg = numInputs + static_cast<int>(k);
    bool inv = true;
    for (int a : ins.args) inv = inv && invariant[a];
    invariant[reg] = inv;
    if (!inv && directOutput[reg] >= 0) plan.directResults.push_back({reg, directOutput[reg]});
    else plan.slotOf[reg] = takeSlot(inv);
    // Arguments whose last use is this instruction free their slot (after the result
    // took one, so a kernel never writes over its own operand).
    std::vector<int> released;
    for (int a : ins.args)
      if (!invariant[a] && lastUse[a] == static_cast<int>(k) && plan.slotOf[a] >= 0 &&
          std::find(released.begin(), released.end(), a) == released.end()) {
        released.push_back(a);
        freeSlots.push_back(plan.slotOf[a]);
      }
    if (!inv && lastUse[reg] < 0 && plan.slotOf[reg] >= 0) freeSlots.push_back(plan.slotOf[reg]);

    CInstr ci;
    ci.run = pickKernel(ins, program.registerTypes);
    if (!ci.run)
      ctx.fail("instruction " + std::to_string(k) + " has no cpu kernel for its types");
    ci.wrap = ins.op == OpKind::Compare ? nullptr : pickWrap(ins.dtype);
    ci.out = reg;
    for (size_t a = 0; a < ins.args.size() && a < 3; ++a) {
      ci.arg[a] = ins.args[a];
      ci.invariant[a] = invariant[ins.args[a]];
    }
    ci.alpha = ins.alpha;
    ci.beta = ins.beta;
    if (ins.op == OpKind::Constant) setConstant(ci, ins);
    (inv ? plan.invariantCode : plan.chunkCode).push_back(ci);
  }
  plan.numSlots = slots;
  plan.results = program.results;
  for (const TensorView &out : ctx.outputs) {
    plan.outputTypes.push_back(out.dtype);
    plan.outputData.push_back(out.data);
  }

  return owned;
}

}  // namespace

void runProgram(KernelContext &ctx, const Program &program) {
  std::unique_ptr<ExecPlan> plan =
      planProgram(program, ctx.inputs, ctx.outputs, {}, [&](const std::string &m) { ctx.fail(m); });
  if (!plan) return;
  int64_t total = plan->total;
  int64_t chunks = (total + kChunk - 1) / kChunk;
  // Small problems run on the calling thread; big ones in tasks of >= 32K elements.
  int64_t grain = std::max<int64_t>(1, 32768 / kChunk);
  ctx.pool.parallelFor(chunks, grain, [&](int64_t begin, int64_t end) {
    runTask(*plan, begin * kChunk, std::min(total, end * kChunk), 0, nullptr);
  });
}

RangeRunner::RangeRunner(const Program &program, const std::vector<TensorView> &inputs,
                         const std::vector<TensorView> &outputs, const std::vector<bool> &windowed,
                         const std::function<void(const std::string &)> &fail)
    : plan_(planProgram(program, inputs, outputs, windowed, fail)) {}

RangeRunner::~RangeRunner() = default;

int64_t RangeRunner::size() const { return plan_ ? plan_->total : 0; }

void RangeRunner::run(int64_t begin, int64_t end, const void *const *windows) const {
  if (!plan_ || begin >= end) return;
  runTask(*plan_, begin, std::min(end, plan_->total), begin, windows);
}

}  // namespace ds::rt::ew
