//===- CodegenSupport.cpp - helpers shared by the kernel families ---------===//

#include "CudaCodegenInternal.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir::ds::cuda;
namespace json = llvm::json;
using llvm::SmallVector;
using llvm::StringRef;

namespace mlir::ds::cuda {

const DTypeInfo kDTypes[] = {
    {"f32", "float", Cls::F32, "load", "store", ""},
    {"f16", "uint16_t", Cls::F32, "load_f16", "store_f16", ""},
    {"bf16", "uint16_t", Cls::F32, "load_bf16", "store_bf16", ""},
    {"f8E4M3FN", "uint8_t", Cls::F32, "load_f8e4m3fn", "store_f8e4m3fn", ""},
    {"f8E5M2", "uint8_t", Cls::F32, "load_f8e5m2", "store_f8e5m2", ""},
    {"f64", "double", Cls::F64, "load", "store", ""},
    {"i1", "uint8_t", Cls::Bool, "load_i1", "store_i1", ""},
    {"i8", "int8_t", Cls::I64, "load", "store", "wrap_i8"},
    {"i16", "int16_t", Cls::I64, "load", "store", "wrap_i16"},
    {"i32", "int32_t", Cls::I64, "load", "store", "wrap_i32"},
    {"i64", "int64_t", Cls::I64, "load", "store", ""},
    {"ui8", "uint8_t", Cls::U64, "load_u8", "store", "wrap_u8"},
    {"ui16", "uint16_t", Cls::U64, "load", "store", "wrap_u16"},
    {"ui32", "uint32_t", Cls::U64, "load", "store", "wrap_u32"},
    {"ui64", "uint64_t", Cls::U64, "load", "store", ""},
};

const DTypeInfo *lookupDType(StringRef name) {
  for (const DTypeInfo &t : kDTypes)
    if (t.name == name)
      return &t;
  return nullptr;
}

unsigned storageBytes(const DTypeInfo &t) {
  return llvm::StringSwitch<unsigned>(t.storage)
      .Cases({"double", "int64_t", "uint64_t"}, 8)
      .Cases({"float", "int32_t", "uint32_t"}, 4)
      .Cases({"uint16_t", "int16_t"}, 2)
      .Default(1);
}

StringRef computeType(Cls c) {
  switch (c) {
  case Cls::F32:
    return "float";
  case Cls::F64:
    return "double";
  case Cls::I64:
    return "int64_t";
  case Cls::U64:
    return "uint64_t";
  case Cls::Bool:
    return "bool";
  }
  return "float";
}

bool isFloat(Cls c) { return c == Cls::F32 || c == Cls::F64; }
bool isInt(Cls c) { return c == Cls::I64 || c == Cls::U64; }

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
/// A valid step beyond the kernel ABI's limits (see kernelLimitError).
llvm::Error beyondLimits(const llvm::Twine &message) {
  return llvm::createStringError(std::make_error_code(std::errc::not_supported), message);
}


std::string hexFloat(double v, bool f32) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return std::string(buf) + (f32 ? "f" : "");
}

std::string floatLiteral(double v, Cls cls) {
  bool f32 = cls == Cls::F32;
  if (std::isnan(v))
    return f32 ? "ds::ew::f32_nan()" : "double(ds::ew::f32_nan())";
  if (std::isinf(v))
    return std::string(v < 0 ? "-" : "") + (f32 ? "ds::ew::f32_inf()" : "ds::ew::f64_inf()");
  return hexFloat(f32 ? static_cast<double>(static_cast<float>(v)) : v, f32);
}

std::string intLiteral(int64_t v) {
  if (v == std::numeric_limits<int64_t>::min())
    return "(int64_t(-9223372036854775807ll) - 1)";
  return llvm::formatv("int64_t({0}ll)", v).str();
}
std::string uintLiteral(uint64_t v) { return llvm::formatv("uint64_t({0}ull)", v).str(); }


/// A JSON float as the bundle writes it: a number or "nan" / "inf" / "-inf".
std::optional<double> jsonFloat(const json::Value &v) {
  if (auto d = v.getAsNumber())
    return *d;
  if (auto b = v.getAsBoolean())
    return *b ? 1.0 : 0.0;
  if (auto s = v.getAsString()) {
    if (*s == "nan")
      return std::numeric_limits<double>::quiet_NaN();
    if (*s == "inf")
      return std::numeric_limits<double>::infinity();
    if (*s == "-inf")
      return -std::numeric_limits<double>::infinity();
  }
  if (auto *a = v.getAsArray(); a && a->size() == 1)
    return jsonFloat((*a)[0]);
  return std::nullopt;
}


bool isStatic(llvm::ArrayRef<int64_t> shape) {
  return llvm::all_of(shape, [](int64_t d) { return d >= 0; });
}
int64_t numel(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "," : "") + (d < 0 ? std::string("?") : std::to_string(d));
  return s + "]";
}

std::string arrayText(llvm::ArrayRef<std::string> items) {
  std::string s = "{";
  for (auto [i, item] : llvm::enumerate(items))
    s += (i ? ", " : "") + item;
  return s + "}";
}
std::string arrayText(llvm::ArrayRef<int64_t> items) {
  SmallVector<std::string> strings;
  for (int64_t v : items)
    strings.push_back(std::to_string(v));
  return arrayText(strings);
}

OperandDims::OperandDims(const StepInfo &step) {
  for (const OperandInfo &in : step.inputs)
    operands.push_back(&in);
  for (const OperandInfo &out : step.outputs)
    operands.push_back(&out);
  for (const OperandInfo *op : operands) {
    offsets.push_back(total);
    if (!op->present)
      continue;
    total += op->shape.size();
    staticShapes = staticShapes && isStatic(op->shape);
  }
}

llvm::Error OperandDims::checkLimits() const {
  if (operands.size() > static_cast<size_t>(kMaxOperands))
    return beyondLimits("the step has " + llvm::Twine(operands.size()) +
                        " operands; a kernel takes at most " + llvm::Twine(kMaxOperands) +
                        " (DS_MAX_OPERANDS)");
  if (!staticShapes && total > kMaxDims)
    return beyondLimits("the operands have " + llvm::Twine(total) +
                        " dims in all; a kernel with dynamic dims reads at most " +
                        llvm::Twine(kMaxDims) + " (DS_MAX_DIMS)");
  return llvm::Error::success();
}

std::string OperandDims::dim(size_t i, size_t axis) const {
  int64_t d = operands[i]->shape[axis];
  if (d >= 0)
    return "int64_t(" + std::to_string(d) + ")";
  return "ds::dim(params, " + std::to_string(offsets[i] + axis) + ")";
}

std::string OperandDims::product(size_t i, size_t begin, size_t end) const {
  int64_t constant = 1;
  std::string dynamic;
  for (size_t a = begin; a < end; ++a) {
    int64_t d = operands[i]->shape[a];
    if (d >= 0)
      constant *= d;
    else
      dynamic += (dynamic.empty() ? "" : " * ") + dim(i, a);
  }
  if (dynamic.empty())
    return "int64_t(" + std::to_string(constant) + ")";
  return constant == 1 ? dynamic : "int64_t(" + std::to_string(constant) + ") * " + dynamic;
}

} // namespace mlir::ds::cuda
