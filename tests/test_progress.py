"""The progress display (spiking/progress.py): Brian's progress reports reach one callback on the
runtime and the standalone backends, and Simulation.run draws them as a tqdm bar."""

import threading
import time

import pytest
from brian2 import NeuronGroup, Network, Hz, ms, second

from spiking.backend import BackendSession
from spiking.figure_io import figure_arguments
from spiking.progress import PROGRESS_FILE, RunProgress, default_enabled, read_progress_file, set_default, \
    watch_progress_file


def _fractions_of(backend, tmp_path, duration):
    fractions = []
    directory = str(tmp_path / "build") if backend != "runtime" else None
    with BackendSession(backend, directory=directory) as session:
        group = NeuronGroup(20, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0", method="exact")
        session.run(Network(group), duration)
        session.execute(progress=fractions.append)
    return fractions


@pytest.mark.parametrize("backend", ["runtime", "cpp_standalone"])
def test_brian_reports_reach_the_progress_callback(backend, tmp_path):
    fractions = _fractions_of(backend, tmp_path, 2 * second)
    # Brian reports at the start and at the end of a run (and every second of wall time between):
    # the fractions rise to exactly 1
    assert fractions and fractions[-1] == pytest.approx(1.0, abs=1e-12)
    assert all(b >= a for a, b in zip(fractions, fractions[1:]))
    assert all(0.0 <= f <= 1.0 for f in fractions)


def test_progress_file_is_read_while_a_writer_updates_it(tmp_path):
    path = str(tmp_path / PROGRESS_FILE)
    assert read_progress_file(path) is None  # absent
    with open(path, "w") as handle:
        handle.write("0.5 1.0")  # partly written: fewer than four fields
    assert read_progress_file(path) is None
    seen = []

    def writer():
        for k in range(1, 5):
            with open(path, "w") as handle:
                handle.write(f"{k / 4} {k} 0 8\n")
            time.sleep(0.05)

    with watch_progress_file(path, seen.append, interval_s=0.01):
        thread = threading.Thread(target=writer)
        thread.start()
        thread.join()
    assert seen[-1] == 1.0 and len(seen) >= 2  # polled during the run, read once more at its end


def test_run_progress_never_goes_backwards_and_stops_at_one():
    bar = RunProgress("test", simulated_s=4.0, enabled=False)
    for value in (0.25, 0.1, 0.75, 1.4):
        bar.update(value)
    assert bar.completed == 1.0
    bar.close()


def test_simulation_draws_a_bar_and_the_figure_option_turns_it_off(capsys, monkeypatch):
    from brian2 import nS

    from models.pyramidal import PyramidalParameters
    from spiking.plan import IdentityPoisson, NetworkPlan, Population
    from spiking.simulation import Simulation

    plan = NetworkPlan(duration=200 * ms, seed=1)
    plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=5))
    plan.add_background(IdentityPoisson("pyr", "soma", "ampa", 500 * Hz, 0.3 * nS))
    with Simulation(plan) as sim:
        sim.run(progress=True)
    assert "s simulated" in capsys.readouterr().err
    with Simulation(plan) as sim:
        sim.run(progress=False)
    assert "s simulated" not in capsys.readouterr().err
    monkeypatch.setenv("SPIKING_PROGRESS", "1")
    try:
        assert default_enabled()
        figure_arguments("test").parse_args(["--no-progress"])
        assert not default_enabled()  # the option wins over the environment
    finally:
        set_default(None)
    monkeypatch.setenv("SPIKING_PROGRESS", "0")
    assert not default_enabled()
