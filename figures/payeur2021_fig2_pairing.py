"""Pairing protocols of the burst-dependent plasticity rule (Payeur et al. 2021, Fig. 2B-D).

Three protocols (``spiking.experiments.pairing``), each run through the simulator with spike-generator
trains on both sides of a plastic synapse (dt = 0.1 ms), and the same trains through the
pure-numpy reference of the rule (``spiking.plasticity_reference``):

(B) periodic pairing at zero lag, 15 epochs of 5 pairings: depression (every spike an event,
    dw = -eta Pbar Etilde) below 62.5 Hz, potentiation from 62.5 Hz (intervals <= 16 ms: each
    5-spike train is one event and one burst);
(C) independent Poisson trains (2 ms dead time), 100 s, 20 realizations, starting burst
    probability 30 % and 50 %: the weight change crosses zero where the postsynaptic burst
    probability 1 - exp(-lambda 14 ms) reaches the starting estimate (24 and 45 Hz);
(D) burst-Poisson trains (events at 5 or 10 Hz, each a doublet with probability p), 100 s, 20
    realizations, starting estimate 20 %: dw is linear in p, crosses zero at p = 20 % and is
    about (10/5)^2 = 4 times steeper at 10 Hz.

Event rule: the interval rule of the authors' pairing analysis (16 ms), as the paper's Fig. 2B-D
used; tau_pre = 50 ms, tau_avg = 15 s, eta = 0.1 (dw in units of eta/0.1: the paper's Delta W).
The dashed curves in (C) and (D) are the closed forms (``spiking.experiments.pairing``): E[dw] = tau_pre E_pre
int (B - E Pbar(t)) dt with the moving averages relaxing from their starting estimates.

--quick: fewer frequencies, epochs, realizations and a shorter protocol (for the tests).

Usage::

    python figures/payeur2021_fig2_pairing.py [--out DIR] [--quick] [--backend cpp_standalone|runtime]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from brian2 import Hz

NAME = "payeur2021_fig2_pairing"
P_BAR_0 = (0.3, 0.5)
EVENT_RATES = (5.0, 10.0)
BURST_POISSON_P_BAR_0 = 0.2


def protocol_settings(quick: bool) -> dict:
    if quick:
        return {"freqs": np.array([10.0, 40.0, 60.0, 62.0, 62.5, 63.0, 80.0, 100.0]), "n_epochs": 3,
                "rates": np.array([5.0, 15.0, 25.0, 35.0, 50.0]), "p_burst": np.array([0.0, 0.1, 0.2, 0.3, 0.45]),
                "n_realizations": 6, "duration_s": 30.0}
    freqs = np.unique(np.concatenate([np.linspace(1.0, 100.0, 20), [60.0, 61.0, 62.0, 62.5, 63.0, 64.0]]))
    return {"freqs": freqs, "n_epochs": 15, "rates": np.linspace(1.0, 50.0, 10), "p_burst": np.arange(0.0, 0.5, 0.05),
            "n_realizations": 20, "duration_s": 100.0}


def make_batches(settings: dict, seed: int = 1) -> tuple[list, float]:
    """The protocols' batches of trains and the simulated time they need."""
    from spiking.experiments.pairing import (PAIRING_RULE, PairingBatch, burst_poisson_trains, periodic_duration_s,
                                periodic_trains, poisson_trains)

    rng = np.random.default_rng(seed)
    batches = []
    trains = [periodic_trains(f, n_epochs=settings["n_epochs"]) for f in settings["freqs"]]
    batches.append(PairingBatch("periodic", PAIRING_RULE.replace(initial_event_rate=5 * Hz,
                                                                 initial_burst_rate=0.75 * Hz),
                                [t[0] for t in trains], [t[1] for t in trains]))
    duration = max(periodic_duration_s(f, n_epochs=settings["n_epochs"]) for f in settings["freqs"])
    n, t_stop = settings["n_realizations"], settings["duration_s"]
    for p0 in P_BAR_0:
        pre, post = [], []
        for rate in settings["rates"]:
            for _ in range(n):
                pre.append(poisson_trains(rate, t_stop, rng))
                post.append(poisson_trains(rate, t_stop, rng))
        batches.append(PairingBatch(f"poisson_{int(round(100 * p0))}",
                                    PAIRING_RULE.replace(initial_event_rate=5 * Hz, initial_burst_rate=p0 * 5 * Hz),
                                    pre, post))
    for er in EVENT_RATES:
        pre, post = [], []
        for p in settings["p_burst"]:
            for _ in range(n):
                pre.append(burst_poisson_trains(er, p, t_stop, rng))
                post.append(burst_poisson_trains(er, p, t_stop, rng))
        batches.append(PairingBatch(f"burst_poisson_{int(er)}",
                                    PAIRING_RULE.replace(initial_event_rate=er * Hz,
                                                         initial_burst_rate=BURST_POISSON_P_BAR_0 * er * Hz),
                                    pre, post))
    return batches, max(duration, t_stop) + 0.01


def compute(quick: bool = False, backend: str = "cpp_standalone", seed: int = 1) -> dict:
    from spiking.experiments.pairing import run_batches
    from spiking.plasticity_reference import reference_weights

    settings = protocol_settings(quick)
    batches, duration = make_batches(settings, seed)
    start = time.perf_counter()
    simulated = run_batches(batches, duration, backend=backend, seed=seed)
    sim_s = time.perf_counter() - start
    start = time.perf_counter()
    reference = {}
    for batch in batches:
        pre, post = batch.steps()
        n = len(pre)
        w0 = 100e-9
        w = reference_weights(batch.rule, pre, post, np.arange(n), np.arange(n), w0, 1e-4)
        reference[batch.name] = (w - w0) / 1e-9
    reference_s = time.perf_counter() - start
    return {"settings": settings, "batches": batches, "simulated": simulated, "reference": reference,
            "duration_s": duration, "backend": backend, "seed": seed,
            "timings_s": {"simulation": sim_s, "numpy_reference": reference_s}}


def summary(data: dict) -> dict:
    from spiking.experiments.pairing import (PAIRING_RULE, burst_poisson_expected_dw, poisson_expected_dw,
                                poisson_zero_crossing_hz, zero_crossing)
    from spiking.provenance import provenance

    s, sim = data["settings"], data["simulated"]
    n = s["n_realizations"]
    out = {"event_rule": "isi", "periodic": {"freq_hz": s["freqs"], "dw": sim["periodic"]}}
    poisson = {"rate_hz": s["rates"], "dw_mean": {}, "dw_sd": {}, "dw_expected": {}}
    crossings = {"periodic_hz": zero_crossing(s["freqs"], sim["periodic"]), "poisson_hz": {},
                 "burst_poisson_p": {}}
    expected_crossings = {"periodic_hz": 62.5, "poisson_hz": {}, "burst_poisson_p": {}}
    for p0 in P_BAR_0:
        key, name = f"{p0:.1f}", f"poisson_{int(round(100 * p0))}"
        dw = sim[name].reshape(len(s["rates"]), n)
        poisson["dw_mean"][key], poisson["dw_sd"][key] = dw.mean(axis=1), dw.std(axis=1)
        rule = next(b.rule for b in data["batches"] if b.name == name)
        poisson["dw_expected"][key] = np.array([poisson_expected_dw(rule, r, s["duration_s"]) for r in s["rates"]])
        crossings["poisson_hz"][key] = zero_crossing(s["rates"], poisson["dw_mean"][key])
        expected_crossings["poisson_hz"][key] = poisson_zero_crossing_hz(p0)
    burst = {"p_burst": s["p_burst"], "dw_mean": {}, "dw_sd": {}, "dw_expected": {}}
    slopes = {}
    for er in EVENT_RATES:
        key, name = f"{int(er)}", f"burst_poisson_{int(er)}"
        dw = sim[name].reshape(len(s["p_burst"]), n)
        burst["dw_mean"][key], burst["dw_sd"][key] = dw.mean(axis=1), dw.std(axis=1)
        rule = next(b.rule for b in data["batches"] if b.name == name)
        burst["dw_expected"][key] = np.array([burst_poisson_expected_dw(rule, er, p, s["duration_s"])
                                              for p in s["p_burst"]])
        # dw is linear in p: the zero of the least-squares line (robust to the noise around it)
        slope, intercept = np.polyfit(s["p_burst"], burst["dw_mean"][key], 1)
        crossings["burst_poisson_p"][key] = float(-intercept / slope)
        expected_crossings["burst_poisson_p"][key] = BURST_POISSON_P_BAR_0
        slopes[key] = float(slope)
        slopes[key + "_expected"] = float(np.polyfit(s["p_burst"], burst["dw_expected"][key], 1)[0])
    out.update({"poisson": poisson, "burst_poisson": burst, "zero_crossings": crossings,
                "zero_crossings_expected": expected_crossings,
                "slope_ratio_10_vs_5": slopes["10"] / slopes["5"],
                "slope_ratio_10_vs_5_expected": slopes["10_expected"] / slopes["5_expected"],
                "max_abs_difference_simulator_vs_numpy_reference": max(
                    float(np.max(np.abs(data["simulated"][k] - data["reference"][k]))) for k in data["simulated"]),
                "params": {"rule": PAIRING_RULE.to_dict(), "n_realizations": n, "duration_s": s["duration_s"],
                           "n_epochs": s["n_epochs"], "dt_s": 1e-4, "dw_unit": "eta / 0.1 (the paper's Delta W)",
                           "simulated_time_s": data["duration_s"], "timings_s": data["timings_s"]},
                "provenance": provenance(backend=data["backend"], seed=data["seed"])})
    return out


def _mean_band(ax, x, panel: dict, key: str, color: str, label: str) -> None:
    """Mean over realizations, a 1-SD band and the closed form (dashed) of one curve."""
    mean, sd = np.asarray(panel["dw_mean"][key], dtype=float), np.asarray(panel["dw_sd"][key], dtype=float)
    ax.plot(x, mean, color=color, label=label)
    ax.fill_between(x, mean - sd, mean + sd, color=color, alpha=0.25, lw=0)
    ax.plot(x, panel["dw_expected"][key], color=color, ls="--", lw=0.8)


def plot(out: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    ax = axes[0]
    per = out["periodic"]
    ax.plot(per["freq_hz"], per["dw"], "o-", color="black", ms=3)
    ax.axhline(0, color="k", lw=0.5, ls="--")
    ax.axvline(62.5, color="tab:red", lw=0.8, ls=":", label="1/16 ms = 62.5 Hz")
    ax.set_xlabel("pairing frequency (Hz)")
    ax.set_ylabel(r"$\Delta W$")
    ax.set_title("(B) periodic protocol")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax = axes[1]
    poisson = out["poisson"]
    for key, color in zip(poisson["dw_mean"], ("black", "grey")):
        _mean_band(ax, poisson["rate_hz"], poisson, key, color, rf"$\overline{{P}}(0)$ = {float(key):.0%}")
        ax.axvline(out["zero_crossings_expected"]["poisson_hz"][key], color=color, ls=":", lw=0.8)
    ax.axhline(0, color="k", lw=0.5, ls="--")
    ax.set_xlabel("rate (Hz)")
    ax.set_ylabel(r"$\Delta W$")
    ax.set_title("(C) Poisson (dashed: closed form)")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax = axes[2]
    burst = out["burst_poisson"]
    p = 100 * np.asarray(burst["p_burst"])
    for key, color in zip(burst["dw_mean"], ("black", "grey")):
        _mean_band(ax, p, burst, key, color, f"ER = {key} Hz")
    ax.axhline(0, color="k", lw=0.5, ls="--")
    ax.axvline(100 * BURST_POISSON_P_BAR_0, color="tab:red", lw=0.8, ls=":")
    ax.set_xlabel("burst probability (%)")
    ax.set_ylabel(r"$\Delta W$")
    ax.set_title(f"(D) burst-Poisson (slope ratio {out['slope_ratio_10_vs_5']:.2f})")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    n = out["params"]["n_realizations"]
    fig.suptitle(f"Burst-dependent plasticity: pairing protocols (interval rule 16 ms, tau_pre 50 ms, tau_avg 15 s; "
                 f"bands: 1 SD over {n} realizations)", fontsize=11)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    parser = figure_arguments(__doc__.splitlines()[0])
    parser.set_defaults(backend="cpp_standalone")
    args = parser.parse_args(argv)
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend)
    out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(out))
    zc = out["zero_crossings"]
    print(f"wrote {prefix}.png/.json: periodic switch {zc['periodic_hz']:.2f} Hz; Poisson crossings "
          f"{zc['poisson_hz']} Hz (expected {out['zero_crossings_expected']['poisson_hz']}); burst-Poisson "
          f"{zc['burst_poisson_p']}; slope ratio {out['slope_ratio_10_vs_5']:.2f} "
          f"(expected {out['slope_ratio_10_vs_5_expected']:.2f}); simulator vs numpy "
          f"{out['max_abs_difference_simulator_vs_numpy_reference']:.2e}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
