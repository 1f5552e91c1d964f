# Epilogues end to end: an ONNX MatMul -> Add(bias) -> Sigmoid -> Mul (x * sigmoid(x),
# SiLU written out) becomes one `matmul` step whose attrs.epilogue holds the program;
# ds-run matches onnxruntime, with dynamic rows and with a static plan, on 1 and 2
# threads and on row counts that are not multiples of any tile.
# RUN: rm -rf %t && mkdir -p %t && %python %s %t
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
ds_opt, ds_run = os.environ["DS_OPT"], os.environ["DS_RUN"]
rng = np.random.default_rng(7)
K, N = 37, 70
w = (rng.standard_normal((K, N)) / np.sqrt(K)).astype(np.float32)
bias = rng.standard_normal(N).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "w"], ["mm"], name="/fc/MatMul"),
     helper.make_node("Add", ["mm", "bias"], ["pre"], name="/fc/Add"),
     helper.make_node("Sigmoid", ["pre"], ["sig"], name="/act/Sigmoid"),
     helper.make_node("Mul", ["pre", "sig"], ["y"], name="/act/Mul")],
    "epilogue",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["rows", K])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["rows", N])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "bias")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
path = os.path.join(out, "epilogue.onnx")
onnx.save(model, path)
session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])

failures = []


def check_steps(bundle):
    with open(os.path.join(bundle, "steps.json")) as f:
        steps = json.load(f)["steps"]
    kinds = [s["kind"] for s in steps]
    if kinds != ["matmul"]:
        failures.append(f"{bundle}: expected one matmul step, got {kinds}")
        return
    step = steps[0]
    epilogue = step["attrs"].get("epilogue")
    if not epilogue:
        failures.append(f"{bundle}: the matmul step has no epilogue: {step}")
        return
    ops = [(i["op"], i.get("fn")) for i in epilogue["program"]]
    if ops != [("binary", "add"), ("unary", "sigmoid"), ("binary", "mul")]:
        failures.append(f"{bundle}: unexpected epilogue program {ops}")
    # x, w, then the bias (register 1) as the one extra input.
    if len(step["inputs"]) != 3 or epilogue["program"][0]["args"] != [0, 1]:
        failures.append(f"{bundle}: unexpected inputs {step['inputs']} / program "
                        f"{epilogue['program']}")
    if epilogue["results"] != [4] or epilogue.get("product_dtype") != "f32":
        failures.append(f"{bundle}: unexpected results/product dtype {epilogue}")


for rows in (1, 5, 67, 200):
    x = rng.standard_normal((rows, K)).astype(np.float32)
    ref = session.run(None, {"x": x})[0]
    case = os.path.join(out, f"rows{rows}")
    np.save(case + "-x.npy", x)
    np.save(case + "-ref.npy", ref)
    for kind, extra in (("dynamic", []), ("static", [f"--input-shape=x:{rows}x{K}"])):
        bundle = f"{case}-{kind}.dsb"
        r = subprocess.run([ds_opt, path, "--emit=bundle", "-o", bundle, *extra],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"{bundle}: emission failed:\n{r.stderr}")
            continue
        check_steps(bundle)
        for threads in (1, 2):
            r = subprocess.run([ds_run, bundle, f"--input=x=@{case}-x.npy",
                                f"--expected-output=@{case}-ref.npy", "--rtol=1e-4",
                                "--atol=1e-5", f"--threads={threads}"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"{bundle} ({threads} threads): ds-run does not match "
                                f"onnxruntime:\n{(r.stdout + r.stderr)[-1500:]}")
if failures:
    sys.exit("\n".join(failures))
print("ok")
