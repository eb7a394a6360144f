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

import glob
import os
import time
from typing import Any

import numpy as np
from brian2 import Quantity, TimedArray, second

from spiking.backend import BackendSession, normalize_backend
from spiking.build import BuiltNetwork, build_network, stimulus_run_values
from spiking.errors import ParameterError
from spiking.parameters import check_quantity
from spiking.plan import CurrentInjection, NetworkPlan
from spiking.progress import REPORT_PERIOD_S, RunProgress, default_enabled
from spiking.result import SimulationResult
from spiking.state import NetworkState, state_variables
from spiking.readout import Readout, collect_event_rates, collect_mean_weights, collect_online, collect_spikes, collect_states, collect_weights
from spiking.stimuli import sample_matrix

__all__ = ["Simulation", "SimulationResult", "compile_project"]


#: Name of the one-neuron group that carries a run's control values (seed, prologue skip).
RUN_CONTROL = "run_control"


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
    prologue : Quantity, optional
        The first ``prologue`` of the plan's timeline (a burn-in, say) is a run of its own that
        :meth:`run` can skip (``skip_prologue=True``: the run then starts at ``t = prologue``).
        With ``initial_state`` this continues a simulation segment by segment with one build.
    """

    def __init__(self, plan: NetworkPlan, backend: str = "runtime", profile: bool = False,
                 directory: str | None = None, prologue: Quantity | None = None) -> None:
        self.profile = bool(profile)
        self.directory = directory
        if not isinstance(plan, NetworkPlan):
            raise ParameterError(f"plan must be a NetworkPlan; got {type(plan).__name__}")
        if prologue is not None:
            check_quantity("prologue", prologue, second, "positive", owner="Simulation")
            steps = float(prologue / plan.dt)
            if abs(steps - round(steps)) > 1e-6 or not prologue < plan.duration:
                raise ParameterError(f"Simulation: prologue must be a whole number of time steps (dt = {plan.dt}) "
                                     f"shorter than the plan's duration ({plan.duration}); got {prologue}")
        self.prologue = prologue
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
            start = time.perf_counter()
            self._built = build_network(self.plan)
            self._construct_s = time.perf_counter() - start
            self._record_runs()
            self._session.compile()
        return self._session.timings.get("build_s", 0.0)

    def _record_runs(self) -> None:
        record_network_run(self._built, self._session, self.plan, self.prologue, self.profile)

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
            plasticity: dict | None = None, weight_gains: dict | None = None, teaching: dict | None = None,
            initial_state: NetworkState | None = None, seed: int | None = None, skip_prologue: bool = False,
            capture_state: bool = False, progress: bool | None = None) -> SimulationResult:
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
            sequence of (t_start, t_stop), empty for never, or None for throughout); replaces the
            plan's schedule. The learning rate itself is an override (``"projection.eta"``).
        weight_gains : dict, optional
            ``{"projection": steps}``: replaces a declared weight gain (see
            :meth:`~spiking.plan.NetworkPlan.modulate_weight`) for this run.
        teaching : dict, optional
            ``{"projection": windows}``: replaces a declared teaching current's windows
            (``(t_start, t_stop, target)``; empty: no teaching in this run).
        initial_state : NetworkState, optional
            Start from this state (the ``final_state`` of an earlier run of the same build)
            instead of the plan's initial values; its absolute times are moved to this run's start.
        seed : int, optional
            Seed of the random numbers of this run (0 <= seed < 2**31); the plan's seed when omitted.
            Connectivity and initial values always come from the plan's seed.
        skip_prologue : bool
            Start at ``t = prologue`` (see the class parameter ``prologue``).
        capture_state : bool
            Return every state variable at the end of the run (``result.final_state``).
        progress : bool, optional
            Show a bar of the simulated time on stderr while the run goes (Brian's progress
            reports; :mod:`spiking.progress`). Default: :func:`spiking.progress.default_enabled`
            (on when stderr is a terminal).

        Returns
        -------
        SimulationResult

        Examples
        --------
        Two runs of 100 ms equal one of 200 ms up to the random numbers (a sketch)::

            with Simulation(plan, "cpp_standalone") as sim:
                first = sim.run(capture_state=True, seed=1)
                second = sim.run(initial_state=first.final_state, seed=2)
        """
        if self._session is None:
            raise ParameterError("Simulation.run must be called inside `with Simulation(plan) as sim:`")
        overrides = dict(overrides or {})
        current_values = self._current_values(currents)
        gate_values = self._gate_values(plasticity)
        gain_values = self._gain_values(weight_gains)
        teaching_values = self._teaching_values(teaching)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                                 or not 0 <= seed < 2 ** 31):
            raise ParameterError(f"seed must be an integer in [0, 2**31); got {seed!r}")
        if skip_prologue and self.prologue is None:
            raise ParameterError("skip_prologue=True needs a Simulation made with a prologue")
        if initial_state is not None and not isinstance(initial_state, NetworkState):
            raise ParameterError(f"initial_state must be a NetworkState; got {type(initial_state).__name__}")
        t_start_s = float(self.prologue) if skip_prologue else 0.0
        session = self._session
        bar = RunProgress(f"simulating ({session.backend})", float(self.plan.duration) - t_start_s,
                          enabled=default_enabled() if progress is None else bool(progress))
        try:
            result = self._run(session, overrides, current_values, gate_values, gain_values, teaching_values,
                               initial_state, seed, skip_prologue, t_start_s, bar.update)
        finally:
            bar.close()
        if capture_state:
            result.final_state = self._capture_state()
        if self.profile:
            result.profile = session.profile()
        return result

    def _run(self, session, overrides, current_values, gate_values, gain_values, teaching_values, initial_state,
             seed, skip_prologue, t_start_s, progress) -> SimulationResult:
        """The run itself (see :meth:`run`), reporting the completed fraction to ``progress``."""
        if not session.is_standalone:
            start = time.perf_counter()
            self._built = build_network(self.plan)
            build_python_s = time.perf_counter() - start
            if seed is not None:
                from brian2 import seed as brian_seed
                brian_seed(int(seed))
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
            for name, arrays in teaching_values.items():
                for old, values in zip(self._built.plastic[name].teaching, arrays):
                    self._built.namespace[old.name] = TimedArray(values, dt=self.plan.dt, name=old.name)
            if initial_state is not None:
                for (obj, name, _), value in self._state_values(initial_state, t_start_s):
                    obj.variables[name].set_value(value)
            network = self._built.network
            if skip_prologue:
                network.t_ = float(self.prologue)
            session.run(network, self.plan.duration - (self.prologue if skip_prologue else 0 * second),
                        namespace=self._built.namespace, profile=self.profile)
            session.execute(progress=progress)
        else:
            self.build()
            build_python_s = getattr(self, "_construct_s", 0.0)
            self._construct_s = 0.0  # reported once, with the build
            run_args = dict(self._built.parameter_views(overrides))
            for (pop, comp), values in current_values.items():
                run_args.update(stimulus_run_values(self._built.stimuli[(pop, comp)], values))
            for name, values in gate_values.items():
                run_args[self._built.plastic[name].gate] = values
            for name, values in gain_values.items():
                run_args[self._built.weight_gains[name]] = values
            for name, arrays in teaching_values.items():
                run_args.update(dict(zip(self._built.plastic[name].teaching, arrays)))
            control = self._control_group()
            if seed is not None:
                run_args[control.run_seed] = int(seed)
            if skip_prologue:
                run_args[control.skip_prologue] = 1
            if initial_state is not None:
                for (obj, name, _), value in self._state_values(initial_state, t_start_s):
                    run_args[getattr(obj, name)] = Quantity(value, dim=obj.variables[name].dim)
            existing = _run_arg_files(session.directory)
            session.execute(run_args=run_args, progress=progress)
            for path in _run_arg_files(session.directory) - existing:
                os.remove(path)
        timings = dict(session.timings)
        timings["construct_s"] = build_python_s
        return self._collect(overrides, timings)

    def _control_group(self):
        return next(obj for obj in self._built.network.objects if obj.name == RUN_CONTROL)

    def _state_values(self, state: NetworkState, t_start_s: float) -> list:
        """``((object, variable, is_time), SI values)`` of ``state`` for a run from ``t_start_s``,
        after checking that it belongs to this network."""
        variables = state_variables(self._built.network, exclude=(RUN_CONTROL,))
        sizes = {}
        for obj, name, _ in variables:
            var = obj.variables[name]
            sizes[f"{obj.name}.{name}"] = (self._built.n_synapses.get(obj.name) if getattr(var, "dynamic", False)
                                           else var.size)
        state.check_matches(sizes)
        values = state.shifted_values(t_start_s)
        return [((obj, name, is_time), values[f"{obj.name}.{name}"]) for obj, name, is_time in variables]

    def _capture_state(self) -> NetworkState:
        variables = state_variables(self._built.network, exclude=(RUN_CONTROL,))
        values = {f"{obj.name}.{name}": np.array(obj.variables[name].get_value()) for obj, name, _ in variables}
        return NetworkState(values=values, time_s=float(self.plan.duration),
                            time_variables=tuple(f"{obj.name}.{name}" for obj, name, is_time in variables if is_time))

    def _teaching_values(self, teaching: dict | None) -> dict:
        """New (window open, target) values per step for replaced teaching windows, by projection."""
        from spiking.plan import TeachingCurrent, check_teaching_windows

        values = {}
        n_steps = int(round(float(self.plan.duration / self.plan.dt))) + 1
        for name, windows in (teaching or {}).items():
            declared = self.plan.teaching_currents.get(name)
            if declared is None:
                raise ParameterError(f"teaching: {name!r} has no teaching current in the plan (declare it with "
                                     "NetworkPlan.add_teaching_current)")
            checked = check_teaching_windows(name, windows) if len(windows) else ()
            values[name] = TeachingCurrent(name, checked, declared.amplitude, declared.tolerance).values(
                n_steps, self.plan.dt)
        return values

    def _collect(self, overrides: dict, timings: dict) -> SimulationResult:
        built, plan = self._built, self.plan
        readout = Readout.of(built)
        objects = {obj.name: obj for obj in built.network.objects}

        two_d = {(owner, var) for owner, var, kind in readout.arrays() if kind == "monitor2d"}

        def read(owner: str, variable: str) -> np.ndarray:
            if self._session.is_standalone and (owner, variable) in two_d:
                # from the file: Brian expects as many samples as the build-time run recorded,
                # which a run that skips its prologue does not
                from brian2 import device
                from spiking.backend import array_file_of

                spec = array_file_of(objects[owner].variables[variable], "monitor2d")
                data = np.fromfile(os.path.join(device.results_dir, spec.filename), dtype=spec.dtype)
                return data.reshape(-1, spec.columns).T if spec.columns else np.zeros((0, len(data)))
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
                    compute_capability: float = 9.0, prologue: Quantity | None = None) -> dict:
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

    ``prologue``: as :class:`Simulation`'s (a run-time skippable start of the timeline).
    """
    backend = normalize_backend(backend)
    if backend == "runtime":
        raise ParameterError("compile_project needs a standalone backend ('cpp_standalone' or 'cuda_standalone')")
    options = {"compile_only": True, "compute_capability": compute_capability} if backend == "cuda_standalone" else {}
    with BackendSession(backend, dt=plan.dt, directory=directory, **options) as session:
        built = build_network(plan)
        record_network_run(built, session, plan, prologue)
        session.compile(compile=compile)
        return {"directory": session.directory, **session.timings}


def record_network_run(built: BuiltNetwork, session: BackendSession, plan: NetworkPlan, prologue=None,
                       profile: bool = False) -> None:
    """Standalone: add the run-control group (:data:`RUN_CONTROL`) and record the network run.

    In the generated ``main``: the run-time values (``run_args``) are applied after every group,
    synapse and initial value exists; then the random generators are re-seeded when a run seed
    is given (``run_control.run_seed >= 0``); then the network runs the plan's timeline, or,
    when ``run_control.skip_prologue`` is set, the rest of it from ``t = prologue``.
    """
    from brian2 import NeuronGroup, device, prefs

    control = NeuronGroup(1, "run_seed : integer (shared)\nskip_prologue : integer (shared)", name=RUN_CONTROL)
    control.run_seed = -1
    control.skip_prologue = 0
    built.network.add(control)
    seed_array = "brian::" + device.get_array_name(control.variables["run_seed"])
    skip_array = "brian::" + device.get_array_name(control.variables["skip_prologue"])
    device.apply_run_args()
    if session.backend == "cuda_standalone":
        reseed = f"random_number_buffer.set_seed((unsigned long long) {seed_array}[0]);"
    else:
        threads = max(1, int(prefs.devices.cpp_standalone.openmp_threads))
        reseed = (f"for (int _i = 0; _i < {threads}; _i++) "
                  f"brian::_random_generators[_i].seed((unsigned long) {seed_array}[0] + _i);")
    device.insert_code("main", f"if ({seed_array}[0] >= 0) {{ {reseed} }}")
    if prologue is not None:
        # one network run with one set of code objects (a second Brian run would generate and
        # compile every code object again): skipping starts the network at the prologue's end
        rest = float(plan.duration - prologue)
        net = built.network.name
        device.insert_code("before_network_run", f"if ({skip_array}[0] != 0) {{ brian::{net}.t = "
                                                 f"{float(prologue)!r}; brian::{net}.run({rest!r}, report_progress, {REPORT_PERIOD_S!r}); "
                                                 "} else {")
        device.insert_code("after_network_run", "}")
    session.run(built.network, plan.duration, namespace=built.namespace, profile=profile)


def _run_arg_files(directory: str) -> set:
    """The array files of run-time values in a project's ``static_arrays`` (``init_*.dat``,
    named by content). A run deletes the ones it wrote: a long series of runs with new initial
    states would otherwise fill the disk. Files that existed before (those of
    :meth:`Simulation.command_line`, which other processes use) are kept."""
    return set(glob.glob(os.path.join(directory, "static_arrays", "init_*.dat*")))  # with their .lock files
