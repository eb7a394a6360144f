"""runtime and cpp_standalone give identical spikes on the same deterministic stimuli, and a
standalone rig reruns with new stimuli without recompiling."""

import numpy as np
import pytest
from brian2 import Hz, ms, nA, pA

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
