#!/usr/bin/env python3
"""One-step replay of the recorded Auryn single-cell data: documents Auryn's update order.

Usage: check_reference.py REFERENCE_DIR

For NaudGroup and AdExGroup, every recorded row n+1 is predicted from row n with an
independent float32 re-implementation of one Auryn step, in this order:
  1. the neuron group's evolve(): synapse models / conductance decay, Euler membrane update,
     threshold check and reset (with the group's own ordering, see below),
  2. propagate(): input spikes emitted d = 8 steps earlier add their weight to the conductance,
  3. execute_devices(): CurrentInjector adds dt * I/C to mem (and Vd).
The maximal deviation per variable is written into the sidecar JSON under "one_step_replay",
together with the deviation of wrong alternatives (transmission delay 7 or 9 steps; current
added before the Euler step; NaudGroup's dendritic synaptic currents driven by V_d instead of
V_s; AdEx with exp instead of Auryn's fast_exp), to show that the data pin these down.
numpy's float32 exp and the absence of FMA contraction can differ from the -ffast-math
-march=native build of libauryn by an ulp, so tiny non-zero deviations are expected.
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

f32 = np.float32


def _inputs(n_rows: int, n: int, steps: np.ndarray, ids: np.ndarray, w: float, delay: int) -> np.ndarray:
    """add[n] = conductance added in step n (after the neuron update)."""
    add = np.zeros((n_rows, n), dtype=np.float32)
    for s, i in zip(steps, ids):
        if s + delay < n_rows:
            add[s + delay, i] += f32(w)
    return add


def naud_replay(z, c, delay=8, inject_before=False, dend_syn_on_vd=False):
    Vs, Vd, ws, wd, thr = (z[k] for k in ("V_s", "V_d", "wsoma", "wdend", "thr"))
    ga, gg, gad, ggd = (z[k] for k in ("g_ampa", "g_gaba", "g_ampa_dend", "g_gaba_dend"))
    T = Vs.shape[0] - 1
    N = Vs.shape[1]
    dt = f32(c["auryn_timestep"])
    add = {ch: _inputs(T, N, z[f"in_{ch}_steps"], z[f"in_{ch}_ids"], float(z[f"w_{ch}"]), delay)
           for ch in ("ampa_soma", "gaba_soma", "ampa_dend", "gaba_dend")}
    sc_ampa = f32(np.exp(-c["auryn_timestep"] / float(f32(c["tau_ampa"]))))
    sc_gaba = f32(np.exp(-c["auryn_timestep"] / float(f32(c["tau_gaba"]))))
    K = {k: f32(v) for k, v in c.items()}
    cd = np.zeros(N, dtype=np.int64)  # post-spike countdown of the BAP box kernel
    err = {k: 0.0 for k in ("V_s", "V_d", "wsoma", "wdend", "thr", "g_ampa", "g_gaba", "g_ampa_dend", "g_gaba_dend")}
    spikes = []
    spiked_rec = set(zip(z["spike_steps"].tolist(), z["spike_ids"].tolist()))
    for n in range(T):
        vs, vd, w_s, w_d, th = Vs[n].copy(), Vd[n].copy(), ws[n].copy(), wd[n].copy(), thr[n].copy()
        a_s, g_s, a_d, g_d = ga[n].copy(), gg[n].copy(), gad[n].copy(), ggd[n].copy()
        if inject_before:
            vs = vs + dt * z["inj_soma"][n]
            vd = vd + dt * z["inj_dend"][n]
        # synapse models (all use the somatic voltage), then decay
        i_es = a_s * (f32(0) - vs); a_s = a_s * sc_ampa
        i_is = (K["e_inh"] - vs) * g_s; g_s = g_s * sc_gaba
        v_drive = vd if dend_syn_on_vd else vs
        i_ed = a_d * (f32(0) - v_drive); a_d = a_d * sc_ampa
        i_id = (K["e_inh"] - v_drive) * g_d; g_d = g_d * sc_gaba
        # membrane
        sig = f32(1) / (np.exp((vd - K["e_dend"]) * (-K["xi"])) + f32(1))
        vs = vs + K["mul_soma"] * (K["e_rest"] - vs)
        vs = vs + K["mul_wsoma"] * w_s
        vs = vs + K["mul_alpha"] * sig
        vd = vd + K["mul_dend"] * (K["e_rest"] - vd)
        vd = vd + K["mul_wdend"] * w_d
        vd = vd + K["mul_beta"] * sig
        box = cd > 0
        vd = np.where(box, vd + K["box_height"], vd)
        cd = np.where(box, cd - 1, cd)
        vs = vs + K["mul_soma"] * i_es
        vs = vs + K["mul_soma"] * i_is
        vd = vd + K["mul_dend"] * i_ed
        vd = vd + K["mul_dend"] * i_id
        w_s = w_s * K["scale_wsoma"]
        w_d = w_d + K["aux_mul_wdend"] * ((vd - K["e_rest"]) + f32(-1) * w_d)
        th = th + K["mul_thr"] * (K["e_thr"] - th)
        spk = vs > th
        for i in np.nonzero(spk)[0]:
            spikes.append((n, int(i)))
        vs = np.where(spk, K["e_reset"], vs)
        th = np.where(spk, th + K["e_spk_thr"], th)
        w_s = np.where(spk, w_s + f32(1), w_s)
        cd = np.where(spk, int(c["post_spike_reset"]), cd)
        # propagate
        a_s = a_s + add["ampa_soma"][n]
        g_s = g_s + add["gaba_soma"][n]
        a_d = a_d + add["ampa_dend"][n]
        g_d = g_d + add["gaba_dend"][n]
        # devices
        if not inject_before:
            vs = vs + dt * z["inj_soma"][n]
            vd = vd + dt * z["inj_dend"][n]
        for k, v in (("V_s", vs), ("V_d", vd), ("wsoma", w_s), ("wdend", w_d), ("thr", th), ("g_ampa", a_s),
                     ("g_gaba", g_s), ("g_ampa_dend", a_d), ("g_gaba_dend", g_d)):
            err[k] = max(err[k], float(np.max(np.abs(v - z[k][n + 1]))))
        # continue from the recorded state, but keep the countdown of the recorded spikes
        for i in range(N):
            if (n, i) in spiked_rec and not spk[i]:
                cd[i] = int(c["post_spike_reset"])
            if spk[i] and (n, i) not in spiked_rec:
                cd[i] = 0
    return err, sorted(spikes) == sorted(spiked_rec)


def fast_exp256(x):
    x = (1.0 + x.astype(np.float64) / 256.0).astype(np.float32)
    for _ in range(8):
        x = x * x
    return x


def adex_replay(z, pop, c, delay=8, inject_before=False, exact_exp=False):
    V, W, GA, GG = (z[f"{pop}_{k}"] for k in ("mem", "w", "g_ampa", "g_gaba"))
    T, N = V.shape[0] - 1, V.shape[1]
    K = {k: f32(v) for k, v in c.items()}
    dt = f32(c["auryn_timestep"])
    add_a = _inputs(T, N, z[f"{pop}_in_ampa_steps"], z[f"{pop}_in_ampa_ids"], float(z[f"{pop}_w_ampa"]), delay)
    add_g = _inputs(T, N, z[f"{pop}_in_gaba_steps"], z[f"{pop}_in_gaba_ids"], float(z[f"{pop}_w_gaba"]), delay)
    inv_dt = f32(1.0 / float(K["deltat"]))
    ref = np.zeros(N, dtype=np.int64)
    rec = set(zip(z[f"{pop}_spike_steps"].tolist(), z[f"{pop}_spike_ids"].tolist()))
    err = {k: 0.0 for k in ("mem", "w", "g_ampa", "g_gaba")}
    spikes = []
    for n in range(T):
        v, w, ga, gg = V[n].copy(), W[n].copy(), GA[n].copy(), GG[n].copy()
        if inject_before:
            v = v + dt * z[f"{pop}_inj"][n]
        i_leak = K["e_rest"] - v
        i_exc = (K["e_rev_ampa"] - v) * ga
        i_inh = (K["e_rev_gaba"] - v) * gg
        t = (v - K["e_thr"]) * inv_dt
        t = np.exp(t) if exact_exp else fast_exp256(t)
        t = t * K["deltat"]
        t = t + i_leak
        t = t + i_exc
        t = t + i_inh
        t = t - w
        v = v + K["scale_mem"] * t
        v = np.clip(v, K["e_rev_gaba"], f32(20e-3))
        for i in range(N):
            if ref[i] == 0:
                if v[i] > 0:
                    spikes.append((n, i))
                    v[i] = K["e_reset"]
                    w[i] = w[i] + K["b_over_gL"]
                    ref[i] += int(c["refractory_steps"])
            else:
                ref[i] -= 1
                v[i] = K["e_rest"]
        w = w + K["scale_w"] * ((v - K["e_rest"]) * K["a_over_gL"] - w)
        ga = ga * K["scale_ampa"] + add_a[n]
        gg = gg * K["scale_gaba"] + add_g[n]
        if not inject_before:
            v = v + dt * z[f"{pop}_inj"][n]
        for k, x in (("mem", v), ("w", w), ("g_ampa", ga), ("g_gaba", gg)):
            err[k] = max(err[k], float(np.max(np.abs(x - z[f"{pop}_{k}"][n + 1]))))
        for i in range(N):  # keep the refractory counter on the recorded spikes
            if (n, i) in rec and ref[i] == 0:
                ref[i] = int(c["refractory_steps"])
    return err, sorted(spikes) == sorted(rec)


def main(argv=None) -> int:
    ref_dir = (argv or sys.argv[1:])[0]
    # NaudGroup
    path = os.path.join(ref_dir, "naud_single")
    z = dict(np.load(path + ".npz"))
    side = json.load(open(path + ".json"))
    c = side["constants"]
    res = {}
    for label, kw in (("auryn_order", {}), ("delay_7", {"delay": 7}), ("delay_9", {"delay": 9}),
                      ("current_before_update", {"inject_before": True}),
                      ("dendritic_synapses_driven_by_V_d", {"dend_syn_on_vd": True})):
        err, same = naud_replay(z, c, **kw)
        res[label] = {"max_abs_error": err, "spikes_reproduced": same}
        print("naud", label, same, {k: f"{v:.2e}" for k, v in err.items()})
    side["one_step_replay"] = res
    json.dump(side, open(path + ".json", "w"), indent=1)
    # AdEx
    path = os.path.join(ref_dir, "adex_single")
    z = dict(np.load(path + ".npz"))
    side = json.load(open(path + ".json"))
    res = {}
    for pop in ("pv", "som"):
        c = side["constants"][pop]
        for label, kw in (("auryn_order", {}), ("delay_7", {"delay": 7}), ("delay_9", {"delay": 9}),
                          ("current_before_update", {"inject_before": True}),
                          ("exact_exp_instead_of_fast_exp", {"exact_exp": True})):
            err, same = adex_replay(z, pop, c, **kw)
            res[f"{pop}_{label}"] = {"max_abs_error": err, "spikes_reproduced": same}
            print("adex", pop, label, same, {k: f"{v:.2e}" for k, v in err.items()})
    side["one_step_replay"] = res
    json.dump(side, open(path + ".json", "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
