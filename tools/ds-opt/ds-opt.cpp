//===- ds-opt.cpp - the ds optimizer driver --------------------------------===//
//
// mlir-opt for ds: reads .mlir (text or bytecode) or .onnx (imported first), runs the
// passes or named pipelines given, and prints the result.
//
//===----------------------------------------------------------------------===//

#include "ds/Dialect/Ds/IR/DsDialect.h"
#include "ds/Import/ONNX/Importer.h"
#include "ds/Transforms/Passes.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

static llvm::cl::OptionCategory importCategory("ONNX import options");

static llvm::cl::list<std::string> inputShapes(
    "input-shape",
    llvm::cl::desc("Fix the dims of a graph input: NAME:D0xD1... ('?' keeps a dim "
                   "dynamic); repeat or join with commas"),
    llvm::cl::cat(importCategory));

enum class InputFormat { Auto, Mlir, Onnx };
static llvm::cl::opt<InputFormat> inputFormat(
    "input-format", llvm::cl::desc("How to read the input file"),
    llvm::cl::init(InputFormat::Auto),
    llvm::cl::values(clEnumValN(InputFormat::Auto, "auto",
                                ".onnx files are imported, anything else is MLIR"),
                     clEnumValN(InputFormat::Mlir, "mlir", "MLIR text or bytecode"),
                     clEnumValN(InputFormat::Onnx, "onnx", "an ONNX model")),
    llvm::cl::cat(importCategory));

static int importAndRun(StringRef inputFilename, StringRef outputFilename,
                        DialectRegistry &registry) {
  ds::onnx_import::ImportOptions options;
  for (const std::string &spec : inputShapes) {
    std::string err = ds::onnx_import::parseInputShapeSpec(spec, options);
    if (!err.empty()) {
      llvm::WithColor::error(llvm::errs(), "ds-opt") << err << "\n";
      return 1;
    }
  }

  std::string bytecode;
  {
    MLIRContext context(registry);
    std::vector<std::string> errors;
    OwningOpRef<ModuleOp> module =
        ds::onnx_import::importOnnxFile(context, inputFilename, options, errors);
    if (!module) {
      for (const std::string &e : errors)
        llvm::WithColor::error(llvm::errs(), "ds-opt") << inputFilename << ": " << e
                                                       << "\n";
      if (errors.empty())
        llvm::WithColor::error(llvm::errs(), "ds-opt")
            << inputFilename << ": import failed\n";
      return 1;
    }
    // Hand the module to MlirOptMain as bytecode: weights stay binary, nothing is
    // printed and re-parsed as text.
    llvm::raw_string_ostream os(bytecode);
    if (failed(writeBytecodeToFile(*module, os))) {
      llvm::WithColor::error(llvm::errs(), "ds-opt") << "cannot serialize the module\n";
      return 1;
    }
  }

  std::string errorMessage;
  auto output = openOutputFile(outputFilename, &errorMessage);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "ds-opt") << errorMessage << "\n";
    return 1;
  }
  auto config = MlirOptMainConfig::createFromCLOptions();
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(bytecode, inputFilename);
  if (failed(MlirOptMain(output->os(), std::move(buffer), registry, config)))
    return 1; // the output file is removed: nothing half-written is left behind
  output->keep();
  return 0;
}

int main(int argc, char **argv) {
  DialectRegistry registry;
  registry.insert<ds::DsDialect, func::FuncDialect>();
  registerTransformsPasses();
  ds::registerDSPasses();
  ds::registerPipelines();

  auto [inputFilename, outputFilename] =
      registerAndParseCLIOptions(argc, argv, "ds optimizer driver\n", registry);

  bool isOnnx = inputFormat == InputFormat::Onnx ||
                (inputFormat == InputFormat::Auto && StringRef(inputFilename).ends_with(".onnx"));
  if (isOnnx)
    return importAndRun(inputFilename, outputFilename, registry);
  return asMainReturnCode(MlirOptMain(argc, argv, inputFilename, outputFilename, registry));
}
