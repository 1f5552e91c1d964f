// RUN: ds-opt %s --split-input-file --ds-plan-memory --verify-diagnostics | FileCheck %s

// A value's bytes are reused once its last use has passed: %a is dead after step 1,
// so %c takes its offset; %a and %b are live together at step 1 and do not overlap.
// The graph output is not in the arena (-1).
// CHECK-LABEL: func.func @reuse_after_last_use
// CHECK-SAME: ds.arena_bytes = 512 : i64, ds.plan_static = true
// CHECK: %[[A:.*]] = ds.matmul {{.*}}ds.offsets = array<i64: 0>
// CHECK: %[[B:.*]] = ds.matmul %[[A]], {{.*}}ds.offsets = array<i64: 256>
// CHECK: %[[C:.*]] = ds.matmul %[[B]], {{.*}}ds.offsets = array<i64: 0>
// CHECK: ds.matmul %[[C]], {{.*}}ds.offsets = array<i64: -1>
func.func @reuse_after_last_use(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %a = ds.matmul %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %b = ds.matmul %a, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %c = ds.matmul %b, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %d = ds.matmul %c, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  return %d : tensor<4x16xf32>
}

// -----

// Largest first: the 4x32 value is placed at 0 although it is defined second; the
// 4x16 one (live at the same time) goes above it. Offsets are 64-byte aligned: the
// 3x5xf32 value (60 bytes) occupies [768, 828) and the next one starts at 832.
// CHECK-LABEL: func.func @largest_first_aligned
// CHECK-SAME: ds.arena_bytes = 896 : i64
// CHECK: ds.matmul {{.*}}ds.offsets = array<i64: 512>{{.*}}-> tensor<4x16xf32>
// CHECK: ds.matmul {{.*}}ds.offsets = array<i64: 0>{{.*}}-> tensor<4x32xf32>
// CHECK: ds.matmul {{.*}}ds.offsets = array<i64: 768>{{.*}}-> tensor<3x5xf32>
// CHECK: ds.matmul {{.*}}ds.offsets = array<i64: 832>{{.*}}-> tensor<3x5xf32>
func.func @largest_first_aligned(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>, %w2: tensor<16x32xf32>,
                                 %p: tensor<3x5xf32>, %q: tensor<5x5xf32>)
    -> (tensor<4x16xf32>, tensor<8x32xf32>, tensor<3x5xf32>) {
  %small = ds.matmul %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %big = ds.matmul %x, %w2 : (tensor<4x16xf32>, tensor<16x32xf32>) -> tensor<4x32xf32>
  %t1 = ds.matmul %p, %q : (tensor<3x5xf32>, tensor<5x5xf32>) -> tensor<3x5xf32>
  %t2 = ds.matmul %p, %q : (tensor<3x5xf32>, tensor<5x5xf32>) -> tensor<3x5xf32>
  %r1 = ds.matmul %small, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %r2 = ds.concat %big, %big {axis = 0 : i64} : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<8x32xf32>
  %r3 = ds.binary add %t1, %t2 : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %r1, %r2, %r3 : tensor<4x16xf32>, tensor<8x32xf32>, tensor<3x5xf32>
}

// -----

// A view shares the bytes of its input (alias_of operand 0) and keeps that input alive
// until the view's last use: %b may not reuse %a's bytes while %v is still to be read.
// A view of a graph input is an alias too, and owns no arena bytes.
// CHECK-LABEL: func.func @views
// CHECK: %[[A:.*]] = ds.matmul {{.*}}ds.offsets = array<i64: 0>
// CHECK: %[[V:.*]] = ds.reshape %[[A]], {{.*}}ds.alias_of = array<i64: 0>
// CHECK-NOT: ds.offsets
// CHECK-SAME: -> tensor<64xf32>
// CHECK: ds.matmul {{.*}}ds.offsets = array<i64: 256>
// CHECK: ds.flatten %{{.*}} {{{.*}}ds.alias_of = array<i64: 0>
// CHECK: ds.squeeze {{.*}}ds.alias_of = array<i64: 0>
// CHECK: ds.unsqueeze {{.*}}ds.alias_of = array<i64: 0>
func.func @views(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> (tensor<64xf32>, tensor<4x16xf32>, tensor<1x64xf32>) {
  %shape = ds.constant dense<64> : tensor<1xi64>
  %a = ds.matmul %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %v = ds.reshape %a, %shape : (tensor<4x16xf32>, tensor<1xi64>) -> tensor<64xf32>
  %b = ds.matmul %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %s = ds.binary add %v, %v : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
  %f = ds.flatten %x {axis = 1 : i64} : tensor<4x16xf32> -> tensor<4x16xf32>
  %e = ds.unsqueeze %s {axes = array<i64: 0>} : tensor<64xf32> -> tensor<1x64xf32>
  %q = ds.squeeze %e {axes = array<i64: 0>} : tensor<1x64xf32> -> tensor<64xf32>
  %u = ds.unsqueeze %q {axes = array<i64: 0>} : tensor<64xf32> -> tensor<1x64xf32>
  %r = ds.binary add %b, %f : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return %s, %r, %u : tensor<64xf32>, tensor<4x16xf32>, tensor<1x64xf32>
}

// -----

// An elementwise kernel writes its result over an input whose last use it is, when the
// byte sizes match (f32 -> i32 keeps 4 bytes). It does not when the input is read
// later (%a by the second kernel), is a graph input (%x), has another byte size (the
// f16 cast), or only broadcasts (%bias).
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: ds.arena_bytes = 576 : i64
// CHECK: %[[A:.*]] = ds.matmul {{.*}}ds.offsets = array<i64: 0>
// CHECK: %[[B:.*]] = ds.kernel "exp" ins(%[[A]]{{.*}}attributes {ds.offsets = array<i64: 256>}
// CHECK: %[[BIAS:.*]] = ds.matmul {{.*}}ds.offsets = array<i64: 512>
// CHECK: %[[C:.*]] = ds.kernel "add" ins(%[[BIAS]], %[[A]], %[[B]]{{.*}}attributes {ds.inplace_of = array<i64: 1>, ds.offsets = array<i64: 0>}
// CHECK: %[[D:.*]] = ds.kernel "cast" ins(%[[C]]{{.*}}attributes {ds.offsets = array<i64: 256>}
// CHECK: ds.kernel "cast" ins(%[[D]]{{.*}}attributes {ds.offsets = array<i64: -1>}
// CHECK: ds.kernel "neg" ins(%arg0{{.*}}attributes {ds.offsets = array<i64: -1>}
func.func @in_place(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>, %w1: tensor<16x1xf32>)
    -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %a = ds.matmul %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %b = ds.kernel "exp" ins(%a : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%p: tensor<4x16xf32>):
    %r = ds.unary exp %p : tensor<4x16xf32> -> tensor<4x16xf32>
    ds.yield %r : tensor<4x16xf32>
  }
  %bias = ds.matmul %x, %w1 : (tensor<4x16xf32>, tensor<16x1xf32>) -> tensor<4x1xf32>
  %c = ds.kernel "add" ins(%bias, %a, %b : tensor<4x1xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xi32> {
  ^bb0(%p: tensor<4x1xf32>, %q: tensor<4x16xf32>, %s: tensor<4x16xf32>):
    %r = ds.binary add %p, %q : (tensor<4x1xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
    %t = ds.binary add %r, %s : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
    %i = ds.cast %t : tensor<4x16xf32> -> tensor<4x16xi32>
    ds.yield %i : tensor<4x16xi32>
  }
  %d = ds.kernel "cast" ins(%c : tensor<4x16xi32>) -> tensor<4x16xf16> {
  ^bb0(%p: tensor<4x16xi32>):
    %r = ds.cast %p : tensor<4x16xi32> -> tensor<4x16xf16>
    ds.yield %r : tensor<4x16xf16>
  }
  %e = ds.kernel "cast" ins(%d : tensor<4x16xf16>) -> tensor<4x16xf32> {
  ^bb0(%p: tensor<4x16xf16>):
    %r = ds.cast %p : tensor<4x16xf16> -> tensor<4x16xf32>
    ds.yield %r : tensor<4x16xf32>
  }
  %n = ds.kernel "neg" ins(%x : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%p: tensor<4x16xf32>):
    %r = ds.unary neg %p : tensor<4x16xf32> -> tensor<4x16xf32>
    ds.yield %r : tensor<4x16xf32>
  }
  return %e, %n : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// In-place chains: each kernel reuses the bytes its predecessor reused, through a view;
// %m cannot use them while %n is live.
// CHECK-LABEL: func.func @in_place_chain
// CHECK-SAME: ds.arena_bytes = 512 : i64
// CHECK: ds.matmul {{.*}}ds.offsets = array<i64: 0>
// CHECK: ds.kernel "exp" {{.*}}ds.inplace_of = array<i64: 0>, ds.offsets = array<i64: 0>
// CHECK: ds.reshape {{.*}}ds.alias_of = array<i64: 0>
// CHECK: ds.kernel "neg" {{.*}}ds.inplace_of = array<i64: 0>, ds.offsets = array<i64: 0>
// CHECK: ds.matmul {{.*}}ds.offsets = array<i64: 256>
func.func @in_place_chain(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> tensor<64xf32> {
  %shape = ds.constant dense<64> : tensor<1xi64>
  %a = ds.matmul %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %b = ds.kernel "exp" ins(%a : tensor<4x16xf32>) -> tensor<4x16xf32> {
  ^bb0(%p: tensor<4x16xf32>):
    %r = ds.unary exp %p : tensor<4x16xf32> -> tensor<4x16xf32>
    ds.yield %r : tensor<4x16xf32>
  }
  %v = ds.reshape %b, %shape : (tensor<4x16xf32>, tensor<1xi64>) -> tensor<64xf32>
  %n = ds.kernel "neg" ins(%v : tensor<64xf32>) -> tensor<64xf32> {
  ^bb0(%p: tensor<64xf32>):
    %r = ds.unary neg %p : tensor<64xf32> -> tensor<64xf32>
    ds.yield %r : tensor<64xf32>
  }
  %m = ds.matmul %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %o = ds.reshape %m, %shape : (tensor<4x16xf32>, tensor<1xi64>) -> tensor<64xf32>
  %s = ds.kernel "add" ins(%n, %o : tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32> {
  ^bb0(%p: tensor<64xf32>, %q: tensor<64xf32>):
    %r = ds.binary add %p, %q : (tensor<64xf32>, tensor<64xf32>) -> tensor<64xf32>
    ds.yield %r : tensor<64xf32>
  }
  return %s : tensor<64xf32>
}

// -----

// Dynamic shapes: no offsets and no arena size (the runtime plans per binding), but the
// view and in-place decisions are recorded. An input whose static dims differ from the
// result's (a broadcast) is never reused.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: attributes {ds.plan_static = false}
// CHECK-NOT: ds.offsets
// CHECK: ds.kernel "exp" {{.*}}attributes {ds.inplace_of = array<i64: 0>}
// CHECK: ds.reshape {{.*}}ds.alias_of = array<i64: 0>
// CHECK: ds.kernel "add"
// CHECK-NOT: ds.inplace_of
// CHECK-SAME: {
// CHECK-NOT: ds.offsets
// CHECK: return
func.func @dynamic(%x: tensor<?x16xf32>, %w: tensor<16x16xf32>, %s: tensor<2xi64>) -> tensor<?x16xf32> {
  %a = ds.matmul %x, %w : (tensor<?x16xf32>, tensor<16x16xf32>) -> tensor<?x16xf32>
  %b = ds.kernel "exp" ins(%a : tensor<?x16xf32>) -> tensor<?x16xf32> {
  ^bb0(%p: tensor<?x16xf32>):
    %r = ds.unary exp %p : tensor<?x16xf32> -> tensor<?x16xf32>
    ds.yield %r : tensor<?x16xf32>
  }
  %v = ds.reshape %b, %s : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x1xf32>
  %c = ds.kernel "add" ins(%v, %x : tensor<?x1xf32>, tensor<?x16xf32>) -> tensor<?x16xf32> {
  ^bb0(%p: tensor<?x1xf32>, %q: tensor<?x16xf32>):
    %r = ds.binary add %p, %q : (tensor<?x1xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
    ds.yield %r : tensor<?x16xf32>
  }
  return %c : tensor<?x16xf32>
}

// -----

// Steps run in order: the plan needs straight-line code.
// expected-error @+1 {{ds-plan-memory expects a function with one block, found 2}}
func.func @two_blocks(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
^bb1:
  return %x : tensor<4xf32>
}

// -----

// A matmul epilogue kernel never writes over the product's operands: a tiled GPU kernel
// stores output tiles while other blocks still read rows of them. Here %h is both the
// product's A and the residual, and dies at the kernel: no ds.inplace_of on the kernel,
// while the plain elementwise kernel after it may reuse its input.
// CHECK-LABEL: func.func @no_inplace_over_product
// CHECK: ds.kernel "matmul_add"
// CHECK-NOT: ds.inplace_of
// CHECK-SAME: ds.offsets
// CHECK: ds.kernel "exp" {{.*}}ds.inplace_of = array<i64: 0>
func.func @no_inplace_over_product(%x: tensor<8x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %h = ds.matmul %x, %w1 : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  %y = ds.kernel "matmul_add" ins(%h, %w2 : tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32> {
  ^bb0(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>):
    %p = ds.matmul %a, %b : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
    %s = ds.binary add %p, %a : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
    ds.yield %s : tensor<8x8xf32>
  }
  %e = ds.kernel "exp" ins(%y : tensor<8x8xf32>) -> tensor<8x8xf32> {
  ^bb0(%v: tensor<8x8xf32>):
    %r = ds.unary exp %v : tensor<8x8xf32> -> tensor<8x8xf32>
    ds.yield %r : tensor<8x8xf32>
  }
  %o = ds.unary neg %e : tensor<8x8xf32> -> tensor<8x8xf32>
  return %o : tensor<8x8xf32>
}
