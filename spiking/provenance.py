"""Provenance of saved results: parameters, seed, backend, package versions, git revision.

Examples
--------
>>> info = provenance(backend="runtime", seed=None)
>>> info["backend"], "git_revision" in info, "brian2" in info["versions"]
('runtime', True, True)
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import subprocess
import sys
from typing import Any

__all__ = ["provenance", "git_revision", "package_versions"]

_PACKAGES = ("spiking", "brian2", "brian2cuda", "numpy", "scipy", "matplotlib", "xarray", "cython")


def git_revision(path: str | None = None) -> str:
    """The git commit of the project checkout holding ``path`` (``+dirty`` when it has
    uncommitted changes), or ``"unknown"`` outside a git checkout.

    Examples
    --------
    >>> isinstance(git_revision(), str)
    True
    """
    where = path or os.path.dirname(os.path.abspath(__file__))
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def package_versions() -> dict[str, str]:
    """Installed versions of Python and of the packages results depend on."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def provenance(backend: str, seed: int | None, **extra: Any) -> dict[str, Any]:
    """Everything needed to tell how a result was made.

    Parameters
    ----------
    backend : str
        Backend name the result was computed with.
    seed : int or None
        Master seed (``None`` for deterministic protocols without randomness).
    **extra
        More entries (e.g. ``dt_ms``, timings).
    """
    info = {
        "backend": backend,
        "seed": seed,
        "versions": package_versions(),
        "git_revision": git_revision(),
        "created_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        # absolute paths name the machine, not the result: only their last part is kept
        "command": " ".join(os.path.basename(arg) if os.path.isabs(arg) else arg
                            for arg in [os.path.basename(sys.argv[0])] + sys.argv[1:]) if sys.argv else "",
    }
    info.update(extra)
    return info
