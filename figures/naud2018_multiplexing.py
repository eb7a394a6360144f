"""Burst multiplexing in one ensemble (Naud & Sprekeler 2018, Fig. 1; docs/model.md).

One ensemble of two-compartment neurons (4000 in the full run, 1000 with --quick) with
independent OU current noise in soma and dendrite (tau 2 ms, sigma 450 pA, means 70 and
-270 pA) receives a somatic square wave (220 <-> 280 pA, 100 ms up / 100 ms down) and a
dendritic square wave (-210 <-> 140 pA). The event rate E(t) should follow the somatic input
and the burst probability P(t) the dendritic one.

Departure from the recipe of the reference notes: there the dendritic wave has the same 200 ms period as
the somatic one (115 ms up, 85 ms down, 65 ms lag), which makes the two inputs correlated
(r = -0.41 over 800 ms) and the cross-talk unmeasurable. Here the dendritic wave has an
incommensurate period (170 ms up, 120 ms down) and the run lasts 2 s, so the inputs are nearly
uncorrelated (r = 0.04) as in Naud & Sprekeler's independent streams. The first 200 ms
(onset transient) are excluded from the analysis. The neuron is the
reference implementation's (moving threshold, somatic driving force for dendritic synapses).

Usage::

    python figures/naud2018_multiplexing.py [--out DIR] [--quick] [--backend runtime|cpp_standalone]
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "naud2018_multiplexing"
#: Event/burst rule of the decoder: the reference code\'s spike trace (spiking.decoding).
EVENT_RULE = "trace"
SEED = 2018
#: Onset transient excluded from the analysis (adaptation settles within ~ tau_ws = 100 ms).
BURN_IN_S = 0.2


def protocol(quick: bool):
    """Plan and input waveforms of the protocol."""
    from brian2 import ms, pA, second

    from models.pyramidal import PyramidalParameters
    from spiking.plan import CurrentInjection, NetworkPlan, OUNoise, Population
    from spiking.stimuli import SquareWave

    n_neurons = 1000 if quick else 4000
    params = PyramidalParameters()
    soma = SquareWave(220 * pA, 280 * pA, t_high=100 * ms, t_low=100 * ms)
    dendrite = SquareWave(-210 * pA, 140 * pA, t_high=170 * ms, t_low=120 * ms, t_shift=65 * ms)
    plan = NetworkPlan(duration=BURN_IN_S * second + 2 * second, seed=SEED)
    plan.add_population(Population("pyr", params, n_per_unit=n_neurons))
    plan.add_noise(OUNoise("pyr", "soma", mean=70 * pA, sigma=450 * pA, tau=2 * ms))
    plan.add_noise(OUNoise("pyr", "dendrite", mean=-270 * pA, sigma=450 * pA, tau=2 * ms))
    plan.add_current(CurrentInjection("pyr", "soma", soma))
    plan.add_current(CurrentInjection("pyr", "dendrite", dendrite))
    plan.record_spikes("pyr")
    plan.detect_bursts("pyr", bin_width=20 * ms, rule=EVENT_RULE)
    return plan, params, soma, dendrite


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation over the bins where both are defined."""
    ok = np.isfinite(a) & np.isfinite(b)
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def compute(quick: bool = False, backend: str = "runtime", bin_ms: float = 20.0) -> dict:
    """Run the ensemble and decode E, B, P; returns everything the plot and JSON need."""
    from spiking.decoding import decompose, unit_rates
    from spiking.simulation import Simulation

    plan, params, soma, dendrite = protocol(quick)
    start = time.perf_counter()
    with Simulation(plan, backend=backend) as sim:
        result = sim.run()
    wall = time.perf_counter() - start
    spikes = result.spikes["pyr"]
    rates = unit_rates(spikes, bin_ms / 1000.0, t_start_s=BURN_IN_S, burst_time="event", rule=EVENT_RULE)
    t = rates.time.values
    er, br, bp = (rates[k].values[0] for k in ("event_rate", "burst_rate", "burst_probability"))
    i_soma, i_dend = soma.sample(t), dendrite.sample(t)
    decomposition = decompose(spikes, rule=EVENT_RULE)
    raster = (spikes.indices < 100) & (spikes.times_s >= BURN_IN_S)
    return {"plan": plan, "params": params, "t_s": t, "event_rate": er, "burst_rate": br, "burst_probability": bp,
            "i_soma": i_soma, "i_dend": i_dend, "raster_t": spikes.times_s[raster],
            "raster_i": spikes.indices[raster],
            "raster_burst": ~decomposition.is_event[raster] | decomposition.is_burst_start[raster],
            "corr_er_soma": pearson(er, i_soma), "corr_bp_dend": pearson(bp, i_dend),
            "corr_er_dend": pearson(er, i_dend), "corr_bp_soma": pearson(bp, i_soma),
            "corr_inputs": pearson(i_soma, i_dend), "bin_ms": bin_ms, "n_neurons": spikes.n_neurons,
            "online_equals_offline": bool(
                np.array_equal(result.online["pyr"].event_count.values,
                               unit_rates(spikes, bin_ms / 1e3, burst_time="second_spike", rule=EVENT_RULE).event_count.values)
                and np.array_equal(result.online["pyr"].burst_count.values,
                                   unit_rates(spikes, bin_ms / 1e3, burst_time="second_spike", rule=EVENT_RULE).burst_count.values)),
            "wall_s": wall, "timings_s": result.timings_s, "backend": backend}


def summary(data: dict) -> dict:
    """The content of the JSON file."""
    from spiking.provenance import provenance

    plan = data["plan"]
    return {"corr_er_soma": data["corr_er_soma"], "corr_bp_dend": data["corr_bp_dend"],
            "corr_er_dend": data["corr_er_dend"], "corr_bp_soma": data["corr_bp_soma"],
            "bin_ms": data["bin_ms"], "n_neurons": data["n_neurons"],
            "params": {"neuron": data["params"].to_dict(), "plan": plan.to_dict(),
                       "input_correlation": data["corr_inputs"],
                       "mean_event_rate_hz": float(np.mean(data["event_rate"])),
                       "mean_burst_probability": float(np.nanmean(data["burst_probability"])),
                       "online_detector_equals_offline": data["online_equals_offline"],
                       "burst_counting": "event-aligned (a burst counts in its event's bin)",
                       "event_rule": EVENT_RULE,
                       "analysis_start_s": BURN_IN_S},
            "provenance": provenance(backend=data["backend"], seed=plan.seed, dt_ms=float(plan.dt * 1e3),
                                     wall_s=round(data["wall_s"], 3), simulation_timings_s=data["timings_s"])}


def plot(data: dict):
    """Raster with burst spikes, E over the somatic input, P over the dendritic input, B."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = data["t_s"]
    fig, axes = plt.subplots(4, 1, figsize=(10, 10), sharex=True, gridspec_kw={"height_ratios": [1.3, 1, 1, 1]})
    ax = axes[0]
    single = ~data["raster_burst"]
    ax.plot(data["raster_t"][single], data["raster_i"][single], "|", color="black", ms=3, label="isolated spike")
    ax.plot(data["raster_t"][~single], data["raster_i"][~single], "|", color="tab:red", ms=3, label="burst spike")
    ax.set_ylabel("neuron")
    ax.set_title(f"(a) raster, first 100 of {data['n_neurons']} neurons", fontsize=10, loc="left")
    ax.legend(loc="upper right", fontsize=8, ncol=2)
    panels = [("event_rate", "event rate E (Hz)", "i_soma", "somatic input", "black", "tab:blue",
               f"(b) E follows the somatic input (r = {data['corr_er_soma']:.2f}; with dendritic r = {data['corr_er_dend']:.2f})"),
              ("burst_probability", "burst probability P", "i_dend", "dendritic input", "tab:red", "tab:green",
               f"(c) P follows the dendritic input (r = {data['corr_bp_dend']:.2f}; with somatic r = {data['corr_bp_soma']:.2f})"),
              ("burst_rate", "burst rate B (Hz)", None, None, "tab:purple", None, "(d) B = E x P mixes both")]
    for ax, (key, label, inp, inp_label, color, inp_color, title) in zip(axes[1:], panels):
        ax.step(t, data[key], where="mid", color=color, lw=1.3)
        ax.set_ylabel(label, color=color)
        ax.set_title(title, fontsize=10, loc="left")
        if inp:
            twin = ax.twinx()
            twin.step(t, data[inp] * 1e12, where="mid", color=inp_color, lw=1, alpha=0.7)
            twin.set_ylabel(f"{inp_label} (pA)", color=inp_color)
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(f"Burst multiplexing (Naud & Sprekeler 2018), {data['bin_ms']:g} ms bins", fontsize=12)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    """Command-line entry point; returns the JSON summary."""
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    args = figure_arguments(__doc__.splitlines()[0]).parse_args(argv)
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend)
    out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(data))
    print(f"wrote {prefix}.png/.json: r(E, soma) = {out['corr_er_soma']:.2f}, "
          f"r(P, dendrite) = {out['corr_bp_dend']:.2f}, cross {out['corr_er_dend']:.2f} / {out['corr_bp_soma']:.2f}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
