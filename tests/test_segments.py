"""Running a plan segment by segment (spiking/state.py, Simulation's prologue, run seed and
initial state): a continued run is the same dynamics as one long run, and states are checked."""

import numpy as np
import pytest
from brian2 import ms, pA

from models.pyramidal import PyramidalParameters
from spiking.errors import ParameterError
from spiking.plan import CurrentInjection, NetworkPlan, Population
from spiking.simulation import Simulation
from spiking.state import NetworkState
from spiking.stimuli import Constant


def _plan(duration) -> NetworkPlan:
    plan = NetworkPlan(duration=duration, seed=4)
    plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=5))
    plan.add_current(CurrentInjection("pyr", "soma", Constant(500 * pA)))
    plan.add_current(CurrentInjection("pyr", "dendrite", Constant(200 * pA)))
    plan.record_spikes("pyr")
    return plan


def test_state_round_trip_and_time_shift(tmp_path):
    state = NetworkState({"g.v": np.array([-0.07, -0.06]), "g.t_last": np.array([0.25, -1e4])}, time_s=0.3,
                         time_variables=("g.t_last",), metadata={"segment": 2})
    path = str(tmp_path / "state.npz")
    state.save(path)
    loaded = NetworkState.load(path)
    assert loaded.metadata == {"segment": 2} and loaded.time_s == 0.3
    for key in state.values:
        np.testing.assert_array_equal(loaded.values[key], state.values[key])  # exact: binary float64
    shifted = loaded.shifted_values(t_start_s=0.1)
    np.testing.assert_allclose(shifted["g.t_last"], [0.05, -1e4 - 0.2], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(shifted["g.v"], state.values["g.v"])  # not a time: unchanged
    with pytest.raises(ParameterError, match="does not belong"):
        state.check_matches({"g.v": 2})
    with pytest.raises(ParameterError, match=r"has 2 values; this network has 3"):
        state.check_matches({"g.v": 3, "g.t_last": 2})


def test_bad_segment_arguments_are_named():
    with pytest.raises(ParameterError, match="prologue"):
        Simulation(_plan(60 * ms), prologue=60 * ms)
    with pytest.raises(ParameterError, match="prologue"):
        Simulation(_plan(60 * ms), prologue=20.05 * ms)
    with Simulation(_plan(60 * ms)) as sim:
        with pytest.raises(ParameterError, match="skip_prologue"):
            sim.run(skip_prologue=True)
        with pytest.raises(ParameterError, match=r"seed must be an integer in \[0, 2\*\*31\)"):
            sim.run(seed=-1)
        with pytest.raises(ParameterError, match="initial_state must be a NetworkState"):
            sim.run(initial_state={"pyr.v_s": 0})


@pytest.mark.parametrize("backend", ["runtime", pytest.param("cpp_standalone", marks=pytest.mark.slow)])
def test_continuing_from_a_state_equals_one_longer_run(backend):
    """Deterministic drive (constant currents, no noise): [0, 60) ms, then the state at 60 ms
    continued with the 20 ms prologue skipped ([20, 60) ms of the build's timeline), gives the
    spikes of [60, 100) ms of one 100 ms run, 40 ms later."""
    with Simulation(_plan(60 * ms), backend=backend, prologue=20 * ms) as sim:
        first = sim.run(capture_state=True)
        continued = sim.run(initial_state=first.final_state, skip_prologue=True)
    with Simulation(_plan(100 * ms), backend=backend) as sim:
        long = sim.run()
    spikes = continued.spikes["pyr"]
    assert spikes.times_s.size > 5 and float(spikes.times_s.min()) >= 0.020  # the run starts at the prologue's end
    reference = long.spikes["pyr"]
    late = reference.times_s >= 0.060
    # same arithmetic step by step: equal to round-off in the shifted times (40 ms added to t)
    np.testing.assert_allclose(np.sort(spikes.times_s + 0.040), np.sort(reference.times_s[late]), rtol=0, atol=1e-9)
    assert sorted(spikes.indices.tolist()) == sorted(reference.indices[late].tolist())
    # a time variable was moved: the state's "last spike" times lie before the new start
    state = first.final_state
    assert state.time_variables and all(key in state.values for key in state.time_variables)
