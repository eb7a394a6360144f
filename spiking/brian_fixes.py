"""Corrections to Brian2 behaviour that would otherwise make results depend on the process.

Applied once, on import of :mod:`spiking.build` (before any model is built).

Stochastic variables in a fixed order
-------------------------------------
Brian 2.10 returns the stochastic variables of a set of equations (``xi``, ``xi_*``) as a Python
``set`` of names, and its explicit state updaters draw one ``randn()`` per variable in the
iteration order of that set. String hashing is salted per process (``PYTHONHASHSEED``), so a
group with two noise sources (e.g. OU currents into the soma and the dendrite, ``xi_ou_soma``
and ``xi_ou_dendrite``) draws its random numbers in an order that changes from one process to
the next: the same seed gave different spikes in different processes, on every backend. Here
the property returns the names sorted (a set-like, insertion-ordered view), so the draws follow
the names' alphabetical order everywhere. Groups with one noise source are unchanged.

Examples
--------
>>> from brian2 import Equations
>>> apply_brian_fixes()
>>> list(Equations("dv/dt = xi_b/ms**0.5 + xi_a/ms**0.5 : 1").stochastic_variables)
['xi_a', 'xi_b']
"""

from __future__ import annotations

__all__ = ["apply_brian_fixes"]

_APPLIED = False


def _ordered(names) -> "dict_keys":
    return dict.fromkeys(sorted(names)).keys()


def apply_brian_fixes() -> None:
    """Apply the corrections described in the module docstring (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    from brian2.equations.codestrings import Expression
    from brian2.equations.equations import Equations, SingleEquation

    for cls in (Equations, SingleEquation, Expression):
        original = cls.stochastic_variables
        cls.stochastic_variables = property(lambda self, _get=original.fget: _ordered(_get(self)),
                                            doc=original.__doc__)
    _APPLIED = True
