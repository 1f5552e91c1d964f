"""dsgen: tiny Llama / DeepSeek-style ONNX test models with random weights.

    import dsgen
    model = dsgen.build("deepseek_v3", opset=17)        # onnx.ModelProto
    dsgen.save(model, "out/deepseek_v3.onnx", external_data=True)
    logits = dsgen.reference.forward(dsgen.CONFIGS["deepseek_v3"],
                                     dsgen.make_weights(dsgen.CONFIGS["deepseek_v3"]),
                                     input_ids, attention_mask)

Graphs imitate torch.onnx.export (TorchScript exporter) of the Hugging Face modeling code; see
docs/models.md and each config's ``export_form``.
"""

from __future__ import annotations

import copy
import os
from typing import Union

import numpy as np
import onnx

from . import reference
from .builder import MAX_OPSET, MIN_OPSET
from .config import CONFIGS, ModelConfig
from .weights import make_weights

DEFAULT_OPSET = 17

__all__ = [
    "CONFIGS", "ModelConfig", "DEFAULT_OPSET", "MIN_OPSET", "MAX_OPSET", "build", "make_weights",
    "save", "count_params", "reference",
]


def _config(name: Union[str, ModelConfig]) -> ModelConfig:
    if isinstance(name, ModelConfig):
        return name
    try:
        return CONFIGS[name]
    except KeyError:
        raise KeyError(f"unknown config {name!r}; known: {', '.join(CONFIGS)}") from None


def build(name: Union[str, ModelConfig], opset: int = DEFAULT_OPSET,
          weights: dict[str, np.ndarray] | None = None) -> onnx.ModelProto:
    """Builds the ONNX model of a config (name or ModelConfig) at the given opset (11..21)."""
    cfg = _config(name)
    if weights is None:
        weights = make_weights(cfg)
    if cfg.arch == "llama":
        from .llama import build_llama
        return build_llama(cfg, weights, opset)
    if cfg.arch == "deepseek":
        from .deepseek import build_deepseek
        return build_deepseek(cfg, weights, opset)
    raise ValueError(f"unknown arch {cfg.arch!r}")


def count_params(model: onnx.ModelProto) -> int:
    return sum(int(np.prod(t.dims)) for t in model.graph.initializer)


def save(model: onnx.ModelProto, path: str, external_data: bool = False) -> None:
    """Writes the model; with external_data all initializers go to ``<file name>.data`` beside it."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    location = os.path.basename(path) + ".data"
    data_path = os.path.join(os.path.dirname(os.path.abspath(path)), location)
    if os.path.exists(data_path):
        os.remove(data_path)  # onnx would append to it; without external data it is stale
    if external_data:
        model = copy.deepcopy(model)  # save_model converts the initializers in place
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=location, size_threshold=0)
    else:
        onnx.save_model(model, path)
