"""ds cpu backend vs onnxruntime's CPU provider on the generated models, same thread count.

Each model is built by dsgen at a benchmark size (the test configs are tiny), compiled
once to a bundle with dynamic batch/sequence, and both runtimes run the same ONNX file on
the same inputs. Prints median latency per runtime and the ratio ds/onnxruntime (< 1 means
ds is faster). Never asserted: record results in docs/perf.md.

  .venv/bin/python bench/cpu_vs_ort.py [--threads N] [--runs N] [--seq 128] [--batch 1]
                                        [--models llama_gqa,...] [--size bench|test]
"""
import argparse
import dataclasses
import os
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import dsc  # noqa: E402
import dsgen  # noqa: E402

# Benchmark sizes: big enough that GEMMs dominate as in real models, small enough for 2 cores.
BENCH_SIZES = {
    "llama_gqa": dict(vocab_size=8192, hidden_size=512, num_hidden_layers=4,
                      num_attention_heads=8, num_key_value_heads=2, head_dim=64,
                      intermediate_size=1408),
    "deepseek_v2_lite": dict(vocab_size=8192, hidden_size=512, num_hidden_layers=4,
                             num_attention_heads=8, kv_lora_rank=128, qk_nope_head_dim=32,
                             qk_rope_head_dim=32, v_head_dim=32, intermediate_size=1408,
                             moe_intermediate_size=256),
    "deepseek_v3": dict(vocab_size=8192, hidden_size=512, num_hidden_layers=4,
                        num_attention_heads=8, q_lora_rank=192, kv_lora_rank=128,
                        qk_nope_head_dim=32, qk_rope_head_dim=32, v_head_dim=32,
                        intermediate_size=1408, moe_intermediate_size=256),
}


def timed(fn, runs):
    fn()  # warm-up (plans, caches)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3, float(np.min(times)) * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--models", default=",".join(BENCH_SIZES))
    ap.add_argument("--size", choices=["bench", "test"], default="bench")
    args = ap.parse_args()

    print(f"threads={args.threads} batch={args.batch} seq={args.seq} runs={args.runs} "
          f"(median ms; ratio = ds / onnxruntime)")
    print(f"{'model':18} {'params':>9} {'ds ms':>9} {'ort ms':>9} {'ratio':>6}  kind")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            cfg = dsgen.CONFIGS[name]
            if args.size == "bench":
                cfg = dataclasses.replace(cfg, **BENCH_SIZES[name])
            model = dsgen.build(cfg)
            path = os.path.join(tmp, name + ".onnx")
            dsgen.save(model, path)
            bundle = dsc.compile(path, os.path.join(tmp, name + ".dsb"))
            session = dsc.Session(bundle, device="cpu", threads=args.threads)
            so = ort.SessionOptions()
            so.intra_op_num_threads = args.threads
            so.inter_op_num_threads = 1
            reference = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            rng = np.random.default_rng(0)
            feeds = {"input_ids": rng.integers(0, cfg.vocab_size, (args.batch, args.seq),
                                               dtype=np.int64),
                     "attention_mask": np.ones((args.batch, args.seq), np.int64)}
            (a,) = session.run(None, feeds)
            (b,) = reference.run(None, feeds)
            err = float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-30))
            ds_ms, _ = timed(lambda: session.run(None, feeds), args.runs)
            ort_ms, _ = timed(lambda: reference.run(None, feeds), args.runs)
            kind = "dense" if cfg.arch == "llama" else "MoE (dense-equivalent export)"
            print(f"{name:18} {dsgen.count_params(model) / 1e6:8.1f}M {ds_ms:9.2f} "
                  f"{ort_ms:9.2f} {ds_ms / ort_ms:6.2f}  {kind}; max rel err {err:.1e}")


if __name__ == "__main__":
    main()
