"""The two-compartment neuron against closed forms (passive relaxation, steady states, bAP box,
first-spike time), each swept over dt.

Forward Euler (the reference code's integrator) is used throughout, so two kinds of reference
appear: the continuous closed form, met within Euler's first-order error (the tolerance is
derived beside each assertion), and the exact solution of the Euler recursion itself, met to
rounding error (this pins the implementation, e.g. off-by-one-step timing of the bAP box).
"""

import numpy as np
import pytest
from brian2 import mV, ms, nA, pA

from models.pyramidal import PyramidalParameters, plateau_activation, steady_state
from spiking.current_clamp import current_clamp
from spiking.stimuli import Constant, Step

DTS = [0.025 * ms, 0.05 * ms, 0.1 * ms]
# The active parts switched off: leaky compartments only.
PASSIVE = PyramidalParameters(g_s=0 * pA, g_d=0 * pA, a_wd=0 * pA / mV, b_ws=0 * pA, c_d=0 * pA)


def _decay_time_constant(t_s, v, v_rest, t_from, t_to):
    """Time constant of the log-linear fit of v - v_rest over [t_from, t_to)."""
    sel = (t_s >= t_from) & (t_s < t_to)
    slope = np.polyfit(t_s[sel], np.log(v[sel] - v_rest), 1)[0]
    return -1.0 / slope


@pytest.mark.parametrize("dt", DTS, ids=lambda d: f"dt={float(d / ms)}ms")
@pytest.mark.parametrize("compartment, tau", [("soma", 16 * ms), ("dendrite", 7 * ms)])
def test_passive_relaxation_time_constant(dt, compartment, tau):
    # 50 pA lifts the soma by 2.2 mV and the dendrite by 2.1 mV: far from threshold
    step = Step(50 * pA, 10 * ms, 100 * ms)
    kwargs = {compartment: step}
    rec = current_clamp(PASSIVE, 200 * ms, dt=dt, record=("v_s", "v_d"), **kwargs)
    v = rec["v_s" if compartment == "soma" else "v_d"][0]
    t_off = 0.110
    tau_fit = _decay_time_constant(rec.t_s, v, -0.070, t_off + 0.001, t_off + 3 * float(tau))
    # Euler's decay factor per step is (1 - dt/tau), i.e. an exact exponential with
    # tau_euler = -dt / ln(1 - dt/tau); the fit must recover it to rounding error ...
    tau_euler = -float(dt) / np.log(1 - float(dt / tau))
    assert tau_fit == pytest.approx(tau_euler, rel=1e-6)
    # ... and the continuous time constant within Euler's first-order bias, tau - tau_euler
    # ~ dt/2 (allow dt)
    assert abs(tau_fit - float(tau)) <= float(dt)


@pytest.mark.parametrize("dt", DTS, ids=lambda d: f"dt={float(d / ms)}ms")
def test_passive_steady_state_under_dc(dt):
    i_s, i_d = 40 * pA, -30 * pA
    rec = current_clamp(PASSIVE, 300 * ms, dt=dt, soma=Constant(i_s), dendrite=Constant(i_d),
                        record=("v_s", "v_d"))
    # after 300 ms (> 18 tau_s) the residual is below e^-18 * 2 mV ~ 1e-8 mV
    assert rec["v_s"][0, -1] == pytest.approx(float(PASSIVE.E_L + i_s / PASSIVE.g_L_s), abs=1e-9)
    assert rec["v_d"][0, -1] == pytest.approx(float(PASSIVE.E_L + i_d / PASSIVE.g_L_d), abs=1e-9)


@pytest.mark.parametrize("dt", DTS, ids=lambda d: f"dt={float(d / ms)}ms")
def test_full_model_steady_state_matches_fixed_point(dt):
    params = PyramidalParameters()
    i_s, i_d = 80 * pA, 100 * pA
    rec = current_clamp(params, 500 * ms, dt=dt, soma=Constant(i_s), dendrite=Constant(i_d),
                        record=("v_s", "v_d", "w_d"))
    # the reference's step relaxes w_d towards a_wd (V_d' - E_L) with V_d' the dendrite after its
    # Euler step but before the injected dt I_d/C_d is added: at the map's fixed point V_d' =
    # V_d - dt I_d/C_d, so w_d = a_wd (V_d - E_L) - a_wd dt I_d/C_d, the ODE's fixed point with an
    # extra dendritic current -a_wd dt I_d/C_d (0.8 pA here at dt = 0.1 ms)
    shift = float(-params.a_wd * dt * i_d / params.C_d) * pA / 1e-12
    expected = steady_state(params, i_s, i_d + shift)
    assert rec.spike_counts()[0] == 0
    # Euler keeps the fixed points of the map; after 500 ms the slowest mode (the dendritic
    # adaptation, ~30 ms) has decayed by e^-16: residual < 1 uV
    assert rec["v_s"][0, -1] == pytest.approx(float(expected["v_s"]), abs=1e-6)
    assert rec["v_d"][0, -1] == pytest.approx(float(expected["v_d"]), abs=1e-6)
    assert rec["w_d"][0, -1] == pytest.approx(float(expected["w_d"]) + float(shift), rel=1e-4)
    # the plateau nonlinearity really acts: V_d is above the passive value
    assert float(expected["v_d"]) > float(params.E_L + i_d / (params.g_L_d - params.a_wd))


def _euler_box_response(n_steps, dt, tau, c_over_C, on):
    """Exact Euler recursion of a leaky compartment under a box current (relative to rest)."""
    v = np.zeros(n_steps)
    for k in range(n_steps - 1):
        v[k + 1] = v[k] * (1 - dt / tau) + dt * c_over_C * on[k]
    return v


@pytest.mark.parametrize("dt", DTS, ids=lambda d: f"dt={float(d / ms)}ms")
@pytest.mark.parametrize("rule, delay", [("moving_threshold", 0 * ms), ("fixed_threshold", 0.5 * ms)])
def test_bap_box_on_passive_dendrite(dt, rule, delay):
    params = PASSIVE.replace(c_d=2600 * pA, spike_rule=rule)
    rec = current_clamp(params, 40 * ms, dt=dt, soma=Step(1.9 * nA, 5 * ms, 5 * ms), record=("v_d",))
    spikes = rec.spike_times_s[0]
    assert len(spikes) == 1
    h, tau = float(dt), float(params.tau_d)
    c_over_C = float(params.c_d / params.C_d)
    n_spike = int(round(spikes[0] / h))
    k = np.arange(len(rec.t_s)) - n_spike  # steps since the spike step
    duration = float(params.bap_duration)
    # the box is on at steps k with delay < k*dt <= delay + duration (docs/model.md)
    on = (k * h > float(delay) + h / 2) & (k * h < float(delay) + duration + h / 2)
    assert on.sum() == round(duration / h)
    v_rel = rec["v_d"][0] - float(params.E_L)
    expected = _euler_box_response(len(v_rel), h, tau, c_over_C, on)
    # exact Euler recursion: rounding error only
    np.testing.assert_allclose(v_rel, expected, atol=1e-12)
    # continuous closed form: (c/g_L)(1 - exp(-s/tau)) during the box, then decay
    s = np.clip(k * h - float(delay), 0, None)
    amplitude = float(params.c_d / params.g_L_d)
    closed = np.where(s <= duration, amplitude * (1 - np.exp(-s / tau)),
                      amplitude * (1 - np.exp(-duration / tau)) * np.exp(-(s - duration) / tau))
    # sampling the box on a grid shifts it by up to one step (slope c/C * dt), and Euler's
    # relative error is ~ (dt/2tau) per time constant: bound |error| by dt*c/C + amplitude*dt/tau
    tolerance = h * c_over_C + amplitude * h / tau
    assert np.max(np.abs(v_rel - closed)) <= tolerance
    # peak ~ 26.6 mV above rest: the bAP lifts V_d from -70 to about -43 mV (docs/model.md)
    assert v_rel.max() == pytest.approx(amplitude * (1 - np.exp(-duration / tau)), abs=tolerance)


@pytest.mark.parametrize("dt", DTS, ids=lambda d: f"dt={float(d / ms)}ms")
@pytest.mark.parametrize("rule", ["fixed_threshold", "moving_threshold"])
def test_first_spike_time_under_dc(dt, rule):
    params = PyramidalParameters(spike_rule=rule)
    current = 600 * pA
    rec = current_clamp(params, 60 * ms, dt=dt, soma=Constant(current), record=())
    rest = steady_state(params)
    threshold = float(params.v_threshold if rule == "fixed_threshold" else params.theta_0)
    # before the first spike the dendrite stays at rest, so the soma sees a constant plateau
    # current g_s f(V_d,rest) on top of the DC: V_s(t) = V_inf - (V_inf - V_rest) exp(-t/tau_s)
    v_rest = float(rest["v_s"])
    v_inf = float(params.E_L) + (float(current) + float(params.g_s) * float(
        plateau_activation(rest["v_d"], params))) / float(params.g_L_s)
    tau, h = float(params.tau_s), float(dt)
    t_closed = -tau * np.log((v_inf - threshold) / (v_inf - v_rest))
    # Euler: V_k = V_inf - (V_inf - V_rest)(1 - h/tau)^k. As in the reference, the injected
    # current's dt I/C is added after the threshold test, so step k-1 tests V_k - h I/C: the first
    # k with V_k > threshold + h I/C is the spike, at the time of step k-1
    lift = h * float(current) / float(params.C_s)
    k_first = int(np.ceil(np.log((v_inf - threshold - lift) / (v_inf - v_rest)) / np.log(1 - h / tau)))
    t_first = rec.spike_times_s[0][0]
    assert t_first == pytest.approx((k_first - 1) * h, abs=1e-12)
    # continuous closed form: detection on the grid (one step), Euler's phase error t* dt/(2 tau)
    # (allow twice) and the threshold lifted by h I/C, crossed at slope (V_inf - threshold)/tau
    assert abs(t_first - t_closed) <= h + t_closed * h / tau + lift * tau / (v_inf - threshold - lift)
