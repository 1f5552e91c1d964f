"""Checks shared by the kernel-family tests: an ONNX model is compiled by ds-opt into a
bundle, run by ds-run on cpu and on emulate with DS_EMULATE_STRICT=1 (every step through
its generated kernel, no cpu fallback), and the outputs are compared.

    import emucheck
    problems = emucheck.check(model, {"x": x}, workdir, kinds={"softmax"},
                              rtol=1e-6, atol=1e-7)

`model` is an onnx.ModelProto (symbolic dims allowed) or a path; `kinds` are step kinds
that must appear in the bundle with a "kernel" entry (so a test cannot pass because the
generator skipped the step). Integers and booleans compare exactly; floats within
atol + rtol * |cpu| (NaN where the cpu has NaN)."""
import json
import os
import subprocess

import numpy as np

DS_OPT = os.environ.get("DS_OPT", "ds-opt")
DS_RUN = os.environ.get("DS_RUN", os.path.join(os.path.dirname(DS_OPT), "ds-run"))


def compile_bundle(model, workdir, name="model", extra=()):
    """ds-opt MODEL --emit=bundle; returns the bundle path (raises on failure)."""
    os.makedirs(workdir, exist_ok=True)
    path = model
    if not isinstance(model, str):
        import onnx
        path = os.path.join(workdir, name + ".onnx")
        onnx.save(model, path)
    bundle = os.path.join(workdir, name + ".dsb")
    r = subprocess.run([DS_OPT, path, "--emit=bundle", "-o", bundle, *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"ds-opt {path} failed ({r.returncode}):\n{r.stderr}")
    return bundle


def kernel_kinds(bundle):
    """{kind: (steps with a kernel entry, steps without)} of a bundle."""
    steps = json.load(open(os.path.join(bundle, "steps.json")))["steps"]
    kinds = {}
    for st in steps:
        with_kernel, without = kinds.get(st["kind"], (0, 0))
        kinds[st["kind"]] = (with_kernel + ("kernel" in st), without + ("kernel" not in st))
    return kinds


def run(bundle, inputs, workdir, device, tag=None, threads=2):
    """Outputs (numpy arrays, in order) of ds-run on `device`."""
    tag = tag or device
    args = [DS_RUN, bundle, f"--device={device}", f"--threads={threads}"]
    for i, (name, value) in enumerate(inputs.items()):
        f = os.path.join(workdir, f"in{i}.npy")
        np.save(f, value)
        args.append(f"--input={name}=@{f}")
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    outs = [os.path.join(workdir, f"{tag}_out{k}.npy") for k in range(len(steps["outputs"]))]
    args += [f"--output=@{o}" for o in outs]
    env = dict(os.environ)
    if device == "emulate":
        env["DS_EMULATE_STRICT"] = "1"
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"ds-run --device={device} failed ({r.returncode}):\n{r.stderr}")
    return [np.load(o) for o in outs]


def compare(got, want, what, rtol, atol):
    """Problems (strings) where `got` differs from `want`."""
    if got.shape != want.shape:
        return [f"{what}: shape {got.shape}, expected {want.shape}"]
    if got.dtype != want.dtype:
        return [f"{what}: dtype {got.dtype}, expected {want.dtype}"]
    if got.dtype.kind in "biu" or got.dtype.kind == "V" and got.dtype.itemsize == 1:
        bad = np.argwhere(got != want)
    else:
        g = got.astype(np.float64)
        w = want.astype(np.float64)
        nan = np.isnan(w)
        bad = np.argwhere((nan != np.isnan(g)) |
                          (~nan & ~(np.abs(g - w) <= atol + rtol * np.abs(w))))
    if len(bad) == 0:
        return []
    first = tuple(int(i) for i in bad[0])
    return [f"{what}: {len(bad)} of {got.size} elements differ; first at {first}: "
            f"{got[first]!r}, cpu {want[first]!r}"]


def check(model, inputs, workdir, kinds=(), rtol=1e-6, atol=1e-7, name="model", extra=()):
    """Compile, run on cpu and on emulate, compare; returns a list of problems."""
    try:
        bundle = compile_bundle(model, workdir, name, extra)
    except RuntimeError as e:
        return [f"{name}: {e}"]
    present = kernel_kinds(bundle)
    problems = []
    for kind in kinds:
        with_kernel, without = present.get(kind, (0, 0))
        if with_kernel == 0 or without:
            problems.append(f"{name}: expected every '{kind}' step to have a kernel; "
                            f"{with_kernel} with, {without} without")
    try:
        want = run(bundle, inputs, workdir, "cpu")
        got = run(bundle, inputs, workdir, "emulate")
    except RuntimeError as e:
        return problems + [f"{name}: {e}"]
    for k, (g, w) in enumerate(zip(got, want)):
        problems += compare(g, w, f"{name} output {k}", rtol, atol)
    return problems


def report(problems, checked):
    """Prints the problems and exits 1 when there are any (the lit test fails)."""
    for p in problems:
        print(p)
    print(f"{checked} cases checked, {len(problems)} problems")
    if problems:
        raise SystemExit(1)
