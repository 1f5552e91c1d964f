"""Element types: bundle dtype names (MLIR spelling) <-> numpy dtypes <-> ONNX type strings."""

from __future__ import annotations

import numpy as np

try:  # bf16 and float8 arrays are ml_dtypes arrays; without it those dtypes are refused.
    import ml_dtypes
except ImportError:  # pragma: no cover - ml_dtypes is in requirements.txt
    ml_dtypes = None

# bundle dtype name -> (numpy dtype or None when unavailable, onnxruntime type string)
_TABLE: dict[str, tuple[np.dtype | None, str]] = {
    "f32": (np.dtype(np.float32), "tensor(float)"),
    "f16": (np.dtype(np.float16), "tensor(float16)"),
    "f64": (np.dtype(np.float64), "tensor(double)"),
    "bf16": (np.dtype(ml_dtypes.bfloat16) if ml_dtypes else None, "tensor(bfloat16)"),
    "f8E4M3FN": (np.dtype(ml_dtypes.float8_e4m3fn) if ml_dtypes else None,
                 "tensor(float8e4m3fn)"),
    "f8E5M2": (np.dtype(ml_dtypes.float8_e5m2) if ml_dtypes else None, "tensor(float8e5m2)"),
    "i1": (np.dtype(np.bool_), "tensor(bool)"),
    "i8": (np.dtype(np.int8), "tensor(int8)"),
    "i16": (np.dtype(np.int16), "tensor(int16)"),
    "i32": (np.dtype(np.int32), "tensor(int32)"),
    "i64": (np.dtype(np.int64), "tensor(int64)"),
    "ui8": (np.dtype(np.uint8), "tensor(uint8)"),
    "ui16": (np.dtype(np.uint16), "tensor(uint16)"),
    "ui32": (np.dtype(np.uint32), "tensor(uint32)"),
    "ui64": (np.dtype(np.uint64), "tensor(uint64)"),
}

DTYPE_NAMES = tuple(_TABLE)


def numpy_dtype(name: str) -> np.dtype:
    """The numpy dtype of a bundle dtype name; bf16/float8 need ml_dtypes."""
    try:
        dtype, _ = _TABLE[name]
    except KeyError:
        raise ValueError(f"unknown ds dtype '{name}'") from None
    if dtype is None:
        raise ImportError(f"ds dtype '{name}' needs the ml_dtypes package (pip install ml_dtypes)")
    return dtype


def onnx_type(name: str) -> str:
    """onnxruntime's NodeArg.type string, e.g. 'tensor(float)'."""
    return _TABLE[name][1]


def ds_dtype_name(dtype: np.dtype) -> str | None:
    """The bundle dtype name of a numpy dtype, None when ds has no such type."""
    dtype = np.dtype(dtype)
    for name, (candidate, _) in _TABLE.items():
        # Compare the dtype object, not '==': numpy treats some distinct dtypes as equal
        # to builtin ones through promotion rules, ml_dtypes' dtypes included.
        if candidate is not None and dtype == candidate and dtype.name == candidate.name:
            return name
    return None


def describe_dtype(dtype: np.dtype) -> str:
    dtype = np.dtype(dtype)
    name = ds_dtype_name(dtype)
    return f"{dtype.name} ({onnx_type(name)})" if name else dtype.name
