#!/usr/bin/env bash
# Builds ds and runs every test suite: lit (dialect, importer, passes) and pytest.
# Ends with one line `N passed, M failed, K skipped`; exits non-zero on any failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DS_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" || { echo "0 passed, 1 failed (build failed)"; exit 1; }

mkdir -p "$build/test-results"
lit_json="$build/test-results/lit.json"
pytest_xml="$build/test-results/pytest.xml"
rm -f "$lit_json" "$pytest_xml"

/usr/lib/llvm-22/bin/lit -sv --time-tests -j"${DS_JOBS:-$(nproc)}" \
  -o "$lit_json" "$build/test"
PYTHONPATH="$root/python" DS_BUILD_DIR="$build" "$root/.venv/bin/python" -m pytest -q \
  -p no:cacheprovider --junitxml="$pytest_xml" "$root/test/python"

"$root/.venv/bin/python" "$root/scripts/summarize_tests.py" "$lit_json" "$pytest_xml"
