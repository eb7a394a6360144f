"""Project metadata stays consistent: environment.yml == pyproject dependencies, README's test
command is what CI runs, generated output is git-ignored."""

import os
import re
import tomllib

import pytest
import yaml

from conftest import ROOT


def _read(name):
    with open(os.path.join(ROOT, name)) as handle:
        return handle.read()


def _normalise(requirement: str) -> str:
    return re.sub(r"\s+", "", requirement).lower()


def test_environment_yml_lists_the_package_dependencies():
    meta = tomllib.loads(_read("pyproject.toml"))["project"]
    expected = {_normalise(r) for r in meta["dependencies"] + meta["optional-dependencies"]["test"]}
    env = yaml.safe_load(_read("environment.yml"))
    assert "python=3.12" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {_normalise(r) for r in pip_section if not r.startswith("-e")}
    assert listed == expected
    assert "brian2==2.10.1" in expected  # the version brian2cuda 1.0b1 requires
    assert "brian2cuda==1.0b1" in meta["optional-dependencies"]["gpu"]


def test_readme_test_command_is_what_ci_runs():
    readme, ci = _read("README.md"), _read(".ci/run")
    match = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S)
    assert match, "README must show the test command after <!-- test-command -->"
    assert match.group(1).strip() in ci


def test_generated_output_is_ignored():
    ignored = _read(".gitignore").split()
    for pattern in ("figures/output/", ".venv/", "__pycache__/"):
        assert pattern in ignored


def _readme_python_blocks():
    return re.findall(r"```python\n(.*?)```", _read("README.md"), re.S)


def test_readme_single_cell_quick_start_runs(capsys):
    exec(compile(_readme_python_blocks()[0], "README quick start", "exec"), {})
    assert capsys.readouterr().out.splitlines()[0] == "[1 0 3]"  # the comment in the README


@pytest.mark.slow
def test_readme_network_example_runs(capsys):
    exec(compile(_readme_python_blocks()[1], "README network example", "exec"), {})
    bp = [float(x) for x in capsys.readouterr().out.strip().strip("[]").split()]
    assert bp[1] > bp[0]  # "unit 1 (dendritic drive) bursts more"
