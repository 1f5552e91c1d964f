#!/usr/bin/env bash
# Builds ds and runs every test suite: lit (dialect, importer, passes, bundles), the
# runtime's gtest unit tests, pytest (dsc, models, dsgen) and the ONNX node-test
# conformance run on the cpu backend and on the emulator (generated CUDA kernels).
# Ends with one line `N passed, M failed, K skipped`; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" || { echo "0 passed, 1 failed (build failed)"; exit 1; }

mkdir -p "$build/test-results"
lit_json="$build/test-results/lit.json"
pytest_xml="$build/test-results/pytest.xml"
gtest_xml="$build/test-results/gtest.xml"
conformance_json="$build/test-results/conformance.json"
conformance_emulate_json="$build/test-results/conformance-emulate.json"
rm -f "$lit_json" "$pytest_xml" "$gtest_xml" "$conformance_json" "$conformance_emulate_json"

/usr/lib/llvm-22/bin/lit -sv --time-tests -j"${DS_JOBS:-$(nproc)}" \
  -o "$lit_json" "$build/test"
PYTHONPATH="$root/python" DS_BUILD_DIR="$build" "$root/.venv/bin/python" -m pytest -q \
  -p no:cacheprovider --junitxml="$pytest_xml" "$root/test/python"

"$build/bin/ds-runtime-tests" --gtest_brief=1 --gtest_output="xml:$gtest_xml"
echo "== ONNX node-test conformance (cpu)"
DS_BUILD_DIR="$build" "$root/.venv/bin/python" "$root/test/Conformance/node_conformance.py" \
  --device=cpu --json="$conformance_json"
# The same tests through the generated CUDA kernels on the emulator; DS_EMULATE_STRICT
# makes a step without a generated kernel fail instead of falling back to the cpu.
echo "== ONNX node-test conformance (emulate: generated CUDA kernels)"
DS_EMULATE_STRICT=1 DS_BUILD_DIR="$build" "$root/.venv/bin/python" \
  "$root/test/Conformance/node_conformance.py" --device=emulate --json="$conformance_emulate_json"

"$root/.venv/bin/python" "$root/scripts/summarize_tests.py" --lit "$lit_json" \
  --junit pytest="$pytest_xml" --junit gtest="$gtest_xml" --conformance conformance="$conformance_json" \
  --conformance conformance-emulate="$conformance_emulate_json"
