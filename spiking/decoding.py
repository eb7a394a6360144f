"""Events and bursts from spike trains, and the meso-level rates of each unit.
Pure numpy (plus xarray for labelled results); no brian2 import, so it works on recorded data.

Two event/burst rules (``rule=``), both with the 16 ms time scale ``burst_isi_s``:

``"trace"`` (default; the authors' ``BurstRateMonitor`` and plastic connections)
    Each neuron keeps a trace that gains +1 at every spike and decays exponentially with time
    constant ``burst_isi_s``. A spike is an **event** when the trace just before it is below
    e^-1; the next spike of that neuron, if it is not itself an event, is the event's **burst**
    (counted once; later spikes belong to the same event). After a single spike this is the
    interval rule below; after a burst the trace is above 1, so a new event needs a longer
    silence (about 24 ms after a 6 ms doublet, about 30 ms after four spikes).
``"isi"`` (the papers' text)
    A spike is an event if the interval since the neuron's previous spike is longer than
    ``burst_isi_s``, or if it is the neuron's first spike; an event whose next interval is
    ``<= burst_isi_s`` is a burst, counted at its second spike.

In both, the first spike of a recording is an event. A tie, an interval of exactly
``burst_isi_s`` after a single spike (trace exactly e^-1), goes as in the source of each rule:
the reference monitor (single precision) calls it a new event, the interval rule a burst.
Intervals are compared with a tolerance of 1 ns, traces with a relative one of 1e-5, so that
spike times on a simulation grid (k * dt in floating point) are classified by their exact
number of steps.

Per unit of N neurons and bin width D: event rate E = events/(N D), burst rate
B = bursts/(N D), burst probability P = B/E.

Examples
--------
>>> import numpy as np
>>> from spiking.spikes import SpikeData
>>> spikes = SpikeData.from_trains([[0.100, 0.105, 0.300]], 0.0, 1.0)
>>> d = decompose(spikes)
>>> d.event_times_s.tolist(), d.burst_times_s.tolist()
([0.1, 0.3], [0.105])

A four-spike burst followed by a spike 20 ms later: one event under the trace rule, two under
the interval rule.

>>> spikes = SpikeData.from_trains([[0.100, 0.105, 0.110, 0.115, 0.135]], 0.0, 1.0)
>>> decompose(spikes, rule="trace").event_n_spikes.tolist()
[5]
>>> decompose(spikes, rule="isi").event_n_spikes.tolist()
[4, 1]
"""

from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from spiking.spikes import SpikeData

__all__ = ["BURST_ISI_S", "ISI_TOLERANCE_S", "TRACE_THRESHOLD", "EVENT_RULES", "DEFAULT_EVENT_RULE", "Decomposition",
           "decompose", "trace_before_spikes", "unit_rates", "moving_average_rates", "check_event_rule"]

#: Burst criterion of Naud & Sprekeler 2018 / Payeur et al. 2021 (seconds).
BURST_ISI_S = 0.016
#: Tolerance of the interval comparison (seconds): far below any dt, far above float error.
ISI_TOLERANCE_S = 1e-9
#: Relative tolerance of the trace comparison: a spike is an event when its trace is below
#: e^-1 (1 + TRACE_TOLERANCE), so a tie (one spike exactly 16 ms earlier on a time grid, plus
#: traces of older spikes smaller than the tolerance) is a new event, as in the reference monitor:
#: its single-precision trace decays about 4e-6 faster per 16 ms than exp(-t/tau), so a tie is
#: just below e^-1 there (recorded in validation/: 160 steps = new event, 159 = burst). 1e-5 of
#: the trace is 0.16 us of time at tau = 16 ms, far below any time step.
TRACE_TOLERANCE = 1e-5
#: The trace threshold, with the tolerance (the online detector uses the same literal).
TRACE_THRESHOLD = float(np.exp(-1.0) * (1.0 + TRACE_TOLERANCE))
#: The event/burst rules: the reference code's spike trace, and the papers' last-interval rule.
EVENT_RULES = ("trace", "isi")
#: The reference implementation's rule (its ``BurstRateMonitor``).
DEFAULT_EVENT_RULE = "trace"


def check_event_rule(rule: str) -> str:
    """Return ``rule`` if it is one of :data:`EVENT_RULES`, else raise ``ValueError`` naming them.

    Examples
    --------
    >>> check_event_rule("isi")
    'isi'
    """
    if rule not in EVENT_RULES:
        raise ValueError(f"rule must be one of {EVENT_RULES}; got {rule!r}")
    return rule


@dataclasses.dataclass(frozen=True)
class Decomposition:
    """Events and bursts of a :class:`SpikeData`, each sorted by time.

    Attributes
    ----------
    event_times_s, event_neurons : ndarray
        Time and neuron of each event (the first spike of the event).
    event_n_spikes : ndarray of int
        Spikes in each event (1 = isolated spike, >= 2 = burst).
    burst_times_s, burst_neurons : ndarray
        Time of the second spike and neuron of each burst.
    burst_event : ndarray of int
        Index into the event arrays of the event each burst belongs to.
    is_event, is_burst_start : ndarray of bool
        Per spike of the input (in its sorted order): event spike / burst-counting second spike.
    """

    event_times_s: np.ndarray
    event_neurons: np.ndarray
    event_n_spikes: np.ndarray
    burst_times_s: np.ndarray
    burst_neurons: np.ndarray
    burst_event: np.ndarray
    is_event: np.ndarray
    is_burst_start: np.ndarray

    @property
    def burst_event_times_s(self) -> np.ndarray:
        """Time of the event (first spike) of each burst."""
        return self.event_times_s[self.burst_event]


def _sorted_by_neuron(spikes: SpikeData):
    order = np.lexsort((spikes.times_s, spikes.indices))  # by neuron, then time
    t, n = spikes.times_s[order], spikes.indices[order]
    new_neuron = np.ones(t.size, dtype=bool)
    new_neuron[1:] = n[1:] != n[:-1]
    return order, t, n, new_neuron


def _trace_before(t: np.ndarray, new_neuron: np.ndarray, tau_s: float) -> np.ndarray:
    """Trace value just before each spike (sorted by neuron, then time): x_k = (x_{k-1} + 1)
    exp(-(t_k - t_{k-1})/tau), 0 at a neuron's first spike. The recursion runs over the spike's
    rank within its neuron's train, vectorised across neurons."""
    x = np.zeros(t.size)
    if t.size < 2:
        return x
    elapsed = np.full(t.size, np.inf)
    elapsed[1:] = t[1:] - t[:-1]
    elapsed[new_neuron] = np.inf  # a neuron's first spike: empty trace
    decay = np.exp(-elapsed / tau_s)
    starts = np.nonzero(new_neuron)[0]
    rank = np.arange(t.size) - np.repeat(starts, np.diff(np.append(starts, t.size)))
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(1, rank.max() + 2))
    for r in range(1, rank.max() + 1):
        idx = by_rank[bounds[r - 1]:bounds[r]]
        x[idx] = (x[idx - 1] + 1.0) * decay[idx]
    return x


def trace_before_spikes(spikes: SpikeData, tau_s: float = BURST_ISI_S) -> np.ndarray:
    """The reference monitor's per-neuron spike trace just before each spike (same order as
    ``spikes``): the sum of exp(-(t - t_j)/tau_s) over the neuron's earlier spikes t_j.

    Examples
    --------
    >>> spikes = SpikeData.from_trains([[0.0, 0.016]], 0.0, 1.0)
    >>> round(float(trace_before_spikes(spikes)[1]), 6)  # e^-1
    0.367879
    """
    if not tau_s > 0:
        raise ValueError(f"tau_s must be > 0 seconds; got {tau_s}")
    order, t, _, new_neuron = _sorted_by_neuron(spikes)
    out = np.empty(t.size)
    out[order] = _trace_before(t, new_neuron, float(tau_s))
    return out


def decompose(spikes: SpikeData, burst_isi_s: float = BURST_ISI_S,
              rule: str = DEFAULT_EVENT_RULE) -> Decomposition:
    """Split spikes into events and bursts by the trace rule or the interval rule.

    Parameters
    ----------
    spikes : SpikeData
    burst_isi_s : float
        Time scale in seconds (> 0): the trace's time constant (``rule="trace"``), or the
        interval criterion (``rule="isi"``: intervals ``<= burst_isi_s`` continue a burst).
    rule : {"trace", "isi"}
        Event/burst rule, see the module docstring. ``"trace"`` is the reference code's.

    Returns
    -------
    Decomposition

    Examples
    --------
    >>> spikes = SpikeData.from_trains([[0.1, 0.11, 0.12], [0.5]], 0.0, 1.0)
    >>> decompose(spikes).event_n_spikes.tolist()
    [3, 1]
    """
    if not burst_isi_s > 0:
        raise ValueError(f"burst_isi_s must be > 0 seconds; got {burst_isi_s}")
    check_event_rule(rule)
    order, t, n, new_neuron = _sorted_by_neuron(spikes)
    if rule == "isi":
        isi = np.full(t.size, np.inf)
        isi[1:] = t[1:] - t[:-1]
        isi[new_neuron] = np.inf
        event_sorted = isi > burst_isi_s + ISI_TOLERANCE_S
    else:
        # the tolerance moves a tie (trace exactly e^-1) to the event side, as in the reference
        event_sorted = _trace_before(t, new_neuron, float(burst_isi_s)) < TRACE_THRESHOLD
    event_id = np.cumsum(event_sorted) - 1  # each spike's event (a neuron's first spike is an event)
    n_events = int(event_sorted.sum())
    n_spikes = np.bincount(event_id, minlength=n_events) if t.size else np.zeros(0, int)
    first = np.nonzero(event_sorted)[0]
    burst_start_sorted = np.zeros(t.size, dtype=bool)
    is_burst = n_spikes >= 2
    burst_start_sorted[first[is_burst] + 1] = True
    # back to the time order of the input
    is_event = np.empty(t.size, dtype=bool)
    is_event[order] = event_sorted
    is_burst_start = np.empty(t.size, dtype=bool)
    is_burst_start[order] = burst_start_sorted
    ev_t, ev_n = t[first], n[first]
    ev_order = np.lexsort((ev_n, ev_t))
    rank = np.empty(n_events, dtype=np.int64)
    rank[ev_order] = np.arange(n_events)
    b_idx = first[is_burst] + 1
    b_t, b_n, b_event = t[b_idx], n[b_idx], rank[np.nonzero(is_burst)[0]]
    b_order = np.lexsort((b_n, b_t))
    return Decomposition(event_times_s=ev_t[ev_order], event_neurons=ev_n[ev_order],
                         event_n_spikes=n_spikes[ev_order], burst_times_s=b_t[b_order],
                         burst_neurons=b_n[b_order], burst_event=b_event[b_order],
                         is_event=is_event, is_burst_start=is_burst_start)


#: Spike times on the time grid (k * dt) and bin edges (j * bin width) that are the same grid
#: point can differ by a rounding error either way (1500 * 1e-4 vs 3 * 0.05); times are moved
#: this much later before binning, so that a spike on an edge falls into the bin it starts, as
#: the online detector counts it. 1 ns is far below any time step.
_EDGE_GUARD_S = 1e-9


def _bin_counts(times, neurons, unit_of_neuron, n_units, edges):
    units = unit_of_neuron[neurons] if neurons.size else np.zeros(0, int)
    counts, _, _ = np.histogram2d(units, np.asarray(times, dtype=float) + _EDGE_GUARD_S,
                                  bins=[np.arange(n_units + 1) - 0.5, edges])
    return counts


def _gaussian_smooth(counts: np.ndarray, sigma_bins: float) -> np.ndarray:
    half = int(np.ceil(4 * sigma_bins))
    x = np.arange(-half, half + 1)
    kernel = np.exp(-0.5 * (x / sigma_bins) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(counts, ((0, 0), (half, half)), mode="edge")
    return np.stack([np.convolve(row, kernel, mode="valid") for row in padded])


def unit_rates(spikes: SpikeData, bin_width_s: float, t_start_s: float | None = None,
               t_stop_s: float | None = None, burst_isi_s: float = BURST_ISI_S, burst_time: str = "event",
               smoothing_s: float | None = None, rule: str = DEFAULT_EVENT_RULE) -> xr.Dataset:
    """Event rate E(t), burst rate B(t) and burst probability P(t) of each unit, in bins.

    Parameters
    ----------
    spikes : SpikeData
        Events and bursts are detected over the whole recording, then binned.
    bin_width_s : float
        Bin width in seconds; the window is cut into whole bins from ``t_start_s``.
    t_start_s, t_stop_s : float, optional
        Window (default: the recording's).
    burst_isi_s : float
        Time scale of the event rule (seconds).
    burst_time : {"event", "second_spike"}
        Where a burst is counted: in the bin of its event (event-aligned, keeps P <= 1 per bin)
        or of its second spike (the online detector's convention).
    smoothing_s : float, optional
        Standard deviation (seconds) of a Gaussian kernel applied to the event and burst counts
        before the division.
    rule : {"trace", "isi"}
        Event/burst rule (see :func:`decompose`); ``"trace"`` is the reference code's.

    Returns
    -------
    xarray.Dataset
        Variables ``event_rate`` and ``burst_rate`` (Hz) and ``burst_probability`` (1; NaN where
        there is no event), dims ``(unit, time)``; coordinate ``time`` = bin centres (s),
        ``n_neurons`` per unit; attrs with units and settings.

    Examples
    --------
    >>> spikes = SpikeData.from_trains([[0.01, 0.015], [0.5]], 0.0, 1.0)
    >>> ds = unit_rates(spikes, bin_width_s=0.5)
    >>> ds.event_rate.values.tolist(), ds.burst_probability.values.tolist()
    ([[1.0, 1.0]], [[1.0, 0.0]])
    """
    if not bin_width_s > 0:
        raise ValueError(f"bin_width_s must be > 0 seconds; got {bin_width_s}")
    if burst_time not in ("event", "second_spike"):
        raise ValueError(f"burst_time must be 'event' or 'second_spike'; got {burst_time!r}")
    start = spikes.t_start_s if t_start_s is None else float(t_start_s)
    stop = spikes.t_stop_s if t_stop_s is None else float(t_stop_s)
    n_bins = int(np.floor((stop - start) / bin_width_s + 1e-9))
    if n_bins < 1:
        raise ValueError(f"window [{start}, {stop}) s is shorter than one bin of {bin_width_s} s")
    edges = start + bin_width_s * np.arange(n_bins + 1)
    d = decompose(spikes, burst_isi_s, rule)
    n_units = spikes.n_units
    events = _bin_counts(d.event_times_s, d.event_neurons, spikes.unit_of_neuron, n_units, edges)
    b_times = d.burst_event_times_s if burst_time == "event" else d.burst_times_s
    bursts = _bin_counts(b_times, d.burst_neurons, spikes.unit_of_neuron, n_units, edges)
    if smoothing_s:
        events = _gaussian_smooth(events, smoothing_s / bin_width_s)
        bursts = _gaussian_smooth(bursts, smoothing_s / bin_width_s)
    per_unit = spikes.neurons_per_unit.astype(float)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        event_rate = events / (per_unit * bin_width_s)
        burst_rate = bursts / (per_unit * bin_width_s)
        burst_probability = np.where(events > 0, bursts / np.where(events > 0, events, 1), np.nan)
    coords = {"unit": np.arange(n_units), "time": 0.5 * (edges[:-1] + edges[1:]),
              "n_neurons": ("unit", spikes.neurons_per_unit)}
    attrs = {"bin_width_s": bin_width_s, "burst_isi_s": burst_isi_s, "event_rule": rule, "burst_time": burst_time,
             "smoothing_s": smoothing_s or 0.0, "t_start_s": start, "t_stop_s": stop}
    ds = xr.Dataset({"event_rate": (("unit", "time"), event_rate, {"units": "Hz"}),
                     "burst_rate": (("unit", "time"), burst_rate, {"units": "Hz"}),
                     "burst_probability": (("unit", "time"), burst_probability, {"units": "1"}),
                     "event_count": (("unit", "time"), events, {"units": "1"}),
                     "burst_count": (("unit", "time"), bursts, {"units": "1"})}, coords=coords, attrs=attrs)
    ds.time.attrs["units"] = "s"
    return ds


def moving_average_rates(spikes: SpikeData, tau_avg_s: float, dt_s: float = 1e-3,
                         burst_isi_s: float = BURST_ISI_S, rule: str = DEFAULT_EVENT_RULE) -> xr.Dataset:
    """Exponential moving averages of each unit's event and burst rates, as in the learning rule.

    Each event (burst) adds ``1/tau_avg_s`` to the unit-averaged trace E-bar (B-bar), which decays
    with ``tau_avg_s``; the moving-average burst probability is P-bar = B-bar/E-bar. Bursts are
    counted at their second spike, as an online trace would. ``burst_isi_s`` and ``rule`` select
    the event/burst rule as in :func:`decompose`.

    Returns
    -------
    xarray.Dataset
        ``event_rate_avg``, ``burst_rate_avg`` (Hz) and ``burst_probability_avg`` at the ends
        of the bins of width ``dt_s``, dims ``(unit, time)``. Exact for events at bin starts;
        otherwise events are moved to their bin's start (relative error < dt_s/tau_avg_s).

    Examples
    --------
    >>> spikes = SpikeData.from_trains([[0.1]], 0.0, 1.0)
    >>> ds = moving_average_rates(spikes, tau_avg_s=0.5, dt_s=0.1)
    >>> round(float(ds.event_rate_avg.sel(unit=0, time=0.2, method="nearest")), 6)  # e^(-0.1/0.5)/0.5
    1.637462
    """
    if not tau_avg_s > 0 or not dt_s > 0:
        raise ValueError("tau_avg_s and dt_s must be > 0 seconds")
    n_steps = int(np.ceil(spikes.duration_s / dt_s - 1e-9))
    edges = spikes.t_start_s + dt_s * np.arange(n_steps + 1)
    d = decompose(spikes, burst_isi_s, rule)
    events = _bin_counts(d.event_times_s, d.event_neurons, spikes.unit_of_neuron, spikes.n_units, edges)
    bursts = _bin_counts(d.burst_times_s, d.burst_neurons, spikes.unit_of_neuron, spikes.n_units, edges)
    decay = np.exp(-dt_s / tau_avg_s)
    per_unit = spikes.neurons_per_unit.astype(float)[:, None]

    def trace(counts):
        out = np.empty_like(counts)
        acc = np.zeros(counts.shape[0])
        for k in range(counts.shape[1]):
            acc = (acc + counts[:, k]) * decay  # value at the end of bin k
            out[:, k] = acc
        return out / (per_unit * tau_avg_s)

    e_avg, b_avg = trace(events), trace(bursts)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_avg = np.where(e_avg > 0, b_avg / np.where(e_avg > 0, e_avg, 1), np.nan)
    coords = {"unit": np.arange(spikes.n_units), "time": edges[1:]}
    return xr.Dataset({"event_rate_avg": (("unit", "time"), e_avg, {"units": "Hz"}),
                       "burst_rate_avg": (("unit", "time"), b_avg, {"units": "Hz"}),
                       "burst_probability_avg": (("unit", "time"), p_avg, {"units": "1"})},
                      coords=coords, attrs={"tau_avg_s": tau_avg_s, "dt_s": dt_s, "burst_isi_s": burst_isi_s,
                                                "event_rule": rule})
