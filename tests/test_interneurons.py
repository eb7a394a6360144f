"""AdEx interneurons: the generated time step equals the reference's scheme written out in numpy."""

import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, StateMonitor, defaultclock, ms, pA, prefs, volt

from models.interneurons import PV_PAYEUR, SST_PAYEUR, make_adex_group


@pytest.fixture
def numpy_target():
    saved = prefs.codegen.target
    prefs.codegen.target = "numpy"  # no Cython compilation for a 200 ms, 6-neuron run
    yield
    prefs.codegen.target = saved


def _reference_step_recursion(params, v0, n_steps, dt):
    """The reference's AdEx time step written out in numpy (float64): Euler of V with the previous
    w, or V = E_L while refractory (floor(t_ref/dt) steps after the spike step); spike test,
    reset and w += b; clip; w relaxes with the new V; the bias adds dt I/C."""
    p = {k: float(v) for k, v in params.shared_values().items()}
    v, w = np.array(v0, dtype=float), np.zeros(len(v0))
    refractory = np.zeros(len(v0), dtype=int)
    n_ref = int(np.floor(p["t_ref"] / dt + 1e-3))
    trace, spikes = [v.copy()], []
    for k in range(n_steps):
        x = (v - p["V_T"]) / p["DeltaT"]
        exponential = (1 + x / 256) ** 256 if params.spike_current == "fast_exp" else np.exp(x)
        euler = v + dt / p["C"] * (p["g_L"] * (p["E_L"] - v) + p["g_L"] * p["DeltaT"] * exponential - w)
        v = np.where(refractory > 0, p["E_L"], euler)
        refractory = np.maximum(refractory - 1, 0)
        fired = v > p["v_spike"]
        spikes += [(k, i) for i in np.nonzero(fired)[0]]
        v = np.where(fired, p["v_reset"], v)
        w = w + fired * p["b"]
        refractory = np.where(fired, n_ref, refractory)
        v = np.clip(v, p["v_min"], p["v_max"])
        w = w + dt / p["tau_w"] * (p["a"] * (v - p["E_L"]) - w)
        v = v + dt * p["I_bias"] / p["C"]
        trace.append(v.copy())
    return np.array(trace).T, spikes, n_ref


@pytest.mark.parametrize("params", [PV_PAYEUR.replace(I_bias=400 * pA), SST_PAYEUR.replace(I_bias=300 * pA),
                                    PV_PAYEUR.replace(I_bias=400 * pA, t_ref=0.25 * ms),
                                    SST_PAYEUR.replace(I_bias=300 * pA, t_ref=1.99 * ms),
                                    PV_PAYEUR.replace(I_bias=400 * pA, t_ref=0 * ms),
                                    PV_PAYEUR.replace(I_bias=400 * pA, spike_current="exp")],
                         ids=["PV", "SST", "off-grid-0.25ms", "off-grid-1.99ms", "none", "exp"])
def test_adex_step_equals_the_reference_scheme_written_out(params, numpy_target):
    # the generated code (one Euler state update with the refractory clamp as a 0/1 factor, the
    # reset, and the after-reset clip/w/current operation) against the documented step written
    # out in numpy: the same spike steps and the same voltages up to float64 evaluation order.
    # Off-grid t_ref is rounded down to whole steps (0.25 ms -> 2, 1.99 ms -> 19 steps), as the
    # reference's integer conversion does.
    dt = 0.1 * ms
    defaultclock.dt = dt
    ours = make_adex_group(3, params, name="adex_ours")
    v0 = float(params.E_L) + np.array([0.0, 5.0, 10.0]) * 1e-3  # different spike phases
    ours.v = v0 * volt
    spikes = SpikeMonitor(ours)
    states = StateMonitor(ours, "v", record=True)
    n_steps = 2000
    Network(ours, spikes, states).run(n_steps * dt, namespace={})
    expected_v, expected_spikes, n_ref = _reference_step_recursion(params, v0, n_steps, float(dt))
    assert len(expected_spikes) >= 3 * 5  # the bias makes them fire repeatedly
    ours_spikes = sorted(zip(np.rint(np.asarray(spikes.t / dt)).astype(int).tolist(), np.asarray(spikes.i).tolist()))
    assert ours_spikes == sorted(expected_spikes)
    # away from the upswing the recursion and the generated code agree to float64 evaluation order
    below = expected_v[:, :n_steps] < float(params.V_T)
    np.testing.assert_allclose(states.v_[below], expected_v[:, :n_steps][below], rtol=0, atol=1e-9)
    # the reset value shows for one step, then V sits at E_L (+ the bias's dt I/C) for n_ref steps
    step = expected_spikes[0][0] if expected_spikes[0][1] == 0 else [k for k, i in expected_spikes if i == 0][0]
    bias = float(params.I_bias) * float(dt) / float(params.C)
    assert states.v_[0, step + 1] == pytest.approx(float(params.v_reset) + bias, abs=1e-12)
    np.testing.assert_allclose(states.v_[0, step + 2:step + 2 + n_ref], float(params.E_L) + bias, rtol=0, atol=1e-12)
    assert states.v_[0, step + 2 + n_ref] != pytest.approx(float(params.E_L) + bias, abs=1e-9)


def test_reset_at_or_above_the_spike_cut_is_rejected():
    from spiking.errors import ParameterError
    from brian2 import mV
    with pytest.raises(ParameterError, match="v_reset.*v_spike"):
        PV_PAYEUR.replace(v_reset=0 * mV)
