"""A small pure-numpy implementation of the burst-dependent plasticity rule, written from its
definition (:mod:`models.plasticity`) independently of the Brian code, for tests and for the
pairing protocols' expectations.

It walks through the time steps that hold spikes; in each it handles the presynaptic spikes
(delivered ``delay_steps`` after they were emitted) before the postsynaptic ones, exactly as
the simulator's pathways do. Traces decay in closed form between updates.

Examples
--------
>>> import numpy as np
>>> from brian2 import nS, ms, second, Hz
>>> from models.plasticity import BurstDependentPlasticity
>>> rule = BurstDependentPlasticity(eta=0.1 * nS, w_max=100 * nS, tau_pre=50 * ms, tau_avg=15 * second, rule="isi",
...                                 pre_detection_lag=0 * ms, e_min=0 * Hz, e_max=None,
...                                 initial_event_rate=5 * Hz, initial_burst_rate=0.75 * Hz)
>>> w = reference_weights(rule, pre_steps=[[100]], post_steps=[[100]], i=np.array([0]), j=np.array([0]),
...                       w_initial_s=50e-9, dt_s=1e-4)
>>> round(float((w[0] - 50e-9) / 0.1e-9), 3)   # one postsynaptic event: -Pbar * Etilde = -0.15 * 1
-0.15
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from models.plasticity import BurstDependentPlasticity
from spiking.decoding import TRACE_THRESHOLD

__all__ = ["reference_weights", "PrePostState"]


class PrePostState:
    """Detector of one spike train: classifies each spike as event / burst (second spike of an
    event) / neither, with the trace or the interval rule and an optional detection lag."""

    def __init__(self, rule: str, burst_isi_s: float, dt_s: float, lag_s: float = 0.0) -> None:
        self.rule, self.tau, self.dt, self.lag = rule, burst_isi_s, dt_s, lag_s
        self.trace, self.t_last, self.counted = 0.0, -np.inf, True

    def classify(self, t: float) -> tuple[bool, bool]:
        """(is event, is burst) of a spike at ``t`` (seconds), then update the state."""
        since = t - self.t_last
        if self.rule == "trace":
            before = self.trace * np.exp(-since / self.tau) if np.isfinite(since) else 0.0
            within = before >= TRACE_THRESHOLD * np.exp(-self.lag / self.tau)
        else:
            within = since <= self.tau + self.lag + 0.5 * self.dt
        event = not within
        burst = within and not self.counted
        self.counted = within
        decay = np.exp(-since / self.tau) if np.isfinite(since) else 0.0
        self.trace = self.trace * decay + 1.0
        self.t_last = t
        return event, burst


def reference_weights(rule: BurstDependentPlasticity, pre_steps: Sequence[Sequence[int]],
                      post_steps: Sequence[Sequence[int]], i: np.ndarray, j: np.ndarray, w_initial_s: float | np.ndarray,
                      dt_s: float, delay_steps: int = 0, gate: np.ndarray | None = None) -> np.ndarray:
    """Final weights (siemens, as floats) of synapses ``i -> j`` under ``rule``.

    Parameters
    ----------
    rule : BurstDependentPlasticity
    pre_steps, post_steps : sequences of int sequences
        Spike steps (time / dt) of each presynaptic and postsynaptic neuron.
    i, j : int arrays
        Presynaptic and postsynaptic neuron of each synapse.
    w_initial_s : float or array
        Initial weights (siemens).
    dt_s : float
        Time step (seconds).
    delay_steps : int
        Delay of the presynaptic pathway (steps).
    gate : array, optional
        Plasticity gate (0/1) per step; on throughout when omitted.
    """
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    w = np.broadcast_to(np.asarray(w_initial_s, dtype=float), i.shape).copy()
    eta, w_max = float(rule.eta), float(rule.w_max)
    tau_pre, tau_avg, isi = float(rule.tau_pre), float(rule.tau_avg), float(rule.burst_isi)
    e_min = float(rule.e_min)
    e_max = None if rule.e_max is None else float(rule.e_max)
    n_pre, n_post = len(pre_steps), len(post_steps)
    pre_det = [PrePostState(rule.rule, isi, dt_s, float(rule.pre_detection_lag)) for _ in range(n_pre)]
    post_det = [PrePostState(rule.rule, isi, dt_s) for _ in range(n_post)]
    e_trace, t_e_trace = np.zeros(n_pre), np.zeros(n_pre)
    e_avg = np.full(n_post, float(rule.initial_event_rate) * tau_avg)
    b_avg = np.full(n_post, float(rule.initial_burst_rate) * tau_avg)
    t_avg = np.zeros(n_post)
    # the rate of the homeostatic potentiation: the firing-rate average ("spikes") or Ebar ("events")
    firing = rule.homeostasis_rate == "spikes"
    tau_hom = float(rule.tau_hom)
    r_avg = np.full(n_post, float(rule.initial_firing_rate) * tau_hom)
    t_r = np.zeros(n_post)
    out_of = [np.flatnonzero(i == k) for k in range(n_pre)]
    into = [np.flatnonzero(j == k) for k in range(n_post)]
    events = [(int(s) + delay_steps, 0, k) for k, steps in enumerate(pre_steps) for s in steps]
    events += [(int(s), 1, k) for k, steps in enumerate(post_steps) for s in steps]
    events.sort()
    for step, kind, k in events:
        t = step * dt_s
        on = 1.0 if gate is None else float(gate[min(step, len(gate) - 1)])
        if kind == 0:  # presynaptic spike reaching the synapses
            event, _ = pre_det[k].classify(t)
            if not event:
                continue
            syn = out_of[k]
            if e_min > 0 and len(syn):
                if firing:
                    rate = r_avg[j[syn]] * np.exp(-(t - t_r[j[syn]]) / tau_hom) / tau_hom
                else:
                    rate = e_avg[j[syn]] * np.exp(-(t - t_avg[j[syn]]) / tau_avg) / tau_avg
                w[syn] = np.clip(w[syn] + on * eta * np.maximum(0.0, e_min - rate), 0.0, w_max)
            e_trace[k] = e_trace[k] * np.exp(-(t - t_e_trace[k]) / tau_pre) + 1.0
            t_e_trace[k] = t
        else:  # postsynaptic spike
            event, burst = post_det[k].classify(t)
            decay = np.exp(-(t - t_avg[k]) / tau_avg)
            e_avg[k] *= decay
            b_avg[k] *= decay
            t_avg[k] = t
            rate = e_avg[k] / tau_avg
            h = -(rate - e_max) / rate if e_max is not None and rate > e_max else 0.0
            if event:
                pbar = b_avg[k] / e_avg[k] if e_avg[k] > 0 else np.nan
                valence = (-pbar if pbar < 1.0 else -1.0) + h   # NaN < 1 is False: -1, as the reference
            elif burst:
                valence = 1.0 + h
            else:
                valence = 0.0
            if valence != 0.0:
                syn = into[k]
                trace = e_trace[i[syn]] * np.exp(-(t - t_e_trace[i[syn]]) / tau_pre)
                w[syn] = np.clip(w[syn] + on * eta * valence * trace, 0.0, w_max)
            e_avg[k] += float(event)
            r_avg[k] = r_avg[k] * np.exp(-(t - t_r[k]) / tau_hom) + 1.0  # every spike counts
            t_r[k] = t
            b_avg[k] += float(burst)
    return w
