"""Frozen, validated parameter sets carrying Brian units.

A parameter set is a frozen dataclass whose fields are declared with :func:`parameter`.
Each field knows its unit, its symbol in the papers and its allowed range; the set is
validated when it is made, so a wrong dimension (``g_s`` given in nS instead of pA) or a
negative time constant fails at once, with a message naming the field, long before any
Brian object exists. Variants are made with :meth:`ParameterSet.replace`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
from brian2 import Quantity, get_dimensions, get_unit, have_same_dimensions, ms
from brian2.units.fundamentalunits import DIMENSIONLESS

from spiking.errors import ParameterError

__all__ = ["parameter", "choice", "ParameterSet", "check_quantity", "format_quantity", "check_dt", "MAX_DT"]

_CONSTRAINTS = {
    None: (lambda v: True, "any value"),
    "positive": (lambda v: v > 0, "> 0"),
    "nonnegative": (lambda v: v >= 0, ">= 0"),
    "nonpositive": (lambda v: v <= 0, "<= 0"),
    "negative": (lambda v: v < 0, "< 0"),
    "probability": (lambda v: 0 <= v <= 1, "in [0, 1]"),
}


def parameter(default: Any, unit: Any, symbol: str, constraint: str | None = None,
              shared: bool = True, optional: bool = False) -> Any:
    """Declare a numeric field of a :class:`ParameterSet`.

    Parameters
    ----------
    default : Quantity or float
        Default value (a Brian quantity, or a float for dimensionless fields).
    unit : Unit or 1
        The unit whose dimension the value must have (``1`` for dimensionless).
    symbol : str
        The symbol used in the papers, shown in error messages and tables.
    constraint : {None, 'positive', 'nonnegative', 'nonpositive', 'negative', 'probability'}
        Allowed range.
    shared : bool
        Whether the value is one scalar for the whole group (declared ``(shared,
        constant)`` in the equations so that standalone runs can change it without
        recompiling).
    optional : bool
        Whether ``None`` is allowed (meaning "derived from other fields").

    Examples
    --------
    >>> from brian2 import ms
    >>> tau = parameter(16 * ms, ms, "tau_s", "positive")
    """
    if constraint not in _CONSTRAINTS:
        raise ValueError(f"unknown constraint {constraint!r}")
    meta = {"unit": unit, "symbol": symbol, "constraint": constraint, "shared": shared,
            "optional": optional}
    return dataclasses.field(default_factory=lambda: default, metadata=meta)


def choice(default: str, options: tuple[str, ...], symbol: str) -> Any:
    """Declare a string field that must be one of ``options``.

    Examples
    --------
    >>> rule = choice("moving_threshold", ("moving_threshold", "fixed_threshold"), "spike rule")
    """
    return dataclasses.field(default=default, metadata={"options": tuple(options), "symbol": symbol})


def format_quantity(value: Any) -> str:
    """Human-readable text of a quantity or number (for messages and JSON)."""
    if isinstance(value, Quantity):
        return str(value.in_best_unit()) if value.shape == () else repr(value)
    return repr(value)


def check_quantity(name: str, value: Any, unit: Any, constraint: str | None = None,
                   symbol: str | None = None, owner: str = "") -> None:
    """Check that ``value`` has the dimension of ``unit`` and satisfies ``constraint``.

    Raises
    ------
    ParameterError
        Naming the parameter, the expected dimension or range, and the value given.

    Examples
    --------
    >>> from brian2 import ms
    >>> check_quantity("dt", 0.1 * ms, ms, "positive")
    """
    label = f"{owner}.{name}" if owner else name
    if symbol and symbol != name:
        label += f" ({symbol})"
    dimensionless = isinstance(unit, (int, float))
    expected_dim = DIMENSIONLESS if dimensionless else get_dimensions(unit)
    try:
        ok_dim = have_same_dimensions(value, 1 if dimensionless else unit)
    except Exception:  # noqa: BLE001 - anything that is not a number or quantity
        ok_dim = False
    if not ok_dim or isinstance(value, (bool, str)) or value is None:
        want = "a dimensionless number" if expected_dim is DIMENSIONLESS else f"a quantity in {unit!r} (dimension {expected_dim})"
        raise ParameterError(f"{label} must be {want}; got {format_quantity(value)}")
    arr = np.asarray(value)
    if arr.size != 1 or not np.isfinite(float(arr)):
        raise ParameterError(f"{label} must be one finite value; got {format_quantity(value)}")
    test, text = _CONSTRAINTS[constraint]
    if not test(float(arr)):
        raise ParameterError(f"{label} must be {text}; got {format_quantity(value)}")


@dataclasses.dataclass(frozen=True)
class ParameterSet:
    """Base class of the frozen parameter sets. Subclasses are frozen dataclasses."""

    #: Human-readable name of the model the set parametrises.
    model_name: ClassVar[str] = "parameter set"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if "options" in f.metadata:
                if value not in f.metadata["options"]:
                    raise ParameterError(
                        f"{owner}.{f.name} must be one of {list(f.metadata['options'])}; got {value!r}")
            elif "unit" in f.metadata:
                if value is None and f.metadata["optional"]:
                    continue
                check_quantity(f.name, value, f.metadata["unit"], f.metadata["constraint"],
                               f.metadata["symbol"], owner)
        self._check_relations()

    def _check_relations(self) -> None:
        """Cross-field checks of a subclass (e.g. threshold above reset)."""

    def replace(self, **changes: Any) -> "ParameterSet":
        """Return a validated copy with some fields changed.

        Examples
        --------
        >>> from brian2 import pA
        >>> from models.pyramidal import PyramidalParameters
        >>> p = PyramidalParameters().replace(g_d=1400 * pA)
        """
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ParameterError(
                f"{type(self).__name__} has no parameter(s) {unknown}; known: {sorted(names)}")
        return dataclasses.replace(self, **changes)

    def numeric_fields(self) -> dict[str, dataclasses.Field]:
        """The fields that carry numbers, by name."""
        return {f.name: f for f in dataclasses.fields(self) if "unit" in f.metadata}

    def shared_values(self) -> dict[str, Any]:
        """Values of the numeric fields declared shared, by code name."""
        return {n: getattr(self, n) for n, f in self.numeric_fields().items() if f.metadata["shared"]}

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict: numbers as ``{"value": float, "unit": str}`` in SI base units,
        strings as they are."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Quantity):
                dim = get_dimensions(value)
                out[f.name] = {"value": float(np.asarray(value)),
                               "unit": str(get_unit(dim)) if dim is not DIMENSIONLESS else "1",
                               "symbol": f.metadata.get("symbol", f.name)}
            elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                out[f.name] = {"value": float(value), "unit": "1", "symbol": f.metadata.get("symbol", f.name)}
            else:
                out[f.name] = value
        return out

    def symbol_table(self) -> list[tuple[str, str, str]]:
        """Rows ``(paper symbol, code name, value)`` documenting the paper-to-code mapping."""
        return [(f.metadata.get("symbol", f.name), f.name, format_quantity(getattr(self, f.name)))
                for f in dataclasses.fields(self)]


#: Largest integration step accepted: the bAP box (2 ms) and AMPA decay (5 ms) need
#: several steps; the reference code uses 0.1 ms.
MAX_DT = 0.5 * ms


def check_dt(dt: Quantity) -> None:
    """Check an integration time step: a time in (0, 0.5 ms].

    Examples
    --------
    >>> check_dt(0.1 * ms)
    """
    check_quantity("dt", dt, ms, "positive")
    if dt > MAX_DT:
        raise ParameterError(f"dt must be in (0, {MAX_DT}]; got {dt}")
