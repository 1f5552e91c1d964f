//===- Pipelines.cpp - named ds pass pipelines ----------------------------===//
//
// Every compile is reproducible from ds-opt: the pipelines are registered by name.
// Later issues append fusion, kernel formation and bundle emission to -O2/-O3.
//
//===----------------------------------------------------------------------===//

#include "ds/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

static void buildO1(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(ds::createDSFoldShapes());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::ds::buildLowerToBundlePipeline(OpPassManager &pm) {
  buildO1(pm);
  pm.addNestedPass<func::FuncOp>(ds::createDSFormKernels());
  pm.addNestedPass<func::FuncOp>(ds::createDSPlanMemory());
}

void mlir::ds::registerPipelines() {
  PassPipelineRegistration<>("ds-O0", "No graph optimization (import only)",
                             [](OpPassManager &) {});
  PassPipelineRegistration<>("ds-O1", "Fold shapes, canonicalize, CSE", buildO1);
  PassPipelineRegistration<>("ds-optimize", "The default ds graph pipeline", buildO1);
  PassPipelineRegistration<>(
      "ds-lower-to-bundle",
      "What --emit=bundle runs: ds-O1, then ds-form-kernels and ds-plan-memory",
      buildLowerToBundlePipeline);
}
