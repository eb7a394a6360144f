"""The XOR network of Payeur et al. 2021 (spiking/experiments/xor.py): the plan follows the reference program,
and a quick structural run on cpp_standalone codes the inputs, teaches with the right signs and
learns only in the teaching windows. (The full learning run is a figure, not a test.)"""

import numpy as np
import pytest
from brian2 import Hz, ms, pA, second

from spiking.experiments.circuits import leak_units
from models.pyramidal import BurstPoissonParameters
from spiking.experiments.xor import (CASES, PLASTIC_PROJECTIONS, POPULATIONS, READOUT_PROJECTION, XorProtocol, example_schedule,
                        prediction_rates, timeline_grid, xor_cost, xor_plan)
from spiking.errors import ParameterError

PARAMS = BurstPoissonParameters()
QUICK = XorProtocol(n_per_population=60, n_epochs=2, example_duration=0.5 * second,
                    teaching_duration=0.1 * second, tau_avg=0.1 * second)


def test_plan_follows_the_reference_program():
    protocol = XorProtocol(n_epochs=3)
    plan = xor_plan(protocol, seed=2)
    assert set(plan.populations) == set(POPULATIONS)
    assert all(isinstance(p.params, BurstPoissonParameters) and p.n_neurons == 500 for p in plan.populations.values())
    etas = {name: plan.projections[name].plasticity.eta for name in PLASTIC_PROJECTIONS}
    for name, eta in etas.items():
        expected = 8e-3 if name.startswith("input") else 4e-3
        assert abs(float(eta / leak_units(expected, PARAMS, "soma")) - 1) < 1e-12
        projection = plan.projections[name]
        assert projection.p == pytest.approx(0.2) and projection.compartment == "soma"
        assert abs(float(projection.weight / leak_units(0.234, PARAMS, "soma")) - 1) < 1e-12
        assert projection.plasticity.tau_avg == 2 * second and projection.plasticity.e_max == 10 * Hz
        inhibition = plan.projections[name + "_inh"]
        assert inhibition.receptor == "gaba" and inhibition.transmit == "events"
        # the reference's Transmit{Event,Burst} and EBCP connections send spikes at once (Auryn's
        # get_spikes_immediate), not after the 0.8 ms default axonal delay
        assert projection.delay == 0 * ms and inhibition.delay == 0 * ms
    # feedback: bursts onto the hidden dendrites, net excitatory onto hidden 1, inhibitory onto hidden 2
    def feedback(target, receptor):
        projection = plan.projections[f"output_to_{target}_{receptor}"]
        assert projection.transmit == "bursts" and projection.compartment == "dendrite" and projection.delay == 0 * ms
        return float(projection.weight)
    assert feedback("hidden1", "ampa") > feedback("hidden1", "gaba")
    assert feedback("hidden2", "gaba") > 5 * feedback("hidden2", "ampa")
    # the timeline: 6 s burn-in, 4 + 12 + 4 examples of 8 s
    rows = example_schedule(protocol)
    assert len(rows) == 20 and rows[0]["t_start_s"] == 6.0 and float(plan.duration) == pytest.approx(166.0)
    training = [row for row in rows if row["phase"] == "train"]
    assert [row["case"] for row in training[:4]] == ["00", "10", "01", "11"]
    assert [row["target"] for row in training[:4]] == [0, 1, 1, 0]
    # learning and teaching only in the last 0.8 s of each training example
    expected_windows = [(row["t_teach_s"], row["t_stop_s"]) for row in training]
    for name in PLASTIC_PROJECTIONS:
        windows = plan.plasticity_schedule_of(name).windows
        np.testing.assert_allclose([(float(a), float(b)) for a, b in windows], expected_windows, atol=1e-9)
    teaching = plan.teaching_currents[READOUT_PROJECTION]
    np.testing.assert_allclose([(float(a), float(b), g) for a, b, g in teaching.windows],
                               [(a, b, row["target"]) for (a, b), row in zip(expected_windows, training)], atol=1e-9)
    # input coding: +150 pA for a 1, -350 pA for a 0, zero during the burn-in
    for k, name in enumerate(("input1", "input2")):
        wave = next(c for c in plan.currents if c.target == name).waveforms
        middles = np.array([0.5 * (row["t_start_s"] + row["t_stop_s"]) for row in rows])
        expected = np.array([150.0 if row["inputs"][k] else -350.0 for row in rows])
        np.testing.assert_allclose(wave.sample(middles) * 1e12, expected)
        assert wave.sample(np.array([3.0]))[0] == 0.0
    assert timeline_grid(protocol) == pytest.approx(0.4)


def test_cost_is_the_cross_entropy_of_the_mapped_rate():
    # y = (E - 2)/8, clipped to [0.01, 0.99]
    assert xor_cost(6.0, 1) == pytest.approx(np.log(2))
    assert xor_cost(6.0, 0) == pytest.approx(np.log(2))
    assert xor_cost(9.0, 1) == pytest.approx(-np.log(7 / 8))
    assert xor_cost(0.0, 1) == pytest.approx(-np.log(0.01))
    assert xor_cost(20.0, 0) == pytest.approx(-np.log(0.01))


def test_bad_protocol_names_the_parameter():
    with pytest.raises(ParameterError, match="n_epochs must be an integer >= 1"):
        XorProtocol(n_epochs=0)
    with pytest.raises(ParameterError, match="teaching_duration"):
        XorProtocol(teaching_duration=9 * second)
    with pytest.raises(ParameterError, match="e_max"):
        XorProtocol(e_min=12 * Hz)


@pytest.mark.slow
def test_quick_xor_run_codes_inputs_teaches_and_learns_only_in_windows():
    from spiking.simulation import Simulation

    plan = xor_plan(QUICK, seed=3)
    plan.record_states("output", ["I_teach"], list(range(QUICK.n_per_population)), dt=10 * ms)
    plan.record_mean_weights("hidden1_to_output", 50 * ms)
    with Simulation(plan, backend="cpp_standalone") as sim:
        result = sim.run()
    rows = example_schedule(QUICK)
    # the inputs code the cases: a 1 fires several times faster than a 0 in every example
    for name, k in (("input1", 0), ("input2", 1)):
        online = result.online[name]
        t = online.time.values
        for row in rows:
            inside = (t > row["t_start_s"] + 0.1) & (t < row["t_stop_s"])
            rate = float(online.event_rate.values[0, inside].mean())
            if row["inputs"][k]:
                assert rate > 5.0, (name, row)
            else:
                assert rate < 4.0, (name, row)
    # teaching: the population-mean current pushes up for target 1 and down for target 0
    states = result.states["output"]
    for row in (r for r in rows if r["phase"] == "train"):
        inside = (states["t_s"] > row["t_teach_s"] + 1e-6) & (states["t_s"] < row["t_stop_s"])
        mean_current = float(states["I_teach"][:, inside].mean())
        assert (mean_current > 0) if row["target"] else (mean_current < 0), row
    outside = np.ones(states["t_s"].size, dtype=bool)
    for row in (r for r in rows if r["phase"] == "train"):
        outside &= ~((states["t_s"] > row["t_teach_s"] + 1e-6) & (states["t_s"] < row["t_stop_s"] + 1e-6))
    assert np.all(states["I_teach"][:, outside] == 0)
    # the weights change only while learning is on (between samples that straddle no window)
    weights = result.mean_weights["hidden1_to_output"]
    w, t = weights.mean_weight.values[0], weights.time.values
    windows = [(r["t_teach_s"], r["t_stop_s"]) for r in rows if r["phase"] == "train"]
    changed = np.abs(np.diff(w)) > 0
    for k in np.flatnonzero(changed):
        assert any(a - 1e-6 <= t[k + 1] and t[k] <= b + 1e-6 for a, b in windows), (t[k], t[k + 1])
    assert changed.sum() >= len(windows)  # and they do change in the windows
    # a read-out per example, and a finite cost
    rates = prediction_rates(result, QUICK)
    assert len(rates) == len(rows) and all(np.isfinite(rates))
    assert all(np.isfinite(xor_cost(rate, row["target"], QUICK)) for rate, row in zip(rates, rows))
    assert CASES[1] == ((1, 0), 1)


def test_sweep_knobs_set_the_feedback_and_currents():
    """The registry's ``xor`` experiment: every knob sets declared run-time values (checked as a
    sweep spec checks them, before any build); ``feedback_sign=-1`` exchanges the two hidden
    populations' feedback; bad values name the knob."""
    from spiking.experiments.registry import get_experiment
    from spiking.sweep.spec import check_runtime_value

    exp = get_experiment("xor")(n_per_population=20, n_epochs=1, example_duration_ms=400, teaching_duration_ms=100,
                                tau_avg_ms=100)
    for name, knob in exp.knobs.items():
        value = 1.0 if name in ("feedback_sign",) else 100.0 if knob.unit == "pA" else 0.1
        for key, raw in knob.values(value).items():
            check_runtime_value(exp.plan, key, raw, f"knob {name}")
    reference, exchanged = exp.knobs["feedback_sign"].values(1), exp.knobs["feedback_sign"].values(-1)
    for receptor in ("ampa", "gaba"):
        assert reference[f"output_to_hidden1_{receptor}.weight"] == exp.plan.projections[
            f"output_to_hidden1_{receptor}"].weight  # +1 is the plan's own feedback
        assert exchanged[f"output_to_hidden1_{receptor}.weight"] == reference[f"output_to_hidden2_{receptor}.weight"]
        assert exchanged[f"output_to_hidden2_{receptor}.weight"] == reference[f"output_to_hidden1_{receptor}.weight"]
    with pytest.raises(ParameterError, match="feedback_sign"):
        exp.knobs["feedback_sign"].values(0.5)
    with pytest.raises(ParameterError, match="w_fb_hidden1_exc"):
        exp.knobs["w_fb_hidden1_exc"].values(-0.1)
    with pytest.raises(ParameterError, match="n_per_population"):
        get_experiment("xor")(n_per_population=0)


@pytest.mark.slow
def test_xor_sweep_feedback_raises_hidden_burst_probability(tmp_path):
    """A two-point sweep of the registry's ``xor`` experiment (one build): stronger excitatory
    feedback bursts onto the hidden-1 dendrites depolarise them, so f(V_d), the probability that
    a somatic spike becomes a doublet, rises: hidden 1's burst probability must go up, hidden 2's
    (whose feedback is unchanged) must not move by as much."""
    from spiking.sweep import SweepSpec, load_sweep, run_sweep

    spec = SweepSpec.from_dict({
        "name": "xor_feedback", "experiment": "xor", "seeds": [2], "backend": "cpp_standalone",
        "arguments": {"n_per_population": 40, "n_epochs": 1, "example_duration_ms": 1000,
                      "teaching_duration_ms": 200, "tau_avg_ms": 200},
        "axes": [{"name": "w_fb", "target": "w_fb_hidden1_exc", "values": [0.0, 3.0]}],
        # after the burn-in (0.6 s), the test pass and the training epoch: 12 examples of 1 s
        "decode": {"populations": ["hidden1", "hidden2"], "t_start_ms": 600}})
    summary = run_sweep(spec, str(tmp_path), workers=0, progress=False, build_directory=str(tmp_path / "builds"))
    assert summary["done"] == 2 and summary["n_builds"] == 1
    ds = load_sweep(str(tmp_path))
    bp1 = ds.hidden1_burst_probability.isel(seed=0, unit=0).values
    bp2 = ds.hidden2_burst_probability.isel(seed=0, unit=0).values
    events = float(ds.hidden1_event_rate.isel(seed=0, unit=0).min()) * 40 * 12.0
    # binomial SE of a BP from >= `events` events is <= 0.5 / sqrt(events) (about 0.02 for the
    # ~5 Hz x 40 cells x 12 s here); the expected rise is several times that
    assert events > 300, events
    assert bp1[1] - bp1[0] > 0.1, bp1
    assert abs(bp2[1] - bp2[0]) < bp1[1] - bp1[0], (bp1, bp2)
