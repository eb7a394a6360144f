"""NWB and Neo export (spiking.export, ``spiking export``): files pass nwbinspector with nothing
critical and no best-practice violation, read back to the same spikes, and Elephant's rate
estimate on an exported ensemble equals ours."""

import numpy as np
import pytest

pytest.importorskip("pynwb")

from spiking.cli import main  # noqa: E402
from spiking.errors import ParameterError  # noqa: E402
from spiking.export import read_nwb_spikes, to_neo, to_nwb  # noqa: E402
from spiking.result import SimulationResult  # noqa: E402
from spiking.spikes import SpikeData  # noqa: E402


def _serious_findings(path):
    from nwbinspector import Importance, inspect_nwbfile

    return [f"{m.importance.name} {m.check_function_name}: {m.message}" for m in inspect_nwbfile(nwbfile_path=path)
            if m.importance in (Importance.CRITICAL, Importance.BEST_PRACTICE_VIOLATION, Importance.ERROR)]


def _dead_time_poisson(n_neurons, rate_hz, dead_s, duration_s, rng):
    """Poisson trains with a dead time: every interval exceeds ``dead_s``."""
    trains = []
    for _ in range(n_neurons):
        gaps = dead_s + rng.exponential(1 / rate_hz, size=int(3 * rate_hz * duration_s) + 20)
        times = np.cumsum(gaps)
        trains.append(times[times < duration_s])
    return trains


def _ensemble_result(rng):
    trains = _dead_time_poisson(60, 10.0, 0.030, 4.0, rng)
    spikes = SpikeData.from_trains(trains, 0.0, 4.0, unit_of_neuron=np.repeat([0, 1], 30))
    t = np.arange(0, 4.0, 0.001)
    states = {"pyr": {"t_s": t, "neurons": np.array([0, 7]), "v_s": -0.07 + 0.001 * np.sin(np.outer([1, 2], t))}}
    return SimulationResult(spikes={"pyr": spikes}, states=states, online={}, overrides={"pyr.E_L": -0.07},
                            timings_s={}, n_synapses={})


def test_nwb_file_passes_the_inspector_and_reads_back(tmp_path):
    result = _ensemble_result(np.random.default_rng(1))
    path = str(tmp_path / "ensemble.nwb")
    to_nwb(result, path, dt_s=1e-4, provenance={"seed": 1})
    assert _serious_findings(path) == []
    back = read_nwb_spikes(path)["pyr"]
    trains = result.spikes["pyr"].trains()
    assert sorted(back) == list(range(60))
    for neuron, train in enumerate(trains):
        np.testing.assert_array_equal(back[neuron], train)  # exact: float64 round trip
    from pynwb import NWBHDF5IO
    with NWBHDF5IO(path, "r") as io:
        nwb = io.read()
        assert set(nwb.units.to_dataframe()["unit"]) == {0, 1}
        v = nwb.acquisition["pyr_v_s"]
        assert v.unit == "volts" and v.data.shape == (4000, 2) and abs(v.rate - 1000.0) < 1e-6
        decoded = nwb.processing["ensemble_rates"]
        assert {"pyr_event_rate", "pyr_burst_rate", "pyr_burst_probability"} <= set(decoded.data_interfaces)
        assert '"seed": 1' in nwb.notes
    with pytest.raises(ParameterError, match="exists"):
        to_nwb(result, path, dt_s=1e-4)
    with pytest.raises(ParameterError, match="dt_s"):
        to_nwb(result, str(tmp_path / "other.nwb"))


def test_elephant_rate_of_the_neo_export_equals_ours():
    import quantities as pq
    from elephant.statistics import time_histogram

    from spiking.decoding import unit_rates

    result = _ensemble_result(np.random.default_rng(2))
    block = to_neo(result, provenance={"seed": 2})
    segment = block.segments[0]
    assert len(segment.spiketrains) == 60 and {st.annotations["population"] for st in segment.spiketrains} == {"pyr"}
    assert segment.analogsignals[0].shape == (4000, 2) and segment.analogsignals[0].units == pq.V
    unit0 = [st for st in segment.spiketrains if st.annotations["unit"] == 0]
    elephant_rate = time_histogram(unit0, bin_size=0.1 * pq.s, output="rate").rescale("Hz").magnitude[:, 0]
    # with a 30 ms dead time every spike is an event (the trace rule's threshold is never reached),
    # so our event rate is the spike rate Elephant estimates: equal bin by bin (round-off only)
    ours = unit_rates(result.spikes["pyr"], 0.1).event_rate.values[0]
    assert len(ours) == len(elephant_rate) == 40
    np.testing.assert_allclose(ours, elephant_rate, rtol=1e-9, atol=1e-9)
    assert 5 < ours.mean() < 10  # a dead-time Poisson process at 10 Hz and 30 ms: about 7.7 Hz


@pytest.mark.slow
@pytest.mark.parametrize("experiment", ["bac", "multiplexing"])
def test_export_command_writes_inspected_nwb(tmp_path, experiment, capsys):
    path = str(tmp_path / f"{experiment}.nwb")
    assert main(["export", experiment, "--quick", "--nwb", path]) == 0
    assert _serious_findings(path) == []
    spikes = read_nwb_spikes(path)
    assert sum(len(train) for trains in spikes.values() for train in trains.values()) > 0
    from pynwb import NWBHDF5IO
    with NWBHDF5IO(path, "r") as io:
        nwb = io.read()
        assert any(name.endswith("_v_s") for name in nwb.acquisition)
        assert len(nwb.processing["ensemble_rates"].data_interfaces) >= 3
