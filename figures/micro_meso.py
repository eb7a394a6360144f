"""Micro <-> meso: a spiking ensemble, the meso unit fitted to it, and the micro states behind a
meso state (issue 13, part 3).

Two populations of two-compartment pyramids (the reference's neuron: moving threshold, somatic
driving force) without synapses between them, each neuron with its own Ornstein-Uhlenbeck current
noise in soma and dendrite (mean 0, sigma 450 pA, tau 2 ms, as Naud & Sprekeler 2018), so that
the neurons of an ensemble are independent given the injected currents:

* *transfer*: one unit per somatic current I_s (100-700 pA, 1000 neurons each; 4 units of 100
  with --quick), all under a dendritic staircase I_d = -300 ... 300 pA. The event rate E and the
  burst probability P of each (I_s, I_d) step are measured after a 0.4 s settling time (0.2 s
  with --quick). The meso nonlinearities E(I_s) = e_max sigmoid((I_s - i_half)/slope) and
  P(I_d) = p_min + (p_max - p_min) sigmoid((I_d - i_half)/slope) are fitted to the marginal
  curves (E averaged over the I_d levels, P over the I_s levels): the least-squares best
  separable description when both currents vary independently over those ranges, as below.
* *dynamic*: one ensemble of 10000 neurons (1000 with --quick). After a burn-in it holds a fixed
  meso state (I_s = 400 pA, I_d = -100 pA) for the micro-state analysis, then receives
  independent random steps of I_s and I_d (uniform levels over the transfer ranges, held
  50-300 ms). The fitted meso unit (spiking.micro_meso.MesoUnit) gets the same currents; its
  dynamics (low-pass time constant, and the gain and decay time of an adaptation transient of
  E after each step) are chosen on the first half of the random segment (grid search at the
  largest N), and the error is measured on the second half, in 20 ms bins, for sub-samples of N
  neurons (disjoint where possible, up to 10 per N). The neurons share only the injected
  currents, so a sub-sample of N is an ensemble of N independent neurons under those inputs:
  its deviation from the infinite-N time course is pure finite-size noise.

Panels: (a, b) measured transfer curves and the fitted nonlinearities; (c) spiking E(t), P(t)
for the largest and smallest N beside the meso unit's; (d) error against N (log-log) with the
fitted slope, the floor of a fit err^2 = a/N + floor^2 and the Poisson/binomial finite-size
prediction (no free parameter); (e) micro-state entropy (bits) of the event patterns at the
fixed meso state against N, for several windows, with the independent-neuron capacity N H_b(q)
and the log2(number of windows) ceiling of the plug-in estimate. The JSON's floor_diagnosis
compares, at the largest N, the separable meso unit with one that uses the measured
two-dimensional E(I_s, I_d), P(I_s, I_d) under the same dynamics.

Usage::

    python figures/micro_meso.py [--out DIR] [--quick] [--backend runtime|cpp_standalone]
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "micro_meso"
#: Event/burst rule of the decoder: the reference code's spike trace (spiking.decoding).
EVENT_RULE = "trace"
SEED = 1313
OU_SIGMA_PA, OU_TAU_MS = 450.0, 2.0
#: Fixed meso state of the micro-state analysis (and of the burn-in).
STATIONARY_I_S_PA, STATIONARY_I_D_PA = 400.0, -100.0
#: Bin of the E(t), P(t) comparison (s).
BIN_S = 0.02
#: Resolution of the random input steps and of the meso unit's integration (s).
INPUT_DT_S, MESO_DT_S = 0.01, 0.001
#: Dwell of each random input level (s), uniform on the INPUT_DT_S grid.
DWELL_RANGE_S = (0.05, 0.3)
#: Candidate low-pass time constants of the meso unit (s).
TAU_GRID_S = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12)
#: Candidate adaptation transients of the meso unit's somatic drive: gain (1) and decay time (s).
ADAPTATION_GAIN_GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
ADAPTATION_TAU_GRID_S = (0.05, 0.1, 0.2, 0.4)
MICRO_WINDOWS_MS = (5, 10, 20, 50)
MICRO_N = (5, 10, 20, 50, 100, 300, 1000, 3000, 10000)
#: Sub-samples per ensemble size for the error estimate (at most; disjoint where possible).
MAX_SUBSETS = 10


def settings(quick: bool) -> dict:
    """Sizes and durations of the full and quick protocols."""
    if quick:
        return {"i_s_levels_pA": (100.0, 300.0, 500.0, 700.0), "i_d_levels_pA": (-300.0, -150.0, 0.0, 100.0, 200.0, 300.0),
                "n_transfer": 100, "n_max": 1000, "n_neurons": (30, 100, 300, 1000),
                "burn_in_s": 0.3, "stationary_s": 1.0, "random_s": 1.9, "settle_s": 0.2}
    return {"i_s_levels_pA": tuple(np.arange(100.0, 701.0, 100.0)), "i_d_levels_pA": tuple(np.arange(-300.0, 301.0, 100.0)),
            "n_transfer": 1000, "n_max": 10000, "n_neurons": (100, 300, 1000, 3000, 10000),
            "burn_in_s": 0.5, "stationary_s": 3.5, "random_s": 8.0, "settle_s": 0.4}


def random_steps(rng: np.random.Generator, low: float, high: float, n_samples: int) -> np.ndarray:
    """Piecewise-constant levels, uniform in [low, high], held for random dwell times
    (DWELL_RANGE_S), sampled every INPUT_DT_S."""
    out = np.empty(n_samples)
    k = 0
    lo, hi = (int(round(x / INPUT_DT_S)) for x in DWELL_RANGE_S)
    while k < n_samples:
        dwell = int(rng.integers(lo, hi + 1))
        out[k:k + dwell] = rng.uniform(low, high)
        k += dwell
    return out


def protocol(quick: bool):
    """The plan, the sampled input currents of the dynamic ensemble (pA, every INPUT_DT_S) and the
    settings."""
    from brian2 import ms, pA, second

    from models.pyramidal import PyramidalParameters
    from spiking.plan import CurrentInjection, NetworkPlan, OUNoise, Population
    from spiking.stimuli import Constant, Sampled

    cfg = settings(quick)
    duration_s = cfg["burn_in_s"] + cfg["stationary_s"] + cfg["random_s"]
    n_samples = int(round(duration_s / INPUT_DT_S))
    n_fixed = int(round((cfg["burn_in_s"] + cfg["stationary_s"]) / INPUT_DT_S))
    rng = np.random.default_rng(SEED)
    i_s, i_d = np.full(n_samples, STATIONARY_I_S_PA), np.full(n_samples, STATIONARY_I_D_PA)
    i_s_levels, i_d_levels = np.array(cfg["i_s_levels_pA"]), np.array(cfg["i_d_levels_pA"])
    i_s[n_fixed:] = random_steps(rng, i_s_levels.min(), i_s_levels.max(), n_samples - n_fixed)
    i_d[n_fixed:] = random_steps(rng, i_d_levels.min(), i_d_levels.max(), n_samples - n_fixed)

    params = PyramidalParameters()
    plan = NetworkPlan(duration=duration_s * second, seed=SEED)
    plan.add_population(Population("transfer", params, n_per_unit=cfg["n_transfer"], n_units=len(i_s_levels)))
    plan.add_population(Population("dynamic", params, n_per_unit=cfg["n_max"]))
    for population in ("transfer", "dynamic"):
        for compartment in ("soma", "dendrite"):
            plan.add_noise(OUNoise(population, compartment, mean=0 * pA, sigma=OU_SIGMA_PA * pA, tau=OU_TAU_MS * ms))
        plan.record_spikes(population)
    step_s = duration_s / len(i_d_levels)
    plan.add_current(CurrentInjection("transfer", "soma", [Constant(i * pA) for i in i_s_levels]))
    plan.add_current(CurrentInjection("transfer", "dendrite", Sampled(i_d_levels * pA, step_s * second)))
    plan.add_current(CurrentInjection("dynamic", "soma", Sampled(i_s * pA, INPUT_DT_S * second)))
    plan.add_current(CurrentInjection("dynamic", "dendrite", Sampled(i_d * pA, INPUT_DT_S * second)))
    return plan, params, {"i_s_pA": i_s, "i_d_pA": i_d}, cfg, step_s


def transfer_curves(spikes, cfg: dict, step_s: float) -> dict:
    """E (Hz) and P on the (I_s, I_d) grid, after the settling time of each staircase step."""
    from spiking.micro_meso import meso_state

    n_s, n_d = len(cfg["i_s_levels_pA"]), len(cfg["i_d_levels_pA"])
    er, bp = np.full((n_s, n_d), np.nan), np.full((n_s, n_d), np.nan)
    for j in range(n_s):
        for k in range(n_d):
            state = meso_state(spikes, k * step_s + cfg["settle_s"], (k + 1) * step_s, unit=j, rule=EVENT_RULE)
            er[j, k], bp[j, k] = state.event_rate_hz, state.burst_probability
    return {"er_hz": er, "bp": bp}


def bin_average(values: np.ndarray, dt_s: float, t_start_s: float, n_bins: int) -> np.ndarray:
    """Mean of a time course sampled every ``dt_s`` over consecutive bins of BIN_S from ``t_start_s``."""
    per_bin = int(round(BIN_S / dt_s))
    first = int(round(t_start_s / dt_s))
    return values[first:first + n_bins * per_bin].reshape(n_bins, per_bin).mean(axis=1)


def spiking_time_course(spikes, t_start_s: float, t_stop_s: float):
    """Event rate (Hz) and burst probability of a (sub-)ensemble in BIN_S bins."""
    from spiking.decoding import unit_rates

    rates = unit_rates(spikes, BIN_S, t_start_s=t_start_s, t_stop_s=t_stop_s, burst_time="event", rule=EVENT_RULE)
    return rates.event_rate.values[0], rates.burst_probability.values[0]


def time_course_errors(er_hz, bp, meso_er_hz, meso_bp) -> tuple[float, float]:
    """RMS error of E normalised by the meso unit's mean E, and RMS error of P (bins with events)."""
    er_error = float(np.sqrt(np.mean((er_hz - meso_er_hz) ** 2)) / np.mean(meso_er_hz))
    ok = np.isfinite(bp)
    bp_error = float(np.sqrt(np.mean((bp[ok] - meso_bp[ok]) ** 2)))
    return er_error, bp_error


def log_slope(n, err) -> float:
    """Least-squares slope of log(err) against log(n)."""
    return float(np.polyfit(np.log(n), np.log(err), 1)[0])


def noise_plus_floor(n, err) -> tuple[float, float]:
    """Fit err^2 = a/N + floor^2 (non-negative least squares); returns (sqrt(a), floor)."""
    from scipy.optimize import nnls

    n, err = np.asarray(n, float), np.asarray(err, float)
    design = np.stack([1.0 / n, np.ones_like(n)], axis=1) / err[:, None] ** 2  # relative residuals
    coef, _ = nnls(design, np.ones_like(n))
    return float(np.sqrt(coef[0])), float(np.sqrt(coef[1]))


def compute(quick: bool = False, backend: str = "runtime") -> dict:
    """Run both populations; fit the meso unit; measure errors and micro-state entropies."""
    from spiking.micro_meso import (MesoUnit, fit_burst_probability_transfer, fit_event_rate_transfer, meso_state,
                                    micro_states, select_neurons)
    from spiking.simulation import Simulation

    plan, params, inputs, cfg, step_s = protocol(quick)
    start = time.perf_counter()
    with Simulation(plan, backend=backend) as sim:
        result = sim.run()
    wall_sim = time.perf_counter() - start
    analysis_start = time.perf_counter()

    # (a, b) transfer curves and fits
    grid = transfer_curves(result.spikes["transfer"], cfg, step_s)
    i_s_levels, i_d_levels = np.array(cfg["i_s_levels_pA"]), np.array(cfg["i_d_levels_pA"])
    er_marginal = np.nanmean(grid["er_hz"], axis=1)
    bp_marginal = np.nanmean(grid["bp"], axis=0)
    er_fit = fit_event_rate_transfer(i_s_levels, er_marginal)
    bp_fit = fit_burst_probability_transfer(i_d_levels, bp_marginal)

    # (c, d) time courses and error against N
    dynamic = result.spikes["dynamic"]
    random_start = cfg["burn_in_s"] + cfg["stationary_s"]
    n_bins_half = int(np.floor(cfg["random_s"] / 2 / BIN_S + 1e-9))
    train = (random_start, random_start + n_bins_half * BIN_S)
    test = (train[1], train[1] + n_bins_half * BIN_S)
    upsample = int(round(INPUT_DT_S / MESO_DT_S))
    i_s_fine, i_d_fine = np.repeat(inputs["i_s_pA"], upsample), np.repeat(inputs["i_d_pA"], upsample)

    def meso_binned(dynamics, window):
        tau_s, gain, tau_a = dynamics
        out = MesoUnit(er_fit, bp_fit, tau_s, adaptation_gain=gain, adaptation_tau_s=tau_a).run(
            i_s_fine, i_d_fine, MESO_DT_S)
        return (bin_average(out.event_rate_hz, MESO_DT_S, window[0], n_bins_half),
                bin_average(out.burst_probability, MESO_DT_S, window[0], n_bins_half))

    er_train, bp_train = spiking_time_course(dynamic, *train)
    grid_scores = {}
    for tau in TAU_GRID_S:
        for gain in ADAPTATION_GAIN_GRID:
            for tau_a in ADAPTATION_TAU_GRID_S if gain > 0 else ADAPTATION_TAU_GRID_S[:1]:
                e_err, p_err = time_course_errors(er_train, bp_train, *meso_binned((tau, gain, tau_a), train))
                # each error relative to its own scale: E is already normalised, P by the mean P
                grid_scores[(tau, gain, tau_a)] = e_err ** 2 + (p_err / np.nanmean(bp_train)) ** 2
    dynamics = min(grid_scores, key=grid_scores.get)
    static = min((k for k in grid_scores if k[1] == 0), key=grid_scores.get)
    meso_er, meso_bp = meso_binned(dynamics, test)
    meso_er_static, meso_bp_static = meso_binned(static, test)

    rng = np.random.default_rng(SEED + 1)
    order = rng.permutation(dynamic.n_neurons)
    errors = {"event_rate_nrmse": [], "burst_probability_rmse": [], "n_subsets": []}
    errors_static = {"event_rate_nrmse": [], "burst_probability_rmse": []}
    examples = {}
    for n in cfg["n_neurons"]:
        n_subsets = max(1, min(MAX_SUBSETS, dynamic.n_neurons // n))
        squares = {"adaptive": [], "static": []}
        for r in range(n_subsets):
            neurons = order[r * n:(r + 1) * n] if (r + 1) * n <= dynamic.n_neurons else rng.choice(dynamic.n_neurons, n, replace=False)
            er_n, bp_n = spiking_time_course(select_neurons(dynamic, np.sort(neurons)), *test)
            squares["adaptive"].append(np.square(time_course_errors(er_n, bp_n, meso_er, meso_bp)))
            squares["static"].append(np.square(time_course_errors(er_n, bp_n, meso_er_static, meso_bp_static)))
            if r == 0:
                examples[n] = (er_n, bp_n)
        for target, key in ((errors, "adaptive"), (errors_static, "static")):
            e_rms, p_rms = np.sqrt(np.mean(squares[key], axis=0))
            target["event_rate_nrmse"].append(float(e_rms))
            target["burst_probability_rmse"].append(float(p_rms))
        errors["n_subsets"].append(n_subsets)
    n_list = np.array(cfg["n_neurons"], dtype=float)
    slopes = {"event_rate": log_slope(n_list, errors["event_rate_nrmse"]),
              "burst_probability": log_slope(n_list, errors["burst_probability_rmse"])}
    fits = {key: noise_plus_floor(n_list, errors[name])
            for key, name in (("event_rate", "event_rate_nrmse"), ("burst_probability", "burst_probability_rmse"))}
    # finite-size prediction without fit: event counts per bin Poisson, bursts binomial per event
    # (bins where the meso unit predicts no events are left out of the P term)
    mean_er, firing = float(np.mean(meso_er)), meso_er > 0
    prediction = {"event_rate_nrmse_times_sqrt_n": float(np.sqrt(np.mean(meso_er / BIN_S)) / mean_er),
                  "burst_probability_rmse_times_sqrt_n": float(np.sqrt(np.mean(
                      meso_bp[firing] * (1 - meso_bp[firing]) / (meso_er[firing] * BIN_S))))}
    e_max_full, p_max_full = examples[cfg["n_neurons"][-1]]
    corr = {"event_rate": float(np.corrcoef(e_max_full, meso_er)[0, 1]),
            "burst_probability": float(np.corrcoef(p_max_full[np.isfinite(p_max_full)],
                                                   meso_bp[np.isfinite(p_max_full)])[0, 1])}

    # where the floor comes from: the same dynamics with the measured two-dimensional steady
    # state E(I_s, I_d), P(I_s, I_d) (bilinear interpolation of the transfer grid) instead of the
    # separable E(I_s), P(I_d); compared with the largest ensemble on the held-out half
    from scipy.interpolate import RegularGridInterpolator

    tau, gain, tau_a = dynamics
    low_pass = MesoUnit(er_fit, bp_fit, tau)
    drive = np.stack([np.clip(low_pass.filtered(i_s_fine, MESO_DT_S), i_s_levels.min(), i_s_levels.max()),
                      np.clip(low_pass.filtered(i_d_fine, MESO_DT_S), i_d_levels.min(), i_d_levels.max())], axis=1)
    steady_er = RegularGridInterpolator((i_s_levels, i_d_levels), grid["er_hz"])(drive)
    steady_bp = RegularGridInterpolator((i_s_levels, i_d_levels), grid["bp"])(drive)
    identity = MesoUnit(lambda x: x, lambda x: x, 0.0, adaptation_gain=gain, adaptation_tau_s=tau_a)
    er_2d = bin_average(identity.event_rate(steady_er, MESO_DT_S), MESO_DT_S, test[0], n_bins_half)
    bp_2d = bin_average(steady_bp, MESO_DT_S, test[0], n_bins_half)
    er_largest, bp_largest = examples[cfg["n_neurons"][-1]]
    floor_diagnosis = {
        "separable_meso_unit": dict(zip(("event_rate_nrmse", "burst_probability_rmse"),
                                        time_course_errors(er_largest, bp_largest, meso_er, meso_bp))),
        "two_dimensional_steady_state": dict(zip(("event_rate_nrmse", "burst_probability_rmse"),
                                                 time_course_errors(er_largest, bp_largest, er_2d, bp_2d))),
        "n_neurons": cfg["n_neurons"][-1]}

    # (e) micro states at the fixed meso state
    stationary = (cfg["burn_in_s"], random_start)
    history = dynamic.restrict(dynamic.t_start_s, random_start)
    state = meso_state(history, *stationary, rule=EVENT_RULE)
    micro = {key: {} for key in ("entropy_bits", "entropy_miller_madow_bits", "n_distinct", "capacity_bits",
                                  "burst_entropy_bits", "burst_capacity_bits", "max_entropy_bits")}
    micro_n = [n for n in MICRO_N if n <= dynamic.n_neurons]
    for n in micro_n:
        sub = select_neurons(history, np.sort(order[:n]))
        for key in micro:
            micro[key][str(n)] = {}
        for window_ms in MICRO_WINDOWS_MS:
            w = str(window_ms)
            events = micro_states(sub, window_ms / 1e3, *stationary, kind="event", rule=EVENT_RULE)
            bursts = micro_states(sub, window_ms / 1e3, *stationary, kind="burst", rule=EVENT_RULE)
            micro["entropy_bits"][str(n)][w] = events.entropy_bits
            micro["entropy_miller_madow_bits"][str(n)][w] = events.entropy_miller_madow_bits
            micro["n_distinct"][str(n)][w] = events.n_distinct
            micro["capacity_bits"][str(n)][w] = events.independent_capacity_bits
            micro["max_entropy_bits"][str(n)][w] = events.max_entropy_bits
            micro["burst_entropy_bits"][str(n)][w] = bursts.entropy_bits
            micro["burst_capacity_bits"][str(n)][w] = bursts.independent_capacity_bits

    t_test = test[0] + BIN_S * (np.arange(n_bins_half) + 0.5)
    return {"plan": plan, "params": params, "cfg": cfg, "backend": backend, "step_s": step_s,
            "grid": grid, "er_marginal": er_marginal, "bp_marginal": bp_marginal, "er_fit": er_fit, "bp_fit": bp_fit,
            "dynamics": dynamics, "static_dynamics": static, "errors_static": errors_static,
            "meso_er_static": meso_er_static, "grid_scores": grid_scores, "train_s": train, "test_s": test, "t_test_s": t_test,
            "meso_er": meso_er, "meso_bp": meso_bp, "examples": examples, "errors": errors, "slopes": slopes,
            "noise_floor_fits": fits, "floor_diagnosis": floor_diagnosis, "prediction": prediction, "corr_largest_n": corr, "micro": micro,
            "micro_n": micro_n, "stationary_state": state, "stationary_s": stationary,
            "i_s_test": bin_average(i_s_fine, MESO_DT_S, test[0], n_bins_half),
            "i_d_test": bin_average(i_d_fine, MESO_DT_S, test[0], n_bins_half),
            "wall_s": wall_sim, "analysis_s": time.perf_counter() - analysis_start, "timings_s": result.timings_s}


def summary(data: dict) -> dict:
    """The content of the JSON file."""
    import dataclasses

    from spiking.provenance import provenance

    plan, cfg, errors = data["plan"], data["cfg"], data["errors"]
    state = data["stationary_state"]
    return {"n_neurons": list(cfg["n_neurons"]),
            "meso_error": {"event_rate_nrmse": errors["event_rate_nrmse"],
                           "burst_probability_rmse": errors["burst_probability_rmse"],
                           "n_subsets": errors["n_subsets"],
                           "definition": f"{BIN_S * 1e3:g} ms bins over the held-out half of the random segment; "
                                         "E: RMS(E_N - E_meso)/mean(E_meso); P: RMS(P_N - P_meso) over bins with events; "
                                         "RMS over sub-samples"},
            "error_slope": data["slopes"],
            "error_noise_and_floor": {k: {"noise_coefficient": v[0], "floor": v[1]}
                                      for k, v in data["noise_floor_fits"].items()},
            "finite_size_prediction": data["prediction"],
            "floor_diagnosis": data["floor_diagnosis"],
            "correlation_spiking_meso_largest_n": data["corr_largest_n"],
            "micro_entropy_bits": data["micro"]["entropy_bits"],
            "micro": {k: v for k, v in data["micro"].items() if k != "entropy_bits"},
            "stationary_meso_state": {"i_s_pA": STATIONARY_I_S_PA, "i_d_pA": STATIONARY_I_D_PA,
                                      **{k: v for k, v in dataclasses.asdict(state).items()}},
            "transfer": {"i_s_pA": list(cfg["i_s_levels_pA"]), "i_d_pA": list(cfg["i_d_levels_pA"]),
                         "er_hz": data["grid"]["er_hz"], "bp": data["grid"]["bp"],
                         "er_marginal_hz": data["er_marginal"], "bp_marginal": data["bp_marginal"],
                         "event_rate_fit": dataclasses.asdict(data["er_fit"]),
                         "burst_probability_fit": dataclasses.asdict(data["bp_fit"]),
                         "rate_model_form": {"w_per_pA": data["er_fit"].weight_per_pA, "b": data["er_fit"].bias}},
            "meso_unit": {"tau_s": data["dynamics"][0], "adaptation_gain": data["dynamics"][1],
                          "adaptation_tau_s": data["dynamics"][2],
                          "chosen_by": "grid search on the first half of the random segment at the largest N"},
            "meso_unit_without_adaptation": {"tau_s": data["static_dynamics"][0],
                                             "meso_error": data["errors_static"]},
            "params": {"neuron": data["params"].to_dict(), "plan": plan.to_dict(), "event_rule": EVENT_RULE,
                       "ou_noise": {"sigma_pA": OU_SIGMA_PA, "tau_ms": OU_TAU_MS, "mean_pA": 0.0},
                       "bin_s": BIN_S, "input_dt_s": INPUT_DT_S, "meso_dt_s": MESO_DT_S, "dwell_range_s": DWELL_RANGE_S,
                       "tau_grid_s": TAU_GRID_S, "adaptation_gain_grid": ADAPTATION_GAIN_GRID,
                       "adaptation_tau_grid_s": ADAPTATION_TAU_GRID_S,
                       "train_window_s": data["train_s"], "test_window_s": data["test_s"],
                       "stationary_window_s": data["stationary_s"], "micro_windows_ms": MICRO_WINDOWS_MS,
                       "transfer_step_s": data["step_s"], "transfer_settle_s": cfg["settle_s"],
                       "n_per_transfer_unit": cfg["n_transfer"], "n_dynamic": cfg["n_max"],
                       "burst_counting": "with their event (event-aligned)",
                       "sub_sampling": "neurons share only the injected currents (independent OU noise, no "
                                       "synapses): a sub-sample of N is an independent ensemble of N"},
            "provenance": provenance(backend=data["backend"], seed=plan.seed, dt_ms=float(plan.dt * 1e3),
                                     wall_s=round(data["wall_s"], 3), analysis_s=round(data["analysis_s"], 3),
                                     simulation_timings_s=data["timings_s"])}


def plot(data: dict):
    """Five panels: transfer curves (a, b), time courses (c), error vs N (d), micro entropy (e)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    cfg = data["cfg"]
    i_s_levels, i_d_levels = np.array(cfg["i_s_levels_pA"]), np.array(cfg["i_d_levels_pA"])
    fig = plt.figure(figsize=(16, 10.5))
    gs = fig.add_gridspec(3, 3, height_ratios=[1.15, 1, 1], hspace=0.5, wspace=0.3)

    ax = fig.add_subplot(gs[0, 0])
    cmap = plt.get_cmap("viridis")
    for k, i_d in enumerate(i_d_levels):
        ax.plot(i_s_levels, data["grid"]["er_hz"][:, k], "o-", ms=3, lw=0.8, alpha=0.6,
                color=cmap(k / max(1, len(i_d_levels) - 1)), label=f"$I_d$ = {i_d:.0f} pA")
    ax.plot(i_s_levels, data["er_marginal"], "ks", ms=6, label="mean over $I_d$")
    x = np.linspace(i_s_levels.min(), i_s_levels.max(), 200)
    f = data["er_fit"]
    ax.plot(x, f(x), "r-", lw=2, label=f"fit: {f.e_max_hz:.0f} Hz $\\sigma$((I-{f.i_half_pA:.0f})/{f.slope_pA:.0f})")
    ax.set_xlabel("somatic current $I_s$ (pA)")
    ax.set_ylabel("event rate E (Hz)")
    ax.set_title(f"(a) E($I_s$), {cfg['n_transfer']} neurons per curve", fontsize=10, loc="left")
    ax.legend(fontsize=6.5, frameon=False, ncol=2)
    ax.set_ylim(bottom=0)

    ax = fig.add_subplot(gs[0, 1])
    for j, i_s in enumerate(i_s_levels):
        ax.plot(i_d_levels, data["grid"]["bp"][j], "o-", ms=3, lw=0.8, alpha=0.6,
                color=plt.get_cmap("plasma")(j / max(1, len(i_s_levels) - 1) * 0.85), label=f"$I_s$ = {i_s:.0f} pA")
    ax.plot(i_d_levels, data["bp_marginal"], "ks", ms=6, label="mean over $I_s$")
    x = np.linspace(i_d_levels.min(), i_d_levels.max(), 200)
    g = data["bp_fit"]
    ax.plot(x, g(x), "r-", lw=2, label=f"fit: {g.p_min:.2f} + {g.p_max - g.p_min:.2f} $\\sigma$((I-{g.i_half_pA:.0f})/{g.slope_pA:.0f})")
    ax.set_xlabel("dendritic current $I_d$ (pA)")
    ax.set_ylabel("burst probability P")
    ax.set_ylim(0, 1)
    ax.set_title("(b) P($I_d$) and the fitted meso nonlinearity", fontsize=10, loc="left")
    ax.legend(fontsize=6.5, frameon=False, ncol=2)

    ax = fig.add_subplot(gs[0, 2])
    n = np.array(cfg["n_neurons"], dtype=float)
    e_err, p_err = np.array(data["errors"]["event_rate_nrmse"]), np.array(data["errors"]["burst_probability_rmse"])
    ax.loglog(n, e_err, "o-", color="tab:blue", label=f"E (normalised RMS), slope {data['slopes']['event_rate']:.2f}")
    ax.loglog(n, p_err, "s-", color="tab:red", label=f"P (RMS), slope {data['slopes']['burst_probability']:.2f}")
    ax.loglog(n, data["errors_static"]["event_rate_nrmse"], "o--", color="tab:blue", alpha=0.4, ms=3,
              label="E, meso unit without adaptation")
    pred = data["prediction"]
    ax.loglog(n, pred["event_rate_nrmse_times_sqrt_n"] / np.sqrt(n), ":", color="tab:blue",
              label="finite-size prediction $\\propto N^{-1/2}$")
    ax.loglog(n, pred["burst_probability_rmse_times_sqrt_n"] / np.sqrt(n), ":", color="tab:red")
    for key, color in (("event_rate", "tab:blue"), ("burst_probability", "tab:red")):
        floor = data["noise_floor_fits"][key][1]
        if floor > 0:
            ax.axhline(floor, color=color, lw=0.8, ls="--", alpha=0.7)
    ax.plot([], [], "k--", lw=0.8, label="fitted floor (meso-model error)")
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("ensemble size N (neurons)")
    ax.set_ylabel(f"spiking vs meso error ({BIN_S * 1e3:g} ms bins)")
    tau, gain, tau_a = data["dynamics"]
    ax.set_title(f"(d) error vs N (meso unit: $\\tau$ = {tau * 1e3:g} ms, adaptation {gain:g} x, "
                 f"{tau_a * 1e3:g} ms)", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False)

    t = data["t_test_s"]
    n_small, n_large = cfg["n_neurons"][0], cfg["n_neurons"][-1]
    for row, (key, meso_key, label, inp, inp_label) in enumerate(
            ((0, "meso_er", "event rate E (Hz)", "i_s_test", "$I_s$ (pA)"),
             (1, "meso_bp", "burst probability P", "i_d_test", "$I_d$ (pA)"))):
        ax = fig.add_subplot(gs[1 + row, 0:2])
        ax.step(t, data["examples"][n_small][key], where="mid", color="0.65", lw=0.9, label=f"spiking, N = {n_small}")
        ax.step(t, data["examples"][n_large][key], where="mid", color="black", lw=1.3, label=f"spiking, N = {n_large}")
        ax.step(t, data[meso_key], where="mid", color="tab:red", lw=1.5, label="meso unit")
        ax.set_ylabel(label)
        r = data["corr_largest_n"]["event_rate" if row == 0 else "burst_probability"]
        ax.text(0.99, 0.97, f"r(spiking N = {n_large}, meso) = {r:.2f}", transform=ax.transAxes, ha="right",
                va="top", fontsize=8)
        twin = ax.twinx()
        twin.step(t, data[inp], where="mid", color="tab:green", lw=0.8, alpha=0.5)
        twin.set_ylabel(inp_label, color="tab:green")
        if row == 0:
            ax.step(t, data["meso_er_static"], where="mid", color="tab:orange", lw=1, ls="--",
                    label="meso unit without adaptation")
            ax.set_title("(c) the same random input steps (green) into the spiking ensemble and the meso unit "
                         "(held-out half)", fontsize=10, loc="left")
            ax.legend(fontsize=7, frameon=False, ncol=4, loc="upper left")
            ax.set_ylim(bottom=0)
        else:
            ax.set_xlabel("time (s)")
            ax.set_ylim(0, 1)

    ax = fig.add_subplot(gs[1:, 2])
    micro_n = np.array(data["micro_n"], dtype=float)
    colors = plt.get_cmap("cividis")
    for k, window_ms in enumerate(MICRO_WINDOWS_MS):
        w = str(window_ms)
        c = colors(k / max(1, len(MICRO_WINDOWS_MS) - 1) * 0.9)
        h = [data["micro"]["entropy_bits"][str(int(m))][w] for m in micro_n]
        cap = [data["micro"]["capacity_bits"][str(int(m))][w] for m in micro_n]
        ceiling = data["micro"]["max_entropy_bits"][str(int(micro_n[0]))][w]
        ax.loglog(micro_n, h, "o-", color=c, label=f"{window_ms} ms: plug-in entropy")
        ax.loglog(micro_n, cap, ":", color=c, lw=1.5)
        ax.axhline(ceiling, color=c, lw=0.7, ls="--")
    ax.plot([], [], "k:", label="independent neurons, N $H_b(q)$")
    ax.plot([], [], "k--", lw=0.7, label="log$_2$(number of windows)")
    s = data["stationary_state"]
    ax.set_xlabel("neurons in the pattern N")
    ax.set_ylabel("entropy of event patterns (bits)")
    ax.set_title(f"(e) micro-state diversity at fixed E = {s.event_rate_hz:.1f} Hz, P = {s.burst_probability:.2f}\n"
                 f"($I_s$ = {STATIONARY_I_S_PA:.0f} pA, $I_d$ = {STATIONARY_I_D_PA:.0f} pA, "
                 f"{data['stationary_s'][1] - data['stationary_s'][0]:.1f} s)", fontsize=10, loc="left")
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    fig.suptitle("Micro <-> meso: a spiking ensemble of two-compartment neurons and its fitted meso unit", fontsize=12)
    return fig


def main(argv: list[str] | None = None) -> dict:
    """Command-line entry point; returns the JSON summary."""
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    args = figure_arguments(__doc__.splitlines()[0]).parse_args(argv)
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, backend=args.backend)
    out = summary(data)
    prefix = write_outputs(args.out, NAME, out, plot(data))
    print(f"wrote {prefix}.png/.json: N = {out['n_neurons']}, E error {np.round(out['meso_error']['event_rate_nrmse'], 3)}, "
          f"P error {np.round(out['meso_error']['burst_probability_rmse'], 3)}, slopes {out['error_slope']}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
