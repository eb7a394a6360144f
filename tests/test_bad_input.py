"""Bad input fails with a clear error naming the parameter, before any Brian object exists."""

import dataclasses

import pytest
from brian2 import mV, ms, nA, nS, pA, pF

from models.pyramidal import PyramidalParameters, make_pyramidal_group
from spiking.backend import BackendSession, normalize_backend
from spiking.current_clamp import CurrentClamp, current_clamp
from spiking.errors import BackendError, ParameterError
from spiking.stimuli import DoubleExponential, Step


@pytest.mark.parametrize("changes, names", [
    ({"C_s": -370 * pF}, ["C_s", "> 0"]),
    ({"C_d": 0 * pF}, ["C_d", "> 0"]),
    ({"tau_s": 0 * ms}, ["tau_s", "> 0"]),
    ({"tau_d": -7 * ms}, ["tau_d", "> 0"]),
    ({"tau_wd": 0 * ms}, ["tau_wd", "> 0"]),
    ({"g_s": 1300 * nS}, ["g_s", "amp"]),
    ({"g_d": 1.2}, ["g_d", "amp"]),
    ({"E_L": -70 * ms}, ["E_L", "volt"]),
    ({"b_ws": 200 * pA}, ["b_ws", "<= 0"]),
    ({"spike_rule": "adaptive_exponential"}, ["spike_rule", "moving_threshold", "fixed_threshold"]),
    ({"dendritic_driving_force": "axon"}, ["dendritic_driving_force", "soma", "dendrite"]),
    ({"spike_rule": "fixed_threshold", "v_threshold": -75 * mV}, ["v_threshold", "v_reset"]),
])
def test_bad_parameters_name_the_field(changes, names, forbid_brian_objects):
    with pytest.raises(ParameterError) as err:
        PyramidalParameters(**changes)
    for name in names:
        assert name in str(err.value)
    with pytest.raises(ParameterError):
        PyramidalParameters().replace(**changes)


def test_unknown_parameter_in_replace():
    with pytest.raises(ParameterError, match="no parameter.*'g_x'"):
        PyramidalParameters().replace(g_x=1 * pA)


def test_parameter_sets_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PyramidalParameters().g_d = 1400 * pA


@pytest.mark.parametrize("dt", [0.6 * ms, 1 * ms, 0 * ms, -0.1 * ms, 0.1 * mV])
def test_dt_out_of_range_is_rejected_before_code_generation(dt, forbid_brian_objects):
    with pytest.raises(ParameterError, match="dt"):
        current_clamp(PyramidalParameters(), 10 * ms, soma=Step(1 * nA, 1 * ms, 1 * ms), dt=dt)


def test_bad_clamp_arguments(forbid_brian_objects):
    params = PyramidalParameters()
    with pytest.raises(ParameterError, match="n_cells"):
        CurrentClamp(params, 0, 10 * ms)
    with pytest.raises(ParameterError, match="duration"):
        CurrentClamp(params, 1, 10 * pA)
    with pytest.raises(ParameterError, match="record.*theta"):
        CurrentClamp(params.replace(spike_rule="fixed_threshold"), 1, 10 * ms, record=("theta",))
    with pytest.raises(ParameterError, match="backend"):
        CurrentClamp(params, 1, 10 * ms, backend="gpu_magic")
    with pytest.raises(ParameterError, match="2 cells|3 waveforms"):
        current_clamp(params, 10 * ms, n_cells=2, soma=[None, None, None])


def test_bad_stimuli():
    with pytest.raises(ParameterError, match="amplitude"):
        Step(1 * mV, 0 * ms, 1 * ms)
    with pytest.raises(ParameterError, match="duration"):
        Step(1 * nA, 0 * ms, -1 * ms)
    with pytest.raises(ParameterError, match="tau_decay"):
        DoubleExponential(1 * nA, 0 * ms, 5 * ms, 1 * ms)


def test_backend_names():
    assert normalize_backend("cpp") == "cpp_standalone"
    with pytest.raises(ParameterError, match="runtime.*cpp_standalone.*cuda_standalone"):
        normalize_backend("fortran")


def test_group_size_checked(forbid_brian_objects):
    with pytest.raises(ParameterError, match="n_neurons"):
        make_pyramidal_group(-1, PyramidalParameters())


def test_cuda_without_brian2cuda_says_what_to_use(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "brian2cuda", None)  # as if not installed
    with pytest.raises(BackendError, match="brian2cuda.*cpp_standalone"):
        with BackendSession("cuda"):
            pass


def test_cuda_without_gpu_says_what_is_missing_and_what_to_use():
    from conftest import _gpu_available

    pytest.importorskip("brian2cuda", reason="brian2cuda is not installed")
    if _gpu_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(BackendError, match="NVIDIA GPU.*cpp_standalone.*compile_only"):
        with BackendSession("cuda"):
            pass
    with pytest.raises(ParameterError, match="compile_only is a cuda_standalone option"):
        BackendSession("cpp_standalone", compile_only=True)


def test_sessions_cannot_nest():
    with BackendSession("runtime"):
        with pytest.raises(BackendError, match="another BackendSession"):
            BackendSession("runtime").__enter__()


def test_bad_fidelity_options_name_the_option_and_its_choices(forbid_brian_objects):
    # the options added with the reference-fidelity work fail at once, naming the allowed values
    from brian2 import Hz, second

    from spiking.experiments.circuits import add_sparse_background
    from models.interneurons import PV_PAYEUR
    from spiking.plan import IdentityPoisson, NetworkPlan, Population

    with pytest.raises(ParameterError, match="arrivals must be one of .*per_step.*poisson"):
        IdentityPoisson("pyr", "soma", "ampa", 500 * Hz, 1 * nS, arrivals="bernoulli")
    with pytest.raises(ParameterError, match="spike_current.*fast_exp.*exp"):
        PV_PAYEUR.replace(spike_current="approximate")
    with pytest.raises(ParameterError, match="v_min < E_L < v_max"):
        PV_PAYEUR.replace(v_min=-60 * mV)
    plan = NetworkPlan(duration=1 * second)
    plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=4))
    with pytest.raises(ParameterError, match="rule must be one of .*trace.*isi"):
        plan.detect_bursts("pyr", rule="last_isi")
    plan.add_background(IdentityPoisson("pyr", "soma", "ampa", 500 * Hz, 1 * nS))
    with pytest.raises(ParameterError, match="must all use the same arrivals"):
        plan.add_background(IdentityPoisson("pyr", "soma", "gaba", 500 * Hz, 1 * nS, arrivals="poisson"))
    with pytest.raises(ParameterError, match="rate\\*dt per step must be < 1"):
        plan.add_background(IdentityPoisson("pyr", "dendrite", "ampa", 20000 * Hz, 1 * nS))
    with pytest.raises(ParameterError, match="connectivity must be 'pairwise' or 'in_degree'"):
        add_sparse_background(plan, "pyr", {"soma": (0.1, 0.1)}, connectivity="fixed")
