"""Injected-current waveforms sample exactly what they promise."""

import numpy as np
import pytest
from brian2 import Hz, ms, nA, pA

from spiking.stimuli import Constant, DoubleExponential, PulseTrain, Sampled, Sine, Step, sample_matrix


def test_step_covers_exactly_its_duration_on_the_grid():
    dt = 0.1e-3
    t = np.arange(1000) * dt
    on = Step(1 * nA, 5 * ms, 5 * ms).sample(t) > 0
    assert on.sum() == 50  # 5 ms / 0.1 ms samples, no rounding loss at either edge
    assert t[on][0] == pytest.approx(5e-3) and t[on][-1] == pytest.approx(9.9e-3)


def test_double_exponential_peak_and_time_to_peak():
    epsc = DoubleExponential(0.5 * nA, 2 * ms, 0.5 * ms, 5 * ms)
    t = np.arange(0, 0.05, 1e-7)
    i = epsc.sample(t)
    # the closed-form time to peak tau_r tau_d/(tau_d - tau_r) ln(tau_d/tau_r) = 1.279 ms
    assert t[np.argmax(i)] - 2e-3 == pytest.approx(float(epsc.time_to_peak), abs=1e-7)
    assert i.max() == pytest.approx(0.5e-9, rel=1e-9)
    assert np.all(i[t < 2e-3] == 0)
    # charge = peak/norm * (tau_d - tau_r)
    norm = np.exp(-float(epsc.time_to_peak) / 5e-3) - np.exp(-float(epsc.time_to_peak) / 0.5e-3)
    assert np.trapezoid(i, t) == pytest.approx(0.5e-9 / norm * 4.5e-3, rel=1e-4)


def test_pulse_train_and_sum():
    t = np.arange(0, 0.05, 1e-4)
    train = PulseTrain(1 * nA, 0 * ms, 2 * ms, 100 * Hz, 3)
    assert np.count_nonzero(train.sample(t)) == 60
    total = (train + Constant(100 * pA)).sample(t)
    assert total.min() == pytest.approx(1e-10) and total.max() == pytest.approx(1.1e-9)


def test_sine_and_sampled():
    assert Sine(10 * pA, 5 * pA, 2 * Hz).sample(np.array([0.125]))[0] == pytest.approx(15e-12)
    wave = Sampled(np.array([1.0, 2.0]) * pA, 1 * ms)
    np.testing.assert_allclose(wave.sample(np.array([0.0, 0.00099, 0.001, 0.5])), [1e-12, 1e-12, 2e-12, 2e-12])


def test_sample_matrix_per_cell_and_broadcast():
    m = sample_matrix([None, Constant(1 * pA)], n_cells=3, n_steps=4, dt=0.1 * ms)
    assert m.shape == (4, 3)
    np.testing.assert_array_equal(m[:, 0], 0)
    np.testing.assert_array_equal(m[:, 1], 1e-12)
    np.testing.assert_array_equal(m[:, 2], 0)
