// steps.json of a small module: value kinds, step attributes (defaults, UnitAttr,
// enums, absent optional operands, elements values), the elementwise program, and the
// memory plan fields.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "open('%t/w.bin', 'wb').write(bytes(range(256)) * 4)"
// RUN: ds-opt %s --emit=bundle --cuda-kernels=false -o %t/small.dsb --model-dir %t
// RUN: FileCheck %s < %t/small.dsb/steps.json
// RUN: FileCheck %s --check-prefix=MANIFEST < %t/small.dsb/manifest.json
// The pipeline is reproducible from ds-opt: the same passes give the same plan.
// RUN: ds-opt %s --ds-lower-to-bundle | FileCheck %s --check-prefix=IR

// CHECK: {
// CHECK-NEXT: "format_version": 1,
// CHECK-NEXT: "inputs": [0,1],
// A value may be an output several times; graph inputs can be outputs.
// CHECK-NEXT: "outputs": [16,10,11,13,14,15,18,19,0],
// CHECK-NEXT: "values": [
// CHECK-NEXT: {"def":"input","dtype":"f32","id":0,"index":0,"shape":[-1,16]},
// CHECK-NEXT: {"def":"input","dtype":"i64","id":1,"index":1,"shape":[2]},
// Weights are named by their location (the ONNX initializer), the external weight by
// its name, others "constant" made unique.
// CHECK-NEXT: {"def":"weight","dtype":"f32","id":2,"shape":[1,4,4],"weight":"constant"},
// CHECK-NEXT: {"def":"weight","dtype":"i64","id":3,"shape":[4],"weight":"constant_1"},
// CHECK-NEXT: {"def":"weight","dtype":"i64","id":4,"shape":[3],"weight":"constant_2"},
// CHECK-NEXT: {"def":"weight","dtype":"f32","id":5,"shape":[16],"weight":"norm.scale"},
// CHECK-NEXT: {"def":"weight","dtype":"f32","id":6,"shape":[16,16],"weight":"w.q_proj"},
// The matmul's result is viewed by the reshape, and the kernel (its last use) takes
// its bytes; dynamic shapes: no offsets.
// CHECK-NEXT: {"def":"step","dtype":"f32","id":7,"shape":[-1,16],"step":0},
// CHECK-NEXT: {"alias_of":7,"def":"step","dtype":"f32","id":8,"shape":[-1,4,4],"step":1},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":9,"inplace_of":8,"shape":[-1,4,4],"step":2},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":10,"shape":[-1,16],"step":3},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":11,"shape":[-1,16],"step":4},
// CHECK-NEXT: {"alias_of":0,"def":"step","dtype":"f32","id":12,"shape":[-1,1,4,4],"step":5},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":13,"shape":[-1,1,4,4],"step":6},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":14,"shape":[-1,16],"step":7},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":15,"shape":[-1,-1],"step":8},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":16,"shape":[-1],"step":9},
// CHECK-NEXT: {"def":"step","dtype":"f32","id":17,"shape":[-1],"step":10},
// CHECK-NEXT: {"def":"step","dtype":"i1","id":18,"shape":[-1],"step":11},
// CHECK-NEXT: {"def":"step","dtype":"bf16","id":19,"shape":[-1,16],"step":12}
// CHECK-NEXT: ],
// CHECK-NEXT: "steps": [
// Defaults are present; an absent UnitAttr is false.
// CHECK-NEXT: {"attrs":{"transpose_a":false,"transpose_b":true},"inputs":[0,6],"kind":"matmul","name":"/model/q_proj/MatMul","outputs":[7]},
// CHECK-NEXT: {"attrs":{"allow_zero":false},"inputs":[7,4],"kind":"reshape","name":"/model/Reshape","outputs":[8]},
// The program: registers 0..n-1 are the inputs, instruction i defines n+i; non-finite
// constants are strings; parameterless unary functions carry alpha = beta = 0.
// CHECK-NEXT: {"attrs":{"kernel_name":"sigmoid_mul_ge_select_cast_n6","program":[
// CHECK-SAME: {"dtype":"f32","op":"constant","value":"inf"},
// CHECK-SAME: {"alpha":0,"args":[0],"beta":0,"dtype":"f32","fn":"sigmoid","op":"unary"},
// CHECK-SAME: {"args":[3,2],"dtype":"f32","fn":"mul","op":"binary"},
// CHECK-SAME: {"args":[4,1],"dtype":"i1","fn":"ge","op":"compare"},
// CHECK-SAME: {"args":[5,4,1],"dtype":"f32","op":"select"},
// CHECK-SAME: {"args":[6],"dtype":"f16","op":"cast","saturate":true},
// CHECK-SAME: {"args":[7],"dtype":"f32","op":"cast","saturate":false}],
// CHECK-SAME: "results":[8]},"inputs":[8,2],"kind":"elementwise",
// CHECK-SAME: "name":"fused:/act/Sigmoid,/act/Mul,/act/Ge,/act/Where,/act/Cast,/act/Cast2","outputs":[9]},
// Absent optional operands are -1, in ODS operand order.
// CHECK-NEXT: {"attrs":{"axis":-1,"epsilon":9.9999997473787516e-06},"inputs":[0,5,-1],"kind":"layer_norm","name":"/ln","outputs":[10]},
// CHECK-NEXT: {"attrs":{"transpose_w":false},"inputs":[0,6,-1],"kind":"linear","name":"{{.*}}steps.mlir:{{[0-9]+}}:{{[0-9]+}}","outputs":[11]},
// CHECK-NEXT: {"attrs":{"allow_zero":false},"inputs":[0,3],"kind":"reshape",{{.*}}"outputs":[12]},
// An absent optional attribute without a default (window, softcap) is left out.
// CHECK-NEXT: {"attrs":{"causal":true,"scale":0.25},"inputs":[12,12,12,-1],"kind":"attention",{{.*}}"outputs":[13]},
// CHECK-NEXT: {"attrs":{"kernel_name":"leaky_relu","program":[{"alpha":0.10000000149011612,"args":[0],"beta":0,"dtype":"f32","fn":"leaky_relu","op":"unary"}],"results":[1]},"inputs":[10],"kind":"elementwise",{{.*}}"outputs":[14]},
// A typed `value` keeps its dtype (elements form); enums are keywords.
// CHECK-NEXT: {"attrs":{"value":{"dtype":"f32","shape":[],"values":[1.5]}},"inputs":[1],"kind":"fill",{{.*}}"outputs":[15]},
// CHECK-NEXT: {"attrs":{"axes":[1,2],"fn":"sum","keep_dims":false},"inputs":[9],"kind":"reduce",{{.*}}"outputs":[16]},
// CHECK-NEXT: {"attrs":{"axes":[1],"fn":"max","keep_dims":false},"inputs":[0],"kind":"reduce",{{.*}}"outputs":[17]},
// CHECK-NEXT: {"attrs":{"kernel_name":"ne","program":[{"args":[0,0],"dtype":"i1","fn":"ne","op":"compare"}],"results":[1]},"inputs":[17],"kind":"elementwise",{{.*}}"outputs":[18]},
// A TypeAttr is its dtype name.
// CHECK-NEXT: {"attrs":{"dtype":"bf16","k":1},"inputs":[0],"kind":"eye_like",{{.*}}"outputs":[19]}
// CHECK-NEXT: ],
// CHECK-NEXT: "memory_plan": {"alignment":64,"static":false}
// CHECK-NEXT: }

// MANIFEST: "format_version": 1,
// MANIFEST: "inputs": [
// MANIFEST: "dims": [
// MANIFEST-NEXT: "batch",
// MANIFEST-NEXT: ""
// MANIFEST: "name": "x",
// MANIFEST: "shape": [
// MANIFEST-NEXT: -1,
// MANIFEST-NEXT: 16
// MANIFEST: "name": "input_1",
// MANIFEST: "outputs": [
// MANIFEST: "name": "y",
// MANIFEST: "producer": "ds-opt {{[0-9]+\.[0-9]+\.[0-9]+}}",

// IR-LABEL: func.func @main
// IR-SAME: ds.plan_static = false
// IR: ds.reshape {{.*}}ds.alias_of = array<i64: 0>
// IR: ds.kernel "sigmoid_mul_ge_select_cast_n6" {{.*}}ds.inplace_of = array<i64: 0>

func.func @main(%x: tensor<?x16xf32> {ds.name = "x", ds.dims = ["batch", ""]}, %shape: tensor<2xi64>)
    -> (tensor<?xf32> {ds.name = "y"}, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x1x4x4xf32>, tensor<?x16xf32>,
        tensor<?x?xf32>, tensor<?xi1>, tensor<?x16xbf16>, tensor<?x16xf32>) {
  %w = ds.external_weight "w.q_proj" from "w.bin"[0, 1024] : tensor<16x16xf32>
  %scale = ds.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]> : tensor<16xf32> loc("norm.scale")
  %inf = ds.constant dense<0x7F800000> : tensor<f32>
  %zero = ds.constant dense<[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]> : tensor<16xf32>
  %s3 = ds.constant dense<[-1, 4, 4]> : tensor<3xi64>
  %s4 = ds.constant dense<[-1, 1, 4, 4]> : tensor<4xi64>
  %m = ds.matmul %x, %w {transpose_b} : (tensor<?x16xf32>, tensor<16x16xf32>) -> tensor<?x16xf32> loc("/model/q_proj/MatMul")
  %r = ds.reshape %m, %s3 : (tensor<?x16xf32>, tensor<3xi64>) -> tensor<?x4x4xf32> loc("/model/Reshape")
  %z = ds.reshape %zero, %s3 : (tensor<16xf32>, tensor<3xi64>) -> tensor<1x4x4xf32>
  %sg = ds.unary sigmoid %r : tensor<?x4x4xf32> -> tensor<?x4x4xf32> loc("/act/Sigmoid")
  %mu = ds.binary mul %sg, %inf : (tensor<?x4x4xf32>, tensor<f32>) -> tensor<?x4x4xf32> loc("/act/Mul")
  %ge = ds.compare ge %mu, %z : (tensor<?x4x4xf32>, tensor<1x4x4xf32>) -> tensor<?x4x4xi1> loc("/act/Ge")
  %se = ds.select %ge, %mu, %z : (tensor<?x4x4xi1>, tensor<?x4x4xf32>, tensor<1x4x4xf32>) -> tensor<?x4x4xf32> loc("/act/Where")
  %c1 = ds.cast %se : tensor<?x4x4xf32> -> tensor<?x4x4xf16> loc("/act/Cast")
  %c2 = ds.cast %c1 {saturate = false} : tensor<?x4x4xf16> -> tensor<?x4x4xf32> loc("/act/Cast2")
  %ln = ds.layer_norm %x, %scale : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32> loc("/ln")
  %li = ds.linear %x, %w : (tensor<?x16xf32>, tensor<16x16xf32>) -> tensor<?x16xf32>
  %q = ds.reshape %x, %s4 : (tensor<?x16xf32>, tensor<4xi64>) -> tensor<?x1x4x4xf32>
  %at = ds.attention %q, %q, %q {scale = 0.25 : f32, causal} : (tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>, tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  %lr = ds.unary leaky_relu %ln {alpha = 0.1 : f32} : tensor<?x16xf32> -> tensor<?x16xf32>
  %f = ds.fill %shape {value = 1.5 : f32} : tensor<2xi64> -> tensor<?x?xf32>
  %cs = ds.reduce sum %c2 {axes = array<i64: 1, 2>} : tensor<?x4x4xf32> -> tensor<?xf32>
  %rd = ds.reduce max %x {axes = array<i64: 1>} : tensor<?x16xf32> -> tensor<?xf32>
  %nan = ds.compare ne %rd, %rd : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xi1>
  %ey = ds.eye_like %x {dtype = bf16, k = 1 : i64} : tensor<?x16xf32> -> tensor<?x16xbf16>
  return %cs, %ln, %li, %at, %lr, %f, %nan, %ey, %x : tensor<?xf32>, tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x1x4x4xf32>, tensor<?x16xf32>, tensor<?x?xf32>, tensor<?xi1>, tensor<?x16xbf16>, tensor<?x16xf32>
}
