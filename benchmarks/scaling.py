"""Scaling of a standard ensemble network with backend and size: the Payeur Fig-3 circuit (two
pyramidal units, PV, SOM; identity 500 Hz backgrounds) scaled to ``n`` neurons in total, with a
fixed in-degree equal to the reference circuit's (5 % of 4000 pyramids / 1000 interneurons), so
every cell keeps its input while the network grows (~1e8 synapses at 1e5 pyramids). Spikes of a
100-neuron sample per unit and the online detector are recorded (memory stays flat).

Writes ``scaling_<backend>_<n>.json`` into ``--out`` (default ``benchmarks/results/``).

Usage::

    python benchmarks/scaling.py --backends cpp_standalone --sizes 1000 10000 100000 [--sim-time 1.0]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, measure, record, write  # noqa: E402


def sizes_for(total: int) -> tuple[int, int]:
    """Pyramids per unit and interneurons per type: 2 units of pyramids, PV and SOM each 1/8."""
    n_pyr = max(1, int(round(total * 0.4)))
    n_int = max(1, int(round(total * 0.1)))
    return n_pyr, n_int


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["cpp_standalone"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--sim-time", type=float, default=1.0, help="simulated seconds (after a 0.2 s burn-in)")
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of the compiled network per size; the median run time is reported")
    args = parser.parse_args(argv)
    for backend in args.backends:
        for total in args.sizes:
            n_pyr, n_int = sizes_for(total)
            expr = (f"__import__('spiking.experiments.circuits', fromlist=['x']).payeur_fig3_plan(n_pyramids={n_pyr}, n_pv={n_int}, "
                    f"n_som={n_int}, burn_in_s=0.2, stimulus_s={args.sim_time}, fixed_in_degree=True, record=False)")
            try:
                m = measure(expr, backend, repeats=args.repeats)
            except Exception as err:  # noqa: BLE001 - record why a size could not run
                print(f"{backend} n={total}: failed: {str(err)[-500:]}")
                continue
            result = record(m, backend, {"n_requested": total, "n_pyramids": 2 * n_pyr, "n_interneurons": 2 * n_int,
                                         "run_s_all": [round(t, 3) for t in m["run_s_all"]],
                                         "median_of": len(m["run_s_all"])})
            write(result, os.path.join(args.out, f"scaling_{backend}_{total}.json"))


if __name__ == "__main__":
    main()
