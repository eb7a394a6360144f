"""Current-clamp experiments on independent pyramidal cells.

Each of ``n_cells`` unconnected two-compartment neurons gets its own somatic and dendritic
current waveform; voltages, adaptation currents and spikes come back as plain arrays with
their time base. Many conditions (amplitudes, timings) run side by side in one group, so a
whole protocol costs one simulation, and on the standalone backends one compilation: the
rig is built once and later runs only replace the stimulus arrays (``run_args``).

Examples
--------
>>> from brian2 import ms, nA
>>> from models.pyramidal import PyramidalParameters
>>> from spiking.current_clamp import CurrentClamp
>>> from spiking.stimuli import Step
>>> with CurrentClamp(PyramidalParameters(), n_cells=2, duration=60 * ms) as clamp:
...     rec = clamp.run(soma=[Step(1.9 * nA, 20 * ms, 5 * ms), None])
>>> rec.spike_counts().tolist()
[1, 0]
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
from brian2 import Network, Quantity, SpikeMonitor, StateMonitor, TimedArray, amp, ms, second

from models.pyramidal import STATE_VARIABLES, PyramidalParameters, make_pyramidal_group
from spiking.backend import BackendSession, check_dt, normalize_backend
from spiking.errors import ParameterError
from spiking.parameters import check_quantity
from spiking.stimuli import Waveform, sample_matrix

__all__ = ["ClampRecording", "CurrentClamp", "current_clamp"]

#: SI unit of each recordable variable (arrays leave Brian as plain floats in these units).
SI_UNITS = {"v_s": "V", "v_d": "V", "theta": "V", "w_s": "A", "w_d": "A", "g_ampa_s": "S",
            "g_gaba_s": "S", "g_ampa_d": "S", "g_gaba_d": "S", "f_d": "1", "I_ext_s": "A", "I_ext_d": "A"}


@dataclasses.dataclass
class ClampRecording:
    """Result of a current-clamp run, in SI units.

    Attributes
    ----------
    t_s : ndarray
        Sample times of the traces (seconds), shape ``(n_samples,)``.
    traces : dict of str -> ndarray
        Each recorded variable, shape ``(n_cells, n_samples)``, unit in :data:`SI_UNITS`.
    spike_times_s : list of ndarray
        Somatic spike times of each cell (seconds, sorted).
    dt_s : float
        Integration step (seconds).
    duration_s : float
        Simulated time (seconds).
    """

    t_s: np.ndarray
    traces: dict
    spike_times_s: list
    dt_s: float
    duration_s: float

    @property
    def n_cells(self) -> int:
        return len(self.spike_times_s)

    def spike_counts(self, t_start_s: float = 0.0, t_stop_s: float | None = None) -> np.ndarray:
        """Number of spikes of each cell with ``t_start_s <= t < t_stop_s``."""
        stop = np.inf if t_stop_s is None else t_stop_s
        return np.array([np.count_nonzero((s >= t_start_s) & (s < stop)) for s in self.spike_times_s])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.traces[name]


class CurrentClamp:
    """A set of independent pyramidal cells with per-cell injected currents.

    Parameters
    ----------
    params : PyramidalParameters
    n_cells : int
        Number of cells simulated side by side (>= 1).
    duration : Quantity
        Simulated time of each run.
    dt : Quantity
        Integration step, in (0, 0.5 ms].
    backend : str
        ``"runtime"``, ``"cpp_standalone"`` (or ``"cuda_standalone"``).
    record : sequence of str
        Variables to record (any of :data:`models.pyramidal.STATE_VARIABLES`, ``f_d``,
        ``I_ext_s``, ``I_ext_d``); ``()`` records spikes only.
    record_dt : Quantity, optional
        Sampling step of the traces (default: ``dt``).
    name : str
        Prefix of the Brian object names.

    Notes
    -----
    Use as a context manager; each :meth:`run` starts from the resting state.
    """

    def __init__(self, params: PyramidalParameters, n_cells: int, duration: Quantity,
                 dt: Quantity = 0.1 * ms, backend: str = "runtime",
                 record: Sequence[str] = ("v_s", "v_d", "w_s", "w_d"),
                 record_dt: Quantity | None = None, name: str = "clamp") -> None:
        if not isinstance(params, PyramidalParameters):
            raise ParameterError(f"params must be PyramidalParameters; got {type(params).__name__}")
        if isinstance(n_cells, bool) or not isinstance(n_cells, (int, np.integer)) or n_cells < 1:
            raise ParameterError(f"n_cells must be an integer >= 1; got {n_cells!r}")
        check_quantity("duration", duration, second, "positive")
        check_dt(dt)
        if record_dt is not None:
            check_quantity("record_dt", record_dt, second, "positive")
            if record_dt < dt:
                raise ParameterError(f"record_dt ({record_dt}) must be >= dt ({dt})")
        allowed = set(STATE_VARIABLES) | {"f_d", "I_ext_s", "I_ext_d"}
        if params.spike_rule != "moving_threshold":
            allowed.discard("theta")
        unknown = sorted(set(record) - allowed)
        if unknown:
            raise ParameterError(f"record: unknown variable(s) {unknown} for spike rule "
                                 f"{params.spike_rule!r}; allowed: {sorted(allowed)}")
        self.params = params
        self.n_cells = int(n_cells)
        self.duration = duration
        self.dt = dt
        self.backend = normalize_backend(backend)
        self.record = tuple(record)
        self.record_dt = record_dt
        self.name = name
        self.n_steps = int(round(float(duration / dt))) + 1
        self._session: BackendSession | None = None
        self._objects: dict | None = None

    def __enter__(self) -> "CurrentClamp":
        self._session = BackendSession(self.backend, dt=self.dt).__enter__()
        return self

    def __exit__(self, *exc) -> None:
        session, self._session, self._objects = self._session, None, None
        if session is not None:
            session.__exit__(*exc)

    @property
    def timings(self) -> dict:
        """Build and run wall times (seconds) of the last run, from the backend session."""
        return dict(self._session.timings) if self._session else {}

    def run(self, soma: Waveform | Sequence[Waveform | None] | None = None,
            dendrite: Waveform | Sequence[Waveform | None] | None = None) -> ClampRecording:
        """Run once with the given currents (one waveform per cell, or one for all).

        Returns
        -------
        ClampRecording
        """
        if self._session is None:
            raise ParameterError("CurrentClamp.run must be called inside `with CurrentClamp(...) as clamp:`")
        soma_values = sample_matrix(soma, self.n_cells, self.n_steps, self.dt, "soma") * amp
        dend_values = sample_matrix(dendrite, self.n_cells, self.n_steps, self.dt, "dendrite") * amp
        session = self._session
        if self._objects is None or not session.is_standalone:
            self._objects = self._build(soma_values, dend_values)
            session.execute()
        else:
            session.execute(run_args={self._objects["soma_stim"]: soma_values,
                                      self._objects["dend_stim"]: dend_values})
        return self._collect()

    def _build(self, soma_values: Quantity, dend_values: Quantity) -> dict:
        soma_stim = TimedArray(soma_values, dt=self.dt, name=f"{self.name}_soma_stim")
        dend_stim = TimedArray(dend_values, dt=self.dt, name=f"{self.name}_dend_stim")
        group = make_pyramidal_group(self.n_cells, self.params, name=f"{self.name}_cells",
                                     soma_current=f"{soma_stim.name}(t, i)",
                                     dendrite_current=f"{dend_stim.name}(t, i)")
        objects = {"group": group, "soma_stim": soma_stim, "dend_stim": dend_stim,
                   "spikes": SpikeMonitor(group, name=f"{self.name}_spikes")}
        if self.record:
            objects["states"] = StateMonitor(group, list(self.record), record=True, dt=self.record_dt,
                                             name=f"{self.name}_states")
        net = Network(*[o for o in objects.values() if not isinstance(o, TimedArray)],
                      name=f"{self.name}_network")
        namespace = {soma_stim.name: soma_stim, dend_stim.name: dend_stim}
        self._session.run(net, self.duration, namespace=namespace)
        return objects

    def _collect(self) -> ClampRecording:
        spikes = self._objects["spikes"]
        times, indices = np.asarray(spikes.t_), np.asarray(spikes.i)
        order = np.lexsort((times, indices))
        times, indices = times[order], indices[order]
        bounds = np.searchsorted(indices, np.arange(self.n_cells + 1))
        spike_times = [times[bounds[k]:bounds[k + 1]].copy() for k in range(self.n_cells)]
        traces, t_s = {}, np.zeros(0)
        if self.record:
            states = self._objects["states"]
            t_s = np.asarray(states.t_).copy()
            for var in self.record:
                traces[var] = np.asarray(getattr(states, var + "_")).copy()
        return ClampRecording(t_s=t_s, traces=traces, spike_times_s=spike_times, dt_s=float(self.dt),
                              duration_s=float(self.duration))


def current_clamp(params: PyramidalParameters, duration: Quantity,
                  soma: Waveform | Sequence[Waveform | None] | None = None,
                  dendrite: Waveform | Sequence[Waveform | None] | None = None,
                  n_cells: int | None = None, **options) -> ClampRecording:
    """One-shot current clamp: build, run once, return the recording.

    ``n_cells`` defaults to the number of waveforms given (or 1). Other options as for
    :class:`CurrentClamp`.

    Examples
    --------
    >>> from brian2 import ms, pA
    >>> from models.pyramidal import PyramidalParameters
    >>> from spiking.stimuli import Constant
    >>> rec = current_clamp(PyramidalParameters(), 50 * ms, soma=Constant(100 * pA))
    >>> rec["v_s"].shape
    (1, 500)
    """
    if n_cells is None:
        lengths = [len(x) for x in (soma, dendrite) if x is not None and not isinstance(x, Waveform)]
        n_cells = max(lengths) if lengths else 1
    with CurrentClamp(params, n_cells, duration, **options) as clamp:
        return clamp.run(soma=soma, dendrite=dendrite)
