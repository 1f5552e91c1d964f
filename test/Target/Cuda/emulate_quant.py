# The generated quantization kernels (quantize, dequantize, dynamic_quantize,
# matmul_nbits) compute what the cpu backend computes: ONNX models are compiled to
# bundles and run by ds-run on cpu and on emulate (DS_EMULATE_STRICT=1: every step through
# its generated kernel) through Inputs/emucheck.py.
#
# Tolerances: quantize, dequantize and dynamic_quantize reproduce the cpu's rounding step
# by step (division in the scale's type, half-to-even, f8 encoders shared with the cpu,
# one f32 multiply), so every output is compared exactly (floats bit for bit: rtol = atol
# = 0). matmul_nbits dequantizes each weight exactly as the cpu does and accumulates in
# f32 in another order than the cpu's GEMM: with exactly representable data (small
# integer activations, power-of-two scales: every partial sum is exact in f32) the result
# is order-independent and compared exactly; with random data the difference of two f32
# summation orders is bounded by 2 K eps sum_k |x_k w_k|, used as atol (plus one f16 /
# bf16 ulp as rtol where the output is rounded to 16 bits).
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "Inputs"))
import emucheck  # noqa: E402

out_dir = sys.argv[1]
only = sys.argv[2:]  # case names, for debugging
rng = np.random.default_rng(11)
problems, checked = [], 0

NP = {TP.FLOAT: np.float32, TP.FLOAT16: np.float16, TP.DOUBLE: np.float64,
      TP.INT8: np.int8, TP.UINT8: np.uint8, TP.INT16: np.int16, TP.UINT16: np.uint16,
      TP.INT32: np.int32}


def bf16_bits(a):
    """float32 array -> bfloat16 bit patterns (round to nearest even), as uint16."""
    b = np.asarray(a, np.float32).view(np.uint32).astype(np.uint64)
    return ((b + 0x7fff + ((b >> 16) & 1)) >> 16).astype(np.uint16)


def tensor(name, value, elem=None):
    """An initializer; `elem` overrides the element type (bf16 / f8 from raw bits)."""
    if elem is None:
        return numpy_helper.from_array(value, name)
    raw = np.ascontiguousarray(value)
    return helper.make_tensor(name, elem, list(raw.shape), raw.tobytes(), raw=True)


def model(nodes, inputs, outputs, inits, opset=21):
    g = helper.make_graph(nodes, "g", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset),
                                            helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 10
    return m


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def differences(got, want, what, rtol, atol):
    """emucheck.compare, with rtol = atol = 0 meaning bit-exact floats (inf equals inf,
    signed zeros must agree, NaN matches NaN)."""
    if got.dtype.kind != "f" or got.shape != want.shape or rtol or atol:
        if got.dtype.kind == "f" and got.shape == want.shape:
            same = (got == want) | (np.isnan(got) & np.isnan(want))
            got = np.where(same, want, got)
        return emucheck.compare(got, want, what, rtol, atol)
    bad = np.argwhere(~(((got == want) & (np.signbit(got) == np.signbit(want)))
                        | (np.isnan(got) & np.isnan(want))))
    if len(bad) == 0:
        return []
    first = tuple(int(i) for i in bad[0])
    return [f"{what}: {len(bad)} of {got.size} elements differ; first at {first}: "
            f"{got[first]!r}, cpu {want[first]!r}"]


def run_case(name, m, feeds, kinds, rtol=0.0, atol=0.0):
    """Compile, check every step of `kinds` got a kernel, run on cpu and emulate, compare."""
    global checked
    if only and name not in only:
        return
    checked += 1
    work = os.path.join(out_dir, name)
    try:
        bundle = emucheck.compile_bundle(m, work, name)
        for kind in kinds:
            with_kernel, without = emucheck.kernel_kinds(bundle).get(kind, (0, 0))
            if with_kernel == 0 or without:
                problems.append(f"{name}: expected every '{kind}' step to have a kernel; "
                                f"{with_kernel} with, {without} without")
        want = emucheck.run(bundle, feeds, work, "cpu")
        got = emucheck.run(bundle, feeds, work, "emulate")
    except RuntimeError as e:
        problems.append(f"{name}: {e}")
        return
    for k, (g, w) in enumerate(zip(got, want)):
        problems.extend(differences(g, w, f"{name} output {k} ({m.graph.output[k].name})",
                                    rtol, atol))


def special(x):
    """Sprinkles ties, zeros, signed zeros and out-of-range values into a float array:
    every third element becomes an odd multiple of 1/8 (a tie for the scale 0.25 that
    tie_scale() puts into every other scale entry)."""
    flat = x.reshape(-1)
    flat[::3] = (2 * rng.integers(-300, 300, size=flat[::3].size) + 1) / 8.0
    picks = [0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 1e6, -1e6, 127.5, -128.5, 255.5]
    for i, v in enumerate(picks):
        if i * 7 < flat.size:
            flat[i * 7] = v
    return x


def tie_scale(scale):
    scale = np.array(scale, np.float32)
    scale.reshape(-1)[::2] = 0.25
    return scale


# ---- QuantizeLinear --------------------------------------------------------------------------

def quantize_cases():
    shape = [2, 3, 5]
    # (name, axis, block, scale shape, out type, with zp)
    layouts = [("tensor", 1, 0, [], True), ("tensor1", 1, 0, [1], True)]
    for axis in range(3):
        layouts.append((f"axis{axis}", axis, 0, [shape[axis]], True))
    layouts.append(("axisneg", -1, 0, [5], False))
    for axis, block in [(0, 1), (1, 2), (2, 2), (2, 4), (-2, 3)]:
        s = list(shape)
        s[axis] = (s[axis] + block - 1) // block
        layouts.append((f"block{axis}_{block}", axis, block, s, True))
    # One model: per layout every integer result type, on a static and a symbolic input.
    nodes, inits, outs = [], [], []
    for lname, axis, block, sshape, with_zp in layouts:
        scale = tie_scale(rng.uniform(0.05, 0.5, size=sshape).astype(np.float32))
        inits.append(tensor("s_" + lname, scale))
        for elem in [TP.UINT8, TP.INT8, TP.INT16, TP.UINT16]:
            tname = TP.DataType.Name(elem)
            for src in ("x", "xd"):
                ins = [src, "s_" + lname]
                attrs = {"axis": axis}
                if block:
                    attrs["block_size"] = block
                if with_zp:
                    info = np.iinfo(NP[elem])
                    zp = rng.integers(max(info.min, -20), min(info.max, 20) + 1,
                                      size=sshape).astype(NP[elem])
                    inits.append(tensor(f"zp_{lname}_{tname}_{src}", zp))
                    ins.append(f"zp_{lname}_{tname}_{src}")
                else:
                    attrs["output_dtype"] = elem
                y = f"y_{lname}_{tname}_{src}"
                nodes.append(helper.make_node("QuantizeLinear", ins, [y], **attrs))
                outs.append(vi(y, elem, shape if src == "x" else ["B", 3, 5]))
    m = model(nodes, [vi("x", TP.FLOAT, shape), vi("xd", TP.FLOAT, ["B", 3, 5])], outs, inits)
    x = special(rng.normal(0, 20, size=shape).astype(np.float32))
    xd = special(rng.normal(0, 20, size=shape).astype(np.float32))
    run_case("q_layouts", m, {"x": x, "xd": xd}, {"quantize"})

    # A longer tensor (grid-stride loop, many blocks), NaN and inf.
    n = 3001
    x = rng.normal(0, 40, size=(n,)).astype(np.float32)
    x[:4] = [np.nan, np.inf, -np.inf, 300.5]
    m = model([helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"])],
              [vi("x", TP.FLOAT, ["N"])], [vi("y", TP.INT8, ["N"])],
              [tensor("s", np.float32(0.25)), tensor("zp", np.int8(-3))])
    x[4:200] = (2 * rng.integers(-300, 300, size=196) + 1) / 8.0
    run_case("q_long_nan", m, {"x": x}, {"quantize"})

    # f16 and bf16 (division in the scale's type, rounded there).
    for elem, name in [(TP.FLOAT16, "f16"), (TP.BFLOAT16, "bf16")]:
        x = special(rng.normal(0, 30, size=(4, 6)).astype(np.float32))
        scale = tie_scale(rng.uniform(0.1, 0.7, size=(6,)).astype(np.float32))
        if elem == TP.FLOAT16:
            feed, sinit = x.astype(np.float16), tensor("s", scale.astype(np.float16))
        else:
            feed, sinit = None, tensor("s", bf16_bits(scale), TP.BFLOAT16)
        zp = rng.integers(-5, 6, size=(6,)).astype(np.int8)
        m = model([helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"], axis=1)],
                  [vi("x", elem, ["R", 6])], [vi("y", TP.INT8, ["R", 6])],
                  [sinit, tensor("zp", zp)])
        if elem == TP.BFLOAT16:
            # bf16 inputs reach the model as f32 and are cast inside it.
            m = model([helper.make_node("Cast", ["xf"], ["x"], to=TP.BFLOAT16),
                       helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"], axis=1)],
                      [vi("xf", TP.FLOAT, ["R", 6])], [vi("y", TP.INT8, ["R", 6])],
                      [sinit, tensor("zp", zp)])
            run_case(f"q_{name}", m, {"xf": x}, {"quantize"})
        else:
            run_case(f"q_{name}", m, {"x": feed}, {"quantize"})

    # f8 results, saturating or not, with values beyond the f8 range, NaN and inf.
    nodes, inits, outs = [], [], []
    x = special(rng.normal(0, 200, size=(3, 40)).astype(np.float32))
    x[0, :6] = [1e9, -1e9, np.inf, -np.inf, np.nan, 3e-8]
    for elem, name in [(TP.FLOAT8E4M3FN, "e4m3fn"), (TP.FLOAT8E5M2, "e5m2")]:
        for saturate in (1, 0):
            tag = f"{name}_sat{saturate}"
            scale = tie_scale(rng.uniform(0.01, 2.0, size=(3, 1)).astype(np.float32))
            nodes.append(helper.make_node("QuantizeLinear", ["x", "s_" + tag], ["y_" + tag],
                                          axis=1, block_size=40, saturate=saturate,
                                          output_dtype=elem))
            outs.append(vi("y_" + tag, elem, [3, 40]))
            inits.append(tensor("s_" + tag, scale))
    run_case("q_f8", model(nodes, [vi("x", TP.FLOAT, [3, 40])], outs, inits), {"x": x},
             {"quantize"})


# ---- DequantizeLinear ------------------------------------------------------------------------

def dequantize_cases():
    shape = [3, 4, 5]
    layouts = [("tensor", 1, 0, []), ("axis0", 0, 0, [3]), ("axis1", 1, 0, [4]),
               ("axis2", 2, 0, [5]), ("block1_3", 1, 3, [3, 2, 5]), ("block2_2", 2, 2, [3, 4, 3])]
    # One model: per layout every integer input type, with and without zero point.
    nodes, inits, outs, ins_vi, feeds = [], [], [], [], {}
    for lname, axis, block, sshape in layouts:
        scale = rng.uniform(0.001, 2.0, size=sshape).astype(np.float32)
        inits.append(tensor("s_" + lname, scale))
        for elem in [TP.UINT8, TP.INT8, TP.INT16, TP.UINT16, TP.INT32]:
            tname = TP.DataType.Name(elem)
            info = np.iinfo(NP[elem])
            for with_zp in (True, False):
                if elem == TP.INT32 and with_zp and lname != "tensor":
                    continue
                tag = f"{lname}_{tname}_{'zp' if with_zp else 'nozp'}"
                q = rng.integers(info.min, info.max, size=shape, endpoint=True,
                                 dtype=np.int64).astype(NP[elem])
                feeds["q_" + tag] = q
                ins_vi.append(vi("q_" + tag, elem, ["A", 4, 5] if with_zp else shape))
                ins = ["q_" + tag, "s_" + lname]
                if with_zp:
                    zp = (np.zeros(sshape, NP[elem]) if elem == TP.INT32 else
                          rng.integers(info.min, info.max, size=sshape, endpoint=True,
                                       dtype=np.int64).astype(NP[elem]))
                    inits.append(tensor("zp_" + tag, zp))
                    ins.append("zp_" + tag)
                attrs = {"axis": axis}
                if block:
                    attrs["block_size"] = block
                nodes.append(helper.make_node("DequantizeLinear", ins, ["y_" + tag], **attrs))
                outs.append(vi("y_" + tag, TP.FLOAT, ["A", 4, 5] if with_zp else shape))
    run_case("dq_layouts", model(nodes, ins_vi, outs, inits), feeds, {"dequantize"})

    # Static and large enough for the vector path (remainder 700 % 4 != 0 in the second).
    q = rng.integers(-128, 128, size=(3, 701), dtype=np.int64).astype(np.int8)
    m = model([helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["y"], axis=0)],
              [vi("q", TP.INT8, [3, 701])], [vi("y", TP.FLOAT, [3, 701])],
              [tensor("s", rng.uniform(0.01, 1, size=(3,)).astype(np.float32)),
               tensor("zp", np.array([-3, 0, 7], np.int8))])
    run_case("dq_static_long", m, {"q": q}, {"dequantize"})

    # f16 / bf16 results (the scale's type), f8 inputs with and without zero points.
    q = rng.integers(-128, 128, size=(2, 33), dtype=np.int64).astype(np.int8)
    scale = rng.uniform(0.001, 3.0, size=(2, 3)).astype(np.float32)
    m = model([helper.make_node("DequantizeLinear", ["q", "s"], ["y"], axis=1, block_size=16)],
              [vi("q", TP.INT8, [2, 33])], [vi("y", TP.FLOAT16, [2, 33])],
              [tensor("s", scale.astype(np.float16))])
    run_case("dq_f16_out", m, {"q": q}, {"dequantize"})
    m = model([helper.make_node("DequantizeLinear", ["q", "s"], ["y"], axis=1, block_size=16),
               helper.make_node("Cast", ["y"], ["yf"], to=TP.FLOAT)],
              [vi("q", TP.INT8, [2, 33])], [vi("yf", TP.FLOAT, [2, 33])],
              [tensor("s", bf16_bits(scale), TP.BFLOAT16)])
    run_case("dq_bf16_out", m, {"q": q}, {"dequantize"})
    # f8 data are weights (no f8 graph inputs); y = dq(qw) * x keeps each step live. The
    # zero points are arbitrary finite f8 values (the cpu subtracts any).
    nodes, inits, outs = [], [], []
    for elem, name in [(TP.FLOAT8E4M3FN, "e4m3fn"), (TP.FLOAT8E5M2, "e5m2")]:
        for with_zp in (False, True):
            tag = f"{name}_{'zp' if with_zp else 'nozp'}"
            bits = rng.integers(0, 256, size=(4, 32), dtype=np.int64).astype(np.uint8)
            scale = rng.uniform(0.01, 4.0, size=(4, 2)).astype(np.float32)
            inits += [tensor("qw_" + tag, bits, elem), tensor("s_" + tag, scale)]
            ins = ["qw_" + tag, "s_" + tag]
            if with_zp:
                inits.append(tensor("zp_" + tag,
                                    rng.integers(0, 0x70, size=(4, 2)).astype(np.uint8), elem))
                ins.append("zp_" + tag)
            nodes += [helper.make_node("DequantizeLinear", ins, ["w_" + tag], axis=1,
                                       block_size=16),
                      helper.make_node("Mul", ["w_" + tag, "x"], ["y_" + tag])]
            outs.append(vi("y_" + tag, TP.FLOAT, [4, 32]))
    run_case("dq_f8", model(nodes, [vi("x", TP.FLOAT, [4, 32])], outs, inits),
             {"x": np.ones((4, 32), np.float32)}, {"dequantize"})


# ---- DynamicQuantizeLinear -------------------------------------------------------------------

def dynamic_cases():
    cases = {
        "random": rng.normal(0, 3, size=(7, 33)).astype(np.float32),
        "long": rng.normal(1, 5, size=(5003,)).astype(np.float32),
        "equal": np.full((4, 5), 2.5, np.float32),
        "zeros": np.zeros((3, 3), np.float32),
        "negative": -rng.uniform(0.5, 9, size=(6, 7)).astype(np.float32),
        "positive": rng.uniform(0.5, 9, size=(6, 7)).astype(np.float32),
        "one": np.array([-4.0], np.float32),
        "ties": np.array([-1.0, 0.0, 254.0, 1.5, 2.5, 3.5, -0.0, 127.5], np.float32),
        # NaN never becomes the min/max and quantizes to 0; an infinite max gives scale inf.
        "nan": np.array([1.0, np.nan, -2.0, 5.0, 3.0], np.float32),
        "inf": np.array([1.0, np.nan, -2.0, np.inf, 3.0], np.float32),
    }
    # One model, one DynamicQuantizeLinear per case (symbolic dims each).
    nodes, ins, outs, feeds = [], [], [], {}
    for name, x in cases.items():
        shape = [f"{name}{i}" for i in range(x.ndim)]
        nodes.append(helper.make_node("DynamicQuantizeLinear", ["x_" + name],
                                      ["y_" + name, "ys_" + name, "yz_" + name]))
        ins.append(vi("x_" + name, TP.FLOAT, shape))
        outs += [vi("y_" + name, TP.UINT8, shape), vi("ys_" + name, TP.FLOAT, []),
                 vi("yz_" + name, TP.UINT8, [])]
        feeds["x_" + name] = x
    run_case("dyn", model(nodes, ins, outs, []), feeds, {"dynamic_quantize"})


# ---- MatMulNBits -----------------------------------------------------------------------------

def pack(q, bits):
    """[N, blocks, block] codes -> [N, blocks, block * bits / 8] bytes (low bits first)."""
    per = 8 // bits
    n, blocks, bs = q.shape
    q = q.reshape(n, blocks, bs // per, per).astype(np.uint32)
    out = np.zeros((n, blocks, bs // per), np.uint32)
    for j in range(per):
        out |= q[..., j] << (j * bits)
    return out.astype(np.uint8)


def nbits_node(tag, K, N, bits, bs, zp_kind, bias, exact, ft):
    """A MatMulNBits node on input "x" with its initializers, and its weights as the cpu
    dequantizes them (f32 [N, K])."""
    blocks = (K + bs - 1) // bs
    q = rng.integers(0, 1 << bits, size=(N, blocks, bs)).astype(np.uint8)
    if exact:
        scale = rng.choice([0.25, 0.5, 1.0, 2.0], size=(N, blocks)).astype(ft)
    else:
        scale = rng.uniform(0.01, 0.1, size=(N, blocks)).astype(ft)
    inits = [tensor("w" + tag, pack(q, bits)), tensor("sc" + tag, scale)]
    ins = ["x", "w" + tag, "sc" + tag, "", "", ""]
    zf = np.full((N, blocks), 1 << (bits - 1), np.float32)
    if zp_kind == "packed":
        codes = rng.integers(0, 1 << bits, size=(N, blocks)).astype(np.uint8)
        zf = codes.astype(np.float32)
        cols = (blocks * bits + 7) // 8
        padded = np.zeros((N, cols * (8 // bits)), np.uint8)
        padded[:, :blocks] = codes
        inits.append(tensor("zp" + tag, pack(padded.reshape(N, 1, -1), bits).reshape(N, cols)))
        ins[3] = "zp" + tag
    elif zp_kind == "float":
        zf = rng.integers(0, 1 << bits, size=(N, blocks)).astype(np.float32)
        if not exact:
            zf += rng.uniform(-0.5, 0.5, size=zf.shape).astype(np.float32)
        inits.append(tensor("zp" + tag, zf.astype(ft)))
        ins[3] = "zp" + tag
        zf = zf.astype(ft).astype(np.float32)
    if bias:
        b = (rng.integers(-4, 5, size=(N,)) if exact else rng.normal(size=(N,))).astype(ft)
        inits.append(tensor("b" + tag, b))
        ins[5] = "b" + tag
    while ins[-1] == "":
        ins.pop()
    node = helper.make_node("MatMulNBits", ins, ["y" + tag], domain="com.microsoft", K=K, N=N,
                            bits=bits, block_size=bs, accuracy_level=4)
    wf = ((q.reshape(N, -1)[:, :K].astype(np.float32) - np.repeat(zf, bs, axis=1)[:, :K])
          * np.repeat(scale.astype(np.float32), bs, axis=1)[:, :K])
    return node, inits, wf


def nbits_case(name, Ms, K, N, bits, bs, zp_kinds, bias, exact, xtype=TP.FLOAT, dyn=None):
    """One model: a MatMulNBits node per zero-point kind and M (one input per M, the
    weights shared)."""
    ft = np.float16 if xtype == TP.FLOAT16 else np.float32
    nodes, inits, outs, ins, feeds, weights = [], [], [], [], {}, []
    for zp in zp_kinds:
        node, init, wf = nbits_node("_" + zp, K, N, bits, bs, zp, bias, exact, ft)
        inits += init
        weights.append(wf)
        for M in Ms:
            lead = [M] if dyn is None else [f"s{i}_{M}" if isinstance(d, str) else d
                                            for i, d in enumerate(dyn)]
            xn, yn = f"x{M}", f"y_{zp}_{M}"
            n = helper.make_node(node.op_type, [xn] + list(node.input[1:]), [yn],
                                 domain=node.domain)
            n.attribute.extend(node.attribute)
            nodes.append(n)
            outs.append(vi(yn, xtype, [*lead, N]))
            if xn not in feeds:
                ins.append(vi(xn, xtype, [*lead, K]))
                concrete = ([M] if dyn is None else dyn_values(dyn, M)) + [K]
                feeds[xn] = (rng.integers(-3, 4, size=concrete) if exact
                             else rng.normal(size=concrete)).astype(ft)
    m = model(nodes, ins, outs, inits)
    rtol = atol = 0.0
    if not exact:
        # The bound on two f32 summation orders: 2 K eps max sum_k |x_k w_k|.
        mag = max(float((np.abs(x.astype(np.float32).reshape(-1, K)) @ np.abs(wf).T).max())
                  for x in feeds.values() for wf in weights)
        atol = 2 * K * 2.0 ** -24 * mag
        rtol = 2.0 ** -10 if xtype == TP.FLOAT16 else 0.0
    run_case(name, m, feeds, {"matmul_nbits"}, rtol=rtol, atol=atol)


def dyn_values(dyn, M):
    """Concrete leading dims for a symbolic shape: symbols take M (then 1)."""
    vals, first = [], True
    for d in dyn:
        if isinstance(d, str):
            vals.append(M if first else 1)
            first = False
        else:
            vals.append(d)
    return vals


def nbits_cases():
    # K = 40 is not a multiple of the block (16): the last block is padding past K.
    for bits in (4, 8, 2):
        for exact in (True, False):
            nbits_case(f"nb{bits}_{'exact' if exact else 'rand'}", (1, 3, 17), K=40, N=7,
                       bits=bits, bs=16, zp_kinds=("none", "packed", "float"), bias=True,
                       exact=exact)
    # Symbolic M (rank 2 and rank 3; M = 1 and more), several K tiles, N spanning several
    # column tiles, K a multiple of the block, f16 activations.
    nbits_case("nb4_dynM", (1, 5), K=64, N=33, bits=4, bs=32, zp_kinds=("packed", "float"),
               bias=True, exact=True, dyn=["M"])
    nbits_case("nb4_dynM_rand", (1, 17), K=64, N=9, bits=4, bs=32, zp_kinds=("none", "float"),
               bias=True, exact=False, dyn=["M"])
    nbits_case("nb4_dynBS", (3,), K=64, N=9, bits=4, bs=32, zp_kinds=("none",), bias=False,
               exact=False, dyn=[2, "S"])
    nbits_case("nb4_ktiles", (3,), K=1100, N=20, bits=4, bs=32, zp_kinds=("packed",),
               bias=False, exact=True)
    nbits_case("nb4_ktiles_rand", (2,), K=1100, N=20, bits=4, bs=64, zp_kinds=("none",),
               bias=True, exact=False)
    nbits_case("nb8_ktiles", (9,), K=600, N=5, bits=8, bs=128, zp_kinds=("packed",), bias=True,
               exact=True, dyn=["M"])
    nbits_case("nb2_ktiles", (2,), K=2100, N=3, bits=2, bs=64, zp_kinds=("packed",),
               bias=False, exact=True)
    nbits_case("nb4_f16", (3,), K=48, N=11, bits=4, bs=16, zp_kinds=("float", "none"),
               bias=True, exact=True, xtype=TP.FLOAT16)
    nbits_case("nb4_f16_rand", (17,), K=48, N=11, bits=4, bs=16, zp_kinds=("packed",),
               bias=True, exact=False, xtype=TP.FLOAT16, dyn=["M"])


# ---- generator errors ------------------------------------------------------------------------
# Bad steps (hand-made steps.json; the bundle writer only hands over verified ops) are errors
# naming the step and the problem, through `ds-opt --emit=cuda-kernels`.

def error_cases():
    import json
    import subprocess
    global checked
    values = [{"id": 0, "dtype": "f32", "shape": [-1, 40], "def": "input", "index": 0},
              {"id": 1, "dtype": "f32", "shape": [40], "def": "input", "index": 1},
              {"id": 2, "dtype": "f32", "shape": [-1, 40], "def": "step", "step": 0},
              {"id": 3, "dtype": "ui8", "shape": [-1, 40], "def": "step", "step": 0},
              {"id": 4, "dtype": "ui8", "shape": [7, 3, 8], "def": "input", "index": 2},
              {"id": 5, "dtype": "f32", "shape": [7, 3], "def": "input", "index": 3},
              {"id": 6, "dtype": "f32", "shape": [-1, 7], "def": "step", "step": 0},
              {"id": 7, "dtype": "f16", "shape": [-1, 40], "def": "input", "index": 4},
              {"id": 8, "dtype": "f32", "shape": [3], "def": "input", "index": 5},
              {"id": 9, "dtype": "f32", "shape": [], "def": "step", "step": 0},
              {"id": 10, "dtype": "ui8", "shape": [], "def": "step", "step": 0},
              {"id": 11, "dtype": "i4", "shape": [-1, 40], "def": "step", "step": 0},
              {"id": 12, "dtype": "i8", "shape": [40], "def": "input", "index": 6},
              {"id": 13, "dtype": "i1", "shape": [-1, 40], "def": "input", "index": 7}]
    nbits = {"k": 40, "n": 7, "bits": 4, "block_size": 16}
    cases = [
        ("q-f32-out", "quantize", [0, 1], [2], {"axis": 1},
         "f32 is not a quantized type (i8, ui8, i16, ui16, i32, ui32, f8E4M3FN, f8E5M2)"),
        ("q-i4-out", "quantize", [0, 1], [11], {"axis": 1},
         "unsupported element types f32, f32 -> i4"),
        ("q-int-scale", "quantize", [0, 12], [3], {"axis": 1}, "scale must be a float, got i8"),
        ("q-int-in", "quantize", [3, 1], [3], {"axis": 1}, "input must be a float, got ui8"),
        ("dq-bool-in", "dequantize", [13, 1], [2], {"axis": 1}, "input type i1 cannot be dequantized"),
        ("dyn-outs", "dynamic_quantize", [0], [3], {}, "dynamic_quantize needs one input and three outputs"),
        ("dyn-out-types", "dynamic_quantize", [0], [3, 9, 9], {},
         "outputs must be ui8, f32, ui8, got ui8, f32, f32"),
        ("nb-operands", "matmul_nbits", [0, 4], [6], nbits,
         "matmul_nbits needs inputs (input, weight, scales[, zero_points[, bias]]) and one output"),
        ("nb-block", "matmul_nbits", [0, 4, 5, -1, -1], [6], dict(nbits, block_size=12),
         "block_size must be a power of two >= 8, got 12"),
        ("nb-scales", "matmul_nbits", [0, 4, 4, -1, -1], [6], nbits,
         "scales must be a float tensor, got ui8"),
        ("nb-out", "matmul_nbits", [0, 4, 5, -1, -1], [3], nbits,
         "output must be a float tensor, got ui8"),
        ("nb-zp", "matmul_nbits", [0, 4, 5, 12, -1], [6], nbits,
         "zero_points element type i8 must be ui8 (packed) or a float type"),
        ("nb-bias", "matmul_nbits", [0, 4, 5, -1, 12], [6], nbits, "bias must be a float tensor, got i8"),
        ("q-axis", "quantize", [0, 1], [3], {"axis": 2}, "axis 2 is out of range for rank 2"),
        ("q-axis-dim", "quantize", [0, 8], [3], {"axis": 1}, "does not match input dim 1"),
        ("q-blocked", "quantize", [0, 8], [3], {"axis": 1, "block_size": 16},
         "must have the rank of"),
        ("dq-int-out", "dequantize", [3, 1], [3], {"axis": 1}, "must be a float type"),
        ("dyn-f16", "dynamic_quantize", [7], [3, 9, 10], {}, "input must be f32, got f16"),
        ("nb-bits", "matmul_nbits", [0, 4, 5, -1, -1], [6], dict(nbits, bits=3),
         "bits must be 2, 4 or 8, got 3"),
        ("nb-weight", "matmul_nbits", [0, 4, 5, -1, -1], [6], dict(nbits, block_size=32),
         "weight of shape [7,3,8] (ui8) must be ui8 [N, n_blocks, blob] = [7,2,16]"),
        ("nb-k", "matmul_nbits", [0, 4, 5, -1, -1], [6], dict(nbits, k=48),
         "input of shape [?,40] (f32) must be a float tensor ending in K = 48"),
    ]
    for name, kind, ins, outs, attrs, want in cases:
        if only and name not in only:
            continue
        checked += 1
        work = os.path.join(out_dir, "errors", name)
        os.makedirs(work)
        step = {"kind": kind, "name": "/bad", "inputs": ins, "outputs": outs, "attrs": attrs}
        path = os.path.join(work, "steps.json")
        json.dump({"format_version": 1, "inputs": [0], "outputs": outs, "values": values,
                   "steps": [step]}, open(path, "w"))
        r = subprocess.run([emucheck.DS_OPT, path, "--emit=cuda-kernels", "-o",
                            os.path.join(work, "out")], capture_output=True, text=True)
        if r.returncode == 0 or want not in r.stderr or f"({kind} '/bad')" not in r.stderr:
            problems.append(f"error case {name}: exit {r.returncode}, expected a message with "
                            f"{want!r}, got:\n{r.stderr}")


quantize_cases()
dequantize_cases()
dynamic_cases()
nbits_cases()
error_cases()
emucheck.report(problems, checked)
