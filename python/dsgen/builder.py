"""A small ONNX graph builder that names things the way the TorchScript exporter does.

Nodes are named ``/<module path>/<OpType>[_N]`` (module path from the current scope, e.g.
``/model/layers.0/self_attn/q_proj/MatMul``) and their outputs ``<node name>_output_<i>``.
Initializers take the Hugging Face parameter name of the current scope (``model.layers.0.
self_attn.q_proj.weight``). Small constants (axes, shapes, scalars) are ``Constant`` nodes.

The helpers hide the opset differences of the ops that changed form:
  Unsqueeze/Squeeze  axes attribute (< 13)  -> axes input (>= 13)
  ReduceSum          axes attribute (< 13)  -> axes input (>= 13)
  ReduceMean/Max/..  axes attribute (< 18)  -> axes input (>= 18)
  Split              split attribute (< 13) -> split input (>= 13)
"""

from __future__ import annotations

import contextlib
from typing import Iterable, Sequence, Union

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MIN_OPSET = 11
MAX_OPSET = 21

FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64
BOOL = TensorProto.BOOL

Dim = Union[str, int]  # a scalar int64 tensor name, or a constant


class GraphBuilder:
    def __init__(self, opset: int, weights: dict[str, np.ndarray] | None = None):
        if not MIN_OPSET <= opset <= MAX_OPSET:
            raise ValueError(f"opset {opset} not supported (use {MIN_OPSET}..{MAX_OPSET})")
        self.opset = opset
        self.weights = weights or {}
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, onnx.TensorProto] = {}
        self.inputs: list[onnx.ValueInfoProto] = []
        self.outputs: list[onnx.ValueInfoProto] = []
        self._scope: list[str] = []
        self._next_index: dict[str, int] = {}

    # ---- naming -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def scope(self, *parts: str):
        self._scope.extend(parts)
        try:
            yield
        finally:
            del self._scope[len(self._scope) - len(parts):]

    def _node_name(self, op_type: str) -> str:
        base = "".join("/" + s for s in self._scope) + "/" + op_type
        n = self._next_index.get(base, 0)
        self._next_index[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    # ---- graph pieces -------------------------------------------------------------------------
    def op(self, op_type: str, *inputs: str, outputs: int = 1, out_names=None, **attrs):
        name = self._node_name(op_type)
        outs = list(out_names) if out_names else [f"{name}_output_{i}" for i in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=name, **attrs))
        return outs[0] if outputs == 1 else outs

    def const(self, value, dtype=np.int64) -> str:
        arr = np.asarray(value, dtype=dtype)
        return self.op("Constant", value=numpy_helper.from_array(arr))

    def i64(self, value) -> str:
        return self.const(value, np.int64)

    def f32(self, value) -> str:
        return self.const(value, np.float32)

    def param(self, name: str, array: np.ndarray) -> str:
        if name not in self.initializers:
            self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(array), name)
        return name

    def weight(self, local: str, transpose: bool = False) -> str:
        """Initializer for the parameter ``<scope path>.<local>`` taken from ``self.weights``."""
        full = ".".join(self._scope + [local])
        arr = self.weights[full]
        return self.param(full, arr.T if transpose else arr)

    def has_weight(self, local: str) -> bool:
        return ".".join(self._scope + [local]) in self.weights

    def add_input(self, name: str, elem_type: int, shape: Sequence) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, list(shape)))
        return name

    def add_output(self, name: str, elem_type: int, shape: Sequence) -> None:
        """Declares a graph output; the producing node must have used ``out_names=[name]``."""
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, list(shape)))

    # ---- opset-dependent forms ----------------------------------------------------------------
    def unsqueeze(self, x: str, axes: Iterable[int]) -> str:
        axes = [int(a) for a in axes]
        if self.opset >= 13:
            return self.op("Unsqueeze", x, self.i64(axes))
        return self.op("Unsqueeze", x, axes=axes)

    def squeeze(self, x: str, axes: Iterable[int]) -> str:
        axes = [int(a) for a in axes]
        if self.opset >= 13:
            return self.op("Squeeze", x, self.i64(axes))
        return self.op("Squeeze", x, axes=axes)

    def reduce(self, op_type: str, x: str, axes: Iterable[int], keepdims: int = 1) -> str:
        axes = [int(a) for a in axes]
        input_form_since = 13 if op_type == "ReduceSum" else 18
        if self.opset >= input_form_since:
            return self.op(op_type, x, self.i64(axes), keepdims=keepdims)
        return self.op(op_type, x, axes=axes, keepdims=keepdims)

    def split(self, x: str, sizes: Sequence[int], axis: int) -> list[str]:
        sizes = [int(s) for s in sizes]
        if self.opset >= 13:
            outs = self.op("Split", x, self.i64(sizes), axis=axis, outputs=len(sizes))
        else:
            outs = self.op("Split", x, axis=axis, split=sizes, outputs=len(sizes))
        return list(outs)

    # ---- shape subgraphs ----------------------------------------------------------------------
    def dim(self, x: str, i: int) -> str:
        """``x.size(i)`` as the exporter writes it: Shape -> Gather(scalar index) -> 0-d int64."""
        return self.op("Gather", self.op("Shape", x), self.i64(i), axis=0)

    def shape_vec(self, items: Sequence[Dim]) -> str:
        """A 1-D int64 shape from 0-d dims (Unsqueeze) and ints (Constant), joined by Concat."""
        parts = [self.unsqueeze(it, [0]) if isinstance(it, str) else self.i64([it]) for it in items]
        return self.op("Concat", *parts, axis=0)

    def reshape(self, x: str, items: Sequence[Dim]) -> str:
        return self.op("Reshape", x, self.shape_vec(items))

    def slice(self, x: str, starts, ends, axes, steps=None) -> str:
        def as_input(v):
            return v if isinstance(v, str) else self.i64(v)

        steps = steps if steps is not None else [1] * len(axes)
        return self.op("Slice", x, as_input(starts), as_input(ends), as_input(axes), as_input(steps))

    # ---- model --------------------------------------------------------------------------------
    def make_model(self, graph_name: str = "main_graph", producer: str = "dsgen",
                   metadata: dict[str, str] | None = None) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, graph_name, self.inputs, self.outputs, list(self.initializers.values())
        )
        opsets = [helper.make_opsetid("", self.opset)]
        model = helper.make_model(graph, opset_imports=opsets, producer_name=producer,
                                  producer_version="0.1")
        model.ir_version = helper.find_min_ir_version_for(opsets)
        if metadata:
            helper.set_model_props(model, metadata)
        return model
