#!/usr/bin/env bash
# One short GPU slot (under 10 minutes): install the carried wheels, run the Fig-3 benchmark, a
# slice of the XOR run and the scaling benchmark on cuda_standalone (1.25e5 cells: 1e5 pyramids + 2.5e4 interneurons, the
# H100 target size, 5e7 synapses at the circuit's in-degrees; then 2.5e5 cells, 1e8 synapses),
# then the gpu-marked tests (cpp_standalone vs cuda_standalone: spikes on precomputed inputs,
# rates with device random numbers), and put everything into one results folder.
#
# The lent machine has no network and no brian2: carry the wheels in .whl/ (git-ignored). Here:
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl brian2==2.10.1
#   python3 -m pip download --no-deps -d .whl brian2cuda==1.0b1
# There, from the repository root:
#   bash benchmarks/gpu_check.sh [RESULTS_DIR]        (default: $OUT, else benchmarks/results/gpu)
#
# Every step gets at most what is left of a 560 s deadline (compiles: ~60 kernels of ~11 s of one
# core each, run in parallel by make -j), so the script ends inside a 600 s device call with
# whatever finished written out.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
deadline=$((start + ${GPU_CHECK_SECONDS:-560}))
OUT=${1:-${OUT:-benchmarks/results/gpu}}
WHEELS=${WHEELS:-.whl}
mkdir -p "$OUT"
SITE=$(mktemp -d)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$SITE" \
  "$WHEELS"/brian2-2.10.1-*.whl "$WHEELS"/brian2cuda-1.0b1-*.whl > "$OUT/install.log" 2>&1 \
  || { echo "wheel install failed; see $OUT/install.log"; exit 1; }
export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
nvidia-smi -L | tee "$OUT/gpu.txt"
nproc >> "$OUT/gpu.txt"

left() {  # seconds left before the deadline, at most $1
  local rest=$((deadline - $(date +%s)))
  if [ "$rest" -gt "$1" ]; then echo "$1"; else echo "$rest"; fi
}
step() {  # step NAME MAX_SECONDS COMMAND...
  local name=$1 max=$2; shift 2
  local t
  t=$(left "$max")
  if [ "$t" -lt 20 ]; then echo "skipped $name: no time left" | tee -a "$OUT/skipped.txt"; return; fi
  echo "== $name (up to $t s)"
  timeout "$t" "$@" > "$OUT/$name.log" 2>&1
  echo "$name: exit $? after $(( $(date +%s) - start )) s" | tee -a "$OUT/steps.txt"
  tail -5 "$OUT/$name.log"
}
step fig3 150 python3 benchmarks/fig3_circuit.py --backends cuda_standalone --repeats 3 --out "$OUT"
# the XOR network (issue 14), one seed, 2 training epochs segment by segment: per-segment speed
# on the GPU (the figure JSON's segment_records hold each segment's wall time)
step xor 200 python3 figures/payeur2021_fig4_xor.py --backend cuda_standalone --seeds 1 --epochs 2 --out "$OUT/xor"
step scaling 270 python3 benchmarks/scaling.py --backends cuda_standalone --sizes 125000 250000 --repeats 1 --out "$OUT"
step gpu_tests 200 python3 -m pytest -q -p no:cacheprovider -m gpu tests
ls -l "$OUT"
