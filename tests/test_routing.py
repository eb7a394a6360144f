"""Meso weights from spikes and the routing demo (spiking.routing, figures/routing.py)."""

import json
import math

import numpy as np
import pytest

from conftest import load_figure_module
from spiking.routing import effective_meso_weight, meso_routing, route_contrast


def test_effective_meso_weight_recovers_known_slopes_from_noisy_linear_data():
    rng = np.random.default_rng(11)
    source = rng.uniform(0.0, 20.0, size=200)
    targets = np.column_stack([2.0 + 0.7 * source + rng.normal(0.0, 1.0, 200),
                               5.0 - 0.2 * source + rng.normal(0.0, 1.0, 200)])
    fit = effective_meso_weight(source, targets)
    assert fit.weight.shape == (2, 1) and fit.weight_se.shape == (2, 1) and fit.n_windows == 200
    # the OLS standard error is sigma / sqrt(sum (x - mean)^2) = 1 / sqrt(200 * 33.3) = 0.012;
    # the reported one estimates sigma from the residuals: within 15 % of it (chi-square with
    # 198 degrees of freedom: its SD is 5 % of sigma)
    expected_se = 1.0 / math.sqrt(np.sum((source - source.mean()) ** 2))
    assert np.allclose(fit.weight_se.ravel(), expected_se, rtol=0.15)
    # the slopes within 4 standard errors of the truth (fails by chance with p = 6e-5)
    assert abs(fit.weight[0, 0] - 0.7) < 4 * fit.weight_se[0, 0]
    assert abs(fit.weight[1, 0] + 0.2) < 4 * fit.weight_se[1, 0]
    assert abs(fit.intercept[0] - 2.0) < 0.5 and abs(fit.intercept[1] - 5.0) < 0.5  # intercept SE ~0.14: 3.5 SE
    # R^2 = var(signal) / (var(signal) + 1): 0.7^2 * 33.3 = 16.3 -> 0.94; 0.2^2 * 33.3 = 1.33 -> 0.57
    assert fit.r_squared[0] == pytest.approx(0.94, abs=0.03) and fit.r_squared[1] == pytest.approx(0.57, abs=0.1)


def test_standard_error_is_calibrated_over_repeated_experiments():
    rng = np.random.default_rng(5)
    x = np.linspace(0.0, 10.0, 30)
    inside = 0
    for _ in range(400):
        fit = effective_meso_weight(x, 1.0 + 0.3 * x + rng.normal(0.0, 2.0, x.size))
        inside += abs(fit.weight[0, 0] - 0.3) < 2.048 * fit.weight_se[0, 0]  # t quantile, 28 dof, 95 %
    # 95 % coverage; 400 repetitions give a binomial SD of 1.1 %: 0.91-0.99 is 3.5 SD either side
    assert 0.91 <= inside / 400 <= 0.99


def test_exact_lines_per_context_and_several_sources():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    context = np.array([True, True, True, False, False, False])
    y = np.where(context, 3.0 * x, 10.0 - x)
    first, second = effective_meso_weight(x, y, mask=context), effective_meso_weight(x, y, mask=~context)
    # noise-free lines: exact up to float rounding (1e-12 is far above it, far below the slopes)
    assert first.weight[0, 0] == pytest.approx(3.0, abs=1e-12) and second.weight[0, 0] == pytest.approx(-1.0, abs=1e-12)
    assert first.r_squared[0] == pytest.approx(1.0, abs=1e-12) and first.weight_se[0, 0] == pytest.approx(0.0, abs=1e-12)
    # two sources: the multiple-regression coefficients (targets x sources)
    sources = np.column_stack([x, (x - 3.5) ** 2])
    fit = effective_meso_weight(sources, np.column_stack([1 + 2 * sources[:, 0] - sources[:, 1], sources[:, 1]]))
    assert np.allclose(fit.weight, [[2.0, -1.0], [0.0, 1.0]], atol=1e-10)


def test_route_contrast_hand_values():
    assert route_contrast([3.0, 1.0]) == pytest.approx(0.5)
    assert route_contrast([[1.0], [3.0]]) == pytest.approx(-0.5)
    assert route_contrast([2.0, 0.0]) == 1.0 and route_contrast([0.0, 0.7]) == -1.0
    assert route_contrast([2.0, -2.0]) == 1.0  # an inhibited target 2: magnitudes in the denominator
    assert route_contrast([1.5, 1.5]) == 0.0
    assert math.isnan(route_contrast([0.0, 0.0]))


def test_meso_routing_switches_exactly_as_its_equations_say():
    x = np.array([0.0, 0.5, 1.0, 0.0, 0.5, 1.0, 0.0, 0.5, 1.0])
    gate = np.array([[1, 0]] * 3 + [[0, 1]] * 3 + [[1, 1]] * 3, dtype=float)
    receptivity = np.array([[1.0, 0.5]] * 3 + [[0.5, 1.0]] * 3 + [[1.0, 0.0]] * 3)
    weights = [[2.0, 0.0], [0.0, 4.0]]
    model = meso_routing(x, gate, receptivity, weights, bias=[-1.0, -2.0], contexts=["to1"] * 3 + ["to2"] * 3 + ["a"] * 3)

    def h(drive):
        return 1.0 / (1.0 + math.exp(-drive))

    # by hand: window 2 (context to1, x = 1): h1 = s(1 * 2 * 1 * 1 - 1), h2 = s(0.5 * 0 - 2)
    assert model.target_activity[2].tolist() == pytest.approx([h(1.0), h(-2.0)], abs=1e-15)
    # window 5 (context to2, x = 1): h1 = s(0.5 * 0 - 1), h2 = s(1 * 4 - 2)
    assert model.target_activity[5].tolist() == pytest.approx([h(-1.0), h(2.0)], abs=1e-15)
    # source activity: mean over subsets of s_i x
    assert model.source_activity.tolist() == pytest.approx([0, .25, .5, 0, .25, .5, 0, .5, 1])
    # the route switches: the silenced subset's target does not vary at all (slope exactly 0)
    w_to1, w_to2, w_a = (model.weights[c].weight.ravel() for c in ("to1", "to2", "a"))
    assert w_to1[0] > 0 and w_to1[1] == 0.0 and w_to2[0] == 0.0 and w_to2[1] > 0
    # receptivity alone (a_2 = 0, both subsets active) also closes route 2
    assert w_a[0] > 0 and w_a[1] == 0.0
    # and the weights are the regression slopes of h on the source activity
    slope = np.polyfit(model.source_activity[:3], model.target_activity[:3, 0], 1)[0]
    assert w_to1[0] == pytest.approx(slope, rel=1e-9)


@pytest.mark.parametrize("call, message", [
    (lambda: effective_meso_weight([1.0, 2.0, 3.0], [1.0, 2.0]), "one row per window"),
    (lambda: effective_meso_weight([1.0, 2.0], [1.0, 2.0]), "at least n_sources + 2 = 3 windows"),
    (lambda: effective_meso_weight([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], mask=[True, True, False, False]),
     "at least n_sources + 2 = 3 windows"),
    (lambda: effective_meso_weight([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]), "must vary"),
    (lambda: effective_meso_weight([1.0, np.nan, 3.0], [1.0, 2.0, 3.0]), "finite"),
    (lambda: effective_meso_weight([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], mask=[1, 0, 1]), "mask must be a boolean"),
    (lambda: route_contrast([1.0, 2.0, 3.0]), "exactly 2 weights"),
    (lambda: meso_routing([0.0, 1.0, 2.0], [[1, 0]] * 2, [[1, 1]] * 3, np.eye(2), [0, 0]), "gate must have shape"),
    (lambda: meso_routing([0.0, 1.0, 2.0], [[1, 2]] * 3, [[1, 1]] * 3, np.eye(2), [0, 0]), "gate must lie in [0, 1]"),
    (lambda: meso_routing([0.0, 1.0, 2.0], [[1, 0]] * 3, [[1, -1]] * 3, np.eye(2), [0, 0]), "receptivity must be >= 0"),
    (lambda: meso_routing([0.0, 1.0, 2.0], [[1, 0]] * 3, [[1, 1]] * 3, np.eye(2), [0, 0, 0]), "bias must have shape"),
])
def test_bad_input_names_the_parameter_and_its_range(call, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]").replace("+", r"\+")):
        call()


@pytest.mark.slow
def test_routing_demo_route_switches_with_context_while_micro_weights_stay(tmp_path):
    load_figure_module("routing").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "routing.png").stat().st_size > 20_000
    with open(tmp_path / "routing.json") as handle:
        data = json.load(handle)
    assert {"contexts", "meso_weight", "route_contrast", "params", "provenance"} <= set(data)
    assert set(data["contexts"]) == {"route_to_target_1", "route_to_target_2"}
    fits = data["spiking_fit"]["event_rate"]
    for context, (first, second) in (("route_to_target_1", (0, 1)), ("route_to_target_2", (1, 0))):
        w = np.ravel(data["meso_weight"][context]["spiking"])
        se = np.ravel(fits[context]["weight_se"])
        assert np.allclose(w, np.ravel(fits[context]["weight"]))
        # the routed target's meso weight exceeds the other's by more than 3 standard errors of
        # the difference (independent residuals: SEs add in quadrature; 3 SE: p ~ 1e-3 by chance)
        assert w[first] - w[second] > 3 * math.hypot(se[first], se[second])
        # the meso model routes the same way, and both contrasts point to the routed target
        meso = np.ravel(data["meso_weight"][context]["meso"])
        assert meso[first] > 0 and meso[second] == pytest.approx(0.0, abs=1e-12)  # silenced input: h constant
        sign = 1 if first == 0 else -1
        # spiking contrast beyond 0.5 in magnitude: the unrouted target's slope is at most a third of
        # the routed one's (in the --quick run it is within 2 SE of 0, about 3 % of the routed one)
        assert sign * data["route_contrast"][context]["spiking"] > 0.5
        assert sign * data["route_contrast"][context]["meso"] > 0.99  # exactly +-1 up to rounding
        # s(t) is real: PV silences the gated subset (< 0.5 Hz, against several Hz for the other)
        subset = data["contexts"][context]["source_subset_event_rate_hz"]
        assert subset[second] < 0.5 and subset[first] > 3.0
    # the micro weights: the same static synapses in both contexts, and not zero
    micro = data["micro_weights"]
    assert micro["route_to_target_1"] == micro["route_to_target_2"]
    for name, proj in micro["route_to_target_1"]["projections"].items():
        assert proj["n_synapses"] > 0 and proj["plastic"] is False
    assert data["params"]["plan"]["projections"]["subset_a_to_target_1"]["plasticity"] is None
