# The generated GEMM kernels (`matmul`, `linear`; runtime/kernels/gemm.cuh) compute what
# the cpu backend computes, through ds-run --device=emulate with DS_EMULATE_STRICT=1
# (every step through its generated kernel): 2-D products with M, N, K not multiples of
# any tile, batched products with broadcast batch dims, 1-D operands (ONNX MatMul), the
# transposes of Gemm, f32 / f64 / int32 (SIMT kernel) and bf16 / f16 (tensor-core kernel,
# each tile configuration), symbolic dims, empty products, and fused epilogues (bias,
# activation, residual, cast) with their steps checked for attrs.epilogue.
#
# Tolerance: cpu and emulate sum the K products in different orders. Each result is
# within gamma_K * sum_k |a_ik| |b_kj| of the exact sum (gamma_K ~ K * eps of the fp32
# accumulator; bf16/f16 products are exact in fp32, so the same bound holds for the
# tensor-core path), so the two differ by at most 2 K eps32 max_ij sum_k |a_ik||b_kj|:
# that is atol, per case. Results stored in a narrow dtype may then round to neighbouring
# values: rtol = one ulp of the output dtype. Epilogue activations (relu, gelu, silu)
# have slopes <= 1.13, covered by a factor 2 on atol. Integers compare exactly.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import json
import os
import sys

import numpy as np
from onnx import TensorProto as TP
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emucheck  # noqa: E402

out = sys.argv[1]
only = sys.argv[2:]  # case names, for debugging
rng = np.random.default_rng(11)
problems, checked = [], 0
EPS32 = 2.0 ** -24
ULP = {"f32": 2.0 ** -23, "f64": 2.0 ** -52, "bf16": 2.0 ** -7, "f16": 2.0 ** -10}
ONNX = {"f32": TP.FLOAT, "f64": TP.DOUBLE, "bf16": TP.BFLOAT16, "f16": TP.FLOAT16,
        "i32": TP.INT32, "i64": TP.INT64}
NP = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64}


def model(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, ONNX[dtype], shape)


def data(shape, dtype):
    if dtype.startswith("i"):
        return rng.integers(-20, 20, size=shape).astype(NP[dtype])
    return rng.standard_normal(shape).astype(NP.get(dtype, np.float32))


def bound(a, b, k, factor=1.0, eps=EPS32):
    """2 K eps max sum |a||b| (a [.., M, K], b [.., K, N] as float64, broadcast)."""
    prod = np.matmul(np.abs(a.astype(np.float64)), np.abs(b.astype(np.float64)))
    return factor * 2.0 * max(k, 1) * eps * (float(prod.max()) if prod.size else 0.0) + 1e-30


def steps_of(name):
    path = os.path.join(out, name, name + ".dsb", "steps.json")
    return json.load(open(path))["steps"] if os.path.exists(path) else []


def run(name, m, inputs, kinds, atol, rtol=0.0):
    global checked
    if only and name not in only:
        return False
    checked += 1
    problems.extend(emucheck.check(m, inputs, os.path.join(out, name), kinds=kinds,
                                   rtol=rtol, atol=atol, name=name))
    return True


def cast_in(name, dtype):
    """Nodes casting f32 graph input `name` to `dtype` (bf16/f16 operands)."""
    if dtype in ("f32", "f64") or dtype.startswith("i"):
        return [], name
    return [helper.make_node("Cast", [name], [name + "_c"], to=ONNX[dtype])], name + "_c"


def rounded(x, dtype):
    """x as the graph sees it after a Cast to dtype (for the bound)."""
    if dtype == "f16":
        return x.astype(np.float16).astype(np.float32)
    return x  # bf16: |rounded| <= |x| (1 + 2^-8), absorbed by the factor below


# ---- plain products ---------------------------------------------------------------------
def matmul_case(name, a_shape, b_shape, dtype, sym_a=None, sym_b=None, out_dtype=None):
    """MatMul of two graph inputs (cast to bf16/f16 in the graph when dtype asks)."""
    in_dtype = dtype if dtype in ("f32", "f64") or dtype.startswith("i") else "f32"
    cast_a, an = cast_in("a", dtype)
    cast_b, bn = cast_in("b", dtype)
    nodes = cast_a + cast_b + [helper.make_node("MatMul", [an, bn], ["p"])]
    y = "p"
    if in_dtype != dtype:  # back to f32 for the comparison: a cast epilogue
        nodes.append(helper.make_node("Cast", ["p"], ["y"], to=TP.FLOAT))
        y = "y"
    m = model(nodes, [vi("a", in_dtype, sym_a or list(a_shape)),
                      vi("b", in_dtype, sym_b or list(b_shape))],
              [vi(y, in_dtype, None)])
    a, b = data(a_shape, in_dtype), data(b_shape, in_dtype)
    k = a_shape[-1]
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    if in_dtype.startswith("i"):
        atol, rtol = 0, 0
    else:
        eps = 2.0 ** -53 if dtype == "f64" else EPS32
        atol = bound(rounded(a2, dtype), rounded(b2, dtype), k, 1.02, eps)
        rtol = ULP[dtype] if dtype in ("bf16", "f16") else 0.0
    run(name, m, {"a": a, "b": b}, {"matmul"}, atol, rtol)
    return a, b, atol


def direct_1d(name, a, b, atol):
    """ds-opt keeps matmul operands 2-D (an ONNX 1-D MatMul becomes unsqueeze, matmul,
    squeeze), but a bundle may hold the numpy form: rewrite the bundle of `name` into one
    matmul step on the 1-D operands, regenerate its kernels (ds-opt --emit=cuda-kernels)
    and compare emulate with cpu again."""
    global checked
    if only and name not in only:
        return
    import shutil
    src = os.path.join(out, name, name + ".dsb")
    if not os.path.exists(src):
        return  # the first run reported it
    checked += 1
    bundle = os.path.join(out, name, "direct.dsb")
    shutil.copytree(src, bundle)
    steps = json.load(open(os.path.join(bundle, "steps.json")))
    mm = next(s for s in steps["steps"] if s["kind"] == "matmul")
    mm.pop("kernel", None)
    keep = list(steps["inputs"]) + list(steps["outputs"])
    values = {v["id"]: v for v in steps["values"]}
    steps["values"] = []
    for new_id, old_id in enumerate(keep):  # ids stay dense: inputs, then the output
        v = values[old_id]
        v["id"] = new_id
        if old_id in steps["outputs"]:
            for key in ("alias_of", "offset", "inplace_of"):
                v.pop(key, None)
            v["step"] = 0
        steps["values"].append(v)
    n_in = len(steps["inputs"])
    steps["inputs"] = list(range(n_in))
    steps["outputs"] = list(range(n_in, len(keep)))
    mm["inputs"], mm["outputs"] = steps["inputs"], steps["outputs"]
    steps["steps"] = [mm]
    steps["memory_plan"] = {"alignment": 64, "arena_bytes": 0, "static": True}
    path = os.path.join(bundle, "steps.json")
    json.dump(steps, open(path, "w"))
    import subprocess
    regen = os.path.join(out, name, "regen")
    r = subprocess.run([emucheck.DS_OPT, "--emit=cuda-kernels", path, "-o", regen],
                       capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(f"{name} (1-D operands): --emit=cuda-kernels failed:\n{r.stderr}")
        return
    shutil.rmtree(os.path.join(bundle, "kernels"))
    shutil.copytree(os.path.join(regen, "kernels"), os.path.join(bundle, "kernels"))
    shutil.copy(os.path.join(regen, "steps.json"), path)
    shapes = [len(v["shape"]) for v in steps["values"] if v["id"] in steps["inputs"]]
    if 1 not in shapes:
        problems.append(f"{name} (1-D operands): no 1-D operand in {shapes}")
    work = os.path.join(out, name, "direct")
    os.makedirs(work)
    try:
        want = emucheck.run(bundle, {"a": a, "b": b}, work, "cpu")
        got = emucheck.run(bundle, {"a": a, "b": b}, work, "emulate")
    except RuntimeError as e:
        problems.append(f"{name} (1-D operands): {e}")
        return
    for k, (g, w) in enumerate(zip(got, want)):
        problems.extend(emucheck.compare(g, w, f"{name} (1-D operands) output {k}", 0.0, atol))


SIZES = [1, 7, 16, 33, 64, 100, 130]
combos = [(1, 7, 16), (7, 33, 100), (16, 64, 130), (33, 100, 7), (64, 16, 33), (100, 130, 64),
          (130, 1, 1), (1, 1, 1), (7, 130, 33), (130, 100, 130), (33, 16, 64), (1, 130, 100)]
for (M, K, N) in combos:
    matmul_case(f"f32_{M}x{K}x{N}", (M, K), (K, N), "f32")
# bf16: each tile configuration (M <= 16: 16x64, <= 64: 64x64, else 128x128).
for (M, K, N) in [(1, 130, 100), (16, 64, 130), (7, 33, 100), (33, 100, 7), (64, 16, 33),
                  (100, 130, 64), (130, 100, 130), (1, 1, 1), (130, 7, 1)]:
    matmul_case(f"bf16_{M}x{K}x{N}", (M, K), (K, N), "bf16")
for (M, K, N) in [(7, 33, 100), (130, 64, 16), (16, 100, 33)]:
    matmul_case(f"f16_{M}x{K}x{N}", (M, K), (K, N), "f16")
matmul_case("f64_33x100x7", (33, 100), (100, 7), "f64")
matmul_case("f64_7x16x64", (7, 16), (16, 64), "f64")
matmul_case("i32_33x100x7", (33, 100), (100, 7), "i32")
matmul_case("i64_7x16x65", (7, 16), (16, 65), "i64")

# Batched, with broadcast batch dims (folded into M when the weight has no batch).
for dtype in ("f32", "bf16"):
    matmul_case(f"{dtype}_batch_weight", (2, 3, 7, 33), (33, 17), dtype)
    matmul_case(f"{dtype}_batch_same", (3, 16, 40), (3, 40, 9), dtype)
    matmul_case(f"{dtype}_batch_bcast", (2, 1, 5, 24), (1, 3, 24, 70), dtype)
    matmul_case(f"{dtype}_batch_rhs3", (2, 3, 6, 20), (3, 20, 11), dtype)
    matmul_case(f"{dtype}_batch_lhs2d", (6, 20), (4, 20, 11), dtype)
# 1-D operands (numpy promotion), through ONNX and as 1-D operands of the step itself.
for name, a_shape, b_shape in (("vec_mat", (33,), (33, 10)), ("mat_vec", (10, 33), (33,)),
                               ("vec_vec", (33,), (33,)), ("vec_batch", (24,), (3, 24, 9)),
                               ("batch_vec", (3, 5, 24), (24,))):
    direct_1d("f32_" + name, *matmul_case("f32_" + name, a_shape, b_shape, "f32"))
matmul_case("bf16_batch_vec", (3, 5, 24), (24,), "bf16")
# Symbolic dims: batch and sequence bound at run time (one kernel serves all shapes).
for dtype in ("f32", "bf16"):
    for shape in ((2, 5, 40), (1, 1, 40), (3, 70, 40)):
        matmul_case(f"{dtype}_dyn_{shape[0]}x{shape[1]}", shape, (40, 24), dtype,
                    sym_a=["b", "s", 40])
    matmul_case(f"{dtype}_dyn_batched", (2, 3, 9, 16), (2, 3, 16, 9), dtype,
                sym_a=["b", 3, "s", 16], sym_b=["b", 3, 16, "s"])
# Empty products: no rows (no blocks), and K = 0 (zeros).
matmul_case("f32_rows0", (0, 16), (16, 8), "f32", sym_a=["s", 16])
matmul_case("bf16_rows0", (2, 0, 16), (16, 8), "bf16", sym_a=[2, "s", 16])
matmul_case("f32_k0", (5, 0), (0, 8), "f32", sym_a=[5, "k"], sym_b=["k", 8])


# ---- Gemm: linear (transB, bias) and matmul with transposes ----------------------------------
def gemm_case(name, M, K, N, dtype, trans_a=0, trans_b=0, alpha=1.0, bias=True, sym=False,
              act=None):
    cast_a, an = cast_in("a", dtype)
    w = data((N, K) if trans_b else (K, N), "f32")
    bvec = data((N,), "f32")
    inits = [numpy_helper.from_array(w, "w")]
    nodes = list(cast_a)
    wn, bn = "w", "bias"
    if dtype != "f32":
        nodes += [helper.make_node("Cast", ["w"], ["w_c"], to=ONNX[dtype]),
                  helper.make_node("Cast", ["bias"], ["bias_c"], to=ONNX[dtype])]
        wn, bn = "w_c", "bias_c"
    ins = [an, wn] + ([bn] if bias else [])
    if bias:
        inits.append(numpy_helper.from_array(bvec, "bias"))
    nodes.append(helper.make_node("Gemm", ins, ["p"], transA=trans_a, transB=trans_b,
                                  alpha=alpha))
    y = "p"
    if act:
        nodes.append(helper.make_node(act, ["p"], ["q"]))
        y = "q"
    if dtype != "f32":
        nodes.append(helper.make_node("Cast", [y], ["y"], to=TP.FLOAT))
        y = "y"
    a_shape = (K, M) if trans_a else (M, K)
    m = model(nodes, [vi("a", "f32", ["s", K] if sym else list(a_shape))],
              [vi(y, "f32", None)], inits)
    a = data(a_shape, "f32")
    a2 = a.T if trans_a else a
    w2 = w.T if trans_b else w
    atol = bound(rounded(a2, dtype), rounded(w2, dtype), K, 2.0 * max(alpha, 1.0)) + (
        1e-6 if bias else 0)
    kind = "linear" if alpha == 1.0 and not trans_a else "matmul"
    if run(name, m, {"a": a}, {kind}, atol, ULP.get(dtype, 0.0) if dtype != "f32" else 0.0):
        kinds = [s["kind"] for s in steps_of(name)]
        if kind not in kinds:
            problems.append(f"{name}: expected a {kind} step, got {kinds}")


gemm_case("linear_f32_transB", 33, 100, 70, "f32", trans_b=1)
gemm_case("linear_f32", 7, 33, 130, "f32")
gemm_case("linear_f32_nobias", 100, 16, 9, "f32", bias=False)
gemm_case("linear_bf16_transB", 130, 64, 100, "bf16", trans_b=1)
gemm_case("linear_bf16", 5, 40, 72, "bf16")
gemm_case("linear_f16_transB_dyn", 9, 48, 24, "f16", trans_b=1, sym=True)
gemm_case("linear_f32_relu", 20, 30, 40, "f32", trans_b=1, act="Relu")
gemm_case("matmul_transA", 17, 24, 33, "f32", trans_a=1)
gemm_case("matmul_transA_bf16", 17, 24, 33, "bf16", trans_a=1, trans_b=1)
gemm_case("matmul_transB_alpha", 17, 24, 33, "f32", trans_b=1, alpha=0.5)


# ---- epilogues ------------------------------------------------------------------------------
def epilogue_case(name, M, K, N, dtype, chain, sym=False, expect=("add",)):
    """x @ W (+ bias) -> activation -> (+ residual x) built from ONNX ops; the step must
    carry an epilogue whose program has the expected ops."""
    w = (data((K, N), "f32") / np.sqrt(K)).astype(np.float32)
    bvec = data((N,), "f32")
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(bvec, "bias")]
    cast_a, xn = cast_in("x", dtype)
    nodes = list(cast_a)
    wn, bn = "w", "bias"
    if dtype != "f32":
        nodes += [helper.make_node("Cast", ["w"], ["w_c"], to=ONNX[dtype]),
                  helper.make_node("Cast", ["bias"], ["bias_c"], to=ONNX[dtype])]
        wn, bn = "w_c", "bias_c"
    nodes.append(helper.make_node("MatMul", [xn, wn], ["t0"]))
    cur, i = "t0", 0
    extra = {}
    for op in chain:
        i += 1
        nxt = f"t{i}"
        if op == "bias":
            nodes.append(helper.make_node("Add", [cur, bn], [nxt]))
        elif op == "residual":  # x + f(x W): needs N == K
            nodes.append(helper.make_node("Add", [xn, cur], [nxt]))
        elif op == "rowscale":  # a [M, 1] input broadcast over columns
            nodes.append(helper.make_node("Mul", [cur, "s_c" if dtype != "f32" else "s"],
                                          [nxt]))
            extra["s"] = data((M, 1), "f32")
        elif op == "silu":
            nodes += [helper.make_node("Sigmoid", [cur], [nxt + "s"]),
                      helper.make_node("Mul", [cur, nxt + "s"], [nxt])]
        elif op == "gelu":
            nodes.append(helper.make_node("Gelu", [cur], [nxt]))
        else:
            nodes.append(helper.make_node(op, [cur], [nxt]))
        cur = nxt
    if "s" in extra and dtype != "f32":
        nodes.insert(0, helper.make_node("Cast", ["s"], ["s_c"], to=ONNX[dtype]))
    if dtype != "f32":
        nodes.append(helper.make_node("Cast", [cur], ["y"], to=TP.FLOAT))
        cur = "y"
    ins = [vi("x", "f32", ["s", K] if sym else [M, K])]
    if "s" in extra:
        ins.append(vi("s", "f32", ["s", 1] if sym else [M, 1]))
    m = model(nodes, ins, [vi(cur, "f32", None)], inits, opset=20)
    x = data((M, K), "f32")
    atol = 4.0 * bound(rounded(x, dtype), rounded(w, dtype), K, 2.0) + 1e-6
    if "rowscale" in chain:
        atol *= float(np.abs(extra["s"]).max()) + 1
    rtol = 2 * ULP[dtype] if dtype != "f32" else 1e-6
    if not run(name, m, {"x": x, **extra}, {"matmul"}, atol, rtol):
        return
    st = [s for s in steps_of(name) if s["kind"] == "matmul"]
    epi = st[0]["attrs"].get("epilogue") if st else None
    if not epi:
        problems.append(f"{name}: the matmul step has no epilogue")
        return
    fns = [ins.get("fn") for ins in epi["program"]]
    for fn in expect:
        if fn not in fns:
            problems.append(f"{name}: epilogue program {fns} lacks '{fn}'")


epilogue_case("epi_bias_relu_f32", 33, 40, 70, "f32", ["bias", "Relu"], expect=("add", "relu"))
epilogue_case("epi_bias_silu_res_f32", 20, 48, 48, "f32", ["bias", "silu", "residual"],
              expect=("add", "sigmoid", "mul"))
epilogue_case("epi_bias_gelu_bf16", 17, 64, 100, "bf16", ["bias", "gelu"], expect=("add", "gelu"))
epilogue_case("epi_bias_relu_res_bf16_dyn", 70, 32, 32, "bf16", ["bias", "Relu", "residual"],
              sym=True, expect=("add", "relu"))
epilogue_case("epi_rowscale_f16", 9, 24, 40, "f16", ["rowscale", "Tanh"], expect=("mul", "tanh"))
epilogue_case("epi_rowscale_f32_dyn", 65, 24, 40, "f32", ["rowscale", "bias"], sym=True,
              expect=("mul", "add"))


# ---- generator errors (ds-opt --emit=cuda-kernels on a hand-written steps.json) --------------
def gen_error(name, kind, ins, outs, attrs, expect):
    """ins / outs: (dtype, shape) per operand (None: absent)."""
    global checked
    if only and name not in only:
        return
    checked += 1
    values, ids = [], []
    for i, v in enumerate(ins + outs):
        if v is None:
            ids.append(-1)
            continue
        values.append({"id": len(values), "dtype": v[0], "shape": v[1],
                       "def": "input" if i < len(ins) else "step"})
        ids.append(len(values) - 1)
    steps = {"values": values, "steps": [{"kind": kind, "name": name, "attrs": attrs,
                                          "inputs": ids[:len(ins)], "outputs": ids[len(ins):]}]}
    work = os.path.join(out, "errors", name)
    os.makedirs(work)
    path = os.path.join(work, "steps.json")
    json.dump(steps, open(path, "w"))
    import subprocess
    r = subprocess.run([emucheck.DS_OPT, "--emit=cuda-kernels", path, "-o", work],
                       capture_output=True, text=True)
    if r.returncode == 0 or expect not in r.stderr:
        problems.append(f"{name}: expected an error with '{expect}', got {r.returncode}: "
                        f"{r.stderr}")


f = ("f32", [4, 8])
epi = {"program": [{"op": "unary", "fn": "relu", "args": [0], "dtype": "f32"}],
       "results": [1], "product_dtype": "f32"}
gen_error("err_weight_rank", "linear", [f, ("f32", [8, 2, 3])], [("f32", [4, 3])], {},
          "the weight must be 2-D, got")
gen_error("err_linear_k", "linear", [f, ("f32", [7, 3])], [("f32", [4, 3])], {},
          "but the weight [7,3] has K = 7")
gen_error("err_batch_rank", "matmul", [("f32", [2, 4, 8]), ("f32", [2, 8, 3])], [("f32", [])],
          {}, "has fewer dims than the batch")
gen_error("err_dtype", "matmul", [("c64", [4, 8]), ("c64", [8, 3])], [("c64", [4, 3])], {},
          "unsupported operand dtypes c64 and c64")
gen_error("err_product_name", "matmul", [f, ("f32", [8, 3])], [("f32", [4, 3])],
          {"epilogue": dict(epi, product_dtype=5)}, "'product_dtype' is not a dtype name")
gen_error("err_product_dtype", "matmul", [f, ("f32", [8, 3])], [("f32", [4, 3])],
          {"epilogue": dict(epi, product_dtype="f4")}, "unsupported product dtype 'f4'")
gen_error("err_product_i1", "matmul", [("i1", [4, 8]), ("i1", [8, 3])], [("i1", [4, 3])], {},
          "a product of dtype i1 is not supported")
gen_error("err_int_product", "matmul", [f, ("f32", [8, 3])], [("i32", [4, 3])], {},
          "an integer product needs integer operands, got f32 and f32")
gen_error("err_i1_operands", "matmul", [("i1", [4, 8]), ("i1", [8, 3])], [("f32", [4, 3])], {},
          "i1 operands are not supported")
gen_error("err_bias", "linear", [f, ("f32", [8, 3]), ("f32", [2, 3])], [("f32", [4, 3])], {},
          "bias must be a 1-D tensor of a supported dtype, got f32 [2,3]")
gen_error("err_output_ranks", "matmul", [f, ("f32", [8, 3])], [("f32", [4, 3]), ("f32", [12])],
          {"epilogue": dict(epi, results=[1, 1])}, "the outputs have different ranks")
gen_error("err_contraction", "matmul", [f, ("f32", [7, 3])], [("f32", [4, 3])], {},
          "contraction dims differ")
gen_error("err_epilogue_program", "matmul", [f, ("f32", [8, 3])], [("f32", [4, 3])],
          {"epilogue": dict(epi, results=[7])}, "epilogue: result 0 is not one of the")

emucheck.report(problems, checked)
