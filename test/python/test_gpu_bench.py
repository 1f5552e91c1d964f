"""The GPU benchmark scripts (bench/gpu_kernels.py, bench/gpu_models.py) without a GPU:
FLOP counts and input binding, and whole runs on the cpu device over a small suite (the
same ds-run --profile-json path the cuda device takes; the CUDA timing itself is tested
with the fake driver in runtime/test/cuda_backend_test.cpp).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, build_dir

sys.path.insert(0, str(ROOT / "bench"))
import gpu_kernels  # noqa: E402


def test_flops():
    f = gpu_kernels.step_flops
    assert f("matmul", [[2, 16, 64], [64, 32], [2, 16, 32]]) == 2 * 32 * 64 * 32
    assert f("matmul", [[1, 4, 16, 8], [2, 1, 8, 16], [2, 4, 16, 16]]) == 2 * 8 * 16 * 16 * 8
    assert f("matmul", [[8], [8, 5], [5]]) == 2 * 8 * 5
    # linear: x [..., K], a K x N weight in either orientation, absent bias, extra output.
    assert f("linear", [[3, 7, 64], [32, 64], [], [3, 7, 32]]) == 2 * 21 * 64 * 32
    assert f("linear", [[3, 7, 64], [64, 32], [32], [3, 7, 32], [3, 7, 32]]) == 2 * 21 * 64 * 32
    # attention: GQA (4 query heads over 2 kv heads), dqk 64, dv 32.
    assert f("attention", [[1, 4, 16, 64], [1, 2, 20, 64], [1, 2, 20, 32], [], [1, 4, 16, 32]]) == \
        2 * 4 * 16 * 20 * (64 + 32)
    assert f("matmul", [[0, 4], [4, 5], [0, 5]]) == 0
    assert f("elementwise", [[4], [4]]) is None
    assert f("matmul", [[4]]) is None  # malformed: no crash


def test_bind_inputs():
    manifest = {"inputs": [
        {"name": "input_ids", "dtype": "i64", "shape": [-1, -1], "dims": ["batch", "seq"]},
        {"name": "attention_mask", "dtype": "i64", "shape": [-1, -1], "dims": ["batch", "seq"]},
        {"name": "x", "dtype": "f32", "shape": [-1, 8], "dims": ["seq", ""]},
        {"name": "flag", "dtype": "i1", "shape": [], "dims": []},
    ]}
    flags, sizes = gpu_kernels.bind_inputs(manifest, 3, 1000)
    assert sizes == {"batch": 3, "seq": 1000}
    assert flags == ["--input=input_ids=3x1000xi64=11", "--input=attention_mask=3x1000xi64=1",
                     "--input=x=1000x8xf32=0.5", "--input=flag=i1=1"]
    assert gpu_kernels.category("rms_norm") == "norm"
    assert gpu_kernels.category("binary") == "elementwise"


def ew_suite(tmp: Path) -> Path:
    """A one-bundle suite (an elementwise chain) compiled with ds-opt."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    ds_opt = build_dir() / "bin" / "ds-opt"
    if not ds_opt.exists():
        pytest.skip(f"no {ds_opt} (full build needed)")
    f32 = TensorProto.FLOAT
    graph = helper.make_graph(
        [helper.make_node("Sigmoid", ["x"], ["s"]), helper.make_node("Mul", ["s", "y"], ["out"])],
        "ew", [helper.make_tensor_value_info("x", f32, ["batch", "seq"]),
               helper.make_tensor_value_info("y", f32, ["batch", "seq"])],
        [helper.make_tensor_value_info("out", f32, ["batch", "seq"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    suite = tmp / "suite"
    (suite / "ew").mkdir(parents=True)
    onnx.save(model, str(suite / "ew.onnx"))
    subprocess.run([str(ds_opt), str(suite / "ew.onnx"), "--emit=bundle", "-o",
                    str(suite / "ew" / "ew.dsb")], check=True, capture_output=True)
    (suite / "cases.tsv").write_text("ew\t1x16\tew/ew.dsb\t2\t1\n")
    return suite


def test_gpu_kernels_on_cpu(tmp_path):
    suite = ew_suite(tmp_path)
    out = tmp_path / "out"
    env = dict(os.environ, DS_SUITE_DIR=str(suite), DS_BUILD_DIR=str(build_dir()), OUT=str(out),
               DS_BENCH_RUNS="2")
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_kernels.py"), "--device=cpu",
                        "--sizes", "1x16 4x1000"], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    result = json.loads((out / "gpu_kernels.json").read_text())
    rows = [r for r in result["steps"] if r["size"] == "4x1000"]
    assert len(rows) == 1, rows
    r = rows[0]
    assert r["kind"] == "elementwise" and r["category"] == "elementwise"
    assert r["shapes"] == [[4, 1000], [4, 1000], [4, 1000]]
    assert r["bytes"] == 3 * 4000 * 4
    assert r["calls"] == 2 and r["ms"] > 0
    assert r["copy_fraction"] is None and not r["flag"]  # no probe on cpu: nothing judged
    md = (out / "gpu_kernels.md").read_text()
    assert "| ew | 4x1000 |" in md and "0.05" in md  # 48000 bytes = 0.05 MB


def test_gpu_kernels_reports_failures(tmp_path):
    suite = ew_suite(tmp_path)
    out = tmp_path / "out"
    env = dict(os.environ, DS_SUITE_DIR=str(suite), DS_BUILD_DIR=str(build_dir()), OUT=str(out))
    # An unknown device: every case fails, the report says why, the exit status is 1.
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_kernels.py"), "--device=nope",
                        "--sizes", "1x16", "--runs", "1"], env=env, capture_output=True, text=True)
    assert p.returncode == 1
    assert "could not run" in (out / "gpu_kernels.md").read_text()
