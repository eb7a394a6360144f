"""Turn a :class:`~spiking.plan.NetworkPlan` into Brian objects (inside a backend session).

One ``NeuronGroup`` per population (units are index ranges with a ``unit`` variable), one
``Synapses`` per projection with connectivity drawn by numpy from the plan's seed (so every
backend gets the same synapses), and a few helper groups:

- an all-to-all projection whose efficacy depends only on the presynaptic neuron (one
  weight, optional STP) is *exactly* a conductance shared by all targets of a unit: it is
  delivered to a one-element-per-unit summing node that the targets read through a linked
  variable (N_pre synapses instead of N_pre x N_post);
- short-term plasticity depends only on the presynaptic spike train, so a projection from a
  neuron group keeps one STP state per *presynaptic neuron* (a node group updated by a
  one-to-one pathway just before the projection's own pathway) and every synapse adds
  ``w_syn`` times the source neuron's current efficacy (a linked variable of the source);
  the per-synapse recursion of :data:`models.synapses.STP_MODEL` would compute identical
  copies once per synapse and event (it stays for spike-generator sources and summing nodes);
- a Poisson pool is a group of sources that each keep their next arrival time;
- an online burst detector counts each unit's events and bursts in a small counter group,
  sampled once per bin (no spikes shipped).

Numeric parameters of groups and synapses are ``(shared, constant)`` variables: a standalone
binary takes new values through ``run_args`` without recompiling (see
:meth:`BuiltNetwork.parameter_views`).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np
from brian2 import (Equations, Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Synapses, TimedArray, amp, linked_var, mV, second, seed as brian_seed)

from models.interneurons import make_adex_group
from models.pyramidal import make_pyramidal_group, steady_state
from models.synapses import STP_MODEL, STP_NODE_MODEL, on_pre_code, stp_node_update_code
from spiking import connectivity
from spiking.errors import ParameterError
from spiking.plan import NetworkPlan, PoissonPool, Population, Projection, SpikeTrainSource
from spiking.stimuli import sample_matrix

__all__ = ["BuiltNetwork", "build_network", "unit_blocks"]

_OU_TEMPLATE = "dI/dt = (mu - I)/tau + sigma*sqrt(2/tau)*noise : amp"


@dataclasses.dataclass
class BuiltNetwork:
    """The Brian objects of a plan and what is needed to run and read them."""

    plan: NetworkPlan
    network: Network
    groups: dict
    synapses: dict
    stimuli: dict                 # (population, compartment) -> TimedArray
    spike_monitors: dict          # population -> list of (SpikeMonitor, neuron offset)
    state_monitors: list          # (StateRecording, StateMonitor)
    counter_monitors: dict        # population -> (counter group, StateMonitor)
    namespace: dict
    n_synapses: dict
    stp_nodes: dict = dataclasses.field(default_factory=dict)  # projection -> per-presynaptic STP node

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
            elif owner in self.synapses:
                syn = self.synapses[owner]
                holder = self.stp_nodes.get(owner, syn) if name in stp_names else syn
                var = {"weight": "w_syn"}.get(name) or stp_names.get(name)
                has_stp = self.plan.projections[owner].stp is not None
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


def _efficacy_name(projection: Projection) -> str:
    return f"stp_efficacy_{projection.name}"


def _uses_node(projection: Projection) -> bool:
    """All-to-all without self-exclusion: the shared-conductance node is exact."""
    recurrent_excluded = projection.source == projection.target and not projection.autapses
    return projection.rule == "all_to_all" and not recurrent_excluded


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
            stim = TimedArray(values * amp, dt=plan.dt, name=f"{population.name}_{compartment}_stim")
            stimuli[(population.name, compartment)] = stim
            namespace[stim.name] = stim
            parts.append(f"{stim.name}(t, unit)")
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
    return (" + ".join(parts) if parts else "0*amp"), eqs, shared


def _make_population(plan: NetworkPlan, population, extra_conductances: dict, stimuli: dict, namespace: dict,
                     rng: np.random.Generator, linked_efficacies: list[str] = ()) -> NeuronGroup:
    n = population.n_neurons
    if isinstance(population, SpikeTrainSource):
        return SpikeGeneratorGroup(n, np.asarray(population.indices), population.times, name=population.name)
    linked = "".join(f"\n{name} : 1 (linked)" for name in linked_efficacies)
    if isinstance(population, PoissonPool):
        group = NeuronGroup(n, "t_next : second\nrate : hertz (shared, constant)\nunit : integer (constant)" + linked,
                            threshold="t >= t_next", reset="t_next += -log(rand())/rate", name=population.name)
        group.rate = population.rate
        group.t_next = rng.exponential(1.0 / float(population.rate), size=n) * second
        group.unit = 0
        return group
    exprs, extra_eqs, shared_all = {}, (Equations(linked.strip()) if linked else None), []
    events, bg_values = {}, {}
    for k, bg in enumerate(b for b in plan.backgrounds if b.target == population.name):
        var = f"g_{bg.receptor}_{bg.compartment[0]}" if population.cell_type == "pyramidal" else f"g_{bg.receptor}"
        names = {"t_next": f"t_next_bg{k}", "rate": f"rate_bg{k}", "w": f"w_bg{k}"}
        eqs = Equations(f"{names['t_next']} : second\n{names['rate']} : hertz (shared, constant)\n"
                        f"{names['w']} : siemens (shared, constant)")
        extra_eqs = eqs if extra_eqs is None else extra_eqs + eqs
        # one random number per arrival: each neuron keeps the time of its next input spike
        events[f"background{k}"] = (f"t >= {names['t_next']}",
                                    f"{var} += {names['w']}\n{names['t_next']} += -log(rand())/{names['rate']}")
        bg_values[k] = (names, bg)
    for compartment in population.compartments:
        expr, eqs, shared = _current_expression(plan, population, compartment, stimuli, namespace)
        exprs[compartment] = expr
        if eqs is not None:
            extra_eqs = eqs if extra_eqs is None else extra_eqs + eqs
            shared_all.append(shared)
    if population.cell_type == "pyramidal":
        group = make_pyramidal_group(n, population.params, name=population.name, soma_current=exprs["soma"],
                                     dendrite_current=exprs["dendrite"], extra_conductances=extra_conductances,
                                     burst_detector=plan.needs_detector(population.name),
                                     burst_isi=plan.burst_isi_of(population.name), extra_equations=extra_eqs,
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
    for k, (names, bg) in bg_values.items():
        setattr(group, names["rate"], bg.rate)
        setattr(group, names["w"], bg.weight)
        setattr(group, names["t_next"], rng.exponential(1.0 / float(bg.rate), size=n) * second)
    group.unit = np.arange(n) // population.n_per_unit
    return group


_ON_EVENT = {"spikes": "spike", "events": "event", "bursts": "burst"}


class _OneToOneSTPFilter(logging.Filter):
    """Drop Brian's "outcome may depend on the order of execution" warning for the STP node
    updates: their pathway is one-to-one, so every node element is written by one synapse."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "t_last_stp_post" not in record.getMessage()


logging.getLogger("brian2.codegen.generators.base").addFilter(_OneToOneSTPFilter())


def _make_stp_node(projection: Projection, source) -> tuple[NeuronGroup, Synapses]:
    """Per-presynaptic STP state of ``projection`` and the one-to-one pathway that updates it at
    each transmitted presynaptic event, scheduled just before the projection's own pathway
    (same event and delay, so the efficacy read by the synapses is the one of this spike)."""
    n = len(source)
    node = NeuronGroup(n, STP_NODE_MODEL, name=f"{projection.name}_stp")
    stp = projection.stp
    node.U_stp, node.tau_D_stp, node.tau_F_stp, node.f_stp = stp.U, stp.tau_D, stp.tau_F, stp.f
    node.x_stp, node.u_stp, node.t_last_stp = 1.0, stp.initial_u, 0 * second
    setattr(source, _efficacy_name(projection), linked_var(node.efficacy_stp))
    updater = Synapses(source, node, on_pre=stp_node_update_code(), on_event=_ON_EVENT[projection.transmit],
                       delay=projection.delay, name=f"{projection.name}_stp_update")
    updater.connect(j="i")
    updater.pre.order = -2  # projection pathways run at order -1
    return node, updater


def _make_projection(projection: Projection, groups: dict, nodes: dict, plan: NetworkPlan,
                     rng: np.random.Generator) -> tuple[Synapses, int]:
    source_pop = plan.populations[projection.source]
    target_pop = plan.populations[projection.target]
    source, target = groups[projection.source], groups[projection.target]
    model = "w_syn : siemens (shared, constant)"
    per_synapse_stp = projection.stp is not None and not _presynaptic_stp(projection, plan)
    if per_synapse_stp:
        model += STP_MODEL
    on_event = _ON_EVENT[projection.transmit]
    if _uses_node(projection):
        node = nodes[projection.name]
        syn = Synapses(source, node, model=model, on_pre=on_pre_code("g", projection.stp), on_event=on_event,
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
        on_pre = (f"{target_var}_post += w_syn*{_efficacy_name(projection)}_pre" if not per_synapse_stp
                  and projection.stp is not None else on_pre_code(target_var, projection.stp))
        syn = Synapses(source, target, model=model, on_pre=on_pre,
                       on_event=on_event, delay=projection.delay, name=projection.name)
        i, j = _connect(projection, source_pop, target_pop, rng)
        n_equivalent = len(i)
    if len(i):
        syn.connect(i=i, j=j)
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
    return syn, n_equivalent


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
            node = NeuronGroup(target_pop.n_units, "dg/dt = -g/tau_node : siemens\ntau_node : second (shared, constant)",
                               method="euler", name=f"{projection.name}_node")
            node.tau_node = tau
            nodes[projection.name] = node
            var = projection.conductance if target_pop.cell_type == "pyramidal" else f"g_{projection.receptor}"
            extra[projection.target].setdefault(var, []).append(f"g_from_{projection.name}")
    for name, population in plan.populations.items():
        efficacies = [_efficacy_name(p) for p in plan.projections.values()
                      if p.source == name and _presynaptic_stp(p, plan)]
        groups[name] = _make_population(plan, population, extra[name], stimuli, namespace, rng_init, efficacies)
    for projection in plan.projections.values():
        if _uses_node(projection):
            # each target neuron reads the node element of its own unit
            target_pop = plan.populations[projection.target]
            unit_of_neuron = (np.arange(target_pop.n_neurons) // target_pop.n_per_unit).astype(np.int64)
            setattr(groups[projection.target], f"g_from_{projection.name}",
                    linked_var(nodes[projection.name].g, index=unit_of_neuron))
    stp_nodes, stp_updaters = {}, []
    for projection in plan.projections.values():
        if _presynaptic_stp(projection, plan):
            stp_nodes[projection.name], updater = _make_stp_node(projection, groups[projection.source])
            stp_updaters.append(updater)
    for projection in plan.projections.values():
        synapses[projection.name], n_synapses[projection.name] = _make_projection(projection, groups, nodes, plan,
                                                                                  rng_conn)
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
        counting = Synapses(groups[det.population], counters,
                            on_pre={"count_event": "n_events_post += 1", "count_burst": "n_bursts_post += 1"},
                            on_event={"count_event": "event", "count_burst": "burst"},
                            name=f"{det.population}_counting")
        counting.connect(i=np.arange(pop.n_neurons), j=np.arange(pop.n_neurons) // pop.n_per_unit)
        monitor = StateMonitor(counters, ["n_events", "n_bursts"], record=True, dt=det.bin_width,
                               name=f"{det.population}_count_monitor")
        counter_monitors[det.population] = (counters, monitor, counting)
    objects = list(groups.values()) + list(nodes.values()) + list(synapses.values())
    objects += list(stp_nodes.values()) + stp_updaters
    objects += [m for monitors in spike_monitors.values() for m, _ in monitors]
    objects += [m for _, m in state_monitors]
    objects += [obj for triple in counter_monitors.values() for obj in triple]
    network = Network(*objects, name="network")
    return BuiltNetwork(plan=plan, network=network, groups=groups, synapses=synapses, stimuli=stimuli,
                        spike_monitors=spike_monitors, state_monitors=state_monitors,
                        counter_monitors={k: v[:2] for k, v in counter_monitors.items()}, namespace=namespace,
                        n_synapses=n_synapses, stp_nodes=stp_nodes)
