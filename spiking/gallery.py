"""The figure gallery: every figure script run with ``--quick``, its PNGs shrunk to thumbnails
for the README (``spiking gallery``).

Each figure runs in its own process (``spiking figure NAME --quick --out WORK/NAME``; Brian's
state and memory go with the process); the PNGs it writes there become thumbnails of at most
:data:`THUMBNAIL_PX` pixels a side in the gallery folder, named after the figure
(``NAME.png``, or ``NAME__PNGNAME.png`` when a figure writes several). ``index.md`` in the
gallery folder lists them with the figure's one-line description.

Examples
--------
::

    spiking gallery                               # all figures into docs/gallery (about 10 min, 2 cores)
    spiking gallery --only larkum1999_bac,routing # just these
    spiking gallery --only payeur2021_fig4_xor --full figures/output   # a full run's PNG instead
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import tempfile
import time

__all__ = ["THUMBNAIL_PX", "make_thumbnail", "run_gallery", "GALLERY_DIR", "EXTRA_ARGUMENTS"]

#: Longest side of a gallery thumbnail (pixels).
THUMBNAIL_PX = 900
#: Default gallery folder, relative to the checkout.
GALLERY_DIR = os.path.join("docs", "gallery")
#: Options some figure scripts need beyond ``--quick --out DIR`` ("{work}": the figure's work folder).
EXTRA_ARGUMENTS = {"sst_sweep": ["--results", "{work}/sweep", "--workers", "0"]}


def make_thumbnail(source: str, target: str, max_px: int = THUMBNAIL_PX) -> tuple[int, int]:
    """Write ``source`` (a PNG) to ``target`` scaled down to at most ``max_px`` a side (never
    up), as an optimised, palette PNG; returns the new (width, height).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from PIL import Image
    >>> folder = tempfile.mkdtemp()
    >>> Image.fromarray(np.zeros((1200, 1800, 3), dtype=np.uint8)).save(os.path.join(folder, "a.png"))
    >>> make_thumbnail(os.path.join(folder, "a.png"), os.path.join(folder, "b.png"), max_px=900)
    (900, 600)
    """
    from PIL import Image

    with Image.open(source) as image:
        image = image.convert("RGB")
        image.thumbnail((max_px, max_px), Image.LANCZOS)
        # 256 colours are plenty for line plots and keep a thumbnail near 100 kB
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        return image.size


def _figure_command(name: str, work: str) -> list[str]:
    extra = [arg.format(work=work) for arg in EXTRA_ARGUMENTS.get(name, [])]
    return [sys.executable, "-m", "spiking.cli", "figure", name, "--quick", "--out", work] + extra


def run_gallery(out_dir: str = GALLERY_DIR, only: list[str] | None = None, work_dir: str | None = None,
                max_px: int = THUMBNAIL_PX, log=sys.stderr, full_dir: str | None = None) -> dict:
    """Run the figures (all, or ``only``) with ``--quick`` and write their thumbnails and
    ``index.md`` to ``out_dir``.

    ``full_dir``: a figure output folder (e.g. ``figures/output``); a figure whose full run's
    PNG (``NAME.png``) is there is taken from it instead of a ``--quick`` run (for figures
    whose reduced protocol shows little, such as the XOR network's two epochs).

    Returns ``{figure: {"thumbnails": [file names], "wall_s": seconds, "error": text or None,
    "source": "quick" or "full"}}``; a figure that fails keeps its earlier thumbnails and is
    reported, the others go on.
    """
    from spiking.figure_catalog import list_figures
    from spiking.errors import ParameterError

    figures = list_figures()
    names = list(figures) if not only else list(only)
    unknown = [n for n in names if n not in figures]
    if unknown:
        raise ParameterError(f"gallery: no figure {', '.join(map(repr, unknown))}; one of: {', '.join(figures)}")
    os.makedirs(out_dir, exist_ok=True)
    work_root = work_dir or tempfile.mkdtemp(prefix="spiking-gallery-")
    environment = dict(os.environ, SPIKING_PROGRESS="0", MPLBACKEND="Agg")
    report = {}
    for name in names:
        full_png = os.path.join(full_dir, f"{name}.png") if full_dir else None
        if full_png and os.path.exists(full_png):
            for stale in glob.glob(os.path.join(out_dir, f"{name}__*.png")):
                os.remove(stale)
            make_thumbnail(full_png, os.path.join(out_dir, f"{name}.png"), max_px)
            _mark_source(out_dir, name, "full")
            report[name] = {"thumbnails": [f"{name}.png"], "wall_s": 0.0, "error": None, "source": "full"}
            print(f"[gallery] {name}: {name}.png from the full run in {full_dir}", file=log, flush=True)
            continue
        work = os.path.join(work_root, name)
        os.makedirs(work, exist_ok=True)
        print(f"[gallery] {name} ...", file=log, flush=True)
        start = time.perf_counter()
        done = subprocess.run(_figure_command(name, work), env=environment, capture_output=True, text=True)
        wall_s = time.perf_counter() - start
        pngs = sorted(glob.glob(os.path.join(work, "*.png")))
        if done.returncode != 0 or not pngs:
            tail = (done.stderr or done.stdout)[-1500:]
            report[name] = {"thumbnails": [], "wall_s": wall_s, "source": "quick",
                            "error": f"exit status {done.returncode}, {len(pngs)} PNG(s): {tail}"}
            print(f"[gallery] {name} FAILED ({wall_s:.0f} s): exit {done.returncode}", file=log, flush=True)
            continue
        thumbnails = []
        for png in pngs:
            stem = os.path.splitext(os.path.basename(png))[0]
            target = f"{name}.png" if len(pngs) == 1 else f"{name}__{stem}.png"
            make_thumbnail(png, os.path.join(out_dir, target), max_px)
            thumbnails.append(target)
        _mark_source(out_dir, name, "quick")
        report[name] = {"thumbnails": thumbnails, "wall_s": wall_s, "error": None, "source": "quick"}
        print(f"[gallery] {name}: {', '.join(thumbnails)} ({wall_s:.0f} s)", file=log, flush=True)
    _write_index(out_dir, figures)
    return report


SOURCES_FILE = "sources.json"


def _read_sources(out_dir: str) -> dict:
    """``{figure: "quick" or "full"}``: where each thumbnail came from (``sources.json``)."""
    path = os.path.join(out_dir, SOURCES_FILE)
    if not os.path.exists(path):
        return {}
    with open(path) as handle:
        return json.load(handle)


def _mark_source(out_dir: str, name: str, source: str) -> None:
    """Remember whether a figure's thumbnail came from a quick or a full run."""
    sources = _read_sources(out_dir)
    sources[name] = source
    with open(os.path.join(out_dir, SOURCES_FILE), "w") as handle:
        json.dump(dict(sorted(sources.items())), handle, indent=1)


def _write_index(out_dir: str, figures: dict) -> None:
    """``index.md``: every thumbnail in the folder under its figure's one-line description."""
    sources = _read_sources(out_dir)
    lines = ["# Gallery", "",
             "Thumbnails of every figure, from its `--quick` run (reduced protocols: fewer neurons, seeds",
             "and seconds than the full figures) unless marked *full run*. Regenerate with",
             "`spiking gallery` (`--full figures/output` takes the full runs' PNGs where they exist).", ""]
    for name, description in figures.items():
        files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out_dir, f"{name}.png"))
                       + glob.glob(os.path.join(out_dir, f"{name}__*.png")))
        if files:
            mark = " (*full run*)" if sources.get(name) == "full" else ""
            lines += [f"## {name}{mark}", "", description, ""] + [f"![{name}]({f})" for f in files] + [""]
    with open(os.path.join(out_dir, "index.md"), "w") as handle:
        handle.write("\n".join(lines))
