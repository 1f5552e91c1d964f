#!/usr/bin/env python3
"""Model latency on the GPU: ds (cuda backend) next to PyTorch eager, same model, same device.

Per model of the suite's benchmark set (DS_SUITE_DIR/bench.tsv, written by
scripts/gpu_suite_prepare.sh; without it, the suite's test-size dsgen models) and size
BATCHxSEQ:
  ds:    ds-run BUNDLE --device=cuda --input=@ids.npy --input=@mask.npy --benchmark=RUNS
         (p50 wall latency of session.run: inputs H->D, the kernels / CUDA graph, logits D->H)
  torch: python/dsgen/torch_reference.py (the numpy reference's math in torch ops, f32,
         TF32 off) on the same weights (dsgen.make_weights of the same config), timed the
         same way: ids and mask to the device, forward, logits to the host; p50 of RUNS
         after 3 warm-ups
and the largest |ds - torch| of the logits (a cross-check on the GPU: both compute in f32).
ids are (37 i + 11) mod vocab, masks ones.

  bench/gpu_models.py [--suite DIR] [--build-dir DIR] [--out DIR] [--runs N]
                      [--sizes "1x1 1x128 8x512"] [--models "llama_gqa ..."] [--device cuda]
  bench/gpu_models.py --prepare DIR [--models ...]   (on the compiler machine: writes
                      DIR/MODEL/MODEL.onnx + config.json at the GPU benchmark size)

Environment (set by scripts/gpu_suite.sh): DS_SUITE_DIR, DS_BUILD_DIR, OUT, DS_BENCH_RUNS.
Writes OUT/gpu_models.md, OUT/gpu_models.json, OUT/gpu_models/*.log. The torch peer needs
numpy and torch (its columns say n/a without them; without numpy the ds side runs on inline
inputs). Exit status 1 when nothing ran.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# GPU benchmark size of each dsgen config: transformer-shaped (head dim 64, FFN ~2.75x) but
# small enough that the three bundles' f32 weights (8-12 MB each) fit what the device tool
# carries to the GPU machine (64 MiB in all).
GPU_BENCH_SIZES = {
    "llama_gqa": dict(vocab_size=1024, hidden_size=256, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=64,
                      intermediate_size=704),
    "deepseek_v2_lite": dict(vocab_size=1024, hidden_size=256, num_hidden_layers=2,
                             num_attention_heads=4, kv_lora_rank=64, qk_nope_head_dim=32,
                             qk_rope_head_dim=32, v_head_dim=32, intermediate_size=704,
                             moe_intermediate_size=128),
    "deepseek_v3": dict(vocab_size=1024, hidden_size=256, num_hidden_layers=2,
                        num_attention_heads=4, q_lora_rank=96, kv_lora_rank=64,
                        qk_nope_head_dim=32, qk_rope_head_dim=32, v_head_dim=32,
                        intermediate_size=704, moe_intermediate_size=128),
}
DEFAULT_SIZES = ["1x1", "1x128", "8x512"]


def import_dsgen():
    """dsgen's config module (weights and torch_reference are imported by the torch peer),
    without dsgen/__init__'s numpy and onnx imports when those are missing (a GPU machine
    may have numpy and torch, or nothing)."""
    sys.path.insert(0, str(ROOT / "python"))
    try:
        import dsgen  # noqa: F401
    except ImportError:
        pkg = types.ModuleType("dsgen")
        pkg.__path__ = [str(ROOT / "python" / "dsgen")]
        sys.modules["dsgen"] = pkg
    return importlib.import_module("dsgen.config")


def prepare(out: Path, models: list[str]) -> int:
    """On the compiler machine: ONNX + config.json per model at the GPU benchmark size."""
    sys.path.insert(0, str(ROOT / "python"))
    import dsgen
    for name in models:
        cfg = dataclasses.replace(dsgen.CONFIGS[name], **GPU_BENCH_SIZES.get(name, {}))
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        model = dsgen.build(cfg)
        dsgen.save(model, str(d / f"{name}.onnx"))
        (d / "config.json").write_text(cfg.to_json() + "\n")
        print(f"{name}: {dsgen.count_params(model)} params -> {d}")
    return 0


def run(cmd, log: Path, timeout: int) -> tuple[int, str]:
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
        rc, text = p.returncode, p.stdout
    except subprocess.TimeoutExpired:
        rc, text = 124, f"(timed out after {timeout} s)"
    log.write_text(f"$ {' '.join(map(str, cmd))}\n# rc {rc}, {time.time() - t0:.1f} s\n{text}")
    return rc, text


def bench_set(suite: Path, config_mod) -> list[dict]:
    """[{model, bundle, cfg}] from bench.tsv (model, bundle, config.json), else cases.tsv."""
    out = []
    tsv = suite / "bench.tsv"
    if tsv.exists():
        for line in tsv.read_text().splitlines():
            parts = line.split("\t")
            if len(parts) >= 3:
                cfg = config_mod.ModelConfig(**json.loads((suite / parts[2]).read_text()))
                out.append({"model": parts[0], "bundle": suite / parts[1], "cfg": cfg, "set": "bench"})
        return out
    seen = set()
    for line in (suite / "cases.tsv").read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] in config_mod.CONFIGS and parts[0] not in seen:
            seen.add(parts[0])
            out.append({"model": parts[0], "bundle": suite / parts[2],
                        "cfg": config_mod.CONFIGS[parts[0]], "set": "test size"})
    return out


def num(x, spec: str, none: str) -> str:
    return none if x is None else format(x, spec)


def p50(values: list[float]) -> float:
    v = sorted(values)
    return v[(len(v) - 1) // 2]


def torch_setup(enabled: bool, device: str):
    if not enabled:
        return None, "disabled"
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        return None, f"torch not importable ({type(e).__name__})"
    if device == "cuda" and not torch.cuda.is_available():
        return None, f"torch {torch.__version__} sees no CUDA device"
    torch.backends.cuda.matmul.allow_tf32 = False  # f32 like ds
    torch.backends.cudnn.allow_tf32 = False
    tr = importlib.import_module("dsgen.torch_reference")
    return (torch, tr), f"torch {torch.__version__}"


def time_torch(torch, model, ids, mask, runs: int, device: str) -> tuple[float, object]:
    def call():
        out = model(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device))
        return out.cpu()
    for _ in range(3):
        logits = call()
    times = []
    for _ in range(runs):
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        logits = call()  # .cpu() waits for the GPU
        times.append((time.perf_counter() - t0) * 1e3)
    return p50(times), logits.numpy()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", default=os.environ.get("DS_SUITE_DIR", str(ROOT / "out/gpu_suite")))
    ap.add_argument("--build-dir", default=os.environ.get("DS_BUILD_DIR", str(ROOT / "build-gpu")))
    ap.add_argument("--out", default=os.environ.get("OUT", str(ROOT / "out/gpu_bench")))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("DS_BENCH_RUNS") or 20))
    ap.add_argument("--sizes", default=" ".join(DEFAULT_SIZES))
    ap.add_argument("--models", help="only these models")
    ap.add_argument("--device", default="cuda", help="device of both sides (cpu: a dry run)")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--prepare", metavar="DIR", help="write the benchmark-size ONNX models and configs")
    args = ap.parse_args(argv)
    if args.prepare:
        return prepare(Path(args.prepare), args.models.split() if args.models else list(GPU_BENCH_SIZES))

    suite, build, out = Path(args.suite), Path(args.build_dir), Path(args.out)
    ds_run = build / "bin" / "ds-run"
    logdir = out / "gpu_models"
    logdir.mkdir(parents=True, exist_ok=True)
    md = ["# Model latency: ds vs PyTorch eager (bench/gpu_models.py)", ""]
    try:
        import numpy as np
    except ImportError:
        np = None  # ds latency only: inline inputs, no torch peer, no logits diff
    if not (suite / "cases.tsv").exists() or not ds_run.exists():
        print(f"gpu_models: need {suite}/cases.tsv and {ds_run}", file=sys.stderr)
        return 1
    config_mod = import_dsgen()
    entries = bench_set(suite, config_mod)
    if args.models:
        entries = [e for e in entries if e["model"] in args.models.split()]
    peer, torch_note = torch_setup(not args.no_torch and np is not None, args.device)
    if np is None:
        torch_note = "n/a: numpy is not importable here (ds latency only)"
    print(f"ds device {args.device}; peer: {torch_note}; {len(entries)} model(s)")

    rows = []
    for e in entries:
        cfg, bundle = e["cfg"], e["bundle"]
        manifest = json.loads((bundle / "manifest.json").read_text())
        tmodel = None
        if peer:
            torch, tr = peer
            weights_mod = importlib.import_module("dsgen.weights")
            tmodel = tr.TorchReference(cfg, weights_mod.make_weights(cfg), device=args.device)
        for size in args.sizes.split():
            b, s = (int(v) for v in size.split("x"))
            tag = f"{e['model']}_{size}"
            id_values = [(i * 37 + 11) % cfg.vocab_size for i in range(b * s)]
            files = []
            if np is not None:
                ids = np.array(id_values, np.int64).reshape(b, s)
                mask = np.ones((b, s), np.int64)
            for k, t in enumerate(manifest["inputs"]):
                is_mask = "mask" in t["name"]
                if np is not None:
                    path = logdir / f"{tag}.in{k}.npy"
                    dt = {"i32": np.int32, "i1": np.bool_}.get(t["dtype"], np.int64)
                    np.save(path, (mask if is_mask else ids).astype(dt))
                    files.append(f"--input={t['name']}=@{path}")
                else:  # ds-run's inline values: one fills the tensor
                    values = "1" if is_mask else ",".join(map(str, id_values))
                    files.append(f"--input={t['name']}={b}x{s}x{t['dtype']}={values}")
            logits_path = logdir / f"{tag}.ds_logits.npy"
            row = {"model": e["model"], "set": e["set"], "size": size, "ds_ms": None,
                   "torch_ms": None, "max_abs_diff": None}
            rc, text = run([str(ds_run), str(bundle), f"--device={args.device}", *files,
                            f"--benchmark={args.runs}", f"--output=@{logits_path}"],
                           logdir / f"{tag}.ds.log", args.timeout)
            if rc == 0:
                line = next((ln for ln in text.splitlines() if ln.startswith("benchmark:")), "")
                try:
                    row["ds_ms"] = float(line.split("p50")[1].split()[0])
                except (IndexError, ValueError):
                    row["ds_error"] = "no p50 in ds-run's output"
            else:
                lines = [ln for ln in text.strip().splitlines() if ln.strip()]
                row["ds_error"] = lines[-1] if lines else f"exit {rc}"
            if tmodel is not None:
                try:
                    row["torch_ms"], tlogits = time_torch(peer[0], tmodel, ids, mask, args.runs, args.device)
                    if row["ds_ms"] is not None and logits_path.exists() and np is not None:
                        dl = np.load(logits_path)
                        row["max_abs_diff"] = float(np.max(np.abs(dl.astype(np.float64) - tlogits)))
                except Exception as ex:  # noqa: BLE001 - e.g. out of memory at a large size
                    row["torch_error"] = f"{type(ex).__name__}: {ex}"[:300]
            if logits_path.exists():
                logits_path.unlink()  # large; the diff is recorded
            for k in range(len(manifest["inputs"])):
                (logdir / f"{tag}.in{k}.npy").unlink(missing_ok=True)
            rows.append(row)
            ratio = (f"{row['ds_ms'] / row['torch_ms']:.2f}" if row["ds_ms"] and row["torch_ms"] else "-")
            print(f"{tag}: ds {num(row['ds_ms'], '.3f', row.get('ds_error', '-'))} ms, "
                  f"torch {num(row['torch_ms'], '.3f', row.get('torch_error', 'n/a'))} ms, ds/torch {ratio}")

    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "device": args.device,
              "peer": torch_note, "runs": args.runs, "rows": rows}
    (out / "gpu_models.json").write_text(json.dumps(result, indent=1) + "\n")
    md.append(f"- date: {result['date']}; device {args.device}; p50 of {args.runs} calls after warm-up, "
              "wall time with input upload and logits download on both sides; f32 on both sides")
    md.append(f"- PyTorch eager: {torch_note} (python/dsgen/torch_reference.py, TF32 off)")
    md.append("")
    md += ["| model | weights | BxS | ds ms | torch ms | ds/torch | max abs diff | note |",
           "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        note = "; ".join(x for x in (r.get("ds_error"), r.get("torch_error")) if x).replace("|", "/")[:300]
        ratio = f"{r['ds_ms'] / r['torch_ms']:.2f}" if r["ds_ms"] and r["torch_ms"] else "-"
        md.append(f"| {r['model']} | {r['set']} | {r['size']} | {num(r['ds_ms'], '.3f', '-')} | "
                  f"{num(r['torch_ms'], '.3f', 'n/a')} | {ratio} | {num(r['max_abs_diff'], '.2e', '-')} | "
                  f"{note} |")
    (out / "gpu_models.md").write_text("\n".join(md) + "\n")
    print(f"wrote {out / 'gpu_models.md'} ({len(rows)} rows)")
    return 0 if any(r["ds_ms"] is not None or r["torch_ms"] is not None for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
