# End to end: bundles of the generated models, with dynamic dims and with a static plan
# (--input-shape), run with ds-run and match onnxruntime on the same inputs (a padded
# attention mask included). A wrong memory plan, a bad operand order or a broken
# elementwise program shows up here as wrong logits.
# RUN: rm -rf %t && %python -m dsgen --out %t > /dev/null
# RUN: %python %s %t
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort

out = sys.argv[1]
tools = os.path.dirname(os.environ["DS_OPT"])
ds_opt, ds_run = os.environ["DS_OPT"], os.path.join(tools, "ds-run")
rng = np.random.default_rng(1)
failures = []
for name in ("llama_gqa", "deepseek_v2_lite", "deepseek_v3"):
    model = os.path.join(out, name + ".onnx")
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    vocab = session.get_outputs()[0].shape[-1]
    for batch, seq in ((2, 5), (1, 7)):
        ids = rng.integers(0, vocab, size=(batch, seq)).astype(np.int64)
        mask = np.ones((batch, seq), dtype=np.int64)
        mask[-1, :batch - 1] = 0  # left padding in the last row when batch > 1
        ref = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        case = os.path.join(out, f"{name}-{batch}x{seq}")
        np.save(case + "-ids.npy", ids)
        np.save(case + "-mask.npy", mask)
        np.save(case + "-ref.npy", ref)
        for kind, extra in (("dynamic", []),
                            ("static", [f"--input-shape=input_ids:{batch}x{seq},"
                                        f"attention_mask:{batch}x{seq}"])):
            bundle = f"{case}-{kind}.dsb"
            r = subprocess.run([ds_opt, model, "--emit=bundle", "-o", bundle, *extra],
                               capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"{bundle}: emission failed:\n{r.stderr}")
                continue
            r = subprocess.run([ds_run, bundle, f"--input=input_ids=@{case}-ids.npy",
                                f"--input=attention_mask=@{case}-mask.npy",
                                f"--expected-output=@{case}-ref.npy", "--rtol=1e-3",
                                "--atol=1e-4", "--threads=1"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                failures.append(f"{bundle}: ds-run does not match onnxruntime:\n"
                                f"{(r.stdout + r.stderr)[-1500:]}")
if failures:
    sys.exit("\n".join(failures))
print("ok")
