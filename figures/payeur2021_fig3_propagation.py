"""Short-term plasticity demultiplexes events and bursts (Payeur et al. 2021, Fig. 3).

The Fig-3 circuit of the reference program (``spiking.experiments.circuits.payeur_fig3_plan``; the rates match
the authors' Auryn runs, tests/test_reference.py): two pyramidal populations, pop1 and pop2, of
4000 cells, 1000 PV and 1000 SOM cells. Events travel forward through depressing synapses
(pop1 -> pop2 soma, pop1 -> PV -> pop2), bursts travel back through facilitating ones (pop2 ->
pop1 dendrite, pop2 -> SOM -> pop1 dendrite). pop1 gets a somatic sine (period 0.5 s), pop2 a
dendritic one (period 1.118 s): pop1's event rate follows its own input, pop2's event rate
follows pop1's event rate, and pop1's burst probability follows pop2's burst rate.

Ablation: the same circuit with the two STP sets swapped (facilitating forward, depressing back;
same weights; the population rates change with it, and are recorded). Correlations (Pearson r
of the 50 ms binned traces at zero lag, after the 1 s burn-in; events and bursts by the
reference's trace rule, bursts counted in their event's bin) are averaged over 5 seeds
(connectivity and noise). The pairs ER2-BP1 and BP1-ER1 are high too, in the reference circuit as
here: pop1's events reach pop2, whose bursts come back to pop1's dendrites (a loop), so they
are not independent channels. The authors' own rasters, analysed the same way
(validation/fig3_correlations.py), are drawn beside ours.

--quick: 1000 pyramids per population and 250 PV and SOM cells at the reference cells' fixed
in-degrees, 2 seeds.

Usage::

    python figures/payeur2021_fig3_propagation.py [--out DIR] [--quick] [--backend runtime|cpp_standalone]
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "payeur2021_fig3_propagation"
#: Event/burst rule of the decoder: the reference code's spike trace (spiking.decoding).
EVENT_RULE = "trace"
BIN_MS = 50.0
BURN_IN_S = 1.0
STIMULUS_S = 3.0
SEEDS = (1, 2, 3, 4, 5)
QUICK_SEEDS = (1, 2)
CORRELATIONS = {"corr_er2_er1": ("er2", "er1"), "corr_bp1_br2": ("bp1", "br2"),
                "corr_er2_bp1": ("er2", "bp1"), "corr_bp1_er1": ("bp1", "er1")}


def inputs(t_s: np.ndarray) -> dict[str, np.ndarray]:
    """The two stimuli at times ``t_s`` (pA): pop1's somatic and pop2's dendritic current."""
    return {"soma1_pA": 200.0 * np.sin(2 * np.pi * t_s / 0.5),
            "dend2_pA": 100.0 + 100.0 * np.sin(2 * np.pi * t_s / (0.5 * np.sqrt(5)))}


def reference_correlations() -> dict | None:
    """The same correlations measured on the reference's own rasters (5 seeds;
    validation/fig3_correlations.py), or None where the file is absent."""
    from spiking.figure_io import load_reference_data

    return load_reference_data("fig3_correlations_reference.json")


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    keep = np.isfinite(a) & np.isfinite(b)
    return float(np.corrcoef(a[keep], b[keep])[0, 1])


def run_one(seed: int, stp_pathways: str, quick: bool, backend: str) -> dict:
    """One circuit run: binned E, B, P of both populations and the correlations."""
    from spiking.experiments.circuits import payeur_fig3_plan
    from spiking.decoding import unit_rates
    from spiking.simulation import Simulation

    sizes = {"n_pyramids": 1000, "n_pv": 250, "n_som": 250, "fixed_in_degree": True} if quick else {}
    plan = payeur_fig3_plan(seed=seed, burn_in_s=BURN_IN_S, stimulus_s=STIMULUS_S, stp_pathways=stp_pathways,
                            **sizes)
    start = time.perf_counter()
    with Simulation(plan, backend=backend) as sim:
        result = sim.run()
    wall = time.perf_counter() - start
    pyr = result.spikes["pyr"]
    rates = unit_rates(pyr, BIN_MS / 1e3, t_start_s=BURN_IN_S, t_stop_s=BURN_IN_S + STIMULUS_S, burst_time="event",
                       rule=EVENT_RULE)
    traces = {"t_s": rates.time.values}
    for unit in (0, 1):
        traces[f"er{unit + 1}"] = rates.event_rate.values[unit]
        traces[f"br{unit + 1}"] = rates.burst_rate.values[unit]
        traces[f"bp{unit + 1}"] = rates.burst_probability.values[unit]
    out = {name: _pearson(traces[a], traces[b]) for name, (a, b) in CORRELATIONS.items()}
    stimulus = inputs(traces["t_s"])
    out["corr_er1_soma1"] = _pearson(traces["er1"], stimulus["soma1_pA"])
    out["corr_bp2_dend2"] = _pearson(traces["bp2"], stimulus["dend2_pA"])
    keep = (pyr.times_s >= BURN_IN_S) & (pyr.times_s < BURN_IN_S + 1.0)
    n_per = int(pyr.neurons_per_unit[0])
    sample = keep & ((pyr.indices % n_per) < 100)
    return {"correlations": out, "traces": traces, "wall_s": wall, "plan": plan, "timings_s": result.timings_s,
            "raster": {"t_s": pyr.times_s[sample], "unit": pyr.unit_of_neuron[pyr.indices[sample]],
                       "neuron": pyr.indices[sample] % n_per},
            "rates_hz": {name: float(len(result.spikes[name]) / (result.spikes[name].n_neurons
                                                                  * float(plan.duration)))
                         for name in ("pyr", "pv", "som")}}


def compute(quick: bool = False, backend: str = "cpp_standalone", seeds=None) -> dict:
    """Both circuits (reference and swapped STP) over the seeds."""
    seeds = tuple(seeds or (QUICK_SEEDS if quick else SEEDS))
    start = time.perf_counter()
    runs = {variant: [run_one(seed, variant, quick, backend) for seed in seeds] for variant in ("reference", "swapped")}
    return {"runs": runs, "seeds": seeds, "quick": quick, "backend": backend, "wall_s": time.perf_counter() - start}


def summary(data: dict) -> dict:
    from spiking.provenance import provenance

    def mean_over_seeds(runs, key):
        return float(np.mean([r["correlations"][key] for r in runs]))

    reference, swapped = data["runs"]["reference"], data["runs"]["swapped"]
    keys = list(CORRELATIONS) + ["corr_er1_soma1", "corr_bp2_dend2"]
    out = {key: mean_over_seeds(reference, key) for key in keys}
    out["per_seed"] = {key: [r["correlations"][key] for r in reference] for key in keys}
    out["ablation"] = {key: mean_over_seeds(swapped, key) for key in keys}
    out["ablation_per_seed"] = {key: [r["correlations"][key] for r in swapped] for key in keys}
    first = reference[0]
    out["reference"] = reference_correlations()
    out.update({"bin_ms": BIN_MS, "n_seeds": len(data["seeds"]),
                "params": {"plan": first["plan"].to_dict(), "seeds": list(data["seeds"]), "event_rule": EVENT_RULE,
                           "burst_counting": "event-aligned (a burst counts in its event's bin)",
                           "analysis_window_s": [BURN_IN_S, BURN_IN_S + STIMULUS_S],
                           "ablation": "STP sets swapped: facilitating forward, depressing back (same weights)",
                           "quick": data["quick"],
                           "population_rates_hz": {"reference": [r["rates_hz"] for r in reference],
                                                   "swapped": [r["rates_hz"] for r in swapped]}},
                "provenance": provenance(backend=data["backend"], seed=list(data["seeds"]),
                                         dt_ms=float(first["plan"].dt * 1e3), wall_s=round(data["wall_s"], 3),
                                         simulation_timings_s=first["timings_s"])})
    return out


def plot(data: dict, out: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = data["runs"]["reference"][0]
    tr, raster = first["traces"], first["raster"]
    t = tr["t_s"]
    stimulus = inputs(t)
    fig = plt.figure(figsize=(13, 9))
    grid = fig.add_gridspec(3, 2, height_ratios=[1.1, 1, 1])
    ax = fig.add_subplot(grid[0, 0])
    for unit, color in ((0, "tab:blue"), (1, "tab:red")):
        sel = raster["unit"] == unit
        ax.plot(raster["t_s"][sel], raster["neuron"][sel] + 110 * unit, "|", color=color, ms=2)
    ax.set_yticks([50, 160], ["pop1", "pop2"])
    ax.set_xlabel("time (s)")
    ax.set_title("(a) rasters, 100 cells of each population (1 s)", fontsize=10)

    def twin(axis, x, y1, y2, label1, label2, c1, c2, title):
        axis.step(x, y1, where="mid", color=c1)
        axis.set_ylabel(label1, color=c1)
        other = axis.twinx()
        other.step(x, y2, where="mid", color=c2, alpha=0.8)
        other.set_ylabel(label2, color=c2)
        axis.set_title(title, fontsize=10)
        axis.set_xlabel("time (s)")

    c = out
    twin(fig.add_subplot(grid[0, 1]), t, tr["er1"], stimulus["soma1_pA"], "pop1 event rate (Hz)",
         "pop1 somatic input (pA)", "tab:blue", "gray",
         f"(b) pop1 events follow its somatic input (r = {c['corr_er1_soma1']:.2f})")
    twin(fig.add_subplot(grid[1, 0]), t, tr["er2"], tr["er1"], "pop2 event rate (Hz)", "pop1 event rate (Hz)",
         "tab:red", "tab:blue", f"(c) events travel forward (STD): r(ER2, ER1) = {c['corr_er2_er1']:.2f}")
    twin(fig.add_subplot(grid[1, 1]), t, tr["bp1"], tr["br2"], "pop1 burst probability", "pop2 burst rate (Hz)",
         "tab:blue", "tab:red", f"(d) bursts travel back (STF): r(BP1, BR2) = {c['corr_bp1_br2']:.2f}")
    ax = fig.add_subplot(grid[2, :])
    names = list(CORRELATIONS)
    labels = ["r(ER2, ER1)\nforward events", "r(BP1, BR2)\nbackward bursts", "r(ER2, BP1)\nvia the loop",
              "r(BP1, ER1)\nvia the loop"]
    x = np.arange(len(names))
    for offset, (variant, key, color) in enumerate((("reference STP", "per_seed", "tab:green"),
                                                   ("STD and STF swapped", "ablation_per_seed", "tab:gray"))):
        values = np.array([c[key][n] for n in names])
        ax.bar(x + (offset - 0.5) * 0.38, values.mean(axis=1), width=0.38, yerr=values.std(axis=1, ddof=1)
               if values.shape[1] > 1 else None, color=color, label=variant, capsize=3)
    if c.get("reference"):
        ref = c["reference"]
        ax.errorbar(x - 0.19, [ref["mean"][n] for n in names], yerr=[ref["sd"][n] for n in names], fmt="k_",
                    ms=22, mew=2, label="the authors' Auryn circuit (5 seeds), same analysis")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x, labels)
    ax.set_ylabel("Pearson r (mean +- SD over seeds)")
    ax.set_ylim(-1, 1)
    ax.legend(frameon=False)
    ax.set_title("(e) what the STP pathways buy: correlations with the reference STP and with the sets swapped",
                 fontsize=10)
    n_cells = data["runs"]["reference"][0]["plan"].populations["pyr"].n_per_unit
    fig.suptitle(f"Events forward, bursts back: STP demultiplexing ({n_cells} pyramids per population, "
                 f"{out['n_seeds']} seeds, {BIN_MS:.0f} ms bins)", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    parser = figure_arguments(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend)
    out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(data, out))
    print(f"wrote {prefix}.png/.json: " + ", ".join(f"{k} = {out[k]:.2f} (swapped {out['ablation'][k]:.2f})"
                                                     for k in CORRELATIONS))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
