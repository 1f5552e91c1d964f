# ds-run on damaged bundles and wrong inputs: each case is a clear message on stderr and
# exit code 1 — never a crash, never a silent success.
#
# RUN: rm -rf %t && %python %s %t
import json
import os
import shutil
import subprocess
import sys

import numpy as np

from onnx_testing import TensorProto, model, node, onnx, tensor, value

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
ds_opt, ds_run = os.environ["DS_OPT"], os.environ["DS_RUN"]

# y = softmax(x @ w + b), x: [batch, 4]
w = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
m = model([node("MatMul", ["x", "w"], ["xw"]), node("Add", ["xw", "b"], ["z"]),
           node("Softmax", ["z"], ["y"], axis=-1)],
          [value("x", TensorProto.FLOAT, ["batch", 4])],
          [value("y", TensorProto.FLOAT, ["batch", 3])],
          [tensor("w", w), tensor("b", np.ones(3, np.float32))])
onnx.save(m, os.path.join(out, "m.onnx"))
good = os.path.join(out, "good.dsb")
subprocess.run([ds_opt, os.path.join(out, "m.onnx"), "--emit=bundle", "-o", good], check=True)
x = os.path.join(out, "x.npy")
np.save(x, np.ones((2, 4), np.float32))

failures = []


def expect_error(label, args, *needles):
    p = subprocess.run([ds_run] + args, capture_output=True, text=True)
    if p.returncode != 1:
        failures.append(f"{label}: exit code {p.returncode}, expected 1\n{p.stdout}{p.stderr}")
        return
    for n in needles:
        if n not in p.stderr:
            failures.append(f"{label}: stderr lacks {n!r}:\n{p.stderr}")


def damaged(label, change):
    d = os.path.join(out, label + ".dsb")
    shutil.copytree(good, d)
    change(d)
    return d


def edit_json(name, fn):
    def change(d):
        path = os.path.join(d, name)
        with open(path) as f:
            data = json.load(f)
        fn(data)
        with open(path, "w") as f:
            json.dump(data, f)
    return change


def write(name, data):
    def change(d):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    return change


def truncate(name, keep):
    def change(d):
        path = os.path.join(d, name)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:keep(len(data))])
    return change


# The good bundle runs.
p = subprocess.run([ds_run, good, f"--input=x=@{x}"], capture_output=True, text=True)
if p.returncode != 0:
    failures.append(f"good bundle failed: {p.stderr}")

run = lambda d: [d, f"--input=x=@{x}"]  # noqa: E731
expect_error("missing bundle", run(os.path.join(out, "nope.dsb")), "nope.dsb")
expect_error("corrupt manifest", run(damaged("corrupt_manifest", write("manifest.json", b"{\"format_"))),
             "manifest.json")
expect_error("corrupt steps", run(damaged("corrupt_steps", write("steps.json", b"[1, 2"))), "steps.json")
expect_error("format version", run(damaged("version", edit_json("manifest.json",
             lambda j: j.__setitem__("format_version", 999)))), "999", "1")
expect_error("missing weights", run(damaged("no_weights", lambda d: os.remove(
             os.path.join(d, "weights.bin")))), "weights.bin")
expect_error("truncated weights", run(damaged("truncated_weights", truncate(
             "weights.bin", lambda n: n - 7))), "weights.bin")
expect_error("weights header past the end", run(damaged("header_len", lambda d: open(
             os.path.join(d, "weights.bin"), "r+b").write((1 << 40).to_bytes(8, "little")))),
             "weights.bin")
expect_error("unknown step kind", run(damaged("kind", edit_json("steps.json",
             lambda j: j["steps"][0].__setitem__("kind", "frobnicate")))), "frobnicate")

# Wrong inputs to a good bundle.
xi = os.path.join(out, "xi.npy")
np.save(xi, np.ones((2, 4), np.int64))
expect_error("wrong dtype", [good, f"--input=x=@{xi}"], "x", "i64", "f32")
x3 = os.path.join(out, "x3.npy")
np.save(x3, np.ones((2, 5), np.float32))
expect_error("wrong dim", [good, f"--input=x=@{x3}"], "x", "5", "4")
xr = os.path.join(out, "xr.npy")
np.save(xr, np.ones((8,), np.float32))
expect_error("wrong rank", [good, f"--input=x=@{xr}"], "x", "rank")
expect_error("unknown input name", [good, f"--input=q=@{x}"], "q")
expect_error("missing input", [good], "x")
expect_error("malformed inline", [good, "--input=x=2x4xf32=1,2,oops,4,5,6,7,8"], "oops")
expect_error("inline count", [good, "--input=x=2x4xf32=1,2,3"], "8", "3")
expect_error("missing npy", [good, f"--input=x=@{out}/none.npy"], "none.npy")
expect_error("unknown device", [good, f"--input=x=@{x}", "--device=tpu"], "tpu", "cpu")
expect_error("unknown flag", [good, "--frobnicate"], "--frobnicate")

if failures:
    sys.exit("\n\n".join(failures))
print("ok")
