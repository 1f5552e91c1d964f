#!/usr/bin/env bash
# The GPU suite (docs/cuda.md, "GPU suite"), for a machine with an NVIDIA GPU, the CUDA
# toolkit and CMake but no LLVM: builds the runtime alone, runs bundles compiled elsewhere
# (scripts/gpu_suite_prepare.sh) on the cuda device against the recorded cpu outputs, runs
# compute-sanitizer memcheck and racecheck on them, runs the GPU benchmarks (p50 latency per
# case, then every executable bench/gpu_*: bench/gpu_kernels.py per-kernel GB/s and TFLOP/s
# against the measured copy bandwidth, bench/gpu_models.py ds vs PyTorch eager), and writes
# everything under the output directory (results.md: device, date, pass/fail per case).
#
#   scripts/gpu_suite.sh [--suite DIR] [--out DIR] [--build-dir DIR] [--dry-run]
#                        [--skip-build] [--no-sanitizer] [--no-bench] [--bench-runs N]
#                        [--rtol R] [--atol A] [--cases PATTERN]
#
#   --suite DIR      the prepared directory (default out/gpu_suite)
#   --out DIR        results (default $OUT when set, else out/gpu_results)
#   --build-dir DIR  runtime build directory (default build-gpu)
#   --dry-run        check the suite's files and the tools, print the plan; needs no GPU
#   --skip-build     use the existing build directory
#   --no-sanitizer   skip compute-sanitizer
#   --no-bench       skip benchmarks
#   --bench-runs N   ds-run --benchmark runs per case and device (default 20)
#   --rtol/--atol    tolerances of the comparison (default 1e-3 / 1e-4: GPU math differs
#                    from the cpu's in the last bits, accumulated over layers)
#   --cases PATTERN  only cases whose "model/case" matches the shell glob PATTERN
# Exit status: 0 when every case passed (or the dry run found everything), 1 otherwise.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
suite=$root/out/gpu_suite
out=${OUT:-$root/out/gpu_results}
build=$root/build-gpu
dry_run=0 skip_build=0 sanitizer=1 bench=1 bench_runs=20
rtol=1e-3 atol=1e-4 pattern='*'

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "gpu_suite: $*" >&2; exit 2; }
value() {  # value FLAG "$@": the flag's argument (--flag=V or --flag V)
  case "$2" in *=*) echo "${2#*=}" ;; *) [ $# -ge 3 ] || die "$1 needs a value"; echo "$3" ;; esac
}
while [ $# -gt 0 ]; do
  arg=$1
  case "$arg" in
    --suite|--suite=*|--out|--out=*|--build-dir|--build-dir=*|--bench-runs|--bench-runs=*|\
    --rtol|--rtol=*|--atol|--atol=*|--cases|--cases=*)
      v=$(value "${arg%%=*}" "$@") || exit 2
      case "$arg" in *=*) shift ;; *) shift 2 ;; esac
      case "${arg%%=*}" in
        --suite) suite=$v ;; --out) out=$v ;; --build-dir) build=$v ;;
        --bench-runs) bench_runs=$v ;; --rtol) rtol=$v ;; --atol) atol=$v ;; --cases) pattern=$v ;;
      esac ;;
    --dry-run) dry_run=1; shift ;;
    --skip-build) skip_build=1; shift ;;
    --no-sanitizer) sanitizer=0; shift ;;
    --no-bench) bench=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done
[[ $bench_runs =~ ^[1-9][0-9]*$ ]] || die "--bench-runs must be a positive integer, got '$bench_runs'"
for t in "$rtol" "$atol"; do
  [[ $t =~ ^[0-9.eE+-]+$ ]] || die "tolerance '$t' is not a number"
done
[ -d "$suite" ] || die "no suite directory '$suite' (make one with scripts/gpu_suite_prepare.sh)"
suite=$(cd "$suite" && pwd)
[ -f "$suite/cases.tsv" ] || die "$suite has no cases.tsv (not made by scripts/gpu_suite_prepare.sh?)"

# ---- the suite's files -----------------------------------------------------------------
problems=0
ncases=0
declare -a case_model case_name case_bundle case_nin case_nout
while IFS=$'\t' read -r model name bundle nin nout; do
  [ -n "$model" ] || continue
  # shellcheck disable=SC2053
  [[ "$model/$name" == $pattern ]] || continue
  dir="$suite/$model/$name"
  for f in manifest.json steps.json weights.bin; do
    [ -f "$suite/$bundle/$f" ] || { echo "missing: $suite/$bundle/$f"; problems=$((problems + 1)); }
  done
  [[ $nin =~ ^[0-9]+$ && $nout =~ ^[0-9]+$ ]] ||
    { echo "cases.tsv: bad counts for $model/$name: '$nin' '$nout'"; problems=$((problems + 1)); continue; }
  for ((k = 0; k < nin; k++)); do
    [ -f "$dir/in_$k.npy" ] || { echo "missing: $dir/in_$k.npy"; problems=$((problems + 1)); }
  done
  for ((k = 0; k < nout; k++)); do
    [ -f "$dir/expected_$k.npy" ] || { echo "missing: $dir/expected_$k.npy"; problems=$((problems + 1)); }
  done
  case_model[ncases]=$model case_name[ncases]=$name case_bundle[ncases]=$suite/$bundle
  case_nin[ncases]=$nin case_nout[ncases]=$nout
  ncases=$((ncases + 1))
done < "$suite/cases.tsv"
[ "$ncases" -gt 0 ] || { echo "no case of $suite/cases.tsv matches '$pattern'"; problems=$((problems + 1)); }

tool() { command -v "$1" 2>/dev/null || { [ -x "/usr/local/cuda/bin/$1" ] && echo "/usr/local/cuda/bin/$1"; }; }
cmake_bin=$(tool cmake) nvsmi=$(tool nvidia-smi) sanitizer_bin=$(tool compute-sanitizer) ninja_bin=$(tool ninja)
third_party=""
if [ ! -f /usr/include/nlohmann/json.hpp ] && [ ! -f /usr/local/include/nlohmann/json.hpp ]; then
  if [ -f "$suite/third_party/nlohmann/json.hpp" ]; then
    third_party=$suite/third_party
  else
    echo "missing: nlohmann/json.hpp (neither installed nor in $suite/third_party)"; problems=$((problems + 1))
  fi
fi
[ -n "$cmake_bin" ] || { echo "missing: cmake"; [ $dry_run = 1 ] || problems=$((problems + 1)); }
# The benchmark-size bundles of bench/gpu_models.py (optional: bench.tsv may be absent or empty).
nbench=0
if [ -f "$suite/bench.tsv" ]; then
  while IFS=$'\t' read -r model bundle config; do
    [ -n "$model" ] || continue
    for f in "$bundle/manifest.json" "$bundle/steps.json" "$bundle/weights.bin" "$config"; do
      [ -f "$suite/$f" ] || { echo "missing: $suite/$f"; problems=$((problems + 1)); }
    done
    nbench=$((nbench + 1))
  done < "$suite/bench.tsv"
fi
# Benchmarks of bench/: every executable gpu_* (each gets DS_BUILD_DIR, DS_SUITE_DIR, OUT,
# DS_BENCH_RUNS).
bench_scripts=()
for b in "$root"/bench/gpu_*; do
  [ -f "$b" ] && [ -x "$b" ] && bench_scripts+=("$b")
done

case_args() {  # case_args I KIND: --input / --expected-output flags of case I
  local i=$1 kind=$2 k dir="$suite/${case_model[$1]}/${case_name[$1]}"
  for ((k = 0; k < case_nin[i]; k++)); do printf '%s\n' "--input=@$dir/in_$k.npy"; done
  if [ "$kind" = check ]; then
    for ((k = 0; k < case_nout[i]; k++)); do printf '%s\n' "--expected-output=@$dir/expected_$k.npy"; done
  fi
}

if [ $dry_run = 1 ]; then
  echo "gpu_suite dry run: $ncases case(s) from $suite, $problems problem(s)"
  echo "tools: cmake=${cmake_bin:-none} ninja=${ninja_bin:-none} nvidia-smi=${nvsmi:-none} compute-sanitizer=${sanitizer_bin:-none}"
  echo "plan:"
  echo "  build: cmake -S $root -B $build -DDS_BUILD_COMPILER=OFF -DDS_BUILD_PYTHON=OFF${third_party:+ -DDS_THIRD_PARTY_DIR=$third_party}"
  for ((i = 0; i < ncases; i++)); do
    echo "  ${case_model[i]}/${case_name[i]}: ds-run ${case_bundle[i]} --device=cuda $(case_args "$i" check | tr '\n' ' ')--rtol=$rtol --atol=$atol"
  done
  [ $sanitizer = 1 ] && echo "  compute-sanitizer --tool memcheck|racecheck on each case${sanitizer_bin:+}"
  if [ $bench = 1 ]; then
    echo "  benchmarks: ds-run --benchmark=$bench_runs on cuda and cpu per case"
    for b in "${bench_scripts[@]}"; do
      echo "  $(basename "$b"): DS_BUILD_DIR=$build DS_SUITE_DIR=$suite OUT=$out/bench DS_BENCH_RUNS=$bench_runs $b"
      echo "      $(sed -n '2p' "$b" | sed 's/^"""//') -> $out/bench/$(basename "${b%.*}").{md,json}"
    done
    echo "      benchmark-size bundles (bench.tsv): $nbench"
    py=$(command -v python3 || echo none)
    if [ "$py" != none ]; then
      echo "      python3: $py; numpy: $("$py" -c 'import numpy; print(numpy.__version__)' 2>/dev/null || echo no)," \
           "torch: $("$py" -c 'import torch; print(torch.__version__, "cuda" if torch.cuda.is_available() else "no cuda")' 2>/dev/null || echo no)" \
           "(on this machine)"
    else
      echo "      python3: none (the bench/gpu_*.py scripts need it)"
    fi
  fi
  [ $problems = 0 ] && exit 0 || exit 1
fi
[ $problems = 0 ] || die "$problems problem(s) with the suite's files (see above; --dry-run lists them)"

# ---- on the GPU machine ----------------------------------------------------------------
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/suite.log
: > "$log"
say() { echo "$*" | tee -a "$log"; }
[ -n "$nvsmi" ] || die "nvidia-smi not found: this is not a machine with an NVIDIA GPU (--dry-run checks files only)"
gpu=$("$nvsmi" --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>>"$log" | head -1)
[ -n "$gpu" ] || die "nvidia-smi lists no GPU"
"$nvsmi" > "$out/nvidia-smi.txt" 2>&1
nvcc_version=$( (tool nvcc >/dev/null && "$(tool nvcc)" --version | tail -1) || echo "nvcc not found")
say "device: $gpu"
say "toolkit: $nvcc_version"

if [ $skip_build = 0 ]; then
  say "== build ($build)"
  gen=()
  [ -n "$ninja_bin" ] && gen=(-G Ninja)
  "$cmake_bin" -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DDS_BUILD_COMPILER=OFF \
    -DDS_BUILD_PYTHON=OFF ${third_party:+-DDS_THIRD_PARTY_DIR=$third_party} > "$out/build.log" 2>&1 &&
    "$cmake_bin" --build "$build" -j"$(nproc)" >> "$out/build.log" 2>&1 ||
    { tail -30 "$out/build.log"; die "the runtime build failed (see $out/build.log)"; }
fi
ds_run=$build/bin/ds-run
[ -x "$ds_run" ] || die "no ds-run in $build/bin"

# The host unit tests when gtest was found. The driver is hidden from them: tests that
# expect "auto" to pick cpu hold; cuda_backend_test loads its fake driver by itself.
unit="not built (no gtest)"
if [ -x "$build/bin/ds-runtime-tests" ]; then
  if DS_CUDA_DRIVER_LIBRARY=/nonexistent "$build/bin/ds-runtime-tests" > "$out/unit-tests.log" 2>&1; then
    unit="pass ($(grep -o '[0-9]* tests\? from [0-9]* test suites\? ran' "$out/unit-tests.log" | tail -1))"
  else
    unit="FAIL (see unit-tests.log)"
  fi
fi
say "unit tests: $unit"

declare -a result_check result_memcheck result_racecheck result_cuda_ms result_cpu_ms
failures=0
mapfile_args() { mapfile -t "$1" < <(case_args "$2" "$3"); }
for ((i = 0; i < ncases; i++)); do
  id="${case_model[i]}/${case_name[i]}"
  cdir="$out/cases/${case_model[i]}_${case_name[i]}"
  mkdir -p "$cdir"
  mapfile_args check_args "$i" check
  mapfile_args run_args "$i" run
  say "== $id"
  if "$ds_run" "${case_bundle[i]}" --device=cuda "${check_args[@]}" --rtol="$rtol" --atol="$atol" \
       > "$cdir/cuda.log" 2>&1; then
    result_check[i]=pass
  else
    result_check[i]=FAIL
    failures=$((failures + 1))
    sed -n '1,5p' "$cdir/cuda.log" | tee -a "$log"
  fi
  result_memcheck[i]=skipped result_racecheck[i]=skipped
  if [ $sanitizer = 1 ] && [ -n "$sanitizer_bin" ] && [ "${result_check[i]}" = pass ]; then
    for t in memcheck racecheck; do
      if "$sanitizer_bin" --tool "$t" --error-exitcode 1 "$ds_run" "${case_bundle[i]}" --device=cuda \
           "${run_args[@]}" > "$cdir/$t.log" 2>&1; then
        r=pass
      else
        r=FAIL
        failures=$((failures + 1))
      fi
      [ $t = memcheck ] && result_memcheck[i]=$r || result_racecheck[i]=$r
    done
  elif [ $sanitizer = 1 ] && [ -z "$sanitizer_bin" ]; then
    result_memcheck[i]="no compute-sanitizer" result_racecheck[i]="no compute-sanitizer"
  fi
  result_cuda_ms[i]=- result_cpu_ms[i]=-
  if [ $bench = 1 ] && [ "${result_check[i]}" = pass ]; then
    for dev in cuda cpu; do
      if "$ds_run" "${case_bundle[i]}" --device=$dev "${run_args[@]}" --benchmark="$bench_runs" \
           > "$cdir/bench-$dev.log" 2>&1; then
        ms=$(sed -n 's/.*p50 \([0-9.]*\).*/\1/p' "$cdir/bench-$dev.log" | head -1)
      else
        ms=error
      fi
      [ $dev = cuda ] && result_cuda_ms[i]=${ms:-?} || result_cpu_ms[i]=${ms:-?}
    done
  fi
  say "   check ${result_check[i]}, memcheck ${result_memcheck[i]}, racecheck ${result_racecheck[i]}, p50 ms cuda ${result_cuda_ms[i]} cpu ${result_cpu_ms[i]}"
done

# Benchmarks of bench/: executables named gpu_* get the build and suite directories.
bench_lines=()
if [ $bench = 1 ]; then
  for b in "${bench_scripts[@]}"; do
    name=$(basename "$b")
    mkdir -p "$out/bench"
    say "== $name"
    if DS_BUILD_DIR=$build DS_SUITE_DIR=$suite OUT=$out/bench DS_BENCH_RUNS=$bench_runs "$b" \
         > "$out/bench/$name.log" 2>&1; then
      bench_lines+=("| $name | pass | bench/$name.log |")
    else
      bench_lines+=("| $name | FAIL | bench/$name.log |")
      failures=$((failures + 1))
    fi
  done
fi

{
  echo "# GPU suite results"
  echo
  echo "- device: $gpu"
  echo "- toolkit: $nvcc_version"
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- suite: $(sed -n 's/^commit: /prepared at /p' "$suite/prepared.txt" 2>/dev/null) ($ncases cases)"
  echo "- tolerances: rtol $rtol, atol $atol; unit tests: $unit"
  echo
  echo "| case | cuda vs cpu | memcheck | racecheck | cuda p50 ms | cpu p50 ms |"
  echo "|---|---|---|---|---|---|"
  for ((i = 0; i < ncases; i++)); do
    echo "| ${case_model[i]}/${case_name[i]} | ${result_check[i]} | ${result_memcheck[i]} | ${result_racecheck[i]} | ${result_cuda_ms[i]} | ${result_cpu_ms[i]} |"
  done
  if [ ${#bench_lines[@]} -gt 0 ]; then
    echo
    echo "| benchmark | status | log |"
    echo "|---|---|---|"
    printf '%s\n' "${bench_lines[@]}"
    # The benchmarks' own reports (gpu_kernels.md, gpu_models.md), one level down.
    for md in "$out"/bench/*.md; do
      [ -f "$md" ] || continue
      echo
      sed 's/^# /## /' "$md"
    done
  fi
  echo
  echo "Logs per case: cases/MODEL_CASE/{cuda,memcheck,racecheck,bench-*}.log; build.log; nvidia-smi.txt."
} > "$out/results.md"
say "results: $out/results.md ($failures failure(s))"
[ $failures = 0 ]
