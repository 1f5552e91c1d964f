//===- DSFormKernels.cpp - group elementwise chains into ds.kernel ops ----===//
//
// Groups are grown in program order: an elementwise op joins the groups of its
// producers when its result has the group's shape and every user of the group outside
// it comes after the op. The kernel then replaces the group at the position of the
// group's last op: inputs are defined before their members (so before the last op)
// and outside users follow the last op, so the rewrite never creates a cycle.
//
// Epilogues: a ds.matmul / ds.linear starts a group of its own (its *anchor*) that
// elementwise ops of its result shape join like any other group, so the kernel body is
// the product followed by its epilogue. An anchor group never merges with another
// group (an op that could join both prefers the plain elementwise groups), and is
// formed only when nothing outside the group reads the product itself.
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

/// DS_MAX_OPERANDS of the kernel ABI (runtime/kernels/ds_device.cuh): a generated kernel
/// takes at most this many inputs and results together.
static constexpr unsigned kMaxKernelOperands = 16;

/// A product whose result an elementwise epilogue may consume in the same kernel.
static bool isEpilogueAnchor(Operation *op) {
  return isa<MatmulOp, LinearOp>(op) && op->getNumResults() == 1 &&
         isa<RankedTensorType>(op->getResult(0).getType());
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
    splitWideConcats(func);
    for (Block &block : func.getBody())
      formKernels(block);
  }

  void splitWideConcats(func::FuncOp func);

  void formKernels(Block &block);
  void materialize(Block &block, ArrayRef<Operation *> group,
                   llvm::SmallPtrSetImpl<Operation *> &usedSplats);
  void materializeEpilogue(Block &block, ArrayRef<Operation *> group,
                           llvm::SmallPtrSetImpl<Operation *> &usedSplats);
  void createKernel(ArrayRef<Operation *> ops, ArrayRef<Value> inputs,
                    ArrayRef<Operation *> splats, ArrayRef<Value> results,
                    llvm::SmallPtrSetImpl<Operation *> &usedSplats);
};

} // namespace

/// A concat of more inputs than a kernel takes (DS_MAX_OPERANDS counts the output too)
/// becomes concats of runs of inputs followed by a concat of their results, so every
/// step keeps a generated kernel; each element is copied once more, which beats running
/// the step without one.
void DSFormKernelsPass::splitWideConcats(func::FuncOp func) {
  const size_t maxInputs = kMaxKernelOperands - 1;
  SmallVector<ConcatOp> wide;
  func.walk([&](ConcatOp op) {
    if (op.getInputs().size() > maxInputs)
      wide.push_back(op);
  });
  for (ConcatOp op : wide) {
    OpBuilder b(op);
    SmallVector<Value> parts(op.getInputs().begin(), op.getInputs().end());
    while (parts.size() > maxInputs) {
      SmallVector<Value> next;
      for (size_t i = 0; i < parts.size(); i += maxInputs) {
        ArrayRef<Value> run = ArrayRef<Value>(parts).slice(i, std::min(maxInputs, parts.size() - i));
        next.push_back(run.size() == 1 ? run.front()
                                       : ConcatOp::create(b, op.getLoc(), run, op.getAxisAttr())
                                             .getResult());
      }
      parts = std::move(next);
    }
    auto outer = ConcatOp::create(b, op.getLoc(), op.getType(), parts, op.getAxisAttr());
    LLVM_DEBUG(llvm::dbgs() << "split a concat of " << op.getInputs().size()
                            << " inputs into nested concats\n");
    op.replaceAllUsesWith(outer.getResult());
    op.erase();
  }
}

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

  llvm::SmallPtrSet<Operation *, 8> anchorLeaders; // leaders of groups with a product
  for (Operation &op : block) {
    if (isEpilogueAnchor(&op)) {
      groups.insert(&op);
      members[&op] = {&op};
      anchorLeaders.insert(&op);
      continue;
    }
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
    // One product per kernel, and a product only with its own epilogue: plain groups
    // win (they merge as before); otherwise the op joins the first product's group.
    auto isAnchorGroup = [&](Operation *leader) { return anchorLeaders.contains(leader); };
    if (llvm::any_of(joinable, isAnchorGroup)) {
      if (llvm::all_of(joinable, isAnchorGroup))
        joinable.resize(1);
      else
        llvm::erase_if(joinable, isAnchorGroup);
    }
    groups.insert(&op);
    SmallVector<Operation *> merged{&op};
    for (Operation *leader : joinable) {
      llvm::append_range(merged, members[leader]);
      members.erase(leader);
      groups.unionSets(leader, &op);
    }
    Operation *newLeader = groups.getLeaderValue(&op);
    if (llvm::any_of(joinable, isAnchorGroup))
      anchorLeaders.insert(newLeader);
    members[newLeader] = std::move(merged);
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
  for (const auto &group : ordered) {
    if (isEpilogueAnchor(group.front()))
      materializeEpilogue(block, group, usedSplats);
    else
      materialize(block, group, usedSplats);
  }
  for (Operation *constant : usedSplats)
    if (constant->use_empty())
      constant->erase();
}

/// Whether every result reads (transitively) every value of `iterationInputs`: then,
/// with dynamic dims, each result has the broadcast shape of those values, the shape
/// the runtime iterates over.
static bool resultsReadAll(ArrayRef<Operation *> ops, ArrayRef<Value> iterationInputs,
                           ArrayRef<Value> results) {
  llvm::SmallDenseMap<Value, unsigned> index;
  for (Value v : iterationInputs)
    index.try_emplace(v, index.size());
  DenseMap<Value, llvm::BitVector> reads;
  for (Operation *op : ops) {
    llvm::BitVector bits(index.size());
    for (Value operand : op->getOperands()) {
      if (auto it = index.find(operand); it != index.end())
        bits.set(it->second);
      if (auto it = reads.find(operand); it != reads.end())
        bits |= it->second;
    }
    for (Value result : op->getResults())
      reads[result] = bits;
  }
  return llvm::all_of(results, [&](Value r) { return reads[r].all(); });
}

/// The operands a kernel made of `ops` would have: inputs from outside (splat constants
/// are folded into the body) plus results read outside.
static unsigned kernelOperandCount(ArrayRef<Operation *> ops) {
  llvm::SmallPtrSet<Operation *, 8> memberSet(ops.begin(), ops.end());
  llvm::SetVector<Value> inputs;
  unsigned results = 0;
  for (Operation *op : ops) {
    for (Value operand : op->getOperands()) {
      if (Operation *def = operand.getDefiningOp(); def && memberSet.contains(def))
        continue;
      if (!isSplatConstant(operand))
        inputs.insert(operand);
    }
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(),
                       [&](Operation *user) { return !memberSet.contains(user); }))
        ++results;
  }
  return inputs.size() + results;
}

void DSFormKernelsPass::materialize(Block &block, ArrayRef<Operation *> ops,
                                    llvm::SmallPtrSetImpl<Operation *> &usedSplats) {
  // Beyond the kernel ABI: split into program-order runs that fit. A run's values read by
  // later runs become its results; every outside user already follows the group's last
  // op, so each run placed at its own last op keeps the block in order.
  if (ops.size() > 1 && kernelOperandCount(ops) > kMaxKernelOperands) {
    SmallVector<SmallVector<Operation *>> runs(1);
    for (Operation *op : ops) {
      runs.back().push_back(op);
      if (runs.back().size() > 1 && kernelOperandCount(runs.back()) > kMaxKernelOperands) {
        runs.back().pop_back();
        runs.push_back({op});
      }
    }
    LLVM_DEBUG(llvm::dbgs() << "splitting a group of " << ops.size() << " ops into "
                            << runs.size() << " kernels of at most " << kMaxKernelOperands
                            << " operands\n");
    for (const auto &run : runs)
      materialize(block, run, usedSplats);
    return;
  }
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
    SmallVector<Value> dynamicInputs;
    for (Value input : inputs)
      if (!cast<RankedTensorType>(input.getType()).hasStaticShape())
        dynamicInputs.push_back(input);
    if (!resultsReadAll(ops, dynamicInputs, results)) {
      LLVM_DEBUG(llvm::dbgs() << "splitting a group of " << ops.size()
                              << " ops: a result does not read every dynamic input\n");
      for (Operation *op : ops)
        materialize(block, op, usedSplats);
      return;
    }
  }

  createKernel(ops, inputs.getArrayRef(), splats.getArrayRef(), results, usedSplats);
  (void)block;
}

void DSFormKernelsPass::createKernel(ArrayRef<Operation *> ops, ArrayRef<Value> inputs,
                                     ArrayRef<Operation *> splats, ArrayRef<Value> results,
                                     llvm::SmallPtrSetImpl<Operation *> &usedSplats) {
  llvm::SmallPtrSet<Operation *, 8> memberSet(ops.begin(), ops.end());
  MLIRContext *ctx = &getContext();
  SmallVector<Location> locs;
  for (Operation *op : ops)
    locs.push_back(op->getLoc());
  Location loc = FusedLoc::get(ctx, locs);
  OpBuilder b(ops.back());
  auto kernel = KernelOp::create(b, loc, ValueRange(results).getTypes(),
                                 b.getStringAttr(kernelName(ops)), inputs);
  SmallVector<Location> argLocs;
  for (Value input : inputs)
    argLocs.push_back(input.getLoc());
  Block *body = b.createBlock(&kernel.getBody(), {}, ValueRange(inputs).getTypes(), argLocs);
  IRMapping mapping;
  mapping.map(inputs, body->getArguments());
  // A product comes first: the bundle reads the ops after it as its epilogue.
  bool anchored = isEpilogueAnchor(ops.front());
  if (anchored)
    b.clone(*ops.front(), mapping);
  for (Operation *splat : splats) {
    b.clone(*splat, mapping);
    usedSplats.insert(splat);
  }
  for (Operation *op : ops.drop_front(anchored ? 1 : 0))
    b.clone(*op, mapping);
  SmallVector<Value> yielded;
  for (Value result : results)
    yielded.push_back(mapping.lookup(result));
  YieldOp::create(b, loc, yielded);

  for (auto [result, replacement] : llvm::zip(results, kernel.getResults()))
    Value(result).replaceUsesWithIf(replacement, [&](OpOperand &use) {
      return !memberSet.contains(use.getOwner());
    });
  for (Operation *op : llvm::reverse(ops))
    op->erase();
  LLVM_DEBUG(llvm::dbgs() << "formed kernel " << kernel.getKernelName() << " with "
                          << ops.size() << " ops, " << inputs.size() << " inputs, "
                          << results.size() << " results\n");
}


void DSFormKernelsPass::materializeEpilogue(Block &block, ArrayRef<Operation *> ops,
                                            llvm::SmallPtrSetImpl<Operation *> &usedSplats) {
  Operation *anchor = ops.front();
  ArrayRef<Operation *> epilogue = ops.drop_front();
  if (epilogue.empty())
    return; // a product alone stays a plain step
  llvm::SmallPtrSet<Operation *, 8> memberSet(ops.begin(), ops.end());
  auto keepApart = [&](StringRef why) {
    LLVM_DEBUG(llvm::dbgs() << "not fusing the epilogue of " << anchor->getName() << " at "
                            << anchor->getLoc() << ": " << why << "\n");
    materialize(block, epilogue, usedSplats);
  };
  Value product = anchor->getResult(0);
  // The product must stay inside: written out anyway, it would save nothing.
  if (llvm::any_of(product.getUsers(),
                   [&](Operation *user) { return !memberSet.contains(user); }))
    return keepApart("the product is used outside the group");

  llvm::SetVector<Value> inputs(anchor->operand_begin(), anchor->operand_end());
  llvm::SetVector<Value> extras; // epilogue inputs from outside
  llvm::SetVector<Operation *> splats;
  for (Operation *op : epilogue)
    for (Value operand : op->getOperands()) {
      if (Operation *def = operand.getDefiningOp(); def && memberSet.contains(def))
        continue;
      if (isSplatConstant(operand))
        splats.insert(operand.getDefiningOp());
      else
        extras.insert(operand);
    }
  inputs.insert(extras.begin(), extras.end());
  SmallVector<Value> results;
  for (Operation *op : epilogue)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(),
                       [&](Operation *user) { return !memberSet.contains(user); }))
        results.push_back(result);
  if (results.empty())
    return keepApart("nothing outside reads the epilogue");
  if (inputs.size() + results.size() > kMaxKernelOperands)
    return keepApart("the kernel would have more than 16 operands (DS_MAX_OPERANDS)");
  // The runtime iterates over the broadcast of the product and the extra inputs; with
  // dynamic dims every result must read all of them to be sure to have that shape.
  if (!cast<RankedTensorType>(product.getType()).hasStaticShape() ||
      llvm::any_of(extras, [](Value v) {
        return !cast<RankedTensorType>(v.getType()).hasStaticShape();
      })) {
    SmallVector<Value> dynamic;
    if (!cast<RankedTensorType>(product.getType()).hasStaticShape())
      dynamic.push_back(product);
    for (Value v : extras)
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
        dynamic.push_back(v);
    if (!resultsReadAll(epilogue, dynamic, results))
      return keepApart("with dynamic dims, a result does not read every dynamic input");
  }
  createKernel(ops, inputs.getArrayRef(), splats.getArrayRef(), results, usedSplats);
}
