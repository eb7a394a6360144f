"""The complete dynamical state of a built network, to continue a simulation in a later run.

A :class:`NetworkState` holds the value of every state variable of every group and synapse set
of a network (membrane potentials, adaptation, conductances, traces, moving averages, weights,
the time of each neuron's next background arrival, ...) at the end of a run. Handed to the next
run (``Simulation.run(initial_state=...)``) it lets a long simulation proceed as a series of
runs of one compiled binary: the basis of checkpoints (``state.save`` / ``NetworkState.load``)
and of resuming a killed run.

What is a state variable: an array variable that a group owns, that is neither constant nor
read-only (parameters are constants and come from the plan or from run-time overrides) and
whose name does not start with ``_`` (Brian's spike spaces). Variables with the dimension of
time hold absolute times (last spike, end of refractoriness, next background arrival, ...):
they are shifted by ``t_start - time_s`` when the state starts a run at ``t_start``. Brian's
synaptic ``delay`` is the one time-valued variable that is a duration, not a time, and is left
as it is.

What is not carried over: spikes in flight on delayed pathways at the end of a run (Brian's
spike queues are not variables). With a delay d, the spikes of the last d of a run are not
delivered in the next one.

Examples
--------
>>> state = NetworkState({"pyr.v_s": np.array([-0.07, -0.065]), "pyr.t_next_bg": np.array([0.5, 0.7])},
...                      time_s=0.6, time_variables=("pyr.t_next_bg",))
>>> state.shifted_values(t_start_s=0.0)["pyr.t_next_bg"].round(3).tolist()   # relative to a new start
[-0.1, 0.1]
"""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np

from spiking.errors import ParameterError

__all__ = ["NetworkState", "state_variables", "DURATION_VARIABLES"]

#: Time-valued variables that are durations, not absolute times (not shifted).
DURATION_VARIABLES = ("delay",)


def state_variables(network, exclude: tuple = ()) -> list[tuple]:
    """``(object, variable name, is a time)`` of every state variable (see the module docstring)
    of the groups and synapses of a Brian ``network`` except those named in ``exclude``, sorted
    by name."""
    from brian2 import NeuronGroup, Synapses, second
    from brian2.core.variables import ArrayVariable

    out = []
    for obj in network.objects:
        if not isinstance(obj, (NeuronGroup, Synapses)) or obj.name in exclude:
            continue
        for name, var in obj.variables.items():
            if not isinstance(var, ArrayVariable) or var.read_only or var.constant or name.startswith("_"):
                continue
            try:
                owner = var.owner.name
            except ReferenceError:  # pragma: no cover - a dead owner is not this group's
                continue
            if owner != obj.name:
                continue
            is_time = var.dim == second.dim and name not in DURATION_VARIABLES
            out.append((obj, name, is_time))
    return sorted(out, key=lambda item: (item[0].name, item[1]))


@dataclasses.dataclass
class NetworkState:
    """Values of a network's state variables at one moment of a run.

    Parameters
    ----------
    values : dict of str -> ndarray
        ``"object.variable"`` -> values in SI units (seconds, volts, siemens, ...).
    time_s : float
        Simulation time (s) of the run at which the state was taken (its end).
    time_variables : tuple of str
        The keys of ``values`` that hold absolute times.
    metadata : dict
        Free JSON-serialisable information (what run, which segment, ...).
    """

    values: dict
    time_s: float
    time_variables: tuple = ()
    metadata: dict = dataclasses.field(default_factory=dict)

    def shifted_values(self, t_start_s: float) -> dict:
        """The values for a run that starts at ``t_start_s``: absolute times moved by
        ``t_start_s - time_s`` (the state's moment becomes the new start)."""
        shift = float(t_start_s) - float(self.time_s)
        return {key: (value + shift if key in self.time_variables else value) for key, value in self.values.items()}

    def save(self, path: str) -> None:
        """Write the state to ``path`` (a ``.npz`` file; written to a temporary name first, then
        renamed, so a killed process never leaves half a checkpoint)."""
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        temporary = path + ".partial.npz"
        header = {"time_s": float(self.time_s), "time_variables": list(self.time_variables),
                  "keys": sorted(self.values), "metadata": self.metadata}
        arrays = {f"value_{k}": np.asarray(self.values[key]) for k, key in enumerate(header["keys"])}
        np.savez(temporary, header=np.array(json.dumps(header)), **arrays)
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: str) -> "NetworkState":
        """Read a state written by :meth:`save`."""
        if not os.path.exists(path):
            raise ParameterError(f"no saved network state at {path!r}")
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            values = {key: np.array(data[f"value_{k}"]) for k, key in enumerate(header["keys"])}
        return cls(values=values, time_s=header["time_s"], time_variables=tuple(header["time_variables"]),
                   metadata=header["metadata"])

    def check_matches(self, expected_sizes: dict) -> None:
        """Raise :class:`ParameterError` unless the state has exactly the variables of
        ``expected_sizes`` (``"object.variable"`` -> number of values, or None where not known
        before the run): a state of another network cannot start this one."""
        missing = sorted(set(expected_sizes) - set(self.values))
        extra = sorted(set(self.values) - set(expected_sizes))
        if missing or extra:
            raise ParameterError(f"initial_state does not belong to this network: missing {missing[:5]}, "
                                 f"unknown {extra[:5]}")
        for key, size in expected_sizes.items():
            if size is not None and np.size(self.values[key]) != size:
                raise ParameterError(f"initial_state[{key!r}] has {np.size(self.values[key])} values; this network "
                                     f"has {size} (a network built with another seed or size?)")
