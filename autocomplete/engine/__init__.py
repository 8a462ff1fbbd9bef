"""Serving, numpy only: the inference file, the runtime and its incremental state, the n-gram
baseline, and the Suggester with its parts (query, candidate sources, mixer, casing, phrases)."""
