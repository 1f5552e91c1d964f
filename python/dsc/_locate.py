"""Where the build tree is: the extension (BUILD/python/dsc/_runtime*.so) and ds-opt.

Search order for a build directory: $DS_BUILD_DIR, then <repo>/build, then
<repo>/build-rt (the runtime-only build). See docs/python.md.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def build_dirs() -> list[Path]:
    dirs: list[Path] = []
    env = os.environ.get("DS_BUILD_DIR")
    if env:
        dirs.append(Path(env).expanduser().resolve())
    for name in ("build", "build-rt"):
        candidate = REPO_ROOT / name
        if candidate not in dirs:
            dirs.append(candidate)
    return dirs


def extension_dirs() -> list[Path]:
    """Build-tree directories holding a built dsc._runtime, in search order."""
    found = []
    for build in build_dirs():
        directory = build / "python" / "dsc"
        if any(directory.glob("_runtime*.so")) or any(directory.glob("_runtime*.pyd")):
            found.append(directory)
    return found


_added: set[str] = set()


def extend_package_path(path: list[str]) -> None:
    """Puts the build-tree extension directories, in search order, after the package's
    own directories in the dsc package's __path__ (again when $DS_BUILD_DIR changed)."""
    found = [str(d) for d in extension_dirs()]
    path[:] = [p for p in path if p not in _added] + found
    _added.update(found)
