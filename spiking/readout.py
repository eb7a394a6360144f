"""What a built network records, by object name, and how to turn the recorded arrays into a
:class:`~spiking.simulation.SimulationResult`.

The same collection code serves two readers: the Brian objects of the process that ran the
network, and the raw files a standalone binary wrote into a results folder (a
:class:`~spiking.compiled.CompiledProject` run by any process, e.g. a sweep worker).

A reader is a callable ``read(owner_name, variable)`` returning the array Brian's attribute
``owner.variable_`` would give (state-monitor variables as ``(n_recorded, n_t)``).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import xarray as xr

from spiking.plan import NetworkPlan
from spiking.spikes import SpikeData

__all__ = ["ArrayFile", "Readout", "collect_spikes", "collect_states", "collect_online", "collect_weights",
           "collect_mean_weights", "collect_event_rates"]

Reader = Callable[[str, str], np.ndarray]


@dataclasses.dataclass(frozen=True)
class ArrayFile:
    """Where the binary writes one array: ``filename`` in the results folder, numpy ``dtype``;
    ``columns`` is the fixed second dimension of a 2-D monitor array (stored ``(n_t, columns)``)."""

    filename: str
    dtype: str
    columns: int | None = None


@dataclasses.dataclass(frozen=True)
class Readout:
    """Names of the recording objects of a built network (picklable, no Brian objects).

    Attributes
    ----------
    spikes : dict
        ``population -> ((monitor name, first neuron index, n recorded neurons), ...)``.
    states : tuple
        ``(population, variables, neurons, monitor name)`` per state recording.
    counters : dict
        ``population -> (counter group name, counter monitor name)`` of online detectors.
    weights : dict
        ``projection -> (synapses name, synapse indices or None for all, presynaptic indices,
        postsynaptic indices)`` of recorded weights.
    mean_weights : dict
        ``projection -> (monitor name, pair source units, pair target units, synapses per pair)``.
    event_rates : dict
        ``projection -> (monitor name, neurons per target unit, tau_avg in seconds)``.
    """

    spikes: dict
    states: tuple
    counters: dict
    weights: dict = dataclasses.field(default_factory=dict)
    mean_weights: dict = dataclasses.field(default_factory=dict)
    event_rates: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, built) -> "Readout":
        """The readout of a :class:`~spiking.build.BuiltNetwork`."""
        spikes = {name: tuple((m.name, int(offset), int(len(m.source))) for m, offset in monitors)
                  for name, monitors in built.spike_monitors.items()}
        states = tuple((rec.population, tuple(rec.variables), tuple(int(n) for n in rec.neurons), monitor.name)
                       for rec, monitor in built.state_monitors)
        counters = {name: (group.name, monitor.name) for name, (group, monitor) in built.counter_monitors.items()}
        weights = {}
        seeds = np.random.SeedSequence([built.plan.seed, 7]).spawn(max(len(built.plan.weight_recordings), 1))
        for rec, seed in zip(built.plan.weight_recordings, seeds):
            i, j = built.connections[rec.projection]
            chosen = None
            if rec.n_sample is not None and rec.n_sample < len(i):
                chosen = np.sort(np.random.default_rng(seed).choice(len(i), rec.n_sample, replace=False))
                i, j = i[chosen], j[chosen]
            weights[rec.projection] = (built.synapses[rec.projection].name, chosen, np.asarray(i), np.asarray(j))
        mean_weights = {name: (parts.mean_monitor.name, parts.pair_sources, parts.pair_targets, parts.pair_counts)
                        for name, parts in built.plastic.items() if parts.mean_monitor is not None}
        event_rates = {name: (parts.rate_monitor.name,
                              int(built.plan.populations[built.plan.projections[name].target].n_per_unit),
                              float(built.plan.projections[name].plasticity.tau_avg))
                       for name, parts in built.plastic.items() if parts.rate_monitor is not None}
        return cls(spikes=spikes, states=states, counters=counters, weights=weights, mean_weights=mean_weights,
                   event_rates=event_rates)

    def arrays(self) -> list[tuple[str, str, str]]:
        """``(owner name, variable, kind)`` of every array a run must return; kind is ``"1d"``
        or ``"monitor2d"`` (a state-monitor variable stored as ``(n_t, n_recorded)``)."""
        out = []
        for monitors in self.spikes.values():
            for name, _, _ in monitors:
                out += [(name, "t", "1d"), (name, "i", "1d")]
        for _, variables, _, name in self.states:
            out.append((name, "t", "1d"))
            out += [(name, var, "monitor2d") for var in variables]
        for group, monitor in self.counters.values():
            out += [(group, "n_events", "1d"), (group, "n_bursts", "1d"), (monitor, "t", "1d"),
                    (monitor, "n_events", "monitor2d"), (monitor, "n_bursts", "monitor2d")]
        for name, _, _, _ in self.weights.values():
            out.append((name, "w_syn", "1d"))
        for monitor, _, _, _ in self.mean_weights.values():
            out += [(monitor, "t", "1d"), (monitor, "w_total", "monitor2d")]
        for monitor, _, _ in self.event_rates.values():
            out += [(monitor, "t", "1d"), (monitor, "event_total", "monitor2d")]
        return out


def collect_spikes(plan: NetworkPlan, readout: Readout, read: Reader) -> dict[str, SpikeData]:
    """Recorded spikes per population; a per-unit sample is renumbered ``0..n-1`` and keeps
    the units of its neurons."""
    t_stop = float(plan.duration)
    spikes = {}
    for name, monitors in readout.spikes.items():
        pop = plan.populations[name]
        times = np.concatenate([np.array(read(m, "t"), dtype=float) for m, _, _ in monitors])
        indices = np.concatenate([np.array(read(m, "i"), dtype=np.int64) + offset for m, offset, _ in monitors])
        if len(monitors) == 1 and monitors[0][1] == 0 and monitors[0][2] == pop.n_neurons:
            n_neurons, units, local = pop.n_neurons, np.arange(pop.n_neurons) // pop.n_per_unit, indices
        else:
            recorded = np.concatenate([np.arange(off, off + size) for _, off, size in monitors])
            lookup = np.full(pop.n_neurons, -1, dtype=np.int64)
            lookup[recorded] = np.arange(len(recorded))
            n_neurons, units, local = len(recorded), recorded // pop.n_per_unit, lookup[indices]
        order = np.argsort(times, kind="stable")
        spikes[name] = SpikeData(times[order], local[order], n_neurons, 0.0, t_stop, units)
    return spikes


def collect_states(readout: Readout, read: Reader) -> dict[str, dict]:
    """``{population: {"t_s": times, "neurons": indices, variable: (n_neurons, n_t) in SI}}``."""
    states: dict[str, dict] = {}
    for population, variables, neurons, monitor in readout.states:
        entry = states.setdefault(population, {})
        entry["t_s"] = np.array(read(monitor, "t"), dtype=float)
        entry["neurons"] = np.asarray(neurons)
        for var in variables:
            entry[var] = np.array(read(monitor, var), dtype=float)
    return states


def collect_online(plan: NetworkPlan, readout: Readout, read: Reader) -> dict[str, xr.Dataset]:
    """Per-bin counts and rates of the online detectors (dims ``unit``, ``time``)."""
    return {name: _online_rates(plan, name, group, monitor, read)
            for name, (group, monitor) in readout.counters.items()}


def _online_rates(plan: NetworkPlan, name: str, group: str, monitor: str, read: Reader) -> xr.Dataset:
    """Per-bin counts from the cumulative counters sampled every bin_width from the run's start
    (plus the final value); a last bin shorter than bin_width is dropped. The bins start at the
    recorded sample times (0, bin_width, ... for a run from 0; a run that skips a prologue
    starts later)."""
    detector = next(d for d in plan.detectors if d.population == name)
    pop = plan.populations[name]
    bin_s = float(detector.bin_width)
    sample_times = np.array(read(monitor, "t"), dtype=float)
    edges = np.append(sample_times, float(plan.duration))
    complete = np.diff(edges) > bin_s * (1 - 1e-6)
    counts = {}
    for var in ("n_events", "n_bursts"):
        cumulative = np.array(read(monitor, var), dtype=float).reshape(pop.n_units, -1)
        final = np.array(read(group, var), dtype=float)[:, None]
        samples = np.concatenate([cumulative, final], axis=1)
        counts[var] = np.diff(samples, axis=1)[:, complete]
    events, bursts = counts["n_events"], counts["n_bursts"]
    starts = edges[:-1][complete]
    denominator = pop.n_per_unit * bin_s
    with np.errstate(invalid="ignore", divide="ignore"):
        bp = np.where(events > 0, bursts / np.where(events > 0, events, 1), np.nan)
    ds = xr.Dataset({"event_count": (("unit", "time"), events, {"units": "1"}),
                     "burst_count": (("unit", "time"), bursts, {"units": "1"}),
                     "event_rate": (("unit", "time"), events / denominator, {"units": "Hz"}),
                     "burst_rate": (("unit", "time"), bursts / denominator, {"units": "Hz"}),
                     "burst_probability": (("unit", "time"), bp, {"units": "1"})},
                    coords={"unit": np.arange(pop.n_units), "time": starts + 0.5 * bin_s},
                    attrs={"bin_width_s": bin_s, "burst_isi_s": float(detector.burst_isi), "event_rule": detector.rule,
                           "burst_time": "second_spike", "source": "online detector"})
    ds.time.attrs["units"] = "s"
    return ds


def collect_weights(readout: Readout, read: Reader) -> dict[str, xr.Dataset]:
    """Weights of the recorded plastic projections after the run: ``weight`` (siemens) with the
    presynaptic (``pre``) and postsynaptic (``post``) neuron of each synapse (dim ``synapse``)."""
    out = {}
    for projection, (name, chosen, i, j) in readout.weights.items():
        w = np.array(read(name, "w_syn"), dtype=float)
        if chosen is not None:
            w = w[chosen]
        out[projection] = xr.Dataset({"weight": ("synapse", w, {"units": "S"})},
                                     coords={"pre": ("synapse", i), "post": ("synapse", j),
                                             "synapse": np.arange(len(w)) if chosen is None else chosen},
                                     attrs={"sampled": chosen is not None})
    return out


def collect_mean_weights(readout: Readout, read: Reader) -> dict[str, xr.Dataset]:
    """Mean weight (siemens) of each (source unit, target unit) pair over time (dims ``pair``,
    ``time``), summed online."""
    out = {}
    for projection, (monitor, sources, targets, counts) in readout.mean_weights.items():
        t = np.array(read(monitor, "t"), dtype=float)
        totals = np.array(read(monitor, "w_total"), dtype=float).reshape(len(counts), -1)
        ds = xr.Dataset({"mean_weight": (("pair", "time"), totals / np.asarray(counts)[:, None], {"units": "S"}),
                         "n_synapses": ("pair", np.asarray(counts))},
                        coords={"source_unit": ("pair", np.asarray(sources)), "target_unit": ("pair", np.asarray(targets)),
                                "time": t})
        ds.time.attrs["units"] = "s"
        out[projection] = ds
    return out


def collect_event_rates(readout: Readout, read: Reader) -> dict[str, xr.Dataset]:
    """Unit-mean moving-average event rate (Hz) of each recorded plastic projection's target over
    time (dims ``unit``, ``time``)."""
    out = {}
    for projection, (monitor, n_per_unit, tau_avg_s) in readout.event_rates.items():
        t = np.array(read(monitor, "t"), dtype=float)
        totals = np.array(read(monitor, "event_total"), dtype=float).reshape(-1, len(t))
        ds = xr.Dataset({"event_rate": (("unit", "time"), totals / (n_per_unit * tau_avg_s), {"units": "Hz"})},
                        coords={"time": t})
        ds.time.attrs["units"] = "s"
        out[projection] = ds
    return out
