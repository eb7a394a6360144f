"""Elementwise functions of the meso (rate-level) model.

The meso model describes each network unit by two numbers in [0, 1]: its normalised event
rate ``h`` (a logistic function of the feedforward drive) and its burst probability ``p`` (a
logistic function of the apical drive ``u``). The burst rate is ``beta = h * p``.

Examples
--------
>>> float(sigmoid(0.0))
0.5
>>> float(sigmoid_derivative(0.0))
0.25
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "sigmoid_derivative", "logit"]


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), evaluated without overflow for large |x|.

    Parameters
    ----------
    x : array_like
        Drive (dimensionless).

    Returns
    -------
    numpy.ndarray
        Values in (0, 1), same shape as ``x``.

    Examples
    --------
    >>> sigmoid(np.array([-800.0, 0.0, 800.0])).round(3).tolist()
    [0.0, 0.5, 1.0]
    """
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp_x = np.exp(x[~positive])
    out[~positive] = exp_x / (1.0 + exp_x)
    return out


def sigmoid_derivative(x):
    """Derivative of :func:`sigmoid`, sigma(x) (1 - sigma(x)).

    Examples
    --------
    >>> float(sigmoid_derivative(np.array(0.0)))
    0.25
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def logit(p):
    """Inverse of :func:`sigmoid`, log(p / (1 - p)), for p strictly inside (0, 1).

    Examples
    --------
    >>> round(float(logit(0.5)), 12)
    0.0
    """
    p = np.asarray(p, dtype=float)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("logit: p must lie strictly between 0 and 1")
    return np.log(p) - np.log1p(-p)
