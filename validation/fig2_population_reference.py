"""Run the authors' plasticity population test (spikingburstprop ``sim/sim_plasticity_rule``,
their run script's arguments) for some seeds and summarise what Fig. 2E-G plots, for the
comparison with ``figures/payeur2021_fig2_population.py``.

Summary per seed (2.5 s bins, the program's own monitors; rates at the bin centres): the mean
plastic weight over time
(``WeightSumMonitor``: the mean of the non-zero weights), the postsynaptic and presynaptic event
rates and burst probabilities (``BurstRateMonitor``), and the weight change within each phase in
% of the initial weight.

Usage::

    python validation/fig2_population_reference.py SIM_PLASTICITY_RULE [--seeds 1 2 3] [--out JSON]

(build the binary with the authors' ``sim/Makefile`` against the Auryn fork; see README.md here.)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

PHASES = ("d0", "1.5 d0", "d0 again", "0.55 d0", "d0 third", "presynaptic BP")
BURN_IN_S, PHASE_S, BIN_S = 20.0, 25.0, 2.5


def run_seed(binary: str, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="auryn-plasticity-") as folder:
        start = time.perf_counter()
        subprocess.run([os.path.abspath(binary), "--simtime", str(PHASE_S), "--w0", "0.08", "--tau_pre", "0.1",
                        "--d0", "0.25", "--connect_type", "AdaptiveEBCP", "--dir", folder, "--sim_name",
                        "plasticity_rule", "--alpha", "5", "--seed", str(seed)],
                       cwd=os.path.dirname(os.path.abspath(binary)), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        load = lambda name: np.loadtxt(os.path.join(folder, f"plasticity_rule.0.{name}_seed{seed}"))  # noqa: E731
        wsum, post, pre = load("wsum"), load("brate"), load("brate_input")
    # the BurstRateMonitor writes each bin's counts at its end (the first line, at t = 0, is
    # empty): times become bin centres, as in figures/payeur2021_fig2_population.py
    post, pre = post[1:], pre[1:]
    post[:, 0] -= 0.5 * BIN_S
    pre[:, 0] -= 0.5 * BIN_S
    w_t, w = wsum[:, 0], wsum[:, 1]
    edges = BURN_IN_S + PHASE_S * np.arange(len(PHASES) + 1)
    at = lambda t: float(w[int(np.argmin(np.abs(w_t - t)))])  # noqa: E731
    phase_dw = {name: 100 * (at(edges[k + 1]) - at(edges[k])) / w[0] for k, name in enumerate(PHASES)}
    return {"seed": seed, "wall_s": wall, "t_s": post[:, 0], "er_post_hz": post[:, 2],
            "bp_post": post[:, 1] / np.where(post[:, 2] > 0, post[:, 2], np.nan), "er_pre_hz": pre[:, 2],
            "bp_pre": pre[:, 1] / np.where(pre[:, 2] > 0, pre[:, 2], np.nan), "w_t_s": w_t,
            "dw_percent": 100 * (w - w[0]) / w[0], "phase_dw_percent": phase_dw}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_data",
                                                      "fig2_population_reference.json"))
    args = parser.parse_args(argv)
    runs = [run_seed(args.binary, seed) for seed in args.seeds]
    stack = lambda key: np.array([r[key] for r in runs])  # noqa: E731
    phases = {name: {"mean": float(np.mean([r["phase_dw_percent"][name] for r in runs])),
                     "sd": float(np.std([r["phase_dw_percent"][name] for r in runs])),
                     "per_seed": [r["phase_dw_percent"][name] for r in runs]} for name in PHASES}
    out = {"source": "apayeur/spikingburstprop sim/sim_plasticity_rule (run_plasticity_rule.sh arguments)",
           "seeds": args.seeds, "wall_s": [r["wall_s"] for r in runs], "t_s": runs[0]["t_s"].tolist(),
           "er_post_hz": np.nanmean(stack("er_post_hz"), axis=0).tolist(),
           "bp_post": np.nanmean(stack("bp_post"), axis=0).tolist(),
           "er_pre_hz": np.nanmean(stack("er_pre_hz"), axis=0).tolist(),
           "bp_pre": np.nanmean(stack("bp_pre"), axis=0).tolist(),
           "w_t_s": runs[0]["w_t_s"].tolist(), "dw_percent_mean": stack("dw_percent").mean(axis=0).tolist(),
           "dw_percent_sd": stack("dw_percent").std(axis=0).tolist(), "phase_dw_percent": phases}
    with open(args.out, "w") as handle:
        json.dump(out, handle, indent=1)
    print(f"wrote {args.out}: " + ", ".join(f"{k}: {v['mean']:+.2f} ± {v['sd']:.2f} %" for k, v in phases.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
