"""CLI: python -m dsgen --out DIR [--config NAME ...] [--opset N] [--external-data]"""

from __future__ import annotations

import argparse
import os
import sys

from . import CONFIGS, DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, build, count_params, save


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dsgen",
                                description="Write tiny Llama/DeepSeek-style ONNX models.")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--config", nargs="+", action="extend", choices=sorted(CONFIGS),
                   help="configs to write (default: all)")
    p.add_argument("--opset", type=int, default=DEFAULT_OPSET,
                   help=f"ONNX opset, {MIN_OPSET}..{MAX_OPSET} (default {DEFAULT_OPSET})")
    p.add_argument("--external-data", action="store_true",
                   help="store weights in NAME.onnx.data beside NAME.onnx")
    args = p.parse_args(argv)
    if not MIN_OPSET <= args.opset <= MAX_OPSET:
        p.error(f"--opset must be in {MIN_OPSET}..{MAX_OPSET}")

    names = list(dict.fromkeys(args.config)) if args.config else list(CONFIGS)
    os.makedirs(args.out, exist_ok=True)
    for name in names:
        model = build(name, opset=args.opset)
        params, nodes = count_params(model), len(model.graph.node)
        path = os.path.join(args.out, f"{name}.onnx")
        save(model, path, external_data=args.external_data)
        print(f"{name} params={params} nodes={nodes} opset={args.opset} -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
