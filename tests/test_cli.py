"""The ``spiking`` command: figures (list, run), machine information."""

import os

import pytest

from conftest import ROOT
from spiking.cli import list_figures, machine_info, main


def test_figure_list_names_every_figure_script_with_a_line(capsys):
    scripts = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "figures")) if f.endswith(".py"))
    assert sorted(list_figures()) == scripts
    assert main(["figure", "--list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(scripts)
    for line, name in zip(lines, scripts):
        assert line.startswith(name) and len(line.split(None, 1)[1]) > 20  # a description, not just the name


def test_unknown_figure_is_one_line_naming_the_figures(capsys):
    assert main(["figure", "no_such_figure"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no figure 'no_such_figure'" in err and "larkum1999_bac" in err


def test_figure_options_reach_the_script(capsys):
    # the script's own argument check answers (one line, status 2): the options were forwarded
    assert main(["figure", "larkum1999_bac", "--backend", "foo"]) == 2
    assert "unknown backend 'foo'" in capsys.readouterr().err


def test_info_reports_versions_backends_and_compilers(capsys):
    info = machine_info()
    assert info["versions"]["brian2"] == "2.10.1"
    assert info["backends"]["runtime"] == "available"
    assert set(info["backends"]) == {"runtime", "cpp_standalone", "cuda_standalone"}
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "brian2 2.10.1" in out and "cpp_standalone" in out and "gpu:" in out


@pytest.mark.slow
def test_figure_command_runs_a_figure(tmp_path):
    assert main(["figure", "larkum1999_bac", "--quick", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "bac.png").stat().st_size > 20_000
