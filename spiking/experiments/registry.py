"""Named experiments for parameter studies: a network plan plus its run-time *knobs*.

An experiment is a function of structural arguments (sizes, durations, seed) that returns an
:class:`Experiment`: the :class:`~spiking.plan.NetworkPlan` and named run-time parameters
(:class:`Knob`) in the units a scientist uses (weights in leak units, currents in pA). A knob
sets one or more of the plan's run-time values, written as

- ``"population.parameter"`` (a neuron parameter, e.g. ``"pyr.g_d"``),
- ``"projection.weight"`` / ``"projection.U"`` / ``tau_D`` / ``tau_F`` / ``f`` (a projection),
- ``"population.compartment"`` (a declared injected current, e.g. ``"pyr.dendrite"``),

and these raw keys can be swept directly too. Knobs and raw keys never change the compiled
code, so the points of a sweep that differ only in them share one build (see
:mod:`spiking.sweep`); structural arguments and the seed make a new build.

Examples
--------
>>> exp = ensemble(n_pyramids=40, n_pv=10, n_sst=10, duration_ms=100, seed=1)
>>> sorted(exp.knobs)
['i_dendrite', 'i_soma', 'w_pv_pyr', 'w_sst_pyr']
>>> exp.knobs["i_dendrite"].values(100.0)
{'pyr.dendrite': 100. * pamp}
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np
from brian2 import Hz, ms, pA

from spiking.experiments.circuits import add_identity_backgrounds, add_sparse_background, leak_units
from spiking.experiments.xor import FEEDBACK_WEIGHTS, POPULATIONS as XOR_POPULATIONS, XorProtocol, xor_plan
from models.interneurons import PV_PAYEUR, SST_PAYEUR
from models.pyramidal import BurstPoissonParameters, PyramidalParameters
from models.synapses import STD_PAYEUR, STF_PAYEUR
from spiking.errors import ParameterError
from spiking.plan import CurrentInjection, NetworkPlan, Population, Projection
from spiking.stimuli import Constant

__all__ = ["Knob", "Experiment", "EXPERIMENTS", "get_experiment", "ensemble", "sst_dendritic_transfer", "xor"]


@dataclasses.dataclass(frozen=True)
class Knob:
    """A named run-time parameter of an experiment.

    Attributes
    ----------
    unit : str
        Unit of the values given to the knob (``"pA"``, ``"nS"``, ``"1"`` for plain numbers).
    description : str
        What the knob means.
    to_values : callable
        ``value (float, in unit) -> {raw key: Brian quantity or number}``.
    """

    unit: str
    description: str
    to_values: Callable[[float], dict[str, Any]]

    def values(self, value: float) -> dict[str, Any]:
        """Raw run-time values set by ``value`` (a float in :attr:`unit`)."""
        return self.to_values(float(value))


@dataclasses.dataclass
class Experiment:
    """A network plan with its named run-time parameters."""

    plan: NetworkPlan
    knobs: dict[str, Knob]
    description: str = ""


def _check_positive_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def _check_positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or not value > 0:
        raise ParameterError(f"{name} must be a number > 0; got {value!r}")
    return float(value)


def ensemble(n_pyramids: int = 1600, n_pv: int = 200, n_sst: int = 200, n_units: int = 1,
             duration_ms: float = 1000.0, seed: int = 0) -> Experiment:
    """Units of two-compartment pyramids with soma-targeting PV and dendrite-targeting SST cells
    (Payeur Fig-3 weights and background, docs/model.md).

    Each unit: identity 500 Hz backgrounds; pyr -> PV (STD) and pyr -> SST (STF) onto the soma,
    PV -> pyramid somata and SST -> pyramid dendrites; fixed in-degrees of 5 % of the reference
    populations (4000 pyramids, 1000 interneurons), so every cell gets the same input whatever
    the size. Records all pyramid spikes and runs the online burst detector (10 ms bins).

    Parameters
    ----------
    n_pyramids, n_pv, n_sst : int
        Cells per unit.
    n_units : int
        Number of units (independent ensembles with their own interneurons).
    duration_ms : float
        Simulated time (ms).
    seed : int
        Master seed (connectivity, initial state, device random numbers).

    Returns
    -------
    Experiment
        Knobs ``i_soma`` and ``i_dendrite`` (pA, into every pyramid), ``w_pv_pyr`` and
        ``w_sst_pyr`` (leak units of the target compartment).

    Examples
    --------
    >>> exp = ensemble(n_pyramids=40, n_pv=10, n_sst=10, duration_ms=100)
    >>> exp.plan.populations["pyr"].n_neurons
    40
    """
    n_pyr, n_pv_, n_sst_ = (_check_positive_int(k, v) for k, v in
                            (("n_pyramids", n_pyramids), ("n_pv", n_pv), ("n_sst", n_sst)))
    units = _check_positive_int("n_units", n_units)
    duration = _check_positive("duration_ms", duration_ms) * ms
    pyr_params, pv_params, sst_params = PyramidalParameters(), PV_PAYEUR, SST_PAYEUR.replace(I_bias=0 * pA)
    plan = NetworkPlan(duration=duration, seed=seed)
    plan.add_population(Population("pyr", pyr_params, n_per_unit=n_pyr, n_units=units))
    plan.add_population(Population("pv", pv_params, n_per_unit=n_pv_, n_units=units))
    plan.add_population(Population("sst", sst_params, n_per_unit=n_sst_, n_units=units))
    add_identity_backgrounds(plan, "pyr", "pv", "sst")
    w_pv_pyr, w_sst_pyr = 0.07, 0.035

    def connect(name, source, target, compartment, receptor, w, params, stp, reference_size, n_source):
        degree = max(1, min(n_source, int(round(0.05 * reference_size))))
        plan.add_projection(Projection(name, source, target, compartment, receptor, "in_degree",
                                       weight=leak_units(w, params, compartment), in_degree=degree, stp=stp))

    std, stf = STD_PAYEUR.replace(u_initial=0.01), STF_PAYEUR.replace(u_initial=0.01)
    connect("pyr_to_pv", "pyr", "pv", "soma", "ampa", 0.05, pv_params, std, 4000, n_pyr)
    connect("pyr_to_sst", "pyr", "sst", "soma", "ampa", 0.3, sst_params, stf, 4000, n_pyr)
    connect("pv_to_pyr", "pv", "pyr", "soma", "gaba", w_pv_pyr, pyr_params, None, 1000, n_pv_)
    connect("sst_to_pyr", "sst", "pyr", "dendrite", "gaba", w_sst_pyr, pyr_params, None, 1000, n_sst_)
    plan.add_current(CurrentInjection("pyr", "soma", Constant(0 * pA)))
    plan.add_current(CurrentInjection("pyr", "dendrite", Constant(0 * pA)))
    plan.record_spikes("pyr")
    plan.detect_bursts("pyr", bin_width=10 * ms)
    knobs = {
        "i_soma": Knob("pA", "current into every pyramid soma", lambda v: {"pyr.soma": v * pA}),
        "i_dendrite": Knob("pA", "current into every pyramid dendrite", lambda v: {"pyr.dendrite": v * pA}),
        "w_pv_pyr": Knob("1", f"PV -> pyramid soma weight in somatic leak units (default {w_pv_pyr})",
                         lambda v: {"pv_to_pyr.weight": leak_units(v, pyr_params, "soma")}),
        "w_sst_pyr": Knob("1", f"SST -> pyramid dendrite weight in dendritic leak units (default {w_sst_pyr})",
                          lambda v: {"sst_to_pyr.weight": leak_units(v, pyr_params, "dendrite")}),
    }
    return Experiment(plan, knobs, "units of pyramids with PV and SST (Payeur Fig-3 weights)")


#: Somatic bias of the SOM cells in the SST study (docs/model.md).
SOM_BIAS_PA = -5.0
#: Reference SOM -> pyramid dendrite weight of the SST study, in dendritic leak units.
REFERENCE_W_SOM_PC = 0.001


def sst_dendritic_transfer(n_pyramids: int = 10000, n_interneurons: int = 1000, pool_size: int = 25000,
                           duration_ms: float = 1500.0, i_soma_pA: float = 560.0, seed: int = 25) -> Experiment:
    """SST (SOM) inhibition and the dendritic transfer function (docs/model.md).

    10000 pyramids, 1000 PV, 1000 SOM by default; sparse Poisson background (pools of
    ``pool_size`` excitatory and inhibitory sources at 5 Hz, 100 per target); pyr -> PV STD
    (p 0.2, w 0.001), pyr -> SOM STF (p 0.2, w 0.04), PV -> SOM all-to-all (0.002), SOM ->
    pyramid dendrites all-to-all (w_SOM->PC). Smaller circuits scale the weights so that every
    cell receives the same total input. The somatic current is ``i_soma_pA``; the dendritic one
    is a knob (declared 0 pA). Records all pyramid and SOM spikes.

    Parameters
    ----------
    n_pyramids, n_interneurons : int
        Pyramids; PV and SOM cells (each).
    pool_size : int
        Sources in each background pool.
    duration_ms : float
        Simulated time of one point (burn-in included).
    i_soma_pA : float
        Somatic current into every pyramid (pA).
    seed : int
        Master seed.

    Returns
    -------
    Experiment
        Knobs: ``w_som_pc`` (dendritic leak units, reference 0.001), ``i_dendrite`` (pA),
        ``som_current`` (pA added to the SOM bias; negative = VIP-like disinhibition),
        ``u_pc_som`` (release probability U of pyr -> SOM), ``g_d`` (pA, dendritic
        excitability).

    Examples
    --------
    >>> exp = sst_dendritic_transfer(n_pyramids=60, n_interneurons=6, pool_size=300, duration_ms=200)
    >>> exp.knobs["w_som_pc"].values(0.0)["sst_to_pyr.weight"]
    0. * siemens
    """
    n_pyr = _check_positive_int("n_pyramids", n_pyramids)
    n_int = _check_positive_int("n_interneurons", n_interneurons)
    pool = _check_positive_int("pool_size", pool_size, 100)
    duration = _check_positive("duration_ms", duration_ms) * ms
    scale_pyr, scale_int = 10000 / n_pyr, 1000 / n_int  # keep every cell's total input
    pyr_params, sst_params = PyramidalParameters(), SST_PAYEUR.replace(I_bias=SOM_BIAS_PA * pA)
    plan = NetworkPlan(duration=duration, seed=seed)
    plan.add_population(Population("pyr", pyr_params, n_per_unit=n_pyr))
    plan.add_population(Population("pv", PV_PAYEUR, n_per_unit=n_int))
    plan.add_population(Population("sst", sst_params, n_per_unit=n_int))
    for target, weights in (("pyr", {"soma": (0.05, 0.05), "dendrite": (0.05, 0.05)}), ("pv", {"soma": (0.12, 0.15)}),
                            ("sst", {"soma": (0.2, 0.3)})):
        add_sparse_background(plan, target, weights, n_exc=pool, n_inh=pool, rate=5 * Hz, in_degree_exc=100,
                              in_degree_inh=100)
    plan.add_projection(Projection("pyr_to_pv", "pyr", "pv", "soma", "ampa", "pairwise",
                                   weight=leak_units(0.001 * scale_pyr, PV_PAYEUR), p=0.2,
                                   stp=STD_PAYEUR.replace(u_initial=0.01)))
    plan.add_projection(Projection("pyr_to_sst", "pyr", "sst", "soma", "ampa", "pairwise",
                                   weight=leak_units(0.04 * scale_pyr, sst_params), p=0.2,
                                   stp=STF_PAYEUR.replace(u_initial=0.01)))
    plan.add_projection(Projection("pv_to_sst", "pv", "sst", "soma", "gaba", "all_to_all",
                                   weight=leak_units(0.002 * scale_int, sst_params)))
    plan.add_projection(Projection("sst_to_pyr", "sst", "pyr", "dendrite", "gaba", "all_to_all",
                                   weight=leak_units(REFERENCE_W_SOM_PC * scale_int, pyr_params, "dendrite")))
    plan.add_current(CurrentInjection("pyr", "soma", Constant(float(i_soma_pA) * pA)))
    plan.add_current(CurrentInjection("pyr", "dendrite", Constant(0 * pA)))
    plan.add_current(CurrentInjection("sst", "soma", Constant(0 * pA)))
    plan.record_spikes("pyr")
    plan.record_spikes("sst")
    knobs = {
        "w_som_pc": Knob("1", f"SOM -> pyramid dendrite weight, dendritic leak units of the full-size circuit "
                              f"(reference {REFERENCE_W_SOM_PC})",
                         lambda v: {"sst_to_pyr.weight": leak_units(v * scale_int, pyr_params, "dendrite")}),
        "i_dendrite": Knob("pA", "current into every pyramid dendrite", lambda v: {"pyr.dendrite": v * pA}),
        "som_current": Knob("pA", "current added to every SOM cell (negative: VIP-like disinhibition)",
                            lambda v: {"sst.soma": v * pA}),
        "u_pc_som": Knob("1", "release probability U of pyr -> SOM (reference 0.02; also its facilitation "
                              "increment, f = U, as the reference executes it)",
                         lambda v: {"pyr_to_sst.U": v, "pyr_to_sst.f": v}),
        "g_d": Knob("pA", "dendritic excitability g_d of the pyramids (reference 1200 pA)",
                    lambda v: {"pyr.g_d": v * pA}),
    }
    return Experiment(plan, knobs, "SOM inhibition and the dendritic transfer function")


def xor(n_per_population: int = 500, n_epochs: int = 1, example_duration_ms: float = 8000.0,
        teaching_duration_ms: float = 800.0, tau_avg_ms: float = 2000.0, seed: int = 1) -> Experiment:
    """The XOR network of Payeur et al. (2021, Fig. 4; :mod:`spiking.experiments.xor`) with its
    whole timeline in one run: the burn-in, a test pass, ``n_epochs`` training epochs with
    teaching and learning, a test pass. Every population's spikes are recorded, so a sweep
    decodes their event rate, burst rate and burst probability per window.

    For parameter studies of the learning itself on short protocols (a few epochs: the whole
    timeline is one run, with the input and gate arrays of every step); the full 500-epoch
    protocol runs segment by segment with :func:`spiking.experiments.xor_run.run_xor`
    (``figures/payeur2021_fig4_xor.py``).

    Parameters
    ----------
    n_per_population : int
        Neurons per population (reference 500).
    n_epochs : int
        Training epochs of the four cases.
    example_duration_ms, teaching_duration_ms, tau_avg_ms : float
        Duration of an example (reference 8000 ms), of its teaching window (800 ms) and the
        moving averages' time constant (2000 ms; the burn-in is 3 tau_avg).
    seed : int
        Master seed.

    Returns
    -------
    Experiment
        Knobs ``w_fb_hidden1_exc``, ``w_fb_hidden1_inh``, ``w_fb_hidden2_exc``,
        ``w_fb_hidden2_inh`` (the burst-transmitting feedback from the output onto the hidden
        dendrites, dendritic leak units); ``feedback_sign`` (+1: the reference's signs, net
        excitation onto hidden 1; -1: the two hidden populations' feedback exchanged);
        ``i_dendrite_output`` and ``i_dendrite_hidden2`` (pA, the constant dendritic currents,
        reference 400 and 500 pA).

    Examples
    --------
    >>> exp = xor(n_per_population=20, n_epochs=1, example_duration_ms=400, teaching_duration_ms=100,
    ...           tau_avg_ms=100)
    >>> sorted(exp.plan.populations)
    ['hidden1', 'hidden2', 'input1', 'input2', 'output']
    >>> sorted(exp.knobs["feedback_sign"].values(-1))[:2]
    ['output_to_hidden1_ampa.weight', 'output_to_hidden1_gaba.weight']
    """
    protocol = XorProtocol(n_per_population=_check_positive_int("n_per_population", n_per_population),
                           n_epochs=_check_positive_int("n_epochs", n_epochs),
                           example_duration=_check_positive("example_duration_ms", example_duration_ms) * ms,
                           teaching_duration=_check_positive("teaching_duration_ms", teaching_duration_ms) * ms,
                           tau_avg=_check_positive("tau_avg_ms", tau_avg_ms) * ms)
    plan = xor_plan(protocol, seed=seed)
    for name in XOR_POPULATIONS:
        plan.record_spikes(name)
    params = BurstPoissonParameters()

    def feedback_weight(target: str, receptor: str):
        def to_values(value: float) -> dict:
            if value < 0:
                raise ParameterError(f"knob w_fb_{target}_{'exc' if receptor == 'ampa' else 'inh'}: a weight must be "
                                     f">= 0 (leak units); got {value}")
            return {f"output_to_{target}_{receptor}.weight": leak_units(value, params, "dendrite")}
        return to_values

    def feedback_sign(value: float) -> dict:
        if value not in (1.0, -1.0):
            raise ParameterError(f"knob feedback_sign must be +1 (the reference's signs) or -1 (exchanged); got {value}")
        targets = ("hidden1", "hidden2") if value > 0 else ("hidden2", "hidden1")
        values = {}
        for target, source in zip(("hidden1", "hidden2"), targets):
            for receptor, weight in zip(("ampa", "gaba"), FEEDBACK_WEIGHTS[source]):
                values[f"output_to_{target}_{receptor}.weight"] = leak_units(weight, params, "dendrite")
        return values

    knobs = {}
    for target, (w_exc, w_inh) in FEEDBACK_WEIGHTS.items():
        for receptor, label, weight in (("ampa", "exc", w_exc), ("gaba", "inh", w_inh)):
            knobs[f"w_fb_{target}_{label}"] = Knob(
                "1", f"burst-transmitting {'excitatory' if label == 'exc' else 'inhibitory'} feedback output -> "
                     f"{target} dendrites, dendritic leak units (reference {weight})", feedback_weight(target, receptor))
    knobs["feedback_sign"] = Knob("1", "+1: the reference's feedback (net excitatory onto hidden 1, inhibitory onto "
                                       "hidden 2); -1: exchanged", feedback_sign)
    knobs["i_dendrite_output"] = Knob("pA", "constant current into the output dendrites (reference 400 pA)",
                                      lambda v: {"output.dendrite": v * pA})
    knobs["i_dendrite_hidden2"] = Knob("pA", "constant current into the hidden-2 dendrites (reference 500 pA)",
                                       lambda v: {"hidden2.dendrite": v * pA})
    return Experiment(plan, knobs, "XOR with burst-dependent plasticity (Payeur Fig. 4), whole timeline in one run")


#: Experiments by name, for sweep specs (``experiment: ensemble``).
EXPERIMENTS: dict[str, Callable[..., Experiment]] = {
    "ensemble": ensemble,
    "sst_dendritic_transfer": sst_dendritic_transfer,
    "xor": xor,
}


def get_experiment(name: str) -> Callable[..., Experiment]:
    """The experiment function called ``name``: a key of :data:`EXPERIMENTS` or an importable
    ``"module:function"``.

    Examples
    --------
    >>> get_experiment("ensemble").__name__
    'ensemble'
    """
    if not isinstance(name, str) or not name:
        raise ParameterError(f"experiment must be a name from {sorted(EXPERIMENTS)} or 'module:function'; got {name!r}")
    if name in EXPERIMENTS:
        return EXPERIMENTS[name]
    if ":" not in name:
        raise ParameterError(f"experiment {name!r} is unknown; known: {sorted(EXPERIMENTS)} (or give 'module:function')")
    import importlib

    module_name, _, attr = name.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ParameterError(f"experiment {name!r} cannot be imported: {err}") from err
    if not callable(function):
        raise ParameterError(f"experiment {name!r} is not a function")
    return function

