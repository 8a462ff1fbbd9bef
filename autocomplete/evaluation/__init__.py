"""python -m autocomplete.evaluate: what a model is worth on held-out text."""
