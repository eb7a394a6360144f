"""runtime and cpp_standalone give identical spikes on the same deterministic stimuli, and a
standalone rig reruns with new stimuli without recompiling."""

import numpy as np
import pytest
from brian2 import Hz, ms, nA, nS, pA
from brian2 import second as s_unit

from models.pyramidal import PyramidalParameters
from spiking.current_clamp import CurrentClamp
from spiking.stimuli import Constant, DoubleExponential, PulseTrain, Step

N_CELLS = 6
DURATION = 200 * ms


def _stimuli(scale):
    """A BAC pair, a DC soma, a strong EPSC alone, a 100 Hz bAP train (critical frequency),
    a dendritic DC with somatic drive, and an idle cell; ``scale`` varies the amplitudes."""
    soma = [Step(1.9 * nA, 50 * ms, 5 * ms), Constant(scale * 600 * pA), None,
            PulseTrain(4 * nA, 50 * ms, 2 * ms, 100 * Hz, 4), Constant(scale * 500 * pA), None]
    dend = [DoubleExponential(scale * 1.2 * nA, 55 * ms, 0.5 * ms, 5 * ms), None,
            DoubleExponential(scale * 2 * nA, 80 * ms, 0.5 * ms, 5 * ms), None, Constant(scale * 150 * pA), None]
    return soma, dend


def _run(backend, scales):
    records = []
    with CurrentClamp(PyramidalParameters(), N_CELLS, DURATION, backend=backend, record=("v_s", "v_d"),
                      name="consistency") as clamp:
        for scale in scales:
            soma, dend = _stimuli(scale)
            records.append(clamp.run(soma=soma, dendrite=dend))
            records[-1].timings = clamp.timings
    return records


@pytest.mark.standalone
def test_runtime_and_cpp_standalone_give_identical_spikes():
    scales = (1.0, 0.8)
    runtime = _run("runtime", scales)
    standalone = _run("cpp_standalone", scales)
    for rt, sa in zip(runtime, standalone):
        assert sum(len(s) for s in rt.spike_times_s) >= 8  # the stimuli really make the cells fire
        for a, b in zip(rt.spike_times_s, sa.spike_times_s):
            # the same double-precision arithmetic on the same grid: identical spike steps
            np.testing.assert_array_equal(np.round(a / 1e-4), np.round(b / 1e-4))
        # voltages agree to rounding (numpy vs C++ libm differ in the last bits of exp)
        np.testing.assert_allclose(rt["v_s"], sa["v_s"], atol=1e-9)
        np.testing.assert_allclose(rt["v_d"], sa["v_d"], atol=1e-9)
    # the two standalone runs differ (new stimuli took effect) ...
    assert [len(s) for s in standalone[0].spike_times_s] != [len(s) for s in standalone[1].spike_times_s]
    # ... and the second reused the binary: it was built once, in the first run
    assert "build_s" in standalone[0].timings
    assert standalone[1].timings["build_s"] == standalone[0].timings["build_s"]


def _network_plan():
    """A 2-unit network with interneurons, STP, event/burst-only transmission, the online
    detector and injected currents, driven only by precomputed inputs (no device RNG)."""
    from brian2 import nS, second

    from models.interneurons import PV_PAYEUR, SST_PAYEUR
    from models.synapses import STD_PAYEUR, STF_PAYEUR
    from spiking.plan import CurrentInjection, NetworkPlan, Population, Projection, SpikeTrainSource
    from spiking.stimuli import Sine

    rng = np.random.default_rng(42)
    n_inputs, duration = 50, 0.3
    steps = rng.integers(0, int(duration / 1e-4), 2000)
    inputs = rng.integers(0, n_inputs, steps.size)
    _, unique = np.unique(steps * n_inputs + inputs, return_index=True)  # one spike per input and step
    times, inputs = steps[unique] * 1e-4, inputs[unique]
    plan = NetworkPlan(duration=duration * second, seed=5)
    plan.add_population(SpikeTrainSource("inputs", n_inputs, inputs, times * second))
    plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=40, n_units=2))
    plan.add_population(Population("sst", SST_PAYEUR, n_per_unit=8, n_units=2))
    plan.add_population(Population("pv", PV_PAYEUR, n_per_unit=8))
    plan.add_projection(Projection("in_soma", "inputs", "pyr", "soma", "ampa", "in_degree", weight=3 * nS,
                                   in_degree=10))
    plan.add_projection(Projection("in_dend", "inputs", "pyr", "dendrite", "ampa", "pairwise", weight=2 * nS, p=0.2))
    plan.add_projection(Projection("pyr_sst", "pyr", "sst", "soma", "ampa", "pairwise", weight=2 * nS, p=0.3,
                                   stp=STF_PAYEUR))
    plan.add_projection(Projection("sst_pyr", "sst", "pyr", "dendrite", "gaba", "all_to_all", weight=0.3 * nS))
    plan.add_projection(Projection("pyr_pv", "pyr", "pv", "soma", "ampa", "pairwise", weight=1 * nS, p=0.3,
                                   stp=STD_PAYEUR, transmit="events"))
    plan.add_projection(Projection("pv_pyr", "pv", "pyr", "soma", "gaba", "pairwise", weight=1 * nS, p=0.3))
    plan.add_projection(Projection("burst_fb", "pyr", "pyr", "dendrite", "ampa", "pairwise", weight=1 * nS, p=0.1,
                                   transmit="bursts", unit_mapping="all"))
    # burst-dependent plasticity between the two units (two source units per target: two
    # mean-weight accumulators), with homeostasis
    from models.plasticity import BurstDependentPlasticity
    plan.add_projection(Projection("learn", "pyr", "pyr", "soma", "ampa", "pairwise", weight=0.5 * nS, p=0.1,
                                   unit_mapping="all", plasticity=BurstDependentPlasticity(
                                       eta=0.05 * nS, w_max=2 * nS, tau_avg=0.2 * second, e_min=5 * Hz, e_max=20 * Hz)))
    plan.record_weights("learn", n_sample=60)
    plan.record_mean_weights("learn", 50 * ms)
    plan.add_current(CurrentInjection("pyr", "dendrite", [Sine(0 * pA, 200 * pA, 5 * Hz), Constant(250 * pA)]))
    plan.add_current(CurrentInjection("pyr", "soma", Constant(100 * pA)))
    for name in ("pyr", "sst", "pv"):
        plan.record_spikes(name)
    plan.record_states("pyr", ["v_d"], [0, 45], dt=1 * ms)
    plan.detect_bursts("pyr", bin_width=50 * ms)
    return plan


@pytest.mark.standalone
def test_network_identical_on_runtime_and_cpp_standalone_and_reruns_without_rebuild():
    from spiking.decoding import unit_rates
    from spiking.simulation import Simulation

    plan = _network_plan()
    results = {}
    for backend in ("runtime", "cpp_standalone"):
        with Simulation(plan, backend=backend) as sim:
            first = sim.run()
            rerun = sim.run(overrides={"pyr.g_d": 1400 * pA, "sst_pyr.weight": 0 * nS, "pyr_sst.U": 0.05,
                                        "learn.eta": 0.1 * nS},
                             currents={"pyr.soma": Constant(150 * pA)}, plasticity={"learn": [(0.1 * s_unit, 0.2 * s_unit)]})
        results[backend] = (first, rerun)
    for k in range(2):
        rt, sa = results["runtime"][k], results["cpp_standalone"][k]
        for name in ("pyr", "sst", "pv"):
            assert len(rt.spikes[name]) > 20
            # same precomputed inputs and double precision: the same spikes, step for step
            np.testing.assert_array_equal(rt.spikes[name].indices, sa.spikes[name].indices)
            np.testing.assert_array_equal(np.round(rt.spikes[name].times_s / 1e-4), np.round(sa.spikes[name].times_s / 1e-4))
        np.testing.assert_allclose(rt.states["pyr"]["v_d"], sa.states["pyr"]["v_d"], atol=1e-9)
        np.testing.assert_array_equal(rt.online["pyr"].burst_count.values, sa.online["pyr"].burst_count.values)
        np.testing.assert_allclose(rt.weights["learn"].weight.values, sa.weights["learn"].weight.values, rtol=1e-12)
        assert np.ptp(sa.weights["learn"].weight.values) > 0.01e-9  # the weights learned
        np.testing.assert_allclose(rt.mean_weights["learn"].mean_weight.values,
                                   sa.mean_weights["learn"].mean_weight.values, rtol=1e-12)
        offline = unit_rates(sa.spikes["pyr"], 0.05, burst_time="second_spike")
        np.testing.assert_array_equal(sa.online["pyr"].event_count.values, offline.event_count.values)
        np.testing.assert_array_equal(sa.online["pyr"].burst_count.values, offline.burst_count.values)
    first, rerun = results["cpp_standalone"]
    assert len(first.spikes["pyr"]) != len(rerun.spikes["pyr"])  # the overrides took effect ...
    assert rerun.timings_s["build_s"] == first.timings_s["build_s"]  # ... without a second build


def test_standalone_build_releases_the_python_copies_of_the_network(tmp_path):
    # once the project is written, the device's copies of connectivity and initial values must
    # not stay alive beside the running binary: at 1e6 cells the two did not fit into 24 GB
    import tracemalloc

    from spiking.backend import BackendSession
    from spiking.build import build_network
    from spiking.plan import NetworkPlan, Population, Projection

    plan = NetworkPlan(duration=1 * ms)
    plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=20000))
    plan.add_projection(Projection("rec", "pyr", "pyr", "dendrite", "gaba", "in_degree", weight=1 * nS,
                                   in_degree=100))  # 2 M synapses
    with BackendSession("cpp_standalone", dt=plan.dt, directory=str(tmp_path / "project")) as session:
        tracemalloc.start()
        try:
            built = build_network(plan)
            session.run(built.network, plan.duration, namespace=built.namespace)
            held_before, _ = tracemalloc.get_traced_memory()
            session.compile(compile=False)  # code generation: writes static_arrays/
            held_after, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # during the build the device keeps the static arrays it will write (sources and targets as
    # int32: 8 bytes per synapse) and a few per-synapse arrays more (about 18 bytes in all); its
    # int64 cache of every pre- and postsynaptic index (16 bytes more) is dropped after connect
    assert 2_000_000 * 8 < held_before < 4_000_000 + 2_000_000 * 24, held_before
    # what stays is the network's objects and code, not a copy per synapse (2 bytes per synapse)
    assert held_after < 4_000_000 + 2_000_000 * 2, (held_before, held_after)


@pytest.mark.standalone
def test_sparse_threshold_template_gives_the_same_pool_spikes_as_brians(monkeypatch, tmp_path):
    # the block-OR threshold template of Poisson pools (spiking/cpp/sparse_templates) against
    # Brian's own: the same device random numbers, so the same spikes, index for index
    from brian2 import Hz, second

    import spiking.build
    from spiking.plan import NetworkPlan, PoissonPool
    from spiking.simulation import Simulation

    plan = NetworkPlan(duration=0.5 * second, seed=4)
    plan.add_population(PoissonPool("pool", 3000, 20 * Hz))  # 6 spikes per step, in 47 blocks of 64
    plan.record_spikes("pool")
    spikes = {}
    for template in ("sparse", "brian"):
        if template == "brian":
            monkeypatch.setattr(spiking.build, "use_sparse_thresholds", lambda group: None)
        with Simulation(plan, backend="cpp_standalone", directory=str(tmp_path / template)) as sim:
            spikes[template] = sim.run().spikes["pool"]
    assert len(spikes["sparse"]) > 20000  # 3000 x 20 Hz x 0.5 s
    np.testing.assert_array_equal(spikes["sparse"].indices, spikes["brian"].indices)
    np.testing.assert_array_equal(spikes["sparse"].times_s, spikes["brian"].times_s)
