"""Run a sweep: build once per structure, run the points on Dask workers, store as they finish.

The driver process owns Brian's device. For each build key (experiment structure and seed)
with unfinished points it builds and compiles the standalone project once, into
``DIR/builds/<key>``, turns every point's run-time values into command-line arguments for
the binary, and submits one task per point. Workers (a ``LocalCluster`` by default, or any
scheduler) run the binary into a temporary results folder of their own and return a small
decoded Dataset; the driver writes it atomically. On the runtime backend a worker runs
Brian in its own process (Brian's compiled-code cache is shared and locked).

Interrupting (Ctrl-C) keeps every finished point; running the same sweep again computes only
the missing ones.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import time
from typing import Callable

from spiking.errors import ParameterError
from spiking.sweep.spec import SweepSpec, check_runtime_value, runtime_values
from spiking.sweep.store import SweepStore
from spiking.sweep.worker import PointTask, run_point

__all__ = ["run_sweep"]


def _point_values(spec: SweepSpec, experiment, point) -> tuple[dict, dict]:
    """Split a point's run-time values into Brian overrides and replaced currents."""
    from spiking.stimuli import Constant

    axes = {a.name: a for a in spec.axes}
    overrides, currents = {}, {}
    for name, value in point.runtime.items():
        for key, raw in runtime_values(experiment, axes[name], value).items():
            if check_runtime_value(experiment.plan, key, raw, f"axis {name!r}") == "current":
                currents[key] = Constant(raw)
            else:
                overrides[key] = raw
    return overrides, currents


def _record_of(future) -> dict:
    """The task's record, or an error record when Dask itself gave up on it (e.g. the task
    killed more workers than ``distributed.scheduler.allowed-failures`` allows)."""
    try:
        return future.result()
    except Exception as err:
        point_id = str(future.key).rsplit("-", 1)[-1]
        return {"id": point_id, "error": {"type": type(err).__name__, "message": str(err)}, "attempts": None}


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None, client=None):
    """A Dask client: the given one, one connected to ``scheduler``, or a new LocalCluster
    with ``workers`` single-threaded worker processes (Brian is not thread-safe)."""
    if client is not None:
        yield client
        return
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as connected:
            yield connected
        return
    n = workers or max(1, (os.cpu_count() or 2))
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as local:
        yield local


def run_sweep(spec: SweepSpec, out: str, workers: int | None = None, scheduler: str | None = None,
              client=None, progress: bool = True, on_result: Callable[[dict], None] | None = None,
              build_directory: str | None = None) -> dict:
    """Run (or resume) a sweep into the folder ``out``.

    Parameters
    ----------
    spec : SweepSpec
    out : str
        Results folder (see :mod:`spiking.sweep.store`).
    workers : int, optional
        Worker processes of the local cluster (default: one per CPU core); ``0`` runs every
        point in this process without Dask (serial reference).
    scheduler : str, optional
        Address of a running Dask scheduler (e.g. ``tcp://10.0.0.5:8786``, or a
        dask-jobqueue cluster's ``scheduler_address``); its workers must see ``out``.
    client : dask.distributed.Client, optional
        Use this client instead.
    progress : bool
        Show a progress bar (points done / total, ETA).
    on_result : callable, optional
        Called with each point's result record as it arrives (in the driver).
    build_directory : str, optional
        Where the compiled projects live (default ``out/builds``). Sweeps that share it reuse
        each other's builds (same experiment, arguments, seed and backend); a lock per build
        keeps concurrent sweeps from writing the same project at once.

    Returns
    -------
    dict
        ``done``, ``failed``, ``total``, ``computed`` (this call), ``n_builds`` and ``build_s``
        (builds of this call, with their code generation), ``wall_s``, ``interrupted``.

    Examples
    --------
    >>> spec = SweepSpec.from_yaml("figures/sweeps/sst_modulation.yaml")  # doctest: +SKIP
    >>> run_sweep(spec, "results/sst_sweep", workers=2)["done"]  # doctest: +SKIP
    30
    """
    from spiking.provenance import provenance
    from spiking.simulation import Simulation

    if not isinstance(spec, SweepSpec):
        raise ParameterError(f"spec must be a SweepSpec; got {type(spec).__name__}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 0):
        raise ParameterError(f"workers must be an integer >= 0 (0: serial, in this process); got {workers!r}")
    start = time.perf_counter()
    store = SweepStore(out)
    origin = provenance(backend=spec.backend, seed=None, seeds=list(spec.seeds))
    store.initialise(spec, origin)
    points = spec.points()
    arguments_of = {p.id: p.arguments for p in points}
    todo = [p for p in points if not store.is_done(p.id)]
    by_build: dict[str, list] = {}
    for p in todo:
        by_build.setdefault(p.build_key, []).append(p)
    summary = {"total": len(points), "computed": 0, "n_builds": 0, "build_s": 0.0, "interrupted": False}
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(points), initial=len(points) - len(todo), unit="point", desc=spec.name, smoothing=0.1)

    failed_now = []

    def receive(record: dict) -> None:
        if "dataset" in record:
            # each file carries what made it: spec hash, experiment arguments, versions, git revision
            record["dataset"].attrs.update({"spec_hash": spec.spec_hash, "experiment": spec.experiment,
                                            "arguments": json.dumps(arguments_of[record["id"]]),
                                            "provenance": json.dumps(origin, default=str)})
            store.write_point(record["id"], record["dataset"])
            summary["computed"] += 1
        else:
            store.write_error(record["id"], {k: v for k, v in record.items() if k != "dataset"})
            failed_now.append(record["id"])
        if bar is not None:
            bar.update(1)
            bar.set_postfix(failed=len(failed_now), refresh=False)
        if on_result is not None:
            on_result(record)

    def tasks_of(key: str, group: list):
        """Build (standalone) and yield the tasks of one build key."""
        experiment = spec.make_experiment(group[0].arguments)
        plan = experiment.plan
        values = [_point_values(spec, experiment, p) for p in group]
        common = {"decode": spec.decode, "retries": spec.retries, "backend": spec.backend}
        if spec.backend == "runtime":
            for p, (overrides, currents) in zip(group, values):
                yield PointTask(p.id, p.coords, p.seed, plan=plan, overrides=overrides, currents=currents, **common)
            return
        from brian2.utils.filelock import FileLock

        builds = os.path.abspath(build_directory) if build_directory else store.builds_dir
        directory = os.path.join(builds, key)
        os.makedirs(builds, exist_ok=True)
        with FileLock(directory + ".lock"), Simulation(plan, backend=spec.backend, directory=directory) as sim:
            start_build = time.perf_counter()
            build_s = sim.build()  # unchanged sources: code generation and a (nearly) no-op make
            summary["n_builds"] += 1
            summary["build_s"] += time.perf_counter() - start_build
            store.record_build(key, {"directory": directory, "build_s": build_s, "arguments": group[0].arguments})
            project = sim.compiled_project()
            arguments = [sim.command_line(overrides=o, currents=c) for o, c in values]
        for p, args in zip(group, arguments):
            yield PointTask(p.id, p.coords, p.seed, project=project, arguments=args, **common)

    session = {"started_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "todo": len(todo), "workers": workers, "scheduler": scheduler}
    try:
        if workers == 0 and client is None and scheduler is None:
            for key, group in by_build.items():
                for task in list(tasks_of(key, group)):
                    receive(run_point(task))
        elif todo:
            from dask.distributed import as_completed

            with _client(workers, scheduler, client) as dask_client:
                futures = as_completed()
                try:
                    for key, group in by_build.items():
                        for task in tasks_of(key, group):
                            futures.add(dask_client.submit(run_point, task, key=f"{spec.spec_hash}-{task.point_id}",
                                                           pure=False))
                    for future in futures:
                        receive(_record_of(future))
                except BaseException:
                    for future in list(futures.futures):
                        future.cancel()
                    raise
    except KeyboardInterrupt:
        summary["interrupted"] = True
    finally:
        if bar is not None:
            bar.close()
        status = store.status()
        summary.update(done=status["done"], failed=status["failed"], wall_s=time.perf_counter() - start)
        store.record_session(session | {k: summary[k] for k in ("computed", "n_builds", "build_s", "interrupted",
                                                                 "wall_s")})
    return summary
