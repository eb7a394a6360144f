"""One progress display for long runs: a tqdm bar, fed by Brian's own progress reports.

Brian reports a run's progress through a report function: on the runtime backend a Python
callable, on the standalone backends C++ code compiled into the binary. Both end here:

- runtime: :class:`RuntimeReport` is the callable; it forwards the completed fraction to the bar
  of the run in progress;
- standalone: :data:`STANDALONE_REPORT_CODE` makes the binary write its completed fraction to
  ``progress.txt`` in its results folder about once a second (:data:`REPORT_PERIOD_S`, wall
  time); :func:`watch_progress_file` reads it from a thread while the binary runs.

Every build carries the report code, whether or not a bar is shown, so that asking for a bar
never changes the compiled code (no rebuild). Sweeps (their own bar over points), figure scripts
(``--no-progress``) and simulations (``Simulation.run(progress=...)``) all draw tqdm bars on
stderr. By default a simulation shows its bar when stderr is a terminal; ``SPIKING_PROGRESS=0``
or ``1`` in the environment, or :func:`set_default`, decides instead.

Examples
--------
>>> bar = RunProgress("demo", simulated_s=2.0, enabled=False)
>>> bar.update(0.5); bar.update(1.0); bar.close()
>>> bar.completed
1.0
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Callable, Iterator

__all__ = ["STANDALONE_REPORT_CODE", "PROGRESS_FILE", "REPORT_PERIOD_S", "RunProgress", "RuntimeReport",
           "watch_progress_file", "read_progress_file", "default_enabled", "set_default"]

#: Name of the file, in a standalone run's results folder, that holds its completed fraction.
PROGRESS_FILE = "progress.txt"
#: Wall-clock seconds between two progress reports of a run.
REPORT_PERIOD_S = 1.0
#: Body of the standalone binary's report function (Brian's ``report`` argument as C++ code):
#: overwrite the progress file with "completed elapsed_s start_s duration_s".
STANDALONE_REPORT_CODE = (
    'std::ofstream _progress_file((brian::results_dir + "' + PROGRESS_FILE + '").c_str(), '
    'std::ios::out | std::ios::trunc);\n'
    '_progress_file << completed << " " << elapsed << " " << start << " " << duration << std::endl;\n'
    '_progress_file.close();'
)

_default: bool | None = None


def set_default(enabled: bool | None) -> None:
    """Show simulation progress bars by default (True), never (False), or decide from the
    environment and the terminal (None)."""
    global _default
    _default = enabled


def default_enabled() -> bool:
    """Whether a simulation shows a bar when its caller does not say: :func:`set_default`, else
    ``SPIKING_PROGRESS`` ("0"/"1"), else whether stderr is a terminal."""
    if _default is not None:
        return _default
    value = os.environ.get("SPIKING_PROGRESS", "").strip()
    if value in ("0", "1"):
        return value == "1"
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


class RunProgress:
    """A bar over one simulation run, in simulated seconds.

    Parameters
    ----------
    description : str
        Label in front of the bar.
    simulated_s : float
        Simulated duration of the run (seconds): the bar's total.
    enabled : bool
        False: record the completed fraction only (no output).
    """

    def __init__(self, description: str, simulated_s: float, enabled: bool = True) -> None:
        self.completed = 0.0
        self.total_s = float(simulated_s)
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=round(self.total_s, 3), desc=description, unit="s sim", file=sys.stderr,
                             leave=False, dynamic_ncols=True,
                             bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s simulated "
                                        "[{elapsed}<{remaining}]")

    def update(self, completed: float) -> None:
        """Move the bar to the completed fraction ``completed`` (0..1; never backwards)."""
        completed = min(1.0, max(self.completed, float(completed)))
        if self._bar is not None and completed > self.completed:
            self._bar.update(round((completed - self.completed) * self.total_s, 3))
        self.completed = completed

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class RuntimeReport:
    """Brian ``report`` callable for runtime runs: forwards the completed fraction to ``target``
    (set per run; nothing while it is None)."""

    def __init__(self) -> None:
        self.target: Callable[[float], None] | None = None

    def __call__(self, elapsed, completed, start, duration) -> None:
        if self.target is not None:
            self.target(float(completed))


def read_progress_file(path: str) -> float | None:
    """The completed fraction in a standalone run's progress file, or None (absent or partly
    written).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), PROGRESS_FILE)
    >>> _ = open(path, "w").write("0.25 3.1 0 8\\n")
    >>> read_progress_file(path)
    0.25
    """
    try:
        with open(path) as handle:
            fields = handle.read().split()
        return float(fields[0]) if len(fields) >= 4 else None
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def watch_progress_file(path: str, callback: Callable[[float], None] | None,
                        interval_s: float = 0.25) -> Iterator[None]:
    """While the block runs, pass the completed fraction of the progress file ``path`` to
    ``callback`` (from a thread, every ``interval_s``); a last reading when the block ends.
    ``callback=None``: do nothing."""
    if callback is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(interval_s):
            value = read_progress_file(path)
            if value is not None:
                callback(value)

    thread = threading.Thread(target=poll, name="spiking-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        value = read_progress_file(path)
        if value is not None:
            callback(value)
