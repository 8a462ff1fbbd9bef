"""Front ends, which reach the model only through the Suggester: tui/ (the Textual editor), web
(the same editor in a browser tab) and lsp/ (a language server for other editors)."""
