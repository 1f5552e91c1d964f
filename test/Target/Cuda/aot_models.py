# CI check of ahead-of-time builds: every generated model (dsgen: all three configs, with
# dynamic and static shapes) emits with --cuda-arch=sm_80,sm_90a, which fails on NVRTC
# errors and on register spills of kernels not on lib/Target/Cuda/spill_allowlist.txt.
# The NVRTC cache lives in the test output directory, shared between runs, so a rerun
# only compiles kernels that changed.
# REQUIRES: nvrtc
# RUN: rm -rf %t && mkdir -p %t && %python -m dsgen --out %t/models > /dev/null
# RUN: %python %s %t
import os
import subprocess
import sys

out = sys.argv[1]
ds_opt = os.environ["DS_OPT"]
cache = os.path.join(os.path.dirname(os.path.abspath(out)), "nvrtc-cache")
env = dict(os.environ, DS_CACHE_DIR=cache)
failures = []
count = 0
models = os.path.join(out, "models")
for name in sorted(os.listdir(models)):
    if not name.endswith(".onnx"):
        continue
    for kind, extra in (("dynamic", []),
                        ("static", ["--input-shape=input_ids:2x5,attention_mask:2x5"])):
        bundle = os.path.join(out, f"{name[:-5]}-{kind}.dsb")
        r = subprocess.run([ds_opt, os.path.join(models, name), "--emit=bundle",
                            "--cuda-arch=sm_80,sm_90a", "-o", bundle, *extra],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            failures.append(f"{name} ({kind}):\n{r.stderr[-3000:]}")
            continue
        kernels = os.path.join(bundle, "kernels")
        for source in os.listdir(kernels):
            if not source.endswith(".cu"):
                continue
            count += 1
            for suffix in (".sm_80.cubin", ".sm_90a.cubin", ".ptx"):
                if not os.path.exists(os.path.join(kernels, source[:-3] + suffix)):
                    failures.append(f"{name} ({kind}): no {source[:-3] + suffix}")
if failures:
    sys.exit("\n".join(failures[:20]))
print(f"ok: {count} kernels built ahead of time for sm_80, sm_90a without spills")
