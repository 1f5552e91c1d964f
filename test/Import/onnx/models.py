# Every generated DeepSeek-style model imports to verified ds IR with dynamic batch and
# sequence dims, and folds to fully static types once --input-shape fixes them.
# RUN: %python -m dsgen --out %t > /dev/null
# RUN: ds-opt %t/llama_gqa.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/deepseek_v2_lite.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/deepseek_v3.onnx | FileCheck %s --check-prefix=DYN
# RUN: ds-opt %t/deepseek_v3.onnx --input-shape=input_ids:2x5,attention_mask:2x5 --ds-optimize | FileCheck %s --check-prefix=STATIC
# RUN: ds-opt %t/llama_gqa.onnx --input-shape=input_ids:1x7,attention_mask:1x7 --ds-optimize | FileCheck %s --check-prefix=STATIC
# RUN: %python %s %t

# DYN-LABEL: func.func @main
# DYN-SAME: tensor<?x?xi64> {ds.dims = ["batch", "sequence"], ds.name = "input_ids"}
# DYN-SAME: -> (tensor<?x?x{{[0-9]+}}xf32> {{{.*}}ds.name = "logits"})

# With all input dims fixed, no dynamic dim survives and no shape computation is left.
# STATIC-LABEL: func.func @main
# STATIC-SAME: -> (tensor<{{[0-9]+}}x{{[0-9]+}}x{{[0-9]+}}xf32> {{{.*}}ds.name = "logits"})
# STATIC-NOT: ?x
# STATIC-NOT: ds.shape_of

import os
import subprocess
import sys

# Older opset forms (attribute axes, Split sizes) import too.
import dsgen

out = sys.argv[1]
for name in dsgen.CONFIGS:
    for opset in (13, 21):
        path = os.path.join(out, f"{name}_opset{opset}.onnx")
        dsgen.save(dsgen.build(name, opset=opset), path)
        r = subprocess.run([os.environ["DS_OPT"], path], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{path} failed to import:\n{r.stderr}")
print("ok")
