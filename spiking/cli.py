"""Command line: ``spiking figure``, ``spiking info``, ``spiking gallery``, ``spiking export`` and
``spiking sweep run|status|load|report``.

Examples
--------
::

    spiking figure --list                           # every figure script, one line each
    spiking figure larkum1999_bac --quick --out out # run one (other options go to the script)
    spiking info                                    # versions, backends, compilers, GPU
    spiking gallery                                 # README thumbnails of every figure (--quick runs)
    spiking sweep run figures/sweeps/sst_modulation.yaml --out results/sst_sweep --workers 2
    spiking sweep status results/sst_sweep          # prints: done 12/30 failed 0
    spiking sweep load results/sst_sweep --to sst_sweep.nc
    spiking sweep report results/sst_sweep --html sst_sweep.html   # interactive, self-contained

From Python, ``spiking.sweep.load_sweep(DIR)`` returns the same Dataset as ``sweep load``.
"""

from __future__ import annotations

import argparse
import sys

from spiking.figure_catalog import figures_folder, list_figures

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spiking", description="Spiking ensembles on Brian2: figures, "
                                                                 "machine information and parameter sweeps.")
    commands = parser.add_subparsers(dest="command", required=True)
    figure = commands.add_parser("figure", help="run a figure script (figures/NAME.py), or list them",
                                 description="Run figures/NAME.py; options after NAME (--quick, --backend, --out, "
                                             "and the script's own) go to the script.")
    figure.add_argument("name", nargs="?", help="figure name (see --list)")
    figure.add_argument("--list", action="store_true", help="list the figures with one line each")
    commands.add_parser("info", help="versions, backends, compilers and GPU of this machine")
    gallery = commands.add_parser("gallery", help="run every figure with --quick and write README thumbnails",
                                  description="Run the figure scripts with --quick (each in its own process) and "
                                              "write thumbnails of their PNGs and an index.md to the gallery folder.")
    gallery.add_argument("--out", default=None, help="gallery folder (default: docs/gallery of the checkout)")
    gallery.add_argument("--only", default=None, help="comma-separated figure names (default: all)")
    gallery.add_argument("--work", default=None, help="folder for the figures' full-size outputs (default: temporary)")
    gallery.add_argument("--full", default=None, metavar="DIR",
                         help="take a figure's PNG from this output folder (its full run) where it exists")
    export = commands.add_parser("export", help="run an experiment and write its results as NWB",
                                 description="Run the BAC protocol or the multiplexing ensemble and write spikes, "
                                             "recorded states, decoded E/B/P, parameters and provenance to an NWB "
                                             "file (needs the extra 'export').")
    export.add_argument("experiment", choices=EXPORTABLE, help="what to run")
    export.add_argument("--nwb", required=True, help="the NWB file to write (replaced if it exists)")
    export.add_argument("--quick", action="store_true", help="the figure's reduced protocol")
    export.add_argument("--backend", default="runtime", help="simulation backend (default: runtime)")
    sweep = commands.add_parser("sweep", help="run, inspect and load parameter sweeps")
    actions = sweep.add_subparsers(dest="action", required=True)
    run = actions.add_parser("run", help="run (or resume) a sweep from a YAML spec")
    run.add_argument("spec", help="sweep spec (YAML)")
    run.add_argument("--out", required=True, help="results folder (manifest.json, points/, builds/)")
    run.add_argument("--workers", type=int, default=None,
                     help="worker processes of the local Dask cluster (default: one per core; 0: serial, no Dask)")
    run.add_argument("--scheduler", default=None, help="address of a running Dask scheduler instead of a local cluster")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    status = actions.add_parser("status", help="print 'done D/T failed F'")
    status.add_argument("directory")
    status.add_argument("--errors", action="store_true", help="also print each failed point's error")
    load = actions.add_parser("load", help="load the results as one xarray Dataset")
    load.add_argument("directory")
    load.add_argument("--to", default=None, help="write the Dataset to this netCDF file")
    report = actions.add_parser("report", help="write an interactive HTML report (Bokeh, self-contained)")
    report.add_argument("directory")
    report.add_argument("--html", required=True, help="the HTML file to write")
    return parser


def _keep_ignored_sigint() -> None:
    """Brian wraps the SIGINT handler it finds at import; when that was "ignore" (a background
    job), the wrapper raises TypeError on SIGINT instead of ignoring it (brian2 2.10): restore
    "ignore" then. In a terminal, Ctrl-C still raises KeyboardInterrupt as usual."""
    import importlib
    import signal

    importlib.import_module("brian2")  # installs Brian's handler

    handler = signal.getsignal(signal.SIGINT)
    previous = getattr(handler, "previous_handler", None)
    if previous is not None and not callable(previous):
        signal.signal(signal.SIGINT, previous)


#: Experiments ``spiking export`` runs.
EXPORTABLE = ("bac", "multiplexing")


def _export(experiment: str, path: str, quick: bool, backend: str) -> int:
    """Run ``experiment`` (the BAC protocol, or the multiplexing figure's ensemble) and write
    it to ``path`` as NWB."""
    import importlib.util
    import os

    from spiking.backend import check_backend_available
    from spiking.export import result_of_bac, to_nwb
    from spiking.provenance import provenance

    backend = check_backend_available(backend)
    if experiment == "bac":
        from models.pyramidal import PyramidalParameters
        from spiking.bac import BACProtocol, run_bac

        protocol = BACProtocol.quick() if quick else BACProtocol()
        bac = run_bac(PyramidalParameters(), protocol, backend=backend)
        to_nwb(result_of_bac(bac), path, dt_s=1e-4, overwrite=True,
               provenance=provenance(backend=backend, seed=None, experiment="BAC protocol", quick=quick,
                                     protocol=repr(protocol)),
               session_description="BAC firing protocol (Larkum et al. 1999) in the two-compartment neuron")
    else:
        from spiking.simulation import Simulation

        spec = importlib.util.spec_from_file_location("figure_multiplexing",
                                                      os.path.join(figures_folder(), "naud2018_multiplexing.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        plan = module.protocol(quick)[0]
        plan.record_states("pyr", ["v_s", "v_d"], [0, 1, 2])  # a few cells' voltages for the file
        with Simulation(plan, backend=backend) as sim:
            result = sim.run()
        to_nwb(result, path, plan=plan, overwrite=True,
               provenance=provenance(backend=backend, seed=plan.seed, experiment="burst multiplexing", quick=quick),
               session_description="burst multiplexing in one ensemble (Naud & Sprekeler 2018, Fig. 1)")
    print(f"wrote {path}")
    return 0


def _run_figure(name: str | None, show_list: bool, extra: list[str]) -> int:
    figures = list_figures()
    if not figures:
        print(f"error: no figure scripts in {figures_folder()} (the figures come with a checkout of the project)",
              file=sys.stderr)
        return 2
    if show_list or name is None:
        width = max(len(n) for n in figures)
        for figure_name, line in figures.items():
            print(f"{figure_name:<{width}}  {line}")
        return 0
    if name not in figures:
        print(f"error: no figure {name!r}; one of: {', '.join(figures)} (spiking figure --list)", file=sys.stderr)
        return 2
    import importlib.util
    import os

    spec = importlib.util.spec_from_file_location(f"figure_{name}", os.path.join(figures_folder(), f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    try:
        module.main(extra)
    except SystemExit as stop:  # the script's own argument errors (one line) and exits
        return stop.code if isinstance(stop.code, int) else 1
    return 0


def machine_info() -> dict:
    """Versions, backends, compilers and GPU of this machine (what ``spiking info`` prints)."""
    import os
    import platform
    import shutil
    import subprocess

    from spiking.provenance import package_versions

    def first_line(command: list[str]) -> str | None:
        if shutil.which(command[0]) is None:
            return None
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return None
        lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
        return lines[0].strip() if out.returncode == 0 and lines else None

    nvcc = first_line(["nvcc", "--version"])
    if nvcc is not None:
        release = [line for line in subprocess.run(["nvcc", "--version"], capture_output=True, text=True).stdout
                   .splitlines() if "release" in line]
        nvcc = release[0].strip() if release else nvcc
    gpu = first_line(["nvidia-smi", "-L"])
    backends = {"runtime": "available", "cpp_standalone": "available" if shutil.which("g++") or shutil.which("c++")
                else "no C++ compiler found"}
    from spiking.backend import check_backend_available
    from spiking.errors import BackendError

    try:
        check_backend_available("cuda_standalone")
        backends["cuda_standalone"] = "available"
    except BackendError as err:
        backends["cuda_standalone"] = f"not available: {err}"
    cpu = platform.processor() or platform.machine()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    return {"versions": package_versions(), "platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
            "backends": backends, "compilers": {"c++": first_line(["g++", "--version"]) or first_line(["c++", "--version"]),
                                                "nvcc": nvcc},
            "gpu": gpu}


def _print_info() -> int:
    info = machine_info()
    print("versions:  " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(f"machine:   {info['cpu']}, {info['cores']} cores; {info['platform']}")
    for name, state in info["backends"].items():
        print(f"backend:   {name}: {state}")
    for name, version in info["compilers"].items():
        print(f"compiler:  {name}: {version or 'not found'}")
    print(f"gpu:       {info['gpu'] or 'none found (nvidia-smi -L)'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spiking`` command; returns the exit status."""
    parser = _parser()
    # before any heavy import: --help and usage errors answer at once
    args, extra = parser.parse_known_args(argv)
    if args.command == "figure":
        return _run_figure(args.name, args.list, extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "info":
        return _print_info()
    if args.command == "gallery":
        import os

        from spiking.errors import ParameterError
        from spiking.gallery import GALLERY_DIR, run_gallery

        out = args.out or os.path.join(os.path.dirname(figures_folder()), GALLERY_DIR)
        try:
            report = run_gallery(out, only=args.only.split(",") if args.only else None, work_dir=args.work,
                                 full_dir=args.full)
        except ParameterError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        failed = {name: r["error"] for name, r in report.items() if r["error"]}
        for name, error in failed.items():
            print(f"{name} failed: {error}", file=sys.stderr)
        print(f"wrote {sum(len(r['thumbnails']) for r in report.values())} thumbnail(s) to {out}")
        return 1 if failed else 0
    if args.command == "export":
        from spiking.errors import BackendError, ParameterError

        try:
            return _export(args.experiment, args.nwb, args.quick, args.backend)
        except (ParameterError, BackendError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2

    from spiking.errors import ParameterError
    from spiking.sweep import SweepSpec, SweepStore, load_sweep, run_sweep, sweep_status

    _keep_ignored_sigint()
    try:
        if args.action == "run":
            spec = SweepSpec.from_yaml(args.spec)
            summary = run_sweep(spec, args.out, workers=args.workers, scheduler=args.scheduler,
                                progress=not args.no_progress)
            print(f"{sweep_status(args.out)} ({summary['computed']} computed now, {summary['n_builds']} build(s), "
                  f"{summary['wall_s']:.1f} s)")
            if summary["interrupted"]:
                print("interrupted: finished points are kept; run the same command again to resume", file=sys.stderr)
                return 130
            return 1 if summary["failed"] else 0
        if args.action == "status":
            print(sweep_status(args.directory))
            if args.errors:
                for point_id, error in SweepStore(args.directory).errors().items():
                    print(f"{point_id}: {error.get('error', {}).get('type')}: {error.get('error', {}).get('message')}")
            return 0
        if args.action == "report":
            from spiking.sweep.report import sweep_report

            print(f"wrote {sweep_report(args.directory, args.html)}")
            return 0
        dataset = load_sweep(args.directory)
        print(dataset)
        if args.to:
            dataset.to_netcdf(args.to)
            print(f"wrote {args.to}")
        return 0
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
