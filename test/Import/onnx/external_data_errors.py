# External data must stay inside the model's directory and inside its file. Each
# case checks the exact message and that `-o` leaves no file behind.
# RUN: rm -rf %t && %python %s %t
# RUN: not ds-opt %t/m/unknown.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=UNKNOWN --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/absolute.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=ABS --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/dotdot.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=DOTDOT --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/symlink.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=SYMLINK --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/beyond.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=BEYOND --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/offset_past_end.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=PASTEND --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/length.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=LENGTH --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/bad_offset.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=BADOFF --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/no_location.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=NOLOC --match-full-lines
# RUN: not test -e %t/out.mlir
# RUN: not ds-opt %t/m/directory.onnx -o %t/out.mlir 2>&1 | FileCheck %s --check-prefix=DIR --match-full-lines
# RUN: not test -e %t/out.mlir
# Near misses that import: a symlink that stays inside the directory, a tensor that
# ends exactly at the end of the file, a name with '..' inside one component.
# RUN: ds-opt %t/m/symlink_inside.onnx | FileCheck %s --check-prefix=INSIDE
# RUN: ds-opt %t/m/exact_end.onnx | FileCheck %s --check-prefix=EXACT
import os
from onnx_testing import *

F = TensorProto.FLOAT
d = out_dir()
m = os.path.join(d, "m")
os.makedirs(os.path.join(m, "sub"), exist_ok=True)
np.arange(64, dtype=np.float32).tofile(os.path.join(m, "w.bin"))      # 256 bytes
np.arange(64, dtype=np.float32).tofile(os.path.join(d, "secret.bin"))  # outside m/
os.symlink(os.path.join("..", "secret.bin"), os.path.join(m, "evil.bin"))
os.symlink(os.path.join("..", "w.bin"), os.path.join(m, "sub", "good.bin"))


def case(name, **kv):
    t = onnx.TensorProto(name="w", data_type=F, dims=[64])
    t.data_location = onnx.TensorProto.EXTERNAL
    for k, v in kv.items():
        e = t.external_data.add()
        e.key, e.value = k, str(v)
    mdl = model([node("Add", ["x", "w"], ["y"])], [value("x", F, [64])],
                [value("y", F, [64])], [t])
    onnx.save(mdl, os.path.join(m, name + ".onnx"))


# UNKNOWN: ds-opt: error: {{.*}}unknown.onnx: initializer 'w': external data file 'nothere.bin' was not found in '{{.*}}m'
# UNKNOWN-NOT: error
case("unknown", location="nothere.bin")
# ABS: ds-opt: error: {{.*}}absolute.onnx: initializer 'w': external data location '{{.*}}w.bin' is an absolute path; only paths relative to the model's directory are allowed
case("absolute", location=os.path.abspath(os.path.join(m, "w.bin")))
# DOTDOT: ds-opt: error: {{.*}}dotdot.onnx: initializer 'w': external data location 'sub/../../secret.bin' contains '..'; it must stay inside the model's directory
case("dotdot", location="sub/../../secret.bin")
# SYMLINK: ds-opt: error: {{.*}}symlink.onnx: initializer 'w': external data location 'evil.bin' resolves to '{{.*}}secret.bin', outside the model's directory (symbolic link?)
case("symlink", location="evil.bin")
# BEYOND: ds-opt: error: {{.*}}beyond.onnx: initializer 'w' reads bytes [128, 384) of external data file 'w.bin', which has only 256 bytes
case("beyond", location="w.bin", offset=128, length=256)
# PASTEND: ds-opt: error: {{.*}}offset_past_end.onnx: initializer 'w' reads bytes [1000, 1256) of external data file 'w.bin', which has only 256 bytes
case("offset_past_end", location="w.bin", offset=1000)
# LENGTH: ds-opt: error: {{.*}}length.onnx: initializer 'w': the FLOAT tensor of shape [64] needs 256 bytes but its external data length is 128
case("length", location="w.bin", length=128)
# BADOFF: ds-opt: error: {{.*}}bad_offset.onnx: initializer 'w' has an invalid external data offset '-8' (expected a non-negative integer)
case("bad_offset", location="w.bin", offset=-8)
# NOLOC: ds-opt: error: {{.*}}no_location.onnx: initializer 'w': external data has an empty location
case("no_location", offset=0)
# DIR: ds-opt: error: {{.*}}directory.onnx: initializer 'w': external data location 'sub' is not a regular file
case("directory", location="sub")

# INSIDE: ds.external_weight "w" from "sub/good.bin"[0, 256] : tensor<64xf32>
case("symlink_inside", location="sub/good.bin")
# EXACT: ds.external_weight "w" from "w.bin"[0, 256] : tensor<64xf32>
case("exact_end", location="w.bin", offset=0, length=256)
