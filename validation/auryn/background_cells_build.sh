#!/bin/bash
# Build validation/auryn/background_cells.cpp against a compiled Auryn tree.
#   AURYNDIR=<auryn source tree with build/release/src/libauryn.a> \
#     validation/auryn/background_cells_build.sh <output binary>
# Flags follow the reference simulations' Makefiles (O3, fast-math, native).
set -euo pipefail
: "${AURYNDIR:?set AURYNDIR to the Auryn source tree}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-background_cells}"
mpicxx -ansi -Wall -pipe -O3 -DNDEBUG -std=c++11 -ffast-math -funsafe-math-optimizations \
    -march=native -mtune=native -pedantic \
    -I"$AURYNDIR/src/auryn" -I"$AURYNDIR/src" \
    "$here/background_cells.cpp" "$AURYNDIR/build/release/src/libauryn.a" \
    -lboost_program_options -lboost_serialization -lboost_mpi -lboost_system -lboost_filesystem \
    -o "$out"
