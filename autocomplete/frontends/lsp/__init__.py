"""The language server: the Suggester's words as LSP completions, over stdio.

`python -m autocomplete.lsp` runs it. Only `engine` imports the rest of the package.
"""
