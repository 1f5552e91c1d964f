"""Import time and peak memory of a ~2 GB external-data model.

The weights file is sparse (os.truncate): 2 GB of address space, almost nothing on
disk, so the benchmark measures the importer's own cost (parsing the graph, checking
every external tensor, referencing the bytes without reading them), not the disk.
The graph is LAYERS x (MatMul, Add, Relu) with [D, D] f32 weights and [D] biases,
all in one external file, plus a few small tensors that are read into constants.

    python bench/import_large.py [--ds-opt build/bin/ds-opt] [--dir DIR] [--repeat 3]

Prints wall time and peak RSS of `ds-opt model.onnx -o /dev/null`; target < 2 s and
< 300 MB. Never run as a test.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import onnx
from onnx import TensorProto, helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def external(name, shape, offset, location="weights.bin"):
    t = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=shape)
    t.data_location = TensorProto.EXTERNAL
    n = 4
    for d in shape:
        n *= d
    for k, v in (("location", location), ("offset", offset), ("length", n)):
        e = t.external_data.add()
        e.key, e.value = k, str(v)
    return t, n


def build(directory, layers, dim):
    nodes, inits = [], []
    offset = 0
    x = "x"
    for i in range(layers):
        w, n = external(f"layers.{i}.w", [dim, dim], offset)
        offset += n
        b, n = external(f"layers.{i}.b", [dim], offset)
        offset += n
        inits += [w, b]
        nodes += [helper.make_node("MatMul", [x, w.name], [f"mm{i}"], name=f"layers.{i}.matmul"),
                  helper.make_node("Add", [f"mm{i}", b.name], [f"add{i}"], name=f"layers.{i}.add"),
                  helper.make_node("Relu", [f"add{i}"], [f"h{i}"], name=f"layers.{i}.relu")]
        x = f"h{i}"
    # A few small tensors: read from the file into dense constants.
    for j in range(4):
        s, n = external(f"scale.{j}", [1], offset)
        offset += n
        inits.append(s)
        nodes.append(helper.make_node("Mul", [x, s.name], [f"s{j}"], name=f"scale.{j}"))
        x = f"s{j}"
    nodes.append(helper.make_node("Identity", [x], ["y"], name="out"))
    graph = helper.make_graph(
        nodes, "import_large",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", dim])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", dim])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = os.path.join(directory, "model.onnx")
    onnx.save(model, path)
    with open(os.path.join(directory, "weights.bin"), "wb") as f:
        f.truncate(offset)  # sparse: no data written
    return path, offset, len(nodes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ds-opt", default=os.path.join(ROOT, "build", "bin", "ds-opt"))
    ap.add_argument("--dir", default=None)
    ap.add_argument("--layers", type=int, default=128)
    ap.add_argument("--dim", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        path, size, nodes = build(d, args.layers, args.dim)
        print(f"model: {nodes} nodes, {2 * args.layers + 4} external tensors, "
              f"weights file {size / 2**30:.2f} GiB (sparse, "
              f"{os.stat(os.path.join(d, 'weights.bin')).st_blocks * 512 // 1024} KiB on disk), "
              f"graph {os.path.getsize(path) / 1024:.0f} KiB")
        walls = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            p = subprocess.run([args.ds_opt, path, "-o", os.devnull],
                               capture_output=True, text=True)
            walls.append(time.perf_counter() - t0)
            if p.returncode:
                sys.exit("ds-opt failed:\n" + p.stderr)
        # ru_maxrss of children is the peak of the largest child, in KiB on Linux.
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        best = min(walls)
        print(f"import wall time: best {best:.3f} s, runs " +
              ", ".join(f"{w:.3f}" for w in walls))
        print(f"peak RSS: {rss_mb:.1f} MB")
        ok = best < 2.0 and rss_mb < 300
        print("target (< 2 s, < 300 MB): " + ("met" if ok else "MISSED"))
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
