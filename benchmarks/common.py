"""Shared measurement code of the benchmark scripts: run a network plan in a child process
(fresh Brian state, own peak-memory count) and write the result JSON. Never asserts on time."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np
t0 = time.perf_counter()
{setup}
plan = {plan_expr}
from spiking.simulation import Simulation
start = time.perf_counter()
run_s_all = []
with Simulation(plan, backend={backend!r}, profile={profile!r}) as sim:
    for repeat in range({repeats!r}):
        result = sim.run()  # standalone: the same compiled binary again (no recompilation)
        if repeat == 0:
            first_timings = dict(result.timings_s)
        run_s_all.append(result.timings_s["run_s"])
wall = time.perf_counter() - start
result.timings_s = dict(first_timings, run_s=sorted(run_s_all)[len(run_s_all) // 2])
spikes = {{name: len(s) for name, s in result.spikes.items()}}
sizes = {{name: p.n_neurons for name, p in plan.populations.items()}}
recorded = {{name: s.n_neurons for name, s in result.spikes.items()}}
events = 0.0
for proj in plan.projections.values():
    if proj.source in spikes and recorded[proj.source]:
        rate_per_neuron = spikes[proj.source] / recorded[proj.source]
        n_src = len(proj.source_units or range(plan.populations[proj.source].n_units)) * plan.populations[proj.source].n_per_unit
        events += result.n_synapses[proj.name] / max(n_src, 1) * rate_per_neuron * n_src
background = sum(float(b.rate) * plan.populations[b.target].n_neurons for b in plan.backgrounds) * float(plan.duration)
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("RESULT " + json.dumps({{"wall_s": wall, "timings": result.timings_s, "run_s_all": run_s_all, "n_synapses": int(sum(result.n_synapses.values())),
      "n_neurons": int(sum(v for k, v in sizes.items() if getattr(plan.populations[k], "cell_type", "") in ("pyramidal", "adex"))),
      "sim_time_s": float(plan.duration), "spikes": spikes, "recorded": recorded,
      "syn_events": events + background, "recurrent_syn_events": events, "background_events": background,
      "peak_rss_mb": max(own, children), "python_rss_mb": own, "binary_rss_mb": children,
      "profile": result.profile}}))
"""


def cpu_model() -> str:
    """CPU model name (or GPU, for CUDA runs, from nvidia-smi)."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def gpu_model() -> str:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                             text=True, timeout=30)
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else "no GPU"
    except (OSError, subprocess.SubprocessError):
        return "no GPU"


def measure(plan_expr: str, backend: str, setup: str = "", timeout_s: float = 3600, profile: bool = False,
            repeats: int = 1) -> dict:
    """Build ``plan_expr`` (a Python expression giving a NetworkPlan) in a child process and run it
    ``repeats`` times (standalone: one compilation, the binary run again); ``timings["run_s"]`` is
    the median run (the upper one of two), ``run_s_all`` lists them all."""
    env = dict(os.environ)
    if backend == "runtime":
        env.setdefault("SPIKING_RUNTIME_TARGET", "cython")
    code = _CHILD.format(root=ROOT, setup=setup, plan_expr=plan_expr, backend=backend, profile=profile,
                         repeats=int(repeats))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout_s)
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def record(measurement: dict, backend: str, extra: dict | None = None) -> dict:
    """The benchmark JSON with the keys every benchmark writes."""
    sys.path.insert(0, ROOT)
    from spiking.provenance import provenance

    timings = measurement["timings"]
    run_s = timings["run_s"]
    result = {"backend": backend, "device": gpu_model() if backend == "cuda_standalone" else cpu_model(),
              "cores": os.cpu_count(), "n_neurons": measurement["n_neurons"], "n_synapses": measurement["n_synapses"],
              "sim_time_s": measurement["sim_time_s"], "build_s": round(timings.get("construct_s", 0.0), 3),
              "compile_s": round(timings.get("build_s", 0.0), 3), "run_s": round(run_s, 3),
              "wall_per_sim_s": round(run_s / measurement["sim_time_s"], 4),
              "syn_events_per_s": round(measurement["syn_events"] / run_s, 1),
              "peak_rss_mb": round(measurement["peak_rss_mb"], 1),
              "spikes": measurement["spikes"], "syn_events": measurement["syn_events"],
              "notes": "build_s: Python construction of the Brian objects; compile_s: code generation + compilation "
                       "(standalone; on runtime the Cython compilation happens inside run_s of a cold cache); "
                       "syn_events counts recurrent events (spikes x out-degree) and background arrivals"}
    result.update(extra or {})
    result["provenance"] = provenance(backend=backend, seed=None)
    return result


def write(result: dict, path: str) -> None:
    sys.path.insert(0, ROOT)
    from spiking.figure_io import write_json

    write_json(path, result)
    print(json.dumps({k: result[k] for k in ("backend", "n_neurons", "compile_s", "run_s", "wall_per_sim_s",
                                             "syn_events_per_s", "peak_rss_mb")}))


def scratch_dir() -> str:
    return tempfile.mkdtemp(prefix="spiking-bench-")
