"""Injected-current waveforms: steps, pulse trains, EPSC-shaped double exponentials, sines,
sampled arrays, and their sums.

A waveform is pure data with Brian-unit attributes, validated when made. ``sample(t)``
evaluates it on a time grid given in seconds and returns the current in amperes (plain
floats: this is where arrays leave Brian). Waveforms add: ``step(...) + epsc(...)``.

Examples
--------
>>> from brian2 import ms, nA
>>> from spiking.stimuli import Step, DoubleExponential
>>> drive = Step(1.9 * nA, t_start=50 * ms, duration=5 * ms) + DoubleExponential(
...     0.5 * nA, t_onset=55 * ms, tau_rise=0.5 * ms, tau_decay=5 * ms)
>>> import numpy as np
>>> round(float(drive.sample(np.array([0.052]))[0]) * 1e9, 3)
1.9
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
from brian2 import Hz, Quantity, amp, ms, second

from spiking.errors import ParameterError
from spiking.parameters import check_quantity

__all__ = ["Waveform", "Constant", "Step", "PulseTrain", "DoubleExponential", "Sine", "SquareWave", "Sampled",
           "Sum", "sample_matrix"]


class Waveform:
    """Base class: a current as a function of time."""

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        """Current in amperes at the times ``t_s`` (seconds)."""
        raise NotImplementedError

    def __add__(self, other: "Waveform") -> "Sum":
        if not isinstance(other, Waveform):
            return NotImplemented
        return Sum((self, other))

    def _check(self, **fields: tuple) -> None:
        for name, (value, unit, constraint) in fields.items():
            check_quantity(name, value, unit, constraint, owner=type(self).__name__)


@dataclasses.dataclass(frozen=True)
class Constant(Waveform):
    """A constant current.

    Examples
    --------
    >>> from brian2 import pA
    >>> Constant(100 * pA).sample(np.zeros(2))
    array([1.e-10, 1.e-10])
    """

    amplitude: Quantity

    def __post_init__(self) -> None:
        self._check(amplitude=(self.amplitude, amp, None))

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        return np.full(np.shape(t_s), float(self.amplitude))


@dataclasses.dataclass(frozen=True)
class Step(Waveform):
    """A rectangular pulse: ``amplitude`` for ``t_start <= t < t_start + duration``.

    Examples
    --------
    >>> from brian2 import nA
    >>> Step(1 * nA, 1 * ms, 2 * ms).sample(np.array([0.0, 0.001, 0.0029, 0.003])) * 1e9
    array([0., 1., 1., 0.])
    """

    amplitude: Quantity
    t_start: Quantity
    duration: Quantity

    def __post_init__(self) -> None:
        self._check(amplitude=(self.amplitude, amp, None), t_start=(self.t_start, second, "nonnegative"),
                    duration=(self.duration, second, "positive"))

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        t = np.asarray(t_s, dtype=float)
        start = float(self.t_start)
        # half-step tolerance is not needed: callers pass exact grid times k*dt; compare with
        # a 1e-12 s guard so that 0.1 ms grids do not lose the last sample to rounding
        on = (t >= start - 1e-12) & (t < start + float(self.duration) - 1e-12)
        return np.where(on, float(self.amplitude), 0.0)


@dataclasses.dataclass(frozen=True)
class PulseTrain(Waveform):
    """``n_pulses`` rectangular pulses of ``pulse_duration`` at ``frequency`` from ``t_start``.

    Examples
    --------
    >>> from brian2 import nA, Hz
    >>> train = PulseTrain(1 * nA, 0 * ms, 2 * ms, 100 * Hz, 3)
    >>> train.sample(np.array([0.0201, 0.0251])) * 1e9  # third pulse on, then off
    array([1., 0.])
    """

    amplitude: Quantity
    t_start: Quantity
    pulse_duration: Quantity
    frequency: Quantity
    n_pulses: int

    def __post_init__(self) -> None:
        self._check(amplitude=(self.amplitude, amp, None), t_start=(self.t_start, second, "nonnegative"),
                    pulse_duration=(self.pulse_duration, second, "positive"),
                    frequency=(self.frequency, Hz, "positive"))
        if isinstance(self.n_pulses, bool) or not isinstance(self.n_pulses, (int, np.integer)) or self.n_pulses < 1:
            raise ParameterError(f"PulseTrain.n_pulses must be an integer >= 1; got {self.n_pulses!r}")
        if self.pulse_duration >= 1 / self.frequency:
            raise ParameterError(f"PulseTrain.pulse_duration ({self.pulse_duration}) must be shorter than "
                                 f"the period 1/frequency ({1 / self.frequency})")

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        period = 1.0 / float(self.frequency)
        out = np.zeros(np.shape(t_s))
        for k in range(int(self.n_pulses)):
            out += Step(self.amplitude, self.t_start + k * period * second, self.pulse_duration).sample(t_s)
        return out


@dataclasses.dataclass(frozen=True)
class DoubleExponential(Waveform):
    """EPSC-shaped current ``A (exp(-s/tau_decay) - exp(-s/tau_rise))`` for ``s = t - t_onset >= 0``,
    scaled so that its maximum equals ``peak``.

    Examples
    --------
    >>> from brian2 import nA
    >>> epsc = DoubleExponential(0.5 * nA, 0 * ms, 0.5 * ms, 5 * ms)
    >>> t = np.arange(0, 0.03, 1e-6)
    >>> round(float(epsc.sample(t).max()) * 1e9, 6)
    0.5
    """

    peak: Quantity
    t_onset: Quantity
    tau_rise: Quantity
    tau_decay: Quantity

    def __post_init__(self) -> None:
        self._check(peak=(self.peak, amp, None), t_onset=(self.t_onset, second, "nonnegative"),
                    tau_rise=(self.tau_rise, second, "positive"), tau_decay=(self.tau_decay, second, "positive"))
        if not self.tau_decay > self.tau_rise:
            raise ParameterError(f"DoubleExponential.tau_decay ({self.tau_decay}) must exceed tau_rise "
                                 f"({self.tau_rise})")

    @property
    def time_to_peak(self) -> Quantity:
        """Time from onset to the maximum: tau_r tau_d/(tau_d - tau_r) ln(tau_d/tau_r)."""
        tr, td = self.tau_rise, self.tau_decay
        return tr * td / (td - tr) * np.log(float(td / tr))

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        tr, td = float(self.tau_rise), float(self.tau_decay)
        s_peak = float(self.time_to_peak)
        norm = np.exp(-s_peak / td) - np.exp(-s_peak / tr)
        s = np.asarray(t_s, dtype=float) - float(self.t_onset)
        shape = np.where(s >= -1e-12, np.exp(-np.clip(s, 0, None) / td) - np.exp(-np.clip(s, 0, None) / tr), 0.0)
        return float(self.peak) * shape / norm


@dataclasses.dataclass(frozen=True)
class Sine(Waveform):
    """``offset + amplitude sin(2 pi frequency t + phase)`` (phase in radians).

    Examples
    --------
    >>> from brian2 import pA, Hz
    >>> round(float(Sine(0 * pA, 100 * pA, 1 * Hz).sample(np.array([0.25]))[0]) * 1e12, 6)
    100.0
    """

    offset: Quantity
    amplitude: Quantity
    frequency: Quantity
    phase: float = 0.0

    def __post_init__(self) -> None:
        self._check(offset=(self.offset, amp, None), amplitude=(self.amplitude, amp, None),
                    frequency=(self.frequency, Hz, "positive"), phase=(self.phase, 1, None))

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        t = np.asarray(t_s, dtype=float)
        return float(self.offset) + float(self.amplitude) * np.sin(2 * np.pi * float(self.frequency) * t + self.phase)


@dataclasses.dataclass(frozen=True)
class SquareWave(Waveform):
    """Alternates between ``high`` (for ``t_high``) and ``low`` (for ``t_low``), starting high at
    ``t_shift`` (and periodic before it).

    Examples
    --------
    >>> from brian2 import pA
    >>> wave = SquareWave(0 * pA, 100 * pA, t_high=10 * ms, t_low=30 * ms)
    >>> wave.sample(np.array([0.005, 0.015, 0.045])) * 1e12
    array([100.,   0., 100.])
    """

    low: Quantity
    high: Quantity
    t_high: Quantity
    t_low: Quantity
    t_shift: Quantity = dataclasses.field(default_factory=lambda: 0 * ms)

    def __post_init__(self) -> None:
        self._check(low=(self.low, amp, None), high=(self.high, amp, None), t_high=(self.t_high, second, "positive"),
                    t_low=(self.t_low, second, "positive"), t_shift=(self.t_shift, second, None))

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        period = float(self.t_high + self.t_low)
        phase = np.mod(np.asarray(t_s, dtype=float) - float(self.t_shift) + 1e-12, period)
        return np.where(phase < float(self.t_high), float(self.high), float(self.low))


@dataclasses.dataclass(frozen=True, eq=False)
class Sampled(Waveform):
    """An arbitrary waveform given as samples ``values[k]`` at ``k * dt`` (held between samples,
    last value held after the end).

    Examples
    --------
    >>> from brian2 import pA
    >>> wave = Sampled(np.array([0.0, 10.0, 20.0]) * pA, 1 * ms)
    >>> wave.sample(np.array([0.0015])) * 1e12
    array([10.])
    """

    values: Quantity
    dt: Quantity

    def __post_init__(self) -> None:
        check_quantity("dt", self.dt, second, "positive", owner="Sampled")
        values = np.asarray(self.values)
        if values.ndim != 1 or values.size == 0:
            raise ParameterError(f"Sampled.values must be a non-empty 1-D array; got shape {values.shape}")
        try:
            self.values.in_unit(amp) if isinstance(self.values, Quantity) else None
            ok = isinstance(self.values, Quantity) and self.values.dim == amp.dim
        except Exception:  # noqa: BLE001
            ok = False
        if not ok:
            raise ParameterError("Sampled.values must be currents (an array in amp, e.g. values * pA)")

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        idx = np.floor(np.asarray(t_s, dtype=float) / float(self.dt) + 1e-9).astype(int)
        values = np.asarray(self.values, dtype=float)
        return values[np.clip(idx, 0, len(values) - 1)]


@dataclasses.dataclass(frozen=True)
class Sum(Waveform):
    """The sum of several waveforms (made by ``a + b``)."""

    parts: tuple

    def sample(self, t_s: np.ndarray) -> np.ndarray:
        return np.sum([p.sample(t_s) for p in self.parts], axis=0)


def sample_matrix(waveforms: Waveform | Sequence[Waveform | None] | None, n_cells: int, n_steps: int,
                  dt: Quantity, name: str = "current") -> np.ndarray:
    """Sample one waveform per cell on the grid ``k * dt``: array ``(n_steps, n_cells)`` in amperes.

    ``None`` means no current; a single waveform is given to every cell.

    Examples
    --------
    >>> from brian2 import pA
    >>> sample_matrix(Constant(5 * pA), n_cells=2, n_steps=3, dt=0.1 * ms).shape
    (3, 2)
    """
    t = np.arange(n_steps) * float(dt)
    out = np.zeros((n_steps, n_cells))
    if waveforms is None:
        return out
    if isinstance(waveforms, Waveform):
        out[:] = waveforms.sample(t)[:, None]
        return out
    waveforms = list(waveforms)
    if len(waveforms) > n_cells:
        raise ParameterError(f"{name}: {len(waveforms)} waveforms given for {n_cells} cells")
    for i, wave in enumerate(waveforms):
        if wave is None:
            continue
        if not isinstance(wave, Waveform):
            raise ParameterError(f"{name}[{i}] must be a Waveform (e.g. Step, DoubleExponential); got {wave!r}")
        out[:, i] = wave.sample(t)
    return out
