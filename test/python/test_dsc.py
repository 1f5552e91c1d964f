"""The dsc Python package: compile with ds-opt, load bundles, run sessions.

Two groups:
- hand-written bundles (docs/bundle.md format, no steps or one weight): every dtype
  through the binding, dynamic dims, errors, output ownership. Need only the runtime.
- ONNX models built with onnx.helper, compiled by ds-opt --emit=bundle and compared with
  onnxruntime. Skipped while ds-opt has no --emit option.

Run: DS_BUILD_DIR=build .venv/bin/python -m pytest test/python/test_dsc.py -q
"""

from __future__ import annotations

import gc
import json
import struct
import threading
from pathlib import Path

import ml_dtypes
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper
from conftest import ds_opt_lacks_emit_bundle, ds_opt_path

import dsc

# -- hand-written bundles --------------------------------------------------------------------

DTYPES = {
    "f32": np.float32, "f16": np.float16, "f64": np.float64, "bf16": ml_dtypes.bfloat16,
    "f8E4M3FN": ml_dtypes.float8_e4m3fn, "f8E5M2": ml_dtypes.float8_e5m2, "i1": np.bool_,
    "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "ui8": np.uint8,
    "ui16": np.uint16, "ui32": np.uint32, "ui64": np.uint64,
}
ONNX_TYPES = {
    "f32": "tensor(float)", "f16": "tensor(float16)", "f64": "tensor(double)",
    "bf16": "tensor(bfloat16)", "f8E4M3FN": "tensor(float8e4m3fn)",
    "f8E5M2": "tensor(float8e5m2)", "i1": "tensor(bool)", "i8": "tensor(int8)",
    "i16": "tensor(int16)", "i32": "tensor(int32)", "i64": "tensor(int64)",
    "ui8": "tensor(uint8)", "ui16": "tensor(uint16)", "ui32": "tensor(uint32)",
    "ui64": "tensor(uint64)",
}


def write_bundle(path: Path, inputs, outputs, values, output_ids, weights=None) -> Path:
    """A step-free bundle: outputs are graph inputs or weights (the runtime copies them).

    inputs/outputs: manifest entries; values: steps.json values; weights: {name: array}.
    """
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps({
        "format_version": 1, "ds_version": "test", "producer": "test_dsc.py",
        "inputs": inputs, "outputs": outputs}))
    (path / "steps.json").write_text(json.dumps({
        "format_version": 1, "inputs": [v["id"] for v in values if v["def"] == "input"],
        "outputs": output_ids, "values": values, "steps": [],
        "memory_plan": {"static": True, "arena_bytes": 0, "alignment": 64}}))
    header, blobs, offset = {}, [], 0
    for name, array in (weights or {}).items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": next(k for k, v in DTYPES.items() if np.dtype(v) == array.dtype
                                      and np.dtype(v).name == array.dtype.name),
                        "shape": list(array.shape), "offset": offset, "length": len(data)}
        padded = data + b"\0" * (-len(data) % 64)
        blobs.append(padded)
        offset += len(padded)
    text = json.dumps(header).encode()
    text += b" " * (-(8 + len(text)) % 64)  # data section starts 64-byte aligned
    (path / "weights.bin").write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return path


def identity_bundle(path: Path, dtype: str, shape) -> Path:
    """y = x for one dtype; `shape` entries are ints or symbol names (dynamic)."""
    numeric = [d if isinstance(d, int) else -1 for d in shape]
    return write_bundle(
        path,
        inputs=[{"name": "x", "dtype": dtype, "shape": list(shape)}],
        outputs=[{"name": "y", "dtype": dtype, "shape": list(shape)}],
        values=[{"id": 0, "dtype": dtype, "shape": numeric, "def": "input", "index": 0}],
        output_ids=[0])


@pytest.fixture
def two_output_bundle(tmp_path):
    """inputs x: f32[batch, 3], ids: i64[2]; outputs w: f32[2, 3] (a weight), x_out, ids_out."""
    w = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    path = write_bundle(
        tmp_path / "two.dsb",
        inputs=[{"name": "x", "dtype": "f32", "shape": ["batch", 3]},
                {"name": "ids", "dtype": "i64", "shape": [2]}],
        outputs=[{"name": "w", "dtype": "f32", "shape": [2, 3]},
                 {"name": "x_out", "dtype": "f32", "shape": ["batch", 3]},
                 {"name": "ids_out", "dtype": "i64", "shape": [2]}],
        values=[{"id": 0, "dtype": "f32", "shape": [-1, 3], "def": "input", "index": 0},
                {"id": 1, "dtype": "i64", "shape": [2], "def": "input", "index": 1},
                {"id": 2, "dtype": "f32", "shape": [2, 3], "def": "weight", "weight": "w"}],
        output_ids=[2, 0, 1], weights={"w": w})
    return path, w


@pytest.mark.parametrize("name", list(DTYPES))
def test_every_dtype_round_trips(tmp_path, name):
    dtype = np.dtype(DTYPES[name])
    session = dsc.Session(identity_bundle(tmp_path / "id.dsb", name, ["n", 5]))
    (arg,) = session.get_inputs()
    assert (arg.name, arg.type, arg.dtype, arg.shape) == ("x", ONNX_TYPES[name], dtype, ["n", 5])
    rng = np.random.default_rng(0)
    if name == "i1":
        x = rng.integers(0, 2, (3, 5)).astype(bool)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, (3, 5), dtype=dtype, endpoint=True)
    else:
        x = (rng.standard_normal((3, 5)) * 8).astype(dtype)
    (y,) = session.run(None, {"x": x})
    assert y.dtype == dtype and y.shape == (3, 5)
    np.testing.assert_array_equal(y.view(np.uint8), x.view(np.uint8))  # bit-exact, NaN too
    assert not np.shares_memory(x, y)


def test_bf16_round_trip_keeps_bits(tmp_path):
    session = dsc.Session(identity_bundle(tmp_path / "bf16.dsb", "bf16", [4]))
    bits = np.array([0x3F80, 0xC2F7, 0x7F80, 0x0001], np.uint16)  # 1, -123.5, inf, denormal
    (y,) = session.run(["y"], {"x": bits.view(ml_dtypes.bfloat16)})
    assert y.dtype == np.dtype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(y.view(np.uint16), bits)
    assert float(y[1]) == -123.5


def test_dynamic_dims_one_bundle_several_shapes(tmp_path):
    session = dsc.Session(identity_bundle(tmp_path / "dyn.dsb", "f32", ["batch", "seq", 2]))
    assert session.get_outputs()[0].shape == ["batch", "seq", 2]
    for shape in [(1, 1, 2), (3, 7, 2), (2, 0, 2), (5, 1, 2)]:
        x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
        (y,) = session.run(None, {"x": x})
        assert y.shape == shape
        np.testing.assert_array_equal(y, x)


def test_scalar_input(tmp_path):
    session = dsc.Session(identity_bundle(tmp_path / "s.dsb", "i32", []))
    (y,) = session.run(None, {"x": np.array(-7, np.int32)})
    assert y.shape == () and y.dtype == np.int32 and int(y) == -7


def test_non_contiguous_and_byte_swapped_inputs(tmp_path):
    session = dsc.Session(identity_bundle(tmp_path / "nc.dsb", "f32", ["a", "b"]))
    base = np.arange(48, dtype=np.float32).reshape(6, 8)
    for x in [base.T, base[::2, 1::3], np.broadcast_to(base[0], (3, 8)),
              base.astype(">f4")]:
        (y,) = session.run(None, {"x": x})
        np.testing.assert_array_equal(y, x)
        assert y.flags.c_contiguous and y.dtype == np.float32


def test_outputs_selected_in_requested_order(two_output_bundle):
    path, w = two_output_bundle
    session = dsc.Session(str(path))
    assert [o.name for o in session.get_outputs()] == ["w", "x_out", "ids_out"]
    assert [i.shape for i in session.get_inputs()] == [["batch", 3], [2]]
    x = np.ones((4, 3), np.float32)
    ids = np.array([5, -2], np.int64)
    w_out, x_out, ids_out = session.run(None, {"x": x, "ids": ids})
    np.testing.assert_array_equal(w_out, w)
    np.testing.assert_array_equal(x_out, x)
    np.testing.assert_array_equal(ids_out, ids)
    ids_out, w_out = session.run(["ids_out", "w"], {"ids": ids, "x": x})
    np.testing.assert_array_equal(ids_out, ids)
    np.testing.assert_array_equal(w_out, w)
    assert session.run([], {"x": x, "ids": ids}) == []
    a, b = session.run(["x_out", "x_out"], {"x": x, "ids": ids})
    np.testing.assert_array_equal(a, b)
    assert not np.shares_memory(a, b)


def test_outputs_own_their_memory(two_output_bundle):
    path, w = two_output_bundle
    session = dsc.Session(dsc.Bundle(path))
    x = np.full((2, 3), 3.0, np.float32)
    w_out, x_out, _ = session.run(None, {"x": x, "ids": np.zeros(2, np.int64)})
    x[:] = 0  # the output is a copy, not the caller's buffer
    w_out[0, 0] = 42  # writable, and writing it leaves the weights alone
    del session
    gc.collect()
    np.testing.assert_array_equal(x_out, np.full((2, 3), 3.0, np.float32))
    session = dsc.Session(path)
    (w_again,) = session.run(["w"], {"x": x, "ids": np.zeros(2, np.int64)})
    np.testing.assert_array_equal(w_again, w)


def test_bundle_metadata(two_output_bundle):
    path, _ = two_output_bundle
    bundle = dsc.Bundle(path)
    assert bundle.path == path
    assert bundle.format_version == 1
    assert [i.name for i in bundle.inputs] == ["x", "ids"]
    assert bundle.inputs[1].dtype == np.int64 and bundle.inputs[1].type == "tensor(int64)"
    text = bundle.describe()
    assert "x" in text and "ids_out" in text and "weights" in text


def test_session_device_and_threads(two_output_bundle):
    path, _ = two_output_bundle
    assert "cpu" in dsc.available_devices()
    session = dsc.Session(path, device="cpu", threads=1)
    assert session.device == "cpu"
    with pytest.raises(dsc.Error, match="no-such-device"):
        dsc.Session(path, device="no-such-device")


def test_concurrent_runs_on_one_session(tmp_path):
    session = dsc.Session(identity_bundle(tmp_path / "t.dsb", "i64", ["n"]))
    errors = []

    def worker(seed):
        try:
            for n in range(1, 30):
                x = np.arange(n, dtype=np.int64) * seed
                (y,) = session.run(None, {"x": x})
                np.testing.assert_array_equal(y, x)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


# -- errors ----------------------------------------------------------------------------------


def test_missing_input(two_output_bundle):
    session = dsc.Session(two_output_bundle[0])
    with pytest.raises(dsc.Error, match="Input 'ids' is missing"):
        session.run(None, {"x": np.ones((1, 3), np.float32)})


def test_unknown_input(two_output_bundle):
    session = dsc.Session(two_output_bundle[0])
    with pytest.raises(dsc.Error, match="'y' is not an input.*'x', 'ids'"):
        session.run(None, {"x": np.ones((1, 3), np.float32), "ids": np.zeros(2, np.int64),
                           "y": np.ones(1)})


def test_wrong_dtype_is_not_cast(two_output_bundle):
    session = dsc.Session(two_output_bundle[0])
    with pytest.raises(dsc.Error, match=r"Input 'x' has dtype float64.*expects float32"):
        session.run(None, {"x": np.ones((1, 3)), "ids": np.zeros(2, np.int64)})
    with pytest.raises(dsc.Error, match=r"Input 'ids' has dtype int32.*expects int64"):
        session.run(None, {"x": np.ones((1, 3), np.float32), "ids": np.zeros(2, np.int32)})
    with pytest.raises(dsc.Error, match=r"Input 'x' has dtype complex64"):
        session.run(None, {"x": np.ones((1, 3), np.complex64), "ids": np.zeros(2, np.int64)})
    assert issubclass(dsc.Error, RuntimeError)


def test_wrong_rank_and_dims(two_output_bundle):
    session = dsc.Session(two_output_bundle[0])
    ids = np.zeros(2, np.int64)
    with pytest.raises(dsc.Error, match="'x'"):  # rank 3, model says 2
        session.run(None, {"x": np.ones((1, 3, 1), np.float32), "ids": ids})
    with pytest.raises(dsc.Error, match="'x'"):  # static dim 3 fed 4
        session.run(None, {"x": np.ones((1, 4), np.float32), "ids": ids})
    with pytest.raises(dsc.Error, match="'ids'"):
        session.run(None, {"x": np.ones((1, 3), np.float32), "ids": np.zeros(3, np.int64)})


def test_inconsistent_symbolic_dims(tmp_path):
    path = write_bundle(
        tmp_path / "sym.dsb",
        inputs=[{"name": "a", "dtype": "f32", "shape": ["n"]},
                {"name": "b", "dtype": "f32", "shape": ["n"]}],
        outputs=[{"name": "a_out", "dtype": "f32", "shape": ["n"]}],
        values=[{"id": 0, "dtype": "f32", "shape": [-1], "def": "input", "index": 0},
                {"id": 1, "dtype": "f32", "shape": [-1], "def": "input", "index": 1}],
        output_ids=[0])
    session = dsc.Session(path)
    (out,) = session.run(None, {"a": np.ones(4, np.float32), "b": np.ones(4, np.float32)})
    assert out.shape == (4,)
    with pytest.raises(dsc.Error, match="'n'|'b'"):
        session.run(None, {"a": np.ones(4, np.float32), "b": np.ones(5, np.float32)})


def test_unknown_output_name(two_output_bundle):
    session = dsc.Session(two_output_bundle[0])
    feed = {"x": np.ones((1, 3), np.float32), "ids": np.zeros(2, np.int64)}
    with pytest.raises(dsc.Error, match="Output 'nope' is not an output.*'w', 'x_out'"):
        session.run(["w", "nope"], feed)
    with pytest.raises(TypeError, match="not a str"):
        session.run("w", feed)


def test_bad_bundle_paths(tmp_path):
    with pytest.raises(dsc.Error, match="does-not-exist.dsb"):
        dsc.Bundle(tmp_path / "does-not-exist.dsb")
    with pytest.raises(dsc.Error, match="does-not-exist.dsb"):
        dsc.Session(tmp_path / "does-not-exist.dsb")
    broken = tmp_path / "broken.dsb"
    broken.mkdir()
    (broken / "manifest.json").write_text("{ not json")
    with pytest.raises(dsc.Error, match="manifest.json"):
        dsc.Bundle(broken)
    model = tmp_path / "m.onnx"
    model.write_bytes(b"\x08\x07")
    with pytest.raises(dsc.Error, match="is an ONNX model.*dsc.compile"):
        dsc.Session(model)


def test_future_format_version_refused(tmp_path):
    path = identity_bundle(tmp_path / "v.dsb", "f32", [1])
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["format_version"] = 999
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(dsc.Error, match="999"):
        dsc.Bundle(path)


# -- compiling ONNX models -------------------------------------------------------------------

needs_bundles = pytest.mark.skipif(
    ds_opt_lacks_emit_bundle(),
    reason="ds-opt has no --emit=bundle yet (compiler bundle emission not merged)")


def make_model(nodes, inputs, outputs, initializers=(), opset=17) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def ort_run(model: onnx.ModelProto, feed):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), so,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feed)


def mlp_model() -> onnx.ModelProto:
    """softmax(x @ w + b, axis=-1) with x: f32[batch, 16], plus y = x + x."""
    rng = np.random.default_rng(7)
    w = onnx.numpy_helper.from_array(rng.standard_normal((16, 8)).astype(np.float32), "w")
    b = onnx.numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "b")
    return make_model(
        [helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
         helper.make_node("Add", ["h", "b"], ["hb"], name="bias"),
         helper.make_node("Softmax", ["hb"], ["probs"], axis=-1, name="sm"),
         helper.make_node("Add", ["x", "x"], ["twice"], name="twice")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 8]),
         helper.make_tensor_value_info("twice", TensorProto.FLOAT, ["batch", 16])],
        [w, b])


@needs_bundles
def test_compile_and_run_matches_onnxruntime(tmp_path):
    model = mlp_model()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    bundle = dsc.compile(path, tmp_path / "mlp.dsb")
    assert bundle.path == tmp_path / "mlp.dsb" and (bundle.path / "manifest.json").is_file()
    session = dsc.Session(bundle)
    assert [i.shape for i in session.get_inputs()] == [["batch", 16]]
    assert [o.name for o in session.get_outputs()] == ["probs", "twice"]
    for batch in [1, 3, 0, 17]:  # one bundle, several shapes
        x = np.random.default_rng(batch).standard_normal((batch, 16)).astype(np.float32)
        expected = ort_run(model, {"x": x})
        got = session.run(None, {"x": x})
        for g, e in zip(got, expected):
            assert g.shape == e.shape and g.dtype == e.dtype
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
        (twice,) = session.run(["twice"], {"x": x})
        np.testing.assert_array_equal(twice, x + x)


@needs_bundles
def test_compile_from_bytes_and_model_proto():
    model = mlp_model()
    x = np.random.default_rng(3).standard_normal((2, 16)).astype(np.float32)
    expected = ort_run(model, {"x": x})
    for source in [model.SerializeToString(), model]:
        bundle = dsc.compile(source)  # temporary bundle, removed with the Bundle
        directory = bundle.path
        assert directory.is_dir()
        got = dsc.Session(bundle).run(None, {"x": x})
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-6)
        del bundle
        gc.collect()
        assert not directory.exists()


@needs_bundles
def test_compile_with_input_shapes_makes_static_bundle(tmp_path):
    bundle = dsc.compile(mlp_model(), tmp_path / "static.dsb", input_shapes={"x": (4, 16)})
    assert bundle.inputs[0].shape == [4, 16]
    session = dsc.Session(bundle)
    x = np.ones((4, 16), np.float32)
    np.testing.assert_array_equal(session.run(["twice"], {"x": x})[0], x + x)
    with pytest.raises(dsc.Error, match="'x'"):
        session.run(None, {"x": np.ones((5, 16), np.float32)})


@needs_bundles
def test_compile_with_bound_input(tmp_path):
    model = make_model(
        [helper.make_node("Mul", ["x", "scale"], ["y"], name="mul")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"]),
         helper.make_tensor_value_info("scale", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])])
    bundle = dsc.compile(model, tmp_path / "bound.dsb",
                         bind_inputs={"scale": np.array([2.5], np.float32)})
    assert [i.name for i in bundle.inputs] == ["x"]
    (y,) = dsc.Session(bundle).run(None, {"x": np.arange(5, dtype=np.float32)})
    np.testing.assert_array_equal(y, np.arange(5, dtype=np.float32) * 2.5)


@needs_bundles
def test_bf16_model(tmp_path):
    model = make_model(
        [helper.make_node("Add", ["a", "b"], ["c"], name="add")],
        [helper.make_tensor_value_info("a", TensorProto.BFLOAT16, ["n", 3]),
         helper.make_tensor_value_info("b", TensorProto.BFLOAT16, [3])],
        [helper.make_tensor_value_info("c", TensorProto.BFLOAT16, ["n", 3])])
    session = dsc.Session(dsc.compile(model, tmp_path / "bf16.dsb"))
    assert session.get_inputs()[0].dtype == np.dtype(ml_dtypes.bfloat16)
    rng = np.random.default_rng(5)
    a = rng.standard_normal((4, 3)).astype(ml_dtypes.bfloat16)
    b = rng.standard_normal(3).astype(ml_dtypes.bfloat16)
    (c,) = session.run(None, {"a": a, "b": b})
    assert c.dtype == np.dtype(ml_dtypes.bfloat16)
    # fp32 compute, one rounding to bf16 at the store
    expected = (a.astype(np.float32) + b.astype(np.float32)).astype(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(c.view(np.uint16), expected.view(np.uint16))
    with pytest.raises(dsc.Error, match="Input 'a' has dtype float32.*bfloat16"):
        session.run(None, {"a": a.astype(np.float32), "b": b})


@needs_bundles
def test_compile_error_carries_stderr(tmp_path):
    model = make_model(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    with pytest.raises(dsc.CompileError) as info:
        dsc.compile(model, tmp_path / "bad.dsb", input_shapes={"no_such_input": (3,)})
    assert info.value.returncode not in (0, None)
    assert "no_such_input" in info.value.stderr
    assert "no_such_input" in str(info.value)
    assert not (tmp_path / "bad.dsb").exists()


def test_compile_error_on_garbage_model(tmp_path):
    with pytest.raises(dsc.CompileError) as info:
        dsc.compile(b"this is not an onnx model", tmp_path / "garbage.dsb")
    assert info.value.stderr.strip()
    assert isinstance(info.value, dsc.Error)


def test_compile_argument_errors(tmp_path):
    with pytest.raises(dsc.CompileError, match="does not exist"):
        dsc.compile(tmp_path / "missing.onnx")
    with pytest.raises(dsc.CompileError, match="not an executable"):
        dsc.compile(b"", ds_opt=tmp_path / "no-ds-opt")
    with pytest.raises(TypeError, match="model must be"):
        dsc.compile(3.5)
    with pytest.raises(ValueError, match="dim -3"):
        dsc.compile(b"", input_shapes={"x": (-3,)})


def test_find_ds_opt_prefers_explicit_then_env(tmp_path, monkeypatch):
    fake = tmp_path / "my-ds-opt"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    assert dsc.find_ds_opt(fake) == fake.resolve()
    monkeypatch.setenv("DS_OPT", str(fake))
    assert dsc.find_ds_opt() == fake.resolve()
    monkeypatch.delenv("DS_OPT")
    if ds_opt_path().is_file():
        assert dsc.find_ds_opt() == ds_opt_path()
