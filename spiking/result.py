"""Backend-neutral results of one simulation run (what :class:`~spiking.simulation.Simulation`
and :class:`~spiking.compiled.CompiledProject` return).

Examples
--------
>>> result = SimulationResult(spikes={}, states={}, online={}, overrides={}, timings_s={"run_s": 1.0}, n_synapses={})
>>> result.final_state is None
True
"""

from __future__ import annotations

import dataclasses

from spiking.state import NetworkState

__all__ = ["SimulationResult"]


@dataclasses.dataclass
class SimulationResult:
    """Backend-neutral results of one run.

    Attributes
    ----------
    spikes : dict of str -> SpikeData
        Recorded spikes per population (a sample keeps the full population's unit labels
        for the recorded neurons only).
    states : dict of str -> dict
        ``{population: {"t_s": times, "neurons": indices, variable: array (n_neurons, n_t) in SI}}``.
    online : dict of str -> xarray.Dataset
        Online detector counts and rates per unit and bin (dims ``unit``, ``time``).
    overrides : dict
        Parameter values set for this run.
    timings_s : dict
        ``build_s`` (standalone compile, first run only) and ``run_s``.
    n_synapses : dict
        Synapses of each projection (all-to-all projections through a node count the
        equivalent pairwise synapses).
    profile : list, optional
        ``(code object, seconds)`` slowest first, when the simulation was made with ``profile=True``.
    weights : dict of str -> xarray.Dataset
        Weights of plastic projections after the run (``NetworkPlan.record_weights``).
    mean_weights : dict of str -> xarray.Dataset
        Mean weight per unit pair over time (``NetworkPlan.record_mean_weights``).
    event_rates : dict of str -> xarray.Dataset
        Unit-mean moving-average event rate of a plastic projection's target over time
        (``NetworkPlan.record_event_rates``).
    final_state : NetworkState, optional
        Every state variable at the end of the run (``Simulation.run(capture_state=True)``).
    """

    spikes: dict
    states: dict
    online: dict
    overrides: dict
    timings_s: dict
    n_synapses: dict
    profile: list | None = None
    weights: dict = dataclasses.field(default_factory=dict)
    mean_weights: dict = dataclasses.field(default_factory=dict)
    event_rates: dict = dataclasses.field(default_factory=dict)
    final_state: NetworkState | None = None
