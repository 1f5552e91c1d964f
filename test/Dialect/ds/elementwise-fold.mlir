// RUN: ds-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @binary_int
func.func @binary_int() -> (tensor<2x3xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<3xi32>, tensor<3xi64>) {
  %a = ds.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %b = ds.constant dense<[10, 20, 30]> : tensor<3xi64>
  // Broadcasting [2,3] + [3].
  // CHECK-DAG: ds.constant dense<{{\[}}[11, 22, 33], [14, 25, 36]]> : tensor<2x3xi64>
  %0 = ds.binary add %a, %b : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi64>
  %n = ds.constant dense<[7, -7, 7, -7]> : tensor<4xi64>
  %d = ds.constant dense<[2, 2, -2, -2]> : tensor<4xi64>
  // Integer division truncates toward zero.
  // CHECK-DAG: ds.constant dense<[3, -3, -3, 3]> : tensor<4xi64>
  %1 = ds.binary div %n, %d : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // mod takes the divisor's sign, fmod the dividend's.
  // CHECK-DAG: ds.constant dense<[1, 1, -1, -1]> : tensor<4xi64>
  %2 = ds.binary mod %n, %d : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK-DAG: ds.constant dense<[1, -1, 1, -1]> : tensor<4xi64>
  %3 = ds.binary fmod %n, %d : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK-DAG: ds.constant dense<[2, -7, -2, -7]> : tensor<4xi64>
  %4 = ds.binary min %n, %d : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %p = ds.constant dense<[2, 3, -1]> : tensor<3xi32>
  %e = ds.constant dense<[10, 0, 3]> : tensor<3xi32>
  // CHECK-DAG: ds.constant dense<[1024, 1, -1]> : tensor<3xi32>
  %5 = ds.binary pow %p, %e : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  // CHECK-DAG: ds.constant dense<[10, 20, 30]> : tensor<3xi64>
  %6 = ds.binary max %b, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // CHECK-NOT: ds.binary
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<4xi64>, tensor<3xi32>, tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @binary_float
func.func @binary_float() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf16>, tensor<3xf32>, tensor<2xf32>) {
  %a = ds.constant dense<[1.0, -2.0, 0x7FC00000]> : tensor<3xf32>
  %b = ds.constant dense<[0.5, 4.0, 1.0]> : tensor<3xf32>
  // CHECK-DAG: ds.constant dense<[2.000000e+00, -5.000000e-01, 0x7FC00000]> : tensor<3xf32>
  %0 = ds.binary div %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // max propagates NaN.
  // CHECK-DAG: ds.constant dense<[1.000000e+00, 4.000000e+00, 0x7FC00000]> : tensor<3xf32>
  %1 = ds.binary max %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %h = ds.constant dense<[1.5, 2.0, -3.0]> : tensor<3xf16>
  %two = ds.constant dense<2> : tensor<i64>
  // pow may take an integer exponent.
  // CHECK-DAG: ds.constant dense<[2.250000e+00, 4.000000e+00, 9.000000e+00]> : tensor<3xf16>
  %2 = ds.binary pow %h, %two : (tensor<3xf16>, tensor<i64>) -> tensor<3xf16>
  %m = ds.constant dense<[5.5, -5.5, 5.5]> : tensor<3xf32>
  %q = ds.constant dense<[2.0, 2.0, -2.0]> : tensor<3xf32>
  // CHECK-DAG: ds.constant dense<[1.500000e+00, 5.000000e-01, -5.000000e-01]> : tensor<3xf32>
  %3 = ds.binary mod %m, %q : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // Splat operands give a splat result.
  %s1 = ds.constant dense<3.0> : tensor<2xf32>
  %s2 = ds.constant dense<0.25> : tensor<f32>
  // CHECK-DAG: ds.constant dense<7.500000e-01> : tensor<2xf32>
  %4 = ds.binary mul %s1, %s2 : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  // CHECK-NOT: ds.binary
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<3xf32>, tensor<3xf16>, tensor<3xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @binary_no_fold
func.func @binary_no_fold(%x: tensor<4xi64>) -> (tensor<2xi64>, tensor<2xf32>, tensor<4xi64>, tensor<257x256xi64>, tensor<i32>, tensor<2xi64>) {
  %n = ds.constant dense<[6, 7]> : tensor<2xi64>
  %z = ds.constant dense<[3, 0]> : tensor<2xi64>
  // Division by zero is left to the runtime, for integers and floats.
  // CHECK: ds.binary div %{{.*}}, %{{.*}} : (tensor<2xi64>, tensor<2xi64>)
  %0 = ds.binary div %n, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %f = ds.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %fz = ds.constant dense<0.0> : tensor<f32>
  // CHECK: ds.binary div %{{.*}}, %{{.*}} : (tensor<2xf32>, tensor<f32>)
  %1 = ds.binary div %f, %fz : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  // A non-constant operand.
  %c = ds.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
  // CHECK: ds.binary sub %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<4xi64>)
  %2 = ds.binary sub %x, %c : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // A result above kMaxFoldElements (65536) that is not a splat: 257x1 + 256.
  %ca = ds.constant dense<[[0], [1], [2], [3], [4], [5], [6], [7], [8], [9], [10], [11], [12], [13], [14], [15], [16], [17], [18], [19], [20], [21], [22], [23], [24], [25], [26], [27], [28], [29], [30], [31], [32], [33], [34], [35], [36], [37], [38], [39], [40], [41], [42], [43], [44], [45], [46], [47], [48], [49], [50], [51], [52], [53], [54], [55], [56], [57], [58], [59], [60], [61], [62], [63], [64], [65], [66], [67], [68], [69], [70], [71], [72], [73], [74], [75], [76], [77], [78], [79], [80], [81], [82], [83], [84], [85], [86], [87], [88], [89], [90], [91], [92], [93], [94], [95], [96], [97], [98], [99], [100], [101], [102], [103], [104], [105], [106], [107], [108], [109], [110], [111], [112], [113], [114], [115], [116], [117], [118], [119], [120], [121], [122], [123], [124], [125], [126], [127], [128], [129], [130], [131], [132], [133], [134], [135], [136], [137], [138], [139], [140], [141], [142], [143], [144], [145], [146], [147], [148], [149], [150], [151], [152], [153], [154], [155], [156], [157], [158], [159], [160], [161], [162], [163], [164], [165], [166], [167], [168], [169], [170], [171], [172], [173], [174], [175], [176], [177], [178], [179], [180], [181], [182], [183], [184], [185], [186], [187], [188], [189], [190], [191], [192], [193], [194], [195], [196], [197], [198], [199], [200], [201], [202], [203], [204], [205], [206], [207], [208], [209], [210], [211], [212], [213], [214], [215], [216], [217], [218], [219], [220], [221], [222], [223], [224], [225], [226], [227], [228], [229], [230], [231], [232], [233], [234], [235], [236], [237], [238], [239], [240], [241], [242], [243], [244], [245], [246], [247], [248], [249], [250], [251], [252], [253], [254], [255], [256]]> : tensor<257x1xi64>
  %cb = ds.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255]> : tensor<256xi64>
  // CHECK: ds.binary add %{{.*}}, %{{.*}} : (tensor<257x1xi64>, tensor<256xi64>) -> tensor<257x256xi64>
  %h = ds.binary add %ca, %cb : (tensor<257x1xi64>, tensor<256xi64>) -> tensor<257x256xi64>
  // Signed overflow of division and negative integer exponents.
  %min = ds.constant dense<-2147483648> : tensor<i32>
  %m1 = ds.constant dense<-1> : tensor<i32>
  // CHECK: ds.binary div %{{.*}}, %{{.*}} : (tensor<i32>, tensor<i32>)
  %o = ds.binary div %min, %m1 : (tensor<i32>, tensor<i32>) -> tensor<i32>
  %neg = ds.constant dense<[1, -1]> : tensor<2xi64>
  // CHECK: ds.binary pow
  %pw = ds.binary pow %n, %neg : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0, %1, %2, %h, %o, %pw : tensor<2xi64>, tensor<2xf32>, tensor<4xi64>, tensor<257x256xi64>, tensor<i32>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<4xi64>)
func.func @identities(%x: tensor<2x3xf32>, %i: tensor<4xi64>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi64>, tensor<4xi64>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x4xi64>) {
  %zero = ds.constant dense<0.0> : tensor<3xf32>
  %one = ds.constant dense<1.0> : tensor<f32>
  %izero = ds.constant dense<0> : tensor<4xi64>
  %ione = ds.constant dense<1> : tensor<i64>
  %0 = ds.binary add %x, %zero : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = ds.binary mul %one, %x : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = ds.binary sub %i, %izero : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %3 = ds.binary div %i, %ione : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  // Near misses: 0 - x, x * 2 and a broadcasting identity stay.
  // CHECK: %[[SUB:.*]] = ds.binary sub %{{.*}}, %[[X]]
  %4 = ds.binary sub %zero, %x : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %two = ds.constant dense<2.0> : tensor<f32>
  // CHECK: %[[MUL:.*]] = ds.binary mul %[[X]], %{{.*}}
  %5 = ds.binary mul %x, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %wide = ds.constant dense<0> : tensor<2x4xi64>
  // CHECK: %[[B:.*]] = ds.binary add %[[I]], %{{.*}}
  %6 = ds.binary add %i, %wide : (tensor<4xi64>, tensor<2x4xi64>) -> tensor<2x4xi64>
  // CHECK: return %[[X]], %[[X]], %[[I]], %[[I]], %[[SUB]], %[[MUL]], %[[B]]
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi64>, tensor<4xi64>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x4xi64>
}

// -----

// CHECK-LABEL: func.func @compare_select
func.func @compare_select(%x: tensor<3xf32>, %y: tensor<3xf32>) -> (tensor<2x3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xf32>, tensor<2x2xi64>, tensor<3xf32>) {
  // CHECK-DAG: ds.constant dense<{{\[}}[true, false, true], [true, true, true]]> : tensor<2x3xi1>
  // CHECK-DAG: ds.constant dense<[false, false, true]> : tensor<3xi1>
  // CHECK-DAG: ds.constant dense<[true, true, false]> : tensor<3xi1>
  // CHECK-DAG: ds.constant dense<{{\[}}[1, 8], [7, 1]]> : tensor<2x2xi64>
  %a = ds.constant dense<[[1, 5, 3], [-4, 2, 3]]> : tensor<2x3xi64>
  %b = ds.constant dense<[1, 2, 3]> : tensor<3xi64>
  %0 = ds.compare le %a, %b : (tensor<2x3xi64>, tensor<3xi64>) -> tensor<2x3xi1>
  // NaN is unordered: eq is false and ne is true; -0 == +0.
  %f = ds.constant dense<[0x7FC00000, 1.0, -0.0]> : tensor<3xf32>
  %g = ds.constant dense<[0x7FC00000, 2.0, 0.0]> : tensor<3xf32>
  %1 = ds.compare eq %f, %g : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %2 = ds.compare ne %f, %g : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  // A uniform condition picks a branch even when it is not constant.
  %t = ds.constant dense<true> : tensor<3xi1>
  %3 = ds.select %t, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %c = ds.constant dense<[[true, false], [false, true]]> : tensor<2x2xi1>
  %one = ds.constant dense<1> : tensor<i64>
  %z = ds.constant dense<[7, 8]> : tensor<2xi64>
  %4 = ds.select %c, %one, %z : (tensor<2x2xi1>, tensor<i64>, tensor<2xi64>) -> tensor<2x2xi64>
  // A mixed condition over non-constant branches stays.
  %m = ds.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK: %[[SEL:.*]] = ds.select
  %5 = ds.select %m, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // CHECK: return %{{.*}}, %{{.*}}, %{{.*}}, %arg0, %{{.*}}, %[[SEL]]
  return %0, %1, %2, %3, %4, %5 : tensor<2x3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xf32>, tensor<2x2xi64>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @cast
func.func @cast() -> (tensor<4xi32>, tensor<3xi8>, tensor<3xf32>, tensor<3xi1>, tensor<2xf16>, tensor<2xui8>, tensor<3xi64>) {
  %f = ds.constant dense<[1.9, -1.9, 0.5, -0.0]> : tensor<4xf32>
  // Float to integer truncates toward zero.
  // CHECK-DAG: ds.constant dense<[1, -1, 0, 0]> : tensor<4xi32>
  %0 = ds.cast %f : tensor<4xf32> -> tensor<4xi32>
  %i = ds.constant dense<[300, -129, 5]> : tensor<3xi64>
  // Integer narrowing wraps.
  // CHECK-DAG: ds.constant dense<[44, 127, 5]> : tensor<3xi8>
  %1 = ds.cast %i : tensor<3xi64> -> tensor<3xi8>
  // CHECK-DAG: ds.constant dense<[3.000000e+02, -1.290000e+02, 5.000000e+00]> : tensor<3xf32>
  %2 = ds.cast %i : tensor<3xi64> -> tensor<3xf32>
  %z = ds.constant dense<[0, 2, -1]> : tensor<3xi64>
  // Non-zero is true.
  // CHECK-DAG: ds.constant dense<[false, true, true]> : tensor<3xi1>
  %3 = ds.cast %z : tensor<3xi64> -> tensor<3xi1>
  %d = ds.constant dense<[1.0e+05, 0.1]> : tensor<2xf32>
  // Float narrowing rounds to nearest; overflow of f16 gives inf.
  // CHECK-DAG: ds.constant dense<[0x7C00, 9.997550e-02]> : tensor<2xf16>
  %4 = ds.cast %d : tensor<2xf32> -> tensor<2xf16>
  %b = ds.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-DAG: ds.constant dense<[1, 0]> : tensor<2xui8>
  %5 = ds.cast %b : tensor<2xi1> -> tensor<2xui8>
  %u = ds.constant dense<[255, 1, 128]> : tensor<3xui8>
  // Unsigned sources zero-extend.
  // CHECK-DAG: ds.constant dense<[255, 1, 128]> : tensor<3xi64>
  %6 = ds.cast %u : tensor<3xui8> -> tensor<3xi64>
  // CHECK-NOT: ds.cast
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4xi32>, tensor<3xi8>, tensor<3xf32>, tensor<3xi1>, tensor<2xf16>, tensor<2xui8>, tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @cast_no_fold
func.func @cast_no_fold() -> (tensor<2xi32>, tensor<2xf8E4M3FN>, tensor<f8E5M2>) {
  // NaN and out-of-range values to integers, and f8 overflow (saturate or NaN by
  // the `saturate` flag), are left to the runtime.
  %f = ds.constant dense<[0x7FC00000, 1.0e+10]> : tensor<2xf32>
  // CHECK: ds.cast %{{.*}} : tensor<2xf32> -> tensor<2xi32>
  %0 = ds.cast %f : tensor<2xf32> -> tensor<2xi32>
  %g = ds.constant dense<[1.0, 1000.0]> : tensor<2xf32>
  // CHECK: ds.cast %{{.*}} : tensor<2xf32> -> tensor<2xf8E4M3FN>
  %1 = ds.cast %g : tensor<2xf32> -> tensor<2xf8E4M3FN>
  %inf = ds.constant dense<0x7F800000> : tensor<f32>
  // CHECK: ds.cast %{{.*}} : tensor<f32> -> tensor<f8E5M2>
  %2 = ds.cast %inf : tensor<f32> -> tensor<f8E5M2>
  return %0, %1, %2 : tensor<2xi32>, tensor<2xf8E4M3FN>, tensor<f8E5M2>
}

// -----

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xi1>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  // CHECK-DAG: ds.constant dense<[1.500000e+00, -0.000000e+00, -4.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: ds.constant dense<[0.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: ds.constant dense<[3, 0, 7]> : tensor<3xi64>
  // CHECK-DAG: ds.constant dense<[true, false, false]> : tensor<3xi1>
  // CHECK-DAG: ds.constant dense<[2.000000e+00, -0.000000e+00, 2.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: ds.constant dense<[2.000000e+00, -1.000000e+00, 1.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: ds.constant dense<[1.000000e+00, 2.71828175, 0.36787945]> : tensor<3xf32>
  %f = ds.constant dense<[-1.5, 0.0, 4.0]> : tensor<3xf32>
  %0 = ds.unary neg %f : tensor<3xf32> -> tensor<3xf32>
  %s = ds.unary relu %f : tensor<3xf32> -> tensor<3xf32>
  %1 = ds.unary sqrt %s : tensor<3xf32> -> tensor<3xf32>
  %i = ds.constant dense<[-3, 0, 7]> : tensor<3xi64>
  %2 = ds.unary abs %i : tensor<3xi64> -> tensor<3xi64>
  %n = ds.constant dense<[0x7FC00000, 1.0, 0x7F800000]> : tensor<3xf32>
  %3 = ds.unary is_nan %n : tensor<3xf32> -> tensor<3xi1>
  // round is half to even.
  %r = ds.constant dense<[2.5, -0.5, 1.5]> : tensor<3xf32>
  %4 = ds.unary round %r : tensor<3xf32> -> tensor<3xf32>
  %5 = ds.unary floor %r : tensor<3xf32> -> tensor<3xf32>
  %e = ds.constant dense<[0.0, 1.0, -1.0]> : tensor<3xf32>
  %6 = ds.unary exp %e : tensor<3xf32> -> tensor<3xf32>
  // Parameterized functions and non-constant inputs stay.
  // CHECK: ds.unary leaky_relu
  %7 = ds.unary leaky_relu %e {alpha = 0.1 : f32} : tensor<3xf32> -> tensor<3xf32>
  // CHECK: ds.unary exp %arg0
  %8 = ds.unary exp %x : tensor<3xf32> -> tensor<3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<3xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xi1>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}
