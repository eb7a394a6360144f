"""Speed of the XOR network (Payeur et al. 2021, Fig. 4; spiking/experiments/xor.py) on this machine, beside
the authors' Auryn program ``sim_xor`` run in the same session on the same timeline.

The slice: 500 neurons per population, 8 s examples, tau_avg = 2 s: the 6 s burn-in, a test pass
(4 examples), ``--epochs`` training epochs (4 examples each) and a test pass; with 2 epochs that
is 134 s simulated, the reference's ``--numex 8``. The full protocol is 500 epochs (16,070 s).

Goal (issue 14): at least 4x Auryn's simulated seconds per wall second on cpp_standalone.

Writes ``xor_<backend>_<epochs>epochs.json`` into ``--out`` (default ``benchmarks/results/``):
simulated seconds per wall second, build and compile time, peak memory, and the reference's
numbers when ``--auryn-binary`` is given.

The full run (500 epochs, segment by segment: spiking/experiments/xor_run.py) is measured by the figure
script itself; ``--full-from figures/output/payeur2021_fig4_xor.json`` turns its per-segment
wall times into ``xor_<backend>_full.json`` (simulated s per wall s per seed, including every
segment's start, state transfer and checkpoint).

Usage::

    python benchmarks/xor.py [--epochs 2] [--repeats 2] [--auryn-binary PATH/sim_xor]
    python benchmarks/xor.py --full-from figures/output/payeur2021_fig4_xor.json
    python benchmarks/xor.py --profile     # per code object and per kind of work
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, measure, record, write  # noqa: E402


def auryn_xor_run(binary: str, epochs: int) -> tuple[float, float]:
    """Wall time (s) and peak memory (MB) of the reference program on the same timeline (its run
    script's arguments: N = 500, 8 s examples, tau_avg = 2 s; seed 1)."""
    with tempfile.TemporaryDirectory(prefix="auryn-xor-") as folder:
        start = time.perf_counter()
        subprocess.run([os.path.abspath(binary), "--dir", folder, "--seed", "1", "--durex", "8", "--alpha", "2",
                        "--numex", str(4 * epochs), "--N", "500"], cwd=os.path.dirname(os.path.abspath(binary)),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def full_run_record(figure_json: str, backend: str) -> dict:
    """Per-seed speed of a finished figure run, from its per-segment records."""
    import json
    import statistics

    with open(figure_json) as handle:
        figure = json.load(handle)
    seeds = {}
    build_s = figure.get("build_s", {})
    for seed, records in figure["segment_records"].items():
        walls = [r["wall_s"] for r in records]
        n_epochs = sum(r["phase"] == "train" for r in records)
        simulated = 6.0 + 32.0 * len(records)  # burn-in + one epoch of 8 s examples per segment
        seeds[seed] = {"segments": len(records), "training_epochs": n_epochs, "sim_time_s": simulated,
                       "segments_wall_s": round(sum(walls), 1), "median_segment_wall_s": round(statistics.median(walls), 3),
                       "sim_s_per_wall_s": round(simulated / sum(walls), 3),
                       # None: the seed's record was written from a finished checkpoint (no build)
                       "compile_s": None if build_s.get(seed) is None else round(build_s[seed], 1),
                       "complete": figure.get("complete", {}).get(seed),
                       # a seed drawn from a stored run record: the provenance of that run's record
                       "run_provenance": figure.get("stored_runs", {}).get(seed, {}).get("provenance")}
    sys.path.insert(0, ROOT)
    from spiking.provenance import provenance
    from common import cpu_model

    return {"backend": backend, "device": cpu_model(), "cores": os.cpu_count(),
            "n_neurons_per_population": figure["n_neurons_per_population"], "seeds": seeds,
            "figure_provenance": figure.get("provenance"),
            "notes": "segments_wall_s sums the wall time of every segment run (binary start, state in, 32 s simulated, "
                     "state out, read-out, checkpoint); seeds that ran at the same time shared the machine's cores; "
                     "compile_s is null where the seed's run record was written from its finished checkpoint",
            "provenance": provenance(backend=backend, seed=None)}


def profile_kind(code_object: str) -> str:
    """The kind of work a code object of the XOR network does (for the profile's summary)."""
    rules = (("background_resetter", "background arrivals"), ("background_thresholder", "background arrivals"),
             ("node_stateupdater", "plasticity traces and averages"), ("stateupdater", "neuron state updates"),
             ("thresholder", "spike / event / burst detection"), ("resetter", "spike resets and doublets"),
             ("teaching", "teaching current"), ("current_injection", "input currents"),
             ("monitor", "recording"), ("rate_", "recording"), ("counting", "recording"),
             ("post_update", "plasticity (postsynaptic side)"), ("_post_", "plasticity (postsynaptic side)"),
             ("_pre_", "synaptic transmission and presynaptic plasticity"))
    for pattern, kind in rules:
        if pattern in code_object:
            return kind
    return "other"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="cpp_standalone")
    parser.add_argument("--epochs", type=int, default=2, help="training epochs of the slice (>= 1)")
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--repeats", type=int, default=2, help="runs of the compiled network (median)")
    parser.add_argument("--auryn-binary", default=None, help="the reference's sim_xor, timed here in the same session")
    parser.add_argument("--auryn-repeats", type=int, default=2)
    parser.add_argument("--full-from", default=None, help="a finished payeur2021_fig4_xor.json: write the full run's speed")
    parser.add_argument("--profile", action="store_true",
                        help="only one run with Brian's per-code-object profiling -> xor_<backend>_profile.json "
                             "(time per code object and per kind of work)")
    args = parser.parse_args(argv)
    if args.full_from:
        write_full = full_run_record(args.full_from, args.backend)
        from spiking.figure_io import write_json  # noqa: E402 (ROOT is on sys.path now)

        path = os.path.join(args.out, f"xor_{args.backend}_full.json")
        if os.path.exists(path):
            # seeds measured earlier (another figure run, another day) stay, each with the provenance
            # of the figure run it came from; the seeds of this figure replace theirs
            import json

            with open(path) as handle:
                earlier = json.load(handle)
            for seed, numbers in earlier.get("seeds", {}).items():
                if seed not in write_full["seeds"]:
                    numbers.setdefault("figure_provenance", earlier.get("figure_provenance"))
                    write_full["seeds"][seed] = numbers
        for numbers in write_full["seeds"].values():
            numbers.setdefault("figure_provenance", write_full["figure_provenance"])
        write_full["seeds"] = dict(sorted(write_full["seeds"].items(), key=lambda kv: int(kv[0])))
        write_json(path, write_full)
        print(f"wrote {path}")
        return
    if args.epochs < 1:
        parser.error(f"--epochs must be >= 1; got {args.epochs}")

    expr = (f"__import__('spiking.experiments.xor', fromlist=['x']).xor_plan("
            f"__import__('spiking.experiments.xor', fromlist=['x']).XorProtocol(n_epochs={args.epochs}), seed=1)")
    if args.profile:
        profiled = measure(expr, args.backend, profile=True)
        total = sum(seconds for _, seconds in profiled["profile"])
        kinds: dict[str, float] = {}
        for name, seconds in profiled["profile"]:
            kinds[profile_kind(name)] = kinds.get(profile_kind(name), 0.0) + seconds
        extra = {"experiment": f"XOR slice ({profiled['sim_time_s']:.0f} s simulated), one profiled run",
                 "profile_s": profiled["profile"], "profiled_total_s": round(total, 3),
                 "profile_fraction": {name: round(sec / total, 4) for name, sec in profiled["profile"]},
                 "profile_fraction_by_kind": {kind: round(sec / total, 4)
                                              for kind, sec in sorted(kinds.items(), key=lambda kv: -kv[1])},
                 "n_code_objects": len(profiled["profile"]),
                 "notes": "profiled_total_s sums the code objects' own times; run_s also holds the loop over the "
                          "code objects and Brian's profiling overhead"}
        write(record(profiled, args.backend, extra), os.path.join(args.out, f"xor_{args.backend}_profile.json"))
        return
    reference = [auryn_xor_run(args.auryn_binary, args.epochs) for _ in range(args.auryn_repeats)] \
        if args.auryn_binary else None
    measured = measure(expr, args.backend, repeats=args.repeats)
    sim_s, run_s = measured["sim_time_s"], measured["timings"]["run_s"]
    extra = {"experiment": f"XOR network, 5 x 500 BurstPoisson neurons, {args.epochs} training epochs of 8 s examples "
                           f"with the burn-in and both test passes ({sim_s:.0f} s simulated)",
             "run_s_all": [round(t, 3) for t in measured["run_s_all"]],
             "sim_s_per_wall_s": round(sim_s / run_s, 3)}
    if reference:
        walls = sorted(wall for wall, _ in reference)
        ref = walls[len(walls) // 2]
        extra.update({"reference_auryn_run_s_all": [round(w, 3) for w, _ in reference],
                      "reference_auryn_sim_s_per_wall_s": round(sim_s / ref, 3),
                      "reference_auryn_peak_rss_mb": round(max(m for _, m in reference), 1),
                      "speedup_over_reference": round(ref / run_s, 3),
                      "reference_note": "the authors' sim_xor (one process, N = 500, --durex 8 --alpha 2, "
                                        f"--numex {4 * args.epochs}, seed 1), timed by this script in the same "
                                        "session (wall time, including its monitors' file output)"})
    write(record(measured, args.backend, extra),
          os.path.join(args.out, f"xor_{args.backend}_{args.epochs}epochs.json"))


if __name__ == "__main__":
    main(sys.argv[1:])
