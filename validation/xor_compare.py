"""Our XOR run beside the authors' ``sim_xor`` (seed 1), epoch by epoch: the output's read-out
per case, the cost and the mean plastic weights.

Reads one of our runs (a checkpoint of ``figures/payeur2021_fig4_xor.py``, which holds every
segment's record) and the reference summary ``reference_data/xor_reference_seed1.json`` (made by
``validation/xor_reference.py`` from the reference's own output files).

Usage::

    python validation/xor_compare.py [--checkpoint figures/output/payeur2021_fig4_xor_runs/n500_e500/checkpoint_seed1.npz]
                                     [--epochs 10,60,120,147,200,210] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASES = ("00", "10", "01", "11")
DEFAULT_CHECKPOINT = os.path.join(ROOT, "figures", "output", "payeur2021_fig4_xor_runs", "n500_e500",
                                  "checkpoint_seed1.npz")


def compare(checkpoint: str, epochs: list[int]) -> list[dict]:
    """One row per epoch present in both runs: ours and the reference's read-out (Hz, by case),
    cost (and its mean over the ten epochs up to this one) and mean weights (leak units)."""
    sys.path.insert(0, ROOT)
    from spiking.state import NetworkState

    records = NetworkState.load(checkpoint).metadata["records"]
    with open(os.path.join(HERE, "reference_data", "xor_reference_seed1.json")) as handle:
        reference = json.load(handle)
    ours = {r["epoch"]: r for r in records if r["phase"] == "train"}
    rows = []
    for epoch in epochs:
        if epoch not in ours or epoch not in reference["epochs"]:
            continue
        k = reference["epochs"].index(epoch)
        window = range(max(1, epoch - 9), epoch + 1)
        rows.append({
            "epoch": epoch,
            "ours": {"output_er_hz": {c: ours[epoch]["output_er_hz"][c] for c in CASES},
                     "cost": ours[epoch]["cost"],
                     "cost_mean_10": float(np.mean([ours[e]["cost"] for e in window if e in ours])),
                     "mean_weight": ours[epoch]["mean_weight"]},
            "reference": {"output_er_hz": {c: reference["output_er_hz"][c][k] for c in CASES},
                          "cost": reference["cost"][k],
                          "cost_mean_10": float(np.mean(reference["cost"][max(0, k - 9):k + 1])),
                          "mean_weight": {n: v[k] for n, v in reference["mean_weight_leak_units"].items()}},
        })
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=DEFAULT_CHECKPOINT, help="our run's checkpoint (seed 1)")
    parser.add_argument("--epochs", default="10,60,120,147,200,210",
                        type=lambda text: [int(e) for e in text.split(",")], help="comma-separated epochs")
    parser.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    rows = compare(args.checkpoint, args.epochs)
    for row in rows:
        for who in ("ours", "reference"):
            r = row[who]
            rates = " / ".join(f"{r['output_er_hz'][c]:.2f}" for c in CASES)
            weights = " ".join(f"{v:.3f}" for v in r["mean_weight"].values())
            print(f"epoch {row['epoch']:>3} {who:>9}: output {rates} Hz, cost {r['cost']:.2f} "
                  f"(10-epoch mean {r['cost_mean_10']:.2f}); weights {weights}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"checkpoint": os.path.relpath(args.checkpoint, ROOT), "weights_order": list(
                rows[0]["ours"]["mean_weight"]) if rows else [], "rows": rows}, handle, indent=1)
    return rows


if __name__ == "__main__":
    main()
