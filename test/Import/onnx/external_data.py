# External data: large tensors become ds.external_weight references (the bytes are
# never copied), small ones are read from the file into dense constants so that
# folders see them. Data files may sit in a subdirectory of the model's directory.
# RUN: rm -rf %t && %python %s %t
# RUN: ds-opt %t/saved/model.onnx | FileCheck %s --check-prefix=SAVED
# RUN: ds-opt %t/subdir/model.onnx | FileCheck %s --check-prefix=SUBDIR
# RUN: ds-opt %t/manual/model.onnx | FileCheck %s --check-prefix=MANUAL
import os
from onnx_testing import *

F = TensorProto.FLOAT
d = out_dir()


def save(name, m, location, threshold):
    os.makedirs(os.path.join(d, name, os.path.dirname(location)), exist_ok=True)
    onnx.checker.check_model(m)
    onnx.save_model(m, os.path.join(d, name, "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location=location,
                    size_threshold=threshold)


# onnx writes the tensors in initializer order: big [0, 1024), small [1024, 1088),
# idx [1088, 1344), half [1344, 1856); `tiny` stays inline (below the threshold).
# SAVED-LABEL: func.func @main
# SAVED-DAG: ds.external_weight "big" from "weights.bin"[0, 1024] : tensor<16x16xf32>
# SAVED-DAG: ds.constant dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01]> : tensor<16xf32>
# SAVED-DAG: ds.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]> : tensor<32xi64>
# SAVED-DAG: ds.external_weight "half" from "weights.bin"[1344, 512] : tensor<16x16xf16>
# SAVED-DAG: ds.constant dense<5.000000e-01> : tensor<1xf32>
# SAVED-NOT: dense_resource
# SAVED-NOT: ds.external_weight
big = np.arange(256, dtype=np.float32).reshape(16, 16)
save("saved", model(
    [node("Add", ["x", "big"], ["a"]), node("Add", ["a", "small"], ["b"]),
     node("Mul", ["b", "tiny"], ["c"]), node("Cast", ["c"], ["ch"], to=TensorProto.FLOAT16),
     node("Add", ["ch", "half"], ["y"]), node("Add", ["i", "idx"], ["j"])],
    [value("x", F, [16, 16]), value("i", TensorProto.INT64, [32])],
    [value("y", TensorProto.FLOAT16, [16, 16]), value("j", TensorProto.INT64, [32])],
    [tensor("big", big), tensor("small", np.arange(16, dtype=np.float32)),
     tensor("idx", np.arange(32, dtype=np.int64)),
     tensor("half", np.ones((16, 16), np.float16)),
     tensor("tiny", np.float32([0.5]))]),
    "weights.bin", threshold=64)

# SUBDIR-LABEL: func.func @main
# SUBDIR: ds.external_weight "w" from "data/layer0/w.bin"[0, 4096] : tensor<32x32xf32>
save("subdir", model([node("Add", ["x", "w"], ["y"])], [value("x", F, [32, 32])],
                     [value("y", F, [32, 32])],
                     [tensor("w", np.ones((32, 32), np.float32))]),
     "data/layer0/w.bin", threshold=1024)
assert os.path.exists(os.path.join(d, "subdir", "data", "layer0", "w.bin"))

# Hand-written references: no length (implied by the type), an offset into the middle
# of a file shared by two tensors, and a small tensor read from that offset.
# MANUAL-LABEL: func.func @main
# MANUAL-DAG: ds.external_weight "a" from "blob.bin"[0, 256] : tensor<64xf32>
# MANUAL-DAG: ds.external_weight "b" from "blob.bin"[512, 256] : tensor<64xf32>
# MANUAL-DAG: ds.constant dense<[2.560000e+02, 2.570000e+02, 2.580000e+02, 2.590000e+02]> : tensor<4xf32>
os.makedirs(os.path.join(d, "manual"), exist_ok=True)
np.arange(1024, dtype=np.float32).tofile(os.path.join(d, "manual", "blob.bin"))


def ext(name, shape, **kv):
    t = onnx.TensorProto(name=name, data_type=F, dims=shape)
    t.data_location = onnx.TensorProto.EXTERNAL
    for k, v in kv.items():
        e = t.external_data.add()
        e.key, e.value = k, str(v)
    return t


manual = model([node("Add", ["x", "a"], ["s"]), node("Add", ["s", "b"], ["y"]),
                node("Add", ["x4", "c"], ["z"])],
               [value("x", F, [64]), value("x4", F, [4])],
               [value("y", F, [64]), value("z", F, [4])],
               [ext("a", [64], location="blob.bin"),
                ext("b", [64], location="blob.bin", offset=512, length=256),
                ext("c", [4], location="blob.bin", offset=1024)])
onnx.save(manual, os.path.join(d, "manual", "model.onnx"))
