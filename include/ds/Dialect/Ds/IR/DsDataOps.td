//===- DsDataOps.td - constants, weights, kernel regions -------*- tablegen -*-===//

#ifndef DS_DATA_OPS_TD
#define DS_DATA_OPS_TD

include "ds/Dialect/Ds/IR/DsBase.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def DS_ConstantOp : DS_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>]> {
  let summary = "A tensor constant (small dense values or a resource blob)";
  let description = [{
    Holds a tensor value. Small values (shapes, axes, scalars) are dense elements;
    weights imported from an ONNX file are `dense_resource` blobs, so the text form
    stays small however large the model is.

    Example:
    ```mlir
    %shape = ds.constant dense<[1, 4, 64]> : tensor<3xi64>
    %w = ds.constant dense_resource<layer0.wq> : tensor<64x64xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def DS_ExternalWeightOp : DS_Op<"external_weight", [Pure]> {
  let summary = "A weight stored in an external data file next to the model";
  let description = [{
    References `length` bytes at `offset` of the file `location`, a path relative to the
    directory of the model it came from (ONNX external data). The importer checks that
    the file exists inside that directory and is long enough; the bytes themselves are
    never copied into the IR, which keeps import time proportional to the graph.

    Example:
    ```mlir
    %w = ds.external_weight "model.layers.0.mlp.w1" from "model.onnx.data"[4096, 65536]
        : tensor<64x256xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, StrAttr:$location,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$offset,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$length);
  let results = (outs DS_Tensor:$output);
  let assemblyFormat = [{
    $name `from` $location `[` $offset `,` $length `]` attr-dict `:` type($output)
  }];
  let hasVerifier = 1;
}

def DS_YieldOp : DS_Op<"yield", [Pure, Terminator, ReturnLike, HasParent<"KernelOp">]> {
  let summary = "Returns the results of a kernel region";
  let description = [{
    Example: `ds.yield %0, %1 : tensor<4xf32>, tensor<4xf32>`
  }];
  let arguments = (ins Variadic<DS_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let builders = [OpBuilder<(ins), [{ /* no values */ }]>];
}

def DS_KernelOp : DS_Op<"kernel", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "A group of ops that becomes one generated kernel";
  let description = [{
    Kernel formation moves a fused group (an elementwise chain, a matmul with its
    epilogue, ...) into the region of a `ds.kernel`. The region is isolated from above:
    its block arguments stand for `inputs`, and `ds.yield` gives the results.

    Example:
    ```mlir
    %r = ds.kernel "silu_mul" ins(%a, %b : tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32> {
    ^bb0(%x: tensor<8xf32>, %y: tensor<8xf32>):
      %s = ds.unary silu %x : tensor<8xf32> -> tensor<8xf32>
      %m = ds.binary mul %s, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
      ds.yield %m : tensor<8xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$kernel_name, Variadic<DS_Tensor>:$inputs);
  let results = (outs Variadic<DS_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kernel_name (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    (`->` type($results)^)? attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
}

#endif // DS_DATA_OPS_TD
