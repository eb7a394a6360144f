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


def _find_python(tmp_path, fakes: dict, python_env: str | None = None):
    """Run ``.ci/bootstrap --find-python`` with only ``fakes`` (name -> exit status of the
    version check) and the few tools the script needs on PATH, and an empty HOME."""
    import shutil
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("cat", "dirname"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    for name, status in fakes.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\nexit {status}\n")
        path.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path / "home")}
    if python_env is not None:
        env["PYTHON"] = python_env
    return subprocess.run(["/bin/bash", os.path.join(ROOT, ".ci", "bootstrap"), "--find-python"], env=env,
                          capture_output=True, text=True, timeout=60)


def test_bootstrap_finds_python_312_or_313_in_order(tmp_path):
    # a python3.12 that fails the version check is passed over for python3.13
    found = _find_python(tmp_path, {"python3.12": 1, "python3.13": 0, "python3": 0})
    assert found.returncode == 0 and found.stdout.strip().endswith("/bin/python3.13")


def test_bootstrap_takes_an_explicit_interpreter(tmp_path):
    fake = tmp_path / "my-python"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    found = _find_python(tmp_path, {"python3.12": 0}, python_env=str(fake))
    assert found.returncode == 0 and found.stdout.strip() == str(fake)
    (tmp_path / "other").mkdir()
    refused = _find_python(tmp_path / "other", {}, python_env="/no/such/python")
    assert refused.returncode == 2 and "PYTHON=/no/such/python is not a working Python 3.12 or 3.13" in refused.stderr


def test_bootstrap_says_how_to_get_python_when_none_is_found(tmp_path):
    fixed = [p for p in ("/usr/local/bin/python3.12", "/usr/local/bin/python3.13", "/usr/bin/python3.12",
                         "/usr/bin/python3.13") if os.path.exists(p)]
    if fixed:
        pytest.skip(f"this machine has {fixed[0]} in a place the script always searches")
    missing = _find_python(tmp_path, {"python3": 1})
    assert missing.returncode == 1
    for hint in ("no Python 3.12 or 3.13 found", "apt install python3.13", "pyenv install 3.12",
                 "conda env create -f environment.yml", "PYTHON=/path/to/python3.12 .ci/bootstrap"):
        assert hint in missing.stderr


def test_written_files_follow_the_umask(tmp_path):
    from spiking.fileutil import current_umask
    from spiking.figure_io import write_json

    path = tmp_path / "out.json"
    write_json(str(path), {"a": 1})
    # an atomically written file (mkstemp, then renamed) gets the mode of a plainly created one
    assert path.stat().st_mode & 0o777 == 0o666 & ~current_umask()


def test_figure_backend_errors_are_one_line(capsys):
    import shutil
    import subprocess

    from conftest import load_figure_module

    bac = load_figure_module("larkum1999_bac")
    with pytest.raises(SystemExit) as exit_info:
        bac.main(["--backend", "foo"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown backend 'foo'" in err
    assert all(name in err for name in ("runtime", "cpp_standalone", "cuda_standalone"))
    gpu = shutil.which("nvidia-smi") and subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0
    if not gpu:
        with pytest.raises(SystemExit):
            bac.main(["--backend", "cuda"])
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "needs an NVIDIA GPU" in err and "cpp_standalone" in err


def test_spiking_command_answers_help_without_importing_brian():
    import subprocess
    import sys

    code = ("import sys\nfrom spiking.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('BRIAN_IMPORTED' if 'brian2' in sys.modules else 'NO_BRIAN')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "usage: spiking" in out.stdout and out.stdout.strip().endswith("NO_BRIAN")
