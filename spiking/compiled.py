"""A compiled standalone project that any process can run, with no Brian device of its own.

The process that built the project (a :class:`~spiking.simulation.Simulation` on
``cpp_standalone`` or ``cuda_standalone``) exports a :class:`CompiledProject`: the project
folder, the command that runs the binary, the environment it needs and where each recorded
array lands in a results folder. It also turns run-time parameter values into the binary's
command-line arguments (:meth:`spiking.simulation.Simulation.command_line`). A worker then only
runs the binary into a results folder of its own and reads plain files, so many workers share
one build without colliding (each run has its own results folder; the project's
``static_arrays`` are only read).

Examples
--------
>>> from brian2 import ms, pA
>>> from models.pyramidal import PyramidalParameters
>>> from spiking.plan import NetworkPlan, Population, CurrentInjection
>>> from spiking.simulation import Simulation
>>> from spiking.stimuli import Constant
>>> plan = NetworkPlan(duration=50 * ms, seed=1)
>>> plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=10))
>>> plan.add_current(CurrentInjection("pyr", "soma", Constant(0 * pA)))
>>> plan.record_spikes("pyr")
>>> with Simulation(plan, backend="cpp_standalone", directory="build/example") as sim:  # doctest: +SKIP
...     project = sim.compiled_project()
...     arguments = sim.command_line(currents={"pyr.soma": Constant(700 * pA)})
>>> result = project.run(arguments)  # doctest: +SKIP
>>> len(result.spikes["pyr"]) > 0  # doctest: +SKIP
True
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np

from spiking.errors import SimulationError
from spiking.plan import NetworkPlan
from spiking.result import SimulationResult
from spiking.readout import ArrayFile, Readout, collect_event_rates, collect_mean_weights, collect_online, collect_spikes, collect_states, collect_weights

__all__ = ["ArrayFile", "CompiledProject"]


@dataclasses.dataclass(frozen=True)
class CompiledProject:
    """A compiled standalone project, runnable from any process that sees its folder.

    Attributes
    ----------
    directory : str
        Project folder (holds the binary ``main`` and ``static_arrays/``).
    backend : str
        ``"cpp_standalone"`` or ``"cuda_standalone"``.
    plan : NetworkPlan
        The plan it was built from.
    readout : Readout
        Names of the recording objects.
    arrays : dict
        ``(owner name, variable) -> ArrayFile``.
    command : tuple of str
        Command that runs the binary, relative to ``directory``.
    environment : dict
        Environment variables the binary needs (from Brian's preferences and device).
    n_synapses : dict
        Synapses of each projection.
    """

    directory: str
    backend: str
    plan: NetworkPlan
    readout: Readout
    arrays: dict
    command: tuple
    environment: dict
    n_synapses: dict

    def run(self, arguments: tuple[str, ...] | list[str] = (), results_directory: str | None = None,
            keep_results: bool = False, timeout_s: float | None = None):
        """Run the binary once and collect its recordings.

        Parameters
        ----------
        arguments : sequence of str
            Run-time values, as made by :meth:`Simulation.command_line`.
        results_directory : str, optional
            Folder for the raw output files; a fresh temporary folder when omitted (deleted
            afterwards unless ``keep_results``).
        keep_results : bool
            Keep the raw files of a temporary results folder.
        timeout_s : float, optional
            Kill the binary after this many seconds.

        Returns
        -------
        SimulationResult
        """
        binary = os.path.join(self.directory, "main")
        if not os.path.exists(binary):
            raise SimulationError(f"no compiled binary in {self.directory!r}: the project was not built "
                                  "(or its folder is not shared with this machine)")
        temporary = results_directory is None
        results = tempfile.mkdtemp(prefix="spiking-results-") if temporary else os.path.abspath(results_directory)
        os.makedirs(results, exist_ok=True)
        try:
            env = dict(os.environ)
            env.update(self.environment)
            start = time.perf_counter()
            with open(os.path.join(results, "stdout.txt"), "w") as stdout:
                try:
                    code = subprocess.call(list(self.command) + ["--results_dir", os.path.join(results, "")]
                                           + list(arguments), cwd=self.directory, env=env, stdout=stdout,
                                           stderr=subprocess.STDOUT, timeout=timeout_s)
                except subprocess.TimeoutExpired as err:
                    raise SimulationError(f"the binary ran longer than timeout_s={timeout_s} s") from err
            run_s = time.perf_counter() - start
            if code != 0:
                with open(os.path.join(results, "stdout.txt")) as handle:
                    tail = handle.read()[-2000:]
                raise SimulationError(f"the compiled project in {self.directory!r} exited with status {code}:\n{tail}")

            def read(owner: str, variable: str) -> np.ndarray:
                spec = self.arrays[(owner, variable)]
                data = np.fromfile(os.path.join(results, spec.filename), dtype=spec.dtype)
                if spec.columns is not None:
                    return data.reshape(-1, spec.columns).T if spec.columns else np.zeros((0, len(data)))
                return data

            plan, readout = self.plan, self.readout
            return SimulationResult(spikes=collect_spikes(plan, readout, read), states=collect_states(readout, read),
                                    online=collect_online(plan, readout, read), overrides={},
                                    timings_s={"run_s": run_s}, n_synapses=dict(self.n_synapses),
                                    weights=collect_weights(readout, read), mean_weights=collect_mean_weights(readout, read),
                                event_rates=collect_event_rates(readout, read))
        finally:
            if temporary and not keep_results:
                shutil.rmtree(results, ignore_errors=True)
