"""The XOR protocol run segment by segment with one build (spiking/experiments/xor_run.py): a killed and
resumed run reaches exactly the weights of an uninterrupted one, learning happens only in the
training segments, and the records hold what the figure needs. cpp_standalone, a small network
on a shortened timeline (the full learning run is the figure ``payeur2021_fig4_xor``)."""

import os

import numpy as np
import pytest
from brian2 import second

from spiking.experiments.xor import CASES, XorProtocol
from spiking.experiments.xor_run import run_xor, segment_phase, segment_seed
from spiking.errors import ParameterError
from spiking.figure_io import write_outputs
from spiking.state import NetworkState

from conftest import load_figure_module

SMALL = XorProtocol(n_per_population=40, n_epochs=3, example_duration=0.5 * second,
                    teaching_duration=0.1 * second, tau_avg=0.1 * second)


def test_segment_bookkeeping():
    assert [segment_phase(s, 3) for s in range(5)] == [("test_before", 0), ("train", 1), ("train", 2),
                                                       ("train", 3), ("test_after", 0)]
    seeds = {segment_seed(7, s) for s in range(100)}
    assert len(seeds) == 100 and all(0 <= s < 2 ** 31 for s in seeds)  # distinct, valid Brian seeds
    with pytest.raises(ParameterError, match="checkpoint_every"):
        run_xor(SMALL, checkpoint_every=0)
    with pytest.raises(ParameterError, match="seed"):
        run_xor(SMALL, seed=-3)
    figure = load_figure_module("payeur2021_fig4_xor")
    for bad in (["--epochs", "0"], ["--workers", "0"], ["--backend", "runtime"], ["--n-per-population", "3"]):
        with pytest.raises(SystemExit):  # argparse's one-line error, before any build
            figure.main(bad)


def test_figure_passes_the_progress_choice_to_its_seed_runs(tmp_path, monkeypatch):
    # the seeds run in worker processes that do not inherit --no-progress: the task must carry it
    figure = load_figure_module("payeur2021_fig4_xor")
    tasks = []

    class Captured(Exception):
        pass

    def capture(task):
        tasks.append(task)
        raise Captured

    monkeypatch.setattr(figure, "run_seed", capture)
    for extra, shown in (([], True), (["--no-progress"], False)):
        with pytest.raises(Captured):
            figure.main(["--epochs", "1", "--n-per-population", "10", "--seeds", "3", "--records", "none",
                         "--out", str(tmp_path)] + extra)
        assert tasks[-1]["progress"] is shown


@pytest.mark.slow
def test_resumed_run_equals_uninterrupted_run(tmp_path, capsys):
    build = str(tmp_path / "build")
    whole = run_xor(SMALL, seed=5, directory=build, progress=False)
    assert whole["complete"] and whole["n_segments"] == SMALL.n_epochs + 2
    records = whole["records"]
    assert [(r["phase"], r["epoch"]) for r in records] == [segment_phase(s, SMALL.n_epochs) for s in range(5)]
    # the plastic weights start at the reference's 1.3 * 0.18 leak units and stay there through
    # the first test pass (no learning); they change in training, not in the last test pass
    initial = 1.3 * 0.18
    assert all(abs(w - initial) < 1e-9 for w in records[0]["mean_weight"].values())
    assert any(abs(w - initial) > 1e-6 for w in records[1]["mean_weight"].values())
    assert records[-1]["mean_weight"] == records[-2]["mean_weight"]  # exact: the gate is 0
    for r in records:
        assert set(r["output_er_hz"]) == {f"{a}{b}" for (a, b), _ in CASES} and np.isfinite(r["cost"])
        # the input populations code their bit: a 1 drives them harder than a 0 (+150 vs -350 pA)
        for k, name in enumerate(("input1", "input2")):
            ones = [r["event_rate_hz"][name][f"{a}{b}"] for (a, b), _ in CASES if (a, b)[k]]
            zeros = [r["event_rate_hz"][name][f"{a}{b}"] for (a, b), _ in CASES if not (a, b)[k]]
            assert min(ones) > max(zeros), (r["segment"], name)

    # the figure's summary and plot from these records (the figure runs the same function per seed)
    figure = load_figure_module("payeur2021_fig4_xor")
    runs = [{"seed": 5, "records": records, "complete": True, "wall_s": whole["wall_s"], "build_s": whole["build_s"]}]
    summary = figure.summarise(runs, {"epochs": SMALL.n_epochs, "n_per_population": SMALL.n_per_population})
    assert {"epochs", "cost", "output_er_hz", "solved", "n_neurons_per_population", "wall_s"} <= set(summary)
    # the per-seed wall time is the segments' (kept in the records), so a re-plot reports the run's time
    segments_wall_s = sum(r["wall_s"] for r in records)
    assert segments_wall_s > 0 and summary["wall_s"]["5"] == pytest.approx(segments_wall_s, abs=0.05)  # rounded to 0.1 s
    assert summary["epochs"] == [1, 2, 3] and len(summary["cost"]["5"]) == 3
    assert set(summary["output_er_hz"]["before"]) == set(summary["output_er_hz"]["after"]) == {"00", "10", "01", "11"}
    after = summary["output_er_hz"]["after"]
    assert summary["solved"]["5"] == all((after[c]["5"] > 6.0) == (c in ("10", "01")) for c in after)
    write_outputs(str(tmp_path / "figure"), "xor", summary, figure.plot(summary))
    assert (tmp_path / "figure" / "xor.png").stat().st_size > 20_000

    checkpoint = str(tmp_path / "run.npz")
    capsys.readouterr()
    stopped = run_xor(SMALL, seed=5, directory=build, checkpoint=checkpoint, checkpoint_every=1, stop_after=2,
                      progress=True)
    # the progress display: a bar over the segments and a log line at each checkpoint
    err = capsys.readouterr().err
    assert "xor seed 5" in err and err.count("checkpoint saved") == 2 and "train 1 (2/5)" in err
    assert not stopped["complete"] and len(stopped["records"]) == 2 and os.path.exists(checkpoint)
    resumed = run_xor(SMALL, seed=5, directory=build, checkpoint=checkpoint, checkpoint_every=1, progress=False)
    assert resumed["complete"] and resumed["resumed_from"] == 2
    # each call's stretch of segments keeps the provenance of the code that ran it (a long run
    # may be resumed under another revision); the checkpoint carries the earlier stretches
    assert [(s["first_segment"], s["last_segment"]) for s in stopped["stretches"]] == [(0, 1)]
    assert [(s["first_segment"], s["last_segment"]) for s in resumed["stretches"]] == [(0, 1), (2, 4)]
    assert all(s["git_revision"] and s["backend"] == "cpp_standalone" for s in resumed["stretches"])
    # identical: the state after a segment and the next segment's seed do not depend on how the
    # run got there (same binary, same float64 values in, same random numbers)
    a, b = whole["final_state"].values, resumed["final_state"].values
    assert set(a) == set(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert [r["cost"] for r in resumed["records"]] == [r["cost"] for r in records]
    # a finished run's checkpoint returns its records without simulating; another seed is refused
    again = run_xor(SMALL, seed=5, directory=build, checkpoint=checkpoint, progress=False)
    assert again["complete"] and again["wall_s"] == 0.0 and len(again["records"]) == len(records)
    with pytest.raises(ParameterError, match="belongs to another run"):
        run_xor(SMALL, seed=6, directory=build, checkpoint=checkpoint, progress=False)
    # so is a checkpoint of the same protocol and seed written with other network parameters
    saved = NetworkState.load(checkpoint)
    saved.metadata["identity"]["network_sha256"] = "0" * 64
    saved.save(checkpoint)
    with pytest.raises(ParameterError, match="belongs to another run"):
        run_xor(SMALL, seed=5, directory=build, checkpoint=checkpoint, progress=False)


def _synthetic_record(segment: int, n_epochs: int, output_er_hz: dict) -> dict:
    """A record with the structure :func:`run_xor` writes (values chosen by the test)."""
    phase, epoch = segment_phase(segment, n_epochs)
    populations = ("input1", "input2", "hidden1", "hidden2", "output")
    return {"segment": segment, "phase": phase, "epoch": epoch, "output_er_hz": output_er_hz,
            "cost": float(segment + 1), "event_rate_hz": {p: dict(output_er_hz) for p in populations},
            "burst_probability": {p: {c: 0.25 for c in output_er_hz} for p in populations},
            "mean_weight": {"a": 0.234}, "wall_s": 10.0 + segment}


def test_figure_reuses_stored_run_records(tmp_path):
    """A finished seed kept as a run record is drawn without running it again; a record of another
    seed or network is refused, and only a complete run can be saved."""
    import json

    from spiking.experiments.xor import xor_plan
    from spiking.experiments.xor_run import _checkpoint_identity, load_run_record, save_run_record

    protocol = XorProtocol(n_per_population=10, n_epochs=1)  # the figure's protocol at this size
    identity = _checkpoint_identity(protocol, 3, xor_plan(protocol, seed=3, segment=True))
    before = {"00": 5.0, "10": 5.0, "01": 5.0, "11": 5.0}
    after = {"00": 4.0, "10": 9.123456789, "01": 8.0, "11": 3.0}  # every case on its side of 6 Hz
    records = [_synthetic_record(0, 1, before), _synthetic_record(1, 1, before), _synthetic_record(2, 1, after)]
    stretches = [{"first_segment": 0, "last_segment": 1, "git_revision": "a" * 40},
                 {"first_segment": 2, "last_segment": 2, "git_revision": "b" * 40}]
    out = {"complete": True, "identity": identity, "records": records, "n_segments": 3,
           "n_neurons_per_population": 10, "build_s": 1.0, "stretches": stretches}
    folder = tmp_path / "records" / "n10_e1"
    with pytest.raises(ParameterError, match="complete"):
        save_run_record(str(folder / "record_seed3.json"), dict(out, complete=False), "cpp_standalone")
    save_run_record(str(folder / "record_seed3.json"), out, "cpp_standalone")
    stored = load_run_record(str(folder / "record_seed3.json"), protocol, 3)
    assert stored["provenance"]["seed"] == 3 and stored["provenance"]["git_revision"]
    assert stored["provenance"]["stretches"] == stretches  # which code ran which segments, kept as given
    assert stored["records"][2]["output_er_hz"]["10"] == pytest.approx(9.123456789, rel=1e-6)  # 6 digits kept
    assert load_run_record(str(folder / "record_seed9.json"), protocol, 9) is None  # absent: run it
    assert stored["build_s"] == 1.0
    # a run that only loaded its finished checkpoint did not build: no build time is claimed
    save_run_record(str(tmp_path / "loaded.json"), dict(out, resumed_from=3), "cpp_standalone")
    assert load_run_record(str(tmp_path / "loaded.json"), protocol, 3)["build_s"] is None

    figure = load_figure_module("payeur2021_fig4_xor")
    figure.main(["--epochs", "1", "--n-per-population", "10", "--seeds", "3", "--records", str(tmp_path / "records"),
                 "--out", str(tmp_path / "out"), "--no-progress"])
    summary = json.loads((tmp_path / "out" / "payeur2021_fig4_xor.json").read_text())
    assert summary["stored_runs"]["3"]["provenance"]["seed"] == 3
    assert summary["cost"]["3"] == [2.0] and summary["solved"] == {"3": True}
    assert summary["wall_s"]["3"] == pytest.approx(10 + 11 + 12)  # the run's segments, not this call's
    assert not (tmp_path / "out" / "payeur2021_fig4_xor_runs").exists()  # nothing was built or run

    # seed 3's record under seed 4's name, or with another network hash, is refused
    (folder / "record_seed4.json").write_text((folder / "record_seed3.json").read_text())
    with pytest.raises(ParameterError, match="another run.*seed"):
        load_run_record(str(folder / "record_seed4.json"), protocol, 4)
    data = json.loads((folder / "record_seed3.json").read_text())
    data["identity"]["network_sha256"] = "0" * 64
    (folder / "record_seed3.json").write_text(json.dumps(data))
    with pytest.raises(ParameterError, match="network_sha256"):
        figure.main(["--epochs", "1", "--n-per-population", "10", "--seeds", "3", "--records",
                     str(tmp_path / "records"), "--out", str(tmp_path / "out"), "--no-progress"])


def test_full_run_benchmark_reads_a_figure_of_stored_records(tmp_path):
    """benchmarks/xor.py --full-from: the per-seed speed of a finished figure, also where a seed's
    record was written from a finished checkpoint and so carries no build time."""
    import importlib.util
    import json

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks", "xor.py")
    spec = importlib.util.spec_from_file_location("benchmark_xor", path)
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    rates = {"00": 5.0, "10": 5.0, "01": 5.0, "11": 5.0}
    records = [_synthetic_record(s, 2, rates) for s in range(4)]  # wall times 10, 11, 12, 13 s
    figure = {"n_neurons_per_population": 10, "segment_records": {"1": records, "2": records},
              "build_s": {"1": 400.04, "2": None}, "provenance": {"seed": None},
              "stored_runs": {"2": {"file": "record_seed2.json", "provenance": {"seed": 2, "git_revision": "c" * 40}}}}
    (tmp_path / "figure.json").write_text(json.dumps(figure))
    out = benchmark.full_run_record(str(tmp_path / "figure.json"), "cpp_standalone")
    first, second = out["seeds"]["1"], out["seeds"]["2"]
    assert first["compile_s"] == 400.0 and second["compile_s"] is None  # unknown, not invented
    # a seed drawn from its stored record keeps that run's provenance; a seed run here has none apart
    assert second["run_provenance"]["git_revision"] == "c" * 40 and first["run_provenance"] is None
    # 6 s burn-in + 32 s per segment, over the segments' summed wall time
    assert first["sim_time_s"] == 6.0 + 32.0 * 4 and first["segments_wall_s"] == 46.0
    assert first["sim_s_per_wall_s"] == pytest.approx(134.0 / 46.0, abs=1e-3)  # rounded to 3 decimals
    assert first["training_epochs"] == 2 and first["median_segment_wall_s"] == 11.5
