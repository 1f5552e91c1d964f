# The generated elementwise kernels, compiled for the host against ds_device.cuh /
# ds_emu.h and launched by a sequential test launcher (Inputs/emulate.py), compute what
# the cpu backend computes: every unary / binary / compare / select / cast function in
# every compute class, static / broadcast / dynamic shapes, constants and fused chains
# (Inputs/programs.py). Each bundle runs with aligned operands (vector path), with
# misaligned ones (scalar fallback) and with a capped grid (grid-stride loop), and once
# more through the runtime's emulator (ds-run --device=emulate: threads as fibers).
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emulate  # noqa: E402
import programs  # noqa: E402

out = sys.argv[1]
tools = os.path.dirname(os.environ["DS_OPT"])
ds_opt, ds_run = os.environ["DS_OPT"], os.path.join(tools, "ds-run")
only = sys.argv[2:]  # program names, for debugging
rng = np.random.default_rng(7)
failures, kernels = [], 0
for name, text, shapes, dtypes in programs.programs():
    if only and name not in only:
        continue
    work = os.path.join(out, name)
    os.makedirs(work)
    src, bundle = os.path.join(work, "p.mlir"), os.path.join(work, "p.dsb")
    open(src, "w").write(text)
    import subprocess
    r = subprocess.run([ds_opt, src, "--emit=bundle", "-o", bundle], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"{name}: ds-opt failed:\n{r.stderr}")
        continue
    try:
        lib = emulate.compile_kernels(bundle, work)
    except RuntimeError as e:
        failures.append(f"{name}: {e}")
        continue
    kernels += len([f for f in os.listdir(os.path.join(bundle, "kernels")) if f.endswith(".cu")])
    import json
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    out_dtypes = [next(v["dtype"] for v in steps["values"] if v["id"] == o) for o in steps["outputs"]]
    for run, (misalign, max_grid) in enumerate(((False, None), (True, None), (False, 1), (False, None))):
        ins = programs.inputs(shapes, dtypes, rng, name)
        try:
            want = emulate.run_cpu(ds_run, bundle, ins, work)
            if run == 3:
                got = emulate.run_cpu(ds_run, bundle, ins, work, device="emulate")
            else:
                got = emulate.run_bundle(bundle, lib, ins, misalign=misalign, max_grid=max_grid)
        except RuntimeError as e:
            failures.append(f"{name}: {e}")
            break
        for k, (g, w, dtype) in enumerate(zip(got, want, out_dtypes)):
            mode = ["aligned", "misaligned", "grid of 1 block", "ds-run --device=emulate"][run]
            failures += emulate.compare(g, w, dtype, f"{name} output {k} ({dtype}, {mode})")
if failures:
    sys.exit("\n".join(failures[:60]))
print(f"ok: {kernels} kernels")
