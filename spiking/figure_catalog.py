"""The figure scripts of the checkout (``figures/*.py``) and their one-line descriptions, read
without importing them (no Brian import: ``spiking figure --list`` answers at once).

Examples
--------
>>> "larkum1999_bac" in list_figures()
True
"""

from __future__ import annotations

import ast
import os

__all__ = ["figures_folder", "list_figures"]


def figures_folder() -> str:
    """The checkout's ``figures/`` folder (the figure scripts are not part of the installed package)."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "figures")


def list_figures() -> dict:
    """``{name: first line of the script's docstring}`` for every figure script, read without
    importing them."""
    folder = figures_folder()
    out = {}
    if not os.path.isdir(folder):
        return out
    for filename in sorted(os.listdir(folder)):
        if filename.endswith(".py") and not filename.startswith("_"):
            with open(os.path.join(folder, filename)) as handle:
                doc = ast.get_docstring(ast.parse(handle.read())) or ""
            out[filename[:-3]] = " ".join(doc.strip().split("\n\n")[0].split())  # the first paragraph
    return out
