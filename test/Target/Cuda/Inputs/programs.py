"""Small ds programs that together reach every unary / binary / compare / select / cast
function of the elementwise family in every compute class, with static, broadcast and
dynamic shapes, and random inputs (special values included) for them.

programs() yields (name, mlir_text, input_shapes, input_dtypes); inputs() makes the
arrays. The shapes are chosen so that static kernels take both the vector path
(>= 1024 elements, with a remainder) and the scalar one.
"""
import numpy as np

from emulate import NP_DTYPES

FLOAT_UNARY = [
    "neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "reciprocal", "floor", "ceil",
    "round", "tanh", "erf", "sigmoid", "relu", "leaky_relu", "gelu", "gelu_tanh", "elu",
    "selu", "celu", "softplus", "softsign", "mish", "hard_sigmoid", "hard_swish",
    "thresholded_relu", "shrink", "silu", "cos", "sin", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "asinh", "acosh", "atanh", "identity", "square"]
INT_UNARY = ["neg", "abs", "sign", "relu", "square", "bitwise_not", "identity"]
FLOAT_BINARY = ["add", "sub", "mul", "div", "pow", "mod", "fmod", "max", "min", "prelu"]
INT_BINARY = FLOAT_BINARY + ["shift_left", "shift_right", "bitwise_and", "bitwise_or",
                             "bitwise_xor"]
COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"]
ALL_DTYPES = ["f32", "f16", "bf16", "f64", "f8E4M3FN", "f8E5M2", "i1", "i8", "i16", "i32",
              "i64", "ui8", "ui16", "ui32", "ui64"]
# Parameters other than the defaults for some functions.
PARAMS = {"leaky_relu": "{alpha = 0.1 : f32}", "hard_sigmoid": "{alpha = 0.3 : f32, beta = 0.4 : f32}",
          "shrink": "{alpha = 0.7 : f32, beta = 0.2 : f32}"}


def tensor(shape, dtype):
    dims = "x".join("?" if d < 0 else str(d) for d in shape)
    return f"tensor<{dims}x{dtype}>" if shape else f"tensor<{dtype}>"


def function(args, body, results):
    """args: [(name, type)], body: lines, results: [(value, type)]."""
    sig = ", ".join(f"%{n}: {t}" for n, t in args)
    res = ", ".join(t for _, t in results)
    ret = ", ".join(f"%{v}" for v, _ in results)
    rtypes = ", ".join(t for _, t in results)
    lines = [f"func.func @main({sig}) -> ({res}) {{"] + ["  " + l for l in body]
    lines += [f"  return {ret} : {rtypes}", "}"]
    return "\n".join(lines) + "\n"


def unary_program(dtype, shape, fns):
    t = tensor(shape, dtype)
    body, results = [], []
    for k, fn in enumerate(fns):
        out = tensor(shape, "i1") if fn in ("is_inf", "is_nan") else t
        body.append(f"%r{k} = ds.unary {fn} %x {PARAMS.get(fn, '')} : {t} -> {out}")
        results.append((f"r{k}", out))
    return function([("x", t)], body, results), [shape], [dtype]


def binary_program(dtype, a_shape, b_shape, out_shape, fns, b_dtype=None):
    ta, tb, to = tensor(a_shape, dtype), tensor(b_shape, b_dtype or dtype), tensor(out_shape, dtype)
    body, results = [], []
    for k, fn in enumerate(fns):
        body.append(f"%r{k} = ds.binary {fn} %a, %b : ({ta}, {tb}) -> {to}")
        results.append((f"r{k}", to))
    return function([("a", ta), ("b", tb)], body, results), [a_shape, b_shape], [dtype, b_dtype or dtype]


def compare_program(dtype, a_shape, b_shape, out_shape):
    ta, tb, to = tensor(a_shape, dtype), tensor(b_shape, dtype), tensor(out_shape, "i1")
    body = [f"%r{k} = ds.compare {fn} %a, %b : ({ta}, {tb}) -> {to}" for k, fn in enumerate(COMPARE)]
    return function([("a", ta), ("b", tb)], body, [(f"r{k}", to) for k in range(len(COMPARE))]), \
        [a_shape, b_shape], [dtype, dtype]


def select_program(dtype, c_shape, a_shape, b_shape, out_shape):
    tc, ta, tb, to = (tensor(c_shape, "i1"), tensor(a_shape, dtype), tensor(b_shape, dtype),
                      tensor(out_shape, dtype))
    body = [f"%r = ds.select %c, %a, %b : ({tc}, {ta}, {tb}) -> {to}"]
    return function([("c", tc), ("a", ta), ("b", tb)], body, [("r", to)]), \
        [c_shape, a_shape, b_shape], ["i1", dtype, dtype]


def cast_program(dtype, shape, targets):
    t = tensor(shape, dtype)
    body, results = [], []
    for k, (target, saturate) in enumerate(targets):
        attr = "" if saturate else "{saturate = false}"
        out = tensor(shape, target)
        body.append(f"%r{k} = ds.cast %x {attr} : {t} -> {out}")
        results.append((f"r{k}", out))
    return function([("x", t)], body, results), [shape], [dtype]


def fused_program():
    """A fused chain with constants of several dtypes, a broadcast input, a dynamic dim,
    several outputs (one of them an input register) and an in-place candidate."""
    x, b = tensor([-1, 33], "f32"), tensor([33], "f32")
    h, i, m = tensor([-1, 33], "f16"), tensor([-1, 33], "i32"), tensor([-1, 33], "i1")
    body = [
        "%c1 = ds.constant dense<2.5> : tensor<f32>",
        "%c2 = ds.constant dense<-7> : tensor<i32>",
        "%c3 = ds.constant dense<0x7FC00000> : tensor<f32>",
        "%c4 = ds.constant dense<65519.0> : tensor<f16>",
        f"%s = ds.binary mul %x, %c1 : ({x}, tensor<f32>) -> {x}",
        f"%t = ds.binary add %s, %b : ({x}, {b}) -> {x}",
        f"%g = ds.compare gt %t, %c3 : ({x}, tensor<f32>) -> {m}",
        f"%u = ds.unary tanh %t : {x} -> {x}",
        f"%v = ds.select %g, %t, %u : ({m}, {x}, {x}) -> {x}",
        f"%w = ds.cast %v : {x} -> {h}",
        f"%w2 = ds.binary min %w, %c4 : ({h}, tensor<f16>) -> {h}",
        f"%k = ds.cast %t : {x} -> {i}",
        f"%k2 = ds.binary mod %k, %c2 : ({i}, tensor<i32>) -> {i}",
        f"%l = ds.compare lt %k2, %c2 : ({i}, tensor<i32>) -> {m}",
    ]
    return function([("x", x), ("b", b)], body, [("w2", h), ("k2", i), ("l", m), ("x", x)]), \
        [[-1, 33], [33]], ["f32", "f32"]


def programs():
    big, bcast_a, bcast_b, bcast_out = [7, 150], [5, 1, 37], [4, 37], [5, 4, 37]
    dyn_a, dyn_b, dyn_out = [-1, 1, 37], [4, 37], [-1, 4, 37]
    preds = ["is_inf", "is_nan"]
    yield ("unary_f32", *unary_program("f32", big, FLOAT_UNARY + preds))
    yield ("unary_f64", *unary_program("f64", [-1, 40], FLOAT_UNARY + preds))
    yield ("unary_f16", *unary_program("f16", [3, 41], FLOAT_UNARY + preds))
    yield ("unary_bf16", *unary_program("bf16", [-1], ["exp", "gelu", "silu", "rsqrt"]))
    for dtype in ("i8", "i32", "i64", "ui8", "ui64"):
        yield (f"unary_{dtype}", *unary_program(dtype, [-1, 40], INT_UNARY))
    yield ("unary_i1", *unary_program("i1", [50], ["not"]))
    yield ("binary_f32", *binary_program("f32", bcast_a, bcast_b, bcast_out, FLOAT_BINARY))
    yield ("binary_f64", *binary_program("f64", dyn_a, dyn_b, dyn_out, FLOAT_BINARY))
    yield ("binary_f16", *binary_program("f16", big, [], big, FLOAT_BINARY))
    for dtype, shapes in (("i8", (bcast_a, bcast_b, bcast_out)), ("i32", (dyn_a, dyn_b, dyn_out)),
                          ("i64", (bcast_a, bcast_b, bcast_out)), ("ui8", (dyn_a, dyn_b, dyn_out)),
                          ("ui32", (bcast_a, bcast_b, bcast_out)), ("ui64", (dyn_a, dyn_b, dyn_out))):
        yield (f"binary_{dtype}", *binary_program(dtype, *shapes, INT_BINARY))
    yield ("binary_i1", *binary_program("i1", bcast_a, bcast_b, bcast_out, ["and", "or", "xor"]))
    for base, exponent in (("f32", "i32"), ("i32", "f32"), ("i64", "ui8"), ("ui8", "i64"),
                           ("f16", "f64")):
        yield (f"pow_{base}_{exponent}",
               *binary_program(base, [-1, 40], [40], [-1, 40], ["pow"], b_dtype=exponent))
    for dtype in ("f32", "f16", "i64", "ui32", "i1"):
        yield (f"compare_{dtype}", *compare_program(dtype, bcast_a, bcast_b, bcast_out))
    for dtype in ("f32", "i8", "bf16"):
        yield (f"select_{dtype}", *select_program(dtype, dyn_a, [4, 37], [], dyn_out))
    for dtype in ALL_DTYPES:
        targets = [(t, True) for t in ALL_DTYPES if t != dtype]
        targets += [(t, False) for t in ("f8E4M3FN", "f8E5M2") if t != dtype]
        yield (f"cast_{dtype}", *cast_program(dtype, [-1, 29], targets))
    yield ("fused", *fused_program())


def concrete(shape, rng):
    return [int(rng.integers(2, 5)) if d < 0 else d for d in shape]


def inputs(shapes, dtypes, rng, program):
    """Random inputs; dynamic dims get one size per run (the same for every input)."""
    size = int(rng.integers(2, 5))
    arrays = []
    for k, (shape, dtype) in enumerate(zip(shapes, dtypes)):
        shape = [size if d < 0 else d for d in shape]
        arrays.append(random_array(dtype, shape, rng, exponent=program.startswith("pow") and k == 1,
                                   shift=program.startswith("binary") and k == 1))
    return arrays


def random_array(dtype, shape, rng, exponent=False, shift=False):
    n = int(np.prod(shape)) if shape else 1
    np_dtype = NP_DTYPES[dtype]
    if dtype == "i1":
        return (rng.random(n) < 0.5).reshape(shape)
    if dtype.startswith(("i", "ui")):
        info = np.iinfo(np_dtype)
        def draw(lo, hi):
            return rng.integers(lo, hi, n, endpoint=True, dtype=np_dtype)
        if exponent:
            v = draw(max(info.min, -3), 12)
        elif shift:
            # Divisors with zeros and -1, shift amounts beyond the width, small and huge values.
            v = np.where(rng.random(n) < 0.5, draw(max(info.min, -3), 70), draw(info.min, info.max))
        else:
            v = np.where(rng.random(n) < 0.5, draw(max(info.min, -100), 100), draw(info.min, info.max))
        v = v.astype(np_dtype)
        v[:min(4, n)] = np.array([0, info.min, info.max, 1 if info.min == 0 else -1],
                                 dtype=object).astype(np_dtype)[:min(4, n)]
        return v.reshape(shape)
    if exponent:
        v = rng.choice([2.0, 1.0, -1.0, 0.5, 3.0, -2.5, 0.0], n) + (rng.random(n) < 0.3) * rng.normal(0, 2, n)
    else:
        v = rng.normal(0, 2, n) * np.where(rng.random(n) < 0.1, 1e4, 1.0)
        specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 0.5, -0.5, 2.5, -2.5, 1e-5, 300.0,
                    -1.0, 70000.0, 1e30, 0.9, -0.95]
        count = min(len(specials), n)
        v[:count] = specials[:count]
    with np.errstate(over="ignore", invalid="ignore"):
        return v.astype(np_dtype).reshape(shape)
