"""Time the full bp_transfer figure run (3 x 4000 pyramids, 50000 Poisson sources, 11 s simulated)
on the runtime (Cython) and cpp_standalone backends; write one JSON per backend.

The runtime backend compiles Cython modules inside its first run: the run is repeated, and
``build_s`` is the difference between the cold and the warm run (the warm run is ``run_s``). On
cpp_standalone, ``build_s`` is the C++ build (code generation + compilation) and ``run_s`` the
binary's run. Never asserts on time.

Usage::

    python benchmarks/bp_transfer.py [--backends runtime cpp_standalone] [--out benchmarks/results] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, cpu_model  # noqa: E402


def measure(backend: str, quick: bool, cache_dir: str | None = None) -> dict:
    """Run in a child process (fresh Brian state, own peak-memory count); returns timings."""
    code = f"""
import importlib.util, json, resource, sys, time
sys.path.insert(0, {ROOT!r})
spec = importlib.util.spec_from_file_location('bp', {os.path.join(ROOT, 'figures', 'bp_transfer.py')!r})
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
t = time.perf_counter()
data = m.compute(quick={quick}, backend={backend!r})
wall = time.perf_counter() - t
print(json.dumps({{"wall_s": wall, "timings": data["timings_s"], "n_synapses": data["n_synapses"],
                  "n_per_unit": data["n_per_unit"], "sim_time_s": float(data["plan"].duration),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    env = dict(os.environ)
    if backend == "runtime":
        env["SPIKING_RUNTIME_TARGET"] = "cython"
        env["CYTHON_CACHE_DIR"] = cache_dir  # the same fresh cache for the cold and the warm run
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["runtime", "cpp_standalone"])
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--quick", action="store_true", help="the figure's --quick protocol (smoke test)")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    from spiking.figure_io import write_json
    from spiking.provenance import provenance

    for backend in args.backends:
        cache = tempfile.mkdtemp(prefix="spiking-bench-cython-")  # cold for the first run only
        first = measure(backend, args.quick, cache)
        second = measure(backend, args.quick, cache)  # warm Cython cache; a second standalone build is a fresh one
        if backend == "runtime":
            build_s, run_s = first["wall_s"] - second["wall_s"], second["timings"]["run_s"]
            runs_s = [second["timings"]["run_s"]]
        else:
            builds = [first["timings"]["build_s"], second["timings"]["build_s"]]
            runs_s = [first["timings"]["run_s"], second["timings"]["run_s"]]
            build_s, run_s = sorted(builds)[0], sorted(runs_s)[0]
        result = {"backend": backend, "device": cpu_model(), "cores": os.cpu_count(),
                  "n_neurons": 3 * first["n_per_unit"] + 50000, "n_pyramids": 3 * first["n_per_unit"],
                  "n_synapses": int(sum(first["n_synapses"].values())), "sim_time_s": first["sim_time_s"],
                  "build_s": round(build_s, 2), "run_s": round(run_s, 2), "runs_s": [round(x, 2) for x in runs_s],
                  "cold_total_s": round(first["wall_s"], 2), "warm_total_s": round(second["wall_s"], 2),
                  "wall_per_sim_s": round(run_s / first["sim_time_s"], 3),
                  "peak_rss_mb": round(max(first["peak_rss_mb"], second["peak_rss_mb"]), 1),
                  "quick": args.quick, "provenance": provenance(backend=backend, seed=None)}
        path = os.path.join(args.out, f"bp_transfer_{backend}{'_quick' if args.quick else ''}.json")
        write_json(path, result)
        print(json.dumps({k: result[k] for k in ("backend", "build_s", "run_s", "wall_per_sim_s", "peak_rss_mb")}))


if __name__ == "__main__":
    main()
