"""SST (SOM) inhibition modulates the dendritic transfer function (docs/model.md;
Payeur et al. 2021 supplementary dendritic-modulation figure).

Circuit: 10000 pyramids, 1000 PV, 1000 SOM (--quick: 600 / 60 / 60 with weights scaled so that
every cell receives the same total input); sparse Poisson background (25000 + 25000 sources at
5 Hz, 100 per target; pyramid soma and dendrite 0.05 / 0.05, PV 0.12 / 0.15, SOM 0.2 / 0.3 in
leak units); pyr -> PV STD (p 0.2, w 0.001), pyr -> SOM STF (p 0.2, w 0.04), PV -> SOM all-to-all
(0.002), SOM -> pyramid dendrites all-to-all (w_SOM->PC). I_s = 560 pA; I_d steps from -50 to 400
pA (1 s steps, 0.4 s with --quick, after a burn-in); BP and ER over the last half of each step.

Conditions: w_SOM->PC in {0, 0.0005, 0.001}; with w_SOM->PC = 0.001 (the reference condition
here): extra current into SOM of -50 and -100 pA (VIP-like disinhibition), PC -> SOM release
probability U of 0.015 and 0.025, dendritic excitability g_d of 1300 and 1400 pA. All conditions
run on one build (run-time parameters; no recompilation on the standalone backends). --quick runs
w_SOM->PC = 0 and 0.001 only, at I_d = -50, 50, ..., 350 pA.

half_max_pA is the dendritic current at which BP crosses 50 % (linear interpolation; null when
the curve stays below 50 % in the tested range).

Usage::

    python figures/sst_modulation.py [--out DIR] [--quick] [--backend runtime|cpp_standalone]
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "sst_modulation"
#: Event/burst rule of the decoder: the reference code\'s spike trace (spiking.decoding).
EVENT_RULE = "trace"
SEED = 25
DENDRITIC_CURRENTS_PA = tuple(range(-50, 401, 50))
QUICK_DENDRITIC_CURRENTS_PA = tuple(range(-50, 401, 100))


def conditions(quick: bool) -> dict[str, dict]:
    """Condition name -> run-time overrides (weights in leak units, converted in compute)."""
    from brian2 import pA

    from spiking.experiments.registry import REFERENCE_W_SOM_PC as REFERENCE_W, SOM_BIAS_PA

    out = {"w_SOM->PC = 0": {"w": 0.0}, "w_SOM->PC = 0.001": {"w": REFERENCE_W}}
    if not quick:
        out = {"w_SOM->PC = 0": {"w": 0.0}, "w_SOM->PC = 0.0005": {"w": 0.0005},
               "w_SOM->PC = 0.001": {"w": REFERENCE_W}}
        out.update({
            "SOM current -50 pA": {"w": REFERENCE_W, "sst.I_bias": (SOM_BIAS_PA - 50) * pA},
            "SOM current -100 pA": {"w": REFERENCE_W, "sst.I_bias": (SOM_BIAS_PA - 100) * pA},
            "U PC->SOM = 0.015": {"w": REFERENCE_W, "pyr_to_sst.U": 0.015, "pyr_to_sst.f": 0.015},
            "U PC->SOM = 0.025": {"w": REFERENCE_W, "pyr_to_sst.U": 0.025, "pyr_to_sst.f": 0.025},
            "g_d = 1300 pA": {"w": REFERENCE_W, "pyr.g_d": 1300 * pA},
            "g_d = 1400 pA": {"w": REFERENCE_W, "pyr.g_d": 1400 * pA},
        })
    return out


def protocol(quick: bool):
    """The circuit (``spiking.experiments.registry.sst_dendritic_transfer``) and the staircase of I_d."""
    from brian2 import pA, second

    from spiking.experiments.registry import sst_dendritic_transfer
    from spiking.stimuli import Sampled

    n_pyr, n_int, pool = (600, 60, 3000) if quick else (10000, 1000, 25000)
    step_s = 0.4 if quick else 1.0
    burn_in_s = step_s * 1 if quick else 1.0
    currents = QUICK_DENDRITIC_CURRENTS_PA if quick else DENDRITIC_CURRENTS_PA
    experiment = sst_dendritic_transfer(n_pyramids=n_pyr, n_interneurons=n_int, pool_size=pool,
                                        duration_ms=(burn_in_s + step_s * len(currents)) * 1e3, i_soma_pA=560.0,
                                        seed=SEED)
    levels = np.array((currents[0],) + currents, dtype=float)
    repeats = [int(round(burn_in_s / step_s))] + [1] * len(currents)
    staircase = Sampled(np.repeat(levels, repeats) * pA, step_s * second)
    return experiment, staircase, burn_in_s, step_s


def half_max(i_d: np.ndarray, bp_percent: np.ndarray, level: float = 50.0) -> float | None:
    """Dendritic current at which BP (in %) first reaches ``level`` (linear interpolation), in
    the units of ``i_d``; ``None`` if it never does.

    Examples
    --------
    >>> half_max(np.array([0, 100, 200]), np.array([10.0, 40.0, 80.0]))
    125.0
    """
    bp = np.asarray(bp_percent, dtype=float)
    above = np.nonzero(bp >= level)[0]
    if not len(above):
        return None
    k = int(above[0])
    if k == 0:
        return float(i_d[0])
    return float(i_d[k - 1] + (level - bp[k - 1]) * (i_d[k] - i_d[k - 1]) / (bp[k] - bp[k - 1]))


def compute(quick: bool = False, backend: str = "runtime") -> dict:
    from spiking.decoding import decompose
    from spiking.simulation import Simulation

    experiment, staircase, burn_in_s, step_s = protocol(quick)
    plan, pyr_params = experiment.plan, experiment.plan.populations["pyr"].params
    currents = QUICK_DENDRITIC_CURRENTS_PA if quick else DENDRITIC_CURRENTS_PA
    results, timings = {}, {}
    start = time.perf_counter()
    with Simulation(plan, backend=backend) as sim:
        for name, cond in conditions(quick).items():
            overrides = {k: v for k, v in cond.items() if k != "w"}
            overrides.update(experiment.knobs["w_som_pc"].values(cond["w"]))
            result = sim.run(overrides=overrides, currents={"pyr.dendrite": staircase})
            timings[name] = result.timings_s
            spikes = result.spikes["pyr"]
            d = decompose(spikes, rule=EVENT_RULE)
            er, bp = [], []
            for k in range(len(currents)):
                t0, t1 = burn_in_s + k * step_s + step_s / 2, burn_in_s + (k + 1) * step_s
                sel = (d.event_times_s >= t0) & (d.event_times_s < t1)
                events, bursts = int(sel.sum()), int(np.count_nonzero(d.event_n_spikes[sel] >= 2))
                er.append(events / (spikes.n_neurons * (t1 - t0)))
                bp.append(100.0 * bursts / events if events else float("nan"))
            som_rate = len(result.spikes["sst"]) / (result.spikes["sst"].n_neurons * float(plan.duration))
            results[name] = {"bp_percent": bp, "er_hz": er, "half_max_pA": half_max(np.array(currents), bp),
                             "som_rate_hz": som_rate, "overrides": {k: str(v) for k, v in cond.items()}}
    return {"plan": plan, "params": pyr_params, "conditions": results, "backend": backend, "i_d_pA": list(currents),
            "wall_s": time.perf_counter() - start, "timings_s": timings, "step_s": step_s, "burn_in_s": burn_in_s,
            "quick": quick}


def summary(data: dict) -> dict:
    from spiking.experiments.registry import REFERENCE_W_SOM_PC as REFERENCE_W, SOM_BIAS_PA
    from spiking.provenance import provenance

    plan = data["plan"]
    conds = {name: {"bp_percent": c["bp_percent"], "er_hz": c["er_hz"], "half_max_pA": c["half_max_pA"]}
             for name, c in data["conditions"].items()}
    return {"i_d_pA": data["i_d_pA"], "conditions": conds,
            "params": {"neuron": data["params"].to_dict(), "plan": plan.to_dict(), "reference_w_som_pc": REFERENCE_W,
                       "som_bias_pA": SOM_BIAS_PA, "step_s": data["step_s"], "burn_in_s": data["burn_in_s"],
                       "condition_overrides": {k: c["overrides"] for k, c in data["conditions"].items()},
                       "som_rate_hz": {k: c["som_rate_hz"] for k, c in data["conditions"].items()},
                       "quick": data["quick"], "stp_initial_u": 0.01, "event_rule": EVENT_RULE},
            "reference": reference_conditions(),
            "provenance": provenance(backend=data["backend"], seed=plan.seed, dt_ms=float(plan.dt * 1e3),
                                     wall_s=round(data["wall_s"], 3), simulation_timings_s=data["timings_s"])}


#: Our condition names -> the reference program's runs (validation/reference_data).
REFERENCE_RUNS = {"w_SOM->PC = 0": "openloop", "w_SOM->PC = 0.0005": "closeloop_wsomtopyr0_0005",
                  "w_SOM->PC = 0.001": "closeloop_wsomtopyr0_001", "SOM current -50 pA": "vipdisinhibition_50",
                  "SOM current -100 pA": "vipdisinhibition_100"}


def reference_conditions() -> dict:
    """The reference program's BP curves and 50 % crossings for the conditions it ran
    (sim_dendritic_transfer_func_modulation, one run each; validation/reference_data), or {}."""
    from spiking.figure_io import load_reference_data

    data = load_reference_data("sst_modulation_reference.json")
    if data is None:
        return {}
    runs = data["conditions"]
    return {ours: {"i_d_pA": [step["i_dend_pA"] for step in runs[theirs]["steps"]],
                   "bp_percent": [100 * step["burst_prob"] for step in runs[theirs]["steps"]],
                   "er_hz": [step["event_rate_hz"] for step in runs[theirs]["steps"]],
                   "half_max_pA": runs[theirs]["bp_50pct_crossing_pA"]}
            for ours, theirs in REFERENCE_RUNS.items() if theirs in runs}


def plot(data: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [("SOM inhibition", [k for k in data["conditions"] if k.startswith("w_SOM")]),
              ("VIP-like current into SOM", ["w_SOM->PC = 0.001", "SOM current -50 pA", "SOM current -100 pA"]),
              ("PC -> SOM release probability", ["U PC->SOM = 0.015", "w_SOM->PC = 0.001", "U PC->SOM = 0.025"]),
              ("dendritic excitability", ["w_SOM->PC = 0.001", "g_d = 1300 pA", "g_d = 1400 pA"])]
    groups = [(title, [k for k in keys if k in data["conditions"]]) for title, keys in groups]
    groups = [(title, keys) for title, keys in groups if len(keys) > 1]
    fig, axes = plt.subplots(2, len(groups), figsize=(max(5.5, 4.2 * len(groups)), 7.5), squeeze=False, sharex=True)
    cmap = plt.get_cmap("viridis")
    reference = reference_conditions()
    for col, (title, keys) in enumerate(groups):
        for n, key in enumerate(keys):
            c = data["conditions"][key]
            color = cmap(n / max(1, len(keys) - 1) * 0.85)
            label = key if key != "w_SOM->PC = 0.001" or col == 0 else f"{key} (reference)"
            half = "n/a" if c["half_max_pA"] is None else f"{c['half_max_pA']:.0f} pA"
            axes[0, col].plot(data["i_d_pA"], c["bp_percent"], "o-", color=color, ms=4,
                              label=f"{label}; BP = 50 % at {half}")
            axes[1, col].plot(data["i_d_pA"], c["er_hz"], "o-", color=color, ms=4)
            ref = reference.get(key)
            if ref is not None and col < 2:
                keep = np.array(ref["i_d_pA"]) <= max(data["i_d_pA"])
                axes[0, col].plot(np.array(ref["i_d_pA"])[keep], np.array(ref["bp_percent"])[keep], "--", color=color,
                                  alpha=0.7, label=f"reference: {ref['half_max_pA']:.0f} pA")
                axes[1, col].plot(np.array(ref["i_d_pA"])[keep], np.array(ref["er_hz"])[keep], "--", color=color,
                                  alpha=0.7)
        axes[0, col].set_title(title, fontsize=10)
        axes[0, col].legend(fontsize=7, frameon=False, loc="upper left")
        axes[0, col].set_ylim(0, 100)
        axes[1, col].set_ylim(bottom=0)
        axes[1, col].set_xlabel("dendritic current $I_d$ (pA)")
    axes[0, 0].set_ylabel("burst probability (%)")
    axes[1, 0].set_ylabel("event rate (Hz)")
    fig.suptitle("SST inhibition shifts the dendritic transfer function\n(I_s = 560 pA)", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    args = figure_arguments(__doc__.splitlines()[0]).parse_args(argv)
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend)
    out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(data))
    print(f"wrote {prefix}.png/.json; half-max: "
          + ", ".join(f"{k}: {c['half_max_pA']} pA" for k, c in out["conditions"].items()))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
