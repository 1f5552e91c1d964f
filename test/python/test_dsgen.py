"""Self-checks of the dsgen model generator (python/dsgen).

Run: .venv/bin/python -m pytest test/python/test_dsgen.py -q
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

import dsgen  # noqa: E402
from dsgen import reference  # noqa: E402

NAMES = list(dsgen.CONFIGS)
OPSETS = [17, 11, 13, 18, 21]
RTOL, ATOL = 1e-4, 1e-5


def session(model_or_path) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    src = model_or_path.SerializeToString() if isinstance(model_or_path, onnx.ModelProto) else str(model_or_path)
    return ort.InferenceSession(src, so, providers=["CPUExecutionProvider"])


def inputs(cfg, batch: int, seq: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random ids; padding: row 1 left-padded, row 2 right-padded, row 3 a hole in the middle."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, cfg.vocab_size, (batch, seq), dtype=np.int64)
    mask = np.ones((batch, seq), np.int64)
    if batch > 1 and seq > 2:
        mask[1, : seq // 3] = 0
    if batch > 2 and seq > 2:
        mask[2, seq - seq // 4:] = 0
    if batch > 3 and seq > 4:
        mask[3, 2:4] = 0
    return ids, mask


SIZES = [(1, 1), (2, 7), (4, 16)]  # (batch, seq)


@pytest.fixture(scope="module")
def weights():
    return {name: dsgen.make_weights(cfg) for name, cfg in dsgen.CONFIGS.items()}


@pytest.mark.parametrize("opset", OPSETS)
@pytest.mark.parametrize("name", NAMES)
def test_model_matches_reference(name, opset, weights):
    cfg = dsgen.CONFIGS[name]
    model = dsgen.build(name, opset=opset)
    assert model.opset_import[0].version == opset
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    out_shape = [d.dim_param or d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    assert out_shape == ["batch", "sequence", cfg.vocab_size]
    assert model.ByteSize() < 2 * 1024 * 1024

    sess = session(model)
    assert [i.name for i in sess.get_inputs()] == ["input_ids", "attention_mask"]
    for k, (batch, seq) in enumerate(SIZES):
        ids, mask = inputs(cfg, batch, seq, seed=100 * k + opset)
        (logits,) = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask})
        assert logits.dtype == np.float32 and logits.shape == (batch, seq, cfg.vocab_size)
        expected = reference.forward(cfg, weights[name], ids, mask)
        np.testing.assert_allclose(logits, expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} opset {opset} size {(batch, seq)}")


@pytest.mark.parametrize("name", NAMES)
def test_padding_semantics(name):
    """Right padding must not change the logits of the real tokens (causal mask + padding mask),
    and masking a key must change later logits (the mask is really applied)."""
    cfg = dsgen.CONFIGS[name]
    sess = session(dsgen.build(name))
    rng = np.random.default_rng(7)
    ids = rng.integers(0, cfg.vocab_size, (2, 10), dtype=np.int64)
    ids[1, :6] = ids[0, :6]
    mask = np.ones((2, 10), np.int64)
    mask[1, 6:] = 0
    (full,) = sess.run(None, {"input_ids": ids, "attention_mask": mask})
    (short,) = sess.run(None, {"input_ids": ids[:1, :6], "attention_mask": mask[:1, :6]})
    np.testing.assert_allclose(full[1, :6], short[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(full[0, :6], short[0], rtol=RTOL, atol=ATOL)
    hole = np.ones((1, 10), np.int64)
    hole[0, 2] = 0
    (holed,) = sess.run(None, {"input_ids": ids[:1], "attention_mask": hole})
    assert np.abs(holed[0, :2] - full[0, :2]).max() < 1e-5
    assert np.abs(holed[0, 3:] - full[0, 3:]).max() > 1e-3


def op_counts(model: onnx.ModelProto) -> dict[str, int]:
    counts: dict[str, int] = {}
    for n in model.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    return counts


def test_export_forms():
    llama13, llama17, llama18 = (dsgen.build("llama_gqa", opset=o) for o in (13, 17, 18))
    c17 = op_counts(llama17)
    for op in ("Gather", "Range", "Trilu", "Expand", "Where", "Pow", "ReduceMean", "Sqrt",
               "Reciprocal", "Neg", "Cos", "Sin", "Softmax"):
        assert c17.get(op), op
    assert "Trilu" not in op_counts(llama13)  # Trilu is opset 14
    assert c17["Softmax"] == 2 and c17["ReduceMean"] == 2 * 2 + 1
    rm17 = next(n for n in llama17.graph.node if n.op_type == "ReduceMean")
    rm18 = next(n for n in llama18.graph.node if n.op_type == "ReduceMean")
    assert [a.name for a in rm17.attribute if a.name == "axes"] and len(rm17.input) == 1
    assert not [a.name for a in rm18.attribute if a.name == "axes"] and len(rm18.input) == 2
    unsq11 = next(n for n in dsgen.build("llama_gqa", opset=11).graph.node if n.op_type == "Unsqueeze")
    assert len(unsq11.input) == 1 and unsq11.attribute[0].name == "axes"
    # Linear: MatMul by an [in, out] initializer named after the HF parameter.
    inits = {t.name: list(t.dims) for t in llama17.graph.initializer}
    assert inits["model.layers.0.self_attn.k_proj.weight"] == [64, 32]
    assert inits["lm_head.weight"] == [64, 128]
    assert any(n.name == "/model/layers.0/self_attn/q_proj/MatMul" for n in llama17.graph.node)

    v2, v3 = dsgen.build("deepseek_v2_lite"), dsgen.build("deepseek_v3", opset=13)
    c2, c3 = op_counts(v2), op_counts(v3)
    assert c2["TopK"] == 1 and c2["ScatterElements"] == 1 and c2["Softmax"] == 2 + 1
    assert c2["Sigmoid"] == 1 + 8 + 1  # silu: dense layer 0, then 8 experts + shared in layer 1
    assert c3["TopK"] == 3 * 2 and c3["ScatterElements"] == 2 * 2 and c3["GatherElements"] == 2
    assert "Trilu" not in c3 and c3["Split"] == 3 * 3
    split = next(n for n in v3.graph.node if n.op_type == "Split")
    assert len(split.input) == 2  # sizes input from opset 13
    split11 = next(n for n in dsgen.build("deepseek_v3", opset=11).graph.node if n.op_type == "Split")
    assert len(split11.input) == 1 and any(a.name == "split" for a in split11.attribute)
    i2 = {t.name: list(t.dims) for t in v2.graph.initializer}
    assert "model.layers.0.self_attn.q_proj.weight" in i2 and "model.layers.1.mlp.gate.weight" in i2
    assert i2["model.layers.1.mlp.shared_experts.gate_proj.weight"] == [64, 64]  # 2 shared x 32
    i3 = {t.name: list(t.dims) for t in v3.graph.initializer}
    assert i3["model.layers.0.self_attn.q_a_proj.weight"] == [64, 48]
    assert i3["model.layers.2.mlp.gate.e_score_correction_bias"] == [16]


def test_deterministic():
    a = dsgen.build("deepseek_v3").SerializeToString()
    b = dsgen.build("deepseek_v3").SerializeToString()
    assert a == b


def test_bad_opset():
    with pytest.raises(ValueError):
        dsgen.build("llama_gqa", opset=10)


def test_external_data(tmp_path, weights):
    name = "deepseek_v3"
    cfg = dsgen.CONFIGS[name]
    path = tmp_path / f"{name}.onnx"
    dsgen.save(dsgen.build(name), str(path), external_data=True)
    data = tmp_path / f"{name}.onnx.data"
    assert data.exists() and data.stat().st_size > 4 * dsgen.count_params(dsgen.build(name)) - 1
    stored = onnx.load(str(path), load_external_data=False)
    assert all(t.data_location == onnx.TensorProto.EXTERNAL and not t.raw_data
               for t in stored.graph.initializer)
    onnx.checker.check_model(str(path), full_check=True)
    ids, mask = inputs(cfg, 2, 5, seed=3)
    (logits,) = session(path).run(None, {"input_ids": ids, "attention_mask": mask})
    np.testing.assert_allclose(logits, reference.forward(cfg, weights[name], ids, mask),
                               rtol=RTOL, atol=ATOL)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "dsgen", *args], env=env, capture_output=True,
                          text=True, check=True)


def test_cli(tmp_path, weights):
    out = tmp_path / "all"
    res = run_cli("--out", str(out))
    lines = res.stdout.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == NAMES
    assert all("params=" in ln and "nodes=" in ln for ln in lines)
    for name in NAMES:
        assert (out / f"{name}.onnx").exists()

    ext = tmp_path / "ext"
    res = run_cli("--out", str(ext), "--config", "llama_gqa", "--opset", "13", "--external-data")
    assert res.stdout.startswith("llama_gqa ")
    path = ext / "llama_gqa.onnx"
    assert (ext / "llama_gqa.onnx.data").exists()
    model = onnx.load(str(path), load_external_data=False)
    assert model.opset_import[0].version == 13
    assert all(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer)
    cfg = dsgen.CONFIGS["llama_gqa"]
    ids, mask = inputs(cfg, 3, 6, seed=5)
    (logits,) = session(path).run(None, {"input_ids": ids, "attention_mask": mask})
    np.testing.assert_allclose(logits, reference.forward(cfg, weights["llama_gqa"], ids, mask),
                               rtol=RTOL, atol=ATOL)
