"""Test configuration: markers, quick code generation, shared helpers.

Unit and integration tests use Brian's numpy target (no compilation on a cold machine);
standalone tests compile C++ once per session-scoped fixture.
"""

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

# numpy code generation: no Cython compile on a cold cache (engineering.md)
os.environ.setdefault("SPIKING_RUNTIME_TARGET", "numpy")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: figure-level checks (seconds to minutes); run in CI")
    config.addinivalue_line("markers", "standalone: compiles a cpp_standalone project (about 20-30 s)")
    config.addinivalue_line("markers", "gpu: needs an NVIDIA GPU and brian2cuda; skipped otherwise")


def _gpu_available() -> bool:
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        return subprocess.run(["nvidia-smi", "-L"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def pytest_collection_modifyitems(config, items):
    if any("gpu" in item.keywords for item in items) and not _gpu_available():
        skip = pytest.mark.skip(reason="no NVIDIA GPU on this machine (nvidia-smi -L fails or is missing)")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)


def load_figure_module(name: str):
    """Import ``figures/<name>.py`` (the figure scripts are scripts, not a package)."""
    path = os.path.join(ROOT, "figures", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"figure_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def forbid_brian_objects(monkeypatch):
    """Fail if a NeuronGroup is made: proves that bad input is caught before code generation."""
    import models.pyramidal

    def refuse(*args, **kwargs):
        raise AssertionError("a NeuronGroup was created before the bad input was rejected")

    monkeypatch.setattr(models.pyramidal, "NeuronGroup", refuse)
