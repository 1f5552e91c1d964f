"""Every generated DeepSeek-style model, compiled once to a bundle with symbolic batch and
sequence dims, runs on the cpu backend at three sizes and matches onnxruntime.

Run: .venv/bin/python -m pytest test/python/test_models_run.py -q
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

import dsc  # noqa: E402
import dsgen  # noqa: E402

# fp32 end to end; both sides accumulate in fp32 but in different orders, and logits pass
# through ~10 matmuls of width <= 256, so 1e-4 relative is the fp32 budget.
RTOL, ATOL = 1e-4, 1e-4
SIZES = [(1, 1), (2, 7), (4, 16)]  # (batch, sequence)
DEVICE = "cpu"


def feeds(cfg, batch: int, seq: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, cfg.vocab_size, (batch, seq), dtype=np.int64)
    mask = np.ones((batch, seq), np.int64)
    if batch > 1 and seq > 2:
        mask[1, : seq // 3] = 0  # left padding
    if batch > 2 and seq > 2:
        mask[2, seq - seq // 4:] = 0  # right padding
    return {"input_ids": ids, "attention_mask": mask}


@pytest.fixture(scope="module", params=list(dsgen.CONFIGS))
def compiled(request, tmp_path_factory):
    name = request.param
    out = tmp_path_factory.mktemp(name)
    model_path = out / f"{name}.onnx"
    dsgen.save(dsgen.build(name), str(model_path))
    bundle = dsc.compile(str(model_path), str(out / f"{name}.dsb"))
    return name, model_path, bundle


def test_bundle_is_dynamic(compiled):
    name, _, bundle = compiled
    session = dsc.Session(bundle, device=DEVICE)
    shapes = {i.name: i.shape for i in session.get_inputs()}
    assert shapes == {"input_ids": ["batch", "sequence"], "attention_mask": ["batch", "sequence"]}
    (logits,) = session.get_outputs()
    assert logits.name == "logits"
    assert logits.shape == ["batch", "sequence", dsgen.CONFIGS[name].vocab_size]


def test_matches_onnxruntime_at_three_sizes(compiled):
    name, model_path, bundle = compiled
    cfg = dsgen.CONFIGS[name]
    session = dsc.Session(bundle, device=DEVICE)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    reference = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
    for k, (batch, seq) in enumerate(SIZES):
        inputs = feeds(cfg, batch, seq, seed=k)
        (expected,) = reference.run(None, inputs)
        (got,) = session.run(None, inputs)
        assert got.shape == expected.shape == (batch, seq, cfg.vocab_size)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} at batch={batch} seq={seq}")


def test_emulate_matches_cpu(compiled, monkeypatch):
    """The generated CUDA kernels of every step (emulator, no cpu fallback) compute what
    the cpu backend computes, at a decode and a small prefill size."""
    name, _, bundle = compiled
    cfg = dsgen.CONFIGS[name]
    monkeypatch.setenv("DS_EMULATE_STRICT", "1")
    cpu = dsc.Session(bundle, device="cpu")
    emulated = dsc.Session(bundle, device="emulate")
    for k, (batch, seq) in enumerate([(1, 1), (2, 7)]):
        inputs = feeds(cfg, batch, seq, seed=10 + k)
        (want,) = cpu.run(None, inputs)
        (got,) = emulated.run(None, inputs)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} on emulate at batch={batch} seq={seq}")
    stats = emulated.stats()
    assert stats["cpu_fallback_steps"] == 0 and stats["emulated_steps"] > 0, stats
