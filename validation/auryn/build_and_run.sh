#!/usr/bin/env bash
# Build the Auryn reference drivers against a given Auryn and spikingburstprop checkout, run
# them, and convert their outputs into validation/reference_data (or OUT_DIR).
#
# usage: build_and_run.sh AURYN_DIR SPIKINGBURSTPROP_DIR [OUT_DIR]
#
# AURYN_DIR must hold a built libauryn.a (the usual recipe:
#   cd AURYN_DIR/build/release && ./bootstrap.sh && make auryn).
# Environment (all optional):
#   BUILD_DIR       scratch directory for objects, binaries, protocols and raw outputs
#                   (default: ${TMPDIR:-/tmp}/auryn_reference_build; nothing is built in the repo)
#   CXX             MPI C++ compiler (default mpicxx)
#   CXXFLAGS        default "-O2 -std=c++11 -ffast-math -march=native -DNDEBUG"
#   PYTHON          python with numpy (default: the repo's .venv if present, else python3)
#   NETWORK_RASTER  Auryn raster of the first pyramidal layer of a sim_propagation run
#                   (propagation.0.ras1_seed1); without it a synthetic bursty raster is used
#   NETWORK_BRATE   that run's BurstRateMonitor file for the same layer (propagation.0.brate1_seed1):
#                   the whole raster is then also replayed with 50 ms bins and compared with it
#   AURYN_COMMIT, SPIKINGBURSTPROP_COMMIT  commit ids to record when the checkouts are not git
#                   work trees
set -euo pipefail

if [ $# -lt 2 ]; then
	sed -n '2,25p' "$0"
	exit 2
fi
AURYN_DIR=$(cd "$1" && pwd)
SBP_DIR=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT_DIR=${3:-$HERE/../reference_data}
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
BUILD_DIR=${BUILD_DIR:-${TMPDIR:-/tmp}/auryn_reference_build}
CXX=${CXX:-mpicxx}
CXXFLAGS=${CXXFLAGS:--O2 -std=c++11 -ffast-math -march=native -DNDEBUG}
if [ -z "${PYTHON:-}" ]; then
	if [ -x "$REPO/.venv/bin/python" ]; then PYTHON="$REPO/.venv/bin/python"; else PYTHON=python3; fi
fi

LIB="$AURYN_DIR/build/release/src/libauryn.a"
if [ ! -f "$LIB" ]; then
	echo "error: $LIB not found; build it with: cd $AURYN_DIR/build/release && ./bootstrap.sh && make auryn" >&2
	exit 1
fi
if [ ! -f "$SBP_DIR/src/STPeTMConnection.cpp" ]; then
	echo "error: $SBP_DIR/src/STPeTMConnection.cpp not found" >&2
	exit 1
fi

mkdir -p "$BUILD_DIR/obj" "$BUILD_DIR/bin" "$BUILD_DIR/raw"
INC="-I$AURYN_DIR/src -I$AURYN_DIR/src/auryn -I$SBP_DIR/src -I$HERE"
LDLIBS="$LIB -lboost_program_options -lboost_serialization -lboost_mpi -lboost_system -lboost_filesystem"

echo "== compiling (one compiler process at a time)"
# the authors' STP class is compiled from their checkout into the scratch directory
$CXX $CXXFLAGS $INC -c "$SBP_DIR/src/STPeTMConnection.cpp" -o "$BUILD_DIR/obj/STPeTMConnection.o" 2>"$BUILD_DIR/obj/STPeTMConnection.log" \
	|| { cat "$BUILD_DIR/obj/STPeTMConnection.log"; exit 1; }
for d in naud_single adex_single stp_connection burst_monitor_replay; do
	$CXX $CXXFLAGS $INC -c "$HERE/$d.cpp" -o "$BUILD_DIR/obj/$d.o" 2>"$BUILD_DIR/obj/$d.log" \
		|| { cat "$BUILD_DIR/obj/$d.log"; exit 1; }
	extra=""
	[ "$d" = stp_connection ] && extra="$BUILD_DIR/obj/STPeTMConnection.o"
	$CXX "$BUILD_DIR/obj/$d.o" $extra $LDLIBS -o "$BUILD_DIR/bin/$d"
	echo "   built $d"
done

echo "== writing protocols"
rm -rf "$BUILD_DIR/protocols"
NET_ARGS=()
if [ -n "${NETWORK_RASTER:-}" ]; then
	NET_ARGS+=(--network-raster "$NETWORK_RASTER")
	[ -n "${NETWORK_BRATE:-}" ] && NET_ARGS+=(--network-brate "$NETWORK_BRATE")
fi
"$PYTHON" "$HERE/make_protocols.py" "$BUILD_DIR/protocols" "${NET_ARGS[@]+"${NET_ARGS[@]}"}"

echo "== running drivers"
for d in naud_single adex_single stp_connection burst_monitor_replay; do
	rm -rf "$BUILD_DIR/raw/$d"
	mkdir -p "$BUILD_DIR/raw/$d"
	"$BUILD_DIR/bin/$d" "$BUILD_DIR/protocols/$d/protocol.txt" "$BUILD_DIR/raw/$d" >"$BUILD_DIR/raw/$d/stdout.txt" 2>&1 \
		|| { cat "$BUILD_DIR/raw/$d/stdout.txt"; exit 1; }
	echo "   ran $d"
done

echo "== provenance"
commit_of() {  # dir, fallback
	if git -C "$1" rev-parse HEAD >/dev/null 2>&1; then git -C "$1" rev-parse HEAD; else echo "${2:-unknown}"; fi
}
LIBFLAGS=$(sed -n 's/^CMAKE_CXX_FLAGS_RELEASE:STRING=//p' "$AURYN_DIR/build/release/CMakeCache.txt" 2>/dev/null || true)
LIBEXTRA=$(sed -n 's/^SET(CMAKE_CXX_FLAGS_RELEASE "${CMAKE_CXX_FLAGS_RELEASE} \(.*\)")/\1/p' "$AURYN_DIR/CMakeLists.txt" 2>/dev/null || true)
CPU=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
"$PYTHON" - "$BUILD_DIR/meta.json" <<EOF
import json, sys
json.dump({
    "auryn_commit": "$(commit_of "$AURYN_DIR" "${AURYN_COMMIT:-}")",
    "spikingburstprop_commit": "$(commit_of "$SBP_DIR" "${SPIKINGBURSTPROP_COMMIT:-}")",
    "driver_cxx": "$($CXX --version 2>/dev/null | head -1)",
    "driver_cxxflags": "$CXXFLAGS",
    "libauryn_cxxflags": "$LIBFLAGS $LIBEXTRA",
    "cpu": "$CPU",
    "network_raster": "$(basename "${NETWORK_RASTER:-none}")",
}, open(sys.argv[1], "w"), indent=1)
EOF

echo "== converting to $OUT_DIR"
CONV_ARGS=(--meta "$BUILD_DIR/meta.json")
[ -n "${NETWORK_BRATE:-}" ] && CONV_ARGS+=(--network-brate "$NETWORK_BRATE")
"$PYTHON" "$HERE/convert_outputs.py" "$BUILD_DIR/protocols" "$BUILD_DIR/raw" "$OUT_DIR" "${CONV_ARGS[@]}"
"$PYTHON" "$HERE/check_reference.py" "$OUT_DIR"
echo "== done"
