# Every generated kernel compiles for sm_80 and sm_90a with nvcc: the kernels of every
# generated model (dsgen, dynamic and static shapes) and of the elementwise test
# programs (Inputs/programs.py). The kernels of a bundle go through nvcc as one
# translation unit per arch (as the emulator and the NVRTC cache batch them), so two
# kernels with clashing definitions fail too; with --each, one nvcc call per kernel. Of
# the test programs a representative subset (every function once on device, each
# compute class, the vector path, dynamic dims) keeps the test short; --all takes them
# all (the host-compiled emulation test runs every one of them). The kernels of steps with
# dynamic dims compile once more as the cuda backend JITs them for one concrete shape
# (-DDS_SPECIALIZED_DIMS={...}: the dims become constants).
# REQUIRES: nvcc
# RUN: rm -rf %t && mkdir -p %t && %python -m dsgen --out %t/models > /dev/null
# RUN: %python %s %t
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import programs  # noqa: E402

out = sys.argv[1]
each = "--each" in sys.argv
every_program = "--all" in sys.argv
SUBSET = {"unary_f16", "unary_bf16", "unary_i8", "unary_ui64", "unary_i1", "binary_f16",
          "binary_i8", "binary_ui64", "binary_i1", "pow_f32_i32", "pow_i32_f32", "pow_i64_ui8",
          "pow_ui8_i64", "pow_f16_f64", "compare_f16", "compare_i1", "select_bf16", "cast_f64",
          "cast_f16", "cast_ui64", "cast_i1", "fused"}
ds_opt = os.environ["DS_OPT"]
nvcc = shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc"
ARCHS = ("sm_80", "sm_90a")
failures = []


def emit(source, bundle, extra=()):
    r = subprocess.run([ds_opt, source, "--emit=bundle", "-o", bundle, *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"{source}: ds-opt failed:\n{r.stderr[-2000:]}")
        return False
    return True


def compile_bundle(bundle):
    kernels = os.path.join(bundle, "kernels")
    if not os.path.isdir(kernels):
        failures.append(f"{bundle}: no kernels were generated")
        return 0
    names = sorted(f for f in os.listdir(kernels) if f.endswith(".cu"))
    units = [[n] for n in names] if each else [names]
    for unit in units:
        tu = os.path.join(kernels, "all.cu.tmp.cu")
        with open(tu, "w") as f:
            f.writelines(f'#include "{n}"\n' for n in unit)
        for arch in ARCHS:
            r = subprocess.run([nvcc, f"-arch={arch}", "-cubin", "-std=c++17", "-I", kernels,
                                "-o", os.devnull, tu], capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"{bundle} ({', '.join(unit)}), {arch}:\n{r.stderr[-3000:]}")
        os.remove(tu)
    return len(names)


def compile_specialized(bundle):
    """Each dynamic step's kernel with its dims as constants (every ? taken as 3)."""
    import json
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    shapes = {v["id"]: v["shape"] for v in steps["values"]}
    done = set()
    for st in steps["steps"]:
        kernel = st.get("kernel")
        operands = [i for i in st["inputs"] + st["outputs"] if i >= 0]
        dims = [d for i in operands for d in shapes[i]]
        if not kernel or -1 not in dims or kernel["name"] in done:
            continue
        done.add(kernel["name"])
        spec = "{" + ",".join(str(3 if d < 0 else d) for d in dims) + "}"
        # A wrapper defines the macro: nvcc would split a -D value at its commas.
        tu = os.path.join(bundle, "kernels", "specialized.tmp.cu")
        with open(tu, "w") as f:
            f.write(f"#define DS_SPECIALIZED_DIMS {spec}\n"
                    f"#include \"{os.path.basename(kernel['source'])}\"\n")
        r = subprocess.run([nvcc, "-arch=sm_90a", "-cubin", "-std=c++17", "-I",
                            os.path.join(bundle, "kernels"), "-o", os.devnull, tu],
                           capture_output=True, text=True)
        os.remove(tu)
        if r.returncode != 0:
            failures.append(f"{bundle} {kernel['name']} specialized {spec}:\n{r.stderr[-3000:]}")
    return len(done)


count = 0
specialized = 0
models = os.path.join(out, "models")
for name in sorted(os.listdir(models)):
    if not name.endswith(".onnx"):
        continue
    stem = name[:-5]
    for kind, extra in (("dynamic", []),
                        ("static", ["--input-shape=input_ids:2x5,attention_mask:2x5"])):
        bundle = os.path.join(out, f"{stem}-{kind}.dsb")
        if emit(os.path.join(models, name), bundle, extra):
            count += compile_bundle(bundle)
            if kind == "dynamic":
                specialized += compile_specialized(bundle)
for name, text, _, _ in programs.programs():
    if not every_program and name not in SUBSET:
        continue
    source = os.path.join(out, name + ".mlir")
    open(source, "w").write(text)
    bundle = os.path.join(out, name + ".dsb")
    if emit(source, bundle):
        count += compile_bundle(bundle)
if failures:
    sys.exit("\n".join(failures[:20]))
if specialized == 0:
    sys.exit("no dynamic kernel was compiled with DS_SPECIALIZED_DIMS")
print(f"ok: {count} kernels compiled for {', '.join(ARCHS)}; {specialized} specialized")
