"""Scientific claims of the ensemble figures, on their --quick runs (marked slow; run in CI)."""

import json

import numpy as np
import pytest

from conftest import load_figure_module


def _run(name, tmp_path_factory):
    out = tmp_path_factory.mktemp(name)
    load_figure_module(name).main(["--quick", "--out", str(out)])
    assert (out / f"{name}.png").stat().st_size > 20_000
    with open(out / f"{name}.json") as handle:
        return json.load(handle)


@pytest.mark.slow
def test_multiplexing_event_rate_follows_soma_burst_probability_follows_dendrite(tmp_path_factory):
    data = _run("naud2018_multiplexing", tmp_path_factory)
    assert set(data) == {"corr_er_soma", "corr_bp_dend", "corr_er_dend", "corr_bp_soma", "bin_ms", "n_neurons",
                         "params", "provenance"}
    # 1000 neurons, 100 bins of 20 ms: a correlation's standard error is ~0.1 for unrelated
    # signals, so 0.6 is far beyond chance and the cross-terms must stay below 0.35 in magnitude
    assert data["corr_er_soma"] > 0.6
    assert data["corr_bp_dend"] > 0.6
    assert abs(data["corr_er_dend"]) < 0.35
    assert abs(data["corr_bp_soma"]) < 0.35
    assert abs(data["params"]["input_correlation"]) < 0.1  # the two input streams are independent
    assert data["params"]["online_detector_equals_offline"]
    assert data["params"]["neuron"]["spike_rule"] == "moving_threshold"


@pytest.mark.slow
def test_bp_rises_sigmoidally_with_dendritic_current_er_changes_little(tmp_path_factory):
    data = _run("bp_transfer", tmp_path_factory)
    assert data["i_d_pA"] == list(range(-100, 351, 50))
    assert set(data["bp_percent"]) == {"0", "100", "200"}
    for i_s in ("0", "100", "200"):
        bp, er = np.array(data["bp_percent"][i_s]), np.array(data["er_hz"][i_s])
        # sigmoidal rise: a few % at -100 pA, near saturation at +300 pA (reference: 3 % -> ~100 %)
        assert bp[0] < 10 and bp[-2] > 75
        # monotone up to sampling noise: each level's BP (binomial over >~300 events, SE < 3 %)
        # is not more than 8 points below any lower level's
        assert np.all(np.diff(np.maximum.accumulate(bp)) >= 0) and np.all(np.maximum.accumulate(bp) - bp < 8)
        # ER changes far less: by tens of per cent, not folds, while BP changes > 10-fold
        assert er.max() / er.min() < 2.5 and bp[-2] / bp[0] > 8
        assert 1.0 < er[2] < 15.0  # a few Hz without dendritic current (reference: 4-5 Hz)
    # recurrent STF inhibition normalises BP across somatic currents: within 12 points everywhere
    spread = np.ptp([data["bp_percent"][k] for k in ("0", "100", "200")], axis=0)
    assert spread.max() < 12
    assert data["params"]["recurrent_stf_inhibition"] is True


@pytest.mark.slow
def test_som_inhibition_shifts_bp_curve_right_with_er_nearly_unchanged(tmp_path_factory):
    data = _run("sst_modulation", tmp_path_factory)
    without, with_som = data["conditions"]["w_SOM->PC = 0"], data["conditions"]["w_SOM->PC = 0.001"]
    # the BP = 50 % point moves to higher I_d by more than one 50 pA step (100 pA spacing here)
    assert with_som["half_max_pA"] is not None and without["half_max_pA"] is not None
    assert with_som["half_max_pA"] - without["half_max_pA"] > 50
    bp0, bp1 = np.array(without["bp_percent"]), np.array(with_som["bp_percent"])
    assert np.all(bp1[1:] <= bp0[1:] + 3)  # inhibition never raises BP (3 points of sampling noise)
    er0, er1 = np.array(without["er_hz"]), np.array(with_som["er_hz"])
    # ER nearly unchanged: within 40 % at every level, while BP differs by up to a factor 2-3
    assert np.all(np.abs(np.log(er1 / er0)) < np.log(1.4))
    assert np.max(bp0[1:] / np.maximum(bp1[1:], 1)) > 1.8


@pytest.mark.slow
def test_events_travel_forward_bursts_travel_back_and_swapping_stp_loses_it(tmp_path_factory):
    data = _run("payeur2021_fig3_propagation", tmp_path_factory)
    keys = {"corr_er2_er1", "corr_bp1_br2", "corr_er2_bp1", "corr_bp1_er1"}
    assert keys <= set(data) and keys <= set(data["ablation"]) and keys <= set(data["per_seed"])
    assert data["bin_ms"] == 50 and data["n_seeds"] == len(data["per_seed"]["corr_er2_er1"]) == 2
    # 60 bins of 50 ms: the standard error of r is about 0.1 for moderate correlations, so 0.6 is
    # far above chance (the reference circuit: 0.92 and 0.91, validation/reference_data)
    assert data["corr_er2_er1"] > 0.6 and data["corr_bp1_br2"] > 0.6
    # facilitating forward, depressing back: the forward event and backward burst channels lose
    # most of their correlation (by > 0.2, several standard errors)
    assert data["ablation"]["corr_er2_er1"] < data["corr_er2_er1"] - 0.2
    assert data["ablation"]["corr_bp1_br2"] < data["corr_bp1_br2"] - 0.3
    assert data["params"]["event_rule"] == "trace"


@pytest.mark.slow
def test_pairing_protocols_follow_the_closed_forms_of_the_rule(tmp_path_factory):
    data = _run("payeur2021_fig2_pairing", tmp_path_factory)
    for key in ("periodic", "poisson", "burst_poisson", "zero_crossings", "slope_ratio_10_vs_5", "params",
                "provenance"):
        assert key in data
    assert set(data["poisson"]["dw_mean"]) == {"0.3", "0.5"} and set(data["burst_poisson"]["dw_mean"]) == {"5", "10"}
    # the simulator and the numpy reference on the same trains: the same float64 operations up
    # to exp() rounding (1e-13 of Delta W units seen; 1e-9 is far below one update of 1e-2)
    assert data["max_abs_difference_simulator_vs_numpy_reference"] < 1e-9
    # periodic: the switch at 1/16 ms, between the quick grid's 62 and 62.5 Hz
    freqs, dw = np.asarray(data["periodic"]["freq_hz"]), np.asarray(data["periodic"]["dw"])
    assert np.all(dw[freqs < 62.5] < 0) and np.all(dw[freqs >= 62.5] > 0)
    assert 62.0 <= data["zero_crossings"]["periodic_hz"] <= 62.5
    n = data["params"]["n_realizations"]
    for key in ("0.3", "0.5"):
        # Poisson: the mean over realizations follows the closed form within 4 standard errors
        # (plus 5 % of the closed form for the mean-field treatment of the moving averages)
        mean, sd = np.asarray(data["poisson"]["dw_mean"][key]), np.asarray(data["poisson"]["dw_sd"][key])
        expected = np.asarray(data["poisson"]["dw_expected"][key])
        assert np.all(np.abs(mean - expected) <= 4 * sd / np.sqrt(n) + 0.05 * np.abs(expected) + 1e-3)
        # the crossing where the burst probability 1 - exp(-lambda 14 ms) equals Pbar(0) (24 and
        # 45 Hz): the quick grid's 10 Hz spacing and the noise allow 4 Hz
        assert abs(data["zero_crossings"]["poisson_hz"][key] - data["zero_crossings_expected"]["poisson_hz"][key]) < 4
    for key in ("5", "10"):
        mean, sd = np.asarray(data["burst_poisson"]["dw_mean"][key]), np.asarray(data["burst_poisson"]["dw_sd"][key])
        expected = np.asarray(data["burst_poisson"]["dw_expected"][key])
        assert np.all(np.abs(mean - expected) <= 4 * sd / np.sqrt(n) + 0.05 * np.abs(expected) + 1e-3)
        # burst-Poisson: the fitted line crosses zero at p = Pbar(0) = 20 % (6 realizations of
        # 30 s: a few % of noise on the crossing; 7 % allowed)
        assert abs(data["zero_crossings"]["burst_poisson_p"][key] - 0.2) < 0.07
    # the slope grows with (events per second)^2: about 4 (closed form 3.95); 6 realizations of
    # 30 s leave about 10 % noise on each slope
    assert abs(data["slope_ratio_10_vs_5"] - data["slope_ratio_10_vs_5_expected"]) < 0.25 * data["slope_ratio_10_vs_5_expected"]


@pytest.mark.slow
def test_population_weights_follow_bp_minus_pbar_not_the_presynaptic_bp(tmp_path_factory):
    data = _run("payeur2021_fig2_population", tmp_path_factory)
    for key in ("t_s", "er_hz", "bp", "bp_bar", "dw_percent_mean", "dw_percent_sd", "phase_edges_s",
                "phase_dw_percent", "n_seeds", "params", "provenance"):
        assert key in data
    phases = data["phase_dw_percent"]
    assert data["n_seeds"] == 2
    # the dendritic input up 1.5x: bursts above their moving average, the weights rise; down to
    # 0.55x: they fall. Both changes exceed the spread over seeds three times over.
    up, down, pre = phases["1.5 d0"], phases["0.55 d0"], phases["presynaptic BP"]
    assert up["mean"] > 3 * up["sd"] and up["mean"] > 0.5
    assert down["mean"] < -3 * down["sd"] and down["mean"] < -0.5
    # the presynaptic burst probability rises (more current into their dendrites) ...
    t, pre_bp = np.asarray(data["t_s"]), np.asarray(data["pre_bp"], dtype=float)
    edges = np.asarray(data["phase_edges_s"])
    assert np.nanmean(pre_bp[t > edges[-2]]) > np.nanmean(pre_bp[(t > edges[-3]) & (t < edges[-2])]) + 0.05
    # ... but the weights stay within the seed spread there, and far below the changes above
    assert abs(pre["mean"]) <= 2 * max(pre["sd"], 0.1) and abs(pre["mean"]) < 0.3 * min(up["mean"], -down["mean"])
