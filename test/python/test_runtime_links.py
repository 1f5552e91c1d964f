"""The runtime stays MLIR-free: ds-run and the dsc extension need no MLIR, LLVM or clang
library, neither directly (ELF DT_NEEDED) nor transitively (ldd), and hold no MLIR/LLVM
code linked in statically.

Needs a full build (scripts/build.sh); missing binaries are failures, not skips.
Run: DS_BUILD_DIR=build .venv/bin/python -m pytest test/python/test_runtime_links.py -q
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import build_dir

FORBIDDEN = re.compile(r"lib(MLIR|LLVM|clang)[^\s/]*\.so", re.IGNORECASE)


def ds_run() -> Path:
    return build_dir() / "bin" / "ds-run"


def extension() -> Path:
    directory = build_dir() / "python" / "dsc"
    found = sorted(directory.glob("_runtime*.so"))
    assert found, (f"the dsc extension (_runtime*.so) is missing from {directory}; build "
                   "with DS_BUILD_PYTHON=ON (needs Python headers and nanobind)")
    return found[0]


BINARIES = {"ds-run": ds_run, "dsc._runtime": extension}


@pytest.fixture(params=list(BINARIES))
def binary(request) -> Path:
    path = BINARIES[request.param]()
    assert path.is_file(), f"{request.param} is missing: {path} (run scripts/build.sh)"
    return path


def test_direct_dependencies(binary):
    out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True,
                         check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    assert needed, f"readelf found no NEEDED entries in {binary}:\n{out}"
    bad = [lib for lib in needed if FORBIDDEN.search(lib)]
    assert not bad, f"{binary.name} needs {bad} directly (DT_NEEDED: {needed})"


def test_transitive_dependencies(binary):
    p = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    assert p.returncode == 0, f"ldd {binary} failed: {p.stderr}"
    bad = [line.strip() for line in p.stdout.splitlines() if FORBIDDEN.search(line)]
    assert not bad, f"{binary.name} loads MLIR/LLVM/clang libraries:\n" + "\n".join(bad)
    missing = [line.strip() for line in p.stdout.splitlines() if "not found" in line]
    assert not missing, f"{binary.name} has unresolved libraries:\n" + "\n".join(missing)


def test_no_static_mlir_or_llvm_code(binary):
    """A static libMLIR*.a/libLLVM*.a would not show in ldd; its symbols would."""
    out = subprocess.run(["nm", "-C", "--defined-only", str(binary)], capture_output=True,
                         text=True).stdout
    if not out:  # stripped: fall back to the dynamic symbol table
        out = subprocess.run(["nm", "-C", "-D", "--defined-only", str(binary)],
                             capture_output=True, text=True, check=True).stdout
    bad = sorted({m.group(0) for m in re.finditer(r"\b(mlir|llvm|clang)::\w+", out)})
    assert not bad, f"{binary.name} contains MLIR/LLVM code: {bad[:10]}"
