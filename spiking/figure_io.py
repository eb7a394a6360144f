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

from spiking.backend import BACKENDS
from spiking.fileutil import apply_umask

__all__ = ["figure_arguments", "write_json", "save_figure", "write_outputs", "load_reference_data", "DEFAULT_OUT",
           "cached_compute", "source_fingerprint"]

#: Default output folder (git-ignored), relative to the working directory.
DEFAULT_OUT = os.path.join("figures", "output")


class OneLineErrorParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (no usage block), exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def backend_argument(text: str) -> str:
    """``--backend`` values: the canonical name of a backend that can run here, or an argparse
    error of one line naming the valid ones (or saying what the CUDA backend lacks)."""
    from spiking.backend import check_backend_available
    from spiking.errors import BackendError, ParameterError

    try:
        return check_backend_available(text)
    except ParameterError:
        raise argparse.ArgumentTypeError(f"unknown backend {text!r}; choose one of {', '.join(BACKENDS)} "
                                         "(aliases: cpp, standalone, cuda)") from None
    except BackendError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


class FigureParser(OneLineErrorParser):
    """The figure scripts' parser: parsing also sets the progress display (``--no-progress``:
    no simulation bars; otherwise they show when stderr is a terminal)."""

    def parse_args(self, args=None, namespace=None):
        parsed = super().parse_args(args, namespace)
        if getattr(parsed, "no_progress", False):
            from spiking.progress import set_default

            set_default(False)
        return parsed


def figure_arguments(description: str) -> argparse.ArgumentParser:
    """Argument parser with the options every figure script shares."""
    parser = FigureParser(description=description)
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="reduced protocol for tests (seconds, not minutes)")
    parser.add_argument("--backend", default="runtime", type=backend_argument,
                        help=f"simulation backend: one of {', '.join(BACKENDS)} (default: %(default)s)")
    parser.add_argument("--recompute", action="store_true",
                        help="compute again even if --out holds data computed with the same inputs and code")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bars (they show while stderr is a terminal)")
    return parser


def source_fingerprint(figure_file: str) -> str:
    """SHA-256 over the project's code that a figure's data depend on: every ``.py`` file of
    ``spiking/`` and ``models/`` and the figure script itself. (Not the git revision: a working
    tree with uncommitted changes has the revision of its last commit.)"""
    import hashlib

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    paths = [os.path.abspath(figure_file)]
    for package in ("spiking", "models"):
        for folder, _, files in os.walk(os.path.join(root, package)):
            paths += [os.path.join(folder, name) for name in files if name.endswith(".py")]
    for path in sorted(set(paths)):
        digest.update(os.path.relpath(path, root).encode())
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def cached_compute(out_dir: str, name: str, figure_file: str, compute, recompute: bool = False, **inputs):
    """``compute(**inputs)``, or its saved result when ``out_dir`` holds one computed from the
    same ``inputs`` with the same code (:func:`source_fingerprint`).

    The data are pickled to ``<out_dir>/.cache/<name>-<key>.pkl``; the key hashes the figure's
    name, the inputs (their ``repr``) and the code, so a changed parameter or a changed source
    file never returns stale data. ``recompute=True`` computes (and saves) anew.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> calls = []
    >>> def compute(quick):
    ...     calls.append(quick)
    ...     return {"value": 42}
    >>> cached_compute(folder, "demo", __file__, compute, quick=True)
    {'value': 42}
    >>> cached_compute(folder, "demo", __file__, compute, quick=True), calls   # doctest: +ELLIPSIS
    demo: using the data computed earlier with the same inputs and code (...)
    ({'value': 42}, [True])
    """
    import hashlib
    import pickle

    key_text = repr((name, sorted((k, repr(v)) for k, v in inputs.items()), source_fingerprint(figure_file)))
    key = hashlib.sha256(key_text.encode()).hexdigest()[:20]
    path = os.path.join(out_dir, ".cache", f"{name}-{key}.pkl")
    if not recompute and os.path.exists(path):
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
        if stored.get("key_text") == key_text:
            print(f"{name}: using the data computed earlier with the same inputs and code ({path}; --recompute "
                  "to compute again)")
            return stored["data"]
    data = compute(**inputs)
    try:
        payload = pickle.dumps({"key_text": key_text, "data": data}, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:  # noqa: BLE001 - data that cannot be pickled are simply not cached
        print(f"{name}: computed data not cached ({type(err).__name__}: {err})")
        return data
    _atomic_write(path, lambda handle: handle.write(payload))
    return data


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
        apply_umask(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: str, data: dict, indent: int | None = 2) -> None:
    """Write ``data`` as JSON (numpy values converted; ``indent=None``: one line), atomically,
    creating the folder."""
    text = json.dumps(_jsonable(data), indent=indent, sort_keys=False) + "\n"
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
