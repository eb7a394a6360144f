"""Run a network plan on a backend, possibly many times, and collect backend-neutral results.

On the standalone backends the plan is built and compiled once; every later :meth:`Simulation.run`
only passes new parameter values and new injected currents to the binary (``run_args``). On the
runtime backend each run rebuilds the (cached) objects and sets the same values.

Examples
--------
>>> from brian2 import ms, pA
>>> from models.pyramidal import PyramidalParameters
>>> from spiking.plan import NetworkPlan, Population, CurrentInjection
>>> from spiking.stimuli import Constant
>>> plan = NetworkPlan(duration=100 * ms, seed=3)
>>> plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=20, n_units=2))
>>> plan.add_current(CurrentInjection("pyr", "soma", [Constant(0 * pA), Constant(600 * pA)]))
>>> plan.record_spikes("pyr")
>>> with Simulation(plan) as sim:
...     result = sim.run()
>>> counts = np.bincount(result.spikes["pyr"].indices, minlength=40)
>>> bool(counts[:20].sum() == 0 and counts[20:].min() > 0)
True
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
from brian2 import TimedArray

from spiking.backend import BackendSession, normalize_backend
from spiking.build import BuiltNetwork, build_network, stimulus_run_values
from spiking.errors import ParameterError
from spiking.plan import CurrentInjection, NetworkPlan
from spiking.readout import Readout, collect_event_rates, collect_mean_weights, collect_online, collect_spikes, collect_states, collect_weights
from spiking.stimuli import sample_matrix

__all__ = ["Simulation", "SimulationResult", "compile_project"]


@dataclasses.dataclass
class SimulationResult:
    """Backend-neutral results of one run.

    Attributes
    ----------
    spikes : dict of str -> SpikeData
        Recorded spikes per population (a sample keeps the full population's unit labels
        for the recorded neurons only).
    states : dict of str -> dict
        ``{population: {"t_s": times, "neurons": indices, variable: array (n_neurons, n_t) in SI}}``.
    online : dict of str -> xarray.Dataset
        Online detector counts and rates per unit and bin (dims ``unit``, ``time``).
    overrides : dict
        Parameter values set for this run.
    timings_s : dict
        ``build_s`` (standalone compile, first run only) and ``run_s``.
    n_synapses : dict
        Synapses of each projection (all-to-all projections through a node count the
        equivalent pairwise synapses).
    profile : list, optional
        ``(code object, seconds)`` slowest first, when the simulation was made with ``profile=True``.
    weights : dict of str -> xarray.Dataset
        Weights of plastic projections after the run (``NetworkPlan.record_weights``).
    mean_weights : dict of str -> xarray.Dataset
        Mean weight per unit pair over time (``NetworkPlan.record_mean_weights``).
    event_rates : dict of str -> xarray.Dataset
        Unit-mean moving-average event rate of a plastic projection's target over time
        (``NetworkPlan.record_event_rates``).
    """

    spikes: dict
    states: dict
    online: dict
    overrides: dict
    timings_s: dict
    n_synapses: dict
    profile: list | None = None
    weights: dict = dataclasses.field(default_factory=dict)
    mean_weights: dict = dataclasses.field(default_factory=dict)
    event_rates: dict = dataclasses.field(default_factory=dict)


class Simulation:
    """A network plan prepared on one backend.

    Parameters
    ----------
    plan : NetworkPlan
    backend : str
        ``"runtime"``, ``"cpp_standalone"`` or ``"cuda_standalone"``.
    profile : bool
        Record the time spent in each Brian code object (``SimulationResult.profile``).
    directory : str, optional
        Standalone build folder to use (and keep); a temporary one when omitted.
    """

    def __init__(self, plan: NetworkPlan, backend: str = "runtime", profile: bool = False,
                 directory: str | None = None) -> None:
        self.profile = bool(profile)
        self.directory = directory
        if not isinstance(plan, NetworkPlan):
            raise ParameterError(f"plan must be a NetworkPlan; got {type(plan).__name__}")
        self.plan = plan
        self.backend = normalize_backend(backend)
        self._session: BackendSession | None = None
        self._built: BuiltNetwork | None = None

    def __enter__(self) -> "Simulation":
        self._session = BackendSession(self.backend, dt=self.plan.dt, directory=self.directory).__enter__()
        return self

    def __exit__(self, *exc) -> None:
        session, self._session, self._built = self._session, None, None
        if session is not None:
            session.__exit__(*exc)

    def build(self) -> float:
        """Standalone backends: build and compile the project now (the first :meth:`run` does it
        otherwise); returns the compile time in seconds. No-op (0.0) on the runtime backend."""
        if self._session is None:
            raise ParameterError("Simulation.build must be called inside `with Simulation(plan) as sim:`")
        if not self._session.is_standalone:
            return 0.0
        if self._built is None:
            self._built = build_network(self.plan)
            self._session.run(self._built.network, self.plan.duration, namespace=self._built.namespace,
                              profile=self.profile)
            self._session.compile()
        return self._session.timings.get("build_s", 0.0)

    def command_line(self, overrides: dict[str, Any] | None = None, currents: dict | None = None,
                     plasticity: dict | None = None, weight_gains: dict | None = None) -> tuple[str, ...]:
        """Command-line arguments that give the compiled binary these run-time values (see
        :meth:`run` for the arguments); array values are written into the project's
        ``static_arrays`` under content-hashed names, so any process can use them."""
        from spiking.backend import encode_run_args

        self.build()
        if not self._session.is_standalone:
            raise ParameterError("command_line applies to the standalone backends")
        run_args = dict(self._built.parameter_views(dict(overrides or {})))
        for (pop, comp), values in self._current_values(currents).items():
            run_args.update(stimulus_run_values(self._built.stimuli[(pop, comp)], values))
        for name, values in self._gate_values(plasticity).items():
            run_args[self._built.plastic[name].gate] = values
        for name, values in self._gain_values(weight_gains).items():
            run_args[self._built.weight_gains[name]] = values
        return tuple(encode_run_args(run_args))

    def compiled_project(self):
        """The built project as a :class:`~spiking.compiled.CompiledProject` that other processes
        can run (standalone backends; builds it first if needed)."""
        from spiking.backend import array_file_of
        from spiking.compiled import CompiledProject

        self.build()
        if not self._session.is_standalone:
            raise ParameterError("compiled_project applies to the standalone backends")
        readout = Readout.of(self._built)
        objects = {obj.name: obj for obj in self._built.network.objects}
        arrays = {(owner, var): array_file_of(objects[owner].variables[var], kind)
                  for owner, var, kind in readout.arrays()}
        command, environment = self._session.run_command()
        return CompiledProject(directory=self._session.directory, backend=self.backend, plan=self.plan,
                               readout=readout, arrays=arrays, command=command, environment=environment,
                               n_synapses=dict(self._built.n_synapses))

    def _current_values(self, currents: dict | None) -> dict:
        """New TimedArray values for replaced injected currents, keyed by (population, compartment)."""
        values = {}
        for key, waveforms in (currents or {}).items():
            population, _, compartment = key.partition(".")
            matches = [c for c in self.plan.currents if c.target == population and c.compartment == compartment]
            if not matches:
                raise ParameterError(f"currents: {key!r} has no CurrentInjection in the plan (declare it, e.g. "
                                     "with zero current, so that it can be replaced)")
            pop = self.plan.populations[population]
            replacement = CurrentInjection(population, compartment, waveforms)
            n_steps = int(round(float(self.plan.duration / self.plan.dt))) + 1
            waves = [replacement.waveform_of_unit(u, pop.n_units) for u in range(pop.n_units)]
            values[(population, compartment)] = sample_matrix(waves, pop.n_units, n_steps, self.plan.dt, key)
        return values

    def _gate_values(self, plasticity: dict | None) -> dict:
        """Gate values (0/1 per step) for replaced plasticity schedules, by projection."""
        from spiking.plan import PlasticitySchedule, check_plasticity_windows
        from spiking.plastic_build import gate_run_values

        values = {}
        for name, windows in (plasticity or {}).items():
            if name not in self.plan.projections or not self.plan.projections[name].plastic:
                raise ParameterError(f"plasticity: {name!r} is not a plastic projection of the plan; plastic: "
                                     f"{sorted(p for p, v in self.plan.projections.items() if v.plastic)}")
            schedule = PlasticitySchedule(name, check_plasticity_windows(name, windows))
            values[name] = gate_run_values(self.plan, name, schedule)
        return values

    def _gain_values(self, weight_gains: dict | None) -> dict:
        """Gain values per step for replaced weight gains, by projection."""
        from spiking.plan import WeightGain, check_weight_steps

        values = {}
        n_steps = int(round(float(self.plan.duration / self.plan.dt))) + 1
        for name, steps in (weight_gains or {}).items():
            if name not in self.plan.weight_gains:
                raise ParameterError(f"weight_gains: {name!r} has no weight gain in the plan (declare it with "
                                     f"NetworkPlan.modulate_weight); modulated: {sorted(self.plan.weight_gains)}")
            values[name] = WeightGain(name, check_weight_steps(name, steps)).values(n_steps, self.plan.dt)
        return values

    def run(self, overrides: dict[str, Any] | None = None, currents: dict | None = None,
            plasticity: dict | None = None, weight_gains: dict | None = None) -> SimulationResult:
        """Run the plan once.

        Parameters
        ----------
        overrides : dict, optional
            ``{"population.parameter": value, "projection.weight": value, "projection.U": value}``:
            run-time parameters (shared constants; no recompilation on standalone backends).
        currents : dict, optional
            ``{"population.compartment": waveform or list per unit}``: replaces a declared injected
            current for this run.
        plasticity : dict, optional
            ``{"projection": windows}``: when each plastic projection learns in this run (a
            sequence of (t_start, t_stop), or None for throughout); replaces the plan's schedule.
            The learning rate itself is an override (``"projection.eta"``).
        weight_gains : dict, optional
            ``{"projection": steps}``: replaces a declared weight gain (see
            :meth:`~spiking.plan.NetworkPlan.modulate_weight`) for this run.

        Returns
        -------
        SimulationResult
        """
        if self._session is None:
            raise ParameterError("Simulation.run must be called inside `with Simulation(plan) as sim:`")
        overrides = dict(overrides or {})
        current_values = self._current_values(currents)
        gate_values = self._gate_values(plasticity)
        gain_values = self._gain_values(weight_gains)
        session = self._session

        if self._built is None or not session.is_standalone:
            start = time.perf_counter()
            self._built = build_network(self.plan)
            build_python_s = time.perf_counter() - start
            views = self._built.parameter_views(overrides)
            for view, value in views.items():
                view[:] = value
            for (pop, comp), values in current_values.items():
                _replace_timed_arrays(self._built, pop, comp, values, self.plan.dt)
            for name, values in gate_values.items():
                gate = TimedArray(values, dt=self.plan.dt, name=self._built.plastic[name].gate.name)
                self._built.plastic[name].gate = gate
                self._built.namespace[gate.name] = gate
            for name, values in gain_values.items():
                gain = TimedArray(values, dt=self.plan.dt, name=self._built.weight_gains[name].name)
                self._built.weight_gains[name] = gain
                self._built.namespace[gain.name] = gain
            session.run(self._built.network, self.plan.duration, namespace=self._built.namespace, profile=self.profile)
            session.execute()
        else:
            build_python_s = 0.0
            run_args = dict(self._built.parameter_views(overrides))
            for (pop, comp), values in current_values.items():
                run_args.update(stimulus_run_values(self._built.stimuli[(pop, comp)], values))
            for name, values in gate_values.items():
                run_args[self._built.plastic[name].gate] = values
            for name, values in gain_values.items():
                run_args[self._built.weight_gains[name]] = values
            session.execute(run_args=run_args)
        timings = dict(session.timings)
        timings["construct_s"] = build_python_s
        result = self._collect(overrides, timings)
        if self.profile:
            result.profile = session.profile()
        return result

    def _collect(self, overrides: dict, timings: dict) -> SimulationResult:
        built, plan = self._built, self.plan
        readout = Readout.of(built)
        objects = {obj.name: obj for obj in built.network.objects}

        def read(owner: str, variable: str) -> np.ndarray:
            return np.array(getattr(objects[owner], variable + "_"))  # copies: Brian frees its arrays

        return SimulationResult(spikes=collect_spikes(plan, readout, read), states=collect_states(readout, read),
                                online=collect_online(plan, readout, read), overrides=overrides, timings_s=timings,
                                n_synapses=dict(built.n_synapses), weights=collect_weights(readout, read),
                                mean_weights=collect_mean_weights(readout, read),
                                event_rates=collect_event_rates(readout, read))


def _replace_timed_arrays(built: BuiltNetwork, population: str, compartment: str, values: np.ndarray,
                          dt) -> None:
    """Runtime backend: new TimedArrays (same names) with ``values`` (amp, n_steps x n_units)."""
    new = [TimedArray(value, dt=dt, name=old.name)
           for old, value in stimulus_run_values(built.stimuli[(population, compartment)], values).items()]
    built.stimuli[(population, compartment)] = new
    built.namespace.update({array.name: array for array in new})


def compile_project(plan: NetworkPlan, directory: str, backend: str = "cuda_standalone", compile: bool = True,
                    compute_capability: float = 9.0) -> dict:
    """Generate (and optionally compile) the standalone project of ``plan`` without running it.

    For ``cuda_standalone`` this needs no GPU: the project is generated for
    ``compute_capability`` (9.0 = H100/H200) and compiled with nvcc when ``compile`` is true.

    Returns
    -------
    dict
        ``directory`` and timings (``codegen_s`` or ``build_s``).

    Examples
    --------
    >>> info = compile_project(plan, "build/cuda_fig3", compile=False)  # doctest: +SKIP
    """
    backend = normalize_backend(backend)
    if backend == "runtime":
        raise ParameterError("compile_project needs a standalone backend ('cpp_standalone' or 'cuda_standalone')")
    options = {"compile_only": True, "compute_capability": compute_capability} if backend == "cuda_standalone" else {}
    with BackendSession(backend, dt=plan.dt, directory=directory, **options) as session:
        built = build_network(plan)
        session.run(built.network, plan.duration, namespace=built.namespace)
        session.compile(compile=compile)
        return {"directory": session.directory, **session.timings}
