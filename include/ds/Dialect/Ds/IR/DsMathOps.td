//===- DsMathOps.td - linear algebra, reductions, normalization -*- tablegen -*-===//

#ifndef DS_MATH_OPS_TD
#define DS_MATH_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

def DS_RmsNormOp : DS_InferOp<"rms_norm", [Pure]> {
  let summary = "Root-mean-square normalization over the trailing axes";
  let description = [{
    `output = input / sqrt(mean(input^2 over axes [axis, rank)) + epsilon) * scale`,
    computed in fp32 whatever the storage type (DEEPSEEK.md). `scale` broadcasts
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
    (biased) variance over axes [axis, rank), computed in fp32. `bias` is optional.

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

#endif // DS_MATH_OPS_TD
