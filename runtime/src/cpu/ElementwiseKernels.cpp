// cpu backend: elementwise kernels. `elementwise` runs a fused program (docs/bundle.md);
// `unary`, `binary`, `compare`, `select` and `cast` (ds ops that reached the runtime
// unfused) run as one-instruction programs through the same executor.
#include "ElementwiseProgram.h"

#include <string>

namespace ds::rt {

namespace {

// numpy broadcasting of every input shape (plus `extra`, where a -1 dim counts as 1);
// an incompatible pair is reported with both shapes.
Shape broadcastInputs(ShapeContext &ctx, const std::vector<Shape> &extra = {}) {
  Shape out;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    if (!ctx.inputs[i].present) ctx.fail("input " + std::to_string(i) + " is absent");
    Shape next;
    if (!ew::broadcastShapes(out, ctx.inputs[i].shape, next)) {
      if (i == 1)
        ctx.fail("input shapes do not broadcast: input 0 has shape " +
                 shapeToString(ctx.inputs[0].shape) + " and input 1 has shape " +
                 shapeToString(ctx.inputs[1].shape));
      ctx.fail("input " + std::to_string(i) + " of shape " +
               shapeToString(ctx.inputs[i].shape) +
               " does not broadcast with the shape " + shapeToString(out) + " of inputs 0.." +
               std::to_string(i - 1));
    }
    out = std::move(next);
  }
  for (size_t k = 0; k < extra.size(); ++k) {
    Shape known = extra[k];
    for (int64_t &d : known)
      if (d < 0) d = 1;
    Shape next;
    if (!ew::broadcastShapes(out, known, next))
      ctx.fail("the inputs broadcast to " + shapeToString(out) + ", which does not fit the " +
               "declared shape " + shapeToString(extra[k]) + " of output " + std::to_string(k));
    out = std::move(next);
  }
  return out;
}

void elementwiseShape(ShapeContext &ctx) {
  // Every input broadcasts to the one output shape; declared static dims also count, so
  // a program whose constants are larger than its inputs keeps its shape.
  Shape out = broadcastInputs(ctx, ctx.declaredShapes);
  size_t outputs = std::max<size_t>(ctx.outputTypes.size(), 1);
  ctx.outputShapes.assign(outputs, out);
}

void plainShape(ShapeContext &ctx) {
  size_t arity = ctx.step.kind == "select" ? 3
                 : (ctx.step.kind == "binary" || ctx.step.kind == "compare") ? 2 : 1;
  if (ctx.inputs.size() != arity)
    ctx.fail("takes " + std::to_string(arity) + " inputs, got " + std::to_string(ctx.inputs.size()));
  ctx.outputShapes.assign(1, broadcastInputs(ctx));
}

void runElementwise(KernelContext &ctx) {
  std::vector<DType> inputTypes, outputTypes;
  for (const TensorView &t : ctx.inputs) inputTypes.push_back(t.dtype);
  for (const TensorView &t : ctx.outputs) outputTypes.push_back(t.dtype);
  ew::Program program = ew::buildProgram(ctx.step, inputTypes, outputTypes,
                                         [&](const std::string &m) { ctx.fail(m); });
  ew::runProgram(ctx, program);
}

}  // namespace

void registerCpuElementwiseKernels(KernelRegistry &registry) {
  registry.add("elementwise", {elementwiseShape, runElementwise});
  for (const char *kind : {"unary", "binary", "compare", "select", "cast"})
    registry.add(kind, {plainShape, runElementwise});
}

}  // namespace ds::rt
