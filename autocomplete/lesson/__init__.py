"""The RNN/GRU/LSTM lesson: compare, probe, the long-gap task, gradients and their report."""
