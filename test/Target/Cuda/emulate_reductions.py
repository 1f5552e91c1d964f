# The generated kernels of the reduction family (reduce, arg_reduce, softmax, log_softmax,
# hardmax, layer_norm, rms_norm, cumsum, topk) compute what the cpu backend computes: ONNX
# models (several single-op nodes on shared inputs per model, so one bundle and one host
# compile serve many kernels) run by ds-run on cpu and on emulate (DS_EMULATE_STRICT=1:
# every step through its generated kernel), every output compared.
#
# Covered: every reduce fn (sum, mean, max, min, prod, l1, l2, sum_square, log_sum,
# log_sum_exp) over the innermost axis (warp per row, block per row, rows longer than a
# block), middle/outer axes (a thread per output), non-adjacent axes (index decomposition),
# all axes, keepdims 0/1, noop_with_empty_axes, empty reductions (identity values);
# ArgMax/ArgMin (keepdims, select_last_index, NaN, ties); Softmax/LogSoftmax/Hardmax on the
# last and on outer axes; LayerNormalization (with/without bias, broadcast scale, Mean and
# InvStdDev outputs), RMSNormalization (opset 23); CumSum (exclusive, reverse, both, outer
# axis); TopK (largest/smallest, ties, NaN, bitonic and selection paths); dtypes f32, f16,
# bf16 (Cast around the op), f64 and int32/int64 where ONNX allows; static and symbolic
# dims; lengths 0, 1, 7, 33, 1000+ and rows longer than a block.
#
# Tolerances: integers, max/min, arg*, hardmax, topk and every case whose result is one
# element's value are exact (atol = rtol = 0). Float sums differ from the cpu only in the
# summation order: |error| <= n * eps_c * sum|x| (eps_c the compute type's unit roundoff,
# f32: 2^-24), and a narrow output type adds one rounding of its own (relative 2^-11 for
# f16, 2^-8 for bf16) since the two f32 results may round to neighbouring values. The
# tolerance of each group is that bound for its data (n <= 3000, |x| <= 4): stated next to
# each group.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emucheck  # noqa: E402

out = sys.argv[1]
only = sys.argv[2:]  # group names, for debugging
rng = np.random.default_rng(11)
problems, checked = [], 0

ONNX_TYPE = {"f32": TP.FLOAT, "f16": TP.FLOAT16, "bf16": TP.BFLOAT16, "f64": TP.DOUBLE,
             "i32": TP.INT32, "i64": TP.INT64}
NP_TYPE = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64}


class Model:
    """A graph of several nodes on shared inputs. Narrow float dtypes (f16, bf16) come in
    as f32 and are Cast to the dtype before each op and back to f32 after it (the Casts
    are elementwise steps; the reduction steps see the narrow dtype)."""

    def __init__(self, opset=18):
        self.nodes, self.inputs, self.outputs, self.inits = [], [], [], []
        self.feeds, self.opset, self.n = {}, opset, 0
        self.tols, self.tol, self.labels, self.label = [], (0.0, 0.0), [], ""

    def input(self, name, dtype, shape, value):
        io_dtype = "f32" if dtype in ("f16", "bf16") else dtype
        self.inputs.append(helper.make_tensor_value_info(name, ONNX_TYPE[io_dtype], shape))
        self.feeds[name] = value.astype(NP_TYPE[io_dtype])
        return name

    def const(self, value):
        name = f"c{len(self.inits)}"
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, ins, dtype, n_out=1, out_types=None, **attrs):
        """Adds op_type(ins) in `dtype`; its outputs become graph outputs, compared with
        the current tolerance `self.tol` = (rtol, atol)."""
        self.n += 1
        k = self.n
        narrow = dtype in ("f16", "bf16")
        args = []
        for i, name in enumerate(ins):
            if narrow and i == 0 or narrow and op_type in ("LayerNormalization",
                                                           "RMSNormalization") and name:
                cast = f"n{k}_in{i}"
                self.nodes.append(helper.make_node("Cast", [name], [cast], to=ONNX_TYPE[dtype]))
                name = cast
            args.append(name)
        outs = [f"n{k}_o{j}" for j in range(n_out)]
        self.nodes.append(helper.make_node(op_type, args, outs, **attrs))
        out_types = out_types or [dtype] * n_out
        for j, o in enumerate(outs):
            t = out_types[j]
            if t in ("f16", "bf16"):
                back = f"{o}_f32"
                self.nodes.append(helper.make_node("Cast", [o], [back], to=TP.FLOAT))
                o, t = back, "f32"
            self.outputs.append(helper.make_tensor_value_info(o, ONNX_TYPE[t], None))
            self.tols.append(self.tol)
            self.labels.append(f"{self.label} {op_type} {attrs}")

    def proto(self):
        g = helper.make_graph(self.nodes, "g", self.inputs, self.outputs, self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 10
        return m


def compare(got, want, what, rtol, atol):
    """emucheck.compare, with equal values (infinities included) always matching."""
    if got.shape == want.shape and got.dtype == want.dtype and got.dtype.kind == "f":
        got = np.where(got == want, want, got)
        same_inf = np.isinf(want) & (got == want)
        if same_inf.any():
            got, want = np.where(same_inf, 0, got), np.where(same_inf, 0, want)
    return emucheck.compare(got, want, what, rtol, atol)


def check(name, model, kinds):
    """One bundle for the whole model: compile, run on cpu and emulate, compare each
    output with its own tolerance."""
    global checked
    if only and name not in only:
        return
    work = os.path.join(out, name)
    try:
        bundle = emucheck.compile_bundle(model.proto(), work, name)
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return
    present = emucheck.kernel_kinds(bundle)
    for kind in kinds:
        with_kernel, without = present.get(kind, (0, 0))
        if with_kernel == 0 or without:
            problems.append(f"{name}: expected every '{kind}' step to have a kernel; "
                            f"{with_kernel} with, {without} without")
    try:
        want = emucheck.run(bundle, model.feeds, work, "cpu")
        got = emucheck.run(bundle, model.feeds, work, "emulate")
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return
    for k, (g, w) in enumerate(zip(got, want)):
        rtol, atol = model.tols[k]
        problems.extend(compare(g, w, f"{name} output {k} ({model.labels[k]})", rtol, atol))
        checked += 1


def data(shape, dtype, special=False):
    shape = tuple(shape)
    if dtype in ("i32", "i64"):
        return rng.integers(-50, 50, size=shape).astype(NP_TYPE[dtype])
    x = rng.uniform(-2, 2, size=shape)
    if special and x.size >= 8:
        flat = x.reshape(-1)
        flat[1] = flat[5]  # ties
        flat[3] = np.nan
        flat[6] = np.inf
    return x



SUMS = ["ReduceSum", "ReduceMean", "ReduceL1", "ReduceL2", "ReduceSumSquare",
        "ReduceLogSumExp"]
EPS_C = {"f32": 2.0 ** -24, "f16": 2.0 ** -24, "bf16": 2.0 ** -24, "f64": 2.0 ** -53}
OUT_REL = {"f32": 0.0, "f64": 0.0, "f16": 2.0 ** -11, "bf16": 2.0 ** -8}


def dims(m, name, shape, dyn):
    """Symbolic dims get names unique to the input (each input binds its own)."""
    return [f"{name}_d{i}" if dyn and i in dyn else d for i, d in enumerate(shape)]


# ---- reduce --------------------------------------------------------------------------------
# (shape, axes, keepdims, dynamic dims): innermost rows (warp: 37; block: 1000; longer than
# a block's vector pass: 3000), a middle axis (thread per output), outer axis, non-adjacent
# axes with the innermost reduced (block per output) and kept (thread per output), all axes,
# a reduced static unit dim.
REDUCE_SHAPES = [
    ("row37", (5, 37), [1], 1, {0}),
    ("row1000", (3, 1000), [-1], 0, None),
    ("row3000", (2, 3000), [1], 0, {0, 1}),
    ("mid", (3, 7, 33), [1], 1, None),
    ("outer", (9, 5, 3), [0], 0, {1}),
    ("gen_inner", (2, 3, 4, 5), [1, 3], 1, None),
    ("gen_kept", (2, 3, 4, 5), [0, 2], 0, {3}),
    ("all", (4, 7), None, 0, None),
    ("unit", (3, 1, 7), [1], 1, None),
]
for dtype in ("f32", "f16", "bf16", "f64"):
    m = Model()
    for tag, shape, axes, keep, dyn in REDUCE_SHAPES:
        if dtype in ("f16", "bf16", "f64") and tag not in ("row37", "row1000", "mid", "gen_kept"):
            continue
        count = int(np.prod([shape[a] for a in axes])) if axes else int(np.prod(shape))
        ax = [m.const(np.array(axes, np.int64))] if axes is not None else []
        # Sums: |error| <= n eps_c sum|x| (|x| <= 2; sum_square <= 4 n), relative for the
        # positive ones, plus the narrow output's own rounding (2 ulps).
        m.label, m.tol = tag, (4 * count * EPS_C[dtype] + 2 * OUT_REL[dtype],
                               4 * count * EPS_C[dtype] * 8)
        x = m.input(f"x_{tag}", dtype, dims(m, f"x_{tag}", shape, dyn), data(shape, dtype))
        for o in SUMS:
            m.op(o, [x] + ax, dtype, keepdims=keep)
        # max/min: exact; prod/log_sum of values in [0.95, 1.05]: n roundings, relative.
        m.tol = (4 * count * EPS_C[dtype] + 2 * OUT_REL[dtype], 0.0)
        p = m.input(f"p_{tag}", dtype, dims(m, f"p_{tag}", shape, dyn),
                    rng.uniform(0.95, 1.05, size=shape))
        for o in ("ReduceMax", "ReduceMin", "ReduceProd", "ReduceLogSum"):
            m.op(o, [p] + ax, dtype, keepdims=keep)
    check(f"reduce_{dtype}", m, {"reduce"})

# Integers: exact (sums wrap in 64 bits as on cpu, mean truncates).
for dtype in ("i32", "i64"):
    m = Model()
    for tag, shape, axes, keep, dyn in REDUCE_SHAPES:
        if tag not in ("row37", "row1000", "mid", "gen_inner", "all"):
            continue
        m.label = tag
        x = m.input(f"x_{tag}", dtype, dims(m, f"x_{tag}", shape, dyn), data(shape, dtype))
        ins = [x] + ([m.const(np.array(axes, np.int64))] if axes is not None else [])
        for o in ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                  "ReduceSumSquare"):
            m.op(o, ins, dtype, keepdims=keep)
    check(f"reduce_{dtype}", m, {"reduce"})

# NaN and inf propagate through max/min/sum/log_sum_exp as on cpu; empty reductions give
# the identity values; noop_with_empty_axes=1 with no axes is an identity reduction.
m = Model()
x = data((4, 40), "f32")
x[0, 3] = np.nan
x[1, 7] = np.inf
x[2, 9] = -np.inf
x[3, :] = -np.inf
m.tol = (1e-5, 1e-5)
m.input("x", "f32", ["b", 40], x)
ax = m.const(np.array([1], np.int64))
for o in ("ReduceMax", "ReduceMin", "ReduceSum", "ReduceLogSumExp"):
    m.op(o, ["x", ax], "f32", keepdims=0)
m.op("ReduceSum", ["x"], "f32", keepdims=1, noop_with_empty_axes=1)
m.tol = (0.0, 0.0)
m.input("e", "f32", [3, 0], np.zeros((3, 0)))
for o in ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2",
          "ReduceLogSum", "ReduceLogSumExp"):
    m.op(o, ["e", ax], "f32", keepdims=1)
check("reduce_special", m, {"reduce"})

# ---- arg_reduce (exact) -----------------------------------------------------------------------
for dtype in ("f32", "f16", "i32"):
    m = Model()
    for tag, shape, axis, dyn in (("row", (6, 45), 1, {0}), ("long", (2, 1500), -1, None),
                                  ("outer", (5, 4, 3), 0, None), ("mid", (3, 7, 9), 1, {2}),
                                  ("one", (1, 7), 1, None)):
        x = data(shape, dtype)
        if dtype != "i32":
            x = np.round(x * 2) / 2  # many ties
            x.reshape(-1)[min(5, x.size - 1)] = np.nan
        m.label = tag
        x = m.input(f"x_{tag}", dtype, dims(m, f"x_{tag}", shape, dyn), x)
        for op in ("ArgMax", "ArgMin"):
            for keep in (0, 1):
                for last in (0, 1):
                    m.op(op, [x], dtype, out_types=["i64"], axis=axis, keepdims=keep,
                         select_last_index=last)
    check(f"arg_{dtype}", m, {"arg_reduce"})

# ---- softmax / log_softmax / hardmax -------------------------------------------------------
# softmax: a sum of n exps in [0, 1] (relative error <= n * 2^-24), then one division;
# log_softmax: the same inside a log, absolute. Hardmax is exact.
for dtype in ("f32", "f16", "bf16", "f64"):
    m = Model()
    for tag, shape, axis, dyn in (("row33", (4, 33), -1, {0}), ("row1000", (3, 1000), 1, None),
                                  ("dyn", (2, 3, 700), 2, {2}), ("outer", (6, 5, 4), 0, None),
                                  ("mid", (3, 7, 5), 1, {0, 2}), ("unit", (3, 9, 1), 1, None),
                                  ("long", (2, 5000), -1, None)):
        if dtype != "f32" and tag in ("dyn", "mid", "long"):
            continue
        x = data(shape, dtype) * 2
        if tag == "row33":
            x[1, 4] = np.nan  # a NaN row is NaN throughout
            x[2, 3] = np.inf
            x[3, :] = np.round(x[3, :])  # hardmax ties
        n = shape[axis]
        m.label = tag
        x = m.input(f"x_{tag}", dtype, dims(m, f"x_{tag}", shape, dyn), x)
        m.tol = (8 * n * 2.0 ** -24 + 2 * OUT_REL[dtype], 8 * n * 2.0 ** -24 * 8)
        for op in ("Softmax", "LogSoftmax"):
            m.op(op, [x], dtype, axis=axis)
        m.tol = (0.0, 0.0)
        m.op("Hardmax", [x], dtype, axis=axis)
    check(f"softmax_{dtype}", m, {"softmax", "log_softmax", "hardmax"})

# ---- layer_norm / rms_norm -----------------------------------------------------------------
# mean and variance are sums of n terms: relative error ~ n * 2^-24 of the normalized
# values (|y| <= ~4 here), plus the narrow output rounding.
for dtype in ("f32", "f16", "bf16", "f64"):
    m = Model(opset=23)
    for tag, shape, axis, pshape, dyn in (("row64", (5, 64), -1, (64,), {0}),
                                          ("row1000", (3, 1000), -1, (1000,), None),
                                          ("two_axes", (2, 3, 4, 6), 2, (4, 6), None),
                                          ("bcast", (4, 3, 10), 1, (1, 10), {0}),
                                          ("dyn", (3, 5000), 1, (5000,), {0, 1}),
                                          ("odd", (7, 7), -1, (7,), None)):
        if dtype != "f32" and tag in ("two_axes", "dyn", "bcast"):
            continue
        x = data(shape, dtype) + 3  # a mean far from 0
        m.label = tag
        x = m.input(f"x_{tag}", dtype, dims(m, f"x_{tag}", shape, dyn), x)
        ps = tuple(pshape)
        sc = m.input(f"s_{tag}", dtype, list(ps), rng.uniform(0.5, 1.5, ps))
        b = m.input(f"b_{tag}", dtype, list(ps), rng.uniform(-1, 1, ps))
        n = int(np.prod(shape[axis:]))
        m.tol = (16 * n * 2.0 ** -24 + 2 * OUT_REL[dtype], 16 * n * 2.0 ** -24 * 4)
        m.op("LayerNormalization", [x, sc, b], dtype, axis=axis, epsilon=1e-3)
        m.op("LayerNormalization", [x, sc], dtype, axis=axis)
        m.op("RMSNormalization", [x, sc], dtype, axis=axis, epsilon=1e-4)
        if dtype == "f32":
            m.op("LayerNormalization", [x, sc, b], dtype, n_out=3, axis=axis)
    check(f"norm_{dtype}", m, {"layer_norm", "rms_norm"})

# ---- cumsum ---------------------------------------------------------------------------------
# Floats: the block scan adds in another order than the cpu's running sum: |error| <=
# n * 2^-24 * sum|x| (|x| <= 2), plus the narrow output's rounding of values up to 2n.
# Integers exact; lines along outer axes run sequentially (the cpu's order).
for dtype in ("f32", "f16", "bf16", "f64", "i32", "i64"):
    m = Model()
    for tag, shape, axis, dyn in (("row7", (3, 7), 1, {0}), ("row1000", (2, 1000), -1, None),
                                  ("row3000", (2, 3000), 1, {1}), ("outer", (6, 4, 5), 0, None),
                                  ("mid", (2, 9, 33), 1, {0}), ("one", (1, 6), 1, None)):
        if dtype in ("f16", "bf16", "f64", "i64") and tag in ("row3000", "mid"):
            continue
        n = shape[axis]
        exact = dtype in ("i32", "i64")
        m.label = tag
        m.tol = (0.0, 0.0) if exact else (2 * OUT_REL[dtype] + n * 2.0 ** -24,
                                           4 * n * n * 2.0 ** -24 + 2 * OUT_REL[dtype] * n)
        x = m.input(f"x_{tag}", dtype, dims(m, f"x_{tag}", shape, dyn), data(shape, dtype))
        ax = m.const(np.array(axis, np.int64))
        for exclusive in (0, 1):
            for reverse in (0, 1):
                m.op("CumSum", [x, ax], dtype, exclusive=exclusive, reverse=reverse)
    check(f"cumsum_{dtype}", m, {"cumsum"})

# ---- topk -----------------------------------------------------------------------------------
# Exact: values are elements, indices follow the cpu's order (NaN ranks above every value
# for largest and below for smallest, equal values lower index first).
for dtype in ("f32", "f16", "i32", "i64", "f64"):
    m = Model()
    for tag, shape, axis, k, dyn in (("row", (4, 37), -1, 5, {0}), ("all", (3, 16), 1, 16, None),
                                     ("outer", (9, 3, 4), 0, 4, None),
                                     ("long", (2, 3000), 1, 3, None),
                                     ("dyn", (3, 200), 1, 7, {1}),
                                     ("dynlong", (2, 1500), 1, 2, {1}),
                                     ("zero", (3, 5), 1, 0, None), ("one", (6, 1), 1, 1, None)):
        if dtype in ("f16", "i64", "f64") and tag not in ("row", "outer", "long"):
            continue
        x = data(shape, dtype)
        if dtype not in ("i32", "i64"):
            x = np.round(x * 2) / 2  # ties
            if x.size > 10:
                x.reshape(-1)[[2, 9]] = np.nan
        m.label = tag
        x = m.input(f"x_{tag}", dtype, dims(m, f"x_{tag}", shape, dyn), x)
        kk = m.const(np.array([k], np.int64))
        for largest in (1, 0):
            m.op("TopK", [x, kk], dtype, n_out=2, out_types=[dtype, "i64"], axis=axis,
                 largest=largest, sorted=1)
    check(f"topk_{dtype}", m, {"topk"})

# ---- generated structure ----------------------------------------------------------------
# The thread mapping each case was meant to exercise is the one generated (so the cases
# above cover every path): kernel comments name the mapping.
def kernel_texts(group, prefix):
    texts = []
    for d in os.listdir(os.path.join(out, group)):
        kdir = os.path.join(out, group, d, "kernels")
        if d.endswith(".dsb") and os.path.isdir(kdir):
            texts += [open(os.path.join(kdir, f)).read() for f in sorted(os.listdir(kdir))
                      if f.startswith(prefix) and f.endswith(".cu")]
    return texts


EXPECT = {
    ("reduce_f32", "ds_reduce_sum_"): ["a warp per output", "a block per output",
                                       "a thread per output", "general axes, innermost reduced",
                                       "general axes: a thread per output",
                                       "ds::red::rows_at<256, 32>", "ds::red::rows_at<256, 256>",
                                       "ds::dim(params, "],
    ("reduce_f32", "ds_reduce_log_sum_exp_"): ["logsumexp_lines"],
    ("arg_f32", "ds_arg_reduce_argmax_"): ["contiguous rows", "a thread per line"],
    ("softmax_f32", "ds_softmax_"): ["register cache of 1 packs", "register cache of 3 packs",
                                     "a thread per line", "ds::red::columns_at<256>"],
    ("softmax_f32", "ds_hardmax_"): ["ds::red::HARDMAX"],
    ("norm_f32", "ds_layer_norm_"): ["broadcast_index", "register cache of 3 packs"],
    ("norm_f32", "ds_rms_norm_"): ["norm_rows<ds::red::T_f32, ds::red::T_f32, ds::red::T_f32, "
                                   "ds::red::T_f32, false"],
    ("norm_bf16", "ds_rms_norm_"): ["ds::red::T_bf16"],
    ("cumsum_f32", "ds_cumsum_"): ["a scan by 32 threads", "a scan by 256 threads",
                                   "sequential"],
    ("topk_f32", "ds_topk_"): ["bitonic sort of lines up to 1024", "3 selection rounds\n"],
}
for (group, prefix), needles in EXPECT.items():
    if only and group not in only:
        continue
    text = "\n".join(kernel_texts(group, prefix))
    for needle in needles:
        checked += 1
        if needle not in text:
            problems.append(f"{group}: no {prefix}* kernel contains {needle!r}")

# ---- generator errors -------------------------------------------------------------------
# Bad steps (the bundle writer only hands verified ones) are errors naming the problem.
import json  # noqa: E402
import subprocess  # noqa: E402

VALUES = [{"id": 0, "dtype": "f32", "shape": [-1, 8], "def": "input", "index": 0},
          {"id": 1, "dtype": "f32", "shape": [-1], "def": "step", "step": 0},
          {"id": 2, "dtype": "i64", "shape": [-1], "def": "step", "step": 0},
          {"id": 3, "dtype": "f32", "shape": [-1, 9], "def": "step", "step": 0},
          {"id": 4, "dtype": "i64", "shape": [-1, 9], "def": "step", "step": 0},
          {"id": 5, "dtype": "i32", "shape": [-1, 8], "def": "input", "index": 1},
          {"id": 6, "dtype": "i32", "shape": [-1], "def": "step", "step": 0},
          {"id": 7, "dtype": "i1", "shape": [-1, 8], "def": "input", "index": 2},
          {"id": 8, "dtype": "f32", "shape": [], "def": "input", "index": 3},
          {"id": 9, "dtype": "f32", "shape": [2, 8], "def": "input", "index": 4},
          {"id": 10, "dtype": "i1", "shape": [-1], "def": "step", "step": 0}]
ERRORS = [
    ("reduce", {"fn": "median", "axes": [1]}, [0], [1], "unknown reduction fn 'median'"),
    ("reduce", {"fn": "sum", "axes": [2]}, [0], [1], "of 'axes' is out of range for"),
    ("reduce", {"fn": "sum", "axes": [1, -1]}, [0], [1], "of 'axes' is repeated"),
    ("reduce", {"fn": "l2", "axes": [1]}, [5], [6], "needs floating-point elements, got"),
    ("reduce", {"fn": "sum", "axes": [1]}, [7], [10], "is not defined on i1 elements"),
    ("reduce", {"fn": "sum", "axes": [1]}, [0], [6], "output 0 has dtype"),
    ("reduce", {"fn": "sum", "axes": [1]}, [0], [-1], "an output is absent"),
    ("arg_reduce", {"fn": "argmax", "axis": 1}, [0], [1], "output 0 must be i64, got"),
    ("arg_reduce", {"fn": "argmedian", "axis": 1}, [0], [2], "(expected argmax or argmin)"),
    ("arg_reduce", {"fn": "argmax", "axis": 1}, [7], [2], "arg_reduce is not defined on i1 elements"),
    ("arg_reduce", {"fn": "argmax", "axis": 2}, [0], [2], "is out of range for input 0 of shape"),
    ("softmax", {"axis": 1}, [5], [3], "operand 0 must have a floating-point type, got"),
    ("softmax", {"axis": 0}, [8], [1], "input 0 has rank 0"),
    ("topk", {"axis": 1, "k": 9}, [0], [3, 4], "is out of range for axis"),
    ("topk", {"axis": 1, "k": "nine"}, [0], [3, 4], "is not an integer"),
    ("topk", {"axis": 1, "k": 2}, [7], [3, 4], "topk is not defined on i1 elements"),
    ("topk", {"axis": 1, "k": 2}, [0], [3, 3], "topk outputs must be"),
    ("cumsum", {}, [0], [3], "attribute 'axis' is missing"),
    ("cumsum", {"axis": 0}, [7], [3], "cumsum is not defined on i1 elements"),
    ("layer_norm", {"axis": -1}, [0], [3], "expects 2 to 3 inputs"),
    ("rms_norm", {"axis": -1}, [0, 9], [3], "has more dims than the normalized dims of"),
]
for i, (kind, attrs, ins, outs, message) in enumerate(ERRORS):
    if only and "errors" not in only:
        continue
    doc = {"format_version": 1, "inputs": [0, 5, 7, 8, 9], "outputs": outs, "values": VALUES,
           "steps": [{"kind": kind, "name": f"/bad{i}", "inputs": ins, "outputs": outs,
                      "attrs": attrs}]}
    path = os.path.join(out, f"bad{i}.json")
    json.dump(doc, open(path, "w"))
    r = subprocess.run([emucheck.DS_OPT, "--emit=cuda-kernels", path, "-o",
                        os.path.join(out, f"bad{i}")], capture_output=True, text=True)
    checked += 1
    if r.returncode == 0 or message not in r.stderr or f"/bad{i}" not in r.stderr:
        problems.append(f"error case {i} ({kind} {attrs}): exit {r.returncode}, expected "
                        f"{message!r}; stderr:\n{r.stderr}")

emucheck.report(problems, checked)
