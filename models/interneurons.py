"""Adaptive exponential integrate-and-fire interneurons (PV+, SST+; room for VIP+), as in the
authors' modified Auryn ``AdExGroup`` (docs/model.md)::

    C dV/dt = g_L (E_L - V) + g_L DeltaT F((V - V_T)/DeltaT) + I_syn + I_bias + I_ext - w
    tau_w dw/dt = a (V - E_L) - w;      spike when V > V_spike: V <- V_reset, w <- w + b

Time step, as the reference code's (recorded step by step in ``validation/``):

1. forward Euler of V (with the previous w); during the refractory period V is instead *set*
   to E_L (the reference overwrites the reset value from the step after the spike on, for
   ``floor(t_ref/dt)`` steps); conductances decay by exactly exp(-dt/tau);
2. spike test V > V_spike, reset V <- V_reset and w <- w + b;
3. V is clipped to [v_min, v_max] (reference: [-80, 20] mV; the clip never changes a spike test
   against V_spike = 0 mV, so it may follow it);
4. w relaxes by forward Euler towards a (V - E_L) with the V after the reset and clip;
5. the injected currents (bias and stimuli) add dt (I_bias + I_ext)/C to V.

The exponential is the reference's ``fast_exp``, F(x) = (1 + x/256)^256 (below exp(x) by
exp(-x^2/512) to first order: 17 % at x = 10, 2 % at x = 3), by default; ``spike_current="exp"``
uses exp(x).

Examples
--------
>>> from models.interneurons import PV_PAYEUR, SST_PAYEUR
>>> PV_PAYEUR.I_bias, SST_PAYEUR.a
(205. * pamp, 0.5 * nsiemens)
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Equations, NeuronGroup, Quantity, mV, ms, nS, pA, pF, second

from spiking.errors import ParameterError
from spiking.parameters import ParameterSet, choice, parameter

__all__ = ["AdExParameters", "PV_PAYEUR", "SST_PAYEUR", "SPIKE_CURRENTS", "adex_equations", "make_adex_group"]

#: The exponential of the spike current: the reference's (1 + x/256)^256, or exp(x).
SPIKE_CURRENTS = ("fast_exp", "exp")


@dataclasses.dataclass(frozen=True)
class AdExParameters(ParameterSet):
    """Parameters of an AdEx interneuron population.

    Examples
    --------
    >>> from brian2 import pA
    >>> vip_like = SST_PAYEUR.replace(I_bias=-50 * pA)
    """

    model_name = "AdEx interneuron"

    C: Quantity = parameter(100 * pF, pF, "C", "positive")
    """C: membrane capacitance."""
    g_L: Quantity = parameter(10 * nS, nS, "g_L", "positive")
    """g_L: leak conductance."""
    E_L: Quantity = parameter(-70 * mV, mV, "E_L")
    """E_L: leak reversal potential."""
    DeltaT: Quantity = parameter(2 * mV, mV, "Delta_T", "positive")
    """Delta_T: slope factor of the exponential spike current."""
    V_T: Quantity = parameter(-48 * mV, mV, "V_T")
    """V_T: soft threshold of the exponential term."""
    v_spike: Quantity = parameter(0 * mV, mV, "V_spike")
    """V_spike: spike cut (the reference code uses 0 mV)."""
    v_reset: Quantity = parameter(-70 * mV, mV, "V_r")
    """V_r: reset voltage of the spike step (PV E_L + 15, SST E_L + 5 mV); afterwards V is set to
    E_L for the refractory period, as in the reference code."""
    v_min: Quantity = parameter(-80 * mV, mV, "V_min")
    """V_min: lower clip of V after each step (reference: E_inh = -80 mV)."""
    v_max: Quantity = parameter(20 * mV, mV, "V_max")
    """V_max: upper clip of V after each step (reference: 20 mV)."""
    t_ref: Quantity = parameter(1 * ms, ms, "t_ref", "nonnegative")
    """t_ref: absolute refractory period."""
    a: Quantity = parameter(0 * nS, nS, "a", "nonnegative")
    """a: subthreshold adaptation conductance."""
    b: Quantity = parameter(0 * pA, pA, "b", "nonnegative")
    """b: spike-triggered adaptation increment."""
    tau_w: Quantity = parameter(5 * ms, ms, "tau_w", "positive")
    """tau_w: adaptation time constant."""
    I_bias: Quantity = parameter(0 * pA, pA, "I_bias")
    """I_bias: constant bias current (PV: 205 pA for tonic firing)."""
    E_ampa: Quantity = parameter(0 * mV, mV, "E_exc")
    """E_exc: excitatory reversal potential."""
    E_gaba: Quantity = parameter(-80 * mV, mV, "E_inh")
    """E_inh: inhibitory reversal potential."""
    tau_ampa: Quantity = parameter(5 * ms, ms, "tau_AMPA", "positive")
    """tau_AMPA: excitatory conductance decay."""
    tau_gaba: Quantity = parameter(10 * ms, ms, "tau_GABA", "positive")
    """tau_GABA: inhibitory conductance decay."""
    spike_current: str = choice("fast_exp", SPIKE_CURRENTS, "spike current exponential")
    """The exponential F of the spike current: ``"fast_exp"`` (the reference's (1 + x/256)^256) or ``"exp"``."""

    def _check_relations(self) -> None:
        if not self.v_spike > self.V_T:
            raise ParameterError(f"AdExParameters.v_spike ({self.v_spike}) must be above V_T ({self.V_T})")
        if not self.v_reset < self.v_spike:
            raise ParameterError(f"AdExParameters.v_reset ({self.v_reset}) must be below v_spike ({self.v_spike}): "
                                 "V would fire again from the reset")
        if not self.v_min < self.E_L < self.v_max or not self.v_min <= self.v_reset <= self.v_max:
            raise ParameterError(f"AdExParameters: need v_min < E_L < v_max and v_min <= v_reset <= v_max; got "
                                 f"v_min={self.v_min}, E_L={self.E_L}, v_reset={self.v_reset}, v_max={self.v_max}")
        if self.spike_current == "fast_exp" and not (self.v_min - self.V_T) / self.DeltaT > -256:
            raise ParameterError(f"AdExParameters: fast_exp needs (v_min - V_T)/DeltaT > -256; got "
                                 f"{float((self.v_min - self.V_T) / self.DeltaT):.1f}")

    @property
    def tau_m(self) -> Quantity:
        return self.C / self.g_L


#: Fast-spiking, soma-targeting PV+ interneurons of Payeur et al. 2021.
PV_PAYEUR = AdExParameters(C=100 * pF, g_L=10 * nS, DeltaT=2 * mV, V_T=-48 * mV, t_ref=1 * ms, a=0 * nS,
                           b=0 * pA, tau_w=5 * ms, I_bias=205 * pA, v_reset=-55 * mV)
#: Adapting, dendrite-targeting SST+ (SOM) interneurons of Payeur et al. 2021.
#: Its V_T is the reference's rheobase formula (rheobase 25 pA), V_T = I_rh/(g_L + a) + E_L +
#: DeltaT - DeltaT ln(1 + a/g_L) = -61.836 mV (rounding it to -61.8 mV moves SST spikes by steps).
SST_PAYEUR = AdExParameters(C=100 * pF, g_L=5 * nS, DeltaT=4 * mV,
                            V_T=(25 * pA / (5.5 * nS) - 70 * mV + 4 * mV - 4 * mV * float(np.log(1.1))),
                            t_ref=2 * ms, a=0.5 * nS,
                            b=10 * pA, tau_w=500 * ms, I_bias=0 * pA, v_reset=-65 * mV)

_UNIT_NAMES = {mV.dim: "volt", ms.dim: "second", pA.dim: "amp", pF.dim: "farad", nS.dim: "siemens"}


def adex_equations(params: AdExParameters, current: str = "0*amp",
                   extra_conductances: dict[str, list[str]] | None = None) -> Equations:
    """Brian equations of the AdEx population (parameters as shared constants).

    Parameters
    ----------
    current : str
        Expression of the injected current ``I_ext`` (amp).
    extra_conductances : dict, optional
        ``{"g_ampa": [names], "g_gaba": [names]}``: linked conductances added to the
        receptor's own (used for all-to-all projections through a summing node).

    Examples
    --------
    >>> "g_gaba" in adex_equations(PV_PAYEUR).names
    True
    """
    extra = extra_conductances or {}
    terms = {rec: " + ".join(["g_" + rec] + extra.get("g_" + rec, [])) for rec in ("ampa", "gaba")}
    # Refractoriness: V is set to E_L while ``active`` is 0: Euler of (E_L - v)/dt gives exactly
    # E_L. The reference clamps the floor(t_ref/dt) steps after the spike step: inactive while
    # (t - t_last_spike)/dt < floor(t_ref/dt) + 1, compared with half a step of margin (the
    # elapsed time is a whole number of steps up to round-off). The right-hand side is
    # loop-invariant (shared t_ref, dt): no integer step count or branch, so GCC vectorises the
    # loop. V stays below v_spike then, so the threshold needs no refractory term. w and the
    # injected currents are updated after the reset (see make_adex_group).
    exponential = "exp(x_spike)" if params.spike_current == "exp" else "(1 + x_spike/256)**256"
    eqs = Equations(f"""
        dv/dt = active*(g_L*(E_L - v) + g_L*DeltaT*{exponential} + I_syn - w)/C + (1 - active)*(E_L - v)/dt : volt
        x_spike = (v - V_T)/DeltaT : 1
        active = int(t - t_last_spike > (floor(t_ref/dt + 0.001) + 0.5)*dt) : 1
        t_last_spike : second
        w : amp
        I_syn = ({terms['ampa']})*(E_ampa - v) + ({terms['gaba']})*(E_gaba - v) : amp
        dg_ampa/dt = -g_ampa*(1 - exp(-dt/tau_ampa))/dt : siemens
        dg_gaba/dt = -g_gaba*(1 - exp(-dt/tau_gaba))/dt : siemens
        I_ext = {current} : amp
        unit : integer (constant)
        """)
    for names in extra.values():
        for name in names:
            eqs += Equations(f"{name} : siemens (linked)")
    for name, value in params.shared_values().items():
        eqs += Equations(f"{name} : {_UNIT_NAMES[value.dim]} (shared, constant)")
    return eqs


def make_adex_group(n_neurons: int, params: AdExParameters, name: str, current: str = "0*amp",
                    extra_conductances: dict[str, list[str]] | None = None, method: str = "euler",
                    extra_equations: Equations | None = None,
                    extra_events: dict[str, tuple[str, str]] | None = None) -> NeuronGroup:
    """Make one ``NeuronGroup`` of AdEx interneurons at rest (V = E_L, w = 0).

    Examples
    --------
    >>> group = make_adex_group(5, SST_PAYEUR, name="sst_example")
    >>> group.N
    5
    """
    if not isinstance(params, AdExParameters):
        raise ParameterError(f"params must be AdExParameters; got {type(params).__name__}")
    eqs = adex_equations(params, current, extra_conductances)
    if extra_equations is not None:
        eqs += extra_equations
    events = {key: condition for key, (condition, _) in (extra_events or {}).items()}
    group = NeuronGroup(int(n_neurons), eqs,
                        threshold="v > v_spike", reset="v = v_reset\nw += b\nt_last_spike = t",
                        events=events or None, method=method, name=name)
    for key, (_, code) in (extra_events or {}).items():
        group.run_on_event(key, code)
    # after the reset, as in the reference: clip, w with the new V, then the injected currents
    group.run_regularly("v = clip(v, v_min, v_max)\n"
                        "w += dt*(a*(v - E_L) - w)/tau_w\n"
                        "v += dt*(I_bias + I_ext)/C", when="after_resets", name=f"{name}_after_reset")
    for key, value in params.shared_values().items():
        setattr(group, key, value)
    group.v = params.E_L
    group.t_last_spike = -1e4 * second  # as Brian's lastspike: no refractoriness at the start
    return group
