"""Turn a :class:`~spiking.plan.NetworkPlan` into Brian objects (inside a backend session).

One ``NeuronGroup`` per population (units are index ranges with a ``unit`` variable), one
``Synapses`` per projection with connectivity drawn by numpy from the plan's seed (so every
backend gets the same synapses), and a few helper groups:

- an all-to-all projection whose efficacy depends only on the presynaptic neuron (one
  weight, optional STP) is *exactly* a conductance shared by all targets of a unit: it is
  delivered to a one-element-per-unit summing node that the targets read through a linked
  variable (N_pre synapses instead of N_pre x N_post);
- short-term plasticity depends only on the presynaptic spike train, so a projection from a
  neuron group keeps one STP state per *presynaptic neuron*; the states of all projections
  from one source with the same transmission and delay live in one node group, updated by
  one one-to-one pathway (same event and delay) just before the projections' own pathways,
  and every synapse adds ``w_syn`` times its source neuron's current efficacy (a linked
  variable of the source). The per-synapse recursion of :data:`models.synapses.STP_MODEL`
  would compute identical copies once per synapse and event; it stays for spike-generator
  sources and summing nodes;
- a Poisson pool is a group of sources that each keep their next arrival time; the identity
  Poisson backgrounds of a group are one such arrival process per neuron (superposition of
  the trains, each arrival marked with its train: see :func:`_background_event`);
- an online burst detector counts each unit's events and bursts in a small counter group,
  sampled once per bin (no spikes shipped); the counts are taken at spikes from the
  detector's state, so the custom events ``event``/``burst`` exist only where a projection
  transmits them;
- synapses are created in source-major order (see :mod:`spiking.connectivity`);
- injected currents of groups with few units are per-unit 1-D TimedArrays gated by the unit
  index (see :data:`MASKED_CURRENT_MAX_UNITS`), which keeps the neuron loop vectorisable.

Numeric parameters of groups and synapses are ``(shared, constant)`` variables: a standalone
binary takes new values through ``run_args`` without recompiling (see
:meth:`BuiltNetwork.parameter_views`).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import numpy as np
from brian2 import (Equations, Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Hz, Synapses, TimedArray, amp, linked_var, mV, second, seed as brian_seed)

from models.interneurons import make_adex_group
from models.pyramidal import detector_conditions, make_pyramidal_group, steady_state
from models.synapses import STP_MODEL, on_pre_code, presynaptic_stp_model, presynaptic_stp_update_code
from spiking import connectivity
from spiking.backend import forget_build_values
from spiking.codegen import use_branch_free_thresholds, use_sparse_thresholds
from spiking.errors import ParameterError
from spiking.plan import NetworkPlan, PoissonPool, Population, Projection, SpikeTrainSource
from spiking.plastic_build import TEACHING_VARIABLE, accumulator_equations, make_plastic_parts, make_plastic_synapses
from spiking.stimuli import sample_matrix

__all__ = ["BuiltNetwork", "build_network", "unit_blocks", "stimulus_run_values", "weight_gain_name"]


def weight_gain_name(projection: str) -> str:
    """Name of the TimedArray of a projection's weight gain (:meth:`NetworkPlan.modulate_weight`)."""
    return f"weight_gain_{projection}"

_OU_TEMPLATE = "dI/dt = (mu - I)/tau + sigma*sqrt(2/tau)*noise : amp"


@dataclasses.dataclass
class BuiltNetwork:
    """The Brian objects of a plan and what is needed to run and read them."""

    plan: NetworkPlan
    network: Network
    groups: dict
    synapses: dict
    stimuli: dict                 # (population, compartment) -> TimedArrays (see stimulus_run_values)
    spike_monitors: dict          # population -> list of (SpikeMonitor, neuron offset)
    state_monitors: list          # (StateRecording, StateMonitor)
    counter_monitors: dict        # population -> (counter group, StateMonitor)
    namespace: dict
    n_synapses: dict
    stp_holders: dict = dataclasses.field(default_factory=dict)  # projection -> source group holding its STP
    plastic: dict = dataclasses.field(default_factory=dict)  # projection -> PlasticParts
    weight_gains: dict = dataclasses.field(default_factory=dict)  # projection -> gain TimedArray
    connections: dict = dataclasses.field(default_factory=dict)  # plastic projection -> (i, j) of its synapses

    def parameter_views(self, overrides: dict[str, Any]) -> dict:
        """Map ``{"pop.param": value, "projection.weight": value, "projection.U": value, ...}``
        to ``{brian variable view: value}`` (for setting or for standalone ``run_args``)."""
        views = {}
        stp_names = {"U": "U_stp", "tau_D": "tau_D_stp", "tau_F": "tau_F_stp", "f": "f_stp"}
        for key, value in overrides.items():
            owner, _, name = key.partition(".")
            if owner in self.groups and owner in self.plan.populations:
                group = self.groups[owner]
                population = self.plan.populations[owner]
                params = getattr(population, "params", None)
                if params is None or name not in params.numeric_fields() or name not in group.variables:
                    raise ParameterError(f"override {key!r}: {owner!r} has no run-time parameter {name!r}")
                params.replace(**{name: value})  # validates dimension and range
                views[getattr(group, name)] = value
            elif owner in self.synapses and owner in self.plastic:
                holders = {"eta": (self.synapses[owner], "eta"), "w_max": (self.synapses[owner], "w_max"),
                           "tau_pre": (self.plastic[owner].pre_node, "tau_event_trace")}
                if name not in holders:
                    raise ParameterError(f"override {key!r}: plastic projection {owner!r} has the run-time parameters "
                                         f"{sorted(holders)} (the others change the generated code)")
                self.plan.projections[owner].plasticity.replace(**{name: value})  # validates dimension and range
                holder, var = holders[name]
                views[getattr(holder, var)] = value
            elif owner in self.synapses:
                syn = self.synapses[owner]
                has_stp = self.plan.projections[owner].stp is not None
                if name in stp_names and owner in self.stp_holders:
                    holder, var = self.stp_holders[owner], f"{stp_names[name]}_{owner}"
                else:
                    holder, var = syn, {"weight": "w_syn"}.get(name) or stp_names.get(name)
                if var is None or var not in holder.variables:
                    raise ParameterError(f"override {key!r}: projection {owner!r} has no run-time parameter "
                                         f"{name!r} (allowed: weight{', U, tau_D, tau_F, f' if has_stp else ''})")
                views[getattr(holder, var)] = value
            else:
                raise ParameterError(f"override {key!r}: unknown population or projection {owner!r}")
        return views


def unit_blocks(projection: Projection, source, target) -> list[tuple[np.ndarray, np.ndarray]]:
    """Pairs of (source neuron indices, target neuron indices) that the projection connects
    block by block, following its unit mapping and unit selections."""
    src_units = list(projection.source_units) if projection.source_units is not None else list(range(source.n_units))
    tgt_units = list(projection.target_units) if projection.target_units is not None else list(range(target.n_units))

    def neurons(pop, units):
        return np.concatenate([np.arange(u * pop.n_per_unit, (u + 1) * pop.n_per_unit) for u in units])

    if projection.unit_mapping == "all":
        return [(neurons(source, src_units), neurons(target, tgt_units))]
    if len(src_units) == len(tgt_units):
        pairs = list(zip(src_units, tgt_units))
    elif source.n_units == 1:
        pairs = [(src_units[0], t) for t in tgt_units]
    else:
        pairs = [(s, tgt_units[0]) for s in src_units]
    return [(neurons(source, [s]), neurons(target, [t])) for s, t in pairs]


def _connect(projection: Projection, source, target, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    recurrent = projection.source == projection.target and not projection.autapses
    all_i, all_j = [], []
    for src, tgt in unit_blocks(projection, source, target):
        same_block = recurrent and np.array_equal(src, tgt)
        if projection.rule == "pairwise":
            i, j = connectivity.pairwise_bernoulli(len(src), len(tgt), projection.p, rng, exclude_self=same_block)
        elif projection.rule == "in_degree":
            i, j = connectivity.fixed_in_degree(len(src), len(tgt), projection.in_degree, rng, exclude_self=same_block)
        elif projection.rule == "one_to_one":
            i, j = connectivity.one_to_one(len(src))
            if same_block:
                raise ParameterError(f"Projection {projection.name!r}: one_to_one onto itself needs autapses=True")
        else:
            i, j = connectivity.all_to_all(len(src), len(tgt), exclude_self=same_block)
        all_i.append(src[i])
        all_j.append(tgt[j])
    return np.concatenate(all_i), np.concatenate(all_j)


def _presynaptic_stp(projection: Projection, plan: NetworkPlan) -> bool:
    """STP kept per presynaptic neuron (node + linked efficacy): a projection with STP from a
    neuron group (spike generators cannot hold the linked variable) that does not already
    deliver to a summing node (which has one synapse per source neuron anyway)."""
    source = plan.populations[projection.source]
    return projection.stp is not None and not _uses_node(projection) and not isinstance(source, SpikeTrainSource)


def _stp_node_key(projection: Projection) -> tuple:
    """Projections with equal keys share one STP node and one update pathway."""
    return projection.source, projection.transmit, float(projection.delay)


def _uses_node(projection: Projection) -> bool:
    """All-to-all without self-exclusion and without plasticity: the shared-conductance node is
    exact."""
    recurrent_excluded = projection.source == projection.target and not projection.autapses
    return projection.rule == "all_to_all" and not recurrent_excluded and not projection.plastic


#: Units up to which an injected current is a sum of per-unit 1-D TimedArrays gated by the
#: unit index; above, one 2-D TimedArray indexed by unit. The 1-D look-ups depend on t only,
#: so Brian hoists them out of the neuron loop and the loop stays vectorisable (a 2-D look-up
#: is a branchy gather per neuron that keeps GCC from vectorising the whole state update: 22
#: instead of ~7 ns per pyramid and step); the gated sum costs one compare-and-add per unit.
MASKED_CURRENT_MAX_UNITS = 4


def stimulus_run_values(arrays: list, values: np.ndarray) -> dict:
    """``{TimedArray: Quantity}`` that give the TimedArrays of one injected current the sampled
    ``values`` (amp, shape n_steps x n_units): the columns for per-unit arrays, the matrix for
    a single 2-D one."""
    if len(arrays) == 1 and values.shape[1] > 1:
        return {arrays[0]: values * amp}
    return {array: values[:, k] * amp for k, array in enumerate(arrays)}


def _current_expression(plan: NetworkPlan, population: Population, compartment: str, stimuli: dict,
                        namespace: dict) -> tuple[str, Equations | None, dict]:
    """Expression of the injected current of one compartment, and OU equations if any."""
    suffix = "_s" if compartment == "soma" else "_d"
    if population.cell_type == "adex":
        suffix = ""
    parts, eqs, shared = [], None, {}
    for current in plan.currents:
        if current.target == population.name and current.compartment == compartment:
            n_steps = int(round(float(plan.duration / plan.dt))) + 1
            waves = [current.waveform_of_unit(u, population.n_units) for u in range(population.n_units)]
            values = sample_matrix(waves, population.n_units, n_steps, plan.dt, f"{population.name} {compartment}")
            base = f"{population.name}_{compartment}_stim"
            if population.n_units > MASKED_CURRENT_MAX_UNITS:
                arrays = [TimedArray(values * amp, dt=plan.dt, name=base)]
                parts.append(f"{base}(t, unit)")
            else:
                arrays = [TimedArray(values[:, u] * amp, dt=plan.dt, name=f"{base}_unit{u}")
                          for u in range(population.n_units)]
                terms = [f"{a.name}(t)" if population.n_units == 1 else f"{a.name}(t)*int(unit == {u})"
                         for u, a in enumerate(arrays)]
                parts.append("(" + " + ".join(terms) + ")")
            stimuli[(population.name, compartment)] = arrays
            namespace.update({a.name: a for a in arrays})
    for noise in plan.noises:
        if noise.target == population.name and noise.compartment == compartment:
            names = {"I": f"I_ou{suffix}", "mu": f"mu_ou{suffix}", "sigma": f"sigma_ou{suffix}",
                     "tau": f"tau_ou{suffix}", "noise": f"xi_ou{suffix}"}
            eqs = Equations(_OU_TEMPLATE, **names)
            eqs += Equations(f"{names['mu']} : amp (shared, constant)\n{names['sigma']} : amp (shared, constant)\n"
                             f"{names['tau']} : second (shared, constant)")
            shared = {names["mu"]: noise.mean, names["sigma"]: noise.sigma, names["tau"]: noise.tau,
                      "_init": (names["I"], noise.mean, noise.sigma)}
            parts.append(names["I"])
    if compartment == "dendrite" and plan.teaching_of(population.name) is not None:
        # the teaching current, computed in the plastic projection's postsynaptic node
        teaching = Equations(f"{TEACHING_VARIABLE} : amp (linked)")
        eqs = teaching if eqs is None else eqs + teaching
        parts.append(TEACHING_VARIABLE)
    return (" + ".join(parts) if parts else "0*amp"), eqs, shared


def _background_event(backgrounds: list, cell_type: str) -> tuple[Equations, tuple[str, str]]:
    """One custom event per group for all its identity Poisson backgrounds (see
    :class:`~spiking.plan.IdentityPoisson`; all of a group's backgrounds use one ``arrivals``)."""
    if backgrounds[0].arrivals == "per_step":
        return _per_step_background_event(backgrounds, cell_type)
    return _poisson_background_event(backgrounds, cell_type)


def _background_variable(bg, cell_type: str) -> str:
    return f"g_{bg.receptor}_{bg.compartment[0]}" if cell_type == "pyramidal" else f"g_{bg.receptor}"


def _per_step_background_event(backgrounds: list, cell_type: str) -> tuple[Equations, tuple[str, str]]:
    """Per-step (Bernoulli) arrivals of K trains, the reference code's ``PoissonGroup``: in each
    step train k arrives with probability p_k = r_k dt, independently. The steps in which at least
    one train arrives have probability 1 - q, q = prod_k (1 - p_k), independently, so the gap to
    the next such step is geometric: each neuron keeps the time of that step (one threshold test
    per neuron and step). In it, the trains are decided one after another, each conditioned on
    what came before: while none has arrived, train k arrives with probability
    c_k = p_k / (1 - prod_(j >= k) (1 - p_j)) (c_K = 1: one must arrive), afterwards with p_k.
    One uniform number u serves all K decisions (after "u < c", u/c is again uniform and
    independent of the decision, after "u >= c" (u - c)/(1 - c) is), and one more draws the gap:
    two random numbers per arrival step. Branch-free, like the Poisson version."""
    n = len(backgrounds)
    lines = ["u_bg0 = rand()", "none_bg0 = 1.0"]
    for k, bg in enumerate(backgrounds):
        lines.append(f"c_bg{k} = none_bg{k}*conditional_bg{k} + (1 - none_bg{k})*probability_bg{k}")
        lines.append(f"arrive_bg{k} = int(u_bg{k} < c_bg{k})")
        lines.append(f"{_background_variable(bg, cell_type)} += w_bg{k}*arrive_bg{k}")
        if k < n - 1:
            # c_k < 1 except for the last train while none has arrived (not reached here); the
            # 1e-12 keeps the unused branch finite when c is 1
            lines.append(f"u_bg{k + 1} = arrive_bg{k}*u_bg{k}/c_bg{k} + "
                         f"(1 - arrive_bg{k})*(u_bg{k} - c_bg{k})/(1 - c_bg{k} + 1e-12)")
            lines.append(f"none_bg{k + 1} = none_bg{k}*(1 - arrive_bg{k})")
    # gap in steps: 1 + floor(log(U)/log(q)) (geometric on 1, 2, ...); U in (0, 1]
    lines.append("t_next_bg += dt*(1 + floor(log(1 - rand())*inverse_log_q_bg))")
    eqs = Equations("t_next_bg : second\ninverse_log_q_bg : 1 (shared, constant)\n"
                    + "".join(f"w_bg{k} : siemens (shared, constant)\nconditional_bg{k} : 1 (shared, constant)\n"
                              f"probability_bg{k} : 1 (shared, constant)\n" for k in range(n)))
    # t_next_bg is a whole number of steps; half a step of margin against round-off
    return eqs, ("t > t_next_bg - 0.5*dt", "\n".join(lines))


def _poisson_background_event(backgrounds: list, cell_type: str) -> tuple[Equations, tuple[str, str]]:
    """Poisson arrivals of K trains: the K independent Poisson trains of a neuron (rates r_k) are
    one Poisson train of rate R = sum r_k whose arrivals belong to train k with probability
    r_k / R (superposition and marking): each neuron keeps the time of its next arrival; at the
    arrival a uniform number u in [0, R) picks the train (the interval [r_1 + ... + r_(k-1),
    r_1 + ... + r_k) that holds u) and, rescaled inside that interval, is again uniform on
    [0, 1) and independent of the choice, so it also draws the exponential interval to the next
    arrival: one random number per arrival, one threshold test per neuron and step (not K). An
    arrival that falls in the step of the previous one of the same neuron is delivered one step
    later (rates exact)."""
    n = len(backgrounds)
    # above_k = [u >= boundary_k], boundary_k = r_0 + ... + r_(k-1) (k = 1..n-1); train k holds u
    # iff above_k - above_(k+1) = 1 (above_0 = 1, above_n = 0). Written without && so that the
    # compiled code has no data-dependent branches (they cost ~20 % of the per-arrival time).
    # Every shared constant appears in one role only (a bare factor, never also inside a
    # loop-invariant expression): brian2cuda 1.0b1 declares a shared variable twice otherwise.
    lines = ["u_bg = rand()*rate_total_bg"]
    lines += [f"above{k}_bg = int(u_bg >= boundary_bg{k})" for k in range(1, n)]
    above = ["1"] + [f"above{k}_bg" for k in range(1, n)] + ["0"]
    lower, inverse_width = [], []
    for k, bg in enumerate(backgrounds):
        var = _background_variable(bg, cell_type)
        inside = above[k] if above[k + 1] == "0" else f"({above[k]} - {above[k + 1]})"
        lines.append(f"{var} += w_bg{k}*{inside}")
        inverse_width.append(f"{inside}*inverse_rate_bg{k}")
        if k > 0:
            lower.append(f"{inside}*boundary_bg{k}")
    lower_bound = " + ".join(lower) if lower else "0*Hz"
    lines.append(f"t_next_bg += -log(1 - (u_bg - ({lower_bound}))*(" + " + ".join(inverse_width) + "))*mean_interval_bg")
    eqs = Equations("t_next_bg : second\nrate_total_bg : hertz (shared, constant)\n"
                    "mean_interval_bg : second (shared, constant)\n"
                    + "".join(f"w_bg{k} : siemens (shared, constant)\ninverse_rate_bg{k} : second (shared, constant)\n"
                              for k in range(n))
                    + "".join(f"boundary_bg{k} : hertz (shared, constant)\n" for k in range(1, n)))
    return eqs, ("t >= t_next_bg", "\n".join(lines))


def _per_step_probabilities(backgrounds: list, dt_s: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-step arrival probabilities p_k, the conditional ones c_k (see
    :func:`_per_step_background_event`) and q = prod (1 - p_k)."""
    p = np.array([float(bg.rate) * dt_s for bg in backgrounds])
    tail_none = np.cumprod((1 - p)[::-1])[::-1]  # prod_(j >= k) (1 - p_j)
    return p, p / (1 - tail_none), float(tail_none[0])


def _set_background_constants(group, backgrounds: list, dt_s: float) -> None:
    for k, bg in enumerate(backgrounds):
        setattr(group, f"w_bg{k}", bg.weight)
    if backgrounds[0].arrivals == "per_step":
        p, conditional, q = _per_step_probabilities(backgrounds, dt_s)
        group.inverse_log_q_bg = 1.0 / np.log(q)
        for k in range(len(backgrounds)):
            setattr(group, f"probability_bg{k}", p[k])
            setattr(group, f"conditional_bg{k}", conditional[k])
        return
    rates = [float(bg.rate) for bg in backgrounds]
    group.rate_total_bg = sum(rates) * Hz
    group.mean_interval_bg = 1.0 / sum(rates) * second
    for k, bg in enumerate(backgrounds):
        setattr(group, f"inverse_rate_bg{k}", 1.0 / rates[k] * second)
        if k > 0:
            setattr(group, f"boundary_bg{k}", sum(rates[:k]) * Hz)


def _first_background_arrivals(backgrounds: list, n: int, dt_s: float, rng: np.random.Generator) -> np.ndarray:
    """Time (s) of each neuron's first arrival: the first arrival step (geometric from step 0)
    for per-step arrivals, an exponential time for Poisson ones."""
    if backgrounds[0].arrivals == "per_step":
        _, _, q = _per_step_probabilities(backgrounds, dt_s)
        return dt_s * np.floor(np.log(1 - rng.random(n)) / np.log(q))
    return rng.exponential(1.0 / sum(float(bg.rate) for bg in backgrounds), size=n)


def _make_population(plan: NetworkPlan, population, extra_conductances: dict, stimuli: dict, namespace: dict,
                     rng: np.random.Generator, linked_efficacies: list[str] = (), extra_variables: str = "") -> NeuronGroup:
    n = population.n_neurons
    if isinstance(population, SpikeTrainSource):
        return SpikeGeneratorGroup(n, np.asarray(population.indices), population.times, name=population.name)
    linked = "".join(f"{name} : 1 (linked)\n" for name in linked_efficacies)
    if extra_variables:
        linked += extra_variables + "\n"
    if isinstance(population, PoissonPool):
        group = NeuronGroup(n, "t_next : second\nrate : hertz (shared, constant)\nunit : integer (constant)\n" + linked,
                            threshold="t >= t_next", reset="t_next += -log(rand())/rate", name=population.name)
        group.rate = population.rate
        group.t_next = rng.exponential(1.0 / float(population.rate), size=n) * second
        group.unit = 0
        use_sparse_thresholds(group)  # a few sources of the pool spike per step
        return group
    exprs, extra_eqs, shared_all = {}, (Equations(linked) if linked else None), []
    events, backgrounds = {}, [b for b in plan.backgrounds if b.target == population.name]
    if backgrounds:
        eqs, events["background"] = _background_event(backgrounds, population.cell_type)
        extra_eqs = eqs if extra_eqs is None else extra_eqs + eqs
    for compartment in population.compartments:
        expr, eqs, shared = _current_expression(plan, population, compartment, stimuli, namespace)
        exprs[compartment] = expr
        if eqs is not None:
            extra_eqs = eqs if extra_eqs is None else extra_eqs + eqs
            if shared:  # OU noise (a teaching current adds equations only)
                shared_all.append(shared)
    if population.cell_type == "pyramidal":
        group = make_pyramidal_group(n, population.params, name=population.name, soma_current=exprs["soma"],
                                     dendrite_current=exprs["dendrite"], extra_conductances=extra_conductances,
                                     burst_detector=plan.needs_detector(population.name),
                                     burst_isi=plan.burst_isi_of(population.name),
                                     detector_rule=plan.detector_rule_of(population.name),
                                     detector_events=tuple(sorted({_ON_EVENT[p.transmit] for p in plan.projections.values()
                                                                   if p.source == population.name
                                                                   and p.transmit != "spikes"})),
                                     extra_equations=extra_eqs,
                                     extra_events=events)
        rest = steady_state(population.params)
        group.v_s = rest["v_s"] + rng.normal(0.0, float(population.initial_v_sd), size=n) * 1e3 * mV
    else:
        group = make_adex_group(n, population.params, name=population.name, current=exprs["soma"],
                                extra_conductances=extra_conductances, extra_equations=extra_eqs,
                                extra_events=events)
        group.v = population.params.E_L + rng.normal(0.0, float(population.initial_v_sd), size=n) * 1e3 * mV
    for shared in shared_all:
        init_name, mean, sigma = shared.pop("_init")
        for key, value in shared.items():
            setattr(group, key, value)
        # start the OU process in its stationary distribution
        setattr(group, init_name, mean + rng.normal(0.0, 1.0, size=n) * sigma)
    if backgrounds:
        _set_background_constants(group, backgrounds, float(plan.dt))
        group.t_next_bg = _first_background_arrivals(backgrounds, n, float(plan.dt), rng) * second
    group.unit = np.arange(n) // population.n_per_unit
    use_branch_free_thresholds(group, list(events))
    return group


_ON_EVENT = {"spikes": "spike", "events": "event", "bursts": "burst"}


class _OneToOneSTPFilter(logging.Filter):
    """Drop Brian's "outcome may depend on the order of execution" warning for the STP node
    updates and the plasticity's detector nodes: their pathways are one-to-one, so every node
    element is written by one synapse."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return (re.search(r"t_last_stp_\w+_post", message) is None
                and re.search(r"first line is: '(within_event|is_event) :?=", message) is None)


logging.getLogger("brian2.codegen.generators.base").addFilter(_OneToOneSTPFilter())


def _make_stp_node(projections: list[Projection], source, name: str) -> tuple[NeuronGroup, Synapses]:
    """Per-presynaptic STP states of ``projections`` (same source, transmission and delay) in one
    node group, and the one-to-one pathway that updates them at each transmitted presynaptic
    event, scheduled just before the projections' own pathways (same event and delay, so the
    efficacy read by the synapses is the one of this spike)."""
    node = NeuronGroup(len(source), "\n".join(presynaptic_stp_model(p.name) for p in projections), name=name)
    for projection in projections:
        stp, suffix = projection.stp, f"_stp_{projection.name}"
        for var, value in (("U", stp.U), ("tau_D", stp.tau_D), ("tau_F", stp.tau_F), ("f", stp.f),
                           ("x", 1.0), ("u", stp.initial_u), ("t_last", 0 * second)):
            setattr(node, var + suffix, value)
        setattr(source, f"efficacy{suffix}", linked_var(getattr(node, f"efficacy{suffix}")))
    first = projections[0]
    updater = Synapses(source, node, on_pre="\n".join(presynaptic_stp_update_code(p.name, "_post") for p in projections),
                       on_event=_ON_EVENT[first.transmit], delay=first.delay, name=f"{name}_update")
    updater.connect(j="i")
    updater.pre.order = -2  # projection pathways run at order -1
    return node, updater


def _make_projection(projection: Projection, groups: dict, nodes: dict, plan: NetworkPlan,
                     connections: dict, namespace: dict) -> tuple[Synapses, int, Any]:
    """The ``Synapses`` of a projection, its count of (equivalent) synapses and, for a plastic
    projection, its :class:`~spiking.plastic_build.PlasticParts`."""
    source_pop = plan.populations[projection.source]
    target_pop = plan.populations[projection.target]
    source, target = groups[projection.source], groups[projection.target]
    if projection.plastic:
        i, j = connections[projection.name]
        target_var = None
        if projection.compartment is not None:
            target_var = projection.conductance if target_pop.cell_type == "pyramidal" else f"g_{projection.receptor}"
        syn, gate = make_plastic_synapses(projection, source, target, target_var, namespace, plan, i)
        if len(i):
            syn.connect(i=i, j=j)
            forget_build_values([syn.variables["_synaptic_pre"], syn.variables["_synaptic_post"]])
        else:
            syn.active = False
        return syn, len(i), make_plastic_parts(projection, syn, source, target, i, j, gate, plan, namespace)
    model = "w_syn : siemens (shared, constant)"
    per_synapse_stp = projection.stp is not None and not _presynaptic_stp(projection, plan)
    if per_synapse_stp:
        model += STP_MODEL
    on_event = _ON_EVENT[projection.transmit]
    gain = plan.weight_gains.get(projection.name)
    transmitted = "w_syn"
    if gain is not None:
        gain_array = TimedArray(gain.values(int(round(float(plan.duration / plan.dt))) + 1, plan.dt), dt=plan.dt,
                                name=weight_gain_name(projection.name))
        namespace[gain_array.name] = gain_array
        transmitted = f"w_syn*{gain_array.name}(t)"
    if _uses_node(projection):
        node = nodes[projection.name]
        syn = Synapses(source, node, model=model, on_pre=on_pre_code("g", projection.stp).replace("w_syn", transmitted),
                       on_event=on_event,
                       delay=projection.delay, name=projection.name)
        i_list, j_list = [], []
        for src, tgt in unit_blocks(projection, source_pop, target_pop):
            unit = tgt[0] // target_pop.n_per_unit
            i_list.append(src)
            j_list.append(np.full(len(src), unit))
        i, j = np.concatenate(i_list), np.concatenate(j_list)
        n_equivalent = sum(len(s) * len(t) for s, t in unit_blocks(projection, source_pop, target_pop))
    else:
        target_var = projection.conductance if target_pop.cell_type == "pyramidal" else f"g_{projection.receptor}"
        on_pre = (f"{target_var}_post += w_syn*efficacy_stp_{projection.name}_pre"
                  if _presynaptic_stp(projection, plan) else on_pre_code(target_var, projection.stp))
        on_pre = on_pre.replace("w_syn", transmitted)
        syn = Synapses(source, target, model=model, on_pre=on_pre,
                       on_event=on_event, delay=projection.delay, name=projection.name)
        i, j = connections[projection.name]
        n_equivalent = len(i)
    if len(i):
        syn.connect(i=i, j=j)
        forget_build_values([syn.variables["_synaptic_pre"], syn.variables["_synaptic_post"]])
    else:
        syn.active = False
    syn.w_syn = projection.weight
    if per_synapse_stp:
        syn.U_stp = projection.stp.U
        syn.tau_D_stp = projection.stp.tau_D
        syn.tau_F_stp = projection.stp.tau_F
        syn.f_stp = projection.stp.f
        if len(i):
            syn.x_stp = 1.0
            syn.u_stp = projection.stp.initial_u
            syn.t_last_stp = 0 * second
    return syn, n_equivalent, None


def _check_unique_names(objects: list) -> None:
    """Raise a ParameterError (instead of Brian's error at run time) when a plan name collides
    with an object the build derives from another name (e.g. a population called ``x_post``
    beside the postsynaptic pathway of a projection ``x``)."""
    seen: dict[str, set] = {}

    def visit(obj) -> None:
        if id(obj) in seen.setdefault(obj.name, set()):
            return  # the same object, reached again (Brian lists some objects in two containers)
        seen[obj.name].add(id(obj))
        for child in getattr(obj, "contained_objects", ()):
            visit(child)

    for obj in objects:
        visit(obj)
    clashes = sorted(name for name, ids in seen.items() if len(ids) > 1)
    if clashes:
        raise ParameterError(f"the names {clashes} are used twice: a population or projection name equals the name of "
                             "an object built for another one (projection X builds X_pre, X_post, X_pre_node, ...; "
                             "population Y builds Y_spikes, Y_counting, ...); rename it")


def build_network(plan: NetworkPlan) -> BuiltNetwork:
    """Create all Brian objects of ``plan`` (call inside a :class:`~spiking.backend.BackendSession`).

    Examples
    --------
    >>> from brian2 import ms
    >>> from models.pyramidal import PyramidalParameters
    >>> from spiking.plan import NetworkPlan, Population
    >>> plan = NetworkPlan(duration=10 * ms)
    >>> plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=5, n_units=2))
    >>> built = build_network(plan)
    >>> built.groups["pyr"].unit[:].tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    """
    plan.check_monitor_budget()
    seeds = plan.seeds()
    rng_conn = np.random.default_rng(seeds["connectivity"])
    rng_init = np.random.default_rng(seeds["initial_state"])
    brian_seed(seeds["device"] % (2 ** 31))
    namespace, stimuli, groups, nodes, synapses, n_synapses = {}, {}, {}, {}, {}, {}
    # summing nodes of all-to-all projections, and the linked conductances they feed
    extra: dict[str, dict[str, list[str]]] = {name: {} for name in plan.populations}
    for projection in plan.projections.values():
        if _uses_node(projection):
            target_pop = plan.populations[projection.target]
            tau = getattr(target_pop.params, f"tau_{projection.receptor}")
            # the same exact decay per step as the conductances it stands for (models/pyramidal.py)
            node = NeuronGroup(target_pop.n_units, "dg/dt = -g*(1 - exp(-dt/tau_node))/dt : siemens\n"
                               "tau_node : second (shared, constant)",
                               method="euler", name=f"{projection.name}_node")
            node.tau_node = tau
            nodes[projection.name] = node
            var = projection.conductance if target_pop.cell_type == "pyramidal" else f"g_{projection.receptor}"
            extra[projection.target].setdefault(var, []).append(f"g_from_{projection.name}")
    stp_groups: dict[tuple, list[Projection]] = {}
    for projection in plan.projections.values():
        if _presynaptic_stp(projection, plan):
            stp_groups.setdefault(_stp_node_key(projection), []).append(projection)
    # connectivity of every per-pair projection, drawn in plan order from the connectivity stream
    connections = {}
    for projection in plan.projections.values():
        if not _uses_node(projection):
            connections[projection.name] = _connect(projection, plan.populations[projection.source],
                                                    plan.populations[projection.target], rng_conn)
    presynaptic = {name: ij[0] for name, ij in connections.items()}
    for name, population in plan.populations.items():
        efficacies = [f"efficacy_stp_{p.name}" for key, ps in stp_groups.items() if key[0] == name for p in ps]
        groups[name] = _make_population(plan, population, extra[name], stimuli, namespace, rng_init, efficacies,
                                        accumulator_equations(plan, name, presynaptic))
    for projection in plan.projections.values():
        if _uses_node(projection):
            # each target neuron reads the node element of its own unit
            target_pop = plan.populations[projection.target]
            unit_of_neuron = (np.arange(target_pop.n_neurons) // target_pop.n_per_unit).astype(np.int64)
            setattr(groups[projection.target], f"g_from_{projection.name}",
                    linked_var(nodes[projection.name].g, index=unit_of_neuron))
    stp_nodes, stp_updaters, stp_holders = [], [], {}
    for k, (key, projections) in enumerate(stp_groups.items()):
        node, updater = _make_stp_node(projections, groups[key[0]], name=f"{key[0]}_stp{k}")
        stp_nodes.append(node)
        stp_updaters.append(updater)
        stp_holders.update({p.name: node for p in projections})
    plastic = {}
    for projection in plan.projections.values():
        syn, n_synapses[projection.name], parts = _make_projection(projection, groups, nodes, plan, connections,
                                                                   namespace)
        synapses[projection.name] = syn
        if parts is not None:
            plastic[projection.name] = parts
            if parts.teaching is not None:  # the taught population reads the node's current
                setattr(groups[projection.target], TEACHING_VARIABLE, linked_var(parts.post_node, TEACHING_VARIABLE))
    spike_monitors: dict[str, list] = {}
    for rec in plan.spike_recordings:
        pop = plan.populations[rec.population]
        group = groups[rec.population]
        if rec.sample_per_unit is None or rec.sample_per_unit >= pop.n_per_unit:
            spike_monitors[rec.population] = [(SpikeMonitor(group, name=f"{rec.population}_spikes"), 0)]
        else:
            monitors = []
            for u in range(pop.n_units):
                start = u * pop.n_per_unit
                sub = group[start:start + rec.sample_per_unit]
                monitors.append((SpikeMonitor(sub, name=f"{rec.population}_spikes_unit{u}"), start))
            spike_monitors[rec.population] = monitors
    state_monitors = []
    for k, rec in enumerate(plan.state_recordings):
        state_monitors.append((rec, StateMonitor(groups[rec.population], list(rec.variables), record=list(rec.neurons),
                                                 dt=rec.dt, name=f"{rec.population}_states_{k}")))
    counter_monitors = {}
    for det in plan.detectors:
        pop = plan.populations[det.population]
        counters = NeuronGroup(pop.n_units, "n_events : 1\nn_bursts : 1", name=f"{det.population}_unit_counts")
        # at each spike, before the reset: one pathway reads the detector's conditions (the
        # custom events exist only for pathways that transmit events or bursts)
        condition = detector_conditions("_pre", rule=det.rule)
        counting = Synapses(groups[det.population], counters,
                            on_pre=f"n_events_post += int({condition['event']})\n"
                                   f"n_bursts_post += int({condition['burst']})",
                            name=f"{det.population}_counting")
        counting.connect(i=np.arange(pop.n_neurons), j=np.arange(pop.n_neurons) // pop.n_per_unit)
        monitor = StateMonitor(counters, ["n_events", "n_bursts"], record=True, dt=det.bin_width,
                               name=f"{det.population}_count_monitor")
        counter_monitors[det.population] = (counters, monitor, counting)
    objects = list(groups.values()) + list(nodes.values()) + list(synapses.values())
    objects += stp_nodes + stp_updaters
    objects += [m for monitors in spike_monitors.values() for m, _ in monitors]
    objects += [m for _, m in state_monitors]
    objects += [obj for triple in counter_monitors.values() for obj in triple]
    objects += [obj for parts in plastic.values() for obj in parts.objects]
    _check_unique_names(objects)
    network = Network(*objects, name="network")
    return BuiltNetwork(plan=plan, network=network, groups=groups, synapses=synapses, stimuli=stimuli,
                        spike_monitors=spike_monitors, state_monitors=state_monitors,
                        counter_monitors={k: v[:2] for k, v in counter_monitors.items()}, namespace=namespace,
                        n_synapses=n_synapses, stp_holders=stp_holders, plastic=plastic,
                        weight_gains={name: namespace[weight_gain_name(name)] for name in plan.weight_gains},
                        connections={name: connections[name] for name in plastic})
