"""BAC firing (Larkum, Zhu & Sakmann 1999) in the two-compartment neuron, with the Hay et al.
2011 stimulus (docs/model.md).

Panels: (a) somatic pulse alone (bAP), (b) distal EPSC alone below its own plateau
threshold, (c) the pair: dendritic plateau and somatic burst, (d) somatic spike count
vs EPSC onset offset, (e) plateau threshold of the EPSC alone vs paired.

Usage::

    python figures/larkum1999_bac.py [--out DIR] [--quick] [--backend runtime|cpp_standalone]

Writes ``bac.png`` and ``bac.json`` into ``--out`` (default ``figures/output/``).
"""

from __future__ import annotations

import sys
import time

NAME = "bac"


def compute(quick: bool = False, backend: str = "runtime"):
    """Run the BAC protocol; returns ``(params, protocol, result)``."""
    from models.pyramidal import PyramidalParameters
    from spiking.bac import BACProtocol, run_bac

    params = PyramidalParameters()
    protocol = BACProtocol.quick() if quick else BACProtocol()
    return params, protocol, run_bac(params, protocol, backend=backend)


def summary(params, protocol, result, backend: str, wall_s: float) -> dict:
    """The content of ``bac.json`` (exactly the keys the issue names)."""
    from spiking.provenance import provenance

    return {
        "spikes_bap_alone": result.spikes_bap_alone,
        "spikes_epsc_alone": result.spikes_epsc_alone,
        "spikes_paired": result.spikes_paired,
        "paired_isis_ms": result.paired_isis_ms,
        "window_ms": result.window_ms,
        "threshold_alone_nA": result.threshold_alone_nA,
        "threshold_paired_nA": result.threshold_paired_nA,
        "threshold_ratio": result.threshold_ratio,
        "params": {"neuron": params.to_dict(), "protocol": protocol.to_dict(),
                   "epsc_peak_nA": result.epsc_peak_nA,
                   "plateau_ms": {"bap_alone": result.plateau_bap_alone_ms,
                                  "epsc_alone": result.plateau_epsc_alone_ms,
                                  "paired": result.plateau_paired_ms},
                   "offsets_ms": result.offsets_ms, "offset_spike_counts": result.offset_spike_counts},
        "provenance": provenance(backend=backend, seed=None, dt_ms=float(protocol.dt * 1e3),
                                 wall_s=round(wall_s, 3), simulation_timings_s=result.timings_s),
    }


def plot(params, protocol, result):
    """Make the five-panel figure; returns the matplotlib figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = float(protocol.t_pulse * 1e3)
    fig = plt.figure(figsize=(13, 8.5))
    grid = fig.add_gridspec(3, 3, height_ratios=[3.2, 1, 3.4], hspace=0.45, wspace=0.28)
    titles = ["(a) somatic pulse alone (bAP)", f"(b) distal EPSC alone ({result.epsc_peak_nA:.2f} nA)",
              "(c) pulse + EPSC (BAC firing)"]
    window = (result.t_ms >= t0 - 10) & (result.t_ms <= t0 + 90)
    t = result.t_ms[window] - t0
    for k in range(3):
        ax = fig.add_subplot(grid[0, k])
        ax.plot(t, result.traces_mV["v_s"][k][window], color="black", lw=1.2, label="soma $V_s$")
        # integrate-and-fire spikes are instantaneous: draw each as a line up to +20 mV
        for spike in result.example_spike_times_ms[k]:
            ax.plot([spike - t0] * 2, [-50, 20], color="black", lw=1.2)
        ax.plot(t, result.traces_mV["v_d"][k][window], color="tab:red", lw=1.2, label="dendrite $V_d$")
        ax.axhline(float(params.E_d * 1e3), color="tab:red", ls=":", lw=0.8)
        ax.set_ylim(-80, 30)
        ax.set_title(f"{titles[k]}: {len(result.example_spike_times_ms[k])} spike(s)", fontsize=10)
        if k == 0:
            ax.set_ylabel("membrane potential (mV)")
            ax.legend(loc="upper right", fontsize=8, frameon=False)
            ax.text(88, float(params.E_d * 1e3) + 1.5, "$E_d$", color="tab:red", fontsize=8, ha="right")
        ax.tick_params(labelbottom=False)
        stim = fig.add_subplot(grid[1, k], sharex=ax)
        stim.plot(t, result.currents_nA["I_ext_s"][k][window], color="black", lw=1)
        stim.plot(t, result.currents_nA["I_ext_d"][k][window], color="tab:red", lw=1)
        stim.set_ylim(-0.1, 2.1)
        stim.set_xlabel("time from pulse onset (ms)")
        if k == 0:
            stim.set_ylabel("injected (nA)")
    ax = fig.add_subplot(grid[2, 0:2])
    ax.step(result.offsets_ms, result.offset_spike_counts, where="mid", color="black")
    if result.window_ms is not None:
        ax.axvspan(result.window_ms[0], result.window_ms[1], color="tab:orange", alpha=0.2,
                   label=f"burst window {result.window_ms[0]:g} to {result.window_ms[1]:g} ms")
    ax.axvline(float(protocol.epsc_offset * 1e3), color="gray", ls="--", lw=0.8, label="Hay 2011 offset (+5 ms)")
    ax.set_xlabel("EPSC onset minus somatic pulse onset (ms)")
    ax.set_ylabel("somatic spikes")
    ax.set_yticks(range(0, int(result.offset_spike_counts.max()) + 2))
    ax.set_title(f"(d) coincidence window (EPSC {result.epsc_peak_nA:.2f} nA)", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax = fig.add_subplot(grid[2, 2])
    ax.step(result.amplitude_scan_nA, result.scan_spikes_alone, where="post", color="tab:red", label="EPSC alone")
    ax.step(result.amplitude_scan_nA, result.scan_spikes_paired, where="post", color="black", label="EPSC + pulse")
    ax.axvline(result.threshold_alone_nA, color="tab:red", ls="--", lw=0.8)
    ax.axvline(result.threshold_paired_nA, color="black", ls="--", lw=0.8)
    ax.set_xlabel("EPSC peak (nA)")
    ax.set_ylabel("somatic spikes")
    ax.set_yticks(range(0, 5))
    ax.set_title(f"(e) plateau threshold {result.threshold_paired_nA:.2f} vs {result.threshold_alone_nA:.2f} nA"
                 f" (ratio {result.threshold_ratio:.2f})", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    fig.suptitle("BAC firing in the two-compartment neuron (Larkum et al. 1999; Hay et al. 2011 stimulus)",
                 fontsize=12)
    return fig


def main(argv: list[str] | None = None) -> dict:
    """Command-line entry point; returns the JSON summary."""
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    args = figure_arguments(__doc__.splitlines()[0]).parse_args(argv)
    start = time.perf_counter()
    params, protocol, result = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick,
                                               backend=args.backend)
    data = summary(params, protocol, result, args.backend, time.perf_counter() - start)
    prefix = write_outputs(args.out, NAME, data, plot(params, protocol, result))
    print(f"wrote {prefix}.png/.json: {data['spikes_paired']} spikes paired, "
          f"window {data['window_ms']} ms, threshold ratio {data['threshold_ratio']:.3f}")
    return data


if __name__ == "__main__":
    main(sys.argv[1:])
