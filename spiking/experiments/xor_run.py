"""The whole XOR protocol (spiking/experiments/xor.py) with one build: segment by segment, with checkpoints.

The compiled network (``xor_plan(protocol, segment=True)``) covers one segment: a burn-in of
3 tau_avg and one epoch of the four cases. The protocol is a series of runs of it:

- segment 0, "test_before": burn-in and the four cases, teaching and learning off;
- segments 1 .. n_epochs, "train": the burn-in skipped, teaching and learning on;
- segment n_epochs + 1, "test_after": the burn-in skipped, teaching and learning off.

Every segment starts from the state in which the one before ended (every state variable,
weights and moving averages included; :class:`~spiking.state.NetworkState`), so the series
is one continuous simulation of the reference's timeline: segment s covers
``[6 + 32 (s - 1), 6 + 32 s)`` s of it (segment 0 also the burn-in ``[0, 6)``). One thing differs
from one long run: the random numbers of segment s come from a seed derived from ``(seed, s)``
(:func:`segment_seed`). (Spikes in flight would not be carried over either, Brian's spike
queues not being variables; this network has none: all its pathways transmit without delay, as
the reference's.)

Because of the seeds, a run that was killed and resumed from a checkpoint is *identical* to
one that was not: the checkpoint holds the state after a segment, and the next segment's seed
does not depend on how the run got there (tested: the weights agree exactly).

Examples
--------
>>> segment_seed(1, 0) == segment_seed(1, 0), segment_seed(1, 0) == segment_seed(1, 1)
(True, False)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time

import numpy as np

from spiking.experiments.xor import CASES, PLASTIC_PROJECTIONS, READOUT_PROJECTION, XorProtocol, prediction_rates, \
    segment_schedule, xor_cost, xor_plan
from spiking.errors import ParameterError
from spiking.simulation import Simulation
from spiking.state import NetworkState

__all__ = ["run_xor", "segment_seed", "segment_phase", "summary_window_s", "XorRecord", "save_run_record",
           "load_run_record"]

#: Version of the run-record files written by :func:`save_run_record`.
RUN_RECORD_FORMAT = 1

def summary_window_s(protocol: XorProtocol) -> float:
    """Seconds before each teaching window over which the populations' event rate and burst
    probability are averaged: the second half of the prediction phase (3.6 s of 7.2 s in the
    reference protocol; a whole number of the timeline's grid steps there)."""
    return 0.5 * float(protocol.example_duration - protocol.teaching_duration)


def segment_seed(seed: int, segment: int) -> int:
    """The seed of the random numbers of ``segment`` of the run with ``seed`` (in [0, 2**31))."""
    return int(np.random.SeedSequence([int(seed), int(segment)]).generate_state(1)[0] % (2 ** 31))


def segment_phase(segment: int, n_epochs: int) -> tuple[str, int]:
    """``(phase, epoch)`` of a segment: ("test_before", 0), ("train", 1..n_epochs), ("test_after", 0)."""
    if segment == 0:
        return "test_before", 0
    if segment <= n_epochs:
        return "train", segment
    return "test_after", 0


@dataclasses.dataclass
class XorRecord:
    """What one segment measured (plain JSON types).

    ``output_er_hz``: the output's moving-average event rate at the end of each case's
    prediction phase (the read-out), by case; ``cost``: the summed cross-entropy of the four;
    ``event_rate_hz`` / ``burst_probability``: per population and case, unit means over the last
    second half of the prediction phase (:func:`summary_window_s`); ``mean_weight``: mean plastic
    weight per projection at the segment's end, in units of the soma's leak conductance.
    """

    segment: int
    phase: str
    epoch: int
    output_er_hz: dict
    cost: float
    event_rate_hz: dict
    burst_probability: dict
    mean_weight: dict
    wall_s: float


def _summaries(result, protocol: XorProtocol, rows: list[dict]) -> tuple[dict, dict]:
    """Event rate (Hz) and burst probability per population and case (see :class:`XorRecord`)."""
    rates, probabilities = {}, {}
    window_s = summary_window_s(protocol)
    for population, data in result.online.items():
        bin_s = float(data.attrs["bin_width_s"])
        starts = data.time.values - 0.5 * bin_s
        events = data["event_count"].values.sum(axis=0)
        bursts = data["burst_count"].values.sum(axis=0)
        n = protocol.n_per_population
        rates[population], probabilities[population] = {}, {}
        for row in rows:
            stop = row["t_teach_s"]
            inside = (starts >= stop - window_s - 1e-9) & (starts + bin_s <= stop + 1e-9)
            n_events = float(events[inside].sum())
            rates[population][row["case"]] = n_events / (n * bin_s * max(1, int(inside.sum())))
            probabilities[population][row["case"]] = float(bursts[inside].sum()) / n_events if n_events else 0.0
    return rates, probabilities


def _mean_weights(state: NetworkState, params) -> dict:
    from spiking.experiments.circuits import leak_units

    unit = float(leak_units(1.0, params, "soma"))
    return {name: float(np.mean(state.values[f"{name}.w_syn"]) / unit) for name in PLASTIC_PROJECTIONS}


def _checkpoint_identity(protocol: XorProtocol, seed: int, plan) -> dict:
    """What a checkpoint must match to be resumed: the protocol's values (as text, exact), the seed
    and a SHA-256 of the network's full description (every model and rule parameter), so that a
    checkpoint written under other model parameters is refused rather than continued."""
    description = json.dumps(plan.to_dict(), sort_keys=True, default=repr).encode()
    return {"protocol": {f.name: repr(getattr(protocol, f.name)) for f in dataclasses.fields(protocol)},
            "seed": int(seed), "network_sha256": hashlib.sha256(description).hexdigest()}


def run_xor(protocol: XorProtocol = XorProtocol(), seed: int = 1, backend: str = "cpp_standalone",
            directory: str | None = None, checkpoint: str | None = None, checkpoint_every: int = 10,
            progress: bool = True, stop_after: int | None = None, label: str | None = None) -> dict:
    """Run the whole XOR protocol (test pass, ``n_epochs`` training epochs, test pass) with one
    build, segment by segment (see the module docstring).

    Parameters
    ----------
    protocol : XorProtocol
    seed : int
        Connectivity, initial values and (with the segment index) every segment's random numbers.
    backend : str
        ``"cpp_standalone"`` (default) or ``"cuda_standalone"``; the runtime backend works but is
        slow for this network.
    directory : str, optional
        Build folder (kept; a rebuild in it recompiles only what changed).
    checkpoint : str, optional
        A ``.npz`` file: the state and the records are saved there after the first test pass,
        every ``checkpoint_every`` epochs and at the end. If it exists, the run resumes after the
        last segment it holds (its protocol and seed must be these).
    checkpoint_every : int
        Epochs between checkpoints (>= 1).
    progress : bool
        A bar over the segments on stderr (epoch, cost, output rates, ETA) and a line at every
        checkpoint.
    stop_after : int, optional
        Stop (after saving the checkpoint) once this many segments are done in total: a
        controlled interruption, as a killed run would be (for tests and for time slots).
    label : str, optional
        Prefix of the progress lines (default ``"seed <seed>"``).

    Returns
    -------
    dict
        ``records`` (one :class:`XorRecord` dict per segment, in order), ``complete`` (all
        segments done), ``n_segments``, ``n_neurons_per_population``, ``build_s``, ``wall_s``
        (this call), ``resumed_from`` (segments loaded from the checkpoint), ``final_state``
        (the :class:`~spiking.state.NetworkState` after the last segment run) and ``identity``
        (what a checkpoint or run record must match: protocol, seed, network hash) and
        ``stretches`` (per stretch of segments run in one call, first to last: the provenance of
        the code that ran it, kept in the checkpoint, so a run resumed under another revision
        says which segments each revision ran).

    Examples
    --------
    >>> out = run_xor(XorProtocol(n_per_population=20, n_epochs=1), seed=1)  # doctest: +SKIP
    >>> [r["phase"] for r in out["records"]]  # doctest: +SKIP
    ['test_before', 'train', 'test_after']
    """
    if isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, (int, np.integer)) \
            or checkpoint_every < 1:
        raise ParameterError(f"checkpoint_every must be an integer >= 1; got {checkpoint_every!r}")
    if stop_after is not None and (not isinstance(stop_after, (int, np.integer)) or stop_after < 1):
        raise ParameterError(f"stop_after must be an integer >= 1 or None; got {stop_after!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 31:
        raise ParameterError(f"seed must be an integer in [0, 2**31); got {seed!r}")
    n_segments = protocol.n_epochs + 2
    plan = xor_plan(protocol, seed=seed, segment=True)
    identity = _checkpoint_identity(protocol, seed, plan)
    records: list[dict] = []
    state: NetworkState | None = None
    if checkpoint and os.path.exists(checkpoint):
        state = NetworkState.load(checkpoint)
        if state.metadata.get("identity") != identity:
            raise ParameterError(f"checkpoint {checkpoint!r} belongs to another run "
                                 f"({state.metadata.get('identity')}); remove it or choose another file")
        records = state.metadata["records"]
    resumed_from = len(records)
    # the code each stretch of segments ran with: a long run may be resumed under another revision
    stretches = [dict(s) for s in state.metadata.get("stretches", [])] if state is not None else []
    if resumed_from and not stretches:
        stretches = [{"first_segment": 0, "last_segment": resumed_from - 1,
                      "git_revision": "unknown (the checkpoint predates per-stretch provenance)"}]
    label = label or f"seed {seed}"
    rows = segment_schedule(protocol)
    example_s = float(protocol.example_duration)
    start_call = time.perf_counter()
    out = {"records": records, "n_segments": n_segments, "n_neurons_per_population": protocol.n_per_population,
           "resumed_from": resumed_from, "build_s": 0.0, "final_state": state, "identity": identity,
           "stretches": stretches}
    if resumed_from >= n_segments:
        out.update(complete=True, wall_s=0.0)
        return out
    from models.pyramidal import BurstPoissonParameters
    params = BurstPoissonParameters()
    no_learning = {name: [] for name in PLASTIC_PROJECTIONS}
    from spiking.provenance import provenance

    this_stretch = {"first_segment": resumed_from, "last_segment": None, **provenance(backend=backend, seed=seed)}
    stretches.append(this_stretch)
    bar = None
    if progress:
        from tqdm import tqdm

        # one bar over the segments (the runs' own bars would flicker every few seconds), and a
        # log line at each checkpoint
        bar = tqdm(total=n_segments, initial=resumed_from, desc=f"xor {label}", unit="segment", file=sys.stderr,
                   dynamic_ncols=True, smoothing=0.05)
    with Simulation(plan, backend=backend, directory=directory, prologue=protocol.burn_in) as sim:
        out["build_s"] = sim.build()
        segment_walls = []
        for segment in range(resumed_from, n_segments):
            phase, epoch = segment_phase(segment, protocol.n_epochs)
            learning = phase == "train"
            begin = time.perf_counter()
            result = sim.run(plasticity=None if learning else no_learning,
                             teaching=None if learning else {READOUT_PROJECTION: []},
                             initial_state=state, seed=segment_seed(seed, segment), skip_prologue=segment > 0,
                             capture_state=True, progress=False)
            state = result.final_state
            er = prediction_rates(result, protocol, rows)
            rates, probabilities = _summaries(result, protocol, rows)
            record = XorRecord(segment=segment, phase=phase, epoch=epoch,
                               output_er_hz={row["case"]: rate for row, rate in zip(rows, er)},
                               cost=float(sum(xor_cost(rate, target, protocol)
                                              for rate, (_, target) in zip(er, CASES))),
                               event_rate_hz=rates, burst_probability=probabilities,
                               mean_weight=_mean_weights(state, params), wall_s=time.perf_counter() - begin)
            records.append(dataclasses.asdict(record))
            this_stretch["last_segment"] = segment
            segment_walls.append(record.wall_s)
            done = segment + 1
            last = done == n_segments
            stopping = stop_after is not None and done >= stop_after
            saving = checkpoint and (segment == 0 or last or stopping or (learning and epoch % checkpoint_every == 0))
            if saving:
                state.metadata = {"identity": identity, "records": records, "segments_done": done, "stretches": stretches,
                                  "simulated_s_per_segment": example_s * len(CASES)}
                state.save(checkpoint)
            if bar is not None:
                rates = " ".join(f"{c} {v:.1f}" for c, v in record.output_er_hz.items())
                bar.set_postfix_str(f"{phase} {epoch or ''}: cost {record.cost:.3f}, output ER {rates} Hz", refresh=False)
                bar.update(1)
                if saving or last:
                    per = float(np.median(segment_walls[-20:]))
                    bar.write(f"[xor {label}] {phase} {epoch or ''} ({done}/{n_segments}): cost {record.cost:.3f}, "
                              f"output ER {rates} Hz; {per:.1f} s/segment, ETA {per * (n_segments - done) / 60:.0f} min"
                              + ("; checkpoint saved" if saving else ""), file=sys.stderr)
            if stopping and not last:
                if bar is not None:
                    bar.close()
                out.update(complete=False, wall_s=time.perf_counter() - start_call, final_state=state)
                return out
    if bar is not None:
        bar.close()
    out.update(complete=True, wall_s=time.perf_counter() - start_call, final_state=state)
    return out



def _rounded(value, digits: int = 6):
    """``value`` (nested dicts / lists of floats) with floats to ``digits`` significant digits."""
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v, digits) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    return value


def save_run_record(path: str, out: dict, backend: str) -> None:
    """Write a finished run's records (no network state) as a small JSON file.

    A full run takes hours; its per-segment records are what the figure draws. The record keeps
    them with the run's identity (protocol values, seed, SHA-256 of the network description) and
    provenance, so that a later figure can reuse the seed (:func:`load_run_record`) instead of
    running it again. Floats are kept to 6 significant digits (the records are averages of
    spike counts; their own sampling error is far larger).

    Parameters
    ----------
    path : str
        The ``.json`` file to write (its folder is created).
    out : dict
        What :func:`run_xor` returned; the run must be complete.
    backend : str
        The backend the run used (kept in the provenance).

    Examples
    --------
    >>> out = run_xor(XorProtocol(n_per_population=20, n_epochs=1), seed=1)  # doctest: +SKIP
    >>> save_run_record("xor_seed1.json", out, "cpp_standalone")  # doctest: +SKIP
    """
    if not out.get("complete"):
        raise ParameterError("out: only a complete run (out['complete'] is True) can be saved as a run record")
    from spiking.figure_io import write_json
    from spiking.provenance import provenance

    seed = out["identity"]["seed"]
    record = {"format": RUN_RECORD_FORMAT, "identity": out["identity"], "seed": seed,
              "n_neurons_per_population": out["n_neurons_per_population"], "n_segments": out["n_segments"],
              "wall_s": round(sum(r["wall_s"] for r in out["records"]), 1),
              # a run that only loaded its finished checkpoint did not build: its build time is unknown
              "build_s": round(out["build_s"], 1) if out.get("resumed_from", 0) < out["n_segments"] else None,
              "records": _rounded(out["records"]),
              # the record's writing; the code that ran the segments is in "stretches"
              "provenance": provenance(backend=backend, seed=seed, stretches=out.get("stretches", []))}
    write_json(path, record, indent=None)


def load_run_record(path: str, protocol: XorProtocol, seed: int) -> dict | None:
    """The run record at ``path`` (:func:`save_run_record`) if it exists and belongs to this
    protocol, seed and network; None where the file is absent.

    A record of another protocol, seed or network (other model parameters) raises
    :class:`~spiking.errors.ParameterError` naming what differs, rather than being mixed in.

    Returns
    -------
    dict or None
        The record: ``records``, ``wall_s``, ``build_s``, ``provenance`` (of its writing; its
        ``stretches`` name the code that ran each stretch of segments) ...
    """
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        record = json.load(handle)
    if record.get("format") != RUN_RECORD_FORMAT:
        raise ParameterError(f"run record {path!r}: format {record.get('format')!r}, this version reads "
                             f"{RUN_RECORD_FORMAT}")
    identity = _checkpoint_identity(protocol, seed, xor_plan(protocol, seed=seed, segment=True))
    if record.get("identity") != identity:
        stored = record.get("identity") or {}
        differing = sorted(key for key in set(identity) | set(stored) if identity.get(key) != stored.get(key))
        raise ParameterError(f"run record {path!r} belongs to another run (differs in: {', '.join(differing)}); "
                             f"move it away to run this seed again")
    return record
