//===- ElementwiseCodegen.cpp - CUDA kernels of elementwise steps ---------===//
//
// An `elementwise` step (a fused ds.kernel, docs/bundle.md "Fused elementwise program")
// becomes one kernel:
//
//   K_program(r0, r1, ..., res0, ...)   the program as straight-line code over registers
//                                       in the compute classes of runtime/kernels/
//                                       elementwise.cuh (f32, f64, int64, uint64, bool)
//   DS_KERNEL(K)                        a grid-stride loop: load each input element
//                                       (broadcast index where the input broadcasts),
//                                       run K_program, store the results
//
// Static shapes are baked in (dims collapsed as the cpu executor does, divisions by
// constants); dynamic dims come from params.dims and the broadcast strides are computed
// in the kernel. Inputs of one element are hoisted out of the loop. A vector path
// handles V elements per thread (16-byte accesses for the narrowest packed operand: 4
// for f32, 8 for f16/bf16, 2 for f64) with one aligned access per full operand; it is
// generated when the element count can reach a block's worth (statically known, or
// dynamic) and taken when every full operand is aligned at run time, the remainder and
// unaligned operands going through the scalar loop.
//
//===----------------------------------------------------------------------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::SmallVector;
using llvm::StringRef;

namespace {

/// Bytes the vector path moves per access of its narrowest operand (the widest global
/// load), and the most elements per thread (bounds the unrolled program copies).
constexpr int kVectorBytes = 16;
constexpr int kMaxVector = 8;
/// Threads per block.
constexpr int kBlock = 256;

// ---- literals -------------------------------------------------------------------------------

/// `v` rounded to the f32-class dtype `dtype`, as the cpu executor rounds constants
/// (correct rounding from f64; f8 constants saturate).
double roundToDType(double v, StringRef dtype) {
  const llvm::fltSemantics *sem = llvm::StringSwitch<const llvm::fltSemantics *>(dtype)
                                      .Case("f16", &llvm::APFloat::IEEEhalf())
                                      .Case("bf16", &llvm::APFloat::BFloat())
                                      .Case("f8E4M3FN", &llvm::APFloat::Float8E4M3FN())
                                      .Case("f8E5M2", &llvm::APFloat::Float8E5M2())
                                      .Default(nullptr);
  if (!sem)
    return static_cast<float>(v);
  llvm::APFloat f(v);
  bool lost = false;
  f.convert(*sem, llvm::APFloat::rmNearestTiesToEven, &lost);
  bool f8 = dtype.starts_with("f8");
  if (f8 && std::isfinite(v) && !f.isFinite())
    f = llvm::APFloat::getLargest(*sem, v < 0);
  f.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven, &lost);
  return f.convertToDouble();
}

int64_t wrapSigned(int64_t v, StringRef dtype) {
  if (dtype == "i8")
    return static_cast<int8_t>(v);
  if (dtype == "i16")
    return static_cast<int16_t>(v);
  if (dtype == "i32")
    return static_cast<int32_t>(v);
  return v;
}
uint64_t wrapUnsigned(uint64_t v, StringRef dtype) {
  if (dtype == "ui8")
    return static_cast<uint8_t>(v);
  if (dtype == "ui16")
    return static_cast<uint16_t>(v);
  if (dtype == "ui32")
    return static_cast<uint32_t>(v);
  return v;
}

// ---- functions ------------------------------------------------------------------------------

/// Unary functions defined on every numeric class; the others need floats (except
/// not / bitwise_not).
bool isNumericUnary(StringRef fn) {
  return llvm::is_contained({"neg", "abs", "sign", "relu", "square", "identity"}, fn);
}
bool isKnownUnary(StringRef fn) {
  static const char *const names[] = {
      "neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "reciprocal", "floor", "ceil",
      "round", "tanh", "erf", "sigmoid", "relu", "leaky_relu", "gelu", "gelu_tanh", "elu",
      "selu", "celu", "softplus", "softsign", "mish", "hard_sigmoid", "hard_swish",
      "thresholded_relu", "shrink", "silu", "cos", "sin", "tan", "asin", "acos", "atan",
      "sinh", "cosh", "asinh", "acosh", "atanh", "is_inf", "is_nan", "not", "bitwise_not",
      "identity", "square"};
  return llvm::is_contained(names, fn);
}
/// How many of alpha, beta a unary function takes.
int unaryParams(StringRef fn) {
  return llvm::StringSwitch<int>(fn)
      .Cases({"leaky_relu", "elu", "celu", "thresholded_relu"}, 1)
      .Cases({"selu", "hard_sigmoid", "shrink"}, 2)
      .Default(0);
}
double defaultAlpha(StringRef fn) {
  return llvm::StringSwitch<double>(fn)
      .Case("leaky_relu", 0.01f)
      .Case("selu", 1.67326319217681884765625)
      .Case("hard_sigmoid", 0.2f)
      .Case("shrink", 0.5)
      .Cases({"elu", "celu", "thresholded_relu"}, 1.0)
      .Default(0.0);
}
double defaultBeta(StringRef fn) {
  return llvm::StringSwitch<double>(fn)
      .Case("selu", 1.05070102214813232421875)
      .Case("hard_sigmoid", 0.5)
      .Default(0.0);
}

bool isKnownBinary(StringRef fn) {
  static const char *const names[] = {
      "add", "sub", "mul", "div", "pow", "mod", "fmod", "max", "min", "and", "or", "xor",
      "shift_left", "shift_right", "bitwise_and", "bitwise_or", "bitwise_xor", "prelu"};
  return llvm::is_contained(names, fn);
}

StringRef compareOperator(StringRef fn) {
  return llvm::StringSwitch<StringRef>(fn)
      .Case("eq", "==")
      .Case("ne", "!=")
      .Case("lt", "<")
      .Case("le", "<=")
      .Case("gt", ">")
      .Case("ge", ">=")
      .Default("");
}

// ---- the program ----------------------------------------------------------------------------

struct Program {
  std::vector<const DTypeInfo *> regTypes; // inputs, then one per instruction
  std::vector<std::string> lines;          // K_program's body
  std::vector<int64_t> results;
  int64_t numInputs = 0;
};

class ProgramEmitter {
public:
  ProgramEmitter(const StepInfo &step) : step(step) {}

  llvm::Expected<Program> emit();

private:
  std::string reg(int64_t r) const { return "r" + std::to_string(r); }
  llvm::Error instruction(size_t index, const json::Object &ins);

  const StepInfo &step;
  Program program;
};

llvm::Expected<Program> ProgramEmitter::emit() {
  program.numInputs = step.inputs.size();
  for (auto [i, in] : llvm::enumerate(step.inputs)) {
    const DTypeInfo *t = lookupDType(in.dtype);
    if (!in.present)
      return fail("input " + llvm::Twine(i) + " is absent");
    if (!t)
      return fail("input " + llvm::Twine(i) + " has the unknown dtype '" + in.dtype + "'");
    program.regTypes.push_back(t);
  }
  const json::Array *list = step.attrs.getArray("program");
  if (!list)
    return fail("attribute 'program' is missing or not a list");
  for (auto [i, v] : llvm::enumerate(*list)) {
    const json::Object *ins = v.getAsObject();
    if (!ins)
      return fail("instruction " + llvm::Twine(i) + " is not an object");
    if (llvm::Error e = instruction(i, *ins))
      return fail("instruction " + llvm::Twine(i) + ": " + llvm::toString(std::move(e)));
  }
  const json::Array *results = step.attrs.getArray("results");
  if (!results)
    return fail("attribute 'results' is missing or not a list");
  if (results->size() != step.outputs.size())
    return fail("the program has " + llvm::Twine(results->size()) +
                " results but the step has " + llvm::Twine(step.outputs.size()) +
                " outputs");
  for (auto [k, r] : llvm::enumerate(*results)) {
    std::optional<int64_t> index = r.getAsInteger();
    if (!index || *index < 0 || *index >= (int64_t)program.regTypes.size())
      return fail("result " + llvm::Twine(k) + " is not one of the " +
                  llvm::Twine(program.regTypes.size()) + " registers");
    if (program.regTypes[*index]->name != step.outputs[k].dtype)
      return fail("output " + llvm::Twine(k) + " is " + step.outputs[k].dtype +
                  " but its result register " + llvm::Twine(*index) + " is " +
                  program.regTypes[*index]->name);
    program.results.push_back(*index);
  }
  return std::move(program);
}

llvm::Error ProgramEmitter::instruction(size_t index, const json::Object &ins) {
  std::optional<StringRef> op = ins.getString("op");
  std::optional<StringRef> dtypeName = ins.getString("dtype");
  if (!op || !dtypeName)
    return fail("'op' or 'dtype' is missing");
  const DTypeInfo *out = lookupDType(*dtypeName);
  if (!out)
    return fail("unknown dtype '" + *dtypeName + "'");
  int64_t self = program.numInputs + index;
  SmallVector<int64_t, 3> args;
  if (const json::Array *a = ins.getArray("args")) {
    for (const json::Value &v : *a) {
      std::optional<int64_t> r = v.getAsInteger();
      if (!r || *r < 0 || *r >= self)
        return fail("argument register " + llvm::formatv("{0}", v) +
                    " is not defined before this instruction");
      args.push_back(*r);
    }
  }
  auto argCls = [&](size_t k) { return program.regTypes[args[k]]->cls; };
  auto expectArgs = [&](size_t n) -> llvm::Error {
    if (args.size() != n)
      return fail(*op + " takes " + llvm::Twine(n) + " arguments, got " +
                  llvm::Twine(args.size()));
    return llvm::Error::success();
  };
  Cls cls = out->cls;
  StringRef ctype = computeType(cls);
  std::string expr;
  bool wrap = false;
  StringRef fn = ins.getString("fn").value_or("");

  if (*op == "constant") {
    const json::Value *value = ins.get("value");
    if (!value)
      return fail("constant has no 'value'");
    const json::Value *v = value;
    if (auto *a = value->getAsArray(); a && a->size() == 1)
      v = &(*a)[0];
    std::optional<double> f = jsonFloat(*v);
    if (!f)
      return fail("constant value " + llvm::formatv("{0}", *value) + " is not a number");
    switch (cls) {
    case Cls::F32:
      expr = floatLiteral(roundToDType(*f, out->name), cls);
      break;
    case Cls::F64:
      expr = floatLiteral(*f, cls);
      break;
    case Cls::Bool:
      expr = *f != 0 ? "true" : "false";
      break;
    case Cls::I64:
    case Cls::U64: {
      // Integers exactly as given; a float value truncates like a cast.
      int64_t i;
      uint64_t u;
      if (std::optional<uint64_t> big = v->getAsUINT64(); big && !v->getAsInteger()) {
        u = *big;
        i = static_cast<int64_t>(u);
      } else if (std::optional<int64_t> small = v->getAsInteger()) {
        i = *small;
        u = static_cast<uint64_t>(i);
      } else if (auto b = v->getAsBoolean()) {
        i = *b;
        u = *b;
      } else {
        double d = *f;
        i = std::isnan(d) ? 0
            : d >= 9223372036854775808.0 ? std::numeric_limits<int64_t>::max()
            : d < -9223372036854775808.0 ? std::numeric_limits<int64_t>::min()
                                          : static_cast<int64_t>(d);
        u = std::isnan(d) ? 0
            : d >= 18446744073709551616.0 ? std::numeric_limits<uint64_t>::max()
            : d >= 9223372036854775808.0 ? static_cast<uint64_t>(d)
                                          : static_cast<uint64_t>(i);
      }
      expr = cls == Cls::I64 ? intLiteral(wrapSigned(i, out->name))
                             : uintLiteral(wrapUnsigned(u, out->name));
      break;
    }
    }
  } else if (*op == "unary") {
    if (llvm::Error e = expectArgs(1))
      return e;
    if (!isKnownUnary(fn))
      return fail("unknown unary function '" + fn + "'");
    Cls in = argCls(0);
    bool predicate = fn == "is_inf" || fn == "is_nan";
    if ((predicate && out->name != "i1") ||
        (!predicate && out != program.regTypes[args[0]]))
      return fail("unary " + fn + " of " + program.regTypes[args[0]]->name +
                  " cannot give " + out->name);
    std::string x = reg(args[0]);
    if (in == Cls::Bool) {
      // i1: 'not'; the numeric functions are the identity on {0, 1} (as on cpu).
      if (fn == "not")
        expr = "ds::ew::u_not(" + x + ")";
      else if (isNumericUnary(fn))
        expr = x;
      else
        return fail("'" + fn + "' is not defined on i1 elements");
    } else if (fn == "not") {
      return fail("'not' needs i1 elements, got " + program.regTypes[args[0]]->name);
    } else if (fn == "bitwise_not") {
      if (!isInt(in))
        return fail("'bitwise_not' needs integer elements, got " +
                    program.regTypes[args[0]]->name);
      expr = "ds::ew::u_bitwise_not(" + x + ")";
    } else if (fn == "identity") {
      expr = x;
    } else if (!isNumericUnary(fn) && !isFloat(in)) {
      return fail("'" + fn + "' needs floating-point elements, got " +
                  program.regTypes[args[0]]->name);
    } else {
      expr = ("ds::ew::u_" + fn + "(" + x).str();
      int params = unaryParams(fn);
      double alpha = defaultAlpha(fn), beta = defaultBeta(fn);
      for (StringRef name : {"alpha", "beta"}) {
        const json::Value *v = ins.get(name);
        if (!v || v->kind() == json::Value::Null)
          continue;
        std::optional<double> d = jsonFloat(*v);
        if (!d)
          return fail("attribute '" + name + "' is not a number");
        (name == "alpha" ? alpha : beta) = *d;
      }
      if (params >= 1)
        expr += ", " + floatLiteral(alpha, in);
      if (params >= 2)
        expr += ", " + floatLiteral(beta, in);
      expr += ")";
    }
    wrap = !predicate;
  } else if (*op == "binary") {
    if (llvm::Error e = expectArgs(2))
      return e;
    if (!isKnownBinary(fn))
      return fail("unknown binary function '" + fn + "'");
    Cls a = argCls(0), b = argCls(1);
    if (fn != "pow" && program.regTypes[args[0]] != program.regTypes[args[1]])
      return fail("binary " + fn + " operands have different element types: " +
                  program.regTypes[args[0]]->name + " and " +
                  program.regTypes[args[1]]->name);
    if (out != program.regTypes[args[0]])
      return fail("binary " + fn + " of " + program.regTypes[args[0]]->name +
                  " cannot give " + out->name);
    bool logical = fn == "and" || fn == "or" || fn == "xor";
    bool bitwise = fn.starts_with("shift_") || fn.starts_with("bitwise_");
    if (logical && a != Cls::Bool)
      return fail("'" + fn + "' needs i1 elements, got " + program.regTypes[args[0]]->name);
    if (bitwise && !isInt(a))
      return fail("'" + fn + "' needs integer elements, got " +
                  program.regTypes[args[0]]->name);
    if (!logical && (a == Cls::Bool || b == Cls::Bool))
      return fail("'" + fn + "' is not defined on i1 elements");
    expr = ("ds::ew::b_" + fn + "(" + reg(args[0]) + ", " + reg(args[1]) + ")").str();
    wrap = true;
  } else if (*op == "compare") {
    if (llvm::Error e = expectArgs(2))
      return e;
    StringRef symbol = compareOperator(fn);
    if (symbol.empty())
      return fail("unknown compare function '" + fn + "'");
    if (program.regTypes[args[0]] != program.regTypes[args[1]])
      return fail("compare operands have different element types: " +
                  program.regTypes[args[0]]->name + " and " +
                  program.regTypes[args[1]]->name);
    if (cls != Cls::Bool)
      return fail("compare gives i1, but the result type is " + out->name);
    expr = ("(" + reg(args[0]) + " " + symbol + " " + reg(args[1]) + ")").str();
  } else if (*op == "select") {
    if (llvm::Error e = expectArgs(3))
      return e;
    if (argCls(0) != Cls::Bool)
      return fail("select condition must be i1, got " + program.regTypes[args[0]]->name);
    if (program.regTypes[args[1]] != out || program.regTypes[args[2]] != out)
      return fail("select branches must both be " + out->name);
    expr = "(" + reg(args[0]) + " ? " + reg(args[1]) + " : " + reg(args[2]) + ")";
  } else if (*op == "cast") {
    if (llvm::Error e = expectArgs(1))
      return e;
    Cls in = argCls(0);
    std::string x = reg(args[0]);
    const json::Value *sat = ins.get("saturate");
    bool saturate = true;
    if (sat && sat->kind() != json::Value::Null) {
      if (auto b = sat->getAsBoolean())
        saturate = *b;
      else if (auto i = sat->getAsInteger())
        saturate = *i != 0;
      else
        return fail("'saturate' is not a boolean");
    }
    switch (cls) {
    case Cls::Bool:
      expr = in == Cls::Bool ? x : "(" + x + " != 0)";
      break;
    case Cls::F64:
      expr = "double(" + x + ")";
      break;
    case Cls::I64:
      expr = isFloat(in) ? "ds::ew::trunc_i64(" + x + ")" : "int64_t(" + x + ")";
      wrap = true;
      break;
    case Cls::U64:
      expr = isFloat(in) ? "ds::ew::trunc_u64(" + x + ")" : "uint64_t(" + x + ")";
      wrap = true;
      break;
    case Cls::F32: {
      StringRef target = out->name;
      if (target == "f32") {
        expr = "float(" + x + ")";
        break;
      }
      // Narrow targets round once: f64 and 64-bit integers through round-to-odd f32.
      std::string f = in == Cls::F32 ? x
                      : in == Cls::Bool
                          ? "float(" + x + ")"
                          : "ds::ew::f64_to_f32_round_odd(double(" + x + "))";
      std::string s = saturate ? "true" : "false";
      if (target == "f16")
        expr = "ds::ew::round_f16(" + f + ")";
      else if (target == "bf16")
        expr = "ds::ew::round_bf16(" + f + ")";
      else if (target == "f8E4M3FN")
        expr = "ds::ew::round_f8e4m3fn(" + f + ", " + s + ")";
      else
        expr = "ds::ew::round_f8e5m2(" + f + ", " + s + ")";
      break;
    }
    }
  } else {
    return fail("'op' must be one of unary, binary, compare, select, cast, constant; got '" +
                *op + "'");
  }
  if (wrap && !out->wrap.empty())
    expr = ("ds::ew::" + out->wrap + "(" + expr + ")").str();
  std::string line = llvm::formatv("  const {0} {1} = {2};", ctype, reg(self), expr);
  if (!fn.empty())
    line += "  // " + op->str() + " " + fn.str();
  else if (*op != "constant")
    line += "  // " + op->str();
  program.lines.push_back(std::move(line));
  program.regTypes.push_back(out);
  return llvm::Error::success();
}

// ---- shapes ---------------------------------------------------------------------------------

/// How the kernel reads an input.
enum class Access {
  Invariant, // one element (statically): loaded once
  Full,      // statically the output's shape: element i
  Broadcast, // statically broadcast: element broadcast_index(i)
  Dynamic,   // decided at run time: full ? i : broadcast_index(i)
};

struct InputPlan {
  Access access;
  SmallVector<int64_t> strides; // Broadcast: over the collapsed static dims
};

/// The program as `DS_DEVICE void NAME(T r0, ..., T &res0, ...) { ... }`.
std::string programFunction(const Program &program, StringRef name) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "DS_DEVICE void " << name << "(";
  for (int64_t i = 0; i < program.numInputs; ++i)
    os << (i ? ", " : "") << computeType(program.regTypes[i]->cls) << " r" << i;
  for (auto [k, r] : llvm::enumerate(program.results))
    os << (program.numInputs || k ? ", " : "") << computeType(program.regTypes[r]->cls)
       << " &res" << k;
  os << ") {\n";
  for (const std::string &line : program.lines)
    os << line << "\n";
  for (auto [k, r] : llvm::enumerate(program.results))
    os << "  res" << k << " = r" << r << ";\n";
  os << "}\n";
  return text;
}

} // namespace

llvm::Expected<std::string> mlir::ds::cuda::emitProgramFunction(const StepInfo &programStep,
                                                                llvm::StringRef name) {
  auto program = ProgramEmitter(programStep).emit();
  if (!program)
    return program.takeError();
  return programFunction(*program, name);
}

// ---- the kernel -----------------------------------------------------------------------------

llvm::Expected<GeneratedKernel> mlir::ds::cuda::generateElementwiseKernel(const StepInfo &step) {
  if (step.outputs.empty())
    return fail("an elementwise step needs at least one output");
  int64_t numOperands = step.inputs.size() + step.outputs.size();
  if (numOperands > kMaxOperands)
    return beyondLimits("the step has " + llvm::Twine(numOperands) +
                " operands; a kernel takes at most " + llvm::Twine(kMaxOperands) +
                " (DS_MAX_OPERANDS)");
  auto program = ProgramEmitter(step).emit();
  if (!program)
    return program.takeError();

  llvm::ArrayRef<int64_t> outShape = step.outputs[0].shape;
  int64_t rank = outShape.size();
  for (auto [k, out] : llvm::enumerate(step.outputs))
    if (out.shape.size() != outShape.size())
      return fail("outputs 0 and " + llvm::Twine(k) + " have different ranks");
  for (auto [i, in] : llvm::enumerate(step.inputs))
    if ((int64_t)in.shape.size() > rank)
      return fail("input " + llvm::Twine(i) + " " + shapeText(in.shape) +
                  " has a higher rank than the output " + shapeText(outShape));

  bool staticShapes = isStatic(outShape);
  for (const OperandInfo &in : step.inputs)
    staticShapes = staticShapes && isStatic(in.shape);
  int64_t dimsUsed = 0;
  SmallVector<int64_t> dimOffset; // operand -> its first entry in params.dims
  for (const OperandInfo &in : step.inputs) {
    dimOffset.push_back(dimsUsed);
    dimsUsed += in.shape.size();
  }
  int64_t outDimOffset = dimsUsed;
  for (const OperandInfo &out : step.outputs)
    dimsUsed += out.shape.size();
  if (!staticShapes && dimsUsed > kMaxDims)
    return beyondLimits("the operands have " + llvm::Twine(dimsUsed) +
                " dims in all; a kernel with dynamic dims reads at most " +
                llvm::Twine(kMaxDims) + " (DS_MAX_DIMS)");

  // Input access and, for static shapes, the dims collapsed as the cpu executor does:
  // size-1 dims dropped, adjacent dims merged where every broadcast input is contiguous
  // across them.
  int64_t total = staticShapes ? numel(outShape) : -1;
  SmallVector<InputPlan> inputs;
  SmallVector<int64_t> dims;
  for (const OperandInfo &in : step.inputs) {
    InputPlan plan;
    if (isStatic(in.shape) && numel(in.shape) == 1)
      plan.access = Access::Invariant;
    else if (staticShapes && total == 0)
      plan.access = Access::Full; // no element is ever read
    else if (!staticShapes)
      plan.access = Access::Dynamic;
    else if (numel(in.shape) == total)
      plan.access = Access::Full;
    else
      plan.access = Access::Broadcast;
    inputs.push_back(plan);
  }
  if (staticShapes && total > 0) {
    SmallVector<SmallVector<int64_t>> strides(inputs.size());
    for (auto [i, in] : llvm::enumerate(step.inputs)) {
      if (inputs[i].access != Access::Broadcast)
        continue;
      strides[i].assign(rank, 0);
      int64_t stride = 1;
      for (size_t k = 0; k < in.shape.size(); ++k) {
        size_t d = in.shape.size() - 1 - k, od = rank - 1 - k;
        strides[i][od] = in.shape[d] == 1 ? 0 : stride;
        stride *= in.shape[d];
      }
    }
    for (int64_t d = 0; d < rank; ++d) {
      if (outShape[d] == 1)
        continue;
      bool merge = !dims.empty();
      for (size_t i = 0; merge && i < inputs.size(); ++i)
        if (inputs[i].access == Access::Broadcast)
          merge = inputs[i].strides.back() == strides[i][d] * outShape[d];
      if (merge) {
        dims.back() *= outShape[d];
        for (size_t i = 0; i < inputs.size(); ++i)
          if (inputs[i].access == Access::Broadcast)
            inputs[i].strides.back() = strides[i][d];
      } else {
        dims.push_back(outShape[d]);
        for (size_t i = 0; i < inputs.size(); ++i)
          if (inputs[i].access == Access::Broadcast)
            inputs[i].strides.push_back(strides[i][d]);
      }
    }
  }
  bool anyBroadcast = llvm::any_of(inputs, [](const InputPlan &p) {
    return p.access == Access::Broadcast || p.access == Access::Dynamic;
  });
  // A vector path when the element count can reach a block's worth of vectors.
  // Elements per thread of the vector path: 16-byte accesses for the narrowest operand
  // that moves as a pack (4 for f32, 8 for f16/bf16, 2 for f64), at most kMaxVector.
  unsigned narrowest = kVectorBytes;
  for (auto [i, plan] : llvm::enumerate(inputs))
    if (plan.access == Access::Full || plan.access == Access::Dynamic)
      narrowest = std::min(narrowest, storageBytes(*program->regTypes[i]));
  for (const OperandInfo &out : step.outputs)
    narrowest = std::min(narrowest, storageBytes(*lookupDType(out.dtype)));
  const int kVector = std::min<int>(kMaxVector, kVectorBytes / narrowest);
  bool vectorize = !staticShapes || total >= kVector * kBlock;
  // 32-bit broadcast index arithmetic where the element count allows it.
  StringRef indexType = staticShapes && total <= (int64_t)UINT32_MAX ? "uint32_t" : "int64_t";

  std::string text;
  llvm::raw_string_ostream os(text);
  std::string kernelName = (kKernelNamePlaceholder).str();

  // Header: what the kernel computes, for readers of the bundle.
  os << "// Elementwise kernel (generated by ds; docs/cuda.md \"Code generation\").\n";
  for (auto [i, in] : llvm::enumerate(step.inputs)) {
    static const char *const accessNames[] = {"one element", "full", "broadcast",
                                              "full or broadcast at run time"};
    os << llvm::formatv("//   input {0}: {1} {2}, {3}\n", i, in.dtype, shapeText(in.shape),
                        accessNames[static_cast<int>(inputs[i].access)]);
  }
  for (auto [k, out] : llvm::enumerate(step.outputs))
    os << llvm::formatv("//   output {0}: {1} {2}\n", k, out.dtype, shapeText(out.shape));
  os << "#include \"ds_device.cuh\"\n#include \"elementwise.cuh\"\n\n";

  // The program.
  os << programFunction(*program, kernelName + "_program") << "\n";

  // The kernel: operands, shapes, strides.
  os << "DS_KERNEL(" << kernelName << ") {\n";
  for (auto [i, in] : llvm::enumerate(step.inputs))
    os << llvm::formatv("  const {0} *in{1} = static_cast<const {0} *>(params.ptr[{1}]);\n",
                        program->regTypes[i]->storage, i);
  for (auto [k, out] : llvm::enumerate(step.outputs))
    os << llvm::formatv("  {0} *out{1} = static_cast<{0} *>(params.ptr[{2}]);\n",
                        lookupDType(out.dtype)->storage, k, step.inputs.size() + k);
  auto dimExpr = [&](int64_t size, int64_t offset) {
    return size >= 0 ? std::to_string(size) : "ds::dim(params, " + std::to_string(offset) + ")";
  };
  if (staticShapes) {
    os << "  const int64_t n = " << total << ";\n";
    if (anyBroadcast) {
      os << "  const int64_t dims[" << dims.size() << "] = " << arrayText(dims) << ";\n";
      for (auto [i, plan] : llvm::enumerate(inputs))
        if (plan.access == Access::Broadcast)
          os << "  const int64_t strides" << i << "[" << dims.size()
             << "] = " << arrayText(plan.strides) << ";\n";
    }
  } else {
    SmallVector<std::string> outDims;
    for (auto [d, size] : llvm::enumerate(outShape))
      outDims.push_back(dimExpr(size, outDimOffset + d));
    if (rank > 0) {
      os << "  const int64_t dims[" << rank << "] = " << arrayText(outDims) << ";\n";
      os << "  const int64_t n = "
         << llvm::join(llvm::map_range(llvm::seq<int64_t>(0, rank),
                                       [](int64_t d) { return "dims[" + std::to_string(d) + "]"; }),
                       " * ")
         << ";\n";
    } else {
      os << "  const int64_t n = 1;\n";
    }
    for (auto [i, in] : llvm::enumerate(step.inputs)) {
      if (inputs[i].access != Access::Dynamic)
        continue;
      SmallVector<std::string> inDims;
      for (auto [d, size] : llvm::enumerate(in.shape))
        inDims.push_back(dimExpr(size, dimOffset[i] + d));
      os << llvm::formatv("  const int64_t shape{0}[{1}] = {2};\n", i, in.shape.size(),
                          arrayText(inDims));
      os << llvm::formatv("  int64_t strides{0}[{1}];\n", i, rank);
      os << llvm::formatv("  ds::ew::broadcast_strides(shape{0}, strides{0});\n", i);
      os << llvm::formatv("  const bool full{0} = {1} == n;\n", i,
                          llvm::join(llvm::map_range(llvm::seq<size_t>(0, in.shape.size()),
                                                     [&](size_t d) {
                                                       return "shape" + std::to_string(i) +
                                                              "[" + std::to_string(d) + "]";
                                                     }),
                                     " * "));
    }
  }
  // Invariant inputs: loaded once.
  for (auto [i, plan] : llvm::enumerate(inputs))
    if (plan.access == Access::Invariant)
      os << llvm::formatv("  const {0} v{1} = ds::ew::{2}(in{1}, 0);\n",
                          computeType(program->regTypes[i]->cls), i,
                          program->regTypes[i]->load);
  os << "  const int64_t thread = int64_t(ds::block_idx_x()) * ds::block_dim_x() + "
        "ds::thread_idx_x();\n";
  os << "  const int64_t threads = int64_t(ds::grid_dim_x()) * ds::block_dim_x();\n";

  // Index of input i's element for output element `e`.
  auto indexExpr = [&](size_t i, StringRef e) -> std::string {
    std::string bcast = llvm::formatv("ds::ew::broadcast_index<{0}>({1}, dims, strides{2})",
                                      indexType, e, i);
    if (inputs[i].access == Access::Full)
      return e.str();
    if (inputs[i].access == Access::Broadcast)
      return bcast;
    return llvm::formatv("(full{0} ? {1} : {2})", i, e, bcast);
  };
  auto callProgram = [&](llvm::function_ref<std::string(size_t)> inputValue,
                         StringRef indent) {
    for (size_t i = 0; i < step.inputs.size(); ++i)
      if (inputs[i].access != Access::Invariant)
        os << indent << "const " << computeType(program->regTypes[i]->cls) << " a" << i
           << " = " << inputValue(i) << ";\n";
    for (auto [k, r] : llvm::enumerate(program->results))
      os << indent << computeType(program->regTypes[r]->cls) << " res" << k << ";\n";
    os << indent << kernelName << "_program(";
    for (size_t i = 0; i < step.inputs.size(); ++i)
      os << (i ? ", " : "") << (inputs[i].access == Access::Invariant ? "v" : "a") << i;
    for (size_t k = 0; k < program->results.size(); ++k)
      os << (step.inputs.size() || k ? ", " : "") << "res" << k;
    os << ");\n";
  };

  os << "  int64_t begin = 0;\n";
  if (vectorize) {
    // Vector path: each thread takes kVector consecutive elements; full operands move
    // as one aligned pack, broadcast inputs are gathered into one.
    SmallVector<std::string> conditions = {"n >= " + std::to_string(kVector)};
    for (auto [i, plan] : llvm::enumerate(inputs)) {
      if (plan.access == Access::Full)
        conditions.push_back(llvm::formatv("ds::ew::aligned_for<{0}>(in{1})", kVector, i));
      else if (plan.access == Access::Dynamic)
        conditions.push_back(
            llvm::formatv("(!full{1} || ds::ew::aligned_for<{0}>(in{1}))", kVector, i));
    }
    for (size_t k = 0; k < step.outputs.size(); ++k)
      conditions.push_back(llvm::formatv("ds::ew::aligned_for<{0}>(out{1})", kVector, k));
    os << "  if (" << llvm::join(conditions, " && ") << ") {\n";
    os << "    const int64_t vectors = n / " << kVector << " * " << kVector << ";\n";
    os << "    for (int64_t e = thread * " << kVector << "; e < vectors; e += threads * "
       << kVector << ") {\n";
    for (auto [i, plan] : llvm::enumerate(inputs)) {
      if (plan.access == Access::Invariant)
        continue;
      StringRef storage = program->regTypes[i]->storage;
      std::string pack = llvm::formatv("ds::ew::Pack<{0}, {1}>", storage, kVector);
      if (plan.access == Access::Full) {
        os << llvm::formatv("      const {0} p{1} = ds::ew::load_pack<{2}>(in{1}, e);\n",
                            pack, i, kVector);
        continue;
      }
      os << llvm::formatv("      {0} p{1};\n", pack, i);
      std::string gather =
          llvm::formatv("for (int v = 0; v < {0}; ++v) p{1}.v[v] = in{1}[{2}];", kVector, i,
                        llvm::formatv("ds::ew::broadcast_index<{0}>(e + v, dims, strides{1})",
                                      indexType, i)
                            .str());
      if (plan.access == Access::Broadcast)
        os << "      " << gather << "\n";
      else
        os << llvm::formatv("      if (full{0}) p{0} = ds::ew::load_pack<{1}>(in{0}, e);\n"
                            "      else {2}\n",
                            i, kVector, gather);
    }
    for (auto [k, out] : llvm::enumerate(step.outputs))
      os << llvm::formatv("      ds::ew::Pack<{0}, {1}> q{2};\n",
                          lookupDType(out.dtype)->storage, kVector, k);
    os << "#pragma unroll\n";
    os << "      for (int v = 0; v < " << kVector << "; ++v) {\n";
    callProgram(
        [&](size_t i) -> std::string {
          if (inputs[i].access == Access::Invariant)
            return "v" + std::to_string(i);
          return llvm::formatv("ds::ew::{0}(p{1}.v, v)", program->regTypes[i]->load, i);
        },
        "        ");
    for (auto [k, out] : llvm::enumerate(step.outputs))
      os << llvm::formatv("        ds::ew::{0}(q{1}.v, v, res{1});\n",
                          lookupDType(out.dtype)->store, k);
    os << "      }\n";
    for (size_t k = 0; k < step.outputs.size(); ++k)
      os << llvm::formatv("      ds::ew::store_pack<{0}>(out{1}, e, q{1});\n", kVector, k);
    os << "    }\n";
    os << "    begin = vectors;\n";
    os << "  }\n";
  }
  // Scalar path: the remainder of the vector path, or everything.
  os << "  for (int64_t e = begin + thread; e < n; e += threads) {\n";
  callProgram(
      [&](size_t i) -> std::string {
        if (inputs[i].access == Access::Invariant)
          return "v" + std::to_string(i);
        return llvm::formatv("ds::ew::{0}(in{1}, {2})", program->regTypes[i]->load, i,
                             indexExpr(i, "e"));
      },
      "    ");
  for (auto [k, out] : llvm::enumerate(step.outputs))
    os << llvm::formatv("    ds::ew::{0}(out{1}, e, res{1});\n", lookupDType(out.dtype)->store,
                        k);
  os << "  }\n}\n";

  LaunchConfig launch;
  launch.block = {kBlock, 1, 1};
  launch.perBlock = vectorize ? kBlock * kVector : kBlock;
  launch.of = "numel";
  launch.operand = step.inputs.size();
  StringRef base = step.attrs.getString("kernel_name").value_or("elementwise");
  return finishKernel(base, text, launch);
}
