// The bundle is written to NAME.dsb.tmp-PID and renamed over NAME.dsb when complete:
// a failed emission leaves an existing bundle as it was and leaves no temporary
// directory; a successful one replaces the whole directory.
// RUN: rm -rf %t && mkdir -p %t/out && split-file %s %t
// RUN: ds-opt %t/ok.mlir --emit=bundle -o %t/out/m.dsb
// RUN: echo old > %t/out/m.dsb/marker
// RUN: not ds-opt %t/bad.mlir --emit=bundle -o %t/out/m.dsb 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: cat %t/out/m.dsb/marker | FileCheck %s --check-prefix=KEPT
// RUN: FileCheck %s --check-prefix=OLD < %t/out/m.dsb/steps.json
// RUN: ls -A %t/out | FileCheck %s --check-prefix=ONLY --implicit-check-not=tmp
// RUN: ds-opt %t/ok2.mlir --emit=bundle -o %t/out/m.dsb/
// RUN: ls -A %t/out/m.dsb | FileCheck %s --check-prefix=NEW --implicit-check-not=marker
// RUN: FileCheck %s --check-prefix=NEW-STEPS < %t/out/m.dsb/steps.json
// RUN: ls -A %t/out | FileCheck %s --check-prefix=ONLY --implicit-check-not=tmp --implicit-check-not=old

// ERR: error: the data of resource 'blob' is missing
// KEPT: old
// OLD: "kind":"elementwise"
// ONLY: m.dsb
// NEW: manifest.json
// NEW-NEXT: steps.json
// NEW-NEXT: weights.bin
// NEW-STEPS: "kind":"matmul"

//--- ok.mlir
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ds.unary exp %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

//--- ok2.mlir
func.func @main(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = ds.matmul %x, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

//--- bad.mlir
func.func @main() -> tensor<16xf32> {
  %0 = ds.constant dense_resource<blob> : tensor<16xf32>
  return %0 : tensor<16xf32>
}
