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
        """Adds op_type(ins) in `dtype`; returns nothing (its outputs become graph outputs)."""
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

    def proto(self):
        g = helper.make_graph(self.nodes, "g", self.inputs, self.outputs, self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 10
        return m


def check(name, model, kinds, rtol=0.0, atol=0.0):
    global checked
    if only and name not in only:
        return
    checked += len(model.outputs)
    problems.extend(emucheck.check(model.proto(), model.feeds, os.path.join(out, name),
                                   kinds=kinds, rtol=rtol, atol=atol, name=name))


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


def sym(shape, dynamic):
    """ONNX dims: symbolic names for the dims flagged in `dynamic`."""
    return [f"d{i}" if dynamic and i in dynamic else d for i, d in enumerate(shape)]


SUMS = ["ReduceSum", "ReduceMean", "ReduceL1", "ReduceL2", "ReduceSumSquare",
        "ReduceLogSumExp"]
EXACT = ["ReduceMax", "ReduceMin"]

# ---- reduce --------------------------------------------------------------------------------
# (shape, axes, keepdims, dynamic dims): innermost rows (warp: 37; block: 1000; longer than
# a block's vector pass: 3000), a middle axis (thread per output), outer axis, non-adjacent
# axes with the innermost reduced (block per output) and kept (thread per output), all axes.
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
    for tag, shape, axes, keep, dyn in REDUCE_SHAPES:
        if dtype in ("f16", "bf16", "f64") and tag not in ("row37", "row1000", "mid", "gen_kept"):
            continue
        for group, ops in (("sums", SUMS), ("exact", EXACT + ["ReduceProd", "ReduceLogSum"])):
            m = Model()
            x = data(shape, dtype)
            if group == "exact":  # prod stays finite, log_sum sees a positive sum
                x = rng.uniform(0.95, 1.05, size=shape)
            m.input("x", dtype, sym(shape, dyn), x)
            ins = ["x"] + ([m.const(np.array(axes, np.int64))] if axes is not None else [])
            for o in ops:
                m.op(o, ins, dtype, keepdims=keep)
            count = int(np.prod([shape[a] for a in axes])) if axes else int(np.prod(shape))
            # sums: n * 2^-24 * n * max|x|^2 (sum_square) plus the narrow output's rounding;
            # prod/log_sum (in "exact"): n multiplications/adds of values in [0.5, 2.5].
            eps = {"f32": 2.0 ** -24, "f64": 2.0 ** -53, "f16": 2.0 ** -24, "bf16": 2.0 ** -24}[dtype]
            out_rel = {"f32": 0, "f64": 0, "f16": 2.0 ** -11, "bf16": 2.0 ** -8}[dtype]
            if group == "sums":
                check(f"reduce_{group}_{tag}_{dtype}", m, {"reduce"},
                      rtol=4 * count * eps + 2 * out_rel, atol=4 * count * eps * 16)
            else:
                check(f"reduce_{group}_{tag}_{dtype}", m, {"reduce"},
                      rtol=4 * count * eps + 2 * out_rel, atol=0)

# Integers: exact (sums wrap in 64 bits as on cpu, mean truncates).
for dtype in ("i32", "i64"):
    for tag, shape, axes, keep, dyn in REDUCE_SHAPES:
        if tag not in ("row37", "row1000", "mid", "gen_inner", "all"):
            continue
        m = Model()
        m.input("x", dtype, sym(shape, dyn), data(shape, dtype))
        ins = ["x"] + ([m.const(np.array(axes, np.int64))] if axes is not None else [])
        for o in ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                  "ReduceSumSquare"):
            m.op(o, ins, dtype, keepdims=keep)
        check(f"reduce_int_{tag}_{dtype}", m, {"reduce"})

# NaN and inf propagate through max/min/sum/log_sum_exp as on cpu (exact: the results are
# NaN/inf or a single element); empty reductions give the identity values;
# noop_with_empty_axes=1 with no axes is an identity reduction.
m = Model()
x = data((4, 40), "f32")
x[0, 3] = np.nan
x[1, 7] = np.inf
x[2, 9] = -np.inf
x[3, :] = -np.inf
m.input("x", "f32", ["b", 40], x)
ax = m.const(np.array([1], np.int64))
for o in ("ReduceMax", "ReduceMin", "ReduceSum", "ReduceLogSumExp"):
    m.op(o, ["x", ax], "f32", keepdims=0)
m.op("ReduceSum", ["x"], "f32", keepdims=1, noop_with_empty_axes=1)
check("reduce_special", m, {"reduce"}, rtol=1e-5, atol=1e-5)

m = Model()
m.input("x", "f32", [3, 0], np.zeros((3, 0)))
ax = m.const(np.array([1], np.int64))
for o in ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2",
          "ReduceLogSum", "ReduceLogSumExp"):
    m.op(o, ["x", ax], "f32", keepdims=1)
check("reduce_empty", m, {"reduce"})

# ---- arg_reduce ----------------------------------------------------------------------------
for dtype in ("f32", "f16", "i32"):
    for tag, shape, axis, dyn in (("row", (6, 45), 1, {0}), ("long", (2, 1500), -1, None),
                                  ("outer", (5, 4, 3), 0, None), ("mid", (3, 7, 9), 1, {2}),
                                  ("one", (4, 1), 1, None)):
        m = Model()
        x = data(shape, dtype)
        if dtype != "i32":
            x = np.round(x * 2) / 2  # many ties
            x.reshape(-1)[min(5, x.size - 1)] = np.nan
        m.input("x", dtype, sym(shape, dyn), x)
        for op in ("ArgMax", "ArgMin"):
            for keep in (0, 1):
                for last in (0, 1):
                    m.op(op, ["x"], dtype, out_types=["i64"], axis=axis, keepdims=keep,
                         select_last_index=last)
        check(f"arg_{tag}_{dtype}", m, {"arg_reduce"})

# ---- softmax / log_softmax / hardmax -------------------------------------------------------
# softmax: a sum of n exps in [0, 1] (relative error <= n * 2^-24), then one division;
# log_softmax: the same inside a log, absolute. Hardmax is exact.
for dtype in ("f32", "f16", "bf16", "f64"):
    for tag, shape, axis, dyn in (("row33", (4, 33), -1, {0}), ("row1000", (3, 1000), 1, None),
                                  ("dyn", (2, 3, 700), 2, {2}), ("outer", (6, 5, 4), 0, None),
                                  ("mid", (3, 7, 5), 1, {0, 2}), ("unit", (3, 9, 1), 1, None),
                                  ("long", (2, 5000), -1, None)):
        if dtype != "f32" and tag in ("dyn", "mid", "long"):
            continue
        m = Model()
        x = data(shape, dtype) * 2
        if tag == "row33":
            x[1, 4] = np.nan  # a NaN row is NaN throughout
            x[2, 3] = np.inf
            x[3, :] = np.round(x[3, :])  # hardmax ties
        m.input("x", dtype, sym(shape, dyn), x)
        for op in ("Softmax", "LogSoftmax"):
            m.op(op, ["x"], dtype, axis=axis)
        n = shape[axis]
        out_rel = {"f32": 0, "f64": 0, "f16": 2.0 ** -11, "bf16": 2.0 ** -8}[dtype]
        check(f"softmax_{tag}_{dtype}", m, {"softmax", "log_softmax"},
              rtol=8 * n * 2.0 ** -24 + 2 * out_rel, atol=8 * n * 2.0 ** -24 * 8)
        h = Model()
        h.input("x", dtype, sym(shape, dyn), x)
        h.op("Hardmax", ["x"], dtype, axis=axis)
        check(f"hardmax_{tag}_{dtype}", h, {"hardmax"})

# ---- layer_norm / rms_norm -----------------------------------------------------------------
# mean and variance are sums of n terms: relative error ~ n * 2^-24 of the normalized
# values (|y| <= ~4 here), plus the narrow output rounding.
for dtype in ("f32", "f16", "bf16", "f64"):
    for tag, shape, axis, pshape, dyn in (("row64", (5, 64), -1, (64,), {0}),
                                          ("row1000", (3, 1000), -1, (1000,), None),
                                          ("two_axes", (2, 3, 4, 6), 2, (4, 6), None),
                                          ("bcast", (4, 3, 10), 1, (1, 10), {0}),
                                          ("dyn", (3, 5000), 1, (5000,), {0, 1}),
                                          ("odd", (7, 7), -1, (7,), None)):
        if dtype != "f32" and tag in ("two_axes", "dyn", "bcast"):
            continue
        m = Model(opset=23)
        x = data(shape, dtype) + 3  # a mean far from 0
        m.input("x", dtype, sym(shape, dyn), x)
        ps = tuple(pshape)
        m.input("scale", dtype, list(ps), rng.uniform(0.5, 1.5, ps))
        m.input("bias", dtype, list(ps), rng.uniform(-1, 1, ps))
        m.op("LayerNormalization", ["x", "scale", "bias"], dtype, axis=axis, epsilon=1e-3)
        m.op("LayerNormalization", ["x", "scale"], dtype, axis=axis)
        m.op("RMSNormalization", ["x", "scale"], dtype, axis=axis, epsilon=1e-4)
        if dtype == "f32":
            m.op("LayerNormalization", ["x", "scale", "bias"], dtype, n_out=3, axis=axis)
        n = int(np.prod(shape[axis:]))
        out_rel = {"f32": 0, "f64": 0, "f16": 2.0 ** -11, "bf16": 2.0 ** -8}[dtype]
        check(f"norm_{tag}_{dtype}", m, {"layer_norm", "rms_norm"},
              rtol=16 * n * 2.0 ** -24 + 2 * out_rel, atol=16 * n * 2.0 ** -24 * 4)

# ---- cumsum ---------------------------------------------------------------------------------
# Floats: the block scan adds in another order than the cpu's running sum: |error| <=
# n * 2^-24 * sum|x| (|x| <= 2). Integers and lines along outer axes (sequential as on
# cpu) exact in value order; the tolerance covers both.
for dtype in ("f32", "f16", "bf16", "f64", "i32", "i64"):
    for tag, shape, axis, dyn in (("row7", (3, 7), 1, {0}), ("row1000", (2, 1000), -1, None),
                                  ("row3000", (2, 3000), 1, {1}), ("outer", (6, 4, 5), 0, None),
                                  ("mid", (2, 9, 33), 1, {0}), ("one", (5, 1), 1, None)):
        if dtype in ("f16", "bf16", "f64", "i64") and tag in ("row3000", "mid"):
            continue
        m = Model()
        m.input("x", dtype, sym(shape, dyn), data(shape, dtype))
        ax = m.const(np.array(axis, np.int64))
        for exclusive in (0, 1):
            for reverse in (0, 1):
                m.op("CumSum", ["x", ax], dtype, exclusive=exclusive, reverse=reverse)
        n = shape[axis]
        out_rel = {"f16": 2.0 ** -11, "bf16": 2.0 ** -8}.get(dtype, 0)
        exact = dtype in ("i32", "i64")
        check(f"cumsum_{tag}_{dtype}", m, {"cumsum"},
              rtol=0 if exact else 2 * out_rel + n * 2.0 ** -24,
              atol=0 if exact else 2 * n * n * 2.0 ** -24 * 2 + 2 * out_rel * n)

# ---- topk -----------------------------------------------------------------------------------
# Exact: values are elements, indices follow the cpu's order (NaN ranks above every value
# for largest and below for smallest, equal values lower index first).
for dtype in ("f32", "f16", "i32", "i64", "f64"):
    for tag, shape, axis, k, dyn in (("row", (4, 37), -1, 5, {0}), ("all", (3, 16), 1, 16, None),
                                     ("outer", (9, 3, 4), 0, 4, None),
                                     ("long", (2, 3000), 1, 3, None),
                                     ("dyn", (3, 200), 1, 7, {1}),
                                     ("dynlong", (2, 1500), 1, 2, {1}),
                                     ("zero", (3, 5), 1, 0, None), ("one", (6, 1), 1, 1, None)):
        if dtype in ("f16", "i64", "f64") and tag not in ("row", "outer", "long"):
            continue
        m = Model()
        x = data(shape, dtype)
        if dtype not in ("i32", "i64"):
            x = np.round(x * 2) / 2  # ties
            if x.size > 10:
                x.reshape(-1)[[2, 9]] = np.nan
        m.input("x", dtype, sym(shape, dyn), x)
        kk = m.const(np.array([k], np.int64))
        for largest in (1, 0):
            m.op("TopK", ["x", kk], dtype, n_out=2, out_types=[dtype, "i64"], axis=axis,
                 largest=largest, sorted=1)
        check(f"topk_{tag}_{dtype}", m, {"topk"})

emucheck.report(problems, checked)
