"""The XOR network of Payeur et al. (2021, Fig. 4; the reference program ``sim_xor``): credit
assignment with bursts in a spiking hierarchy.

Five populations of BurstPoisson neurons (:class:`~models.pyramidal.BurstPoissonParameters`):
two inputs, two hidden populations, one output. Feedforward, input -> hidden -> output:
plastic, event-transmitting excitation (the burst-dependent rule, one learning rate per layer)
and fixed event-transmitting inhibition onto the somata. Feedback, output -> hidden dendrites:
fixed, burst-transmitting, net excitatory onto hidden 1 and net inhibitory onto hidden 2. Every
compartment has 500/150 Hz identity Poisson backgrounds; hidden 2 and the output get constant
dendritic currents. An example holds the input currents ("1" = +150 pA, "0" = -350 pA) for
``example_duration``; in its last ``teaching_duration`` the plastic projections learn and each
output neuron gets a dendritic teaching current set from its own moving-average event rate
(:meth:`~spiking.plan.NetworkPlan.add_teaching_current`): the whole loop runs inside the
simulation.

Timeline: burn-in (3 tau_avg, no input current), a test pass of the four cases, ``n_epochs``
epochs of the four cases in the fixed order (0,0), (1,0), (0,1), (1,1), and a second test pass.
The readout is the output's unit-mean moving-average event rate at the end of each example's
prediction phase (:func:`prediction_rates`); the cost is the cross-entropy of
``(E - e_min)/(e_max - e_min)`` clipped to [0.01, 0.99] (:func:`xor_cost`).

Weights, learning rates and w_max are the reference's, in units of the target compartment's
leak conductance (:func:`spiking.experiments.circuits.leak_units`).

Examples
--------
>>> protocol = XorProtocol(n_per_population=20, n_epochs=1, example_duration=0.8 * second,
...                        teaching_duration=0.2 * second, tau_avg=0.2 * second)
>>> plan = xor_plan(protocol, seed=1)
>>> sorted(plan.populations)
['hidden1', 'hidden2', 'input1', 'input2', 'output']
>>> round(float(plan.duration), 2)    # 0.6 s burn-in + (4 + 4 + 4) examples of 0.8 s
10.2
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Hz, Quantity, ms, pA, second

from spiking.experiments.circuits import leak_units
from models.plasticity import BurstDependentPlasticity
from models.pyramidal import BurstPoissonParameters
from spiking.errors import ParameterError
from spiking.parameters import check_quantity
from spiking.plan import CurrentInjection, IdentityPoisson, NetworkPlan, Population, Projection
from spiking.stimuli import Constant, Sampled

__all__ = ["XorProtocol", "CASES", "xor_plan", "example_schedule", "segment_schedule", "timeline_grid", "prediction_rates", "xor_cost",
           "POPULATIONS", "PLASTIC_PROJECTIONS", "READOUT_PROJECTION", "FEEDBACK_WEIGHTS"]

#: The four cases in the reference's fixed order: (input 1, input 2) -> target.
CASES = (((0, 0), 0), ((1, 0), 1), ((0, 1), 1), ((1, 1), 0))
POPULATIONS = ("input1", "input2", "hidden1", "hidden2", "output")
PLASTIC_PROJECTIONS = ("input1_to_hidden1", "input2_to_hidden1", "input1_to_hidden2", "input2_to_hidden2",
                       "hidden1_to_output", "hidden2_to_output")
#: The projection whose postsynaptic averages give the output's read-out and teaching.
READOUT_PROJECTION = "hidden1_to_output"
#: The fixed, burst-transmitting feedback from the output onto the hidden dendrites: (excitatory,
#: inhibitory) weight in dendritic leak units; net excitatory onto hidden 1, inhibitory onto hidden 2.
FEEDBACK_WEIGHTS = {"hidden1": (0.26, 0.06), "hidden2": (0.026, 0.27)}


@dataclasses.dataclass(frozen=True)
class XorProtocol:
    """Sizes, timing and learning parameters of the XOR experiment (reference values).

    Parameters
    ----------
    n_per_population : int
        Neurons per population (500 in the reference's runs).
    n_epochs : int
        Training epochs of the four cases (500: 16,000 s simulated).
    example_duration : Quantity
        Duration of one example (8 s).
    teaching_duration : Quantity
        Final part of each training example with teaching and plasticity (0.8 s).
    tau_avg : Quantity
        Time constant of the moving averages (2 s); the burn-in is 3 tau_avg.
    eta_input_hidden, eta_hidden_output : float
        Learning rates in leak units (8e-3 and 4e-3).
    current_one, current_zero : Quantity
        Somatic input current coding a 1 and a 0 (+150 and -350 pA).
    e_min, e_max : Quantity
        Rate bounds of the rule's homeostasis and of the teaching and read-out (2 and 10 Hz).
    """

    n_per_population: int = 500
    n_epochs: int = 500
    example_duration: Quantity = dataclasses.field(default_factory=lambda: 8 * second)
    teaching_duration: Quantity = dataclasses.field(default_factory=lambda: 0.8 * second)
    tau_avg: Quantity = dataclasses.field(default_factory=lambda: 2 * second)
    eta_input_hidden: float = 8e-3
    eta_hidden_output: float = 4e-3
    current_one: Quantity = dataclasses.field(default_factory=lambda: 150 * pA)
    current_zero: Quantity = dataclasses.field(default_factory=lambda: -350 * pA)
    e_min: Quantity = dataclasses.field(default_factory=lambda: 2 * Hz)
    e_max: Quantity = dataclasses.field(default_factory=lambda: 10 * Hz)

    def __post_init__(self) -> None:
        for name in ("n_per_population", "n_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ParameterError(f"XorProtocol.{name} must be an integer >= 1; got {value!r}")
        for name in ("example_duration", "teaching_duration", "tau_avg"):
            check_quantity(name, getattr(self, name), second, "positive", owner="XorProtocol")
        if not self.teaching_duration < self.example_duration:
            raise ParameterError(f"XorProtocol.teaching_duration ({self.teaching_duration}) must be shorter than "
                                 f"example_duration ({self.example_duration})")
        for name in ("eta_input_hidden", "eta_hidden_output"):
            if not getattr(self, name) > 0:
                raise ParameterError(f"XorProtocol.{name} must be > 0; got {getattr(self, name)}")
        if not self.e_max > self.e_min:
            raise ParameterError(f"XorProtocol.e_max ({self.e_max}) must exceed e_min ({self.e_min})")

    @property
    def burn_in(self) -> Quantity:
        return 3 * self.tau_avg

    @property
    def p_connect(self) -> float:
        """Feedforward and feedback connection probability, 0.05 * 2000 / N (about 100 inputs from
        each presynaptic population)."""
        return min(1.0, 0.05 * 2000 / self.n_per_population)


def example_schedule(protocol: XorProtocol) -> list[dict]:
    """Every example of the run in order: ``phase`` ("test_before", "train", "test_after"),
    ``epoch`` (training epochs from 1), ``case`` ("00", "10", "01", "11"), ``inputs``,
    ``target``, ``t_start_s``, ``t_teach_s`` (start of the teaching window) and ``t_stop_s``.

    Examples
    --------
    >>> rows = example_schedule(XorProtocol(n_epochs=2))
    >>> len(rows), rows[4]["phase"], rows[4]["case"], rows[4]["t_start_s"], rows[4]["t_teach_s"]
    (16, 'train', '00', 38.0, 45.2)
    """
    example_s = float(protocol.example_duration)
    teach_s = float(protocol.teaching_duration)
    t = float(protocol.burn_in)
    rows = []
    phases = [("test_before", 0)] + [("train", e) for e in range(1, protocol.n_epochs + 1)] + [("test_after", 0)]
    for phase, epoch in phases:
        for inputs, target in CASES:
            rows.append({"phase": phase, "epoch": epoch, "case": f"{inputs[0]}{inputs[1]}", "inputs": inputs,
                         "target": target, "t_start_s": round(t, 9), "t_teach_s": round(t + example_s - teach_s, 9),
                         "t_stop_s": round(t + example_s, 9)})
            t += example_s
    return rows


def timeline_grid(protocol: XorProtocol, dt: Quantity = 0.1 * ms) -> float:
    """The longest step (seconds) on which the burn-in, the examples and the teaching windows all
    start: the greatest common divisor of their durations in time steps.

    Examples
    --------
    >>> timeline_grid(XorProtocol())   # 6 s burn-in, 8 s examples, 0.8 s teaching
    0.4
    """
    steps = [int(round(float(x / dt))) for x in (protocol.burn_in, protocol.example_duration,
                                                 protocol.teaching_duration)]
    return round(int(np.gcd.reduce(steps)) * float(dt), 12)


def _background(plan: NetworkPlan, population: str, params, soma_rate, soma_exc, soma_inh) -> None:
    plan.add_background(IdentityPoisson(population, "soma", "ampa", soma_rate, leak_units(soma_exc, params, "soma")))
    plan.add_background(IdentityPoisson(population, "soma", "gaba", soma_rate, leak_units(soma_inh, params, "soma")))
    for receptor in ("ampa", "gaba"):
        plan.add_background(IdentityPoisson(population, "dendrite", receptor, 500 * Hz,
                                            leak_units(0.05, params, "dendrite")))


def segment_schedule(protocol: XorProtocol) -> list[dict]:
    """The timeline of one segment (``xor_plan(..., segment=True)``): the burn-in, then one epoch of the
    four cases (rows as in :func:`example_schedule`, phase "segment", epoch 0).

    Examples
    --------
    >>> [(row["case"], row["t_start_s"]) for row in segment_schedule(XorProtocol())]
    [('00', 6.0), ('10', 14.0), ('01', 22.0), ('11', 30.0)]
    """
    return [dict(row, phase="segment", epoch=0)
            for row in example_schedule(dataclasses.replace(protocol, n_epochs=1))[:len(CASES)]]


def xor_plan(protocol: XorProtocol = XorProtocol(), seed: int = 1, dt: Quantity = 0.1 * ms,
             segment: bool = False) -> NetworkPlan:
    """The XOR network and its whole run as one plan (see the module docstring).

    Records the output's unit-mean moving-average event rate on the timeline's grid
    (:func:`timeline_grid`; each teaching window's start is one of those samples) and the online
    event/burst counts of every population in bins of the same grid.

    With ``segment=True`` the timeline is one segment: the burn-in and one epoch of the four
    cases with teaching and learning (:func:`segment_schedule`). One build of it runs the whole
    protocol segment by segment (:func:`spiking.experiments.xor_run.run_xor`): the test passes are segments
    with teaching and learning switched off at run time, and every segment after the first
    skips the burn-in and starts from the state in which the one before ended.
    """
    params = BurstPoissonParameters()
    rows = segment_schedule(protocol) if segment else example_schedule(protocol)
    duration_s = rows[-1]["t_stop_s"]
    plan = NetworkPlan(duration=duration_s * second, seed=seed, dt=dt)
    for name in POPULATIONS:
        plan.add_population(Population(name, params, n_per_unit=protocol.n_per_population))
    # backgrounds (reference: 5 Hz x 100 = 500 Hz, 5 Hz x 30 = 150 Hz; weights in leak units)
    for name in ("input1", "input2"):
        _background(plan, name, params, 500 * Hz, 0.35, 0.35)
    for name in ("hidden1", "hidden2"):
        _background(plan, name, params, 150 * Hz, 1.1 * 0.35, 1.4 * 0.35)  # the fixed "bias" connection
    _background(plan, "output", params, 150 * Hz, 0.35, 0.35)
    p = protocol.p_connect
    # the reference's plastic (EBCP) and Transmit{Event,Burst} connections all send a spike in the
    # step it is emitted (Auryn's get_spikes_immediate), not after the 0.8 ms default axonal delay
    no_delay = 0 * ms

    def rule(eta: float) -> BurstDependentPlasticity:
        return BurstDependentPlasticity(eta=leak_units(eta, params, "soma"), w_max=leak_units(1.0, params, "soma"),
                                        tau_pre=100 * ms, tau_avg=protocol.tau_avg, e_min=protocol.e_min,
                                        e_max=protocol.e_max)

    layers = [(("input1", "input2"), ("hidden1", "hidden2"), protocol.eta_input_hidden),
              (("hidden1", "hidden2"), ("output",), protocol.eta_hidden_output)]
    for sources, targets, eta in layers:
        for target in targets:
            for source in sources:
                plan.add_projection(Projection(f"{source}_to_{target}", source, target, "soma", "ampa", "pairwise", p=p,
                                               weight=leak_units(1.3 * 0.18, params, "soma"), delay=no_delay,
                                               plasticity=rule(eta)))
                plan.add_projection(Projection(f"{source}_to_{target}_inh", source, target, "soma", "gaba",
                                               "pairwise", p=p, weight=leak_units(2.5 * 0.1, params, "soma"),
                                               delay=no_delay, transmit="events"))
    for target, (w_exc, w_inh) in FEEDBACK_WEIGHTS.items():
        for receptor, weight in (("ampa", w_exc), ("gaba", w_inh)):
            plan.add_projection(Projection(f"output_to_{target}_{receptor}", "output", target, "dendrite", receptor,
                                           "pairwise", p=p, weight=leak_units(weight, params, "dendrite"),
                                           delay=no_delay, transmit="bursts"))
    plan.add_current(CurrentInjection("output", "dendrite", Constant(400 * pA)))
    plan.add_current(CurrentInjection("hidden2", "dendrite", Constant(500 * pA)))
    # input coding: piecewise constant on the coarsest grid of the timeline
    grid_s = timeline_grid(protocol, dt)
    n_samples = int(round(duration_s / grid_s))
    for k, name in enumerate(("input1", "input2")):
        samples = np.zeros(n_samples)
        for row in rows:
            first, last = int(round(row["t_start_s"] / grid_s)), int(round(row["t_stop_s"] / grid_s))
            level = protocol.current_one if row["inputs"][k] else protocol.current_zero
            samples[first:last] = float(level / pA)
        plan.add_current(CurrentInjection(name, "soma", Sampled(samples * pA, grid_s * second)))
    training = [row for row in rows if row["phase"] in ("train", "segment")]
    windows = [(row["t_teach_s"] * second, row["t_stop_s"] * second) for row in training]
    for name in PLASTIC_PROJECTIONS:
        plan.schedule_plasticity(name, windows)
    plan.add_teaching_current(READOUT_PROJECTION, [(row["t_teach_s"] * second, row["t_stop_s"] * second,
                                                    row["target"]) for row in training])
    plan.record_event_rates(READOUT_PROJECTION, grid_s * second)
    for name in POPULATIONS:
        plan.detect_bursts(name, bin_width=grid_s * second)
    return plan


def prediction_rates(result, protocol: XorProtocol, rows: list[dict] | None = None, offset_s: float = 0.0) -> list[float]:
    """The output's unit-mean moving-average event rate (Hz) at the end of each example's
    prediction phase (its teaching window's start), for the examples ``rows`` (default: the
    whole run's, :func:`example_schedule`) of a result whose time 0 is ``offset_s`` on their
    timeline."""
    rates = result.event_rates[READOUT_PROJECTION]
    times = rates.time.values + offset_s
    out = []
    for row in example_schedule(protocol) if rows is None else rows:
        # the sample at the end of the window's first step: one step (0.1 ms of a 2 s average)
        # after the moment the teaching current reads the same averages
        k = int(np.argmin(np.abs(times - row["t_teach_s"])))
        out.append(float(rates.event_rate.values[0, k]))
    return out


def xor_cost(rate_hz: float, target: int, protocol: XorProtocol = XorProtocol()) -> float:
    """Cross-entropy of the output's rate mapped to [0, 1] (the reference's ``compute_cost``).

    Examples
    --------
    >>> round(xor_cost(10.0, 1), 4), round(xor_cost(6.0, 1), 4)
    (0.0101, 0.6931)
    """
    y = (rate_hz - float(protocol.e_min)) / (float(protocol.e_max) - float(protocol.e_min))
    y = min(max(y, 0.01), 0.99)
    return float(-target * np.log(y) - (1 - target) * np.log(1 - y))
