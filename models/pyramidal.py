"""Two-compartment pyramidal neuron of Naud & Sprekeler (2018) and Payeur et al. (2021).

Soma and apical dendrite are leaky compartments with no passive coupling (as in the
authors' code, ``NaudGroup``): the dendrite drives the soma only through the plateau
current ``g_s f(V_d)``, and the soma drives the dendrite only through the
back-propagating action potential (bAP), a box current of amplitude ``c_d``.

Paper form (docs/model.md)::

    C_s dV_s/dt = -(C_s/tau_s)(V_s - E_L) + g_s f(V_d) + w_s + I_s
    tau_ws dw_s/dt = -w_s,                      w_s += b_ws at each somatic spike
    C_d dV_d/dt = -(C_d/tau_d)(V_d - E_L) + g_d f(V_d) + c_d K(t - t_hat) + w_d + I_d
    tau_wd dw_d/dt = -w_d + a_wd (V_d - E_L)
    f(V) = 1 / (1 + exp(-(V - E_d)/D_d))

Two spike rules, chosen by name in :attr:`PyramidalParameters.spike_rule`:

``"moving_threshold"`` (the authors' Auryn code, the default)
    spike when ``V_s > theta``; reset ``V_s = v_reset``, ``theta += delta_theta``;
    ``theta`` relaxes to ``theta_0`` with ``tau_theta``; no absolute refractoriness.
    The bAP box is on during the 2 ms after the spike step: ``0 < t - t_hat <= 2 ms``.
``"fixed_threshold"`` (Naud & Sprekeler style)
    spike when ``V_s > v_threshold``; reset to ``v_reset`` and hold for ``t_ref``.
    The bAP box is delayed by 0.5 ms: ``0.5 ms < t - t_hat <= 2.5 ms``.

Dendritic synaptic driving force (:attr:`PyramidalParameters.dendritic_driving_force`):
the authors' code computes the current of a dendritic conductance with the *somatic*
voltage, ``g (E - V_s)`` (an artefact of Auryn's synapse classes); ``"dendrite"`` uses
the physically correct ``g (E - V_d)``. The default is ``"soma"`` because it reproduces
the published BP curves; ``"dendrite"`` shifts the BP-vs-dendritic-current curve by
about +50 pA (docs/model.md).

Time step (the reference code's scheme, recorded step by step in ``validation/``): forward Euler
for the voltages, the adaptation and the threshold; exact exponential decay per step for the
conductances and w_s; w_d relaxes towards the *updated* V_d; the injected currents
(``I_ext_s``, ``I_ext_d``: stimuli and noise) are added as ``dt I/C`` after the threshold test and
the reset, so a step's current first acts on the next step's threshold test, and the soma starts
from ``v_reset + dt I_s/C_s`` after a spike.

The simplified ``BurstPoisson`` neuron of the XOR network (Payeur et al. 2021, Fig. 4; the
reference code's ``BurstPoissonGroup``) shares the leaky compartments, the adaptation currents
and the moving threshold, but the compartments are not coupled at all: no plateau current into
the soma, no regenerative current in the dendrite, no bAP (:class:`BurstPoissonParameters`).
A somatic spike (``V_s > theta`` outside a 20 ms absolute refractory period) resets the soma as
above and, with probability ``f(V_d)`` (half-activation -57 mV), schedules exactly one extra
spike 5 + U(0, 10) ms later; that spike neither resets the soma nor waits for the end of the
refractory period, and it starts a new refractory period.

Paper symbol -> code name table: see :func:`symbol_table` (or the field docstrings).

All numeric parameters become ``(shared, constant)`` variables of the group, not
literal constants in the generated code: the same compiled code serves every parameter
value (the Cython cache stays warm, standalone binaries take new values as
``run_args``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import (Equations, NeuronGroup, Quantity, amp, mV, ms, nS, pA, pF, second,
                    volt)

from spiking.decoding import TRACE_THRESHOLD
from spiking.errors import ParameterError
from spiking.parameters import ParameterSet, choice, parameter

__all__ = ["SPIKE_RULES", "DRIVING_FORCES", "PyramidalParameters", "BurstPoissonParameters", "pyramidal_equations",
           "detector_conditions", "make_pyramidal_group", "steady_state", "plateau_activation", "symbol_table",
           "burst_delay_steps", "PAYEUR_2021", "PAYEUR_2021_BURST_POISSON"]

SPIKE_RULES = ("moving_threshold", "fixed_threshold")
DRIVING_FORCES = ("soma", "dendrite")
#: bAP box delay after the spike step that each spike rule implies.
BAP_DELAY_OF_RULE = {"moving_threshold": 0 * ms, "fixed_threshold": 0.5 * ms}


@dataclasses.dataclass(frozen=True)
class PyramidalParameters(ParameterSet):
    """Parameters of the two-compartment pyramidal neuron (docs/model.md).

    Examples
    --------
    >>> from brian2 import pA
    >>> from models.pyramidal import PyramidalParameters
    >>> p = PyramidalParameters()
    >>> p.g_d
    1.2 * namp
    >>> excitable = p.replace(g_d=1400 * pA)
    """

    model_name = "two-compartment pyramidal neuron"
    #: Which cell the parameters describe: the coupled two-compartment neuron, or the XOR
    #: network's BurstPoisson neuron (:class:`BurstPoissonParameters`).
    cell_model = "two_compartment"

    E_L: Quantity = parameter(-70 * mV, mV, "E_L")
    """E_L: leak reversal potential of soma and dendrite."""
    tau_s: Quantity = parameter(16 * ms, ms, "tau_s", "positive")
    """tau_s: somatic membrane time constant."""
    C_s: Quantity = parameter(370 * pF, pF, "C_s", "positive")
    """C_s: somatic capacitance (somatic leak conductance g_L,s = C_s/tau_s)."""
    g_s: Quantity = parameter(1300 * pA, pA, "g_s", "nonnegative")
    """g_s: maximal plateau current from the dendrite into the soma, g_s f(V_d)."""
    tau_ws: Quantity = parameter(100 * ms, ms, "tau_w^s", "positive")
    """tau_w^s: somatic adaptation time constant."""
    b_ws: Quantity = parameter(-200 * pA, pA, "b_w^s", "nonpositive")
    """b_w^s: spike-triggered jump of the somatic adaptation current (negative)."""
    tau_d: Quantity = parameter(7 * ms, ms, "tau_d", "positive")
    """tau_d: dendritic membrane time constant."""
    C_d: Quantity = parameter(170 * pF, pF, "C_d", "positive")
    """C_d: dendritic capacitance (dendritic leak conductance g_L,d = C_d/tau_d)."""
    g_d: Quantity = parameter(1200 * pA, pA, "g_d", "nonnegative")
    """g_d: maximal regenerative (calcium plateau) current in the dendrite, g_d f(V_d)."""
    tau_wd: Quantity = parameter(30 * ms, ms, "tau_w^d", "positive")
    """tau_w^d: dendritic adaptation time constant."""
    a_wd: Quantity = parameter(-13 * nS, nS, "a_w^d", "nonpositive")
    """a_w^d: subthreshold coupling of the dendritic adaptation current (negative)."""
    c_d: Quantity = parameter(2600 * pA, pA, "c_d", "nonnegative")
    """c_d: amplitude of the back-propagating action potential box current K."""
    bap_duration: Quantity = parameter(2 * ms, ms, "duration of K", "positive")
    """Duration of the bAP box K."""
    bap_delay: Quantity | None = parameter(None, ms, "delay of K", "nonnegative", optional=True)
    """Delay of the bAP box after the spike step; ``None`` = the spike rule's own (0 or 0.5 ms)."""
    E_d: Quantity = parameter(-38 * mV, mV, "E_d")
    """E_d: half-activation voltage of the plateau nonlinearity f."""
    D_d: Quantity = parameter(6 * mV, mV, "D_d", "positive")
    """D_d: slope factor of the plateau nonlinearity f."""
    v_reset: Quantity = parameter(-70 * mV, mV, "V_r")
    """V_r: somatic reset potential (both spike rules)."""
    theta_0: Quantity = parameter(-50 * mV, mV, "theta_0")
    """theta_0: resting value of the moving threshold (moving_threshold rule)."""
    delta_theta: Quantity = parameter(2 * mV, mV, "Delta theta", "nonnegative")
    """Delta theta: threshold increment at each spike (moving_threshold rule)."""
    tau_theta: Quantity = parameter(27 * ms, ms, "tau_theta", "positive")
    """tau_theta: relaxation time constant of the moving threshold."""
    v_threshold: Quantity = parameter(-50 * mV, mV, "V_th")
    """V_th: fixed spike threshold (fixed_threshold rule)."""
    t_ref: Quantity = parameter(3 * ms, ms, "t_ref", "nonnegative")
    """t_ref: absolute refractory period, V_s held at V_r (fixed_threshold rule)."""
    E_ampa: Quantity = parameter(0 * mV, mV, "E_exc")
    """E_exc: reversal potential of excitatory (AMPA) conductances."""
    E_gaba: Quantity = parameter(-80 * mV, mV, "E_inh")
    """E_inh: reversal potential of inhibitory (GABA) conductances."""
    tau_ampa: Quantity = parameter(5 * ms, ms, "tau_AMPA", "positive")
    """tau_AMPA: decay time constant of excitatory conductances."""
    tau_gaba: Quantity = parameter(10 * ms, ms, "tau_GABA", "positive")
    """tau_GABA: decay time constant of inhibitory conductances."""
    spike_rule: str = choice("moving_threshold", SPIKE_RULES, "spike rule")
    """Spike rule: ``"moving_threshold"`` (authors' code) or ``"fixed_threshold"`` (N&S style)."""
    dendritic_driving_force: str = choice("soma", DRIVING_FORCES, "dendritic driving force")
    """Voltage in the driving force of dendritic conductances: ``"soma"`` (authors' code) or ``"dendrite"``."""

    def _check_relations(self) -> None:
        if self.spike_rule == "fixed_threshold" and not self.v_threshold > self.v_reset:
            raise ParameterError(
                f"PyramidalParameters.v_threshold ({self.v_threshold}) must be above v_reset ({self.v_reset})")
        if self.spike_rule == "moving_threshold" and not self.theta_0 > self.v_reset:
            raise ParameterError(
                f"PyramidalParameters.theta_0 ({self.theta_0}) must be above v_reset ({self.v_reset})")

    @property
    def g_L_s(self) -> Quantity:
        """Somatic leak conductance C_s/tau_s."""
        return self.C_s / self.tau_s

    @property
    def g_L_d(self) -> Quantity:
        """Dendritic leak conductance C_d/tau_d."""
        return self.C_d / self.tau_d

    @property
    def effective_bap_delay(self) -> Quantity:
        """The bAP delay in use: :attr:`bap_delay`, or the spike rule's own when ``None``."""
        return BAP_DELAY_OF_RULE[self.spike_rule] if self.bap_delay is None else self.bap_delay

    def shared_values(self) -> dict:
        values = super().shared_values()
        values["bap_delay"] = self.effective_bap_delay
        if self.spike_rule == "moving_threshold":
            for name in ("v_threshold", "t_ref"):
                values.pop(name)
        else:
            for name in ("theta_0", "delta_theta", "tau_theta"):
                values.pop(name)
        return values


#: The reference parameter set (the authors' code; docs/model.md).
PAYEUR_2021 = PyramidalParameters()


@dataclasses.dataclass(frozen=True)
class BurstPoissonParameters(PyramidalParameters):
    """Parameters of the simplified BurstPoisson neuron of the XOR network (Payeur et al. 2021,
    Fig. 4; the reference code's ``BurstPoissonGroup``).

    The soma and dendrite are the leaky compartments of :class:`PyramidalParameters` with their
    adaptation currents and the moving threshold, but uncoupled: ``g_s``, ``g_d`` and the bAP
    (``c_d``) play no part (the reference group's membrane update has none of these terms).
    ``f(V_d)`` with ``E_d`` = -57 mV is the probability that a somatic spike is followed by
    exactly one more spike, ``burst_delay_min + U(0, 1) burst_delay_spread`` later. On the time
    grid the delay is ``floor((burst_delay_min + U burst_delay_spread)/dt) - 1`` steps, as the
    reference's countdown gives (:func:`burst_delay_steps`): 4.9 to 14.9 ms at dt = 0.1 ms.

    Examples
    --------
    >>> from models.pyramidal import BurstPoissonParameters
    >>> p = BurstPoissonParameters()
    >>> p.E_d, p.t_ref_abs, p.cell_model
    (-57. * mvolt, 20. * msecond, 'burst_poisson')
    """

    model_name = "BurstPoisson neuron (XOR network)"
    cell_model = "burst_poisson"

    E_d: Quantity = parameter(-57 * mV, mV, "E_d")
    """E_d: half-activation voltage of f, the burst probability of a somatic spike."""
    t_ref_abs: Quantity = parameter(20 * ms, ms, "t_ref,abs", "positive")
    """Absolute refractory period of somatic spikes (the extra burst spike ignores it)."""
    burst_delay_min: Quantity = parameter(5 * ms, ms, "burst delay, minimum", "positive")
    """Shortest delay of the extra burst spike after its somatic spike."""
    burst_delay_spread: Quantity = parameter(10 * ms, ms, "burst delay, spread", "nonnegative")
    """Width of the uniform distribution of the burst spike's delay."""

    def _check_relations(self) -> None:
        super()._check_relations()
        if self.spike_rule != "moving_threshold":
            raise ParameterError("BurstPoissonParameters.spike_rule must be 'moving_threshold' (the reference "
                                 f"group's); got {self.spike_rule!r}")
        if not self.burst_delay_min + self.burst_delay_spread < self.t_ref_abs:
            raise ParameterError(
                f"BurstPoissonParameters: burst_delay_min + burst_delay_spread ({self.burst_delay_min + self.burst_delay_spread}) "
                f"must be shorter than t_ref_abs ({self.t_ref_abs}), so that the burst spike precedes the next "
                "somatic spike")

    def shared_values(self) -> dict:
        values = super().shared_values()
        for name in ("g_s", "g_d", "c_d", "bap_duration", "bap_delay"):
            values.pop(name)
        return values


#: The XOR network's BurstPoisson neuron with the reference values.
PAYEUR_2021_BURST_POISSON = BurstPoissonParameters()


def burst_delay_steps(uniform: np.ndarray, params: BurstPoissonParameters, dt: Quantity) -> np.ndarray:
    """Steps from a somatic spike to its burst spike for uniform draws ``uniform`` in [0, 1): the
    reference's countdown ``int((burst_delay_min + U burst_delay_spread)/dt)`` fires one step
    before it reaches zero.

    Examples
    --------
    >>> from brian2 import ms
    >>> burst_delay_steps(np.array([0.0, 0.5]), BurstPoissonParameters(), 0.1 * ms).tolist()
    [49, 99]
    """
    total = (float(params.burst_delay_min) + np.asarray(uniform) * float(params.burst_delay_spread)) / float(dt)
    return np.floor(total).astype(int) - 1

# ---------------------------------------------------------------------------------------------
# Equation templates. One template per kind of equation; compartments and receptors are
# made by substituting names (Brian's Equations substitution), never by string formatting.
_LEAKY_COMPARTMENT = "dV/dt = (E_L - V)/tau + I_total/C : volt"
_LEAKY_COMPARTMENT_REFRACTORY = "dV/dt = (E_L - V)/tau + I_total/C : volt (unless refractory)"
#: Conductances decay exactly by exp(-dt/tau) per step, as in the reference code: under forward
#: Euler (the group's method) this rate gives g -> g - dt g (1 - exp(-dt/tau))/dt = g exp(-dt/tau).
#: (Plain Euler, g (1 - dt/tau), would lose dt/(2 tau) of every input's integral: 1 % for AMPA.)
_CONDUCTANCE = "dg/dt = -g*(1 - exp(-dt/tau_syn))/dt : siemens"
_SYNAPTIC_CURRENT = "I_syn = g_ampa*(E_ampa - V_drive) + g_gaba*(E_gaba - V_drive) : amp"
_SHARED_CONSTANT = "x : unit (shared, constant)"
_LINKED_CONDUCTANCE = "g : siemens (linked)"
#: Online event/burst detector state (docs/model.md): whether the current event already
#: counted its burst, and (trace rule) the spike trace just after the last spike, decaying with
#: time constant ``burst_isi``; it is read at spikes only, in closed form since the last spike
#: (the time of the previous spike, t_last_spike, is always there: the bAP box uses it too).
_DETECTOR = """
burst_counted : 1
burst_trace : 1
burst_isi : second (shared, constant)
"""
DETECTOR_VARIABLES = ("burst_counted", "burst_trace", "burst_isi")
#: Event/burst rules of the online detector (the offline decoder's ``rule``).
DETECTOR_RULES = ("trace", "isi")

_CORE = """
f_d = 1/(1 + exp(-(v_d - E_d)/D_d)) : 1
bap = int(t - t_last_spike > bap_delay + 0.5*dt)*int(t - t_last_spike < bap_delay + bap_duration + 0.5*dt) : 1
I_total_s = g_s*f_d + w_s + I_syn_s : amp
I_total_d = g_d*f_d + c_d*bap + w_d + I_syn_d : amp
dw_s/dt = -w_s*(1 - exp(-dt/tau_ws))/dt : amp
dw_d/dt = (a_wd*(v_d + dt*((E_L - v_d)/tau_d + I_total_d/C_d) - E_L) - w_d)/tau_wd : amp
t_last_spike : second
unit : integer (constant)
"""
_MOVING_THRESHOLD = "dtheta/dt = (theta_0 - theta)/tau_theta : volt"
#: BurstPoisson neuron: uncoupled compartments; f_d is only the burst probability of a somatic
#: spike. t_refractory_end: end of the absolute refractory period; t_burst_spike: time of the
#: scheduled burst spike (in the past when none is due).
_CORE_BURST_POISSON = """
f_d = 1/(1 + exp(-(v_d - E_d)/D_d)) : 1
I_total_s = w_s + I_syn_s : amp
I_total_d = w_d + I_syn_d : amp
dw_s/dt = -w_s*(1 - exp(-dt/tau_ws))/dt : amp
dw_d/dt = (a_wd*(v_d + dt*((E_L - v_d)/tau_d + I_total_d/C_d) - E_L) - w_d)/tau_wd : amp
t_last_spike : second
t_refractory_end : second
t_burst_spike : second
unit : integer (constant)
"""
_CORES = {"two_compartment": _CORE, "burst_poisson": _CORE_BURST_POISSON}

#: Names of the state variables a user may record.
STATE_VARIABLES = ("v_s", "v_d", "w_s", "w_d", "theta", "g_ampa_s", "g_gaba_s", "g_ampa_d",
                   "g_gaba_d")


def _unit_name(value) -> str:
    dims = {mV.dim: "volt", ms.dim: "second", pA.dim: "amp", pF.dim: "farad", nS.dim: "siemens"}
    dim = getattr(value, "dim", None)
    if dim is None:
        return "1"
    try:
        return dims[dim]
    except KeyError:  # pragma: no cover - every field above has one of these dimensions
        raise ParameterError(f"no Brian unit name for dimension {dim}") from None


def pyramidal_equations(params: PyramidalParameters, soma_current: str = "0*amp",
                        dendrite_current: str = "0*amp", extra_conductances: dict | None = None,
                        burst_detector: bool = False) -> Equations:
    """Brian equations of the two-compartment neuron.

    Parameters
    ----------
    params : PyramidalParameters
        Selects the spike rule and the dendritic driving force; values are *not* baked in
        (they are shared constants of the group, see :func:`make_pyramidal_group`).
    soma_current, dendrite_current : str
        Brian expressions (in amp) of the injected currents ``I_ext_s`` and ``I_ext_d``,
        e.g. ``"stim_soma(t, i)"`` for a 2-D ``TimedArray`` passed in the namespace.
    extra_conductances : dict, optional
        Maps a conductance (``"g_gaba_d"``, ...) to names of linked conductances added to it
        (all-to-all projections delivered through a summing node).
    burst_detector : bool
        Add the online event/burst detector (:data:`DETECTOR_VARIABLES`, custom events
        ``event`` and ``burst``; see :func:`make_pyramidal_group`).

    Returns
    -------
    brian2.Equations

    Examples
    --------
    >>> from models.pyramidal import PyramidalParameters, pyramidal_equations
    >>> eqs = pyramidal_equations(PyramidalParameters())
    >>> "v_d" in eqs.names
    True
    """
    refractory = params.spike_rule == "fixed_threshold"
    soma = Equations(_LEAKY_COMPARTMENT_REFRACTORY if refractory else _LEAKY_COMPARTMENT,
                     V="v_s", tau="tau_s", C="C_s", I_total="I_total_s")
    dendrite = Equations(_LEAKY_COMPARTMENT, V="v_d", tau="tau_d", C="C_d", I_total="I_total_d")
    eqs = soma + dendrite + Equations(_CORES[params.cell_model])
    extra = extra_conductances or {}
    for comp, drive in (("s", "v_s"), ("d", "v_s" if params.dendritic_driving_force == "soma" else "v_d")):
        effective = {}
        for receptor in ("ampa", "gaba"):
            name = f"g_{receptor}_{comp}"
            eqs += Equations(_CONDUCTANCE, g=name, tau_syn=f"tau_{receptor}")
            effective[receptor] = name
            if extra.get(name):
                for linked in extra[name]:
                    eqs += Equations(_LINKED_CONDUCTANCE, g=linked)
                eqs += Equations(f"{name}_total = " + " + ".join([name] + list(extra[name])) + " : siemens")
                effective[receptor] = f"{name}_total"
        eqs += Equations(_SYNAPTIC_CURRENT, I_syn=f"I_syn_{comp}", g_ampa=effective["ampa"],
                         g_gaba=effective["gaba"], V_drive=drive)
    if burst_detector:
        eqs += Equations(_DETECTOR)
    if params.spike_rule == "moving_threshold":
        eqs += Equations(_MOVING_THRESHOLD)
    eqs += Equations(f"I_ext_s = {soma_current} : amp")
    eqs += Equations(f"I_ext_d = {dendrite_current} : amp")
    for name, value in params.shared_values().items():
        eqs += Equations(_SHARED_CONSTANT.replace("unit", _unit_name(value)), x=name)
    return eqs


#: A spike that continues the current event. Interval rule: within ``burst_isi`` of the previous
#: spike (half a step of margin makes the 16 ms comparison exact on the time grid: ISI ==
#: burst_isi is a burst interval). Trace rule: the trace just before the spike is at least e^-1,
#: with the offline decoder's threshold literal (so both classify the same spikes alike: a tie,
#: a single spike exactly burst_isi earlier, starts a new event, as in the reference; a literal
#: rather than an expression of burst_isi, which brian2cuda 1.0b1 would declare twice).
_WITHIN_EVENT = {
    "isi": "t - t_last_spike{suffix} <= burst_isi{suffix} + 0.5*dt",
    "trace": "burst_trace{suffix}*exp(-(t - t_last_spike{suffix})/burst_isi{suffix}) >= " + repr(TRACE_THRESHOLD),
}


def _within_event(rule: str, suffix: str = "") -> str:
    if rule not in DETECTOR_RULES:
        raise ParameterError(f"burst detector rule must be one of {DETECTOR_RULES}; got {rule!r}")
    return _WITHIN_EVENT[rule].format(suffix=suffix)


def detector_conditions(suffix: str = "", rule: str = "trace") -> dict[str, str]:
    """Conditions of the online event/burst detector, true at a somatic spike (evaluated before
    the reset) that starts an event (``"event"``) or that is the second spike of a burst
    (``"burst"``, once per burst). ``suffix="_pre"`` gives them for synaptic code (the detector
    counts read them at spikes; docs/model.md). ``rule`` is ``"trace"`` (the reference
    code's spike trace) or ``"isi"`` (the interval since the previous spike), as in
    :func:`spiking.decoding.decompose`.

    Examples
    --------
    >>> from models.pyramidal import detector_conditions
    >>> detector_conditions(rule="isi")["event"]
    'not (t - t_last_spike <= burst_isi + 0.5*dt)'
    """
    within = _within_event(rule, suffix)
    return {"event": f"not ({within})", "burst": f"{within} and burst_counted{suffix} < 0.5"}


def _threshold_and_reset(params: PyramidalParameters, burst_detector: bool = False, rule: str = "trace"
                         ) -> tuple[str, str, str | bool, dict | None]:
    """Threshold, reset, refractoriness and (with the detector) the custom events ``event``
    and ``burst``."""
    # the bAP box and the burst detector both read t_last_spike (set last in the reset); t is
    # only read per neuron here (brian2cuda 1.0b1 fails to compile a reset that reads t both
    # in loop-invariant and per-neuron code)
    bap = "w_s += b_ws\n"
    if params.cell_model == "burst_poisson":
        # a somatic spike outside the refractory period, or the scheduled burst spike (exactly
        # on its step); the reset tells them apart and resets, adapts and draws only for the
        # somatic one. Both start a refractory period, as in the reference.
        somatic = "v_s > theta and t > t_refractory_end - 0.5*dt"
        threshold = f"({somatic}) or abs(t - t_burst_spike) < 0.5*dt"
        reset = (f"somatic_spike = int({somatic})\n"
                 "burst_draw = rand()\n"
                 "delay_draw = rand()\n"
                 "v_s = somatic_spike*v_reset + (1 - somatic_spike)*v_s\n"
                 "theta += somatic_spike*delta_theta\n"
                 "w_s += somatic_spike*b_ws\n"
                 "scheduled = somatic_spike*int(burst_draw < f_d)\n"
                 "t_burst_spike = scheduled*(t + (floor((burst_delay_min + delay_draw*burst_delay_spread)/dt)"
                 " - 1)*dt) + (1 - scheduled)*t_burst_spike\n"
                 "t_refractory_end = t + t_ref_abs\n")
        refractory = False
    elif params.spike_rule == "moving_threshold":
        threshold, reset, refractory = "v_s > theta", "v_s = v_reset\ntheta += delta_theta\n" + bap, False
    else:
        threshold, reset, refractory = "v_s > v_threshold", "v_s = v_reset\n" + bap, "t_ref"
    events = None
    if burst_detector:
        # Custom events are evaluated on the same state as the spike threshold, before the
        # reset updates t_last_spike; during refractoriness V_s is held below threshold, so the
        # spike condition needs no refractory term.
        events = {name: f"({threshold}) and {condition}" for name, condition in detector_conditions(rule=rule).items()}
        reset += f"burst_counted = int({_within_event(rule)})\n"
        if rule == "trace":
            reset += "burst_trace = burst_trace*exp(-(t - t_last_spike)/burst_isi) + 1\n"
    reset += "t_last_spike = t\n"
    return threshold, reset, refractory, events


def make_pyramidal_group(n_neurons: int, params: PyramidalParameters, name: str = "pyramids",
                         soma_current: str = "0*amp", dendrite_current: str = "0*amp",
                         method: str = "euler", initial_state: str | dict = "rest",
                         dt: Quantity | None = None, clock=None, extra_conductances: dict | None = None,
                         burst_detector: bool = False, burst_isi: Quantity = 16 * ms,
                         detector_rule: str = "trace", detector_events: bool | tuple = True,
                         extra_equations: Equations | None = None,
                         extra_events: dict[str, tuple[str, str]] | None = None) -> NeuronGroup:
    """Make one ``NeuronGroup`` of two-compartment pyramidal neurons.

    Parameters
    ----------
    n_neurons : int
        Number of neurons (>= 1).
    params : PyramidalParameters
    name : str
        Explicit Brian name (stable names keep the compiled-code caches warm).
    soma_current, dendrite_current : str
        Expressions of the injected currents, see :func:`pyramidal_equations`.
    method : str
        Brian integration method; ``"euler"`` (forward Euler, as in the reference code).
    initial_state : "rest" or dict
        ``"rest"`` starts every neuron at the resting fixed point with no input
        (:func:`steady_state`); a dict maps variable names to values or string expressions.
    dt, clock
        Passed to ``NeuronGroup``.
    extra_conductances : dict, optional
        See :func:`pyramidal_equations`.
    burst_detector : bool
        Add the online event/burst detector: custom events ``"event"`` (a spike more than
        ``burst_isi`` after the previous one) and ``"burst"`` (the second spike of a burst),
        usable by ``Synapses(..., on_event=...)``.
    detector_events : bool or tuple of str
        With the detector, also define the custom events ``"event"`` and ``"burst"`` (``True``),
        only those named (e.g. ``("event",)``), or none (``False``); only pathways that transmit
        events or bursts need them (counting can read :func:`detector_conditions` at spikes
        instead), and each one defined costs a threshold test per neuron and step.
    burst_isi : Quantity
        Time scale of the detector (16 ms): the trace's time constant, or the interval criterion.
    detector_rule : {"trace", "isi"}
        Event/burst rule of the detector (see :func:`detector_conditions`).
    extra_equations : Equations, optional
        More equations of the group (e.g. OU noise currents referenced by the current expressions).
    extra_events : dict, optional
        ``{event name: (condition, code)}``: custom events with the code run on each (e.g.
        event-driven Poisson background arrivals).

    Returns
    -------
    brian2.NeuronGroup
        With ``t_last_spike`` far in the past (no bAP at start).

    Examples
    --------
    >>> from models.pyramidal import PyramidalParameters, make_pyramidal_group
    >>> group = make_pyramidal_group(10, PyramidalParameters(), name="pyr_example")
    >>> group.N
    10
    """
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, (int, np.integer)) or n_neurons < 1:
        raise ParameterError(f"n_neurons must be an integer >= 1; got {n_neurons!r}")
    if not isinstance(params, PyramidalParameters):
        raise ParameterError(f"params must be PyramidalParameters; got {type(params).__name__}")
    threshold, reset, refractory, events = _threshold_and_reset(params, burst_detector, detector_rule)
    if not detector_events:
        events = None
    elif events is not None and not isinstance(detector_events, bool):
        unknown = set(detector_events) - set(events)
        if unknown:
            raise ParameterError(f"detector_events: unknown custom events {sorted(unknown)}; allowed: {sorted(events)}")
        events = {key: value for key, value in events.items() if key in detector_events}
    eqs = pyramidal_equations(params, soma_current, dendrite_current, extra_conductances, burst_detector)
    if extra_equations is not None:
        eqs += extra_equations
    all_events = dict(events or {})
    all_events.update({key: condition for key, (condition, _) in (extra_events or {}).items()})
    group = NeuronGroup(int(n_neurons), eqs, threshold=threshold, reset=reset, refractory=refractory,
                        events=all_events or None, method=method, name=name, dt=dt, clock=clock)
    for key, (_, code) in (extra_events or {}).items():
        group.run_on_event(key, code)
    _add_current_injection(group, params, soma_current, dendrite_current, name)
    if burst_detector:
        group.burst_isi = burst_isi
        group.burst_counted = 0
        group.burst_trace = 0
    for key, value in params.shared_values().items():
        setattr(group, key, value)
    group.t_last_spike = -1 * second  # no spike yet: no bAP, next spike is an event
    if params.cell_model == "burst_poisson":
        group.t_refractory_end = -1 * second
        group.t_burst_spike = -1 * second
    if isinstance(initial_state, str):
        if initial_state != "rest":
            raise ParameterError(f"initial_state must be 'rest' or a dict; got {initial_state!r}")
        initial_state = steady_state(params)
    for key, value in initial_state.items():
        setattr(group, key, value)
    return group


def _add_current_injection(group, params: PyramidalParameters, soma_current: str, dendrite_current: str,
                           name: str) -> None:
    """Add the injected currents after the threshold test and reset, as the reference code's
    current injectors do (V += dt I/C); not during the fixed-threshold rule's refractory hold."""
    lines = []
    gate = "*int(not_refractory)" if params.spike_rule == "fixed_threshold" else ""
    if soma_current.replace(" ", "") != "0*amp":
        lines.append(f"v_s += dt*I_ext_s/C_s{gate}")
    if dendrite_current.replace(" ", "") != "0*amp":
        lines.append("v_d += dt*I_ext_d/C_d")
    if lines:
        group.run_regularly("\n".join(lines), when="after_resets", name=f"{name}_current_injection")


def plateau_activation(v_d: Quantity | np.ndarray, params: PyramidalParameters) -> np.ndarray:
    """The plateau nonlinearity f(V_d) = 1/(1 + exp(-(V_d - E_d)/D_d)) (dimensionless).

    Examples
    --------
    >>> from brian2 import mV
    >>> from models.pyramidal import PyramidalParameters, plateau_activation
    >>> float(plateau_activation(-38 * mV, PyramidalParameters()))
    0.5
    """
    x = np.asarray((v_d - params.E_d) / params.D_d, dtype=float)
    return 1.0 / (1.0 + np.exp(-x))


def steady_state(params: PyramidalParameters, i_soma: Quantity = 0 * pA,
                 i_dendrite: Quantity = 0 * pA) -> dict[str, Quantity]:
    """Subthreshold fixed point under constant injected currents (no spikes, no synapses).

    The dendrite solves ``0 = -(g_L,d - a_wd)(V_d - E_L) + g_d f(V_d) + I_d`` (its lowest
    root: the non-plateau state); the soma then sits at
    ``V_s = E_L + (g_s f(V_d) + I_s)/g_L,s``. Raises :class:`ParameterError` if that
    somatic voltage is above threshold (there is no subthreshold fixed point).

    Examples
    --------
    >>> from models.pyramidal import PyramidalParameters, steady_state
    >>> rest = steady_state(PyramidalParameters())
    >>> float(rest["v_d"] / mV) > -70
    True
    """
    E_L = float(params.E_L)
    g_eff = float(params.g_L_d - params.a_wd)
    coupled = params.cell_model == "two_compartment"  # BurstPoisson: no plateau, no coupling
    g_d, g_s, Id = float(params.g_d) * coupled, float(params.g_s) * coupled, float(i_dendrite)

    def h(v):
        return -g_eff * (v - E_L) + g_d * plateau_activation(v * volt, params) + Id

    grid = np.linspace(E_L - 0.2, E_L + 0.2, 40001)  # 10 uV spacing over +-200 mV
    hv = h(grid)
    sign_change = np.nonzero(np.signbit(hv[:-1]) != np.signbit(hv[1:]))[0]
    if not len(sign_change):
        raise ParameterError("no dendritic fixed point within E_L +- 200 mV")
    lo, hi = grid[sign_change[0]], grid[sign_change[0] + 1]
    for _ in range(60):  # bisection to machine precision
        mid = 0.5 * (lo + hi)
        if np.signbit(h(mid)) == np.signbit(h(lo)):
            lo = mid
        else:
            hi = mid
    v_d = 0.5 * (lo + hi)
    f = float(plateau_activation(v_d * volt, params))
    v_s = E_L + (g_s * f + float(i_soma)) / float(params.g_L_s)
    threshold = params.theta_0 if params.spike_rule == "moving_threshold" else params.v_threshold
    if v_s >= float(threshold):
        raise ParameterError(
            f"no subthreshold steady state: V_s would be {v_s * 1e3:.2f} mV, above threshold {threshold}")
    state = {"v_s": v_s * volt, "v_d": v_d * volt, "w_s": 0 * amp,
             "w_d": float(params.a_wd) * (v_d - E_L) * amp}
    if params.spike_rule == "moving_threshold":
        state["theta"] = params.theta_0
    return state


def symbol_table(params: PyramidalParameters = PAYEUR_2021) -> str:
    """Markdown table mapping paper symbols to code names and values.

    Examples
    --------
    >>> print(symbol_table().splitlines()[0])
    | symbol | code name | value |
    """
    rows = ["| symbol | code name | value |", "|---|---|---|"]
    rows += [f"| {s} | `{n}` | {v} |" for s, n, v in params.symbol_table()]
    return "\n".join(rows)
