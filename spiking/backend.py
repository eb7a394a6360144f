"""The one place where the Brian device and code-generation preferences are chosen.

Backends:

``runtime``
    Brian's runtime mode; the per-step code is generated in Cython (or numpy, for
    quick tests; see :data:`RUNTIME_TARGET_ENV`).
``cpp_standalone``
    A C++ project is generated, compiled once, and run as a separate binary; runs after
    the first reuse the binary with new values (``run_args``).
``cuda_standalone``
    brian2cuda (optional extra ``[gpu]``); imported only when asked for.

A :class:`BackendSession` is a context manager: it sets the device, ``dt`` and the
preferences, and restores all of them afterwards, so model code never calls
``set_device`` or touches global preferences. Build directories are fresh temporary
folders (unique per process and per session) unless a directory is given.

Examples
--------
>>> from brian2 import NeuronGroup, Network, ms
>>> from spiking.backend import BackendSession
>>> with BackendSession("runtime", dt=0.1 * ms) as session:
...     group = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", name="example_group")
...     net = Network(group)
...     session.run(net, 1 * ms)
...     session.execute()
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from typing import Any, Callable

import numpy as np

from brian2 import Quantity, defaultclock, device, get_device, ms, prefs, set_device
from brian2.devices.device import reset_device

from spiking.brian_fixes import apply_brian_fixes
from spiking.codegen import configure_vectorisation
from spiking.errors import BackendError, ParameterError
from spiking.parameters import MAX_DT, check_dt  # noqa: F401 (re-exported: the backend checks dt)
from spiking.progress import PROGRESS_FILE, REPORT_PERIOD_S, STANDALONE_REPORT_CODE, RuntimeReport, watch_progress_file

# process-independent random draws (see spiking.brian_fixes)
apply_brian_fixes()

__all__ = ["BACKENDS", "normalize_backend", "check_dt", "BackendSession", "RUNTIME_TARGET_ENV",
           "MAX_DT", "cuda_library_paths", "forget_build_values"]

BACKENDS = ("runtime", "cpp_standalone", "cuda_standalone")
_ALIASES = {"cpp": "cpp_standalone", "cuda": "cuda_standalone", "standalone": "cpp_standalone"}
#: Environment variable naming the runtime code-generation target ("cython" or "numpy").
RUNTIME_TARGET_ENV = "SPIKING_RUNTIME_TARGET"
_active_session: "BackendSession | None" = None


def normalize_backend(name: str) -> str:
    """Return the canonical backend name, or raise naming the allowed ones.

    Examples
    --------
    >>> normalize_backend("cuda")
    'cuda_standalone'
    """
    if not isinstance(name, str) or _ALIASES.get(name, name) not in BACKENDS:
        allowed = list(BACKENDS) + sorted(_ALIASES)
        raise ParameterError(f"backend must be one of {allowed}; got {name!r}")
    return _ALIASES.get(name, name)


def _runtime_target(requested: str | None) -> str:
    target = requested or os.environ.get(RUNTIME_TARGET_ENV, "cython")
    if target not in ("cython", "numpy"):
        raise ParameterError(f"runtime code-generation target must be 'cython' or 'numpy'; got {target!r}"
                             f" (from {'argument' if requested else RUNTIME_TARGET_ENV})")
    return target


class BackendSession:
    """Owns Brian's device, ``dt`` and preferences for the duration of a ``with`` block.

    Parameters
    ----------
    backend : str
        ``"runtime"``, ``"cpp_standalone"`` or ``"cuda_standalone"`` (aliases ``"cpp"``,
        ``"cuda"``).
    dt : Quantity
        Integration step of the default clock, in (0, 0.5 ms].
    directory : str, optional
        Build directory of a standalone project; a fresh temporary one when omitted
        (deleted at exit unless ``keep_build``).
    codegen_target : {"cython", "numpy"}, optional
        Runtime code-generation target; default from ``$SPIKING_RUNTIME_TARGET`` or Cython.
    keep_build : bool
        Keep a temporary build directory after the session.

    Notes
    -----
    Usage: create Brian objects inside the block, call :meth:`run` once per network run
    (on standalone backends this records the run), then :meth:`execute` to obtain results
    (standalone: compiles on the first call, then runs the binary; later calls rerun it,
    optionally with ``run_args``, without recompiling). Read monitors right after
    :meth:`execute`, inside the block.
    """

    def __init__(self, backend: str = "runtime", dt: Quantity = 0.1 * ms, directory: str | None = None,
                 codegen_target: str | None = None, keep_build: bool = False, compile_only: bool = False,
                 compute_capability: float | None = None) -> None:
        self.backend = normalize_backend(backend)
        check_dt(dt)
        if compile_only and self.backend != "cuda_standalone":
            raise ParameterError("compile_only is a cuda_standalone option (generate and compile the CUDA project "
                                 "without a GPU)")
        if compute_capability is not None and not (isinstance(compute_capability, (int, float))
                                                   and 3.0 <= compute_capability < 20):
            raise ParameterError(f"compute_capability must be a number like 8.0 or 9.0; got {compute_capability!r}")
        self.compile_only = compile_only
        self.compute_capability = compute_capability
        self.dt = dt
        self.codegen_target = _runtime_target(codegen_target) if self.backend == "runtime" else None
        self._requested_directory = directory
        self.keep_build = keep_build
        self.directory: str | None = None
        self._built = False
        self._runs = 0
        self._executions = 0
        self._pending_runtime: list[tuple[Any, Quantity, dict, Any]] = []
        self.timings: dict[str, float] = {}

    @property
    def is_standalone(self) -> bool:
        return self.backend != "runtime"

    # -- context management -------------------------------------------------------------------
    def __enter__(self) -> "BackendSession":
        global _active_session
        if _active_session is not None:
            raise BackendError("another BackendSession is active; Brian has one global device, "
                               "so sessions cannot be nested")
        if self.backend == "cuda_standalone":
            _import_brian2cuda()
            if not self.compile_only:
                _check_gpu()
        if self.backend != "runtime":
            # Brian names objects uniquely among the *live* ones: objects of an earlier session
            # that reference cycles keep alive would turn "pyr_stateupdater_codeobject" into
            # "..._1", and a rebuild in the same folder would recompile every file
            gc.collect()
        prefs._backup()
        self._saved_dt = defaultclock.dt
        if self.backend == "runtime":
            prefs.codegen.target = self.codegen_target
        else:
            if self._requested_directory is None:
                self.directory = tempfile.mkdtemp(prefix=f"spiking-{self.backend}-")
            else:
                self.directory = os.path.abspath(self._requested_directory)
                os.makedirs(self.directory, exist_ok=True)
            if self.backend == "cuda_standalone":
                _configure_cuda(self.compile_only, self.compute_capability)
            else:
                configure_vectorisation()
            set_device(self.backend, build_on_run=False, directory=self.directory)
        defaultclock.dt = self.dt
        _active_session = self
        return self

    def __exit__(self, *exc: Any) -> None:
        global _active_session
        try:
            if self.is_standalone:
                get_device().reinit()
                get_device().activate()
                reset_device("runtime")
                if self._requested_directory is None and not self.keep_build and self.directory:
                    shutil.rmtree(self.directory, ignore_errors=True)
        finally:
            prefs._restore()
            defaultclock.dt = self._saved_dt
            _active_session = None

    # -- running --------------------------------------------------------------------------------
    def run(self, net: Any, duration: Quantity, namespace: dict | None = None, profile: bool = False) -> None:
        """Run (runtime: at the next :meth:`execute`) or record (standalone) one network run.
        ``profile=True`` records the time spent in each code object (see :meth:`profile`).

        Every run reports its progress (:mod:`spiking.progress`); :meth:`execute` passes it on
        to its ``progress`` callback."""
        from brian2 import second

        self._check_active()
        if self._built:
            raise BackendError("a standalone project cannot take more runs after it was built")
        period = REPORT_PERIOD_S * second
        if self.is_standalone:
            net.run(duration, namespace=namespace or {}, report=STANDALONE_REPORT_CODE, report_period=period,
                    profile=profile)
        else:
            self._pending_runtime.append((net, duration, namespace or {}, profile))
        self._networks = getattr(self, "_networks", []) + [net]
        self._runs += 1

    def profile(self) -> list[tuple[str, float]]:
        """``(code object, seconds)`` of the last execution, slowest first (runs with ``profile=True``)."""
        out: dict[str, float] = {}
        if self.is_standalone:
            # Brian looks in <project>/results; each execution here has its own results folder
            fname = os.path.join(device.results_dir, "profiling_info.txt")
            if os.path.exists(fname):
                with open(fname) as handle:
                    for line in handle:
                        name, seconds = line.split()
                        out[name] = out.get(name, 0.0) + float(seconds)
            return sorted(out.items(), key=lambda item: -item[1])
        for net in getattr(self, "_networks", []):
            try:
                for name, seconds in net.get_profiling_info():
                    out[name] = out.get(name, 0.0) + float(seconds)
            except ValueError:  # no profiling information for this network
                continue
        return sorted(out.items(), key=lambda item: -item[1])

    def compile(self, compile: bool = True) -> str:
        """Standalone only: generate (and compile) the project without running it; returns the
        build directory. This is the compile-only mode of the CUDA backend (no GPU needed)."""
        import time

        self._check_active()
        if not self.is_standalone:
            raise BackendError("compile() applies to the standalone backends")
        start = time.perf_counter()
        device.build(directory=self.directory, compile=compile, run=False, with_output=False)
        self.timings["build_s" if compile else "codegen_s"] = time.perf_counter() - start
        self._built = compile
        forget_build_values()
        return self.directory

    def execute(self, run_args: dict | None = None, progress: Callable[[float], None] | None = None) -> None:
        """Carry out the recorded runs; standalone projects are compiled at the first call.

        Parameters
        ----------
        run_args : dict, optional
            Standalone only: new values for group variables (``group.x``) or ``TimedArray``
            objects, applied without recompiling.
        progress : callable, optional
            Called with the completed fraction (0..1) of the run while it runs (Brian's progress
            reports, about once a second; see :mod:`spiking.progress`).
        """
        import time

        from brian2 import second

        self._check_active()
        if not self.is_standalone:
            if run_args:
                raise BackendError("run_args are a standalone feature; on runtime build a new network")
            start = time.perf_counter()
            report = RuntimeReport()
            for k, (net, duration, namespace, profile) in enumerate(self._pending_runtime):
                n_runs = len(self._pending_runtime)
                if progress is not None:  # the runs share the bar in equal parts
                    report.target = lambda completed, k=k: progress((k + completed) / n_runs)
                net.run(duration, namespace=namespace, report=report, report_period=REPORT_PERIOD_S * second,
                        profile=profile)
            self._pending_runtime.clear()
            self.timings["run_s"] = time.perf_counter() - start
            return
        if self.compile_only:
            raise BackendError("this CUDA session is compile-only (no GPU): use compile(), not execute()")
        if not self._built:
            start = time.perf_counter()
            device.build(directory=self.directory, compile=True, run=False, with_output=False)
            self.timings["build_s"] = time.perf_counter() - start
            self._built = True
            forget_build_values()
        start = time.perf_counter()
        results = f"results_{self._executions}"
        with watch_progress_file(os.path.join(self.directory, results, PROGRESS_FILE), progress):
            device.run(directory=self.directory, results_directory=results, with_output=False,
                       run_args=run_args or {})
        self.timings["run_s"] = time.perf_counter() - start
        if self._executions:
            # the results of the execution before are read (and copied) by now; a long series of
            # runs would otherwise keep every one of them (all arrays of the network, each time)
            shutil.rmtree(os.path.join(self.directory, f"results_{self._executions - 1}"), ignore_errors=True)
        self._executions += 1

    def run_command(self) -> tuple[tuple[str, ...], dict[str, str]]:
        """Standalone: the command (relative to the project folder) and the environment variables
        with which Brian runs the binary."""
        self._check_active()
        if not self.is_standalone:
            raise BackendError("run_command() applies to the standalone backends")
        run_cmd = prefs.devices.cpp_standalone.run_cmd_unix
        command = (run_cmd,) if isinstance(run_cmd, str) else tuple(run_cmd)
        environment = dict(prefs["devices.cpp_standalone.run_environment_variables"])
        environment.update(getattr(device, "run_environment_variables", {}))
        return command, {str(k): str(v) for k, v in environment.items()}

    def _check_active(self) -> None:
        if _active_session is not self:
            raise BackendError("BackendSession used outside its `with` block")


def forget_build_values(variables=None) -> None:
    """Drop the standalone device's Python copies of values known at build time, the way Brian
    invalidates the entries set on the command line; no-op on runtime. After a run Brian reads
    values from the results files instead.

    Parameters
    ----------
    variables : iterable of brian2 Variable, optional
        Forget only these (e.g. a projection's ``_synaptic_pre``/``_synaptic_post``: an int64
        copy of every synapse's indices, 16 bytes per synapse, which the build never reads
        back). Without it, once the project is written: every cached value and the static
        arrays (files in ``static_arrays/`` by then). These copies stayed alive beside the
        running binary: at 1e6 cells (4e8 synapses) the two did not fit into 24 GB together.

    Examples
    --------
    >>> forget_build_values()  # runtime device: nothing to forget
    """
    active = get_device()  # not Brian's `device` proxy: it answers a Dummy for missing attributes
    cache = getattr(active, "array_cache", None)
    if cache is None:
        return
    for var in list(cache) if variables is None else variables:
        cache[var] = None
    if variables is None:
        active.static_arrays.clear()


def encode_run_args(run_args: dict) -> list[str]:
    """Command-line form (``name=value`` strings) of standalone ``run_args`` for the active
    standalone device, writing array values into the project's ``static_arrays`` under
    content-hashed names (Brian's own encoding, as in ``device.run``; brian2 2.10)."""
    from brian2.core.variables import VariableView
    from brian2.input.timedarray import TimedArray as _TimedArray
    from brian2.utils.filelock import FileLock

    out = []
    for key, value in run_args.items():
        if isinstance(key, VariableView):
            name, string_value, value_name, value_ar = device._prepare_variableview_run_arg(key, value)
        elif isinstance(key, _TimedArray):
            name, string_value, value_name, value_ar = device._prepare_timed_array_run_arg(key, value)
        else:
            raise BackendError(f"run_args keys must be group variables or TimedArrays; got {type(key).__name__}")
        if value_name:
            fname = os.path.join(device.project_dir, "static_arrays", value_name)
            with FileLock(fname + ".lock"):
                if not os.path.exists(fname):
                    value_ar.tofile(fname)
        out.append(f"{name}={string_value}")
    return out


def array_file_of(variable, kind: str):
    """Where the active standalone device's binary writes ``variable`` in a results folder."""
    from spiking.readout import ArrayFile

    columns = None
    if kind == "monitor2d":
        size = variable.size
        columns = int(size[1]) if isinstance(size, tuple) else 0
    return ArrayFile(device.get_array_filename(variable), np.dtype(variable.dtype).str, columns)


def _check_gpu() -> None:
    import shutil
    import subprocess

    try:
        ok = shutil.which("nvidia-smi") is not None and subprocess.run(
            ["nvidia-smi", "-L"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    if not ok:
        raise BackendError("backend 'cuda_standalone' needs an NVIDIA GPU, but `nvidia-smi -L` fails or is missing "
                           "on this machine; use backend='cpp_standalone' instead (or compile_only=True to generate "
                           "and compile the CUDA project without running it)")
    if shutil.which("nvcc") is None and not os.environ.get("CUDA_PATH") and not os.environ.get("CUDA_HOME"):
        raise BackendError("backend 'cuda_standalone' needs the CUDA toolkit (nvcc), which is not on PATH and "
                           "CUDA_PATH/CUDA_HOME are unset; install it or use backend='cpp_standalone'")


def cuda_library_paths() -> tuple[list[str], list[str]]:
    """Include and library folders of cuRAND from the ``nvidia-curand`` wheel, when installed
    (toolkits without cuRAND, as on these build machines)."""
    try:
        import nvidia
    except ImportError:
        return [], []
    includes, libs = [], []
    for base in getattr(nvidia, "__path__", []):
        for sub in ("cu13", "curand", "cu12"):
            inc, lib = os.path.join(base, sub, "include"), os.path.join(base, sub, "lib")
            if os.path.exists(os.path.join(inc, "curand.h")):
                includes.append(inc)
                libs.append(lib)
    return includes, libs


def _configure_cuda(compile_only: bool, compute_capability: float | None) -> None:
    """brian2cuda preferences: C++17 (CUDA 13's Thrust needs it), cuRAND from the wheel when the
    toolkit lacks it, and no GPU detection in compile-only mode."""
    cuda = "devices.cuda_standalone.cuda_backend."
    if compile_only:
        prefs[cuda + "detect_gpus"] = False
        prefs[cuda + "gpu_id"] = 0
        prefs[cuda + "compute_capability"] = float(compute_capability or 9.0)
    elif compute_capability is not None:
        prefs[cuda + "compute_capability"] = float(compute_capability)
    gcc = [a for a in prefs.codegen.cpp.extra_compile_args_gcc if not a.startswith("-std=")]
    if compile_only:  # the binary may run on another CPU
        gcc = [a for a in gcc if a != "-march=native"]
    prefs.codegen.cpp.extra_compile_args_gcc = gcc + ["-std=c++17"]
    includes, libs = cuda_library_paths()
    nvcc = list(prefs[cuda + "extra_compile_args_nvcc"]) + ["-std=c++17"] + [f"-I{d}" for d in includes]
    prefs[cuda + "extra_compile_args_nvcc"] = nvcc
    if libs:
        for lib in libs:
            link = os.path.join(lib, "libcurand.so")
            if not os.path.exists(link):
                versioned = sorted(f for f in os.listdir(lib) if f.startswith("libcurand.so."))
                if versioned:
                    try:
                        os.symlink(versioned[-1], link)
                    except OSError:
                        pass
        prefs.codegen.cpp.library_dirs = list(prefs.codegen.cpp.library_dirs) + libs
        prefs.codegen.cpp.runtime_library_dirs = list(prefs.codegen.cpp.runtime_library_dirs) + libs


def check_backend_available(backend: str) -> str:
    """The canonical name of ``backend`` if it can run on this machine; otherwise raise
    :class:`ParameterError` (unknown name) or :class:`BackendError` (cuda_standalone without
    brian2cuda, GPU or CUDA toolkit), with one line that says what to do.

    Examples
    --------
    >>> check_backend_available("cpp")
    'cpp_standalone'
    """
    name = normalize_backend(backend)
    if name == "cuda_standalone":
        _import_brian2cuda()
        _check_gpu()
    return name


def _import_brian2cuda() -> None:
    try:
        import brian2cuda  # noqa: F401
    except ImportError as err:
        raise BackendError(
            "backend 'cuda_standalone' needs brian2cuda, which is not installed "
            "(pip install 'spiking[gpu]'); use backend='cpp_standalone' on a CPU instead") from err
