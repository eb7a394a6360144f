"""The BurstPoisson neuron of the XOR network (models.pyramidal.BurstPoissonParameters): burst
probability f(V_d), doublet intervals, refractoriness, and a burst spike that does not reset."""

import numpy as np
import pytest
from brian2 import ms, mV, pA, second

from models.pyramidal import (BurstPoissonParameters, PyramidalParameters, burst_delay_steps, plateau_activation,
                              steady_state)
from spiking.errors import ParameterError
from spiking.plan import CurrentInjection, NetworkPlan, Population
from spiking.simulation import Simulation
from spiking.stimuli import Constant

PARAMS = BurstPoissonParameters()
#: dendritic currents holding V_d near -65, -57 and -51 mV (V_d = E_L + I_d/(g_L,d - a_wd))
DENDRITIC_CURRENTS_PA = (190.0, 485.0, 710.0)
N_PER_UNIT = 800
T_SETTLE_S = 0.2  # V_d relaxes with tau_d and tau_wd (7 and 30 ms): settled to < 1e-3 mV
DT_S = 1e-4


@pytest.fixture(scope="module")
def clamped_run():
    plan = NetworkPlan(duration=1.2 * second, seed=5)
    plan.add_population(Population("bp", PARAMS, n_per_unit=N_PER_UNIT, n_units=len(DENDRITIC_CURRENTS_PA)))
    plan.add_current(CurrentInjection("bp", "soma", Constant(600 * pA)))
    plan.add_current(CurrentInjection("bp", "dendrite", [Constant(i * pA) for i in DENDRITIC_CURRENTS_PA]))
    plan.record_spikes("bp")
    plan.detect_bursts("bp", bin_width=100 * ms)
    plan.record_states("bp", ["v_d", "v_s"], [u * N_PER_UNIT for u in range(len(DENDRITIC_CURRENTS_PA))])
    with Simulation(plan) as sim:
        result = sim.run()
    return result


def _intervals(spikes, unit):
    """Per-neuron spike times of one unit after the settling time, and the classification:
    an interval < 16 ms ends in a burst spike (somatic intervals are >= 20 ms)."""
    out = []
    for neuron in range(unit * N_PER_UNIT, (unit + 1) * N_PER_UNIT):
        times = spikes.times_s[spikes.indices == neuron]
        out.append(times[times >= T_SETTLE_S])
    return out


def test_burst_probability_at_clamped_dendrite_equals_f(clamped_run):
    spikes = clamped_run.spikes["bp"]
    v_d = clamped_run.states["bp"]["v_d"]
    for unit, i_d in enumerate(DENDRITIC_CURRENTS_PA):
        trains = _intervals(spikes, unit)
        isis = np.concatenate([np.diff(t) for t in trains])
        n_bursts = int(np.count_nonzero(isis < 0.016))
        n_spikes = sum(len(t) for t in trains)
        # a burst spike in the window whose somatic spike came before it would be miscounted;
        # at most one per neuron: bounded below
        n_somatic = n_spikes - n_bursts
        measured_v_d = v_d[unit][int(T_SETTLE_S / DT_S):]
        assert np.ptp(measured_v_d) < 1e-6  # clamped: no coupling from the soma, constant current
        f = float(plateau_activation(measured_v_d.mean() * 1e3 * mV, PARAMS))
        p = n_bursts / n_somatic
        se = np.sqrt(f * (1 - f) / n_somatic)
        # binomial: 4.5 standard errors (a false failure once in 3e5 runs), plus the edge
        # effect of at most one spike per neuron at the window's start and end
        edge = 2 * N_PER_UNIT / n_somatic
        assert abs(p - f) < 4.5 * se + edge, (i_d, p, f, se)
    # the three clamps span the sigmoid: about 0.2, 0.5 and 0.7
    assert 0.1 < float(plateau_activation(v_d[0][-1] * 1e3 * mV, PARAMS)) < 0.3


def test_doublet_intervals_are_uniform_on_the_reference_grid(clamped_run):
    spikes = clamped_run.spikes["bp"]
    isis = np.concatenate([np.diff(t) for unit in range(3) for t in _intervals(spikes, unit)])
    doublets_steps = np.round(isis[isis < 0.016] / DT_S).astype(int)
    lowest, highest = burst_delay_steps(np.array([0.0, 1 - 1e-12]), PARAMS, DT_S * second)
    assert (lowest, highest) == (49, 148)
    # every delay on the grid of the reference's countdown, and all of it used
    assert doublets_steps.min() == lowest and doublets_steps.max() == highest
    counts = np.bincount(doublets_steps - lowest, minlength=highest - lowest + 1)
    # uniform over 100 steps: chi-square with 99 degrees of freedom; its 99.99 % quantile is 153
    expected = doublets_steps.size / counts.size
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert doublets_steps.size > 5000 and chi2 < 153


def test_refractoriness_and_the_burst_spike_does_not_reset(clamped_run):
    spikes = clamped_run.spikes["bp"]
    for unit in range(3):
        for times in _intervals(spikes, unit)[:200]:
            isis = np.diff(times)
            # after any spike (somatic or burst), the next somatic spike waits 20 ms: an interval
            # below 16 ms (a doublet) is never followed by another one
            assert np.all(isis[isis >= 0.016] >= 0.020 - 1e-9)
            short = isis < 0.016
            assert not np.any(short[1:] & short[:-1])
    states = clamped_run.states["bp"]
    # the monitor samples at the start of a step: the sample after the spike step is the first
    # one after the reset
    step = lambda t: int(round(t / DT_S)) + 1  # noqa: E731
    after_somatic, after_burst = [], []
    for row, unit in enumerate(range(3)):  # the recorded neuron of each unit
        v_s = states["v_s"][row] * 1e3
        times = spikes.times_s[spikes.indices == unit * N_PER_UNIT]
        isis = np.diff(times)
        # one step's change across the burst spike (a reset would drop V_s to -70 mV)
        after_burst += [v_s[step(t)] - v_s[step(t) - 1] for t in times[1:][isis < 0.016]]
        after_somatic += [v_s[step(t)] for t in times[np.concatenate([[True], isis >= 0.016])]]
    assert len(after_burst) >= 5 and len(after_somatic) >= 20
    # the step after a somatic spike starts at the reset (E_L = -70 mV) plus one step of current
    assert np.all(np.abs(np.array(after_somatic) + 70.0) < 0.5)
    # across a burst spike V_s changes by one step's integration only (dt I/C_s <= 0.2 mV here;
    # V_s sits 3.9 mV or more above the reset there, and a reset would drop it that far)
    assert np.all(np.abs(np.array(after_burst)) < 0.5)


def test_online_detector_equals_offline_decoder(clamped_run):
    from spiking.decoding import unit_rates

    online = clamped_run.online["bp"]
    offline = unit_rates(clamped_run.spikes["bp"], 0.1, burst_time="second_spike")
    # counts are integers on both sides: exactly equal per unit and bin
    np.testing.assert_array_equal(np.asarray(online.event_count),
                                  np.round(np.asarray(offline.event_rate) * N_PER_UNIT * 0.1))
    np.testing.assert_array_equal(np.asarray(online.burst_count),
                                  np.round(np.asarray(offline.burst_rate) * N_PER_UNIT * 0.1))
    assert float(np.asarray(online.burst_count).sum()) > 1000


def test_rest_has_no_plateau_current_and_bad_parameters_are_refused():
    rest = steady_state(PARAMS)
    # no g_d f(V_d) in the dendrite and no g_s f(V_d) into the soma: rest is E_L exactly
    assert abs(float(rest["v_d"] / mV) + 70) < 1e-9 and abs(float(rest["v_s"] / mV) + 70) < 1e-9
    assert abs(float(steady_state(PyramidalParameters())["v_d"] / mV) + 70) > 0.1  # the coupled cell differs
    with pytest.raises(ParameterError, match="spike_rule must be 'moving_threshold'"):
        BurstPoissonParameters(spike_rule="fixed_threshold")
    with pytest.raises(ParameterError, match="shorter than t_ref_abs"):
        BurstPoissonParameters(burst_delay_spread=20 * ms)
