"""The PyTorch port of the numpy reference (python/dsgen/torch_reference.py) matches it.

Skips when torch is not installed (the project venv has no torch; the GPU benchmarks use the
port as their PyTorch-eager peer). Run with a Python that has torch, e.g.
  python -m pytest test/python/test_torch_reference.py -q
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))

from dsgen import reference, torch_reference  # noqa: E402
from dsgen.config import CONFIGS  # noqa: E402
from dsgen.weights import make_weights  # noqa: E402

# Both sides compute in f32; they differ by summation order only (BLAS vs torch GEMM,
# softmax), a few ulps per op over 2 layers: the ONNX tests' tolerance.
RTOL, ATOL = 1e-4, 1e-5


def inputs(cfg, batch, seq, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, cfg.vocab_size, (batch, seq), dtype=np.int64)
    mask = np.ones((batch, seq), np.int64)
    if batch > 1 and seq > 2:
        mask[1, : seq // 3] = 0  # left padding
    if batch > 2 and seq > 2:
        mask[2, seq - seq // 4:] = 0  # right padding
    return ids, mask


@pytest.mark.parametrize("size", [(1, 1), (2, 7), (3, 16)])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_matches_numpy_reference(name, size):
    cfg = CONFIGS[name]
    weights = make_weights(cfg)
    ids, mask = inputs(cfg, *size, seed=size[0] * 100 + size[1])
    expected = reference.forward(cfg, weights, ids, mask)
    model = torch_reference.TorchReference(cfg, weights, device="cpu")
    got = model(ids, mask)
    assert got.dtype == torch.float32
    assert tuple(got.shape) == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, rtol=RTOL, atol=ATOL)


def test_no_mask_is_all_ones():
    cfg = CONFIGS["llama_gqa"]
    weights = make_weights(cfg)
    ids, _ = inputs(cfg, 2, 5, seed=3)
    model = torch_reference.TorchReference(cfg, weights)
    np.testing.assert_array_equal(model(ids).numpy(), model(ids, np.ones_like(ids)).numpy())


def test_routing_matches_numpy():
    # The expert choice is discrete: compare it exactly, on every MoE config.
    for name, cfg in CONFIGS.items():
        if cfg.arch != "deepseek":
            continue
        W = make_weights(cfg)
        x = np.random.default_rng(7).standard_normal((37, cfg.hidden_size)).astype(np.float32)
        p = f"model.layers.{cfg.first_k_dense_replace}.mlp"
        idx, w = reference.route(cfg, W, p, x)
        tidx, tw = torch_reference.route(cfg, torch_reference.to_torch(W), p, torch.from_numpy(x))
        np.testing.assert_array_equal(tidx.numpy(), idx, err_msg=name)
        np.testing.assert_allclose(tw.numpy(), w, rtol=1e-5, atol=1e-7, err_msg=name)
