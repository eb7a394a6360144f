"""SST modulation of the dendritic transfer function, as a sweep: BP and ER of the pyramids vs
the dendritic current for each SOM -> pyramid weight, from the Dataset of a sweep folder
(docs/model.md; spec: ``figures/sweeps/sst_modulation.yaml``).

Runs the sweep first (resuming: only missing points are computed), unless ``--no-run``.
``--quick`` uses ``figures/sweeps/sst_modulation_quick.yaml`` (600 pyramids, 10 points).
Unlike ``sst_modulation.py`` (one run with a staircase of I_d steps), every point here is an
independent run at a constant I_d, started from rest.

Usage::

    python figures/sst_sweep.py [--quick] [--results DIR] [--workers N] [--out DIR] [--no-run]
"""

from __future__ import annotations

import os
import sys

import numpy as np

NAME = "sst_sweep"
HERE = os.path.dirname(os.path.abspath(__file__))


def spec_path(quick: bool) -> str:
    return os.path.join(HERE, "sweeps", "sst_modulation_quick.yaml" if quick else "sst_modulation.yaml")


def compute(quick: bool = False, results: str | None = None, workers: int | None = None, run: bool = True):
    """Run (or resume) the sweep and load it; returns the Dataset."""
    from spiking.sweep import SweepSpec, load_sweep, run_sweep

    spec = SweepSpec.from_yaml(spec_path(quick))
    results = results or os.path.join("results", spec.name)
    if run:
        run_sweep(spec, results, workers=workers)
    return load_sweep(results)


def summary(ds) -> dict:
    import json

    sys.path.insert(0, HERE)
    from sst_modulation import half_max

    i_d = ds.i_d.values
    curves = {}
    for w in ds.w_som_pc.values:
        sel = ds.sel(w_som_pc=w).isel(seed=0, unit=0)
        bp = 100 * sel.pyr_burst_probability.values
        curves[f"{w:g}"] = {"bp_percent": bp.tolist(), "er_hz": sel.pyr_event_rate.values.tolist(),
                            "half_max_pA": half_max(i_d, bp)}
    return {"i_d_pA": i_d.tolist(), "w_som_pc": curves, "completed": int(ds.completed.sum()),
            "n_points": int(ds.completed.size), "spec": json.loads(ds.attrs["spec"]),
            "provenance": json.loads(ds.attrs["provenance"])}


def plot(ds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_bp, ax_er) = plt.subplots(1, 2, figsize=(9, 3.8))
    cmap = plt.get_cmap("viridis")
    weights = ds.w_som_pc.values
    for n, w in enumerate(weights):
        sel = ds.sel(w_som_pc=w).isel(seed=0, unit=0)
        color = cmap(0.85 * n / max(1, len(weights) - 1))
        label = f"w_SOM->PC = {w:g}" + (" (reference)" if np.isclose(w, 0.001) else "")
        ax_bp.plot(ds.i_d, 100 * sel.pyr_burst_probability, "o-", color=color, ms=4, label=label)
        ax_er.plot(ds.i_d, sel.pyr_event_rate, "o-", color=color, ms=4)
    ax_bp.set_ylim(0, 100)
    ax_bp.set_ylabel("burst probability (%)")
    ax_er.set_ylabel("event rate (Hz)")
    ax_er.set_ylim(bottom=0)
    for ax in (ax_bp, ax_er):
        ax.set_xlabel("dendritic current $I_d$ (pA)")
    ax_bp.legend(fontsize=8, frameon=False)
    n_pyr = ds.attrs.get("spec") and __import__("json").loads(ds.attrs["spec"])["arguments"].get("n_pyramids")
    fig.suptitle(f"SOM inhibition shifts the dendritic transfer function ({n_pyr} pyramids, one run per point)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    import argparse

    from spiking.figure_io import DEFAULT_OUT, write_outputs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the reduced spec (600 pyramids, 10 points)")
    parser.add_argument("--results", default=None, help="sweep folder (default: results/<spec name>)")
    parser.add_argument("--workers", type=int, default=None, help="local Dask workers (default: one per core)")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"figure folder (default: {DEFAULT_OUT})")
    parser.add_argument("--no-run", action="store_true", help="only load and plot an existing sweep folder")
    args = parser.parse_args(argv)
    ds = compute(args.quick, args.results, args.workers, run=not args.no_run)
    out = summary(ds)
    prefix = write_outputs(args.out, NAME + ("_quick" if args.quick else ""), out, plot(ds))
    print(f"wrote {prefix}.png/.json; half-max: " + ", ".join(f"w={w}: {c['half_max_pA']} pA"
                                                               for w, c in out["w_som_pc"].items()))
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
