//===- NodeContext.h - what an ONNX op handler sees --------------*- C++ -*-===//
//
// Handlers (one file per ONNX op family) turn one NodeProto into ds ops through a
// NodeContext: typed access to inputs, constants and attributes, op creation that
// infers result types without aborting on bad shapes and folds constants on the spot
// (so shape sub-graphs collapse as they are imported), and errors that name the node.
//
//===----------------------------------------------------------------------===//
#ifndef DS_LIB_IMPORT_ONNX_NODECONTEXT_H
#define DS_LIB_IMPORT_ONNX_NODECONTEXT_H

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Dialect/Ds/IR/DsUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"

#include "onnx/onnx.pb.h"

#include <functional>
#include <optional>

namespace mlir::ds::onnx_import {

class GraphImporter;

/// Maps an ONNX TensorProto data type to an MLIR element type; null if unsupported.
Type convertOnnxElementType(MLIRContext *ctx, int32_t onnxType);
/// The ONNX name of a data type, for messages ("FLOAT16", "STRING", ...).
std::string onnxTypeName(int32_t onnxType);

class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node, int64_t opset,
              OpBuilder &builder, Location loc)
      : importer(importer), node(node), opset(opset), b(builder), loc(loc) {}

  GraphImporter &importer;
  const onnx::NodeProto &node;
  /// Opset version of the node's domain.
  const int64_t opset;
  OpBuilder &b;
  const Location loc;

  MLIRContext *getContext() { return b.getContext(); }

  //===--- Inputs -------------------------------------------------------===//
  size_t numInputs() const { return node.input_size(); }
  /// True when input `i` is given (present and not the empty name).
  bool hasInput(size_t i) const {
    return (int)i < node.input_size() && !node.input(i).empty();
  }
  /// The value of input `i`, or null when absent.
  Value input(size_t i);
  RankedTensorType inputType(size_t i) {
    Value v = input(i);
    return v ? mlir::cast<RankedTensorType>(v.getType()) : RankedTensorType();
  }
  /// The constant value of input `i`, if it is (or folded to) a constant.
  DenseElementsAttr constantInput(size_t i);
  /// The integer constant of input `i`, if it is one.
  std::optional<SmallVector<int64_t>> constantInts(size_t i) {
    return getConstantInts(input(i));
  }
  /// Like constantInts but fails with a message naming the input when not constant.
  FailureOr<SmallVector<int64_t>> requireConstantInts(size_t i, StringRef what);

  //===--- Attributes ---------------------------------------------------===//
  const onnx::AttributeProto *attr(StringRef name) const;
  bool hasAttr(StringRef name) const { return attr(name) != nullptr; }
  /// Typed attribute readers. A present attribute of the wrong kind records an error
  /// and yields the default; check `failed()` after reading.
  int64_t getInt(StringRef name, int64_t defaultValue);
  std::optional<int64_t> getOptionalInt(StringRef name);
  float getFloat(StringRef name, float defaultValue);
  std::optional<float> getOptionalFloat(StringRef name);
  std::string getString(StringRef name, StringRef defaultValue = "");
  std::optional<SmallVector<int64_t>> getInts(StringRef name);
  std::optional<SmallVector<float>> getFloats(StringRef name);
  /// A tensor-valued attribute (Constant's `value`, ConstantOfShape's `value`).
  FailureOr<ElementsAttr> getTensor(StringRef name);
  /// Element type of an ONNX dtype attribute (Cast `to`), with an error if unsupported.
  FailureOr<Type> getElementType(StringRef attrName, int32_t onnxType);

  //===--- Outputs ------------------------------------------------------===//
  size_t numOutputs() const { return node.output_size(); }
  bool hasOutput(size_t i) const {
    return (int)i < node.output_size() && !node.output(i).empty();
  }
  /// Binds the node's outputs in order. ONNX outputs without a value stay unbound (an
  /// error only if something uses them); values past the node's outputs are dropped.
  LogicalResult setOutputs(ValueRange values);
  LogicalResult setOutput(Value value) { return setOutputs(ValueRange(value)); }

  //===--- Errors -------------------------------------------------------===//
  /// Records an error about this node; the importer prefixes the node's name, op
  /// type, domain and opset. Always returns failure.
  LogicalResult fail(const Twine &message);
  InFlightDiagnostic emitError() { return mlir::emitError(loc); }
  bool failedAttributes() const { return attributeError; }

  //===--- Building ops -------------------------------------------------===//
  /// Creates `OpTy` with inferred result types, verifies it and folds it. Bad operand
  /// shapes give an error at the node (never an abort). Returns the single result.
  template <typename OpTy>
  FailureOr<Value> create(ValueRange operands, ArrayRef<NamedAttribute> attrs = {}) {
    auto results = createMulti<OpTy>(operands, attrs);
    if (failed(results))
      return failure();
    return (*results)[0];
  }
  template <typename OpTy>
  FailureOr<SmallVector<Value>> createMulti(ValueRange operands,
                                            ArrayRef<NamedAttribute> attrs = {}) {
    MLIRContext *ctx = getContext();
    DictionaryAttr dict = DictionaryAttr::get(ctx, attrs);
    typename OpTy::Properties props;
    // Defaults first: inference reads default-valued attributes the handler omits.
    OpTy::populateDefaultProperties(OperationName(OpTy::getOperationName(), ctx), props);
    if (failed(OpTy::setPropertiesFromAttr(props, dict,
                                           [&] { return mlir::emitError(loc); })))
      return failure();
    SmallVector<Type> types;
    if (failed(OpTy::inferReturnTypes(ctx, loc, operands, dict,
                                      OpaqueProperties(&props), {}, types)))
      return failure();
    return createWithTypes(OpTy::getOperationName(), types, operands, attrs);
  }
  /// Creates an op whose result types the handler gives (ops without inference).
  template <typename OpTy>
  FailureOr<Value> createTyped(Type resultType, ValueRange operands,
                               ArrayRef<NamedAttribute> attrs = {}) {
    auto results =
        createWithTypes(OpTy::getOperationName(), resultType, operands, attrs);
    if (failed(results))
      return failure();
    return (*results)[0];
  }
  FailureOr<SmallVector<Value>> createWithTypes(StringRef opName, TypeRange types,
                                                ValueRange operands,
                                                ArrayRef<NamedAttribute> attrs);

  NamedAttribute named(StringRef name, Attribute value) {
    return b.getNamedAttr(name, value);
  }

  //===--- Shorthands used by decompositions ----------------------------===//
  FailureOr<Value> unary(UnaryFn fn, Value x, std::optional<float> alpha = {},
                         std::optional<float> beta = {});
  FailureOr<Value> binary(BinaryFn fn, Value lhs, Value rhs);
  FailureOr<Value> compare(CompareFn fn, Value lhs, Value rhs);
  FailureOr<Value> select(Value cond, Value onTrue, Value onFalse);
  FailureOr<Value> cast(Value x, Type elementType);
  /// A constant tensor (dense) of `type` from one splat value.
  Value splat(RankedTensorType type, double value);
  /// A rank-0 constant of `elementType`.
  Value scalar(Type elementType, double value);
  /// A 1-D i64 constant.
  Value i64s(ArrayRef<int64_t> values);

private:
  bool attributeError = false;
  const onnx::AttributeProto *typedAttr(StringRef name,
                                        onnx::AttributeProto::AttributeType kind);
};

/// A handler imports one node. It reads inputs and attributes through the context and
/// binds every output it produces.
using HandlerFn = std::function<LogicalResult(NodeContext &)>;

/// Handlers by (domain, op type); each may start at a minimum opset version.
class HandlerRegistry {
public:
  void add(StringRef domain, StringRef opType, HandlerFn fn, int64_t sinceOpset = 1);
  /// The handler for `opType` at `opset`, or null.
  const HandlerFn *lookup(StringRef domain, StringRef opType, int64_t opset) const;

private:
  struct Entry {
    int64_t since;
    HandlerFn fn;
  };
  llvm::StringMap<SmallVector<Entry, 1>> entries;
};

/// Canonical domain names: "" and "ai.onnx" are the same default domain.
inline StringRef canonicalDomain(StringRef domain) {
  return domain.empty() ? StringRef("ai.onnx") : domain;
}

// One per op family (files of the same name).
void registerElementwiseHandlers(HandlerRegistry &registry);
void registerMathHandlers(HandlerRegistry &registry);
void registerShapeHandlers(HandlerRegistry &registry);
void registerTransformerHandlers(HandlerRegistry &registry);
void registerQuantHandlers(HandlerRegistry &registry);

} // namespace mlir::ds::onnx_import

#endif
