"""Bundle and Session: the onnxruntime-shaped face of the ds runtime."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from . import _locate
from ._errors import Error
from ._types import describe_dtype, ds_dtype_name, numpy_dtype, onnx_type

_runtime_module = None


def _rt():
    """dsc._runtime, imported on first use so that `import dsc` works without it."""
    global _runtime_module
    if _runtime_module is None:
        import dsc

        _locate.extend_package_path(dsc.__path__)  # DS_BUILD_DIR may be set after import
        try:
            _runtime_module = importlib.import_module("dsc._runtime")
        except ImportError as e:
            searched = ", ".join(str(d / "python" / "dsc") for d in _locate.build_dirs())
            raise ImportError(
                "dsc's runtime extension (dsc._runtime) is not built or cannot be loaded "
                f"({e}). Searched: {searched}. Build it with ./scripts/build.sh "
                "(DS_BUILD_PYTHON=ON needs Python headers and nanobind) or set DS_BUILD_DIR "
                "to the build directory.") from e
    return _runtime_module


def available_devices() -> list[str]:
    """Devices this build and machine can run on, e.g. ['cpu']."""
    return list(_rt().available_devices())


class NodeArg:
    """One graph input or output, like onnxruntime's NodeArg.

    `shape` lists ints for static dims and the symbol (a str) for dynamic ones; a dynamic
    dim without a name is None. `type` is onnxruntime's string ('tensor(float)'),
    `dtype` the numpy dtype (ml_dtypes.bfloat16 for bf16), `ds_dtype` the bundle's name.
    """

    __slots__ = ("name", "shape", "type", "dtype", "ds_dtype")

    def __init__(self, name: str, ds_dtype: str, shape: list[int], dims: list[str]):
        self.name = name
        self.ds_dtype = ds_dtype
        self.type = onnx_type(ds_dtype)
        try:
            self.dtype = numpy_dtype(ds_dtype)
        except ImportError:
            self.dtype = None  # bf16/float8 without ml_dtypes: refused at run time
        self.shape = [
            d if d >= 0 else (dims[i] if i < len(dims) and dims[i] else None)
            for i, d in enumerate(shape)
        ]

    def __repr__(self) -> str:
        return f"NodeArg(name={self.name!r}, type={self.type!r}, shape={self.shape!r})"


class Bundle:
    """A compiled model (a NAME.dsb directory, docs/bundle.md), loaded and validated."""

    def __init__(self, path: str | os.PathLike):
        path = Path(path)
        if path.suffix == ".onnx" and path.is_file():
            raise Error(f"'{path}' is an ONNX model, not a ds bundle; compile it first with "
                        "dsc.compile(model, output)")
        self._impl = _rt().Bundle(os.fspath(path))
        self._inputs = [NodeArg(*t) for t in self._impl.inputs]
        self._outputs = [NodeArg(*t) for t in self._impl.outputs]
        self._keepalive: Any = None  # compile() parks its temporary directory here

    @property
    def path(self) -> Path:
        return Path(self._impl.path)

    @property
    def inputs(self) -> list[NodeArg]:
        return list(self._inputs)

    @property
    def outputs(self) -> list[NodeArg]:
        return list(self._outputs)

    @property
    def format_version(self) -> int:
        return self._impl.format_version

    @property
    def ds_version(self) -> str:
        return self._impl.ds_version

    def describe(self) -> str:
        """Inputs, outputs, steps by kind, weights and memory plan (as `ds-run --info`)."""
        return self._impl.describe()

    def __repr__(self) -> str:
        return f"dsc.Bundle({str(self.path)!r})"


class Session:
    """Runs a bundle, like onnxruntime.InferenceSession.

    `bundle` is a dsc.Bundle or the path of one. `device` is "cpu" or "auto";
    `threads` 0 uses every core. Sessions are safe to share between threads (runs of one
    session are serialized; use one session per thread for parallel runs).
    """

    def __init__(self, bundle: Bundle | str | os.PathLike, device: str = "cpu",
                 threads: int = 0, *, profile: bool = False):
        if not isinstance(bundle, Bundle):
            bundle = Bundle(bundle)
        if not isinstance(threads, int) or threads < 0:
            raise ValueError(f"threads must be a non-negative int, got {threads!r}")
        self._bundle = bundle  # keeps a compile() temp directory alive as long as we are
        self._impl = _rt().Session(bundle._impl, device, threads, profile)
        self._input_index = {arg.name: i for i, arg in enumerate(bundle._inputs)}
        self._output_index = {arg.name: i for i, arg in enumerate(bundle._outputs)}

    @property
    def bundle(self) -> Bundle:
        return self._bundle

    @property
    def device(self) -> str:
        return self._impl.device

    def get_inputs(self) -> list[NodeArg]:
        return self._bundle.inputs

    def get_outputs(self) -> list[NodeArg]:
        return self._bundle.outputs

    def run(self, output_names: Iterable[str] | None,
            input_feed: Mapping[str, Any]) -> list[np.ndarray]:
        """Runs the model; returns the outputs named (all, in manifest order, for None).

        Every graph input must be fed, with exactly its dtype (no implicit casts).
        Arrays are passed without copying when C-contiguous and in native byte order.
        Returned arrays own their memory.
        """
        selected = self._select_outputs(output_names)
        args = self._marshal_inputs(input_feed)
        results = self._impl.run(args)
        arrays, seen = [], set()
        for i in selected:
            array = self._to_numpy(*results[i])
            arrays.append(array.copy() if i in seen else array)  # a repeated name: its own copy
            seen.add(i)
        return arrays

    def profile(self) -> list[dict[str, Any]]:
        """Per-step times accumulated since the last reset (when created with profile=True)."""
        return [dict(step=step, kind=kind, name=name, total_ms=total_ms, calls=calls)
                for step, kind, name, total_ms, calls in self._impl.profile()]

    def reset_profile(self) -> None:
        self._impl.reset_profile()

    def stats(self) -> dict[str, int]:
        """How calls were served: runs, plans_built, plan_cache_hits, eager_runs, and on
        emulate emulated_steps / cpu_fallback_steps (step runs through generated kernels
        vs on the cpu kernels)."""
        return dict(self._impl.stats())

    @property
    def last_arena_bytes(self) -> int:
        """Arena bytes of the memory plan used by the last run."""
        return self._impl.last_arena_bytes

    # -- helpers -------------------------------------------------------------------------

    def _select_outputs(self, output_names) -> list[int]:
        if output_names is None:
            return list(range(len(self._bundle._outputs)))
        if isinstance(output_names, str):
            raise TypeError("output_names must be a list of names or None, not a str "
                            f"({output_names!r}); write [{output_names!r}]")
        selected = []
        for name in output_names:
            if name not in self._output_index:
                known = ", ".join(repr(a.name) for a in self._bundle._outputs)
                raise Error(f"Output '{name}' is not an output of {self._bundle.path} "
                            f"(outputs: {known}).")
            selected.append(self._output_index[name])
        return selected

    def _marshal_inputs(self, input_feed: Mapping[str, Any]):
        if not isinstance(input_feed, Mapping):
            raise TypeError(f"input_feed must be a dict of name -> numpy array, got "
                            f"{type(input_feed).__name__}")
        unknown = [name for name in input_feed if name not in self._input_index]
        if unknown:
            known = ", ".join(repr(a.name) for a in self._bundle._inputs)
            raise Error(f"Input '{unknown[0]}' is not an input of {self._bundle.path} "
                        f"(inputs: {known}).")
        args = []
        for arg in self._bundle._inputs:
            if arg.name not in input_feed:
                raise Error(f"Input '{arg.name}' is missing: the model needs "
                            f"{', '.join(repr(a.name) for a in self._bundle._inputs)}.")
            args.append(self._marshal_input(arg, input_feed[arg.name]))
        return args

    @staticmethod
    def _marshal_input(arg: NodeArg, value: Any):
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        if array.dtype.byteorder not in ("=", "|") and array.dtype.byteorder != _NATIVE:
            # Same values, native representation: not a cast.
            array = array.astype(array.dtype.newbyteorder("="))
        name = ds_dtype_name(array.dtype)
        if name != arg.ds_dtype:
            if arg.dtype is None:
                raise Error(f"Input '{arg.name}' is {arg.type}, which needs the ml_dtypes "
                            "package to be fed from numpy.")
            raise Error(f"Input '{arg.name}' has dtype {describe_dtype(array.dtype)}, but the "
                        f"model expects {arg.dtype.name} ({arg.type}); convert it with "
                        f".astype(...) (dsc does not cast implicitly).")
        if not array.flags.c_contiguous:
            array = np.ascontiguousarray(array)
        # A flat byte view of the same memory: zero-copy, and one path for every dtype.
        flat = array.reshape(-1).view(np.uint8)
        return (flat, name, list(array.shape))

    @staticmethod
    def _to_numpy(data, ds_dtype: str, shape: list[int]) -> np.ndarray:
        dtype = numpy_dtype(ds_dtype)
        if data is None:  # no elements
            return np.empty(shape, dtype)
        # `data` is a uint8 array over the runtime tensor (kept alive by its capsule).
        return data.view(dtype).reshape(shape)

    def __repr__(self) -> str:
        return f"dsc.Session({str(self._bundle.path)!r}, device={self.device!r})"


_NATIVE = "<" if np.little_endian else ">"
