"""The results folder of a sweep: a manifest, one netCDF file per point, and the loader.

Layout::

    DIR/manifest.json           spec, points, builds, provenance
    DIR/points/<id>.nc          one finished point, netCDF-3 (written atomically: temporary file + rename)
    DIR/points/<id>.error.json  a point that failed after its retries (removed once it succeeds)
    DIR/builds/<build key>/     compiled standalone projects (one per structure and seed)

A point file exists only once its write completed, so an interrupted sweep leaves no partial
files; re-running the sweep computes only the points without a file.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import tempfile
from typing import Any

import numpy as np
import xarray as xr

from spiking.errors import ParameterError
from spiking.fileutil import apply_umask
from spiking.figure_io import write_json
from spiking.sweep.spec import SweepSpec

__all__ = ["SweepStore", "load_sweep", "sweep_status", "NETCDF_ENGINE"]

#: netCDF-3 through scipy (already a dependency): a point file is a few kB of per-unit rates,
#: and scipy writes one in about 10 ms where h5netcdf (netCDF-4/HDF5) took 120-160 ms, which
#: was 10 % of a 1 s simulation per point on the 2-core benchmark machine.
NETCDF_ENGINE = "scipy"
MANIFEST = "manifest.json"


def _local_scheduler():
    """Make xarray write with a local lock even when a Dask distributed client exists."""
    try:
        import dask
    except ImportError:  # pragma: no cover - dask is a dependency
        return contextlib.nullcontext()
    return dask.config.set(scheduler="synchronous")


class SweepStore:
    """Read and write one sweep's results folder.

    Parameters
    ----------
    directory : str
        The results folder (created if needed).
    """

    def __init__(self, directory: str) -> None:
        self.directory = os.path.abspath(directory)
        self.points_dir = os.path.join(self.directory, "points")
        self.builds_dir = os.path.join(self.directory, "builds")

    # -- manifest -------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> str:
        return os.path.join(self.directory, MANIFEST)

    def exists(self) -> bool:
        return os.path.exists(self.manifest_path)

    def manifest(self) -> dict:
        if not self.exists():
            raise ParameterError(f"{self.directory!r} holds no sweep (no {MANIFEST})")
        with open(self.manifest_path) as handle:
            return json.load(handle)

    def initialise(self, spec: SweepSpec, provenance: dict) -> dict:
        """Create the folder and manifest, or check that an existing one holds the same sweep
        (same spec hash) and return its manifest."""
        if self.exists():
            manifest = self.manifest()
            if manifest["spec_hash"] != spec.spec_hash:
                raise ParameterError(f"{self.directory!r} holds a different sweep (spec hash {manifest['spec_hash']}, "
                                     f"this spec {spec.spec_hash}); use another --out folder")
            return manifest
        os.makedirs(self.points_dir, exist_ok=True)
        os.makedirs(self.builds_dir, exist_ok=True)
        points = spec.points()
        dims = spec.dimensions()
        manifest = {
            "format": 1, "name": spec.name, "spec": spec.to_dict(), "spec_hash": spec.spec_hash,
            "dimensions": {k: v.tolist() for k, v in dims.items()},
            "samples": {k: v.tolist() for k, v in spec.sample_table().items()} if spec.sampling == "random" else None,
            "n_points": len(points),
            "points": [{"id": p.id, "index": list(p.index), "coords": p.coords, "seed": p.seed, "build": p.build_key}
                       for p in points],
            "builds": {}, "sessions": [], "provenance": provenance,
        }
        write_json(self.manifest_path, manifest)
        return manifest

    def record_build(self, key: str, info: dict) -> None:
        manifest = self.manifest()
        manifest["builds"].setdefault(key, {"count": 0})
        entry = manifest["builds"][key]
        entry.update(info)
        entry["count"] = entry.get("count", 0) + 1
        write_json(self.manifest_path, manifest)

    def record_session(self, info: dict) -> None:
        manifest = self.manifest()
        manifest["sessions"].append(info)
        write_json(self.manifest_path, manifest)

    # -- points ---------------------------------------------------------------------------------
    def point_path(self, point_id: str) -> str:
        return os.path.join(self.points_dir, f"{point_id}.nc")

    def error_path(self, point_id: str) -> str:
        return os.path.join(self.points_dir, f"{point_id}.error.json")

    def is_done(self, point_id: str) -> bool:
        return os.path.exists(self.point_path(point_id))

    def write_point(self, point_id: str, dataset: xr.Dataset) -> None:
        """Write a finished point atomically (and forget an earlier failure of it)."""
        path = self.point_path(point_id)
        fd, tmp = tempfile.mkstemp(dir=self.points_dir, prefix=".tmp-", suffix=".nc")
        os.close(fd)
        try:
            with _local_scheduler():  # xarray would take a distributed lock while a Dask client is active
                dataset.to_netcdf(tmp, engine=NETCDF_ENGINE)
            apply_umask(tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if os.path.exists(self.error_path(point_id)):
            os.unlink(self.error_path(point_id))

    def write_error(self, point_id: str, error: dict) -> None:
        error = dict(error, recorded_utc=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
        write_json(self.error_path(point_id), error)

    def errors(self) -> dict[str, dict]:
        out = {}
        for name in sorted(os.listdir(self.points_dir)):
            if name.endswith(".error.json"):
                point_id = name[:-len(".error.json")]
                if not self.is_done(point_id):
                    with open(os.path.join(self.points_dir, name)) as handle:
                        out[point_id] = json.load(handle)
        return out

    def status(self) -> dict:
        """``{"done": D, "total": T, "failed": F}``."""
        manifest = self.manifest()
        done = sum(self.is_done(p["id"]) for p in manifest["points"])
        return {"done": done, "total": manifest["n_points"], "failed": len(self.errors())}

    # -- loading --------------------------------------------------------------------------------
    def load(self) -> xr.Dataset:
        """All finished points as one Dataset with the sweep dimensions (axes and ``seed``, or
        ``sample`` and ``seed``) before each variable's own dimensions; missing or failed points
        are NaN and marked by ``completed`` = False."""
        manifest = self.manifest()
        dims = {k: np.asarray(v) for k, v in manifest["dimensions"].items()}
        shape = tuple(len(v) for v in dims.values())
        completed = np.zeros(shape, dtype=bool)
        data: dict[str, np.ndarray] = {}
        template: xr.Dataset | None = None
        for point in manifest["points"]:
            if not self.is_done(point["id"]):
                continue
            with xr.open_dataset(self.point_path(point["id"]), engine=NETCDF_ENGINE) as ds:
                ds = ds.load()
            if template is None:
                template = ds
            index = tuple(point["index"])
            completed[index] = True
            for name, var in ds.data_vars.items():
                if name not in data:
                    data[name] = np.full(shape + var.shape, np.nan)
                data[name][index] = var.values
        coords: dict[str, Any] = {k: v for k, v in dims.items()}
        if manifest.get("samples"):
            for name, values in manifest["samples"].items():
                coords[name] = ("sample", np.asarray(values))
        variables = {"completed": (tuple(dims), completed)}
        if template is not None:
            for name, var in template.data_vars.items():
                variables[name] = (tuple(dims) + var.dims, data[name], dict(var.attrs))
            for name, coord in template.coords.items():
                coords[name] = coord
        spec = manifest["spec"]
        attrs = {"name": manifest["name"], "spec": json.dumps(spec), "spec_hash": manifest["spec_hash"],
                 "provenance": json.dumps(manifest["provenance"]), "backend": spec["backend"],
                 "experiment": spec["experiment"]}
        result = xr.Dataset(variables, coords=coords, attrs=attrs)
        for axis in spec["axes"]:
            if axis["name"] in result.coords:
                result[axis["name"]].attrs.update({"target": axis["target"], "units": axis.get("unit") or ""})
        return result


def load_sweep(directory: str) -> xr.Dataset:
    """Load a sweep's results as one :class:`xarray.Dataset` (see :meth:`SweepStore.load`).

    Examples
    --------
    >>> ds = load_sweep("results/sst_sweep")  # doctest: +SKIP
    >>> ds.pyr_burst_probability.sel(seed=25).squeeze("unit").plot.line(x="i_d")  # doctest: +SKIP
    """
    return SweepStore(directory).load()


def sweep_status(directory: str) -> str:
    """One line ``done D/T failed F`` for a sweep folder.

    Examples
    --------
    >>> sweep_status("results/sst_sweep")  # doctest: +SKIP
    'done 30/30 failed 0'
    """
    status = SweepStore(directory).status()
    return f"done {status['done']}/{status['total']} failed {status['failed']}"
