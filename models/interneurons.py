"""Adaptive exponential integrate-and-fire interneurons (PV+, SST+; room for VIP+), as in the
authors' modified Auryn ``AdExGroup`` (models.md section 2.1)::

    C dV/dt = g_L (E_L - V) + g_L DeltaT exp((V - V_T)/DeltaT) + I_syn + I_bias + I_ext - w
    tau_w dw/dt = a (V - E_L) - w;      spike when V > V_spike: V <- V_reset, w <- w + b

During the refractory period V is held. The reference code holds V at E_L (overwriting the
nominal reset), so the reference sets use ``v_reset = E_L``; the nominal resets of the paper
tables (PV: E_L + 15 mV, SST: E_L + 5 mV) are noted in the field docs. The reference code's clip
of V to [-80, 20] mV is not reproduced (it matters only for matching interneuron rates exactly).

Examples
--------
>>> from models.interneurons import PV_PAYEUR, SST_PAYEUR
>>> PV_PAYEUR.I_bias, SST_PAYEUR.a
(205. * pamp, 0.5 * nsiemens)
"""

from __future__ import annotations

import dataclasses

from brian2 import Equations, NeuronGroup, Quantity, mV, ms, nS, pA, pF, second

from spiking.errors import ParameterError
from spiking.parameters import ParameterSet, parameter

__all__ = ["AdExParameters", "PV_PAYEUR", "SST_PAYEUR", "adex_equations", "make_adex_group"]


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
    """V_r: voltage held during refractoriness (reference code: E_L; paper tables: PV E_L+15, SST E_L+5 mV)."""
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

    def _check_relations(self) -> None:
        if not self.v_spike > self.V_T:
            raise ParameterError(f"AdExParameters.v_spike ({self.v_spike}) must be above V_T ({self.V_T})")
        if not self.v_reset < self.v_spike:
            raise ParameterError(f"AdExParameters.v_reset ({self.v_reset}) must be below v_spike ({self.v_spike}): "
                                 "V is held at v_reset after a spike, and would fire at every step")

    @property
    def tau_m(self) -> Quantity:
        return self.C / self.g_L


#: Fast-spiking, soma-targeting PV+ interneurons of Payeur et al. 2021.
PV_PAYEUR = AdExParameters(C=100 * pF, g_L=10 * nS, DeltaT=2 * mV, V_T=-48 * mV, t_ref=1 * ms, a=0 * nS,
                           b=0 * pA, tau_w=5 * ms, I_bias=205 * pA)
#: Adapting, dendrite-targeting SST+ (SOM) interneurons of Payeur et al. 2021.
SST_PAYEUR = AdExParameters(C=100 * pF, g_L=5 * nS, DeltaT=4 * mV, V_T=-61.8 * mV, t_ref=2 * ms, a=0.5 * nS,
                            b=10 * pA, tau_w=500 * ms, I_bias=0 * pA)

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
    # Refractoriness: V is held while ``active`` is 0, for the same steps as Brian's
    # ``(unless refractory)``: refractory while timestep(t - lastspike) < timestep(t_ref), with
    # timestep(x) = floor(x/dt + 1e-3), so t_ref off the grid is rounded down to whole steps. The
    # elapsed time is a whole number of steps up to round-off, so comparing it with half a step
    # less than the whole steps of t_ref is exact. Brian's integer step count and branch keep GCC
    # from vectorising the loop (13 instead of ~4 ns per neuron and step); here the right-hand
    # side is loop-invariant (shared t_ref, dt). V is held below v_spike (checked), so the
    # threshold needs no refractory term.
    eqs = Equations(f"""
        dv/dt = active*(g_L*(E_L - v) + g_L*DeltaT*exp((v - V_T)/DeltaT) + I_syn + I_bias + I_ext - w)/C : volt
        active = int(t - t_last_spike > (floor(t_ref/dt + 0.001) - 0.5)*dt) : 1
        t_last_spike : second
        dw/dt = (a*(v - E_L) - w)/tau_w : amp
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
    for key, value in params.shared_values().items():
        setattr(group, key, value)
    group.v = params.E_L
    group.t_last_spike = -1e4 * second  # as Brian's lastspike: no refractoriness at the start
    return group
