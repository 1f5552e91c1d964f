"""Runs the generated CUDA kernels of a bundle on the host, and the cpu backend beside.

Every kernel of the bundle (kernels/*.cu) is compiled with the host C++ compiler
against the bundle's copy of ds_device.cuh / ds_emu.h into one shared object, together
with a minimal sequential launcher (SHIM below): it runs the blocks and threads of a
grid one after the other, which is exact for kernels without barriers or warp
collectives (the elementwise family); a kernel that uses one aborts with a message.
The real emulator (runtime/src/emulate) schedules threads as fibers instead.

run_bundle() executes the bundle's steps in order on numpy arrays through the
kernels (honouring inplace_of, so in-place kernels are exercised), launching each with
its steps.json launch configuration; run_cpu() runs the same inputs through ds-run.
"""
import ctypes
import json
import math
import os
import subprocess
import tempfile

import ml_dtypes
import numpy as np

NP_DTYPES = {
    "f32": np.float32, "f64": np.float64, "f16": np.float16,
    "bf16": ml_dtypes.bfloat16, "f8E4M3FN": ml_dtypes.float8_e4m3fn,
    "f8E5M2": ml_dtypes.float8_e5m2, "i1": np.bool_, "i8": np.int8, "i16": np.int16,
    "i32": np.int32, "i64": np.int64, "ui8": np.uint8, "ui16": np.uint16,
    "ui32": np.uint32, "ui64": np.uint64,
}
RAW = {"bf16": np.uint16, "f8E4M3FN": np.uint8, "f8E5M2": np.uint8}

SHIM = r"""
#include "ds_device.cuh"
#include <cstdio>
#include <cstdlib>

namespace {
thread_local ds::emu::ThreadCtx shimCtx;
ds::emu::ThreadCtx *shimCurrent() { return &shimCtx; }
void shimNoBarrier() {
  std::fprintf(stderr, "sequential test launcher: the kernel used a barrier\n");
  std::abort();
}
void shimNoExchange(int, const uint32_t *, int, uint32_t *) {
  std::fprintf(stderr, "sequential test launcher: the kernel used a warp collective\n");
  std::abort();
}
void shimYield() {}
const ds::emu::Api shimApi = {ds::emu::kAbiVersion, shimCurrent, shimNoBarrier,
                              shimNoExchange, shimYield};
} // namespace

extern "C" void ds_test_launch(void (*kernel)(ds::KernelParams),
                               const ds::KernelParams *params, unsigned grid,
                               unsigned block) {
  ds::emu::api = &shimApi;
  for (unsigned b = 0; b < grid; ++b)
    for (unsigned t = 0; t < block; ++t) {
      shimCtx = ds::emu::ThreadCtx{{t, 0, 0}, {b, 0, 0}, {block, 1, 1}, {grid, 1, 1}, t,
                                   nullptr};
      kernel(*params);
    }
}
"""


class KernelParams(ctypes.Structure):
    _fields_ = [("ptr", ctypes.c_void_p * 16), ("dims", ctypes.c_int64 * 64),
                ("scalars", ctypes.c_int64 * 8)]


def compile_kernels(bundle, workdir):
    """One shared object with every kernel of the bundle and the launcher."""
    kernels = os.path.join(bundle, "kernels")
    names = sorted(f for f in os.listdir(kernels) if f.endswith(".cu"))
    source = os.path.join(workdir, "all_kernels.cpp")
    with open(source, "w") as f:
        f.write(SHIM)
        for name in names:
            f.write(f'#include "{name}"\n')
    lib = os.path.join(workdir, "kernels.so")
    cxx = os.environ.get("CXX", "c++")
    r = subprocess.run([cxx, "-std=c++17", "-O1", "-shared", "-fPIC", "-I", kernels,
                        "-o", lib, source], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"host compilation of {bundle}'s kernels failed:\n{r.stderr[-4000:]}")
    return ctypes.CDLL(lib)


def load_weights(bundle):
    with open(os.path.join(bundle, "weights.bin"), "rb") as f:
        data = f.read()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    base = 8 + length
    out = {}
    for name, w in header.items():
        raw = data[base + w["offset"]: base + w["offset"] + w["length"]]
        out[name] = np.frombuffer(raw, dtype=NP_DTYPES[w["dtype"]]).reshape(w["shape"]).copy()
    return out


def _alloc(dtype, shape, misalign):
    """An array whose data pointer is (misalign) or is not 16-byte aligned."""
    np_dtype = np.dtype(NP_DTYPES[dtype])
    count = math.prod(shape)
    raw = np.zeros((count + 32) * np_dtype.itemsize + 64, dtype=np.uint8)
    start = (-raw.ctypes.data) % 64 + (np_dtype.itemsize if misalign else 0)
    return raw[start:start + count * np_dtype.itemsize].view(np_dtype).reshape(shape)


def run_bundle(bundle, lib, inputs, misalign=False, max_grid=None):
    """The bundle's outputs for `inputs` (numpy arrays), every step through its kernel.
    max_grid caps the grid (the kernels must cover the rest with their grid-stride loop)."""
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    weights = load_weights(bundle)
    values = {}
    for v in steps["values"]:
        if v["def"] == "input":
            a = _alloc(v["dtype"], inputs[v["index"]].shape, misalign)
            a[...] = inputs[v["index"]]
            values[v["id"]] = a
        elif v["def"] == "weight":
            w = weights[v["weight"]]
            a = _alloc(v["dtype"], w.shape, misalign)
            a[...] = w
            values[v["id"]] = a
    by_id = {v["id"]: v for v in steps["values"]}
    for index, step in enumerate(steps["steps"]):
        kernel = step.get("kernel")
        if kernel is None:
            raise RuntimeError(f"step {index} ({step['kind']}) has no kernel")
        ins = [values[i] for i in step["inputs"]]
        shape = np.broadcast_shapes(*[a.shape for a in ins]) if ins else ()
        outs = []
        for o in step["outputs"]:
            v = by_id[o]
            src = v.get("inplace_of")
            if src is not None and values[src].dtype.itemsize == np.dtype(NP_DTYPES[v["dtype"]]).itemsize:
                a = values[src].view(NP_DTYPES[v["dtype"]]).reshape(shape)
            else:
                a = _alloc(v["dtype"], shape, misalign)
            values[o] = a
            outs.append(a)
        params = KernelParams()
        dims = []
        for k, a in enumerate(ins + outs):
            params.ptr[k] = a.ctypes.data
            dims += list(a.shape)
        for k, d in enumerate(dims):
            params.dims[k] = d
        launch = kernel["launch"]
        extent = (ins + outs)[launch["grid"]["operand"]].size
        grid = -(-extent // launch["grid"]["per_block"])
        if max_grid:
            grid = min(grid, max_grid)
        if grid == 0:
            continue
        fn = ctypes.cast(lib[kernel["name"]], ctypes.c_void_p)
        lib.ds_test_launch(fn, ctypes.byref(params), ctypes.c_uint(grid),
                           ctypes.c_uint(launch["block"][0]))
    return [values[o].copy() for o in steps["outputs"]]


def run_cpu(ds_run, bundle, inputs, workdir, device="cpu"):
    """The same bundle through ds-run on the cpu backend (or another --device)."""
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    by_id = {v["id"]: v for v in steps["values"]}
    args = [ds_run, bundle, "--threads=1", f"--device={device}",
            f"--output-dir={workdir}/{device}-out"]
    for k, a in enumerate(inputs):
        path = os.path.join(workdir, f"in{k}.npy")
        # ml_dtypes arrays save as '<V2' (bf16), '<V1' (f8E4M3FN), '<f1' (f8E5M2).
        np.save(path, a)
        args.append(f"--input=@{path}")
    env = dict(os.environ, DS_CACHE_DIR=os.path.join(workdir, "cache"))
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"ds-run --device={device} {bundle} failed:\n{r.stdout}{r.stderr}")
    manifest = json.load(open(os.path.join(bundle, "manifest.json")))
    outs = []
    for k, o in enumerate(manifest["outputs"]):
        a = np.load(os.path.join(workdir, f"{device}-out", o["name"] + ".npy"))
        dtype = by_id[steps["outputs"][k]]["dtype"]
        outs.append(a.view(NP_DTYPES[dtype]) if dtype in RAW else a.astype(NP_DTYPES[dtype]))
    return outs


def compare(got, want, dtype, what):
    """Problems (a list of strings) where `got` differs from `want`: integers and i1
    exactly, floats to a few ulps of the dtype with NaN where NaN is expected."""
    if got.shape != want.shape:
        return [f"{what}: shape {got.shape} != {want.shape}"]
    if dtype in ("i1",) or dtype.startswith(("i", "ui")):
        bad = np.nonzero(got != want)
        if bad[0].size:
            i = tuple(b[0] for b in bad)
            return [f"{what}: {bad[0].size} elements differ, first at {i}: {got[i]} != {want[i]}"]
        return []
    g, w = got.astype(np.float64), want.astype(np.float64)
    rtol = {"f32": 4e-6, "f64": 1e-12, "f16": 2e-3, "bf16": 1.6e-2,
            "f8E4M3FN": 0.13, "f8E5M2": 0.26}[dtype]
    atol = {"f32": 1e-6, "f64": 1e-14, "f16": 1e-7, "bf16": 1e-30,
            "f8E4M3FN": 2e-3, "f8E5M2": 2e-5}[dtype]
    with np.errstate(invalid="ignore"):
        ok = (np.isnan(g) & np.isnan(w)) | (g == w) | (np.abs(g - w) <= atol + rtol * np.abs(w))
    bad = np.nonzero(~ok)
    if bad[0].size:
        i = tuple(b[0] for b in bad)
        return [f"{what}: {bad[0].size} elements differ, first at {i}: {g[i]!r} != {w[i]!r}"]
    return []


def tempdir():
    return tempfile.mkdtemp(prefix="ds-cuda-test-")
