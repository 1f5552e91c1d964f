//===- QuantOps.cpp - ONNX quantization ops to ds --------------------------===//
//
// QuantizeLinear / DequantizeLinear (opset 10: per-tensor; 13: per-axis; 19: f8 and
// saturate; 21: blocked, int4, output_dtype; 23: precision) map onto ds.quantize /
// ds.dequantize, DynamicQuantizeLinear onto ds.dynamic_quantize, and
// com.microsoft MatMulNBits onto ds.matmul_nbits (kept whole, so that kernels read
// the packed weights).
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::onnx_import;

namespace {

/// axis / block_size / saturate as the node's opset defines them.
SmallVector<NamedAttribute> quantAttrs(NodeContext &ctx, bool withSaturate) {
  SmallVector<NamedAttribute> attrs;
  int64_t axis = ctx.opset >= 13 ? ctx.getInt("axis", 1) : 1;
  int64_t blockSize = ctx.opset >= 21 ? ctx.getInt("block_size", 0) : 0;
  attrs.push_back(ctx.named("axis", ctx.b.getI64IntegerAttr(axis)));
  attrs.push_back(ctx.named("block_size", ctx.b.getI64IntegerAttr(blockSize)));
  if (withSaturate)
    attrs.push_back(ctx.named(
        "saturate", ctx.b.getBoolAttr(ctx.opset >= 19 ? ctx.getInt("saturate", 1) != 0
                                                       : true)));
  return attrs;
}

LogicalResult importQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0), scale = ctx.input(1), zp = ctx.input(2);
  auto attrs = quantAttrs(ctx, /*withSaturate=*/true);
  std::optional<int64_t> outputDtype;
  if (ctx.opset >= 21)
    outputDtype = ctx.getOptionalInt("output_dtype");
  std::optional<int64_t> precision;
  if (ctx.opset >= 23)
    precision = ctx.getOptionalInt("precision");
  if (ctx.failedAttributes())
    return failure();
  // Output type: output_dtype, else the zero point's type, else uint8.
  Type out = IntegerType::get(ctx.getContext(), 8, IntegerType::Unsigned);
  if (outputDtype && *outputDtype != 0) {
    auto t = ctx.getElementType("output_dtype", (int32_t)*outputDtype);
    if (failed(t))
      return failure();
    out = *t;
    if (zp && ctx.inputType(2).getElementType() != out)
      return ctx.fail("attribute 'output_dtype' (" + typeToString(out) +
                      ") differs from the zero point's type " +
                      typeToString(ctx.inputType(2).getElementType()));
  } else if (zp) {
    out = ctx.inputType(2).getElementType();
  }
  // The division runs in `precision` (default: the scale's type); ds.quantize divides
  // in the scale's type, so the scale is converted. Integer inputs become that type.
  Type divType = ctx.inputType(1).getElementType();
  if (precision && *precision != 0) {
    auto t = ctx.getElementType("precision", (int32_t)*precision);
    if (failed(t))
      return failure();
    divType = *t;
  }
  if (!isa<FloatType>(divType))
    return ctx.fail("the division type " + typeToString(divType) + " (scale or 'precision') "
                    "must be a float type");
  auto s = ctx.cast(scale, divType);
  auto xf = isa<FloatType>(ctx.inputType(0).getElementType())
                ? FailureOr<Value>(x)
                : ctx.cast(x, divType);
  if (failed(s) || failed(xf))
    return failure();
  SmallVector<Value> operands{*xf, *s};
  if (zp)
    operands.push_back(zp);
  auto y = ctx.createTyped<QuantizeOp>(ctx.inputType(0).clone(out), operands, attrs);
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importDequantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0), scale = ctx.input(1), zp = ctx.input(2);
  auto attrs = quantAttrs(ctx, /*withSaturate=*/false);
  std::optional<int64_t> outputDtype;
  if (ctx.opset >= 23)
    outputDtype = ctx.getOptionalInt("output_dtype");
  if (ctx.failedAttributes())
    return failure();
  Type out = ctx.inputType(1).getElementType();
  if (outputDtype && *outputDtype != 0) {
    auto t = ctx.getElementType("output_dtype", (int32_t)*outputDtype);
    if (failed(t))
      return failure();
    out = *t;
  }
  SmallVector<Value> operands{x, scale};
  if (zp)
    operands.push_back(zp);
  auto y = ctx.createTyped<DequantizeOp>(ctx.inputType(0).clone(out), operands, attrs);
  return failed(y) ? failure() : ctx.setOutput(*y);
}

LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  auto results = ctx.createMulti<DynamicQuantizeOp>(ctx.input(0));
  return failed(results) ? failure() : ctx.setOutputs(*results);
}

LogicalResult importMatMulNBits(NodeContext &ctx) {
  auto k = ctx.getOptionalInt("K"), n = ctx.getOptionalInt("N");
  auto blockSize = ctx.getOptionalInt("block_size");
  int64_t bits = ctx.getInt("bits", 4);
  int64_t prepacked = ctx.getInt("weight_prepacked", 0);
  if (ctx.failedAttributes())
    return failure();
  if (!k || !n || !blockSize)
    return ctx.fail("attributes 'K', 'N' and 'block_size' are required");
  if (prepacked != 0)
    return ctx.fail("attribute 'weight_prepacked' = " + Twine(prepacked) +
                    " (a device-specific layout) is not supported");
  if (ctx.hasInput(4))
    return ctx.fail("input 'g_idx' (deprecated act-order groups) is not supported");
  SmallVector<Value> operands{ctx.input(0), ctx.input(1), ctx.input(2)};
  Value zp = ctx.input(3), bias = ctx.input(5);
  if (zp)
    operands.push_back(zp);
  if (bias)
    operands.push_back(bias);
  auto y = ctx.create<MatmulNBitsOp>(
      operands,
      {ctx.named("operandSegmentSizes",
                 ctx.b.getDenseI32ArrayAttr({1, 1, 1, zp ? 1 : 0, bias ? 1 : 0})),
       ctx.named("k", ctx.b.getI64IntegerAttr(*k)),
       ctx.named("n", ctx.b.getI64IntegerAttr(*n)),
       ctx.named("bits", ctx.b.getI64IntegerAttr(bits)),
       ctx.named("block_size", ctx.b.getI64IntegerAttr(*blockSize))});
  return failed(y) ? failure() : ctx.setOutput(*y);
}

} // namespace

void onnx_import::registerQuantHandlers(HandlerRegistry &r) {
  // One handler per op reads the attributes of the node's own opset version.
  r.add("", "QuantizeLinear", importQuantizeLinear, 10);
  r.add("", "DequantizeLinear", importDequantizeLinear, 10);
  r.add("", "DynamicQuantizeLinear", importDynamicQuantizeLinear, 11);
  r.add("com.microsoft", "MatMulNBits", importMatMulNBits);
}
