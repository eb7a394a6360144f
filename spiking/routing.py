"""Meso weights from micro states: the routing view W(t) = a(t) W s(t). Pure numpy.

A network *unit* is an ensemble of neurons. Its **micro weights** W are the synapses between
the neurons of two units; they stay fixed. Its **meso weight** is how strongly the activity of
one unit moves the activity of another, and it can change from moment to moment with the micro
states of the neurons: a binary vector s(t) says which presynaptic neurons take part (spike, or
are not silenced), a real vector a(t) says how receptive the postsynaptic neurons are. The
meso weight W(t) = a(t) W s(t) then routes a source's activity to one target or another while
W itself never changes.

Definitions used here
---------------------
**Effective meso weight** (measured, :func:`effective_meso_weight`). Over time windows
k = 1..n, let x_k be the activity of the source unit (e.g. its event rate in Hz) and y_jk that
of target unit j. The effective meso weight from the source to target j is the least-squares
slope w_j of y_jk = c_j + w_j x_k + noise (a line with intercept c_j), i.e.
w_j = cov(x, y_j) / var(x): how many Hz target j gains per Hz of the source, at the operating
point of the windows used. With several sources it is the multiple-regression coefficient
matrix (targets x sources). A mask restricts the windows to one context, so each context gets
its own matrix. The standard error of each slope is the ordinary least-squares one,
sqrt(sigma^2 [(X'X)^-1]_ii) with sigma^2 = residual sum of squares / (n - p - 1): it assumes
independent, equal-variance residuals across windows (windows of 50-100 ms are long against
the 5-10 ms synaptic time constants; slow adaptation can correlate neighbouring windows, which
makes the standard error an underestimate).

**Route contrast** (:func:`route_contrast`): (w_1 - w_2) / (|w_1| + |w_2|) in [-1, 1]: +1 when
the source reaches only target 1, -1 when only target 2, 0 when both equally.

**Meso routing model** (:func:`meso_routing`): the talk's rate model,
h_j(t) = sigmoid(a_j(t) * sum_i W_ji s_i(t) x(t) + b_j), with a common source drive x(t), the
fraction s_i(t) in [0, 1] of source subset i that is active (the ensemble version of the binary
s), the receptivity a_j(t) >= 0 of target j, fixed micro weights W_ji and biases b_j. Its meso
weights are measured exactly as in the spiking network: the regression of h_j on the source
unit's activity, the mean over subsets of s_i(t) x(t).

Examples
--------
>>> x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
>>> fit = effective_meso_weight(x, np.column_stack([2 * x + 1, 0.5 * x]))
>>> fit.weight.round(6).tolist(), round(route_contrast(fit.weight), 3)
([[2.0], [0.5]], 0.6)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from spiking.meso.functions import sigmoid

__all__ = ["MesoWeight", "MesoRouting", "effective_meso_weight", "route_contrast", "meso_routing"]


@dataclasses.dataclass(frozen=True)
class MesoWeight:
    """A measured meso weight matrix (see :func:`effective_meso_weight`).

    Attributes
    ----------
    weight : ndarray, shape (n_targets, n_sources)
        Least-squares slopes: target activity per unit of source activity (Hz/Hz for rates).
    intercept : ndarray, shape (n_targets,)
        Target activity at zero source activity (the units of the target activity).
    weight_se : ndarray, shape (n_targets, n_sources)
        Ordinary least-squares standard error of each slope.
    r_squared : ndarray, shape (n_targets,)
        Fraction of the target activity's variance across windows that the line explains
        (NaN for a target that does not vary).
    n_windows : int
        Number of windows used.
    """

    weight: np.ndarray
    intercept: np.ndarray
    weight_se: np.ndarray
    r_squared: np.ndarray
    n_windows: int

    def to_dict(self) -> dict:
        """JSON-friendly form (nested lists)."""
        return {"weight": self.weight.tolist(), "intercept": self.intercept.tolist(),
                "weight_se": self.weight_se.tolist(), "r_squared": self.r_squared.tolist(),
                "n_windows": self.n_windows}


def _as_columns(name: str, values, n_rows: int | None = None) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] < 1:
        raise ValueError(f"{name} must be a 1-D array (one unit) or a 2-D array (windows x units); "
                         f"got shape {np.shape(values)}")
    if n_rows is not None and array.shape[0] != n_rows:
        raise ValueError(f"{name} must have one row per window ({n_rows}, as source_rate_hz); got {array.shape[0]}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or inf); got {int(np.sum(~np.isfinite(array)))} bad values")
    return array


def effective_meso_weight(source_rate_hz, target_rate_hz, mask=None) -> MesoWeight:
    """Effective meso weight: least-squares regression (with intercept) of each target unit's
    activity on the source unit's activity across time windows.

    Parameters
    ----------
    source_rate_hz : array_like, shape (n_windows,) or (n_windows, n_sources)
        Source activity per window (e.g. the source ensemble's event rate, Hz).
    target_rate_hz : array_like, shape (n_windows,) or (n_windows, n_targets)
        Target activity per window (event rate or burst rate, Hz; any unit works, the slope
        is in target units per source unit).
    mask : array_like of bool, shape (n_windows,), optional
        Windows to use (e.g. those of one context); default: all.

    Returns
    -------
    MesoWeight
        ``weight`` (n_targets x n_sources), ``intercept``, ``weight_se``, ``r_squared``,
        ``n_windows``.

    Raises
    ------
    ValueError
        Arrays of different lengths, a mask of the wrong length, non-finite values, fewer than
        n_sources + 2 windows (at least 3 for one source: a line through fewer points has no
        residual to estimate the standard error from), or a source that does not vary across
        the windows used (its slope is undefined).

    Examples
    --------
    A target that gains 0.8 Hz per source Hz and one that ignores the source:

    >>> source = np.array([2.0, 4.0, 6.0, 8.0, 10.0, 12.0])
    >>> targets = np.column_stack([1.0 + 0.8 * source, np.full(6, 3.0)])
    >>> fit = effective_meso_weight(source, targets)
    >>> fit.weight.round(6).tolist(), fit.intercept.round(6).tolist(), fit.n_windows
    ([[0.8], [0.0]], [1.0, 3.0], 6)

    Per context: the first three windows only.

    >>> effective_meso_weight(source, targets, mask=[True, True, True, False, False, False]).n_windows
    3
    """
    x = _as_columns("source_rate_hz", source_rate_hz)
    y = _as_columns("target_rate_hz", target_rate_hz, n_rows=x.shape[0])
    if mask is not None:
        keep = np.asarray(mask)
        if keep.dtype != bool or keep.shape != (x.shape[0],):
            raise ValueError(f"mask must be a boolean array with one entry per window ({x.shape[0]}); "
                             f"got dtype {keep.dtype} and shape {keep.shape}")
        x, y = x[keep], y[keep]
    n, n_sources = x.shape
    if n < n_sources + 2:
        raise ValueError(f"effective_meso_weight needs at least n_sources + 2 = {n_sources + 2} windows (the "
                         f"residual has n - n_sources - 1 >= 1 degrees of freedom); got {n}")
    centred = x - x.mean(axis=0)
    gram = centred.T @ centred
    if np.linalg.matrix_rank(gram) < n_sources or np.any(np.diag(gram) <= 0):
        raise ValueError("source_rate_hz must vary across the windows used (each source column, and the columns "
                         "must not be collinear); its slope is undefined otherwise")
    y_centred = y - y.mean(axis=0)
    slopes = np.linalg.solve(gram, centred.T @ y_centred)            # (n_sources, n_targets)
    intercept = y.mean(axis=0) - x.mean(axis=0) @ slopes
    residual = y_centred - centred @ slopes
    dof = n - n_sources - 1
    sigma2 = (residual ** 2).sum(axis=0) / dof                         # (n_targets,)
    se = np.sqrt(np.outer(np.diag(np.linalg.inv(gram)), sigma2))       # (n_sources, n_targets)
    total = (y_centred ** 2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(total > 0, 1.0 - (residual ** 2).sum(axis=0) / np.where(total > 0, total, 1.0), np.nan)
    return MesoWeight(weight=slopes.T.copy(), intercept=intercept, weight_se=se.T.copy(), r_squared=r2,
                      n_windows=int(n))


def route_contrast(w) -> float:
    """How selectively a source routes to target 1 rather than target 2:
    (w_1 - w_2) / (|w_1| + |w_2|).

    +1: only target 1 follows the source; -1: only target 2; 0: both equally. The
    denominator uses magnitudes, so the index stays in [-1, 1] when a weight is negative (an
    inhibited target). NaN when both weights are zero (no route at all).

    Parameters
    ----------
    w : array_like, 2 values (a length-2 vector or a 2 x 1 meso weight matrix)

    Examples
    --------
    >>> route_contrast([3.0, 1.0])
    0.5
    >>> route_contrast([[0.0], [2.0]])
    -1.0
    """
    values = np.asarray(w, dtype=float).ravel()
    if values.size != 2:
        raise ValueError(f"route_contrast: w must hold exactly 2 weights (targets 1 and 2); got {values.size}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"route_contrast: w must be finite; got {values.tolist()}")
    denominator = abs(values[0]) + abs(values[1])
    if denominator == 0:
        return float("nan")
    return float((values[0] - values[1]) / denominator)


@dataclasses.dataclass(frozen=True)
class MesoRouting:
    """Result of :func:`meso_routing`.

    Attributes
    ----------
    source_activity : ndarray, shape (n_windows,)
        The source unit's activity, mean over subsets of s_i(t) x(t).
    target_activity : ndarray, shape (n_windows, n_targets)
        h_j(t) in (0, 1).
    weights : dict
        Context label -> :class:`MesoWeight` (regression of h on the source activity over that
        context's windows).
    """

    source_activity: np.ndarray
    target_activity: np.ndarray
    weights: dict


def meso_routing(source_drive, gate, receptivity, micro_weight, bias, contexts=None) -> MesoRouting:
    """The talk's routing rate model, h_j(t) = sigmoid(a_j(t) sum_i W_ji s_i(t) x(t) + b_j), and
    its meso weight per context.

    Parameters
    ----------
    source_drive : array_like, shape (n_windows,)
        x(t): the drive common to all neurons of the source unit (dimensionless).
    gate : array_like, shape (n_windows, n_subsets)
        s_i(t): the fraction of source subset i that is active, in [0, 1] (1 or 0: the talk's
        binary s; a subset silenced by somatic inhibition has 0).
    receptivity : array_like, shape (n_windows, n_targets)
        a_j(t) >= 0: the gain of target j on its input (lowered by dendritic inhibition).
    micro_weight : array_like, shape (n_targets, n_subsets)
        W_ji: fixed micro weights from subset i to target j.
    bias : array_like, shape (n_targets,)
        b_j.
    contexts : array_like, shape (n_windows,), optional
        A context label per window; the meso weight is estimated per label (default: one
        context, label ``"all"``).

    Returns
    -------
    MesoRouting

    Raises
    ------
    ValueError
        Shapes that do not match, a gate outside [0, 1], a negative receptivity, non-finite
        values, or a context with too few windows (see :func:`effective_meso_weight`).

    Examples
    --------
    Subset A projects to target 1, subset B to target 2. In context "1" B is silenced and target
    2 unreceptive; in context "2" the reverse:

    >>> x = np.tile([0.0, 0.5, 1.0, 1.5], 2)
    >>> gate = np.repeat([[1.0, 0.0], [0.0, 1.0]], 4, axis=0)
    >>> receptivity = np.repeat([[1.0, 0.2], [0.2, 1.0]], 4, axis=0)
    >>> model = meso_routing(x, gate, receptivity, micro_weight=[[2.0, 0.0], [0.0, 2.0]],
    ...                      bias=[-2.0, -2.0], contexts=["1"] * 4 + ["2"] * 4)
    >>> w1, w2 = model.weights["1"].weight.ravel()
    >>> bool(w1 > 0 and w2 == 0), round(route_contrast(model.weights["2"].weight), 3)
    (True, -1.0)
    """
    x = np.asarray(source_drive, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"source_drive must be a 1-D array (one value per window); got shape {x.shape}")
    n = x.size
    s = np.asarray(gate, dtype=float)
    a = np.asarray(receptivity, dtype=float)
    w = np.asarray(micro_weight, dtype=float)
    b = np.asarray(bias, dtype=float)
    if w.ndim != 2:
        raise ValueError(f"micro_weight must be a 2-D array (n_targets, n_subsets); got shape {w.shape}")
    n_targets, n_subsets = w.shape
    if s.shape != (n, n_subsets):
        raise ValueError(f"gate must have shape (n_windows, n_subsets) = ({n}, {n_subsets}); got {s.shape}")
    if a.shape != (n, n_targets):
        raise ValueError(f"receptivity must have shape (n_windows, n_targets) = ({n}, {n_targets}); got {a.shape}")
    if b.shape != (n_targets,):
        raise ValueError(f"bias must have shape (n_targets,) = ({n_targets},); got {b.shape}")
    for name, array in (("source_drive", x), ("gate", s), ("receptivity", a), ("micro_weight", w), ("bias", b)):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite (no NaN or inf)")
    if np.any((s < 0) | (s > 1)):
        raise ValueError("gate must lie in [0, 1] (the fraction of each source subset that is active)")
    if np.any(a < 0):
        raise ValueError("receptivity must be >= 0")
    labels = np.asarray(["all"] * n if contexts is None else contexts)
    if labels.shape != (n,):
        raise ValueError(f"contexts must have one label per window ({n}); got shape {labels.shape}")
    h = sigmoid(a * ((s * x[:, None]) @ w.T) + b)
    source_activity = (s * x[:, None]).mean(axis=1)
    weights = {}
    for label in dict.fromkeys(labels.tolist()):
        weights[label] = effective_meso_weight(source_activity, h, mask=labels == label)
    return MesoRouting(source_activity=source_activity, target_activity=h, weights=weights)
