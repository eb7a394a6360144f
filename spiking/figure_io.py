"""Shared command line and output writing of the figure scripts in ``figures/``.

Every figure script has ``--out`` (default ``figures/output/``), ``--quick`` and
``--backend``; it writes ``<name>.png`` and ``<name>.json`` atomically.

Examples
--------
>>> args = figure_arguments("demo").parse_args(["--quick"])
>>> args.quick, args.backend
(True, 'runtime')
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from typing import Any

import numpy as np

from spiking.backend import BACKENDS, normalize_backend

__all__ = ["figure_arguments", "write_json", "save_figure", "write_outputs", "load_reference_data", "DEFAULT_OUT"]

#: Default output folder (git-ignored), relative to the working directory.
DEFAULT_OUT = os.path.join("figures", "output")


def figure_arguments(description: str) -> argparse.ArgumentParser:
    """Argument parser with the options every figure script shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="reduced protocol for tests (seconds, not minutes)")
    parser.add_argument("--backend", default="runtime", type=normalize_backend,
                        help=f"simulation backend: one of {', '.join(BACKENDS)} (default: runtime)")
    return parser


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _atomic_write(path: str, write) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.splitext(path)[1])
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: str, data: dict) -> None:
    """Write ``data`` as indented JSON (numpy values converted), atomically."""
    text = json.dumps(_jsonable(data), indent=2, sort_keys=False) + "\n"
    _atomic_write(path, lambda handle: handle.write(text.encode()))


def save_figure(fig: Any, path: str, dpi: int = 150) -> None:
    """Save a matplotlib figure as PNG, atomically."""
    _atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=dpi))


def load_reference_data(filename: str) -> dict | None:
    """The JSON ``filename`` of the reference implementation's runs in the checkout's
    ``validation/reference_data/`` (made by the scripts in ``validation/``), or None where it is
    absent (e.g. an installed package without the validation folder).

    Examples
    --------
    >>> load_reference_data("no_such_file.json") is None
    True
    """
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "validation",
                        "reference_data", filename)
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def write_outputs(out_dir: str, name: str, summary: dict, figure: Any) -> str:
    """Write ``<name>.json`` and ``<name>.png`` into ``out_dir``; returns the common path prefix.

    Examples
    --------
    >>> prefix = write_outputs("figures/output", "demo", {"x": 1}, fig)  # doctest: +SKIP
    """
    prefix = os.path.join(out_dir, name)
    write_json(prefix + ".json", summary)
    save_figure(figure, prefix + ".png")
    return prefix
