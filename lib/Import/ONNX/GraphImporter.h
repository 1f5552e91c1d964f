//===- GraphImporter.h - state of one ONNX graph import ----------*- C++ -*-===//
#ifndef DS_LIB_IMPORT_ONNX_GRAPHIMPORTER_H
#define DS_LIB_IMPORT_ONNX_GRAPHIMPORTER_H

#include "NodeContext.h"
#include "ds/Import/ONNX/Importer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/MemoryBuffer.h"

namespace mlir::ds::onnx_import {

/// External data files of one model, each mapped once and shared by its tensors.
class ExternalDataFiles {
public:
  explicit ExternalDataFiles(std::string modelDir) : modelDir(std::move(modelDir)) {}
  /// Validates `location` (relative, inside the model directory after resolving
  /// symlinks) and maps it. Returns null and sets `error` on failure.
  const llvm::MemoryBuffer *get(StringRef location, std::string &error);

private:
  std::string modelDir;
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> files;
};

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const ImportOptions &options, std::string modelPath,
                std::vector<std::string> &errors);

  OwningOpRef<ModuleOp> import(const onnx::ModelProto &model);

  /// The value bound to an ONNX name, or null.
  Value lookup(StringRef name) const { return values.lookup(name); }
  void bind(StringRef name, Value value) { values[name] = value; }

  /// Converts a TensorProto into a constant op result (dense for small tensors,
  /// a resource blob or an external reference for weights).
  FailureOr<Value> importTensor(OpBuilder &b, Location loc,
                                const onnx::TensorProto &tensor);
  /// Converts a TensorProto to an attribute; forces dense elements (for attributes).
  FailureOr<ElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                       bool forceDense);

  /// Records an error message, prefixed with the current node if one is set.
  void error(const Twine &message);
  void setCurrentNode(const onnx::NodeProto *node, int64_t opset) {
    currentNode = node;
    currentOpset = opset;
  }
  std::string describeNode(const onnx::NodeProto &node, int64_t opset) const;

  MLIRContext &ctx;

private:
  LogicalResult readOpsets(const onnx::ModelProto &model);
  LogicalResult checkSupported(const onnx::GraphProto &graph);
  FailureOr<SmallVector<int>> sortNodes(const onnx::GraphProto &graph);
  FailureOr<RankedTensorType> inputType(const onnx::ValueInfoProto &info,
                                        SmallVectorImpl<Attribute> &dimNames);
  int64_t opsetOf(StringRef domain) const;

  const ImportOptions &options;
  std::string modelPath;
  std::vector<std::string> &errors;
  ExternalDataFiles externalData;
  HandlerRegistry registry;
  llvm::StringMap<int64_t> opsets;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  const onnx::NodeProto *currentNode = nullptr;
  int64_t currentOpset = 0;
  unsigned blobCounter = 0;
};

} // namespace mlir::ds::onnx_import

#endif
