"""Burst-dependent plasticity in a population (Payeur et al. 2021, Fig. 2E-G).

The reference program's population test (``spiking.experiments.circuits.payeur_fig2_population_plan``): 1000
Poisson-driven presynaptic pyramids project onto 1000 postsynaptic pyramids through plastic
synapses (the reference connection's rule: trace-rule detection, homeostasis, weights in
[0, w_max]). The postsynaptic dendritic input strength d steps through d0, 1.5 d0, d0, 0.55 d0,
d0 (25 s each, after a 20 s burn-in without plasticity); in the last 25 s the presynaptic
dendrites get 40 pA more, which raises the presynaptic burst probability.

Panels: (E) postsynaptic event rate, burst probability (2.5 s bins) and its moving average
Pbar (tau_avg = 5 s; the rule's own estimate, from the population's events and bursts);
(F) mean weight change (%) with the spread over seeds, beside BP - Pbar; (G) the presynaptic
event rate and burst probability. Expected: the weights rise while BP > Pbar (1.5 d0), fall
while BP < Pbar (0.55 d0), and do not follow the presynaptic burst probability.

Seeds run in parallel worker processes (``--workers``), each building its own standalone
project. --quick: 400 -> 200 cells (p = 0.5: the same 200 inputs per cell), 5000-source
backgrounds (same in-degrees), 10 s phases, 2 seeds.

Usage::

    python figures/payeur2021_fig2_population.py [--out DIR] [--quick] [--backend cpp_standalone] [--seeds N] [--workers N]
    python figures/payeur2021_fig2_population.py --replot   # redraw from the JSON of a previous run
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "payeur2021_fig2_population"
BIN_S = 2.5
TAU_AVG_S = 5.0


def reference_run() -> dict | None:
    """The authors' program run on the same protocol (validation/fig2_population_reference.py),
    or None where the file is absent."""
    from spiking.figure_io import load_reference_data

    return load_reference_data("fig2_population_reference.json")


def settings(quick: bool) -> dict:
    if quick:
        return {"n_pre": 400, "n_post": 200, "phase_s": 10.0, "n_background": 5000, "seeds": 2}
    return {"n_pre": 1000, "n_post": 1000, "phase_s": 25.0, "n_background": 25000, "seeds": 20}


def _moving_average_ratio(bursts: np.ndarray, events: np.ndarray, bin_s: float, tau_s: float) -> np.ndarray:
    """Bbar/Ebar at the end of each fine bin: exponential traces (time constant tau_s, +1 per
    burst/event, from 0 at t = 0) of the population's counts, each bin's counts taken at its
    middle (error below bin_s/tau_s = 1 %)."""
    decay = np.exp(-bin_s / tau_s)
    half = np.exp(-0.5 * bin_s / tau_s)
    e_bar = b_bar = 0.0
    out = np.empty(len(events))
    for k in range(len(events)):
        e_bar = e_bar * decay + events[k] * half
        b_bar = b_bar * decay + bursts[k] * half
        out[k] = b_bar / e_bar if e_bar > 0 else np.nan
    return out


def run_seed(seed: int, quick: bool, backend: str) -> dict:
    """One seed: the traces of panels E-G (plain numpy; picklable)."""
    from spiking.experiments.circuits import payeur_fig2_population_plan
    from spiking.simulation import Simulation

    s = settings(quick)
    plan = payeur_fig2_population_plan(seed=seed, n_pre=s["n_pre"], n_post=s["n_post"], phase_s=s["phase_s"],
                                       n_background=s["n_background"])
    start = time.perf_counter()
    with Simulation(plan, backend=backend) as sim:
        result = sim.run()
    wall = time.perf_counter() - start
    out = {"seed": seed, "wall_s": wall, "timings_s": dict(result.timings_s), "duration_s": float(plan.duration),
           "n_synapses": int(result.n_synapses["plastic"])}
    fine = float(result.online["post"].attrs["bin_width_s"])
    per_bin = int(round(BIN_S / fine))
    for name in ("pre", "post"):
        online = result.online[name]
        events = online.event_count.values[0]
        bursts = online.burst_count.values[0]
        n_bins = len(events) // per_bin
        e = events[:n_bins * per_bin].reshape(n_bins, per_bin).sum(axis=1)
        b = bursts[:n_bins * per_bin].reshape(n_bins, per_bin).sum(axis=1)
        n_cells = plan.populations[name].n_neurons
        out[f"er_{name}"] = e / (n_cells * BIN_S)
        out[f"bp_{name}"] = np.where(e > 0, b / np.maximum(e, 1), np.nan)
        if name == "post":
            ratio = _moving_average_ratio(bursts, events, fine, TAU_AVG_S)
            out["bp_bar"] = ratio[per_bin - 1::per_bin][:n_bins]
    out["t_s"] = BIN_S * (np.arange(len(out["er_post"])) + 0.5)
    means = result.mean_weights["plastic"]
    w = means.mean_weight.values[0]
    out["w_t_s"] = means.time.values
    out["dw_percent"] = 100 * (w - w[0]) / w[0]
    sample = result.weights["plastic"].weight.values
    out["final_weight_sample_nS"] = np.sort(sample)[:: max(len(sample) // 50, 1)] * 1e9
    return out


def compute(quick: bool = False, backend: str = "cpp_standalone", n_seeds: int | None = None,
            workers: int = 1) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    s = settings(quick)
    seeds = list(range(1, (n_seeds or s["seeds"]) + 1))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            runs = list(pool.map(run_seed, seeds, [quick] * len(seeds), [backend] * len(seeds)))
    else:
        runs = [run_seed(seed, quick, backend) for seed in seeds]
    return {"settings": s, "runs": runs, "backend": backend, "quick": quick}


def phase_edges(s: dict) -> np.ndarray:
    from spiking.experiments.circuits import FIG2_PHASES

    burn_in = 4 * TAU_AVG_S
    return burn_in + s["phase_s"] * np.arange(len(FIG2_PHASES) + 1)


def summary(data: dict) -> dict:
    from spiking.experiments.circuits import FIG2_PHASES, payeur_fig2_population_plan
    from spiking.provenance import provenance

    runs, s = data["runs"], data["settings"]
    edges = phase_edges(s)
    stack = lambda key: np.array([r[key] for r in runs])  # noqa: E731
    dw = stack("dw_percent")
    w_t = runs[0]["w_t_s"]
    phases = {}
    for k, (name, _, _) in enumerate(FIG2_PHASES):
        i0 = int(np.argmin(np.abs(w_t - edges[k])))
        i1 = int(np.argmin(np.abs(w_t - edges[k + 1]))) if edges[k + 1] <= w_t[-1] else len(w_t) - 1
        change = dw[:, i1] - dw[:, i0]
        phases[name] = {"mean": float(change.mean()), "sd": float(change.std()), "per_seed": change}
    plan = payeur_fig2_population_plan(seed=runs[0]["seed"], n_pre=s["n_pre"], n_post=s["n_post"],
                                       phase_s=s["phase_s"], n_background=s["n_background"])
    er, bp, bp_bar = stack("er_post"), stack("bp_post"), stack("bp_bar")
    return {"t_s": runs[0]["t_s"], "er_hz": np.nanmean(er, axis=0), "er_hz_sd": np.nanstd(er, axis=0),
            "bp": np.nanmean(bp, axis=0), "bp_sd": np.nanstd(bp, axis=0),
            "bp_bar": np.nanmean(bp_bar, axis=0), "bp_bar_sd": np.nanstd(bp_bar, axis=0),
            "bp_bar_t_s": runs[0]["t_s"] + 0.5 * BIN_S,
            "pre_er_hz": np.nanmean(stack("er_pre"), axis=0), "pre_bp": np.nanmean(stack("bp_pre"), axis=0),
            "w_t_s": w_t, "dw_percent_mean": dw.mean(axis=0), "dw_percent_sd": dw.std(axis=0),
            "phase_edges_s": edges, "phase_names": [p[0] for p in FIG2_PHASES], "phase_dw_percent": phases,
            "n_seeds": len(runs), "reference": _reference_summary(),
            "params": {"plan": plan.to_dict(), "bin_s": BIN_S, "tau_avg_s": TAU_AVG_S, "quick": data["quick"],
                       "event_rule": "trace", "wall_s_per_seed": [r["wall_s"] for r in runs],
                       "timings_s": [r["timings_s"] for r in runs], "n_plastic_synapses": [r["n_synapses"] for r in runs]},
            "provenance": provenance(backend=data["backend"], seed=None, seeds=[r["seed"] for r in runs])}


def _reference_summary() -> dict | None:
    ref = reference_run()
    if ref is None:
        return None
    return {"source": ref["source"], "seeds": ref["seeds"], "phase_dw_percent": ref["phase_dw_percent"],
            "t_s": ref["t_s"], "er_hz": ref["er_post_hz"], "bp": ref["bp_post"], "w_t_s": ref["w_t_s"],
            "dw_percent_mean": ref["dw_percent_mean"], "pre_bp": ref["bp_pre"]}


def plot(out: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.asarray(out["t_s"])
    fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True)
    edges = np.asarray(out["phase_edges_s"])

    def shade(ax):
        for k, name in enumerate(out["phase_names"]):
            if k % 2 == 0:
                ax.axvspan(edges[k], edges[k + 1], color="0.93", lw=0)
        ax.axvline(edges[0], color="k", lw=0.5, ls=":")

    ax = axes[0]
    shade(ax)
    er, sd = np.asarray(out["er_hz"]), np.asarray(out["er_hz_sd"])
    ax.plot(t, er, color="tab:blue", label="ER")
    ax.fill_between(t, er - sd, er + sd, color="tab:blue", alpha=0.3, lw=0)
    ax.set_ylim(0, 8)
    ax.set_ylabel("postsyn. ER (Hz)", color="tab:blue")
    twin = ax.twinx()
    bp, bp_sd = 100 * np.asarray(out["bp"]), 100 * np.asarray(out["bp_sd"])
    twin.plot(t, bp, color="tab:red", label="BP")
    twin.fill_between(t, bp - bp_sd, bp + bp_sd, color="tab:red", alpha=0.3, lw=0)
    twin.plot(out.get("bp_bar_t_s", t), 100 * np.asarray(out["bp_bar"]), "--", color="tab:red",
              label=r"$\overline{P}$ (at bin ends)")
    reference = out.get("reference") if not out["params"]["quick"] else None
    if reference:
        ax.plot(reference["t_s"], reference["er_hz"], ":", color="tab:blue", lw=1)
        twin.plot(reference["t_s"], 100 * np.asarray(reference["bp"], dtype=float), ":", color="tab:red", lw=1,
                  label=f"reference program ({len(reference['seeds'])} seeds)")
    twin.set_ylim(0, 60)
    twin.set_ylabel("postsyn. BP (%)", color="tab:red")
    twin.legend(loc="center right", frameon=False, fontsize=8)
    for k, name in enumerate(out["phase_names"]):
        ax.text(0.5 * (edges[k] + edges[k + 1]), 7.3, name, ha="center", fontsize=8)
    ax.set_title("(E) postsynaptic events and bursts", fontsize=10)
    ax = axes[1]
    shade(ax)
    wt = np.asarray(out["w_t_s"])
    dw, dw_sd = np.asarray(out["dw_percent_mean"]), np.asarray(out["dw_percent_sd"])
    ax.plot(wt, dw, color="black", label="weight change")
    ax.fill_between(wt, dw - dw_sd, dw + dw_sd, color="black", alpha=0.3, lw=0)
    ax.plot(t, 100 * (np.asarray(out["bp"]) - np.asarray(out["bp_bar"])), "-.", color="tab:red",
            label=r"postsyn. BP $-\ \overline{P}$")
    if reference:
        ax.plot(reference["w_t_s"], reference["dw_percent_mean"], ":", color="black",
                label=f"reference program ({len(reference['seeds'])} seeds)")
    ax.axhline(0, color="k", lw=0.5, ls=":")
    ax.set_ylabel("(%)")
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    ax.set_title(f"(F) mean weight change, ±1 SD over {out['n_seeds']} seeds", fontsize=10)
    ax = axes[2]
    shade(ax)
    ax.plot(t, out["pre_er_hz"], color="tab:blue")
    ax.set_ylabel("presyn. ER (Hz)", color="tab:blue")
    twin = ax.twinx()
    twin.plot(t, 100 * np.asarray(out["pre_bp"]), color="tab:red")
    twin.set_ylabel("presyn. BP (%)", color="tab:red")
    ax.set_xlabel("time (s)")
    ax.set_title("(G) presynaptic population: its burst probability rises in the last phase", fontsize=10)
    fig.suptitle("Burst-dependent plasticity in a population (1000 -> 1000 pyramids)"
                 if not out["params"]["quick"] else "Burst-dependent plasticity in a population (quick run)", fontsize=11)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    parser = figure_arguments(__doc__.splitlines()[0])
    parser.set_defaults(backend="cpp_standalone")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds (default 20; quick: 2)")
    parser.add_argument("--workers", type=int, default=1, help="seeds run in parallel (processes)")
    parser.add_argument("--replot", action="store_true",
                        help="redraw from <out>/<name>.json (and the current reference data) without simulating")
    args = parser.parse_args(argv)
    if args.replot:
        import json
        import os

        with open(os.path.join(args.out, NAME + ".json")) as handle:
            out = json.load(handle)
        out["reference"] = _reference_summary()
        out.setdefault("bp_bar_t_s", list(np.asarray(out["t_s"]) + 0.5 * BIN_S))
    else:
        data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend,
                              n_seeds=args.seeds, workers=args.workers)
        out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(out))
    print(f"wrote {prefix}.png/.json: " + ", ".join(f"{name}: {v['mean']:+.2f} ± {v['sd']:.2f} %"
                                                     for name, v in out["phase_dw_percent"].items()))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
