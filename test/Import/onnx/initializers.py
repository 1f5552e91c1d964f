# Initializers of every element type ds supports, stored as raw_data and in the typed
# fields, small (dense elements, which folders see) and large (dense_resource blobs in
# the ONNX byte layout). 4-bit and bool tensors always stay dense.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/small.onnx | FileCheck %s --check-prefix=SMALL
# RUN: ds-opt %t/large.onnx | FileCheck %s --check-prefix=LARGE
# RUN: ds-opt %t/packing.onnx | FileCheck %s --check-prefix=PACK
import ml_dtypes
from onnx_testing import *

TP = TensorProto
FLOATS = {TP.FLOAT, TP.FLOAT16, TP.BFLOAT16, TP.DOUBLE, TP.FLOAT8E4M3FN, TP.FLOAT8E5M2}
# (name, ONNX type, numpy dtype, values)
TYPES = [
    ("f32", TP.FLOAT, np.float32, [0.5, -1.0, 2.0, 3.0]),
    ("f16", TP.FLOAT16, np.float16, [0.5, -1.0, 2.0, 3.0]),
    ("bf16", TP.BFLOAT16, ml_dtypes.bfloat16, [0.5, -1.0, 2.0, 3.0]),
    ("f64", TP.DOUBLE, np.float64, [0.5, -1.0, 2.0, 3.0]),
    ("f8e4m3fn", TP.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn, [0.5, -1.0, 2.0, 448.0]),
    ("f8e5m2", TP.FLOAT8E5M2, ml_dtypes.float8_e5m2, [0.5, -1.0, 2.0, 57344.0]),
    ("i64", TP.INT64, np.int64, [0, -1, 2, -(2**62)]),
    ("i32", TP.INT32, np.int32, [0, -1, 2, -(2**31)]),
    ("i16", TP.INT16, np.int16, [0, -1, 2, -32768]),
    ("i8", TP.INT8, np.int8, [0, -1, 2, -128]),
    ("i4", TP.INT4, ml_dtypes.int4, [0, -1, 7, -8, 3]),
    ("u64", TP.UINT64, np.uint64, [0, 1, 2, 2**64 - 1]),
    ("u32", TP.UINT32, np.uint32, [0, 1, 2, 2**32 - 1]),
    ("u16", TP.UINT16, np.uint16, [0, 1, 2, 65535]),
    ("u8", TP.UINT8, np.uint8, [0, 1, 2, 255]),
    ("u4", TP.UINT4, ml_dtypes.uint4, [0, 1, 15, 8, 3]),
    ("bool", TP.BOOL, np.bool_, [True, False, False, True]),
]


def typed(name, onnx_type, array):
    """The same tensor in its typed field (float_data, int32_data, ...)."""
    vals = array.astype(np.float32) if onnx_type in FLOATS else [int(v) for v in array]
    t = helper.make_tensor(name, onnx_type, list(array.shape), vals, raw=False)
    assert not t.HasField("raw_data")
    return t


def graph_of(size):
    inits, outs = [], []
    for name, onnx_type, dtype, vals in TYPES:
        n = size(onnx_type)
        a = np.resize(np.array(vals, dtype=dtype), n) if n else np.array(vals, dtype=dtype)
        raw = numpy_helper.from_array(a, name + "_raw")
        assert raw.HasField("raw_data")
        inits += [raw, typed(name + "_typed", onnx_type, a)]
        outs += [value(name + "_raw", onnx_type, [a.size]),
                 value(name + "_typed", onnx_type, [a.size])]
    # Initializers returned directly: no op handler is involved.
    return model([], [], outs, inits)


# SMALL-LABEL: func.func @main()
# SMALL-COUNT-2: ds.constant dense<[5.000000e-01, -1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xf32>
# SMALL-COUNT-2: ds.constant dense<[5.000000e-01, -1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xf16>
# SMALL-COUNT-2: ds.constant dense<[5.000000e-01, -1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xbf16>
# SMALL-COUNT-2: ds.constant dense<[5.000000e-01, -1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<4xf64>
# SMALL-COUNT-2: ds.constant dense<[5.000000e-01, -1.000000e+00, 2.000000e+00, 4.480000e+02]> : tensor<4xf8E4M3FN>
# SMALL-COUNT-2: ds.constant dense<[5.000000e-01, -1.000000e+00, 2.000000e+00, 5.734400e+04]> : tensor<4xf8E5M2>
# SMALL-COUNT-2: ds.constant dense<[0, -1, 2, -4611686018427387904]> : tensor<4xi64>
# SMALL-COUNT-2: ds.constant dense<[0, -1, 2, -2147483648]> : tensor<4xi32>
# SMALL-COUNT-2: ds.constant dense<[0, -1, 2, -32768]> : tensor<4xi16>
# SMALL-COUNT-2: ds.constant dense<[0, -1, 2, -128]> : tensor<4xi8>
# SMALL-COUNT-2: ds.constant dense<[0, -1, 7, -8, 3]> : tensor<5xi4>
# SMALL-COUNT-2: ds.constant dense<[0, 1, 2, 18446744073709551615]> : tensor<4xui64>
# SMALL-COUNT-2: ds.constant dense<[0, 1, 2, 4294967295]> : tensor<4xui32>
# SMALL-COUNT-2: ds.constant dense<[0, 1, 2, 65535]> : tensor<4xui16>
# SMALL-COUNT-2: ds.constant dense<[0, 1, 2, 255]> : tensor<4xui8>
# SMALL-COUNT-2: ds.constant dense<[0, 1, 15, 8, 3]> : tensor<5xui4>
# SMALL-COUNT-2: ds.constant dense<[true, false, false, true]> : tensor<4xi1>
# SMALL-NOT: dense_resource
emit("small", graph_of(lambda t: 0), check=False)

# Floats past 16 elements and integers past 4096 become blobs; the blob text is the
# alignment (0x40000000 = 64) then the ONNX little-endian bytes.
# LARGE-LABEL: func.func @main()
# LARGE: ds.constant dense_resource<f32_raw> : tensor<17xf32>
# LARGE: ds.constant dense_resource<f32_typed> : tensor<17xf32>
# LARGE: ds.constant dense_resource<f16_raw> : tensor<17xf16>
# LARGE: ds.constant dense_resource<f16_typed> : tensor<17xf16>
# LARGE: ds.constant dense_resource<bf16_raw> : tensor<17xbf16>
# LARGE: ds.constant dense_resource<bf16_typed> : tensor<17xbf16>
# LARGE: ds.constant dense_resource<f64_raw> : tensor<17xf64>
# LARGE: ds.constant dense_resource<f64_typed> : tensor<17xf64>
# LARGE: ds.constant dense_resource<f8e4m3fn_raw> : tensor<17xf8E4M3FN>
# LARGE: ds.constant dense_resource<f8e4m3fn_typed> : tensor<17xf8E4M3FN>
# LARGE: ds.constant dense_resource<f8e5m2_raw> : tensor<17xf8E5M2>
# LARGE: ds.constant dense_resource<f8e5m2_typed> : tensor<17xf8E5M2>
# LARGE: ds.constant dense_resource<i64_raw> : tensor<4097xi64>
# LARGE: ds.constant dense_resource<i64_typed> : tensor<4097xi64>
# LARGE: ds.constant dense_resource<i32_raw> : tensor<4097xi32>
# LARGE: ds.constant dense_resource<i32_typed> : tensor<4097xi32>
# LARGE: ds.constant dense_resource<i16_raw> : tensor<4097xi16>
# LARGE: ds.constant dense_resource<i16_typed> : tensor<4097xi16>
# LARGE: ds.constant dense_resource<i8_raw> : tensor<4097xi8>
# LARGE: ds.constant dense_resource<i8_typed> : tensor<4097xi8>
# LARGE-COUNT-2: ds.constant dense<"0x000F070803000F0708{{[0-9A-F]*}}"> : tensor<4097xi4>
# LARGE: ds.constant dense_resource<u64_raw> : tensor<4097xui64>
# LARGE: ds.constant dense_resource<u64_typed> : tensor<4097xui64>
# LARGE: ds.constant dense_resource<u32_raw> : tensor<4097xui32>
# LARGE: ds.constant dense_resource<u32_typed> : tensor<4097xui32>
# LARGE: ds.constant dense_resource<u16_raw> : tensor<4097xui16>
# LARGE: ds.constant dense_resource<u16_typed> : tensor<4097xui16>
# LARGE: ds.constant dense_resource<u8_raw> : tensor<4097xui8>
# LARGE: ds.constant dense_resource<u8_typed> : tensor<4097xui8>
# LARGE-COUNT-2: ds.constant dense<"0x00010F080300010F08{{[0-9A-F]*}}"> : tensor<4097xui4>
# LARGE-COUNT-2: ds.constant dense<"0x99999999{{[0-9]*}}"> : tensor<4097xi1>
# LARGE: dialect_resources
# LARGE-NEXT: builtin: {
# LARGE-NEXT: f32_raw: "0x400000000000003F000080BF0000004000004040{{[0-9A-F]*}}",
# LARGE-NEXT: f32_typed: "0x400000000000003F000080BF0000004000004040{{[0-9A-F]*}}",
# LARGE-NEXT: f16_raw: "0x40000000003800BC00400042{{[0-9A-F]*}}",
# LARGE-NEXT: f16_typed: "0x40000000003800BC00400042{{[0-9A-F]*}}",
# LARGE-NEXT: bf16_raw: "0x40000000003F80BF00404040{{[0-9A-F]*}}",
# LARGE-NEXT: bf16_typed: "0x40000000003F80BF00404040{{[0-9A-F]*}}",
# LARGE-NEXT: f64_raw: "0x40000000000000000000E03F000000000000F0BF00000000000000400000000000000840{{[0-9A-F]*}}",
# LARGE-NEXT: f64_typed: "0x40000000000000000000E03F000000000000F0BF00000000000000400000000000000840{{[0-9A-F]*}}",
# LARGE-NEXT: f8e4m3fn_raw: "0x4000000030B8407E{{[0-9A-F]*}}",
# LARGE-NEXT: f8e4m3fn_typed: "0x4000000030B8407E{{[0-9A-F]*}}",
# LARGE-NEXT: f8e5m2_raw: "0x4000000038BC407B{{[0-9A-F]*}}",
# LARGE-NEXT: f8e5m2_typed: "0x4000000038BC407B{{[0-9A-F]*}}",
# LARGE-NEXT: i64_raw: "0x400000000000000000000000FFFFFFFFFFFFFFFF020000000000000000000000000000C0{{[0-9A-F]*}}",
# LARGE-NEXT: i64_typed: "0x400000000000000000000000FFFFFFFFFFFFFFFF020000000000000000000000000000C0{{[0-9A-F]*}}",
# LARGE-NEXT: i32_raw: "0x4000000000000000FFFFFFFF0200000000000080{{[0-9A-F]*}}",
# LARGE-NEXT: i32_typed: "0x4000000000000000FFFFFFFF0200000000000080{{[0-9A-F]*}}",
# LARGE-NEXT: i16_raw: "0x400000000000FFFF02000080{{[0-9A-F]*}}",
# LARGE-NEXT: i16_typed: "0x400000000000FFFF02000080{{[0-9A-F]*}}",
# LARGE-NEXT: i8_raw: "0x4000000000FF0280{{[0-9A-F]*}}",
# LARGE-NEXT: i8_typed: "0x4000000000FF0280{{[0-9A-F]*}}",
# LARGE-NEXT: u64_raw: "0x40000000000000000000000001000000000000000200000000000000FFFFFFFFFFFFFFFF{{[0-9A-F]*}}",
# LARGE-NEXT: u64_typed: "0x40000000000000000000000001000000000000000200000000000000FFFFFFFFFFFFFFFF{{[0-9A-F]*}}",
# LARGE-NEXT: u32_raw: "0x40000000000000000100000002000000FFFFFFFF{{[0-9A-F]*}}",
# LARGE-NEXT: u32_typed: "0x40000000000000000100000002000000FFFFFFFF{{[0-9A-F]*}}",
# LARGE-NEXT: u16_raw: "0x40000000000001000200FFFF{{[0-9A-F]*}}",
# LARGE-NEXT: u16_typed: "0x40000000000001000200FFFF{{[0-9A-F]*}}",
# LARGE-NEXT: u8_raw: "0x40000000000102FF{{[0-9A-F]*}}",
# LARGE-NEXT: u8_typed: "0x40000000000102FF{{[0-9A-F]*}}"
emit("large", graph_of(lambda t: 17 if t in FLOATS else 4097), check=False)

# 4-bit packing from hand-written bytes: the low nibble is the first element, and an
# odd count ignores the last high nibble. 0x21 0xF3 0x98 -> 1 2 3 15(-1) 8(-8).
# PACK-LABEL: func.func @main()
# PACK: ds.constant dense<[1, 2, 3, -1, -8]> : tensor<5xi4>
# PACK: ds.constant dense<[1, 2, 3, 15, 8]> : tensor<5xui4>
# PACK: ds.constant dense<[1, 2, 3, -1, -8]> : tensor<5xi4>
# PACK: ds.constant dense<[1, 2, 3, 15, 8]> : tensor<5xui4>
packed = b"\x21\xf3\x98"
p = [onnx.TensorProto(name="i4r", data_type=TP.INT4, dims=[5], raw_data=packed),
     onnx.TensorProto(name="u4r", data_type=TP.UINT4, dims=[5], raw_data=packed),
     onnx.TensorProto(name="i4t", data_type=TP.INT4, dims=[5], int32_data=list(packed)),
     onnx.TensorProto(name="u4t", data_type=TP.UINT4, dims=[5], int32_data=list(packed))]
emit("packing", model([], [], [value(t.name, t.data_type, [5]) for t in p], p),
     check=False)
