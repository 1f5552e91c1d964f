//===- BundleWriter.cpp - write a module as a ds bundle -------------------===//
//
// Serializes the function of a lowered module (docs/bundle.md): every ds.constant and
// ds.external_weight becomes a weight in weights.bin, every other op a step in
// steps.json (ds.kernel as an `elementwise` step with its register program, or as a
// matmul/linear step with an epilogue program), and the
// graph interface plus a plan summary goes to manifest.json.
//
//===----------------------------------------------------------------------===//

#include "ds/Target/Bundle/BundleWriter.h"
#include "ds/Target/Cuda/CudaCodegen.h"

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"
#include "ds/Transforms/MemoryPlan.h"
#include "ds/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>

#ifndef DS_VERSION_STRING
#define DS_VERSION_STRING "unknown"
#endif

using namespace mlir;
using namespace mlir::ds;
namespace json = llvm::json;

//===----------------------------------------------------------------------===//
// Scalars, types, locations
//===----------------------------------------------------------------------===//

/// A double in JSON; non-finite values are the strings "nan", "inf", "-inf".
static json::Value floatJson(double v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  return v;
}

static json::Value intJson(const APInt &v, Type elementType) {
  if (v.getBitWidth() == 1 || elementType.isUnsignedInteger())
    return json::Value(static_cast<uint64_t>(v.getZExtValue()));
  return json::Value(static_cast<int64_t>(v.getSExtValue()));
}

/// MLIR's name of a bundle dtype, or failure for types the runtime has no name for.
static FailureOr<std::string> dtypeName(Type type) {
  static const llvm::StringSet<> allowed = {
      "f32", "f16", "bf16", "f64", "f8E4M3FN", "f8E5M2", "i1",   "i8",
      "i16", "i32", "i64",  "ui8", "ui16",     "ui32",   "ui64"};
  std::string name;
  llvm::raw_string_ostream os(name);
  type.print(os);
  if (!allowed.contains(name))
    return failure();
  return name;
}

static json::Array shapeJson(ArrayRef<int64_t> shape) {
  json::Array dims;
  for (int64_t d : shape)
    dims.push_back(ShapedType::isDynamic(d) ? int64_t(-1) : d);
  return dims;
}

static void collectLocNames(Location loc, SmallVectorImpl<std::string> &names) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    names.push_back(name.getName().str());
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      collectLocNames(inner, names);
  } else if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    names.push_back(llvm::formatv("{0}:{1}:{2}", file.getFilename().getValue(),
                                  file.getLine(), file.getColumn()));
  } else if (auto call = dyn_cast<CallSiteLoc>(loc)) {
    collectLocNames(call.getCallee(), names);
  }
}

/// The step name: the ONNX node name, or `fused:A,B` for a group of several.
static std::string stepName(Location loc) {
  SmallVector<std::string> names;
  collectLocNames(loc, names);
  if (names.empty())
    return "";
  if (names.size() == 1)
    return names.front();
  return "fused:" + llvm::join(names.begin(), names.end(), ",");
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// The keyword of an enum attribute (stored as a plain i32), by attribute name and, for
/// `fn`, by op; nullopt when `name` is not an enum attribute of `opName`.
static std::optional<std::string> enumKeyword(StringRef opName, StringRef name,
                                              int64_t value) {
  auto str = [](auto symbolized) -> std::optional<std::string> {
    if (!symbolized)
      return std::nullopt;
    return stringifyEnum(*symbolized).str();
  };
  uint32_t v = static_cast<uint32_t>(value);
  if (name == "fn") {
    if (opName == UnaryOp::getOperationName())
      return str(symbolizeUnaryFn(v));
    if (opName == BinaryOp::getOperationName())
      return str(symbolizeBinaryFn(v));
    if (opName == CompareOp::getOperationName())
      return str(symbolizeCompareFn(v));
    if (opName == ReduceOp::getOperationName())
      return str(symbolizeReduceFn(v));
    if (opName == ArgReduceOp::getOperationName())
      return str(symbolizeArgReduceFn(v));
    return std::nullopt;
  }
  if (name == "mode")
    return str(symbolizePadMode(v));
  if (name == "reduction")
    return str(symbolizeScatterReduction(v));
  if (name == "style")
    return str(symbolizeRopeStyle(v));
  if (name == "gating")
    return str(symbolizeGatingFn(v));
  if (name == "group_score")
    return str(symbolizeGroupScoreFn(v));
  if (name == "activation")
    return str(symbolizeActivationFn(v));
  return std::nullopt;
}

namespace {

class BundleBuilder {
public:
  BundleBuilder(ModuleOp module, const BundleOptions &options)
      : module(module), options(options), ctx(module.getContext()) {}

  LogicalResult build();
  LogicalResult writeFiles(StringRef dir);

private:
  struct Weight {
    std::string name;
    std::string dtype;
    SmallVector<int64_t> shape;
    int64_t bytes = 0;
    int64_t offset = 0; // in the data section of weights.bin
    Operation *op = nullptr;
  };

  InFlightDiagnostic error(Location loc) { return mlir::emitError(loc); }

  FailureOr<std::string> dtypeOf(Value value, Location loc, const Twine &what);
  FailureOr<json::Object> valueJson(Value value, Location loc, const Twine &what);
  FailureOr<int64_t> addWeight(Operation *op);
  LogicalResult addStep(Operation *op);
  FailureOr<json::Value> attrJson(Operation *op, StringRef name, Attribute attr);
  FailureOr<json::Object> opAttrs(Operation *op);
  FailureOr<json::Object> kernelAttrs(KernelOp kernel);
  FailureOr<json::Object> programJson(KernelOp kernel, DenseMap<Value, int64_t> &reg,
                                      int64_t next, Operation *product);
  // Epilogues (docs/bundle.md "Epilogues"): a kernel holding a matmul/linear.
  static Operation *epilogueProduct(KernelOp kernel);
  LogicalResult epilogueStep(KernelOp kernel, Operation *product, json::Array &inputs,
                             json::Object &attrs);
  bool isUnitProperty(OperationName opName, StringRef name);
  FailureOr<json::Array> stepInputs(Operation *op);
  LogicalResult writeWeightData(const Weight &w, llvm::raw_ostream &os);
  LogicalResult attachKernel(Operation *op, json::Object &step);
  LogicalResult writeKernels(StringRef dir);
  std::string uniqueWeightName(StringRef base);

  ModuleOp module;
  const BundleOptions &options;
  MLIRContext *ctx;
  func::FuncOp func;

  DenseMap<Value, int64_t> valueIds;
  std::vector<json::Value> values;
  std::vector<json::Value> steps;
  std::vector<Weight> weights;
  llvm::StringSet<> weightNames;
  json::Array inputIds, outputIds;
  json::Array manifestInputs, manifestOutputs;
  llvm::StringMap<bool> unitProperties;
  std::map<std::string, cuda::GeneratedKernel> kernels; // by name: one file per kernel
  bool planStatic = false;
  int64_t arenaBytes = 0;
};

} // namespace

FailureOr<std::string> BundleBuilder::dtypeOf(Value value, Location loc,
                                              const Twine &what) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type) {
    error(loc) << what << " has type " << value.getType()
               << "; a bundle needs ranked tensors";
    return failure();
  }
  auto name = dtypeName(type.getElementType());
  if (failed(name)) {
    error(loc) << what << " has element type " << type.getElementType()
               << ", which the bundle format has no dtype for (f32 f16 bf16 f64 "
                  "f8E4M3FN f8E5M2 i1 i8 i16 i32 i64 ui8 ui16 ui32 ui64)";
    return failure();
  }
  return name;
}

FailureOr<json::Object> BundleBuilder::valueJson(Value value, Location loc,
                                                 const Twine &what) {
  auto dtype = dtypeOf(value, loc, what);
  if (failed(dtype))
    return failure();
  int64_t id = values.size();
  valueIds[value] = id;
  return json::Object{{"id", id},
                      {"dtype", *dtype},
                      {"shape", shapeJson(cast<RankedTensorType>(value.getType()).getShape())}};
}

std::string BundleBuilder::uniqueWeightName(StringRef base) {
  std::string name = base.empty() ? std::string("constant") : base.str();
  if (weightNames.insert(name).second)
    return name;
  for (int i = 1;; ++i) {
    std::string candidate = name + "_" + std::to_string(i);
    if (weightNames.insert(candidate).second)
      return candidate;
  }
}

FailureOr<int64_t> BundleBuilder::addWeight(Operation *op) {
  Value result = op->getResult(0);
  auto type = cast<RankedTensorType>(result.getType());
  std::string base;
  if (auto ext = dyn_cast<ExternalWeightOp>(op)) {
    base = ext.getName().str();
  } else {
    Attribute value = cast<ConstantOp>(op).getValue();
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
      base = resource.getRawHandle().getKey().str();
    } else if (!isa<DenseIntOrFPElementsAttr>(value)) {
      error(op->getLoc()) << "ds.constant holds " << value
                          << "; only dense and dense_resource constants can be "
                             "written to weights.bin";
      return failure();
    } else if (auto name = dyn_cast<NameLoc>(op->getLoc())) {
      base = name.getName().str(); // the ONNX initializer or node name
    }
  }
  auto object = valueJson(result, op->getLoc(), "weight '" + base + "'");
  if (failed(object))
    return failure();
  if (!type.hasStaticShape()) {
    error(op->getLoc()) << "weight '" << base << "' has the dynamic type " << type;
    return failure();
  }
  Weight w;
  w.name = uniqueWeightName(base);
  w.dtype = *dtypeName(type.getElementType());
  w.shape.assign(type.getShape().begin(), type.getShape().end());
  w.bytes = *bundleTensorBytes(type);
  w.op = op;
  (*object)["def"] = "weight";
  (*object)["weight"] = w.name;
  weights.push_back(std::move(w));
  int64_t id = values.size();
  values.push_back(std::move(*object));
  return id;
}

bool BundleBuilder::isUnitProperty(OperationName opName, StringRef name) {
  std::string key = (opName.getStringRef() + "/" + name).str();
  if (auto it = unitProperties.find(key); it != unitProperties.end())
    return it->second;
  // A property accepts a UnitAttr only if it is a UnitAttr property: probe a blank op.
  Operation *probe = Operation::create(UnknownLoc::get(ctx), opName, {}, {},
                                       NamedAttrList(), nullptr, {}, 0);
  bool isUnit;
  {
    ScopedDiagnosticHandler silence(ctx, [](Diagnostic &) { return success(); });
    auto dict = DictionaryAttr::get(
        ctx, {NamedAttribute(StringAttr::get(ctx, name), UnitAttr::get(ctx))});
    isUnit = succeeded(
        probe->setPropertiesFromAttribute(dict, [&] { return probe->emitError(); }));
  }
  probe->destroy();
  unitProperties[key] = isUnit;
  return isUnit;
}

FailureOr<json::Value> BundleBuilder::attrJson(Operation *op, StringRef name,
                                               Attribute attr) {
  auto unsupported = [&]() -> FailureOr<json::Value> {
    error(op->getLoc()) << "attribute '" << name << "' of '" << op->getName()
                        << "' is " << attr
                        << ", which the bundle format cannot express";
    return failure();
  };
  if (auto b = dyn_cast<BoolAttr>(attr))
    return json::Value(b.getValue());
  if (isa<UnitAttr>(attr))
    return json::Value(true);
  // Typed scalars named `value` (ds.fill) keep their dtype: elements form.
  if (name == "value" && isa<IntegerAttr, FloatAttr>(attr)) {
    Type type = cast<TypedAttr>(attr).getType();
    auto dtype = dtypeName(type);
    if (failed(dtype))
      return unsupported();
    json::Value v = isa<FloatAttr>(attr)
                        ? floatJson(cast<FloatAttr>(attr).getValueAsDouble())
                        : intJson(cast<IntegerAttr>(attr).getValue(), type);
    return json::Value(json::Object{
        {"dtype", *dtype}, {"shape", json::Array{}}, {"values", json::Array{v}}});
  }
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    if (i.getType().isInteger(32))
      if (auto keyword = enumKeyword(op->getName().getStringRef(), name, i.getInt()))
        return json::Value(*keyword);
    return intJson(i.getValue(), i.getType());
  }
  if (auto f = dyn_cast<FloatAttr>(attr))
    return floatJson(f.getValueAsDouble());
  if (auto s = dyn_cast<StringAttr>(attr))
    return json::Value(s.getValue().str());
  if (auto a = dyn_cast<DenseI64ArrayAttr>(attr))
    return json::Value(json::Array(a.asArrayRef()));
  if (auto a = dyn_cast<DenseI32ArrayAttr>(attr))
    return json::Value(json::Array(a.asArrayRef()));
  if (auto a = dyn_cast<DenseBoolArrayAttr>(attr))
    return json::Value(json::Array(a.asArrayRef()));
  if (auto a = dyn_cast<DenseF32ArrayAttr>(attr)) {
    json::Array list;
    for (float v : a.asArrayRef())
      list.push_back(floatJson(v));
    return json::Value(std::move(list));
  }
  if (auto a = dyn_cast<DenseF64ArrayAttr>(attr)) {
    json::Array list;
    for (double v : a.asArrayRef())
      list.push_back(floatJson(v));
    return json::Value(std::move(list));
  }
  if (auto a = dyn_cast<ArrayAttr>(attr)) {
    json::Array list;
    for (Attribute element : a) {
      auto v = attrJson(op, name, element);
      if (failed(v))
        return failure();
      list.push_back(std::move(*v));
    }
    return json::Value(std::move(list));
  }
  if (auto t = dyn_cast<TypeAttr>(attr)) {
    auto dtype = dtypeName(t.getValue());
    if (failed(dtype))
      return unsupported();
    return json::Value(*dtype);
  }
  if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(attr)) {
    Type elementType = dense.getElementType();
    auto dtype = dtypeName(elementType);
    if (failed(dtype))
      return unsupported();
    json::Array list;
    if (isa<FloatType>(elementType)) {
      for (APFloat v : dense.getValues<APFloat>())
        list.push_back(floatJson(toDouble(v)));
    } else {
      for (APInt v : dense.getValues<APInt>())
        list.push_back(intJson(v, elementType));
    }
    return json::Value(json::Object{{"dtype", *dtype},
                                    {"shape", shapeJson(dense.getType().getShape())},
                                    {"values", std::move(list)}});
  }
  return unsupported();
}

FailureOr<json::Object> BundleBuilder::opAttrs(Operation *op) {
  json::Object attrs;
  std::optional<RegisteredOperationName> info = op->getRegisteredInfo();
  if (!info) {
    error(op->getLoc()) << "'" << op->getName() << "' is not a registered op";
    return failure();
  }
  for (StringAttr nameAttr : info->getAttributeNames()) {
    StringRef name = nameAttr.getValue();
    if (name == "operandSegmentSizes" || name == "resultSegmentSizes")
      continue;
    std::optional<Attribute> attr = op->getInherentAttr(name);
    if (attr && *attr) {
      auto v = attrJson(op, name, *attr);
      if (failed(v))
        return failure();
      attrs[name] = std::move(*v);
    } else if (isUnitProperty(op->getName(), name)) {
      attrs[name] = false;
    }
    // Otherwise an absent optional attribute without a default: omitted.
  }
  return attrs;
}

/// ODS operand count of ops whose last operand is Optional and that have no segment
/// sizes: a missing operand is that last one. (Ops with AttrSizedOperandSegments are
/// handled generically from their segment sizes.)
static unsigned trailingOptionalOdsOperands(StringRef opName) {
  static const llvm::StringMap<unsigned> counts = {
      {"ds.layer_norm", 3}, {"ds.linear", 3}, {"ds.quantize", 3},
      {"ds.dequantize", 3}, {"ds.split", 2},  {"ds.pad", 3},
      {"ds.trilu", 2},      {"ds.attention", 4}, {"ds.rope", 4}};
  auto it = counts.find(opName);
  return it == counts.end() ? 0 : it->second;
}

FailureOr<json::Array> BundleBuilder::stepInputs(Operation *op) {
  json::Array inputs;
  auto idOf = [&](Value v) -> FailureOr<int64_t> {
    auto it = valueIds.find(v);
    if (it == valueIds.end()) {
      error(op->getLoc()) << "operand of '" << op->getName()
                          << "' is not defined in the function body before it";
      return failure();
    }
    return it->second;
  };
  if (op->hasTrait<OpTrait::AttrSizedOperandSegments>()) {
    auto segments = dyn_cast_or_null<DenseI32ArrayAttr>(
        op->getInherentAttr("operandSegmentSizes").value_or(Attribute()));
    if (!segments) {
      error(op->getLoc()) << "'" << op->getName() << "' has no operand segment sizes";
      return failure();
    }
    unsigned next = 0;
    for (int32_t size : segments.asArrayRef()) {
      if (size == 0)
        inputs.push_back(int64_t(-1));
      for (int32_t i = 0; i < size; ++i) {
        auto id = idOf(op->getOperand(next++));
        if (failed(id))
          return failure();
        inputs.push_back(*id);
      }
    }
    return inputs;
  }
  for (Value operand : op->getOperands()) {
    auto id = idOf(operand);
    if (failed(id))
      return failure();
    inputs.push_back(*id);
  }
  unsigned odsCount = trailingOptionalOdsOperands(op->getName().getStringRef());
  for (unsigned i = op->getNumOperands(); i < odsCount; ++i)
    inputs.push_back(int64_t(-1));
  return inputs;
}

FailureOr<json::Object> BundleBuilder::kernelAttrs(KernelOp kernel) {
  Block &body = kernel.getBody().front();
  DenseMap<Value, int64_t> reg;
  for (BlockArgument arg : body.getArguments())
    reg[arg] = arg.getArgNumber();
  auto program = programJson(kernel, reg, body.getNumArguments(), /*product=*/nullptr);
  if (failed(program))
    return failure();
  ArrayRef<int64_t> shape;
  for (Type t : kernel.getResultTypes()) {
    auto s = cast<RankedTensorType>(t).getShape();
    if (!shape.empty() && s != shape) {
      error(kernel.getLoc()) << "ds.kernel \"" << kernel.getKernelName()
                             << "\" has results of different shapes ("
                             << shapeToString(shape) << " and " << shapeToString(s)
                             << "); an elementwise step has one output shape";
      return failure();
    }
    shape = s;
  }
  json::Object attrs = std::move(*program);
  attrs["kernel_name"] = kernel.getKernelName().str();
  return attrs;
}

/// The register program of a kernel body (docs/bundle.md "Fused elementwise program"),
/// `reg` naming the registers of the body's inputs; `product` (an epilogue's matmul or
/// linear, already register 0) is skipped.
FailureOr<json::Object> BundleBuilder::programJson(KernelOp kernel,
                                                   DenseMap<Value, int64_t> &reg,
                                                   int64_t next, Operation *product) {
  Block &body = kernel.getBody().front();
  json::Array program;
  auto notElementwise = [&](Operation *op) {
    error(op->getLoc()) << "ds.kernel \"" << kernel.getKernelName() << "\" contains '"
                        << op->getName()
                        << "', which an elementwise step cannot run (only unary, "
                           "binary, compare, select, cast and splat constants)";
    return failure();
  };
  for (Operation &op : body.without_terminator()) {
    if (&op == product)
      continue;
    json::Object inst;
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      if (!isSplatConstant(constant.getResult()))
        return notElementwise(&op);
      auto dense = cast<DenseElementsAttr>(constant.getValue());
      Type elementType = dense.getElementType();
      inst["op"] = "constant";
      if (isa<FloatType>(elementType))
        inst["value"] = floatJson(toDouble(dense.getSplatValue<APFloat>()));
      else
        inst["value"] = intJson(dense.getSplatValue<APInt>(), elementType);
    } else if (isKernelElementwiseOp(&op)) {
      auto attrs = opAttrs(&op);
      if (failed(attrs))
        return failure();
      inst = std::move(*attrs);
      inst["op"] = op.getName().stripDialect().str();
      json::Array args;
      for (Value operand : op.getOperands())
        args.push_back(reg.lookup(operand));
      inst["args"] = std::move(args);
      if (isa<UnaryOp>(op)) {
        // Parameters of parameterless functions read as 0 (as in the format's example).
        if (!inst.get("alpha"))
          inst["alpha"] = 0.0;
        if (!inst.get("beta"))
          inst["beta"] = 0.0;
      }
    } else {
      return notElementwise(&op);
    }
    auto dtype = dtypeOf(op.getResult(0), op.getLoc(), "result of '" +
                                                           op.getName().getStringRef() +
                                                           "'");
    if (failed(dtype))
      return failure();
    inst["dtype"] = *dtype;
    reg[op.getResult(0)] = next++;
    program.push_back(std::move(inst));
  }
  json::Array results;
  for (Value v : body.getTerminator()->getOperands()) {
    auto it = reg.find(v);
    if (it == reg.end()) {
      error(kernel.getLoc()) << "ds.kernel \"" << kernel.getKernelName()
                             << "\" yields a value its program does not compute";
      return failure();
    }
    results.push_back(it->second);
  }
  return json::Object{{"program", std::move(program)}, {"results", std::move(results)}};
}

/// The kernel's product when the body is `matmul|linear; elementwise ops...` (at least
/// one); other bodies take the elementwise path, which names what it cannot run.
Operation *BundleBuilder::epilogueProduct(KernelOp kernel) {
  Block &body = kernel.getBody().front();
  Operation *first = &body.front();
  if (!isa<MatmulOp, LinearOp>(first))
    return nullptr;
  bool hasEpilogueOp = llvm::any_of(body.without_terminator(), [](Operation &op) {
    return isKernelElementwiseOp(&op);
  });
  return hasEpilogueOp ? first : nullptr;
}

/// A kernel `product; epilogue` becomes a step of the product's kind: its operands and
/// attributes, then the epilogue's extra inputs (registers 1..m; register 0 is the
/// product) and `attrs.epilogue` = {program, results, product_dtype}.
LogicalResult BundleBuilder::epilogueStep(KernelOp kernel, Operation *product,
                                          json::Array &inputs, json::Object &attrs) {
  Block &body = kernel.getBody().front();
  // The product's operands as in a plain step: block arguments (all of them, the
  // product being the body's first op) stand for the kernel's inputs.
  for (BlockArgument arg : body.getArguments())
    valueIds[arg] = valueIds.lookup(kernel.getOperand(arg.getArgNumber()));
  auto productInputs = stepInputs(product);
  auto productAttrs = opAttrs(product);
  if (failed(productInputs) || failed(productAttrs))
    return failure();
  inputs = std::move(*productInputs);
  attrs = std::move(*productAttrs);

  DenseMap<Value, int64_t> reg;
  reg[product->getResult(0)] = 0;
  int64_t next = 1;
  for (BlockArgument arg : body.getArguments()) {
    bool readByEpilogue = llvm::any_of(
        arg.getUsers(), [&](Operation *user) { return user != product; });
    if (!readByEpilogue)
      continue;
    reg[arg] = next++;
    inputs.push_back(valueIds.lookup(arg));
  }
  auto program = programJson(kernel, reg, next, product);
  if (failed(program))
    return failure();
  auto dtype = dtypeOf(product->getResult(0), product->getLoc(),
                       "result of '" + product->getName().getStringRef() + "'");
  if (failed(dtype))
    return failure();
  (*program)["product_dtype"] = *dtype;
  attrs["kernel_name"] = kernel.getKernelName().str();
  attrs["epilogue"] = std::move(*program);
  return success();
}

LogicalResult BundleBuilder::addStep(Operation *op) {
  if (!isa_and_nonnull<DsDialect>(op->getDialect())) {
    error(op->getLoc()) << "'" << op->getName()
                        << "' is not a ds op; the runtime cannot run it";
    return failure();
  }
  auto kernel = dyn_cast<KernelOp>(op);
  if (!kernel && op->getNumRegions() > 0) {
    error(op->getLoc()) << "'" << op->getName()
                        << "' has a region; only ds.kernel may have one in a bundle";
    return failure();
  }
  int64_t stepIndex = steps.size();
  Operation *product = kernel ? epilogueProduct(kernel) : nullptr;
  FailureOr<json::Array> inputs = json::Array();
  FailureOr<json::Object> attrs = json::Object();
  if (product) {
    if (failed(epilogueStep(kernel, product, *inputs, *attrs)))
      return failure();
  } else {
    inputs = stepInputs(op);
    if (failed(inputs))
      return failure();
    attrs = kernel ? kernelAttrs(kernel) : opAttrs(op);
    if (failed(attrs))
      return failure();
  }
  std::string kind = product  ? product->getName().stripDialect().str()
                     : kernel ? std::string("elementwise")
                              : op->getName().stripDialect().str();

  auto planOf = [&](StringRef name) -> ArrayRef<int64_t> {
    if (auto a = op->getAttrOfType<DenseI64ArrayAttr>(name))
      if (a.size() == op->getNumResults())
        return a.asArrayRef();
    return {};
  };
  ArrayRef<int64_t> offsets = planOf(kOffsetsAttr), aliasOf = planOf(kAliasOfAttr),
                    inplaceOf = planOf(kInplaceOfAttr);
  json::Array outputs;
  for (auto [r, result] : llvm::enumerate(op->getResults())) {
    auto object = valueJson(result, op->getLoc(),
                            "result #" + Twine(r) + " of '" + op->getName().getStringRef() +
                                "'");
    if (failed(object))
      return failure();
    (*object)["def"] = "step";
    (*object)["step"] = stepIndex;
    if (!offsets.empty() && offsets[r] >= 0)
      (*object)["offset"] = offsets[r];
    if (!aliasOf.empty() && aliasOf[r] >= 0)
      (*object)["alias_of"] = valueIds.lookup(op->getOperand(aliasOf[r]));
    if (!inplaceOf.empty() && inplaceOf[r] >= 0)
      (*object)["inplace_of"] = valueIds.lookup(op->getOperand(inplaceOf[r]));
    outputs.push_back((*object)["id"]);
    values.push_back(std::move(*object));
  }
  json::Object step{
      {"kind", kind},
      {"name", stepName(op->getLoc())},
      {"inputs", std::move(*inputs)},
      {"outputs", std::move(outputs)},
      {"attrs", std::move(*attrs)}};
  if (options.cuda.emitKernels && failed(attachKernel(op, step)))
    return failure();
  steps.push_back(std::move(step));
  return success();
}

//===----------------------------------------------------------------------===//
// CUDA kernels (docs/cuda.md "Code generation")
//===----------------------------------------------------------------------===//

static LogicalResult writeTextFile(Location loc, StringRef path,
                                   function_ref<void(llvm::raw_ostream &)> write);

/// Generates the step's CUDA kernel, if its kind has a generator, from the step's
/// steps.json form; records it (identical kernels share one name and file) and adds
/// the step's "kernel" entry.
LogicalResult BundleBuilder::attachKernel(Operation *op, json::Object &step) {
  StringRef kind = *step.getString("kind");
  if (!cuda::hasKernelGenerator(kind))
    return success();
  auto operands = [&](StringRef key) {
    SmallVector<cuda::OperandInfo> list;
    for (const json::Value &id : *step.getArray(key)) {
      cuda::OperandInfo info;
      int64_t v = *id.getAsInteger();
      if (v < 0) {
        info.present = false;
      } else {
        const json::Object *value = values[v].getAsObject();
        info.dtype = value->getString("dtype")->str();
        for (const json::Value &d : *value->getArray("shape"))
          info.shape.push_back(*d.getAsInteger());
      }
      list.push_back(std::move(info));
    }
    return list;
  };
  SmallVector<cuda::OperandInfo> inputs = operands("inputs"), outputs = operands("outputs");
  cuda::StepInfo info{kind, *step.getObject("attrs"), inputs, outputs};
  auto generated = cuda::generateKernel(info);
  if (!generated) {
    std::string message;
    bool beyondLimits = false;
    llvm::handleAllErrors(generated.takeError(), [&](const llvm::ErrorInfoBase &e) {
      message = e.message();
      beyondLimits = e.convertToErrorCode() == std::errc::not_supported;
    });
    if (beyondLimits) {
      mlir::emitWarning(op->getLoc())
          << "step " << steps.size() << " (" << kind << " '" << *step.getString("name")
          << "') gets no CUDA kernel: " << message << "; it runs on cpu only";
      return success();
    }
    error(op->getLoc()) << "cannot generate the CUDA kernel of step " << steps.size()
                        << " (" << kind << " '" << *step.getString("name") << "'): "
                        << message
                        << " (--cuda-kernels=false writes the bundle without kernels)";
    return failure();
  }
  if (!*generated)
    return success();
  const cuda::GeneratedKernel original = std::move(**generated);
  cuda::GeneratedKernel k = original;
  // Identical kernels share a name; a different kernel with the same name (a hash
  // collision) is renamed with a suffix, deterministically in step order.
  for (int suffix = 2;; ++suffix) {
    auto [it, inserted] = kernels.try_emplace(k.name, k);
    if (inserted || it->second.source == k.source)
      break;
    k = cuda::renameKernel(original, original.name + "_" + std::to_string(suffix));
  }
  step["kernel"] = json::Object{{"name", k.name},
                                {"source", "kernels/" + k.name + ".cu"},
                                {"launch", k.launch.toJson()}};
  return success();
}

/// Writes kernels/K.cu per distinct kernel and the templates they include, so that
/// `nvcc -I NAME.dsb/kernels` compiles any of them; then compiles them ahead of time
/// when archs were given.
LogicalResult BundleBuilder::writeKernels(StringRef dir) {
  Location loc = func.getLoc();
  const cuda::CudaOptions &cudaOptions = options.cuda;
  if (!cudaOptions.archs.empty() && !cudaOptions.aotCompile) {
    error(loc) << "--cuda-arch=" << llvm::join(cudaOptions.archs, ",")
               << ": ahead-of-time compilation of kernels is not available in this build";
    return failure();
  }
  if (kernels.empty())
    return success();
  SmallString<256> kernelsDir(dir);
  llvm::sys::path::append(kernelsDir, "kernels");
  if (std::error_code ec = llvm::sys::fs::create_directory(kernelsDir)) {
    error(loc) << "cannot create '" << kernelsDir << "': " << ec.message();
    return failure();
  }
  auto writeIn = [&](StringRef name, StringRef text) {
    SmallString<256> path(kernelsDir);
    llvm::sys::path::append(path, name);
    return writeTextFile(loc, path, [&](llvm::raw_ostream &os) { os << text; });
  };
  std::vector<cuda::GeneratedKernel> list;
  for (const auto &[name, kernel] : kernels) {
    if (failed(writeIn(name + ".cu", kernel.source)))
      return failure();
    list.push_back(kernel);
  }
  if (llvm::Error e = cuda::writeKernelTemplates(kernelsDir)) {
    error(loc) << llvm::toString(std::move(e));
    return failure();
  }
  if (cudaOptions.archs.empty())
    return success();
  // The hook's message says which kernel and arch failed and where the repro is.
  if (llvm::Error e = cudaOptions.aotCompile(kernelsDir, list, cudaOptions.archs)) {
    error(loc) << llvm::toString(std::move(e));
    return failure();
  }
  return success();
}

LogicalResult BundleBuilder::build() {
  SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal())
      funcs.push_back(f);
  if (funcs.size() != 1) {
    error(module.getLoc()) << "a bundle is built from a module with one function, this "
                              "one has "
                           << funcs.size();
    return failure();
  }
  func = funcs.front();
  if (!func.getBody().hasOneBlock()) {
    error(func.getLoc()) << "function @" << func.getSymName()
                         << " has several blocks; a bundle needs one";
    return failure();
  }
  Block &block = func.getBody().front();

  for (BlockArgument arg : block.getArguments()) {
    unsigned i = arg.getArgNumber();
    std::string name = "input_" + std::to_string(i);
    if (auto n = func.getArgAttrOfType<StringAttr>(i, "ds.name"))
      name = n.getValue().str();
    auto object = valueJson(arg, func.getLoc(), "input '" + name + "'");
    if (failed(object))
      return failure();
    (*object)["def"] = "input";
    (*object)["index"] = int64_t(i);
    auto type = cast<RankedTensorType>(arg.getType());
    json::Array dims;
    auto dimNames = func.getArgAttrOfType<ArrayAttr>(i, "ds.dims");
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      std::string dimName;
      if (dimNames && d < dimNames.size())
        if (auto s = dyn_cast<StringAttr>(dimNames[d]))
          dimName = s.getValue().str();
      dims.push_back(ShapedType::isDynamic(size) ? dimName : std::string());
    }
    manifestInputs.push_back(json::Object{{"name", name},
                                          {"dtype", (*object)["dtype"]},
                                          {"shape", (*object)["shape"]},
                                          {"dims", std::move(dims)}});
    inputIds.push_back((*object)["id"]);
    values.push_back(std::move(*object));
  }

  for (Operation &op : block) {
    if (isa<ConstantOp, ExternalWeightOp>(op)) {
      if (failed(addWeight(&op)))
        return failure();
    } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        std::string name = "output_" + std::to_string(i);
        if (auto n = func.getResultAttrOfType<StringAttr>(i, "ds.name"))
          name = n.getValue().str();
        int64_t id = valueIds.lookup(v);
        const json::Object *object = values[id].getAsObject();
        json::Array dims;
        auto dimNames = func.getResultAttrOfType<ArrayAttr>(i, "ds.dims");
        for (auto [d, size] : llvm::enumerate(cast<RankedTensorType>(v.getType()).getShape())) {
          std::string dimName;
          if (dimNames && d < dimNames.size())
            if (auto s = dyn_cast<StringAttr>(dimNames[d]))
              dimName = s.getValue().str();
          dims.push_back(ShapedType::isDynamic(size) ? dimName : std::string());
        }
        manifestOutputs.push_back(json::Object{{"name", name},
                                               {"dtype", *object->get("dtype")},
                                               {"shape", *object->get("shape")},
                                               {"dims", std::move(dims)}});
        outputIds.push_back(id);
      }
    } else if (failed(addStep(&op))) {
      return failure();
    }
  }
  if (auto s = func->getAttrOfType<BoolAttr>(kPlanStaticAttr))
    planStatic = s.getValue();
  if (auto bytes = func->getAttrOfType<IntegerAttr>(kArenaBytesAttr))
    arenaBytes = bytes.getInt();
  else
    planStatic = false;
  return success();
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

LogicalResult BundleBuilder::writeWeightData(const Weight &w, llvm::raw_ostream &os) {
  Location loc = w.op->getLoc();
  auto checkLength = [&](size_t got) {
    if ((int64_t)got == w.bytes)
      return success();
    error(loc) << "weight '" << w.name << "' has " << got << " bytes of data but its type "
               << w.op->getResult(0).getType() << " needs " << w.bytes;
    return failure();
  };
  if (auto ext = dyn_cast<ExternalWeightOp>(w.op)) {
    SmallString<256> path(options.modelDir);
    llvm::sys::path::append(path, ext.getLocation());
    auto buffer = llvm::MemoryBuffer::getFileSlice(path, ext.getLength(), ext.getOffset(),
                                                   /*IsVolatile=*/false);
    if (!buffer) {
      error(loc) << "cannot read weight '" << w.name << "' (" << ext.getLength()
                 << " bytes at offset " << ext.getOffset() << ") from '" << path
                 << "': " << buffer.getError().message();
      return failure();
    }
    if (failed(checkLength((*buffer)->getBufferSize())))
      return failure();
    os << (*buffer)->getBuffer();
    return success();
  }
  Attribute value = cast<ConstantOp>(w.op).getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob) {
      error(loc) << "the data of resource '" << resource.getRawHandle().getKey()
                 << "' is missing (was it elided when the module was printed?)";
      return failure();
    }
    ArrayRef<char> data = blob->getData();
    if (failed(checkLength(data.size())))
      return failure();
    os.write(data.data(), data.size());
    return success();
  }
  auto dense = cast<DenseIntOrFPElementsAttr>(value);
  int64_t count = dense.getNumElements();
  if (dense.getElementType().isInteger(1)) {
    // Bit-packed in MLIR; one byte per element in a bundle.
    std::string bytes;
    bytes.reserve(count);
    for (bool b : dense.getValues<bool>())
      bytes.push_back(b ? 1 : 0);
    if (failed(checkLength(bytes.size())))
      return failure();
    os << bytes;
    return success();
  }
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat()) {
    if (failed(checkLength(raw.size())))
      return failure();
    os.write(raw.data(), raw.size());
    return success();
  }
  // A splat stores one element: expand it, a chunk at a time.
  if (failed(checkLength(raw.size() * count)))
    return failure();
  std::string chunk;
  int64_t perChunk = std::max<int64_t>(1, std::min<int64_t>(count, 65536 / std::max<size_t>(raw.size(), 1)));
  for (int64_t i = 0; i < perChunk; ++i)
    chunk.append(raw.data(), raw.size());
  for (int64_t done = 0; done < count; done += perChunk)
    os.write(chunk.data(), std::min(perChunk, count - done) * raw.size());
  return success();
}

/// Writes `text` to `path`; failure with a message naming the file.
static LogicalResult writeTextFile(Location loc, StringRef path,
                                   function_ref<void(llvm::raw_ostream &)> write) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (!ec) {
    write(os);
    os.close();
    ec = os.error();
  }
  if (ec) {
    mlir::emitError(loc) << "cannot write '" << path << "': " << ec.message();
    os.clear_error();
    return failure();
  }
  return success();
}

/// Prints `[a, b]` with each element compact on its own line, so that the files stay
/// readable and greppable (one value or step per line).
static void printListLines(llvm::raw_ostream &os, StringRef key,
                           const std::vector<json::Value> &list, bool last) {
  os << "  \"" << key << "\": [";
  for (auto [i, v] : llvm::enumerate(list))
    os << (i ? ",\n    " : "\n    ") << v;
  os << (list.empty() ? "]" : "\n  ]") << (last ? "\n" : ",\n");
}

LogicalResult BundleBuilder::writeFiles(StringRef dir) {
  Location loc = func.getLoc();
  json::Object memoryPlan{{"static", planStatic}, {"alignment", kBundleAlignment}};
  if (planStatic)
    memoryPlan["arena_bytes"] = arenaBytes;

  // weights.bin: header offsets are relative to the data section, which starts at a
  // 64-byte aligned file offset (the header is padded with spaces).
  json::Object header;
  int64_t offset = 0, weightBytes = 0;
  for (Weight &w : weights) {
    w.offset = offset;
    header[w.name] = json::Object{{"dtype", w.dtype},
                                  {"shape", json::Array(w.shape)},
                                  {"offset", w.offset},
                                  {"length", w.bytes}};
    offset = llvm::alignTo(offset + w.bytes, kBundleAlignment);
    weightBytes += w.bytes;
  }
  std::string headerText = llvm::formatv("{0}", json::Value(std::move(header)));
  headerText.append(llvm::alignTo(8 + headerText.size(), kBundleAlignment) - 8 -
                        headerText.size(),
                    ' ');
  SmallString<256> weightsPath(dir);
  llvm::sys::path::append(weightsPath, "weights.bin");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(weightsPath, ec, llvm::sys::fs::OF_None);
    if (ec) {
      error(loc) << "cannot write '" << weightsPath << "': " << ec.message();
      return failure();
    }
    uint64_t length = headerText.size();
    char lengthBytes[8];
    for (int i = 0; i < 8; ++i)
      lengthBytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    os.write(lengthBytes, 8);
    os << headerText;
    int64_t written = 0;
    for (const Weight &w : weights) {
      os.write_zeros(w.offset - written);
      if (failed(writeWeightData(w, os))) {
        os.close();
        os.clear_error();
        return failure();
      }
      written = w.offset + w.bytes;
    }
    os.close();
    if (os.has_error()) {
      error(loc) << "cannot write '" << weightsPath << "': " << os.error().message();
      os.clear_error();
      return failure();
    }
  }

  SmallString<256> stepsPath(dir);
  llvm::sys::path::append(stepsPath, "steps.json");
  if (failed(writeTextFile(loc, stepsPath, [&](llvm::raw_ostream &os) {
        os << "{\n  \"format_version\": " << kBundleFormatVersion << ",\n";
        os << "  \"inputs\": " << json::Value(json::Array(inputIds)) << ",\n";
        os << "  \"outputs\": " << json::Value(json::Array(outputIds)) << ",\n";
        printListLines(os, "values", values, false);
        printListLines(os, "steps", steps, false);
        os << "  \"memory_plan\": " << json::Value(json::Object(memoryPlan)) << "\n}\n";
      })))
    return failure();

  json::Object manifest{
      {"format_version", kBundleFormatVersion},
      {"ds_version", DS_VERSION_STRING},
      {"producer", options.producer},
      {"inputs", std::move(manifestInputs)},
      {"outputs", std::move(manifestOutputs)},
      {"target_archs", json::Array{}},
      {"memory_plan", std::move(memoryPlan)},
      {"steps", int64_t(steps.size())},
      {"weights", json::Object{{"count", int64_t(weights.size())}, {"bytes", weightBytes}}}};
  if (auto producer = module->getAttrOfType<StringAttr>("ds.producer"))
    manifest["model_producer"] = producer.getValue().str();
  if (failed(writeKernels(dir)))
    return failure();
  if (!kernels.empty())
    manifest["target_archs"] = json::Array(options.cuda.archs);
  SmallString<256> manifestPath(dir);
  llvm::sys::path::append(manifestPath, "manifest.json");
  return writeTextFile(loc, manifestPath, [&](llvm::raw_ostream &os) {
    os << llvm::formatv("{0:2}", json::Value(std::move(manifest))) << "\n";
  });
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

LogicalResult ds::writeBundle(ModuleOp module, StringRef bundlePath,
                              const BundleOptions &options) {
  Location loc = module.getLoc();
  namespace fs = llvm::sys::fs;
  SmallString<256> path(bundlePath);
  while (path.size() > 1 && llvm::sys::path::is_separator(path.back()))
    path.pop_back();
  if (fs::exists(path) && !fs::is_directory(path)) {
    mlir::emitError(loc) << "'" << path
                         << "' exists and is not a directory; a bundle is a directory";
    return failure();
  }
  SmallString<256> parent = llvm::sys::path::parent_path(path);
  if (parent.empty())
    parent = ".";
  if (!fs::is_directory(parent)) {
    mlir::emitError(loc) << "cannot write the bundle '" << path << "': directory '"
                         << parent << "' does not exist";
    return failure();
  }

  BundleBuilder builder(module, options);
  if (failed(builder.build()))
    return failure();

  std::string pid = std::to_string(llvm::sys::Process::getProcessId());
  std::string tmp = (path + ".tmp-" + pid).str();
  fs::remove_directories(tmp);
  if (std::error_code ec = fs::create_directory(tmp)) {
    mlir::emitError(loc) << "cannot create '" << tmp << "': " << ec.message();
    return failure();
  }
  if (failed(builder.writeFiles(tmp))) {
    fs::remove_directories(tmp);
    return failure();
  }
  // rename() cannot replace a non-empty directory: move the old bundle aside first.
  std::string old;
  if (fs::exists(path)) {
    old = (path + ".old-" + pid).str();
    fs::remove_directories(old);
    if (std::error_code ec = fs::rename(path, old)) {
      mlir::emitError(loc) << "cannot replace '" << path << "': " << ec.message();
      fs::remove_directories(tmp);
      return failure();
    }
  }
  if (std::error_code ec = fs::rename(tmp, path)) {
    mlir::emitError(loc) << "cannot rename '" << tmp << "' to '" << path
                         << "': " << ec.message();
    if (!old.empty())
      (void)fs::rename(old, path);
    fs::remove_directories(tmp);
    return failure();
  }
  if (!old.empty())
    fs::remove_directories(old);
  return success();
}
