# Every generated DeepSeek-style model emits a bundle, with dynamic batch/sequence dims
# and with static ones (--input-shape), with inline and with external weights. Each
# bundle is checked against the format (docs/bundle.md) by rules written here
# independently of the compiler: value and step numbering, operand order, elementwise
# programs, weights.bin against the weight values, and, for static plans, that no two
# values live at the same time share arena bytes (liveness recomputed from steps.json).
# RUN: rm -rf %t && %python -m dsgen --out %t > /dev/null
# RUN: %python %s %t
import json
import os
import struct
import subprocess
import sys

import dsgen

out = sys.argv[1]
ds_opt = os.environ["DS_OPT"]
ELEMENT_BYTES = {"f32": 4, "f16": 2, "bf16": 2, "f64": 8, "f8E4M3FN": 1, "f8E5M2": 1,
                 "i1": 1, "i8": 1, "i16": 2, "i32": 4, "i64": 8, "ui8": 1, "ui16": 2,
                 "ui32": 4, "ui64": 8}
PROGRAM_OPS = {"unary": 1, "binary": 2, "compare": 2, "select": 3, "cast": 1, "constant": 0}
VIEW_KINDS = {"reshape", "squeeze", "unsqueeze", "flatten"}


def fail(bundle, msg):
    sys.exit(f"{bundle}: {msg}")


def nbytes(v):
    n = ELEMENT_BYTES[v["dtype"]]
    for d in v["shape"]:
        n *= d
    return n


def check(bundle, static):
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    manifest = json.load(open(os.path.join(bundle, "manifest.json")))
    values, step_list = steps["values"], steps["steps"]
    if steps["format_version"] != 1 or manifest["format_version"] != 1:
        fail(bundle, "format_version is not 1")
    names = [i["name"] for i in manifest["inputs"]]
    if names != ["input_ids", "attention_mask"]:
        fail(bundle, f"manifest inputs {names}")
    want_dims = [["", ""]] * 2 if static else [["batch", "sequence"]] * 2
    if [i["dims"] for i in manifest["inputs"]] != want_dims:
        fail(bundle, f"input dims {[i['dims'] for i in manifest['inputs']]}")
    if [o["name"] for o in manifest["outputs"]] != ["logits"]:
        fail(bundle, "manifest outputs")
    for i, v in enumerate(values):
        if v["id"] != i:
            fail(bundle, f"value {i} has id {v['id']}")
        if v["dtype"] not in ELEMENT_BYTES:
            fail(bundle, f"value {i} has dtype {v['dtype']}")
        if static and -1 in v["shape"]:
            fail(bundle, f"value {i} is dynamic in a static bundle")
    graph_outputs = set(steps["outputs"])

    # Steps: operands defined before use, outputs defined by the step.
    defined = {v["id"] for v in values if v["def"] in ("input", "weight")}
    for s, step in enumerate(step_list):
        for i in step["inputs"]:
            if i != -1 and i not in defined:
                fail(bundle, f"step {s} ({step['kind']}) reads value {i} before it is defined")
        for o in step["outputs"]:
            if values[o]["def"] != "step" or values[o]["step"] != s:
                fail(bundle, f"value {o} is not defined by step {s}")
            defined.add(o)
        if step["kind"] == "elementwise":
            n = len(step["inputs"])
            for k, inst in enumerate(step["attrs"]["program"]):
                if len(inst.get("args", [])) != PROGRAM_OPS[inst["op"]]:
                    fail(bundle, f"step {s} instruction {k}: {inst}")
                if any(a < 0 or a >= n + k for a in inst.get("args", [])):
                    fail(bundle, f"step {s} instruction {k} reads a later register: {inst}")
            regs = n + len(step["attrs"]["program"])
            if len(step["attrs"]["results"]) != len(step["outputs"]) or any(
                    r >= regs for r in step["attrs"]["results"]):
                fail(bundle, f"step {s} results {step['attrs']['results']}")
            shapes = {tuple(values[o]["shape"]) for o in step["outputs"]}
            if len(shapes) != 1:
                fail(bundle, f"step {s} has outputs of several shapes {shapes}")
        elif -1 in step["inputs"][:1]:
            fail(bundle, f"step {s} lacks its first operand")
        if step["kind"] in VIEW_KINDS:
            v = values[step["outputs"][0]]
            if v.get("alias_of") != step["inputs"][0]:
                fail(bundle, f"view step {s} output does not alias its input: {v}")

    # weights.bin matches the weight values.
    data = open(os.path.join(bundle, "weights.bin"), "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    if (8 + n) % 64:
        fail(bundle, "weights data section not aligned")
    weights = {v["weight"]: v for v in values if v["def"] == "weight"}
    if set(weights) != set(header):
        fail(bundle, "weights.bin header and weight values differ")
    for name, e in header.items():
        if e["offset"] % 64 or e["length"] != nbytes(weights[name]) or \
                8 + n + e["offset"] + e["length"] > len(data):
            fail(bundle, f"weight {name}: {e}")

    plan = steps["memory_plan"]
    if plan["static"] != static or manifest["memory_plan"] != plan:
        fail(bundle, f"memory plan {plan}")
    if not static:
        if any("offset" in v for v in values):
            fail(bundle, "a dynamic bundle has offsets")
        return

    # Storage = a step value with an offset, merged with the values computed in place
    # of it; live from its first definition to the last use of any member or of a view
    # of one (graph outputs that are views: to the end).
    last_step = len(step_list)
    root = {}

    def find(v):
        while root.get(v, v) != v:
            v = root[v]
        return v

    base = {}  # view -> the value it aliases, transitively
    for v in values:
        if "alias_of" in v:
            b = v["alias_of"]
            base[v["id"]] = base.get(b, b)
        if "inplace_of" in v:
            src = base.get(v["inplace_of"], v["inplace_of"])
            root[v["id"]] = find(src)
    live = {}
    for v in values:
        if v["def"] != "step" or "alias_of" in v:
            continue
        if v["id"] in graph_outputs:
            if "offset" in v:
                fail(bundle, f"graph output {v['id']} has an arena offset")
            continue
        if "offset" not in v:
            fail(bundle, f"value {v['id']} has no offset in a static bundle")
        if v["offset"] % 64 or v["offset"] + nbytes(v) > plan["arena_bytes"]:
            fail(bundle, f"value {v['id']} at {v['offset']} (+{nbytes(v)}) "
                         f"outside the {plan['arena_bytes']}-byte arena")
        r = find(v["id"])
        if values[r].get("offset") != v["offset"]:
            fail(bundle, f"in-place value {v['id']} is not at its input's offset")
        lo, hi = live.get(r, (v["step"], v["step"]))
        live[r] = (min(lo, v["step"]), max(hi, v["step"]))
    for s, step in enumerate(step_list):
        for i in step["inputs"]:
            if i == -1:
                continue
            b = base.get(i, i)
            if values[b]["def"] == "step" and b not in graph_outputs:
                r = find(b)
                live[r] = (live[r][0], max(live[r][1], s))
    for o in graph_outputs:
        b = base.get(o, o)
        if b != o and values[b]["def"] == "step" and b not in graph_outputs:
            r = find(b)
            live[r] = (live[r][0], last_step)
    for v in values:
        if "inplace_of" in v:
            src = find(base.get(v["inplace_of"], v["inplace_of"]))
            if nbytes(v) != nbytes(values[v["inplace_of"]]):
                fail(bundle, f"in-place value {v['id']} changes the byte size")
            if v["inplace_of"] not in step_list[v["step"]]["inputs"]:
                fail(bundle, f"value {v['id']} is in place of a value its step does not read")
    items = [(r, values[r]["offset"], max(nbytes(values[m["id"]]) for m in values
                                           if m["def"] == "step" and "alias_of" not in m
                                           and m["id"] not in graph_outputs and find(m["id"]) == r),
              live[r]) for r in live]
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            ra, oa, sa, (la, ha) = items[a]
            rb, ob, sb, (lb, hb) = items[b]
            if la <= hb and lb <= ha and oa < ob + sb and ob < oa + sa and sa and sb:
                fail(bundle, f"values {ra} [{oa}, {oa + sa}) live {la}..{ha} and {rb} "
                             f"[{ob}, {ob + sb}) live {lb}..{hb} overlap")
    peak = max((o + s for _, o, s, _ in items), default=0)
    if plan["arena_bytes"] < peak or plan["arena_bytes"] - peak >= 64:
        fail(bundle, f"arena_bytes {plan['arena_bytes']} for a peak of {peak}")


def emit(model, bundle, *extra):
    r = subprocess.run([ds_opt, model, "--emit=bundle", "-o", bundle, *extra],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{model} {' '.join(extra)} failed:\n{r.stderr}")


for name in dsgen.CONFIGS:
    model = os.path.join(out, name + ".onnx")
    emit(model, os.path.join(out, name + ".dsb"))
    check(os.path.join(out, name + ".dsb"), static=False)
    emit(model, os.path.join(out, name + "-static.dsb"),
         "--input-shape=input_ids:2x5,attention_mask:2x5")
    check(os.path.join(out, name + "-static.dsb"), static=True)

# External data: the bytes are copied from the .data file, identical to the inline run.
ext = os.path.join(out, "external")
os.makedirs(ext, exist_ok=True)
dsgen.save(dsgen.build("deepseek_v3"), os.path.join(ext, "deepseek_v3.onnx"),
           external_data=True)
emit(os.path.join(ext, "deepseek_v3.onnx"), os.path.join(ext, "deepseek_v3.dsb"))
check(os.path.join(ext, "deepseek_v3.dsb"), static=False)


def weight_bytes(bundle):
    data = open(os.path.join(bundle, "weights.bin"), "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    return sorted(data[8 + n + e["offset"]:8 + n + e["offset"] + e["length"]]
                  for e in header.values())


if weight_bytes(os.path.join(ext, "deepseek_v3.dsb")) != \
        weight_bytes(os.path.join(out, "deepseek_v3.dsb")):
    sys.exit("external-data bundle has other weight bytes than the inline one")
print("ok")
