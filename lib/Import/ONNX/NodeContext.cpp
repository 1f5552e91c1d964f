//===- NodeContext.cpp - what an ONNX op handler sees ---------------------===//

#include "GraphImporter.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

Value NodeContext::input(size_t i) {
  if (!hasInput(i))
    return Value();
  return importer.lookup(node.input(i));
}

DenseElementsAttr NodeContext::constantInput(size_t i) {
  Value v = input(i);
  DenseElementsAttr attr;
  if (v && matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

FailureOr<SmallVector<int64_t>> NodeContext::requireConstantInts(size_t i,
                                                                 StringRef what) {
  if (auto ints = constantInts(i))
    return *ints;
  return fail("input #" + Twine(i) + " ('" + (hasInput(i) ? node.input(i) : "") +
              "', " + what + ") must be a constant, or computable from static shapes");
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

static const char *kindName(onnx::AttributeProto::AttributeType kind) {
  switch (kind) {
  case onnx::AttributeProto::INT: return "an int";
  case onnx::AttributeProto::FLOAT: return "a float";
  case onnx::AttributeProto::STRING: return "a string";
  case onnx::AttributeProto::INTS: return "a list of ints";
  case onnx::AttributeProto::FLOATS: return "a list of floats";
  case onnx::AttributeProto::TENSOR: return "a tensor";
  case onnx::AttributeProto::STRINGS: return "a list of strings";
  case onnx::AttributeProto::TENSORS: return "a list of tensors";
  case onnx::AttributeProto::GRAPH: return "a graph";
  case onnx::AttributeProto::GRAPHS: return "a list of graphs";
  case onnx::AttributeProto::SPARSE_TENSOR: return "a sparse tensor";
  case onnx::AttributeProto::TYPE_PROTO: return "a type";
  default: return "of unknown kind";
  }
}

const onnx::AttributeProto *
NodeContext::typedAttr(StringRef name, onnx::AttributeProto::AttributeType kind) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return nullptr;
  // Old exporters leave `type` unset; infer it from the field that is filled.
  onnx::AttributeProto::AttributeType actual = a->type();
  if (actual == onnx::AttributeProto::UNDEFINED) {
    if (a->has_i()) actual = onnx::AttributeProto::INT;
    else if (a->has_f()) actual = onnx::AttributeProto::FLOAT;
    else if (a->has_s()) actual = onnx::AttributeProto::STRING;
    else if (a->has_t()) actual = onnx::AttributeProto::TENSOR;
    else if (a->ints_size()) actual = onnx::AttributeProto::INTS;
    else if (a->floats_size()) actual = onnx::AttributeProto::FLOATS;
  }
  if (actual != kind) {
    attributeError = true;
    (void)fail("attribute '" + name + "' must be " + kindName(kind) + ", got " +
               kindName(actual));
    return nullptr;
  }
  return a;
}

int64_t NodeContext::getInt(StringRef name, int64_t defaultValue) {
  auto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : defaultValue;
}
std::optional<int64_t> NodeContext::getOptionalInt(StringRef name) {
  auto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? std::optional<int64_t>(a->i()) : std::nullopt;
}
float NodeContext::getFloat(StringRef name, float defaultValue) {
  auto *a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : defaultValue;
}
std::optional<float> NodeContext::getOptionalFloat(StringRef name) {
  auto *a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? std::optional<float>(a->f()) : std::nullopt;
}
std::string NodeContext::getString(StringRef name, StringRef defaultValue) {
  auto *a = typedAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : defaultValue.str();
}
std::optional<SmallVector<int64_t>> NodeContext::getInts(StringRef name) {
  auto *a = typedAttr(name, onnx::AttributeProto::INTS);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}
std::optional<SmallVector<float>> NodeContext::getFloats(StringRef name) {
  auto *a = typedAttr(name, onnx::AttributeProto::FLOATS);
  if (!a)
    return std::nullopt;
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}
FailureOr<ElementsAttr> NodeContext::getTensor(StringRef name) {
  auto *a = typedAttr(name, onnx::AttributeProto::TENSOR);
  if (!a)
    return failure();
  return importer.tensorToAttr(a->t(), /*forceDense=*/true);
}
FailureOr<Type> NodeContext::getElementType(StringRef attrName, int32_t onnxType) {
  Type t = convertOnnxElementType(getContext(), onnxType);
  if (!t)
    return fail("attribute '" + attrName + "' names " + onnxTypeName(onnxType) +
                ", which ds does not support");
  return t;
}

LogicalResult NodeContext::setOutputs(ValueRange values) {
  // ONNX lets a node omit trailing optional outputs; values past them are dropped.
  for (auto [i, v] : llvm::enumerate(values))
    if (hasOutput(i))
      importer.bind(node.output(i), v);
  return success();
}

LogicalResult NodeContext::fail(const Twine &message) {
  importer.error(message);
  return failure();
}

FailureOr<SmallVector<Value>>
NodeContext::createWithTypes(StringRef opName, TypeRange types, ValueRange operands,
                             ArrayRef<NamedAttribute> attrs) {
  OperationState state(loc, opName);
  state.addOperands(operands);
  state.addAttributes(attrs);
  state.addTypes(types);
  Operation *op = b.create(state);
  if (failed(mlir::verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return failure();
  }
  SmallVector<Value> results;
  if (succeeded(b.tryFold(op, results)) && !results.empty()) {
    op->erase();
    return results;
  }
  return SmallVector<Value>(op->getResults());
}

FailureOr<Value> NodeContext::unary(UnaryFn fn, Value x, std::optional<float> alpha,
                                    std::optional<float> beta) {
  SmallVector<NamedAttribute> attrs{named("fn", UnaryFnAttr::get(getContext(), fn))};
  if (alpha)
    attrs.push_back(named("alpha", b.getF32FloatAttr(*alpha)));
  if (beta)
    attrs.push_back(named("beta", b.getF32FloatAttr(*beta)));
  return create<UnaryOp>(x, attrs);
}
FailureOr<Value> NodeContext::binary(BinaryFn fn, Value lhs, Value rhs) {
  return create<BinaryOp>({lhs, rhs}, {named("fn", BinaryFnAttr::get(getContext(), fn))});
}
FailureOr<Value> NodeContext::compare(CompareFn fn, Value lhs, Value rhs) {
  return create<CompareOp>({lhs, rhs},
                           {named("fn", CompareFnAttr::get(getContext(), fn))});
}
FailureOr<Value> NodeContext::select(Value cond, Value onTrue, Value onFalse) {
  return create<SelectOp>({cond, onTrue, onFalse});
}
FailureOr<Value> NodeContext::cast(Value x, Type elementType) {
  auto type = mlir::cast<RankedTensorType>(x.getType());
  if (type.getElementType() == elementType)
    return x;
  return createTyped<CastOp>(type.clone(elementType), x);
}

Value NodeContext::splat(RankedTensorType type, double value) {
  Type e = type.getElementType();
  Attribute element;
  if (auto f = dyn_cast<FloatType>(e)) {
    APFloat v(value);
    bool lost;
    v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    element = FloatAttr::get(e, v);
  } else {
    auto it = mlir::cast<IntegerType>(e);
    element = IntegerAttr::get(e, APInt(it.getWidth(), (int64_t)value,
                                        /*isSigned=*/!it.isUnsigned(),
                                        /*implicitTrunc=*/true));
  }
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, element));
}
Value NodeContext::scalar(Type elementType, double value) {
  return splat(RankedTensorType::get({}, elementType), value);
}
Value NodeContext::i64s(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, b.getI64Type());
  return ConstantOp::create(b, loc, DenseIntElementsAttr::get(type, values));
}

void HandlerRegistry::add(StringRef domain, StringRef opType, HandlerFn fn,
                          int64_t sinceOpset) {
  std::string key = (canonicalDomain(domain) + "::" + opType).str();
  auto &list = entries[key];
  list.push_back({sinceOpset, std::move(fn)});
  llvm::sort(list, [](const Entry &a, const Entry &b) { return a.since > b.since; });
}

const HandlerFn *HandlerRegistry::lookup(StringRef domain, StringRef opType,
                                         int64_t opset) const {
  std::string key = (canonicalDomain(domain) + "::" + opType).str();
  auto it = entries.find(key);
  if (it == entries.end())
    return nullptr;
  for (const Entry &e : it->second)
    if (opset >= e.since)
      return &e.fn;
  return nullptr;
}
