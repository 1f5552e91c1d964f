# Errors of the kernel generator, through `ds-opt --emit=cuda-kernels` on hand-made
# steps.json files (the bundle writer only hands it verified programs): each names the
# step, the instruction and the offending values.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import copy
import json
import os
import subprocess
import sys

out = sys.argv[1]
ds_opt = os.environ["DS_OPT"]

VALUES = [
    {"id": 0, "dtype": "f32", "shape": [-1, 4], "def": "input", "index": 0},
    {"id": 1, "dtype": "i32", "shape": [4], "def": "input", "index": 1},
    {"id": 2, "dtype": "i1", "shape": [-1, 4], "def": "input", "index": 2},
    {"id": 3, "dtype": "f32", "shape": [-1, 4], "def": "step", "step": 0},
    {"id": 4, "dtype": "f32", "shape": [-1, 4, 1], "def": "step", "step": 0},
    {"id": 5, "dtype": "f32", "shape": [-1, 1, 1, 4], "def": "input", "index": 3},
    {"id": 6, "dtype": "x9", "shape": [4], "def": "input", "index": 4},
    {"id": 7, "dtype": "f32", "shape": [-1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
     "def": "step", "step": 0},
]


def steps(program, results=(3,), inputs=(0, 1, 2), outputs=(3,), **extra):
    attrs = {"kernel_name": "t", "program": program,
             "results": None if results is None else list(results)}
    attrs.update(extra)
    step = {"kind": "elementwise", "name": "/bad", "inputs": list(inputs),
            "outputs": list(outputs), "attrs": attrs}
    return {"format_version": 1, "inputs": [0, 1, 2], "outputs": list(outputs),
            "values": VALUES, "steps": [step]}


def unary(fn, arg=0, dtype="f32", **attrs):
    return dict({"op": "unary", "fn": fn, "args": [arg], "dtype": dtype}, **attrs)


CASES = [
    # (name, steps.json object or raw text, expected message fragment)
    ("not-json", "{", "not JSON: "),
    ("no-lists", {"steps": []}, "needs the lists 'values' and 'steps'"),
    ("bad-value", {"values": [{"id": 0}], "steps": []},
     "a value needs 'id', 'dtype' and 'shape': "),
    ("step-fields", {"values": [], "steps": [{"kind": "elementwise"}]},
     "step 0 needs 'kind' and 'attrs'"),
    ("step-inputs", {"values": [], "steps": [{"kind": "elementwise", "attrs": {}}]},
     "step 0 has no 'inputs' list"),
    ("unknown-value", steps([unary("exp")], inputs=(0, 99)),
     "step 0 names the unknown value 99"),
    ("absent", steps([unary("exp")], inputs=(0, -1)), "input 1 is absent"),
    ("input-dtype", steps([unary("exp")], inputs=(0, 6), results=(2,)),
     "input 1 has the unknown dtype 'x9'"),
    ("no-program", steps(None), "attribute 'program' is missing or not a list"),
    ("not-object", steps([3]), "instruction 0 is not an object"),
    ("no-results", steps([unary("exp")], results=None),
     "attribute 'results' is missing or not a list"),
    ("result-count", steps([unary("exp")], results=(3, 3)),
     "the program has 2 results but the step has 1 outputs"),
    ("result-register", steps([unary("exp")], results=(9,)),
     "result 0 is not one of the 4 registers"),
    ("result-dtype", steps([unary("exp")], results=(1,)),
     "output 0 is f32 but its result register 1 is i32"),
    ("op-missing", steps([{"args": [0]}]), "instruction 0: 'op' or 'dtype' is missing"),
    ("dtype", steps([unary("exp", dtype="f7")]), "instruction 0: unknown dtype 'f7'"),
    ("arg-register", steps([unary("exp", arg=3)]),
     "argument register 3 is not defined before this instruction"),
    ("arity", steps([{"op": "unary", "fn": "exp", "args": [0, 0], "dtype": "f32"}]),
     "unary takes 1 arguments, got 2"),
    ("constant-value", steps([{"op": "constant", "dtype": "f32"}]), "constant has no 'value'"),
    ("constant-number", steps([{"op": "constant", "dtype": "f32", "value": "x"}]),
     "constant value \"x\" is not a number"),
    ("unary-fn", steps([unary("cube")]), "unknown unary function 'cube'"),
    ("unary-type", steps([unary("exp", dtype="i32")]), "unary exp of f32 cannot give i32"),
    ("unary-i1", steps([unary("exp", arg=2, dtype="i1")], results=(2,)),
     "'exp' is not defined on i1 elements"),
    ("not", steps([unary("not")]), "'not' needs i1 elements, got f32"),
    ("bitwise-not", steps([unary("bitwise_not")]),
     "'bitwise_not' needs integer elements, got f32"),
    ("float-fn", steps([unary("exp", arg=1, dtype="i32")], results=(1,)),
     "'exp' needs floating-point elements, got i32"),
    ("alpha", steps([unary("elu", alpha="big")]), "attribute 'alpha' is not a number"),
    ("binary-fn", steps([{"op": "binary", "fn": "hypot", "args": [0, 0], "dtype": "f32"}]),
     "unknown binary function 'hypot'"),
    ("binary-types", steps([{"op": "binary", "fn": "add", "args": [0, 1], "dtype": "f32"}]),
     "binary add operands have different element types: f32 and i32"),
    ("binary-result", steps([{"op": "binary", "fn": "add", "args": [0, 0], "dtype": "i32"}]),
     "binary add of f32 cannot give i32"),
    ("logical", steps([{"op": "binary", "fn": "and", "args": [0, 0], "dtype": "f32"}]),
     "'and' needs i1 elements, got f32"),
    ("bitwise", steps([{"op": "binary", "fn": "shift_left", "args": [0, 0], "dtype": "f32"}]),
     "'shift_left' needs integer elements, got f32"),
    ("binary-i1", steps([{"op": "binary", "fn": "add", "args": [2, 2], "dtype": "i1"}],
                        results=(2,)),
     "'add' is not defined on i1 elements"),
    ("compare-fn", steps([{"op": "compare", "fn": "near", "args": [0, 0], "dtype": "i1"}]),
     "unknown compare function 'near'"),
    ("compare-types", steps([{"op": "compare", "fn": "eq", "args": [0, 1], "dtype": "i1"}]),
     "compare operands have different element types: f32 and i32"),
    ("compare-result", steps([{"op": "compare", "fn": "eq", "args": [0, 0], "dtype": "f32"}]),
     "compare gives i1, but the result type is f32"),
    ("select-cond", steps([{"op": "select", "args": [0, 0, 0], "dtype": "f32"}]),
     "select condition must be i1, got f32"),
    ("select-branches", steps([{"op": "select", "args": [2, 0, 1], "dtype": "f32"}]),
     "select branches must both be f32"),
    ("saturate", steps([{"op": "cast", "args": [0], "dtype": "f32", "saturate": "yes"}]),
     "'saturate' is not a boolean"),
    ("op", steps([{"op": "gather", "args": [0], "dtype": "f32"}]),
     "'op' must be one of unary, binary, compare, select, cast, constant; got 'gather'"),
    ("no-outputs", steps([unary("exp")], results=(), outputs=()),
     "an elementwise step needs at least one output"),
    ("operands", steps([unary("exp")], inputs=(0,) * 16),
     "the step has 17 operands; a kernel takes at most 16 (DS_MAX_OPERANDS)"),
    ("ranks", steps([unary("exp")], results=(3, 3), outputs=(3, 4)),
     "outputs 0 and 1 have different ranks"),
    ("input-rank", steps([unary("exp")], inputs=(0, 5), results=(2,)),
     "input 1 [?,1,1,4] has a higher rank than the output [?,4]"),
    ("dims", steps([unary("exp")], inputs=(7,) * 4, results=(4,), outputs=(7,)),
     "the operands have 80 dims in all; a kernel with dynamic dims reads at most 64 "
     "(DS_MAX_DIMS)"),
]

failures = []
for name, content, expected in CASES:
    path = os.path.join(out, name + ".json")
    with open(path, "w") as f:
        f.write(content if isinstance(content, str) else json.dumps(content))
    r = subprocess.run([ds_opt, "--emit=cuda-kernels", path, "-o", os.path.join(out, name)],
                       capture_output=True, text=True)
    if r.returncode == 0 or expected not in r.stderr:
        failures.append(f"{name}: expected an error with {expected!r}, got rc={r.returncode}:\n"
                        f"{r.stderr}")
    elif not r.stderr.startswith("ds-opt: error: " + path):
        failures.append(f"{name}: the message does not name the file:\n{r.stderr}")

# Generation errors inside a bundle name the step and the way out.
r = subprocess.run([ds_opt, "--emit=cuda-kernels", os.path.join(out, "missing.json"), "-o",
                    os.path.join(out, "m")], capture_output=True, text=True)
if r.returncode == 0 or "cannot read '" not in r.stderr:
    failures.append(f"missing input: {r.stderr}")
r = subprocess.run([ds_opt, "--emit=cuda-kernels", os.path.join(out, "not-json.json")],
                   capture_output=True, text=True)
if r.returncode == 0 or "--emit=cuda-kernels writes a directory: give it with -o DIR" not in r.stderr:
    failures.append(f"no -o: {r.stderr}")
os.makedirs(os.path.join(out, "blocked", "steps.json"))
good = steps([unary("exp")], results=(1,), inputs=(0,))
path = os.path.join(out, "good.json")
json.dump(good, open(path, "w"))
r = subprocess.run([ds_opt, "--emit=cuda-kernels", path, "-o", os.path.join(out, "blocked")],
                   capture_output=True, text=True)
if r.returncode == 0 or "cannot write '" not in r.stderr:
    failures.append(f"unwritable steps.json: {r.stderr}")
r = subprocess.run([ds_opt, "--emit=cuda-kernels", path, "-o", os.path.join(out, "good")],
                   capture_output=True, text=True)
regenerated = json.load(open(os.path.join(out, "good", "steps.json")))
kernel = regenerated["steps"][0].get("kernel", {})
if r.returncode != 0 or not os.path.exists(os.path.join(out, "good", kernel.get("source", "?"))):
    failures.append(f"valid steps.json: rc={r.returncode} {r.stderr} {kernel}")
if failures:
    sys.exit("\n\n".join(failures))
print(f"ok: {len(CASES)} errors")
