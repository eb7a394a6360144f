"""BAC firing: the five checks of docs/model.md, on the figure's own --quick output."""

import json
import os

import pytest

from models.pyramidal import PyramidalParameters
from spiking.bac import BACProtocol, burst_window, longest_run_above, run_bac

from conftest import load_figure_module

JSON_KEYS = ["spikes_bap_alone", "spikes_epsc_alone", "spikes_paired", "paired_isis_ms", "window_ms",
             "threshold_alone_nA", "threshold_paired_nA", "threshold_ratio", "params", "provenance"]


@pytest.fixture(scope="module")
def bac(tmp_path_factory):
    out = tmp_path_factory.mktemp("bac")
    figure = load_figure_module("larkum1999_bac")
    figure.main(["--quick", "--out", str(out)])
    with open(out / "bac.json") as handle:
        data = json.load(handle)
    return out, data


def test_figure_writes_png_and_exact_json_keys(bac):
    out, data = bac
    assert list(data) == JSON_KEYS
    assert os.path.getsize(out / "bac.png") > 20_000  # a real five-panel figure, not an empty canvas
    prov = data["provenance"]
    for key in ("backend", "seed", "versions", "git_revision"):
        assert key in prov
    assert prov["backend"] == "runtime" and prov["versions"]["brian2"] == "2.10.1"
    assert data["params"]["neuron"]["spike_rule"] == "moving_threshold"


def test_bap_alone_one_spike_no_plateau(bac):
    _, data = bac
    assert data["spikes_bap_alone"] == 1
    assert data["params"]["plateau_ms"]["bap_alone"] < data["params"]["protocol"]["plateau_min_duration"]["value"] * 1e3


def test_epsc_below_own_threshold_gives_no_spike(bac):
    _, data = bac
    assert data["params"]["epsc_peak_nA"] < data["threshold_alone_nA"]
    assert data["spikes_epsc_alone"] == 0


def test_pairing_gives_plateau_and_burst(bac):
    _, data = bac
    # Larkum 1999 / Hay 2011: 2-4 spikes (target 3) at ISIs well below the 16 ms burst criterion
    assert 2 <= data["spikes_paired"] <= 4
    assert len(data["paired_isis_ms"]) == data["spikes_paired"] - 1
    assert all(isi < 16 for isi in data["paired_isis_ms"])
    # a Ca plateau of tens of ms (Hay's target width 37 +- 1.3 ms; anything 20-60 ms is a plateau)
    assert 20 <= data["params"]["plateau_ms"]["paired"] <= 60


def test_coincidence_window_is_finite(bac):
    _, data = bac
    earliest, latest = data["window_ms"]
    # the scan spans -30..+30 ms: a finite window ends strictly inside it on both sides
    assert -30 < earliest <= 5 <= latest < 30
    counts = data["params"]["offset_spike_counts"]
    assert counts[0] == 1 and counts[-1] == 1  # far from the pulse: just the pulse's own spike


def test_bap_lowers_plateau_threshold(bac):
    _, data = bac
    assert data["threshold_ratio"] == pytest.approx(data["threshold_paired_nA"] / data["threshold_alone_nA"])
    # the bAP must lower the threshold clearly: by more than the search resolution (20 pA in
    # --quick) relative to a ~1.5 nA threshold, and in fact by tens of per cent
    assert data["threshold_ratio"] < 0.8


def test_fixed_threshold_rule_shows_bac_firing_too():
    result = run_bac(PyramidalParameters(spike_rule="fixed_threshold"), BACProtocol.quick())
    assert result.spikes_bap_alone == 1 and result.spikes_epsc_alone == 0
    assert 2 <= result.spikes_paired <= 4
    assert result.window_ms is not None and -30 < result.window_ms[0] and result.window_ms[1] < 30
    assert result.threshold_ratio < 0.8


def test_longest_run_and_window_helpers():
    import numpy as np

    assert longest_run_above(np.array([[0, 1, 1, 1, 0, 1]]), 0.5, 2.0).tolist() == [6.0]
    assert longest_run_above(np.zeros((2, 3)), 0.5, 1.0).tolist() == [0.0, 0.0]
    assert burst_window(np.arange(5), np.array([1, 1, 1, 1, 1]), anchor=2) is None
    assert burst_window(np.arange(5), np.array([2, 2, 2, 2, 2]), anchor=2) == [0, 4]
