"""Backend-neutral spike data: the container that leaves the simulator (or comes from an
experiment) and enters decoding. Pure numpy; no brian2 import.

Times are plain floats in seconds. The container is always sorted by time, then by neuron
index (GPU monitors are sorted by time only; sorting here makes every backend look alike).

Examples
--------
>>> import numpy as np
>>> spikes = SpikeData(times_s=np.array([0.02, 0.01]), indices=np.array([1, 0]), n_neurons=3,
...                    t_start_s=0.0, t_stop_s=1.0, unit_of_neuron=np.array([0, 0, 1]))
>>> spikes.times_s.tolist(), spikes.neurons_per_unit.tolist()
([0.01, 0.02], [2, 1])
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np

__all__ = ["SpikeData"]


@dataclasses.dataclass(frozen=True)
class SpikeData:
    """Spikes of ``n_neurons`` neurons observed over ``[t_start_s, t_stop_s)``.

    Attributes
    ----------
    times_s : ndarray of float
        Spike times in seconds (sorted).
    indices : ndarray of int
        Neuron index of each spike, in ``[0, n_neurons)``.
    n_neurons : int
        Number of observed neurons, silent ones included (they count in rates).
    t_start_s, t_stop_s : float
        Observation window in seconds.
    unit_of_neuron : ndarray of int
        Unit (ensemble) index of each neuron; units are numbered ``0..n_units-1``.
    """

    times_s: np.ndarray
    indices: np.ndarray
    n_neurons: int
    t_start_s: float
    t_stop_s: float
    unit_of_neuron: np.ndarray | None = None

    def __post_init__(self) -> None:
        times = np.asarray(self.times_s, dtype=float).ravel()
        indices = np.asarray(self.indices).ravel()
        if times.shape != indices.shape:
            raise ValueError(f"times_s and indices must have the same length; got {times.size} and {indices.size}")
        if indices.size and not np.issubdtype(indices.dtype, np.integer):
            if not np.all(indices == np.round(indices)):
                raise ValueError("indices must be integers")
        indices = indices.astype(np.int64)
        n = int(self.n_neurons)
        if n < 0:
            raise ValueError(f"n_neurons must be >= 0; got {self.n_neurons}")
        if not float(self.t_stop_s) > float(self.t_start_s):
            raise ValueError(f"t_stop_s ({self.t_stop_s}) must be after t_start_s ({self.t_start_s})")
        if indices.size and (indices.min() < 0 or indices.max() >= n):
            raise ValueError(f"indices must lie in [0, n_neurons={n}); got range [{indices.min()}, {indices.max()}]")
        if times.size and (times.min() < self.t_start_s or times.max() >= self.t_stop_s):
            raise ValueError(f"spike times must lie in [t_start_s, t_stop_s) = [{self.t_start_s}, {self.t_stop_s}); "
                             f"got [{times.min()}, {times.max()}]")
        order = np.lexsort((indices, times))
        units = np.zeros(n, dtype=np.int64) if self.unit_of_neuron is None else np.asarray(self.unit_of_neuron)
        if units.shape != (n,):
            raise ValueError(f"unit_of_neuron must have one entry per neuron ({n}); got shape {units.shape}")
        units = units.astype(np.int64)
        if n and (units.min() < 0):
            raise ValueError("unit_of_neuron must be >= 0")
        object.__setattr__(self, "times_s", times[order])
        object.__setattr__(self, "indices", indices[order])
        object.__setattr__(self, "n_neurons", n)
        object.__setattr__(self, "t_start_s", float(self.t_start_s))
        object.__setattr__(self, "t_stop_s", float(self.t_stop_s))
        object.__setattr__(self, "unit_of_neuron", units)

    @property
    def n_units(self) -> int:
        """Number of units (``max(unit_of_neuron) + 1``)."""
        return int(self.unit_of_neuron.max()) + 1 if self.n_neurons else 0

    @property
    def neurons_per_unit(self) -> np.ndarray:
        """Number of neurons in each unit (silent neurons included)."""
        return np.bincount(self.unit_of_neuron, minlength=self.n_units)

    @property
    def duration_s(self) -> float:
        return self.t_stop_s - self.t_start_s

    def __len__(self) -> int:
        return int(self.times_s.size)

    def trains(self) -> list[np.ndarray]:
        """Sorted spike times of each neuron (a list of ``n_neurons`` arrays)."""
        order = np.argsort(self.indices, kind="stable")
        bounds = np.searchsorted(self.indices[order], np.arange(self.n_neurons + 1))
        times = self.times_s[order]
        return [times[bounds[k]:bounds[k + 1]] for k in range(self.n_neurons)]

    def restrict(self, t_start_s: float, t_stop_s: float) -> "SpikeData":
        """The spikes inside ``[t_start_s, t_stop_s)``, with that window."""
        keep = (self.times_s >= t_start_s) & (self.times_s < t_stop_s)
        return SpikeData(self.times_s[keep], self.indices[keep], self.n_neurons, t_start_s, t_stop_s,
                         self.unit_of_neuron)

    @classmethod
    def from_trains(cls, trains: Sequence[Sequence[float]], t_start_s: float, t_stop_s: float,
                    unit_of_neuron: Sequence[int] | None = None) -> "SpikeData":
        """Build from one sequence of spike times (seconds) per neuron.

        Examples
        --------
        >>> SpikeData.from_trains([[0.1], [], [0.3, 0.2]], 0.0, 1.0).indices.tolist()
        [0, 2, 2]
        """
        times = np.concatenate([np.asarray(t, dtype=float) for t in trains]) if trains else np.zeros(0)
        indices = np.concatenate([np.full(len(t), k) for k, t in enumerate(trains)]) if trains else np.zeros(0, int)
        units = None if unit_of_neuron is None else np.asarray(unit_of_neuron)
        return cls(times, indices.astype(np.int64), len(trains), t_start_s, t_stop_s, units)
