//===- DsShapeOps.td - shape and data movement ops -------------*- tablegen -*-===//

#ifndef DS_SHAPE_OPS_TD
#define DS_SHAPE_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"

def DS_ShapeOfOp : DS_InferOp<"shape_of", [Pure]> {
  let summary = "The dims of a tensor as a 1-D i64 tensor";
  let description = [{
    Gives dims `[start, end)` of `input` (ONNX Shape with its start/end attributes,
    already normalized to non-negative, clamped values). Folds to a constant when
    those dims are static.

    Example:
    ```mlir
    %s = ds.shape_of %x {start = 0 : i64, end = 2 : i64} : tensor<?x128x64xf32> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins DS_Tensor:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$start,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$end);
  let results = (outs DS_ShapeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

#endif // DS_SHAPE_OPS_TD
