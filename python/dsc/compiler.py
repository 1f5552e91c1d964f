"""dsc.compile: ONNX model -> bundle, by running the ds-opt executable.

The runtime extension never links the compiler (MLIR/LLVM); compiling is a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _locate
from ._errors import CompileError
from .session import Bundle

_EXE = "ds-opt"


def find_ds_opt(ds_opt: str | os.PathLike | None = None) -> Path:
    """The ds-opt to run: `ds_opt`, $DS_OPT, $DS_BUILD_DIR/bin, <repo>/build/bin, PATH."""
    searched = []
    explicit = ds_opt if ds_opt is not None else os.environ.get("DS_OPT")
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path.resolve()
        found = shutil.which(os.fspath(explicit))
        if found:
            return Path(found)
        origin = "ds_opt argument" if ds_opt is not None else "$DS_OPT"
        raise CompileError(f"ds-opt not found: {origin} names '{explicit}', which is not an "
                           "executable file.")
    for build in _locate.build_dirs():
        candidate = build / "bin" / _EXE
        searched.append(str(candidate))
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(_EXE)
    if found:
        return Path(found)
    raise CompileError("ds-opt not found: searched " + ", ".join(searched) + " and PATH. "
                       "Build the compiler (./scripts/build.sh), or pass ds_opt= or set "
                       "$DS_OPT.")


def _shape_spec(name: str, dims: Any) -> str:
    """NAME:D0xD1... for --input-shape ('?' keeps a dim dynamic, 'scalar' for rank 0)."""
    if "," in name:
        raise ValueError(f"input_shapes: input name {name!r} contains ',', which "
                         "--input-shape cannot express")
    if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
        raise TypeError(f"input_shapes[{name!r}] must be a tuple or list of dims, got "
                        f"{dims!r}")
    parts = []
    for d in dims:
        is_int = isinstance(d, (int, np.integer)) and not isinstance(d, bool)
        if d is None or (isinstance(d, str) and d == "?") or (is_int and d == -1):
            parts.append("?")
        elif is_int and d >= 0:
            parts.append(str(int(d)))
        else:
            raise ValueError(f"input_shapes[{name!r}]: dim {d!r} is neither a non-negative "
                             "int nor None/'?'/-1 (dynamic)")
    return f"{name}:{'x'.join(parts) if parts else 'scalar'}"


def _write_bound_input(directory: Path, index: int, name: str, value: Any) -> Path:
    """A bind_inputs value as a file ds-opt reads: a path is used as is, an array is
    written as a serialized ONNX TensorProto."""
    if isinstance(value, (str, os.PathLike)):
        return Path(value)
    import onnx
    from onnx import numpy_helper

    if isinstance(value, onnx.TensorProto):
        tensor = value
    else:
        tensor = numpy_helper.from_array(np.asarray(value), name)
    path = directory / f"bind{index}.pb"
    path.write_bytes(tensor.SerializeToString())
    return path


def compile(model: Any, output: str | os.PathLike | None = None, *,
            input_shapes: Mapping[str, Sequence[Any]] | None = None,
            bind_inputs: Mapping[str, Any] | None = None,
            opt_level: int | None = None,
            extra_args: Sequence[str] = (),
            ds_opt: str | os.PathLike | None = None,
            timeout: float | None = None):
    """Compiles an ONNX model to a bundle and loads it.

    model: a path (.onnx; other files are read as MLIR by ds-opt), ONNX bytes, or an
      onnx.ModelProto.
    output: the bundle directory to write (NAME.dsb); None writes into a temporary
      directory that lives as long as the returned Bundle (and sessions using it).
    input_shapes: {name: dims}, each dim an int or None/'?'/-1 to keep it dynamic
      (ds-opt --input-shape).
    bind_inputs: {name: array | onnx.TensorProto | path of a serialized TensorProto}:
      specializes a graph input to a constant (ds-opt --bind-input).
    opt_level: passes --ds-O<level> (docs/passes.md); None leaves ds-opt's default.
    extra_args: more ds-opt arguments, verbatim.
    Raises dsc.CompileError with ds-opt's stderr on failure.
    """
    if not isinstance(model, (bytes, bytearray, memoryview, str, os.PathLike)) and \
            not hasattr(model, "SerializeToString"):
        raise TypeError("model must be a path, ONNX bytes, or an onnx.ModelProto; got "
                        f"{type(model).__name__}")
    if isinstance(model, (str, os.PathLike)) and not Path(model).is_file():
        raise CompileError(f"model '{model}' does not exist or is not a file.")
    shape_args = ["--input-shape=" + _shape_spec(name, dims)
                  for name, dims in (input_shapes or {}).items()]
    for name in bind_inputs or {}:
        if "=" in name:
            raise ValueError(f"bind_inputs: input name {name!r} contains '=', which "
                             "--bind-input cannot express")
    if opt_level is not None and (not isinstance(opt_level, int) or isinstance(opt_level, bool)
                                  or opt_level < 0):
        raise ValueError(f"opt_level must be a non-negative int, got {opt_level!r}")
    exe = find_ds_opt(ds_opt)

    scratch = Path(tempfile.mkdtemp(prefix="dsc-"))
    try:
        if isinstance(model, (bytes, bytearray, memoryview)):
            model_path = scratch / "model.onnx"
            model_path.write_bytes(bytes(model))
        elif isinstance(model, (str, os.PathLike)):
            model_path = Path(model)
        else:  # onnx.ModelProto
            model_path = scratch / "model.onnx"
            model_path.write_bytes(model.SerializeToString())

        temporary_output = output is None
        if temporary_output:
            stem = model_path.stem if isinstance(model, (str, os.PathLike)) else "model"
            out_path = scratch / f"{stem}.dsb"
        else:
            out_path = Path(output)

        command = [os.fspath(exe), os.fspath(model_path), "--emit=bundle", "-o",
                   os.fspath(out_path)]
        command += shape_args
        for index, (name, value) in enumerate((bind_inputs or {}).items()):
            path = _write_bound_input(scratch, index, name, value)
            command.append(f"--bind-input={name}=@{os.fspath(path)}")
        if opt_level is not None:
            command.append(f"--ds-O{opt_level}")
        command.extend(str(a) for a in extra_args)

        try:
            proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise CompileError(f"ds-opt did not finish within {timeout} s: "
                               f"{' '.join(command)}", stderr=_text(e.stderr),
                               command=command) from None
        if proc.returncode != 0:
            stderr = proc.stderr.strip()
            raise CompileError(
                f"ds-opt failed (exit code {proc.returncode}) compiling {model_path}:\n"
                f"{stderr or '(no diagnostics)'}",
                stderr=proc.stderr, returncode=proc.returncode, command=command)

        bundle = Bundle(out_path)
        if temporary_output:
            # The temporary directory goes away with the Bundle (sessions hold the Bundle).
            bundle._keepalive = weakref.finalize(bundle, shutil.rmtree, scratch, True)
            scratch = None
        return bundle
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _text(data: Any) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else str(data)
