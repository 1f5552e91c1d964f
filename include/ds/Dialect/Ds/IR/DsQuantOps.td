//===- DsQuantOps.td - quantization ops -------------------------*- tablegen -*-===//
//
// Quantization as explicit ops on plain integer / f8 tensors (the ONNX model):
// scales and zero points are operands, so per-tensor, per-axis and blocked
// granularities share one form. Shapes of scale and zero point relate to the data
// by `axis` and `block_size`:
//
//   per-tensor  block_size = 0, scale is a scalar or has shape [1]
//   per-axis    block_size = 0, scale is [d] with d = input dim `axis`
//   blocked     block_size > 0, scale has the input's rank and dims, except
//               dim `axis`, which is ceil(input dim / block_size); element i
//               along `axis` uses scale row floor(i / block_size)
//
// The zero point, when given, has the scale's shape and the integer (or f8) element
// type of the quantized side. Without one the zero point is 0.
//
//===----------------------------------------------------------------------===//

#ifndef DS_QUANT_OPS_TD
#define DS_QUANT_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

// Element types a quantized tensor may have.
def DS_QuantElement : AnyTypeOf<[I8, UI8, I16, UI16, I<4>, UI<4>, F8E4M3FN, F8E5M2]>;
def DS_QuantTensor : RankedTensorOf<[DS_QuantElement]>;
// Dequantize also accepts i32 (accumulators, biases of quantized matmuls).
def DS_DequantInputTensor : RankedTensorOf<[DS_QuantElement, I32]>;

def DS_QuantizeOp : DS_Op<"quantize", [Pure]> {
  let summary = "Float to integer or f8 quantization (ONNX QuantizeLinear)";
  let description = [{
    For an integer result:
    `output = clamp(round_half_even(input / scale) + zero_point, qmin, qmax)`
    with the result type's range; for an f8 result:
    `output = convert(input / scale)`, saturating to the largest finite value
    when `saturate` is set and giving NaN/inf otherwise (the zero point of an f8
    result must be 0). `input / scale` is computed in the element type of
    `scale`. The result type (given, not inferred) has the input's shape. See the
    file header for how `axis` and `block_size` select the scale layout; `axis`
    may be negative and is ignored for per-tensor scales.

    Example (per-channel int8 weights, blocked 4-bit activations):
    ```mlir
    %q = ds.quantize %w, %s, %zp {axis = 0 : i64}
        : (tensor<64x128xf32>, tensor<64xf32>, tensor<64xi8>) -> tensor<64x128xi8>
    %r = ds.quantize %x, %s2 {axis = 1 : i64, block_size = 32 : i64}
        : (tensor<4x128xf32>, tensor<4x4xf32>) -> tensor<4x128xi4>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, DS_FloatTensor:$scale,
                       Optional<DS_QuantTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs DS_QuantTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:` `(` type($input) `,`
    type($scale) (`,` type($zero_point)^)? `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def DS_DequantizeOp : DS_Op<"dequantize", [Pure]> {
  let summary = "Integer or f8 to float dequantization (ONNX DequantizeLinear)";
  let description = [{
    `output = (input - zero_point) * scale`, computed in fp32 and rounded to the
    result's float type (given, not inferred; ONNX uses the scale's type unless
    `output_dtype` says otherwise). The result has the input's shape. See the file
    header for the scale layouts. Blocks run along one axis; 2-D blocks
    (DeepSeek-V3's 128x128 f8 weights) are a blocked scale along one axis whose
    rows were repeated along the other.

    Example (f8 weights, blocks of 128 along the input features):
    ```mlir
    %w = ds.dequantize %q, %s {axis = 1 : i64, block_size = 128 : i64}
        : (tensor<256x512xf8E4M3FN>, tensor<256x4xf32>) -> tensor<256x512xbf16>
    ```
  }];
  let arguments = (ins DS_DequantInputTensor:$input, DS_FloatTensor:$scale,
                       Optional<DS_DequantInputTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $zero_point^)? attr-dict `:` `(` type($input) `,`
    type($scale) (`,` type($zero_point)^)? `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def DS_DynamicQuantizeOp : DS_InferOp<"dynamic_quantize", [Pure]> {
  let summary = "Per-tensor uint8 quantization with a range computed from the data";
  let description = [{
    ONNX DynamicQuantizeLinear: with `lo = min(0, min(input))` and
    `hi = max(0, max(input))`,
    `scale = (hi - lo) / 255`,
    `zero_point = clamp(round_half_even(-lo / scale), 0, 255)` and
    `output = clamp(round_half_even(input / scale) + zero_point, 0, 255)`.
    (`scale` is 0 and everything 0 when the input is all zeros.)

    Example:
    ```mlir
    %y, %s, %zp = ds.dynamic_quantize %x
        : tensor<?x64xf32> -> (tensor<?x64xui8>, tensor<f32>, tensor<ui8>)
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input);
  let results = (outs RankedTensorOf<[UI8]>:$output, 0DTensorOf<[F32]>:$scale,
                      0DTensorOf<[UI8]>:$zero_point);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` `(` type($output) `,` type($scale) `,`
    type($zero_point) `)`
  }];
}

def DS_MatmulNBitsOp : DS_InferOp<"matmul_nbits", [Pure, AttrSizedOperandSegments]> {
  let summary = "Matmul with weights packed to 2, 4 or 8 bits in blocks along K";
  let description = [{
    Weight-only quantized linear layer (onnxruntime MatMulNBits):
    `output[..., n] = sum_k input[..., k] * W[n, k] (+ bias[n])`, `output` is
    `[..., N]` with the input's element type, where

    ```
    W[n, k] = (q[n, k] - zp[n, k / block_size]) * scales[n, k / block_size]
    ```

    `weight` is `ui8` `[N, n_blocks, blob]` with `n_blocks = ceil(K / block_size)`
    and `blob = block_size * bits / 8`: `q[n, b * block_size + j]` is bit field `j`
    of block `b`, packed from the least significant bits of each byte up (for 4
    bits: element 2i is the low nibble of byte i). Elements past K in the last
    block are padding. `scales` is `[N, n_blocks]` (or flat `[N * n_blocks]`) of
    the input's type. `zero_points` is optional: packed `ui8`
    `[N, ceil(n_blocks * bits / 8)]` (or flat) with the weight's bit packing, or
    unpacked `[N, n_blocks]` of the input's float type; without it the zero point
    is `2^(bits - 1)`. `bias` is `[N]`.

    Import keeps this op instead of `ds.dequantize` + matmul so that kernels read
    the packed weights directly (DESIGN.md: weight-only int4 with per-group scales).

    Example (K = 64, N = 32, 4 bits, blocks of 32):
    ```mlir
    %y = ds.matmul_nbits %x, %w, %s {k = 64 : i64, n = 32 : i64, bits = 4 : i64,
                                     block_size = 32 : i64}
        : (tensor<?x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, RankedTensorOf<[UI8]>:$weight,
                       DS_FloatTensor:$scales,
                       Optional<DS_Tensor>:$zero_points,
                       Optional<DS_FloatTensor>:$bias,
                       I64Attr:$k, I64Attr:$n,
                       DefaultValuedAttr<I64Attr, "4">:$bits,
                       I64Attr:$block_size);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $scales (`zero_points` `(` $zero_points^ `:`
    type($zero_points) `)`)? (`bias` `(` $bias^ `:` type($bias) `)`)? attr-dict `:`
    `(` type($input) `,` type($weight) `,` type($scales) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // DS_QUANT_OPS_TD
