# The ONNX backend node tests shipped in the onnx package, imported with ds-opt.
# A test is in scope when every op of its graph is in OPS (ai.onnx); each in-scope
# model must import to verified IR, except the entries of node_tests_xfail.txt
# (`test_name  reason`), which must fail: the list is strict, so a listed test that
# imports fails the run, and so does an entry that names no in-scope test.
#
# ds needs axes, K, pads and other shape-determining operands at compile time. Where a
# node test feeds one as a graph input, the import is retried with that input bound to
# the test's own data (`--bind-input=NAME=@test_data_set_0/input_K.pb`), exactly as a
# user specializes such an input; those tests are counted separately.
#
#   python node_tests.py [-v] [SUBSTRING...]   (DS_OPT=path/to/ds-opt)
#
# RUN: %python %s
import collections
import concurrent.futures
import glob
import os
import subprocess
import sys

import re

import onnx

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

HERE = os.path.dirname(os.path.abspath(__file__))
XFAIL = os.path.join(HERE, "node_tests_xfail.txt")
TIMEOUT_S = 60


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


def read_xfail():
    entries = {}
    with open(XFAIL) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{XFAIL}:{lineno}: '{name}' has no reason")
            entries[name] = reason.strip()
    return entries


NEEDS_CONSTANT = re.compile(r"input #\d+ \('([^']+)'[^)]*\) must be a constant")


def test_inputs(path):
    """Graph input name -> its input_K.pb of the test's first data set."""
    files = {}
    data = os.path.join(os.path.dirname(path), "test_data_set_0")
    for f in sorted(glob.glob(os.path.join(data, "input_*.pb"))):
        t = onnx.TensorProto()
        with open(f, "rb") as fh:
            t.ParseFromString(fh.read())
        files[t.name] = f
    return files


def run_one(ds_opt, path):
    """(imported, bound input names, message)."""
    bound = {}
    while True:
        args = [ds_opt, path, "-o", os.devnull]
        args += [f"--bind-input={n}=@{f}" for n, f in bound.items()]
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return False, sorted(bound), f"timed out after {TIMEOUT_S} s"
        if p.returncode == 0:
            return True, sorted(bound), ""
        msg = p.stderr.strip().replace(path + ": ", "")
        if p.returncode < 0:
            return False, sorted(bound), f"crashed with signal {-p.returncode}: " + msg[-2000:]
        available = test_inputs(path)
        wanted = [n for n in NEEDS_CONSTANT.findall(msg) if n in available and n not in bound]
        if not wanted:
            return False, sorted(bound), msg
        for n in wanted:
            bound[n] = available[n]


def main(argv):
    verbose = "-v" in argv
    filters = [a for a in argv if a != "-v"]
    ds_opt = os.environ.get("DS_OPT", "ds-opt")
    xfail = read_xfail()

    in_scope = {}  # test name -> model path
    ops_of = {}
    for path in sorted(glob.glob(os.path.join(node_test_dir(), "*", "model.onnx"))):
        name = os.path.basename(os.path.dirname(path))
        if filters and not any(f in name for f in filters):
            continue
        ops = graph_ops(onnx.load(path, load_external_data=False).graph)
        if ops and all(d in ("ai.onnx", "") and t in OPS for d, t in ops):
            in_scope[name] = path
            ops_of[name] = sorted(t for _, t in ops)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(in_scope, pool.map(lambda p: run_one(ds_opt, p),
                                               in_scope.values())))

    unexpected_fail, unexpected_pass, expected = [], [], []
    per_op = collections.defaultdict(lambda: [0, 0])  # op -> [in scope, imported]
    with_bound = []
    for name, (ok, bound, msg) in sorted(results.items()):
        if ok and bound:
            with_bound.append((name, bound))
        for op in set(ops_of[name]):
            per_op[op][0] += 1
            per_op[op][1] += ok
        if name in xfail:
            (unexpected_pass if ok else expected).append(name)
        elif not ok:
            unexpected_fail.append((name, msg))
    stale = [] if filters else sorted(set(xfail) - set(in_scope))

    imported = sum(ok for ok, _, _ in results.values())
    print(f"in scope: {len(in_scope)}, imported: {imported} "
          f"({len(with_bound)} with shape-determining inputs bound to the test's data), "
          f"expected failures: {len(expected)}")
    print("per op (imported/in scope):")
    for op in sorted(per_op):
        n, ok = per_op[op]
        print(f"  {op:24} {ok}/{n}")
    if verbose:
        for name, bound in with_bound:
            print(f"BOUND {name}: {', '.join(bound)}")
        for name in expected:
            print(f"XFAIL {name}: {xfail[name]}")
    for name, msg in unexpected_fail:
        lines = [l.strip() for l in msg.splitlines()] or ["(no message)"]
        short = " ".join(lines[:3]) + (" ..." if len(lines) > 3 else "")
        print(f"FAIL {name} [{' '.join(ops_of[name])}]: {msg if verbose else short}")
    for name in unexpected_pass:
        print(f"XPASS {name}: listed in node_tests_xfail.txt ({xfail[name]}) but imports")
    for name in stale:
        print(f"STALE {name}: listed in node_tests_xfail.txt but not an in-scope test")
    bad = len(unexpected_fail) + len(unexpected_pass) + len(stale)
    print(f"unexpected: {len(unexpected_fail)} failures, {len(unexpected_pass)} passes, "
          f"{len(stale)} stale entries")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
