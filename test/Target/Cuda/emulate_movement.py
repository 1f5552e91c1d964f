# The generated data-movement kernels (transpose, concat, slice, split, expand, tile, pad,
# trilu; lib/Target/Cuda/MovementCodegen.cpp) compute what the cpu backend computes:
# single-op ONNX models (several nodes per model to keep the bundle count low) are
# compiled by ds-opt, run by ds-run on cpu and on emulate with DS_EMULATE_STRICT=1 (every
# step through its generated kernel), and the outputs compared bit for bit (movement
# copies bits, so there is no tolerance). Covered: every kind with its attribute
# variants, the dtypes f32 f16 bf16 i64 i32 i8 bool, static and symbolic dims, odd sizes
# (33x65, 1, 0-size), vector paths (large static and dynamic shapes) and scalar paths.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import os
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emucheck  # noqa: E402

emucheck.DS_OPT = os.environ.get("DS_OPT", emucheck.DS_OPT)
emucheck.DS_RUN = os.path.join(os.path.dirname(emucheck.DS_OPT), "ds-run")

out_dir = sys.argv[1]
only = sys.argv[2:]  # model names, for debugging
rng = np.random.default_rng(11)

DTYPES = {
    "f32": (np.float32, TensorProto.FLOAT),
    "f16": (np.float16, TensorProto.FLOAT16),
    "bf16": (ml_dtypes.bfloat16, TensorProto.BFLOAT16),
    "i64": (np.int64, TensorProto.INT64),
    "i32": (np.int32, TensorProto.INT32),
    "i8": (np.int8, TensorProto.INT8),
    "bool": (np.bool_, TensorProto.BOOL),
}


def data(dtype, shape):
    np_type = DTYPES[dtype][0]
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if dtype in ("i64", "i32", "i8"):
        return rng.integers(-100, 100, size=shape).astype(np_type)
    # Distinct values, so a misplaced element shows.
    return (rng.standard_normal(size=shape) * 10).astype(np.float32).astype(np_type)


class Model:
    """A graph of independent nodes over named inputs; every node output is a graph
    output."""

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype
        self.inputs, self.values, self.nodes, self.outputs, self.inits = [], {}, [], [], []
        self.kinds = set()

    def input(self, name, shape, dims=None, dtype=None):
        """A graph input with concrete `shape`; `dims` gives its declared dims (strings are
        symbolic)."""
        dtype = dtype or self.dtype
        self.inputs.append(helper.make_tensor_value_info(name, DTYPES[dtype][1],
                                                         dims if dims else shape))
        self.values[name] = data(dtype, shape)
        return name

    def int_input(self, name, values):
        """An i64 graph input (a run-time parameter tensor)."""
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.INT64,
                                                         [len(values)]))
        self.values[name] = np.array(values, dtype=np.int64)
        return name

    def const(self, values, dtype=np.int64):
        name = f"c{len(self.inits)}"
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=dtype), name))
        return name

    def node(self, op, inputs, kind, outputs=1, **attrs):
        names = [f"y{len(self.outputs) + k}" for k in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, names, name=f"n{len(self.nodes)}",
                                           **attrs))
        for n in names:
            self.outputs.append(helper.make_tensor_value_info(n, TensorProto.UNDEFINED, None))
        self.kinds.add(kind)
        return names

    def proto(self):
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs,
                                  initializer=self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view(np.uint8) if a.size else a


failures, checked = [], 0


def check(m):
    global checked
    if only and m.name not in only:
        return
    work = os.path.join(out_dir, m.name)
    checked += 1
    try:
        bundle = emucheck.compile_bundle(m.proto(), work, m.name)
        present = emucheck.kernel_kinds(bundle)
        for kind in m.kinds:
            with_kernel, without = present.get(kind, (0, 0))
            if with_kernel == 0 or without:
                failures.append(f"{m.name}: expected every '{kind}' step to have a kernel; "
                                f"{with_kernel} with, {without} without")
        want = emucheck.run(bundle, m.values, work, "cpu")
        got = emucheck.run(bundle, m.values, work, "emulate")
    except RuntimeError as e:
        failures.append(f"{m.name}: {e}")
        return
    for k, (g, w) in enumerate(zip(got, want)):
        if g.shape != w.shape or g.dtype != w.dtype:
            failures.append(f"{m.name} output {k}: {g.dtype}{g.shape}, cpu {w.dtype}{w.shape}")
        elif not np.array_equal(bits(g), bits(w)):
            bad = np.argwhere(bits(g).reshape(-1) != bits(w).reshape(-1))
            failures.append(f"{m.name} output {k} ({m.nodes[min(k, len(m.nodes) - 1)].op_type}"
                            f" {w.shape}): {len(bad)} bytes differ, first byte {int(bad[0][0])}")


# ---- the nodes of each kind ------------------------------------------------------------------
def add_transpose(m, detailed):
    x = m.input("tx", [3, 33, 40])
    m.node("Transpose", [x], "transpose", perm=[0, 2, 1])  # tiled, odd sizes
    m.node("Transpose", [x], "transpose", perm=[1, 0, 2])  # runs
    y = m.input("ty", [16, 64])
    m.node("Transpose", [y], "transpose", perm=[1, 0])
    z = m.input("tz", [64, 2, 16])
    m.node("Transpose", [z], "transpose", perm=[1, 0, 2])  # vector runs
    if not detailed:
        return
    x2 = m.input("x2", [33, 65])
    x3 = m.input("x3", [5, 33, 7])
    x4 = m.input("x4", [2, 3, 34, 5])
    x5 = m.input("x5", [2, 1, 3, 4, 5])
    x1 = m.input("x1", [1, 40, 1])
    for x, perms in [(x2, [[1, 0], [0, 1]]),
                     (x3, [[0, 2, 1], [2, 1, 0], [1, 0, 2], [2, 0, 1], [1, 2, 0], [0, 1, 2]]),
                     (x4, [[0, 1, 3, 2], [3, 2, 1, 0], [0, 2, 1, 3], [2, 3, 0, 1], [1, 3, 0, 2]]),
                     (x5, [[4, 3, 2, 1, 0], [0, 2, 1, 4, 3], [1, 0, 3, 4, 2], [2, 3, 4, 0, 1]]),
                     (x1, [[2, 1, 0], [1, 0, 2], [0, 2, 1]])]:
        for p in perms:
            m.node("Transpose", [x], "transpose", perm=p)
    v = m.input("tv", [8, 16, 32])
    m.node("Transpose", [v], "transpose", perm=[2, 1, 0])


def add_concat(m, detailed):
    a = m.input("ca", [2, 3, 4])
    b = m.input("cb", [2, 3, 4])
    c = m.input("cc", [2, 3, 4])
    d0 = m.input("cd0", [5, 3, 4])
    d1 = m.input("cd1", [2, 1, 4])
    d2 = m.input("cd2", [2, 3, 7])
    m.node("Concat", [a, b], "concat", axis=0)
    m.node("Concat", [a, b, c], "concat", axis=1)
    m.node("Concat", [a, b, c, a, b, c], "concat", axis=2)
    m.node("Concat", [a, d0, b], "concat", axis=0)
    m.node("Concat", [d1, a, d1, b], "concat", axis=-2)
    m.node("Concat", [d2, a], "concat", axis=-1)
    if not detailed:
        return
    e = m.input("ce", [2, 0, 4])
    m.node("Concat", [a, e, a], "concat", axis=1)
    m.node("Concat", [e, e], "concat", axis=1)
    v = m.input("cv", [16, 64])  # vector path: widths multiples of 4
    w = m.input("cw", [16, 32])
    m.node("Concat", [v, w, v], "concat", axis=1)
    m.node("Concat", [v, v], "concat", axis=0)


def add_split(m, detailed):
    x = m.input("sx", [4, 7, 6])
    m.node("Split", [x], "split", outputs=2, axis=1, num_outputs=2)
    m.node("Split", [x], "split", outputs=3, axis=-1, num_outputs=3)
    m.node("Split", [x, m.const([1, 0, 3])], "split", outputs=3, axis=0)
    m.node("Split", [x, m.const([2, 4, 1])], "split", outputs=3, axis=1)
    m.node("Split", [x], "split", outputs=1, axis=2, num_outputs=1)
    if not detailed:
        return
    v = m.input("sv", [8, 96])  # vector path: widths multiples of 4
    m.node("Split", [v, m.const([32, 64])], "split", outputs=2, axis=1)
    m.node("Split", [v], "split", outputs=4, axis=0, num_outputs=4)


def add_slice(m, detailed, x=None):
    x = x or m.input("lx", [4, 9, 6])
    rank = 3
    m.node("Slice", [x, m.const([1]), m.const([3]), m.const([0])], "slice")
    m.node("Slice", [x, m.const([-2, 0]), m.const([100, -1]), m.const([1, 2]),
                     m.const([1, 2])], "slice")
    m.node("Slice", [x, m.const([-1]), m.const([-100]), m.const([rank - 1]), m.const([-1])],
           "slice")
    m.node("Slice", [x, m.const([5, 0]), m.const([0, 9]), m.const([1, 0]), m.const([-2, 3])],
           "slice")
    m.node("Slice", [x, m.const([0, 0, 0]), m.const([1, 1, 1]), m.const([0, 1, 2])], "slice")
    m.node("Slice", [x, m.const([2]), m.const([2]), m.const([-1])], "slice")  # empty
    m.node("Slice", [x, m.const([100]), m.const([-100]), m.const([0]),
                     m.const([-(2 ** 62)])], "slice")
    if not detailed:
        return
    s = m.int_input("ls", [-1, 8])
    e = m.int_input("le", [-5, -100])
    ax = m.int_input("lax", [0, 1])
    st = m.int_input("lst", [-1, -3])
    m.node("Slice", [x, s, e, ax, st], "slice")  # parameters as run-time inputs


def add_expand(m, detailed):
    x = m.input("ex", [3, 1, 5])
    m.node("Expand", [x, m.const([2, 3, 4, 5])], "expand")
    m.node("Expand", [x, m.const([3, 6, 1])], "expand")
    s = m.input("es", [1])
    m.node("Expand", [s, m.const([4, 3])], "expand")
    r = m.input("er", [4, 1])
    m.node("Expand", [r, m.const([2, 4, 64])], "expand")  # splat runs
    if detailed:
        v = m.input("ev", [1, 64])
        m.node("Expand", [v, m.const([32, 64])], "expand")  # vector runs


def add_tile(m, detailed):
    x = m.input("ix", [2, 3, 5])
    m.node("Tile", [x, m.const([2, 1, 3])], "tile")
    m.node("Tile", [x, m.const([1, 1, 1])], "tile")
    m.node("Tile", [x, m.const([3, 2, 1])], "tile")
    m.node("Tile", [x, m.const([1, 0, 2])], "tile")
    o = m.input("io", [1, 4])
    m.node("Tile", [o, m.const([5, 2])], "tile")
    if detailed:
        v = m.input("iv", [4, 32])
        m.node("Tile", [v, m.const([8, 1])], "tile")  # vector runs


def add_pad(m, detailed, x=None):
    dtype = m.dtype
    x = x or m.input("px", [3, 4, 5])
    value = np.array(True if dtype == "bool" else 7, dtype=DTYPES[dtype][0]).reshape(())
    vname = f"pv{len(m.inits)}"
    if dtype == "bf16":
        m.inits.append(helper.make_tensor(vname, TensorProto.BFLOAT16, [],
                                          [int(value.view(np.uint16))]))
    else:
        m.inits.append(numpy_helper.from_array(value, vname))
    m.node("Pad", [x, m.const([1, 0, 2, 2, 3, 1])], "pad", mode="constant")
    m.node("Pad", [x, m.const([0, 2, 1, 1, 0, 3]), vname], "pad", mode="constant")
    m.node("Pad", [x, m.const([-1, 1, 0, 0, -2, 2])], "pad", mode="constant")
    for mode in ["reflect", "edge", "wrap"]:
        m.node("Pad", [x, m.const([1, 2, 3, 1, 1, 2])], "pad", mode=mode)
        m.node("Pad", [x, m.const([0, -1, 4, 0, 1, -1])], "pad", mode=mode)
    m.node("Pad", [x, m.const([2, 7]), "", m.const([-1])], "pad", mode="reflect")
    m.node("Pad", [x, m.const([1, 1, 0, 2]), vname, m.const([0, 2])], "pad", mode="constant")
    if detailed:
        m.node("Pad", [x, m.const([9, 0, 0, 0, 0, 11])], "pad", mode="reflect")  # > dim
        m.node("Pad", [x, m.const([0, 0, 0, 7, 9, 13])], "pad", mode="wrap")


def add_trilu(m, detailed):
    x = m.input("rx", [2, 5, 7])
    m.node("Trilu", [x], "trilu")
    m.node("Trilu", [x], "trilu", upper=0)
    for k in [-2, 3, 100, -100] if detailed else [2]:
        kc = f"k{len(m.inits)}"
        m.inits.append(numpy_helper.from_array(np.array(k, dtype=np.int64), kc))
        m.node("Trilu", [x, kc], "trilu", upper=1)
        m.node("Trilu", [x, kc], "trilu", upper=0)
    v = m.input("rv", [32, 64])  # vector path
    m.node("Trilu", [v], "trilu", upper=0)
    m.node("Trilu", [v], "trilu", upper=1)


KINDS = {"transpose": add_transpose, "concat": add_concat, "split": add_split,
         "slice": add_slice, "expand": add_expand, "tile": add_tile, "pad": add_pad,
         "trilu": add_trilu}

# f32: every kind in detail, one model per kind.
for kind, add in KINDS.items():
    m = Model(kind + "_f32", "f32")
    add(m, True)
    check(m)

# The other dtypes (other element sizes, bf16/f16 NaN-free bit patterns, bool): one model
# with every kind.
for dtype in ["f16", "bf16", "i64", "i32", "i8", "bool"]:
    m = Model("all_" + dtype, dtype)
    for add in KINDS.values():
        add(m, False)
    check(m)

# ---- symbolic dims --------------------------------------------------------------------------
m = Model("transpose_dyn", "f32")
x = m.input("x", [3, 35, 6], ["b", "s", 6])
m.node("Transpose", [x], "transpose", perm=[0, 2, 1])
m.node("Transpose", [x], "transpose", perm=[1, 0, 2])
m.node("Transpose", [x], "transpose", perm=[2, 1, 0])
y = m.input("y", [2, 4, 1, 8], ["p", "q", "r", 8])
m.node("Transpose", [y], "transpose", perm=[1, 0, 2, 3])
m.node("Transpose", [y], "transpose", perm=[3, 2, 0, 1])
z = m.input("z", [0, 5, 3], ["z", 5, 3])  # empty
m.node("Transpose", [z], "transpose", perm=[2, 0, 1])
m.node("Transpose", [z], "transpose", perm=[1, 0, 2])
check(m)

m = Model("concat_split_dyn", "f32")
a = m.input("a", [3, 5, 8], ["b", "s", 8])
b = m.input("b", [3, 2, 8], ["b", "t", 8])
c = m.input("c", [3, 7, 8], ["b", "u", 8])
m.node("Concat", [a, b, c], "concat", axis=1)
m.node("Concat", [a, a], "concat", axis=0)
m.node("Concat", [a, a, a], "concat", axis=2)
y = m.input("y", [2, 3, 5], ["p", "q", 5])
m.node("Split", [y], "split", outputs=2, axis=2, num_outputs=2)
m.node("Split", [y, m.const([2, 3])], "split", outputs=2, axis=2)
z = m.input("z", [2, 12], ["r", 12])
m.node("Split", [z], "split", outputs=3, axis=1, num_outputs=3)
check(m)

m = Model("slice_dyn", "f32")
x = m.input("x", [4, 9, 6], ["a", "b", 6])
add_slice(m, False, x)
s = m.int_input("starts", [1, -7])
e = m.int_input("ends", [4, -1])
ax = m.int_input("axes", [0, 1])
st = m.int_input("steps", [2, 3])
m.node("Slice", [x, s, e, ax, st], "slice")
v = m.input("v", [8, 64], ["r", 64])
m.node("Slice", [v, m.const([4]), m.const([36]), m.const([1])], "slice")  # vector runs
m.node("Slice", [v, m.const([3]), m.const([35]), m.const([1])], "slice")  # unaligned runs
check(m)

m = Model("expand_tile_dyn", "f32")
x = m.input("x", [3, 1, 5], ["a", "b", 5])
m.node("Expand", [x, m.const([2, 3, 4, 5])], "expand")
m.node("Expand", [x, m.const([1, 1, 1])], "expand")
v = m.input("v", [1, 32], [1, "n"])
m.node("Expand", [v, m.const([6, 1])], "expand")
t = m.input("t", [2, 3, 5], ["p", "q", 5])
m.node("Tile", [t, m.const([2, 1, 3])], "tile")
m.node("Tile", [t, m.const([1, 3, 1])], "tile")
check(m)

m = Model("pad_trilu_dyn", "f32")
x = m.input("x", [3, 4, 5], ["a", "b", 5])
add_pad(m, False, x)
p = m.int_input("p", [1, 0, 2, 0, 3, 1])
m.node("Pad", [x, p], "pad", mode="wrap")
r = m.input("r", [3, 6, 4], ["p", "q", "c"])
m.inputs.append(helper.make_tensor_value_info("k", TensorProto.INT64, []))
m.values["k"] = np.array(-1, dtype=np.int64)
m.node("Trilu", [r, "k"], "trilu", upper=1)
m.node("Trilu", [r, "k"], "trilu", upper=0)
m.node("Trilu", [r], "trilu", upper=0)
check(m)

# ---- generator errors (hand-made steps.json; the bundle writer hands over verified steps) ----
import json  # noqa: E402
import subprocess  # noqa: E402

VALUES = [{"id": 0, "dtype": "f32", "shape": [4, 6]}, {"id": 1, "dtype": "f32", "shape": [6, 4]},
          {"id": 2, "dtype": "i32", "shape": [1]}, {"id": 3, "dtype": "f32", "shape": [4]},
          {"id": 4, "dtype": "i64", "shape": [4]}, {"id": 5, "dtype": "i8", "shape": [4, 6]},
          {"id": 6, "dtype": "x9", "shape": [4]}, {"id": 7, "dtype": "f32", "shape": []},
          {"id": 9, "dtype": "f32", "shape": [2, 4, 6]}, {"id": 11, "dtype": "i64", "shape": [1, 1]}]
ERRORS = [
    ("transpose", [0], [1], {"perm": [0, 0]}, "perm is not a permutation"),
    ("transpose", [0], [1], {"perm": [2, 0]}, "perm entry 2 is out of range for rank 2"),
    ("transpose", [0], [1], {"perm": [0]}, "perm must list one entry per dim of rank 2"),
    ("transpose", [0], [1], {"perm": ["a", 0]}, "perm entries must be integers"),
    ("transpose", [0], [9], {"perm": [1, 0]}, "the output rank differs from the input rank"),
    ("transpose", [6], [6], {"perm": [0]}, "unsupported dtype 'x9'"),
    ("transpose", [0, 0], [1], {"perm": [1, 0]},
     "transpose takes 1 input and 1 output; the step has 2 inputs and 1 outputs"),
    ("concat", [0, 0], [1], {"axis": 5}, "axis 5 is out of range for rank 2"),
    ("concat", [0, 5], [1], {"axis": 0}, "operands of 4 and 1-byte elements (i8)"),
    ("concat", [0, 9], [1], {"axis": 0}, "every operand must have the rank 2"),
    ("concat", [7, 7], [7], {"axis": 0}, "the operands have rank 0"),
    ("concat", [0, 0], [1], {}, "the step needs the integer attribute 'axis'"),
    ("split", [0], [1, 5], {"axis": 0, "num_outputs": 2}, "operands of 4 and 1-byte"),
    ("slice", [0, 2, 2, 2, 2], [1], {}, "the starts operand is i32; expected i64"),
    ("slice", [0, -1, 4, 4, 4], [1], {}, "the starts operand is missing"),
    ("slice", [0, 11, 4, 4, 4], [1], {}, "the starts operand must be 1-D"),
    ("expand", [9, 4], [0], {}, "the input rank exceeds the output rank"),
    ("pad", [0, 4, -1], [1], {"mode": "mirror"},
     "unknown pad mode 'mirror' (expected constant, reflect, edge or wrap)"),
    ("pad", [0, 4, 5], [1], {"mode": "constant"}, "the pad value is i8 but the data is f32"),
    ("pad", [0, 4, -1], [1], {"mode": "edge", "axes": ["x"]}, "axes entries must be integers"),
    ("pad", [0, 4, -1], [1], {"mode": "edge", "axes": [0]}, "pads must have 2 entries"),
    ("trilu", [3], [3], {"upper": True}, "input must have rank >= 2, got 1"),
    ("trilu", [0, 4], [0], {"upper": True}, "k must have one element, got [4]"),
    ("trilu", [0, 2], [0], {"upper": True}, "k is i32; expected i64"),
]
if not only:
    for i, (kind, ins, outs, attrs, message) in enumerate(ERRORS):
        checked += 1
        work = os.path.join(out_dir, f"error{i}")
        os.makedirs(work)
        path = os.path.join(work, "steps.json")
        with open(path, "w") as f:
            json.dump({"values": VALUES, "steps": [{"kind": kind, "name": f"e{i}", "inputs": ins,
                                                    "outputs": outs, "attrs": attrs}]}, f)
        r = subprocess.run([emucheck.DS_OPT, "--emit=cuda-kernels", path, "-o",
                            os.path.join(work, "out")], capture_output=True, text=True)
        if r.returncode == 0 or message not in r.stderr or f"({kind} 'e{i}')" not in r.stderr:
            failures.append(f"error case {i} ({kind}): expected a failure naming '{message}',"
                            f" got {r.returncode}: {r.stderr.strip()}")

for f in failures:
    print(f)
print(f"{checked} models checked, {len(failures)} problems")
if failures:
    raise SystemExit(1)
