"""The Textual editor: `python -m autocomplete [FILE]`. It reaches the model only through
`autocomplete.engine.suggester`, imported in a worker thread so the window opens before numpy and
the model load (serving never imports torch)."""
