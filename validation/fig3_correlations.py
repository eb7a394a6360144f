"""Correlations of the reference's own Fig-3 rasters, as figures/payeur2021_fig3_propagation.py
measures ours: 50 ms bins over 1-4 s, events and bursts by the trace rule (the reference monitor's),
bursts counted in their event's bin, Pearson r at zero lag.

Usage::

    python validation/fig3_correlations.py RUNS_ROOT [--out validation/reference_data]

RUNS_ROOT holds ``fig3/seed<S>/propagation.0.ras{1,2}_seed<S>`` from
``sim_propagation --seed S --w12 0.37 --w1som 0.035`` (see validation/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from spiking.decoding import unit_rates  # noqa: E402
from spiking.spikes import SpikeData  # noqa: E402

PAIRS = {"corr_er2_er1": ("er2", "er1"), "corr_bp1_br2": ("bp1", "br2"), "corr_er2_bp1": ("er2", "bp1"),
         "corr_bp1_er1": ("bp1", "er1")}


def correlations(run_dir: str, seed: int) -> dict:
    traces = {}
    for pop in (1, 2):
        raster = np.loadtxt(os.path.join(run_dir, f"propagation.0.ras{pop}_seed{seed}"))
        steps = np.rint(raster[:, 0] / 1e-4).astype(int)  # Auryn prints times of steps of 0.1 ms
        spikes = SpikeData(steps * 1e-4, raster[:, 1].astype(int), 4000, 0.0, 4.0)
        rates = unit_rates(spikes, 0.05, t_start_s=1.0, t_stop_s=4.0, burst_time="event", rule="trace")
        traces[f"er{pop}"] = rates.event_rate.values[0]
        traces[f"br{pop}"] = rates.burst_rate.values[0]
        traces[f"bp{pop}"] = rates.burst_probability.values[0]
    t = rates.time.values
    out = {name: float(np.corrcoef(traces[a], traces[b])[0, 1]) for name, (a, b) in PAIRS.items()}
    out["corr_er1_soma1"] = float(np.corrcoef(traces["er1"], np.sin(2 * np.pi * t / 0.5))[0, 1])
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs_root")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_data"))
    args = parser.parse_args(argv)
    seeds = [1, 2, 3, 4, 5]
    per_seed = {s: correlations(os.path.join(args.runs_root, "fig3", f"seed{s}"), s) for s in seeds}
    keys = list(per_seed[1])
    summary = {"description": __doc__.splitlines()[0], "seeds": seeds, "bin_ms": 50.0, "window_s": [1.0, 4.0],
               "event_rule": "trace", "burst_counting": "event-aligned",
               "per_seed": {k: [per_seed[s][k] for s in seeds] for k in keys},
               "mean": {k: float(np.mean([per_seed[s][k] for s in seeds])) for k in keys},
               "sd": {k: float(np.std([per_seed[s][k] for s in seeds], ddof=1)) for k in keys}}
    with open(os.path.join(args.out, "fig3_correlations_reference.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary["mean"]))


if __name__ == "__main__":
    main()
