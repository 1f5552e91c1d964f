# The generated moe kernels (runtime/kernels/moe.cuh, lib/Target/Cuda/MoeCodegen.cpp) run
# on the emulator (ds-run --device=emulate, DS_EMULATE_STRICT=1: threads as fibers with
# real barriers) and compute what the cpu backend computes: softmax / sigmoid gating,
# correction bias, group-limited top-k (max and top2_sum group scores), ties, normalized /
# scaled weights, every activation, fused and separate gate/up, shared experts, f32 / bf16
# / f16 storage, 1 .. 33 tokens, symbolic and multi-dim token counts, zero tokens, the
# scalar (V = 1) and vector paths, split-K thread layouts and a chunked intermediate dim.
# Models: com.microsoft MoE nodes in ONNX (the importer's path to moe steps: softmax
# gating, top-k, normalization, fused or separate gate/up) and ds.moe in MLIR for the
# attrs no ONNX import produces yet (sigmoid, bias, groups, scaling, shared experts).
#
# Tolerance: emulate sums the products in another order than the cpu (its GEMMs), so f32
# results differ by about K * eps relative to the magnitudes summed (K <= 4104 here;
# random data gives ~sqrt(K) * eps): |emu - cpu| <= 1e-4 * |cpu| + 1e-4 * max|cpu|. A bf16
# / f16 output may then round to the neighbouring value: rtol 2^-7 (bf16), 2^-10 (f16).
# The routing choice is exact (the same f32 operations as the cpu, ties included), so a
# wrong expert shows as an O(1) difference.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emucheck  # noqa: E402

out = sys.argv[1]
only = sys.argv[2:]  # case names, for debugging
rng = np.random.default_rng(11)
problems, checked = [], 0

NP = {"f32": np.float32, "f16": np.float16}


def to_dtype(a, dtype):
    """numpy array of `a` in `dtype` (bf16 as ml_dtypes when present, else as f32 bits)."""
    if dtype == "bf16":
        import ml_dtypes
        return a.astype(ml_dtypes.bfloat16)
    return a.astype(NP[dtype])


def mlir_type(shape, dtype):
    return "tensor<" + "x".join("?" if d is None else str(d) for d in shape) + f"x{dtype}>"


def tolerance(dtype):
    return {"f32": 1e-4, "bf16": 2.0 ** -7, "f16": 2.0 ** -10}[dtype]


def compare_case(name, bundle, inputs, work, out_dtype, kernel_checks=()):
    """Runs cpu and emulate and compares with the tolerance above."""
    global checked
    kinds = emucheck.kernel_kinds(bundle)
    with_kernel, without = kinds.get("moe", (0, 0))
    if with_kernel == 0 or without:
        problems.append(f"{name}: expected every moe step to have a kernel; "
                        f"{with_kernel} with, {without} without")
        return
    steps = json.load(open(os.path.join(bundle, "steps.json")))["steps"]
    src = "".join(open(os.path.join(bundle, st["kernel"]["source"])).read()
                  for st in steps if st["kind"] == "moe")
    for needle in kernel_checks:  # the case covers what it claims (vector path, chunks)
        if needle not in src:
            problems.append(f"{name}: generated kernel lacks '{needle}'")
    try:
        want = emucheck.run(bundle, inputs, work, "cpu")
        got = emucheck.run(bundle, inputs, work, "emulate")
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return
    for k, (g, w) in enumerate(zip(got, want)):
        if w.dtype.kind == "V" and w.dtype.itemsize == 2:  # bf16 comes back as '<V2'
            import ml_dtypes
            g, w = g.view(ml_dtypes.bfloat16), w.view(ml_dtypes.bfloat16)
        scale = float(np.max(np.abs(w.astype(np.float64)))) if w.size else 0.0
        problems.extend(emucheck.compare(g, w, f"{name} output {k}", tolerance(out_dtype),
                                         1e-4 * scale))
    checked += 1


def mlir_case(name, *, E, H, I, top_k, tokens, gating="softmax", n_group=1, topk_group=1,
              group_score="max", bias=False, norm=False, scaling=1.0, shared=0,
              fused=False, act="silu", dtype="f32", wdtype=None, sym=False, token_dims=None,
              ties=False, kernel_checks=()):
    """A ds.moe function: weights are function inputs (hidden and weights in `dtype` /
    `wdtype`, logits and bias f32)."""
    if only and name not in only:
        return
    wdtype = wdtype or dtype
    tdims = token_dims or [tokens]
    tshape = [None if sym else d for d in tdims]
    args, types, arrays = [], [], []

    def arg(shape, dt, array):
        i = len(args)
        args.append(f"%a{i}: {mlir_type(shape, dt)}")
        types.append(mlir_type(shape, dt))
        arrays.append(to_dtype(array, dt))
        return f"%a{i}"

    x = arg(tshape + [H], dtype, rng.standard_normal(tdims + [H]))
    logits = rng.standard_normal(tdims + [E]) * 2
    if ties:  # coarse values: many equal logits (and equal group scores)
        logits = np.round(logits)
    lg = arg(tshape + [E], "f32", logits)
    s = 1 / np.sqrt(H)
    g = arg([E, H, 2 * I if fused else I], wdtype,
            rng.standard_normal((E, H, 2 * I if fused else I)) * s)
    u = None if fused else arg([E, H, I], wdtype, rng.standard_normal((E, H, I)) * s)
    d = arg([E, I, H], wdtype, rng.standard_normal((E, I, H)) / np.sqrt(I))
    b = None
    if bias:
        bv = rng.standard_normal(E) * 0.5
        b = arg([E], "f32", np.round(bv) if ties else bv)
    sh = None
    if shared:
        sh = [arg([H, shared], wdtype, rng.standard_normal((H, shared)) * s),
              arg([H, shared], wdtype, rng.standard_normal((H, shared)) * s),
              arg([shared, H], wdtype, rng.standard_normal((shared, H)) / np.sqrt(shared))]
    attrs = [f"top_k = {top_k} : i64"]
    if n_group != 1:
        attrs += [f"n_group = {n_group} : i64", f"topk_group = {topk_group} : i64"]
    if norm:
        attrs.append("norm_topk_prob")
    if scaling != 1.0:
        attrs.append(f"routed_scaling_factor = {scaling!r} : f32")
    head = gating
    if group_score != "max":
        head += f" group_score {group_score}"
    if act != "silu":
        head += f" activation {act}"
    op = f"{head} {x}, {lg} gate({g})"
    if u:
        op += f" up({u})"
    op += f" down({d})"
    if b:
        op += f" bias({b})"
    if sh:
        op += f" shared({sh[0]}, {sh[1]}, {sh[2]})"
    rtype = mlir_type(tshape + [H], dtype)
    text = (f"func.func @main({', '.join(args)}) -> {rtype} {{\n"
            f"  %y = ds.moe {op} {{{', '.join(attrs)}}} : ({', '.join(types)}) -> {rtype}\n"
            f"  return %y : {rtype}\n}}\n")
    work = os.path.join(out, name)
    os.makedirs(work)
    src = os.path.join(work, "m.mlir")
    open(src, "w").write(text)
    try:
        bundle = emucheck.compile_bundle(src, work, "m")
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return
    inputs = {f"input_{i}": a for i, a in enumerate(arrays)}
    compare_case(name, bundle, inputs, work, dtype, kernel_checks)


def onnx_case(name, *, E, H, I, k, tokens, normalize=0, fusion=0, dtype="f32", rank3=False,
              sym=False, kernel_checks=()):
    """A com.microsoft MoE node (swiglu experts; weights are initializers [E, out, in])."""
    if only and name not in only:
        return
    et = {"f32": TensorProto.FLOAT, "f16": TensorProto.FLOAT16}[dtype]
    if rank3:
        xshape = [2, "s" if sym else tokens // 2, H]
        xval = rng.standard_normal((2, tokens // 2, H))
        rshape = ["n" if sym else tokens, E]
        rval = rng.standard_normal((tokens, E)) * 2
    else:
        xshape = ["t" if sym else tokens, H]
        xval = rng.standard_normal((tokens, H))
        rshape = ["t" if sym else tokens, E]
        rval = rng.standard_normal((tokens, E)) * 2
    s = 1 / np.sqrt(H)
    inits = [helper.make_tensor("fc1", et, [E, 2 * I if fusion else I, H],
                                (rng.standard_normal((E, 2 * I if fusion else I, H)) * s)
                                .astype(NP[dtype]).tobytes(), raw=True),
             helper.make_tensor("fc2", et, [E, H, I],
                                (rng.standard_normal((E, H, I)) / np.sqrt(I))
                                .astype(NP[dtype]).tobytes(), raw=True)]
    ins = ["x", "r", "fc1", "", "fc2"]
    if not fusion:
        inits.append(helper.make_tensor("fc3", et, [E, I, H],
                                        (rng.standard_normal((E, I, H)) * s)
                                        .astype(NP[dtype]).tobytes(), raw=True))
        ins += ["", "fc3"]
    node = helper.make_node("MoE", ins, ["y"], domain="com.microsoft", k=k,
                            activation_type="swiglu", normalize_routing_weights=normalize,
                            **({"swiglu_fusion": 2} if fusion else {}))
    graph = helper.make_graph([node], name,
                              [helper.make_tensor_value_info("x", et, xshape),
                               helper.make_tensor_value_info("r", et, rshape)],
                              [helper.make_tensor_value_info("y", et, xshape)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    work = os.path.join(out, name)
    try:
        bundle = emucheck.compile_bundle(model, work, "m")
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return
    inputs = {"x": xval.astype(NP[dtype]), "r": rval.astype(NP[dtype])}
    compare_case(name, bundle, inputs, work, dtype, kernel_checks)


# ---- com.microsoft MoE (ONNX) ----------------------------------------------------------------
# The importer transposes the [E, out, in] initializers; at most 4096 elements each keeps
# those transposes plan-time constants (the run-time transpose kernel is another family).
onnx_case("ms_e4_k1", E=4, H=16, I=8, k=1, tokens=1, kernel_checks=["VA = 4, VB = 4"])
onnx_case("ms_e8_k2_norm", E=8, H=32, I=16, k=2, tokens=5, normalize=1)
onnx_case("ms_e8_k2_fused_sym", E=8, H=16, I=8, k=2, tokens=33, fusion=1, sym=True,
          kernel_checks=["FUSED = true", "ds::dim(params, 0)"])
onnx_case("ms_e64_k6_rank3", E=64, H=8, I=8, k=6, tokens=10, normalize=1, rank3=True)
onnx_case("ms_e64_k6_rank3_sym", E=64, H=8, I=8, k=6, tokens=6, rank3=True, sym=True)
onnx_case("ms_f16", E=8, H=32, I=16, k=2, tokens=5, normalize=1, dtype="f16",
          kernel_checks=["TG = ds::moe::F16", "VA = 8"])

# ---- ds.moe (MLIR) ----------------------------------------------------------------------
# DeepSeek-V2 style: softmax, group-limited by max, shared experts, no renormalization.
mlir_case("v2_groups_max", E=64, H=32, I=16, top_k=6, tokens=33, n_group=8, topk_group=3,
          shared=32)
# DeepSeek-V3 style: sigmoid + correction bias, top2_sum groups, normalized, x2.5, shared.
mlir_case("v3_sigmoid_bias", E=64, H=32, I=16, top_k=6, tokens=5, gating="sigmoid",
          n_group=8, topk_group=4, group_score="top2_sum", bias=True, norm=True, scaling=2.5,
          shared=16)
mlir_case("v3_bf16_sym", E=64, H=64, I=32, top_k=6, tokens=33, gating="sigmoid", n_group=8,
          topk_group=4, group_score="top2_sum", bias=True, norm=True, scaling=2.5, shared=32,
          dtype="bf16", sym=True, kernel_checks=["TG = ds::moe::BF16", "VA = 8, VB = 8"])
mlir_case("v3_f16", E=8, H=32, I=16, top_k=2, tokens=5, gating="sigmoid", n_group=4,
          topk_group=2, group_score="top2_sum", bias=True, norm=True, scaling=2.5, dtype="f16")
mlir_case("bf16_weights_f32_hidden", E=8, H=32, I=16, top_k=2, tokens=5, wdtype="bf16",
          norm=True)
mlir_case("sigmoid_nobias_nonorm", E=8, H=24, I=8, top_k=2, tokens=33, gating="sigmoid",
          scaling=1.5)
mlir_case("softmax_bias", E=8, H=24, I=8, top_k=3, tokens=5, bias=True, norm=True)
mlir_case("k1_e4", E=4, H=8, I=4, top_k=1, tokens=1)
mlir_case("k_all", E=4, H=8, I=4, top_k=4, tokens=3, norm=True)
mlir_case("group_keep_all", E=8, H=8, I=4, top_k=2, tokens=5, n_group=4, topk_group=4)
mlir_case("group_keep_one", E=64, H=8, I=4, top_k=2, tokens=5, n_group=32, topk_group=1,
          group_score="top2_sum", gating="sigmoid", bias=True)
# Ties: equal logits (and biases) everywhere; the cpu's order (lower index first, stable
# group order) must hold.
mlir_case("ties_softmax_groups", E=16, H=8, I=4, top_k=3, tokens=33, n_group=4, topk_group=2,
          ties=True)
mlir_case("ties_sigmoid_top2", E=16, H=8, I=4, top_k=4, tokens=33, gating="sigmoid",
          n_group=4, topk_group=2, group_score="top2_sum", bias=True, ties=True, norm=True)
for act in ("gelu", "gelu_tanh", "relu"):
    mlir_case(f"act_{act}", E=8, H=16, I=8, top_k=2, tokens=5, act=act, shared=8,
              kernel_checks=[f"// {act}"])
mlir_case("fused_shared_bf16", E=8, H=32, I=16, top_k=2, tokens=5, fused=True, shared=24,
          dtype="bf16", norm=True)
# Scalar path: row lengths not multiples of the vector width.
mlir_case("scalar_path", E=8, H=12, I=6, top_k=2, tokens=5, shared=10, dtype="bf16",
          kernel_checks=["VA = 1, VB = 1, VSA = 1, VSB = 1", "ANY_VEC = false"])
# Several token dims, and zero tokens.
mlir_case("tokens_2d", E=8, H=16, I=8, top_k=2, tokens=6, token_dims=[2, 3])
mlir_case("tokens_2d_sym", E=8, H=16, I=8, top_k=2, tokens=6, token_dims=[3, 2], sym=True)
mlir_case("zero_tokens", E=8, H=16, I=8, top_k=2, tokens=0, sym=True)
# 256 threads, one column slice (KS = 1) for gate/up and down.
mlir_case("wide_ks1", E=4, H=2048, I=1024, top_k=2, tokens=2, dtype="bf16", shared=256,
          kernel_checks=["NT = 256", "CTA = 128, CTB = 256"])
# The intermediate dim in chunks (4096 + 8).
mlir_case("chunked_inter", E=2, H=16, I=4104, top_k=1, tokens=3, dtype="bf16",
          kernel_checks=["IC = 4096"])



# ---- generator errors (ds-opt --emit=cuda-kernels on an edited steps.json) ----------------
def error_cases():
    global checked
    import subprocess
    mlir_case("errors_base", E=8, H=16, I=8, top_k=2, tokens=3)
    base = os.path.join(out, "errors_base", "m.dsb", "steps.json")
    if not os.path.exists(base):
        return
    cases = [
        ("top_k", {"top_k": 0}, "top_k 0 must be in [1, num_experts 8]"),
        ("top_k_groups", {"top_k": 3, "n_group": 4, "topk_group": 1},
         "top_k 3 exceeds the experts of the kept groups"),
        ("n_group", {"n_group": 3}, "n_group 3 must be positive and divide num_experts 8"),
        ("topk_group", {"n_group": 2, "topk_group": 3}, "topk_group 3 must be in [1, n_group 2]"),
        ("gating", {"gating": "relu"}, "gating must be 'softmax' or 'sigmoid', got 'relu'"),
        ("group_score", {"group_score": "mean"}, "group_score must be 'max' or 'top2_sum'"),
        ("top2_per_group", {"n_group": 8, "topk_group": 2, "group_score": "top2_sum"},
         "group score top2_sum needs at least 2 experts per group"),
        ("activation", {"activation": "tanh"},
         "activation must be silu, gelu, gelu_tanh or relu, got 'tanh'"),
    ]
    # Edits of operands: (name, input index or "out", new shape / dtype / None = drop it).
    operand_cases = [
        ("dynamic_weights", 2, [-1, 16, 8],
         "the moe kernel needs static weight shapes; gate weight is [?,16,8]"),
        ("operand_count", 8, None,
         "a moe step takes 9 inputs (absent ones as -1) and 1 output, got 8 and 1"),
        ("output_dtype", "out", "i32", "the output must have a float element type, got i32"),
        ("gate_rank", 2, [8, 16],
         "gate weight [8,16] and down weight [8,8,16] must be 3-D [experts, ...]"),
        ("down_shape", 4, [8, 9, 16],
         "down weight [8,9,16] must be [8,8,16] for gate weight [8,16,8]"),
        ("logits_rank", 1, [-1],
         "hidden [3,16], router_logits [?] and output [3,16] must be [tokens..., hidden / experts]"),
        ("logits_experts", 1, [-1, 9],
         "do not match 8 experts of hidden size 16"),
    ]
    for name, attrs, message in cases + [(n, (i, v), m) for n, i, v, m in operand_cases]:
        steps = json.load(open(base))
        step = next(st for st in steps["steps"] if st["kind"] == "moe")
        if isinstance(attrs, tuple):
            index, edit = attrs
            if edit is None:
                del step["inputs"][index]
            else:
                vid = step["outputs"][0] if index == "out" else step["inputs"][index]
                value = next(v for v in steps["values"] if v["id"] == vid)
                value["dtype" if isinstance(edit, str) else "shape"] = edit
        else:
            step["attrs"].update(attrs)
        work = os.path.join(out, "errors_" + name)
        os.makedirs(work)
        path = os.path.join(work, "steps.json")
        json.dump(steps, open(path, "w"))
        r = subprocess.run([emucheck.DS_OPT, "--emit=cuda-kernels", path, "-o",
                            os.path.join(work, "k")], capture_output=True, text=True)
        if r.returncode == 0 or message not in r.stderr:
            problems.append(f"errors {name}: expected a failure with '{message}', got "
                            f"exit {r.returncode}: {r.stderr.strip()}")
        checked += 1


# ---- nvcc: DeepSeek-V3 / V2-Lite sized kernels and the odd layouts compile for sm_80 and
# sm_90a without spills (when the toolkit is here; no GPU needed) ---------------------------
def big_kernel(name, text):
    work = os.path.join(out, name)
    os.makedirs(work)
    src = os.path.join(work, "m.mlir")
    open(src, "w").write(text)
    try:
        bundle = emucheck.compile_bundle(src, work, "m")
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return None
    return os.path.join(bundle, "kernels")


def moe_func(hidden, experts, gate, up, down, extra_types, extra_ops, attrs, head):
    x = f"tensor<?x{hidden}xbf16>"
    types = [x, f"tensor<?x{experts}xf32>", gate] + ([up] if up else []) + [down] + extra_types
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(types))
    ops = f"%a0, %a1 gate(%a2)" + (" up(%a3)" if up else "")
    ops += f" down(%a{4 if up else 3})"
    ops += extra_ops
    return (f"func.func @main({args}) -> {x} {{\n  %y = ds.moe {head} {ops} {{{attrs}}} : "
            f"({', '.join(types)}) -> {x}\n  return %y : {x}\n}}\n")


def nvcc_check():
    global checked
    import re
    import shutil
    import subprocess
    nvcc = shutil.which("nvcc") or ("/usr/local/cuda/bin/nvcc"
                                    if os.path.exists("/usr/local/cuda/bin/nvcc") else None)
    if not nvcc:
        print("nvcc not found: compile check skipped")
        return
    v3 = moe_func(7168, 256, "tensor<256x7168x2048xbf16>", "tensor<256x7168x2048xbf16>",
                  "tensor<256x2048x7168xbf16>",
                  ["tensor<256xf32>", "tensor<7168x2048xbf16>", "tensor<7168x2048xbf16>",
                   "tensor<2048x7168xbf16>"], " bias(%a5) shared(%a6, %a7, %a8)",
                  "top_k = 8 : i64, n_group = 8 : i64, topk_group = 4 : i64, norm_topk_prob, "
                  "routed_scaling_factor = 2.5 : f32", "sigmoid group_score top2_sum")
    v2 = moe_func(2048, 64, "tensor<64x2048x2816xbf16>", None, "tensor<64x1408x2048xbf16>",
                  ["tensor<2048x2816xbf16>", "tensor<2048x2816xbf16>",
                   "tensor<2816x2048xbf16>"], " shared(%a4, %a5, %a6)", "top_k = 6 : i64",
                  "softmax")
    dirs = [big_kernel("nvcc_v3", v3), big_kernel("nvcc_v2_lite", v2)]
    dirs += [os.path.join(out, n, "m.dsb", "kernels") for n in
             ("scalar_path", "chunked_inter")]
    sources = []
    for d in dirs:
        if d and os.path.isdir(d):
            sources += [os.path.join(d, f) for f in sorted(os.listdir(d))
                        if f.startswith("ds_moe_") and f.endswith(".cu")]
    if not sources:
        return
    tu = os.path.join(out, "nvcc_all.cu")  # one translation unit: names are distinct
    open(tu, "w").write("".join(open(f).read() for f in sources))
    for arch in ("sm_80", "sm_90a"):
        r = subprocess.run([nvcc, "-std=c++17", f"-arch={arch}", "-cubin", "-Xptxas", "-v",
                            "-I", os.path.dirname(sources[0]), tu, "-o",
                            os.path.join(out, f"moe_{arch}.cubin")],
                           capture_output=True, text=True)
        log = r.stdout + r.stderr
        entries = re.findall(r"Compiling entry function '(\w+)'", log)
        spills = re.findall(r"(\d+) bytes spill stores, (\d+) bytes spill loads", log)
        regs = re.findall(r"Used (\d+) registers", log)
        if r.returncode != 0:
            problems.append(f"nvcc {arch} failed:\n{log}")
        elif len(entries) != len(sources) or any(a != "0" or b != "0" for a, b in spills):
            problems.append(f"nvcc {arch}: {len(entries)} of {len(sources)} kernels, "
                            f"spills {spills}")
        else:
            print(f"nvcc {arch}: {len(entries)} kernels, registers {regs}, no spills")
        checked += 1


if not only:
    nvcc_check()

if not only or any(n.startswith("errors") for n in only):
    only = [n for n in only if n != "errors"]
    error_cases()

emucheck.report(problems, checked)
