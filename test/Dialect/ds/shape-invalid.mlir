// RUN: ds-opt %s --split-input-file --verify-diagnostics

func.func @shape_of_range(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{range [2, 4) is not inside the input's rank 2}}
  %0 = ds.shape_of %x {start = 2 : i64, end = 4 : i64} : tensor<2x3xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @reshape_dynamic_length(%x: tensor<6xf32>, %s: tensor<?xi64>) -> tensor<?x?xf32> {
  // expected-error @+2 {{shape operand must have a static length, got 'tensor<?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.reshape %x, %s : (tensor<6xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @reshape_two_infer(%x: tensor<6xf32>) -> tensor<?x?xf32> {
  %s = ds.constant dense<[-1, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape has more than one -1: [-1, -1]}}
  %0 = ds.reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @reshape_bad_entry(%x: tensor<6xf32>) -> tensor<?x?xf32> {
  %s = ds.constant dense<[3, -2]> : tensor<2xi64>
  // expected-error @+1 {{shape entry -2 at index 1 is invalid (must be >= -1)}}
  %0 = ds.reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

func.func @reshape_copy_out_of_rank(%x: tensor<6xf32>) -> tensor<6x?xf32> {
  %s = ds.constant dense<[6, 0]> : tensor<2xi64>
  // expected-error @+1 {{shape entry 0 at index 1 copies an input dim but the input has rank 1}}
  %0 = ds.reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<6x?xf32>
  return %0 : tensor<6x?xf32>
}

// -----

func.func @reshape_allow_zero_infer(%x: tensor<0xf32>) -> tensor<0x?xf32> {
  %s = ds.constant dense<[0, -1]> : tensor<2xi64>
  // expected-error @+1 {{shape [0, -1] has both 0 and -1 while allow_zero is set}}
  %0 = ds.reshape %x, %s {allow_zero = true} : (tensor<0xf32>, tensor<2xi64>) -> tensor<0x?xf32>
  return %0 : tensor<0x?xf32>
}

// -----

func.func @reshape_infer_not_divisible(%x: tensor<7xf32>) -> tensor<2x?xf32> {
  %s = ds.constant dense<[2, -1]> : tensor<2xi64>
  // expected-error @+1 {{cannot infer the -1 dim of shape [2, -1]: 7 input elements are not a multiple of 2}}
  %0 = ds.reshape %x, %s : (tensor<7xf32>, tensor<2xi64>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

func.func @reshape_count(%x: tensor<6xf32>) -> tensor<2x4xf32> {
  %s = ds.constant dense<[2, 4]> : tensor<2xi64>
  // expected-error @+1 {{input of 6 elements (6) cannot be reshaped to 2x4 (8 elements)}}
  %0 = ds.reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @transpose_perm_size(%x: tensor<2x3xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{perm has 3 entries but the input has rank 2}}
  %0 = ds.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3xf32> -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{perm [0, 0] is not a permutation of [0, 2)}}
  %0 = ds.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @concat_empty() -> tensor<2xf32> {
  // expected-error @+2 {{needs at least one input}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_axis(%a: tensor<2xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = ds.concat %a, %a {axis = 1 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @concat_element_type(%a: tensor<2xf32>, %b: tensor<2xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{input #1 has element type 'f16' but input #0 has 'f32'}}
  %0 = ds.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_rank(%a: tensor<2xf32>, %b: tensor<2x2xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{input #1 has rank 2 but input #0 has rank 1}}
  %0 = ds.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2x2xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{input #1 has shape 2x4, which differs from input #0 (2x3) in dim 1 (axis is 0)}}
  %0 = ds.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @slice_lengths(%x: tensor<4xf32>, %a: tensor<1xi64>, %b: tensor<2xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{starts, ends, axes and steps have lengths 1, 2, 1, 1; they must be equal}}
  %0 = ds.slice %x, %a, %b, %a, %a : (tensor<4xf32>, tensor<1xi64>, tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @slice_axis(%x: tensor<4xf32>, %s: tensor<1xi64>) -> tensor<?xf32> {
  %ax = ds.constant dense<[1]> : tensor<1xi64>
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = ds.slice %x, %s, %s, %ax, %s : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @slice_axis_twice(%x: tensor<4x4xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %ax = ds.constant dense<[1, -1]> : tensor<2xi64>
  // expected-error @+1 {{axis -1 is listed twice in [1, -1]}}
  %0 = ds.slice %x, %s, %s, %ax, %s : (tensor<4x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @slice_step_zero(%x: tensor<4xf32>, %s: tensor<1xi64>) -> tensor<?xf32> {
  %ax = ds.constant dense<[0]> : tensor<1xi64>
  %st = ds.constant dense<[0]> : tensor<1xi64>
  // expected-error @+1 {{step at index 0 is 0}}
  %0 = ds.slice %x, %s, %s, %ax, %st : (tensor<4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @split_axis(%x: tensor<4xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 1}}
  %0:2 = ds.split %x {axis = 2 : i64, num_outputs = 2 : i64} : (tensor<4xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}

// -----

func.func @split_sizes_count(%x: tensor<4xf32>, %s: tensor<3xi64>) -> (tensor<?xf32>, tensor<?xf32>) {
  // expected-error @+1 {{sizes has 3 entries for 2 outputs}}
  %0:2 = ds.split %x, %s {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<4xf32>, tensor<3xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}

// -----

func.func @split_negative(%x: tensor<4xf32>) -> (tensor<?xf32>, tensor<5xf32>) {
  %s = ds.constant dense<[-1, 5]> : tensor<2xi64>
  // expected-error @+1 {{size -1 at index 0 is negative}}
  %0:2 = ds.split %x, %s {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<4xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<5xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<5xf32>
}

// -----

func.func @split_sum(%x: tensor<4xf32>) -> (tensor<2xf32>, tensor<3xf32>) {
  %s = ds.constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+1 {{sizes [2, 3] add up to 5 but dim 0 has size 4}}
  %0:2 = ds.split %x, %s {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<4xf32>, tensor<2xi64>) -> (tensor<2xf32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<3xf32>
}

// -----

func.func @split_uneven(%x: tensor<5xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<?xf32>) {
  // expected-error @+1 {{dim 0 of size 5 cannot be split into 4 pieces of 2}}
  %0:4 = ds.split %x {axis = 0 : i64, num_outputs = 4 : i64} : (tensor<5xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<?xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<?xf32>
}

// -----

func.func @split_too_many(%x: tensor<5xf32>) -> tensor<?xf32> {
  // expected-error @+2 {{num_outputs 5000 is not in [1, 4096]}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.split %x {axis = 0 : i64, num_outputs = 5000 : i64} : (tensor<5xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @squeeze_axis(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ds.squeeze %x {axes = array<i64: 2>} : tensor<1x3xf32> -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @squeeze_not_one(%x: tensor<1x3xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{cannot squeeze dim 1 of size 3}}
  %0 = ds.squeeze %x {axes = array<i64: 1>} : tensor<1x3xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @unsqueeze_axis(%x: tensor<3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ds.unsqueeze %x {axes = array<i64: 2>} : tensor<3xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{axis 3 is out of range [-2, 2]}}
  %0 = ds.flatten %x {axis = 3 : i64} : tensor<2x3xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @expand_dynamic_length(%x: tensor<3xf32>, %s: tensor<?xi64>) -> tensor<3xf32> {
  // expected-error @+2 {{shape operand must have a static length, got 'tensor<?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.expand %x, %s : (tensor<3xf32>, tensor<?xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @expand_negative(%x: tensor<3xf32>) -> tensor<?x3xf32> {
  %s = ds.constant dense<[-2, 3]> : tensor<2xi64>
  // expected-error @+1 {{shape entry -2 at index 0 is negative}}
  %0 = ds.expand %x, %s : (tensor<3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @expand_mismatch(%x: tensor<3xf32>) -> tensor<2x?xf32> {
  %s = ds.constant dense<[2, 4]> : tensor<2xi64>
  // expected-error @+1 {{cannot expand 3 to 2x4}}
  %0 = ds.expand %x, %s : (tensor<3xf32>, tensor<2xi64>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

func.func @tile_count(%x: tensor<3xf32>, %r: tensor<2xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{repeats has 2 entries for an input of rank 1}}
  %0 = ds.tile %x, %r : (tensor<3xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @tile_negative(%x: tensor<3xf32>) -> tensor<?xf32> {
  %r = ds.constant dense<[-1]> : tensor<1xi64>
  // expected-error @+1 {{repeat -1 at index 0 is negative}}
  %0 = ds.tile %x, %r : (tensor<3xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @pad_count(%x: tensor<3x3xf32>, %p: tensor<2xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{pads has 2 entries but 2 axes need 4}}
  %0 = ds.pad constant %x, %p : (tensor<3x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @pad_axes(%x: tensor<3x3xf32>, %p: tensor<2xi64>) -> tensor<?x?xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ds.pad constant %x, %p {axes = array<i64: 2>} : (tensor<3x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @pad_value_type(%x: tensor<3xf32>, %p: tensor<2xi64>, %v: tensor<f16>) -> tensor<?xf32> {
  // expected-error @+1 {{value must be a rank-0 tensor of 'f32', got 'tensor<f16>'}}
  %0 = ds.pad constant %x, %p, %v : (tensor<3xf32>, tensor<2xi64>, tensor<f16>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @pad_value_mode(%x: tensor<3xf32>, %p: tensor<2xi64>, %v: tensor<f32>) -> tensor<?xf32> {
  // expected-error @+1 {{a pad value is only used in constant mode, not edge}}
  %0 = ds.pad edge %x, %p, %v : (tensor<3xf32>, tensor<2xi64>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @pad_negative_size(%x: tensor<3xf32>) -> tensor<?xf32> {
  %p = ds.constant dense<[-2, -2]> : tensor<2xi64>
  // expected-error @+1 {{padding dim 0 of size 3 by -2 and -2 gives a negative size}}
  %0 = ds.pad constant %x, %p : (tensor<3xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @pad_empty_reflect(%x: tensor<0xf32>) -> tensor<2xf32> {
  %p = ds.constant dense<[1, 1]> : tensor<2xi64>
  // expected-error @+1 {{cannot pad the empty dim 0 in reflect mode}}
  %0 = ds.pad reflect %x, %p : (tensor<0xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_axis(%x: tensor<3xi64>, %i: tensor<i64>) -> tensor<i64> {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = ds.gather %x, %i {axis = 1 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

func.func @gather_index(%x: tensor<3xi64>) -> tensor<i64> {
  %i = ds.constant dense<3> : tensor<i64>
  // expected-error @+1 {{index 3 is out of range for dim 0 of size 3}}
  %0 = ds.gather %x, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

func.func @gather_elements_rank(%x: tensor<3x3xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{indices have rank 1 but data has rank 2}}
  %0 = ds.gather_elements %x, %i {axis = 0 : i64} : (tensor<3x3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_elements_axis(%x: tensor<3xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{axis -2 is out of range for rank 1}}
  %0 = ds.gather_elements %x, %i {axis = -2 : i64} : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_elements_index(%x: tensor<3xf32>) -> tensor<1xf32> {
  %i = ds.constant dense<[-4]> : tensor<1xi64>
  // expected-error @+1 {{index -4 is out of range for dim 0 of size 3}}
  %0 = ds.gather_elements %x, %i {axis = 0 : i64} : (tensor<3xf32>, tensor<1xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @gather_nd_dynamic(%x: tensor<3x3xf32>, %i: tensor<2x?xi64>) -> tensor<?xf32> {
  // expected-error @+2 {{the last dim of indices must be static, got 'tensor<2x?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.gather_nd %x, %i : (tensor<3x3xf32>, tensor<2x?xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @gather_nd_batch(%x: tensor<3x3xf32>, %i: tensor<3x1xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{batch_dims 2 must be less than the ranks of data (2) and indices (2)}}
  %0 = ds.gather_nd %x, %i {batch_dims = 2 : i64} : (tensor<3x3xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @gather_nd_tuple(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{index tuples of length 3 do not fit data of rank 2 after 0 batch dims}}
  %0 = ds.gather_nd %x, %i : (tensor<3x3xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_nd_batch_dim(%x: tensor<3x3xf32>, %i: tensor<2x1xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{batch dim 0 is 3 in data but 2 in indices}}
  %0 = ds.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<3x3xf32>, tensor<2x1xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scatter_elements_type(%x: tensor<3xf32>, %i: tensor<1xi64>, %u: tensor<1xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{updates have element type 'f16' but data has 'f32'}}
  %0 = ds.scatter_elements none %x, %i, %u {axis = 0 : i64} : (tensor<3xf32>, tensor<1xi64>, tensor<1xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_elements_rank(%x: tensor<3xf32>, %i: tensor<1x1xi64>, %u: tensor<1x1xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{indices have rank 2 but data has rank 1}}
  %0 = ds.scatter_elements none %x, %i, %u {axis = 0 : i64} : (tensor<3xf32>, tensor<1x1xi64>, tensor<1x1xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_elements_updates(%x: tensor<3xf32>, %i: tensor<1xi64>, %u: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{updates shape 2 differs from indices shape 1}}
  %0 = ds.scatter_elements none %x, %i, %u {axis = 0 : i64} : (tensor<3xf32>, tensor<1xi64>, tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_elements_axis(%x: tensor<3xf32>, %i: tensor<1xi64>, %u: tensor<1xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = ds.scatter_elements mul %x, %i, %u {axis = 1 : i64} : (tensor<3xf32>, tensor<1xi64>, tensor<1xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_nd_dynamic(%x: tensor<3xf32>, %i: tensor<1x?xi64>, %u: tensor<1xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{the last dim of indices must be static, got 'tensor<1x?xi64>'}}
  %0 = ds.scatter_nd none %x, %i, %u : (tensor<3xf32>, tensor<1x?xi64>, tensor<1xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_nd_tuple(%x: tensor<3xf32>, %i: tensor<1x2xi64>, %u: tensor<1xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{index tuples of length 2 exceed the data rank 1}}
  %0 = ds.scatter_nd none %x, %i, %u : (tensor<3xf32>, tensor<1x2xi64>, tensor<1xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_nd_updates(%x: tensor<3x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x5xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{updates have shape 2x5 but indices and data need 2x4}}
  %0 = ds.scatter_nd add %x, %i, %u : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x5xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @range_rank(%a: tensor<1xi64>, %b: tensor<i64>) -> tensor<?xi64> {
  // expected-error @+1 {{start must be a rank-0 tensor of 'i64', got 'tensor<1xi64>'}}
  %0 = ds.range %a, %b, %b : (tensor<1xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @range_type(%a: tensor<i64>, %b: tensor<i32>) -> tensor<?xi64> {
  // expected-error @+1 {{limit must be a rank-0 tensor of 'i64', got 'tensor<i32>'}}
  %0 = ds.range %a, %b, %a : (tensor<i64>, tensor<i32>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @range_bool(%a: tensor<i1>) -> tensor<?xi1> {
  // expected-error @+1 {{range of i1 is not defined}}
  %0 = ds.range %a, %a, %a : (tensor<i1>, tensor<i1>, tensor<i1>) -> tensor<?xi1>
  return %0 : tensor<?xi1>
}

// -----

func.func @range_delta(%a: tensor<i64>) -> tensor<?xi64> {
  %d = ds.constant dense<0> : tensor<i64>
  // expected-error @+1 {{delta is 0}}
  %0 = ds.range %a, %a, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @fill_value(%s: tensor<1xi64>) -> tensor<?xf32> {
  // expected-error @+2 {{value must be an integer or float scalar, got "x"}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.fill %s {value = "x"} : tensor<1xi64> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @fill_dynamic_length(%s: tensor<?xi64>) -> tensor<?xf32> {
  // expected-error @+2 {{shape operand must have a static length, got 'tensor<?xi64>'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.fill %s {value = 1.0 : f32} : tensor<?xi64> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @fill_negative() -> tensor<?xf32> {
  %s = ds.constant dense<[-3]> : tensor<1xi64>
  // expected-error @+1 {{shape entry -3 at index 0 is negative}}
  %0 = ds.fill %s {value = 1.0 : f32} : tensor<1xi64> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @trilu_rank(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{input must have rank >= 2, got 1}}
  %0 = ds.trilu %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @trilu_k(%x: tensor<3x3xf32>, %k: tensor<1xi64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{k must be a rank-0 i64 tensor, got 'tensor<1xi64>'}}
  %0 = ds.trilu %x, %k : (tensor<3x3xf32>, tensor<1xi64>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @one_hot_axis(%i: tensor<4xi64>, %d: tensor<i64>, %v: tensor<2xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{axis 2 is out of range for result rank 2}}
  %0 = ds.one_hot %i, %d, %v {axis = 2 : i64} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @one_hot_indices(%i: tensor<4xf32>, %d: tensor<i64>, %v: tensor<2xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{indices must have integer elements, got 'f32'}}
  %0 = ds.one_hot %i, %d, %v : (tensor<4xf32>, tensor<i64>, tensor<2xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @one_hot_depth(%i: tensor<4xi64>, %d: tensor<2xi64>, %v: tensor<2xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{depth must be a one-element integer tensor, got 'tensor<2xi64>'}}
  %0 = ds.one_hot %i, %d, %v : (tensor<4xi64>, tensor<2xi64>, tensor<2xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @one_hot_depth_positive(%i: tensor<4xi64>, %v: tensor<2xf32>) -> tensor<4x0xf32> {
  %d = ds.constant dense<0> : tensor<i64>
  // expected-error @+1 {{depth 0 must be positive}}
  %0 = ds.one_hot %i, %d, %v : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<4x0xf32>
  return %0 : tensor<4x0xf32>
}

// -----

func.func @one_hot_values(%i: tensor<4xi64>, %d: tensor<i64>, %v: tensor<3xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{values must be a 1-D tensor of [off, on], got 'tensor<3xf32>'}}
  %0 = ds.one_hot %i, %d, %v : (tensor<4xi64>, tensor<i64>, tensor<3xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @eye_like_rank(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{input must have rank 2, got 1}}
  %0 = ds.eye_like %x {dtype = f32} : tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @eye_like_dtype(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{dtype must be an integer or float type, got 'index'}}
  // expected-error @+1 {{cannot infer its result types from its operands}}
  %0 = ds.eye_like %x {dtype = index} : tensor<3x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Inference reads the constant shape: the declared result must agree with it.
func.func @reshape_result_mismatch(%x: tensor<6xf32>) -> tensor<3x3xf32> {
  %s = ds.constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+1 {{result #0 has type 'tensor<3x3xf32>', incompatible with the type inferred from its operands, 'tensor<2x3xf32>'}}
  %0 = ds.reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}
