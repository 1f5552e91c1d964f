//===- DsElementwiseOps.td - elementwise ops --------------------*- tablegen -*-===//

#ifndef DS_ELEMENTWISE_OPS_TD
#define DS_ELEMENTWISE_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

//===----------------------------------------------------------------------===//
// Elementwise.
//===----------------------------------------------------------------------===//

def DS_UnaryOp : DS_InferOp<"unary", [Pure]> {
  let summary = "Elementwise function of one tensor";
  let description = [{
    Applies `fn` to every element. `alpha` and `beta` parameterize the functions that
    take parameters (leaky_relu, elu, selu, celu, hard_sigmoid, thresholded_relu,
    shrink); docs/dialect.md lists the formulas. Predicates (`is_inf`, `is_nan`) give
    `i1`; every other function keeps the element type.

    Example:
    ```mlir
    %0 = ds.unary exp %x : tensor<?x64xf32> -> tensor<?x64xf32>
    %1 = ds.unary leaky_relu %x {alpha = 0.1 : f32} : tensor<4xf32> -> tensor<4xf32>
    ```
  }];
  let arguments = (ins DS_UnaryFn:$fn, DS_Tensor:$input,
                       OptionalAttr<F32Attr>:$alpha, OptionalAttr<F32Attr>:$beta);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$fn $input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_BinaryOp : DS_InferOp<"binary", [Pure]> {
  let summary = "Elementwise function of two tensors with numpy broadcasting";
  let description = [{
    Operands broadcast as in numpy (and ONNX multidirectional broadcasting); both have
    the same element type, which the result keeps. `mod` follows the sign of the
    divisor (Python), `fmod` the sign of the dividend (C). `prelu` is
    `lhs < 0 ? lhs * rhs : lhs`. Integer `div` truncates toward zero.

    Example:
    ```mlir
    %0 = ds.binary add %a, %b : (tensor<2x?x64xf32>, tensor<64xf32>) -> tensor<2x?x64xf32>
    ```
  }];
  let arguments = (ins DS_BinaryFn:$fn, DS_Tensor:$lhs, DS_Tensor:$rhs);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $fn $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_CompareOp : DS_InferOp<"compare", [Pure]> {
  let summary = "Elementwise comparison with numpy broadcasting, giving i1";
  let description = [{
    Example:
    ```mlir
    %m = ds.compare le %j, %i : (tensor<1x?xi64>, tensor<?x1xi64>) -> tensor<?x?xi1>
    ```
  }];
  let arguments = (ins DS_CompareFn:$fn, DS_Tensor:$lhs, DS_Tensor:$rhs);
  let results = (outs DS_BoolTensor:$output);
  let assemblyFormat = [{
    $fn $lhs `,` $rhs attr-dict `:` `(` type($lhs) `,` type($rhs) `)` `->` type($output)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_SelectOp : DS_InferOp<"select", [Pure]> {
  let summary = "Elementwise choice between two tensors, numpy broadcasting";
  let description = [{
    `output = condition ? on_true : on_false`, all three broadcast together.

    Example:
    ```mlir
    %0 = ds.select %c, %a, %b : (tensor<4x4xi1>, tensor<f32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins DS_BoolTensor:$condition, DS_Tensor:$on_true, DS_Tensor:$on_false);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:`
    `(` type($condition) `,` type($on_true) `,` type($on_false) `)` `->` type($output)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_CastOp : DS_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion of the element type";
  let description = [{
    Float to integer truncates toward zero; float to f8 saturates to the largest finite
    value when `saturate` is set (ONNX Cast-19 default) and gives NaN otherwise.

    Example:
    ```mlir
    %0 = ds.cast %x : tensor<?x64xf16> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

#endif // DS_ELEMENTWISE_OPS_TD
