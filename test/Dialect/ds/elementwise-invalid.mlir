// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @not_needs_i1(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'not' needs i1 elements, got 'i32'}}
  %0 = ds.unary not %a : tensor<4xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @bitwise_not_needs_int(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'bitwise_not' needs integer elements, got 'f32'}}
  %0 = ds.unary bitwise_not %a : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @predicate_result(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{result #0 has type 'tensor<4xf32>', incompatible with the type inferred from its operands, 'tensor<4xi1>'}}
  %0 = ds.unary is_nan %a : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @logical_needs_i1(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'and' needs i1 elements, got 'i32'}}
  %0 = ds.binary and %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @shift_needs_int(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'shift_left' needs integer elements, got 'f32'}}
  %0 = ds.binary shift_left %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @arith_on_i1(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'add' is not defined on i1 elements}}
  %0 = ds.binary add %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @compare_types(%a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xi1> {
  // expected-error @+1 {{operands have different element types: 'f32' and 'i32'}}
  %0 = ds.compare eq %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @compare_broadcast(%a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{operand shapes do not broadcast: 4 and 3}}
  %0 = ds.compare eq %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @select_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{branches have different element types: 'f32' and 'f16'}}
  %0 = ds.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_broadcast(%c: tensor<2xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand shapes do not broadcast: 2 and 4}}
  %0 = ds.select %c, %a, %b : (tensor<2xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @refinement_conflict(%a: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{result #0 has type 'tensor<5xf32>', incompatible with the type inferred from its operands, 'tensor<4xf32>'}}
  %0 = ds.unary exp %a : tensor<4xf32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @cast_shape(%a: tensor<4xf32>) -> tensor<5xf16> {
  // expected-error @+1 {{'ds.cast' op requires the same shape for all operands and results}}
  %0 = ds.cast %a : tensor<4xf32> -> tensor<5xf16>
  return %0 : tensor<5xf16>
}
