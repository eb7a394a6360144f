"""Time the Payeur Fig-3 circuit exactly (2 x 4000 pyramids, 1000 PV, 1000 SOM, p = 0.05, identity
500 Hz backgrounds, 1 s burn-in + 3 s), one run per backend; writes
``fig3_circuit_<backend>.json`` into ``--out`` (default ``benchmarks/results/``).

Target: cpp_standalone faster than the authors' Auryn (sim_propagation, one core) on the same
machine in the same session, compile excluded. Time the reference with the same seeds right before
or after and pass its wall times with ``--reference-run-s`` (recorded with the ratio); 9.5 s is
the older fixed target (Auryn on one core of an earlier machine).

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
    parser.add_argument("--repeats", type=int, default=5,
                        help="runs of the compiled network per backend; the median run time is reported")
    parser.add_argument("--reference-run-s", nargs="+", type=float, default=None,
                        help="wall times (s) of the reference's sim_propagation runs measured in the same session")
    parser.add_argument("--profile", action="store_true",
                        help="one extra run with Brian's per-code-object profiling -> fig3_circuit_<backend>_profile.json")
    args = parser.parse_args(argv)
    expr = "__import__('spiking.experiments.circuits', fromlist=['x']).payeur_fig3_plan()"
    for backend in args.backends:
        median = measure(expr, backend, repeats=args.repeats) if args.repeats > 0 else None  # 0: profile only
        if median is not None:
            run_s = median["timings"]["run_s"]
            extra = {"run_s_all": [round(t, 3) for t in median["run_s_all"]],
                     "target_run_s": 9.5 if backend == "cpp_standalone" else None,
                     "ratio_to_target": round(run_s / 9.5, 3) if backend == "cpp_standalone" else None,
                     "rates_hz": {k: v / (median["recorded"][k] * median["sim_time_s"])
                                  for k, v in median["spikes"].items()},
                     "median_of": len(median["run_s_all"]),
                     "reference_auryn_run_s_all": args.reference_run_s,
                     "reference_auryn_run_s": (float(sorted(args.reference_run_s)[len(args.reference_run_s) // 2])
                                               if args.reference_run_s else None),
                     "ratio_to_reference": (round(run_s / sorted(args.reference_run_s)[len(args.reference_run_s) // 2], 3)
                                            if args.reference_run_s else None),
                     "reference_rates_hz": {"pyr1": 8.653, "pyr2": 9.124, "pv": 13.077, "som": 17.389,
                                            "source": "validation/reference_data/fig3_reference.json, 5 seeds, 0-4 s"},
                     "repeat_note": "one compilation; the compiled binary run median_of times (run_s: the median; "
                                    "the upper middle one for an even count)"}
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
