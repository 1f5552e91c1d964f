// Errors name the op's location, exit 1, and leave nothing behind (no bundle, no
// temporary directory).
// RUN: rm -rf %t && mkdir -p %t && split-file --leading-lines %s %t
// RUN: not ds-opt %t/ok.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=PARENT
// RUN: mkdir -p %t/out
// RUN: not ds-opt %t/not_ds.mlir --allow-unregistered-dialect --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=NOT-DS
// RUN: not ds-opt %t/kernel_body.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=KERNEL-BODY
// RUN: not ds-opt %t/kernel_shapes.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=KERNEL-SHAPES
// RUN: not ds-opt %t/unranked.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=UNRANKED
// RUN: not ds-opt %t/i4.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=I4
// RUN: not ds-opt %t/sparse.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=SPARSE
// RUN: not ds-opt %t/two_funcs.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=TWO-FUNCS
// RUN: not ds-opt %t/external.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=EXTERNAL
// RUN: not ds-opt %t/elided.mlir --emit=bundle -o %t/out/b.dsb 2>&1 | FileCheck %s --check-prefix=ELIDED
// RUN: not ds-opt %t/ok.mlir --emit=bundle 2>&1 | FileCheck %s --check-prefix=STDOUT
// RUN: touch %t/out/file.dsb
// RUN: not ds-opt %t/ok.mlir --emit=bundle -o %t/out/file.dsb 2>&1 | FileCheck %s --check-prefix=FILE
// Nothing but the plain file is left in the output directory.
// RUN: ls -A %t/out | FileCheck %s --check-prefix=LEFT --implicit-check-not=.dsb
// LEFT: file.dsb

// PARENT: error: cannot write the bundle '{{.*}}out/b.dsb': directory '{{.*}}out' does not exist

//--- not_ds.mlir
// NOT-DS: not_ds.mlir:[[@LINE+2]]:8: error: 'test.op' is not a ds op; the runtime cannot run it
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "test.op"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

//--- kernel_body.mlir
// KERNEL-BODY: kernel_body.mlir:[[@LINE+4]]:10: error: ds.kernel "k" contains 'ds.matmul', which an elementwise step cannot run (only unary, binary, compare, select, cast and splat constants)
func.func @main(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = ds.kernel "k" ins(%x : tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%a: tensor<4x4xf32>):
    %m = ds.matmul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    ds.yield %m : tensor<4x4xf32>
  }
  return %0 : tensor<4x4xf32>
}

//--- kernel_shapes.mlir
// KERNEL-SHAPES: kernel_shapes.mlir:[[@LINE+2]]:10: error: ds.kernel "k" has results of different shapes (4x4 and 4); an elementwise step has one output shape
func.func @main(%x: tensor<4x4xf32>, %y: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4xf32>) {
  %0:2 = ds.kernel "k" ins(%x, %y : tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xf32>, tensor<4xf32> {
  ^bb0(%a: tensor<4x4xf32>, %b: tensor<4xf32>):
    %e = ds.unary exp %a : tensor<4x4xf32> -> tensor<4x4xf32>
    %n = ds.unary neg %b : tensor<4xf32> -> tensor<4xf32>
    ds.yield %e, %n : tensor<4x4xf32>, tensor<4xf32>
  }
  return %0#0, %0#1 : tensor<4x4xf32>, tensor<4xf32>
}

//--- unranked.mlir
// UNRANKED: unranked.mlir:[[@LINE+1]]:1: error: input 'x' has type 'tensor<*xf32>'; a bundle needs ranked tensors
func.func @main(%x: tensor<*xf32> {ds.name = "x"}) -> tensor<*xf32> {
  return %x : tensor<*xf32>
}

//--- i4.mlir
// I4: error: loc("packed"): weight 'packed' has element type 'i4', which the bundle format has no dtype for (f32 f16 bf16 f64 f8E4M3FN f8E5M2 i1 i8 i16 i32 i64 ui8 ui16 ui32 ui64)
func.func @main() -> tensor<4xi4> {
  %0 = ds.constant dense<[1, 2, 3, 4]> : tensor<4xi4> loc("packed")
  return %0 : tensor<4xi4>
}

//--- sparse.mlir
// SPARSE: sparse.mlir:[[@LINE+2]]:8: error: ds.constant holds sparse<0, 1.000000e+00> : tensor<4xf32>; only dense and dense_resource constants can be written to weights.bin
func.func @main() -> tensor<4xf32> {
  %0 = ds.constant sparse<[0], [1.0]> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

//--- two_funcs.mlir
// TWO-FUNCS: error: a bundle is built from a module with one function, this one has 2
func.func @a(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func @b(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

//--- external.mlir
// EXTERNAL: external.mlir:[[@LINE+2]]:8: error: cannot read weight 'w' (64 bytes at offset 0) from '{{.*}}missing.bin': {{.*}}
func.func @main() -> tensor<16xf32> {
  %0 = ds.external_weight "w" from "missing.bin"[0, 64] : tensor<16xf32>
  return %0 : tensor<16xf32>
}

//--- elided.mlir
// ELIDED: elided.mlir:[[@LINE+2]]:8: error: the data of resource 'blob' is missing (was it elided when the module was printed?)
func.func @main() -> tensor<16xf32> {
  %0 = ds.constant dense_resource<blob> : tensor<16xf32>
  return %0 : tensor<16xf32>
}

//--- ok.mlir
// STDOUT: error: --emit=bundle writes a directory: give it with -o NAME.dsb
// FILE: error: '{{.*}}file.dsb' exists and is not a directory; a bundle is a directory
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
