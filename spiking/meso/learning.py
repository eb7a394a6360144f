"""Learning rules of the meso model: the burst temporal-difference rule with SST learning, and
backpropagation for comparison.

Burst temporal difference (burst TD)
------------------------------------
The network runs forward in time; now and then the output layer is *nudged*: from time ``t*``
its apical drive gets ``n = nudge_strength * (y - h_L(t*-1))`` (``y`` the one-hot target), so
its burst rate moves towards the target while its event rate, which carries the prediction, is
untouched. Through the feedback weights the change of burst rate reaches layer ``k`` at
``t*_k = t* + (L - k)``. At that step the layer changes its weights to reduce its *burst TD
loss*::

    L_k = || beta_k(t*_k) - beta_k(t*_k - 1) ||^2,    beta_k(t*_k - 1) = h_k(t*_k - 1) p_k(t*_k - 1)

with ``h_k(t*_k - 1) = sigmoid(W_k h_{k-1}(t*_k - 2) + b_k)``. The gradient is taken through
this event-rate path only: the burst rate after the nudge, ``beta_k(t*_k)``, is the target, and
the burst probability ``p_k(t*_k - 1)`` and the input ``h_{k-1}(t*_k - 2)`` are held. So::

    dL_k/dW_k = -2 [(beta_k(t*_k) - beta_k(t*_k - 1)) * p_k * h_k (1 - h_k)] h_{k-1}^T

is local: the unit's own burst change, burst probability and event rate, and the presynaptic
event rate. The update is gradient descent, ``Delta W_k = -learning_rate * dL_k/dW_k`` (and the
same for ``b_k``), averaged over the streams of a batch.

SST learning
------------
The SST weights keep the apical drive near ``gamma`` (about 0, the sigmoid's linear range, where
the burst probability passes feedback on without saturating) by descending
``L_Z = || gamma - u_k(t) ||^2``, with ``u_k(t) = Y_k beta_{k+1}(t-1) - Z_k beta_k(t-1)``::

    dL_Z/dZ_k = 2 (gamma - u_k(t)) beta_k(t-1)^T

at every step outside the nudges.

Feedback weights ``Y`` are fixed random by default. With ``learn_feedback=True`` they learn by
the Kolen-Pollack rule: ``Delta Y_k = (Delta W_{k+1})^T``, with the same weight decay on both, so
that ``Y_k`` converges to ``W_{k+1}^T``.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> net = MesoNetwork.initialise([4, 6, 3], rng)
>>> x, y = rng.random((8, 4)), np.eye(3)[rng.integers(0, 3, 8)]
>>> rule = BurstTD(learning_rate=1.0)
>>> state, metrics = rule.present(net, net.initial_state(8), x, y)
>>> sorted(metrics)
['output_td_loss', 'sst_loss']
"""

from __future__ import annotations

import dataclasses

import numpy as np

from spiking.meso.functions import sigmoid
from spiking.meso.network import MesoLayer, MesoNetwork, MesoState

__all__ = ["burst_td_loss", "burst_td_gradients", "sst_loss", "sst_gradients", "mse_loss", "backprop_gradients",
           "BurstTD", "Backprop", "RULES"]


def _event_rate_path(layer: MesoLayer, inputs_before: np.ndarray):
    drive = inputs_before @ layer.feedforward_weights.T + layer.bias
    return sigmoid(drive)


def burst_td_loss(layer: MesoLayer, inputs_before: np.ndarray, burst_probability_before: np.ndarray,
                  burst_rate_after: np.ndarray) -> float:
    """Burst TD loss of one layer, mean over streams of ``||beta(t*) - h(t*-1) p(t*-1)||^2``.

    Parameters
    ----------
    layer : MesoLayer
    inputs_before : ndarray (n_streams, n_inputs)
        Event rates below at ``t* - 2``, ``h_{k-1}(t*-2)``.
    burst_probability_before : ndarray (n_streams, n_units)
        ``p_k(t* - 1)``.
    burst_rate_after : ndarray (n_streams, n_units)
        ``beta_k(t*)``, the burst rate once the nudge has arrived (the target).

    Examples
    --------
    >>> layer = MesoLayer(np.zeros((1, 1)), np.zeros(1), None, np.zeros((1, 1)))
    >>> burst_td_loss(layer, np.ones((1, 1)), np.full((1, 1), 0.5), np.full((1, 1), 0.75))
    0.25
    """
    before = _event_rate_path(layer, inputs_before) * burst_probability_before
    return float(np.mean(np.sum((burst_rate_after - before) ** 2, axis=1)))


def burst_td_gradients(layer: MesoLayer, inputs_before: np.ndarray, burst_probability_before: np.ndarray,
                       burst_rate_after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients ``(dL/dW, dL/db)`` of :func:`burst_td_loss` with respect to the layer's
    feedforward weights and bias (same arguments).

    Examples
    --------
    >>> layer = MesoLayer(np.zeros((1, 1)), np.zeros(1), None, np.zeros((1, 1)))
    >>> dw, db = burst_td_gradients(layer, np.ones((1, 1)), np.full((1, 1), 0.5), np.full((1, 1), 0.75))
    >>> float(dw[0, 0]), float(db[0])   # -2 * 0.5 * 0.5 * 0.25
    (-0.125, -0.125)
    """
    h = _event_rate_path(layer, inputs_before)
    residual = burst_rate_after - h * burst_probability_before
    d_drive = -2.0 * residual * burst_probability_before * h * (1.0 - h)
    n_streams = inputs_before.shape[0]
    return d_drive.T @ inputs_before / n_streams, d_drive.mean(axis=0)


def _apical_drive(layer: MesoLayer, top_down: np.ndarray, own_burst_rate_before: np.ndarray) -> np.ndarray:
    return top_down - own_burst_rate_before @ layer.sst_weights.T


def sst_loss(layer: MesoLayer, top_down: np.ndarray, own_burst_rate_before: np.ndarray, gamma: float = 0.0) -> float:
    """SST loss ``||gamma - u(t)||^2``, mean over streams.

    Parameters
    ----------
    layer : MesoLayer
    top_down : ndarray (n_streams, n_units)
        The excitatory part of the apical drive, ``Y_k beta_{k+1}(t-1)`` (or the nudge at the
        output).
    own_burst_rate_before : ndarray (n_streams, n_units)
        ``beta_k(t-1)``.
    gamma : float
        Target apical drive.

    Examples
    --------
    >>> layer = MesoLayer(np.zeros((1, 1)), np.zeros(1), None, np.ones((1, 1)))
    >>> sst_loss(layer, np.full((1, 1), 2.0), np.full((1, 1), 0.5))   # u = 2 - 0.5
    2.25
    """
    u = _apical_drive(layer, top_down, own_burst_rate_before)
    return float(np.mean(np.sum((gamma - u) ** 2, axis=1)))


def sst_gradients(layer: MesoLayer, top_down: np.ndarray, own_burst_rate_before: np.ndarray,
                  gamma: float = 0.0) -> np.ndarray:
    """Gradient of :func:`sst_loss` with respect to the SST weights ``Z_k``.

    Examples
    --------
    >>> layer = MesoLayer(np.zeros((1, 1)), np.zeros(1), None, np.ones((1, 1)))
    >>> float(sst_gradients(layer, np.full((1, 1), 2.0), np.full((1, 1), 0.5))[0, 0])   # 2 (0 - 1.5) 0.5
    -1.5
    """
    u = _apical_drive(layer, top_down, own_burst_rate_before)
    return 2.0 * (gamma - u).T @ own_burst_rate_before / top_down.shape[0]


def mse_loss(network: MesoNetwork, inputs: np.ndarray, targets: np.ndarray) -> float:
    """Half the squared output error, mean over streams: the loss :class:`Backprop` descends.

    Examples
    --------
    >>> net = MesoNetwork.initialise([2, 2], np.random.default_rng(0), scale=1e-9)
    >>> round(mse_loss(net, np.zeros((1, 2)), np.array([[1.0, 0.0]])), 6)   # outputs 0.5
    0.25
    """
    out = network.feedforward(inputs)
    return float(np.mean(0.5 * np.sum((targets - out) ** 2, axis=1)))


def backprop_gradients(network: MesoNetwork, inputs: np.ndarray, targets: np.ndarray) -> list[tuple]:
    """Exact gradients ``[(dL/dW_k, dL/db_k), ...]`` of :func:`mse_loss` by backpropagation.

    Examples
    --------
    >>> net = MesoNetwork.initialise([2, 3, 2], np.random.default_rng(0))
    >>> [g[0].shape for g in backprop_gradients(net, np.ones((4, 2)), np.eye(2)[[0, 1, 0, 1]])]
    [(3, 2), (2, 3)]
    """
    activities = [np.asarray(inputs, dtype=float)]
    for layer in network.layers:
        activities.append(sigmoid(activities[-1] @ layer.feedforward_weights.T + layer.bias))
    n_streams = activities[0].shape[0]
    out = activities[-1]
    delta = (out - targets) * out * (1.0 - out)
    grads = []
    for k in range(network.n_layers - 1, -1, -1):
        grads.append((delta.T @ activities[k] / n_streams, delta.mean(axis=0)))
        if k > 0:
            h = activities[k]
            delta = (delta @ network.layers[k].feedforward_weights) * h * (1.0 - h)
    return grads[::-1]


@dataclasses.dataclass(frozen=True)
class BurstTD:
    """The burst TD rule, with or without SST learning (see the module docstring).

    Parameters
    ----------
    learning_rate : float
        Step of the feedforward weights and biases (> 0).
    sst_learning_rate : float
        Step of the SST weights ``Z`` (>= 0); 0 switches SST learning off.
    gamma : float
        Target of the apical drive ``u``.
    nudge_strength : float
        Gain of the output nudge ``n = nudge_strength * (y - h_L)`` (> 0).
    n_settle : int or None
        Steps each example is presented before the nudge; default ``2 L + 2`` (the events need
        ``L`` steps to settle, the burst probabilities up to ``L`` more).
    learn_feedback : bool
        Learn ``Y`` by the Kolen-Pollack rule.
    weight_decay : float
        Relative decay per update of ``W`` and ``Y`` when ``learn_feedback`` (>= 0).
    nudge : {"difference", "normalised"}
        Form of the output nudge (:meth:`nudge_input`).
    min_event_rate : float
        Floor of ``h`` in the ``"normalised"`` nudge, in (0, 1).
    frozen_layers : tuple of int
        Layers (0 = first hidden) whose ``W`` and ``b`` do not learn (controls such as "only the
        output layer learns").
    """

    learning_rate: float = 1.0
    sst_learning_rate: float = 0.0
    gamma: float = 0.0
    nudge_strength: float = 1.0
    n_settle: int | None = None
    learn_feedback: bool = False
    weight_decay: float = 1e-4
    nudge: str = "difference"
    min_event_rate: float = 0.01
    frozen_layers: tuple = ()

    def __post_init__(self) -> None:
        for name in ("learning_rate", "nudge_strength"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0; got {getattr(self, name)}")
        for name in ("sst_learning_rate", "weight_decay"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0; got {getattr(self, name)}")
        if any(not isinstance(k, int) or k < 0 for k in self.frozen_layers):
            raise ValueError(f"frozen_layers must list layer indices >= 0; got {self.frozen_layers}")
        if self.nudge not in NUDGES:
            raise ValueError(f"nudge must be one of {NUDGES}; got {self.nudge!r}")
        if not 0 < self.min_event_rate < 1:
            raise ValueError(f"min_event_rate must lie in (0, 1); got {self.min_event_rate}")
        if self.n_settle is not None and int(self.n_settle) < 1:
            raise ValueError(f"n_settle must be >= 1 (or None); got {self.n_settle}")

    def settle_steps(self, network: MesoNetwork) -> int:
        return 2 * network.n_layers + 2 if self.n_settle is None else int(self.n_settle)

    def nudge_input(self, targets: np.ndarray, output_event_rate: np.ndarray) -> np.ndarray:
        """Apical drive of the output layer during a nudge.

        ``"difference"`` (default): ``nudge_strength * (y - h)``. The resulting burst-rate
        change ``h * delta_p`` is proportional to ``h (y - h)``: a nearly silent output unit
        learns slowly, since an ensemble that sends no events cannot burst.
        ``"normalised"``: ``nudge_strength * (y - h) / max(h, min_event_rate)``, the relative
        error that the reference's rate model puts into its output burst probability
        (``tanh((y - e)/e)``). It removes the factor ``h`` while the sigmoid is linear, but
        saturates the burst probability for large relative errors; on the digits it learns
        worse than ``"difference"`` (the up-pushes of the target unit saturate, the down-pushes
        of the nine others do not).

        Examples
        --------
        >>> BurstTD(nudge="normalised").nudge_input(np.array([1.0, 0.0]), np.array([0.5, 0.25])).tolist()
        [1.0, -1.0]
        """
        error = targets - output_event_rate
        if self.nudge == "difference":
            return self.nudge_strength * error
        return self.nudge_strength * error / np.maximum(output_event_rate, self.min_event_rate)

    def _learn_sst(self, network: MesoNetwork, before: MesoState, after: MesoState,
                   nudge: np.ndarray | None) -> float:
        total = 0.0
        for k, layer in enumerate(network.layers):
            top_down = after.u[k] + before.beta[k] @ layer.sst_weights.T  # Y beta_above (or the nudge)
            if self.sst_learning_rate > 0:
                layer.sst_weights -= self.sst_learning_rate * sst_gradients(layer, top_down, before.beta[k],
                                                                            self.gamma)
            total += float(np.mean(np.sum((self.gamma - after.u[k]) ** 2, axis=1)))
        return total

    def present(self, network: MesoNetwork, state: MesoState, inputs: np.ndarray,
                targets: np.ndarray) -> tuple[MesoState, dict]:
        """Present one example per stream: settle (with SST learning), then nudge and learn
        layer by layer as the nudge arrives. Updates ``network`` in place.

        Parameters
        ----------
        network : MesoNetwork
        state : MesoState
            State of the streams before the example (carried over from the previous one).
        inputs : ndarray (n_streams, n_inputs)
        targets : ndarray (n_streams, n_outputs)
            One-hot (or any target rates in [0, 1]).

        Returns
        -------
        state : MesoState
            State after the last layer has learned.
        metrics : dict
            ``output_td_loss`` (the output layer's burst TD loss) and ``sst_loss`` (summed over
            layers, mean over the settle steps).
        """
        sst_total = 0.0
        n_settle = self.settle_steps(network)
        history = [state]
        for _ in range(n_settle):
            after = network.step(history[-1], inputs)
            sst_total += self._learn_sst(network, history[-1], after, None)
            history = history[-1:] + [after]
        # history = [S(t*-2), S(t*-1)] (n_settle >= 1)
        nudge = self.nudge_input(targets, history[-1].h[-1])
        last = network.n_layers - 1
        output_td = 0.0
        for j in range(network.n_layers):
            k = last - j
            after = network.step(history[-1], inputs, nudge=nudge)
            layer = network.layers[k]
            below = inputs if k == 0 else history[-2].h[k - 1]
            if k in self.frozen_layers:
                history = history[-1:] + [after]
                continue
            if j == 0:
                output_td = burst_td_loss(layer, below, history[-1].p[k], after.beta[k])
            d_w, d_b = burst_td_gradients(layer, below, history[-1].p[k], after.beta[k])
            delta_w = -self.learning_rate * d_w
            if self.learn_feedback:
                # Kolen-Pollack: the same gradient step on W and Y^T, the same decay on each, so
                # Y - W^T shrinks by (1 - weight_decay) per update
                if k > 0:
                    lower = network.layers[k - 1]
                    lower.feedback_weights += delta_w.T - self.weight_decay * lower.feedback_weights
                delta_w = delta_w - self.weight_decay * layer.feedforward_weights
            layer.feedforward_weights += delta_w
            layer.bias -= self.learning_rate * d_b
            history = history[-1:] + [after]
        return history[-1], {"output_td_loss": output_td, "sst_loss": sst_total / n_settle}


@dataclasses.dataclass(frozen=True)
class Backprop:
    """Stochastic gradient descent on :func:`mse_loss` with exact gradients (the comparison).

    Parameters
    ----------
    learning_rate : float
        Step (> 0).
    """

    learning_rate: float = 1.0

    def __post_init__(self) -> None:
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0; got {self.learning_rate}")

    def present(self, network: MesoNetwork, state: MesoState, inputs: np.ndarray,
                targets: np.ndarray) -> tuple[MesoState, dict]:
        """One gradient step on a batch; ``state`` is passed through unchanged."""
        loss = mse_loss(network, inputs, targets)
        for layer, (d_w, d_b) in zip(network.layers, backprop_gradients(network, inputs, targets)):
            layer.feedforward_weights -= self.learning_rate * d_w
            layer.bias -= self.learning_rate * d_b
        return state, {"mse_loss": loss}


#: Forms of the output nudge (see :meth:`BurstTD.nudge_input`).
NUDGES = ("difference", "normalised")

#: The models compared in the learning study: name -> rule factory(learning_rate, sst_learning_rate).
#: ``burst_td_output_only`` is a control: burst TD with every hidden layer frozen (the single
#: hidden layer of the study), so its gap to ``burst_td`` is what the hidden layer's credit
#: assignment adds.
RULES = {
    "burst_td_sst": lambda lr, sst_lr: BurstTD(learning_rate=lr, sst_learning_rate=sst_lr),
    "burst_td": lambda lr, sst_lr: BurstTD(learning_rate=lr, sst_learning_rate=0.0),
    "backprop": lambda lr, sst_lr: Backprop(learning_rate=lr),
    "burst_td_output_only": lambda lr, sst_lr: BurstTD(learning_rate=lr, frozen_layers=(0,)),
}
