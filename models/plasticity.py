"""Burst-dependent synaptic plasticity (Payeur et al. 2021; reference: ``AdaptiveEBCPConnection``
of the authors' spikingburstprop code).

The rule, in the paper's form::

    dw/dt = eta [B_post(t) - Pbar_post(t) E_post(t)] Etilde_pre(t)

``E_post`` and ``B_post`` are the postsynaptic event and burst trains, ``Pbar = Bbar/Ebar`` the
ratio of their moving averages (time constant ``tau_avg``), ``Etilde_pre`` the presynaptic event
trace (time constant ``tau_pre``, +1 per presynaptic event). It is applied event by event:

- at a postsynaptic **event**: ``dw = eta (-min(Pbar, 1) + h) Etilde_pre``; then ``Ebar += 1``.
  ``Pbar`` is 0/0 before the first event; the reference then takes ``-1`` (its test
  ``Pbar < 1`` is false for NaN), and so does this model;
- at a postsynaptic **burst** (the second spike of an event): ``Bbar += 1``, then
  ``dw = eta (1 + h) Etilde_pre``;
- ``h = -(Ehat - e_max)/Ehat`` when the postsynaptic event rate ``Ehat = Ebar/tau_avg`` exceeds
  ``e_max`` (homeostatic depression), else 0;
- at a presynaptic **event**: the synapse transmits ``w``; then ``dw = eta max(0, e_min - R)``
  with the rate as a number in Hz (homeostatic potentiation), and ``Etilde_pre += 1``;
- weights are clipped to ``[0, w_max]`` after every change.

The rate ``R`` of the homeostatic potentiation (``homeostasis_rate``):

``"spikes"`` (default; what the reference code computes)
    the postsynaptic neuron's *firing* rate (every spike counts), averaged with the long time
    constant ``tau_hom`` = 30 s and starting at ``initial_firing_rate`` = 0.1 Hz. The authors'
    adaptive connection defines an event-rate version of this term, but its base class calls the
    potentiation statically (the function is not virtual), so the base class's version runs: a
    30 s spike trace of the target group, set to 30 s x 0.1 Hz when the connection is built.
    Over 30 s an XOR hidden cell rarely falls below 2 Hz, so the term is almost never active.
``"events"`` (the papers' text)
    the event rate ``Ehat = Ebar/tau_avg`` that the valence uses. In the XOR network a sixth of
    the hidden cells sit below 2 Hz on this 2 s average while the input is (0, 0); their input
    weights then grow every presynaptic event, which raises every hidden rate: the output ends up
    OR-like instead of learning XOR.

Presynaptic events of one time step are handled before postsynaptic ones (a postsynaptic event
sees the presynaptic event of the same step in ``Etilde_pre``). A plastic projection transmits
presynaptic *events* only.

Events and bursts are detected with the decoder's rules (:mod:`spiking.decoding`):

``rule="trace"`` (default; the reference connection)
    a spike trace (+1 per spike, time constant ``burst_isi`` = 16 ms) read before the spike;
    the spike starts an event when the trace is below e^-1.
``rule="isi"`` (the papers' text and the authors' Python pairing analysis)
    a spike starts an event when more than ``burst_isi`` has passed since the previous spike.

The reference detects *presynaptic* events with a trace that the source increments with its
axonally delayed spikes (0.8 ms), while it reads the current spike at once: a presynaptic spike
continues an event when its trace, shifted by that lag, is at least e^-1 (after one spike: an
interval of up to 16.8 ms instead of 16 ms). ``pre_detection_lag`` reproduces this (0.8 ms by
default; 0 for the symmetric rule). An interval shorter than the lag (impossible for the
pyramidal cells, whose intervals exceed 1 ms) would start a new event in the reference; here it
continues the current one.

Units: ``eta`` and ``w_max`` are conductances (the weights are the projection's conductance
increments). The reference states weights in units of the target compartment's leak
conductance (:func:`spiking.experiments.circuits.leak_units`): eta = 3.5e-3 there is
``leak_units(3.5e-3, params)`` here.

Examples
--------
>>> from brian2 import nS, ms, second
>>> rule = BurstDependentPlasticity(eta=0.1 * nS, w_max=10 * nS, tau_pre=50 * ms, tau_avg=15 * second)
>>> rule.rule
'trace'
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Hz, Quantity, ms, nS, second, siemens

from spiking.decoding import TRACE_THRESHOLD
from spiking.errors import ParameterError
from spiking.parameters import ParameterSet, choice, parameter

__all__ = ["BurstDependentPlasticity", "PLASTICITY_RULES", "presynaptic_detector_code", "tracks_firing_rate",
           "postsynaptic_detector_code", "synapse_model", "on_pre_code", "on_post_code",
           "presynaptic_node_model", "postsynaptic_node_model"]

#: Event/burst rules of the plasticity's detectors (the decoder's ``rule``).
PLASTICITY_RULES = ("trace", "isi")


@dataclasses.dataclass(frozen=True)
class BurstDependentPlasticity(ParameterSet):
    """Parameters of the burst-dependent plasticity rule (see the module docstring).

    Defaults are those of the reference's population test (Payeur et al. 2021, Fig. 2E-G), with
    the learning rate and weight bound given in conductance.

    Examples
    --------
    >>> from brian2 import nS, ms
    >>> pairing = BurstDependentPlasticity(eta=0.1 * nS, w_max=100 * nS, tau_pre=50 * ms, rule="isi",
    ...                                    pre_detection_lag=0 * ms, e_min=0 * Hz, e_max=None)
    """

    model_name = "burst-dependent plasticity"

    eta: Quantity = parameter(0.1 * nS, siemens, "eta", "nonnegative")
    """eta: learning rate (weight change per unit of valence times presynaptic trace)."""
    w_max: Quantity = parameter(1 * nS, siemens, "w_max", "positive")
    """w_max: upper weight bound (weights are clipped to [0, w_max])."""
    tau_pre: Quantity = parameter(100 * ms, ms, "tau_pre", "positive")
    """tau_pre: time constant of the presynaptic event trace Etilde."""
    tau_avg: Quantity = parameter(5 * second, second, "tau_avg", "positive")
    """tau_avg: time constant of the postsynaptic moving averages Ebar and Bbar."""
    e_min: Quantity = parameter(2 * Hz, Hz, "E_min", "nonnegative")
    """E_min: event rate below which presynaptic events potentiate (0 Hz: off)."""
    e_max: Quantity | None = parameter(12 * Hz, Hz, "E_max", "positive", optional=True)
    """E_max: event rate above which postsynaptic events and bursts depress more (None: off)."""
    burst_isi: Quantity = parameter(16 * ms, ms, "burst_isi", "positive")
    """Time scale of event/burst detection (trace time constant, or interval criterion)."""
    pre_detection_lag: Quantity = parameter(0.8 * ms, ms, "pre_detection_lag", "nonnegative")
    """Lag of the presynaptic detector's trace (the reference's axonal delay, 0.8 ms)."""
    homeostasis_rate: str = choice("spikes", ("spikes", "events"), "rate of the homeostatic potentiation")
    """Rate compared with E_min at presynaptic events: ``"spikes"``, the postsynaptic firing rate
    averaged over ``tau_hom`` (the reference code); ``"events"``, the event rate Ebar/tau_avg."""
    tau_hom: Quantity = parameter(30 * second, second, "tau_hom", "positive")
    """tau_hom: time constant of the postsynaptic firing-rate average (``homeostasis_rate="spikes"``)."""
    initial_firing_rate: Quantity = parameter(0.1 * Hz, Hz, "R_0", "nonnegative")
    """Starting value of that firing-rate average (the reference's 0.1 Hz)."""
    initial_event_rate: Quantity = parameter(0 * Hz, Hz, "Ebar_0", "nonnegative")
    """Starting estimate of the postsynaptic event rate (the reference network starts at 0)."""
    initial_burst_rate: Quantity = parameter(0 * Hz, Hz, "Bbar_0", "nonnegative")
    """Starting estimate of the postsynaptic burst rate."""
    rule: str = choice("trace", PLASTICITY_RULES, "event/burst rule")
    """Event/burst rule of the detectors (``"trace"``: the reference connection's)."""

    def _check_relations(self) -> None:
        if self.e_max is not None and self.e_max <= self.e_min:
            raise ParameterError(f"BurstDependentPlasticity.e_max ({self.e_max}) must exceed e_min ({self.e_min})")
        if self.initial_burst_rate > self.initial_event_rate:
            raise ParameterError("BurstDependentPlasticity.initial_burst_rate must not exceed initial_event_rate "
                                 f"(bursts are a subset of events); got {self.initial_burst_rate} > "
                                 f"{self.initial_event_rate}")

    @property
    def pre_threshold(self) -> float:
        """Trace threshold of the presynaptic detector: e^-1 (with the decoder's tie tolerance)
        shifted by the lag, exp(-lag/burst_isi) (a literal in the generated code)."""
        return TRACE_THRESHOLD * float(np.exp(-float(self.pre_detection_lag) / float(self.burst_isi)))


# ---------------------------------------------------------------------------------------------
# Brian code. The presynaptic node (one element per source neuron) detects events and keeps
# Etilde; the postsynaptic node (one per target neuron) detects events/bursts, keeps Ebar/Bbar and
# stores the valence of the current spike; the plastic synapses read both through linked variables.

#: Per source neuron: detector trace and last spike, whether the last spike was an event, and
#: Etilde, which decays by exactly exp(-dt/tau_pre) per step (the reference's traces do too).
_PRE_NODE = """
detector_trace : 1
t_last_spike : second
is_event : 1
devent_trace/dt = -event_trace*(1 - exp(-dt/tau_event_trace))/dt : 1
burst_isi : second (shared, constant)
tau_event_trace : second (shared, constant)
"""

#: Per target neuron: detector state, the moving averages (as counts, decaying by exactly
#: exp(-dt/tau_avg) per step) and the valence of the current spike.
_POST_NODE = """
detector_trace : 1
t_last_spike : second
burst_counted : 1
devent_average/dt = -event_average*(1 - exp(-dt/tau_avg))/dt : 1
dburst_average/dt = -burst_average*(1 - exp(-dt/tau_avg))/dt : 1
valence : 1
burst_isi : second (shared, constant)
tau_avg : second (shared, constant)
"""


def presynaptic_node_model() -> str:
    """Variables of the presynaptic node.

    Examples
    --------
    >>> "devent_trace/dt" in presynaptic_node_model()
    True
    """
    return _PRE_NODE


#: The postsynaptic firing-rate average of the homeostatic potentiation (``homeostasis_rate="spikes"``).
_POST_NODE_FIRING = """
dspike_average/dt = -spike_average*(1 - exp(-dt/tau_hom))/dt : 1
tau_hom : second (shared, constant)
"""


def tracks_firing_rate(rule: BurstDependentPlasticity) -> bool:
    """Whether the postsynaptic node keeps the firing-rate average (homeostatic potentiation on,
    ``homeostasis_rate="spikes"``)."""
    return float(rule.e_min) > 0 and rule.homeostasis_rate == "spikes"


def postsynaptic_node_model(rule: BurstDependentPlasticity) -> str:
    """Variables of the postsynaptic node (with the homeostatic bound when ``e_max`` is set and the
    firing-rate average when the potentiation reads it)."""
    return (_POST_NODE + ("e_max : hertz (shared, constant)\n" if rule.e_max is not None else "")
            + (_POST_NODE_FIRING if tracks_firing_rate(rule) else ""))


def _continues_event(rule: str, threshold: float, lag: str = "") -> str:
    """Condition that a spike continues the current event (read before the spike's update)."""
    if rule == "trace":
        return f"detector_trace*exp(-(t - t_last_spike)/burst_isi) >= {threshold!r}"
    # the interval rule, exact on the time grid: an interval of burst_isi + lag continues
    return f"t - t_last_spike <= burst_isi{lag} + 0.5*dt"


def presynaptic_detector_code(rule: BurstDependentPlasticity) -> str:
    """Code run on the presynaptic node at each source spike (it reaches the node with the
    projection's delay): classify the spike, update the detector trace and, at an event,
    Etilde (``event_trace``).

    Examples
    --------
    >>> from brian2 import ms
    >>> code = presynaptic_detector_code(BurstDependentPlasticity(rule="isi", pre_detection_lag=0 * ms))
    >>> code.splitlines()[0]
    'is_event = 1 - int(t - t_last_spike <= burst_isi + 0.5*dt)'
    """
    lag = f" + {float(rule.pre_detection_lag)!r}*second" if float(rule.pre_detection_lag) > 0 else ""
    within = _continues_event(rule.rule, rule.pre_threshold, lag)
    return "\n".join([
        f"is_event = 1 - int({within})",
        "detector_trace = detector_trace*exp(-(t - t_last_spike)/burst_isi) + 1",
        "t_last_spike = t",
        "event_trace += is_event",
    ])


def postsynaptic_detector_code(rule: BurstDependentPlasticity) -> str:
    """Code run on the postsynaptic node at each target spike, after the presynaptic events of
    the step and before the synapses' postsynaptic update: classify the spike (event, burst or
    neither), compute its valence from the moving averages *before* this spike, then update them
    and the detector.

    The valence is ``-min(Pbar, 1) + h`` at an event (``-1 + h`` while Ebar = 0, as the
    reference's NaN test gives), ``1 + h`` at a burst, 0 otherwise."""
    within = _continues_event(rule.rule, TRACE_THRESHOLD)
    lines = [
        f"within_event = int({within})",
        "new_event = 1 - within_event",
        "new_burst = within_event*int(burst_counted < 0.5)",
        # Pbar = Bbar/Ebar, and 1 (valence -1) where Ebar = 0 (the reference's 0/0)
        "no_events = int(event_average <= 0)",
        "burst_fraction = (burst_average + no_events)/(event_average + no_events)",
    ]
    if rule.e_max is not None:
        lines += ["event_rate = event_average/tau_avg",
                  # -(rate - e_max)/rate above e_max, else 0 (the denominator only guards rate = 0)
                  "homeostasis = -clip(event_rate - e_max, 0*Hz, inf*Hz)/(event_rate + 1e-30*Hz)"]
    else:
        lines.append("homeostasis = 0")
    lines += [
        "valence = new_event*(homeostasis - clip(burst_fraction, 0, 1)) + new_burst*(1 + homeostasis)",
        "event_average += new_event",
        "burst_average += new_burst",
    ]
    if tracks_firing_rate(rule):
        lines.append("spike_average += 1")
    lines += [
        "burst_counted = within_event",
        "detector_trace = detector_trace*exp(-(t - t_last_spike)/burst_isi) + 1",
        "t_last_spike = t",
    ]
    return "\n".join(lines)


def synapse_model(rule: BurstDependentPlasticity) -> str:
    """Variables of a plastic synapse: its weight, the run-time constants and the linked views
    of the two nodes (``pre_*`` by presynaptic, ``post_*`` by postsynaptic index)."""
    model = """
w_syn : siemens
eta : siemens (shared, constant)
w_max : siemens (shared, constant)
pre_index : integer (constant)
post_index : integer (constant)
pre_is_event : 1 (linked)
pre_event_trace : 1 (linked)
post_valence : 1 (linked)
"""
    if float(rule.e_min) > 0:
        # the average that the potentiation reads (spikes or events, per homeostasis_rate) and its
        # time constant
        model += "e_min : hertz (shared, constant)\ntau_hom : second (shared, constant)\npost_hom_average : 1 (linked)\n"
    return model


def on_pre_code(rule: BurstDependentPlasticity, conductance: str | None, gate: str) -> str:
    """Presynaptic pathway of a plastic synapse (every source spike, after the presynaptic node
    classified it): at an event, transmit ``w_syn`` onto ``conductance`` (``None``: no target
    conductance, e.g. spike-train targets of pairing protocols), then apply the homeostatic
    potentiation, scaled by the plasticity gate ``gate`` (an expression of t). Empty when there
    is nothing to do (no conductance, no homeostatic potentiation): then the projection has no
    presynaptic pathway."""
    lines = [f"{conductance}_post += w_syn*pre_is_event"] if conductance else []
    if float(rule.e_min) > 0:
        lines += [
            "post_hom_rate = post_hom_average/tau_hom",
            f"w_syn = clip(w_syn + pre_is_event*eta*{gate}*clip((e_min - post_hom_rate)*second, 0, inf), "
            "0*siemens, w_max)",
        ]
    return "\n".join(lines)


def on_post_code(gate: str) -> str:
    """Postsynaptic pathway of a plastic synapse (every target spike, after the postsynaptic node
    stored the spike's valence): ``w += eta * valence * Etilde_pre``, clipped."""
    return "w_syn = clip(w_syn + eta*" + gate + "*post_valence*pre_event_trace, 0*siemens, w_max)"
