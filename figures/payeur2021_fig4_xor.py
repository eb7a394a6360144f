"""XOR learned with bursts in a spiking hierarchy (Payeur et al. 2021, Fig. 4).

Five populations of BurstPoisson neurons (spiking/experiments/xor.py): feedforward events carry the inputs
up, feedback bursts carry the teaching signal down, and the burst-dependent rule changes the
feedforward weights in the last 0.8 s of each 8 s example. The run (spiking/experiments/xor_run.py): a test
pass, ``--epochs`` epochs of the four cases, a test pass; one build, segment by segment, with a
checkpoint every ``--checkpoint-every`` epochs in ``--out`` (a killed run resumes there). A finished
seed's run record (``record_seed<N>.json``, beside its checkpoint) copied into ``--records``
(default ``validation/results/payeur2021_fig4_xor/``) is drawn instead of running that seed again.

Panels: (a) the cost per epoch (cross-entropy of the output's read-out, summed over the four
cases), with the authors' ``sim_xor`` (seed 1, run beside ours: validation/xor_reference.py) dashed
where its summary is in the checkout; (b) the output's event rate per case before and after learning, with the 6 Hz
threshold; (c) the hidden populations' event rate and (d) burst probability per case after
learning. "Solved": all four cases on the right side of 6 Hz after learning.

Usage::

    python figures/payeur2021_fig4_xor.py [--epochs 500] [--seeds 1,2,3,4,5] [--workers 2] [--quick]
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

NAME = "payeur2021_fig4_xor"
THRESHOLD_HZ = 6.0
CASE_ORDER = ("00", "10", "01", "11")
TARGETS = {"00": 0, "10": 1, "01": 1, "11": 0}
#: Run records of finished full runs kept in the checkout (a seed takes hours; see validation/README.md)
STORED_RECORDS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "validation", "results",
                              NAME)


def settings(args) -> dict:
    if args.quick:
        return {"epochs": 2, "seeds": [1, 2], "n_per_population": 50}
    return {"epochs": args.epochs, "seeds": args.seeds, "n_per_population": args.n_per_population}


def run_seed(task: dict) -> dict:
    """One seed's whole run (in a worker process: Brian has one device per process)."""
    from spiking.experiments.xor import XorProtocol
    from spiking.experiments.xor_run import run_xor

    protocol = XorProtocol(n_per_population=task["n_per_population"], n_epochs=task["epochs"])
    out = run_xor(protocol, seed=task["seed"], backend=task["backend"], directory=task["build_dir"],
                  checkpoint=task["checkpoint"], checkpoint_every=task["checkpoint_every"], progress=task["progress"])
    return {"seed": task["seed"], "records": out["records"], "complete": out["complete"], "wall_s": out["wall_s"],
            "build_s": out["build_s"], "resumed_from": out["resumed_from"], "identity": out["identity"],
            "n_segments": out["n_segments"], "n_neurons_per_population": out["n_neurons_per_population"]}


def record_file(folder: str, seed: int) -> str:
    """Where a seed's run record lies in ``folder`` (the run folder or ``--records``)."""
    return os.path.join(folder, f"record_seed{seed}.json")


def stored_runs(folder: str | None, config: dict) -> dict:
    """Finished seeds kept as run records in ``folder`` (``record_seed<N>.json``, written by this
    script at the end of every complete run; see :func:`spiking.experiments.xor_run.save_run_record`),
    by seed. A record of another protocol or network raises rather than being mixed in."""
    from spiking.experiments.xor import XorProtocol
    from spiking.experiments.xor_run import load_run_record

    if not folder:
        return {}
    protocol = XorProtocol(n_per_population=config["n_per_population"], n_epochs=config["epochs"])
    found = {}
    for seed in config["seeds"]:
        record = load_run_record(record_file(folder, seed), protocol, seed)
        if record is not None:
            found[seed] = {"seed": seed, "records": record["records"], "complete": True, "wall_s": 0.0,
                           "build_s": record["build_s"], "resumed_from": record["n_segments"],
                           "stored": {"file": os.path.relpath(record_file(folder, seed)),
                                      "provenance": record["provenance"]}}
    return found


def summarise(runs: list[dict], config: dict) -> dict:
    """The figure's JSON (see the module docstring and the issue's keys)."""
    cost, er, solved, hidden = {}, {"before": {}, "after": {}}, {}, {"before": {}, "after": {}}
    for run in runs:
        seed = str(run["seed"])
        records = run["records"]
        train = [r for r in records if r["phase"] == "train"]
        cost[seed] = [r["cost"] for r in train]
        for phase, key in (("test_before", "before"), ("test_after", "after")):
            found = [r for r in records if r["phase"] == phase]
            if not found:
                continue
            record = found[0]
            for case in CASE_ORDER:
                er[key].setdefault(case, {})[seed] = record["output_er_hz"][case]
            hidden[key][seed] = {pop: {"event_rate_hz": record["event_rate_hz"][pop],
                                       "burst_probability": record["burst_probability"][pop]}
                                 for pop in ("hidden1", "hidden2", "output")}
        after = [r for r in records if r["phase"] == "test_after"]
        solved[seed] = bool(after) and all((after[0]["output_er_hz"][c] > THRESHOLD_HZ) == bool(TARGETS[c])
                                           for c in CASE_ORDER)
    return {"epochs": list(range(1, config["epochs"] + 1)), "cost": cost, "output_er_hz": er, "solved": solved,
            "hidden": hidden, "n_neurons_per_population": config["n_per_population"],
            # every segment's wall time, kept in the records: a run resumed from its checkpoint
            # (or only re-plotted) still reports the whole run's time
            "wall_s": {str(r["seed"]): round(sum(rec["wall_s"] for rec in r["records"]), 1) for r in runs},
            "wall_s_note": "per seed: the sum of the segments' wall times (builds excluded; seeds that ran at "
                           "the same time shared the cores)",
            "build_s": {str(r["seed"]): r["build_s"] for r in runs},
            "complete": {str(r["seed"]): r["complete"] for r in runs},
            "threshold_hz": THRESHOLD_HZ}


def plot(summary: dict):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
    ax = axes[0]
    curves = [np.asarray(c, float) for c in summary["cost"].values() if len(c)]
    for seed, c in summary["cost"].items():
        ax.plot(np.arange(1, len(c) + 1), c, lw=0.8, alpha=0.5, label=f"seed {seed}")
    if curves and len({len(c) for c in curves}) == 1:
        ax.plot(np.arange(1, len(curves[0]) + 1), np.mean(curves, axis=0), color="k", lw=2, label="mean")
    reference = summary.get("reference")
    if reference:  # the authors' sim_xor on the same timeline (validation/xor_reference.py)
        ax.plot(reference["epochs"], reference["cost"], color="C3", lw=1, ls="--",
                label=f"reference sim_xor, seed {reference['seed']}")
    ax.set(xlabel="epoch", ylabel="cost (cross-entropy, 4 cases)", title="(a) cost per epoch")
    ax.legend(fontsize=7)
    x = np.arange(len(CASE_ORDER))
    ax = axes[1]
    for shift, key, color in ((-0.18, "before", "0.6"), (0.18, "after", "C3")):
        values = summary["output_er_hz"][key]
        if not values:
            continue
        means = [np.mean(list(values[c].values())) for c in CASE_ORDER]
        ax.bar(x + shift, means, width=0.34, color=color, label=key)
        for k, c in enumerate(CASE_ORDER):
            ax.plot(np.full(len(values[c]), x[k] + shift), list(values[c].values()), "k.", ms=4)
    ax.axhline(THRESHOLD_HZ, color="k", ls="--", lw=1)
    ax.set_xticks(x, [f"({c[0]},{c[1]})" for c in CASE_ORDER])
    ax.set(ylabel="output event rate (Hz)", title="(b) output before / after", ylim=(0, 11))
    ax.legend(fontsize=8)
    for ax, quantity, label, scale, letter in ((axes[2], "event_rate_hz", "event rate (Hz)", 1.0, "c"),
                                               (axes[3], "burst_probability", "burst probability (%)", 100.0, "d")):
        after = summary["hidden"]["after"]
        for shift, pop, color in ((-0.18, "hidden1", "C0"), (0.18, "hidden2", "C1")):
            if not after:
                continue
            per_case = [[after[s][pop][quantity][c] * scale for s in after] for c in CASE_ORDER]
            ax.bar(x + shift, [np.mean(v) for v in per_case], width=0.34, color=color, label=pop)
            for k, v in enumerate(per_case):
                ax.plot(np.full(len(v), x[k] + shift), v, "k.", ms=4)
        ax.set_xticks(x, [f"({c[0]},{c[1]})" for c in CASE_ORDER])
        ax.set(ylabel=label, title=f"({letter}) hidden, after learning")
        ax.legend(fontsize=8)
    n_solved = sum(summary["solved"].values())
    fig.suptitle(f"XOR with burst-dependent plasticity: {n_solved} of {len(summary['solved'])} seeds solved "
                 f"({summary['n_neurons_per_population']} neurons per population, {len(summary['epochs'])} epochs)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def main(argv=None) -> None:
    from spiking.figure_io import figure_arguments, write_outputs
    from spiking.provenance import provenance

    parser = figure_arguments(__doc__.splitlines()[0])
    parser.set_defaults(backend="cpp_standalone")
    parser.add_argument("--epochs", type=int, default=500, help="training epochs (default 500)")
    parser.add_argument("--seeds", type=lambda text: [int(s) for s in text.split(",")], default=[1, 2, 3, 4, 5],
                        help="comma-separated seeds (default 1,2,3,4,5)")
    parser.add_argument("--n-per-population", type=int, default=500, help="neurons per population (default 500)")
    parser.add_argument("--workers", type=int, default=1, help="seeds run in parallel processes (default 1)")
    parser.add_argument("--checkpoint-every", type=int, default=10, help="epochs between checkpoints (default 10)")
    parser.add_argument("--records", default=STORED_RECORDS,
                        help="folder of finished seeds' run records to reuse instead of running them again "
                             "(default: the checkout's validation/results/payeur2021_fig4_xor; 'none': run every seed)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be >= 1; got {args.epochs}")
    if args.workers < 1:
        parser.error(f"--workers must be >= 1; got {args.workers}")
    if args.n_per_population < 10:
        parser.error(f"--n-per-population must be >= 10; got {args.n_per_population}")
    if args.backend == "runtime":
        parser.error("--backend runtime is far too slow for this network (about 0.06 simulated s per wall s); "
                     "use cpp_standalone or cuda_standalone")
    config = settings(args)
    run_dir = os.path.join(os.path.abspath(args.out), f"{NAME}_runs",
                           f"n{config['n_per_population']}_e{config['epochs']}")
    records_dir = None if args.quick or args.records.lower() == "none" else \
        os.path.join(args.records, f"n{config['n_per_population']}_e{config['epochs']}")
    stored = stored_runs(records_dir, config)
    if stored:
        print(f"reusing the run records of seeds {sorted(stored)} from {os.path.relpath(records_dir)}")
    tasks = [{"seed": seed, "epochs": config["epochs"], "n_per_population": config["n_per_population"],
              "backend": args.backend, "build_dir": os.path.join(run_dir, f"build_seed{seed}"),
              "checkpoint": os.path.join(run_dir, f"checkpoint_seed{seed}.npz"),
              "checkpoint_every": args.checkpoint_every,
              # a long run reports its progress (bar, a line per checkpoint) even into a log file,
              # unless --no-progress says not to
              "progress": not args.no_progress} for seed in config["seeds"] if seed not in stored]
    start = time.perf_counter()
    if args.workers == 1 or len(tasks) <= 1:
        runs = [run_seed(task) for task in tasks]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            runs = list(pool.map(run_seed, tasks))
    from spiking.experiments.xor_run import save_run_record
    for run in runs:
        if run["complete"] and not args.quick:
            # the run's records beside its checkpoint; copy them into --records to keep them
            save_run_record(record_file(run_dir, run["seed"]), run, args.backend)
    runs = sorted(runs + list(stored.values()), key=lambda run: config["seeds"].index(run["seed"]))
    summary = summarise(runs, config)
    from spiking.experiments.xor import XorProtocol
    summary["params"] = {k: repr(v) for k, v in vars(XorProtocol(n_per_population=config["n_per_population"],
                                                                 n_epochs=config["epochs"])).items()}
    summary["segment_records"] = {str(r["seed"]): r["records"] for r in runs}
    summary["stored_runs"] = {str(r["seed"]): r["stored"] for r in runs if "stored" in r}
    from spiking.figure_io import load_reference_data
    reference = load_reference_data("xor_reference_seed1.json")
    if reference and reference["n_per_population"] == config["n_per_population"] and not args.quick:
        summary["reference"] = {"program": reference["program"], "seed": reference["seed"],
                                "epochs": reference["epochs"], "cost": reference["cost"]}
    summary["provenance"] = provenance(backend=args.backend, seed=None, seeds=config["seeds"],
                                       total_wall_s=round(time.perf_counter() - start, 1), quick=args.quick)
    prefix = write_outputs(args.out, NAME + ("_quick" if args.quick else ""), summary, plot(summary))
    print(f"wrote {prefix}.png and .json; solved: {summary['solved']}")


if __name__ == "__main__":
    main(sys.argv[1:])
