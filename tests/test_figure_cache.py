"""Cached figure data (spiking.figure_io.cached_compute): the same inputs and code re-plot from
the saved data; a changed input, a changed source file or --recompute compute anew."""

import json
import time

import pytest

import spiking.figure_io as figure_io
from conftest import load_figure_module


def _counting_compute():
    calls = []

    def compute(quick, backend):
        calls.append((quick, backend))
        return {"quick": quick, "backend": backend, "n": len(calls)}

    return compute, calls


def test_same_inputs_and_code_use_the_saved_data(tmp_path):
    compute, calls = _counting_compute()
    first = figure_io.cached_compute(str(tmp_path), "demo", __file__, compute, quick=True, backend="runtime")
    again = figure_io.cached_compute(str(tmp_path), "demo", __file__, compute, quick=True, backend="runtime")
    assert first == again and len(calls) == 1


def test_changed_inputs_code_or_recompute_compute_anew(tmp_path, monkeypatch):
    compute, calls = _counting_compute()
    out = str(tmp_path)
    figure_io.cached_compute(out, "demo", __file__, compute, quick=True, backend="runtime")
    # another input value
    assert figure_io.cached_compute(out, "demo", __file__, compute, quick=False, backend="runtime")["n"] == 2
    # the same inputs under another figure name
    assert figure_io.cached_compute(out, "other", __file__, compute, quick=True, backend="runtime")["n"] == 3
    # forced
    assert figure_io.cached_compute(out, "demo", __file__, compute, True, quick=True, backend="runtime")["n"] == 4
    # changed code: any source file of spiking/, models/ or the figure changes the fingerprint
    real = figure_io.source_fingerprint(__file__)
    monkeypatch.setattr(figure_io, "source_fingerprint", lambda figure_file: real + "-edited")
    assert figure_io.cached_compute(out, "demo", __file__, compute, quick=True, backend="runtime")["n"] == 5


def test_fingerprint_follows_the_figure_source(tmp_path):
    script = tmp_path / "fig.py"
    script.write_text("A = 1\n")
    before = figure_io.source_fingerprint(str(script))
    script.write_text("A = 2\n")
    assert figure_io.source_fingerprint(str(script)) != before


@pytest.mark.slow
def test_a_figure_replots_from_its_cache_in_seconds(tmp_path):
    module = load_figure_module("naud2018_multiplexing")
    module.main(["--quick", "--out", str(tmp_path)])
    with open(tmp_path / "naud2018_multiplexing.json") as handle:
        computed = json.load(handle)
    start = time.perf_counter()
    module.main(["--quick", "--out", str(tmp_path)])
    replot_s = time.perf_counter() - start
    with open(tmp_path / "naud2018_multiplexing.json") as handle:
        cached = json.load(handle)
    assert replot_s < 5.0  # the target for a cached figure (a plot and two files)
    computed.pop("provenance"), cached.pop("provenance")
    assert cached == computed


def test_help_names_the_backend_a_script_actually_defaults_to():
    # A script that sets another default backend (the XOR figure: cpp_standalone) must not be
    # documented as running on runtime; the help text is read from the parser's real default.
    parser = figure_io.figure_arguments("demo")
    assert "(default: runtime)" in " ".join(parser.format_help().split())
    parser.set_defaults(backend="cpp_standalone")
    assert "(default: cpp_standalone)" in " ".join(parser.format_help().split())
    assert parser.parse_args([]).backend == "cpp_standalone"
