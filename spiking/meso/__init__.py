"""The meso (rate-level) model of burst-multiplexing ensembles, in plain numpy (no Brian2)."""

from spiking.meso.functions import logit, sigmoid, sigmoid_derivative
from spiking.meso.learning import RULES, Backprop, BurstTD, backprop_gradients, burst_td_gradients, burst_td_loss, \
    mse_loss, sst_gradients, sst_loss
from spiking.meso.network import INITIALISATIONS, MesoLayer, MesoNetwork, MesoState
from spiking.meso.training import Dataset, accuracy, load_digits_dataset, load_mnist_dataset, train

__all__ = ["sigmoid", "sigmoid_derivative", "logit", "MesoLayer", "MesoState", "MesoNetwork", "INITIALISATIONS",
           "BurstTD", "Backprop", "RULES", "burst_td_loss", "burst_td_gradients", "sst_loss", "sst_gradients",
           "mse_loss", "backprop_gradients", "Dataset", "load_digits_dataset", "load_mnist_dataset", "accuracy",
           "train"]
