#!/usr/bin/env python3
"""Bundle the Auryn reference drivers' raw outputs into compact reference files.

Usage: convert_outputs.py WORK_DIR RAW_DIR OUT_DIR [--meta META_JSON]

WORK_DIR holds the protocols (make_protocols.py), RAW_DIR/<driver>/ the .npy/.txt files the
drivers wrote. For every driver this writes OUT_DIR/<driver>.npz (arrays) and
OUT_DIR/<driver>.json (protocol, constants, array layout, consistency checks, provenance).

Time convention in every file: dt = 0.1 ms; "step k" is the Auryn integration step run with
sys->get_clock() == k (from t = k*dt to (k+1)*dt); per-step state arrays have T+1 rows and row n
is the state at t = n*dt, i.e. after n steps (row 0 = state after construction). A spike
emitted in step k (Auryn's SpikeMonitor writes it as time k*dt) has its reset value in row k+1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

DT = 1e-4


def load(raw: str, name: str) -> np.ndarray:
    return np.load(os.path.join(raw, name + ".npy"))


def vec(raw: str, name: str) -> np.ndarray:
    return load(raw, name)[:, 0]


def consts(raw: str, prefix: str) -> dict:
    names = open(os.path.join(raw, prefix + "consts_names.txt")).read().split()
    vals = load(raw, prefix + "consts")[0]
    return {n: float(v) for n, v in zip(names, vals)}


def read_spikemonitor(path: str) -> tuple[np.ndarray, np.ndarray]:
    t, i = [], []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= 2:
                    t.append(float(p[0]))
                    i.append(int(p[1]))
    return np.rint(np.asarray(t) / DT).astype(np.int64), np.asarray(i, dtype=np.int64)


def same_spikes(a_steps, a_ids, b_steps, b_ids) -> bool:
    return sorted(zip(a_steps.tolist(), a_ids.tolist())) == sorted(zip(b_steps.tolist(), b_ids.tolist()))


def protocol_spikes(lst) -> tuple[np.ndarray, np.ndarray]:
    lst = sorted(set(tuple(x) for x in lst))
    return (np.array([s for s, _ in lst], dtype=np.int64), np.array([i for _, i in lst], dtype=np.int64))


def save(out_dir: str, name: str, arrays: dict, side: dict) -> None:
    path = os.path.join(out_dir, name + ".npz")
    np.savez_compressed(path, **arrays)
    side["npz_file"] = name + ".npz"
    side["npz_bytes"] = os.path.getsize(path)
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        json.dump(side, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"{name}: {len(arrays)} arrays, {side['npz_bytes'] / 1e6:.2f} MB")


def segments(cur) -> dict:
    comp = {"mem": 0, "Vd": 1}
    return dict(seg_neuron=np.array([c[0] for c in cur], dtype=np.int64),
                seg_compartment=np.array([comp[c[1]] for c in cur], dtype=np.int64),
                seg_start=np.array([c[2] for c in cur], dtype=np.int64),
                seg_stop=np.array([c[3] for c in cur], dtype=np.int64),
                seg_amps=np.array([c[4] for c in cur], dtype=np.float64))


# ----------------------------------------------------------------------------------- Naud
def convert_naud(work: str, raw: str, out: str, meta: dict) -> None:
    p = json.load(open(os.path.join(work, "naud_single", "protocol.json")))
    a: dict = {}
    for v in ("V_s", "V_d", "wsoma", "wdend", "thr", "g_ampa", "g_gaba", "g_ampa_dend", "g_gaba_dend"):
        a[v] = load(raw, "naud_" + v)
    a["spike_steps"] = vec(raw, "naud_out_steps")
    a["spike_ids"] = vec(raw, "naud_out_ids")
    a["inj_soma"] = load(raw, "naud_inj_soma")
    a["inj_dend"] = load(raw, "naud_inj_dend")
    checks = {}
    for ch in ("ampa_soma", "gaba_soma", "ampa_dend", "gaba_dend"):
        st, ids = vec(raw, f"naud_in_{ch}_steps"), vec(raw, f"naud_in_{ch}_ids")
        a[f"in_{ch}_steps"], a[f"in_{ch}_ids"] = st, ids
        ps, pi = protocol_spikes(p["spikes"][ch])
        checks[f"input_{ch}_emitted_as_protocol"] = same_spikes(st, ids, ps, pi)
        a[f"w_{ch}"] = np.float64(p["weights"][ch])
    a.update(segments(p["currents"]))
    c = consts(raw, "naud_")
    a["const_names"] = np.array(list(c.keys()))
    a["const_values"] = np.array(list(c.values()), dtype=np.float64)
    a["dt"] = np.float64(DT)
    ms_steps, ms_ids = read_spikemonitor(os.path.join(raw, "naud_spikes.0.ras"))
    checks["spikemonitor_matches_recorder"] = same_spikes(ms_steps, ms_ids, a["spike_steps"], a["spike_ids"])
    side = dict(
        driver="validation/auryn/naud_single.cpp", protocol=p, constants=c, checks=checks, meta=meta,
        layout={
            "V_s, V_d, wsoma, wdend, thr, g_ampa, g_gaba, g_ampa_dend, g_gaba_dend":
                "float32 (T+1, N); row n = state at t = n*dt (after n steps); volts for V_s, V_d, thr; "
                "wsoma is a spike count (somatic current b_wsoma*wsoma, b_wsoma = -200 pA); wdend in volts "
                "(dendritic current a_wdend*wdend, a_wdend = -13 nS); conductances in units of the "
                "compartment's leak (Auryn's convention). Exact Auryn float32 values.",
            "spike_steps, spike_ids": "int64; step k of each somatic spike (reset value in row k+1)",
            "inj_soma, inj_dend": "float32 (T, N); value I/Cs resp. I/Cd (V/s) held by the CurrentInjector "
                                  "during step k; its effect dt*value is added after the neuron update of step k",
            "in_<channel>_steps, in_<channel>_ids": "int64; emission step of each input spike (the source "
                                                    "FileInputGroup); the conductance of the target jumps by "
                                                    "w_<channel> in step k+8 (visible in row k+9)",
            "w_<channel>": "float64 weight (leak units) of channel ampa_soma->g_ampa, gaba_soma->g_gaba, "
                           "ampa_dend->g_ampa_dend, gaba_dend->g_gaba_dend",
            "seg_neuron, seg_compartment, seg_start, seg_stop, seg_amps":
                "current protocol: compartment 0 = soma (mem), 1 = dendrite (Vd); amps applied in steps "
                "seg_start <= k < seg_stop",
            "const_names, const_values": "NaudGroup's internal constants (exact values used)",
        })
    save(out, "naud_single", a, side)


# ----------------------------------------------------------------------------------- AdEx
def convert_adex(work: str, raw: str, out: str, meta: dict) -> None:
    p = json.load(open(os.path.join(work, "adex_single", "protocol.json")))
    a: dict = {"dt": np.float64(DT)}
    checks = {}
    cs = {}
    for pop, q in p["populations"].items():
        pre = f"adex_{pop}_"
        for v in ("mem", "w", "g_ampa", "g_gaba"):
            a[f"{pop}_{v}"] = load(raw, pre + v)
        a[f"{pop}_spike_steps"] = vec(raw, pre + "out_steps")
        a[f"{pop}_spike_ids"] = vec(raw, pre + "out_ids")
        a[f"{pop}_inj"] = load(raw, pre + "inj")
        for ch in ("ampa", "gaba"):
            st, ids = vec(raw, pre + f"in_{ch}_steps"), vec(raw, pre + f"in_{ch}_ids")
            a[f"{pop}_in_{ch}_steps"], a[f"{pop}_in_{ch}_ids"] = st, ids
            ps, pi = protocol_spikes(q["spikes"][ch])
            checks[f"{pop}_input_{ch}_emitted_as_protocol"] = same_spikes(st, ids, ps, pi)
            a[f"{pop}_w_{ch}"] = np.float64(q["weights"][ch])
        for k, v in segments(q["currents"]).items():
            a[f"{pop}_{k}"] = v
        c = consts(raw, pre)
        cs[pop] = c
        a[f"{pop}_const_names"] = np.array(list(c.keys()))
        a[f"{pop}_const_values"] = np.array(list(c.values()), dtype=np.float64)
        ms_steps, ms_ids = read_spikemonitor(os.path.join(raw, f"{pop}_spikes.0.ras"))
        checks[f"{pop}_spikemonitor_matches_recorder"] = same_spikes(ms_steps, ms_ids, a[f"{pop}_spike_steps"],
                                                                     a[f"{pop}_spike_ids"])
    side = dict(
        driver="validation/auryn/adex_single.cpp", protocol=p, constants=cs, checks=checks, meta=meta,
        layout={
            "<pop>_mem, <pop>_w, <pop>_g_ampa, <pop>_g_gaba":
                "float32 (T+1, 5), pop in {pv, som}; row n = state at t = n*dt; mem in volts; w in volts "
                "(Auryn stores the adaptation current divided by g_leak); conductances in leak units",
            "<pop>_spike_steps, <pop>_spike_ids": "int64; step k of each spike (mem = e_reset + dt*I/C in row k+1)",
            "<pop>_inj": "float32 (T, 5); I/c_mem (V/s) held by the CurrentInjector during step k",
            "<pop>_in_<ampa|gaba>_steps/_ids": "int64; emission steps of the input spikes (jump in step k+8, row k+9)",
            "<pop>_w_<ampa|gaba>": "float64 weight in leak units",
            "<pop>_seg_*": "current protocol (compartment always 0 = mem); steps seg_start <= k < seg_stop",
            "<pop>_const_names/_values": "constants as AdExGroup's setters store them",
        })
    save(out, "adex_single", a, side)


# ------------------------------------------------------------------------------------ STP
def convert_stp(work: str, raw: str, out: str, meta: dict) -> None:
    p = json.load(open(os.path.join(work, "stp_connection", "protocol.json")))
    a: dict = {"dt": np.float64(DT), "weight": np.float64(p["weight"])}
    checks = {}
    keep_rows = 10001  # per-step u, x stored for the first second
    w32 = np.float32(p["weight"])
    for tname, tr in p["trains"].items():
        a[f"train_{tname}_steps"] = np.asarray(tr, dtype=np.int64)
        for sname, q in p["sets"].items():
            pair = f"{tname}_{sname}"
            pre = f"stp_{pair}_"
            u, x = vec(raw, pre + "u"), vec(raw, pre + "x")
            ss = vec(raw, pre + "spike_steps")
            att = vec(raw, pre + "attribute")
            ds, da = vec(raw, pre + "delivered_steps"), vec(raw, pre + "delivered_amount")
            cst = load(raw, pre + "consts")[0]
            checks[f"{pair}_spikes_as_protocol"] = bool(np.array_equal(ss, np.asarray(tr)))
            a[pair + "_spike_steps"] = ss
            a[pair + "_u_before"] = u[ss]      # row k = after step k-1: the values the spike uses
            a[pair + "_x_before"] = x[ss]
            a[pair + "_u_after"] = u[ss + 1]   # after the jump and one relaxation step
            a[pair + "_x_after"] = x[ss + 1]
            a[pair + "_attribute"] = att
            a[pair + "_delivered_steps"] = ds
            a[pair + "_delivered_amount"] = da
            a[pair + "_u_first_second"] = u[:keep_rows]
            a[pair + "_x_first_second"] = x[:keep_rows]
            ub, xb = u[ss].astype(np.float64), x[ss].astype(np.float64)
            checks[f"{pair}_delay_steps"] = sorted(set((ds - ss).tolist())) if len(ds) == len(ss) else "count mismatch"
            checks[f"{pair}_attribute_equals_u_before_x_before"] = float(np.max(np.abs(att - (ub * xb).astype(np.float32))))
            checks[f"{pair}_delivered_equals_weight_times_attribute"] = float(np.max(np.abs(da - w32 * att)))
            tau_d, tau_f, U = float(cst[0]), float(cst[1]), float(cst[2])
            for label, inc in (("ujump", U), ("f", q["f"])):
                ua = ub + inc * (1 - ub)
                ua = ua + DT / tau_f * (U - ua)
                xa = xb - ub * xb
                xa = xa + DT / tau_d * (1 - xa)
                checks[f"{pair}_u_after_maxerr_if_increment_is_{label}"] = float(np.max(np.abs(u[ss + 1] - ua)))
                checks[f"{pair}_x_after_maxerr"] = float(np.max(np.abs(x[ss + 1] - xa)))
            a[pair + "_params"] = np.array([tau_d, tau_f, U, q["f"]], dtype=np.float64)
            checks[f"{pair}_nonzero_synapses"] = int(cst[4])
            checks[f"{pair}_initial_u_x"] = [float(u[0]), float(x[0])]
    g = vec(raw, "stp_delayprobe_g_ampa")
    s_in = vec(raw, "stp_delayprobe_in_steps")
    a["delayprobe_g_ampa_first_second"] = g[:keep_rows]
    a["delayprobe_in_steps"] = s_in
    jump_rows = np.nonzero(np.diff(g.astype(np.float64)) > 0)[0] + 1
    checks["delayprobe_first_input_step"] = int(s_in[0])
    checks["delayprobe_first_g_ampa_jump_row"] = int(jump_rows[0])
    checks["delayprobe_jump_row_minus_emission_step"] = sorted(set((jump_rows[:len(s_in)] - s_in[:len(jump_rows)]).tolist()))
    side = dict(
        driver="validation/auryn/stp_connection.cpp", protocol=p, checks=checks, meta=meta,
        layout={
            "train_<train>_steps": "int64; protocol: emission steps of the presynaptic spikes",
            "<train>_<set>_spike_steps": "int64; observed emission steps (set in {STD, STF})",
            "<train>_<set>_u_before, _x_before": "float32; u, x after step k-1, the values the spike of step k uses",
            "<train>_<set>_u_after, _x_after": "float32; u, x after step k (after the spike update and one "
                                               "Euler relaxation step, evolve_connections)",
            "<train>_<set>_attribute": "float32; efficacy pushed with the spike (u_before*x_before)",
            "<train>_<set>_delivered_steps, _delivered_amount": "int64 step in which the target received the "
                                                                 "spike (emission + 8), float32 amount added "
                                                                 "(weight*attribute)",
            "<train>_<set>_u_first_second, _x_first_second": "float32 (10001,); u, x per step, row n = after n steps",
            "<train>_<set>_params": "float64 [tau_d, tau_f, Ujump, f] as stored (tau_d, tau_f, Ujump went "
                                    "through AurynFloat setters)",
            "delayprobe_g_ampa_first_second": "float32 (10001,); g_ampa of a default AdExGroup cell receiving "
                                              "train regular_bursts through the STD connection; row n after n steps",
            "delayprobe_in_steps": "int64; its presynaptic emission steps",
        })
    save(out, "stp_connection", a, side)


# ------------------------------------------------------------------------- burst monitor
def read_brate(path: str, n_neurons: int, binsize: float, n_steps: int):
    t, br, er = [], [], []
    with open(path) as f:
        for line in f:
            q = line.split()
            if len(q) == 3:
                t.append(float(q[0]))
                br.append(float(q[1]))
                er.append(float(q[2]))
    t, br, er = map(np.asarray, (t, br, er))
    scale = binsize * n_neurons
    steps = np.rint(t / DT).astype(np.int64)
    keep = steps < n_steps
    return steps[keep], np.rint(br * scale).astype(np.int64)[keep], np.rint(er * scale).astype(np.int64)[keep]


def convert_burst(work: str, raw: str, out: str, meta: dict) -> None:
    wd = os.path.join(work, "burst_monitor_replay")
    p = json.load(open(os.path.join(wd, "protocol.json")))
    a: dict = {"dt": np.float64(DT), "tau": np.float64(p["tau"])}
    bc = load(raw, "burst_consts")[0]
    thr32 = np.float32(bc[1])
    checks = {"threshold_float32": float(thr32), "trace_decay_per_step_float32": float(bc[2])}
    netin = np.load(os.path.join(wd, "network_input.npz"))
    for rname, r in p["rasters"].items():
        bins = r.get("binsizes", p["binsizes"])
        n, T = r["n_neurons"], r["n_steps"]
        pre0 = f"burst_{rname}_bin0_"
        st, ids = vec(raw, pre0 + "spike_steps"), vec(raw, pre0 + "spike_ids")
        tr, sb, sa = vec(raw, pre0 + "trace_seen"), vec(raw, pre0 + "state_before"), vec(raw, pre0 + "state_after")
        keep = st < T
        st, ids, tr, sb, sa = st[keep], ids[keep], tr[keep], sb[keep], sa[keep]
        for j in range(1, len(bins)):  # the per-spike view is the same for every bin size
            prej = f"burst_{rname}_bin{j}_"
            stj = vec(raw, prej + "spike_steps")
            checks[f"{rname}_bin{j}_same_spikes_and_traces_as_bin0"] = bool(
                np.array_equal(stj[stj < T], st) and np.array_equal(vec(raw, prej + "trace_seen")[stj < T], tr))
        is_event = tr < thr32
        is_burst = (~is_event) & (sb < 0)
        checks[f"{rname}_classification_consistent_with_state_after"] = bool(
            np.all(is_event == (sa == -1)) and np.all(is_burst == ((sb == -1) & (sa == 1))))
        # independent float32 recomputation of the trace the monitor compared
        c32 = np.float32(bc[2])
        trace = np.zeros(n, dtype=np.float32)
        rec = np.empty(len(st), dtype=np.float32)
        order = np.argsort(st, kind="stable")
        last_step = 0
        pos = 0
        steps_sorted = st[order]
        for k in np.unique(steps_sorted):
            nsteps = int(k - last_step)
            if nsteps:
                # scale one step at a time in float32, as EulerTrace::evolve does
                for _ in range(nsteps):
                    trace *= c32
            idx = order[pos:pos + np.searchsorted(steps_sorted[pos:], k, side="right")]
            rec[idx] = trace[ids[idx]]
            trace[ids[idx]] += np.float32(1.0)
            trace *= c32
            last_step = int(k) + 1
            pos += len(idx)
        checks[f"{rname}_trace_recomputed_float32_maxabs"] = float(np.max(np.abs(rec - tr))) if len(tr) else 0.0
        if rname == "handmade":
            hs = np.loadtxt(os.path.join(wd, r["file"]), ndmin=2)
            ps = np.floor(hs[:, 0] / DT).astype(np.int64)
            pi = hs[:, 1].astype(np.int64)
            a[f"{rname}_input_steps"], a[f"{rname}_input_ids"] = ps, pi
            checks[f"{rname}_emitted_as_input"] = same_spikes(st, ids, ps, pi)
        elif rname == "network":
            a[f"{rname}_input_steps"], a[f"{rname}_input_ids"] = netin["steps"], netin["ids"]
            if len(netin["original_time"]):
                a[f"{rname}_original_time"] = netin["original_time"]
            checks[f"{rname}_emitted_as_input"] = same_spikes(st, ids, netin["steps"], netin["ids"])
        if rname != "network_full":
            a[f"{rname}_spike_steps"], a[f"{rname}_spike_ids"] = st, ids
            a[f"{rname}_trace_seen"] = tr
            a[f"{rname}_is_event"] = is_event
            a[f"{rname}_is_burst"] = is_burst
            ms_steps, ms_ids = read_spikemonitor(os.path.join(raw, f"replay_{rname}_bin0.0.ras"))
            keep_m = ms_steps < T
            checks[f"{rname}_spikemonitor_matches_recorder"] = same_spikes(ms_steps[keep_m], ms_ids[keep_m], st, ids)
        a[f"{rname}_n_neurons"] = np.int64(n)
        a[f"{rname}_n_steps"] = np.int64(T)
        a[f"{rname}_binsizes"] = np.asarray(bins, dtype=np.float64)
        for j, b in enumerate(bins):
            bs, bcount, ecount = read_brate(os.path.join(raw, f"brate_{rname}_bin{j}.0.txt"), n, b, T)
            a[f"{rname}_bin{j}_row_step"] = bs
            a[f"{rname}_bin{j}_burst_count"] = bcount
            a[f"{rname}_bin{j}_event_count"] = ecount
            # the counts of the row written at step s cover the steps s - ssize < k <= s
            ssize = int(np.rint(b / DT))
            edges = np.concatenate([[-1], bs])
            ev_hist = np.histogram(st[is_event], bins=edges + 0.5)[0] if len(bs) else np.zeros(0)
            bu_hist = np.histogram(st[is_burst], bins=edges + 0.5)[0] if len(bs) else np.zeros(0)
            checks[f"{rname}_bin{j}_counts_match_per_spike_classification"] = bool(
                np.array_equal(ev_hist, ecount) and np.array_equal(bu_hist, bcount))
            checks[f"{rname}_bin{j}_row_steps_multiple_of_ssize"] = bool(np.all(bs % ssize == 0))
        if rname == "network_full":
            checks["network_full_source"] = r.get("source")
    # online comparison is filled in by compare_online() when the file is given
    side = dict(
        driver="validation/auryn/burst_monitor_replay.cpp", meta=meta, checks=checks,
        protocol={k: v for k, v in p.items() if k != "rasters"},
        rasters={k: {kk: vv for kk, vv in v.items() if kk not in ("spikes",)} for k, v in p["rasters"].items()},
        layout={
            "<raster>_input_steps, <raster>_input_ids": "int64; the raster as written for the replay "
                                                        "(file time = (step + 0.5)*dt)",
            "network_original_time": "float64; the network raster's own times (s) for those spikes "
                                     "(step = round(t/dt))",
            "<raster>_spike_steps, <raster>_spike_ids": "int64; spikes the replayed FileInputGroup emitted "
                                                        "(step k = clock of the emitting step)",
            "<raster>_trace_seen": "float32; the monitor's 16 ms trace of that neuron when it handled the spike "
                                   "(value after step k-1: previous spikes each added 1 and were scaled once in "
                                   "their own step)",
            "<raster>_is_event, <raster>_is_burst": "bool; event = trace_seen < float32(exp(-1)); burst = not an "
                                                    "event and the neuron's burst state is -1 (first spike after an "
                                                    "event start), which then becomes +1",
            "<raster>_bin<j>_row_step": "int64; clock s of each line the monitor wrote (time column s*dt); "
                                        "lines are written when s % ssize == 0, s = 0 included",
            "<raster>_bin<j>_burst_count, _event_count": "int64; counts in that line: spikes of the steps "
                                                        "s - ssize < k <= s (rates = count / (binsize * n))",
            "<raster>_binsizes": "float64; binsize of bin<j>",
        })
    save(out, "burst_monitor_replay", a, side)


def compare_online(out: str, raw: str, brate_path: str | None) -> None:
    """Compare the full-raster replay with the BurstRateMonitor file written online."""
    side_path = os.path.join(out, "burst_monitor_replay.json")
    side = json.load(open(side_path))
    if "network_full" not in side["rasters"] or not brate_path or not os.path.exists(brate_path):
        return
    r = side["rasters"]["network_full"]
    b = r["binsizes"][0]
    rs, rb, re_ = read_brate(os.path.join(raw, "brate_network_full_bin0.0.txt"), r["n_neurons"], b, r["n_steps"])
    os_, ob, oe = read_brate(brate_path, r["n_neurons"], b, r["n_steps"])
    same = bool(np.array_equal(rs, os_) and np.array_equal(rb, ob) and np.array_equal(re_, oe))
    side["checks"]["network_full_replay_equals_online_monitor"] = same
    side["checks"]["network_full_online_rows"] = int(len(os_))
    if not same and len(rs) == len(os_):
        side["checks"]["network_full_rows_differing"] = int(np.sum((rb != ob) | (re_ != oe)))
    with open(side_path, "w") as f:
        json.dump(side, f, indent=1)
        f.write("\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work_dir")
    ap.add_argument("raw_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--meta", default=None, help="JSON file with provenance to copy into every sidecar")
    ap.add_argument("--network-brate", default=None)
    args = ap.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    meta = json.load(open(args.meta)) if args.meta else {}
    convert_naud(args.work_dir, os.path.join(args.raw_dir, "naud_single"), args.out_dir, meta)
    convert_adex(args.work_dir, os.path.join(args.raw_dir, "adex_single"), args.out_dir, meta)
    convert_stp(args.work_dir, os.path.join(args.raw_dir, "stp_connection"), args.out_dir, meta)
    convert_burst(args.work_dir, os.path.join(args.raw_dir, "burst_monitor_replay"), args.out_dir, meta)
    compare_online(args.out_dir, os.path.join(args.raw_dir, "burst_monitor_replay"), args.network_brate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
