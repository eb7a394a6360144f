"""The teaching current of the XOR network (NetworkPlan.add_teaching_current): computed inside
the simulation from each neuron's own moving-average event rate, on runtime and cpp_standalone."""

import numpy as np
import pytest
from brian2 import Hz, ms, nS, pA, second

from models.plasticity import BurstDependentPlasticity
from models.pyramidal import BurstPoissonParameters
from spiking.decoding import decompose
from spiking.errors import ParameterError
from spiking.plan import CurrentInjection, NetworkPlan, Population, Projection
from spiking.simulation import Simulation
from spiking.stimuli import Constant

PARAMS = BurstPoissonParameters()
RULE = BurstDependentPlasticity(eta=1e-6 * nS, w_max=20 * nS, tau_avg=0.5 * second, e_min=2 * Hz, e_max=10 * Hz)
#: somatic currents giving event rates from silence to above e_max (0 ... 11 Hz)
SOMATIC_PA = (420, 460, 500, 540, 580, 620, 700)
N_PER_UNIT = 20
WINDOWS = ((1.0, 1.3, 1), (1.6, 1.9, 0))
DT_S = 1e-4


def _plan(duration_s=2.0):
    plan = NetworkPlan(duration=duration_s * second, seed=4)
    plan.add_population(Population("hidden", PARAMS, n_per_unit=40))
    plan.add_population(Population("output", PARAMS, n_per_unit=N_PER_UNIT, n_units=len(SOMATIC_PA)))
    plan.add_current(CurrentInjection("hidden", "soma", Constant(500 * pA)))
    plan.add_current(CurrentInjection("output", "soma", [Constant(c * pA) for c in SOMATIC_PA]))
    plan.add_projection(Projection("h2o", "hidden", "output", "soma", "ampa", "pairwise", p=0.2, weight=0.1 * nS,
                                   plasticity=RULE))
    plan.add_teaching_current("h2o", [(a * second, b * second, goal) for a, b, goal in WINDOWS])
    plan.record_spikes("output")
    plan.record_event_rates("h2o", 0.25 * second)
    plan.record_states("output", ["I_teach"], list(range(N_PER_UNIT * len(SOMATIC_PA))), dt=1 * ms)
    return plan


def _expected_current_pA(rate_hz, goal, e_min=2.0, e_max=10.0, tolerance=1.0, amplitude=1000.0):
    """The reference's generate_error, written out independently."""
    out = np.zeros_like(rate_hz)
    for k, rate in enumerate(rate_hz):
        if goal == 1:
            out[k] = amplitude if rate <= e_min + tolerance else (0.0 if rate >= e_max - tolerance
                                                                   else amplitude / (rate - e_min))
        else:
            out[k] = -amplitude if rate >= e_max - tolerance else (0.0 if rate <= e_min + tolerance
                                                                    else -amplitude / (e_max - rate))
    return out


def _event_rate_before_step(spikes, step, n_neurons, tau_s):
    """The postsynaptic moving average Ebar/tau_avg at the start of ``step``: +1 per event (the
    trace rule), decaying by exp(-dt/tau) once per step after the step's events."""
    d = decompose(spikes, rule="trace")
    event_steps = np.round(d.event_times_s / DT_S).astype(int)
    before = event_steps < step
    average = np.zeros(n_neurons)
    np.add.at(average, d.event_neurons[before], np.exp(-(step - event_steps[before]) * DT_S / tau_s))
    return average / tau_s


def _check_event_rates(result):
    """The online unit means of Ebar/tau_avg equal the offline filter of the events: recorded at
    the end of the step at t, i.e. before the step after it."""
    rates = result.event_rates["h2o"]
    assert rates.event_rate.shape == (len(SOMATIC_PA), 8) and rates.event_rate.attrs["units"] == "Hz"
    n = N_PER_UNIT * len(SOMATIC_PA)
    for k, t in enumerate(rates.time.values):
        per_neuron = _event_rate_before_step(result.spikes["output"], int(round(t / DT_S)) + 1, n, 0.5)
        expected = per_neuron.reshape(len(SOMATIC_PA), N_PER_UNIT).mean(axis=1)
        # float32-free sums of a few hundred terms: equal to rounding
        np.testing.assert_allclose(rates.event_rate.values[:, k], expected, rtol=1e-9, atol=1e-12)
    assert float(rates.event_rate.values[-1, -1]) > 9.0  # the fastest unit is above e_max - 1 Hz


def _check(result):
    _check_event_rates(result)
    states = result.states["output"]
    current_pA, t_s = states["I_teach"] * 1e12, states["t_s"]
    n = current_pA.shape[0]
    inside_any = np.zeros(t_s.size, dtype=bool)
    regimes = set()
    for start, stop, goal in WINDOWS:
        rate = _event_rate_before_step(result.spikes["output"], int(round(start / DT_S)), n, 0.5)
        expected = _expected_current_pA(rate, goal)
        # the monitor samples at the start of a step, before the teaching update of that step:
        # the window's current shows from the sample after t_start up to the one at t_stop
        inside = (t_s > start + 1e-9) & (t_s < stop + 1e-9)
        inside_any |= inside
        # held for the whole window
        assert np.all(current_pA[:, inside] == current_pA[:, inside][:, :1])
        # equal to the formula at the window's start, except right at its two discontinuities
        # (3 and 9 Hz), where one step's rounding of the trace could tip a neuron over
        clear = (np.abs(rate - 3.0) > 0.01) & (np.abs(rate - 9.0) > 0.01)
        np.testing.assert_allclose(current_pA[:, inside][clear, 0], expected[clear], rtol=1e-6, atol=1e-6)
        regimes |= {(goal, float(np.sign(e)), bool(abs(abs(e) - 1000) < 1e-6)) for e in expected[clear]}
    assert np.all(current_pA[:, ~inside_any] == 0)
    # every branch of the rule occurs: +1000, graded +, 0 (target 1) and -1000, graded -, 0 (target 0)
    assert {(1, 1.0, True), (1, 1.0, False), (1, 0.0, False), (0, -1.0, True), (0, -1.0, False),
            (0, 0.0, False)} <= regimes


def test_teaching_current_follows_each_neurons_event_rate_runtime():
    with Simulation(_plan()) as sim:
        _check(sim.run())


@pytest.mark.standalone
def test_teaching_current_follows_each_neurons_event_rate_cpp_standalone():
    with Simulation(_plan(), backend="cpp_standalone") as sim:
        _check(sim.run())


@pytest.mark.parametrize("change, message", [
    (lambda p: p.add_teaching_current("h2o", [(1 * second, 2 * second, 2)]), "target must be 0 or 1"),
    (lambda p: p.add_teaching_current("h2o", [(1 * second, 2 * second, 1), (1.5 * second, 3 * second, 0)]),
     "must not overlap"),
    (lambda p: p.add_teaching_current("h2o", [(2 * second, 1 * second, 1)]), "must end after it starts"),
    (lambda p: p.add_teaching_current("h2o", [(1 * second, 2 * second, 1)], tolerance=5 * Hz), "half of"),
    (lambda p: p.add_teaching_current("h2o", [(1 * ms, 2 * ms, 1)], amplitude=-1 * pA), "amplitude"),
    (lambda p: p.add_teaching_current("nope", [(1 * ms, 2 * ms, 1)]), "unknown projection"),
    (lambda p: p.record_event_rates("h2o", 0.15 * ms), "whole multiple"),
    (lambda p: [p.record_event_rates("h2o", 1 * ms), p.record_event_rates("h2o", 2 * ms)], "already recorded"),
])
def test_bad_teaching_input_names_the_problem(change, message):
    plan = NetworkPlan(duration=1 * second)
    plan.add_population(Population("hidden", PARAMS, n_per_unit=5))
    plan.add_population(Population("output", PARAMS, n_per_unit=5))
    plan.add_projection(Projection("h2o", "hidden", "output", "soma", "ampa", "pairwise", p=0.2, weight=0.1 * nS,
                                   plasticity=RULE))
    with pytest.raises(ParameterError, match=message):
        change(plan)


def test_teaching_needs_e_max_and_one_current_per_population():
    plan = NetworkPlan(duration=1 * second)
    plan.add_population(Population("hidden", PARAMS, n_per_unit=5))
    plan.add_population(Population("output", PARAMS, n_per_unit=5))
    plan.add_projection(Projection("a", "hidden", "output", "soma", "ampa", "pairwise", p=0.2, weight=0.1 * nS,
                                   plasticity=RULE.replace(e_max=None)))
    plan.add_projection(Projection("b", "hidden", "output", "soma", "ampa", "pairwise", p=0.2, weight=0.1 * nS,
                                   plasticity=RULE))
    with pytest.raises(ParameterError, match="no e_max"):
        plan.add_teaching_current("a", [(1 * ms, 2 * ms, 1)])
    plan.add_teaching_current("b", [(1 * ms, 2 * ms, 1)])
    plan.add_projection(Projection("c", "hidden", "output", "soma", "ampa", "pairwise", p=0.2, weight=0.1 * nS,
                                   plasticity=RULE))
    with pytest.raises(ParameterError, match="already has a teaching current"):
        plan.add_teaching_current("c", [(1 * ms, 2 * ms, 1)])
