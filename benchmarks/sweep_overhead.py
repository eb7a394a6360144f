"""Per-point overhead of a sweep against a single run (issue 5): a 2000-neuron ensemble
(1600 pyramids, 200 PV, 200 SST; ``spiking.experiments.registry.ensemble``), 1 s simulated, on
cpp_standalone. Target: overhead below 10 % of the single run.

Measures, after one build shared by everything:

- ``single_run_s``: ``Simulation.run()`` of the compiled project (Brian's own rerun path), median;
- per point of an N-point sweep (axis: dendritic current), serial (no Dask), and on a local
  Dask cluster with 1 and 2 workers: ``(sweep wall time - rebuild check) / N``, where the
  rebuild check (code generation and make on the existing build, once per sweep call) is
  reported separately; with 2 workers per_point_s is the throughput cost (points overlap);
- ``overhead_fraction`` = (per point - single run) / single run (includes one-off imports of the
  first point in each process);
- ``steady_state_overhead_fraction``: median time between consecutive results minus the
  binary's own run time, over the single run (meaningful for serial and 1 worker).

Writes ``sweep_overhead_cpp_standalone.json`` into ``--out`` (default ``benchmarks/results/``).

Usage::

    python benchmarks/sweep_overhead.py [--points 8] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, cpu_model, write  # noqa: E402

sys.path.insert(0, ROOT)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--points", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=5, help="single runs timed (median)")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    from spiking.provenance import provenance
    from spiking.simulation import Simulation
    from spiking.sweep import SweepSpec, run_sweep

    scratch = tempfile.mkdtemp(prefix="spiking-sweep-bench-")
    builds = os.path.join(scratch, "builds")
    spec = SweepSpec.from_dict({
        "name": "overhead", "experiment": "ensemble", "backend": "cpp_standalone", "seeds": [1],
        "arguments": {"n_pyramids": 1600, "n_pv": 200, "n_sst": 200, "duration_ms": 1000},
        "axes": [{"name": "i_d", "target": "i_dendrite", "grid": {"start": 0, "stop": 350, "num": args.points}}],
        "decode": {"populations": ["pyr"], "t_start_ms": 200}})
    # the build, timed once, in the sweep's build folder
    first = run_sweep(spec, os.path.join(scratch, "warmup"), workers=0, progress=False, build_directory=builds)
    compile_s = first["wall_s"]
    experiment = spec.make_experiment(spec.points()[0].arguments)
    single = []
    with Simulation(experiment.plan, backend="cpp_standalone", directory=os.path.join(builds, spec.points()[0].build_key)) as sim:
        rebuild_s = sim.build()
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = sim.run(currents={"pyr.dendrite": __import__("spiking.stimuli", fromlist=["x"]).Constant(
                175 * __import__("brian2").pA)})
            single.append(time.perf_counter() - start)
    single_run_s = statistics.median(single)
    n_neurons = sum(p.n_neurons for p in experiment.plan.populations.values())

    def per_point(label, **kwargs):
        out = os.path.join(scratch, label)
        records, arrivals = [], []

        def on_result(record):
            records.append(record)
            arrivals.append(time.perf_counter())

        start = time.perf_counter()
        summary = run_sweep(spec, out, progress=False, build_directory=builds, on_result=on_result, **kwargs)
        wall = time.perf_counter() - start
        assert summary["done"] == args.points and summary["computed"] == args.points
        points_s = wall - summary["build_s"]
        # worker side: run_point time minus the binary's own run (decode, file reads, imports)
        worker_overhead = [r["wall_s"] - float(r["dataset"].run_s) for r in records]
        # steady state (one point at a time): time between consecutive results minus the binary's run
        binary = [float(r["dataset"].run_s) for r in records]
        steady = [b - a - run for a, b, run in zip(arrivals[:-1], arrivals[1:], binary[1:])]
        return {"wall_s": round(wall, 3), "rebuild_check_s": round(summary["build_s"], 3),
                "steady_state_overhead_s_median": round(statistics.median(steady), 4) if steady else None,
                "steady_state_overhead_fraction": round(statistics.median(steady) / single_run_s, 4) if steady else None,
                "per_point_s": round(points_s / args.points, 4),
                "overhead_fraction": round((points_s / args.points - single_run_s) / single_run_s, 4),
                "worker_overhead_s_median": round(statistics.median(worker_overhead), 4),
                "binary_run_s_median": round(statistics.median(float(r["dataset"].run_s) for r in records), 4)}

    def median_of(label, repeats, **kwargs):
        runs = [per_point(f"{label}{k}", **kwargs) for k in range(repeats)]
        runs.sort(key=lambda r: r["per_point_s"])
        return runs[len(runs) // 2] | {"per_point_s_all": [r["per_point_s"] for r in runs]}

    modes = {"serial": median_of("serial", 3, workers=0)}
    for n in (1, 2):
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            client.run(lambda: __import__("spiking.simulation"))  # worker imports done before timing
            modes[f"dask_{n}_workers"] = median_of(f"dask{n}_", 3, client=client)
    result = {"backend": "cpp_standalone", "device": cpu_model(), "cores": os.cpu_count(), "n_neurons": n_neurons,
              "n_synapses": int(sum(result.n_synapses.values())), "sim_time_s": float(experiment.plan.duration),
              "build_s": 0.0, "compile_s": round(compile_s, 3), "rebuild_check_s": round(rebuild_s, 3),
              "run_s": round(single_run_s, 4), "single_run_s_all": [round(s, 4) for s in single],
              "wall_per_sim_s": round(single_run_s / float(experiment.plan.duration), 4),
              "syn_events_per_s": None, "peak_rss_mb": None, "n_points": args.points, "modes": modes,
              "target_overhead_fraction": 0.10,
              "notes": "per_point_s = (sweep wall time - rebuild check) / points; the rebuild check is code "
                       "generation + make on the existing build folder, once per sweep call (about 1.5 s in the "
                       "process that built it; about 10 s in a new process, where Brian writes main.cpp's clock "
                       "initialisations in a different order and main.o is recompiled); overhead_fraction "
                       "relative to single_run_s (Simulation.run of the same compiled project)",
              "provenance": provenance(backend="cpp_standalone", seed=1)}
    write(result, os.path.join(args.out, "sweep_overhead_cpp_standalone.json"))
    print({k: v for k, v in modes.items()})


if __name__ == "__main__":
    main()
