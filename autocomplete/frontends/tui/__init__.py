"""The Textual editor: `python -m autocomplete [FILE]`. It reaches the model only through
`autocomplete.engine.suggester`, imported in a thread (loading.py) so the window opens while
numpy and the model load (serving never imports torch)."""
