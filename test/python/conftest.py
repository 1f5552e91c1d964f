"""Shared pytest setup for test/python: the repo's python/ on sys.path, the build tree.

The build directory is $DS_BUILD_DIR (scripts/test.sh sets it), else <repo>/build.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "python") not in sys.path:
    sys.path.insert(0, str(ROOT / "python"))


def build_dir() -> Path:
    return Path(os.environ.get("DS_BUILD_DIR") or ROOT / "build").resolve()


@pytest.fixture(scope="session")
def ds_build_dir() -> Path:
    return build_dir()


def ds_opt_path() -> Path:
    return build_dir() / "bin" / "ds-opt"


def ds_opt_lacks_emit_bundle() -> bool:
    """True while the ds-opt that dsc.compile would run has no --emit option (bundle
    emission not merged yet). A missing ds-opt is not a reason to skip: tests fail."""
    import dsc

    try:
        exe = dsc.find_ds_opt()
    except dsc.CompileError:
        return False
    p = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    return re.search(r"^\s*--emit(=|\s)", p.stdout, re.M) is None
