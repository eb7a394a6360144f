"""Conductance synapses and short-term plasticity (docs/model.md).

Each presynaptic spike adds ``w`` (siemens) to the exponentially decaying conductance of the
chosen receptor and compartment of the target. With short-term plasticity (the extended
Tsodyks-Markram model of Costa et al. 2013 used by Payeur et al.), the efficacy of a spike is
``w u- x-`` (pre-spike values); between spikes x -> 1 with tau_D and u -> U with tau_F; at a
spike x <- x - u- x- and u <- u- + f (1 - u-). The state is advanced in closed form at each
presynaptic spike (no per-step integration; the reference integrates x and u with forward Euler,
which recovers up to 0.1 % of x or u more slowly at dt = 0.1 ms).

The reference sets use the facilitation increment the reference code *executes*, f = U. Its
``STPeTMConnection`` declares f = 0.1 and an update with it, but that method
(``push_attributes``) is not virtual in Auryn's ``STPConnection``, whose ``propagate`` therefore
runs the base class's update, u <- u + U (1 - u) (recorded in ``validation/``: the increment
equals U to float precision, and differs from f = 0.1 by up to 0.78). With f = 0.1 the
facilitating synapses facilitate five times as fast as in the reference (and the depressing ones
reach U = 0.9 more slowly): the Fig-3 circuit then fires 20-35 % above the reference.
:data:`STD_INTENDED` and :data:`STF_INTENDED` keep the published f = 0.1 as an option.

Idealised transmission (section 2.3): ``"events"`` transmits only the first spike of each
event (ideal STD), ``"bursts"`` only the second spike of each burst (ideal STF); both use
the source group's online event/burst detector.

Examples
--------
>>> from models.synapses import STD_PAYEUR, STF_PAYEUR, paired_pulse_ratio
>>> round(paired_pulse_ratio(STF_PAYEUR, 0.005), 2)
1.9
>>> round(paired_pulse_ratio(STF_INTENDED, 0.005), 2)
5.55
"""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import Quantity, ms, second

from spiking.errors import ParameterError
from spiking.parameters import ParameterSet, parameter

__all__ = ["STPParameters", "STD_PAYEUR", "STF_PAYEUR", "STD_INTENDED", "STF_INTENDED", "RECEPTORS", "TRANSMISSIONS", "on_pre_code",
           "STP_MODEL", "presynaptic_stp_model", "presynaptic_stp_update_code", "stp_efficacies", "paired_pulse_ratio"]

RECEPTORS = ("ampa", "gaba")
TRANSMISSIONS = ("spikes", "events", "bursts")


@dataclasses.dataclass(frozen=True)
class STPParameters(ParameterSet):
    """Extended Tsodyks-Markram short-term plasticity.

    Examples
    --------
    >>> stf = STPParameters(U=0.02, tau_D=100 * ms, tau_F=100 * ms, f=0.1)
    """

    model_name = "short-term plasticity"

    U: float = parameter(0.5, 1, "U", "probability")
    """U: resting release probability (Auryn's Ujump)."""
    tau_D: Quantity = parameter(100 * ms, ms, "tau_D", "positive")
    """tau_D: recovery time constant of the resources x."""
    tau_F: Quantity = parameter(100 * ms, ms, "tau_F", "positive")
    """tau_F: relaxation time constant of u towards U."""
    f: float = parameter(0.1, 1, "f", "probability")
    """f: facilitation increment, u <- u + f (1 - u)."""
    u_initial: float | None = parameter(None, 1, "u_0", "probability", optional=True)
    """u_0: initial u; ``None`` = U (the reference code starts at 0.01 and relaxes to U)."""

    @property
    def initial_u(self) -> float:
        return self.U if self.u_initial is None else self.u_initial


#: Depressing set (feedforward pyr->pyr soma, pyr->PV), as the reference code runs it (f = U).
STD_PAYEUR = STPParameters(U=0.9, tau_D=20 * ms, tau_F=1 * second, f=0.9)
#: Facilitating set (feedback pyr->pyr dendrite, pyr->SOM, recurrent dendritic inhibition), as
#: the reference code runs it (f = U).
STF_PAYEUR = STPParameters(U=0.02, tau_D=100 * ms, tau_F=100 * ms, f=0.02)
#: The depressing set with the facilitation increment the reference code declares but never
#: executes (f = 0.1; see the module docstring).
STD_INTENDED = STD_PAYEUR.replace(f=0.1)
#: The facilitating set with the declared f = 0.1 (five times the executed facilitation).
STF_INTENDED = STF_PAYEUR.replace(f=0.1)

#: Synapse model variables of an STP synapse (per synapse; all synapses of one presynaptic
#: neuron carry identical copies).
STP_MODEL = """
x_stp : 1
u_stp : 1
t_last_stp : second
U_stp : 1 (shared, constant)
tau_D_stp : second (shared, constant)
tau_F_stp : second (shared, constant)
f_stp : 1 (shared, constant)
"""


def presynaptic_stp_model(name: str) -> str:
    """Variables of one projection's STP state kept once per presynaptic neuron (suffix
    ``_<name>``, in the source's STP node group): every synapse of a projection from a neuron
    group sees the same presynaptic spike train, so the per-synapse copies of
    :data:`STP_MODEL` would be identical; the node computes the efficacy once per spike
    (:func:`presynaptic_stp_update_code`) and each synapse adds ``w_syn`` times it.

    Examples
    --------
    >>> presynaptic_stp_model("ff").split()[:3]
    ['x_stp_ff', ':', '1']
    """
    return "\n".join(line.replace("_stp", f"_stp_{name}", 1) for line in _PRESYNAPTIC_STP.strip().splitlines())


_PRESYNAPTIC_STP = """
x_stp : 1
u_stp : 1
t_last_stp : second
efficacy_stp : 1
U_stp : 1 (shared, constant)
tau_D_stp : second (shared, constant)
tau_F_stp : second (shared, constant)
f_stp : 1 (shared, constant)
"""


def presynaptic_stp_update_code(name: str, suffix: str = "") -> str:
    """Code run at each transmitted presynaptic spike, when it reaches the synapses: the
    recursion of :func:`on_pre_code` on the variables of :func:`presynaptic_stp_model`,
    storing the efficacy ``u- x-`` of this spike in ``efficacy_stp_<name>``; ``suffix``
    (e.g. ``"_post"``) is appended to every variable name.

    Examples
    --------
    >>> presynaptic_stp_update_code("ff").splitlines()[2]
    'efficacy_stp_ff = u_stp_ff*x_stp_ff'
    """
    x, u, last, eff = (f"{var}_stp_{name}{suffix}" for var in ("x", "u", "t_last", "efficacy"))
    U, tau_d, tau_f, f = (f"{var}_stp_{name}{suffix}" for var in ("U", "tau_D", "tau_F", "f"))
    return "\n".join([
        f"{x} = 1 - (1 - {x})*exp(-(t - {last})/{tau_d})",
        f"{u} = {U} + ({u} - {U})*exp(-(t - {last})/{tau_f})",
        f"{eff} = {u}*{x}",
        f"{x} -= {eff}",
        f"{u} += {f}*(1 - {u})",
        f"{last} = t",
    ])


def on_pre_code(conductance: str, stp: STPParameters | None) -> str:
    """Brian ``on_pre`` code adding ``w_syn`` (times the STP efficacy) to ``<conductance>_post``.

    Examples
    --------
    >>> on_pre_code("g_ampa_s", None)
    'g_ampa_s_post += w_syn'
    """
    if stp is None:
        return f"{conductance}_post += w_syn"
    return "\n".join([
        "x_stp = 1 - (1 - x_stp)*exp(-(t - t_last_stp)/tau_D_stp)",
        "u_stp = U_stp + (u_stp - U_stp)*exp(-(t - t_last_stp)/tau_F_stp)",
        f"{conductance}_post += w_syn*u_stp*x_stp",
        "x_stp -= u_stp*x_stp",
        "u_stp += f_stp*(1 - u_stp)",
        "t_last_stp = t",
    ])


def stp_efficacies(stp: STPParameters, spike_times_s: np.ndarray) -> np.ndarray:
    """Closed-form recursion: efficacy u- x- of each spike of a presynaptic train (starting
    from x = 1, u = u_0 at t = 0).

    Examples
    --------
    >>> stp_efficacies(STD_PAYEUR, np.array([0.0, 0.005])).round(3).tolist()
    [0.9, 0.296]
    """
    x, u, last = 1.0, stp.initial_u, 0.0
    tau_d, tau_f = float(stp.tau_D), float(stp.tau_F)
    out = np.empty(len(spike_times_s))
    for k, t in enumerate(spike_times_s):
        x = 1 - (1 - x) * np.exp(-(t - last) / tau_d)
        u = stp.U + (u - stp.U) * np.exp(-(t - last) / tau_f)
        out[k] = u * x
        x -= u * x
        u += stp.f * (1 - u)
        last = t
    return out


def paired_pulse_ratio(stp: STPParameters, isi_s: float) -> float:
    """Efficacy of the second of two spikes ``isi_s`` apart over the first's (from rest).

    Examples
    --------
    >>> round(paired_pulse_ratio(STD_PAYEUR, 0.010), 3)
    0.499
    """
    if not isi_s > 0:
        raise ParameterError(f"isi_s must be > 0; got {isi_s}")
    first, second_ = stp_efficacies(stp, np.array([1.0, 1.0 + isi_s]))
    return float(second_ / first)
