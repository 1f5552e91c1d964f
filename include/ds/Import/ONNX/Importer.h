//===- Importer.h - ONNX to ds dialect importer --------------------*- C++ -*-===//
#ifndef DS_IMPORT_ONNX_IMPORTER_H
#define DS_IMPORT_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include <string>
#include <vector>

namespace mlir::ds::onnx_import {

struct ImportOptions {
  /// Fixed dims for graph inputs (`--input-shape=input_ids:1x128`); `?` keeps a dim
  /// dynamic.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Graph inputs specialized to constants (`--bind-input=axes=@axes.pb`): the value
  /// is a serialized ONNX TensorProto file. The input disappears from the signature.
  llvm::StringMap<std::string> boundInputs;
  /// Name of the imported function.
  std::string functionName = "main";
};

/// Parses one `NAME=@FILE` spec of --bind-input into `options`. Returns an error
/// message, or an empty string on success.
std::string parseBindInputSpec(llvm::StringRef spec, ImportOptions &options);

/// Parses one `NAME:D0xD1x...` spec (several may be joined with commas) into `options`.
/// Returns an error message, or an empty string on success.
std::string parseInputShapeSpec(llvm::StringRef spec, ImportOptions &options);

/// Imports the ONNX model at `path`. External data files are resolved relative to the
/// model's directory. On failure returns null and fills `errors` with one message per
/// problem (every unsupported op is listed at once).
OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &context, llvm::StringRef path,
                                     const ImportOptions &options,
                                     std::vector<std::string> &errors);

/// Registers the dialects the importer creates ops of.
void registerImporterDialects(DialectRegistry &registry);

/// The newest ai.onnx opset the importer maps (that of the onnx package it was built
/// against) and the oldest.
int64_t maxSupportedOpset();
constexpr int64_t kMinSupportedOpset = 11;

} // namespace mlir::ds::onnx_import

#endif
