#!/usr/bin/env python3
"""Write the deterministic protocols that the Auryn reference drivers run.

Usage: make_protocols.py WORK_DIR [--network-raster RAS_FILE [--network-brate BRATE_FILE]]

For every driver this writes WORK_DIR/<driver>/protocol.txt (read by the C++ driver),
the input raster files it names (lines "time_s neuron") and protocol.json (the same
protocol for Python; convert_outputs.py copies it into the reference data).

Conventions (all drivers):
  * dt = 0.1 ms; a "step" k is the Auryn integration step run while sys->get_clock() == k,
    i.e. the step from t = k*dt to t = (k+1)*dt.
  * A current segment [start, stop) is set in the CurrentInjector before step `start` and
    removed before step `stop`, so it is applied in the steps start <= k < stop.
  * Input spike k is written as time (k + 0.5)*dt: FileInputGroup stores
    (AurynTime)(t/dt) (truncation), so the mid-step time makes the emission step exactly k
    whatever the rounding. The drivers also record the emission steps they observe.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

DT = 1e-4  # s


def ms(x: float) -> int:
    """Milliseconds to steps (exact for multiples of 0.1 ms)."""
    return int(round(x * 10))


def write_raster(path: str, steps_ids: list[tuple[int, int]]) -> None:
    steps_ids = sorted(set(steps_ids))
    with open(path, "w") as f:
        for s, i in steps_ids:
            f.write(f"{(s + 0.5) * DT:.5f} {i}\n")


def train(start_ms: float, n: int, isi_ms: float) -> list[int]:
    return [ms(start_ms + j * isi_ms) for j in range(n)]


# --------------------------------------------------------------------------------- NaudGroup
def naud_protocol() -> dict:
    n_steps = ms(800)
    cells = [
        "regular somatic spiking (somatic steps 600 pA and 1000 pA, a hyperpolarising step)",
        "dendritic plateau: 20 ms dendritic pulses of 900 pA (burst) and 600 pA (none), 700 pA step (repetitive); soma 150 pA bias",
        "BAC coincidence: 5 ms 1.9 nA somatic pulse alone (100 ms), dendritic EPSC-like pulse alone (250 ms), both (400 ms), dendrite 2 ms after soma (700 ms)",
        "subthreshold synaptic responses on all four conductances (somatic bias 200 pA)",
        "dendritic synaptic trains with the soma silent vs spiking (soma 700 pA from 200 ms)",
        "somatic hyperpolarisation + dendritic depolarisation: dendritic synapses driven by V_s",
    ]
    cur: list[tuple[int, str, int, int, float]] = []
    spk: dict[str, list[tuple[int, int]]] = {c: [] for c in ("ampa_soma", "gaba_soma", "ampa_dend", "gaba_dend")}

    # cell 0: regular spiking
    cur += [(0, "mem", ms(50), ms(350), 600e-12),
            (0, "mem", ms(400), ms(500), -200e-12),
            (0, "mem", ms(550), ms(750), 1000e-12)]
    # cell 1: dendritic plateau / burst
    cur += [(1, "mem", ms(0), ms(800), 150e-12),
            (1, "Vd", ms(100), ms(120), 900e-12),    # 20 ms pulse: plateau + burst
            (1, "Vd", ms(250), ms(270), 600e-12),    # 20 ms pulse: subthreshold
            (1, "Vd", ms(400), ms(750), 700e-12)]    # sustained plateau, repetitive firing
    # cell 2: BAC-like coincidence. Dendritic "EPSC-like" pulse: a staircase approximating a
    # 1 ms rise / 5 ms decay current, peak 1.2 nA.
    epsc = [(0.0, 1.0, 600e-12), (1.0, 3.0, 1200e-12), (3.0, 5.0, 900e-12), (5.0, 8.0, 600e-12),
            (8.0, 12.0, 350e-12), (12.0, 18.0, 150e-12)]

    def dend_pulse(t0_ms):
        return [(2, "Vd", ms(t0_ms + a), ms(t0_ms + b), amp) for a, b, amp in epsc]

    cur += [(2, "mem", ms(100), ms(105), 1.9e-9)]          # somatic pulse alone
    cur += dend_pulse(250)                                    # dendritic pulse alone
    cur += [(2, "mem", ms(400), ms(405), 1.9e-9)] + dend_pulse(400)  # coincidence
    cur += [(2, "mem", ms(700), ms(705), 1.9e-9)] + dend_pulse(702)  # dendritic pulse 2 ms later
    # cell 3: subthreshold synaptic responses on a depolarised (-61 mV) soma
    cur += [(3, "mem", ms(0), ms(800), 200e-12)]
    for j, ch in enumerate(("ampa_soma", "gaba_soma", "ampa_dend", "gaba_dend")):
        spk[ch] += [(ms(100 + 60 * j), 3)]                        # single spikes
        spk[ch] += [(s, 3) for s in train(400 + 90 * j, 3, 10)]   # 3-spike trains, 100 Hz
    # cell 4: dendritic synaptic input with the soma silent and while it spikes
    cur += [(4, "mem", ms(200), ms(800), 700e-12)]
    spk["ampa_dend"] += [(s, 4) for s in train(50, 10, 5)]        # soma silent
    spk["gaba_dend"] += [(s, 4) for s in train(120, 10, 5)]
    spk["ampa_dend"] += [(s, 4) for s in train(300, 20, 5)]       # soma spiking
    spk["gaba_dend"] += [(s, 4) for s in train(500, 20, 5)]
    spk["ampa_soma"] += [(s, 4) for s in train(650, 10, 4)]
    spk["gaba_soma"] += [(s, 4) for s in train(720, 10, 4)]
    # cell 5: soma hyperpolarised, dendrite depolarised; dendritic GABA (E = -80 mV) then acts
    # on the somatic driving force and depolarises the dendrite.
    cur += [(5, "mem", ms(100), ms(700), -400e-12), (5, "Vd", ms(100), ms(700), 400e-12)]
    spk["gaba_dend"] += [(ms(t), 5) for t in (300, 320, 340)]
    spk["gaba_dend"] += [(s, 5) for s in train(400, 5, 5)]
    spk["ampa_dend"] += [(ms(t), 5) for t in (500, 520)]
    spk["gaba_soma"] += [(ms(t), 5) for t in (600,)]
    weights = {"ampa_soma": 0.4, "gaba_soma": 0.4, "ampa_dend": 0.3, "gaba_dend": 0.3}
    return dict(name="naud_single", n_neurons=len(cells), n_steps=n_steps, dt=DT, cells=cells,
                currents=cur, spikes=spk, weights=weights)


# ---------------------------------------------------------------------------------- AdEx
def adex_protocol() -> dict:
    n_steps = ms(800)
    on, off = ms(50), ms(550)
    pops = {}
    for pop, amps, w_exc, w_inh in (("pv", (150e-12, 250e-12, 400e-12), 0.75, 1.125),
                                    ("som", (20e-12, 60e-12, 120e-12), 0.4, 0.5)):
        cur = [(i, "mem", on, off, a) for i, a in enumerate(amps)]
        bias = 100e-12 if pop == "pv" else 15e-12
        mid = amps[1]
        cur += [(3, "mem", 0, n_steps, bias)]   # cell 3: subthreshold bias + synapses
        cur += [(4, "mem", on, off, mid)]       # cell 4: mid step + synapses
        spk = {"ampa": [], "gaba": []}
        for cell in (3, 4):
            spk["ampa"] += [(ms(t), cell) for t in (100, 160)] + [(s, cell) for s in train(220, 5, 4)]
            spk["gaba"] += [(ms(t), cell) for t in (300, 360)] + [(s, cell) for s in train(420, 5, 4)]
            spk["ampa"] += [(s, cell) for s in train(600, 10, 3)]
            spk["gaba"] += [(s, cell) for s in train(700, 5, 5)]
        pops[pop] = dict(n_neurons=5, currents=cur, spikes=spk, weights={"ampa": w_exc, "gaba": w_inh},
                         cells=[f"current step {a * 1e12:g} pA from 50 to 550 ms" for a in amps]
                         + [f"bias {bias * 1e12:g} pA throughout + synaptic trains",
                            f"current step {mid * 1e12:g} pA from 50 to 550 ms + synaptic trains"])
    return dict(name="adex_single", n_steps=n_steps, dt=DT, populations=pops)


# ----------------------------------------------------------------------------------- STP
def stp_protocol() -> dict:
    n_steps = ms(4000)
    # train A: regular 10 Hz grid of events from 20 ms; the event type cycles through
    # single / bursts of 2-4 spikes at 5 or 10 ms ISI; a 50 Hz run of 10 spikes at 2.5 s and a
    # single probe spike after a 1 s pause.
    kinds = [(1, 0), (2, 5), (3, 10), (4, 5), (2, 10), (3, 5), (4, 10), (1, 0)]
    a: list[int] = []
    t = 20.0
    j = 0
    while t < 2400:
        n, isi = kinds[j % len(kinds)]
        a += train(t, n, isi)
        t += 100.0
        j += 1
    a += train(2500, 10, 20)
    a += [ms(3800)]
    # train B: fixed pseudo-random Poisson train (20 Hz, 2 ms dead time), numpy seed 20240601
    rng = np.random.RandomState(20240601)
    b: list[int] = []
    s = ms(10)
    while True:
        s += max(ms(2), int(rng.exponential(1.0 / 20.0) / DT))
        if s >= n_steps - ms(10):
            break
        b.append(s)
    sets = {"STD": dict(tau_d=20e-3, tau_f=1.0, ujump=0.9, f=0.1),
            "STF": dict(tau_d=100e-3, tau_f=100e-3, ujump=0.02, f=0.1)}
    return dict(name="stp_connection", n_steps=n_steps, dt=DT, weight=0.5,
                trains={"regular_bursts": a, "poisson": b}, sets=sets)


# ------------------------------------------------------------------------- burst monitor
def burst_handmade() -> tuple[list[tuple[int, int]], list[str]]:
    """Hand-made raster exercising BurstRateMonitor's trace rule (steps, neuron)."""
    ev: list[tuple[int, int]] = []
    desc: list[str] = []
    nid = 0

    def add(spike_steps, what):
        nonlocal nid
        ev.extend((s, nid) for s in spike_steps)
        desc.append(what)
        nid += 1

    base = ms(20)
    # pairs of isolated spikes at gaps around the 16 ms trace threshold
    for gap in (150, 155, 158, 159, 160, 161, 162, 165, 170, 200, 300):
        add([base, base + gap], f"two spikes, gap {gap} steps")
    # repeated pairs: the gap repeated several times (train) so the trace accumulates
    for gap in (160, 165, 170, 180, 200, 250):
        add([base + j * gap for j in range(8)], f"regular train of 8, ISI {gap} steps")
    # doublets at 3-15 ms, each followed by a long pause and a second doublet
    for isi in (30, 50, 80, 100, 120, 150):
        add([base, base + isi, base + ms(200), base + ms(200) + isi], f"two doublets, ISI {isi} steps")
    # 3-5 spike bursts followed by a spike 16-35 ms later: trace rule vs last-ISI rule
    for nb in (3, 4, 5):
        for isi in (30, 50):
            for after in (16, 18, 20, 22, 25, 28, 31, 35):
                burst = [base + j * ms(isi / 10) for j in range(nb)]
                add(burst + [burst[-1] + ms(after)],
                    f"burst of {nb} at {isi} steps, then a spike {after} ms after the last")
    # long trains: regular 20, 40, 62.5, 100 Hz over 300 ms; a 200 Hz train of 30 spikes
    for isi in (500, 250, 160, 100):
        add(list(range(base, base + ms(300), isi)), f"regular train, ISI {isi} steps")
    add([base + 50 * j for j in range(30)], "200 Hz train of 30 spikes")
    # bursts repeated at 10 Hz and 25 Hz (burst of 3 at 5 ms ISI)
    for period in (1000, 400):
        add([base + p + j * 50 for p in range(0, ms(500), period) for j in range(3)],
            f"bursts of 3 at 5 ms ISI every {period} steps")
    # a deterministic irregular train (geometric ISIs), several neurons
    rng = np.random.RandomState(7)
    for _ in range(20):
        s, sp = base, []
        while s < ms(900):
            sp.append(s)
            s += 20 + int(rng.exponential(250.0))
        add(sp, "irregular train (exponential ISIs, 2 ms minimum, mean ~27 ms)")
    # a silent neuron and a single-spike neuron
    add([], "silent")
    add([ms(500)], "single spike")
    return ev, desc


def read_auryn_raster(path: str) -> tuple[np.ndarray, np.ndarray]:
    """(times in s, neuron ids) of an Auryn SpikeMonitor raster ("time neuron" lines)."""
    t, i = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                t.append(float(parts[0]))
                i.append(int(parts[1]))
    return np.asarray(t, dtype=np.float64), np.asarray(i, dtype=np.int64)


def burst_network(path: str | None, max_neurons: int = 500, t_max: float = 4.0):
    """Network raster if given (neurons < max_neurons, t < t_max), else a bursty Poisson-like
    raster from a fixed seed. Returns (steps, ids, original times or None, source text).

    A SpikeMonitor writes the emission step k as the text of k*dt ("0.005400"); the replay uses
    step round(t/dt), written as (k + 0.5)*dt, so the replayed group emits in the original
    steps (FileInputGroup truncates t/dt, and 0.0054/1e-4 = 53.999... in floating point)."""
    if path and os.path.exists(path) and os.path.getsize(path) > 0:
        t, i = read_auryn_raster(path)
        keep = (i < max_neurons) & (t < t_max)
        t, i = t[keep], i[keep]
        steps = np.rint(t / DT).astype(np.int64)
        return steps, i, t, f"network raster {os.path.basename(path)} (neurons < {max_neurons}, t < {t_max} s)"
    rng = np.random.RandomState(99)
    ev = []
    for i in range(max_neurons):
        rate_ev = rng.uniform(2.0, 15.0)  # events/s
        p_burst = rng.uniform(0.0, 0.6)
        t = rng.exponential(1.0 / rate_ev)
        last = -1
        while t < t_max - 0.05:
            n = 1 if rng.rand() > p_burst else rng.randint(2, 5)
            isi = rng.uniform(0.003, 0.012)
            for j in range(n):
                s = int((t + j * isi) / DT)
                if s > last:
                    ev.append((s, i))
                    last = s
            t += max(n * isi + 0.002, rng.exponential(1.0 / rate_ev))
    ev.sort()
    steps = np.array([s for s, _ in ev], dtype=np.int64)
    ids = np.array([i for _, i in ev], dtype=np.int64)
    return steps, ids, None, "synthetic bursty Poisson raster (numpy seed 99)"


# ----------------------------------------------------------------------------------- main
def write_simple(proto_dir: str, p: dict) -> None:
    os.makedirs(proto_dir, exist_ok=True)
    with open(os.path.join(proto_dir, "protocol.json"), "w") as f:
        json.dump(p, f, indent=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work_dir")
    ap.add_argument("--network-raster", default=None,
                    help="Auryn raster of the first pyramidal layer of a sim_propagation run")
    ap.add_argument("--network-brate", default=None,
                    help="that run's BurstRateMonitor file for the same layer (optional check)")
    ap.add_argument("--network-size", type=int, default=4000)
    ap.add_argument("--network-binsize", type=float, default=50e-3)
    ap.add_argument("--network-steps", type=int, default=40000)
    args = ap.parse_args(argv)
    w = args.work_dir

    # NaudGroup
    p = naud_protocol()
    d = os.path.join(w, "naud_single")
    write_simple(d, p)
    with open(os.path.join(d, "protocol.txt"), "w") as f:
        f.write(f"n_neurons {p['n_neurons']}\nn_steps {p['n_steps']}\n")
        for ch, wgt in p["weights"].items():
            f.write(f"weight {ch} {wgt!r}\nspikes {ch} in_{ch}.ras\n")
            write_raster(os.path.join(d, f"in_{ch}.ras"), p["spikes"][ch])
        for c in p["currents"]:
            f.write("current {} {} {} {} {!r}\n".format(*c))

    # AdEx
    p = adex_protocol()
    d = os.path.join(w, "adex_single")
    write_simple(d, p)
    with open(os.path.join(d, "protocol.txt"), "w") as f:
        f.write(f"n_steps {p['n_steps']}\n")
        for pop, q in p["populations"].items():
            f.write(f"{pop}_n_neurons {q['n_neurons']}\n")
            for ch, wgt in q["weights"].items():
                f.write(f"{pop}_weight {ch} {wgt!r}\n{pop}_spikes {ch} {pop}_in_{ch}.ras\n")
                write_raster(os.path.join(d, f"{pop}_in_{ch}.ras"), q["spikes"][ch])
            for c in q["currents"]:
                f.write(f"{pop}_current " + "{} {} {} {} {!r}\n".format(*c))

    # STP
    p = stp_protocol()
    d = os.path.join(w, "stp_connection")
    write_simple(d, p)
    with open(os.path.join(d, "protocol.txt"), "w") as f:
        f.write(f"n_steps {p['n_steps']}\nweight {p['weight']!r}\n")
        for name, tr in p["trains"].items():
            write_raster(os.path.join(d, f"train_{name}.ras"), [(s, 0) for s in tr])
            f.write(f"train {name} train_{name}.ras\n")
        for name, q in p["sets"].items():
            f.write(f"set {name} {q['tau_d']!r} {q['tau_f']!r} {q['ujump']!r} {q['f']!r}\n")

    # burst monitor replay
    d = os.path.join(w, "burst_monitor_replay")
    os.makedirs(d, exist_ok=True)
    ev, desc = burst_handmade()
    write_raster(os.path.join(d, "handmade.ras"), ev)
    n_hand = len(desc)
    steps, ids, t_orig, source = burst_network(args.network_raster)
    write_raster(os.path.join(d, "network.ras"), list(zip(steps.tolist(), ids.tolist())))
    np.savez(os.path.join(d, "network_input.npz"), steps=steps, ids=ids,
             original_time=(t_orig if t_orig is not None else np.zeros(0)))
    rasters = {
        "handmade": dict(file="handmade.ras", n_neurons=n_hand, n_steps=ms(1000), cells=desc,
                         source="make_protocols.burst_handmade"),
        "network": dict(file="network.ras", n_neurons=500, n_steps=ms(4000), source=source),
    }
    binsizes = [1e-3, 10e-3]
    # optional consistency check: the whole first-layer raster replayed with the network's
    # 50 ms bins must give the BurstRateMonitor file the network wrote online
    if (args.network_raster and args.network_brate and os.path.exists(args.network_raster)
            and os.path.exists(args.network_brate)):
        t_all, i_all = read_auryn_raster(args.network_raster)
        s_all = np.rint(t_all / DT).astype(np.int64)
        write_raster(os.path.join(d, "network_full.ras"), list(zip(s_all.tolist(), i_all.tolist())))
        rasters["network_full"] = dict(file="network_full.ras", n_neurons=args.network_size,
                                       n_steps=args.network_steps,
                                       binsizes=[args.network_binsize], source=os.path.basename(args.network_raster),
                                       online_brate_file=os.path.basename(args.network_brate))
    p = dict(name="burst_monitor_replay", dt=DT, tau=16e-3, binsizes=binsizes, rasters=rasters)
    write_simple(d, p)
    with open(os.path.join(d, "protocol.txt"), "w") as f:
        for name, r in rasters.items():
            bins = " ".join(repr(b) for b in r.get("binsizes", []))
            f.write(f"raster {name} {r['file']} {r['n_neurons']} {r['n_steps']} {bins}\n")
        f.write("binsizes " + " ".join(repr(b) for b in binsizes) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
