"""Event/burst decoding: exact answers on hand-built trains, closed forms on Poisson trains."""

import numpy as np
import pytest

from spiking.decoding import decompose, moving_average_rates, trace_before_spikes, unit_rates
from spiking.spikes import SpikeData

DT = 1e-4  # a simulation grid: spike times are k * DT in floating point


def _grid(*steps):
    return [k * DT for k in steps]


def test_isolated_doublet_triplet():
    spikes = SpikeData.from_trains([_grid(1000), _grid(2000, 2050), _grid(3000, 3050, 3100)], 0.0, 1.0)
    d = decompose(spikes)
    assert d.event_times_s.tolist() == pytest.approx([0.1, 0.2, 0.3])
    assert d.event_n_spikes.tolist() == [1, 2, 3]
    # one burst per multi-spike event, counted at its second spike, assigned to its event
    assert d.burst_times_s.tolist() == pytest.approx([0.205, 0.305])
    assert d.burst_event.tolist() == [1, 2]
    assert d.burst_event_times_s.tolist() == pytest.approx([0.2, 0.3])


@pytest.mark.parametrize("rule, tie_is_burst", [("isi", True), ("trace", False)])
@pytest.mark.parametrize("start_step", [1000, 3333, 7777, 12345])
def test_interval_of_exactly_16_ms(start_step, rule, tie_is_burst):
    # 160 steps of 0.1 ms = 16 ms exactly; in floating point k*DT differences are off by ~1e-17.
    # After a single spike both rules compare the interval with 16 ms (trace e^-(isi/16 ms) vs
    # e^-1); the tie goes to the burst under the interval rule (the papers' "ISI <= 16 ms") and
    # to a new event under the trace rule (the reference monitor, recorded in validation/)
    t = _grid(start_step, start_step + 160)
    d = decompose(SpikeData.from_trains([t], 0.0, 2.0), rule=rule)
    assert d.event_n_spikes.tolist() == ([2] if tie_is_burst else [1, 1])
    # one step shorter is a burst under both, one step longer two events under both
    t = _grid(start_step, start_step + 159)
    assert decompose(SpikeData.from_trains([t], 0.0, 2.0), rule=rule).event_n_spikes.tolist() == [2]
    t = _grid(start_step, start_step + 161)
    d = decompose(SpikeData.from_trains([t], 0.0, 2.0), rule=rule)
    assert d.event_n_spikes.tolist() == [1, 1] and len(d.burst_times_s) == 0


def test_burst_chain_and_new_event_after_gap():
    # ISIs: 10, 10 (burst), 20 (new event under the interval rule), 5 (burst)
    t = _grid(0, 100, 200, 400, 450)
    d = decompose(SpikeData.from_trains([t], 0.0, 1.0), rule="isi")
    assert d.event_n_spikes.tolist() == [3, 2]
    assert d.burst_times_s.tolist() == pytest.approx([0.01, 0.045])
    # trace rule: before the spike at 40 ms the trace is e^-40/16 + e^-30/16 + e^-20/16 = 0.52
    # > e^-1, so the tail belongs to the first event (one burst only)
    d = decompose(SpikeData.from_trains([t], 0.0, 1.0), rule="trace")
    assert d.event_n_spikes.tolist() == [5]
    assert d.burst_times_s.tolist() == pytest.approx([0.01])


def test_four_spike_burst_then_spike_20_ms_later():
    # the case the issue names: under the interval rule the last spike is a new event (its
    # interval, 20 ms, is > 16 ms); the trace before it is sum_k e^-(20 + 5k)/16, k = 0..3,
    # = 0.72 > e^-1, so under the trace rule it is part of the burst
    t = _grid(1000, 1050, 1100, 1150, 1350)
    spikes = SpikeData.from_trains([t], 0.0, 1.0)
    isi, trace = decompose(spikes, rule="isi"), decompose(spikes, rule="trace")
    assert isi.event_n_spikes.tolist() == [4, 1] and len(isi.burst_times_s) == 1
    assert trace.event_n_spikes.tolist() == [5] and len(trace.burst_times_s) == 1
    expected = sum(np.exp(-(20 + 5 * k) / 16) for k in range(4))
    assert trace_before_spikes(spikes)[-1] == pytest.approx(expected, rel=1e-12)  # exact arithmetic


@pytest.mark.parametrize("gap_steps, new_event", [(243, False), (244, True)])
def test_silence_needed_after_a_doublet(gap_steps, new_event):
    # after a doublet 6 ms apart the trace falls below e^-1 only g > 16 ms (1 + ln(1 + e^-6/16))
    # = 24.37 ms after the second spike: 24.3 ms is still the same event, 24.4 ms a new one
    t = _grid(1000, 1060, 1060 + gap_steps)
    d = decompose(SpikeData.from_trains([t], 0.0, 1.0), rule="trace")
    assert d.event_n_spikes.tolist() == ([2, 1] if new_event else [3])


def test_trace_is_the_sum_of_decaying_spikes():
    # the vectorised recursion equals the definition, sum over earlier spikes of e^-(t - t_j)/tau,
    # on random trains of uneven lengths (float64: relative 1e-12)
    rng = np.random.default_rng(3)
    trains = [np.sort(rng.uniform(0, 0.5, n)) for n in (0, 1, 2, 7, 40, 90)]
    spikes = SpikeData.from_trains(trains, 0.0, 0.5)
    got = trace_before_spikes(spikes, tau_s=0.016)
    for k, (t, i) in enumerate(zip(spikes.times_s, spikes.indices)):
        earlier = trains[i][trains[i] < t]
        assert got[k] == pytest.approx(np.exp(-(t - earlier) / 0.016).sum(), rel=1e-12, abs=1e-300)


def test_rules_agree_without_close_spike_chains():
    # chains of at most 4 spikes 3 ms apart, chain starts >= 60 ms apart, so every silence is
    # >= 51 ms: the trace after it is < 4 e^-51/16 = 0.17 < e^-1 and within a chain it is
    # > e^-3/16 > e^-1, so the two rules classify every spike alike
    rng = np.random.default_rng(5)
    trains = []
    for _ in range(50):
        starts = np.cumsum(rng.uniform(0.06, 0.2, 20))
        trains.append(np.concatenate([s + 0.003 * np.arange(rng.integers(1, 5)) for s in starts]))
    spikes = SpikeData.from_trains(trains, 0.0, 5.0)
    a, b = decompose(spikes, rule="isi"), decompose(spikes, rule="trace")
    np.testing.assert_array_equal(a.is_event, b.is_event)
    np.testing.assert_array_equal(a.is_burst_start, b.is_burst_start)


def test_unknown_rule_is_rejected():
    spikes = SpikeData.from_trains([[0.1]], 0.0, 1.0)
    with pytest.raises(ValueError, match="rule must be one of"):
        decompose(spikes, rule="last_isi")
    with pytest.raises(ValueError, match="rule must be one of"):
        unit_rates(spikes, 0.5, rule="ISI")


def test_empty_and_silent_neurons_count_in_rates():
    empty = SpikeData.from_trains([[], []], 0.0, 1.0)
    ds = unit_rates(empty, 0.5)
    assert np.all(ds.event_rate.values == 0) and np.all(np.isnan(ds.burst_probability.values))
    # 1 event in a unit of 4 neurons (3 silent), 0.5 s bins: 1 / (4 * 0.5) = 0.5 Hz
    spikes = SpikeData.from_trains([[0.1], [], [], []], 0.0, 1.0)
    ds = unit_rates(spikes, 0.5)
    assert ds.event_rate.values.tolist() == [[0.5, 0.0]]
    assert int(ds.n_neurons[0]) == 4


def test_unsorted_input_gives_the_same_answer():
    rng = np.random.default_rng(0)
    trains = [np.sort(rng.uniform(0, 1, 30)).round(4) for _ in range(5)]
    sorted_spikes = SpikeData.from_trains(trains, 0.0, 1.0)
    perm = rng.permutation(len(sorted_spikes))
    shuffled = SpikeData(sorted_spikes.times_s[perm], sorted_spikes.indices[perm], 5, 0.0, 1.0)
    a, b = decompose(sorted_spikes), decompose(shuffled)
    np.testing.assert_array_equal(a.event_times_s, b.event_times_s)
    np.testing.assert_array_equal(a.burst_times_s, b.burst_times_s)


def test_units_are_separate():
    spikes = SpikeData.from_trains([[0.1, 0.105], [0.2], [0.3]], 0.0, 1.0, unit_of_neuron=[0, 0, 1])
    ds = unit_rates(spikes, 1.0)
    # unit 0: 2 events (one a burst) over 2 neurons x 1 s; unit 1: one event, no burst
    assert ds.event_rate.values[:, 0].tolist() == [1.0, 1.0]
    assert ds.burst_probability.values[:, 0].tolist() == [0.5, 0.0]


def test_event_aligned_bursts_keep_probability_at_most_one():
    # a burst straddling a bin edge: second spike in the next bin
    spikes = SpikeData.from_trains([[0.098, 0.104]], 0.0, 0.2)
    aligned = unit_rates(spikes, 0.1, burst_time="event")
    second = unit_rates(spikes, 0.1, burst_time="second_spike")
    assert aligned.burst_probability.values[0].tolist() == [1.0, 1.0] or np.isnan(aligned.burst_probability.values[0, 1])
    assert aligned.burst_count.values[0].tolist() == [1, 0]
    assert second.burst_count.values[0].tolist() == [0, 1]


@pytest.mark.parametrize("rate_hz", [5.0, 20.0, 60.0])
def test_poisson_closed_forms(rate_hz):
    # stationary Poisson train: P(previous ISI > T) = exp(-rT), so E = r exp(-rT) and
    # P(next ISI <= T | event) = 1 - exp(-rT)
    rng = np.random.default_rng(int(rate_hz))
    n_neurons, duration = 200, 50.0
    trains = [np.cumsum(rng.exponential(1 / rate_hz, int(rate_hz * duration * 1.3) + 50)) for _ in range(n_neurons)]
    trains = [t[t < duration] for t in trains]
    spikes = SpikeData.from_trains(trains, 0.0, duration)
    ds = unit_rates(spikes, duration, rule="isi")  # the closed forms are those of the interval rule
    T = 0.016
    n_events = float(ds.event_count.sum())
    expected_er = rate_hz * np.exp(-rate_hz * T)
    # a neuron's first spike is always an event: +1 event per neuron, a 1/(r*duration) bias
    expected_er += 1 / duration
    er = float(ds.event_rate[0, 0])
    # counts are ~Poisson: relative standard error 1/sqrt(n_events); allow 4 standard errors
    assert er == pytest.approx(expected_er, rel=4 / np.sqrt(n_events))
    bp = float(ds.burst_probability[0, 0])
    expected_bp = 1 - np.exp(-rate_hz * T)
    # binomial standard error of a proportion over n_events events; 4 standard errors
    se = np.sqrt(expected_bp * (1 - expected_bp) / n_events)
    assert bp == pytest.approx(expected_bp, abs=4 * se + 1 / (rate_hz * duration))


def test_moving_average_trace_closed_form():
    # events on the 1 ms grid, so the binned trace must equal the continuous one
    spikes = SpikeData.from_trains([_grid(1000, 1050), _grid(3000)], 0.0, 1.0)
    ds = moving_average_rates(spikes, tau_avg_s=0.2, dt_s=1e-3)
    t = ds.time.values

    def kernel(t_event):
        return np.where(t > t_event, np.exp(-(t - t_event) / 0.2), 0.0)

    # unit average over N = 2 neurons of sum_events exp(-(t - t_e)/tau)/tau
    np.testing.assert_allclose(ds.event_rate_avg.values[0], (kernel(0.1) + kernel(0.3)) / (2 * 0.2), rtol=1e-9,
                               atol=1e-12)
    # the burst is counted at its second spike (0.105 s)
    np.testing.assert_allclose(ds.burst_rate_avg.values[0], kernel(0.105) / (2 * 0.2), rtol=1e-9, atol=1e-12)
    p = ds.burst_probability_avg.values[0]
    late = t > 0.31
    np.testing.assert_allclose(p[late], kernel(0.105)[late] / (kernel(0.1) + kernel(0.3))[late], rtol=1e-9)


def test_bad_spike_data():
    with pytest.raises(ValueError, match="indices must lie"):
        SpikeData(np.array([0.1]), np.array([3]), 2, 0.0, 1.0)
    with pytest.raises(ValueError, match="t_start_s, t_stop_s"):
        SpikeData(np.array([1.5]), np.array([0]), 2, 0.0, 1.0)


def test_decoding_does_not_import_brian2():
    import subprocess
    import sys

    code = "import sys, spiking.decoding, spiking.spikes; print('brian2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
