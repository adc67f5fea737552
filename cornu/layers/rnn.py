"""Recurrent layers (Keras 3's ``keras.layers`` RNN family).

The code lives in private modules, one concept each: ``_rnn_base`` (RNN,
StackedRNNCells, the time loop), ``_simple_rnn``, ``_lstm``, ``_gru``,
``_wrappers`` (Bidirectional, TimeDistributed) and ``_conv_lstm``.
"""
from cornu.layers._conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from cornu.layers._gru import GRU, GRUCell
from cornu.layers._lstm import LSTM, LSTMCell
from cornu.layers._rnn_base import RNN, StackedRNNCells
from cornu.layers._simple_rnn import SimpleRNN, SimpleRNNCell
from cornu.layers._wrappers import Bidirectional, TimeDistributed, Wrapper

# Keras 1/2 names: the cuDNN-only layers are the fused-kernel LSTM and GRU here.
CuDNNLSTM = LSTM
CuDNNGRU = GRU

__all__ = ["RNN", "StackedRNNCells", "SimpleRNNCell", "SimpleRNN", "LSTMCell", "LSTM",
           "GRUCell", "GRU", "Bidirectional", "TimeDistributed", "Wrapper", "ConvLSTM1D",
           "ConvLSTM2D", "ConvLSTM3D", "CuDNNLSTM", "CuDNNGRU"]
