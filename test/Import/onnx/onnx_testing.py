"""Helpers for importer lit tests: build small ONNX models at test time.

A test file calls `emit(name, model)` for each case; the RUN lines pass an output
directory as argv[1] and import each `DIR/NAME.onnx` with ds-opt.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

__all__ = ["TensorProto", "helper", "np", "numpy_helper", "onnx", "tensor",
           "value", "node", "model", "emit", "out_dir"]


def out_dir():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    return d


def tensor(name, array):
    """An initializer from a numpy array."""
    return numpy_helper.from_array(np.asarray(array), name)


def value(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def node(op_type, inputs, outputs, name=None, domain=None, **attrs):
    return helper.make_node(op_type, inputs, outputs, name=name or outputs[0],
                            domain=domain, **attrs)


def model(nodes, inputs, outputs, initializers=(), opset=17, extra_opsets=()):
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(initializers))
    opsets = [helper.make_opsetid("", opset)]
    opsets += [helper.make_opsetid(d, v) for d, v in extra_opsets]
    m = helper.make_model(graph, opset_imports=opsets)
    m.ir_version = 8 if opset < 21 else 10
    return m


def emit(name, m, check=True):
    """Writes DIR/NAME.onnx; check=False keeps deliberately invalid models."""
    if check:
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out_dir(), name + ".onnx"))
