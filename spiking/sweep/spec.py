"""Sweep specifications: what to vary, how, and what to decode; checked before any build.

A spec names an experiment (:mod:`spiking.experiments.registry`), its structural ``arguments``, the
``axes`` to vary, the ``seeds``, the ``backend``, and what to ``decode``. An axis ``target`` is

- a knob of the experiment (``w_som_pc``, ``i_dendrite``; values in the knob's unit),
- a raw run-time key: ``"population.parameter"``, ``"projection.weight"`` (``U``, ``tau_D``,
  ``tau_F``, ``f``) or a declared current ``"population.compartment"``, with a ``unit``,
- or an argument of the experiment function (structural: one build per value).

Axis values: ``values: [...]`` (explicit), ``grid: {start, stop, num}`` (inclusive, evenly
spaced), or ``range: {low, high}`` with ``sampling: {method: random, n_samples, seed}``.

Examples
--------
>>> spec = SweepSpec.from_dict({
...     "experiment": "ensemble",
...     "arguments": {"n_pyramids": 40, "n_pv": 10, "n_sst": 10, "duration_ms": 200},
...     "axes": [{"name": "i_d", "target": "i_dendrite", "values": [0, 100]},
...              {"name": "w_sst", "target": "sst_to_pyr.weight", "values": [0, 0.5], "unit": "nS"}],
...     "decode": {"populations": ["pyr"], "t_start_ms": 100, "t_stop_ms": 200}})
>>> points = spec.points()
>>> len(points), points[3].coords, len({p.build_key for p in points})
(4, {'i_d': 100.0, 'w_sst': 0.5}, 1)
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import itertools
import json
from typing import Any

import numpy as np

from spiking.backend import normalize_backend
from spiking.decoding import EVENT_RULES
from spiking.errors import ParameterError

__all__ = ["Axis", "Decode", "SweepSpec", "Point", "parse_unit"]

_TOP_LEVEL = {"name", "experiment", "arguments", "axes", "sampling", "seeds", "backend", "decode", "retries"}
_STP_KEYS = {"U": ("1", 0.0, 1.0), "tau_D": ("second", 0.0, None), "tau_F": ("second", 0.0, None),
             "f": ("1", 0.0, 1.0)}


def parse_unit(name: str | None):
    """A Brian unit from its name (``"pA"``, ``"nS"``, ``"ms"``, ``"1"`` or ``None`` for plain
    numbers).

    Examples
    --------
    >>> parse_unit("pA")
    pamp
    """
    import brian2

    if name in (None, "", "1"):
        return 1
    unit = getattr(brian2, str(name), None) if isinstance(name, str) and name.isidentifier() else None
    if not isinstance(unit, brian2.Unit):
        raise ParameterError(f"unit must be a Brian unit name such as 'pA', 'nS', 'mV', 'ms', 'Hz' or '1'; got {name!r}")
    return unit


@dataclasses.dataclass(frozen=True)
class Axis:
    """One swept dimension: ``name`` (dimension name), ``target``, its ``values`` (for grids
    and lists) or ``low``/``high`` (random sampling), and the ``unit`` of raw targets."""

    name: str
    target: str
    values: tuple[float, ...] | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None

    @classmethod
    def from_dict(cls, entry: Any, position: int) -> "Axis":
        label = f"axes[{position}]"
        if not isinstance(entry, dict):
            raise ParameterError(f"{label} must be a mapping with name, target and values/grid/range; got {entry!r}")
        unknown = set(entry) - {"name", "target", "values", "grid", "range", "unit"}
        if unknown:
            raise ParameterError(f"{label}: unknown keys {sorted(unknown)} (allowed: name, target, values, grid, "
                                 "range, unit)")
        target = entry.get("target")
        if not isinstance(target, str) or not target:
            raise ParameterError(f"{label}: target must be a knob, 'population.parameter', 'projection.weight', "
                                 f"'population.compartment' or an experiment argument; got {target!r}")
        name = entry.get("name", target.replace(".", "_"))
        if not isinstance(name, str) or not name.isidentifier() or name in ("seed", "sample", "unit", "time"):
            raise ParameterError(f"{label}: name must be an identifier other than seed/sample/unit/time; got {name!r}")
        kinds = [k for k in ("values", "grid", "range") if k in entry]
        if len(kinds) != 1:
            raise ParameterError(f"{label} ({name}): give exactly one of values, grid or range; got {kinds or 'none'}")
        unit = entry.get("unit")
        if unit is not None:
            parse_unit(unit)
        if kinds[0] == "values":
            values = entry["values"]
            if not isinstance(values, (list, tuple)) or not values:
                raise ParameterError(f"{label} ({name}): values must be a non-empty list; got {values!r}")
            return cls(name, target, tuple(_number(f"{label} ({name}) values", v) for v in values), unit=unit)
        if kinds[0] == "grid":
            grid = entry["grid"]
            if not isinstance(grid, dict) or set(grid) != {"start", "stop", "num"}:
                raise ParameterError(f"{label} ({name}): grid must be {{start, stop, num}}; got {grid!r}")
            num = grid["num"]
            if isinstance(num, bool) or not isinstance(num, int) or num < 1:
                raise ParameterError(f"{label} ({name}): grid num must be an integer >= 1; got {num!r}")
            start, stop = (_number(f"{label} ({name}) grid", grid[k]) for k in ("start", "stop"))
            return cls(name, target, tuple(float(v) for v in np.linspace(start, stop, num)), unit=unit)
        rng = entry["range"]
        if not isinstance(rng, dict) or set(rng) != {"low", "high"}:
            raise ParameterError(f"{label} ({name}): range must be {{low, high}}; got {rng!r}")
        low, high = (_number(f"{label} ({name}) range", rng[k]) for k in ("low", "high"))
        if not high > low:
            raise ParameterError(f"{label} ({name}): range needs high > low; got low={low}, high={high}")
        return cls(name, target, None, low, high, unit)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"name": self.name, "target": self.target}
        if self.values is not None:
            out["values"] = list(self.values)
        else:
            out["range"] = {"low": self.low, "high": self.high}
        if self.unit is not None:
            out["unit"] = self.unit
        return out


@dataclasses.dataclass(frozen=True)
class Decode:
    """What each point keeps: per-unit event rate, burst rate, burst probability and firing
    rate of ``populations`` over ``[t_start_ms, t_stop_ms)``, in bins of ``bin_width_ms``
    (one bin over the window when omitted); events and bursts by ``event_rule`` ("trace", the
    reference code's, or "isi") with time scale ``burst_isi_ms`` (see
    :func:`spiking.decoding.decompose`)."""

    populations: tuple[str, ...]
    t_start_ms: float
    t_stop_ms: float | None = None
    bin_width_ms: float | None = None
    burst_isi_ms: float = 16.0
    event_rule: str = "trace"

    @classmethod
    def from_dict(cls, entry: Any) -> "Decode":
        if not isinstance(entry, dict):
            raise ParameterError(f"decode must be a mapping with populations and t_start_ms; got {entry!r}")
        unknown = set(entry) - {"populations", "t_start_ms", "t_stop_ms", "bin_width_ms", "burst_isi_ms",
                                "event_rule"}
        if unknown:
            raise ParameterError(f"decode: unknown keys {sorted(unknown)} (allowed: populations, t_start_ms, "
                                 "t_stop_ms, bin_width_ms, burst_isi_ms, event_rule)")
        pops = entry.get("populations")
        if isinstance(pops, str):
            pops = [pops]
        if not isinstance(pops, (list, tuple)) or not pops or not all(isinstance(p, str) for p in pops):
            raise ParameterError(f"decode.populations must be a non-empty list of population names; got {pops!r}")
        start = _number("decode.t_start_ms", entry.get("t_start_ms", 0.0))
        stop = entry.get("t_stop_ms")
        stop = None if stop is None else _number("decode.t_stop_ms", stop)
        width = entry.get("bin_width_ms")
        width = None if width is None else _number("decode.bin_width_ms", width)
        isi = _number("decode.burst_isi_ms", entry.get("burst_isi_ms", 16.0))
        if start < 0 or (stop is not None and not stop > start):
            raise ParameterError(f"decode: need 0 <= t_start_ms < t_stop_ms; got {start}, {stop}")
        if (width is not None and not width > 0) or not isi > 0:
            raise ParameterError(f"decode: bin_width_ms and burst_isi_ms must be > 0; got {width}, {isi}")
        rule = entry.get("event_rule", "trace")
        if rule not in EVENT_RULES:
            raise ParameterError(f"decode.event_rule must be one of {EVENT_RULES}; got {rule!r}")
        return cls(tuple(pops), start, stop, width, isi, rule)


@dataclasses.dataclass(frozen=True)
class Point:
    """One simulation of a sweep.

    Attributes
    ----------
    id : str
        Stable name (``p00012``), also the point's file name.
    index : tuple of int
        Position along the sweep dimensions (axes then seed; or sample then seed).
    coords : dict
        Axis name -> value (in the axis unit).
    seed : int
    build_key : str
        Points with equal keys share one build (same structure and seed).
    arguments : dict
        Experiment arguments of this point (base arguments, structural axes, seed).
    runtime : dict
        Axis name -> value of the run-time axes.
    """

    id: str
    index: tuple
    coords: dict
    seed: int
    build_key: str
    arguments: dict
    runtime: dict


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A parameter study (see the module docstring for the fields)."""

    experiment: str
    arguments: dict
    axes: tuple[Axis, ...]
    decode: Decode
    seeds: tuple[int, ...] = (0,)
    backend: str = "cpp_standalone"
    sampling: str = "grid"
    n_samples: int | None = None
    sample_seed: int = 0
    retries: int = 1
    name: str = "sweep"

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str) -> "SweepSpec":
        """Load a spec from a YAML file (``yaml.safe_load``: no code runs while reading)."""
        import yaml

        try:
            with open(path) as handle:
                data = yaml.safe_load(handle)
        except OSError as err:
            raise ParameterError(f"sweep spec {path!r} cannot be read: {err}") from err
        except yaml.YAMLError as err:
            raise ParameterError(f"sweep spec {path!r} is not valid YAML: {err}") from err
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> "SweepSpec":
        """Build and fully check a spec (experiment, targets, units and every value) without
        making any Brian object."""
        if not isinstance(data, dict):
            raise ParameterError(f"a sweep spec must be a mapping; got {type(data).__name__}")
        unknown = set(data) - _TOP_LEVEL
        if unknown:
            raise ParameterError(f"sweep spec: unknown keys {sorted(unknown)} (allowed: {sorted(_TOP_LEVEL)})")
        for key in ("experiment", "axes", "decode"):
            if key not in data:
                raise ParameterError(f"sweep spec: missing {key!r}")
        arguments = data.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise ParameterError(f"arguments must be a mapping of experiment arguments; got {arguments!r}")
        axes = data["axes"]
        if not isinstance(axes, (list, tuple)) or not axes:
            raise ParameterError(f"axes must be a non-empty list; got {axes!r}")
        axes = tuple(Axis.from_dict(a, k) for k, a in enumerate(axes))
        names = [a.name for a in axes]
        if len(set(names)) != len(names):
            raise ParameterError(f"axes: names must be distinct; got {names}")
        arguments = dict(arguments)
        if "seed" in arguments and "seeds" in data:
            raise ParameterError("give the seed either in arguments or in seeds, not both")
        seeds = data.get("seeds", [arguments.pop("seed", 0)])
        if isinstance(seeds, int):
            seeds = [seeds]
        if (not isinstance(seeds, (list, tuple)) or not seeds
                or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)
                or len(set(seeds)) != len(seeds)):
            raise ParameterError(f"seeds must be a non-empty list of distinct integers >= 0; got {seeds!r}")
        sampling = data.get("sampling", {"method": "grid"})
        if isinstance(sampling, str):
            sampling = {"method": sampling}
        method = sampling.get("method", "grid") if isinstance(sampling, dict) else None
        if method not in ("grid", "random"):
            raise ParameterError(f"sampling.method must be 'grid' or 'random'; got {method!r}")
        n_samples, sample_seed = None, 0
        if method == "random":
            n_samples, sample_seed = sampling.get("n_samples"), sampling.get("seed", 0)
            if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
                raise ParameterError(f"sampling.n_samples must be an integer >= 1; got {n_samples!r}")
            if not all(a.values is None for a in axes):
                raise ParameterError("random sampling draws every axis from its range {low, high}; "
                                     f"axes with values/grid: {[a.name for a in axes if a.values is not None]}")
        elif any(a.values is None for a in axes):
            raise ParameterError("axes with a range need sampling: {method: random, n_samples: N}; "
                                 f"got range axes {[a.name for a in axes if a.values is None]} with grid sampling")
        retries = data.get("retries", 1)
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ParameterError(f"retries must be an integer >= 0; got {retries!r}")
        name = data.get("name", "sweep")
        spec = cls(experiment=data["experiment"], arguments=dict(arguments), axes=axes,
                   decode=Decode.from_dict(data["decode"]), seeds=tuple(int(s) for s in seeds),
                   backend=normalize_backend(data.get("backend", "cpp_standalone")), sampling=method,
                   n_samples=n_samples, sample_seed=int(sample_seed), retries=retries, name=str(name))
        spec.check()
        return spec

    def to_dict(self) -> dict:
        """The spec as plain data (round-trips through :meth:`from_dict`)."""
        sampling = ({"method": "grid"} if self.sampling == "grid"
                    else {"method": "random", "n_samples": self.n_samples, "seed": self.sample_seed})
        return {"name": self.name, "experiment": self.experiment, "arguments": dict(self.arguments),
                "axes": [a.to_dict() for a in self.axes], "sampling": sampling, "seeds": list(self.seeds),
                "backend": self.backend, "decode": dataclasses.asdict(self.decode) | {
                    "populations": list(self.decode.populations)}, "retries": self.retries}

    @property
    def spec_hash(self) -> str:
        """Hash of everything that determines the results (the name and retries excluded)."""
        data = self.to_dict()
        data.pop("name")
        data.pop("retries")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    # -- checking -------------------------------------------------------------------------------
    def experiment_function(self):
        from spiking.experiments.registry import get_experiment

        return get_experiment(self.experiment)

    def structural_axes(self) -> list[Axis]:
        """Axes whose target is an argument of the experiment function (one build per value)."""
        params = inspect.signature(self.experiment_function()).parameters
        return [a for a in self.axes if a.target in params]

    def make_experiment(self, arguments: dict):
        """Call the experiment function, turning its errors into errors that name the spec."""
        function = self.experiment_function()
        params = inspect.signature(function).parameters
        unknown = set(arguments) - set(params)
        if unknown:
            raise ParameterError(f"arguments: {sorted(unknown)} are not arguments of experiment {self.experiment!r} "
                                 f"(it takes {sorted(params)})")
        try:
            return function(**arguments)
        except ParameterError as err:
            raise ParameterError(f"experiment {self.experiment!r}: {err}") from err
        except TypeError as err:
            raise ParameterError(f"experiment {self.experiment!r}: {err}") from err

    def check(self) -> None:
        """Check experiment, arguments, targets, units and every value; raises
        :class:`~spiking.errors.ParameterError` naming the problem."""
        if "seed" not in inspect.signature(self.experiment_function()).parameters:
            raise ParameterError(f"experiment {self.experiment!r} must take a 'seed' argument")
        structural = self.structural_axes()
        for axis in structural:
            if axis.target == "seed":
                raise ParameterError(f"axis {axis.name!r}: sweep seeds with the 'seeds' list, not an axis")
            if axis.values is None:
                raise ParameterError(f"axis {axis.name!r}: structural argument {axis.target!r} needs explicit "
                                     "values (each value is a build)")
        experiments = {}
        for point in self._enumerate(check=False):
            if point.build_key not in experiments:
                experiments[point.build_key] = self.make_experiment(point.arguments)
        first = next(iter(experiments.values()))
        plan = first.plan
        for pop in self.decode.populations:
            if pop not in plan.populations or not any(r.population == pop for r in plan.spike_recordings):
                recorded = sorted(r.population for r in plan.spike_recordings)
                raise ParameterError(f"decode.populations: {pop!r} is not a population whose spikes the experiment "
                                     f"records (recorded: {recorded})")
        sizes = {plan.populations[p].n_units for p in self.decode.populations}
        if len(sizes) > 1:
            raise ParameterError(f"decode.populations must have the same number of units; got {sorted(sizes)}")
        duration_ms = float(plan.duration) * 1e3
        stop = self.decode.t_stop_ms if self.decode.t_stop_ms is not None else duration_ms
        if stop > duration_ms + 1e-9 or self.decode.t_start_ms >= stop:
            raise ParameterError(f"decode window [{self.decode.t_start_ms}, {stop}) ms must lie inside the "
                                 f"simulated [0, {duration_ms}) ms")
        if self.decode.bin_width_ms is not None and self.decode.bin_width_ms > stop - self.decode.t_start_ms:
            raise ParameterError(f"decode.bin_width_ms={self.decode.bin_width_ms} is longer than the window")
        runtime_axes = [a for a in self.axes if a not in structural]
        for experiment in experiments.values():
            for axis in runtime_axes:
                values = axis.values if axis.values is not None else (axis.low, axis.high)
                for value in values:
                    for key, raw in runtime_values(experiment, axis, value).items():
                        check_runtime_value(experiment.plan, key, raw, f"axis {axis.name!r}")

    # -- points ---------------------------------------------------------------------------------
    def dimensions(self) -> dict[str, np.ndarray]:
        """Dimension name -> coordinate values, in the order of the stored arrays."""
        if self.sampling == "random":
            return {"sample": np.arange(self.n_samples), "seed": np.array(self.seeds)}
        dims = {a.name: np.array(a.values, dtype=float) for a in self.axes}
        dims["seed"] = np.array(self.seeds)
        return dims

    def sample_table(self) -> dict[str, np.ndarray]:
        """Random sampling: axis name -> the drawn value of each sample (uniform in the range,
        from ``sampling.seed``)."""
        rng = np.random.default_rng(self.sample_seed)
        return {a.name: rng.uniform(a.low, a.high, size=self.n_samples) for a in self.axes}

    def points(self) -> list[Point]:
        """Every point of the sweep, in a fixed order (their ids are stable across runs)."""
        return self._enumerate(check=True)

    def _enumerate(self, check: bool) -> list[Point]:
        structural = {a.name for a in self.structural_axes()}
        targets = {a.name: a.target for a in self.axes}
        if self.sampling == "random":
            table = self.sample_table()
            rows = [((k,), {name: float(values[k]) for name, values in table.items()}) for k in range(self.n_samples)]
        else:
            rows = [(tuple(idx), {a.name: float(a.values[i]) for a, i in zip(self.axes, idx)})
                    for idx in itertools.product(*[range(len(a.values)) for a in self.axes])]
        points = []
        for (index, coords), (s, seed) in itertools.product(rows, enumerate(self.seeds)):
            arguments = dict(self.arguments)
            for name in structural:
                value = coords[name]
                arguments[targets[name]] = int(value) if float(value).is_integer() else value
            arguments["seed"] = seed
            key_data = json.dumps({"experiment": self.experiment, "arguments": arguments, "backend": self.backend},
                                  sort_keys=True)
            build_key = hashlib.sha256(key_data.encode()).hexdigest()[:12]
            runtime = {n: v for n, v in coords.items() if n not in structural}
            points.append(Point(id=f"p{len(points):05d}", index=index + (s,), coords=coords, seed=int(arguments["seed"]),
                                build_key=build_key, arguments=arguments, runtime=runtime))
        return points


def _number(label: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ParameterError(f"{label} must be finite numbers; got {value!r}")
    return float(value)


def runtime_values(experiment, axis: Axis, value: float) -> dict[str, Any]:
    """Raw run-time values (``{key: Brian quantity or number}``) that ``axis`` at ``value``
    sets in ``experiment``: through its knob, or the raw key with the axis unit."""
    if axis.target in experiment.knobs:
        if axis.unit is not None and axis.unit != experiment.knobs[axis.target].unit:
            raise ParameterError(f"axis {axis.name!r}: knob {axis.target!r} takes values in "
                                 f"{experiment.knobs[axis.target].unit!r}; got unit {axis.unit!r}")
        return experiment.knobs[axis.target].values(value)
    if "." not in axis.target:
        raise ParameterError(f"axis {axis.name!r}: target {axis.target!r} is neither a knob "
                             f"({sorted(experiment.knobs)}), an experiment argument, nor a raw key "
                             "'population.parameter' / 'projection.weight' / 'population.compartment'")
    return {axis.target: value * parse_unit(axis.unit)}


def check_runtime_value(plan, key: str, value: Any, label: str) -> str:
    """Check one raw run-time value against ``plan``; returns ``"override"`` or ``"current"``."""
    from brian2 import amp, get_dimensions, siemens

    owner, _, name = key.partition(".")
    if owner in plan.projections:
        projection = plan.projections[owner]
        if name == "weight":
            if get_dimensions(value) is not siemens.dim or float(value) < 0:
                raise ParameterError(f"{label}: {key} must be a conductance >= 0 (unit nS, siemens); got {value!r}")
            return "override"
        if name in _STP_KEYS and projection.stp is not None:
            projection.stp.replace(**{name: value})  # validates dimension and range
            return "override"
        allowed = ["weight"] + (sorted(_STP_KEYS) if projection.stp is not None else [])
        raise ParameterError(f"{label}: projection {owner!r} has no run-time parameter {name!r} (allowed: {allowed})")
    if owner in plan.populations:
        population = plan.populations[owner]
        if any(c.target == owner and c.compartment == name for c in plan.currents):
            if get_dimensions(value) is not amp.dim:
                raise ParameterError(f"{label}: current {key} must be a current (unit pA, nA); got {value!r}")
            return "current"
        params = getattr(population, "params", None)
        if params is None or name not in params.numeric_fields():
            currents = sorted(f"{c.target}.{c.compartment}" for c in plan.currents if c.target == owner)
            raise ParameterError(f"{label}: {key!r} is neither a parameter of population {owner!r} nor a declared "
                                 f"current (currents: {currents})")
        params.replace(**{name: value})  # validates dimension and range
        return "override"
    raise ParameterError(f"{label}: {key!r} names no population or projection of the experiment "
                         f"(populations: {sorted(plan.populations)}, projections: {sorted(plan.projections)})")
