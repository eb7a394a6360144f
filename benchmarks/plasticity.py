"""Cost of burst-dependent plasticity: (1) the plasticity population test (Payeur et al. 2021,
Fig. 2E-G) for one seed and the full 170 s on cpp_standalone, beside the authors' Auryn program
run in the same session; (2) the cost of a projection per presynaptic spike, static vs plastic
(plasticity on, and off through its schedule), from Brian's per-code-object profile.

Goals (issue 12): a plastic projection costs at most 2x a static one per presynaptic event; one
seed of the population test runs at least as fast as the reference's ``sim_plasticity_rule``.

Writes ``plasticity_population_<backend>.json`` and ``plasticity_per_event_<backend>.json`` into
``--out`` (default ``benchmarks/results/``).

Usage::

    python benchmarks/plasticity.py [--auryn-binary PATH/sim_plasticity_rule] [--repeats 2] [--skip-population]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, measure, record, write  # noqa: E402

#: The per-event plan: 1000 Poisson sources (10 Hz) onto 1000 pyramids (p = 0.2, 200k synapses),
#: the pyramids firing on identity backgrounds; the variant is "static", "plastic", "off" (plastic
#: with its schedule off) or "no_homeostasis" (plastic without E_min/E_max).
PER_EVENT_SETUP = r"""
from brian2 import Hz, ms, nS, pA, second
from models.plasticity import BurstDependentPlasticity
from models.pyramidal import PyramidalParameters
from spiking.plan import CurrentInjection, IdentityPoisson, NetworkPlan, PoissonPool, Population, Projection
from spiking.stimuli import Constant

def per_event_plan(variant, duration_s=20.0):
    plan = NetworkPlan(duration=duration_s * second, seed=1)
    plan.add_population(PoissonPool("src", 1000, 10 * Hz))
    plan.add_population(Population("post", PyramidalParameters(), n_per_unit=1000))
    plan.add_background(IdentityPoisson("post", "soma", "ampa", 500 * Hz, 0.3 * nS))
    plan.add_current(CurrentInjection("post", "soma", Constant(380 * pA)))
    plan.add_current(CurrentInjection("post", "dendrite", Constant(200 * pA)))
    rule = None if variant == "static" else BurstDependentPlasticity(eta=0.01 * nS, w_max=1 * nS)
    if variant == "no_homeostasis":
        rule = rule.replace(e_min=0 * Hz, e_max=None)
    plan.add_projection(Projection("proj", "src", "post", "soma", "ampa", "pairwise", p=0.2, weight=0.1 * nS,
                                   delay=0 * ms, plasticity=rule))
    if variant == "off":
        plan.schedule_plasticity("proj", [])
    plan.record_spikes("post", sample_per_unit=1)
    return plan
"""


def auryn_population_run(binary: str) -> float:
    """Wall time (s) of the reference program for one seed (its own run script's arguments)."""
    with tempfile.TemporaryDirectory(prefix="auryn-plasticity-") as folder:
        start = time.perf_counter()
        subprocess.run([os.path.abspath(binary), "--simtime", "25", "--w0", "0.08", "--tau_pre", "0.1", "--d0", "0.25",
                        "--connect_type", "AdaptiveEBCP", "--dir", folder, "--sim_name", "plasticity_rule",
                        "--alpha", "5", "--seed", "1"], cwd=os.path.dirname(os.path.abspath(binary)), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def _projection_seconds(profile: list, name: str) -> dict:
    """Profile seconds of the projection's code objects (pathways, spike queues, nodes), by object."""
    return {obj: sec for obj, sec in profile if obj.startswith(name + "_")}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="cpp_standalone")
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results"))
    parser.add_argument("--repeats", type=int, default=2, help="runs of the compiled population test (median)")
    parser.add_argument("--auryn-binary", default=None,
                        help="the reference's sim_plasticity_rule, timed here in the same session")
    parser.add_argument("--auryn-repeats", type=int, default=2)
    parser.add_argument("--per-event-repeats", type=int, default=3,
                        help="profiled builds and runs per variant (the median by projection time is kept)")
    parser.add_argument("--skip-population", action="store_true")
    parser.add_argument("--skip-per-event", action="store_true")
    args = parser.parse_args(argv)

    if not args.skip_population:
        reference = [auryn_population_run(args.auryn_binary) for _ in range(args.auryn_repeats)] \
            if args.auryn_binary else None
        expr = "__import__('spiking.experiments.circuits', fromlist=['x']).payeur_fig2_population_plan(seed=1)"
        measured = measure(expr, args.backend, repeats=args.repeats)
        run_s = measured["timings"]["run_s"]
        ref = sorted(reference)[len(reference) // 2] if reference else None
        extra = {"experiment": "plasticity population test, one seed: 1000 -> 1000 pyramids, 170 s (20 s burn-in, "
                               "6 phases of 25 s), 2 x 25000 background sources",
                 "run_s_all": [round(t, 3) for t in measured["run_s_all"]],
                 "reference_auryn_run_s_all": [round(t, 3) for t in reference] if reference else None,
                 "reference_auryn_run_s": round(ref, 3) if ref else None,
                 "ratio_to_reference": round(run_s / ref, 3) if ref else None,
                 "reference_note": "the authors' sim_plasticity_rule (one process, their run script's arguments, "
                                   "seed 1), timed by this script in the same session (wall time, including its "
                                   "monitors' file output)"}
        write(record(measured, args.backend, extra), os.path.join(args.out, f"plasticity_population_{args.backend}.json"))

    if not args.skip_per_event:
        variants = {}
        for variant in ("static", "plastic", "off", "no_homeostasis"):
            trials = []
            for _ in range(args.per_event_repeats):
                profiled = measure(f"per_event_plan({variant!r})", args.backend, setup=PER_EVENT_SETUP, profile=True)
                parts = _projection_seconds(profiled["profile"], "proj")
                # the presynaptic side: everything but the postsynaptic pathway and node
                pre_side = sum(sec for obj, sec in parts.items() if not obj.startswith("proj_post"))
                trials.append((sum(parts.values()), pre_side, parts, profiled))
            trials.sort(key=lambda trial: trial[0])
            total, pre_side, parts, profiled = trials[len(trials) // 2]  # the median run by projection time
            pre_spikes = 1000 * 10.0 * profiled["sim_time_s"]  # expected presynaptic spikes (Poisson pool)
            variants[variant] = {"projection_s": round(total, 4), "parts_s": parts,
                                 "projection_s_all": [round(trial[0], 4) for trial in trials],
                                 "ns_per_presynaptic_spike": round(1e9 * total / pre_spikes, 1),
                                 "presynaptic_side_ns_per_spike": round(1e9 * pre_side / pre_spikes, 1),
                                 "run_s": round(profiled["timings"]["run_s"], 3),
                                 "post_rate_hz": profiled["spikes"]["post"] / profiled["sim_time_s"]}
        static = variants["static"]["ns_per_presynaptic_spike"]
        extra = {"experiment": "1000 Poisson sources at 10 Hz -> 1000 pyramids (11-20 Hz), p = 0.2 (200 synapses "
                               "per source), 20 s; profile of the projection's code objects",
                 "variants": variants,
                 "ratio_plastic_to_static": round(variants["plastic"]["ns_per_presynaptic_spike"] / static, 3),
                 "ratio_off_to_static": round(variants["off"]["ns_per_presynaptic_spike"] / static, 3),
                 "ratio_presynaptic_side_to_static": {
                     name: round(v["presynaptic_side_ns_per_spike"] / static, 3) for name, v in variants.items()},
                 "note": "a plastic projection's cost includes its presynaptic and postsynaptic detector nodes and "
                         "its postsynaptic pathway (run at every postsynaptic spike), all divided by the "
                         "presynaptic spikes; 'off' runs the same code with the gate at zero"}
        write(record(profiled, args.backend, extra), os.path.join(args.out, f"plasticity_per_event_{args.backend}.json"))


if __name__ == "__main__":
    main()
