"""Time the Payeur Fig-3 circuit exactly (2 x 4000 pyramids, 1000 PV, 1000 SOM, p = 0.05, identity
500 Hz backgrounds, 1 s burn-in + 3 s), one run per backend; writes
``fig3_circuit_<backend>.json`` into ``--out`` (default ``benchmarks/results/``).

Target (issue 4): cpp_standalone <= 9.5 s wall for the 4 s, compile excluded (the authors'
Auryn on one core of this machine kind).

Usage::

    python benchmarks/fig3_circuit.py [--backends cpp_standalone runtime cuda_standalone] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, measure, record, write  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["cpp_standalone"])
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--repeats", type=int, default=2, help="runs per backend; the median run time is reported")
    parser.add_argument("--profile", action="store_true",
                        help="one extra run with Brian's per-code-object profiling -> fig3_circuit_<backend>_profile.json")
    args = parser.parse_args(argv)
    expr = "__import__('models.circuits', fromlist=['x']).payeur_fig3_plan()"
    for backend in args.backends:
        runs = [measure(expr, backend) for _ in range(args.repeats)]
        runs.sort(key=lambda m: m["timings"]["run_s"])
        median = runs[len(runs) // 2] if runs else None  # --repeats 0: profile only
        extra = {} if median is None else {"run_s_all": [round(m["timings"]["run_s"], 3) for m in runs],
                 "compile_s_all": [round(m["timings"].get("build_s", 0.0), 3) for m in runs],
                 "target_run_s": 9.5 if backend == "cpp_standalone" else None,
                 "ratio_to_target": round(median["timings"]["run_s"] / 9.5, 3) if backend == "cpp_standalone" else None,
                 "rates_hz": {k: v / (median["recorded"][k] * median["sim_time_s"]) for k, v in median["spikes"].items()},
                 "median_of": len(runs)}
        if median is not None:
            result = record(median, backend, extra)
            write(result, os.path.join(args.out, f"fig3_circuit_{backend}.json"))
        if args.profile:
            profiled = measure(expr, backend, profile=True)
            total = sum(seconds for _, seconds in profiled["profile"])
            result = record(profiled, backend, {"profile_s": profiled["profile"],
                                                "profile_fraction": {name: round(sec / total, 4)
                                                                     for name, sec in profiled["profile"]}})
            write(result, os.path.join(args.out, f"fig3_circuit_{backend}_profile.json"))


if __name__ == "__main__":
    main()
