"""Reusable circuit pieces of the reference simulations (docs/model.md).

Weights of the reference code are given in units of the target compartment's leak
conductance; :func:`leak_units` converts them to siemens.

Examples
--------
>>> from models.pyramidal import PyramidalParameters
>>> from brian2 import nS
>>> round(float(leak_units(0.17, PyramidalParameters(), "soma") / nS), 3)
3.931
"""

from __future__ import annotations

from brian2 import Hz, Quantity, ms

from models.interneurons import AdExParameters
from models.pyramidal import PyramidalParameters
from spiking.errors import ParameterError
from spiking.plan import IdentityPoisson, NetworkPlan, PoissonPool, Projection

__all__ = ["leak_units", "add_identity_backgrounds", "add_sparse_background", "payeur_fig3_plan", "FIG3_STP_PATHWAYS",
           "payeur_fig2_population_plan", "FIG2_PHASES"]


def leak_units(weight: float, params: PyramidalParameters | AdExParameters, compartment: str = "soma") -> Quantity:
    """Convert a weight in units of the target's leak conductance (reference-code convention)
    to siemens.

    Examples
    --------
    >>> from models.interneurons import PV_PAYEUR
    >>> leak_units(0.05, PV_PAYEUR)
    0.5 * nsiemens
    """
    if isinstance(params, PyramidalParameters):
        if compartment not in ("soma", "dendrite"):
            raise ParameterError(f"compartment must be 'soma' or 'dendrite'; got {compartment!r}")
        return weight * (params.g_L_s if compartment == "soma" else params.g_L_d)
    if compartment != "soma":
        raise ParameterError(f"interneurons have only a soma; got compartment {compartment!r}")
    return weight * params.g_L


def add_identity_backgrounds(plan: NetworkPlan, pyramids: str, pv: str, sst: str) -> None:
    """The reference code's identity-connected 500 Hz Poisson backgrounds (docs/model.md),
    excitatory and inhibitory, in leak units: pyramid soma 0.35 / 0.35 and dendrite 0.05 / 0.05,
    SST soma 0.4 / 0.5, PV soma 0.75 / 1.125. The populations must already be in ``plan``.

    Examples
    --------
    >>> from models.interneurons import PV_PAYEUR, SST_PAYEUR
    >>> from spiking.plan import Population
    >>> plan = NetworkPlan(duration=100 * ms)
    >>> plan.add_population(Population("pyr", PyramidalParameters(), n_per_unit=4))
    >>> plan.add_population(Population("pv", PV_PAYEUR, n_per_unit=2))
    >>> plan.add_population(Population("sst", SST_PAYEUR, n_per_unit=2))
    >>> add_identity_backgrounds(plan, "pyr", "pv", "sst")
    >>> len(plan.backgrounds)
    8
    """

    pyr_params = plan.populations[pyramids].params
    for comp, w in (("soma", 0.35), ("dendrite", 0.05)):
        for receptor in ("ampa", "gaba"):
            plan.add_background(IdentityPoisson(pyramids, comp, receptor, 500 * Hz, leak_units(w, pyr_params, comp)))
    for name, (w_exc, w_inh) in ((sst, (0.4, 0.5)), (pv, (0.75, 1.125))):
        params = plan.populations[name].params
        plan.add_background(IdentityPoisson(name, "soma", "ampa", 500 * Hz, leak_units(w_exc, params)))
        plan.add_background(IdentityPoisson(name, "soma", "gaba", 500 * Hz, leak_units(w_inh, params)))


def add_sparse_background(plan: NetworkPlan, target: str, weights: dict[str, tuple[float, float]],
                          n_exc: int = 25000, n_inh: int = 25000, rate: Quantity = 5 * Hz,
                          in_degree_exc: int = 100, in_degree_inh: int = 30, prefix: str | None = None,
                          connectivity: str = "pairwise") -> None:
    """Sparse Poisson background of the reference code: an excitatory and an inhibitory pool of
    independent Poisson sources (``rate``) onto each target compartment, ``in_degree_exc`` and
    ``in_degree_inh`` sources on average.

    Parameters
    ----------
    plan : NetworkPlan
    target : str
        Target population.
    weights : dict
        ``{compartment: (w_exc, w_inh)}`` in units of that compartment's leak conductance.
    n_exc, n_inh : int
        Pool sizes (reference: 25000 each).
    rate : Quantity
        Rate of each source (reference: 5 Hz).
    in_degree_exc, in_degree_inh : int
        Sources per target compartment (reference: 100 and 30).
    prefix : str, optional
        Name prefix of the pools (default: ``"bg"``; pools are shared by all targets using it).
    connectivity : {"pairwise", "in_degree"}
        ``"pairwise"`` (the reference's ``SparseConnection``): each source-target pair with
        probability in_degree/pool size, so in-degrees are binomial (100 +- 10); ``"in_degree"``:
        exactly ``in_degree`` sources per target.
    """
    if connectivity not in ("pairwise", "in_degree"):
        raise ParameterError(f"add_sparse_background: connectivity must be 'pairwise' or 'in_degree'; "
                             f"got {connectivity!r}")
    prefix = prefix or "bg"
    pools = {"exc": f"{prefix}_exc", "inh": f"{prefix}_inh"}
    for kind, n in (("exc", n_exc), ("inh", n_inh)):
        if pools[kind] not in plan.populations:
            plan.add_population(PoissonPool(pools[kind], n, rate))
    params = plan.populations[target].params
    for compartment, (w_exc, w_inh) in weights.items():
        for kind, w, k, receptor in (("exc", w_exc, in_degree_exc, "ampa"), ("inh", w_inh, in_degree_inh, "gaba")):
            n_pool = n_exc if kind == "exc" else n_inh
            rule = ({"rule": "pairwise", "p": k / n_pool} if connectivity == "pairwise"
                    else {"rule": "in_degree", "in_degree": k})
            plan.add_projection(Projection(f"{pools[kind]}_to_{target}_{compartment}", pools[kind], target, compartment,
                                           receptor, weight=leak_units(w, params, compartment), delay=0.8 * ms, **rule))


#: STP of the Fig-3 pathways: the reference (depressing feedforward, facilitating feedback) and
#: the ablation with the two sets swapped.
FIG3_STP_PATHWAYS = ("reference", "swapped")


def payeur_fig3_plan(n_pyramids: int = 4000, n_pv: int = 1000, n_som: int = 1000, burn_in_s: float = 1.0,
                     stimulus_s: float = 3.0, seed: int = 3, fixed_in_degree: bool = False, record: bool = True,
                     stp_pathways: str = "reference"):
    """The Payeur et al. 2021 Fig. 3 circuit (docs/model.md): two pyramidal units (pop1,
    pop2), PV and SOM; identity 500 Hz backgrounds; STD feedforward (pop1 -> pop2 soma, pop1 -> PV),
    PV -> pop2 soma, STF feedback (pop2 -> pop1 dendrite, pop2 -> SOM), SOM -> pop1 dendrite,
    recurrent STF dendritic inhibition within each unit; all with p = 0.05.

    Currents: pop1 soma 200 pA sin(2 pi t / 500 ms), dendrite 50 pA; pop2 soma -100 pA, dendrite
    100 + 100 sin(2 pi t / 1118 ms) pA; PV bias 205 pA; sines off during the burn-in.

    Parameters
    ----------
    fixed_in_degree : bool
        Connect with a fixed in-degree equal to 5 % of the reference population sizes (4000
        pyramids, 1000 interneurons) instead of p = 0.05: keeps every cell's input when the
        circuit is scaled (used by the scaling benchmark).
    record : bool
        Record all spikes (else: a 100-neuron sample per unit and the online detector only).
    stp_pathways : {"reference", "swapped"}
        ``"swapped"``: the feedforward pathways (pop1 -> pop2, pop1 -> PV) get the facilitating
        set and the feedback ones (pop2 -> pop1, pop2 -> SOM) the depressing set, same weights (the
        ablation of the STP demultiplexing figure).

    Returns
    -------
    NetworkPlan

    Examples
    --------
    >>> plan = payeur_fig3_plan(n_pyramids=40, n_pv=10, n_som=10, burn_in_s=0.1, stimulus_s=0.1)
    >>> sorted(plan.populations)
    ['pv', 'pyr', 'som']
    """
    import numpy as np
    from brian2 import pA, second

    from models.interneurons import PV_PAYEUR, SST_PAYEUR
    from models.synapses import STD_PAYEUR, STF_PAYEUR
    from spiking.plan import CurrentInjection, NetworkPlan, Population
    from spiking.stimuli import Constant, Sampled

    pyr_params = PyramidalParameters()
    som_params = SST_PAYEUR.replace(I_bias=0 * pA)
    plan = NetworkPlan(duration=(burn_in_s + stimulus_s) * second, seed=seed)
    plan.add_population(Population("pyr", pyr_params, n_per_unit=n_pyramids, n_units=2))
    plan.add_population(Population("pv", PV_PAYEUR, n_per_unit=n_pv))
    plan.add_population(Population("som", som_params, n_per_unit=n_som))
    add_identity_backgrounds(plan, "pyr", "pv", "som")

    def connect(name, source, target, compartment, receptor, w, params, stp=None, source_units=None,
                target_units=None, reference_size=4000):
        if fixed_in_degree:
            rule = {"rule": "in_degree", "in_degree": int(round(0.05 * reference_size))}
        else:
            rule = {"rule": "pairwise", "p": 0.05}
        plan.add_projection(Projection(name, source, target, compartment, receptor, weight=leak_units(w, params, compartment),
                                       stp=stp, source_units=source_units, target_units=target_units, **rule))

    if stp_pathways not in FIG3_STP_PATHWAYS:
        raise ParameterError(f"payeur_fig3_plan: stp_pathways must be one of {FIG3_STP_PATHWAYS}; got {stp_pathways!r}")
    std, stf = STD_PAYEUR.replace(u_initial=0.01), STF_PAYEUR.replace(u_initial=0.01)
    forward, feedback = (std, stf) if stp_pathways == "reference" else (stf, std)
    connect("ff_pyr1_pyr2", "pyr", "pyr", "soma", "ampa", 0.05, pyr_params, forward, (0,), (1,))
    connect("ff_pyr1_pv", "pyr", "pv", "soma", "ampa", 0.05, PV_PAYEUR, forward, (0,), None)
    connect("pv_pyr2", "pv", "pyr", "soma", "gaba", 0.07, pyr_params, None, None, (1,), reference_size=1000)
    connect("fb_pyr2_pyr1", "pyr", "pyr", "dendrite", "ampa", 0.37, pyr_params, feedback, (1,), (0,))
    connect("fb_pyr2_som", "pyr", "som", "soma", "ampa", 0.3, som_params, feedback, (1,), None)
    connect("som_pyr1", "som", "pyr", "dendrite", "gaba", 0.035, pyr_params, None, None, (0,), reference_size=1000)
    connect("recurrent_inhibition", "pyr", "pyr", "dendrite", "gaba", 0.1, pyr_params, stf)
    dt_s = float(plan.dt)
    t = np.arange(int(round(float(plan.duration) / dt_s)) + 1) * dt_s
    on = t >= burn_in_s
    soma1 = np.where(on, 200e-12 * np.sin(2 * np.pi * t / 0.5), 0.0)
    dend2 = 100e-12 + np.where(on, 100e-12 * np.sin(2 * np.pi * t / (0.5 * np.sqrt(5))), 0.0)
    plan.add_current(CurrentInjection("pyr", "soma", [Sampled(soma1 * 1e12 * pA, plan.dt), Constant(-100 * pA)]))
    plan.add_current(CurrentInjection("pyr", "dendrite", [Constant(50 * pA), Sampled(dend2 * 1e12 * pA, plan.dt)]))
    if record:
        for name in ("pyr", "pv", "som"):
            plan.record_spikes(name)
    else:
        plan.record_spikes("pyr", sample_per_unit=100)
    plan.detect_bursts("pyr", bin_width=50e-3 * second)
    return plan


#: Phases of the plasticity population test after the burn-in (Payeur et al. 2021, Fig. 2E-G):
#: (name, dendritic input strength in units of d0, extra current into the presynaptic dendrites, pA).
FIG2_PHASES = (("d0", 1.0, 0.0), ("1.5 d0", 1.5, 0.0), ("d0 again", 1.0, 0.0), ("0.55 d0", 0.55, 0.0),
               ("d0 third", 1.0, 0.0), ("presynaptic BP", 1.0, 40.0))


def payeur_fig2_population_plan(seed: int = 1, n_pre: int = 1000, n_post: int = 1000, phase_s: float = 25.0,
                                burn_in_s: float | None = None, n_background: int = 25000,
                                mean_weight_dt_s: float = 0.5):
    """The plasticity population test of the reference program (``sim_plasticity_rule``;
    docs/model.md): a presynaptic population (Poisson-driven pyramids) projects onto a
    postsynaptic one through plastic synapses; the postsynaptic dendrites get Poisson input of a
    strength d that steps through the phases of :data:`FIG2_PHASES`, and in the last phase the
    presynaptic dendrites get 40 pA more (their burst probability rises; the weights should not
    follow).

    - presynaptic cells: sparse Poisson background (25000 excitatory and 25000 inhibitory sources
      at 5 Hz, 100 and 30 per cell; soma 0.17/0.26, dendrite 0.0425/0.065 leak units);
    - plastic projection onto the postsynaptic somata: p = 0.2 (200 inputs per cell; a smaller
      presynaptic population keeps the 200 with p = 200/n_pre), w0 = 0.08, no delay (the
      reference transmits at once), eta = 3.5e-3, w_max = 1 (leak units), tau_pre = 100 ms,
      tau_avg = 5 s, E_min 2 Hz, E_max 12 Hz, the reference connection's event detection;
    - postsynaptic dendrites: 100 Poisson sources at 1 Hz (p = 0.2, weight d, d0 = 0.25 leak
      units), plus 50 pA;
    - plasticity off during the burn-in (4 tau_avg = 20 s), on afterwards.

    Records: the online detector of both populations (50 ms bins), the mean plastic weight every
    ``mean_weight_dt_s``, a 1000-synapse weight sample.

    Examples
    --------
    >>> plan = payeur_fig2_population_plan(n_pre=20, n_post=20, phase_s=1.0, burn_in_s=1.0, n_background=500)
    >>> round(float(plan.duration), 1)
    7.0
    """
    from brian2 import pA, second

    from models.plasticity import BurstDependentPlasticity
    from spiking.plan import CurrentInjection, Population
    from spiking.stimuli import Constant, Step

    params = PyramidalParameters()
    tau_avg = 5.0
    burn_in_s = 4 * tau_avg if burn_in_s is None else burn_in_s
    duration = burn_in_s + len(FIG2_PHASES) * phase_s
    plan = NetworkPlan(duration=duration * second, seed=seed)
    plan.add_population(Population("pre", params, n_per_unit=n_pre))
    plan.add_population(Population("post", params, n_per_unit=n_post))
    add_sparse_background(plan, "pre", {"soma": (0.17, 0.26), "dendrite": (0.0425, 0.065)}, n_exc=n_background,
                          n_inh=n_background)
    plan.add_population(PoissonPool("dendritic_input", 100, 1 * Hz))
    plan.add_projection(Projection("dendritic_drive", "dendritic_input", "post", "dendrite", "ampa", "pairwise", p=0.2,
                                   weight=leak_units(0.25, params, "dendrite"), delay=0.8 * ms))
    plan.modulate_weight("dendritic_drive", [((burn_in_s + k * phase_s) * second, factor)
                                             for k, (_, factor, _) in enumerate(FIG2_PHASES)])
    rule = BurstDependentPlasticity(eta=leak_units(3.5e-3, params, "soma"), w_max=leak_units(1.0, params, "soma"),
                                    tau_pre=100 * ms, tau_avg=tau_avg * second, e_min=2 * Hz, e_max=12 * Hz)
    plan.add_projection(Projection("plastic", "pre", "post", "soma", "ampa", "pairwise", p=min(1.0, 200 / n_pre),
                                   weight=leak_units(0.08, params, "soma"), delay=0 * ms, plasticity=rule))
    plan.schedule_plasticity("plastic", [(burn_in_s * second, duration * second)])
    plan.add_current(CurrentInjection("post", "dendrite", Constant(50 * pA)))
    extra = [(burn_in_s + k * phase_s, current) for k, (_, _, current) in enumerate(FIG2_PHASES) if current]
    wave = None
    for start, current in extra:
        step = Step(current * pA, start * second, phase_s * second)
        wave = step if wave is None else wave + step
    plan.add_current(CurrentInjection("pre", "dendrite", wave or Constant(0 * pA)))
    plan.detect_bursts("pre", bin_width=50 * ms)
    plan.detect_bursts("post", bin_width=50 * ms)
    plan.record_mean_weights("plastic", mean_weight_dt_s * second)
    plan.record_weights("plastic", n_sample=1000)
    return plan
