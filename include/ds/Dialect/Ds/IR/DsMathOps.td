//===- DsMathOps.td - linear algebra, reductions, normalization -*- tablegen -*-===//

#ifndef DS_MATH_OPS_TD
#define DS_MATH_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

def DS_RmsNormOp : DS_InferOp<"rms_norm", [Pure]> {
  let summary = "Root-mean-square normalization over the trailing axes";
  let description = [{
    `output = input / sqrt(mean(input^2 over axes [axis, rank)) + epsilon) * scale`,
    computed in fp32 whatever the storage type (DEEPSEEK.md), or f64 for f64 inputs. `scale` broadcasts
    against the normalized trailing dims.

    Example:
    ```mlir
    %y = ds.rms_norm %x, %w {axis = -1 : i64, epsilon = 1.0e-6 : f32}
        : (tensor<?x?x64xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, DS_FloatTensor:$scale,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` `(` type($input) `,` type($scale) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def DS_LayerNormOp : DS_InferOp<"layer_norm", [Pure]> {
  let summary = "Layer normalization over the trailing axes";
  let description = [{
    `output = (input - mean) / sqrt(var + epsilon) * scale + bias` with mean and
    (biased) variance over axes [axis, rank), computed in fp32 (f64 for f64 inputs). `bias` is optional.

    Example:
    ```mlir
    %y = ds.layer_norm %x, %w, %b {axis = -1 : i64, epsilon = 1.0e-5 : f32}
        : (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, DS_FloatTensor:$scale,
                       Optional<DS_FloatTensor>:$bias,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` `(` type($input) `,` type($scale)
    (`,` type($bias)^)? `)` `->` type($output)
  }];
  let hasVerifier = 1;
}


//===----------------------------------------------------------------------===//
// Linear algebra.
//===----------------------------------------------------------------------===//

def DS_MatmulOp : DS_InferOp<"matmul", [Pure]> {
  let summary = "Batched matrix product with optional transposes";
  let description = [{
    `output[..., m, n] = sum_k A[..., m, k] * B[..., k, n]` where `A` is `lhs`
    (its last two dims swapped when `transpose_a`) and `B` is `rhs` (swapped when
    `transpose_b`). Both operands have rank >= 2; the batch dims (all but the last
    two) broadcast as in numpy, so `tensor<8x?x64xf32>` times `tensor<64x32xf32>`
    is a batched product with a shared weight. Both operands have the same element
    type, which the result keeps (integer and mixed-precision products are
    quantized ops, see DsQuantOps.td). Dynamic dims stay `?` in the result.

    ONNX MatMul with 1-D operands is imported as numpy does: the vector is
    promoted to a 1xK row (lhs) or a transposed row (rhs) and the extra unit dim
    is reduced away after the product.

    Example:
    ```mlir
    %s = ds.matmul %q, %k {transpose_b}
        : (tensor<1x8x?x64xf32>, tensor<1x8x?x64xf32>) -> tensor<1x8x?x?xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$lhs, DS_Tensor:$rhs,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

def DS_LinearOp : DS_InferOp<"linear", [Pure]> {
  let summary = "Dense layer: input times a 2-D weight, plus an optional bias";
  let description = [{
    `output[..., n] = sum_k input[..., k] * W[k, n] + bias[n]` where `W` is
    `weight` of shape `[K, N]`, or `[N, K]` (the PyTorch `nn.Linear` layout) when
    `transpose_w` is set. `input` has rank >= 1, `bias` (optional) is 1-D of size
    N. All element types are equal. ONNX Gemm with alpha = beta = 1, no transA and
    a 1-D C imports onto this op; other Gemms become `ds.matmul` plus
    `ds.binary`.

    Example:
    ```mlir
    %y = ds.linear %x, %w, %b {transpose_w}
        : (tensor<?x?x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<?x?x256xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DS_Tensor:$weight, Optional<DS_Tensor>:$bias,
                       UnitAttr:$transpose_w);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` `(` type($input) `,` type($weight)
    (`,` type($bias)^)? `)` `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions.
//===----------------------------------------------------------------------===//

def DS_ReduceOp : DS_InferOp<"reduce", [Pure]> {
  let summary = "Reduction over a set of axes";
  let description = [{
    Reduces `input` over `axes` (distinct, each in [-rank, rank)) with `fn`:
    `sum`, `mean`, `max`, `min`, `prod`, `l1` (sum |x|), `l2` (sqrt sum x^2),
    `sum_square`, `log_sum` (log sum x) and `log_sum_exp`. Reduced dims stay as 1
    when `keep_dims` is set and are dropped otherwise.

    An empty `axes` reduces nothing: each element is reduced on its own, so `sum`,
    `mean`, `max`, `min`, `prod` and `log_sum_exp` are the identity and `l1`, `l2`,
    `sum_square`, `log_sum` apply their element function (this is ONNX
    `noop_with_empty_axes = 1`; the importer lists all axes for the other case).
    `l2`, `log_sum` and `log_sum_exp` need floating-point elements; `max` and
    `min` also accept i1. Integer `mean` truncates toward zero.

    Example:
    ```mlir
    %m = ds.reduce mean %x {axes = array<i64: -1>, keep_dims} : tensor<?x64xf32> -> tensor<?x1xf32>
    %s = ds.reduce sum %x {axes = array<i64: 0, 1>} : tensor<2x3xi64> -> tensor<i64>
    ```
  }];
  let arguments = (ins DS_ReduceFn:$fn, DS_Tensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keep_dims);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$fn $input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DS_ArgReduceOp : DS_InferOp<"arg_reduce", [Pure]> {
  let summary = "Index of the largest or smallest element along an axis";
  let description = [{
    Gives the i64 index along `axis` of the first maximum (`argmax`) or minimum
    (`argmin`), or of the last one when `select_last_index` is set. The axis stays
    as a dim of size 1 when `keep_dims` is set.

    Example:
    ```mlir
    %i = ds.arg_reduce argmax %logits {axis = -1 : i64} : tensor<?x32000xf32> -> tensor<?xi64>
    ```
  }];
  let arguments = (ins DS_ArgReduceFn:$fn, DS_Tensor:$input, I64Attr:$axis,
                       UnitAttr:$keep_dims, UnitAttr:$select_last_index);
  let results = (outs TensorOf<[I64]>:$output);
  let assemblyFormat = "$fn $input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Softmax family.
//===----------------------------------------------------------------------===//

class DS_SoftmaxLikeOp<string mnemonic> : DS_InferOp<mnemonic, [Pure]> {
  let arguments = (ins DS_FloatTensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs DS_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DS_SoftmaxOp : DS_SoftmaxLikeOp<"softmax"> {
  let summary = "Softmax along one axis";
  let description = [{
    `output = exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (ONNX Softmax-13
    semantics). ONNX Softmax before opset 13 normalizes over all axes from `axis`
    on; the importer uses this op when that is the same thing (the last axis, or
    unit dims after it) and a `ds.reduce` formulation otherwise. Folds to ones
    when the axis has size 1.

    Example:
    ```mlir
    %p = ds.softmax %s {axis = -1 : i64} : tensor<1x8x?x?xf32> -> tensor<1x8x?x?xf32>
    ```
  }];
}

def DS_LogSoftmaxOp : DS_SoftmaxLikeOp<"log_softmax"> {
  let summary = "Logarithm of softmax along one axis";
  let description = [{
    `output = x - max(x) - log(sum(exp(x - max(x))))` along `axis`. Folds to zeros
    when the axis has size 1.

    Example:
    ```mlir
    %l = ds.log_softmax %x {axis = 1 : i64} : tensor<4x10xf32> -> tensor<4x10xf32>
    ```
  }];
}

def DS_HardmaxOp : DS_SoftmaxLikeOp<"hardmax"> {
  let summary = "One-hot of the first maximum along one axis";
  let description = [{
    `output` is 1 at the first maximal element along `axis` and 0 elsewhere (ONNX
    Hardmax-13). Hardmax is an op rather than an argmax + one-hot decomposition so
    that the one-hot needs no extra index tensors; ONNX Hardmax before opset 13
    (first maximum over the flattened axes from `axis` on) imports onto it when
    that is the same thing and decomposes otherwise (static shapes only). Folds
    to ones when the axis has size 1.

    Example:
    ```mlir
    %h = ds.hardmax %x {axis = -1 : i64} : tensor<4x10xf32> -> tensor<4x10xf32>
    ```
  }];
}

//===----------------------------------------------------------------------===//
// Scans and selection.
//===----------------------------------------------------------------------===//

def DS_CumsumOp : DS_InferOp<"cumsum", [Pure]> {
  let summary = "Cumulative sum along an axis";
  let description = [{
    `output[..., i, ...] = sum_{j <= i} input[..., j, ...]` along `axis`;
    `exclusive` leaves out element i itself (`j < i`), `reverse` sums from the end
    (`j >= i`, or `j > i` when exclusive). ONNX CumSum's axis input must be a
    constant for the importer.

    Example:
    ```mlir
    %c = ds.cumsum %x {axis = 1 : i64, exclusive} : tensor<2x?xi64> -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, I64Attr:$axis, UnitAttr:$exclusive,
                       UnitAttr:$reverse);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DS_TopKOp : DS_InferOp<"topk", [Pure]> {
  let summary = "The k largest (or smallest) elements along an axis, and their indices";
  let description = [{
    Gives `values` and their i64 `indices` along `axis`, whose dim becomes `k`.
    `largest` picks the largest elements (else the smallest); `sorted` orders
    them (descending for largest, ascending otherwise); equal values keep the
    lower index first. `k` is an attribute: the ONNX importer needs TopK's K
    input to be constant or computable from static shapes.

    Example:
    ```mlir
    %v, %i = ds.topk %scores {axis = -1 : i64, k = 8 : i64}
        : tensor<?x256xf32> -> (tensor<?x8xf32>, tensor<?x8xi64>)
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis,
                       I64Attr:$k, DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs DS_Tensor:$values, TensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` `(` type($values) `,` type($indices) `)`
  }];
  let hasVerifier = 1;
}

#endif // DS_MATH_OPS_TD
