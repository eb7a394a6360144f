"""From micro states (which neurons fired) to meso states (rates) and a meso unit that stands in
for a spiking ensemble. Pure numpy/scipy; no brian2 import, so it works on recorded data.

Definitions (one unit = one ensemble of N neurons, a window ``[t_start_s, t_stop_s)`` of length T):

*Meso state*
    Event rate E = events/(N T), burst rate B = bursts/(N T) and burst probability P = B/E, with
    events and bursts from :func:`spiking.decoding.decompose` (rule ``"trace"`` by default, the
    reference code's). A burst is counted with its event: it belongs to the window in which its
    event (first spike) starts, so 0 <= P <= 1 in every window.
*Micro state*
    For consecutive windows of length ``window_s``, the binary vector over the unit's N neurons
    saying which neurons had an event (``kind="event"``) or a burst (``kind="burst"``) starting
    in the window. Its distribution over windows has a plug-in entropy (bits) and a
    Miller-Madow bias-corrected one; the plug-in value can never exceed log2(number of windows).
    For comparison, N independent Bernoulli neurons that are active with the observed probability
    q per window have N H_b(q) bits, the *capacity* of N neurons at that meso state.
*Meso unit*
    Two static nonlinearities fitted to the ensemble's transfer curves, the event rate
    E(I_s) = e_max sigmoid((I_s - i_half)/slope) and the burst probability
    P(I_d) = p_min + (p_max - p_min) sigmoid((I_d - i_half)/slope), applied to the somatic and
    dendritic currents after a first-order low-pass with time constant tau (the ensemble does not
    follow a current step at once: membrane and the 16 ms event rule smooth it); optionally the
    somatic drive gets a transient of zero mean (fast minus slow low-pass) for the onset
    overshoot that spike-frequency adaptation causes (:class:`MesoUnit`).
    :func:`spiking.meso.functions.sigmoid` is the nonlinearity of the rate model; the fitted
    parameters convert to its (weight, bias) form (:attr:`EventRateTransfer.weight_per_pA`).

Examples
--------
>>> from spiking.spikes import SpikeData
>>> spikes = SpikeData.from_trains([[0.010, 0.015], [0.030], []], 0.0, 0.1)
>>> state = meso_state(spikes, 0.0, 0.1)
>>> round(state.event_rate_hz, 3), round(state.burst_probability, 3)
(6.667, 0.5)
>>> micro = micro_states(spikes, window_s=0.02, t_start_s=0.0, t_stop_s=0.06)
>>> micro.patterns.astype(int).tolist(), micro.n_distinct
([[1, 0, 0], [0, 1, 0], [0, 0, 0]], 3)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from spiking.decoding import BURST_ISI_S, DEFAULT_EVENT_RULE, check_event_rule, decompose
from spiking.meso.functions import sigmoid
from spiking.spikes import SpikeData

__all__ = ["MesoState", "meso_state", "MicroStates", "micro_states", "select_neurons", "entropy_bits",
           "binary_entropy_bits", "EventRateTransfer", "BurstProbabilityTransfer", "fit_event_rate_transfer",
           "fit_burst_probability_transfer", "MesoUnit", "MesoTimeCourse", "MICRO_KINDS"]

#: What a micro state records per neuron and window.
MICRO_KINDS = ("event", "burst")
#: Spike times on a simulation grid and window edges that are the same grid point may differ by
#: a rounding error either way; times are moved this much later before windowing, so that a
#: spike on an edge falls into the window it starts (as in spiking.decoding). Far below any dt.
_EDGE_GUARD_S = 1e-9


# -- selection and checks ------------------------------------------------------------------------
def _check_window(t_start_s: float, t_stop_s: float) -> tuple[float, float]:
    t_start_s, t_stop_s = float(t_start_s), float(t_stop_s)
    if not np.isfinite(t_start_s) or not np.isfinite(t_stop_s) or not t_stop_s > t_start_s:
        raise ValueError(f"t_stop_s must be finite and > t_start_s; got [{t_start_s}, {t_stop_s}) s")
    return t_start_s, t_stop_s


def _neurons_of_unit(spikes: SpikeData, unit: int) -> np.ndarray:
    n_units = spikes.n_units
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < n_units:
        raise ValueError(f"unit must be an integer in [0, {n_units - 1}] (the recording has {n_units} units); "
                         f"got {unit!r}")
    neurons = np.flatnonzero(spikes.unit_of_neuron == unit)
    if neurons.size == 0:
        raise ValueError(f"unit {unit} has no neurons in this recording")
    return neurons


def select_neurons(spikes: SpikeData, neurons) -> SpikeData:
    """The spikes of the given neurons only, renumbered ``0..len(neurons)-1`` in the given order.

    Each kept neuron keeps its unit label (so a sub-sample of unit 2 is still unit 2, and units
    0 and 1 are then empty). Use it to sub-sample an ensemble.

    Parameters
    ----------
    spikes : SpikeData
    neurons : array_like of int
        Distinct neuron indices in ``[0, spikes.n_neurons)``.

    Returns
    -------
    SpikeData

    Examples
    --------
    >>> spikes = SpikeData.from_trains([[0.1], [0.2], [0.3]], 0.0, 1.0)
    >>> sub = select_neurons(spikes, [2, 0])
    >>> sub.times_s.tolist(), sub.indices.tolist(), sub.n_neurons
    ([0.1, 0.3], [1, 0], 2)
    """
    neurons = np.asarray(neurons)
    if neurons.ndim != 1 or (neurons.size and not np.issubdtype(neurons.dtype, np.integer)):
        raise ValueError("neurons must be a 1-D array of integer neuron indices")
    if neurons.size and (neurons.min() < 0 or neurons.max() >= spikes.n_neurons):
        raise ValueError(f"neurons must lie in [0, {spikes.n_neurons}); got [{neurons.min()}, {neurons.max()}]")
    if np.unique(neurons).size != neurons.size:
        raise ValueError("neurons must be distinct")
    new_index = np.full(spikes.n_neurons, -1, dtype=np.int64)
    new_index[neurons] = np.arange(neurons.size)
    keep = new_index[spikes.indices] >= 0
    return SpikeData(spikes.times_s[keep], new_index[spikes.indices[keep]], int(neurons.size), spikes.t_start_s,
                     spikes.t_stop_s, spikes.unit_of_neuron[neurons])


# -- meso state ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MesoState:
    """A unit's meso state in one window (see the module docstring for the definitions).

    Attributes
    ----------
    event_rate_hz, burst_rate_hz : float
        Events and bursts per neuron and second.
    burst_probability : float
        Bursts per event (NaN when there is no event).
    n_events, n_bursts, n_neurons : int
    duration_s : float
    """

    event_rate_hz: float
    burst_rate_hz: float
    burst_probability: float
    n_events: int
    n_bursts: int
    n_neurons: int
    duration_s: float


def meso_state(spikes: SpikeData, t_start_s: float, t_stop_s: float, unit: int = 0,
               rule: str = DEFAULT_EVENT_RULE, burst_isi_s: float = BURST_ISI_S) -> MesoState:
    """Event rate, burst rate and burst probability of one unit in ``[t_start_s, t_stop_s)``.

    Events and bursts are detected over the whole recording (so that the spike history before
    the window classifies the first spikes in it); an event counts when it starts in the window,
    a burst when its event does.

    Parameters
    ----------
    spikes : SpikeData
    t_start_s, t_stop_s : float
        Window in seconds.
    unit : int
        Unit index in ``[0, spikes.n_units)``.
    rule : {"trace", "isi"}
        Event/burst rule of :func:`spiking.decoding.decompose`.
    burst_isi_s : float
        Time scale of the rule (seconds).

    Returns
    -------
    MesoState

    Examples
    --------
    Two neurons over 0.5 s: a doublet (one event, one burst) and two single spikes.

    >>> spikes = SpikeData.from_trains([[0.100, 0.106], [0.2, 0.4]], 0.0, 1.0)
    >>> s = meso_state(spikes, 0.0, 0.5)
    >>> s.n_events, s.n_bursts, s.event_rate_hz, s.burst_rate_hz, round(s.burst_probability, 4)
    (3, 1, 3.0, 1.0, 0.3333)
    """
    t_start_s, t_stop_s = _check_window(t_start_s, t_stop_s)
    check_event_rule(rule)
    neurons = _neurons_of_unit(spikes, unit)
    d = decompose(select_neurons(spikes, neurons), burst_isi_s, rule)
    ev_t = d.event_times_s + _EDGE_GUARD_S
    in_window = (ev_t >= t_start_s) & (ev_t < t_stop_s)
    n_events = int(in_window.sum())
    n_bursts = int(np.count_nonzero(in_window & (d.event_n_spikes >= 2)))
    duration = t_stop_s - t_start_s
    return MesoState(event_rate_hz=n_events / (neurons.size * duration),
                     burst_rate_hz=n_bursts / (neurons.size * duration),
                     burst_probability=n_bursts / n_events if n_events else float("nan"),
                     n_events=n_events, n_bursts=n_bursts, n_neurons=int(neurons.size), duration_s=duration)


# -- micro states --------------------------------------------------------------------------------
def entropy_bits(counts) -> float:
    """Plug-in (maximum-likelihood) entropy in bits of a distribution given by counts.

    Examples
    --------
    >>> entropy_bits([2, 1])  # H(2/3, 1/3)
    0.9182958340544896
    >>> entropy_bits([5])
    0.0
    """
    counts = np.asarray(counts, dtype=float)
    counts = counts[counts > 0]
    if counts.size == 0:
        raise ValueError("counts must contain at least one positive count")
    p = counts / counts.sum()
    return float(max(0.0, -np.sum(p * np.log2(p))))


def binary_entropy_bits(q) -> np.ndarray | float:
    """Entropy in bits of a Bernoulli variable with probability ``q`` (0 at q = 0 and q = 1).

    Examples
    --------
    >>> binary_entropy_bits(0.5), binary_entropy_bits(0.0)
    (1.0, 0.0)
    """
    q = np.asarray(q, dtype=float)
    if np.any((q < 0) | (q > 1)):
        raise ValueError("q must lie in [0, 1]")
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(np.where(q > 0, q * np.log2(q), 0.0) + np.where(q < 1, (1 - q) * np.log2(1 - q), 0.0))
    h = h + 0.0  # -0.0 -> 0.0
    return float(h) if h.ndim == 0 else h


@dataclasses.dataclass(frozen=True)
class MicroStates:
    """Micro states of one unit in consecutive windows, and their diversity.

    Attributes
    ----------
    patterns : ndarray of bool, shape (n_windows, n_neurons)
        ``patterns[k, i]``: neuron ``i`` of the unit (in index order) had an event (or a burst)
        starting in window ``k``.
    window_starts_s : ndarray
        Start of each window (seconds).
    window_s : float
    kind : str
        ``"event"`` or ``"burst"``.
    n_distinct : int
        Number of distinct patterns observed.
    entropy_bits : float
        Plug-in entropy of the pattern distribution; at most ``max_entropy_bits``.
    entropy_miller_madow_bits : float
        ``entropy_bits + (n_distinct - 1)/(2 n_windows ln 2)``, the first-order bias correction.
    max_entropy_bits : float
        log2(n_windows), the largest plug-in entropy ``n_windows`` samples can show.
    active_fraction : float
        q, the fraction of (window, neuron) pairs that are active.
    independent_capacity_bits : float
        N H_b(q): entropy of N independent neurons, each active with probability q per window.
    """

    patterns: np.ndarray
    window_starts_s: np.ndarray
    window_s: float
    kind: str
    n_distinct: int
    entropy_bits: float
    entropy_miller_madow_bits: float
    max_entropy_bits: float
    active_fraction: float
    independent_capacity_bits: float

    @property
    def n_windows(self) -> int:
        return int(self.patterns.shape[0])

    @property
    def n_neurons(self) -> int:
        return int(self.patterns.shape[1])


def _pattern_counts(patterns: np.ndarray) -> np.ndarray:
    """Occurrences of each distinct row of a boolean matrix."""
    if patterns.shape[1] == 0:
        return np.array([patterns.shape[0]])
    packed = np.ascontiguousarray(np.packbits(patterns, axis=1))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, counts = np.unique(rows, return_counts=True)
    return counts


def micro_states(spikes: SpikeData, window_s: float, t_start_s: float, t_stop_s: float, unit: int = 0,
                 kind: str = "event", rule: str = DEFAULT_EVENT_RULE,
                 burst_isi_s: float = BURST_ISI_S) -> MicroStates:
    """Binary micro states (who had an event, or a burst) in consecutive windows, and their entropy.

    The span ``[t_start_s, t_stop_s)`` is cut into ``floor((t_stop_s - t_start_s)/window_s)``
    whole windows from ``t_start_s`` (a remainder shorter than a window is dropped). Events and
    bursts are detected over the whole recording; an event belongs to the window in which it
    starts, a burst to the window in which its event starts.

    The plug-in entropy is bounded by log2(n_windows): when nearly every window shows a new
    pattern (large N, long windows) it measures the number of windows, not the ensemble, and
    ``independent_capacity_bits`` (N H_b(q)) is the better guide to how much the micro state
    can hold. The Miller-Madow term corrects the plug-in value's downward bias only to first
    order and is unreliable when ``n_distinct`` approaches ``n_windows``.

    Parameters
    ----------
    spikes : SpikeData
    window_s : float
        Window length in seconds (> 0, at most the span).
    t_start_s, t_stop_s : float
        Span in seconds.
    unit : int
        Unit index in ``[0, spikes.n_units)``; its neurons in index order form the pattern.
    kind : {"event", "burst"}
    rule : {"trace", "isi"}
        Event/burst rule of :func:`spiking.decoding.decompose`.
    burst_isi_s : float
        Time scale of the rule (seconds).

    Returns
    -------
    MicroStates

    Examples
    --------
    Two neurons, three 20 ms windows with patterns (1, 0), (1, 0), (0, 1): two distinct
    patterns with probabilities 2/3 and 1/3, H = 0.918 bits.

    >>> spikes = SpikeData.from_trains([[0.001, 0.021], [0.045]], 0.0, 0.06)
    >>> m = micro_states(spikes, 0.02, 0.0, 0.06)
    >>> m.patterns.astype(int).tolist(), m.n_distinct, round(m.entropy_bits, 4)
    ([[1, 0], [1, 0], [0, 1]], 2, 0.9183)
    >>> spikes = SpikeData.from_trains([[0.001, 0.011], [0.025]], 0.0, 0.03)  # 10 ms: a burst
    >>> micro_states(spikes, 0.01, 0.0, 0.03, kind="burst").patterns.astype(int).tolist()
    [[1, 0], [0, 0], [0, 0]]
    """
    if kind not in MICRO_KINDS:
        raise ValueError(f"kind must be one of {MICRO_KINDS}; got {kind!r}")
    t_start_s, t_stop_s = _check_window(t_start_s, t_stop_s)
    window_s = float(window_s)
    span = t_stop_s - t_start_s
    if not (np.isfinite(window_s) and 0 < window_s <= span * (1 + 1e-9)):
        raise ValueError(f"window_s must be in (0, {span}] seconds (the span t_stop_s - t_start_s); got {window_s}")
    check_event_rule(rule)
    neurons = _neurons_of_unit(spikes, unit)
    d = decompose(select_neurons(spikes, neurons), burst_isi_s, rule)
    n_windows = int(np.floor(span / window_s + 1e-9))
    if kind == "event":
        times, who = d.event_times_s, d.event_neurons
    else:
        times, who = d.burst_event_times_s, d.burst_neurons
    k = np.floor((times + _EDGE_GUARD_S - t_start_s) / window_s).astype(np.int64)
    inside = (times + _EDGE_GUARD_S >= t_start_s) & (k >= 0) & (k < n_windows)
    patterns = np.zeros((n_windows, neurons.size), dtype=bool)
    patterns[k[inside], who[inside]] = True
    counts = _pattern_counts(patterns)
    h = entropy_bits(counts)
    q = float(patterns.mean())
    return MicroStates(patterns=patterns, window_starts_s=t_start_s + window_s * np.arange(n_windows),
                       window_s=window_s, kind=kind, n_distinct=int(counts.size), entropy_bits=h,
                       entropy_miller_madow_bits=h + (counts.size - 1) / (2 * n_windows * np.log(2)),
                       max_entropy_bits=float(np.log2(n_windows)), active_fraction=q,
                       independent_capacity_bits=float(neurons.size * binary_entropy_bits(q)))


# -- transfer functions --------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class EventRateTransfer:
    """E(I_s) = e_max_hz * sigmoid((I_s - i_half_pA)/slope_pA), in Hz for I_s in pA.

    Attributes
    ----------
    e_max_hz : float
        Saturating event rate (the trace rule allows fewer than 1/16 ms = 62.5 events/s).
    i_half_pA, slope_pA : float
        Current of half-maximal rate and the current scale of the rise (> 0).
    rmse_hz : float
        Root-mean-square residual of the fit (NaN when not fitted).

    Examples
    --------
    >>> f = EventRateTransfer(e_max_hz=40.0, i_half_pA=500.0, slope_pA=100.0)
    >>> float(f(500.0)), round(f.weight_per_pA * 500.0 + f.bias, 12)
    (20.0, 0.0)
    """

    e_max_hz: float
    i_half_pA: float
    slope_pA: float
    rmse_hz: float = float("nan")

    def __call__(self, i_s_pA):
        return self.e_max_hz * sigmoid((np.asarray(i_s_pA, dtype=float) - self.i_half_pA) / self.slope_pA)

    @property
    def weight_per_pA(self) -> float:
        """w of the rate model's h = sigmoid(w I_s + b), h = E/e_max (1/pA)."""
        return 1.0 / self.slope_pA

    @property
    def bias(self) -> float:
        """b of the rate model's h = sigmoid(w I_s + b)."""
        return -self.i_half_pA / self.slope_pA


@dataclasses.dataclass(frozen=True)
class BurstProbabilityTransfer:
    """P(I_d) = p_min + (p_max - p_min) sigmoid((I_d - i_half_pA)/slope_pA), for I_d in pA.

    Attributes
    ----------
    p_min, p_max : float
        Burst probability far below and far above the rise (in [0, 1]).
    i_half_pA, slope_pA : float
        Midpoint and current scale of the rise (> 0).
    rmse : float
        Root-mean-square residual of the fit (NaN when not fitted).

    Examples
    --------
    >>> f = BurstProbabilityTransfer(p_min=0.0, p_max=0.8, i_half_pA=50.0, slope_pA=60.0)
    >>> float(f(50.0))
    0.4
    """

    p_min: float
    p_max: float
    i_half_pA: float
    slope_pA: float
    rmse: float = float("nan")

    def __call__(self, i_d_pA):
        x = (np.asarray(i_d_pA, dtype=float) - self.i_half_pA) / self.slope_pA
        return self.p_min + (self.p_max - self.p_min) * sigmoid(x)


def _clean_xy(x, y, name_x: str, name_y: str, n_min: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"{name_x} and {name_y} must have the same length; got {x.size} and {y.size}")
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if np.unique(x).size < n_min:
        raise ValueError(f"need at least {n_min} distinct finite {name_x} values to fit {n_min} parameters; "
                         f"got {np.unique(x).size}")
    return x, y


def fit_event_rate_transfer(i_s_pA, er_hz, e_max_bound_hz: float = 1.0 / BURST_ISI_S) -> EventRateTransfer:
    """Least-squares fit of E(I_s) = e_max sigmoid((I_s - i_half)/slope) to a measured curve.

    Points with a non-finite value are dropped. ``e_max`` is bounded by ``e_max_bound_hz``
    (default 1/16 ms: the trace rule needs more than 16 ms between events), which keeps the fit
    physical when the data show only the rising, nearly linear part of the curve (then ``e_max``
    and ``i_half`` are poorly determined separately, but the curve over the data is not).

    Parameters
    ----------
    i_s_pA : array_like
        Somatic currents (pA); at least 3 distinct values.
    er_hz : array_like
        Event rate at each current (Hz).
    e_max_bound_hz : float
        Upper bound of ``e_max`` (Hz).

    Returns
    -------
    EventRateTransfer

    Examples
    --------
    >>> true = EventRateTransfer(30.0, 400.0, 150.0)
    >>> i = np.linspace(0, 900, 10)
    >>> fit = fit_event_rate_transfer(i, true(i))
    >>> round(fit.e_max_hz, 3), round(fit.i_half_pA, 2), round(fit.slope_pA, 2)
    (30.0, 400.0, 150.0)
    """
    from scipy.optimize import curve_fit

    x, y = _clean_xy(i_s_pA, er_hz, "i_s_pA", "er_hz", 3)
    if not e_max_bound_hz > 0:
        raise ValueError(f"e_max_bound_hz must be > 0; got {e_max_bound_hz}")
    span = max(float(np.ptp(x)), 1e-9)
    e0 = min(max(float(y.max()) * 1.2, 1e-3), e_max_bound_hz * 0.999)
    above = x[y >= 0.5 * y.max()]
    guess = [e0, float(above.min()) if above.size else float(np.median(x)), span / 4]

    def model(i, e_max, i_half, slope):
        return e_max * sigmoid((i - i_half) / slope)

    popt, _ = curve_fit(model, x, y, p0=guess, maxfev=20000,
                        bounds=([0.0, x.min() - 10 * span, span * 1e-3], [e_max_bound_hz, x.max() + 10 * span, 10 * span]))
    rmse = float(np.sqrt(np.mean((model(x, *popt) - y) ** 2)))
    return EventRateTransfer(float(popt[0]), float(popt[1]), float(popt[2]), rmse)


def fit_burst_probability_transfer(i_d_pA, bp) -> BurstProbabilityTransfer:
    """Least-squares fit of P(I_d) = p_min + (p_max - p_min) sigmoid((I_d - i_half)/slope).

    Points with a non-finite value (e.g. P where no event occurred) are dropped; ``p_min`` and
    ``p_max`` are bounded to [0, 1] and ``slope`` to positive values, so ``p_max < p_min`` would
    describe a falling curve.

    Parameters
    ----------
    i_d_pA : array_like
        Dendritic currents (pA); at least 4 distinct values.
    bp : array_like
        Burst probability (fraction, not per cent) at each current.

    Returns
    -------
    BurstProbabilityTransfer

    Examples
    --------
    >>> true = BurstProbabilityTransfer(0.02, 0.8, 50.0, 70.0)
    >>> i = np.linspace(-400, 300, 8)
    >>> fit = fit_burst_probability_transfer(i, true(i))
    >>> round(fit.p_min, 3), round(fit.p_max, 3), round(fit.i_half_pA, 1), round(fit.slope_pA, 1)
    (0.02, 0.8, 50.0, 70.0)
    """
    from scipy.optimize import curve_fit

    x, y = _clean_xy(i_d_pA, bp, "i_d_pA", "bp", 4)
    if np.any((y < 0) | (y > 1)):
        raise ValueError("bp must be burst probabilities in [0, 1] (a fraction, not per cent)")
    span = max(float(np.ptp(x)), 1e-9)
    order = np.argsort(x)
    lo, hi = float(y[order][0]), float(y[order][-1])
    middle = x[np.argmin(np.abs(y - 0.5 * (lo + hi)))]
    guess = [min(lo, hi), max(lo, hi), float(middle), span / 8]

    def model(i, p_min, p_max, i_half, slope):
        return p_min + (p_max - p_min) * sigmoid((i - i_half) / slope)

    popt, _ = curve_fit(model, x, y, p0=guess, maxfev=20000,
                        bounds=([0.0, 0.0, x.min() - 10 * span, span * 1e-3], [1.0, 1.0, x.max() + 10 * span, 10 * span]))
    rmse = float(np.sqrt(np.mean((model(x, *popt) - y) ** 2)))
    return BurstProbabilityTransfer(float(popt[0]), float(popt[1]), float(popt[2]), float(popt[3]), rmse)


# -- meso unit -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class MesoTimeCourse:
    """Output of :meth:`MesoUnit.run`: values at ``t_s`` (the sample times of the input).

    Attributes
    ----------
    t_s : ndarray
    event_rate_hz, burst_probability, burst_rate_hz : ndarray
        E(t), P(t) and B(t) = E(t) P(t).
    """

    t_s: np.ndarray
    event_rate_hz: np.ndarray
    burst_probability: np.ndarray
    burst_rate_hz: np.ndarray


@dataclasses.dataclass(frozen=True)
class MesoUnit:
    """A rate-level stand-in for an ensemble driven by somatic and dendritic currents.

    Each current is passed through a first-order low-pass L_tau, tau dx/dt = I(t) - x (integrated
    exactly for inputs held constant over each step), and then through its transfer function:

    * E(t) = max(0, E_ss(t) + adaptation_gain (E_ss(t) - L_adapt(E_ss)(t))), with the
      steady-state rate E_ss(t) = event_rate_transfer(L_tau(I_s)(t)) and L_adapt a slower
      low-pass (``adaptation_tau_s``). The added term is zero in a steady state, so the fitted
      (adapted, steady-state) transfer curve is kept; after a step it adds an onset overshoot
      proportional to the change of the steady rate (and an undershoot after a step down) that
      decays with ``adaptation_tau_s``, as spike-frequency adaptation does (the neuron's w_s,
      tau_ws = 100 ms). ``adaptation_gain = 0`` (default) switches it off.
    * P(t) = burst_probability_transfer(L_tau(I_d)(t)).

    The filters start in the steady state of the first input sample; ``tau_s = 0`` makes the
    low-pass an identity.

    Parameters
    ----------
    event_rate_transfer : callable
        E in Hz of a somatic current in pA (e.g. :class:`EventRateTransfer`).
    burst_probability_transfer : callable
        P of a dendritic current in pA (e.g. :class:`BurstProbabilityTransfer`).
    tau_s : float
        Time constant of the low-pass (seconds, >= 0).
    adaptation_gain : float
        Size of the transient (>= 0, dimensionless; 1 doubles the step of E at onset).
    adaptation_tau_s : float
        Time constant of the transient's decay (seconds, > 0).

    Examples
    --------
    >>> unit = MesoUnit(EventRateTransfer(40.0, 500.0, 100.0), BurstProbabilityTransfer(0.0, 1.0, 0.0, 50.0), 0.01)
    >>> out = unit.run(np.r_[np.full(10, 500.0), np.full(1000, 1500.0)], np.zeros(1010), dt_s=1e-4)
    >>> float(out.event_rate_hz[0]), round(float(out.event_rate_hz[-1]), 2), float(out.burst_probability[-1])
    (20.0, 40.0, 0.5)

    With adaptation, a step up overshoots the new steady state and then relaxes to it:

    >>> unit = MesoUnit(EventRateTransfer(40.0, 500.0, 100.0), BurstProbabilityTransfer(0.0, 1.0, 0.0, 50.0),
    ...                 0.0, adaptation_gain=1.0, adaptation_tau_s=0.1)
    >>> e = unit.run(np.r_[np.full(10, 400.0), np.full(9990, 500.0)], np.zeros(10000), dt_s=1e-4).event_rate_hz
    >>> round(float(e[0]), 2), round(float(e[10]), 2), round(float(e[-1]), 2)
    (10.76, 29.23, 20.0)
    """

    event_rate_transfer: object
    burst_probability_transfer: object
    tau_s: float
    adaptation_gain: float = 0.0
    adaptation_tau_s: float = 0.1

    def __post_init__(self) -> None:
        if not (np.isfinite(self.tau_s) and self.tau_s >= 0):
            raise ValueError(f"tau_s must be a finite number of seconds >= 0; got {self.tau_s}")
        if not (np.isfinite(self.adaptation_gain) and self.adaptation_gain >= 0):
            raise ValueError(f"adaptation_gain must be a finite number >= 0; got {self.adaptation_gain}")
        if not (np.isfinite(self.adaptation_tau_s) and self.adaptation_tau_s > 0):
            raise ValueError(f"adaptation_tau_s must be a finite number of seconds > 0; got {self.adaptation_tau_s}")

    @staticmethod
    def _low_pass(current: np.ndarray, tau_s: float, dt_s: float) -> np.ndarray:
        if tau_s == 0:
            return current.copy()
        from scipy.signal import lfilter

        a = 1.0 - np.exp(-dt_s / tau_s)
        # x[k] = x[k-1] + a (I[k] - x[k-1]), starting from x[-1] = I[0]
        out, _ = lfilter([a], [1.0, -(1.0 - a)], current, zi=[(1.0 - a) * current[0]])
        return out

    def filtered(self, current_pA, dt_s: float) -> np.ndarray:
        """The current (pA) after the low-pass with ``tau_s``, at each sample."""
        current = np.asarray(current_pA, dtype=float)
        if current.ndim != 1 or current.size == 0:
            raise ValueError("currents must be non-empty 1-D arrays (pA per time step)")
        return self._low_pass(current, self.tau_s, dt_s)

    def event_rate(self, i_s_pA, dt_s: float) -> np.ndarray:
        """E(t) in Hz for a somatic current (pA) sampled every ``dt_s``: the steady-state rate of
        the low-passed current plus the adaptation transient, clipped at 0."""
        steady = np.asarray(self.event_rate_transfer(self.filtered(i_s_pA, dt_s)), dtype=float)
        if self.adaptation_gain == 0:
            return steady
        slow = self._low_pass(steady, self.adaptation_tau_s, dt_s)
        return np.maximum(0.0, steady + self.adaptation_gain * (steady - slow))

    def run(self, i_s_pA, i_d_pA, dt_s: float) -> MesoTimeCourse:
        """E(t), P(t), B(t) for somatic and dendritic currents sampled every ``dt_s`` seconds.

        Parameters
        ----------
        i_s_pA, i_d_pA : array_like
            Currents (pA), one sample per step, the same length.
        dt_s : float
            Step (seconds, > 0).

        Returns
        -------
        MesoTimeCourse
        """
        if not (np.isfinite(dt_s) and dt_s > 0):
            raise ValueError(f"dt_s must be > 0 seconds; got {dt_s}")
        i_s, i_d = np.asarray(i_s_pA, dtype=float), np.asarray(i_d_pA, dtype=float)
        if i_s.shape != i_d.shape:
            raise ValueError(f"i_s_pA and i_d_pA must have the same shape; got {i_s.shape} and {i_d.shape}")
        e = self.event_rate(i_s, dt_s)
        p = np.asarray(self.burst_probability_transfer(self.filtered(i_d, dt_s)), dtype=float)
        return MesoTimeCourse(t_s=dt_s * np.arange(i_s.size), event_rate_hz=e, burst_probability=p,
                              burst_rate_hz=e * p)
