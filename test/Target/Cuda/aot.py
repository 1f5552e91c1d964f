# Ahead-of-time kernel builds (docs/cuda.md, "AOT"): ds-opt --cuda-arch=sm_80,sm_90a
# compiles every generated kernel with NVRTC and stores K.sm_80.cubin, K.sm_90a.cubin and
# K.ptx (the names the cuda backend looks for). The cubins are ELF files defining the
# kernel symbol, the PTX is for compute_80 and enters the kernel; a repeated build is
# served from the cache (DS_CACHE_DIR) and gives identical files. Errors: a bad arch,
# NVRTC missing; both leave no bundle behind.
# REQUIRES: nvrtc
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
ds_opt = os.environ["DS_OPT"]
env = dict(os.environ, DS_CACHE_DIR=os.path.join(out, "cache"))
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


# y = relu(x * w + b), z = x - y: elementwise steps with a ragged static shape.
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 37])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 37])
z = helper.make_tensor_value_info("z", TensorProto.FLOAT, [3, 37])
graph = helper.make_graph(
    [helper.make_node("Mul", ["x", "w"], ["xw"]),
     helper.make_node("Add", ["xw", "b"], ["xwb"]),
     helper.make_node("Relu", ["xwb"], ["y"]),
     helper.make_node("Sub", ["x", "y"], ["z"])],
    "elementwise", [x], [y, z],
    [numpy_helper.from_array(np.linspace(-1, 1, 37, dtype=np.float32), "w"),
     numpy_helper.from_array(np.float32(0.25).reshape(()), "b")])
model_path = os.path.join(out, "model.onnx")
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), model_path)


def emit(bundle, *extra, environment=env):
    return subprocess.run([ds_opt, model_path, "--emit=bundle", "-o", bundle, *extra],
                          capture_output=True, text=True, env=environment)


def read(path):
    with open(path, "rb") as f:
        return f.read()


bundle = os.path.join(out, "m.dsb")
r = emit(bundle, "--cuda-arch=sm_80,sm_90a")
if r.returncode != 0:
    sys.exit(f"ds-opt --cuda-arch failed:\n{r.stderr}")
kernels = os.path.join(bundle, "kernels")
names = sorted(f[:-3] for f in os.listdir(kernels) if f.endswith(".cu"))
check(names, "no kernels were generated")
for name in names:
    for arch in ("sm_80", "sm_90a"):
        path = os.path.join(kernels, f"{name}.{arch}.cubin")
        if not os.path.exists(path):
            failures.append(f"missing {path}")
            continue
        cubin = read(path)
        check(cubin[:4] == b"\x7fELF", f"{path} is not an ELF file")
        check(name.encode() + b"\0" in cubin, f"{path} has no symbol {name}")
    ptx_path = os.path.join(kernels, name + ".ptx")
    if not os.path.exists(ptx_path):
        failures.append(f"missing {ptx_path}")
        continue
    ptx = read(ptx_path).decode()
    check(".target sm_80" in ptx, f"{ptx_path} is not PTX for compute_80")
    check(f".entry {name}(" in ptx, f"{ptx_path} does not enter {name}")
manifest = json.load(open(os.path.join(bundle, "manifest.json")))
check(manifest.get("target_archs") == ["sm_80", "sm_90a"],
      f"manifest target_archs: {manifest.get('target_archs')}")
files = sorted(os.listdir(kernels))
check(len([f for f in files if f.endswith(".cubin")]) == 2 * len(names),
      f"unexpected cubins: {files}")

# Again: from the cache, identical files.
check(os.listdir(env["DS_CACHE_DIR"]), "the NVRTC cache is empty")
again = os.path.join(out, "again.dsb")
r = emit(again, "--cuda-arch=sm_90a,sm_80,sm_80")
check(r.returncode == 0, f"second build failed:\n{r.stderr}")
if r.returncode == 0:
    for f in files:
        if f.endswith((".cubin", ".ptx")):
            check(read(os.path.join(kernels, f)) == read(os.path.join(again, "kernels", f)),
                  f"{f} differs between builds")

# Errors: a clear message, exit status 1, no bundle.
for label, extra, environment, expected in (
        ("bad arch", ["--cuda-arch=sm_80,sm_9x"], env, "CUDA arch 'sm_9x'"),
        ("virtual arch", ["--cuda-arch=compute_80"], env, "is not of the form sm_XY"),
        ("no NVRTC", ["--cuda-arch=sm_80"],
         dict(env, DS_NVRTC_LIBRARY="/nonexistent/libnvrtc.so"), "needs NVRTC")):
    failed = os.path.join(out, label.replace(" ", "_") + ".dsb")
    r = emit(failed, *extra, environment=environment)
    check(r.returncode == 1, f"{label}: exit status {r.returncode}")
    check(expected in r.stderr, f"{label}: unexpected message:\n{r.stderr}")
    check(not os.path.exists(failed), f"{label}: {failed} was left behind")

if failures:
    sys.exit("\n".join(failures))
print(f"ok: {len(names)} kernels compiled for sm_80, sm_90a and compute_80")
