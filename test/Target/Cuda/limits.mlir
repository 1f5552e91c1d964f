// A kernel beyond the kernel ABI's limits (16 inputs + 1 output > DS_MAX_OPERANDS) gets
// no CUDA kernel and a warning; the bundle is written (it runs on cpu) and the other
// steps keep their kernels. ds-form-kernels never forms such a kernel (it splits groups
// that would exceed the limit; test/Transforms/ds-form-kernels.mlir), so this one is
// written by hand.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ds-opt %s --emit=bundle -o %t/b.dsb 2>&1 | FileCheck %s --check-prefix=WARN
// RUN: FileCheck %s < %t/b.dsb/steps.json

// WARN: warning: step 0 (elementwise '{{.*}}') gets no CUDA kernel: the step has 17 operands; a kernel takes at most 16 (DS_MAX_OPERANDS); it runs on cpu only
// CHECK: "steps": [
// CHECK-NEXT: {"attrs":{{.*}}"inputs":[{{[0-9,]+}}],"kind":"elementwise"
// CHECK-NEXT: {"attrs":{{.*}}"kernel":{{.*}}"kind":"elementwise"

func.func @main(%a0: tensor<4xf32>, %a1: tensor<4xf32>, %a2: tensor<4xf32>, %a3: tensor<4xf32>, %a4: tensor<4xf32>, %a5: tensor<4xf32>, %a6: tensor<4xf32>, %a7: tensor<4xf32>, %a8: tensor<4xf32>, %a9: tensor<4xf32>, %a10: tensor<4xf32>, %a11: tensor<4xf32>, %a12: tensor<4xf32>, %a13: tensor<4xf32>, %a14: tensor<4xf32>, %a15: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %k = ds.kernel "sum16" ins(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x0: tensor<4xf32>, %x1: tensor<4xf32>, %x2: tensor<4xf32>, %x3: tensor<4xf32>, %x4: tensor<4xf32>, %x5: tensor<4xf32>, %x6: tensor<4xf32>, %x7: tensor<4xf32>, %x8: tensor<4xf32>, %x9: tensor<4xf32>, %x10: tensor<4xf32>, %x11: tensor<4xf32>, %x12: tensor<4xf32>, %x13: tensor<4xf32>, %x14: tensor<4xf32>, %x15: tensor<4xf32>):
    %s1 = ds.binary add %x0, %x1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s2 = ds.binary add %s1, %x2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s3 = ds.binary add %s2, %x3 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s4 = ds.binary add %s3, %x4 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s5 = ds.binary add %s4, %x5 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s6 = ds.binary add %s5, %x6 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s7 = ds.binary add %s6, %x7 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s8 = ds.binary add %s7, %x8 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s9 = ds.binary add %s8, %x9 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s10 = ds.binary add %s9, %x10 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s11 = ds.binary add %s10, %x11 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s12 = ds.binary add %s11, %x12 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s13 = ds.binary add %s12, %x13 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s14 = ds.binary add %s13, %x14 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %s15 = ds.binary add %s14, %x15 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ds.yield %s15 : tensor<4xf32>
  }
  %e = ds.unary exp %b : tensor<4xf32> -> tensor<4xf32>
  return %k, %e : tensor<4xf32>, tensor<4xf32>
}
