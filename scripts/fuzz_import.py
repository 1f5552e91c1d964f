"""Mutation fuzzing of the ONNX importer: ds-opt must exit 0 or 1 on anything, never crash.

Takes the ONNX backend node-test models, and for each either corrupts its bytes
(truncation, flipped or inserted bytes) or mutates its graph (graph input dims changed,
dropped or added; int attributes replaced with edge values), then runs ds-opt on it.
Crashing inputs are kept under --out for a lit regression test.

    .venv/bin/python scripts/fuzz_import.py --seed 3 [--count 500] [--filter attention]
"""
import argparse
import glob
import os
import random
import subprocess
import sys

import onnx


def corrupt_bytes(data, rng):
    data = bytearray(data)
    kind = rng.randrange(3)
    if kind == 0:
        return data[:rng.randint(1, max(1, len(data) - 1))]
    if kind == 1:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return data
    at = rng.randrange(len(data))
    data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return data


def mutate_graph(model, rng):
    for vi in model.graph.input:
        if not vi.type.HasField("tensor_type"):
            continue
        dims = vi.type.tensor_type.shape.dim
        r = rng.random()
        if dims and r < 0.4:
            dims[rng.randrange(len(dims))].dim_value = rng.choice([0, 1, 2, 3, 7])
        elif dims and r < 0.6:
            del dims[rng.randrange(len(dims))]
        elif r < 0.8:
            dims.add().dim_value = rng.choice([1, 2, 5])
    for n in model.graph.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.INT and rng.random() < 0.3:
                a.i = rng.choice([-5, -1, 0, 1, 3, 100])
            if a.type == onnx.AttributeProto.INTS and a.ints and rng.random() < 0.3:
                a.ints[rng.randrange(len(a.ints))] = rng.choice([-9, -1, 0, 2, 50])
    return model.SerializeToString()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--filter", default="")
    ap.add_argument("--ds-opt", default=os.path.join(os.path.dirname(__file__), "..",
                                                     "build", "bin", "ds-opt"))
    ap.add_argument("--out", default="/tmp/ds-fuzz")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    node_dir = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    models = sorted(p for p in glob.glob(os.path.join(node_dir, "*", "model.onnx"))
                    if args.filter in p)
    rng.shuffle(models)
    os.makedirs(args.out, exist_ok=True)
    crashes = 0
    for i, path in enumerate(models[:args.count]):
        raw = open(path, "rb").read()
        data = corrupt_bytes(raw, rng) if i % 2 else mutate_graph(onnx.load(path), rng)
        case = os.path.join(args.out, f"seed{args.seed}_{i}.onnx")
        with open(case, "wb") as f:
            f.write(data)
        r = subprocess.run([args.ds_opt, case, "-o", os.devnull], capture_output=True,
                           text=True, errors="replace", timeout=120)
        if r.returncode in (0, 1):
            os.remove(case)
            continue
        crashes += 1
        print(f"CRASH (exit {r.returncode}) {case} from {path}\n{r.stderr[-500:]}")
    print(f"{min(args.count, len(models))} cases, {crashes} crashes")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
