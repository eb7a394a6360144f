"""The gallery (spiking/gallery.py, ``spiking gallery``): a figure's --quick run becomes a
thumbnail no larger than the limit, listed in index.md; a failing or unknown figure is reported."""

import os

import numpy as np
import pytest
from PIL import Image

from spiking.cli import list_figures, main
from spiking.errors import ParameterError
from spiking.gallery import make_thumbnail, run_gallery


def test_thumbnails_shrink_to_the_limit_and_never_grow(tmp_path):
    big, small = tmp_path / "big.png", tmp_path / "small.png"
    Image.fromarray(np.full((1500, 2400, 3), 200, dtype=np.uint8)).save(big)
    Image.fromarray(np.full((300, 400, 3), 10, dtype=np.uint8)).save(small)
    width, height = make_thumbnail(str(big), str(tmp_path / "a.png"), max_px=900)
    assert width == 900 and abs(height - 1500 * 900 / 2400) <= 0.5  # aspect kept, to the rounding pixel
    assert make_thumbnail(str(small), str(tmp_path / "b.png"), max_px=900) == (400, 300)
    with Image.open(tmp_path / "a.png") as image:
        assert image.size == (width, height)


def test_gallery_runs_a_figure_and_indexes_its_thumbnail(tmp_path):
    out = tmp_path / "gallery"
    # meso_learning --quick: numpy only, seconds
    report = run_gallery(str(out), only=["meso_learning"], work_dir=str(tmp_path / "work"))
    assert report["meso_learning"]["error"] is None
    thumbnails = report["meso_learning"]["thumbnails"]
    assert thumbnails and all((out / name).exists() for name in thumbnails)
    for name in thumbnails:
        with Image.open(out / name) as image:
            assert max(image.size) <= 900 and min(image.size) > 100  # a real plot, shrunk
    index = (out / "index.md").read_text()
    assert "## meso_learning" in index and list_figures()["meso_learning"] in index
    assert all(f"]({name})" in index for name in thumbnails)


def test_gallery_rejects_unknown_figures_before_running_anything(tmp_path):
    with pytest.raises(ParameterError, match="no figure 'nope'"):
        run_gallery(str(tmp_path / "g"), only=["meso_learning", "nope"])
    assert not os.path.exists(tmp_path / "g")
    assert main(["gallery", "--out", str(tmp_path / "g"), "--only", "nope"]) == 2


def test_a_full_runs_png_replaces_the_quick_run_where_given(tmp_path):
    full, out = tmp_path / "output", tmp_path / "gallery"
    full.mkdir()
    Image.fromarray(np.full((1000, 2000, 3), 90, dtype=np.uint8)).save(full / "routing.png")
    report = run_gallery(str(out), only=["routing"], full_dir=str(full))
    # nothing ran (no work folder needed): the thumbnail is the full run's PNG, shrunk
    assert report["routing"] == {"thumbnails": ["routing.png"], "wall_s": 0.0, "error": None, "source": "full"}
    with Image.open(out / "routing.png") as image:
        assert image.size == (900, 450)
    assert "## routing (*full run*)" in (out / "index.md").read_text()
