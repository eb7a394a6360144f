"""Results out of the simulator: Neurodata Without Borders (NWB) files and Neo blocks.

- :func:`to_nwb` writes a :class:`~spiking.result.SimulationResult` as an NWB file (pynwb):
  every recorded neuron's spikes in the ``units`` table (columns ``population``, ``unit`` and
  ``neuron``), each recorded state variable as a ``TimeSeries`` in ``acquisition``
  (``<population>_<variable>``, time x recorded neurons), the decoded event rate, burst rate
  and burst probability of every unit in the processing module ``ensemble_rates`` (from the
  spikes, and the online detectors' where the run had them), and the plan, run-time values and
  provenance as JSON in ``notes``.
- :func:`to_neo` returns a ``neo.Block``: one ``SpikeTrain`` per recorded neuron (annotated with
  population, unit and neuron) and one ``AnalogSignal`` per recorded state variable, for the
  Neo/Elephant ecosystem.

Both need the optional extra ``export`` (``pip install -e ".[export]"``; the test extra has it).

NWB asks for a subject; the file's is the simulated network, described as such (sex "U", date
of birth the session's start, species the animal whose neurons the parameters describe), so
that ``nwbinspector`` finds nothing critical.

Units of state variables: Brian keeps them with the group, not in the result; they are read
from the variable's name: ``v_*`` and ``theta`` volts, ``g_*`` siemens, ``w_*`` and ``I_*``
amperes, anything else dimensionless.

Examples
--------
>>> from spiking.result import SimulationResult
>>> from spiking.spikes import SpikeData
>>> spikes = SpikeData.from_trains([[0.1, 0.105], [0.5]], 0.0, 1.0)
>>> result = SimulationResult(spikes={"pyr": spikes}, states={}, online={}, overrides={}, timings_s={},
...                           n_synapses={})
>>> block = to_neo(result)   # doctest: +SKIP
>>> [st.annotations["population"] for st in block.segments[0].spiketrains]   # doctest: +SKIP
['pyr', 'pyr']
"""

from __future__ import annotations

import datetime
import json
import os
import uuid

import numpy as np

from spiking.errors import ParameterError

__all__ = ["to_nwb", "read_nwb_spikes", "to_neo", "unit_of_variable", "result_of_bac", "DECODING_BIN_S"]

#: The three example cells of a BAC run (:class:`~spiking.bac.BACResult`), in their order.
BAC_CONDITIONS = ("bap_alone", "epsc_alone", "paired")

#: Bin of the E/B/P decoded from the spikes for the export (s): the papers' 20 ms.
DECODING_BIN_S = 0.020


def unit_of_variable(name: str) -> str:
    """The SI unit of a recorded state variable, from its name (see the module docstring).

    Examples
    --------
    >>> unit_of_variable("v_d"), unit_of_variable("g_ampa_s"), unit_of_variable("w_s"), unit_of_variable("x")
    ('volts', 'siemens', 'amperes', 'dimensionless')
    """
    if name.startswith("v_") or name == "theta":
        return "volts"
    if name.startswith("g_"):
        return "siemens"
    if name.startswith("w_") or name.startswith("I_") or name.startswith("I"):
        return "amperes"
    return "dimensionless"


def _require(module: str):
    try:
        return __import__(module)
    except ImportError as err:
        raise ParameterError(f"exporting needs {module}, which is not installed: pip install -e '.[export]'") from err


def _notes(result, plan, provenance) -> str:
    from spiking.figure_io import _jsonable

    return json.dumps(_jsonable({"plan": plan.to_dict() if plan is not None else None,
                                 "overrides": {k: repr(v) for k, v in (result.overrides or {}).items()},
                                 "provenance": provenance}))


def _series(name, data, unit, times, description):
    from pynwb import TimeSeries

    times = np.asarray(times, dtype=float)
    steps = np.diff(times)
    if times.size > 1 and np.allclose(steps, steps[0], rtol=1e-6, atol=0):
        return TimeSeries(name=name, data=data, unit=unit, starting_time=float(times[0]), rate=float(1 / steps[0]),
                          description=description)
    return TimeSeries(name=name, data=data, unit=unit, timestamps=times, description=description)


def to_nwb(result, path: str, plan=None, provenance: dict | None = None,
           session_description: str = "spiking-network simulation (spiking, Brian2)",
           decoding_bin_s: float = DECODING_BIN_S, overwrite: bool = False, dt_s: float | None = None) -> str:
    """Write ``result`` as an NWB file (see the module docstring); returns ``path``.

    Parameters
    ----------
    result : SimulationResult
    path : str
        The ``.nwb`` file to write.
    plan : NetworkPlan, optional
        The plan of the run: its description goes into ``notes`` with ``provenance``.
    provenance : dict, optional
        From :func:`spiking.provenance.provenance`.
    session_description : str
    decoding_bin_s : float
        Bin (s) of the E/B/P decoded from the spikes.
    overwrite : bool
        Replace an existing file (otherwise an existing ``path`` is an error).
    dt_s : float, optional
        Time step of the run (s): the spike times' resolution (the plan's ``dt`` by default;
        required without a plan).

    Examples
    --------
    >>> to_nwb(result, "run.nwb", plan=plan, provenance=provenance("cpp_standalone", seed=1))  # doctest: +SKIP
    'run.nwb'
    """
    _require("pynwb")
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.file import Subject
    from pynwb.misc import Units

    from spiking.decoding import unit_rates

    if os.path.exists(path) and not overwrite:
        raise ParameterError(f"to_nwb: {path!r} exists; pass overwrite=True to replace it")
    if dt_s is None:
        if plan is None:
            raise ParameterError("to_nwb: give plan= or dt_s= (the time step: the spike times' resolution)")
        dt_s = float(plan.dt)
    if not dt_s > 0:
        raise ParameterError(f"to_nwb: dt_s must be > 0 s; got {dt_s}")
    if not decoding_bin_s > 0:
        raise ParameterError(f"to_nwb: decoding_bin_s must be > 0 s; got {decoding_bin_s}")
    now = datetime.datetime.now(datetime.timezone.utc)
    nwb = NWBFile(session_description=session_description, identifier=str(uuid.uuid4()), session_start_time=now,
                  experiment_description="Simulated ensembles of two-compartment pyramidal neurons and interneurons",
                  notes=_notes(result, plan, provenance), source_script="spiking (Brian2)",
                  source_script_file_name="spiking",
                  keywords=["simulation", "spiking network", "two-compartment neuron", "bursts"],
                  subject=Subject(subject_id="simulated-network", sex="U", species="Rattus norvegicus",
                                  date_of_birth=now,
                                  description="a simulated network, not an animal: created at the session's "
                                              "start (date of birth), no sex (U); species: the animal whose "
                                              "layer-5 pyramidal neurons the model's parameters describe (Larkum "
                                              "et al. 1999, Hay et al. 2011). The plan is in the notes."))
    # spike times are whole simulation steps: the resolution is the time step
    nwb.units = Units(name="units", description="spikes of the recorded neurons", resolution=float(dt_s))
    # spikes: one row per recorded neuron
    populations = sorted(result.spikes)
    if populations:
        nwb.add_unit_column(name="population", description="population (ensemble) of the neuron")
        nwb.add_unit_column(name="unit", description="index of the neuron's unit (ensemble) in its population")
        nwb.add_unit_column(name="neuron", description="index of the neuron in the recorded sample of its population")
        for population in populations:
            spikes = result.spikes[population]
            order = np.argsort(spikes.indices, kind="stable")
            times, indices = np.asarray(spikes.times_s)[order], np.asarray(spikes.indices)[order]
            bounds = np.searchsorted(indices, np.arange(spikes.n_neurons + 1))
            units = spikes.unit_of_neuron if spikes.unit_of_neuron is not None else np.zeros(spikes.n_neurons, int)
            for neuron in range(spikes.n_neurons):
                train = np.sort(times[bounds[neuron]:bounds[neuron + 1]])
                nwb.add_unit(spike_times=train, population=population, unit=int(units[neuron]), neuron=neuron,
                             obs_intervals=[[spikes.t_start_s, spikes.t_stop_s]])
    # recorded state variables
    for population, entry in sorted(result.states.items()):
        for variable, values in entry.items():
            if variable in ("t_s", "neurons"):
                continue
            nwb.add_acquisition(_series(f"{population}_{variable}", np.asarray(values, float).T,
                                        unit_of_variable(variable), entry["t_s"],
                                        f"{variable} of {population} neurons {list(map(int, entry['neurons']))} "
                                        "(columns), SI units"))
    # decoded ensemble rates
    rates = nwb.create_processing_module(name="ensemble_rates",
                                         description="event rate E, burst rate B and burst probability P = B/E of "
                                                     "every unit (ensemble), decoded from the spikes "
                                                     f"({decoding_bin_s * 1e3:g} ms bins, event-aligned bursts) and, "
                                                     "where recorded, by the online detectors")
    for population in populations:
        decoded = unit_rates(result.spikes[population], decoding_bin_s)
        for variable in ("event_rate", "burst_rate", "burst_probability"):
            unit = "Hz" if variable != "burst_probability" else "dimensionless"
            rates.add(_series(f"{population}_{variable}", decoded[variable].values.T, unit, decoded.time.values,
                              f"{variable} of each unit of {population} (columns), from the spikes; NaN where a "
                              "bin has no event"))
    for population, dataset in sorted((result.online or {}).items()):
        for variable in ("event_rate", "burst_rate", "burst_probability"):
            unit = "Hz" if variable != "burst_probability" else "dimensionless"
            rates.add(_series(f"{population}_{variable}_online", dataset[variable].values.T, unit,
                              dataset.time.values, f"{variable} of each unit of {population} (columns), counted "
                                                   "inside the simulation by the online detector"))
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with NWBHDF5IO(path, "w") as io:
        io.write(nwb)
    return path


def result_of_bac(bac, duration_s: float | None = None):
    """A :class:`~spiking.result.SimulationResult` of the three example cells of a BAC run
    (:func:`spiking.bac.run_bac`): population ``bac``, neuron k = condition k of
    :data:`BAC_CONDITIONS` (one unit each), with their spikes and the recorded V_s, V_d and
    injected currents (SI units).

    Examples
    --------
    >>> result = result_of_bac(run_bac(PyramidalParameters(), BACProtocol.quick()))  # doctest: +SKIP
    """
    from spiking.result import SimulationResult
    from spiking.spikes import SpikeData

    t_s = np.asarray(bac.t_ms, float) * 1e-3
    stop = float(duration_s) if duration_s is not None else float(t_s[-1] + (t_s[1] - t_s[0]))
    trains = [np.asarray(times, float) * 1e-3 for times in bac.example_spike_times_ms]
    spikes = SpikeData.from_trains(trains, 0.0, stop, unit_of_neuron=np.arange(len(trains)))
    states = {"t_s": t_s, "neurons": np.arange(len(trains))}
    states.update({name: np.asarray(values, float) * 1e-3 for name, values in bac.traces_mV.items()})
    states.update({name: np.asarray(values, float) * 1e-9 for name, values in bac.currents_nA.items()})
    return SimulationResult(spikes={"bac": spikes}, states={"bac": states}, online={}, overrides={},
                            timings_s=dict(bac.timings_s), n_synapses={})


def read_nwb_spikes(path: str) -> dict:
    """``{population: {neuron: spike times (s)}}`` from an NWB file written by :func:`to_nwb`.

    Examples
    --------
    >>> read_nwb_spikes("run.nwb")["pyr"][0]   # doctest: +SKIP
    array([0.1  , 0.105])
    """
    _require("pynwb")
    from pynwb import NWBHDF5IO

    out: dict = {}
    with NWBHDF5IO(path, "r") as io:
        units = io.read().units
        if units is None:
            return out
        table = units.to_dataframe()
        for _, row in table.iterrows():
            out.setdefault(row["population"], {})[int(row["neuron"])] = np.asarray(row["spike_times"], float)
    return out


def to_neo(result, provenance: dict | None = None):
    """``result`` as a ``neo.Block`` with one ``Segment`` (see the module docstring).

    Examples
    --------
    >>> block = to_neo(result)   # doctest: +SKIP
    >>> len(block.segments[0].spiketrains)   # doctest: +SKIP
    2
    """
    _require("neo")
    import neo
    import quantities as pq

    units = {"volts": pq.V, "siemens": pq.S, "amperes": pq.A, "dimensionless": pq.dimensionless}
    block = neo.Block(name="spiking simulation", provenance=json.dumps(provenance) if provenance else "")
    segment = neo.Segment(name="run")
    block.segments.append(segment)
    for population in sorted(result.spikes):
        spikes = result.spikes[population]
        unit_of = spikes.unit_of_neuron if spikes.unit_of_neuron is not None else np.zeros(spikes.n_neurons, int)
        for neuron, train in enumerate(spikes.trains()):
            segment.spiketrains.append(neo.SpikeTrain(np.sort(train) * pq.s, t_start=spikes.t_start_s * pq.s,
                                                      t_stop=spikes.t_stop_s * pq.s, name=f"{population}[{neuron}]",
                                                      population=population, unit=int(unit_of[neuron]),
                                                      neuron=neuron))
    for population, entry in sorted(result.states.items()):
        times = np.asarray(entry["t_s"], float)
        for variable, values in entry.items():
            if variable in ("t_s", "neurons") or times.size < 2:
                continue
            signal = neo.AnalogSignal(np.asarray(values, float).T, units=units[unit_of_variable(variable)],
                                      t_start=times[0] * pq.s, sampling_period=(times[1] - times[0]) * pq.s,
                                      name=f"{population}_{variable}", population=population, variable=variable,
                                      neurons=[int(n) for n in entry["neurons"]])
            segment.analogsignals.append(signal)
    return block
