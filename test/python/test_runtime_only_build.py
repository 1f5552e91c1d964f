"""The runtime-only configuration (-DDS_BUILD_COMPILER=OFF) builds ds-run and the runtime
with a C++ compiler alone — no LLVM/MLIR — as it must on a GPU machine without LLVM.

Run: .venv/bin/python -m pytest test/python/test_runtime_only_build.py -q
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_runtime_only_configuration_builds(tmp_path_factory):
    build = Path(os.environ.get("DS_BUILD_DIR", ROOT / "build")) / "runtime-only"
    env = dict(os.environ, DS_RUNTIME_ONLY="1", DS_BUILD_DIR=str(build))
    p = subprocess.run([str(ROOT / "scripts" / "build.sh")], env=env, capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    cache = (build / "CMakeCache.txt").read_text()
    assert "DS_BUILD_COMPILER:BOOL=OFF" in cache
    assert "MLIR_DIR" not in cache and "LLVM_DIR" not in cache, "runtime-only build looked for LLVM"
    ds_run = build / "bin" / "ds-run"
    assert ds_run.exists()
    needed = subprocess.run(["ldd", str(ds_run)], capture_output=True, text=True).stdout
    assert "libMLIR" not in needed and "libLLVM" not in needed, needed
    p = subprocess.run([str(ds_run), "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "ds-run" in p.stdout + p.stderr
