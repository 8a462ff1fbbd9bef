"""Front ends, which reach the model only through the Suggester: tui/ (the Textual editor) and
web (the same editor in a browser tab)."""
