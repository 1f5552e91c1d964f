# The generated indexing and generator kernels (gather, gather_elements, gather_nd,
# scatter_elements, scatter_nd, range, fill, one_hot, eye_like, nonzero, shape_of)
# compute what the cpu backend computes: single-op ONNX models (plus casts, for bf16)
# through ds-opt, run by ds-run on cpu and on emulate with DS_EMULATE_STRICT=1 (every
# step through its generated kernel), compared by Inputs/emucheck.py. Inputs are graph
# inputs, not initializers, so the steps are not folded at plan time. Every kernel moves
# bits or repeats the cpu's arithmetic in the same order (range's start + i * delta in
# double without contraction, scatter reductions sequential in index order with the
# rounding to the storage type after each step), so every comparison is exact
# (rtol = atol = 0). shape_of always runs at plan time in a session, so its kernel is
# launched directly (Inputs/emulate.py's sequential launcher) against numpy.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import ctypes
import json
import os
import subprocess
import sys

import ml_dtypes  # noqa: F401  (bf16 through casts only; the import checks the venv)
import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper as h

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emucheck  # noqa: E402
import emulate  # noqa: E402

out = sys.argv[1]
only = sys.argv[2:]  # case names, for debugging
emucheck.DS_OPT = os.environ["DS_OPT"]
emucheck.DS_RUN = os.path.join(os.path.dirname(emucheck.DS_OPT), "ds-run")
rng = np.random.default_rng(11)
problems, checked = [], 0

NP = {TP.FLOAT: np.float32, TP.FLOAT16: np.float16, TP.DOUBLE: np.float64,
      TP.INT64: np.int64, TP.INT32: np.int32, TP.INT16: np.int16, TP.INT8: np.int8,
      TP.UINT8: np.uint8, TP.BOOL: np.bool_}


def rand(tp, shape):
    if tp == TP.BOOL:
        return rng.random(shape) < 0.5
    if np.issubdtype(NP[tp], np.integer):
        return rng.integers(-100, 100, shape).astype(NP[tp])
    return (rng.standard_normal(shape) * 4).astype(NP[tp])


pending = []  # cases of the current group: one model with every case's subgraph


def case(name, nodes, inputs, outputs, values, kinds, inits=()):
    """inputs: [(name, tensor type, shape with str for symbolic dims)]; outputs:
    [(name, tensor type)]; values: {name: array}. Cases are grouped into one model per
    group(): their tensors get the case name as a prefix."""
    if only and name not in only:
        return
    p = lambda n: f"{name}__{n}" if n else n  # noqa: E731
    for node in nodes:
        node.input[:] = [p(n) for n in node.input]
        node.output[:] = [p(n) for n in node.output]
    for t in inits:
        t.name = p(t.name)
    dims = lambda s: [p(d) if isinstance(d, str) else d for d in s]  # noqa: E731
    pending.append((name, nodes, [(p(n), t, dims(s)) for n, t, s in inputs],
                    [(p(n), t) for n, t in outputs], {p(n): v for n, v in values.items()},
                    set(kinds), list(inits)))


def group(name):
    """One model of the pending cases, checked on cpu and on emulate."""
    global checked
    cases = pending[:]
    pending.clear()
    if not cases:
        return
    nodes, inputs, outputs, values, kinds, inits = [], [], [], {}, set(), []
    for c in cases:
        nodes += c[1]
        inputs += c[2]
        outputs += c[3]
        values.update(c[4])
        kinds |= c[5]
        inits += c[6]
    g = h.make_graph(nodes, name, [h.make_tensor_value_info(n, t, s) for n, t, s in inputs],
                     [h.make_tensor_value_info(n, t, None) for n, t in outputs],
                     initializer=inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid("", 18)])
    checked += len(cases)
    found = emucheck.check(m, values, os.path.join(out, name), kinds=kinds, rtol=0, atol=0,
                           name=name)
    # "NAME output K": name the case of output K.
    owners = [c[0] for c in cases for _ in c[3]]
    for text in found:
        for k, owner in enumerate(owners):
            text = text.replace(f"{name} output {k}:", f"{name} output {k} ({owner}):")
        problems.append(text)


def via_bf16(x_name, y_name, tp, node_fn):
    """Nodes casting x to bf16, applying node_fn(in, out) and casting back to tp."""
    return [h.make_node("Cast", [x_name], [x_name + "_b"], to=TP.BFLOAT16),
            node_fn(x_name + "_b", y_name + "_b"),
            h.make_node("Cast", [y_name + "_b"], [y_name], to=tp)]


# ---- gather -------------------------------------------------------------------------------
def gather(name, tp, dshape, itp, ishape, axis, dvals, ivals):
    case(name, [h.make_node("Gather", ["d", "i"], ["y"], axis=axis)],
         [("d", tp, dshape), ("i", itp, ishape)], [("y", tp)], {"d": dvals, "i": ivals},
         {"gather"})


gather("gather_f32_axis0_rows", TP.FLOAT, [5, 8], TP.INT64, [3], 0, rand(TP.FLOAT, [5, 8]),
       np.array([4, -1, 0], np.int64))
gather("gather_f16_axis1_2d_i32", TP.FLOAT16, [4, 6, 3], TP.INT32, [2, 3], 1,
       rand(TP.FLOAT16, [4, 6, 3]), np.array([[0, 5, -6], [2, 2, -1]], np.int32))
gather("gather_i64_axis_last_scalar", TP.INT64, [3, 7], TP.INT64, [], -1, rand(TP.INT64, [3, 7]),
       np.array(-3, np.int64))
gather("gather_i8_dynamic", TP.INT8, ["N", 5], TP.INT64, ["M"], 0, rand(TP.INT8, [9, 5]),
       np.array([8, 0, -9, 3, 3, -1, 7], np.int64))
gather("gather_bool_axis1", TP.BOOL, [4, 3], TP.INT32, [2], 1, rand(TP.BOOL, [4, 3]),
       np.array([2, -3], np.int32))
gather("gather_i32_1d_odd", TP.INT32, [7], TP.INT64, [2, 3], 0, rand(TP.INT32, [7]),
       np.array([[6, 0, -7], [1, 1, 5]], np.int64))
gather("gather_f32_embedding_dynamic", TP.FLOAT, [10, 64], TP.INT64, ["B", "S"], 0,
       rand(TP.FLOAT, [10, 64]), rng.integers(-10, 10, [3, 5]).astype(np.int64))
gather("gather_f16_axis1_dynamic", TP.FLOAT16, ["A", "B", 5], TP.INT64, [4], 1,
       rand(TP.FLOAT16, [3, 6, 5]), np.array([5, 0, -2, 1], np.int64))
gather("gather_empty_indices", TP.FLOAT, [4, 3], TP.INT64, ["K"], 0, rand(TP.FLOAT, [4, 3]),
       np.zeros([0], np.int64))
case("gather_bf16_rows",
     via_bf16("d", "y", TP.FLOAT, lambda a, b: h.make_node("Gather", [a, "i"], [b], axis=0)),
     [("d", TP.FLOAT, [6, 16]), ("i", TP.INT64, [5])], [("y", TP.FLOAT)],
     {"d": rand(TP.FLOAT, [6, 16]), "i": np.array([5, 0, -1, 2, 2], np.int64)}, {"gather"})

group("gather")

# ---- gather_elements ---------------------------------------------------------------------------
def gather_elements(name, tp, dshape, itp, ishape, axis, dvals, ivals):
    case(name, [h.make_node("GatherElements", ["d", "i"], ["y"], axis=axis)],
         [("d", tp, dshape), ("i", itp, ishape)], [("y", tp)], {"d": dvals, "i": ivals},
         {"gather_elements"})


gather_elements("ge_f32_axis1", TP.FLOAT, [3, 4], TP.INT64, [3, 2], 1, rand(TP.FLOAT, [3, 4]),
                np.array([[0, 3], [-1, 1], [2, -4]], np.int64))
gather_elements("ge_i64_axis0_rank3_i32", TP.INT64, [4, 3, 2], TP.INT32, [2, 3, 2], 0,
                rand(TP.INT64, [4, 3, 2]), rng.integers(-4, 4, [2, 3, 2]).astype(np.int32))
gather_elements("ge_f16_dynamic_last", TP.FLOAT16, ["N", 5], TP.INT64, ["N", 3], -1,
                rand(TP.FLOAT16, [7, 5]), rng.integers(-5, 5, [7, 3]).astype(np.int64))
gather_elements("ge_i8_smaller_indices", TP.INT8, [4, 5], TP.INT64, [2, 3], 0,
                rand(TP.INT8, [4, 5]), rng.integers(-4, 4, [2, 3]).astype(np.int64))

group("gather_elements")

# ---- gather_nd ---------------------------------------------------------------------------------
def gather_nd(name, tp, dshape, ishape, batch, dvals, ivals):
    case(name, [h.make_node("GatherND", ["d", "i"], ["y"], batch_dims=batch)],
         [("d", tp, dshape), ("i", TP.INT64, ishape)], [("y", tp)], {"d": dvals, "i": ivals},
         {"gather_nd"})


gather_nd("gnd_f32_slices", TP.FLOAT, [3, 4, 5], [2, 2], 0, rand(TP.FLOAT, [3, 4, 5]),
          np.array([[2, -1], [0, 3]], np.int64))
gather_nd("gnd_i32_scalars", TP.INT32, [3, 4, 5], [2, 2, 3], 0, rand(TP.INT32, [3, 4, 5]),
          np.array([[[2, 3, 4], [0, 0, 0]], [[-1, -1, -1], [1, 2, 3]]], np.int64))
gather_nd("gnd_f16_batch1", TP.FLOAT16, [2, 3, 4], [2, 3, 1], 1, rand(TP.FLOAT16, [2, 3, 4]),
          np.array([[[2], [0], [-1]], [[1], [1], [-3]]], np.int64))
gather_nd("gnd_i64_batch1_dynamic", TP.INT64, ["B", 5, 3], ["B", "K", 2], 1,
          rand(TP.INT64, [3, 5, 3]), np.stack([rng.integers(-5, 5, [3, 4]),
                                               rng.integers(-3, 3, [3, 4])], -1).astype(np.int64))

group("gather_nd")

# ---- scatter_elements ----------------------------------------------------------------------------
def scatter_elements(name, tp, dshape, ishape, axis, red, dvals, ivals, uvals, itp=TP.INT64):
    case(name, [h.make_node("ScatterElements", ["d", "i", "u"], ["y"], axis=axis,
                            reduction=red)],
         [("d", tp, dshape), ("i", itp, ishape), ("u", tp, ishape)], [("y", tp)],
         {"d": dvals, "i": ivals, "u": uvals}, {"scatter_elements"})


# Repeated indices along the axis: the cpu combines them in index order (none: the last
# wins), and so must the kernel.
dup_idx = np.array([[0, 3, 1, 1, -1], [0, 3, 1, 2, 3], [0, -2, 1, 1, 3]], np.int64)
for red in ["none", "add", "mul", "max", "min"]:
    scatter_elements(f"se_f32_{red}", TP.FLOAT, [4, 5], [3, 5], 0, red, rand(TP.FLOAT, [4, 5]),
                     dup_idx, rand(TP.FLOAT, [3, 5]))
scatter_elements("se_f16_add_axis1", TP.FLOAT16, [3, 6], [3, 4], 1, "add",
                 rand(TP.FLOAT16, [3, 6]), np.array([[0, 0, 0, -6], [5, 1, 5, 5], [2, 3, 4, 5]]),
                 rand(TP.FLOAT16, [3, 4]))
scatter_elements("se_i32_mul_i32idx", TP.INT32, [4, 3], [2, 3], 0, "mul", rand(TP.INT32, [4, 3]),
                 np.array([[1, 1, -1], [1, 2, -1]], np.int32), rand(TP.INT32, [2, 3]),
                 itp=TP.INT32)
scatter_elements("se_i8_add_wraps", TP.INT8, [3, 4], [3, 4], 0, "add",
                 np.full([3, 4], 100, np.int8), np.zeros([3, 4], np.int64),
                 np.full([3, 4], 90, np.int8))
scatter_elements("se_i64_max_dynamic", TP.INT64, ["N", 6], ["K", 6], 0, "max",
                 rand(TP.INT64, [5, 6]), rng.integers(-5, 5, [8, 6]).astype(np.int64),
                 rand(TP.INT64, [8, 6]))
scatter_elements("se_f32_min_rank3_axis1", TP.FLOAT, [2, 5, 3], [2, 4, 2], 1, "min",
                 rand(TP.FLOAT, [2, 5, 3]), rng.integers(-5, 5, [2, 4, 2]).astype(np.int64),
                 rand(TP.FLOAT, [2, 4, 2]))
scatter_elements("se_bool_none", TP.BOOL, [3, 4], [2, 4], 1, "none", rand(TP.BOOL, [3, 4]),
                 rng.integers(-4, 4, [2, 4]).astype(np.int64), rand(TP.BOOL, [2, 4]))
case("se_bf16_add",
     [h.make_node("Cast", ["d"], ["db"], to=TP.BFLOAT16),
      h.make_node("Cast", ["u"], ["ub"], to=TP.BFLOAT16),
      h.make_node("ScatterElements", ["db", "i", "ub"], ["yb"], axis=0, reduction="add"),
      h.make_node("Cast", ["yb"], ["y"], to=TP.FLOAT)],
     [("d", TP.FLOAT, [4, 5]), ("i", TP.INT64, [3, 5]), ("u", TP.FLOAT, [3, 5])],
     [("y", TP.FLOAT)], {"d": rand(TP.FLOAT, [4, 5]), "i": dup_idx, "u": rand(TP.FLOAT, [3, 5])},
     {"scatter_elements"})

group("scatter_elements")

# ---- scatter_nd ---------------------------------------------------------------------------------
def scatter_nd(name, tp, dshape, ishape, ushape, red, dvals, ivals, uvals):
    case(name, [h.make_node("ScatterND", ["d", "i", "u"], ["y"], reduction=red)],
         [("d", tp, dshape), ("i", TP.INT64, ishape), ("u", tp, ushape)], [("y", tp)],
         {"d": dvals, "i": ivals, "u": uvals}, {"scatter_nd"})


nd_idx = np.array([[1], [-1], [1], [0]], np.int64)
for red in ["none", "add", "mul", "max", "min"]:
    scatter_nd(f"snd_f32_{red}", TP.FLOAT, [5, 4], [4, 1], [4, 4], red, rand(TP.FLOAT, [5, 4]),
               nd_idx, rand(TP.FLOAT, [4, 4]))
scatter_nd("snd_i64_add_scalars", TP.INT64, [2, 3, 4], [5, 3], [5], "add",
           rand(TP.INT64, [2, 3, 4]),
           np.array([[1, 2, 3], [0, 0, 0], [-1, -1, -1], [1, 2, 3], [0, 1, 2]], np.int64),
           rand(TP.INT64, [5]))
scatter_nd("snd_f16_mul_m2", TP.FLOAT16, [3, 4, 3], [2, 2], [2, 3], "mul",
           rand(TP.FLOAT16, [3, 4, 3]), np.array([[2, 1], [2, -3]], np.int64),
           rand(TP.FLOAT16, [2, 3]))
scatter_nd("snd_i32_none_dynamic", TP.INT32, ["N", 6], ["K", 1], ["K", 6], "none",
           rand(TP.INT32, [7, 6]), np.array([[3], [6], [-7], [3]], np.int64),
           rand(TP.INT32, [4, 6]))
scatter_nd("snd_bool_max", TP.BOOL, [4, 3], [3, 1], [3, 3], "max", rand(TP.BOOL, [4, 3]),
           np.array([[0], [2], [0]], np.int64), rand(TP.BOOL, [3, 3]))
# More tuples than one shared tile (256) and more elements than one block: chunks of
# tuple offsets, in order, across several blocks.
scatter_nd("snd_f32_add_many_tuples", TP.FLOAT, [300, 3], [600, 1], [600, 3], "add",
           rand(TP.FLOAT, [300, 3]), rng.integers(-300, 300, [600, 1]).astype(np.int64),
           rand(TP.FLOAT, [600, 3]))
scatter_nd("snd_i8_none_many_tuples", TP.INT8, ["N"], ["K", 1], ["K"], "none",
           rand(TP.INT8, [700]), rng.integers(-700, 700, [520, 1]).astype(np.int64),
           rand(TP.INT8, [520]))
case("snd_bf16_min",
     [h.make_node("Cast", ["d"], ["db"], to=TP.BFLOAT16),
      h.make_node("Cast", ["u"], ["ub"], to=TP.BFLOAT16),
      h.make_node("ScatterND", ["db", "i", "ub"], ["yb"], reduction="min"),
      h.make_node("Cast", ["yb"], ["y"], to=TP.FLOAT)],
     [("d", TP.FLOAT, [5, 4]), ("i", TP.INT64, [4, 1]), ("u", TP.FLOAT, [4, 4])],
     [("y", TP.FLOAT)], {"d": rand(TP.FLOAT, [5, 4]), "i": nd_idx, "u": rand(TP.FLOAT, [4, 4])},
     {"scatter_nd"})

group("scatter_nd")

# ---- range (the length needs the values: the call runs eagerly, the kernel still runs) ----
def range_case(name, tp, start, limit, delta):
    dt = NP[tp]
    case(name, [h.make_node("Range", ["s", "l", "d"], ["y"])],
         [("s", tp, []), ("l", tp, []), ("d", tp, [])], [("y", tp)],
         {"s": np.array(start, dt), "l": np.array(limit, dt), "d": np.array(delta, dt)},
         {"range"})


range_case("range_i64", TP.INT64, -7, 300, 3)
range_case("range_i32_negative", TP.INT32, 10, -13, -4)
range_case("range_i16", TP.INT16, 1, 2, 5)
range_case("range_f32", TP.FLOAT, 0.1, 7.3, 0.1)
range_case("range_f32_negative", TP.FLOAT, 3.0, -2.5, -0.37)
range_case("range_f64", TP.DOUBLE, -1.0, 1.0, 0.013)
range_case("range_empty", TP.INT64, 5, 5, 1)

group("range")

# ---- fill (ConstantOfShape; the shape from Shape of a dynamic input, or a run-time shape) --
def fill_case(name, tp, value, xshape, xvals):
    case(name, [h.make_node("Shape", ["x"], ["s"]),
                h.make_node("ConstantOfShape", ["s"], ["y"],
                            value=h.make_tensor("v", tp, [1], [value]))],
         [("x", TP.FLOAT, xshape)], [("y", tp)], {"x": xvals}, {"fill"})


fill_case("fill_f32", TP.FLOAT, 2.5, ["N", 3], rand(TP.FLOAT, [7, 3]))
fill_case("fill_f16_big", TP.FLOAT16, 0.1, ["N", "M"], rand(TP.FLOAT, [33, 41]))
fill_case("fill_i64", TP.INT64, -7, ["N"], rand(TP.FLOAT, [5]))
fill_case("fill_i32_odd", TP.INT32, 123456, ["N", 5], rand(TP.FLOAT, [3, 5]))
fill_case("fill_i8", TP.INT8, -3, ["N", 3, 3], rand(TP.FLOAT, [2, 3, 3]))
fill_case("fill_bool", TP.BOOL, True, ["N", 2], rand(TP.FLOAT, [9, 2]))
fill_case("fill_f32_nan", TP.FLOAT, float("nan"), ["N"], rand(TP.FLOAT, [4]))
fill_case("fill_empty", TP.FLOAT, 1.0, ["N", 4], rand(TP.FLOAT, [0, 4]))
group("fill")
case("fill_runtime_shape",
     [h.make_node("ConstantOfShape", ["s"], ["y"], value=h.make_tensor("v", TP.FLOAT, [1], [-1.5]))],
     [("s", TP.INT64, [3])], [("y", TP.FLOAT)], {"s": np.array([2, 5, 3], np.int64)}, {"fill"})

group("fill_runtime_shape")

# ---- one_hot -------------------------------------------------------------------------------------
def one_hot(name, itp, ishape, ivals, depth, vtp, vals, axis):
    case(name, [h.make_node("OneHot", ["i", "depth", "values"], ["y"], axis=axis)],
         [("i", itp, ishape)], [("y", vtp)], {"i": ivals}, {"one_hot"},
         inits=[h.make_tensor("depth", TP.INT64, [], [depth]),
                h.make_tensor("values", vtp, [2], vals)])


one_hot("onehot_f32_last", TP.INT64, [2, 4], np.array([[0, 3, -1, 5], [-5, -6, 2, 4]]), 5,
        TP.FLOAT, [0.5, 2.0], -1)
one_hot("onehot_i64_axis0_dynamic", TP.INT32, ["N"], np.array([1, -2, 7, 0, 2], np.int32), 3,
        TP.INT64, [-1, 9], 0)
one_hot("onehot_f16_axis1", TP.INT64, [3, 2], np.array([[0, 1], [2, 3], [-1, -4]]), 4,
        TP.FLOAT16, [0.0, 1.0], 1)
one_hot("onehot_float_indices", TP.FLOAT, [5], np.array([0.7, 2.9, -1.2, 4.0, -0.5], np.float32),
        4, TP.INT32, [0, 1], -1)

group("one_hot")

# ---- eye_like ------------------------------------------------------------------------------------
def eye_like(name, otp, k, xshape, xvals):
    case(name, [h.make_node("EyeLike", ["x"], ["y"], dtype=otp, k=k)],
         [("x", TP.FLOAT, xshape)], [("y", otp)], {"x": xvals}, {"eye_like"})


eye_like("eye_f32_k0", TP.FLOAT, 0, ["N", "M"], rand(TP.FLOAT, [4, 6]))
eye_like("eye_i64_k2", TP.INT64, 2, ["N", "M"], rand(TP.FLOAT, [5, 3]))
eye_like("eye_f16_kneg", TP.FLOAT16, -1, ["N", 7], rand(TP.FLOAT, [6, 7]))
eye_like("eye_bool_kbig", TP.BOOL, 9, ["N", "M"], rand(TP.FLOAT, [3, 4]))

group("eye_like")

# ---- nonzero -------------------------------------------------------------------------------------
def nonzero(name, tp, shape, vals):
    case(name, [h.make_node("NonZero", ["x"], ["y"])], [("x", tp, shape)], [("y", TP.INT64)],
         {"x": vals}, {"nonzero"})


special = np.array([[0.0, -0.0, 1.5, np.nan], [0, 0, -2, 0], [np.inf, 0, 0, 1e-30]], np.float32)
nonzero("nonzero_f32_special", TP.FLOAT, [3, 4], special)
nonzero("nonzero_i64_1d", TP.INT64, [5], np.array([0, 3, 0, -1, 0], np.int64))
nonzero("nonzero_bool_rank3_dynamic", TP.BOOL, ["A", 3, "B"], rand(TP.BOOL, [2, 3, 5]))
nonzero("nonzero_all_zero", TP.INT32, ["N", 4], np.zeros([3, 4], np.int32))
nonzero("nonzero_f16_chunks", TP.FLOAT16, ["N"],
        np.where(rng.random(2500) < 0.3, 0, rand(TP.FLOAT16, [2500])).astype(np.float16))
nonzero("nonzero_i8_empty", TP.INT8, ["N", 3], np.zeros([0, 3], np.int8))


group("nonzero")

# ---- shape_of: launched directly (a session evaluates it at plan time) ------------------------
def shape_of(name, xshape, start, end, concrete):
    global checked
    if only and name not in only:
        return
    checked += 1
    work = os.path.join(out, name)
    attrs = {} if start is None else {"start": start}
    if end is not None:
        attrs["end"] = end
    g = h.make_graph([h.make_node("Shape", ["x"], ["s"], **attrs),
                      h.make_node("Cast", ["s"], ["y"], to=TP.FLOAT)], name,
                     [h.make_tensor_value_info("x", TP.FLOAT, xshape)],
                     [h.make_tensor_value_info("y", TP.FLOAT, None)])
    try:
        bundle = emucheck.compile_bundle(h.make_model(g, opset_imports=[h.make_opsetid("", 18)]),
                                         work, name)
        lib = emulate.compile_kernels(bundle, work)
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return
    steps = json.load(open(os.path.join(bundle, "steps.json")))["steps"]
    st = [s for s in steps if s["kind"] == "shape_of"]
    if len(st) != 1 or "kernel" not in st[0]:
        problems.append(f"{name}: expected one shape_of step with a kernel")
        return
    want = np.array(concrete[slice(start, end)], np.int64)
    got = np.full(len(want) + 2, -99, np.int64)  # the kernel must not write past the end
    params = emulate.KernelParams()
    params.ptr[0] = 1  # the input's data is not read
    params.ptr[1] = got.ctypes.data
    for k, d in enumerate(list(concrete) + [len(want)]):
        params.dims[k] = d
    kernel = st[0]["kernel"]
    fn = ctypes.cast(lib[kernel["name"]], ctypes.c_void_p)
    lib.ds_test_launch(fn, ctypes.byref(params), ctypes.c_uint(1),
                       ctypes.c_uint(kernel["launch"]["block"][0]))
    if list(got[:len(want)]) != list(want) or list(got[len(want):]) != [-99, -99]:
        problems.append(f"{name}: shape_of wrote {list(got)}, expected {list(want)}")


shape_of("shape_all", ["A", 3, "B"], None, None, [4, 3, 6])
shape_of("shape_start_end", ["A", 3, "B", 2], 1, -1, [5, 3, 7, 2])
shape_of("shape_negative_start", ["A", "B"], -1, None, [8, 9])



# ---- generator errors: hand-edited steps.json through ds-opt --emit=cuda-kernels ------------
def generator_error(name, bundle, kind, edit, fragment):
    global checked
    if only and name not in only:
        return
    checked += 1
    path = os.path.join(out, bundle, bundle + ".dsb", "steps.json")
    if not os.path.exists(path):
        problems.append(f"{name}: {path} is missing (its group did not run)")
        return
    doc = json.load(open(path))
    step = next(s for s in doc["steps"] if s["kind"] == kind)
    edit(step, {v["id"]: v for v in doc["values"]})
    bad = os.path.join(out, name + ".steps.json")
    json.dump(doc, open(bad, "w"))
    r = subprocess.run([emucheck.DS_OPT, bad, "--emit=cuda-kernels", "-o",
                        os.path.join(out, name)], capture_output=True, text=True)
    if r.returncode == 0 or fragment not in r.stderr:
        problems.append(f"{name}: expected an error with '{fragment}', got exit "
                        f"{r.returncode}: {r.stderr.strip()}")


def set_attr(key, value):
    return lambda step, values: step["attrs"].__setitem__(key, value)


def drop_attr(key):
    return lambda step, values: step["attrs"].pop(key)


def operand(step, values, k):
    """Operand k of a step (inputs then outputs) as its value record."""
    return values[(step["inputs"] + step["outputs"])[k]]


def set_dtype(k, dtype):
    return lambda step, values: operand(step, values, k).__setitem__("dtype", dtype)


def set_shape(k, shape):
    return lambda step, values: operand(step, values, k).__setitem__("shape", shape)


def set_last_dim(k, dim):
    return lambda step, values: operand(step, values, k)["shape"].__setitem__(-1, dim)


# Each message of IndexingCodegen.cpp, in full where it is literal.
ERRORS = [
    ("err_reduction", "scatter_elements", set_attr("reduction", "avg"),
     "unknown reduction 'avg' (expected none, add, mul, max or min)"),
    ("err_float_indices", "gather", set_dtype(1, "f32"),
     "indices must be an integer tensor, got 'f32'"),
    ("err_gather_axis", "gather", set_attr("axis", 7), "axis 7 is out of range for rank 2"),
    ("err_gather_rank0", "gather", set_shape(0, []), "cannot gather from a rank-0 tensor"),
    ("err_ge_rank", "gather_elements", set_shape(1, [3, 2, 1]),
     "gather_elements needs data of rank >= 1 and indices of its rank, got [3,4] and [3,2,1]"),
    ("err_gnd_dynamic_tuple", "gather_nd", set_last_dim(1, -1),
     "gather_nd needs indices with a static last dim, got"),
    ("err_gnd_tuple", "gather_nd", set_attr("batch_dims", 2),
     "gather_nd: index tuples of length 2 with batch_dims 2 do not fit data"),
    ("err_scatter_dtype", "scatter_elements", set_dtype(2, "f16"),
     "updates (f16) and output (f32) must have the data's dtype (f32)"),
    ("err_se_rank", "scatter_elements", set_shape(1, [3]),
     "scatter_elements needs data of rank >= 1 and indices and updates of its rank, got"),
    ("err_snd_dynamic_tuple", "scatter_nd", set_last_dim(1, -1),
     "scatter_nd needs indices with a static last dim, got"),
    ("err_snd_tuple", "scatter_nd", set_last_dim(1, 3),
     "scatter_nd: index tuples of length 3 exceed data [5,4]"),
    ("err_range_rank", "range", set_shape(3, [-1, 1]), "range output must have rank 1, got"),
    ("err_fill_no_value", "fill", drop_attr("value"), "fill has no attribute 'value'"),
    ("err_fill_value", "fill", set_attr("value", "pi"), "attribute 'value' is not a number"),
    ("err_one_hot_values", "one_hot", set_dtype(2, "i8"),
     "values (i8) must have the output's dtype (f32)"),
    ("err_one_hot_rank", "one_hot", set_shape(3, [2, 4]),
     "one_hot output [2,4] must have one dim more than indices [2,4]"),
    ("err_eye_rank", "eye_like", set_shape(1, [-1]), "eye_like output must have rank 2, got"),
    ("err_nonzero_output", "nonzero", set_dtype(1, "i32"),
     "nonzero output must be a rank-2 i64 tensor, got i32"),
]
if not only:
    for name, kind, edit, fragment in ERRORS:
        generator_error(name, kind, kind, edit, fragment)

emucheck.report(problems, checked)
