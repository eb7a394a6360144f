"""What the package changes in Brian's generated C++ (cpp_standalone only) so that GCC makes
fast loops; the model and Brian's semantics are unchanged.

- :func:`configure_vectorisation`: the SIMD declaration of ``exp`` (libmvec) that glibc omits
  under Brian's ``-fno-finite-math-only``, and enough runtime alias checks for loops over a
  dozen state arrays (see ``spiking/cpp/spiking_vector_math.h``);
- :class:`BranchFreeThresholdCodeObject`: Brian's threshold template with a branch-free event
  list (``spiking/cpp/templates/threshold.cpp``), set on the thresholders of our groups by
  :func:`use_branch_free_thresholds`;
- :class:`SparseThresholdCodeObject`: a threshold template for rare events that tests blocks of
  64 neurons with a vectorised OR first (``spiking/cpp/sparse_templates/threshold.cpp``), set on
  Poisson pools by :func:`use_sparse_thresholds`.

Measured on the Payeur Fig-3 circuit (2-core AMD EPYC, cpp_standalone): pyramidal state update
7.8 -> 2.5 s, AdEx updates 0.53 -> 0.19 s each, background thresholder 0.95 -> ~0.3 s for 4 s
of simulated time (``benchmarks/results/fig3_circuit_cpp_standalone*.json``).
"""

from __future__ import annotations

import os

from brian2 import get_device, prefs
from brian2.devices.cpp_standalone.codeobject import CPPStandaloneCodeObject
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

__all__ = ["CPP_INCLUDE_DIR", "VECTORISER_ALIAS_CHECKS", "configure_vectorisation",
           "BranchFreeThresholdCodeObject", "use_branch_free_thresholds", "SparseThresholdCodeObject",
           "use_sparse_thresholds"]

#: Folder of the C++ headers shipped with the package.
CPP_INCLUDE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cpp")
#: Runtime alias checks GCC may emit to vectorise one loop (its default, 10, covers 5 arrays;
#: a pyramidal state update reads and writes about 12: without this no neuron loop vectorises).
VECTORISER_ALIAS_CHECKS = 200


def configure_vectorisation() -> None:
    """Set the cpp_standalone preferences that let GCC vectorise the neuron loops (call while
    Brian's preferences are backed up, as :class:`~spiking.backend.BackendSession` does).

    Examples
    --------
    >>> from brian2 import prefs
    >>> prefs._backup()
    >>> configure_vectorisation()
    >>> '"spiking_vector_math.h"' in prefs.codegen.cpp.headers
    True
    >>> prefs._restore()
    """
    prefs.codegen.cpp.include_dirs = list(prefs.codegen.cpp.include_dirs) + [CPP_INCLUDE_DIR]
    prefs.codegen.cpp.headers = list(prefs.codegen.cpp.headers) + ['"spiking_vector_math.h"']
    # a GCC option; Brian test-compiles every extra argument with the compiler in use and drops
    # those it rejects (brian2.codegen.cpp_prefs.has_flag), so other compilers are unaffected
    prefs.codegen.cpp.extra_compile_args_gcc = list(prefs.codegen.cpp.extra_compile_args_gcc) + [
        f"--param=vect-max-version-for-alias-checks={VECTORISER_ALIAS_CHECKS}"]


class BranchFreeThresholdCodeObject(CPPStandaloneCodeObject):
    """cpp_standalone code object whose ``threshold`` template builds the event list without a
    data-dependent branch; every other template is Brian's."""

    templater = CPPStandaloneCodeObject.templater.derive("spiking", templates_dir="cpp/templates")


def use_branch_free_thresholds(group, events) -> None:
    """On the plain cpp_standalone device, generate the thresholders of ``events`` of ``group``
    with :class:`BranchFreeThresholdCodeObject`; no-op on other devices (runtime,
    cuda_standalone). Meant for events that hold for a sizeable, random fraction of the neurons
    in each step (background arrivals: ~20 %), where the branch mispredicts; rare events such
    as spikes are faster with Brian's branch (one store per neuron saved).

    Examples
    --------
    >>> from brian2 import NeuronGroup
    >>> group = NeuronGroup(2, "v : 1", threshold="v > 1", name="branch_free_example")
    >>> use_branch_free_thresholds(group, ["spike"])  # runtime device: nothing changes
    >>> group.thresholder["spike"].codeobj_class is None
    True
    """
    if type(get_device()) is not CPPStandaloneDevice:
        return
    for event in events:
        group.thresholder[event].codeobj_class = BranchFreeThresholdCodeObject


class SparseThresholdCodeObject(CPPStandaloneCodeObject):
    """cpp_standalone code object whose ``threshold`` template tests blocks of neurons with a
    vectorised OR before collecting indices (for events few neurons have per step)."""

    templater = CPPStandaloneCodeObject.templater.derive("spiking", templates_dir="cpp/sparse_templates")


def use_sparse_thresholds(group) -> None:
    """On the plain cpp_standalone device, generate the spike thresholder of ``group`` (no Brian
    refractoriness) with :class:`SparseThresholdCodeObject`; no-op on other devices. Meant for
    groups where a small fraction of the neurons spikes per step: a Poisson pool of 25000
    sources at 5 Hz has 12 spikes per 0.1 ms step.

    Examples
    --------
    >>> from brian2 import NeuronGroup
    >>> group = NeuronGroup(2, "v : 1", threshold="v > 1", name="sparse_example")
    >>> use_sparse_thresholds(group)  # runtime device: nothing changes
    >>> group.thresholder["spike"].codeobj_class is None
    True
    """
    if type(get_device()) is not CPPStandaloneDevice:
        return
    group.thresholder["spike"].codeobj_class = SparseThresholdCodeObject
