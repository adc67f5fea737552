"""``keras.layers.recurrent`` (Keras 1/2): its layers now live in ``cornu.layers``."""
from cornu.legacy.modules import reexport, warn_module

__all__ = reexport(globals(), "cornu.layers", [
    "RNN", "SimpleRNN", "GRU", "LSTM", "SimpleRNNCell", "GRUCell", "LSTMCell",
    "StackedRNNCells", "CuDNNGRU", "CuDNNLSTM", "ConvLSTM2D"])
warn_module("keras.layers.recurrent", "keras.layers")
