//===- DSPlanMemory.cpp - plan the activation arena -------------------------===//
//
// The plan of docs/bundle.md section 5. A "storage" is one allocation: a value defined
// by a step, merged with the kernel results computed in place of it; views never own
// storage, they extend the live range of the storage they alias. The runtime computes
// the same plan for dynamic bundles, so the rules here and there must stay identical.
//
//===----------------------------------------------------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Transforms/MemoryPlan.h"
#include "ds/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/MathExtras.h"

#define DEBUG_TYPE "ds-plan-memory"

namespace mlir::ds {
#define GEN_PASS_DEF_DSPLANMEMORY
#include "ds/Transforms/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

bool ds::isBundleStep(Operation *op) {
  return !isa<ConstantOp, ExternalWeightOp>(op) && !op->hasTrait<OpTrait::IsTerminator>();
}

bool ds::isViewOp(Operation *op) {
  return isa<ReshapeOp, SqueezeOp, UnsqueezeOp, FlattenOp>(op);
}

int64_t ds::bundleElementBytes(Type elementType) {
  unsigned bits = elementType.getIntOrFloatBitWidth();
  return bits <= 8 ? 1 : (bits + 7) / 8;
}

std::optional<int64_t> ds::bundleTensorBytes(RankedTensorType type) {
  if (!type.hasStaticShape())
    return std::nullopt;
  int64_t bytes = bundleElementBytes(type.getElementType());
  for (int64_t d : type.getShape()) {
    if (d != 0 && bytes > std::numeric_limits<int64_t>::max() / d)
      return std::nullopt;
    bytes *= d;
  }
  return bytes;
}

namespace {

struct Storage {
  int64_t begin = 0, end = 0; // live range over step indices, inclusive
  int64_t bytes = 0;          // valid for static plans
  int64_t offset = -1;
};

/// Whether a kernel result may take the bytes of `input` at run time: equal static
/// sizes, or (dynamic) the same element width, rank and no static dim that differs.
bool sameBytes(Type input, Type result) {
  auto in = dyn_cast<RankedTensorType>(input);
  auto out = dyn_cast<RankedTensorType>(result);
  if (!in || !out)
    return false;
  if (bundleElementBytes(in.getElementType()) != bundleElementBytes(out.getElementType()))
    return false;
  auto inBytes = bundleTensorBytes(in), outBytes = bundleTensorBytes(out);
  if (inBytes && outBytes)
    return *inBytes == *outBytes;
  if (in.getRank() != out.getRank())
    return false;
  for (auto [a, b] : llvm::zip(in.getShape(), out.getShape()))
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b)
      return false;
  return true;
}

struct DSPlanMemoryPass : public ds::impl::DSPlanMemoryBase<DSPlanMemoryPass> {
  void runOnOperation() override;
};

} // namespace

/// Kernel operands that feed a fused product (a matmul/linear epilogue kernel's anchor):
/// a tiled GPU kernel writes output tiles while other blocks still read those operands,
/// so the output must never take their place (elementwise inputs are read at the element
/// the same thread writes, so they may).
static llvm::SmallDenseSet<unsigned> productOperandIndices(Operation *kernel) {
  llvm::SmallDenseSet<unsigned> indices;
  Block &body = kernel->getRegion(0).front();
  if (body.empty() || !isa<MatmulOp, LinearOp>(body.front()))
    return indices;
  for (Value operand : body.front().getOperands())
    if (auto arg = dyn_cast<BlockArgument>(operand); arg && arg.getOwner() == &body)
      indices.insert(arg.getArgNumber());
  return indices;
}

void DSPlanMemoryPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  if (!func.getBody().hasOneBlock()) {
    func.emitError("ds-plan-memory expects a function with one block, found ")
        << func.getBody().getBlocks().size();
    return signalPassFailure();
  }
  Block &block = func.getBody().front();
  Builder b(&getContext());

  SmallVector<Operation *> steps;
  DenseMap<Operation *, int64_t> stepIndex;
  for (Operation &op : block) {
    op.removeAttr(kOffsetsAttr);
    op.removeAttr(kAliasOfAttr);
    op.removeAttr(kInplaceOfAttr);
    if (!isBundleStep(&op))
      continue;
    stepIndex[&op] = steps.size();
    steps.push_back(&op);
  }
  const int64_t numSteps = steps.size();
  llvm::SmallDenseSet<Value> graphOutputs;
  for (Value v : block.getTerminator()->getOperands())
    graphOutputs.insert(v);

  // Last step that reads a value; graph outputs stay live to the end (they are copied
  // out after the last step when they are views).
  auto lastUse = [&](Value v) {
    int64_t last = stepIndex.lookup(v.getDefiningOp());
    if (graphOutputs.contains(v))
      return numSteps;
    for (Operation *user : v.getUsers()) {
      Operation *top = block.findAncestorOpInBlock(*user);
      if (auto it = stepIndex.find(top); it != stepIndex.end())
        last = std::max(last, it->second);
    }
    return last;
  };

  std::vector<Storage> storages;
  DenseMap<Value, int64_t> storageOf; // arena values and views of them
  DenseMap<Operation *, SmallVector<int64_t>> aliasOf, inplaceOf;
  bool isStatic = true;

  for (Operation *op : steps) {
    int64_t index = stepIndex[op];
    for (Value result : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || !type.hasStaticShape())
        isStatic = false;
    }
    if (isViewOp(op)) {
      aliasOf[op] = {0};
      ++viewCount;
      Value result = op->getResult(0);
      // Copy the index out: inserting into storageOf invalidates its iterators.
      if (auto it = storageOf.find(op->getOperand(0)); it != storageOf.end()) {
        int64_t storage = it->second;
        storageOf[result] = storage;
        storages[storage].end = std::max(storages[storage].end, lastUse(result));
      }
      continue;
    }
    SmallVector<int64_t> inplace(op->getNumResults(), -1);
    llvm::SmallDenseSet<int64_t> claimed; // storages already reused by this step
    for (auto [r, result] : llvm::enumerate(op->getResults())) {
      if (graphOutputs.contains(result))
        continue; // allocated per call by the runtime
      int64_t end = lastUse(result);
      if (isa<KernelOp>(op)) {
        llvm::SmallDenseSet<unsigned> productInputs = productOperandIndices(op);
        for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
          if (productInputs.contains(i))
            continue;
          auto it = storageOf.find(operand);
          if (it == storageOf.end() || claimed.contains(it->second))
            continue;
          int64_t storage = it->second;
          Storage &s = storages[storage];
          if (s.end != index || !sameBytes(operand.getType(), result.getType()))
            continue;
          inplace[r] = i;
          claimed.insert(storage);
          s.end = std::max(s.end, end);
          storageOf[result] = storage;
          ++inplaceCount;
          break;
        }
        if (inplace[r] >= 0)
          continue;
      }
      Storage s;
      s.begin = index;
      s.end = end;
      if (auto type = dyn_cast<RankedTensorType>(result.getType()))
        s.bytes = bundleTensorBytes(type).value_or(0);
      storageOf[result] = storages.size();
      storages.push_back(s);
    }
    if (llvm::any_of(inplace, [](int64_t i) { return i >= 0; }))
      inplaceOf[op] = std::move(inplace);
  }

  int64_t arenaBytes = 0;
  if (isStatic) {
    // Largest first; ties by definition order so the plan is deterministic.
    SmallVector<int64_t> order(storages.size());
    for (auto [i, o] : llvm::enumerate(order))
      o = i;
    llvm::stable_sort(order, [&](int64_t a, int64_t b) {
      if (storages[a].bytes != storages[b].bytes)
        return storages[a].bytes > storages[b].bytes;
      return storages[a].begin < storages[b].begin;
    });
    SmallVector<int64_t> placed;
    for (int64_t id : order) {
      Storage &s = storages[id];
      SmallVector<std::pair<int64_t, int64_t>> busy; // [offset, end) of live neighbours
      for (int64_t other : placed) {
        const Storage &o = storages[other];
        if (o.begin <= s.end && s.begin <= o.end && o.bytes > 0)
          busy.push_back({o.offset, o.offset + o.bytes});
      }
      llvm::sort(busy);
      int64_t offset = 0;
      for (auto [lo, hi] : busy) {
        if (offset + s.bytes <= lo)
          break;
        offset = std::max<int64_t>(offset, llvm::alignTo(hi, kBundleAlignment));
      }
      s.offset = offset;
      placed.push_back(id);
      arenaBytes = std::max(arenaBytes, offset + s.bytes);
    }
    arenaBytes = static_cast<int64_t>(llvm::alignTo(arenaBytes, kBundleAlignment));
  }

  for (Operation *op : steps) {
    if (auto it = aliasOf.find(op); it != aliasOf.end())
      op->setAttr(kAliasOfAttr, b.getDenseI64ArrayAttr(it->second));
    if (auto it = inplaceOf.find(op); it != inplaceOf.end())
      op->setAttr(kInplaceOfAttr, b.getDenseI64ArrayAttr(it->second));
    if (!isStatic || isViewOp(op) || op->getNumResults() == 0)
      continue;
    SmallVector<int64_t> offsets;
    for (Value result : op->getResults()) {
      auto it = storageOf.find(result);
      offsets.push_back(it == storageOf.end() ? -1 : storages[it->second].offset);
    }
    op->setAttr(kOffsetsAttr, b.getDenseI64ArrayAttr(offsets));
  }
  func->setAttr(kPlanStaticAttr, b.getBoolAttr(isStatic));
  if (isStatic) {
    func->setAttr(kArenaBytesAttr, b.getI64IntegerAttr(arenaBytes));
    arenaBytesStat += arenaBytes;
  } else {
    func->removeAttr(kArenaBytesAttr);
  }
  LLVM_DEBUG(llvm::dbgs() << "@" << func.getSymName() << ": " << numSteps << " steps, "
                          << storages.size() << " storages, "
                          << (isStatic ? std::to_string(arenaBytes) + " arena bytes"
                                       : std::string("dynamic plan"))
                          << "\n");
}
