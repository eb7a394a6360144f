"""Parameter studies: compile-once sweeps on Dask, resumable results, one Dataset to load.

Modules: :mod:`~spiking.sweep.spec` (what to vary, checked before any build),
:mod:`~spiking.sweep.run` (builds and Dask execution), :mod:`~spiking.sweep.worker` (one
point), :mod:`~spiking.sweep.store` (results folder and loader). Examples are in their
docstrings (doctests of a package ``__init__`` are not collected with Brian's pytest plugin).
"""

from spiking.sweep.run import run_sweep
from spiking.sweep.spec import Axis, Decode, Point, SweepSpec
from spiking.sweep.store import SweepStore, load_sweep, sweep_status

__all__ = ["Axis", "Decode", "Point", "SweepSpec", "SweepStore", "load_sweep", "run_sweep", "sweep_status"]
