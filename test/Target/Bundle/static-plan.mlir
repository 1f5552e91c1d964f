// A static module: values carry arena offsets, memory_plan its size, and ops with
// operand segments (matmul_nbits) list -1 for an absent optional operand in between.
// RUN: rm -rf %t.dsb
// RUN: ds-opt %s --emit=bundle -o %t.dsb
// RUN: FileCheck %s < %t.dsb/steps.json
// RUN: FileCheck %s --check-prefix=MANIFEST < %t.dsb/manifest.json
// Bytecode input gives the same bundle.
// RUN: ds-opt %s --emit-bytecode -o %t.mlirbc
// RUN: rm -rf %t.bc.dsb && ds-opt %t.mlirbc --emit=bundle -o %t.bc.dsb
// RUN: diff %t.dsb/steps.json %t.bc.dsb/steps.json
// RUN: cmp %t.dsb/weights.bin %t.bc.dsb/weights.bin

// CHECK: "values": [
// CHECK-NEXT: {"def":"input","dtype":"f32","id":0,"index":0,"shape":[4,64]},
// CHECK-NEXT: {"def":"weight","dtype":"ui8","id":1,"shape":[32,2,16],"weight":"packed"},
// CHECK-NEXT: {"def":"weight","dtype":"f32","id":2,"shape":[32,2],"weight":"scales"},
// CHECK-NEXT: {"def":"weight","dtype":"f32","id":3,"shape":[32],"weight":"bias"},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":4,"offset":0,"shape":[4,32],"step":0},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":5,"inplace_of":4,"offset":0,"shape":[4,32],"step":1},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":6,"shape":[4],"step":2}
// CHECK-NEXT: ],
// CHECK-NEXT: "steps": [
// CHECK-NEXT: {"attrs":{"bits":4,"block_size":32,"k":64,"n":32},"inputs":[0,1,2,-1,3],{{.*}}"kind":"matmul_nbits",
// CHECK-NEXT: {"attrs":{"kernel_name":"exp",
// CHECK-NEXT: {"attrs":{"axes":[1],"fn":"sum","keep_dims":false},"inputs":[5],{{.*}}"kind":"reduce",
// CHECK-NEXT: ],
// CHECK-NEXT: "memory_plan": {"alignment":64,"arena_bytes":512,"static":true}

// MANIFEST: "memory_plan": {
// MANIFEST-NEXT: "alignment": 64,
// MANIFEST-NEXT: "arena_bytes": 512,
// MANIFEST-NEXT: "static": true
// MANIFEST: "target_archs": [],
// MANIFEST: "weights": {
// MANIFEST-NEXT: "bytes": 1408,
// MANIFEST-NEXT: "count": 3

func.func @main(%x: tensor<4x64xf32>) -> tensor<4xf32> {
  %w = ds.constant dense<17> : tensor<32x2x16xui8> loc("packed")
  %s = ds.constant dense<0.5> : tensor<32x2xf32> loc("scales")
  %b = ds.constant dense<1.0> : tensor<32xf32> loc("bias")
  %y = ds.matmul_nbits %x, %w, %s bias(%b : tensor<32xf32>) {k = 64 : i64, n = 32 : i64, block_size = 32 : i64}
      : (tensor<4x64xf32>, tensor<32x2x16xui8>, tensor<32x2xf32>) -> tensor<4x32xf32>
  %e = ds.unary exp %y : tensor<4x32xf32> -> tensor<4x32xf32>
  %r = ds.reduce sum %e {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4xf32>
  return %r : tensor<4xf32>
}
