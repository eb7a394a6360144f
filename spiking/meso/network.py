"""Layers and network of the meso (rate-level) burst model, in discrete time.

Each unit of layer ``k`` is an ensemble summarised by its normalised event rate ``h`` and its
burst probability ``p``; the burst rate is ``beta = h * p``. One time step updates every layer
synchronously from the previous step's state::

    h_k(t)    = sigmoid(W_k h_{k-1}(t-1) + b_k)                  (bottom-up, events)
    u_k(t)    = Y_k beta_{k+1}(t-1) - Z_k beta_k(t-1)           (apical drive; top-down, SST)
    u_L(t)    = n(t) - Z_L beta_L(t-1)                          (output layer: nudge n)
    p_k(t)    = sigmoid(u_k(t))
    beta_k(t) = h_k(t) p_k(t)

``h_0`` is the input, held by the caller. The events never depend on the bursts, so the
feedforward pass is that of a sigmoid multilayer perceptron: after ``L`` steps of a constant
input ``h_L`` equals the MLP's output (:meth:`MesoNetwork.feedforward`).

Arrays hold a batch of independent streams in their first axis: ``h[k]`` has shape
``(n_streams, n_units_k)``. Weights follow the matrix convention ``W_k``: ``(n_k, n_{k-1})``,
``Y_k``: ``(n_k, n_{k+1})``, ``Z_k``: ``(n_k, n_k)``.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> net = MesoNetwork.initialise([4, 3, 2], rng)
>>> x = rng.random((5, 4))
>>> state = net.initial_state(5)
>>> for _ in range(net.n_layers):
...     state = net.step(state, x)
>>> bool(np.allclose(state.h[-1], net.feedforward(x)))
True
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np

from spiking.meso.functions import sigmoid

__all__ = ["MesoLayer", "MesoState", "MesoNetwork", "INITIALISATIONS"]

#: Named weight initialisations (see :meth:`MesoNetwork.initialise`).
INITIALISATIONS = ("standard", "large_variance", "all_positive")


@dataclasses.dataclass
class MesoLayer:
    """One layer's parameters.

    Attributes
    ----------
    feedforward_weights : ndarray, shape (n_units, n_inputs)
        ``W_k``: event rates below -> drive of the event rate.
    bias : ndarray, shape (n_units,)
        ``b_k``.
    feedback_weights : ndarray, shape (n_units, n_units_above) or None
        ``Y_k``: burst rates above -> apical drive; ``None`` for the output layer.
    sst_weights : ndarray, shape (n_units, n_units)
        ``Z_k``: the layer's own burst rates -> apical inhibition (SST+ interneurons).
    """

    feedforward_weights: np.ndarray
    bias: np.ndarray
    feedback_weights: np.ndarray | None
    sst_weights: np.ndarray

    def __post_init__(self) -> None:
        n_units = self.feedforward_weights.shape[0]
        if self.bias.shape != (n_units,):
            raise ValueError(f"bias must have shape ({n_units},); got {self.bias.shape}")
        if self.sst_weights.shape != (n_units, n_units):
            raise ValueError(f"sst_weights must have shape ({n_units}, {n_units}); got {self.sst_weights.shape}")
        if self.feedback_weights is not None and self.feedback_weights.shape[0] != n_units:
            raise ValueError(f"feedback_weights must have {n_units} rows; got {self.feedback_weights.shape}")

    @property
    def n_units(self) -> int:
        return int(self.feedforward_weights.shape[0])

    @property
    def n_inputs(self) -> int:
        return int(self.feedforward_weights.shape[1])

    def copy(self) -> "MesoLayer":
        return MesoLayer(self.feedforward_weights.copy(), self.bias.copy(),
                         None if self.feedback_weights is None else self.feedback_weights.copy(),
                         self.sst_weights.copy())


@dataclasses.dataclass
class MesoState:
    """State of every layer at one time step (lists indexed by layer, 0 = first hidden layer).

    Attributes
    ----------
    h, u, p, beta : list of ndarray, each (n_streams, n_units_k)
        Normalised event rate, apical drive, burst probability and burst rate.
    """

    h: list
    u: list
    p: list
    beta: list

    def copy(self) -> "MesoState":
        return MesoState([a.copy() for a in self.h], [a.copy() for a in self.u], [a.copy() for a in self.p],
                         [a.copy() for a in self.beta])


class MesoNetwork:
    """A stack of :class:`MesoLayer` run in discrete time (see the module docstring).

    Parameters
    ----------
    layers : sequence of MesoLayer
        From the first hidden layer to the output layer; each layer's ``n_inputs`` equals the
        previous layer's ``n_units`` and its ``feedback_weights`` map the next layer's burst
        rates (``None`` on the last).
    """

    def __init__(self, layers: Sequence[MesoLayer]):
        layers = list(layers)
        if not layers:
            raise ValueError("layers: at least one layer is required")
        for k, layer in enumerate(layers):
            if k > 0 and layer.n_inputs != layers[k - 1].n_units:
                raise ValueError(f"layers[{k}] takes {layer.n_inputs} inputs but layers[{k - 1}] has "
                                 f"{layers[k - 1].n_units} units")
            last = k == len(layers) - 1
            if last and layer.feedback_weights is not None:
                raise ValueError("the output layer has no layer above: its feedback_weights must be None")
            if not last and (layer.feedback_weights is None
                             or layer.feedback_weights.shape[1] != layers[k + 1].n_units):
                raise ValueError(f"layers[{k}].feedback_weights must have shape "
                                 f"({layer.n_units}, {layers[k + 1].n_units})")
        self.layers = layers

    @classmethod
    def initialise(cls, sizes: Sequence[int], rng: np.random.Generator, init: str = "standard",
                   scale: float = 1.0, feedback_init: str | None = None,
                   feedback_scale: float = 1.0) -> "MesoNetwork":
        """A network with layer sizes ``sizes`` (input first) and random weights.

        Parameters
        ----------
        sizes : sequence of int
            ``[n_inputs, n_hidden_1, ..., n_outputs]``; at least two entries.
        rng : numpy.random.Generator
        init : {"standard", "large_variance", "all_positive"}
            ``"standard"``: ``W_k`` and ``Y_k`` uniform in ``±sqrt(6 / (fan_in + fan_out))``
            (Glorot); ``"large_variance"``: the same times 5; ``"all_positive"``: the
            absolute values of the standard draw. Biases and ``Z`` start at zero.
        scale : float
            Extra factor on all weights (> 0).
        feedback_init : str, optional
            Initialisation of the feedback weights ``Y`` alone (default: ``init``).
        feedback_scale : float
            Extra factor on ``Y`` (> 0), on top of ``scale``.

        Examples
        --------
        >>> net = MesoNetwork.initialise([3, 5, 2], np.random.default_rng(1), init="all_positive")
        >>> [l.feedforward_weights.shape for l in net.layers], bool((net.layers[0].feedback_weights > 0).all())
        ([(5, 3), (2, 5)], True)
        """
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two layer sizes >= 1; got {sizes}")
        feedback_init = init if feedback_init is None else feedback_init
        for name, value in (("init", init), ("feedback_init", feedback_init)):
            if value not in INITIALISATIONS:
                raise ValueError(f"{name} must be one of {INITIALISATIONS}; got {value!r}")
        for name, value in (("scale", scale), ("feedback_scale", feedback_scale)):
            if not value > 0:
                raise ValueError(f"{name} must be > 0; got {value}")

        def draw(n_out: int, n_in: int, kind: str, factor: float) -> np.ndarray:
            limit = np.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, size=(n_out, n_in)) * factor * (5.0 if kind == "large_variance" else 1.0)
            return np.abs(w) if kind == "all_positive" else w

        forward = [draw(sizes[k + 1], sizes[k], init, scale) for k in range(len(sizes) - 1)]
        layers = []
        for k in range(len(sizes) - 1):
            n = sizes[k + 1]
            feedback = (draw(n, sizes[k + 2], feedback_init, scale * feedback_scale) if k + 2 < len(sizes)
                        else None)
            layers.append(MesoLayer(forward[k], np.zeros(n), feedback, np.zeros((n, n))))
        return cls(layers)

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    @property
    def sizes(self) -> list[int]:
        return [self.layers[0].n_inputs] + [layer.n_units for layer in self.layers]

    def copy(self) -> "MesoNetwork":
        return MesoNetwork([layer.copy() for layer in self.layers])

    def initial_state(self, n_streams: int) -> MesoState:
        """All-quiet state: ``h = beta = 0``, ``u = 0``, ``p = 1/2``."""
        zeros = [np.zeros((n_streams, layer.n_units)) for layer in self.layers]
        return MesoState([z.copy() for z in zeros], [z.copy() for z in zeros], [z + 0.5 for z in zeros],
                         [z.copy() for z in zeros])

    def step(self, state: MesoState, inputs: np.ndarray, nudge: np.ndarray | None = None,
             fixed_burst_probability: Sequence[np.ndarray] | None = None) -> MesoState:
        """Advance every layer by one time step.

        Parameters
        ----------
        state : MesoState
            State at ``t - 1``.
        inputs : ndarray, shape (n_streams, n_inputs)
            ``h_0(t - 1)``.
        nudge : ndarray, shape (n_streams, n_outputs), optional
            Apical drive ``n(t)`` of the output layer (the teaching signal); zero if omitted.
        fixed_burst_probability : sequence of ndarray, optional
            Burst probability per layer to impose instead of ``sigmoid(u)`` (for tests and for
            studies with the apical pathway clamped).

        Returns
        -------
        MesoState
            State at ``t``.
        """
        inputs = np.asarray(inputs, dtype=float)
        if inputs.ndim != 2 or inputs.shape[1] != self.layers[0].n_inputs:
            raise ValueError(f"inputs must have shape (n_streams, {self.layers[0].n_inputs}); got {inputs.shape}")
        below = [inputs] + state.h[:-1]
        h, u, p, beta = [], [], [], []
        last = self.n_layers - 1
        for k, layer in enumerate(self.layers):
            h_k = sigmoid(below[k] @ layer.feedforward_weights.T + layer.bias)
            if k < last:
                u_k = state.beta[k + 1] @ layer.feedback_weights.T
            else:
                u_k = np.zeros_like(h_k) if nudge is None else np.broadcast_to(nudge, h_k.shape).astype(float)
            u_k = u_k - state.beta[k] @ layer.sst_weights.T
            p_k = sigmoid(u_k) if fixed_burst_probability is None else np.broadcast_to(
                fixed_burst_probability[k], h_k.shape).astype(float)
            h.append(h_k)
            u.append(u_k)
            p.append(p_k)
            beta.append(h_k * p_k)
        return MesoState(h, u, p, beta)

    def settle(self, inputs: np.ndarray, n_steps: int | None = None) -> MesoState:
        """State after ``n_steps`` steps (default ``2 L + 2``) of constant ``inputs`` from the
        quiet state, with no nudge.

        Examples
        --------
        >>> net = MesoNetwork.initialise([2, 3, 2], np.random.default_rng(0))
        >>> state = net.settle(np.ones((1, 2)))
        >>> bool(np.allclose(state.h[-1], net.feedforward(np.ones((1, 2)))))
        True
        """
        inputs = np.asarray(inputs, dtype=float)
        n_steps = 2 * self.n_layers + 2 if n_steps is None else int(n_steps)
        if n_steps < 1:
            raise ValueError(f"n_steps must be >= 1; got {n_steps}")
        state = self.initial_state(inputs.shape[0])
        for _ in range(n_steps):
            state = self.step(state, inputs)
        return state

    def feedforward(self, inputs: np.ndarray) -> np.ndarray:
        """Output event rates ``h_L`` of the settled network for constant ``inputs`` (the
        sigmoid-MLP pass), shape ``(n_streams, n_outputs)``."""
        h = np.asarray(inputs, dtype=float)
        for layer in self.layers:
            h = sigmoid(h @ layer.feedforward_weights.T + layer.bias)
        return h

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        """Class index of the largest output event rate per stream."""
        return np.argmax(self.feedforward(inputs), axis=1)
