"""Exception types raised by the library.

Every error about user input is a :class:`ParameterError` (a ``ValueError``) whose
message names the offending parameter and the allowed values, so that a typo is
caught before any Brian object is made or any code is generated.
"""


class ParameterError(ValueError):
    """A parameter has the wrong dimension, lies outside its allowed range, or is unknown."""


class BackendError(RuntimeError):
    """A backend cannot be used on this machine (missing GPU, toolkit or package)."""


class SimulationError(RuntimeError):
    """A simulation could not run to the end (the compiled binary failed or timed out)."""
