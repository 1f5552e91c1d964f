"""ONNX backend node tests (from the onnx package, opset <= 23) run through the whole
pipeline: import -> bundle (ds-opt --emit=bundle) -> ds-run on a device -> outputs
compared with the test's expected outputs.

Tolerances per output dtype (|got - expected| <= atol + rtol * |expected|):
  f32 1e-4 / 1e-5, f16 1e-3 / 2.5e-3, bf16 1e-2 / 2e-2, f64 1e-7 / 1e-9;
  integers, bools and float8 exactly (any float8 NaN encoding matches another);
  NaN and +-Inf must appear where expected.

Expected failures live in node_conformance_xfail.txt (`test_name  reason`); the list is
strict: a listed test that passes fails the run, and so does an entry naming no test.
Tests outside ds's op scope, above opset 23, or whose import is an expected failure of
the import harness (test/Import/onnx/node_tests_xfail.txt) are skipped.

  python node_conformance.py [--device=cpu] [-v] [--json=FILE] [--jobs=N] [SUBSTRING...]
  (DS_OPT and DS_RUN name the tools; default build/bin/)
"""
import argparse
import collections
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "Import", "onnx"))
import onnx_node_suite as suite  # noqa: E402

XFAIL = os.path.join(HERE, "node_conformance_xfail.txt")
IMPORT_XFAIL = os.path.join(ROOT, "test", "Import", "onnx", "node_tests_xfail.txt")
MAX_OPSET = 23
TOLERANCES = {  # numpy dtype name -> (rtol, atol)
    "float32": (1e-4, 1e-5),
    "float16": (1e-3, 2.5e-3),
    "bfloat16": (1e-2, 2e-2),
    "float64": (1e-7, 1e-9),
}

RAW_DTYPES = {"bfloat16": ":bf16", "float8_e4m3fn": ":f8E4M3FN", "float8_e5m2": ":f8E5M2"}


def compare(name, got, expected):
    """None when `got` matches `expected`, else a one-line reason."""
    if got.shape != expected.shape:
        return f"output '{name}': shape {got.shape}, expected {expected.shape}"
    kind = expected.dtype.name
    if got.dtype != expected.dtype:
        if got.dtype.itemsize == expected.dtype.itemsize and got.dtype.kind == "V":
            got = got.view(expected.dtype)
        else:
            return f"output '{name}': dtype {got.dtype}, expected {expected.dtype}"
    if expected.size == 0:
        return None
    if kind in TOLERANCES:
        rtol, atol = TOLERANCES[kind]
        g, e = got.astype(np.float64), expected.astype(np.float64)
        nan_e, nan_g = np.isnan(e), np.isnan(g)
        if (nan_e != nan_g).any():
            i = np.unravel_index(np.argmax(nan_e != nan_g), e.shape)
            return f"output '{name}': NaN mismatch at {list(i)}: got {g[i]}, expected {e[i]}"
        inf_e = np.isinf(e)
        if (np.isinf(g) != inf_e).any() or (g[inf_e] != e[inf_e]).any():
            bad = (np.isinf(g) != inf_e) | (inf_e & (g != e))
            i = np.unravel_index(np.argmax(bad), e.shape)
            return f"output '{name}': Inf mismatch at {list(i)}: got {g[i]}, expected {e[i]}"
        finite = ~(nan_e | inf_e)
        err = np.where(finite, np.abs(g - e) - (atol + rtol * np.abs(e)), -1.0)
        if (err > 0).any():
            i = np.unravel_index(np.argmax(err), e.shape)
            return (f"output '{name}' ({kind}): worst element {list(i)} got {g[i]!r} "
                    f"expected {e[i]!r} (|diff| {abs(g[i] - e[i]):.3g} > "
                    f"{atol} + {rtol}*|expected|)")
        return None
    # Integers, bools, float8: bit-exact, except that any float8 NaN encoding matches
    # any other (e5m2 has six).
    gv, ev = got, expected
    if kind.startswith("float8"):
        nan_g, nan_e = np.isnan(got.astype(np.float32)), np.isnan(expected.astype(np.float32))
        if (nan_g != nan_e).any():
            i = np.unravel_index(np.argmax(nan_g != nan_e), ev.shape)
            return f"output '{name}' ({kind}): NaN mismatch at {list(i)}: got {got[i]!r} expected {expected[i]!r}"
        gv = np.where(nan_e, 0, got.view(np.uint8))
        ev = np.where(nan_e, 0, expected.view(np.uint8))
    if not np.array_equal(gv, ev):
        i = np.unravel_index(np.argmax(gv != ev), ev.shape)
        return f"output '{name}' ({kind}): element {list(i)} got {got[i]!r} expected {expected[i]!r}"
    return None


def run_test(ds_opt, ds_run, device, name, path, workdir):
    """('pass' | 'fail', message)."""
    bundle = os.path.join(workdir, name + ".dsb")
    ok, bound, msg = suite.run_ds_opt(ds_opt, path, ["--emit=bundle", "-o", bundle])
    if not ok:
        return "fail", "compile: " + msg
    for data_dir in suite.data_sets(path):
        set_dir = os.path.join(workdir, name + "." + os.path.basename(data_dir))
        os.makedirs(set_dir, exist_ok=True)
        args = [ds_run, bundle, f"--device={device}"]
        for in_name, _, tensor in suite.read_tensors(data_dir, "input"):
            if in_name in bound:
                continue
            f = os.path.join(set_dir, f"in_{len(args)}.npy")
            array = numpy_helper.to_array(tensor)
            np.save(f, array)
            # .npy stores ml_dtypes arrays as raw bytes ('<V2'); say what they hold.
            suffix = RAW_DTYPES.get(array.dtype.name, "")
            args.append(f"--input={in_name}=@{f}{suffix}")
        expected = suite.read_tensors(data_dir, "output")
        outs = []
        for k, _ in enumerate(expected):
            outs.append(os.path.join(set_dir, f"out_{k}.npy"))
            args.append(f"--output=@{outs[-1]}")
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=suite.TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return "fail", f"run: timed out after {suite.TIMEOUT_S} s"
        if p.returncode != 0:
            sig = f"crashed with signal {-p.returncode}: " if p.returncode < 0 else ""
            return "fail", "run: " + sig + (p.stderr.strip() or p.stdout.strip())[-1500:]
        for (out_name, _, tensor), f in zip(expected, outs):
            reason = compare(out_name, np.load(f), numpy_helper.to_array(tensor))
            if reason:
                return "fail", reason
    return "pass", ""


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("filters", nargs="*")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", help="write the summary here")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--keep", help="keep bundles and outputs in this directory")
    ap.add_argument("--max-opset", type=int, default=MAX_OPSET,
                    help=f"run tests up to this opset (default {MAX_OPSET}, the issue's scope)")
    args = ap.parse_args(argv)
    build = os.environ.get("DS_BUILD_DIR", os.path.join(ROOT, "build"))
    ds_opt = os.environ.get("DS_OPT", os.path.join(build, "bin", "ds-opt"))
    ds_run = os.environ.get("DS_RUN", os.path.join(build, "bin", "ds-run"))

    xfail = suite.read_xfail(XFAIL)
    import_xfail = suite.read_xfail(IMPORT_XFAIL)
    tests, skipped, ops_of = {}, collections.Counter(), {}
    known = set()
    for name, path, model, ops, in_scope in suite.discover(args.filters):
        known.add(name)
        ops_of[name] = ops
        if not in_scope:
            skipped["ops outside ds's scope"] += 1
        elif suite.model_opset(model) > args.max_opset:
            skipped[f"opset > {args.max_opset}"] += 1
        elif name in import_xfail:
            skipped["expected import failure"] += 1
        else:
            tests[name] = path

    workdir = args.keep or tempfile.mkdtemp(prefix="ds-conformance-")
    os.makedirs(workdir, exist_ok=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = {n: pool.submit(run_test, ds_opt, ds_run, args.device, n, p, workdir)
                       for n, p in tests.items()}
            results = {n: f.result() for n, f in futures.items()}
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    passed, failed, xfailed, xpassed = [], [], [], []
    per_op = collections.defaultdict(lambda: [0, 0])  # op -> [passed, run]
    for name in sorted(results):
        status, msg = results[name]
        for op in ops_of[name]:
            per_op[op][1] += 1
            per_op[op][0] += status == "pass"
        if name in xfail:
            (xpassed if status == "pass" else xfailed).append(name)
        elif status == "pass":
            passed.append(name)
        else:
            failed.append((name, msg))
    stale = [] if args.filters else sorted(set(xfail) - set(tests))

    print(f"ONNX node tests on {args.device}: opset <= {args.max_opset}")
    print("per op (passed/run):")
    for op in sorted(per_op):
        ok, n = per_op[op]
        print(f"  {op:24} {ok}/{n}")
    for reason, n in sorted(skipped.items()):
        print(f"skipped: {n} ({reason})")
    if args.verbose:
        for name in xfailed:
            print(f"XFAIL {name}: {xfail[name]}")
    for name, msg in failed:
        lines = [l.strip() for l in msg.splitlines() if l.strip()] or ["(no message)"]
        text = msg if args.verbose else " ".join(lines[:2]) + (" ..." if len(lines) > 2 else "")
        print(f"FAIL {name} [{' '.join(ops_of[name])}]: {text}")
    for name in xpassed:
        print(f"XPASS {name}: listed in {os.path.basename(XFAIL)} ({xfail[name]}) but passes")
    for name in stale:
        print(f"STALE {name}: listed in {os.path.basename(XFAIL)} but not run")
    n_failed = len(failed) + len(xpassed) + len(stale)
    n_skipped = sum(skipped.values())
    print(f"expected failures: {len(xfailed)}")
    print(f"{len(passed)} passed, {n_failed} failed, {n_skipped} skipped")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"passed": len(passed), "failed": n_failed, "skipped": n_skipped,
                       "expected_failures": len(xfailed),
                       "failures": [n for n, _ in failed] + xpassed + stale}, f)
    return 1 if n_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
