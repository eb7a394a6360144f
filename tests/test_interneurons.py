"""AdEx interneurons: the explicit refractory hold equals Brian's ``(unless refractory)``."""

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, defaultclock, ms, pA, prefs

from models.interneurons import PV_PAYEUR, SST_PAYEUR, make_adex_group


@pytest.fixture
def numpy_target():
    saved = prefs.codegen.target
    prefs.codegen.target = "numpy"  # no Cython compilation for a 200 ms, 6-neuron run
    yield
    prefs.codegen.target = saved


@pytest.mark.parametrize("params", [PV_PAYEUR.replace(I_bias=400 * pA), SST_PAYEUR.replace(I_bias=300 * pA),
                                    PV_PAYEUR.replace(I_bias=400 * pA, t_ref=0.25 * ms),
                                    SST_PAYEUR.replace(I_bias=300 * pA, t_ref=1.99 * ms),
                                    PV_PAYEUR.replace(I_bias=400 * pA, t_ref=0 * ms)],
                         ids=["PV", "SST", "off-grid-0.25ms", "off-grid-1.99ms", "none"])
def test_refractory_hold_matches_brian_refractoriness(params, numpy_target):
    # the same AdEx written with Brian's own refractoriness (v not integrated while refractory,
    # threshold disabled) must give the same spike steps and the same voltage trace: both
    # decide refractoriness on the time grid, so any difference is a bug, not round-off
    defaultclock.dt = 0.1 * ms
    ours = make_adex_group(3, params, name="adex_ours")
    eqs = """
        dv/dt = (g_L*(E_L - v) + g_L*DeltaT*exp((v - V_T)/DeltaT) + I_bias - w)/C : volt (unless refractory)
        dw/dt = (a*(v - E_L) - w)/tau_w : amp
        """
    namespace = {name: value for name, value in params.shared_values().items()}
    brian_ref = NeuronGroup(3, eqs, threshold="v > v_spike", reset="v = v_reset\nw += b",
                            refractory=params.t_ref, method="euler", namespace=namespace, name="adex_brian")
    brian_ref.v = params.E_L
    # three neurons at different starting voltages: different spike phases
    for group in (ours, brian_ref):
        group.v = params.E_L + np.array([0.0, 5.0, 10.0]) * 1e-3 * brian_ref.v.unit
    monitors = [SpikeMonitor(ours), SpikeMonitor(brian_ref), StateMonitor(ours, "v", record=True),
                StateMonitor(brian_ref, "v", record=True)]
    Network(ours, brian_ref, *monitors).run(200 * ms, namespace={})
    spikes_ours, spikes_brian, v_ours, v_brian = monitors
    assert spikes_ours.num_spikes >= 3 * 5  # the bias makes them fire repeatedly
    for k in range(3):
        np.testing.assert_array_equal(spikes_ours.spike_trains()[k] / ms, spikes_brian.spike_trains()[k] / ms)
    # float64 evaluation order only (the two expressions are written differently)
    np.testing.assert_allclose(v_ours.v_, v_brian.v_, rtol=0, atol=1e-12)  # volt
    # and V is held at the reset for the whole steps of t_ref after every spike (Brian's rule:
    # an off-grid t_ref is rounded down, 0.25 ms -> 2 steps, 1.99 ms -> 19 steps of 0.1 ms)
    first = spikes_ours.spike_trains()[0][0]
    step = int(round(float(first / defaultclock.dt)))
    held = int(np.floor(float(params.t_ref / defaultclock.dt) + 1e-3))
    # the monitor records before each step's update: the reset value is seen once even when nothing is held
    held = max(held, 1)
    np.testing.assert_array_equal(v_ours.v_[0, step + 1:step + held + 1], float(params.v_reset))
    assert v_ours.v_[0, step + held + 1] != float(params.v_reset)


def test_reset_at_or_above_the_spike_cut_is_rejected():
    from spiking.errors import ParameterError
    from brian2 import mV
    with pytest.raises(ParameterError, match="v_reset.*v_spike"):
        PV_PAYEUR.replace(v_reset=0 * mV)
