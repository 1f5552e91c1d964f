"""dsc: compile ONNX models with ds and run the bundles, onnxruntime-style.

    import dsc, numpy as np
    bundle = dsc.compile("model.onnx", "model.dsb")
    session = dsc.Session(bundle)
    (y,) = session.run(None, {"x": np.ones((2, 16), np.float32)})

The runtime is the extension module dsc._runtime (MLIR-free, runtime/python). It lives in
the build tree, BUILD/python/dsc/; this package adds that directory to its own __path__
(BUILD: $DS_BUILD_DIR, then <repo>/build, then <repo>/build-rt), unless a _runtime
module sits next to this file (an installed copy). See docs/python.md.
"""

from __future__ import annotations

from . import _locate

__path__ = list(__path__)  # noqa: F821 - a package's own __path__
_locate.extend_package_path(__path__)

from ._errors import CompileError, Error  # noqa: E402
from .compiler import compile, find_ds_opt  # noqa: E402
from .session import Bundle, NodeArg, Session, available_devices  # noqa: E402

__all__ = [
    "Bundle",
    "CompileError",
    "Error",
    "NodeArg",
    "Session",
    "available_devices",
    "compile",
    "find_ds_opt",
]
