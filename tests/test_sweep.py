"""Parameter sweeps: spec checking, compile-once execution on Dask, resumable store, CLI."""

import json
import os
import signal

import numpy as np
import pytest
import yaml

from spiking.errors import ParameterError
from spiking.sweep import SweepSpec, SweepStore, load_sweep, run_sweep, sweep_status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# a 2-unit ensemble (60 pyramids, 15 PV, 15 SST per unit), 300 ms; 4 dendritic currents x
# 2 SST weights = 8 points, all run-time knobs: one build
SPEC = {
    "name": "test_sweep",
    "experiment": "ensemble",
    "arguments": {"n_pyramids": 60, "n_pv": 15, "n_sst": 15, "n_units": 2, "duration_ms": 300},
    "seeds": [3],
    "backend": "cpp_standalone",
    "axes": [{"name": "i_d", "target": "i_dendrite", "values": [-50, 100, 250, 400]},
             {"name": "w_sst", "target": "w_sst_pyr", "values": [0.0, 0.035]}],
    "decode": {"populations": ["pyr"], "t_start_ms": 100, "t_stop_ms": 300},
}


def _spec(**changes):
    data = json.loads(json.dumps(SPEC))
    data.update(changes)
    return data


# -- spec errors: raised by SweepSpec.from_dict, i.e. before any Brian object or build -----------
@pytest.mark.parametrize("change, message", [
    ({"axes": [{"name": "x", "target": "pyr.no_such_parameter", "values": [1.0], "unit": "pA"}]},
     "neither a parameter of population 'pyr'"),
    ({"axes": [{"name": "x", "target": "nowhere.weight", "values": [1.0], "unit": "nS"}]}, "names no population"),
    ({"axes": [{"name": "x", "target": "sst_to_pyr.weight", "values": [1.0], "unit": "pA"}]},
     "must be a conductance"),
    ({"axes": [{"name": "x", "target": "pyr.g_d", "values": [1.0], "unit": "nS"}]}, "g_d"),
    ({"axes": [{"name": "x", "target": "i_dendrite", "values": []}]}, "values must be a non-empty list"),
    ({"axes": []}, "axes must be a non-empty list"),
    ({"axes": [{"name": "x", "target": "i_dendrite", "grid": {"start": 0, "stop": 1, "num": 0}}]}, "num"),
    ({"backend": "gpu_magic"}, "backend must be one of"),
    ({"experiment": "no_such_experiment"}, "experiment 'no_such_experiment' is unknown"),
    ({"arguments": {"n_pyramids": 0}}, "n_pyramids must be an integer >= 1"),
    ({"arguments": {"n_neurons": 10}}, "are not arguments of experiment"),
    ({"decode": {"populations": ["pv"], "t_start_ms": 0}}, "records"),
    ({"decode": {"populations": ["pyr"], "t_start_ms": 0, "t_stop_ms": 5000}}, "must lie inside"),
    ({"decode": {"populations": ["pyr"], "t_start_ms": 0, "event_rule": "last_isi"}}, "event_rule must be one of"),
    ({"seeds": [1, 1]}, "distinct"),
    ({"colour": "blue"}, "unknown keys ['colour']"),
    ({"axes": [{"name": "x", "target": "u", "values": [0.5]}]}, "neither a knob"),
    ({"axes": [{"name": "x", "target": "pyr_to_sst.U", "values": [1.5]}]}, "U"),
])
def test_bad_spec_fails_before_any_build(change, message, tmp_path):
    with pytest.raises(ParameterError, match=None) as info:
        SweepSpec.from_dict(_spec(**change))
    assert message in str(info.value)


def test_bad_spec_from_cli_leaves_no_folder(tmp_path, capsys):
    from spiking.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_spec(axes=[{"name": "x", "target": "pyr.g_d", "values": [1.0], "unit": "nS"}])))
    out = tmp_path / "out"
    assert main(["sweep", "run", str(path), "--out", str(out), "--no-progress"]) == 2
    assert "g_d" in capsys.readouterr().err
    assert not out.exists()


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("experiment: !!python/object/apply:os.system ['echo owned']\n")
    with pytest.raises(ParameterError, match="not valid YAML"):
        SweepSpec.from_yaml(str(path))


def test_points_grid_random_and_builds():
    spec = SweepSpec.from_dict(_spec(seeds=[1, 2]))
    points = spec.points()
    assert len(points) == 16 and len({p.id for p in points}) == 16
    assert len({p.build_key for p in points}) == 2  # one build per seed; knobs never rebuild
    structural = SweepSpec.from_dict(_spec(axes=SPEC["axes"][:1] + [{"name": "n", "target": "n_pyramids",
                                                                     "values": [40, 60]}]))
    assert len({p.build_key for p in structural.points()}) == 2
    random = SweepSpec.from_dict(_spec(axes=[{"name": "i_d", "target": "i_dendrite",
                                              "range": {"low": 0, "high": 300}}],
                                       sampling={"method": "random", "n_samples": 5, "seed": 7}))
    drawn = [p.coords["i_d"] for p in random.points()]
    assert len(drawn) == 5 and all(0 <= v < 300 for v in drawn)
    assert drawn == [p.coords["i_d"] for p in random.points()]  # reproducible from sampling.seed
    assert SweepSpec.from_dict(random.to_dict()).spec_hash == random.spec_hash


# -- execution -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dask_sweep(tmp_path_factory):
    """The 8-point sweep on a 2-worker LocalCluster; one worker process is killed after the
    first result arrives, while the other points are queued or running."""
    from dask.distributed import Client, LocalCluster

    out = str(tmp_path_factory.mktemp("dask_sweep"))
    builds = str(tmp_path_factory.mktemp("builds"))  # shared with the other tests: one compilation
    spec = SweepSpec.from_dict(_spec())
    records, killed = [], []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        def kill_one(record):
            records.append(record)
            if not killed:
                pid = next(iter(client.run(os.getpid).values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        summary = run_sweep(spec, out, client=client, progress=False, on_result=kill_one, build_directory=builds)
    return spec, out, summary, records, killed, builds


@pytest.mark.standalone
def test_dask_sweep_survives_a_killed_worker_and_builds_once(dask_sweep):
    spec, out, summary, records, killed, builds = dask_sweep
    assert killed, "the hook did not kill a worker"
    assert summary["n_builds"] == 1 and summary["done"] == 8 and summary["failed"] == 0
    assert sorted(r["id"] for r in records) == [p.id for p in spec.points()]  # every point exactly once
    assert sorted(os.listdir(os.path.join(out, "points"))) == [f"{p.id}.nc" for p in spec.points()]
    assert len([d for d in os.listdir(builds) if not d.endswith(".lock")]) == 1
    assert sweep_status(out) == "done 8/8 failed 0"
    from spiking.cli import main

    exported = os.path.join(out, "exported.nc")
    assert main(["sweep", "load", out, "--to", exported]) == 0  # the CLI's load == load_sweep
    import xarray as xr

    with xr.open_dataset(exported) as from_cli:
        np.testing.assert_array_equal(from_cli.pyr_event_rate.values, load_sweep(out).pyr_event_rate.values)
    ds = load_sweep(out)
    assert dict(ds.sizes) == {"i_d": 4, "w_sst": 2, "seed": 1, "unit": 2}
    assert bool(ds.completed.all())
    # physics: dendritic current raises the burst probability; SST inhibition of the dendrites
    # lowers it (120 pyramids x 0.2 s give hundreds of events per point, so the 400 vs -50 pA
    # contrast is far beyond counting noise)
    bp = ds.pyr_burst_probability.isel(seed=0).mean("unit")
    assert float(bp.sel(i_d=400, w_sst=0.0)) > float(bp.sel(i_d=-50, w_sst=0.0)) + 0.2
    assert float(bp.sel(i_d=400, w_sst=0.035)) < float(bp.sel(i_d=400, w_sst=0.0))


@pytest.mark.standalone
def test_serial_interrupted_and_resumed_equals_dask(dask_sweep, tmp_path):
    spec, dask_out, _, _, _, builds = dask_sweep
    out = str(tmp_path / "serial")
    seen = []

    def interrupt_after_three(record):
        seen.append(record["id"])
        if len(seen) == 3:
            raise KeyboardInterrupt  # what Ctrl-C does in the driver

    first = run_sweep(spec, out, workers=0, progress=False, on_result=interrupt_after_three,
                      build_directory=builds)
    assert first["interrupted"] and first["done"] == 3
    store = SweepStore(out)
    stamps = {p: os.stat(store.point_path(p)).st_mtime_ns for p in seen}
    second = run_sweep(spec, out, workers=0, progress=False, build_directory=builds)
    assert second["computed"] == 5 and second["done"] == 8  # nothing already done is recomputed
    assert {p: os.stat(store.point_path(p)).st_mtime_ns for p in seen} == stamps
    third = run_sweep(spec, out, workers=0, progress=False, build_directory=builds)
    assert third["computed"] == 0 and third["n_builds"] == 0
    serial, parallel = load_sweep(out), load_sweep(dask_out)
    for name in ("pyr_event_rate", "pyr_burst_rate", "pyr_burst_probability", "pyr_firing_rate"):
        # same binary, same seeds, same arguments: identical spikes, hence identical rates
        np.testing.assert_array_equal(serial[name].values, parallel[name].values)


@pytest.mark.standalone
def test_failing_point_is_recorded_and_others_finish(dask_sweep, tmp_path, monkeypatch):
    import spiking.sweep.worker as worker

    spec = SweepSpec.from_dict(_spec(axes=[SPEC["axes"][0]], retries=2))
    original = worker._simulate
    calls = []

    def flaky(task):
        calls.append(task.point_id)
        if task.coords["i_d"] == 100:
            raise RuntimeError("simulated failure")
        return original(task)

    monkeypatch.setattr(worker, "_simulate", flaky)
    builds = dask_sweep[-1]
    summary = run_sweep(spec, str(tmp_path), workers=0, progress=False, build_directory=builds)
    assert summary["done"] == 3 and summary["failed"] == 1
    assert calls.count("p00001") == 3  # first try + 2 retries
    errors = SweepStore(str(tmp_path)).errors()
    assert list(errors) == ["p00001"] and errors["p00001"]["error"]["message"] == "simulated failure"
    ds = load_sweep(str(tmp_path))
    assert not bool(ds.completed.sel(i_d=100).any())
    assert bool(np.isnan(ds.pyr_event_rate.sel(i_d=100)).all())
    monkeypatch.setattr(worker, "_simulate", original)
    assert run_sweep(spec, str(tmp_path), workers=0, progress=False, build_directory=builds)["computed"] == 1  # resumes the failed one
    assert sweep_status(str(tmp_path)) == "done 4/4 failed 0"


def test_other_spec_in_same_folder_is_refused(tmp_path):
    store = SweepStore(str(tmp_path))
    store.initialise(SweepSpec.from_dict(_spec()), {})
    with pytest.raises(ParameterError, match="holds a different sweep"):
        run_sweep(SweepSpec.from_dict(_spec(seeds=[4])), str(tmp_path), workers=0, progress=False)


def test_runtime_backend_point_matches_decoder(tmp_path):
    # runtime backend, serial, one tiny point: the stored rates are those of the decoder
    spec = SweepSpec.from_dict(_spec(backend="runtime", arguments={"n_pyramids": 20, "n_pv": 5, "n_sst": 5,
                                                                   "duration_ms": 100},
                                     axes=[{"name": "i_s", "target": "pyr.soma", "values": [800], "unit": "pA"}],
                                     decode={"populations": ["pyr"], "t_start_ms": 0, "bin_width_ms": 50}))
    summary = run_sweep(spec, str(tmp_path), workers=0, progress=False)
    assert summary["done"] == 1 and summary["n_builds"] == 0  # runtime: no standalone build
    import xarray as xr

    with xr.open_dataset(SweepStore(str(tmp_path)).point_path("p00000"), engine="scipy") as point:
        origin = json.loads(point.attrs["provenance"])  # every point file says how it was made
        assert point.attrs["seed"] == 3 and json.loads(point.attrs["arguments"])["n_pyramids"] == 20
    assert {"git_revision", "versions", "backend"} <= set(origin) and origin["backend"] == "runtime"
    ds = load_sweep(str(tmp_path))
    assert ds.pyr_event_rate.dims == ("i_s", "seed", "unit", "time") and ds.sizes["time"] == 2
    # 800 pA into every soma: tens of Hz, far from the few-Hz background-driven rate
    assert float(ds.pyr_firing_rate.isel(i_s=0, seed=0, unit=0)) > 15


def test_example_spec_is_valid_and_cli_status(tmp_path, capsys):
    from spiking.cli import main

    for name in ("sst_modulation.yaml", "sst_modulation_quick.yaml"):
        spec = SweepSpec.from_yaml(os.path.join(ROOT, "figures", "sweeps", name))
        points = spec.points()
        assert len({p.build_key for p in points}) == 1  # one build for the whole study
    assert len(SweepSpec.from_yaml(os.path.join(ROOT, "figures", "sweeps", "sst_modulation.yaml")).points()) == 30
    store = SweepStore(str(tmp_path))
    store.initialise(spec, {})
    assert main(["sweep", "status", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "done 0/10 failed 0"
