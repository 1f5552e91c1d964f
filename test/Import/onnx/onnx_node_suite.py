"""The ONNX backend node tests shipped in the onnx package: discovery, scope and the
expected-failure lists shared by the import harness (node_tests.py) and the execution
conformance harness (test/Conformance/node_conformance.py)."""
import glob
import os
import re
import subprocess
import sys

import onnx

# ai.onnx ops ds imports; a node test is in scope when its graph uses only these.
OPS = set("""
Add Sub Mul Div Pow Mod Neg Abs Sign Exp Log Sqrt Reciprocal Floor Ceil Round Tanh Erf
Sigmoid Relu LeakyRelu PRelu Gelu Elu Selu Celu Softplus Softsign Mish HardSigmoid
HardSwish ThresholdedRelu Shrink Cos Sin Tan Asin Acos Atan Sinh Cosh Asinh Acosh Atanh
IsInf IsNaN Not And Or Xor BitShift BitwiseAnd BitwiseOr BitwiseXor BitwiseNot Equal Less
LessOrEqual Greater GreaterOrEqual Max Min Sum Mean Clip Where Cast CastLike MatMul Gemm
Einsum Softmax LogSoftmax Hardmax LayerNormalization RMSNormalization ReduceSum ReduceMean
ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceSumSquare ReduceLogSum
ReduceLogSumExp ArgMax ArgMin CumSum TopK Reshape Transpose Concat Slice Split Squeeze
Unsqueeze Flatten Expand Tile Pad Gather GatherElements GatherND ScatterElements ScatterND
Shape Size Range ConstantOfShape Constant Identity Dropout Trilu NonZero OneHot EyeLike
QuantizeLinear DequantizeLinear DynamicQuantizeLinear Attention RotaryEmbedding
""".split())

TIMEOUT_S = 60
NEEDS_CONSTANT = re.compile(r"input #\d+ \('([^']+)'[^)]*\) must be a constant")


def node_test_dir():
    return os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")


def graph_ops(graph):
    """(domain, op type) of every node, subgraphs included."""
    ops = set()
    for n in graph.node:
        ops.add((n.domain or "ai.onnx", n.op_type))
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                ops |= graph_ops(a.g)
            for g in a.graphs:
                ops |= graph_ops(g)
    return ops


def model_opset(model):
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx"):
            return imp.version
    return 0


def discover(filters=()):
    """Every node test as (name, model path, model, sorted op types, in scope)."""
    for path in sorted(glob.glob(os.path.join(node_test_dir(), "*", "model.onnx"))):
        name = os.path.basename(os.path.dirname(path))
        if filters and not any(f in name for f in filters):
            continue
        model = onnx.load(path, load_external_data=False)
        ops = graph_ops(model.graph)
        in_scope = bool(ops) and all(d in ("ai.onnx", "") and t in OPS for d, t in ops)
        yield name, path, model, sorted({t for _, t in ops}), in_scope


def read_xfail(path):
    """`test_name  reason` lines; every entry must carry a reason."""
    entries = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{path}:{lineno}: '{name}' has no reason")
            entries[name] = reason.strip()
    return entries


def data_sets(path):
    return sorted(glob.glob(os.path.join(os.path.dirname(path), "test_data_set_*")))


def read_tensors(data_dir, prefix):
    """[(name, file, TensorProto)] of input_K.pb / output_K.pb in K order."""
    files = glob.glob(os.path.join(data_dir, f"{prefix}_*.pb"))
    files.sort(key=lambda f: int(re.search(r"_(\d+)\.pb$", f).group(1)))
    out = []
    for f in files:
        t = onnx.TensorProto()
        with open(f, "rb") as fh:
            t.ParseFromString(fh.read())
        out.append((t.name, f, t))
    return out


def test_inputs(path):
    """Graph input name -> its input_K.pb of the test's first data set."""
    sets = data_sets(path)
    if not sets:
        return {}
    return {name: f for name, f, _ in read_tensors(sets[0], "input")}


def run_ds_opt(ds_opt, path, extra_args):
    """Runs ds-opt on a node test, binding shape-determining inputs to the test's own
    data when ds-opt asks for them. Returns (ok, bound {name: file}, message)."""
    bound = {}
    while True:
        args = [ds_opt, path] + extra_args
        args += [f"--bind-input={n}=@{f}" for n, f in bound.items()]
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return False, bound, f"timed out after {TIMEOUT_S} s"
        if p.returncode == 0:
            return True, bound, ""
        msg = p.stderr.strip().replace(path + ": ", "")
        if p.returncode < 0:
            return False, bound, f"crashed with signal {-p.returncode}: " + msg[-2000:]
        available = test_inputs(path)
        wanted = [n for n in NEEDS_CONSTANT.findall(msg) if n in available and n not in bound]
        if not wanted:
            return False, bound, msg
        for n in wanted:
            bound[n] = available[n]
