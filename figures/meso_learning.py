"""Learning with burst temporal differences in the meso (rate-level) model, against backprop.

The talk's rate model (spiking.meso): ensembles whose event rates carry the prediction upwards
and whose burst rates carry the nudge downwards; every layer learns from its own burst temporal
difference when the nudge arrives, and SST weights keep the apical drive near 0. Three models
share the architecture (64-64-10 sigmoid units), the initialisation (per seed) and the number of
epochs: ``burst_td_sst`` (burst TD with SST learning), ``burst_td`` (without SST learning) and
``backprop`` (exact gradients of the squared error, numpy). Data: the 8x8 digits bundled with
scikit-learn (1797 images, 80/20 stratified split); MNIST from a user-supplied ``.npz`` with
``--mnist FILE`` (never downloaded).

Each model's learning rate is chosen once, on a validation split of the training set (seed 0),
from a grid (``LEARNING_RATE_GRID``); then 5 seeds (initialisation and example order) give the
test-accuracy curves. The robustness test repeats the training from "weird" initialisations.

Usage::

    python figures/meso_learning.py [--out DIR] [--quick] [--workers N] [--mnist FILE]
"""

from __future__ import annotations

import sys
import time

import numpy as np

NAME = "meso_learning"
MODELS = ("burst_td_sst", "burst_td", "backprop", "burst_td_output_only")
#: the models of the robustness test (the control is left out)
ROBUST_MODELS = ("burst_td_sst", "burst_td", "backprop")
HIDDEN = (64,)
BATCH_SIZE = 16
#: SST learning rate: stable (no divergence of Z) from every initialisation below; 0.03 diverged
#: with strongly positive feedback (Y >= 0, x20), where the apical error is large.
SST_LEARNING_RATE = 0.003
LEARNING_RATE_GRID = {"burst_td_sst": (3.0, 10.0, 30.0), "burst_td": (3.0, 10.0, 30.0),
                      "backprop": (0.3, 1.0, 3.0), "burst_td_output_only": (3.0, 10.0, 30.0)}
#: initialisation name -> keyword arguments of MesoNetwork.initialise
INITIALISATIONS = {
    "standard": {},
    "large_variance (W, Y x5)": {"init": "large_variance"},
    "all_positive (W, Y)": {"init": "all_positive"},
    "saturating_feedback (Y x100)": {"feedback_init": "large_variance", "feedback_scale": 20.0},
    "positive_feedback (Y >= 0, x20)": {"feedback_init": "all_positive", "feedback_scale": 20.0},
}


def settings(quick: bool) -> dict:
    if quick:
        return {"epochs": 4, "seeds": [1, 2], "robustness_seeds": [1], "selection_epochs": 2}
    return {"epochs": 40, "seeds": [1, 2, 3, 4, 5], "robustness_seeds": [1, 2, 3], "selection_epochs": 40}


def _load(mnist: str | None):
    from spiking.meso import load_digits_dataset, load_mnist_dataset

    return load_mnist_dataset(mnist) if mnist else load_digits_dataset(split_seed=0)


def _rule(model: str, learning_rate: float):
    from spiking.meso import RULES

    return RULES[model](learning_rate, SST_LEARNING_RATE)


def train_one(model: str, learning_rate: float, seed: int, epochs: int, init: dict, mnist: str | None = None,
              validation: bool = False) -> dict:
    """Train one model from one seed; returns its test-accuracy curve and timing."""
    from spiking.meso import MesoNetwork, train

    data = _load(mnist)
    if validation:
        data = data.validation_split(0.2, seed=0)
    rng = np.random.default_rng(seed)
    network = MesoNetwork.initialise([data.x_train.shape[1], *HIDDEN, data.n_classes], rng, **init)
    start = time.perf_counter()
    history = train(network, _rule(model, learning_rate), data, epochs=epochs, batch_size=BATCH_SIZE, rng=rng)
    return {"accuracy": history["test_accuracy"], "wall_s": time.perf_counter() - start,
            "apical_gain": apical_gain(network, data.x_test)}


def apical_gain(network, inputs) -> float:
    """Mean sigmoid'(u) of the hidden layers in the settled network (no nudge): the factor by
    which a hidden layer's burst probability passes a small feedback change on (0.25 at u = 0,
    0 when saturated)."""
    from spiking.meso import sigmoid_derivative

    state = network.settle(inputs)
    return float(np.mean([sigmoid_derivative(u).mean() for u in state.u[:-1]]))


def _map(jobs: list[tuple], workers: int) -> list[dict]:
    if workers <= 1:
        return [train_one(*job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(train_one, *zip(*jobs)))


def compute(quick: bool = False, workers: int = 1, mnist: str | None = None) -> dict:
    """Choose learning rates on a validation split, train every model over the seeds, and
    repeat from the weird initialisations."""
    cfg = settings(quick)
    start = time.perf_counter()
    grid = [(m, lr, 0, cfg["selection_epochs"], {}, mnist, True) for m in MODELS for lr in LEARNING_RATE_GRID[m]]
    selection = {}
    for job, res in zip(grid, _map(grid, workers)):
        selection.setdefault(job[0], {})[str(job[1])] = res["accuracy"][-1]
    learning_rates = {m: float(max(scores, key=lambda lr: (scores[lr], -float(lr)))) for m, scores in
                      selection.items()}
    main_jobs = [(m, learning_rates[m], s, cfg["epochs"], {}, mnist) for m in MODELS for s in cfg["seeds"]]
    accuracy: dict = {m: {} for m in MODELS}
    gains: dict = {m: {} for m in MODELS}
    for job, res in zip(main_jobs, _map(main_jobs, workers)):
        accuracy[job[0]][str(job[2])] = res["accuracy"]
        gains[job[0]][str(job[2])] = res["apical_gain"]
    robust_jobs = [(m, learning_rates[m], s, cfg["epochs"], INITIALISATIONS[name], mnist, False, name)
                   for name in INITIALISATIONS if name != "standard" for m in ROBUST_MODELS
                   for s in cfg["robustness_seeds"]]
    robust_final: dict = {}
    robust_gain: dict = {}
    for job, res in zip(robust_jobs, _map([j[:7] for j in robust_jobs], workers)):
        robust_final.setdefault(job[7], {}).setdefault(job[0], []).append(res["accuracy"][-1])
        robust_gain.setdefault(job[7], {}).setdefault(job[0], []).append(res["apical_gain"])
    robust_final = {"standard": {m: [accuracy[m][str(s)][-1] for s in cfg["robustness_seeds"]]
                                 for m in ROBUST_MODELS}, **robust_final}
    robust_gain = {"standard": {m: [gains[m][str(s)] for s in cfg["robustness_seeds"]] for m in ROBUST_MODELS},
                   **robust_gain}
    data = _load(mnist)
    return {"accuracy": accuracy, "learning_rates": learning_rates, "selection": selection,
            "robust_final": robust_final, "robust_gain": robust_gain, "cfg": cfg, "wall_s": time.perf_counter() - start,
            "dataset": {"name": data.name, "n_train": len(data.y_train), "n_test": len(data.y_test),
                        "n_inputs": int(data.x_train.shape[1]), "n_classes": data.n_classes}}


def _claims(final: dict, robustness: dict, gain: dict) -> dict:
    """Plain statements of the talk's two claims (and of what the hidden layer's learning adds),
    tested on the numbers."""
    best_burst = max(final["burst_td_sst"]["mean"], final["burst_td"]["mean"])
    gap = best_burst - final["backprop"]["mean"]
    noise = np.hypot(final["burst_td_sst"]["sd"], final["backprop"]["sd"])
    weird = [name for name in robustness if name != "standard"]
    sst_gain = {name: robustness[name]["burst_td_sst"] - robustness[name]["burst_td"] for name in weird}
    return {
        "as_well_as_backprop": bool(gap >= -max(noise, 0.01)),
        "burst_minus_backprop_accuracy": gap,
        "sst_learning_more_robust": bool(np.mean(list(sst_gain.values())) > 0.01),
        "sst_gain_per_initialisation": sst_gain,
        "sst_raises_apical_gain_per_initialisation": {
            name: gain[name]["burst_td_sst"] - gain[name]["burst_td"] for name in gain},
        "hidden_learning_adds_accuracy": final["burst_td"]["mean"] - final["burst_td_output_only"]["mean"],
    }


def summary(data: dict) -> dict:
    from spiking.meso import BurstTD
    from spiking.provenance import provenance

    final = {m: {"mean": float(np.mean([c[-1] for c in data["accuracy"][m].values()])),
                 "sd": float(np.std([c[-1] for c in data["accuracy"][m].values()], ddof=1))
                 if len(data["accuracy"][m]) > 1 else 0.0} for m in MODELS}
    robustness = {name: {m: float(np.mean(v)) for m, v in per_model.items()}
                  for name, per_model in data["robust_final"].items()}
    gain = {name: {m: float(np.mean(v)) for m, v in per_model.items() if m != "backprop"}
            for name, per_model in data["robust_gain"].items()}
    rule = BurstTD()
    cfg = data["cfg"]
    return {"accuracy": data["accuracy"], "final_accuracy": final, "init_robustness": robustness,
            "init_robustness_per_seed": data["robust_final"], "apical_gain": gain,
            "claims": _claims(final, robustness, gain),
            "params": {"dataset": data["dataset"], "sizes": [data["dataset"]["n_inputs"], *HIDDEN,
                                                             data["dataset"]["n_classes"]],
                       "epochs": cfg["epochs"], "seeds": cfg["seeds"], "robustness_seeds": cfg["robustness_seeds"],
                       "batch_size": BATCH_SIZE, "learning_rates": data["learning_rates"],
                       "learning_rate_grid": LEARNING_RATE_GRID,
                       "learning_rate_selection": {"validation_accuracy": data["selection"],
                                                   "epochs": cfg["selection_epochs"],
                                                   "split": "20 % of the training set, seed 0"},
                       "sst_learning_rate": SST_LEARNING_RATE, "gamma": rule.gamma, "nudge": rule.nudge,
                       "nudge_strength": rule.nudge_strength, "settle_steps": "2 L + 2",
                       "feedback": "fixed random (Glorot uniform)", "initialisations": INITIALISATIONS,
                       "backprop_loss": "half squared error of the sigmoid outputs"},
            "provenance": provenance(backend="numpy", seed=cfg["seeds"], wall_s=round(data["wall_s"], 2))}


def plot(out: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"burst_td_sst": "tab:red", "burst_td": "tab:orange", "backprop": "tab:blue",
              "burst_td_output_only": "0.45"}
    styles = {"burst_td_sst": "-", "burst_td": "--", "backprop": "-", "burst_td_output_only": ":"}
    labels = {"burst_td_sst": "burst TD + SST learning", "burst_td": "burst TD, no SST learning",
              "backprop": "backprop", "burst_td_output_only": "control: burst TD, hidden layer frozen"}
    fig, (ax_curve, ax_robust, ax_gain) = plt.subplots(1, 3, figsize=(17, 4.8),
                                                       gridspec_kw={"width_ratios": [1, 1.35, 0.9]})
    for model in MODELS:
        curves = np.array(list(out["accuracy"][model].values()))
        epochs = np.arange(curves.shape[1])
        mean, sd = curves.mean(axis=0), curves.std(axis=0)
        ax_curve.plot(epochs, 100 * mean, color=colors[model], ls=styles[model],
                      label=f"{labels[model]} ({100 * out['final_accuracy'][model]['mean']:.1f} %)")
        ax_curve.fill_between(epochs, 100 * (mean - sd), 100 * (mean + sd), color=colors[model], alpha=0.15, lw=0)
    n_seeds = len(out["params"]["seeds"])
    ax_curve.set_xlabel("epoch")
    ax_curve.xaxis.get_major_locator().set_params(integer=True)
    ax_curve.set_ylabel("test accuracy (%)")
    ax_curve.set_ylim(0, 100)
    ax_curve.legend(frameon=False, loc="lower right", fontsize=8)
    ax_curve.set_title(f"(a) {out['params']['dataset']['name']}, {'-'.join(map(str, out['params']['sizes']))}: "
                       f"mean ± sd, {n_seeds} seeds", fontsize=10)
    names = list(out["init_robustness"])
    short = [n.replace(" (", "\n(") for n in names]
    x = np.arange(len(names))
    width = 0.27
    per_seed = out["init_robustness_per_seed"]
    for i, model in enumerate(ROBUST_MODELS):
        values = [100 * out["init_robustness"][name][model] for name in names]
        ax_robust.bar(x + (i - 1) * width, values, width, color=colors[model], label=labels[model])
        for j, name in enumerate(names):  # each seed's final accuracy
            seeds = 100 * np.asarray(per_seed[name][model])
            ax_robust.plot(np.full(seeds.size, x[j] + (i - 1) * width), seeds, "o", ms=3, color="k", alpha=0.6)
    ax_robust.set_xticks(x, short, fontsize=8)
    ax_robust.set_ylabel(f"final test accuracy (%), epoch {out['params']['epochs']}")
    ax_robust.set_ylim(0, 118)
    ax_robust.set_yticks(range(0, 101, 20))
    ax_robust.axhline(10, color="0.5", lw=0.8, ls=":", label="chance")
    ax_robust.legend(frameon=False, ncol=2, fontsize=8, loc="upper center")
    n_robust = len(out["params"]["robustness_seeds"])
    ax_robust.set_title(f"(b) robustness to initialisation (bars: mean of {n_robust} seeds; dots: seeds)",
                        fontsize=10)
    for i, model in enumerate(("burst_td_sst", "burst_td")):
        values = [out["apical_gain"][name][model] for name in names]
        ax_gain.bar(x + (i - 0.5) * 0.4, values, 0.4, color=colors[model], label=labels[model])
    ax_gain.axhline(0.25, color="0.5", lw=0.8, ls=":")
    ax_gain.text(-0.4, 0.255, "linear range (u = 0)", fontsize=8, color="0.4")
    ax_gain.set_xticks(x, [n.split(" (")[0].replace("_", " ") for n in names], fontsize=8, rotation=25, ha="right")
    ax_gain.set_ylim(0, 0.36)
    ax_gain.set_ylabel("hidden layer's apical gain, mean sigmoid'(u)")
    ax_gain.legend(frameon=False, fontsize=8, loc="upper right")
    ax_gain.set_title("(c) after training: does SST learning keep u\nin the linear range?", fontsize=10)
    claims = out["claims"]
    fig.suptitle("Burst-TD learning in the meso model. As good as backprop at epoch "
                 f"{out['params']['epochs']}: {'yes' if claims['as_well_as_backprop'] else 'no'} "
                 f"({100 * claims['burst_minus_backprop_accuracy']:+.1f} points); "
                 f"SST learning more robust: {'yes' if claims['sst_learning_more_robust'] else 'no'}", fontsize=11)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> dict:
    from spiking.figure_io import cached_compute, figure_arguments, write_outputs

    parser = figure_arguments(__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="processes training models in parallel")
    parser.add_argument("--mnist", default=None, help="MNIST .npz file (x_train, y_train, x_test, y_test)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be >= 1; got {args.workers}")
    data = cached_compute(args.out, NAME, __file__, compute, args.recompute, quick=args.quick, workers=args.workers,
                          mnist=args.mnist)
    out = summary(data)
    write_outputs(args.out, NAME, out, plot(out))
    finals = ", ".join(f"{m} {100 * v['mean']:.1f} ± {100 * v['sd']:.1f} %" for m, v in out["final_accuracy"].items())
    print(f"wrote {args.out}/{NAME}.png/.json; final test accuracy: {finals}")
    return out


if __name__ == "__main__":
    main(sys.argv[1:])
