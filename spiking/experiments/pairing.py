"""Pairing protocols of the burst-dependent plasticity rule (Payeur et al. 2021, Fig. 2B-D),
as the authors' Python analysis defines them (spikingburstprop
``analysis/plasticity-protocol``), run through the simulator: spike-generator trains before and
after a plastic synapse (``compartment=None``: it learns, transmits nothing), dt = 0.1 ms.

Each pair of trains is one synapse; all pairs of a protocol run side by side in one simulation
(one-to-one projections), each protocol variant (starting estimates) being its own projection.

The authors' analysis detects events and bursts by the interval rule (a spike more than 16 ms
after the previous one starts an event; the second spike of an event is its burst), without
homeostasis or weight bounds; so do the protocols here (``PAIRING_RULE``). The weight change
``dw`` is reported in units of the learning rate's conductance: eta = 0.1 nS gives the paper's
Delta W (the accumulated ``w / dt`` of their code, with eta = 0.1).

Protocols:

- **periodic**: 15 epochs of 5 pre/post pairings at zero lag and frequency f, the first 10 ms
  into the epoch; an epoch lasts 5/f + 1 s and the next starts 10 s later (the authors restart
  the synapse per epoch and carry the moving averages over with a 10 s decay: equivalent here,
  where everything from the previous epoch has decayed). Starting estimates 5 Hz / 0.75 Hz.
- **poisson**: independent pre and post renewal trains (2 ms dead time plus an exponential
  interval, hazard r/(1 - 2 ms r) for rate r), 100 s; starting estimates 5 Hz and P0 * 5 Hz.
- **burst_poisson**: events after 20 ms of dead time plus an exponential interval (rate
  ER/(1 - 20 ms ER)), each followed with probability p by a second spike 2-12 ms later; 100 s;
  starting estimates ER and 0.2 ER.

Examples
--------
>>> import numpy as np
>>> pre, post = periodic_trains(62.5)
>>> float(np.diff(pre[:2])[0]) * 1e3  # ms between pairings
16.0
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Hz, ms, nS, second

from models.plasticity import BurstDependentPlasticity
from spiking.errors import ParameterError

__all__ = ["PAIRING_RULE", "DT_S", "periodic_trains", "poisson_trains", "burst_poisson_trains", "PairingBatch",
           "run_batches", "poisson_expected_dw", "burst_poisson_expected_dw", "poisson_zero_crossing_hz",
           "zero_crossing"]

#: Time step of the protocols (s).
DT_S = 1e-4
#: The rule of the authors' pairing analysis: interval rule, 16 ms, no homeostasis, no clipping
#: within reach (w starts at half of a bound 1000 learning rates away), eta = 0.1 nS (Delta W in
#: units of nS), tau_pre = 50 ms, tau_avg = 15 s. The starting estimates are set per protocol.
PAIRING_RULE = BurstDependentPlasticity(eta=0.1 * nS, w_max=200 * nS, tau_pre=50 * ms, tau_avg=15 * second,
                                        e_min=0 * Hz, e_max=None, rule="isi", pre_detection_lag=0 * ms)
#: Initial weight (the middle of [0, w_max]; dw never comes near the bounds).
W_INITIAL = 100 * nS

N_PAIRINGS, N_EPOCHS, EPOCH_GAP_S, FIRST_PAIRING_S = 5, 15, 10.0, 0.010


def periodic_trains(frequency_hz: float, n_pairings: int = N_PAIRINGS, n_epochs: int = N_EPOCHS
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Pre and post spike times (s) of the periodic protocol at zero lag (identical trains)."""
    if not frequency_hz > 0:
        raise ParameterError(f"frequency_hz must be > 0; got {frequency_hz}")
    epoch_s = n_pairings / frequency_hz + 1.0
    starts = np.arange(n_epochs) * (epoch_s + EPOCH_GAP_S)
    times = (starts[:, None] + FIRST_PAIRING_S + np.arange(n_pairings)[None, :] / frequency_hz).ravel()
    return times, times.copy()


def periodic_duration_s(frequency_hz: float, n_pairings: int = N_PAIRINGS, n_epochs: int = N_EPOCHS) -> float:
    """Time the periodic protocol needs (the last epoch's end)."""
    epoch_s = n_pairings / frequency_hz + 1.0
    return (n_epochs - 1) * (epoch_s + EPOCH_GAP_S) + epoch_s


def poisson_trains(rate_hz: float, duration_s: float, rng: np.random.Generator, dead_time_s: float = 0.002
                   ) -> np.ndarray:
    """A renewal train of rate ``rate_hz``: dead time plus an exponential interval."""
    if not 0 < rate_hz * dead_time_s < 1:
        raise ParameterError(f"rate_hz must be in (0, 1/dead_time); got {rate_hz} Hz with dead time {dead_time_s} s")
    hazard = rate_hz / (1 - rate_hz * dead_time_s)
    n = int(rate_hz * duration_s * 1.5) + 20
    times = np.cumsum(dead_time_s + rng.exponential(1 / hazard, n))
    while times[-1] < duration_s:
        times = np.concatenate([times, times[-1] + np.cumsum(dead_time_s + rng.exponential(1 / hazard, n))])
    return times[times < duration_s]


def burst_poisson_trains(event_rate_hz: float, p_burst: float, duration_s: float, rng: np.random.Generator,
                         event_dead_time_s: float = 0.020, spike_dead_time_s: float = 0.002,
                         burst_jitter_s: float = 0.010) -> np.ndarray:
    """Events after a dead time plus an exponential interval; each becomes a doublet with
    probability ``p_burst`` (second spike 2-12 ms later)."""
    if not 0 <= p_burst <= 1:
        raise ParameterError(f"p_burst must be in [0, 1]; got {p_burst}")
    rate = event_rate_hz / (1 - event_rate_hz * event_dead_time_s)
    times, last = [], 0.0
    while True:
        last += event_dead_time_s + rng.exponential(1 / rate)
        if last > duration_s:
            break
        times.append(last)
        if rng.uniform() < p_burst:
            last += spike_dead_time_s + rng.uniform(0, burst_jitter_s)
            if last > duration_s:
                break
            times.append(last)
    return np.asarray(times)


@dataclasses.dataclass
class PairingBatch:
    """Pairs of trains (one synapse each) sharing one rule (starting estimates)."""

    name: str
    rule: BurstDependentPlasticity
    pre: list
    post: list

    def steps(self) -> tuple[list, list]:
        """Spike steps of every train (times rounded to the 0.1 ms grid; one spike per step)."""
        to_steps = lambda trains: [np.unique(np.round(np.asarray(t) / DT_S).astype(np.int64)) for t in trains]  # noqa: E731
        return to_steps(self.pre), to_steps(self.post)


def _source(name: str, steps: list):
    from spiking.plan import SpikeTrainSource

    indices = np.concatenate([np.full(len(s), k) for k, s in enumerate(steps)])
    times = np.concatenate(steps) * DT_S
    return SpikeTrainSource(name, len(steps), indices, times * second)


def run_batches(batches: list[PairingBatch], duration_s: float, backend: str = "runtime", seed: int = 0
                ) -> dict[str, np.ndarray]:
    """Run batches side by side in one simulation; returns ``dw`` (in nS, final minus initial
    weight) per synapse, by batch name."""
    from spiking.plan import NetworkPlan, Projection
    from spiking.simulation import Simulation

    plan = NetworkPlan(duration=duration_s * second, seed=seed, dt=DT_S * second)
    for batch in batches:
        pre, post = batch.steps()
        plan.add_population(_source(f"{batch.name}_presynaptic", pre))
        plan.add_population(_source(f"{batch.name}_postsynaptic", post))
        plan.add_projection(Projection(batch.name, f"{batch.name}_presynaptic", f"{batch.name}_postsynaptic", None, "ampa",
                                       "one_to_one", weight=W_INITIAL, delay=0 * ms, plasticity=batch.rule))
        plan.record_weights(batch.name)
    with Simulation(plan, backend=backend) as sim:
        result = sim.run()
    out = {}
    for batch in batches:
        weights = result.weights[batch.name]
        order = np.argsort(weights.pre.values)
        out[batch.name] = (weights.weight.values[order] - float(W_INITIAL)) / float(nS)
    return out


def _estimates(rule: BurstDependentPlasticity, t_s: np.ndarray, event_rate: float, burst_rate: float):
    """Mean-field moving averages (Hz) relaxing from the rule's starting estimates."""
    decay = np.exp(-t_s / float(rule.tau_avg))
    e_bar = event_rate + (float(rule.initial_event_rate) - event_rate) * decay
    b_bar = burst_rate + (float(rule.initial_burst_rate) - burst_rate) * decay
    return e_bar, b_bar


def _expected_dw(rule: BurstDependentPlasticity, duration_s: float, pre_event_rate: float, event_rate: float,
                 burst_rate: float) -> float:
    """Expected dw (nS, as :func:`run_batches` reports it) for independent pre and post trains:
    the presynaptic trace averages tau_pre * E_pre, so E[dw] = eta tau_pre E_pre int (B - E Pbar(t)) dt,
    with the moving averages relaxing deterministically (their fluctuations, over tau_avg E
    events, are ignored)."""
    t = np.linspace(0.0, duration_s, 20001)
    e_bar, b_bar = _estimates(rule, t, event_rate, burst_rate)
    integrand = burst_rate - event_rate * b_bar / e_bar
    return float(rule.eta / nS) * float(rule.tau_pre) * pre_event_rate * float(np.trapezoid(integrand, t))


def _poisson_rates(rate_hz: float, isi_s: float = 0.016, dead_time_s: float = 0.002) -> tuple[float, float]:
    """Event and burst rates of a dead-time Poisson train under the interval rule: a spike is an
    event when the interval before it exceeds isi_s (probability q = exp(-lambda (isi - dead))),
    and an event is followed by a burst with probability 1 - q."""
    hazard = rate_hz / (1 - rate_hz * dead_time_s)
    q = np.exp(-hazard * (isi_s - dead_time_s))
    return rate_hz * q, rate_hz * q * (1 - q)


def poisson_expected_dw(rule: BurstDependentPlasticity, rate_hz: float, duration_s: float) -> float:
    """Expected dw of the Poisson protocol (pre and post at the same rate)."""
    events, bursts = _poisson_rates(rate_hz)
    return _expected_dw(rule, duration_s, events, events, bursts)


def poisson_zero_crossing_hz(p_bar_0: float, isi_s: float = 0.016, dead_time_s: float = 0.002) -> float:
    """Rate at which the Poisson protocol's burst probability 1 - exp(-lambda (isi - dead)) equals
    the starting estimate: there the moving averages stay put and E[dw] = 0."""
    hazard = -np.log(1 - p_bar_0) / (isi_s - dead_time_s)
    return float(hazard / (1 + hazard * dead_time_s))


def burst_poisson_event_rate(event_rate_hz: float, p_burst: float) -> float:
    """Actual event rate of the burst-Poisson trains: a cycle is the dead time, the exponential
    interval and, with probability p, the 2-12 ms to the second spike (7 ms on average)."""
    return 1.0 / (1.0 / event_rate_hz + 0.007 * p_burst)


def burst_poisson_expected_dw(rule: BurstDependentPlasticity, event_rate_hz: float, p_burst: float,
                              duration_s: float) -> float:
    """Expected dw of the burst-Poisson protocol (every doublet is a burst under the 16 ms rule)."""
    events = burst_poisson_event_rate(event_rate_hz, p_burst)
    return _expected_dw(rule, duration_s, events, events, p_burst * events)


def zero_crossing(x: np.ndarray, y: np.ndarray) -> float:
    """The first x where y changes sign from negative to positive (linear interpolation); NaN
    if it does not.

    Examples
    --------
    >>> zero_crossing(np.array([0.0, 1.0, 2.0]), np.array([-1.0, -0.5, 0.5]))
    1.5
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    for k in range(len(x) - 1):
        if y[k] < 0 <= y[k + 1]:
            return float(x[k] + (x[k + 1] - x[k]) * (-y[k]) / (y[k + 1] - y[k]))
    return float("nan")
