"""Summarise a run of the authors' ``sim_xor`` (spikingburstprop) into a small JSON for comparison
with ours (spiking/experiments/xor_run.py): per training epoch the cost, the output's read-out
per case (inverted from the per-example costs where they are not clipped) and the mean weight of
every plastic pathway at the epoch's end.

The reference program, built as described in the README of this folder, is run like this::

    ./sim_xor --dir OUT --seed 1 --durex 8 --alpha 2 --numex 2000 --N 500

Then::

    python validation/xor_reference.py --dir OUT --seed 1 --out validation/reference_data/xor_reference_seed1.json

A run that is still going (or was stopped) gives the epochs it has finished.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

CASES = ("00", "10", "01", "11")
TARGETS = (0, 1, 1, 0)
PATHWAYS = {"in1_to_hid1": "input1_to_hidden1", "in2_to_hid1": "input2_to_hidden1", "in1_to_hid2": "input1_to_hidden2",
            "in2_to_hid2": "input2_to_hidden2", "hid1_to_out": "hidden1_to_output", "hid2_to_out": "hidden2_to_output"}
BURN_IN_S, EPOCH_S = 6.0, 32.0  # 3 tau_avg; four 8 s examples (the test pass is the first "epoch")


def readout_hz(cost: float, target: int) -> float | None:
    """The output rate behind one example's cost (the cross-entropy of (E - 2)/8, clipped to
    [0.01, 0.99]); None where the clip was reached (the rate is then only bounded)."""
    y = np.exp(-cost) if target == 1 else 1.0 - np.exp(-cost)
    if not 0.01 + 1e-9 < y < 0.99 - 1e-9:
        return None
    return float(2.0 + 8.0 * y)


def summarise(folder: str, seed: int) -> dict:
    costs = np.loadtxt(os.path.join(folder, "cost_epoch.dat"), ndmin=2)
    examples = np.loadtxt(os.path.join(folder, "cost2.dat"), ndmin=2)
    n_epochs = min(len(costs), len(examples) // 4)
    weights = {}
    for short, name in PATHWAYS.items():
        rows = [line.split() for line in open(os.path.join(folder, f"xor.0.wsum_{short}_seed{seed}"))]
        data = np.array([[float(a), float(b)] for a, b, *_ in (r for r in rows if len(r) >= 2)])
        ends = BURN_IN_S + EPOCH_S * (1 + np.arange(1, n_epochs + 1))  # end of each training epoch
        index = np.clip(np.searchsorted(data[:, 0], ends - 1e-6), 0, len(data) - 1)
        weights[name] = [round(float(w), 6) for w in data[index, 1]]
    readouts = {case: [readout_hz(examples[4 * e + k, 1], TARGETS[k]) for e in range(n_epochs)]
                for k, case in enumerate(CASES)}
    return {"program": "spikingburstprop sim_xor (Auryn)", "seed": seed, "n_per_population": 500,
            "example_duration_s": 8.0, "tau_avg_s": 2.0, "epochs": list(range(1, n_epochs + 1)),
            "cost": [round(float(c), 6) for c in costs[:n_epochs, 1]], "output_er_hz": readouts,
            "mean_weight_leak_units": weights,
            "notes": "output_er_hz: the read-out at the end of each prediction phase, from the per-example cost "
                     "(None where the cost was clipped); mean weights at each training epoch's end"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="the sim_xor output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    data = summarise(args.dir, args.seed)
    with open(args.out, "w") as handle:
        json.dump(data, handle, indent=1)
    print(f"wrote {args.out}: {len(data['epochs'])} epochs, last cost {data['cost'][-1]:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
