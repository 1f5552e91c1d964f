//===- ElementwiseOps.cpp - ONNX elementwise ops to ds ---------------------===//
//
// Unary and binary ONNX ops map onto ds.unary / ds.binary / ds.compare / ds.select /
// ds.cast; variadic and parameterized ones (Sum, Mean, Clip, IsInf with one sign)
// decompose into those.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

namespace {

HandlerFn unaryHandler(UnaryFn fn) {
  return [fn](NodeContext &ctx) -> LogicalResult {
    auto y = ctx.unary(fn, ctx.input(0));
    return failed(y) ? failure() : ctx.setOutput(*y);
  };
}

/// A unary function with parameters read from attributes (with ONNX defaults).
HandlerFn paramUnaryHandler(UnaryFn fn, StringRef alphaName, float alphaDefault,
                            StringRef betaName = "", float betaDefault = 0) {
  std::string a = alphaName.str(), bname = betaName.str();
  return [=](NodeContext &ctx) -> LogicalResult {
    std::optional<float> alpha = ctx.getFloat(a, alphaDefault);
    std::optional<float> beta;
    if (!bname.empty())
      beta = ctx.getFloat(bname, betaDefault);
    auto y = ctx.unary(fn, ctx.input(0), alpha, beta);
    return failed(y) ? failure() : ctx.setOutput(*y);
  };
}

HandlerFn binaryHandler(BinaryFn fn) {
  return [fn](NodeContext &ctx) -> LogicalResult {
    auto y = ctx.binary(fn, ctx.input(0), ctx.input(1));
    return failed(y) ? failure() : ctx.setOutput(*y);
  };
}

HandlerFn compareHandler(CompareFn fn) {
  return [fn](NodeContext &ctx) -> LogicalResult {
    auto y = ctx.compare(fn, ctx.input(0), ctx.input(1));
    return failed(y) ? failure() : ctx.setOutput(*y);
  };
}

/// Max, Min, Sum: a left fold of a binary function over all inputs.
HandlerFn variadicHandler(BinaryFn fn, bool mean = false) {
  return [=](NodeContext &ctx) -> LogicalResult {
    if (ctx.numInputs() == 0)
      return ctx.fail("needs at least one input");
    Value acc = ctx.input(0);
    for (size_t i = 1; i < ctx.numInputs(); ++i) {
      auto next = ctx.binary(fn, acc, ctx.input(i));
      if (failed(next))
        return failure();
      acc = *next;
    }
    if (mean && ctx.numInputs() > 1) {
      auto type = cast<RankedTensorType>(acc.getType());
      auto y = ctx.binary(BinaryFn::div, acc,
                          ctx.scalar(type.getElementType(), (double)ctx.numInputs()));
      if (failed(y))
        return failure();
      acc = *y;
    }
    return ctx.setOutput(acc);
  };
}

LogicalResult importMod(NodeContext &ctx) {
  bool fmod = ctx.getInt("fmod", 0) != 0;
  Type e = ctx.inputType(0).getElementType();
  if (!fmod && isa<FloatType>(e))
    return ctx.fail("fmod=0 is only defined for integer inputs, got " +
                    typeToString(e));
  auto y = ctx.binary(fmod ? BinaryFn::fmod : BinaryFn::mod, ctx.input(0), ctx.input(1));
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importBitShift(NodeContext &ctx) {
  std::string direction = ctx.getString("direction");
  BinaryFn fn;
  if (direction == "LEFT")
    fn = BinaryFn::shift_left;
  else if (direction == "RIGHT")
    fn = BinaryFn::shift_right;
  else
    return ctx.fail("attribute 'direction' must be LEFT or RIGHT, got '" + direction +
                    "'");
  auto y = ctx.binary(fn, ctx.input(0), ctx.input(1));
  return failed(y) ? failure() : ctx.setOutput(*y);
}

/// Clip: attributes min/max before opset 11, optional inputs from 11.
LogicalResult importClip(NodeContext &ctx) {
  Value x = ctx.input(0);
  Type e = ctx.inputType(0).getElementType();
  Value lo, hi;
  if (ctx.opset < 11) {
    if (auto v = ctx.getOptionalFloat("min"))
      lo = ctx.scalar(e, *v);
    if (auto v = ctx.getOptionalFloat("max"))
      hi = ctx.scalar(e, *v);
  } else {
    lo = ctx.input(1);
    hi = ctx.input(2);
  }
  if (lo) {
    auto y = ctx.binary(BinaryFn::max, x, lo);
    if (failed(y))
      return failure();
    x = *y;
  }
  if (hi) {
    auto y = ctx.binary(BinaryFn::min, x, hi);
    if (failed(y))
      return failure();
    x = *y;
  }
  return ctx.setOutput(x);
}

LogicalResult importIsInf(NodeContext &ctx) {
  bool negative = ctx.getInt("detect_negative", 1) != 0;
  bool positive = ctx.getInt("detect_positive", 1) != 0;
  Value x = ctx.input(0);
  if (negative && positive) {
    auto y = ctx.unary(UnaryFn::is_inf, x);
    return failed(y) ? failure() : ctx.setOutput(*y);
  }
  Type e = ctx.inputType(0).getElementType();
  if (!negative && !positive) {
    // Nothing is less than -inf (NaN compares false): an all-false mask of x's shape.
    auto y = ctx.compare(CompareFn::lt, x, ctx.scalar(e, -INFINITY));
    return failed(y) ? failure() : ctx.setOutput(*y);
  }
  auto y = ctx.compare(CompareFn::eq, x, ctx.scalar(e, negative ? -INFINITY : INFINITY));
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importGelu(NodeContext &ctx) {
  std::string approximate = ctx.getString("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.fail("attribute 'approximate' must be 'none' or 'tanh', got '" +
                    approximate + "'");
  auto y = ctx.unary(approximate == "tanh" ? UnaryFn::gelu_tanh : UnaryFn::gelu,
                     ctx.input(0));
  return failed(y) ? failure() : ctx.setOutput(*y);
}

/// com.microsoft FastGelu: gelu_tanh(x + bias), bias optional.
LogicalResult importFastGelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (Value bias = ctx.input(1)) {
    auto sum = ctx.binary(BinaryFn::add, x, bias);
    if (failed(sum))
      return failure();
    x = *sum;
  }
  auto y = ctx.unary(UnaryFn::gelu_tanh, x);
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importWhere(NodeContext &ctx) {
  auto y = ctx.select(ctx.input(0), ctx.input(1), ctx.input(2));
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importCast(NodeContext &ctx) {
  auto to = ctx.getOptionalInt("to");
  if (!to)
    return ctx.fail("needs the attribute 'to'");
  auto element = ctx.getElementType("to", (int32_t)*to);
  if (failed(element))
    return failure();
  bool saturate = ctx.getInt("saturate", 1) != 0;
  auto type = ctx.inputType(0);
  if (type.getElementType() == *element)
    return ctx.setOutput(ctx.input(0));
  auto y = ctx.createTyped<CastOp>(type.clone(*element), ctx.input(0),
                                   {ctx.named("saturate", ctx.b.getBoolAttr(saturate))});
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importCastLike(NodeContext &ctx) {
  Type element = ctx.inputType(1).getElementType();
  bool saturate = ctx.getInt("saturate", 1) != 0;
  auto type = ctx.inputType(0);
  if (type.getElementType() == element)
    return ctx.setOutput(ctx.input(0));
  auto y = ctx.createTyped<CastOp>(type.clone(element), ctx.input(0),
                                   {ctx.named("saturate", ctx.b.getBoolAttr(saturate))});
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importIdentity(NodeContext &ctx) { return ctx.setOutput(ctx.input(0)); }

/// Dropout at inference: the data passes through; the optional mask is all true.
LogicalResult importDropout(NodeContext &ctx) {
  if (ctx.opset >= 12 && ctx.hasInput(2)) {
    auto training = ctx.constantInts(2);
    if (!training)
      return ctx.fail("input 'training_mode' must be a constant false for inference");
    if (!training->empty() && (*training)[0] != 0)
      return ctx.fail("training_mode is true; ds compiles inference graphs only");
  }
  SmallVector<Value> outs{ctx.input(0)};
  if (ctx.hasOutput(1)) {
    // An all-true mask of the data's shape; it folds to a constant when static.
    auto rank = ctx.inputType(0).getRank();
    auto shape = ctx.create<ShapeOfOp>(
        ctx.input(0), {ctx.named("start", ctx.b.getI64IntegerAttr(0)),
                       ctx.named("end", ctx.b.getI64IntegerAttr(rank))});
    if (failed(shape))
      return failure();
    auto mask = ctx.create<FillOp>(
        *shape, {ctx.named("value", ctx.b.getBoolAttr(true))});
    if (failed(mask))
      return failure();
    outs.push_back(*mask);
  }
  return ctx.setOutputs(outs);
}

} // namespace

void onnx_import::registerElementwiseHandlers(HandlerRegistry &r) {
  struct {
    const char *name;
    UnaryFn fn;
  } unaries[] = {
      {"Neg", UnaryFn::neg},          {"Abs", UnaryFn::abs},
      {"Sign", UnaryFn::sign},        {"Exp", UnaryFn::exp},
      {"Log", UnaryFn::log},          {"Sqrt", UnaryFn::sqrt},
      {"Reciprocal", UnaryFn::reciprocal}, {"Floor", UnaryFn::floor},
      {"Ceil", UnaryFn::ceil},        {"Round", UnaryFn::round},
      {"Tanh", UnaryFn::tanh},        {"Erf", UnaryFn::erf},
      {"Sigmoid", UnaryFn::sigmoid},  {"Relu", UnaryFn::relu},
      {"Softplus", UnaryFn::softplus}, {"Softsign", UnaryFn::softsign},
      {"Mish", UnaryFn::mish},        {"HardSwish", UnaryFn::hard_swish},
      {"Cos", UnaryFn::cos},          {"Sin", UnaryFn::sin},
      {"Tan", UnaryFn::tan},          {"Asin", UnaryFn::asin},
      {"Acos", UnaryFn::acos},        {"Atan", UnaryFn::atan},
      {"Sinh", UnaryFn::sinh},        {"Cosh", UnaryFn::cosh},
      {"Asinh", UnaryFn::asinh},      {"Acosh", UnaryFn::acosh},
      {"Atanh", UnaryFn::atanh},      {"IsNaN", UnaryFn::is_nan},
      {"Not", UnaryFn::not_},         {"BitwiseNot", UnaryFn::bitwise_not},
  };
  for (auto &u : unaries)
    r.add("", u.name, unaryHandler(u.fn));

  r.add("", "LeakyRelu", paramUnaryHandler(UnaryFn::leaky_relu, "alpha", 0.01f));
  r.add("", "Elu", paramUnaryHandler(UnaryFn::elu, "alpha", 1.0f));
  r.add("", "Selu", paramUnaryHandler(UnaryFn::selu, "alpha", 1.67326319217681884765625f,
                                      "gamma", 1.05070102214813232421875f));
  r.add("", "Celu", paramUnaryHandler(UnaryFn::celu, "alpha", 1.0f));
  r.add("", "HardSigmoid",
        paramUnaryHandler(UnaryFn::hard_sigmoid, "alpha", 0.2f, "beta", 0.5f));
  r.add("", "ThresholdedRelu", paramUnaryHandler(UnaryFn::thresholded_relu, "alpha", 1.0f));
  r.add("", "Shrink", paramUnaryHandler(UnaryFn::shrink, "lambd", 0.5f, "bias", 0.0f));
  r.add("", "Gelu", importGelu, 20);
  r.add("com.microsoft", "FastGelu", importFastGelu);
  r.add("com.microsoft", "Gelu", unaryHandler(UnaryFn::gelu));
  r.add("", "IsInf", importIsInf);

  struct {
    const char *name;
    BinaryFn fn;
  } binaries[] = {
      {"Add", BinaryFn::add}, {"Sub", BinaryFn::sub}, {"Mul", BinaryFn::mul},
      {"Div", BinaryFn::div}, {"Pow", BinaryFn::pow}, {"And", BinaryFn::and_},
      {"Or", BinaryFn::or_},  {"Xor", BinaryFn::xor_}, {"PRelu", BinaryFn::prelu},
      {"BitwiseAnd", BinaryFn::bitwise_and}, {"BitwiseOr", BinaryFn::bitwise_or},
      {"BitwiseXor", BinaryFn::bitwise_xor},
  };
  for (auto &bfn : binaries)
    r.add("", bfn.name, binaryHandler(bfn.fn));
  r.add("", "Mod", importMod);
  r.add("", "BitShift", importBitShift);

  r.add("", "Equal", compareHandler(CompareFn::eq));
  r.add("", "Less", compareHandler(CompareFn::lt));
  r.add("", "LessOrEqual", compareHandler(CompareFn::le));
  r.add("", "Greater", compareHandler(CompareFn::gt));
  r.add("", "GreaterOrEqual", compareHandler(CompareFn::ge));

  r.add("", "Max", variadicHandler(BinaryFn::max));
  r.add("", "Min", variadicHandler(BinaryFn::min));
  r.add("", "Sum", variadicHandler(BinaryFn::add));
  r.add("", "Mean", variadicHandler(BinaryFn::add, /*mean=*/true));
  r.add("", "Clip", importClip);
  r.add("", "Where", importWhere);
  r.add("", "Cast", importCast);
  r.add("", "CastLike", importCastLike);
  r.add("", "Identity", importIdentity);
  r.add("", "Dropout", importDropout);
}
