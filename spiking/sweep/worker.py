"""What a worker does for one point: run it (a shared compiled binary, or Brian's runtime in
the worker process), decode the spikes into per-unit rates, and return a small Dataset.

Simulation errors are caught and retried here (``retries`` times), then returned as an error
record so that the other points go on; a worker that dies is Dask's business (its task is
rescheduled on another worker).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
import traceback
from typing import Any

import numpy as np
import xarray as xr

from spiking.decoding import unit_rates
from spiking.sweep.spec import Decode

__all__ = ["PointTask", "run_point", "decode_point"]


@dataclasses.dataclass(frozen=True)
class PointTask:
    """Everything a worker needs for one point (picklable).

    Standalone backends: ``project`` (a :class:`~spiking.compiled.CompiledProject`) and the
    binary's ``arguments``. Runtime: the ``plan``, ``overrides`` and ``currents``.
    """

    point_id: str
    coords: dict
    seed: int
    decode: Decode
    retries: int
    backend: str
    project: Any = None
    arguments: tuple = ()
    plan: Any = None
    overrides: dict | None = None
    currents: dict | None = None


def decode_point(result, decode: Decode, duration_s: float) -> xr.Dataset:
    """Per-unit event rate, burst rate, burst probability and firing rate of the decoded
    populations over the decode window (variables ``<population>_<quantity>``, dims ``unit``
    and, with bins, ``time``), plus the run time.

    Examples
    --------
    >>> from spiking.simulation import SimulationResult
    >>> from spiking.spikes import SpikeData
    >>> spikes = SpikeData.from_trains([[0.1, 0.105, 0.6]], 0.0, 1.0)
    >>> result = SimulationResult({"pyr": spikes}, {}, {}, {}, {"run_s": 0.5}, {})
    >>> ds = decode_point(result, Decode(("pyr",), 0.0, 1000.0), 1.0)
    >>> float(ds.pyr_burst_probability[0]), float(ds.pyr_firing_rate[0])
    (0.5, 3.0)
    """
    t_start = decode.t_start_ms / 1e3
    t_stop = (decode.t_stop_ms / 1e3) if decode.t_stop_ms is not None else duration_s
    width = decode.bin_width_ms / 1e3 if decode.bin_width_ms is not None else t_stop - t_start
    variables, coords = {}, {}
    for pop in decode.populations:
        spikes = result.spikes[pop]
        rates = unit_rates(spikes, bin_width_s=width, t_start_s=t_start, t_stop_s=t_stop,
                           burst_isi_s=decode.burst_isi_ms / 1e3, rule=decode.event_rule)
        in_window = (spikes.times_s >= t_start) & (spikes.times_s < t_stop)
        spike_counts = np.bincount(spikes.unit_of_neuron[spikes.indices[in_window]], minlength=spikes.n_units)
        firing = spike_counts / (spikes.neurons_per_unit * (t_stop - t_start))
        squeeze = decode.bin_width_ms is None
        for name in ("event_rate", "burst_rate", "burst_probability"):
            var = rates[name].isel(time=0, drop=True) if squeeze else rates[name]
            variables[f"{pop}_{name}"] = var.drop_vars("n_neurons", errors="ignore")
        variables[f"{pop}_firing_rate"] = xr.DataArray(firing, dims=("unit",), attrs={"units": "Hz"})
        if not squeeze:
            coords["time"] = rates.time
    ds = xr.Dataset(variables, coords=coords)
    ds["run_s"] = xr.DataArray(float(result.timings_s.get("run_s", np.nan)), attrs={"units": "s"})
    ds.attrs.update({"t_start_s": t_start, "t_stop_s": t_stop, "bin_width_s": width,
                     "burst_isi_s": decode.burst_isi_ms / 1e3, "event_rule": decode.event_rule})
    return ds


def _simulate(task: PointTask):
    if task.project is not None:
        return task.project.run(task.arguments), float(task.project.plan.duration)
    from spiking.simulation import Simulation

    with Simulation(task.plan, backend="runtime") as sim:
        # the sweep draws one bar over its points; no bar per point
        return sim.run(overrides=task.overrides, currents=task.currents, progress=False), float(task.plan.duration)


def run_point(task: PointTask) -> dict:
    """Run one point (with retries) and return ``{"id", "dataset"}`` or ``{"id", "error"}``,
    plus ``attempts``, ``host``, ``pid`` and ``wall_s``."""
    start = time.perf_counter()
    info = {"id": task.point_id, "host": socket.gethostname(), "pid": os.getpid()}
    errors = []
    for attempt in range(1, task.retries + 2):
        try:
            result, duration_s = _simulate(task)
            dataset = decode_point(result, task.decode, duration_s)
            dataset.attrs.update({"point_id": task.point_id, "seed": task.seed, "attempts": attempt,
                                  "host": info["host"], "backend": task.backend,
                                  **{f"coord_{k}": float(v) for k, v in task.coords.items()}})
            return info | {"dataset": dataset, "attempts": attempt, "wall_s": time.perf_counter() - start}
        except Exception as err:  # a failing point is recorded; the sweep goes on
            errors.append({"attempt": attempt, "type": type(err).__name__, "message": str(err),
                           "traceback": traceback.format_exc()})
    return info | {"error": errors[-1], "errors": errors, "attempts": len(errors), "coords": task.coords,
                   "wall_s": time.perf_counter() - start}
