//===- DsShapeOps.td - shape and data movement ops -------------*- tablegen -*-===//
//
// Shape and data-movement ops follow their ONNX counterparts. Shapes, starts, ends,
// pads, repeats and the like are 1-D i64 operands so that dynamic dims can be
// computed in the graph; type inference reads whatever part of them is constant
// (looking through concat, gather, unsqueeze and shape_of) to give static dims, and
// folders turn all-constant shape sub-graphs into constants. Axis attributes may be
// negative (counted from the back); the importer writes them normalized.
//
//===----------------------------------------------------------------------===//

#ifndef DS_SHAPE_OPS_TD
#define DS_SHAPE_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "ds/Dialect/Ds/IR/DsEnums.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Shapes.
//===----------------------------------------------------------------------===//

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
  let hasVerifier = 1;
}

def DS_ReshapeOp : DS_InferOp<"reshape", [Pure]> {
  let summary = "Reshape to a computed shape (ONNX Reshape semantics)";
  let description = [{
    `shape` is a 1-D i64 tensor whose length is the result rank. An entry `-1`
    (at most one) is inferred from the element count; an entry `0` copies the input
    dim at the same position unless `allow_zero` is set, in which case it is a zero
    dim (and `-1` may then not appear). Entries the IR does not know (a computed
    shape) give `?` dims; inference looks through `ds.concat`, `ds.unsqueeze`,
    `ds.gather` and `ds.shape_of` for the entries that are known.

    Example:
    ```mlir
    %y = ds.reshape %x, %shape : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x4x16xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$data, DS_ShapeTensor:$shape,
                       DefaultValuedAttr<BoolAttr, "false">:$allow_zero);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def DS_TransposeOp : DS_InferOp<"transpose", [Pure]> {
  let summary = "Permutes the dims of a tensor";
  let description = [{
    Result dim `i` is input dim `perm[i]`.

    Example:
    ```mlir
    %y = ds.transpose %x {perm = array<i64: 0, 2, 1, 3>} : tensor<?x?x4x16xf32> -> tensor<?x4x?x16xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_ConcatOp : DS_InferOp<"concat", [Pure]> {
  let summary = "Concatenates tensors along an axis";
  let description = [{
    All inputs have the same rank and element type and agree on every dim but `axis`.

    Example:
    ```mlir
    %s = ds.concat %a, %b {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Variadic<DS_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_SliceOp : DS_InferOp<"slice", [Pure]> {
  let summary = "Strided slice along some axes (ONNX Slice semantics)";
  let description = [{
    `starts`, `ends`, `axes` and `steps` are 1-D i64 tensors of one length. For each
    listed axis of dim `d`, negative starts/ends count from the back and are then
    clamped: to `[0, d]` for a positive step, to `[0, d-1]` (start) and `[-1, d-1]`
    (end) for a negative step. A step is never 0. Axes not listed are kept whole.

    Example:
    ```mlir
    %y = ds.slice %x, %starts, %ends, %axes, %steps
        : (tensor<4x?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>)
        -> tensor<2x?xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$data, DS_ShapeTensor:$starts, DS_ShapeTensor:$ends,
                       DS_ShapeTensor:$axes, DS_ShapeTensor:$steps);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_SplitOp : DS_InferOp<"split", [Pure]> {
  let summary = "Splits a tensor into `num_outputs` pieces along an axis";
  let description = [{
    With `sizes` (a 1-D i64 tensor of `num_outputs` entries) the pieces have those
    sizes along `axis`. Without it the pieces have `ceil(d / num_outputs)` elements
    and the last one what remains (ONNX Split-18 `num_outputs`; an even split when
    `d` divides).

    Example:
    ```mlir
    %a:2 = ds.split %x {axis = 1 : i64, num_outputs = 2 : i64}
        : (tensor<4x7xf32>) -> (tensor<4x4xf32>, tensor<4x3xf32>)
    %b:2 = ds.split %x, %sizes {axis = 1 : i64, num_outputs = 2 : i64}
        : (tensor<4x7xf32>, tensor<2xi64>) -> (tensor<4x5xf32>, tensor<4x2xf32>)
    ```
  }];
  let arguments = (ins DS_Tensor:$input, Optional<DS_ShapeTensor>:$sizes, I64Attr:$axis,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_outputs);
  let results = (outs Variadic<DS_Tensor>:$outputs);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_SqueezeOp : DS_InferOp<"squeeze", [Pure]> {
  let summary = "Removes dims of size 1";
  let description = [{
    Removes the dims listed in `axes` (each must be 1, or dynamic and 1 at run time).

    Example:
    ```mlir
    %y = ds.squeeze %x {axes = array<i64: 0>} : tensor<1x?x64xf32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_UnsqueezeOp : DS_InferOp<"unsqueeze", [Pure]> {
  let summary = "Inserts dims of size 1";
  let description = [{
    `axes` are positions in the result (rank = input rank + number of axes).

    Example:
    ```mlir
    %y = ds.unsqueeze %x {axes = array<i64: 0>} : tensor<i64> -> tensor<1xi64>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_FlattenOp : DS_InferOp<"flatten", [Pure]> {
  let summary = "Flattens to 2-D: dims [0, axis) and [axis, rank)";
  let description = [{
    `axis` is in `[-rank, rank]`; `axis = 0` gives a leading dim of 1.

    Example:
    ```mlir
    %y = ds.flatten %x {axis = 1 : i64} : tensor<?x4x16xf32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, I64Attr:$axis);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_ExpandOp : DS_InferOp<"expand", [Pure]> {
  let summary = "Broadcasts a tensor to a computed shape (ONNX Expand)";
  let description = [{
    The result shape is the numpy broadcast of the input's shape and `shape`
    (so an entry 1 keeps the input dim, and the result rank may exceed `shape`'s
    length).

    Example:
    ```mlir
    %y = ds.expand %x, %shape : (tensor<1x1x?xf32>, tensor<3xi64>) -> tensor<2x4x?xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DS_ShapeTensor:$shape);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_TileOp : DS_InferOp<"tile", [Pure]> {
  let summary = "Repeats a tensor along each dim";
  let description = [{
    `repeats` has one non-negative entry per dim; result dim `i` is
    `dim(i) * repeats[i]`.

    Example:
    ```mlir
    %y = ds.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DS_ShapeTensor:$repeats);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_PadOp : DS_InferOp<"pad", [Pure]> {
  let summary = "Pads a tensor (constant, reflect, edge or wrap)";
  let description = [{
    `pads` is `[begin_0, ..., begin_n-1, end_0, ..., end_n-1]` for the `n` axes in
    `axes` (all dims in order when `axes` is absent). Negative pads remove elements.
    In `constant` mode the optional rank-0 `value` (default 0) fills the new
    elements.

    Example:
    ```mlir
    %y = ds.pad constant %x, %pads, %v : (tensor<2x?xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x?xf32>
    %z = ds.pad reflect %x, %p {axes = array<i64: 1>} : (tensor<2x8xf32>, tensor<2xi64>) -> tensor<2x10xf32>
    ```
  }];
  let arguments = (ins DS_PadMode:$mode, DS_Tensor:$input, DS_ShapeTensor:$pads,
                       Optional<DS_Tensor>:$value, OptionalAttr<DenseI64ArrayAttr>:$axes);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $mode $input `,` $pads (`,` $value^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Gather and scatter.
//===----------------------------------------------------------------------===//

def DS_GatherOp : DS_InferOp<"gather", [Pure]> {
  let summary = "Takes slices along an axis at given indices (ONNX Gather)";
  let description = [{
    Result shape is `data.shape[:axis] + indices.shape + data.shape[axis+1:]`.
    Negative indices count from the back of the axis.

    Example:
    ```mlir
    %d = ds.gather %s, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
    ```
  }];
  let arguments = (ins DS_Tensor:$data, DS_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_GatherElementsOp : DS_InferOp<"gather_elements", [Pure]> {
  let summary = "Element-wise gather along an axis (ONNX GatherElements)";
  let description = [{
    `output[i][j][k] = data[indices[i][j][k]][j][k]` for `axis = 0`; `indices` has
    the data's rank and gives the result shape.

    Example:
    ```mlir
    %y = ds.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$data, DS_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_GatherNdOp : DS_InferOp<"gather_nd", [Pure]> {
  let summary = "Gathers slices by index tuples (ONNX GatherND)";
  let description = [{
    The last dim `m` of `indices` (static) indexes data dims
    `[batch_dims, batch_dims + m)`. Result shape is
    `indices.shape[:-1] + data.shape[batch_dims + m:]`.

    Example:
    ```mlir
    %y = ds.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<4x8xf32>, tensor<3x1xi64>) -> tensor<3x8xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$data, DS_IndexTensor:$indices,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "0">:$batch_dims);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_ScatterElementsOp : DS_InferOp<"scatter_elements", [Pure]> {
  let summary = "Writes updates at element indices along an axis (ONNX ScatterElements)";
  let description = [{
    A copy of `data` where `output[indices[i][j]][j] = updates[i][j]` (for
    `axis = 0`), combined by `reduction` when indices repeat.

    Example:
    ```mlir
    %y = ds.scatter_elements add %x, %i, %u {axis = 1 : i64}
        : (tensor<4x8xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DS_ScatterReduction:$reduction, DS_Tensor:$data,
                       DS_IndexTensor:$indices, DS_Tensor:$updates, I64Attr:$axis);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $reduction $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_ScatterNdOp : DS_InferOp<"scatter_nd", [Pure]> {
  let summary = "Writes update slices at index tuples (ONNX ScatterND)";
  let description = [{
    `updates` has shape `indices.shape[:-1] + data.shape[m:]` where `m` is the last
    (static) dim of `indices`.

    Example:
    ```mlir
    %y = ds.scatter_nd none %x, %i, %u
        : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<2x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DS_ScatterReduction:$reduction, DS_Tensor:$data,
                       DS_IndexTensor:$indices, DS_Tensor:$updates);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $reduction $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Generators.
//===----------------------------------------------------------------------===//

def DS_RangeOp : DS_InferOp<"range", [Pure]> {
  let summary = "A 1-D sequence start, start + delta, ... below limit";
  let description = [{
    `start`, `limit` and `delta` are rank-0 tensors of the result element type;
    the length is `max(ceil((limit - start) / delta), 0)`. `delta` is never 0.

    Example:
    ```mlir
    %r = ds.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins DS_Tensor:$start, DS_Tensor:$limit, DS_Tensor:$delta);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_FillOp : DS_InferOp<"fill", [Pure]> {
  let summary = "A tensor of a computed shape filled with one value (ConstantOfShape)";
  let description = [{
    The result's element type is the type of `value`.

    Example:
    ```mlir
    %m = ds.fill %shape {value = 0.000000e+00 : f32} : tensor<2xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins DS_ShapeTensor:$shape, TypedAttrInterface:$value);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$shape attr-dict `:` type($shape) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_TriluOp : DS_InferOp<"trilu", [Pure]> {
  let summary = "Keeps the upper or lower triangle of the last two dims";
  let description = [{
    Elements `(i, j)` with `j - i >= k` (`upper`) or `j - i <= k` (lower) are kept,
    the rest become 0. `k` is an optional rank-0 i64 tensor (default 0).

    Example:
    ```mlir
    %m = ds.trilu %x, %k {upper = false} : (tensor<?x?xf32>, tensor<i64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, Optional<DS_Tensor>:$k,
                       DefaultValuedAttr<BoolAttr, "true">:$upper);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_NonZeroOp : DS_InferOp<"nonzero", [Pure]> {
  let summary = "Indices of the non-zero elements, `[rank, count]`";
  let description = [{
    The count is known only at run time, so the second dim is dynamic.

    Example:
    ```mlir
    %i = ds.nonzero %x : tensor<4x4xi1> -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins DS_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def DS_OneHotOp : DS_InferOp<"one_hot", [Pure]> {
  let summary = "One-hot encoding of integer indices (ONNX OneHot)";
  let description = [{
    Inserts a new dim of size `depth` (a rank-0 or one-element tensor) at `axis` of
    the result; `values` is `[off, on]` and gives the element type. Indices in
    `[-depth, depth)` are hot (negative ones count from the back); others give an
    all-`off` row.

    Example:
    ```mlir
    %y = ds.one_hot %i, %d, %v {axis = -1 : i64} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<4x?xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$indices, DS_Tensor:$depth, DS_Tensor:$values,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def DS_EyeLikeOp : DS_InferOp<"eye_like", [Pure]> {
  let summary = "A 2-D identity-like matrix of the input's shape (ONNX EyeLike)";
  let description = [{
    Ones on the diagonal shifted by `k` (`j - i == k`), zeros elsewhere, with element
    type `dtype`. Folds to a constant when the shape is static.

    Example:
    ```mlir
    %e = ds.eye_like %x {dtype = f32, k = 1 : i64} : tensor<?x?xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, TypeAttr:$dtype,
                       DefaultValuedAttr<I64Attr, "0">:$k);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

#endif // DS_SHAPE_OPS_TD
