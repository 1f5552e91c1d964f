//===- ds-opt.cpp - the ds optimizer driver --------------------------------===//
//
// mlir-opt for ds: reads .mlir (text or bytecode) or .onnx (imported first), runs the
// passes or named pipelines given, and prints the result. With --emit=bundle it runs
// the given passes, then the ds-lower-to-bundle pipeline, and writes the bundle
// directory named by -o (docs/bundle.md).
//
//===----------------------------------------------------------------------===//

#include "ds/Dialect/Ds/IR/DsDialect.h"
#include "ds/Import/ONNX/Importer.h"
#include "ds/Target/Bundle/BundleWriter.h"
#include "ds/Target/Cuda/CudaCodegen.h"
#include "ds/Transforms/Passes.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include <cstring>

using namespace mlir;

static llvm::cl::OptionCategory importCategory("ONNX import options");

static llvm::cl::list<std::string> inputShapes(
    "input-shape",
    llvm::cl::desc("Fix the dims of a graph input: NAME:D0xD1... ('?' keeps a dim "
                   "dynamic); repeat or join with commas"),
    llvm::cl::cat(importCategory));

static llvm::cl::list<std::string> bindInputs(
    "bind-input",
    llvm::cl::desc("Specialize a graph input to a constant: NAME=@FILE.pb (a serialized "
                   "ONNX TensorProto); repeat for several inputs"),
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

static llvm::cl::OptionCategory emitCategory("Output options");

enum class EmitKind { Mlir, Bundle, CudaKernels };
static llvm::cl::opt<EmitKind> emitKind(
    "emit", llvm::cl::desc("What to write to -o"), llvm::cl::init(EmitKind::Mlir),
    llvm::cl::values(
        clEnumValN(EmitKind::Mlir, "mlir", "the module after the passes (default)"),
        clEnumValN(EmitKind::Bundle, "bundle",
                   "a bundle directory NAME.dsb: runs the given passes, then "
                   "ds-lower-to-bundle"),
        clEnumValN(EmitKind::CudaKernels, "cuda-kernels",
                   "the CUDA kernels of a bundle's steps.json (the input): writes "
                   "-o DIR/kernels/ and DIR/steps.json with the kernel entries")),
    llvm::cl::cat(emitCategory));

static llvm::cl::opt<std::string> modelDir(
    "model-dir",
    llvm::cl::desc("With --emit=bundle: the directory ds.external_weight locations are "
                   "relative to (default: the input file's directory)"),
    llvm::cl::value_desc("dir"), llvm::cl::cat(emitCategory));

static llvm::cl::opt<bool> cudaKernels(
    "cuda-kernels",
    llvm::cl::desc("With --emit=bundle: generate the CUDA kernels (kernels/K.cu) of the "
                   "steps that have a generator (default: true; =false to leave them out)"),
    llvm::cl::init(true), llvm::cl::cat(emitCategory));

static llvm::cl::list<std::string> cudaArchs(
    "cuda-arch",
    llvm::cl::desc("With --emit=bundle: compile the kernels ahead of time for these "
                   "archs (e.g. sm_80,sm_90a)"),
    llvm::cl::CommaSeparated, llvm::cl::value_desc("arch"), llvm::cl::cat(emitCategory));

/// Copies `bytes` into a 64-byte aligned buffer: bytecode resource sections (weights)
/// are 64-byte aligned, and the reader refuses a buffer that is not.
static std::unique_ptr<llvm::MemoryBuffer> alignedCopy(StringRef bytes, StringRef name) {
  auto buffer =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(bytes.size(), name, llvm::Align(64));
  std::memcpy(buffer->getBufferStart(), bytes.data(), bytes.size());
  return buffer;
}

/// Imports an ONNX model and serializes it as bytecode; null after reporting errors.
static std::unique_ptr<llvm::MemoryBuffer> importOnnx(StringRef inputFilename,
                                                      DialectRegistry &registry) {
  ds::onnx_import::ImportOptions options;
  for (const std::string &spec : inputShapes) {
    std::string err = ds::onnx_import::parseInputShapeSpec(spec, options);
    if (!err.empty()) {
      llvm::WithColor::error(llvm::errs(), "ds-opt") << err << "\n";
      return nullptr;
    }
  }
  for (const std::string &spec : bindInputs) {
    std::string err = ds::onnx_import::parseBindInputSpec(spec, options);
    if (!err.empty()) {
      llvm::WithColor::error(llvm::errs(), "ds-opt") << err << "\n";
      return nullptr;
    }
  }
  MLIRContext context(registry);
  std::vector<std::string> errors;
  OwningOpRef<ModuleOp> module =
      ds::onnx_import::importOnnxFile(context, inputFilename, options, errors);
  if (!module) {
    for (const std::string &e : errors)
      llvm::WithColor::error(llvm::errs(), "ds-opt") << inputFilename << ": " << e
                                                     << "\n";
    if (errors.empty())
      llvm::WithColor::error(llvm::errs(), "ds-opt") << inputFilename
                                                     << ": import failed\n";
    return nullptr;
  }
  // Handed to MlirOptMain as bytecode: weights stay binary, nothing is printed and
  // re-parsed as text.
  std::string bytecode;
  llvm::raw_string_ostream os(bytecode);
  if (failed(writeBytecodeToFile(*module, os))) {
    llvm::WithColor::error(llvm::errs(), "ds-opt") << "cannot serialize the module\n";
    return nullptr;
  }
  return alignedCopy(bytecode, inputFilename);
}

/// --emit=bundle: parses the (imported) module, runs the passes given on the command
/// line and then ds-lower-to-bundle, and writes the bundle. Returns the exit code.
static int emitBundle(std::unique_ptr<llvm::MemoryBuffer> input, DialectRegistry &registry,
                      StringRef inputFilename, StringRef outputFilename) {
  if (outputFilename == "-") {
    llvm::WithColor::error(llvm::errs(), "ds-opt")
        << "--emit=bundle writes a directory: give it with -o NAME.dsb\n";
    return 1;
  }
  auto config = MlirOptMainConfig::createFromCLOptions();
  MLIRContext context(registry);
  context.allowUnregisteredDialects(config.shouldAllowUnregisteredDialects());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;
  PassManager pm(&context, ModuleOp::getOperationName());
  pm.enableVerifier(config.shouldVerifyPasses());
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  if (failed(config.setupPassPipeline(pm)))
    return 1;
  ds::buildLowerToBundlePipeline(pm);
  if (failed(pm.run(*module)))
    return 1;

  ds::BundleOptions options;
  if (!modelDir.empty()) {
    options.modelDir = modelDir;
  } else {
    SmallString<256> dir(inputFilename);
    llvm::sys::path::remove_filename(dir);
    options.modelDir = dir.empty() ? "." : std::string(dir);
  }
  options.producer = "ds-opt " DS_VERSION_STRING;
  options.cuda.emitKernels = cudaKernels;
  if (!cudaKernels && !cudaArchs.empty()) {
    llvm::WithColor::error(llvm::errs(), "ds-opt")
        << "--cuda-arch needs the kernels: it cannot be combined with --cuda-kernels=false\n";
    return 1;
  }
  if (!cudaArchs.empty()) {
    std::vector<std::string> given(cudaArchs.begin(), cudaArchs.end());
    if (llvm::Error e = ds::cuda::parseCudaArchs(given).moveInto(options.cuda.archs)) {
      llvm::WithColor::error(llvm::errs(), "ds-opt") << llvm::toString(std::move(e)) << "\n";
      return 1;
    }
    options.cuda.aotCompile = ds::cuda::nvrtcAotCompiler();
  }
  if (failed(ds::writeBundle(*module, outputFilename, options)))
    return 1;
  return 0;
}

/// --emit=cuda-kernels: the kernels of an existing bundle's steps.json, regenerated
/// into -o DIR (DIR/kernels/K.cu and DIR/steps.json with the kernel entries).
static int emitCudaKernels(StringRef inputFilename, StringRef outputFilename) {
  auto fail = [](const Twine &message) {
    llvm::WithColor::error(llvm::errs(), "ds-opt") << message << "\n";
    return 1;
  };
  if (outputFilename == "-")
    return fail("--emit=cuda-kernels writes a directory: give it with -o DIR");
  auto file = llvm::MemoryBuffer::getFileOrSTDIN(inputFilename);
  if (!file)
    return fail("cannot read '" + inputFilename + "': " + file.getError().message());
  SmallString<256> kernelsDir(outputFilename);
  llvm::sys::path::append(kernelsDir, "kernels");
  auto steps = ds::cuda::generateKernelsForSteps((*file)->getBuffer(), inputFilename,
                                                 kernelsDir);
  if (!steps)
    return fail(llvm::toString(steps.takeError()));
  SmallString<256> stepsPath(outputFilename);
  llvm::sys::path::append(stepsPath, "steps.json");
  std::error_code ec;
  llvm::raw_fd_ostream os(stepsPath, ec);
  if (ec)
    return fail("cannot write '" + stepsPath + "': " + ec.message());
  os << *steps << "\n";
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

  if (emitKind == EmitKind::CudaKernels)
    return emitCudaKernels(inputFilename, outputFilename);

  bool isOnnx = inputFormat == InputFormat::Onnx ||
                (inputFormat == InputFormat::Auto &&
                 StringRef(inputFilename).ends_with(".onnx"));
  std::unique_ptr<llvm::MemoryBuffer> input;
  if (isOnnx) {
    input = importOnnx(inputFilename, registry);
  } else {
    std::string errorMessage;
    auto file = openInputFile(inputFilename, &errorMessage);
    if (!file)
      llvm::WithColor::error(llvm::errs(), "ds-opt") << errorMessage << "\n";
    else
      input = alignedCopy(file->getBuffer(), file->getBufferIdentifier());
  }
  if (!input)
    return 1;
  if (emitKind == EmitKind::Bundle)
    return emitBundle(std::move(input), registry, inputFilename, outputFilename);

  std::string errorMessage;
  auto output = openOutputFile(outputFilename, &errorMessage);
  if (!output) {
    llvm::WithColor::error(llvm::errs(), "ds-opt") << errorMessage << "\n";
    return 1;
  }
  auto config = MlirOptMainConfig::createFromCLOptions();
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1; // the output file is removed: nothing half-written is left behind
  output->keep();
  return 0;
}
