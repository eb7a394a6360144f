"""Command line: ``spiking sweep run|status|load``.

Examples
--------
::

    spiking sweep run figures/sweeps/sst_modulation.yaml --out results/sst_sweep --workers 2
    spiking sweep status results/sst_sweep          # prints: done 12/30 failed 0
    spiking sweep load results/sst_sweep --to sst_sweep.nc

From Python, ``spiking.sweep.load_sweep(DIR)`` returns the same Dataset as ``sweep load``.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spiking", description="Spiking ensembles on Brian2: parameter sweeps.")
    commands = parser.add_subparsers(dest="command", required=True)
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spiking`` command; returns the exit status."""
    from spiking.errors import ParameterError
    from spiking.sweep import SweepSpec, SweepStore, load_sweep, run_sweep, sweep_status

    _keep_ignored_sigint()

    args = _parser().parse_args(argv)
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
