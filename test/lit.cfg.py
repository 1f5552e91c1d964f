# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "DS"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ds_obj_root, "test")
# Helpers imported by the .py tests, and pytest-only files, are not lit tests.
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "onnx_testing.py", "onnx_node_suite.py", "python",
                   "Conformance",
                   "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%ds_src", config.ds_src_root))
config.substitutions.append(("%ds_obj", config.ds_obj_root))
config.substitutions.append(("%onnx_max_opset", config.onnx_max_opset))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

config.environment["PYTHONPATH"] = os.pathsep.join(
    [os.path.join(config.ds_src_root, "test", "Import", "onnx"),
     os.path.join(config.ds_src_root, "python")])
config.environment["DS_OPT"] = os.path.join(config.ds_tools_dir, "ds-opt")
config.environment["DS_RUN"] = os.path.join(config.ds_tools_dir, "ds-run")

tool_dirs = [config.ds_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["ds-opt", "ds-run", "not", "count", "split-file"], tool_dirs)
