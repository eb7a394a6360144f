"""Run the authors' own Python pairing analysis (spikingburstprop ``analysis/plasticity-protocol``)
for the periodic protocol and store its Delta W per frequency, for the comparison with ours
(tests/test_plasticity.py).

The authors' code is deterministic for this protocol (no random trains). It integrates the
traces with forward Euler at dt = 0.1 ms; ours decays them exactly: the difference is of order
(dt/tau_pre)/2 per step, a few 1e-3 of Delta W here.

Usage::

    python validation/pairing_reference.py SPIKINGBURSTPROP_DIR [OUT_JSON]

(seaborn and the authors' matplotlib style are stubbed: only their simulation code runs.)
"""

from __future__ import annotations

import json
import os
import sys
import types

import numpy as np


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    source = os.path.join(os.path.abspath(argv[0]), "analysis", "plasticity-protocol")
    out = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_data",
                                                    "pairing_periodic_reference.json")
    sys.modules.setdefault("seaborn", types.ModuleType("seaborn"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.style.use = lambda *args, **kwargs: None
    sys.path.insert(0, source)
    os.chdir(source)
    import simulate_periodicprotocol as periodic

    freqs = np.unique(np.concatenate([np.linspace(1.0, 100.0, 20), [60.0, 61.0, 62.0, 62.5, 63.0, 64.0]]))
    # the parameters of their plot_all_adaptive_rule.py: eta 0.1, tau_avg 15 s, 16 ms, tau_pre 50 ms
    f, w = periodic.simulate(freqs, 0.1, 15.0, 0.016, 0.050)
    with open(out, "w") as handle:
        json.dump({"source": "apayeur/spikingburstprop analysis/plasticity-protocol/simulate_periodicprotocol.py",
                   "parameters": {"eta": 0.1, "alpha_s": 15.0, "burst_threshold_s": 0.016, "tau_pre_s": 0.05,
                                  "starting_estimate_hz": [5.0, 0.75], "dt_s": 1e-4},
                   "freq_hz": f.tolist(), "delta_w": w.tolist()}, handle, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
