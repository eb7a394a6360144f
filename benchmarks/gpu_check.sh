#!/usr/bin/env bash
# One short GPU slot (< 10 minutes): install the carried wheels, run the gpu-marked tests, the
# Fig-3 benchmark and the scaling benchmark on cuda_standalone (with cpp_standalone as the
# same-machine baseline for Fig 3), and put everything into one results folder.
#
# Usage on the lent machine, from the repository root, with the wheels in shared/wheels or $WHEELS:
#   bash benchmarks/gpu_check.sh [RESULTS_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-${OUT:-benchmarks/results/gpu}}
WHEELS=${WHEELS:-shared/wheels}
mkdir -p "$OUT"
SITE=$(mktemp -d)
python3 -m pip install --no-deps --target "$SITE" "$WHEELS"/brian2-2.10.1-*.whl "$WHEELS"/brian2cuda-1.0b1-*.whl \
  > "$OUT/install.log" 2>&1 || { echo "wheel install failed; see $OUT/install.log"; exit 1; }
export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
nvidia-smi -L | tee "$OUT/gpu.txt"
# make -j for nvcc
export MAKEFLAGS="-j$(nproc)"
timeout 240 python3 -m pytest -q -p no:cacheprovider -m gpu tests 2>&1 | tee "$OUT/gpu_tests.log"
timeout 200 python3 benchmarks/fig3_circuit.py --backends cuda_standalone cpp_standalone --repeats 1 --out "$OUT" \
  2>&1 | tee "$OUT/fig3.log"
timeout 200 python3 benchmarks/scaling.py --backends cuda_standalone --sizes 10000 125000 --repeats 1 --out "$OUT" \
  2>&1 | tee "$OUT/scaling.log"
ls -l "$OUT"
