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
import os
import sys

import onnx_node_suite as suite

HERE = os.path.dirname(os.path.abspath(__file__))
XFAIL = os.path.join(HERE, "node_tests_xfail.txt")


def run_one(ds_opt, path):
    """(imported, bound input names, message)."""
    ok, bound, msg = suite.run_ds_opt(ds_opt, path, ["-o", os.devnull])
    return ok, sorted(bound), msg


def main(argv):
    verbose = "-v" in argv
    filters = [a for a in argv if a != "-v"]
    ds_opt = os.environ.get("DS_OPT", "ds-opt")
    xfail = suite.read_xfail(XFAIL)

    in_scope = {}  # test name -> model path
    ops_of = {}
    for name, path, _, ops, scoped in suite.discover(filters):
        if scoped:
            in_scope[name] = path
            ops_of[name] = ops

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
