#!/usr/bin/env bash
# Installs every system and Python dependency of ds. Safe to run repeatedly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(
  cmake ninja-build g++ ccache lld
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  protobuf-compiler libprotobuf-dev
  nlohmann-json3-dev libopenblas-dev libgtest-dev python3-dev
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q "${missing[@]}"
fi

python=${PYTHON:-python3}
if [ ! -x "$root/.venv/bin/python" ]; then
  "$python" -m venv "$root/.venv"
fi
"$root/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$root/requirements.txt"
# The repo's python/ (dsgen, later dsc) is importable from the venv without installing.
site=$("$root/.venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
echo "$root/python" > "$site/ds-repo.pth"
echo "setup: done"
