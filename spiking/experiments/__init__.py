"""Experiments: networks and protocols built from the plan (above :mod:`spiking.plan`).

- :mod:`~spiking.experiments.circuits`: leak-unit weights, the reference backgrounds, the
  Payeur Fig-3 circuit and the plasticity population test;
- :mod:`~spiking.experiments.registry`: named experiments for sweeps (plan + run-time knobs);
- :mod:`~spiking.experiments.pairing`: the plasticity rule's pairing protocols;
- :mod:`~spiking.experiments.xor`, :mod:`~spiking.experiments.xor_run`: the XOR network of
  Payeur Fig. 4 and its whole protocol, segment by segment.

``models/`` holds what the plan is made of (cells, synapses, plasticity rules, parameter sets)
and imports nothing above the plan.
"""
