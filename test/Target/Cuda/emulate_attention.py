# The generated attention and rope kernels (runtime/kernels/attention.cuh, rope.cuh)
# compute what the cpu backend computes: ds programs with one attention or rope step
# (every dtype, causal / window / softcap, additive and i1 masks of several ranks and
# broadcasts, GQA and MQA, Sq != Skv, decode, dk != dv, odd lengths, static and dynamic
# dims) run through ds-run on cpu and on emulate (DS_EMULATE_STRICT=1: no step may fall
# back to the cpu), plus ONNX models whose importer forms give attention / rope steps.
#
# Tolerances: both sides compute in f32 (f64 for f64) with the same formulas; the
# summation orders differ (dot products, softmax sums, the merge of key-split warps), so
# f32 compares to 2e-5 relative + 2e-6 absolute and f64 to 1e-12. f16 / bf16 attention
# runs on tensor cores: P (the softmax weights, in [0, 1]) is rounded to the input type
# before P V (as FlashAttention does), a relative error of 2^-11 (f16) / 2^-8 (bf16) per
# weight, and the f32 result then rounds to the output type (half an ulp, which the cpu
# may round the other way: one ulp). Values are in [-1, 1], so: f16 4e-3 relative + 1e-3
# absolute, bf16 1.6e-2 + 8e-3 (measured maxima: 5e-4 / 3.9e-3 absolute). rope computes
# the same two products and a sum on both sides: one ulp of the output type. NaN (a row
# that sees no key, an out-of-table position) must match NaN.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import concurrent.futures
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emucheck  # noqa: E402
import emulate  # noqa: E402
from emulate import NP_DTYPES  # noqa: E402

out = sys.argv[1]
only = sys.argv[2:]
ds_opt = os.environ["DS_OPT"]
ds_run = os.path.join(os.path.dirname(ds_opt), "ds-run")
os.environ["DS_EMULATE_STRICT"] = "1"
rng = np.random.default_rng(11)
TOL = {"attention": {"f32": (2e-5, 2e-6), "f64": (1e-12, 1e-13), "f16": (4e-3, 1e-3),
                     "bf16": (1.6e-2, 8e-3)},
       "rope": {"f32": (2e-6, 1e-7), "f64": (1e-15, 1e-16), "f16": (1e-3, 1e-5),
                "bf16": (8e-3, 1e-5)}}


def ty(shape, dtype):
    return "tensor<" + "x".join("?" if d < 0 else str(d) for d in shape) + f"x{dtype}>"


def arr(shape, dtype, lo=-1.0, hi=1.0):
    a = rng.uniform(lo, hi, size=shape)
    if dtype == "bf16":
        return a.astype(np.float32).astype(NP_DTYPES["bf16"])
    return a.astype(NP_DTYPES[dtype])


failures, cases = [], 0
# Cases run in parallel (each is compile + two ds-run processes); inputs are drawn in
# the main thread, so the data do not depend on the schedule.
pool = concurrent.futures.ThreadPoolExecutor(max_workers=3)
jobs = []


def run_case(name, text, inputs, dtype, kind):
    global cases
    if only and name not in only:
        return
    cases += 1
    jobs.append(pool.submit(run_case_now, name, text, inputs, dtype, kind))


def run_case_now(name, text, inputs, dtype, kind):
    work = os.path.join(out, name)
    os.makedirs(work)
    src = os.path.join(work, "p.mlir")
    open(src, "w").write(text)
    try:
        bundle = emucheck.compile_bundle(src, work)
    except RuntimeError as e:
        failures.append(f"{name}: {e}")
        return
    steps = json.load(open(os.path.join(bundle, "steps.json")))["steps"]
    mine = [s for s in steps if s["kind"] == kind]
    if not mine or any("kernel" not in s for s in mine):
        failures.append(f"{name}: no generated kernel for the {kind} step")
        return
    for k, ins in enumerate(inputs):
        try:
            want = emulate.run_cpu(ds_run, bundle, ins, work)
            got = emulate.run_cpu(ds_run, bundle, ins, work, device="emulate")
        except RuntimeError as e:
            failures.append(f"{name}: {e}")
            return
        rtol, atol = TOL[kind][dtype]
        for g, w in zip(got, want):
            failures.extend(emucheck.compare(g, w, f"{name} (inputs {k})", rtol, atol))


# ---- attention -----------------------------------------------------------------------------

def attention(name, b, hq, hkv, sq, skv, dk, dv, dtype="f32", causal=False, window=None,
              softcap=None, mask=None, dynamic=(), runs=None, scale=None):
    """mask: (dtype, shape) or None. dynamic: which of 'b', 'sq', 'skv' are '?' in the
    types. runs: extra concrete (b, sq, skv) to run a dynamic program with."""
    B = -1 if "b" in dynamic else b
    SQ = -1 if "sq" in dynamic else sq
    SKV = -1 if "skv" in dynamic else skv
    qt, kt, vt = ty([B, hq, SQ, dk], dtype), ty([B, hkv, SKV, dk], dtype), ty([B, hkv, SKV, dv], dtype)
    ot = ty([B, hq, SQ, dv], dtype)
    args = [f"%q: {qt}", f"%k: {kt}", f"%v: {vt}"]
    operands, types = "%q, %k, %v", f"{qt}, {kt}, {vt}"
    if mask:
        mdt, mshape = mask
        msym = {"b": B, "hq": hq, "sq": SQ, "skv": SKV}
        mt = ty([msym.get(d, d) if isinstance(d, str) else d for d in mshape], mdt)
        args.append(f"%m: {mt}")
        operands += ", %m"
        types += f", {mt}"
    attrs = [f"scale = {scale if scale is not None else 1.0 / np.sqrt(dk):.8e} : f32"]
    if causal:
        attrs.append("causal")
    if window is not None:
        attrs.append(f"window = {window} : i64")
    if softcap is not None:
        attrs.append(f"softcap = {softcap} : f32")
    text = (f"func.func @main({', '.join(args)}) -> {ot} {{\n"
            f"  %o = ds.attention {operands} {{{', '.join(attrs)}}} : ({types}) -> {ot}\n"
            f"  return %o : {ot}\n}}\n")
    inputs = []
    for (bb, s1, s2) in [(b, sq, skv)] + list(runs or []):
        ins = [arr([bb, hq, s1, dk], dtype, -2, 2), arr([bb, hkv, s2, dk], dtype, -2, 2),
               arr([bb, hkv, s2, dv], dtype)]
        if mask:
            mdt, mshape = mask
            conc = {"b": bb, "hq": hq, "sq": s1, "skv": s2}
            shape = [conc.get(d, d) if isinstance(d, str) else d for d in mshape]
            if mdt == "i1":
                m = rng.uniform(size=shape) < 0.75
                if m.ndim >= 2 and shape[-2] > 1:
                    m[..., 1, :] = False  # a row that sees no key: NaN on both sides
            else:
                m = rng.uniform(-3, 1, size=shape)
                m[rng.uniform(size=shape) < 0.2] = -np.inf
                m = arr(shape, mdt) if False else m.astype(np.float32).astype(NP_DTYPES[mdt])
            ins.append(m)
        inputs.append(ins)
    run_case(name, text, inputs, dtype, "attention")


attention("basic_f32", 2, 2, 2, 7, 7, 16, 16)
attention("single", 1, 1, 1, 1, 1, 4, 4)
attention("causal_gqa2_dkdv", 1, 4, 2, 33, 33, 8, 12, causal=True)
attention("causal_long", 1, 2, 2, 65, 65, 64, 64, causal=True)
attention("decode_gqa4", 2, 8, 2, 1, 65, 16, 16, causal=True)
attention("decode_mqa", 1, 4, 1, 1, 33, 32, 40, causal=True)
attention("decode_group16", 1, 16, 1, 1, 70, 8, 8, causal=True)
attention("past_mqa", 1, 4, 1, 5, 33, 16, 16, causal=True)
attention("past_gqa_noncausal", 2, 6, 2, 7, 20, 16, 24)
attention("more_queries_than_keys", 1, 2, 1, 9, 4, 8, 8, causal=True, dynamic=("sq", "skv"))  # rows see nothing
attention("mask_f32_full", 2, 2, 2, 7, 33, 16, 16, mask=("f32", ["b", "hq", "sq", "skv"]))
attention("mask_f32_bcast", 2, 4, 2, 7, 33, 16, 16, causal=True, mask=("f32", ["b", 1, 1, "skv"]))
attention("mask_i1_2d", 1, 2, 2, 7, 65, 16, 8, mask=("i1", ["sq", "skv"]))
attention("mask_i1_4d_gqa", 2, 4, 1, 7, 7, 16, 16, causal=True, mask=("i1", ["b", "hq", "sq", "skv"]))
attention("mask_i1_heads", 1, 4, 2, 1, 40, 16, 16, mask=("i1", [1, "hq", 1, "skv"]))
attention("mask_f16_on_f32", 1, 2, 2, 5, 9, 8, 8, mask=("f16", ["skv"]))
attention("window", 1, 4, 2, 33, 33, 16, 16, causal=True, window=5)
attention("window_noncausal_past", 1, 2, 2, 7, 40, 16, 16, window=3)
attention("softcap", 1, 2, 2, 17, 17, 16, 16, causal=True, softcap=0.5, scale=1.0)
attention("f16_gqa_causal", 1, 8, 2, 33, 33, 64, 64, dtype="f16", causal=True)
attention("f16_decode_mask", 2, 4, 2, 1, 65, 32, 32, dtype="f16", mask=("f16", ["b", 1, 1, "skv"]))
attention("bf16_gqa_causal", 1, 4, 2, 17, 17, 32, 16, dtype="bf16", causal=True)
attention("bf16_mask_i1", 1, 2, 1, 7, 33, 16, 16, dtype="bf16", mask=("i1", ["b", 1, "sq", "skv"]))
attention("bf16_mla_dims", 1, 2, 2, 65, 65, 192, 128, dtype="bf16", causal=True)
attention("f16_wk2_rows24", 1, 8, 1, 3, 70, 32, 32, dtype="f16", causal=True)
attention("f16_window_softcap_mask", 2, 2, 2, 17, 40, 16, 8, dtype="f16", causal=True, window=6,
          softcap=1.5, mask=("f32", ["b", "hq", "sq", "skv"]))
attention("bf16_past_mask_bcast", 1, 4, 2, 7, 65, 16, 16, dtype="bf16", causal=True,
          mask=("bf16", [1, 1, "sq", "skv"]))
attention("f16_simt_odd_dims", 1, 2, 1, 7, 9, 12, 10, dtype="f16", causal=True)  # no mma tile fit
attention("f64_causal_past", 1, 4, 2, 5, 12, 8, 8, dtype="f64", causal=True)
attention("f64_mask", 1, 2, 2, 7, 7, 8, 4, dtype="f64", mask=("f64", ["sq", "skv"]))
attention("big_heads", 1, 1, 1, 5, 9, 192, 128, causal=True)
attention("dyn_seq", 1, 4, 2, 7, 7, 16, 16, causal=True, dynamic=("sq", "skv"),
          runs=[(1, 1, 33), (1, 33, 33), (1, 0, 5)])
attention("dyn_all_mask", 2, 2, 1, 5, 9, 8, 8, dynamic=("b", "sq", "skv"),
          mask=("f32", ["b", 1, "sq", "skv"]), runs=[(1, 1, 65), (3, 65, 65)])
attention("dyn_f16_decode", 1, 8, 2, 1, 17, 32, 32, dtype="f16", causal=True,
          dynamic=("skv",), runs=[(1, 1, 1), (1, 1, 70)])

# ---- rope ------------------------------------------------------------------------------------


def rope(name, b, h, s, d, dtype="f32", style="rotate_half", rotary=None, full=False,
         table="seq", tdtype=None, positions=None, dynamic=(), runs=None):
    """table: 'seq' ([S, W]), 'bseq' ([B, S, W]), 'bseq1' ([1, S, W]), 'pos' (a [P, W]
    table with position_ids of dtype `positions` ('i64'/'i32'), shape [B, S] or [1, S])."""
    tdtype = tdtype or dtype
    r = rotary or d
    w = r if full else r // 2
    B = -1 if "b" in dynamic else b
    S = -1 if "s" in dynamic else s
    xt = ty([B, h, S, d], dtype)
    P = 50
    tshape = {"seq": [S, w], "bseq": [B, S, w], "bseq1": [1, S, w], "pos": [P, w]}[table]
    tt = ty(tshape, tdtype)
    args = [f"%x: {xt}", f"%c: {tt}", f"%n: {tt}"]
    pos = ""
    types = f"{xt}, {tt}, {tt}"
    if table == "pos":
        pdt, pshape = positions
        pt = ty([B if pshape[0] != 1 else 1, S], pdt)
        args.append(f"%p: {pt}")
        pos = " positions %p"
        types += f", {pt}"
    attr = f" {{rotary_dim = {rotary} : i64}}" if rotary else ""
    text = (f"func.func @main({', '.join(args)}) -> {xt} {{\n"
            f"  %y = ds.rope {style} %x, %c, %n{pos}{attr} : ({types}) -> {xt}\n"
            f"  return %y : {xt}\n}}\n")
    inputs = []
    for (bb, ss) in [(b, s)] + list(runs or []):
        ang = rng.uniform(0, 6.3, size={"seq": [ss, w], "bseq": [bb, ss, w], "bseq1": [1, ss, w],
                                        "pos": [P, w]}[table])
        ins = [arr([bb, h, ss, d], dtype, -3, 3), np.cos(ang).astype(np.float32).astype(NP_DTYPES[tdtype]),
               np.sin(ang).astype(np.float32).astype(NP_DTYPES[tdtype])]
        if table == "pos":
            pdt, pshape = positions
            p = rng.integers(0, P, size=[bb if pshape[0] != 1 else 1, ss])
            ins.append(p.astype(NP_DTYPES[pdt]))
        inputs.append(ins)
    run_case(name, text, inputs, dtype, "rope")


rope("rope_half_f32", 2, 3, 7, 16)
rope("rope_half_full_f32", 1, 2, 5, 8, full=True)
rope("rope_inter_f32", 2, 2, 7, 16, style="interleaved")
rope("rope_inter_full_f32", 1, 3, 5, 8, style="interleaved", full=True)
rope("rope_partial_odd", 1, 2, 7, 10, rotary=6)  # half 3: no vector path, pass-through
rope("rope_partial_inter", 1, 2, 7, 64, rotary=32, style="interleaved", table="bseq")
rope("rope_f16_vec", 2, 4, 9, 64, dtype="f16")
rope("rope_f16_inter_full", 1, 2, 9, 64, dtype="f16", style="interleaved", full=True)
rope("rope_bf16_pos", 2, 2, 7, 32, dtype="bf16", table="pos", positions=("i64", ["b", "s"]))
rope("rope_f32_pos_i32_bcast", 3, 2, 5, 16, table="pos", positions=("i32", [1, "s"]), style="interleaved")
rope("rope_f32_f16_table", 1, 2, 7, 16, tdtype="f16", table="bseq1")
rope("rope_f64", 1, 2, 5, 8, dtype="f64", table="bseq")
rope("rope_dyn", 2, 4, 7, 64, dynamic=("b", "s"), runs=[(1, 1), (3, 33), (1, 0)])
rope("rope_dyn_pos", 1, 2, 7, 32, dtype="f16", table="pos", positions=("i64", ["b", "s"]),
     dynamic=("s",), runs=[(1, 1), (1, 20)])

# ---- ONNX forms that import to single attention / rope steps -----------------------------------
from onnx import TensorProto, helper  # noqa: E402

ONNX_T = {"f32": TensorProto.FLOAT, "f16": TensorProto.FLOAT16, "bf16": TensorProto.BFLOAT16}


def onnx_case(name, nodes, ins, outs, inputs, dtype, kind):
    global cases
    if only and name not in only:
        return
    cases += 1
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info(n, t, sh) for n, t, sh in ins],
                              [helper.make_tensor_value_info(n, t, sh) for n, t, sh in outs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 23)])
    rtol, atol = TOL[kind][dtype]
    jobs.append(pool.submit(lambda: failures.extend(
        emucheck.check(model, inputs, os.path.join(out, name), kinds={kind}, rtol=rtol,
                       atol=atol, name=name))))


for dt in ("f32", "f16"):
    T = ONNX_T[dt]
    # ai.onnx Attention, 4-D GQA, causal with equal lengths (the `causal` attribute), a
    # boolean [Sq, Skv] mask broadcast; symbolic batch.
    q, k, v = arr([2, 4, 9, 16], dt, -2, 2), arr([2, 2, 9, 16], dt, -2, 2), arr([2, 2, 9, 16], dt)
    m = rng.uniform(size=[9, 9]) < 0.8
    onnx_case(f"onnx_attention_gqa_{dt}",
              [helper.make_node("Attention", ["q", "k", "v", "m"], ["y"], is_causal=1)],
              [("q", T, ["b", 4, 9, 16]), ("k", T, ["b", 2, 9, 16]), ("v", T, ["b", 2, 9, 16]),
               ("m", TensorProto.BOOL, [9, 9])],
              [("y", T, ["b", 4, 9, 16])], {"q": q, "k": k, "v": v, "m": m}, dt, "attention")
    # ai.onnx RotaryEmbedding, 4-D input with position_ids into a [P, R/2] table.
    x = arr([2, 3, 7, 32], dt, -3, 3)
    ang = rng.uniform(0, 6.3, size=[20, 16])
    onnx_case(f"onnx_rotary_{dt}",
              [helper.make_node("RotaryEmbedding", ["x", "c", "n", "p"], ["y"], interleaved=1)],
              [("x", T, [2, 3, "s", 32]), ("c", T, [20, 16]), ("n", T, [20, 16]),
               ("p", TensorProto.INT64, [2, "s"])],
              [("y", T, [2, 3, "s", 32])],
              {"x": x, "c": np.cos(ang).astype(NP_DTYPES[dt]), "n": np.sin(ang).astype(NP_DTYPES[dt]),
               "p": rng.integers(0, 20, size=[2, 7]).astype(np.int64)}, dt, "rope")

for job in jobs:
    job.result()
emucheck.report(failures, cases)
