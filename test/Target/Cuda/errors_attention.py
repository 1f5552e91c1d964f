# Errors of the attention and rope kernel generators (lib/Target/Cuda/AttentionCodegen.cpp),
# through `ds-opt --emit=cuda-kernels` on hand-made steps.json files (the bundle writer
# only hands them verified steps): each names the file, the step and the problem.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import json
import os
import subprocess
import sys

out = sys.argv[1]
ds_opt = os.environ["DS_OPT"]


def bundle(kind, operands, attrs, n_inputs):
    """operands: [(dtype, shape) or None (absent)], inputs first, then one output."""
    values, ids = [], []
    for i, op in enumerate(operands):
        if op is None:
            ids.append(-1)
            continue
        dtype, shape = op
        value = {"id": len(values), "dtype": dtype, "shape": shape}
        value.update({"def": "input", "index": i} if i < n_inputs else {"def": "step", "step": 0})
        values.append(value)
        ids.append(value["id"])
    step = {"kind": kind, "name": "/bad", "inputs": ids[:n_inputs], "outputs": ids[n_inputs:],
            "attrs": attrs}
    return {"format_version": 1, "inputs": [i for i in ids[:n_inputs] if i >= 0],
            "outputs": ids[n_inputs:], "values": values, "steps": [step]}


Q, K, V, O = ("f32", [1, 4, 5, 8]), ("f32", [1, 2, 9, 8]), ("f32", [1, 2, 9, 8]), ("f32", [1, 4, 5, 8])
ATTRS = {"scale": 0.5, "causal": False}


def att(q=Q, k=K, v=V, mask=None, o=O, **attrs):
    return bundle("attention", [q, k, v, mask, o], dict(ATTRS, **attrs), 4)


X, CS = ("f32", [1, 2, 5, 16]), ("f32", [5, 8])


def rope(x=X, c=CS, n=None, pos=None, o=None, **attrs):
    return bundle("rope", [x, c, n or c, pos, o or x], dict({"style": "rotate_half"}, **attrs), 4)


CASES = [
    ("att-out-rank", att(o=("f32", [4, 5, 8])), "the output must be 4-D, got [4,5,8]"),
    ("att-dtype", att(q=("i32", Q[1]), k=("i32", K[1]), v=("i32", V[1]), o=("i32", O[1])),
     "query element type 'i32' is not f32, f16, bf16 or f64"),
    ("att-dtypes-differ", att(v=("f16", V[1])),
     "query, key, value and output element types differ: f32, f32, f16, f32"),
    ("att-mask-rank", att(mask=("f32", [1, 1, 1, 5, 9])), "the mask has rank 5; at most 4"),
    ("att-mask-dtype", att(mask=("i32", [5, 9])),
     "mask element type 'i32' is not i1 or a float type (f32, f16, bf16, f64)"),
    ("att-scale", bundle("attention", [Q, K, V, None, O], {"causal": True}, 4),
     "attribute 'scale' is missing or not a number"),
    ("att-window", att(window="x"), "attribute 'window' is not an integer"),
    ("rope-rank", rope(x=("f32", [2, 5, 16]), o=("f32", [2, 5, 16])),
     "the input must be 4-D [batch, heads, seq, head_dim], got [2,5,16]"),
    ("rope-dtype", rope(x=("i32", X[1])), "input element type 'i32' is not f32, f16, bf16 or f64"),
    ("rope-table-dtype", rope(c=("i32", [5, 8])),
     "cos/sin element types 'i32', 'i32' must be one float type (f32, f16, bf16, f64)"),
    ("rope-table-rank", rope(c=("f32", [1, 1, 5, 8])),
     "must be [seq, width], [batch, seq, width] or a [positions, width] table"),
    ("rope-width", rope(c=("f32", [5, 5])),
     "cos/sin width 5 must be half the rotary dim or the rotary dim 16"),
    ("rope-pos-dtype", rope(c=("f32", [20, 8]), pos=("f32", [1, 5])),
     "position_ids element type 'f32' is not i32 or i64"),
    ("rope-pos-rank", rope(c=("f32", [20, 8]), pos=("i64", [5])),
     "position_ids must be 2-D, got [5]"),
    ("rope-pos-table", rope(c=("f32", [1, 20, 8]), pos=("i64", [1, 5])),
     "with position_ids, cos/sin must be 2-D tables, got [1,20,8]"),
]

failures = []
for name, obj, expected in CASES:
    path = os.path.join(out, name + ".json")
    json.dump(obj, open(path, "w"))
    r = subprocess.run([ds_opt, "--emit=cuda-kernels", path, "-o", os.path.join(out, name)],
                       capture_output=True, text=True)
    if r.returncode == 0 or expected not in r.stderr:
        failures.append(f"{name}: expected an error with {expected!r}, got rc={r.returncode}:\n"
                        f"{r.stderr}")
    elif not r.stderr.startswith("ds-opt: error: " + path):
        failures.append(f"{name}: the message does not name the file:\n{r.stderr}")

# A valid pair of steps generates both kernels.
for name, obj in (("att-ok", att(mask=("i1", [5, 9]))), ("rope-ok", rope())):
    path = os.path.join(out, name + ".json")
    json.dump(obj, open(path, "w"))
    r = subprocess.run([ds_opt, "--emit=cuda-kernels", path, "-o", os.path.join(out, name)],
                       capture_output=True, text=True)
    kernel = json.load(open(os.path.join(out, name, "steps.json")))["steps"][0].get("kernel", {}) \
        if r.returncode == 0 else {}
    if not os.path.exists(os.path.join(out, name, kernel.get("source", "?"))):
        failures.append(f"{name}: rc={r.returncode} {r.stderr} {kernel}")
if failures:
    sys.exit("\n\n".join(failures))
print(f"ok: {len(CASES)} errors")
