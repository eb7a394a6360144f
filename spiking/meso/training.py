"""Training loop of the meso model and the data sets it learns.

Examples
--------
>>> from spiking.meso.learning import Backprop
>>> data = load_digits_dataset(split_seed=0)
>>> data.x_train.shape[1], data.n_classes, round(float(data.x_train.max()), 3)
(64, 10, 1.0)
>>> rng = np.random.default_rng(0)
>>> net = MesoNetwork.initialise([64, 20, 10], rng)
>>> history = train(net, Backprop(learning_rate=2.0), data, epochs=2, batch_size=32, rng=rng)
>>> len(history["test_accuracy"]), history["test_accuracy"][-1] > history["test_accuracy"][0]
(3, True)
"""

from __future__ import annotations

import dataclasses
import os
from typing import Callable, Iterable

import numpy as np

from spiking.meso.network import MesoNetwork, MesoState

__all__ = ["Dataset", "load_digits_dataset", "load_mnist_dataset", "accuracy", "train"]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A classification data set: inputs in [0, 1], integer labels.

    Attributes
    ----------
    x_train, x_test : ndarray (n_examples, n_features)
    y_train, y_test : ndarray of int (n_examples,)
    n_classes : int
    name : str
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    name: str

    def one_hot(self, labels: np.ndarray) -> np.ndarray:
        return np.eye(self.n_classes)[labels]

    def validation_split(self, fraction: float, seed: int) -> "Dataset":
        """Hold out ``fraction`` of the training set as the test set (to choose learning rates
        without looking at the test set)."""
        if not 0 < fraction < 1:
            raise ValueError(f"fraction must lie in (0, 1); got {fraction}")
        order = np.random.default_rng(seed).permutation(len(self.y_train))
        n_val = int(round(fraction * len(order)))
        val, train_idx = order[:n_val], order[n_val:]
        return Dataset(self.x_train[train_idx], self.y_train[train_idx], self.x_train[val], self.y_train[val],
                       self.n_classes, f"{self.name} (validation split)")


def load_digits_dataset(test_fraction: float = 0.2, split_seed: int = 0) -> Dataset:
    """The 8x8 digits bundled with scikit-learn (1797 images, 10 classes), pixel values scaled
    to [0, 1], split at random into training and test sets (stratified by class).

    Parameters
    ----------
    test_fraction : float
        Fraction of the images in the test set, in (0, 1).
    split_seed : int
        Seed of the split (the same split for every model and seed of a study).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie in (0, 1); got {test_fraction}")
    digits = load_digits()
    x = digits.data / 16.0
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=test_fraction,
                                                        random_state=split_seed, stratify=digits.target)
    return Dataset(x_train, y_train, x_test, y_test, 10, "sklearn digits 8x8")


def load_mnist_dataset(path: str) -> Dataset:
    """MNIST from a user-supplied ``.npz`` file with arrays ``x_train``, ``y_train``,
    ``x_test``, ``y_test`` (the layout of the widely used ``mnist.npz``); nothing is downloaded.
    Images are flattened and scaled to [0, 1]."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"MNIST file not found: {path!r} (supply an .npz with x_train, y_train, x_test, "
                                "y_test; this library never downloads data)")
    with np.load(path) as data:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(data.files)
        if missing:
            raise ValueError(f"MNIST file {path!r} lacks arrays {sorted(missing)}")
        arrays = {k: data[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    scale = 255.0 if arrays["x_train"].max() > 1 else 1.0
    flat = {k: arrays[k].reshape(len(arrays[k]), -1) / scale for k in ("x_train", "x_test")}
    return Dataset(flat["x_train"], arrays["y_train"].astype(int), flat["x_test"], arrays["y_test"].astype(int),
                   10, "MNIST")


def accuracy(network: MesoNetwork, inputs: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of examples whose largest output event rate is the label's.

    Examples
    --------
    >>> net = MesoNetwork.initialise([2, 2], np.random.default_rng(0))
    >>> 0.0 <= accuracy(net, np.eye(2), np.array([0, 1])) <= 1.0
    True
    """
    return float(np.mean(network.predict(inputs) == labels))


def _slice_state(state: MesoState, n: int) -> MesoState:
    return MesoState([a[:n] for a in state.h], [a[:n] for a in state.u], [a[:n] for a in state.p],
                     [a[:n] for a in state.beta])


def _store_state(state: MesoState, part: MesoState) -> None:
    n = part.h[0].shape[0]
    for whole, piece in zip((state.h, state.u, state.p, state.beta), (part.h, part.u, part.p, part.beta)):
        for a, b in zip(whole, piece):
            a[:n] = b


def train(network: MesoNetwork, rule, data: Dataset, epochs: int, batch_size: int = 32,
          rng: np.random.Generator | None = None,
          callbacks: Iterable[Callable[[int, MesoNetwork, dict], bool | None]] = ()) -> dict:
    """Train ``network`` in place with ``rule`` for ``epochs`` passes over the training set.

    Each batch is ``batch_size`` independent streams presented one example each; a stream's
    state carries over from one example to the next (the network runs on in time, with no reset
    between examples).

    Parameters
    ----------
    network : MesoNetwork
    rule : BurstTD or Backprop
        Anything with ``present(network, state, inputs, targets) -> (state, metrics)``.
    data : Dataset
    epochs : int
        Passes over the training set (>= 0).
    batch_size : int
        Streams per batch (>= 1).
    rng : numpy.random.Generator
        Shuffles the training set each epoch.
    callbacks : iterable of callables
        Called after each epoch (and once before training, epoch 0) as
        ``callback(epoch, network, record)`` where ``record`` holds that epoch's metrics; a
        callback returning ``True`` stops training.

    Returns
    -------
    dict
        Lists per epoch (index 0 = before training): ``epoch``, ``test_accuracy``,
        ``train_accuracy`` and the rule's metrics averaged over the epoch's batches.
    """
    if int(epochs) < 0:
        raise ValueError(f"epochs must be >= 0; got {epochs}")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    if data.x_train.shape[1] != network.layers[0].n_inputs or data.n_classes != network.layers[-1].n_units:
        raise ValueError(f"network sizes {network.sizes} do not match the data: {data.x_train.shape[1]} inputs, "
                         f"{data.n_classes} classes")
    rng = np.random.default_rng() if rng is None else rng
    callbacks = list(callbacks)
    history: dict[str, list] = {"epoch": [], "test_accuracy": [], "train_accuracy": []}

    def record(epoch: int, metrics: dict) -> bool:
        entry = {"epoch": epoch, "test_accuracy": accuracy(network, data.x_test, data.y_test),
                 "train_accuracy": accuracy(network, data.x_train, data.y_train), **metrics}
        for key, value in entry.items():
            history.setdefault(key, []).append(value)
        return any(bool(callback(epoch, network, entry)) for callback in callbacks)

    if record(0, {}):
        return history
    state = network.initial_state(batch_size)
    targets_all = data.one_hot(data.y_train)
    for epoch in range(1, int(epochs) + 1):
        order = rng.permutation(len(data.y_train))
        sums: dict[str, float] = {}
        n_batches = 0
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            part = _slice_state(state, len(idx))
            part, metrics = rule.present(network, part, data.x_train[idx], targets_all[idx])
            _store_state(state, part)
            for key, value in metrics.items():
                sums[key] = sums.get(key, 0.0) + value
            n_batches += 1
        if record(epoch, {key: value / n_batches for key, value in sums.items()}):
            break
    return history
