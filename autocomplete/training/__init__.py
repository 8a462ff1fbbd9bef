"""Training, the only package that imports torch: corpus reading and cleaning, the vocabulary,
the model, the trainer, checkpoints, the completion lexicon and shipping the served file."""
