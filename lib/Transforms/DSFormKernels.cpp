//===- DSFormKernels.cpp - group elementwise chains into ds.kernel ops ----===//
//
// Groups are grown in program order: an elementwise op joins the groups of its
// producers when its result has the group's shape and every user of the group outside
// it comes after the op. The kernel then replaces the group at the position of the
// group's last op: inputs are defined before their members (so before the last op)
// and outside users follow the last op, so the rewrite never creates a cycle.
//
//===----------------------------------------------------------------------===//

#include "ds/Dialect/Ds/IR/DsOps.h"
#include "ds/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ds-form-kernels"

namespace mlir::ds {
#define GEN_PASS_DEF_DSFORMKERNELS
#include "ds/Transforms/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

bool ds::isKernelElementwiseOp(Operation *op) {
  return isa<UnaryOp, BinaryOp, CompareOp, SelectOp, CastOp>(op);
}

bool ds::isSplatConstant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return false;
  auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
  return dense && dense.isSplat() && !isa<DenseStringElementsAttr>(dense);
}

/// The short name of one member, for the kernel name.
static std::string memberName(Operation *op) {
  if (auto u = dyn_cast<UnaryOp>(op))
    return stringifyUnaryFn(u.getFn()).str();
  if (auto b = dyn_cast<BinaryOp>(op))
    return stringifyBinaryFn(b.getFn()).str();
  if (auto c = dyn_cast<CompareOp>(op))
    return stringifyCompareFn(c.getFn()).str();
  return op->getName().stripDialect().str(); // select, cast
}

/// `sigmoid_mul`; long chains keep their first members and the count.
static std::string kernelName(ArrayRef<Operation *> ops) {
  constexpr size_t kMaxNamed = 5;
  std::string name;
  for (auto [i, op] : llvm::enumerate(ops)) {
    if (i == kMaxNamed) {
      name += "_n" + std::to_string(ops.size());
      break;
    }
    if (i)
      name += "_";
    name += memberName(op);
  }
  return name;
}

namespace {

struct DSFormKernelsPass : public ds::impl::DSFormKernelsBase<DSFormKernelsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    for (Block &block : func.getBody())
      formKernels(block);
  }

  void formKernels(Block &block);
  void materialize(Block &block, ArrayRef<Operation *> group,
                   llvm::SmallPtrSetImpl<Operation *> &usedSplats);
};

} // namespace

void DSFormKernelsPass::formKernels(Block &block) {
  DenseMap<Operation *, int64_t> position;
  for (auto [i, op] : llvm::enumerate(block))
    position[&op] = i;

  // Groups are classes of member ops; the leader is looked up per member.
  llvm::EquivalenceClasses<Operation *> groups;
  DenseMap<Operation *, SmallVector<Operation *>> members; // leader -> members

  // Whether every user of group `leader` outside it comes after `candidate`.
  auto usersFollow = [&](Operation *leader, Operation *candidate) {
    for (Operation *member : members[leader])
      for (Operation *user : member->getUsers()) {
        Operation *top = block.findAncestorOpInBlock(*user);
        if (!top || top == candidate)
          continue;
        if (groups.contains(top) && groups.getLeaderValue(top) == leader)
          continue;
        if (position[top] <= position[candidate])
          return false;
      }
    return true;
  };

  for (Operation &op : block) {
    if (!isKernelElementwiseOp(&op))
      continue;
    auto shape = cast<RankedTensorType>(op.getResult(0).getType()).getShape();
    SmallVector<Operation *> joinable;
    for (Value operand : op.getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!def || !groups.contains(def))
        continue;
      Operation *leader = groups.getLeaderValue(def);
      if (llvm::is_contained(joinable, leader))
        continue;
      auto groupShape =
          cast<RankedTensorType>(members[leader].front()->getResult(0).getType())
              .getShape();
      if (groupShape != shape) {
        LLVM_DEBUG(llvm::dbgs() << "not joining " << op.getName() << " at "
                                << op.getLoc() << ": shape differs from its group\n");
        continue;
      }
      if (!usersFollow(leader, &op)) {
        LLVM_DEBUG(llvm::dbgs() << "not joining " << op.getName() << " at "
                                << op.getLoc()
                                << ": the group is used before this op\n");
        continue;
      }
      joinable.push_back(leader);
    }
    groups.insert(&op);
    SmallVector<Operation *> merged{&op};
    for (Operation *leader : joinable) {
      llvm::append_range(merged, members[leader]);
      members.erase(leader);
      groups.unionSets(leader, &op);
    }
    members[groups.getLeaderValue(&op)] = std::move(merged);
  }

  // Materialize in program order of the groups' last ops (deterministic output).
  SmallVector<SmallVector<Operation *>> ordered;
  for (auto &entry : members) {
    SmallVector<Operation *> ops = entry.second;
    llvm::sort(ops, [&](Operation *a, Operation *b) { return position[a] < position[b]; });
    ordered.push_back(std::move(ops));
  }
  llvm::sort(ordered, [&](const auto &a, const auto &b) {
    return position[a.back()] < position[b.back()];
  });
  llvm::SmallPtrSet<Operation *, 16> usedSplats;
  for (const auto &group : ordered)
    materialize(block, group, usedSplats);
  for (Operation *constant : usedSplats)
    if (constant->use_empty())
      constant->erase();
}

void DSFormKernelsPass::materialize(Block &block, ArrayRef<Operation *> ops,
                                    llvm::SmallPtrSetImpl<Operation *> &usedSplats) {
  llvm::SmallPtrSet<Operation *, 8> memberSet(ops.begin(), ops.end());
  llvm::SetVector<Value> inputs;
  llvm::SetVector<Operation *> splats;
  for (Operation *op : ops)
    for (Value operand : op->getOperands()) {
      if (Operation *def = operand.getDefiningOp(); def && memberSet.contains(def))
        continue;
      if (isSplatConstant(operand))
        splats.insert(operand.getDefiningOp());
      else
        inputs.insert(operand);
    }
  SmallVector<Value> results;
  for (Operation *op : ops)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(),
                       [&](Operation *user) { return !memberSet.contains(user); }))
        results.push_back(result);
  if (results.empty()) {
    // Nothing outside uses the group: it is dead (elementwise ops are pure).
    for (Operation *op : llvm::reverse(ops))
      op->erase();
    return;
  }

  // With dynamic dims, the types do not prove that every result has the iteration
  // shape the runtime uses (the broadcast of all inputs): an input of shape ?x16 may
  // be 5x16 while a result that does not read it is 1x16. A result that reads every
  // input with a dynamic dim has that shape; otherwise each op becomes its own kernel.
  if (ops.size() > 1 && !cast<RankedTensorType>(results.front().getType()).hasStaticShape()) {
    llvm::SmallDenseMap<Value, unsigned> dynamicInput;
    for (Value input : inputs)
      if (!cast<RankedTensorType>(input.getType()).hasStaticShape())
        dynamicInput.try_emplace(input, dynamicInput.size());
    DenseMap<Value, llvm::BitVector> reads;
    for (Operation *op : ops) {
      llvm::BitVector bits(dynamicInput.size());
      for (Value operand : op->getOperands()) {
        if (auto it = dynamicInput.find(operand); it != dynamicInput.end())
          bits.set(it->second);
        if (auto it = reads.find(operand); it != reads.end())
          bits |= it->second;
      }
      reads[op->getResult(0)] = std::move(bits);
    }
    if (llvm::any_of(results, [&](Value r) { return !reads[r].all(); })) {
      LLVM_DEBUG(llvm::dbgs() << "splitting a group of " << ops.size()
                              << " ops: a result does not read every dynamic input\n");
      for (Operation *op : ops)
        materialize(block, op, usedSplats);
      return;
    }
  }

  MLIRContext *ctx = &getContext();
  SmallVector<Location> locs;
  for (Operation *op : ops)
    locs.push_back(op->getLoc());
  Location loc = FusedLoc::get(ctx, locs);
  OpBuilder b(ops.back());
  auto kernel = KernelOp::create(b, loc, ValueRange(results).getTypes(),
                                 b.getStringAttr(kernelName(ops)), inputs.getArrayRef());
  SmallVector<Location> argLocs;
  for (Value input : inputs)
    argLocs.push_back(input.getLoc());
  Block *body = b.createBlock(&kernel.getBody(), {}, ValueRange(inputs.getArrayRef()).getTypes(),
                              argLocs);
  IRMapping mapping;
  mapping.map(inputs.getArrayRef(), body->getArguments());
  for (Operation *splat : splats) {
    b.clone(*splat, mapping);
    usedSplats.insert(splat);
  }
  for (Operation *op : ops)
    b.clone(*op, mapping);
  SmallVector<Value> yielded;
  for (Value result : results)
    yielded.push_back(mapping.lookup(result));
  YieldOp::create(b, loc, yielded);

  for (auto [result, replacement] : llvm::zip(results, kernel.getResults()))
    result.replaceUsesWithIf(replacement, [&](OpOperand &use) {
      return !memberSet.contains(use.getOwner());
    });
  for (Operation *op : llvm::reverse(ops))
    op->erase();
  LLVM_DEBUG(llvm::dbgs() << "formed kernel " << kernel.getKernelName() << " with "
                          << ops.size() << " ops, " << inputs.size() << " inputs, "
                          << results.size() << " results\n");
  (void)block;
}
