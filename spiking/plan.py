"""The network plan: populations, projections, inputs and recordings as pure, validated data.

A plan says *what* to simulate; :mod:`spiking.build` turns it into Brian objects on a backend.
Everything is checked when it is added (unknown population, a compartment the target cell lacks,
a weight that is not a conductance, a probability outside [0, 1], duplicate names), so a bad
plan fails before any code is generated.

Units are index ranges: a population holds ``n_units`` ensembles of ``n_per_unit`` cells in one
Brian group; neuron ``k`` of unit ``u`` has index ``u * n_per_unit + k``.

Examples
--------
>>> from brian2 import nS, ms, Hz
>>> from models.pyramidal import PyramidalParameters
>>> from models.interneurons import SST_PAYEUR
>>> from models.synapses import STF_PAYEUR
>>> plan = NetworkPlan(duration=1000 * ms, seed=1)
>>> plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=100, n_units=2))
>>> plan.add_population(Population("sst", SST_PAYEUR, n_per_unit=20, n_units=2))
>>> plan.add_projection(Projection("pyr_to_sst", "pyr", "sst", "soma", "ampa", "pairwise",
...                                weight=1 * nS, p=0.2, stp=STF_PAYEUR))
>>> plan.add_projection(Projection("sst_to_pyr", "sst", "pyr", "dendrite", "gaba", "pairwise",
...                                weight=0.2 * nS, p=0.2))
>>> sorted(plan.populations)
['pyr', 'sst']
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

import numpy as np
from brian2 import Hz, Quantity, amp, ms, mV, pA, second, siemens

from models.interneurons import AdExParameters
from models.plasticity import BurstDependentPlasticity
from models.pyramidal import DETECTOR_RULES, PyramidalParameters
from models.synapses import RECEPTORS, TRANSMISSIONS, STPParameters
from spiking.parameters import check_dt
from spiking.errors import ParameterError
from spiking.parameters import check_quantity
from spiking.stimuli import Waveform

__all__ = ["Population", "PoissonPool", "SpikeTrainSource", "Projection", "IdentityPoisson", "OUNoise", "CurrentInjection",
           "SpikeRecording", "StateRecording", "BurstDetector", "WeightRecording", "MeanWeightRecording", "EventRateRecording",
           "PlasticitySchedule", "WeightGain", "TeachingCurrent", "NetworkPlan", "RULES", "COMPARTMENTS", "BACKGROUND_ARRIVALS"]

RULES = ("pairwise", "in_degree", "one_to_one", "all_to_all")
#: How identity Poisson backgrounds are discretised (see :class:`IdentityPoisson`).
BACKGROUND_ARRIVALS = ("per_step", "poisson")
COMPARTMENTS = {"pyramidal": ("soma", "dendrite"), "adex": ("soma",), "poisson": (), "generator": ()}
_NAME_OK = "a Python identifier (letters, digits, underscores)"


def _check_name(kind: str, name: str) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise ParameterError(f"{kind} name must be {_NAME_OK}; got {name!r}")


def _check_count(label: str, value: Any, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{label} must be an integer >= {minimum}; got {value!r}")


def _check_units_selection(label: str, units: Sequence[int] | None) -> None:
    if units is None:
        return
    if isinstance(units, (str, bytes)) or not all(isinstance(u, (int, np.integer)) and u >= 0 for u in units):
        raise ParameterError(f"{label} must be a sequence of unit indices >= 0 or None; got {units!r}")


@dataclasses.dataclass(frozen=True)
class Population:
    """``n_units`` ensembles of ``n_per_unit`` cells of one type, in one Brian group.

    Parameters
    ----------
    name : str
    params : PyramidalParameters or AdExParameters
    n_per_unit : int
        Cells per unit (1 to 1e7).
    n_units : int
        Number of units (>= 1).
    initial_v_sd : Quantity
        Standard deviation of the initial somatic voltage around rest (reference: 5 mV).
    """

    name: str
    params: PyramidalParameters | AdExParameters
    n_per_unit: int
    n_units: int = 1
    initial_v_sd: Quantity = dataclasses.field(default_factory=lambda: 5 * mV)

    def __post_init__(self) -> None:
        _check_name("population", self.name)
        _check_count(f"Population {self.name!r}: n_per_unit", self.n_per_unit)
        if self.n_per_unit > 10_000_000:
            raise ParameterError(f"Population {self.name!r}: n_per_unit must be <= 1e7; got {self.n_per_unit}")
        _check_count(f"Population {self.name!r}: n_units", self.n_units)
        check_quantity("initial_v_sd", self.initial_v_sd, mV, "nonnegative", owner=f"Population {self.name!r}")
        if not isinstance(self.params, (PyramidalParameters, AdExParameters)):
            raise ParameterError(f"Population {self.name!r}: params must be PyramidalParameters or "
                                 f"AdExParameters; got {type(self.params).__name__}")

    @property
    def cell_type(self) -> str:
        return "pyramidal" if isinstance(self.params, PyramidalParameters) else "adex"

    @property
    def n_neurons(self) -> int:
        return self.n_per_unit * self.n_units

    @property
    def compartments(self) -> tuple[str, ...]:
        return COMPARTMENTS[self.cell_type]


class _InputSource:
    """What input sources share: one unit of ``n_sources`` cells without compartments."""

    compartments: tuple = ()
    n_units = 1

    @property
    def n_per_unit(self) -> int:
        return self.n_sources

    @property
    def n_neurons(self) -> int:
        return self.n_sources


@dataclasses.dataclass(frozen=True)
class PoissonPool(_InputSource):
    """A pool of ``n_sources`` independent Poisson spike sources at ``rate`` (a shared, sparse
    background such as 25000 excitatory inputs at 5 Hz). Projections from it declare the
    in-degree and weight. Spikes come from a per-source next-arrival time (one random number per
    spike); arrivals closer than one time step are delivered one step apart."""

    name: str
    n_sources: int
    rate: Quantity

    def __post_init__(self) -> None:
        _check_name("pool", self.name)
        _check_count(f"PoissonPool {self.name!r}: n_sources", self.n_sources)
        check_quantity("rate", self.rate, Hz, "positive", owner=f"PoissonPool {self.name!r}")

    cell_type = "poisson"


@dataclasses.dataclass(frozen=True, eq=False)
class SpikeTrainSource(_InputSource):
    """Sources that emit given spikes (e.g. recorded data or a test pattern): ``times`` (Brian
    times) of spikes of source ``indices`` in ``[0, n_sources)``."""

    name: str
    n_sources: int
    indices: Any
    times: Quantity

    def __post_init__(self) -> None:
        _check_name("spike source", self.name)
        _check_count(f"SpikeTrainSource {self.name!r}: n_sources", self.n_sources)
        idx = np.asarray(self.indices)
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_sources):
            raise ParameterError(f"SpikeTrainSource {self.name!r}: indices must lie in [0, {self.n_sources})")
        check_quantity("times[0]", self.times[:1].sum() if len(self.times) else 0 * second, second,
                       owner=f"SpikeTrainSource {self.name!r}")
        if len(idx) != len(self.times):
            raise ParameterError(f"SpikeTrainSource {self.name!r}: indices and times differ in length")

    cell_type = "generator"


@dataclasses.dataclass(frozen=True)
class Projection:
    """Conductance synapses from one population (or pool) onto a compartment of another.

    Parameters
    ----------
    name : str
    source, target : str
        Population or pool names.
    compartment : {"soma", "dendrite"} or None
        Target compartment (interneurons only have ``"soma"``). ``None`` only for a plastic
        projection onto a :class:`SpikeTrainSource` (pairing protocols): it learns from the
        given trains and transmits nothing.
    receptor : {"ampa", "gaba"}
    rule : {"pairwise", "in_degree", "one_to_one", "all_to_all"}
    weight : Quantity
        Conductance increment per transmitted spike (siemens).
    p : float, optional
        Connection probability (rule ``"pairwise"``).
    in_degree : int, optional
        Sources per target neuron (rule ``"in_degree"``).
    delay : Quantity
        Transmission delay (reference code: 0.8 ms).
    stp : STPParameters, optional
        Short-term plasticity.
    transmit : {"spikes", "events", "bursts"}
        ``"events"``/``"bursts"``: idealised event-only / burst-only transmission (needs a
        pyramidal source).
    unit_mapping : {"same", "all"}
        ``"same"``: unit k of the source projects to unit k of the target (a one-unit side is
        shared by all units); ``"all"``: every selected source unit to every selected target unit.
    source_units, target_units : sequence of int, optional
        Restrict the projection to these units (default: all).
    autapses : bool
        Allow a neuron to contact itself (recurrent projections).
    plasticity : BurstDependentPlasticity, optional
        Make the weights plastic (per synapse, starting at ``weight``); the projection then
        transmits presynaptic *events* only (see :mod:`models.plasticity`).
    """

    name: str
    source: str
    target: str
    compartment: str
    receptor: str
    rule: str
    weight: Quantity
    p: float | None = None
    in_degree: int | None = None
    delay: Quantity = dataclasses.field(default_factory=lambda: 0.8 * ms)
    stp: STPParameters | None = None
    transmit: str = "spikes"
    unit_mapping: str = "same"
    source_units: tuple | None = None
    target_units: tuple | None = None
    autapses: bool = False
    plasticity: BurstDependentPlasticity | None = None

    def __post_init__(self) -> None:
        _check_name("projection", self.name)
        label = f"Projection {self.name!r}"
        if self.compartment not in ("soma", "dendrite") and not (self.compartment is None and self.plasticity):
            raise ParameterError(f"{label}: compartment must be 'soma' or 'dendrite' (None only for a plastic "
                                 f"projection onto spike trains); got {self.compartment!r}")
        if self.receptor not in RECEPTORS:
            raise ParameterError(f"{label}: receptor must be one of {list(RECEPTORS)}; got {self.receptor!r}")
        if self.rule not in RULES:
            raise ParameterError(f"{label}: rule must be one of {list(RULES)}; got {self.rule!r}")
        if self.transmit not in TRANSMISSIONS:
            raise ParameterError(f"{label}: transmit must be one of {list(TRANSMISSIONS)}; got {self.transmit!r}")
        if self.unit_mapping not in ("same", "all"):
            raise ParameterError(f"{label}: unit_mapping must be 'same' or 'all'; got {self.unit_mapping!r}")
        check_quantity("weight", self.weight, siemens, "nonnegative", owner=label)
        check_quantity("delay", self.delay, second, "nonnegative", owner=label)
        if self.rule == "pairwise":
            if self.p is None:
                raise ParameterError(f"{label}: rule 'pairwise' needs p (a probability in [0, 1])")
            check_quantity("p", self.p, 1, "probability", owner=label)
        elif self.p is not None:
            raise ParameterError(f"{label}: p is only used by rule 'pairwise'")
        if self.rule == "in_degree":
            _check_count(f"{label}: in_degree", self.in_degree, minimum=0)
        elif self.in_degree is not None:
            raise ParameterError(f"{label}: in_degree is only used by rule 'in_degree'")
        if self.stp is not None and not isinstance(self.stp, STPParameters):
            raise ParameterError(f"{label}: stp must be STPParameters or None; got {type(self.stp).__name__}")
        _check_units_selection(f"{label}: source_units", self.source_units)
        _check_units_selection(f"{label}: target_units", self.target_units)
        if self.plasticity is not None:
            if not isinstance(self.plasticity, BurstDependentPlasticity):
                raise ParameterError(f"{label}: plasticity must be BurstDependentPlasticity or None; got "
                                     f"{type(self.plasticity).__name__}")
            if self.stp is not None or self.transmit != "spikes":
                raise ParameterError(f"{label}: a plastic projection transmits presynaptic events by itself; it "
                                     "takes neither stp nor transmit (leave them at None and 'spikes')")
            if self.weight > self.plasticity.w_max:
                raise ParameterError(f"{label}: the initial weight {self.weight} exceeds the plasticity's w_max "
                                     f"{self.plasticity.w_max} (weights live in [0, w_max])")

    @property
    def conductance(self) -> str:
        """Name of the target variable (``g_ampa_d`` on pyramids, ``g_ampa`` on interneurons)."""
        return f"g_{self.receptor}_{self.compartment[0]}"

    @property
    def plastic(self) -> bool:
        return self.plasticity is not None


@dataclasses.dataclass(frozen=True)
class IdentityPoisson:
    """Each neuron of ``target`` gets its own Poisson train at ``rate`` onto a compartment and
    receptor (the reference code's identity-connected 500 Hz backgrounds).

    ``arrivals`` says how a train is discretised on the time grid:

    ``"per_step"`` (default; the reference code's ``PoissonGroup``)
        at most one arrival per time step, with probability ``rate*dt`` in each step,
        independently (a Bernoulli process). Its count per step has variance
        ``rate*dt*(1 - rate*dt)``: at 500 Hz and dt = 0.1 ms, 5 % less than a Poisson process of
        the same rate. Neurons held below threshold by strong conductances fire on these
        fluctuations: the reference's PV cells fire about 10 % less than with Poisson trains.
    ``"poisson"``
        a Poisson process in continuous time (exponential intervals).

    Implemented event-driven: all backgrounds of a group are one arrival process per neuron,
    and all of them must use the same ``arrivals``. Per step: each neuron keeps the step of its
    next arrival of any train (geometric gaps for ``"per_step"``; there, one random number
    decides which trains arrive in that step, each independently, conditioned on at least one).
    Poisson: the superposition of its trains, each arrival marked with its train (exponential
    intervals, one random number per arrival); an arrival in the same time step as the previous
    one of that neuron is delivered one step later (with the four 500 Hz trains of the
    reference circuit and dt = 0.1 ms, 18 % of arrivals move by 0.1 ms, mean delay about
    0.02 ms, far below the 5 ms synaptic time constant; the rates are exact)."""

    target: str
    compartment: str
    receptor: str
    rate: Quantity
    weight: Quantity
    arrivals: str = "per_step"

    def __post_init__(self) -> None:
        label = f"IdentityPoisson onto {self.target!r}"
        if self.receptor not in RECEPTORS:
            raise ParameterError(f"{label}: receptor must be one of {list(RECEPTORS)}; got {self.receptor!r}")
        check_quantity("rate", self.rate, Hz, "positive", owner=label)
        check_quantity("weight", self.weight, siemens, "nonnegative", owner=label)
        if self.arrivals not in BACKGROUND_ARRIVALS:
            raise ParameterError(f"{label}: arrivals must be one of {BACKGROUND_ARRIVALS}; got {self.arrivals!r}")


@dataclasses.dataclass(frozen=True)
class OUNoise:
    """Ornstein-Uhlenbeck current noise into a compartment: mean ``mean``, stationary standard
    deviation ``sigma``, correlation time ``tau`` (Naud & Sprekeler style; Euler-Maruyama)."""

    target: str
    compartment: str
    mean: Quantity
    sigma: Quantity
    tau: Quantity = dataclasses.field(default_factory=lambda: 2 * ms)

    def __post_init__(self) -> None:
        label = f"OUNoise onto {self.target!r}"
        check_quantity("mean", self.mean, amp, None, owner=label)
        check_quantity("sigma", self.sigma, amp, "nonnegative", owner=label)
        check_quantity("tau", self.tau, second, "positive", owner=label)


@dataclasses.dataclass(frozen=True)
class CurrentInjection:
    """A current into one compartment of every cell of each unit: one waveform per unit (or one
    for all units). Replaceable between standalone runs without recompiling."""

    target: str
    compartment: str
    waveforms: Any

    def waveform_of_unit(self, unit: int, n_units: int) -> Waveform | None:
        if isinstance(self.waveforms, Waveform) or self.waveforms is None:
            return self.waveforms
        waves = list(self.waveforms)
        if len(waves) != n_units:
            raise ParameterError(f"CurrentInjection onto {self.target!r}: {len(waves)} waveforms for {n_units} units")
        return waves[unit]


@dataclasses.dataclass(frozen=True)
class SpikeRecording:
    """Record spikes of a population: all neurons, or the first ``sample_per_unit`` of each unit."""

    population: str
    sample_per_unit: int | None = None


@dataclasses.dataclass(frozen=True)
class StateRecording:
    """Record state variables of selected neurons with their own sampling step."""

    population: str
    variables: tuple
    neurons: tuple
    dt: Quantity | None = None


@dataclasses.dataclass(frozen=True)
class WeightRecording:
    """Read the weights of a plastic projection after the run: all synapses, or ``n_sample`` of
    them chosen at random (from the plan's seed)."""

    projection: str
    n_sample: int | None = None


@dataclasses.dataclass(frozen=True)
class EventRateRecording:
    """Record, every ``dt``, the mean over each target unit's neurons of the moving-average event
    rate ``Ebar/tau_avg`` that a plastic projection's rule keeps (the rate the XOR network reads
    out and teaches from), summed inside the simulation."""

    projection: str
    dt: Quantity


@dataclasses.dataclass(frozen=True)
class MeanWeightRecording:
    """Record the mean weight of each (source unit, target unit) pair of a plastic projection
    every ``dt``, summed inside the simulation (no per-synapse storage)."""

    projection: str
    dt: Quantity


def _window_mask(windows, n_steps: int, dt: Quantity) -> np.ndarray:
    """Whether each step ``k * dt`` (k < n_steps) lies in one of the ``(t_start, t_stop, ...)``
    windows: steps from round(t_start/dt) up to, not including, round(t_stop/dt)."""
    steps = np.arange(n_steps)
    mask = np.zeros(n_steps, dtype=bool)
    for window in windows:
        mask |= (steps >= int(round(float(window[0] / dt)))) & (steps < int(round(float(window[1] / dt))))
    return mask


@dataclasses.dataclass(frozen=True)
class PlasticitySchedule:
    """When a plastic projection learns: ``windows`` of (t_start, t_stop); outside them its
    learning rate is zero. ``None`` windows: always. Replaceable between runs without a rebuild
    (``Simulation.run(plasticity={...})``)."""

    projection: str
    windows: tuple | None = None

    def gate(self, n_steps: int, dt: Quantity) -> np.ndarray:
        """The gate (0 or 1) at the steps ``k * dt``, k < n_steps.

        Examples
        --------
        >>> PlasticitySchedule("p", ((1 * ms, 2 * ms),)).gate(4, 0.5 * ms).tolist()
        [0.0, 0.0, 1.0, 1.0]
        """
        if self.windows is None:
            return np.ones(n_steps)
        return _window_mask(self.windows, n_steps, dt).astype(float)


@dataclasses.dataclass(frozen=True)
class WeightGain:
    """A piecewise-constant factor on a projection's transmitted weights: ``steps`` of
    (t_start, factor), each factor holding from its t_start to the next (1 before the first).
    Replaceable between runs without a rebuild (``Simulation.run(weight_gains={...})``)."""

    projection: str
    steps: tuple

    def values(self, n_steps: int, dt: Quantity) -> np.ndarray:
        """The factor at the steps ``k * dt``, k < n_steps.

        Examples
        --------
        >>> WeightGain("p", ((1 * ms, 1.5), (2 * ms, 0.5))).values(5, 0.5 * ms).tolist()
        [1.0, 1.0, 1.5, 1.5, 0.5]
        """
        out = np.ones(n_steps)
        for start, factor in self.steps:
            out[int(round(float(start / dt))):] = float(factor)
        return out


@dataclasses.dataclass(frozen=True)
class TeachingCurrent:
    """A dendritic teaching current computed inside the simulation, per neuron, from the neuron's
    own moving-average event rate (Payeur et al. 2021, XOR network; the reference's
    ``generate_error``).

    At the first step of each window ``(t_start, t_stop, target)`` every neuron of the plastic
    projection's target reads its event rate ``E = Ebar/tau_avg`` (the projection's
    postsynaptic moving average) and gets, until ``t_stop``, the dendritic current

    - target 1: ``+amplitude`` if ``E <= e_min + tolerance``; 0 if ``E >= e_max - tolerance``;
      otherwise ``amplitude * (1 Hz)/(E - e_min)``;
    - target 0: ``-amplitude`` if ``E >= e_max - tolerance``; 0 if ``E <= e_min + tolerance``;
      otherwise ``-amplitude * (1 Hz)/(e_max - E)``,

    with ``e_min`` and ``e_max`` of the projection's rule. Outside the windows it is zero.
    """

    projection: str
    windows: tuple
    amplitude: Quantity
    tolerance: Quantity

    def values(self, n_steps: int, dt: Quantity) -> tuple[np.ndarray, np.ndarray]:
        """Whether a window is open (0/1) and its target (0/1) at the steps ``k * dt``.

        Examples
        --------
        >>> on, target = TeachingCurrent("p", ((1 * ms, 2 * ms, 1),), 1000 * pA, 1 * Hz).values(5, 0.5 * ms)
        >>> on.tolist(), target.tolist()
        ([0.0, 0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0, 0.0])
        """
        on = _window_mask(self.windows, n_steps, dt).astype(float)
        target = _window_mask([w for w in self.windows if w[2] == 1], n_steps, dt).astype(float)
        return on, target


def check_teaching_windows(projection: str, windows) -> tuple:
    """Validated teaching windows: (t_start, t_stop, target) with target 0 or 1, increasing and
    not overlapping (the checks of :func:`check_plasticity_windows`)."""
    label = f"add_teaching_current({projection!r})"
    try:
        items = [tuple(w) for w in windows]
    except TypeError:
        raise ParameterError(f"{label}: windows must be a sequence of (t_start, t_stop, target)") from None
    if not items:
        raise ParameterError(f"{label}: give at least one window")
    for k, item in enumerate(items):
        if len(item) != 3:
            raise ParameterError(f"{label}: window {k} must be (t_start, t_stop, target); got {item!r}")
        if item[2] not in (0, 1):
            raise ParameterError(f"{label}: window {k} target must be 0 or 1; got {item[2]!r}")
    spans = check_plasticity_windows(projection, [item[:2] for item in items], label=label)
    return tuple((start, stop, int(item[2])) for (start, stop), item in zip(spans, items))


def _pairs(label: str, items, kind: str, names: str) -> list[tuple]:
    """``items`` as a list of 2-tuples, or a ParameterError naming what was expected."""
    try:
        pairs = [tuple(item) for item in items]
    except TypeError:
        raise ParameterError(f"{label}: {kind}s must be a sequence of ({names}) pairs") from None
    for k, pair in enumerate(pairs):
        if len(pair) != 2:
            raise ParameterError(f"{label}: {kind} {k} must be a ({names}) pair; got {pair!r}")
    return pairs


def check_weight_steps(projection: str, steps) -> tuple:
    """Validated steps of a :class:`WeightGain` (sorted times, factors >= 0)."""
    label = f"weight gain of {projection!r}"
    out = []
    for k, (start, factor) in enumerate(_pairs(label, steps, "step", "t_start, factor")):
        check_quantity(f"steps[{k}] t_start", start, second, "nonnegative", owner=label)
        check_quantity(f"steps[{k}] factor", factor, 1, "nonnegative", owner=label)
        if out and not start > out[-1][0]:
            raise ParameterError(f"{label}: step times must increase; step {k} starts at {start}, not after "
                                 f"{out[-1][0]}")
        out.append((start, float(factor)))
    return tuple(out)


def check_plasticity_windows(projection: str, windows, label: str | None = None) -> tuple | None:
    """Validated windows of a :class:`PlasticitySchedule` (sorted, non-overlapping, in time)."""
    if windows is None:
        return None
    label = label or f"plasticity schedule of {projection!r}"
    out = []
    for k, (start, stop) in enumerate(_pairs(label, windows, "window", "t_start, t_stop")):
        check_quantity(f"windows[{k}] t_start", start, second, "nonnegative", owner=label)
        check_quantity(f"windows[{k}] t_stop", stop, second, "positive", owner=label)
        if not stop > start:
            raise ParameterError(f"{label}: window {k} must end after it starts; got ({start}, {stop})")
        if out and start < out[-1][1]:
            raise ParameterError(f"{label}: windows must be sorted and must not overlap; window {k} starts at "
                                 f"{start}, before the previous one ends ({out[-1][1]})")
        out.append((start, stop))
    return tuple(out)


@dataclasses.dataclass(frozen=True)
class BurstDetector:
    """Online event and burst counts of each unit of a pyramidal population, per bin of
    ``bin_width``, counted inside the simulation (no spikes shipped). ``rule`` is the event/burst
    rule, ``"trace"`` (the reference code's, default) or ``"isi"``, with time scale
    ``burst_isi`` (see :func:`spiking.decoding.decompose`); it also decides which spikes the
    population's event- and burst-transmitting projections send."""

    population: str
    bin_width: Quantity = dataclasses.field(default_factory=lambda: 10 * ms)
    burst_isi: Quantity = dataclasses.field(default_factory=lambda: 16 * ms)
    rule: str = "trace"

    def __post_init__(self) -> None:
        check_quantity("bin_width", self.bin_width, second, "positive", owner="BurstDetector")
        check_quantity("burst_isi", self.burst_isi, second, "positive", owner="BurstDetector")
        if self.rule not in DETECTOR_RULES:
            raise ParameterError(f"BurstDetector.rule must be one of {DETECTOR_RULES}; got {self.rule!r}")


class NetworkPlan:
    """A complete, validated description of one simulation.

    Parameters
    ----------
    duration : Quantity
        Simulated time of each run.
    seed : int
        Master seed; independent streams for connectivity, initial state and the device RNG
        are spawned from it (``numpy.random.SeedSequence``).
    dt : Quantity
        Integration step, in (0, 0.5 ms].
    monitor_budget_mb : float
        Largest memory the requested monitors may need (estimated before the build, with
        spikes at ``expected_max_rate``); beyond it the build fails with advice.
    expected_max_rate : Quantity
        Firing rate assumed by that estimate.
    """

    def __init__(self, duration: Quantity, seed: int = 0, dt: Quantity = 0.1 * ms, monitor_budget_mb: float = 4096,
                 expected_max_rate: Quantity = 50 * Hz) -> None:
        check_quantity("duration", duration, second, "positive")
        check_dt(dt)
        check_quantity("monitor_budget_mb", monitor_budget_mb, 1, "positive")
        check_quantity("expected_max_rate", expected_max_rate, Hz, "positive")
        self.monitor_budget_mb, self.expected_max_rate = float(monitor_budget_mb), expected_max_rate
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ParameterError(f"seed must be an integer >= 0; got {seed!r}")
        self.duration, self.seed, self.dt = duration, int(seed), dt
        self.populations: dict[str, Population | PoissonPool] = {}
        self.projections: dict[str, Projection] = {}
        self.backgrounds: list[IdentityPoisson] = []
        self.noises: list[OUNoise] = []
        self.currents: list[CurrentInjection] = []
        self.spike_recordings: list[SpikeRecording] = []
        self.state_recordings: list[StateRecording] = []
        self.detectors: list[BurstDetector] = []
        self.weight_recordings: list[WeightRecording] = []
        self.mean_weight_recordings: list[MeanWeightRecording] = []
        self.event_rate_recordings: list[EventRateRecording] = []
        self.plasticity_schedules: dict[str, PlasticitySchedule] = {}
        self.weight_gains: dict[str, WeightGain] = {}
        self.teaching_currents: dict[str, TeachingCurrent] = {}

    # -- adding parts --------------------------------------------------------------------------
    def add_population(self, population: Population | PoissonPool | SpikeTrainSource) -> None:
        if not isinstance(population, (Population, PoissonPool, SpikeTrainSource)):
            raise ParameterError(f"expected a Population, PoissonPool or SpikeTrainSource; "
                                 f"got {type(population).__name__}")
        if population.name in self.populations or population.name in self.projections:
            raise ParameterError(f"duplicate name {population.name!r}: population names must be unique")
        if isinstance(population, SpikeTrainSource) and len(population.times):
            steps = np.round(np.asarray(population.times / self.dt)).astype(np.int64)
            keys = steps * population.n_sources + np.asarray(population.indices, dtype=np.int64)
            if len(np.unique(keys)) != len(keys):
                raise ParameterError(f"SpikeTrainSource {population.name!r}: a source spikes more than once within "
                                     f"one time step (dt = {self.dt}); merge or shift those spikes")
        self.populations[population.name] = population

    def _population(self, name: str, role: str) -> Population | PoissonPool:
        if name not in self.populations:
            raise ParameterError(f"{role}: unknown population {name!r}; known: {sorted(self.populations)}")
        return self.populations[name]

    def _check_compartment(self, role: str, population: Population | PoissonPool, compartment: str) -> None:
        if compartment not in population.compartments:
            raise ParameterError(f"{role}: population {population.name!r} ({population.cell_type}) has no "
                                 f"compartment {compartment!r}; it has {list(population.compartments)}")

    def _check_units(self, role: str, population, units) -> None:
        if units is not None and max(units, default=-1) >= population.n_units:
            raise ParameterError(f"{role}: unit index out of range for {population.name!r} "
                                 f"({population.n_units} units); got {list(units)}")

    def add_projection(self, projection: Projection) -> None:
        if not isinstance(projection, Projection):
            raise ParameterError(f"expected a Projection; got {type(projection).__name__}")
        role = f"Projection {projection.name!r}"
        if projection.name in self.projections or projection.name in self.populations:
            raise ParameterError(f"duplicate name {projection.name!r}: projection names must be unique")
        source = self._population(projection.source, f"{role} source")
        target = self._population(projection.target, f"{role} target")
        if target.cell_type == "poisson" or (target.cell_type == "generator" and projection.compartment is not None):
            raise ParameterError(f"{role}: target {target.name!r} is an input source and takes no input (a plastic "
                                 "projection with compartment=None may learn from spike trains)")
        if projection.compartment is None and target.cell_type != "generator":
            raise ParameterError(f"{role}: compartment=None is only for plastic projections onto spike trains; "
                                 f"{target.name!r} has compartments {list(target.compartments)}")
        if projection.compartment is not None:
            self._check_compartment(role, target, projection.compartment)
        if projection.transmit != "spikes" and source.cell_type != "pyramidal":
            raise ParameterError(f"{role}: transmit={projection.transmit!r} needs a pyramidal source "
                                 f"(its event/burst detector); {source.name!r} is {source.cell_type}")
        self._check_units(f"{role} source_units", source, projection.source_units)
        self._check_units(f"{role} target_units", target, projection.target_units)
        if projection.unit_mapping == "same" and 1 not in (source.n_units, target.n_units):
            n_src = len(projection.source_units or range(source.n_units))
            n_tgt = len(projection.target_units or range(target.n_units))
            if n_src != n_tgt:
                raise ParameterError(f"{role}: unit_mapping 'same' pairs source and target units one by one, "
                                     f"but they have {n_src} and {n_tgt} units")
        if projection.rule == "in_degree":
            available = source.n_per_unit if projection.unit_mapping == "same" else source.n_neurons
            if projection.in_degree > available:
                raise ParameterError(f"{role}: in_degree {projection.in_degree} exceeds the {available} "
                                     "available sources")
        if projection.rule == "one_to_one" and source.n_per_unit != target.n_per_unit:
            raise ParameterError(f"{role}: rule 'one_to_one' needs equal unit sizes; got {source.n_per_unit} "
                                 f"and {target.n_per_unit}")
        self.projections[projection.name] = projection

    def _plastic_projection(self, name: str, role: str) -> Projection:
        if name not in self.projections:
            raise ParameterError(f"{role}: unknown projection {name!r}; known: {sorted(self.projections)}")
        projection = self.projections[name]
        if not projection.plastic:
            raise ParameterError(f"{role}: projection {name!r} is not plastic (give it plasticity=...)")
        return projection

    def schedule_plasticity(self, projection: str, windows=None) -> None:
        """Let ``projection`` learn only within ``windows`` (a sequence of (t_start, t_stop));
        ``None``: throughout (the default). A run can replace the windows without a rebuild.

        Examples
        --------
        >>> from brian2 import second
        >>> plan.schedule_plasticity("ff", [(20 * second, 170 * second)])  # doctest: +SKIP
        """
        self._plastic_projection(projection, "schedule_plasticity")
        self.plasticity_schedules[projection] = PlasticitySchedule(projection,
                                                                    check_plasticity_windows(projection, windows))

    def plasticity_schedule_of(self, projection: str) -> PlasticitySchedule:
        return self.plasticity_schedules.get(projection, PlasticitySchedule(projection))

    def modulate_weight(self, projection: str, steps) -> None:
        """Scale the weights ``projection`` transmits by a piecewise-constant factor: ``steps``
        of (t_start, factor), 1 before the first (e.g. the dendritic input strength of the
        plasticity population test, d0 -> 1.5 d0 -> ...). A run can replace the steps without a
        rebuild. Not for plastic projections (their weights are their own).

        Examples
        --------
        >>> from brian2 import second
        >>> plan.modulate_weight("dend_input", [(45 * second, 1.5), (70 * second, 1.0)])  # doctest: +SKIP
        """
        if projection not in self.projections:
            raise ParameterError(f"modulate_weight: unknown projection {projection!r}; known: {sorted(self.projections)}")
        if self.projections[projection].plastic:
            raise ParameterError(f"modulate_weight: {projection!r} is plastic; its weights are learned")
        self.weight_gains[projection] = WeightGain(projection, check_weight_steps(projection, steps))

    def add_teaching_current(self, projection: str, windows, amplitude: Quantity = 1000 * pA,
                             tolerance: Quantity = 1 * Hz) -> None:
        """Teach the target of a plastic ``projection`` through its dendrites: in each window
        ``(t_start, t_stop, target)`` a current set, per neuron, from the neuron's own moving-average
        event rate at the window's start (:class:`TeachingCurrent`; a closed loop inside the
        simulation). The projection's rule must have ``e_max``.

        Examples
        --------
        >>> from brian2 import second
        >>> plan.add_teaching_current("hidden1_to_output", [(7.2 * second, 8 * second, 1)])  # doctest: +SKIP
        """
        proj = self._plastic_projection(projection, "add_teaching_current")
        target = self.populations[proj.target]
        if target.cell_type != "pyramidal":
            raise ParameterError(f"add_teaching_current: the target of {projection!r} ({target.name!r}) must be a "
                                 f"pyramidal population (it is taught through its dendrites); it is {target.cell_type}")
        if proj.plasticity.e_max is None:
            raise ParameterError(f"add_teaching_current: the rule of {projection!r} has no e_max; the teaching "
                                 "current is defined between e_min and e_max")
        check_quantity("amplitude", amplitude, amp, "positive", owner="add_teaching_current")
        check_quantity("tolerance", tolerance, Hz, "nonnegative", owner="add_teaching_current")
        if not 2 * tolerance < proj.plasticity.e_max - proj.plasticity.e_min:
            raise ParameterError(f"add_teaching_current: tolerance ({tolerance}) must be less than half of "
                                 f"e_max - e_min ({proj.plasticity.e_max - proj.plasticity.e_min})")
        if any(self.projections[p].target == proj.target for p in self.teaching_currents):
            raise ParameterError(f"add_teaching_current: {proj.target!r} already has a teaching current")
        self.teaching_currents[projection] = TeachingCurrent(projection, check_teaching_windows(projection, windows),
                                                             amplitude, tolerance)

    def teaching_of(self, population: str) -> TeachingCurrent | None:
        """The teaching current into ``population``'s dendrites, if any."""
        return next((t for p, t in self.teaching_currents.items() if self.projections[p].target == population), None)

    def record_weights(self, projection: str, n_sample: int | None = None) -> None:
        """Read the weights of a plastic projection after each run (all, or ``n_sample`` of them)."""
        self._plastic_projection(projection, "record_weights")
        if n_sample is not None:
            _check_count("record_weights: n_sample", n_sample)
        if any(r.projection == projection for r in self.weight_recordings):
            raise ParameterError(f"record_weights: {projection!r} is already recorded")
        self.weight_recordings.append(WeightRecording(projection, n_sample))

    def _check_recording_dt(self, role: str, dt: Quantity) -> None:
        check_quantity("dt", dt, second, "positive", owner=role)
        ratio = float(dt / self.dt)
        if abs(ratio - round(ratio)) > 1e-6 or round(ratio) < 1:
            raise ParameterError(f"{role}: dt must be a whole multiple of the plan's dt ({self.dt}); got {dt}")

    def record_event_rates(self, projection: str, dt: Quantity) -> None:
        """Record the unit-mean moving-average event rate (Hz) of a plastic projection's target
        every ``dt`` (a multiple of the plan's dt), summed online: ``result.event_rates``.

        Examples
        --------
        >>> from brian2 import second
        >>> plan.record_event_rates("hidden1_to_output", 0.4 * second)  # doctest: +SKIP
        """
        proj = self._plastic_projection(projection, "record_event_rates")
        if self.populations[proj.target].cell_type == "generator":
            raise ParameterError(f"record_event_rates: the target of {projection!r} is a spike-train source")
        self._check_recording_dt("record_event_rates", dt)
        if any(r.projection == projection for r in self.event_rate_recordings):
            raise ParameterError(f"record_event_rates: {projection!r} is already recorded")
        self.event_rate_recordings.append(EventRateRecording(projection, dt))

    def record_mean_weights(self, projection: str, dt: Quantity) -> None:
        """Record the mean weight per (source unit, target unit) pair of a plastic projection
        every ``dt`` (a multiple of the plan's dt), summed online."""
        proj = self._plastic_projection(projection, "record_mean_weights")
        if self.populations[proj.target].cell_type == "generator":
            raise ParameterError(f"record_mean_weights: the target of {projection!r} is a spike-train source; "
                                 "read its weights with record_weights")
        self._check_recording_dt("record_mean_weights", dt)
        if any(r.projection == projection for r in self.mean_weight_recordings):
            raise ParameterError(f"record_mean_weights: {projection!r} is already recorded")
        self.mean_weight_recordings.append(MeanWeightRecording(projection, dt))

    def add_background(self, background: IdentityPoisson) -> None:
        target = self._population(background.target, "IdentityPoisson")
        self._check_compartment("IdentityPoisson", target, background.compartment)
        others = {b.arrivals for b in self.backgrounds if b.target == background.target}
        if others and others != {background.arrivals}:
            raise ParameterError(f"IdentityPoisson onto {background.target!r}: arrivals={background.arrivals!r}, but "
                                 f"its other backgrounds use {sorted(others)}; one group's backgrounds share one "
                                 "arrival process, so they must all use the same arrivals")
        if background.arrivals == "per_step" and not float(background.rate * self.dt) < 1:
            raise ParameterError(f"IdentityPoisson onto {background.target!r}: with arrivals='per_step' the "
                                 f"probability rate*dt per step must be < 1; got {float(background.rate * self.dt):.3g} "
                                 f"(rate {background.rate}, dt {self.dt})")
        self.backgrounds.append(background)

    def add_noise(self, noise: OUNoise) -> None:
        target = self._population(noise.target, "OUNoise")
        self._check_compartment("OUNoise", target, noise.compartment)
        if any(n.target == noise.target and n.compartment == noise.compartment for n in self.noises):
            raise ParameterError(f"OUNoise: {noise.target!r} {noise.compartment} already has OU noise")
        self.noises.append(noise)

    def add_current(self, current: CurrentInjection) -> None:
        target = self._population(current.target, "CurrentInjection")
        self._check_compartment("CurrentInjection", target, current.compartment)
        if any(c.target == current.target and c.compartment == current.compartment for c in self.currents):
            raise ParameterError(f"CurrentInjection: {current.target!r} {current.compartment} already has a "
                                 "current (combine waveforms with +)")
        for unit in range(target.n_units):
            wave = current.waveform_of_unit(unit, target.n_units)
            if wave is not None and not isinstance(wave, Waveform):
                raise ParameterError(f"CurrentInjection onto {current.target!r}: waveform of unit {unit} must be "
                                     f"a Waveform; got {wave!r}")
        self.currents.append(current)

    def record_spikes(self, population: str, sample_per_unit: int | None = None) -> None:
        target = self._population(population, "record_spikes")
        if sample_per_unit is not None:
            _check_count("record_spikes: sample_per_unit", sample_per_unit)
            sample_per_unit = min(sample_per_unit, target.n_per_unit)
        self.spike_recordings.append(SpikeRecording(population, sample_per_unit))

    def record_states(self, population: str, variables: Sequence[str], neurons: Sequence[int],
                      dt: Quantity | None = None) -> None:
        target = self._population(population, "record_states")
        neurons = tuple(int(n) for n in neurons)
        if not neurons or min(neurons) < 0 or max(neurons) >= target.n_neurons:
            raise ParameterError(f"record_states: neuron indices must lie in [0, {target.n_neurons}) for "
                                 f"{population!r}; got {list(neurons)[:5]}...")
        if dt is not None:
            check_quantity("dt", dt, second, "positive", owner="record_states")
        self.state_recordings.append(StateRecording(population, tuple(variables), neurons, dt))

    def detect_bursts(self, population: str, bin_width: Quantity = 10 * ms, burst_isi: Quantity = 16 * ms,
                      rule: str = "trace") -> None:
        target = self._population(population, "detect_bursts")
        if target.cell_type != "pyramidal":
            raise ParameterError(f"detect_bursts: {population!r} is {target.cell_type}; the detector is pyramidal")
        if any(d.population == population for d in self.detectors):
            raise ParameterError(f"detect_bursts: {population!r} already has a detector")
        self.detectors.append(BurstDetector(population, bin_width, burst_isi, rule))

    # -- derived facts ---------------------------------------------------------------------------
    def needs_detector(self, population: str) -> bool:
        """Whether the population needs the online event/burst detector."""
        return any(d.population == population for d in self.detectors) or any(
            p.source == population and p.transmit != "spikes" for p in self.projections.values())

    def burst_isi_of(self, population: str) -> Quantity:
        for d in self.detectors:
            if d.population == population:
                return d.burst_isi
        return 16 * ms

    def detector_rule_of(self, population: str) -> str:
        """The event/burst rule of the population's detector (``"trace"`` without one)."""
        for d in self.detectors:
            if d.population == population:
                return d.rule
        return "trace"

    def monitor_memory_mb(self) -> dict[str, float]:
        """Estimated memory of each requested monitor (MB): spikes as (8-byte time, 4-byte index)
        at ``expected_max_rate``; states as 8 bytes per variable, neuron and sample."""
        duration = float(self.duration)
        out = {}
        for rec in self.spike_recordings:
            pop = self.populations[rec.population]
            n = pop.n_neurons if rec.sample_per_unit is None else rec.sample_per_unit * pop.n_units
            out[f"spikes of {rec.population!r}"] = n * float(self.expected_max_rate) * duration * 12 / 2**20
        for rec in self.state_recordings:
            samples = duration / float(rec.dt if rec.dt is not None else self.dt) + 1
            out[f"states {list(rec.variables)} of {rec.population!r}"] = (
                len(rec.neurons) * len(rec.variables) * samples * 8 / 2**20)
        for det in self.detectors:
            pop = self.populations[det.population]
            out[f"burst detector of {det.population!r}"] = pop.n_units * 2 * (duration / float(det.bin_width) + 1) * 8 / 2**20
        for rec in self.mean_weight_recordings:
            proj = self.projections[rec.projection]
            pairs = self.populations[proj.source].n_units * self.populations[proj.target].n_units
            out[f"mean weights of {rec.projection!r}"] = pairs * (duration / float(rec.dt) + 1) * 8 / 2**20
        return out

    def check_monitor_budget(self) -> None:
        """Raise before any build if the monitors would exceed :attr:`monitor_budget_mb`."""
        needs = self.monitor_memory_mb()
        total = sum(needs.values())
        if total > self.monitor_budget_mb:
            worst = ", ".join(f"{k}: {v:.0f} MB" for k, v in sorted(needs.items(), key=lambda kv: -kv[1])[:3])
            raise ParameterError(
                f"the requested monitors need about {total:.0f} MB ({worst}), more than monitor_budget_mb = "
                f"{self.monitor_budget_mb:.0f} MB; record a sample (record_spikes(..., sample_per_unit=...)), use the "
                "online burst detector (detect_bursts), record fewer states or a coarser dt, or raise "
                "NetworkPlan(monitor_budget_mb=...)")

    def seeds(self) -> dict[str, int]:
        """Independent seeds derived from the master seed."""
        children = np.random.SeedSequence(self.seed).spawn(3)
        return {name: int(child.generate_state(1)[0]) for name, child in
                zip(("connectivity", "initial_state", "device"), children)}

    def to_dict(self) -> dict:
        """JSON-friendly description (for provenance)."""
        def describe(obj):
            out = {}
            for f in dataclasses.fields(obj):
                value = getattr(obj, f.name)
                if hasattr(value, "to_dict"):
                    value = value.to_dict()
                elif isinstance(value, Quantity):
                    value = {"value": float(np.asarray(value)), "unit": str(value.dim) or "1"}
                elif isinstance(value, Waveform) or (isinstance(value, (list, tuple)) and value and
                                                     isinstance(value[0], Waveform)):
                    value = repr(value)
                out[f.name] = value
            return out

        return {"duration_s": float(self.duration), "dt_s": float(self.dt), "seed": self.seed,
                "populations": {k: describe(v) for k, v in self.populations.items()},
                "projections": {k: describe(v) for k, v in self.projections.items()},
                "backgrounds": [describe(b) for b in self.backgrounds],
                "noises": [describe(n) for n in self.noises],
                "currents": [describe(c) for c in self.currents],
                "detectors": [describe(d) for d in self.detectors],
                "plasticity_schedules": {k: [[float(a), float(b)] for a, b in v.windows] if v.windows else None
                                         for k, v in self.plasticity_schedules.items()},
                "weight_gains": {k: [[float(a), b] for a, b in v.steps] for k, v in self.weight_gains.items()},
                "teaching_currents": {k: {"windows_s": [[float(a), float(b), g] for a, b, g in v.windows],
                                          "amplitude_pA": float(v.amplitude / pA), "tolerance_hz": float(v.tolerance)}
                                      for k, v in self.teaching_currents.items()}}
