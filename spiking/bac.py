"""Backpropagation-activated calcium-spike (BAC) firing protocol (Larkum, Zhu & Sakmann 1999,
as simulated by Hay et al. 2011; docs/model.md).

Stimuli: a somatic step (1.9 nA x 5 ms) that evokes one action potential, and a distal
EPSC-shaped current (double exponential, rise 0.5 ms, decay 5 ms). The protocol measures

- the plateau threshold of the EPSC alone and paired with the somatic pulse (EPSC onset
  5 ms after the pulse onset, as in Hay 2011), by batched grid refinement;
- the responses to the pulse alone, the EPSC alone (at ``epsc_fraction`` of its own
  threshold, i.e. "somewhat below" it) and the pair;
- the somatic spike count as a function of the EPSC onset offset (coincidence window).

A *plateau* is a dendritic calcium spike: V_d above the half-activation E_d of the plateau
nonlinearity for at least ``plateau_min_duration`` continuous milliseconds (a bAP
transient stays above E_d for a few ms at most; a Ca plateau for tens of ms).

Everything runs in one :class:`~spiking.current_clamp.CurrentClamp` rig, so the
standalone backends compile once.

Examples
--------
>>> from models.pyramidal import PyramidalParameters
>>> from spiking.bac import BACProtocol, run_bac
>>> result = run_bac(PyramidalParameters(), BACProtocol.quick())  # doctest: +SKIP
>>> result.spikes_paired  # doctest: +SKIP
3
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Quantity, amp, ms, nA, pA

from models.pyramidal import PyramidalParameters
from spiking.current_clamp import ClampRecording, CurrentClamp
from spiking.errors import ParameterError
from spiking.parameters import ParameterSet, parameter
from spiking.stimuli import DoubleExponential, Step

__all__ = ["BACProtocol", "BACResult", "run_bac", "longest_run_above", "burst_window"]


@dataclasses.dataclass(frozen=True)
class BACProtocol(ParameterSet):
    """Stimulus and analysis settings of the BAC protocol.

    Examples
    --------
    >>> protocol = BACProtocol(offset_step=2 * ms)
    """

    model_name = "BAC protocol"

    t_pulse: Quantity = parameter(50 * ms, ms, "t_0", "positive")
    """Onset of the somatic pulse."""
    somatic_amplitude: Quantity = parameter(1.9 * nA, nA, "I_soma", "positive")
    """Amplitude of the somatic step (Hay 2011: 1.9 nA)."""
    somatic_duration: Quantity = parameter(5 * ms, ms, "T_soma", "positive")
    """Duration of the somatic step (Hay 2011: 5 ms)."""
    epsc_offset: Quantity = parameter(5 * ms, ms, "Delta t", None)
    """EPSC onset minus pulse onset in the paired condition (Hay 2011: +5 ms)."""
    tau_rise: Quantity = parameter(0.5 * ms, ms, "tau_rise", "positive")
    """Rise time constant of the EPSC-shaped current."""
    tau_decay: Quantity = parameter(5 * ms, ms, "tau_decay", "positive")
    """Decay time constant of the EPSC-shaped current."""
    epsc_fraction: float = parameter(0.8, 1, "EPSC / threshold alone", "positive")
    """Peak of the test EPSC as a fraction of its own plateau threshold (must be < 1)."""
    offset_min: Quantity = parameter(-30 * ms, ms, "offset_min")
    """Earliest EPSC onset offset of the coincidence-window scan."""
    offset_max: Quantity = parameter(30 * ms, ms, "offset_max")
    """Latest EPSC onset offset of the coincidence-window scan."""
    offset_step: Quantity = parameter(1 * ms, ms, "offset_step", "positive")
    """Spacing of the coincidence-window scan."""
    threshold_max: Quantity = parameter(4 * nA, nA, "I_max", "positive")
    """Upper end of the threshold search."""
    threshold_resolution: Quantity = parameter(5 * pA, pA, "resolution", "positive")
    """Width of the final bracket of the threshold search."""
    candidates_per_stage: int = parameter(32, 1, "K", "positive")
    """Amplitudes tried side by side per refinement stage and condition."""
    plateau_min_duration: Quantity = parameter(20 * ms, ms, "T_plateau", "positive")
    """Minimal time with V_d > E_d that counts as a dendritic plateau."""
    response_window: Quantity = parameter(150 * ms, ms, "T_resp", "positive")
    """Time after the earliest stimulus that is analysed."""
    dt: Quantity = parameter(0.1 * ms, ms, "dt", "positive")
    """Integration step."""

    def _check_relations(self) -> None:
        if not self.epsc_fraction < 1:
            raise ParameterError(f"BACProtocol.epsc_fraction must be < 1 (below threshold); got {self.epsc_fraction}")
        if not self.offset_min < self.offset_max:
            raise ParameterError("BACProtocol.offset_min must be below offset_max")
        if self.t_pulse + self.offset_min < 0 * ms:
            raise ParameterError(f"BACProtocol.t_pulse ({self.t_pulse}) must be >= -offset_min ({-self.offset_min})")
        if int(self.candidates_per_stage) != self.candidates_per_stage or self.candidates_per_stage < 4:
            raise ParameterError("BACProtocol.candidates_per_stage must be an integer >= 4")

    @classmethod
    def quick(cls) -> "BACProtocol":
        """A cheaper protocol for tests: 2 ms offset grid, 20 pA threshold resolution."""
        return cls(offset_step=2 * ms, threshold_resolution=20 * pA, candidates_per_stage=16)

    @property
    def offsets(self) -> Quantity:
        n = int(round(float((self.offset_max - self.offset_min) / self.offset_step))) + 1
        return self.offset_min + np.arange(n) * self.offset_step

    @property
    def duration(self) -> Quantity:
        return self.t_pulse + self.offset_max + self.response_window


@dataclasses.dataclass
class BACResult:
    """Outcome of :func:`run_bac` (times in ms, currents in nA, voltages in mV)."""

    spikes_bap_alone: int
    spikes_epsc_alone: int
    spikes_paired: int
    paired_isis_ms: list
    plateau_bap_alone_ms: float
    plateau_epsc_alone_ms: float
    plateau_paired_ms: float
    window_ms: list | None
    offsets_ms: np.ndarray
    offset_spike_counts: np.ndarray
    threshold_alone_nA: float
    threshold_paired_nA: float
    epsc_peak_nA: float
    amplitude_scan_nA: np.ndarray
    scan_spikes_alone: np.ndarray
    scan_spikes_paired: np.ndarray
    t_ms: np.ndarray
    traces_mV: dict
    currents_nA: dict
    example_spike_times_ms: list
    timings_s: dict

    @property
    def threshold_ratio(self) -> float:
        return self.threshold_paired_nA / self.threshold_alone_nA


def longest_run_above(trace: np.ndarray, level: float, dt: float) -> np.ndarray:
    """Longest contiguous time each row of ``trace`` spends strictly above ``level``.

    Parameters
    ----------
    trace : ndarray, shape (n_cells, n_samples)
    level : float
        Same unit as ``trace``.
    dt : float
        Sample spacing; the result is in its unit.

    Examples
    --------
    >>> longest_run_above(np.array([[0, 2, 2, 0, 2, 2, 2]]), 1, 0.5)
    array([1.5])
    """
    above = np.asarray(trace) > level
    out = np.zeros(above.shape[0])
    for k, row in enumerate(above):
        padded = np.concatenate(([False], row, [False])).astype(np.int8)
        edges = np.diff(padded)
        starts, stops = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
        out[k] = (stops - starts).max() * dt if len(starts) else 0.0
    return out


def burst_window(offsets: np.ndarray, counts: np.ndarray, anchor: float, min_spikes: int = 2) -> list | None:
    """The contiguous range of offsets around ``anchor`` whose spike count is >= ``min_spikes``.

    Returns ``[earliest, latest]`` or ``None`` when the anchor itself gives no burst.

    Examples
    --------
    >>> burst_window(np.arange(-3, 4), np.array([1, 2, 3, 3, 2, 1, 3]), anchor=0)
    [-2, 1]
    """
    offsets, counts = np.asarray(offsets), np.asarray(counts)
    k = int(np.argmin(np.abs(offsets - anchor)))
    if counts[k] < min_spikes:
        return None
    lo = k
    while lo > 0 and counts[lo - 1] >= min_spikes:
        lo -= 1
    hi = k
    while hi < len(counts) - 1 and counts[hi + 1] >= min_spikes:
        hi += 1
    return [offsets[lo].item(), offsets[hi].item()]


class _Rig:
    """Wraps the clamp with the protocol's stimuli."""

    def __init__(self, clamp: CurrentClamp, params: PyramidalParameters, protocol: BACProtocol) -> None:
        self.clamp, self.params, self.protocol = clamp, params, protocol

    def pulse(self) -> Step:
        p = self.protocol
        return Step(p.somatic_amplitude, p.t_pulse, p.somatic_duration)

    def epsc(self, peak: Quantity, offset: Quantity) -> DoubleExponential | None:
        p = self.protocol
        if peak <= 0 * pA:
            return None
        return DoubleExponential(peak, p.t_pulse + offset, p.tau_rise, p.tau_decay)

    def run(self, soma: list, dendrite: list) -> ClampRecording:
        n = self.clamp.n_cells
        return self.clamp.run(soma=soma + [None] * (n - len(soma)), dendrite=dendrite + [None] * (n - len(dendrite)))

    def plateau_ms(self, rec: ClampRecording) -> np.ndarray:
        return longest_run_above(rec["v_d"], float(self.params.E_d), rec.dt_s) * 1e3


def run_bac(params: PyramidalParameters = PyramidalParameters(), protocol: BACProtocol = BACProtocol(),
            backend: str = "runtime") -> BACResult:
    """Run the whole BAC protocol.

    Parameters
    ----------
    params : PyramidalParameters
    protocol : BACProtocol
    backend : str
        Backend name (see :mod:`spiking.backend`).

    Returns
    -------
    BACResult

    Examples
    --------
    >>> result = run_bac(protocol=BACProtocol.quick())  # doctest: +SKIP
    """
    p = protocol
    K = int(p.candidates_per_stage)
    offsets = p.offsets
    n_cells = max(2 * K, 3 + len(offsets))
    with CurrentClamp(params, n_cells, p.duration, dt=p.dt, backend=backend, record=("v_s", "v_d", "I_ext_s", "I_ext_d"),
                      name="bac") as clamp:
        rig = _Rig(clamp, params, p)
        # 1. plateau thresholds, alone and paired, refined side by side
        brackets = {"alone": [0 * pA, p.threshold_max], "paired": [0 * pA, p.threshold_max]}
        scan = None
        while True:
            grids = {c: np.linspace(float(lo), float(hi), K) * amp for c, (lo, hi) in brackets.items()}
            soma = [None] * K + [rig.pulse()] * K
            dend = [rig.epsc(a, p.epsc_offset) for a in grids["alone"]] + \
                   [rig.epsc(a, p.epsc_offset) for a in grids["paired"]]
            rec = rig.run(soma, dend)
            plateau = rig.plateau_ms(rec)[:2 * K] >= float(p.plateau_min_duration / ms)
            counts = rec.spike_counts()[:2 * K]
            if scan is None:  # the first, coarse grid doubles as the amplitude-response curve
                scan = (np.asarray(grids["alone"] / nA), counts[:K].copy(), counts[K:].copy())
            for j, c in enumerate(("alone", "paired")):
                hits = np.nonzero(plateau[j * K:(j + 1) * K])[0]
                if not len(hits):
                    raise ParameterError(f"no plateau for any EPSC up to {brackets[c][1]} ({c}); "
                                         "raise BACProtocol.threshold_max")
                first = hits[0]
                if first == 0:
                    if brackets[c][0] == 0 * pA:
                        raise ParameterError(f"a plateau occurs without any EPSC ({c}); the neuron is not at rest")
                    brackets[c] = [brackets[c][0], grids[c][0]]
                else:
                    brackets[c] = [grids[c][first - 1], grids[c][first]]
            if all(hi - lo <= p.threshold_resolution for lo, hi in brackets.values()):
                break
        threshold_alone, threshold_paired = brackets["alone"][1], brackets["paired"][1]
        # 2. the three conditions and the coincidence-window scan in one run
        epsc_peak = p.epsc_fraction * threshold_alone
        soma = [rig.pulse(), None, rig.pulse()] + [rig.pulse()] * len(offsets)
        dend = [None, rig.epsc(epsc_peak, p.epsc_offset), rig.epsc(epsc_peak, p.epsc_offset)] + \
               [rig.epsc(epsc_peak, off) for off in offsets]
        rec = rig.run(soma, dend)
        timings = clamp.timings
    counts = rec.spike_counts()
    plateau = rig.plateau_ms(rec)
    paired_spikes = rec.spike_times_s[2]
    offsets_ms = np.round(np.asarray(offsets / ms), 9)  # grid k*step, without float residue
    offset_counts = counts[3:3 + len(offsets)]
    return BACResult(
        spikes_bap_alone=int(counts[0]), spikes_epsc_alone=int(counts[1]), spikes_paired=int(counts[2]),
        paired_isis_ms=[round(x, 6) for x in (np.diff(paired_spikes) * 1e3).tolist()],
        plateau_bap_alone_ms=float(plateau[0]), plateau_epsc_alone_ms=float(plateau[1]),
        plateau_paired_ms=float(plateau[2]),
        window_ms=burst_window(offsets_ms, offset_counts, float(p.epsc_offset / ms)),
        offsets_ms=offsets_ms, offset_spike_counts=offset_counts,
        threshold_alone_nA=float(threshold_alone / nA), threshold_paired_nA=float(threshold_paired / nA),
        epsc_peak_nA=float(epsc_peak / nA),
        amplitude_scan_nA=scan[0], scan_spikes_alone=scan[1], scan_spikes_paired=scan[2],
        t_ms=rec.t_s * 1e3, traces_mV={k: rec[k][:3] * 1e3 for k in ("v_s", "v_d")},
        currents_nA={k: rec[k][:3] * 1e9 for k in ("I_ext_s", "I_ext_d")},
        example_spike_times_ms=[rec.spike_times_s[k] * 1e3 for k in range(3)],
        timings_s=timings)
