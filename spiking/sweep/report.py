"""An interactive, self-contained HTML report of a sweep (Bokeh; no server needed).

For every decoded rate of the sweep (variables ending in ``event_rate``, ``burst_rate`` or
``burst_probability``) one plot over the first sweep axis: one line per unit and per value of
the other axes, the mean over seeds (and over time, for time courses), with a hover that shows
every axis value, the unit, the mean, the standard deviation across seeds and the number of
seeds. Above the plots: the sweep's name, experiment, backend, axes (values and units) and
provenance. Bokeh's JavaScript is inlined, so the file opens anywhere, offline.

Examples
--------
>>> sweep_report("results/sst_sweep", "sst_sweep.html")   # doctest: +SKIP
'sst_sweep.html'
"""

from __future__ import annotations

import html
import itertools
import json
import os

import numpy as np

from spiking.errors import ParameterError

__all__ = ["sweep_report", "REPORTED_SUFFIXES"]

#: Variables shown: the decoded ensemble rates.
REPORTED_SUFFIXES = ("event_rate", "burst_rate", "burst_probability")


def _summary_html(ds, axes: list[dict]) -> str:
    provenance = json.loads(ds.attrs.get("provenance", "{}") or "{}")
    rows = [("sweep", ds.attrs.get("name", "")), ("experiment", ds.attrs.get("experiment", "")),
            ("backend", ds.attrs.get("backend", ""))]
    for axis in axes:
        values = ", ".join(f"{v:g}" if isinstance(v, (int, float, np.floating)) else str(v)
                           for v in np.asarray(ds[axis["name"]].values).tolist())
        rows.append((f"axis {axis['name']}", f"{values} {axis.get('unit') or ''} (target {axis.get('target', '')})"))
    if "seed" in ds.dims:
        rows.append(("seeds", ", ".join(str(s) for s in ds["seed"].values.tolist())))
    rows.append(("points completed", f"{int(ds['completed'].sum())} of {int(ds['completed'].size)}"))
    for key in ("git_revision", "versions", "created_utc", "platform"):
        if key in provenance:
            value = provenance[key]
            rows.append((key, ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else str(value)))
    cells = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{html.escape(str(k))}</th>"
                    f"<td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<h2>Sweep report: {html.escape(str(ds.attrs.get('name', '')))}</h2><table>{cells}</table>"


def sweep_report(directory: str, html_path: str, title: str | None = None) -> str:
    """Write the report of the sweep in ``directory`` to ``html_path``; returns ``html_path``.

    Parameters
    ----------
    directory : str
        A sweep folder (``spiking sweep run ... --out DIR``).
    html_path : str
        The HTML file to write (replaced if it exists).
    title : str, optional
        The page title (default: "Sweep <name>").
    """
    from bokeh.embed import file_html
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, Div, HoverTool
    from bokeh.palettes import Category10_10
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    from spiking.fileutil import apply_umask
    from spiking.sweep.store import load_sweep

    if not os.path.isdir(directory):
        raise ParameterError(f"sweep report: {directory!r} is not a sweep folder")
    ds = load_sweep(directory)
    spec = json.loads(ds.attrs["spec"])
    axes = [axis for axis in spec.get("axes", []) if axis["name"] in ds.dims]
    if not axes:
        raise ParameterError(f"sweep report: the sweep in {directory!r} has no axis to plot over")
    x_axis, other_axes = axes[0], axes[1:]
    variables = [name for name in ds.data_vars if name.endswith(REPORTED_SUFFIXES)]
    if not variables:
        raise ParameterError(f"sweep report: no decoded rates ({', '.join(REPORTED_SUFFIXES)}) in {directory!r}")
    plots = [Div(text=_summary_html(ds, axes), width=1000)]
    for name in variables:
        palette = itertools.cycle(Category10_10)  # the same series has the same colour in every plot
        var = ds[name]
        if "time" in var.dims:
            var = var.mean("time", skipna=True)
        n_seeds = int(var.sizes.get("seed", 1))
        mean = var.mean("seed", skipna=True) if "seed" in var.dims else var
        std = var.std("seed", skipna=True) if "seed" in var.dims else var * 0.0  # one seed: no spread
        units = mean["unit"].values.tolist() if "unit" in mean.dims else [None]
        unit_label = var.attrs.get("units", "")
        plot = figure(title=name.replace("_", " "), width=1050, height=330,
                      x_axis_label=f"{x_axis['name']} ({x_axis.get('unit') or ''})".replace(" ()", ""),
                      y_axis_label=f"{name} ({unit_label})" if unit_label else name, tools="pan,wheel_zoom,reset,save")
        for combination in itertools.product(*[ds[a["name"]].values.tolist() for a in other_axes]):
            selection = {a["name"]: value for a, value in zip(other_axes, combination)}
            for unit in units:
                pick = dict(selection, **({"unit": unit} if unit is not None else {}))
                y = np.asarray(mean.sel(pick).values, float)
                spread = np.asarray(std.sel(pick).values, float)
                data = {"x": ds[x_axis["name"]].values.astype(float), "y": y, "std": spread,
                        "n_seeds": np.full(y.shape, n_seeds)}
                for key, value in pick.items():
                    data[key] = np.full(y.shape, value, dtype=object).astype(str)
                label = ", ".join(f"{k} = {v}" for k, v in pick.items()) or name
                color = next(palette)
                source = ColumnDataSource(data)
                plot.line("x", "y", source=source, color=color, legend_label=label, line_width=2)
                plot.scatter("x", "y", source=source, color=color, size=7)
        tooltips = [(x_axis["name"], "@x")] + [(a["name"], f"@{{{a['name']}}}") for a in other_axes]
        if "unit" in mean.dims:
            tooltips.append(("unit", "@unit"))
        tooltips += [(name, "@y"), ("std across seeds", "@std"), ("seeds", "@n_seeds")]
        plot.add_tools(HoverTool(tooltips=tooltips))
        plot.legend.click_policy = "hide"
        plot.legend.label_text_font_size = "8pt"
        plot.add_layout(plot.legend[0], "right")  # beside the plot, not over the lines
        plots.append(plot)
    page = file_html(column(*plots), INLINE, title or f"Sweep {ds.attrs.get('name', '')}")
    folder = os.path.dirname(os.path.abspath(html_path))
    os.makedirs(folder, exist_ok=True)
    temporary = html_path + ".partial"
    with open(temporary, "w") as handle:
        handle.write(page)
    apply_umask(temporary)
    os.replace(temporary, html_path)
    return html_path

