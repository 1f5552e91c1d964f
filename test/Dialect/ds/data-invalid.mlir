// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @external_weight_dynamic() -> tensor<?xf32> {
  // expected-error @+1 {{weight 'w' must have a static shape, got 'tensor<?xf32>'}}
  %w = ds.external_weight "w" from "m.data"[0, 8] : tensor<?xf32>
  return %w : tensor<?xf32>
}

// -----

func.func @external_weight_huge() -> tensor<4611686018427387904x4xf32> {
  // expected-error @+1 {{weight 'w' of type 'tensor<4611686018427387904x4xf32>' is too large to address}}
  %w = ds.external_weight "w" from "m.data"[0, 8] : tensor<4611686018427387904x4xf32>
  return %w : tensor<4611686018427387904x4xf32>
}

// -----

func.func @external_weight_absolute() -> tensor<2xf32> {
  // expected-error @+1 {{weight 'w' has location '/etc/passwd'; it must be a relative path inside the model's directory}}
  %w = ds.external_weight "w" from "/etc/passwd"[0, 8] : tensor<2xf32>
  return %w : tensor<2xf32>
}

// -----

func.func @external_weight_negative_offset() -> tensor<2xf32> {
  // expected-error @+1 {{attribute 'offset' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %w = ds.external_weight "w" from "m.data"[-4, 8] : tensor<2xf32>
  return %w : tensor<2xf32>
}

// -----

// Packed 4-bit weights take half a byte per element, rounded up.
func.func @external_weight_i4() -> tensor<3xi4> {
  // expected-error @+1 {{weight 'w' of type 'tensor<3xi4>' needs 2 bytes but its external data has length 3}}
  %w = ds.external_weight "w" from "m.data"[0, 3] : tensor<3xi4>
  return %w : tensor<3xi4>
}

// -----

func.func @kernel_empty_name(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{needs a non-empty kernel name}}
  %r = ds.kernel "" ins(%a : tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    ds.yield %x : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}

// -----

func.func @kernel_arg_count(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{region has 2 arguments but the kernel has 1 inputs}}
  %r = ds.kernel "k" ins(%a : tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>, %y: tensor<8xf32>):
    ds.yield %x : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}

// -----

func.func @kernel_arg_type(%a: tensor<8xf32>) -> tensor<8xf16> {
  // expected-error @+1 {{region argument #0 has type 'tensor<8xf16>' but input #0 has type 'tensor<8xf32>'}}
  %r = ds.kernel "k" ins(%a : tensor<8xf32>) -> tensor<8xf16> {
  ^bb0(%x: tensor<8xf16>):
    ds.yield %x : tensor<8xf16>
  }
  return %r : tensor<8xf16>
}

// -----

func.func @kernel_yield_count(%a: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{yields 2 values but has 1 results}}
  %r = ds.kernel "k" ins(%a : tensor<8xf32>) -> tensor<8xf32> {
  ^bb0(%x: tensor<8xf32>):
    ds.yield %x, %x : tensor<8xf32>, tensor<8xf32>
  }
  return %r : tensor<8xf32>
}

// -----

func.func @yield_outside_kernel(%a: tensor<8xf32>) {
  // expected-error @+1 {{'ds.yield' op expects parent op 'ds.kernel'}}
  ds.yield %a : tensor<8xf32>
}

// -----

// Dots inside a file name are fine; only a '..' path component is refused.
func.func @external_weight_dots_in_name() -> tensor<2xf32> {
  %w = ds.external_weight "w" from "w..bin"[0, 8] : tensor<2xf32>
  // expected-error @+1 {{'ds.external_weight' op weight 'v' has location 'dir/../w.bin'; it must be a relative path inside the model's directory}}
  %v = ds.external_weight "v" from "dir/../w.bin"[0, 8] : tensor<2xf32>
  return %w : tensor<2xf32>
}
