"""Brian objects of plastic projections (see :mod:`models.plasticity`), used by
:func:`spiking.build.build_network`.

A plastic projection is these pieces, event-driven apart from the decay of one trace per
presynaptic neuron and two per postsynaptic neuron at each step (nothing runs per synapse and
step):

- a presynaptic node (one element per source neuron), updated by a one-to-one pathway at each
  source spike: it classifies the spike (event or not) and keeps the presynaptic event trace;
- the plastic ``Synapses`` (weight per synapse): their presynaptic pathway transmits the
  weight at presynaptic events and applies the homeostatic potentiation; their postsynaptic
  pathway applies ``eta * valence * Etilde_pre`` at each target spike;
- a postsynaptic node (one element per target neuron), updated by a one-to-one pathway at each
  target spike: it classifies the spike (event, burst, neither), computes its valence from the
  moving averages and updates them.

Within a time step the pathways run in this order: presynaptic node (-2), plastic presynaptic
pathway (-1), postsynaptic node (1), plastic postsynaptic pathway (2): presynaptic events before
postsynaptic ones, as in the reference. The synapses read the nodes through linked variables
indexed by their pre- and postsynaptic neuron.

The learning rate is a run-time constant and is multiplied by a gate (a ``TimedArray`` of 0 and 1
at each step: :class:`~spiking.plan.PlasticitySchedule`), so plasticity can be switched on and off
within a run, and both can change between runs of a compiled project.

Mean weights per (source unit, target unit) pair are summed online every ``dt`` in two stages,
both ``run_regularly`` operations at that ``dt`` (at the end of the step): each synapse adds its
weight to an accumulator of its target neuron (one per source unit it comes from), then one
collector synapse per (target neuron, source unit) adds the accumulator to the pair's total.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import NeuronGroup, StateMonitor, Synapses, TimedArray, amp, linked_var, second

from models import plasticity as rule_code
from spiking.plan import NetworkPlan, Projection

__all__ = ["PlasticParts", "accumulator_equations", "make_plastic_parts", "gate_name", "gate_run_values",
           "TEACHING_VARIABLE", "teaching_names"]

#: Name of the teaching current in the postsynaptic node and (linked) in the taught group.
TEACHING_VARIABLE = "I_teach"

#: Scheduling order of the pathways within the synapses slot (see the module docstring).
ORDER_PRE_NODE, ORDER_PRE, ORDER_POST_NODE, ORDER_POST = -2, -1, 1, 2


def gate_name(projection: str) -> str:
    return f"plasticity_gate_{projection}"


def teaching_names(projection: str) -> tuple[str, str]:
    """Names of the TimedArrays of a teaching current: window open (0/1), target (0/1)."""
    return f"teaching_on_{projection}", f"teaching_target_{projection}"


def _accumulator(projection: str, slot: int) -> str:
    return f"w_in_{projection}_{slot}"


@dataclasses.dataclass
class PlasticParts:
    """Objects of one plastic projection besides its ``Synapses``."""

    objects: list
    gate: TimedArray
    pre_node: NeuronGroup
    post_node: NeuronGroup
    mean_monitor: StateMonitor | None = None
    teaching: tuple | None = None             # (window-open TimedArray, target TimedArray)
    rate_monitor: StateMonitor | None = None  # unit sums of the target's moving-average event counts
    pair_sources: np.ndarray | None = None    # source unit of each recorded pair
    pair_targets: np.ndarray | None = None    # target unit of each recorded pair
    pair_counts: np.ndarray | None = None     # synapses per pair


def source_slots(plan: NetworkPlan, projection: Projection, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Source units of the projection's synapses (presynaptic indices ``i``) and the sorted
    distinct units (one accumulator per distinct unit on each target neuron)."""
    source = plan.populations[projection.source]
    units = np.asarray(i) // source.n_per_unit
    return units, np.unique(units)


def accumulator_equations(plan: NetworkPlan, population: str, connections: dict) -> str:
    """Variables of the mean-weight accumulators that ``population`` (a target) must declare:
    ``connections`` maps projection name -> presynaptic indices."""
    lines = []
    for rec in plan.mean_weight_recordings:
        projection = plan.projections[rec.projection]
        if projection.target != population:
            continue
        _, slots = source_slots(plan, projection, connections[projection.name])
        lines += [f"{_accumulator(projection.name, k)} : siemens" for k in range(max(len(slots), 1))]
    return "\n".join(lines)


def gate_run_values(plan: NetworkPlan, projection: str, schedule=None) -> np.ndarray:
    """Gate values (0/1 per step) of a projection's schedule (the plan's when omitted)."""
    n_steps = int(round(float(plan.duration / plan.dt))) + 1
    return (schedule or plan.plasticity_schedule_of(projection)).gate(n_steps, plan.dt)


def _n_slots(plan: NetworkPlan, projection: Projection, i: np.ndarray) -> int:
    """Accumulators per target neuron (0 without a mean-weight recording)."""
    if not any(r.projection == projection.name for r in plan.mean_weight_recordings):
        return 0
    return max(len(source_slots(plan, projection, i)[1]), 1)


def make_plastic_synapses(projection: Projection, source, target, target_variable: str | None,
                          namespace: dict, plan: NetworkPlan, i: np.ndarray) -> tuple[Synapses, TimedArray]:
    """The plastic ``Synapses`` (not yet connected; ``i`` are the presynaptic indices they will
    get) and their gate."""
    rule = projection.plasticity
    gate = TimedArray(gate_run_values(plan, projection.name), dt=plan.dt, name=gate_name(projection.name))
    namespace[gate.name] = gate
    gate_expr = f"{gate.name}(t)"
    on_pre = rule_code.on_pre_code(rule, target_variable, gate_expr)
    pathways = {"on_post": rule_code.on_post_code(gate_expr)}
    if on_pre:
        pathways["on_pre"] = on_pre
        pathways["delay"] = projection.delay
    model = rule_code.synapse_model(rule)
    if _n_slots(plan, projection, i) > 1:
        model += "source_slot : integer (constant)\n"
    syn = Synapses(source, target, model=model, name=projection.name, **pathways)
    return syn, gate


def make_plastic_parts(projection: Projection, syn: Synapses, source, target, i: np.ndarray, j: np.ndarray,
                       gate: TimedArray, plan: NetworkPlan, namespace: dict | None = None) -> PlasticParts:
    """Nodes, their update pathways and (if requested) the mean-weight recorder of a connected
    plastic projection; sets the synapses' constants, weights and linked variables."""
    rule, name = projection.plasticity, projection.name
    pre_node = NeuronGroup(len(source), rule_code.presynaptic_node_model(), method="euler", name=f"{name}_pre_node")
    pre_node.burst_isi, pre_node.tau_event_trace = rule.burst_isi, rule.tau_pre
    far_past = -1e4 * second  # before any spike: the first spike is an event under both rules
    pre_node.t_last_spike = far_past
    # traces decay after the step's synaptic updates, as the reference's traces evolve after its
    # connections propagate: a trace read at step n holds exp(-n dt/tau) of its initial value
    pre_node.state_updater.when = "after_synapses"
    pre_update = Synapses(source, pre_node, on_pre=rule_code.presynaptic_detector_code(rule),
                          delay=projection.delay, name=f"{name}_pre_update")
    pre_update.connect(i=np.arange(len(source)), j=np.arange(len(source)))
    pre_update.pre.order = ORDER_PRE_NODE

    teaching = plan.teaching_currents.get(name)
    post_model = rule_code.postsynaptic_node_model(rule)
    if teaching is not None:
        post_model += _TEACHING_MODEL
    post_node = NeuronGroup(len(target), post_model, method="euler", name=f"{name}_post_node")
    post_node.burst_isi, post_node.tau_avg = rule.burst_isi, rule.tau_avg
    if rule.e_max is not None:
        post_node.e_max = rule.e_max
    post_node.t_last_spike = far_past
    post_node.state_updater.when = "after_synapses"
    if rule_code.tracks_firing_rate(rule):
        post_node.tau_hom = rule.tau_hom
        post_node.spike_average = float(rule.initial_firing_rate * rule.tau_hom)
    post_node.event_average = float(rule.initial_event_rate * rule.tau_avg)
    post_node.burst_average = float(rule.initial_burst_rate * rule.tau_avg)
    post_update = Synapses(target, post_node, on_pre=rule_code.postsynaptic_detector_code(rule),
                           name=f"{name}_post_update")
    post_update.connect(i=np.arange(len(target)), j=np.arange(len(target)))
    post_update.pre.order = ORDER_POST_NODE

    syn.eta, syn.w_max = rule.eta, rule.w_max
    firing = rule_code.tracks_firing_rate(rule)
    if float(rule.e_min) > 0:
        syn.e_min, syn.tau_hom = rule.e_min, rule.tau_hom if firing else rule.tau_avg
    objects = [pre_node, pre_update, post_node, post_update]
    if len(i):
        syn.w_syn = projection.weight
        syn.pre_index = i
        syn.post_index = j
    syn.pre_is_event = linked_var(pre_node.is_event, index="pre_index")
    syn.pre_event_trace = linked_var(pre_node.event_trace, index="pre_index")
    syn.post_valence = linked_var(post_node.valence, index="post_index")
    if float(rule.e_min) > 0:
        average = post_node.spike_average if firing else post_node.event_average
        syn.post_hom_average = linked_var(average, index="post_index")
    if any(pathway.prepost == "pre" for pathway in syn._pathways):
        syn.pre.order = ORDER_PRE
    syn.post.order = ORDER_POST
    parts = PlasticParts(objects=objects, gate=gate, pre_node=pre_node, post_node=post_node)
    if teaching is not None:
        parts.teaching = _add_teaching(post_node, teaching, rule, plan, namespace)
    recording = next((r for r in plan.mean_weight_recordings if r.projection == name), None)
    if recording is not None:
        _add_mean_weight_recorder(parts, recording.dt, projection, syn, target, i, j, plan)
    rate_recording = next((r for r in plan.event_rate_recordings if r.projection == name), None)
    if rate_recording is not None:
        _add_event_rate_recorder(parts, rate_recording.dt, projection, plan)
    return parts


def _add_event_rate_recorder(parts: PlasticParts, dt, projection: Projection, plan: NetworkPlan) -> None:
    """Every ``dt`` at the end of the step: clear one total per target unit, add each neuron's
    moving-average event count to its unit's total, record the totals."""
    name, target_pop = projection.name, plan.populations[projection.target]
    units = NeuronGroup(target_pop.n_units, "event_total : 1", name=f"{name}_rate_units")
    units.run_regularly("event_total = 0", dt=dt, when="end", order=0, name=f"{name}_rate_units_clear")
    collect = Synapses(parts.post_node, units, name=f"{name}_rate_collect")
    collect.connect(i=np.arange(target_pop.n_neurons), j=np.arange(target_pop.n_neurons) // target_pop.n_per_unit)
    collect.run_regularly("event_total_post += event_average_pre", dt=dt, when="end", order=1,
                          name=f"{name}_rate_collect_sum")
    monitor = StateMonitor(units, "event_total", record=True, dt=dt, when="end", order=2,
                           name=f"{name}_event_rate_monitor")
    parts.objects += [units, collect, monitor]
    parts.rate_monitor = monitor


#: Teaching current of the postsynaptic node (:class:`~spiking.plan.TeachingCurrent`): the current,
#: whether a window was open at the previous step, and the constants of the rule.
_TEACHING_MODEL = """
I_teach : amp
teaching_was_on : 1
teach_amplitude : amp (shared, constant)
teach_e_min : hertz (shared, constant)
teach_e_max : hertz (shared, constant)
teach_tolerance : hertz (shared, constant)
"""


def _teaching_code(on: str, target: str) -> str:
    """Per step, before the groups update: at a window's first step set the current from the
    neuron's event rate (then hold it); zero outside the windows."""
    return "\n".join([
        f"window_open = {on}(t)",
        f"goal = {target}(t)",
        "window_starts = window_open*(1 - teaching_was_on)",
        "rate_now = event_average/tau_avg",
        "low = int(rate_now <= teach_e_min + teach_tolerance)",
        "high = int(rate_now >= teach_e_max - teach_tolerance)",
        "between = (1 - low)*(1 - high)",
        # 1 Hz/(E - e_min) between the bounds; the denominators are 1 Hz where not used
        "up = low + between*(1*Hz)/(between*(rate_now - teach_e_min) + (1 - between)*(1*Hz))",
        "down = -(high + between*(1*Hz)/(between*(teach_e_max - rate_now) + (1 - between)*(1*Hz)))",
        "new_current = teach_amplitude*(goal*up + (1 - goal)*down)",
        "I_teach = window_open*(window_starts*new_current + (1 - window_starts)*I_teach)",
        "teaching_was_on = window_open",
    ])


def _add_teaching(post_node: NeuronGroup, teaching, rule, plan: NetworkPlan, namespace: dict | None) -> tuple:
    n_steps = int(round(float(plan.duration / plan.dt))) + 1
    on_values, target_values = teaching.values(n_steps, plan.dt)
    on_name, target_name = teaching_names(teaching.projection)
    on = TimedArray(on_values, dt=plan.dt, name=on_name)
    target = TimedArray(target_values, dt=plan.dt, name=target_name)
    if namespace is not None:
        namespace.update({on.name: on, target.name: target})
    post_node.teach_amplitude, post_node.teach_tolerance = teaching.amplitude, teaching.tolerance
    post_node.teach_e_min, post_node.teach_e_max = rule.e_min, rule.e_max
    post_node.I_teach = 0 * amp
    post_node.teaching_was_on = 0
    post_node.run_regularly(_teaching_code(on.name, target.name), when="before_groups",
                            name=f"{teaching.projection}_teaching")
    return on, target


def _add_mean_weight_recorder(parts: PlasticParts, dt, projection: Projection, syn: Synapses, target,
                              i: np.ndarray, j: np.ndarray, plan: NetworkPlan) -> None:
    name = projection.name
    target_pop = plan.populations[projection.target]
    src_units, slots = source_slots(plan, projection, i)
    slot_of_synapse = np.searchsorted(slots, src_units)
    tgt_units = np.asarray(j) // target_pop.n_per_unit
    # the (source unit, target unit) pairs that have synapses
    pair_keys = src_units * target_pop.n_units + tgt_units
    keys, counts = np.unique(pair_keys, return_counts=True)
    parts.pair_sources, parts.pair_targets, parts.pair_counts = keys // target_pop.n_units, keys % target_pop.n_units, counts
    n_slots = max(len(slots), 1)
    accumulators = [_accumulator(name, k) for k in range(n_slots)]
    # stage 1: clear the accumulators, then every synapse adds its weight to its slot
    target.run_regularly("\n".join(f"{a} = 0*siemens" for a in accumulators), dt=dt, when="end", order=0,
                         name=f"{name}_accumulators_clear")
    if n_slots == 1:
        add_code = f"{accumulators[0]}_post += w_syn"
    else:
        if len(i):
            syn.source_slot = slot_of_synapse
        add_code = "\n".join(f"{a}_post += w_syn*int(source_slot == {k})" for k, a in enumerate(accumulators))
    syn.run_regularly(add_code, dt=dt, when="end", order=1, name=f"{name}_accumulate")
    # stage 2: one collector synapse per (target neuron, slot) adds the accumulator to its pair
    pair_node = NeuronGroup(len(keys), "w_total : siemens", name=f"{name}_pairs")
    pair_node.run_regularly("w_total = 0*siemens", dt=dt, when="end", order=0, name=f"{name}_pairs_clear")
    neuron_slot = np.unique(np.asarray(j) * n_slots + slot_of_synapse)
    collect_j_neuron, collect_slot = neuron_slot // n_slots, neuron_slot % n_slots
    collect_pair = np.searchsorted(keys, slots[collect_slot] * target_pop.n_units
                                   + collect_j_neuron // target_pop.n_per_unit) if len(slots) else collect_slot
    model = "slot : integer (constant)" if n_slots > 1 else ""
    collect_code = ("w_total_post += " + " + ".join(f"int(slot == {k})*{a}_pre" for k, a in enumerate(accumulators))
                    if n_slots > 1 else f"w_total_post += {accumulators[0]}_pre")
    collector = Synapses(target, pair_node, model=model, name=f"{name}_collect")
    if len(neuron_slot):
        collector.connect(i=collect_j_neuron, j=collect_pair)
        if n_slots > 1:
            collector.slot = collect_slot
    collector.run_regularly(collect_code, dt=dt, when="end", order=2, name=f"{name}_collect_sum")
    monitor = StateMonitor(pair_node, "w_total", record=True, dt=dt, when="end", order=3,
                           name=f"{name}_mean_weight_monitor")
    parts.objects += [pair_node, collector, monitor]
    parts.mean_monitor = monitor
