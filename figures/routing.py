"""Routing with fixed micro weights: the meso weight W(t) = a(t) W s(t) switches with the context.

Circuit (one build, static synapses; only the context currents change over time):

* **source**: one unit of pyramidal cells in two halves, subset A and subset B (plan units 0 and
  1, n_source each). Every source cell gets the same somatic current, random steps of
  I_low..I_high held 100-250 ms, plus its own OU noise, so the source's event rate varies from
  window to window.
* **targets**: two pyramidal units, target 1 and target 2 (n_target each), with a weak somatic
  bias and OU noise (a few Hz of spontaneous events).
* **micro weights W** (fixed, identical in all contexts): subset A -> target 1 dendrites and
  subset B -> target 2 dendrites, AMPA, pairwise with probability p (projections
  ``subset_a_to_target_1`` and ``subset_b_to_target_2``; static, not plastic).
* **s(t), presynaptic gating (PV-like, arousal)**: two PV units (AdEx, Payeur PV cells without
  bias), all-to-all onto the somata of their own source subset (GABA). A context current drives
  the PV unit of one subset to fire fast, which silences that subset: s_i(t) = 0 for its cells.
* **a(t), postsynaptic receptivity (SST-like, goal)**: two SST units (AdEx, Payeur SOM cells),
  all-to-all onto the dendrites of their own target (GABA). A goal current drives the SST unit
  of one target, whose dendrites are then held far below the plateau threshold.

Why dendritic synapses: in the two-compartment cell the dendrite acts on the soma only through
the plateau current g_s f(V_d). The source input arrives on the target's dendrites, where it
produces plateaus, hence events (which are mostly bursts: a plateau drives a burst from a
quiet soma). SST inhibition of those dendrites keeps f(V_d) near 0 whatever the input, so it
lowers the gain of the target on its input: the receptivity a_j of the talk. (With somatic
synapses instead, dendritic inhibition changes the burst probability of the target much more
than its event rate, and the event-rate meso weight would barely move.) The SST strength
matters: in a trial at 60 % of the conductance and 150 pA of goal current (--quick sizes, SST
alone), the inhibited target's event-rate weight did not drop at all (0.40 against 0.33 Hz/Hz
for the other target) while its burst-rate weight fell slightly: moderate dendritic inhibition
turns bursts into single spikes; the strength used here (10 nS per SST cell at 20 cells, 250 pA)
blocks the plateaus. The meso weight is estimated on the event rate and on the burst rate; both
are reported.

Contexts (blocks alternating within the run, after a burn-in):

* ``route_to_target_1``: PV of subset B on (s = [1, 0]), SST of target 2 on (a = [1, a_low]);
* ``route_to_target_2``: PV of subset A on (s = [0, 1]), SST of target 1 on (a = [a_low, 1]);
* full run only, each mechanism alone: ``gate_only_to_1`` (PV of B, no SST: s = [1, 0],
  a = [1, 1]) and ``receptivity_only_to_1`` (SST of target 2, no PV: s = [1, 1], a = [1, a_low]).

Analysis: event and burst rates (the reference's trace rule) of the whole source unit (A and B
together, silenced cells included) and of each target in 100 ms windows, skipping the first
200 ms of each block (the switch and the SST adaptation); the effective meso weight
(``spiking.routing.effective_meso_weight``: least-squares slope of the target rate on the
source rate) per context, and its route contrast (w1 - w2)/(|w1| + |w2|). The meso model
(``spiking.routing.meso_routing``) runs the same contexts on the same source drive: x = the
window's somatic step current scaled to [0, 1], s and a as listed, W = w_meso [[1, 0], [0, 1]],
bias b; its meso weights are estimated by the same regression. a_low = 0.1 is set by hand to the
near-complete dendritic gating seen in the spiking ``receptivity_only_to_1`` context (target 2's
weight about a tenth of target 1's); w_meso and b are set by hand too: the meso model is
compared by the sign pattern and the route contrast, not fitted to the spiking rates. Micro
weights per context: the summed conductance onto one target cell of each (subset, target) pair
(synapses x weight / target cells), from the synapse counts of the one build.

--quick: 150 cells per subset and target, 20 PV and SST cells per unit, the two main contexts
in 6 blocks of 1.2 s (30 windows per context). Full run: 500 cells per subset (1000 in the
source), 400 per target, 40 PV and SST cells per unit, all four contexts in 16 blocks of 2 s.

Usage::

    python figures/routing.py [--out DIR] [--quick] [--backend runtime|cpp_standalone]
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "routing"
#: Event/burst rule of the decoder: the reference code's spike trace (spiking.decoding).
EVENT_RULE = "trace"
SEED = 7
WINDOW_S = 0.1
SETTLE_S = 0.2
BURN_IN_S = 0.5
#: Somatic step current of the source (pA): levels drawn uniformly, held 100-250 ms.
SOURCE_CURRENT_PA = (250.0, 850.0)
SOURCE_HOLD_S = (0.1, 0.25)
#: Context currents (pA) that switch a PV or SST unit on; off: 0 pA.
PV_ON_PA = 400.0
SST_ON_PA = 250.0
#: Meso model: receptivity of an SST-inhibited target, micro weight, bias.
MESO_A_LOW = 0.1
MESO_W = 6.0
MESO_BIAS = -3.0

#: Context name -> (description, PV current per subset (A, B) in pA, SST current per target (1, 2)
#: in pA, meso gate s, meso receptivity a).
CONTEXTS = {
    "route_to_target_1": ("PV silences subset B (s = [1, 0]); SST inhibits target 2's dendrites (a = [1, low])",
                          (0.0, PV_ON_PA), (0.0, SST_ON_PA), (1.0, 0.0), (1.0, MESO_A_LOW)),
    "route_to_target_2": ("PV silences subset A (s = [0, 1]); SST inhibits target 1's dendrites (a = [low, 1])",
                          (PV_ON_PA, 0.0), (SST_ON_PA, 0.0), (0.0, 1.0), (MESO_A_LOW, 1.0)),
    "gate_only_to_1": ("PV silences subset B (s = [1, 0]); no SST (a = [1, 1])",
                       (0.0, PV_ON_PA), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0)),
    "receptivity_only_to_1": ("no PV (s = [1, 1]); SST inhibits target 2's dendrites (a = [1, low])",
                              (0.0, 0.0), (0.0, SST_ON_PA), (1.0, 1.0), (1.0, MESO_A_LOW)),
}
MAIN_CONTEXTS = ("route_to_target_1", "route_to_target_2")


def design(quick: bool) -> dict:
    """Sizes, weights and the block schedule of the run."""
    if quick:
        sizes = {"n_source": 150, "n_target": 150, "n_pv": 20, "n_sst": 20}
        schedule = ["route_to_target_1", "route_to_target_2"] * 3
        block_s = 1.2
    else:
        sizes = {"n_source": 500, "n_target": 400, "n_pv": 40, "n_sst": 40}
        schedule = ["route_to_target_1", "route_to_target_2", "gate_only_to_1", "receptivity_only_to_1"] * 4
        block_s = 2.0
    # weights scaled with the population sizes: each cell receives the same total input at any size
    scale_source, scale_pv, scale_sst = 150 / sizes["n_source"], 20 / sizes["n_pv"], 20 / sizes["n_sst"]
    return {**sizes, "schedule": schedule, "block_s": block_s, "p_source_target": 0.1,
            "w_source_target_nS": 6.0 * scale_source, "w_pv_source_nS": 2.0 * scale_pv,
            "w_sst_target_nS": 10.0 * scale_sst, "target_soma_pA": 400.0, "target_dendrite_pA": 0.0,
            "noise_sd_pA": 150.0}


def source_drive(duration_s: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random steps: (start times in s, levels in pA), each held 100-250 ms."""
    starts, levels, t = [], [], 0.0
    while t < duration_s:
        starts.append(t)
        levels.append(rng.uniform(*SOURCE_CURRENT_PA))
        t += rng.uniform(*SOURCE_HOLD_S)
    return np.array(starts), np.array(levels)


def context_of_time(t_s: np.ndarray, schedule: list[str], block_s: float) -> np.ndarray:
    """The context name at each time (the first block also covers the burn-in)."""
    index = np.clip(np.floor((np.asarray(t_s) - BURN_IN_S) / block_s).astype(int), 0, len(schedule) - 1)
    return np.asarray(schedule)[index]


def build_plan(quick: bool, seed: int = SEED):
    """The network plan and the per-step inputs (source drive and context currents)."""
    from brian2 import nS, pA, second

    from models.interneurons import PV_PAYEUR, SST_PAYEUR
    from models.pyramidal import PyramidalParameters
    from spiking.plan import CurrentInjection, NetworkPlan, OUNoise, Population, Projection
    from spiking.stimuli import Constant, Sampled

    d = design(quick)
    duration_s = BURN_IN_S + d["block_s"] * len(d["schedule"])
    plan = NetworkPlan(duration=duration_s * second, seed=seed)
    pyr = PyramidalParameters()
    plan.add_population(Population("source", pyr, n_per_unit=d["n_source"], n_units=2))
    plan.add_population(Population("target", pyr, n_per_unit=d["n_target"], n_units=2))
    plan.add_population(Population("pv", PV_PAYEUR.replace(I_bias=0 * pA), n_per_unit=d["n_pv"], n_units=2))
    plan.add_population(Population("sst", SST_PAYEUR, n_per_unit=d["n_sst"], n_units=2))
    for name, subset, target in MICRO_PROJECTIONS:
        plan.add_projection(Projection(name, "source", "target", "dendrite", "ampa", "pairwise",
                                       weight=d["w_source_target_nS"] * nS, p=d["p_source_target"],
                                       source_units=(subset,), target_units=(target,)))
    plan.add_projection(Projection("pv_to_source", "pv", "source", "soma", "gaba", "all_to_all",
                                   weight=d["w_pv_source_nS"] * nS))
    plan.add_projection(Projection("sst_to_target", "sst", "target", "dendrite", "gaba", "all_to_all",
                                   weight=d["w_sst_target_nS"] * nS))
    for name in ("source", "target"):
        plan.add_noise(OUNoise(name, "soma", 0 * pA, d["noise_sd_pA"] * pA))
    rng = np.random.default_rng(seed)
    starts, levels = source_drive(duration_s, rng)
    dt_s = float(plan.dt)
    t = np.arange(int(round(duration_s / dt_s)) + 1) * dt_s
    drive_pA = levels[np.searchsorted(starts, t, side="right") - 1]
    plan.add_current(CurrentInjection("source", "soma", Sampled(drive_pA * pA, plan.dt)))
    plan.add_current(CurrentInjection("target", "soma", Constant(d["target_soma_pA"] * pA)))
    plan.add_current(CurrentInjection("target", "dendrite", Constant(d["target_dendrite_pA"] * pA)))
    contexts = context_of_time(t, d["schedule"], d["block_s"])
    for population, column in (("pv", 1), ("sst", 2)):
        waves = []
        for unit in range(2):
            values = np.array([CONTEXTS[c][column][unit] for c in contexts])
            waves.append(Sampled(values * pA, plan.dt))
        plan.add_current(CurrentInjection(population, "soma", waves))
    for name in ("source", "target", "pv", "sst"):
        plan.record_spikes(name)
    return plan, {"t_s": t, "drive_pA": drive_pA, "starts_s": starts, "levels_pA": levels, "design": d,
                  "duration_s": duration_s}


def analysis_windows(d: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window edges (start, stop in s) and the context of each window; windows in the first
    SETTLE_S of each block are left out."""
    starts, names = [], []
    per_block = int(round((d["block_s"] - SETTLE_S) / WINDOW_S + 1e-9))
    for k, context in enumerate(d["schedule"]):
        block_start = BURN_IN_S + k * d["block_s"] + SETTLE_S
        starts.extend(block_start + WINDOW_S * np.arange(per_block))
        names.extend([context] * per_block)
    starts = np.asarray(starts)
    return starts, starts + WINDOW_S, np.asarray(names)


def windowed_rates(spikes, starts: np.ndarray, stops: np.ndarray) -> dict[str, np.ndarray]:
    """Event and burst rates (Hz) of each unit in each window: arrays (n_windows, n_units)."""
    from spiking.decoding import decompose

    d = decompose(spikes, rule=EVENT_RULE)
    units = spikes.unit_of_neuron
    n_per_unit = spikes.neurons_per_unit.astype(float)
    burst_event_times = d.event_times_s[d.burst_event]
    out = {}
    for key, times, neurons in (("event_rate_hz", d.event_times_s, d.event_neurons),
                                ("burst_rate_hz", burst_event_times, d.burst_neurons)):
        rates = np.zeros((len(starts), spikes.n_units))
        for k, (t0, t1) in enumerate(zip(starts, stops)):
            sel = (times >= t0) & (times < t1)
            rates[k] = np.bincount(units[neurons[sel]], minlength=spikes.n_units) / (n_per_unit * (t1 - t0))
        out[key] = rates
    out["spike_rate_hz"] = np.array([[np.count_nonzero((spikes.times_s >= t0) & (spikes.times_s < t1)
                                                        & (units[spikes.indices] == u)) / (n_per_unit[u] * (t1 - t0))
                                      for u in range(spikes.n_units)] for t0, t1 in zip(starts, stops)])
    return out


#: The fixed micro projections: (name, source subset unit, target unit).
MICRO_PROJECTIONS = (("subset_a_to_target_1", 0, 0), ("subset_b_to_target_2", 1, 1))


def micro_weights(plan, n_synapses: dict) -> dict:
    """The micro weights as a (target x subset) matrix of the summed conductance each target cell
    receives per spike of every cell of the subset (nS: synapses x weight / target cells), from
    the synapse counts of the build; pairs without a projection are 0."""
    n_target = plan.populations["target"].n_per_unit
    matrix = np.zeros((2, 2))
    synapses = {}
    for name, subset, target in MICRO_PROJECTIONS:
        proj = plan.projections[name]
        matrix[target, subset] = n_synapses[name] * float(proj.weight) * 1e9 / n_target
        synapses[name] = {"n_synapses": int(n_synapses[name]), "weight_per_synapse_nS": float(proj.weight) * 1e9,
                          "p": proj.p, "compartment": proj.compartment, "receptor": proj.receptor,
                          "plastic": proj.plastic}
    return {"summed_nS_per_target_cell": matrix.tolist(), "projections": synapses}


def compute(quick: bool = False, backend: str = "runtime") -> dict:
    from spiking.routing import effective_meso_weight, meso_routing
    from spiking.simulation import Simulation

    plan, inputs = build_plan(quick)
    d = inputs["design"]
    start = time.perf_counter()
    with Simulation(plan, backend=backend) as sim:
        result = sim.run()
    wall_sim = time.perf_counter() - start
    starts, stops, window_context = analysis_windows(d)
    source = windowed_rates(result.spikes["source"], starts, stops)
    target = windowed_rates(result.spikes["target"], starts, stops)
    # the source unit = subsets A and B together (equal sizes: the mean of the two halves)
    source_er = source["event_rate_hz"].mean(axis=1)
    contexts = list(dict.fromkeys(d["schedule"]))
    spiking_fit = {key: {c: effective_meso_weight(source_er, target[key], mask=window_context == c)
                         for c in contexts} for key in ("event_rate_hz", "burst_rate_hz")}
    # the meso model on the same windows: x = the mean somatic step current of the window, scaled
    t, drive = inputs["t_s"], inputs["drive_pA"]
    window_drive = np.array([drive[(t >= t0) & (t < t1)].mean() for t0, t1 in zip(starts, stops)])
    x = (window_drive - SOURCE_CURRENT_PA[0]) / (SOURCE_CURRENT_PA[1] - SOURCE_CURRENT_PA[0])
    gate = np.array([CONTEXTS[c][3] for c in window_context])
    receptivity = np.array([CONTEXTS[c][4] for c in window_context])
    meso = meso_routing(x, gate, receptivity, micro_weight=MESO_W * np.eye(2), bias=[MESO_BIAS, MESO_BIAS],
                        contexts=window_context)
    micro = micro_weights(plan, result.n_synapses)
    subset_er = {c: source["event_rate_hz"][window_context == c].mean(axis=0).tolist() for c in contexts}
    rates = {name: len(result.spikes[name]) / (result.spikes[name].n_neurons * inputs["duration_s"])
             for name in ("source", "target", "pv", "sst")}
    return {"plan": plan, "inputs": inputs, "result": result, "backend": backend, "quick": quick,
            "windows": {"start_s": starts, "stop_s": stops, "context": window_context, "source_er_hz": source_er,
                        "source": source, "target": target, "x": x},
            "spiking_fit": spiking_fit, "meso": meso, "micro": micro, "contexts": contexts, "subset_er": subset_er,
            "rates_hz": rates, "wall_s": time.perf_counter() - start, "simulation_wall_s": wall_sim,
            "timings_s": result.timings_s}


def summary(data: dict) -> dict:
    from spiking.provenance import provenance
    from spiking.routing import route_contrast

    plan, d = data["plan"], data["inputs"]["design"]
    contexts = data["contexts"]
    er_fit, br_fit, meso = data["spiking_fit"]["event_rate_hz"], data["spiking_fit"]["burst_rate_hz"], data["meso"]
    return {
        "contexts": {c: {"description": CONTEXTS[c][0], "pv_current_pA": list(CONTEXTS[c][1]),
                         "sst_current_pA": list(CONTEXTS[c][2]), "meso_gate_s": list(CONTEXTS[c][3]),
                         "meso_receptivity_a": list(CONTEXTS[c][4]),
                         "n_windows": int(np.sum(data["windows"]["context"] == c)),
                         "source_subset_event_rate_hz": data["subset_er"][c]} for c in contexts},
        "meso_weight": {c: {"spiking": er_fit[c].weight.tolist(), "meso": meso.weights[c].weight.tolist()}
                        for c in contexts},
        "route_contrast": {c: {"spiking": route_contrast(er_fit[c].weight),
                               "meso": route_contrast(meso.weights[c].weight),
                               "spiking_burst_rate": route_contrast(br_fit[c].weight)} for c in contexts},
        "spiking_fit": {"event_rate": {c: er_fit[c].to_dict() for c in contexts},
                        "burst_rate": {c: br_fit[c].to_dict() for c in contexts}},
        "meso_fit": {c: meso.weights[c].to_dict() for c in contexts},
        "micro_weights": {c: data["micro"] for c in contexts},
        "params": {"plan": plan.to_dict(), "design": d, "window_s": WINDOW_S, "settle_s": SETTLE_S,
                   "burn_in_s": BURN_IN_S, "source_current_pA": list(SOURCE_CURRENT_PA),
                   "source_hold_s": list(SOURCE_HOLD_S), "event_rule": EVENT_RULE,
                   "meso_model": {"a_low": MESO_A_LOW, "W": (MESO_W * np.eye(2)).tolist(), "bias": MESO_BIAS,
                                  "x": "mean somatic step current of the window, scaled to [0, 1] over "
                                       f"{SOURCE_CURRENT_PA} pA"},
                   "spiking_weight_units": "Hz of target events per Hz of source events",
                   "meso_weight_units": "h per unit of source activity (mean over subsets of s_i x)",
                   "population_rates_hz": data["rates_hz"], "quick": data["quick"]},
        "provenance": provenance(backend=data["backend"], seed=plan.seed, dt_ms=float(plan.dt * 1e3),
                                 wall_s=round(data["wall_s"], 3), simulation_timings_s=data["timings_s"]),
    }


CONTEXT_COLORS = {"route_to_target_1": "tab:blue", "route_to_target_2": "tab:orange", "gate_only_to_1": "tab:green",
                  "receptivity_only_to_1": "tab:purple"}
TARGET_COLORS = ("tab:red", "tab:cyan")


def plot(data: dict, out: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from spiking.decoding import unit_rates

    d, contexts = data["inputs"]["design"], data["contexts"]
    fig = plt.figure(figsize=(15, 11))
    grid = fig.add_gridspec(3, 3, height_ratios=[1.15, 1, 1])
    # (a) rates over time with the context blocks shaded
    ax = fig.add_subplot(grid[0, :])
    bin_s = 0.05
    src = unit_rates(data["result"].spikes["source"], bin_s, rule=EVENT_RULE)
    tgt = unit_rates(data["result"].spikes["target"], bin_s, rule=EVENT_RULE)
    t = src.time.values
    ax.plot(t, src.event_rate.values.mean(axis=0), color="black", lw=1.2, label="source unit (A and B)")
    ax.plot(t, src.event_rate.values[0], color="0.55", lw=0.8, ls="--", label="source subset A")
    ax.plot(t, src.event_rate.values[1], color="0.55", lw=0.8, ls=":", label="source subset B")
    for unit, color in enumerate(TARGET_COLORS):
        ax.plot(t, tgt.event_rate.values[unit], color=color, lw=1.2, label=f"target {unit + 1}")
    shown = set()
    for k, context in enumerate(d["schedule"]):
        t0 = BURN_IN_S + k * d["block_s"]
        ax.axvspan(t0, t0 + d["block_s"], color=CONTEXT_COLORS[context], alpha=0.12,
                   label=None if context in shown else f"context: {context}")
        shown.add(context)
    ax.axvspan(0, BURN_IN_S, color="0.85", alpha=0.5, label="burn-in")
    shown_s = BURN_IN_S + min(len(d["schedule"]), 4) * d["block_s"]  # an excerpt: every context once
    ax.set_xlim(0, shown_s)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(f"event rate (Hz, {bin_s * 1e3:.0f} ms bins)")
    ax.legend(fontsize=7, ncol=5, frameon=False, loc="upper left")
    ax.set_title(f"(a) first {shown_s:.1f} s of {data['inputs']['duration_s']:.1f} s: the source's rate follows its "
                 "somatic steps; which target follows the source depends on the context", fontsize=10)
    # (b) target vs source per main context, with the regression lines
    w = data["windows"]
    for col, context in enumerate(MAIN_CONTEXTS):
        ax = fig.add_subplot(grid[1, col])
        m = w["context"] == context
        x = w["source_er_hz"][m]
        fit = data["spiking_fit"]["event_rate_hz"][context]
        line_x = np.linspace(x.min(), x.max(), 2)
        for unit, color in enumerate(TARGET_COLORS):
            y = w["target"]["event_rate_hz"][m, unit]
            ax.plot(x, y, "o", color=color, ms=3.5, alpha=0.7)
            slope, se = fit.weight[unit, 0], fit.weight_se[unit, 0]
            ax.plot(line_x, fit.intercept[unit] + slope * line_x, color=color,
                    label=f"target {unit + 1}: w = {slope:.2f} ± {se:.2f} Hz/Hz (R$^2$ = {fit.r_squared[unit]:.2f})")
        ax.set_xlabel("source unit event rate (Hz)")
        ax.set_ylabel("target event rate (Hz)")
        ax.legend(fontsize=7, frameon=False, loc="upper left")
        ax.set_title(f"(b) {context}: {m.sum()} windows of {WINDOW_S * 1e3:.0f} ms", fontsize=10)
    # (c, d) meso weights per context: spiking (event and burst rate), then the meso model
    xpos = np.arange(len(contexts))
    ax = fig.add_subplot(grid[1, 2])
    for unit, color in enumerate(TARGET_COLORS):
        for offset, key, hatch in ((0, "event_rate_hz", None), (1, "burst_rate_hz", "//")):
            fits = data["spiking_fit"][key]
            ax.bar(xpos + (2 * unit + offset - 1.5) * 0.2, [fits[c].weight[unit, 0] for c in contexts], width=0.2,
                   yerr=[fits[c].weight_se[unit, 0] for c in contexts], color=color, hatch=hatch, edgecolor="black",
                   lw=0.5, capsize=2, label=f"target {unit + 1}, {'events' if offset == 0 else 'bursts'}")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(xpos, [c.replace("_", " ") for c in contexts], fontsize=7)
    ax.set_ylabel("meso weight (target Hz per source Hz)")
    ax.legend(fontsize=7, frameon=False)
    ax.set_title("(c) spiking network: meso weight per context (± SE)", fontsize=10)
    ax = fig.add_subplot(grid[2, 0])
    for unit, color in enumerate(TARGET_COLORS):
        ax.bar(xpos + (unit - 0.5) * 0.35, [data["meso"].weights[c].weight[unit, 0] for c in contexts], width=0.35,
               color=color, edgecolor="black", lw=0.5, label=f"target {unit + 1}")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(xpos, [c.replace("_", " ") for c in contexts], fontsize=7)
    ax.set_ylabel("meso weight (dh / d source activity)")
    ax.legend(fontsize=7, frameon=False)
    ax.set_title("(d) meso model h = sigmoid(a W s x + b): same contexts", fontsize=10)
    # (e) route contrast: spiking vs meso
    ax = fig.add_subplot(grid[2, 1])
    rc = out["route_contrast"]
    for offset, (key, label, color) in enumerate((("spiking", "spiking, event rate", "0.3"),
                                                  ("spiking_burst_rate", "spiking, burst rate", "0.6"),
                                                  ("meso", "meso model", "tab:olive"))):
        ax.bar(xpos + (offset - 1) * 0.27, [rc[c][key] for c in contexts], width=0.27, color=color, label=label)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylim(-1.1, 1.1)
    ax.set_xticks(xpos, [c.replace("_", " ") for c in contexts], fontsize=7)
    ax.set_ylabel("route contrast (w1 - w2)/(|w1| + |w2|)")
    ax.legend(fontsize=7, frameon=False)
    ax.set_title("(e) route contrast: +1 = to target 1 only, -1 = to target 2 only", fontsize=10)
    # (e) micro weights per context: the same synapses in every context
    ax = fig.add_subplot(grid[2, 2])
    for k, (name, subset, target) in enumerate(MICRO_PROJECTIONS):
        values = [out["micro_weights"][c]["summed_nS_per_target_cell"][target][subset] for c in contexts]
        ax.bar(xpos + (k - 0.5) * 0.35, values, width=0.35, color=TARGET_COLORS[target], edgecolor="black", lw=0.5,
               label=f"{name.replace('_', ' ')} ({out['micro_weights'][contexts[0]]['projections'][name]['n_synapses']} "
                     "synapses)")
    ax.set_xticks(xpos, [c.replace("_", " ") for c in contexts], fontsize=7)
    ax.set_ylabel("micro weight: summed synaptic weight\nonto one target cell (nS)")
    ax.set_ylim(0, 1.45 * max(max(v) for v in out["micro_weights"][contexts[0]]["summed_nS_per_target_cell"]))
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.set_title("(f) micro weights W per context: unchanged (one build, static)", fontsize=10)
    n = data["plan"].populations
    fig.suptitle(f"Routing with fixed micro weights, W(t) = a(t) W s(t): source {2 * n['source'].n_per_unit} "
                 f"pyramids (subsets A, B), targets {n['target'].n_per_unit} each, PV gates s, SST sets a", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    args = figure_arguments(__doc__.splitlines()[0]).parse_args(argv)
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend)
    out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(data, out))
    print(f"wrote {prefix}.png/.json; route contrast: "
          + ", ".join(f"{c}: spiking {v['spiking']:+.2f}, meso {v['meso']:+.2f}" for c, v in out["route_contrast"].items()))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
