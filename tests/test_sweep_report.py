"""The interactive sweep report (spiking.sweep.report, ``spiking sweep report``): a
self-contained HTML page with the decoded rates over the sweep's axes, the axis values, the
provenance and a per-point hover; rendered by headless Chromium where one is installed."""

import json
import os
import shutil
import subprocess

import pytest

pytest.importorskip("bokeh")

from spiking.cli import main  # noqa: E402
from spiking.errors import ParameterError  # noqa: E402
from spiking.sweep import SweepSpec, run_sweep  # noqa: E402
from spiking.sweep.report import sweep_report  # noqa: E402

SPEC = {
    "name": "report_test", "experiment": "ensemble", "backend": "runtime", "seeds": [3, 4],
    "arguments": {"n_pyramids": 20, "n_pv": 5, "n_sst": 5, "n_units": 2, "duration_ms": 100},
    "axes": [{"name": "i_s", "target": "pyr.soma", "values": [300, 800], "unit": "pA"},
             {"name": "w_sst", "target": "w_sst_pyr", "values": [0.0, 0.035]}],
    "decode": {"populations": ["pyr"], "t_start_ms": 0, "bin_width_ms": 50},
}


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("sweep"))
    summary = run_sweep(SweepSpec.from_dict(json.loads(json.dumps(SPEC))), out, workers=0, progress=False)
    assert summary["done"] == 8
    return out


@pytest.mark.slow
def test_report_is_one_self_contained_page_with_axes_and_provenance(sweep_folder, tmp_path):
    path = str(tmp_path / "report.html")
    assert main(["sweep", "report", sweep_folder, "--html", path]) == 0
    with open(path) as handle:
        page = handle.read()
    assert "<script" in page and "Bokeh" in page
    import re
    assert not re.search(r'<script[^>]*src="http', page)  # inline JavaScript, no CDN: works offline
    for text in ("pyr event rate", "pyr burst probability", "axis i_s", "300, 800 pA", "axis w_sst", "0, 0.035",
                 "git_revision", "seeds", "3, 4", "std across seeds"):
        assert text in page, text


@pytest.mark.slow
def test_report_renders_in_headless_chromium(sweep_folder, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium on this machine (Debian: apt install chromium)")
    path = str(tmp_path / "report.html")
    sweep_report(sweep_folder, path)
    shot = str(tmp_path / "report.png")
    out = subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                          "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                          "--window-size=1150,1400", f"--screenshot={shot}", f"file://{path}"],
                         capture_output=True, text=True, timeout=120)
    console = [line for line in out.stderr.splitlines() if "CONSOLE" in line and ("rror" in line or "Uncaught" in line)]
    assert console == [], console
    assert os.path.getsize(shot) > 30_000  # a page of plots, not a blank screen
    keep = os.environ.get("SPIKING_REPORT_SHOT_DIR")  # to look at the screenshot after the test
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(shot, os.path.join(keep, "report.png"))


def test_report_of_a_folder_that_is_not_a_sweep(tmp_path):
    with pytest.raises(ParameterError, match="not a sweep folder"):
        sweep_report(str(tmp_path / "missing"), str(tmp_path / "r.html"))
