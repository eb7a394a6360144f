"""Burst probability and event rate vs dendritic current (docs/model.md; Payeur et al.
2021 supplementary BP-curve normalization).

Three units of 4000 pyramids (one per somatic current I_s = 0, 100, 200 pA; 500 with --quick)
share a sparse Poisson background (25000 excitatory + 25000 inhibitory sources at 5 Hz, each pair
connected with probability 100/25000 and 30/25000 per compartment; soma 0.17 / 0.26, dendrite
0.043 / 0.07 in leak units) and each has recurrent facilitating (STF) dendritic inhibition (GABA,
w = 0.02, p = 0.05 within the unit), on by default. The dendritic current steps from -100 to
350 pA in 50 pA steps of 1 s (0.5 s with --quick), from the start as in the reference program;
E and P are measured over the last half of each step with the reference's event rule, bursts
counted in their event's window.

Reference-code choices (recorded in the JSON): moving threshold, dendritic synaptic driving
force V_s, STP starting at u = 0.01, 0.8 ms synaptic delays. The reference's own curves (5 seeds)
are in validation/reference_data/bp_transfer_reference.json and are drawn beside ours.

Usage::

    python figures/bp_transfer.py [--out DIR] [--quick] [--backend runtime|cpp_standalone] [--no-inhibition]
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "bp_transfer"
#: Event/burst rule of the decoder: the reference code\'s spike trace (spiking.decoding).
EVENT_RULE = "trace"
SEED = 1707
SOMATIC_CURRENTS_PA = (0, 100, 200)
DENDRITIC_CURRENTS_PA = tuple(range(-100, 351, 50))


def protocol(quick: bool, inhibition: bool = True, n_per_unit: int | None = None):
    """The plan, its step timing and the somatic currents. As the reference program
    (sim_normalization_of_bpcurves): the staircase starts at once (no burn-in), the background
    connects each pair with probability 100/25000 (30/25000 inhibitory)."""
    from brian2 import Hz, pA, second

    from spiking.experiments.circuits import add_sparse_background, leak_units
    from models.pyramidal import PyramidalParameters
    from models.synapses import STF_PAYEUR
    from spiking.plan import CurrentInjection, NetworkPlan, Population, Projection
    from spiking.stimuli import Constant, Sampled

    if n_per_unit is None:
        n_per_unit = 500 if quick else 4000
    step_s = 0.5 if quick else 1.0
    burn_in_s = 0.0
    pool = 5000 if quick else 25000
    params = PyramidalParameters()
    levels = np.array((DENDRITIC_CURRENTS_PA[0],) + DENDRITIC_CURRENTS_PA, dtype=float)
    durations = [burn_in_s] + [step_s] * len(DENDRITIC_CURRENTS_PA)
    plan = NetworkPlan(duration=sum(durations) * second, seed=SEED)
    plan.add_population(Population("pyr", params, n_per_unit=n_per_unit, n_units=len(SOMATIC_CURRENTS_PA)))
    add_sparse_background(plan, "pyr", {"soma": (0.17, 0.26), "dendrite": (0.043, 0.07)}, n_exc=pool, n_inh=pool,
                          rate=5 * Hz)
    if inhibition:
        # the same mean number of inhibitory inputs per neuron (200) at every ensemble size
        p = min(1.0, 0.05 * 4000 / n_per_unit)
        plan.add_projection(Projection("recurrent_inhibition", "pyr", "pyr", "dendrite", "gaba", "pairwise",
                                       weight=leak_units(0.02, params, "dendrite"), p=p,
                                       stp=STF_PAYEUR.replace(u_initial=0.01)))
    plan.add_current(CurrentInjection("pyr", "soma", [Constant(i * pA) for i in SOMATIC_CURRENTS_PA]))
    # dendritic staircase, one sample per step
    samples = np.repeat(levels, [int(round(d / step_s)) for d in durations])
    plan.add_current(CurrentInjection("pyr", "dendrite", Sampled(samples * pA, step_s * second)))
    plan.record_spikes("pyr")
    return plan, params, burn_in_s, step_s


def compute(quick: bool = False, backend: str = "runtime", inhibition: bool = True,
            n_per_unit: int | None = None) -> dict:
    """Run the staircase and measure E and P in the last half of each step."""
    from spiking.decoding import decompose
    from spiking.simulation import Simulation

    plan, params, burn_in_s, step_s = protocol(quick, inhibition, n_per_unit)
    start = time.perf_counter()
    with Simulation(plan, backend=backend) as sim:
        result = sim.run()
    wall = time.perf_counter() - start
    spikes = result.spikes["pyr"]
    n_per_unit = spikes.neurons_per_unit
    curves = {}
    for rule in (EVENT_RULE, "isi"):  # the other rule on the same spikes, for comparison
        d = decompose(spikes, rule=rule)
        unit_of_event = spikes.unit_of_neuron[d.event_neurons]
        er, bp = {}, {}
        for u, i_s in enumerate(SOMATIC_CURRENTS_PA):
            er[str(i_s)], bp[str(i_s)] = [], []
            for k in range(len(DENDRITIC_CURRENTS_PA)):
                t0 = burn_in_s + k * step_s + step_s / 2
                t1 = burn_in_s + (k + 1) * step_s
                sel = (unit_of_event == u) & (d.event_times_s >= t0) & (d.event_times_s < t1)
                events = int(sel.sum())
                bursts = int(np.count_nonzero(d.event_n_spikes[sel] >= 2))
                er[str(i_s)].append(events / (n_per_unit[u] * (t1 - t0)))
                bp[str(i_s)].append(100.0 * bursts / events if events else float("nan"))
        curves[rule] = (er, bp)
    er, bp = curves[EVENT_RULE]
    return {"plan": plan, "params": params, "er_hz": er, "bp_percent": bp, "inhibition": inhibition,
            "bp_percent_isi_rule": curves["isi"][1], "er_hz_isi_rule": curves["isi"][0],
            "n_per_unit": int(n_per_unit[0]), "step_s": step_s, "burn_in_s": burn_in_s, "backend": backend,
            "wall_s": wall, "timings_s": result.timings_s, "n_synapses": result.n_synapses}


def summary(data: dict) -> dict:
    from spiking.provenance import provenance

    plan = data["plan"]
    return {"i_d_pA": list(DENDRITIC_CURRENTS_PA), "bp_percent": data["bp_percent"], "er_hz": data["er_hz"],
            "bp_percent_isi_rule": data["bp_percent_isi_rule"], "er_hz_isi_rule": data["er_hz_isi_rule"],
            "reference": reference_curves(),
            "params": {"neuron": data["params"].to_dict(), "plan": plan.to_dict(),
                       "recurrent_stf_inhibition": data["inhibition"], "n_per_unit": data["n_per_unit"],
                       "step_s": data["step_s"], "burn_in_s": data["burn_in_s"],
                       "averaging": "last half of each step; bursts counted with their event",
                       "event_rule": EVENT_RULE,
                       "stp_initial_u": 0.01, "n_synapses": data["n_synapses"]},
            "provenance": provenance(backend=data["backend"], seed=plan.seed, dt_ms=float(plan.dt * 1e3),
                                     wall_s=round(data["wall_s"], 3), simulation_timings_s=data["timings_s"])}


def reference_curves() -> dict | None:
    """The reference implementation's curves (mean of 5 seeds; validation/reference_data), or None
    where the file is absent."""
    from spiking.figure_io import load_reference_data

    data = load_reference_data("bp_transfer_reference.json")
    if data is None:
        return None
    ref = data["across_seeds_patched"]
    return {"bp_percent": {str(i): [100 * s["burst_prob"]["mean"] for s in ref[f"soma{i}pA"]] for i in SOMATIC_CURRENTS_PA},
            "er_hz": {str(i): [s["event_rate_hz"]["mean"] for s in ref[f"soma{i}pA"]] for i in SOMATIC_CURRENTS_PA}}


def plot(data: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_bp, ax_er) = plt.subplots(1, 2, figsize=(11, 4.5))
    colors = {"0": "tab:blue", "100": "tab:orange", "200": "tab:red"}
    reference = reference_curves()
    for i_s in map(str, SOMATIC_CURRENTS_PA):
        ax_bp.plot(DENDRITIC_CURRENTS_PA, data["bp_percent"][i_s], "o-", color=colors[i_s], label=f"$I_s$ = {i_s} pA")
        ax_er.plot(DENDRITIC_CURRENTS_PA, data["er_hz"][i_s], "o-", color=colors[i_s], label=f"$I_s$ = {i_s} pA")
        if reference is not None:
            label = "reference (Auryn, 5 seeds)" if i_s == "0" else None
            ax_bp.plot(DENDRITIC_CURRENTS_PA, reference["bp_percent"][i_s], "--", color=colors[i_s], alpha=0.6,
                       label=label)
            ax_er.plot(DENDRITIC_CURRENTS_PA, reference["er_hz"][i_s], "--", color=colors[i_s], alpha=0.6)
    ax_bp.set_xlabel("dendritic current $I_d$ (pA)")
    ax_bp.set_ylabel("burst probability (%)")
    ax_bp.set_ylim(0, 100)
    ax_er.set_xlabel("dendritic current $I_d$ (pA)")
    ax_er.set_ylabel("event rate (Hz)")
    ax_er.set_ylim(bottom=0)
    ax_bp.legend(frameon=False)
    inh = "with" if data["inhibition"] else "without"
    ax_bp.set_title(f"(a) BP rises sigmoidally with $I_d$ ({inh} recurrent STF inhibition)", fontsize=10)
    ax_er.set_title("(b) ER changes far less", fontsize=10)
    fig.suptitle(f"Dendritic transfer function, {data['n_per_unit']} neurons per curve", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    parser = figure_arguments(__doc__.splitlines()[0])
    parser.add_argument("--no-inhibition", action="store_true", help="switch off recurrent STF dendritic inhibition")
    args = parser.parse_args(argv)
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend,
                          inhibition=not args.no_inhibition)
    out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(data))
    print(f"wrote {prefix}.png/.json; BP at I_s = 0: "
          + ", ".join(f"{x:.0f}" for x in out["bp_percent"]["0"]) + " %")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
