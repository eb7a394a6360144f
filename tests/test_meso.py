"""The meso (rate-level) model: forward pass, gradients against finite differences, the learning
rules' local updates, and the learning-study figure's quick run."""

import json

import numpy as np
import pytest

from conftest import load_figure_module
from spiking.meso import (Backprop, BurstTD, MesoLayer, MesoNetwork, backprop_gradients, burst_td_gradients,
                          burst_td_loss, load_digits_dataset, mse_loss, sst_gradients, sst_loss, train)

# Central differences in float64 with step 1e-6 have truncation error ~ step^2 * f''' ~ 1e-12
# and rounding error ~ 1e-16 / 1e-6 = 1e-10 relative to the loss; gradients of order 1e-3..1
# therefore agree to better than 1e-6 relative.
FD_STEP = 1e-6
FD_RTOL = 1e-6


def _finite_difference(loss, array):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        old = array[index]
        array[index] = old + FD_STEP
        up = loss()
        array[index] = old - FD_STEP
        down = loss()
        array[index] = old
        grad[index] = (up - down) / (2 * FD_STEP)
    return grad


def _random_layer(rng, n_units=4, n_inputs=3, n_above=2):
    return MesoLayer(rng.normal(size=(n_units, n_inputs)), rng.normal(size=n_units),
                     rng.normal(size=(n_units, n_above)), rng.normal(size=(n_units, n_units)))


def test_burst_td_gradient_equals_finite_differences():
    rng = np.random.default_rng(3)
    layer = _random_layer(rng)
    inputs, p_before, beta_after = rng.random((5, 3)), rng.random((5, 4)), rng.random((5, 4))
    d_w, d_b = burst_td_gradients(layer, inputs, p_before, beta_after)
    loss = lambda: burst_td_loss(layer, inputs, p_before, beta_after)  # noqa: E731
    np.testing.assert_allclose(d_w, _finite_difference(loss, layer.feedforward_weights), rtol=FD_RTOL, atol=1e-10)
    np.testing.assert_allclose(d_b, _finite_difference(loss, layer.bias), rtol=FD_RTOL, atol=1e-10)


def test_sst_gradient_equals_finite_differences():
    rng = np.random.default_rng(4)
    layer = _random_layer(rng)
    top_down, beta_before = rng.normal(size=(6, 4)), rng.random((6, 4))
    grad = sst_gradients(layer, top_down, beta_before, gamma=0.2)
    numeric = _finite_difference(lambda: sst_loss(layer, top_down, beta_before, gamma=0.2), layer.sst_weights)
    np.testing.assert_allclose(grad, numeric, rtol=FD_RTOL, atol=1e-10)


def test_backprop_gradients_equal_finite_differences():
    rng = np.random.default_rng(5)
    net = MesoNetwork.initialise([5, 4, 3, 2], rng, scale=2.0)
    inputs, targets = rng.random((7, 5)), np.eye(2)[rng.integers(0, 2, 7)]
    grads = backprop_gradients(net, inputs, targets)
    for layer, (d_w, d_b) in zip(net.layers, grads):
        loss = lambda: mse_loss(net, inputs, targets)  # noqa: E731
        np.testing.assert_allclose(d_w, _finite_difference(loss, layer.feedforward_weights), rtol=FD_RTOL, atol=1e-10)
        np.testing.assert_allclose(d_b, _finite_difference(loss, layer.bias), rtol=FD_RTOL, atol=1e-10)


def test_forward_pass_with_fixed_burst_probability_is_a_sigmoid_mlp():
    rng = np.random.default_rng(6)
    net = MesoNetwork.initialise([6, 5, 4, 3], rng, init="large_variance")
    x = rng.random((9, 6))
    # the plain MLP, written out independently of the library
    expected = x
    for layer in net.layers:
        expected = 1 / (1 + np.exp(-(expected @ layer.feedforward_weights.T + layer.bias)))
    p_fixed = [np.full(n, 0.3) for n in (5, 4, 3)]
    state = net.initial_state(9)
    for _ in range(net.n_layers):
        state = net.step(state, x, fixed_burst_probability=p_fixed)
    # exact up to rounding: the same operations in the same order
    np.testing.assert_allclose(state.h[-1], expected, rtol=1e-12)
    np.testing.assert_allclose(state.beta[-1], 0.3 * expected, rtol=1e-12)
    # the event pathway ignores the bursts: with p free the events are the same
    free = net.initial_state(9)
    for _ in range(net.n_layers):
        free = net.step(free, x, nudge=np.ones(3))
    np.testing.assert_allclose(free.h[-1], expected, rtol=1e-12)


def test_nudge_changes_bursts_not_events_and_arrives_one_layer_per_step():
    rng = np.random.default_rng(7)
    net = MesoNetwork.initialise([4, 5, 5, 3], rng)
    x = rng.random((2, 4))
    state = net.initial_state(2)
    for _ in range(12):  # settle: events after 3 steps, burst probabilities a few steps later
        state = net.step(state, x)
    settled = state
    nudged = [net.step(settled, x, nudge=np.full(3, 2.0))]
    for _ in range(2):
        nudged.append(net.step(nudged[-1], x, nudge=np.full(3, 2.0)))
    # settled to rounding: the maps are contractions for these small weights (12 steps)
    quiet = net.step(settled, x)
    np.testing.assert_allclose(quiet.beta[0], settled.beta[0], atol=1e-6)
    for t, state in enumerate(nudged):
        for k in range(3):
            np.testing.assert_allclose(state.h[k], settled.h[k], rtol=1e-12)  # events untouched
            arrived = t >= 2 - k
            changed = np.max(np.abs(state.beta[k] - settled.beta[k]))
            assert (changed > 1e-4) == arrived, (t, k, changed)


def test_burst_td_update_is_the_local_gradient_step():
    rng = np.random.default_rng(8)
    net = MesoNetwork.initialise([3, 4, 2], rng)
    x, y = rng.random((5, 3)), np.eye(2)[rng.integers(0, 2, 5)]
    rule = BurstTD(learning_rate=0.5, n_settle=10)
    # replay the rule's steps by hand
    copy = net.copy()
    history = [copy.initial_state(5)]
    for _ in range(10):
        history.append(copy.step(history[-1], x))
    nudge = y - history[-1].h[-1]
    s_out = copy.step(history[-1], x, nudge=nudge)
    g_out = burst_td_gradients(copy.layers[1], history[-2].h[0], history[-1].p[1], s_out.beta[1])
    s_hidden = copy.step(s_out, x, nudge=nudge)  # W_2's change does not reach the hidden layer's bursts yet
    g_hidden = burst_td_gradients(copy.layers[0], x, s_out.p[0], s_hidden.beta[0])
    w_before = [layer.feedforward_weights.copy() for layer in net.layers]
    rule.present(net, net.initial_state(5), x, y)
    np.testing.assert_allclose(net.layers[1].feedforward_weights - w_before[1], -0.5 * g_out[0], rtol=1e-10)
    np.testing.assert_allclose(net.layers[0].feedforward_weights - w_before[0], -0.5 * g_hidden[0], rtol=1e-10)
    # a nudge towards the target lowers the output's squared error on the same input
    assert mse_loss(net, x, y) < mse_loss(copy, x, y)


def test_output_update_points_along_the_backprop_gradient():
    rng = np.random.default_rng(9)
    net = MesoNetwork.initialise([8, 6, 3], rng)
    x, y = rng.random((40, 8)), np.eye(3)[rng.integers(0, 3, 40)]
    grad_out = backprop_gradients(net, x, y)[1][0]
    before = net.layers[1].feedforward_weights.copy()
    BurstTD(learning_rate=1.0).present(net, net.initial_state(40), x, y)
    step = net.layers[1].feedforward_weights - before
    cosine = np.sum(step * -grad_out) / np.linalg.norm(step) / np.linalg.norm(grad_out)
    # the output update is backprop's per-example delta rescaled by h * p * sigma'(u) > 0, which
    # varies between examples by less than a factor ~3 here: strongly but not exactly aligned
    assert cosine > 0.9


def test_frozen_layers_keep_their_weights_and_the_others_learn():
    rng = np.random.default_rng(11)
    net = MesoNetwork.initialise([4, 5, 3], rng)
    before = [layer.feedforward_weights.copy() for layer in net.layers]
    x, y = rng.random((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    BurstTD(learning_rate=1.0, frozen_layers=(0,)).present(net, net.initial_state(6), x, y)
    np.testing.assert_array_equal(net.layers[0].feedforward_weights, before[0])
    assert np.abs(net.layers[1].feedforward_weights - before[1]).max() > 1e-4


def test_kolen_pollack_feedback_learning_mirrors_the_forward_update():
    rng = np.random.default_rng(12)
    net = MesoNetwork.initialise([4, 5, 3], rng)
    w_before = net.layers[1].feedforward_weights.copy()
    y_before = net.layers[0].feedback_weights.copy()
    x, y = rng.random((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    BurstTD(learning_rate=1.0, learn_feedback=True, weight_decay=0.01).present(net, net.initial_state(6), x, y)
    gradient_step = net.layers[1].feedforward_weights - w_before + 0.01 * w_before  # Delta W_1 without its decay
    # Delta Y_0 = (gradient step of W_1)^T - decay Y_0, so Y_0 - W_1^T shrinks by (1 - decay)
    np.testing.assert_allclose(net.layers[0].feedback_weights - y_before, gradient_step.T - 0.01 * y_before,
                               rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(net.layers[0].feedback_weights - net.layers[1].feedforward_weights.T,
                               0.99 * (y_before - w_before.T), rtol=1e-12)


def test_sst_learning_drives_the_apical_drive_towards_gamma():
    rng = np.random.default_rng(10)
    net = MesoNetwork.initialise([4, 6, 3], rng, feedback_init="all_positive", feedback_scale=5.0)
    x = rng.random((16, 4))
    y = np.eye(3)[rng.integers(0, 3, 16)]
    rule = BurstTD(learning_rate=1e-9, sst_learning_rate=0.5)
    state, first = rule.present(net, net.initial_state(16), x, y)
    for _ in range(200):
        state, last = rule.present(net, state, x, y)
    # positive feedback puts u far above 0 at first; SST learning (a least-squares fit of the
    # linear map beta -> u) removes almost all of it
    assert last["sst_loss"] < 0.05 * first["sst_loss"]


def test_bad_input_names_the_parameter():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="init must be one of"):
        MesoNetwork.initialise([2, 2], rng, init="weird")
    with pytest.raises(ValueError, match="sizes"):
        MesoNetwork.initialise([2], rng)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        BurstTD(learning_rate=0)
    with pytest.raises(ValueError, match="nudge must be one of"):
        BurstTD(nudge="push")
    with pytest.raises(ValueError, match="inputs must have shape"):
        net = MesoNetwork.initialise([2, 2], rng)
        net.step(net.initial_state(1), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="network sizes"):
        train(MesoNetwork.initialise([3, 10], rng), Backprop(), load_digits_dataset(), epochs=1)
    with pytest.raises(FileNotFoundError, match="never downloads"):
        from spiking.meso import load_mnist_dataset
        load_mnist_dataset("no-such-file.npz")


def test_burst_td_training_improves_accuracy_and_callbacks_can_stop():
    data = load_digits_dataset()
    rng = np.random.default_rng(1)
    net = MesoNetwork.initialise([64, 32, 10], rng)
    history = train(net, BurstTD(learning_rate=10.0), data, epochs=8, batch_size=16, rng=rng)
    # chance is 10 % (binomial SE over 360 test images: 1.6 points); eight epochs of burst TD
    # reach about 30 % (seeds 1-3: 30-33 %), so 20 % is far above chance and safely below
    assert history["test_accuracy"][-1] > 0.2
    seen = []
    history = train(MesoNetwork.initialise([64, 10], rng), Backprop(), data, epochs=5, rng=rng,
                    callbacks=[lambda epoch, network, record: seen.append(epoch) or epoch >= 3])
    assert seen == [0, 1, 2, 3] and history["epoch"] == [0, 1, 2, 3]


def test_mnist_loader_reads_a_user_file_and_scales_to_unit_range(tmp_path):
    from spiking.meso import load_mnist_dataset

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    images[0, 0, 0] = 255
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images[:4], y_train=np.array([0, 1, 2, 3], dtype=np.uint8), x_test=images[4:],
             y_test=np.array([9, 8], dtype=np.uint8))
    data = load_mnist_dataset(str(path))
    assert data.x_train.shape == (4, 784) and data.x_test.shape == (2, 784) and data.n_classes == 10
    assert data.x_train.max() == 1.0 and data.x_train.min() >= 0.0  # 255 -> 1
    np.testing.assert_allclose(data.x_test[0], images[4].ravel() / 255.0)
    assert data.y_test.tolist() == [9, 8]
    np.savez(path, x_train=images, y_train=np.zeros(6))
    with pytest.raises(ValueError, match="lacks arrays"):
        load_mnist_dataset(str(path))


@pytest.mark.slow
def test_learning_study_quick_run(tmp_path):
    load_figure_module("meso_learning").main(["--quick", "--out", str(tmp_path)])
    assert (tmp_path / "meso_learning.png").stat().st_size > 20_000
    data = json.loads((tmp_path / "meso_learning.json").read_text())
    assert {"accuracy", "final_accuracy", "init_robustness", "params", "provenance"} <= set(data)
    assert set(data["accuracy"]) == {"burst_td_sst", "burst_td", "backprop", "burst_td_output_only"}
    for model, per_seed in data["accuracy"].items():
        assert len(per_seed) == 2 and all(len(curve) == 5 for curve in per_seed.values())
        # every model learns: above chance (10 %) by more than the spread of two seeds allows by luck
        assert data["final_accuracy"][model]["mean"] > 0.2
    assert "large_variance (W, Y x5)" in data["init_robustness"]
    # sigmoid'(u) is at most 1/4 (at u = 0) and positive
    assert all(0 < g <= 0.25 for per_model in data["apical_gain"].values() for g in per_model.values())
    assert data["provenance"]["backend"] == "numpy"
