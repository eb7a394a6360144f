"""Reusable circuit pieces of the reference simulations (models.md sections 1.7, 2.4, 2.5).

Weights of the reference code are given in units of the target compartment's leak
conductance; :func:`leak_units` converts them to siemens.

Examples
--------
>>> from models.pyramidal import PyramidalParameters
>>> from brian2 import nS
>>> round(float(leak_units(0.17, PyramidalParameters(), "soma") / nS), 3)
3.931
"""

from __future__ import annotations

from brian2 import Hz, Quantity, ms

from models.interneurons import AdExParameters
from models.pyramidal import PyramidalParameters
from spiking.errors import ParameterError
from spiking.plan import NetworkPlan, PoissonPool, Projection

__all__ = ["leak_units", "add_sparse_background"]


def leak_units(weight: float, params: PyramidalParameters | AdExParameters, compartment: str = "soma") -> Quantity:
    """Convert a weight in units of the target's leak conductance (reference-code convention)
    to siemens.

    Examples
    --------
    >>> from models.interneurons import PV_PAYEUR
    >>> leak_units(0.05, PV_PAYEUR)
    0.5 * nsiemens
    """
    if isinstance(params, PyramidalParameters):
        if compartment not in ("soma", "dendrite"):
            raise ParameterError(f"compartment must be 'soma' or 'dendrite'; got {compartment!r}")
        return weight * (params.g_L_s if compartment == "soma" else params.g_L_d)
    if compartment != "soma":
        raise ParameterError(f"interneurons have only a soma; got compartment {compartment!r}")
    return weight * params.g_L


def add_sparse_background(plan: NetworkPlan, target: str, weights: dict[str, tuple[float, float]],
                          n_exc: int = 25000, n_inh: int = 25000, rate: Quantity = 5 * Hz,
                          in_degree_exc: int = 100, in_degree_inh: int = 30, prefix: str | None = None) -> None:
    """Sparse Poisson background of the reference code: an excitatory and an inhibitory pool of
    independent Poisson sources (``rate``), each target compartment drawing a fixed number of
    sources from each pool.

    Parameters
    ----------
    plan : NetworkPlan
    target : str
        Target population.
    weights : dict
        ``{compartment: (w_exc, w_inh)}`` in units of that compartment's leak conductance.
    n_exc, n_inh : int
        Pool sizes (reference: 25000 each).
    rate : Quantity
        Rate of each source (reference: 5 Hz).
    in_degree_exc, in_degree_inh : int
        Sources per target compartment (reference: 100 and 30).
    prefix : str, optional
        Name prefix of the pools (default: ``"bg"``; pools are shared by all targets using it).
    """
    prefix = prefix or "bg"
    pools = {"exc": f"{prefix}_exc", "inh": f"{prefix}_inh"}
    for kind, n in (("exc", n_exc), ("inh", n_inh)):
        if pools[kind] not in plan.populations:
            plan.add_population(PoissonPool(pools[kind], n, rate))
    params = plan.populations[target].params
    for compartment, (w_exc, w_inh) in weights.items():
        for kind, w, k, receptor in (("exc", w_exc, in_degree_exc, "ampa"), ("inh", w_inh, in_degree_inh, "gaba")):
            plan.add_projection(Projection(f"{pools[kind]}_to_{target}_{compartment}", pools[kind], target, compartment,
                                           receptor, "in_degree", weight=leak_units(w, params, compartment),
                                           in_degree=k, delay=0.8 * ms))
