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

/// Where a TensorProto's bytes are, after its type, dims and data size were checked.
struct TensorSource {
  RankedTensorType type;
  int64_t numElements = 0;
  int64_t storageBytes = 0; // ONNX layout: bool one byte, 4-bit two per byte
  /// raw_data or the mapped range of the external file; empty for typed fields.
  ArrayRef<char> bytes;
  bool typedField = false;
  /// External data: the location as written in the model, and the offset.
  std::string location;
  int64_t offset = 0;
  bool isExternal() const { return !location.empty(); }
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
  /// With forceDense false, a large external tensor gives a null attribute (the
  /// caller references it instead).
  FailureOr<ElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                       bool forceDense);
  FailureOr<ElementsAttr> tensorToAttr(const onnx::TensorProto &tensor,
                                       bool forceDense, const Twine &what);
  /// Checks a TensorProto (element type, dims, data size, external data location and
  /// range) and locates its bytes. Errors start with `what` ("initializer 'w'").
  /// "attribute 'value'" for a tensor attribute of the current node, else
  /// "tensor 'NAME'".
  std::string describeTensor(const onnx::TensorProto &tensor) const;
  FailureOr<TensorSource> locateTensor(const onnx::TensorProto &tensor,
                                       const Twine &what);

  /// Records an error message, prefixed with the current node if one is set.
  void error(const Twine &message);
  void setCurrentNode(const onnx::NodeProto *node, int64_t opset) {
    currentNode = node;
    currentOpset = opset;
  }
  std::string describeNode(const onnx::NodeProto &node, int64_t opset) const;
  std::string describeNode(const onnx::NodeProto &node) const {
    return describeNode(node, opsetOf(node.domain()));
  }

  MLIRContext &ctx;

private:
  LogicalResult readOpsets(const onnx::ModelProto &model);
  LogicalResult checkSupported(const onnx::GraphProto &graph);
  LogicalResult checkInitializers(const onnx::GraphProto &graph);
  LogicalResult checkOutputType(const onnx::ValueInfoProto &out, Value v);
  FailureOr<Value> importSource(OpBuilder &b, Location loc,
                                const onnx::TensorProto &tensor,
                                const TensorSource &src);
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
  /// Initializers checked up front, imported on first use.
  llvm::StringMap<TensorSource> initializerSources;
  /// Graph index of each node, to name unnamed nodes.
  llvm::DenseMap<const onnx::NodeProto *, int> nodeIndex;
  /// The node that produces each value name.
  llvm::StringMap<const onnx::NodeProto *> producerOf;
  const onnx::NodeProto *currentNode = nullptr;
  int64_t currentOpset = 0;
  unsigned blobCounter = 0;
};

} // namespace mlir::ds::onnx_import

#endif
